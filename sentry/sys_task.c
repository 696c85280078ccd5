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
 * with the caller's number of children (or of threads, for CLONE_THREAD)
 * just before; at a recount, a record whose caller now has more, or is
 * gone, has shown up in the count, and every other record is added to it.
 * A record whose caller lost a child meanwhile lingers (counting high, so
 * refusing early, never late) until LIMITS_TASK_FLIGHT_NS has passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry_priv.h"

#define SYS_TASK_NEAR 16 /* recount this close to the limit */
#define SYS_TASK_FLIGHT_NS (2000 * 1000000ULL)

/* Children of thread @tid, or threads of its process when @threads. */
static long sys_task_count_of(pid_t tid, bool threads)
{
	char path[96], buf[8192];
	long count = 0;
	char *p, *end;
	ssize_t n;
	int fd;

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

/* Records still in flight (their task not yet in /proc); drops the rest. */
static uint64_t sys_task_in_flight(struct limits *l)
{
	uint64_t now = time_mono_ns(), n = 0;
	size_t i;

	for (i = 0; i < LIMITS_FLIGHT_MAX; i++) {
		struct limits_flight *f = &l->flight[i];
		long c;

		if (!f->used)
			continue;
		c = sys_task_count_of(f->tid, f->threads);
		if (c < 0 || c > f->before ||
		    now - f->t_ns > SYS_TASK_FLIGHT_NS)
			f->used = false;
		else
			n++;
	}
	return n;
}

/*
 * Remember a creation let through; false when the table is full. A thread
 * is in one call at a time, so a record the caller left at its previous
 * creation is settled now: that clone has returned, and its task is in
 * /proc or gone. The new record takes its place (a loop of fork and wait,
 * which make and sh run all day, keeps one record, not one per child).
 */
static bool sys_task_record(struct limits *l, const struct sentry_call *c)
{
	bool threads = c->pc.nr == SYS_clone && (c->pc.args[0] & CLONE_THREAD);
	struct limits_flight *free_slot = NULL;
	size_t i;

	for (i = 0; i < LIMITS_FLIGHT_MAX; i++) {
		struct limits_flight *f = &l->flight[i];

		if (f->used && f->tid == c->pc.tid) {
			free_slot = f;
			break;
		}
		if (!f->used && !free_slot)
			free_slot = f;
	}
	if (free_slot) {
		struct limits_flight *f = free_slot;

		f->used = true;
		f->tid = c->pc.tid;
		f->threads = threads;
		f->before = sys_task_count_of(c->pc.tid, threads);
		f->t_ns = time_mono_ns();
		return true;
	}
	return false;
}

int sys_task_create(struct sentry *s, struct sentry_call *c)
{
	uint64_t limit = limits_value(&s->limits, POLICY_LIMIT_PIDS);
	struct limits *l = &s->limits;

	if (!limit) {
		c->answer.kind = PLATFORM_ANSWER_CONTINUE;
		c->allowed = true;
		c->rule = "no pids limit";
		return 0;
	}
	if (l->tasks_est + SYS_TASK_NEAR >= limit) {
		/*
		 * Flights first, then the count: a task showing up in between
		 * is then counted twice (early EAGAIN), never missed.
		 */
		uint64_t flying = sys_task_in_flight(l);

		l->tasks_est = limits_count_tasks(l) + flying;
	}
	snprintf(c->detail, sizeof(c->detail), "tasks=%llu limit=%llu",
		 (unsigned long long)l->tasks_est, (unsigned long long)limit);
	/* A full flight table: refuse rather than count blind. */
	if (l->tasks_est + 1 > limit || !sys_task_record(l, c)) {
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
	return 0;
}
