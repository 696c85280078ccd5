#!/bin/bash
# SPDX-License-Identifier: MIT
# setup-demo.sh - install what is missing (as root; otherwise print the one
# apt-get line to run), build cordon, and show it working. Needs no network.
# As root, the demo itself runs cordon as an unprivileged user: running
# without root is the point.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
cordon_install_deps

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "built: build/tools/cordon"

demo=$(mktemp -d /tmp/cordon-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
chmod 755 "$demo"
cp build/tools/cordon build/tests/cordon-probe "$demo/"
cordon=$demo/cordon
probe=$demo/cordon-probe
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	id cordontest >/dev/null 2>&1 || useradd -M -s /bin/sh cordontest
	chown cordontest "$demo"
	as_user() { setpriv --reuid=cordontest --regid=cordontest \
		--init-groups "$@"; }
fi
# The job's workspace is the directory cordon starts in (docs/filesystem.md):
# the demo's files are there.
cd "$demo"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "cordon doctor: what this kernel gives cordon"
as_user "$cordon" doctor || true

step "1. the job's exit status comes back"
show "cordon run -- sh -c 'exit 3'"
set +e
as_user "$cordon" run -- sh -c 'exit 3'
echo "exit status: $?"

step "2. io_uring is refused inside the kernel (natively it works)"
show "cordon-probe io_uring            # natively"
as_user "$probe" io_uring
show "cordon run -- cordon-probe io_uring"
as_user "$cordon" run -- "$probe" io_uring

step "3. a 32-bit system call (int 0x80) kills the caller"
show "cordon run -- cordon-probe int80"
as_user "$cordon" run -- "$probe" int80
echo "exit status: $? (128 + SIGSYS)"

step "4. a daemon (setsid + double fork) does not outlive the job"
show "cordon run -- cordon-probe daemon PIDFILE"
as_user "$cordon" run -- "$probe" daemon "$demo/daemon.pid" 300
dpid=$(cat "$demo/daemon.pid")
if [ -d "/proc/$dpid" ] && grep -q cordon-probe "/proc/$dpid/cmdline" 2>/dev/null; then
	echo "daemon $dpid is still alive: that would be a bug"
	kill -9 "$dpid"
	exit 1
fi
echo "daemon $dpid was killed when the job ended"

step "5. the network: a job may reach only what its zone allows"
# A service on this host's loopback, started outside cordon (a CI agent, a
# database...): the job must not reach it.
python3 -m http.server --bind 127.0.0.1 0 >/dev/null 2>"$demo/srv.log" &
srv=$!
sleep 0.5
port=$(ss -ltnp 2>/dev/null | awk -v p="pid=$srv," '$0 ~ p {split($4, a, ":"); print a[2]}' | head -1)
cat >"$demo/net.py" <<'PY'
import socket, sys, threading
host_port = int(sys.argv[1])
def try_connect(what, addr):
    s = socket.socket(socket.AF_INET6 if ':' in addr[0] else socket.AF_INET)
    s.settimeout(2)
    try:
        s.connect(addr)
        print(f'  {what:44} connected')
    except OSError as e:
        print(f'  {what:44} refused: {e.strerror}')
# the job's own server on loopback: allowed
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
try_connect('its own server on 127.0.0.1', srv.getsockname())
try_connect('the host\'s service on 127.0.0.1', ('127.0.0.1', host_port))
try_connect('cloud metadata 169.254.169.254', ('169.254.169.254', 80))
try_connect('metadata, IPv4-mapped IPv6 spelling', ('::ffff:169.254.169.254', 80))
try_connect('anything else (198.51.100.7:443)', ('198.51.100.7', 443))
PY
show "cordon run -- python3 net.py    # default zone fork-pr: no egress"
as_user "$cordon" run -- python3 "$demo/net.py" "${port:-9}"
kill "$srv" 2>/dev/null
echo "(each denial fails at once with EACCES: no packet leaves; see docs/network.md)"

step "6. resource limits hold for the whole tree"
show "cordon run --limit mem=128M -- python3 -c 'grow forever'"
as_user "$cordon" run --limit mem=128M -- python3 -c "
a = []
while True: a.append(bytearray(8 << 20))"
echo "exit status: $? (124: a limit killed the job)"
show "cordon run --limit pids=16 -- python3 -c 'fork until it fails'"
as_user "$cordon" run -q --limit pids=16 -- python3 -c "
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(1); os._exit(0)
        n += 1
except OSError as e:
    print(f'  forked {n} children, then: {e.strerror}')"

step "7. the audit log (JSON Lines): every exec with the xxh3 of the file run"
show "cordon run --audit audit.jsonl -- sh -c 'ls /usr >/dev/null; cordon-probe personality 0x40000'"
as_user "$cordon" run --audit "$demo/audit.jsonl" -- sh -c "ls /usr >/dev/null; '$probe' personality 0x40000"
python3 - "$demo/audit.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] == "exec":
        print(f'  exec     {r["exe"]:<28} xxh3 {r["exe_xxh3"]}')
    elif r["type"] == "decision":
        print(f'  {r["decision"]:<8} {r["syscall"]} {r["detail"]}  [zone {r["zone"]}: {r["rule"]}]')
    elif r["type"] == "summary":
        print(f'  summary  exit {r["exit_status"]} ({r["why"]}), {r["notified_calls"]} notified calls, {r["denied_calls"]} denied')
PY

step "8. the filesystem: the system read-only, the workspace writable, nothing else"
# A stand-in for a runner's home with a key in it, outside the workspace:
# the job's user can read it natively, the job cannot.
home=$(mktemp -d /tmp/cordon-demo-home.XXXXXX)
trap 'rm -rf "$demo" "$home"' EXIT
mkdir "$home/.ssh"
echo "demo-secret-key" >"$home/.ssh/id_ed25519"
[ "$(id -u)" = 0 ] && chown -R cordontest "$home"
show "cat ~/.ssh/id_ed25519                 # natively"
as_user cat "$home/.ssh/id_ed25519"
show "cordon run -- cat ~/.ssh/id_ed25519"
as_user "$cordon" run -- cat "$home/.ssh/id_ed25519"
show "cordon run -- sh -c 'echo built >out.txt; echo x >/var/tmp/x; echo \$TMPDIR'    # cwd is the workspace"
as_user "$cordon" run -- sh -c 'echo built >out.txt && cat out.txt; echo x >/var/tmp/x; echo "TMPDIR=$TMPDIR (private to this job, removed after it)"'
show "cordon policy explain open ~/.ssh/id_ed25519 read"
as_user "$cordon" policy explain open "$home/.ssh/id_ed25519" read || true

echo
echo "demo done"
