#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# rootjob.sh BUILD_DIR - cordon started as root in the test namespace (issue
# #14 item 5): the job runs as nobody, and what the supervisor does for it
# keeps working after the supervisor dropped root too - the DNS proxy
# (allowed name answers, denied one never goes upstream), connects by name
# (allowed reaches the server, denied never reaches its canary), the audit
# log and --report-json in a directory only root may write, a limit (wall),
# a pty of the job's own for stdout (`script`), and the job's output to a
# root-owned file reopened through /dev/stdout. Unlike the other net suites
# cordon itself runs as root here, on purpose. Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

NOBODY=$(id -u nobody 2>/dev/null || echo 65534)
WWW=$T_DIR/www
mkdir -p "$WWW"
echo hello-rootjob >"$WWW/hello.txt"
chmod -R a+rX "$WWW"
netns_http_server "$A4" 8080 "$WWW" || t_fail "http-server"
netns_canary_tcp "$D4" 8080 || t_fail "canary-$D4-8080"
netns_dnsmasq --host-record=web.test,$A4 --host-record=other.test,$D4 ||
	t_fail "dnsmasq"
POL=$T_DIR/rootjob.cordon
cat >"$POL" <<EOF
zone rz extends fork-pr {
	lift host
	dns upstream $NETNS_DNS_V4:53
	allow tcp web.test:8080
}
# No log limit: cordon would not own the job's output for a limit.
zone bare {
}
EOF
chmod 644 "$POL"
# A directory only root may enter: the audit log and the report go there.
PRIV=$T_DIR/root-only
mkdir -m 700 "$PRIV"
chmod 777 "$W"
CURL=(curl -sS --noproxy '*' --connect-timeout 3 -m 5)

# rz ARGS... - cordon run as root in the namespace, from $W.
rz() {
	netns_exec env -C "$W" -u http_proxy -u https_proxy -u HTTP_PROXY \
		-u HTTPS_PROXY -u all_proxy -u ALL_PROXY -u no_proxy -u NO_PROXY \
		PATH=/usr/local/bin:/usr/bin:/bin \
		"$CORDON" run --policy "$POL" --zone rz "$@"
}

rz --audit "$PRIV/audit.jsonl" --report-json "$PRIV/report.json" -- sh -c \
	"id -u; getent hosts web.test; ${CURL[*]} http://web.test:8080/hello.txt" \
	>"$W/out" 2>"$W/err"
st=$?
t_check "as root: the job (nobody) resolves and fetches an allowed name (exit 0)" \
	'[ "$st" = 0 ] && [ "$(sed -n 1p "$W/out")" = "$NOBODY" ] && grep -q "^$A4 .*web.test" "$W/out" && grep -qx hello-rootjob "$W/out"'
[ "$st" = 0 ] || sed 's/^/  /' "$W/out" "$W/err"
t_check "as root: the server saw the request" '[ "$(http_hits "$A4" 8080)" -ge 1 ]'
python3 - "$PRIV/audit.jsonl" "$PRIV/report.json" "$NOBODY" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
h, s = recs[0], recs[-1]
assert h["type"] == "header" and s["type"] == "summary", (h, s)
assert h["uid"] == int(sys.argv[3]) and h["started_as_root"] is True, h
assert s["exit_status"] == 0, s
r = json.load(open(sys.argv[2]))
assert r["type"] == "summary" and r["exit_status"] == 0, r
PY
st=$?
t_check "as root: audit log and report written to a root-only directory, complete" '[ "$st" = 0 ]'
t_check "as root: both files belong to root (opened before the drop)" \
	'[ "$(stat -c %u "$PRIV/audit.jsonl" "$PRIV/report.json" | sort -u)" = 0 ]'

rz --audit "$PRIV/audit-denied.jsonl" -- sh -c \
	"getent hosts other.test; ${CURL[*]} http://other.test:8080/; ${CURL[*]} http://$D4:8080/" \
	>"$W/out" 2>"$W/err"
t_check "as root: a denied name does not resolve, never goes upstream" \
	'! grep -q "$D4" "$W/out" && [ "$(netns_dns_queries other.test | wc -l)" = 0 ]'
t_check "as root: a denied address is never reached (canary empty)" \
	'[ "$(hits "$D4" 8080)" = 0 ]'
t_check "as root: the denials are audited with zone and rule" \
	'audit_has "$PRIV/audit-denied.jsonl" connect "$D4" rz'

start=$(date +%s)
rz -q --limit wall=1s -- sleep 20 >/dev/null 2>&1
st=$?
t_check "as root: a wall limit still fires (124)" '[ "$st" = 124 ] && [ $(($(date +%s) - start)) -lt 10 ]'

for z in rz bare; do
	: >"$PRIV/stdout.log"
	rz -q --zone "$z" -- sh -c 'echo via-fd; echo via-reopen >/dev/stdout; echo err-reopen >/dev/stderr' \
		>"$PRIV/stdout.log" 2>&1
	st=$?
	t_check "as root, zone $z: output to a root-owned file, also reopened as /dev/stdout, /dev/stderr" \
		'[ "$st" = 0 ] && grep -qx via-fd "$PRIV/stdout.log" && grep -qx via-reopen "$PRIV/stdout.log" && grep -qx err-reopen "$PRIV/stdout.log"'
done
if command -v script >/dev/null; then
	netns_exec env -C "$W" script -qec "$CORDON run -q --policy $POL --zone rz -- sh -c 'test -t 1 && echo tty-ok; echo reopen >/dev/tty; echo out >/dev/stdout'" /dev/null >"$W/tty-out" 2>&1
	t_check "as root under a terminal: the job's stdout is a tty it can reopen" \
		'grep -q tty-ok "$W/tty-out" && grep -q reopen "$W/tty-out" && grep -q "^out" "$W/tty-out"'
else
	t_skip "tty" "script(1) missing"
fi

t_done
