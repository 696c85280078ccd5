#!/bin/bash
# SPDX-License-Identifier: MIT
# relay_scale.sh - the relay (netstack/relay.c) under load and over time,
# with a real origin (tests/net/relayd.py, asyncio HTTP/1.1) on port 80 of
# the namespace's test hosts and dnsmasq answering web.test:
#   - a relayed socket keeps showing the address the job asked for
#     (getpeername, getsockname) after the translation's idle time, while
#     open and after the origin closed it (netstack/sock_table.c, 3.3; the
#     idle time is scaled down by CORDON_TEST_XLATE_IDLE_MS);
#   - 1,000 concurrent relayed connections, all open at once, each getting
#     its own answers; the supervisor's RSS and fds per connection printed;
#   - out of fds: a connection the relay cannot accept is reset at once and
#     audited, never left hanging (the relay_accept fault, then a real
#     RLIMIT_NOFILE of 256 on the supervisor).
# Usage: relay_scale.sh BUILD_DIR
. "$(dirname "$0")/netlib.sh"
net_init "$1"

HERE=$(cd "$(dirname "$0")" && pwd)
cp "$HERE/relayd.py" "$HERE/relay_conns.py" "$T_DIR/bin/"
chmod 644 "$T_DIR/bin/"*.py
for a in "$A4" "$A6"; do
	netns_start_bg "origin-$a" "$NETNS_PYTHON" -u "$T_DIR/bin/relayd.py" \
		"$a" 80 "$T_DIR/req-$a.log"
	netns_wait_port "$a" 80 5 || t_fail "origin-$a"
done
netns_dnsmasq --host-record=web.test,$A4,$A6 || t_fail "dnsmasq"

POL=$T_DIR/scale.cordon
cat >"$POL" <<POLICY
zone rs extends fork-pr {
	lift host
	allow tcp web.test:80
	limit fds 4096
	limit pids 64
}
POLICY
chmod 644 "$POL"
AUD=$W/audit
rs() { # [VAR=VAL...]: run JOB in zone rs
	rm -f "$AUD"
	jrun "$@" -- "$CORDON" run --policy "$POL" --zone rs --audit "$AUD" \
		-- "${JOB[@]}"
}
audit_relay() { # SUBSTR: a relay denial naming the zone
	python3 - "$AUD" "$1" <<'PY'
import json, sys
ok = any(r.get("type") == "relay" and r.get("decision") == "deny" and
         r.get("zone") == "rs" and sys.argv[2] in json.dumps(r)
         for r in map(json.loads, open(sys.argv[1])))
sys.exit(0 if ok else 1)
PY
}

# ---- the translation lasts as long as the socket -----------------------------
cat >"$W/xlate.py" <<'PY'
import socket, sys, time
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
s = socket.socket(fam)
s.connect((socket.getaddrinfo("web.test", 80, fam)[0][4][0], 80))
out = [s.getpeername()[0], s.getsockname()[0]]
time.sleep(1.5)                      # > the idle time: still open
out += [s.getpeername()[0], s.getsockname()[0]]
s.sendall(b"GET /x HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
time.sleep(1.5)                      # the origin and the relay are done
out += [s.getpeername()[0], s.getsockname()[0]]
print(" ".join(out), b"ok /x" in data)
PY
chmod 644 "$W/xlate.py"
for f in 4 6; do
	want=$A4
	[ $f = 6 ] && want=$A6
	JOB=(python3 "$W/xlate.py" $f)
	rs CORDON_TEST_XLATE_IDLE_MS=200 >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "xlate-v$f-answered" 'grep -q " True$" "$T_DIR/out"'
	# Peer and source three times: at once, after the idle time, after
	# the close; never the relay's loopback.
	t_check "xlate-v$f-outlives-idle" '[ "$(cat "$T_DIR/out")" = "$want $want $want $want $want $want True" ]'
done

# ---- 1,000 concurrent relayed connections -----------------------------------
# scale N [VAR=VAL...]: relay_conns.py N in the job, in the background;
# the supervisor's RSS and fds read while every connection is held.
scale() {
	local n=$1 job i
	shift
	rm -rf "$W/st"
	mkdir -p "$W/st"
	chown "$T_USER" "$W/st"
	JOB=(python3 "$T_DIR/bin/relay_conns.py" "$n" web.test 80 "$W/st" 20)
	rs "$@" >"$T_DIR/out" 2>"$T_DIR/err" &
	job=$!
	for i in $(seq 600); do
		[ -s "$W/st/held" ] && break
		sleep 0.1
	done
	HELD= SUP=
	read -r HELD SUP <"$W/st/held"
	RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$SUP/status" 2>/dev/null)
	FDS=$(find "/proc/$SUP/fd" -mindepth 1 2>/dev/null | wc -l)
	touch "$W/st/go"
	wait "$job"
}
scale 1
BASE_RSS=${RSS:-0} BASE_FDS=$FDS
t_check "scale-1-ok" 'grep -q "^ok=1 " "$T_DIR/out"'
scale 1000
t_check "scale-1000-all-held" '[ "$HELD" = 1000 ]'
t_check "scale-1000-all-answered" 'grep -q "^ok=1000 reset=0 hang=0 err=0 mixed=0" "$T_DIR/out"'
echo "info supervisor with 1 relayed connection: RSS $BASE_RSS KiB, $BASE_FDS fds"
echo "info supervisor with 1000 held: RSS ${RSS:-?} KiB, $FDS fds; per connection" \
	"$(((${RSS:-0} - BASE_RSS) * 1024 / 999)) bytes," \
	"$(awk -v a="$FDS" -v b="$BASE_FDS" 'BEGIN {printf "%.2f", (a - b) / 999}') fds"
# Idle connections hold no pipe: 2 fds each (the job's accepted socket and
# the upstream one), where 6 were held before.
t_check "scale-1000-2-fds-per-conn" '[ $((FDS - BASE_FDS)) -le 2100 ]'

# ---- out of fds: reset at once and audited, never left hanging -------------
# Every accept fails as if out of fds (common/fault.h, relay_accept): the
# relay must accept-and-reset through its reserve fd.
scale 5 CORDON_FAULT=relay_accept CORDON_FAULT_I_KNOW=1
t_check "emfile-accept-reset-not-hung" 'grep -q "^ok=0 reset=5 hang=0 err=0" "$T_DIR/out"'
t_check "emfile-accept-audited" 'audit_relay "relay out of fds"'
# A real limit: the supervisor at 256 fds, 200 connections at once. Some
# are served, the rest refused or reset cleanly; none hangs.
rm -rf "$W/st"
mkdir -p "$W/st"
chown "$T_USER" "$W/st"
touch "$W/st/go"
rm -f "$AUD"
jrun -- prlimit --nofile=256:256 "$CORDON" run --policy "$POL" --zone rs \
	--audit "$AUD" -- python3 "$T_DIR/bin/relay_conns.py" 200 web.test 80 \
	"$W/st" 20 >"$T_DIR/out" 2>"$T_DIR/err"
echo "info supervisor nofile 256, 200 connections: $(cat "$T_DIR/out")"
t_check "nofile-256-none-hung" 'grep -q "hang=0 " "$T_DIR/out"'
t_check "nofile-256-some-served" 'grep -q "^ok=[1-9]" "$T_DIR/out"'

t_done
