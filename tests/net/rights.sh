#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# rights.sh BUILD_DIR - SCM_RIGHTS cannot import a socket cordon did not
# allow. A broker outside the job (a python3 process of the same user)
# listens on unix sockets in the job's own working directory, which the job
# may reach, and answers every client with an fd: a TCP connection it made
# to a denied test host. Natively the client gets the fd and its write
# reaches the denied host's canary; under cordon the broker's sendmsg fails
# (EPERM), the job gets no fd, and the canary records nothing. Stream and
# datagram. Between the job's own processes fd passing keeps working: both
# directions over a listener the job binds (path and abstract), socketpair,
# and python3 multiprocessing's forkserver.
# Exit 77 (skip) unless root, or when the kernel lacks SO_PASSRIGHTS (6.16).
. "$(dirname "$0")/netlib.sh"
net_init "$1"

if ! python3 -c 'import socket; a, b = socket.socketpair(); a.setsockopt(socket.SOL_SOCKET, 83, 0)' 2>/dev/null; then
	echo "SKIP: kernel without SO_PASSRIGHTS (Linux 6.16)"
	exit 77
fi
netns_canary_tcp "$D4" 8001 || t_fail "canary-$D4-8001"
netns_canary_tcp "$D6" 8001 || t_fail "canary-$D6-8001"

# broker KIND PATH DEST -- an fd broker outside cordon (as the test user):
# every client (stream) or datagram sender (dgram) gets a TCP socket
# connected to DEST (host port). Logs "sent" or the errno to PATH.log.
broker() {
	netns_exec_as "$T_USER" python3 -c '
import errno, socket, sys, os
kind, path, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
log = open(path + ".log", "a", buffering=1)
def dest():
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    t = socket.socket(fam)
    t.connect((host, port))
    return t
def note(fn):
    try:
        fn()
        log.write("sent\n")
    except OSError as e:
        log.write(errno.errorcode.get(e.errno, str(e.errno)) + "\n")
if kind == "stream":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path); s.listen(8)
    while True:
        c, _ = s.accept()
        t = dest()
        note(lambda: socket.send_fds(c, [b"F"], [t.fileno()]))
        t.close(); c.close()
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    while True:
        _, peer = s.recvfrom(64)
        t = dest()
        note(lambda: s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
            t.fileno().to_bytes(4, sys.byteorder))], 0, peer))
        t.close()
' "$1" "$2" "$3" 8001 </dev/null >/dev/null 2>&1 &
	for _ in $(seq 30); do [ -S "$2" ] && return 0; sleep 0.1; done
	return 1
}
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }

for kind in stream dgram; do
	for d in "$D4" "$D6"; do
		tag=$kind-$([ "$d" = "$D4" ] && echo v4 || echo v6)
		sock=$W/broker-$tag.sock
		broker "$kind" "$sock" "$d" || t_fail "broker-$tag"
		# Natively the attack works: the fd arrives, "escaped" reaches
		# the denied host. (The test proves it can see an escape.)
		before=$(hits "$d" 8001 tcp)
		jrun -- "$NETATTACK" rights-recv "$sock" "$kind" >"$T_DIR/out" 2>&1
		netns_canary_wait "$d" 8001 $((before + 1)) tcp 3 || true
		t_check "rights-$tag-native-escape-works" \
			'grep -qx "rights: fd received" "$T_DIR/out" &&
			grep -q "escaped" "$NETNS_DIR/canary-tcp-$d-8001.log"'
		# Under cordon: the peer is allowed (the job's cwd), its fds not.
		: >"$NETNS_DIR/canary-tcp-$d-8001.log"
		sent=$(lines "$sock.log")
		jrun -- "$CORDON" run -- "$NETATTACK" rights-recv "$sock" "$kind" \
			>"$T_DIR/out" 2>&1
		sleep 0.6 # a TCP canary hit is logged up to 0.5 s late
		t_check "rights-$tag-talks" \
			'grep -qE "^rights-(connect|send): ok 0" "$T_DIR/out"'
		t_check "rights-$tag-no-fd-received" 'grep -qxE "rights: (no fd|nothing)" "$T_DIR/out"'
		t_check "rights-$tag-broker-refused-EPERM" \
			'[ "$(sed -n "$((sent + 1))p" "$sock.log")" = EPERM ]'
		t_check "rights-$tag-nothing-escaped" \
			'! grep -q escaped "$NETNS_DIR/canary-tcp-$d-8001.log"'
		t_check "rights-$tag-cannot-reenable" \
			'grep -qx "rights-reenable: errno ENOPROTOOPT" "$T_DIR/out"'
	done
done

# ---- the job's own fd passing ---------------------------------------------------
jrun -- "$CORDON" run --limit wall=20s -- "$NETATTACK" rights-self path own.sock >"$T_DIR/out" 2>&1
for way in server-to-client client-to-server socketpair; do
	t_check "rights-self-path-$way" 'grep -qx "rights-self $way: ok" "$T_DIR/out"'
done
jrun -- "$CORDON" run --limit wall=20s -- "$NETATTACK" rights-self abstract "cordon-rights-$$" \
	>"$T_DIR/out" 2>&1
for way in server-to-client client-to-server; do
	t_check "rights-self-abstract-$way" 'grep -qx "rights-self $way: ok" "$T_DIR/out"'
done
jrun -- "$CORDON" run --limit wall=30s -- python3 -c '
import multiprocessing as mp
if __name__ == "__main__":
    mp.set_start_method("forkserver")
    with mp.Pool(2) as p:
        print("forkserver", sum(p.map(abs, range(-5, 5))))
' >"$T_DIR/out" 2>&1
t_check "rights-python-forkserver" 'grep -qx "forkserver 25" "$T_DIR/out"'

t_done
