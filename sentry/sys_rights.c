/* SPDX-License-Identifier: MIT */
/*
 * sys_rights.c - recvmsg()/recvmmsg() performed by the supervisor once the
 * job holds unix sockets, so that fds sent from outside the job never reach
 * it; socketpair(), which makes unix sockets without any call the
 * supervisor sees otherwise. Not responsible for when this is needed
 * (netstack/unix_rights.c), for the rewrite of the control data (same file)
 * nor for receives on DNS-redirected sockets (sys_net.c).
 *
 * Theory of operation
 * -------------------
 * Every sendmsg()/sendmmsg() of the job is performed by the supervisor
 * (sys_net.c): a message that carries fds and was sent for the job has the
 * supervisor as its sender. sys_rights_sign() makes that visible: it adds
 * the supervisor's own SCM_CREDENTIALS to each such message on a unix
 * socket, so the kernel records our pid with it (unix_scm_to_skb(); a
 * sender without CAP_SYS_ADMIN cannot claim a pid not its own,
 * scm_check_creds()). A message with fds whose sender is anything but the
 * supervisor came from outside the job. The number cannot be reused while
 * we judge it: it is our own, and we live.
 *
 * 1. The socket is the supervisor's duplicate of the job's fd (taken once;
 *    the job may swap what its fd number names, not what we hold). That is
 *    why every recvmsg() is performed while the guard is on, a TCP or UDP
 *    socket's too: a CONTINUE after seeing a UDP socket would run on
 *    whatever the job dup2()ed onto the number meanwhile. The job's msghdr
 *    and iovecs are copied once, and the call confirmed still valid, before
 *    anything is received.
 * 2. SO_PASSCRED is turned on for the one receive and back off after,
 *    unless the job had it on: the kernel then hands us the pid each
 *    message was recorded with (none: an outsider's, never ours), and a
 *    stream read never merges bytes of two senders (unix_skb_scm_eq()).
 *    The receive is non-blocking; a blocking socket with nothing queued
 *    waits in the deferred table and is run again from the start.
 * 3. Fds of a message the supervisor sent are installed into the receiver
 *    (ADDFD, not answering) and renumbered in the control data; fds of
 *    anyone else are closed, never installed, and MSG_CTRUNC set as when
 *    the kernel drops fds. The call then answers with the byte count and is
 *    recorded as a denial, so the refusal shows. An SCM_PIDFD (the job set
 *    SO_PASSPIDFD) would name the supervisor: it is dropped.
 * 4. Fail closed: anything that goes wrong after the receive closes every
 *    received fd and answers an error; nothing is installed that was not
 *    judged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fault.h"
#include "common/kcompat.h"
#include "sentry/sentry_priv.h"

#define SYS_RIGHTS_IOV 64
#define SYS_RIGHTS_DATA_MAX (4u << 20) /* one datagram, at most */
#define SYS_RIGHTS_CONTROL_MAX 4096    /* 253 fds and more fit */
#define SYS_RIGHTS_CONTROL_EXTRA 128   /* our SCM_CREDENTIALS, SCM_PIDFD */

/* One receive: what the job asked for, and what the supervisor got. */
struct sys_rights_rx {
	struct msghdr jm; /* the job's msghdr (job addresses) */
	struct iovec jiov[SYS_RIGHTS_IOV];
	uint64_t msg_addr;
	int flags;
	uint8_t *data;
	size_t data_len;
	uint8_t control[SYS_RIGHTS_CONTROL_MAX + SYS_RIGHTS_CONTROL_EXTRA];
	uint8_t job_control[SYS_RIGHTS_CONTROL_MAX];
	struct sockaddr_storage name;
	struct msghdr m; /* the supervisor's receive */
	struct unix_rights_rx rx;
	int job_fds[UNIX_RIGHTS_FDS_MAX];
	bool job_cred;	/* the job had SO_PASSCRED on itself */
	bool unix_sock; /* AF_UNIX: senders to judge */
};

/* Close every fd the supervisor received, the pidfd included. */
static void sys_rights_close_all(struct sys_rights_rx *r)
{
	size_t i;

	for (i = 0; i < r->rx.n_fds; i++)
		if (r->rx.fds[i] >= 0)
			close(r->rx.fds[i]);
	r->rx.n_fds = 0;
	if (r->rx.has_pidfd && r->rx.pidfd >= 0)
		close(r->rx.pidfd);
	r->rx.has_pidfd = false;
}

/* Copy the job's msghdr and iovecs. Return: 0 or -errno. */
static int sys_rights_read_msghdr(struct sentry *s, struct sentry_call *c,
				  struct sys_rights_rx *r)
{
	size_t i, want = 0;

	if (platform_read_mem(s->plat, &c->pc, r->msg_addr, &r->jm,
			      sizeof(r->jm)) != sizeof(r->jm))
		return -EFAULT;
	if (r->jm.msg_iovlen > SYS_RIGHTS_IOV)
		return -EMSGSIZE;
	if (r->jm.msg_iovlen &&
	    platform_read_mem(s->plat, &c->pc, (uintptr_t)r->jm.msg_iov,
			      r->jiov, r->jm.msg_iovlen * sizeof(r->jiov[0])) !=
		    (ssize_t)(r->jm.msg_iovlen * sizeof(r->jiov[0])))
		return -EFAULT;
	for (i = 0; i < r->jm.msg_iovlen; i++)
		want += r->jiov[i].iov_len < SYS_RIGHTS_DATA_MAX
				? r->jiov[i].iov_len
				: SYS_RIGHTS_DATA_MAX;
	r->data_len = want < SYS_RIGHTS_DATA_MAX ? want : SYS_RIGHTS_DATA_MAX;
	r->data = malloc(r->data_len ? r->data_len : 1);
	if (!r->data)
		return -ENOMEM;
	/* The call must still be the one whose memory we read. */
	return platform_call_valid(s->plat, &c->pc);
}

/*
 * Turn option @opt on for the receive unless the job had it; *@had says
 * whether it had. Return: 1 turned on (to turn off after), 0 left as it
 * was, or -errno (ENOPROTOOPT: this kernel has no such option).
 */
static int sys_rights_opt_on(int fd, int opt, bool *had)
{
	int v = 0, one = 1;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) < 0)
		return -errno;
	*had = v != 0;
	if (v)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, opt, &one, sizeof(one)) < 0)
		return -errno;
	return 1;
}

static void sys_rights_opt_off(int fd, int opt)
{
	int zero = 0;

	setsockopt(fd, SOL_SOCKET, opt, &zero, sizeof(zero));
}

/* Step 2: the receive itself. Return: bytes, or -errno. */
static ssize_t sys_rights_recv(int fd, struct sys_rights_rx *r)
{
	struct iovec iov = {r->data, r->data_len};
	int cred, e;
	size_t cap = r->jm.msg_controllen < SYS_RIGHTS_CONTROL_MAX
			     ? r->jm.msg_controllen
			     : SYS_RIGHTS_CONTROL_MAX;
	ssize_t n;

	r->m = (struct msghdr){.msg_name = &r->name,
			       .msg_namelen = sizeof(r->name),
			       .msg_iov = &iov,
			       .msg_iovlen = 1,
			       .msg_control = r->control,
			       .msg_controllen =
				       cap + SYS_RIGHTS_CONTROL_EXTRA};
	cred = r->unix_sock ? sys_rights_opt_on(fd, SO_PASSCRED, &r->job_cred)
			    : 0;
	if (cred < 0)
		return cred; /* no sender: refuse (fail closed) */
	/* MSG_CMSG_CLOEXEC: the fds are the supervisor's until judged. */
	n = FAULT_PERFORM(recvmsg(fd, &r->m,
				  (r->flags & ~MSG_WAITALL) | MSG_DONTWAIT |
					  MSG_CMSG_CLOEXEC));
	e = errno;
	if (cred > 0)
		sys_rights_opt_off(fd, SO_PASSCRED);
	return n < 0 ? -e : n;
}

/* Step 3: did the supervisor send it, for the job? */
static bool sys_rights_sender_member(const struct unix_rights_rx *rx)
{
	return rx->has_cred && rx->pid == getpid();
}

/*
 * Step 3: install the fds that may go in, and write the job's control data.
 * Return: the job's msg_controllen, or -errno (ENOENT: the caller is gone).
 */
static ssize_t sys_rights_control(struct sentry *s, struct sentry_call *c,
				  struct sys_rights_rx *r, bool member,
				  int *msg_flags)
{
	struct unix_rights_out o = {.fds = r->rx.fds,
				    .n_fds = member ? r->rx.n_fds : 0,
				    .refused = !member && r->rx.n_fds,
				    .keep_cred = r->job_cred,
				    .pidfd = UNIX_RIGHTS_DROP};
	size_t cap = r->jm.msg_controllen < SYS_RIGHTS_CONTROL_MAX
			     ? r->jm.msg_controllen
			     : SYS_RIGHTS_CONTROL_MAX;
	bool cloexec = r->flags & MSG_CMSG_CLOEXEC;
	size_t n_fit = 0, i, used;
	int scratch = 0;

	unix_rights_build(r->control, r->m.msg_controllen, &o, r->job_control,
			  cap, &n_fit, &scratch);
	/* Sockets the job receives are the supervisor's to use later too. */
	sys_sock_own_received(s, r->rx.fds, n_fit);
	for (i = 0; i < n_fit; i++) {
		int remote =
			platform_add_fd(s->plat, &c->pc, r->rx.fds[i], cloexec);

		if (remote == -ENOENT)
			return remote;
		if (remote < 0) {
			/* EMFILE: as the kernel, what fits and MSG_CTRUNC. */
			o.refused = true;
			break;
		}
		r->job_fds[i] = remote;
	}
	o.fds = r->job_fds;
	o.n_fds = i;
	used = unix_rights_build(r->control, r->m.msg_controllen, &o,
				 r->job_control, cap, &n_fit, msg_flags);
	if (n_fit < i || (r->rx.n_fds > i && member))
		*msg_flags |= MSG_CTRUNC;
	return (ssize_t)used;
}

/* Step 3: data, source address, control data, lengths and flags. */
static int sys_rights_write_back(struct sentry *s, struct sentry_call *c,
				 const struct sys_rights_rx *r, size_t n,
				 size_t ctl_len, int msg_flags)
{
	struct platform_mem_seg seg[SYS_RIGHTS_IOV + 4];
	size_t i, done = 0, n_seg = 0, total = 0;
	socklen_t namelen = r->m.msg_namelen;
	size_t ctl = ctl_len;
	ssize_t w;

	/* MSG_TRUNC: a datagram's real length may pass what we hold. */
	if (n > r->data_len)
		n = r->data_len;
	for (i = 0; i < r->jm.msg_iovlen && done < n; i++) {
		size_t part = r->jiov[i].iov_len;

		if (part > n - done)
			part = n - done;
		if (part)
			seg[n_seg++] = (struct platform_mem_seg){
				(uintptr_t)r->jiov[i].iov_base, r->data + done,
				part};
		done += part;
	}
	if (r->jm.msg_name && namelen)
		seg[n_seg++] = (struct platform_mem_seg){
			(uintptr_t)r->jm.msg_name, &r->name,
			namelen < r->jm.msg_namelen ? namelen
						    : r->jm.msg_namelen};
	if (ctl)
		seg[n_seg++] = (struct platform_mem_seg){
			(uintptr_t)r->jm.msg_control, r->job_control, ctl};
	for (i = 0; i < n_seg; i++)
		total += seg[i].len;
	w = platform_write_memv(s->plat, &c->pc, seg, n_seg);
	if (w < (ssize_t)total)
		return -EFAULT;
	seg[0] = (struct platform_mem_seg){
		r->msg_addr + offsetof(struct msghdr, msg_namelen), &namelen,
		sizeof(namelen)};
	seg[1] = (struct platform_mem_seg){
		r->msg_addr + offsetof(struct msghdr, msg_controllen), &ctl,
		sizeof(ctl)};
	seg[2] = (struct platform_mem_seg){
		r->msg_addr + offsetof(struct msghdr, msg_flags), &msg_flags,
		sizeof(msg_flags)};
	w = platform_write_memv(s->plat, &c->pc, seg, 3);
	return w < (ssize_t)(sizeof(namelen) + sizeof(ctl) + sizeof(msg_flags))
		       ? -EFAULT
		       : 0;
}

/*
 * A blocking socket with nothing queued: wait (bounded by SO_RCVTIMEO, ended
 * by a signal, as natively), then run the call again from the start.
 * Return: true when the call was deferred (the table owns *@fd now).
 */
static bool sys_rights_pend(struct sentry *s, struct sentry_call *c, int *fd,
			    int flags)
{
	struct deferred_req p = {
		.kind = DEFERRED_RECV, .fd = *fd, .timeout_err = EAGAIN};
	int fl = fcntl(*fd, F_GETFL);

	if ((flags & MSG_DONTWAIT) || fl < 0 || (fl & O_NONBLOCK))
		return false;
	verdict_allow(&c->v, 0, "receive performed by the supervisor (waits)");
	if (deferred_add(s, c, &p) < 0)
		return false;
	*fd = -1;
	return true;
}

/* Steps 1-4 for one message; the verdict says how it went. */
static void sys_rights_run(struct sentry *s, struct sentry_call *c, int *fd,
			   struct sys_rights_rx *r)
{
	int msg_flags, rc;
	ssize_t n, ctl;
	bool member;

	rc = sys_rights_read_msghdr(s, c, r);
	if (rc == -EFAULT) {
		verdict_unreadable(&c->v, "recvmsg msghdr");
		return;
	}
	if (rc < 0) {
		verdict_invalid(&c->v, -rc, "recvmsg msghdr");
		return;
	}
	n = sys_rights_recv(*fd, r);
	if (n == -EAGAIN && sys_rights_pend(s, c, fd, r->flags))
		return;
	if (n < 0) {
		verdict_allow(&c->v, n, "receive on a unix socket (performed)");
		return;
	}
	rc = unix_rights_parse(r->control, r->m.msg_controllen, &r->rx);
	if (rc < 0) {
		sys_rights_close_all(r);
		verdict_fail(&c->v, rc, false);
		return;
	}
	member = !r->rx.n_fds || sys_rights_sender_member(&r->rx);
	msg_flags = r->m.msg_flags;
	ctl = sys_rights_control(s, c, r, member, &msg_flags);
	sys_rights_close_all(r);
	if (ctl < 0) {
		verdict_fail(&c->v, (int)ctl, false);
		return;
	}
	rc = sys_rights_write_back(s, c, r, (size_t)n, (size_t)ctl, msg_flags);
	if (rc < 0) {
		verdict_invalid(&c->v, -rc, "recvmsg buffers not writable");
		return;
	}
	if (member) {
		verdict_allow(&c->v, n,
			      "receive on a unix socket (fds only "
			      "from the job's own processes)");
		return;
	}
	verdict_deny(&c->v, EPERM, VERDICT_CAT_RULE,
		     "fds sent from outside the job: closed, not installed "
		     "(MSG_CTRUNC)");
	verdict_result(&c->v, n);
}

void sys_rights_recvmsg(struct sentry *s, struct sentry_call *c, int *fd,
			uint64_t msg_addr, int flags, bool mmsg)
{
	struct sys_rights_rx *r = calloc(1, sizeof(*r));
	int dom = 0;
	socklen_t l = sizeof(dom);

	if (!r || getsockopt(*fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0) {
		free(r);
		verdict_fail(&c->v, -ENOMEM, false);
		return;
	}
	r->unix_sock = dom == AF_UNIX;
	snprintf(c->detail, sizeof(c->detail), "fd=%d%s", (int)c->pc.args[0],
		 r->unix_sock ? " unix" : "");
	r->msg_addr = msg_addr;
	r->flags = flags;
	sys_rights_run(s, c, fd, r);
	if (mmsg && !c->v.answered &&
	    c->v.answer.kind == PLATFORM_ANSWER_VALUE) {
		unsigned int len = (unsigned int)c->v.answer.value;

		/* One message per call: a short count, as recvmmsg allows. */
		if (platform_write_mem(
			    s->plat, &c->pc,
			    msg_addr + offsetof(struct mmsghdr, msg_len), &len,
			    sizeof(len)) != sizeof(len))
			verdict_invalid(&c->v, EFAULT, "recvmmsg msg_len");
		else
			verdict_result(&c->v, 1);
	}
	free(r->data);
	free(r);
}

void sys_rights_inherited(struct sentry *s, const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int dom = 0;
		socklen_t l = sizeof(dom);

		/* It leads to whatever started cordon: guard from the start. */
		if (getsockopt(fds[i], SOL_SOCKET, SO_DOMAIN, &dom, &l) == 0 &&
		    dom == AF_UNIX)
			unix_rights_guard_on(&s->net);
	}
}

int sys_rights_sign(void **control, size_t *len)
{
	struct ucred me = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
	struct msghdr tmp = {.msg_control = *control, .msg_controllen = *len};
	struct cmsghdr *cm;
	size_t at = CMSG_ALIGN(*len);
	uint8_t *grown;
	bool rights = false;

	if (!*control)
		return 0;
	for (cm = CMSG_FIRSTHDR(&tmp); cm; cm = CMSG_NXTHDR(&tmp, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			rights = true;
	if (!rights)
		return 0;
	grown = realloc(*control, at + CMSG_SPACE(sizeof(me)));
	if (!grown)
		return -ENOMEM;
	memset(grown + *len, 0, at + CMSG_SPACE(sizeof(me)) - *len);
	cm = (struct cmsghdr *)(void *)(grown + at);
	cm->cmsg_len = CMSG_LEN(sizeof(me));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	memcpy(CMSG_DATA(cm), &me, sizeof(me));
	*control = grown;
	*len = at + CMSG_SPACE(sizeof(me));
	return 0;
}

int sys_socketpair(struct sentry *s, struct sentry_call *c)
{
	/*
	 * A unix socketpair is connected without a connect() we see; an end
	 * of it can be autobound (SO_PASSCRED, then a send) and so reached
	 * from outside. The guard goes on before the pair exists. Nothing of
	 * the job's memory is read: the call itself may run in the kernel.
	 */
	if ((int)c->pc.args[0] == AF_UNIX)
		unix_rights_guard_on(&s->net);
	if (sys_sock_birth(s))
		return sys_sock_socketpair(s, c);
	snprintf(c->detail, sizeof(c->detail), "domain=%d", (int)c->pc.args[0]);
	verdict_continue(&c->v, "socketpair (unix receives guarded from now)");
	return 0;
}
