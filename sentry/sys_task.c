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
 * Counting: the supervisor keeps an estimate (the last count plus every
 * creation let through since) and only walks the tree to recount when the
 * estimate reaches the limit. Near the limit, after letting a creation
 * through, it waits until the new task is visible, so two creations in
 * flight cannot both slip under the limit.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "sentry_priv.h"

#define SYS_TASK_NEAR 8 /* recount and settle this close */
#define SYS_TASK_SETTLE_NS (5 * 1000000ULL)

int sys_task_create(struct sentry *s, struct sentry_call *c)
{
	uint64_t limit = limits_value(&s->limits, POLICY_LIMIT_PIDS);
	struct limits *l = &s->limits;

	snprintf(c->detail, sizeof(c->detail), "tasks=%llu limit=%llu",
		 (unsigned long long)l->tasks_est, (unsigned long long)limit);
	if (!limit) {
		c->answer.kind = PLATFORM_ANSWER_CONTINUE;
		c->allowed = true;
		c->rule = "no pids limit";
		return 0;
	}
	if (l->tasks_est + SYS_TASK_NEAR >= limit)
		l->tasks_est = limits_count_tasks(l);
	if (l->tasks_est + 1 > limit) {
		snprintf(c->detail, sizeof(c->detail), "tasks=%llu limit=%llu",
			 (unsigned long long)l->tasks_est,
			 (unsigned long long)limit);
		c->answer.kind = PLATFORM_ANSWER_ERRNO;
		c->answer.err = EAGAIN;
		c->allowed = false;
		c->rule =
			"limit pids: the tree has as many tasks as allowed (EAGAIN, the job goes on)";
		s->pids_refused++;
		return 0;
	}
	l->tasks_est++;
	if (l->tasks_est > l->tasks_peak)
		l->tasks_peak = l->tasks_est;
	c->answer.kind = PLATFORM_ANSWER_CONTINUE;
	c->allowed = true;
	c->rule = "task creation within the pids limit";
	c->settle_tasks = l->tasks_est + SYS_TASK_NEAR >= limit;
	return 0;
}

void sys_task_settle(struct sentry *s)
{
	uint64_t deadline = time_mono_ns() + SYS_TASK_SETTLE_NS;
	uint64_t n;

	/* Tasks that exit meanwhile make this wait out its few ms: rare. */
	do {
		n = limits_count_tasks(&s->limits);
		if (n >= s->limits.tasks_est)
			break;
	} while (time_mono_ns() < deadline);
	s->limits.tasks_est = n;
}
