/* SPDX-License-Identifier: MIT */
/*
 * service.c - the services netstack runs for the job behind one interface
 * (start, fd, run, events): the DNS proxy and the relay. The
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
	case NETSTACK_SERVICE_RELAY:
		if (ns->relay)
			return 0;
		rc = relay_new(&ns->relay, ns->tables);
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
