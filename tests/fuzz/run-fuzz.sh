#!/bin/sh
# run-fuzz.sh SECONDS [TARGET...] - configure a separate clang build with
# CORDON_FUZZ=ON (libraries instrumented with -fsanitize=fuzzer-no-link and
# ASan/UBSan), then fuzz each target for SECONDS, starting from and adding to
# a scratch copy of its checked-in corpus. New finds are left in
# $FUZZ_BUILD/corpus-TARGET for review; crashes fail the script.
set -eu
secs=${1:-60}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD:-/tmp/cordon-fuzz-build}
targets=${*:-policy}
cc=${CC_FUZZ:-clang-14}
command -v "$cc" >/dev/null 2>&1 || cc=clang

cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCORDON_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	-DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
for t in $targets; do
	cmake --build "$build" --target "fuzz_$t" -j"$(nproc)"
	work="$build/corpus-$t"
	mkdir -p "$work" "$build/artifacts-$t"
	cp -n "$here/corpus/$t"/* "$work"/ 2>/dev/null || true
	echo "fuzzing $t for $secs s"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=8192 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts-$t/" \
		$( [ -f "$here/$t.dict" ] && echo "-dict=$here/$t.dict" ) "$work"
done
