/* SPDX-License-Identifier: MIT */
/*
 * unix_rights.c - the pure part of refusing fds that come from outside the
 * job: whether the job's receives on unix sockets must be performed by the
 * supervisor at all (the guard), and the rewrite of the control data the
 * supervisor received into what the job gets. No syscalls here: the sentry
 * performs the receive, judges the sender and installs fds
 * (sentry/sys_rights.c).
 *
 * Theory of operation
 * -------------------
 * SCM_RIGHTS can only arrive through recvmsg()/recvmmsg() on a unix socket
 * (read(), recv() and recvfrom() have no control buffer: the kernel closes
 * any fds queued and sets MSG_CTRUNC). Once the job holds a unix socket that
 * anything outside may reach, the supervisor performs those receives itself
 * with SO_PASSCRED on, so each message carries its sender's pid (and, from
 * 6.5, with SO_PASSPIDFD a pidfd that cannot be reused), keeps the fds of a
 * sender inside the job and closes the rest. That holds on every kernel and
 * whatever the route: an outsider that connected to the job's listener,
 * sent to its datagram socket, or was handed a peer end by the job.
 *
 * The guard turns on the first time the job holds such a socket: a unix
 * socket it bound, connected or sent from through the supervisor, or one it
 * inherited. Before that no unix socket of the job can have a peer outside
 * (socketpair() ends are the job's until one is handed out, and handing one
 * out needs a channel that turned the guard on), so recvmsg() stays on the
 * kernel's fast path for jobs that never use unix sockets.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/kcompat.h"
#include "netstack/netstack.h"

void unix_rights_guard_on(struct netstack *ns)
{
	ns->unix_guard = true;
}

bool unix_rights_guarding(const struct netstack *ns)
{
	return ns->unix_guard;
}

/* The cmsghdr at @off in @p..@len, copied out; false at the end or broken. */
static bool unix_rights_cmsg_at(const uint8_t *p, size_t len, size_t off,
				struct cmsghdr *h)
{
	if (off > len || len - off < sizeof(*h))
		return false;
	memcpy(h, p + off, sizeof(*h));
	return h->cmsg_len >= sizeof(*h) && h->cmsg_len <= len - off;
}

/* Offset of the next cmsghdr after the one at @off (CMSG_NXTHDR's step). */
static size_t unix_rights_next(size_t off, const struct cmsghdr *h)
{
	return off + CMSG_ALIGN(h->cmsg_len);
}

int unix_rights_parse(const uint8_t *p, size_t len, struct unix_rights_rx *rx)
{
	struct cmsghdr h;
	size_t off = 0;

	memset(rx, 0, sizeof(*rx));
	rx->pidfd = -1;
	while (unix_rights_cmsg_at(p, len, off, &h)) {
		const uint8_t *data = p + off + CMSG_LEN(0);
		size_t dlen = h.cmsg_len - CMSG_LEN(0);

		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			size_t n = dlen / sizeof(int), i;

			for (i = 0; i < n; i++) {
				if (rx->n_fds == UNIX_RIGHTS_FDS_MAX)
					return -E2BIG;
				memcpy(&rx->fds[rx->n_fds++],
				       data + i * sizeof(int), sizeof(int));
			}
		} else if (h.cmsg_level == SOL_SOCKET &&
			   h.cmsg_type == SCM_CREDENTIALS &&
			   dlen >= sizeof(struct ucred)) {
			struct ucred u;

			memcpy(&u, data, sizeof(u));
			rx->has_cred = true;
			rx->pid = u.pid;
		} else if (h.cmsg_level == SOL_SOCKET &&
			   h.cmsg_type == KCOMPAT_SCM_PIDFD &&
			   dlen >= sizeof(int)) {
			/* A negative value is the kernel's errno (ESRCH). */
			memcpy(&rx->pidfd, data, sizeof(int));
			rx->has_pidfd = true;
		}
		off = unix_rights_next(off, &h);
	}
	return 0;
}

/* Append one cmsg of @dlen data bytes if it fits: the kernel's put_cmsg. */
static bool unix_rights_put(uint8_t *out, size_t cap, size_t *used, int level,
			    int type, const void *data, size_t dlen)
{
	struct cmsghdr h = {.cmsg_len = CMSG_LEN(dlen),
			    .cmsg_level = level,
			    .cmsg_type = type};
	size_t space = CMSG_SPACE(dlen);

	if (cap - *used < CMSG_LEN(dlen))
		return false;
	memcpy(out + *used, &h, sizeof(h));
	memcpy(out + *used + CMSG_LEN(0), data, dlen);
	if (space > cap - *used)
		space = cap - *used;
	memset(out + *used + CMSG_LEN(dlen), 0, space - CMSG_LEN(dlen));
	*used += space;
	return true;
}

size_t unix_rights_build(const uint8_t *p, size_t len,
			 const struct unix_rights_out *o, uint8_t *out,
			 size_t cap, size_t *n_fit, int *msg_flags)
{
	struct cmsghdr h;
	size_t off = 0, used = 0;

	*n_fit = 0;
	while (unix_rights_cmsg_at(p, len, off, &h)) {
		const uint8_t *data = p + off + CMSG_LEN(0);
		size_t dlen = h.cmsg_len - CMSG_LEN(0);
		bool sol = h.cmsg_level == SOL_SOCKET;

		off = unix_rights_next(off, &h);
		if (sol && h.cmsg_type == SCM_RIGHTS) {
			size_t room, n = o->n_fds;

			/* As scm_detach_fds(): as many fds as fit. */
			if (!n)
				continue;
			room = cap - used < CMSG_LEN(0)
				       ? 0
				       : (cap - used - CMSG_LEN(0)) /
						 sizeof(int);
			if (n > room) {
				n = room;
				*msg_flags |= MSG_CTRUNC;
			}
			if (n && unix_rights_put(out, cap, &used, SOL_SOCKET,
						 SCM_RIGHTS, o->fds,
						 n * sizeof(int)))
				*n_fit = n;
			continue;
		}
		if (sol && h.cmsg_type == SCM_CREDENTIALS && !o->keep_cred)
			continue;
		if (sol && h.cmsg_type == KCOMPAT_SCM_PIDFD) {
			if (o->pidfd == UNIX_RIGHTS_DROP)
				continue;
			if (!unix_rights_put(out, cap, &used, SOL_SOCKET,
					     KCOMPAT_SCM_PIDFD, &o->pidfd,
					     sizeof(int)))
				*msg_flags |= MSG_CTRUNC;
			continue;
		}
		if (!unix_rights_put(out, cap, &used, h.cmsg_level, h.cmsg_type,
				     data, dlen))
			*msg_flags |= MSG_CTRUNC;
	}
	if (o->refused)
		*msg_flags |= MSG_CTRUNC; /* as when the kernel drops fds */
	return used;
}
