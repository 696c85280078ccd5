/* SPDX-License-Identifier: MIT */
/*
 * fs_plan.c - the zone's filesystem rules made concrete for one run: each
 * rule's path expanded ($WORKSPACE, $TMPDIR, $HOME, $CWD) and resolved,
 * deny rules applied, and the list of (path, access) grants the Landlock
 * domain is made from (platform/landlock.c). Not responsible for the
 * decision itself (policy's zone_decide_open(), which reads the same
 * resolved paths) nor for entering the domain (platform_spawn()).
 *
 * Theory of operation
 * -------------------
 * Landlock only grants, down a tree; a deny rule has to be made out of
 * grants. For an allow rule A and the deny rules D (paths resolved):
 *  1. a D at A's path or above it takes A away entirely;
 *  2. a D strictly below A, when A is only readable or executable: A's
 *     directory is granted listing only, and each of its entries on its
 *     own - the entry that leads to D split the same way, D itself left
 *     out. An entry that is a symlink is granted as the tree it resolves to
 *     (what Landlock does with its path) unless that tree holds or lies in
 *     a D. Entries made later under A get nothing, which for a tree the job
 *     cannot write only the owner (root, for /etc) can notice;
 *  3. a D strictly below a writable A cannot be made of grants (the job
 *     could make new entries beside D, or rename D's parent): the policy
 *     compiler refuses the rules as written (policy_zone.c); placeholders
 *     that only nest once expanded (a $WORKSPACE inside $HOME) are refused
 *     here, naming both rules, and the run does not start (exit 125).
 * Paths are resolved with realpath() as the supervisor (already the job's
 * user when started as root); a rule whose path does not exist is
 * inactive, recorded as NULL in the per-rule paths. The supervisor owns
 * the plan; it is built before the spawn and read-only afterwards (the
 * open handlers read its paths from any thread).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define FS_PLAN_DEPTH_MAX 16

static bool fs_plan_covers(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return path[0] == '/';
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static int fs_plan_add(struct fs_plan *p, const char *path, unsigned access)
{
	struct platform_fs_rule *r;
	char *copy;

	if (p->n >= FS_PLAN_RULES_MAX)
		return -E2BIG;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		r = realloc(p->rules, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		p->rules = r;
		p->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	p->rules[p->n].path = copy;
	p->rules[p->n].access = access;
	p->n++;
	return 0;
}

/* Whether a deny of @p lies strictly below @path, or (@or_at) at it. */
static bool fs_plan_deny_below(const struct fs_plan *p, const struct zone *z,
			       const char *path, bool or_at)
{
	size_t i;

	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);
		const char *d = p->paths[i];

		if (r->kind != POLICY_RULE_KIND_FS ||
		    r->action != POLICY_ACTION_DENY || !d)
			continue;
		if (fs_plan_covers(path, d) && (or_at || strcmp(path, d)))
			return true;
	}
	return false;
}

/* Whether a deny covers @path (at it or above it). */
static bool fs_plan_denied(const struct fs_plan *p, const struct zone *z,
			   const char *path)
{
	size_t i;

	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->kind == POLICY_RULE_KIND_FS &&
		    r->action == POLICY_ACTION_DENY && p->paths[i] &&
		    fs_plan_covers(p->paths[i], path))
			return true;
	}
	return false;
}

/* Step 2 of the theory: @dir's entries one by one, the denied left out. */
static int fs_plan_split(struct fs_plan *p, const struct zone *z,
			 const char *dir, unsigned access, int depth)
{
	char child[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (depth > FS_PLAN_DEPTH_MAX)
		return -ELOOP;
	if (access & PLATFORM_FS_READ) {
		rc = fs_plan_add(p, dir, PLATFORM_FS_LIST);
		if (rc)
			return rc;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(child, sizeof(child), "%s/%s",
			     strcmp(dir, "/") ? dir : "",
			     de->d_name) >= (int)sizeof(child))
			continue;
		if (fs_plan_denied(p, z, child))
			continue;
		if (lstat(child, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) &&
		    fs_plan_deny_below(p, z, child, false)) {
			rc = fs_plan_split(p, z, child, access, depth + 1);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			/* Granted as what it resolves to: never a denied tree.
			 */
			if (!realpath(child, real) ||
			    fs_plan_denied(p, z, real) ||
			    fs_plan_deny_below(p, z, real, true))
				continue;
		}
		rc = fs_plan_add(p, child, access);
	}
	closedir(d);
	return rc;
}

static unsigned fs_plan_access(unsigned policy_access)
{
	return (policy_access & POLICY_FS_READ ? PLATFORM_FS_READ : 0) |
	       (policy_access & POLICY_FS_WRITE ? PLATFORM_FS_WRITE : 0) |
	       (policy_access & POLICY_FS_EXEC ? PLATFORM_FS_EXEC : 0);
}

/* The first deny strictly below @path, for the error message. */
static const struct policy_rule *fs_plan_first_below(const struct fs_plan *p,
						     const struct zone *z,
						     const char *path)
{
	size_t i;

	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->kind == POLICY_RULE_KIND_FS &&
		    r->action == POLICY_ACTION_DENY && p->paths[i] &&
		    strcmp(p->paths[i], path) &&
		    fs_plan_covers(path, p->paths[i]))
			return r;
	}
	return NULL;
}

int fs_plan_build(const struct zone *z, const struct policy_runtime *rt,
		  struct fs_plan *p, char *why, size_t len)
{
	char buf[PATH_MAX], real[PATH_MAX];
	size_t i, n = zone_rule_count(z);
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->paths = calloc(n ? n : 1, sizeof(*p->paths));
	if (!p->paths)
		return -ENOMEM;
	p->n_paths = n;
	for (i = 0; i < n; i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->kind != POLICY_RULE_KIND_FS ||
		    policy_unix_expand(r->path, rt, buf, sizeof(buf)) ||
		    !realpath(buf, real))
			continue;
		p->paths[i] = strdup(real);
		if (!p->paths[i])
			return -ENOMEM;
	}
	for (i = 0; !rc && i < n; i++) {
		const struct policy_rule *r = zone_rule_get(z, i), *d;
		const char *a = p->paths[i];
		unsigned acc;

		if (r->kind != POLICY_RULE_KIND_FS ||
		    r->action != POLICY_ACTION_ALLOW || !a ||
		    fs_plan_denied(p, z, a))
			continue;
		acc = fs_plan_access(r->fs_access);
		if (!fs_plan_deny_below(p, z, a, false)) {
			rc = fs_plan_add(p, a, acc);
			continue;
		}
		if (r->fs_access & POLICY_FS_WRITE) {
			d = fs_plan_first_below(p, z, a);
			snprintf(why, len,
				 "%s:%u:%u: 'fs deny' of %s lies inside %s, "
				 "which %s:%u:%u makes writable: Landlock "
				 "cannot take access away inside a writable "
				 "tree (grant the entries beside it instead)",
				 d ? d->loc.file : "?", d ? d->loc.line : 0,
				 d ? d->loc.col : 0,
				 d ? p->paths[d->index] : "?", a, r->loc.file,
				 r->loc.line, r->loc.col);
			return -EINVAL;
		}
		rc = fs_plan_split(p, z, a, acc, 0);
	}
	if (rc == -E2BIG)
		snprintf(why, len, "more than %d filesystem grants",
			 FS_PLAN_RULES_MAX);
	else if (rc)
		snprintf(why, len, "%s", strerror(-rc));
	return rc;
}

void fs_plan_free(struct fs_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		free((char *)p->rules[i].path);
	free(p->rules);
	for (i = 0; i < p->n_paths; i++)
		free(p->paths[i]);
	free(p->paths);
	memset(p, 0, sizeof(*p));
}
