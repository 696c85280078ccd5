/* SPDX-License-Identifier: MIT */
/*
 * test_policy_env.c - policy_env_secret(): the secret carriers a job starts
 * without (exact names, prefixes, suffixes, case-blind) and the build
 * variables it keeps. The length is the name's, never strlen(): a name is
 * read up to '=' in an environment entry.
 */
#include <string.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "policy/policy.h"

static const char *const dropped[] = {
	"GITHUB_TOKEN",
	"github_token",
	"ACTIONS_RUNTIME_TOKEN",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN",
	"ACTIONS_ID_TOKEN_REQUEST_URL",
	"CI_JOB_TOKEN",
	"CI_JOB_JWT_V2",
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"GOOGLE_APPLICATION_CREDENTIALS",
	"AZURE_CLIENT_SECRET",
	"ARM_CLIENT_SECRET",
	"SSH_AUTH_SOCK",
	"NPM_TOKEN",
	"NODE_AUTH_TOKEN",
	"TWINE_PASSWORD",
	"CARGO_REGISTRY_TOKEN",
	"DOCKER_AUTH_CONFIG",
	"STRIPE_API_KEY",
	"DB_PASSWD",
	"VAULT_ADDR",
};

static const char *const kept[] = {
	"PATH",	  "HOME",	    "LANG",	     "TMPDIR",	   "CC",
	"CFLAGS", "MAKEFLAGS",	    "GOPATH",	     "GOFLAGS",	   "PYTHONPATH",
	"CI",	  "GITHUB_ACTIONS", "GITHUB_SHA",    "GITHUB_REF", "TOKEN",
	"_TOKEN", "SECRET",	    "TOKENIZER_DIR", "PASSWORDS",  "SSH_TTY",
};

static void test_dropped(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dropped); i++)
		CHECK_MSG(policy_env_secret(dropped[i], strlen(dropped[i])),
			  "%s is kept", dropped[i]);
}

static void test_kept(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kept); i++)
		CHECK_MSG(!policy_env_secret(kept[i], strlen(kept[i])),
			  "%s is dropped", kept[i]);
}

/* An entry "KEY=VALUE" is judged by its KEY alone. */
static void test_length_bounds(void)
{
	static const char kv[] = "BUILD_ID=abc_TOKEN";

	CHECK(!policy_env_secret(kv, 8));
	CHECK(policy_env_secret(kv, strlen(kv)));
	CHECK(!policy_env_secret("GITHUB_TOKEN", 6));
	CHECK(!policy_env_secret("", 0));
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_dropped),
	HARNESS_TEST(test_kept),
	HARNESS_TEST(test_length_bounds),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
