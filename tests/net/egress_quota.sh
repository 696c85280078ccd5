#!/bin/bash
# SPDX-License-Identifier: MIT
# egress_quota.sh - `limit egress` enforced (netstack/quota.c, relay.c,
# sentry/sys_net.c) with a real origin (tests/net/relayd.py) on port 80 of
# the namespace's test hosts and a UDP sink: what the job sends out of the
# sandbox through the relay (the TCP connects hostname rules allow) and
# through mediated UDP sends is counted; at the quota the stream is reset
# (the origin never gets more
# than the quota), new connects and datagrams fail with EDQUOT, or under
# egress-overflow kill the tree is killed (124). What the job receives is
# not counted: a 100 MiB download under egress=1M completes.
# Usage: egress_quota.sh BUILD_DIR
. "$(dirname "$0")/netlib.sh"
net_init "$1"

HERE=$(cd "$(dirname "$0")" && pwd)
cp "$HERE/relayd.py" "$T_DIR/bin/"
chmod 644 "$T_DIR/bin/relayd.py"
netns_start_bg "origin" "$NETNS_PYTHON" -u "$T_DIR/bin/relayd.py" "$A4" 80 \
	"$T_DIR/req.log"
netns_wait_port "$A4" 80 5 || t_fail "origin"
netns_canary_udp "$A4" 9999 || t_fail "udp-sink"
netns_dnsmasq --host-record=web.test,$A4 || t_fail "dnsmasq"

POL=$T_DIR/quota.cordon
cat >"$POL" <<POLICY
zone q extends fork-pr {
	lift host
	allow tcp web.test:80
	allow udp $A4:9999
	limit egress 1M
}
zone qk extends q {
	limit egress-overflow kill
}
POLICY
chmod 644 "$POL"
AUD=$W/audit
REP=$W/report.json
qrun() { # ZONE CMD...
	local z=$1
	shift
	rm -f "$AUD" "$REP"
	jrun -- "$CORDON" run --policy "$POL" --zone "$z" --audit "$AUD" \
		--report-json "$REP" -- "$@"
}
rep() { # PY-EXPR on the summary r: print it
	python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$REP" "$1" 2>/dev/null
}
quota_audited() { # a relay or decision denial naming the zone and the limit
	python3 - "$AUD" "$1" <<'PY'
import json, sys
ok = any(r.get("decision") == "deny" and r.get("zone") == sys.argv[2] and
         "limit egress" in json.dumps(r) for r in map(json.loads, open(sys.argv[1])))
sys.exit(0 if ok else 1)
PY
}
origin_max_body() { # the largest request body the origin received
	awk '{sub("body=", "", $4); if ($4 + 0 > m) m = $4 + 0} END {print m + 0}' "$T_DIR/req.log"
}

cat >"$W/up.py" <<'PY'
# up.py HOST: POST 2 MiB to HOST:80 (the hostname rule: relayed), then
# try a new connect and a datagram.
import errno, socket, sys
host = sys.argv[1]
addr = socket.getaddrinfo(host, 80, socket.AF_INET)[0][4][0]
res = []
s = socket.create_connection((addr, 80), timeout=10)
body = b"x" * (2 << 20)
try:
    s.sendall(b"POST /up HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n" % (host.encode(), len(body)))
    s.sendall(body)
    res.append("sent:" + s.recv(100).split(b"\r\n")[0].decode())
except OSError as e:
    res.append("upload:" + errno.errorcode.get(e.errno, str(e.errno)))
s.close()
for what in ("connect", "udp"):
    try:
        if what == "connect":
            socket.create_connection((addr, 80), timeout=5).close()
        else:
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"u" * 100, (addr, 9999))
        res.append(what + ":ok")
    except OSError as e:
        res.append(what + ":" + errno.errorcode.get(e.errno, str(e.errno)))
print(" ".join(res))
PY
chmod 644 "$W/up.py"

# ---- refuse: the stream is reset at the quota, then EDQUOT ------------------
for host in web.test; do
	: >"$T_DIR/req.log"
	qrun q python3 "$W/up.py" "$host" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "refuse-$host-upload-reset" 'grep -q "^upload:\(ECONNRESET\|EPIPE\) connect:EDQUOT udp:EDQUOT$" "$T_DIR/out"'
	t_check "refuse-$host-origin-got-at-most-1M" '[ "$(origin_max_body)" -le 1048576 ]'
	t_check "refuse-$host-peak-at-quota" '[ "$(rep "r[\"limits\"][\"egress\"][\"peak\"]")" -le 1048576 ] && [ "$(rep "r[\"limits\"][\"egress\"][\"peak\"]")" -gt 900000 ]'
	t_check "refuse-$host-refused-counted" '[ "$(rep "r[\"limits\"][\"egress\"][\"refused\"]")" -ge 3 ]'
	t_check "refuse-$host-audited" 'quota_audited q'
	t_check "refuse-$host-not-killed" '[ "$(rep "r[\"limits\"][\"egress\"][\"fired\"]")" = False ]'
done

# ---- kill: exit 124, the report says the egress limit fired -----------------
: >"$T_DIR/req.log"
qrun qk python3 "$W/up.py" web.test >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "kill-exit-124" '[ "$st" = 124 ]'
t_check "kill-message" 'grep -q "limit egress exceeded: killing the job" "$T_DIR/err"'
t_check "kill-fired" '[ "$(rep "r[\"limits\"][\"egress\"][\"fired\"]")" = True ]'
t_check "kill-origin-got-at-most-1M" '[ "$(origin_max_body)" -le 1048576 ]'

# ---- UDP alone: datagrams until the quota, then EDQUOT -----------------------
cat >"$W/udp.py" <<'PY'
import errno, socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = 0
for i in range(3000):
    try:
        u.sendto(b"d" * 1000, ("192.0.2.1", 9999))
        sent += 1000
    except OSError as e:
        print(sent, errno.errorcode.get(e.errno))
        break
PY
chmod 644 "$W/udp.py"
qrun q python3 "$W/udp.py" >"$T_DIR/out" 2>"$T_DIR/err"
t_check "udp-stopped-at-quota" 'read -r n e <"$T_DIR/out" && [ "$e" = EDQUOT ] && [ "$n" -le 1048576 ] && [ "$n" -gt 1040000 ]'

# ---- what is received is not counted ----------------------------------------
qrun q curl -sS --noproxy '*' -m 60 -o /dev/null -w '%{size_download}\n' \
	"http://web.test/big/104857600" >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "download-100M-not-stopped" '[ "$st" = 0 ] && [ "$(cat "$T_DIR/out")" = 104857600 ]'
t_check "download-100M-peak-small" '[ "$(rep "r[\"limits\"][\"egress\"][\"peak\"]")" -lt 65536 ]'
# policy show says what is counted; "not enforced yet" is gone.
"$CORDON" policy show --policy "$POL" --zone q >"$T_DIR/out" 2>&1
t_check "show-says-what-is-counted" 'grep -q "^# egress: counted: " "$T_DIR/out" && grep -q "limit egress 1M" "$T_DIR/out" && grep -q "limit egress-overflow kill" <("$CORDON" policy show --policy "$POL" --zone qk)'
t_check "show-no-not-enforced" '! grep -q "not enforced" "$T_DIR/out"'
jrun -- "$CORDON" run --policy "$POL" --zone q --report -- true \
	2>"$T_DIR/err" >/dev/null
t_check "report-no-not-enforced" '! grep -q "not enforced" "$T_DIR/err" && grep -q "limit egress" "$T_DIR/err"'

t_done
