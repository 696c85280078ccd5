/* SPDX-License-Identifier: MIT */
/*
 * policy_unix.c - unix socket paths as rules and decisions compare them:
 * lexical normalisation (no "." or "..", no repeated or trailing '/') and
 * the expansion of $CWD, $TMPDIR, $XDG_RUNTIME_DIR and $HOME at run time;
 * abstract names as text (their escapes: they are byte strings that may
 * hold NULs). Not responsible for symlinks: the supervisor resolves them
 * before asking.
 */
#include <string.h>

#include "policy/policy_priv.h"

int policy_unix_path_normalize(const char *in, size_t len, char *out,
			       size_t outlen)
{
	size_t i = 0, o = 0;

	if (!len || in[0] != '/' || !outlen)
		return -EINVAL;
	while (i < len) {
		size_t start, clen;

		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		clen = i - start;
		if (!clen)
			break;
		if ((clen == 1 && in[start] == '.') ||
		    (clen == 2 && in[start] == '.' && in[start + 1] == '.'))
			return -EINVAL;
		if (memchr(in + start, '\0', clen))
			return -EINVAL;
		if (o + 1 + clen >= outlen)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, in + start, clen);
		o += clen;
	}
	if (!o) {
		if (outlen < 2)
			return -ENAMETOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}

int policy_unix_expand(const char *pattern, const struct policy_runtime *rt,
		       char *out, size_t outlen)
{
	static const char *const names[] = {
		"$CWD", "$TMPDIR", "$XDG_RUNTIME_DIR", "$HOME", "$WORKSPACE",
	};
	const char *val = NULL, *rest = pattern;
	char joined[4096];
	size_t i, n;
	int rc;

	if (pattern[0] != '$') {
		n = strlen(pattern);
		if (n >= outlen)
			return -ENAMETOOLONG;
		memcpy(out, pattern, n + 1);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		n = strlen(names[i]);
		if (!strncmp(pattern, names[i], n) &&
		    (pattern[n] == '\0' || pattern[n] == '/')) {
			rest = pattern + n;
			break;
		}
	}
	if (i == ARRAY_SIZE(names) || !rt)
		return -ENOENT;
	val = i == 0   ? rt->cwd
	      : i == 1 ? rt->tmpdir
	      : i == 2 ? rt->xdg_runtime_dir
	      : i == 3 ? rt->home
		       : rt->workspace;
	/* An unset or relative value makes the rule inactive. */
	if (!val || val[0] != '/')
		return -ENOENT;
	n = strlen(val);
	if (n + strlen(rest) >= sizeof(joined))
		return -ENAMETOOLONG;
	memcpy(joined, val, n);
	memcpy(joined + n, rest, strlen(rest) + 1);
	rc = policy_unix_path_normalize(joined, strlen(joined), out, outlen);
	return rc == -EINVAL ? -ENOENT : rc;
}

static int policy_unix_hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int policy_unix_abstract_parse(const uint8_t *p, size_t len, char *out,
			       size_t *out_len, size_t *bad, const char **why)
{
	size_t i = 0, o = 0;

	*out_len = 0;
	*bad = 0;
	if (!len) {
		*why = "empty abstract name";
		return -EINVAL;
	}
	while (i < len) {
		uint8_t c = p[i];
		int hi, lo;

		if (o == POLICY_ABSTRACT_MAX) {
			*bad = i;
			*why = "abstract name longer than 107 bytes";
			return -EINVAL;
		}
		if (c < 0x21 || c > 0x7e) {
			*bad = i;
			*why = "byte not allowed in an abstract name: write it "
			       "as \\xHH";
			return -EINVAL;
		}
		if (c != '\\') {
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 < len && p[i + 1] == '\\') {
			out[o++] = '\\';
			i += 2;
			continue;
		}
		if (i + 1 >= len || p[i + 1] != 'x') {
			*bad = i;
			*why = "unknown escape in an abstract name";
			return -EINVAL;
		}
		hi = i + 2 < len ? policy_unix_hex(p[i + 2]) : -1;
		lo = i + 3 < len ? policy_unix_hex(p[i + 3]) : -1;
		if (hi < 0 || lo < 0) {
			*bad = i;
			*why = "\\x takes two hex digits";
			return -EINVAL;
		}
		out[o++] = (char)(hi << 4 | lo);
		i += 4;
	}
	*out_len = o;
	return 0;
}

size_t policy_unix_abstract_fmt(const char *name, size_t len, char *out,
				size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (!outlen)
		return 0;
	for (i = 0; i < len; i++) {
		uint8_t c = (uint8_t)name[i];
		char e[4];
		size_t n = 1;

		e[0] = (char)c;
		if (c == '\\') {
			e[1] = '\\';
			n = 2;
		} else if (c < 0x21 || c > 0x7e || c == '"' || c == '{' ||
			   c == '}') {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			n = 4;
		}
		/* Room for this, and for "..." should more follow. */
		if (o + n + (i + 1 < len ? 3 : 0) >= outlen) {
			if (o + 3 < outlen) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, e, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}
