/* SPDX-License-Identifier: MIT */
/*
 * runas.c - who the job runs as when cordon is started as root, and the
 * supervisor's drop to that id (shared/DESIGN.md invariant 10). Resolves
 * `--user NAME|UID[:GROUP|GID]`, refuses root and ids that are not the
 * caller's own, and drops every privilege: ids, groups, capabilities in
 * every set, the bounding set, securebits locked, no_new_privs.
 *
 * Theory of operation
 * -------------------
 * The supervisor drops to the job's uid/gid itself, right after it opened
 * what it needs as root (the audit log, the --report-json file), before it
 * creates any socket, pipe or process; the job's first process is forked
 * from it and inherits exactly those credentials. Why the supervisor and
 * not only the job:
 *
 *  - It performs calls for the job (open on the supervisor layer, connect,
 *    bind, sendmsg): performed as root they would bypass file permissions,
 *    bind ports below 1024, show root in SO_PEERCRED to a unix peer and let
 *    a job's SCM_CREDENTIALS claim any uid (scm_check_creds() accepts a
 *    sender with CAP_SETUID/CAP_SETGID/CAP_SYS_ADMIN). As the job's uid
 *    with no capabilities the kernel applies to each exactly the checks it
 *    would apply to the job (invariant 9).
 *  - What it needs of the job, it has as the same uid: pidfd_getfd(),
 *    process_vm_readv() and /proc/PID/mem pass ptrace_may_access() for a
 *    dumpable process of the same uid whose permitted capabilities are a
 *    subset of ours (both empty), as for an unprivileged cordon. The job is
 *    then exactly where an unprivileged user's job is: same uid as its
 *    supervisor, which is non-dumpable and outside the job's Landlock
 *    domain - the model the lateral tests check.
 *  - The anchor (guard.c) stays root: it reads nothing of the job, and it
 *    gives the workspace back (workspace.c) once the tree is dead.
 *
 * Order matters (capabilities(7)): PR_SET_SECUREBITS and PR_CAPBSET_DROP
 * need CAP_SETPCAP, so both come while still root; setresuid() from 0 to
 * non-zero then clears the permitted, effective and ambient sets (the
 * "setuid fixup", which SECBIT_NO_SETUID_FIXUP_LOCKED keeps on); capset()
 * empties the inheritable set, which setresuid() leaves alone. A change of
 * euid also resets the parent-death signal and the dumpable flag
 * (commit_creds()): the caller re-arms the first (guard_rearm()), this file
 * makes the process non-dumpable again. Every step is then checked by
 * reading it back; any mismatch fails the run before the job exists.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

/* The locked securebits every dropped process carries (capabilities(7)). */
#define RUNAS_SECUREBITS                                                       \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |                                \
	 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |             \
	 SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/* The default job user: "nobody" from passwd, or 65534:65534 without one. */
#define RUNAS_DEFAULT_NAME "nobody"
#define RUNAS_DEFAULT_ID 65534u

static void __attribute__((format(printf, 3, 4)))
runas_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* A decimal id (no sign, no spaces, < 2^32 - 1: (uid_t)-1 means "none"). */
static bool runas_number(const char *s, unsigned *out)
{
	unsigned long long v = 0;
	const char *p;

	if (!*s)
		return false;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		if (v >= 0xffffffffULL)
			return false;
	}
	*out = (unsigned)v;
	return true;
}

static void runas_fill_from_pw(struct runas *r, const struct passwd *pw)
{
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	snprintf(r->name, sizeof(r->name), "%s", pw->pw_name);
	snprintf(r->home, sizeof(r->home), "%s",
		 pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/nonexistent");
}

/* The user part of a spec: a name, or a uid with or without passwd entry. */
static int runas_user(const char *user, struct runas *r, char *why, size_t len)
{
	struct passwd *pw;
	unsigned id;

	if (runas_number(user, &id)) {
		pw = getpwuid((uid_t)id);
		if (pw) {
			runas_fill_from_pw(r, pw);
			return 0;
		}
		/* No entry (an arbitrary container uid): its own group. */
		r->uid = (uid_t)id;
		r->gid = (gid_t)id;
		snprintf(r->name, sizeof(r->name), "%u", id);
		snprintf(r->home, sizeof(r->home), "/nonexistent");
		return 0;
	}
	pw = getpwnam(user);
	if (!pw) {
		runas_why(why, len, "--user %s: no such user", user);
		return -ENOENT;
	}
	runas_fill_from_pw(r, pw);
	return 0;
}

static int runas_group(const char *group, struct runas *r, char *why,
		       size_t len)
{
	struct group *gr;
	unsigned id;

	if (runas_number(group, &id)) {
		r->gid = (gid_t)id;
		return 0;
	}
	gr = getgrnam(group);
	if (!gr) {
		runas_why(why, len, "--user ...:%s: no such group", group);
		return -ENOENT;
	}
	r->gid = gr->gr_gid;
	return 0;
}

/* Not root: a spec may only name the caller's own ids (nothing to drop). */
static int runas_check_unprivileged(const char *spec, struct runas *r,
				    char *why, size_t len)
{
	if (r->uid != getuid()) {
		snprintf(
			why, len,
			"--user %s: only root can run the job as another user (you are uid %u)",
			spec, (unsigned)getuid());
		return -EPERM;
	}
	if (r->gid != getgid()) {
		snprintf(
			why, len,
			"--user %s: only root can run the job with another group (your gid is %u)",
			spec, (unsigned)getgid());
		return -EPERM;
	}
	r->drop = false;
	return 0;
}

int runas_resolve(const char *spec, bool allow_root, struct runas *r, char *why,
		  size_t len)
{
	char user[256];
	const char *colon;
	size_t ulen;
	int rc;

	memset(r, 0, sizeof(*r));
	if (getuid() != geteuid() || getgid() != getegid()) {
		snprintf(
			why, len,
			"real and effective ids differ (uid %u/%u, gid %u/%u): cordon must not be installed setuid or setgid",
			(unsigned)getuid(), (unsigned)geteuid(),
			(unsigned)getgid(), (unsigned)getegid());
		return -EPERM;
	}
	if (!spec) {
		struct passwd *pw;

		if (geteuid() != 0 || allow_root) {
			/* The caller's own ids: nothing to drop. */
			pw = getpwuid(getuid());
			if (pw)
				runas_fill_from_pw(r, pw);
			r->uid = getuid();
			r->gid = getgid();
			r->drop = false;
			return 0;
		}
		pw = getpwnam(RUNAS_DEFAULT_NAME);
		if (pw && pw->pw_uid != 0 && pw->pw_gid != 0) {
			runas_fill_from_pw(r, pw);
		} else {
			r->uid = RUNAS_DEFAULT_ID;
			r->gid = RUNAS_DEFAULT_ID;
			snprintf(r->name, sizeof(r->name), "%u",
				 RUNAS_DEFAULT_ID);
			snprintf(r->home, sizeof(r->home), "/nonexistent");
		}
		r->drop = true;
		return 0;
	}
	colon = strchr(spec, ':');
	ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	if (!ulen || ulen >= sizeof(user) || (colon && !colon[1])) {
		runas_why(
			why, len,
			"--user %s: expected NAME, UID, NAME:GROUP or UID:GID",
			spec);
		return -EINVAL;
	}
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	rc = runas_user(user, r, why, len);
	if (rc == 0 && colon)
		rc = runas_group(colon + 1, r, why, len);
	if (rc < 0)
		return rc;
	if (geteuid() != 0)
		return runas_check_unprivileged(spec, r, why, len);
	if ((r->uid == 0 || r->gid == 0) && !allow_root) {
		snprintf(
			why, len,
			"--user %s: the job would run as %s 0; that needs --allow-root-job",
			spec, r->uid == 0 ? "uid" : "gid");
		return -EPERM;
	}
	if (r->uid == 0 && r->gid != 0) {
		runas_why(
			why, len,
			"--user %s: a root job keeps root's own groups; give uid 0 alone",
			spec);
		return -EINVAL;
	}
	r->drop = r->uid != 0;
	return 0;
}

/* Capability sets of this process, 64 bits each (_LINUX_CAPABILITY_VERSION_3).
 */
static int runas_capget(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int runas_capclear(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* Drop every capability the kernel knows from the bounding set. */
static int runas_bounding_drop(void)
{
	int cap;

	for (cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			return errno == EINVAL ? 0 : -errno; /* past the last */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	}
	return 0;
}

int runas_verify(const struct runas *r)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[2];
	uint64_t eff = 0, prm = 0, inh = 0;
	int cap, n, rc;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (ru != r->uid || eu != r->uid || su != r->uid || rg != r->gid ||
	    eg != r->gid || sg != r->gid ||
	    setfsuid((uid_t)-1) != (int)r->uid ||
	    setfsgid((gid_t)-1) != (int)r->gid)
		return -EPERM;
	n = getgroups(2, groups);
	if (n < 0)
		return -errno;
	if (n != 1 || groups[0] != r->gid)
		return -EPERM;
	rc = runas_capget(&eff, &prm, &inh);
	if (rc < 0)
		return rc;
	if (eff || prm || inh)
		return -EPERM;
	for (cap = 0; cap < 64; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (in < 0)
			break;
		if (in || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0,
				0) != 0)
			return -EPERM;
	}
	if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != RUNAS_SECUREBITS ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -EPERM;
	return 0;
}

int runas_drop(const struct runas *r)
{
	gid_t g = r->gid;
	int rc;

	if (!r->drop)
		return 0;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -errno;
	if (prctl(PR_SET_SECUREBITS, RUNAS_SECUREBITS, 0, 0, 0) < 0)
		return -errno;
	rc = runas_bounding_drop();
	if (rc < 0)
		return rc;
	if (setgroups(1, &g) < 0 || setresgid(g, g, g) < 0 ||
	    setresuid(r->uid, r->uid, r->uid) < 0)
		return -errno;
	rc = runas_capclear();
	if (rc < 0)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return runas_verify(r);
}
