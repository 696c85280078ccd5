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
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "sentry_priv.h"

#define SYS_TASK_NEAR 8 /* recount and settle this close */
#define SYS_TASK_SETTLE_NS (200 * 1000000ULL)

/* Children of thread @tid, or threads of its process when @threads. */
static long sys_task_count_of(pid_t tid, bool threads)
{
	char path[96], buf[8192];
	ssize_t n;
	long count = 0;
	int fd;
	char *p, *end;

	if (threads)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
			 (int)tid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = EINTR_RETRY(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (threads) {
		p = strstr(buf, "\nThreads:");
		return p ? strtol(p + 9, NULL, 10) : -1;
	}
	for (p = buf;; p = end) {
		strtol(p, &end, 10);
		if (end == p)
			break;
		count++;
	}
	return count;
}

/*
 * Count the tree until two counts 0.5 ms apart agree (at most ~20 ms):
 * creations let through before the count came near the limit were not
 * waited for, and one still in flight would be missing from a single count.
 */
static uint64_t sys_task_stable_count(struct limits *l)
{
	struct timespec nap = {.tv_nsec = 500000};
	uint64_t prev = limits_count_tasks(l), n = prev;
	int i;

	for (i = 0; i < 40; i++) {
		nanosleep(&nap, NULL);
		n = limits_count_tasks(l);
		if (n == prev)
			break;
		prev = n;
	}
	return n;
}

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
		l->tasks_est = sys_task_stable_count(l);
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
	if (c->settle_tasks) {
		/* clone(CLONE_THREAD) makes a thread; fork, vfork a child. */
		c->settle_threads =
			c->pc.nr == SYS_clone && (c->pc.args[0] & CLONE_THREAD);
		c->settle_before =
			sys_task_count_of(c->pc.tid, c->settle_threads);
	}
	return 0;
}

void sys_task_settle(struct sentry *s, struct sentry_call *c)
{
	uint64_t deadline = time_mono_ns() + SYS_TASK_SETTLE_NS;
	struct timespec nap = {.tv_nsec = 100000};

	/*
	 * Wait until the caller has one more child (or thread) than before
	 * we let it through, or is gone: then the new task is visible to the
	 * next count. Tasks exiting elsewhere meanwhile do not matter here.
	 */
	while (time_mono_ns() < deadline) {
		long now = sys_task_count_of(c->pc.tid, c->settle_threads);

		if (now < 0 || now > c->settle_before)
			break;
		nanosleep(&nap, NULL);
	}
	s->limits.tasks_est = limits_count_tasks(&s->limits);
}
