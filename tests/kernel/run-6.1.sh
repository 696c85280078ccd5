#!/bin/bash
# SPDX-License-Identifier: MIT
# run-6.1.sh BUILD_DIR - boot Debian 12's stock kernel (linux-image-6.1.*,
# fetched by fetch-kernel.sh, never installed on the host) under qemu TCG
# with the host's root shared read-only over 9p (a tmpfs overlay on top in
# the guest) and a writable job directory, and run inside it, as root that
# drops to the unprivileged test user as the suites do, a functional subset
# of cordon's escape, lateral, limits and network tests against BUILD_DIR.
# 6.1 is the platform the README promises and the cheapest real older
# kernel: Landlock ABI 2 (no scoping), no SYNC_WAKE_UP, no SO_PASSRIGHTS.
#
# Under TCG a process start costs ~50 ms and a Python import seconds, so
# the subset is what fits the CI budget (~10 min); it is printed, with what
# is left out and why. Fails when any test inside fails, when the kernel
# cannot be fetched, or when the guest does not finish (the console's tail
# is printed); never skips. No network: the guest has no NIC; its tests use
# its loopback and namespaces they create inside it.
#
# Environment: CORDON_KERNEL_CACHE (fetch-kernel.sh), CORDON_KERNEL_TESTS
# (a space-separated list of plan names to run instead of the whole plan,
# for debugging), CORDON_KERNEL_KEEP=1 (keep the job directory),
# CORDON_KERNEL_TIMEOUT (seconds for the whole guest, default 720).
set -uo pipefail

KDIR_SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: run-6.1.sh BUILD_DIR}" && pwd)
HERE=$KDIR_SRC/tests/kernel
GUEST_TIMEOUT=${CORDON_KERNEL_TIMEOUT:-720}

# The plan: NAME TIMEOUT SCRIPT [VAR=VALUE...], one test script a line, run
# in this order inside the guest. Timeouts are per script, in guest seconds,
# about twice what the script took under TCG here with a light load
# (filter 5 s, platform 10 s, procfs 5-23 s, proc_signal 2 s, lateral 95 s
# with 6.1's Landlock domain, net_rights 250 s: ~6.5 min with the boot). At
# load average 12 net_rights took over 400 s.
RUN_PLAN="
filter 120 @tests/test_filter
platform 120 @tests/test_platform test_unotify_can test_value_emulated test_errno_emulated test_fd_installed test_killed_caller_does_not_wedge
procfs 120 @tests/test_procfs
proc_signal 120 @tests/test_proc_signal
lateral 400 tests/lateral/lateral.sh CORDON_LATERAL_MODES=landlock CORDON_TEST_TIME_SCALE=4
rights 300 tests/net/rights.sh CORDON_RIGHTS_SUBSET=guest CORDON_TEST_TIME_SCALE=4
"
# What is left out, and why: NAME: reason (docs/kernels.md).
SKIP_PLAN="
lateral --no-landlock and the forced modes: the supervisor layer (kernels without Landlock) and the ABI-masked modes run on the host (ctest lateral, lateral_domain); 6.1's own mode, the Landlock domain of ABI 2, runs here (~150-220 s a mode under TCG)
platform test_200_threads_answered, test_blocking_recv_ends_with_epipe: they expect POLLHUP/EPIPE while the exited job is an unreaped zombie and a sleeping receive to end; 6.1 gives neither (docs/kernels.md); cordon's own loop ends on the job's status (run by every suite here)
run_basics: over 400 s under TCG (its stderr-full audit case alone 246 s), and its signal cases race a 0.5 s sleep that emulation loses; its ABI-gate cases run in test_filter
limits: about 340 s under TCG, its Python observer (2 ms samples) starts after the bombs end and its wall/cpu windows are timings; no 6.1-specific kernel path
net_ownsock: over 300 s under TCG (Python per case, thousands of sockets in its churn cases); its 24 UDP own-socket cases passed on 6.1 before that (once sock_diag's modules load)
net_adversarial: over 90 s for its first 3 cases under TCG even with races of 300/1,000 tries (RACE_N, RACE_N_BIG)
rights: the native controls (they show the test can see an escape; the host runs them) and the outbound cases over IPv6 (the passed socket's family changes nothing in the receive guard): CORDON_RIGHTS_SUBSET=guest; every check under cordon runs
net_egress net_dns net_listen net_blocking net_abstract net_netlink net_v6spell: Python servers and clients (seconds per import under TCG) past the budget; rights covers 6.1's network fallback (no SO_PASSRIGHTS)
faults bind_fs output_backpressure *_nolandlock: the supervisor layer they add is 6.1's default, run above; faults is 900 s on the host already
"

run_die() {
	echo "FAIL kernel-6.1: $*"
	exit 1
}

# run_prereq - the host tools the guest needs, or fail naming the package.
run_prereq() {
	command -v qemu-system-x86_64 >/dev/null ||
		run_die "qemu-system-x86_64 missing (Debian package qemu-system-x86; scripts/deps.sh)"
	[ -r /usr/share/qemu/qboot.rom ] ||
		run_die "/usr/share/qemu/qboot.rom missing (qemu-system-data)"
	command -v cpio >/dev/null || run_die "cpio missing (Debian package cpio)"
	file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
		run_die "/bin/busybox is not a static busybox (Debian package busybox-static)"
	[ -x "$BUILD/tools/cordon" ] || run_die "no $BUILD/tools/cordon: build first"
	case $BUILD$KDIR_SRC in
	*,*) run_die "a comma in $BUILD or $KDIR_SRC breaks qemu's -virtfs option" ;;
	esac
}

# run_initrd KDIR OUT - the stage-1 initramfs: static busybox, the modules,
# guest-init.sh as /init.
run_initrd() {
	local kdir=$1 out=$2 d
	d=$(mktemp -d "$JOB_DIR/.initrd.XXXXXX")
	mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/modules"
	cp /bin/busybox "$d/bin/busybox"
	cp "$kdir"/modules/*.ko "$d/modules/"
	cp "$kdir/modules.order" "$d/modules.order"
	cp "$HERE/guest-init.sh" "$d/init"
	chmod 755 "$d/init" "$d/bin/busybox"
	(cd "$d" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out" ||
		run_die "building the initramfs failed"
	rm -rf "$d"
}

# run_plan - the plan lines to run (CORDON_KERNEL_TESTS narrows it).
run_plan() {
	local name tmo script vars
	while read -r name tmo script vars; do
		[ -n "$name" ] || continue
		if [ -n "${CORDON_KERNEL_TESTS:-}" ]; then
			case " $CORDON_KERNEL_TESTS " in
			*" $name "*) ;;
			*) continue ;;
			esac
		fi
		printf '%s\t%s\t%s\t%s\n' "$name" "$tmo" "$script" "$vars"
	done <<<"$RUN_PLAN"
}

run_report_plan() {
	echo "== kernel-6.1: the plan"
	awk -F'\t' '{ printf "will run  %-22s %s %s\n", $1, $3, $4 }' "$JOB_DIR/plan"
	if [ -n "${CORDON_KERNEL_TESTS:-}" ]; then
		echo "(narrowed by CORDON_KERNEL_TESTS=$CORDON_KERNEL_TESTS)"
	fi
	grep -v '^$' <<<"$SKIP_PLAN" | sed 's/^/left out  /'
}

run_cleanup() {
	[ -n "${QEMU_PID:-}" ] && kill -9 "$QEMU_PID" 2>/dev/null
	if [ "${CORDON_KERNEL_KEEP:-}" = 1 ]; then
		echo "kernel-6.1: job directory kept: $JOB_DIR"
	else
		rm -rf "$JOB_DIR"
	fi
}

run_main() {
	local kdir t0 rc fails
	run_prereq
	kdir=$(bash "$HERE/fetch-kernel.sh" 6.1) ||
		run_die "no Debian 6.1 kernel to boot (see fetch-kernel's message above)"
	echo "kernel-6.1: $(cat "$kdir/package")"
	JOB_DIR=$(mktemp -d /tmp/cordon-kernel.XXXXXX)
	chmod 755 "$JOB_DIR"
	trap run_cleanup EXIT
	trap 'exit 1' TERM INT HUP
	run_initrd "$kdir" "$JOB_DIR/initrd.gz"
	cp "$HERE/guest-job.sh" "$JOB_DIR/guest-job.sh"
	printf 'SRC=%q\nBUILD=%q\nKTREE=%q\nCORDON_TEST_USER=%q\nCORDON_KERNEL_TRACE=%q\n' \
		"$KDIR_SRC" "$BUILD" "$kdir" "${CORDON_TEST_USER:-cordontest}" \
		"${CORDON_KERNEL_TRACE:-}" >"$JOB_DIR/env"
	run_plan >"$JOB_DIR/plan"
	[ -s "$JOB_DIR/plan" ] || run_die "CORDON_KERNEL_TESTS names nothing in the plan"
	run_report_plan
	echo "== kernel-6.1: booting (TCG, 2 vCPUs, guest timeout ${GUEST_TIMEOUT}s)"
	t0=$(date +%s)
	# The host's /dev/kvm here is PVM's, which a stock kernel cannot use:
	# TCG. qboot and the uncompressed ELF skip real mode and the
	# decompressor (~4 s to userspace). No NIC: -nodefaults.
	timeout -k 10 "$GUEST_TIMEOUT" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -m 2G -smp 2 -nodefaults \
		-no-reboot -display none -serial stdio \
		-bios /usr/share/qemu/qboot.rom -kernel "$kdir/vmlinux" \
		-initrd "$JOB_DIR/initrd.gz" \
		-append 'console=ttyS0 panic=-1 quiet cryptomgr.notests' \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$JOB_DIR,mount_tag=job,security_model=none" \
		</dev/null 2>&1 | sed -u 's/\r$//' >"$JOB_DIR/console.log" &
	QEMU_PID=$!
	wait "$QEMU_PID"
	rc=$?
	QEMU_PID=
	echo "== kernel-6.1: guest ran $(($(date +%s) - t0)) s (qemu exit $rc)"
	if [ -s "$JOB_DIR/facts" ]; then
		echo "== kernel-6.1: kernel facts"
		cat "$JOB_DIR/facts"
	fi
	echo "== kernel-6.1: results"
	[ -f "$JOB_DIR/results" ] && cat "$JOB_DIR/results"
	if [ ! -f "$JOB_DIR/status" ]; then
		echo "== kernel-6.1: console (last 60 lines)"
		tail -n 60 "$JOB_DIR/console.log"
		[ "$rc" = 124 ] && run_die "the guest did not finish within ${GUEST_TIMEOUT}s"
		run_die "the guest stopped before writing its status (qemu exit $rc)"
	fi
	fails=$(cat "$JOB_DIR/status")
	local name why
	while read -r _ name _ why; do
		echo "== kernel-6.1: $name failed ($why); its log:"
		tail -n 80 "$JOB_DIR/logs/$name.log"
	done < <(grep '^FAIL ' "$JOB_DIR/results")
	echo "kernel-6.1: $(grep -c '^ok ' "$JOB_DIR/results") passed, $fails failed"
	[ "$fails" = 0 ]
}

run_main
