/* SPDX-License-Identifier: MIT */
/*
 * sock_diag.c - ask the kernel which socket listens on a port
 * (NETLINK_SOCK_DIAG, inet_diag), so that "the job's own listener" is a fact
 * about the socket object, not a port number remembered from earlier: a port
 * the job released and a host service then took is not the job's. Needs no
 * privilege; sees the supervisor's (= the job's) network namespace.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netstack.h"

int sock_diag_receiver(const struct policy_addr *dst, unsigned proto,
		       uint16_t port, ino_t *ino)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	char buf[4096];
	struct nlmsghdr *h;
	ssize_t n;
	int fd, rc = -ENOENT;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
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
	/*
	 * An exact lookup asks the kernel's own demultiplexer which socket
	 * would take a packet to @dst:@port from a peer that has no socket
	 * of its own (port 1 of the same address): for TCP the listener
	 * (no established socket has that peer), for UDP the receiver.
	 * The two protocols name the ends the opposite way round.
	 */
	if (proto == POLICY_PROTO_UDP) {
		msg.req.id.idiag_dport = htons(port);
		memcpy(msg.req.id.idiag_dst, dst->b, dst->family == 4 ? 4 : 16);
		msg.req.id.idiag_sport = htons(1);
		memcpy(msg.req.id.idiag_src, dst->b, dst->family == 4 ? 4 : 16);
	} else {
		msg.req.id.idiag_sport = htons(port);
		memcpy(msg.req.id.idiag_src, dst->b, dst->family == 4 ? 4 : 16);
		msg.req.id.idiag_dport = htons(1);
		memcpy(msg.req.id.idiag_dst, dst->b, dst->family == 4 ? 4 : 16);
	}
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0) {
		rc = -errno;
		goto out_close;
	}
	n = EINTR_RETRY(recv(fd, buf, sizeof(buf), 0));
	if (n < 0) {
		rc = -errno;
		goto out_close;
	}
	for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		struct inet_diag_msg *d;

		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error
								      : -EIO;
			break;
		}
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
			continue;
		d = NLMSG_DATA(h);
		*ino = (ino_t)d->idiag_inode;
		rc = 0;
		break;
	}
out_close:
	close(fd);
	return rc;
}
