/* SPDX-License-Identifier: MIT */
/*
 * sys_proc.c - handlers for calls that name another process: signals,
 * ptrace and its relatives, and the calls that change another process's
 * limits, priority, affinity or group. They keep the job from touching any
 * process outside its own tree (docs/isolation.md). Opens of /proc/PID/...
 * are in sys_open.c; the membership test is jobtree.c.
 *
 * Theory of operation
 * -------------------
 * Two kinds of rows reach these handlers (syscall_table.c):
 *  - lateral rows (SC_LATERAL): signals, ptrace, process_vm_*, kcmp, ...
 *    notified only when the job's Landlock domain lacks the layer that
 *    confines them: the signal rows below Landlock ABI 6 (a domain without
 *    scoping), all of them without a domain (--no-landlock, no Landlock):
 *    the supervisor layer;
 *  - rows Landlock does not cover at all (prlimit64, setpriority,
 *    sched_set*, ioprio_set, setpgid, process_mrelease): notified in every
 *    mode, except the "self" forms the filter allows in the kernel.
 *
 * The danger in each is identity: a pid checked as "in the job" may die, be
 * reaped (by another job process) and be reused by an outside process before
 * the call acts on it. So, in order of preference:
 *  1. Decided on registers naming the caller itself (its tid, or its tgid,
 *     which stays allocated while the caller lives): CONTINUE. tgkill and
 *     rt_tgsigqueueinfo to the caller's own tgid are in this class too: the
 *     kernel checks that the tid belongs to that tgid.
 *  2. Performed by the supervisor through an object that cannot be reused:
 *     every signal goes through pidfd_send_signal() on a pidfd that was
 *     opened before the target was judged (jobtree_pin()); group and
 *     broadcast signals walk the job tree (proctree_list()); pidfd_getfd,
 *     process_mrelease and pidfd_send_signal act on the job's own pidfd
 *     (duplicated with pidfd_getfd); process_vm_readv/writev go through
 *     /proc/PID/mem opened while the pin was alive; kcmp, get_robust_list,
 *     prlimit64, migrate_pages and move_pages are done by the supervisor and
 *     their result counts only if the pin is still alive afterwards.
 *  3. Performed by the supervisor by pid number right after the pin was
 *     judged (setpriority, ioprio_set, sched_set*, prlimit64 set): Linux has
 *     no pidfd form of these. The window is the supervisor's own few
 *     microseconds between the pin's last check and the call; the job
 *     cannot stretch it, and a reuse needs the target reaped and the whole
 *     pid space (kernel.pid_max) cycled through inside it.
 *  4. CONTINUE after judging a pid (ptrace ATTACH/SEIZE, setpgid into an
 *     existing group): the kernel offers no way to act on the job's behalf.
 *     Residual, written at each: the window runs until the caller thread
 *     performs the call, which the job can delay. The kernel layer closes it
 *     for ptrace (Landlock); docs/isolation.md says what is left.
 *
 * A signal the supervisor sends carries si_code SI_QUEUE with the caller's
 * pid and uid: the kernel lets no process forge SI_USER for another sender,
 * and the receiver should see who sent it, not the supervisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/kcompat.h"
#include "sentry/sentry_priv.h"

#define SYS_PROC_PTRACE_ATTACH 16
#define SYS_PROC_PTRACE_SEIZE 0x4206
#define SYS_PROC_KCMP_EPOLL_TFD 7
#define SYS_PROC_PRIO_PROCESS 0
#define SYS_PROC_PRIO_PGRP 1
#define SYS_PROC_PRIO_USER 2
#define SYS_PROC_IOPRIO_WHO_PROCESS 1
#define SYS_PROC_IOPRIO_WHO_PGRP 2
#define SYS_PROC_IOPRIO_WHO_USER 3
#define SYS_PROC_IOV_MAX 1024
#define SYS_PROC_VM_MAX (16U << 20) /* bytes moved per process_vm_* call */
#define SYS_PROC_MOVE_PAGES_MAX 65536
#define SYS_PROC_THREADS_MAX 4096
#define SYS_PROC_TREE_MAX 65536

#ifndef __NR_process_mrelease
#define __NR_process_mrelease 448
#endif

static const char sys_proc_rule_outside[] =
	"lateral: the target process is outside the job";
static const char sys_proc_rule_self[] = "lateral: the caller itself";
static const char sys_proc_rule_member[] =
	"lateral: performed on a process of the job";
static const char sys_proc_rule_kernel[] =
	"lateral: refused as the kernel would refuse it";

static void sys_proc_continue(struct sentry_call *c, const char *rule)
{
	verdict_continue(&c->v, rule);
}

/* The kernel's own answer to an allowed call (a value, or its errno). */
static void sys_proc_result(struct sentry_call *c, long rc, int err,
			    const char *rule)
{
	verdict_allow(&c->v, rc < 0 ? -(int64_t)(err > 0 ? err : EPERM) : rc,
		      rule);
}

static void sys_proc_errno(struct sentry_call *c, int err)
{
	sys_proc_result(c, -1, err, sys_proc_rule_kernel);
}

static void sys_proc_deny(struct sentry_call *c, const char *rule)
{
	verdict_deny(&c->v, EPERM, VERDICT_CAT_RULE, rule);
}

/*
 * Pin @tid and judge it. Return: 1 a member (*@pin owned by the caller),
 * 0 when @c was answered (outside: EPERM, as Landlock answers; gone: ESRCH),
 * or -errno for an internal error.
 */
static int sys_proc_judge(struct sentry_call *c, pid_t tid, int *pin)
{
	int rc = jobtree_pin(tid, pin);

	if (rc == 1)
		return 1;
	if (*pin >= 0) {
		close(*pin);
		*pin = -1;
	}
	if (rc == 0) {
		sys_proc_deny(c, sys_proc_rule_outside);
		return 0;
	}
	if (rc == -ESRCH) {
		sys_proc_errno(c, ESRCH);
		return 0;
	}
	return rc;
}

/* As sys_proc_judge(), for a pidfd of the job (its number @remote). */
static int sys_proc_judge_fd(struct sentry *s, struct sentry_call *c,
			     int remote, int *local, pid_t *pid)
{
	int rc;

	*local = platform_take_fd(s->plat, &c->pc, remote);
	if (*local < 0) {
		if (*local == -ENOENT)
			return *local; /* the caller is gone */
		verdict_take_fail(&c->v, *local, EPERM, "pidfd");
		return 0;
	}
	rc = jobtree_fd_member(*local, pid);
	if (rc == 1)
		return 1;
	close(*local);
	*local = -1;
	if (rc == 0) {
		sys_proc_deny(c, sys_proc_rule_outside);
		return 0;
	}
	sys_proc_errno(c, rc == -EBADF ? EBADF : ESRCH);
	return 0;
}

/* The caller's own thread or process: safe to CONTINUE on registers. */
static bool sys_proc_is_self(const struct sentry_call *c, pid_t pid, pid_t tgid)
{
	return pid == 0 || pid == c->pc.tid || (tgid > 0 && pid == tgid);
}

static void sys_proc_queue_info(siginfo_t *si, int sig, pid_t sender)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = SI_QUEUE;
	si->si_pid = sender;
	si->si_uid = getuid();
}

static long sys_proc_pidfd_signal(int pidfd, int sig, siginfo_t *si,
				  unsigned int flags)
{
	long rc = FAULT_PERFORM(
		syscall(__NR_pidfd_send_signal, pidfd, sig, si, flags));

	/* Before 6.9 there are no scope flags; a leader pidfd is a process. */
	if (rc < 0 && errno == EINVAL && flags == JOBTREE_SIGNAL_THREAD_GROUP)
		rc = syscall(__NR_pidfd_send_signal, pidfd, sig, si, 0);
	return rc;
}

/* Send @sig to the pinned, judged @pin and answer with the result. */
static void sys_proc_send(struct sentry_call *c, int pin, int sig,
			  siginfo_t *si, unsigned int flags)
{
	long rc = sys_proc_pidfd_signal(pin, sig, si, flags);

	sys_proc_result(c, rc, errno, sys_proc_rule_member);
}

/*
 * kill(-1), kill(0), kill(-pgid), PIDFD_SIGNAL_PROCESS_GROUP: signal every
 * job process (in group @pgid, or all when 0), each through the pidfd that
 * pinned it during the walk. Outside processes are never listed.
 */
static int sys_proc_signal_tree(struct sentry_call *c, pid_t pgid,
				pid_t skip_tgid, int sig, const siginfo_t *tmpl)
{
	struct proctree_node *nodes;
	size_t n, i, sent = 0;
	int last_err = ESRCH;

	nodes = calloc(SYS_PROC_TREE_MAX, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	n = proctree_list(nodes, SYS_PROC_TREE_MAX);
	for (i = 0; i < n; i++) {
		siginfo_t si = *tmpl;

		if (nodes[i].pid == skip_tgid)
			continue;
		/* The group read by number counts only if the pin lived. */
		if (pgid > 0 && (procfs_pgid(nodes[i].pid) != pgid ||
				 !jobtree_alive(nodes[i].pidfd)))
			continue;
		if (sys_proc_pidfd_signal(nodes[i].pidfd, sig, &si,
					  JOBTREE_SIGNAL_THREAD_GROUP) == 0)
			sent++;
		else
			last_err = errno;
	}
	for (i = 0; i < n; i++)
		close(nodes[i].pidfd);
	free(nodes);
	if (sent)
		sys_proc_result(c, 0, 0, sys_proc_rule_member);
	else
		sys_proc_result(c, -1, last_err, sys_proc_rule_member);
	return 0;
}

int sys_kill(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0], self, pgid;
	int sig = (int)c->pc.args[1], pin, rc;
	siginfo_t si;

	(void)s;
	snprintf(c->detail, sizeof(c->detail), "pid=%d sig=%d", (int)pid, sig);
	if (sig < 0 || sig > 64) {
		sys_proc_errno(c, EINVAL);
		return 0;
	}
	/* The caller's own tid (a leader's is its tgid): no /proc read. */
	if (pid > 0 && pid == c->pc.tid) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	self = procfs_tgid(c->pc.tid);
	sys_proc_queue_info(&si, sig, self);
	if (pid > 0 && pid == self) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	if (pid > 0) {
		rc = sys_proc_judge(c, pid, &pin);
		if (rc <= 0)
			return rc;
		sys_proc_send(c, pin, sig, &si, JOBTREE_SIGNAL_THREAD_GROUP);
		close(pin);
		return 0;
	}
	if (pid == -1)
		return sys_proc_signal_tree(c, 0, self, sig, &si);
	if (pid == INT_MIN) {
		sys_proc_errno(c, ESRCH);
		return 0;
	}
	pgid = pid == 0 ? procfs_pgid(self) : -pid;
	if (pgid <= 0) {
		sys_proc_errno(c, ESRCH);
		return 0;
	}
	return sys_proc_signal_tree(c, pgid, -1, sig, &si);
}

/*
 * A thread-directed signal to @tid (which must be in @tgid when > 0).
 * @has_info: send the siginfo at job address @uinfo (rt_tgsigqueueinfo);
 *            else SI_QUEUE from the caller.
 */
static int sys_proc_signal_thread(struct sentry *s, struct sentry_call *c,
				  pid_t tgid, pid_t tid, int sig, bool has_info,
				  uint64_t uinfo)
{
	pid_t self;
	siginfo_t si;
	int pin, rc;

	if (sig < 0 || sig > 64 || tid <= 0 || (tgid != -1 && tgid <= 0)) {
		sys_proc_errno(c, EINVAL);
		return 0;
	}
	/*
	 * tgid == the caller's tid: the caller leads that group, or the
	 * kernel finds no such group (ESRCH). Either way, no stranger.
	 */
	if ((tgid > 0 && tgid == c->pc.tid) ||
	    (tgid == -1 && tid == c->pc.tid)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	self = procfs_tgid(c->pc.tid);
	/* The kernel checks that @tid is in @tgid; the caller's is stable. */
	if ((tgid > 0 && tgid == self) || (tgid == -1 && tid == c->pc.tid)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	sys_proc_queue_info(&si, sig, self);
	if (has_info) {
		if (platform_read_mem(s->plat, &c->pc, uinfo, &si,
				      sizeof(si)) != (ssize_t)sizeof(si)) {
			sys_proc_errno(c, EFAULT);
			return 0;
		}
		/* Only the kernel and the target itself may use these. */
		if (si.si_code >= 0 || si.si_code == SI_TKILL) {
			sys_proc_errno(c, EPERM);
			return 0;
		}
		si.si_signo = sig;
	}
	rc = sys_proc_judge(c, tid, &pin);
	if (rc <= 0)
		return rc;
	if (tgid > 0 && (procfs_tgid(tid) != tgid || !jobtree_alive(pin))) {
		close(pin);
		sys_proc_errno(c, ESRCH);
		return 0;
	}
	rc = (int)sys_proc_pidfd_signal(pin, sig, &si, JOBTREE_SIGNAL_THREAD);
	if (rc < 0 && errno == EINVAL)
		/* Before 6.9 no pidfd names a thread: refuse, do not widen. */
		sys_proc_deny(c, "lateral: thread-directed signals to another "
				 "process need PIDFD_THREAD (Linux 6.9)");
	else
		sys_proc_result(c, rc, errno, sys_proc_rule_member);
	close(pin);
	return 0;
}

int sys_tkill(struct sentry *s, struct sentry_call *c)
{
	pid_t tid = (pid_t)c->pc.args[0];
	int sig = (int)c->pc.args[1];

	snprintf(c->detail, sizeof(c->detail), "tid=%d sig=%d", (int)tid, sig);
	return sys_proc_signal_thread(s, c, -1, tid, sig, false, 0);
}

int sys_tgkill(struct sentry *s, struct sentry_call *c)
{
	pid_t tgid = (pid_t)c->pc.args[0], tid = (pid_t)c->pc.args[1];
	int sig = (int)c->pc.args[2];

	snprintf(c->detail, sizeof(c->detail), "tgid=%d tid=%d sig=%d",
		 (int)tgid, (int)tid, sig);
	return sys_proc_signal_thread(s, c, tgid, tid, sig, false, 0);
}

int sys_rt_tgsigqueueinfo(struct sentry *s, struct sentry_call *c)
{
	pid_t tgid = (pid_t)c->pc.args[0], tid = (pid_t)c->pc.args[1];
	int sig = (int)c->pc.args[2];

	snprintf(c->detail, sizeof(c->detail), "tgid=%d tid=%d sig=%d",
		 (int)tgid, (int)tid, sig);
	return sys_proc_signal_thread(s, c, tgid, tid, sig, true,
				      c->pc.args[3]);
}

int sys_rt_sigqueueinfo(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0];
	int sig = (int)c->pc.args[1], pin, rc;
	pid_t self = procfs_tgid(c->pc.tid);
	siginfo_t si;

	snprintf(c->detail, sizeof(c->detail), "pid=%d sig=%d", (int)pid, sig);
	if (sig < 0 || sig > 64) {
		sys_proc_errno(c, EINVAL);
		return 0;
	}
	if (pid > 0 && pid == self) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	if (platform_read_mem(s->plat, &c->pc, c->pc.args[2], &si,
			      sizeof(si)) != (ssize_t)sizeof(si)) {
		sys_proc_errno(c, EFAULT);
		return 0;
	}
	if (si.si_code >= 0 || si.si_code == SI_TKILL) {
		sys_proc_errno(c, EPERM);
		return 0;
	}
	si.si_signo = sig;
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	sys_proc_send(c, pin, sig, &si, JOBTREE_SIGNAL_THREAD_GROUP);
	close(pin);
	return 0;
}

int sys_pidfd_send_signal(struct sentry *s, struct sentry_call *c)
{
	int sig = (int)c->pc.args[1], local, rc;
	unsigned int flags = (unsigned int)c->pc.args[3];
	pid_t pid = -1, self = procfs_tgid(c->pc.tid);
	siginfo_t si;

	snprintf(c->detail, sizeof(c->detail), "pidfd=%d sig=%d flags=0x%x",
		 (int)c->pc.args[0], sig, flags);
	rc = sys_proc_judge_fd(s, c, (int)c->pc.args[0], &local, &pid);
	if (rc <= 0)
		return rc;
	snprintf(c->detail, sizeof(c->detail), "pidfd=%d (pid %d) sig=%d",
		 (int)c->pc.args[0], (int)pid, sig);
	sys_proc_queue_info(&si, sig, self);
	if (c->pc.args[2]) {
		if (platform_read_mem(s->plat, &c->pc, c->pc.args[2], &si,
				      sizeof(si)) != (ssize_t)sizeof(si)) {
			close(local);
			sys_proc_errno(c, EFAULT);
			return 0;
		}
		if (si.si_code >= 0 || si.si_code == SI_TKILL) {
			/*
			 * Only a process signalling itself may forge these;
			 * the supervisor is not the job, so it cannot.
			 */
			close(local);
			sys_proc_errno(c, EPERM);
			return 0;
		}
	}
	if (flags & JOBTREE_SIGNAL_PROCESS_GROUP) {
		pid_t pgid = procfs_pgid(pid);

		close(local);
		if (sig < 0 || sig > 64 || pgid <= 0) {
			sys_proc_errno(c, sig < 0 || sig > 64 ? EINVAL : ESRCH);
			return 0;
		}
		return sys_proc_signal_tree(c, pgid, -1, sig, &si);
	}
	/* Our duplicate is the job's own pidfd: the same process, always. */
	rc = FAULT_PERFORM(
		(int)syscall(__NR_pidfd_send_signal, local, sig, &si, flags));
	sys_proc_result(c, rc, errno, sys_proc_rule_member);
	close(local);
	return 0;
}

int sys_pidfd_getfd(struct sentry *s, struct sentry_call *c)
{
	int local, fd, rc, remote;
	pid_t pid = -1;

	snprintf(c->detail, sizeof(c->detail), "pidfd=%d fd=%d",
		 (int)c->pc.args[0], (int)c->pc.args[1]);
	rc = sys_proc_judge_fd(s, c, (int)c->pc.args[0], &local, &pid);
	if (rc <= 0)
		return rc;
	fd = FAULT_PERFORM_RC(proc_mem_getfd(local, (int)c->pc.args[1],
					     (unsigned int)c->pc.args[2]));
	close(local);
	if (fd < 0) {
		sys_proc_result(c, -1, -fd, sys_proc_rule_member);
		return 0;
	}
	/* pidfd_getfd() always sets O_CLOEXEC on the new descriptor. */
	remote = platform_put_fd(s->plat, &c->pc, fd, true);
	close(fd);
	if (remote < 0)
		return remote;
	sys_proc_result(c, remote, 0, sys_proc_rule_member);
	verdict_answered(&c->v);
	return 0;
}

int sys_process_mrelease(struct sentry *s, struct sentry_call *c)
{
	int local, rc;
	pid_t pid = -1;

	snprintf(c->detail, sizeof(c->detail), "pidfd=%d", (int)c->pc.args[0]);
	rc = sys_proc_judge_fd(s, c, (int)c->pc.args[0], &local, &pid);
	if (rc <= 0)
		return rc;
	rc = FAULT_PERFORM((int)syscall(__NR_process_mrelease, local,
					(unsigned int)c->pc.args[1]));
	sys_proc_result(c, rc, errno, sys_proc_rule_member);
	close(local);
	return 0;
}

int sys_ptrace(struct sentry *s, struct sentry_call *c)
{
	long req = (long)c->pc.args[0];
	pid_t pid = (pid_t)c->pc.args[1];
	int pin, rc;

	(void)s;
	snprintf(c->detail, sizeof(c->detail), "request=0x%lx pid=%d", req,
		 (int)pid);
	if (req != SYS_PROC_PTRACE_ATTACH && req != SYS_PROC_PTRACE_SEIZE) {
		/*
		 * Every other request acts on a tracee of the caller (the
		 * kernel's ptrace_check_attach()) or makes the caller's
		 * parent its tracer (TRACEME): no new target is named.
		 */
		sys_proc_continue(c, "ptrace: a request on the caller's own "
				     "tracee");
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	/*
	 * Residual race (docs/isolation.md): Linux has no ptrace by pidfd,
	 * so the kernel looks @pid up again when the caller runs. Were the
	 * judged process to die, be reaped by its parent in the job, and the
	 * whole pid space be cycled until an outside process got @pid before
	 * that, the attach would reach it. Any Landlock domain refuses it in
	 * the kernel, which is why this handler only runs without one.
	 */
	close(pin);
	sys_proc_continue(c, "ptrace: attach to a process of the job");
	return 0;
}

static int sys_proc_read_iov(struct sentry *s, struct sentry_call *c,
			     uint64_t addr, unsigned long n, struct iovec **out)
{
	size_t len = n * sizeof(struct iovec);

	*out = NULL;
	if (n > SYS_PROC_IOV_MAX)
		return -EINVAL;
	if (!n)
		return 0;
	*out = calloc(n, sizeof(struct iovec));
	if (!*out)
		return -ENOMEM;
	if (platform_read_mem(s->plat, &c->pc, addr, *out, len) !=
	    (ssize_t)len) {
		free(*out);
		*out = NULL;
		return -EFAULT;
	}
	return 0;
}

/* Move bytes between the caller's @l and the target's @r through @memfd. */
static void sys_proc_vm_copy(struct sentry *s, struct sentry_call *c, int memfd,
			     bool to_caller, const struct iovec *l,
			     unsigned long nl, const struct iovec *r,
			     unsigned long nr)
{
	uint8_t *buf = s->scratch.io;
	const size_t buf_len = sizeof(s->scratch.io);
	unsigned long li = 0, ri = 0;
	size_t loff = 0, roff = 0, total = 0;
	int err = 0;

	while (li < nl && ri < nr && total < SYS_PROC_VM_MAX) {
		uint64_t la = (uintptr_t)l[li].iov_base + loff;
		uint64_t ra = (uintptr_t)r[ri].iov_base + roff;
		size_t chunk = buf_len;
		ssize_t n, w;

		if (loff == l[li].iov_len) {
			li++, loff = 0;
			continue;
		}
		if (roff == r[ri].iov_len) {
			ri++, roff = 0;
			continue;
		}
		if (chunk > l[li].iov_len - loff)
			chunk = l[li].iov_len - loff;
		if (chunk > r[ri].iov_len - roff)
			chunk = r[ri].iov_len - roff;
		if (chunk > SYS_PROC_VM_MAX - total)
			chunk = SYS_PROC_VM_MAX - total;
		if (to_caller) {
			n = FAULT_PERFORM_RC(
				proc_mem_pread(memfd, ra, buf, chunk));
			if (n <= 0) {
				err = n < 0 ? (int)-n : EFAULT;
				break;
			}
			w = platform_write_mem(s->plat, &c->pc, la, buf,
					       (size_t)n);
		} else {
			n = platform_read_mem(s->plat, &c->pc, la, buf, chunk);
			if (n <= 0) {
				err = EFAULT;
				break;
			}
			w = FAULT_PERFORM_RC(
				proc_mem_pwrite(memfd, ra, buf, (size_t)n));
		}
		if (w <= 0) {
			err = w < 0 ? (int)-w : EFAULT;
			break;
		}
		total += (size_t)w;
		loff += (size_t)w;
		roff += (size_t)w;
		if (w < n)
			break;
	}
	/* Like the kernel: the bytes moved, or the error if none were. */
	if (total || !err)
		sys_proc_result(c, (long)total, 0, sys_proc_rule_member);
	else
		sys_proc_result(c, -1, err == EIO ? EFAULT : err,
				sys_proc_rule_member);
}

static int sys_proc_vm(struct sentry *s, struct sentry_call *c, bool readv)
{
	pid_t pid = (pid_t)c->pc.args[0], self = procfs_tgid(c->pc.tid);
	unsigned long nl = c->pc.args[2], nr = c->pc.args[4];
	struct iovec *l = NULL, *r = NULL;
	int pin, memfd, rc;

	snprintf(c->detail, sizeof(c->detail), "pid=%d liovcnt=%lu riovcnt=%lu",
		 (int)pid, nl, nr);
	if (pid > 0 && sys_proc_is_self(c, pid, self)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	if (c->pc.args[5] || nl > SYS_PROC_IOV_MAX || nr > SYS_PROC_IOV_MAX) {
		sys_proc_errno(c, EINVAL);
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	rc = sys_proc_read_iov(s, c, c->pc.args[1], nl, &l);
	if (!rc)
		rc = sys_proc_read_iov(s, c, c->pc.args[3], nr, &r);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0) {
		sys_proc_errno(c, -rc);
		rc = 0;
		goto out;
	}
	memfd = proc_mem_open(pid, pin, !readv);
	if (memfd < 0) {
		sys_proc_result(c, -1, -memfd, sys_proc_rule_member);
		rc = 0;
		goto out;
	}
	sys_proc_vm_copy(s, c, memfd, readv, l, nl, r, nr);
	close(memfd);
	rc = 0;
out:
	free(l);
	free(r);
	close(pin);
	return rc;
}

int sys_process_vm_readv(struct sentry *s, struct sentry_call *c)
{
	return sys_proc_vm(s, c, true);
}

int sys_process_vm_writev(struct sentry *s, struct sentry_call *c)
{
	return sys_proc_vm(s, c, false);
}

int sys_kcmp(struct sentry *s, struct sentry_call *c)
{
	pid_t p1 = (pid_t)c->pc.args[0], p2 = (pid_t)c->pc.args[1];
	pid_t self = procfs_tgid(c->pc.tid);
	int type = (int)c->pc.args[2], pin1 = -1, pin2 = -1, rc;
	uint32_t slot[3];
	unsigned long idx2 = c->pc.args[4];
	long v;

	snprintf(c->detail, sizeof(c->detail), "pid1=%d pid2=%d type=%d",
		 (int)p1, (int)p2, type);
	if (p1 > 0 && p2 > 0 && sys_proc_is_self(c, p1, self) &&
	    sys_proc_is_self(c, p2, self)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	rc = sys_proc_judge(c, p1, &pin1);
	if (rc <= 0)
		return rc;
	rc = sys_proc_judge(c, p2, &pin2);
	if (rc <= 0)
		goto out;
	if (type == SYS_PROC_KCMP_EPOLL_TFD) {
		/* idx2 points at a struct kcmp_epoll_slot in the caller. */
		if (platform_read_mem(s->plat, &c->pc, idx2, slot,
				      sizeof(slot)) != (ssize_t)sizeof(slot)) {
			sys_proc_errno(c, EFAULT);
			rc = 0;
			goto out;
		}
		idx2 = (unsigned long)(uintptr_t)slot;
	}
	v = FAULT_PERFORM(syscall(SYS_kcmp, p1, p2, type, c->pc.args[3], idx2));
	/* The answer is about the judged processes only if both lived. */
	if (!jobtree_alive(pin1) || !jobtree_alive(pin2))
		sys_proc_errno(c, ESRCH);
	else
		sys_proc_result(c, v, errno, sys_proc_rule_member);
	rc = 0;
out:
	close(pin1);
	if (pin2 >= 0)
		close(pin2);
	return rc;
}

int sys_get_robust_list(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0];
	uint64_t head = 0, len = 0;
	int pin, rc;
	long v;

	snprintf(c->detail, sizeof(c->detail), "pid=%d", (int)pid);
	if (pid == 0 || pid == c->pc.tid) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	v = FAULT_PERFORM(syscall(SYS_get_robust_list, pid, &head, &len));
	if (v == 0 && !jobtree_alive(pin)) {
		v = -1;
		errno = ESRCH;
	}
	close(pin);
	if (v == 0 && (platform_write_mem(s->plat, &c->pc, c->pc.args[1], &head,
					  8) != 8 ||
		       platform_write_mem(s->plat, &c->pc, c->pc.args[2], &len,
					  8) != 8)) {
		v = -1;
		errno = EFAULT;
	}
	sys_proc_result(c, v, errno, sys_proc_rule_member);
	return 0;
}

/* A node mask of @maxnode bits at @addr, as the kernel's get_nodes(). */
static int sys_proc_nodemask(struct sentry *s, struct sentry_call *c,
			     uint64_t addr, unsigned long maxnode,
			     unsigned long *mask, size_t cap)
{
	size_t bytes;

	if (!addr || !maxnode)
		return 0;
	bytes = ((maxnode - 1) / 64 + 1) * 8;
	if (bytes > cap)
		return -EINVAL;
	return platform_read_mem(s->plat, &c->pc, addr, mask, bytes) ==
			       (ssize_t)bytes
		       ? 0
		       : -EFAULT;
}

int sys_migrate_pages(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0], self = procfs_tgid(c->pc.tid);
	unsigned long maxnode = c->pc.args[1];
	unsigned long oldm[128], newm[128]; /* 2 KiB: the handler's stack */
	int pin, rc;
	long v;

	snprintf(c->detail, sizeof(c->detail), "pid=%d", (int)pid);
	if (sys_proc_is_self(c, pid, self)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	memset(oldm, 0, sizeof(oldm));
	memset(newm, 0, sizeof(newm));
	rc = sys_proc_nodemask(s, c, c->pc.args[2], maxnode, oldm,
			       sizeof(oldm));
	if (!rc)
		rc = sys_proc_nodemask(s, c, c->pc.args[3], maxnode, newm,
				       sizeof(newm));
	if (rc < 0) {
		close(pin);
		sys_proc_errno(c, -rc);
		return 0;
	}
	v = FAULT_PERFORM(syscall(SYS_migrate_pages, pid, maxnode,
				  c->pc.args[2] ? oldm : NULL,
				  c->pc.args[3] ? newm : NULL));
	sys_proc_result(c, v, errno, sys_proc_rule_member);
	close(pin);
	return 0;
}

int sys_move_pages(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0], self = procfs_tgid(c->pc.tid);
	unsigned long count = c->pc.args[1];
	void **pages = NULL;
	int *nodes = NULL, *status = NULL, pin, rc;
	long v;

	snprintf(c->detail, sizeof(c->detail), "pid=%d count=%lu", (int)pid,
		 count);
	if (sys_proc_is_self(c, pid, self)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	if (count > SYS_PROC_MOVE_PAGES_MAX) {
		sys_proc_errno(c, E2BIG);
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	pages = calloc(count + 1, sizeof(*pages));
	nodes = calloc(count + 1, sizeof(*nodes));
	status = calloc(count + 1, sizeof(*status));
	if (!pages || !nodes || !status) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	if (platform_read_mem(s->plat, &c->pc, c->pc.args[2], pages,
			      count * sizeof(*pages)) !=
		    (ssize_t)(count * sizeof(*pages)) ||
	    (c->pc.args[3] &&
	     platform_read_mem(s->plat, &c->pc, c->pc.args[3], nodes,
			       count * sizeof(*nodes)) !=
		     (ssize_t)(count * sizeof(*nodes)))) {
		sys_proc_errno(c, EFAULT);
		goto out;
	}
	v = FAULT_PERFORM(syscall(SYS_move_pages, pid, count, pages,
				  c->pc.args[3] ? nodes : NULL, status,
				  (int)c->pc.args[5]));
	if (v >= 0 && !jobtree_alive(pin)) {
		v = -1;
		errno = ESRCH;
	}
	if (v >= 0 && count &&
	    platform_write_mem(s->plat, &c->pc, c->pc.args[4], status,
			       count * sizeof(*status)) !=
		    (ssize_t)(count * sizeof(*status))) {
		v = -1;
		errno = EFAULT;
	}
	sys_proc_result(c, v, errno, sys_proc_rule_member);
out:
	free(pages);
	free(nodes);
	free(status);
	close(pin);
	return rc;
}

int sys_prlimit64(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0], self = procfs_tgid(c->pc.tid);
	uint64_t nw[2], old[2];
	int pin, rc;
	long v;

	snprintf(c->detail, sizeof(c->detail), "pid=%d resource=%d", (int)pid,
		 (int)c->pc.args[1]);
	/* prlimit names a thread but acts on its process: only our own. */
	if (sys_proc_is_self(c, pid, self)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	if (c->pc.args[2] &&
	    platform_read_mem(s->plat, &c->pc, c->pc.args[2], nw, sizeof(nw)) !=
		    (ssize_t)sizeof(nw)) {
		close(pin);
		sys_proc_errno(c, EFAULT);
		return 0;
	}
	v = FAULT_PERFORM(syscall(SYS_prlimit64, pid, (int)c->pc.args[1],
				  c->pc.args[2] ? nw : NULL,
				  c->pc.args[3] ? old : NULL));
	if (v == 0 && !jobtree_alive(pin)) {
		v = -1;
		errno = ESRCH;
	}
	close(pin);
	if (v == 0 && c->pc.args[3] &&
	    platform_write_mem(s->plat, &c->pc, c->pc.args[3], old,
			       sizeof(old)) != (ssize_t)sizeof(old)) {
		v = -1;
		errno = EFAULT;
	}
	sys_proc_result(c, v, errno, sys_proc_rule_member);
	return 0;
}

enum sys_proc_prio_op {
	SYS_PROC_PRIO_GET,
	SYS_PROC_PRIO_SET,
	SYS_PROC_IOPRIO_SET,
};

static long sys_proc_prio_one(enum sys_proc_prio_op op, pid_t tid, int val)
{
	switch (op) {
	case SYS_PROC_PRIO_GET:
		return FAULT_PERFORM(
			syscall(SYS_getpriority, SYS_PROC_PRIO_PROCESS, tid));
	case SYS_PROC_PRIO_SET:
		return FAULT_PERFORM(syscall(SYS_setpriority,
					     SYS_PROC_PRIO_PROCESS, tid, val));
	case SYS_PROC_IOPRIO_SET:
		return FAULT_PERFORM(syscall(
			SYS_ioprio_set, SYS_PROC_IOPRIO_WHO_PROCESS, tid, val));
	}
	errno = EINVAL;
	return -1;
}

/*
 * PRIO_PGRP / PRIO_USER (and the ioprio equivalents): the kernel would walk
 * every thread of the group or user on the machine; we walk the job's.
 * @pgid > 0: match that group; else match real uid @uid.
 */
static int sys_proc_prio_many(struct sentry_call *c, enum sys_proc_prio_op op,
			      pid_t pgid, uid_t uid, int val)
{
	struct proctree_node *nodes;
	size_t n, i, j, nt;
	long best = -1, err = -ESRCH;
	bool found = false;
	pid_t *tids;

	/* Rare calls: their buffers are the call's own, not shared. */
	nodes = calloc(SYS_PROC_TREE_MAX, sizeof(*nodes));
	tids = calloc(SYS_PROC_THREADS_MAX, sizeof(*tids));
	if (!nodes || !tids) {
		free(nodes);
		free(tids);
		return -ENOMEM;
	}
	n = proctree_list(nodes, SYS_PROC_TREE_MAX);
	for (i = 0; i < n; i++) {
		pid_t p = nodes[i].pid;
		bool match = pgid > 0 ? procfs_pgid(p) == pgid
				      : procfs_ruid(p) == uid;

		if (!match || !jobtree_alive(nodes[i].pidfd))
			continue;
		nt = procfs_threads(p, tids, SYS_PROC_THREADS_MAX);
		for (j = 0; j < nt; j++) {
			long v;

			/* Still ours: the process pin lives and owns it. */
			if (!jobtree_alive(nodes[i].pidfd) ||
			    procfs_tgid(tids[j]) != p)
				continue;
			v = sys_proc_prio_one(op, tids[j], val);
			found = true;
			if (op == SYS_PROC_PRIO_GET) {
				if (v > best)
					best = v;
			} else if (v < 0) {
				err = -errno;
			} else if (err == -ESRCH) {
				err = 0;
			}
		}
	}
	for (i = 0; i < n; i++)
		close(nodes[i].pidfd);
	free(nodes);
	free(tids);
	if (op == SYS_PROC_PRIO_GET)
		sys_proc_result(c, found ? best : -1, ESRCH,
				sys_proc_rule_member);
	else
		sys_proc_result(c, err, (int)-err, sys_proc_rule_member);
	return 0;
}

/* One thread @who by number, judged first; see class 3 in the header. */
static int sys_proc_prio_single(struct sentry_call *c, enum sys_proc_prio_op op,
				pid_t who, int val)
{
	int pin, rc = sys_proc_judge(c, who, &pin);
	long v;

	if (rc <= 0)
		return rc;
	v = sys_proc_prio_one(op, who, val);
	sys_proc_result(c, v, errno, sys_proc_rule_member);
	close(pin);
	return 0;
}

static int sys_proc_prio(struct sentry_call *c, enum sys_proc_prio_op op,
			 int which, pid_t who, int val)
{
	pid_t self = procfs_tgid(c->pc.tid);
	bool io = op == SYS_PROC_IOPRIO_SET;
	int w_proc = io ? SYS_PROC_IOPRIO_WHO_PROCESS : SYS_PROC_PRIO_PROCESS;
	int w_pgrp = io ? SYS_PROC_IOPRIO_WHO_PGRP : SYS_PROC_PRIO_PGRP;
	int w_user = io ? SYS_PROC_IOPRIO_WHO_USER : SYS_PROC_PRIO_USER;

	snprintf(c->detail, sizeof(c->detail), "which=%d who=%d value=%d",
		 which, (int)who, val);
	if (which == w_proc) {
		if (sys_proc_is_self(c, who, self)) {
			sys_proc_continue(c, sys_proc_rule_self);
			return 0;
		}
		return sys_proc_prio_single(c, op, who, val);
	}
	if (which == w_pgrp) {
		pid_t pgid = who ? who : procfs_pgid(self);

		if (pgid <= 0) {
			sys_proc_errno(c, ESRCH);
			return 0;
		}
		return sys_proc_prio_many(c, op, pgid, 0, val);
	}
	if (which == w_user)
		return sys_proc_prio_many(c, op, 0, who ? (uid_t)who : getuid(),
					  val);
	sys_proc_errno(c, EINVAL);
	return 0;
}

int sys_getpriority(struct sentry *s, struct sentry_call *c)
{
	(void)s;
	return sys_proc_prio(c, SYS_PROC_PRIO_GET, (int)c->pc.args[0],
			     (pid_t)c->pc.args[1], 0);
}

int sys_setpriority(struct sentry *s, struct sentry_call *c)
{
	(void)s;
	return sys_proc_prio(c, SYS_PROC_PRIO_SET, (int)c->pc.args[0],
			     (pid_t)c->pc.args[1], (int)c->pc.args[2]);
}

int sys_ioprio_set(struct sentry *s, struct sentry_call *c)
{
	(void)s;
	return sys_proc_prio(c, SYS_PROC_IOPRIO_SET, (int)c->pc.args[0],
			     (pid_t)c->pc.args[1], (int)c->pc.args[2]);
}

/*
 * sched_setaffinity/setscheduler/setparam/setattr on thread @pid: the
 * caller's own thread or process continues; another job thread gets the
 * call performed with @arg (@len bytes copied from the caller).
 */
static int sys_proc_sched(struct sentry *s, struct sentry_call *c, long nr,
			  uint64_t uaddr, size_t len)
{
	uint8_t buf[8192]; /* the handler's stack: no state across calls */
	pid_t pid = (pid_t)c->pc.args[0], self = procfs_tgid(c->pc.tid);
	int pin, rc;
	long v;

	snprintf(c->detail, sizeof(c->detail), "pid=%d", (int)pid);
	if (sys_proc_is_self(c, pid, self)) {
		sys_proc_continue(c, sys_proc_rule_self);
		return 0;
	}
	if (pid < 0) {
		sys_proc_errno(c, EINVAL);
		return 0;
	}
	rc = sys_proc_judge(c, pid, &pin);
	if (rc <= 0)
		return rc;
	if (len > sizeof(buf))
		len = sizeof(buf);
	memset(buf, 0, sizeof(buf));
	if (len && platform_read_mem(s->plat, &c->pc, uaddr, buf, len) !=
			   (ssize_t)len) {
		close(pin);
		sys_proc_errno(c, EFAULT);
		return 0;
	}
	switch (nr) {
	case SYS_sched_setaffinity:
		v = FAULT_PERFORM(syscall(nr, pid, len, buf));
		break;
	case SYS_sched_setscheduler:
		v = FAULT_PERFORM(syscall(nr, pid, (int)c->pc.args[1], buf));
		break;
	case SYS_sched_setparam:
		v = FAULT_PERFORM(syscall(nr, pid, buf));
		break;
	default: /* SYS_sched_setattr */
		v = FAULT_PERFORM(
			syscall(nr, pid, buf, (unsigned int)c->pc.args[2]));
		break;
	}
	sys_proc_result(c, v, errno, sys_proc_rule_member);
	close(pin);
	return 0;
}

int sys_sched_setaffinity(struct sentry *s, struct sentry_call *c)
{
	return sys_proc_sched(s, c, SYS_sched_setaffinity, c->pc.args[2],
			      (size_t)c->pc.args[1]);
}

int sys_sched_setscheduler(struct sentry *s, struct sentry_call *c)
{
	return sys_proc_sched(s, c, SYS_sched_setscheduler, c->pc.args[2],
			      sizeof(int));
}

int sys_sched_setparam(struct sentry *s, struct sentry_call *c)
{
	return sys_proc_sched(s, c, SYS_sched_setparam, c->pc.args[1],
			      sizeof(int));
}

int sys_sched_setattr(struct sentry *s, struct sentry_call *c)
{
	uint32_t size = 0;

	if (c->pc.args[1] &&
	    platform_read_mem(s->plat, &c->pc, c->pc.args[1], &size,
			      sizeof(size)) != (ssize_t)sizeof(size)) {
		sys_proc_errno(c, EFAULT);
		return 0;
	}
	/* SCHED_ATTR_SIZE_VER0 when 0; the kernel rejects what is odd. */
	return sys_proc_sched(s, c, SYS_sched_setattr, c->pc.args[1],
			      size ? size : 48);
}

int sys_setpgid(struct sentry *s, struct sentry_call *c)
{
	pid_t pid = (pid_t)c->pc.args[0], pgid = (pid_t)c->pc.args[1];
	pid_t self = procfs_tgid(c->pc.tid), target, mine;
	struct proctree_node *nodes;
	size_t n, i;
	bool found = false;

	(void)s;
	snprintf(c->detail, sizeof(c->detail), "pid=%d pgid=%d", (int)pid,
		 (int)pgid);
	if (pgid < 0) {
		sys_proc_errno(c, EINVAL);
		return 0;
	}
	target = pid ? pid : self;
	mine = procfs_pgid(self);
	/*
	 * A new group named after the target, or the caller's own group
	 * (the caller, blocked here, keeps it alive). The kernel only lets
	 * the target be the caller or its child: a job process either way.
	 */
	if (pgid == 0 || pgid == target || (mine > 0 && pgid == mine)) {
		sys_proc_continue(c, "setpgid: a new group, or the caller's "
				     "own");
		return 0;
	}
	nodes = calloc(SYS_PROC_TREE_MAX, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	n = proctree_list(nodes, SYS_PROC_TREE_MAX);
	for (i = 0; i < n; i++) {
		if (!found && procfs_pgid(nodes[i].pid) == pgid &&
		    jobtree_alive(nodes[i].pidfd))
			found = true;
		close(nodes[i].pidfd);
	}
	free(nodes);
	if (!found) {
		sys_proc_deny(c, "setpgid: the group has no process of the "
				 "job");
		return 0;
	}
	/*
	 * Residual (docs/isolation.md): the kernel looks @pgid up again
	 * when the caller runs; every member would have to leave the group
	 * and the number be recycled into an outside group of the caller's
	 * own session before that for the join to reach outside.
	 */
	sys_proc_continue(c, "setpgid: a group of the job");
	return 0;
}
