#!/bin/bash
# SPDX-License-Identifier: MIT
# guest-job.sh - stage 2 of the qemu guest (run-6.1.sh), PID 1 after
# switch_root, the host's own bash on the host's root (read-only 9p under a
# tmpfs overlay): record the kernel's facts, run the plan's test scripts one
# by one against the build tree, each under its own timeout, and write for
# the host: logs/NAME.log per test, results (one line per test: ok|FAIL
# NAME SECONDS [why]) and, last, status (the number of failures). Then power
# off. A stage that dies leaves no status file, which the host reads as a
# failure (as it does a guest that never powers off).
J=/run/cordon-job
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C.UTF-8
cd /

# shellcheck source=/dev/null
. "$J/env"
mkdir -p "$J/logs"

job_log() { echo "cordon-guest: $*"; }

job_poweroff() {
	sync
	/bin/busybox poweroff -f
	sleep 10
}

job_facts() {
	local u=${CORDON_TEST_USER:-cordontest}
	{
		echo "uname: $(uname -srvm)"
		echo "lsm: $(cat /sys/kernel/security/lsm 2>/dev/null || echo unknown)"
		echo "yama.ptrace_scope: $(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo absent)"
		echo "unprivileged_userns_clone: $(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo absent)"
		echo "io_uring_disabled: $(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo absent)"
		echo "nproc: $(nproc)"
		echo "--- cordon doctor (as $u)"
		setpriv --reuid="$u" --regid="$u" --init-groups \
			env HOME=/tmp "$BUILD/tools/cordon" doctor 2>&1
		echo "doctor exit: $?"
	} >"$J/facts" 2>&1
	sed 's/^/cordon-guest: fact: /' "$J/facts"
}

# job_run NAME TIMEOUT WHAT [VAR=VALUE|ARG...] - one test: WHAT is a script of
# the source tree (run as `bash SRC/WHAT BUILD`, as ctest does) or, with a
# leading @, a test program of the build tree; its output goes to
# logs/NAME.log, its verdict to results.
job_run() {
	local name=$1 tmo=$2 script=$3 t0 t1 rc secs why=""
	shift 3
	job_log "run  $name ($script${*:+ $*})"
	t0=$(date +%s.%N)
	# CORDON_KERNEL_TRACE=1: the script's commands with their times in
	# logs/NAME.trace, for profiling (root's bash ignores PS4 from the
	# environment, hence BASH_ENV; a descriptor of its own keeps the trace
	# out of the outputs the script compares).
	local trace=()
	if [ "${CORDON_KERNEL_TRACE:-}" = 1 ]; then
		printf '%s\n' "exec 19>>'$J/logs/$name.trace'" 'BASH_XTRACEFD=19' \
			"PS4='+ \$EPOCHREALTIME '" 'set -x' >"$J/trace.rc"
		trace=(BASH_ENV="$J/trace.rc")
	fi
	local cmd=(bash "$SRC/$script" "$BUILD") vars=() w
	[ "${script#@}" != "$script" ] && cmd=("$BUILD/${script#@}")
	# VAR=VALUE words are the environment; other words, a program's
	# arguments (test_platform NAME...: the tests to run).
	for w in "$@"; do
		case $w in
		*=*) vars+=("$w") ;;
		*) cmd+=("$w") ;;
		esac
	done
	timeout -k 5 "$tmo" env "${trace[@]}" "${vars[@]}" "${cmd[@]}" \
		>"$J/logs/$name.log" 2>&1 </dev/null
	rc=$?
	t1=$(date +%s.%N)
	secs=$(echo "$t1 - $t0" | bc)
	secs=$(printf '%.1f' "$secs")
	case $rc in
	0) echo "ok $name $secs" >>"$J/results" ;;
	124 | 137) why="timed out after ${tmo}s" ;;
	77) why="skipped itself inside the guest ($(grep -m1 -i skip "$J/logs/$name.log"))" ;;
	*) why="exit $rc" ;;
	esac
	[ -n "$why" ] && echo "FAIL $name $secs $why" >>"$J/results"
	job_log "$(tail -n1 "$J/results")"
	grep -E '^(FAIL|skip) ' "$J/logs/$name.log" | head -n 40 |
		sed "s/^/cordon-guest:   $name: /"
}

# job_kmod - load modules on demand as a real Debian 12 does: the kernel
# runs /proc/sys/kernel/modprobe for a missing socket family or sock_diag
# handler (request_module()); the host has no kmod, so busybox's modprobe
# on the package's own tree (fetch-kernel.sh made its modules.dep).
job_kmod() {
	local rel
	rel=$(uname -r)
	mkdir -p /lib/modules
	[ -e "/lib/modules/$rel" ] || ln -s "$KTREE/lib/modules/$rel" "/lib/modules/$rel"
	mkdir -p /run/cordon-kmod
	ln -sf /bin/busybox /run/cordon-kmod/modprobe
	echo /run/cordon-kmod/modprobe >/proc/sys/kernel/modprobe
}

: >"$J/results"
job_kmod || job_log "module autoloading not set up"
ip link set lo up || job_log "lo up failed"
hostname cordon-6-1 2>/dev/null
job_facts
while IFS='	' read -r name tmo script vars; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # VAR=VALUE words, none with spaces
	job_run "$name" "$tmo" "$script" $vars
done <"$J/plan"
fails=$(grep -c '^FAIL ' "$J/results")
echo "$fails" >"$J/status"
job_log "done: $(grep -c '^ok ' "$J/results") passed, $fails failed"
job_poweroff
