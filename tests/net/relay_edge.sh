#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# relay_edge.sh BUILD_DIR - the relay's inspection (netstack/relay.c) at its
# edges, with real components: a TLS server under a test CA made here and a
# plain HTTP server on web.test, a real HTTP proxy (tinyproxy) on
# proxy.test:80, dnsmasq for the names. What must hold: a CONNECT sent to
# the allowed proxy is relayed only for a target a hostname rule allows;
# absolute-form targets name what is checked; ClientHellos with
# encrypted_client_hello (or ESNI), or without SNI (curl to an address,
# openssl s_client -noservername), are reset; a job trickling its first bytes
# one per second is cut off at the inspection deadline (10 s) while the
# relay goes on serving the job's other connections. Each denial: nothing
# reaches the server or the proxy, an audit record names zone and rule.
# Usage: relay_edge.sh BUILD_DIR
. "$(dirname "$0")/netlib.sh"
net_init "$1"
netns_require openssl curl tinyproxy

. "$(dirname "$0")/webhost.sh"
P4=192.0.2.8
P6=2001:db8::8
netns_add_addr "$P4/32" || exit 1
netns_add_addr "$P6/128" || exit 1
# The web host: a test CA, TLS on 443 and HTTP on 80 at $A4 and $A6.
webhost_start web.test evil.test web4.test web6.test

# ---- tinyproxy on proxy.test:80, v4 and v6 (one instance per address) -------
for a in "$P4" "$P6"; do
	: >"$T_DIR/tinyproxy-$a.log"
	chmod 666 "$T_DIR/tinyproxy-$a.log"
	cat >"$T_DIR/tinyproxy-$a.conf" <<EOF
User nobody
Group nogroup
Port 80
Listen $a
Timeout 30
LogFile "$T_DIR/tinyproxy-$a.log"
LogLevel Info
MaxClients 20
EOF
	netns_start_bg "tinyproxy-$a" tinyproxy -d -c "$T_DIR/tinyproxy-$a.conf"
	netns_wait_port "$a" 80 5 || t_fail "tinyproxy-$a"
done
# What tinyproxy was asked for (its own log; the probes above are not
# requests).
proxied() { cat "$T_DIR"/tinyproxy-*.log 2>/dev/null | grep -c "$1"; }

netns_dnsmasq --host-record=web.test,$A4,$A6 \
	--host-record=web4.test,$A4 --host-record=web6.test,$A6 \
	--host-record=evil.test,$A4,$A6 \
	--host-record=proxy.test,$P4,$P6 || t_fail "dnsmasq"

POL=$T_DIR/edge.cordon
cat >"$POL" <<EOF
zone rz extends fork-pr {
	lift host
	allow tcp web.test:443
	allow tcp web.test:80
	allow tcp proxy.test:80
	allow tcp web4.test:443
	allow tcp web6.test:443
}
EOF
chmod 644 "$POL"
AUD=$W/audit
rz() { rm -f "$AUD"; jrun -- "$CORDON" run --policy "$POL" --zone rz --audit "$AUD" "$@"; }
CURL=(curl -sS --connect-timeout 3 -m 8 --cacert "$PKI/ca.pem")
relay_denied() { # SUBSTR: an audit record of a relay denial naming zone and rule
	python3 - "$AUD" "$1" <<'PY'
import json, sys
ok = False
for line in open(sys.argv[1]):
    r = json.loads(line)
    if (r.get("type") == "relay" and r.get("decision") == "deny" and
            r.get("zone") == "rz" and r.get("rule") and
            sys.argv[2] in json.dumps(r)):
        ok = True
sys.exit(0 if ok else 1)
PY
}

# ---- git over https and a Go binary, unchanged, v4 and v6 ------------------------
# git's dumb HTTP protocol from the TLS server's files (a bare repository
# with its info/refs); the pure-Go client (CGO_ENABLED=0: Go's resolver and
# connect path, its own TLS) with the test CA through SSL_CERT_FILE.
git init -q --bare "$WWW/repo.git"
git -C "$T_DIR" init -q src
git -C "$T_DIR/src" -c user.name=t -c user.email=t@test commit -q --allow-empty -m relayed-commit
git -C "$T_DIR/src" push -q "$WWW/repo.git" HEAD:refs/heads/main
git -C "$WWW/repo.git" symbolic-ref HEAD refs/heads/main
git -C "$WWW/repo.git" update-server-info
chmod -R a+rX "$WWW"
for v in 4 6; do
	a=$A4
	[ $v = 6 ] && a=$A6
	n=$(cat "$T_DIR/req-$a-443.log" 2>/dev/null | wc -l)
	rm -rf "$W/clone$v"
	rz -- env GIT_SSL_CAINFO="$PKI/ca.pem" git clone -q "https://web$v.test/repo.git" \
		"$W/clone$v" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "git-https-v$v-through-relay" 'git -c safe.directory="*" -C "$W/clone$v" log --format=%s 2>/dev/null | grep -qx relayed-commit'
	[ -d "$W/clone$v" ] || sed 's/^/    /' "$T_DIR/err"
	t_check "git-https-v$v-reached-v$v-server" '[ "$(cat "$T_DIR/req-$a-443.log" 2>/dev/null | wc -l)" -gt "$n" ]'
	if [ -x "$GOCLIENT" ]; then
		rz --audit-level all -- env SSL_CERT_FILE="$PKI/ca.pem" "$GOCLIENT" "https://web$v.test/hello.txt" \
			>"$T_DIR/out" 2>"$T_DIR/err"
		t_check "go-https-v$v-through-relay" 'grep -qx hello-cordon "$T_DIR/out"'
		# The relay checked the Go client's SNI: the audit says so.
		t_check "go-https-v$v-sni-relayed" 'grep -q "\"type\":\"relay\".*web$v.test" "$AUD"'
	else
		t_skip "go-https-v$v-through-relay" "goclient not built (no Go)"
	fi
done

# ---- CONNECT through an allowed proxy ----------------------------------------
# The job connects to proxy.test:80 (allowed, SNI/Host checked); its first
# bytes are "CONNECT host:port": the target must be allowed on its port.
for fl in -4 -6; do
	before=$(webhost_reqs)
	rz -- "${CURL[@]}" "$fl" -p -x http://proxy.test:80 \
		https://web.test/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "connect$fl-allowed-target-works" 'grep -qx hello-cordon "$T_DIR/out"'
	t_check "connect$fl-allowed-target-reached-server" '[ "$(webhost_reqs)" -gt "$before" ]'
	before=$(webhost_reqs)
	rz -- "${CURL[@]}" "$fl" -p -x http://proxy.test:80 \
		https://evil.test/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "connect$fl-denied-target-reset" '[ "$st" != 0 ] && ! grep -q hello-cordon "$T_DIR/out"'
	t_check "connect$fl-denied-target-audited" 'relay_denied evil.test'
	t_check "connect$fl-denied-target-server-saw-nothing" '[ "$(webhost_reqs)" = "$before" ]'
	# The allowed name on a port no rule allows.
	rz -- "${CURL[@]}" "$fl" -p -x http://proxy.test:80 \
		https://web.test:8443/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "connect$fl-denied-port-reset" '[ "$st" != 0 ] && relay_denied web.test'
done
t_check "connect-denied-proxy-saw-nothing" '[ "$(proxied evil.test)" = 0 ] && [ "$(proxied ":8443")" = 0 ]'
t_check "connect-allowed-proxy-saw-it" '[ "$(proxied "CONNECT web.test:443")" -ge 2 ]'

# ---- absolute-form request targets ----------------------------------------------
# Hand-made heads to web.test:80 (pinned by the job's own lookup); the
# answer is "http" (a status line came back) or "reset".
cat >"$W/head.py" <<'EOF'
import socket, sys
host, port, head = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socket.getaddrinfo(host, port)                # pins the address
s = socket.create_connection((host, port), timeout=8)
s.sendall(head.encode().decode("unicode_escape").encode("latin-1"))
try:
    data = s.recv(100)
    print("http" if data.startswith(b"HTTP/") else "other %r" % data[:20])
except ConnectionResetError:
    print("reset")
EOF
chmod 644 "$W/head.py"
before=$(webhost_reqs)
rz -- python3 "$W/head.py" web.test 80 'GET http://evil.test/hello.txt HTTP/1.0\r\n\r\n' >"$T_DIR/out" 2>"$T_DIR/err"
t_check "absolute-form-other-host-reset" 'grep -qx reset "$T_DIR/out" && relay_denied evil.test'
rz -- python3 "$W/head.py" web.test 80 'GET http://evil.test/hello.txt HTTP/1.1\r\nHost: evil.test\r\n\r\n' >"$T_DIR/out" 2>"$T_DIR/err"
t_check "absolute-form-other-host-with-host-reset" 'grep -qx reset "$T_DIR/out" && relay_denied evil.test'
# The target and Host disagree: which one a server uses is its choice.
rz -- python3 "$W/head.py" web.test 80 'GET http://evil.test/hello.txt HTTP/1.1\r\nHost: web.test\r\n\r\n' >"$T_DIR/out" 2>"$T_DIR/err"
t_check "absolute-form-host-disagrees-reset" 'grep -qx reset "$T_DIR/out"'
t_check "absolute-form-denied-server-saw-nothing" '[ "$(webhost_reqs)" = "$before" ]'
rz -- python3 "$W/head.py" web.test 80 'GET http://web.test/hello.txt HTTP/1.1\r\nHost: web.test\r\n\r\n' >"$T_DIR/out" 2>"$T_DIR/err"
t_check "absolute-form-allowed-host-answered" 'grep -qx http "$T_DIR/out"'
# Through the proxy: a plain-HTTP proxy request names its target in
# absolute form; a disallowed one never reaches the proxy.
rz -- "${CURL[@]}" -x http://proxy.test:80 http://evil.test/hello.txt \
	>"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "proxy-absolute-form-denied" '[ "$st" != 0 ] && relay_denied evil.test && [ "$(proxied evil.test)" = 0 ]'

# ---- ClientHellos with encrypted_client_hello or ESNI, and without SNI ------------
# No client on Debian 12 sends GREASE ECH (curl 7.88 and node on OpenSSL
# 3.0, Go 1.19, python: none has ECH), so the extension is added by hand to
# python's own ClientHello: an outer ECH (draft-ietf-tls-esni 5) with an
# X25519 enc and a payload, lengths fixed up.
cat >"$W/hello.py" <<'EOF'
import os, socket, ssl, struct, sys
host, ext = sys.argv[1], sys.argv[2]
socket.getaddrinfo(host, 443)                 # pins the address
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_hostname=host)
try:
    o.do_handshake()
except ssl.SSLWantReadError:
    pass
h = out.read()
if ext != "none":
    etype = {"ech": 0xfe0d, "ech-draft10": 0xfe0a, "esni": 0xffce}[ext]
    body = (b"\x00" + struct.pack("!HHB", 1, 1, 0x42) +
            struct.pack("!H", 32) + os.urandom(32) +
            struct.pack("!H", 144) + os.urandom(144))
    rec = h[5:]
    assert h[0] == 22 and rec[0] == 1 and len(rec) == struct.unpack("!H", h[3:5])[0]
    b = rec[4:]
    p = 2 + 32
    p += 1 + b[p]
    p += 2 + struct.unpack("!H", b[p:p + 2])[0]
    p += 1 + b[p]
    exts = b[p + 2:] + struct.pack("!HH", etype, len(body)) + body
    b = b[:p] + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + len(b).to_bytes(3, "big") + b
    h = h[:3] + struct.pack("!H", len(hs)) + hs
s = socket.create_connection((host, 443), timeout=8)
s.sendall(h)
try:
    data = s.recv(100)
    print("got", len(data))
except ConnectionResetError:
    print("reset")
EOF
chmod 644 "$W/hello.py"
before=$(webhost_reqs)
for e in ech ech-draft10 esni; do
	rz -- python3 "$W/hello.py" web.test "$e" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "hello-$e-reset" 'grep -qx reset "$T_DIR/out"'
done
t_check "hello-ech-audited" 'relay_denied encrypted_client_hello'
# The same hello without the extension is answered (a ServerHello).
rz -- python3 "$W/hello.py" web.test none >"$T_DIR/out" 2>"$T_DIR/err"
t_check "hello-without-ech-answered" 'grep -q "^got [1-9]" "$T_DIR/out"'
# Real clients without SNI: curl to an address literal (RFC 6066 forbids
# it there), openssl s_client -noservername. The address is pinned by the
# job's own lookup of web.test, so only the missing SNI is refused.
for a in "$A4" "[$A6]"; do
	rz -- sh -c "getent ahosts web.test >/dev/null; exec curl -sS -m 8 -k https://$a/hello.txt" \
		>"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "curl-address-no-sni-$a-reset" '[ "$st" != 0 ] && ! grep -q hello-cordon "$T_DIR/out" && relay_denied "without SNI"'
done
rz -- sh -c 'echo | openssl s_client -noservername -connect web.test:443' \
	>"$T_DIR/out" 2>"$T_DIR/err"
t_check "s_client-noservername-reset" '! grep -q "BEGIN CERTIFICATE\|Server certificate" "$T_DIR/out" && relay_denied "without SNI"'
rz -- sh -c 'echo | openssl s_client -servername web.test -connect web.test:443' \
	>"$T_DIR/out" 2>"$T_DIR/err"
t_check "s_client-servername-answered" 'grep -q "Server certificate" "$T_DIR/out"'
t_check "ech-no-sni-server-saw-nothing" '[ "$(webhost_reqs)" = "$before" ]'

# ---- slowloris: one byte per second, cut at the deadline; the others served -
# One job: two connections trickle (a ClientHello to :443, a request head
# to :80) one byte a second; meanwhile the job makes 5 full HTTPS requests
# through the same relay. The tricklers must be reset at the inspection
# deadline (10 s after the accept; swept every 0.5 s), having reached
# nothing; the requests must all succeed, each within a few seconds.
cat >"$W/slow.py" <<'EOF'
import http.client, os, select, socket, ssl, sys, threading, time
ca = sys.argv[1]
socket.getaddrinfo("web.test", 443)
cut = {}

def trickle(tag, port, data):
    s = socket.create_connection(("web.test", port), timeout=5)
    t0 = time.monotonic()
    for i in range(len(data)):
        try:
            s.send(data[i:i + 1])
        except OSError:
            break
        r, _, _ = select.select([s], [], [], 1.0)
        if r:
            try:
                if s.recv(100) == b"":
                    break
            except OSError:
                break
        if time.monotonic() - t0 > 30:
            cut[tag] = None
            return
    cut[tag] = (time.monotonic() - t0, i + 1)

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_hostname="web.test")
try:
    o.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
threads = [threading.Thread(target=trickle, args=("tls", 443, hello)),
           threading.Thread(target=trickle, args=("http", 80,
               b"GET /hello.txt HTTP/1.1\r\nHost: web.test\r\nUser-Agent: slow\r\n\r\n"))]
for t in threads:
    t.start()
time.sleep(1)
ok, slowest = 0, 0.0
vctx = ssl.create_default_context(cafile=ca)
for i in range(5):
    t0 = time.monotonic()
    try:
        c = http.client.HTTPSConnection("web.test", 443, timeout=8, context=vctx)
        c.request("GET", "/hello.txt")
        if c.getresponse().read() == b"hello-cordon\n":
            ok += 1
        c.close()
    except OSError as e:
        print("request failed:", e)
    slowest = max(slowest, time.monotonic() - t0)
    time.sleep(0.5)
print("others ok %d slowest %.1f" % (ok, slowest))
for t in threads:
    t.join()
for tag in ("tls", "http"):
    c = cut.get(tag)
    print("%s %s" % (tag, "not cut" if c is None else "cut %.1f after %d bytes" % c))
EOF
chmod 644 "$W/slow.py"
before=$(webhost_reqs)
rz -- python3 "$W/slow.py" "$PKI/ca.pem" >"$T_DIR/out" 2>"$T_DIR/err"
cat "$T_DIR/out"
cut_in_window() { # TAG: reset between 9 s and 10 s + slack after the connect
	awk -v tag="$1" -v hi="$((10 + 4 * T_SCALE))" \
		'$1 == tag && $2 == "cut" { ok = ($3 >= 9 && $3 <= hi) } END { exit !ok }' \
		"$T_DIR/out"
}
t_check "slowloris-tls-cut-at-deadline" 'cut_in_window tls'
t_check "slowloris-http-cut-at-deadline" 'cut_in_window http'
served_meanwhile() { # all 5 answered, none slower than 5 s (the deadline is 10)
	awk -v hi="$((5 * T_SCALE))" \
		'$1 == "others" { ok = ($3 == 5 && $5 <= hi) } END { exit !ok }' \
		"$T_DIR/out"
}
t_check "slowloris-others-served-meanwhile" 'served_meanwhile'
t_check "slowloris-audited" 'relay_denied "inspection deadline"'
# Only the 5 requests reached the server, not a byte of the tricklers'.
t_check "slowloris-server-saw-only-the-others" '[ "$(webhost_reqs)" = "$((before + 5))" ]'

t_done
