#!/bin/bash
# SPDX-License-Identifier: MIT
# lateral.sh BUILD_DIR - lateral isolation (issue #6), as an unprivileged
# user: a victim started outside cordon, as the same user, holds a secret in
# its environment, its memory, an unlinked file and an unreachable working
# directory, and logs every signal it gets. From inside cordon every call of
# the issue is tried against it and against cordon's own two processes;
# kill(-1, SIGKILL) is tried too. Then the inside must still work: strace
# and gdb on the job's own child, an ASan+LSan leak report, shell job
# control, a worker pool killed by its parent, O_PATH opens, renames across
# directories. All of it runs once per mode of $CORDON_LATERAL_MODES
# (default: this kernel's Landlock, and --no-landlock); abi5, abi1 and abi0
# force the domain mode and the supervisor layer with
# CORDON_IGNORE_FEATURES.
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
cp "$1/tests/lateral-victim" "$1/tests/lateral-attack" "$T_DIR/bin/"
cp "$(dirname "$0")/opath.py" "$(dirname "$0")/rename.py" "$T_DIR/bin/"
[ -x "$1/tests/lateral-leak" ] && cp "$1/tests/lateral-leak" "$T_DIR/bin/"
chmod 755 "$T_DIR/bin/"*
VICTIM=$T_DIR/bin/lateral-victim
ATTACK=$T_DIR/bin/lateral-attack
LEAK=$T_DIR/bin/lateral-leak
W=$T_DIR/work
SECRET="lateral-secret-$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')"

# as_user_t SECS CMD... - as_user, killed after SECS seconds.
as_user_t() {
	local secs=$1
	shift
	if [ "$(id -u)" = 0 ]; then
		timeout "$secs" setpriv --reuid="$T_USER" --regid="$T_USER" \
			--init-groups env -u HOME HOME="$T_DIR/work" "$@"
	else
		timeout "$secs" "$@"
	fi
}

# A snapshot of what the job must not change about the victim: scheduling
# (nice, policy, affinity, I/O class), limits, group, state.
victim_state() {
	local pid=$1 f
	f=$(sed 's/.*) //' "/proc/$pid/stat")
	# Running or sleeping is noise; stopped (T, t) is what matters.
	echo "stopped=$(echo "$f" | awk '{print ($1 ~ /^[Tt]$/) ? "yes" : "no"}')" \
		"pgrp=$(echo "$f" | awk '{print $3}')" \
		"nice=$(echo "$f" | awk '{print $17}') policy=$(echo "$f" | awk '{print $39}')"
	grep Cpus_allowed_list "/proc/$pid/status"
	grep "Max open files" "/proc/$pid/limits"
	ionice -p "$pid" 2>&1
	for t in /proc/"$pid"/task/*; do
		sed 's/.*) //' "$t/stat" | awk '{print "thread nice=" $17 " policy=" $39}'
		ionice -p "${t##*/}" 2>&1
	done
}

# start_victim NAME - start a victim in $W/NAME; sets VPID VTID VADDR VFD.
start_victim() {
	local dir=$W/$1
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown "$T_USER" "$dir"
	(LATERAL_SECRET=$SECRET as_user_bg "$VICTIM" "$dir") >/dev/null 2>&1 &
	T_STARTED_PIDS="$T_STARTED_PIDS $!"
	wait_for_file "$dir/ready" 50
	read -r VPID VTID VADDR VFD <"$dir/ready"
	VDIR=$dir
}

stop_victim() {
	kill -9 "$VPID" 2>/dev/null
	wait "$VPID" 2>/dev/null
	chmod -R u+rwx "$VDIR/hide" 2>/dev/null
}

# no_secret NAME FILE... - the secret appears in none of the files (which
# must exist: a missing file would hide a leak).
no_secret() {
	local name=$1 f leaked=""
	shift
	for f in "$@"; do
		if [ ! -e "$f" ] || grep -qF -- "$SECRET" "$f"; then
			leaked="$leaked ${f##*/}"
		fi
	done
	t_check "$name" '[ -z "$leaked" ]'
}

mkdir -p "$W/opath-native"
[ "$(id -u)" = 0 ] && chown "$T_USER" "$W/opath-native"
as_user python3 "$T_DIR/bin/opath.py" "$W/opath-native" >"$W/opath-native.out" 2>&1
mkdir -p "$W/rename-native"
[ "$(id -u)" = 0 ] && chown "$T_USER" "$W/rename-native"
as_user python3 "$T_DIR/bin/rename.py" "$W/rename-native" >"$W/rename-native.out" 2>&1
# What Landlock ABI 1 changes: reparenting fails with EXDEV, mv copies.
sed -e 's/^\(rename-across\|link-across\|rename-dir-across\) ok$/\1 EXDEV/' \
	"$W/rename-native.out" >"$W/rename-abi1.want"

# The Landlock ABI of this kernel, as cordon sees it (0: none).
KERNEL_ABI=$(CORDON_IGNORE_FEATURES= as_user "$CORDON" doctor 2>/dev/null |
	sed -n 's/^[a-z]*  *Landlock  *ABI \([0-9]*\).*/\1/p' | head -n 1)
KERNEL_ABI=${KERNEL_ABI:-0}

# mode_setup MODE - set opts, CORDON_IGNORE_FEATURES and the layer the
# audit must name for MODE (docs/isolation.md, the three lateral modes).
mode_setup() {
	opts=""
	export CORDON_IGNORE_FEATURES=""
	abi=$KERNEL_ABI
	case $1 in
	landlock) ;;
	no-landlock) opts="--no-landlock" abi=0 ;;
	abi5) CORDON_IGNORE_FEATURES=landlock_scope ;;
	abi1) CORDON_IGNORE_FEATURES=landlock_abi=1 ;;
	abi0) CORDON_IGNORE_FEATURES=landlock abi=0 ;;
	*) echo "unknown mode $1" >&2 && exit 2 ;;
	esac
	[ "$1" = abi5 ] && [ "$abi" -gt 5 ] && abi=5
	[ "$1" = abi1 ] && [ "$abi" -gt 1 ] && abi=1
	if [ "$abi" -ge 6 ]; then
		layer=kernel
	elif [ "$abi" -ge 1 ]; then
		layer=domain
	else
		layer=supervisor
	fi
}

# CORDON_LATERAL_MODES: which modes to run (ctest runs the forced ones apart;
# tests/kernel/run-6.1.sh narrows them under TCG). The layer each must name
# follows from the kernel's ABI (mode_setup), so it needs no telling.
for mode in ${CORDON_LATERAL_MODES:-landlock no-landlock}; do
	mode_setup "$mode"
	if [ "$mode" != landlock ] && [ "$mode" != no-landlock ] && [ "$abi" = "$KERNEL_ABI" ]; then
		echo "skip $mode: the kernel has Landlock ABI $KERNEL_ABI already"
		continue
	fi

	# --- every call against the victim -----------------------------------
	start_victim "victim-$mode"
	t_check "$mode: victim started" '[ -n "$VPID" ] && pid_alive "$VPID" lateral-victim'
	before=$(victim_state "$VPID")
	as_user_t 60 "$CORDON" run $opts --audit "$W/audit-victim-$mode.jsonl" -- \
		"$ATTACK" victim "$VPID" "$VTID" "$VADDR" "$VFD" \
		>"$W/out-victim-$mode" 2>"$W/err-victim-$mode"
	st=$?
	sleep 0.3 # let the victim drain its signalfd
	after=$(victim_state "$VPID")
	t_check "$mode: victim attack set completed (cordon kept supervising)" \
		'[ "$st" = 0 ] && grep -q "^attacks done" "$W/out-victim-$mode"'
	n=$(grep -c "^attack " "$W/out-victim-$mode")
	t_check "$mode: victim attack set ran ($n attempts)" '[ "$n" -ge 55 ]'
	t_check "$mode: no attack on the victim succeeded" \
		'! grep "SUCCEEDED" "$W/out-victim-$mode"'
	no_secret "$mode: the secret never left the victim" \
		"$W/out-victim-$mode" "$W/err-victim-$mode" "$W/audit-victim-$mode.jsonl"
	t_check "$mode: victim alive" 'pid_alive "$VPID" lateral-victim'
	t_check "$mode: victim received no signal" '[ ! -s "$VDIR/signals" ]'
	t_check "$mode: victim memory untouched" '[ ! -e "$VDIR/memory" ]'
	t_check "$mode: victim scheduling, limits and group unchanged" \
		'[ "$before" = "$after" ]'
	[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after")
	stop_victim

	# --- every call against cordon's own processes -----------------------
	as_user_t 60 "$CORDON" run $opts --audit "$W/audit-cordon-$mode.jsonl" -- \
		"$ATTACK" cordon >"$W/out-cordon-$mode" 2>"$W/err-cordon-$mode"
	st=$?
	t_check "$mode: cordon attack set completed, cordon never stopped" \
		'[ "$st" = 0 ] && grep -q "^attacks done" "$W/out-cordon-$mode"'
	n=$(grep -c "^attack " "$W/out-cordon-$mode")
	t_check "$mode: cordon attack set ran ($n attempts)" '[ "$n" -ge 90 ]'
	t_check "$mode: no attack on cordon succeeded" \
		'! grep "SUCCEEDED" "$W/out-cordon-$mode"'
	python3 - "$W/audit-cordon-$mode.jsonl" "$layer" "$abi" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
h, s = recs[0], recs[-1]
assert h["type"] == "header" and s["type"] == "summary", (h, s)
assert h["features"]["lateral_layer"] == sys.argv[2], h
assert h["features"]["landlock_abi"] == int(sys.argv[3]), h
assert s["exit_status"] == 0, s
PY
	st=$?
	t_check "$mode: audit log complete, exit 0, layer $layer named" '[ "$st" = 0 ]'

	# --- kill(-1, SIGKILL) from inside kills only the job ----------------
	start_victim "killall-$mode"
	rm -f "$W/sleeper-$mode"
	as_user_t 30 "$CORDON" run -q $opts -- sh -c \
		"sleep 60 & echo \$! >'$W/sleeper-$mode'; '$ATTACK' killall; echo after" \
		>"$W/out-killall-$mode" 2>&1
	st=$?
	sleeper=$(cat "$W/sleeper-$mode" 2>/dev/null)
	t_check "$mode: kill(-1, SIGKILL) ends the job with its status (137)" '[ "$st" = 137 ]'
	t_check "$mode: kill(-1, SIGKILL) killed the job's own processes" \
		'[ -n "$sleeper" ] && ! pid_alive "$sleeper" "sleep 60" && ! grep -q "^after" "$W/out-killall-$mode"'
	t_check "$mode: kill(-1, SIGKILL) left the victim alive and unsignalled" \
		'pid_alive "$VPID" lateral-victim && [ ! -s "$VDIR/signals" ]'
	stop_victim

	# --- the inside still works ------------------------------------------
	t_status "$mode: strace -f on the job's own child" 0 as_user "$CORDON" run -q $opts -- \
		strace -f -o "$W/strace-$mode" sh -c 'cat /etc/hostname >/dev/null'
	t_check "$mode: strace decoded the child's calls" \
		'grep -q "openat(AT_FDCWD, \"/etc/hostname\"" "$W/strace-$mode"'
	as_user "$CORDON" run -q $opts -- gdb -q -batch -nx -ex run -ex bt \
		--args "$PROBE" exit 3 >"$W/gdb-$mode" 2>&1
	t_check "$mode: gdb runs the job's own child" \
		'grep -q "exited with code 03" "$W/gdb-$mode"'
	if [ -x "$LEAK" ]; then
		as_user "$CORDON" run -q $opts --env ASAN_OPTIONS=detect_leaks=1 -- "$LEAK" >"$W/leak-$mode" 2>&1
		st=$?
		t_check "$mode: LeakSanitizer reports the leak inside cordon" \
			'[ "$st" != 0 ] && grep -q "detected memory leaks" "$W/leak-$mode" && grep -q "Direct leak of 4242 byte" "$W/leak-$mode"'
	else
		t_fail "$mode: LeakSanitizer" "lateral-leak was not built"
	fi
	start=$(date +%s%N)
	out=$(as_user "$CORDON" run -q $opts -- bash -c "set -m; sleep $((10 * T_SCALE)) & kill %1; wait %1; echo status=\$?" 2>/dev/null)
	ms=$((($(date +%s%N) - start) / 1000000))
	t_check "$mode: job control kills its own background job ($ms ms)" \
		'[ "$out" = "status=143" ] && [ "$ms" -lt $((5000 * T_SCALE)) ]'
	out=$(as_user "$CORDON" run -q $opts -- python3 -c '
import multiprocessing as m, os, signal, time
p = m.Pool(2)
pids = [w.pid for w in p._pool]
p.map(abs, [1, 2])
p.terminate(); p.join()
w = os.fork()
if w == 0:
    time.sleep(30); os._exit(0)
os.kill(w, signal.SIGKILL)
print("workers", "gone" if os.waitpid(w, 0)[1] == signal.SIGKILL else "alive", len(pids))
' 2>&1)
	t_check "$mode: a test runner kills its workers" '[ "$out" = "workers gone 2" ]'
	mkdir -p "$W/opath-$mode"
	[ "$(id -u)" = 0 ] && chown "$T_USER" "$W/opath-$mode"
	as_user "$CORDON" run -q $opts -- python3 "$T_DIR/bin/opath.py" "$W/opath-$mode" \
		>"$W/opath-$mode.out" 2>&1
	t_check "$mode: O_PATH opens, fchmodat(AT_SYMLINK_NOFOLLOW), cp into a directory as natively" \
		'diff "$W/opath-native.out" "$W/opath-$mode.out"'
	mkdir -p "$W/rename-$mode"
	[ "$(id -u)" = 0 ] && chown "$T_USER" "$W/rename-$mode"
	as_user "$CORDON" run -q $opts -- python3 "$T_DIR/bin/rename.py" "$W/rename-$mode" \
		>"$W/rename-$mode.out" 2>&1
	want=$W/rename-native.out
	[ "$layer" = domain ] && [ "$abi" = 1 ] && want=$W/rename-abi1.want
	t_check "$mode: rename, link and mv across directories (${want##*/})" \
		'diff "$want" "$W/rename-$mode.out"'
done

t_done
