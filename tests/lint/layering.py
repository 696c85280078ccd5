#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""layering.py SRC_DIR - the module layering of shared/STYLE.md, checked.

Fails, with one "file:line: why" per finding, when
  1. a project header is included other than by its path from the repository
     root ('#include "netstack/netstack.h"', never '"netstack.h"', '"../x.h"'
     or '<sentry/sentry.h>');
  2. a module includes a header of a module it may not see: common <- policy
     <- netstack <- sentry <- tools, platform <- sentry (so platform/ never
     sees policy/, netstack/ never sees platform/, common/ sees nothing of
     ours, no product module sees tests/ or bench/);
  3. a file includes another folder's *_priv.h (internals stay inside their
     folder; tests/ is exempt: white-box unit tests include the internals of
     the module they test);
  4. code outside platform/ touches another process, which is platform's job
     alone (shared/DESIGN.md): a call of process_vm_readv/writev or
     pidfd_getfd (also through syscall(__NR_/SYS_...)), any use of a
     SECCOMP_IOCTL_* request (the notify fd's ioctls), a string literal that
     names or formats a /proc/<pid> path ("/proc/%d/...", "/proc/1/...",
     adjacent literals joined as the compiler does), or an open/opendir/
     readlink/stat-family call on the bare "/proc" directory (the way to
     reach /proc/<pid> without spelling it). "/proc/self/...",
     "/proc/thread-self/..." and "/proc/sys/..." are the supervisor's own
     and fine anywhere.
tests/ and bench/ are exempt from rule 4: their programs play the job, the
victim or the attacker (tests/lateral/attacker.c reads another process's
memory on purpose, tests/probes/cordon_probe.c and the net tests open
/proc/<pid> paths to see what the job sees).
Comments are ignored; string literals are looked at only by the /proc rule.
"""
import os
import re
import subprocess
import sys

LAYERING = "common <- policy <- netstack <- sentry <- tools; platform <- sentry"
PRODUCT = ["common", "policy", "netstack", "platform", "sentry", "tools"]
# What each top-level folder may include (itself included).
MAY_INCLUDE = {
    "common": {"common"},
    "policy": {"common", "policy"},
    "netstack": {"common", "policy", "netstack"},
    "platform": {"common", "platform"},
    "sentry": {"common", "policy", "netstack", "platform", "sentry"},
    "tools": {"common", "policy", "netstack", "platform", "sentry", "tools"},
    "bench": set(PRODUCT) | {"bench"},
    "tests": set(PRODUCT) | {"tests"},
}
# Folders whose code may touch other processes (rule 4).
PROCESS_OK = {"platform", "tests", "bench"}

CALL_RES = [
    (re.compile(r"\bprocess_vm_(readv|writev)\s*\("),
     "calls process_vm_%s(): job memory is platform/'s alone"),
    (re.compile(r"\b(?:__NR_|SYS_)(process_vm_readv|process_vm_writev|"
                r"pidfd_getfd)\b"),
     "calls %s through syscall(): job memory and fds are platform/'s alone"),
    (re.compile(r"\b(pidfd_getfd)\s*\("),
     "calls %s(): the job's fds are platform/'s alone"),
    (re.compile(r"\b(SECCOMP_IOCTL_\w+)"),
     "uses %s: the notify fd is platform/'s alone"),
]
# A /proc path of some process other than ourselves: "/proc/" followed by a
# digit or a conversion ("%d", "%u", "%" PRId32 ...).
PROC_PID_RE = re.compile(r"^/proc/+(?:\d|%)")
PROC_DIR_RE = re.compile(r"^/proc/*$")
PROC_OPEN_RE = re.compile(
    r"\b(open|openat|openat2|opendir|fopen|readlink|readlinkat|stat|lstat|"
    r"fstatat|statx|access|faccessat|scandir|nftw|chdir)\s*\(")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]*)[>"]')


def list_sources(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "*.c", "*.h"],
                             check=True, capture_output=True, text=True)
        files = out.stdout.split()
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith((".", "build"))]
        for n in names:
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(files)


def scan(text):
    """Split C text into per-line views.

    Returns (code, literals): code[i] is line i+1 with comments blanked and
    string/char literal contents removed (the quotes kept), literals is a list
    of (line, value, code_line_of_start) with adjacent string literals joined.
    Escapes are kept as written (enough for path prefixes).
    """
    out = []
    lits = []
    i, n, line = 0, len(text), 1
    cur = None      # value of the string literal being joined
    cur_line = 0
    pending = False  # a string literal ended; another may be adjacent
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if ch == "/" and nxt == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            out.append(re.sub(r"[^\n]", " ", chunk))
            line += chunk.count("\n")
            i = j
            continue
        if ch in "\"'":
            q = ch
            j = i + 1
            while j < n and text[j] != q and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            val = text[i + 1:j]
            if q == '"':
                if pending:
                    cur += val
                else:
                    cur, cur_line = val, line
                pending = True
            out.append(q + q)
            i = j + 1
            continue
        if pending and not ch.isspace():
            lits.append((cur_line, cur))
            pending = False
        if ch == "\n":
            line += 1
        out.append(ch)
        i += 1
    if pending:
        lits.append((cur_line, cur))
    return "".join(out).split("\n"), lits


def module_of(path):
    return path.split("/", 1)[0] if "/" in path else ""


def check_include(root, path, lineno, quote, name, headers, findings):
    mod = module_of(path)
    where = "%s:%d" % (path, lineno)
    if quote == "<":
        if module_of(name) in MAY_INCLUDE and os.path.isfile(
                os.path.join(root, name)):
            findings.append('%s: project header <%s> in angle brackets: '
                            'write "%s"' % (where, name, name))
        return
    norm = os.path.normpath(name)
    if (name.startswith("/") or norm != name or name.startswith("..")
            or not os.path.isfile(os.path.join(root, name))):
        hint = [h for h in headers if os.path.basename(h) ==
                os.path.basename(name)]
        findings.append('%s: "%s" is not a path from the repository root%s'
                        % (where, name, ' (write "%s")' % hint[0]
                           if len(hint) == 1 else ""))
        return
    target = module_of(name)
    allowed = MAY_INCLUDE.get(mod)
    if allowed is not None and target not in allowed:
        findings.append("%s: %s/ may not include %s (layering: %s)"
                        % (where, mod, name, LAYERING))
        return
    if name.endswith("_priv.h") and mod != "tests":
        hdir = os.path.dirname(name)
        if not path.startswith(hdir + "/"):
            findings.append("%s: %s is private to %s/ (use its public "
                            "header)" % (where, name, hdir))


def check_file(root, path, headers, findings):
    with open(os.path.join(root, path), encoding="utf-8",
              errors="replace") as f:
        text = f.read()
    code, lits = scan(text)
    raw = text.split("\n")
    mod = module_of(path)
    for i, line in enumerate(code):
        # Includes: from the raw line, but only if the directive is not
        # inside a comment (the blanked line still starts with '#').
        if re.match(r"^\s*#\s*include", line):
            m = INCLUDE_RE.match(raw[i])
            if m:
                check_include(root, path, i + 1, m.group(1), m.group(2),
                              headers, findings)
    if mod in PROCESS_OK:
        return
    for i, line in enumerate(code):
        if re.match(r"^\s*#", line):
            continue  # #define/#ifndef of a constant is not a call
        for rx, msg in CALL_RES:
            m = rx.search(line)
            if m:
                findings.append("%s:%d: %s" % (path, i + 1,
                                               msg % m.group(1)))
    for lineno, val in lits:
        if PROC_PID_RE.match(val):
            findings.append('%s:%d: "%s" names another process\'s /proc '
                            "entry: procfs of the job is platform/'s alone "
                            "(platform/platform.h)" % (path, lineno, val))
        elif PROC_DIR_RE.match(val) and PROC_OPEN_RE.search(
                code[lineno - 1]):
            findings.append('%s:%d: opens "%s" itself (the way to '
                            "/proc/<pid> without naming it): procfs of the "
                            "job is platform/'s alone" % (path, lineno, val))


def main():
    if len(sys.argv) != 2:
        print("usage: layering.py SRC_DIR", file=sys.stderr)
        return 2
    root = sys.argv[1]
    files = list_sources(root)
    headers = [f for f in files if f.endswith(".h")]
    findings = []
    for path in files:
        check_file(root, path, headers, findings)
    for f in findings:
        print(f)
    if findings:
        print("%d layering violation(s)" % len(findings))
        print("0 passed, 1 failed")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
