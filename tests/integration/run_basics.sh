#!/bin/bash
# SPDX-License-Identifier: MIT
# run_basics.sh BUILD_DIR - `cordon run` end to end as an unprivileged user:
# the exit status table, fd hygiene, the environment, the process tree
# (daemons, stopped processes, kill -9 of cordon, SIGTERM with grace),
# notified calls from 200 threads, the audit log, and the ABI gate compared
# with native runs.
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
W=$T_DIR/work

# --- exit status table -----------------------------------------------------
t_status "exit-own-status" 3 as_user "$CORDON" run -- sh -c 'exit 3'
t_status "exit-zero" 0 as_user "$CORDON" run -- /bin/true
t_status "exit-signal-128+N" 137 as_user "$CORDON" run -- sh -c 'kill -9 $$'
t_status "exit-not-found-127" 127 as_user "$CORDON" run -- no-such-command-xyz
t_check "not-found-message" 'grep -q "no-such-command-xyz: command not found" "$T_DIR/err"'
t_status "exit-not-executable-126" 126 as_user "$CORDON" run -- /etc/passwd
t_status "exit-usage-125" 125 as_user "$CORDON" run --no-such-option -- true
t_status "exit-no-command-125" 125 as_user "$CORDON" run
t_status "exit-bad-grace-125" 125 as_user "$CORDON" run --grace soon -- true
# Options share the policy's one value grammar (policy_value_parse()).
t_status "grace-needs-a-unit-125" 125 as_user "$CORDON" run --grace 5 -- true
t_check "grace-needs-a-unit-says-why" 'grep -q "a duration needs a unit" "$T_DIR/err"'
t_status "grace-policy-units" 0 as_user "$CORDON" run -q --grace 1d -- true
t_status "slot-timeout-fraction-125" 125 as_user "$CORDON" run --slot-timeout 1.5m -- true
t_status "audit-max-binary-units" 0 as_user "$CORDON" run -q --audit-max 64MiB -- true
t_status "audit-max-decimal-125" 125 as_user "$CORDON" run --audit-max 64MB -- true
t_status "exit-unknown-subcommand-125" 125 as_user "$CORDON" frobnicate
# The kernel-feature switch (testing and benchmarking only) is read strictly:
# a misspelt name stops everything before the job exists.
t_status "ignore-features-bad-125" 125 as_user env CORDON_IGNORE_FEATURES=sync_wake,landlock "$CORDON" run -- sh -c 'echo ran'
t_check "ignore-features-bad-says-why" 'grep -q "unknown feature '\''sync_wake'\''" "$T_DIR/err" && ! grep -q ran "$T_DIR/out"'
t_status "ignore-features-runs" 0 as_user env CORDON_IGNORE_FEATURES=sync_wake_up,addfd_send,wait_killable_recv,landlock_scope "$CORDON" run -q -- /bin/true

# --- syscall overrides are checked against the table, with their place ------
printf 'zone z extends fork-pr {\n\tsyscall frobnicate deny EPERM\n}\nzone y extends fork-pr {\n\tsyscall io_uring_setup allow\n}\n' >"$W/sc.cordon"
t_status "policy-check-unknown-syscall-125" 125 as_user "$CORDON" policy check "$W/sc.cordon"
t_check "policy-check-unknown-syscall-located" 'grep -q "sc.cordon:2:2: error: unknown syscall" "$T_DIR/err"'
t_status "run-locked-syscall-allow-125" 125 as_user "$CORDON" run --policy "$W/sc.cordon" --zone y -- true
t_check "run-locked-syscall-allow-located" 'grep -q "sc.cordon:5:2: error: cordon must mediate or refuse" "$T_DIR/err"'
printf 'zone ok extends fork-pr {\n\tsyscall ptrace deny EPERM\n}\n' >"$W/ok.cordon"
ptrace_me='import ctypes; l = ctypes.CDLL(None, use_errno=True); print("ptrace", l.ptrace(0, 0, 0, 0), ctypes.get_errno())'
as_user "$CORDON" run -q --policy "$W/ok.cordon" --zone ok -- /usr/bin/python3 -c "$ptrace_me" >"$T_DIR/out" 2>&1
t_check "zone-syscall-deny-applies" 'grep -qx "ptrace -1 1" "$T_DIR/out"'
as_user "$CORDON" run -q -- /usr/bin/python3 -c "$ptrace_me" >"$T_DIR/out" 2>&1
if [ "${CORDON_TEST_PLATFORM:-}" = ptrace ]; then
	# cordon is every job task's tracer: the kernel refuses a second one
	# (docs/platforms.md), whatever the zone says.
	t_check "ptrace-traceme-refused" 'grep -qx "ptrace -1 1" "$T_DIR/out"'
else
	t_check "zone-syscall-deny-control" 'grep -qx "ptrace 0 0" "$T_DIR/out"'
fi

# --- fds above 2 are not inherited -----------------------------------------
as_user bash -c "exec 7</etc/passwd 9>/dev/null; '$CORDON' run -- '$PROBE' fds" >"$T_DIR/out" 2>&1
t_check "fds-not-inherited" 'grep -qx "fds: 0 1 2" "$T_DIR/out"'
as_user bash -c "exec 7</etc/passwd; '$PROBE' fds" >"$T_DIR/native" 2>&1
t_check "fds-native-control" 'grep -q "^fds: 0 1 2 .*\b7\b" "$T_DIR/native"'

# --- environment -----------------------------------------------------------
out=$(as_user env SECRET=s3cret KEEP=k "$CORDON" run --env-clear --env KEEP --env NEW=n -- /usr/bin/env)
t_check "env-clear-keeps-only-asked" '[ "$(echo "$out" | grep -v "^TMPDIR=" | sort | tr '\''\n'\'' '\'' '\'')" = "KEEP=k NEW=n " ]'
# ... and the private TMPDIR the zone's fs rules grant (docs/filesystem.md).
t_check "env-clear-keeps-private-tmpdir" 'grep -q "^TMPDIR=.*/cordon-job\." <<<"$out"'
out=$(as_user env SECRET=s3cret "$CORDON" run -- /usr/bin/env)
t_check "env-passes-through" 'grep -q "SECRET=s3cret" <<<"$out"'
# Secret carriers (policy_env_secret()) are dropped unless --env names them;
# the audit header lists their names, never their values.
out=$(as_user env GITHUB_TOKEN=canary-gh github_token=canary-lc CI_JOB_TOKEN=canary-ci \
	AWS_ACCESS_KEY_ID=canary-aws NPM_TOKEN=canary-npm SSH_AUTH_SOCK=/tmp/canary-sock \
	ACTIONS_ID_TOKEN_REQUEST_URL=canary-oidc BUILD_FLAGS=keep \
	"$CORDON" run -q --audit "$W/env.jsonl" -- /usr/bin/env)
t_check "env-secrets-dropped" '! grep -q canary <<<"$out" && grep -qx "BUILD_FLAGS=keep" <<<"$out"'
t_check "env-secrets-native-control" 'as_user env GITHUB_TOKEN=canary-gh /usr/bin/env | grep -qx GITHUB_TOKEN=canary-gh'
t_check "env-dropped-in-audit-header" 'python3 -c "
import json, sys
h = json.loads(open(sys.argv[1]).readline())
assert h[\"type\"] == \"header\", h
need = {\"GITHUB_TOKEN\", \"github_token\", \"CI_JOB_TOKEN\", \"AWS_ACCESS_KEY_ID\", \"NPM_TOKEN\", \"SSH_AUTH_SOCK\", \"ACTIONS_ID_TOKEN_REQUEST_URL\"}
assert need <= set(h[\"env_dropped\"]), h[\"env_dropped\"]
assert \"BUILD_FLAGS\" not in h[\"env_dropped\"]
" "$W/env.jsonl" && ! grep -q canary "$W/env.jsonl"'
out=$(as_user env GITHUB_TOKEN=canary-gh NPM_TOKEN=canary-npm "$CORDON" run -q --audit "$W/env2.jsonl" --env GITHUB_TOKEN -- /usr/bin/env)
t_check "env-secret-passed-on-purpose" 'grep -qx GITHUB_TOKEN=canary-gh <<<"$out" && ! grep -q canary-npm <<<"$out"'
t_check "env-passed-not-listed-dropped" 'head -1 "$W/env2.jsonl" | grep -q "\"env_dropped\":\[[^]]*\"NPM_TOKEN\"" && ! head -1 "$W/env2.jsonl" | grep -q "\"GITHUB_TOKEN\""'
# Secrets in the command line (policy_argv_redact(), docs/audit.md): the job
# gets its arguments as they are; the audit header's argv and the exec
# record's have the values redacted, the names and the rest kept.
# (The shell stays a moment: the exec record's argv is read from
# /proc/TID/cmdline after the exec, and a process already gone shows none.)
out=$(as_user "$CORDON" run -q --audit "$W/argv.jsonl" -- /bin/sh -c 'printf "%s\n" "$@"; sleep 0.5' sh \
	--password=canary-pw -H 'Authorization: Bearer canary-bearer' \
	https://u:canary-url@example.invalid/ --token canary-tok keep-me)
t_check "argv-job-gets-its-arguments" 'grep -qx -- "--password=canary-pw" <<<"$out" && grep -qx "Authorization: Bearer canary-bearer" <<<"$out" && grep -qx canary-tok <<<"$out"'
t_check "argv-header-redacted" 'head -1 "$W/argv.jsonl" | grep -q "\"--password=<redacted>\",\"-H\",\"Authorization: Bearer <redacted>\",\"https://u:<redacted>@example.invalid/\",\"--token\",\"<redacted>\",\"keep-me\""'
t_check "argv-exec-record-redacted" 'grep "\"type\":\"exec\"" "$W/argv.jsonl" | grep -q "Bearer <redacted>"'
t_check "argv-no-secret-in-audit" '! grep -q canary "$W/argv.jsonl"'

# --- the ABI gate and kernel-refused bypasses, against native --------------
if T_INT80_PROBE=$PROBE host_has_int80; then
	t_status "int80-native-works" 0 as_user "$PROBE" int80
	t_status "int80-killed-159" 159 as_user "$CORDON" run -- "$PROBE" int80
	t_check "int80-message" 'grep -q "killed by SIGSYS" "$T_DIR/err"'
	SIGSYS_PROBE=int80
else
	t_skip "int80-*" "int 0x80 faults natively on this host (no i386 entry)"
	SIGSYS_PROBE=x32
fi
t_status "x32-killed-159" 159 as_user "$CORDON" run -- "$PROBE" x32
as_user "$PROBE" io_uring >"$T_DIR/native" 2>&1
as_user "$CORDON" run -- "$PROBE" io_uring >"$T_DIR/out" 2>&1
t_check "io_uring-native-differs" '! grep -q "errno ENOSYS" "$T_DIR/native"'
t_check "io_uring-enosys" 'grep -q "io_uring: errno ENOSYS" "$T_DIR/out"'
as_user "$CORDON" run -- "$PROBE" clone-newuser >"$T_DIR/out" 2>&1
t_check "clone-newuser-eperm" 'grep -q "clone-newuser: errno EPERM" "$T_DIR/out"'
as_user "$CORDON" run -- "$PROBE" fork >"$T_DIR/out" 2>&1
t_check "fork-works" 'grep -q "fork: ok 7" "$T_DIR/out"'
# Under a container profile, a persona the profile allows (it answers the
# others itself, ENOSYS: cordon never sees them, t_profile_refuses).
persona=0x0040000
[ -n "${CORDON_TEST_PROFILE:-}" ] && persona=0x8
as_user "$CORDON" run -q -- "$PROBE" personality $persona >"$T_DIR/out" 2>&1
t_check "personality-denied" 'grep -q "personality: errno EPERM" "$T_DIR/out"'
as_user "$CORDON" run -- "$PROBE" personality 0xffffffff >"$T_DIR/out" 2>&1
t_check "personality-query-allowed" 'grep -q "personality: ok" "$T_DIR/out"'

# --- 200 threads making notified calls at once -----------------------------
t_status "200-threads-answered" 0 as_user "$CORDON" run -- "$PROBE" threads 200
t_check "200-threads-output" 'grep -q "threads: 200 answered, 0 failed" "$T_DIR/out"'

# --- the process tree ------------------------------------------------------
rm -f "$W/daemon.pid"
t_status "daemon-run" 0 as_user "$CORDON" run -- "$PROBE" daemon "$W/daemon.pid" 120
wait_for_file "$W/daemon.pid" 20
dpid=$(cat "$W/daemon.pid" 2>/dev/null)
t_check "daemon-started" '[ -n "$dpid" ]'
t_check "daemon-does-not-outlive-cordon" '! pid_alive "$dpid" "cordon-probe daemon"'

# kill -9 of cordon leaves nothing behind (daemon, stopped child, plain child)
rm -f "$W/tree.pids"
as_user_bg "$CORDON" run -- "$PROBE" tree "$W/tree.pids" 120 >/dev/null 2>&1 &
cpid=$!
T_STARTED_PIDS="$T_STARTED_PIDS $cpid"
wait_for_file "$W/tree.pids" 50
sleep 0.2
pids=$(cat "$W/tree.pids" 2>/dev/null)
t_check "tree-started" '[ "$(echo "$pids" | wc -w)" = 4 ]'
# $cpid is cordon itself (as_user_bg execs).
kill -9 "$cpid"
sleep 1
left=""
for p in $pids; do pid_alive "$p" "cordon-probe tree" && left="$left $p"; done
t_check "kill-9-of-cordon-leaves-no-job-process" '[ -z "$left" ]'

# the supervisor killed from outside: the anchor kills the job, exits 125
rm -f "$W/tree.pids"
as_user_bg "$CORDON" run -- "$PROBE" tree "$W/tree.pids" 120 >/dev/null 2>"$T_DIR/err" &
cpid=$!
T_STARTED_PIDS="$T_STARTED_PIDS $cpid"
wait_for_file "$W/tree.pids" 50
sleep 0.2
sup=$(cat /proc/$cpid/task/$cpid/children 2>/dev/null | awk '{print $1}')
pids=$(cat "$W/tree.pids" 2>/dev/null)
kill -9 "$sup"
wait "$cpid"
st=$?
left=""
for p in $pids; do pid_alive "$p" "cordon-probe tree" && left="$left $p"; done
t_check "supervisor-killed-job-killed" '[ -z "$left" ] && [ "$st" = 125 ]'

# SIGTERM to cordon reaches the job; the job's own status comes back
as_user_bg "$CORDON" run -- sh -c 'trap "exit 42" TERM; sleep 30 & wait' >/dev/null 2>&1 &
cpid=$!
T_STARTED_PIDS="$T_STARTED_PIDS $cpid"
wait_for_cordon "$cpid"
sleep 0.5
kill -TERM "$cpid"
wait "$cpid"
st=$?
t_check "sigterm-forwarded-to-job" '[ "$st" = 42 ]'

# a job ignoring SIGTERM is killed after --grace
as_user_bg "$CORDON" run --grace 300ms -- sh -c 'trap "" TERM; sleep 30' >/dev/null 2>&1 &
cpid=$!
T_STARTED_PIDS="$T_STARTED_PIDS $cpid"
wait_for_cordon "$cpid"
sleep 0.5
start=$(date +%s%N)
kill -TERM "$cpid"
wait "$cpid"
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
t_check "grace-then-sigkill" '[ "$st" = 137 ] && [ "$ms" -lt 3000 ]'

# --keep-going waits for the rest of the tree
out=$(as_user "$CORDON" run --keep-going -- sh -c '(sleep 0.3; echo late) & exit 5')
st=$?
t_check "keep-going-waits" '[ "$st" = 5 ] && [ "$out" = late ]'
out=$(as_user "$CORDON" run -- sh -c '(sleep 0.3; echo late) & exit 5')
t_check "default-kills-rest" '[ -z "$out" ]'

# fds passed between the job's own processes: the supervisor, which performs
# the sendmsg, must not keep copies (a passed pipe end would never see EOF).
cat >"$T_DIR/rights_eof.py" <<'PY'
import array, os, signal, socket
signal.alarm(5)
r, w = os.pipe()
a, b = socket.socketpair()
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [w]))])
msg, anc, flags, addr = b.recvmsg(1, socket.CMSG_LEN(4))
w2 = array.array("i", anc[0][2][:4])[0]
os.close(w)
os.close(w2)
print("eof" if os.read(r, 1) == b"" else "data")
PY
chmod 644 "$T_DIR/rights_eof.py"
out=$(as_user python3 "$T_DIR/rights_eof.py" 2>&1)
t_check "passed-pipe-eof-native" '[ "$out" = eof ]'
out=$(as_user "$CORDON" run -q -- python3 "$T_DIR/rights_eof.py" 2>&1)
if [ "${CORDON_TEST_PLATFORM:-}" = ptrace ]; then
	# No ADDFD under ptrace: the guarded receive cannot install the fds,
	# so they are cut (MSG_CTRUNC), never kept (docs/platforms.md).
	t_check "passed-fds-cut-under-ptrace" 'grep -q "IndexError" <<<"$out"'
else
	# Owned from birth too: the pipe end is opened again for the send,
	# and that copy is not kept either (sentry/sys_sock.c 6).
	t_check "passed-pipe-eof" '[ "$out" = eof ]'
fi

# --- the audit log ---------------------------------------------------------
# A zone's denial carries its reason as fields: the category, where the
# deciding rule was written (none: builtin), the destination decoded. (The
# metadata address is refused before anything is sent.)
as_user "$CORDON" run -q --audit "$W/dest.jsonl" -- python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
try:
    s.connect(("::ffff:169.254.169.254", 80))
except OSError as e:
    print(e.errno)' >"$T_DIR/out" 2>&1
python3 - "$W/dest.jsonl" <<'PY' >"$T_DIR/py" 2>&1
import errno, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
d = [r for r in recs if r["type"] == "decision" and r["syscall"] == "connect"]
assert len(d) == 1, d
d = d[0]
assert d["verdict"] == "deny" and d["category"] == "policy", d
assert d["errno"] == "EACCES" and d["errno_value"] == errno.EACCES, d
assert d["always_denied"] in ("metadata", "link-local"), d
assert d["rule_src"] is None, d
assert d["dest"] == {"proto": "tcp", "family": "ipv6",
                     "addr": "::ffff:169.254.169.254", "port": 80}, d["dest"]
PY
st=$?
t_check "denial-reason-as-fields" '[ "$st" = 0 ] || { cat "$T_DIR/py"; false; }'

# An argument the supervisor cannot read is a denial: refused as natively
# (EFAULT), but printed, recorded and counted as one (issue 13, defect 7).
as_user "$PROBE" connect-unreadable >"$T_DIR/native" 2>&1
t_check "unreadable-native-efault" 'grep -qx "connect-unreadable: errno EFAULT" "$T_DIR/native"'
as_user "$CORDON" run --audit "$W/unread.jsonl" -- "$PROBE" connect-unreadable >"$T_DIR/out" 2>"$T_DIR/err"
t_check "unreadable-efault" 'grep -qx "connect-unreadable: errno EFAULT" "$T_DIR/out"'
t_check "unreadable-printed-as-denial" 'grep -q "denied connect" "$T_DIR/err"'
python3 - "$W/unread.jsonl" <<'PY' >"$T_DIR/py" 2>&1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
dec = [r for r in recs if r["type"] == "decision" and r["syscall"] == "connect"]
assert len(dec) == 1, dec
d = dec[0]
assert d["decision"] == "deny" and d["verdict"] == "deny", d
assert d["category"] == "unreadable" and d["errno"] == "EFAULT", d
assert recs[-1]["denied_calls"] == 1, recs[-1]
PY
st=$?
t_check "unreadable-recorded-and-counted" '[ "$st" = 0 ] || { cat "$T_DIR/py"; false; }'

as_user "$CORDON" run -q --audit "$W/audit.jsonl" -- sh -c "'$PROBE' repeat-personality 5000; true" >/dev/null 2>"$T_DIR/err"
as_user "$CORDON" run -q --audit "$W/sigsys.jsonl" -- "$PROBE" "$SIGSYS_PROBE" >/dev/null 2>&1
python3 - "$W/audit.jsonl" <<'PY'
import json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[0]["type"] == "header" and recs[-1]["type"] == "summary", recs
h = recs[0]
assert h["platform"] == os.environ.get("CORDON_TEST_PLATFORM", "unotify") and len(h["filter_xxh3"]) == 16
execs = [r for r in recs if r["type"] == "exec"]
assert any(r["exe"].endswith("cordon-probe") and len(r["exe_xxh3"]) == 16
           for r in execs), execs
dec = [r for r in recs if r["type"] == "decision"]
assert len(dec) == 1 and dec[0]["decision"] == "deny", dec
assert dec[0]["zone"] == "fork-pr" and dec[0]["rule"] and dec[0]["syscall"] == "personality"
reps = [r for r in recs if r["type"] == "repeat"]
assert reps and max(r["count"] for r in reps) == 5000, reps
assert len(recs) < 30, len(recs)
assert recs[-1]["exit_status"] == 0 and recs[-1]["denied_calls"] == 5000
recs = [json.loads(l) for l in open(sys.argv[1].replace("audit", "sigsys"))]
assert any(r.get("event") == "killed-by-sigsys" for r in recs), recs
assert recs[-1]["exit_status"] == 159 and recs[-1]["killed_by_sigsys"] == 1
PY
st=$?
as_user "$CORDON" run -- "$PROBE" repeat-personality 2000 >/dev/null 2>"$T_DIR/err2"
if t_profile_refuses "personality(ADDR_NO_RANDOMIZE)"; then
	for n in audit-valid-jsonl quiet-silences-denials denial-lines-summarised \
		denial-line-names-zone-and-rule; do
		t_skip "$n" "$T_PROFILE_WHY"
	done
else
	t_check "audit-valid-jsonl" '[ "$st" = 0 ]'
	t_check "quiet-silences-denials" '! grep -q "denied personality" "$T_DIR/err"'
	t_check "denial-lines-summarised" '[ "$(grep -c '\''denied personality'\'' "$T_DIR/err2")" -le 5 ]'
	t_check "denial-line-names-zone-and-rule" 'grep -q "denied personality persona=0x40000 (zone fork-pr: personality: only" "$T_DIR/err2"'
fi

# --- exec records cost round trips only when they have somewhere to go ----
# Four execs (sh, then three /bin/true): with an audit log each is an
# execve and an arch_prctl(ARCH_SET_FS) stop and one exec record; without
# one, none of them leaves the kernel.
as_user "$CORDON" run -q --report-json "$W/noaudit.json" -- sh -c '/bin/true; /bin/true; /bin/true'
as_user "$CORDON" run -q --audit "$W/execs.jsonl" --report-json "$W/audit.json" -- sh -c '/bin/true; /bin/true; /bin/true'
t_check "exec-records-with-audit" '[ "$(grep -c "\"type\":\"exec\"" "$W/execs.jsonl")" = 4 ]'
t_check "exec-not-notified-without-audit" "python3 -c \"
import json
a = json.load(open('$W/noaudit.json'))['notified_calls']
b = json.load(open('$W/audit.json'))['notified_calls']
assert b - a >= 8, (a, b)
\""

# --- cordon's own stderr closed, gone or full never kills or stalls it ----
# (defect 5 of issue 13: the first denial line killed cordon by SIGPIPE, 141.)
as_user sh -c '"$1" run -- sh -c "\"$2\" personality 8; exit 3" 2>&-' sh \
	"$CORDON" "$PROBE" >"$T_DIR/out" 2>&1
st=$?
t_check "stderr-closed-denial-own-status" '[ "$st" = 3 ]'
as_user sh -c '"$1" run --limit wall=1s -- sleep 5 2>&-' sh "$CORDON" \
	>"$T_DIR/out" 2>&1
st=$?
t_check "stderr-closed-limit-124" '[ "$st" = 124 ]'
# The job's own fds are as without cordon (cordon holds /dev/null there).
as_user sh -c '"$1" run -- "$2" fds 2>&-' sh "$CORDON" "$PROBE" >"$T_DIR/out" 2>&1
t_check "stderr-closed-job-sees-it-closed" 'grep -qx "fds: 0 1" "$T_DIR/out"'
as_user /usr/bin/python3 - "$CORDON" "$PROBE" "$W" >"$T_DIR/py" 2>&1 <<'PY'
import json, os, subprocess, sys, time
cordon, probe, work = sys.argv[1:4]

def run(args, stderr, timeout=120):
    t = time.time()
    p = subprocess.Popen([cordon, "run"] + args, stdout=subprocess.DEVNULL,
                         stderr=stderr)
    try:
        st = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None, time.time() - t
    return st, time.time() - t

def summary(path):
    for line in open(path):
        r = json.loads(line)
        if r["type"] == "summary":
            return r

def check(name, ok, info=""):
    print(("ok   " if ok else "FAIL ") + name + (" " + str(info) if info else ""))

# A pipe whose reader has exited (cordon's stderr is `cmd 2>&1 | head -0`).
r, w = os.pipe()
os.close(r)
st, _ = run(["--", "sh", "-c", '"$0" personality 8; exit 3', probe], w)
check("stderr-reader-gone-denial-own-status", st == 3, st)
st, _ = run(["--limit", "wall=1s", "--", "sleep", "5"], w)
check("stderr-reader-gone-limit-124", st == 124, st)
os.close(w)

# A pipe nobody reads: 100k denials, each its own line (~110 bytes): the
# 64 KiB pipe is full after ~600 lines, the rest must be dropped, counted.
for audit in ("file", "-"):
    r, w = os.pipe()
    rep = os.path.join(work, "full-%s.json" % (audit == "-"))
    args = ["--report-json", rep]
    args += ["--audit", os.path.join(work, "full.jsonl") if audit == "file"
             else "-"]
    st, secs = run(args + ["--", probe, "many-personality", "100000"], w)
    os.close(w)
    os.close(r)
    check("stderr-full-audit-%s-finishes" % audit, st == 0,
          "status %s after %.1f s" % (st, secs))
    s = summary(rep) if st is not None else {}
    check("stderr-full-audit-%s-denials" % audit,
          s.get("denied_calls") == 100000, s.get("denied_calls"))
    check("stderr-full-audit-%s-lines-dropped-counted" % audit,
          90000 < s.get("diag_lines_dropped", 0) < 100000,
          s.get("diag_lines_dropped"))
    if audit == "-":
        check("stderr-full-audit---records-dropped-counted",
              s.get("audit_records_dropped", 0) > 90000,
              s.get("audit_records_dropped"))
PY
# 100k distinct personas: a container profile answers them itself.
full_skip=
t_profile_refuses "personality(0x1000000 + i)" && full_skip=$T_PROFILE_WHY
if [ -n "$full_skip" ]; then
	t_skip "stderr-python-ran" "$full_skip"
else
	t_check "stderr-python-ran" 'grep -q "^ok   stderr-full-audit---records" "$T_DIR/py" || { cat "$T_DIR/py"; false; }'
fi
while read -r verdict name info; do
	if [ -n "$full_skip" ] && [[ $name == stderr-full-audit-* ]]; then
		t_skip "$name" "$full_skip"
	elif [ "$verdict" = ok ]; then t_ok "$name"; else t_fail "$name" "$info"; fi
done < <(grep -E '^(ok  |FAIL) ' "$T_DIR/py")
# The job still gets SIGPIPE as without cordon (cordon ignores it for itself
# only): `yes` into a pipe whose reader exited dies of it, 128+13.
sigpipe='yes | head -c1 >/dev/null; echo "yes=${PIPESTATUS[0]}"'
as_user bash -c "$sigpipe" >"$T_DIR/native" 2>&1
as_user "$CORDON" run -q -- bash -c "$sigpipe" >"$T_DIR/out" 2>&1
t_check "job-sigpipe-native-control" 'grep -qx "yes=141" "$T_DIR/native"'
t_check "job-sigpipe-as-native" 'grep -qx "yes=141" "$T_DIR/out"'
# ... and keeps SIG_IGN when cordon was started with it (inherited, as ever).
as_user /usr/bin/python3 -c 'import signal, subprocess, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
sys.exit(subprocess.call(sys.argv[1:], restore_signals=False))' \
	"$CORDON" run -q -- bash -c "$sigpipe" >"$T_DIR/out" 2>&1
t_check "job-sigpipe-ignored-inherited" 'grep -qx "yes=1" "$T_DIR/out"'

# --- a program that makes itself non-dumpable works as without cordon --------
# ssh-agent calls prctl(PR_SET_DUMPABLE, 0) and goes on when it fails; under
# cordon it is refused (EPERM), so the supervisor can still read it and its
# socket's bind is judged (it was EFAULT "address not readable": the agent
# could not bind its socket). docs/isolation.md says why.
if command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null; then
	agent='ssh-agent sh -c "ssh-add -l; echo add=\$?"'
	as_user env -C "$W" sh -c "$agent" >"$T_DIR/native" 2>&1
	as_user env -C "$W" "$CORDON" run -- sh -c "$agent" >"$T_DIR/out" 2>&1
	t_check "ssh-agent-native-control" 'grep -q "The agent has no identities" "$T_DIR/native" && grep -qx "add=1" "$T_DIR/native"'
	t_check "ssh-agent-as-native" 'grep -q "The agent has no identities" "$T_DIR/out" && grep -qx "add=1" "$T_DIR/out"'
	t_check "ssh-agent-no-denial" '! grep -q "cordon: denied" "$T_DIR/out"'
else
	t_fail "ssh-agent-installed" "openssh-client missing (scripts/deps.sh)"
fi
cat >"$W/dumpable.py" <<'PY'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, SUID_DUMP_DISABLE
print("set0", rc, ctypes.get_errno(), "get", libc.prctl(3, 0, 0, 0, 0))
PY
as_user "$CORDON" run -q -- /usr/bin/python3 "$W/dumpable.py" >"$T_DIR/out" 2>&1
t_check "set-dumpable-0-refused-eperm-stays-dumpable" 'grep -qx "set0 -1 1 get 1" "$T_DIR/out"'
as_user /usr/bin/python3 "$W/dumpable.py" >"$T_DIR/native" 2>&1
t_check "set-dumpable-0-native-control" 'grep -qx "set0 0 0 get 0" "$T_DIR/native"'

# --- doctor tells the truth on this kernel ---------------------------------
as_user "$CORDON" doctor >"$T_DIR/out" 2>&1
st=$?
if [ -r /proc/sys/kernel/yama/ptrace_scope ] && [ "$(cat /proc/sys/kernel/yama/ptrace_scope)" -ge 2 ]; then
	t_check "doctor-reports-missing" '[ "$st" = 1 ]'
else
	t_check "doctor-ok-as-user" '[ "$st" = 0 ]'
fi
t_check "doctor-lists-features" 'grep -q "SYNC_WAKE_UP" "$T_DIR/out"'
# The filesystem layer says what it lacks, driven by the feature switch.
t_check "doctor-filesystem-confined" 'grep -qE "^(ok|reduced) +filesystem +confined by the Landlock domain" "$T_DIR/out" && grep -qE "^ok +environment +secret carriers" "$T_DIR/out"'
as_user "$CORDON" doctor --no-landlock >"$T_DIR/out" 2>&1
t_check "doctor-filesystem-no-landlock-option" 'grep -qE "^reduced +filesystem +not confined: --no-landlock" "$T_DIR/out"'
as_user env CORDON_IGNORE_FEATURES=landlock_abi=2 "$CORDON" doctor >"$T_DIR/out" 2>&1
t_check "doctor-filesystem-abi2" 'grep -E "^reduced +filesystem" "$T_DIR/out" | grep -q "ABI 2.*, refer, no truncate.*, no device ioctls"'
as_user env CORDON_IGNORE_FEATURES=landlock "$CORDON" doctor >"$T_DIR/out" 2>&1
t_check "doctor-filesystem-no-landlock" 'grep -qE "^reduced +filesystem +not confined: .*no Landlock" "$T_DIR/out"'
if [ "$(id -u)" = 0 ]; then
	# Started as root the job is not root (docs/root.md): doctor says who
	# it runs as instead of failing.
	"$CORDON" doctor >"$T_DIR/out" 2>&1
	st=$?
	t_check "doctor-as-root-names-the-job-user" \
		'grep -qE "unprivileged +root: jobs run as nobody \(uid [0-9]+, gid [0-9]+\) without capabilities" "$T_DIR/out"'
fi

t_done
