/* SPDX-License-Identifier: MIT */
/*
 * policy_argv.c - which command-line arguments carry secrets: what the
 * audit log writes in their place (the header's argv, sentry/report.c; the
 * exec records' argv, sentry/sys_exec.c). Not responsible for writing the
 * log, nor for the environment (policy_env.c).
 *
 * Theory of operation
 * -------------------
 * A CI step's command line can carry the tokens its environment would:
 * `curl -H 'Authorization: Bearer ...'`, `--password=...`,
 * `git clone https://user:token@host/...`, `env GITHUB_TOKEN=... make`.
 * The log keeps every argument, with the *values* that look like secrets
 * replaced by "<redacted>" and the names around them kept, so that a
 * reader still sees what ran:
 *  1. options: `--NAME=VALUE`, `-NAME=VALUE`, and `--NAME VALUE` (the next
 *     argument) where NAME is a secret's name (below); `-u`/`--user`/
 *     `--proxy-user USER:PASSWORD` (curl's) lose what follows the ':'.
 *  2. headers: an argument `Name: value` (curl -H, wget --header=, httpie)
 *     whose Name is a secret's (Authorization, Proxy-Authorization,
 *     Cookie, X-Api-Key, PRIVATE-TOKEN, ...) loses its value; a leading
 *     scheme word is kept ("Authorization: Bearer <redacted>").
 *  3. assignments: `NAME=VALUE` where NAME is a secret carrier of the
 *     environment (policy_env_secret(): `env GITHUB_TOKEN=... cmd`,
 *     `docker run -e AWS_SECRET_ACCESS_KEY=...`, `--env=NAME=VALUE`).
 *  4. URLs, anywhere in an argument: the password of `scheme://user:pass@`,
 *     a user part of 16 characters or more with no password (a token used
 *     as the user name, `https://ghp_...@github.com`; `ssh://git@` stays),
 *     and the values of query parameters with a secret's name
 *     (`?access_token=`, `&X-Amz-Signature=`).
 * A secret's name, compared without regard to case and with '-' and '.'
 * read as '_': PASSWORD, PASSWD, PASS, PASSPHRASE, TOKEN, SECRET, AUTH,
 * APIKEY, API_KEY, AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE, SIGNATURE,
 * CREDENTIAL, CREDENTIALS, and every name policy_env_secret() drops
 * (ACCESS_TOKEN, CLIENT_SECRET, X_API_KEY, AWS_...: the _TOKEN, _SECRET,
 * _PASSWORD, ... suffixes), or ending in _SIGNATURE or _CREDENTIAL.
 * The rules err on redaction: a boolean flag named like a secret
 * (`--ask-password`) takes the next argument with it, `--user 1000:1000`
 * loses its group. Arguments are the job's bytes (exec records): every
 * scan is bounded by the argument's length, and at most
 * POLICY_ARGV_SPANS values are replaced one by one, the rest of an
 * argument with more as one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "policy/policy_priv.h"

#define POLICY_ARGV_SPANS 32
#define POLICY_ARGV_NAME_MAX 64
#define POLICY_ARGV_USER_TOKEN 16 /* a user part this long is a token */

static const char *const policy_argv_exact[] = {
	"PASSWORD",  "PASSWD",	   "PASS",	    "PASSPHRASE",
	"TOKEN",     "SECRET",	   "AUTH",	    "APIKEY",
	"API_KEY",   "COOKIE",	   "AUTHORIZATION", "PROXY_AUTHORIZATION",
	"SIGNATURE", "CREDENTIAL", "CREDENTIALS",
};

static const char *const policy_argv_suffix[] = {
	"_SIGNATURE",
	"_CREDENTIAL",
};

/* curl's -u/--user/--proxy-user USER:PASSWORD. */
static const char *const policy_argv_userpass[] = {"U", "USER", "PROXY_USER"};

struct policy_argv_spans {
	size_t start[POLICY_ARGV_SPANS], end[POLICY_ARGV_SPANS];
	size_t n;
	size_t cut; /* spans past the table: redacted from here to the end */
};

static void policy_argv_span(struct policy_argv_spans *sp, size_t start,
			     size_t end)
{
	if (start >= end)
		return;
	if (sp->n == POLICY_ARGV_SPANS) {
		if (start < sp->cut)
			sp->cut = start;
		return;
	}
	sp->start[sp->n] = start;
	sp->end[sp->n] = end;
	sp->n++;
}

static bool policy_argv_name_char(uint8_t c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

static bool policy_argv_in(const char *const *list, size_t n, const char *name,
			   size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], name, len))
			return true;
	return false;
}

/*
 * @p (@len bytes) upper-cased into @out with '-' and '.' as '_'.
 * Return: its length, or 0 when empty, too long or not a name.
 */
static size_t policy_argv_norm(const uint8_t *p, size_t len, char *out)
{
	size_t i;

	if (!len || len >= POLICY_ARGV_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!policy_argv_name_char(p[i]))
			return 0;
		out[i] = p[i] == '-' || p[i] == '.' ? '_' : (char)toupper(p[i]);
	}
	out[len] = '\0';
	return len;
}

static bool policy_argv_secret_name(const uint8_t *p, size_t len)
{
	char n[POLICY_ARGV_NAME_MAX];
	size_t l = policy_argv_norm(p, len, n), i;

	if (!l)
		return false;
	if (policy_argv_in(policy_argv_exact, ARRAY_SIZE(policy_argv_exact), n,
			   l) ||
	    policy_env_secret(n, l))
		return true;
	for (i = 0; i < ARRAY_SIZE(policy_argv_suffix); i++) {
		size_t s = strlen(policy_argv_suffix[i]);

		if (l > s && !memcmp(n + l - s, policy_argv_suffix[i], s))
			return true;
	}
	return false;
}

static bool policy_argv_userpass_name(const uint8_t *p, size_t len)
{
	char n[POLICY_ARGV_NAME_MAX];
	size_t l = policy_argv_norm(p, len, n);

	return l && policy_argv_in(policy_argv_userpass,
				   ARRAY_SIZE(policy_argv_userpass), n, l);
}

/*
 * An option at @a: one or two '-', a name, then '=' or the end.
 * Return: false when @a is none; else the name in *@name, *@name_len and
 * the offset of the value (after '='), or SIZE_MAX when there is no '='.
 */
static bool policy_argv_option(const uint8_t *a, size_t len, size_t *name,
			       size_t *name_len, size_t *value)
{
	size_t i = 0, n;

	if (len < 2 || a[0] != '-')
		return false;
	i = a[1] == '-' ? 2 : 1;
	for (n = i; n < len && a[n] != '=' && policy_argv_name_char(a[n]); n++)
		;
	if (n == i || (n < len && a[n] != '='))
		return false;
	*name = i;
	*name_len = n - i;
	*value = n < len ? n + 1 : SIZE_MAX;
	return true;
}

/* USER:PASSWORD in [@from, @len): the password. */
static void policy_argv_userpass_value(const uint8_t *a, size_t from,
				       size_t len, struct policy_argv_spans *sp)
{
	const uint8_t *colon = memchr(a + from, ':', len - from);

	if (colon)
		policy_argv_span(sp, (size_t)(colon - a) + 1, len);
}

/* Rule 2: a header "Name: value" starting at @from. */
static void policy_argv_header(const uint8_t *a, size_t from, size_t len,
			       struct policy_argv_spans *sp)
{
	size_t n = from, v, w;

	while (n < len && (isalnum(a[n]) || a[n] == '-' || a[n] == '_'))
		n++;
	if (n == from || n >= len || a[n] != ':' ||
	    !policy_argv_secret_name(a + from, n - from))
		return;
	v = n + 1;
	while (v < len && (a[v] == ' ' || a[v] == '\t'))
		v++;
	/* A scheme word (Bearer, Basic, token) stays. */
	for (w = v; w < len && isalpha(a[w]); w++)
		;
	if (w > v && w + 1 < len && a[w] == ' ')
		v = w + 1;
	policy_argv_span(sp, v, len);
}

/* Rule 3: NAME=VALUE at @from, NAME an environment variable's name. */
static void policy_argv_assign(const uint8_t *a, size_t from, size_t len,
			       struct policy_argv_spans *sp)
{
	size_t n = from;

	if (from >= len || !(isalpha(a[from]) || a[from] == '_'))
		return;
	while (n < len && (isalnum(a[n]) || a[n] == '_'))
		n++;
	if (n >= len || a[n] != '=')
		return;
	if (policy_env_secret((const char *)a + from, n - from) ||
	    policy_argv_secret_name(a + from, n - from))
		policy_argv_span(sp, n + 1, len);
}

static bool policy_argv_url_end(uint8_t c)
{
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' ||
	       c == 0x7f;
}

/* The query of a URL from @q ('?') to the end of the URL: rule 4's values. */
static void policy_argv_query(const uint8_t *a, size_t q, size_t len,
			      struct policy_argv_spans *sp)
{
	size_t i = q + 1;

	while (i < len && a[i] != '#' && !policy_argv_url_end(a[i])) {
		size_t n = i, e;

		while (n < len && a[n] != '=' && a[n] != '&' && a[n] != '#' &&
		       !policy_argv_url_end(a[n]))
			n++;
		e = n;
		if (n < len && a[n] == '=') {
			for (e = n + 1; e < len && a[e] != '&' && a[e] != '#' &&
					!policy_argv_url_end(a[e]);
			     e++)
				;
			if (policy_argv_secret_name(a + i, n - i))
				policy_argv_span(sp, n + 1, e);
		}
		i = e < len && a[e] == '&' ? e + 1 : e;
		if (i < len && a[i] == '#')
			break;
	}
}

/* Rule 4: every "://" in @a. */
static void policy_argv_urls(const uint8_t *a, size_t len,
			     struct policy_argv_spans *sp)
{
	size_t i;

	for (i = 1; i + 3 <= len; i++) {
		size_t auth, end, at = SIZE_MAX, k;

		if (a[i] != ':' || a[i + 1] != '/' || a[i + 2] != '/' ||
		    !isalnum(a[i - 1]))
			continue;
		auth = i + 3;
		for (end = auth; end < len && a[end] != '/' && a[end] != '?' &&
				 a[end] != '#' && !policy_argv_url_end(a[end]);
		     end++)
			if (a[end] == '@')
				at = end;
		if (at != SIZE_MAX) {
			const uint8_t *colon = memchr(a + auth, ':', at - auth);

			if (colon)
				policy_argv_span(sp, (size_t)(colon - a) + 1,
						 at);
			else if (at - auth >= POLICY_ARGV_USER_TOKEN)
				policy_argv_span(sp, auth, at);
		}
		for (k = end; k < len && a[k] != '?' && a[k] != '#' &&
			      !policy_argv_url_end(a[k]);
		     k++)
			;
		if (k < len && a[k] == '?')
			policy_argv_query(a, k, len, sp);
		i = end > i ? end - 1 : i;
	}
}

/* Write @a with the spans replaced; overlapping spans are one. */
static int policy_argv_emit(const uint8_t *a, size_t len,
			    struct policy_argv_spans *sp, struct dynbuf *out)
{
	size_t i, j, pos = 0, limit = sp->cut < len ? sp->cut : len;
	int rc = 0, n = 0;

	/* Insertion sort by start: at most POLICY_ARGV_SPANS entries. */
	for (i = 1; i < sp->n; i++)
		for (j = i; j > 0 && sp->start[j - 1] > sp->start[j]; j--) {
			size_t s = sp->start[j], e = sp->end[j];

			sp->start[j] = sp->start[j - 1];
			sp->end[j] = sp->end[j - 1];
			sp->start[j - 1] = s;
			sp->end[j - 1] = e;
		}
	for (i = 0; i < sp->n && !rc; i++) {
		size_t s = sp->start[i], e = sp->end[i];

		if (s >= limit)
			break;
		if (e <= pos)
			continue;
		if (s < pos)
			s = pos;
		if (e > limit)
			e = limit;
		rc = dynbuf_add(out, a + pos, s - pos);
		if (!rc)
			rc = dynbuf_add(out, POLICY_ARGV_REDACTED,
					strlen(POLICY_ARGV_REDACTED));
		pos = e;
		n++;
	}
	if (!rc && pos < limit)
		rc = dynbuf_add(out, a + pos, limit - pos);
	if (!rc && limit < len) {
		rc = dynbuf_add(out, POLICY_ARGV_REDACTED,
				strlen(POLICY_ARGV_REDACTED));
		n++;
	}
	return rc ? rc : n;
}

int policy_argv_redact(const uint8_t *prev, size_t prev_len, const uint8_t *arg,
		       size_t len, struct dynbuf *out)
{
	struct policy_argv_spans sp = {.n = 0, .cut = SIZE_MAX};
	size_t name, name_len, value;

	/* Rule 1, the value in the next argument: `--password VALUE`. */
	if (prev &&
	    policy_argv_option(prev, prev_len, &name, &name_len, &value) &&
	    value == SIZE_MAX) {
		if (policy_argv_secret_name(prev + name, name_len))
			policy_argv_span(&sp, 0, len);
		else if (policy_argv_userpass_name(prev + name, name_len))
			policy_argv_userpass_value(arg, 0, len, &sp);
	}
	if (policy_argv_option(arg, len, &name, &name_len, &value)) {
		if (value < len &&
		    policy_argv_secret_name(arg + name, name_len))
			policy_argv_span(&sp, value, len);
		else if (value < len &&
			 policy_argv_userpass_name(arg + name, name_len))
			policy_argv_userpass_value(arg, value, len, &sp);
		else if (value < len) {
			policy_argv_header(arg, value, len, &sp);
			policy_argv_assign(arg, value, len, &sp);
		}
	} else if (len > 2 && arg[0] == '-' && arg[1] == 'H') {
		policy_argv_header(arg, 2, len, &sp); /* -H'Name: value' */
	} else {
		policy_argv_header(arg, 0, len, &sp);
		policy_argv_assign(arg, 0, len, &sp);
	}
	policy_argv_urls(arg, len, &sp);
	return policy_argv_emit(arg, len, &sp, out);
}
