/* SPDX-License-Identifier: MIT */
/*
 * zone.c - read access to a validated zone for the modules above policy/
 * (netstack, sentry's resource accounting and syscall table, the CLI).
 * Not responsible for building zones (policy_parse.c, policy_zone.c).
 */
#include "policy/policy_priv.h"

const char *zone_name(const struct zone *z)
{
	return z->name;
}

bool zone_trusted(const struct zone *z)
{
	return z->trusted;
}

enum policy_listen zone_listen(const struct zone *z)
{
	return z->listen;
}

bool zone_lifted(const struct zone *z, enum policy_category c)
{
	return (unsigned)c < POLICY_CATEGORY_COUNT && (z->lifts & (1u << c));
}

bool zone_unix_defaults(const struct zone *z)
{
	return z->unix_defaults;
}

size_t zone_rule_count(const struct zone *z)
{
	return z->n_rules;
}

const struct policy_rule *zone_rule_get(const struct zone *z, size_t i)
{
	return i < z->n_rules ? &z->rules[i] : NULL;
}

bool zone_fs_confined(const struct zone *z)
{
	size_t i;

	for (i = 0; i < z->n_rules; i++)
		if (z->rules[i].kind == POLICY_RULE_KIND_FS)
			return true;
	return false;
}

const struct policy_limits *zone_limits(const struct zone *z)
{
	return &z->limits;
}

const struct policy_syscall *zone_syscalls(const struct zone *z, size_t *n)
{
	*n = z->n_syscalls;
	return z->syscalls;
}

const struct policy_upstream *zone_dns_upstreams(const struct zone *z,
						 size_t *n)
{
	*n = z->n_upstreams;
	return z->upstreams;
}
