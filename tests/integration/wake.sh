#!/bin/bash
# SPDX-License-Identifier: MIT
# wake.sh BUILD_DIR - how the receiver waits for notified calls
# (sentry/receiver.c). With SYNC_WAKE_UP (6.6) it sleeps in the receive;
# without it (forced here with CORDON_IGNORE_FEATURES=sync_wake_up, as on
# Debian 12's 6.1 or Ubuntu 22.04's 5.15) it polls the listener for a while
# after each call on a machine with more than one CPU: a busy caller's next
# call is caught by the poll, a sparse caller costs no polling, and neither
# a stop nor a signal to cordon waits for the poll. Doctor and the report
# say which mode ran.
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
W=$T_DIR/work
NOSYNC=CORDON_IGNORE_FEATURES=sync_wake_up
ncpu=$(nproc)

# rx FILE KEY - a field of the summary's "receiver" object.
rx() {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["receiver"][sys.argv[2]])' "$1" "$2" 2>/dev/null
}
# fcmp A OP B - floating-point comparison (awk).
fcmp() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }

# --- which mode, doctor and report alike ------------------------------------
as_user "$CORDON" doctor >"$T_DIR/doc" 2>&1
has_sync=0
grep -q '^ok .*SYNC_WAKE_UP' "$T_DIR/doc" && has_sync=1
if [ "$has_sync" = 1 ]; then
	t_check "doctor-wake-sync" 'grep -q "wake-up mode .*sync:" "$T_DIR/doc"'
	as_user "$CORDON" run -q --report-json "$W/r0.json" -- "$PROBE" time-personality 100 >/dev/null
	t_check "report-wake-sync" '[ "$(rx "$W/r0.json" wake)" = sync ] && [ "$(rx "$W/r0.json" polls)" = 0 ]'
else
	t_skip "doctor-wake-sync" "this kernel has no SYNC_WAKE_UP"
fi
as_user taskset -c 0 env $NOSYNC "$CORDON" doctor >"$T_DIR/doc1" 2>&1
t_check "doctor-wake-one-cpu-sleeps" 'grep -q "wake-up mode .*sleep:" "$T_DIR/doc1"'
as_user taskset -c 0 env $NOSYNC "$CORDON" run -q --report-json "$W/r1.json" -- "$PROBE" time-personality 2000 >/dev/null
t_check "report-wake-one-cpu-sleeps" '[ "$(rx "$W/r1.json" wake)" = sleep ] && [ "$(rx "$W/r1.json" polls)" = 0 ]'

if [ "$ncpu" -lt 2 ]; then
	t_skip "wake-poll" "one CPU: the poll mode needs two"
	t_done
	exit
fi
as_user env $NOSYNC "$CORDON" doctor >"$T_DIR/doc2" 2>&1
t_check "doctor-wake-poll" 'grep -q "wake-up mode .*poll:" "$T_DIR/doc2"'

# --- a busy caller: its next call is taken by the poll, not by a wake-up ----
as_user env $NOSYNC "$CORDON" run -q --report-json "$W/busy.json" -- "$PROBE" time-personality 5000 >"$T_DIR/out" 2>&1
polls=$(rx "$W/busy.json" polls) hits=$(rx "$W/busy.json" poll_hits)
t_check "report-wake-poll" '[ "$(rx "$W/busy.json" wake)" = poll ]'
# Nearly all of them on a quiet machine; a loaded one delays the caller
# past some windows.
t_check "busy-caller-polled ($hits of $polls windows caught a call)" '[ "${hits:-0}" -ge 500 ]'

# --- a sparse caller: calls 2 ms apart, far beyond the window: no polling ---
as_user env $NOSYNC "$CORDON" run -q --report-json "$W/sparse.json" -- "$PROBE" sparse-personality 300 2000 >"$T_DIR/out" 2>&1
polls=$(rx "$W/sparse.json" polls) ps=$(rx "$W/sparse.json" poll_s)
# The window count is the property; the time is wall clock, which a loaded
# machine stretches by preempting the receiver inside a window (2 windows
# took 22 ms at load 13), so it only bounds a receiver that kept polling
# (300 calls 2 ms apart: 0.6 s).
t_check "sparse-caller-not-polled ($polls windows, $ps s for 300 calls)" '[ -n "$polls" ] && [ "$polls" -le 30 ] && fcmp "$ps" "<" 0.2'

# --- the receiver's CPU is not the job's ---------------------------------------
# A CPU limit on a job that calls without a pause (the receiver polls all
# along): the job is killed when its own CPU reaches the limit, which the
# kernel's rusage of the reaped job confirms; the supervisor's is apart.
as_user env $NOSYNC "$CORDON" run -q --limit cpu=1s --report-json "$W/cpu.json" -- "$PROBE" time-personality 1000000000 >/dev/null 2>&1
st=$?
jcpu=$(python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["peaks"]
print(round(p["cpu_user_s"] + p["cpu_sys_s"], 3))' "$W/cpu.json" 2>/dev/null)
scpu=$(rx "$W/cpu.json" supervisor_cpu_s)
t_check "cpu-limit-counts-the-job-only (job $jcpu s, supervisor $scpu s)" '[ "$st" = 124 ] && fcmp "$jcpu" ">=" 0.9 && fcmp "$jcpu" "<=" 1.5 && [ -n "$scpu" ]'

# --- the poll delays no stop -------------------------------------------------
# A wall limit on a job that calls without a pause: killed on time.
start=$(date +%s%N)
as_user env $NOSYNC "$CORDON" run -q --limit wall=1s -- "$PROBE" time-personality 1000000000 >/dev/null 2>&1
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "busy-wall-killed-on-time ($ms ms)" '[ "$st" = 124 ] && [ "$ms" -le 2500 ]'
# SIGTERM to cordon while the job calls without a pause: the job's status
# (killed by the forwarded SIGTERM) comes back at once.
as_user_bg env $NOSYNC "$CORDON" run -q -- "$PROBE" time-personality 1000000000 >/dev/null 2>&1 &
cpid=$!
T_STARTED_PIDS="$T_STARTED_PIDS $cpid"
sleep 0.5
start=$(date +%s%N)
kill -TERM "$cpid"
wait "$cpid"
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "busy-sigterm-prompt ($ms ms)" '[ "$st" = 143 ] && [ "$ms" -le 1500 ]'
# The first process ends right after a burst of calls while another one
# sleeps on: the loop ends with the receiver in its poll window, and the
# stop must not wait for a call that never comes.
start=$(date +%s%N)
as_user timeout 20 env $NOSYNC "$CORDON" run -q -- sh -c \
	"'$PROBE' time-personality 20000 >/dev/null; sleep 30 & exit 0" >/dev/null 2>&1
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "stop-in-poll-window-prompt ($ms ms, status $st)" '[ "$st" = 0 ] && [ "$ms" -le 5000 ]'
t_done
