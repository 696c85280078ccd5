/* SPDX-License-Identifier: MIT */
/*
 * threadfs_priv.h - a cwd and umask of each supervisor thread's own
 * (threadfs.c), so a handler's fchdir()/umask() never moves another thread.
 */
#ifndef CORDON_THREADFS_PRIV_H
#define CORDON_THREADFS_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

/* ---------------------------------------------------------------------------
 * A cwd and umask of each thread's own (threadfs.c).
 */

/**
 * threadfs_private() - give the calling thread its own cwd and umask
 * (unshare(CLONE_FS)). Every supervisor thread calls it first thing.
 * Return: 0, or -errno (the thread then never enters the job's, see
 * threadfs_enter()).
 */
int threadfs_private(void);

/** threadfs_is_private() - whether threadfs_private() succeeded here. */
bool threadfs_is_private(void);

/**
 * struct threadfs_saved - what threadfs_enter() changed, for
 * threadfs_leave(). @cwd: our own cwd (owned), or -1.
 */
struct threadfs_saved {
	int cwd;
	bool dir_changed;
	mode_t mask;
};

/**
 * threadfs_enter() - move the calling thread alone into directory @dirfd
 * (-1: stay) with umask @mask, until threadfs_leave().
 * Return: 0, -EPERM when the thread shares its cwd and umask with others
 * (nothing changed: the caller must refuse what needed them), or -errno.
 */
int threadfs_enter(int dirfd, mode_t mask, struct threadfs_saved *saved);

/** threadfs_leave() - back to the thread's own cwd and umask. */
void threadfs_leave(struct threadfs_saved *saved);

#endif /* CORDON_THREADFS_PRIV_H */
