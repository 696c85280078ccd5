/* SPDX-License-Identifier: MIT */
/*
 * ptrace.c - the ptrace backend: the same filter table, its notified rows as
 * SECCOMP_RET_TRACE (PLATFORM_TRAP_PTRACE), each seccomp-stop handed to the
 * same handlers as a struct platform_call.
 *
 * Theory of operation
 * -------------------
 * platform_spawn() forks the job's first process as unotify does
 * (platform_child_run() with @traced: the filter has no listener), which
 * reports and waits. The thread that first calls platform_recv() becomes
 * the tracer - the sentry's receiver, so a call is received, judged and
 * answered on one thread, as ptrace requires - and PTRACE_SEIZEs the child
 * with PTRACE_O_TRACESECCOMP | EXITKILL | TRACECLONE | TRACEFORK |
 * TRACEVFORK | TRACEEXEC before it lets it go on. From then on every task
 * of the tree is traced from its birth (the kernel attaches a new task
 * before it runs; CLONE_UNTRACED, which would stop that, is refused by the
 * filter: filter.c), and so can trace nothing itself: PTRACE_TRACEME and
 * PTRACE_ATTACH of a job task fail EPERM in the kernel (one tracer per
 * task). The tracer's death - the thread exiting, or the supervisor
 * killed - kills every tracee (EXITKILL): fail closed.
 *
 * The tracer owns every waitpid() of the tree: another supervisor thread
 * waiting would take a tracee's stop and leave it stopped for ever. So the
 * loop's reaping goes through platform_reap(): exits the tracer reaped are
 * queued here and announced on an eventfd (platform_reap_fd()); SIGCHLD is
 * the tracer's alone (a signalfd: platform_fd()), and the supervisor's own
 * signalfd leaves it out. The tracer sleeps in poll() on that signalfd and
 * on a second eventfd for answers given by other threads (a deferred call
 * is answered by the loop): ptrace requests must come from the tracer, so
 * those are queued and performed here before the next wait.
 *
 * What each stop gets:
 *  - seccomp-stop: the registers are read (PTRACE_GETREGS) and the call is
 *    returned. Its answer: a value or an errno is the syscall number set to
 *    -1 (skipped) with the return value in rax, in one PTRACE_SETREGS at
 *    the seccomp-stop itself (the kernel checks for the skip after the
 *    stop, __seccomp_filter(), and leaves rax alone); CONTINUE is
 *    PTRACE_CONT with the registers unchanged (the kernel re-runs the
 *    filter, which lets a TRACE row pass on recheck). The kernel's
 *    restart errnos (ERESTARTSYS, ...) are answered EINTR: with the call
 *    skipped the kernel no longer restarts it (docs/platforms.md).
 *    Every seccomp-stop is a call whatever its data: a filter of the job's
 *    own that returns SECCOMP_RET_TRACE wins over ours for the same call
 *    (the newest filter's data is the one reported), so ignoring an
 *    unknown data would let a notified call through unjudged.
 *  - fork, vfork, clone events: the new task is recorded (it was attached
 *    by the kernel and starts with a PTRACE_EVENT_STOP of its own, which
 *    may come first); the parent goes on.
 *  - exec event: a non-leader that execs takes the leader's tid
 *    (PTRACE_GETEVENTMSG gives the former one, dropped).
 *  - group-stop (PTRACE_EVENT_STOP with a stop signal): PTRACE_LISTEN, so
 *    the task stays stopped, as the job's own kill -STOP wants, until a
 *    SIGCONT; the stop that follows it (SIGTRAP) is resumed.
 *  - signal-delivery-stop: the signal is re-injected (PTRACE_CONT with it).
 *  - exit: the task is forgotten and the exit queued for the loop.
 *  - syscall-entry and -exit stops, only with platform_spawn.entry_stops
 *    (nested under a filter whose USER_NOTIF rows would take our calls
 *    first): at the entry our own filter is run here on the registers
 *    (ptrace_bpf_run()), and a call it traps is served there; a skipped
 *    call still meets the filters as number -1 (ENOSYS), so its value is
 *    put back at the exit stop; a continued one meets our TRACE row again
 *    and that seccomp-stop goes on (@judged).
 *
 * Job memory goes through process_vm_readv/writev (or /proc/TID/mem where
 * those are refused), as for unotify: a tracee stopped in its call cannot
 * change its tid, and its zombie waits for the tracer's wait, so a call
 * still recorded as stopped names the same task (platform_call_valid()).
 * There is no ADDFD: PLATFORM_CAN_PUT_FD is off, and handlers that would
 * install an fd refuse (the sentry handlers; docs/platforms.md lists them).
 *
 * Threads: the task table and both queues are under @mu (call_valid,
 * answers and reaping come from any thread); every ptrace() and waitpid()
 * is made by the tracer thread alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "platform/platform_priv.h"
#include "platform/unotify_priv.h"

#ifdef __x86_64__

#ifndef PTRACE_LISTEN
#define PTRACE_LISTEN 0x4208
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef PTRACE_O_TRACESYSGOOD
#define PTRACE_O_TRACESYSGOOD 1
#endif
#define PTRACE_GET_SYSCALL_INFO_REQ 0x420e

/* uapi linux/ptrace.h's struct ptrace_syscall_info (5.3), what we read. */
struct ptrace_sysinfo {
	uint8_t op; /* 1 entry, 2 exit, 3 seccomp */
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	uint64_t nr;
	uint64_t args[6];
	uint32_t ret_data;
	uint32_t pad2;
};
#define PTRACE_SYSINFO_ENTRY 1
#define PTRACE_SYSINFO_EXIT 2

#define PTRACE_OPTIONS                                                         \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE |     \
	 PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)

enum ptrace_task_state {
	PTRACE_TASK_RUNNING,
	PTRACE_TASK_CALL,   /* in a seccomp-stop, call @id pending */
	PTRACE_TASK_LISTEN, /* group-stopped, PTRACE_LISTEN */
};

/* A traced task; tid 0 is a free slot, -1 a deleted one. */
struct ptrace_task {
	pid_t tid;
	pid_t tgid; /* 0: not known (its first stop came before the event) */
	enum ptrace_task_state state;
	uint64_t id;
	struct user_regs_struct regs; /* at the seccomp-stop */
	/* Entry stops (@entry_stops): */
	bool at_entry; /* the pending call was taken at its entry */
	bool judged;   /* its seccomp-stop, if one comes, goes on */
	bool fix_ret;  /* at the exit stop, rax = @ret */
	long long ret;
};

/* An answer given by another thread, performed by the tracer. */
struct ptrace_req {
	struct ptrace_req *next;
	pid_t tid;
	uint64_t id;
	struct platform_answer a;
};

struct ptrace_exit {
	pid_t pid;
	int status;
};

struct ptrace_be {
	struct platform base; /* first: platform.c sees only this */
	struct platform_features feat;
	pthread_mutex_t mu;
	/* Under @mu. */
	struct ptrace_task *tasks;
	size_t cap, used; /* used counts deleted slots too */
	struct ptrace_req *req_head, **req_tail;
	struct ptrace_exit *exits;
	size_t n_exits, cap_exits;
	bool no_children;
	/* The tracer's. */
	pid_t job;
	pid_t tracer; /* tid of the tracer thread, 0 before the seize */
	int go;	      /* write end: the child waits for it, -1 after */
	uint64_t next_id;
	int sigfd;  /* SIGCHLD */
	int kick;   /* eventfd: a request was queued */
	int reaped; /* eventfd: an exit was queued */
	bool vm;
	bool getfd;
	/* Entry stops (platform_spawn.entry_stops): the filter, to run here. */
	bool entry_stops;
	struct sock_filter *prog;
	unsigned short prog_len;
};

static struct ptrace_be *ptrace_of(struct platform *p)
{
	return PLATFORM_CONTAINER_OF(p, struct ptrace_be, base);
}

static const struct ptrace_be *ptrace_of_const(const struct platform *p)
{
	return PLATFORM_CONTAINER_OF(p, const struct ptrace_be, base);
}

static pid_t ptrace_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ------------------------------------------------------------------------
 * The task table (open addressing, under @mu).
 */

static size_t ptrace_slot(size_t cap, pid_t tid)
{
	return ((size_t)(uint32_t)tid * 2654435761u) & (cap - 1);
}

static struct ptrace_task *ptrace_task_find(struct ptrace_be *t, pid_t tid)
{
	size_t i, n;

	if (!t->cap)
		return NULL;
	for (i = ptrace_slot(t->cap, tid), n = 0; n < t->cap;
	     i = (i + 1) & (t->cap - 1), n++) {
		if (t->tasks[i].tid == tid)
			return &t->tasks[i];
		if (t->tasks[i].tid == 0)
			return NULL;
	}
	return NULL;
}

static int ptrace_task_grow(struct ptrace_be *t)
{
	struct ptrace_task *old = t->tasks, *nt;
	size_t ocap = t->cap, cap = ocap ? ocap * 2 : 64, i, live = 0;

	for (i = 0; i < ocap; i++)
		live += old[i].tid > 0;
	/* Mostly deleted slots: rehash at the same size. */
	if (ocap && live < ocap / 4)
		cap = ocap;
	nt = calloc(cap, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	t->tasks = nt;
	t->cap = cap;
	t->used = 0;
	for (i = 0; i < ocap; i++) {
		size_t j;

		if (old[i].tid <= 0)
			continue;
		for (j = ptrace_slot(cap, old[i].tid); nt[j].tid;
		     j = (j + 1) & (cap - 1))
			;
		nt[j] = old[i];
		t->used++;
	}
	free(old);
	return 0;
}

/* The entry of @tid, made when missing. NULL only when out of memory. */
static struct ptrace_task *ptrace_task_get(struct ptrace_be *t, pid_t tid)
{
	struct ptrace_task *e = ptrace_task_find(t, tid);
	size_t i;

	if (e)
		return e;
	if ((t->used + 1) * 2 > t->cap && ptrace_task_grow(t) < 0)
		return NULL;
	for (i = ptrace_slot(t->cap, tid); t->tasks[i].tid > 0;
	     i = (i + 1) & (t->cap - 1))
		;
	if (t->tasks[i].tid == 0)
		t->used++;
	e = &t->tasks[i];
	memset(e, 0, sizeof(*e));
	e->tid = tid;
	return e;
}

static void ptrace_task_del(struct ptrace_be *t, pid_t tid)
{
	struct ptrace_task *e = ptrace_task_find(t, tid);

	if (e)
		e->tid = -1;
}

/* ------------------------------------------------------------------------
 * Queues (under @mu).
 */

static void ptrace_poke(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		diag_warning("ptrace: waking a thread: %s", strerror(errno));
}

static void ptrace_drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

/* An exit for the loop (platform_reap()). Tracer thread. */
static void ptrace_exit_push(struct ptrace_be *t, pid_t pid, int status)
{
	pthread_mutex_lock(&t->mu);
	if (t->n_exits == t->cap_exits) {
		size_t cap = t->cap_exits ? t->cap_exits * 2 : 32;
		struct ptrace_exit *n = realloc(t->exits, cap * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&t->mu);
			diag_warning("ptrace: out of memory for an exit of %d",
				     (int)pid);
			return;
		}
		t->exits = n;
		t->cap_exits = cap;
	}
	t->exits[t->n_exits].pid = pid;
	t->exits[t->n_exits].status = status;
	t->n_exits++;
	pthread_mutex_unlock(&t->mu);
	ptrace_poke(t->reaped);
}

static int ptrace_reap(struct platform *p, pid_t *pid, int *status)
{
	struct ptrace_be *t = ptrace_of(p);
	int rc = 0;

	pthread_mutex_lock(&t->mu);
	if (t->n_exits) {
		*pid = t->exits[0].pid;
		*status = t->exits[0].status;
		memmove(t->exits, t->exits + 1,
			(t->n_exits - 1) * sizeof(*t->exits));
		t->n_exits--;
		rc = 1;
	} else if (t->no_children) {
		rc = -ECHILD;
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}

static int ptrace_reap_fd(const struct platform *p)
{
	return ptrace_of_const(p)->reaped;
}

/* ------------------------------------------------------------------------
 * Life cycle.
 */

static const struct platform_ops ptrace_ops;

static void ptrace_free(struct platform *p)
{
	struct ptrace_be *t = ptrace_of(p);

	while (t->req_head) {
		struct ptrace_req *r = t->req_head;

		t->req_head = r->next;
		free(r);
	}
	if (t->go >= 0)
		close(t->go); /* a child never seized reads EOF and exits */
	if (t->sigfd >= 0)
		close(t->sigfd);
	if (t->kick >= 0)
		close(t->kick);
	if (t->reaped >= 0)
		close(t->reaped);
	pthread_mutex_destroy(&t->mu);
	free(t->tasks);
	free(t->exits);
	free(t->prog);
	free(t);
}

struct platform *platform_ptrace_new(void)
{
	struct ptrace_be *t = calloc(1, sizeof(*t));
	sigset_t chld;

	if (!t)
		return NULL;
	t->base.ops = &ptrace_ops;
	t->base.name = "ptrace";
	/*
	 * Any thread may answer: others' answers are queued for the tracer.
	 * No PUT_FD: ptrace cannot install an fd into the tracee.
	 */
	t->base.can = PLATFORM_CAN_TAKE_FD | PLATFORM_CAN_CONTINUE |
		      PLATFORM_CAN_WRITE_MEM | PLATFORM_CAN_ANSWER_ANY_THREAD;
	t->base.trap = PLATFORM_TRAP_PTRACE;
	t->go = t->sigfd = t->kick = t->reaped = -1;
	t->req_tail = &t->req_head;
	pthread_mutex_init(&t->mu, NULL);
	t->vm = proc_mem_vm_works();
	t->getfd = proc_mem_getfd_works();
	if (!t->getfd)
		t->base.can &= ~PLATFORM_CAN_TAKE_FD;
	/*
	 * SIGCHLD must be delivered (a SIG_IGN inherited from our caller
	 * would also make the kernel reap children by itself) and read
	 * through the signalfd only: blocked in every thread.
	 */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	t->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	t->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	t->reaped = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->sigfd < 0 || t->kick < 0 || t->reaped < 0) {
		int e = errno;

		ptrace_free(&t->base);
		errno = e;
		return NULL;
	}
	return &t->base;
}

static int ptrace_fd(const struct platform *p)
{
	return ptrace_of_const(p)->sigfd;
}

static const struct platform_features *ptrace_features(const struct platform *p)
{
	return &ptrace_of_const(p)->feat;
}

static int ptrace_spawn(struct platform *p, const struct platform_spawn *s,
			struct platform_job *job)
{
	struct ptrace_be *t = ptrace_of(p);
	int report[2], go[2], pidfd, rc;
	struct unotify_msg m;
	pid_t pid, self = getpid();
	ssize_t n;

	if (t->job > 0)
		return -EBUSY;
	if (pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0) {
		rc = -errno;
		close(report[0]);
		close(report[1]);
		return rc;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(report[0]);
		close(report[1]);
		close(go[0]);
		close(go[1]);
		return rc;
	}
	if (pid == 0) {
		close(report[0]);
		close(go[1]);
		platform_child_run(s, report[1], go[0], -1, self, true);
	}
	close(report[1]);
	close(go[0]);
	job->pid = pid;
	n = EINTR_RETRY(read(report[0], &m, sizeof(m)));
	if (n != (ssize_t)sizeof(m) || m.type != UNOTIFY_MSG_LISTENER) {
		rc = (n == (ssize_t)sizeof(m) && m.err) ? -m.err : -ECHILD;
		job->fail_stage = n == (ssize_t)sizeof(m)
					  ? m.stage
					  : PLATFORM_SPAWN_STAGE_SETUP;
		goto out_reap;
	}
	pidfd = (int)syscall(__NR_pidfd_open, pid, 0);
	if (pidfd < 0) {
		rc = -errno;
		kill(pid, SIGKILL);
		goto out_reap;
	}
	t->job = pid;
	t->go = go[1];
	if (s->entry_stops && s->filter && s->filter->len) {
		t->prog = malloc(s->filter->len * sizeof(*t->prog));
		if (t->prog) {
			memcpy(t->prog, s->filter->filter,
			       s->filter->len * sizeof(*t->prog));
			t->prog_len = s->filter->len;
			t->entry_stops = true;
		}
	}
	t->feat.pidfd_getfd = t->getfd;
	t->feat.process_vm = t->vm;
	t->feat.landlock_abi = m.landlock_abi;
	t->feat.passrights = unotify_probe_passrights();
	t->feat.tracer = true;
	job->pidfd = pidfd;
	job->status_fd = report[0];
	job->filter_flags = m.flags;
	job->landlock_abi = m.landlock_abi;
	return 0;

out_reap:
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	close(go[1]);
	close(report[0]);
	return rc;
}

/*
 * The first receive: become the tracer of the job's first process, then let
 * it go on (it waits before its exec, under the filter already: until it is
 * traced, a TRACE row would fail ENOSYS).
 */
static int ptrace_seize(struct ptrace_be *t)
{
	struct ptrace_task *e;
	sigset_t chld;
	int rc = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, NULL);
	t->tracer = ptrace_gettid();
	if (ptrace(PTRACE_SEIZE, t->job, 0,
		   (void *)(long)(PTRACE_OPTIONS |
				  (t->entry_stops ? PTRACE_O_TRACESYSGOOD
						  : 0))) < 0) {
		rc = -errno;
		diag_error("ptrace: cannot trace the job (PTRACE_SEIZE): %s",
			   strerror(-rc));
		kill(t->job, SIGKILL);
	}
	pthread_mutex_lock(&t->mu);
	e = ptrace_task_get(t, t->job);
	if (e)
		e->tgid = t->job;
	pthread_mutex_unlock(&t->mu);
	if (!e && !rc)
		rc = -ENOMEM;
	/*
	 * Entry stops begin at the first resume: stop it now (it waits for
	 * @go), so that none of its calls after the go runs without them.
	 */
	if (!rc && t->entry_stops &&
	    ptrace((enum __ptrace_request)0x4207 /* PTRACE_INTERRUPT */, t->job,
		   0, 0) < 0)
		rc = -errno;
	if (!rc && fd_write_all(t->go, "g", 1) < 0)
		rc = -errno;
	close(t->go);
	t->go = -1;
	return rc;
}

/* ------------------------------------------------------------------------
 * Answers (tracer thread).
 */

/* Resume @tid; a task gone meanwhile is normal (its exit follows). */
static int ptrace_resume(pid_t tid, long req, int sig)
{
	if (ptrace((enum __ptrace_request)req, tid, 0, (void *)(long)sig) < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	return 0;
}

/* Resume as the mode wants: to the next syscall entry, or to a filter's. */
static int ptrace_go(struct ptrace_be *t, pid_t tid, int sig)
{
	return ptrace_resume(tid, t->entry_stops ? PTRACE_SYSCALL : PTRACE_CONT,
			     sig);
}

/*
 * The filter, run here on a call's registers (classic BPF as the kernel
 * runs it, seccomp's subset: the program is ours, validated by the kernel
 * at spawn). Return: its action; SECCOMP_RET_KILL_PROCESS on anything odd.
 */
static uint32_t ptrace_bpf_run(const struct sock_filter *f, unsigned short n,
			       const uint32_t *data, size_t words)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	unsigned pc;

	for (pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t k = i->k, src;

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			if (i->code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (k % 4 || k / 4 >= words)
					return 0x80000000U;
				a = data[k / 4];
			} else if (i->code == (BPF_LD | BPF_W | BPF_LEN)) {
				a = (uint32_t)(words * 4);
			} else if (i->code == (BPF_LD | BPF_IMM)) {
				a = k;
			} else if (i->code == (BPF_LD | BPF_MEM) &&
				   k < BPF_MEMWORDS) {
				a = mem[k];
			} else {
				return 0x80000000U;
			}
			break;
		case BPF_LDX:
			if (i->code == (BPF_LDX | BPF_W | BPF_IMM))
				x = k;
			else if (i->code == (BPF_LDX | BPF_W | BPF_MEM) &&
				 k < BPF_MEMWORDS)
				x = mem[k];
			else if (i->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = (uint32_t)(words * 4);
			else
				return 0x80000000U;
			break;
		case BPF_ST:
			if (k >= BPF_MEMWORDS)
				return 0x80000000U;
			mem[k] = a;
			break;
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return 0x80000000U;
			mem[k] = x;
			break;
		case BPF_ALU:
			src = BPF_SRC(i->code) == BPF_X ? x : k;
			switch (BPF_OP(i->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_MUL:
				a *= src;
				break;
			case BPF_DIV:
				if (!src)
					return 0x80000000U;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0x80000000U;
				a %= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_NEG:
				a = -a;
				break;
			default:
				return 0x80000000U;
			}
			break;
		case BPF_JMP:
			src = BPF_SRC(i->code) == BPF_X ? x : k;
			switch (BPF_OP(i->code)) {
			case BPF_JA:
				pc += k;
				break;
			case BPF_JEQ:
				pc += a == src ? i->jt : i->jf;
				break;
			case BPF_JGT:
				pc += a > src ? i->jt : i->jf;
				break;
			case BPF_JGE:
				pc += a >= src ? i->jt : i->jf;
				break;
			case BPF_JSET:
				pc += (a & src) ? i->jt : i->jf;
				break;
			default:
				return 0x80000000U;
			}
			break;
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return 0x80000000U;
		}
	}
	return 0x80000000U;
}

/* Whether the filter gives this call at its entry our TRACE action. */
static bool ptrace_filter_traps(const struct ptrace_be *t,
				const struct user_regs_struct *r)
{
	/* struct seccomp_data: nr, arch, instruction_pointer, args[6]. */
	uint64_t args[6] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9};
	uint32_t d[16];
	uint32_t ret;
	int i;

	d[0] = (uint32_t)r->orig_rax;
	d[1] = AUDIT_ARCH_X86_64;
	d[2] = (uint32_t)r->rip;
	d[3] = (uint32_t)(r->rip >> 32);
	for (i = 0; i < 6; i++) {
		d[4 + 2 * i] = (uint32_t)args[i];
		d[5 + 2 * i] = (uint32_t)(args[i] >> 32);
	}
	ret = ptrace_bpf_run(t->prog, t->prog_len, d, ARRAY_SIZE(d));
	return (ret & 0xffff0000U) == (PLATFORM_TRAP_PTRACE & 0xffff0000U);
}

static int ptrace_do_answer(struct ptrace_be *t, pid_t tid, uint64_t id,
			    const struct platform_answer *a)
{
	struct user_regs_struct regs;
	struct ptrace_task *e;
	bool set = true;
	int err;

	pthread_mutex_lock(&t->mu);
	e = ptrace_task_find(t, tid);
	if (!e || e->state != PTRACE_TASK_CALL || e->id != id) {
		pthread_mutex_unlock(&t->mu);
		return -ENOENT;
	}
	regs = e->regs;
	e->state = PTRACE_TASK_RUNNING;
	if (e->at_entry) {
		/*
		 * Taken at its entry: a skipped call still meets the filters
		 * (as number -1: ENOSYS), so its value is set again at the
		 * exit stop; a continued one meets our TRACE row too, and
		 * that seccomp-stop goes on unjudged.
		 */
		e->at_entry = false;
		e->judged = a->kind == PLATFORM_ANSWER_CONTINUE;
		e->fix_ret = !e->judged;
	}
	pthread_mutex_unlock(&t->mu);
	switch (a->kind) {
	case PLATFORM_ANSWER_CONTINUE:
		set = false;
		break;
	case PLATFORM_ANSWER_VALUE:
		regs.orig_rax = (unsigned long long)-1;
		regs.rax = (unsigned long long)a->value;
		break;
	case PLATFORM_ANSWER_ERRNO:
	default:
		/* An errno of 0 would be a success: never let that through. */
		err = a->err > 0 ? a->err : EPERM;
		/*
		 * ERESTARTSYS..ERESTART_RESTARTBLOCK (512-516): the kernel
		 * restarts only a call it ran, and this one is skipped.
		 */
		if (err >= 512 && err <= 516)
			err = EINTR;
		regs.orig_rax = (unsigned long long)-1;
		regs.rax = (unsigned long long)(long long)-err;
		break;
	}
	if (set) {
		pthread_mutex_lock(&t->mu);
		e = ptrace_task_find(t, tid);
		if (e)
			e->ret = (long long)regs.rax;
		pthread_mutex_unlock(&t->mu);
	}
	if (set && ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	return ptrace_go(t, tid, 0);
}

/* Answers other threads queued: performed before the next wait. */
static void ptrace_run_requests(struct ptrace_be *t)
{
	struct ptrace_req *r;

	for (;;) {
		pthread_mutex_lock(&t->mu);
		r = t->req_head;
		if (r) {
			t->req_head = r->next;
			if (!t->req_head)
				t->req_tail = &t->req_head;
		}
		pthread_mutex_unlock(&t->mu);
		if (!r)
			return;
		(void)ptrace_do_answer(t, r->tid, r->id, &r->a);
		free(r);
	}
}

static int ptrace_call_valid(struct platform *p, const struct platform_call *c)
{
	struct ptrace_be *t = ptrace_of(p);
	struct ptrace_task *e;
	int rc;

	pthread_mutex_lock(&t->mu);
	e = ptrace_task_find(t, c->tid);
	rc = e && e->state == PTRACE_TASK_CALL && e->id == c->id ? 0 : -ENOENT;
	pthread_mutex_unlock(&t->mu);
	return rc;
}

static int ptrace_answer(struct platform *p, const struct platform_call *c,
			 const struct platform_answer *a)
{
	struct ptrace_be *t = ptrace_of(p);
	struct ptrace_req *r;

	if (ptrace_gettid() == t->tracer)
		return ptrace_do_answer(t, c->tid, c->id, a);
	if (ptrace_call_valid(p, c) < 0)
		return -ENOENT;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->tid = c->tid;
	r->id = c->id;
	r->a = *a;
	pthread_mutex_lock(&t->mu);
	*t->req_tail = r;
	t->req_tail = &r->next;
	pthread_mutex_unlock(&t->mu);
	ptrace_poke(t->kick);
	return 0;
}

/* ------------------------------------------------------------------------
 * Stops (tracer thread).
 */

static bool ptrace_is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/*
 * A seccomp-stop of @tid, or its syscall-entry stop with @entry its
 * registers: fill @c. Return: 1 a call, 0 nothing to serve.
 */
static int ptrace_on_seccomp(struct ptrace_be *t, pid_t tid,
			     const struct user_regs_struct *entry,
			     struct platform_call *c)
{
	struct user_regs_struct regs;
	struct ptrace_task *e;

	if (entry) {
		regs = *entry;
	} else {
		pthread_mutex_lock(&t->mu);
		e = ptrace_task_find(t, tid);
		if (e && e->judged) {
			/* Judged at its entry already: let it run. */
			e->judged = false;
			pthread_mutex_unlock(&t->mu);
			(void)ptrace_go(t, tid, 0);
			return 0;
		}
		pthread_mutex_unlock(&t->mu);
		if (ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0)
			return 0; /* killed meanwhile: its exit follows */
	}
	pthread_mutex_lock(&t->mu);
	e = ptrace_task_get(t, tid);
	if (e) {
		e->state = PTRACE_TASK_CALL;
		e->id = ++t->next_id;
		e->regs = regs;
		e->at_entry = entry != NULL;
	}
	pthread_mutex_unlock(&t->mu);
	if (!e) {
		/* No room to remember it: fail the call, closed. */
		regs.orig_rax = (unsigned long long)-1;
		regs.rax = (unsigned long long)(long long)-ENOMEM;
		if (ptrace(PTRACE_SETREGS, tid, 0, &regs) == 0)
			(void)ptrace_go(t, tid, 0);
		return 0;
	}
	c->id = e->id;
	c->tid = tid;
	c->arch = AUDIT_ARCH_X86_64; /* the filter kills every other */
	c->nr = (int)regs.orig_rax;
	c->ip = regs.rip;
	c->args[0] = regs.rdi;
	c->args[1] = regs.rsi;
	c->args[2] = regs.rdx;
	c->args[3] = regs.r10;
	c->args[4] = regs.r8;
	c->args[5] = regs.r9;
	return 1;
}

/* A new task (fork, vfork, clone event of @parent). */
static void ptrace_on_new_task(struct ptrace_be *t, pid_t parent, int event)
{
	unsigned long msg = 0;
	struct ptrace_task *e;
	pid_t child, tgid;

	if (ptrace(PTRACE_GETEVENTMSG, parent, 0, &msg) < 0 || !msg)
		return;
	child = (pid_t)msg;
	/* A clone may be a thread: its group says (read once, here). */
	tgid = event == PTRACE_EVENT_CLONE ? procfs_tgid(child) : child;
	pthread_mutex_lock(&t->mu);
	e = ptrace_task_get(t, child);
	if (e && tgid > 0)
		e->tgid = tgid;
	pthread_mutex_unlock(&t->mu);
}

/* PTRACE_EVENT_EXEC of @tid: a non-leader took the leader's tid. */
static void ptrace_on_exec(struct ptrace_be *t, pid_t tid)
{
	unsigned long former = 0;
	struct ptrace_task *e;

	(void)ptrace(PTRACE_GETEVENTMSG, tid, 0, &former);
	pthread_mutex_lock(&t->mu);
	if (former && (pid_t)former != tid)
		ptrace_task_del(t, (pid_t)former);
	e = ptrace_task_get(t, tid);
	if (e) {
		e->state = PTRACE_TASK_RUNNING;
		e->tgid = tid;
	}
	pthread_mutex_unlock(&t->mu);
}

static void ptrace_on_exit(struct ptrace_be *t, pid_t tid, int status)
{
	struct ptrace_task *e;
	bool process = true;

	pthread_mutex_lock(&t->mu);
	e = ptrace_task_find(t, tid);
	if (e) {
		/* A thread's end is not a process's: the loop counts those. */
		process = e->tgid == 0 || e->tgid == tid;
		e->tid = -1;
	}
	pthread_mutex_unlock(&t->mu);
	if (process)
		ptrace_exit_push(t, tid, status);
}

/*
 * A syscall-entry or -exit stop (entry stops only): a call our filter traps
 * is served at its entry, before any filter - someone else's USER_NOTIF
 * included - can take it; at the exit, a skipped call's value is put back.
 */
static int ptrace_on_syscall_stop(struct ptrace_be *t, pid_t tid,
				  struct platform_call *c)
{
	struct ptrace_sysinfo si;
	struct user_regs_struct regs;
	struct ptrace_task *e;
	long long ret = 0;
	bool fix = false;

	memset(&si, 0, sizeof(si));
	if (ptrace((enum __ptrace_request)PTRACE_GET_SYSCALL_INFO_REQ, tid,
		   (void *)sizeof(si), &si) < 0)
		return 0;
	if (si.op == PTRACE_SYSINFO_EXIT) {
		pthread_mutex_lock(&t->mu);
		e = ptrace_task_find(t, tid);
		if (e) {
			fix = e->fix_ret;
			ret = e->ret;
			e->fix_ret = e->judged = false;
		}
		pthread_mutex_unlock(&t->mu);
		if (fix)
			(void)ptrace(PTRACE_POKEUSER, tid,
				     (void *)offsetof(struct user, regs.rax),
				     (void *)ret);
		(void)ptrace_go(t, tid, 0);
		return 0;
	}
	if (si.op != PTRACE_SYSINFO_ENTRY ||
	    ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0 ||
	    !ptrace_filter_traps(t, &regs)) {
		(void)ptrace_go(t, tid, 0);
		return 0;
	}
	return ptrace_on_seccomp(t, tid, &regs, c);
}

/* One waitpid() result. Return: 1 when @c is a call to serve. */
static int ptrace_on_wait(struct ptrace_be *t, pid_t tid, int status,
			  struct platform_call *c)
{
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		ptrace_on_exit(t, tid, status);
		return 0;
	}
	if (!WIFSTOPPED(status))
		return 0;
	sig = WSTOPSIG(status);
	event = (status >> 16) & 0xff;
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		return ptrace_on_seccomp(t, tid, NULL, c);
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		ptrace_on_new_task(t, tid, event);
		(void)ptrace_go(t, tid, 0);
		return 0;
	case PTRACE_EVENT_EXEC:
		ptrace_on_exec(t, tid);
		(void)ptrace_go(t, tid, 0);
		return 0;
	case PTRACE_EVENT_STOP:
		if (ptrace_is_stop_signal(sig)) {
			struct ptrace_task *e;

			/* A group-stop: stay stopped until SIGCONT. */
			pthread_mutex_lock(&t->mu);
			e = ptrace_task_get(t, tid);
			if (e)
				e->state = PTRACE_TASK_LISTEN;
			pthread_mutex_unlock(&t->mu);
			(void)ptrace_resume(tid, PTRACE_LISTEN, 0);
			return 0;
		}
		/* A new task's first stop, or the one after a SIGCONT. */
		pthread_mutex_lock(&t->mu);
		{
			struct ptrace_task *e = ptrace_task_get(t, tid);

			if (e && e->state == PTRACE_TASK_LISTEN)
				e->state = PTRACE_TASK_RUNNING;
		}
		pthread_mutex_unlock(&t->mu);
		(void)ptrace_go(t, tid, 0);
		return 0;
	case 0:
		if (sig == (SIGTRAP | 0x80) && t->entry_stops)
			return ptrace_on_syscall_stop(t, tid, c);
		/* A signal-delivery-stop: deliver it, as without us. */
		(void)ptrace_go(t, tid, sig);
		return 0;
	default:
		(void)ptrace_go(t, tid, 0);
		return 0;
	}
}

static int ptrace_recv(struct platform *p, struct platform_call *c)
{
	struct ptrace_be *t = ptrace_of(p);

	if (!t->tracer) {
		int rc = ptrace_seize(t);

		if (rc < 0)
			return rc;
	}
	for (;;) {
		struct pollfd pf[2] = {{.fd = t->sigfd, .events = POLLIN},
				       {.fd = t->kick, .events = POLLIN}};
		int status;
		pid_t tid;

		ptrace_run_requests(t);
		tid = waitpid(-1, &status, WNOHANG | __WALL);
		if (tid > 0) {
			if (ptrace_on_wait(t, tid, status, c))
				return 0;
			continue;
		}
		if (tid < 0 && errno == ECHILD) {
			pthread_mutex_lock(&t->mu);
			t->no_children = true;
			pthread_mutex_unlock(&t->mu);
			ptrace_poke(t->reaped);
			return -EPIPE;
		}
		if (tid < 0)
			return errno == EINTR ? -EAGAIN : -errno;
		if (poll(pf, ARRAY_SIZE(pf), -1) < 0)
			return errno == EINTR ? -EAGAIN : -errno;
		/* Drained before the next wait: no stop is missed. */
		{
			struct signalfd_siginfo si;

			while (read(t->sigfd, &si, sizeof(si)) ==
			       (ssize_t)sizeof(si))
				;
		}
		ptrace_drain(t->kick);
	}
}

/* ------------------------------------------------------------------------
 * Job memory and fds (any thread).
 */

static ssize_t ptrace_read_mem(struct platform *p,
			       const struct platform_call *c, uint64_t addr,
			       void *buf, size_t len)
{
	return proc_mem_job_read(ptrace_of(p)->vm, c, addr, buf, len);
}

static ssize_t ptrace_write_mem(struct platform *p,
				const struct platform_call *c, uint64_t addr,
				const void *buf, size_t len)
{
	struct platform_mem_seg seg = {addr, buf, len};

	return proc_mem_job_writev(ptrace_of(p)->vm, c, &seg, 1);
}

static ssize_t ptrace_write_memv(struct platform *p,
				 const struct platform_call *c,
				 const struct platform_mem_seg *segs, size_t n)
{
	return proc_mem_job_writev(ptrace_of(p)->vm, c, segs, n);
}

static int ptrace_take_fd(struct platform *p, const struct platform_call *c,
			  int remote_fd)
{
	int pidfd = proc_mem_pidfd_open(c->tid), fd, rc;

	if (pidfd < 0)
		return pidfd;
	rc = ptrace_call_valid(p, c);
	fd = rc == 0 ? proc_mem_getfd(pidfd, remote_fd, 0) : rc;
	close(pidfd);
	if (fd < 0)
		return fd;
	/* The pidfd named a task with the caller's tid: still the caller? */
	rc = ptrace_call_valid(p, c);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

static int ptrace_put_fd(struct platform *p, const struct platform_call *c,
			 int local_fd, bool cloexec)
{
	(void)p;
	(void)c;
	(void)local_fd;
	(void)cloexec;
	return -EOPNOTSUPP; /* ptrace has no ADDFD */
}

static const struct platform_ops ptrace_ops = {
	.free = ptrace_free,
	.spawn = ptrace_spawn,
	.fd = ptrace_fd,
	.recv = ptrace_recv,
	.call_valid = ptrace_call_valid,
	.read_mem = ptrace_read_mem,
	.write_mem = ptrace_write_mem,
	.write_memv = ptrace_write_memv,
	.read_str = platform_generic_read_str,
	.answer = ptrace_answer,
	.take_fd = ptrace_take_fd,
	.put_fd = ptrace_put_fd,
	.add_fd = ptrace_put_fd,
	.features = ptrace_features,
	.reap = ptrace_reap,
	.reap_fd = ptrace_reap_fd,
};

int platform_ptrace_probe(void)
{
	pid_t pid = fork();
	int rc = 0;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)PTRACE_OPTIONS) < 0)
		rc = -errno;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	return rc;
}

#else /* !__x86_64__ */

struct platform *platform_ptrace_new(void)
{
	errno = EOPNOTSUPP; /* registers of x86-64 only, so far */
	return NULL;
}

int platform_ptrace_probe(void)
{
	return -EOPNOTSUPP;
}

#endif
