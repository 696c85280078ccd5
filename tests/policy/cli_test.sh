#!/bin/sh
# cli_test.sh POLICY_CLI DATA_DIR - `cordon policy` check/show/explain:
# exit codes, diagnostics on stderr, the explain line format and --json.
set -u
cli=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

run() { # run EXPECTED_RC ARGS...; output in $tmp/out, $tmp/err
	want=$1
	shift
	"$cli" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: policy $* exited $rc, want $want"
		cat "$tmp/out" "$tmp/err"
		fails=$((fails + 1))
	fi
}

has() { # has FILE TEXT: the file contains the exact line or fragment
	if ! grep -qF -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 lacks: $2"
		sed 's/^/    /' "$tmp/$1"
		fails=$((fails + 1))
	fi
}

lacks() { # lacks FILE TEXT: the file does not contain the fragment
	if grep -qF -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 has: $2"
		sed 's/^/    /' "$tmp/$1"
		fails=$((fails + 1))
	fi
}

cd "$data" || exit 1

run 0 check matrix.cordon include_ok.cordon
has out "matrix.cordon: ok; zones: fork-pr internal-ci release web lifted open lo nodefaults"

run 125 check bad_many.cordon
has err "bad_many.cordon:3:12: error: malformed wildcard '*foo.com'"
has err "  hint: '*' must be followed by '.', as in '*.example.com'"
has err "bad_many.cordon:9:2: error: unknown key 'frobnicate'"

run 125 check does-not-exist.cordon
has err "does-not-exist.cordon:1:1: error: cannot read policy file: No such file or directory"

run 125 check
run 125 frobnicate

run 0 show
has out "zone fork-pr {"
has out "	limit mem 2G	# <builtin>:8:8"
fp=$(sed -n 's/^# zone fork-pr, fingerprint \([0-9a-f]\{16\}\)$/\1/p' "$tmp/out")
[ -n "$fp" ] || { echo "FAIL: show prints no fingerprint"; fails=$((fails + 1)); }

run 0 show --zone internal-ci --allow 'tcp X.Example:443' --deny 'dns bad.test' --limit mem=1G,wall=90m
has out "	allow tcp x.example:443	# <--allow #1>:1:1"
has out "	dns deny bad.test	# <--deny #1>:1:1"
has out "	limit mem 1G	# <--limit #1>:1:1"
has out "	limit wall 90m	# <--limit #1>:1:8"

run 125 show --limit mem=0
has err "<--limit #1>:1:5: error: invalid mem '0': zero is not a limit"

run 125 show --zone nope
has err "<--zone>:1:1: error: unknown zone 'nope'"

run 0 show --policy matrix.cordon --zone web
has out "	allow tcp *.example.com:443	# matrix.cordon:4:2"

run 0 show --policy matrix.cordon --all
has out "zone nodefaults {"

run 0 explain connect 169.254.169.254:80
has out "deny     connect 169.254.169.254:80/tcp  zone fork-pr"
has out "  why: always-denied metadata (builtin; allowing it takes 'lift metadata link-local' and 'allow tcp 169.254.169.254:80')"

run 0 explain connect '[64:ff9b::a9fe:a9fe]:80/udp'
has out "deny     connect [64:ff9b::a9fe:a9fe]:80/udp  zone fork-pr"
has out "  address: judged as 169.254.169.254 (nat64)"

run 0 explain --policy matrix.cordon --zone web connect A.Example.COM:443
has out "allow    connect A.Example.COM:443/tcp  zone web"
has out "  why: rule: allow tcp *.example.com:443 (matrix.cordon:4:2)"
has out "  note: decided as if the name resolved through cordon's DNS proxy"

run 0 explain --policy matrix.cordon --zone web connect example.com:443
has out "deny     connect example.com:443/tcp  zone web"
has out "  why: resolve: default deny (no rule allows it)"

run 0 explain --policy matrix.cordon --zone web --addr 10.0.0.7 connect a.example.com:443
has out "  why: always-denied private (builtin; allowing it takes 'lift private')"

run 0 explain --policy matrix.cordon --zone web resolve bad.lookup.test
has out "deny     resolve bad.lookup.test  zone web"
has out "  why: rule: dns deny bad.lookup.test (matrix.cordon:12:2)"

run 0 explain --listener tcp:8080 connect 127.0.0.1:8080
has out "allow    connect 127.0.0.1:8080/tcp  zone fork-pr"

# A wildcard listen is narrowed to this host by run: explain says so.
run 0 explain listen '[::]:8080'
has out "loopback listen [::]:8080/tcp  zone fork-pr"
has out "narrowed to this host"
run 0 explain listen 0.0.0.0:8080
has out "loopback listen 0.0.0.0:8080/tcp  zone fork-pr"
# A host address is not a wildcard: still denied.
run 0 explain listen 192.0.2.1:8080
has out "deny     listen 192.0.2.1:8080/tcp  zone fork-pr"

run 0 explain --policy matrix.cordon --zone lo listen 0.0.0.0:80
has out "loopback listen 0.0.0.0:80/tcp  zone lo"

run 0 explain unix /run/docker.sock
has out "  why: always-denied system-sockets (builtin; allowing it takes 'lift system-sockets' and 'unix allow \"/run/docker.sock\"')"

# Abstract names are byte strings of explicit length, written with \xHH.
run 0 explain --bound 'abc\x00x' unix '@abc\x00x'
has out "allow    unix @abc\x00x  zone fork-pr"
has out "  why: abstract socket bound by the job"
run 0 explain --bound 'abc\x00x' unix '@abc\x00y'
has out "deny     unix @abc\x00y  zone fork-pr"
has out "  why: abstract socket not bound by the job"
run 0 explain --bound 'abc' unix '@abc\x00x'
has out "deny     unix @abc\x00x  zone fork-pr"
run 0 explain --bound 'abc\x00\xFF' --json unix '@abc\x00\xff'
has out "\"verdict\":\"allow\",\"op\":\"unix\",\"target\":\"@abc\\\\x00\\\\xff\""
run 0 explain --policy matrix.cordon --zone abs unix '@ci\x00agent\xff'
has out "  why: rule: unix allow @ci\x00agent\xff (matrix.cordon:45:2)"
run 0 explain --policy matrix.cordon --zone abs unix '@ci\x00agent'
has out "deny     unix @ci\x00agent  zone abs"
run 125 explain unix '@abc\q'
run 125 explain --bound 'a\x0' unix '@a'
run 0 show --policy matrix.cordon --zone abs
has out "	unix allow @ci\x00agent\xff	# matrix.cordon:45:2"
has out '	unix allow @back\\slash\x20sp	# matrix.cordon:47:2'

# Every IPv6 spelling of an IPv4 address is judged as that IPv4 address.
run 0 explain --policy matrix.cordon --zone v6all connect '[2001::a00:1:0:0:34ff:8efa]:443'
has out "deny     connect [2001::a00:1:0:0:34ff:8efa]:443/tcp  zone v6all"
has out "  why: always-denied private (builtin; allowing it takes 'lift private' and 'allow tcp 10.0.0.1:443'), for 10.0.0.1, which this teredo address also reaches"
has out "  address: judged as 203.0.113.5 (teredo); also reaches 10.0.0.1"
run 0 explain --json --policy matrix.cordon --zone v6all connect '[2001:0:cb00:7101::5601:5601]:443'
has out '"category":"metadata"'
has out '"judged_as":"169.254.169.254","embedding":"teredo","also_reaches":"203.0.113.1"'
run 0 explain --policy matrix.cordon --zone v6all connect '[2001:db8::a9fe:a9fe]:443'
has out "allow    connect [2001:db8::a9fe:a9fe]:443/tcp  zone v6all"
run 0 explain --policy matrix.cordon --zone v6all connect '[2001:db8::200:5efe:a9fe:a9fe]:443'
has out "  address: judged as 169.254.169.254 (isatap)"
run 0 explain connect '[::169.254.169.254]:80'
has out "  address: judged as 169.254.169.254 (v4-compatible)"
run 0 explain --policy matrix.cordon --zone v6all connect '[64:ff9b:1:a9fe:a9:fe00:cb00:7105]:443'
has out ", for 169.254.169.254, which this nat64-local address also reaches"
has out "  address: judged as 203.0.113.5 (nat64-local); also reaches 169.254.169.254, 254.169.254.0, 169.254.0.203"

run 0 explain --json connect 169.254.169.254:80
has out "\"verdict\":\"deny\",\"op\":\"connect\",\"target\":\"169.254.169.254:80/tcp\",\"zone\":\"fork-pr\",\"fingerprint\":\"$fp\",\"reason\":\"always-denied\",\"category\":\"metadata\""

run 0 explain --json --zone internal-ci connect github.com:443
has out "\"rule\":\"allow tcp github.com:443\",\"where\":{\"file\":\"<builtin>\",\"line\":69,\"col\":2}"

run 0 explain --allow 'tcp 203.0.113.9:443' connect 203.0.113.9:443
has out "  why: rule: allow tcp 203.0.113.9:443 (<--allow #1>:1:1)"

# Explain runs the plan enforcement runs: DNS to any address is redirected.
for t in 8.8.8.8:53/udp 8.8.8.8:53/tcp '[2001:4860:4860::8888]:53/udp'; do
	run 0 explain connect "$t"
	has out "allow    connect $t  zone fork-pr"
	has out "  why: redirected to cordon's DNS proxy (builtin; DNS to any address goes there)"
	has out "  note: nothing is sent to this address: cordon's DNS proxy answers the query"
done
run 0 explain --json connect 8.8.8.8:53/udp
has out "\"reason\":\"dns-proxy\""
has out "\"plan\":\"redirect-dns\""
run 0 explain --json connect 8.8.8.8:853
has out "\"plan\":\"deny\""
run 0 explain --policy matrix.cordon --zone web connect 198.51.100.53:53/udp
has out "  why: redirected to cordon's DNS proxy"

# What the relay checks on a connect: explain and show say it, from the
# plan run performs (net_plan_dest(), net_plan_rule_relay()).
run 0 explain --zone internal-ci connect pypi.org:443
has out "  relay: through cordon's relay, SNI/Host checked: the TLS SNI or HTTP/1.x Host"
run 0 explain --json --zone internal-ci connect pypi.org:443
has out "\"plan\":\"perform\",\"relay\":\"sni-host\""
run 0 explain --policy matrix.cordon --zone relay connect git.example:22
has out "  relay: through cordon's relay, pinned only: the address must be one the name resolved to"
has out "the bytes are not inspected"
run 0 explain --json --policy matrix.cordon --zone relay connect ssh.example:2222
has out "\"relay\":\"pin-only\""
# A range is checked on every port of it, 22 included.
run 0 explain --json --policy matrix.cordon --zone relay connect x.range.example:8022
has out "\"relay\":\"sni-host\""
# UDP and address rules are direct; a denied connect has no relay.
run 0 explain --json --policy matrix.cordon --zone relay connect ssh.example:2222/udp
has out "\"relay\":\"direct\""
run 0 explain --policy matrix.cordon --zone relay connect 203.0.113.9:22
lacks out "  relay:"
run 0 explain --json --policy matrix.cordon --zone relay connect web.example:22
has out "\"plan\":\"deny\",\"relay\":null"
run 0 explain --policy matrix.cordon --zone relay connect web.example:22
lacks out "  relay:"
run 0 show --policy matrix.cordon --zone relay
has out "# relay: the TCP connects these hostname rules allow"
has out "#	allow tcp web.example:443	# sni-host"
has out "#	allow tcp plain.example:80	# sni-host"
has out "#	allow tcp git.example:22	# pin-only"
has out "#	allow tcp *.range.example:8000-8100	# sni-host"
has out "#	allow any ssh.example:2222	# pin-only (UDP: pinned, not relayed)"
has out "#   sni-host: through cordon's relay, SNI/Host checked"
has out "#   pin-only: through cordon's relay, pinned only"
lacks out "#	allow udp ntp.example:123"
lacks out "#	allow tcp 203.0.113.0/24:22"
lacks out "#	deny tcp web.example:22"
run 0 show --zone internal-ci --allow 'tcp git.test:22'
has out "#	allow tcp pypi.org:443	# sni-host"
has out "#	allow tcp git.test:22	# pin-only"
# Zones without hostname rules get no relay block.
run 0 show
lacks out "# relay:"
# The annotated text still parses back as the zone it shows.
run 0 show --policy matrix.cordon --zone relay
sed -n '/^zone relay {/,$p' "$tmp/out" | sed 's/^zone relay {/zone relay2 {/' >"$tmp/back.cordon"
run 0 check "$tmp/back.cordon"

# Each hint, done, allows what it was given for (the case first:
# 127.0.0.1 is one of the host's addresses at run time).
hint_check() {
	run 0 explain "$@"
	h=$(sed -n 's/.*allowing it takes \(.*\))$/\1/p' "$tmp/out")
	if [ -z "$h" ]; then
		echo "FAIL: no hint for $*"
		fails=$((fails + 1))
		return
	fi
	{
		echo 'zone hinted extends fork-pr {'
		printf '%s\n' "$h" | grep -o "'[^']*'" | tr -d "'" | sed 's/^/	/'
		echo '}'
	} >"$tmp/hinted.cordon"
	run 0 explain --policy "$tmp/hinted.cordon" --zone hinted "$@"
	has out "allow    "
}
hint_check --host-addr 127.0.0.1 connect 127.0.0.1:5432
hint_check --host-addr 127.0.0.1 --listener tcp:8080 connect 127.0.0.1:8081
hint_check connect '[::ffff:169.254.169.254]:80'
hint_check connect 10.0.0.1:22/udp
hint_check unix /run/docker.sock
hint_check resolve metadata.google.internal

run 125 explain connect no-port
run 125 explain connect '2001:db8::1:443'
run 125 explain --zone nope connect 1.2.3.4:80
run 125 explain --policy does-not-exist.cordon connect 1.2.3.4:80
run 125 explain
run 125 explain --bogus resolve a.com

if [ "$fails" != 0 ]; then
	echo "$fails failures"
	exit 1
fi
echo "cli: all passed"
