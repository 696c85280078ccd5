/* SPDX-License-Identifier: MIT */
/*
 * sys_net.c - handlers for the socket family: socket, connect, sendto,
 * sendmsg, sendmmsg, bind, listen.
 *
 * Theory of operation
 * -------------------
 * A call whose decision depends on job memory (a sockaddr, a msghdr) is
 * never answered with CONTINUE (shared/DESIGN.md invariant 2): the address
 * and the data are copied out once, the notification is confirmed still
 * valid, the job's socket object itself is duplicated into the supervisor
 * (pidfd_getfd), the copy is judged by netstack (the zone's tables), and the
 * supervisor performs the call on that object with the copy. A thread that
 * rewrites the sockaddr, or dup2()s another socket over the fd number,
 * changes nothing: the object and the bytes were fixed before the decision.
 *
 * socket() never comes here: the filter decides it on its registers
 * (SYSCALL_RULE_SOCKET_KINDS, filter.c).
 *
 * The supervisor must never block: a blocking connect is started with
 * O_NONBLOCK set for the duration of the call on the shared file description
 * (on an unconnected TCP socket no other operation can observe it), and the
 * call is deferred until the socket is writable (deferred.h, which also ends
 * it at the socket's SO_SNDTIMEO or a signal, as the kernel would); a send
 * that meets a full buffer on a blocking socket, and a blocking receive on a
 * DNS-redirected socket, are deferred the same way.
 *
 * Every denial fails with NETSTACK_DENY_ERRNO (EACCES), one stderr line and
 * an audit record naming the zone and the rule.
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

/* What the kernel knows about a socket we took from the job. */
struct sys_net_sock {
	int fd; /* the supervisor's duplicate (owned) */
	int domain;
	int type;
	unsigned proto; /* POLICY_PROTO_* for INET sockets */
};

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

static void sys_net_allow(struct sentry_call *c, const char *rule)
{
	verdict_allow(&c->v, 0, rule);
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

static int sys_net_take(struct sentry *s, struct sentry_call *c, int remote,
			struct sys_net_sock *k)
{
	socklen_t l = sizeof(int);

	k->fd = platform_take_fd(s->plat, &c->pc, remote);
	if (k->fd < 0)
		return k->fd;
	if (getsockopt(k->fd, SOL_SOCKET, SO_DOMAIN, &k->domain, &l) < 0 ||
	    getsockopt(k->fd, SOL_SOCKET, SO_TYPE, &k->type, &l) < 0) {
		int e = errno;

		close(k->fd);
		k->fd = -1;
		return -e;
	}
	k->proto = k->type == SOCK_STREAM ? POLICY_PROTO_TCP : POLICY_PROTO_UDP;
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
 * call answered as the kernel would (EFAULT, EBADF, ENOTSOCK).
 */
static bool sys_net_begin(struct sentry *s, struct sentry_call *c,
			  uint64_t addr, void *buf, size_t len,
			  const char *what, struct sys_net_sock *k)
{
	int rc;

	if (sys_net_read(s, c, addr, buf, len) < 0) {
		sys_net_unreadable(c, what);
		return false;
	}
	rc = sys_net_take(s, c, (int)c->pc.args[0], k);
	if (rc < 0) {
		sys_net_invalid(c, -rc == EBADF ? EBADF : ENOTSOCK,
				"not a socket");
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

static const char *sys_net_proto_name(const struct sys_net_sock *k)
{
	if (k->domain == AF_UNIX)
		return k->type == SOCK_DGRAM ? "unix-dgram" : "unix";
	return k->proto == POLICY_PROTO_TCP ? "tcp" : "udp";
}

/* The verdict of @c from a policy decision; true when it allows. */
static bool sys_net_verdict(struct sentry *s, struct sentry_call *c,
			    const struct policy_decision *d)
{
	(void)s;
	return verdict_decision(&c->v, d, NETSTACK_DENY_ERRNO);
}

/*
 * Parse a sockaddr the way the kernel reads it for a send or a bind on @k.
 * AF_UNSPEC only means "dissolve" to connect(): an IPv4 socket sends to, and
 * binds (0.0.0.0 only), the AF_INET address an AF_UNSPEC name carries, so it
 * is rewritten to AF_INET here and judged as that; an IPv6 socket sends to
 * its connected peer (*@len becomes 0: no name).
 * Return: as sockaddr_parse().
 */
static int sys_net_parse_as_kernel(const struct sys_net_sock *k, uint8_t *addr,
				   size_t *len, bool bind,
				   struct net_endpoint *e)
{
	int rc = sockaddr_parse(addr, *len, e);
	sa_family_t inet = AF_INET;
	struct sockaddr_in in;

	if (rc < 0 || e->kind != NET_ENDPOINT_UNSPEC)
		return rc;
	if (k->domain == AF_INET) {
		if (*len < sizeof(in))
			return -EINVAL;
		memcpy(&in, addr, sizeof(in));
		if (bind && in.sin_addr.s_addr != htonl(INADDR_ANY))
			return -EAFNOSUPPORT;
		memcpy(addr, &inet, sizeof(inet));
		return sockaddr_parse(addr, *len, e);
	}
	if (k->domain == AF_INET6 && !bind) {
		*len = 0;
		return 0;
	}
	return bind ? -EAFNOSUPPORT : 0;
}

static uint64_t sys_net_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t l = sizeof(cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &l) < 0)
		return 0;
	return cookie;
}

static bool sys_net_v4(const struct policy_addr *a)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	return a->family == 4 || !memcmp(a->b, mapped, sizeof(mapped));
}

/*
 * DNS to any address is answered by cordon's proxy (never sent on as is):
 * rewrite the destination in @addr to the proxy's and remember, for the
 * receives, which server the job thinks it talks to.
 * Return: true when redirected (verdict filled); false on refusal (answer
 * filled).
 */
static bool sys_net_dns_redirect(struct sentry *s, struct sentry_call *c,
				 const struct sys_net_sock *k,
				 const struct net_endpoint *e, uint8_t *addr,
				 size_t *len, const struct policy_decision *d)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char where[200];

	sockaddr_fmt(e, where, sizeof(where));
	snprintf(c->detail, sizeof(c->detail), "%s/%s to the DNS proxy", where,
		 sys_net_proto_name(k));
	if (sentry_dns_start(s) < 0 ||
	    dns_proxy_target(s->dns, k->domain, sys_net_v4(&e->addr), k->proto,
			     &ss, &sl) < 0 ||
	    netstack_emulate(&s->net, sys_net_cookie(k->fd), e) < 0) {
		verdict_deny(&c->v, ENOBUFS, VERDICT_CAT_INTERNAL,
			     "DNS proxy: not started, or too many redirected "
			     "sockets (fail closed)");
		return false;
	}
	memcpy(addr, &ss, sl);
	*len = sl;
	sys_net_verdict(s, c, d);
	s->dns_due = true; /* the query follows: the receiver waits for it */
	return true;
}

/*
 * A send on a connected datagram socket: if it is redirected to the DNS
 * proxy, the receiver waits for the proxy's traffic after this call.
 */
static void sys_net_note_dns(struct sentry *s, const struct sys_net_sock *k)
{
	if (k->type == SOCK_DGRAM && netstack_emulating(&s->net) &&
	    netstack_emulated(&s->net, sys_net_cookie(k->fd)))
		s->dns_due = true;
}

static bool sys_net_is_inet(const struct sys_net_sock *k)
{
	return k->domain == AF_INET || k->domain == AF_INET6;
}

/*
 * Resolve a unix socket path as the job sees it: relative to its cwd, every
 * symlink followed, "." and ".." gone. A path that does not exist yet is
 * judged lexically (connect will fail with ENOENT anyway).
 */
static int sys_net_unix_resolve(struct sentry_call *c, const char *path,
				char *out, size_t outlen)
{
	char cwd_link[64], joined[PATH_MAX + NET_UNIX_PATH_MAX + 2];
	char cwd[PATH_MAX];
	ssize_t n;
	int fd;

	if (path[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", path);
	} else {
		fd = procfs_cwd_open(c->pc.tid);
		if (fd < 0)
			return fd;
		/* The job's cwd as a path: that of our fd of it. */
		snprintf(cwd_link, sizeof(cwd_link), "/proc/self/fd/%d", fd);
		n = readlink(cwd_link, cwd, sizeof(cwd) - 1);
		if (n < 0)
			n = -errno;
		close(fd);
		if (n < 0)
			return (int)n;
		cwd[n] = '\0';
		snprintf(joined, sizeof(joined), "%s/%s", cwd, path);
	}
	if (realpath(joined, out) && strlen(out) < outlen)
		return 0;
	if (strlen(joined) >= outlen)
		return -ENAMETOOLONG;
	snprintf(out, outlen, "%s", joined);
	return 0;
}

/*
 * Pin the unix socket file a path names, as the job sees it: relative to its
 * cwd, every symlink followed, opened O_PATH so that what is judged and what
 * is connected to are the same inode whatever the job renames or re-links
 * afterwards. @actual gets the path of the pinned file (from the kernel).
 * Return: an O_PATH fd, or -errno (ENOENT: nothing there).
 */
static int sys_net_unix_pin(struct sentry_call *c, const char *path,
			    char *actual, size_t len)
{
	char resolved[PATH_MAX], link[64];
	struct stat st;
	ssize_t n;
	int fd, rc;

	rc = sys_net_unix_resolve(c, path, resolved, sizeof(resolved));
	if (rc < 0)
		return rc;
	fd = open(resolved, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, actual, len - 1);
	if (n < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	actual[n] = '\0';
	if (!S_ISSOCK(st.st_mode)) {
		close(fd);
		return -ECONNREFUSED; /* what connect() says for a non-socket */
	}
	return fd;
}

/*
 * Before a job unix socket talks to @e: unless @e is the job's own socket,
 * nothing there may pass fds back into the job (SO_PASSRIGHTS off). Where
 * the kernel cannot turn that off, the peer is refused (fail closed).
 * Return: true to go on; false with the call refused.
 */
static bool sys_net_rights_guard(struct sentry *s, struct sentry_call *c,
				 const struct sys_net_sock *k,
				 const struct net_endpoint *e, int pin)
{
	int rc = netstack_unix_guard(&s->net, k->fd, e, pin);

	if (rc == 0)
		return true;
	sys_net_deny(
		c, NETSTACK_DENY_ERRNO,
		rc == -ENOPROTOOPT
			? "unix peer outside the job: fd passing cannot be "
			  "refused on this kernel (SO_PASSRIGHTS, Linux 6.16)"
			: "unix peer outside the job: SO_PASSRIGHTS failed");
	return false;
}

/*
 * Judge a destination for connect or send; true when allowed. For a unix
 * path, *@pin gets the pinned socket file (the caller closes it) and @addr
 * is rewritten to reach exactly that inode through /proc/self/fd.
 */
static bool sys_net_judge_dest(struct sentry *s, struct sentry_call *c,
			       const struct sys_net_sock *k,
			       const struct net_endpoint *e, uint8_t *addr,
			       size_t *len, int *pin)
{
	struct policy_decision d;
	struct net_plan plan;
	char where[200], actual[PATH_MAX];

	verdict_dest(&c->v, e, sys_net_proto_name(k));
	sockaddr_fmt(e, where, sizeof(where));
	snprintf(c->detail, sizeof(c->detail), "%s/%s", where,
		 sys_net_proto_name(k));
	switch (e->kind) {
	case NET_ENDPOINT_INET:
		/* The plan explain runs too (netstack/net_plan.c). A non-inet
		 * socket given an inet address is refused by the kernel. */
		netstack_plan_dest(&s->net, e, k->proto, &plan);
		if (plan.kind == NET_PLAN_REDIRECT_DNS && sys_net_is_inet(k))
			return sys_net_dns_redirect(s, c, k, e, addr, len,
						    &plan.d);
		return sys_net_verdict(s, c, &plan.d);
	case NET_ENDPOINT_UNIX: {
		struct sockaddr_un un = {.sun_family = AF_UNIX};
		int fd = sys_net_unix_pin(c, e->path, actual, sizeof(actual));

		if (fd < 0) {
			sys_net_invalid(c, -fd, "unix socket not there");
			return false;
		}
		snprintf(c->detail, sizeof(c->detail), "unix:%.108s (%.400s)",
			 e->path, actual);
		netstack_decide_unix(&s->net, e, actual, &d);
		if (!sys_net_verdict(s, c, &d) ||
		    !sys_net_rights_guard(s, c, k, e, fd)) {
			close(fd);
			return false;
		}
		snprintf(un.sun_path, sizeof(un.sun_path), "/proc/self/fd/%d",
			 fd);
		*len = offsetof(struct sockaddr_un, sun_path) +
		       strlen(un.sun_path) + 1;
		memcpy(addr, &un, *len);
		*pin = fd;
		return true;
	}
	case NET_ENDPOINT_ABSTRACT:
		netstack_decide_unix(&s->net, e, NULL, &d);
		return sys_net_verdict(s, c, &d) &&
		       sys_net_rights_guard(s, c, k, e, -1);
	case NET_ENDPOINT_UNSPEC:
		sys_net_allow(c, "AF_UNSPEC dissolves an association: allowed");
		return true;
	case NET_ENDPOINT_UNNAMED:
	case NET_ENDPOINT_NETLINK:
	case NET_ENDPOINT_OTHER:
		break;
	}
	sys_net_invalid(c, EAFNOSUPPORT, "address family not supported");
	return false;
}

/*
 * A netlink socket talks only to the kernel (netstack_decide_netlink()).
 * @len: the name's length, 0 for none; a send then goes without its name
 * (*@len = 0: why is in netstack.h), a connect keeps it.
 * Return: true to perform (verdict filled); false when refused (answer
 * filled).
 */
static bool sys_net_netlink(struct sentry *s, struct sentry_call *c,
			    const struct sys_net_sock *k,
			    const struct net_endpoint *e, bool control,
			    bool send, size_t *len)
{
	struct policy_decision d;

	if (*len && e->kind == NET_ENDPOINT_UNSPEC && !send) {
		sys_net_allow(c, "AF_UNSPEC dissolves an association: allowed");
		return true;
	}
	if (*len && e->kind != NET_ENDPOINT_NETLINK) {
		/* netlink_sendmsg/netlink_connect: not AF_NETLINK is EINVAL */
		sys_net_invalid(c, EINVAL, "not a netlink address");
		return false;
	}
	if (*len) {
		sockaddr_fmt(e, c->detail, sizeof(c->detail));
		verdict_dest(&c->v, e, "netlink");
	} else {
		snprintf(c->detail, sizeof(c->detail), "fd=%d netlink peer",
			 (int)c->pc.args[0]);
	}
	netstack_decide_netlink(&s->net, k->fd, *len ? e : NULL, control, &d);
	if (!sys_net_verdict(s, c, &d))
		return false;
	if (send)
		*len = 0;
	return true;
}

/*
 * Defer @c (its verdict stated) until @k's socket is ready: the table takes
 * @k->fd and @p's buffers. A full table refuses the call (fail closed, a
 * recorded denial); the buffers are then the caller's to free.
 */
static int sys_net_defer(struct sentry *s, struct sentry_call *c,
			 struct sys_net_sock *k, struct deferred_req *p)
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
			      struct sys_net_sock *k, const uint8_t *addr,
			      size_t len)
{
	int flags = 0, r, err;
	bool toggled = false;

	/* Only a TCP connect can block for long (unix ones do not wait). */
	if (k->type == SOCK_STREAM && k->domain != AF_UNIX) {
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
	struct sys_net_sock k = {.fd = -1};
	struct net_endpoint e;
	int rc, pin = -1;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	if (len > sizeof(addr) || len < sizeof(sa_family_t))
		return sys_net_invalid(c, EINVAL, "bad address length");
	if (!sys_net_begin(s, c, c->pc.args[1], addr, len,
			   "address not readable", &k))
		return 0;
	rc = sockaddr_parse(addr, len, &e);
	if (rc < 0 && e.kind != NET_ENDPOINT_OTHER) {
		close(k.fd);
		return sys_net_invalid(c, -rc, "malformed address");
	}
	if (k.domain == AF_NETLINK) {
		if (sys_net_netlink(s, c, &k, &e, false, false, &len)) {
			rc = FAULT_PERFORM(connect(
				k.fd, (struct sockaddr *)addr, (socklen_t)len));
			if (rc < 0)
				sys_net_errno(c, errno);
			else
				sys_net_value(c, 0);
		}
		close(k.fd);
		return 0;
	}
	if (sys_net_judge_dest(s, c, &k, &e, addr, &len, &pin))
		rc = sys_net_do_connect(s, c, &k, addr, len);
	if (pin >= 0)
		close(pin);
	if (k.fd >= 0)
		close(k.fd);
	return rc < 0 ? rc : 0;
}

/*
 * Send @msg on the supervisor's duplicate; a blocking socket that meets a
 * full buffer becomes a pending call retried when writable. Takes ownership
 * of @data and @control.
 */
static int sys_net_send(struct sentry *s, struct sentry_call *c,
			struct sys_net_sock *k, struct deferred_req *p)
{
	int flags = fcntl(k->fd, F_GETFL);
	ssize_t n;

	p->msg.msg_iov = &p->iov;
	p->msg.msg_iovlen = 1;
	if (p->msg.msg_namelen)
		p->msg.msg_name = p->name;
	n = FAULT_PERFORM(sendmsg(k->fd, &p->msg,
				  p->flags | MSG_DONTWAIT | MSG_NOSIGNAL));
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

int sys_sendto(struct sentry *s, struct sentry_call *c)
{
	size_t len = (size_t)c->pc.args[2], alen = (size_t)c->pc.args[5];
	struct deferred_req p = {.flags = (int)c->pc.args[3]};
	struct sys_net_sock k = {.fd = -1};
	struct net_endpoint e;
	int rc, pin = -1;

	/* The filter notifies sendto only with a destination address. */
	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	if (alen > sizeof(p.name) || alen < sizeof(sa_family_t))
		return sys_net_invalid(c, EINVAL, "bad address length");
	if (!sys_net_begin(s, c, c->pc.args[4], p.name, alen,
			   "address not readable", &k))
		return 0;
	rc = sys_net_parse_as_kernel(&k, p.name, &alen, false, &e);
	if (rc < 0 && e.kind != NET_ENDPOINT_OTHER) {
		close(k.fd);
		return sys_net_invalid(c, -rc, "malformed address");
	}
	if (k.domain == AF_NETLINK) {
		if (!sys_net_netlink(s, c, &k, &e, false, true, &alen)) {
			close(k.fd);
			return 0;
		}
	} else if (!alen) {
		/* AF_UNSPEC on IPv6: the connected peer, as the kernel does. */
		sys_net_allow(c, "connected socket (its connect was judged)");
		sys_net_note_dns(s, &k);
	} else if (!sys_net_judge_dest(s, c, &k, &e, p.name, &alen, &pin)) {
		close(k.fd);
		return 0;
	}
	if (len > SENTRY_SEND_MAX)
		len = k.type == SOCK_STREAM ? SENTRY_SEND_MAX : len;
	if (len > SENTRY_SEND_MAX) {
		close(k.fd);
		sys_net_errno(c, EMSGSIZE);
		return 0;
	}
	p.data = malloc(len ? len : 1);
	if (!p.data) {
		close(k.fd);
		return -ENOMEM;
	}
	rc = sys_net_copy(s, c, c->pc.args[1], p.data, len);
	if (rc < 0) {
		free(p.data);
		close(k.fd);
		/*
		 * ENOENT: the caller is gone, but the verdict already says
		 * allow (with a value of 0): never let that stand as an
		 * answer, fail closed instead.
		 */
		return rc == -ENOENT
			       ? rc
			       : sys_net_unreadable(c, "data not readable");
	}
	p.iov.iov_base = p.data;
	p.iov.iov_len = len;
	p.msg.msg_namelen = (socklen_t)alen;
	/* A pinned unix path must be sent to now: it dies with @pin. */
	if (pin >= 0)
		p.flags |= MSG_DONTWAIT;
	rc = sys_net_send(s, c, &k, &p);
	if (pin >= 0)
		close(pin);
	if (k.fd >= 0)
		close(k.fd);
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

				if (local < 0) {
					for (; j > 0; j--)
						close(fds[j - 1]);
					cm->cmsg_len = CMSG_LEN(0);
					return local == -ENOENT ? -ENOENT
								: -EBADF;
				}
				fds[j] = local;
			}
		}
	}
	return 0;
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
			       struct sys_net_sock *k, struct deferred_req *p,
			       bool may_pend)
{
	struct net_endpoint e = {0};
	size_t nl = p->msg.msg_namelen;
	int rc, pin = -1;

	if (nl) {
		rc = sys_net_parse_as_kernel(k, p->name, &nl, false, &e);
		if (rc < 0 && e.kind != NET_ENDPOINT_OTHER) {
			sys_net_invalid(c, -rc, "malformed address");
			goto out_free;
		}
	}
	if (k->domain == AF_NETLINK) {
		if (!sys_net_netlink(s, c, k, &e, p->msg.msg_controllen != 0,
				     true, &nl))
			goto out_free;
		p->msg.msg_namelen = (socklen_t)nl;
	} else if (!nl) {
		/* No address: the connected peer, which connect() judged. */
		p->msg.msg_namelen = 0;
		snprintf(c->detail, sizeof(c->detail), "fd=%d connected/%s",
			 (int)c->pc.args[0], sys_net_proto_name(k));
		sys_net_allow(c, "connected socket (its connect was judged)");
		sys_net_note_dns(s, k);
	} else {
		if (!sys_net_judge_dest(s, c, k, &e, p->name, &nl, &pin))
			goto out_free;
		p->msg.msg_namelen = (socklen_t)nl;
		if (pin >= 0)
			may_pend = false;
	}
	if (!may_pend)
		p->flags |= MSG_DONTWAIT;
	rc = sys_net_send(s, c, k, p);
	if (pin >= 0)
		close(pin);
	return rc;
out_free:
	sys_net_close_rights(p->control, p->msg.msg_controllen);
	free(p->data);
	free(p->control);
	return 0;
}

int sys_sendmsg(struct sentry *s, struct sentry_call *c)
{
	struct deferred_req p = {.flags = (int)c->pc.args[2]};
	struct sys_net_sock k = {.fd = -1};
	struct msghdr jm;
	int rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	if (!sys_net_begin(s, c, c->pc.args[1], &jm, sizeof(jm),
			   "msghdr not readable", &k))
		return 0;
	rc = sys_net_copy_msg(s, c, &jm, k.type == SOCK_STREAM, &p);
	if (rc < 0) {
		sys_net_close_rights(p.control, p.msg.msg_controllen);
		free(p.data);
		free(p.control);
		close(k.fd);
		return rc == -ENOENT ? 0
				     : sys_net_invalid(c, -rc, "bad message");
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
	struct sys_net_sock k = {.fd = -1};
	int rc;

	if (vlen > SYS_NET_MMSG_MAX)
		vlen = SYS_NET_MMSG_MAX; /* a short count, as UIO_MAXIOV does */
	if (vlen == 0) {
		verdict_allow(&c->v, 0, "nothing to send");
		return 0;
	}
	if (!sys_net_begin(s, c, c->pc.args[1], jv, vlen * sizeof(jv[0]),
			   "mmsghdr not readable", &k))
		return 0;
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
				return 0;
			}
			sys_net_invalid(&one, -rc, "bad message");
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

/* Record the job's bound socket so it counts as its own listener later. */
static void sys_net_note_bound(struct sentry *s, const struct sys_net_sock *k,
			       bool listening)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct stat st;
	uint16_t port;

	if (k->domain != AF_INET && k->domain != AF_INET6)
		return;
	if (fstat(k->fd, &st) < 0 ||
	    getsockname(k->fd, (struct sockaddr *)&ss, &l) < 0)
		return;
	port = ntohs(ss.ss_family == AF_INET6
			     ? ((struct sockaddr_in6 *)&ss)->sin6_port
			     : ((struct sockaddr_in *)&ss)->sin_port);
	if (port)
		netstack_note_bound(&s->net, st.st_ino, k->proto, port,
				    listening || k->proto == POLICY_PROTO_UDP);
}

/* Turn an INET bind address into loopback of the same family and port. */
static void sys_net_to_loopback(uint8_t *addr)
{
	sa_family_t fam;

	memcpy(&fam, addr, sizeof(fam));
	if (fam == AF_INET) {
		struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};

		memcpy(addr + offsetof(struct sockaddr_in, sin_addr), &lo,
		       sizeof(lo));
	} else {
		memcpy(addr + offsetof(struct sockaddr_in6, sin6_addr),
		       &in6addr_loopback, sizeof(in6addr_loopback));
	}
}

/*
 * Bind a unix path as the job would: relative to its cwd, with its umask
 * (the socket file's mode is 0777 & ~umask). The handler's thread enters
 * both alone (threadfs.c): the other supervisor threads keep their own.
 * Return: bind()'s result with errno set; EACCES when the job's cwd cannot
 * be opened or this thread cannot take it alone (the call is then refused).
 */
static int sys_net_bind_unix(struct sentry_call *c,
			     const struct sys_net_sock *k,
			     const struct net_endpoint *e, const uint8_t *addr,
			     size_t len)
{
	struct threadfs_saved saved;
	int cwd = -1, rc, err;

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
	threadfs_leave(&saved);
	errno = err;
	return rc;
}

/*
 * bind(): INET addresses go through the zone's listen mode (non-loopback is
 * denied by default, or moved to loopback). Unix paths are created relative
 * to the job's cwd and with the job's umask (sys_net_bind_unix()).
 */
int sys_bind(struct sentry *s, struct sentry_call *c)
{
	uint8_t addr[SYS_NET_ADDR_MAX];
	size_t len = (size_t)c->pc.args[2];
	struct sys_net_sock k = {.fd = -1};
	struct policy_decision d;
	struct net_endpoint e;
	char where[200];
	int rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	if (len > sizeof(addr) || len < sizeof(sa_family_t))
		return sys_net_invalid(c, EINVAL, "bad address length");
	if (!sys_net_begin(s, c, c->pc.args[1], addr, len,
			   "address not readable", &k))
		return 0;
	rc = sys_net_parse_as_kernel(&k, addr, &len, true, &e);
	if (rc < 0 && e.kind != NET_ENDPOINT_OTHER) {
		close(k.fd);
		return sys_net_invalid(c, -rc, "malformed address");
	}
	sockaddr_fmt(&e, where, sizeof(where));
	snprintf(c->detail, sizeof(c->detail), "%s/%s", where,
		 sys_net_proto_name(&k));
	if (e.kind == NET_ENDPOINT_INET && e.port == 0) {
		/*
		 * An ephemeral port (a client choosing its source address or
		 * port): nothing listens yet. listen() judges what the socket
		 * is bound to when it starts listening.
		 */
		sys_net_allow(c,
			      "ephemeral bind (listening is judged at listen)");
		rc = FAULT_PERFORM(
			bind(k.fd, (struct sockaddr *)addr, (socklen_t)len));
	} else if (e.kind == NET_ENDPOINT_INET) {
		netstack_decide_bind(&s->net, &e, k.proto, &d);
		if (!sys_net_verdict(s, c, &d)) {
			close(k.fd);
			return 0;
		}
		if (d.verdict == POLICY_VERDICT_LOOPBACK)
			sys_net_to_loopback(addr);
		rc = FAULT_PERFORM(
			bind(k.fd, (struct sockaddr *)addr, (socklen_t)len));
	} else if (e.kind == NET_ENDPOINT_UNIX) {
		sys_net_allow(c, "binding a unix socket is allowed");
		rc = sys_net_bind_unix(c, &k, &e, addr, len);
	} else {
		sys_net_allow(c, "binding this address family is allowed");
		rc = FAULT_PERFORM(
			bind(k.fd, (struct sockaddr *)addr, (socklen_t)len));
		if (rc == 0 && e.kind == NET_ENDPOINT_ABSTRACT)
			netstack_note_abstract(&s->net, e.path, e.path_len);
	}
	if (rc == 0 && k.domain == AF_UNIX)
		netstack_note_unix(&s->net, k.fd);
	if (rc < 0) {
		sys_net_errno(c, errno);
	} else {
		sys_net_value(c, 0);
		sys_net_note_bound(s, &k, false);
	}
	close(k.fd);
	return 0;
}

/*
 * listen(): performed on the job's socket object, so the socket recorded as
 * the job's listener is the one that listens. An unbound socket would be
 * bound by the kernel to the wildcard address: that is judged like a bind.
 */
/* The address @ss (of @k's family) as a policy endpoint. */
static void sys_net_endpoint_of(const struct sys_net_sock *k,
				const struct sockaddr_storage *ss,
				struct net_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = NET_ENDPOINT_INET;
	e->family = k->domain;
	if (k->domain == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		e->addr.family = 6;
		memcpy(e->addr.b, &in6->sin6_addr, 16);
		e->port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in = (const void *)ss;

		e->addr.family = 4;
		memcpy(e->addr.b, &in->sin_addr, 4);
		e->port = ntohs(in->sin_port);
	}
}

/*
 * listen(): performed on the job's socket object, so the socket recorded as
 * the job's listener is the one that listens. What it is bound to is judged
 * here whatever the bind was: an unbound socket would be bound by the kernel
 * to the wildcard address (judged as that, and moved to loopback when the
 * zone says so); a socket bound to an ephemeral port, or through any other
 * path, is judged on its actual address.
 */
int sys_listen(struct sentry *s, struct sentry_call *c)
{
	struct sys_net_sock k = {.fd = -1};
	struct sockaddr_storage ss;
	struct policy_decision d;
	struct net_endpoint e;
	socklen_t l = sizeof(ss);
	char where[200];
	int rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d backlog=%d",
		 (int)c->pc.args[0], (int)c->pc.args[1]);
	rc = sys_net_take(s, c, (int)c->pc.args[0], &k);
	if (rc < 0)
		return sys_net_invalid(c, -rc == EBADF ? EBADF : ENOTSOCK,
				       "not a socket");
	sys_net_allow(c, "listen");
	if (sys_net_is_inet(&k)) {
		if (getsockname(k.fd, (struct sockaddr *)&ss, &l) < 0) {
			sys_net_errno(c, errno);
			close(k.fd);
			return 0;
		}
		sys_net_endpoint_of(&k, &ss, &e);
		sockaddr_fmt(&e, where, sizeof(where));
		snprintf(c->detail, sizeof(c->detail), "%s/%s backlog=%d",
			 where, sys_net_proto_name(&k), (int)c->pc.args[1]);
		netstack_decide_bind(&s->net, &e, k.proto, &d);
		if (!sys_net_verdict(s, c, &d)) {
			close(k.fd);
			return 0;
		}
		if (d.verdict == POLICY_VERDICT_LOOPBACK) {
			if (e.port) {
				/* Bound already: it cannot be moved now. */
				sys_net_deny(
					c, NETSTACK_DENY_ERRNO,
					"listen loopback: this socket is bound "
					"to a non-loopback address already");
				close(k.fd);
				return 0;
			}
			memset(&ss, 0, sizeof(ss));
			ss.ss_family = (sa_family_t)k.domain;
			sys_net_to_loopback((uint8_t *)&ss);
			if (FAULT_PERFORM(bind(k.fd, (struct sockaddr *)&ss,
					       l)) < 0) {
				sys_net_errno(c, errno);
				close(k.fd);
				return 0;
			}
		}
	}
	if (FAULT_PERFORM(listen(k.fd, (int)c->pc.args[1])) < 0) {
		sys_net_errno(c, errno);
	} else {
		sys_net_value(c, 0);
		sys_net_note_bound(s, &k, true);
	}
	close(k.fd);
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

/* @peer as a sockaddr of the socket's own family. */
static socklen_t sys_net_peer_addr(const struct sys_net_sock *k,
				   const struct net_endpoint *peer,
				   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (k->domain == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(peer->port);
		memcpy(&in->sin_addr,
		       peer->addr.family == 4 ? peer->addr.b
					      : peer->addr.b + 12,
		       4);
		return sizeof(*in);
	}
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(peer->port);
		if (peer->addr.family == 4) {
			in6->sin6_addr.s6_addr[10] = 0xff;
			in6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&in6->sin6_addr.s6_addr[12], peer->addr.b, 4);
		} else {
			memcpy(&in6->sin6_addr, peer->addr.b, 16);
		}
		return sizeof(*in6);
	}
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
				 struct sys_net_sock *k,
				 const struct net_endpoint *peer,
				 const struct sys_net_recv_req *r,
				 int *msg_flags)
{
	static uint8_t buf[SYS_NET_RECV_MAX];
	struct platform_mem_seg seg[SYS_NET_RECV_IOV + 2];
	struct sockaddr_storage from, shown;
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
	sys_net_allow(c, "receive on a DNS-redirected socket (source shown "
			 "as the server asked)");

	for (i = 0; i < r->n_iov; i++)
		want += r->iov[i].iov_len;
	iov.iov_len = want < sizeof(buf) ? want : sizeof(buf);
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
		if (dns_proxy_is_proxy(s->dns, (struct sockaddr *)&from,
				       m.msg_namelen)) {
			sl = sys_net_peer_addr(k, peer, &shown);
		} else {
			shown = from;
			sl = m.msg_namelen;
		}
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

/* Take the socket and find out whether it is redirected; else continue. */
static const struct net_endpoint *sys_net_recv_take(struct sentry *s,
						    struct sentry_call *c,
						    struct sys_net_sock *k)
{
	const struct net_endpoint *peer;

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	sys_net_passthrough(c);
	if (!netstack_emulating(&s->net))
		return NULL;
	if (sys_net_take(s, c, (int)c->pc.args[0], k) < 0)
		return NULL;
	peer = netstack_emulated(&s->net, sys_net_cookie(k->fd));
	if (!peer) {
		close(k->fd);
		k->fd = -1;
	}
	return peer;
}

int sys_recvfrom(struct sentry *s, struct sentry_call *c)
{
	struct sys_net_sock k = {.fd = -1};
	struct sys_net_recv_req r = {.n_iov = 1};
	const struct net_endpoint *peer;
	socklen_t cap = 0;
	int flags = 0;

	peer = sys_net_recv_take(s, c, &k);
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
				 struct sys_net_sock *k,
				 const struct net_endpoint *peer, uint64_t addr,
				 int flags)
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
	struct sys_net_sock k = {.fd = -1};
	const struct net_endpoint *peer;

	peer = sys_net_recv_take(s, c, &k);
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
	struct sys_net_sock k = {.fd = -1};
	const struct net_endpoint *peer;

	peer = sys_net_recv_take(s, c, &k);
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
