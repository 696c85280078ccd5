#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""container_profile.py - run a command under a container runtime's default
seccomp profile, as a container would start it.

Reads the JSON profile format of Podman/containers-common (the same format
as Docker's and containerd's: defaultAction, defaultErrnoRet, archMap,
syscalls[] with names, action, errnoRet, args and includes/excludes by caps,
arches and minKernel), compiles it with libseccomp's Python bindings
(Debian's python3-seccomp) and loads it into this process, then execs the
command. The command inherits the filter, as a process inside the container
would.

Modes:
  podman  the profile as shipped (/usr/share/containers/seccomp.json).
  docker  the same, with pidfd_getfd, process_vm_readv and process_vm_writev
          refused with EPERM, as Docker's (moby's default.json) and
          containerd's (Kubernetes' RuntimeDefault) profiles refuse them to a
          process without CAP_SYS_PTRACE. kcmp, ptrace of others'
          memory-wise siblings and process_madvise are refused by both
          already (kcmp and process_madvise need CAP_SYS_PTRACE in Podman's
          file too).

The process is taken to hold no capabilities (a CI job's container drops
them, and cordon's tests run unprivileged): rules that include caps never
apply, rules that exclude caps always do.

Exit status: the command's (exec), 125 when the profile cannot be read or
loaded, 77 when the profile file or the bindings are missing (--check).
"""
import argparse
import json
import os
import platform
import signal
import sys

DEFAULT_PROFILE = "/usr/share/containers/seccomp.json"

# What Docker/containerd refuse without CAP_SYS_PTRACE that Podman allows.
DOCKER_REFUSED = ("pidfd_getfd", "process_vm_readv", "process_vm_writev")
EPERM = 1

# Go's GOARCH names (the profiles' "arches") for this machine.
GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386",
          "s390x": "s390x", "ppc64le": "ppc64le"}
SCMP_ARCH = {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64",
             "s390x": "SCMP_ARCH_S390X", "ppc64le": "SCMP_ARCH_PPC64LE"}


def die(msg, code=125):
    sys.stderr.write("container_profile: %s\n" % msg)
    sys.exit(code)


def kernel_version():
    rel = platform.release().split("-")[0].split(".")
    try:
        return tuple(int(x) for x in rel[:2])
    except ValueError:
        return (0, 0)


def parse_kernel(s):
    try:
        return tuple(int(x) for x in s.split(".")[:2])
    except ValueError:
        return (0, 0)


def rule_applies(rule, goarch, caps):
    """Whether a syscalls[] entry applies to this process (moby's rules:
    every include must hold, no exclude may)."""
    inc = rule.get("includes") or {}
    exc = rule.get("excludes") or {}
    if inc.get("arches") and goarch not in inc["arches"]:
        return False
    if inc.get("caps") and not all(c in caps for c in inc["caps"]):
        return False
    if inc.get("minKernel") and kernel_version() < parse_kernel(
            inc["minKernel"]):
        return False
    if exc.get("arches") and goarch in exc["arches"]:
        return False
    if exc.get("caps") and any(c in caps for c in exc["caps"]):
        return False
    if exc.get("minKernel") and kernel_version() >= parse_kernel(
            exc["minKernel"]):
        return False
    return True


def action_of(sc, name, errno_ret, default_errno):
    if name == "SCMP_ACT_ALLOW":
        return sc.ALLOW
    if name == "SCMP_ACT_ERRNO":
        return sc.ERRNO(errno_ret if errno_ret is not None else
                        default_errno)
    if name in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"):
        return sc.KILL
    if name == "SCMP_ACT_KILL_PROCESS":
        return sc.KILL_PROCESS
    if name == "SCMP_ACT_TRAP":
        return sc.TRAP
    if name == "SCMP_ACT_LOG":
        return sc.LOG
    if name == "SCMP_ACT_TRACE":
        return sc.TRACE(errno_ret or 0)
    die("unsupported action %s" % name)


OPS = {"SCMP_CMP_EQ": "EQ", "SCMP_CMP_NE": "NE", "SCMP_CMP_LT": "LT",
       "SCMP_CMP_LE": "LE", "SCMP_CMP_GT": "GT", "SCMP_CMP_GE": "GE",
       "SCMP_CMP_MASKED_EQ": "MASKED_EQ"}


def arg_sets(sc, args):
    """The argument comparisons of a rule as libseccomp rules. moby's
    semantics: comparisons on distinct arguments are ANDed in one rule;
    several on the same argument make one rule per comparison (ORed)."""
    if not args:
        return [[]]
    idx = [a["index"] for a in args]
    conv = []
    for a in args:
        op = getattr(sc, OPS[a["op"]])
        if a["op"] == "SCMP_CMP_MASKED_EQ":
            conv.append(sc.Arg(a["index"], op, a["value"], a["valueTwo"]))
        else:
            conv.append(sc.Arg(a["index"], op, a["value"]))
    if len(set(idx)) == len(idx):
        return [conv]
    return [[c] for c in conv]


def build(sc, profile, mode, caps):
    machine = platform.machine()
    goarch = GOARCH.get(machine, machine)
    default_errno = profile.get("defaultErrnoRet")
    if default_errno is None:
        default_errno = EPERM
    default = action_of(sc, profile["defaultAction"], default_errno,
                        default_errno)
    f = sc.SyscallFilter(default)
    # The native architecture is in the filter already; its sub-
    # architectures (x86 and x32 on x86_64) as the runtimes add them.
    native = SCMP_ARCH.get(machine)
    for m in profile.get("archMap") or []:
        if m.get("architecture") != native:
            continue
        for sub in m.get("subArchitectures") or []:
            arch = getattr(sc.Arch, sub.replace("SCMP_ARCH_", ""), None)
            if arch is not None:
                try:
                    f.add_arch(arch)
                except Exception:
                    pass
    n_rules = 0
    for rule in profile.get("syscalls") or []:
        if not rule_applies(rule, goarch, caps):
            continue
        act = action_of(sc, rule["action"], rule.get("errnoRet"),
                        default_errno)
        for name in rule["names"]:
            if mode == "docker" and name in DOCKER_REFUSED:
                continue
            for a in arg_sets(sc, rule.get("args")):
                try:
                    f.add_rule(act, name, *a)
                    n_rules += 1
                except (RuntimeError, ValueError, OSError):
                    # A name this architecture lacks (or libseccomp
                    # does not know): the runtimes skip it too.
                    pass
    if mode == "docker":
        for name in DOCKER_REFUSED:
            f.add_rule(sc.ERRNO(EPERM), name)
    return f, n_rules


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("podman", "docker"),
                    default="podman")
    ap.add_argument("--profile", default=DEFAULT_PROFILE)
    ap.add_argument("--caps", default="",
                    help="comma-separated capabilities the process is "
                    "taken to hold (default: none)")
    ap.add_argument("--check", action="store_true",
                    help="exit 0 when the profile and the bindings are "
                    "there, 77 (with the reason) when not")
    ap.add_argument("--sig-ignored", default=None, metavar="HEX",
                    help="the caller's SigIgn mask (/proc/PID/status): "
                    "Python ignores SIGPIPE and SIGXFSZ for itself, and "
                    "the command gets them back as the caller had them "
                    "(default: as a runtime starts it, SIG_DFL)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    o = ap.parse_args()
    try:
        import seccomp as sc
    except ImportError:
        die("python3-seccomp (libseccomp's Python bindings) is missing", 77)
    if not os.path.exists(o.profile):
        die("%s is missing (Debian: golang-github-containers-common)" %
            o.profile, 77)
    try:
        with open(o.profile) as fh:
            profile = json.load(fh)
    except (OSError, ValueError) as e:
        die("%s: %s" % (o.profile, e))
    caps = set(c for c in o.caps.split(",") if c)
    f, n = build(sc, profile, o.mode, caps)
    if o.check:
        print("%s: %d rules (%s mode)" % (o.profile, n, o.mode))
        return 0
    cmd = o.cmd[1:] if o.cmd and o.cmd[0] == "--" else o.cmd
    if not cmd:
        die("no command")
    try:
        f.load()
    except OSError as e:
        die("loading the filter: %s" % e)
    ign = int(o.sig_ignored, 16) if o.sig_ignored else 0
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        if not ign >> (sig - 1) & 1:
            signal.signal(sig, signal.SIG_DFL)
    try:
        os.execvp(cmd[0], cmd)
    except OSError as e:
        die("%s: %s" % (cmd[0], e), 127)


if __name__ == "__main__":
    sys.exit(main())
