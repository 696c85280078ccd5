/* SPDX-License-Identifier: MIT */
/*
 * threadfs.c - a working directory and umask of each supervisor thread's
 * own, so that a handler can act from inside the job's cwd with the job's
 * umask (a relative unix bind(), a creating open) without changing them for
 * the other threads (the receiver, the loop, the limits walker, the FIFO
 * helpers). Not responsible for finding the job's cwd (procfs_cwd_open())
 * or umask (procfs_umask()).
 *
 * Theory of operation
 * -------------------
 * Threads made by pthread_create() share one fs_struct (clone(2) with
 * CLONE_FS): root, cwd and umask are process-wide, so a fchdir() or umask()
 * in one thread moves every other. unshare(CLONE_FS) gives the calling
 * thread a copy of its own (unshare(2): "Reverse the effect of the clone(2)
 * CLONE_FS flag. Unshare filesystem attributes, so that the calling process
 * no longer shares its root directory, current directory, or umask
 * attributes with any other process"); after it, chdir, fchdir and umask
 * change that thread alone. Every supervisor thread calls
 * threadfs_private() first thing (a thread made by another shares its
 * maker's fs_struct until it does, and does nothing with paths before).
 * A thread whose unshare was refused (a container's seccomp profile may
 * refuse unshare() without CAP_SYS_ADMIN) never enters the job's cwd or
 * umask: threadfs_enter() fails and the caller refuses the call (fail
 * closed), rather than moving them for the whole supervisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "sentry/threadfs_priv.h"

static __thread bool threadfs_own;

int threadfs_private(void)
{
	if (threadfs_own)
		return 0;
	if (unshare(CLONE_FS) < 0)
		return -errno;
	threadfs_own = true;
	return 0;
}

bool threadfs_is_private(void)
{
	return threadfs_own;
}

int threadfs_enter(int dirfd, mode_t mask, struct threadfs_saved *saved)
{
	saved->cwd = -1;
	saved->dir_changed = false;
	if (!threadfs_own)
		return -EPERM;
	if (dirfd >= 0) {
		saved->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (saved->cwd < 0)
			return -errno;
		if (fchdir(dirfd) < 0) {
			int rc = -errno;

			close(saved->cwd);
			saved->cwd = -1;
			return rc;
		}
		saved->dir_changed = true;
	}
	saved->mask = umask(mask);
	return 0;
}

void threadfs_leave(struct threadfs_saved *saved)
{
	umask(saved->mask);
	if (saved->dir_changed && fchdir(saved->cwd) < 0)
		diag_warning("a handler thread cannot return to its own cwd");
	if (saved->cwd >= 0)
		close(saved->cwd);
	saved->cwd = -1;
	saved->dir_changed = false;
}
