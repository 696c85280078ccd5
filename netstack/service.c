/* SPDX-License-Identifier: MIT */
/*
 * service.c - the services netstack runs for the job behind one interface
 * (start, fd, run, events): the DNS proxy today, the relay next. The
 * supervisor's loop knows only this interface and one epoll tag; each
 * service is held once, in struct netstack.
 */
#include <errno.h>

#include "netstack/netstack.h"

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
	}
}

bool netstack_service_running(const struct netstack *ns,
			      enum netstack_service_kind k)
{
	return k == NETSTACK_SERVICE_DNS && ns->dns;
}

int netstack_service_fd(const struct netstack *ns, enum netstack_service_kind k)
{
	return netstack_service_running(ns, k) ? dns_proxy_fd(ns->dns) : -1;
}

int netstack_service_run(struct netstack *ns, enum netstack_service_kind k)
{
	return netstack_service_running(ns, k) ? dns_proxy_run(ns->dns) : 0;
}

size_t netstack_service_events(struct netstack *ns,
			       enum netstack_service_kind k,
			       const struct netstack_event **out)
{
	if (!netstack_service_running(ns, k))
		return 0;
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
