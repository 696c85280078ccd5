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
 *    the job. Each entry is opened once (O_PATH | O_NOFOLLOW, directories
 *    O_DIRECTORY) and changed through that fd (AT_EMPTY_PATH), so a name
 *    swapped meanwhile changes nothing but what was looked at. Left as
 *    they are, and counted: a non-directory with more than one link (its
 *    other names may be outside DIR), a regular file with the set-user-ID
 *    or set-group-ID bit (chown would clear it, and it must never come
 *    back on another inode), devices, sockets and FIFOs, other mounts.
 * 2. Restore (the anchor, after the supervisor exited and every job
 *    process is dead): the same walk. A recorded inode gets its recorded
 *    owner back. An entry the job made (owned by the job's uid, not
 *    recorded) goes to DIR's own owner, as if that owner had built it -
 *    unless it is a non-directory with several links (a link the job made
 *    to its own file elsewhere): left to the job's user, counted. chown
 *    clears set-user-ID and set-group-ID on what it changes (the kernel
 *    does, for every caller), so nothing the job marked that way keeps the
 *    bit. No mode is ever restored.
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

/* Change the owner of what @fd is (O_PATH or a directory) to @uid:@gid. */
static void workspace_chown(struct workspace *w, int fd, const struct stat *st,
			    uid_t uid, gid_t gid)
{
	if (st->st_uid == uid && st->st_gid == gid)
		return;
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) <
	    0) {
		workspace_failed(w, errno);
		return;
	}
	w->changed++;
}

/* Grant: record @st and hand it to the job (step 1). */
static int workspace_grant_one(struct workspace *w, int fd,
			       const struct stat *st)
{
	int rc;

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
	rc = workspace_add(w, st);
	if (rc < 0)
		return rc;
	workspace_chown(w, fd, st, w->uid, w->gid);
	return 0;
}

/* Restore: what @st gets back (step 2). */
static void workspace_restore_one(struct workspace *w, int fd,
				  const struct stat *st)
{
	const struct workspace_rec *r = workspace_find(w, st);

	if (r) {
		workspace_chown(w, fd, st, r->uid, r->gid);
		return;
	}
	if (st->st_uid != w->uid)
		return; /* not the job's: never changed by cordon */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
		w->left_links++;
		return;
	}
	workspace_chown(w, fd, st, w->owner_uid, w->owner_gid);
}

static int workspace_visit(struct workspace *w, int fd, const struct stat *st)
{
	if (w->restoring) {
		workspace_restore_one(w, fd, st);
		return 0;
	}
	return workspace_grant_one(w, fd, st);
}

static int workspace_walk(struct workspace *w, int dirfd, unsigned depth);

/* One entry @name of the directory @dirfd. */
static int workspace_entry(struct workspace *w, int dirfd, const char *name,
			   unsigned depth)
{
	struct stat st;
	int fd, rc;

	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			workspace_failed(w, errno);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		workspace_failed(w, errno);
		close(fd);
		return 0;
	}
	if (st.st_dev != w->dev) {
		w->left_mounts++;
		close(fd);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = workspace_visit(w, fd, &st);
		close(fd);
		return rc;
	}
	close(fd);
	/* The directory itself, opened for reading this time, then checked. */
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			workspace_failed(w, errno);
		return 0;
	}
	if (fstat(fd, &st) < 0 || st.st_dev != w->dev) {
		close(fd);
		return 0;
	}
	rc = workspace_visit(w, fd, &st);
	if (rc == 0)
		rc = workspace_walk(w, fd, depth + 1);
	close(fd);
	return rc;
}

/* Every entry below @dirfd (not @dirfd itself). */
static int workspace_walk(struct workspace *w, int dirfd, unsigned depth)
{
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if (depth > WORKSPACE_MAX_DEPTH)
		return w->restoring ? 0 : -ELOOP;
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
		rc = workspace_entry(w, dirfd, de->d_name, depth);
	}
	closedir(d);
	return rc;
}

/* Walk DIR: itself, then below. */
static int workspace_run(struct workspace *w)
{
	struct stat st;
	int fd, rc;

	fd = open(w->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fstat(fd, &st) < 0 ? -errno : st.st_dev != w->dev ? -ESTALE : 0;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	rc = workspace_visit(w, fd, &st);
	if (rc == 0)
		rc = workspace_walk(w, fd, 0);
	close(fd);
	return rc;
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
	if (rc == 0 && w->failed)
		rc = -w->first_err;
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
