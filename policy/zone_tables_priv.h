/* SPDX-License-Identifier: MIT */
/*
 * zone_tables_priv.h - the layout of compiled decision tables, shared by
 * zone_tables.c (which builds and searches them) and zone_decide.c (which
 * orders the checks). Nothing outside policy/ includes this.
 */
#ifndef CORDON_ZONE_TABLES_PRIV_H
#define CORDON_ZONE_TABLES_PRIV_H

#include "policy/policy_priv.h"

struct zone_tables_cidr {
	uint8_t b[16]; /* network, host bits zero */
	uint8_t prefix;
	uint8_t proto;
	uint16_t lo;
	uint16_t hi;
	unsigned idx;
};

struct zone_tables_cidrs {
	struct zone_tables_cidr *e; /* sorted by prefix, network, idx */
	size_t n;
	uint8_t prefixes[129]; /* distinct prefix lengths present */
	size_t n_prefixes;
};

struct zone_tables_name {
	const char *name; /* borrowed from the rule */
	uint8_t proto;
	uint16_t lo;
	uint16_t hi;
	unsigned idx;
};

struct zone_tables_names {
	struct zone_tables_name *exact; /* sorted by name, idx */
	size_t n_exact;
	struct zone_tables_name *suffix; /* "*.x.org" stored as "x.org" */
	size_t n_suffix;
};

/* Index 0 is allow, 1 is deny; cidr's second index 0 is IPv4, 1 IPv6. */
struct zone_tables {
	const struct zone *zone;
	struct zone_tables_cidrs cidr[2][2];
	struct zone_tables_names egress[2];
	struct zone_tables_names resolve[2];
	unsigned *unix_rules[2];
	size_t n_unix[2];
};

void zone_tables_mask(uint8_t b[16], unsigned prefix);

/* Lowest matching rule index, or UINT_MAX. Never allocate. */
unsigned zone_tables_cidr_lookup(const struct zone_tables_cidrs *t,
				 const struct policy_addr *a, unsigned proto,
				 uint16_t port);
unsigned zone_tables_name_lookup(const struct zone_tables_names *t,
				 const char *name, unsigned proto,
				 uint16_t port);

#endif /* CORDON_ZONE_TABLES_PRIV_H */
