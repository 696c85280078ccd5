/* SPDX-License-Identifier: MIT */
/*
 * test_policy_explain.c - the explain matrix: zone x request x runtime ->
 * expected verdict and the exact "why" (rule text and file:line:col, or the
 * built-in reason). Covers the always-denied set in all its spellings
 * (IPv6, v4-mapped, NAT64, 6to4), wildcard edges, trailing dots, case,
 * punycode, own listeners, host addresses, listen modes and unix sockets.
 * The zones are the built-ins plus data/matrix.cordon.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "policy/policy.h"

struct explain_row {
	const char *zone;
	const char *op;	     /* connect, resolve, listen, unix, abstract */
	const char *target;  /* "ADDR:PORT[/udp]", "[V6]:PORT", "-" (no addr) */
	const char *pinned;  /* connect: pinned name, or NULL */
	const char *runtime; /* "L=tcp:8080 H=192.0.2.10 B=name", or NULL */
	const char *verdict;
	const char *why;
};

/* clang-format off */
#define MD "always-denied metadata (builtin; "
#define LL "always-denied link-local (builtin; "
#define LO "always-denied loopback (builtin; "
#define PR "always-denied private (builtin; "
#define MC "always-denied multicast (builtin; "
#define HO "always-denied host (builtin; "
#define SS "always-denied system-sockets (builtin; "
#define DD "default deny (no rule allows it)"
#define OWN "the job's own listener (builtin)"
#define M "/matrix.cordon"/* clang-format on */

/* clang-format off */
static const struct explain_row rows[] = {
	/* The always-denied set in fork-pr, every spelling. */
	{ "fork-pr", "connect", "169.254.169.254:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "[::ffff:169.254.169.254]:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "[::ffff:a9fe:a9fe]:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "[64:ff9b::169.254.169.254]:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "[64:ff9b::a9fe:a9fe]:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "[2002:a9fe:a9fe::1]:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "[fd00:ec2::254]:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "169.254.170.2:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "100.100.100.200:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "168.63.129.16:80", NULL, NULL, "deny", MD },
	{ "fork-pr", "connect", "169.254.1.1:80", NULL, NULL, "deny", LL },
	{ "fork-pr", "connect", "[fe80::1]:80", NULL, NULL, "deny", LL },
	{ "fork-pr", "connect", "[::ffff:169.254.1.1]:80", NULL, NULL, "deny", LL },
	{ "fork-pr", "connect", "10.1.2.3:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "172.16.0.1:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "192.168.1.1:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "100.64.0.1:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "[fd12:3456::1]:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "[64:ff9b::10.0.0.1]:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "[2002:0a00:0001::]:443", NULL, NULL, "deny", PR },
	{ "fork-pr", "connect", "127.0.0.1:5432", NULL, NULL, "deny", LO },
	{ "fork-pr", "connect", "127.1.2.3:5432", NULL, NULL, "deny", LO },
	{ "fork-pr", "connect", "[::1]:5432", NULL, NULL, "deny", LO },
	{ "fork-pr", "connect", "[::ffff:127.0.0.1]:5432", NULL, NULL, "deny", LO },
	{ "fork-pr", "connect", "0.0.0.0:5432", NULL, NULL, "deny", LO },
	{ "fork-pr", "connect", "[::]:5432", NULL, NULL, "deny", LO },
	{ "fork-pr", "connect", "224.0.0.251:5353/udp", NULL, NULL, "deny", MC },
	{ "fork-pr", "connect", "255.255.255.255:67/udp", NULL, NULL, "deny", MC },
	{ "fork-pr", "connect", "[ff02::1]:547/udp", NULL, NULL, "deny", MC },
	/* The zone's own verdict; the plan redirects :53 (test_net_plan.c). */
	{ "fork-pr", "connect", "8.8.8.8:853", NULL, NULL, "deny", DD },
	{ "fork-pr", "connect", "[2606:4700::1111]:443", NULL, NULL, "deny", DD },
	/* Own listeners pass loopback and host addresses, nothing else. */
	{ "fork-pr", "connect", "127.0.0.1:8080", NULL, "L=tcp:8080", "allow", OWN },
	{ "fork-pr", "connect", "[::1]:8080", NULL, "L=tcp:8080", "allow", OWN },
	{ "fork-pr", "connect", "[::ffff:127.0.0.1]:8080", NULL, "L=tcp:8080", "allow", OWN },
	{ "fork-pr", "connect", "127.0.0.1:8080/udp", NULL, "L=tcp:8080", "deny", LO },
	{ "fork-pr", "connect", "127.0.0.1:8081", NULL, "L=tcp:8080", "deny", LO },
	{ "fork-pr", "connect", "8.8.8.8:8080", NULL, "L=tcp:8080", "deny", DD },
	{ "fork-pr", "connect", "192.0.2.10:22", NULL, "H=192.0.2.10", "deny", HO },
	{ "fork-pr", "connect", "192.0.2.10:22", NULL, "H=192.0.2.10 L=tcp:22", "allow", OWN },
	{ "fork-pr", "connect", "[::ffff:192.0.2.10]:22", NULL, "H=192.0.2.10", "deny", HO },
	{ "fork-pr", "connect", "[2001:db8::10]:22", NULL, "H=2001:db8::10", "deny", HO },
	{ "fork-pr", "connect", "10.0.0.5:22", NULL, "H=10.0.0.5 L=tcp:22", "deny", PR },
	/* DNS in fork-pr: nothing resolves; metadata names are named. */
	{ "fork-pr", "resolve", "example.com", NULL, NULL, "deny", DD },
	{ "fork-pr", "resolve", "metadata.google.internal", NULL, NULL, "deny", MD },
	{ "fork-pr", "resolve", "METADATA.Google.Internal.", NULL, NULL, "deny", MD },
	{ "fork-pr", "resolve", "x.metadata.goog", NULL, NULL, "deny", MD },
	{ "fork-pr", "resolve", "metadata.goog.evil.test", NULL, NULL, "deny", DD },
	{ "fork-pr", "resolve", "a..b", NULL, NULL, "deny", "invalid request: empty label" },
	{ "fork-pr", "connect", "-:80", "metadata.google.internal", NULL, "deny", MD },
	/* Listen and unix in fork-pr. */
	{ "fork-pr", "listen", "0.0.0.0:8080", NULL, NULL, "deny", "listen deny (<builtin>:4:2)" },
	{ "fork-pr", "listen", "[::]:8080", NULL, NULL, "deny", "listen deny (<builtin>:4:2)" },
	{ "fork-pr", "listen", "192.0.2.10:8080", NULL, NULL, "deny", "listen deny (<builtin>:4:2)" },
	{ "fork-pr", "listen", "127.0.0.1:8080", NULL, NULL, "allow", "listening on loopback is always allowed (builtin)" },
	{ "fork-pr", "listen", "[::1]:8080", NULL, NULL, "allow", "listening on loopback is always allowed (builtin)" },
	{ "fork-pr", "listen", "[::ffff:127.0.0.1]:8080", NULL, NULL, "allow", "listening on loopback is always allowed (builtin)" },
	{ "fork-pr", "unix", "/var/run/docker.sock", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/run/docker.sock", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "//run//docker.sock/", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/run/containerd/containerd.sock", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/run/dbus/system_bus_socket", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/var/run/nscd/socket", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/run/systemd/resolve/io.systemd.Resolve", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/run/user/1000/bus", NULL, NULL, "deny", SS },
	{ "fork-pr", "unix", "/work/job/app.sock", NULL, NULL, "allow", "unix default: $CWD (unix defaults on)" },
	{ "fork-pr", "unix", "/tmp/x/y.sock", NULL, NULL, "allow", "unix default: $TMPDIR (unix defaults on)" },
	{ "fork-pr", "unix", "/work/jobx/app.sock", NULL, NULL, "deny", DD },
	{ "fork-pr", "unix", "/work/job/../etc/s", NULL, NULL, "deny", "invalid request: path not absolute, or with '.' or '..'" },
	{ "fork-pr", "unix", "rel.sock", NULL, NULL, "deny", "invalid request: path not absolute, or with '.' or '..'" },
	{ "fork-pr", "abstract", "x11", NULL, "B=mine", "deny", "abstract socket not bound by the job" },
	{ "fork-pr", "abstract", "mine", NULL, "B=mine", "allow", "abstract socket bound by the job" },
	/* Abstract names are (bytes, length): NULs and high bytes included. */
	{ "fork-pr", "abstract", "abc\\x00\\xff", NULL, "B=abc\\x00\\xff", "allow", "abstract socket bound by the job" },
	{ "fork-pr", "abstract", "abc\\x00x", NULL, "B=abc\\x00x", "allow", "abstract socket bound by the job" },
	{ "fork-pr", "abstract", "abc\\x00y", NULL, "B=abc\\x00x", "deny", "abstract socket not bound by the job" },
	{ "fork-pr", "abstract", "abc", NULL, "B=abc\\x00x", "deny", "abstract socket not bound by the job" },
	{ "fork-pr", "abstract", "abc\\x00x", NULL, "B=abc", "deny", "abstract socket not bound by the job" },
	{ "fork-pr", "abstract", "abc\\x00", NULL, "B=abc", "deny", "abstract socket not bound by the job" },
	{ "abs", "abstract", "/tmp/.X11-unix/X0", NULL, NULL, "allow", "rule: unix allow @/tmp/.X11-unix/X0 (" M ":44:2)" },
	{ "abs", "abstract", "/tmp/.X11-unix/X", NULL, NULL, "deny", "abstract socket not bound by the job" },
	{ "abs", "abstract", "ci\\x00agent\\xff", NULL, NULL, "allow", "rule: unix allow @ci\\x00agent\\xff (" M ":45:2)" },
	{ "abs", "abstract", "ci\\x00agent", NULL, NULL, "deny", "abstract socket not bound by the job" },
	{ "abs", "abstract", "ci", NULL, NULL, "deny", "abstract socket not bound by the job" },
	{ "abs", "abstract", "mine\\x00secret", NULL, "B=mine\\x00secret", "deny", "rule: unix deny @mine\\x00secret (" M ":46:2)" },
	{ "abs", "abstract", "mine", NULL, "B=mine", "allow", "abstract socket bound by the job" },
	{ "abs", "abstract", "back\\\\slash", NULL, NULL, "deny", "abstract socket not bound by the job" },
	{ "abs", "abstract", "back\\\\slash\\x20sp", NULL, NULL, "allow", "rule: unix allow @back\\\\slash\\x20sp (" M ":47:2)" },
	{ "abs", "unix", "/tmp/.X11-unix/X0", NULL, NULL, "allow", "unix default: $TMPDIR (unix defaults on)" },
	{ "nodefaults", "unix", "/work/job/app.sock", NULL, NULL, "deny", DD },
	{ "nodefaults", "unix", "/var/run/docker.sock", NULL, NULL, "deny", DD },

	/* A broad IPv6 allow never reaches an always-denied IPv4 host. */
	{ "v6all", "connect", "[2001:db8::a9fe:a9fe]:443", NULL, NULL, "allow", "rule: allow tcp [::]/0:443 (" M ":52:2)" },
	{ "v6all", "connect", "[2001:db8:0:1::5601:5601]:443", NULL, NULL, "allow", "rule: allow tcp [::]/0:443 (" M ":52:2)" },
	{ "v6all", "connect", "[2001:0:cb00:7101::5601:5601]:443", NULL, NULL, "deny", MD },
	{ "v6all", "connect", "[2001::a00:1:0:0:34ff:8efa]:443", NULL, NULL, "deny", "always-denied private (builtin; allowing it takes 'lift private' and 'allow tcp 10.0.0.1:443'), for 10.0.0.1, which this teredo address also reaches" },
	{ "v6all", "connect", "[2001:0:cb00:7101::34ff:8efa]:443", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:443 (" M ":53:2)" },
	{ "v6all", "connect", "[2001:0:cb00:7101::f7f7:f7f7]:443", NULL, NULL, "deny", DD },
	{ "v6all", "connect", "[2001:0:808:808::34ff:8efa]:443", NULL, NULL, "deny", "default deny (no rule allows it), for 8.8.8.8, which this teredo address also reaches" },
	{ "v6all", "connect", "[2001:0:c633:6407::34ff:8efa]:443", NULL, NULL, "deny", "rule: deny tcp 198.51.100.7:any (" M ":54:2), for 198.51.100.7, which this teredo address also reaches" },
	{ "v6all", "connect", "[2001:0:cb00:7101::80ff:fffe]:443", NULL, NULL, "deny", "always-denied loopback (builtin; on loopback and the host's addresses only the job's own listeners are reachable; allowing it takes 'lift loopback' and 'allow tcp 127.0.0.1:443')" },
	{ "v6all", "connect", "[2001:db8::5efe:a9fe:a9fe]:443", NULL, NULL, "deny", MD },
	{ "v6all", "connect", "[2001:db8::200:5efe:a00:1]:443", NULL, NULL, "deny", PR },
	{ "v6all", "connect", "[2001:db8::5efe:7f00:1]:443", NULL, NULL, "deny", "always-denied loopback (builtin; on loopback and the host's addresses only the job's own listeners are reachable; allowing it takes 'lift loopback' and 'allow tcp 127.0.0.1:443')" },
	{ "v6all", "connect", "[2001:db8::5efe:cb00:7105]:443", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:443 (" M ":53:2)" },
	{ "v6all", "connect", "[2001:db8::5efe:1]:443", NULL, NULL, "allow", "rule: allow tcp [::]/0:443 (" M ":52:2)" },
	{ "v6all", "connect", "[::169.254.169.254]:443", NULL, NULL, "deny", MD },
	{ "v6all", "connect", "[::10.0.0.1]:443", NULL, NULL, "deny", PR },
	{ "v6all", "connect", "[::127.0.0.1]:443", NULL, NULL, "deny", "always-denied loopback (builtin; on loopback and the host's addresses only the job's own listeners are reachable; allowing it takes 'lift loopback' and 'allow tcp 127.0.0.1:443')" },
	{ "v6all", "connect", "[::203.0.113.5]:443", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:443 (" M ":53:2)" },
	{ "v6all", "connect", "[64:ff9b:1::a9fe:a9fe]:443", NULL, NULL, "deny", MD },
	{ "v6all", "connect", "[64:ff9b:1::cb00:7105]:443", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:443 (" M ":53:2)" },
	{ "v6all", "connect", "[64:ff9b:1:a9fe:a9:fe00:cb00:7105]:443", NULL, NULL, "deny", "always-denied metadata (builtin; allowing it takes 'lift metadata link-local' and 'allow tcp 169.254.169.254:443'), for 169.254.169.254, which this nat64-local address also reaches" },
	{ "v6all", "connect", "[64:ff9b:1::a:0:cb00:7105]:443", NULL, NULL, "deny", "always-denied private (builtin; allowing it takes 'lift private' and 'allow tcp 10.0.0.203:443'), for 10.0.0.203, which this nat64-local address also reaches" },
	{ "v6all", "connect", "[64:ff9b:1:c633:64:700:cb00:7105]:443", NULL, NULL, "deny", "rule: deny tcp 198.51.100.7:any (" M ":54:2), for 198.51.100.7, which this nat64-local address also reaches" },
	{ "v6all", "connect", "[2002:cb00:7105:1:0:5efe:a9fe:a9fe]:443", NULL, NULL, "deny", "always-denied metadata (builtin; allowing it takes 'lift metadata link-local' and 'allow tcp 169.254.169.254:443'), for 169.254.169.254, which this 6to4 address also reaches" },
	{ "v6all", "connect", "[2002:cb00:7105::1]:443", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:443 (" M ":53:2)" },
	{ "open", "connect", "[2001:0:cb00:7101::5601:5601]:443", NULL, NULL, "deny", MD },
	{ "open", "connect", "[2001::a00:1:0:0:34ff:8efa]:443", NULL, NULL, "allow", "rule: allow any 0.0.0.0/0:any (" M ":29:2)" },
	{ "fork-pr", "connect", "[::127.0.0.1]:8080", NULL, "L=tcp:8080", "allow", "the job's own listener (builtin)" },
	{ "fork-pr", "connect", "[2001:0:7f00:1::34ff:8efa]:8080", NULL, "L=tcp:8080", "deny", "always-denied loopback (builtin; on loopback and the host's addresses only the job's own listeners are reachable; allowing it takes 'lift loopback' and 'allow tcp 127.0.0.1:8080' and 'allow tcp 203.0.113.5:8080'), for 127.0.0.1, which this teredo address also reaches" },

	/* Hostname rules: wildcard edges, case, trailing dot, punycode. */
	{ "web", "connect", "-:443", "a.example.com", NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	{ "web", "connect", "-:443", "a.b.example.com", NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	{ "web", "connect", "-:443", "A.Example.COM.", NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	{ "web", "connect", "-:443", "example.com", NULL, "deny", DD },
	{ "web", "connect", "-:443", "badexample.com", NULL, "deny", DD },
	{ "web", "connect", "-:443", "example.com.evil.test", NULL, "deny", DD },
	{ "web", "connect", "-:443", "a.example.com.evil.test", NULL, "deny", DD },
	{ "web", "connect", "-:443", "evil.example.com", NULL, "deny", "rule: deny any evil.example.com:any (" M ":6:2)" },
	{ "web", "connect", "-:53/udp", "evil.example.com", NULL, "deny", "rule: deny any evil.example.com:any (" M ":6:2)" },
	{ "web", "connect", "-:80", "a.example.com", NULL, "deny", "rule: deny tcp *.example.com:80 (" M ":14:2)" },
	{ "web", "connect", "-:8443", "a.example.com", NULL, "deny", DD },
	{ "web", "connect", "-:443/udp", "a.example.com", NULL, "deny", DD },
	{ "web", "connect", "-:443", "api.example.org", NULL, "allow", "rule: allow tcp api.example.org:443 (" M ":5:2)" },
	{ "web", "connect", "-:443", "x.api.example.org", NULL, "deny", DD },
	{ "web", "connect", "-:443", "xn--bcher-kva.example", NULL, "allow", "rule: allow tcp xn--bcher-kva.example:443 (" M ":13:2)" },
	{ "web", "connect", "-:443", "XN--BCHER-KVA.EXAMPLE.", NULL, "allow", "rule: allow tcp xn--bcher-kva.example:443 (" M ":13:2)" },
	/* Pinned names with real addresses: the address is still judged. */
	{ "web", "connect", "93.184.216.34:443", "a.example.com", NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	{ "web", "connect", "93.184.216.34:443", NULL, NULL, "deny", DD },
	{ "web", "connect", "169.254.169.254:443", "a.example.com", NULL, "deny", MD },
	{ "web", "connect", "10.0.0.1:443", "a.example.com", NULL, "deny", PR },
	{ "web", "connect", "127.0.0.1:443", "a.example.com", NULL, "deny", LO },
	{ "web", "connect", "[::ffff:10.0.0.1]:443", "a.example.com", NULL, "deny", PR },
	{ "web", "connect", "[2606:4700::1]:443", "a.example.com", NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	/* Address rules, ranges, deny beats allow, v6 and v4-mapped. */
	{ "web", "connect", "203.0.113.5:8000", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:8000-8100 (" M ":7:2)" },
	{ "web", "connect", "203.0.113.5:8100", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:8000-8100 (" M ":7:2)" },
	{ "web", "connect", "203.0.113.5:8101", NULL, NULL, "deny", DD },
	{ "web", "connect", "203.0.113.5:7999", NULL, NULL, "deny", DD },
	{ "web", "connect", "203.0.113.5:8050/udp", NULL, NULL, "deny", DD },
	{ "web", "connect", "203.0.113.66:8050", NULL, NULL, "deny", "rule: deny tcp 203.0.113.66:any (" M ":8:2)" },
	{ "web", "connect", "[::ffff:203.0.113.5]:8050", NULL, NULL, "allow", "rule: allow tcp 203.0.113.0/24:8000-8100 (" M ":7:2)" },
	{ "web", "connect", "[64:ff9b::203.0.113.66]:8050", NULL, NULL, "deny", "rule: deny tcp 203.0.113.66:any (" M ":8:2)" },
	{ "web", "connect", "[2002:cb00:7142::]:8050", NULL, NULL, "deny", "rule: deny tcp 203.0.113.66:any (" M ":8:2)" },
	{ "web", "connect", "198.51.100.53:53/udp", NULL, NULL, "allow", "rule: allow udp 198.51.100.53:53 (" M ":9:2)" },
	{ "web", "connect", "198.51.100.53:53", NULL, NULL, "deny", DD },
	{ "web", "connect", "[2001:db8::1]:443", NULL, NULL, "allow", "rule: allow tcp [2001:db8::]/32:443 (" M ":10:2)" },
	{ "web", "connect", "[2001:db8:ffff::1]:443", NULL, NULL, "allow", "rule: allow tcp [2001:db8::]/32:443 (" M ":10:2)" },
	{ "web", "connect", "[2001:db9::1]:443", NULL, NULL, "deny", DD },
	{ "web", "connect", "[2001:db8::1]:80", NULL, NULL, "deny", DD },
	/* Resolution: hostname rules imply DNS, dns rules, denies. */
	{ "web", "resolve", "a.example.com", NULL, NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	{ "web", "resolve", "A.EXAMPLE.COM.", NULL, NULL, "allow", "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	{ "web", "resolve", "example.com", NULL, NULL, "deny", DD },
	{ "web", "resolve", "badexample.com", NULL, NULL, "deny", DD },
	{ "web", "resolve", "example.com.evil.test", NULL, NULL, "deny", DD },
	{ "web", "resolve", "evil.example.com", NULL, NULL, "deny", "rule: deny any evil.example.com:any (" M ":6:2)" },
	{ "web", "resolve", "x.lookup.test", NULL, NULL, "allow", "rule: dns allow *.lookup.test (" M ":11:2)" },
	{ "web", "resolve", "bad.lookup.test", NULL, NULL, "deny", "rule: dns deny bad.lookup.test (" M ":12:2)" },
	{ "web", "resolve", "lookup.test", NULL, NULL, "deny", DD },
	{ "web", "resolve", "xn--bcher-kva.example", NULL, NULL, "allow", "rule: allow tcp xn--bcher-kva.example:443 (" M ":13:2)" },
	{ "web", "resolve", "b\xc3\xbc" "cher.example", NULL, NULL, "deny", "invalid request: non-ASCII byte (use punycode)" },
	/* DNS-only names are resolvable but never connectable. */
	{ "web", "connect", "-:443", "x.lookup.test", NULL, "deny", DD },
	{ "web", "unix", "/srv/sockets/a.sock", NULL, NULL, "allow", "rule: unix allow \"/srv/sockets\" (" M ":15:2)" },
	{ "web", "unix", "/srv/sockets/private/a.sock", NULL, NULL, "deny", "rule: unix deny \"/srv/sockets/private\" (" M ":16:2)" },
	{ "web", "unix", "/srv/socketsX", NULL, NULL, "deny", DD },

	/* Lifts open exactly what they name. */
	{ "lifted", "connect", "169.254.169.254:80", NULL, NULL, "allow", "rule: allow tcp 169.254.169.254:80 (" M ":21:2)" },
	{ "lifted", "connect", "169.254.169.254:443", NULL, NULL, "deny", DD },
	{ "lifted", "connect", "10.9.9.9:22", NULL, NULL, "allow", "rule: allow tcp 10.0.0.0/8:any (" M ":22:2)" },
	{ "lifted", "connect", "127.0.0.1:5432", NULL, NULL, "allow", "rule: allow tcp 127.0.0.1:5432 (" M ":23:2)" },
	{ "lifted", "connect", "127.0.0.1:8080", NULL, "L=tcp:8080", "allow", OWN },
	{ "lifted", "connect", "224.0.0.1:5353/udp", NULL, NULL, "deny", MC },
	{ "lifted", "resolve", "metadata.google.internal", NULL, NULL, "deny", DD },

	/* A trusted zone allowing everything still keeps the always-denied set. */
	{ "open", "connect", "10.0.0.1:22", NULL, NULL, "allow", "rule: allow any 0.0.0.0/0:any (" M ":29:2)" },
	{ "open", "connect", "[fd00::1]:22", NULL, NULL, "allow", "rule: allow any [::]/0:any (" M ":30:2)" },
	{ "open", "connect", "169.254.169.254:80", NULL, NULL, "deny", MD },
	{ "open", "connect", "[fd00:ec2::254]:80", NULL, NULL, "deny", MD },
	{ "open", "connect", "169.254.0.1:80", NULL, NULL, "deny", LL },
	{ "open", "connect", "127.0.0.1:80", NULL, NULL, "deny", LO },
	{ "open", "connect", "[::ffff:127.0.0.1]:80", NULL, NULL, "deny", LO },
	{ "open", "connect", "192.0.2.10:22", NULL, "H=192.0.2.10", "deny", HO },
	{ "open", "connect", "239.1.1.1:80/udp", NULL, NULL, "deny", MC },
	{ "open", "listen", "0.0.0.0:80", NULL, NULL, "allow", "listen allow (" M ":28:2)" },
	{ "lo", "listen", "0.0.0.0:80", NULL, NULL, "loopback", "listen loopback (" M ":34:2)" },
	{ "lo", "listen", "[::]:80/udp", NULL, NULL, "loopback", "listen loopback (" M ":34:2)" },

	/* internal-ci: registries by name over HTTPS, nothing else. */
	{ "internal-ci", "connect", "-:443", "github.com", NULL, "allow", "rule: allow tcp github.com:443 (<builtin>:69:2)" },
	{ "internal-ci", "connect", "-:443", "objects.githubusercontent.com", NULL, "allow", "rule: allow tcp *.githubusercontent.com:443 (<builtin>:70:2)" },
	{ "internal-ci", "connect", "-:443", "githubusercontent.com", NULL, "deny", DD },
	{ "internal-ci", "connect", "-:443", "api.github.com", NULL, "deny", DD },
	{ "internal-ci", "connect", "-:80", "deb.debian.org", NULL, "deny", DD },
	{ "internal-ci", "connect", "140.82.112.3:443", NULL, NULL, "deny", DD },
	{ "internal-ci", "resolve", "static.crates.io", NULL, NULL, "allow", "rule: allow tcp static.crates.io:443 (<builtin>:74:2)" },
	{ "internal-ci", "connect", "169.254.169.254:80", "github.com", NULL, "deny", MD },
	{ "release", "connect", "-:443", "github.com", NULL, "deny", DD },
	{ "release", "resolve", "github.com", NULL, NULL, "deny", DD },
};
/* clang-format on */

/* "ADDR:PORT[/udp]" or "[V6]:PORT[/udp]" or "-:PORT" (no address). */
static void explain_target(const char *s, struct policy_addr *a, bool *have,
			   uint16_t *port, unsigned *proto)
{
	char buf[128], *colon, *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	*proto = POLICY_PROTO_TCP;
	slash = strrchr(buf, '/');
	if (slash && !strcmp(slash, "/udp")) {
		*proto = POLICY_PROTO_UDP;
		*slash = '\0';
	}
	colon = strrchr(buf, ':');
	CHECK(colon);
	*colon = '\0';
	*port = (uint16_t)atoi(colon + 1);
	*have = strcmp(buf, "-") != 0;
	if (!*have)
		return;
	if (buf[0] == '[') {
		buf[strlen(buf) - 1] = '\0';
		CHECK_MSG(!policy_addr_parse((const uint8_t *)buf + 1,
					     strlen(buf + 1), a),
			  "bad target %s", s);
	} else {
		CHECK_MSG(!policy_addr_parse((const uint8_t *)buf, strlen(buf),
					     a),
			  "bad target %s", s);
	}
}

struct explain_rt {
	struct policy_runtime rt;
	struct policy_listener l[4];
	struct policy_addr h[4];
	struct policy_abstract b[4];
	char bbuf[4][POLICY_ABSTRACT_MAX];
};

/* An abstract name in the rules' escapes into @out; returns its length. */
static size_t explain_abstract(const char *text, char *out)
{
	const char *why;
	size_t len = 0, bad;

	CHECK_EQ(policy_unix_abstract_parse((const uint8_t *)text, strlen(text),
					    out, &len, &bad, &why),
		 0);
	return len;
}

static void explain_runtime(const char *spec, struct explain_rt *r)
{
	char buf[256], *tok, *save = NULL;

	memset(r, 0, sizeof(*r));
	r->rt.cwd = "/work/job";
	r->rt.tmpdir = "/tmp";
	r->rt.xdg_runtime_dir = "/run/user/1000";
	r->rt.home = "/home/ci";
	r->rt.listeners = r->l;
	r->rt.host_addrs = r->h;
	r->rt.abstract_bound = r->b;
	if (!spec)
		return;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "L=", 2)) {
			struct policy_listener *l = &r->l[r->rt.n_listeners++];

			l->proto = strncmp(tok + 2, "udp", 3)
					   ? POLICY_PROTO_TCP
					   : POLICY_PROTO_UDP;
			l->port = (uint16_t)atoi(tok + 6);
		} else if (!strncmp(tok, "H=", 2)) {
			CHECK(!policy_addr_parse((const uint8_t *)tok + 2,
						 strlen(tok + 2),
						 &r->h[r->rt.n_host_addrs++]));
		} else if (!strncmp(tok, "B=", 2)) {
			size_t k = r->rt.n_abstract_bound++;

			r->b[k].len = explain_abstract(tok + 2, r->bbuf[k]);
			r->b[k].name = r->bbuf[k];
		}
	}
}

static void explain_decide(const struct zone_tables *t,
			   const struct explain_row *row,
			   struct policy_decision *d)
{
	struct explain_rt r;
	struct policy_connect c;
	const char *pinned[1];

	explain_runtime(row->runtime, &r);
	if (!strcmp(row->op, "connect")) {
		memset(&c, 0, sizeof(c));
		explain_target(row->target, &c.addr, &c.have_addr, &c.port,
			       &c.proto);
		if (row->pinned) {
			pinned[0] = row->pinned;
			c.pinned = pinned;
			c.n_pinned = 1;
		}
		zone_decide_connect(t, &r.rt, &c, d);
	} else if (!strcmp(row->op, "resolve")) {
		zone_decide_resolve(t, row->target, strlen(row->target), d);
	} else if (!strcmp(row->op, "listen")) {
		struct policy_addr a;
		uint16_t port;
		unsigned proto;
		bool have;

		explain_target(row->target, &a, &have, &port, &proto);
		zone_decide_listen(t, &a, proto, port, d);
	} else if (!strcmp(row->op, "abstract")) {
		char name[POLICY_ABSTRACT_MAX];
		size_t len = explain_abstract(row->target, name);

		zone_decide_unix(t, &r.rt, name, len, true, d);
	} else {
		zone_decide_unix(t, &r.rt, row->target, strlen(row->target),
				 false, d);
	}
}

static struct policy *explain_policy(void)
{
	struct policy *p = policy_new(0);

	CHECK(p);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/matrix.cordon"), 0);
	CHECK_EQ(policy_finish(p), 0);
	return p;
}

/*
 * Whether the why @got differs from @want. An always-denied @want ends at
 * "(builtin; ": its hint is checked by doing it (test_policy_hint.c).
 */
static bool explain_why_differs(const char *got, const char *want)
{
	size_t n = strlen(want);

	if (n > 2 && !strncmp(want, "always-denied ", 14) &&
	    !strcmp(want + n - 2, "; "))
		return strncmp(got, want, n) != 0;
	return strcmp(got, want) != 0;
}

static void test_explain_matrix(void)
{
	struct policy *p = explain_policy();
	size_t i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct explain_row *row = &rows[i];
		struct policy_decision d;
		struct zone_tables *t;
		const struct zone *z;
		struct dynbuf why, want;
		const char *verdict;

		CHECK_EQ(policy_zone_effective(p, row->zone, NULL, &z), 0);
		CHECK_EQ(zone_tables_new(z, &t), 0);
		explain_decide(t, row, &d);
		dynbuf_init(&why, 4096);
		dynbuf_init(&want, 4096);
		policy_decision_fmt(&d, &why);
		/* The fixture's path is absolute; expectations say M. */
		if (strstr(row->why, M)) {
			const char *at = strstr(row->why, M);

			dynbuf_add(&want, row->why, (size_t)(at - row->why));
			dynbuf_addf(&want, "%s%s", POLICY_TEST_DATA, at);
		} else {
			dynbuf_addf(&want, "%s", row->why);
		}
		verdict = policy_decision_verdict_name(d.verdict);
		if (strcmp(verdict, row->verdict) ||
		    explain_why_differs(why.data, want.data) ||
		    strcmp(d.zone, row->zone)) {
			fprintf(stderr,
				"%s %s %s%s%s: want %s / %s\n     got %s / %s\n",
				row->zone, row->op, row->target,
				row->pinned ? " pinned " : "",
				row->pinned ? row->pinned : "", row->verdict,
				want.data, verdict, why.data);
			failed++;
		}
		dynbuf_free(&why);
		dynbuf_free(&want);
		zone_tables_free(t);
	}
	policy_free(p);
	CHECK_EQ(failed, 0);
}

/* Normalisation is a pure function: the three embeddings and plain v6. */
/*
 * Every IPv6 spelling of an IPv4 address, one row each: the spelling, the
 * judged address and the further readings ('!' marks a strict one).
 */
static void test_addr_normalize(void)
{
	static const struct {
		const char *in, *out;
		enum policy_addr_embed e;
		const char *also;
	} cases[] = {
		{"::ffff:1.2.3.4", "1.2.3.4", POLICY_ADDR_EMBED_V4MAPPED, ""},
		{"64:ff9b::1.2.3.4", "1.2.3.4", POLICY_ADDR_EMBED_NAT64, ""},
		{"2002:102:304::", "1.2.3.4", POLICY_ADDR_EMBED_6TO4, ""},
		{"2002:102:304:ffff::1", "1.2.3.4", POLICY_ADDR_EMBED_6TO4, ""},
		/* RFC 8215: /96 judged, /48 /56 /64 outside 0.0.0.0/8 also. */
		{"64:ff9b:1::1.2.3.4", "1.2.3.4", POLICY_ADDR_EMBED_NAT64_LOCAL,
		 ""},
		{"64:ff9b:1:a9fe:a9:fe00:cb00:7105", "203.0.113.5",
		 POLICY_ADDR_EMBED_NAT64_LOCAL,
		 "169.254.169.254 254.169.254.0 169.254.0.203"},
		{"64:ff9b:1::a:0:100:0", "1.0.0.0",
		 POLICY_ADDR_EMBED_NAT64_LOCAL, "10.0.0.1"},
		{"64:ff9b:2::1.2.3.4", "64:ff9b:2::102:304",
		 POLICY_ADDR_EMBED_NONE, ""},
		/* IPv4-compatible: ::/96 without :: and ::1. */
		{"::1.2.3.4", "1.2.3.4", POLICY_ADDR_EMBED_V4COMPAT, ""},
		{"::169.254.169.254", "169.254.169.254",
		 POLICY_ADDR_EMBED_V4COMPAT, ""},
		{"::2", "0.0.0.2", POLICY_ADDR_EMBED_V4COMPAT, ""},
		{"::1", "::1", POLICY_ADDR_EMBED_NONE, ""},
		{"::", "::", POLICY_ADDR_EMBED_NONE, ""},
		{"::1:0:0:1", "::1:0:0:1", POLICY_ADDR_EMBED_NONE, ""},
		/* Teredo: client = ~last 32 bits, server = bits 32-63. */
		{"2001:0:cb00:7101::5601:5601", "169.254.169.254",
		 POLICY_ADDR_EMBED_TEREDO, "!203.0.113.1"},
		{"2001::a00:1:0:0:34ff:8efa", "203.0.113.5",
		 POLICY_ADDR_EMBED_TEREDO, "!10.0.0.1"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45",
		 POLICY_ADDR_EMBED_TEREDO, "!65.54.227.120"},
		/* 2001:db8::/32 and 2001:1::/32 are not Teredo. */
		{"2001:db8::a9fe:a9fe", "2001:db8::a9fe:a9fe",
		 POLICY_ADDR_EMBED_NONE, ""},
		{"2001:db8:0:1::5601:5601", "2001:db8:0:1::5601:5601",
		 POLICY_ADDR_EMBED_NONE, ""},
		{"2001:1::5601:5601", "2001:1::5601:5601",
		 POLICY_ADDR_EMBED_NONE, ""},
		/* ISATAP interface ids, any /64 prefix, u/g bits free. */
		{"2001:db8::5efe:a9fe:a9fe", "169.254.169.254",
		 POLICY_ADDR_EMBED_ISATAP, ""},
		{"fe80::200:5efe:a00:1", "10.0.0.1", POLICY_ADDR_EMBED_ISATAP,
		 ""},
		{"2606:4700::300:5efe:cb00:7105", "203.0.113.5",
		 POLICY_ADDR_EMBED_ISATAP, ""},
		{"2001:db8::400:5efe:a00:1", "2001:db8::400:5efe:a00:1",
		 POLICY_ADDR_EMBED_NONE, ""},
		{"2001:db8::5efe:1", "2001:db8::5efe:1", POLICY_ADDR_EMBED_NONE,
		 ""},
		/* ISATAP under 6to4 and Teredo prefixes reaches its IPv4 too.
		 */
		{"2002:cb00:7105:1:0:5efe:a9fe:a9fe", "203.0.113.5",
		 POLICY_ADDR_EMBED_6TO4, "!169.254.169.254"},
		{"2001:0:cb00:7101:0:5efe:a00:1", "245.255.255.254",
		 POLICY_ADDR_EMBED_TEREDO, "!203.0.113.1 !10.0.0.1"},
		{"2001:db8::1", "2001:db8::1", POLICY_ADDR_EMBED_NONE, ""},
		{"1.2.3.4", "1.2.3.4", POLICY_ADDR_EMBED_NONE, ""},
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policy_addr_readings rd;
		struct policy_addr a, n;
		char buf[64], also[256];
		size_t k = 0;

		CHECK(!policy_addr_parse((const uint8_t *)cases[i].in,
					 strlen(cases[i].in), &a));
		CHECK_EQ(policy_addr_normalize(&a, &n), cases[i].e);
		policy_addr_fmt(&n, buf, sizeof(buf));
		CHECK_MSG(!strcmp(buf, cases[i].out), "%s: judged %s, want %s",
			  cases[i].in, buf, cases[i].out);
		policy_addr_readings(&a, &rd);
		also[0] = '\0';
		for (j = 0; j < rd.n_also; j++) {
			policy_addr_fmt(&rd.also[j], buf, sizeof(buf));
			k += (size_t)snprintf(also + k, sizeof(also) - k,
					      "%s%s%s", j ? " " : "",
					      rd.strict[j] ? "!" : "", buf);
		}
		CHECK_MSG(!strcmp(also, cases[i].also),
			  "%s: also [%s], want [%s]", cases[i].in, also,
			  cases[i].also);
	}
}

static void test_addr_parse_rejects(void)
{
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"256.1.1.1",
		"01.2.3.4",
		"1.2.3.-4",
		"1..2.3",
		"::g",
		"fe80::1%eth0",
		"1:2:3:4:5:6:7:8:9",
		" 1.2.3.4",
		"1.2.3.4 ",
		"[::1]",
	};
	struct policy_addr a;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK_MSG(policy_addr_parse((const uint8_t *)bad[i],
					    strlen(bad[i]), &a) == -EINVAL,
			  "accepted '%s'", bad[i]);
}

static void test_name_match(void)
{
	CHECK(policy_name_match("*.example.com", "a.example.com"));
	CHECK(policy_name_match("*.example.com", "a.b.example.com"));
	CHECK(!policy_name_match("*.example.com", "example.com"));
	CHECK(!policy_name_match("*.example.com", "badexample.com"));
	CHECK(!policy_name_match("*.example.com", "example.com.evil.test"));
	CHECK(!policy_name_match("*.example.com", "xexample.com"));
	CHECK(policy_name_match("example.com", "example.com"));
	CHECK(!policy_name_match("example.com", "a.example.com"));
}

/* Malformed requests are denied, never allowed. */
static void test_fail_closed(void)
{
	struct policy *p = explain_policy();
	struct policy_decision d;
	struct policy_connect c;
	struct zone_tables *t;
	const struct zone *z;
	struct policy_addr a;

	CHECK_EQ(policy_zone_effective(p, "open", NULL, &z), 0);
	CHECK_EQ(zone_tables_new(z, &t), 0);
	memset(&c, 0, sizeof(c));
	c.have_addr = true;
	c.addr.family = 5;
	c.proto = POLICY_PROTO_TCP;
	c.port = 80;
	zone_decide_connect(t, NULL, &c, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	CHECK_EQ(d.reason, POLICY_REASON_INVALID);
	c.addr.family = 4;
	c.proto = POLICY_PROTO_ANY;
	zone_decide_connect(t, NULL, &c, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	c.proto = POLICY_PROTO_TCP;
	c.port = 0;
	zone_decide_connect(t, NULL, &c, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	zone_decide_connect(NULL, NULL, &c, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	zone_decide_resolve(t, "a\0b", 3, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	memset(&a, 0, sizeof(a));
	zone_decide_listen(t, &a, POLICY_PROTO_TCP, 80, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	zone_decide_unix(t, NULL, "/a\0b", 4, false, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	zone_tables_free(t);
	policy_free(p);
}

/* Placeholders expand from the runtime; unset ones make rules inactive. */
static void test_unix_expand(void)
{
	struct policy_runtime rt;
	char out[256];

	memset(&rt, 0, sizeof(rt));
	rt.cwd = "/work//job/";
	CHECK_EQ(policy_unix_expand("$CWD/s.sock", &rt, out, sizeof(out)), 0);
	CHECK_STREQ(out, "/work/job/s.sock");
	CHECK_EQ(policy_unix_expand("$TMPDIR", &rt, out, sizeof(out)), -ENOENT);
	rt.tmpdir = "relative";
	CHECK_EQ(policy_unix_expand("$TMPDIR", &rt, out, sizeof(out)), -ENOENT);
	CHECK_EQ(policy_unix_expand("/abs", &rt, out, sizeof(out)), 0);
	CHECK_STREQ(out, "/abs");
	CHECK_EQ(policy_unix_expand("$CWD", &rt, out, 4), -ENAMETOOLONG);
}

/* Netlink: NETLINK_ROUTE requests to the kernel only, in every zone. */
static void test_netlink(void)
{
	static const struct {
		struct policy_netlink n;
		enum policy_verdict v;
		const char *why;
	} cases[] = {
		{{true, 0, 0, false},
		 POLICY_VERDICT_ALLOW,
		 "netlink: NETLINK_ROUTE request to the kernel (builtin)"},
		{{true, 1234, 0, false},
		 POLICY_VERDICT_DENY,
		 "netlink: destination is a process, not the kernel (nl_pid != "
		 "0) (builtin; only NETLINK_ROUTE requests to the kernel are "
		 "sent)"},
		{{true, 0, 1, false}, POLICY_VERDICT_DENY, NULL},
		{{true, 0x80000000u, 0, false}, POLICY_VERDICT_DENY, NULL},
		{{false, 0, 0, false}, POLICY_VERDICT_DENY, NULL},
		{{true, 0, 0, true}, POLICY_VERDICT_DENY, NULL},
	};
	struct policy *p = explain_policy();
	const char *zones[] = {"fork-pr", "open"};
	struct policy_decision d;
	struct zone_tables *t;
	const struct zone *z;
	size_t i, j;

	for (j = 0; j < ARRAY_SIZE(zones); j++) {
		CHECK_EQ(policy_zone_effective(p, zones[j], NULL, &z), 0);
		CHECK_EQ(zone_tables_new(z, &t), 0);
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			struct dynbuf b;

			zone_decide_netlink(t, &cases[i].n, &d);
			CHECK_EQ(d.verdict, cases[i].v);
			CHECK_EQ(d.reason, POLICY_REASON_NETLINK);
			CHECK_STREQ(d.zone, zones[j]);
			dynbuf_init(&b, 4096);
			CHECK_EQ(policy_decision_fmt(&d, &b), 0);
			if (cases[i].why)
				CHECK_STREQ(b.data, cases[i].why);
			dynbuf_free(&b);
		}
		zone_decide_netlink(t, NULL, &d);
		CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
		zone_tables_free(t);
	}
	zone_decide_netlink(NULL, &cases[0].n, &d);
	CHECK_EQ(d.verdict, POLICY_VERDICT_DENY);
	policy_free(p);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_explain_matrix),
	HARNESS_TEST(test_addr_normalize),
	HARNESS_TEST(test_addr_parse_rejects),
	HARNESS_TEST(test_name_match),
	HARNESS_TEST(test_fail_closed),
	HARNESS_TEST(test_unix_expand),
	HARNESS_TEST(test_netlink),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
