/* SPDX-License-Identifier: MIT */
/*
 * test_net_plan.c - the plan enforcement and `cordon policy explain` share
 * (netstack/net_plan.c): zone x destination x runtime -> perform, redirect
 * to the DNS proxy, or deny, with the decision's "why". DNS to any address,
 * TCP or UDP, IPv4 or IPv6, is redirected before the zone judges the
 * address (a zone allowing nothing still gets the proxy; one allowing the
 * address still does not reach it); everything else is the zone's verdict.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "netstack/netstack.h"
#include "policy/policy.h"

struct plan_row {
	const char *zone;
	const char *target; /* "ADDR:PORT[/udp]", "[V6]:PORT", "-:PORT" */
	const char *pinned; /* a name the proxy pinned, or NULL */
	const char *own;    /* "tcp:PORT": the job's own listener, or NULL */
	enum net_plan_kind kind;
	const char *why;
};

/* clang-format off */
#define DNS "redirected to cordon's DNS proxy (builtin; DNS to any address goes there)"
#define DD "default deny (no rule allows it)"
#define LO "always-denied loopback (builtin; "
#define MD "always-denied metadata (builtin; "
#define M "/matrix.cordon"
static const struct plan_row rows[] = {
	{ "fork-pr", "8.8.8.8:53/udp", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	{ "fork-pr", "8.8.8.8:53", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	{ "fork-pr", "[2001:4860:4860::8888]:53/udp", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	{ "fork-pr", "[2001:4860:4860::8888]:53", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	{ "fork-pr", "[::ffff:8.8.8.8]:53/udp", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	/* Always-denied addresses too: nothing is sent to them. */
	{ "fork-pr", "169.254.169.254:53/udp", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	{ "fork-pr", "127.0.0.53:53/udp", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	{ "fork-pr", "-:53/udp", "dns.example", NULL, NET_PLAN_REDIRECT_DNS, DNS },
	/* A zone that allows the address by rule still gets the proxy. */
	{ "web", "198.51.100.53:53/udp", NULL, NULL, NET_PLAN_REDIRECT_DNS, DNS },
	/* Not DNS: the zone's verdict. */
	{ "fork-pr", "8.8.8.8:853", NULL, NULL, NET_PLAN_DENY, DD },
	{ "fork-pr", "8.8.8.8:5353/udp", NULL, NULL, NET_PLAN_DENY, DD },
	{ "fork-pr", "169.254.169.254:80", NULL, NULL, NET_PLAN_DENY, MD },
	{ "fork-pr", "127.0.0.1:8080", NULL, "tcp:8080", NET_PLAN_PERFORM, "the job's own listener (builtin)" },
	/* The unspecified address is this host's loopback (Go's Dial(":P")). */
	{ "fork-pr", "0.0.0.0:8080", NULL, "tcp:8080", NET_PLAN_PERFORM, "the job's own listener (builtin)" },
	{ "fork-pr", "[::]:8080", NULL, "tcp:8080", NET_PLAN_PERFORM, "the job's own listener (builtin)" },
	{ "fork-pr", "[::ffff:0.0.0.0]:8080", NULL, "tcp:8080", NET_PLAN_PERFORM, "the job's own listener (builtin)" },
	{ "fork-pr", "0.0.0.0:8080", NULL, NULL, NET_PLAN_DENY, LO },
	{ "fork-pr", "[::]:8080/udp", NULL, NULL, NET_PLAN_DENY, LO },
	{ "web", "203.0.113.5:8000", NULL, NULL, NET_PLAN_PERFORM, "rule: allow tcp 203.0.113.0/24:8000-8100 (" M ":7:2)" },
	{ "web", "-:443", "a.example.com", NULL, NET_PLAN_PERFORM, "rule: allow tcp *.example.com:443 (" M ":4:2)" },
	/* Malformed: fails closed. */
	{ "fork-pr", "8.8.8.8:0", NULL, NULL, NET_PLAN_DENY, "invalid request: protocol or port out of range" },
};
/* clang-format on */

static void plan_target(const char *s, struct policy_connect *c)
{
	char buf[128], *colon, *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	c->proto = POLICY_PROTO_TCP;
	slash = strrchr(buf, '/');
	if (slash && !strcmp(slash, "/udp")) {
		c->proto = POLICY_PROTO_UDP;
		*slash = '\0';
	}
	colon = strrchr(buf, ':');
	CHECK(colon);
	*colon = '\0';
	c->port = (uint16_t)atoi(colon + 1);
	c->have_addr = strcmp(buf, "-") != 0;
	if (!c->have_addr)
		return;
	if (buf[0] == '[') {
		buf[strlen(buf) - 1] = '\0';
		CHECK(!policy_addr_parse((const uint8_t *)buf + 1,
					 strlen(buf + 1), &c->addr));
	} else {
		CHECK(!policy_addr_parse((const uint8_t *)buf, strlen(buf),
					 &c->addr));
	}
}

/*
 * Whether the why @got differs from @want. An always-denied @want ends at
 * "(builtin; ": its hint is checked by doing it (test_policy_hint.c).
 */
static bool plan_why_differs(const char *got, const char *want)
{
	size_t n = strlen(want);

	if (n > 2 && !strncmp(want, "always-denied ", 14) &&
	    !strcmp(want + n - 2, "; "))
		return strncmp(got, want, n) != 0;
	return strcmp(got, want) != 0;
}

static void test_plan_matrix(void)
{
	struct policy *p = policy_new(0);
	size_t i, failed = 0;

	CHECK(p);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/matrix.cordon"), 0);
	CHECK_EQ(policy_finish(p), 0);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct plan_row *row = &rows[i];
		struct policy_listener own;
		struct policy_runtime rt;
		struct policy_connect c;
		struct zone_tables *t;
		const struct zone *z;
		const char *pinned[1];
		struct net_plan plan;
		struct dynbuf why, want;

		memset(&rt, 0, sizeof(rt));
		memset(&c, 0, sizeof(c));
		plan_target(row->target, &c);
		if (row->pinned) {
			pinned[0] = row->pinned;
			c.pinned = pinned;
			c.n_pinned = 1;
		}
		if (row->own) {
			own.proto = POLICY_PROTO_TCP;
			own.port = (uint16_t)atoi(row->own + 4);
			rt.listeners = &own;
			rt.n_listeners = 1;
		}
		CHECK_EQ(policy_zone_effective(p, row->zone, NULL, &z), 0);
		CHECK_EQ(zone_tables_new(z, &t), 0);
		CHECK_EQ(net_plan_dest(t, &rt, &c, &plan), 0);
		dynbuf_init(&why, 4096);
		dynbuf_init(&want, 4096);
		policy_decision_fmt(&plan.d, &why);
		if (strstr(row->why, M)) {
			const char *at = strstr(row->why, M);

			dynbuf_add(&want, row->why, (size_t)(at - row->why));
			dynbuf_addf(&want, "%s%s", POLICY_TEST_DATA, at);
		} else {
			dynbuf_addf(&want, "%s", row->why);
		}
		if (plan.kind != row->kind ||
		    plan_why_differs(why.data, want.data) ||
		    strcmp(plan.d.zone, row->zone) ||
		    (plan.kind == NET_PLAN_DENY) !=
			    (plan.d.verdict == POLICY_VERDICT_DENY)) {
			fprintf(stderr,
				"%s %s: want %s / %s\n     got %s / %s\n",
				row->zone, row->target,
				net_plan_kind_name(row->kind), want.data,
				net_plan_kind_name(plan.kind), why.data);
			failed++;
		}
		dynbuf_free(&why);
		dynbuf_free(&want);
		zone_tables_free(t);
	}
	policy_free(p);
	CHECK_EQ(failed, 0);
}

/* No tables: a deny that names the failure, never a redirect. */
static void test_plan_fail_closed(void)
{
	struct policy_connect c = {.have_addr = true,
				   .addr = {.family = 4, .b = {8, 8, 8, 8}},
				   .proto = POLICY_PROTO_UDP,
				   .port = 53};
	struct net_plan plan;

	CHECK_EQ(net_plan_dest(NULL, NULL, &c, &plan), 0);
	CHECK_EQ(plan.kind, NET_PLAN_DENY);
	CHECK_EQ(plan.d.reason, POLICY_REASON_INVALID);
	CHECK(net_plan_redirects_dns(53));
	CHECK(!net_plan_redirects_dns(853));
	CHECK_STREQ(net_plan_kind_name(NET_PLAN_REDIRECT_DNS), "redirect-dns");
}

/*
 * Where the kernel sends a connect to the unspecified address: loopback, or
 * (IPv4) the socket's own bound address; the spelling stays; anything else
 * is left alone.
 */
static void test_plan_unspec_dest(void)
{
	static const struct {
		const char *in, *bound, *out;
	} cases[] = {
		{"0.0.0.0", NULL, "127.0.0.1"},
		{"0.0.0.0", "0.0.0.0", "127.0.0.1"},
		{"0.0.0.0", "192.0.2.7", "192.0.2.7"},
		{"::ffff:0.0.0.0", NULL, "::ffff:127.0.0.1"},
		{"::ffff:0.0.0.0", "::ffff:192.0.2.7", "::ffff:192.0.2.7"},
		{"::", NULL, "::1"},
		{"::", "2001:db8::1", "::1"},
		{"127.0.0.2", NULL, NULL},
		{"::1", NULL, NULL},
		{"0.0.0.1", NULL, NULL},
		{"::ffff:0.0.0.1", NULL, NULL},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policy_addr a, b, want;
		bool changed;

		CHECK(!policy_addr_parse((const uint8_t *)cases[i].in,
					 strlen(cases[i].in), &a));
		if (cases[i].bound)
			CHECK(!policy_addr_parse(
				(const uint8_t *)cases[i].bound,
				strlen(cases[i].bound), &b));
		want = a;
		if (cases[i].out)
			CHECK(!policy_addr_parse((const uint8_t *)cases[i].out,
						 strlen(cases[i].out), &want));
		changed = net_plan_unspec_dest(&a, cases[i].bound ? &b : NULL);
		CHECK_EQ(changed, cases[i].out != NULL);
		CHECK_EQ(a.family, want.family);
		CHECK(!memcmp(a.b, want.b, a.family == 4 ? 4 : 16));
	}
}

/*
 * Which connects go through the relay and with which check: the plan run
 * performs (net_plan_dest()) and the rule `policy show` annotates
 * (net_plan_rule_relay()) agree, row by row.
 */
static void test_plan_relay(void)
{
	/* clang-format off */
	static const struct {
		const char *target, *pinned;
		enum net_plan_kind kind;
		enum net_plan_relay relay;
		const char *name;
	} relay_rows[] = {
		{ "-:443", "web.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_NAME, "sni-host" },
		{ "-:80", "plain.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_NAME, "sni-host" },
		{ "-:22", "git.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_PIN, "pin-only" },
		/* A range: every port of it is checked, 22 or not. */
		{ "-:8022", "a.range.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_NAME, "sni-host" },
		{ "-:2222", "ssh.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_PIN, "pin-only" },
		/* UDP is never relayed; address rules stay direct. */
		{ "-:2222/udp", "ssh.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_NONE, "direct" },
		{ "-:123/udp", "ntp.example", NET_PLAN_PERFORM, NET_PLAN_RELAY_NONE, "direct" },
		{ "203.0.113.9:22", NULL, NET_PLAN_PERFORM, NET_PLAN_RELAY_NONE, "direct" },
		/* Not allowed: nothing to relay. */
		{ "-:22", "web.example", NET_PLAN_DENY, NET_PLAN_RELAY_NONE, "direct" },
		{ "-:443", "other.example", NET_PLAN_DENY, NET_PLAN_RELAY_NONE, "direct" },
	};
	/* clang-format on */
	struct policy *p = policy_new(0);
	struct policy_runtime rt;
	struct zone_tables *t;
	const struct zone *z;
	size_t i, failed = 0;

	memset(&rt, 0, sizeof(rt));
	CHECK(p);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/matrix.cordon"), 0);
	CHECK_EQ(policy_finish(p), 0);
	CHECK_EQ(policy_zone_effective(p, "relay", NULL, &z), 0);
	CHECK_EQ(zone_tables_new(z, &t), 0);
	for (i = 0; i < ARRAY_SIZE(relay_rows); i++) {
		const char *pinned[1] = {relay_rows[i].pinned};
		struct policy_connect c;
		struct net_plan plan;

		memset(&c, 0, sizeof(c));
		plan_target(relay_rows[i].target, &c);
		if (relay_rows[i].pinned) {
			c.pinned = pinned;
			c.n_pinned = 1;
		}
		CHECK_EQ(net_plan_dest(t, &rt, &c, &plan), 0);
		if (plan.kind != relay_rows[i].kind ||
		    plan.relay != relay_rows[i].relay ||
		    strcmp(net_plan_relay_name(plan.relay),
			   relay_rows[i].name) ||
		    (plan.relay != NET_PLAN_RELAY_NONE &&
		     net_plan_rule_relay(plan.d.rule) != plan.relay)) {
			fprintf(stderr, "relay %s %s: want %s %s, got %s %s\n",
				relay_rows[i].target, relay_rows[i].pinned,
				net_plan_kind_name(relay_rows[i].kind),
				relay_rows[i].name,
				net_plan_kind_name(plan.kind),
				net_plan_relay_name(plan.relay));
			failed++;
		}
	}
	CHECK_EQ(failed, 0);
	/* Deny rules and DNS rules are never relayed. */
	for (i = 0; i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->action == POLICY_ACTION_DENY ||
		    r->kind != POLICY_RULE_KIND_EGRESS)
			CHECK_EQ(net_plan_rule_relay(r), NET_PLAN_RELAY_NONE);
	}
	CHECK_STREQ(net_plan_relay_what(NET_PLAN_RELAY_NONE), "");
	CHECK(strstr(net_plan_relay_what(NET_PLAN_RELAY_PIN), "not inspected"));
	zone_tables_free(t);
	policy_free(p);
}

/*
 * Which zones can translate a socket, so that the filter notifies
 * getsockname()/getpeername() (FILTER_SOCKNAMES): an allowing hostname rule
 * that can cover TCP (the relay), and nothing else. If a zone with hostname
 * rules stopped answering true, its relayed sockets would show the relay's
 * loopback address to the job (net/relay.sh checks that end to end).
 */
static void test_plan_zone_translates(void)
{
	static const struct {
		const char *zone;
		bool translates;
	} cases[] = {
		{"web", true},	    /* allow tcp *.example.com:443, api... */
		{"lifted", false},  /* address rules only */
		{"fork-pr", false}, /* nothing allowed by name */
		{"open", false},    /* CIDR rules, however broad */
		{"v6all", false},   {"abs", false}, /* unix rules */
	};
	struct policy *p = policy_new(0);
	const struct zone *z;
	size_t i;

	CHECK(p);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/matrix.cordon"), 0);
	CHECK_EQ(policy_finish(p), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK_EQ(policy_zone_effective(p, cases[i].zone, NULL, &z), 0);
		CHECK_MSG(net_plan_zone_translates(z) == cases[i].translates,
			  "zone %s: want %d", cases[i].zone,
			  cases[i].translates);
	}
	CHECK(!net_plan_zone_translates(NULL));
	policy_free(p);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_plan_matrix),
	HARNESS_TEST(test_plan_relay),
	HARNESS_TEST(test_plan_unspec_dest),
	HARNESS_TEST(test_plan_fail_closed),
	HARNESS_TEST(test_plan_zone_translates),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
