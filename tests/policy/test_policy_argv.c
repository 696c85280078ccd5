/* SPDX-License-Identifier: MIT */
/*
 * test_policy_argv.c - policy_argv_redact(): the command-line values the
 * audit log writes as "<redacted>" (secret options, the value after one,
 * curl's USER:PASSWORD, secret headers, environment assignments, a URL's
 * user:pass@ and secret query parameters) and the arguments it keeps as
 * they are. Each row is (argument before, argument, what the log holds).
 */
#include <errno.h>
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "policy/policy.h"

#define R POLICY_ARGV_REDACTED

static const struct {
	const char *prev, *arg, *want;
} rows[] = {
	/* 1. options */
	{NULL, "--password=hunter2", "--password=" R},
	{NULL, "--PASSWORD=hunter2", "--PASSWORD=" R},
	{NULL, "-password=hunter2", "-password=" R},
	{NULL, "--token=abc", "--token=" R},
	{NULL, "--api-key=abc", "--api-key=" R},
	{NULL, "--http-password=x", "--http-password=" R},
	{NULL, "--client-secret=x", "--client-secret=" R},
	{NULL, "--aws-secret-access-key=x", "--aws-secret-access-key=" R},
	{NULL, "--db.password=x", "--db.password=" R},
	{"--password", "hunter2", R},
	{"--token", "ghp_abc", R},
	{"-token", "ghp_abc", R},
	{"--password=", "next", "next"},
	{"-u", "alice:s3cret", "alice:" R},
	{"--user", "alice:s3cret", "alice:" R},
	{"--proxy-user", "bob:pw", "bob:" R},
	{NULL, "--user=alice:s3cret", "--user=alice:" R},
	{"-u", "alice", "alice"},
	{NULL, "--password=", "--password="},
	/* 2. headers */
	{"-H", "Authorization: Bearer eyJhbGciOi", "Authorization: Bearer " R},
	{NULL, "authorization: token ghp_x", "authorization: token " R},
	{NULL, "Authorization: eyJhbGciOi", "Authorization: " R},
	{NULL, "Authorization:Basic YWxhZGRpbjpvcGVu",
	 "Authorization:Basic " R},
	{NULL, "Proxy-Authorization: Basic x", "Proxy-Authorization: Basic " R},
	{NULL, "Cookie: session=abc; id=1", "Cookie: " R},
	{NULL, "X-Api-Key: k", "X-Api-Key: " R},
	{NULL, "PRIVATE-TOKEN: glpat-x", "PRIVATE-TOKEN: " R},
	{NULL, "X-Auth-Token: t", "X-Auth-Token: " R},
	{NULL, "--header=Authorization: Bearer t",
	 "--header=Authorization: Bearer " R},
	{NULL, "-HAuthorization: Bearer t", "-HAuthorization: Bearer " R},
	{NULL, "Authorization:", "Authorization:"},
	/* 3. assignments */
	{NULL, "GITHUB_TOKEN=ghp_abc", "GITHUB_TOKEN=" R},
	{NULL, "AWS_SECRET_ACCESS_KEY=x", "AWS_SECRET_ACCESS_KEY=" R},
	{NULL, "npm_token=x", "npm_token=" R},
	{"-e", "TWINE_PASSWORD=x", "TWINE_PASSWORD=" R},
	{NULL, "--env=NPM_TOKEN=x", "--env=NPM_TOKEN=" R},
	{NULL, "--build-arg=BUILD_ID=7", "--build-arg=BUILD_ID=7"},
	/* 4. URLs */
	{NULL, "https://user:pass@example.com/x",
	 "https://user:" R "@example.com/x"},
	{NULL, "https://x-access-token:ghs_abc@github.com/o/r.git",
	 "https://x-access-token:" R "@github.com/o/r.git"},
	{NULL, "https://ghp_0123456789abcdefABCDEF@github.com/o/r",
	 "https://" R "@github.com/o/r"},
	{NULL, "--url=ftp://me:pw@host", "--url=ftp://me:" R "@host"},
	{NULL, "a=http://u:p@h1 b=http://v:q@h2",
	 "a=http://u:" R "@h1 b=http://v:" R "@h2"},
	{NULL, "https://h/p?access_token=abc&x=1",
	 "https://h/p?access_token=" R "&x=1"},
	{NULL, "https://h/?X-Amz-Signature=abc#frag",
	 "https://h/?X-Amz-Signature=" R "#frag"},
	{NULL, "https://h/?a=1&token=t&api_key=k",
	 "https://h/?a=1&token=" R "&api_key=" R},
	{NULL, "https://u:p@h/?password=x", "https://u:" R "@h/?password=" R},
	/* kept */
	{NULL, "ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git"},
	{NULL, "https://example.com:8443/a?b=c",
	 "https://example.com:8443/a?b=c"},
	{NULL, "http://[::1]:80/", "http://[::1]:80/"},
	{NULL, "--verbose", "--verbose"},
	{"--verbose", "build", "build"},
	{NULL, "--token-file=/run/t", "--token-file=/run/t"},
	{NULL, "--password-stdin", "--password-stdin"},
	{"--password-stdin", "registry.example", "registry.example"},
	{NULL, "PATH=/usr/bin", "PATH=/usr/bin"},
	{NULL, "CFLAGS=-O2", "CFLAGS=-O2"},
	{NULL, "Content-Type: application/json",
	 "Content-Type: application/json"},
	{NULL, "make", "make"},
	{NULL, "", ""},
	{NULL, "-", "-"},
	{NULL, "--", "--"},
	{NULL, "://", "://"},
	{NULL, "x://@", "x://@"},
	{NULL, "C:\\dir", "C:\\dir"},
};

static void test_rows(void)
{
	struct dynbuf b;
	size_t i;

	dynbuf_init(&b, 4096);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *p = rows[i].prev;
		int n;

		dynbuf_reset(&b);
		n = policy_argv_redact((const uint8_t *)p, p ? strlen(p) : 0,
				       (const uint8_t *)rows[i].arg,
				       strlen(rows[i].arg), &b);
		CHECK_MSG(n >= 0, "%s: %d", rows[i].arg, n);
		CHECK_MSG(b.len == strlen(rows[i].want) &&
				  (!b.len ||
				   !memcmp(b.data, rows[i].want, b.len)),
			  "'%s' after '%s': got '%.*s', want '%s'", rows[i].arg,
			  p ? p : "(none)", (int)b.len, b.len ? b.data : "",
			  rows[i].want);
		CHECK_MSG((n > 0) == (strcmp(rows[i].arg, rows[i].want) != 0),
			  "%s: %d replaced", rows[i].arg, n);
	}
	dynbuf_free(&b);
}

/* More values than the span table holds: the rest goes as one, never raw. */
static void test_many(void)
{
	struct dynbuf in, out;
	int i, n;

	dynbuf_init(&in, 1 << 16);
	dynbuf_init(&out, 1 << 16);
	CHECK(dynbuf_addf(&in, "https://h/?") == 0);
	for (i = 0; i < 100; i++)
		CHECK(dynbuf_addf(&in, "token=secret%03d&", i) == 0);
	n = policy_argv_redact(NULL, 0, (const uint8_t *)in.data, in.len, &out);
	CHECK(n > 0);
	CHECK(out.len > 0 && !memmem(out.data, out.len, "secret", 6));
	dynbuf_free(&in);
	dynbuf_free(&out);
}

/* A full buffer is an error, never a raw argument. */
static void test_cap(void)
{
	struct dynbuf out;
	const char *a = "--password=hunter2";

	dynbuf_init(&out, 8);
	CHECK(policy_argv_redact(NULL, 0, (const uint8_t *)a, strlen(a),
				 &out) == -E2BIG);
	dynbuf_free(&out);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_rows),
	HARNESS_TEST(test_many),
	HARNESS_TEST(test_cap),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
