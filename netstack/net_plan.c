/* SPDX-License-Identifier: MIT */
/*
 * net_plan.c - the plan for a connect or send to an internet destination:
 * perform it as asked, perform it towards cordon's DNS proxy, or deny it,
 * with the decision that says why. Enforcement (sentry/sys_net.c) and
 * `cordon policy explain` run this one function, so that what explain says
 * is what a run does, redirects included.
 *
 * Theory of operation
 * -------------------
 *   0. A destination of 0.0.0.0 or :: is this host's loopback to the kernel
 *      (a "BSD'ism": Go's Dial(":8080") relies on it), so it is judged as
 *      that: the job's own listener there is reachable, a host service is
 *      not.
 *   1. A DNS exchange (port 53, TCP or UDP, to any address) is never sent
 *      on: the DNS proxy answers it and applies the zone's name rules, so
 *      the destination's address is not judged at all. This comes first, as
 *      it did in the handlers: a zone that allows 8.8.8.8:53 still gets the
 *      proxy, and one that allows nothing gets NXDOMAIN for every name
 *      without a query leaving the host.
 *   2. Anything else is the zone's decision (zone_decide_connect()): allow
 *      means perform, deny means deny.
 *
 * Not responsible for gathering the runtime facts (netstack.c asks the
 * kernel which listener is the job's; explain takes them from its options)
 * nor for performing anything.
 */
#include <string.h>

#include "netstack/netstack.h"

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
	/* 0. The unspecified address is this host (net_plan_unspec_dest()). */
	if (asked && asked->have_addr) {
		one = *asked;
		if (net_plan_unspec_dest(&one.addr, NULL))
			c = &one;
	}
	if (t && c && net_plan_redirects_dns(c->port) &&
	    (c->proto == POLICY_PROTO_TCP || c->proto == POLICY_PROTO_UDP)) {
		/* 1. The proxy answers; the address is only recorded. */
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
	/* 2. The zone decides (and fails closed on a malformed request). */
	zone_decide_connect(t, rt, c, &out->d);
	out->kind = out->d.verdict == POLICY_VERDICT_ALLOW ? NET_PLAN_PERFORM
							   : NET_PLAN_DENY;
	return 0;
}
