#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""birth_job.py DENIED_ADDR - the socket patterns a job uses, run under cordon
by tests/container/container.sh (under each container profile). Prints
"ok NAME" or "FAIL NAME: why" per check; decides nothing about cordon's
internals, only what a program sees.
"""
import ctypes
import errno
import os
import socket
import sys
import tempfile
import threading
import time

denied = sys.argv[1] if len(sys.argv) > 1 else "198.51.100.1"


def check(name, cond, why=""):
    print(("ok   %s" % name) if cond else ("FAIL %s: %s" % (name, why)),
          flush=True)


def own_listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    return s


# A denied connect: EACCES, as a firewall answers.
try:
    c = socket.create_connection((denied, 8080), timeout=3)
    check("denied-connect-eacces", False, "connected")
except OSError as e:
    check("denied-connect-eacces", e.errno == errno.EACCES, repr(e))

# The job's own listener: connect, accept (blocking, then non-blocking),
# data both ways, and the close reaching the peer as EOF (FIN).
ls = own_listener()
c = socket.socket()
c.connect(ls.getsockname())
a, peer = ls.accept()
check("own-listener-connect-accept", peer == c.getsockname(),
      "%r != %r" % (peer, c.getsockname()))
c.sendall(b"ping")
check("stream-data", a.recv(10) == b"ping")
c.close()
a.settimeout(3)
try:
    check("close-reaches-peer", a.recv(10) == b"")
except socket.timeout:
    check("close-reaches-peer", False, "no EOF after the peer closed")
a.close()
ls.setblocking(False)
try:
    ls.accept()
    check("accept-nonblocking-eagain", False, "accepted nothing")
except BlockingIOError:
    check("accept-nonblocking-eagain", True)
ls.setblocking(True)


def later_connect(addr):
    time.sleep(0.3)
    x = socket.socket()
    x.connect(addr)
    x.close()


t = threading.Thread(target=later_connect, args=(ls.getsockname(),))
t.start()
b, _ = ls.accept()  # waits for the connect 0.3 s later
t.join()
check("accept-blocking-waits", b.fileno() >= 0)
b.close()

# UDP to the job's own server and back (the client's port is implicit).
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 0))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
cli.settimeout(3)
cli.sendto(b"q", srv.getsockname())
m, frm = srv.recvfrom(10)
srv.sendto(b"r", frm)
try:
    check("udp-own-server", cli.recvfrom(10)[0] == b"r")
except socket.timeout:
    check("udp-own-server", False, "no reply")

# Unix sockets: a path listener, an abstract one, a socketpair.
d = tempfile.mkdtemp()
us = socket.socket(socket.AF_UNIX)
us.bind(os.path.join(d, "s"))
us.listen(1)
uc = socket.socket(socket.AF_UNIX)
uc.connect(os.path.join(d, "s"))
ua, _ = us.accept()
uc.sendmsg([b"unix"])
check("unix-path", ua.recv(10) == b"unix")
ab = socket.socket(socket.AF_UNIX)
ab.bind("\0cordon-birth-%d" % os.getpid())
ab.listen(1)
ac = socket.socket(socket.AF_UNIX)
ac.connect("\0cordon-birth-%d" % os.getpid())
aa, _ = ab.accept()
ac.sendmsg([b"abs"])
check("unix-abstract", aa.recv(10) == b"abs")
p, q = socket.socketpair()
p.sendmsg([b"pair"])
check("socketpair", q.recv(10) == b"pair")

# fd passing within the job: a socket sent over the pair, used by the
# receiver for a mediated call (sendmsg), reaching the other end.
x, y = socket.socketpair()
socket.send_fds(p, [b"f"], [x.fileno()])
msg, fds, _, _ = socket.recv_fds(q, 10, 4)
got = socket.socket(fileno=fds[0])
got.sendmsg([b"passed"])
check("fd-passing-socket", y.recv(10) == b"passed")
got.close()

# A dup of a socket: closing one fd keeps the socket working.
d1 = os.dup(x.fileno())
x.close()
s2 = socket.socket(fileno=d1)
s2.sendmsg([b"dup"])
check("dup-then-close", y.recv(10) == b"dup")

# A fork'd child uses a socket its parent made, after the parent closed it.
ls2 = own_listener()
c2 = socket.socket()
c2.connect(ls2.getsockname())
a2, _ = ls2.accept()
pid = os.fork()
if pid == 0:
    time.sleep(0.2)
    try:
        c2.sendmsg([b"child"])
        os._exit(0)
    except OSError:
        os._exit(1)
c2.close()
_, st = os.waitpid(pid, 0)
check("fork-inherited-socket", st == 0 and a2.recv(10) == b"child",
      "child status %d" % st)

# A socket made after the fork, passed to the child (another fd table) and
# closed by the parent once the child holds it: the child still uses it.
p3, q3 = socket.socketpair()
pid = os.fork()
if pid == 0:
    p3.close()
    _, fds, _, _ = socket.recv_fds(q3, 10, 4)
    q3.sendmsg([b"got"])
    q3.recv(10)  # the parent has closed its fd
    try:
        socket.socket(fileno=fds[0]).sendmsg([b"passed-on"])
        os._exit(0)
    except OSError:
        os._exit(1)
q3.close()
m, n = socket.socketpair()
socket.send_fds(p3, [b"f"], [m.fileno()])
p3.recv(10)
m.close()
p3.sendmsg([b"go"])
_, st = os.waitpid(pid, 0)
n.settimeout(3)
try:
    check("passed-to-child-then-closed", st == 0 and
          n.recv(20) == b"passed-on", "child status %d" % st)
except socket.timeout:
    check("passed-to-child-then-closed", False, "nothing arrived")

# Closing the last fd of a socket still reaches the peer after a dup was
# closed first (both fds in one table: the caller's table is read).
ls4 = own_listener()
c4 = socket.socket()
c4.connect(ls4.getsockname())
a4, _ = ls4.accept()
d4 = os.dup(c4.fileno())
c4.close()
s4 = socket.socket(fileno=d4)
try:
    s4.sendmsg([b"still"])
    a4.settimeout(3)
    check("dup-keeps-connection", a4.recv(10) == b"still")
except OSError as e:
    check("dup-keeps-connection", False, repr(e))
s4.close()
a4.settimeout(3)
try:
    check("last-dup-close-reaches-peer", a4.recv(10) == b"")
except socket.timeout:
    check("last-dup-close-reaches-peer", False, "no EOF")
# The same through dup(2) itself and dup2(2) (os.dup is fcntl(F_DUPFD*)).
libc = ctypes.CDLL(None, use_errno=True)
for how in ("dup", "dup2"):
    c5 = socket.socket()
    c5.connect(ls4.getsockname())
    a5, _ = ls4.accept()
    d5 = libc.dup(c5.fileno()) if how == "dup" else os.dup2(c5.fileno(), 200)
    c5.close()
    s5 = socket.socket(fileno=d5)
    try:
        s5.sendmsg([b"still"])
        a5.settimeout(3)
        check("%s-keeps-connection" % how, a5.recv(10) == b"still")
    except OSError as e:
        check("%s-keeps-connection" % how, False, repr(e))
    s5.close()
    a5.close()
print("done", flush=True)
