#!/bin/bash
# SPDX-License-Identifier: MIT
# syssock.sh - run by egress.sh as root inside the test's network namespace
# AND a private mount namespace (unshare -m): a tmpfs over /run, real unix
# listeners at the system sockets' paths, then each path connected to
# natively and under cordon as the test user. The host's /run is untouched.
# Environment: LOG TUSER NETATTACK CORDON W SYS_SOCKS.
set -u
mount --make-rprivate / || exit 3
mount -t tmpfs -o mode=755 cordon-test-run /run || exit 3
mkdir -p /run/containerd /run/dbus /run/systemd/resolve
# shellcheck disable=SC2086
/usr/bin/python3 -c '
import os, select, socket, sys
log, paths = sys.argv[1], sys.argv[2:]
ls = []
for p in paths:
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    os.chmod(p, 0o777)
    s.listen(8)
    ls.append(s)
open(log + ".ready", "w").close()
while True:
    for s in select.select(ls, [], [])[0]:
        c, _ = s.accept()
        c.close()
        with open(log, "a") as f:
            f.write("hit %s\n" % s.getsockname())
' "$LOG" $SYS_SOCKS &
srv=$!
i=0
while [ ! -e "$LOG.ready" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
drop=(setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups)
for p in /var/run/docker.sock $SYS_SOCKS; do
	echo "native $p: $("${drop[@]}" "$NETATTACK" unix "$p")"
	# The listener logs the native hit after its accept: wait for it, or
	# on a loaded machine it lands after the truncation below and is
	# counted as cordon's.
	i=0
	while [ ! -s "$LOG" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	: >"$LOG"
	out=$(cd "$W" && "${drop[@]}" "$CORDON" run -q -- "$NETATTACK" unix "$p")
	echo "cordon $p: $out hits=$(wc -l <"$LOG")"
done
kill "$srv"
wait "$srv" 2>/dev/null
exit 0
