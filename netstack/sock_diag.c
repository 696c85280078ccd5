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
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "netstack.h"

#define SOCK_DIAG_TCP_LISTEN 10
#define SOCK_DIAG_BUF 32768

int sock_diag_listeners(int family, unsigned proto, uint16_t port, ino_t *inos,
			size_t max)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	static char buf[SOCK_DIAG_BUF];
	size_t found = 0;
	int fd, rc = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = (uint8_t)family;
	msg.req.sdiag_protocol =
		proto == POLICY_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	/* TCP: listeners only. UDP: every socket (bound ones are CLOSE). */
	msg.req.idiag_states =
		proto == POLICY_PROTO_UDP ? ~0U : 1U << SOCK_DIAG_TCP_LISTEN;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0) {
		rc = -errno;
		goto out_close;
	}
	for (;;) {
		ssize_t n = EINTR_RETRY(recv(fd, buf, sizeof(buf), 0));
		struct nlmsghdr *h;

		if (n < 0) {
			rc = -errno;
			goto out_close;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct inet_diag_msg *d;

			if (h->nlmsg_type == NLMSG_DONE)
				goto out_close;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e))
					     ? e->error
					     : -EIO;
				goto out_close;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
				continue;
			d = NLMSG_DATA(h);
			if (ntohs(d->id.idiag_sport) != port)
				continue;
			/* A connected UDP socket is not a listener. */
			if (proto == POLICY_PROTO_UDP && d->id.idiag_dport)
				continue;
			if (found < max)
				inos[found] = (ino_t)d->idiag_inode;
			found++;
		}
		if (n == 0)
			break;
	}
out_close:
	close(fd);
	if (rc < 0)
		return rc;
	/* Unreported sockets could be anyone's: make the caller fail closed. */
	return found > max ? -E2BIG : (int)found;
}
