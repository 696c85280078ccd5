/* SPDX-License-Identifier: MIT */
/*
 * proctree.c - find and signal every process of the job without ever
 * signalling a stranger.
 *
 * Theory of operation
 * -------------------
 * The supervisor is a child subreaper, so every process of the job is its
 * descendant for as long as it lives: orphans (a setsid + double-fork daemon)
 * are reparented to us, never to init. Our own children's pids are stable
 * (only we reap them). Deeper descendants are read from
 * /proc/PID/task/TID/children, which names pids, and a pid can be reaped by
 * its parent and reused by an unrelated process between the read and the
 * kill. So each is first pinned with pidfd_open(), then accepted only if its
 * parent (field 4 of /proc/PID/stat) is the node we listed it from, checked
 * while both are still alive (pidfds poll readable once a process exits).
 * Signals go through pidfd_send_signal() on the pinned pidfd.
 *
 * A process forked while we walk is a child of a process we will signal; with
 * SIGKILL it is reparented to us when its parent dies, and the kill loop in
 * loop.c (sentry_kill_all()) signals our direct children until none are
 * left, and the whole tree again every SENTRY_KILL_REWALK reaps.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kcompat.h"
#include "common/common.h"
#include "platform/platform.h"
#include "sentry/proctree_priv.h"

#define PROCTREE_MAX_NODES 65536

static int proctree_pidfd_open(pid_t pid)
{
	return (int)syscall(__NR_pidfd_open, pid, 0);
}

/*
 * Walk the tree breadth-first from our own children, signalling each
 * confirmed node through its pidfd when @do_signal. With @keep, confirmed
 * nodes are also handed out there (their pidfds then owned by the caller)
 * up to @max_keep, and *@n_keep says how many. Return: nodes visited.
 */
static size_t proctree_walk(int sig, bool do_signal, struct proctree_node *keep,
			    size_t max_keep, size_t *n_keep)
{
	struct proctree_node *q;
	pid_t *kids;
	size_t head = 0, tail = 0, i, visited = 0;
	size_t nk;

	/* Written before read (768 KiB: clearing them cost every walk). */
	q = malloc(PROCTREE_MAX_NODES * sizeof(*q));
	kids = malloc(PROCTREE_MAX_NODES * sizeof(*kids));
	if (!q || !kids) {
		free(q);
		free(kids);
		return 0;
	}
	nk = procfs_children(getpid(), kids, PROCTREE_MAX_NODES);
	for (i = 0; i < nk && tail < PROCTREE_MAX_NODES; i++) {
		int fd = proctree_pidfd_open(kids[i]);

		/* Our own children: their pids are ours until we reap them. */
		if (fd >= 0)
			q[tail++] = (struct proctree_node){kids[i], fd};
	}
	while (head < tail) {
		struct proctree_node n = q[head++];

		visited++;
		/*
		 * List n's children before signalling n: a process that dies
		 * of the signal hands its children to us, and they must get
		 * the same signal (they are pinned by pidfd by then).
		 */
		nk = procfs_children(n.pid, kids, PROCTREE_MAX_NODES);
		/* The list is only n's if n was alive after we read it. */
		if (!jobtree_alive(n.pidfd))
			nk = 0;
		for (i = 0; i < nk && tail < PROCTREE_MAX_NODES; i++) {
			int fd = proctree_pidfd_open(kids[i]);

			if (fd < 0)
				continue;
			if (procfs_ppid(kids[i]) != n.pid ||
			    !jobtree_alive(fd) || !jobtree_alive(n.pidfd)) {
				close(fd);
				continue;
			}
			q[tail++] = (struct proctree_node){kids[i], fd};
		}
		if (do_signal)
			syscall(__NR_pidfd_send_signal, n.pidfd, sig, NULL, 0);
		if (keep && *n_keep < max_keep)
			keep[(*n_keep)++] = n;
		else
			close(n.pidfd);
	}
	free(q);
	free(kids);
	return visited;
}

size_t proctree_signal_tree(int sig)
{
	return proctree_walk(sig, true, NULL, 0, NULL);
}

size_t proctree_count_tree(void)
{
	return proctree_walk(0, false, NULL, 0, NULL);
}

size_t proctree_list(struct proctree_node *out, size_t max)
{
	size_t n = 0;

	proctree_walk(0, false, out, max, &n);
	return n;
}

size_t proctree_signal_children(int sig)
{
	pid_t kids[4096];
	size_t n, i, sent = 0;

	n = procfs_children(getpid(), kids, ARRAY_SIZE(kids));
	for (i = 0; i < n; i++)
		if (kill(kids[i], sig) == 0)
			sent++;
	return sent;
}
