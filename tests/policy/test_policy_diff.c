/* SPDX-License-Identifier: MIT */
/*
 * test_policy_diff.c - the differential check and the canonical round-trip.
 *
 * Random policies (seeded, deterministic) are parsed, compiled into tables,
 * and asked random questions; every answer of zone_decide_*() must equal the
 * answer of the deliberately naive reference evaluator below, which walks
 * the zone's rules one by one and has its own copy of the always-denied
 * ranges, its own address normalisation and its own name matching. Every
 * random zone, the built-ins and the fixtures also go through
 * zone_fmt() -> policy_parse() -> zone_fmt() and must come back identical.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "policy/policy.h"

/* --- PRNG: xorshift64*, seeded, so failures replay. ---------------------- */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static unsigned rnd(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* --- Pools the generator draws from, small so that rules and requests meet. */
static const char *const v4_pool[] = {
	"10.0.0.0",	   "10.1.2.3",	      "192.0.2.1",     "203.0.113.7",
	"169.254.169.254", "169.254.1.1",     "127.0.0.1",     "8.8.8.8",
	"100.64.1.1",	   "100.100.100.200", "224.0.0.1",     "0.0.0.0",
	"198.51.100.9",	   "172.16.5.5",      "168.63.129.16",
};
static const char *const v6_pool[] = {
	"2001:db8::1", "2001:db8:1::5", "fe80::1", "fd00:ec2::254",
	"fd12::1",     "::1",		"::",	   "2606:4700::1111",
	"ff02::1",
};
static const char *const labels[] = {
	"a", "b", "www", "api", "example", "evil", "xn--p1ai", "metadata",
};
static const char *const tlds[] = {"com", "org", "test", "goog"};
static const uint16_t ports[] = {22, 53, 80, 443, 8080};
static const char *const unix_pool[] = {
	"/srv/s",    "/srv/s/private", "$CWD",
	"$TMPDIR/x", "/run/user/1000", "/var/run",
	"/srv",	     "$HOME/.ssh",     "$XDG_RUNTIME_DIR",
};
static const char *const unix_paths[] = {
	"/srv/s",
	"/srv/s/a.sock",
	"/srv/s/private/b",
	"/srv/sx",
	"/work/job/a.sock",
	"/tmp/x/y",
	"/tmp/xy",
	"/run/user/1000/bus",
	"/run/user/1000/other",
	"/var/run/docker.sock",
	"/var/run/x",
	"/home/ci/.ssh/agent",
	"/etc/passwd",
	"/",
};

static void gen_name(char *out, size_t outlen, bool exact_only)
{
	int n = 1 + (int)rnd(3), i;
	size_t o = 0;

	if (!exact_only && rnd(3) == 0)
		o += (size_t)snprintf(out + o, outlen - o, "*.");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s.",
				      labels[rnd(ARRAY_SIZE(labels))]);
	snprintf(out + o, outlen - o, "%s", tlds[rnd(ARRAY_SIZE(tlds))]);
	if (exact_only && rnd(20) == 0)
		snprintf(out, outlen, "%s",
			 rnd(2) ? "metadata.google.internal"
				: "x.metadata.goog");
}

static void gen_ports(char *out, size_t outlen)
{
	unsigned k = rnd(4);
	uint16_t a = ports[rnd(ARRAY_SIZE(ports))];

	if (k == 0)
		snprintf(out, outlen, "any");
	else if (k == 1)
		snprintf(out, outlen, "%u-%u", a, a + rnd(500));
	else
		snprintf(out, outlen, "%u", a);
}

static void mask_addr(struct policy_addr *a, unsigned prefix)
{
	unsigned i, bits = a->family == 4 ? 32 : 128;

	for (i = prefix; i < bits; i++)
		a->b[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static void gen_host(char *out, size_t outlen)
{
	static const unsigned v4p[] = {0, 8, 10, 12, 16, 24, 30, 32, 32};
	static const unsigned v6p[] = {0, 7, 10, 16, 32, 48, 64, 128, 128};
	struct policy_addr a;
	char txt[64];
	const char *s;
	unsigned prefix;

	switch (rnd(3)) {
	case 0:
		gen_name(out, outlen, false);
		return;
	case 1:
		s = v4_pool[rnd(ARRAY_SIZE(v4_pool))];
		policy_addr_parse((const uint8_t *)s, strlen(s), &a);
		prefix = v4p[rnd(ARRAY_SIZE(v4p))];
		mask_addr(&a, prefix);
		policy_addr_fmt(&a, txt, sizeof(txt));
		snprintf(out, outlen, "%s/%u", txt, prefix);
		return;
	default:
		s = v6_pool[rnd(ARRAY_SIZE(v6_pool))];
		policy_addr_parse((const uint8_t *)s, strlen(s), &a);
		prefix = v6p[rnd(ARRAY_SIZE(v6p))];
		mask_addr(&a, prefix);
		policy_addr_fmt(&a, txt, sizeof(txt));
		snprintf(out, outlen, "[%s]/%u", txt, prefix);
		return;
	}
}

static void gen_policy(struct dynbuf *b)
{
	static const char *const cats[] = {
		"metadata", "link-local", "loopback",	    "host",
		"private",  "multicast",  "system-sockets",
	};
	static const char *const protos[] = {"tcp", "udp", "any"};
	static const char *const listen[] = {"deny", "loopback", "allow"};
	unsigned i, n;
	char host[300], p[32];

	dynbuf_addf(b, "zone r {\n");
	if (rnd(2))
		dynbuf_addf(b, "\ttrust %s\n",
			    rnd(2) ? "trusted" : "untrusted");
	if (rnd(2))
		dynbuf_addf(b, "\tlisten %s\n", listen[rnd(3)]);
	if (rnd(3) == 0)
		dynbuf_addf(b, "\tunix defaults off\n");
	for (i = 0; i < ARRAY_SIZE(cats); i++)
		if (rnd(4) == 0)
			dynbuf_addf(b, "\tlift %s\n", cats[i]);
	n = rnd(20);
	for (i = 0; i < n; i++) {
		const char *act = rnd(5) < 3 ? "allow" : "deny";

		switch (rnd(10)) {
		case 0:
		case 1:
			gen_name(host, sizeof(host), false);
			dynbuf_addf(b, "\tdns %s %s\n", act, host);
			break;
		case 2:
			dynbuf_addf(b, "\tunix %s %s\n", act,
				    unix_pool[rnd(ARRAY_SIZE(unix_pool))]);
			break;
		default:
			gen_host(host, sizeof(host));
			gen_ports(p, sizeof(p));
			dynbuf_addf(b, "\t%s %s %s:%s\n", act, protos[rnd(3)],
				    host, p);
		}
	}
	if (rnd(2))
		dynbuf_addf(b, "\tlimit mem %uM\n", 1 + rnd(4096));
	if (rnd(2))
		dynbuf_addf(b, "\tlimit wall %us\n", 1 + rnd(100000));
	if (rnd(4) == 0)
		dynbuf_addf(b, "\tsyscall ptrace deny EPERM\n");
	dynbuf_addf(b, "}\n");
}

/* --- The naive reference. ------------------------------------------------ */
struct ref_range {
	enum policy_category cat;
	const char *cidr;
};

static const struct ref_range ref_ranges[] = {
	{POLICY_CATEGORY_METADATA, "169.254.169.254/32"},
	{POLICY_CATEGORY_METADATA, "169.254.170.2/32"},
	{POLICY_CATEGORY_METADATA, "100.100.100.200/32"},
	{POLICY_CATEGORY_METADATA, "168.63.129.16/32"},
	{POLICY_CATEGORY_METADATA, "fd00:ec2::254/128"},
	{POLICY_CATEGORY_LOOPBACK, "127.0.0.0/8"},
	{POLICY_CATEGORY_LOOPBACK, "0.0.0.0/8"},
	{POLICY_CATEGORY_LOOPBACK, "::1/128"},
	{POLICY_CATEGORY_LOOPBACK, "::/128"},
	{POLICY_CATEGORY_LINK_LOCAL, "169.254.0.0/16"},
	{POLICY_CATEGORY_LINK_LOCAL, "fe80::/10"},
	{POLICY_CATEGORY_PRIVATE, "10.0.0.0/8"},
	{POLICY_CATEGORY_PRIVATE, "172.16.0.0/12"},
	{POLICY_CATEGORY_PRIVATE, "192.168.0.0/16"},
	{POLICY_CATEGORY_PRIVATE, "100.64.0.0/10"},
	{POLICY_CATEGORY_PRIVATE, "fc00::/7"},
	{POLICY_CATEGORY_MULTICAST, "224.0.0.0/4"},
	{POLICY_CATEGORY_MULTICAST, "240.0.0.0/4"},
	{POLICY_CATEGORY_MULTICAST, "ff00::/8"},
};

static const char *const ref_sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock",
	"/run/containerd",	"/var/run/containerd",
	"/var/run/nscd/socket", "/run/nscd",
	"/run/systemd/resolve", "/run/dbus/system_bus_socket",
	"/var/run/dbus",	"$XDG_RUNTIME_DIR/bus",
};

struct ref_decision {
	enum policy_verdict verdict;
	enum policy_reason reason;
	enum policy_category category;
	int rule; /* -1 when no rule */
};

static bool ref_bits_match(const uint8_t *net, const uint8_t *a,
			   unsigned prefix)
{
	unsigned i;

	for (i = 0; i < prefix; i++) {
		unsigned bn = (net[i / 8] >> (7 - i % 8)) & 1;
		unsigned ba = (a[i / 8] >> (7 - i % 8)) & 1;

		if (bn != ba)
			return false;
	}
	return true;
}

static bool ref_in_cidr(const char *cidr, const struct policy_addr *a)
{
	char buf[64], *slash;
	struct policy_addr net;

	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	*slash = '\0';
	if (policy_addr_parse((const uint8_t *)buf, strlen(buf), &net))
		abort();
	return net.family == a->family &&
	       ref_bits_match(net.b, a->b, (unsigned)atoi(slash + 1));
}

/*
 * Every IPv4 address an IPv6 spelling reaches, by bit positions (written
 * apart from policy_addr.c): r->a[0] is judged; the others deny when they
 * would, in full when strict.
 */
struct ref_reading {
	struct policy_addr a[6];
	bool strict[6];
	size_t n;
};

static unsigned ref_bit(const uint8_t *b, unsigned i)
{
	return (b[i / 8] >> (7 - i % 8)) & 1;
}

/* 32 bits from bit @from on, skipping bits 64..71 (RFC 6052's u-octet). */
static struct policy_addr ref_v4_at(const uint8_t *b, unsigned from,
				    bool invert)
{
	struct policy_addr r = {.family = 4};
	unsigned i, pos = from;

	for (i = 0; i < 32; i++, pos++) {
		if (pos >= 64 && pos < 72)
			pos = 72;
		r.b[i / 8] |=
			(uint8_t)((ref_bit(b, pos) ^ invert) << (7 - i % 8));
	}
	return r;
}

static unsigned long ref_field(const uint8_t *b, unsigned from, unsigned n)
{
	unsigned long v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = v << 1 | ref_bit(b, from + i);
	return v;
}

static void ref_add(struct ref_reading *r, struct policy_addr a, bool strict,
		    bool skip_zero_net)
{
	if (skip_zero_net && a.b[0] == 0)
		return;
	r->strict[r->n] = strict;
	r->a[r->n++] = a;
}

static void ref_readings(const struct policy_addr *in, struct ref_reading *r)
{
	const uint8_t *b = in->b;
	bool isatap = in->family == 6 && (ref_field(b, 64, 8) & 0xfc) == 0 &&
		      ref_field(b, 72, 24) == 0x5efe;

	memset(r, 0, sizeof(*r));
	r->a[0] = *in;
	r->n = 1;
	if (in->family != 6)
		return;
	if (ref_field(b, 0, 32) == 0 && ref_field(b, 32, 32) == 0 &&
	    ref_field(b, 64, 32) == 0xffff) {
		r->a[0] = ref_v4_at(b, 96, false);
	} else if (ref_field(b, 0, 32) == 0x0064ff9b &&
		   ref_field(b, 32, 32) == 0 && ref_field(b, 64, 32) == 0) {
		r->a[0] = ref_v4_at(b, 96, false);
	} else if (ref_field(b, 0, 48) == 0x0064ff9b0001UL) {
		r->a[0] = ref_v4_at(b, 96, false);
		ref_add(r, ref_v4_at(b, 48, false), false, true);
		ref_add(r, ref_v4_at(b, 56, false), false, true);
		ref_add(r, ref_v4_at(b, 72, false), false, true);
	} else if (ref_field(b, 0, 16) == 0x2002) {
		r->a[0] = ref_v4_at(b, 16, false);
		if (isatap)
			ref_add(r, ref_v4_at(b, 96, false), true, false);
	} else if (ref_field(b, 0, 32) == 0x20010000) {
		r->a[0] = ref_v4_at(b, 96, true);
		ref_add(r, ref_v4_at(b, 32, false), true, false);
		if (isatap)
			ref_add(r, ref_v4_at(b, 96, false), true, false);
	} else if (ref_field(b, 0, 32) == 0 && ref_field(b, 32, 32) == 0 &&
		   ref_field(b, 64, 32) == 0 && ref_field(b, 96, 32) > 1) {
		r->a[0] = ref_v4_at(b, 96, false);
	} else if (isatap) {
		r->a[0] = ref_v4_at(b, 96, false);
	}
}

static struct policy_addr ref_normalize(const struct policy_addr *in)
{
	struct ref_reading r;

	ref_readings(in, &r);
	return r.a[0];
}

static void ref_lower(const char *in, char *out, size_t outlen)
{
	size_t i, n = strlen(in);

	if (n && in[n - 1] == '.')
		n--;
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z')
					? in[i] - 'A' + 'a'
					: in[i]);
	out[i] = '\0';
}

static bool ref_ends_with_label(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s + 1 && name[n - s - 1] == '.' &&
	       !strcmp(name + n - s, suffix);
}

static bool ref_metadata_name(const char *name)
{
	static const char *const md[] = {"metadata.google.internal",
					 "metadata.goog"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(md); i++)
		if (!strcmp(name, md[i]) || ref_ends_with_label(name, md[i]))
			return true;
	return false;
}

static bool ref_name_rule(const struct policy_rule *r, const char *name)
{
	if (r->host_kind == POLICY_HOST_KIND_NAME)
		return !strcmp(r->name, name);
	if (r->host_kind == POLICY_HOST_KIND_SUFFIX)
		return ref_ends_with_label(name, r->name);
	return false;
}

static bool ref_egress_match(const struct policy_rule *r,
			     const struct policy_addr *a, bool have_addr,
			     char names[][300], size_t n_names, unsigned proto,
			     uint16_t port)
{
	size_t i;

	if (r->kind != POLICY_RULE_KIND_EGRESS || !(r->proto & proto) ||
	    port < r->port_lo || port > r->port_hi)
		return false;
	if (r->host_kind == POLICY_HOST_KIND_CIDR)
		return have_addr && r->addr.family == a->family &&
		       ref_bits_match(r->addr.b, a->b, r->prefix);
	for (i = 0; i < n_names; i++)
		if (ref_name_rule(r, names[i]))
			return true;
	return false;
}

static void ref_set(struct ref_decision *d, enum policy_verdict v,
		    enum policy_reason why, enum policy_category c, int rule)
{
	d->verdict = v;
	d->reason = why;
	d->category = c;
	d->rule = rule;
}

/*
 * One reading @a of the destination. @primary: names and own listeners
 * count; @reach: only the always-denied set and deny rules (a further
 * reading that is not strict); returns with verdict ALLOW when neither
 * denies.
 */
static void ref_connect_one(const struct zone *z,
			    const struct policy_runtime *rt,
			    const struct policy_connect *c,
			    struct policy_addr a, bool primary, bool reach,
			    struct ref_decision *d)
{
	static const enum policy_category order[] = {
		POLICY_CATEGORY_METADATA, POLICY_CATEGORY_HOST,
		POLICY_CATEGORY_LOOPBACK, POLICY_CATEGORY_LINK_LOCAL,
		POLICY_CATEGORY_PRIVATE,  POLICY_CATEGORY_MULTICAST,
	};
	char names[4][300];
	bool in[POLICY_CATEGORY_COUNT] = {false}, own = false;
	size_t i, k, n_names = primary ? c->n_pinned : 0;

	for (i = 0; i < n_names; i++)
		ref_lower(c->pinned[i], names[i], sizeof(names[i]));
	if (c->have_addr) {
		for (i = 0; i < ARRAY_SIZE(ref_ranges); i++)
			if (ref_in_cidr(ref_ranges[i].cidr, &a))
				in[ref_ranges[i].cat] = true;
		for (i = 0; i < rt->n_host_addrs; i++) {
			struct policy_addr h =
				ref_normalize(&rt->host_addrs[i]);

			if (h.family == a.family && !memcmp(h.b, a.b, 16))
				in[POLICY_CATEGORY_HOST] = true;
		}
		for (i = 0; primary && i < rt->n_listeners; i++)
			if ((rt->listeners[i].proto & c->proto) &&
			    rt->listeners[i].port == c->port &&
			    (in[POLICY_CATEGORY_LOOPBACK] ||
			     in[POLICY_CATEGORY_HOST]))
				own = true;
	}
	for (k = 0; k < ARRAY_SIZE(order); k++) {
		enum policy_category cat = order[k];

		if (!in[cat] || zone_lifted(z, cat))
			continue;
		if (cat == POLICY_CATEGORY_PRIVATE && zone_trusted(z))
			continue;
		if (own && (cat == POLICY_CATEGORY_LOOPBACK ||
			    cat == POLICY_CATEGORY_HOST))
			continue;
		return ref_set(d, POLICY_VERDICT_DENY,
			       POLICY_REASON_ALWAYS_DENIED, cat, -1);
	}
	for (i = 0; i < n_names; i++)
		if (!zone_lifted(z, POLICY_CATEGORY_METADATA) &&
		    ref_metadata_name(names[i]))
			return ref_set(d, POLICY_VERDICT_DENY,
				       POLICY_REASON_ALWAYS_DENIED,
				       POLICY_CATEGORY_METADATA, -1);
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->action == POLICY_ACTION_DENY &&
		    ref_egress_match(r, &a, c->have_addr, names, n_names,
				     c->proto, c->port))
			return ref_set(d, POLICY_VERDICT_DENY,
				       POLICY_REASON_RULE, 0, (int)i);
	}
	if (reach)
		return ref_set(d, POLICY_VERDICT_ALLOW, POLICY_REASON_DEFAULT,
			       0, -1);
	if (own)
		return ref_set(d, POLICY_VERDICT_ALLOW,
			       POLICY_REASON_OWN_LISTENER, 0, -1);
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->action == POLICY_ACTION_ALLOW &&
		    ref_egress_match(r, &a, c->have_addr, names, n_names,
				     c->proto, c->port))
			return ref_set(d, POLICY_VERDICT_ALLOW,
				       POLICY_REASON_RULE, 0, (int)i);
	}
	ref_set(d, POLICY_VERDICT_DENY, POLICY_REASON_DEFAULT, 0, -1);
}

/* The stricter answer over every reading of the address. */
static void ref_connect(const struct zone *z, const struct policy_runtime *rt,
			const struct policy_connect *c, struct ref_decision *d)
{
	struct ref_reading r;
	struct ref_decision e;
	size_t i;

	ref_readings(&c->addr, &r);
	ref_connect_one(z, rt, c, r.a[0], true, false, d);
	if (!c->have_addr || d->reason == POLICY_REASON_ALWAYS_DENIED)
		return;
	/* An always-denied further reading outranks every other answer. */
	for (i = 1; i < r.n; i++) {
		struct policy_connect none = *c;

		none.n_pinned = 0;
		ref_connect_one(z, rt, &none, r.a[i], false, true, &e);
		if (e.reason == POLICY_REASON_ALWAYS_DENIED) {
			*d = e;
			return;
		}
	}
	if (d->verdict == POLICY_VERDICT_DENY)
		return;
	for (i = 1; i < r.n; i++) {
		ref_connect_one(z, rt, c, r.a[i], false, !r.strict[i], &e);
		if (e.verdict == POLICY_VERDICT_DENY) {
			*d = e;
			return;
		}
	}
}

static void ref_resolve(const struct zone *z, const char *raw,
			struct ref_decision *d)
{
	char name[300];
	size_t i;

	ref_lower(raw, name, sizeof(name));
	if (!zone_lifted(z, POLICY_CATEGORY_METADATA) &&
	    ref_metadata_name(name))
		return ref_set(d, POLICY_VERDICT_DENY,
			       POLICY_REASON_ALWAYS_DENIED,
			       POLICY_CATEGORY_METADATA, -1);
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);
		bool covers_all = r->proto == POLICY_PROTO_ANY &&
				  r->port_lo == 1 && r->port_hi == 65535;

		if (r->action != POLICY_ACTION_DENY || !ref_name_rule(r, name))
			continue;
		if (r->kind == POLICY_RULE_KIND_DNS ||
		    (r->kind == POLICY_RULE_KIND_EGRESS && covers_all))
			return ref_set(d, POLICY_VERDICT_DENY,
				       POLICY_REASON_RULE, 0, (int)i);
	}
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->action == POLICY_ACTION_ALLOW &&
		    r->kind != POLICY_RULE_KIND_UNIX && ref_name_rule(r, name))
			return ref_set(d, POLICY_VERDICT_ALLOW,
				       POLICY_REASON_RULE, 0, (int)i);
	}
	ref_set(d, POLICY_VERDICT_DENY, POLICY_REASON_DEFAULT, 0, -1);
}

static void ref_listen(const struct zone *z, const struct policy_addr *raw,
		       struct ref_decision *d)
{
	struct policy_addr a = ref_normalize(raw);

	if (ref_in_cidr("127.0.0.0/8", &a) || ref_in_cidr("::1/128", &a))
		return ref_set(d, POLICY_VERDICT_ALLOW, POLICY_REASON_LOOPBACK,
			       0, -1);
	ref_set(d,
		zone_listen(z) == POLICY_LISTEN_ALLOW ? POLICY_VERDICT_ALLOW
		: zone_listen(z) == POLICY_LISTEN_LOOPBACK
			? POLICY_VERDICT_LOOPBACK
			: POLICY_VERDICT_DENY,
		POLICY_REASON_LISTEN, 0, -1);
}

static bool ref_under(const struct policy_runtime *rt, const char *pattern,
		      const char *path)
{
	char full[512];
	const char *val = NULL, *rest = pattern;
	size_t n;

	if (!strncmp(pattern, "$CWD", 4))
		val = rt->cwd, rest = pattern + 4;
	else if (!strncmp(pattern, "$TMPDIR", 7))
		val = rt->tmpdir, rest = pattern + 7;
	else if (!strncmp(pattern, "$XDG_RUNTIME_DIR", 16))
		val = rt->xdg_runtime_dir, rest = pattern + 16;
	else if (!strncmp(pattern, "$HOME", 5))
		val = rt->home, rest = pattern + 5;
	else
		val = "";
	if (!val)
		return false;
	snprintf(full, sizeof(full), "%s%s", val, rest);
	if (!strcmp(full, "/"))
		return true;
	n = strlen(full);
	return !strncmp(path, full, n) && (path[n] == '\0' || path[n] == '/');
}

static void ref_unix(const struct zone *z, const struct policy_runtime *rt,
		     const char *path, struct ref_decision *d)
{
	size_t i;

	if (!zone_lifted(z, POLICY_CATEGORY_SYSTEM_SOCKETS))
		for (i = 0; i < ARRAY_SIZE(ref_sockets); i++)
			if (ref_under(rt, ref_sockets[i], path))
				return ref_set(d, POLICY_VERDICT_DENY,
					       POLICY_REASON_ALWAYS_DENIED,
					       POLICY_CATEGORY_SYSTEM_SOCKETS,
					       -1);
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->kind == POLICY_RULE_KIND_UNIX &&
		    r->action == POLICY_ACTION_DENY &&
		    ref_under(rt, r->path, path))
			return ref_set(d, POLICY_VERDICT_DENY,
				       POLICY_REASON_RULE, 0, (int)i);
	}
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->kind == POLICY_RULE_KIND_UNIX &&
		    r->action == POLICY_ACTION_ALLOW &&
		    ref_under(rt, r->path, path))
			return ref_set(d, POLICY_VERDICT_ALLOW,
				       POLICY_REASON_RULE, 0, (int)i);
	}
	if (zone_unix_defaults(z) &&
	    (ref_under(rt, "$CWD", path) || ref_under(rt, "$TMPDIR", path)))
		return ref_set(d, POLICY_VERDICT_ALLOW,
			       POLICY_REASON_UNIX_DEFAULT, 0, -1);
	ref_set(d, POLICY_VERDICT_DENY, POLICY_REASON_DEFAULT, 0, -1);
}

/* --- Random requests. ---------------------------------------------------- */
static void gen_addr(struct policy_addr *a)
{
	struct policy_addr srv;
	const char *s;
	size_t i;

	if (rnd(3)) {
		s = v4_pool[rnd(ARRAY_SIZE(v4_pool))];
		policy_addr_parse((const uint8_t *)s, strlen(s), a);
		if (rnd(2))
			a->b[3] ^= (uint8_t)(rnd(4) == 0 ? rnd(256) : rnd(2));
		if (rnd(3) == 0)
			a->b[1] ^= (uint8_t)rnd(256);
		switch (rnd(12)) {
		case 0: /* v4-mapped */
			memmove(a->b + 12, a->b, 4);
			memset(a->b, 0, 12);
			a->b[10] = a->b[11] = 0xff;
			a->family = 6;
			break;
		case 1: /* NAT64 */
			memmove(a->b + 12, a->b, 4);
			memset(a->b, 0, 12);
			a->b[1] = 0x64;
			a->b[2] = 0xff;
			a->b[3] = 0x9b;
			a->family = 6;
			break;
		case 2: /* 6to4 */
			memmove(a->b + 2, a->b, 4);
			a->b[0] = 0x20;
			a->b[1] = 0x02;
			memset(a->b + 6, 0, 10);
			a->b[15] = (uint8_t)rnd(256);
			a->family = 6;
			break;
		case 3: /* IPv4-compatible */
			memmove(a->b + 12, a->b, 4);
			memset(a->b, 0, 12);
			a->family = 6;
			break;
		case 4: /* Teredo: client (obfuscated), a pool server */
			memmove(a->b + 12, a->b, 4);
			for (i = 12; i < 16; i++)
				a->b[i] = (uint8_t)~a->b[i];
			s = v4_pool[rnd(ARRAY_SIZE(v4_pool))];
			policy_addr_parse((const uint8_t *)s, strlen(s), &srv);
			memcpy(a->b + 4, srv.b, 4);
			a->b[0] = 0x20;
			a->b[1] = 0x01;
			a->b[2] = a->b[3] = 0;
			memset(a->b + 8, 0, 4);
			if (rnd(3) == 0)
				a->b[10] = 0x5e;
			if (a->b[10] == 0x5e)
				a->b[11] = 0xfe;
			a->family = 6;
			break;
		case 5: /* ISATAP, in a pool prefix or a 6to4 one */
			memmove(a->b + 12, a->b, 4);
			memset(a->b, 0, 12);
			a->b[0] = 0x20;
			a->b[1] = rnd(2) ? 0x02 : 0x01;
			a->b[2] = 0x0d;
			a->b[8] = (uint8_t)(rnd(2) ? 0 : 2);
			a->b[10] = 0x5e;
			a->b[11] = 0xfe;
			a->family = 6;
			break;
		case 6: /* NAT64 local-use, the IPv4 at a random RFC 6052 spot
			 */
			memmove(a->b + 12, a->b, 4);
			memset(a->b, 0, 12);
			a->b[1] = 0x64;
			a->b[2] = 0xff;
			a->b[3] = 0x9b;
			a->b[5] = 0x01;
			a->b[6 + rnd(6)] = a->b[12 + rnd(4)];
			if (rnd(2)) {
				a->b[9] = a->b[12];
				a->b[10] = a->b[13];
			}
			a->family = 6;
			break;
		}
		return;
	}
	s = v6_pool[rnd(ARRAY_SIZE(v6_pool))];
	policy_addr_parse((const uint8_t *)s, strlen(s), a);
	if (rnd(2))
		a->b[15] ^= (uint8_t)rnd(4);
	if (rnd(4) == 0)
		a->b[(1 + rnd(15))] ^= (uint8_t)rnd(256);
}

static void gen_request_name(char *out, size_t outlen)
{
	char base[200];
	size_t n;

	gen_name(base, sizeof(base), true);
	switch (rnd(5)) {
	case 0:
		snprintf(out, outlen, "x.%s", base);
		break;
	case 1:
		snprintf(out, outlen, "%s.", base);
		break;
	case 2:
		snprintf(out, outlen, "%s", base);
		for (n = 0; out[n]; n++)
			if (rnd(2) && out[n] >= 'a' && out[n] <= 'z')
				out[n] = (char)(out[n] - 'a' + 'A');
		break;
	default:
		snprintf(out, outlen, "%s", base);
	}
}

/* A request aimed at @r: inside its range, port span and protocol. */
static void derive_connect(const struct policy_rule *r,
			   struct policy_connect *c, char *name, size_t len)
{
	unsigned i, bits;

	c->proto = r->proto == POLICY_PROTO_ANY
			   ? (rnd(2) ? POLICY_PROTO_TCP : POLICY_PROTO_UDP)
			   : r->proto;
	if (r->kind != POLICY_RULE_KIND_EGRESS)
		c->proto = POLICY_PROTO_TCP;
	c->port = (uint16_t)(r->port_lo +
			     rnd((unsigned)(r->port_hi - r->port_lo) + 1));
	if (!c->port)
		c->port = 443;
	if (r->host_kind == POLICY_HOST_KIND_CIDR) {
		c->have_addr = true;
		c->addr = r->addr;
		bits = r->addr.family == 4 ? 32 : 128;
		for (i = r->prefix; i < bits; i++)
			if (rnd(2))
				c->addr.b[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
		c->n_pinned = 0;
		return;
	}
	c->have_addr = r->kind == POLICY_RULE_KIND_UNIX || rnd(2);
	if (c->have_addr)
		gen_addr(&c->addr);
	if (r->kind == POLICY_RULE_KIND_UNIX) {
		c->n_pinned = 0;
		return;
	}
	snprintf(name, len, "%s%s",
		 r->host_kind == POLICY_HOST_KIND_SUFFIX
			 ? (rnd(2) ? "x." : "x.y.")
			 : "",
		 r->name);
	c->n_pinned = 1;
}

static const char *kind_names[] = {"connect", "resolve", "listen", "unix"};

/* How often each (reason, verdict) came up: the test must not be vacuous. */
static unsigned seen_reason[POLICY_REASON_INVALID + 1][3];

static int compare(const struct zone *z, const char *what,
		   const struct policy_decision *got,
		   const struct ref_decision *want, const char *text)
{
	int got_rule = got->rule ? (int)got->rule->index : -1;

	seen_reason[got->reason][got->verdict]++;
	if (got->verdict == want->verdict && got->reason == want->reason &&
	    (want->reason != POLICY_REASON_ALWAYS_DENIED ||
	     got->category == want->category) &&
	    got_rule == want->rule && !strcmp(got->zone, zone_name(z)))
		return 0;
	fprintf(stderr,
		"mismatch on %s\n  policy:\n%s  tables: verdict %d reason %d cat %d rule %d\n  reference: verdict %d reason %d cat %d rule %d\n",
		what, text, got->verdict, got->reason, got->category, got_rule,
		want->verdict, want->reason, want->category, want->rule);
	return 1;
}

static int diff_one_request(const struct zone *z, const struct zone_tables *t,
			    const char *text)
{
	struct policy_listener l[2];
	struct policy_addr h[1];
	struct policy_runtime rt;
	struct policy_decision got;
	struct ref_decision want;
	struct policy_connect c;
	char names[2][300], what[800], a[64];
	const char *pinned[2];
	unsigned kind = rnd(10) < 6 ? 0 : 1 + rnd(3);
	size_t i;

	memset(&rt, 0, sizeof(rt));
	rt.cwd = "/work/job";
	rt.tmpdir = "/tmp/x";
	rt.xdg_runtime_dir = rnd(4) ? "/run/user/1000" : NULL;
	rt.home = "/home/ci";
	rt.n_listeners = rnd(3);
	for (i = 0; i < rt.n_listeners; i++) {
		l[i].proto = rnd(2) ? POLICY_PROTO_TCP : POLICY_PROTO_UDP;
		l[i].port = ports[rnd(ARRAY_SIZE(ports))];
	}
	rt.listeners = l;
	rt.n_host_addrs = rnd(2);
	if (rt.n_host_addrs)
		gen_addr(&h[0]);
	rt.host_addrs = h;

	switch (kind) {
	case 0:
		memset(&c, 0, sizeof(c));
		if (zone_rule_count(z) && rnd(2)) {
			derive_connect(
				zone_rule_get(
					z, rnd((unsigned)zone_rule_count(z))),
				&c, names[0], sizeof(names[0]));
			pinned[0] = names[0];
			c.pinned = pinned;
			zone_decide_connect(t, &rt, &c, &got);
			ref_connect(z, &rt, &c, &want);
			policy_addr_fmt(&c.addr, a, sizeof(a));
			snprintf(what, sizeof(what),
				 "derived connect %s:%u/%u pinned %s",
				 c.have_addr ? a : "-", c.port, c.proto,
				 c.n_pinned ? names[0] : "-");
			break;
		}
		c.have_addr = rnd(5) != 0;
		c.n_pinned = c.have_addr ? rnd(3) : 1 + rnd(2);
		for (i = 0; i < c.n_pinned; i++) {
			gen_request_name(names[i], sizeof(names[i]));
			pinned[i] = names[i];
		}
		c.pinned = pinned;
		if (c.have_addr)
			gen_addr(&c.addr);
		c.proto = rnd(2) ? POLICY_PROTO_TCP : POLICY_PROTO_UDP;
		c.port = rnd(5) ? ports[rnd(ARRAY_SIZE(ports))]
				: (uint16_t)(1 + rnd(65535));
		zone_decide_connect(t, &rt, &c, &got);
		ref_connect(z, &rt, &c, &want);
		policy_addr_fmt(&c.addr, a, sizeof(a));
		snprintf(what, sizeof(what), "connect %s:%u/%u pinned %s %s",
			 c.have_addr ? a : "-", c.port, c.proto,
			 c.n_pinned > 0 ? names[0] : "-",
			 c.n_pinned > 1 ? names[1] : "-");
		break;
	case 1:
		gen_request_name(names[0], sizeof(names[0]));
		if (zone_rule_count(z) && rnd(2)) {
			const struct policy_rule *r = zone_rule_get(
				z, rnd((unsigned)zone_rule_count(z)));

			if (r->host_kind != POLICY_HOST_KIND_CIDR &&
			    r->kind != POLICY_RULE_KIND_UNIX)
				snprintf(names[0], sizeof(names[0]), "%s%s",
					 r->host_kind == POLICY_HOST_KIND_SUFFIX
						 ? "q."
						 : "",
					 r->name);
		}
		zone_decide_resolve(t, names[0], strlen(names[0]), &got);
		ref_resolve(z, names[0], &want);
		snprintf(what, sizeof(what), "resolve %s", names[0]);
		break;
	case 2:
		gen_addr(&c.addr);
		zone_decide_listen(t, &c.addr, POLICY_PROTO_TCP, 80, &got);
		ref_listen(z, &c.addr, &want);
		policy_addr_fmt(&c.addr, a, sizeof(a));
		snprintf(what, sizeof(what), "listen %s", a);
		break;
	default: {
		const char *path = unix_paths[rnd(ARRAY_SIZE(unix_paths))];

		zone_decide_unix(t, &rt, path, strlen(path), false, &got);
		ref_unix(z, &rt, path, &want);
		snprintf(what, sizeof(what), "unix %s", path);
	}
	}
	(void)kind_names;
	return compare(z, what, &got, &want, text);
}

/* zone_fmt() -> policy_parse() -> zone_fmt() gives the same text. */
static int roundtrip(const struct zone *z)
{
	struct dynbuf a, b;
	struct policy *p2;
	const struct zone *z2;
	uint64_t f1 = 0, f2 = 1;
	int bad = 0;

	dynbuf_init(&a, 1 << 22);
	dynbuf_init(&b, 1 << 22);
	CHECK_EQ(zone_fmt(z, 0, &a), 0);
	p2 = policy_new(POLICY_FLAG_NO_BUILTINS);
	CHECK(p2);
	if (policy_parse(p2, "<canonical>", (const uint8_t *)a.data, a.len) ||
	    policy_finish(p2) || !(z2 = policy_zone_find(p2, zone_name(z)))) {
		fprintf(stderr, "canonical text does not parse:\n%s", a.data);
		bad = 1;
		goto out;
	}
	CHECK_EQ(zone_fmt(z2, 0, &b), 0);
	zone_fingerprint(z, &f1);
	zone_fingerprint(z2, &f2);
	if (strcmp(a.data, b.data) || f1 != f2) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", a.data,
			b.data);
		bad = 1;
	}
	/* Also through the origins form `policy show` prints. */
	dynbuf_reset(&b);
	CHECK_EQ(zone_fmt(z, ZONE_FMT_ORIGINS, &b), 0);
	policy_free(p2);
	p2 = policy_new(POLICY_FLAG_NO_BUILTINS);
	CHECK(p2);
	if (policy_parse(p2, "<show>", (const uint8_t *)b.data, b.len) ||
	    policy_finish(p2) || !(z2 = policy_zone_find(p2, zone_name(z))) ||
	    zone_fingerprint(z2, &f2) || f1 != f2) {
		fprintf(stderr, "show output does not round-trip:\n%s", b.data);
		bad = 1;
	}
out:
	policy_free(p2);
	dynbuf_free(&a);
	dynbuf_free(&b);
	return bad;
}

static void test_differential(void)
{
	unsigned seed, valid = 0, cases = 0, failed = 0;
	const char *env = getenv("POLICY_DIFF_SEEDS");
	unsigned n_seeds = env ? (unsigned)atoi(env) : 3000;

	for (seed = 1; seed <= n_seeds && failed < 5; seed++) {
		struct dynbuf text;
		struct policy *p = policy_new(0);
		struct zone_tables *t;
		const struct zone *z;
		int i;

		CHECK(p);
		rng_state = 0x9e3779b97f4a7c15ull * seed;
		dynbuf_init(&text, 1 << 20);
		gen_policy(&text);
		if (policy_parse(p, "rand", (const uint8_t *)text.data,
				 text.len) ||
		    policy_zone_effective(p, "r", NULL, &z)) {
			/* Dead or duplicate rules: the generator's problem. */
			policy_free(p);
			dynbuf_free(&text);
			continue;
		}
		valid++;
		CHECK_EQ(zone_tables_new(z, &t), 0);
		for (i = 0; i < 60; i++, cases++)
			failed += (unsigned)diff_one_request(z, t, text.data);
		failed += (unsigned)roundtrip(z);
		zone_tables_free(t);
		policy_free(p);
		dynbuf_free(&text);
	}
	fprintf(stderr, "  %u random zones valid of %u, %u requests\n", valid,
		seed - 1, cases);
	fprintf(stderr,
		"  rule allow %u, rule deny %u, always-denied %u, own listener %u, default %u, unix default %u, listen %u/%u/%u\n",
		seen_reason[POLICY_REASON_RULE][POLICY_VERDICT_ALLOW],
		seen_reason[POLICY_REASON_RULE][POLICY_VERDICT_DENY],
		seen_reason[POLICY_REASON_ALWAYS_DENIED][POLICY_VERDICT_DENY],
		seen_reason[POLICY_REASON_OWN_LISTENER][POLICY_VERDICT_ALLOW],
		seen_reason[POLICY_REASON_DEFAULT][POLICY_VERDICT_DENY],
		seen_reason[POLICY_REASON_UNIX_DEFAULT][POLICY_VERDICT_ALLOW],
		seen_reason[POLICY_REASON_LISTEN][POLICY_VERDICT_ALLOW],
		seen_reason[POLICY_REASON_LISTEN][POLICY_VERDICT_LOOPBACK],
		seen_reason[POLICY_REASON_LISTEN][POLICY_VERDICT_DENY]);
	CHECK_EQ(failed, 0);
	/* The generator must not degenerate into all-invalid policies... */
	CHECK(valid * 3 > seed - 1);
	/* ...nor into questions that only ever get the default answer. */
	if (n_seeds >= 1000) {
		CHECK(seen_reason[POLICY_REASON_RULE][POLICY_VERDICT_ALLOW] >
		      1000);
		CHECK(seen_reason[POLICY_REASON_RULE][POLICY_VERDICT_DENY] >
		      1000);
		CHECK(seen_reason[POLICY_REASON_ALWAYS_DENIED]
				 [POLICY_VERDICT_DENY] > 1000);
		CHECK(seen_reason[POLICY_REASON_OWN_LISTENER]
				 [POLICY_VERDICT_ALLOW] > 50);
		CHECK(seen_reason[POLICY_REASON_UNIX_DEFAULT]
				 [POLICY_VERDICT_ALLOW] > 50);
	}
}

static void test_roundtrip_fixtures(void)
{
	struct policy *p = policy_new(0);
	size_t i, bad = 0;

	CHECK(p);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/matrix.cordon"), 0);
	CHECK_EQ(policy_finish(p), 0);
	for (i = 0; i < policy_zone_count(p); i++)
		bad += (size_t)roundtrip(policy_zone_get(p, i));
	CHECK_EQ(bad, 0);
	policy_free(p);
}

/* The fingerprint identifies what a zone decides, not how it is spelled. */
static void test_fingerprint_stable(void)
{
	static const char a[] = "zone z {\n\tallow tcp A.com.:1-65535\n}\n";
	static const char b[] =
		"# different comments, spacing and spelling\n"
		"zone z {\n  trust   untrusted\n\tallow tcp a.com:any # same\n}\n";
	static const char c[] = "zone z {\n\tallow tcp a.com:443\n}\n";
	struct policy *pa = policy_new(POLICY_FLAG_NO_BUILTINS);
	struct policy *pb = policy_new(POLICY_FLAG_NO_BUILTINS);
	struct policy *pc = policy_new(POLICY_FLAG_NO_BUILTINS);
	uint64_t fa, fb, fc;

	CHECK(pa && pb && pc);
	CHECK_EQ(policy_parse(pa, "a", (const uint8_t *)a, strlen(a)), 0);
	CHECK_EQ(policy_parse(pb, "b", (const uint8_t *)b, strlen(b)), 0);
	CHECK_EQ(policy_parse(pc, "c", (const uint8_t *)c, strlen(c)), 0);
	CHECK_EQ(policy_finish(pa) | policy_finish(pb) | policy_finish(pc), 0);
	CHECK_EQ(zone_fingerprint(policy_zone_find(pa, "z"), &fa), 0);
	CHECK_EQ(zone_fingerprint(policy_zone_find(pb, "z"), &fb), 0);
	CHECK_EQ(zone_fingerprint(policy_zone_find(pc, "z"), &fc), 0);
	CHECK(fa == fb);
	CHECK(fa != fc);
	policy_free(pa);
	policy_free(pb);
	policy_free(pc);
}

static void test_roundtrip_builtins(void)
{
	struct policy *p = policy_new(0);
	size_t i, bad = 0;

	CHECK(p);
	CHECK_EQ(policy_finish(p), 0);
	CHECK_EQ(policy_zone_count(p), 3);
	for (i = 0; i < policy_zone_count(p); i++)
		bad += (size_t)roundtrip(policy_zone_get(p, i));
	CHECK_EQ(bad, 0);
	policy_free(p);
}

static const struct harness_test tests[] = {
	HARNESS_TEST_TIMEOUT(test_differential, 120),
	HARNESS_TEST(test_roundtrip_fixtures),
	HARNESS_TEST(test_roundtrip_builtins),
	HARNESS_TEST(test_fingerprint_stable),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
