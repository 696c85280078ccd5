/* SPDX-License-Identifier: MIT */
/*
 * limits.c - tree-wide resource accounting: CPU, memory, tasks, open files
 * and bytes written, measured over the whole job tree in userspace (no
 * cgroups), and the verdict "over the limit" that makes the supervisor kill
 * the tree. Tasks are counted here too; the kernel's RLIMIT_NPROC backs
 * that count (sys_task.c); wall time is a timer of the supervisor; log bytes
 * are counted where output is forwarded (output.c).
 *
 * Theory of operation
 * -------------------
 * A sample walks the tree from the supervisor's children through
 * /proc/PID/task/TID/children (a child is only accepted if its stat names
 * the parent it was found under) and reads, per process, /proc/PID/stat
 * (CPU of the process and of the children it reaped, threads), status
 * (resident anonymous and shared memory), io (bytes written) and the fd
 * table (count, and memfd objects). Sampling is adaptive: the next sample is
 * due when, at the fastest plausible rate (LIMITS_MEM_RATE bytes/s of
 * allocation, every CPU busy, LIMITS_DISK_RATE bytes/s of writes), the job
 * could first reach its limit - so an idle job far from its limits is
 * sampled a few times a second, and one close to a limit every few
 * milliseconds. Work per sample is linear in the number of live tasks.
 *
 * Measures (docs/limits.md says the same, with their errors):
 *  cpu  - utime+stime of every live process and of the children each one
 *         reaped (cutime+cstime), plus what the supervisor reaped itself.
 *  mem  - sum of RssAnon + RssShmem of every process, plus every memfd held
 *         open (counted once per inode), plus the growth of /dev/shm and of
 *         /tmp when it is a tmpfs since the job started. Shared memory
 *         mapped by several processes is counted once per process, so the
 *         figure errs high (the job is killed early, never late).
 *  disk - bytes written with write()-family calls (/proc/PID/io wchar) by
 *         every process, the last value seen for processes that are gone,
 *         minus the output cordon forwarded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/limits_priv.h"
#include "sentry/threadfs_priv.h"

#define LIMITS_MEM_RATE (8ULL << 30)  /* bytes/s a bomb may allocate */
#define LIMITS_DISK_RATE (4ULL << 30) /* bytes/s a job may write */
#define LIMITS_TASK_RATE 2000ULL      /* tasks/s, below the backstop */
#define LIMITS_MIN_NS (2ULL * 1000000)
#define LIMITS_MAX_NS (500ULL * 1000000)
#define LIMITS_TMPFS_MAGIC 0x01021994

struct limits_walk {
	struct limits *l;
	uint64_t cpu_ticks, mem, tasks, fds, wchar;
	uint64_t memfd_ino[256];
	size_t n_memfd;
};

static uint64_t limits_tmpfs_used(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0 || sf.f_type != LIMITS_TMPFS_MAGIC)
		return 0;
	return (uint64_t)(sf.f_blocks - sf.f_bfree) * (uint64_t)sf.f_bsize;
}

int limits_init(struct limits *l, const struct policy_limits *lim)
{
	/* @l is zero-filled by the caller (its tables are large). */
	l->lim = lim;
	l->walk_req = l->walk_done = -1;
	l->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->timerfd < 0)
		return -errno;
	l->ncpu = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (!l->ncpu)
		l->ncpu = 1;
	l->clk_tck = (uint64_t)sysconf(_SC_CLK_TCK);
	if (!l->clk_tck)
		l->clk_tck = 100;
	l->shm_base = limits_tmpfs_used("/dev/shm");
	l->tmp_base = limits_tmpfs_used("/tmp");
	l->fired = POLICY_LIMIT_COUNT;
	return 0;
}

bool limits_set(const struct limits *l, enum policy_limit_key k)
{
	return l->lim && l->lim->set[k];
}

uint64_t limits_value(const struct limits *l, enum policy_limit_key k)
{
	return limits_set(l, k) ? l->lim->value[k] : 0;
}

/* Whether any limit needs the sampler (cpu, mem, fds, disk). */
static bool limits_sampled(const struct limits *l)
{
	return limits_set(l, POLICY_LIMIT_CPU) ||
	       limits_set(l, POLICY_LIMIT_MEM) ||
	       limits_set(l, POLICY_LIMIT_FDS) ||
	       limits_set(l, POLICY_LIMIT_DISK) ||
	       limits_set(l, POLICY_LIMIT_PIDS);
}

/* Record @pid's bytes written; remember it for when it is gone. */
static void limits_note_wchar(struct limits *l, pid_t pid, uint64_t start,
			      uint64_t wchar)
{
	size_t i, free_slot = LIMITS_PROCS_MAX;

	for (i = 0; i < l->n_procs; i++) {
		struct limits_proc *p = &l->procs[i];

		if (p->pid == pid && p->start == start) {
			p->wchar = wchar;
			p->seen = l->generation;
			return;
		}
		if (free_slot == LIMITS_PROCS_MAX && !p->pid)
			free_slot = i;
	}
	if (free_slot == LIMITS_PROCS_MAX) {
		if (l->n_procs >= LIMITS_PROCS_MAX) {
			l->untracked_wchar += wchar;
			return;
		}
		free_slot = l->n_procs++;
	}
	l->procs[free_slot] = (struct limits_proc){.pid = pid,
						   .start = start,
						   .wchar = wchar,
						   .seen = l->generation};
}

/* Fds of @pid: their number, and memfds counted once per inode. */
static void limits_fds(struct limits_walk *w, pid_t pid)
{
	struct procfs_memfd mf[256]; /* as many as a walk keeps */
	size_t n = 0, i, j;
	bool mem = limits_set(w->l, POLICY_LIMIT_MEM);

	w->fds += procfs_fds(pid, mem ? mf : NULL, ARRAY_SIZE(mf), &n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < w->n_memfd; j++)
			if (w->memfd_ino[j] == mf[i].ino)
				break;
		if (j < w->n_memfd)
			continue;
		if (w->n_memfd < ARRAY_SIZE(w->memfd_ino))
			w->memfd_ino[w->n_memfd++] = mf[i].ino;
		w->mem += mf[i].bytes;
	}
}

/* Account one process; false when it is not @ppid's child (pid reused). */
static bool limits_proc(struct limits_walk *w, pid_t pid, pid_t ppid)
{
	struct procfs_stat st;

	if (procfs_stat(pid, &st) < 0)
		return false;
	if (ppid > 0 && st.ppid != ppid)
		return false;
	w->tasks += (uint64_t)st.threads;
	w->cpu_ticks += st.utime + st.stime + st.cutime + st.cstime;
	if (limits_set(w->l, POLICY_LIMIT_MEM)) {
		struct procfs_status ps;

		if (procfs_status(pid, &ps) == 0)
			w->mem += ps.rss_anon + ps.rss_shmem;
	}
	if (limits_set(w->l, POLICY_LIMIT_DISK)) {
		uint64_t wc;

		if (procfs_io_wchar(pid, &wc) == 0) {
			w->wchar += wc;
			limits_note_wchar(w->l, pid, st.start, wc);
		}
	}
	if (limits_set(w->l, POLICY_LIMIT_FDS) ||
	    limits_set(w->l, POLICY_LIMIT_MEM))
		limits_fds(w, pid);
	return true;
}

/* Children of every thread of @pid, appended to @q from @n. */
static size_t limits_children(pid_t pid, pid_t *q, size_t n, size_t max,
			      pid_t *parents)
{
	size_t got = procfs_children(pid, q + n, max - n), i;

	for (i = 0; i < got; i++)
		parents[n + i] = pid;
	return n + got;
}

static void limits_walk(struct limits_walk *w)
{
	/* Not static: the walker thread and a pids recount may both walk. */
	pid_t q[LIMITS_PROCS_MAX], parents[LIMITS_PROCS_MAX];
	size_t head = 0, n;

	n = limits_children(getpid(), q, 0, ARRAY_SIZE(q), parents);
	while (head < n) {
		pid_t pid = q[head], ppid = parents[head];

		head++;
		if (!limits_proc(w, pid, ppid))
			continue;
		n = limits_children(pid, q, n, ARRAY_SIZE(q), parents);
	}
}

void limits_note_reaped(struct limits *l)
{
	struct rusage ru;

	/* Everything the supervisor reaped, with what those reaped. */
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
		l->reaped_cpu_ms = (uint64_t)ru.ru_utime.tv_sec * 1000 +
				   (uint64_t)ru.ru_utime.tv_usec / 1000 +
				   (uint64_t)ru.ru_stime.tv_sec * 1000 +
				   (uint64_t)ru.ru_stime.tv_usec / 1000;
}

static void limits_peak(uint64_t *peak, uint64_t v)
{
	if (v > *peak)
		*peak = v;
}

/*
 * The /proc half of a sample: walk the tree into @out. Touches only what the
 * walker owns (struct limits), so it runs in the walker thread or, when
 * no walk is running, in the supervisor.
 */
static void limits_walk_all(struct limits *l, struct limits_walked *out)
{
	struct limits_walk w = {.l = l};
	size_t i;

	l->generation++;
	l->samples++;
	limits_walk(&w);
	/* Processes gone since the last sample keep their last wchar. */
	for (i = 0; i < l->n_procs; i++) {
		struct limits_proc *p = &l->procs[i];

		if (p->pid && p->seen != l->generation) {
			l->dead_wchar += p->wchar;
			p->pid = 0;
		}
	}
	out->cpu_ticks = w.cpu_ticks;
	out->mem = w.mem;
	out->tasks = w.tasks;
	out->fds = w.fds;
	out->wchar = w.wchar + l->dead_wchar + l->untracked_wchar;
}

/* The supervisor's half: what it reaped, tmpfs, peaks, the verdict. */
static enum policy_limit_key limits_judge(struct limits *l,
					  const struct limits_walked *w,
					  uint64_t log_bytes)
{
	uint64_t shm, tmp;

	limits_note_reaped(l);
	l->cpu_ms = w->cpu_ticks * 1000 / l->clk_tck + l->reaped_cpu_ms;
	shm = limits_tmpfs_used("/dev/shm");
	tmp = limits_tmpfs_used("/tmp");
	l->mem = w->mem + (shm > l->shm_base ? shm - l->shm_base : 0) +
		 (tmp > l->tmp_base ? tmp - l->tmp_base : 0);
	l->tasks = w->tasks;
	l->fds = w->fds;
	l->disk = w->wchar > log_bytes ? w->wchar - log_bytes : 0;
	limits_peak(&l->cpu_peak, l->cpu_ms);
	limits_peak(&l->mem_peak, l->mem);
	limits_peak(&l->tasks_peak, l->tasks);
	limits_peak(&l->fds_peak, l->fds);
	limits_peak(&l->disk_peak, l->disk);
	if (limits_set(l, POLICY_LIMIT_CPU) &&
	    l->cpu_ms > limits_value(l, POLICY_LIMIT_CPU))
		return POLICY_LIMIT_CPU;
	if (limits_set(l, POLICY_LIMIT_MEM) &&
	    l->mem > limits_value(l, POLICY_LIMIT_MEM))
		return POLICY_LIMIT_MEM;
	if (limits_set(l, POLICY_LIMIT_PIDS) &&
	    l->tasks > limits_value(l, POLICY_LIMIT_PIDS))
		return POLICY_LIMIT_PIDS;
	if (limits_set(l, POLICY_LIMIT_FDS) &&
	    l->fds > limits_value(l, POLICY_LIMIT_FDS))
		return POLICY_LIMIT_FDS;
	if (limits_set(l, POLICY_LIMIT_DISK) &&
	    l->disk > limits_value(l, POLICY_LIMIT_DISK))
		return POLICY_LIMIT_DISK;
	return POLICY_LIMIT_COUNT;
}

enum policy_limit_key limits_sample(struct limits *l, uint64_t log_bytes)
{
	struct limits_walked w;

	limits_walk_wait(l);
	limits_walk_all(l, &w);
	return limits_judge(l, &w, log_bytes);
}

/* The walker thread: one walk per request, then a word on walk_done. */
static void *limits_walker(void *arg)
{
	struct limits *l = arg;
	uint64_t v;

	threadfs_private(); /* every supervisor thread's own (threadfs.c) */
	for (;;) {
		if (EINTR_RETRY(read(l->walk_req, &v, sizeof(v))) != sizeof(v))
			return NULL;
		limits_walk_all(l, &l->walked);
		v = 1;
		if (EINTR_RETRY(write(l->walk_done, &v, sizeof(v))) !=
		    sizeof(v))
			return NULL;
	}
}

/* Start the walker (once). Return: 0 or -errno. */
static int limits_walker_start(struct limits *l)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int rc;

	if (l->walk_req >= 0)
		return 0;
	l->walk_req = eventfd(0, EFD_CLOEXEC);
	l->walk_done = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->walk_req < 0 || l->walk_done < 0)
		goto fail;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Two pid arrays of the walk live on its stack. */
	pthread_attr_setstacksize(&attr, 1U << 20);
	/* Signals stay with the supervisor's signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&t, &attr, limits_walker, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		return 0;
	errno = rc;
fail:
	rc = -errno;
	if (l->walk_req >= 0)
		close(l->walk_req);
	if (l->walk_done >= 0)
		close(l->walk_done);
	l->walk_req = l->walk_done = -1;
	return rc;
}

int limits_walk_request(struct limits *l)
{
	uint64_t v = 1;
	int rc;

	if (l->walking)
		return 0;
	rc = limits_walker_start(l);
	if (rc < 0)
		return rc;
	l->walking = true;
	if (write(l->walk_req, &v, sizeof(v)) != sizeof(v)) {
		l->walking = false;
		return -errno;
	}
	return 0;
}

int limits_walk_fd(const struct limits *l)
{
	return l->walk_done;
}

enum policy_limit_key limits_walk_finish(struct limits *l, uint64_t log_bytes)
{
	uint64_t v;

	if (!l->walking || read(l->walk_done, &v, sizeof(v)) != sizeof(v))
		return POLICY_LIMIT_COUNT;
	l->walking = false;
	return limits_judge(l, &l->walked, log_bytes);
}

void limits_walk_wait(struct limits *l)
{
	struct pollfd p = {.fd = l->walk_done, .events = POLLIN};
	uint64_t v;

	if (!l->walking)
		return;
	/* A walk is a few ms, even of a large tree. */
	if (EINTR_RETRY(poll(&p, 1, 10000)) == 1 &&
	    read(l->walk_done, &v, sizeof(v)) == sizeof(v))
		l->walking = false;
}

/* Nanoseconds until @used could pass @limit at @rate per second. */
static uint64_t limits_headroom_ns(uint64_t used, uint64_t limit, uint64_t rate)
{
	uint64_t left = limit > used ? limit - used : 0;

	if (!rate)
		return LIMITS_MAX_NS;
	if (left > UINT64_MAX / 1000000000ULL)
		return LIMITS_MAX_NS;
	return left * 1000000000ULL / rate;
}

void limits_arm(struct limits *l)
{
	/*
	 * Each sampled limit with its use now and the fastest rate it can
	 * grow at: cpu in ms, spent by every CPU at once.
	 */
	const struct {
		enum policy_limit_key key;
		uint64_t used, rate;
	} headroom[] = {
		{POLICY_LIMIT_MEM, l->mem, LIMITS_MEM_RATE},
		{POLICY_LIMIT_CPU, l->cpu_ms, 1000ULL * l->ncpu},
		{POLICY_LIMIT_PIDS, l->tasks, LIMITS_TASK_RATE},
		{POLICY_LIMIT_DISK, l->disk, LIMITS_DISK_RATE},
	};
	struct itimerspec its = {0};
	uint64_t next = LIMITS_MAX_NS, h;
	size_t i;

	if (!limits_sampled(l))
		return;
	for (i = 0; i < ARRAY_SIZE(headroom); i++) {
		if (!limits_set(l, headroom[i].key))
			continue;
		h = limits_headroom_ns(headroom[i].used,
				       limits_value(l, headroom[i].key),
				       headroom[i].rate);
		if (h < next)
			next = h;
	}
	if (next < LIMITS_MIN_NS)
		next = LIMITS_MIN_NS;
	its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
	its.it_value.tv_nsec = (long)(next % 1000000000ULL);
	timerfd_settime(l->timerfd, 0, &its, NULL);
}

void limits_fini(struct limits *l)
{
	if (l->timerfd >= 0)
		close(l->timerfd);
	l->timerfd = -1;
}

uint64_t limits_peak_of(const struct limits *l, enum policy_limit_key k)
{
	switch (k) {
	case POLICY_LIMIT_CPU:
		return l->cpu_peak;
	case POLICY_LIMIT_WALL:
		return l->wall_ms;
	case POLICY_LIMIT_MEM:
		return l->mem_peak;
	case POLICY_LIMIT_PIDS:
		return l->tasks_peak;
	case POLICY_LIMIT_FDS:
		return l->fds_peak;
	case POLICY_LIMIT_DISK:
		return l->disk_peak;
	case POLICY_LIMIT_LOG:
		return l->log_peak;
	case POLICY_LIMIT_EGRESS:
		return l->egress_peak;
	case POLICY_LIMIT_FSIZE:
	case POLICY_LIMIT_COUNT:
		break;
	}
	return 0;
}
