/* SPDX-License-Identifier: MIT */
/*
 * slot.c - concurrency slots: at most N cordon jobs of this user hold slot
 * NAME on this host at once. A slot is one of N lock files in a directory
 * of the user's own; holding it is holding an flock(), which the kernel
 * drops when the last fd to it closes - when cordon exits, and also when it
 * is killed with SIGKILL. The fd is close-on-exec and never reaches the job.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sentry/limits_priv.h"
#include "sentry/sentry.h"

#define SLOT_POLL_MS 100

bool slot_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n > 63 || name[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

/*
 * The user's slot directory: $XDG_RUNTIME_DIR/cordon-slots, else
 * /tmp/cordon-slots-UID. It must be a real directory owned by us and closed
 * to others - /tmp is shared, and another user could plant a symlink or a
 * directory of their own there to steal or block our slots.
 */
static int slot_dir(char *out, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (xdg && xdg[0] == '/')
		snprintf(out, len, "%s/cordon-slots", xdg);
	else
		snprintf(out, len, "/tmp/cordon-slots-%u", (unsigned)getuid());
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(out, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

int slot_acquire(const char *name, unsigned n, int timeout_ms, int *fd_out,
		 unsigned *which)
{
	char dir[4096], path[4200];
	struct timespec start, now;
	unsigned i;
	int rc;

	if (!slot_name_valid(name) || n == 0)
		return -EINVAL;
	rc = slot_dir(dir, sizeof(dir));
	if (rc < 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		for (i = 0; i < n; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/%s.%u", dir, name, i);
			fd = open(path,
				  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
				  0600);
			if (fd < 0)
				return -errno;
			if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
				*fd_out = fd;
				*which = i;
				return 0;
			}
			close(fd);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_ms >= 0 &&
		    (now.tv_sec - start.tv_sec) * 1000 +
				    (now.tv_nsec - start.tv_nsec) / 1000000 >=
			    timeout_ms)
			return -EBUSY;
		usleep(SLOT_POLL_MS * 1000);
	}
}
