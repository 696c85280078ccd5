#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""race_job.py ALLOWED_HOST PORT DENIED_HOST SECONDS - the adversarial fd
race against sockets owned from birth (tests/container/container.sh): one
thread sends datagrams on fd N, alternately to the allowed and to the denied
host, while another thread keeps dup2()ing a different socket onto N - one
the supervisor created (owned from birth), and, when stdin is a socket made
outside cordon (inherited), that one. Each send is judged and performed on
the object the supervisor found at N; nothing may reach the denied host,
the inherited socket's sends must be refused, never let through, and the
supervisor must survive. Prints "race: sent=A eacces=B other=C" and exits
0. Python threads release the GIL around each system call, so the two
really race in the kernel.
"""
import errno
import os
import socket
import sys
import threading
import time

allowed, port, denied, secs = (sys.argv[1], int(sys.argv[2]), sys.argv[3],
                               float(sys.argv[4]))
s1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
others = [s1.fileno(), s2.fileno()]
try:
    inh = socket.socket(fileno=os.dup(0))
    if inh.type == socket.SOCK_DGRAM:
        others.append(inh.fileno())
except OSError:
    pass
target = os.dup(s1.fileno())  # fd N
ts = socket.socket(fileno=target)  # sends on fd N itself, each time
stop = time.monotonic() + secs
counts = {"sent": 0, "eacces": 0, "other": 0}


def flipper():
    i = 0
    while time.monotonic() < stop:
        os.dup2(others[i % len(others)], target)
        i += 1


t = threading.Thread(target=flipper)
t.start()
i = 0
while time.monotonic() < stop:
    dest = (allowed if i % 2 == 0 else denied, port)
    i += 1
    try:
        ts.sendto(b"race", dest)
        counts["sent"] += 1
    except OSError as e:
        counts["eacces" if e.errno == errno.EACCES else "other"] += 1
t.join()
print("race: sent=%(sent)d eacces=%(eacces)d other=%(other)d" % counts,
      "inherited=%d" % (len(others) == 3), flush=True)
