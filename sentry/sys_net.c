/* SPDX-License-Identifier: MIT */
/*
 * sys_net.c - handlers for the socket family: connect, sendto, sendmsg,
 * sendmmsg, bind, listen, and the receives of redirected sockets.
 *
 * Theory of operation
 * -------------------
 * Each handler has one shape (gVisor's Connect): decode the registers, copy
 * the argument in once, take the job's socket object, ask netstack for a
 * plan (perform / redirect / deny, with the zone's decision: net_plan.c),
 * perform it on that object, answer. A call whose decision depends on job
 * memory (a sockaddr, a msghdr) is never answered with CONTINUE
 * (shared/DESIGN.md invariant 2): a thread that rewrites the sockaddr, or
 * dup2()s another socket over the fd number, changes nothing, since the
 * object (pidfd_getfd) and the bytes were fixed before the decision. Taking
 * the fd confirms the call is still pending, which covers the copy before
 * it. Where pidfd_getfd is refused (a container's default seccomp profile)
 * the object is the supervisor's own copy of a socket it created for the
 * job (owned from birth, sys_sock.c): the fd number is resolved through the
 * kernel (/proc/TID/fd/N, then ID_VALID); a socket cordon holds no copy of
 * is refused (verdict_take_fail()).
 *
 * socket() never comes here: the filter decides it on its registers
 * (SYSCALL_RULE_SOCKET_KINDS, filter.c), or sys_sock.c performs it.
 *
 * The supervisor must never block: a blocking connect is started with
 * O_NONBLOCK set for the duration of the call on the shared file description
 * (on an unconnected TCP socket no other operation can observe it), and the
 * call is left pending until the socket is writable (sentry_pend()); a send
 * that meets a full buffer on a blocking socket is retried the same way.
 *
 * Every denial fails with NETSTACK_DENY_ERRNO (EACCES), one stderr line and
 * an audit record naming the zone and the rule (sentry_verdict()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define SYS_NET_ADDR_MAX 128 /* sizeof(struct sockaddr_storage) */
#define SYS_NET_CONTROL_MAX 4096
#define SYS_NET_MMSG_MAX 64

/*
 * The answer of a call the supervisor performed (its verdict was given
 * before): an errno or a value. A result without an allowing verdict
 * first is recorded as performed.
 */
static void sys_net_errno(struct sentry_call *c, int err)
{
	if (c->v.kind == VERDICT_NONE || c->v.kind == VERDICT_CONTINUE)
		verdict_allow(&c->v, 0, "performed by the supervisor");
	verdict_result(&c->v, -(int64_t)err);
}

static void sys_net_value(struct sentry_call *c, int64_t v)
{
	if (c->v.kind == VERDICT_NONE || c->v.kind == VERDICT_CONTINUE)
		verdict_allow(&c->v, 0, "performed by the supervisor");
	verdict_result(&c->v, v);
}

static void sys_net_deny(struct sentry_call *c, int err, const char *rule)
{
	verdict_deny(&c->v, err, VERDICT_CAT_RULE, rule);
}

/*
 * A malformed request (bad pointer, bad length, not a socket): the kernel
 * would have refused it too; answer as it would, allowed in the sense that
 * no policy was involved.
 */
static int sys_net_invalid(struct sentry_call *c, int err, const char *why)
{
	verdict_invalid(&c->v, err, why);
	return 0;
}

/*
 * An argument that cannot be read from the job (unmapped, or the process
 * is non-dumpable): refused, and a denial, since natively it might work.
 */
static int sys_net_unreadable(struct sentry_call *c, const char *what)
{
	verdict_unreadable(&c->v, what);
	return 0;
}

/* sys_net_take(): the fd was taken, and it is no socket. */
#define SYS_NET_NOT_SOCKET (-ENOTSOCK)

/*
 * Take the job's socket @remote into @k. @stream_cookie: read SO_COOKIE of
 * a stream socket too; a connect does without (netstack reads it where a
 * plan needs it: a redirect), one syscall less on the hottest call.
 * Return: 0; SYS_NET_NOT_SOCKET; or what platform_take_fd() failed with
 * (-ENOENT: the caller is gone).
 */
/*
 * The object behind the job's fd @remote into @k->fd, nothing asked of it
 * yet. Return: 0; SYS_NET_NOT_SOCKET (sockets owned from birth: not one of
 * cordon's); or what platform_take_fd() failed with.
 */
static int sys_net_take_fd(struct sentry *s, struct sentry_call *c, int remote,
			   struct netstack_sockinfo *k)
{
	k->job_fd = remote;
	k->cookie = 0;
	k->fd = platform_take_fd(s->plat, &c->pc, remote);
	/* No pidfd_getfd: the supervisor's own copy (sys_sock.c). */
	if (k->fd == -EOPNOTSUPP && sys_sock_birth(s)) {
		k->fd = sys_sock_take(s, c, remote);
		if (k->fd == -ENOTSOCK)
			return SYS_NET_NOT_SOCKET;
	}
	return k->fd < 0 ? k->fd : 0;
}

static int sys_net_take(struct sentry *s, struct sentry_call *c, int remote,
			struct netstack_sockinfo *k, bool stream_cookie)
{
	socklen_t l = sizeof(int), cl = sizeof(k->cookie);
	int rc = sys_net_take_fd(s, c, remote, k);

	if (rc < 0)
		return rc;
	if (getsockopt(k->fd, SOL_SOCKET, SO_DOMAIN, &k->domain, &l) < 0 ||
	    getsockopt(k->fd, SOL_SOCKET, SO_TYPE, &k->type, &l) < 0) {
		close(k->fd);
		k->fd = -1;
		return SYS_NET_NOT_SOCKET;
	}
	/* SO_COOKIE (4.12): without it nothing is recorded (fails closed). */
	if ((stream_cookie || k->type != SOCK_STREAM) &&
	    getsockopt(k->fd, SOL_SOCKET, SO_COOKIE, &k->cookie, &cl) < 0)
		k->cookie = 0;
	k->proto = k->type == SOCK_STREAM ? POLICY_PROTO_TCP : POLICY_PROTO_UDP;
	return 0;
}

static void sys_net_put(struct netstack_sockinfo *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

/*
 * Answer a failed sys_net_take() (@rc): not a socket as the kernel would,
 * anything else through the one mapping of a failed take. Return: what the
 * handler returns (-ENOENT: the caller is gone, no verdict).
 */
static int sys_net_take_failed(struct sentry_call *c, int rc)
{
	if (rc == -ENOENT)
		return rc;
	if (rc == SYS_NET_NOT_SOCKET)
		return sys_net_invalid(c, ENOTSOCK, "not a socket");
	verdict_take_fail(&c->v, rc, NETSTACK_DENY_ERRNO, "socket");
	return 0;
}

/* Copy @len bytes at @addr, without confirming the caller. */
static int sys_net_read(struct sentry *s, struct sentry_call *c, uint64_t addr,
			void *buf, size_t len)
{
	ssize_t n;

	if (!len)
		return 0;
	n = platform_read_mem(s->plat, &c->pc, addr, buf, len);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/*
 * The start of every call that sends or binds: copy @len bytes at job
 * address @addr (an address, a msghdr), then take the socket in argument
 * 0 into @k. The take confirms the call is still pending, so the caller's
 * tid never changed hands, which covers the copy before it: one check, not
 * two. @what names the copy in a refusal.
 * Return: true to go on (@k->fd is the caller's to close); false with the
 * call's verdict stated (EFAULT, EBADF, ENOTSOCK, a denial when the socket
 * cannot be taken), or with *@gone set when the caller is gone (the handler
 * returns -ENOENT: nothing to answer).
 */
static bool sys_net_begin(struct sentry *s, struct sentry_call *c,
			  uint64_t addr, void *buf, size_t len,
			  const char *what, struct netstack_sockinfo *k,
			  bool stream_cookie, bool *gone)
{
	int rc;

	*gone = false;
	k->fd = -1;
	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	if (sys_net_read(s, c, addr, buf, len) < 0) {
		sys_net_unreadable(c, what);
		return false;
	}
	rc = sys_net_take(s, c, (int)c->pc.args[0], k, stream_cookie);
	if (rc < 0) {
		*gone = sys_net_take_failed(c, rc) == -ENOENT;
		return false;
	}
	return true;
}

/* Copy @len bytes at @addr, then confirm the call is still the caller's. */
static int sys_net_copy(struct sentry *s, struct sentry_call *c, uint64_t addr,
			void *buf, size_t len)
{
	int rc = sys_net_read(s, c, addr, buf, len);

	return rc < 0 || !len ? rc : platform_call_valid(s->plat, &c->pc);
}

/*
 * The job's working directory, when the @len bytes at @p are a relative
 * unix path (netstack resolves it against that); else NULL.
 */
static const char *sys_net_cwd(struct sentry_call *c, const uint8_t *p,
			       size_t len, char *buf, size_t cap)
{
	char link[64];
	ssize_t n;
	int fd;

	if (!sockaddr_needs_cwd(p, len))
		return NULL;
	fd = procfs_cwd_open(c->pc.tid);
	if (fd < 0)
		return NULL;
	/* The job's cwd as a path: that of our fd of it. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, cap - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/*
 * The verdict of @c from netstack's plan @p; true when the call is to be
 * performed. A service the plan started is polled from now on.
 */
static bool sys_net_verdict(struct sentry *s, struct sentry_call *c,
			    const struct netstack_plan *p)
{
	if (p->detail[0])
		snprintf(c->detail, sizeof(c->detail), "%s", p->detail);
	if (p->has_dest)
		verdict_dest(&c->v, &p->dest, p->proto);
	if (p->service_started && sentry_service_watch(s, p->via) < 0) {
		verdict_deny(&c->v, ENOBUFS, VERDICT_CAT_INTERNAL,
			     "service cannot be polled (fail closed)");
		return false;
	}
	if (p->has_decision)
		verdict_decision(&c->v, &p->d, NETSTACK_DENY_ERRNO);
	switch (p->kind) {
	case NETSTACK_PLAN_PERFORM:
	case NETSTACK_PLAN_REDIRECT:
		if (!p->has_decision)
			verdict_allow(&c->v, 0, p->why);
		else if (p->narrowed)
			c->v.rule = p->why; /* the zone's rule stays recorded */
		if (p->service_due)
			s->dns_due = true; /* the receiver lets it run next */
		return true;
	case NETSTACK_PLAN_DENY:
		if (p->why || !p->has_decision)
			verdict_deny(&c->v, p->err, VERDICT_CAT_RULE,
				     p->why ? p->why : "denied");
		return false;
	case NETSTACK_PLAN_INVALID:
		verdict_invalid(&c->v, p->err, p->why);
		return false;
	case NETSTACK_PLAN_DROP:
		/* Performed as "sent, dropped": the data is still copied. */
		verdict_allow(&c->v, 0, p->why);
		return true;
	case NETSTACK_PLAN_REFUSED:
		verdict_allow(&c->v, -(int64_t)p->err, p->why);
		return false;
	case NETSTACK_PLAN_FAIL:
		break;
	}
	verdict_deny(&c->v, p->err ? p->err : EPERM, VERDICT_CAT_INTERNAL,
		     p->why ? p->why : "internal error (fail closed)");
	return false;
}

/*
 * Defer @c (its verdict stated) until @k's socket is ready: the table takes
 * @k->fd and @p's buffers. A full table refuses the call (fail closed, a
 * recorded denial); the buffers are then the caller's to free.
 */
static int sys_net_defer(struct sentry *s, struct sentry_call *c,
			 struct netstack_sockinfo *k, struct deferred_req *p)
{
	int rc = deferred_add(s, c, p);

	if (rc >= 0) {
		k->fd = -1; /* the deferred call's now */
		return 0;
	}
	if (rc == -EAGAIN)
		verdict_deny(&c->v, DEFERRED_FULL_ERRNO, VERDICT_CAT_INTERNAL,
			     "deferred-call table full (fail closed)");
	else
		verdict_fail(&c->v, rc, false);
	return 0;
}

/*
 * connect() on the supervisor's duplicate, with the judged address (for a
 * unix path: the pinned inode through /proc/self/fd).
 */
static int sys_net_do_connect(struct sentry *s, struct sentry_call *c,
			      struct netstack_sockinfo *k,
			      const struct netstack_plan *plan)
{
	const uint8_t *addr = plan->addr;
	size_t len = plan->addr_len;
	int flags = 0, r, err;
	bool toggled = false;

	/*
	 * A TCP connect waits for the handshake; a unix stream or seqpacket
	 * connect waits while the listener's backlog is full
	 * (unix_stream_connect(), unix_wait_for_peer()) - for ever when the
	 * job never accepts, which wedged the supervisor and with it the
	 * job's limits. Non-blocking, a full backlog is EAGAIN, answered as
	 * is: the kernel's answer when the socket's SO_SNDTIMEO passes.
	 */
	if (k->type == SOCK_STREAM ||
	    (k->domain == AF_UNIX && k->type == SOCK_SEQPACKET)) {
		flags = fcntl(k->fd, F_GETFL);
		if (flags < 0)
			return -errno;
		if (!(flags & O_NONBLOCK)) {
			if (fcntl(k->fd, F_SETFL, flags | O_NONBLOCK) < 0)
				return -errno;
			toggled = true;
		}
	}
	r = FAULT_PERFORM(
		connect(k->fd, (const struct sockaddr *)addr, (socklen_t)len));
	err = errno;
	if (r < 0 && toggled && err == EINPROGRESS) {
		/*
		 * Loopback and local connects are done by now. Asking again
		 * (still non-blocking) finishes the socket's state as a
		 * blocking connect would have: 0 once established, the
		 * connection's error (ECONNREFUSED, ...) once failed, EALREADY
		 * while the handshake is on (__inet_stream_connect(),
		 * SS_CONNECTING): one call instead of poll + SO_ERROR +
		 * connect.
		 */
		r = connect(k->fd, (const struct sockaddr *)addr,
			    (socklen_t)len);
		err = r < 0 && errno == EALREADY ? EINPROGRESS : errno;
	}
	if (toggled)
		fcntl(k->fd, F_SETFL, flags);
	/* A connect binds the socket's port: ask the kernel which. */
	netstack_performed(&s->net, k, plan,
			   r == 0 || err == EINPROGRESS || err == EALREADY,
			   NETSTACK_DID_SEND);
	if (r == 0) {
		sys_net_value(c, 0);
		return 0;
	}
	/*
	 * EALREADY: a connect repeated on a connecting socket (the job's own
	 * non-blocking one, or this call restarted after a signal): natively
	 * a blocking one waits on for the same handshake, and its timeout
	 * gives EALREADY, not EINPROGRESS.
	 */
	if (toggled && (err == EINPROGRESS || err == EALREADY)) {
		struct deferred_req p = {.kind = DEFERRED_CONNECT,
					 .fd = k->fd,
					 .timeout_err = err};

		/* Kept to complete the socket's state once connected. */
		if (len <= sizeof(p.name)) {
			memcpy(p.name, addr, len);
			p.msg.msg_namelen = (socklen_t)len;
		}
		return sys_net_defer(s, c, k, &p);
	}
	sys_net_errno(c, err);
	return 0;
}

int sys_connect(struct sentry *s, struct sentry_call *c)
{
	uint8_t addr[SYS_NET_ADDR_MAX];
	size_t len = (size_t)c->pc.args[2];
	struct netstack_sockinfo k = {.fd = -1};
	bool gone;
	struct netstack_plan plan;
	char cwd[PATH_MAX];
	int rc = 0;

	/* Decode; copy the address in once; take the socket. */
	if (len > sizeof(addr) || len < sizeof(sa_family_t))
		return sys_net_invalid(c, EINVAL, "bad address length");
	if (!sys_net_begin(s, c, c->pc.args[1], addr, len,
			   "address not readable", &k, false, &gone))
		return gone ? -ENOENT : 0;
	/* Ask netstack; perform the plan; answer. */
	netstack_plan_send(&s->net, &k, addr, len, SOCKADDR_CONNECT, false,
			   sys_net_cwd(c, addr, len, cwd, sizeof(cwd)), &plan);
	if (sys_net_verdict(s, c, &plan))
		rc = sys_net_do_connect(s, c, &k, &plan);
	netstack_plan_done(&plan);
	sys_net_put(&k);
	return rc < 0 ? rc : 0;
}

/*
 * Send @msg on the supervisor's duplicate; a blocking socket that meets a
 * full buffer becomes a pending call retried when writable. Takes ownership
 * of @data and @control.
 */
static int sys_net_send(struct sentry *s, struct sentry_call *c,
			struct netstack_sockinfo *k, struct deferred_req *p)
{
	int flags = fcntl(k->fd, F_GETFL);
	ssize_t n;

	p->msg.msg_iov = &p->iov;
	p->msg.msg_iovlen = 1;
	if (p->msg.msg_namelen)
		p->msg.msg_name = p->name;
	if (k->domain == AF_UNIX && p->control &&
	    sys_rights_sign(&p->control, &p->msg.msg_controllen) < 0) {
		n = -1;
		errno = ENOBUFS;
		goto out_answer;
	}
	p->msg.msg_control = p->control;
	n = FAULT_PERFORM(sendmsg(k->fd, &p->msg,
				  p->flags | MSG_DONTWAIT | MSG_NOSIGNAL));
	/* A send binds an unbound socket's port: ask the kernel which. */
	netstack_performed(&s->net, k, NULL, n >= 0 || errno == EAGAIN,
			   NETSTACK_DID_SEND);
	if (n < 0 && errno == EINPROGRESS && (p->flags & MSG_FASTOPEN) &&
	    flags >= 0 && !(flags & O_NONBLOCK) && !(p->flags & MSG_DONTWAIT)) {
		/*
		 * A blocking TCP Fast Open that could not put the data in the
		 * SYN: wait for the connection, as the kernel would, then send
		 * the data on it (the destination was judged already).
		 */
		p->after_connect = true;
		p->flags &= ~MSG_FASTOPEN;
		p->msg.msg_name = NULL;
		p->msg.msg_namelen = 0;
		errno = EAGAIN;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && flags >= 0 &&
	    !(flags & O_NONBLOCK) && !(p->flags & MSG_DONTWAIT)) {
		p->kind = DEFERRED_SEND;
		p->fd = k->fd;
		p->timeout_err = EAGAIN;
		sys_net_defer(s, c, k, p);
		if (c->v.deferred)
			return 0;
		sys_net_close_rights(p->control, p->msg.msg_controllen);
		free(p->data);
		free(p->control);
		p->data = p->control = NULL;
		return 0;
	}
out_answer:
	if (n < 0) {
		/* SIGPIPE is the job's to get: raise nothing, return EPIPE. */
		sys_net_errno(c, errno);
	} else {
		sys_net_value(c, n);
	}
	/*
	 * The kernel holds its own references to what was sent: ours must
	 * go, or a passed pipe end never reaches EOF for the job.
	 */
	sys_net_close_rights(p->control, p->msg.msg_controllen);
	free(p->data);
	free(p->control);
	p->data = p->control = NULL;
	return 0;
}

/*
 * The egress quota (netstack.h): a datagram the supervisor sends for the
 * job out of an INET socket draws its length from it, except one to
 * cordon's DNS proxy (the zone's dns rules govern what that forwards).
 * Spent: refused with EDQUOT, the limit named; under egress-overflow kill
 * the loop kills the tree. TCP is counted where it leaves, in the relay.
 * Return: true to send.
 */
static bool sys_net_quota(struct sentry *s, struct sentry_call *c,
			  const struct netstack_sockinfo *k,
			  const struct netstack_plan *plan, size_t len)
{
	struct netstack_quota *q = &s->net.quota;
	uint64_t one = 1;

	if (!q->limit || k->type != SOCK_DGRAM ||
	    (k->domain != AF_INET && k->domain != AF_INET6) ||
	    plan->kind == NETSTACK_PLAN_REDIRECT ||
	    plan->kind == NETSTACK_PLAN_DROP || netstack_quota_take_all(q, len))
		return true;
	netstack_quota_refuse(q);
	verdict_deny(&c->v, EDQUOT, VERDICT_CAT_LIMIT, q->rule);
	if (q->kill && s->rx_wake >= 0 &&
	    write(s->rx_wake, &one, sizeof(one)) < 0) {
		/* Full: the loop is awake already. */
	}
	return false;
}

/*
 * Copy the @len bytes of data at job address @buf into @p and send them
 * as @plan says. Return: as a handler.
 */
static int sys_net_send_data(struct sentry *s, struct sentry_call *c,
			     struct netstack_sockinfo *k,
			     const struct netstack_plan *plan,
			     struct deferred_req *p, uint64_t buf, size_t len)
{
	int rc;

	if (len > SENTRY_SEND_MAX)
		len = k->type == SOCK_STREAM ? SENTRY_SEND_MAX : len;
	if (len > SENTRY_SEND_MAX) {
		sys_net_errno(c, EMSGSIZE);
		return 0;
	}
	p->data = malloc(len ? len : 1);
	if (!p->data)
		return -ENOMEM;
	rc = sys_net_copy(s, c, buf, p->data, len);
	if (rc < 0) {
		free(p->data);
		p->data = NULL;
		/*
		 * ENOENT: the caller is gone, but the verdict already says
		 * allow (with a value of 0): never let that stand as an
		 * answer, fail closed instead.
		 */
		return rc == -ENOENT
			       ? rc
			       : sys_net_unreadable(c, "data not readable");
	}
	p->iov.iov_base = p->data;
	p->iov.iov_len = len;
	if (plan->kind == NETSTACK_PLAN_DROP) {
		free(p->data);
		p->data = NULL;
		sys_net_value(c, (int64_t)len);
		return 0;
	}
	if (!sys_net_quota(s, c, k, plan, len)) {
		free(p->data);
		p->data = NULL;
		return 0;
	}
	memcpy(p->name, plan->addr, plan->addr_len);
	p->msg.msg_namelen = (socklen_t)plan->addr_len;
	/* A pinned unix path must be sent to now: it dies with the pin. */
	if (plan->pin >= 0)
		p->flags |= MSG_DONTWAIT;
	return sys_net_send(s, c, k, p);
}

int sys_sendto(struct sentry *s, struct sentry_call *c)
{
	size_t alen = (size_t)c->pc.args[5];
	struct deferred_req p = {.flags = (int)c->pc.args[3]};
	struct netstack_sockinfo k = {.fd = -1};
	bool gone;
	struct netstack_plan plan;
	char cwd[PATH_MAX];
	int rc = 0;

	/* The filter notifies sendto only with a destination address. */
	if (alen > sizeof(p.name) || alen < sizeof(sa_family_t))
		return sys_net_invalid(c, EINVAL, "bad address length");
	if (!sys_net_begin(s, c, c->pc.args[4], p.name, alen,
			   "address not readable", &k, true, &gone))
		return gone ? -ENOENT : 0;
	netstack_plan_send(&s->net, &k, p.name, alen, SOCKADDR_SEND, false,
			   sys_net_cwd(c, p.name, alen, cwd, sizeof(cwd)),
			   &plan);
	if (sys_net_verdict(s, c, &plan))
		rc = sys_net_send_data(s, c, &k, &plan, &p, c->pc.args[1],
				       (size_t)c->pc.args[2]);
	netstack_plan_done(&plan);
	sys_net_put(&k);
	return rc;
}

/*
 * Copy one msghdr's contents out of the job: the name, the data of every
 * iovec gathered into one buffer (at most SENTRY_SEND_MAX bytes; a stream
 * socket then sends a short count, a datagram one gets EMSGSIZE), and the
 * control messages, with SCM_RIGHTS fds duplicated from the job.
 * Return: 0, -ENOENT (caller gone), or -errno to answer.
 */
static int sys_net_copy_msg(struct sentry *s, struct sentry_call *c,
			    const struct msghdr *jm, bool stream,
			    struct deferred_req *p)
{
	struct iovec iov[UIO_MAXIOV > 1024 ? 1024 : UIO_MAXIOV];
	size_t i, total = 0, want = 0;
	int rc;

	if (jm->msg_namelen > sizeof(p->name))
		return -EINVAL;
	if (jm->msg_iovlen > ARRAY_SIZE(iov))
		return -EMSGSIZE;
	if (jm->msg_name && jm->msg_namelen) {
		rc = sys_net_copy(s, c, (uintptr_t)jm->msg_name, p->name,
				  jm->msg_namelen);
		if (rc < 0)
			return rc;
		p->msg.msg_namelen = jm->msg_namelen;
	}
	rc = sys_net_copy(s, c, (uintptr_t)jm->msg_iov, iov,
			  jm->msg_iovlen * sizeof(iov[0]));
	if (rc < 0)
		return rc;
	for (i = 0; i < jm->msg_iovlen; i++) {
		if (iov[i].iov_len > SSIZE_MAX - want)
			return -EINVAL;
		want += iov[i].iov_len;
	}
	if (want > SENTRY_SEND_MAX && !stream)
		return -EMSGSIZE;
	p->data = malloc(want > SENTRY_SEND_MAX ? SENTRY_SEND_MAX
						: (want ? want : 1));
	if (!p->data)
		return -ENOMEM;
	for (i = 0; i < jm->msg_iovlen && total < SENTRY_SEND_MAX; i++) {
		size_t n = iov[i].iov_len;

		if (n > SENTRY_SEND_MAX - total)
			n = SENTRY_SEND_MAX - total;
		rc = sys_net_copy(s, c, (uintptr_t)iov[i].iov_base,
				  (char *)p->data + total, n);
		if (rc < 0)
			return rc;
		total += n;
	}
	p->iov.iov_base = p->data;
	p->iov.iov_len = total;
	if (jm->msg_control && jm->msg_controllen) {
		struct msghdr tmp = {0};
		struct cmsghdr *cm;

		if (jm->msg_controllen > SYS_NET_CONTROL_MAX)
			return -ENOBUFS;
		p->control = calloc(1, jm->msg_controllen);
		if (!p->control)
			return -ENOMEM;
		rc = sys_net_copy(s, c, (uintptr_t)jm->msg_control, p->control,
				  jm->msg_controllen);
		if (rc < 0)
			return rc;
		p->msg.msg_control = p->control;
		p->msg.msg_controllen = jm->msg_controllen;
		/* Job fd numbers mean nothing here: bring the objects over. */
		tmp.msg_control = p->control;
		tmp.msg_controllen = jm->msg_controllen;
		for (cm = CMSG_FIRSTHDR(&tmp); cm; cm = CMSG_NXTHDR(&tmp, cm)) {
			int *fds = (int *)CMSG_DATA(cm);
			size_t nfd, j;

			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (j = 0; j < nfd; j++) {
				int local = platform_take_fd(s->plat, &c->pc,
							     fds[j]);

				/* Sockets cordon holds, pipes (sys_sock.c 6).
				 */
				if (local == -EOPNOTSUPP && sys_sock_birth(s)) {
					local = sys_sock_take_passed(s, c,
								     fds[j]);
					if (local == -ENOTSOCK)
						local = -EOPNOTSUPP;
					/* It may land in another table. */
					if (local >= 0)
						netstack_own_spread(&s->net,
								    false);
				}

				if (local < 0) {
					for (; j > 0; j--)
						close(fds[j - 1]);
					cm->cmsg_len = CMSG_LEN(0);
					return local;
				}
				fds[j] = local;
			}
		}
	}
	return 0;
}

/*
 * Answer a failed sys_net_copy_msg() (@rc): the caller gone (-ENOENT,
 * returned), an fd passed with SCM_RIGHTS that could not be taken (a
 * denial through the one mapping), or a malformed message.
 */
static int sys_net_msg_failed(struct sentry_call *c, int rc)
{
	if (rc == -ENOENT)
		return rc;
	if (rc == -EOPNOTSUPP || rc == -EPERM || rc == -EACCES) {
		verdict_take_fail(&c->v, rc, NETSTACK_DENY_ERRNO,
				  "fd passed with SCM_RIGHTS");
		return 0;
	}
	return sys_net_invalid(c, -rc, "bad message");
}

void sys_net_close_rights(void *control, size_t len)
{
	struct msghdr tmp = {.msg_control = control, .msg_controllen = len};
	struct cmsghdr *cm;

	if (!control)
		return;
	for (cm = CMSG_FIRSTHDR(&tmp); cm; cm = CMSG_NXTHDR(&tmp, cm)) {
		int *fds = (int *)CMSG_DATA(cm);
		size_t nfd, j;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (j = 0; j < nfd; j++)
			close(fds[j]);
	}
}

/*
 * Judge and send one message; fills @c's verdict. @p is consumed.
 * Return: as a handler.
 */
static int sys_net_sendmsg_one(struct sentry *s, struct sentry_call *c,
			       struct netstack_sockinfo *k,
			       struct deferred_req *p, bool may_pend)
{
	size_t nl = p->msg.msg_namelen;
	struct netstack_plan plan;
	char cwd[PATH_MAX];
	int rc = 0;

	netstack_plan_send(&s->net, k, p->name, nl, SOCKADDR_SEND,
			   p->msg.msg_controllen != 0,
			   sys_net_cwd(c, p->name, nl, cwd, sizeof(cwd)),
			   &plan);
	if (!sys_net_verdict(s, c, &plan)) {
		sys_net_close_rights(p->control, p->msg.msg_controllen);
		free(p->data);
		free(p->control);
		netstack_plan_done(&plan);
		return 0;
	}
	if (plan.kind == NETSTACK_PLAN_DROP) {
		sys_net_close_rights(p->control, p->msg.msg_controllen);
		sys_net_value(c, (int64_t)p->iov.iov_len);
		free(p->data);
		free(p->control);
		return 0;
	}
	if (!sys_net_quota(s, c, k, &plan, p->iov.iov_len)) {
		sys_net_close_rights(p->control, p->msg.msg_controllen);
		free(p->data);
		free(p->control);
		netstack_plan_done(&plan);
		return 0;
	}
	memcpy(p->name, plan.addr, plan.addr_len);
	p->msg.msg_namelen = (socklen_t)plan.addr_len;
	if (!may_pend || plan.pin >= 0)
		p->flags |= MSG_DONTWAIT;
	rc = sys_net_send(s, c, k, p);
	netstack_plan_done(&plan);
	return rc;
}

int sys_sendmsg(struct sentry *s, struct sentry_call *c)
{
	struct deferred_req p = {.flags = (int)c->pc.args[2]};
	struct netstack_sockinfo k = {.fd = -1};
	bool gone;
	struct msghdr jm;
	int rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	if (!sys_net_begin(s, c, c->pc.args[1], &jm, sizeof(jm),
			   "msghdr not readable", &k, true, &gone))
		return gone ? -ENOENT : 0;
	rc = sys_net_copy_msg(s, c, &jm, k.type == SOCK_STREAM, &p);
	if (rc < 0) {
		sys_net_close_rights(p.control, p.msg.msg_controllen);
		free(p.data);
		free(p.control);
		close(k.fd);
		return sys_net_msg_failed(c, rc);
	}
	if (p.msg.msg_controllen)
		p.msg.msg_control = p.control;
	rc = sys_net_sendmsg_one(s, c, &k, &p, true);
	if (k.fd >= 0)
		close(k.fd);
	return rc;
}

/*
 * sendmmsg: each message judged on its own; sending stops at the first one
 * that is denied or fails, and the count sent so far is the answer (the
 * kernel's semantics: an error only when the first message fails).
 */
int sys_sendmmsg(struct sentry *s, struct sentry_call *c)
{
	struct mmsghdr jv[SYS_NET_MMSG_MAX];
	size_t vlen = (size_t)c->pc.args[2], i, sent = 0;
	struct netstack_sockinfo k = {.fd = -1};
	bool gone;
	int rc;

	if (vlen > SYS_NET_MMSG_MAX)
		vlen = SYS_NET_MMSG_MAX; /* a short count, as UIO_MAXIOV does */
	if (vlen == 0) {
		verdict_allow(&c->v, 0, "nothing to send");
		return 0;
	}
	if (!sys_net_begin(s, c, c->pc.args[1], jv, vlen * sizeof(jv[0]),
			   "mmsghdr not readable", &k, true, &gone))
		return gone ? -ENOENT : 0;
	for (i = 0; i < vlen; i++) {
		struct deferred_req p = {.flags = (int)c->pc.args[3]};
		struct sentry_call one = *c;
		unsigned int len;

		rc = sys_net_copy_msg(s, &one, &jv[i].msg_hdr,
				      k.type == SOCK_STREAM, &p);
		if (rc < 0) {
			sys_net_close_rights(p.control, p.msg.msg_controllen);
			free(p.data);
			free(p.control);
			if (rc == -ENOENT) {
				close(k.fd);
				return rc;
			}
			sys_net_msg_failed(&one, rc);
		} else {
			if (p.msg.msg_controllen)
				p.msg.msg_control = p.control;
			/*
			 * sendmmsg never waits: a full buffer ends the batch
			 * (EAGAIN when it is the first message).
			 */
			sys_net_sendmsg_one(s, &one, &k, &p, false);
		}
		/* The verdict recorded is the first denial, else the last. */
		memcpy(c->detail, one.detail, sizeof(c->detail));
		c->v = one.v;
		if (one.v.rule == one.v.rule_buf)
			c->v.rule = c->v.rule_buf;
		if (one.v.answer.kind != PLATFORM_ANSWER_VALUE)
			break;
		len = (unsigned int)one.v.answer.value;
		platform_write_mem(s->plat, &c->pc,
				   c->pc.args[1] + i * sizeof(jv[0]) +
					   offsetof(struct mmsghdr, msg_len),
				   &len, sizeof(len));
		sent++;
	}
	close(k.fd);
	if (sent > 0)
		sys_net_value(c, (int64_t)sent);
	return 0;
}

/*
 * A wildcard listen narrowed to loopback peers (netstack_narrow()): the
 * socket is bound to the loopback device before it is bound or listens, so
 * no packet from outside ever finds it. Not a denial: an audit event.
 * Return: true to go on; false with the call refused (fail closed).
 */
static bool sys_net_narrow(struct sentry *s, struct sentry_call *c,
			   const struct netstack_sockinfo *k,
			   const struct netstack_plan *plan)
{
	struct jsonw w;
	int rc;

	if (!plan->narrowed)
		return true;
	rc = plan->bind_device ? netstack_narrow(&s->net, k) : 0;
	if (rc < 0) {
		verdict_deny(
			&c->v, NETSTACK_DENY_ERRNO, VERDICT_CAT_RULE,
			rc == -EPERM
				? "wildcard listen: the socket is bound to "
				  "another device, or the kernel (before "
				  "5.7) lets no unprivileged process bind "
				  "it to loopback"
				: "wildcard listen: cannot narrow it to "
				  "loopback (fail closed)");
		return false;
	}
	audit_begin(&s->audit, &w, "event");
	jsonw_key_str(&w, "event", "listen-narrowed");
	jsonw_key_i64(&w, "tid", c->pc.tid);
	jsonw_key_str(&w, "syscall", c->entry ? c->entry->name : NULL);
	jsonw_key_str(&w, "detail", c->detail);
	jsonw_key_str(&w, "zone", s->o->zone_name);
	jsonw_key_str(&w, "rule", c->v.rule_buf);
	jsonw_key_str(&w, "what", "accepts loopback peers only");
	audit_commit(&s->audit, &w, 0, NULL, false);
	return true;
}

/*
 * The shield of a stream or seqpacket socket just bound to a path failed
 * (netstack_unix_shield_path(): the path was replaced or linked meanwhile,
 * the sentinel could not be bound or renamed over it, ...): the name may
 * lead an outsider to the job's socket. The kernel's bind cannot be taken
 * back, so the socket stays bound, unshielded (listen() on it is refused,
 * netstack_plan_listen()), and the bind is answered as a denial naming the
 * cause: the job learns at the call that failed, and the log says why.
 */
static const char sys_net_rule_unshielded[] =
	"unix bind: the name could not be kept from processes outside the job "
	"(its sentinel and pin, unix_listen.c, failed): fail closed; the "
	"socket stays bound and may not listen";

/*
 * Bind a unix path as the job would: relative to its cwd, with its umask
 * (the socket file's mode is 0777 & ~umask). The handler's thread enters
 * both alone (threadfs.c): the other supervisor threads keep their own.
 * Return: bind()'s result with errno set; EACCES when the job's cwd cannot
 * be opened or this thread cannot take it alone, or when the bound socket
 * could not be shielded (the call is then refused).
 */
static int sys_net_bind_unix(struct sentry_call *c,
			     const struct netstack_sockinfo *k,
			     const struct net_endpoint *e, const uint8_t *addr,
			     size_t len, struct netstack_unix_shield *sh)
{
	struct threadfs_saved saved;
	int cwd = -1, rc, err, shield = 0;

	if (e->path[0] != '/') {
		cwd = procfs_cwd_open(c->pc.tid);
		if (cwd < 0) {
			errno = EACCES;
			return -1;
		}
	}
	rc = threadfs_enter(cwd, procfs_umask(c->pc.tid), &saved);
	if (cwd >= 0)
		close(cwd);
	if (rc < 0) {
		if (rc == -EPERM)
			sys_net_deny(
				c, EACCES,
				"unix bind: no cwd and umask of this "
				"thread's own (unshare(CLONE_FS) refused)");
		errno = EACCES;
		return -1;
	}
	rc = FAULT_PERFORM(
		bind(k->fd, (const struct sockaddr *)addr, (socklen_t)len));
	err = errno;
	/* Where the path means what it meant to the job (unix_listen.c). */
	if (rc == 0)
		shield = FAULT_PERFORM_RC(
			netstack_unix_shield_path(k->fd, e->path, sh));
	threadfs_leave(&saved);
	if (shield < 0) {
		const char *name = policy_errno_name(-shield);
		size_t n = strlen(c->detail);

		if (name)
			snprintf(c->detail + n, sizeof(c->detail) - n,
				 " shield=%s", name);
		else
			snprintf(c->detail + n, sizeof(c->detail) - n,
				 " shield=errno %d", -shield);
		sys_net_deny(c, EACCES, sys_net_rule_unshielded);
		errno = EACCES;
		return -1;
	}
	errno = err;
	return rc;
}

/*
 * bind(): INET addresses go through the zone's listen mode (non-loopback is
 * denied by default, or moved to loopback); unix paths are bound in the
 * job's cwd. What the socket is bound to afterwards is asked of the kernel.
 */
int sys_bind(struct sentry *s, struct sentry_call *c)
{
	uint8_t addr[SYS_NET_ADDR_MAX];
	size_t len = (size_t)c->pc.args[2];
	struct netstack_unix_shield sh = {.pin = -1, .sentinel = -1};
	struct netstack_sockinfo k = {.fd = -1};
	bool gone;
	struct netstack_plan plan;
	int rc;

	if (len > sizeof(addr) || len < sizeof(sa_family_t))
		return sys_net_invalid(c, EINVAL, "bad address length");
	if (!sys_net_begin(s, c, c->pc.args[1], addr, len,
			   "address not readable", &k, true, &gone))
		return gone ? -ENOENT : 0;
	netstack_plan_bind(&s->net, &k, addr, len, &plan);
	if (sys_net_verdict(s, c, &plan) && sys_net_narrow(s, c, &k, &plan)) {
		if (plan.unix_path)
			rc = sys_net_bind_unix(c, &k, &plan.dest, plan.addr,
					       plan.addr_len, &sh) < 0
				     ? -errno
				     : 0;
		else if (plan.unix_abstract)
			rc = FAULT_PERFORM_RC(netstack_unix_bind_abstract(
				&s->net, &k, plan.dest.path,
				plan.dest.path_len));
		else
			rc = FAULT_PERFORM(bind(
				     k.fd, (const struct sockaddr *)plan.addr,
				     (socklen_t)plan.addr_len)) < 0
				     ? -errno
				     : 0;
		sys_net_value(c, rc);
		netstack_performed(&s->net, &k, &plan, rc == 0,
				   NETSTACK_DID_BIND);
		netstack_unix_shield_adopt(&s->net, &k, &sh);
	}
	netstack_plan_done(&plan);
	sys_net_put(&k);
	return 0;
}

/*
 * listen(): performed on the job's socket object, so the socket recorded as
 * the job's listener is the one that listens. What it is bound to is judged
 * here whatever the bind was (netstack_plan_listen()).
 */
int sys_listen(struct sentry *s, struct sentry_call *c)
{
	struct netstack_sockinfo k = {.fd = -1};
	struct netstack_plan plan;
	int rc, backlog = (int)c->pc.args[1];

	snprintf(c->detail, sizeof(c->detail), "fd=%d backlog=%d",
		 (int)c->pc.args[0], backlog);
	rc = sys_net_take(s, c, (int)c->pc.args[0], &k, true);
	if (rc < 0)
		return sys_net_take_failed(c, rc);
	netstack_plan_listen(&s->net, &k, &plan);
	if (plan.detail[0])
		snprintf(plan.detail + strlen(plan.detail),
			 sizeof(plan.detail) - strlen(plan.detail),
			 " backlog=%d", backlog);
	if (sys_net_verdict(s, c, &plan) && sys_net_narrow(s, c, &k, &plan)) {
		rc = 0;
		if (plan.addr_len &&
		    FAULT_PERFORM(bind(k.fd, (const struct sockaddr *)plan.addr,
				       (socklen_t)plan.addr_len)) < 0)
			rc = -errno;
		if (!rc && FAULT_PERFORM(listen(k.fd, backlog)) < 0)
			rc = -errno;
		sys_net_value(c, rc);
		netstack_performed(&s->net, &k, &plan, rc == 0,
				   NETSTACK_DID_LISTEN);
	}
	netstack_plan_done(&plan);
	sys_net_put(&k);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Receives on DNS-redirected sockets. Answers come from the proxy on
 * loopback, but resolvers (glibc, musl, c-ares) drop replies whose source is
 * not the server they asked: for those sockets the supervisor performs the
 * receive and shows the server's address as the source. Receiving decides
 * nothing about egress, so every other receive simply continues in the
 * kernel; when no socket is redirected, without even looking at the fd.
 */

#define SYS_NET_RECV_MAX 65536
#define SYS_NET_RECV_IOV 64

static void sys_net_passthrough(struct sentry_call *c)
{
	verdict_continue(&c->v, "receive: continues in the kernel");
}

/*
 * What the job asked to receive into: its iovecs, and where the source
 * address and its length go.
 */
struct sys_net_recv_req {
	struct iovec iov[SYS_NET_RECV_IOV]; /* job addresses */
	size_t n_iov;
	uint64_t name;	  /* job address of the sockaddr buffer, or 0 */
	uint64_t namelen; /* job address of the socklen_t, or 0 */
	socklen_t name_cap;
	int flags;
};

/*
 * Perform the receive on a redirected socket. Return: 0 with the answer
 * filled (or the call left pending), or -ENOENT when the caller is gone.
 */
static int sys_net_recv_emulated(struct sentry *s, struct sentry_call *c,
				 struct netstack_sockinfo *k,
				 const struct netstack_sock *peer,
				 const struct sys_net_recv_req *r,
				 int *msg_flags)
{
	/* The supervisor's scratch: owned under s->lock, for this call. */
	uint8_t *buf = s->scratch.io;
	struct platform_mem_seg seg[SYS_NET_RECV_IOV + 2];
	struct sockaddr_storage from = {0}, shown;
	struct iovec iov = {buf, 0};
	struct msghdr m = {.msg_name = &from,
			   .msg_namelen = sizeof(from),
			   .msg_iov = &iov,
			   .msg_iovlen = 1};
	size_t want = 0, i, done = 0, n_seg = 0;
	socklen_t sl = 0;
	ssize_t n, w;

	/* DNS traffic: the receiver lets the proxy run after this call. */
	s->dns_due = true;
	verdict_allow(&c->v, 0,
		      "receive on a redirected socket (source shown as the "
		      "peer the job asked for)");

	for (i = 0; i < r->n_iov; i++)
		want += r->iov[i].iov_len;
	iov.iov_len = want < SYS_NET_RECV_MAX ? want : SYS_NET_RECV_MAX;
	n = FAULT_PERFORM(
		recvmsg(k->fd, &m, (r->flags & ~MSG_WAITALL) | MSG_DONTWAIT));
	if (n < 0 && errno == EAGAIN && !(r->flags & MSG_DONTWAIT)) {
		int fl = fcntl(k->fd, F_GETFL);
		struct deferred_req p = {.kind = DEFERRED_RECV,
					 .fd = k->fd,
					 .timeout_err = EAGAIN};

		if (fl >= 0 && !(fl & O_NONBLOCK))
			return sys_net_defer(s, c, k, &p);
		errno = EAGAIN;
	}
	if (n < 0) {
		sys_net_errno(c, errno);
		return 0;
	}
	/* What arrived, scattered into the job's buffers; then the source. */
	for (i = 0; i < r->n_iov && done < (size_t)n && done < iov.iov_len;
	     i++) {
		size_t part = r->iov[i].iov_len;

		if (part > iov.iov_len - done)
			part = iov.iov_len - done;
		if (part)
			seg[n_seg++] = (struct platform_mem_seg){
				(uintptr_t)r->iov[i].iov_base, buf + done,
				part};
		done += part;
	}
	if (r->name && r->namelen) {
		/* What came from the real peer shows as the one asked. */
		sl = netstack_sock_shown_source(peer, &from, m.msg_namelen,
						&shown);
		seg[n_seg++] = (struct platform_mem_seg){
			r->name, &shown, sl < r->name_cap ? sl : r->name_cap};
		seg[n_seg++] =
			(struct platform_mem_seg){r->namelen, &sl, sizeof(sl)};
	}
	w = platform_write_memv(s->plat, &c->pc, seg, n_seg);
	if (w < (ssize_t)done) {
		sys_net_errno(c, EFAULT);
		return 0;
	}
	*msg_flags = m.msg_flags;
	sys_net_value(c, n);
	return 0;
}

/*
 * Take the socket and find out whether it is translated; else continue.
 * @rights (recvmsg, recvmmsg: a control buffer): while receives are
 * guarded (unix_rights.c), a socket that is not translated stays in @k for
 * sys_rights_recvmsg(), whatever its family: the job could swap a unix
 * socket onto the fd number between our look and a CONTINUE.
 */
/*
 * A receive that only asks "is this socket translated?": the object and
 * its cookie, one getsockopt, not three (SO_DOMAIN and SO_TYPE come from
 * the table entry: a socket's family and type never change, and the
 * cookie names the object). Not a socket, not taken, no entry: continue.
 */
static const struct netstack_sock *
sys_net_recv_translated(struct sentry *s, struct sentry_call *c,
			struct netstack_sockinfo *k)
{
	const struct netstack_sock *peer;
	socklen_t cl = sizeof(k->cookie);

	if (sys_net_take_fd(s, c, (int)c->pc.args[0], k) < 0) {
		k->fd = -1;
		return NULL;
	}
	if (getsockopt(k->fd, SOL_SOCKET, SO_COOKIE, &k->cookie, &cl) < 0 ||
	    !(peer = netstack_sock_translated(&s->net, k->cookie))) {
		sys_net_put(k);
		return NULL;
	}
	k->domain = peer->domain;
	k->type = peer->type;
	k->proto = peer->proto;
	return peer;
}

static const struct netstack_sock *
sys_net_recv_take(struct sentry *s, struct sentry_call *c,
		  struct netstack_sockinfo *k, bool rights)
{
	const struct netstack_sock *peer = NULL;
	int rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	sys_net_passthrough(c);
	rights = rights && unix_rights_guarding(&s->net);
	if (!netstack_translating(&s->net) && !rights)
		return NULL;
	/* A translated-only look may continue: the receive decides nothing
	 * about egress. */
	if (!rights)
		return sys_net_recv_translated(s, c, k);
	rc = sys_net_take(s, c, (int)c->pc.args[0], k, true);
	if (rc < 0) {
		/*
		 * Guarded receives must be the supervisor's: one it cannot
		 * perform is refused (never continued, or fds from outside
		 * could arrive).
		 */
		if (rc != SYS_NET_NOT_SOCKET)
			sys_net_take_failed(c, rc);
		return NULL;
	}
	if (k->domain != AF_UNIX && netstack_translating(&s->net))
		peer = netstack_sock_translated(&s->net, k->cookie);
	return peer;
}

int sys_recvfrom(struct sentry *s, struct sentry_call *c)
{
	struct netstack_sockinfo k = {.fd = -1};
	struct sys_net_recv_req r = {.n_iov = 1};
	const struct netstack_sock *peer;
	socklen_t cap = 0;
	int flags = 0;

	peer = sys_net_recv_take(s, c, &k, false);
	if (!peer)
		return 0;
	r.iov[0].iov_base = (void *)(uintptr_t)c->pc.args[1];
	r.iov[0].iov_len = (size_t)c->pc.args[2];
	r.flags = (int)c->pc.args[3];
	r.name = c->pc.args[4];
	r.namelen = c->pc.args[5];
	if (r.namelen && platform_read_mem(s->plat, &c->pc, r.namelen, &cap,
					   sizeof(cap)) != sizeof(cap))
		r.namelen = 0;
	r.name_cap = cap;
	sys_net_recv_emulated(s, c, &k, peer, &r, &flags);
	if (k.fd >= 0)
		close(k.fd);
	return 0;
}

/* Fill @r from the job's msghdr at @addr. Return: 0 or -errno. */
static int sys_net_recv_msghdr(struct sentry *s, struct sentry_call *c,
			       uint64_t addr, struct sys_net_recv_req *r)
{
	struct msghdr jm;

	if (platform_read_mem(s->plat, &c->pc, addr, &jm, sizeof(jm)) !=
	    sizeof(jm))
		return -EFAULT;
	if (jm.msg_iovlen > SYS_NET_RECV_IOV)
		return -EMSGSIZE;
	r->n_iov = jm.msg_iovlen;
	if (r->n_iov &&
	    platform_read_mem(s->plat, &c->pc, (uintptr_t)jm.msg_iov, r->iov,
			      r->n_iov * sizeof(r->iov[0])) !=
		    (ssize_t)(r->n_iov * sizeof(r->iov[0])))
		return -EFAULT;
	r->name = (uintptr_t)jm.msg_name;
	r->name_cap = jm.msg_namelen;
	r->namelen = addr + offsetof(struct msghdr, msg_namelen);
	return 0;
}

/* After a receive into a job msghdr: lengths and flags as the kernel sets. */
static void sys_net_recv_msg_done(struct sentry *s, struct sentry_call *c,
				  uint64_t addr, int flags)
{
	size_t zero = 0;

	/* Control messages are not carried over for redirected sockets. */
	platform_write_mem(s->plat, &c->pc,
			   addr + offsetof(struct msghdr, msg_controllen),
			   &zero, sizeof(zero));
	platform_write_mem(s->plat, &c->pc,
			   addr + offsetof(struct msghdr, msg_flags), &flags,
			   sizeof(flags));
}

/*
 * Receive one message into the job's msghdr at @addr on a redirected socket,
 * and set its lengths and flags as the kernel would. The answer is the byte
 * count (or the errno).
 */
static void sys_net_recv_one_msg(struct sentry *s, struct sentry_call *c,
				 struct netstack_sockinfo *k,
				 const struct netstack_sock *peer,
				 uint64_t addr, int flags)
{
	struct sys_net_recv_req r = {.flags = flags};
	int out_flags = 0, rc;

	rc = sys_net_recv_msghdr(s, c, addr, &r);
	if (rc < 0) {
		sys_net_errno(c, -rc);
		return;
	}
	sys_net_recv_emulated(s, c, k, peer, &r, &out_flags);
	if (c->v.answer.kind == PLATFORM_ANSWER_VALUE)
		sys_net_recv_msg_done(s, c, addr, out_flags);
}

int sys_recvmsg(struct sentry *s, struct sentry_call *c)
{
	struct netstack_sockinfo k = {.fd = -1};
	const struct netstack_sock *peer;

	peer = sys_net_recv_take(s, c, &k, true);
	if (!peer && k.fd >= 0) {
		sys_rights_recvmsg(s, c, &k.fd, c->pc.args[1],
				   (int)c->pc.args[2], false);
		if (k.fd >= 0)
			close(k.fd);
		return 0;
	}
	if (!peer)
		return 0;
	sys_net_recv_one_msg(s, c, &k, peer, c->pc.args[1], (int)c->pc.args[2]);
	if (k.fd >= 0)
		close(k.fd);
	return 0;
}

/* recvmmsg on a redirected socket: one message per call (a short count). */
int sys_recvmmsg(struct sentry *s, struct sentry_call *c)
{
	struct netstack_sockinfo k = {.fd = -1};
	const struct netstack_sock *peer;

	peer = sys_net_recv_take(s, c, &k, true);
	if (!peer && k.fd >= 0) {
		if (c->pc.args[2] == 0)
			sys_net_value(c, 0);
		else
			sys_rights_recvmsg(s, c, &k.fd, c->pc.args[1],
					   (int)c->pc.args[3] & ~MSG_WAITFORONE,
					   true);
		if (k.fd >= 0)
			close(k.fd);
		return 0;
	}
	if (!peer)
		return 0;
	if (c->pc.args[2] == 0) {
		sys_net_value(c, 0);
	} else {
		sys_net_recv_one_msg(s, c, &k, peer, c->pc.args[1],
				     (int)c->pc.args[3] & ~MSG_WAITFORONE);
		if (c->v.answer.kind == PLATFORM_ANSWER_VALUE) {
			unsigned int len = (unsigned int)c->v.answer.value;

			platform_write_mem(
				s->plat, &c->pc,
				c->pc.args[1] +
					offsetof(struct mmsghdr, msg_len),
				&len, sizeof(len));
			sys_net_value(c, 1);
		}
	}
	if (k.fd >= 0)
		close(k.fd);
	return 0;
}

/* A connect or send waited for: the result to answer with, or 1: wait on. */
static int64_t sys_net_deferred_result(struct deferred *d)
{
	struct deferred_req *p = &d->req;
	int err = 0;
	socklen_t l = sizeof(err);
	ssize_t n;

	if (p->kind == DEFERRED_CONNECT || p->after_connect) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		if (err)
			return -(int64_t)err;
	}
	if (p->kind == DEFERRED_CONNECT) {
		/*
		 * A non-blocking connect leaves the socket "connecting" until
		 * connect() is called again; a blocking one would have
		 * finished it. Finish it, so that the job's next connect()
		 * gets EISCONN as it would natively.
		 */
		if (p->msg.msg_namelen)
			connect(p->fd, (struct sockaddr *)p->name,
				p->msg.msg_namelen);
		return 0;
	}
	n = FAULT_PERFORM(sendmsg(p->fd, &p->msg,
				  p->flags | MSG_DONTWAIT | MSG_NOSIGNAL));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 1; /* still full: keep waiting */
	return n < 0 ? -(int64_t)errno : (int64_t)n;
}

void sys_net_deferred_ready(struct sentry *s, struct deferred *d)
{
	int64_t rc;

	if (d->req.kind == DEFERRED_RECV) {
		/* Data arrived: run the receive again from the start. */
		struct sentry_call c = {.pc = d->call->pc, .exe_fd = -1};

		s->deferred.redo_id = c.pc.id;
		s->deferred.redo_deadline_ns = d->deadline_ns;
		deferred_drop(s, d);
		sentry_dispatch(s, &c);
		s->deferred.redo_id = 0;
		return;
	}
	rc = sys_net_deferred_result(d);
	if (rc == 1)
		return;
	deferred_finish(s, d, rc, false, NULL);
}

/*
 * getsockname() and getpeername() of a translated socket show what the job
 * believes (netstack_xlate): the peer it asked for, and for a relayed
 * socket the source address the kernel would have picked towards it (its
 * real port); every other socket continues in the kernel. The answer
 * decides nothing about egress, so a continue is safe.
 */
static int sys_net_name(struct sentry *s, struct sentry_call *c, bool peer)
{
	struct netstack_sockinfo k = {.fd = -1};
	const struct netstack_sock *e;
	struct sockaddr_storage ss;
	struct net_endpoint shown;
	struct platform_mem_seg seg[2];
	socklen_t sl = sizeof(ss), cap;
	ssize_t w;
	int rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	verdict_continue(&c->v, "socket name: continues in the kernel");
	if (!netstack_translating(&s->net))
		return 0;
	if (sys_net_read(s, c, c->pc.args[2], &cap, sizeof(cap)) < 0)
		return 0; /* the kernel answers EFAULT itself */
	rc = sys_net_take(s, c, (int)c->pc.args[0], &k, true);
	if (rc < 0)
		return rc == -ENOENT ? rc : 0;
	e = k.domain == AF_INET || k.domain == AF_INET6
		    ? netstack_sock_translated(&s->net, k.cookie)
		    : NULL;
	if (!e || (!peer && !e->peer.has_local)) {
		sys_net_put(&k);
		return 0;
	}
	rc = peer ? getpeername(k.fd, (struct sockaddr *)&ss, &sl)
		  : getsockname(k.fd, (struct sockaddr *)&ss, &sl);
	if (rc < 0) {
		sys_net_errno(c, errno);
		sys_net_put(&k);
		return 0;
	}
	if (peer && sockaddr_same(&ss, &e->peer.real)) {
		sl = sockaddr_build(&e->peer.shown, k.domain, &ss);
	} else if (!peer &&
		   sockaddr_parse((const uint8_t *)&ss, sl, &shown) == 0 &&
		   shown.kind == NET_ENDPOINT_INET) {
		shown.addr = e->peer.local;
		sl = sockaddr_build(&shown, k.domain, &ss);
	}
	sys_net_put(&k);
	/* As the kernel: truncated to the caller's length, the full one
	 * written back. */
	seg[0] = (struct platform_mem_seg){c->pc.args[1], &ss,
					   sl < cap ? sl : cap};
	seg[1] = (struct platform_mem_seg){c->pc.args[2], &sl, sizeof(sl)};
	w = platform_write_memv(s->plat, &c->pc, seg, 2);
	if (w < (ssize_t)(seg[0].len + seg[1].len))
		sys_net_errno(c, EFAULT);
	else
		sys_net_value(c, 0);
	return 0;
}

int sys_getsockname(struct sentry *s, struct sentry_call *c)
{
	return sys_net_name(s, c, false);
}

int sys_getpeername(struct sentry *s, struct sentry_call *c)
{
	return sys_net_name(s, c, true);
}
