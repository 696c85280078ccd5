#!/bin/bash
# SPDX-License-Identifier: MIT
# net.sh BUILD_DIR [--quick] - issue 4's network benchmark: sequential TCP
# connects to the job's own loopback listener, UDP datagrams with a
# destination, and DNS lookups through cordon's proxy against a dnsmasq in a
# test network namespace (root only; skipped otherwise), each natively and
# under cordon, alternating, median of 5 runs. Prints a table; asserts
# nothing.
set -u
build=$1
n_conn=3000 n_udp=5000 n_dns=1000 runs=5
[ "${2:-}" = --quick ] && { n_conn=200; n_udp=200; n_dns=50; runs=1; }
dir=$(mktemp -d /tmp/cordon-netbench.XXXXXX)
chmod 755 "$dir"
cp "$build/tools/cordon" "$build/bench/cordon-netbench" "$dir/"
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	id cordontest >/dev/null 2>&1 || useradd -M -s /bin/sh cordontest
	as_user() { setpriv --reuid=cordontest --regid=cordontest --init-groups "$@"; }
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
figure() { sed -n 's/.*, \([0-9.]*\) us\/op/\1/p'; }
row() { # NAME CMD...
	local name=$1 nat=() cor=() i
	shift
	for i in $(seq "$runs"); do
		nat+=("$(as_user "$@" | figure)")
		cor+=("$(as_user "$dir/cordon" run -q "${CORDON_ARGS[@]}" -- "$@" | figure)")
	done
	local mn mc
	mn=$(printf '%s\n' "${nat[@]}" | median)
	mc=$(printf '%s\n' "${cor[@]}" | median)
	printf '| %-34s | %8s | %8s | %5.2fx |\n' "$name" "$mn" "$mc" \
		"$(echo "$mc / $mn" | bc -l 2>/dev/null || echo 0)"
}
CORDON_ARGS=()
echo "| workload (us per op, median of $runs) | native | cordon | ratio |"
echo "|---|---:|---:|---:|"
row "TCP connect to own loopback listener" "$dir/cordon-netbench" connect "$n_conn"
CORDON_ARGS=()
row "UDP sendto with destination (loopback)" "$dir/cordon-netbench" udp "$n_udp"
if [ "$(id -u)" = 0 ]; then
	(
		. "$(dirname "$0")/../tests/lib/netns.sh"
		netns_setup >/dev/null
		echo "192.0.2.80 bench.test" >"$NETNS_DIR/hosts"
		netns_dnsmasq "$NETNS_DIR/hosts" >/dev/null
		netns_client_setup
		as_user() { ip netns exec "$NETNS_CLIENT" setpriv --reuid=cordontest --regid=cordontest --init-groups "$@"; }
		CORDON_ARGS=(--zone internal-ci --allow "tcp bench.test:80")
		row "DNS lookup via dnsmasq (A record)" "$dir/cordon-netbench" dns "$n_dns" bench.test
	)
else
	echo "| DNS lookup | (needs root for the test namespace) | | |"
fi
rm -rf "$dir"
