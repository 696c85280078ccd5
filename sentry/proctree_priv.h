/* SPDX-License-Identifier: MIT */
/*
 * proctree_priv.h - the job's processes: the tree below the supervisor
 * (proctree.c) and pid-reuse-proof membership (jobtree.c).
 */
#ifndef CORDON_PROCTREE_PRIV_H
#define CORDON_PROCTREE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---------------------------------------------------------------------------
 * Process tree (proctree.c).
 */

/**
 * proctree_signal_tree() - send @sig to every descendant of this process,
 * found through /proc/PID/task/TID/children and held by pidfds so that a
 * reused pid is never signalled: a grandchild is only signalled after its
 * parent link was confirmed while both were alive.
 * Return: the number of processes signalled.
 */
size_t proctree_signal_tree(int sig);

/**
 * proctree_signal_children() - send @sig to this process's own children
 * (their pids cannot be reused: only we reap them).
 * Return: the number signalled.
 */
size_t proctree_signal_children(int sig);

/**
 * proctree_count_tree() - number of live descendant processes (for reports).
 */
size_t proctree_count_tree(void);

/**
 * struct proctree_node - a process of the job, pinned.
 * @pid:   its pid (a thread-group leader).
 * @pidfd: a pidfd of it, opened before its parent link was confirmed.
 */
struct proctree_node {
	pid_t pid;
	int pidfd;
};

/**
 * proctree_list() - every process of the job, each confirmed as in
 * proctree_signal_tree(), into @out (at most @max). The caller owns and
 * closes the pidfds. May allocate 1 MiB while walking.
 * Return: the number filled.
 */
size_t proctree_list(struct proctree_node *out, size_t max);

/* ---------------------------------------------------------------------------
 * Job membership (jobtree.c): pid-reuse-proof "is this process in the job".
 */
/* uapi linux/pidfd.h (6.9): PIDFD_THREAD (O_EXCL), PIDFD_SIGNAL_*. */
#define JOBTREE_PIDFD_THREAD 0x80
#define JOBTREE_SIGNAL_THREAD (1U << 0)
#define JOBTREE_SIGNAL_THREAD_GROUP (1U << 1)
#define JOBTREE_SIGNAL_PROCESS_GROUP (1U << 2)

/** jobtree_alive() - @pidfd's process (or thread) has not exited. */
bool jobtree_alive(int pidfd);

/**
 * jobtree_pidfd_open() - a pidfd for any thread @tid (PIDFD_THREAD where the
 * kernel has it, else only for thread-group leaders).
 * Return: the fd (owned by the caller) or -errno.
 */
int jobtree_pidfd_open(pid_t tid);

/**
 * jobtree_pin() - pin thread or process @tid with a pidfd and decide whether
 * it belongs to the job (a descendant of the supervisor), walking its
 * ancestry with every link confirmed while both ends were pinned.
 * @pidfd_out: on 0 or 1, the pin (owned by the caller): while it has not
 *             exited, @tid names the process that was judged.
 * Return: 1 member, 0 outside (the supervisor, the anchor, anything else),
 * -ESRCH no such process, or -errno.
 */
int jobtree_pin(pid_t tid, int *pidfd_out);

/** jobtree_member() - jobtree_pin() without keeping the pin. */
int jobtree_member(pid_t tid);

/**
 * jobtree_fd_member() - whether the process a pidfd (or a /proc/N directory
 * fd) @fd names belongs to the job; @pid_out, if not NULL, gets its pid.
 * Return: 1, 0, -ESRCH (exited), -EBADF (not a pidfd).
 */
int jobtree_fd_member(int fd, pid_t *pid_out);

#endif /* CORDON_PROCTREE_PRIV_H */
