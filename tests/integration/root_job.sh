#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# root_job.sh BUILD_DIR - cordon started as root (issue #14 item 5): unlike
# every other suite this one runs cordon as root on purpose, because that is
# what it tests. The job must not be root: its ids, groups, capability sets,
# bounding set, no_new_privs; the supervisor dropped too (no DAC bypass
# through the supervisor layer's opens, no low port through its bind, its
# credentials in SO_PEERCRED and SCM_CREDENTIALS are the job's); lateral
# attacks against a root-owned victim and a victim of the job's own uid
# outside the job, and against cordon's processes; a root-owned checkout
# built with --workspace and given back; --allow-root-job; bad --user values
# (exit 125, nothing runs). Exit 77 (skip) unless root.
. "$(dirname "$0")/../lib/testlib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
t_init "$1"
cp "$1/tests/lateral-victim" "$1/tests/lateral-attack" "$T_DIR/bin/"
chmod 755 "$T_DIR/bin/"*
VICTIM=$T_DIR/bin/lateral-victim
W=$T_DIR/work
chmod 777 "$W"
# What the job runs lives in its workspace (the current directory: the
# zone's fs rules grant the job nothing else to execute).
cp "$1/tests/lateral-attack" "$W/"
chmod 755 "$W/lateral-attack"
ATTACK=$W/lateral-attack
NOBODY=$(id -u nobody 2>/dev/null || echo 65534)
NOGROUP=$(id -g nobody 2>/dev/null || echo 65534)
TUID=$(id -u "$T_USER")
TGID=$(id -g "$T_USER")
SECRET="rootjob-secret-$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')"
PY=/usr/bin/python3
# The job's PATH must not lead into /root (0700): the job could not exec.
export PATH=/usr/local/bin:/usr/bin:/bin

# rrun ARGS... - `cordon run ARGS...` as root, from $W.
rrun() { (cd "$W" && "$CORDON" run "$@"); }

# --- who the job is ------------------------------------------------------
status_fields() {
	grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' "$1" |
		tr -s ' \t' ' '
}
rrun -q -- sh -c "cat /proc/self/status >'$W/job-status'; cat /proc/\$PPID/status >'$W/sup-status'; \
	ppid=\$(awk '/^PPid:/ {print \$2}' /proc/\$PPID/status); cat /proc/\$ppid/status >'$W/anchor-status'; \
	id -u; id -g; id -G; echo \"\$HOME \$USER \$LOGNAME\"" >"$W/id" 2>"$W/id-err"
st=$?
t_check "default: the job runs (exit 0)" '[ "$st" = 0 ]'
t_check "default: the job is nobody ($NOBODY:$NOGROUP), one group" \
	'[ "$(sed -n 1p "$W/id")" = "$NOBODY" ] && [ "$(sed -n 2p "$W/id")" = "$NOGROUP" ] && [ "$(sed -n 3p "$W/id")" = "$NOGROUP" ]'
t_check "default: HOME, USER, LOGNAME are the job user's" \
	'[ "$(sed -n 4p "$W/id")" = "$(getent passwd nobody | cut -d: -f6) nobody nobody" ]'
job=$(status_fields "$W/job-status")
want="Uid: $NOBODY $NOBODY $NOBODY $NOBODY
Gid: $NOGROUP $NOGROUP $NOGROUP $NOGROUP
Groups: $NOGROUP
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapBnd: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 1"
t_check "default: job status: ids, groups, every capability set and the bounding set empty, no_new_privs" \
	'[ "$(echo "$job" | sed "s/ $//")" = "$want" ]'
[ "$(echo "$job" | sed "s/ $//")" = "$want" ] || diff <(echo "$want") <(echo "$job")
sup=$(status_fields "$W/sup-status")
t_check "default: the supervisor dropped to the job's ids and capabilities too" \
	'[ "$(echo "$sup" | sed "s/ $//")" = "$want" ]'
[ "$(echo "$sup" | sed "s/ $//")" = "$want" ] || diff <(echo "$want") <(echo "$sup")
t_check "default: the anchor stays root (it gives the workspace back)" \
	'grep -qE "^Uid:\s+0\s" "$W/anchor-status"'
t_check "default: cordon says who the job runs as" \
	'rrun -- true 2>&1 | grep -q "the job runs as nobody (uid $NOBODY, gid $NOGROUP)"'

out=$(rrun -q --user "$T_USER" -- sh -c 'id -u; id -G; grep -E "^CapBnd" /proc/self/status')
t_check "--user $T_USER: the job is $TUID:$TGID, one group, no bounding set" \
	'[ "$out" = "$(printf "%s\n%s\nCapBnd:\t0000000000000000" "$TUID" "$TGID")" ]'
out=$(rrun -q --user "$TUID:$NOGROUP" -- sh -c 'id -u; id -g; id -G')
t_check "--user UID:GID" '[ "$out" = "$(printf "%s\n%s\n%s" "$TUID" "$NOGROUP" "$NOGROUP")" ]'
out=$(rrun -q --user 54321 -- sh -c 'id -u; id -g; echo "$HOME $USER"')
t_check "--user UID without a passwd entry: GID = UID" \
	'[ "$out" = "$(printf "54321\n54321\n/nonexistent 54321")" ]'
out=$(rrun -q --env HOME=/tmp -- sh -c 'echo $HOME')
t_check "--env HOME=... wins over the job user's home" '[ "$out" = /tmp ]'

# --- bad values: exit 125, nothing runs ------------------------------------
bad() {
	local name=$1
	shift
	rm -f "$W/ran"
	rrun -q "$@" -- touch "$W/ran" >"$W/bad-out" 2>"$W/bad-err"
	st=$?
	t_check "$name: exit 125, nothing ran, a message" \
		'[ "$st" = 125 ] && [ ! -e "$W/ran" ] && [ -s "$W/bad-err" ]'
}
bad "--user nosuchuser" --user nosuchuser-cordon
bad "--user 0 without --allow-root-job" --user 0
bad "--user root without --allow-root-job" --user root
bad "--user UID:0 without --allow-root-job" --user "$TUID:0"
bad "--user NAME:nosuchgroup" --user "$T_USER:nosuchgroup-cordon"
bad "--user with an empty name" --user ":$TGID"
bad "--workspace that is not a directory" --workspace /etc/hostname
bad "--workspace /" --workspace /
t_check "--user nosuchuser names the user" 'rrun -q --user nosuchuser-cordon -- true 2>&1 | grep -q "no such user"'
rm -f "$W/ran"
as_user "$CORDON" run -q --user 0 -- touch "$W/ran" 2>"$W/bad-err"
st=$?
t_check "not root, --user 0: exit 125, nothing ran" \
	'[ "$st" = 125 ] && [ ! -e "$W/ran" ] && grep -q "only root" "$W/bad-err"'
as_user "$CORDON" run -q --user nobody -- touch "$W/ran" 2>"$W/bad-err"
st=$?
t_check "not root, --user of another user: exit 125, nothing ran" \
	'[ "$st" = 125 ] && [ ! -e "$W/ran" ] && grep -q "only root" "$W/bad-err"'
out=$(as_user "$CORDON" run -q --user "$T_USER" -- id -u)
t_check "not root, --user of your own uid: runs" '[ "$out" = "$TUID" ]'

# --- --allow-root-job ------------------------------------------------------
out=$(rrun --allow-root-job -- id -u 2>"$W/root-err")
t_check "--allow-root-job: the job runs as root" '[ "$out" = 0 ]'
t_check "--allow-root-job: a warning says why that is dangerous" \
	'grep -q "warning: --allow-root-job: the job runs as root" "$W/root-err"'
out=$(rrun -q --user 0 --allow-root-job -- id -u 2>/dev/null)
t_check "--user 0 --allow-root-job: root" '[ "$out" = 0 ]'
t_check "--allow-root-job warns even with -q" \
	'rrun -q --allow-root-job -- true 2>&1 | grep -q "warning: --allow-root-job"'

# --- the supervisor is not the way around a rule ---------------------------
for mode in landlock no-landlock; do
	opts=""
	[ "$mode" = no-landlock ] && opts="--no-landlock"
	out=$(rrun -q $opts -- sh -c 'cat /etc/shadow >/dev/null 2>&1; echo shadow=$?; \
		touch /etc/cordon-rootjob-probe 2>/dev/null; echo etc=$?')
	t_check "$mode: /etc/shadow unreadable, /etc unwritable (opens are the job's, not root's)" \
		'[ "$out" = "$(printf "shadow=1\netc=1")" ] && [ ! -e /etc/cordon-rootjob-probe ]'
	rm -f /etc/cordon-rootjob-probe
done
out=$(rrun -q -- "$PY" -c '
import socket, errno
s = socket.socket()
try:
    s.bind(("127.0.0.1", 80)); print("bound")
except OSError as e:
    print(errno.errorcode[e.errno])' 2>&1)
t_check "a port below 1024 is refused as for any user (EACCES): the bind is not root's" \
	'[ "$out" = EACCES ]'

# SO_PEERCRED and SCM_CREDENTIALS at a unix listener outside the job.
mkdir -m 777 "$W/sock"
cat >"$T_DIR/bin/peer.py" <<'PY'
import socket, struct, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
import os
os.chmod(path, 0o777)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
pid, uid, gid = struct.unpack("3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print("peercred", uid, gid, flush=True)
c.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
c.settimeout(5)
try:
    while True:
        data, anc, _, _ = c.recvmsg(64, socket.CMSG_SPACE(12))
        if not data:
            break
        for lvl, typ, d in anc:
            if typ == socket.SCM_CREDENTIALS:
                print("cred", data.decode(), struct.unpack("3i", d)[1], flush=True)
except socket.timeout:
    pass
PY
cat >"$W/peer-client.py" <<'PY'
import os, socket, struct, sys, errno
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
for name, uid, gid in (("forged-root", 0, 0), ("own", os.getuid(), os.getgid())):
    c = struct.pack("3i", os.getpid(), uid, gid)
    try:
        s.sendmsg([name.encode()], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, c)])
        print(name, "sent")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
s.close()
PY
chmod 755 "$T_DIR/bin/"*.py "$W/peer-client.py"
"$PY" "$T_DIR/bin/peer.py" "$W/sock/s" >"$W/peer-out" 2>&1 &
peer=$!
T_STARTED_PIDS="$T_STARTED_PIDS $peer"
wait_for_file "$W/sock/s.ready" 50 || [ -e "$W/sock/s.ready" ]
out=$(rrun -q -- "$PY" "$W/peer-client.py" "$W/sock/s" 2>&1)
wait "$peer" 2>/dev/null
t_check "SO_PEERCRED at a root listener outside shows the job's uid, not root's" \
	'grep -q "^peercred $NOBODY $NOGROUP$" "$W/peer-out"'
t_check "an SCM_CREDENTIALS claiming root is refused (EPERM), none arrives" \
	'echo "$out" | grep -q "^forged-root EPERM$" && ! grep -q "^cred forged-root" "$W/peer-out" && ! grep -q "^cred .* 0$" "$W/peer-out"'
[ -n "$out" ] && echo "$out" | sed 's/^/  client: /'
sed 's/^/  peer: /' "$W/peer-out"

# TIOCSTI: the job shares root's terminal; pushing input into it would be
# read by root's shell after cordon exits.
cat >"$W/sti.py" <<'PY'
import errno, fcntl, termios
try:
    for ch in "echo INJECTED\n":
        fcntl.ioctl(0, termios.TIOCSTI, ch)
    print("TIOCSTI pushed")
except OSError as e:
    print("TIOCSTI", errno.errorcode[e.errno])
PY
chmod 644 "$W/sti.py"
if command -v script >/dev/null; then
	(cd "$W" && script -qec "$CORDON run -q -- $PY $W/sti.py" /dev/null) >"$W/sti-out" 2>&1
	t_check "TIOCSTI into root's terminal is refused (EPERM), nothing pushed" \
		'grep -q "TIOCSTI EPERM" "$W/sti-out" && ! grep -q INJECTED "$W/sti-out"'
else
	t_skip "TIOCSTI" "script(1) missing"
fi

# --- lateral: a root-owned victim, a victim of the job's uid ---------------
# start_victim NAME UID - a victim outside cordon as UID (0: root) in
# $W/NAME; sets VPID VTID VADDR VFD VDIR.
start_victim() {
	local dir=$W/$1 uid=$2 gid
	gid=$([ "$uid" = 0 ] && echo 0 || echo "$NOGROUP")
	mkdir -p "$dir"
	chown "$uid:$gid" "$dir"
	if [ "$uid" = 0 ]; then
		(LATERAL_SECRET=$SECRET exec "$VICTIM" "$dir") >/dev/null 2>&1 &
	else
		(LATERAL_SECRET=$SECRET exec setpriv --reuid="$uid" --regid="$gid" \
			--clear-groups "$VICTIM" "$dir") >/dev/null 2>&1 &
	fi
	T_STARTED_PIDS="$T_STARTED_PIDS $!"
	wait_for_file "$dir/ready" 50
	read -r VPID VTID VADDR VFD <"$dir/ready"
	VDIR=$dir
}
stop_victim() {
	kill -9 "$VPID" 2>/dev/null
	wait "$VPID" 2>/dev/null
	chmod -R u+rwx "$VDIR/hide" 2>/dev/null
}
victim_stat() { sed 's/.*) //' "/proc/$1/stat" | awk '{print ($1 ~ /^[Tt]$/) ? "stopped" : "running", $3, $17, $39}'; }

for mode in landlock no-landlock; do
	opts=""
	[ "$mode" = no-landlock ] && opts="--no-landlock"
	for who in root job-uid; do
		uid=0
		[ "$who" = job-uid ] && uid=$NOBODY
		name="$mode, $who victim"
		start_victim "victim-$mode-$who" "$uid"
		t_check "$name: started" '[ -n "$VPID" ] && pid_alive "$VPID" lateral-victim'
		before=$(victim_stat "$VPID")
		(cd "$W" && timeout 60 "$CORDON" run $opts --audit "$W/audit-$mode-$who.jsonl" -- \
			"$ATTACK" victim "$VPID" "$VTID" "$VADDR" "$VFD" \
			>"$W/out-$mode-$who" 2>"$W/err-$mode-$who")
		st=$?
		sleep 0.3
		after=$(victim_stat "$VPID")
		n=$(grep -c "^attack " "$W/out-$mode-$who")
		t_check "$name: the attack set ran ($n attempts), cordon kept supervising" \
			'[ "$st" = 0 ] && [ "$n" -ge 55 ] && grep -q "^attacks done" "$W/out-$mode-$who"'
		t_check "$name: no attack succeeded" '! grep SUCCEEDED "$W/out-$mode-$who"'
		t_check "$name: the secret never left the victim" \
			'! grep -qF -- "$SECRET" "$W/out-$mode-$who" "$W/err-$mode-$who" "$W/audit-$mode-$who.jsonl"'
		t_check "$name: victim alive, no signal, memory untouched, state unchanged" \
			'pid_alive "$VPID" lateral-victim && [ ! -s "$VDIR/signals" ] && [ ! -e "$VDIR/memory" ] && [ "$before" = "$after" ]'
		grep SUCCEEDED "$W/out-$mode-$who" | head -5
		stop_victim
	done

	# cordon's own two processes: the supervisor (the job's uid now) and
	# the anchor (root).
	(cd "$W" && timeout 60 "$CORDON" run $opts -- "$ATTACK" cordon) >"$W/out-cordon-$mode" 2>&1
	st=$?
	n=$(grep -c "^attack " "$W/out-cordon-$mode")
	t_check "$mode: attacks on cordon's processes ($n) all blocked, cordon never stopped" \
		'[ "$st" = 0 ] && [ "$n" -ge 90 ] && ! grep -q SUCCEEDED "$W/out-cordon-$mode"'

	# kill(-1, SIGKILL) reaches the job alone.
	start_victim "killall-$mode-root" 0
	rvpid=$VPID rvdir=$VDIR
	start_victim "killall-$mode-uid" "$NOBODY"
	(cd "$W" && timeout 30 "$CORDON" run -q $opts -- sh -c "sleep 60 & '$ATTACK' killall; echo after") >"$W/out-killall-$mode" 2>&1
	st=$?
	t_check "$mode: kill(-1, SIGKILL) ends the job (137), both victims alive and unsignalled" \
		'[ "$st" = 137 ] && ! grep -q "^after" "$W/out-killall-$mode" && pid_alive "$rvpid" lateral-victim && pid_alive "$VPID" lateral-victim && [ ! -s "$rvdir/signals" ] && [ ! -s "$VDIR/signals" ]'
	stop_victim
	VPID=$rvpid VDIR=$rvdir
	stop_victim
done

# --- a root-owned checkout as the workspace -------------------------------
WS=$W/checkout
mkdir -p "$WS/src" "$WS/other"
cat >"$WS/src/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("built as root-started job"); return 0; }
EOF
cat >"$WS/Makefile" <<'EOF'
build/hello: src/hello.c
	mkdir -p build
	cc -o $@ src/hello.c
	chmod 0755 $@
	touch -d @86400 src/hello.c
EOF
echo keep >"$WS/other/theirs"
# A directory others may write: its entries are changed through fds.
mkdir -m 1777 "$WS/scratch"
echo s >"$WS/scratch/f"
chown -R "$TUID:$TGID" "$WS/other"
echo linked >"$WS/hard"
ln "$WS/hard" "$W/hard-outside"
: >"$WS/setid"
chmod 4755 "$WS/setid"
ln -s /etc/shadow "$WS/link"
chmod 755 "$WS"
find "$WS" -printf '%p %u:%g %m\n' | sort >"$W/ws-before"

rrun -q -- sh -c "cd '$WS' && make" >"$W/ws-no-out" 2>&1
st=$?
t_check "without --workspace the job cannot build in a root-owned checkout" \
	'[ "$st" != 0 ] && [ ! -e "$WS/build" ]'
t_check "... and cordon says how to give it one" \
	'(cd "$WS" && "$CORDON" run -- true 2>&1) | grep -q -- "--workspace DIR"'

(cd "$WS" && "$CORDON" run --workspace "$WS" -- sh -c \
	'make && ./build/hello && stat -c "%u" build/hello Makefile && ln -s Makefile mine && mkdir -p deep/er && : >deep/er/f && chmod 4755 deep/er/f') \
	>"$W/ws-out" 2>"$W/ws-err"
st=$?
t_check "--workspace: make + cc in a root-owned checkout succeed (exit 0)" '[ "$st" = 0 ]'
[ "$st" = 0 ] || sed 's/^/  /' "$W/ws-out" "$W/ws-err"
t_check "--workspace: the output runs, and the job owned the tree while it ran" \
	'grep -q "built as root-started job" "$W/ws-out" && [ "$(grep -cx "$NOBODY" "$W/ws-out")" = 2 ]'
t_check "--workspace: the build's outputs are written" '[ -x "$WS/build/hello" ] && "$WS/build/hello" | grep -q built'
t_check "--workspace: afterwards what the job made is owned like the checkout" \
	'[ -z "$(find "$WS" ! -user 0 ! -path "$WS/other*")" ] && [ -z "$(find "$WS" ! -group 0 ! -path "$WS/other*")" ]'
t_check "--workspace: recorded entries have their owners back (another user's files too)" \
	'[ "$(stat -c %u:%g "$WS/other" "$WS/other/theirs" | sort -u)" = "$TUID:$TGID" ]'
t_check "--workspace: a sticky world-writable directory and its file came back as they were" \
	'[ "$(stat -c %a:%u "$WS/scratch")" = 1777:0 ] && [ "$(stat -c %u "$WS/scratch/f")" = 0 ]'
t_check "--workspace: a set-uid file the job made lost the bit when given back" \
	'[ "$(stat -c %a "$WS/deep/er/f")" = 755 ]'
t_check "--workspace: a file with a second link outside was never given, a set-uid file kept its bit, a symlink was not followed" \
	'[ "$(stat -c %u "$W/hard-outside")" = 0 ] && [ "$(stat -c %a:%u "$WS/setid")" = 4755:0 ] && [ "$(stat -c %u:%G /etc/shadow)" = 0:shadow ] && [ "$(stat -c %u "$WS/link")" = 0 ]'
find "$WS" -path "$WS/build" -prune -o -path "$WS/deep" -prune -o -name mine -prune -o \
	-printf '%p %u:%g %m\n' | sort >"$W/ws-after"
t_check "--workspace: the checkout's own entries are as before (owner, group, mode)" \
	'diff <(grep -v "^$WS/src/hello.c \|^$WS " "$W/ws-before") <(grep -v "^$WS/src/hello.c \|^$WS " "$W/ws-after") >/dev/null'
t_check "--workspace: the grant and its count are said" \
	'grep -q "workspace $WS: owned by the job" "$W/ws-err"'
mkdir -p "$W/closed/ws"
chmod 700 "$W/closed"
rm -f "$W/ran"
rrun -q --workspace "$W/closed/ws" -- touch "$W/ran" 2>"$W/ws-closed-err"
st=$?
t_check "--workspace under a directory the job cannot search: exit 125, given back" \
	'[ "$st" = 125 ] && [ ! -e "$W/ran" ] && grep -q "cannot use it" "$W/ws-closed-err" && [ "$(stat -c %u "$W/closed/ws")" = 0 ]'

t_done
