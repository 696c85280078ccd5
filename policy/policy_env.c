/* SPDX-License-Identifier: MIT */
/*
 * policy_env.c - which environment variables carry secrets: the names a job
 * starts without unless they are passed on purpose (`--env NAME`). Not
 * responsible for building the environment (tools/cordon.c) nor for
 * reporting what was dropped (the audit header, sentry/report.c).
 *
 * Theory of operation
 * -------------------
 * A CI runner hands its jobs tokens in the environment: the forge's
 * (GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_*,
 * CI_JOB_TOKEN, CI_JOB_JWT*), the clouds' (AWS_*, GOOGLE_*, AZURE_*,
 * ARM_CLIENT_SECRET), the package registries' (NPM_TOKEN,
 * NODE_AUTH_TOKEN, TWINE_PASSWORD, CARGO_REGISTRY_TOKEN), agents'
 * sockets (SSH_AUTH_SOCK, GPG_AGENT_INFO). A name is a secret carrier
 * when it is in the exact list, starts with a listed prefix or ends with
 * a listed suffix (_TOKEN, _SECRET, _PASSWORD, _API_KEY, ...). Names are
 * compared without regard to case: `github_token` carries the same
 * secret. The rule errs on dropping: a build that needs AWS_REGION passes
 * it with `--env AWS_REGION`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#include "policy/policy_priv.h"

static const char *const policy_env_exact[] = {
	"SSH_AUTH_SOCK",
	"SSH_AGENT_PID",
	"GPG_AGENT_INFO",
	"DOCKER_AUTH_CONFIG",
	"VAULT_TOKEN",
	"KUBECONFIG",
	"NETRC",
	"GIT_ASKPASS",
	"SSH_ASKPASS",
	"GH_ENTERPRISE_TOKEN",
	"ACTIONS_RUNTIME_URL",
	"ACTIONS_CACHE_URL",
	"ACTIONS_RESULTS_URL",
	"DATABASE_URL",
};

static const char *const policy_env_prefix[] = {
	"AWS_",
	"GOOGLE_",
	"GCLOUD_",
	"CLOUDSDK_AUTH_",
	"AZURE_",
	"ARM_CLIENT_",
	"ACTIONS_ID_TOKEN_REQUEST_",
	"CI_JOB_JWT",
	"CI_REGISTRY_PASSWORD",
	"VAULT_",
};

static const char *const policy_env_suffix[] = {
	"_TOKEN",	"_SECRET", "_PASSWORD",	  "_PASSWD",	 "_PASSPHRASE",
	"_API_KEY",	"_APIKEY", "_ACCESS_KEY", "_SECRET_KEY", "_PRIVATE_KEY",
	"_CREDENTIALS", "_AUTH",   "_JWT",
};

#define POLICY_ENV_N(a) (sizeof(a) / sizeof((a)[0]))

static size_t policy_env_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

bool policy_env_secret(const char *name, size_t len)
{
	size_t i, l;

	for (i = 0; i < POLICY_ENV_N(policy_env_exact); i++) {
		l = policy_env_len(policy_env_exact[i], 64);
		if (l == len && !strncasecmp(name, policy_env_exact[i], len))
			return true;
	}
	for (i = 0; i < POLICY_ENV_N(policy_env_prefix); i++) {
		l = policy_env_len(policy_env_prefix[i], 64);
		if (len >= l && !strncasecmp(name, policy_env_prefix[i], l))
			return true;
	}
	for (i = 0; i < POLICY_ENV_N(policy_env_suffix); i++) {
		l = policy_env_len(policy_env_suffix[i], 64);
		if (len > l &&
		    !strncasecmp(name + len - l, policy_env_suffix[i], l))
			return true;
	}
	return false;
}
