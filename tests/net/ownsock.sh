#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# ownsock.sh BUILD_DIR - the job's own sockets, as the socket table learns
# them from the kernel (netstack/sock_table.c), in the default zone
# (fork-pr): a UDP client that sends first (implicit bind) gets its answer
# from the job's own server, IPv4 and IPv6, across fork and exec, after
# bind(port 0), through an SO_REUSEPORT group, and after thousands of
# closed sockets (the table prunes by asking the kernel); connect() to the
# unspecified address reaches the job's listener and never a host service;
# UDP to a local port nothing receives on is "sent" (dropped) as natively,
# to a host service refused; TCP to a closed local port is ECONNREFUSED as
# natively; UDP-Lite is EPROTONOSUPPORT. Each case runs natively first and
# must behave the same under cordon.
# Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

J=$T_DIR/jobs
mkdir -p "$J"

# The UDP pattern of asyncio, DNS/DHCP-style test servers: one process, an
# echo server and an unbound client that sends first.
cat >"$J/udp_echo.py" <<'EOF'
import os, socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
lo = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
mode = sys.argv[2]
srv = socket.socket(fam, socket.SOCK_DGRAM)
srv.bind((lo, 0))
srv.settimeout(5)
port = srv.getsockname()[1]
def serve(n=1):
    for _ in range(n):
        data, peer = srv.recvfrom(100)
        srv.sendto(b"re:" + data, peer)
if mode == "implicit":
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(3)
    c.sendto(b"hi", (lo, port))
    serve()
    print(c.recvfrom(100)[0].decode())
elif mode == "bind0":
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(3)
    c.bind((lo, 0))
    c.sendto(b"hi", (lo, port))
    serve()
    print(c.recvfrom(100)[0].decode())
elif mode == "connect":
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(3)
    c.connect((lo, port))
    c.send(b"hi")
    serve()
    print(c.recv(100).decode())
elif mode == "fork":
    # The child sends first on a socket the parent created: one object.
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(3)
    pid = os.fork()
    if pid == 0:
        c.sendto(b"hi", (lo, port))
        os._exit(0)
    os.waitpid(pid, 0)
    serve()
    print(c.recvfrom(100)[0].decode())
elif mode == "exec":
    # An exec'd program sends first on an inherited socket.
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(3)
    c.set_inheritable(True)
    pid = os.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-c",
            "import socket, sys; s = socket.socket(fileno=int(sys.argv[1]));"
            "s.sendto(b'hi', (sys.argv[2], int(sys.argv[3])))",
            str(c.fileno()), lo, str(port)])
    os.waitpid(pid, 0)
    serve()
    print(c.recvfrom(100)[0].decode())
elif mode == "reuseport":
    # Two clients in one SO_REUSEPORT group: replies to the group's port
    # reach one of them, whichever the kernel picks.
    a = socket.socket(fam, socket.SOCK_DGRAM)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    a.bind((lo, 0))
    b = socket.socket(fam, socket.SOCK_DGRAM)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    b.bind(a.getsockname()[:2])
    for s in (a, b):
        s.sendto(b"hi", (lo, port))
    serve(2)
    got = 0
    for s in (a, b):
        s.setblocking(False)
        try:
            while True:
                s.recvfrom(100)
                got += 1
        except BlockingIOError:
            pass
    print("re:hi" if got == 2 else "got %d" % got)
elif mode == "churn":
    # 5000 sockets that sent and closed: more than the table holds, so it
    # must forget the closed ones (a prune asks the kernel) and still know
    # the live client.
    for _ in range(5000):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.sendto(b"x", (lo, port))
        s.close()
        srv.recvfrom(100)
    c = socket.socket(fam, socket.SOCK_DGRAM)
    c.settimeout(3)
    c.sendto(b"hi", (lo, port))
    serve()
    print(c.recvfrom(100)[0].decode())
EOF

# connect() to 0.0.0.0 / :: where the job listens (Go's Dial(":P")).
cat >"$J/unspec.py" <<'EOF'
import errno, socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
lo, any_ = ("::1", "::") if fam == socket.AF_INET6 else ("127.0.0.1", "0.0.0.0")
if sys.argv[2] == "own":
    l = socket.socket(fam)
    l.bind((lo, 0))
    l.listen(4)
    port = l.getsockname()[1]
else:
    port = int(sys.argv[3])
c = socket.socket(fam)
c.settimeout(3)
try:
    c.connect((any_, port))
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
    sys.exit(0)
print("connected", c.getpeername()[0])
EOF

# UDP to a local port nothing receives on; TCP to a closed local port.
cat >"$J/nothing.py" <<'EOF'
import errno, socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
lo = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
port = int(sys.argv[3])
try:
    if sys.argv[2] == "udp":
        s = socket.socket(fam, socket.SOCK_DGRAM)
        print("sent", s.sendto(b"hello", (lo, port)))
    else:
        s = socket.socket(fam)
        s.settimeout(3)
        s.connect((lo, port))
        print("connected")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
EOF
cat >"$J/udplite.py" <<'EOF'
import errno, socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM, 136)
    print("created")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
EOF
chmod -R a+rX "$J"

# both NAME WANT CMD... -- CMD natively and under cordon (default zone)
# must both print WANT.
both() {
	local name=$1 want=$2 nat cor
	shift 2
	nat=$(jrun -- "$@" 2>&1)
	cor=$(jrun -- "$CORDON" run -q --audit "$W/audit-$name.jsonl" -- \
		"$@" 2>&1)
	[ "$nat" = "$want" ] || echo "  native: $nat"
	t_check "$name-native" '[ "$nat" = "$want" ]'
	[ "$cor" = "$want" ] || echo "  cordon: $cor"
	t_check "$name-cordon" '[ "$cor" = "$want" ]'

}

# ---- defect 10: the job's UDP sockets, learned from the kernel ---------------
for f in 4 6; do
	for m in implicit bind0 connect fork exec reuseport; do
		both "udp$f-$m" "re:hi" python3 "$J/udp_echo.py" "$f" "$m"
	done
done
both "udp4-churn" "re:hi" python3 "$J/udp_echo.py" 4 churn

# ---- the unspecified address is this host ----------------------------------
both "unspec4-own" "connected 127.0.0.1" python3 "$J/unspec.py" 4 own
both "unspec6-own" "connected ::1" python3 "$J/unspec.py" 6 own
# A host service (outside the job) on loopback stays out of reach.
netns_canary_tcp 127.0.0.1 8111 || t_fail "canary-lo4-8111"
netns_canary_tcp ::1 8112 || t_fail "canary-lo6-8112"
out=$(jrun -- "$CORDON" run -q -- python3 "$J/unspec.py" 4 host 8111 2>&1)
echo "  got: $out"
t_check "unspec4-host-refused" '[ "$out" = EACCES ]'
out=$(jrun -- "$CORDON" run -q -- python3 "$J/unspec.py" 6 host 8112 2>&1)
echo "  got: $out"
t_check "unspec6-host-refused" '[ "$out" = EACCES ]'
t_check "unspec-host-canaries-empty" \
	'[ "$(hits 127.0.0.1 8111)" = 0 ] && [ "$(hits ::1 8112)" = 0 ]'

# ---- nothing there: as natively; a host service there: refused -------------
both "udp4-nothing-bound" "sent 5" python3 "$J/nothing.py" 4 udp 8113
both "udp6-nothing-bound" "sent 5" python3 "$J/nothing.py" 6 udp 8113
both "tcp4-closed-port" "ECONNREFUSED" python3 "$J/nothing.py" 4 tcp 8113
both "tcp6-closed-port" "ECONNREFUSED" python3 "$J/nothing.py" 6 tcp 8113
netns_canary_udp 127.0.0.1 8114 || t_fail "canary-udp-8114"
out=$(jrun -- "$CORDON" run -q -- python3 "$J/nothing.py" 4 udp 8114 2>&1)
echo "  got: $out"
t_check "udp4-host-service-refused" '[ "$out" = EACCES ]'
sleep 0.3
t_check "udp4-host-service-got-nothing" '[ "$(hits 127.0.0.1 8114 udp)" = 0 ]'
out=$(jrun -- "$CORDON" run -q -- python3 "$J/nothing.py" 4 tcp 8111 2>&1)
echo "  got: $out"
t_check "tcp4-host-service-refused" '[ "$out" = EACCES ]'

# ---- UDP-Lite: "not here" ---------------------------------------------------
out=$(jrun -- "$CORDON" run -q -- python3 "$J/udplite.py" 2>&1)
echo "  got: $out"
t_check "udplite-eprotonosupport" '[ "$out" = EPROTONOSUPPORT ]'

t_done
