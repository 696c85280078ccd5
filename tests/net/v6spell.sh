#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# v6spell.sh BUILD_DIR - IPv6 spellings of always-denied IPv4 addresses
# (issue 13, defect 8) under a zone that allows every IPv6 and IPv4
# destination by rule (net-open: only the always-denied set stands). Each
# spelling is made a local address of the test's own namespace with a
# canary on it: natively the job's connect arrives, under cordon it is
# refused with EACCES, nothing arrives, and the audit record names the zone
# and the rule. An ordinary 2001:db8:: address that merely ends in the same
# bits (not Teredo) is allowed and arrives.
# Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

AUDIT=$W/audit.jsonl
# spelling  what it carries
SPELLINGS=(
	"2001:0:cb00:7101::5601:5601" # Teredo, client 169.254.169.254
	"2001:0:a9fe:a9fe::34ff:8efa" # Teredo, server 169.254.169.254
	"2001:db8:5::5efe:a9fe:a9fe"  # ISATAP, 169.254.169.254
	"2001:db8:6::200:5efe:a00:1"  # ISATAP (u bit), 10.0.0.1
	"::a9fe:a9fe"                 # IPv4-compatible 169.254.169.254
	"64:ff9b:1::a9fe:a9fe"        # NAT64 local-use /96, metadata
	"64:ff9b:1:a9fe:a9:fe00:cb00:7105" # its /48 position, metadata
)
KEEP=2001:db8:7::a9fe:a9fe # not Teredo: an ordinary documentation address
for a in "${SPELLINGS[@]}" "$KEEP"; do
	netns_add_addr "$a/128" || t_fail "addr-$a"
	netns_canary_tcp "$a" 8443 || t_fail "canary-$a"
done

for a in "${SPELLINGS[@]}"; do
	out=$(jrun -- "$NETATTACK" connect "[$a]:8443" 2>&1)
	t_check "native-$a-arrives" 'grep -qx "connect: ok 0" <<<"$out" && netns_canary_wait "$a" 8443 1'
	base=$(hits "$a" 8443)
	rm -f "$AUDIT"
	out=$(jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net-open \
		--audit "$AUDIT" -- "$NETATTACK" connect "[$a]:8443" 2>"$T_DIR/err")
	t_check "cordon-$a-denied" 'grep -qx "connect: errno EACCES" <<<"$out"'
	sleep 0.6
	t_check "cordon-$a-nothing-arrived" '[ "$(hits "$a" 8443)" = "$base" ]'
	canon=$(python3 -c 'import socket, sys; print(socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, sys.argv[1])))' "$a")
	t_check "cordon-$a-audit" 'audit_has "$AUDIT" connect "[$canon]:8443" net-open'
	t_check "cordon-$a-stderr-names-category" 'grep -q "zone net-open: always-denied \(metadata\|private\)" "$T_DIR/err"'
done
base=$(hits "$KEEP" 8443)
out=$(jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net-open -- \
	"$NETATTACK" connect "[$KEEP]:8443" 2>&1)
t_check "cordon-2001-db8-not-teredo-allowed" 'grep -qx "connect: ok 0" <<<"$out" && netns_canary_wait "$KEEP" 8443 $((base + 1))'

t_done
