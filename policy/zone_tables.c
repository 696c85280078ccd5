/* SPDX-License-Identifier: MIT */
/*
 * zone_tables.c - compile a zone into the tables its decisions read:
 * per action and family, CIDR entries sorted by (prefix length, network) so
 * that a lookup is one binary search per distinct prefix length; per action,
 * hostnames sorted for exact lookup and "*.suffix" rules sorted by suffix so
 * that a name is looked up once per label boundary; the resolve tables merge
 * hostname egress rules (which imply DNS) with dns rules. Every entry keeps
 * its rule index; among matches the lowest index names the rule.
 * Not responsible for the order of checks (zone_decide.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "policy/zone_tables_priv.h"

static int zone_tables_cidr_cmp(const void *a, const void *b)
{
	const struct zone_tables_cidr *x = a, *y = b;
	int d;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	d = memcmp(x->b, y->b, sizeof(x->b));
	if (d)
		return d;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int zone_tables_name_cmp(const void *a, const void *b)
{
	const struct zone_tables_name *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	if (d)
		return d;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void zone_tables_mask(uint8_t b[16], unsigned prefix)
{
	unsigned i;

	for (i = prefix; i < 128; i++)
		b[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static int zone_tables_cidr_add(struct zone_tables_cidrs *t,
				const struct policy_rule *r)
{
	struct zone_tables_cidr *e;

	e = realloc(t->e, (t->n + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	t->e = e;
	e = &t->e[t->n++];
	memcpy(e->b, r->addr.b, sizeof(e->b));
	zone_tables_mask(e->b, r->prefix);
	e->prefix = (uint8_t)r->prefix;
	e->proto = (uint8_t)r->proto;
	e->lo = r->port_lo;
	e->hi = r->port_hi;
	e->idx = r->index;
	return 0;
}

static int zone_tables_name_add(struct zone_tables_names *t,
				const struct policy_rule *r, bool any)
{
	struct zone_tables_name **arr, *e;
	size_t *n;

	if (r->host_kind == POLICY_HOST_KIND_SUFFIX) {
		arr = &t->suffix;
		n = &t->n_suffix;
	} else {
		arr = &t->exact;
		n = &t->n_exact;
	}
	e = realloc(*arr, (*n + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	*arr = e;
	e = &e[(*n)++];
	e->name = r->name;
	e->proto = any ? POLICY_PROTO_ANY : (uint8_t)r->proto;
	e->lo = any ? 1 : r->port_lo;
	e->hi = any ? 65535 : r->port_hi;
	e->idx = r->index;
	return 0;
}

static void zone_tables_cidr_finish(struct zone_tables_cidrs *t)
{
	size_t i;

	/* qsort(NULL, 0, ...) is undefined: empty tables stay NULL. */
	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), zone_tables_cidr_cmp);
	t->n_prefixes = 0;
	for (i = 0; i < t->n; i++)
		if (!t->n_prefixes ||
		    t->prefixes[t->n_prefixes - 1] != t->e[i].prefix)
			t->prefixes[t->n_prefixes++] = t->e[i].prefix;
}

static void zone_tables_names_finish(struct zone_tables_names *t)
{
	if (t->n_exact)
		qsort(t->exact, t->n_exact, sizeof(*t->exact),
		      zone_tables_name_cmp);
	if (t->n_suffix)
		qsort(t->suffix, t->n_suffix, sizeof(*t->suffix),
		      zone_tables_name_cmp);
}

static int zone_tables_add(struct zone_tables *t, const struct policy_rule *r)
{
	int a = r->action == POLICY_ACTION_ALLOW ? 0 : 1;
	unsigned *u;
	int rc = 0;

	switch (r->kind) {
	case POLICY_RULE_KIND_EGRESS:
		if (r->host_kind == POLICY_HOST_KIND_CIDR)
			return zone_tables_cidr_add(
				&t->cidr[a][r->addr.family == 4 ? 0 : 1], r);
		rc = zone_tables_name_add(&t->egress[a], r, false);
		/*
		 * A hostname allow implies resolving it; a deny implies it
		 * only when it covers every protocol and port.
		 */
		if (!rc && (a == 0 || (r->proto == POLICY_PROTO_ANY &&
				       r->port_lo == 1 && r->port_hi == 65535)))
			rc = zone_tables_name_add(&t->resolve[a], r, true);
		return rc;
	case POLICY_RULE_KIND_DNS:
		return zone_tables_name_add(&t->resolve[a], r, true);
	case POLICY_RULE_KIND_UNIX:
		u = realloc(t->unix_rules[a], (t->n_unix[a] + 1) * sizeof(*u));
		if (!u)
			return -ENOMEM;
		t->unix_rules[a] = u;
		u[t->n_unix[a]++] = r->index;
		return 0;
	case POLICY_RULE_KIND_FS:
		return 0; /* few: zone_decide_open() walks the rules */
	}
	return -EINVAL;
}

int zone_tables_new(const struct zone *z, struct zone_tables **out)
{
	struct zone_tables *t = calloc(1, sizeof(*t));
	size_t i;
	int a, f;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->zone = z;
	for (i = 0; i < z->n_rules; i++) {
		if (zone_tables_add(t, &z->rules[i])) {
			zone_tables_free(t);
			return -ENOMEM;
		}
	}
	for (a = 0; a < 2; a++) {
		for (f = 0; f < 2; f++)
			zone_tables_cidr_finish(&t->cidr[a][f]);
		zone_tables_names_finish(&t->egress[a]);
		zone_tables_names_finish(&t->resolve[a]);
	}
	*out = t;
	return 0;
}

void zone_tables_free(struct zone_tables *t)
{
	int a, f;

	if (!t)
		return;
	for (a = 0; a < 2; a++) {
		for (f = 0; f < 2; f++)
			free(t->cidr[a][f].e);
		free(t->egress[a].exact);
		free(t->egress[a].suffix);
		free(t->resolve[a].exact);
		free(t->resolve[a].suffix);
		free(t->unix_rules[a]);
	}
	free(t);
}

const struct zone *zone_tables_zone(const struct zone_tables *t)
{
	return t->zone;
}

static bool zone_tables_ports(uint8_t proto, uint16_t lo, uint16_t hi,
			      unsigned req_proto, uint16_t port)
{
	return (proto & req_proto) && lo <= port && port <= hi;
}

unsigned zone_tables_cidr_lookup(const struct zone_tables_cidrs *t,
				 const struct policy_addr *a, unsigned proto,
				 uint16_t port)
{
	unsigned best = UINT_MAX;
	size_t i;

	for (i = 0; i < t->n_prefixes; i++) {
		struct zone_tables_cidr key;
		size_t lo = 0, hi = t->n;

		memset(&key, 0, sizeof(key));
		memcpy(key.b, a->b, sizeof(key.b));
		zone_tables_mask(key.b, t->prefixes[i]);
		key.prefix = t->prefixes[i];
		/* Lower bound of (prefix, network) with idx 0. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (zone_tables_cidr_cmp(&t->e[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < t->n && t->e[lo].prefix == key.prefix &&
		       !memcmp(t->e[lo].b, key.b, sizeof(key.b));
		     lo++) {
			const struct zone_tables_cidr *e = &t->e[lo];

			if (zone_tables_ports(e->proto, e->lo, e->hi, proto,
					      port)) {
				if (e->idx < best)
					best = e->idx;
				break;
			}
		}
	}
	return best;
}

static unsigned zone_tables_name_find(const struct zone_tables_name *arr,
				      size_t n, const char *name,
				      unsigned proto, uint16_t port)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(arr[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && !strcmp(arr[lo].name, name); lo++)
		if (zone_tables_ports(arr[lo].proto, arr[lo].lo, arr[lo].hi,
				      proto, port))
			return arr[lo].idx;
	return UINT_MAX;
}

unsigned zone_tables_name_lookup(const struct zone_tables_names *t,
				 const char *name, unsigned proto,
				 uint16_t port)
{
	unsigned best, idx;
	const char *dot;

	best = zone_tables_name_find(t->exact, t->n_exact, name, proto, port);
	for (dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
		idx = zone_tables_name_find(t->suffix, t->n_suffix, dot + 1,
					    proto, port);
		if (idx < best)
			best = idx;
	}
	return best;
}
