#!/bin/bash
# SPDX-License-Identifier: MIT
# relay.sh - the inspecting relay (netstack/relay.c) with real components: a
# TLS server (python's http.server under a test CA made here) on 443 and a
# plain one on 80, dnsmasq answering web.test and evil.test with the same
# addresses (one "CDN"), and real clients (curl, wget, python requests, node
# fetch) unchanged, IPv4 and IPv6. What must hold: allowed names work and
# the job sees the address it asked for (getpeername, getsockname); domain
# fronting (another SNI, another Host on the allowed name's address), no
# SNI and a hand-made ClientHello are reset with nothing reaching the
# server; a local process that is not the job is refused by the relay.
# Usage: relay.sh BUILD_DIR
. "$(dirname "$0")/netlib.sh"
net_init "$1"
netns_require openssl curl

. "$(dirname "$0")/webhost.sh"
# The web host: a test CA, TLS on 443 and HTTP on 80 at $A4 and $A6.
webhost_start web.test evil.test dnsonly.test
netns_dnsmasq --host-record=web.test,$A4,$A6 \
	--host-record=evil.test,$A4,$A6 \
	--host-record=dnsonly.test,$A4,$A6 || t_fail "dnsmasq"

POL=$T_DIR/relay.cordon
cat >"$POL" <<EOF
zone rz extends fork-pr {
	lift host
	allow tcp web.test:443
	allow tcp web.test:80
	dns allow dnsonly.test
}
zone az extends fork-pr {
	lift host
	allow tcp $A4:80
}
EOF
chmod 644 "$POL"
AUD=$W/audit
rz() { rm -f "$AUD"; jrun -- "$CORDON" run --policy "$POL" --zone rz --audit "$AUD" "$@"; }
CURL=(curl -sS --noproxy '*' --connect-timeout 3 -m 8 --cacert "$PKI/ca.pem")
relay_denied() { # SUBSTR: an audit record of a relay denial naming zone and rule
	python3 - "$AUD" "$1" <<'PY'
import json, sys
ok = False
for line in open(sys.argv[1]):
    r = json.loads(line)
    if (r.get("type") == "relay" and r.get("decision") == "deny" and
            r.get("zone") == "rz" and sys.argv[2] in json.dumps(r)):
        ok = True
sys.exit(0 if ok else 1)
PY
}

# ---- allowed: every client, v4 and v6, sees what it asked for ---------------
for fl in -4 -6; do
	rz -- "${CURL[@]}" "$fl" -w '\n%{remote_ip} %{local_ip}\n' \
		https://web.test/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "curl$fl-https-through-relay" 'grep -qx hello-cordon "$T_DIR/out"'
	want=$A4
	[ "$fl" = -6 ] && want=$A6
	# getpeername: the destination; getsockname: the source towards it
	# (here the same host address), never the relay's loopback.
	t_check "curl$fl-sees-peer-and-source" 'grep -qx "$want $want" "$T_DIR/out"'
	rz -- "${CURL[@]}" "$fl" http://web.test/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "curl$fl-http-host-through-relay" 'grep -qx hello-cordon "$T_DIR/out"'
done
for c in wget requests node; do
	case $c in
	wget) cmd=(wget -q -O - --no-proxy -T 5 -t 1 --ca-certificate="$PKI/ca.pem") ;;
	requests) cmd=(env CA="$PKI/ca.pem" /usr/bin/python3 -c 'import os, sys, requests
s = requests.Session(); s.trust_env = False
r = s.get(sys.argv[1], timeout=5, verify=os.environ["CA"])
r.raise_for_status(); sys.stdout.write(r.text)') ;;
	node) cmd=(env NODE_EXTRA_CA_CERTS="$PKI/ca.pem" node -e 'fetch(process.argv[1], {signal: AbortSignal.timeout(5000)})
  .then(r => r.text()).then(t => process.stdout.write(t))
  .catch(e => { console.error(e.cause || e); process.exit(1); })') ;;
	esac
	command -v "${cmd[0]}" >/dev/null || continue
	rz -- "${cmd[@]}" https://web.test/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "$c-https-through-relay" 'grep -qx hello-cordon "$T_DIR/out"'
done
# A large body both ways (splice, half-close): 8 MiB up, echoed size down.
head -c 8388608 /dev/urandom >"$W/big"
chown "$T_USER" "$W/big"
rz -- "${CURL[@]}" -4 -o "$W/got" https://web.test/hello.txt 2>"$T_DIR/err"
t_check "relay-download-ok" '[ "$(cat "$W/got" 2>/dev/null)" = hello-cordon ]'
cp "$W/big" "$WWW/big"
chmod 644 "$WWW/big"
rz -- "${CURL[@]}" -6 -o "$W/got" https://web.test/big 2>"$T_DIR/err"
t_check "relay-8MiB-download-intact" 'cmp -s "$W/got" "$WWW/big"'

# ---- domain fronting: another name on the allowed name's address ---------------
before=$(webhost_reqs)
for fl in 4 6; do
	a=$A4
	[ $fl = 6 ] && a="[$A6]"
	# The job resolved web.test (so the address is pinned), then names
	# evil.test in the ClientHello.
	rz -- sh -c "getent ahosts web.test >/dev/null; exec curl -sS --noproxy '*' -m 8 --cacert $PKI/ca.pem --resolve evil.test:443:$a https://evil.test/hello.txt" \
		>"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "fronting-sni-v$fl-reset" '[ "$st" != 0 ] && ! grep -q hello-cordon "$T_DIR/out" && grep -qi "reset\|SSL_ERROR_SYSCALL\|connection" "$T_DIR/err"'
	t_check "fronting-sni-v$fl-audited" 'relay_denied evil.test'
	# A name the job resolved to that address but no rule allows.
	rz -- sh -c "getent ahosts web.test >/dev/null; exec curl -sS --noproxy '*' -m 8 --cacert $PKI/ca.pem https://dnsonly.test/hello.txt" \
		>"$T_DIR/out" 2>"$T_DIR/err"
	t_check "resolvable-unallowed-sni-v$fl-refused" '! grep -q hello-cordon "$T_DIR/out"'
	# HTTP: the Host header names another site.
	rz -- "${CURL[@]}" -$fl -H "Host: evil.test" http://web.test/hello.txt \
		>"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "host-spoof-v$fl-reset" '[ "$st" != 0 ] && ! grep -q hello-cordon "$T_DIR/out"'
	t_check "host-spoof-v$fl-audited" 'relay_denied evil.test'
done
t_check "fronting-server-saw-nothing" '[ "$(webhost_reqs)" = "$before" ]'

# ---- hand-made ClientHellos: another SNI, no SNI -----------------------------
cat >"$W/hello.py" <<'EOF'
import socket, ssl, sys
sni = sys.argv[1] or None
socket.getaddrinfo("web.test", 443)          # pins the address
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_hostname=sni)
try:
    o.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()                            # the ClientHello's bytes
s = socket.create_connection(("web.test", 443), timeout=5)
s.sendall(hello)
try:
    data = s.recv(100)
    print("got", len(data))
except ConnectionResetError:
    print("reset")
EOF
chmod 644 "$W/hello.py"
before=$(webhost_reqs)
rz -- python3 "$W/hello.py" evil.test >"$T_DIR/out" 2>"$T_DIR/err"
t_check "handmade-hello-other-sni-reset" 'grep -qx reset "$T_DIR/out"'
rz -- python3 "$W/hello.py" "" >"$T_DIR/out" 2>"$T_DIR/err"
t_check "handmade-hello-no-sni-reset" 'grep -qx reset "$T_DIR/out"'
t_check "no-sni-audited" 'relay_denied SNI'
rz -- python3 "$W/hello.py" web.test >"$T_DIR/out" 2>"$T_DIR/err"
t_check "handmade-hello-right-sni-answered" 'grep -q "^got [1-9]" "$T_DIR/out"'
t_check "handmade-denied-server-saw-nothing" '[ "$(webhost_reqs)" = "$before" ]'

# ---- only the job reaches the relay ----------------------------------------------
# The job holds a relayed connection open; its peer (seen from outside,
# with ss) is the relay's listener. A root process outside the job connects
# there and is refused.
rm -f "$AUD"
# The job holds it until the outsider has tried (a file appears), at most
# 60 s: a fixed sleep ended before the outsider started on a loaded host.
rm -f "$W/outsider-done"
jrun -- "$CORDON" run --policy "$POL" --zone rz --audit "$AUD" -- python3 -c \
	'import os, socket, sys, time
s = socket.create_connection(("web.test", 443))
end = time.time() + 60
while not os.path.exists(sys.argv[1]) and time.time() < end:
    time.sleep(0.1)' "$W/outsider-done" \
	>/dev/null 2>"$T_DIR/err" &
job=$!
port=
for _ in $(seq 50); do
	port=$(netns_exec ss -Htnp state established 2>/dev/null | awk '/python3/ && $4 ~ /^(127\.0\.0\.1|\[::1\]):/ {print $4; exit}')
	[ -n "$port" ] && break
	sleep 0.1
done
t_check "relay-listener-found" '[ -n "$port" ]'
before=$(webhost_reqs)
netns_exec python3 - "$port" >"$T_DIR/out" 2>&1 <<'EOF'
import socket, ssl, sys
host, port = sys.argv[1].rsplit(":", 1)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    s = socket.create_connection((host.strip("[]"), int(port)), timeout=3)
    t = ctx.wrap_socket(s, server_hostname="web.test")
    t.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: web.test\r\n\r\n")
    print("got" if t.recv(100) else "eof")
except (ConnectionResetError, BrokenPipeError):
    print("reset")
except ssl.SSLError as e:
    print("ssl", e)
EOF
t_check "outsider-refused" 'grep -qx reset "$T_DIR/out"'
touch "$W/outsider-done"
wait "$job"
t_check "outsider-audited" 'relay_denied "not a job socket"'
t_check "outsider-server-saw-nothing" '[ "$(webhost_reqs)" = "$before" ]'

# ---- socket names: notified where the zone can translate, only there ----------
# rz has hostname rules, so getsockname()/getpeername() are the supervisor's
# (FILTER_SOCKNAMES): a relayed socket shows the destination and a source
# towards it, never the relay's loopback. az allows the same server by
# address only: nothing there is translated, and both calls stay in the
# kernel (no decision record for them even with --audit-level all).
names_py='import socket, sys
a = socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM)[0][4]
s = socket.socket()
s.connect(a)
print(s.getpeername()[0], s.getsockname()[0])'
rz --audit-level all -- python3 -c "$names_py" web.test >"$T_DIR/out" 2>"$T_DIR/err"
t_check "names-translated-with-hostname-rules" 'grep -qx "$A4 $A4" "$T_DIR/out"'
t_check "names-notified-with-hostname-rules" 'grep -q "\"syscall\":\"getpeername\"" "$AUD"'
rm -f "$AUD"
jrun -- "$CORDON" run --policy "$POL" --zone az --audit "$AUD" --audit-level all \
	-- python3 -c "$names_py" "$A4" >"$T_DIR/out" 2>"$T_DIR/err"
t_check "names-direct-without-hostname-rules" 'grep -qx "$A4 $A4" "$T_DIR/out"'
t_check "names-in-kernel-without-hostname-rules" \
	'[ -s "$AUD" ] && ! grep -q "\"syscall\":\"get\(peer\|sock\)name\"" "$AUD"'

t_done
