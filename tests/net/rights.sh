#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# rights.sh BUILD_DIR - SCM_RIGHTS cannot import a socket cordon did not
# allow, in either direction, on every kernel. Brokers outside the job
# (python3 processes of the same user) hand the job an fd: a TCP connection
# they made to a denied test host. Natively the job gets it and its write
# reaches the denied host's canary; under cordon the job gets no fd and the
# canary records nothing.
#  - outbound: the job connects (stream) or sends (dgram) to the broker's
#    socket in its working directory; the broker answers with the fd.
#  - inbound: the broker connects to the job's own listener (path and
#    abstract: refused, ECONNREFUSED, the listener takes only the job's own
#    peers) or sends to its bound datagram socket (path and abstract: the
#    message arrives, its fd does not).
# Between the job's own processes fd passing keeps working: both directions
# over a listener the job binds (path and abstract), socketpair, and
# python3 multiprocessing's forkserver.
# Everything runs twice: as the kernel is, and with SO_PASSRIGHTS (6.16)
# hidden from cordon (CORDON_TEST_NO_PASSRIGHTS=1), the path of older
# kernels, where the receive guard alone refuses the fds. Where the kernel
# has SO_PASSRIGHTS, the outbound broker's sendmsg() fails with EPERM.
#
# Timing: every wait is scaled by CORDON_TEST_TIME_SCALE (T_SCALE; the 6.1
# guest, where a Python start takes seconds), and no case waits out a
# window to see a refusal: the client broker waits for the job's "ready"
# line instead of retrying, and the job's accept ends once the broker has
# written its verdict. CORDON_RIGHTS_SUBSET=guest (tests/kernel/run-6.1.sh)
# runs every check under cordon once per socket kind and direction: the
# outbound cases over IPv4 only (the passed socket's family changes nothing
# in the guard) and without the native controls, which only show that the
# test can see an escape (the full suite on the host runs them); each
# skipped case prints a skip line.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

if python3 -c 'import socket; a, b = socket.socketpair(); a.setsockopt(socket.SOL_SOCKET, 83, 0)' 2>/dev/null; then
	MODES="kernel no-passrights"
else
	echo "note: kernel without SO_PASSRIGHTS (Linux 6.16): the receive guard alone"
	MODES="kernel"
	NO_PASSRIGHTS_KERNEL=1
fi
SUBSET=${CORDON_RIGHTS_SUBSET:-}
case $SUBSET in
"" | guest) ;;
*) echo "FAIL: CORDON_RIGHTS_SUBSET=$SUBSET (only 'guest')"; exit 1 ;;
esac
OUT_DESTS="$D4 $D6"
[ "$SUBSET" = guest ] && OUT_DESTS=$D4
netns_canary_tcp "$D4" 8001 || t_fail "canary-$D4-8001"
[ "$SUBSET" = guest ] || netns_canary_tcp "$D6" 8001 || t_fail "canary-$D6-8001"
# A TCP canary hit is logged up to 0.5 s late (its read timeout).
CANARY_LATE=$(awk -v k="$T_SCALE" 'BEGIN { printf "%.1f", 0.6 * k }')
# native_controls - whether to run the native controls (not in the subset).
native_controls() {
	[ "$SUBSET" != guest ] && return 0
	t_skip "$1" "CORDON_RIGHTS_SUBSET=guest: native control (run on the host)"
	return 1
}

# broker KIND PATH DEST -- an fd broker outside cordon (as the test user):
# every client (stream) or datagram sender (dgram) gets a TCP socket
# connected to DEST (host port). Logs "sent" or the errno to PATH.log. A
# refused datagram is followed by one without fds, so the job's wait ends.
broker() {
	netns__drop "$T_USER" || return 1
	ip netns exec "$NETNS" "${NETNS__DROP[@]}" python3 -c '
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
        return True
    except OSError as e:
        log.write(errno.errorcode.get(e.errno, str(e.errno)) + "\n")
        return False
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
        if not note(lambda: s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                t.fileno().to_bytes(4, sys.byteorder))], 0, peer)):
            s.sendto(b"N", peer)
        t.close()
' "$1" "$2" "$3" 8001 </dev/null >/dev/null 2>&1 &
	T_STARTED_PIDS="$T_STARTED_PIDS $!"
	for _ in $(seq $((30 * T_SCALE))); do [ -S "$2" ] && return 0; sleep 0.1; done
	return 1
}

# client_broker KIND WHERE NAME DEST LOG [READY] -- an fd broker outside
# cordon that connects (stream) or sends (dgram) to the job's socket NAME
# (WHERE: path or abstract), with a TCP socket connected to DEST (host port
# 8001) as SCM_RIGHTS. Logs "sent" or the errno to LOG (written last: the
# job's rights-serve ends its accept on it). With READY (a file the job
# writes "rights-serve: ready" to once it listens), it waits for that line
# and then tries once (ENOENT and ECONNREFUSED are answers); without, it
# retries those for 5 s. Waits scaled by T_SCALE.
client_broker() {
	netns_exec_as "$T_USER" python3 -c '
import errno, os, socket, sys, time
kind, where, name, host, log, scale, ready = sys.argv[1:8]
addr = "\0" + name if where == "abstract" else name
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
t = socket.socket(fam)
t.connect((host, 8001))
fd = t.fileno().to_bytes(4, sys.byteorder)
out = "timeout"
tries = 50 * int(scale)
if ready:
    for i in range(tries):
        try:
            if "rights-serve: ready" in open(ready).read():
                break
        except OSError:
            pass
        time.sleep(0.1)
    tries = 1
for i in range(tries):
    try:
        if kind == "stream":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(addr)
            s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fd)])
            time.sleep(0.5)
        else:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendmsg([b"F"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fd)], 0, addr)
        out = "sent"
        break
    except OSError as e:
        out = errno.errorcode.get(e.errno, str(e.errno))
        if e.errno in (errno.ENOENT, errno.ECONNREFUSED):
            time.sleep(0.1)
            continue
        break
with open(log + ".tmp", "a") as f:
    f.write(out + "\n")
os.rename(log + ".tmp", log)
' "$1" "$2" "$3" "$4" "$5" "$T_SCALE" "${6:-}" </dev/null >/dev/null 2>&1
}
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
canary_log() { echo "$NETNS_DIR/canary-tcp-$1-8001.log"; }

# serve MODE-ENV KIND WHERE NAME DEST -- the job serves NAME (under cordon
# when MODE-ENV is not "native"), the client broker sends it an fd of a
# socket to DEST. Output in $T_DIR/out, broker's log in $W/client.log.
serve() {
	local envv=$1 kind=$2 where=$3 name=$4 dest=$5 pid
	rm -f "$W/client.log"
	if [ "$envv" = native ]; then
		jrun -- "$NETATTACK" rights-serve "$kind" "$where" "$name" \
			"$W/client.log" >"$T_DIR/out" 2>&1 &
	else
		jrun "$envv" -- "$CORDON" run -- "$NETATTACK" rights-serve \
			"$kind" "$where" "$name" "$W/client.log" >"$T_DIR/out" 2>&1 &
	fi
	pid=$!
	client_broker "$kind" "$where" "$([ "$where" = path ] && echo "$W/")$name" \
		"$dest" "$W/client.log" "$T_DIR/out"
	wait "$pid"
}

# autobind MODE-ENV DEST -- the job (under cordon unless MODE-ENV is
# "native") autobinds a socketpair end, dissolves the pairing and waits for
# a message; the client broker sends it an fd of a socket to DEST.
cat >"$W/autobind.py" <<'PYEOF'
import ctypes, os, socket, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
a.send(b"x")
ctypes.CDLL(None).connect(a.fileno(), b"\0\0", 2)
open("autobind.name.tmp", "w").write(a.getsockname()[1:].decode())
os.rename("autobind.name.tmp", "autobind.name")
a.settimeout(5 * int(sys.argv[1]))
_, anc, _, _ = a.recvmsg(16, socket.CMSG_SPACE(64))
fds = [int.from_bytes(v[:4], "little") for l, t, v in anc
       if l == socket.SOL_SOCKET and t == socket.SCM_RIGHTS]
for f in fds:
    os.write(f, b"escaped\n")
print("autobind:", "fd received" if fds else "no fd")
PYEOF
chmod 644 "$W/autobind.py"
autobind() {
	local pid
	rm -f "$W/autobind.name" "$W/client.log"
	: >"$(canary_log "$2")"
	if [ "$1" = native ]; then
		jrun -- python3 "$W/autobind.py" "$T_SCALE" >"$T_DIR/out" 2>&1 &
	else
		jrun "$1" -- "$CORDON" run --limit wall=$((20 * T_SCALE))s -- \
			python3 "$W/autobind.py" "$T_SCALE" >"$T_DIR/out" 2>&1 &
	fi
	pid=$!
	for _ in $(seq $((50 * T_SCALE))); do [ -f "$W/autobind.name" ] && break; sleep 0.1; done
	client_broker dgram abstract "$(cat "$W/autobind.name" 2>/dev/null)" \
		"$2" "$W/client.log"
	wait "$pid"
	sleep "$CANARY_LATE"
}

first=1
for mode in $MODES; do
	envv=CORDON_TEST_NO_PASSRIGHTS=$([ "$mode" = no-passrights ] && echo 1 || echo 0)
	# ---- outbound: the job talks to the broker ---------------------------
	for kind in stream dgram; do
		for d in $OUT_DESTS; do
			tag=$mode-out-$kind-$([ "$d" = "$D4" ] && echo v4 || echo v6)
			sock=$W/broker-$tag.sock
			broker "$kind" "$sock" "$d" || t_fail "broker-$tag"
			if [ $first = 1 ] && native_controls "rights-$tag-native-escape-works"; then
				# Natively the attack works (the test can see
				# an escape).
				before=$(hits "$d" 8001 tcp)
				jrun -- "$NETATTACK" rights-recv "$sock" "$kind" \
					>"$T_DIR/out" 2>&1
				netns_canary_wait "$d" 8001 $((before + 1)) tcp $((3 * T_SCALE)) || true
				t_check "rights-$tag-native-escape-works" \
					'grep -qx "rights: fd received" "$T_DIR/out" &&
					grep -q "escaped" "$(canary_log "$d")"'
			fi
			# Under cordon: the peer is allowed (the job's cwd),
			# its fds not.
			: >"$(canary_log "$d")"
			sent=$(lines "$sock.log")
			jrun "$envv" -- "$CORDON" run -- "$NETATTACK" rights-recv \
				"$sock" "$kind" >"$T_DIR/out" 2>&1
			sleep "$CANARY_LATE"
			t_check "rights-$tag-talks" \
				'grep -qE "^rights-(connect|send): ok 0" "$T_DIR/out"'
			t_check "rights-$tag-no-fd-received" \
				'grep -qxE "rights: (no fd|nothing)" "$T_DIR/out"'
			if [ "$mode" = kernel ] && [ -z "${NO_PASSRIGHTS_KERNEL:-}" ]; then
				t_check "rights-$tag-broker-refused-EPERM" \
					'[ "$(sed -n "$((sent + 1))p" "$sock.log")" = EPERM ]'
			else
				# No SO_PASSRIGHTS: the kernel takes the fd;
				# the supervisor's receive closes it.
				t_check "rights-$tag-broker-sent" \
					'[ "$(sed -n "$((sent + 1))p" "$sock.log")" = sent ]'
			fi
			t_check "rights-$tag-nothing-escaped" \
				'! grep -q escaped "$(canary_log "$d")"'
			t_check "rights-$tag-cannot-reenable" \
				'grep -qx "rights-reenable: errno ENOPROTOOPT" "$T_DIR/out"'
		done
	done

	# ---- inbound: the broker connects or sends to the job -----------------
	for kind in stream dgram; do
		for where in path abstract; do
			d=$D4
			[ "$kind" = stream ] && [ "$where" = abstract ] && d=$D6
			tag=$mode-in-$kind-$where
			name=serve-$kind-$where-$$
			[ "$SUBSET" = guest ] && d=$D4
			if [ $first = 1 ] && native_controls "rights-$tag-native-escape-works"; then
				before=$(hits "$d" 8001 tcp)
				serve native "$kind" "$where" "$name" "$d"
				netns_canary_wait "$d" 8001 $((before + 1)) tcp $((3 * T_SCALE)) || true
				t_check "rights-$tag-native-escape-works" \
					'grep -qx "rights: fd received" "$T_DIR/out" &&
					grep -q "escaped" "$(canary_log "$d")"'
			fi
			: >"$(canary_log "$d")"
			serve "$envv" "$kind" "$where" "$name" "$d"
			sleep "$CANARY_LATE"
			t_check "rights-$tag-ready" \
				'grep -qx "rights-serve: ready" "$T_DIR/out"'
			if [ "$kind" = stream ]; then
				# The job's listener takes no peer from outside
				# (unix_listen.c): refused as if nothing
				# listened, and the job's accept() times out.
				t_check "rights-$tag-broker-refused" \
					'[ "$(cat "$W/client.log" 2>/dev/null)" = ECONNREFUSED ]'
				t_check "rights-$tag-no-client" \
					'grep -qx "rights-serve: accept errno EAGAIN" "$T_DIR/out"'
			else
				t_check "rights-$tag-broker-sent" \
					'[ "$(cat "$W/client.log" 2>/dev/null)" = sent ]'
				t_check "rights-$tag-no-fd-received" \
					'grep -qx "rights: no fd" "$T_DIR/out"'
			fi
			t_check "rights-$tag-nothing-escaped" \
				'! grep -q escaped "$(canary_log "$d")"'
		done
	done
	# ---- inbound to an autobound socketpair end --------------------------
	# A socketpair end with SO_PASSCRED gets an abstract name at its first
	# send (no bind the supervisor sees); once the pairing is dissolved
	# (connect AF_UNSPEC) anyone may send to that name, found in
	# /proc/net/unix.
	d=$D4
	if [ $first = 1 ] && native_controls "rights-in-autobind-native-escape-works"; then
		autobind native "$d"
		t_check "rights-in-autobind-native-escape-works" \
			'grep -qx "autobind: fd received" "$T_DIR/out" &&
			grep -q "escaped" "$(canary_log "$d")"'
	fi
	autobind "$envv" "$d"
	t_check "rights-$mode-in-autobind-broker-sent" \
		'[ "$(cat "$W/client.log" 2>/dev/null)" = sent ]'
	t_check "rights-$mode-in-autobind-no-fd-received" \
		'grep -qx "autobind: no fd" "$T_DIR/out"'
	t_check "rights-$mode-in-autobind-nothing-escaped" \
		'! grep -q escaped "$(canary_log "$d")"'
	first=0

	# ---- the job's own fd passing ---------------------------------------
	jrun "$envv" -- "$CORDON" run --limit wall=$((20 * T_SCALE))s -- "$NETATTACK" rights-self \
		path own.sock >"$T_DIR/out" 2>&1
	for way in server-to-client client-to-server socketpair; do
		t_check "rights-$mode-self-path-$way" \
			'grep -qx "rights-self $way: ok" "$T_DIR/out"'
	done
	jrun "$envv" -- "$CORDON" run --limit wall=$((20 * T_SCALE))s -- "$NETATTACK" rights-self \
		abstract "cordon-rights-$$" >"$T_DIR/out" 2>&1
	for way in server-to-client client-to-server; do
		t_check "rights-$mode-self-abstract-$way" \
			'grep -qx "rights-self $way: ok" "$T_DIR/out"'
	done
	jrun "$envv" -- "$CORDON" run --limit wall=$((30 * T_SCALE))s -- python3 -c '
import multiprocessing as mp
if __name__ == "__main__":
    mp.set_start_method("forkserver")
    with mp.Pool(2) as p:
        print("forkserver", sum(p.map(abs, range(-5, 5))))
' >"$T_DIR/out" 2>&1
	t_check "rights-$mode-python-forkserver" 'grep -qx "forkserver 25" "$T_DIR/out"'
	# A passed fd is the receiver's alone: once both ends close their
	# copies of a pipe's write end, the reader sees end of file (the
	# supervisor keeps no duplicate of what it sent).
	jrun "$envv" -- "$CORDON" run --limit wall=$((20 * T_SCALE))s -- python3 -c '
import os, select, socket
a, b = socket.socketpair()
r, w = os.pipe()
socket.send_fds(a, [b"x"], [w])
os.close(w)
_, fds, _, _ = socket.recv_fds(b, 10, 4)
for f in fds:
    os.close(f)
k = int(os.environ.get("CORDON_TEST_TIME_SCALE", "1"))
print("passed", len(fds), "eof" if select.select([r], [], [], 3 * k)[0] and
      os.read(r, 1) == b"" else "open")
' >"$T_DIR/out" 2>&1
	t_check "rights-$mode-self-passed-fd-not-kept" 'grep -qx "passed 1 eof" "$T_DIR/out"'
	# A passed pipe end keeps its access mode (where the supervisor opens
	# it again, sockets owned from birth, it must not become writable); a
	# file passes where cordon can take the job's fds and is refused from
	# birth (only sockets and pipe ends: sentry/sys_sock.c 6).
	jrun "$envv" -- "$CORDON" run --limit wall=$((20 * T_SCALE))s -- python3 -c '
import errno, os, socket
a, b = socket.socketpair()
r, w = os.pipe()
socket.send_fds(a, [b"x"], [r])
_, fds, _, _ = socket.recv_fds(b, 10, 4)
try:
    os.write(fds[0], b"x")
    print("read end: writable")
except OSError as e:
    print("read end:", errno.errorcode[e.errno])
f = os.open("rights-file.txt", os.O_WRONLY | os.O_CREAT, 0o600)
try:
    socket.send_fds(a, [b"f"], [f])
    _, fds, _, _ = socket.recv_fds(b, 10, 4)
    print("file: passed", len(fds))
except OSError as e:
    print("file:", errno.errorcode[e.errno])
' >"$T_DIR/out" 2>&1
	t_check "rights-$mode-self-pipe-mode-kept" 'grep -qx "read end: EBADF" "$T_DIR/out"'
	if t_birth; then
		t_check "rights-$mode-self-file-refused-from-birth" 'grep -qx "file: EACCES" "$T_DIR/out"'
	else
		t_check "rights-$mode-self-file" 'grep -qx "file: passed 1" "$T_DIR/out"'
	fi
done

t_done
