/* SPDX-License-Identifier: MIT */
/*
 * cmd_policy.c - `cordon policy check|show|explain` and cmd_policy_load(),
 * which `cordon run` uses. Explain builds the same compiled tables as a run
 * and calls the same functions: a connect is the plan of netstack's
 * net_plan_dest() (DNS redirect included), the rest zone_decide_*(); it only
 * fills the runtime inputs from flags instead of from a live job.
 * Not responsible for parsing or deciding (policy/).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"
#include "tools/cmd_policy.h"
#include "tools/zone_syscalls.h"
#include "common/common.h"
#include "netstack/netstack.h"
#include "policy/policy.h"

#define CMD_POLICY_LIST_MAX 64

struct cmd_policy_args {
	struct cmd_policy_opts o;
	const char *allow[CMD_POLICY_LIST_MAX];
	const char *deny[CMD_POLICY_LIST_MAX];
	const char *limit[CMD_POLICY_LIST_MAX];
	struct policy_listener listeners[CMD_POLICY_LIST_MAX];
	size_t n_listeners;
	struct policy_addr host_addrs[CMD_POLICY_LIST_MAX];
	size_t n_host_addrs;
	const char *bound[CMD_POLICY_LIST_MAX];
	size_t n_bound;
	const char *addr; /* explain connect HOST: the address it resolved to */
	const char *workspace; /* explain open: $WORKSPACE (default: cwd) */
	const char *tmpdir;    /* explain open: the job's private TMPDIR */
	bool json;
	bool all;
	bool help;    /* --help or -h: print the subcommand's help, exit 0 */
	char *pos[8]; /* positional arguments */
	size_t n_pos;
};

void cmd_policy_print_diags(const struct policy *p)
{
	struct dynbuf out;
	size_t i;

	dynbuf_init(&out, 1u << 20);
	for (i = 0; i < policy_diag_count(p); i++)
		policy_diag_fmt(policy_diag_get(p, i), &out);
	if (policy_diag_dropped(p))
		dynbuf_addf(&out, "cordon: %zu more errors not shown\n",
			    policy_diag_dropped(p));
	if (out.len)
		(void)fd_write_all(STDERR_FILENO, out.data, out.len);
	dynbuf_free(&out);
}

int cmd_policy_load(const struct cmd_policy_opts *o, struct policy **out_policy,
		    const struct zone **out_zone)
{
	struct policy_overrides ov = {
		o->allow, o->n_allow, o->deny, o->n_deny, o->limit, o->n_limit,
	};
	struct policy *p;
	int rc = 0;

	*out_policy = NULL;
	*out_zone = NULL;
	p = policy_new(0);
	if (!p) {
		diag_error("policy: out of memory");
		return CORDON_EXIT_FAILURE;
	}
	if (o->policy_file)
		rc = policy_parse_file(p, o->policy_file);
	if (rc != -ENOMEM)
		rc = policy_zone_effective(p, o->zone, &ov, out_zone);
	if (rc) {
		cmd_policy_print_diags(p);
		if (rc == -ENOMEM)
			diag_error("policy: out of memory");
		policy_free(p);
		*out_zone = NULL;
		return CORDON_EXIT_FAILURE;
	}
	if (o->policy_file && !o->zone)
		diag_note("policy: no --zone given; using fork-pr");
	*out_policy = p;
	return 0;
}

/* The help topic of the running subcommand ("policy show"); main thread. */
static const char *cmd_policy_topic = "policy";

/* One line (@why, when given) and "try 'cordon policy SUB --help'". */
static int cmd_policy_usage(const char *why)
{
	if (why)
		diag_error("policy: %s", why);
	return cli_try(cmd_policy_topic);
}

static int cmd_policy_listener(const char *s, struct policy_listener *l)
{
	char *end;
	long v;

	if (!strncmp(s, "tcp:", 4))
		l->proto = POLICY_PROTO_TCP;
	else if (!strncmp(s, "udp:", 4))
		l->proto = POLICY_PROTO_UDP;
	else
		return -EINVAL;
	v = strtol(s + 4, &end, 10);
	if (*end || end == s + 4 || v < 1 || v > 65535)
		return -EINVAL;
	l->port = (uint16_t)v;
	return 0;
}

/* Parse options anywhere on the line; "--opt VALUE" or "--opt=VALUE". */
static int cmd_policy_args_parse(int argc, char **argv, int first,
				 struct cmd_policy_args *a)
{
	static const char *const with_value[] = {
		"--policy", "--zone",	   "--allow",	  "--deny",
		"--limit",  "--listener",  "--host-addr", "--bound",
		"--addr",   "--workspace", "--tmpdir",
	};
	int i;
	size_t k;

	memset(a, 0, sizeof(*a));
	a->o.allow = a->allow;
	a->o.deny = a->deny;
	a->o.limit = a->limit;
	for (i = first; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32];

		if (!strcmp(arg, "--json")) {
			a->json = true;
			continue;
		}
		if (!strcmp(arg, "--all")) {
			a->all = true;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			a->help = true;
			continue;
		}
		if (strncmp(arg, "--", 2) || !strcmp(arg, "--")) {
			if (!strcmp(arg, "--") && ++i >= argc)
				break;
			if (a->n_pos >= ARRAY_SIZE(a->pos))
				return cmd_policy_usage("too many arguments");
			a->pos[a->n_pos++] = argv[i];
			continue;
		}
		eq = strchr(arg, '=');
		snprintf(name, sizeof(name), "%.*s",
			 (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
		for (k = 0; k < ARRAY_SIZE(with_value); k++)
			if (!strcmp(name, with_value[k]))
				break;
		if (k == ARRAY_SIZE(with_value)) {
			static const char *const flags[] = {"--json", "--all",
							    "--help"};
			const char *sugg = cli_suggest(name, with_value,
						       ARRAY_SIZE(with_value));

			if (!sugg)
				sugg = cli_suggest(name, flags,
						   ARRAY_SIZE(flags));
			if (sugg)
				diag_error(
					"policy: unknown option '%s'; did you mean '%s'?",
					name, sugg);
			else
				diag_error("policy: unknown option '%s'", name);
			return cmd_policy_usage(NULL);
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			diag_error("policy: %s needs a value", name);
			return cmd_policy_usage(NULL);
		}
		if (!strcmp(name, "--policy")) {
			a->o.policy_file = val;
		} else if (!strcmp(name, "--zone")) {
			a->o.zone = val;
		} else if (!strcmp(name, "--addr")) {
			a->addr = val;
		} else if (!strcmp(name, "--workspace")) {
			a->workspace = val;
		} else if (!strcmp(name, "--tmpdir")) {
			a->tmpdir = val;
		} else if (!strcmp(name, "--allow") ||
			   !strcmp(name, "--deny") ||
			   !strcmp(name, "--limit") ||
			   !strcmp(name, "--bound")) {
			const char **arr = name[2] == 'a'   ? a->allow
					   : name[2] == 'd' ? a->deny
					   : name[2] == 'l' ? a->limit
							    : a->bound;
			size_t *n = name[2] == 'a'   ? &a->o.n_allow
				    : name[2] == 'd' ? &a->o.n_deny
				    : name[2] == 'l' ? &a->o.n_limit
						     : &a->n_bound;

			if (*n >= CMD_POLICY_LIST_MAX)
				return cmd_policy_usage("too many options");
			arr[(*n)++] = val;
		} else if (!strcmp(name, "--listener")) {
			if (a->n_listeners >= CMD_POLICY_LIST_MAX ||
			    cmd_policy_listener(val,
						&a->listeners[a->n_listeners]))
				return cmd_policy_usage(
					"--listener takes tcp:PORT or udp:PORT");
			a->n_listeners++;
		} else if (!strcmp(name, "--host-addr")) {
			if (a->n_host_addrs >= CMD_POLICY_LIST_MAX ||
			    policy_addr_parse((const uint8_t *)val, strlen(val),
					      &a->host_addrs[a->n_host_addrs]))
				return cmd_policy_usage(
					"--host-addr takes an IP address");
			a->n_host_addrs++;
		}
	}
	return 0;
}

/* Syscall overrides need the syscall table, which the policy cannot see. */
static int cmd_policy_check_syscalls(const struct policy *p)
{
	size_t k;
	int rc = 0;

	for (k = 0; k < policy_zone_count(p); k++)
		if (zone_syscalls_check(policy_zone_get(p, k)))
			rc = CORDON_EXIT_FAILURE;
	return rc;
}

static int cmd_policy_check(int argc, char **argv)
{
	int i, status = 0;
	size_t k;

	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
		return cli_help("policy check", stdout) ? CORDON_EXIT_FAILURE
							: 0;
	if (argc < 3)
		return cmd_policy_usage("check needs at least one FILE");
	for (i = 2; i < argc; i++) {
		struct policy *p = policy_new(0);
		int rc;

		if (!p) {
			diag_error("policy: out of memory");
			return CORDON_EXIT_FAILURE;
		}
		rc = policy_parse_file(p, argv[i]);
		if (rc != -ENOMEM)
			rc = policy_finish(p);
		if (rc) {
			cmd_policy_print_diags(p);
			status = CORDON_EXIT_FAILURE;
		} else if (cmd_policy_check_syscalls(p)) {
			status = CORDON_EXIT_FAILURE;
		} else {
			printf("%s: ok; zones:", argv[i]);
			for (k = 0; k < policy_zone_count(p); k++)
				printf(" %s", zone_name(policy_zone_get(p, k)));
			printf("\n");
		}
		policy_free(p);
	}
	return status;
}

/*
 * After the zone: what the relay checks on the TCP connects each hostname
 * rule allows (net_plan_rule_relay(), the function run asks), as comments,
 * so the text still parses back.
 */
static int cmd_policy_show_relay(const struct zone *z, struct dynbuf *out)
{
	bool name = false, pin = false;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < zone_rule_count(z); i++) {
		const struct policy_rule *r = zone_rule_get(z, i);
		enum net_plan_relay how = net_plan_rule_relay(r);

		if (how == NET_PLAN_RELAY_NONE)
			continue;
		if (!name && !pin)
			rc = dynbuf_addf(out, "# relay: the TCP connects "
					      "these hostname rules allow\n");
		name |= how == NET_PLAN_RELAY_NAME;
		pin |= how == NET_PLAN_RELAY_PIN;
		rc = rc ? rc : dynbuf_addf(out, "#\t");
		rc = rc ? rc : policy_rule_fmt(r, out);
		rc = rc ? rc
			: dynbuf_addf(out, "\t# %s%s\n",
				      net_plan_relay_name(how),
				      r->proto & POLICY_PROTO_UDP
					      ? " (UDP: pinned, not relayed)"
					      : "");
	}
	if (!rc && name)
		rc = dynbuf_addf(out, "#   %s: %s\n",
				 net_plan_relay_name(NET_PLAN_RELAY_NAME),
				 net_plan_relay_what(NET_PLAN_RELAY_NAME));
	if (!rc && pin)
		rc = dynbuf_addf(out, "#   %s: %s\n",
				 net_plan_relay_name(NET_PLAN_RELAY_PIN),
				 net_plan_relay_what(NET_PLAN_RELAY_PIN));
	/* limit egress: what its quota counts. */
	if (!rc && zone_limits(z)->set[POLICY_LIMIT_EGRESS])
		rc = dynbuf_addf(out, "# egress: %s\n",
				 net_plan_egress_counted());
	return rc;
}

static int cmd_policy_show_one(const struct zone *z)
{
	struct dynbuf out;
	uint64_t fp = 0;
	int rc;

	dynbuf_init(&out, 64u << 20);
	rc = zone_fingerprint(z, &fp);
	rc = rc ? rc
		: dynbuf_addf(&out, "# zone %s, fingerprint %016llx\n",
			      zone_name(z), (unsigned long long)fp);
	rc = rc ? rc : zone_fmt(z, ZONE_FMT_ORIGINS, &out);
	rc = rc ? rc : cmd_policy_show_relay(z, &out);
	if (!rc)
		fwrite(out.data, 1, out.len, stdout);
	dynbuf_free(&out);
	if (rc) {
		diag_error("policy: cannot format zone %s: %s", zone_name(z),
			   strerror(-rc));
		return CORDON_EXIT_FAILURE;
	}
	return 0;
}

static int cmd_policy_show(int argc, char **argv)
{
	struct cmd_policy_args a;
	const struct zone *z;
	struct policy *p;
	size_t i;
	int rc;

	rc = cmd_policy_args_parse(argc, argv, 2, &a);
	if (rc)
		return rc;
	if (a.help)
		return cli_help("policy show", stdout) ? CORDON_EXIT_FAILURE
						       : 0;
	if (a.n_pos)
		return cmd_policy_usage(
			"show takes no FILE: use --policy FILE");
	if (a.all) {
		if (a.o.zone || a.o.n_allow || a.o.n_deny || a.o.n_limit)
			return cmd_policy_usage(
				"--all shows every zone as written; it takes no --zone or overrides");
		p = policy_new(0);
		if (!p)
			return CORDON_EXIT_FAILURE;
		rc = a.o.policy_file ? policy_parse_file(p, a.o.policy_file)
				     : 0;
		if (rc != -ENOMEM)
			rc = policy_finish(p);
		if (rc) {
			cmd_policy_print_diags(p);
			policy_free(p);
			return CORDON_EXIT_FAILURE;
		}
		for (i = 0; !rc && i < policy_zone_count(p); i++) {
			if (i)
				printf("\n");
			rc = cmd_policy_show_one(policy_zone_get(p, i));
		}
		policy_free(p);
		return rc;
	}
	rc = cmd_policy_load(&a.o, &p, &z);
	if (rc)
		return rc;
	rc = cmd_policy_show_one(z);
	policy_free(p);
	return rc;
}

/* "[v6]:port", "v4:port" or "host:port", with an optional "/tcp" "/udp". */
static int cmd_policy_target(const char *s, char *host, size_t hostlen,
			     bool *bracketed, uint16_t *port, unsigned *proto)
{
	const char *colon, *slash, *end = s + strlen(s);
	char *pend;
	size_t hl;
	long v;

	*proto = POLICY_PROTO_TCP;
	slash = strrchr(s, '/');
	if (slash && (!strcmp(slash, "/tcp") || !strcmp(slash, "/udp"))) {
		*proto = slash[1] == 'u' ? POLICY_PROTO_UDP : POLICY_PROTO_TCP;
		end = slash;
	}
	*bracketed = s[0] == '[';
	if (*bracketed) {
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (!close || close + 1 >= end || close[1] != ':')
			return -EINVAL;
		hl = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = NULL;
		for (pend = (char *)end; pend > s; pend--)
			if (pend[-1] == ':') {
				colon = pend - 1;
				break;
			}
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
	}
	if (!hl || hl >= hostlen)
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	v = strtol(colon + 1, &pend, 10);
	if (pend != end || pend == colon + 1 || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

struct cmd_policy_explained {
	const char *op;
	char target[600];
	struct policy_decision d;
	const char *plan; /* connect: net_plan_kind_name(), else NULL */
	/* connect performed: net_plan_relay_name(), else NULL */
	const char *relay;
	enum net_plan_relay relay_kind;
	const char *note;
	bool via_resolve; /* the connect failed at resolving the name */
	char also[256];	  /* further IPv4 addresses the address reaches */
};

static const char *cmd_policy_reason_name(enum policy_reason r)
{
	static const char *const names[] = {
		[POLICY_REASON_DEFAULT] = "default",
		[POLICY_REASON_RULE] = "rule",
		[POLICY_REASON_ALWAYS_DENIED] = "always-denied",
		[POLICY_REASON_OWN_LISTENER] = "own-listener",
		[POLICY_REASON_LOOPBACK] = "loopback",
		[POLICY_REASON_LISTEN] = "listen",
		[POLICY_REASON_UNIX_DEFAULT] = "unix-default",
		[POLICY_REASON_ABSTRACT] = "abstract",
		[POLICY_REASON_NETLINK] = "netlink",
		[POLICY_REASON_INVALID] = "invalid",
		[POLICY_REASON_DNS_PROXY] = "dns-proxy",
		[POLICY_REASON_FS_NONE] = "fs-none",
	};

	return (unsigned)r < ARRAY_SIZE(names) ? names[r] : "?";
}

/* The further IPv4 addresses @addr reaches, ", "-separated, into @e. */
static void cmd_policy_also(const struct policy_addr *addr,
			    struct cmd_policy_explained *e)
{
	struct policy_addr_readings rd;
	size_t i, n = 0;
	char a[64];

	e->also[0] = '\0';
	policy_addr_readings(addr, &rd);
	for (i = 0; i < rd.n_also && n < sizeof(e->also); i++) {
		policy_addr_fmt(&rd.also[i], a, sizeof(a));
		n += (size_t)snprintf(e->also + n, sizeof(e->also) - n, "%s%s",
				      i ? ", " : "", a);
	}
}

static int cmd_policy_print(const struct cmd_policy_explained *e,
			    const struct zone *z, bool json)
{
	struct dynbuf why, rule;
	struct jsonw w;
	char judged[64], fpbuf[20];
	uint64_t fp = 0;
	int rc;

	dynbuf_init(&why, 4096);
	dynbuf_init(&rule, 4096);
	policy_decision_fmt(&e->d, &why);
	if (e->d.rule)
		policy_rule_fmt(e->d.rule, &rule);
	zone_fingerprint(z, &fp);
	judged[0] = '\0';
	if (e->d.embed != POLICY_ADDR_EMBED_NONE)
		policy_addr_fmt(&e->d.judged, judged, sizeof(judged));
	if (json) {
		jsonw_begin(&w, 1u << 16);
		jsonw_key_str(&w, "verdict",
			      policy_decision_verdict_name(e->d.verdict));
		jsonw_key_str(&w, "op", e->op);
		jsonw_key_str(&w, "target", e->target);
		jsonw_key_str(&w, "zone", e->d.zone);
		snprintf(fpbuf, sizeof(fpbuf), "%016llx",
			 (unsigned long long)fp);
		jsonw_key_str(&w, "fingerprint", fpbuf);
		jsonw_key_str(&w, "reason",
			      cmd_policy_reason_name(e->d.reason));
		jsonw_key_str(&w, "category",
			      e->d.category
				      ? policy_category_name(e->d.category)
				      : NULL);
		jsonw_key_str(&w, "rule", e->d.rule ? rule.data : NULL);
		if (e->d.rule) {
			jsonw_key_obj(&w, "where");
			jsonw_key_str(&w, "file", e->d.rule->loc.file);
			jsonw_key_u64(&w, "line", e->d.rule->loc.line);
			jsonw_key_u64(&w, "col", e->d.rule->loc.col);
			jsonw_close(&w);
		}
		jsonw_key_str(&w, "plan", e->plan);
		jsonw_key_str(&w, "relay", e->relay);
		jsonw_key_str(&w, "why", why.data ? why.data : "");
		jsonw_key_str(&w, "judged_as", judged[0] ? judged : NULL);
		jsonw_key_str(&w, "embedding",
			      policy_addr_embed_name(e->d.embed));
		jsonw_key_str(&w, "also_reaches", e->also[0] ? e->also : NULL);
		jsonw_key_bool(&w, "via_resolve", e->via_resolve);
		jsonw_key_str(&w, "note", e->note);
		rc = jsonw_end(&w);
		if (!rc)
			fwrite(w.buf.data, 1, w.buf.len, stdout);
		jsonw_free(&w);
	} else {
		rc = 0;
		printf("%-8s %s %s  zone %s\n",
		       policy_decision_verdict_name(e->d.verdict), e->op,
		       e->target, e->d.zone);
		printf("  why: %s%s\n", e->via_resolve ? "resolve: " : "",
		       why.data ? why.data : "");
		if (judged[0])
			printf("  address: judged as %s (%s)%s%s\n", judged,
			       policy_addr_embed_name(e->d.embed),
			       e->also[0] ? "; also reaches " : "", e->also);
		if (e->relay_kind != NET_PLAN_RELAY_NONE)
			printf("  relay: %s\n",
			       net_plan_relay_what(e->relay_kind));
		if (e->note)
			printf("  note: %s\n", e->note);
	}
	dynbuf_free(&why);
	dynbuf_free(&rule);
	return rc ? CORDON_EXIT_FAILURE : 0;
}

/*
 * A connect is explained by the plan enforcement runs (net_plan_dest()),
 * so a redirect to the DNS proxy is said as such, never as the zone's
 * verdict on an address nothing is sent to.
 */
static int cmd_policy_explain_plan(const struct zone_tables *t,
				   const struct policy_runtime *rt,
				   const struct policy_connect *c,
				   struct cmd_policy_explained *e,
				   const struct zone *z, bool json)
{
	struct net_plan plan;

	if (c->have_addr)
		cmd_policy_also(&c->addr, e);
	net_plan_dest(t, rt, c, &plan);
	e->d = plan.d;
	e->plan = net_plan_kind_name(plan.kind);
	/* What run does with the connect it performs (net_plan_relay()). */
	if (plan.kind == NET_PLAN_PERFORM) {
		e->relay_kind = plan.relay;
		e->relay = net_plan_relay_name(plan.relay);
	}
	if (plan.kind == NET_PLAN_REDIRECT_DNS)
		e->note =
			"nothing is sent to this address: cordon's DNS proxy answers the query, resolving only names the zone allows (NXDOMAIN for the others, without asking upstream)";
	return cmd_policy_print(e, z, json);
}

/* An abstract name as written (escapes) into @out (POLICY_ABSTRACT_MAX). */
static int cmd_policy_abstract(const char *text, char *out, size_t *len)
{
	const char *why;
	size_t bad;

	return policy_unix_abstract_parse((const uint8_t *)text, strlen(text),
					  out, len, &bad, &why);
}

/*
 * explain open PATH [ACCESS]: the decision the job's Landlock domain and
 * the supervisor's opens make (zone_decide_open()), on the paths resolved
 * as a run resolves them (sentry/fs_plan.c); a rule path that does not
 * exist here is matched as written. $TMPDIR is the job's private one:
 * --tmpdir names it (a run prints it in its audit header), otherwise a
 * name no real path has.
 */
static int cmd_policy_explain_open(struct cmd_policy_args *a,
				   const struct zone *z,
				   const struct zone_tables *t,
				   struct policy_runtime *rt,
				   struct cmd_policy_explained *e)
{
	static char ws[PATH_MAX], tmp[PATH_MAX], real[PATH_MAX], buf[PATH_MAX];
	size_t i, n = zone_rule_count(z);
	const char **paths;
	unsigned access = POLICY_FS_READ;
	char acc[32];
	int rc;

	if (a->n_pos == 3 &&
	    policy_fs_access_parse(a->pos[2], strlen(a->pos[2]), &access))
		return cmd_policy_usage(
			"open PATH takes read, write or exec (or a list: read,write)");
	if (!realpath(a->workspace ? a->workspace : ".", ws))
		return cmd_policy_usage("--workspace: no such directory");
	rt->workspace = ws;
	if (a->tmpdir)
		snprintf(tmp, sizeof(tmp), "%s", a->tmpdir);
	else
		snprintf(tmp, sizeof(tmp), "%s/cordon-job.XXXXXX",
			 rt->tmpdir ? rt->tmpdir : "/tmp");
	rt->tmpdir = tmp;
	paths = calloc(n ? n : 1, sizeof(*paths));
	if (!paths)
		return cmd_policy_usage("out of memory");
	for (i = 0; i < n; i++) {
		const struct policy_rule *r = zone_rule_get(z, i);

		if (r->kind != POLICY_RULE_KIND_FS ||
		    policy_unix_expand(r->path, rt, buf, sizeof(buf)))
			continue;
		paths[i] = strdup(realpath(buf, real) ? real : buf);
	}
	rt->fs_paths = paths;
	rt->n_fs_paths = n;
	/* The path as the kernel would reach it, when it exists. */
	if (realpath(a->pos[1], real))
		snprintf(buf, sizeof(buf), "%s", real);
	else
		snprintf(buf, sizeof(buf), "%s", a->pos[1]);
	policy_fs_access_fmt(access, acc, sizeof(acc));
	snprintf(e->target, sizeof(e->target), "%.500s %s", buf, acc);
	zone_decide_open(t, rt, buf, strlen(buf), access, &e->d);
	if (strcmp(buf, a->pos[1]))
		e->note =
			"judged as the path it resolves to (symlinks followed)";
	rc = cmd_policy_print(e, z, a->json);
	for (i = 0; i < n; i++)
		free((char *)paths[i]);
	free(paths);
	return rc;
}

static int cmd_policy_explain_run(struct cmd_policy_args *a,
				  const struct zone *z,
				  const struct zone_tables *t)
{
	const char *op = a->pos[0], *arg = a->pos[1], *pinned[1];
	char bound_buf[CMD_POLICY_LIST_MAX][POLICY_ABSTRACT_MAX];
	struct policy_abstract bound[CMD_POLICY_LIST_MAX];
	struct cmd_policy_explained e;
	struct policy_runtime rt;
	struct policy_connect c;
	char host[300], cwd[PATH_MAX];
	bool bracketed;
	unsigned proto;
	uint16_t port;
	size_t i;

	memset(&rt, 0, sizeof(rt));
	rt.listeners = a->listeners;
	rt.n_listeners = a->n_listeners;
	rt.host_addrs = a->host_addrs;
	rt.n_host_addrs = a->n_host_addrs;
	for (i = 0; i < a->n_bound; i++) {
		if (cmd_policy_abstract(a->bound[i], bound_buf[i],
					&bound[i].len))
			return cmd_policy_usage(
				"--bound takes an abstract name: printable ASCII, \\xHH for any byte, \\\\ for a backslash");
		bound[i].name = bound_buf[i];
	}
	rt.abstract_bound = bound;
	rt.n_abstract_bound = a->n_bound;
	rt.cwd = getcwd(cwd, sizeof(cwd));
	rt.tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	rt.xdg_runtime_dir = getenv("XDG_RUNTIME_DIR");
	rt.home = getenv("HOME");

	memset(&e, 0, sizeof(e));
	e.op = op;
	snprintf(e.target, sizeof(e.target), "%s", arg);
	if (!strcmp(op, "connect")) {
		if (cmd_policy_target(arg, host, sizeof(host), &bracketed,
				      &port, &proto))
			return cmd_policy_usage(
				"connect takes HOST:PORT, ADDR:PORT or [V6ADDR]:PORT, optionally /tcp or /udp");
		memset(&c, 0, sizeof(c));
		c.proto = proto;
		c.port = port;
		snprintf(e.target, sizeof(e.target), "%s%s%s:%u/%s",
			 bracketed ? "[" : "", host, bracketed ? "]" : "", port,
			 proto == POLICY_PROTO_UDP ? "udp" : "tcp");
		if (!policy_addr_parse((const uint8_t *)host, strlen(host),
				       &c.addr)) {
			if (bracketed != (c.addr.family == 6))
				return cmd_policy_usage(
					"IPv6 addresses take brackets, IPv4 addresses none");
			c.have_addr = true;
			return cmd_policy_explain_plan(t, &rt, &c, &e, z,
						       a->json);
		}
		if (bracketed)
			return cmd_policy_usage("invalid IPv6 address");
		/* A name: it must resolve first, then it is pinned. */
		zone_decide_resolve(t, host, strlen(host), &e.d);
		if (e.d.verdict != POLICY_VERDICT_ALLOW) {
			e.via_resolve = true;
			e.note =
				"cordon's DNS proxy answers NXDOMAIN for this name, so the job cannot reach it by name";
			return cmd_policy_print(&e, z, a->json);
		}
		pinned[0] = host;
		c.pinned = pinned;
		c.n_pinned = 1;
		if (a->addr) {
			if (policy_addr_parse((const uint8_t *)a->addr,
					      strlen(a->addr), &c.addr))
				return cmd_policy_usage(
					"--addr takes an IP address");
			c.have_addr = true;
			e.note =
				"decided as if the name resolved to --addr through cordon's DNS proxy (pinned)";
		} else {
			e.note =
				"decided as if the name resolved through cordon's DNS proxy to a public address (pinned); the address itself is judged at run time (try --addr)";
		}
		return cmd_policy_explain_plan(t, &rt, &c, &e, z, a->json);
	}
	if (!strcmp(op, "resolve")) {
		zone_decide_resolve(t, arg, strlen(arg), &e.d);
		if (e.d.verdict != POLICY_VERDICT_ALLOW)
			e.note = "cordon's DNS proxy answers NXDOMAIN";
		return cmd_policy_print(&e, z, a->json);
	}
	if (!strcmp(op, "listen")) {
		struct policy_addr la;

		if (cmd_policy_target(arg, host, sizeof(host), &bracketed,
				      &port, &proto) ||
		    policy_addr_parse((const uint8_t *)host, strlen(host),
				      &la) ||
		    bracketed != (la.family == 6))
			return cmd_policy_usage(
				"listen takes ADDR:PORT or [V6ADDR]:PORT, optionally /tcp or /udp");
		snprintf(e.target, sizeof(e.target), "%s%s%s:%u/%s",
			 bracketed ? "[" : "", host, bracketed ? "]" : "", port,
			 proto == POLICY_PROTO_UDP ? "udp" : "tcp");
		zone_decide_listen(t, &la, proto, port, &e.d);
		if (net_plan_listen_narrows(&e.d, &la)) {
			/* What run performs (net_plan.c): the same question. */
			e.d.verdict = POLICY_VERDICT_LOOPBACK;
			e.note = "a wildcard listen is performed narrowed to "
				 "this host: the job's own clients on loopback "
				 "reach it, a remote host's SYN gets a reset";
		} else if (e.d.verdict == POLICY_VERDICT_LOOPBACK) {
			e.note = "the socket is bound to loopback instead";
		}
		return cmd_policy_print(&e, z, a->json);
	}
	if (!strcmp(op, "unix") && arg[0] == '@') {
		char name[POLICY_ABSTRACT_MAX],
			esc[POLICY_ABSTRACT_MAX * 4 + 1];
		size_t len;

		if (cmd_policy_abstract(arg + 1, name, &len))
			return cmd_policy_usage(
				"unix @NAME: printable ASCII, \\xHH for any byte (\\x00 for NUL), \\\\ for a backslash");
		policy_unix_abstract_fmt(name, len, esc, sizeof(esc));
		snprintf(e.target, sizeof(e.target), "@%s", esc);
		zone_decide_unix(t, &rt, name, len, true, &e.d);
		return cmd_policy_print(&e, z, a->json);
	}
	if (!strcmp(op, "unix")) {
		zone_decide_unix(t, &rt, arg, strlen(arg), false, &e.d);
		return cmd_policy_print(&e, z, a->json);
	}
	if (!strcmp(op, "open"))
		return cmd_policy_explain_open(a, z, t, &rt, &e);
	return cmd_policy_usage(
		"explain takes connect, resolve, listen, unix or open");
}

static int cmd_policy_explain(int argc, char **argv)
{
	struct cmd_policy_args a;
	struct zone_tables *t;
	const struct zone *z;
	struct policy *p;
	int rc;

	rc = cmd_policy_args_parse(argc, argv, 2, &a);
	if (rc)
		return rc;
	if (a.help)
		return cli_help("policy explain", stdout) ? CORDON_EXIT_FAILURE
							  : 0;
	if (a.n_pos != 2 && !(a.n_pos == 3 && !strcmp(a.pos[0], "open")))
		return cmd_policy_usage(
			"explain takes one of: connect HOST:PORT, resolve NAME, listen ADDR:PORT, unix PATH, open PATH [read|write|exec]");
	rc = cmd_policy_load(&a.o, &p, &z);
	if (rc)
		return rc;
	if (zone_tables_new(z, &t)) {
		diag_error("policy: out of memory");
		policy_free(p);
		return CORDON_EXIT_FAILURE;
	}
	rc = cmd_policy_explain_run(&a, z, t);
	zone_tables_free(t);
	policy_free(p);
	return rc;
}

int cmd_policy_main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		return cmd_policy_usage("missing subcommand");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_help("policy", stdout);
		return 0;
	}
	if (!strcmp(argv[1], "check"))
		cmd_policy_topic = "policy check";
	else if (!strcmp(argv[1], "show"))
		cmd_policy_topic = "policy show";
	else if (!strcmp(argv[1], "explain"))
		cmd_policy_topic = "policy explain";
	if (!strcmp(argv[1], "check"))
		rc = cmd_policy_check(argc, argv);
	else if (!strcmp(argv[1], "show"))
		rc = cmd_policy_show(argc, argv);
	else if (!strcmp(argv[1], "explain"))
		rc = cmd_policy_explain(argc, argv);
	else
		return cmd_policy_usage("unknown subcommand");
	fflush(stdout);
	return rc;
}
