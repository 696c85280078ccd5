/* SPDX-License-Identifier: MIT */
/*
 * policy_addr.c - IP addresses as decisions see them: strict parsing of
 * hostile text, prefix matching, and the normalisation that judges every
 * IPv6 spelling of an IPv4 address (v4-mapped, NAT64 well-known and local-
 * use, 6to4, IPv4-compatible, Teredo, ISATAP) as the IPv4 it carries.
 * Not responsible for sockaddr handling (netstack copies plain values in).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy_priv.h"

static int policy_addr_parse4(const uint8_t *p, size_t len, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;

		if (part > 0) {
			if (i >= len || p[i] != '.')
				return -EINVAL;
			start = ++i;
		}
		while (i < len && p[i] >= '0' && p[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(p[i++] - '0');
		if (i == start || v > 255)
			return -EINVAL;
		/* "010" is octal to inet_aton and decimal to others: refuse. */
		if (p[start] == '0' && i - start > 1)
			return -EINVAL;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -EINVAL;
}

int policy_addr_parse(const uint8_t *p, size_t len, struct policy_addr *out)
{
	char buf[64];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (!memchr(p, ':', len)) {
		out->family = 4;
		return policy_addr_parse4(p, len, out->b);
	}
	for (i = 0; i < len; i++) {
		uint8_t c = p[i];

		/* Only hex digits, ':' and '.': no "%zone", no NUL. */
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
			return -EINVAL;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, out->b) != 1)
		return -EINVAL;
	out->family = 6;
	return 0;
}

/*
 * Theory of operation: an IPv6 destination that carries an IPv4 address is
 * one a translator (NAT64), relay (6to4, Teredo) or tunnel (ISATAP,
 * IPv4-compatible) delivers to that IPv4 host. A broad IPv6 allow rule must
 * not reach 169.254.169.254 or 10.0.0.1 that way, so every such spelling is
 * judged as the IPv4 address it carries (@judged); where one spelling can
 * reach more than one IPv4 host, the others are @also, and the decision
 * takes the stricter answer. Hostile bytes: every branch reads a fixed
 * offset of a 16-byte array.
 */
static const uint8_t policy_addr_v4mapped[12] = {0, 0, 0, 0, 0,	   0,
						 0, 0, 0, 0, 0xff, 0xff};
static const uint8_t policy_addr_nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0,
					      0, 0,    0,    0,	   0, 0};
static const uint8_t policy_addr_nat64_local[6] = {0,	 0x64, 0xff,
						   0x9b, 0,    0x01};
static const uint8_t policy_addr_teredo[4] = {0x20, 0x01, 0, 0};

static struct policy_addr policy_addr_v4(uint8_t a, uint8_t b, uint8_t c,
					 uint8_t d)
{
	struct policy_addr r = {.family = 4, .b = {a, b, c, d}};

	return r;
}

static void policy_addr_also(struct policy_addr_readings *out,
			     struct policy_addr a, bool strict)
{
	/* 0.0.0.0/8 is never a forwarded destination (martian). */
	if (!strict && a.b[0] == 0)
		return;
	if (out->n_also == POLICY_ADDR_ALSO_MAX)
		return;
	out->strict[out->n_also] = strict;
	out->also[out->n_also++] = a;
}

/* An ISATAP interface id: [00-00-5E-FE] with the u/g bits free, IPv4. */
static bool policy_addr_isatap(const uint8_t *b)
{
	return (b[8] & 0xfc) == 0 && b[9] == 0 && b[10] == 0x5e &&
	       b[11] == 0xfe;
}

void policy_addr_readings(const struct policy_addr *in,
			  struct policy_addr_readings *out)
{
	const uint8_t *b = in->b;
	bool zero12 = true;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->judged = *in;
	if (in->family != 6)
		return;
	for (i = 0; i < 12; i++)
		zero12 = zero12 && !b[i];
	if (!memcmp(b, policy_addr_v4mapped, 12)) {
		out->embed = POLICY_ADDR_EMBED_V4MAPPED;
		out->judged = policy_addr_v4(b[12], b[13], b[14], b[15]);
	} else if (!memcmp(b, policy_addr_nat64, 12)) {
		out->embed = POLICY_ADDR_EMBED_NAT64;
		out->judged = policy_addr_v4(b[12], b[13], b[14], b[15]);
	} else if (!memcmp(b, policy_addr_nat64_local, 6)) {
		/*
		 * RFC 8215: operators pick a prefix of 48..96 bits inside
		 * 64:ff9b:1::/48, and RFC 6052 puts the IPv4 address around
		 * the u-octet (bits 64-71) by prefix length. Judged: the /96
		 * position; the /48, /56 and /64 ones may deny too.
		 */
		out->embed = POLICY_ADDR_EMBED_NAT64_LOCAL;
		out->judged = policy_addr_v4(b[12], b[13], b[14], b[15]);
		policy_addr_also(out, policy_addr_v4(b[6], b[7], b[9], b[10]),
				 false);
		policy_addr_also(out, policy_addr_v4(b[7], b[9], b[10], b[11]),
				 false);
		policy_addr_also(out, policy_addr_v4(b[9], b[10], b[11], b[12]),
				 false);
	} else if (b[0] == 0x20 && b[1] == 0x02) {
		out->embed = POLICY_ADDR_EMBED_6TO4;
		out->judged = policy_addr_v4(b[2], b[3], b[4], b[5]);
	} else if (!memcmp(b, policy_addr_teredo, 4)) {
		/* RFC 4380: server at bits 32-63, client obfuscated. */
		out->embed = POLICY_ADDR_EMBED_TEREDO;
		out->judged = policy_addr_v4((uint8_t)~b[12], (uint8_t)~b[13],
					     (uint8_t)~b[14], (uint8_t)~b[15]);
		policy_addr_also(out, policy_addr_v4(b[4], b[5], b[6], b[7]),
				 true);
	} else if (zero12 && (b[12] || b[13] || b[14] || b[15] > 1)) {
		out->embed = POLICY_ADDR_EMBED_V4COMPAT;
		out->judged = policy_addr_v4(b[12], b[13], b[14], b[15]);
	} else if (policy_addr_isatap(b)) {
		out->embed = POLICY_ADDR_EMBED_ISATAP;
		out->judged = policy_addr_v4(b[12], b[13], b[14], b[15]);
		return;
	}
	/* An ISATAP link behind a 6to4 or Teredo prefix reaches it too. */
	if ((out->embed == POLICY_ADDR_EMBED_6TO4 ||
	     out->embed == POLICY_ADDR_EMBED_TEREDO) &&
	    policy_addr_isatap(b))
		policy_addr_also(
			out, policy_addr_v4(b[12], b[13], b[14], b[15]), true);
}

enum policy_addr_embed policy_addr_normalize(const struct policy_addr *in,
					     struct policy_addr *out)
{
	struct policy_addr_readings r;

	policy_addr_readings(in, &r);
	*out = r.judged;
	return r.embed;
}

const char *policy_addr_embed_name(enum policy_addr_embed e)
{
	switch (e) {
	case POLICY_ADDR_EMBED_V4MAPPED:
		return "v4-mapped";
	case POLICY_ADDR_EMBED_NAT64:
		return "nat64";
	case POLICY_ADDR_EMBED_6TO4:
		return "6to4";
	case POLICY_ADDR_EMBED_NAT64_LOCAL:
		return "nat64-local";
	case POLICY_ADDR_EMBED_V4COMPAT:
		return "v4-compatible";
	case POLICY_ADDR_EMBED_TEREDO:
		return "teredo";
	case POLICY_ADDR_EMBED_ISATAP:
		return "isatap";
	case POLICY_ADDR_EMBED_NONE:
		break;
	}
	return NULL;
}

int policy_addr_fmt(const struct policy_addr *a, char *out, size_t outlen)
{
	if (outlen < INET6_ADDRSTRLEN)
		return -ENOSPC;
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, out,
		       (socklen_t)outlen)) {
		snprintf(out, outlen, "?");
		return -EINVAL;
	}
	return 0;
}

bool policy_addr_match(const struct policy_addr *net, unsigned prefix,
		       const struct policy_addr *a)
{
	unsigned bits = net->family == 4 ? 32 : 128;
	unsigned full, rem;

	if (net->family != a->family || prefix > bits)
		return false;
	full = prefix / 8;
	rem = prefix % 8;
	if (memcmp(net->b, a->b, full))
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		if ((net->b[full] ^ a->b[full]) & mask)
			return false;
	}
	return true;
}
