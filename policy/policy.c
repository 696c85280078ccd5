/* SPDX-License-Identifier: MIT */
/*
 * policy.c - the lifetime of a policy: creation with the built-in zones, the
 * default file loader, interned file names, the zone registry and the small
 * zone containers. Not responsible for parsing (policy_parse.c) or for
 * resolving and checking zones (zone.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_priv.h"

static int policy_default_read(void *ctx, const char *path, struct dynbuf *text,
			       size_t max, char *id, size_t idlen)
{
	char real[PATH_MAX];
	int rc;

	(void)ctx;
	rc = fd_read_file(path, text, max);
	if (rc)
		return rc;
	/* The identity of a file for cycle checks is its resolved path. */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	snprintf(id, idlen, "%s", real);
	return 0;
}

struct policy *policy_new(unsigned flags)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->flags = flags;
	p->loader.read = policy_default_read;
	if (!(flags & POLICY_FLAG_NO_BUILTINS) && policy_parse_builtins(p)) {
		/* The built-ins are compiled in; only ENOMEM can fail here. */
		policy_free(p);
		return NULL;
	}
	return p;
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_zones; i++)
		policy_zone_destroy(p->zones[i]);
	for (i = 0; i < p->n_effective; i++)
		policy_zone_destroy(p->effective[i]);
	for (i = 0; i < p->n_interned; i++)
		free(p->interned[i]);
	free(p->zones);
	free(p->effective);
	free(p->interned);
	free(p->seen_ids);
	free(p);
}

void policy_set_loader(struct policy *p, const struct policy_loader *l)
{
	p->loader = *l;
}

const char *policy_intern(struct policy *p, const char *s)
{
	char **grown;
	size_t i;

	for (i = 0; i < p->n_interned; i++)
		if (!strcmp(p->interned[i], s))
			return p->interned[i];
	if (p->n_interned >= POLICY_INTERN_MAX)
		return NULL;
	grown = realloc(p->interned, (p->n_interned + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	p->interned = grown;
	grown[p->n_interned] = strdup(s);
	if (!grown[p->n_interned])
		return NULL;
	return grown[p->n_interned++];
}

bool policy_file_seen(const struct policy *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->n_seen_ids; i++)
		if (!strcmp(p->seen_ids[i], id))
			return true;
	return false;
}

const char *policy_file_add(struct policy *p, const char *id)
{
	const char *s = policy_intern(p, id);
	char **grown;

	if (!s)
		return NULL;
	grown = realloc(p->seen_ids, (p->n_seen_ids + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	p->seen_ids = grown;
	grown[p->n_seen_ids++] = (char *)s;
	p->n_files++;
	return s;
}

struct zone *policy_zone_alloc(void)
{
	struct zone *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->listen = POLICY_LISTEN_DENY;
	z->unix_defaults = true;
	return z;
}

void policy_zone_destroy(struct zone *z)
{
	if (!z)
		return;
	free(z->rules);
	free(z->syscalls);
	free(z);
}

int policy_zone_copy(struct zone *dst, const struct zone *src)
{
	struct zone tmp = *src;

	tmp.rules = NULL;
	tmp.syscalls = NULL;
	tmp.cap_rules = tmp.n_rules = 0;
	tmp.cap_syscalls = tmp.n_syscalls = 0;
	if (src->n_rules) {
		tmp.rules = malloc(src->n_rules * sizeof(*tmp.rules));
		if (!tmp.rules)
			return -ENOMEM;
		memcpy(tmp.rules, src->rules,
		       src->n_rules * sizeof(*tmp.rules));
		tmp.n_rules = tmp.cap_rules = src->n_rules;
	}
	if (src->n_syscalls) {
		tmp.syscalls = malloc(src->n_syscalls * sizeof(*tmp.syscalls));
		if (!tmp.syscalls) {
			free(tmp.rules);
			return -ENOMEM;
		}
		memcpy(tmp.syscalls, src->syscalls,
		       src->n_syscalls * sizeof(*tmp.syscalls));
		tmp.n_syscalls = tmp.cap_syscalls = src->n_syscalls;
	}
	*dst = tmp;
	return 0;
}

int policy_zone_push_rule(struct zone *z, const struct policy_rule *r)
{
	if (z->n_rules == z->cap_rules) {
		size_t cap = z->cap_rules ? z->cap_rules * 2 : 16;
		struct policy_rule *grown;

		grown = realloc(z->rules, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		z->rules = grown;
		z->cap_rules = cap;
	}
	z->rules[z->n_rules] = *r;
	z->rules[z->n_rules].index = (unsigned)z->n_rules;
	z->n_rules++;
	return 0;
}

int policy_zone_push_syscall(struct zone *z, const struct policy_syscall *s)
{
	if (z->n_syscalls == z->cap_syscalls) {
		size_t cap = z->cap_syscalls ? z->cap_syscalls * 2 : 8;
		struct policy_syscall *grown;

		grown = realloc(z->syscalls, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		z->syscalls = grown;
		z->cap_syscalls = cap;
	}
	z->syscalls[z->n_syscalls++] = *s;
	return 0;
}

int policy_zone_add(struct policy *p, struct zone *z)
{
	struct zone **grown;

	grown = realloc(p->zones, (p->n_zones + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	p->zones = grown;
	grown[p->n_zones++] = z;
	return 0;
}

struct zone *policy_zone_lookup(struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_zones; i++)
		if (!strcmp(p->zones[i]->name, name))
			return p->zones[i];
	return NULL;
}

size_t policy_zone_count(const struct policy *p)
{
	return p->n_zones;
}

const struct zone *policy_zone_get(const struct policy *p, size_t i)
{
	return i < p->n_zones ? p->zones[i] : NULL;
}

const struct zone *policy_zone_find(const struct policy *p, const char *name)
{
	return policy_zone_lookup((struct policy *)p, name);
}

int policy_finish(struct policy *p)
{
	int rc;

	if (p->finished)
		return p->finish_rc;
	rc = policy_zone_resolve(p);
	/* Any error recorded so far, in any file, fails the whole policy. */
	if (!rc && (p->n_diags || p->dropped))
		rc = -EINVAL;
	p->finished = true;
	p->finish_rc = rc;
	return rc;
}
