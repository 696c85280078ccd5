/* SPDX-License-Identifier: MIT */
/*
 * policy_parse.c - policy text to zones. Theory of operation:
 *
 * The language is line-oriented: a line is cut into at most 16 tokens
 * (words, quoted strings, '{', '}'), '#' starts a comment at a token
 * boundary. Top level holds "include" and "zone NAME [extends Z] {"; a zone
 * body holds one setting or rule per line until a lone "}". Nothing nests
 * except includes, which are depth-capped; so the parser is a loop over
 * lines with one bit of state (the open zone), bounded by POLICY_LINE_MAX,
 * POLICY_TOKS_MAX and the file cap. Errors never stop the loop: each one is
 * recorded with file:line:col and the statement is skipped.
 *
 * Not responsible for "extends" and whole-zone checks (zone.c), or rule
 * syntax (policy_rule.c) and limit values (policy_limit.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_priv.h"

#define TOKQ(t) (int)((t)->len > 80 ? 80 : (t)->len), (t)->s

struct policy_parse_chain {
	const char *names[POLICY_INCLUDE_DEPTH + 1];
	const char *ids[POLICY_INCLUDE_DEPTH + 1];
};

struct policy_parse_ctx {
	struct policy *p;
	struct policy_src src;
	unsigned depth;
	struct policy_parse_chain *chain;
	bool builtin;
	struct zone *zone;    /* the open zone, or NULL */
	bool zone_registered; /* zone belongs to the policy */
	bool limit_seen[POLICY_LIMIT_COUNT + 3];
};

static int policy_parse_text(struct policy_parse_ctx *c, const uint8_t *text,
			     size_t len);

static void policy_parse_err(struct policy_parse_ctx *c, unsigned col,
			     const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void policy_parse_err(struct policy_parse_ctx *c, unsigned col,
			     const char *hint, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	policy_diag_add(c->p, c->src.file, c->src.line, col, hint, "%s", msg);
}

static bool policy_parse_is(const struct policy_tok *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) &&
	       !memcmp(t->s, word, t->len);
}

static unsigned policy_parse_after(const struct policy_tok *t)
{
	return t->col + (unsigned)t->len + (t->quoted ? 2 : 0);
}

/* Levenshtein distance of short words, for "did you mean". */
static size_t policy_parse_distance(const char *a, size_t la, const char *b,
				    size_t lb)
{
	size_t prev[33], cur[33], i, j;

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

const char *policy_parse_suggest(const char *word, size_t len,
				 const char *const *cands, size_t n)
{
	size_t i, best = 3;
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		size_t d = policy_parse_distance(word, len, cands[i],
						 strlen(cands[i]));

		if (d < best && d < len) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}

static bool policy_parse_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int policy_tokenize(const struct policy_src *src, const uint8_t *line,
		    size_t len, char *scratch, struct policy_tok *toks,
		    size_t *n_toks)
{
	static const char bytes_hint[] =
		"policy files are ASCII outside comments and quoted strings";
	size_t i = 0, n = 0, so = 0;

	*n_toks = 0;
	while (i < len) {
		struct policy_tok *t;
		uint8_t ch = line[i];

		if (policy_parse_space(ch)) {
			i++;
			continue;
		}
		if (ch == '#')
			break;
		if (n == POLICY_TOKS_MAX) {
			policy_diag_add(src->p, src->file, src->line,
					(unsigned)i + 1,
					"one setting or rule per line",
					"too many words on one line (limit %d)",
					POLICY_TOKS_MAX);
			return -EINVAL;
		}
		t = &toks[n++];
		t->col = (unsigned)i + 1;
		t->s = scratch + so;
		t->quoted = false;
		if (ch == '{' || ch == '}') {
			scratch[so++] = (char)ch;
			scratch[so++] = '\0';
			t->len = 1;
			i++;
			continue;
		}
		if (ch == '"') {
			size_t start = so;

			t->quoted = true;
			for (i++;; i++) {
				if (i >= len) {
					policy_diag_add(
						src->p, src->file, src->line,
						t->col,
						"close it with '\"' on the same line",
						"unterminated string");
					return -EINVAL;
				}
				ch = line[i];
				if (ch == '"')
					break;
				if (ch == '\\') {
					if (i + 1 < len &&
					    (line[i + 1] == '"' ||
					     line[i + 1] == '\\')) {
						scratch[so++] = (char)line[++i];
						continue;
					}
					policy_diag_add(
						src->p, src->file, src->line,
						(unsigned)i + 1,
						"strings know only \\\" and \\\\",
						"unknown escape in string");
					return -EINVAL;
				}
				if (ch < 0x20 || ch == 0x7f) {
					policy_diag_add(
						src->p, src->file, src->line,
						(unsigned)i + 1, "",
						"invalid byte 0x%02x in string",
						ch);
					return -EINVAL;
				}
				scratch[so++] = (char)ch;
			}
			i++;
			t->len = so - start;
			scratch[so++] = '\0';
			if (i < len && !policy_parse_space(line[i]) &&
			    line[i] != '#') {
				policy_diag_add(
					src->p, src->file, src->line,
					(unsigned)i + 1,
					"separate words with spaces",
					"unexpected text after a string");
				return -EINVAL;
			}
			continue;
		}
		{
			size_t start = so;

			while (i < len) {
				ch = line[i];
				if (policy_parse_space(ch) || ch == '{' ||
				    ch == '}' || ch == '"')
					break;
				if (ch < 0x21 || ch >= 0x7f) {
					policy_diag_add(
						src->p, src->file, src->line,
						(unsigned)i + 1, bytes_hint,
						"invalid byte 0x%02x", ch);
					return -EINVAL;
				}
				scratch[so++] = (char)ch;
				i++;
			}
			t->len = so - start;
			scratch[so++] = '\0';
		}
	}
	*n_toks = n;
	return 0;
}

/*
 * Check the number of tokens of a statement: report the first missing or
 * surplus token. Return true when the count is right.
 */
static bool policy_parse_arity(struct policy_parse_ctx *c,
			       const struct policy_tok *t, size_t n,
			       size_t want, const char *usage)
{
	char hint[160];

	snprintf(hint, sizeof(hint), "write '%s'", usage);
	if (n < want) {
		policy_parse_err(c, policy_parse_after(&t[n - 1]), hint,
				 "incomplete '%.*s' statement", TOKQ(&t[0]));
		return false;
	}
	if (n > want) {
		policy_parse_err(c, t[want].col, hint, "unexpected '%.*s'",
				 TOKQ(&t[want]));
		return false;
	}
	return true;
}

static void policy_parse_loc(struct policy_parse_ctx *c,
			     const struct policy_tok *t, struct policy_loc *loc)
{
	loc->file = c->src.file;
	loc->line = c->src.line;
	loc->col = t->col;
}

static void policy_parse_dup(struct policy_parse_ctx *c,
			     const struct policy_tok *t, const char *what,
			     const struct policy_loc *first)
{
	policy_parse_err(c, t->col, "each setting may appear once per zone",
			 "duplicate '%s' (first set at %s:%u:%u)", what,
			 first->file, first->line, first->col);
}

static void policy_parse_trust(struct policy_parse_ctx *c,
			       const struct policy_tok *t, size_t n)
{
	static const char usage[] = "trust trusted|untrusted";
	struct zone *z = c->zone;

	if (!policy_parse_arity(c, t, n, 2, usage))
		return;
	if (z->trust_set)
		return policy_parse_dup(c, t, "trust", &z->trust_loc);
	if (policy_parse_is(&t[1], "trusted")) {
		z->trusted = true;
	} else if (policy_parse_is(&t[1], "untrusted")) {
		z->trusted = false;
	} else {
		policy_parse_err(c, t[1].col,
				 "write 'trust trusted' or 'trust untrusted'",
				 "unknown trust level '%.*s'", TOKQ(&t[1]));
		return;
	}
	z->trust_set = true;
	policy_parse_loc(c, t, &z->trust_loc);
}

static void policy_parse_listen(struct policy_parse_ctx *c,
				const struct policy_tok *t, size_t n)
{
	static const char usage[] = "listen deny|loopback|allow";
	struct zone *z = c->zone;

	if (!policy_parse_arity(c, t, n, 2, usage))
		return;
	if (z->listen_set)
		return policy_parse_dup(c, t, "listen", &z->listen_loc);
	if (policy_parse_is(&t[1], "deny")) {
		z->listen = POLICY_LISTEN_DENY;
	} else if (policy_parse_is(&t[1], "loopback")) {
		z->listen = POLICY_LISTEN_LOOPBACK;
	} else if (policy_parse_is(&t[1], "allow")) {
		z->listen = POLICY_LISTEN_ALLOW;
	} else {
		policy_parse_err(
			c, t[1].col,
			"write 'listen deny', 'listen loopback' or 'listen allow'",
			"unknown listen mode '%.*s'", TOKQ(&t[1]));
		return;
	}
	z->listen_set = true;
	policy_parse_loc(c, t, &z->listen_loc);
}

static void policy_parse_push(struct policy_parse_ctx *c,
			      const struct policy_rule *r)
{
	if (c->zone->n_rules >= POLICY_ZONE_RULES_MAX) {
		policy_parse_err(c, r->loc.col, "split the zone",
				 "too many rules in zone '%s' (limit %d)",
				 c->zone->name, POLICY_ZONE_RULES_MAX);
		return;
	}
	if (policy_zone_push_rule(c->zone, r))
		policy_parse_err(c, r->loc.col, "", "out of memory");
}

static void policy_parse_egress(struct policy_parse_ctx *c,
				const struct policy_tok *t, size_t n,
				enum policy_action action)
{
	struct policy_rule r;

	if (!policy_parse_arity(c, t, n, 3,
				action == POLICY_ACTION_ALLOW
					? "allow tcp|udp|any HOST:PORT"
					: "deny tcp|udp|any HOST:PORT"))
		return;
	if (policy_rule_egress_parse(&c->src, action, &t[1], &t[2], &r))
		return;
	r.loc.col = t[0].col;
	policy_parse_push(c, &r);
}

static void policy_parse_dns(struct policy_parse_ctx *c,
			     const struct policy_tok *t, size_t n)
{
	static const char usage[] =
		"dns allow|deny NAME' or 'dns upstream system|ADDR[:PORT]";
	struct zone *z = c->zone;
	struct policy_upstream u;
	struct policy_rule r;
	size_t i;

	if (!policy_parse_arity(c, t, n, 3, usage))
		return;
	if (policy_parse_is(&t[1], "allow") || policy_parse_is(&t[1], "deny")) {
		if (policy_rule_dns_parse(&c->src,
					  policy_parse_is(&t[1], "allow")
						  ? POLICY_ACTION_ALLOW
						  : POLICY_ACTION_DENY,
					  &t[2], &r))
			return;
		r.loc.col = t[0].col;
		policy_parse_push(c, &r);
		return;
	}
	if (!policy_parse_is(&t[1], "upstream")) {
		policy_parse_err(
			c, t[1].col,
			"write 'dns allow NAME', 'dns deny NAME' or 'dns upstream ADDR'",
			"unknown dns setting '%.*s'", TOKQ(&t[1]));
		return;
	}
	if (policy_parse_is(&t[2], "system")) {
		if (z->upstream_set) {
			policy_parse_err(
				c, t[2].col,
				"'system' is the only upstream when used",
				"'dns upstream system' combined with other upstreams (first at %s:%u:%u)",
				z->upstream_loc.file, z->upstream_loc.line,
				z->upstream_loc.col);
			return;
		}
		z->upstream_set = true;
		policy_parse_loc(c, t, &z->upstream_loc);
		/* Remember "system" by a set flag with no entries. */
		return;
	}
	if (policy_rule_upstream_parse(&c->src, &t[2], &u))
		return;
	u.loc.col = t[0].col;
	if (z->upstream_set && !z->n_upstreams) {
		policy_parse_err(
			c, t[2].col, "'system' is the only upstream when used",
			"upstream combined with 'dns upstream system' (at %s:%u:%u)",
			z->upstream_loc.file, z->upstream_loc.line,
			z->upstream_loc.col);
		return;
	}
	for (i = 0; i < z->n_upstreams; i++) {
		if (!memcmp(&z->upstreams[i].addr, &u.addr, sizeof(u.addr)) &&
		    z->upstreams[i].port == u.port) {
			policy_parse_dup(c, t, "dns upstream",
					 &z->upstreams[i].loc);
			return;
		}
	}
	if (z->n_upstreams >= POLICY_UPSTREAMS_MAX) {
		policy_parse_err(c, t[2].col, "",
				 "too many upstreams (limit %d)",
				 POLICY_UPSTREAMS_MAX);
		return;
	}
	if (!z->upstream_set)
		policy_parse_loc(c, t, &z->upstream_loc);
	z->upstream_set = true;
	z->upstreams[z->n_upstreams++] = u;
}

static void policy_parse_lift(struct policy_parse_ctx *c,
			      const struct policy_tok *t, size_t n)
{
	struct zone *z = c->zone;
	size_t i;

	if (n < 2) {
		policy_parse_arity(c, t, n, 2, "lift CATEGORY...");
		return;
	}
	for (i = 1; i < n; i++) {
		int cat = t[i].quoted ? -EINVAL
				      : policy_category_parse(t[i].s, t[i].len);
		char what[64];

		if (cat < 0) {
			policy_parse_err(
				c, t[i].col,
				"categories are metadata, link-local, loopback, host, private, multicast and system-sockets",
				"unknown always-denied category '%.*s'",
				TOKQ(&t[i]));
			continue;
		}
		if (z->lifts & (1u << cat)) {
			snprintf(what, sizeof(what), "lift %s",
				 policy_category_name(cat));
			policy_parse_dup(c, &t[i], what, &z->lift_loc[cat]);
			continue;
		}
		z->lifts |= 1u << cat;
		policy_parse_loc(c, &t[i], &z->lift_loc[cat]);
	}
}

static void policy_parse_unix(struct policy_parse_ctx *c,
			      const struct policy_tok *t, size_t n)
{
	static const char usage[] =
		"unix allow|deny PATH' or 'unix defaults on|off";
	struct zone *z = c->zone;
	struct policy_rule r;

	if (!policy_parse_arity(c, t, n, 3, usage))
		return;
	if (policy_parse_is(&t[1], "defaults")) {
		if (z->unix_defaults_set)
			return policy_parse_dup(c, t, "unix defaults",
						&z->unix_defaults_loc);
		if (policy_parse_is(&t[2], "on")) {
			z->unix_defaults = true;
		} else if (policy_parse_is(&t[2], "off")) {
			z->unix_defaults = false;
		} else {
			policy_parse_err(
				c, t[2].col,
				"write 'unix defaults on' or 'unix defaults off'",
				"unknown value '%.*s'", TOKQ(&t[2]));
			return;
		}
		z->unix_defaults_set = true;
		policy_parse_loc(c, t, &z->unix_defaults_loc);
		return;
	}
	if (!policy_parse_is(&t[1], "allow") &&
	    !policy_parse_is(&t[1], "deny")) {
		policy_parse_err(
			c, t[1].col,
			"write 'unix allow PATH', 'unix deny PATH' or 'unix defaults on|off'",
			"unknown unix setting '%.*s'", TOKQ(&t[1]));
		return;
	}
	if (policy_rule_unix_parse(&c->src,
				   policy_parse_is(&t[1], "allow")
					   ? POLICY_ACTION_ALLOW
					   : POLICY_ACTION_DENY,
				   &t[2], &r))
		return;
	r.loc.col = t[0].col;
	policy_parse_push(c, &r);
}

static void policy_parse_fs(struct policy_parse_ctx *c,
			    const struct policy_tok *t, size_t n)
{
	struct policy_rule r;

	if (!policy_parse_arity(
		    c, t, n, 3,
		    "fs read|write|exec[,...] PATH' or 'fs deny PATH"))
		return;
	if (policy_rule_fs_parse(&c->src, &t[1], &t[2], &r))
		return;
	r.loc.col = t[0].col;
	policy_parse_push(c, &r);
}

static void policy_parse_limit(struct policy_parse_ctx *c,
			       const struct policy_tok *t, size_t n)
{
	if (!policy_parse_arity(c, t, n, 3, "limit KEY VALUE"))
		return;
	policy_limit_set(&c->src, &c->zone->limits, &t[1], &t[2], c->limit_seen,
			 ARRAY_SIZE(c->limit_seen));
}

static bool policy_parse_syscall_name(const struct policy_tok *t)
{
	size_t i;

	if (t->quoted || !t->len || t->len > POLICY_SYSCALL_NAME_MAX)
		return false;
	for (i = 0; i < t->len; i++)
		if (!((t->s[i] >= 'a' && t->s[i] <= 'z') ||
		      (t->s[i] >= '0' && t->s[i] <= '9') || t->s[i] == '_'))
			return false;
	return true;
}

static void policy_parse_syscall(struct policy_parse_ctx *c,
				 const struct policy_tok *t, size_t n)
{
	static const char usage[] =
		"syscall NAME allow|notify' or 'syscall NAME deny ERRNO";
	struct zone *z = c->zone;
	struct policy_syscall s;
	char what[96];
	size_t i;
	int e;

	if (n < 3 || (n == 3 && policy_parse_is(&t[2], "deny"))) {
		policy_parse_arity(c, t, n, n < 3 ? 3 : 4, usage);
		return;
	}
	if (!policy_parse_syscall_name(&t[1])) {
		policy_parse_err(
			c, t[1].col,
			"syscall names are lowercase: a-z, 0-9 and '_'",
			"invalid syscall name '%.*s'", TOKQ(&t[1]));
		return;
	}
	memset(&s, 0, sizeof(s));
	memcpy(s.name, t[1].s, t[1].len);
	policy_parse_loc(c, t, &s.loc);
	if (policy_parse_is(&t[2], "allow") ||
	    policy_parse_is(&t[2], "notify")) {
		if (!policy_parse_arity(c, t, n, 3, usage))
			return;
		s.action = policy_parse_is(&t[2], "allow")
				   ? POLICY_SYSCALL_ACTION_ALLOW
				   : POLICY_SYSCALL_ACTION_NOTIFY;
	} else if (policy_parse_is(&t[2], "deny")) {
		if (!policy_parse_arity(c, t, n, 4, usage))
			return;
		e = t[3].quoted ? -EINVAL
				: policy_errno_parse(t[3].s, t[3].len);
		if (e < 0) {
			policy_parse_err(
				c, t[3].col,
				"use a name such as EPERM, EACCES, ENOSYS or EINVAL",
				"unknown errno '%.*s'", TOKQ(&t[3]));
			return;
		}
		s.action = POLICY_SYSCALL_ACTION_DENY;
		s.errno_value = e;
	} else {
		policy_parse_err(c, t[2].col,
				 "write allow, deny ERRNO or notify",
				 "unknown syscall action '%.*s'", TOKQ(&t[2]));
		return;
	}
	for (i = 0; i < z->n_syscalls; i++) {
		if (!strcmp(z->syscalls[i].name, s.name)) {
			snprintf(what, sizeof(what), "syscall %s", s.name);
			policy_parse_dup(c, &t[0], what, &z->syscalls[i].loc);
			return;
		}
	}
	if (z->n_syscalls >= POLICY_SYSCALLS_MAX) {
		policy_parse_err(c, t[0].col, "",
				 "too many syscall overrides (limit %d)",
				 POLICY_SYSCALLS_MAX);
		return;
	}
	if (policy_zone_push_syscall(z, &s))
		policy_parse_err(c, t[0].col, "", "out of memory");
}

static const char *const policy_parse_zone_keys[] = {
	"allow", "deny",   "dns",     "fs",    "lift",
	"limit", "listen", "syscall", "trust", "unix",
};

static bool policy_parse_zone_key(const struct policy_tok *t)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policy_parse_zone_keys); i++)
		if (policy_parse_is(t, policy_parse_zone_keys[i]))
			return true;
	return false;
}

static void policy_parse_in_zone(struct policy_parse_ctx *c,
				 const struct policy_tok *t, size_t n)
{
	const char *sugg;
	char hint[192];

	if (t[0].quoted) {
		policy_parse_err(c, t[0].col, "settings start with a keyword",
				 "unexpected string");
	} else if (policy_parse_is(&t[0], "trust")) {
		policy_parse_trust(c, t, n);
	} else if (policy_parse_is(&t[0], "listen")) {
		policy_parse_listen(c, t, n);
	} else if (policy_parse_is(&t[0], "allow")) {
		policy_parse_egress(c, t, n, POLICY_ACTION_ALLOW);
	} else if (policy_parse_is(&t[0], "deny")) {
		policy_parse_egress(c, t, n, POLICY_ACTION_DENY);
	} else if (policy_parse_is(&t[0], "dns")) {
		policy_parse_dns(c, t, n);
	} else if (policy_parse_is(&t[0], "lift")) {
		policy_parse_lift(c, t, n);
	} else if (policy_parse_is(&t[0], "unix")) {
		policy_parse_unix(c, t, n);
	} else if (policy_parse_is(&t[0], "fs")) {
		policy_parse_fs(c, t, n);
	} else if (policy_parse_is(&t[0], "limit")) {
		policy_parse_limit(c, t, n);
	} else if (policy_parse_is(&t[0], "syscall")) {
		policy_parse_syscall(c, t, n);
	} else if (policy_parse_is(&t[0], "zone")) {
		snprintf(hint, sizeof(hint), "close zone '%s' with '}' first",
			 c->zone->name);
		policy_parse_err(c, t[0].col, hint, "zones cannot nest");
	} else if (policy_parse_is(&t[0], "include")) {
		policy_parse_err(c, t[0].col, "move the include above the zone",
				 "'include' inside a zone");
	} else if (policy_parse_is(&t[0], "{")) {
		policy_parse_err(c, t[0].col, "'{' ends the 'zone NAME' line",
				 "unexpected '{'");
	} else {
		sugg = policy_parse_suggest(t[0].s, t[0].len,
					    policy_parse_zone_keys,
					    ARRAY_SIZE(policy_parse_zone_keys));
		if (sugg)
			snprintf(hint, sizeof(hint), "did you mean '%s'?",
				 sugg);
		else
			snprintf(
				hint, sizeof(hint),
				"zone settings are allow, deny, dns, fs, lift, limit, listen, syscall, trust and unix");
		policy_parse_err(c, t[0].col, hint, "unknown key '%.*s'",
				 TOKQ(&t[0]));
	}
}

static bool policy_parse_zone_name_ok(const struct policy_tok *t)
{
	size_t i;

	if (t->quoted || !t->len || t->len > POLICY_ZONE_NAME_MAX)
		return false;
	for (i = 0; i < t->len; i++) {
		char ch = t->s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      (i && (ch == '-' || ch == '_'))))
			return false;
	}
	return true;
}

static void policy_parse_zone_open(struct policy_parse_ctx *c,
				   const struct policy_tok *t, size_t n)
{
	static const char name_hint[] =
		"zone names are up to 63 of a-z, 0-9, '-' and '_', starting with a letter or digit";
	static const char usage[] = "zone NAME [extends ZONE] {";
	struct zone *z, *other;
	bool ok = true;
	char hint[256];
	size_t i;

	if (n < 2 || !policy_parse_is(&t[n - 1], "{")) {
		policy_parse_err(
			c, policy_parse_after(&t[n - 1]),
			"write 'zone NAME {' and put each setting on its own line",
			"expected '{' at the end of the line");
		ok = false;
		/*
		 * Still open a zone so that its body and '}' parse, unless the
		 * '}' is on this line ("zone a { trust trusted }").
		 */
		for (i = 0; i < n; i++)
			if (policy_parse_is(&t[i], "}"))
				return;
	} else if (n != 3 && !(n == 5 && policy_parse_is(&t[2], "extends"))) {
		policy_parse_arity(c, t, n, n < 3 ? 3 : 5, usage);
		ok = false;
	}
	z = policy_zone_alloc();
	if (!z) {
		policy_parse_err(c, t[0].col, "", "out of memory");
		return;
	}
	c->zone = z;
	c->zone_registered = false;
	memset(c->limit_seen, 0, sizeof(c->limit_seen));
	policy_parse_loc(c, &t[0], &z->loc);
	z->builtin = c->builtin;
	if (n < 3 || !ok) {
		snprintf(z->name, sizeof(z->name), "?");
		return;
	}
	if (!policy_parse_zone_name_ok(&t[1])) {
		policy_parse_err(c, t[1].col, name_hint,
				 "invalid zone name '%.*s'", TOKQ(&t[1]));
		snprintf(z->name, sizeof(z->name), "?");
		return;
	}
	memcpy(z->name, t[1].s, t[1].len);
	if (n == 5) {
		if (!policy_parse_zone_name_ok(&t[3])) {
			policy_parse_err(c, t[3].col, name_hint,
					 "invalid zone name '%.*s'",
					 TOKQ(&t[3]));
			return;
		}
		z->has_parent = true;
		memcpy(z->parent, t[3].s, t[3].len);
		policy_parse_loc(c, &t[3], &z->parent_loc);
	}
	other = policy_zone_lookup(c->p, z->name);
	if (other && other->builtin && !c->builtin) {
		snprintf(hint, sizeof(hint),
			 "extend it instead: 'zone my-%s extends %s {'",
			 z->name, z->name);
		policy_parse_err(c, t[1].col, hint, "zone '%s' is built in",
				 z->name);
		return;
	}
	if (other) {
		policy_parse_err(
			c, t[1].col, "zone names are unique across all files",
			"zone '%s' is already defined at %s:%u:%u", z->name,
			other->loc.file, other->loc.line, other->loc.col);
		return;
	}
	if (c->p->n_zones >= POLICY_ZONES_MAX) {
		policy_parse_err(c, t[1].col, "", "too many zones (limit %d)",
				 POLICY_ZONES_MAX);
		return;
	}
	if (policy_zone_add(c->p, z)) {
		policy_parse_err(c, t[1].col, "", "out of memory");
		return;
	}
	c->zone_registered = true;
}

static void policy_parse_zone_close(struct policy_parse_ctx *c)
{
	if (!c->zone_registered)
		policy_zone_destroy(c->zone);
	c->zone = NULL;
	c->zone_registered = false;
}

static void policy_parse_chain_text(const struct policy_parse_ctx *c,
				    const char *last, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned i;
	int n;

	out[0] = '\0';
	for (i = 0; i <= c->depth; i++) {
		n = snprintf(out + o, outlen - o, "%s -> ", c->chain->names[i]);
		if (n < 0 || (size_t)n >= outlen - o)
			return;
		o += (size_t)n;
	}
	snprintf(out + o, outlen - o, "%s", last);
}

static void policy_parse_include(struct policy_parse_ctx *c,
				 const struct policy_tok *t, size_t n)
{
	char path[PATH_MAX], id[PATH_MAX], chain[200];
	struct policy_parse_ctx sub;
	const char *slash, *name, *idi;
	struct dynbuf text;
	unsigned i;
	size_t dlen;
	int rc;

	if (!policy_parse_arity(c, t, n, 2, "include \"FILE\""))
		return;
	if (!t[1].len || memchr(t[1].s, '\0', t[1].len)) {
		policy_parse_err(c, t[1].col, "", "empty include path");
		return;
	}
	/* Relative to the including file's directory. */
	slash = strrchr(c->src.file, '/');
	dlen = slash && t[1].s[0] != '/' ? (size_t)(slash - c->src.file) + 1
					 : 0;
	if (dlen + t[1].len >= sizeof(path)) {
		policy_parse_err(c, t[1].col, "", "include path too long");
		return;
	}
	memcpy(path, c->src.file, dlen);
	memcpy(path + dlen, t[1].s, t[1].len);
	path[dlen + t[1].len] = '\0';
	if (c->depth + 1 > POLICY_INCLUDE_DEPTH) {
		policy_parse_chain_text(c, path, chain, sizeof(chain));
		policy_parse_err(c, t[1].col, "flatten the include chain",
				 "includes nested deeper than %d: %s",
				 POLICY_INCLUDE_DEPTH, chain);
		return;
	}
	rc = c->p->loader.read(c->p->loader.ctx, path, &text, POLICY_FILE_MAX,
			       id, sizeof(id));
	if (rc) {
		policy_parse_err(c, t[1].col, "",
				 "cannot read included file '%s': %s", path,
				 rc == -E2BIG ? "larger than 1 MiB"
					      : strerror(-rc));
		return;
	}
	for (i = 0; i <= c->depth; i++) {
		if (!strcmp(c->chain->ids[i], id)) {
			policy_parse_chain_text(c, path, chain, sizeof(chain));
			policy_parse_err(c, t[1].col,
					 "remove one of the includes",
					 "include cycle: %s", chain);
			goto out_free;
		}
	}
	/* A file included twice (not in a cycle) is read once. */
	if (policy_file_seen(c->p, id))
		goto out_free;
	if (c->p->n_files >= POLICY_FILES_MAX) {
		policy_parse_err(c, t[1].col, "",
				 "too many policy files (limit %d)",
				 POLICY_FILES_MAX);
		goto out_free;
	}
	name = policy_intern(c->p, path);
	if (!name || !(idi = policy_file_add(c->p, id))) {
		policy_parse_err(c, t[1].col, "", "out of memory");
		goto out_free;
	}
	memset(&sub, 0, sizeof(sub));
	sub.p = c->p;
	sub.src.p = c->p;
	sub.src.file = name;
	sub.depth = c->depth + 1;
	sub.chain = c->chain;
	sub.chain->names[sub.depth] = name;
	sub.chain->ids[sub.depth] = idi;
	policy_parse_text(&sub, (const uint8_t *)text.data, text.len);
out_free:
	dynbuf_free(&text);
}

static void policy_parse_top(struct policy_parse_ctx *c,
			     const struct policy_tok *t, size_t n)
{
	if (policy_parse_is(&t[0], "zone")) {
		policy_parse_zone_open(c, t, n);
	} else if (policy_parse_is(&t[0], "include")) {
		policy_parse_include(c, t, n);
	} else if (policy_parse_is(&t[0], "}")) {
		policy_parse_err(c, t[0].col, "", "unmatched '}'");
	} else if (!policy_parse_zone_key(&t[0])) {
		policy_parse_err(
			c, t[0].col,
			"the top level holds 'include' and 'zone NAME {' lines",
			"unknown statement '%.*s'", TOKQ(&t[0]));
	} else {
		policy_parse_err(
			c, t[0].col,
			"settings and rules belong inside 'zone NAME { ... }'",
			"'%.*s' outside a zone", TOKQ(&t[0]));
	}
}

static void policy_parse_line(struct policy_parse_ctx *c, const uint8_t *line,
			      size_t len)
{
	char scratch[POLICY_LINE_MAX + POLICY_TOKS_MAX + 1];
	struct policy_tok t[POLICY_TOKS_MAX];
	size_t n;

	if (len > POLICY_LINE_MAX) {
		policy_parse_err(c, 1, "", "line longer than %d bytes",
				 POLICY_LINE_MAX);
		return;
	}
	if (policy_tokenize(&c->src, line, len, scratch, t, &n) || !n)
		return;
	if (!c->zone) {
		policy_parse_top(c, t, n);
		return;
	}
	if (policy_parse_is(&t[0], "}")) {
		if (n > 1)
			policy_parse_err(
				c, t[1].col, "'}' stands alone on its line",
				"unexpected '%.*s' after '}'", TOKQ(&t[1]));
		policy_parse_zone_close(c);
		return;
	}
	policy_parse_in_zone(c, t, n);
}

static int policy_parse_text(struct policy_parse_ctx *c, const uint8_t *text,
			     size_t len)
{
	size_t off = 0;

	c->src.line = 0;
	if (len > POLICY_FILE_MAX) {
		c->src.line = 1;
		policy_parse_err(c, 1, "", "policy larger than 1 MiB");
		return -EINVAL;
	}
	while (off < len) {
		const uint8_t *nl = memchr(text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (text + off)) : len - off;

		c->src.line++;
		policy_parse_line(c, text + off, l);
		off += l + 1;
	}
	if (c->zone) {
		policy_diag_add(c->p, c->zone->loc.file, c->zone->loc.line,
				c->zone->loc.col, "add a line with '}'",
				"zone '%s' is not closed", c->zone->name);
		policy_parse_zone_close(c);
	}
	return 0;
}

static int policy_parse_named(struct policy *p, const char *name,
			      const char *id, const uint8_t *text, size_t len,
			      bool builtin)
{
	struct policy_parse_chain chain;
	struct policy_parse_ctx c;
	size_t before = p->n_diags + p->dropped;

	memset(&c, 0, sizeof(c));
	c.p = p;
	c.src.p = p;
	c.src.file = policy_intern(p, name);
	c.chain = &chain;
	c.builtin = builtin;
	chain.names[0] = c.src.file;
	chain.ids[0] = policy_intern(p, id);
	/* Cycles back to the top file are caught by the chain, not here. */
	if (!c.src.file || !chain.ids[0])
		return -ENOMEM;
	p->finished = false;
	policy_parse_text(&c, text, len);
	return p->n_diags + p->dropped == before ? 0 : -EINVAL;
}

int policy_parse(struct policy *p, const char *name, const uint8_t *text,
		 size_t len)
{
	return policy_parse_named(p, name, name, text, len, false);
}

int policy_parse_builtins(struct policy *p)
{
	return policy_parse_named(p, "<builtin>", "<builtin>",
				  (const uint8_t *)policy_builtin_text,
				  strlen(policy_builtin_text), true);
}

int policy_parse_file(struct policy *p, const char *path)
{
	const char *name = policy_intern(p, path);
	char id[PATH_MAX];
	struct dynbuf text;
	int rc;

	if (!name)
		return -ENOMEM;
	rc = p->loader.read(p->loader.ctx, path, &text, POLICY_FILE_MAX, id,
			    sizeof(id));
	if (rc) {
		policy_diag_add(
			p, name, 1, 1, "", "cannot read policy file: %s",
			rc == -E2BIG ? "larger than 1 MiB" : strerror(-rc));
		return -EINVAL;
	}
	id[sizeof(id) - 1] = '\0';
	if (!policy_file_add(p, id)) {
		dynbuf_free(&text);
		return -ENOMEM;
	}
	rc = policy_parse_named(p, path, id, (const uint8_t *)text.data,
				text.len, false);
	dynbuf_free(&text);
	return rc;
}
