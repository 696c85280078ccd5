#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# unix_overlay.sh BUILD_DIR - a job's unix listener on overlayfs whose layers
# are on different filesystems (Docker's root, and the 6.1 test guest's,
# tests/kernel): stat() there shows a pseudo device per layer for a socket
# file, unix_diag the overlay's own superblock device, so the shield of
# netstack/unix_listen.c could not confirm its pin and every listen() was
# refused (EACCES; net/rights.sh's job-own fd passing and python's
# forkserver failed in the 6.1 guest for that reason). Checks: the overlay
# really shows two devices (else the test proves nothing); under cordon the
# job listens there and passes fds both ways between its own processes; an
# outsider (same user) connecting to the path is refused (ECONNREFUSED).
# Needs root (mounts); skipped (77) otherwise.
. "$(dirname "$0")/../lib/testlib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: unix_overlay.sh mounts an overlay: needs root"
	exit 77
fi
t_init "$1"
cp "$1/tests/net/netattack" "$T_DIR/bin/" && chmod 755 "$T_DIR/bin/netattack"
O=$T_DIR/ovl
mkdir -p "$O/l" "$O/u" "$O/m"
ov_cleanup() {
	umount "$O/m" 2>/dev/null
	umount "$O/u" 2>/dev/null
	umount "$O/l" 2>/dev/null
	t_cleanup
}
trap ov_cleanup EXIT
mount -t tmpfs ovl-lower "$O/l" && mount -t tmpfs ovl-upper "$O/u" &&
	mkdir -p "$O/u/up" "$O/u/wk" &&
	mount -t overlay ovl -o "lowerdir=$O/l,upperdir=$O/u/up,workdir=$O/u/wk" \
		"$O/m" || {
	echo "SKIP: cannot mount an overlay here"
	exit 77
}
chmod 1777 "$O/m"

# The overlay shows a socket file's device unlike its superblock's.
python3 -c '
import os, socket, sys
p = sys.argv[1] + "/probe.sock"
s = socket.socket(socket.AF_UNIX); s.bind(p)
st = os.stat(p)
sb = [l.split()[2] for l in open("/proc/self/mountinfo") if l.split()[4] == sys.argv[1]][0]
print("devices", "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev)), sb)
os.unlink(p)
' "$O/m" >"$T_DIR/dev" 2>&1
t_check overlay-shows-pseudo-device \
	'read -r _ a b <"$T_DIR/dev" && [ -n "$b" ] && [ "$a" != "$b" ]'

as_user "$CORDON" run --limit wall=20s -- "$T_DIR/bin/netattack" rights-self \
	path "$O/m/own.sock" >"$T_DIR/out" 2>&1
for way in server-to-client client-to-server socketpair; do
	t_check "overlay-self-path-$way" 'grep -qx "rights-self $way: ok" "$T_DIR/out"'
done

# An outsider (the same user) connecting to the job's listener is refused.
cat >"$T_DIR/work/outsider.py" <<'PYEOF'
import errno, os, socket, sys, time
p = sys.argv[1]
for _ in range(200):
    if os.path.exists(p):
        break
    time.sleep(0.05)
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(p)
    print("outsider: connected")
except OSError as e:
    print("outsider:", errno.errorcode.get(e.errno, e.errno))
PYEOF
cat >"$T_DIR/work/server.py" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(4)
print("server: listening", flush=True)
s.settimeout(3)
try:
    s.accept()
    print("server: accepted")
except OSError as e:
    print("server: no client")
PYEOF
chmod 644 "$T_DIR/work/"*.py
as_user "$CORDON" run --limit wall=20s -- python3 "$T_DIR/work/server.py" \
	"$O/m/srv.sock" >"$T_DIR/srv" 2>&1 &
spid=$!
as_user python3 "$T_DIR/work/outsider.py" "$O/m/srv.sock" >"$T_DIR/outsider" 2>&1
wait "$spid"
t_check overlay-listener-listens 'grep -qx "server: listening" "$T_DIR/srv"'
t_check overlay-outsider-refused 'grep -qx "outsider: ECONNREFUSED" "$T_DIR/outsider"'
t_check overlay-server-no-outsider 'grep -qx "server: no client" "$T_DIR/srv"'
t_done
