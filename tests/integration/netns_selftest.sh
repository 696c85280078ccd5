#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Functions are called indirectly via check(); sub-shells set up their own ns:
# shellcheck disable=SC2317,SC2031
#
# Self-test of tests/lib/netns.sh: proves the namespace harness gives each
# test its own isolated hosts and cleans up after itself.
# Prints one "ok - ..." / "FAIL - ..." line per check, then "N passed, M failed".
# Exit 0 if nothing failed, 1 otherwise, 77 (ctest skip) when not root.
# No packet leaves loopback or the test's own namespaces.

here=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB="$here/../lib/netns.sh"
# shellcheck source=../lib/netns.sh
. "$LIB"

TUSER=cordontest
pass=0
fail=0
check() { # check DESC CMD... -- run CMD, record ok/FAIL
	local desc=$1
	shift
	if "$@"; then
		echo "ok - $desc"
		pass=$((pass + 1))
	else
		echo "FAIL - $desc"
		fail=$((fail + 1))
	fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

netns_require ip curl setpriv getent useradd dnsmasq python3
netns_setup # exits 77 ("SKIP: needs root") unless root
netns_ensure_user "$TUSER" || { echo "FAIL - create user $TUSER"; fail=1; finish; }
CURL=(curl -sS --noproxy '*' --connect-timeout 2 -m 3)
PY=$NETNS_PYTHON
hostresolv=$(md5sum </etc/resolv.conf)

# ---- namespace, lo, addresses ---------------------------------------------
ns_listed() { ip netns list | awk '{print $1}' | grep -qxF "$NETNS"; }
check "namespace $NETNS exists" ns_listed
check "state dir $NETNS_DIR exists, mode 755" \
	test "$(stat -c %a "$NETNS_DIR" 2>/dev/null)" = 755
lo_up() { ip -n "$NETNS" -o link show lo | grep -q '[<,]UP[,>]'; }
check "lo is up in the namespace" lo_up

addr_local() { # ADDR: listed by `ip addr` and routed as local
	ip -n "$NETNS" -o addr show | grep -qF " $1/" &&
		ip -n "$NETNS" route get "$1" | grep -q '^local '
}
for a in 192.0.2.1 198.51.100.1 2001:db8::1 169.254.169.254 fd00:ec2::254 127.0.0.1 ::1; do
	check "$a is local in the namespace" addr_local "$a"
done
check "$NETNS_DEV is not a local address owner of 203.0.113.9" \
	bash -c "! ip -n '$NETNS' route get 203.0.113.9 | grep -q '^local '"

# ---- HTTP servers, root and unprivileged clients --------------------------
www="$NETNS_DIR/www"
mkdir -p "$www"
echo "cordon-netns-selftest-$RANDOM" >"$www/hello.txt"
chmod 755 "$www"
chmod 644 "$www/hello.txt"
want=$(cat "$www/hello.txt")
check "http server on 192.0.2.1:8080 comes up" netns_http_server 192.0.2.1 8080 "$www"
check "http server on [2001:db8::1]:8080 comes up" netns_http_server 2001:db8::1 8080 "$www"
fetch_is() { # WANT CMD...: CMD's stdout equals WANT
	local w=$1 got
	shift
	got=$("$@" 2>&1)
	[ "$got" = "$w" ] || { echo "  got: $got" >&2; return 1; }
}
check "curl (root) gets file from 192.0.2.1:8080" \
	fetch_is "$want" netns_exec "${CURL[@]}" http://192.0.2.1:8080/hello.txt
check "curl (root) gets file from [2001:db8::1]:8080" \
	fetch_is "$want" netns_exec "${CURL[@]}" 'http://[2001:db8::1]:8080/hello.txt'
check "curl ($TUSER) gets file from 192.0.2.1:8080" \
	fetch_is "$want" netns_exec_as "$TUSER" "${CURL[@]}" http://192.0.2.1:8080/hello.txt
check "curl ($TUSER) gets file from [2001:db8::1]:8080" \
	fetch_is "$want" netns_exec_as "$TUSER" "${CURL[@]}" 'http://[2001:db8::1]:8080/hello.txt'
check "netns_exec_as really drops to $TUSER" \
	fetch_is "$(id -u "$TUSER")" netns_exec_as "$TUSER" id -u
check "http request log counts 2 requests per server" \
	test "$(netns_http_hits 192.0.2.1 8080)/$(netns_http_hits 2001:db8::1 8080)" = 2/2

# ---- DNS ------------------------------------------------------------------
check "/etc/netns/$NETNS/resolv.conf names 192.0.2.53" \
	grep -qx 'nameserver 192.0.2.53' "/etc/netns/$NETNS/resolv.conf"
check "processes in the namespace see that resolv.conf" \
	fetch_is "$(cat "/etc/netns/$NETNS/resolv.conf")" netns_exec cat /etc/resolv.conf
check "dnsmasq starts on 192.0.2.53 / [2001:db8::53]" \
	netns_dnsmasq --host-record=web.test,192.0.2.80,2001:db8::80 \
	--address=/metadata.test/169.254.169.254
check "dnsmasq listens on [2001:db8::53]:53 too" netns_wait_port 2001:db8::53 53 2
ahosts() { netns_exec getent ahosts "$1" | awk '{print $1}' | sort -u | tr '\n' ' '; }
check "getent ahosts web.test (root) -> 192.0.2.80 + 2001:db8::80" \
	fetch_is "192.0.2.80 2001:db8::80 " ahosts web.test
check "getaddrinfo metadata.test ($TUSER) -> 169.254.169.254" \
	fetch_is 169.254.169.254 netns_exec_as "$TUSER" "$PY" -c \
	'import socket; print(socket.getaddrinfo("metadata.test", 80, socket.AF_INET)[0][4][0])'
dns_logged() { sleep 0.2; netns_dns_queries "$1" | grep -q .; }
check "dnsmasq log shows the web.test query" dns_logged web.test
check "dnsmasq log shows the metadata.test query" dns_logged metadata.test
unknown_fails_fast() {
	local t0=$SECONDS
	! netns_exec getent ahosts nosuch.test >/dev/null && [ $((SECONDS - t0)) -le 2 ]
}
check "unknown name fails fast (no upstream)" unknown_fails_fast
check "host /etc/resolv.conf untouched" test "$(md5sum </etc/resolv.conf)" = "$hostresolv"

# ---- canaries --------------------------------------------------------------
check "tcp canary 192.0.2.1:7777 starts" netns_canary_tcp 192.0.2.1 7777
check "udp canary 192.0.2.1:7777 starts" netns_canary_udp 192.0.2.1 7777
check "udp canary [2001:db8::1]:5353 starts" netns_canary_udp 2001:db8::1 5353
check "canaries start with 0 hits" \
	test "$(netns_canary_hits 192.0.2.1 7777)$(netns_canary_hits 2001:db8::1 5353)" = 00
netns_exec_as "$TUSER" "$PY" -c '
import socket
c = socket.create_connection(("192.0.2.1", 7777), timeout=2); c.sendall(b"HELLO-TCP"); c.close()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"HELLO-UDP", ("192.0.2.1", 7777))
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"HELLO-UDP6", ("2001:db8::1", 5353))'
netns_canary_wait 192.0.2.1 7777 1 tcp
netns_canary_wait 192.0.2.1 7777 1 udp
netns_canary_wait 2001:db8::1 5353 1 udp
sleep 0.3 # let any (wrong) extra hit land
check "tcp canary counts exactly 1 hit" test "$(netns_canary_hits 192.0.2.1 7777 tcp)" = 1
check "udp canary counts exactly 1 hit" test "$(netns_canary_hits 192.0.2.1 7777 udp)" = 1
check "udp6 canary counts exactly 1 hit" test "$(netns_canary_hits 2001:db8::1 5353)" = 1
check "canary records peer and first bytes" \
	grep -q "tcp peer=192.0.2.1:[0-9]* len=9 first=b'HELLO-TCP'" "$NETNS_DIR/canary-tcp-192.0.2.1-7777.log"

# ---- nothing leaves the namespace -----------------------------------------
only_lo_and_dev() {
	local links
	links=$(ip -n "$NETNS" -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort | tr '\n' ' ')
	[ "$links" = "$(printf '%s\n' lo "$NETNS_DEV" | sort | tr '\n' ' ')" ] ||
		{ echo "  links: $links" >&2; return 1; }
}
check "namespace has only lo and $NETNS_DEV" only_lo_and_dev
dev_is_blackhole() {
	ip -n "$NETNS" -d -j link show | "$PY" -c '
import json, sys
links = json.load(sys.stdin)
for l in links:
    if "link_netnsid" in l or "link" in l:     # veth/macvlan/... peer elsewhere
        sys.exit(1)
    kind = l.get("linkinfo", {}).get("info_kind")
    if l["ifname"] != "lo" and kind not in ("dummy", "ifb"):
        sys.exit(1)'
}
check "$NETNS_DEV is a dummy/ifb with no peer or lower link" dev_is_blackhole
route_dev() { ip -n "$NETNS" route get "$1" | grep -q "^$1 .*dev $NETNS_DEV "; }
check "203.0.113.9 (not local) is routed into $NETNS_DEV" route_dev 203.0.113.9
check "2001:db8:ffff::9 (not local) is routed into $NETNS_DEV" route_dev 2001:db8:ffff::9
check "10.255.255.53 (host resolver) is routed into $NETNS_DEV" route_dev 10.255.255.53
devcount() { # packets the blackhole device swallowed
	ip -n "$NETNS" -s -j link show "$NETNS_DEV" | "$PY" -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["tx"]["packets"] + s["tx"]["dropped"] + s["rx"]["dropped"])'
}
before=$(devcount)
netns_exec "$PY" -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("203.0.113.9", 9))
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"x", ("2001:db8:ffff::9", 9))'
after=$(devcount)
check "datagrams to non-local addresses are swallowed by $NETNS_DEV ($before -> $after)" \
	test "$after" -ge $((before + 2))
tcp_blackholed() { # connect must time out: no RST, no answer, from nowhere
	netns_exec "${CURL[@]}" --connect-timeout 1 http://203.0.113.9/ >/dev/null 2>&1
	[ $? -eq 28 ]
}
check "tcp connect to 203.0.113.9 gets no answer (times out)" tcp_blackholed

# ---- cleanup on failure exit and on SIGTERM --------------------------------
info="$NETNS_DIR/child.info"
(
	# shellcheck source=../lib/netns.sh
	. "$LIB"
	netns_setup
	netns_canary_tcp 192.0.2.1 7777 || exit 3
	netns_start_bg sleeper sleep 300
	# An untracked grandchild: only `ip netns pids` can find it.
	stray=$(netns_exec sh -c 'sleep 300 >/dev/null 2>&1 & echo $!')
	echo "$NETNS $NETNS_DIR $(netns_pids | tr '\n' ' ')$stray" >"$info"
	exit 1
)
rc=$?
read -r cns cdir cpids <"$info"
check "sub-shell exit status (1) is preserved by the EXIT trap" test "$rc" = 1
check_gone() { # NS DIR MIN_PIDS PIDS...
	local ns=$1 dir=$2 min=$3 p ok=0
	shift 3
	if [ -z "$ns" ] || [ "$ns" = "$NETNS" ]; then
		echo "  bad child ns '$ns'" >&2
		return 1
	fi
	ip netns list | awk '{print $1}' | grep -qxF "$ns" && { echo "  ns $ns still listed" >&2; ok=1; }
	[ -e "/run/netns/$ns" ] && { echo "  /run/netns/$ns exists" >&2; ok=1; }
	[ -e "/etc/netns/$ns" ] && { echo "  /etc/netns/$ns exists" >&2; ok=1; }
	[ -e "$dir" ] && { echo "  $dir exists" >&2; ok=1; }
	[ $# -ge "$min" ] || { echo "  expected >= $min pids, got: $*" >&2; ok=1; }
	for p; do netns__alive "$p" && { echo "  pid $p alive" >&2; ok=1; }; done
	return "$ok"
}
# shellcheck disable=SC2086
check "after exit 1: ns, /etc/netns entry, state dir gone, pids ($cpids) dead" \
	check_gone "$cns" "$cdir" 3 $cpids
check "parent's namespace and servers survive the child's cleanup" \
	fetch_is "$want" netns_exec "${CURL[@]}" http://192.0.2.1:8080/hello.txt

chained() { # an EXIT trap set before netns_setup still runs, with the status
	local out
	out=$(bash -c 'trap "echo prev-trap:\$?" EXIT; . "$1"; netns_setup; echo "$NETNS"; exit 3' _ "$LIB")
	if [ $? -ne 3 ] || [ "$(sed -n 2p <<<"$out")" != prev-trap:3 ] ||
		[ -e "/run/netns/$(head -n1 <<<"$out")" ]; then
		echo "  got: $out" >&2
		return 1
	fi
}
check "earlier EXIT trap is chained (runs after cleanup, sees status 3)" chained

rm -f "$info"
(
	# shellcheck source=../lib/netns.sh
	. "$LIB"
	netns_setup
	netns_start_bg sleeper sleep 300
	echo "$NETNS $NETNS_DIR $(netns_pids | tr '\n' ' ')" >"$info"
	while :; do sleep 0.1; done
) &
child=$!
for _ in $(seq 50); do [ -s "$info" ] && break; sleep 0.1; done
kill -TERM "$child"
wait "$child"
rc=$?
read -r cns cdir cpids <"$info"
check "SIGTERM: exit status 143" test "$rc" = 143
# shellcheck disable=SC2086
check "SIGTERM: ns, /etc/netns entry, state dir gone, pid ($cpids) dead" \
	check_gone "$cns" "$cdir" 1 $cpids

finish
