#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# sockdiag.sh BUILD_DIR - without the kernel's socket tables (sock_diag's
# unix_diag, tcp_diag, udp_diag: modules in Debian's kernel, absent where
# modules cannot be loaded) cordon fails closed: CORDON_IGNORE_FEATURES=
# sock_diag makes every lookup answer as such a kernel does ("no such
# socket"). Then the job's unix listen() is refused (EACCES: the shield
# cannot confirm its listener), a connect to its own TCP server is refused
# (ECONNREFUSED) and a datagram to its own UDP server is dropped, and a
# host service on loopback gets nothing either; `cordon doctor` names each
# missing table and says so. Each job case runs under cordon with the
# tables first (it must work there: the test can see the difference).
# Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

J=$T_DIR/jobs
mkdir -p "$J"
cat >"$J/own.py" <<'EOF'
import errno, socket, sys
what = sys.argv[1]
def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))
if what == "unix-listen":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind("own.sock")
        s.listen(1)
    except OSError as e:
        print("unix-listen:", err(e))
        sys.exit(0)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        c.connect("own.sock")
        print("unix-listen: ok")
    except OSError as e:
        print("unix-listen: listened, connect", err(e))
elif what == "tcp-own":
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    c = socket.socket()
    c.settimeout(3)
    try:
        c.connect(s.getsockname())
        print("tcp-own: ok")
    except OSError as e:
        print("tcp-own:", err(e))
elif what == "udp-own":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(1)
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        c.sendto(b"hi", s.getsockname())
        print("udp-own:", "ok" if s.recv(10) == b"hi" else "garbled")
    except socket.timeout:
        print("udp-own: dropped")
    except OSError as e:
        print("udp-own:", err(e))
elif what == "tcp-host":
    c = socket.socket()
    c.settimeout(3)
    try:
        c.connect(("127.0.0.1", int(sys.argv[2])))
        print("tcp-host: connected")
    except OSError as e:
        print("tcp-host:", err(e))
EOF
chmod 644 "$J/own.py"

# own ENV CASE [ARGS] -- the case under cordon, its answer in $T_DIR/out.
own() {
	local envv=$1
	shift
	jrun "$envv" -- "$CORDON" run -q -- python3 "$J/own.py" "$@" \
		>"$T_DIR/out" 2>"$T_DIR/err"
}

for c in unix-listen tcp-own udp-own; do
	rm -f "$W/own.sock"
	own CORDON_IGNORE_FEATURES= "$c"
	t_check "$c-with-sock-diag" 'grep -qx "$c: ok" "$T_DIR/out"'
done

rm -f "$W/own.sock"
own CORDON_IGNORE_FEATURES=sock_diag unix-listen
t_check "unix-listen-refused" 'grep -qx "unix-listen: EACCES" "$T_DIR/out"'
own CORDON_IGNORE_FEATURES=sock_diag tcp-own
t_check "tcp-own-refused" 'grep -qx "tcp-own: ECONNREFUSED" "$T_DIR/out"'
own CORDON_IGNORE_FEATURES=sock_diag udp-own
t_check "udp-own-dropped" 'grep -qx "udp-own: dropped" "$T_DIR/out"'

# A host service on loopback (outside the job): never reached, tables or
# not.
netns_canary_tcp 127.0.0.1 8002 || t_fail "canary-127.0.0.1-8002"
own CORDON_IGNORE_FEATURES=sock_diag tcp-host 8002
sleep 0.6 # a TCP canary hit is logged up to 0.5 s late
t_check "tcp-host-not-reached" '! grep -q "tcp-host: connected" "$T_DIR/out" &&
	[ "$(hits 127.0.0.1 8002 tcp)" = 0 ]'

# doctor names each missing table, and what cordon does without it.
jrun CORDON_IGNORE_FEATURES=sock_diag -- "$CORDON" doctor >"$T_DIR/out" 2>&1
t_check "doctor-unix-diag" 'grep -q "^reduced  sock_diag unix_diag .*fails closed" "$T_DIR/out"'
t_check "doctor-tcp-diag" 'grep -q "^reduced  sock_diag tcp_diag .*fails closed" "$T_DIR/out"'
t_check "doctor-udp-diag" 'grep -q "^reduced  sock_diag udp_diag .*fails closed" "$T_DIR/out"'
jrun -- "$CORDON" doctor >"$T_DIR/out" 2>&1
t_check "doctor-sock-diag-ok" 'grep -q "^ok       sock_diag " "$T_DIR/out"'

t_done
