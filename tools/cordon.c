/* SPDX-License-Identifier: MIT */
/*
 * cordon.c - the command line: `cordon run`, `cordon doctor`,
 * `cordon policy ...`, `cordon version`. Parses options, builds the effective
 * zone and hands over to the sentry. Usage errors exit 125 before anything
 * runs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"
#include "tools/cmd_policy.h"
#include "common/common.h"
#include "tools/doctor.h"
#include "policy/policy.h"
#include "tools/zone_syscalls.h"
#include "platform/platform.h"
#include "sentry/sentry.h"

extern char **environ;

#define CORDON_MAX_ENV 4096

/*
 * A duration in ms (the policy grammar: 500ms, 5s, 2m, 1h, 1d) that fits in
 * an int. Return: 0, or -EINVAL with the reason in *@why.
 */
static int cordon_parse_duration_ms(const char *s, unsigned *out,
				    const char **why)
{
	const char *hint;
	uint64_t v;

	if (policy_value_parse(POLICY_VALUE_DURATION, (const uint8_t *)s,
			       strlen(s), &v, why, &hint) < 0)
		return -EINVAL;
	if (v > INT32_MAX) {
		*why = "value too large";
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

/* A size in bytes (the policy grammar: 4096, 64K, 64M, 1G, 1GiB). */
static int cordon_parse_size(const char *s, uint64_t *out, const char **why)
{
	const char *hint;

	return policy_value_parse(POLICY_VALUE_SIZE, (const uint8_t *)s,
				  strlen(s), out, why, &hint) < 0
		       ? -EINVAL
		       : 0;
}

struct cordon_env {
	char *kv[CORDON_MAX_ENV + 1];
	size_t n;
};

static void cordon_env_set(struct cordon_env *e, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (!strncmp(e->kv[i], kv, klen) && e->kv[i][klen] == '=') {
			e->kv[i] = (char *)kv;
			return;
		}
	}
	if (e->n >= CORDON_MAX_ENV)
		diag_fatal(CORDON_EXIT_FAILURE,
			   "too many environment variables");
	e->kv[e->n++] = (char *)kv;
	e->kv[e->n] = NULL;
}

/*
 * The names of the secret carriers (policy_env_secret()) in the caller's
 * environment that the job does not get: those no --env names. Recorded
 * for the audit header, never their values.
 */
struct cordon_env_dropped {
	const char *name[CORDON_MAX_ENV + 1];
	size_t n;
};

/* Whether --env names @kv's variable (as KEY or KEY=VALUE). */
static bool cordon_env_named(const char *kv, const char *const *opts,
			     size_t n_opts)
{
	size_t klen = strcspn(kv, "="), i;

	for (i = 0; i < n_opts; i++)
		if (!strncmp(opts[i], kv, klen) &&
		    (opts[i][klen] == '=' || !opts[i][klen]))
			return true;
	return false;
}

/* The caller's environment less its secret carriers, into @e and @d. */
static void cordon_env_scrubbed(struct cordon_env *e,
				struct cordon_env_dropped *d,
				const char *const *opts, size_t n_opts)
{
	size_t i, klen;
	char *name;

	for (i = 0; environ[i]; i++) {
		klen = strcspn(environ[i], "=");
		if (!policy_env_secret(environ[i], klen)) {
			cordon_env_set(e, environ[i]);
			continue;
		}
		if (cordon_env_named(environ[i], opts, n_opts))
			continue; /* --env puts it back on purpose */
		if (d->n >= CORDON_MAX_ENV)
			diag_fatal(CORDON_EXIT_FAILURE,
				   "too many environment variables");
		name = strndup(environ[i], klen);
		if (!name)
			diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
		d->name[d->n++] = name;
		d->name[d->n] = NULL;
	}
}

/* --env KEY (pass through) or KEY=VALUE (set). */
static void cordon_env_option(struct cordon_env *e, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *kv;

	if (eq == arg || !*arg)
		diag_fatal(CORDON_EXIT_FAILURE,
			   "--env %s: expected KEY or KEY=VALUE", arg);
	if (eq) {
		cordon_env_set(e, arg);
		return;
	}
	if (!getenv(arg))
		return; /* passing through what is not there: nothing */
	if (asprintf(&kv, "%s=%s", arg, getenv(arg)) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
	cordon_env_set(e, kv);
}

/*
 * A zone with fs rules (docs/filesystem.md): fail closed where no Landlock
 * domain can enforce them, unless --allow-unconfined-fs; resolve the
 * workspace; make the job's private TMPDIR (the anchor removes it).
 */
static void cordon_fs(struct sentry_opts *o, const struct zone *z,
		      const struct runas *r, const char *ws_arg, char *ws,
		      size_t wslen, char *tmp, size_t tmplen)
{
	const char *dir = ws_arg ? ws_arg : ".";
	int abi = o->landlock ? platform_landlock_abi() : 0;
	char why[PATH_MAX + 128];

	if (abi < 1 && !o->allow_unconfined_fs)
		diag_fatal(
			CORDON_EXIT_FAILURE,
			"zone %s confines the filesystem, and %s: the job would see every file of its user. "
			"--allow-unconfined-fs runs it anyway, with the rules applied only to the opens the supervisor performs (docs/filesystem.md)",
			zone_name(z),
			o->landlock ? "this kernel has no Landlock (5.13+, "
				      "CONFIG_SECURITY_LANDLOCK, lsm=landlock)"
				    : "--no-landlock leaves the job without a "
				      "Landlock domain");
	if (wslen < PATH_MAX || !realpath(dir, ws))
		diag_fatal(CORDON_EXIT_FAILURE, "workspace %s: %s", dir,
			   strerror(errno));
	if (!strcmp(ws, "/"))
		diag_fatal(CORDON_EXIT_FAILURE,
			   "the workspace is /: the fs rules would grant the "
			   "whole filesystem; run from the checkout or give "
			   "--workspace DIR");
	o->fs_workspace = ws;
	if (jobtmp_create(r->uid, r->gid, r->drop, tmp, tmplen, why,
			  sizeof(why)) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "%s", why);
	o->job_tmpdir = tmp;
}

/* --slot NAME:N */
static void cordon_slot_option(struct sentry_opts *o, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	static char name[64];
	char *end;
	unsigned long n;

	if (!colon || (size_t)(colon - arg) >= sizeof(name))
		diag_fatal(CORDON_EXIT_FAILURE,
			   "--slot %s: expected NAME:N, e.g. repo-ci:2", arg);
	memcpy(name, arg, (size_t)(colon - arg));
	name[colon - arg] = '\0';
	errno = 0;
	n = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || n == 0 || n > 4096 ||
	    !slot_name_valid(name))
		diag_fatal(
			CORDON_EXIT_FAILURE,
			"--slot %s: expected NAME:N with NAME of [A-Za-z0-9._-] and 1 <= N <= 4096",
			arg);
	o->slot_name = name;
	o->slot_count = (unsigned)n;
}

enum cordon_opt {
	CORDON_OPT_AUDIT = 256,
	CORDON_OPT_AUDIT_LEVEL,
	CORDON_OPT_AUDIT_MAX,
	CORDON_OPT_KEEP_GOING,
	CORDON_OPT_GRACE,
	CORDON_OPT_ENV_CLEAR,
	CORDON_OPT_ENV,
	CORDON_OPT_PLATFORM,
	CORDON_OPT_NO_LANDLOCK,
	CORDON_OPT_POLICY,
	CORDON_OPT_ZONE,
	CORDON_OPT_ALLOW,
	CORDON_OPT_DENY,
	CORDON_OPT_LIMIT,
	CORDON_OPT_REPORT,
	CORDON_OPT_REPORT_JSON,
	CORDON_OPT_SLOT,
	CORDON_OPT_SLOT_TIMEOUT,
	CORDON_OPT_NO_WAIT,
	CORDON_OPT_USER,
	CORDON_OPT_WORKSPACE,
	CORDON_OPT_ALLOW_ROOT_JOB,
	CORDON_OPT_ALLOW_UNCONFINED_FS,
};

/*
 * Started as root: resolve who the job runs as (sentry/runas.c), say so,
 * and warn loudly when that is root. Bad values exit 125 before anything
 * runs.
 */
static void cordon_runas(struct sentry_opts *o, struct runas *r,
			 const char *spec, bool allow_root)
{
	char why[512];

	if (runas_resolve(spec, allow_root, r, why, sizeof(why)) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "%s", why);
	o->runas = r;
	if (geteuid() != 0)
		return;
	if (!r->drop) {
		diag_warning(
			"--allow-root-job: the job runs as root, with every capability: "
			"it can change any file, load kernel modules, reach every "
			"process and device of the host and undo cordon's own limits "
			"from outside the job; cordon's network and lateral rules "
			"still apply to its calls, but root has many other ways out");
		return;
	}
	diag_note("started as root: the job runs as %s (uid %u, gid %u), "
		  "without capabilities",
		  r->name, (unsigned)r->uid, (unsigned)r->gid);
}

/* The job's HOME, USER and LOGNAME when it runs as another user. */
static void cordon_runas_env(struct cordon_env *e, const struct runas *r)
{
	char *kv;

	if (!r->drop)
		return;
	if (asprintf(&kv, "HOME=%s", r->home) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
	cordon_env_set(e, kv);
	if (asprintf(&kv, "USER=%s", r->name) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
	cordon_env_set(e, kv);
	if (asprintf(&kv, "LOGNAME=%s", r->name) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
	cordon_env_set(e, kv);
}

/*
 * getopt_long() returned '?' (unknown option) or ':' (no value): one line,
 * with the closest real option, and the try line. Return: 125.
 */
static int cordon_run_badopt(int c, char **argv, const struct option *lo)
{
	const char *cands[64], *arg = argv[optind - 1], *sugg;
	char name[64];
	size_t n = 0;

	if (c == ':')
		return cli_usage_error("run", "run: option '%s' needs a value",
				       arg);
	if (optopt && optopt < 256 && arg[0] == '-' && arg[1] != '-')
		return cli_usage_error("run", "run: unknown option '-%c'",
				       optopt);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	for (; lo->name && n < ARRAY_SIZE(cands); lo++)
		cands[n++] = lo->name;
	sugg = cli_suggest(name + strspn(name, "-"), cands, n);
	if (sugg)
		return cli_usage_error(
			"run", "run: unknown option '%s'; did you mean '--%s'?",
			name, sugg);
	return cli_usage_error("run", "run: unknown option '%s'", name);
}

static int cordon_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"audit", required_argument, NULL, CORDON_OPT_AUDIT},
		{"audit-level", required_argument, NULL,
		 CORDON_OPT_AUDIT_LEVEL},
		{"audit-max", required_argument, NULL, CORDON_OPT_AUDIT_MAX},
		{"keep-going", no_argument, NULL, CORDON_OPT_KEEP_GOING},
		{"grace", required_argument, NULL, CORDON_OPT_GRACE},
		{"env-clear", no_argument, NULL, CORDON_OPT_ENV_CLEAR},
		{"env", required_argument, NULL, CORDON_OPT_ENV},
		{"platform", required_argument, NULL, CORDON_OPT_PLATFORM},
		{"no-landlock", no_argument, NULL, CORDON_OPT_NO_LANDLOCK},
		{"policy", required_argument, NULL, CORDON_OPT_POLICY},
		{"zone", required_argument, NULL, CORDON_OPT_ZONE},
		{"allow", required_argument, NULL, CORDON_OPT_ALLOW},
		{"deny", required_argument, NULL, CORDON_OPT_DENY},
		{"limit", required_argument, NULL, CORDON_OPT_LIMIT},
		{"report", no_argument, NULL, CORDON_OPT_REPORT},
		{"report-json", required_argument, NULL,
		 CORDON_OPT_REPORT_JSON},
		{"slot", required_argument, NULL, CORDON_OPT_SLOT},
		{"slot-timeout", required_argument, NULL,
		 CORDON_OPT_SLOT_TIMEOUT},
		{"no-wait", no_argument, NULL, CORDON_OPT_NO_WAIT},
		{"user", required_argument, NULL, CORDON_OPT_USER},
		{"workspace", required_argument, NULL, CORDON_OPT_WORKSPACE},
		{"allow-root-job", no_argument, NULL,
		 CORDON_OPT_ALLOW_ROOT_JOB},
		{"allow-unconfined-fs", no_argument, NULL,
		 CORDON_OPT_ALLOW_UNCONFINED_FS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sentry_opts o = {
		.platform = PLATFORM_KIND_UNOTIFY,
		.platform_auto = true,
		.audit_max_bytes = 64ULL << 20,
		.grace_ms = 5000,
		.landlock = true,
		.zone_name = "fork-pr",
	};
	static struct cordon_env env;
	static struct runas runas;
	const char *user_spec = NULL;
	bool allow_root_job = false;
	struct cmd_policy_opts po = {0};
	const char **env_opts, **allow, **deny, **limit;
	struct policy *pol = NULL;
	const struct zone *zone = NULL;
	struct zone_tables *tables = NULL;
	struct syscall_override *ov = NULL;
	uint64_t fingerprint = 0;
	const char *why = NULL, *opt_why = "";
	struct filter_prog probe;
	int rc;
	static struct cordon_env_dropped dropped;
	static char fs_workspace[PATH_MAX], job_tmpdir[PATH_MAX];
	const char *ws_arg;
	size_t n_env_opts = 0, i;
	bool env_clear = false, slot_timeout_set = false;
	int c;

	env_opts = calloc((size_t)argc + 1, sizeof(*env_opts));
	allow = calloc((size_t)argc + 1, sizeof(*allow));
	deny = calloc((size_t)argc + 1, sizeof(*deny));
	limit = calloc((size_t)argc + 1, sizeof(*limit));
	if (!env_opts || !allow || !deny || !limit)
		diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
	optind = 1;
	opterr = 0; /* cordon_run_badopt() says it, with the cordon: prefix */
	while ((c = getopt_long(argc, argv, "+:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			diag_set_quiet(true);
			break;
		case 'h':
			cli_help("run", stdout);
			exit(0);
		case CORDON_OPT_AUDIT:
			o.audit_path = optarg;
			break;
		case CORDON_OPT_AUDIT_LEVEL:
			if (!strcmp(optarg, "all"))
				o.audit_level = SENTRY_AUDIT_LEVEL_ALL;
			else if (!strcmp(optarg, "denials"))
				o.audit_level = SENTRY_AUDIT_LEVEL_DENIALS;
			else
				diag_fatal(
					CORDON_EXIT_FAILURE,
					"--audit-level %s: expected denials or all",
					optarg);
			break;
		case CORDON_OPT_AUDIT_MAX:
			if (cordon_parse_size(optarg, &o.audit_max_bytes,
					      &opt_why) ||
			    o.audit_max_bytes < 4096)
				diag_fatal(
					CORDON_EXIT_FAILURE,
					"--audit-max %s: expected a size of at least 4K, e.g. 64M",
					optarg);
			break;
		case CORDON_OPT_KEEP_GOING:
			o.keep_going = true;
			break;
		case CORDON_OPT_REPORT:
			o.report = true;
			break;
		case CORDON_OPT_REPORT_JSON:
			o.report_json = optarg;
			break;
		case CORDON_OPT_SLOT:
			cordon_slot_option(&o, optarg);
			break;
		case CORDON_OPT_SLOT_TIMEOUT: {
			unsigned ms;

			if (cordon_parse_duration_ms(optarg, &ms, &opt_why))
				diag_fatal(
					CORDON_EXIT_FAILURE,
					"--slot-timeout %s: %s; expected a duration such as 10m",
					optarg, opt_why);
			o.slot_timeout_ms = (int)ms;
			slot_timeout_set = true;
			break;
		}
		case CORDON_OPT_NO_WAIT:
			o.slot_timeout_ms = 0;
			slot_timeout_set = true;
			break;
		case CORDON_OPT_GRACE:
			o.grace_explicit = true;
			if (cordon_parse_duration_ms(optarg, &o.grace_ms,
						     &opt_why))
				diag_fatal(
					CORDON_EXIT_FAILURE,
					"--grace %s: %s; expected a duration such as 5s or 500ms",
					optarg, opt_why);
			break;
		case CORDON_OPT_ENV_CLEAR:
			env_clear = true;
			break;
		case CORDON_OPT_ENV:
			env_opts[n_env_opts++] = optarg;
			break;
		case CORDON_OPT_PLATFORM:
			o.platform_auto = !strcmp(optarg, "auto");
			if (!strcmp(optarg, "unotify") || o.platform_auto)
				o.platform = PLATFORM_KIND_UNOTIFY;
			else if (!strcmp(optarg, "ptrace"))
				o.platform = PLATFORM_KIND_PTRACE;
			else
				diag_fatal(
					CORDON_EXIT_FAILURE,
					"--platform %s: expected unotify, ptrace or auto",
					optarg);
			break;
		case CORDON_OPT_NO_LANDLOCK:
			o.landlock = false;
			break;
		case CORDON_OPT_POLICY:
			po.policy_file = optarg;
			break;
		case CORDON_OPT_ZONE:
			po.zone = optarg;
			break;
		case CORDON_OPT_ALLOW:
			allow[po.n_allow++] = optarg;
			break;
		case CORDON_OPT_DENY:
			deny[po.n_deny++] = optarg;
			break;
		case CORDON_OPT_LIMIT:
			limit[po.n_limit++] = optarg;
			break;
		case CORDON_OPT_USER:
			user_spec = optarg;
			break;
		case CORDON_OPT_WORKSPACE:
			o.workspace = optarg;
			break;
		case CORDON_OPT_ALLOW_ROOT_JOB:
			allow_root_job = true;
			break;
		case CORDON_OPT_ALLOW_UNCONFINED_FS:
			o.allow_unconfined_fs = true;
			break;
		default:
			exit(cordon_run_badopt(c, argv, longopts));
		}
	}
	if (optind >= argc)
		return cli_usage_error("run", "run: no command given");
	/* The policy, fully checked before anything runs (exit 125). */
	po.allow = allow;
	po.deny = deny;
	po.limit = limit;
	if (cmd_policy_load(&po, &pol, &zone) != 0)
		return CORDON_EXIT_FAILURE;
	if (zone_tables_new(zone, &tables) < 0 ||
	    zone_fingerprint(zone, &fingerprint) < 0 ||
	    zone_syscalls_overrides(zone, &ov, &o.n_overrides) < 0)
		diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
	o.overrides = ov;
	o.tables = tables;
	o.zone_name = zone_name(zone);
	o.policy_digest = fingerprint;
	o.limits = zone_limits(zone);
	/* The zone's slot, unless the command line names one. */
	if (!o.slot_name && o.limits->slot_set) {
		o.slot_name = o.limits->slot_name;
		o.slot_count = o.limits->slot_count;
	}
	if (!slot_timeout_set)
		o.slot_timeout_ms = -1;
	/*
	 * Only overrides can make the filter fail to compile: check them here,
	 * where their place in the policy is known (the supervisor compiles
	 * the filter it installs; compiling twice costs startup time).
	 */
	if (o.n_overrides) {
		rc = filter_compile(ov, o.n_overrides, 0,
				    platform_kind_trap_action(o.platform),
				    &probe, &why);
		if (rc < 0) {
			zone_syscalls_error(zone, why ? why : "?", rc);
			return CORDON_EXIT_FAILURE;
		}
		filter_prog_free(&probe);
	}
	cordon_runas(&o, &runas, user_spec, allow_root_job);
	ws_arg = o.workspace;
	if (!runas.drop)
		o.workspace = NULL; /* the job is the caller: it has the tree */
	if (!env_clear)
		cordon_env_scrubbed(&env, &dropped, env_opts, n_env_opts);
	o.env_dropped = dropped.name;
	o.n_env_dropped = dropped.n;
	/* Before --env: an explicit --env HOME=... wins. */
	cordon_runas_env(&env, &runas);
	for (i = 0; i < n_env_opts; i++)
		cordon_env_option(&env, env_opts[i]);
	/* Last before the run: nothing can fail between it and sentry_run(). */
	if (zone_fs_confined(zone))
		cordon_fs(&o, zone, &runas, ws_arg, fs_workspace,
			  sizeof(fs_workspace), job_tmpdir, sizeof(job_tmpdir));
	if (o.job_tmpdir) {
		char *kv;

		/* After --env: the fs rules grant this TMPDIR, no other. */
		if (asprintf(&kv, "TMPDIR=%s", o.job_tmpdir) < 0)
			diag_fatal(CORDON_EXIT_FAILURE, "out of memory");
		cordon_env_set(&env, kv);
	}
	env.kv[env.n] = NULL;
	o.argv = argv + optind;
	o.envp = env.kv;
	return sentry_run(&o);
}

/* `cordon help [COMMAND [SUBCOMMAND]]` */
static int cordon_help(int argc, char **argv)
{
	char topic[64];

	snprintf(topic, sizeof(topic), "%s%s%s", argc > 0 ? argv[0] : "",
		 argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	if (argc > 2 || cli_help(topic, stdout))
		return cli_usage_error("", "help: no help for '%s'", topic);
	return 0;
}

int main(int argc, char **argv)
{
	/* First: before anything opens a file that could land on fd 0-2. */
	diag_init();
	{
		char why[256];

		/* A test switch that cannot be read must not run anything. */
		if (platform_features_off_check(why, sizeof(why)) < 0) {
			diag_error("%s", why);
			return CORDON_EXIT_FAILURE;
		}
	}
	if (argc < 2) {
		cli_help(NULL, stderr);
		return CORDON_EXIT_FAILURE;
	}
	if (!strcmp(argv[1], "run"))
		return cordon_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "policy"))
		return cmd_policy_main(argc - 1, argv + 1);
	if ((!strcmp(argv[1], "doctor") || !strcmp(argv[1], "version")) &&
	    argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
		return cli_help(argv[1], stdout) ? CORDON_EXIT_FAILURE : 0;
	if (!strcmp(argv[1], "doctor"))
		return doctor_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("cordon %s\n", CORDON_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help"))
		return cordon_help(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_help(NULL, stdout);
		return 0;
	}
	return cli_usage_error("", "unknown command '%s'", argv[1]);
}
