/* SPDX-License-Identifier: MIT */
/*
 * policy_name.c - hostnames as decisions compare them: lowercase, one
 * trailing dot dropped, strict label syntax, punycode left as is; and the
 * "*.suffix" wildcard match. Not responsible for DNS wire format.
 */
#include <string.h>

#include "policy/policy_priv.h"

static int policy_name_fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

int policy_name_normalize(const uint8_t *p, size_t len, char *out,
			  const char **why)
{
	size_t i, label = 0;
	bool digits_only = true;

	if (len && p[len - 1] == '.')
		len--;
	if (!len)
		return policy_name_fail(why, "empty name");
	if (len > POLICY_NAME_MAX)
		return policy_name_fail(why, "longer than 253 bytes");
	for (i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c == '.') {
			if (!label)
				return policy_name_fail(why, "empty label");
			if (out[i - 1] == '-')
				return policy_name_fail(why,
							"label ends with '-'");
			label = 0;
			digits_only = true;
			out[i] = '.';
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return policy_name_fail(
				why, c == '*' ? "'*' inside a name"
				     : c >= 0x80
					     ? "non-ASCII byte (use punycode)"
					     : "invalid character");
		if (c == '-' && !label)
			return policy_name_fail(why, "label starts with '-'");
		if (!(c >= '0' && c <= '9'))
			digits_only = false;
		if (++label > 63)
			return policy_name_fail(why,
						"label longer than 63 bytes");
		out[i] = (char)c;
	}
	if (out[len - 1] == '-')
		return policy_name_fail(why, "label ends with '-'");
	if (digits_only)
		return policy_name_fail(why, "last label is all digits");
	out[len] = '\0';
	return 0;
}

bool policy_name_match(const char *pattern, const char *name)
{
	size_t plen, nlen;

	if (pattern[0] != '*')
		return !strcmp(pattern, name);
	/* "*.example.com": name must end in ".example.com" with more before. */
	pattern++;
	plen = strlen(pattern);
	nlen = strlen(name);
	return nlen > plen && !strcmp(name + nlen - plen, pattern);
}
