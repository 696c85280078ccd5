/* SPDX-License-Identifier: MIT */
/*
 * test_policy_hint.c - every hint of an always-denied decision is checked by
 * doing what it says: for a table of zones and requests, the hint's
 * statements are added to a zone extending the deciding one, the policy
 * must compile without a diagnostic, and the same request must then be
 * allowed. A hint that does not open the request, or that names a lift that
 * changes nothing, fails; so does an empty hint where the row expects one
 * (and a hint where a deny rule stands, since no addition can beat it).
 * Connects are decided by net_plan_dest(), as explain and run decide them.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "netstack/netstack.h"
#include "policy/policy.h"

struct hint_row {
	const char *zone;
	const char *op;	     /* connect, resolve, unix */
	const char *target;  /* "ADDR:PORT[/udp]", "[V6]:PORT", "-:PORT" */
	const char *pinned;  /* connect: a name the proxy pinned, or NULL */
	const char *runtime; /* "L=tcp:8080 H=127.0.0.1", or NULL */
	bool hint;	     /* a hint is expected (else: a deny rule) */
};

/* clang-format off */
static const struct hint_row rows[] = {
	/* The case: the host's loopback service, 127.0.0.1 being one
	 * of the host's addresses at run time ('lift host' alone is wrong). */
	{ "fork-pr", "connect", "127.0.0.1:5432", NULL, "H=127.0.0.1 H=::1", true },
	{ "fork-pr", "connect", "[::1]:5432", NULL, "H=127.0.0.1 H=::1", true },
	{ "fork-pr", "connect", "127.0.0.1:5432", NULL, NULL, true },
	{ "fork-pr", "connect", "127.0.0.1:8081", NULL, "L=tcp:8080 H=127.0.0.1", true },
	{ "fork-pr", "connect", "127.0.0.1:8080/udp", NULL, "L=tcp:8080 H=127.0.0.1", true },
	{ "fork-pr", "connect", "0.0.0.0:5432", NULL, NULL, true },
	{ "fork-pr", "connect", "[::]:5432", NULL, NULL, true },
	{ "fork-pr", "connect", "192.0.2.10:22", NULL, "H=192.0.2.10", true },
	{ "fork-pr", "connect", "[2001:db8::10]:22", NULL, "H=2001:db8::10", true },
	/* Metadata is link-local too: both lifts. */
	{ "fork-pr", "connect", "169.254.169.254:80", NULL, NULL, true },
	{ "fork-pr", "connect", "[::ffff:169.254.169.254]:80", NULL, NULL, true },
	{ "fork-pr", "connect", "[64:ff9b::a9fe:a9fe]:80", NULL, NULL, true },
	{ "fork-pr", "connect", "[2002:a9fe:a9fe::1]:80", NULL, NULL, true },
	{ "fork-pr", "connect", "[fd00:ec2::254]:80", NULL, NULL, true },
	{ "fork-pr", "connect", "169.254.170.2:80", NULL, NULL, true },
	{ "fork-pr", "connect", "169.254.1.1:80", NULL, NULL, true },
	{ "fork-pr", "connect", "[fe80::1]:80", NULL, NULL, true },
	{ "fork-pr", "connect", "10.1.2.3:443", NULL, NULL, true },
	{ "fork-pr", "connect", "[fd12:3456::1]:443", NULL, NULL, true },
	{ "fork-pr", "connect", "100.64.0.1:443", NULL, NULL, true },
	{ "fork-pr", "connect", "10.0.0.5:22", NULL, "H=10.0.0.5 L=tcp:22", true },
	{ "fork-pr", "connect", "224.0.0.251:5353/udp", NULL, NULL, true },
	{ "fork-pr", "connect", "255.255.255.255:67/udp", NULL, NULL, true },
	{ "fork-pr", "connect", "[ff02::1]:547/udp", NULL, NULL, true },
	{ "fork-pr", "connect", "-:80", "metadata.google.internal", NULL, true },
	{ "fork-pr", "connect", "169.254.169.254:80", "metadata.google.internal", NULL, true },
	{ "fork-pr", "resolve", "metadata.google.internal", NULL, NULL, true },
	{ "fork-pr", "resolve", "x.metadata.goog", NULL, NULL, true },
	{ "fork-pr", "unix", "/run/docker.sock", NULL, NULL, true },
	{ "fork-pr", "unix", "/run/user/1000/bus", NULL, NULL, true },
	{ "fork-pr", "unix", "/run/systemd/resolve/io.systemd.Resolve", NULL, NULL, true },
	/* Zones that already allow it by rule: the lifts are the whole hint. */
	{ "web", "connect", "127.0.0.1:443", "a.example.com", "H=127.0.0.1", true },
	{ "web", "connect", "[::ffff:10.0.0.1]:443", "a.example.com", NULL, true },
	{ "open", "connect", "169.254.169.254:80", NULL, NULL, true },
	{ "open", "connect", "127.0.0.1:80", NULL, "H=127.0.0.1", true },
	{ "open-untrusted", "connect", "10.0.0.1:22", NULL, NULL, true },
	{ "open-untrusted", "connect", "127.0.0.1:5432", NULL, "H=127.0.0.1", true },
	{ "lifted", "connect", "224.0.0.1:5353/udp", NULL, NULL, true },
	/* A deny rule stands: nothing added can allow it, so no hint. */
	{ "denies", "connect", "10.0.0.1:22", NULL, NULL, false },
	{ "denies", "connect", "169.254.169.254:443", NULL, NULL, false },
	{ "denies", "resolve", "metadata.google.internal", NULL, NULL, false },
	{ "denies", "unix", "/run/docker.sock", NULL, NULL, false },
};
/* clang-format on */

struct hint_rt {
	struct policy_runtime rt;
	struct policy_listener l[4];
	struct policy_addr h[4];
};

static void hint_runtime(const char *spec, struct hint_rt *r)
{
	char buf[256], *tok, *save = NULL;

	memset(r, 0, sizeof(*r));
	r->rt.cwd = "/work/job";
	r->rt.tmpdir = "/tmp";
	r->rt.xdg_runtime_dir = "/run/user/1000";
	r->rt.home = "/home/ci";
	r->rt.listeners = r->l;
	r->rt.host_addrs = r->h;
	if (!spec)
		return;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "L=", 2)) {
			struct policy_listener *l = &r->l[r->rt.n_listeners++];

			l->proto = strncmp(tok + 2, "udp", 3)
					   ? POLICY_PROTO_TCP
					   : POLICY_PROTO_UDP;
			l->port = (uint16_t)atoi(tok + 6);
		} else if (!strncmp(tok, "H=", 2)) {
			CHECK(!policy_addr_parse((const uint8_t *)tok + 2,
						 strlen(tok + 2),
						 &r->h[r->rt.n_host_addrs++]));
		}
	}
}

static void hint_target(const char *s, struct policy_connect *c)
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

/* Decide @row in zone @zone of @p, as explain does. */
static void hint_decide(struct policy *p, const char *zone,
			const struct hint_row *row, struct policy_decision *d)
{
	const char *pinned[1] = {row->pinned};
	struct policy_connect c;
	struct zone_tables *t;
	const struct zone *z;
	struct net_plan plan;
	struct hint_rt r;

	CHECK_EQ(policy_zone_effective(p, zone, NULL, &z), 0);
	CHECK_EQ(zone_tables_new(z, &t), 0);
	hint_runtime(row->runtime, &r);
	if (!strcmp(row->op, "connect")) {
		memset(&c, 0, sizeof(c));
		hint_target(row->target, &c);
		if (row->pinned) {
			c.pinned = pinned;
			c.n_pinned = 1;
		}
		net_plan_dest(t, &r.rt, &c, &plan);
		*d = plan.d;
	} else if (!strcmp(row->op, "resolve")) {
		zone_decide_resolve(t, row->target, strlen(row->target), d);
	} else {
		zone_decide_unix(t, &r.rt, row->target, strlen(row->target),
				 false, d);
	}
	zone_tables_free(t);
}

static struct policy *hint_policy(const char *extra)
{
	struct policy *p = policy_new(0);

	CHECK(p);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/matrix.cordon"), 0);
	CHECK_EQ(policy_parse_file(p, POLICY_TEST_DATA "/hint.cordon"), 0);
	if (extra &&
	    policy_parse(p, "<hint>", (const uint8_t *)extra, strlen(extra)))
		return p;
	policy_finish(p);
	return p;
}

/*
 * The zone "hinted" extending @zone with the hint's statements: every
 * '...' of @hint on its own line. Return: the statements found.
 */
static int hint_zone(const char *zone, const char *hint, char *out, size_t len)
{
	const char *q = hint, *end;
	size_t o;
	int n = 0;

	o = (size_t)snprintf(out, len, "zone hinted extends %s {\n", zone);
	while ((q = strchr(q, '\'')) && (end = strchr(q + 1, '\''))) {
		o += (size_t)snprintf(out + o, len - o, "\t%.*s\n",
				      (int)(end - q - 1), q + 1);
		q = end + 1;
		n++;
	}
	snprintf(out + o, len - o, "}\n");
	return n;
}

static void test_hints_allow(void)
{
	size_t i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct hint_row *row = &rows[i];
		struct policy_decision d;
		struct policy *p = hint_policy(NULL);
		char text[2048];
		int n;

		hint_decide(p, row->zone, row, &d);
		policy_free(p);
		if (d.verdict != POLICY_VERDICT_DENY ||
		    d.reason != POLICY_REASON_ALWAYS_DENIED) {
			fprintf(stderr, "%s %s %s: not always-denied\n",
				row->zone, row->op, row->target);
			failed++;
			continue;
		}
		if (!row->hint) {
			if (d.hint[0]) {
				fprintf(stderr,
					"%s %s %s: hint '%s' where a "
					"deny rule stands\n",
					row->zone, row->op, row->target,
					d.hint);
				failed++;
			}
			continue;
		}
		n = hint_zone(row->zone, d.hint, text, sizeof(text));
		p = hint_policy(text);
		if (!n || policy_diag_count(p)) {
			fprintf(stderr, "%s %s %s: hint '%s' %s\n", row->zone,
				row->op, row->target, d.hint,
				n ? "does not compile" : "names nothing");
			failed++;
			policy_free(p);
			continue;
		}
		hint_decide(p, "hinted", row, &d);
		if (d.verdict != POLICY_VERDICT_ALLOW) {
			struct dynbuf why;

			dynbuf_init(&why, 1024);
			policy_decision_fmt(&d, &why);
			fprintf(stderr, "%s %s %s: after the hint still %s\n",
				row->zone, row->op, row->target,
				why.data ? why.data : "?");
			dynbuf_free(&why);
			failed++;
		}
		policy_free(p);
	}
	CHECK_EQ(failed, 0);
}

/* The dead-rule diagnostic's hint is checked the same way. */
static void test_dead_rule_hint(void)
{
	static const char *const rules[] = {
		"allow tcp 169.254.169.254:80",
		"allow tcp 10.0.0.0/8:22",
		"allow udp 224.0.0.251:5353",
		"allow tcp [fe80::]/64:22",
		"allow tcp metadata.google.internal:80",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		char text[512], fixed[640], lift[128];
		const struct policy_diag *dg;
		const char *a, *b;
		struct policy *p;

		snprintf(text, sizeof(text),
			 "zone dead extends fork-pr {\n\t%s\n}\n", rules[i]);
		p = policy_new(0);
		CHECK(p);
		policy_parse(p, "<dead>", (const uint8_t *)text, strlen(text));
		policy_finish(p);
		CHECK_MSG(policy_diag_count(p) == 1, "%s: no diagnostic",
			  rules[i]);
		dg = policy_diag_get(p, 0);
		a = strchr(dg->hint, '\'');
		b = a ? strchr(a + 1, '\'') : NULL;
		CHECK_MSG(a && b, "%s: hint '%s' names nothing", rules[i],
			  dg->hint);
		snprintf(lift, sizeof(lift), "%.*s", (int)(b - a - 1), a + 1);
		policy_free(p);
		snprintf(fixed, sizeof(fixed),
			 "zone dead extends fork-pr {\n\t%s\n\t%s\n}\n", lift,
			 rules[i]);
		p = policy_new(0);
		CHECK(p);
		policy_parse(p, "<dead>", (const uint8_t *)fixed,
			     strlen(fixed));
		policy_finish(p);
		CHECK_MSG(policy_diag_count(p) == 0,
			  "%s: still dead after '%s'", rules[i], lift);
		policy_free(p);
	}
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_hints_allow),
	HARNESS_TEST(test_dead_rule_hint),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
