/* SPDX-License-Identifier: MIT */
/*
 * policy_addr.c - IP addresses as decisions see them: strict parsing of
 * hostile text, prefix matching, and the normalisation that judges
 * IPv4-mapped, NAT64 and 6to4 addresses as the IPv4 address they carry.
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

static const uint8_t policy_addr_v4mapped[12] = {0, 0, 0, 0, 0,	   0,
						 0, 0, 0, 0, 0xff, 0xff};
static const uint8_t policy_addr_nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0,
					      0, 0,    0,    0,	   0, 0};

enum policy_addr_embed policy_addr_normalize(const struct policy_addr *in,
					     struct policy_addr *out)
{
	struct policy_addr a = *in;
	enum policy_addr_embed e = POLICY_ADDR_EMBED_NONE;
	uint8_t v4[4];

	if (a.family == 6) {
		if (!memcmp(a.b, policy_addr_v4mapped, 12)) {
			e = POLICY_ADDR_EMBED_V4MAPPED;
			memcpy(v4, a.b + 12, 4);
		} else if (!memcmp(a.b, policy_addr_nat64, 12)) {
			e = POLICY_ADDR_EMBED_NAT64;
			memcpy(v4, a.b + 12, 4);
		} else if (a.b[0] == 0x20 && a.b[1] == 0x02) {
			e = POLICY_ADDR_EMBED_6TO4;
			memcpy(v4, a.b + 2, 4);
		}
		if (e != POLICY_ADDR_EMBED_NONE) {
			memset(&a, 0, sizeof(a));
			a.family = 4;
			memcpy(a.b, v4, 4);
		}
	}
	*out = a;
	return e;
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
