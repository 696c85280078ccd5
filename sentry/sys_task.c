/* SPDX-License-Identifier: MIT */
/*
 * sys_task.c - the pids limit at the creating call: fork, vfork and clone
 * (clone3 answers ENOSYS in the filter, so libc falls back to clone) are
 * notified only when the job has a pids limit, and fail with EAGAIN when
 * the tree already has that many tasks, as cgroup pids.max counts them
 * (processes and threads). Decided on register values and the kernel's
 * /proc, never on job memory, so an allowed creation continues in the
 * kernel.
 *
 * Theory of operation
 * -------------------
 * The supervisor keeps an estimate (the last count plus every creation let
 * through since) and walks the tree to recount only when the estimate comes
 * near the limit. A count alone is not enough: a creation let through may
 * not have happened yet (its caller has not run since), and on a loaded host
 * many can be in flight at once. So every creation let through is recorded
 * (the thread, the call, the time) - a table write, nothing read - and a
 * recount asks the kernel where each recorded thread is now
 * (/proc/TID/syscall): a thread gone, or in any other call or none, has
 * returned from its creation, so its task is in the count already; a thread
 * still in the creating call, or running (the kernel does not say where), is
 * added to the count. Records only ever make the count err high (an early
 * EAGAIN), never low:
 *  - a thread in the creating call again (its next creation, not yet taken)
 *    or a vfork parent waiting for its child is counted twice, for a moment;
 *  - a running thread, or one whose state cannot be read, counts until
 *    SYS_TASK_FLIGHT_NS has passed since the call was let through - far
 *    longer than a woken thread waits for a CPU.
 * A thread is in one call at a time, so its record is settled at its next
 * creation: a loop of fork and wait, which make and sh run all day, holds
 * one record, not one per child. A full table is settled before any
 * creation is refused for want of a record.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define SYS_TASK_NEAR 16 /* recount this close to the limit */
#define SYS_TASK_FLIGHT_NS (2000 * 1000000ULL)

/* Whether the creation @f recorded may still be on its way into /proc. */
static bool sys_task_flying(const struct limits_flight *f, uint64_t now)
{
	bool young = now - f->t_ns <= SYS_TASK_FLIGHT_NS;

	long where = procfs_syscall(f->tid);

	if (where == f->nr)
		/* A vfork parent still in the call after that: child made. */
		return young || !f->vfork;
	if (where == PROCFS_SYSCALL_RUNNING || where == PROCFS_SYSCALL_UNKNOWN)
		return young;
	return false; /* gone, or returned from the creation */
}

/*
 * Records still in flight; drops the rest, and the caller's own @self (it
 * is in a new call, so its last creation has returned; 0: none).
 */
static uint64_t sys_task_in_flight(struct limits *l, pid_t self)
{
	uint64_t now = time_mono_ns(), n = 0;
	size_t i;

	for (i = 0; i < LIMITS_FLIGHT_MAX; i++) {
		struct limits_flight *f = &l->flight[i];

		if (!f->used)
			continue;
		if (f->tid != self && sys_task_flying(f, now))
			n++;
		else
			f->used = false;
	}
	return n;
}

/* The record @tid left at its last creation, else a free one, else NULL. */
static struct limits_flight *sys_task_slot(struct limits *l, pid_t tid)
{
	struct limits_flight *free_slot = NULL;
	size_t i;

	for (i = 0; i < LIMITS_FLIGHT_MAX; i++) {
		struct limits_flight *f = &l->flight[i];

		if (f->used && f->tid == tid)
			return f;
		if (!f->used && !free_slot)
			free_slot = f;
	}
	return free_slot;
}

/*
 * Remember a creation let through; false when the table is full of
 * creations in flight. A record the caller left at its previous creation is
 * replaced: that clone has returned (the thread is in this call now).
 */
static bool sys_task_record(struct limits *l, const struct sentry_call *c)
{
	struct limits_flight *f = sys_task_slot(l, c->pc.tid);

	if (!f) {
		sys_task_in_flight(l, c->pc.tid);
		f = sys_task_slot(l, c->pc.tid);
		if (!f)
			return false;
	}
	f->used = true;
	f->tid = c->pc.tid;
	f->nr = (int)c->pc.nr;
	f->vfork = c->pc.nr == SYS_vfork ||
		   (c->pc.nr == SYS_clone && (c->pc.args[0] & CLONE_VFORK));
	f->t_ns = time_mono_ns();
	return true;
}

int sys_task_create(struct sentry *s, struct sentry_call *c)
{
	uint64_t limit = limits_value(&s->limits, POLICY_LIMIT_PIDS);
	struct limits *l = &s->limits;

	/* Also notified for sockets owned from birth: a table may be copied. */
	sys_sock_spawning(s, c);
	if (!limit) {
		verdict_continue(&c->v, "no pids limit");
		return 0;
	}
	if (l->tasks_est + SYS_TASK_NEAR >= limit) {
		/*
		 * Flights first, then the count: a task showing up in between
		 * is then counted twice (early EAGAIN), never missed.
		 */
		uint64_t flying = sys_task_in_flight(l, c->pc.tid);

		l->tasks_est = limits_count_tasks(l) + flying;
	}
	snprintf(c->detail, sizeof(c->detail), "tasks=%llu limit=%llu",
		 (unsigned long long)l->tasks_est, (unsigned long long)limit);
	/* A full flight table: refuse rather than count blind. */
	if (l->tasks_est + 1 > limit || !sys_task_record(l, c)) {
		verdict_deny(
			&c->v, EAGAIN, VERDICT_CAT_LIMIT,
			"limit pids: the tree has as many tasks as allowed "
			"(EAGAIN, the job goes on)");
		s->pids_refused++;
		return 0;
	}
	l->tasks_est++;
	if (l->tasks_est > l->tasks_peak)
		l->tasks_peak = l->tasks_est;
	verdict_continue(&c->v, "task creation within the pids limit");
	return 0;
}
