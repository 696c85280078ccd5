/* SPDX-License-Identifier: MIT */
/*
 * workspace.c - a root-owned checkout the job may build in: `--workspace
 * DIR` gives the tree under DIR to the job's user for the run and back to
 * its owners afterwards (chown and restore). Not responsible for who the
 * job is (runas.c) nor for when the restore runs (guard.c: the anchor, once
 * the job's tree is dead).
 *
 * Theory of operation
 * -------------------
 * Why ownership and not an ACL or a copy: a build needs more than write
 * access - it chmods, sets times (utimensat() with explicit times needs the
 * owner), replaces files - and a copy of a large checkout costs time and
 * leaves the outputs somewhere else. Ownership gives the job what it would
 * have as the checkout's owner, and POSIX ACLs are missing on some of the
 * filesystems CI uses.
 *
 * 1. Grant (the anchor, as root, before the supervisor exists): walk DIR
 *    without following symlinks and without crossing into other mounts
 *    (st_dev); record (dev, ino, uid, gid) of every entry and chown it to
 *    the job. Left as they are, and counted: a non-directory with more
 *    than one link (its other names may be outside DIR), a regular file
 *    with the set-user-ID or set-group-ID bit (chown would clear it, and it
 *    must never come back on another inode), devices, sockets and FIFOs,
 *    other mounts.
 * 2. Restore (the anchor, after the supervisor exited and every job
 *    process is dead): the same walk. A recorded inode gets its recorded
 *    owner back. An entry the job made (owned by the job's uid, not
 *    recorded) goes to DIR's own owner, as if that owner had built it -
 *    unless it is a non-directory with several links (a link the job made
 *    to its own file elsewhere): left to the job's user, counted. chown
 *    clears set-user-ID and set-group-ID on what it changes (the kernel
 *    does, for every caller), so nothing the job marked that way keeps the
 *    bit. No mode is ever restored.
 * 3. Names. The job is not running during either walk, but other processes
 *    of its uid may be. A directory is opened O_DIRECTORY | O_NOFOLLOW,
 *    checked to be the inode stat() saw, and changed through that fd. The
 *    grant changes a directory after its entries, the restore before them:
 *    so while its entries are walked a directory that was root's alone
 *    (owned by root, no group or other write bit) is root's alone, no one
 *    else can rename or replace a name in it, and its entries are changed
 *    by name (fchownat(AT_SYMLINK_NOFOLLOW): chown -R's cost). In any other
 *    directory each entry is opened (O_PATH | O_NOFOLLOW), checked against
 *    what was looked at, and changed through that fd (AT_EMPTY_PATH), so a
 *    name swapped meanwhile changes nothing. Measured here (2 vCPUs,
 *    load 16), 100k empty files in 200 root-only directories, grant plus
 *    restore inside one `cordon run -- true`, three rounds alternating:
 *    4.6 / 5.4 / 6.2 s, against 8.3 / 9.2 / 10.4 s with an fd per entry
 *    everywhere and 3.2 / 4.3 / 7.0 s for `chown -R` there and back.
 * What the job moved out of DIR stays the job's user's; what cordon could
 * not restore is named in a warning. If both cordon processes are killed
 * at once (kill -9 of the process group), nothing restores: `chown -R` by
 * hand (docs/isolation.md).
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

#define WORKSPACE_MAX_ENTRIES (4u << 20) /* ~128 MiB of records, at most */
#define WORKSPACE_MAX_DEPTH 256

struct workspace_rec {
	dev_t dev;
	ino_t ino;
	uid_t uid;
	gid_t gid;
};

struct workspace {
	char path[PATH_MAX];
	dev_t dev; /* DIR's filesystem: never crossed */
	uid_t uid; /* the job's */
	gid_t gid;
	uid_t owner_uid; /* DIR's own owner: gets what the job made */
	gid_t owner_gid;
	struct workspace_rec *rec;
	size_t n, cap;
	size_t *index; /* open addressing into @rec, @index_cap slots */
	size_t index_cap;
	unsigned long changed, left_links, left_setid, left_special,
		left_mounts, failed;
	int first_err;
	bool restoring;
};

static int workspace_add(struct workspace *w, const struct stat *st)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 4096;
		struct workspace_rec *r;

		if (cap > WORKSPACE_MAX_ENTRIES)
			return -E2BIG;
		r = realloc(w->rec, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		w->rec = r;
		w->cap = cap;
	}
	w->rec[w->n++] = (struct workspace_rec){
		.dev = st->st_dev,
		.ino = st->st_ino,
		.uid = st->st_uid,
		.gid = st->st_gid,
	};
	return 0;
}

static size_t workspace_hash(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev;

	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static int workspace_index(struct workspace *w)
{
	size_t cap = 16, i, j;

	while (cap < w->n * 2)
		cap *= 2;
	w->index = malloc(cap * sizeof(*w->index));
	if (!w->index)
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		w->index[i] = SIZE_MAX;
	w->index_cap = cap;
	for (i = 0; i < w->n; i++) {
		j = workspace_hash(w->rec[i].dev, w->rec[i].ino, cap);
		while (w->index[j] != SIZE_MAX)
			j = (j + 1) & (cap - 1);
		w->index[j] = i;
	}
	return 0;
}

static const struct workspace_rec *workspace_find(const struct workspace *w,
						  const struct stat *st)
{
	size_t j = workspace_hash(st->st_dev, st->st_ino, w->index_cap);

	for (; w->index[j] != SIZE_MAX; j = (j + 1) & (w->index_cap - 1)) {
		const struct workspace_rec *r = &w->rec[w->index[j]];

		if (r->dev == st->st_dev && r->ino == st->st_ino)
			return r;
	}
	return NULL;
}

static void workspace_failed(struct workspace *w, int e)
{
	w->failed++;
	if (!w->first_err)
		w->first_err = e;
}

/*
 * Change the owner of @name in @dirfd to @uid:@gid: by name when @by_name
 * (the directory's names can only be changed by root now: see the theory,
 * step 3), else through an fd of its own, checked to be @st.
 */
static void workspace_chown(struct workspace *w, int dirfd, const char *name,
			    bool by_name, const struct stat *st, uid_t uid,
			    gid_t gid)
{
	struct stat now;
	int fd, rc;

	if (st->st_uid == uid && st->st_gid == gid)
		return;
	if (!*name) {
		rc = fchown(dirfd, uid, gid); /* @dirfd is the entry itself */
	} else if (by_name) {
		rc = fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
	} else {
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				workspace_failed(w, errno);
			return;
		}
		rc = fstat(fd, &now);
		if (rc == 0 &&
		    (now.st_dev != st->st_dev || now.st_ino != st->st_ino)) {
			close(fd);
			return; /* swapped meanwhile: not what was looked at */
		}
		if (rc == 0)
			rc = fchownat(fd, "", uid, gid,
				      AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		close(fd);
	}
	if (rc < 0) {
		workspace_failed(w, errno);
		return;
	}
	w->changed++;
}

/* Grant: whether @st is recorded and handed to the job (step 1). */
static int workspace_grant_check(struct workspace *w, const struct stat *st,
				 bool *give)
{
	*give = false;
	if (!S_ISDIR(st->st_mode)) {
		if (!S_ISREG(st->st_mode) && !S_ISLNK(st->st_mode)) {
			w->left_special++;
			return 0;
		}
		if (st->st_nlink > 1) {
			w->left_links++;
			return 0;
		}
		if (S_ISREG(st->st_mode) &&
		    (st->st_mode & (S_ISUID | S_ISGID))) {
			w->left_setid++;
			return 0;
		}
	}
	*give = true;
	return workspace_add(w, st);
}

/* Restore: whether @st changes, and to whom (step 2). */
static bool workspace_restore_owner(struct workspace *w, const struct stat *st,
				    uid_t *uid, gid_t *gid)
{
	const struct workspace_rec *r = workspace_find(w, st);

	if (r) {
		*uid = r->uid;
		*gid = r->gid;
		return true;
	}
	if (st->st_uid != w->uid)
		return false; /* not the job's: never changed by cordon */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		w->left_links++;
		return false;
	}
	*uid = w->owner_uid;
	*gid = w->owner_gid;
	return true;
}

/* Visit @name (@st) of @dirfd: grant or restore it. */
static int workspace_visit(struct workspace *w, int dirfd, const char *name,
			   bool by_name, const struct stat *st)
{
	uid_t uid = w->uid;
	gid_t gid = w->gid;
	bool give;
	int rc;

	if (w->restoring) {
		if (workspace_restore_owner(w, st, &uid, &gid))
			workspace_chown(w, dirfd, name, by_name, st, uid, gid);
		return 0;
	}
	rc = workspace_grant_check(w, st, &give);
	if (rc == 0 && give)
		workspace_chown(w, dirfd, name, by_name, st, uid, gid);
	return rc;
}

/*
 * Whether only root can change the names in the directory @st right now:
 * owned by root, writable by no group and no one else.
 */
static bool workspace_root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int workspace_walk(struct workspace *w, int dirfd, unsigned depth);

/*
 * A directory: open it without following, check it is what was looked at,
 * then grant it after its entries (post-order: while they are walked it is
 * still root's) or restore it before them (pre-order: once root's again, no
 * one else can change them).
 */
static int workspace_dir(struct workspace *w, int dirfd, const char *name,
			 const struct stat *st, unsigned depth)
{
	struct stat now;
	int fd, rc;

	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			workspace_failed(w, errno);
		return 0;
	}
	if (fstat(fd, &now) < 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(fd);
		return 0;
	}
	rc = 0;
	if (w->restoring)
		rc = workspace_visit(w, fd, "", false, &now);
	if (rc == 0)
		rc = workspace_walk(w, fd, depth + 1);
	if (rc == 0 && !w->restoring)
		rc = workspace_visit(w, fd, "", false, &now);
	close(fd);
	return rc;
}

/* Every entry below @dirfd (not @dirfd itself). */
static int workspace_walk(struct workspace *w, int dirfd, unsigned depth)
{
	struct dirent *de;
	struct stat dst, st;
	bool by_name;
	DIR *d;
	int fd, rc = 0;

	if (depth > WORKSPACE_MAX_DEPTH)
		return w->restoring ? 0 : -ELOOP;
	if (fstat(dirfd, &dst) < 0) {
		workspace_failed(w, errno);
		return 0;
	}
	by_name = workspace_root_only(&dst);
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		workspace_failed(w, errno);
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		workspace_failed(w, errno);
		close(fd);
		return 0;
	}
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				workspace_failed(w, errno);
			continue;
		}
		if (st.st_dev != w->dev) {
			w->left_mounts++;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			rc = workspace_dir(w, dirfd, de->d_name, &st, depth);
		else
			rc = workspace_visit(w, dirfd, de->d_name, by_name,
					     &st);
	}
	closedir(d);
	return rc;
}

/* Walk DIR: itself and everything below. */
static int workspace_run(struct workspace *w)
{
	struct stat st;
	int rc;

	if (stat(w->path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_dev != w->dev)
		return -ESTALE;
	rc = workspace_dir(w, AT_FDCWD, w->path, &st, 0);
	return rc == 0 && w->failed && !w->restoring ? -w->first_err : rc;
}

static void workspace_report(const struct workspace *w, const char *what)
{
	unsigned long left = w->left_links + w->left_setid + w->left_special +
			     w->left_mounts;

	if (w->failed)
		diag_warning("workspace %s: %s failed for %lu entries (%s)",
			     w->path, what, w->failed, strerror(w->first_err));
	if (left)
		diag_note("workspace %s: %s left %lu entries as they were "
			  "(%lu with several links, %lu set-id files, %lu "
			  "devices/FIFOs/sockets, %lu other mounts)",
			  w->path, what, left, w->left_links, w->left_setid,
			  w->left_special, w->left_mounts);
}

int workspace_grant(const char *path, uid_t uid, gid_t gid,
		    struct workspace **out, char *why, size_t len)
{
	struct stat st, root;
	struct workspace *w;
	int rc;

	*out = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (!realpath(path, w->path) || stat(w->path, &st) < 0) {
		rc = -errno;
		snprintf(why, len, "--workspace %s: %s", path, strerror(-rc));
		free(w);
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "--workspace %s: not a directory", path);
		free(w);
		return -ENOTDIR;
	}
	if (stat("/", &root) == 0 && root.st_dev == st.st_dev &&
	    root.st_ino == st.st_ino) {
		snprintf(
			why, len,
			"--workspace %s: refusing to give the whole filesystem to the job",
			path);
		free(w);
		return -EINVAL;
	}
	w->dev = st.st_dev;
	w->uid = uid;
	w->gid = gid;
	w->owner_uid = st.st_uid;
	w->owner_gid = st.st_gid;
	rc = workspace_run(w);
	if (rc == 0)
		rc = workspace_index(w);
	if (rc < 0) {
		snprintf(why, len, "--workspace %s: %s", path,
			 rc == -E2BIG	? "more than 4M entries"
			 : rc == -ELOOP ? "deeper than 256 directories"
					: strerror(-rc));
		/* Give back what was already changed. */
		if (workspace_index(w) == 0) {
			workspace_restore(w);
		} else {
			diag_warning(
				"workspace %s: out of memory, left owned by uid %u",
				w->path, (unsigned)uid);
			free(w->rec);
			free(w);
		}
		return rc;
	}
	workspace_report(w, "grant");
	diag_note("workspace %s: owned by the job's user (uid %u, gid %u) "
		  "for the run, %lu entries changed",
		  w->path, (unsigned)uid, (unsigned)gid, w->changed);
	w->failed = w->left_links = w->left_setid = w->left_special =
		w->left_mounts = w->changed = 0;
	w->first_err = 0;
	*out = w;
	return 0;
}

void workspace_restore(struct workspace *w)
{
	int rc;

	if (!w)
		return;
	w->restoring = true;
	w->failed = w->left_links = w->left_setid = w->left_special =
		w->left_mounts = w->changed = 0;
	w->first_err = 0;
	rc = workspace_run(w);
	if (rc < 0)
		diag_warning("workspace %s: cannot give it back: %s", w->path,
			     strerror(-rc));
	w->left_setid = w->left_special = w->left_mounts = 0;
	workspace_report(w, "restore");
	free(w->index);
	free(w->rec);
	free(w);
}
