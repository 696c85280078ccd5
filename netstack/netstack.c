/* SPDX-License-Identifier: MIT */
/*
 * netstack.c - the job's network state (its bound sockets, the host's
 * addresses, the placeholder values of unix rules) and the decisions built on
 * it. Every decision goes through the zone's compiled tables (policy/), the
 * same functions `cordon policy explain` runs.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/common.h"
#include "netstack/netstack.h"

static const char *netstack_env(char *const *envp, const char *key)
{
	size_t klen = strlen(key), i;

	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], key, klen) && envp[i][klen] == '=')
			return envp[i] + klen + 1;
	return NULL;
}

void netstack_host_addrs_load(struct netstack *ns)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (ns->host_addrs_loaded)
		return;
	ns->host_addrs_loaded = true;
	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i && n < NETSTACK_HOST_ADDRS_MAX; i = i->ifa_next) {
		struct policy_addr *a = &ns->host_addrs[n];

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a->family = 4;
			memcpy(a->b,
			       &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			       4);
			n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a->family = 6;
			memcpy(a->b,
			       &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
			       16);
			n++;
		}
	}
	freeifaddrs(ifa);
	ns->rt.host_addrs = ns->host_addrs;
	ns->rt.n_host_addrs = n;
}

static void netstack_placeholder(char *dst, size_t len, const char *val,
				 const char **slot)
{
	if (!val || !*val || strlen(val) >= len) {
		*slot = NULL;
		return;
	}
	snprintf(dst, len, "%s", val);
	*slot = dst;
}

int netstack_init(struct netstack *ns, const struct zone_tables *tables,
		  char *const *envp, const char *cwd)
{
	const char *tmp = netstack_env(envp, "TMPDIR");

	/* @ns arrives zeroed (a calloc'd supervisor): touching all of it
	 * here would cost page faults at every start. */
	ns->tables = tables;
	netstack_placeholder(ns->cwd, sizeof(ns->cwd), cwd, &ns->rt.cwd);
	netstack_placeholder(ns->tmpdir, sizeof(ns->tmpdir), tmp ? tmp : "/tmp",
			     &ns->rt.tmpdir);
	netstack_placeholder(ns->xdg_runtime_dir, sizeof(ns->xdg_runtime_dir),
			     netstack_env(envp, "XDG_RUNTIME_DIR"),
			     &ns->rt.xdg_runtime_dir);
	netstack_placeholder(ns->home, sizeof(ns->home),
			     netstack_env(envp, "HOME"), &ns->rt.home);
	return 0;
}

/* Loopback or one of the host's own addresses, after normalisation. */
static bool netstack_is_local(const struct netstack *ns,
			      const struct policy_addr *a)
{
	static const struct policy_addr lo4 = {.family = 4, .b = {127}};
	static const struct policy_addr lo6 = {
		.family = 6,
		.b = {[15] = 1},
	};
	struct policy_addr n;
	size_t i;

	policy_addr_normalize(a, &n);
	if (policy_addr_match(&lo4, 8, &n) || policy_addr_match(&lo6, 128, &n))
		return true;
	for (i = 0; i < ns->rt.n_host_addrs; i++) {
		struct policy_addr h;

		policy_addr_normalize(&ns->host_addrs[i], &h);
		if (h.family == n.family &&
		    policy_addr_match(&h, h.family == 4 ? 32 : 128, &n))
			return true;
	}
	return false;
}

/* Who would take a connection or datagram to a local destination now. */
enum netstack_rx {
	NETSTACK_RX_UNKNOWN, /* sock_diag failed, or not asked: fail closed */
	NETSTACK_RX_NONE,    /* nothing: the kernel would refuse or drop it */
	NETSTACK_RX_OWN,     /* a socket of the job's (in the socket table) */
	NETSTACK_RX_OTHER,   /* a host service */
};

/*
 * The kernel's own lookup of the receiving socket, by its cookie, so that a
 * host service that took a port the job released is not "the job's".
 */
static enum netstack_rx netstack_receiver(struct netstack *ns,
					  const struct policy_addr *dst,
					  unsigned proto, uint16_t port,
					  const struct netstack_sockinfo *from)
{
	uint16_t src_port = 0;
	struct policy_addr n;
	uint64_t cookie;
	int rc;

	if (from && proto == POLICY_PROTO_UDP) {
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss);

		if (getsockname(from->fd, (struct sockaddr *)&ss, &l) == 0)
			src_port = ntohs(ss.ss_family == AF_INET6
						 ? ((struct sockaddr_in6 *)&ss)
							   ->sin6_port
						 : ((struct sockaddr_in *)&ss)
							   ->sin_port);
	}
	policy_addr_normalize(dst, &n);
	rc = sock_diag_receiver(&n, proto, port, src_port, &cookie);
	if (rc == -ENOENT)
		return NETSTACK_RX_NONE;
	if (rc < 0)
		return NETSTACK_RX_UNKNOWN;
	return netstack_sock_find(ns, cookie) ? NETSTACK_RX_OWN
					      : NETSTACK_RX_OTHER;
}

void netstack_note_abstract(struct netstack *ns, const char *name, size_t len)
{
	size_t i, slot;

	if (len > NET_UNIX_PATH_MAX)
		return;
	for (i = 0; i < ns->n_abstract; i++)
		if (ns->abstract_names[i].len == len &&
		    !memcmp(ns->abstract[i], name, len))
			return;
	if (ns->n_abstract < NETSTACK_ABSTRACT_MAX) {
		slot = ns->n_abstract++;
	} else {
		slot = ns->abstract_next;
		ns->abstract_next = (slot + 1) % NETSTACK_ABSTRACT_MAX;
	}
	memcpy(ns->abstract[slot], name, len);
	ns->abstract_names[slot].name = ns->abstract[slot];
	ns->abstract_names[slot].len = len;
	ns->rt.abstract_bound = ns->abstract_names;
	ns->rt.n_abstract_bound = ns->n_abstract;
}

/*
 * The runtime facts of a connect to @e: the host's addresses, the job's own
 * listener on @e when the kernel confirms it (in @own), the names the proxy
 * pinned to @e's address (in @names).
 */
static enum netstack_rx
netstack_connect_facts(struct netstack *ns, const struct net_endpoint *e,
		       unsigned proto, const struct netstack_sockinfo *from,
		       struct policy_listener *own, const char **names,
		       size_t max_names, struct policy_runtime *rt,
		       struct policy_connect *c)
{
	enum netstack_rx rx = NETSTACK_RX_UNKNOWN;

	memset(c, 0, sizeof(*c));
	c->have_addr = true;
	c->proto = proto;
	c->port = e->port;
	c->addr = e->addr;
	netstack_host_addrs_load(ns);
	*rt = ns->rt;
	/* Hostname rules allow what the job resolved through the proxy. */
	if (ns->dns) {
		c->n_pinned =
			dns_proxy_pinned(ns->dns, &e->addr, names, max_names);
		c->pinned = names;
	}
	rt->listeners = NULL;
	rt->n_listeners = 0;
	/*
	 * Loopback and the host's addresses are the job's only where the
	 * kernel confirms the listener is the job's own socket right now.
	 */
	own->proto = proto;
	own->port = e->port;
	if (netstack_is_local(ns, &e->addr))
		rx = netstack_receiver(ns, &e->addr, proto, e->port, from);
	if (rx == NETSTACK_RX_OWN) {
		rt->listeners = own;
		rt->n_listeners = 1;
	}
	return rx;
}

/*
 * Denied only for being loopback or the host, and nothing there at all:
 * natively a datagram is dropped and a connect refused. So is it here,
 * without sending anything (a host service binding the port right after
 * the lookup gets nothing either).
 */
static void netstack_plan_nothing_there(enum netstack_rx rx, unsigned proto,
					struct net_plan *out)
{
	if (rx != NETSTACK_RX_NONE || out->kind != NET_PLAN_DENY ||
	    out->d.reason != POLICY_REASON_ALWAYS_DENIED ||
	    (out->d.category != POLICY_CATEGORY_LOOPBACK &&
	     out->d.category != POLICY_CATEGORY_HOST))
		return;
	out->kind =
		proto == POLICY_PROTO_UDP ? NET_PLAN_DROP : NET_PLAN_REFUSED;
}

int netstack_plan_dest(struct netstack *ns, const struct net_endpoint *e,
		       unsigned proto, const struct netstack_sockinfo *from,
		       struct net_plan *out)
{
	const char *names[16];
	struct policy_listener own;
	struct policy_runtime rt;
	struct policy_connect c;
	enum netstack_rx rx;

	if (net_plan_redirects_dns(e->port)) {
		/* Nothing but the port matters: skip the netlink queries. */
		memset(&c, 0, sizeof(c));
		c.have_addr = true;
		c.addr = e->addr;
		c.proto = proto;
		c.port = e->port;
		return net_plan_dest(ns->tables, NULL, &c, out);
	}
	rx = netstack_connect_facts(ns, e, proto, from, &own, names,
				    ARRAY_SIZE(names), &rt, &c);
	net_plan_dest(ns->tables, &rt, &c, out);
	netstack_plan_nothing_there(rx, proto, out);
	return 0;
}

int netstack_decide_bind(struct netstack *ns, const struct net_endpoint *e,
			 unsigned proto, struct policy_decision *out)
{
	netstack_host_addrs_load(ns);
	return zone_decide_listen(ns->tables, &e->addr, proto, e->port, out);
}

int netstack_decide_unix(struct netstack *ns, const struct net_endpoint *e,
			 const char *resolved, struct policy_decision *out)
{
	netstack_host_addrs_load(ns);
	if (e->kind == NET_ENDPOINT_ABSTRACT)
		return zone_decide_unix(ns->tables, &ns->rt, e->path,
					e->path_len, true, out);
	return zone_decide_unix(ns->tables, &ns->rt, resolved, strlen(resolved),
				false, out);
}

int netstack_decide_netlink(struct netstack *ns, int fd,
			    const struct net_endpoint *e, bool control,
			    struct policy_decision *out)
{
	struct policy_netlink n = {.control = control};
	struct sockaddr_nl peer;
	socklen_t l = sizeof(int);
	int proto = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0)
		proto = -1;
	n.route = proto == NETLINK_ROUTE;
	if (e) {
		n.portid = e->nl_pid;
		n.groups = e->nl_groups;
	} else {
		/* What a send without a name reaches. Unknown: not the kernel.
		 */
		l = sizeof(peer);
		memset(&peer, 0, sizeof(peer));
		if (getpeername(fd, (struct sockaddr *)&peer, &l) < 0 ||
		    peer.nl_family != AF_NETLINK) {
			peer.nl_pid = UINT32_MAX;
		}
		n.portid = peer.nl_pid;
		n.groups = peer.nl_groups;
	}
	return zone_decide_netlink(ns->tables, &n, out);
}
