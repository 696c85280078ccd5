/* SPDX-License-Identifier: MIT */
/*
 * policy_unix.c - unix socket paths as rules and decisions compare them:
 * lexical normalisation (no "." or "..", no repeated or trailing '/') and
 * the expansion of $CWD, $TMPDIR, $XDG_RUNTIME_DIR and $HOME at run time.
 * Not responsible for symlinks: the supervisor resolves them before asking.
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
		"$CWD",
		"$TMPDIR",
		"$XDG_RUNTIME_DIR",
		"$HOME",
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
		       : rt->home;
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
