#!/bin/bash
# SPDX-License-Identifier: MIT
# layering_selftest.sh SRC_DIR - layering.py against a tree of its own: one
# file per rule with a known violation at a known line, each must be
# reported there (and nothing else), and the same tree without them must
# pass. Keeps the lint from passing because it stopped looking.
src=$1
lint=$src/tests/lint/layering.py
t=$(mktemp -d /tmp/cordon-layering.XXXXXX)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
mkdir -p "$t"/{common,policy,netstack,platform,sentry,tools,tests/unit,bench}
for m in common policy netstack platform sentry tools; do
	printf '/* %s.h */\n' "$m" >"$t/$m/$m.h"
done
printf '/* private */\n' >"$t/sentry/sentry_priv.h"
printf '/* private */\n' >"$t/policy/policy_priv.h"
# The allowed shapes: none of these may be reported.
cat >"$t/sentry/ok.c" <<'EOF'
#include <stdio.h>
#include "common/common.h"
#include "policy/policy.h"
#include "netstack/netstack.h"
#include "platform/platform.h"
#include "sentry/sentry_priv.h"
/* "/proc/%d/mem" in a comment, process_vm_readv( too */
static const char self[] = "/proc/self/fd/%d", sys[] = "/proc/sys/kernel";
#define X SECCOMP_IOCTL_NOTIF_RECV
int f(void) { return sys_pidfd_getfd(0) + open("/proc/self", 0); }
EOF
cat >"$t/tests/unit/ok.c" <<'EOF'
#include "sentry/sentry_priv.h"
#include "policy/policy_priv.h"
int g(void) { return process_vm_readv(1, 0, 0, 0, 0, 0) + open("/proc/1/mem", 0); }
EOF
cp "$t/tests/unit/ok.c" "$t/bench/ok.c"
sed -i '/_priv.h/d' "$t/bench/ok.c"
python3 "$lint" "$t" >"$t/out" 2>&1
if [ $? = 0 ]; then
	pass=$((pass + 1)); echo "ok   clean-tree-passes"
else
	fail=$((fail + 1)); echo "FAIL clean-tree-passes"; cat "$t/out"
fi
# One violation per line; "file:line" must be reported.
cat >"$t/netstack/bad.c" <<'EOF'
#include "netstack/netstack.h"
#include "platform/platform.h"
#include "sentry/sentry.h"
#include "netstack.h"
#include <policy/policy.h>
#include "../common/common.h"
EOF
printf '#include "policy/policy.h"\n' >"$t/common/bad.c"
printf '#include "policy/policy.h"\n' >"$t/platform/bad.c"
printf '#include "tests/unit/x.h"\n#include "policy/policy_priv.h"\n' >"$t/tools/bad.c"
printf '/* */\n' >"$t/tests/unit/x.h"
cat >"$t/sentry/bad.c" <<'EOF'
#include "sentry/sentry_priv.h"
long a(int p) { return process_vm_readv(p, 0, 0, 0, 0, 0); }
long b(int p) { return syscall(__NR_pidfd_getfd, p, 0, 0); }
long c(int p) { return syscall(SYS_process_vm_writev, p, 0, 0, 0, 0, 0); }
long d(int f) { return ioctl(f, SECCOMP_IOCTL_NOTIF_SEND, 0); }
void e(char *b, int p) { snprintf(b, 64, "/proc/%d/cwd", p); }
void f(char *b, int p) { snprintf(b, 64, "/proc/" "%u" "/environ", p); }
int g(void) { return open("/proc/1/maps", 0); }
int h(void) { return openat(AT_FDCWD, "/proc", 0); }
int i(int f) { return pidfd_getfd(f, 0, 0); }
EOF
python3 "$lint" "$t" >"$t/out" 2>&1
rc=$?
want="netstack/bad.c:2 netstack/bad.c:3 netstack/bad.c:4 netstack/bad.c:5
netstack/bad.c:6 common/bad.c:1 platform/bad.c:1 tools/bad.c:1 tools/bad.c:2
sentry/bad.c:2 sentry/bad.c:3 sentry/bad.c:4 sentry/bad.c:5 sentry/bad.c:6
sentry/bad.c:7 sentry/bad.c:8 sentry/bad.c:9 sentry/bad.c:10"
n=0
for w in $want; do
	n=$((n + 1))
	if grep -q "^$w: " "$t/out"; then
		pass=$((pass + 1)); echo "ok   reports-$w"
	else
		fail=$((fail + 1)); echo "FAIL reports-$w"
	fi
done
got=$(grep -c '^[a-z].*:[0-9]*: ' "$t/out")
if [ "$rc" = 1 ] && [ "$got" = "$n" ]; then
	pass=$((pass + 1)); echo "ok   exactly-these-$n-and-exit-1"
else
	fail=$((fail + 1)); echo "FAIL exactly-these-$n-and-exit-1 (exit $rc, $got findings)"
	cat "$t/out"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
