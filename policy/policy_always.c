/* SPDX-License-Identifier: MIT */
/*
 * policy_always.c - the always-denied set: address ranges, metadata names and
 * system unix sockets that every zone denies unless it lifts the category by
 * name. The host's own addresses are a runtime input (struct policy_runtime),
 * not listed here. Not responsible for the order of checks (zone_decide.c).
 */
#include <string.h>

#include "policy/policy_priv.h"

/* clang-format off */
#define V4(a, b, c, d) { 4, { a, b, c, d } }
/* clang-format on */

/*
 * IPv6 forms of these IPv4 ranges (every spelling policy_addr_readings()
 * knows: v4-mapped, NAT64, 6to4, IPv4-compatible, Teredo, ISATAP) need no
 * entries: addresses are normalised to the IPv4 they carry before this
 * table is read.
 */
/* clang-format off */
const struct policy_always_range policy_always_ranges[] = {
	{ POLICY_CATEGORY_METADATA, V4(169, 254, 169, 254), 32 },
	{ POLICY_CATEGORY_METADATA, V4(169, 254, 170, 2), 32 },
	{ POLICY_CATEGORY_METADATA, V4(100, 100, 100, 200), 32 },
	{ POLICY_CATEGORY_METADATA, V4(168, 63, 129, 16), 32 },
	{ POLICY_CATEGORY_METADATA,
	  { 6, { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		 0x54 } },
	  128 },
	{ POLICY_CATEGORY_LOOPBACK, V4(127, 0, 0, 0), 8 },
	{ POLICY_CATEGORY_LOOPBACK, V4(0, 0, 0, 0), 8 },
	{ POLICY_CATEGORY_LOOPBACK,
	  { 6, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } }, 128 },
	{ POLICY_CATEGORY_LOOPBACK, { 6, { 0 } }, 128 },
	{ POLICY_CATEGORY_LINK_LOCAL, V4(169, 254, 0, 0), 16 },
	{ POLICY_CATEGORY_LINK_LOCAL, { 6, { 0xfe, 0x80 } }, 10 },
	{ POLICY_CATEGORY_PRIVATE, V4(10, 0, 0, 0), 8 },
	{ POLICY_CATEGORY_PRIVATE, V4(172, 16, 0, 0), 12 },
	{ POLICY_CATEGORY_PRIVATE, V4(192, 168, 0, 0), 16 },
	{ POLICY_CATEGORY_PRIVATE, V4(100, 64, 0, 0), 10 },
	{ POLICY_CATEGORY_PRIVATE, { 6, { 0xfc } }, 7 },
	{ POLICY_CATEGORY_MULTICAST, V4(224, 0, 0, 0), 4 },
	{ POLICY_CATEGORY_MULTICAST, V4(240, 0, 0, 0), 4 },
	{ POLICY_CATEGORY_MULTICAST, { 6, { 0xff } }, 8 },
};
/* clang-format on */
const size_t policy_always_n_ranges = ARRAY_SIZE(policy_always_ranges);

/* Names, and every name below them. */
const char *const policy_always_names[] = {
	"metadata.google.internal",
	"metadata.goog",
};
const size_t policy_always_n_names = ARRAY_SIZE(policy_always_names);

/* Unix socket path prefixes that reach the host's daemons. */
const char *const policy_always_sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock",
	"/run/containerd",	"/var/run/containerd",
	"/var/run/nscd/socket", "/run/nscd",
	"/run/systemd/resolve", "/run/dbus/system_bus_socket",
	"/var/run/dbus",	"$XDG_RUNTIME_DIR/bus",
};
const size_t policy_always_n_sockets = ARRAY_SIZE(policy_always_sockets);

unsigned policy_always_addr_mask(const struct policy_addr *judged)
{
	unsigned mask = 0;
	size_t i;

	for (i = 0; i < policy_always_n_ranges; i++) {
		const struct policy_always_range *r = &policy_always_ranges[i];

		if (policy_addr_match(&r->net, r->prefix, judged))
			mask |= 1u << r->category;
	}
	return mask;
}

bool policy_always_name_match(const char *name)
{
	size_t i, nlen = strlen(name);

	for (i = 0; i < policy_always_n_names; i++) {
		const char *m = policy_always_names[i];
		size_t mlen = strlen(m);

		if (!strcmp(name, m))
			return true;
		if (nlen > mlen && name[nlen - mlen - 1] == '.' &&
		    !strcmp(name + nlen - mlen, m))
			return true;
	}
	return false;
}

bool policy_always_applies(enum policy_category c, bool trusted)
{
	return c != POLICY_CATEGORY_PRIVATE || !trusted;
}
