/* SPDX-License-Identifier: MIT */
/*
 * sock_diag.c - ask the kernel about sockets (NETLINK_SOCK_DIAG): which
 * socket listens on a port (inet_diag), so that "the job's own listener" is
 * a fact about the socket object, not a port number remembered from
 * earlier: a port the job released and a host service then took is not the
 * job's; and which file or name a unix socket is bound to (unix_diag).
 * Needs no privilege; sees the supervisor's (= the job's) network
 * namespace.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/common.h"
#include "netstack/netstack.h"

/*
 * The supervisor's NETLINK_SOCK_DIAG socket: opened at the first question and
 * kept (a socket per question cost a socket() and a close() on every
 * connect to loopback). Requests carry a sequence number and replies to an
 * earlier, abandoned request are skipped.
 */
static int sock_diag_fd = -1;
static uint32_t sock_diag_seq;
/* sock_diag_ignore(): written once before any thread asks, then read. */
static bool sock_diag_off;

void sock_diag_ignore(void)
{
	sock_diag_off = true;
}

bool sock_diag_ignored(void)
{
	return sock_diag_off;
}

/*
 * One request, one answer: send @req (@len bytes, a struct nlmsghdr first)
 * and receive the reply to it into @buf. Return: bytes received or -errno.
 */
static ssize_t sock_diag_ask(void *req, size_t len, char *buf, size_t cap)
{
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	struct nlmsghdr *q = req;
	ssize_t n;
	int tries;

	/* A kernel without the handler: the error reply carries ENOENT. */
	if (sock_diag_off)
		return -ENOENT;
	if (sock_diag_fd < 0) {
		sock_diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
				      NETLINK_SOCK_DIAG);
		if (sock_diag_fd < 0)
			return -errno;
	}
	q->nlmsg_seq = ++sock_diag_seq;
	if (sendto(sock_diag_fd, req, len, 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0)
		return -errno;
	/* An exact lookup answers with one message: skip stale ones. */
	for (tries = 0; tries < 16; tries++) {
		n = EINTR_RETRY(recv(sock_diag_fd, buf, cap, 0));
		if (n < 0)
			return -errno;
		if ((size_t)n >= sizeof(struct nlmsghdr) &&
		    ((struct nlmsghdr *)buf)->nlmsg_seq == sock_diag_seq)
			return n;
	}
	return -EIO;
}

/* The error a reply carries, or 0 when @h is not an error. */
static int sock_diag_error(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);

	if (h->nlmsg_type != NLMSG_ERROR)
		return 0;
	return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error : -EIO;
}

int sock_diag_receiver(const struct policy_addr *dst, unsigned proto,
		       uint16_t port, uint16_t src_port, uint64_t *cookie)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	char buf[4096];
	struct nlmsghdr *h;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.req.sdiag_family = dst->family == 4 ? AF_INET : AF_INET6;
	msg.req.sdiag_protocol =
		proto == POLICY_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	msg.req.idiag_states = ~0U;
	msg.req.id.idiag_cookie[0] = msg.req.id.idiag_cookie[1] =
		INET_DIAG_NOCOOKIE;
	/* Local traffic arrives on loopback: a socket bound to that device
	 * (a narrowed wildcard listener) takes it, and is found so. */
	msg.req.id.idiag_if = NETSTACK_LOOPBACK_IFINDEX;
	/*
	 * An exact lookup asks the kernel's own demultiplexer which socket
	 * would take a packet to @dst:@port from a peer at the same address
	 * (port @src_port, or 1): for TCP the listener (always port 1: no
	 * established socket has that peer), for UDP the receiver, a socket
	 * connected to that very peer included.
	 * The two protocols name the ends the opposite way round.
	 */
	if (proto == POLICY_PROTO_UDP) {
		msg.req.id.idiag_dport = htons(port);
		memcpy(msg.req.id.idiag_dst, dst->b, dst->family == 4 ? 4 : 16);
		msg.req.id.idiag_sport = htons(src_port ? src_port : 1);
		memcpy(msg.req.id.idiag_src, dst->b, dst->family == 4 ? 4 : 16);
	} else {
		msg.req.id.idiag_sport = htons(port);
		memcpy(msg.req.id.idiag_src, dst->b, dst->family == 4 ? 4 : 16);
		msg.req.id.idiag_dport = htons(1);
		memcpy(msg.req.id.idiag_dst, dst->b, dst->family == 4 ? 4 : 16);
	}
	n = sock_diag_ask(&msg, sizeof(msg), buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		const struct inet_diag_msg *d = NLMSG_DATA(h);

		if (h->nlmsg_type == NLMSG_ERROR)
			return sock_diag_error(h);
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
			continue;
		*cookie = (uint64_t)d->id.idiag_cookie[0] |
			  (uint64_t)d->id.idiag_cookie[1] << 32;
		return 0;
	}
	return -ENOENT;
}

/* The attributes of one unix_diag_msg into @out. */
static void sock_diag_unix_attrs(const struct nlmsghdr *h,
				 struct sock_diag_unix *out)
{
	const struct unix_diag_msg *d = NLMSG_DATA(h);
	const struct rtattr *a =
		(const struct rtattr *)((const char *)d +
					NLMSG_ALIGN(sizeof(*d)));
	int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*d));

	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		size_t plen = RTA_PAYLOAD(a);

		if (a->rta_type == UNIX_DIAG_VFS &&
		    plen >= sizeof(struct unix_diag_vfs)) {
			const struct unix_diag_vfs *v = RTA_DATA(a);

			/* The kernel's dev_t: major above bit 20. */
			out->vfs_dev = makedev(v->udiag_vfs_dev >> 20,
					       v->udiag_vfs_dev & 0xfffff);
			out->vfs_ino = v->udiag_vfs_ino;
			out->has_vfs = true;
		} else if (a->rta_type == UNIX_DIAG_NAME && plen > 0 &&
			   plen <= sizeof(out->name)) {
			memcpy(out->name, RTA_DATA(a), plen);
			out->name_len = plen;
		}
	}
}

int sock_diag_unix(uint64_t ino, uint64_t cookie, struct sock_diag_unix *out)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg;
	char buf[4096];
	struct nlmsghdr *h;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (ino > UINT32_MAX)
		return -ENOENT;
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = ~0U;
	msg.req.udiag_ino = (uint32_t)ino;
	msg.req.udiag_show = UDIAG_SHOW_VFS | UDIAG_SHOW_NAME;
	/* The cookie makes a recycled inode number another socket. */
	msg.req.udiag_cookie[0] = (uint32_t)cookie;
	msg.req.udiag_cookie[1] = (uint32_t)(cookie >> 32);
	n = sock_diag_ask(&msg, sizeof(msg), buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR)
			return sock_diag_error(h);
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
			continue;
		sock_diag_unix_attrs(h, out);
		return 0;
	}
	return -ENOENT;
}

/* One dump request; the replies come as several messages until NLMSG_DONE. */
static int sock_diag_dump_start(int fd, int family, unsigned proto)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = 1;
	msg.req.sdiag_family = (uint8_t)family;
	msg.req.sdiag_protocol =
		proto == POLICY_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	msg.req.idiag_states = ~0U;
	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
		      sizeof(nl)) < 0
		       ? -errno
		       : 0;
}

int sock_diag_inet_cookies(int family, unsigned proto, uint64_t *out,
			   size_t max)
{
	char buf[16384];
	size_t n = 0;
	int fd, rc;

	/* A socket of its own: a dump must not interleave with lookups. */
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	rc = sock_diag_dump_start(fd, family, proto);
	while (rc == 0) {
		ssize_t len = EINTR_RETRY(recv(fd, buf, sizeof(buf), 0));
		struct nlmsghdr *h;

		if (len < 0) {
			rc = -errno;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			const struct inet_diag_msg *d = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return (int)n;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				rc = sock_diag_error(h);
				rc = rc ? rc : -EIO;
				break;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
				continue;
			if (n == max) {
				rc = -ENOBUFS;
				break;
			}
			out[n++] = (uint64_t)d->id.idiag_cookie[0] |
				   (uint64_t)d->id.idiag_cookie[1] << 32;
		}
	}
	close(fd);
	return rc;
}

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U /* Linux 5.8 */
#endif

/*
 * The device of the superblock mount @mnt_id is on, as
 * /proc/self/mountinfo's third field says it ("MAJOR:MINOR").
 * Return: 0 and *@dev, or -errno.
 */
static int sock_diag_mount_dev(uint64_t mnt_id, uint64_t *dev)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -ENOENT;
	bool at_start = true;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long id, parent;
		unsigned int maj, min;
		bool start = at_start;

		/* A line longer than the buffer: its rest is no line. */
		at_start = strchr(line, '\n') != NULL;
		if (!start ||
		    sscanf(line, "%llu %llu %u:%u ", &id, &parent, &maj,
			   &min) != 4 ||
		    id != mnt_id)
			continue;
		*dev = makedev(maj, min);
		rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

bool sock_diag_unix_is_file(uint64_t vfs_dev, uint64_t vfs_ino, int fd,
			    const struct stat *st)
{
	struct statx sx;
	uint64_t sb_dev;

	if (vfs_ino != (uint64_t)st->st_ino)
		return false;
	if (vfs_dev == (uint64_t)st->st_dev)
		return true;
	/* overlayfs: stat() shows a layer's pseudo device, not its own. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID,
		  &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID) ||
	    sock_diag_mount_dev(sx.stx_mnt_id, &sb_dev) < 0)
		return false;
	return vfs_dev == sb_dev;
}

/* Is the unix socket made here found by unix_diag? */
static bool sock_diag_probe_unix(void)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct sock_diag_unix out;
	uint64_t cookie = 0;
	socklen_t l = sizeof(cookie);
	struct stat st;
	bool ok;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	/* Autobind: an abstract name of the kernel's choosing. */
	ok = bind(fd, (struct sockaddr *)&un, sizeof(sa_family_t)) == 0 &&
	     fstat(fd, &st) == 0 &&
	     getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &l) == 0 &&
	     sock_diag_unix(st.st_ino, cookie, &out) == 0 && out.name_len > 0;
	close(fd);
	return ok;
}

/* Is the @type socket made here on 127.0.0.1 found by inet_diag? */
static bool sock_diag_probe_inet(int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct policy_addr lo = {.family = 4, .b = {127, 0, 0, 1}};
	uint64_t cookie = 0, found = 0;
	socklen_t l = sizeof(a), cl = sizeof(cookie);
	bool ok;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	     (type != SOCK_STREAM || listen(fd, 1) == 0) &&
	     getsockname(fd, (struct sockaddr *)&a, &l) == 0 &&
	     getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &cl) == 0 &&
	     sock_diag_receiver(&lo,
				type == SOCK_STREAM ? POLICY_PROTO_TCP
						    : POLICY_PROTO_UDP,
				ntohs(a.sin_port), 0, &found) == 0 &&
	     found == cookie;
	close(fd);
	return ok;
}

unsigned int sock_diag_probe(void)
{
	return (sock_diag_probe_unix() ? SOCK_DIAG_HAS_UNIX : 0) |
	       (sock_diag_probe_inet(SOCK_STREAM) ? SOCK_DIAG_HAS_TCP : 0) |
	       (sock_diag_probe_inet(SOCK_DGRAM) ? SOCK_DIAG_HAS_UDP : 0);
}
