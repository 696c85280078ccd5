#!/bin/bash
# SPDX-License-Identifier: MIT
# ptrace.sh BUILD_DIR - the ptrace platform's own invariants
# (platform/ptrace.c, docs/platforms.md): the tracer's death kills the tree
# (EXITKILL, even with the anchor unable to), the job cannot trace its own
# processes (PTRACE_TRACEME, PTRACE_ATTACH, PTRACE_SEIZE refused by the
# kernel: one tracer per task), CLONE_UNTRACED is refused, a vfork child is
# traced, job control (kill -STOP / -CONT seen by the parent's waitpid) as
# natively, and --platform auto picking ptrace inside another cordon.
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
W=$T_DIR/work
PT="$CORDON run -q --platform ptrace"

# --- the job traces nothing -----------------------------------------------
cat >"$W/trace.py" <<'PY'
import ctypes, os, signal, time
l = ctypes.CDLL(None, use_errno=True)
l.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
def call(req, pid):
    r = l.ptrace(req, pid, None, None)
    return "%d/%d" % (r, ctypes.get_errno() if r < 0 else 0)
import sys
# Natively, a TRACEME would leave us stopped at the next signal: skipped.
if len(sys.argv) > 1:
    out = ["traceme", "skipped"]
else:
    out = ["traceme", call(0, 0)]
pid = os.fork()
if pid == 0:
    time.sleep(5)
    os._exit(0)
out += ["attach", call(16, pid), "seize", call(0x4206, pid)]
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
print(" ".join(out))
PY
chmod 644 "$W/trace.py"
t_status "trace-job-runs" 0 as_user $PT -- python3 "$W/trace.py"
t_check "traceme-refused" 'grep -q "traceme -1/1 " "$T_DIR/out"'
t_check "attach-own-child-refused" 'grep -q "attach -1/1 seize -1/1" "$T_DIR/out"'
# The same program natively: the kernel would allow both.
as_user python3 "$W/trace.py" native >"$T_DIR/out" 2>&1
t_check "trace-native-control" 'grep -q "attach 0/0" "$T_DIR/out"'

# --- CLONE_UNTRACED would start a task nobody traces --------------------------
cat >"$W/untraced.py" <<'PY'
import ctypes, os, signal
l = ctypes.CDLL(None, use_errno=True)
l.syscall.restype = ctypes.c_long
# clone(CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0): a fork that is not traced.
r = l.syscall(56, 0x00800000 | signal.SIGCHLD, 0, 0, 0, 0)
if r == 0:
    os._exit(0)
if r > 0:
    os.waitpid(r, 0)
print("clone", r, ctypes.get_errno() if r < 0 else 0)
PY
chmod 644 "$W/untraced.py"
as_user $PT -- python3 "$W/untraced.py" >"$T_DIR/out" 2>&1
t_check "clone-untraced-refused" 'grep -qx "clone -1 1" "$T_DIR/out"'
as_user python3 "$W/untraced.py" >"$T_DIR/out" 2>&1
t_check "clone-untraced-native-control" 'grep -q "^clone [1-9]" "$T_DIR/out"'

# --- a vfork child is traced: its notified calls are judged -----------------
cat >"$W/vfork.py" <<'PY'
import os, sys
# glibc's posix_spawn is clone(CLONE_VM | CLONE_VFORK): PTRACE_EVENT_VFORK.
# personality(ADDR_NO_RANDOMIZE) is a notified call cordon refuses.
code = ("import ctypes\nl = ctypes.CDLL(None, use_errno=True)\n"
        "r = l.personality(0x0040000)\nprint('personality', r, ctypes.get_errno() if r < 0 else 0)\n")
pid = os.posix_spawn(sys.executable, [sys.executable, "-c", code], os.environ)
os.waitpid(pid, 0)
PY
chmod 644 "$W/vfork.py"
as_user $CORDON run --platform ptrace -- python3 "$W/vfork.py" >"$T_DIR/out" 2>"$T_DIR/err"
# EPERM and cordon's denial line: judged (an untraced child would get
# ENOSYS, 38, from the TRACE row: a seccomp-stop without a tracer).
t_check "vfork-child-judged" 'grep -qx "personality -1 1" "$T_DIR/out" && grep -q "denied personality" "$T_DIR/err"'

# --- job control: a stopped job process stays stopped until SIGCONT ---------
cat >"$W/jobctl.py" <<'PY'
import os, signal, time
signal.alarm(10)
pid = os.fork()
if pid == 0:
    while True:
        time.sleep(0.05)
out = []
os.kill(pid, signal.SIGSTOP)
_, st = os.waitpid(pid, os.WUNTRACED)
out.append("stopped" if os.WIFSTOPPED(st) and os.WSTOPSIG(st) == signal.SIGSTOP else "st=%x" % st)
time.sleep(0.3)
with open("/proc/%d/stat" % pid) as f:
    out.append("state=" + f.read().rsplit(")", 1)[1].split()[0])
os.kill(pid, signal.SIGCONT)
_, st = os.waitpid(pid, os.WCONTINUED)
out.append("continued" if os.WIFCONTINUED(st) else "st=%x" % st)
time.sleep(0.2)
with open("/proc/%d/stat" % pid) as f:
    out.append("state=" + f.read().rsplit(")", 1)[1].split()[0])
os.kill(pid, signal.SIGTERM)
_, st = os.waitpid(pid, 0)
out.append("term" if os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGTERM else "st=%x" % st)
print(" ".join(out))
PY
chmod 644 "$W/jobctl.py"
as_user $PT -- python3 "$W/jobctl.py" >"$T_DIR/out" 2>&1
# Stopped shows as T natively, t (a tracee's stop) under the tracer.
t_check "job-control-stop-cont" 'grep -Eqx "stopped state=[Tt] continued state=[SR] term" "$T_DIR/out"'
# A signal that is not a stop is delivered (re-injected) as natively.
t_status "signal-reinjected" 0 as_user $PT -- python3 -c 'import signal, os
got = []
signal.signal(signal.SIGUSR1, lambda *a: got.append(1))
os.kill(os.getpid(), signal.SIGUSR1)
assert got == [1]'

# --- the tracer's death kills the tree, even with the anchor frozen ---------
# With unotify, the anchor kills what its supervisor left (guard.c); here the
# anchor is stopped first, so only PTRACE_O_EXITKILL can end the daemon.
rm -f "$W/sup" "$W/daemon"
as_user_bg $PT -- sh -c 'echo $PPID >"$HOME/sup"; sleep 100 & echo $! >"$HOME/daemon"; wait' &
bgpid=$!
for _ in $(seq 50); do [ -s "$W/daemon" ] && break; sleep 0.1; done
sup=$(cat "$W/sup" 2>/dev/null)
daemon=$(cat "$W/daemon" 2>/dev/null)
anchor=$(awk '{print $4}' "/proc/$sup/stat" 2>/dev/null)
if [ -n "$sup" ] && [ -n "$daemon" ] && [ -n "$anchor" ]; then
	kill -STOP "$anchor"
	kill -KILL "$sup"
	gone=no
	for _ in $(seq 30); do
		if ! kill -0 "$daemon" 2>/dev/null ||
			[ "$(awk '{print $3}' "/proc/$daemon/stat" 2>/dev/null)" = Z ]; then
			gone=yes
			break
		fi
		sleep 0.1
	done
	t_check "tracer-death-kills-tree" '[ "$gone" = yes ]'
	kill -KILL "$daemon" 2>/dev/null
	kill -CONT "$anchor" 2>/dev/null
	kill -KILL "$anchor" 2>/dev/null
else
	t_fail "tracer-death-kills-tree" "no pids (sup=$sup daemon=$daemon anchor=$anchor)"
fi
wait "$bgpid" 2>/dev/null

# --- nested: cordon inside cordon, the inner on ptrace by auto --------------
# The outer (unotify) refuses a second listener: the inner's auto falls back
# to ptrace with syscall-entry stops, which come before any filter: the
# inner's zone is judged even for calls the outer's USER_NOTIF would take
# first (docs/platforms.md, Nested).
inner=$T_DIR/bin/cordon
[ -x "$T_DIR/bin/cordon.real" ] && inner=$T_DIR/bin/cordon.real
cat >"$W/nest.cordon" <<'EOF'
zone outer extends fork-pr {
	lift host loopback
	allow tcp 127.0.0.1:1-65535
}
EOF
chmod 644 "$W/nest.cordon"
cat >"$W/conn.py" <<'PY'
import socket, sys
for port in (int(a) for a in sys.argv[1:]):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
        print(port, "connected")
    except OSError as e:
        print(port, "errno", e.errno)
PY
chmod 644 "$W/conn.py"
as_user "$T_DIR/bin/cordon" run --platform unotify --policy "$W/nest.cordon" --zone outer -- \
	"$inner" run --policy "$W/nest.cordon" --zone outer -- \
	python3 "$W/conn.py" 19999 >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "nested-runs" '[ "$st" = 0 ]'
t_check "nested-auto-says-ptrace" 'grep -q "platform auto: .*using ptrace" "$T_DIR/err"'
# Nothing listens there: ECONNREFUSED (111), the connect was allowed.
t_check "nested-connect-allowed" 'grep -qx "19999 errno 111" "$T_DIR/out"'
# The outer's own refusals still hold inside (its USER_NOTIF beats the
# inner's TRACE): the inner job's personality() is refused.
as_user "$T_DIR/bin/cordon" run --platform unotify -- "$inner" run -- \
	python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); r = l.personality(0x0040000); print("personality", r, ctypes.get_errno() if r < 0 else 0)' \
	>"$T_DIR/out" 2>"$T_DIR/err"
t_check "nested-outer-refusal-holds" 'grep -qx "personality -1 1" "$T_DIR/out"'
# An inner zone narrower than the outer: connect is notified by both, and
# the outer's USER_NOTIF would take it before the inner's TRACE row; with the
# entry stops the inner (fork-pr: loopback always denied) refuses what the
# outer allows (the control above: 111 with the inner on the outer's zone).
as_user "$T_DIR/bin/cordon" run --platform unotify --policy "$W/nest.cordon" --zone outer -- \
	"$inner" run -- python3 "$W/conn.py" 19999 >"$T_DIR/out" 2>"$T_DIR/err"
t_check "nested-inner-narrower-enforced" 'grep -qx "19999 errno 13" "$T_DIR/out" && grep -q "denied connect 127.0.0.1:19999/tcp (zone fork-pr" "$T_DIR/err"'
# doctor says which platform auto takes, and why, inside and outside.
as_user "$T_DIR/bin/cordon" doctor >"$T_DIR/out" 2>&1
t_check "doctor-auto-unotify" 'grep -q "platform .*auto takes unotify" "$T_DIR/out"'
as_user "$T_DIR/bin/cordon" run -q --platform unotify -- "$inner" doctor >"$T_DIR/out" 2>&1
t_check "doctor-nested-auto-ptrace" 'grep -q "platform .*auto takes ptrace: user notification is refused" "$T_DIR/out"'
# Without auto the inner has no platform: the listener is refused.
t_status "nested-unotify-refused-125" 125 as_user "$T_DIR/bin/cordon" run -q --platform unotify -- \
	"$inner" run --platform unotify -- true

t_done
