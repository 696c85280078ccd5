/* SPDX-License-Identifier: MIT */
/*
 * service.c - the services netstack runs for the job behind one interface
 * (start, fd, run, events): the DNS proxy and the relay. The
 * supervisor's loop knows only this interface and one epoll tag; each
 * service is held once, in struct netstack. Also what the services share:
 * how one opens its loopback listeners (netstack_service_listen()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netstack/netstack_priv.h"

int netstack_service_listen(int epfd, uint64_t tag, int family, int type,
			    int backlog, struct sockaddr_storage *bound)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, e;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	} else {
		return -EAFNOSUPPORT;
	}
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		int one = 1;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	if (bound)
		*bound = ss;
	return fd;
}

int netstack_service_start(struct netstack *ns, enum netstack_service_kind k)
{
	int rc;

	switch (k) {
	case NETSTACK_SERVICE_DNS:
		if (ns->dns)
			return 0;
		netstack_host_addrs_load(ns);
		rc = dns_proxy_new(&ns->dns, ns->tables, &ns->rt);
		return rc < 0 ? rc : 1;
	case NETSTACK_SERVICE_RELAY:
		if (ns->relay)
			return 0;
		rc = relay_new(&ns->relay, ns->tables, &ns->quota);
		return rc < 0 ? rc : 1;
	case NETSTACK_SERVICE_COUNT:
		break;
	}
	return -EINVAL;
}

void netstack_service_stop(struct netstack *ns, enum netstack_service_kind k)
{
	if (k == NETSTACK_SERVICE_DNS) {
		dns_proxy_free(ns->dns);
		ns->dns = NULL;
	} else if (k == NETSTACK_SERVICE_RELAY) {
		relay_free(ns->relay);
		ns->relay = NULL;
	}
}

bool netstack_service_running(const struct netstack *ns,
			      enum netstack_service_kind k)
{
	return (k == NETSTACK_SERVICE_DNS && ns->dns) ||
	       (k == NETSTACK_SERVICE_RELAY && ns->relay);
}

int netstack_service_fd(const struct netstack *ns, enum netstack_service_kind k)
{
	if (!netstack_service_running(ns, k))
		return -1;
	return k == NETSTACK_SERVICE_RELAY ? relay_fd(ns->relay)
					   : dns_proxy_fd(ns->dns);
}

int netstack_service_run(struct netstack *ns, enum netstack_service_kind k)
{
	if (!netstack_service_running(ns, k))
		return 0;
	/* The relay runs in its own thread: here only its events. */
	return k == NETSTACK_SERVICE_RELAY ? 0 : dns_proxy_run(ns->dns);
}

size_t netstack_service_events(struct netstack *ns,
			       enum netstack_service_kind k,
			       const struct netstack_event **out)
{
	if (!netstack_service_running(ns, k))
		return 0;
	if (k == NETSTACK_SERVICE_RELAY)
		return relay_events(ns->relay, out);
	return dns_proxy_events(ns->dns, out);
}

void netstack_fini(struct netstack *ns)
{
	int k;

	for (k = 0; k < NETSTACK_SERVICE_COUNT; k++)
		netstack_service_stop(ns, (enum netstack_service_kind)k);
	netstack_unix_own_fini(ns);
	netstack_own_fini(ns);
}
