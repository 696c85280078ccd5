/* SPDX-License-Identifier: MIT */
/*
 * policy_zone.c - from parsed zones to the zone a run uses: "extends" is
 * resolved by copying the parent and applying the child's own settings and
 * rules after it (cycles reported with their chain), whole-zone checks run
 * (duplicate rules, rules the always-denied set makes dead), and --allow,
 * --deny and --limit overrides are parsed into a copy of the chosen zone.
 * Not responsible for rule syntax (policy_rule.c) or decisions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_priv.h"

#define TOKQ(s, n) (int)((n) > 80 ? 80 : (n)), (s)

static void policy_zone_chain(struct policy *p, const struct zone *z, char *out,
			      size_t outlen)
{
	const struct zone *cur = z;
	size_t o = 0, steps;
	int n;

	out[0] = '\0';
	for (steps = 0; cur && steps <= p->n_zones; steps++) {
		n = snprintf(out + o, outlen - o, "%s%s", steps ? " -> " : "",
			     cur->name);
		if (n < 0 || (size_t)n >= outlen - o)
			return;
		o += (size_t)n;
		if (steps && cur == z)
			return;
		cur = cur->has_parent ? policy_zone_lookup(p, cur->parent)
				      : NULL;
	}
}

/* Apply @own (a child's own settings) on top of @z (a copy of the parent). */
static int policy_zone_merge(struct zone *z, const struct zone *own)
{
	size_t i, j;
	int c;

	memcpy(z->name, own->name, sizeof(z->name));
	z->loc = own->loc;
	z->builtin = own->builtin;
	z->has_parent = true;
	memcpy(z->parent, own->parent, sizeof(z->parent));
	z->parent_loc = own->parent_loc;
	if (own->trust_set) {
		z->trusted = own->trusted;
		z->trust_set = true;
		z->trust_loc = own->trust_loc;
	}
	if (own->listen_set) {
		z->listen = own->listen;
		z->listen_set = true;
		z->listen_loc = own->listen_loc;
	}
	for (c = 0; c < POLICY_CATEGORY_COUNT; c++) {
		if ((own->lifts & (1u << c)) && !(z->lifts & (1u << c)))
			z->lift_loc[c] = own->lift_loc[c];
	}
	z->lifts |= own->lifts;
	if (own->unix_defaults_set) {
		z->unix_defaults = own->unix_defaults;
		z->unix_defaults_set = true;
		z->unix_defaults_loc = own->unix_defaults_loc;
	}
	if (own->upstream_set) {
		z->upstream_set = true;
		z->upstream_loc = own->upstream_loc;
		memcpy(z->upstreams, own->upstreams, sizeof(z->upstreams));
		z->n_upstreams = own->n_upstreams;
	}
	for (i = 0; i < POLICY_LIMIT_COUNT; i++) {
		if (own->limits.set[i]) {
			z->limits.set[i] = true;
			z->limits.value[i] = own->limits.value[i];
			z->limits.loc[i] = own->limits.loc[i];
		}
	}
	if (own->limits.slot_set) {
		z->limits.slot_set = true;
		z->limits.slot_count = own->limits.slot_count;
		z->limits.slot_loc = own->limits.slot_loc;
		memcpy(z->limits.slot_name, own->limits.slot_name,
		       sizeof(z->limits.slot_name));
	}
	if (own->limits.log_overflow_set) {
		z->limits.log_overflow_set = true;
		z->limits.log_overflow = own->limits.log_overflow;
		z->limits.log_overflow_loc = own->limits.log_overflow_loc;
	}
	if (own->limits.egress_overflow_set) {
		z->limits.egress_overflow_set = true;
		z->limits.egress_overflow = own->limits.egress_overflow;
		z->limits.egress_overflow_loc = own->limits.egress_overflow_loc;
	}
	for (i = 0; i < own->n_syscalls; i++) {
		for (j = 0; j < z->n_syscalls; j++)
			if (!strcmp(z->syscalls[j].name, own->syscalls[i].name))
				break;
		if (j < z->n_syscalls)
			z->syscalls[j] = own->syscalls[i];
		else if (policy_zone_push_syscall(z, &own->syscalls[i]))
			return -ENOMEM;
	}
	for (i = 0; i < own->n_rules; i++)
		if (policy_zone_push_rule(z, &own->rules[i]))
			return -ENOMEM;
	return 0;
}

static int policy_zone_resolve_one(struct policy *p, struct zone *z)
{
	const char *names[POLICY_ZONES_MAX];
	struct zone *parent, merged;
	char chain[256], hint[160];
	const char *sugg;
	size_t i;
	int rc;

	switch (z->state) {
	case ZONE_STATE_DONE:
		return 0;
	case ZONE_STATE_BROKEN:
		return -EINVAL;
	case ZONE_STATE_RESOLVING:
		policy_zone_chain(p, z, chain, sizeof(chain));
		policy_diag_at(p, &z->parent_loc, "a zone cannot extend itself",
			       "zone '%s' extends itself: %s", z->name, chain);
		z->state = ZONE_STATE_BROKEN;
		return -EINVAL;
	case ZONE_STATE_PARSED:
		break;
	}
	if (!z->has_parent) {
		z->state = ZONE_STATE_DONE;
		return 0;
	}
	parent = policy_zone_lookup(p, z->parent);
	if (!parent) {
		for (i = 0; i < p->n_zones && i < ARRAY_SIZE(names); i++)
			names[i] = p->zones[i]->name;
		sugg = policy_parse_suggest(z->parent, strlen(z->parent), names,
					    i);
		if (sugg)
			snprintf(hint, sizeof(hint), "did you mean '%s'?",
				 sugg);
		else
			hint[0] = '\0';
		policy_diag_at(p, &z->parent_loc, hint, "unknown zone '%s'",
			       z->parent);
		z->state = ZONE_STATE_BROKEN;
		return -EINVAL;
	}
	z->state = ZONE_STATE_RESOLVING;
	rc = policy_zone_resolve_one(p, parent);
	if (rc) {
		z->state = ZONE_STATE_BROKEN;
		return rc;
	}
	if (parent->n_rules + z->n_rules > POLICY_ZONE_RULES_MAX) {
		policy_diag_at(p, &z->loc, "",
			       "too many rules in zone '%s' (limit %d)",
			       z->name, POLICY_ZONE_RULES_MAX);
		z->state = ZONE_STATE_BROKEN;
		return -EINVAL;
	}
	if (policy_zone_copy(&merged, parent))
		return -ENOMEM;
	if (policy_zone_merge(&merged, z)) {
		free(merged.rules);
		free(merged.syscalls);
		return -ENOMEM;
	}
	free(z->rules);
	free(z->syscalls);
	*z = merged;
	z->state = ZONE_STATE_DONE;
	/* Checks report only the child's own rules; the parent had its turn. */
	return policy_zone_check(p, z, parent->n_rules);
}

static int policy_zone_rule_sort_cmp(const void *a, const void *b)
{
	const struct policy_rule *ra = *(const struct policy_rule *const *)a;
	const struct policy_rule *rb = *(const struct policy_rule *const *)b;
	int d = policy_rule_cmp(ra, rb);

	if (d)
		return d;
	return ra->index < rb->index ? -1 : ra->index > rb->index;
}

static void policy_zone_dead(struct policy *p, const struct zone *z,
			     const struct policy_rule *r)
{
	char hint[192], lifts[128] = "";
	struct dynbuf text;
	size_t i, n;
	int cat = POLICY_CATEGORY_NONE;

	if (r->action != POLICY_ACTION_ALLOW ||
	    r->kind == POLICY_RULE_KIND_UNIX || r->kind == POLICY_RULE_KIND_FS)
		return;
	if (r->host_kind == POLICY_HOST_KIND_CIDR) {
		for (i = 0; i < policy_always_n_ranges; i++) {
			const struct policy_always_range *a =
				&policy_always_ranges[i];

			if (!policy_always_applies(a->category, z->trusted) ||
			    (z->lifts & (1u << a->category)))
				continue;
			if (r->prefix < a->prefix ||
			    !policy_addr_match(&a->net, a->prefix, &r->addr))
				continue;
			/* Every category holding the range needs its lift
			 * (169.254.169.254 is metadata and link-local). */
			n = strlen(lifts);
			if (!strstr(lifts, policy_category_name(a->category)))
				snprintf(lifts + n, sizeof(lifts) - n, "%s%s",
					 n ? " " : "",
					 policy_category_name(a->category));
			if (cat == POLICY_CATEGORY_NONE)
				cat = a->category;
		}
	} else if (!(z->lifts & (1u << POLICY_CATEGORY_METADATA)) &&
		   policy_always_name_match(r->name)) {
		cat = POLICY_CATEGORY_METADATA;
		snprintf(lifts, sizeof(lifts), "metadata");
	}
	if (cat == POLICY_CATEGORY_NONE)
		return;
	dynbuf_init(&text, 512);
	policy_rule_fmt(r, &text);
	/* A long zone name is cut: the hint stays a hint. */
	if (snprintf(hint, sizeof(hint),
		     "add 'lift %s' to zone '%s' if this is intended", lifts,
		     z->name) >= (int)sizeof(hint))
		hint[sizeof(hint) - 1] = '\0';
	policy_diag_at(p, &r->loc, hint,
		       "rule '%s' can never match: always denied (%s)",
		       text.data ? text.data : "", policy_category_name(cat));
	dynbuf_free(&text);
}

/* Whether lexical prefix @prefix covers @path at a '/' boundary. */
static bool policy_zone_covers(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return path[0] == '/';
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

/*
 * A deny strictly inside a writable allow: Landlock only adds access down
 * a tree, and a writable directory cannot be split into its entries (the
 * job could create new ones, or rename the denied one away), so such a
 * deny cannot be honoured (docs/filesystem.md). Inside a tree that is only
 * readable or executable, a deny is honoured by granting the entries beside
 * it one by one (sentry/fs_plan.c). Paths are compared as written: two
 * placeholders that expand to nested paths are caught at run time.
 */
static void policy_zone_fs_check(struct policy *p, const struct zone *z,
				 const struct policy_rule *d, size_t first_own)
{
	char hint[640];
	size_t i;

	if (d->kind != POLICY_RULE_KIND_FS || d->action != POLICY_ACTION_DENY)
		return;
	for (i = 0; i < z->n_rules; i++) {
		const struct policy_rule *a = &z->rules[i];

		if (a->kind != POLICY_RULE_KIND_FS ||
		    a->action != POLICY_ACTION_ALLOW ||
		    !(a->fs_access & POLICY_FS_WRITE) ||
		    !strcmp(a->path, d->path) ||
		    !policy_zone_covers(a->path, d->path) ||
		    (d->index < first_own && a->index < first_own))
			continue;
		snprintf(
			hint, sizeof(hint),
			"Landlock cannot take access away inside a writable tree: grant the entries of \"%s\" beside \"%s\" one by one instead of the whole tree",
			a->path, d->path);
		policy_diag_at(
			p, &d->loc, hint,
			"'fs deny \"%s\"' lies inside \"%s\", writable by the rule at %s:%u:%u",
			d->path, a->path, a->loc.file, a->loc.line, a->loc.col);
		return;
	}
}

int policy_zone_check(struct policy *p, struct zone *z, size_t first_own)
{
	const struct policy_rule **sorted;
	size_t before = p->n_diags + p->dropped, i;
	struct dynbuf text;

	for (i = first_own; i < z->n_rules; i++)
		policy_zone_dead(p, z, &z->rules[i]);
	/* Inherited allows count: a child's deny inside a parent's tree. */
	for (i = 0; i < z->n_rules; i++)
		policy_zone_fs_check(p, z, &z->rules[i], first_own);
	if (z->n_rules > 1) {
		sorted = malloc(z->n_rules * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		for (i = 0; i < z->n_rules; i++)
			sorted[i] = &z->rules[i];
		qsort(sorted, z->n_rules, sizeof(*sorted),
		      policy_zone_rule_sort_cmp);
		for (i = 1; i < z->n_rules; i++) {
			const struct policy_rule *a = sorted[i - 1];
			const struct policy_rule *b = sorted[i];

			if (b->index < first_own || policy_rule_cmp(a, b))
				continue;
			dynbuf_init(&text, 512);
			policy_rule_fmt(b, &text);
			policy_diag_at(
				p, &b->loc, "remove one of them",
				"duplicate rule '%s' (first at %s:%u:%u)",
				text.data ? text.data : "", a->loc.file,
				a->loc.line, a->loc.col);
			dynbuf_free(&text);
		}
		free(sorted);
	}
	if (p->n_diags + p->dropped != before) {
		z->state = ZONE_STATE_BROKEN;
		return -EINVAL;
	}
	return 0;
}

int policy_zone_resolve(struct policy *p)
{
	size_t i;
	int rc = 0, r;

	/* Zones without a parent are checked here; children in resolve_one. */
	for (i = 0; i < p->n_zones; i++) {
		struct zone *z = p->zones[i];

		if (z->state == ZONE_STATE_PARSED && !z->has_parent) {
			z->state = ZONE_STATE_DONE;
			r = policy_zone_check(p, z, 0);
			if (r && !rc)
				rc = r;
		}
	}
	for (i = 0; i < p->n_zones; i++) {
		r = policy_zone_resolve_one(p, p->zones[i]);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

/* One --allow/--deny argument: "PROTO DEST", "dns NAME" or "unix PATH". */
/*
 * --allow 'listen [loopback|allow]' (bare: allow) or --deny listen: the
 * zone's listen mode, as the file's 'listen MODE' statement sets it.
 */
static int policy_zone_override_listen(struct policy *p, struct zone *z,
				       const char *file,
				       const struct policy_tok *t, size_t n,
				       enum policy_action action)
{
	static const char hint[] =
		"write --allow listen, --allow 'listen loopback' or --deny listen";
	enum policy_listen mode = action == POLICY_ACTION_ALLOW
					  ? POLICY_LISTEN_ALLOW
					  : POLICY_LISTEN_DENY;

	if (n > 2 || (n == 2 && action != POLICY_ACTION_ALLOW)) {
		policy_diag_add(p, file, 1, t[n - 1].col, hint,
				"unexpected '%.*s'",
				TOKQ(t[n - 1].s, t[n - 1].len));
		return -EINVAL;
	}
	if (n == 2) {
		if (!t[1].quoted && t[1].len == 8 &&
		    !memcmp(t[1].s, "loopback", 8))
			mode = POLICY_LISTEN_LOOPBACK;
		else if (t[1].quoted || t[1].len != 5 ||
			 memcmp(t[1].s, "allow", 5)) {
			policy_diag_add(p, file, 1, t[1].col, hint,
					"unknown listen mode '%.*s'",
					TOKQ(t[1].s, t[1].len));
			return -EINVAL;
		}
	}
	z->listen = mode;
	z->listen_set = true;
	z->listen_loc.file = file;
	z->listen_loc.line = 1;
	z->listen_loc.col = t[0].col;
	return 0;
}

static int policy_zone_override_rule(struct policy *p, struct zone *z,
				     const char *file, const char *arg,
				     enum policy_action action)
{
	static const char hint[] =
		"write 'tcp|udp|any HOST:PORT', 'dns NAME', 'unix PATH' or 'listen MODE'";
	char scratch[POLICY_LINE_MAX + POLICY_TOKS_MAX + 1];
	struct policy_tok t[POLICY_TOKS_MAX];
	struct policy_src src = {p, file, 1};
	struct policy_rule r;
	size_t n, len = strlen(arg);
	int rc;

	if (len > POLICY_LINE_MAX) {
		policy_diag_add(p, file, 1, 1, "", "rule longer than %d bytes",
				POLICY_LINE_MAX);
		return -EINVAL;
	}
	if (policy_tokenize(&src, (const uint8_t *)arg, len, scratch, t, &n))
		return -EINVAL;
	if (n && !t[0].quoted &&
	    ((t[0].len == 5 && !memcmp(t[0].s, "allow", 5)) ||
	     (t[0].len == 4 && !memcmp(t[0].s, "deny", 4)))) {
		policy_diag_add(p, file, 1, t[0].col, hint,
				"leave out '%.*s': the option says it",
				TOKQ(t[0].s, t[0].len));
		return -EINVAL;
	}
	if (n && !t[0].quoted && t[0].len == 6 && !memcmp(t[0].s, "listen", 6))
		return policy_zone_override_listen(p, z, file, t, n, action);
	if (n > 2) {
		policy_diag_add(p, file, 1, t[2].col, hint, "unexpected '%.*s'",
				TOKQ(t[2].s, t[2].len));
		return -EINVAL;
	}
	if (n < 2) {
		policy_diag_add(p, file, 1, 1, hint, "incomplete rule");
		return -EINVAL;
	}
	if (t[0].len == 3 && !memcmp(t[0].s, "dns", 3))
		rc = policy_rule_dns_parse(&src, action, &t[1], &r);
	else if (t[0].len == 4 && !memcmp(t[0].s, "unix", 4))
		rc = policy_rule_unix_parse(&src, action, &t[1], &r);
	else
		rc = policy_rule_egress_parse(&src, action, &t[0], &t[1], &r);
	if (rc)
		return rc;
	r.loc.col = t[0].col;
	if (z->n_rules >= POLICY_ZONE_RULES_MAX) {
		policy_diag_add(p, file, 1, 1, "", "too many rules (limit %d)",
				POLICY_ZONE_RULES_MAX);
		return -EINVAL;
	}
	return policy_zone_push_rule(z, &r);
}

/* One --limit argument: KEY=VALUE[,KEY=VALUE...]. */
static int policy_zone_override_limit(struct policy *p, struct zone *z,
				      const char *file, const char *arg,
				      bool *seen, size_t n_seen)
{
	struct policy_src src = {p, file, 1};
	size_t len = strlen(arg), off = 0;
	int rc = 0;

	if (!len) {
		policy_diag_add(p, file, 1, 1, "write KEY=VALUE[,KEY=VALUE...]",
				"empty limit");
		return -EINVAL;
	}
	while (off <= len) {
		const char *item = arg + off, *comma, *eq;
		struct policy_tok key, val;
		size_t ilen;

		comma = memchr(item, ',', len - off);
		ilen = comma ? (size_t)(comma - item) : len - off;
		eq = memchr(item, '=', ilen);
		if (!eq) {
			policy_diag_add(p, file, 1, (unsigned)off + 1,
					"write KEY=VALUE[,KEY=VALUE...]",
					"missing '=' in '%.*s'",
					TOKQ(item, ilen));
			rc = -EINVAL;
		} else {
			key.s = item;
			key.len = (size_t)(eq - item);
			key.col = (unsigned)off + 1;
			key.quoted = false;
			val.s = eq + 1;
			val.len = ilen - key.len - 1;
			val.col = key.col + (unsigned)key.len + 1;
			val.quoted = false;
			if (policy_limit_set(&src, &z->limits, &key, &val, seen,
					     n_seen))
				rc = -EINVAL;
		}
		if (!comma)
			break;
		off += ilen + 1;
	}
	return rc;
}

static int policy_zone_unknown(struct policy *p, const char *name)
{
	char hint[256];
	size_t i, o;

	o = (size_t)snprintf(hint, sizeof(hint), "zones:");
	for (i = 0; i < p->n_zones && o < sizeof(hint); i++)
		o += (size_t)snprintf(hint + o, sizeof(hint) - o, "%s %s",
				      i ? "," : "", p->zones[i]->name);
	policy_diag_add(p, policy_intern(p, "<--zone>"), 1, 1, hint,
			"unknown zone '%s'", name);
	return -ENOENT;
}

int policy_zone_effective(struct policy *p, const char *name,
			  const struct policy_overrides *o,
			  const struct zone **out)
{
	bool seen[POLICY_LIMIT_COUNT + 3] = {false};
	size_t before, i, first_own;
	char file[64];
	struct zone *base, *z, **grown;
	int rc;

	*out = NULL;
	rc = policy_finish(p);
	if (rc)
		return rc;
	base = policy_zone_lookup(p, name ? name : "fork-pr");
	if (!base)
		return policy_zone_unknown(p, name ? name : "fork-pr");
	if (!o || (!o->n_allow && !o->n_deny && !o->n_limit)) {
		*out = base;
		return 0;
	}
	z = policy_zone_alloc();
	if (!z)
		return -ENOMEM;
	if (policy_zone_copy(z, base)) {
		free(z);
		return -ENOMEM;
	}
	before = p->n_diags + p->dropped;
	first_own = z->n_rules;
	for (i = 0; i < o->n_allow; i++) {
		snprintf(file, sizeof(file), "<--allow #%zu>", i + 1);
		policy_zone_override_rule(p, z, policy_intern(p, file),
					  o->allow[i], POLICY_ACTION_ALLOW);
	}
	for (i = 0; i < o->n_deny; i++) {
		snprintf(file, sizeof(file), "<--deny #%zu>", i + 1);
		policy_zone_override_rule(p, z, policy_intern(p, file),
					  o->deny[i], POLICY_ACTION_DENY);
	}
	for (i = 0; i < o->n_limit; i++) {
		/*
		 * A key given again in a later --limit takes the last value
		 * (a CI default, then the job's own); twice in one --limit
		 * argument is still a mistake.
		 */
		memset(seen, 0, sizeof(seen));
		snprintf(file, sizeof(file), "<--limit #%zu>", i + 1);
		policy_zone_override_limit(p, z, policy_intern(p, file),
					   o->limit[i], seen, ARRAY_SIZE(seen));
	}
	if (p->n_diags + p->dropped == before)
		policy_zone_check(p, z, first_own);
	if (p->n_diags + p->dropped != before) {
		policy_zone_destroy(z);
		return -EINVAL;
	}
	grown = realloc(p->effective, (p->n_effective + 1) * sizeof(*grown));
	if (!grown) {
		policy_zone_destroy(z);
		return -ENOMEM;
	}
	p->effective = grown;
	grown[p->n_effective++] = z;
	z->state = ZONE_STATE_DONE;
	*out = z;
	return 0;
}
