/* SPDX-License-Identifier: MIT */
/*
 * policy_limit.c - resource limit keys and values: sizes (binary K/M/G/T or
 * plain bytes), durations (ms/s/m/h/d, unit required), counts, the
 * concurrency slot NAME:N and the log overflow action. One parser serves
 * "limit KEY VALUE" in files and --limit KEY=VALUE on the command line.
 * Not responsible for enforcing anything (sentry's resource accounting).
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy_priv.h"

#define TOKQ(s, n) (int)((n) > 80 ? 80 : (n)), (s)

struct policy_limit_def {
	const char *name;
	enum policy_value_type type;
	uint64_t min;
	uint64_t max;
	const char *min_why;
};

#define MS_PER_DAY (24ull * 3600 * 1000)
#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)
#define TIB (1024ull * GIB)
#define PIB (1024ull * TIB)

static const struct policy_limit_def policy_limit_defs[POLICY_LIMIT_COUNT] = {
	[POLICY_LIMIT_CPU] = {"cpu", POLICY_VALUE_DURATION, 1, 31 * MS_PER_DAY,
			      NULL},
	[POLICY_LIMIT_WALL] = {"wall", POLICY_VALUE_DURATION, 1,
			       31 * MS_PER_DAY, NULL},
	[POLICY_LIMIT_MEM] = {"mem", POLICY_VALUE_SIZE, MIB, PIB,
			      "no process starts in less than 1M"},
	[POLICY_LIMIT_FSIZE] = {"fsize", POLICY_VALUE_SIZE, 1, PIB, NULL},
	[POLICY_LIMIT_DISK] = {"disk", POLICY_VALUE_SIZE, 1, PIB, NULL},
	[POLICY_LIMIT_LOG] = {"log", POLICY_VALUE_SIZE, 1, PIB, NULL},
	[POLICY_LIMIT_EGRESS] = {"egress", POLICY_VALUE_SIZE, 1, PIB, NULL},
	[POLICY_LIMIT_PIDS] = {"pids", POLICY_VALUE_COUNT, 1, 4194304, NULL},
	[POLICY_LIMIT_FDS] = {"fds", POLICY_VALUE_COUNT, 3, 1048576,
			      "the job needs stdin, stdout and stderr"},
};

static const char *const policy_limit_all_keys[] = {
	"cpu",	  "wall", "mem", "fsize", "disk",	  "log",
	"egress", "pids", "fds", "slot",  "log-overflow", "egress-overflow",
};

const char *policy_limit_key_name(enum policy_limit_key k)
{
	if ((unsigned)k >= POLICY_LIMIT_COUNT)
		return "?";
	return policy_limit_defs[k].name;
}

int policy_limit_key_parse(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policy_limit_all_keys); i++)
		if (strlen(policy_limit_all_keys[i]) == len &&
		    !memcmp(policy_limit_all_keys[i], s, len))
			return (int)i;
	return -EINVAL;
}

static int policy_limit_fail(const char **why, const char **hint, const char *w,
			     const char *h)
{
	*why = w;
	*hint = h;
	return -EINVAL;
}

int policy_value_parse(enum policy_value_type type, const uint8_t *p,
		       size_t len, uint64_t *out, const char **why,
		       const char **hint)
{
	uint64_t v = 0, mul = 1;
	size_t i = 0, ulen;
	const char *u;

	if (len && p[0] == '-')
		return policy_limit_fail(why, hint, "negative value",
					 "limits are positive numbers");
	while (i < len && p[i] >= '0' && p[i] <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return policy_limit_fail(why, hint, "number too large",
						 "");
		v = v * 10 + (uint64_t)(p[i++] - '0');
	}
	if (!i)
		return policy_limit_fail(why, hint, "not a number",
					 type == POLICY_VALUE_DURATION
						 ? "write e.g. 30s, 5m or 1h"
					 : type == POLICY_VALUE_SIZE
						 ? "write e.g. 512M or 2G"
						 : "write a whole number");
	if (i < len && (p[i] == '.' || p[i] == ','))
		return policy_limit_fail(
			why, hint, "fractions are not supported",
			type == POLICY_VALUE_DURATION
				? "use a smaller unit, e.g. 90s for 1.5m"
			: type == POLICY_VALUE_SIZE
				? "use a smaller unit, e.g. 1536M for 1.5G"
				: "counts are whole numbers");
	u = (const char *)p + i;
	ulen = len - i;
	switch (type) {
	case POLICY_VALUE_DURATION:
		if (!ulen)
			return policy_limit_fail(
				why, hint, "a duration needs a unit",
				"write e.g. 500ms, 30s, 5m, 1h or 2d");
		if (ulen == 2 && !memcmp(u, "ms", 2))
			mul = 1;
		else if (ulen == 1 && u[0] == 's')
			mul = 1000;
		else if (ulen == 1 && u[0] == 'm')
			mul = 60 * 1000;
		else if (ulen == 1 && u[0] == 'h')
			mul = 3600 * 1000;
		else if (ulen == 1 && u[0] == 'd')
			mul = MS_PER_DAY;
		else
			return policy_limit_fail(
				why, hint, "unknown duration unit",
				"units are ms, s, m, h and d; combinations like 1h30m are not supported");
		break;
	case POLICY_VALUE_SIZE:
		if (!ulen)
			break;
		switch (u[0]) {
		case 'k':
		case 'K':
			mul = KIB;
			break;
		case 'm':
		case 'M':
			mul = MIB;
			break;
		case 'g':
		case 'G':
			mul = GIB;
			break;
		case 't':
		case 'T':
			mul = TIB;
			break;
		default:
			return policy_limit_fail(
				why, hint, "unknown size unit",
				"units are K, M, G and T (binary)");
		}
		if (ulen == 1 || (ulen == 3 && !memcmp(u + 1, "iB", 2)))
			break;
		if (ulen == 2 && (u[1] == 'B' || u[1] == 'b'))
			return policy_limit_fail(
				why, hint, "decimal size units are ambiguous",
				"sizes are binary: write K, M, G or T (KiB, MiB, GiB, TiB)");
		return policy_limit_fail(why, hint, "unknown size unit",
					 "units are K, M, G and T (binary)");
	case POLICY_VALUE_COUNT:
		if (ulen)
			return policy_limit_fail(why, hint,
						 "a count takes no unit",
						 "write a whole number");
		break;
	}
	if (v > UINT64_MAX / mul) {
		policy_limit_fail(why, hint, "value too large", "");
		return -ERANGE;
	}
	*out = v * mul;
	return 0;
}

int policy_limit_value_parse(enum policy_limit_key key, const uint8_t *p,
			     size_t len, uint64_t *out, const char **why,
			     const char **hint)
{
	const struct policy_limit_def *d;
	uint64_t v;
	int rc;

	if ((unsigned)key >= POLICY_LIMIT_COUNT)
		return policy_limit_fail(why, hint, "unknown limit", "");
	d = &policy_limit_defs[key];
	rc = policy_value_parse(d->type, p, len, &v, why, hint);
	if (rc == -EINVAL)
		return rc;
	if (rc < 0 || v > d->max)
		return policy_limit_fail(
			why, hint, "value too large",
			d->type == POLICY_VALUE_DURATION
				? "the largest duration is 31d"
			: d->type == POLICY_VALUE_SIZE
				? "the largest size is 1024T"
			: key == POLICY_LIMIT_PIDS
				? "the largest pids is 4194304"
				: "the largest fds is 1048576");
	if (!v)
		return policy_limit_fail(
			why, hint, "zero is not a limit",
			"remove the limit instead of setting it to 0");
	if (v < d->min)
		return policy_limit_fail(why, hint, "impossible limit",
					 d->min_why ? d->min_why : "");
	*out = v;
	return 0;
}

int policy_limit_value_fmt(enum policy_limit_key key, uint64_t v,
			   struct dynbuf *out)
{
	static const struct {
		uint64_t mul;
		const char *unit;
	} durations[] =
		{
			{MS_PER_DAY, "d"}, {3600000, "h"}, {60000, "m"},
			{1000, "s"},	   {1, "ms"},
		},
	  sizes[] = {
		  {TIB, "T"}, {GIB, "G"}, {MIB, "M"}, {KIB, "K"}, {1, ""},
	  };
	size_t i;

	switch (policy_limit_defs[key].type) {
	case POLICY_VALUE_DURATION:
		for (i = 0; i < ARRAY_SIZE(durations); i++)
			if (v % durations[i].mul == 0)
				return dynbuf_addf(
					out, "%llu%s",
					(unsigned long long)(v /
							     durations[i].mul),
					durations[i].unit);
		break;
	case POLICY_VALUE_SIZE:
		for (i = 0; i < ARRAY_SIZE(sizes); i++)
			if (v % sizes[i].mul == 0)
				return dynbuf_addf(
					out, "%llu%s",
					(unsigned long long)(v / sizes[i].mul),
					sizes[i].unit);
		break;
	case POLICY_VALUE_COUNT:
		break;
	}
	return dynbuf_addf(out, "%llu", (unsigned long long)v);
}

static bool policy_limit_slot_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > POLICY_SLOT_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

static int policy_limit_slot(const struct policy_src *src,
			     struct policy_limits *l,
			     const struct policy_tok *val)
{
	static const char hint[] =
		"write slot NAME:N, NAME of a-z, 0-9, '-', '_' and N of 1-1024";
	const char *colon = memchr(val->s, ':', val->len);
	size_t nlen, i;
	uint32_t n = 0;

	if (!colon)
		return policy_src_err(src, val->col, hint,
				      "invalid slot '%.*s'",
				      TOKQ(val->s, val->len));
	nlen = (size_t)(colon - val->s);
	if (!policy_limit_slot_name_ok(val->s, nlen))
		return policy_src_err(src, val->col, hint,
				      "invalid slot name '%.*s'",
				      TOKQ(val->s, nlen));
	for (i = nlen + 1; i < val->len && i < nlen + 6; i++) {
		if (val->s[i] < '0' || val->s[i] > '9')
			break;
		n = n * 10 + (uint32_t)(val->s[i] - '0');
	}
	if (i == nlen + 1 || i != val->len || n < 1 || n > 1024)
		return policy_src_err(src, val->col + (unsigned)nlen + 1, hint,
				      "invalid slot count '%.*s'",
				      TOKQ(colon + 1, val->len - nlen - 1));
	memcpy(l->slot_name, val->s, nlen);
	l->slot_name[nlen] = '\0';
	l->slot_count = n;
	return 0;
}

static void policy_limit_loc(const struct policy_src *src,
			     const struct policy_tok *key,
			     struct policy_loc *loc)
{
	loc->file = src->file;
	loc->line = src->line;
	loc->col = key->col;
}

int policy_limit_set(const struct policy_src *src, struct policy_limits *l,
		     const struct policy_tok *key, const struct policy_tok *val,
		     bool *seen, size_t n_seen)
{
	const struct policy_loc *first;
	const char *why, *hint, *sugg;
	char h[128];
	int k;

	k = policy_limit_key_parse(key->s, key->len);
	if (k < 0) {
		sugg = policy_parse_suggest(key->s, key->len,
					    policy_limit_all_keys,
					    ARRAY_SIZE(policy_limit_all_keys));
		if (sugg)
			snprintf(h, sizeof(h), "did you mean '%s'?", sugg);
		else
			snprintf(
				h, sizeof(h),
				"limits are cpu, wall, mem, fsize, disk, log, egress, pids, fds, slot, log-overflow and egress-overflow");
		return policy_src_err(src, key->col, h, "unknown limit '%.*s'",
				      TOKQ(key->s, key->len));
	}
	if ((size_t)k < n_seen && seen[k]) {
		first = k == POLICY_LIMIT_KEY_SLOT ? &l->slot_loc
			: k == POLICY_LIMIT_KEY_LOG_OVERFLOW
				? &l->log_overflow_loc
			: k == POLICY_LIMIT_KEY_EGRESS_OVERFLOW
				? &l->egress_overflow_loc
				: &l->loc[k];
		return policy_src_err(
			src, key->col, "each limit may be set once per zone",
			"duplicate limit '%s' (first set at %s:%u:%u)",
			policy_limit_all_keys[k], first->file, first->line,
			first->col);
	}
	if (val->quoted)
		return policy_src_err(src, val->col, "",
				      "a limit value is not quoted");
	if (k == POLICY_LIMIT_KEY_SLOT) {
		if (policy_limit_slot(src, l, val))
			return -EINVAL;
		l->slot_set = true;
		policy_limit_loc(src, key, &l->slot_loc);
	} else if (k == POLICY_LIMIT_KEY_LOG_OVERFLOW) {
		if (val->len == 8 && !memcmp(val->s, "truncate", 8))
			l->log_overflow = POLICY_LOG_OVERFLOW_TRUNCATE;
		else if (val->len == 4 && !memcmp(val->s, "kill", 4))
			l->log_overflow = POLICY_LOG_OVERFLOW_KILL;
		else
			return policy_src_err(src, val->col,
					      "write truncate or kill",
					      "invalid log-overflow '%.*s'",
					      TOKQ(val->s, val->len));
		l->log_overflow_set = true;
		policy_limit_loc(src, key, &l->log_overflow_loc);
	} else if (k == POLICY_LIMIT_KEY_EGRESS_OVERFLOW) {
		if (val->len == 6 && !memcmp(val->s, "refuse", 6))
			l->egress_overflow = POLICY_EGRESS_OVERFLOW_REFUSE;
		else if (val->len == 4 && !memcmp(val->s, "kill", 4))
			l->egress_overflow = POLICY_EGRESS_OVERFLOW_KILL;
		else
			return policy_src_err(src, val->col,
					      "write refuse or kill",
					      "invalid egress-overflow '%.*s'",
					      TOKQ(val->s, val->len));
		l->egress_overflow_set = true;
		policy_limit_loc(src, key, &l->egress_overflow_loc);
	} else {
		if (policy_limit_value_parse((enum policy_limit_key)k,
					     (const uint8_t *)val->s, val->len,
					     &l->value[k], &why, &hint))
			return policy_src_err(src, val->col, hint,
					      "invalid %s '%.*s': %s",
					      policy_limit_all_keys[k],
					      TOKQ(val->s, val->len), why);
		l->set[k] = true;
		policy_limit_loc(src, key, &l->loc[k]);
	}
	if ((size_t)k < n_seen)
		seen[k] = true;
	return 0;
}
