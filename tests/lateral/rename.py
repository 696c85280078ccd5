# SPDX-License-Identifier: MIT
# rename.py DIR - renames and links within and across directories, and mv
# of a file and a directory across them, one line per attempt; lateral.sh
# compares the lines under cordon with native ones (Landlock ABI 1 refuses
# reparenting with EXDEV: docs/isolation.md).
import errno
import os
import subprocess
import sys

os.chdir(sys.argv[1])
for d in ("a", "b", "a/sub"):
    os.makedirs(d, exist_ok=True)


def tr(name, fn):
    try:
        fn()
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])


for f in ("a/x", "a/z", "a/m", "a/sub/f"):
    open(f, "w").close()
tr("rename-same-dir", lambda: os.rename("a/x", "a/y"))
tr("rename-across", lambda: os.rename("a/y", "b/y"))
tr("link-same-dir", lambda: os.link("a/z", "a/z2"))
tr("link-across", lambda: os.link("a/z", "b/z"))
tr("rename-dir-across", lambda: os.rename("a/sub", "b/sub"))
print("mv-file-across", subprocess.run(["mv", "a/m", "b/m"]).returncode,
      os.path.exists("b/m"))
os.makedirs("a/tree/deep", exist_ok=True)
open("a/tree/deep/f", "w").close()
print("mv-dir-across", subprocess.run(["mv", "a/tree", "b/"]).returncode,
      os.path.exists("b/tree/deep/f"), os.path.exists("a/tree"))
