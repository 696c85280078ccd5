/* SPDX-License-Identifier: MIT */
/*
 * jsonw.c - writes one JSON object per call sequence into a capped buffer,
 * for JSON Lines output. Strings from job memory are hostile: every byte that
 * is not printable ASCII is escaped, invalid UTF-8 included, so a record is
 * always one valid line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"

static void jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	int rc;

	if (w->error)
		return;
	rc = dynbuf_add(&w->buf, s, n);
	if (rc)
		w->error = rc;
}

static void jsonw_comma(struct jsonw *w)
{
	if (w->need_comma[w->depth])
		jsonw_raw(w, ",", 1);
	w->need_comma[w->depth] = true;
}

static void jsonw_quoted(struct jsonw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6];
	size_t i, run = 0;

	jsonw_raw(w, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			run++;
			continue;
		}
		jsonw_raw(w, s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jsonw_raw(w, esc, 2);
		} else if (c == '\n') {
			jsonw_raw(w, "\\n", 2);
		} else {
			/*
			 * Control bytes and every byte >= 0x7f become \u00XX:
			 * lossless for the bytes, always valid JSON.
			 */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			jsonw_raw(w, esc, 6);
		}
	}
	jsonw_raw(w, s + n - run, run);
	jsonw_raw(w, "\"", 1);
}

static void jsonw_key(struct jsonw *w, const char *key)
{
	jsonw_comma(w);
	jsonw_quoted(w, key, strlen(key));
	jsonw_raw(w, ":", 1);
}

void jsonw_begin(struct jsonw *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	dynbuf_init(&w->buf, max);
	jsonw_raw(w, "{", 1);
}

void jsonw_key_strn(struct jsonw *w, const char *key, const char *val,
		    size_t len)
{
	jsonw_key(w, key);
	if (!val)
		jsonw_raw(w, "null", 4);
	else
		jsonw_quoted(w, val, len);
}

void jsonw_key_str(struct jsonw *w, const char *key, const char *val)
{
	jsonw_key_strn(w, key, val, val ? strlen(val) : 0);
}

void jsonw_key_i64(struct jsonw *w, const char *key, int64_t val)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", (long long)val);

	jsonw_key(w, key);
	jsonw_raw(w, num, (size_t)n);
}

void jsonw_key_u64(struct jsonw *w, const char *key, uint64_t val)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)val);

	jsonw_key(w, key);
	jsonw_raw(w, num, (size_t)n);
}

void jsonw_key_hex64(struct jsonw *w, const char *key, uint64_t val)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "0x%llx", (unsigned long long)val);

	jsonw_key(w, key);
	jsonw_quoted(w, num, (size_t)n);
}

void jsonw_key_bool(struct jsonw *w, const char *key, bool val)
{
	jsonw_key(w, key);
	jsonw_raw(w, val ? "true" : "false", val ? 4 : 5);
}

void jsonw_key_double(struct jsonw *w, const char *key, double val)
{
	char num[64];
	int n;

	jsonw_key(w, key);
	if (!isfinite(val)) {
		jsonw_raw(w, "null", 4);
		return;
	}
	n = snprintf(num, sizeof(num), "%.6f", val);
	jsonw_raw(w, num, (size_t)n);
}

static void jsonw_open(struct jsonw *w, const char *key, const char *brace)
{
	jsonw_key(w, key);
	if (w->depth >= JSONW_MAX_DEPTH) {
		w->error = -E2BIG;
		return;
	}
	jsonw_raw(w, brace, 1);
	w->depth++;
	w->closer[w->depth] = brace[0] == '{' ? '}' : ']';
	w->need_comma[w->depth] = false;
}

void jsonw_key_obj(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, "{");
}

void jsonw_key_arr(struct jsonw *w, const char *key)
{
	jsonw_open(w, key, "[");
}

void jsonw_str(struct jsonw *w, const char *val)
{
	jsonw_comma(w);
	jsonw_quoted(w, val, strlen(val));
}

void jsonw_u64(struct jsonw *w, uint64_t val)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)val);

	jsonw_comma(w);
	jsonw_raw(w, num, (size_t)n);
}

void jsonw_close(struct jsonw *w)
{
	if (w->depth <= 0) {
		w->error = -EINVAL;
		return;
	}
	jsonw_raw(w, &w->closer[w->depth], 1);
	w->depth--;
}

int jsonw_end(struct jsonw *w)
{
	if (!w->error && w->depth != 0)
		w->error = -EINVAL;
	jsonw_raw(w, "}\n", 2);
	return w->error;
}

void jsonw_free(struct jsonw *w)
{
	dynbuf_free(&w->buf);
}
