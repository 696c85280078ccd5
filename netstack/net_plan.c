/* SPDX-License-Identifier: MIT */
/*
 * net_plan.c - the plan for one socket call of the job: connect, send,
 * bind, listen. netstack's half of every socket handler (sentry/sys_net.c):
 * the sentry hands in the bytes it copied once and what it knows of the
 * socket; this file parses them as the kernel would, gathers the facts only
 * the running supervisor has, asks the zone (policy/zone_decide.c), and
 * says what to perform with which address: perform it as asked, perform it
 * towards one of netstack's services (the DNS proxy), or deny it, with the
 * decision that says why. `cordon policy explain` runs this file's
 * net_plan_dest() for an internet destination, the very function a run
 * goes through, so what explain says is what a run does, redirects
 * included.
 *
 * Theory of operation
 * -------------------
 *   1. The name is parsed as the kernel reads it for this call on this
 *      socket's family (sockaddr_parse_as(): AF_UNSPEC means three things).
 *   2. An internet destination (net_plan_dest(), shared with explain):
 *      2.0. A destination of 0.0.0.0 or :: is this host's loopback to the
 *           kernel (a "BSD'ism": Go's Dial(":8080") relies on it), so it is
 *           judged as that: the job's own listener there is reachable, a
 *           host service is not.
 *      2.1. A DNS exchange (port 53, TCP or UDP, to any address) is never
 *           sent on: the DNS proxy answers it and applies the zone's name
 *           rules, so the destination's address is not judged at all. This
 *           comes first: a zone that allows 8.8.8.8:53 still gets the proxy,
 *           and one that allows nothing gets NXDOMAIN for every name without
 *           a query leaving the host. The redirect is recorded in the socket
 *           table ("really to the proxy, shown as the server asked") before
 *           the call is performed, so a reply that arrives at once is
 *           already shown right.
 *      2.2. Anything else is the zone's decision (zone_decide_connect()):
 *           allow means perform, deny means deny. A run first gathers the
 *           runtime facts (net_plan_facts(): the host's addresses, the job's
 *           own listener on a local destination as the kernel confirms it,
 *           the names the proxy pinned to the address); explain takes them
 *           from its options. A local destination refused only for being
 *           loopback or the host, where nothing receives at all, is dropped
 *           (UDP) or refused (TCP) as the kernel would, sending nothing.
 *      2.3. A TCP connect allowed by a hostname rule (a pinned name) is
 *           performed towards the inspecting relay (relay.c), registered
 *           there before the connect: the relay checks the TLS SNI or
 *           HTTP Host against the zone and the pins before any byte
 *           leaves. A rule naming one port other than 80 and 443 (ssh
 *           :22, git :9418) is relayed after the pin check alone. The
 *           socket table shows the job the destination it asked for.
 *           Address rules and the job's own loopback stay direct.
 *   3. A unix path is pinned (O_PATH, symlinks followed as the job would
 *      follow them from its cwd) and judged on the file it resolves to; the
 *      call is performed on that very inode through /proc/self/fd/N, so a
 *      rename or a symlink swap after the decision changes nothing. A unix
 *      peer that is not the job's own gets SO_PASSRIGHTS off first
 *      (unix_own.c).
 *   4. A wildcard listen (0.0.0.0, ::) in a zone that allows listening on
 *      loopback only (listen deny, listen loopback) is performed as asked,
 *      on a socket bound to the loopback device (netstack_loopback_only()):
 *      the job's own clients reach it over IPv4 and IPv6 alike (one dual-
 *      stack :: socket cannot be narrowed to both 127.0.0.1 and ::1 by a
 *      bind), getsockname() shows what the job asked, and a remote host's
 *      SYN finds no listener: the kernel answers it with a reset, as for a
 *      closed port, before any handshake. Refusing at accept() instead would
 *      let remote handshakes complete (then reset them) and cost a round
 *      trip per accept; a BPF socket filter would drop the SYN silently but
 *      is refused to unprivileged processes on some kernels (EPERM from
 *      SO_ATTACH_FILTER on 6.18 here).
 *   5. What the call left in the kernel (an implicitly bound port, a unix
 *      name the job now owns) is asked of the kernel afterwards
 *      (netstack_performed()), never inferred from the arguments.
 *
 * Not responsible for performing anything, nor for job memory: the sentry
 * copies in, performs and answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/common.h"
#include "netstack/netstack.h"

/* ---------------------------------------------------------------------------
 * 2. The plan for an internet destination: pure, shared with explain.
 */

#define NET_PLAN_DNS_PORT 53

bool net_plan_redirects_dns(uint16_t port)
{
	return port == NET_PLAN_DNS_PORT;
}

bool net_plan_listen_narrows(const struct policy_decision *d,
			     const struct policy_addr *a)
{
	static const uint8_t mapped_any[16] = {[10] = 0xff, [11] = 0xff};
	static const uint8_t any[16];
	bool wildcard = a->family == 4 ? !memcmp(a->b, any, 4)
				       : !memcmp(a->b, any, 16) ||
						 !memcmp(a->b, mapped_any, 16);

	return wildcard && d->reason == POLICY_REASON_LISTEN &&
	       d->verdict != POLICY_VERDICT_ALLOW;
}

const char *net_plan_kind_name(enum net_plan_kind k)
{
	switch (k) {
	case NET_PLAN_PERFORM:
		return "perform";
	case NET_PLAN_REDIRECT_DNS:
		return "redirect-dns";
	case NET_PLAN_DROP:
		return "drop";
	case NET_PLAN_REFUSED:
		return "refused";
	case NET_PLAN_DENY:
		break;
	}
	return "deny";
}

static bool net_plan_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

bool net_plan_unspec_dest(struct policy_addr *a,
			  const struct policy_addr *bound)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	const uint8_t *src = NULL;
	uint8_t lo4[4] = {127, 0, 0, 1};
	uint8_t *v4;

	if (a->family == 6 && net_plan_zero(a->b, 16)) {
		memset(a->b, 0, 16);
		a->b[15] = 1;
		return true;
	}
	if (a->family == 4 && net_plan_zero(a->b, 4))
		v4 = a->b;
	else if (a->family == 6 && !memcmp(a->b, mapped, 12) &&
		 net_plan_zero(a->b + 12, 4))
		v4 = a->b + 12;
	else
		return false;
	/* The socket's own IPv4 address, as the kernel takes it. */
	if (bound && bound->family == 4 && !net_plan_zero(bound->b, 4))
		src = bound->b;
	else if (bound && bound->family == 6 && !memcmp(bound->b, mapped, 12) &&
		 !net_plan_zero(bound->b + 12, 4))
		src = bound->b + 12;
	memcpy(v4, src ? src : lo4, 4);
	return true;
}

int net_plan_dest(const struct zone_tables *t, const struct policy_runtime *rt,
		  const struct policy_connect *asked, struct net_plan *out)
{
	struct policy_connect one;
	const struct policy_connect *c = asked;

	memset(out, 0, sizeof(*out));
	/* 2.0. The unspecified address is this host (net_plan_unspec_dest()).
	 */
	if (asked && asked->have_addr) {
		one = *asked;
		if (net_plan_unspec_dest(&one.addr, NULL))
			c = &one;
	}
	if (t && c && net_plan_redirects_dns(c->port) &&
	    (c->proto == POLICY_PROTO_TCP || c->proto == POLICY_PROTO_UDP)) {
		/* 2.1. The proxy answers; the address is only recorded. */
		out->kind = NET_PLAN_REDIRECT_DNS;
		out->d.verdict = POLICY_VERDICT_ALLOW;
		out->d.reason = POLICY_REASON_DNS_PROXY;
		out->d.zone = zone_name(zone_tables_zone(t));
		if (c->have_addr &&
		    (c->addr.family == 4 || c->addr.family == 6))
			out->d.embed =
				policy_addr_normalize(&c->addr, &out->d.judged);
		return 0;
	}
	/* 2.2. The zone decides (and fails closed on a malformed request). */
	zone_decide_connect(t, rt, c, &out->d);
	out->kind = out->d.verdict == POLICY_VERDICT_ALLOW ? NET_PLAN_PERFORM
							   : NET_PLAN_DENY;
	/* 2.3. A hostname rule allowed it: through the relay. */
	if (out->kind == NET_PLAN_PERFORM && c)
		out->relay = net_plan_relay_of(&out->d, c->proto, c->port);
	return 0;
}

enum net_plan_relay net_plan_relay_of(const struct policy_decision *d,
				      unsigned proto, uint16_t port)
{
	const struct policy_rule *r = d->rule;

	if (proto != POLICY_PROTO_TCP || d->verdict != POLICY_VERDICT_ALLOW ||
	    d->reason != POLICY_REASON_RULE || !r)
		return NET_PLAN_RELAY_NONE;
	/* The rule allowed @port: its one port, or one in its range. */
	(void)port;
	return net_plan_rule_relay(r);
}

enum net_plan_relay net_plan_rule_relay(const struct policy_rule *r)
{
	if (r->kind != POLICY_RULE_KIND_EGRESS ||
	    r->action != POLICY_ACTION_ALLOW ||
	    !(r->proto & POLICY_PROTO_TCP) ||
	    (r->host_kind != POLICY_HOST_KIND_NAME &&
	     r->host_kind != POLICY_HOST_KIND_SUFFIX))
		return NET_PLAN_RELAY_NONE;
	if (r->port_lo == r->port_hi && r->port_lo != 80 && r->port_lo != 443)
		return NET_PLAN_RELAY_PIN;
	return NET_PLAN_RELAY_NAME;
}

const char *net_plan_egress_counted(void)
{
	return "counted: every byte the job sends on a TCP stream through "
	       "cordon's relay (the connects hostname rules allow; the first "
	       "bytes included) and the payload of every UDP datagram the "
	       "supervisor sends for it (sendto, sendmsg, sendmmsg); not "
	       "counted: what it receives, headers, DNS queries to cordon's "
	       "proxy, send()/write() on a connected UDP socket (not "
	       "notified), TCP that address rules allow (direct, not "
	       "relayed yet), the job's own listeners. At the quota a stream "
	       "with more to send is reset, new relayed connects and "
	       "datagrams fail with EDQUOT (egress-overflow refuse, the "
	       "default), or the tree is killed, exit 124 (egress-overflow "
	       "kill)";
}

const char *net_plan_relay_name(enum net_plan_relay k)
{
	switch (k) {
	case NET_PLAN_RELAY_NAME:
		return "sni-host";
	case NET_PLAN_RELAY_PIN:
		return "pin-only";
	case NET_PLAN_RELAY_NONE:
		break;
	}
	return "direct";
}

_Static_assert(RELAY_INSPECT_MS == 10000,
	       "net_plan_relay_what() says the relay waits 10 s");

const char *net_plan_relay_what(enum net_plan_relay k)
{
	switch (k) {
	case NET_PLAN_RELAY_NAME:
		return "through cordon's relay, SNI/Host checked: the TLS SNI "
		       "or HTTP/1.x Host (or absolute-form target) must name "
		       "a host that a hostname rule allows on this port and "
		       "that resolved to this address through cordon's DNS "
		       "proxy, a CONNECT target one a hostname rule allows "
		       "on its port; no SNI, ECH, another protocol, nothing "
		       "within 10 s: reset before a byte leaves";
	case NET_PLAN_RELAY_PIN:
		return "through cordon's relay, pinned only: the address must "
		       "be one the name resolved to through cordon's DNS "
		       "proxy, the bytes are not inspected (the rule names "
		       "this one port, not 80 or 443: ssh, git and other "
		       "protocols; any name the server answers to is "
		       "reachable on it)";
	case NET_PLAN_RELAY_NONE:
		break;
	}
	return "";
}

bool net_plan_zone_translates(const struct zone *z)
{
	size_t i, n = z ? zone_rule_count(z) : 0;

	/* A rule whose TCP connects net_plan_relay_of() puts through the
	 * relay. */
	for (i = 0; i < n; i++)
		if (net_plan_rule_relay(zone_rule_get(z, i)) !=
		    NET_PLAN_RELAY_NONE)
			return true;
	return false;
}

/* ---------------------------------------------------------------------------
 * 2.2. The facts only a running supervisor has, and the zone's other
 * decisions on them.
 */

/* Loopback or one of the host's own addresses, after normalisation. */
static bool net_plan_is_local(const struct netstack *ns,
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
enum net_plan_rx {
	NET_PLAN_RX_UNKNOWN, /* sock_diag failed, or not asked: fail closed */
	NET_PLAN_RX_NONE,    /* nothing: the kernel would refuse or drop it */
	NET_PLAN_RX_OWN,     /* a socket of the job's (in the socket table) */
	NET_PLAN_RX_OTHER,   /* a host service */
};

/*
 * The kernel's own lookup of the receiving socket, by its cookie, so that a
 * host service that took a port the job released is not "the job's".
 */
static enum net_plan_rx net_plan_receiver(struct netstack *ns,
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
		return NET_PLAN_RX_NONE;
	if (rc < 0)
		return NET_PLAN_RX_UNKNOWN;
	return netstack_sock_find(ns, cookie) ? NET_PLAN_RX_OWN
					      : NET_PLAN_RX_OTHER;
}

/*
 * The runtime facts of a connect to @e: the host's addresses, the job's own
 * listener on @e when the kernel confirms it (in @own), the names the proxy
 * pinned to @e's address (in @names).
 */
static enum net_plan_rx
net_plan_facts(struct netstack *ns, const struct net_endpoint *e,
	       unsigned proto, const struct netstack_sockinfo *from,
	       struct policy_listener *own, const char **names,
	       size_t max_names, struct policy_runtime *rt,
	       struct policy_connect *c)
{
	enum net_plan_rx rx = NET_PLAN_RX_UNKNOWN;

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
	if (net_plan_is_local(ns, &e->addr))
		rx = net_plan_receiver(ns, &e->addr, proto, e->port, from);
	if (rx == NET_PLAN_RX_OWN) {
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
static void net_plan_nothing_there(enum net_plan_rx rx, unsigned proto,
				   struct net_plan *out)
{
	if (rx != NET_PLAN_RX_NONE || out->kind != NET_PLAN_DENY ||
	    out->d.reason != POLICY_REASON_ALWAYS_DENIED ||
	    (out->d.category != POLICY_CATEGORY_LOOPBACK &&
	     out->d.category != POLICY_CATEGORY_HOST))
		return;
	out->kind =
		proto == POLICY_PROTO_UDP ? NET_PLAN_DROP : NET_PLAN_REFUSED;
}

/*
 * net_plan_dest() for the job's destination @e (NET_ENDPOINT_INET) over
 * @proto, with the facts only the running supervisor has (a DNS exchange
 * asks for none of them). @from: the sending socket (NULL: unknown); the
 * receiver is looked up from its port, so that a socket connected to
 * exactly that port is found. May block briefly on a netlink query.
 */
static int net_plan_job_dest(struct netstack *ns, const struct net_endpoint *e,
			     unsigned proto,
			     const struct netstack_sockinfo *from,
			     struct net_plan *out)
{
	const char *names[16];
	struct policy_listener own;
	struct policy_runtime rt;
	struct policy_connect c;
	enum net_plan_rx rx;

	if (net_plan_redirects_dns(e->port)) {
		/* Nothing but the port matters: skip the netlink queries. */
		memset(&c, 0, sizeof(c));
		c.have_addr = true;
		c.addr = e->addr;
		c.proto = proto;
		c.port = e->port;
		return net_plan_dest(ns->tables, NULL, &c, out);
	}
	rx = net_plan_facts(ns, e, proto, from, &own, names, ARRAY_SIZE(names),
			    &rt, &c);
	net_plan_dest(ns->tables, &rt, &c, out);
	net_plan_nothing_there(rx, proto, out);
	return 0;
}

/* May the job bind/listen on @e? */
static int net_plan_decide_bind(struct netstack *ns,
				const struct net_endpoint *e, unsigned proto,
				struct policy_decision *out)
{
	netstack_host_addrs_load(ns);
	return zone_decide_listen(ns->tables, &e->addr, proto, e->port, out);
}

/* May the job connect to unix socket @resolved (absolute) or @e's
 * abstract name? */
static int net_plan_decide_unix(struct netstack *ns,
				const struct net_endpoint *e,
				const char *resolved,
				struct policy_decision *out)
{
	netstack_host_addrs_load(ns);
	if (e->kind == NET_ENDPOINT_ABSTRACT)
		return zone_decide_unix(ns->tables, &ns->rt, e->path,
					e->path_len, true, out);
	return zone_decide_unix(ns->tables, &ns->rt, resolved, strlen(resolved),
				false, out);
}

/*
 * May the job send on (or connect) its netlink socket @fd (the supervisor's
 * duplicate) to @e? @e NULL: no name, the socket's connected peer (asked of
 * the kernel, getpeername). @control: the message carries control data.
 * Only NETLINK_ROUTE requests to the kernel are allowed
 * (zone_decide_netlink()).
 *
 * An allowed send must be performed WITHOUT the name: a netlink message
 * with an explicit destination is authorised by the capabilities of the
 * sender alone (the kernel's NETLINK_SKB_DST, since 3.15), and the sender
 * is the supervisor, which may be privileged; without a name it goes to the
 * connected peer (the kernel, checked here) and the kernel also checks the
 * credentials of whoever opened the socket: the job.
 */
static int net_plan_decide_netlink(struct netstack *ns, int fd,
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

/* ---------------------------------------------------------------------------
 * The plan for each call.
 */

static const char *net_plan_proto(const struct netstack_sockinfo *k)
{
	if (k->domain == AF_UNIX)
		return k->type == SOCK_DGRAM ? "unix-dgram" : "unix";
	return k->proto == POLICY_PROTO_TCP ? "tcp" : "udp";
}

static bool net_plan_is_inet(const struct netstack_sockinfo *k)
{
	return k->domain == AF_INET || k->domain == AF_INET6;
}

static void net_plan_init(const struct netstack_sockinfo *k,
			  struct netstack_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->pin = -1;
	out->proto = net_plan_proto(k);
}

static int net_plan_set(struct netstack_plan *out, enum netstack_plan_kind kind,
			int err, const char *why)
{
	out->kind = kind;
	out->err = err;
	out->why = why;
	return 0;
}

/* The zone's decision @d: perform when it allows, else a denial. */
static int net_plan_decided(struct netstack_plan *out,
			    const struct policy_decision *d)
{
	out->d = *d;
	out->has_decision = true;
	if (d->verdict == POLICY_VERDICT_DENY)
		return net_plan_set(out, NETSTACK_PLAN_DENY,
				    NETSTACK_DENY_ERRNO, NULL);
	return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0, NULL);
}

static void net_plan_detail(struct netstack_plan *out)
{
	char where[200];

	sockaddr_fmt(&out->dest, where, sizeof(where));
	snprintf(out->detail, sizeof(out->detail), "%s/%s", where, out->proto);
}

static bool net_plan_v4(const struct policy_addr *a)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	return a->family == 4 || !memcmp(a->b, mapped, sizeof(mapped));
}

/* 2. Redirect @k to service @via (the DNS proxy) in place of @out->dest. */
static int net_plan_redirect(struct netstack *ns,
			     const struct netstack_sockinfo *k,
			     enum netstack_service_kind via,
			     struct netstack_plan *out)
{
	struct netstack_sockinfo known = *k;
	socklen_t sl = 0, cl = sizeof(known.cookie);
	struct sockaddr_storage ss;
	int rc;

	/* A connect takes a stream socket without its cookie (sys_net.c):
	 * the socket table needs it for the redirect. */
	if (!known.cookie &&
	    getsockopt(known.fd, SOL_SOCKET, SO_COOKIE, &known.cookie, &cl) < 0)
		known.cookie = 0;
	snprintf(out->detail + strlen(out->detail),
		 sizeof(out->detail) - strlen(out->detail),
		 " to the DNS proxy");
	rc = netstack_service_start(ns, via);
	out->service_started = rc == 1;
	if (rc < 0 ||
	    dns_proxy_target(ns->dns, k->domain, net_plan_v4(&out->dest.addr),
			     k->proto, &ss, &sl) < 0 ||
	    netstack_sock_redirect(ns, &known, via, &ss, sl, &out->dest) < 0)
		return net_plan_set(out, NETSTACK_PLAN_FAIL, ENOBUFS,
				    "DNS proxy: not started, or too many "
				    "redirected sockets (fail closed)");
	memcpy(out->addr, &ss, sl);
	out->addr_len = sl;
	out->via = via;
	out->service_due = true;
	return net_plan_set(out, NETSTACK_PLAN_REDIRECT, 0, NULL);
}

/* The local address of @fd, as 4 or 16 bytes and a port. */
static bool net_plan_local(int fd, int *family, uint8_t *addr, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return false;
	*family = ss.ss_family;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&ss;

		memcpy(addr, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return true;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		memcpy(addr, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
		return true;
	}
	return false;
}

/*
 * 2.3. Where the relay will see @k's connect come from, in @g: bind an
 * unbound socket to loopback of the relay target's family (@target) first
 * (the kernel would pick a source at connect anyway; the job's own bind,
 * if any, stays), then read it back. An IPv6 socket reaching the IPv4
 * listener v4-mapped is seen as that IPv4 address.
 */
static int net_plan_relay_source(const struct netstack_sockinfo *k,
				 const struct sockaddr_storage *target,
				 struct relay_reg *g)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	struct sockaddr_storage lo;
	uint8_t a[16];
	uint16_t port;
	int fam;

	if (!net_plan_local(k->fd, &fam, a, &port))
		return -errno;
	if (!port) {
		memcpy(&lo, target, sizeof(lo));
		if (lo.ss_family == AF_INET)
			((struct sockaddr_in *)&lo)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&lo)->sin6_port = 0;
		if (bind(k->fd, (struct sockaddr *)&lo,
			 lo.ss_family == AF_INET
				 ? sizeof(struct sockaddr_in)
				 : sizeof(struct sockaddr_in6)) < 0 ||
		    !net_plan_local(k->fd, &fam, a, &port))
			return -errno;
	}
	if (fam == AF_INET6 && !memcmp(a, mapped, 12)) {
		g->family = AF_INET;
		memcpy(g->addr, a + 12, 4);
	} else if (fam == AF_INET6 && net_plan_zero(a, 16)) {
		/* Bound to the wildcard: the source is the listener's own. */
		g->family =
			target->ss_family == AF_INET6 &&
					memcmp(&((const struct sockaddr_in6 *)
							 target)
							->sin6_addr,
					       mapped, 12)
				? AF_INET6
				: AF_INET;
		if (g->family == AF_INET6)
			memcpy(g->addr, &in6addr_loopback, 16);
		else
			memcpy(g->addr, (const uint8_t[4]){127, 0, 0, 1}, 4);
	} else if (fam == AF_INET && net_plan_zero(a, 4)) {
		memcpy(g->addr, (const uint8_t[4]){127, 0, 0, 1}, 4);
		g->family = AF_INET;
	} else {
		g->family = fam;
		memcpy(g->addr, a, fam == AF_INET ? 4 : 16);
	}
	g->port = port;
	return 0;
}

/*
 * 2.3. What getsockname() shows for a relayed socket: the source address
 * the kernel would pick towards @dest (a UDP connect routes, sends
 * nothing), with the socket's real port. Unknown (no route): the real one.
 */
static void net_plan_relay_local(struct netstack *ns, uint64_t cookie,
				 const struct sockaddr_storage *dest,
				 socklen_t len)
{
	struct netstack_sock *e = netstack_sock_find(ns, cookie);
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct net_endpoint src;
	int u;

	if (!e)
		return;
	u = socket(dest->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0)
		return;
	if (connect(u, (const struct sockaddr *)dest, len) == 0 &&
	    getsockname(u, (struct sockaddr *)&ss, &l) == 0 &&
	    sockaddr_parse((const uint8_t *)&ss, l, &src) == 0 &&
	    src.kind == NET_ENDPOINT_INET) {
		e->peer.has_local = true;
		e->peer.local = src.addr;
	}
	close(u);
}

/*
 * 2.3. Redirect connect @k to the relay (plan @how), registered there
 * before the connect is performed; the socket table shows the job
 * @out->dest.
 */
static int net_plan_relay(struct netstack *ns,
			  const struct netstack_sockinfo *k,
			  enum net_plan_relay how, struct netstack_plan *out)
{
	struct netstack_sockinfo known = *k;
	socklen_t sl = 0, cl = sizeof(known.cookie);
	const char *names[RELAY_NAMES_MAX];
	struct sockaddr_storage ss, g_dest;
	socklen_t g_dest_len;
	struct relay_reg *g;
	struct dynbuf db;
	size_t i, n = 0;
	int rc;

	/* 2.3. The egress quota is spent: no new stream (EDQUOT). */
	if (netstack_quota_spent(&ns->quota)) {
		netstack_quota_refuse(&ns->quota);
		return net_plan_set(out, NETSTACK_PLAN_DENY, EDQUOT,
				    ns->quota.rule);
	}
	if (!known.cookie &&
	    getsockopt(known.fd, SOL_SOCKET, SO_COOKIE, &known.cookie, &cl) < 0)
		return net_plan_set(out, NETSTACK_PLAN_FAIL, ENOBUFS,
				    "relay: the socket has no cookie (fail "
				    "closed)");
	rc = netstack_service_start(ns, NETSTACK_SERVICE_RELAY);
	out->service_started = rc == 1;
	out->via = NETSTACK_SERVICE_RELAY;
	if (rc < 0 || relay_target(ns->relay, k->domain,
				   net_plan_v4(&out->dest.addr), &ss, &sl) < 0)
		return net_plan_set(out, NETSTACK_PLAN_FAIL, ENOBUFS,
				    "relay: not started, or no listener for "
				    "this family (fail closed)");
	g = calloc(1, sizeof(*g));
	if (!g)
		return net_plan_set(out, NETSTACK_PLAN_FAIL, ENOBUFS,
				    "relay: out of memory (fail closed)");
	rc = net_plan_relay_source(k, &ss, g);
	if (rc < 0) {
		free(g);
		return net_plan_set(out, NETSTACK_PLAN_INVALID, -rc,
				    "relay: cannot bind the socket to "
				    "loopback");
	}
	g->cookie = known.cookie;
	g->dest_len = sockaddr_build(
		&out->dest, net_plan_v4(&out->dest.addr) ? AF_INET : AF_INET6,
		&g->dest);
	g->shown = out->dest;
	g->check =
		how == NET_PLAN_RELAY_PIN ? RELAY_CHECK_PIN : RELAY_CHECK_NAME;
	dynbuf_init(&db, sizeof(g->rule));
	if (policy_decision_fmt(&out->d, &db) == 0 && db.len)
		snprintf(g->rule, sizeof(g->rule), "%.*s", (int)db.len,
			 (const char *)db.data);
	dynbuf_free(&db);
	if (ns->dns)
		n = dns_proxy_pinned(ns->dns, &out->dest.addr, names,
				     ARRAY_SIZE(names));
	for (i = 0; i < n; i++)
		snprintf(g->names[i], sizeof(g->names[i]), "%s", names[i]);
	g->n_names = n;
	rc = relay_register(ns->relay, g);
	g_dest = g->dest;
	g_dest_len = g->dest_len;
	free(g);
	if (rc < 0 || netstack_sock_redirect(ns, &known, NETSTACK_SERVICE_RELAY,
					     &ss, sl, &out->dest) < 0)
		return net_plan_set(out, NETSTACK_PLAN_FAIL, ENOBUFS,
				    "relay: too many connects at once (fail "
				    "closed)");
	net_plan_relay_local(ns, known.cookie, &g_dest, g_dest_len);
	snprintf(out->detail + strlen(out->detail),
		 sizeof(out->detail) - strlen(out->detail),
		 how == NET_PLAN_RELAY_PIN ? " through the relay"
					   : " through the relay (SNI/Host "
					     "checked)");
	memcpy(out->addr, &ss, sl);
	out->addr_len = sl;
	return net_plan_set(out, NETSTACK_PLAN_REDIRECT, 0, NULL);
}

/* The address @k is bound to, if the kernel says (for 0.0.0.0: 2.0). */
static bool net_plan_bound(const struct netstack_sockinfo *k,
			   struct policy_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct net_endpoint e;

	if (getsockname(k->fd, (struct sockaddr *)&ss, &l) < 0 ||
	    sockaddr_parse((const uint8_t *)&ss, l, &e) < 0 ||
	    e.kind != NET_ENDPOINT_INET)
		return false;
	*a = e.addr;
	return true;
}

/*
 * 2.0. The unspecified address is this host (net_plan_unspec_dest()): judge
 * and perform the address the kernel would really use, so that what is
 * judged is what is reached.
 */
static void net_plan_unspec(const struct netstack_sockinfo *k,
			    struct netstack_plan *out)
{
	struct policy_addr bound, a = out->dest.addr;
	struct sockaddr_storage ss;
	char where[200];

	/* Asked first without the bound address: a getsockname() on every
	 * connect for the rare unspecified one was a tenth of the plan's
	 * syscalls. */
	if (!net_plan_is_inet(k) || !net_plan_unspec_dest(&a, NULL))
		return;
	a = out->dest.addr;
	net_plan_unspec_dest(&a, net_plan_bound(k, &bound) ? &bound : NULL);
	out->dest.addr = a;
	out->addr_len = sockaddr_build(&out->dest, k->domain, &ss);
	memcpy(out->addr, &ss, out->addr_len);
	sockaddr_fmt(&out->dest, where, sizeof(where));
	snprintf(out->detail + strlen(out->detail),
		 sizeof(out->detail) - strlen(out->detail),
		 " (unspecified: this host, %s)", where);
}

static int net_plan_inet(struct netstack *ns, const struct netstack_sockinfo *k,
			 enum sockaddr_use use, struct netstack_plan *out)
{
	struct net_plan plan;

	net_plan_unspec(k, out);
	/* The plan explain runs too (net_plan.c). A non-inet socket given an
	 * inet address is refused by the kernel when performed. */
	net_plan_job_dest(ns, &out->dest, k->proto, k, &plan);
	switch (plan.kind) {
	case NET_PLAN_REDIRECT_DNS:
		net_plan_decided(out, &plan.d);
		if (net_plan_is_inet(k))
			return net_plan_redirect(ns, k, NETSTACK_SERVICE_DNS,
						 out);
		return 0;
	case NET_PLAN_DROP:
		/*
		 * A connected UDP socket sends without cordon seeing it, so
		 * a host service that binds the port later would get what a
		 * connect allowed here sends: only a send can be dropped.
		 */
		if (use == SOCKADDR_SEND)
			return net_plan_set(out, NETSTACK_PLAN_DROP, 0,
					    "nothing receives on this local "
					    "port: the datagram is dropped, as "
					    "the kernel would");
		break;
	case NET_PLAN_REFUSED:
		return net_plan_set(out, NETSTACK_PLAN_REFUSED, ECONNREFUSED,
				    "nothing listens on this local port: "
				    "refused, as the kernel would");
	case NET_PLAN_PERFORM:
		if (plan.relay == NET_PLAN_RELAY_NONE || !net_plan_is_inet(k))
			break;
		net_plan_decided(out, &plan.d);
		if (use == SOCKADDR_CONNECT)
			return net_plan_relay(ns, k, plan.relay, out);
		/*
		 * A TCP send with a name: on a connected socket the kernel
		 * ignores it (sent without); on an unconnected one it is a
		 * TCP Fast Open connect, which would go around the relay.
		 */
		{
			struct sockaddr_storage ps;
			socklen_t pl = sizeof(ps);

			if (getpeername(k->fd, (struct sockaddr *)&ps, &pl) ==
			    0) {
				out->addr_len = 0;
				return 0;
			}
		}
		return net_plan_set(out, NETSTACK_PLAN_DENY,
				    NETSTACK_DENY_ERRNO,
				    "TCP Fast Open to a destination the relay "
				    "inspects: refused (connect() first)");
	case NET_PLAN_DENY:
		break;
	}
	return net_plan_decided(out, &plan.d);
}

/* A unix peer the receive guard could not make safe: refused. */
static int net_plan_guard_denied(struct netstack_plan *out, int rc)
{
	return net_plan_set(
		out, NETSTACK_PLAN_DENY, NETSTACK_DENY_ERRNO,
		rc == -ENOPROTOOPT
			? "unix peer outside the job: fd passing cannot be "
			  "refused on this kernel (SO_PASSRIGHTS, Linux 6.16)"
			: "unix peer outside the job: SO_PASSRIGHTS failed");
}

/* Perform the connect to the socket file pinned by supervisor fd @fd. */
static void net_plan_addr_pin(struct netstack_plan *out, int fd)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};

	snprintf(un.sun_path, sizeof(un.sun_path), "/proc/self/fd/%d", fd);
	out->addr_len = offsetof(struct sockaddr_un, sun_path) +
			strlen(un.sun_path) + 1;
	memcpy(out->addr, &un, out->addr_len);
}

/* 3. A unix path: pin, judge the file, guard fd passing, name the inode. */
static int net_plan_unix_path(struct netstack *ns,
			      const struct netstack_sockinfo *k,
			      const char *cwd, struct netstack_plan *out)
{
	struct policy_decision d;
	char actual[PATH_MAX];
	int fd, rc;

	fd = netstack_unix_pin(cwd, out->dest.path, actual, sizeof(actual));
	if (fd < 0)
		return net_plan_set(out, NETSTACK_PLAN_INVALID, -fd,
				    "unix socket not there");
	snprintf(out->detail, sizeof(out->detail), "unix:%.108s (%.400s)",
		 out->dest.path, actual);
	out->pin = fd;
	net_plan_decide_unix(ns, &out->dest, actual, &d);
	net_plan_decided(out, &d);
	if (out->kind != NETSTACK_PLAN_PERFORM)
		return 0;
	/* The job's own listener: past its sentinel (unix_listen.c). */
	rc = netstack_unix_shield_for(ns, &out->dest, fd);
	if (rc >= 0) {
		close(fd);
		fd = out->pin = rc;
	}
	rc = netstack_unix_guard(ns, k->fd, &out->dest, fd);
	if (rc < 0)
		return net_plan_guard_denied(out, rc);
	net_plan_addr_pin(out, fd);
	return 0;
}

static int net_plan_abstract(struct netstack *ns,
			     const struct netstack_sockinfo *k,
			     struct netstack_plan *out)
{
	struct policy_decision d;
	int rc;

	/* Only ever reached for an abstract name: the path is its bytes. */
	net_plan_decide_unix(ns, &out->dest, out->dest.path, &d);
	net_plan_decided(out, &d);
	if (out->kind != NETSTACK_PLAN_PERFORM)
		return 0;
	rc = netstack_unix_guard(ns, k->fd, &out->dest, -1);
	if (rc < 0)
		return net_plan_guard_denied(out, rc);
	/* The job's own listener: its sentinel holds the name. */
	out->pin = netstack_unix_shield_for(ns, &out->dest, -1);
	if (out->pin >= 0)
		net_plan_addr_pin(out, out->pin);
	return 0;
}

/* No name: the connected peer, which connect() judged. */
static int net_plan_peer(struct netstack *ns, const struct netstack_sockinfo *k,
			 struct netstack_plan *out)
{
	snprintf(out->detail, sizeof(out->detail), "fd=%d connected/%s",
		 k->job_fd, out->proto);
	out->addr_len = 0;
	if (k->type == SOCK_DGRAM && netstack_translating(ns) &&
	    netstack_sock_translated(ns, k->cookie))
		out->service_due = true;
	return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
			    "connected socket (its connect was judged)");
}

/*
 * A netlink socket talks only to the kernel (net_plan_decide_netlink()). An
 * allowed send goes without its name (why: netstack.h); a connect keeps it.
 */
static int net_plan_netlink(struct netstack *ns,
			    const struct netstack_sockinfo *k,
			    enum sockaddr_use use, bool control,
			    struct netstack_plan *out)
{
	bool named = out->addr_len != 0;
	struct policy_decision d;

	out->proto = "netlink";
	if (named && out->dest.kind == NET_ENDPOINT_UNSPEC &&
	    use == SOCKADDR_CONNECT)
		return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
				    "AF_UNSPEC dissolves an association: "
				    "allowed");
	if (named && out->dest.kind != NET_ENDPOINT_NETLINK)
		/* netlink_sendmsg/netlink_connect: not AF_NETLINK is EINVAL */
		return net_plan_set(out, NETSTACK_PLAN_INVALID, EINVAL,
				    "not a netlink address");
	if (named) {
		sockaddr_fmt(&out->dest, out->detail, sizeof(out->detail));
		out->has_dest = true;
	} else {
		snprintf(out->detail, sizeof(out->detail), "fd=%d netlink peer",
			 k->job_fd);
	}
	net_plan_decide_netlink(ns, k->fd, named ? &out->dest : NULL, control,
				&d);
	net_plan_decided(out, &d);
	if (out->kind == NETSTACK_PLAN_PERFORM && use == SOCKADDR_SEND)
		out->addr_len = 0;
	return 0;
}

int netstack_plan_send(struct netstack *ns, const struct netstack_sockinfo *k,
		       const uint8_t *p, size_t len, enum sockaddr_use use,
		       bool control, const char *cwd, struct netstack_plan *out)
{
	int rc;

	net_plan_init(k, out);
	if (len > sizeof(out->addr))
		return net_plan_set(out, NETSTACK_PLAN_INVALID, EINVAL,
				    "bad address length");
	memcpy(out->addr, p, len);
	out->addr_len = len;
	rc = len ? sockaddr_parse_as(k->domain, use, out->addr, &out->addr_len,
				     &out->dest)
		 : 0;
	if (rc < 0 && out->dest.kind != NET_ENDPOINT_OTHER)
		return net_plan_set(out, NETSTACK_PLAN_INVALID, -rc,
				    "malformed address");
	if (k->domain == AF_NETLINK)
		return net_plan_netlink(ns, k, use, control, out);
	if (!out->addr_len)
		return net_plan_peer(ns, k, out);
	out->has_dest = true;
	net_plan_detail(out);
	switch (out->dest.kind) {
	case NET_ENDPOINT_INET:
		return net_plan_inet(ns, k, use, out);
	case NET_ENDPOINT_UNIX:
		return net_plan_unix_path(ns, k, cwd, out);
	case NET_ENDPOINT_ABSTRACT:
		return net_plan_abstract(ns, k, out);
	case NET_ENDPOINT_UNSPEC:
		return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
				    "AF_UNSPEC dissolves an association: "
				    "allowed");
	case NET_ENDPOINT_UNNAMED:
	case NET_ENDPOINT_NETLINK:
	case NET_ENDPOINT_OTHER:
		break;
	}
	return net_plan_set(out, NETSTACK_PLAN_INVALID, EAFNOSUPPORT,
			    "address family not supported");
}

/* Turn the INET address in @addr into loopback of its family and port. */
static void net_plan_to_loopback(uint8_t *addr)
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
 * 4. A wildcard listen the zone does not allow beyond loopback: performed,
 * narrowed to loopback peers. Return: true when @d was narrowed.
 */
static bool net_plan_narrow(struct netstack *ns,
			    const struct netstack_sockinfo *k,
			    const struct policy_decision *d,
			    struct netstack_plan *out)
{
	const struct netstack_sock *e;

	if (!net_plan_listen_narrows(d, &out->dest.addr))
		return false;
	out->d = *d;
	out->d.verdict = POLICY_VERDICT_LOOPBACK;
	out->has_decision = true;
	out->narrowed = true;
	e = netstack_sock_find(ns, k->cookie);
	out->bind_device = !e || !e->loopback_only;
	net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
		     "wildcard listen narrowed to this host: loopback peers "
		     "only");
	return true;
}

int netstack_narrow(struct netstack *ns, const struct netstack_sockinfo *k)
{
	struct netstack_sock *e;
	int rc = netstack_loopback_only(k->fd);

	if (rc < 0)
		return rc;
	/* Carried by the socket from now on, whatever the bind does. */
	e = netstack_sock_add(ns, k);
	if (e)
		e->loopback_only = true;
	return 0;
}

int netstack_loopback_only(int fd)
{
	char dev[IFNAMSIZ + 1] = "";
	socklen_t l = sizeof(dev) - 1;
	int lo = NETSTACK_LOOPBACK_IFINDEX;

	/* Bound to a device already: fine if it is loopback, else refused
	 * (it cannot be changed without CAP_NET_RAW anyway). */
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &l) == 0 && dev[0])
		return if_nametoindex(dev) == (unsigned)lo ? 0 : -EPERM;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &lo, sizeof(lo)) < 0)
		return -errno;
	return 0;
}

int netstack_plan_bind(struct netstack *ns, const struct netstack_sockinfo *k,
		       const uint8_t *p, size_t len, struct netstack_plan *out)
{
	struct policy_decision d;
	int rc;

	net_plan_init(k, out);
	if (len > sizeof(out->addr) || len < sizeof(sa_family_t))
		return net_plan_set(out, NETSTACK_PLAN_INVALID, EINVAL,
				    "bad address length");
	memcpy(out->addr, p, len);
	out->addr_len = len;
	rc = sockaddr_parse_as(k->domain, SOCKADDR_BIND, out->addr,
			       &out->addr_len, &out->dest);
	if (rc < 0 && out->dest.kind != NET_ENDPOINT_OTHER)
		return net_plan_set(out, NETSTACK_PLAN_INVALID, -rc,
				    "malformed address");
	net_plan_detail(out);
	switch (out->dest.kind) {
	case NET_ENDPOINT_INET:
		/*
		 * An ephemeral port (a client choosing its source address or
		 * port): nothing listens yet. listen() judges what the socket
		 * is bound to when it starts listening.
		 */
		if (!out->dest.port)
			return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
					    "ephemeral bind (listening is "
					    "judged at listen)");
		net_plan_decide_bind(ns, &out->dest, k->proto, &d);
		if (net_plan_narrow(ns, k, &d, out))
			return 0;
		net_plan_decided(out, &d);
		if (d.verdict == POLICY_VERDICT_LOOPBACK)
			net_plan_to_loopback(out->addr);
		return 0;
	case NET_ENDPOINT_UNIX:
		out->unix_path = true;
		return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
				    "binding a unix socket is allowed");
	case NET_ENDPOINT_ABSTRACT:
		out->unix_abstract =
			k->type == SOCK_STREAM || k->type == SOCK_SEQPACKET;
		return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
				    "binding a unix socket is allowed");
	default:
		return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0,
				    "binding this address family is allowed");
	}
}

int netstack_plan_listen(struct netstack *ns, const struct netstack_sockinfo *k,
			 struct netstack_plan *out)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct policy_decision d;
	char where[200];

	net_plan_init(k, out);
	if (!netstack_unix_listen_shielded(ns, k))
		return net_plan_set(out, NETSTACK_PLAN_DENY,
				    NETSTACK_DENY_ERRNO,
				    "unix listener whose name is not the "
				    "job's alone (autobound, or its sentinel "
				    "could not be set up): anything outside "
				    "could connect");
	if (!net_plan_is_inet(k))
		return net_plan_set(out, NETSTACK_PLAN_PERFORM, 0, "listen");
	if (getsockname(k->fd, (struct sockaddr *)&ss, &l) < 0 ||
	    ss.ss_family != k->domain)
		return net_plan_set(out, NETSTACK_PLAN_INVALID, EINVAL,
				    "socket name unknown");
	memset(&out->dest, 0, sizeof(out->dest));
	out->dest.kind = NET_ENDPOINT_INET;
	out->dest.family = k->domain;
	if (k->domain == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		out->dest.addr.family = 6;
		memcpy(out->dest.addr.b, &in6->sin6_addr, 16);
		out->dest.port = ntohs(in6->sin6_port);
	} else {
		const struct sockaddr_in *in = (const void *)&ss;

		out->dest.addr.family = 4;
		memcpy(out->dest.addr.b, &in->sin_addr, 4);
		out->dest.port = ntohs(in->sin_port);
	}
	sockaddr_fmt(&out->dest, where, sizeof(where));
	snprintf(out->detail, sizeof(out->detail), "%s/%s", where, out->proto);
	net_plan_decide_bind(ns, &out->dest, k->proto, &d);
	/* Unbound, or bound to the wildcard: narrowed (4). */
	if (net_plan_narrow(ns, k, &d, out))
		return 0;
	net_plan_decided(out, &d);
	if (d.verdict != POLICY_VERDICT_LOOPBACK)
		return 0;
	/* Bound already to a host address: it cannot be moved now. */
	return net_plan_set(out, NETSTACK_PLAN_DENY, NETSTACK_DENY_ERRNO,
			    "listen loopback: this socket is bound to a "
			    "non-loopback address already");
}

void netstack_performed(struct netstack *ns, const struct netstack_sockinfo *k,
			const struct netstack_plan *plan, bool ok,
			enum netstack_did did)
{
	if (!ok)
		return;
	if (k->domain == AF_UNIX) {
		if (did != NETSTACK_DID_BIND || !plan)
			return;
		/* The name the kernel gave it is the job's own. */
		if (plan->dest.kind == NET_ENDPOINT_ABSTRACT)
			netstack_note_abstract(ns, plan->dest.path,
					       plan->dest.path_len);
		/* Recorded by netstack_unix_bind_abstract() already. */
		if (!plan->unix_abstract)
			netstack_note_unix(ns, k->fd);
		return;
	}
	/*
	 * 4. The job's receivers: every UDP socket with a port, every TCP
	 * listener (a TCP socket that does not listen receives nothing new;
	 * recording each client connection would only fill the table).
	 */
	if (!net_plan_is_inet(k) ||
	    (k->proto == POLICY_PROTO_TCP && did != NETSTACK_DID_LISTEN))
		return;
	netstack_sock_learn(ns, k, did == NETSTACK_DID_LISTEN);
}

void netstack_plan_done(struct netstack_plan *plan)
{
	if (plan->pin >= 0)
		close(plan->pin);
	plan->pin = -1;
}

/*
 * Resolve a unix socket path as a process in @cwd sees it: relative to
 * @cwd, every symlink followed, "." and ".." gone. A path that does not
 * exist yet is judged lexically (connect will fail with ENOENT anyway).
 */
static int net_plan_unix_resolve(const char *cwd, const char *path, char *out,
				 size_t outlen)
{
	char joined[PATH_MAX + NET_UNIX_PATH_MAX + 2];

	if (path[0] == '/')
		snprintf(joined, sizeof(joined), "%s", path);
	else if (!cwd)
		return -ENOENT;
	else
		snprintf(joined, sizeof(joined), "%s/%s", cwd, path);
	if (realpath(joined, out) && strlen(out) < outlen)
		return 0;
	if (strlen(joined) >= outlen)
		return -ENAMETOOLONG;
	snprintf(out, outlen, "%s", joined);
	return 0;
}

int netstack_unix_pin(const char *cwd, const char *path, char *actual,
		      size_t len)
{
	char resolved[PATH_MAX], link[64];
	struct stat st;
	ssize_t n;
	int fd, rc;

	rc = net_plan_unix_resolve(cwd, path, resolved, sizeof(resolved));
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
