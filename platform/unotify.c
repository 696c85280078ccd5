/* SPDX-License-Identifier: MIT */
/*
 * unotify.c - the seccomp user notification backend.
 *
 * Theory of operation
 * -------------------
 * platform_spawn() forks. The child sets no_new_privs, enters its Landlock
 * domain, installs the filter with SECCOMP_FILTER_FLAG_NEW_LISTENER (plus
 * WAIT_KILLABLE_RECV where the kernel has it), reports the listener's fd
 * number on a pipe and waits. The supervisor duplicates the listener out of
 * the child with pidfd_getfd() - the listener never crosses a socket, so no
 * notified sendmsg() can deadlock the hand-over - turns on SYNC_WAKE_UP where
 * present, and tells the child to go on. The child closes its copy of the
 * listener (the job must never hold it: it could answer its own calls) and
 * execs. From then on every notified call is received here, and answered
 * exactly once by the sentry through unotify_answer() or unotify_put_fd().
 *
 * Where pidfd_getfd is refused (Docker's and containerd's default seccomp
 * profiles without CAP_SYS_PTRACE; CORDON_IGNORE_FEATURES=pidfd_getfd), the
 * listener crosses a socketpair instead, sent by a helper thread of the
 * child that was started before the filter: a seccomp filter installed
 * without SECCOMP_FILTER_FLAG_TSYNC binds only the thread that installs it,
 * so the helper's sendmsg() is not notified and cannot deadlock, while the
 * two threads share the fd table the listener lands in. The child joins the
 * helper before it reports, closes its end of the pair and the listener,
 * and execs, which would end any thread left anyway: the job holds neither.
 * Job memory is then read and written through /proc/TID/mem
 * (proc_mem_call_read()) when process_vm_readv is refused too.
 *
 * The kernel's warning stands (uapi seccomp.h): CONTINUE cannot implement a
 * security policy for calls whose arguments live in memory. This file offers
 * CONTINUE; the sentry decides when it may be used.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/platform_priv.h"
#include "platform/unotify_priv.h"

/*
 * pidfds of recent callers, by tid (direct-mapped). A cached pidfd names
 * one task forever: if that task died and its tid went to another, the
 * pidfd fails with ESRCH and is opened again; if it is alive, it is the
 * only task with that tid, hence the caller (confirmed after use by
 * ID_VALID). Saves a pidfd_open() and a close() per fd taken.
 */
#define UNOTIFY_PIDFD_CACHE 64

struct unotify_pidfd {
	pid_t tid;
	int fd;
};

struct unotify {
	struct platform base; /* first: platform.c sees only this */
	int listener;
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req; /* sizes.seccomp_notif bytes */
	struct seccomp_notif_resp *resp;
	struct platform_features feat;
	bool feat_known;
	bool vm;    /* process_vm_readv/writev work (else /proc/TID/mem) */
	bool getfd; /* pidfd_getfd may be called (else no take_fd) */
	struct unotify_pidfd pidfds[UNOTIFY_PIDFD_CACHE];
};

static struct unotify *unotify_of(struct platform *p)
{
	return PLATFORM_CONTAINER_OF(p, struct unotify, base);
}

static const struct unotify *unotify_of_const(const struct platform *p)
{
	return PLATFORM_CONTAINER_OF(p, const struct unotify, base);
}

static long unotify_seccomp(unsigned int op, unsigned long flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

static const struct platform_ops unotify_ops;
static void unotify_free(struct platform *p);

struct platform *platform_unotify_new(void)
{
	struct unotify *u = calloc(1, sizeof(*u));
	size_t i;

	if (!u)
		return NULL;
	u->base.ops = &unotify_ops;
	u->base.name = "unotify";
	u->base.can = PLATFORM_CAN_TAKE_FD | PLATFORM_CAN_PUT_FD |
		      PLATFORM_CAN_CONTINUE | PLATFORM_CAN_WRITE_MEM |
		      PLATFORM_CAN_ANSWER_ANY_THREAD;
	u->base.trap = PLATFORM_TRAP_UNOTIFY;
	u->listener = -1;
	u->vm = proc_mem_vm_works();
	u->getfd = proc_mem_getfd_works();
	if (!u->getfd)
		u->base.can &= ~PLATFORM_CAN_TAKE_FD;
	for (i = 0; i < UNOTIFY_PIDFD_CACHE; i++)
		u->pidfds[i].fd = -1;
	if (unotify_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &u->sizes) < 0) {
		int e = errno;

		free(u);
		errno = e;
		return NULL;
	}
	/* The kernel may know a larger struct than our headers. */
	u->req = calloc(1, u->sizes.seccomp_notif > sizeof(*u->req)
				   ? u->sizes.seccomp_notif
				   : sizeof(*u->req));
	u->resp = calloc(1, u->sizes.seccomp_notif_resp > sizeof(*u->resp)
				    ? u->sizes.seccomp_notif_resp
				    : sizeof(*u->resp));
	if (!u->req || !u->resp) {
		unotify_free(&u->base);
		errno = ENOMEM;
		return NULL;
	}
	return &u->base;
}

static void unotify_free(struct platform *p)
{
	struct unotify *u = unotify_of(p);
	size_t i;

	for (i = 0; i < UNOTIFY_PIDFD_CACHE; i++)
		if (u->pidfds[i].fd >= 0)
			close(u->pidfds[i].fd);
	if (u->listener >= 0)
		close(u->listener);
	free(u->req);
	free(u->resp);
	free(u);
}

static int unotify_fd(const struct platform *p)
{
	return unotify_of_const(p)->listener;
}

static const struct platform_features *
unotify_features(const struct platform *p)
{
	return &unotify_of_const(p)->feat;
}

/* Close every fd >= 3 except the @n in @keep (each >= 3, or -1: none). */
static void unotify_close_others(const int *keep, size_t n)
{
	unsigned int lo = 3;
	int sorted[3];
	size_t i, j, m = 0;

	for (i = 0; i < n && m < ARRAY_SIZE(sorted); i++) {
		if (keep[i] < 3)
			continue;
		for (j = m; j > 0 && sorted[j - 1] > keep[i]; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = keep[i];
		m++;
	}
	for (i = 0; i < m; i++) {
		if ((unsigned int)sorted[i] > lo &&
		    syscall(SYS_close_range, lo, (unsigned int)sorted[i] - 1,
			    0) < 0 &&
		    errno == ENOSYS)
			return; /* pre-5.9 kernels are outside what cordon
				   supports */
		lo = (unsigned int)sorted[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

static void __attribute__((noreturn))
unotify_child_fail(int report, int stage, int err)
{
	struct unotify_msg m = {
		.type = UNOTIFY_MSG_FAILED, .stage = stage, .err = err};

	(void)fd_write_all(report, &m, sizeof(m));
	if (stage == PLATFORM_SPAWN_STAGE_EXEC)
		_exit(err == ENOENT ? CORDON_EXIT_NOTFOUND
				    : CORDON_EXIT_NOEXEC);
	_exit(CORDON_EXIT_FAILURE);
}

/* Lower (never raise) one resource limit of the child to @v (0: keep). */
static int unotify_rlimit(int resource, uint64_t v)
{
	struct rlimit rl;

	if (!v || getrlimit(resource, &rl) < 0)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max)
		v = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = (rlim_t)v;
	return setrlimit(resource, &rl);
}

/* The caller's soft RLIMIT_NOFILE back (the supervisor raised its own). */
static int unotify_nofile_soft(uint64_t v)
{
	struct rlimit rl;

	if (!v || getrlimit(RLIMIT_NOFILE, &rl) < 0 || v >= rl.rlim_cur)
		return 0;
	rl.rlim_cur = (rlim_t)v;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * A unix socket the job inherits as stdin/stdout/stderr leads to whatever
 * started cordon: nothing there may pass fds into the job (SO_PASSRIGHTS,
 * docs/network.md). On a kernel without it, or for other fds, nothing to do.
 */
static void unotify_stdio_no_rights(void)
{
	int fd, off = 0, dom = 0;
	socklen_t l;

	if (!unotify_probe_passrights())
		return; /* the receive guard alone (sentry/sys_rights.c) */
	for (fd = 0; fd <= 2; fd++) {
		l = sizeof(dom);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) == 0 &&
		    dom == AF_UNIX)
			setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &off,
				   sizeof(off));
	}
}

/*
 * What cordon changed for itself and the job must not inherit: SIGPIPE
 * (ignored by the supervisor, SIG_IGN survives exec) and the /dev/null
 * cordon put on stdio fds it found closed.
 */
static void unotify_child_stdio(const struct platform_spawn *s)
{
	int fd;

	if (s->sigpipe_default)
		signal(SIGPIPE, SIG_DFL);
	for (fd = 0; fd <= 2; fd++)
		if (s->close_stdio & (1u << fd))
			close(fd);
}

/* Runs in the forked child; never returns (platform_priv.h). */
void platform_child_run(const struct platform_spawn *s, int report, int go,
			int handover, pid_t parent, bool traced)
{
	struct handover h = {.pipe = -1, .sock = -1};
	pthread_t ht;
	int hwr = -1;
	struct unotify_msg m = {.type = UNOTIFY_MSG_LISTENER};
	sigset_t none;
	char byte;
	long fd;
	int abi;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Fail closed: if the supervisor dies, the job's first process dies. */
	if (s->pdeathsig && prctl(PR_SET_PDEATHSIG, s->pdeathsig) < 0)
		unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP, errno);
	if (getppid() != parent)
		_exit(CORDON_EXIT_FAILURE);
	if ((s->stdout_fd > 2 && dup2(s->stdout_fd, STDOUT_FILENO) < 0) ||
	    (s->stderr_fd > 2 && dup2(s->stderr_fd, STDERR_FILENO) < 0))
		unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP, errno);
	if (unotify_rlimit(RLIMIT_NOFILE, s->nofile) < 0 ||
	    unotify_nofile_soft(s->nofile ? 0 : s->nofile_soft) < 0 ||
	    unotify_rlimit(RLIMIT_FSIZE, s->fsize) < 0 ||
	    unotify_rlimit(RLIMIT_NPROC, s->nproc) < 0)
		unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP, errno);
	{
		int keep[] = {report, go, handover};

		unotify_close_others(keep, ARRAY_SIZE(keep));
	}
	unotify_stdio_no_rights();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP, errno);
	abi = s->landlock_abi;
	if (abi > 0) {
		int rc = landlock_restrict_job(abi, s->landlock_scope, s);

		if (rc < 0)
			unotify_child_fail(report,
					   PLATFORM_SPAWN_STAGE_LANDLOCK, -rc);
	}
	/*
	 * The supervisor made itself non-dumpable and we inherited that; the
	 * job must be dumpable again so that the supervisor (outside the
	 * job's Landlock domain) may pidfd_getfd() and read its memory.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP, errno);
	if (handover >= 0) {
		int rc = handover_start(&h, handover, &hwr, &ht);

		if (rc < 0)
			unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP,
					   -rc);
	}
	/* Without SECCOMP_FILTER_FLAG_TSYNC: the hand-over thread stays out. */
	m.flags = SECCOMP_FILTER_FLAG_NEW_LISTENER |
		  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (feature_off(FEATURE_OFF_WAIT_KILLABLE_RECV) || traced)
		m.flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	/* A tracer receives the SECCOMP_RET_TRACE rows: no listener. */
	if (traced)
		m.flags = 0;
	fd = unotify_seccomp(SECCOMP_SET_MODE_FILTER, m.flags,
			     (void *)s->filter);
	if (fd < 0 && errno == EINVAL && !traced) {
		/* Before 5.19: signals may interrupt a pending call. */
		m.flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = unotify_seccomp(SECCOMP_SET_MODE_FILTER, m.flags,
				     (void *)s->filter);
	}
	if (fd < 0) {
		int e = errno;

		if (handover >= 0)
			handover_finish(&h, hwr, ht, -1);
		unotify_child_fail(report, PLATFORM_SPAWN_STAGE_FILTER, e);
	}
	if (handover >= 0) {
		/* Sent before the report: the supervisor finds it queued. */
		int rc = handover_finish(&h, hwr, ht, (int)fd);

		if (rc < 0)
			unotify_child_fail(report, PLATFORM_SPAWN_STAGE_SETUP,
					   -rc);
	}
	m.fd = traced ? -1 : (int)fd;
	m.landlock_abi = abi > 0 ? abi : 0;
	if (fd_write_all(report, &m, sizeof(m)) < 0)
		_exit(CORDON_EXIT_FAILURE);
	if (EINTR_RETRY(read(go, &byte, 1)) != 1)
		_exit(CORDON_EXIT_FAILURE);
	/* Served from now on: closes may be notified (FILTER_BIRTH). */
	if (handover >= 0)
		handover_close(&h, hwr);
	close(go);
	if (!traced)
		close((int)fd);
	unotify_child_stdio(s);
	/*
	 * @path holds a '/', so execvpe() does not search; it only adds the
	 * /bin/sh fallback for scripts without a #! line, as shells do.
	 */
	execvpe(s->path ? s->path : s->argv[0], s->argv, s->envp);
	unotify_child_fail(report, PLATFORM_SPAWN_STAGE_EXEC, errno);
}

static int unotify_take_listener(struct unotify *u, int pidfd, int remote,
				 int handover)
{
	uint64_t flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	int fd;

	fd = handover >= 0 ? handover_recv(handover)
			   : proc_mem_getfd(pidfd, remote, 0);
	if (fd < 0)
		return fd;
	u->listener = fd;
	u->feat.unotify = true;
	u->feat.pidfd_getfd = u->getfd;
	u->feat.process_vm = u->vm;
	/*
	 * Wake the receiver on the calling CPU and the caller on the
	 * answering one (6.6): a call hands the CPU over and back. Without it
	 * an answered call costs a cross-CPU wake-up, ~8x slower on small
	 * VMs. The first half reaches only a receiver asleep in
	 * unotify_recv() itself (sentry/receiver.c), not one in epoll.
	 */
	u->feat.sync_wake_up =
		!feature_off(FEATURE_OFF_SYNC_WAKE_UP) &&
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) == 0;
	return 0;
}

static int unotify_spawn(struct platform *p, const struct platform_spawn *s,
			 struct platform_job *job)
{
	struct unotify *u = unotify_of(p);
	int report[2], go[2], pair[2] = {-1, -1}, pidfd, rc;
	struct unotify_msg m;
	pid_t pid, self = getpid();
	ssize_t n;

	if (u->listener >= 0)
		return -EBUSY;
	if (pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out_close_report;
	}
	/* No pidfd_getfd: the listener comes over a socketpair (theory). */
	if (!u->getfd &&
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0) {
		rc = -errno;
		goto out_close_go;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out_close_go;
	}
	if (pid == 0) {
		close(report[0]);
		close(go[1]);
		if (pair[0] >= 0)
			close(pair[0]);
		platform_child_run(s, report[1], go[0], pair[1], self, false);
	}
	close(report[1]);
	report[1] = -1;
	close(go[0]);
	go[0] = -1;
	if (pair[1] >= 0)
		close(pair[1]);
	pair[1] = -1;

	n = EINTR_RETRY(read(report[0], &m, sizeof(m)));
	if (n != (ssize_t)sizeof(m) || m.type != UNOTIFY_MSG_LISTENER) {
		rc = (n == (ssize_t)sizeof(m) && m.err) ? -m.err : -ECHILD;
		job->pid = pid;
		job->status_fd = -1;
		job->pidfd = -1;
		job->fail_stage = n == (ssize_t)sizeof(m)
					  ? m.stage
					  : PLATFORM_SPAWN_STAGE_SETUP;
		goto out_reap;
	}
	pidfd = (int)syscall(__NR_pidfd_open, pid, 0);
	if (pidfd < 0) {
		rc = -errno;
		goto out_kill;
	}
	rc = unotify_take_listener(u, pidfd, m.fd, pair[0]);
	if (rc < 0) {
		close(pidfd);
		goto out_kill;
	}
	if (pair[0] >= 0)
		close(pair[0]);
	pair[0] = -1;
	u->feat.wait_killable_recv =
		!!(m.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	u->feat.landlock_abi = m.landlock_abi;
	u->feat.addfd = true; /* 5.9, as pidfd_getfd's successor */
	/* Tried first; cleared on EINVAL. */
	u->feat.addfd_send = !feature_off(FEATURE_OFF_ADDFD_SEND);
	u->feat.passrights = unotify_probe_passrights();
	u->feat_known = true;
	if (fd_write_all(go[1], "g", 1) < 0) {
		rc = -errno;
		close(pidfd);
		goto out_kill;
	}
	close(go[1]);
	job->pid = pid;
	job->pidfd = pidfd;
	job->status_fd = report[0];
	job->filter_flags = m.flags;
	job->landlock_abi = m.landlock_abi;
	return 0;

out_kill:
	kill(pid, SIGKILL);
out_reap:
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out_close_go:
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	if (go[0] >= 0)
		close(go[0]);
	close(go[1]);
out_close_report:
	close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	if (u->listener >= 0) {
		close(u->listener);
		u->listener = -1;
	}
	return rc;
}

int platform_read_exec_status(int fd, struct platform_exec_status *st)
{
	struct unotify_msg m;
	ssize_t n = EINTR_RETRY(read(fd, &m, sizeof(m)));

	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(m) || m.type != UNOTIFY_MSG_FAILED)
		return 0;
	st->stage = m.stage;
	st->err = m.err;
	return 1;
}

static int unotify_recv(struct platform *p, struct platform_call *c)
{
	struct unotify *u = unotify_of(p);
	struct seccomp_notif *r = u->req;

	/* The kernel rejects a request buffer that is not zeroed. */
	memset(r, 0, u->sizes.seccomp_notif);
	if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_RECV, r) < 0) {
		struct pollfd pf = {.fd = u->listener, .events = POLLIN};

		if (errno == EINTR)
			return -EAGAIN;
		if (errno != ENOENT)
			return -errno;
		/*
		 * ENOENT: the caller was killed between the wake-up and our
		 * receive, nothing to answer - or no task uses the filter
		 * any more, and the receive returns at once, for ever.
		 */
		if (poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP))
			return -EPIPE;
		return -ENOENT;
	}
	c->id = r->id;
	c->tid = (pid_t)r->pid;
	c->arch = r->data.arch;
	c->nr = r->data.nr;
	c->ip = r->data.instruction_pointer;
	memcpy(c->args, r->data.args, sizeof(c->args));
	return 0;
}

static int unotify_call_valid(struct platform *p, const struct platform_call *c)
{
	uint64_t id = c->id;

	if (ioctl(unotify_of(p)->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) <
	    0)
		return -ENOENT;
	return 0;
}

static int unotify_answer(struct platform *p, const struct platform_call *c,
			  const struct platform_answer *a)
{
	struct unotify *u = unotify_of(p);
	struct seccomp_notif_resp *r = u->resp;

	memset(r, 0, u->sizes.seccomp_notif_resp);
	r->id = c->id;
	switch (a->kind) {
	case PLATFORM_ANSWER_CONTINUE:
		r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case PLATFORM_ANSWER_VALUE:
		r->val = a->value;
		break;
	case PLATFORM_ANSWER_ERRNO:
		/* An errno of 0 would be a success: never let that through. */
		r->error = a->err > 0 ? -a->err : -EPERM;
		break;
	}
	if (ioctl(u->listener, SECCOMP_IOCTL_NOTIF_SEND, r) < 0)
		return -errno; /* ENOENT: the caller is gone */
	return 0;
}

static int unotify_add_fd(struct platform *p, const struct platform_call *c,
			  int local_fd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = c->id,
		.srcfd = (uint32_t)local_fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int remote =
		ioctl(unotify_of(p)->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

	return remote < 0 ? -errno : remote;
}

static int unotify_put_fd(struct platform *p, const struct platform_call *c,
			  int local_fd, bool cloexec)
{
	struct unotify *u = unotify_of(p);
	struct seccomp_notif_addfd add = {
		.id = c->id,
		.srcfd = (uint32_t)local_fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	struct platform_answer a = {.kind = PLATFORM_ANSWER_VALUE};
	int remote, rc;

	if (u->feat.addfd_send) {
		add.flags = SECCOMP_ADDFD_FLAG_SEND;
		remote = ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		if (remote >= 0)
			return remote;
		if (errno != EINVAL)
			return -errno;
		u->feat.addfd_send = false; /* before 5.14 */
		add.flags = 0;
	}
	remote = ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (remote < 0)
		return -errno;
	a.value = remote;
	rc = unotify_answer(p, c, &a);
	return rc < 0 ? rc : remote;
}

static int unotify_take_fd(struct platform *p, const struct platform_call *c,
			   int remote_fd)
{
	struct unotify *u = unotify_of(p);
	struct unotify_pidfd *e =
		&u->pidfds[(unsigned)c->tid % UNOTIFY_PIDFD_CACHE];
	int fd, rc, tries;

	/*
	 * Before PIDFD_THREAD a pidfd names the thread group, not the tid:
	 * a cached one could outlive the tid's thread and name another
	 * process. No cache then: open, check, take.
	 */
	if (!proc_mem_pidfd_thread()) {
		int pidfd = proc_mem_pidfd_open(c->tid);

		if (pidfd < 0)
			return pidfd;
		rc = unotify_call_valid(p, c);
		if (rc == 0)
			rc = proc_mem_getfd(pidfd, remote_fd, 0);
		close(pidfd);
		return rc;
	}
	for (tries = 0; tries < 2; tries++) {
		if (e->fd < 0 || e->tid != c->tid) {
			if (e->fd >= 0)
				close(e->fd);
			e->fd = proc_mem_pidfd_open(c->tid);
			e->tid = c->tid;
			if (e->fd < 0)
				return e->fd;
		}
		fd = proc_mem_getfd(e->fd, remote_fd, 0);
		if (fd != -ESRCH)
			break;
		/* A task that had this tid before: open the caller's. */
		close(e->fd);
		e->fd = -1;
	}
	if (fd < 0)
		return fd;
	/* The pidfd names a task with the caller's tid: is it the caller? */
	rc = unotify_call_valid(p, c);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

static ssize_t unotify_read_mem(struct platform *p,
				const struct platform_call *c, uint64_t addr,
				void *buf, size_t len)
{
	return proc_mem_job_read(unotify_of(p)->vm, c, addr, buf, len);
}

static ssize_t unotify_write_mem(struct platform *p,
				 const struct platform_call *c, uint64_t addr,
				 const void *buf, size_t len)
{
	struct platform_mem_seg seg = {addr, buf, len};

	return proc_mem_job_writev(unotify_of(p)->vm, c, &seg, 1);
}

static ssize_t unotify_write_memv(struct platform *p,
				  const struct platform_call *c,
				  const struct platform_mem_seg *segs, size_t n)
{
	return proc_mem_job_writev(unotify_of(p)->vm, c, segs, n);
}

static const struct platform_ops unotify_ops = {
	.free = unotify_free,
	.spawn = unotify_spawn,
	.fd = unotify_fd,
	.recv = unotify_recv,
	.call_valid = unotify_call_valid,
	.read_mem = unotify_read_mem,
	.write_mem = unotify_write_mem,
	.write_memv = unotify_write_memv,
	.read_str = platform_generic_read_str,
	.answer = unotify_answer,
	.take_fd = unotify_take_fd,
	.put_fd = unotify_put_fd,
	.add_fd = unotify_add_fd,
	.features = unotify_features,
};
