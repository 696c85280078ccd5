/* SPDX-License-Identifier: MIT */
/*
 * jobtmp.c - the private per-job temporary directory of a zone with
 * filesystem rules: made before the job (mode 0700, the job's user's), the
 * job's TMPDIR, removed with everything in it once no job process is left
 * (the anchor, guard.c). Not responsible for what the job may do there
 * (the zone's "fs ... $TMPDIR" rule).
 *
 * Theory of operation
 * -------------------
 * Made with mkdtemp() under the caller's TMPDIR (when absolute) or /tmp,
 * so its name cannot be guessed and nothing else of the user's shares it.
 * Started as root with a job user, it is chowned to that user before
 * anything of the job exists. Removal runs after the job's tree is dead,
 * but other processes of the job's uid may still rename things inside:
 * the walk goes through directory fds (openat(O_DIRECTORY | O_NOFOLLOW),
 * unlinkat()), never a path, never follows a symlink and never crosses
 * into another mount (st_dev), so a swapped name can only make the
 * removal miss something, never remove anything outside. A directory the
 * job made unreadable is given u+rwx first (its owner, or root, may).
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

#define JOBTMP_DEPTH_MAX 256

int jobtmp_create(uid_t uid, gid_t gid, bool chown_it, char *out, size_t len,
		  char *why, size_t wlen)
{
	const char *parent = getenv("TMPDIR");
	struct stat st;

	if (!parent || parent[0] != '/' || stat(parent, &st) < 0 ||
	    !S_ISDIR(st.st_mode))
		parent = "/tmp";
	if (snprintf(out, len, "%s%scordon-job.XXXXXX", parent,
		     parent[strlen(parent) - 1] == '/' ? "" : "/") >=
	    (int)len) {
		snprintf(why, wlen, "TMPDIR %s: name too long", parent);
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(out)) {
		int e = errno;

		snprintf(why, wlen,
			 "cannot make the job's private TMPDIR in %s: %s",
			 parent, strerror(e));
		return -e;
	}
	if (chown_it && chown(out, uid, gid) < 0) {
		int e = errno;

		snprintf(why, wlen, "cannot give %s to uid %u: %s", out,
			 (unsigned)uid, strerror(e));
		rmdir(out);
		return -e;
	}
	return 0;
}

/* Empty directory @fd (on device @dev). Return: 0 or the first -errno. */
static int jobtmp_empty(int fd, dev_t dev, int depth)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (depth > JOBTMP_DEPTH_MAX) {
		close(fd);
		return -ELOOP;
	}
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((de = readdir(d))) {
		struct stat st;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (sub < 0) {
				/* Made unreadable by the job: its owner's. */
				if (fchmodat(dirfd(d), de->d_name, 0700,
					     AT_SYMLINK_NOFOLLOW) == 0)
					sub = openat(dirfd(d), de->d_name,
						     O_RDONLY | O_DIRECTORY |
							     O_NOFOLLOW |
							     O_CLOEXEC);
			}
			if (sub < 0) {
				if (!rc)
					rc = -errno;
				continue;
			}
			if (fchmod(sub, 0700) < 0) {
				/* not ours: it is emptied as far as it can */
			}
			{
				int r = jobtmp_empty(sub, dev, depth + 1);

				if (r && !rc)
					rc = r;
			}
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 &&
			    !rc)
				rc = -errno;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			continue; /* another mount: left alone */
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && !rc)
			rc = -errno;
	}
	closedir(d);
	return rc;
}

int jobtmp_remove(const char *path)
{
	struct stat st;
	int fd, rc;

	if (!path || !path[0])
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && chmod(path, 0700) == 0)
		fd = open(path,
			  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (fchmod(fd, 0700) < 0) {
		/* not ours: emptied as far as it can be */
	}
	rc = jobtmp_empty(fd, st.st_dev, 0);
	if (rmdir(path) < 0 && !rc)
		rc = -errno;
	if (rc)
		diag_warning("the job's private TMPDIR %s was not removed "
			     "entirely: %s",
			     path, strerror(-rc));
	return rc;
}
