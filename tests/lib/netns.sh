# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/lib/netns.sh -- network-namespace test hosts for cordon's network tests.
#
# Source this from a bash test script:
#
#     . "$(dirname "$0")/../lib/netns.sh"
#     netns_setup                  # SKIP (exit 77) unless root
#     netns_http_server 192.0.2.1 8080 "$docroot"
#     netns_exec_as cordontest curl --noproxy '*' -m 3 http://192.0.2.1:8080/f
#
# SAFETY RULES (see tests/lib/README.md): a test may talk only to loopback or
# to addresses made local inside a namespace it created with netns_setup.
# The namespace has NO link to the host: it holds only `lo` and a blackhole
# device (dummy, or ifb where the kernel lacks dummy) that carries the test
# addresses and both default routes, so a packet to any non-local address is
# dropped inside the namespace.  /etc/netns/$NETNS/resolv.conf points at the
# in-namespace resolver (192.0.2.53), never at the host's.
#
# Everything the harness starts is tracked and killed by pid on EXIT/INT/TERM
# (plus every pid `ip netns pids` still reports), then the namespace,
# /etc/netns/$NETNS and the state dir $NETNS_DIR are removed.  A SIGKILLed
# test cannot clean up; the next netns_setup removes namespaces whose owner
# shell (the PID in cordon-t-PID-N) no longer exists.
# An EXIT trap installed before netns_setup (e.g. testlib.sh's t_init) is
# chained; one installed after it must call netns_cleanup itself.
# Do not call netns_start_bg & co. inside $(...): the pid would be recorded in
# the subshell only.  A subshell that calls netns_setup gets a namespace of its
# own (its parent's tracked pids are forgotten, not killed).
#
# Exported after netns_setup:
#   NETNS      namespace name (cordon-t-PID-RANDOM)
#   NETNS_DIR  state dir (mode 755): logs, canary records, helper scripts
#   NETNS_DEV  name of the blackhole device inside the namespace
# Knobs (environment): NETNS_KEEP=1 keeps $NETNS_DIR after cleanup (debug);
#   NETNS_PYTHON python interpreter for the helpers (default /usr/bin/python3).

# Addresses made local by netns_setup.
NETNS_V4_ADDRS=(192.0.2.1/24 198.51.100.1/24 169.254.169.254/32)
NETNS_V6_ADDRS=(2001:db8::1/64 fd00:ec2::254/128)
NETNS_DNS_V4=192.0.2.53
NETNS_DNS_V6=2001:db8::53

netns__log() { printf 'netns: %s\n' "$*" >&2; }

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac

# netns_require CMD... -- print "SKIP: needs CMD" and exit 77 unless every
# CMD is installed (name on PATH or absolute path).
netns_require() {
	local c
	for c; do
		command -v "$c" >/dev/null 2>&1 || { echo "SKIP: needs $c"; exit 77; }
	done
}

# netns_setup -- create and configure this test's namespace; install the
# cleanup trap (EXIT, INT, TERM).  An EXIT trap set before netns_setup in the
# top-level shell runs after netns_cleanup; one set later replaces ours (then
# call netns_cleanup from it).
# Exits 77 with "SKIP: ..." if not root or namespaces cannot be created,
# exits 1 (after cleanup) if configuring the namespace fails.
netns_setup() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root"
		exit 77
	fi
	if [ "${NETNS__OWNER:-}" = "$BASHPID" ]; then
		netns__log "netns_setup called twice in one shell"
		return 1
	fi
	# Inherited from a parent shell (we are a subshell): forget, never kill.
	NETNS__PIDS=()
	NETNS__OWNER=
	NETNS_DIR=
	if ! command -v ip >/dev/null 2>&1; then
		echo "SKIP: iproute2 (ip) not installed"
		exit 77
	fi
	: "${NETNS_PYTHON:=/usr/bin/python3}"
	[ -x "$NETNS_PYTHON" ] || NETNS_PYTHON=$(command -v python3)
	export NETNS_PYTHON

	netns__reap_stale
	NETNS="cordon-t-$BASHPID-$RANDOM"
	NETNS_DEV=tnet0
	if ! ip netns add "$NETNS"; then
		echo "SKIP: cannot create network namespace"
		exit 77
	fi
	# From here on, cleanup must run whatever happens.
	NETNS__OWNER=$BASHPID
	# Chain an EXIT trap set earlier (e.g. testlib.sh's t_cleanup), but only
	# in the top-level shell: in a ( ) subshell `trap -p` shows the parent's
	# trap, which must not run there.
	NETNS__PREV_EXIT=
	if [ "$BASHPID" = "$$" ]; then
		local prev
		prev=$(trap -p EXIT)
		# prev is "trap -- 'CMD' EXIT", already shell-quoted.
		[ -n "$prev" ] && eval "netns__trap_cmd ${prev#trap }"
	fi
	trap 'NETNS__ST=$?; netns_cleanup; netns__ret "$NETNS__ST"; eval "$NETNS__PREV_EXIT"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	export NETNS NETNS_DEV
	if ! netns__configure; then
		netns__log "FAIL: setting up namespace $NETNS failed"
		exit 1
	fi
}

# The body of netns_setup, run once the EXIT trap is in place.
netns__configure() {
	NETNS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$NETNS.XXXXXX") || return 1
	chmod 755 "$NETNS_DIR"
	export NETNS_DIR

	# Resolver config seen by every `ip netns exec` process (bind-mounted
	# over /etc/resolv.conf and /etc/hosts).  Fail fast if nothing answers.
	mkdir -p "/etc/netns/$NETNS"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$NETNS_DNS_V4" \
		>"/etc/netns/$NETNS/resolv.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
		>"/etc/netns/$NETNS/hosts"
	chmod 644 "/etc/netns/$NETNS/resolv.conf" "/etc/netns/$NETNS/hosts"

	netns__ip link set lo up || return 1
	# Blackhole device: dummy if the kernel has it, else ifb (drops all it
	# is given when no tc redirect is set up).  Never veth/macvlan/etc.
	if ! netns__ip link add "$NETNS_DEV" type dummy 2>/dev/null &&
		! netns__ip link add "$NETNS_DEV" type ifb; then
		netns__log "cannot create a dummy or ifb device"
		return 1
	fi
	# No link-local address: keeps the device silent (no RS/MLD).
	netns__ip link set "$NETNS_DEV" addrgenmode none 2>/dev/null || true
	netns__ip link set "$NETNS_DEV" up || return 1
	local a
	for a in "${NETNS_V4_ADDRS[@]}"; do
		netns__ip addr add "$a" dev "$NETNS_DEV" || return 1
	done
	for a in "${NETNS_V6_ADDRS[@]}"; do
		netns__ip -6 addr add "$a" dev "$NETNS_DEV" nodad || return 1
	done
	netns__ip route add default dev "$NETNS_DEV" || return 1
	netns__ip -6 route add default dev "$NETNS_DEV" || return 1
	netns__write_helpers
}

# netns_cleanup -- kill the harness's processes, delete the namespace,
# /etc/netns/$NETNS and $NETNS_DIR.  Idempotent; runs from the EXIT trap.
netns_cleanup() {
	[ -n "${NETNS__OWNER:-}" ] && [ "$NETNS__OWNER" = "$BASHPID" ] || return 0
	NETNS__OWNER=
	local -
	set +e
	local ino p i live pids=()
	ino=$(stat -L -c %i "/run/netns/$NETNS" 2>/dev/null)
	# Tracked pids: only if still ours (our child, or inside the ns),
	# so a recycled pid is never hit.
	for p in "${NETNS__PIDS[@]}"; do
		if [ -n "$ino" ] && [ "$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null)" = "$ino" ]; then
			pids+=("$p")
		elif [ "$(awk '/^PPid:/{print $2}' "/proc/$p/status" 2>/dev/null)" = "$BASHPID" ]; then
			pids+=("$p")
		fi
	done
	for p in $(ip netns pids "$NETNS" 2>/dev/null); do pids+=("$p"); done
	if [ "${#pids[@]}" -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null
		for i in $(seq 30); do
			live=()
			for p in "${pids[@]}"; do
				netns__alive "$p" && live+=("$p")
			done
			[ "${#live[@]}" -eq 0 ] && break
			sleep 0.1
		done
		[ "${#live[@]}" -gt 0 ] && kill -KILL "${live[@]}" 2>/dev/null
		# Late starters (pids appearing after the first sweep).
		for p in $(ip netns pids "$NETNS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		for p in "${NETNS__PIDS[@]}"; do wait "$p" 2>/dev/null; done
	fi
	if [ -n "${NETNS_CLIENT:-}" ]; then
		for p in $(ip netns pids "$NETNS_CLIENT" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$NETNS_CLIENT" 2>/dev/null
		rm -rf "/etc/netns/${NETNS_CLIENT:?}"
	fi
	ip netns del "$NETNS" 2>/dev/null
	rm -rf "/etc/netns/${NETNS:?}"
	if [ -n "${NETNS_KEEP:-}" ]; then
		netns__log "kept state dir $NETNS_DIR"
	elif [[ ${NETNS_DIR:-} == */"$NETNS".* ]]; then
		rm -rf "$NETNS_DIR"
	fi
	return 0
}

# netns_client_setup -- a second namespace, "$NETNS-c", for the program
# under test (cordon), linked to the test hosts' namespace by one veth pair:
# client side 198.18.0.2/30 and fd00:cd::2/64, hosts' side 198.18.0.1 and
# fd00:cd::1, default routes of the client via the hosts' namespace. Both
# ends are ours; the test hosts' addresses (192.0.2.0/24, 2001:db8::/32,
# 169.254.169.254, ...) are then remote for the client, as real servers are
# for a CI job - not "the host's own addresses". Call after netns_setup;
# cleaned up with it. Exports NETNS_CLIENT.
netns_client_setup() {
	NETNS_CLIENT="$NETNS-c"
	ip netns add "$NETNS_CLIENT" || return 1
	export NETNS_CLIENT
	mkdir -p "/etc/netns/$NETNS_CLIENT"
	cp "/etc/netns/$NETNS/resolv.conf" "/etc/netns/$NETNS/hosts" \
		"/etc/netns/$NETNS_CLIENT/"
	ip -n "$NETNS_CLIENT" link set lo up || return 1
	ip -n "$NETNS" link add tveth0 type veth peer name tveth1 \
		netns "$NETNS_CLIENT" || return 1
	ip -n "$NETNS" link set tveth0 addrgenmode none 2>/dev/null
	ip -n "$NETNS_CLIENT" link set tveth1 addrgenmode none 2>/dev/null
	ip -n "$NETNS" addr add 198.18.0.1/30 dev tveth0 || return 1
	ip -n "$NETNS" -6 addr add fd00:cd::1/64 dev tveth0 nodad || return 1
	ip -n "$NETNS_CLIENT" addr add 198.18.0.2/30 dev tveth1 || return 1
	ip -n "$NETNS_CLIENT" -6 addr add fd00:cd::2/64 dev tveth1 nodad ||
		return 1
	ip -n "$NETNS" link set tveth0 up || return 1
	ip -n "$NETNS_CLIENT" link set tveth1 up || return 1
	ip -n "$NETNS_CLIENT" route add default via 198.18.0.1 || return 1
	ip -n "$NETNS_CLIENT" -6 route add default via fd00:cd::1 || return 1
}

# netns_client_exec CMD... / netns_client_exec_as USER CMD... -- as
# netns_exec / netns_exec_as, in the client namespace.
netns_client_exec() { ip netns exec "$NETNS_CLIENT" "$@"; }
netns_client_exec_as() {
	local user=$1
	shift
	ip netns exec "$NETNS_CLIENT" setpriv --reuid="$user" --regid="$user" \
		--init-groups env HOME=/ USER="$user" LOGNAME="$user" "$@"
}

# netns_exec CMD... -- run CMD inside the namespace as root.
netns_exec() { ip netns exec "$NETNS" "$@"; }

# netns_exec_as USER CMD... -- run CMD inside the namespace as USER (uid, gid
# and supplementary groups of USER; HOME/USER/LOGNAME set, rest of env kept).
netns_exec_as() {
	netns__drop "$1" || return 1
	shift
	ip netns exec "$NETNS" "${NETNS__DROP[@]}" "$@"
}

# netns_start_bg NAME CMD... -- start CMD in the background inside the
# namespace (as root), output to $NETNS_DIR/NAME.log; pid tracked for cleanup
# and left in $NETNS_LASTPID.
netns_start_bg() {
	local name=$1
	shift
	ip netns exec "$NETNS" "$@" >"$NETNS_DIR/$name.log" 2>&1 </dev/null &
	NETNS_LASTPID=$!
	NETNS__PIDS+=("$NETNS_LASTPID")
}

# netns_start_bg_as USER NAME CMD... -- same, as unprivileged USER.
netns_start_bg_as() {
	netns__drop "$1" || return 1
	local name=$2
	shift 2
	netns_start_bg "$name" "${NETNS__DROP[@]}" "$@"
}

# netns_pids -- print the pids the harness has started (one per line).
netns_pids() { [ "${#NETNS__PIDS[@]}" -eq 0 ] || printf '%s\n' "${NETNS__PIDS[@]}"; }

# netns_add_addr ADDR/PREFIX -- make one more address local in the namespace
# (IPv6 gets nodad).  Only documentation/test ranges, please.
netns_add_addr() {
	case $1 in
	*:*) netns__ip -6 addr add "$1" dev "$NETNS_DEV" nodad ;;
	*) netns__ip addr add "$1" dev "$NETNS_DEV" ;;
	esac
}

# netns_wait_port ADDR PORT [TIMEOUT_S=5] -- wait until a TCP connect to
# ADDR:PORT succeeds inside the namespace.  Returns 1 on timeout.
# (Do not use it on a TCP canary: the probe would be recorded as a hit.)
netns_wait_port() {
	ip netns exec "$NETNS" "$NETNS_PYTHON" "$NETNS_DIR/waitport.py" "$1" "$2" "${3:-5}"
}

# netns_http_server ADDR PORT DIR -- python3 http.server (threaded, GET/HEAD,
# no reverse DNS) on ADDR:PORT (v4 or v6) serving DIR, as root; one log line
# per request in $NETNS_DIR/http-ADDR-PORT.log.  Waits until it accepts;
# returns 1 if it does not come up.
netns_http_server() {
	local addr=$1 port=$2 dir=$3
	netns_start_bg "http-$addr-$port" "$NETNS_PYTHON" -u \
		"$NETNS_DIR/httpd.py" "$addr" "$port" "$dir"
	netns_wait_port "$addr" "$port" 5
}

# netns_http_hits ADDR PORT -- print how many HTTP requests that server logged.
netns_http_hits() {
	grep -cE '^[^ ]+ - - \[[^]]*\] "' "$NETNS_DIR/http-$1-$2.log" 2>/dev/null || true
}

# netns_canary_tcp ADDR PORT -- TCP listener that appends one line per
# connection ("tcp peer=... len=N first=b'...'", first 64 bytes, read with a
# 0.5 s timeout) to $NETNS_DIR/canary-tcp-ADDR-PORT.log.  Waits until bound.
netns_canary_tcp() { netns__canary tcp "$1" "$2"; }

# netns_canary_udp ADDR PORT -- same for UDP, one line per datagram, to
# $NETNS_DIR/canary-udp-ADDR-PORT.log.
netns_canary_udp() { netns__canary udp "$1" "$2"; }

# netns_canary_hits ADDR PORT [tcp|udp] -- print the number of recorded hits
# (both protocols summed unless one is named).  A TCP hit is recorded up to
# 0.5 s after the connection if the client sends nothing; use
# netns_canary_wait for positive checks, and for "nothing arrived" verdicts
# check only after the client under test has finished.
netns_canary_hits() {
	local n=0 p c f
	for p in ${3:-tcp udp}; do
		f="$NETNS_DIR/canary-$p-$1-$2.log"
		[ -f "$f" ] || continue
		c=$(wc -l <"$f")
		n=$((n + c))
	done
	echo "$n"
}

# netns_canary_wait ADDR PORT N [tcp|udp] [TIMEOUT_S=3] -- wait until at
# least N hits are recorded; returns 1 on timeout.
netns_canary_wait() {
	local i tries=$(( ${5:-3} * 10 ))
	for ((i = 0; i < tries; i++)); do
		[ "$(netns_canary_hits "$1" "$2" "${4:-}")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# netns_dnsmasq [HOSTSFILE] [DNSMASQ_ARGS...] -- upstream resolver inside the
# namespace on 192.0.2.53 and [2001:db8::53] port 53 (addresses added here).
# No upstream, no /etc/hosts: it answers only what it is given, e.g.
#   netns_dnsmasq --host-record=web.test,192.0.2.80,2001:db8::80 \
#                 --address=/meta.test/169.254.169.254
# or a hosts-format file as first argument (passed as --addn-hosts).
# Unknown names get REFUSED.  Queries are logged to $NETNS_DIR/dnsmasq.log
# (see netns_dns_queries).  /etc/netns/$NETNS/resolv.conf already points here.
# Sets NETNS_DNSMASQ_PID.  Call it at most once per namespace.
netns_dnsmasq() {
	local args=()
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ] && [ -f "$1" ]; then
		chmod a+r "$1"
		args+=("--addn-hosts=$1")
		shift
	fi
	netns_add_addr "$NETNS_DNS_V4/32" || return 1
	netns_add_addr "$NETNS_DNS_V6/128" || return 1
	local user=root
	getent passwd dnsmasq >/dev/null && user=dnsmasq
	netns_start_bg dnsmasq-stderr dnsmasq --keep-in-foreground \
		--conf-file=/dev/null --pid-file= --user="$user" \
		--no-resolv --no-hosts --no-poll --bind-interfaces \
		--listen-address="$NETNS_DNS_V4" --listen-address="$NETNS_DNS_V6" \
		--port=53 --log-queries --log-facility="$NETNS_DIR/dnsmasq.log" \
		"${args[@]}" "$@"
	export NETNS_DNSMASQ_PID=$NETNS_LASTPID
	netns_wait_port "$NETNS_DNS_V4" 53 5
}

# netns_dns_queries [NAME] -- print the query lines dnsmasq logged (all, or
# those for NAME).
netns_dns_queries() {
	local f="$NETNS_DIR/dnsmasq.log"
	[ -f "$f" ] || return 0
	if [ -n "${1:-}" ]; then
		grep -E "query\[[A-Z0-9]+\] $1 from " "$f"
	else
		grep -E 'query\[[A-Z0-9]+\] ' "$f"
	fi
	return 0
}

# netns_ensure_user USER -- create an unprivileged test user if missing
# (no home directory, /bin/sh).
netns_ensure_user() {
	id -u "$1" >/dev/null 2>&1 || useradd -M -s /bin/sh "$1"
}

# ---- internals -------------------------------------------------------------

# Remove namespaces left by harness shells that died without cleanup (e.g.
# SIGKILLed by a ctest timeout): cordon-t-PID-N whose PID no longer exists.
netns__reap_stale() {
	local n owner p
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $n =~ ^cordon-t-([0-9]+)-[0-9]+$ ]] || continue
		owner=${BASH_REMATCH[1]}
		[ -e "/proc/$owner" ] && continue
		netns__log "removing stale namespace $n"
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
		rm -rf "/etc/netns/${n:?}" "${TMPDIR:-/tmp}/$n".??????
	done
	return 0
}

netns__ip() { ip -n "$NETNS" "$@"; }

netns__ret() { return "$1"; }

netns__trap_cmd() { NETNS__PREV_EXIT=$2; } # args: -- CMD EXIT

# Is pid alive (and not a zombie)?
netns__alive() {
	local st
	st=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Set NETNS__DROP to the words that drop root to USER before a command.
netns__drop() {
	local u=$1 home
	home=$(getent passwd "$u" | cut -d: -f6)
	[ -n "$home" ] || { netns__log "no such user: $u"; return 1; }
	NETNS__DROP=(setpriv --reuid="$u" --regid="$u" --init-groups --
		env HOME="$home" USER="$u" LOGNAME="$u")
}

netns__canary() {
	local proto=$1 addr=$2 port=$3 i
	local log="$NETNS_DIR/canary-$proto-$addr-$port.log"
	local ready="$NETNS_DIR/canary-$proto-$addr-$port.ready"
	rm -f "$ready"
	: >"$log"
	netns_start_bg "canary-$proto-$addr-$port" "$NETNS_PYTHON" -u \
		"$NETNS_DIR/canary.py" "$proto" "$addr" "$port" "$log" "$ready"
	for i in $(seq 50); do
		[ -e "$ready" ] && return 0
		netns__alive "$NETNS_LASTPID" || break
		sleep 0.1
	done
	netns__log "canary $proto $addr:$port did not start (see $NETNS_DIR/canary-$proto-$addr-$port.log)"
	return 1
}

netns__write_helpers() {
	cat >"$NETNS_DIR/canary.py" <<'EOF'
import socket, sys, threading, time
proto, addr, port, log, ready = sys.argv[1:6]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
lock = threading.Lock()

def record(peer, data):
    host = "[%s]" % peer[0] if fam == socket.AF_INET6 else peer[0]
    line = "%.3f %s peer=%s:%d len=%d first=%r\n" % (
        time.time(), proto, host, peer[1], len(data), data[:64])
    with lock, open(log, "a") as f:
        f.write(line)

def handle(conn, peer):
    conn.settimeout(0.5)
    try:
        data = conn.recv(4096)
    except OSError:
        data = b""
    record(peer, data)
    conn.close()

if proto == "tcp":
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(64)
    open(ready, "w").close()
    while True:
        c, peer = s.accept()
        threading.Thread(target=handle, args=(c, peer), daemon=True).start()
else:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    open(ready, "w").close()
    while True:
        data, peer = s.recvfrom(65535)
        record(peer, data)
EOF
	cat >"$NETNS_DIR/waitport.py" <<'EOF'
import socket, sys, time
addr, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
deadline = time.monotonic() + timeout
while True:
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect((addr, port))
        s.close()
        sys.exit(0)
    except OSError:
        s.close()
        if time.monotonic() >= deadline:
            sys.exit(1)
        time.sleep(0.05)
EOF
	cat >"$NETNS_DIR/httpd.py" <<'EOF'
import functools, http.server, socket, socketserver, sys
addr, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    def server_bind(self):
        # HTTPServer.server_bind would call getfqdn(): a DNS query.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = addr, port

handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                            directory=root)
srv = Server((addr, port), handler)
print("serving %s on %s port %d" % (root, addr, port), file=sys.stderr)
srv.serve_forever()
EOF
	chmod 644 "$NETNS_DIR/canary.py" "$NETNS_DIR/waitport.py" "$NETNS_DIR/httpd.py"
}
