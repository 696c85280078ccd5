/* SPDX-License-Identifier: MIT */
/*
 * cli.c - help texts per subcommand and one-line usage errors (cli.h).
 * The option tables themselves live with their parsers (cordon.c,
 * cmd_policy.c); tests/cli/man_options.sh checks that the man page and
 * these texts name every option the tables accept.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "tools/cli.h"
#include "common/common.h"

static const char cli_help_overview[] =
	"usage: cordon COMMAND [ARGS...]\n"
	"\n"
	"commands:\n"
	"  run [OPTIONS] -- CMD [ARG...]   run CMD inside a zone\n"
	"  policy check FILE...            check policy files\n"
	"  policy show [OPTIONS]           print the effective zone\n"
	"  policy explain [OPTIONS] WHAT   what a zone decides for one request\n"
	"  doctor [--no-landlock]          what this kernel lets cordon enforce\n"
	"  version                         print the version\n"
	"  help [COMMAND]                  this text, or COMMAND's\n"
	"\n"
	"'cordon help COMMAND' or 'cordon COMMAND --help' prints one command's\n"
	"options; man cordon(1), cordon-policy(5).\n";

static const char cli_help_run[] =
	"usage: cordon run [OPTIONS] -- CMD [ARG...]\n"
	"\n"
	"Run CMD in a zone: its network, files, processes and limits as the\n"
	"policy says (docs/policy.md).\n"
	"\n"
	"options:\n"
	"  --policy FILE             policy file with zones (docs/policy.md)\n"
	"  --zone NAME               the zone to run in (default fork-pr)\n"
	"  --allow RULE, --deny RULE per-run rules: 'tcp example.org:443',\n"
	"                            'dns NAME', 'unix PATH', 'listen MODE'\n"
	"  --limit KEY=VALUE[,...]   per-run limits, e.g. --limit mem=512M,wall=5m;\n"
	"                            a key given again takes the last value\n"
	"  -q, --quiet               no stderr line per denial\n"
	"  --audit FILE              JSON Lines audit log ('-': stderr)\n"
	"  --audit-level LEVEL       denials (default) | all\n"
	"  --audit-max SIZE          cap on the audit file (default 64M)\n"
	"  --keep-going              when CMD exits, wait for the rest of its tree\n"
	"  --grace DURATION          SIGINT/SIGTERM: time before SIGKILL (default 5s)\n"
	"  --env-clear               start CMD with an empty environment\n"
	"  --env KEY[=VALUE]         pass KEY through, or set it (repeatable);\n"
	"                            secret carriers (GITHUB_TOKEN, *_TOKEN, AWS_*,\n"
	"                            ...) are dropped unless named here\n"
	"  --platform unotify|ptrace|auto  where syscall stops come from\n"
	"                            (default auto: unotify, ptrace where a\n"
	"                            listener is refused; docs/platforms.md)\n"
	"  --no-landlock             do not enter a Landlock domain\n"
	"  --report                  one line per limit at exit (value, peak)\n"
	"  --report-json FILE        the summary record alone, for CI\n"
	"  --slot NAME:N             wait until fewer than N jobs hold slot NAME\n"
	"  --slot-timeout DURATION   give up waiting for the slot (exit 125)\n"
	"  --no-wait                 fail at once when the slot is taken\n"
	"  --user NAME|UID[:GID]     started as root: the job's user (default\n"
	"                            nobody, 65534:65534); never root unless\n"
	"                            --allow-root-job. Not root: your own only\n"
	"  --workspace DIR           the job's workspace ($WORKSPACE of the fs\n"
	"                            rules; default: the current directory).\n"
	"                            Started as root: the job's user owns DIR\n"
	"                            for the run, its owners get it back after\n"
	"  --allow-unconfined-fs     run a zone with fs rules without a Landlock\n"
	"                            domain (no Landlock, --no-landlock): only\n"
	"                            the opens the supervisor performs obey them\n"
	"  --allow-root-job          let the job run as root (dangerous: it\n"
	"                            then has root's power over the host)\n"
	"  -h, --help                this text\n"
	"\n"
	"exit status: CMD's own; 128+N if it died of signal N; 124 a limit\n"
	"killed it; 125 cordon failed; 126 CMD not executable; 127 not found.\n";

static const char cli_help_policy[] =
	"usage: cordon policy check FILE...\n"
	"       cordon policy show [OPTIONS]\n"
	"       cordon policy explain [OPTIONS] WHAT\n"
	"\n"
	"'cordon policy SUBCOMMAND --help' prints its options.\n";

static const char cli_help_policy_check[] =
	"usage: cordon policy check FILE...\n"
	"\n"
	"Parse and check each FILE; print its zones, or every error as\n"
	"FILE:LINE:COL (exit 125).\n";

#define CLI_HELP_ZONE_OPTS                                                     \
	"  --policy FILE             the policy file (default: the built-in\n" \
	"                            zones only)\n"                            \
	"  --zone NAME               the zone (default fork-pr)\n"             \
	"  --allow RULE, --deny RULE per-run rules, as for run\n"              \
	"  --limit KEY=VALUE[,...]   per-run limits, as for run\n"

static const char cli_help_policy_show[] =
	"usage: cordon policy show [OPTIONS]\n"
	"\n"
	"Print the effective zone as policy text that parses back, each line\n"
	"with where it came from.\n"
	"\n"
	"options:\n" CLI_HELP_ZONE_OPTS
	"  --all                     every zone of the policy, as written\n"
	"  -h, --help                this text\n";

static const char cli_help_policy_explain[] =
	"usage: cordon policy explain [OPTIONS] WHAT\n"
	"\n"
	"What the zone decides, and by which rule, for one request. WHAT is\n"
	"  connect HOST:PORT[/tcp|/udp] | resolve NAME |\n"
	"  listen ADDR:PORT[/tcp|/udp] | unix PATH|@NAME |\n"
	"  open PATH [read|write|exec[,...]]\n"
	"\n"
	"options:\n" CLI_HELP_ZONE_OPTS
	"  --json                    one JSON object instead of text\n"
	"  --listener tcp|udp:PORT   the job listens on PORT (repeatable)\n"
	"  --host-addr ADDR          an address of the host (repeatable)\n"
	"  --bound NAME              a name the job resolved (repeatable)\n"
	"  --addr ADDR               connect HOST: the address HOST resolved to\n"
	"  --workspace DIR           open: $WORKSPACE (default: the cwd)\n"
	"  --tmpdir DIR              open: the job's private TMPDIR\n"
	"  -h, --help                this text\n";

static const char cli_help_doctor[] =
	"usage: cordon doctor [--no-landlock]\n"
	"\n"
	"What this kernel lets cordon enforce, what falls back, what is missing.\n"
	"Exit 0 when cordon's guarantees hold here, 1 otherwise.\n"
	"\n"
	"options:\n"
	"  --no-landlock             what 'run --no-landlock' would get\n"
	"  -h, --help                this text\n";

static const char cli_help_version[] = "usage: cordon version\n"
				       "\n"
				       "Print cordon's version.\n";

static const char cli_help_help[] = "usage: cordon help [COMMAND]\n"
				    "\n"
				    "Print the overview, or COMMAND's help.\n";

static const struct {
	const char *topic;
	const char *text;
} cli_helps[] = {
	{"run", cli_help_run},
	{"policy", cli_help_policy},
	{"policy check", cli_help_policy_check},
	{"policy show", cli_help_policy_show},
	{"policy explain", cli_help_policy_explain},
	{"doctor", cli_help_doctor},
	{"version", cli_help_version},
	{"help", cli_help_help},
};

int cli_help(const char *topic, FILE *f)
{
	size_t i;

	if (!topic || !*topic) {
		fputs(cli_help_overview, f);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cli_helps); i++) {
		if (!strcmp(topic, cli_helps[i].topic)) {
			fputs(cli_helps[i].text, f);
			return 0;
		}
	}
	return -ENOENT;
}

int cli_try(const char *topic)
{
	fprintf(stderr, "cordon: try 'cordon %s%s--help'\n", topic,
		*topic ? " " : "");
	return CORDON_EXIT_FAILURE;
}

int cli_usage_error(const char *topic, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error("%s", msg);
	return cli_try(topic);
}

/* Levenshtein distance of short words; 99 past 32 bytes. */
static size_t cli_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[33], cur[33], i, j;

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
					   : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t i, d, best = 3, len = strlen(word);
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		d = cli_distance(word, cands[i]);
		if (d < best && d < len) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}
