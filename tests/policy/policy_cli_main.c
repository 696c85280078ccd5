/* SPDX-License-Identifier: MIT */
/*
 * policy_cli_main.c - a stand-in `cordon` for tests: `policy-cli ARGS` runs
 * cmd_policy_main() with argv[0] = "policy", so the CLI tests do not depend
 * on the rest of the binary.
 */
#include "tools/cmd_policy.h"

int main(int argc, char **argv)
{
	argv[0] = "policy";
	return cmd_policy_main(argc, argv);
}
