#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# netlink.sh BUILD_DIR - NETLINK_ROUTE under cordon (issue 13, defect 2):
# interface listing works as natively and lists the same (python3
# socket.if_nameindex(), getifaddrs() through netattack, `ip -o addr`,
# `ip -o link`, `ip route`), dnsmasq started under cordon answers a dig
# from inside the same job, and netlink to anything but the kernel (another
# socket's nl_pid, a multicast group, by sendto, sendmsg and connect) is
# refused with an audit record naming the zone and the rule while the
# receiving socket gets nothing. Last, with a root supervisor and a job
# that dropped to the test user, a request that needs CAP_NET_ADMIN
# (RTM_NEWADDR in the test's namespace) fails with EPERM as it does
# natively: the supervisor's privilege never authorises the job's message.
# Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

AUDIT=$W/audit.jsonl

# same NAME CMD... -- CMD's output natively and under cordon (as the test
# user, zone net) must be equal and non-empty.
same() {
	local name=$1 native under
	shift
	native=$(jrun -- "$@" 2>&1)
	under=$(cordon_net -- "$@" 2>"$T_DIR/err")
	if [ -n "$native" ] && [ "$native" = "$under" ]; then
		t_ok "$name"
	else
		t_fail "$name" "native [$native] cordon [$under] stderr [$(head -c 300 "$T_DIR/err")]"
	fi
}

same if-nameindex /usr/bin/python3 -c 'import socket; print(socket.if_nameindex())'
same getifaddrs "$NETATTACK" ifaddrs
same ip-addr ip -o addr
same ip-link ip -o link
same ip-route ip route
out=$(cordon_net -- "$NETATTACK" ifaddrs 2>&1)
t_check getifaddrs-lists-test-host 'grep -q "ifaddr: tnet0 family=2 $A4\$" <<<"$out" && grep -q "^ifaddrs: ok" <<<"$out"'

# dnsmasq under cordon on a loopback high port, asked by dig from inside the
# same job (over TCP: its UDP answer to dig's implicitly bound port is the
# job's-own-UDP-socket case of defect 10, not netlink's).
cat >"$W/dnsmasq.sh" <<'EOF'
#!/bin/bash
/usr/sbin/dnsmasq --keep-in-foreground --port=15353 --listen-address=127.0.0.1 \
	--bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null \
	--pid-file= --address=/probe.test/192.0.2.77 --log-facility=- &
p=$!
for _ in $(seq 50); do
	dig +tcp +short +tries=1 +time=1 -p 15353 @127.0.0.1 probe.test \
		>"$HOME/dig.out" 2>&1 && [ -s "$HOME/dig.out" ] && break
	sleep 0.1
done
kill "$p"
wait "$p"
cat "$HOME/dig.out"
EOF
chmod 755 "$W/dnsmasq.sh"
out=$(cordon_net -- "$W/dnsmasq.sh" 2>&1)
t_check dnsmasq-answers-under-cordon '[ "$(tail -n 1 <<<"$out")" = 192.0.2.77 ] && ! grep -q "failed to find list of interfaces" <<<"$out"'

# Netlink to something that is not the kernel.
native=$(jrun -- "$NETATTACK" netlink-peer 2>&1)
t_check netlink-peer-native-eperm 'grep -q "netlink-sendto-peer: errno EPERM" <<<"$native"'
rm -f "$AUDIT"
out=$(cordon_net --audit "$AUDIT" -- "$NETATTACK" netlink-peer 2>"$T_DIR/err")
for w in sendto-peer sendmsg-peer sendto-group connect-peer; do
	t_check "netlink-$w-refused" 'grep -q "netlink-$w: errno EACCES" <<<"$out"'
done
t_check netlink-kernel-still-reachable 'grep -q "netlink-connect-kernel: ok 0" <<<"$out" && grep -q "netlink-sendto-kernel: ok" <<<"$out"'
t_check netlink-peer-received-nothing 'grep -q "netlink-peer-received: 0" <<<"$out"'
t_check netlink-peer-audit-sendto 'audit_has "$AUDIT" sendto "netlink:pid=" net'
t_check netlink-peer-audit-sendmsg 'audit_has "$AUDIT" sendmsg "netlink:pid=" net'
t_check netlink-peer-audit-connect 'audit_has "$AUDIT" connect "netlink:pid=" net'
t_check netlink-group-audit 'audit_has "$AUDIT" sendto "groups=0x1" net'
t_check netlink-stderr-names-rule 'grep -q "denied sendto netlink:pid=.*zone net: netlink: destination is a process" "$T_DIR/err"'

# A root supervisor, a job that dropped to the test user: RTM_NEWADDR is
# refused by the kernel (EPERM) as natively, and the address never appears.
# cordon started as root drops itself to --user (docs/root.md); a supervisor
# that stays root exists only with --allow-root-job, which is what is tested.
uid=$(id -u "$T_USER")
drop=(setpriv --reuid="$uid" --regid="$uid" --clear-groups)
native=$(netns_exec "${drop[@]}" "$NETATTACK" netlink-addaddr 192.0.2.201 2>&1)
t_check netlink-newaddr-native-eperm 'grep -q "netlink-newaddr: errno EPERM" <<<"$native"'
out=$(netns_exec env -C "$W" "$CORDON" run -q --allow-root-job \
	--policy "$NET_POLICY" --zone net -- "${drop[@]}" "$NETATTACK" netlink-addaddr 192.0.2.202 2>&1)
t_check netlink-newaddr-root-supervisor-eperm 'grep -q "netlink-newaddr: errno EPERM" <<<"$out"'
t_check netlink-newaddr-no-address '! netns_exec ip -o addr show dev lo | grep -q "192.0.2.20[12]"'
out=$(netns_exec env -C "$W" "$CORDON" run -q --allow-root-job \
	--policy "$NET_POLICY" --zone net -- "${drop[@]}" "$NETATTACK" netlink-peer 2>&1)
t_check netlink-peer-root-supervisor-refused 'grep -q "netlink-sendto-peer: errno EACCES" <<<"$out" && grep -q "netlink-peer-received: 0" <<<"$out"'

t_done
