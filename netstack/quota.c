/* SPDX-License-Identifier: MIT */
/*
 * quota.c - the egress quota (limit egress): a byte budget that the relay's
 * thread and the supervisor's threads draw from, without a lock. Not
 * responsible for what is counted (relay.c: what the job sends through the
 * relay; sentry/sys_net.c: mediated UDP sends) nor for what reaching it
 * does (the relay resets, the supervisor refuses or kills the tree).
 *
 * Theory of operation
 * -------------------
 *   A draw reserves bytes before they are sent (compare-and-swap on @used,
 *   never past @limit) and gives back what was not sent, so concurrent
 *   drawers never overshoot the limit together: the bytes that leave are
 *   at most @limit. @used is the peak the report shows (bytes given back
 *   were never sent).
 */
#include "common/common.h"
#include "netstack/netstack.h"

uint64_t netstack_quota_take(struct netstack_quota *q, uint64_t want)
{
	uint64_t cur, grant;

	if (!q->limit)
		return want;
	cur = __atomic_load_n(&q->used, __ATOMIC_RELAXED);
	do {
		grant = cur >= q->limit ? 0 : q->limit - cur;
		if (grant > want)
			grant = want;
		if (!grant)
			return 0;
	} while (!__atomic_compare_exchange_n(&q->used, &cur, cur + grant, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return grant;
}

bool netstack_quota_take_all(struct netstack_quota *q, uint64_t n)
{
	uint64_t got = netstack_quota_take(q, n);

	if (got == n)
		return true;
	netstack_quota_give(q, got);
	return false;
}

void netstack_quota_give(struct netstack_quota *q, uint64_t n)
{
	if (q->limit && n)
		__atomic_sub_fetch(&q->used, n, __ATOMIC_RELAXED);
}

void netstack_quota_refuse(struct netstack_quota *q)
{
	__atomic_add_fetch(&q->refused, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&q->reached, true, __ATOMIC_RELEASE);
}

bool netstack_quota_spent(const struct netstack_quota *q)
{
	return q->limit &&
	       __atomic_load_n(&q->used, __ATOMIC_RELAXED) >= q->limit;
}

uint64_t netstack_quota_used(const struct netstack_quota *q)
{
	return __atomic_load_n(&q->used, __ATOMIC_RELAXED);
}

bool netstack_quota_reached(const struct netstack_quota *q)
{
	return __atomic_load_n(&q->reached, __ATOMIC_ACQUIRE);
}
