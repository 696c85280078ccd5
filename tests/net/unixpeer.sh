#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# unixpeer.sh BUILD_DIR - a job's unix listener (path or abstract, stream or
# seqpacket) accepts only the job's own processes (issue 13, defect 9;
# netstack/unix_listen.c). Outsiders started by the test - python3 as the
# same unprivileged user, and as root - connect to the job's listener:
# natively they get in (the control run), under cordon connect() fails with
# ECONNREFUSED as if nothing listened, the job's epoll sees no readiness and
# its non-blocking accept() EAGAIN, a blocking accept() with SO_RCVTIMEO
# times out with EAGAIN. Insiders - a forked child and a second exec'd
# process - connect and pass fds both ways. A closed abstract listener gives
# its name back (a restarted server binds it again), an unlinked path can be
# bound again, a renamed socket file still leads to the listener, and
# listen() on an autobound stream socket (a name nobody can shield) is
# refused under cordon. A real server (socketserver.ThreadingUnixStreamServer)
# answers an exec'd client of the job and refuses an outside one. A
# blocking connect to a listener whose backlog is full does not wedge the
# supervisor (EAGAIN).
# Everything runs as the kernel is and with SO_PASSRIGHTS hidden
# (CORDON_TEST_NO_PASSRIGHTS=1, the path of kernels before 6.16).
. "$(dirname "$0")/netlib.sh"
net_init "$1"

cat >"$W/peer.py" <<'PYEOF'
import errno, os, select, socket, struct, subprocess, sys, time
where, kind, name = sys.argv[1:4]
typ = socket.SOCK_STREAM if kind == "stream" else socket.SOCK_SEQPACKET
addr = name if where == "path" else "\0" + name
def out(*a):
    print(*a, flush=True)
def wait_for(f, secs=15):
    for _ in range(secs * 20):
        if os.path.exists(f):
            return True
        time.sleep(0.05)
    return False
def en(e):
    return errno.errorcode.get(e.errno, str(e.errno))

if where == "path" and os.path.exists(name):
    os.unlink(name)
s = socket.socket(socket.AF_UNIX, typ)
s.bind(addr)
s.listen(8)
if where == "path":
    out("getsockname", s.getsockname())
s.setblocking(False)
ep = select.epoll()
ep.register(s.fileno(), select.EPOLLIN)
open("phase.outsiders", "w").close()
wait_for("outsiders.done")
out("epoll-after-outsiders", len(ep.poll(0.5)))
try:
    c, _ = s.accept()
    out("nonblocking-accept: got a peer")
    c.close()
    while True:
        s.accept()[0].close()
except BlockingIOError:
    out("nonblocking-accept: EAGAIN")

# A blocking accept bounded by SO_RCVTIMEO, with an outsider trying.
s.setblocking(True)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 1, 0))
open("phase.timeo", "w").close()
t = time.monotonic()
try:
    s.accept()[0].close()
    out("timeo-accept: got a peer")
except OSError as e:
    out("timeo-accept:", en(e), "after", round(time.monotonic() - t))
wait_for("timeo.done")
# Natively, an outsider slower than the timeout is still queued: drop it.
s.setblocking(False)
try:
    while True:
        s.accept()[0].close()
except BlockingIOError:
    pass
s.setblocking(True)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 5, 0))

# A forked child connects and passes a pipe's write end.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    c = socket.socket(socket.AF_UNIX, typ)
    c.connect(addr)
    socket.send_fds(c, [b"f"], [w])
    os._exit(0)
os.close(w)
s.setblocking(False)
out("epoll-insider", len(ep.poll(5)))
s.setblocking(True)
a, _ = s.accept()
_, fds, _, _ = socket.recv_fds(a, 16, 4)
for f in fds:
    os.write(f, b"from-child")
    os.close(f)
os.waitpid(pid, 0)
out("fork-peer:", os.read(r, 64).decode() if fds else "no fd")

# A second program of the job connects; the server passes it an fd.
client = ("import socket, sys, os\n"
          "c = socket.socket(socket.AF_UNIX, %d)\n"
          "a = sys.argv[2] if sys.argv[1] == 'path' else '\\0' + sys.argv[2]\n"
          "c.connect(a)\n"
          "_, fds, _, _ = socket.recv_fds(c, 16, 4)\n"
          "os.write(fds[0], b'from-exec')\n" % typ)
p = subprocess.Popen([sys.executable, "-c", client, where, name])
a, _ = s.accept()
r, w = os.pipe()
socket.send_fds(a, [b"x"], [w])
os.close(w)
p.wait()
out("exec-peer:", os.read(r, 64).decode())

# The socket file renamed: still the listener.
if where == "path":
    os.rename(name, name + ".moved")
    c = socket.socket(socket.AF_UNIX, typ)
    c.connect(name + ".moved")
    s.accept()[0].close()
    out("renamed: ok")
    os.rename(name + ".moved", name)

# Closed and bound again (a restarted server).
s.close()
if where == "path":
    os.unlink(name)
s = socket.socket(socket.AF_UNIX, typ)
try:
    s.bind(addr)
    s.listen(1)
    c = socket.socket(socket.AF_UNIX, typ)
    c.connect(addr)
    s.accept()[0].close()
    out("rebind: ok")
except OSError as e:
    out("rebind:", en(e))

# An autobound stream socket: the kernel picks an abstract name.
u = socket.socket(socket.AF_UNIX, typ)
u.bind("")
try:
    u.listen(1)
    out("autobind-listen: ok")
except OSError as e:
    out("autobind-listen:", en(e))
PYEOF

# outsider USER|root WHERE KIND NAME -- one connect from outside the job;
# prints "ok" or the errno name.
cat >"$W/outsider.py" <<'PYEOF'
import errno, socket, sys
where, kind, name = sys.argv[1:4]
typ = socket.SOCK_STREAM if kind == "stream" else socket.SOCK_SEQPACKET
c = socket.socket(socket.AF_UNIX, typ)
try:
    c.connect(name if where == "path" else "\0" + name)
    c.send(b"hello from outside")
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PYEOF
chmod 644 "$W/peer.py" "$W/outsider.py"

outsider() {
	local who=$1
	shift
	if [ "$who" = root ]; then
		netns_exec env -C "$W" /usr/bin/python3 "$W/outsider.py" "$@"
	else
		netns_exec_as "$T_USER" env -C "$W" /usr/bin/python3 \
			"$W/outsider.py" "$@"
	fi
}

# run_peer ENV|native WHERE KIND NAME -- peer.py in the job, outsiders at
# its phases; the job's output in $T_DIR/out, outsiders' in $T_DIR/outs.
run_peer() {
	local envv=$1 where=$2 kind=$3 name=$4 pid
	rm -f "$W"/phase.* "$W"/*.done "$T_DIR/outs"
	if [ "$envv" = native ]; then
		jrun -- python3 "$W/peer.py" "$where" "$kind" "$name" \
			>"$T_DIR/out" 2>&1 &
	else
		jrun "$envv" -- "$CORDON" run --limit wall=60s -- python3 \
			"$W/peer.py" "$where" "$kind" "$name" >"$T_DIR/out" 2>&1 &
	fi
	pid=$!
	for _ in $(seq 150); do [ -f "$W/phase.outsiders" ] && break; sleep 0.1; done
	echo "user $(outsider user "$where" "$kind" "$name")" >>"$T_DIR/outs"
	echo "root $(outsider root "$where" "$kind" "$name")" >>"$T_DIR/outs"
	touch "$W/outsiders.done"
	for _ in $(seq 150); do [ -f "$W/phase.timeo" ] && break; sleep 0.1; done
	echo "timeo $(outsider user "$where" "$kind" "$name")" >>"$T_DIR/outs"
	touch "$W/timeo.done"
	wait "$pid"
}

if python3 -c 'import socket; a, b = socket.socketpair(); a.setsockopt(socket.SOL_SOCKET, 83, 0)' 2>/dev/null; then
	MODES="kernel no-passrights"
else
	MODES="kernel"
fi

# Natively every outsider gets in: the test can see the difference.
run_peer native path stream "native.sock"
t_check native-user-outsider-connects 'grep -qx "user ok" "$T_DIR/outs"'
t_check native-root-outsider-connects 'grep -qx "root ok" "$T_DIR/outs"'
t_check native-epoll-sees-outsiders 'grep -qx "epoll-after-outsiders 1" "$T_DIR/out"'
t_check native-accepts-outsider 'grep -qx "nonblocking-accept: got a peer" "$T_DIR/out"'
t_check native-autobind-listen 'grep -qx "autobind-listen: ok" "$T_DIR/out"'

for mode in ${UP_MODES:-$MODES}; do
	envv=CORDON_TEST_NO_PASSRIGHTS=$([ "$mode" = no-passrights ] && echo 1 || echo 0)
	for where in path abstract; do
		for kind in stream seqpacket; do
			tag=$mode-$where-$kind
			sockname=peer-$kind-$$
			run_peer "$envv" "$where" "$kind" "$sockname"
			t_check "$tag-user-outsider-refused" \
				'grep -qx "user ECONNREFUSED" "$T_DIR/outs"'
			t_check "$tag-root-outsider-refused" \
				'grep -qx "root ECONNREFUSED" "$T_DIR/outs"'
			t_check "$tag-epoll-quiet" \
				'grep -qx "epoll-after-outsiders 0" "$T_DIR/out"'
			t_check "$tag-nonblocking-accept-eagain" \
				'grep -qx "nonblocking-accept: EAGAIN" "$T_DIR/out" &&
				! grep -q "got a peer" "$T_DIR/out"'
			t_check "$tag-timeo-outsider-refused" \
				'grep -qx "timeo ECONNREFUSED" "$T_DIR/outs"'
			t_check "$tag-timeo-accept-eagain" \
				'grep -qx "timeo-accept: EAGAIN after 1" "$T_DIR/out"'
			t_check "$tag-epoll-insider" \
				'grep -qx "epoll-insider 1" "$T_DIR/out"'
			t_check "$tag-fork-peer-passes-fd" \
				'grep -qx "fork-peer: from-child" "$T_DIR/out"'
			t_check "$tag-exec-peer-gets-fd" \
				'grep -qx "exec-peer: from-exec" "$T_DIR/out"'
			t_check "$tag-rebind" 'grep -qx "rebind: ok" "$T_DIR/out"'
			t_check "$tag-autobind-listen-refused" \
				'grep -qx "autobind-listen: EACCES" "$T_DIR/out"'
			if [ "$where" = path ]; then
				t_check "$tag-getsockname" \
					'grep -qx "getsockname $sockname" "$T_DIR/out"'
				t_check "$tag-renamed-file-leads-to-listener" \
					'grep -qx "renamed: ok" "$T_DIR/out"'
			fi
		done
	done
done

# A real server: socketserver in the job, an exec'd client of the job
# (answered) and a python client outside (refused).
cat >"$W/server.py" <<'PYEOF'
import os, socketserver, subprocess, sys
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"echo " + self.rfile.readline())
if os.path.exists("srv.sock"):
    os.unlink("srv.sock")
srv = socketserver.ThreadingUnixStreamServer("srv.sock", Echo)
srv.timeout = 10
open("srv.ready", "w").close()
client = ("import socket\n"
          "c = socket.socket(socket.AF_UNIX)\n"
          "c.connect('srv.sock')\n"
          "c.sendall(b'inside\\n')\n"
          "print(c.makefile().readline().strip(), flush=True)\n")
p = subprocess.Popen([sys.executable, "-c", client])
srv.handle_request()
p.wait()
print("served", srv.server_address, flush=True)
PYEOF
chmod 644 "$W/server.py"
rm -f "$W/srv.ready"
jrun -- "$CORDON" run --limit wall=30s -- python3 "$W/server.py" >"$T_DIR/out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -f "$W/srv.ready" ] && break; sleep 0.1; done
outs=$(outsider user path stream srv.sock)
wait "$pid"
t_check socketserver-inside-answered 'grep -qx "echo inside" "$T_DIR/out"'
t_check socketserver-address 'grep -qx "served srv.sock" "$T_DIR/out"'
t_check socketserver-outsider-refused '[ "$outs" = ECONNREFUSED ]'

# A blocking connect to the job's own listener whose backlog is full: the
# supervisor performs it, and must not wait with it (it waited for ever,
# and the job's wall limit with it). It answers EAGAIN, the kernel's answer
# once SO_SNDTIMEO passes; the job goes on.
jrun -- timeout -s KILL 30 "$CORDON" run --limit wall=20s -- python3 -c '
import errno, os, socket, time
if os.path.exists("full.sock"):
    os.unlink("full.sock")
s = socket.socket(socket.AF_UNIX)
s.bind("full.sock")
s.listen(0)
t = time.monotonic()
got = "connected"
for _ in range(4):
    c = socket.socket(socket.AF_UNIX)
    try:
        c.connect("full.sock")
    except OSError as e:
        got = errno.errorcode[e.errno]
        break
print("full-backlog:", got, "after", round(time.monotonic() - t))
' >"$T_DIR/out" 2>&1
t_check full-backlog-connect-eagain 'grep -qx "full-backlog: EAGAIN after 0" "$T_DIR/out"'

t_done
