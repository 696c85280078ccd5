/* SPDX-License-Identifier: MIT */
/*
 * roundtrip.c - prints what one intercepted system call costs: natively,
 * under an allowing seccomp filter, and as a seccomp user notification
 * answered by a supervisor process the ways cordon answers (CONTINUE, a
 * value, ADDFD), next to a two-process pipe ping-pong as the bare kernel
 * round trip. A benchmark: it prints figures and judges none of them.
 *
 * Theory of operation
 * -------------------
 * Every case but the native one runs in a forked child, because a seccomp
 * filter cannot be removed. The child is the caller and does the timing: a
 * warm-up, then BENCH_BATCHES batches, each reported as ns per call; the
 * table shows the median, fastest and slowest batch. Results travel to the
 * parent on the "up" pipe in one write of less than PIPE_BUF bytes.
 *
 * For notified cases the child installs a filter that notifies getppid()
 * with SECCOMP_FILTER_FLAG_NEW_LISTENER, writes the listener's fd number on
 * the up pipe and waits on the "down" pipe. The parent, the supervisor,
 * copies the listener out with pidfd_getfd() (as cordon does), tries
 * SECCOMP_IOCTL_NOTIF_SET_FLAGS when the case asks for SYNC_WAKE_UP, and
 * sends "go"; the child closes its own copy and starts calling. The child
 * ends with one more notified getppid() whose first argument is
 * BENCH_SENTINEL, which tells the supervisor to stop. A child that dies
 * without it must still get the supervisor out of RECV: a blocking RECV is
 * not woken when the last filter user goes away before Linux 6.6, and
 * after that only once the dead child is reaped. So while supervising,
 * SIGCHLD (handled without SA_RESTART) interrupts RECV or epoll_wait(), and
 * starts a once-a-second SIGALRM for the case where it landed just before
 * the supervisor entered RECV. Nothing ticks while the child is alive: a
 * signal would also interrupt an ADDFD waiting for the caller to take its
 * fd, and an interrupted ADDFD with SECCOMP_ADDFD_FLAG_SEND cannot be
 * retried (the notification is already marked replied).
 *
 * Children ask for SIGKILL when the parent dies (PR_SET_PDEATHSIG), and the
 * parent reaps every child it forks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* uapi constants newer than the 6.1 headers this builds against. */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#if defined(__x86_64__)
#define BENCH_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BENCH_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define BENCH_AUDIT_ARCH AUDIT_ARCH_I386
#elif defined(__riscv) && __riscv_xlen == 64
#define BENCH_AUDIT_ARCH AUDIT_ARCH_RISCV64
#else
#error "roundtrip.c: add this architecture's AUDIT_ARCH_* value"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BENCH_ARG0_LO offsetof(struct seccomp_data, args[0])
#else
#define BENCH_ARG0_LO (offsetof(struct seccomp_data, args[0]) + 4)
#endif

#define BENCH_BATCHES 11
#define BENCH_DEFAULT_N 18000L /* round trips per case */
#define BENCH_QUICK_N 110L
#define BENCH_SYSCALL_SCALE 50L /* single-process cases do N * this */
#define BENCH_SENTINEL 0x5e4e71L
#define BENCH_VALUE 42
#define BENCH_WATCHDOG_S 1
#define BENCH_WHY_LEN 128
#define BENCH_POLL_NS 64000ULL /* as RECEIVER_SPIN_MAX_NS */

#define BENCH_LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define BENCH_JEQ(k, jt, jf)                                                   \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define BENCH_JGE(k, jt, jf)                                                   \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (jt), (jf))
#define BENCH_RET(k) BPF_STMT(BPF_RET | BPF_K, (k))
#define BENCH_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * An allowing filter of the usual shape: arch check, x32 check, a few
 * denials, allow. Nothing in it depends on the arguments, so since Linux
 * 5.11 the kernel's constant-action bitmap answers getppid() without
 * running it at all.
 */
static struct sock_filter bench_filter_cached[] = {
	BENCH_LD(offsetof(struct seccomp_data, arch)),
	BENCH_JEQ(BENCH_AUDIT_ARCH, 1, 0),
	BENCH_RET(SECCOMP_RET_KILL_PROCESS),
	BENCH_LD(offsetof(struct seccomp_data, nr)),
	BENCH_JGE(0x40000000, 6, 0),
	BENCH_JEQ(__NR_ptrace, 4, 0),
	BENCH_JEQ(__NR_kexec_load, 3, 0),
	BENCH_JEQ(__NR_bpf, 2, 0),
	BENCH_JEQ(__NR_perf_event_open, 1, 0),
	BENCH_RET(SECCOMP_RET_ALLOW),
	BENCH_RET(SECCOMP_RET_ERRNO | EPERM),
	BENCH_RET(SECCOMP_RET_ERRNO | ENOSYS),
};

/* The same, but getppid() looks at its first argument: BPF runs. */
static struct sock_filter bench_filter_bpf[] = {
	BENCH_LD(offsetof(struct seccomp_data, arch)),
	BENCH_JEQ(BENCH_AUDIT_ARCH, 1, 0),
	BENCH_RET(SECCOMP_RET_KILL_PROCESS),
	BENCH_LD(offsetof(struct seccomp_data, nr)),
	BENCH_JGE(0x40000000, 9, 0),
	BENCH_JEQ(__NR_ptrace, 7, 0),
	BENCH_JEQ(__NR_kexec_load, 6, 0),
	BENCH_JEQ(__NR_bpf, 5, 0),
	BENCH_JEQ(__NR_perf_event_open, 4, 0),
	BENCH_JEQ(__NR_getppid, 0, 2),
	BENCH_LD(BENCH_ARG0_LO),
	BENCH_JEQ(0xdead, 1, 0),
	BENCH_RET(SECCOMP_RET_ALLOW),
	BENCH_RET(SECCOMP_RET_ERRNO | EPERM),
	BENCH_RET(SECCOMP_RET_ERRNO | ENOSYS),
};

/* getppid() goes to the supervisor, everything else is allowed. */
static struct sock_filter bench_filter_notify[] = {
	BENCH_LD(offsetof(struct seccomp_data, arch)),
	BENCH_JEQ(BENCH_AUDIT_ARCH, 1, 0),
	BENCH_RET(SECCOMP_RET_KILL_PROCESS),
	BENCH_LD(offsetof(struct seccomp_data, nr)),
	BENCH_JEQ(__NR_getppid, 0, 1),
	BENCH_RET(SECCOMP_RET_USER_NOTIF),
	BENCH_RET(SECCOMP_RET_ALLOW),
};

enum bench_kind {
	BENCH_KIND_NATIVE,
	BENCH_KIND_FILTER_CACHED,
	BENCH_KIND_FILTER_BPF,
	BENCH_KIND_PIPE,
	BENCH_KIND_NOTIFY,
};

enum bench_answer {
	BENCH_ANSWER_CONTINUE,
	BENCH_ANSWER_VALUE,
	BENCH_ANSWER_ADDFD_SEND,      /* ADDFD with SECCOMP_ADDFD_FLAG_SEND */
	BENCH_ANSWER_ADDFD_THEN_SEND, /* ADDFD, then NOTIF_SEND */
};

/* Tri-state for what the kernel was found to offer. */
enum bench_feat {
	BENCH_FEAT_UNKNOWN,
	BENCH_FEAT_NO,
	BENCH_FEAT_YES,
};

/**
 * struct bench_case - one row of the table
 * @kind:	what is measured
 * @answer:	how the supervisor answers (BENCH_KIND_NOTIFY)
 * @sync:	SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP on the listener
 * @epoll:	supervisor waits in epoll_wait() before each RECV
 * @poll:	supervisor polls the listener without sleeping, up to
 *		BENCH_POLL_NS, before each RECV (what cordon's receiver does
 *		without SYNC_WAKE_UP, sentry/receiver.c)
 * @pinned:	caller and supervisor both on one CPU
 * @done:	measured; @median_ns and @min_ns are valid
 * @median_ns:	median over the batches of ns per call
 * @min_ns:	fastest batch, ns per call
 * @max_ns:	slowest batch, ns per call
 * @calls:	timed calls, warm-up not counted
 * @why:	when not @done, the reason
 */
struct bench_case {
	enum bench_kind kind;
	enum bench_answer answer;
	bool sync;
	bool epoll;
	bool poll;
	bool pinned;
	bool done;
	double median_ns;
	double min_ns;
	double max_ns;
	long calls;
	char why[BENCH_WHY_LEN];
};

enum bench_msg_type {
	BENCH_MSG_LISTENER = 1,
	BENCH_MSG_RESULT = 2,
};

/**
 * struct bench_msg - what a child writes on the up pipe
 * @type:	enum bench_msg_type
 * @fd:		BENCH_MSG_LISTENER: listener fd number, or -1 and @why
 * @killable:	BENCH_MSG_LISTENER: WAIT_KILLABLE_RECV was accepted
 * @err:	BENCH_MSG_RESULT: 0, or a negative errno and @why
 * @ns:		BENCH_MSG_RESULT: ns per call of each batch
 * @why:	what went wrong, NUL-terminated
 */
struct bench_msg {
	int type;
	int fd;
	int killable;
	int err;
	double ns[BENCH_BATCHES];
	char why[BENCH_WHY_LEN];
};

/**
 * struct bench_caller - what a child's per-call operation needs
 * @ppid:	the parent's pid, which getppid() returns under CONTINUE
 * @ping:	pipe cases: write end towards the parent
 * @pong:	pipe cases: read end from the parent
 */
struct bench_caller {
	long ppid;
	int ping;
	int pong;
};

/**
 * struct bench_env - settings and kernel findings for the whole run
 * @n:		round trips per case
 * @json:	print JSON lines instead of the table
 * @all_cpus:	the affinity the program started with
 * @pin_cpu:	the CPU pinned cases use: the first of @all_cpus
 * @ncpus:	number of CPUs in @all_cpus
 * @sizes:	SECCOMP_GET_NOTIF_SIZES, zero when unavailable
 * @sizes_err:	errno of SECCOMP_GET_NOTIF_SIZES, 0 on success
 * @req:	RECV buffer, @sizes.seccomp_notif bytes
 * @resp:	SEND buffer, @sizes.seccomp_notif_resp bytes
 * @devnull:	fd the ADDFD cases install into the caller
 * @listener:	NEW_LISTENER accepted by the kernel
 * @killable:	WAIT_KILLABLE_RECV accepted
 * @getfd:	pidfd_getfd() worked
 * @sync:	SECCOMP_IOCTL_NOTIF_SET_FLAGS(SYNC_WAKE_UP) worked
 * @addfd_send:	SECCOMP_ADDFD_FLAG_SEND worked
 */
struct bench_env {
	long n;
	bool json;
	cpu_set_t all_cpus;
	int pin_cpu;
	int ncpus;
	struct seccomp_notif_sizes sizes;
	int sizes_err;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int devnull;
	enum bench_feat listener;
	enum bench_feat killable;
	enum bench_feat getfd;
	enum bench_feat sync;
	enum bench_feat addfd_send;
};

/* answer, SYNC_WAKE_UP, epoll, pinned */
#define BENCH_NOTIFY(a, s, e, p)                                               \
	{                                                                      \
		.kind = BENCH_KIND_NOTIFY, .answer = BENCH_ANSWER_##a,         \
		.sync = (s), .epoll = (e), .pinned = (p)                       \
	}

/* answer, pinned: no sync, polling before each RECV */
#define BENCH_NOTIFY_POLL(a, p)                                                \
	{                                                                      \
		.kind = BENCH_KIND_NOTIFY, .answer = BENCH_ANSWER_##a,         \
		.poll = true, .pinned = (p)                                    \
	}

/* The rows, in print order; each pipe row is the reference of its group. */
static struct bench_case bench_cases[] = {
	{.kind = BENCH_KIND_NATIVE},
	{.kind = BENCH_KIND_FILTER_CACHED},
	{.kind = BENCH_KIND_FILTER_BPF},
	{.kind = BENCH_KIND_PIPE, .pinned = false},
	BENCH_NOTIFY(CONTINUE, false, false, false),
	BENCH_NOTIFY(CONTINUE, false, true, false),
	BENCH_NOTIFY_POLL(CONTINUE, false),
	BENCH_NOTIFY(CONTINUE, true, false, false),
	BENCH_NOTIFY(CONTINUE, true, true, false),
	BENCH_NOTIFY(VALUE, false, false, false),
	BENCH_NOTIFY(VALUE, false, true, false),
	BENCH_NOTIFY(VALUE, true, false, false),
	BENCH_NOTIFY(VALUE, true, true, false),
	BENCH_NOTIFY(ADDFD_SEND, true, false, false),
	BENCH_NOTIFY(ADDFD_SEND, true, true, false),
	BENCH_NOTIFY(ADDFD_THEN_SEND, true, false, false),
	BENCH_NOTIFY(ADDFD_THEN_SEND, true, true, false),
	{.kind = BENCH_KIND_PIPE, .pinned = true},
	BENCH_NOTIFY(CONTINUE, false, false, true),
	BENCH_NOTIFY(CONTINUE, false, true, true),
	BENCH_NOTIFY_POLL(CONTINUE, true),
	BENCH_NOTIFY(CONTINUE, true, false, true),
	BENCH_NOTIFY(CONTINUE, true, true, true),
	BENCH_NOTIFY(VALUE, false, false, true),
	BENCH_NOTIFY(VALUE, false, true, true),
	BENCH_NOTIFY(VALUE, true, false, true),
	BENCH_NOTIFY(VALUE, true, true, true),
	BENCH_NOTIFY(ADDFD_SEND, true, false, true),
	BENCH_NOTIFY(ADDFD_SEND, true, true, true),
	BENCH_NOTIFY(ADDFD_THEN_SEND, true, false, true),
	BENCH_NOTIFY(ADDFD_THEN_SEND, true, true, true),
};

/* Set while bench_supervise() runs; read by the signal handlers. */
static volatile sig_atomic_t bench_watching;

/* SIGCHLD and SIGALRM: interrupt RECV, and keep doing so once a second. */
static void bench_watchdog(int sig)
{
	(void)sig;
	if (bench_watching)
		alarm(BENCH_WATCHDOG_S);
}

static uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * bench_read_full() - read exactly @len bytes unless EOF or error comes first
 * @fd:		file descriptor
 * @buf:	destination, @len bytes, owned by the caller
 * @len:	bytes wanted
 *
 * Retries EINTR (the watchdog's signals have no SA_RESTART). May block.
 *
 * Return: bytes read (less than @len on EOF), or -1 with errno set.
 */
static ssize_t bench_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/**
 * bench_write_full() - write all of @len bytes
 * @fd:		file descriptor
 * @buf:	source, owned by the caller
 * @len:	bytes to write
 *
 * Retries EINTR. May block.
 *
 * Return: 0, or -1 with errno set.
 */
static int bench_write_full(int fd, const void *buf, size_t len)
{
	size_t put = 0;
	ssize_t n;

	while (put < len) {
		n = write(fd, (const char *)buf + put, len - put);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		put += (size_t)n;
	}
	return 0;
}

static void bench_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Per-call operations of the caller; 0, or a negative errno. */

static int bench_op_getppid(const struct bench_caller *bc)
{
	(void)bc;
	/* The explicit 0 keeps args[0] away from BENCH_SENTINEL. */
	syscall(SYS_getppid, 0L);
	return 0;
}

static int bench_op_notify_ppid(const struct bench_caller *bc)
{
	long r = syscall(SYS_getppid, 0L);

	if (r < 0)
		return -errno;
	return r == bc->ppid ? 0 : -EPROTO;
}

static int bench_op_notify_value(const struct bench_caller *bc)
{
	long r = syscall(SYS_getppid, 0L);

	(void)bc;
	if (r < 0)
		return -errno;
	return r == BENCH_VALUE ? 0 : -EPROTO;
}

static int bench_op_notify_fd(const struct bench_caller *bc)
{
	long r = syscall(SYS_getppid, 0L);

	(void)bc;
	if (r < 0)
		return -errno;
	if (close((int)r) < 0)
		return -EPROTO;
	return 0;
}

static int bench_op_pipe(const struct bench_caller *bc)
{
	char c = 'p';

	if (write(bc->ping, &c, 1) != 1)
		return errno ? -errno : -EPIPE;
	if (read(bc->pong, &c, 1) != 1)
		return errno ? -errno : -EPIPE;
	return 0;
}

/**
 * bench_batches() - time @op: a warm-up, then BENCH_BATCHES batches
 * @op:		the operation, 0 or a negative errno per call
 * @bc:		its context
 * @per_batch:	calls per batch (and in the warm-up)
 * @ns:		out: ns per call of each batch, BENCH_BATCHES entries
 *
 * Return: 0, or the first error @op returned.
 */
static int bench_batches(int (*op)(const struct bench_caller *),
			 const struct bench_caller *bc, long per_batch,
			 double *ns)
{
	uint64_t t0;
	long i;
	int b, ret;

	for (i = 0; i < per_batch; i++) {
		ret = op(bc);
		if (ret)
			return ret;
	}
	for (b = 0; b < BENCH_BATCHES; b++) {
		t0 = bench_now_ns();
		for (i = 0; i < per_batch; i++) {
			ret = op(bc);
			if (ret)
				return ret;
		}
		ns[b] = (double)(bench_now_ns() - t0) / (double)per_batch;
	}
	return 0;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_case_stats(struct bench_case *c, const double *ns,
			     long per_batch)
{
	double s[BENCH_BATCHES];

	memcpy(s, ns, sizeof(s));
	qsort(s, BENCH_BATCHES, sizeof(s[0]), bench_cmp_double);
	c->median_ns = s[BENCH_BATCHES / 2];
	c->min_ns = s[0];
	c->max_ns = s[BENCH_BATCHES - 1];
	c->calls = per_batch * BENCH_BATCHES;
	c->done = true;
}

static long bench_per_batch(const struct bench_env *env,
			    const struct bench_case *c)
{
	long n = env->n;

	if (c->kind == BENCH_KIND_NATIVE ||
	    c->kind == BENCH_KIND_FILTER_CACHED ||
	    c->kind == BENCH_KIND_FILTER_BPF)
		n *= BENCH_SYSCALL_SCALE;
	n /= BENCH_BATCHES;
	return n > 0 ? n : 1;
}

static int bench_seccomp(struct sock_filter *code, size_t len,
			 unsigned long flags)
{
	struct sock_fprog prog = {
		.len = (unsigned short)len,
		.filter = code,
	};

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/**
 * bench_child_listen() - install the notifying filter and hand it over
 * @up:		pipe to the parent
 * @down:	pipe from the parent
 * @m:		message buffer, owned by the caller
 *
 * Reports the listener's number on @up, waits for the parent's verdict on
 * @down, then closes our copy: the caller must never hold its own listener.
 *
 * Return: 0 when the parent said go, else -1 with @m->why filled.
 */
static int bench_child_listen(int up, int down, struct bench_msg *m)
{
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER |
			      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	int fd, saved;
	char go = 0;

	fd = bench_seccomp(bench_filter_notify,
			   BENCH_ARRAY_SIZE(bench_filter_notify), flags);
	/* WAIT_KILLABLE_RECV is Linux 5.19; cordon falls back the same way. */
	if (fd < 0 && errno == EINVAL) {
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = bench_seccomp(bench_filter_notify,
				   BENCH_ARRAY_SIZE(bench_filter_notify),
				   flags);
	}
	saved = errno;
	m->type = BENCH_MSG_LISTENER;
	m->fd = fd;
	m->killable = !!(flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	if (fd < 0)
		snprintf(m->why, sizeof(m->why),
			 "seccomp(NEW_LISTENER): %s (needs Linux 5.0)",
			 strerror(saved));
	if (bench_write_full(up, m, sizeof(*m)) < 0 || fd < 0)
		return -1;
	if (read(down, &go, 1) != 1 || go != 'g') {
		snprintf(m->why, sizeof(m->why), "supervisor gave up");
		return -1;
	}
	close(fd);
	return 0;
}

/**
 * bench_child() - the caller side of a forked case; never returns
 * @env:	settings
 * @c:		the case
 * @parent:	the parent's pid, to detect that it already died
 * @up:		pipe to the parent: messages
 * @down:	pipe from the parent: go / give up (notify cases)
 * @ping:	pipe to the parent (pipe case)
 * @pong:	pipe from the parent (pipe case)
 */
static _Noreturn void bench_child(const struct bench_env *env,
				  const struct bench_case *c, pid_t parent,
				  int up, int down, int ping, int pong)
{
	int (*op)(const struct bench_caller *) = bench_op_getppid;
	struct bench_caller bc = {.ppid = parent, .ping = ping, .pong = pong};
	struct bench_msg m;

	memset(&m, 0, sizeof(m));
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (c->kind != BENCH_KIND_PIPE &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		m.err = -errno;
		snprintf(m.why, sizeof(m.why), "PR_SET_NO_NEW_PRIVS: %s",
			 strerror(errno));
		goto out_report;
	}

	switch (c->kind) {
	case BENCH_KIND_NATIVE:
		break;
	case BENCH_KIND_FILTER_CACHED:
		if (bench_seccomp(bench_filter_cached,
				  BENCH_ARRAY_SIZE(bench_filter_cached), 0) < 0)
			goto out_filter_failed;
		break;
	case BENCH_KIND_FILTER_BPF:
		if (bench_seccomp(bench_filter_bpf,
				  BENCH_ARRAY_SIZE(bench_filter_bpf), 0) < 0)
			goto out_filter_failed;
		break;
	case BENCH_KIND_PIPE:
		op = bench_op_pipe;
		break;
	case BENCH_KIND_NOTIFY:
		if (bench_child_listen(up, down, &m) < 0) {
			m.err = -EAGAIN;
			/* The supervisor is not serving: no sentinel. */
			m.type = BENCH_MSG_RESULT;
			bench_write_full(up, &m, sizeof(m));
			_exit(0);
		}
		if (c->answer == BENCH_ANSWER_CONTINUE)
			op = bench_op_notify_ppid;
		else if (c->answer == BENCH_ANSWER_VALUE)
			op = bench_op_notify_value;
		else
			op = bench_op_notify_fd;
		break;
	}

	m.err = bench_batches(op, &bc, bench_per_batch(env, c), m.ns);
	if (m.err)
		snprintf(m.why, sizeof(m.why), "the measured call failed: %s",
			 strerror(-m.err));
	goto out_report;
out_filter_failed:
	m.err = -errno;
	snprintf(m.why, sizeof(m.why), "seccomp(filter): %s", strerror(errno));
out_report:
	m.type = BENCH_MSG_RESULT;
	bench_write_full(up, &m, sizeof(m));
	if (c->kind == BENCH_KIND_NOTIFY)
		syscall(SYS_getppid, BENCH_SENTINEL);
	_exit(0);
}

/**
 * bench_send() - answer notification @id
 * @env:	holds the response buffer
 * @listener:	the listener
 * @id:		notification id
 * @val:	return value for the caller
 * @error:	0, or a negative errno for the caller
 * @flags:	0 or SECCOMP_USER_NOTIF_FLAG_CONTINUE
 *
 * Return: 0, or a negative errno (-ENOENT: the caller is gone).
 */
static int bench_send(const struct bench_env *env, int listener, __u64 id,
		      __s64 val, __s32 error, __u32 flags)
{
	struct seccomp_notif_resp *resp = env->resp;

	resp->id = id;
	resp->val = val;
	resp->error = error;
	resp->flags = flags;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		return -errno;
	return 0;
}

/**
 * bench_answer() - answer one measured notification the way @c says
 * @env:	settings, buffers and the fd ADDFD installs
 * @c:		the case; @c->why is filled on the first failure
 * @listener:	the listener
 * @id:		notification id
 *
 * A failure other than -ENOENT becomes an -ENOSYS answer, so the caller
 * stops and reports instead of hanging.
 */
static void bench_answer(struct bench_env *env, struct bench_case *c,
			 int listener, __u64 id)
{
	struct seccomp_notif_addfd addfd = {
		.id = id,
		.srcfd = (__u32)env->devnull,
		.newfd_flags = O_CLOEXEC,
	};
	const char *what = "SECCOMP_IOCTL_NOTIF_SEND";
	const char *needs = "";
	int ret = 0;

	switch (c->answer) {
	case BENCH_ANSWER_CONTINUE:
		what = "SEND with SECCOMP_USER_NOTIF_FLAG_CONTINUE";
		needs = " (needs Linux 5.5)";
		ret = bench_send(env, listener, id, 0, 0,
				 SECCOMP_USER_NOTIF_FLAG_CONTINUE);
		break;
	case BENCH_ANSWER_VALUE:
		ret = bench_send(env, listener, id, BENCH_VALUE, 0, 0);
		break;
	case BENCH_ANSWER_ADDFD_SEND:
		addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0) {
			ret = -errno;
			what = "ADDFD with SECCOMP_ADDFD_FLAG_SEND";
			needs = " (needs Linux 5.14)";
			if (ret == -EINVAL)
				env->addfd_send = BENCH_FEAT_NO;
		} else {
			env->addfd_send = BENCH_FEAT_YES;
		}
		break;
	case BENCH_ANSWER_ADDFD_THEN_SEND:
		ret = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
		if (ret < 0) {
			ret = -errno;
			what = "SECCOMP_IOCTL_NOTIF_ADDFD";
			needs = " (needs Linux 5.9)";
			break;
		}
		ret = bench_send(env, listener, id, ret, 0, 0);
		break;
	}
	if (ret == 0 || ret == -ENOENT)
		return;
	if (!c->why[0])
		snprintf(c->why, sizeof(c->why), "%s: %s%s", what,
			 strerror(-ret), needs);
	bench_send(env, listener, id, 0, -ENOSYS, 0);
}

static bool bench_child_gone(pid_t pid, int *status, bool *reaped)
{
	if (waitpid(pid, status, WNOHANG) == pid) {
		*reaped = true;
		return true;
	}
	return false;
}

/*
 * Poll @listener until a notification waits or BENCH_POLL_NS pass, yielding
 * between polls: the caller is then taken without a wake-up.
 */
static void bench_poll(int listener)
{
	struct pollfd p = {.fd = listener, .events = POLLIN};
	uint64_t until = bench_now_ns() + BENCH_POLL_NS;

	while (poll(&p, 1, 0) == 0 && bench_now_ns() < until)
		sched_yield();
}

/**
 * bench_supervise() - answer notifications until the sentinel arrives
 * @env:	settings and buffers
 * @c:		the case: how to wait and answer; @c->why on failure
 * @listener:	the listener, copied out of @pid
 * @pid:	the caller
 * @status:	out: @pid's wait status when it was reaped here
 * @reaped:	out: whether @pid was reaped here
 *
 * Blocks. Returns when the sentinel is answered, when @pid is gone (seen on
 * the watchdog's EINTR) or on an unexpected error.
 */
static void bench_supervise(struct bench_env *env, struct bench_case *c,
			    int listener, pid_t pid, int *status, bool *reaped)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct seccomp_notif *req = env->req;
	int ep = -1, n;

	if (c->epoll) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0) {
			snprintf(c->why, sizeof(c->why), "epoll: %s",
				 strerror(errno));
			goto out_close_ep;
		}
	}
	bench_watching = 1;
	for (;;) {
		if (ep >= 0) {
			n = epoll_wait(ep, &ev, 1, -1);
			if (n < 0 && errno == EINTR) {
				if (bench_child_gone(pid, status, reaped))
					break;
				continue;
			}
			if (n < 0) {
				snprintf(c->why, sizeof(c->why),
					 "epoll_wait: %s", strerror(errno));
				break;
			}
			/* EPOLLHUP alone: no filter user is left. */
			if (n == 1 && !(ev.events & EPOLLIN))
				break;
		}
		if (c->poll)
			bench_poll(listener);
		memset(req, 0, env->sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			/* ENOENT: the notification went away (signal). */
			if (errno == EINTR || errno == ENOENT) {
				if (bench_child_gone(pid, status, reaped))
					break;
				continue;
			}
			snprintf(c->why, sizeof(c->why), "NOTIF_RECV: %s",
				 strerror(errno));
			break;
		}
		if (req->data.args[0] == BENCH_SENTINEL) {
			bench_send(env, listener, req->id, 0, 0, 0);
			break;
		}
		bench_answer(env, c, listener, req->id);
	}
	bench_watching = 0;
	alarm(0);
out_close_ep:
	bench_close(&ep);
}

/**
 * bench_notify_parent() - the supervisor side of a notify case
 * @env:	settings; feature findings are recorded here
 * @c:		the case; @c->why on failure
 * @pid:	the caller
 * @up:		pipe from the caller
 * @down:	pipe to the caller
 * @status:	out: @pid's wait status when it was reaped here
 * @reaped:	out: whether @pid was reaped here
 *
 * Takes the listener out of @pid, sets it up, says go and serves it.
 */
static void bench_notify_parent(struct bench_env *env, struct bench_case *c,
				pid_t pid, int up, int down, int *status,
				bool *reaped)
{
	struct bench_msg m;
	int pidfd, listener = -1;
	char verdict = 'a';

	if (bench_read_full(up, &m, sizeof(m)) != (ssize_t)sizeof(m) ||
	    m.type != BENCH_MSG_LISTENER) {
		snprintf(c->why, sizeof(c->why),
			 "the caller died before reporting its listener");
		return;
	}
	if (m.fd < 0) {
		env->listener = BENCH_FEAT_NO;
		snprintf(c->why, sizeof(c->why), "%s", m.why);
		return;
	}
	env->listener = BENCH_FEAT_YES;
	env->killable = m.killable ? BENCH_FEAT_YES : BENCH_FEAT_NO;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		snprintf(c->why, sizeof(c->why),
			 "pidfd_open: %s (needs Linux 5.3)", strerror(errno));
		goto out_verdict;
	}
	listener = (int)syscall(SYS_pidfd_getfd, pidfd, m.fd, 0);
	if (listener < 0) {
		env->getfd = BENCH_FEAT_NO;
		snprintf(c->why, sizeof(c->why),
			 "pidfd_getfd: %s (needs Linux 5.6)", strerror(errno));
		goto out_close_pidfd;
	}
	env->getfd = BENCH_FEAT_YES;
	if (env->sizes_err) {
		snprintf(c->why, sizeof(c->why), "SECCOMP_GET_NOTIF_SIZES: %s",
			 strerror(env->sizes_err));
		goto out_close_pidfd;
	}
	/*
	 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): both directions of
	 * the round trip wake the other side on the waker's CPU, like a
	 * synchronous IPC, instead of letting the scheduler pick (usually
	 * the other, idle CPU). Known only by trying.
	 */
	if (c->sync) {
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			  (__u64)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) < 0) {
			env->sync = BENCH_FEAT_NO;
			snprintf(c->why, sizeof(c->why),
				 "SECCOMP_IOCTL_NOTIF_SET_FLAGS: %s "
				 "(needs Linux 6.6)",
				 strerror(errno));
			goto out_close_pidfd;
		}
		env->sync = BENCH_FEAT_YES;
	}
	verdict = 'g';
out_close_pidfd:
	close(pidfd);
out_verdict:
	if (bench_write_full(down, &verdict, 1) < 0 && verdict == 'g') {
		snprintf(c->why, sizeof(c->why), "the caller died early");
		verdict = 'a';
	}
	if (verdict == 'g')
		bench_supervise(env, c, listener, pid, status, reaped);
	bench_close(&listener);
}

/* The responder side of the pipe case: echo until EOF. */
static void bench_echo(int ping, int pong)
{
	ssize_t n;
	char b;

	for (;;) {
		n = read(ping, &b, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			break;
		if (bench_write_full(pong, &b, 1) < 0)
			break;
	}
}

static void bench_pin(const struct bench_env *env, bool pinned)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(env->pin_cpu, &one);
	sched_setaffinity(0, sizeof(cpu_set_t), pinned ? &one : &env->all_cpus);
}

static int bench_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

/**
 * bench_run_forked() - measure @c with a forked caller
 * @env:	settings
 * @c:		the case; results or @c->why are filled in
 *
 * Return: 0, or -1 when the case could not even be started (fork, pipe).
 */
static int bench_run_forked(struct bench_env *env, struct bench_case *c)
{
	int up[2] = {-1, -1}, down[2] = {-1, -1};
	int ping[2] = {-1, -1}, pong[2] = {-1, -1};
	pid_t parent = getpid(), pid;
	bool reaped = false;
	struct bench_msg m;
	int status = 0, ret = -1;

	if (bench_pipe(up) < 0 ||
	    (c->kind == BENCH_KIND_NOTIFY && bench_pipe(down) < 0) ||
	    (c->kind == BENCH_KIND_PIPE &&
	     (bench_pipe(ping) < 0 || bench_pipe(pong) < 0))) {
		snprintf(c->why, sizeof(c->why), "pipe2: %s", strerror(errno));
		goto out_close_pipes;
	}
	if (c->pinned)
		bench_pin(env, true);
	pid = fork();
	if (pid < 0) {
		snprintf(c->why, sizeof(c->why), "fork: %s", strerror(errno));
		goto out_unpin;
	}
	if (pid == 0) {
		bench_close(&up[0]);
		bench_close(&down[1]);
		bench_close(&ping[0]);
		bench_close(&pong[1]);
		bench_child(env, c, parent, up[1], down[0], ping[1], pong[0]);
	}
	bench_close(&up[1]);
	bench_close(&down[0]);
	bench_close(&ping[1]);
	bench_close(&pong[0]);

	if (c->kind == BENCH_KIND_PIPE)
		bench_echo(ping[0], pong[1]);
	else if (c->kind == BENCH_KIND_NOTIFY)
		bench_notify_parent(env, c, pid, up[0], down[1], &status,
				    &reaped);

	if (bench_read_full(up[0], &m, sizeof(m)) != (ssize_t)sizeof(m) ||
	    m.type != BENCH_MSG_RESULT) {
		if (!c->why[0])
			snprintf(c->why, sizeof(c->why),
				 "the caller died without a result");
	} else if (m.err) {
		if (!c->why[0])
			snprintf(c->why, sizeof(c->why), "%s", m.why);
	} else if (!c->why[0]) {
		bench_case_stats(c, m.ns, bench_per_batch(env, c));
	}
	/* Drop the pipes first: a caller blocked writing must see EPIPE. */
	bench_close(&up[0]);
	bench_close(&down[1]);
	bench_close(&ping[0]);
	bench_close(&pong[1]);
	if (!reaped) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (!c->done && !c->why[0])
		snprintf(c->why, sizeof(c->why),
			 "the caller failed (status %#x)", status);
	ret = 0;
out_unpin:
	if (c->pinned)
		bench_pin(env, false);
out_close_pipes:
	bench_close(&up[0]);
	bench_close(&up[1]);
	bench_close(&down[0]);
	bench_close(&down[1]);
	bench_close(&ping[0]);
	bench_close(&ping[1]);
	bench_close(&pong[0]);
	bench_close(&pong[1]);
	return ret;
}

static void bench_run_native(const struct bench_env *env, struct bench_case *c)
{
	struct bench_caller bc = {.ppid = getppid()};
	double ns[BENCH_BATCHES];

	bench_batches(bench_op_getppid, &bc, bench_per_batch(env, c), ns);
	bench_case_stats(c, ns, bench_per_batch(env, c));
}

static const char *bench_answer_name(enum bench_answer a)
{
	switch (a) {
	case BENCH_ANSWER_CONTINUE:
		return "CONTINUE";
	case BENCH_ANSWER_VALUE:
		return "value";
	case BENCH_ANSWER_ADDFD_SEND:
		return "ADDFD+FLAG_SEND";
	case BENCH_ANSWER_ADDFD_THEN_SEND:
		return "ADDFD, then SEND";
	}
	return "?";
}

static void bench_case_name(const struct bench_case *c, char *buf, size_t len)
{
	const char *pin = c->pinned ? "pinned" : "unpinned";

	switch (c->kind) {
	case BENCH_KIND_NATIVE:
		snprintf(buf, len, "native getppid()");
		break;
	case BENCH_KIND_FILTER_CACHED:
		snprintf(buf, len, "filter ALLOW, bitmap-cached");
		break;
	case BENCH_KIND_FILTER_BPF:
		snprintf(buf, len, "filter ALLOW, BPF runs (arg check)");
		break;
	case BENCH_KIND_PIPE:
		snprintf(buf, len, "pipe round trip, %s", pin);
		break;
	case BENCH_KIND_NOTIFY:
		snprintf(buf, len, "notify %s, %s, %s, %s",
			 bench_answer_name(c->answer),
			 c->sync ? "SYNC_WAKE_UP" : "no sync",
			 c->epoll  ? "epoll+RECV"
			 : c->poll ? "poll+RECV"
				   : "RECV",
			 pin);
		break;
	}
}

static const struct bench_case *bench_find(enum bench_kind kind, bool pinned)
{
	size_t i;

	for (i = 0; i < BENCH_ARRAY_SIZE(bench_cases); i++) {
		if (bench_cases[i].kind == kind &&
		    (kind != BENCH_KIND_PIPE ||
		     bench_cases[i].pinned == pinned))
			return &bench_cases[i];
	}
	return NULL;
}

/* Ratio of @c's median to @ref's, or a negative value when there is none. */
static double bench_ratio(const struct bench_case *c,
			  const struct bench_case *ref)
{
	if (!ref || !ref->done || !c->done || ref->median_ns <= 0)
		return -1;
	return c->median_ns / ref->median_ns;
}

static const struct bench_case *bench_pipe_ref(const struct bench_case *c)
{
	if (c->kind != BENCH_KIND_PIPE && c->kind != BENCH_KIND_NOTIFY)
		return NULL;
	return bench_find(BENCH_KIND_PIPE, c->pinned);
}

static const char *bench_feat_name(enum bench_feat f)
{
	return f == BENCH_FEAT_YES ? "yes" : f == BENCH_FEAT_NO ? "no" : "?";
}

static void bench_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int bench_seccomp_filters(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}

static void bench_print_meta(const struct bench_env *env)
{
	long trips = bench_per_batch(env, bench_find(BENCH_KIND_PIPE, false)) *
		     BENCH_BATCHES;
	long calls = bench_per_batch(env, &bench_cases[0]) * BENCH_BATCHES;
	int inherited = bench_seccomp_filters();
	char date[32] = "?";
	time_t t = time(NULL);
	struct utsname u;
	struct tm tm;

	uname(&u);
	if (gmtime_r(&t, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	if (env->json) {
		printf("{\"meta\":{\"date\":");
		bench_json_str(date);
		printf(",\"kernel\":");
		bench_json_str(u.release);
		printf(",\"machine\":");
		bench_json_str(u.machine);
		printf(",\"cpus\":%d,\"pin_cpu\":%d,", env->ncpus,
		       env->pin_cpu);
		printf("\"round_trips_per_case\":%ld,"
		       "\"calls_per_syscall_case\":%ld,\"batches\":%d,",
		       trips, calls, BENCH_BATCHES);
		printf("\"inherited_filters\":%d,\"new_listener\":\"%s\","
		       "\"wait_killable_recv\":\"%s\",\"pidfd_getfd\":\"%s\","
		       "\"sync_wake_up\":\"%s\",\"addfd_flag_send\":\"%s\"}}\n",
		       inherited, bench_feat_name(env->listener),
		       bench_feat_name(env->killable),
		       bench_feat_name(env->getfd), bench_feat_name(env->sync),
		       bench_feat_name(env->addfd_send));
		return;
	}
	printf("cordon interception round trip (bench/roundtrip.c)\n\n");
	printf("- date: %s; kernel: %s %s; CPUs usable: %d; pinned = both "
	       "processes on CPU %d\n",
	       date, u.release, u.machine, env->ncpus, env->pin_cpu);
	printf("- per case: %ld timed round trips (%ld calls for "
	       "single-process rows) in %d batches after a warm-up batch; "
	       "median, fastest and slowest batch shown\n",
	       trips, calls, BENCH_BATCHES);
	printf("- kernel offers: NEW_LISTENER %s, WAIT_KILLABLE_RECV %s, "
	       "pidfd_getfd %s, SYNC_WAKE_UP %s, ADDFD_FLAG_SEND %s; "
	       "filters already on this process: %d\n\n",
	       bench_feat_name(env->listener), bench_feat_name(env->killable),
	       bench_feat_name(env->getfd), bench_feat_name(env->sync),
	       bench_feat_name(env->addfd_send), inherited);
}

static void bench_print_ratio(double r)
{
	if (r < 0)
		printf(" - |");
	else
		printf(" %.2f |", r);
}

static void bench_print(const struct bench_env *env)
{
	const struct bench_case *native = bench_find(BENCH_KIND_NATIVE, false);
	char name[96];
	size_t i;
	int unsupported = 0;

	bench_print_meta(env);
	if (!env->json) {
		printf("| case | ns/call median | min | max | "
		       "ratio to pipe RT | ratio to native |\n");
		printf("|---|---:|---:|---:|---:|---:|\n");
	}
	for (i = 0; i < BENCH_ARRAY_SIZE(bench_cases); i++) {
		const struct bench_case *c = &bench_cases[i];
		double rp = bench_ratio(c, bench_pipe_ref(c));
		double rn = bench_ratio(c, native);

		bench_case_name(c, name, sizeof(name));
		if (env->json) {
			printf("{\"case\":");
			bench_json_str(name);
			printf(",\"pinned\":%s,\"supported\":%s",
			       c->pinned ? "true" : "false",
			       c->done ? "true" : "false");
			if (c->done)
				printf(",\"median_ns\":%.1f,\"min_ns\":%.1f,"
				       "\"max_ns\":%.1f,\"calls\":%ld",
				       c->median_ns, c->min_ns, c->max_ns,
				       c->calls);
			if (rp >= 0)
				printf(",\"ratio_pipe\":%.3f", rp);
			if (rn >= 0)
				printf(",\"ratio_native\":%.3f", rn);
			if (!c->done) {
				printf(",\"reason\":");
				bench_json_str(c->why);
			}
			printf("}\n");
			continue;
		}
		if (!c->done) {
			printf("| %s | unsupported | - | - | - | - |\n", name);
			unsupported++;
			continue;
		}
		printf("| %s | %.0f | %.0f | %.0f |", name, c->median_ns,
		       c->min_ns, c->max_ns);
		bench_print_ratio(rp);
		bench_print_ratio(rn);
		putchar('\n');
	}
	if (env->json || !unsupported)
		return;
	printf("\nunsupported rows:\n");
	for (i = 0; i < BENCH_ARRAY_SIZE(bench_cases); i++) {
		if (bench_cases[i].done)
			continue;
		bench_case_name(&bench_cases[i], name, sizeof(name));
		printf("- %s: %s\n", name, bench_cases[i].why);
	}
}

static void bench_usage(FILE *f)
{
	fprintf(f,
		"usage: cordon-bench-roundtrip [-n N] [--quick] [--json]\n"
		"  -n N     timed round trips per case (default %ld; "
		"single-process rows do %ld x N)\n"
		"  --quick  N = %ld, for a smoke test\n"
		"  --json   one JSON object per line instead of the table\n",
		BENCH_DEFAULT_N, BENCH_SYSCALL_SCALE, BENCH_QUICK_N);
}

static int bench_env_init(struct bench_env *env)
{
	struct sigaction sa;
	size_t req_len, resp_len;
	int i;

	if (sched_getaffinity(0, sizeof(env->all_cpus), &env->all_cpus) < 0) {
		perror("sched_getaffinity");
		return -1;
	}
	env->ncpus = CPU_COUNT(&env->all_cpus);
	env->pin_cpu = 0;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (CPU_ISSET(i, &env->all_cpus)) {
			env->pin_cpu = i;
			break;
		}
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &env->sizes) < 0)
		env->sizes_err = errno;
	req_len = env->sizes.seccomp_notif;
	if (req_len < sizeof(*env->req))
		req_len = sizeof(*env->req);
	resp_len = env->sizes.seccomp_notif_resp;
	if (resp_len < sizeof(*env->resp))
		resp_len = sizeof(*env->resp);
	env->sizes.seccomp_notif = (__u16)req_len;
	env->req = calloc(1, req_len);
	env->resp = calloc(1, resp_len);
	if (!env->req || !env->resp) {
		perror("calloc");
		return -1;
	}
	env->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (env->devnull < 0) {
		perror("/dev/null");
		return -1;
	}
	/* A caller that died must not kill us on a write to its pipe. */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_watchdog;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the watchdog exists to interrupt RECV. */
	if (sigaction(SIGALRM, &sa, NULL) < 0 ||
	    sigaction(SIGCHLD, &sa, NULL) < 0) {
		perror("sigaction");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_env env = {.n = BENCH_DEFAULT_N, .devnull = -1};
	char *end;
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--quick")) {
			env.n = BENCH_QUICK_N;
		} else if (!strcmp(argv[a], "--json")) {
			env.json = true;
		} else if (!strcmp(argv[a], "-n") && a + 1 < argc) {
			errno = 0;
			env.n = strtol(argv[++a], &end, 10);
			if (errno || *end || env.n < BENCH_BATCHES ||
			    env.n > 100000000L) {
				fprintf(stderr, "-n wants %d..100000000\n",
					BENCH_BATCHES);
				return 2;
			}
		} else if (!strcmp(argv[a], "-h") ||
			   !strcmp(argv[a], "--help")) {
			bench_usage(stdout);
			return 0;
		} else {
			bench_usage(stderr);
			return 2;
		}
	}
	if (bench_env_init(&env) < 0)
		return 1;

	for (i = 0; i < BENCH_ARRAY_SIZE(bench_cases); i++) {
		struct bench_case *c = &bench_cases[i];

		if (c->kind == BENCH_KIND_NATIVE)
			bench_run_native(&env, c);
		else if (bench_run_forked(&env, c) < 0)
			return 1;
	}
	bench_print(&env);
	free(env.req);
	free(env.resp);
	close(env.devnull);
	return 0;
}
