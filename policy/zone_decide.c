/* SPDX-License-Identifier: MIT */
/*
 * zone_decide.c - the decisions: connect, resolve, listen, unix connect.
 * Pure functions of compiled tables, runtime inputs and one request; the
 * supervisor and `cordon policy explain` both call them, so what explain
 * prints is what enforcement does. Theory of operation, for connect:
 *
 *   1. normalise the address: every IPv6 spelling of an IPv4 address is
 *      judged as that IPv4 address (policy_addr_readings());
 *   2. always-denied: any category holding the address (or a metadata pinned
 *      name) that the zone has not lifted denies -- except that the job's
 *      own listener passes the loopback and host categories;
 *   3. deny rules (address or pinned name), lowest index first;
 *   4. the job's own listener, then allow rules, lowest index first;
 *   5. default deny;
 *   6. a spelling that reaches further IPv4 hosts (Teredo's server, the
 *      other RFC 6052 positions of the NAT64 local-use prefix) is denied
 *      when any of them is: the stricter answer, named with @via; one of
 *      them in the always-denied set outranks any other answer.
 *
 * An always-denied verdict carries a hint that is checked, not guessed:
 * steps 3-5 are decided as if every category holding the request were
 * lifted, and the hint names all those lifts plus, when that would still be
 * a default deny, an allow rule for exactly this request; when a deny rule
 * would still match, no addition helps and the hint is empty. The same for
 * metadata names (resolve) and system sockets (unix).
 *
 * Not responsible for where the inputs come from (netstack, sentry).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/zone_tables_priv.h"

#define ZONE_DECIDE_PINNED_MAX 16

static void zone_decide_init(const struct zone_tables *t,
			     struct policy_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->verdict = POLICY_VERDICT_DENY;
	out->reason = POLICY_REASON_DEFAULT;
	out->zone = t ? t->zone->name : "?";
}

static int zone_decide_invalid(struct policy_decision *out, const char *why)
{
	out->verdict = POLICY_VERDICT_DENY;
	out->reason = POLICY_REASON_INVALID;
	out->detail = why;
	return 0;
}

static int zone_decide_rule(const struct zone_tables *t, unsigned idx,
			    enum policy_verdict v, struct policy_decision *out)
{
	out->verdict = v;
	out->reason = POLICY_REASON_RULE;
	out->rule = &t->zone->rules[idx];
	return 0;
}

static int zone_decide_always(enum policy_category c,
			      struct policy_decision *out)
{
	out->verdict = POLICY_VERDICT_DENY;
	out->reason = POLICY_REASON_ALWAYS_DENIED;
	out->category = c;
	return 0;
}

/* Append to @out->hint, bounded (a truncated hint is emptied: never a
 * half statement). */
static void zone_decide_hint_add(struct policy_decision *out, const char *fmt,
				 ...) __attribute__((format(printf, 2, 3)));

static void zone_decide_hint_add(struct policy_decision *out, const char *fmt,
				 ...)
{
	size_t len = strlen(out->hint);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out->hint + len, sizeof(out->hint) - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(out->hint) - len)
		out->hint[0] = '\0';
}

/* "'lift a b'" for the categories in @lifts, in the report order. */
static void zone_decide_hint_lifts(struct policy_decision *out, unsigned lifts)
{
	static const enum policy_category order[] = {
		POLICY_CATEGORY_METADATA,	POLICY_CATEGORY_HOST,
		POLICY_CATEGORY_LOOPBACK,	POLICY_CATEGORY_LINK_LOCAL,
		POLICY_CATEGORY_PRIVATE,	POLICY_CATEGORY_MULTICAST,
		POLICY_CATEGORY_SYSTEM_SOCKETS,
	};
	const char *sep = "'lift";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(lifts & (1u << order[i])))
			continue;
		zone_decide_hint_add(out, "%s %s", sep,
				     policy_category_name(order[i]));
		sep = "";
	}
	zone_decide_hint_add(out, "'");
}

/*
 * @out is an always-denied verdict for the categories @lifts; @after is the
 * decision with all of them lifted. The hint: the lifts when @after allows,
 * nothing when a deny rule decides @after, else the lifts and @allow (a
 * statement allowing exactly this request; NULL: none can be written).
 */
static void zone_decide_hint(struct policy_decision *out, unsigned lifts,
			     const struct policy_decision *after,
			     const char *allow)
{
	out->hint[0] = '\0';
	if (after->verdict != POLICY_VERDICT_ALLOW &&
	    (after->reason == POLICY_REASON_RULE || !allow))
		return;
	zone_decide_hint_lifts(out, lifts);
	if (after->verdict != POLICY_VERDICT_ALLOW && out->hint[0])
		zone_decide_hint_add(out, " and '%s'", allow);
}

static bool zone_decide_own_listener(const struct policy_runtime *rt,
				     unsigned proto, uint16_t port)
{
	size_t i;

	if (!rt)
		return false;
	for (i = 0; i < rt->n_listeners; i++)
		if ((rt->listeners[i].proto & proto) &&
		    rt->listeners[i].port == port)
			return true;
	return false;
}

static bool zone_decide_is_host(const struct policy_runtime *rt,
				const struct policy_addr *judged)
{
	struct policy_addr h;
	size_t i;

	if (!rt)
		return false;
	for (i = 0; i < rt->n_host_addrs; i++) {
		policy_addr_normalize(&rt->host_addrs[i], &h);
		if (h.family == judged->family &&
		    !memcmp(h.b, judged->b, sizeof(h.b)))
			return true;
	}
	return false;
}

/* The categories holding @judged, in the order they are reported. */
static const enum policy_category zone_decide_order[] = {
	POLICY_CATEGORY_METADATA, POLICY_CATEGORY_HOST,
	POLICY_CATEGORY_LOOPBACK, POLICY_CATEGORY_LINK_LOCAL,
	POLICY_CATEGORY_PRIVATE,  POLICY_CATEGORY_MULTICAST,
};

static int zone_decide_connect_one(const struct zone_tables *t,
				   const struct policy_runtime *rt,
				   const struct policy_connect *c,
				   const struct policy_addr *judged,
				   bool primary, struct policy_decision *out);
static void zone_decide_connect_allow(const struct policy_connect *c,
				      const struct policy_addr *judged,
				      const char *name, char *out, size_t len);

/* The always-denied categories holding @a (the host's addresses too). */
static unsigned zone_decide_mask(const struct policy_runtime *rt,
				 const struct policy_addr *a)
{
	unsigned mask = policy_always_addr_mask(a);

	if (zone_decide_is_host(rt, a))
		mask |= 1u << POLICY_CATEGORY_HOST;
	return mask;
}

/*
 * Whether always-denied category @cat, unlifted in @z, holds a destination
 * whose categories are @mask (own: the job's own listener on loopback or
 * the host, which those two categories let through).
 */
static bool zone_decide_holds(const struct zone *z, enum policy_category cat,
			      unsigned mask, bool own)
{
	if (!(mask & (1u << cat)) || (z->lifts & (1u << cat)) ||
	    !policy_always_applies(cat, z->trusted))
		return false;
	return !own ||
	       (cat != POLICY_CATEGORY_LOOPBACK && cat != POLICY_CATEGORY_HOST);
}

/* The first category of @mask the zone denies (own: loopback, host pass). */
static enum policy_category zone_decide_denied_cat(const struct zone *z,
						   unsigned mask, bool own)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zone_decide_order); i++)
		if (zone_decide_holds(z, zone_decide_order[i], mask, own))
			return zone_decide_order[i];
	return POLICY_CATEGORY_NONE;
}

/*
 * A further reading @a of the destination (policy_addr_readings()): the
 * always-denied set and deny rules only; with @strict a whole decision.
 * Return: true when it denies (*@out filled).
 */
static bool zone_decide_also(const struct zone_tables *t,
			     const struct policy_runtime *rt,
			     const struct policy_connect *c,
			     const struct policy_addr *a, bool strict,
			     struct policy_decision *out)
{
	struct policy_connect one = *c;
	enum policy_category cat;
	unsigned idx;

	if (strict) {
		one.addr = *a;
		one.pinned = NULL;
		one.n_pinned = 0;
		zone_decide_connect_one(t, rt, &one, a, false, out);
		return out->verdict == POLICY_VERDICT_DENY;
	}
	cat = zone_decide_denied_cat(t->zone, zone_decide_mask(rt, a), false);
	if (cat != POLICY_CATEGORY_NONE) {
		zone_decide_always(cat, out);
		return true;
	}
	idx = zone_tables_cidr_lookup(&t->cidr[1][a->family == 4 ? 0 : 1], a,
				      c->proto, c->port);
	if (idx == UINT_MAX)
		return false;
	zone_decide_rule(t, idx, POLICY_VERDICT_DENY, out);
	return true;
}

/* Further reading @i of @rd decided: @also is the answer, named as such. */
static int zone_decide_via(struct policy_decision *out,
			   const struct policy_decision *also,
			   const struct policy_addr_readings *rd, size_t i)
{
	*out = *also;
	out->embed = rd->embed;
	out->judged = rd->judged;
	out->has_via = true;
	out->via = rd->also[i];
	return 0;
}

int zone_decide_connect(const struct zone_tables *t,
			const struct policy_runtime *rt,
			const struct policy_connect *c,
			struct policy_decision *out)
{
	struct policy_addr_readings rd;
	struct policy_decision also;
	size_t i;

	zone_decide_init(t, out);
	if (!t || !c)
		return zone_decide_invalid(out, "no request");
	if ((c->proto != POLICY_PROTO_TCP && c->proto != POLICY_PROTO_UDP) ||
	    !c->port)
		return zone_decide_invalid(out,
					   "protocol or port out of range");
	if (!c->have_addr)
		return zone_decide_connect_one(t, rt, c, NULL, true, out);
	if (c->addr.family != 4 && c->addr.family != 6)
		return zone_decide_invalid(out, "unknown address family");
	policy_addr_readings(&c->addr, &rd);
	zone_decide_connect_one(t, rt, c, &rd.judged, true, out);
	out->embed = rd.embed;
	out->judged = rd.judged;
	if (out->reason == POLICY_REASON_ALWAYS_DENIED)
		return 0;
	/*
	 * The stricter answer. The always-denied set first, whatever the
	 * judged address got: it is the stronger statement (the DNS proxy
	 * strips such answers, hints name the lift).
	 */
	for (i = 0; i < rd.n_also; i++) {
		struct policy_connect one = *c;
		char allow[POLICY_NAME_MAX + 64];

		if (zone_decide_denied_cat(t->zone,
					   zone_decide_mask(rt, &rd.also[i]),
					   false) == POLICY_CATEGORY_NONE)
			continue;
		/* Its own checked hint; the judged address's needs on top. */
		one.addr = rd.also[i];
		one.pinned = NULL;
		one.n_pinned = 0;
		zone_decide_connect_one(t, rt, &one, &rd.also[i], false, &also);
		if (out->verdict == POLICY_VERDICT_DENY &&
		    out->reason == POLICY_REASON_RULE) {
			also.hint[0] = '\0';
		} else if (out->verdict == POLICY_VERDICT_DENY &&
			   also.hint[0]) {
			zone_decide_connect_allow(c, &rd.judged, NULL, allow,
						  sizeof(allow));
			zone_decide_hint_add(&also, " and '%s'", allow);
		}
		return zone_decide_via(out, &also, &rd, i);
	}
	if (out->verdict == POLICY_VERDICT_DENY)
		return 0;
	/* Then any further reading that denies decides. */
	for (i = 0; i < rd.n_also; i++) {
		zone_decide_init(t, &also);
		if (zone_decide_also(t, rt, c, &rd.also[i], rd.strict[i],
				     &also))
			return zone_decide_via(out, &also, &rd, i);
	}
	return 0;
}

/* Steps 3-5 of connect on normalised @names (the always-denied set left
 * out): fills *@out's verdict, reason and rule. */
static void zone_decide_connect_rules(const struct zone_tables *t,
				      const struct policy_connect *c,
				      char (*names)[POLICY_NAME_MAX + 1],
				      size_t n_names, bool own,
				      struct policy_decision *out)
{
	int fam = out->judged.family == 4 ? 0 : 1;
	unsigned best, idx;
	size_t i;

	/* 3. Deny rules. */
	best = c->have_addr
		       ? zone_tables_cidr_lookup(&t->cidr[1][fam], &out->judged,
						 c->proto, c->port)
		       : UINT_MAX;
	for (i = 0; i < n_names; i++) {
		idx = zone_tables_name_lookup(&t->egress[1], names[i], c->proto,
					      c->port);
		if (idx < best)
			best = idx;
	}
	if (best != UINT_MAX) {
		zone_decide_rule(t, best, POLICY_VERDICT_DENY, out);
		return;
	}

	/* 4. The job's own listener, then allow rules. */
	if (own) {
		out->verdict = POLICY_VERDICT_ALLOW;
		out->reason = POLICY_REASON_OWN_LISTENER;
		return;
	}
	best = c->have_addr
		       ? zone_tables_cidr_lookup(&t->cidr[0][fam], &out->judged,
						 c->proto, c->port)
		       : UINT_MAX;
	for (i = 0; i < n_names; i++) {
		idx = zone_tables_name_lookup(&t->egress[0], names[i], c->proto,
					      c->port);
		if (idx < best)
			best = idx;
	}
	if (best != UINT_MAX)
		zone_decide_rule(t, best, POLICY_VERDICT_ALLOW, out);
	/* 5. Else nothing allowed it: the default deny zone_decide_init()
	 * left. */
}

/* The allow statement for exactly @c (on @judged, or its first name). */
static void zone_decide_connect_allow(const struct policy_connect *c,
				      const struct policy_addr *judged,
				      const char *name, char *out, size_t len)
{
	const char *proto = c->proto == POLICY_PROTO_UDP ? "udp" : "tcp";
	char a[64];

	if (c->have_addr && policy_addr_fmt(judged, a, sizeof(a)) == 0)
		snprintf(out, len, "allow %s %s%s%s:%u", proto,
			 judged->family == 6 ? "[" : "", a,
			 judged->family == 6 ? "]" : "", c->port);
	else
		snprintf(out, len, "allow %s %s:%u", proto, name ? name : "?",
			 c->port);
}

/*
 * One reading: @judged (NULL: no address, names only); @primary: the
 * pinned names and the job's own listeners count (they belong to the
 * address the job named, not to what else it reaches).
 */
static int zone_decide_connect_one(const struct zone_tables *t,
				   const struct policy_runtime *rt,
				   const struct policy_connect *c,
				   const struct policy_addr *judged,
				   bool primary, struct policy_decision *out)
{
	char names[ZONE_DECIDE_PINNED_MAX][POLICY_NAME_MAX + 1];
	char allow[POLICY_NAME_MAX + 64];
	struct policy_decision after;
	enum policy_category first = POLICY_CATEGORY_NONE;
	const struct zone *z;
	unsigned mask = 0, lifts = 0;
	size_t n_names = 0, i;
	bool own = false;

	zone_decide_init(t, out);
	if (!t || !c)
		return zone_decide_invalid(out, "no request");
	z = t->zone;
	if ((c->proto != POLICY_PROTO_TCP && c->proto != POLICY_PROTO_UDP) ||
	    !c->port)
		return zone_decide_invalid(out,
					   "protocol or port out of range");
	if (judged) {
		out->judged = *judged;
		mask = zone_decide_mask(rt, judged);
		own = primary &&
		      zone_decide_own_listener(rt, c->proto, c->port) &&
		      (mask & ((1u << POLICY_CATEGORY_LOOPBACK) |
			       (1u << POLICY_CATEGORY_HOST)));
	} else if (!c->n_pinned) {
		return zone_decide_invalid(out, "neither address nor name");
	}
	if (c->n_pinned > ZONE_DECIDE_PINNED_MAX)
		return zone_decide_invalid(out, "too many pinned names");
	for (i = 0; primary && i < c->n_pinned; i++) {
		const char *s = c->pinned[i];

		if (!s || policy_name_normalize((const uint8_t *)s, strlen(s),
						names[n_names], NULL))
			return zone_decide_invalid(out, "invalid pinned name");
		n_names++;
	}

	/* 1-2. The always-denied set: every unlifted category holding it. */
	for (i = 0; i < ARRAY_SIZE(zone_decide_order); i++) {
		enum policy_category cat = zone_decide_order[i];

		if (!zone_decide_holds(z, cat, mask, own))
			continue;
		lifts |= 1u << cat;
		if (first == POLICY_CATEGORY_NONE)
			first = cat;
	}
	if (!(z->lifts & (1u << POLICY_CATEGORY_METADATA)))
		for (i = 0; i < n_names; i++)
			if (policy_always_name_match(names[i])) {
				lifts |= 1u << POLICY_CATEGORY_METADATA;
				if (first == POLICY_CATEGORY_NONE)
					first = POLICY_CATEGORY_METADATA;
			}

	/* 3-5, as they stand, or as they would with every lift. */
	zone_decide_connect_rules(t, c, names, n_names, own, out);
	if (first == POLICY_CATEGORY_NONE)
		return 0;
	after = *out;
	zone_decide_always(first, out);
	out->rule = NULL;
	zone_decide_connect_allow(c, &out->judged, n_names ? names[0] : NULL,
				  allow, sizeof(allow));
	zone_decide_hint(out, lifts, &after, allow);
	return 0;
}

int zone_decide_resolve(const struct zone_tables *t, const char *name,
			size_t len, struct policy_decision *out)
{
	char n[POLICY_NAME_MAX + 1];
	unsigned idx;

	zone_decide_init(t, out);
	if (!t || !name)
		return zone_decide_invalid(out, "no request");
	if (policy_name_normalize((const uint8_t *)name, len, n, &out->detail))
		return zone_decide_invalid(out, out->detail);
	idx = zone_tables_name_lookup(&t->resolve[1], n, POLICY_PROTO_ANY, 1);
	if (idx != UINT_MAX) {
		zone_decide_rule(t, idx, POLICY_VERDICT_DENY, out);
	} else {
		idx = zone_tables_name_lookup(&t->resolve[0], n,
					      POLICY_PROTO_ANY, 1);
		if (idx != UINT_MAX)
			zone_decide_rule(t, idx, POLICY_VERDICT_ALLOW, out);
	}
	if (!(t->zone->lifts & (1u << POLICY_CATEGORY_METADATA)) &&
	    policy_always_name_match(n)) {
		struct policy_decision after = *out;
		char allow[POLICY_NAME_MAX + 16];

		zone_decide_always(POLICY_CATEGORY_METADATA, out);
		out->rule = NULL;
		snprintf(allow, sizeof(allow), "dns allow %s", n);
		zone_decide_hint(out, 1u << POLICY_CATEGORY_METADATA, &after,
				 allow);
	}
	return 0;
}

int zone_decide_listen(const struct zone_tables *t, const struct policy_addr *a,
		       unsigned proto, uint16_t port,
		       struct policy_decision *out)
{
	static const struct policy_addr lo4 = {4, {127}};
	static const struct policy_addr lo6 = {
		6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
	const struct zone *z;

	zone_decide_init(t, out);
	if (!t || !a || (a->family != 4 && a->family != 6))
		return zone_decide_invalid(out, "unknown address family");
	if (proto != POLICY_PROTO_TCP && proto != POLICY_PROTO_UDP)
		return zone_decide_invalid(out, "protocol out of range");
	(void)port; /* Any port, the job's own choice; recorded by callers. */
	z = t->zone;
	out->embed = policy_addr_normalize(a, &out->judged);
	if (policy_addr_match(&lo4, 8, &out->judged) ||
	    policy_addr_match(&lo6, 128, &out->judged)) {
		out->verdict = POLICY_VERDICT_ALLOW;
		out->reason = POLICY_REASON_LOOPBACK;
		return 0;
	}
	out->reason = POLICY_REASON_LISTEN;
	if (z->listen_set)
		out->loc = z->listen_loc;
	out->verdict = z->listen == POLICY_LISTEN_ALLOW ? POLICY_VERDICT_ALLOW
		       : z->listen == POLICY_LISTEN_LOOPBACK
			       ? POLICY_VERDICT_LOOPBACK
			       : POLICY_VERDICT_DENY;
	return 0;
}

static bool zone_decide_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return true;
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static bool zone_decide_unix_match(const struct policy_runtime *rt,
				   const char *pattern, const char *path)
{
	char expanded[4096];

	if (policy_unix_expand(pattern, rt, expanded, sizeof(expanded)))
		return false;
	return zone_decide_prefix(path, expanded);
}

static unsigned zone_decide_unix_rules(const struct zone_tables *t,
				       const struct policy_runtime *rt, int a,
				       const char *path)
{
	size_t i;

	/* Stored in rule order: the first match has the lowest index. */
	for (i = 0; i < t->n_unix[a]; i++) {
		const struct policy_rule *r =
			&t->zone->rules[t->unix_rules[a][i]];

		if (!r->abstract && zone_decide_unix_match(rt, r->path, path))
			return r->index;
	}
	return UINT_MAX;
}

/* The first abstract rule of action @a naming exactly @name. */
static unsigned zone_decide_abstract_rules(const struct zone_tables *t, int a,
					   const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->n_unix[a]; i++) {
		const struct policy_rule *r =
			&t->zone->rules[t->unix_rules[a][i]];

		if (r->abstract && r->path_len == len &&
		    !memcmp(r->path, name, len))
			return r->index;
	}
	return UINT_MAX;
}

/*
 * Abstract names are byte strings of explicit length (NULs included) and
 * compared as such: deny rules, the job's own names, allow rules, default
 * deny -- the order of connect's.
 */
static int zone_decide_abstract(const struct zone_tables *t,
				const struct policy_runtime *rt,
				const char *name, size_t len,
				struct policy_decision *out)
{
	unsigned idx;
	size_t i;

	idx = zone_decide_abstract_rules(t, 1, name, len);
	if (idx != UINT_MAX)
		return zone_decide_rule(t, idx, POLICY_VERDICT_DENY, out);
	out->reason = POLICY_REASON_ABSTRACT;
	for (i = 0; rt && i < rt->n_abstract_bound; i++) {
		const struct policy_abstract *b = &rt->abstract_bound[i];

		if (b->name && b->len == len && !memcmp(b->name, name, len)) {
			out->verdict = POLICY_VERDICT_ALLOW;
			return 0;
		}
	}
	idx = zone_decide_abstract_rules(t, 0, name, len);
	if (idx != UINT_MAX)
		return zone_decide_rule(t, idx, POLICY_VERDICT_ALLOW, out);
	return 0;
}

/* Unix rules and defaults on @norm, the system sockets left out. */
static void zone_decide_unix_after(const struct zone_tables *t,
				   const struct policy_runtime *rt,
				   const char *norm,
				   struct policy_decision *out)
{
	static const char *const defaults[] = {"$CWD", "$TMPDIR", "$WORKSPACE"};
	unsigned idx;
	size_t i;

	idx = zone_decide_unix_rules(t, rt, 1, norm);
	if (idx != UINT_MAX) {
		zone_decide_rule(t, idx, POLICY_VERDICT_DENY, out);
		return;
	}
	idx = zone_decide_unix_rules(t, rt, 0, norm);
	if (idx != UINT_MAX) {
		zone_decide_rule(t, idx, POLICY_VERDICT_ALLOW, out);
		return;
	}
	if (t->zone->unix_defaults)
		for (i = 0; i < ARRAY_SIZE(defaults); i++)
			if (zone_decide_unix_match(rt, defaults[i], norm)) {
				out->verdict = POLICY_VERDICT_ALLOW;
				out->reason = POLICY_REASON_UNIX_DEFAULT;
				out->detail = defaults[i];
				return;
			}
}

/* "unix allow \"PATH\"", quoted as policy_rule_fmt() quotes; NULL when
 * it does not fit a rule. */
static const char *zone_decide_unix_allow(const char *norm, char *out,
					  size_t len)
{
	size_t o, i;

	if (strlen(norm) > POLICY_PATH_MAX)
		return NULL;
	o = (size_t)snprintf(out, len, "unix allow \"");
	for (i = 0; norm[i] && o + 3 < len; i++) {
		if (norm[i] == '"' || norm[i] == '\\')
			out[o++] = '\\';
		out[o++] = norm[i];
	}
	if (norm[i] || o + 2 > len)
		return NULL;
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

int zone_decide_unix(const struct zone_tables *t,
		     const struct policy_runtime *rt, const char *path,
		     size_t len, bool abstract, struct policy_decision *out)
{
	char norm[4096], allow[2 * POLICY_PATH_MAX + 16];
	size_t i;

	zone_decide_init(t, out);
	if (!t || !path)
		return zone_decide_invalid(out, "no request");
	if (abstract)
		return zone_decide_abstract(t, rt, path, len, out);
	if (memchr(path, '\0', len) ||
	    policy_unix_path_normalize(path, len, norm, sizeof(norm)))
		return zone_decide_invalid(
			out, "path not absolute, or with '.' or '..'");
	zone_decide_unix_after(t, rt, norm, out);
	if (!(t->zone->lifts & (1u << POLICY_CATEGORY_SYSTEM_SOCKETS)))
		for (i = 0; i < policy_always_n_sockets; i++)
			if (zone_decide_unix_match(rt, policy_always_sockets[i],
						   norm)) {
				struct policy_decision after = *out;

				zone_decide_always(
					POLICY_CATEGORY_SYSTEM_SOCKETS, out);
				out->rule = NULL;
				out->detail = NULL;
				zone_decide_hint(
					out,
					1u << POLICY_CATEGORY_SYSTEM_SOCKETS,
					&after,
					zone_decide_unix_allow(norm, allow,
							       sizeof(allow)));
				break;
			}
	return 0;
}

int zone_decide_netlink(const struct zone_tables *t,
			const struct policy_netlink *n,
			struct policy_decision *out)
{
	zone_decide_init(t, out);
	if (!t || !n)
		return zone_decide_invalid(out, "no request");
	out->reason = POLICY_REASON_NETLINK;
	if (!n->route)
		out->detail = "not a NETLINK_ROUTE socket";
	else if (n->portid)
		out->detail = "destination is a process, not the kernel "
			      "(nl_pid != 0)";
	else if (n->groups)
		out->detail = "destination is a multicast group (nl_groups)";
	else if (n->control)
		out->detail = "control data (it would carry the supervisor's "
			      "credentials)";
	if (out->detail)
		return 0;
	out->verdict = POLICY_VERDICT_ALLOW;
	out->detail = "NETLINK_ROUTE request to the kernel";
	return 0;
}

/*
 * The path an fs rule stands for at run time: the resolved one the caller
 * gave (what the Landlock domain was made from), else the expansion. NULL:
 * the rule is inactive.
 */
static const char *zone_decide_fs_path(const struct policy_runtime *rt,
				       const struct policy_rule *r, char *buf,
				       size_t len)
{
	if (rt && rt->fs_paths)
		return r->index < rt->n_fs_paths ? rt->fs_paths[r->index]
						 : NULL;
	return policy_unix_expand(r->path, rt, buf, len) ? NULL : buf;
}

int zone_decide_open(const struct zone_tables *t,
		     const struct policy_runtime *rt, const char *path,
		     size_t len, unsigned access, struct policy_decision *out)
{
	char norm[4096], buf[4096];
	const struct zone *z;
	unsigned granted = 0, first = UINT_MAX;
	bool any = false;
	size_t i;
	int pass;

	zone_decide_init(t, out);
	if (!t || !path)
		return zone_decide_invalid(out, "no request");
	if (!access || (access & ~(unsigned)POLICY_FS_ALL))
		return zone_decide_invalid(out, "no access asked for");
	if (memchr(path, '\0', len) ||
	    policy_unix_path_normalize(path, len, norm, sizeof(norm)))
		return zone_decide_invalid(
			out, "path not absolute, or with '.' or '..'");
	z = t->zone;
	/* Pass 0: deny rules, lowest index first. Pass 1: the allows. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < z->n_rules; i++) {
			const struct policy_rule *r = &z->rules[i];
			const char *rp;

			if (r->kind != POLICY_RULE_KIND_FS)
				continue;
			any = true;
			if ((r->action == POLICY_ACTION_DENY) != (pass == 0))
				continue;
			rp = zone_decide_fs_path(rt, r, buf, sizeof(buf));
			if (!rp || !zone_decide_prefix(norm, rp))
				continue;
			if (pass == 0)
				return zone_decide_rule(
					t, r->index, POLICY_VERDICT_DENY, out);
			if ((r->fs_access & access) && first == UINT_MAX)
				first = r->index;
			granted |= r->fs_access;
		}
	}
	if (!any) {
		out->verdict = POLICY_VERDICT_ALLOW;
		out->reason = POLICY_REASON_FS_NONE;
		return 0;
	}
	if ((granted & access) == access && first != UINT_MAX)
		return zone_decide_rule(t, first, POLICY_VERDICT_ALLOW, out);
	/* Partly granted: the rule that gave the rest is named, denying. */
	if (first != UINT_MAX) {
		zone_decide_rule(t, first, POLICY_VERDICT_DENY, out);
		out->detail = "the rule grants less than asked";
	}
	return 0;
}
