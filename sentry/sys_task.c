/* SPDX-License-Identifier: MIT */
/*
 * sys_task.c - the pids limit: tasks (processes and threads) alive at once
 * in the job's tree, as cgroup pids.max counts them, enforced without
 * notifying task creation.
 *
 * Theory of operation
 * -------------------
 * A notified fork can fail with EINTR: a signal that arrives before the
 * supervisor has received the notification ends the caller's wait with
 * -ERESTARTSYS, which a handler without SA_RESTART turns into EINTR - a
 * value a native fork never returns (the kernel restarts it,
 * ERESTARTNOINTR). dash (Debian's /bin/sh, so make recipes) then reports
 * "Cannot fork" within a few dozen pipelines; no filter or answer can close
 * that window. So fork, vfork and clone stay in the kernel and the limit
 * has two layers:
 *  - the tree count: every sample of the limits walker counts the tree's
 *    tasks exactly, and a tree over the limit is killed (exit 124), like
 *    the other kill limits. The sampler comes sooner the nearer the tree
 *    is to the limit (LIMITS_TASK_RATE creations a second).
 *  - a backstop in the kernel: RLIMIT_NPROC on the job (soft = hard, which
 *    the job can only lower), set to the tasks its real uid has when the
 *    job starts plus twice the limit. A fork bomb therefore meets EAGAIN
 *    in the kernel before it can outrun the sampler, whatever the load;
 *    the tree may pass the limit by at most the limit again, for at most
 *    one sampling interval, and is then killed.
 * RLIMIT_NPROC counts every task of the uid, so other processes of the same
 * uid that start during the run use up the headroom: the job meets EAGAIN
 * early only when they grow by more than the limit. Real uid 0 is exempt
 * (the job is never root unless --allow-root-job; then only the tree count
 * holds).
 *
 * Task creation is still notified on one path: sockets owned from birth
 * (FILTER_BIRTH, a container profile without pidfd_getfd), whose table
 * must see an fd table being copied; the EINTR window remains there. That
 * handler, sys_task_create(), is the birth path's and lives in sys_sock.c.
 */
#include <stdint.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define SYS_TASK_HEADROOM 2 /* the backstop: uid's tasks + limit * this */

uint64_t sys_task_backstop(const struct sentry *s)
{
	uint64_t limit = limits_value(&s->limits, POLICY_LIMIT_PIDS);
	uid_t uid = getuid();

	if (!limit || uid == 0)
		return 0;
	if (limit > UINT64_MAX / (SYS_TASK_HEADROOM + 1))
		return 0;
	return procfs_uid_tasks(uid) + limit * SYS_TASK_HEADROOM;
}
