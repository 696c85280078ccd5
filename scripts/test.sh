#!/bin/bash
# SPDX-License-Identifier: MIT
# test.sh - build cordon (warnings are errors) and run the whole test suite
# with ctest; then the same suite in an ASan+UBSan build. Run as root on CI:
# the tests themselves run cordon as an unprivileged user.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
cordon_install_deps

jobs=$(nproc)
# CORDON_TEST_KERNELS: the kernel-6.1 label too (Debian 12's kernel under
# qemu, tests/kernel/run-6.1.sh); the ASan build below does not repeat it.
cmake -S . -B build-test -DCORDON_WERROR=ON -DCORDON_TEST_KERNELS=ON >/dev/null
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs"

# The supervisor is non-dumpable, which LeakSanitizer's ptrace-based
# stop-the-world cannot attach to; leaks are checked in the unit tests.
cmake -S . -B build-asan -DCORDON_WERROR=ON -DCORDON_SANITIZE=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
# The sanitizer build is -O0: its supervisor is several times slower, so
# the checks that bound how late it acts get the same scale as under qemu.
# The suites repeated under container profiles (label container-suite) run
# in the first build only: they repeat behaviour, not memory safety.
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
	CORDON_TEST_TIME_SCALE=3 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'lint|container-suite'
