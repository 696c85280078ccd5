# SPDX-License-Identifier: MIT
# opath.py DIR - O_PATH opens and what glibc builds on them (fchmodat with
# AT_SYMLINK_NOFOLLOW, cp's O_PATH look at its target directory), one line
# per attempt; lateral.sh compares the lines under cordon with native ones.
import os, stat, subprocess, sys
d = sys.argv[1]
os.chdir(d)
open("f", "w").close(); os.chmod("f", 0o644)
os.makedirs("dest", exist_ok=True)
if not os.path.lexists("lnk"): os.symlink("f", "lnk")
def tr(name, fn):
    try: r = fn(); print(name, "ok", r)
    except (OSError, NotImplementedError) as e: print(name, type(e).__name__, getattr(e, "errno", ""))
def opath(p, fl):
    fd = os.open(p, os.O_PATH | fl)
    try: return stat.S_IFMT(os.fstat(fd).st_mode)
    finally: os.close(fd)
tr("opath-file", lambda: opath("f", 0))
tr("opath-dir", lambda: opath("dest", os.O_DIRECTORY))
tr("opath-follow", lambda: opath("lnk", 0))
tr("chmod-nofollow", lambda: (os.chmod("f", 0o600, follow_symlinks=False), oct(os.stat("f").st_mode & 0o777))[1])
tr("chmod-nofollow-link", lambda: os.chmod("lnk", 0o600, follow_symlinks=False))
tr("cp-into-dir", lambda: subprocess.run(["cp", "f", "dest"]).returncode)
tr("copied", lambda: os.path.exists("dest/f"))
