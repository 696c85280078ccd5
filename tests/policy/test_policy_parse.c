/* SPDX-License-Identifier: MIT */
/*
 * test_policy_parse.c - the parser against a table of good and bad policies
 * with the exact diagnostics each must produce (all of them, in order), plus
 * limit values, CLI overrides and bounds on hostile input.
 * Set POLICY_TEST_PRINT=1 to print what the parser says for every case.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "policy/policy.h"

/* The zones' fs rules come first (inherited): these checks are on the rest. */
static size_t nonfs_count(const struct zone *z)
{
	size_t i, n = 0;

	for (i = 0; i < zone_rule_count(z); i++)
		n += zone_rule_get(z, i)->kind != POLICY_RULE_KIND_FS;
	return n;
}

static const struct policy_rule *nonfs_get(const struct zone *z, size_t k)
{
	size_t i;

	for (i = 0; i < zone_rule_count(z); i++)
		if (zone_rule_get(z, i)->kind != POLICY_RULE_KIND_FS && !k--)
			return zone_rule_get(z, i);
	return NULL;
}

struct parse_case {
	const char *name;
	const char *text;
	const char *diags; /* "" when the policy is valid */
};

/* clang-format off */
static const struct parse_case parse_cases[] = {
	{ "empty", "", "" },
	{ "comments and blank lines", "# just a comment\n\n   # indented\r\n", "" },
	{ "example from the issue",
	  "# comment\n"
	  "zone my-ci {\n"
	  "    trust trusted\n"
	  "    allow tcp *.githubusercontent.com:443\n"
	  "    allow tcp 203.0.113.0/24:8000-8100\n"
	  "    deny  tcp evil.example.com:any\n"
	  "    dns   allow *.example.org\n"
	  "    dns   upstream 192.0.2.53:53\n"
	  "    lift  metadata\n"
	  "    listen loopback\n"
	  "    unix  allow $CWD\n"
	  "    limit mem 4G\n"
	  "    limit wall 1h\n"
	  "    syscall ptrace deny EPERM\n"
	  "}\n",
	  "" },
	{ "every key",
	  "zone all extends internal-ci {\n"
	  "\ttrust untrusted\n"
	  "\tlisten allow\n"
	  "\tlift link-local private loopback host multicast system-sockets\n"
	  "\tallow udp [2001:db8::]/32:53\n"
	  "\tallow any 198.51.100.7:any\n"
	  "\tdeny tcp [2001:db8::1]:22\n"
	  "\tdns allow only-looked-up.example\n"
	  "\tdns deny *.tracker.example\n"
	  "\tdns upstream [2001:db8::53]:5353\n"
	  "\tdns upstream 192.0.2.1\n"
	  "\tunix allow \"/srv/my sockets/a \\\"b\\\"\"\n"
	  "\tunix deny $HOME/.ssh\n"
	  "\tunix defaults off\n"
	  "\tlimit cpu 90s\n"
	  "\tlimit wall 2h\n"
	  "\tlimit mem 512M\n"
	  "\tlimit fsize 100K\n"
	  "\tlimit disk 1T\n"
	  "\tlimit log 1048576\n"
	  "\tlimit egress 10GiB\n"
	  "\tlimit pids 64\n"
	  "\tlimit fds 3\n"
	  "\tlimit slot deploy-prod:1\n"
	  "\tlimit log-overflow kill\n"
	  "\tsyscall ptrace deny EPERM\n"
	  "\tsyscall io_uring_setup deny ENOSYS\n"
	  "\tsyscall mount notify\n"
	  "\tsyscall getpid allow\n"
	  "}\n",
	  "" },
	{ "case and trailing dot",
	  "zone z {\n\tallow tcp WWW.Example.COM.:443\n\tdns allow XN--BCHER-KVA.example\n}\n",
	  "" },
	{ "unknown key with suggestion", "zone z {\n\talow tcp a.com:443\n}\n",
	  "t.cordon:2:2: error: unknown key 'alow'\n"
	  "  hint: did you mean 'allow'?\n" },
	{ "unknown key", "zone z {\n\tfrobnicate yes\n}\n",
	  "t.cordon:2:2: error: unknown key 'frobnicate'\n"
	  "  hint: zone settings are allow, deny, dns, fs, lift, limit, listen, syscall, trust and unix\n" },
	{ "duplicate trust", "zone z {\n\ttrust trusted\n\ttrust untrusted\n}\n",
	  "t.cordon:3:2: error: duplicate 'trust' (first set at t.cordon:2:2)\n"
	  "  hint: each setting may appear once per zone\n" },
	{ "duplicate limit", "zone z {\n\tlimit mem 1G\n\tlimit mem 2G\n}\n",
	  "t.cordon:3:8: error: duplicate limit 'mem' (first set at t.cordon:2:8)\n"
	  "  hint: each limit may be set once per zone\n" },
	{ "duplicate lift", "zone z {\n\tlift metadata\n\tlift loopback metadata\n}\n",
	  "t.cordon:3:16: error: duplicate 'lift metadata' (first set at t.cordon:2:7)\n"
	  "  hint: each setting may appear once per zone\n" },
	{ "duplicate rule", "zone z {\n\tallow tcp a.com:443\n\tallow tcp A.com.:443\n}\n",
	  "t.cordon:3:2: error: duplicate rule 'allow tcp a.com:443' (first at t.cordon:2:2)\n"
	  "  hint: remove one of them\n" },
	{ "duplicate rule, any spelled as range",
	  "zone z {\n\tdeny udp 192.0.2.0/24:any\n\tdeny udp 192.0.2.0/24:1-65535\n}\n",
	  "t.cordon:3:2: error: duplicate rule 'deny udp 192.0.2.0/24:any' (first at t.cordon:2:2)\n"
	  "  hint: remove one of them\n" },
	{ "duplicate syscall",
	  "zone z {\n\tsyscall ptrace deny EPERM\n\tsyscall ptrace allow\n}\n",
	  "t.cordon:3:2: error: duplicate 'syscall ptrace' (first set at t.cordon:2:2)\n"
	  "  hint: each setting may appear once per zone\n" },
	{ "host bits set", "zone z {\n\tallow tcp 10.0.0.1/8:443\n}\n",
	  "t.cordon:2:12: error: host bits set in '10.0.0.1/8:443'\n"
	  "  hint: did you mean 10.0.0.0/8?\n" },
	{ "host bits set v6", "zone z {\n\tallow tcp [2001:db8::1]/32:443\n}\n",
	  "t.cordon:2:12: error: host bits set in '[2001:db8::1]/32:443'\n"
	  "  hint: did you mean [2001:db8::]/32?\n" },
	{ "prefix too long", "zone z {\n\tallow tcp 192.0.2.0/33:443\n}\n",
	  "t.cordon:2:21: error: invalid prefix length '/33'\n"
	  "  hint: IPv4 prefixes are 0-32\n" },
	{ "bad octet", "zone z {\n\tallow tcp 192.0.2.256:443\n}\n",
	  "t.cordon:2:12: error: invalid IPv4 address '192.0.2.256'\n"
	  "  hint: IPv4 octets are 0-255, decimal, without leading zeros\n" },
	{ "leading zero octet", "zone z {\n\tallow tcp 010.0.0.1:443\n}\n",
	  "t.cordon:2:12: error: invalid IPv4 address '010.0.0.1'\n"
	  "  hint: IPv4 octets are 0-255, decimal, without leading zeros\n" },
	{ "three octets", "zone z {\n\tallow tcp 10.0.1:443\n}\n",
	  "t.cordon:2:12: error: invalid IPv4 address '10.0.1'\n"
	  "  hint: IPv4 octets are 0-255, decimal, without leading zeros\n" },
	{ "bad v6", "zone z {\n\tallow tcp [2001:db8:::1]:443\n}\n",
	  "t.cordon:2:13: error: invalid IPv6 address '2001:db8:::1'\n" },
	{ "v6 without brackets", "zone z {\n\tallow tcp 2001:db8::1:443\n}\n",
	  "t.cordon:2:12: error: IPv6 addresses need brackets\n"
	  "  hint: write e.g. [2001:db8::1]:443 or [2001:db8::]/32:any\n" },
	{ "port zero", "zone z {\n\tallow tcp a.com:0\n}\n",
	  "t.cordon:2:18: error: invalid port '0'\n"
	  "  hint: ports are 1-65535: write PORT, LO-HI or any\n" },
	{ "port too large", "zone z {\n\tallow tcp a.com:65536\n}\n",
	  "t.cordon:2:18: error: invalid port '65536'\n"
	  "  hint: ports are 1-65535: write PORT, LO-HI or any\n" },
	{ "reversed range", "zone z {\n\tallow tcp a.com:9000-8000\n}\n",
	  "t.cordon:2:18: error: empty port range '9000-8000'\n"
	  "  hint: the first port must not exceed the second\n" },
	{ "missing port", "zone z {\n\tallow tcp a.com\n}\n",
	  "t.cordon:2:12: error: missing port in 'a.com'\n"
	  "  hint: write HOST:PORT, HOST:LO-HI or HOST:any\n" },
	{ "wildcard glued", "zone z {\n\tallow tcp *foo.com:443\n}\n",
	  "t.cordon:2:12: error: malformed wildcard '*foo.com'\n"
	  "  hint: '*' must be followed by '.', as in '*.example.com'\n" },
	{ "wildcard inside", "zone z {\n\tallow tcp a.*.com:443\n}\n",
	  "t.cordon:2:12: error: malformed wildcard 'a.*.com'\n"
	  "  hint: '*' is allowed only as the whole first label, as in '*.example.com'\n" },
	{ "double wildcard", "zone z {\n\tdns allow *.*.com\n}\n",
	  "t.cordon:2:12: error: malformed wildcard '*.*.com'\n"
	  "  hint: '*' must be followed by '.', as in '*.example.com'\n" },
	{ "bare wildcard", "zone z {\n\tallow tcp *:443\n}\n",
	  "t.cordon:2:12: error: bare '*' is not a hostname\n"
	  "  hint: to allow every address write 0.0.0.0/0 and [::]/0\n" },
	{ "empty label", "zone z {\n\tallow tcp a..com:443\n}\n",
	  "t.cordon:2:12: error: invalid hostname 'a..com': empty label\n" },
	{ "numeric last label", "zone z {\n\tdns allow host.123\n}\n",
	  "t.cordon:2:12: error: invalid hostname 'host.123': last label is all digits\n" },
	{ "dns rule on address", "zone z {\n\tdns allow 192.0.2.1\n}\n",
	  "t.cordon:2:12: error: '192.0.2.1' is not a hostname\n"
	  "  hint: dns rules name hosts; addresses need no resolving\n" },
	{ "unknown protocol", "zone z {\n\tallow sctp a.com:443\n}\n",
	  "t.cordon:2:8: error: unknown protocol 'sctp'\n"
	  "  hint: write tcp, udp or any before the destination\n" },
	{ "missing protocol", "zone z {\n\tallow a.com:443\n}\n",
	  "t.cordon:2:17: error: incomplete 'allow' statement\n"
	  "  hint: write 'allow tcp|udp|any HOST:PORT'\n" },
	{ "v4-mapped rule", "zone z {\n\tallow tcp [::ffff:192.0.2.1]:443\n}\n",
	  "t.cordon:2:12: error: '[::ffff:192.0.2.1]:443' is inside ::ffff:0:0/96 and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "nat64 rule", "zone z {\n\tdeny tcp [64:ff9b::]/96:any\n}\n",
	  "t.cordon:2:11: error: '[64:ff9b::]/96:any' is inside 64:ff9b::/96 and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "6to4 rule", "zone z {\n\tallow tcp [2002::]/16:any\n}\n",
	  "t.cordon:2:12: error: '[2002::]/16:any' is inside 2002::/16 and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "teredo rule", "zone z {\n\tallow tcp [2001::]/32:443\n}\n",
	  "t.cordon:2:12: error: '[2001::]/32:443' is inside 2001::/32 (Teredo) and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "nat64 local-use rule", "zone z {\n\tallow tcp [64:ff9b:1::]/48:443\n}\n",
	  "t.cordon:2:12: error: '[64:ff9b:1::]/48:443' is inside 64:ff9b:1::/48 and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "v4-compatible rule", "zone z {\n\tallow tcp [::10.0.0.1]:443\n}\n",
	  "t.cordon:2:12: error: '[::10.0.0.1]:443' is inside ::/96 (IPv4-compatible) and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "isatap rule", "zone z {\n\tallow tcp [2001:db8::5efe:0:0]/96:443\n}\n",
	  "t.cordon:2:12: error: '[2001:db8::5efe:0:0]/96:443' is inside ISATAP interface ids (::5efe:0:0/96) and can never match\n"
	  "  hint: such addresses are judged as the IPv4 address they carry: write the IPv4 form\n" },
	{ "dead metadata rule", "zone z {\n\tallow tcp 169.254.169.254:80\n}\n",
	  "t.cordon:2:2: error: rule 'allow tcp 169.254.169.254:80' can never match: always denied (metadata)\n"
	  "  hint: add 'lift metadata link-local' to zone 'z' if this is intended\n" },
	{ "dead metadata rule, link-local still held",
	  "zone z {\n\tlift metadata\n\tallow tcp 169.254.169.254:80\n}\n",
	  "t.cordon:3:2: error: rule 'allow tcp 169.254.169.254:80' can never match: always denied (link-local)\n"
	  "  hint: add 'lift link-local' to zone 'z' if this is intended\n" },
	{ "lifted metadata rule",
	  "zone z {\n\tlift metadata link-local\n\tallow tcp 169.254.169.254:80\n}\n",
	  "" },
	{ "dead private rule in untrusted zone",
	  "zone z {\n\tallow tcp 10.1.0.0/16:22\n}\n",
	  "t.cordon:2:2: error: rule 'allow tcp 10.1.0.0/16:22' can never match: always denied (private)\n"
	  "  hint: add 'lift private' to zone 'z' if this is intended\n" },
	{ "private rule in trusted zone",
	  "zone z {\n\ttrust trusted\n\tallow tcp 10.1.0.0/16:22\n}\n", "" },
	{ "dead loopback rule", "zone z {\n\tallow tcp [::1]:5432\n}\n",
	  "t.cordon:2:2: error: rule 'allow tcp [::1]:5432' can never match: always denied (loopback)\n"
	  "  hint: add 'lift loopback' to zone 'z' if this is intended\n" },
	{ "dead metadata name", "zone z {\n\tdns allow *.metadata.google.internal\n}\n",
	  "t.cordon:2:2: error: rule 'dns allow *.metadata.google.internal' can never match: always denied (metadata)\n"
	  "  hint: add 'lift metadata' to zone 'z' if this is intended\n" },
	{ "broad rule is not dead", "zone z {\n\tallow tcp 0.0.0.0/0:443\n}\n", "" },
	{ "rule outside zone", "allow tcp a.com:443\n",
	  "t.cordon:1:1: error: 'allow' outside a zone\n"
	  "  hint: settings and rules belong inside 'zone NAME { ... }'\n" },
	{ "unknown statement", "frobnicate\n",
	  "t.cordon:1:1: error: unknown statement 'frobnicate'\n"
	  "  hint: the top level holds 'include' and 'zone NAME {' lines\n" },
	{ "nested zone", "zone a {\n\tzone b {\n}\n",
	  "t.cordon:2:2: error: zones cannot nest\n"
	  "  hint: close zone 'a' with '}' first\n" },
	{ "unclosed zone", "zone a {\n\ttrust trusted\n",
	  "t.cordon:1:1: error: zone 'a' is not closed\n"
	  "  hint: add a line with '}'\n" },
	{ "unmatched brace", "}\n", "t.cordon:1:1: error: unmatched '}'\n" },
	{ "brace not at end", "zone a { trust trusted }\n",
	  "t.cordon:1:25: error: expected '{' at the end of the line\n"
	  "  hint: write 'zone NAME {' and put each setting on its own line\n" },
	{ "missing brace", "zone a\n}\n",
	  "t.cordon:1:7: error: expected '{' at the end of the line\n"
	  "  hint: write 'zone NAME {' and put each setting on its own line\n" },
	{ "bad zone name", "zone Bad {\n}\n",
	  "t.cordon:1:6: error: invalid zone name 'Bad'\n"
	  "  hint: zone names are up to 63 of a-z, 0-9, '-' and '_', starting with a letter or digit\n" },
	{ "built-in name", "zone fork-pr {\n}\n",
	  "t.cordon:1:6: error: zone 'fork-pr' is built in\n"
	  "  hint: extend it instead: 'zone my-fork-pr extends fork-pr {'\n" },
	{ "duplicate zone", "zone a {\n}\nzone a {\n}\n",
	  "t.cordon:3:6: error: zone 'a' is already defined at t.cordon:1:1\n"
	  "  hint: zone names are unique across all files\n" },
	{ "extends unknown", "zone a extends fork-p {\n}\n",
	  "t.cordon:1:16: error: unknown zone 'fork-p'\n"
	  "  hint: did you mean 'fork-pr'?\n" },
	{ "extends cycle",
	  "zone a extends b {\n}\nzone b extends c {\n}\nzone c extends a {\n}\n",
	  "t.cordon:1:16: error: zone 'a' extends itself: a -> b -> c -> a\n"
	  "  hint: a zone cannot extend itself\n" },
	{ "extends overrides settings",
	  "zone a extends fork-pr {\n\tlimit mem 1G\n\ttrust trusted\n}\n", "" },
	{ "include inside zone", "zone a {\n\tinclude \"x\"\n}\n",
	  "t.cordon:2:2: error: 'include' inside a zone\n"
	  "  hint: move the include above the zone\n" },
	{ "invalid byte", "zone a {\n\ttrust \xc3\xa9\n}\n",
	  "t.cordon:2:8: error: invalid byte 0xc3\n"
	  "  hint: policy files are ASCII outside comments and quoted strings\n" },
	{ "non-ascii comment is fine", "# caf\xc3\xa9 \x01\nzone a {\n}\n", "" },
	{ "unterminated string", "zone a {\n\tunix allow \"/x\n}\n",
	  "t.cordon:2:13: error: unterminated string\n"
	  "  hint: close it with '\"' on the same line\n" },
	{ "unknown escape", "zone a {\n\tunix allow \"/x\\n\"\n}\n",
	  "t.cordon:2:16: error: unknown escape in string\n"
	  "  hint: strings know only \\\" and \\\\\n" },
	{ "too many words", "zone a {\n\tlift a b c d e f g h i j k l m n o p q\n}\n",
	  "t.cordon:2:37: error: too many words on one line (limit 16)\n"
	  "  hint: one setting or rule per line\n" },
	{ "surplus word", "zone a {\n\ttrust trusted please\n}\n",
	  "t.cordon:2:16: error: unexpected 'please'\n"
	  "  hint: write 'trust trusted|untrusted'\n" },
	{ "bad trust", "zone a {\n\ttrust maybe\n}\n",
	  "t.cordon:2:8: error: unknown trust level 'maybe'\n"
	  "  hint: write 'trust trusted' or 'trust untrusted'\n" },
	{ "bad listen", "zone a {\n\tlisten everywhere\n}\n",
	  "t.cordon:2:9: error: unknown listen mode 'everywhere'\n"
	  "  hint: write 'listen deny', 'listen loopback' or 'listen allow'\n" },
	{ "unknown lift", "zone a {\n\tlift metadta\n}\n",
	  "t.cordon:2:7: error: unknown always-denied category 'metadta'\n"
	  "  hint: categories are metadata, link-local, loopback, host, private, multicast and system-sockets\n" },
	{ "bad errno", "zone a {\n\tsyscall ptrace deny EWHATEVER\n}\n",
	  "t.cordon:2:22: error: unknown errno 'EWHATEVER'\n"
	  "  hint: use a name such as EPERM, EACCES, ENOSYS or EINVAL\n" },
	{ "deny without errno", "zone a {\n\tsyscall ptrace deny\n}\n",
	  "t.cordon:2:21: error: incomplete 'syscall' statement\n"
	  "  hint: write 'syscall NAME allow|notify' or 'syscall NAME deny ERRNO'\n" },
	{ "bad syscall name", "zone a {\n\tsyscall PTRACE allow\n}\n",
	  "t.cordon:2:10: error: invalid syscall name 'PTRACE'\n"
	  "  hint: syscall names are lowercase: a-z, 0-9 and '_'\n" },
	{ "upstream system and address",
	  "zone a {\n\tdns upstream system\n\tdns upstream 192.0.2.1\n}\n",
	  "t.cordon:3:15: error: upstream combined with 'dns upstream system' (at t.cordon:2:2)\n"
	  "  hint: 'system' is the only upstream when used\n" },
	{ "upstream hostname", "zone a {\n\tdns upstream dns.example\n}\n",
	  "t.cordon:2:15: error: invalid upstream address 'dns.example'\n"
	  "  hint: write ADDR, ADDR:PORT, [V6ADDR] or [V6ADDR]:PORT\n" },
	{ "relative unix path", "zone a {\n\tunix allow run/x.sock\n}\n",
	  "t.cordon:2:13: error: unix path 'run/x.sock' is not absolute\n"
	  "  hint: write an absolute path, or one starting with $CWD, $TMPDIR, $XDG_RUNTIME_DIR, $HOME or $WORKSPACE\n" },
	{ "dotdot unix path", "zone a {\n\tunix allow $CWD/../x\n}\n",
	  "t.cordon:2:13: error: '.' and '..' are not allowed in unix paths\n"
	  "  hint: cordon compares paths without resolving them\n" },
	{ "abstract bad escape", "zone a {\n\tunix allow @ab\\q\n}\n",
	  "t.cordon:2:16: error: unknown escape in an abstract name in '@ab\\q'\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "abstract short hex", "zone a {\n\tunix allow @abc\\x0\n}\n",
	  "t.cordon:2:17: error: \\x takes two hex digits in '@abc\\x0'\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "abstract bad hex", "zone a {\n\tunix deny @\\xg0\n}\n",
	  "t.cordon:2:13: error: \\x takes two hex digits in '@\\xg0'\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "abstract trailing backslash", "zone a {\n\tunix allow @x\\\n}\n",
	  "t.cordon:2:15: error: unknown escape in an abstract name in '@x\\'\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "abstract empty", "zone a {\n\tunix allow @\n}\n",
	  "t.cordon:2:14: error: empty abstract name in '@'\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "abstract quoted", "zone a {\n\tunix allow \"@x11\"\n}\n",
	  "t.cordon:2:13: error: abstract names are written without quotes\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "abstract too long", "zone a {\n\tunix allow @" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\n}\n",
	  "t.cordon:2:121: error: abstract name longer than 107 bytes in '@" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "'\n"
	  "  hint: write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\\n" },
	{ "unknown placeholder", "zone a {\n\tunix allow $PWD/x\n}\n",
	  "t.cordon:2:13: error: unknown placeholder in '$PWD/x'\n"
	  "  hint: write an absolute path, or one starting with $CWD, $TMPDIR, $XDG_RUNTIME_DIR, $HOME or $WORKSPACE\n" },
	{ "zero limit", "zone a {\n\tlimit pids 0\n}\n",
	  "t.cordon:2:13: error: invalid pids '0': zero is not a limit\n"
	  "  hint: remove the limit instead of setting it to 0\n" },
	{ "impossible mem", "zone a {\n\tlimit mem 512K\n}\n",
	  "t.cordon:2:12: error: invalid mem '512K': impossible limit\n"
	  "  hint: no process starts in less than 1M\n" },
	{ "impossible fds", "zone a {\n\tlimit fds 2\n}\n",
	  "t.cordon:2:12: error: invalid fds '2': impossible limit\n"
	  "  hint: the job needs stdin, stdout and stderr\n" },
	{ "unitless duration", "zone a {\n\tlimit wall 10\n}\n",
	  "t.cordon:2:13: error: invalid wall '10': a duration needs a unit\n"
	  "  hint: write e.g. 500ms, 30s, 5m, 1h or 2d\n" },
	{ "negative limit", "zone a {\n\tlimit pids -1\n}\n",
	  "t.cordon:2:13: error: invalid pids '-1': negative value\n"
	  "  hint: limits are positive numbers\n" },
	{ "unknown limit", "zone a {\n\tlimit memory 1G\n}\n",
	  "t.cordon:2:8: error: unknown limit 'memory'\n"
	  "  hint: limits are cpu, wall, mem, fsize, disk, log, egress, pids, fds, slot, log-overflow and egress-overflow\n" },
	{ "bad slot", "zone a {\n\tlimit slot deploy:0\n}\n",
	  "t.cordon:2:20: error: invalid slot count '0'\n"
	  "  hint: write slot NAME:N, NAME of a-z, 0-9, '-', '_' and N of 1-1024\n" },
	{ "several errors at once",
	  "zone a {\n\ttrust maybe\n\tallow tcp a.com:0\n\tlimit mem 0\n}\nzone a {\n}\n",
	  "t.cordon:2:8: error: unknown trust level 'maybe'\n"
	  "  hint: write 'trust trusted' or 'trust untrusted'\n"
	  "t.cordon:3:18: error: invalid port '0'\n"
	  "  hint: ports are 1-65535: write PORT, LO-HI or any\n"
	  "t.cordon:4:12: error: invalid mem '0': zero is not a limit\n"
	  "  hint: remove the limit instead of setting it to 0\n"
	  "t.cordon:6:6: error: zone 'a' is already defined at t.cordon:1:1\n"
	  "  hint: zone names are unique across all files\n" },
};
/* clang-format on */

static void parse_diags(const char *text, size_t len, struct dynbuf *out)
{
	struct policy *p = policy_new(0);
	size_t i;

	CHECK(p);
	if (!policy_parse(p, "t.cordon", (const uint8_t *)text, len))
		policy_finish(p);
	dynbuf_init(out, 1 << 20);
	dynbuf_add(out, "", 0);
	for (i = 0; i < policy_diag_count(p); i++)
		policy_diag_fmt(policy_diag_get(p, i), out);
	policy_free(p);
}

static void test_parse_table(void)
{
	bool print = getenv("POLICY_TEST_PRINT") != NULL;
	size_t i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct dynbuf d;

		parse_diags(c->text, strlen(c->text), &d);
		if (print)
			fprintf(stderr, "== %s\n%s", c->name, d.data);
		if (strcmp(d.data, c->diags)) {
			fprintf(stderr,
				"case '%s':\n--- expected\n%s--- got\n%s",
				c->name, c->diags, d.data);
			failed++;
		}
		dynbuf_free(&d);
	}
	CHECK_EQ(failed, 0);
}

/* Every diagnostic of a bad case names a line that exists in its text. */
static void test_parse_nul_bytes(void)
{
	static const char text[] = "zone a {\n\ttrust\0trusted\n}\n";
	struct dynbuf d;

	parse_diags(text, sizeof(text) - 1, &d);
	CHECK_STREQ(
		d.data,
		"t.cordon:2:7: error: invalid byte 0x00\n"
		"  hint: policy files are ASCII outside comments and quoted strings\n");
	dynbuf_free(&d);
}

static void test_parse_long_line(void)
{
	size_t n = POLICY_LINE_MAX + 10;
	char *text = malloc(n + 32);
	struct dynbuf d;

	CHECK(text);
	strcpy(text, "zone a {\n");
	memset(text + 9, 'x', n);
	strcpy(text + 9 + n, "\n}\n");
	parse_diags(text, strlen(text), &d);
	CHECK_STREQ(d.data,
		    "t.cordon:2:1: error: line longer than 4096 bytes\n");
	dynbuf_free(&d);
	free(text);
}

/* A flood of errors is capped and counted, never unbounded. */
static void test_parse_error_cap(void)
{
	struct dynbuf text;
	struct policy *p = policy_new(0);
	int i;

	CHECK(p);
	dynbuf_init(&text, 1 << 20);
	dynbuf_addf(&text, "zone a {\n");
	for (i = 0; i < 200; i++)
		dynbuf_addf(&text, "\tbogus %d\n", i);
	dynbuf_addf(&text, "}\n");
	CHECK_EQ(policy_parse(p, "t", (const uint8_t *)text.data, text.len),
		 -EINVAL);
	CHECK_EQ(policy_diag_count(p), POLICY_DIAG_MAX);
	CHECK_EQ(policy_diag_dropped(p), 200 - POLICY_DIAG_MAX);
	CHECK_EQ(policy_finish(p), -EINVAL);
	dynbuf_free(&text);
	policy_free(p);
}

/* A parse error anywhere fails the whole policy, not just its zone. */
static void test_parse_error_fails_policy(void)
{
	static const char text[] = "zone a {\n}\nzone b {\n\ttrust x\n}\n";
	struct policy *p = policy_new(0);
	const struct zone *z;

	CHECK(p);
	CHECK_EQ(policy_parse(p, "t", (const uint8_t *)text, sizeof(text) - 1),
		 -EINVAL);
	CHECK_EQ(policy_zone_effective(p, "a", NULL, &z), -EINVAL);
	CHECK(z == NULL);
	policy_free(p);
}

struct limit_case {
	enum policy_limit_key key;
	const char *text;
	uint64_t want; /* 0: must fail */
	const char *why;
};

/* clang-format off */
static const struct limit_case limit_cases[] = {
	{ POLICY_LIMIT_MEM, "512M", 512ull << 20, NULL },
	{ POLICY_LIMIT_MEM, "2G", 2ull << 30, NULL },
	{ POLICY_LIMIT_MEM, "2GiB", 2ull << 30, NULL },
	{ POLICY_LIMIT_MEM, "2g", 2ull << 30, NULL },
	{ POLICY_LIMIT_MEM, "1048576", 1048576, NULL },
	{ POLICY_LIMIT_MEM, "1048575", 0, "impossible limit" },
	{ POLICY_LIMIT_MEM, "2GB", 0, "decimal size units are ambiguous" },
	{ POLICY_LIMIT_MEM, "1.5G", 0, "fractions are not supported" },
	{ POLICY_LIMIT_MEM, "1025T", 0, "value too large" },
	{ POLICY_LIMIT_MEM, "99999999999999999999", 0, "number too large" },
	{ POLICY_LIMIT_MEM, "18446744073709551615K", 0, "number too large" },
	{ POLICY_LIMIT_MEM, "1099511627777K", 0, "value too large" },
	{ POLICY_LIMIT_MEM, "", 0, "not a number" },
	{ POLICY_LIMIT_MEM, "G", 0, "not a number" },
	{ POLICY_LIMIT_MEM, "1X", 0, "unknown size unit" },
	{ POLICY_LIMIT_LOG, "1", 1, NULL },
	{ POLICY_LIMIT_DISK, "1T", 1ull << 40, NULL },
	{ POLICY_LIMIT_EGRESS, "0K", 0, "zero is not a limit" },
	{ POLICY_LIMIT_WALL, "5m", 300000, NULL },
	{ POLICY_LIMIT_WALL, "250ms", 250, NULL },
	{ POLICY_LIMIT_WALL, "30s", 30000, NULL },
	{ POLICY_LIMIT_WALL, "1h", 3600000, NULL },
	{ POLICY_LIMIT_WALL, "2d", 172800000, NULL },
	{ POLICY_LIMIT_WALL, "31d", 2678400000ull, NULL },
	{ POLICY_LIMIT_WALL, "32d", 0, "value too large" },
	{ POLICY_LIMIT_WALL, "10", 0, "a duration needs a unit" },
	{ POLICY_LIMIT_WALL, "1h30m", 0, "unknown duration unit" },
	{ POLICY_LIMIT_CPU, "0s", 0, "zero is not a limit" },
	{ POLICY_LIMIT_CPU, "-5s", 0, "negative value" },
	{ POLICY_LIMIT_PIDS, "64", 64, NULL },
	{ POLICY_LIMIT_PIDS, "4194304", 4194304, NULL },
	{ POLICY_LIMIT_PIDS, "4194305", 0, "value too large" },
	{ POLICY_LIMIT_PIDS, "64k", 0, "a count takes no unit" },
	{ POLICY_LIMIT_FDS, "3", 3, NULL },
	{ POLICY_LIMIT_FDS, "1048577", 0, "value too large" },
};
/* clang-format on */

static void test_limit_values(void)
{
	size_t i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(limit_cases); i++) {
		const struct limit_case *c = &limit_cases[i];
		const char *why = NULL, *hint = NULL;
		uint64_t v = 0;
		int rc;

		rc = policy_limit_value_parse(c->key, (const uint8_t *)c->text,
					      strlen(c->text), &v, &why, &hint);
		if (c->want ? (rc || v != c->want)
			    : (!rc || !why || strcmp(why, c->why))) {
			fprintf(stderr, "limit %s '%s': rc %d v %llu why %s\n",
				policy_limit_key_name(c->key), c->text, rc,
				(unsigned long long)v, why ? why : "-");
			failed++;
		}
	}
	CHECK_EQ(failed, 0);
}

static int effective_diags(const char *const *allow, size_t n_allow,
			   const char *const *deny, size_t n_deny,
			   const char *const *limit, size_t n_limit,
			   const char *zone, struct dynbuf *out,
			   struct policy **pp, const struct zone **zp)
{
	struct policy_overrides o = {allow,  n_allow, deny,
				     n_deny, limit,   n_limit};
	struct policy *p = policy_new(0);
	size_t i;
	int rc;

	CHECK(p);
	rc = policy_zone_effective(p, zone, &o, zp);
	dynbuf_init(out, 1 << 20);
	dynbuf_add(out, "", 0);
	for (i = 0; i < policy_diag_count(p); i++)
		policy_diag_fmt(policy_diag_get(p, i), out);
	*pp = p;
	return rc;
}

static void test_overrides(void)
{
	static const char *const allow[] = {"tcp api.example.com:443",
					    "dns *.example.net"};
	static const char *const deny[] = {"udp [2001:db8::]/32:any"};
	static const char *const limit[] = {"mem=512M,pids=64,wall=5m",
					    "log-overflow=kill"};
	const struct policy_limits *l;
	const struct zone *z;
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(effective_diags(allow, 2, deny, 1, limit, 2, NULL, &d, &p, &z),
		 0);
	CHECK_STREQ(d.data, "");
	CHECK_STREQ(zone_name(z), "fork-pr");
	CHECK_EQ(nonfs_count(z), 3);
	CHECK_STREQ(nonfs_get(z, 0)->loc.file, "<--allow #1>");
	CHECK_STREQ(nonfs_get(z, 2)->loc.file, "<--deny #1>");
	l = zone_limits(z);
	CHECK_EQ(l->value[POLICY_LIMIT_MEM], 512ull << 20);
	CHECK_EQ(l->value[POLICY_LIMIT_PIDS], 64);
	CHECK_EQ(l->value[POLICY_LIMIT_WALL], 300000);
	CHECK(l->set[POLICY_LIMIT_CPU]); /* inherited from fork-pr */
	CHECK_EQ(l->value[POLICY_LIMIT_CPU], 600000);
	CHECK_STREQ(l->loc[POLICY_LIMIT_MEM].file, "<--limit #1>");
	CHECK_EQ(l->loc[POLICY_LIMIT_PIDS].col, 10);
	CHECK_EQ(l->log_overflow, POLICY_LOG_OVERFLOW_KILL);
	dynbuf_free(&d);
	policy_free(p);
}

static void test_override_errors(void)
{
	static const char *const allow[] = {"tcp a.com:0", "allow tcp b.com:1",
					    "tcp github.com:443"};
	/* mem in #1 and #2: the last wins; twice within #2: an error. */
	static const char *const limit[] = {"mem=512M,pids=0,bogus=1",
					    "mem=1G,mem=2G", "wall"};
	const struct zone *z;
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(effective_diags(allow, 3, NULL, 0, limit, 3, "internal-ci", &d,
				 &p, &z),
		 -EINVAL);
	CHECK_STREQ(
		d.data,
		"<--allow #1>:1:11: error: invalid port '0'\n"
		"  hint: ports are 1-65535: write PORT, LO-HI or any\n"
		"<--allow #2>:1:1: error: leave out 'allow': the option says it\n"
		"  hint: write 'tcp|udp|any HOST:PORT', 'dns NAME', 'unix PATH' or 'listen MODE'\n"
		"<--limit #1>:1:15: error: invalid pids '0': zero is not a limit\n"
		"  hint: remove the limit instead of setting it to 0\n"
		"<--limit #1>:1:17: error: unknown limit 'bogus'\n"
		"  hint: limits are cpu, wall, mem, fsize, disk, log, egress, pids, fds, slot, log-overflow and egress-overflow\n"
		"<--limit #2>:1:8: error: duplicate limit 'mem' (first set at <--limit #2>:1:1)\n"
		"  hint: each limit may be set once per zone\n"
		"<--limit #3>:1:1: error: missing '=' in 'wall'\n"
		"  hint: write KEY=VALUE[,KEY=VALUE...]\n");
	CHECK(z == NULL);
	dynbuf_free(&d);
	policy_free(p);
}

/* An override repeating a zone rule is reported, not silently merged. */
static void test_override_duplicate(void)
{
	static const char *const allow[] = {"tcp github.com:443"};
	const struct zone *z;
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(effective_diags(allow, 1, NULL, 0, NULL, 0, "internal-ci", &d,
				 &p, &z),
		 -EINVAL);
	CHECK_STREQ(
		d.data,
		"<--allow #1>:1:1: error: duplicate rule 'allow tcp github.com:443' (first at <builtin>:69:2)\n"
		"  hint: remove one of them\n");
	dynbuf_free(&d);
	policy_free(p);
}

static void test_unknown_zone(void)
{
	const struct zone *z;
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(effective_diags(NULL, 0, NULL, 0, NULL, 0, "nope", &d, &p, &z),
		 -ENOENT);
	CHECK_STREQ(d.data, "<--zone>:1:1: error: unknown zone 'nope'\n"
			    "  hint: zones: fork-pr, internal-ci, release\n");
	dynbuf_free(&d);
	policy_free(p);
}

/* With no zone named, the run gets fork-pr: no egress, strict limits. */
static void test_default_zone(void)
{
	const struct zone *z;
	struct policy *p = policy_new(0);

	CHECK(p);
	CHECK_EQ(policy_zone_effective(p, NULL, NULL, &z), 0);
	CHECK_STREQ(zone_name(z), "fork-pr");
	CHECK(!zone_trusted(z));
	CHECK_EQ(nonfs_count(z), 0);
	CHECK(zone_fs_confined(z));
	CHECK_EQ(zone_listen(z), POLICY_LISTEN_DENY);
	CHECK(zone_limits(z)->set[POLICY_LIMIT_MEM]);
	CHECK_EQ(zone_limits(z)->value[POLICY_LIMIT_MEM], 2ull << 30);
	policy_free(p);
}

static void test_syscalls_exposed(void)
{
	static const char text[] = "zone a extends fork-pr {\n"
				   "\tsyscall ptrace deny EPERM\n"
				   "\tsyscall mount notify\n"
				   "}\n"
				   "zone b extends a {\n"
				   "\tsyscall ptrace deny ENOSYS\n"
				   "}\n";
	const struct policy_syscall *s;
	struct policy *p = policy_new(0);
	const struct zone *z;
	size_t n;

	CHECK(p);
	CHECK_EQ(policy_parse(p, "s.cordon", (const uint8_t *)text,
			      sizeof(text) - 1),
		 0);
	CHECK_EQ(policy_zone_effective(p, "b", NULL, &z), 0);
	s = zone_syscalls(z, &n);
	CHECK_EQ(n, 2);
	CHECK_STREQ(s[0].name, "ptrace");
	CHECK_EQ(s[0].action, POLICY_SYSCALL_ACTION_DENY);
	CHECK_EQ(s[0].errno_value, ENOSYS);
	CHECK_EQ(s[0].loc.line, 6);
	CHECK_STREQ(s[1].name, "mount");
	CHECK_EQ(s[1].action, POLICY_SYSCALL_ACTION_NOTIFY);
	CHECK_STREQ(s[1].loc.file, "s.cordon");
	policy_free(p);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_parse_table),
	HARNESS_TEST(test_parse_nul_bytes),
	HARNESS_TEST(test_parse_long_line),
	HARNESS_TEST(test_parse_error_cap),
	HARNESS_TEST(test_parse_error_fails_policy),
	HARNESS_TEST(test_limit_values),
	HARNESS_TEST(test_overrides),
	HARNESS_TEST(test_override_errors),
	HARNESS_TEST(test_override_duplicate),
	HARNESS_TEST(test_unknown_zone),
	HARNESS_TEST(test_default_zone),
	HARNESS_TEST(test_syscalls_exposed),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
