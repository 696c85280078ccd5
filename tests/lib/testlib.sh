# SPDX-License-Identifier: MIT
# testlib.sh - shared helpers for cordon's shell integration tests.
#
# Source it, then call t_init BUILD_DIR. Binaries are staged into a fresh
# 0755 temp dir (a CI checkout may sit under a directory the test user
# cannot traverse). When the suite runs as root, cordon runs as the
# unprivileged user CORDON_TEST_USER (default cordontest, created if
# missing): running without root is the point, and no test may pass only
# because it ran as root. Each check prints "ok NAME" or "FAIL NAME"; t_done
# prints "N passed, M failed" and sets the exit status.
#
# CORDON_TEST_LAYER=supervisor runs every `cordon run` of the suite with
# --no-landlock (the supervisor's isolation layer, docs/isolation.md): the
# staged cordon is then a wrapper that adds the option, so the same
# assertions hold on both layers.
#
# CORDON_TEST_PLATFORM=ptrace runs every `cordon run` of the suite with
# --platform ptrace (docs/platforms.md), the same way: the parity suite.
#
# Every `cordon run` of a suite gets --workspace "$T_DIR" (the suite's own
# files, its staged binaries and scripts: what its jobs read, write and
# run) and --allow-unconfined-fs, through a wrapper in $T_DIR/bin that
# execs $T_DIR/bin/real/cordon (still named cordon: its comm). The zones'
# filesystem rules (docs/filesystem.md) would otherwise leave the jobs only
# the current directory; tests/integration/fs_canary.sh tests the rules
# themselves with $CORDON_REAL. Started as root, --workspace means more
# (the tree is given to the job's user), so it is left to the suite there,
# unless the job stays root (--allow-root-job: nothing is given).
#
# CORDON_TEST_PROFILE=podman|docker runs every cordon command of the suite
# under a container runtime's default seccomp profile
# (tests/container/container_profile.py: Podman's seccomp.json as shipped,
# or with pidfd_getfd and process_vm_readv/writev refused as Docker's and
# containerd's profiles refuse them without CAP_SYS_PTRACE). The suite is
# skipped (77) when the profile or libseccomp's Python bindings are missing.

T_PASS=0
T_FAIL=0
T_USER=${CORDON_TEST_USER:-cordontest}
# CORDON_TEST_TIME_SCALE multiplies the timing windows of the checks that
# have one (and the sleeps they race), for emulated kernels where every
# process start costs 50 ms (tests/kernel/run-6.1.sh).
T_SCALE=${CORDON_TEST_TIME_SCALE:-1}

t_init() {
	local build=$1
	T_DIR=$(mktemp -d /tmp/cordon-it.XXXXXX)
	chmod 755 "$T_DIR"
	mkdir -p "$T_DIR/bin" "$T_DIR/work"
	cp "$build/tools/cordon" "$build/tests/cordon-probe" "$T_DIR/bin/"
	chmod 755 "$T_DIR/bin/"*
	CORDON=$T_DIR/bin/cordon
	PROBE=$T_DIR/bin/cordon-probe
	mkdir -m 755 "$T_DIR/bin/real"
	mv "$CORDON" "$T_DIR/bin/real/cordon"
	CORDON_REAL=$T_DIR/bin/real/cordon
	cat >"$CORDON" <<-EOF
		#!/bin/sh
		if [ "\$1" = run ]; then
			shift
			# As root only a job that stays root (no chown walk).
			if [ "\$(id -u)" = 0 ]; then
				case " \$* " in
				*" --allow-root-job "*) exec "$CORDON_REAL" run --workspace "$T_DIR" --allow-unconfined-fs "\$@" ;;
				esac
				exec "$CORDON_REAL" run --allow-unconfined-fs "\$@"
			fi
			exec "$CORDON_REAL" run --workspace "$T_DIR" --allow-unconfined-fs "\$@"
		fi
		exec "$CORDON_REAL" "\$@"
	EOF
	chmod 755 "$CORDON"
	local run_opts=""
	[ "${CORDON_TEST_LAYER:-}" = supervisor ] && run_opts="--no-landlock"
	[ -n "${CORDON_TEST_PLATFORM:-}" ] &&
		run_opts="$run_opts --platform $CORDON_TEST_PLATFORM"
	if [ -n "$run_opts" ]; then
		mv "$CORDON" "$T_DIR/bin/cordon.real"
		cat >"$CORDON" <<-EOF
			#!/bin/sh
			[ "\$1" = run ] && { shift; exec "$T_DIR/bin/cordon.real" run $run_opts "\$@"; }
			exec "$T_DIR/bin/cordon.real" "\$@"
		EOF
		chmod 755 "$CORDON"
	fi
	if [ -n "${CORDON_TEST_PROFILE:-}" ]; then
		local prof
		prof=$(cd "$(dirname "${BASH_SOURCE[0]}")/../container" && pwd)/container_profile.py
		cp "$prof" "$T_DIR/bin/container_profile.py"
		chmod 755 "$T_DIR/bin/container_profile.py"
		if ! /usr/bin/python3 "$T_DIR/bin/container_profile.py" --check \
			--mode "$CORDON_TEST_PROFILE" >/dev/null; then
			echo "SKIP: no container profile ($CORDON_TEST_PROFILE)"
			rm -rf "$T_DIR"
			exit 77
		fi
		# Still named cordon (its comm): the lateral attacker and the
		# suites find the supervisor by that name.
		mkdir -m 755 "$T_DIR/bin/inner"
		mv "$CORDON" "$T_DIR/bin/inner/cordon"
		cat >"$CORDON" <<-EOF
			#!/bin/sh
			# What this caller ignores, the command ignores (Python's own
			# SIG_IGN of SIGPIPE and SIGXFSZ must not leak into it).
			ign=0
			while read -r k v; do [ "\$k" = SigIgn: ] && ign=\$v; done </proc/\$\$/status
			exec /usr/bin/python3 "$T_DIR/bin/container_profile.py" --mode "$CORDON_TEST_PROFILE" --sig-ignored "\$ign" -- "$T_DIR/bin/inner/cordon" "\$@"
		EOF
		chmod 755 "$CORDON"
	fi
	if [ "$(id -u)" = 0 ]; then
		id "$T_USER" >/dev/null 2>&1 ||
			useradd -M -s /bin/sh "$T_USER" >/dev/null 2>&1
		chown "$T_USER" "$T_DIR/work"
	fi
	T_STARTED_PIDS=""
	trap t_cleanup EXIT
}

t_cleanup() {
	local p
	for p in $T_STARTED_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T_DIR"
}

# as_user CMD... - run CMD as the unprivileged test user (or as is).
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$T_USER" --regid="$T_USER" --init-groups \
			env -u HOME HOME="$T_DIR/work" "$@"
	else
		"$@"
	fi
}

# as_user_bg CMD... & - as as_user, but exec'd so that $! is CMD's pid.
as_user_bg() {
	if [ "$(id -u)" = 0 ]; then
		exec setpriv --reuid="$T_USER" --regid="$T_USER" --init-groups \
			env -u HOME HOME="$T_DIR/work" "$@"
	else
		exec "$@"
	fi
}

t_ok() { echo "ok   $1"; T_PASS=$((T_PASS + 1)); }

# t_profile_refuses WHAT - true when the suite runs under a container
# profile (CORDON_TEST_PROFILE) that answers WHAT itself: its ERRNO
# outranks cordon's USER_NOTIF in the kernel, so cordon never sees the call
# and a check about cordon's answer has nothing to observe. Sets
# T_PROFILE_WHY for t_skip. Only for calls the profile is known to refuse
# (tests/container/container_profile.py; docs/kernels.md lists them).
t_profile_refuses() {
	[ -n "${CORDON_TEST_PROFILE:-}" ] || return 1
	T_PROFILE_WHY="the $CORDON_TEST_PROFILE profile answers $1 itself (cordon never sees it)"
	return 0
}

# t_birth - true when the suite's cordon owns job sockets from birth (the
# docker profile: no pidfd_getfd).
t_birth() { [ "${CORDON_TEST_PROFILE:-}" = docker ]; }
t_skip() { echo "skip $1${2:+: $2}"; }

# host_has_int80 - whether this host runs i386 system calls at all: some
# hypervisors (PVM here) fault int 0x80 with a general protection fault
# before it reaches the kernel's compat entry, so natively it dies of
# SIGSEGV. Where it does, no i386 call can reach a filter either, and the
# int 0x80 cases have nothing to prove (x32 still runs everywhere).
host_has_int80() {
	local c=${T_INT80_PROBE:-}
	[ -n "$c" ] || return 0
	"$c" int80 >/dev/null 2>&1
	[ $? != 139 ]
}
t_fail() { echo "FAIL $1${2:+: $2}"; T_FAIL=$((T_FAIL + 1)); }

# t_check NAME 'SHELL CONDITION' - pass if the condition (eval'd, so !, &&
# and || work) succeeds.
t_check() {
	local name=$1
	shift
	if eval "$*"; then t_ok "$name"; else t_fail "$name" "$*"; fi
}

# t_status NAME WANT CMD... - pass if CMD exits with status WANT.
t_status() {
	local name=$1 want=$2 got
	shift 2
	"$@" >"$T_DIR/out" 2>"$T_DIR/err"
	got=$?
	if [ "$got" = "$want" ]; then
		t_ok "$name"
	else
		t_fail "$name" "exit $got, want $want; stderr: $(head -c 300 "$T_DIR/err")"
	fi
}

# pid_alive PID MARKER - true if PID lives and its cmdline holds MARKER
# (so a reused pid is never mistaken for the one we are looking for).
pid_alive() {
	[ -r "/proc/$1/cmdline" ] &&
		tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"
}

# wait_for_file FILE [TENTHS] - wait until FILE is non-empty.
wait_for_file() {
	local i n=${2:-50}
	for i in $(seq "$n"); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_for_cordon PID [TENTHS] - wait until PID (started with as_user_bg)
# has exec'd cordon itself: through a wrapper (CORDON_TEST_PROFILE's Python,
# which compiles the profile first) a signal sent earlier would reach the
# wrapper, not cordon.
wait_for_cordon() {
	local i c n=${2:-100}
	for i in $(seq "$n"); do
		c=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
		case $c in cordon | cordon.real) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

t_done() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}
