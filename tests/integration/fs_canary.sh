#!/bin/bash
# SPDX-License-Identifier: MIT
# fs_canary.sh BUILD_DIR - the zones' filesystem rules (docs/filesystem.md),
# as the unprivileged test user with a fake $HOME made here: canary secrets
# in ~/.ssh, ~/.aws, ~/.docker and another job's checkout are read natively
# by every route of tests/integration/fs_route.py and by none under fork-pr
# and internal-ci; writes outside the workspace and the private TMPDIR
# fail with EACCES; the private TMPDIR is 0700, the job's, and gone after
# the run; real builds work in the workspace; a zone with fs rules fails
# closed without a Landlock domain (exit 125) unless --allow-unconfined-fs,
# and then the supervisor's opens obey the rules (--no-landlock); policy
# errors and explain open. Uses $CORDON_REAL: testlib's wrapper would make
# the whole test directory the workspace.
. "$(dirname "$0")/../lib/testlib.sh"
t_init "$1"
SRC=$(cd "$(dirname "$0")" && pwd)
C=$CORDON_REAL
CANARY="canary-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
H=$T_DIR/home
WS=$T_DIR/ws
OTHER=$T_DIR/otherjob
mkdir -p "$H/.ssh" "$H/.aws" "$H/.docker" "$H/.cache/pip" "$WS" "$OTHER"
echo "$CANARY ssh" >"$H/.ssh/id_ed25519"
printf '#!/bin/cat\n%s exec\n' "$CANARY" >"$H/.ssh/run-me"
chmod 700 "$H/.ssh/run-me"
echo "$CANARY aws" >"$H/.aws/credentials"
echo "{\"auths\": \"$CANARY docker\"}" >"$H/.docker/config.json"
echo "$CANARY other job" >"$OTHER/secret.txt"
echo victim >"$OTHER/victim.txt"
cp "$SRC/fs_route.py" "$WS/route.py"
if [ "$(id -u)" = 0 ]; then
	chown -R "$T_USER" "$H" "$WS" "$OTHER"
fi
chmod 700 "$H/.ssh"

# A host daemon's socket outside the workspace, reached through a symlink
# planted in it: it hands the canary to whoever connects.
as_user_bg /usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall((sys.argv[2] + " socket\n").encode()); c.close()
' "$T_DIR/work/host.sock" "$CANARY" &
T_STARTED_PIDS="$T_STARTED_PIDS $!"
for i in $(seq 50); do [ -S "$T_DIR/work/host.sock" ] && break; sleep 0.1; done
as_user ln -sf "$T_DIR/work/host.sock" "$WS/host-socket"

# job ZONE CMD... - CMD under cordon in the workspace, as the test user
# with the fake home.
job() {
	local zone=$1
	shift
	(cd "$WS" && as_user env HOME="$H" "$C" run -q --zone "$zone" \
		--workspace "$WS" -- "$@")
}
native() { (cd "$WS" && as_user env HOME="$H" "$@"); }

ROUTES="cat aws docker other-job symlink hardlink proc-root proc-cwd dotdot openat2 exec rename unix"
for r in $ROUTES; do
	native /usr/bin/python3 "$WS/route.py" "$r" "$H" "$WS" "$OTHER" >"$T_DIR/native-$r" 2>&1
	t_check "native-$r-reads-the-canary" 'grep -q "$CANARY" "$T_DIR/native-$r"'
	for z in fork-pr internal-ci; do
		job "$z" /usr/bin/python3 "$WS/route.py" "$r" "$H" "$WS" "$OTHER" >"$T_DIR/$z-$r" 2>&1
		t_check "$z-$r-never-reads-the-canary" '! grep -q "$CANARY" "$T_DIR/$z-$r" && grep -q "^fail:\|^link:" "$T_DIR/$z-$r"'
	done
done
# The canary is still where it was (no route moved it away).
t_check "canary-in-place" 'grep -q "$CANARY" "$H/.ssh/id_ed25519"'
# The hard link is refused by the kernel, not merely unreadable.
t_check "hardlink-refused" 'grep -q "^link: EXDEV\|^link: EACCES" "$T_DIR/fork-pr-hardlink"'

# --- writes outside the workspace and the private TMPDIR: EACCES -----------
native /usr/bin/python3 "$WS/route.py" write "$H" "$WS" "$OTHER" >"$T_DIR/native-write" 2>&1
t_check "native-write-control" '[ "$(grep -c "^wrote: " "$T_DIR/native-write")" -ge 7 ]'
for z in fork-pr internal-ci release; do
	job "$z" /usr/bin/python3 "$WS/route.py" write "$H" "$WS" "$OTHER" >"$T_DIR/$z-write" 2>&1
	t_check "$z-writes-outside-eacces" '! grep -q "^wrote: " "$T_DIR/$z-write" && [ "$(grep -c "^fail: .* EACCES" "$T_DIR/$z-write")" -ge 7 ]'
done
t_check "other-job-untouched" '[ "$(cat "$OTHER/victim.txt")" = victim ] && [ ! -e "$H/planted" ]'
# internal-ci writes the package caches that exist; fork-pr does not.
job internal-ci sh -c 'echo c >"$HOME/.cache/pip/x" && cat "$HOME/.cache/pip/x"' >"$T_DIR/out" 2>&1
t_check "internal-ci-writes-pip-cache" 'grep -qx c "$T_DIR/out"'
job fork-pr sh -c 'echo c >"$HOME/.cache/pip/y"' >"$T_DIR/out" 2>&1
t_check "fork-pr-no-pip-cache" '[ ! -e "$H/.cache/pip/y" ] && grep -q "Permission denied" "$T_DIR/out"'
job release sh -c 'cat "$HOME/.cache/pip/x"; echo w >"$HOME/.cache/pip/z"' >"$T_DIR/out" 2>&1
t_check "release-reads-cache-writes-nothing" 'grep -qx c "$T_DIR/out" && [ ! -e "$H/.cache/pip/z" ]'

# --- the private TMPDIR: 0700, the job's, gone afterwards ------------------
job fork-pr /usr/bin/python3 "$WS/route.py" tmp "$H" "$WS" "$OTHER" >"$T_DIR/out" 2>&1
tmpd=$(sed -n 's/^tmp: \([^ ]*\) .*/\1/p' "$T_DIR/out")
t_check "private-tmp-0700-owned" 'grep -q "^tmp: .*/cordon-job\.[^ ]* mode 700 uid $(as_user id -u)$" "$T_DIR/out"'
t_check "private-tmp-removed" '[ -n "$tmpd" ] && [ ! -e "$tmpd" ]'
job fork-pr sh -c 'echo "$TMPDIR"' >"$T_DIR/out" 2>&1
t_check "private-tmp-per-job" '[ "$(cat "$T_DIR/out")" != "$tmpd" ]'

# --- real builds still work in the workspace --------------------------------
mkdir -p "$WS/proj"
cat >"$WS/proj/Makefile" <<'EOF'
all: hello
	./hello
hello: a.o b.o
	$(CC) -o $@ a.o b.o
%.o: %.c
	$(CC) -O2 -Wall -c $<
EOF
echo 'int b(void); int main(void){ return b() - 42; }' >"$WS/proj/a.c"
echo '#include <stdio.h>
int b(void){ puts("built"); return 42; }' >"$WS/proj/b.c"
[ "$(id -u)" = 0 ] && chown -R "$T_USER" "$WS/proj"
job fork-pr make -C "$WS/proj" -j2 >"$T_DIR/out" 2>&1
t_check "make-gcc-builds" 'grep -qx built "$T_DIR/out"'
job fork-pr sh -c 'cd proj && git init -q . && git add -A && git -c user.email=t@t -c user.name=t commit -qm one && git log --oneline | wc -l' >"$T_DIR/out" 2>&1
t_check "git-on-the-workspace" 'grep -qx 1 "$T_DIR/out"'
job fork-pr sh -c 'python3 -m venv --without-pip venv && venv/bin/python -c "import sys; print(sys.prefix)"' >"$T_DIR/out" 2>&1
t_check "python-venv" 'grep -q "$WS/venv" "$T_DIR/out"'

# --- renames across directories of the workspace ----------------------------
# ABI 2+ (REFER granted on the writable trees): rename() works. ABI 1 has no
# REFER: every reparenting is EXDEV, and mv still works (it copies).
mvjob='mkdir -p mv/a mv/b && echo m >mv/a/f && echo n >mv/a/g &&
python3 -c "import os
try:
    os.rename(\"mv/a/g\", \"mv/b/g\"); print(\"rename ok\")
except OSError as e:
    print(\"rename\", e.errno)" && mv mv/a/f mv/b/f && cat mv/b/f && rm -rf mv'
job fork-pr sh -c "$mvjob" >"$T_DIR/out" 2>&1
t_check "rename-across-dirs-in-workspace" 'grep -qx "rename ok" "$T_DIR/out" && grep -qx m "$T_DIR/out"'
(cd "$WS" && as_user env HOME="$H" CORDON_IGNORE_FEATURES=landlock_abi=1 "$C" run -q --workspace "$WS" -- sh -c "$mvjob") >"$T_DIR/out" 2>&1
t_check "abi1-rename-exdev-mv-works" 'grep -qx "rename 18" "$T_DIR/out" && grep -qx m "$T_DIR/out"'
(cd "$WS" && as_user env HOME="$H" CORDON_IGNORE_FEATURES=landlock_abi=1 "$C" run -q --workspace "$WS" -- /usr/bin/python3 "$WS/route.py" cat "$H" "$WS" "$OTHER") >"$T_DIR/out" 2>&1
t_check "abi1-never-reads-the-canary" '! grep -q "$CANARY" "$T_DIR/out" && grep -q "^fail:" "$T_DIR/out"'

# --- fail closed without a Landlock domain ---------------------------------
(cd "$WS" && as_user env HOME="$H" CORDON_IGNORE_FEATURES=landlock "$C" run -q --workspace "$WS" -- /bin/true) >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "no-landlock-kernel-125" '[ "$st" = 125 ] && grep -q "confines the filesystem, and this kernel has no Landlock" "$T_DIR/err"'
(cd "$WS" && as_user env HOME="$H" "$C" run -q --no-landlock --workspace "$WS" -- /bin/true) >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "no-landlock-option-125" '[ "$st" = 125 ] && grep -q "no-landlock leaves the job without a Landlock domain" "$T_DIR/err"'
# --allow-unconfined-fs: the supervisor's opens obey the rules (sys_open.c).
(cd "$WS" && as_user env HOME="$H" "$C" run -q --no-landlock --allow-unconfined-fs --workspace "$WS" -- /usr/bin/python3 "$WS/route.py" cat "$H" "$WS" "$OTHER") >"$T_DIR/out" 2>&1
t_check "supervisor-opens-deny-the-canary" '! grep -q "$CANARY" "$T_DIR/out" && grep -q "^fail:" "$T_DIR/out"'
(cd "$WS" && as_user env HOME="$H" "$C" run -q --no-landlock --allow-unconfined-fs --workspace "$WS" -- /usr/bin/python3 "$WS/route.py" symlink "$H" "$WS" "$OTHER") >"$T_DIR/out" 2>&1
t_check "supervisor-opens-deny-through-symlink" '! grep -q "$CANARY" "$T_DIR/out"'
(cd "$WS" && as_user env HOME="$H" "$C" run -q --no-landlock --allow-unconfined-fs --workspace "$WS" -- /bin/sh -c 'echo ok >"$TMPDIR/f" && cat "$TMPDIR/f" && cat proj/a.c >/dev/null && echo ws-ok') >"$T_DIR/out" 2>&1
t_check "supervisor-opens-allow-workspace-tmp" 'grep -qx ok "$T_DIR/out" && grep -qx ws-ok "$T_DIR/out"'

# --- the audit header names the layer --------------------------------------
(cd "$WS" && as_user env HOME="$H" "$C" run -q --audit "$T_DIR/work/audit.jsonl" --workspace "$WS" -- /bin/true)
t_check "audit-header-filesystem" 'head -1 "$T_DIR/work/audit.jsonl" | grep -q "\"filesystem\":{\"layer\":\"landlock\",\"workspace\":\"$WS\""'

# --- policy: errors and explain ---------------------------------------------
printf 'zone z extends fork-pr {\n\tfs read,write /srv/data\n\tfs deny /srv/data/keys\n}\n' >"$T_DIR/deny.cordon"
as_user "$C" policy check "$T_DIR/deny.cordon" >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "policy-deny-in-writable-tree-125" '[ "$st" = 125 ] && grep -q "deny.cordon:3:2: error: .fs deny \"/srv/data/keys\". lies inside \"/srv/data\"" "$T_DIR/err"'
printf 'zone z extends fork-pr {\n\tfs read,exec /srv/tools\n\tfs deny /srv/tools/keys\n\tfs raed /x\n}\n' >"$T_DIR/bad.cordon"
as_user "$C" policy check "$T_DIR/bad.cordon" >"$T_DIR/out" 2>"$T_DIR/err"
st=$?
t_check "policy-fs-bad-access-located" '[ "$st" = 125 ] && grep -q "bad.cordon:4:5: error: unknown filesystem access .raed." "$T_DIR/err" && ! grep -q "bad.cordon:3" "$T_DIR/err"'
(cd "$WS" && as_user env HOME="$H" "$C" policy explain --workspace "$WS" open "$H/.ssh/id_ed25519") >"$T_DIR/out" 2>&1
t_check "explain-open-home-denied" 'grep -q "^deny .*open $H/.ssh/id_ed25519 read" "$T_DIR/out" && grep -q "default deny" "$T_DIR/out"'
(cd "$WS" && as_user env HOME="$H" "$C" policy explain --workspace "$WS" open "$WS/route.py" write) >"$T_DIR/out" 2>&1
t_check "explain-open-workspace-allowed" 'grep -q "^allow .*open $WS/route.py write" "$T_DIR/out" && grep -q "rule: fs read,write,exec \"\$WORKSPACE\" (<builtin>:" "$T_DIR/out"'
as_user "$C" policy explain open /etc/ssh/sshd_config >"$T_DIR/out" 2>&1
t_check "explain-open-etc-secret-denied" 'grep -q "^deny" "$T_DIR/out" && grep -q "rule: fs deny \"/etc/ssh\"" "$T_DIR/out"'
as_user "$C" policy explain open /usr/bin/cc exec >"$T_DIR/out" 2>&1
t_check "explain-open-usr-exec" 'grep -q "^allow" "$T_DIR/out" && grep -q "fs read,exec \"/usr\"" "$T_DIR/out"'
# The kernel agrees with explain on /etc/ssh (a deny inside a read-only tree).
job fork-pr sh -c 'cat /etc/ssh/ssh_config >/dev/null 2>&1 && echo read-ssh; cat /etc/passwd >/dev/null && echo read-passwd' >"$T_DIR/out" 2>&1
if [ -e /etc/ssh/ssh_config ]; then
	t_check "etc-ssh-denied-etc-passwd-read" 'grep -qx read-passwd "$T_DIR/out" && ! grep -q read-ssh "$T_DIR/out"'
fi
t_done
