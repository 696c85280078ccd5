# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# netlib.sh - shared set-up for tests/net/*.sh: testlib.sh (ok/FAIL
# counting, binaries staged in a 0755 dir) plus netns.sh (a private network
# namespace whose only hosts are the test's own). Source it, then call
# net_init BUILD_DIR.
#
# Test hosts (all local inside the namespace, nothing leaves it):
#   allowed  192.0.2.1        [2001:db8::1]
#   denied   198.51.100.1     [2001:db8:2::1]   (canaries: must see nothing)
# Inside the namespace every one of these is an address of "the host" as the
# supervisor sees it (it runs in the namespace too), so the zones used for
# allowed cases lift the `host` category: see net_policy.
#
# The job runs as the unprivileged CORDON_TEST_USER (cordontest) inside the
# namespace, in $W (its own working directory), with TMPDIR=$W/tmp, through
# jrun ENV... -- CMD: `jrun -- cordon run ... -- curl ...`.

# The addresses below are used by the scripts that source this file.
# shellcheck disable=SC2034
NET_HERE=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/testlib.sh
. "$NET_HERE/../lib/testlib.sh"
# shellcheck source=../lib/netns.sh
. "$NET_HERE/../lib/netns.sh"

A4=192.0.2.1
A6=2001:db8::1
D4=198.51.100.1
D6=2001:db8:2::1

# net_init BUILD_DIR -- skip (77) unless root; stage cordon, the probe,
# netattack and goclient; create the namespace and the job's directories.
net_init() {
	local build=$1 b
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root"
		exit 77
	fi
	t_init "$build"
	netns_setup
	netns_add_addr "$D6/128" || exit 1
	for b in tests/net/netattack tests/net/goclient tests/net/golisten; do
		[ -x "$build/$b" ] && cp "$build/$b" "$T_DIR/bin/"
	done
	chmod 755 "$T_DIR/bin/"*
	NETATTACK=$T_DIR/bin/netattack
	GOLISTEN=$T_DIR/bin/golisten
	GOCLIENT=$T_DIR/bin/goclient
	W=$T_DIR/work
	mkdir -p "$W/tmp"
	chown -R "$T_USER" "$W"
	[ -x "$NETATTACK" ] || {
		t_fail "netattack-built" "$build/tests/net/netattack missing"
		t_done
		exit 1
	}
	net_policy
}

# net_policy -- $T_DIR/net.cordon with the zones the tests use.
net_policy() {
	NET_POLICY=$T_DIR/net.cordon
	cat >"$NET_POLICY" <<'EOF'
# The namespace's test hosts are the host's own addresses to cordon.
zone net extends fork-pr {
	lift host
}
zone net-listen extends fork-pr {
	listen allow
}
zone net-listen-lo extends fork-pr {
	listen loopback
}
# Everything allowed by rule: only the always-denied set stands.
zone net-open extends fork-pr {
	lift host
	allow any 0.0.0.0/0:any
	allow any [::]/0:any
}
EOF
	chmod 644 "$NET_POLICY"
}

# jrun [VAR=VAL...] -- CMD... -- run CMD as the test user in the namespace,
# in $W with HOME=$W and TMPDIR=$W/tmp. Output goes where the caller sends it.
jrun() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	# No proxy from the caller's environment: clients connect directly.
	netns_exec_as "$T_USER" env -C "$W" -u http_proxy -u https_proxy \
		-u HTTP_PROXY -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
		-u no_proxy -u NO_PROXY HOME="$W" TMPDIR="$W/tmp" \
		PATH=/usr/local/bin:/usr/bin:/bin \
		"${envs[@]}" "$@"
}

# cordon_net ARGS... -- `cordon run --policy net.cordon --zone net ARGS...`
# (ARGS holds --allow rules, then -- CMD).
cordon_net() {
	jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net "$@"
}

# hits ADDR PORT [tcp|udp] -- canary hits (after the client finished).
hits() { netns_canary_hits "$@"; }

# http_hits ADDR PORT -- requests the python http.server logged.
http_hits() { netns_http_hits "$@"; }

# bracket ADDR -- [ADDR] for IPv6, ADDR for IPv4 (URLs, host:port).
bracket() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }

# fam ADDR -- 4 or 6.
fam() { case $1 in *:*) echo 6 ;; *) echo 4 ;; esac; }

# audit_has FILE SYSCALL DETAIL_SUBSTR ZONE -- a deny decision record with
# errno EACCES naming ZONE and a rule, for SYSCALL, detail containing DETAIL.
audit_has() {
	python3 - "$@" <<'PY'
import json, sys
path, sc, detail, zone = sys.argv[1:5]
ok = False
for line in open(path):
    r = json.loads(line)
    if (r.get("type") == "decision" and r.get("syscall") == sc and
            detail in (r.get("detail") or "") and r.get("decision") == "deny"
            and r.get("errno") == "EACCES" and r.get("zone") == zone
            and r.get("rule")):
        ok = True
sys.exit(0 if ok else 1)
PY
}
