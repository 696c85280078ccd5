#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line's help and usage errors (issue 19): each subcommand
# prints its own help (exit 0); a usage error is one line, the closest real
# option and a "try 'cordon X --help'" line (exit 125), with the cordon:
# prefix (never getopt's bare "run: unrecognized option"); --allow takes the
# listen statement; a repeated --limit key takes the last value.
# Usage: help.sh BUILD_DIR
set -u
C="$1/tools/cordon"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_help "ARGS" "FIRST LINE": stdout starts with it, exit 0.
expect_help() {
	local out rc
	out=$($C $1 2>/dev/null)
	rc=$?
	[ "$rc" = 0 ] || fail "cordon $1: exit $rc, expected 0"
	[ "$(printf '%s\n' "$out" | head -n1)" = "$2" ] ||
		fail "cordon $1: first line '$(printf '%s\n' "$out" | head -n1)', expected '$2'"
}
expect_help "help run" "usage: cordon run [OPTIONS] -- CMD [ARG...]"
expect_help "run --help" "usage: cordon run [OPTIONS] -- CMD [ARG...]"
expect_help "run -h" "usage: cordon run [OPTIONS] -- CMD [ARG...]"
expect_help "policy explain --help" "usage: cordon policy explain [OPTIONS] WHAT"
expect_help "help policy explain" "usage: cordon policy explain [OPTIONS] WHAT"
expect_help "policy show --help" "usage: cordon policy show [OPTIONS]"
expect_help "policy check --help" "usage: cordon policy check FILE..."
expect_help "policy --help" "usage: cordon policy check FILE..."
expect_help "doctor --help" "usage: cordon doctor [--no-landlock]"
expect_help "help" "usage: cordon COMMAND [ARGS...]"
expect_help "--help" "usage: cordon COMMAND [ARGS...]"
# Each its own text: run's help is not the explain help.
$C run --help | grep -q -- '--listener' && fail "run --help shows explain's --listener"
$C policy explain --help | grep -q -- '--keep-going' &&
	fail "policy explain --help shows run's --keep-going"

# expect_err "ARGS" "LINE 1" "LINE 2": exactly two lines on stderr, 125.
expect_err() {
	local err rc
	err=$($C $1 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 125 ] || fail "cordon $1: exit $rc, expected 125"
	[ "$err" = "$2"$'\n'"$3" ] || fail "cordon $1: stderr was:
$err
expected:
$2
$3"
}
expect_err "run --limt mem=1G -- true" \
	"cordon: run: unknown option '--limt'; did you mean '--limit'?" \
	"cordon: try 'cordon run --help'"
expect_err "run --bogus -- true" "cordon: run: unknown option '--bogus'" \
	"cordon: try 'cordon run --help'"
expect_err "run --zone" "cordon: run: option '--zone' needs a value" \
	"cordon: try 'cordon run --help'"
expect_err "run -x -- true" "cordon: run: unknown option '-x'" \
	"cordon: try 'cordon run --help'"
expect_err "run" "cordon: run: no command given" \
	"cordon: try 'cordon run --help'"
expect_err "policy show --zome x" \
	"cordon: policy: unknown option '--zome'; did you mean '--zone'?" \
	"cordon: try 'cordon policy show --help'"
expect_err "policy explain --jsn connect a:1" \
	"cordon: policy: unknown option '--jsn'; did you mean '--json'?" \
	"cordon: try 'cordon policy explain --help'"
expect_err "frobnicate" "cordon: unknown command 'frobnicate'" \
	"cordon: try 'cordon --help'"

# --allow/--deny take the listen statement (one syntax with the file).
out=$($C policy explain --allow listen listen 0.0.0.0:8080 2>&1)
case "$out" in "allow "*"listen allow (<--allow #1>:1:1)"*) ;;
*) fail "--allow listen: $out" ;; esac
out=$($C policy explain --allow 'listen loopback' --zone internal-ci listen 0.0.0.0:8080 2>&1)
case "$out" in "loopback "*"<--allow #1>"*) ;;
*) fail "--allow 'listen loopback': $out" ;; esac
out=$($C policy explain --allow listen --deny listen listen 192.0.2.1:8080 2>&1)
case "$out" in "deny "*"listen deny (<--deny #1>:1:1)"*) ;;
*) fail "--deny listen: $out" ;; esac
$C policy show --deny 'listen allow' >/dev/null 2>&1
[ $? = 125 ] || fail "--deny 'listen allow' accepted"
$C policy show --allow 'listen sideways' >/dev/null 2>&1
[ $? = 125 ] || fail "--allow 'listen sideways' accepted"

# A repeated --limit key: the last value wins; twice in one argument: error.
out=$($C policy show --limit mem=1G --limit wall=1m,mem=3G 2>&1)
printf '%s\n' "$out" | grep -q $'^\tlimit mem 3G\t# <--limit #2>' ||
	fail "--limit mem twice: not the last value: $(printf '%s\n' "$out" | grep 'limit mem')"
printf '%s\n' "$out" | grep -q $'^\tlimit wall 1m' || fail "--limit wall=1m lost"
$C policy show --limit mem=1G,mem=2G >/dev/null 2>&1
[ $? = 125 ] || fail "--limit mem=1G,mem=2G (one argument) accepted"

[ "$fails" = 0 ] && echo "help: all passed"
exit $((fails > 0))
