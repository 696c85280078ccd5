/* SPDX-License-Identifier: MIT */
/*
 * cmd_policy.h - the `cordon policy` subcommands (check, show, explain) and
 * the loader `cordon run` uses to build its effective zone from --policy,
 * --zone, --allow, --deny and --limit. CLI code: prints diagnostics on
 * stderr and returns exit codes (common.h), never exits itself.
 */
#ifndef CORDON_CMD_POLICY_H
#define CORDON_CMD_POLICY_H

#include <stddef.h>

struct policy;
struct zone;

/**
 * struct cmd_policy_opts - what the command line says about the policy.
 * @policy_file: --policy FILE, or NULL for the built-in zones only.
 * @zone:        --zone NAME, or NULL for fork-pr.
 * @allow, @deny: --allow / --deny rules ("tcp HOST:PORT", "dns NAME",
 *               "unix PATH"), in command-line order.
 * @limit:       --limit KEY=VALUE[,KEY=VALUE...] arguments.
 * All strings are borrowed for the duration of the call.
 */
struct cmd_policy_opts {
	const char *policy_file;
	const char *zone;
	const char *const *allow;
	size_t n_allow;
	const char *const *deny;
	size_t n_deny;
	const char *const *limit;
	size_t n_limit;
};

/**
 * cmd_policy_load() - read the policy and build the effective zone.
 * On failure every diagnostic ("file:line:col: error: ...") is printed on
 * stderr. May block reading policy files.
 * Return: 0 with *@out_policy (caller frees with policy_free(); it owns
 * *@out_zone) and *@out_zone, or CORDON_EXIT_FAILURE (125) with both NULL.
 */
int cmd_policy_load(const struct cmd_policy_opts *o, struct policy **out_policy,
		    const struct zone **out_zone);

/**
 * cmd_policy_print_diags() - print @p's diagnostics on stderr.
 */
void cmd_policy_print_diags(const struct policy *p);

/**
 * cmd_policy_main() - `cordon policy check|show|explain ...`; @argv[0] is
 * "policy". Output on stdout, diagnostics on stderr.
 * Return: the exit code: 0, or 125 on usage or policy errors (explain
 * returns 0 for allow and deny alike: the verdict is its output).
 */
int cmd_policy_main(int argc, char **argv);

#endif /* CORDON_CMD_POLICY_H */
