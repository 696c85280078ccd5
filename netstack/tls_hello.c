/* SPDX-License-Identifier: MIT */
/*
 * tls_hello.c - the TLS ClientHello parser of netstack/stream_sniff.h: the
 * server name (and ALPN, for reports) a job's TLS stream asks for, read from
 * its first records before the relay lets any byte leave. It does not
 * decide and keeps nothing between calls.
 *
 * Theory of operation: one forward cursor (struct tls_hello_rd) walks the
 * stream. It reads the payload of the current record; at its end it reads
 * the next record's 5-byte header, checks it and continues, so a handshake
 * message fragmented across records is read in order without being copied
 * and no length inside it can reach past the bytes that carry it. Every
 * nested length is checked against the end of what contains it, in
 * handshake-message offsets (@hpos), before anything inside is read. When
 * the bytes run out the cursor stops with NEED_MORE and the offset it would
 * need (the end of the current read, or of the record header it is in);
 * the caller appends and calls again, which re-walks from the start. The
 * first defect stops the walk with BAD, whatever comes after it.
 */
#include <string.h>

#include "netstack/stream_sniff.h"
#include "policy/policy.h"

#define TLS_HELLO_CT_HANDSHAKE 22
#define TLS_HELLO_HS_CLIENT_HELLO 1
#define TLS_HELLO_RECORD_MAX 16384
#define TLS_HELLO_EXT_SNI 0
#define TLS_HELLO_EXT_ALPN 16
#define TLS_HELLO_EXT_VERSIONS 43
/* client_version, random, session_id, cipher_suites, compression: the
 * smallest body (41 bytes). */
#define TLS_HELLO_BODY_MIN (2 + 32 + 1 + 2 + 2 + 1 + 1)

/* The cursor: which record it is in and how far into the message. */
struct tls_hello_rd {
	const uint8_t *buf;
	size_t len;
	size_t pos;	/* stream offset of the next payload byte */
	size_t rec_end; /* stream offset where the current record ends */
	size_t hpos;	/* handshake-message bytes consumed */
	size_t msg_end; /* message length (header included), 0 if unknown */
	uint16_t version;
	unsigned records;
	int status; /* NEED_MORE or BAD once stopped, else OK */
	size_t need;
	const char *why;
};

static bool tls_hello_bad(struct tls_hello_rd *rd, const char *why)
{
	rd->status = TLS_HELLO_BAD;
	rd->why = why;
	return false;
}

static bool tls_hello_more(struct tls_hello_rd *rd, size_t need)
{
	rd->status = TLS_HELLO_NEED_MORE;
	rd->need = need;
	return false;
}

static bool tls_hello_version_ok(uint16_t v)
{
	return v >= 0x0301 && v <= 0x0303;
}

/*
 * Open the record starting at rd->pos. Each byte of its header is checked
 * as soon as it is there, so a stream that cannot be TLS is refused on its
 * first byte.
 */
static bool tls_hello_record(struct tls_hello_rd *rd)
{
	const uint8_t *h = rd->buf + rd->pos;
	size_t have = rd->len - rd->pos, rlen;
	uint16_t v;

	if (have >= 1 && h[0] != TLS_HELLO_CT_HANDSHAKE) {
		if (!rd->records && (h[0] & 0x80))
			return tls_hello_bad(rd, "SSLv2-compatible hello");
		return tls_hello_bad(rd, rd->records ? "record type is not "
						       "handshake inside the "
						       "ClientHello"
						     : "not a TLS handshake");
	}
	if (have >= 2 && h[1] != 3)
		return tls_hello_bad(rd, "record version");
	if (have < 5) {
		if (have >= 3 && (h[2] < 1 || h[2] > 3))
			return tls_hello_bad(rd, "record version");
		return tls_hello_more(rd, rd->pos + 5);
	}
	v = (uint16_t)(h[1] << 8 | h[2]);
	if (!tls_hello_version_ok(v))
		return tls_hello_bad(rd, "record version");
	if (rd->records && v != rd->version)
		return tls_hello_bad(rd, "record version differs between "
					 "records");
	rlen = (size_t)h[3] << 8 | h[4];
	if (!rlen)
		return tls_hello_bad(rd, "empty handshake record");
	if (rlen > TLS_HELLO_RECORD_MAX)
		return tls_hello_bad(rd, "record longer than 16384");
	if (rd->pos + 5 + rlen > TLS_HELLO_BUF_MAX)
		return tls_hello_bad(rd, "ClientHello records over the cap");
	/* Nothing but the ClientHello may share its records. */
	if (rd->msg_end && rlen > rd->msg_end - rd->hpos)
		return tls_hello_bad(rd, "record runs past the ClientHello");
	rd->version = v;
	rd->records++;
	rd->pos += 5;
	rd->rec_end = rd->pos + rlen;
	return true;
}

/* Take @n message bytes (into @dst unless NULL), across records. */
static bool tls_hello_take(struct tls_hello_rd *rd, uint8_t *dst, size_t n)
{
	while (n) {
		size_t chunk;

		if (rd->pos == rd->rec_end && !tls_hello_record(rd))
			return false;
		chunk = rd->rec_end - rd->pos;
		if (chunk > n)
			chunk = n;
		if (rd->len - rd->pos < chunk)
			return tls_hello_more(rd, rd->pos + chunk);
		if (dst) {
			memcpy(dst, rd->buf + rd->pos, chunk);
			dst += chunk;
		}
		rd->pos += chunk;
		rd->hpos += chunk;
		n -= chunk;
	}
	return true;
}

static bool tls_hello_u8(struct tls_hello_rd *rd, size_t *v)
{
	uint8_t b;

	if (!tls_hello_take(rd, &b, 1))
		return false;
	*v = b;
	return true;
}

static bool tls_hello_u16(struct tls_hello_rd *rd, size_t *v)
{
	uint8_t b[2];

	if (!tls_hello_take(rd, b, 2))
		return false;
	*v = (size_t)b[0] << 8 | b[1];
	return true;
}

/*
 * Read a @width-byte length prefix and check that the vector it announces
 * ends inside @limit (a message offset); *@end is where it ends.
 */
static bool tls_hello_vec(struct tls_hello_rd *rd, int width, size_t limit,
			  size_t *end, const char *why)
{
	size_t n;

	if (rd->hpos + (size_t)width > limit)
		return tls_hello_bad(rd, why);
	if (!(width == 1 ? tls_hello_u8(rd, &n) : tls_hello_u16(rd, &n)))
		return false;
	if (n > limit - rd->hpos)
		return tls_hello_bad(rd, why);
	*end = rd->hpos + n;
	return true;
}

/* server_name (RFC 6066 3): exactly one host_name, nothing else. */
static bool tls_hello_sni(struct tls_hello_rd *rd, size_t ext_end,
			  struct tls_hello *out)
{
	uint8_t name[POLICY_NAME_MAX + 1];
	size_t list_end, type, nlen;

	if (!tls_hello_vec(rd, 2, ext_end, &list_end, "server_name length"))
		return false;
	if (list_end != ext_end)
		return tls_hello_bad(rd, "server_name list does not fill its "
					 "extension");
	if (list_end == rd->hpos)
		return tls_hello_bad(rd, "empty server_name list");
	while (rd->hpos < list_end) {
		if (!tls_hello_u8(rd, &type))
			return false;
		if (type != 0)
			return tls_hello_bad(rd, "server_name type other than "
						 "host_name");
		if (out->sni[0])
			return tls_hello_bad(rd, "two host_name entries");
		if (rd->hpos + 2 > list_end)
			return tls_hello_bad(rd, "server_name entry length");
		if (!tls_hello_u16(rd, &nlen))
			return false;
		if (nlen > list_end - rd->hpos)
			return tls_hello_bad(rd, "server_name entry length");
		/* A trailing dot makes 254; more cannot normalise. */
		if (nlen > sizeof(name))
			return tls_hello_bad(rd, "host_name longer than 253");
		if (!tls_hello_take(rd, name, nlen))
			return false;
		if (policy_name_normalize(name, nlen, out->sni, NULL)) {
			out->sni[0] = '\0';
			return tls_hello_bad(rd, "host_name is not a valid "
						 "DNS name");
		}
	}
	return true;
}

static void tls_hello_alpn_put(struct tls_hello *out, const uint8_t *p,
			       size_t n)
{
	size_t at = strlen(out->alpn), i;

	if (at && at < TLS_HELLO_ALPN_MAX)
		out->alpn[at++] = ',';
	for (i = 0; i < n; i++) {
		if (at >= TLS_HELLO_ALPN_MAX) {
			out->alpn_cut = true;
			break;
		}
		out->alpn[at++] = p[i] > 0x20 && p[i] < 0x7f && p[i] != ','
					  ? (char)p[i]
					  : '?';
	}
	out->alpn[at] = '\0';
}

/* application_layer_protocol_negotiation (RFC 7301 3.1). */
static bool tls_hello_alpn(struct tls_hello_rd *rd, size_t ext_end,
			   struct tls_hello *out)
{
	uint8_t name[255];
	size_t list_end, name_end, nlen;

	if (!tls_hello_vec(rd, 2, ext_end, &list_end, "ALPN length"))
		return false;
	if (list_end != ext_end || list_end == rd->hpos)
		return tls_hello_bad(rd, "ALPN list");
	while (rd->hpos < list_end) {
		if (!tls_hello_vec(rd, 1, list_end, &name_end,
				   "ALPN name length"))
			return false;
		nlen = name_end - rd->hpos;
		if (!nlen)
			return tls_hello_bad(rd, "empty ALPN name");
		if (!tls_hello_take(rd, name, nlen))
			return false;
		if (!out->alpn_cut)
			tls_hello_alpn_put(out, name, nlen);
	}
	return true;
}

/* supported_versions (RFC 8446 4.2.1), client form. */
static bool tls_hello_versions(struct tls_hello_rd *rd, size_t ext_end,
			       struct tls_hello *out)
{
	size_t list_end, v;

	if (!tls_hello_vec(rd, 1, ext_end, &list_end,
			   "supported_versions length"))
		return false;
	if (list_end != ext_end || list_end == rd->hpos ||
	    (list_end - rd->hpos) & 1)
		return tls_hello_bad(rd, "supported_versions list");
	while (rd->hpos < list_end) {
		if (!tls_hello_u16(rd, &v))
			return false;
		if (v == 0x0304)
			out->tls13 = true;
	}
	return true;
}

static bool tls_hello_is_ech(size_t type)
{
	return type == TLS_EXT_ECH || type == TLS_EXT_ECH_OUTER ||
	       type == TLS_EXT_ESNI || (type >= 0xfe07 && type <= 0xfe0c);
}

/* The extensions block, to @body_end exactly. */
static bool tls_hello_exts(struct tls_hello_rd *rd, size_t body_end,
			   struct tls_hello *out, bool *ech)
{
	uint16_t seen[TLS_HELLO_EXT_MAX];
	size_t n_seen = 0, exts_end, type, ext_end, i;
	bool ok;

	if (!tls_hello_vec(rd, 2, body_end, &exts_end, "extensions length"))
		return false;
	if (exts_end != body_end)
		return tls_hello_bad(rd, "extensions do not fill the "
					 "ClientHello");
	while (rd->hpos < exts_end) {
		if (rd->hpos + 4 > exts_end)
			return tls_hello_bad(rd, "extension header");
		if (!tls_hello_u16(rd, &type))
			return false;
		for (i = 0; i < n_seen; i++)
			if (seen[i] == type)
				return tls_hello_bad(rd, "extension repeated");
		if (n_seen == TLS_HELLO_EXT_MAX)
			return tls_hello_bad(rd, "too many extensions");
		seen[n_seen++] = (uint16_t)type;
		if (!tls_hello_vec(rd, 2, exts_end, &ext_end,
				   "extension length"))
			return false;
		switch (type) {
		case TLS_HELLO_EXT_SNI:
			ok = tls_hello_sni(rd, ext_end, out);
			break;
		case TLS_HELLO_EXT_ALPN:
			ok = tls_hello_alpn(rd, ext_end, out);
			break;
		case TLS_HELLO_EXT_VERSIONS:
			ok = tls_hello_versions(rd, ext_end, out);
			break;
		default:
			if (tls_hello_is_ech(type))
				*ech = true;
			ok = tls_hello_take(rd, NULL, ext_end - rd->hpos);
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/* The ClientHello from its handshake header to its last byte. */
static bool tls_hello_walk(struct tls_hello_rd *rd, struct tls_hello *out,
			   bool *ech)
{
	uint8_t hdr[4];
	size_t body_end, v, vec_end;

	/* Refuse a stream that cannot be TLS on its first byte. */
	if (!tls_hello_take(rd, hdr, 1))
		return false;
	if (hdr[0] != TLS_HELLO_HS_CLIENT_HELLO)
		return tls_hello_bad(rd, "handshake message is not a "
					 "ClientHello");
	if (!tls_hello_take(rd, hdr + 1, 3))
		return false;
	out->record_version = rd->version;
	v = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (v > TLS_HELLO_MSG_MAX - 4)
		return tls_hello_bad(rd, "ClientHello over the cap");
	if (v < TLS_HELLO_BODY_MIN)
		return tls_hello_bad(rd, "ClientHello too short");
	rd->msg_end = 4 + v;
	body_end = rd->msg_end;
	if (rd->rec_end - rd->pos > body_end - rd->hpos)
		return tls_hello_bad(rd, "record runs past the ClientHello");
	if (!tls_hello_u16(rd, &v))
		return false;
	out->client_version = (uint16_t)v;
	if (!tls_hello_version_ok((uint16_t)v))
		return tls_hello_bad(rd, "client_version");
	if (!tls_hello_take(rd, NULL, 32))
		return false;
	if (!tls_hello_vec(rd, 1, body_end, &vec_end, "session_id length"))
		return false;
	if (vec_end - rd->hpos > 32)
		return tls_hello_bad(rd, "session_id longer than 32");
	if (!tls_hello_take(rd, NULL, vec_end - rd->hpos))
		return false;
	if (!tls_hello_vec(rd, 2, body_end, &vec_end, "cipher_suites length"))
		return false;
	if (vec_end == rd->hpos || (vec_end - rd->hpos) & 1)
		return tls_hello_bad(rd, "cipher_suites length");
	if (!tls_hello_take(rd, NULL, vec_end - rd->hpos))
		return false;
	if (!tls_hello_vec(rd, 1, body_end, &vec_end,
			   "compression_methods length"))
		return false;
	if (vec_end == rd->hpos)
		return tls_hello_bad(rd, "no compression_methods");
	if (!tls_hello_take(rd, NULL, vec_end - rd->hpos))
		return false;
	if (rd->hpos < body_end && !tls_hello_exts(rd, body_end, out, ech))
		return false;
	/* Every length checked against body_end: only a bug reaches this. */
	if (rd->hpos != body_end || rd->pos != rd->rec_end)
		return tls_hello_bad(rd, "internal: ClientHello end");
	return true;
}

int tls_hello_parse(const uint8_t *buf, size_t len, struct tls_hello *out)
{
	struct tls_hello_rd rd = {
		.buf = buf,
		.len = len,
	};
	bool ech = false;

	memset(out, 0, sizeof(*out));
	if (!tls_hello_walk(&rd, out, &ech)) {
		out->records = rd.records;
		if (rd.status == TLS_HELLO_NEED_MORE) {
			out->need = rd.need;
			out->sni[0] = '\0';
			return TLS_HELLO_NEED_MORE;
		}
		out->why = rd.why;
		out->sni[0] = '\0';
		return TLS_HELLO_BAD;
	}
	out->records = rd.records;
	out->end = rd.pos;
	if (ech)
		return TLS_HELLO_ECH;
	return out->sni[0] ? TLS_HELLO_OK : TLS_HELLO_NO_SNI;
}
