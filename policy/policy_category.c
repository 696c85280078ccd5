/* SPDX-License-Identifier: MIT */
/*
 * policy_category.c - names of the always-denied categories, as written after
 * "lift". Not responsible for what each category holds (policy_always.c).
 */
#include <string.h>

#include "policy/policy_priv.h"

static const char *const policy_category_names[] = {
	[POLICY_CATEGORY_NONE] = "",
	[POLICY_CATEGORY_METADATA] = "metadata",
	[POLICY_CATEGORY_LINK_LOCAL] = "link-local",
	[POLICY_CATEGORY_LOOPBACK] = "loopback",
	[POLICY_CATEGORY_HOST] = "host",
	[POLICY_CATEGORY_PRIVATE] = "private",
	[POLICY_CATEGORY_MULTICAST] = "multicast",
	[POLICY_CATEGORY_SYSTEM_SOCKETS] = "system-sockets",
};

const char *policy_category_name(enum policy_category c)
{
	if ((unsigned)c >= ARRAY_SIZE(policy_category_names))
		return "";
	return policy_category_names[c];
}

int policy_category_parse(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i < ARRAY_SIZE(policy_category_names); i++)
		if (strlen(policy_category_names[i]) == len &&
		    !memcmp(policy_category_names[i], s, len))
			return (int)i;
	return -EINVAL;
}
