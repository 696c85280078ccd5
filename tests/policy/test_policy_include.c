/* SPDX-License-Identifier: MIT */
/*
 * test_policy_include.c - reading policy files: includes relative to the
 * including file, include-once, cycles reported with their chain, the depth
 * cap, unreadable files as errors (never an empty policy), and a file with
 * many errors reporting all of them. Fixtures in data/; each test runs in
 * its own child, chdir'd there so that paths in messages are short.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "policy/policy.h"

/* The zones' fs rules come first (inherited): these checks are on the rest. */
static size_t nonfs_count(const struct zone *z)
{
	size_t i, n = 0;

	for (i = 0; i < zone_rule_count(z); i++)
		n += zone_rule_get(z, i)->kind != POLICY_RULE_KIND_FS;
	return n;
}

static const struct policy_rule *nonfs_get(const struct zone *z, size_t k)
{
	size_t i;

	for (i = 0; i < zone_rule_count(z); i++)
		if (zone_rule_get(z, i)->kind != POLICY_RULE_KIND_FS && !k--)
			return zone_rule_get(z, i);
	return NULL;
}

static int load(const char *file, struct dynbuf *out, struct policy **pp)
{
	struct policy *p = policy_new(0);
	size_t i;
	int rc;

	CHECK(p);
	CHECK_EQ(chdir(POLICY_TEST_DATA), 0);
	rc = policy_parse_file(p, file);
	if (!rc)
		rc = policy_finish(p);
	dynbuf_init(out, 1 << 20);
	dynbuf_add(out, "", 0);
	for (i = 0; i < policy_diag_count(p); i++)
		policy_diag_fmt(policy_diag_get(p, i), out);
	*pp = p;
	return rc;
}

static void test_include_ok(void)
{
	const struct zone *z;
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(load("include_ok.cordon", &d, &p), 0);
	CHECK_STREQ(d.data, "");
	/* common.cordon is included twice and read once. */
	CHECK_EQ(policy_zone_count(p), 3 + 3);
	z = policy_zone_find(p, "job");
	CHECK(z);
	CHECK_EQ(nonfs_count(z), 2);
	CHECK_STREQ(nonfs_get(z, 0)->loc.file, "common.cordon");
	CHECK_EQ(nonfs_get(z, 0)->loc.line, 3);
	CHECK_STREQ(nonfs_get(z, 1)->loc.file, "include_ok.cordon");
	CHECK(policy_zone_find(p, "leaf"));
	CHECK_STREQ(nonfs_get(policy_zone_find(p, "leaf"), 0)->loc.file,
		    "sub/leaf.cordon");
	dynbuf_free(&d);
	policy_free(p);
}

static void test_include_cycle(void)
{
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(load("cycle_a.cordon", &d, &p), -EINVAL);
	CHECK_STREQ(
		d.data,
		"cycle_b.cordon:1:9: error: include cycle: cycle_a.cordon -> cycle_b.cordon -> cycle_a.cordon\n"
		"  hint: remove one of the includes\n");
	dynbuf_free(&d);
	policy_free(p);
}

static void test_include_depth(void)
{
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(load("deep0.cordon", &d, &p), -EINVAL);
	CHECK_STREQ(
		d.data,
		"deep8.cordon:1:9: error: includes nested deeper than 8: deep0.cordon -> deep1.cordon -> deep2.cordon -> deep3.cordon -> deep4.cordon -> deep5.cordon -> deep6.cordon -> deep7.cordon -> deep8.cordon -> deep9.cordon\n"
		"  hint: flatten the include chain\n");
	dynbuf_free(&d);
	policy_free(p);
	/* Exactly at the cap is fine. */
	CHECK_EQ(load("deep2.cordon", &d, &p), 0);
	CHECK(policy_zone_find(p, "bottom"));
	dynbuf_free(&d);
	policy_free(p);
}

static void test_include_missing(void)
{
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(load("include_missing.cordon", &d, &p), -EINVAL);
	CHECK_STREQ(
		d.data,
		"include_missing.cordon:3:9: error: cannot read included file 'does-not-exist.cordon': No such file or directory\n");
	dynbuf_free(&d);
	policy_free(p);
}

/* A policy that cannot be read is an error, never an empty policy. */
static void test_unreadable(void)
{
	const struct zone *z;
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(load("nope.cordon", &d, &p), -EINVAL);
	CHECK_STREQ(
		d.data,
		"nope.cordon:1:1: error: cannot read policy file: No such file or directory\n");
	CHECK_EQ(policy_zone_effective(p, NULL, NULL, &z), -EINVAL);
	dynbuf_free(&d);
	policy_free(p);
	CHECK_EQ(load("sub", &d, &p), -EINVAL);
	CHECK_STREQ(
		d.data,
		"sub:1:1: error: cannot read policy file: Is a directory\n");
	dynbuf_free(&d);
	policy_free(p);
}

static void test_many_errors(void)
{
	struct policy *p;
	struct dynbuf d;

	CHECK_EQ(load("bad_many.cordon", &d, &p), -EINVAL);
	CHECK_STREQ(
		d.data,
		"bad_many.cordon:3:12: error: malformed wildcard '*foo.com'\n"
		"  hint: '*' must be followed by '.', as in '*.example.com'\n"
		"bad_many.cordon:4:12: error: malformed wildcard 'a.*.com'\n"
		"  hint: '*' is allowed only as the whole first label, as in '*.example.com'\n"
		"bad_many.cordon:5:20: error: invalid prefix length '/33'\n"
		"  hint: IPv4 prefixes are 0-32\n"
		"bad_many.cordon:6:24: error: invalid port '70000'\n"
		"  hint: ports are 1-65535: write PORT, LO-HI or any\n"
		"bad_many.cordon:7:12: error: invalid mem '0': zero is not a limit\n"
		"  hint: remove the limit instead of setting it to 0\n"
		"bad_many.cordon:8:13: error: invalid pids '1.5': fractions are not supported\n"
		"  hint: counts are whole numbers\n"
		"bad_many.cordon:9:2: error: unknown key 'frobnicate'\n"
		"  hint: zone settings are allow, deny, dns, fs, lift, limit, listen, syscall, trust and unix\n");
	dynbuf_free(&d);
	policy_free(p);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_include_ok),	  HARNESS_TEST(test_include_cycle),
	HARNESS_TEST(test_include_depth), HARNESS_TEST(test_include_missing),
	HARNESS_TEST(test_unreadable),	  HARNESS_TEST(test_many_errors),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
