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

void netstack_note_bound(struct netstack *ns, ino_t ino, unsigned proto,
			 uint16_t port, bool listening)
{
	struct netstack_socket *free_slot = NULL;
	size_t i;

	for (i = 0; i < NETSTACK_LISTENERS_MAX; i++) {
		struct netstack_socket *b = &ns->bound[i];

		if (b->used && b->ino == ino) {
			b->proto = proto;
			b->port = port;
			b->listening |= listening;
			return;
		}
		if (!b->used && !free_slot)
			free_slot = b;
	}
	if (!free_slot) {
		/* Full: forget the oldest. A forgotten socket only loses its
		 * "own listener" standing, which fails closed. */
		free_slot = &ns->bound[ino % NETSTACK_LISTENERS_MAX];
	}
	*free_slot = (struct netstack_socket){.ino = ino,
					      .proto = proto,
					      .port = port,
					      .listening = listening,
					      .used = true};
}

static bool netstack_is_job_socket(const struct netstack *ns, ino_t ino)
{
	size_t i;

	for (i = 0; i < NETSTACK_LISTENERS_MAX; i++)
		if (ns->bound[i].used && ns->bound[i].ino == ino)
			return true;
	return false;
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

/*
 * Whether the socket that would take this connection or datagram right now
 * is one the job bound (the kernel's own lookup, so a host service that
 * took a port the job released is not "the job's"). Fails closed.
 */
static bool netstack_own_listener(const struct netstack *ns,
				  const struct policy_addr *dst, unsigned proto,
				  uint16_t port)
{
	struct policy_addr n;
	ino_t ino;

	policy_addr_normalize(dst, &n);
	if (sock_diag_receiver(&n, proto, port, &ino) < 0)
		return false;
	return netstack_is_job_socket(ns, ino);
}

int netstack_emulate(struct netstack *ns, uint64_t cookie,
		     const struct net_endpoint *peer)
{
	struct netstack_emulated *slot = NULL, *oldest = NULL;
	uint64_t now = time_mono_ns();
	size_t i;

	if (!cookie)
		return -ENOSPC;
	for (i = 0; i < NETSTACK_EMULATED_MAX; i++) {
		struct netstack_emulated *m = &ns->emulated[i];

		if (m->used && m->cookie == cookie) {
			slot = m;
			break;
		}
		if (!m->used) {
			if (!slot)
				slot = m;
		} else if (!oldest || m->last_use_ns < oldest->last_use_ns) {
			oldest = m;
		}
	}
	/*
	 * Closed sockets are never reported to us: when the table is full
	 * the least recently used entry goes (a resolver socket idle that
	 * long has long stopped waiting for its answer).
	 */
	if (!slot)
		slot = oldest;
	if (!slot->used)
		ns->n_emulated++;
	slot->used = true;
	slot->cookie = cookie;
	slot->peer = *peer;
	slot->last_use_ns = now;
	return 0;
}

const struct net_endpoint *netstack_emulated(struct netstack *ns,
					     uint64_t cookie)
{
	uint64_t now = time_mono_ns();
	const struct net_endpoint *found = NULL;
	size_t i;

	for (i = 0; i < NETSTACK_EMULATED_MAX; i++) {
		struct netstack_emulated *m = &ns->emulated[i];

		if (!m->used)
			continue;
		if (m->cookie == cookie) {
			m->last_use_ns = now;
			found = &m->peer;
		} else if (now - m->last_use_ns >
			   NETSTACK_EMULATED_IDLE_S * 1000000000ULL) {
			m->used = false;
			ns->n_emulated--;
		}
	}
	return found;
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

bool netstack_emulating(const struct netstack *ns)
{
	return ns->n_emulated > 0;
}

/*
 * The runtime facts of a connect to @e: the host's addresses, the job's own
 * listener on @e when the kernel confirms it (in @own), the names the proxy
 * pinned to @e's address (in @names).
 */
static void netstack_connect_facts(struct netstack *ns,
				   const struct net_endpoint *e, unsigned proto,
				   struct policy_listener *own,
				   const char **names, size_t max_names,
				   struct policy_runtime *rt,
				   struct policy_connect *c)
{
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
	if (netstack_is_local(ns, &e->addr) &&
	    netstack_own_listener(ns, &e->addr, proto, e->port)) {
		rt->listeners = own;
		rt->n_listeners = 1;
	}
}

int netstack_plan_dest(struct netstack *ns, const struct net_endpoint *e,
		       unsigned proto, struct net_plan *out)
{
	const char *names[16];
	struct policy_listener own;
	struct policy_runtime rt;
	struct policy_connect c;

	if (net_plan_redirects_dns(e->port)) {
		/* Nothing but the port matters: skip the netlink queries. */
		memset(&c, 0, sizeof(c));
		c.have_addr = true;
		c.addr = e->addr;
		c.proto = proto;
		c.port = e->port;
		return net_plan_dest(ns->tables, NULL, &c, out);
	}
	netstack_connect_facts(ns, e, proto, &own, names, ARRAY_SIZE(names),
			       &rt, &c);
	return net_plan_dest(ns->tables, &rt, &c, out);
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
