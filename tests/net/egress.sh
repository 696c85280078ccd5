#!/bin/bash
# SPDX-License-Identifier: MIT
# Variables are read inside t_check's eval'd conditions:
# shellcheck disable=SC2034
# egress.sh BUILD_DIR - cordon's network mediation with real clients and
# servers, over IPv4 and IPv6, in a private network namespace (tests/lib/
# netns.sh): curl, wget, python3 urllib and requests, git (dumb http), node
# fetch and a static pure-Go client, each allowed (must work) and denied
# (the canary must record nothing); the form of a denial (EACCES, fast, one
# stderr line, an audit record naming zone and rule); client semantics
# (blocking and non-blocking connect, AF_UNSPEC, dual stack, getsockname/
# getpeername, ephemeral binds, SO_REUSEPORT, accept/accept4); the job's own
# loopback; listen modes; unix socket paths; socket families.
# Exit 77 (skip) unless root. Needs ~30 s.
. "$(dirname "$0")/netlib.sh"
net_init "$1"

# ---- servers ----------------------------------------------------------------
WWW=$T_DIR/www
mkdir -p "$WWW"
echo hello-cordon >"$WWW/hello.txt"
git init -q --bare "$WWW/repo.git"
(
	src=$T_DIR/src
	git init -q "$src" && cd "$src" &&
		echo cloned-through-cordon >README &&
		git add README &&
		git -c user.name=t -c user.email=t@example.invalid commit -qm init &&
		git push -q "$WWW/repo.git" HEAD:refs/heads/main &&
		git -C "$WWW/repo.git" symbolic-ref HEAD refs/heads/main &&
		git -C "$WWW/repo.git" update-server-info
) || t_fail "git-fixture"
chmod -R a+rX "$WWW"
for a in "$A4" "$A6"; do
	netns_http_server "$a" 8080 "$WWW" || t_fail "http-server-$a"
	netns_canary_tcp "$a" 8001 || t_fail "canary-$a-8001"
done
for a in "$D4" "$D6"; do
	netns_canary_tcp "$a" 8080 || t_fail "canary-$a-8080"
	netns_canary_tcp "$a" 8001 || t_fail "canary-$a-8001"
done

ALLOW=(--allow "tcp $A4:8080" --allow "tcp [$A6]:8080"
	--allow "tcp $A4:8001" --allow "tcp [$A6]:8001"
	--allow "udp $A4:8001" --allow "udp [$A6]:8001")

# client NAME URL DEST -- run client NAME on URL under cordon (net zone,
# ALLOW); stdout to $T_DIR/out, stderr to $T_DIR/err, audit to
# $W/audit.jsonl; returns the client's status. DEST is a scratch dir.
client() {
	local name=$1 url=$2 dest=$3 cmd
	case $name in
	curl) cmd=(curl -sS --noproxy '*' --connect-timeout 3 -m 5 "$url") ;;
	wget) cmd=(wget -q -O - --no-proxy -T 5 -t 1 "$url") ;;
	urllib) cmd=(/usr/bin/python3 -c 'import sys, urllib.request as u
h = u.build_opener(u.ProxyHandler({}))
sys.stdout.write(h.open(sys.argv[1], timeout=5).read().decode())' "$url") ;;
	requests) cmd=(/usr/bin/python3 -c 'import sys, requests
s = requests.Session(); s.trust_env = False
r = s.get(sys.argv[1], timeout=5); r.raise_for_status()
sys.stdout.write(r.text)' "$url") ;;
	node) cmd=(node -e 'fetch(process.argv[1], {signal: AbortSignal.timeout(5000)})
  .then(r => { if (!r.ok) throw new Error("status " + r.status); return r.text(); })
  .then(t => process.stdout.write(t))
  .catch(e => { console.error("node:", e.cause ? e.cause.code || e.cause : e); process.exit(1); })' "$url") ;;
	go) cmd=("$GOCLIENT" "$url") ;;
	git) cmd=(sh -c 'rm -rf "$2" && git clone -q "$1" "$2" && cat "$2/README"' \
		git "${url%/hello.txt}/repo.git" "$dest") ;;
	esac
	rm -f "$W/audit.jsonl"
	jrun GIT_TERMINAL_PROMPT=0 -- "$CORDON" run \
		--policy "$NET_POLICY" --zone net --audit "$W/audit.jsonl" \
		"${ALLOW[@]}" -- "${cmd[@]}" >"$T_DIR/out" 2>"$T_DIR/err"
}

# ---- real clients, allowed and denied, v4 and v6 -----------------------------
CLIENTS="curl wget urllib requests node go git"
for c in $CLIENTS; do
	case $c in
	requests) /usr/bin/python3 -c 'import requests' 2>/dev/null || {
		t_fail "client-$c" "python3-requests not installed"
		continue
	} ;;
	go) [ -x "$GOCLIENT" ] || {
		t_fail "client-$c" "goclient not built (golang-go missing?)"
		continue
	} ;;
	*) command -v "$c" >/dev/null || {
		[ "$c" = urllib ] || {
			t_fail "client-$c" "$c not installed"
			continue
		}
	} ;;
	esac
	for a in "$A4" "$A6"; do
		v=v$(fam "$a")
		want=hello-cordon
		[ "$c" = git ] && want=cloned-through-cordon
		before=$(http_hits "$a" 8080)
		client "$c" "http://$(bracket "$a"):8080/hello.txt" "$W/clone-$c-$v"
		st=$?
		if [ "$st" = 0 ] && grep -qx "$want" "$T_DIR/out"; then
			t_ok "$c-$v-allowed-works"
		else
			t_fail "$c-$v-allowed-works" "exit $st: $(head -c 300 "$T_DIR/err")"
		fi
		t_check "$c-$v-allowed-reached-server" \
			'[ "$(http_hits "$a" 8080)" -gt "$before" ]'
	done
	for d in "$D4" "$D6"; do
		v=v$(fam "$d")
		start=$(date +%s%N)
		client "$c" "http://$(bracket "$d"):8080/hello.txt" "$W/clone-$c-$v-denied"
		st=$?
		ms=$((($(date +%s%N) - start) / 1000000))
		t_check "$c-$v-denied-nothing-arrived" '[ "$(hits "$d" 8080)" = 0 ]'
		t_check "$c-$v-denied-fails" '[ "$st" != 0 ]'
		t_check "$c-$v-denied-stderr-line" \
			'grep -qF "cordon: denied connect $(bracket "$d"):8080/tcp (zone net: " "$T_DIR/err"'
		t_check "$c-$v-denied-audit-record" \
			'audit_has "$W/audit.jsonl" connect "$(bracket "$d"):8080/tcp" net'
		# Fail fast: no connect timeout, no retry loop to wait out.
		t_check "$c-$v-denied-fast" '[ "$ms" -lt 15000 ]'
	done
done

# ---- the form of one denial -----------------------------------------------------
for d in "$D4" "$D6"; do
	v=v$(fam "$d")
	cordon_net --audit "$W/one.jsonl" "${ALLOW[@]}" -- \
		"$NETATTACK" connect "$(bracket "$d"):8001" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "denial-$v-eacces" 'grep -qx "connect: errno EACCES" "$T_DIR/out"'
	if [ "$(grep -c "^cordon: " "$T_DIR/err")" = 1 ] &&
		grep -qxF "cordon: denied connect $(bracket "$d"):8001/tcp (zone net: default deny (no rule allows it))" "$T_DIR/err"; then
		t_ok "denial-$v-one-stderr-line"
	else
		t_fail "denial-$v-one-stderr-line" "stderr: $(head -c 400 "$T_DIR/err")"
	fi
	t_check "denial-$v-audit" \
		'audit_has "$W/one.jsonl" connect "$(bracket "$d"):8001/tcp" net'
	t_check "denial-$v-nothing-arrived" '[ "$(hits "$d" 8001)" = 0 ]'
	# fork-pr (no zone named): every egress denied, the audit names fork-pr.
	jrun -- "$CORDON" run --audit "$W/fp.jsonl" -- "$NETATTACK" connect \
		"$(bracket "$d"):8001" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "fork-pr-$v-denies-egress" \
		'grep -qx "connect: errno EACCES" "$T_DIR/out" &&
		 audit_has "$W/fp.jsonl" connect "$(bracket "$d"):8001/tcp" fork-pr'
done
t_check "denied-canaries-8001-clean" '[ "$(hits "$D4" 8001)" = 0 ] && [ "$(hits "$D6" 8001)" = 0 ]'

# ---- client semantics against an allowed canary -------------------------------
for a in "$A4" "$A6"; do
	v=v$(fam "$a")
	cordon_net -q "${ALLOW[@]}" -- "$NETATTACK" semantics \
		"$(bracket "$a"):8001" >"$T_DIR/sem" 2>&1
	n=0
	while read -r _ name verdict rest; do
		name=${name%:}
		n=$((n + 1))
		if [ "$verdict" = ok ]; then t_ok "sem-$v-$name"; else t_fail "sem-$v-$name" "$rest"; fi
	done < <(grep '^sem ' "$T_DIR/sem")
	t_check "sem-$v-ran" '[ "$n" -ge 14 ]'
	# Natively the same program passes every check (the reference).
	jrun -- "$NETATTACK" semantics "$(bracket "$a"):8001" >"$T_DIR/native" 2>&1
	t_check "sem-$v-native-reference" '! grep -q "FAIL" "$T_DIR/native"'
done

# ---- the job's own loopback ---------------------------------------------------------
for a in 127.0.0.1 ::1; do
	v=v$(fam "$a")
	# fork-pr: listening and connecting on loopback is the job's own business.
	jrun -- "$CORDON" run -- "$NETATTACK" selfloop "$(bracket "$a"):0" \
		>"$T_DIR/sem" 2>&1
	n=0
	while read -r _ name verdict rest; do
		name=${name%:}
		n=$((n + 1))
		if [ "$verdict" = ok ]; then t_ok "own-loopback-$v-$name"; else t_fail "own-loopback-$v-$name" "$rest"; fi
	done < <(grep '^sem ' "$T_DIR/sem")
	t_check "own-loopback-$v-ran" '[ "$n" = 9 ]'
done
# A python http.server of the job's own, fetched by the job's own curl.
for a in 127.0.0.1 ::1; do
	v=v$(fam "$a")
	jrun -- "$CORDON" run -- sh -c '
		python3 -m http.server --bind "$1" --directory "$2" 18080 >/dev/null 2>&1 &
		i=0; while [ $i -lt 50 ]; do
			curl -sS --noproxy "*" -m 2 "http://$3:18080/hello.txt" 2>/dev/null && break
			i=$((i + 1)); sleep 0.1
		done; kill $!' sh "$a" "$WWW" "$(bracket "$a")" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "own-http-server-$v" 'grep -qx hello-cordon "$T_DIR/out"'
done
# listen allow: a wildcard listener of the job's own is reachable on the
# host's addresses and on loopback, same port.
for pair in "0.0.0.0 $A4 127.0.0.1 5436" "[::] [$A6] [::1] 5437"; do
	set -- $pair
	v=v4
	[ "$1" = "[::]" ] && v=v6
	jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net-listen -- sh -c '
		"$1" bind "$2:$5" listen & sleep 0.5
		"$1" connect "$3:$5"; "$1" connect "$4:$5"; wait' sh \
		"$NETATTACK" "$1" "$2" "$3" "$4" >"$T_DIR/out" 2>"$T_DIR/err"
	t_check "own-wildcard-listener-$v-host-addr-and-loopback" \
		'[ "$(grep -c "^connect: ok" "$T_DIR/out")" = 2 ]'
done

# ---- listen modes -----------------------------------------------------------------
# A host address: denied by fork-pr's listen mode.
for a in "$A4" "[$A6]"; do
	jrun -- "$CORDON" run --audit "$W/l.jsonl" -- "$NETATTACK" bind "$a:6001" listen \
		>"$T_DIR/out" 2>"$T_DIR/err"
	t_check "listen-deny-$a" \
		'grep -qx "bind: errno EACCES" "$T_DIR/out" && grep -q "^cordon: denied bind" "$T_DIR/err" &&
		 audit_has "$W/l.jsonl" bind ":6001/tcp" fork-pr'
done
# The wildcard: performed as asked, narrowed to loopback peers (listen.sh
# checks who can connect), in listen deny and listen loopback alike.
for zone in fork-pr net-listen-lo; do
	for a in 0.0.0.0 "[::]"; do
		shown=0.0.0.0
		[ "$a" = "[::]" ] && shown=::
		rm -f "$W/l.jsonl"
		zargs=()
		[ "$zone" = fork-pr ] || zargs=(--policy "$NET_POLICY" --zone "$zone")
		jrun -- "$CORDON" run --audit "$W/l.jsonl" "${zargs[@]}" -- \
			"$NETATTACK" bind "$a:6002" listen >"$T_DIR/out" 2>"$T_DIR/err"
		t_check "listen-$zone-$a-narrowed-shown-as-asked" \
			'grep -qx "listening on $shown port 6002" "$T_DIR/out" &&
			 grep -q "\"event\":\"listen-narrowed\"" "$W/l.jsonl"'
	done
done

# ---- unix sockets by path -----------------------------------------------------------
OUT=$(mktemp -d /tmp/cordon-net-outside.XXXXXX)
chmod 755 "$OUT"
mkdir -p "$W/ok"
chown "$T_USER" "$W/ok"
unix_server() { # NAME PATH: a listener (as the test user) logging to PATH.log
	netns_start_bg_as "$T_USER" "$1" /usr/bin/python3 -c '
import os, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.bind(p)
s.listen(64)
while True:
    c, _ = s.accept()
    with open(p + ".log", "a") as f:
        f.write("hit\n")
    c.close()' "$2"
	for _ in $(seq 30); do [ -S "$2" ] && return 0; sleep 0.1; done
	return 1
}
chown "$T_USER" "$OUT"
unix_server unix-out "$OUT/s.sock" || t_fail "unix-outside-server"
unix_server unix-ok "$W/ok/s.sock" || t_fail "unix-cwd-server"
unix_hits() { [ -f "$1.log" ] && wc -l <"$1.log" || echo 0; }
jrun -- "$CORDON" run -- "$NETATTACK" unix "$W/ok/s.sock" >"$T_DIR/out" 2>&1
t_check "unix-cwd-allowed" 'grep -qx "unix-connect: ok 0" "$T_DIR/out"'
jrun -- "$CORDON" run -- "$NETATTACK" unix ok/s.sock >"$T_DIR/out" 2>&1
t_check "unix-relative-allowed" 'grep -qx "unix-connect: ok 0" "$T_DIR/out"'
jrun -- "$CORDON" run --audit "$W/u.jsonl" -- "$NETATTACK" unix "$OUT/s.sock" >"$T_DIR/out" 2>&1
t_check "unix-outside-denied" 'grep -qx "unix-connect: errno EACCES" "$T_DIR/out" &&
	audit_has "$W/u.jsonl" connect "$OUT/s.sock" fork-pr'
ln -sfn "$OUT" "$W/sneaky"
jrun -- "$CORDON" run -- "$NETATTACK" unix sneaky/s.sock >"$T_DIR/out" 2>&1
t_check "unix-symlink-out-of-cwd-denied" 'grep -qx "unix-connect: errno EACCES" "$T_DIR/out"'
t_check "unix-outside-nothing-arrived" '[ "$(unix_hits "$OUT/s.sock")" = 0 ]'
t_check "unix-cwd-arrived" '[ "$(unix_hits "$W/ok/s.sock")" = 2 ]'
# System sockets: real listeners at the real paths, in a private mount
# namespace (a tmpfs over /run: the host's /run is not touched).
SYS_SOCKS="/run/docker.sock /run/containerd/containerd.sock /run/dbus/system_bus_socket /run/systemd/resolve/io.systemd.Resolve"
netns_exec unshare -m env LOG="$T_DIR/sys.log" SYS_SOCKS="$SYS_SOCKS" \
	TUSER="$T_USER" NETATTACK="$NETATTACK" CORDON="$CORDON" W="$W" \
	bash "$NET_HERE/syssock.sh" >"$T_DIR/out" 2>&1
for p in /var/run/docker.sock $SYS_SOCKS; do
	t_check "unix-system-socket-reachable-natively-$p" \
		'grep -qx "native $p: unix-connect: ok 0" "$T_DIR/out"'
	t_check "unix-system-socket-denied-$p" \
		'grep -qx "cordon $p: unix-connect: errno EACCES hits=0" "$T_DIR/out"'
done
jrun -- "$CORDON" run --policy "$NET_POLICY" --zone net -- "$NETATTACK" \
	abstract-self "cordon-net-own-$$" >"$T_DIR/out" 2>&1
t_check "abstract-own-allowed" 'grep -qx "abstract-connect: ok 0" "$T_DIR/out"'

# ---- socket families -----------------------------------------------------------------
jrun -- "$CORDON" run -q -- "$NETATTACK" families >"$T_DIR/out" 2>&1
for f in unix-stream unix-dgram inet-tcp inet-udp inet6-tcp inet6-udp netlink-route; do
	t_check "family-$f-allowed" 'grep -qx "family $f: ok" "$T_DIR/out"'
done
while read -r _ f verdict err; do
	f=${f%:}
	case $f in unix-* | inet-tcp | inet-udp | inet6-tcp | inet6-udp | netlink-route) continue ;; esac
	# A protocol cordon does not mediate on a TCP/UDP type: "not here".
	case $f in
	inet-icmp-dgram | inet6-icmp-dgram | inet-sctp | inet-udplite | inet-mptcp)
		want=EPROTONOSUPPORT ;;
	*) want="EAFNOSUPPORT EACCES" ;;
	esac
	t_check "family-$f-refused" \
		'[ "$verdict" = errno ] && [[ " $want " == *" $err "* ]]'
done <"$T_DIR/out"

rm -rf "$OUT"
t_done
