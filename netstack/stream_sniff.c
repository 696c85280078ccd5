/* SPDX-License-Identifier: MIT */
/*
 * stream_sniff.c - which stream parser to try on a relayed stream's first
 * byte. The parsers themselves are tls_hello.c and http_head.c; the
 * contract of all three is netstack/stream_sniff.h.
 */
#include "netstack/stream_sniff.h"

enum stream_sniff_kind stream_sniff_guess(const uint8_t *buf, size_t len)
{
	uint8_t c;

	if (!len)
		return STREAM_SNIFF_NEED_MORE;
	c = buf[0];
	/* 22 = handshake; a set high bit is an SSLv2-style record header. */
	if (c == 22 || (c & 0x80))
		return STREAM_SNIFF_TLS;
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return STREAM_SNIFF_HTTP;
	return STREAM_SNIFF_OTHER;
}
