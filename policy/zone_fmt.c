/* SPDX-License-Identifier: MIT */
/*
 * zone_fmt.c - the canonical text of a zone and its fingerprint. Every
 * setting is written out explicitly, rules keep their precedence order, and
 * the text parses back to a zone with the same text (tests check it), so the
 * xxh3 of this text identifies what a zone decides, not how it was spelled.
 * Not responsible for origin-free formatting of single rules
 * (policy_rule_fmt() in policy_rule.c).
 */
#include <stdio.h>

#include "policy/policy_priv.h"

static int zone_fmt_origin(struct dynbuf *out, unsigned flags, bool set,
			   const struct policy_loc *loc)
{
	if (!(flags & ZONE_FMT_ORIGINS))
		return dynbuf_add(out, "\n", 1);
	if (!set || !loc->file)
		return dynbuf_addf(out, "\t# default\n");
	return dynbuf_addf(out, "\t# %s:%u:%u\n", loc->file, loc->line,
			   loc->col);
}

static int zone_fmt_upstream(const struct policy_upstream *u,
			     struct dynbuf *out)
{
	char a[64];

	policy_addr_fmt(&u->addr, a, sizeof(a));
	if (u->addr.family == 6)
		return dynbuf_addf(out, "\tdns upstream [%s]:%u", a, u->port);
	return dynbuf_addf(out, "\tdns upstream %s:%u", a, u->port);
}

int zone_fmt(const struct zone *z, unsigned flags, struct dynbuf *out)
{
	static const char *const listen[] = {"deny", "loopback", "allow"};
	const struct policy_limits *l = &z->limits;
	int rc, c;
	size_t i;

	rc = dynbuf_addf(out, "zone %s {\n", z->name);
	rc = rc ? rc
		: dynbuf_addf(out, "\ttrust %s",
			      z->trusted ? "trusted" : "untrusted");
	rc = rc ? rc : zone_fmt_origin(out, flags, z->trust_set, &z->trust_loc);
	rc = rc ? rc : dynbuf_addf(out, "\tlisten %s", listen[z->listen]);
	rc = rc ? rc
		: zone_fmt_origin(out, flags, z->listen_set, &z->listen_loc);
	for (c = 1; !rc && c < POLICY_CATEGORY_COUNT; c++) {
		if (!(z->lifts & (1u << c)))
			continue;
		rc = dynbuf_addf(out, "\tlift %s", policy_category_name(c));
		rc = rc ? rc
			: zone_fmt_origin(out, flags, true, &z->lift_loc[c]);
	}
	if (!rc && !z->n_upstreams) {
		rc = dynbuf_addf(out, "\tdns upstream system");
		rc = rc ? rc
			: zone_fmt_origin(out, flags, z->upstream_set,
					  &z->upstream_loc);
	}
	for (i = 0; !rc && i < z->n_upstreams; i++) {
		rc = zone_fmt_upstream(&z->upstreams[i], out);
		rc = rc ? rc
			: zone_fmt_origin(out, flags, true,
					  &z->upstreams[i].loc);
	}
	rc = rc ? rc
		: dynbuf_addf(out, "\tunix defaults %s",
			      z->unix_defaults ? "on" : "off");
	rc = rc ? rc
		: zone_fmt_origin(out, flags, z->unix_defaults_set,
				  &z->unix_defaults_loc);
	for (i = 0; !rc && i < z->n_rules; i++) {
		rc = dynbuf_add(out, "\t", 1);
		rc = rc ? rc : policy_rule_fmt(&z->rules[i], out);
		rc = rc ? rc
			: zone_fmt_origin(out, flags, true, &z->rules[i].loc);
	}
	for (i = 0; !rc && i < POLICY_LIMIT_COUNT; i++) {
		if (!l->set[i])
			continue;
		rc = dynbuf_addf(out, "\tlimit %s ", policy_limit_key_name(i));
		rc = rc ? rc : policy_limit_value_fmt(i, l->value[i], out);
		rc = rc ? rc : zone_fmt_origin(out, flags, true, &l->loc[i]);
	}
	if (!rc && l->slot_set) {
		rc = dynbuf_addf(out, "\tlimit slot %s:%u", l->slot_name,
				 l->slot_count);
		rc = rc ? rc : zone_fmt_origin(out, flags, true, &l->slot_loc);
	}
	if (!rc && l->log_overflow_set) {
		rc = dynbuf_addf(out, "\tlimit log-overflow %s",
				 l->log_overflow == POLICY_LOG_OVERFLOW_KILL
					 ? "kill"
					 : "truncate");
		rc = rc ? rc
			: zone_fmt_origin(out, flags, true,
					  &l->log_overflow_loc);
	}
	if (!rc && l->egress_overflow_set) {
		rc = dynbuf_addf(out, "\tlimit egress-overflow %s",
				 l->egress_overflow ==
						 POLICY_EGRESS_OVERFLOW_KILL
					 ? "kill"
					 : "refuse");
		rc = rc ? rc
			: zone_fmt_origin(out, flags, true,
					  &l->egress_overflow_loc);
	}
	for (i = 0; !rc && i < z->n_syscalls; i++) {
		const struct policy_syscall *s = &z->syscalls[i];

		if (s->action == POLICY_SYSCALL_ACTION_DENY)
			rc = dynbuf_addf(out, "\tsyscall %s deny %s", s->name,
					 policy_errno_name(s->errno_value));
		else
			rc = dynbuf_addf(
				out, "\tsyscall %s %s", s->name,
				s->action == POLICY_SYSCALL_ACTION_ALLOW
					? "allow"
					: "notify");
		rc = rc ? rc : zone_fmt_origin(out, flags, true, &s->loc);
	}
	return rc ? rc : dynbuf_addf(out, "}\n");
}

int zone_fingerprint(const struct zone *z, uint64_t *out)
{
	struct dynbuf text;
	int rc;

	dynbuf_init(&text, 64u << 20);
	rc = zone_fmt(z, 0, &text);
	if (!rc)
		*out = digest_xxh3_buf(text.data, text.len);
	dynbuf_free(&text);
	return rc;
}
