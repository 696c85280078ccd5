#!/bin/bash
# SPDX-License-Identifier: MIT
# faults.sh BUILD_DIR - fault injection (common/fault.h): every supervisor
# step (reading job memory, taking the fd, ID_VALID, ADDFD, answering,
# performing the call, the audit write) fails in turn under every mediated
# call, and the outcome is a denial or a kill of the tree: never the call
# going through, never a wedged supervisor.
#
# Denied cases: the call is refused by the zone; no fault may let its effect
# happen (a canary listener outside cordon on 127.0.0.1 sees nothing, a
# victim process outside the job gets no signal, no tracer, no new limit,
# its memory and environment stay unread; no socket gets bound or
# listening). Each must end in
#   deny   the call failed and the audit log holds its denial, counted in
#          the summary (denied_calls);
#   fail   the call failed, no denial recorded (printed, not fatal: such
#          failures are answered as the kernel would answer a bad argument);
#   kill   the job was killed by cordon (no result; exit 124/125/137/...).
# Allowed cases: the zone allows the call; when the armed step met it (the
# supervisor's "failed N" count), it must fail or be killed and its effect
# must not happen; when the step never met it, it must work as unfaulted.
# Every run ends within a timeout; its firing is a failure (WEDGED).
#
# Prints the table (step x syscall -> outcome). Loopback only: the canary
# and the victim are started here, outside cordon.
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
W=$T_DIR/work
cp "$1/tests/cordon-fault-probe" "$T_DIR/bin/" && chmod 755 "$T_DIR/bin/cordon-fault-probe"
FP=$T_DIR/bin/cordon-fault-probe
STEPS="mem take_fd valid put_fd answer perform audit"
RUN_TIMEOUT=${FAULTS_RUN_TIMEOUT:-25}
if [ "$(id -u)" = 0 ]; then
	U=(setpriv --reuid="$T_USER" --regid="$T_USER" --init-groups env -u HOME HOME="$W")
else
	U=()
fi

# --- the switch itself ------------------------------------------------------
t_status "fault-needs-i-know-125" 125 as_user env CORDON_FAULT=mem "$CORDON" run -- /bin/true
t_check "fault-needs-i-know-message" 'grep -q "CORDON_FAULT_I_KNOW=1" "$T_DIR/err"'
t_status "fault-unknown-step-125" 125 as_user env CORDON_FAULT=frob CORDON_FAULT_I_KNOW=1 "$CORDON" run -- /bin/true
t_status "fault-bad-count-125" 125 as_user env CORDON_FAULT=mem:0 CORDON_FAULT_I_KNOW=1 "$CORDON" run -- /bin/true
t_status "fault-armed-warns" 0 as_user env CORDON_FAULT=perform CORDON_FAULT_I_KNOW=1 "$CORDON" run -- /bin/true
t_check "fault-armed-warning" 'grep -q "fault injection armed" "$T_DIR/err"'

# --- the canary and the victim, outside cordon ------------------------------
"$FP" canary "$W/ports" "$W/canary.log" &
T_STARTED_PIDS="$T_STARTED_PIDS $!"
disown $!
(as_user_bg env FAULT_SECRET=1 "$FP" victim "$W/victim.log") &
VPID=$!
T_STARTED_PIDS="$T_STARTED_PIDS $VPID"
disown $VPID
wait_for_file "$W/ports" && wait_for_file "$W/victim.log" ||
	{ t_fail "fault-setup" "canary or victim did not start"; t_done; exit 1; }
touch "$W/canary.log"
read -r TCP_PORT UDP_PORT HAVE_DNS <"$W/ports"
VADDR=$(sed -n 's/^pid [0-9]* secret \(0x[0-9a-f]*\)$/\1/p' "$W/victim.log")
printf 'zone faults-allow extends fork-pr {\n\tlift loopback host\n\tlisten loopback\n\tallow tcp 127.0.0.1:%s\n\tallow udp 127.0.0.1:%s\n}\n' \
	"$TCP_PORT" "$UDP_PORT" >"$W/allow.cordon"
chmod 644 "$W/allow.cordon"
mkfifo -m 666 "$W/fifo"

# lines LOG - how many lines LOG has now.
lines() { wc -l <"$1" 2>/dev/null || echo 0; }

declare -A CELL
N_RUN=0

# run STEP CORDON-OPTIONS... -- PROBE-ARGS... : one job; fills OUT ERR CODE.
run() {
	local step=$1
	shift
	local env=()
	[ "$step" != none ] && env=(CORDON_FAULT="$step" CORDON_FAULT_I_KNOW=1)
	timeout -v -s KILL "$RUN_TIMEOUT" "${U[@]}" env "${env[@]}" "$CORDON" run "$@" \
		>"$T_DIR/out" 2>"$T_DIR/err"
	CODE=$?
	OUT=$(cat "$T_DIR/out")
	ERR=$(cat "$T_DIR/err")
}

wedged() { grep -q "timeout: sending signal" <<<"$ERR"; }
result() { sed -n 's/^RESULT rc=\(-\{0,1\}[0-9]*\) errno=\([A-Z0-9]*\) effect=\([a-z]*\)$/\1 \2 \3/p' <<<"$OUT" | tail -1; }
fault_failed() { sed -n 's/.*fault injection: step .* failed \([0-9]*\)$/\1/p' <<<"$ERR" | tail -1; }

# denied NAME SYSCALL EFFECT-CMD CORDON-OPTIONS... -- PROBE-ARGS...
# EFFECT-CMD is eval'd after the run: true when the call's effect happened.
denied() {
	local name=$1 sys=$2 effect=$3 step rc e eff cell
	shift 3
	for step in none $STEPS; do
		local c0 v0
		c0=$(lines "$W/canary.log")
		v0=$(lines "$W/victim.log")
		N_RUN=$((N_RUN + 1))
		AUDIT=$W/audit-$N_RUN.jsonl
		run "$step" --audit "$AUDIT" "$@"
		sleep 0.1 # the canary's and the victim's logs
		C_NEW=$(tail -n +$((c0 + 1)) "$W/canary.log")
		V_NEW=$(tail -n +$((v0 + 1)) "$W/victim.log")
		read -r rc e eff <<<"$(result)"
		if wedged; then
			cell=WEDGED
		elif [ "$eff" = yes ] || eval "$effect"; then
			cell=THROUGH
		elif [ -z "$rc" ]; then
			cell="kill($CODE)"
		elif [ "$rc" -ge 0 ]; then
			cell=ANSWERED-OK
		elif grep -Eq "\"syscall\":\"($sys)\".*\"decision\":\"deny\"" "$AUDIT" 2>/dev/null &&
			grep -q '"denied_calls":[1-9]' "$AUDIT"; then
			cell="deny($e)"
		elif [ "$step" = audit ] && grep -q "^cordon: denied" <<<"$ERR"; then
			# Every record write fails: the stderr line is what is left.
			cell="deny-stderr($e)"
		else
			cell="fail($e)"
		fi
		CELL[$name,$step]=$cell
		case $cell in
		WEDGED | THROUGH | ANSWERED-OK)
			t_fail "fault-$name-$step" "$cell: exit $CODE; $(head -c 400 <<<"$OUT$ERR")" ;;
		*)
			if [ "$step" = none ] && [ "${cell%%(*}" != deny ]; then
				t_fail "fault-$name-none" "unfaulted run must be a recorded denial, got $cell"
			else
				t_ok "fault-$name-$step"
			fi ;;
		esac
	done
}

# allowed NAME EFFECT-CMD CORDON-OPTIONS... -- PROBE-ARGS...
# With NEVER=1 the effect is a failure whatever the step (a DNS query that
# reaches the server it was sent to instead of cordon's proxy).
allowed() {
	local name=$1 effect=$2 step rc e eff cell hit
	shift 2
	for step in none $STEPS; do
		local c0 v0
		c0=$(lines "$W/canary.log")
		v0=$(lines "$W/victim.log")
		[ -n "${PRE_RUN:-}" ] && eval "$PRE_RUN"
		N_RUN=$((N_RUN + 1))
		run "$step" "$@"
		sleep 0.1
		C_NEW=$(tail -n +$((c0 + 1)) "$W/canary.log")
		V_NEW=$(tail -n +$((v0 + 1)) "$W/victim.log")
		[ -n "${POST_RUN:-}" ] && eval "$POST_RUN"
		read -r rc e eff <<<"$(result)"
		hit=$(fault_failed)
		hit=${hit:-0}
		local happened=no
		{ [ "$eff" = yes ] || eval "$effect"; } && happened=yes
		local before_decision=no
		case $step in mem | take_fd | valid) before_decision=yes ;; esac
		if wedged; then
			cell=WEDGED
		elif [ "${NEVER:-0}" = 1 ] && [ "$happened" = yes ]; then
			cell=THROUGH
		elif [ "$hit" = 0 ]; then
			# The step never met the call: it must work as unfaulted.
			if [ -n "$rc" ] && [ "$rc" -ge 0 ] &&
				{ [ "${NEVER:-0}" = 1 ] || [ "$happened" = yes ]; }; then
				cell="ok(unmet)"
			else
				cell="BROKEN(rc=$rc $e)"
			fi
		elif [ "$before_decision" = yes ] && [ "$happened" = yes ]; then
			# Failing before the decision must keep the call from
			# being performed; after it (ADDFD, SEND, the record,
			# the perform itself) the effect may be done already.
			cell=THROUGH
		elif [ -z "$rc" ]; then
			cell="kill($CODE)"
		elif [ "$rc" -ge 0 ] && [ "${NEVER:-0}" != 1 ] && [ "$happened" = no ]; then
			cell=ANSWERED-OK
		elif [ "$rc" -ge 0 ]; then
			cell="ok(after)"
		else
			cell="fail($e)"
		fi
		[ "$step" = none ] && [ "$cell" = "ok(unmet)" ] && cell=ok
		CELL[$name,$step]=$cell
		case $cell in
		WEDGED | THROUGH | ANSWERED-OK | BROKEN*)
			t_fail "fault-$name-$step" "$cell: exit $CODE; $(head -c 400 <<<"$OUT$ERR")" ;;
		*) t_ok "fault-$name-$step" ;;
		esac
	done
}

ROWS=()
# row NAME - add NAME to the table; false (skip it) when FAULTS_ONLY, a
# regular expression, is set and does not match it.
row() {
	[ -n "${FAULTS_ONLY:-}" ] && ! [[ $1 =~ $FAULTS_ONLY ]] && return 1
	ROWS+=("$1")
}

# --- denied: the zone refuses; no fault may let it through ------------------
canary_tcp='grep -q tcp-conn <<<"$C_NEW"'
canary_udp='grep -q udp-dgram <<<"$C_NEW"'
row connect && denied connect connect "$canary_tcp" -- "$FP" try connect 127.0.0.1 "$TCP_PORT"
row sendto && denied sendto sendto "$canary_udp" -- "$FP" try sendto 127.0.0.1 "$UDP_PORT"
row sendmsg && denied sendmsg sendmsg "$canary_udp" -- "$FP" try sendmsg 127.0.0.1 "$UDP_PORT"
row sendmmsg && denied sendmmsg sendmmsg "$canary_udp" -- "$FP" try sendmmsg 127.0.0.1 "$UDP_PORT"
# A host address: fork-pr's listen mode refuses it. (A wildcard bind is
# narrowed to loopback peers and allowed: docs/network.md#listening.)
HOST4=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' |
	cut -d/ -f1 | head -n 1)
if [ -n "$HOST4" ]; then
	row bind && denied bind bind false -- "$FP" try bind "$HOST4" "$UDP_PORT"
else
	t_skip "fault-bind-*" "no global IPv4 address to bind"
fi
row listen-wildcard && allowed listen-wildcard false -- "$FP" try listen -
row openat-environ && denied openat-environ openat false --no-landlock -- "$FP" try open "/proc/$VPID/environ"
row kill && denied kill kill 'grep -q signal <<<"$V_NEW"' --no-landlock -- "$FP" try kill "$VPID"
row tgkill && denied tgkill tgkill 'grep -q signal <<<"$V_NEW"' --no-landlock -- "$FP" try tgkill "$VPID"
row pidfd_send_signal && denied pidfd_send_signal pidfd_send_signal 'grep -q signal <<<"$V_NEW"' --no-landlock -- "$FP" try pidfd "$VPID"
row prlimit64 && denied prlimit64 prlimit64 'grep -q rlimit <<<"$V_NEW"' -- "$FP" try prlimit "$VPID"
row ptrace && denied ptrace ptrace 'grep -q traced <<<"$V_NEW"' --no-landlock -- "$FP" try ptrace "$VPID"
row process_vm_readv && denied process_vm_readv process_vm_readv false --no-landlock -- "$FP" try vmread "$VPID" "$VADDR"
# (task creation is not mediated: the pids limit is the tree count and the
# kernel's RLIMIT_NPROC, sentry/sys_task.c - no supervisor step to fault)

# --- allowed: when the step meets the call, it must not happen --------------
row allow-connect && allowed allow-connect "$canary_tcp" --policy "$W/allow.cordon" --zone faults-allow -- "$FP" try connect 127.0.0.1 "$TCP_PORT"
row allow-sendto && allowed allow-sendto "$canary_udp" --policy "$W/allow.cordon" --zone faults-allow -- "$FP" try sendto 127.0.0.1 "$UDP_PORT"
row allow-sendmsg && allowed allow-sendmsg "$canary_udp" --policy "$W/allow.cordon" --zone faults-allow -- "$FP" try sendmsg 127.0.0.1 "$UDP_PORT"
row allow-bind && allowed allow-bind false --policy "$W/allow.cordon" --zone faults-allow -- "$FP" try bind 127.0.0.1 0
row allow-listen && allowed allow-listen false --policy "$W/allow.cordon" --zone faults-allow -- "$FP" try listen 127.0.0.1
PRE_RUN='rm -f "$W/created"'
row allow-openat-create && allowed allow-openat-create false --no-landlock -- "$FP" try create "$W/created"
PRE_RUN='(timeout 20 cat "$W/fifo" >"$W/fifo.out" 2>/dev/null) & FIFO_PID=$!'
POST_RUN='kill $FIFO_PID 2>/dev/null; wait $FIFO_PID 2>/dev/null'
row allow-openat-fifo && allowed allow-openat-fifo 'grep -q fifo-written "$W/fifo.out"' --no-landlock -- "$FP" try fifo "$W/fifo"
PRE_RUN= POST_RUN=
if [ "$HAVE_DNS" = 1 ]; then
	# A redirected DNS socket: the job must see the server it asked.
	NEVER=1
	row dns-recvfrom && allowed dns-recvfrom 'grep -q dns-dgram <<<"$C_NEW"' -- "$FP" try recvfrom
	row dns-recvmsg && allowed dns-recvmsg 'grep -q dns-dgram <<<"$C_NEW"' -- "$FP" try recvmsg
	NEVER=0
else
	t_skip "fault-dns-*" "cannot bind 127.0.0.9:53 (not root)"
fi

# --- a unix listener whose shield fails: the bind is refused ----------------
# The static probe's only performed calls are the bind (perform 1) and the
# shield that keeps outsiders off the name (perform 2: sentinel and pin,
# netstack/unix_listen.c). Unfaulted the socket binds and listens; with the
# shield failing the bind is a recorded denial naming the cause, and the
# socket (bound in the kernel, unshielded) may not listen.
if row unix-shield; then
	rm -f "$W/u.sock"
	run none --audit "$W/shield-none.jsonl" -- "$FP" try unixlisten "$W/u.sock"
	CELL[unix-shield,none]=$(result | tr ' ' ,)
	t_check "fault-unix-shield-none-listens" '[ "$(result)" = "0 0 yes" ] && grep -qx "LISTEN rc=0 errno=0" <<<"$OUT"'
	rm -f "$W/u.sock"
	run perform:2 --audit "$W/shield-fail.jsonl" -- "$FP" try unixlisten "$W/u.sock"
	CELL[unix-shield,perform]=$(result | tr ' ' ,)
	t_check "fault-unix-shield-met" '[ "$(fault_failed)" = 1 ]'
	t_check "fault-unix-shield-bind-refused" '[ "$(result)" = "-1 EACCES no" ]'
	t_check "fault-unix-shield-never-listens" 'grep -qx "LISTEN rc=-1 errno=EACCES" <<<"$OUT"'
	t_check "fault-unix-shield-denial-recorded" 'grep "\"syscall\":\"bind\"" "$W/shield-fail.jsonl" | grep "\"decision\":\"deny\"" | grep -q "shield=EIO"'
	t_check "fault-unix-shield-denial-counted" 'grep -q "\"denied_calls\":[1-9]" "$W/shield-fail.jsonl"'
	rm -f "$W/u.sock"
fi

# --- exec with an audit sink: allowed by design, recorded -------------------
row execve && for step in none $STEPS; do
	N_RUN=$((N_RUN + 1))
	run "$step" --audit "$W/exec.jsonl" -- "$FP" try exec "$FP"
	if wedged; then
		cell=WEDGED
	elif grep -q "effect=yes" <<<"$OUT"; then
		if grep -q '"type":"exec"' "$W/exec.jsonl" 2>/dev/null; then
			cell="exec+record"
		elif [ "$step" = audit ]; then
			cell="exec,record-lost"
		elif grep -q '"exec_records_lost":[1-9]' "$W/exec.jsonl"; then
			cell="exec,lost-counted"
		else
			cell=UNRECORDED
		fi
	else
		cell="kill($CODE)"
	fi
	CELL[execve,$step]=$cell
	case $cell in
	WEDGED | UNRECORDED) t_fail "fault-execve-$step" "$cell" ;;
	*) t_ok "fault-execve-$step" ;;
	esac
	rm -f "$W/exec.jsonl"
done

# --- the table ---------------------------------------------------------------
printf '\n%-22s' "syscall \\ step"
for step in none $STEPS; do printf ' %-15s' "$step"; done
printf '\n'
for r in "${ROWS[@]}"; do
	printf '%-22s' "$r"
	for step in none $STEPS; do printf ' %-15s' "${CELL[$r,$step]:-?}"; done
	printf '\n'
done
echo
echo "runs: $N_RUN"
t_done
