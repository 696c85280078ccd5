# SPDX-License-Identifier: MIT
# fs_route.py ROUTE HOME WS OTHER - one way of reaching a secret outside the
# workspace, tried from the job (tests/integration/fs_canary.sh). Prints
# what it read ("read: ...") or how it failed ("fail: ERRNO-NAME ..."); the
# suite looks for the canary in the output. Runs natively too: there each
# route must read the canary, or the check proves nothing.
import ctypes
import errno
import os
import socket
import struct
import subprocess
import sys

route, home, ws, other = sys.argv[1:5]
secret = os.path.join(home, ".ssh", "id_ed25519")


def out(what):
    print(what, flush=True)


def read_path(p, **kw):
    with open(p, "r", **kw) as f:
        out("read: " + f.read().strip())


def openat2(dirfd, path, flags, resolve):
    libc = ctypes.CDLL(None, use_errno=True)
    how = struct.pack("QQQ", flags, 0, resolve)
    buf = ctypes.create_string_buffer(how)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(437, dirfd, path.encode(), buf, len(how))
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    with os.fdopen(fd, "r") as f:
        out("read: " + f.read().strip())


RESOLVE_NO_XDEV, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS = 1, 2, 4
RESOLVE_BENEATH, RESOLVE_IN_ROOT = 8, 0x10
AT_FDCWD = -100

try:
    if route == "cat":
        r = subprocess.run(["cat", secret], capture_output=True, text=True)
        out("read: " + r.stdout.strip() if r.returncode == 0
            else "fail: cat " + r.stderr.strip())
    elif route == "aws":
        read_path(os.path.join(home, ".aws", "credentials"))
    elif route == "docker":
        read_path(os.path.join(home, ".docker", "config.json"))
    elif route == "other-job":
        read_path(os.path.join(other, "secret.txt"))
    elif route == "symlink":
        link = os.path.join(ws, "planted-symlink")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(secret, link)
        read_path(link)
    elif route == "hardlink":
        link = os.path.join(ws, "planted-hardlink")
        if os.path.lexists(link):
            os.unlink(link)
        try:
            os.link(os.path.join(home, ".aws", "credentials"), link)
        except OSError as e:
            out("link: %s" % errno.errorcode.get(e.errno, e.errno))
        read_path(link)
    elif route == "proc-root":
        read_path("/proc/self/root" + secret)
    elif route == "proc-cwd":
        # A child's cwd in $HOME, followed through its /proc link.
        p = subprocess.Popen(["sleep", "5"], cwd=os.path.join(home, ".ssh"))
        try:
            read_path("/proc/%d/cwd/id_ed25519" % p.pid)
        finally:
            p.kill()
    elif route == "dotdot":
        rel = os.path.relpath(secret, ws)
        os.chdir(ws)
        read_path(rel)
    elif route == "openat2":
        for res in (RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV):
            try:
                openat2(AT_FDCWD, secret, os.O_RDONLY, res)
            except OSError as e:
                out("fail: openat2 %x %s" % (res, errno.errorcode.get(e.errno)))
        fd = os.open(ws, os.O_RDONLY | os.O_DIRECTORY)
        for res in (RESOLVE_IN_ROOT, RESOLVE_BENEATH):
            try:
                openat2(fd, os.path.relpath(secret, ws), os.O_RDONLY, res)
            except OSError as e:
                out("fail: openat2 %x %s" % (res, errno.errorcode.get(e.errno)))
        # And through the planted symlink, beneath the workspace.
        link = os.path.join(ws, "planted-symlink2")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(secret, link)
        try:
            openat2(fd, "planted-symlink2", os.O_RDONLY, 0)
        except OSError as e:
            out("fail: openat2 link %s" % errno.errorcode.get(e.errno))
    elif route == "exec":
        # ~/.ssh/run-me is "#!/bin/cat" followed by the canary.
        r = subprocess.run([os.path.join(home, ".ssh", "run-me")],
                           capture_output=True, text=True)
        out("read: " + r.stdout.strip() if r.returncode == 0
            else "fail: exec %d %s" % (r.returncode, r.stderr.strip()))
    elif route == "rename":
        dst = os.path.join(ws, "stolen")
        os.rename(secret, dst)
        read_path(dst)
        os.rename(dst, secret)  # natively: put it back
    elif route == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(os.path.join(ws, "host-socket"))
        out("read: " + s.recv(200).decode().strip())
    elif route == "write":
        # Every write outside the workspace and the private TMPDIR.
        for p in (os.path.join(home, "planted"), os.path.join(other, "planted"),
                  os.path.join(home, ".ssh", "authorized_keys"),
                  "/tmp/cordon-fs-planted-%d" % os.getuid(),
                  os.path.join(os.path.dirname(ws), "planted")):
            try:
                with open(p, "a") as f:
                    f.write("x")
                out("wrote: " + p)
                os.unlink(p)
            except OSError as e:
                out("fail: write %s %s" % (p, errno.errorcode.get(e.errno)))
        for call in ("mkdir", "truncate", "unlink", "chmod-ok"):
            try:
                if call == "mkdir":
                    os.mkdir(os.path.join(home, "newdir"))
                    os.rmdir(os.path.join(home, "newdir"))
                elif call == "truncate":
                    os.truncate(os.path.join(home, ".aws", "credentials"),
                                os.path.getsize(os.path.join(home, ".aws",
                                                             "credentials")))
                elif call == "unlink":
                    p = os.path.join(other, "victim.txt")
                    os.unlink(p)
                    with open(p, "w") as f:
                        f.write("victim\n")
                else:
                    continue
                out("wrote: " + call)
            except OSError as e:
                out("fail: %s %s" % (call, errno.errorcode.get(e.errno)))
    elif route == "tmp":
        t = os.environ.get("TMPDIR", "")
        st = os.stat(t)
        with open(os.path.join(t, "x"), "w") as f:
            f.write("y")
        os.mkdir(os.path.join(t, "sub"))
        with open(os.path.join(t, "sub", "z"), "w") as f:
            f.write("z")
        out("tmp: %s mode %o uid %d" % (t, st.st_mode & 0o7777, st.st_uid))
    else:
        out("unknown route")
        sys.exit(2)
except OSError as e:
    out("fail: %s %s" % (errno.errorcode.get(e.errno, e.errno), e))
