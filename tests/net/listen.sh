#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# listen.sh BUILD_DIR - a server that listens on the wildcard address, as
# test suites start them (Node's server.listen(0), Python's http.server and
# socket.create_server(('', 0)), Go's http.Serve on ":0" and httptest), in
# zones that allow listening on loopback only (fork-pr's `listen deny`, and
# `listen loopback`): the job's own clients reach it over IPv4 and IPv6,
# getsockname() shows the wildcard the job asked for, an audit event records
# the narrowing, and a host outside (a second network namespace, linked by
# a veth pair) cannot connect: its SYN is reset as at a closed port, no
# handshake (natively it connects). Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

J=$T_DIR/jobs
mkdir -p "$J"
cat >"$J/node.js" <<'EOF2'
const http = require("http");
const srv = http.createServer((q, r) => r.end("hello"));
srv.listen(0, () => {
	const port = srv.address().port;
	let left = 2;
	for (const host of ["127.0.0.1", "::1"]) {
		const name = host.includes(":") ? "node-v6" : "node-v4";
		http.get({host, port, timeout: 3000}, (r) => {
			let b = "";
			r.on("data", (d) => (b += d));
			r.on("end", () => {
				console.log(b === "hello" ? `${name} ok` : `${name}: ${b}`);
				if (--left === 0) srv.close();
			});
		}).on("error", (e) => {
			console.log(`${name}: ${e.code}`);
			if (--left === 0) srv.close();
		});
	}
});
EOF2
cat >"$J/py.py" <<'EOF2'
import http.server, socket, threading, urllib.request
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"hello")
    def log_message(self, *a):
        pass
class DualStack(http.server.ThreadingHTTPServer):
    # What `python3 -m http.server` binds: :: with IPV6_V6ONLY off.
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        return super().server_bind()
def fetch(name, url):
    try:
        o = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        b = o.open(url, timeout=3).read()
        print(name, "ok" if b == b"hello" else b)
    except OSError as e:
        print(name + ":", e)
for name, cls, addr, hosts in (
        ("http.server-dualstack", DualStack, ("::", 0), ("127.0.0.1", "[::1]")),
        ("http.server-v4", http.server.ThreadingHTTPServer, ("", 0), ("127.0.0.1",))):
    try:
        srv = cls(addr, Handler)
    except OSError as e:
        print(name + ": bind", e)
        continue
    print(name, "name", srv.socket.getsockname()[0] or "''")
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    for h in hosts:
        fetch("%s-%s" % (name, "v6" if h.startswith("[") else "v4"),
              "http://%s:%d/" % (h, srv.server_address[1]))
    srv.shutdown()
# socket.create_server(('', 0), family=AF_INET6, dualstack_ipv6=True)
try:
    l = socket.create_server(("", 0), family=socket.AF_INET6,
                             dualstack_ipv6=True)
    port = l.getsockname()[1]
    for host, fam in (("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET6)):
        c = socket.socket(fam)
        c.settimeout(3)
        c.connect((host, port))
        a, _ = l.accept()
        a.sendall(b"x")
        print("create_server-dualstack-%s" % ("v6" if ":" in host else "v4"),
              "ok" if c.recv(1) == b"x" else "bad")
except OSError as e:
    print("create_server-dualstack:", e)
EOF2
# The outside test: serve on a fixed port for a while; a host in another
# namespace tries to connect meanwhile, and the job's own client too.
cat >"$J/serve.py" <<'EOF2'
import socket, sys, threading, time
ready, log = sys.argv[1], sys.argv[2]
l = socket.create_server(("", 8300), family=socket.AF_INET6,
                         dualstack_ipv6=True)
l.settimeout(0.2)
open(ready, "w").write("1")
end = time.time() + float(sys.argv[3])
own = socket.socket(socket.AF_INET)
own.settimeout(3)
own.connect(("127.0.0.1", 8300))
with open(log, "a") as f:
    while time.time() < end:
        try:
            c, peer = l.accept()
        except socket.timeout:
            continue
        f.write("peer %s\n" % peer[0])
        f.flush()
        c.close()
EOF2
cat >"$J/outside.py" <<'EOF2'
import errno, socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam)
s.settimeout(2)
try:
    s.connect((sys.argv[1], 8300))
    print("connected")
except socket.timeout:
    print("timeout")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
EOF2
chmod -R a+rX "$J"

# run_as ZONE CMD... -- run CMD natively (ZONE "native") or under cordon in
# ZONE (fork-pr: the default); output in $T_DIR/out.
run_as() {
	local zone=$1
	shift
	case $zone in
	native) jrun -- "$@" >"$T_DIR/out" 2>&1 ;;
	fork-pr) jrun -- "$CORDON" run -q --audit "$W/audit.jsonl" -- "$@" \
		>"$T_DIR/out" 2>&1 ;;
	*) jrun -- "$CORDON" run -q --audit "$W/audit.jsonl" \
		--policy "$NET_POLICY" --zone "$zone" -- "$@" >"$T_DIR/out" 2>&1 ;;
	esac
}

for zone in native fork-pr net-listen-lo; do
	rm -f "$W/audit.jsonl"
	run_as "$zone" node "$J/node.js"
	for c in node-v4 node-v6; do
		t_check "$zone-$c" 'grep -qx "$c ok" "$T_DIR/out"'
	done
	grep -v " ok$" "$T_DIR/out" | sed 's/^/     /'
	run_as "$zone" python3 "$J/py.py"
	for c in http.server-dualstack-v4 http.server-dualstack-v6 \
		http.server-v4-v4 create_server-dualstack-v4 \
		create_server-dualstack-v6; do
		t_check "$zone-$c" 'grep -qx "$c ok" "$T_DIR/out"'
	done
	# getsockname() shows what the job asked: the wildcard.
	t_check "$zone-getsockname-wildcard" \
		'grep -qx "http.server-dualstack name ::" "$T_DIR/out" &&
		 grep -qx "http.server-v4 name 0.0.0.0" "$T_DIR/out"'
	[ "$zone" = native ] || t_check "$zone-narrowing-audited" \
		'grep -q "\"event\":\"listen-narrowed\"" "$W/audit.jsonl"'
	[ "$zone" = native ] || t_check "$zone-narrowing-not-a-denial" \
		'! grep -q "\"type\":\"decision\".*\"decision\":\"deny\"" "$W/audit.jsonl"'
	[ "$zone" = native ] ||
		grep "\"type\":\"decision\".*\"decision\":\"deny\"" "$W/audit.jsonl" |
		head -3 | sed 's/^/     /'
	grep -v " ok$\| name " "$T_DIR/out" | sed 's/^/     /'
	if [ -x "$GOLISTEN" ]; then
		run_as "$zone" "$GOLISTEN"
		for c in httptest wildcard-v4 wildcard-v6 dial-unspecified; do
			t_check "$zone-go-$c" 'grep -qx "$c ok" "$T_DIR/out"'
		done
		grep -v " ok$" "$T_DIR/out" | sed 's/^/     /'
	fi
done

# ---- a host outside cannot connect -----------------------------------------
netns_client_setup || t_fail "client-namespace"
for zone in native fork-pr net-listen-lo; do
	rm -f "$W/ready" "$W/peers"
	case $zone in
	native) jrun -- python3 "$J/serve.py" "$W/ready" "$W/peers" 8 \
		>"$T_DIR/serve.out" 2>&1 & ;;
	fork-pr) jrun -- "$CORDON" run -q -- python3 "$J/serve.py" \
		"$W/ready" "$W/peers" 8 >"$T_DIR/serve.out" 2>&1 & ;;
	*) jrun -- "$CORDON" run -q --policy "$NET_POLICY" --zone "$zone" -- \
		python3 "$J/serve.py" "$W/ready" "$W/peers" 8 \
		>"$T_DIR/serve.out" 2>&1 & ;;
	esac
	srv=$!
	wait_for_file "$W/ready" 50
	sleep 0.5
	o4=$(netns_client_exec_as "$T_USER" python3 "$J/outside.py" 198.18.0.1)
	o6=$(netns_client_exec_as "$T_USER" python3 "$J/outside.py" fd00:cd::1)
	wait "$srv"
	if [ "$zone" = native ]; then
		t_check "native-outside-v4-connects" '[ "$o4" = connected ]'
		t_check "native-outside-v6-connects" '[ "$o6" = connected ]'
	else
		# A SYN from outside finds no listener: reset, no handshake.
		t_check "$zone-outside-v4-reset" '[ "$o4" = ECONNREFUSED ]'
		t_check "$zone-outside-v6-reset" '[ "$o6" = ECONNREFUSED ]'
		t_check "$zone-outside-never-accepted" \
			'! grep -q "198.18.0.2\|fd00:cd::2" "$W/peers"'
	fi
	t_check "$zone-own-client-accepted" \
		'grep -qx "peer ::ffff:127.0.0.1" "$W/peers"'
	echo "     $zone: outside v4 $o4, v6 $o6; $(grep -c . "$W/peers") accepted"
done

t_done
