/* SPDX-License-Identifier: MIT */
/*
 * dns_msg.c - DNS wire format: parse queries and responses (hostile bytes),
 * build error replies and filtered responses. Pure functions over caller
 * buffers: no I/O, no allocation, no decisions (see dns_msg.h).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "netstack/dns_msg.h"

#define DNS_MSG_OPT_LEN 11  /* root owner, type, class, ttl, rdlen 0 */
#define DNS_MSG_RR_FIXED 10 /* type, class, ttl, rdlen */
#define DNS_MSG_QUESTION_MAX (DNS_NAME_MAX + 4)
#define DNS_MSG_LABELS_MAX 128 /* 255 bytes hold at most 127 labels */

/*
 * Rdata layouts: how the rdata of the types that hold domain names is laid
 * out, one character per field: 'n' a domain name, '2' and '4' fixed-size
 * integers, 's' a <character-string>. @compress: RFC 3597 section 4 lets
 * names in these types be compressed (only the RFC 1035 types); the others
 * are written uncompressed. A and AAAA are here for the length check.
 */
struct dns_msg_layout {
	uint16_t type;
	bool compress;
	const char *fields;
};

static const struct dns_msg_layout dns_msg_layouts[] = {
	{DNS_TYPE_A, false, "4"},	 /* RFC 1035 */
	{DNS_TYPE_NS, true, "n"},	 /* RFC 1035 */
	{3, true, "n"},			 /* MD */
	{4, true, "n"},			 /* MF */
	{DNS_TYPE_CNAME, true, "n"},	 /* RFC 1035 */
	{DNS_TYPE_SOA, true, "nn44444"}, /* RFC 1035 */
	{7, true, "n"},			 /* MB */
	{8, true, "n"},			 /* MG */
	{9, true, "n"},			 /* MR */
	{DNS_TYPE_PTR, true, "n"},	 /* RFC 1035 */
	{14, true, "nn"},		 /* MINFO */
	{DNS_TYPE_MX, true, "2n"},	 /* RFC 1035 */
	{17, false, "nn"},		 /* RP, RFC 1183 */
	{18, false, "2n"},		 /* AFSDB, RFC 1183 */
	{21, false, "2n"},		 /* RT, RFC 1183 */
	{26, false, "2nn"},		 /* PX, RFC 2163 */
	{DNS_TYPE_AAAA, false, "4444"},	 /* RFC 3596 */
	{DNS_TYPE_SRV, false, "222n"},	 /* RFC 2782 */
	{35, false, "22sssn"},		 /* NAPTR, RFC 3403 */
	{36, false, "2n"},		 /* KX, RFC 2230 */
	{DNS_TYPE_DNAME, false, "n"},	 /* RFC 6672 */
};

static const struct dns_msg_layout *dns_msg_layout_find(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(dns_msg_layouts) / sizeof(dns_msg_layouts[0]);
	     i++)
		if (dns_msg_layouts[i].type == type)
			return &dns_msg_layouts[i];
	return NULL;
}

static uint16_t dns_msg_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t dns_msg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void dns_msg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void dns_msg_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * dns_msg_name_read() - decompress the name at *@off of the @len-byte
 * message @p into @wire (labels and the root label, *@wlen bytes, at most
 * DNS_NAME_MAX). The bytes in place must end by @end (the end of the rdata
 * or of the message); *@off moves past them. A pointer must target the body
 * (not the header) strictly before the start of the segment it sits in:
 * segment starts strictly decrease, so there are no loops, and the
 * DNS_NAME_MAX cap bounds the work further.
 */
static int dns_msg_name_read(const uint8_t *p, size_t len, size_t *off,
			     size_t end, uint8_t *wire, size_t *wlen)
{
	size_t pos = *off, seg = *off, limit = end, n = 0;
	bool jumped = false;

	if (end > len)
		return -EINVAL;
	for (;;) {
		uint8_t c;

		if (pos >= limit)
			return -EINVAL;
		c = p[pos];
		if (c == 0) {
			if (n + 1 > DNS_NAME_MAX)
				return -EINVAL;
			wire[n++] = 0;
			if (!jumped)
				*off = pos + 1;
			*wlen = n;
			return 0;
		}
		if ((c & 0xc0) == 0xc0) {
			size_t t;

			if (pos + 2 > limit)
				return -EINVAL;
			t = (size_t)(c & 0x3f) << 8 | p[pos + 1];
			if (t < DNS_HEADER_LEN || t >= seg)
				return -EINVAL;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			/* Earlier bytes of the message, wherever they are. */
			limit = len;
			pos = seg = t;
			continue;
		}
		/* 0x40 and 0x80: extended and binary labels (RFC 6891). */
		if (c & 0xc0)
			return -EINVAL;
		if (pos + 1 + c > limit || n + 1 + c + 1 > DNS_NAME_MAX)
			return -EINVAL;
		memcpy(wire + n, p + pos, 1 + (size_t)c);
		n += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
}

/*
 * dns_msg_name_text() - the presentation form of a decompressed wire name,
 * lower-cased; -EINVAL for a byte that would make it ambiguous as text.
 */
static int dns_msg_name_text(const uint8_t *wire, size_t wlen, char *out)
{
	size_t i = 0, o = 0;

	while (i < wlen && wire[i]) {
		size_t k, l = wire[i++];

		if (o)
			out[o++] = '.';
		for (k = 0; k < l; k++) {
			uint8_t c = wire[i + k];

			if (c < 0x21 || c > 0x7e || c == '.' || c == '\\')
				return -EINVAL;
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			out[o++] = (char)c;
		}
		i += l;
	}
	out[o] = '\0';
	return 0;
}

static int dns_msg_question_read(const uint8_t *p, size_t len, size_t *off,
				 struct dns_question *q)
{
	uint8_t wire[DNS_NAME_MAX];
	size_t wlen, start = *off;
	int rc;

	rc = dns_msg_name_read(p, len, off, len, wire, &wlen);
	if (rc)
		return rc;
	rc = dns_msg_name_text(wire, wlen, q->name);
	if (rc)
		return rc;
	if (*off + 4 > len)
		return -EINVAL;
	q->qtype = dns_msg_get16(p + *off);
	q->qclass = dns_msg_get16(p + *off + 2);
	*off += 4;
	q->wire_off = start;
	q->wire_len = *off - start;
	return 0;
}

/* One resource record's fixed part, read by dns_msg_rr_read(). */
struct dns_msg_rr {
	size_t name_off;
	uint8_t wire[DNS_NAME_MAX];
	size_t wlen;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;
};

static int dns_msg_rr_read(const uint8_t *p, size_t len, size_t *off,
			   struct dns_msg_rr *rr)
{
	int rc;

	rr->name_off = *off;
	rc = dns_msg_name_read(p, len, off, len, rr->wire, &rr->wlen);
	if (rc)
		return rc;
	if (*off + DNS_MSG_RR_FIXED > len)
		return -EINVAL;
	rr->type = dns_msg_get16(p + *off);
	rr->rclass = dns_msg_get16(p + *off + 2);
	rr->ttl = dns_msg_get32(p + *off + 4);
	rr->rdlen = dns_msg_get16(p + *off + 8);
	*off += DNS_MSG_RR_FIXED;
	if (rr->rdlen > len - *off)
		return -EINVAL;
	rr->rdata_off = *off;
	*off += rr->rdlen;
	return 0;
}

/* The OPT pseudo-record: root owner, options exactly filling the rdata. */
static int dns_msg_opt_check(const uint8_t *p, const struct dns_msg_rr *rr)
{
	size_t o = rr->rdata_off, end = rr->rdata_off + rr->rdlen;

	if (rr->wlen != 1)
		return -EINVAL;
	while (o < end) {
		if (end - o < 4 || dns_msg_get16(p + o + 2) > end - o - 4)
			return -EINVAL;
		o += 4 + dns_msg_get16(p + o + 2);
	}
	return 0;
}

/*
 * dns_msg_rdata_check() - the rdata of @rr must be exactly the fields of
 * @lay; the first name is decompressed into @first (if non-NULL).
 */
static int dns_msg_rdata_check(const uint8_t *p, size_t len,
			       const struct dns_msg_rr *rr,
			       const struct dns_msg_layout *lay, uint8_t *first,
			       size_t *first_len)
{
	size_t o = rr->rdata_off, end = rr->rdata_off + rr->rdlen;
	uint8_t wire[DNS_NAME_MAX];
	const char *f;
	bool had_name = false;
	size_t wlen;
	int rc;

	for (f = lay->fields; *f; f++) {
		switch (*f) {
		case 'n':
			rc = dns_msg_name_read(p, len, &o, end, wire, &wlen);
			if (rc)
				return rc;
			if (!had_name && first) {
				memcpy(first, wire, wlen);
				*first_len = wlen;
			}
			had_name = true;
			break;
		case '2':
		case '4':
			if (end - o < (size_t)(*f - '0'))
				return -EINVAL;
			o += (size_t)(*f - '0');
			break;
		case 's':
			if (o >= end || p[o] > end - o - 1)
				return -EINVAL;
			o += 1 + (size_t)p[o];
			break;
		}
	}
	return o == end ? 0 : -EINVAL;
}

/* What the section walk found, for either kind of message. */
struct dns_msg_walk {
	uint16_t id;
	uint16_t flags;
	struct dns_question q;
	size_t counts[3]; /* answer, authority, additional (without OPT) */
	bool has_opt;
	uint16_t udp_size;
	uint32_t opt_ttl;
};

/*
 * dns_msg_answer_keep() - validate an answer of a response by type and
 * record it in @r (while there is room).
 */
static int dns_msg_answer_keep(const uint8_t *p, size_t len,
			       const struct dns_msg_rr *rr,
			       struct dns_response *r)
{
	const struct dns_msg_layout *lay = dns_msg_layout_find(rr->type);
	uint8_t target[DNS_NAME_MAX];
	size_t tlen = 0;
	struct dns_rr *a;
	char name[DNS_NAME_MAX + 1];
	int rc;

	if (rr->type == DNS_TYPE_OPT)
		return -EINVAL;
	rc = dns_msg_name_text(rr->wire, rr->wlen, name);
	if (rc)
		return rc;
	if (lay) {
		rc = dns_msg_rdata_check(p, len, rr, lay, target, &tlen);
		if (rc)
			return rc;
	}
	if (r->n_answers >= DNS_MAX_RR) {
		/* Validated like the rest, so the walk stays strict. */
		if (rr->type == DNS_TYPE_CNAME || rr->type == DNS_TYPE_DNAME) {
			char t[DNS_NAME_MAX + 1];

			return dns_msg_name_text(target, tlen, t);
		}
		return 0;
	}
	a = &r->answers[r->n_answers];
	memset(a, 0, sizeof(*a));
	memcpy(a->name, name, sizeof(name));
	a->name_off = rr->name_off;
	a->type = rr->type;
	a->rclass = rr->rclass;
	a->ttl = rr->ttl;
	a->rdlen = rr->rdlen;
	a->rdata_off = rr->rdata_off;
	if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA)
		memcpy(a->addr, p + rr->rdata_off, rr->rdlen);
	if (rr->type == DNS_TYPE_CNAME || rr->type == DNS_TYPE_DNAME) {
		rc = dns_msg_name_text(target, tlen, a->target);
		if (rc)
			return rc;
	}
	r->n_answers++;
	return 0;
}

/*
 * dns_msg_walk() - the checks common to queries and responses: header,
 * one question, every record of every section, nothing after. @r, for a
 * response, receives the answers.
 */
static int dns_msg_walk(const uint8_t *p, size_t len, bool response,
			struct dns_msg_walk *w, struct dns_response *r)
{
	size_t off = DNS_HEADER_LEN, sec, i;
	int rc;

	memset(w, 0, sizeof(*w));
	if (len < DNS_HEADER_LEN || len > DNS_MSG_MAX)
		return -EMSGSIZE;
	w->id = dns_msg_get16(p);
	w->flags = dns_msg_get16(p + 2);
	if (!!(w->flags & DNS_FLAG_QR) != response)
		return -EPROTO;
	if (DNS_FLAGS_OPCODE(w->flags) != 0 || dns_msg_get16(p + 4) != 1)
		return -ENOTSUP;
	rc = dns_msg_question_read(p, len, &off, &w->q);
	if (rc)
		return rc;
	for (sec = 0; sec < 3; sec++) {
		size_t n = dns_msg_get16(p + 6 + 2 * sec);

		for (i = 0; i < n; i++) {
			struct dns_msg_rr rr;

			/* Each record takes >= 11 bytes: the loop is bounded
			 * by @len whatever the counts say. */
			rc = dns_msg_rr_read(p, len, &off, &rr);
			if (rc)
				return rc;
			if (rr.type == DNS_TYPE_OPT) {
				if (sec != 2 || w->has_opt)
					return -EINVAL;
				rc = dns_msg_opt_check(p, &rr);
				if (rc)
					return rc;
				w->has_opt = true;
				w->udp_size = rr.rclass;
				w->opt_ttl = rr.ttl;
				continue;
			}
			if (sec == 0 && r) {
				rc = dns_msg_answer_keep(p, len, &rr, r);
				if (rc)
					return rc;
			}
			w->counts[sec]++;
		}
	}
	return off == len ? 0 : -EINVAL;
}

int dns_msg_query_parse(const uint8_t *p, size_t len, struct dns_query *out)
{
	struct dns_msg_walk w;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dns_msg_walk(p, len, false, &w, NULL);
	if (rc)
		return rc;
	out->id = w.id;
	out->flags = w.flags;
	out->q = w.q;
	out->has_opt = w.has_opt;
	out->udp_size = w.udp_size;
	out->edns_do = !!(w.opt_ttl & 0x8000);
	out->has_other_sections = w.counts[0] || w.counts[1] || w.counts[2];
	return 0;
}

int dns_msg_response_parse(const uint8_t *p, size_t len,
			   struct dns_response *out)
{
	struct dns_msg_walk w;
	int rc;

	out->n_answers = 0;
	rc = dns_msg_walk(p, len, true, &w, out);
	if (rc)
		return rc;
	out->id = w.id;
	out->flags = w.flags;
	out->rcode = DNS_FLAGS_RCODE(w.flags) | (int)(w.opt_ttl >> 24) << 4;
	out->truncated = !!(w.flags & DNS_FLAG_TC);
	out->q = w.q;
	out->an_count = w.counts[0];
	out->n_authority = w.counts[1];
	out->n_additional = w.counts[2];
	out->has_opt = w.has_opt;
	out->udp_size = w.udp_size;
	return 0;
}

size_t dns_msg_response_chain(const struct dns_response *r, bool *on_chain)
{
	const char *name = r->q.name;
	size_t i, step, n = 0;

	for (i = 0; i < r->n_answers; i++)
		on_chain[i] = false;
	for (step = 0; step < DNS_MAX_RR; step++) {
		const char *next = NULL;

		for (i = 0; i < r->n_answers; i++) {
			const struct dns_rr *a = &r->answers[i];

			if (on_chain[i] || strcmp(a->name, name))
				continue;
			on_chain[i] = true;
			n++;
			if (a->type == DNS_TYPE_CNAME && !next)
				next = a->target;
		}
		if (!next)
			break;
		name = next;
	}
	return n;
}

size_t dns_msg_reply_max(const struct dns_query *q, bool tcp)
{
	if (tcp)
		return DNS_MSG_MAX;
	if (!q->has_opt || q->udp_size < DNS_UDP_MIN)
		return DNS_UDP_MIN;
	return q->udp_size;
}

static void dns_msg_opt_put(uint8_t *p, uint16_t udp_size, uint32_t ttl)
{
	p[0] = 0;
	dns_msg_put16(p + 1, DNS_TYPE_OPT);
	dns_msg_put16(p + 3, udp_size);
	dns_msg_put32(p + 5, ttl);
	dns_msg_put16(p + 9, 0);
}

static void dns_msg_header_put(uint8_t *p, uint16_t id, uint16_t flags,
			       uint16_t an, uint16_t ar)
{
	dns_msg_put16(p, id);
	dns_msg_put16(p + 2, flags);
	dns_msg_put16(p + 4, 1);
	dns_msg_put16(p + 6, an);
	dns_msg_put16(p + 8, 0);
	dns_msg_put16(p + 10, ar);
}

ssize_t dns_msg_reply_error(const uint8_t *query, size_t qlen,
			    const struct dns_query *q, int rcode, uint8_t *out,
			    size_t cap)
{
	size_t n = DNS_HEADER_LEN + q->q.wire_len;
	uint16_t flags;

	if (rcode < 0 || rcode > 15 || q->q.wire_off > qlen ||
	    q->q.wire_len > qlen - q->q.wire_off || q->q.wire_len < 5 ||
	    q->q.wire_len > DNS_MSG_QUESTION_MAX)
		return -EINVAL;
	if (q->has_opt)
		n += DNS_MSG_OPT_LEN;
	if (n > cap)
		return -ENOSPC;
	flags = DNS_FLAG_QR | DNS_FLAG_RA | (uint16_t)rcode;
	flags |= q->flags & (DNS_FLAG_RD | DNS_FLAG_CD);
	dns_msg_header_put(out, q->id, flags, 0, q->has_opt ? 1 : 0);
	memcpy(out + DNS_HEADER_LEN, query + q->q.wire_off, q->q.wire_len);
	if (q->has_opt)
		dns_msg_opt_put(out + DNS_HEADER_LEN + q->q.wire_len,
				DNS_EDNS_UDP_SIZE, q->edns_do ? 0x8000 : 0);
	return (ssize_t)n;
}

ssize_t dns_msg_query_clean(const uint8_t *query, size_t qlen,
			    const struct dns_query *q, uint8_t *out, size_t cap)
{
	size_t n = DNS_HEADER_LEN + q->q.wire_len + DNS_MSG_OPT_LEN;

	if (q->q.wire_off > qlen || q->q.wire_len > qlen - q->q.wire_off ||
	    q->q.wire_len < 5 || q->q.wire_len > DNS_MSG_QUESTION_MAX)
		return -EINVAL;
	if (n > cap)
		return -ENOSPC;
	/* Only RD and CD survive; QR, opcode, AA, TC, Z, AD are cleared. */
	dns_msg_header_put(out, q->id, q->flags & (DNS_FLAG_RD | DNS_FLAG_CD),
			   0, 1);
	memcpy(out + DNS_HEADER_LEN, query + q->q.wire_off, q->q.wire_len);
	dns_msg_opt_put(out + DNS_HEADER_LEN + q->q.wire_len, DNS_EDNS_UDP_SIZE,
			q->edns_do ? 0x8000 : 0);
	return (ssize_t)n;
}

/*
 * The rebuilder's output: writes fail (and stay failed) past @lim, the
 * smaller of the caller's buffer and the size limit.
 */
struct dns_msg_out {
	uint8_t *p;
	size_t pos;
	size_t lim;
	bool full;
	/* The question's labels, for compressing against it. */
	size_t q_off[DNS_MSG_LABELS_MAX];
	size_t q_labels;
};

static void dns_msg_out_put(struct dns_msg_out *o, const uint8_t *b, size_t n)
{
	if (o->full || n > o->lim - o->pos) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->pos, b, n);
	o->pos += n;
}

static void dns_msg_out_put16(struct dns_msg_out *o, uint16_t v)
{
	uint8_t b[2];

	dns_msg_put16(b, v);
	dns_msg_out_put(o, b, 2);
}

/* Labels equal as DNS compares them (ASCII case-insensitive). */
static bool dns_msg_label_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t i;

	if (a[0] != b[0])
		return false;
	for (i = 1; i <= a[0]; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/*
 * dns_msg_out_name() - write the decompressed name @wire; with @compress,
 * its longest suffix that equals a suffix of the question becomes a
 * pointer to the question (written pointer-free at offset 12).
 */
static void dns_msg_out_name(struct dns_msg_out *o, const uint8_t *wire,
			     size_t wlen, bool compress)
{
	size_t off[DNS_MSG_LABELS_MAX], m = 0, i, k;

	for (i = 0; i < wlen && wire[i]; i += 1 + wire[i])
		off[m++] = i;
	for (i = 0; compress && i < m; i++) {
		if (m - i > o->q_labels)
			continue;
		for (k = 0; i + k < m; k++)
			if (!dns_msg_label_equal(
				    wire + off[i + k],
				    o->p + o->q_off[o->q_labels - (m - i) + k]))
				break;
		if (i + k == m) {
			dns_msg_out_put(o, wire, off[i]);
			dns_msg_out_put16(
				o, (uint16_t)(0xc000 |
					      o->q_off[o->q_labels - (m - i)]));
			return;
		}
	}
	dns_msg_out_put(o, wire, wlen);
}

/*
 * dns_msg_out_rdata() - re-encode the rdata of @rr by its layout: names
 * decompressed (and compressed only where the type allows), other fields
 * copied; the caller validated the layout but it is checked again, as @r
 * and @msg come from the caller.
 */
static int dns_msg_out_rdata(struct dns_msg_out *o, const uint8_t *msg,
			     size_t len, const struct dns_msg_rr *rr,
			     const struct dns_msg_layout *lay)
{
	size_t s = rr->rdata_off, end = rr->rdata_off + rr->rdlen, n;
	uint8_t wire[DNS_NAME_MAX];
	const char *f;
	int rc;

	rc = dns_msg_rdata_check(msg, len, rr, lay, NULL, NULL);
	if (rc)
		return rc;
	for (f = lay->fields; *f; f++) {
		switch (*f) {
		case 'n':
			rc = dns_msg_name_read(msg, len, &s, end, wire, &n);
			if (rc)
				return rc;
			dns_msg_out_name(o, wire, n, lay->compress);
			break;
		case '2':
		case '4':
			dns_msg_out_put(o, msg + s, (size_t)(*f - '0'));
			s += (size_t)(*f - '0');
			break;
		case 's':
			n = 1 + (size_t)msg[s];
			dns_msg_out_put(o, msg + s, n);
			s += n;
			break;
		}
	}
	return 0;
}

ssize_t dns_msg_svcb_strip(const uint8_t *rd, size_t len, uint8_t *out,
			   size_t cap, bool *removed)
{
	size_t o = 2, n = 0, w;
	long prev = -1;

	if (removed)
		*removed = false;
	/* SvcPriority, then TargetName: plain labels, never compressed. */
	if (len < 3)
		return -EINVAL;
	for (;;) {
		if (o >= len)
			return -EINVAL;
		if (rd[o] == 0)
			break;
		if (rd[o] > 63 || rd[o] >= len - o - 1)
			return -EINVAL;
		n += 1 + (size_t)rd[o];
		o += 1 + (size_t)rd[o];
		if (n + 1 > DNS_NAME_MAX)
			return -EINVAL;
	}
	o++;
	if (o > cap)
		return -ENOSPC;
	memcpy(out, rd, o);
	w = o;
	/* SvcParams: key, length, value; keys strictly increasing. */
	while (o < len) {
		uint16_t key, vlen;

		if (len - o < 4)
			return -EINVAL;
		key = dns_msg_get16(rd + o);
		vlen = dns_msg_get16(rd + o + 2);
		if ((long)key <= prev || vlen > len - o - 4)
			return -EINVAL;
		prev = key;
		if (key == DNS_SVCB_KEY_MANDATORY) {
			size_t i;
			long mprev = -1;

			if (vlen == 0 || vlen % 2)
				return -EINVAL;
			for (i = 0; i < vlen; i += 2) {
				uint16_t m = dns_msg_get16(rd + o + 4 + i);

				if (m == DNS_SVCB_KEY_MANDATORY ||
				    (long)m <= mprev)
					return -EINVAL;
				if (m == DNS_SVCB_KEY_ECH)
					return -EPERM;
				mprev = m;
			}
		}
		if (key == DNS_SVCB_KEY_ECH) {
			if (removed)
				*removed = true;
		} else {
			if (4 + (size_t)vlen > cap - w)
				return -ENOSPC;
			memcpy(out + w, rd + o, 4 + (size_t)vlen);
			w += 4 + (size_t)vlen;
		}
		o += 4 + (size_t)vlen;
	}
	return (ssize_t)w;
}

/*
 * dns_msg_out_svcb() - write the rdata of SVCB/HTTPS record @rr without its
 * ech SvcParam. Return: 0, 1 (refused by dns_msg_svcb_strip(): the caller
 * leaves the record out), or -EINVAL.
 */
static int dns_msg_out_svcb(struct dns_msg_out *o, const uint8_t *msg,
			    size_t len, const struct dns_msg_rr *rr,
			    struct dns_svcb_report *rep)
{
	bool removed;
	ssize_t n;

	if (rr->rdata_off > len || rr->rdlen > len - rr->rdata_off)
		return -EINVAL;
	if (o->full)
		return 0;
	n = dns_msg_svcb_strip(msg + rr->rdata_off, rr->rdlen, o->p + o->pos,
			       o->lim - o->pos, &removed);
	if (n == -ENOSPC) {
		o->full = true;
		return 0;
	}
	if (n < 0) {
		if (rep)
			rep->dropped++;
		return 1;
	}
	o->pos += (size_t)n;
	if (removed && rep)
		rep->ech_removed++;
	return 0;
}

/*
 * dns_msg_out_answer() - write answer @a of @msg. Return: 0, 1 (left out:
 * an SVCB/HTTPS record dns_msg_svcb_strip() refused; the caller rewinds),
 * or -EINVAL.
 */
static int dns_msg_out_answer(struct dns_msg_out *o, const uint8_t *msg,
			      size_t len, const struct dns_rr *a,
			      struct dns_svcb_report *rep)
{
	const struct dns_msg_layout *lay = dns_msg_layout_find(a->type);
	struct dns_msg_rr rr;
	size_t off = a->name_off, rdlen_at;
	uint8_t fixed[DNS_MSG_RR_FIXED];
	int rc;

	if (off > len)
		return -EINVAL;
	rc = dns_msg_rr_read(msg, len, &off, &rr);
	if (rc)
		return rc;
	if (rr.type != a->type || rr.rdata_off != a->rdata_off ||
	    rr.rdlen != a->rdlen || rr.type == DNS_TYPE_OPT)
		return -EINVAL;
	dns_msg_out_name(o, rr.wire, rr.wlen, true);
	memcpy(fixed, msg + rr.rdata_off - DNS_MSG_RR_FIXED, sizeof(fixed));
	dns_msg_out_put(o, fixed, sizeof(fixed));
	rdlen_at = o->pos - 2;
	if (lay) {
		rc = dns_msg_out_rdata(o, msg, len, &rr, lay);
		if (rc)
			return rc;
	} else if (rr.type == DNS_TYPE_SVCB || rr.type == DNS_TYPE_HTTPS) {
		rc = dns_msg_out_svcb(o, msg, len, &rr, rep);
		if (rc)
			return rc;
	} else {
		dns_msg_out_put(o, msg + rr.rdata_off, rr.rdlen);
	}
	/* Output is capped at DNS_MSG_MAX, so the new rdlen fits. */
	if (!o->full)
		dns_msg_put16(o->p + rdlen_at,
			      (uint16_t)(o->pos - rdlen_at - 2));
	return 0;
}

/* A question to echo: labels without pointers, the root label, 4 bytes. */
static int dns_msg_out_question(struct dns_msg_out *o, const uint8_t *q,
				size_t qlen)
{
	size_t i = 0;

	o->q_labels = 0;
	while (i < qlen && q[i]) {
		if (q[i] > 63 || o->q_labels >= DNS_MSG_LABELS_MAX)
			return -EINVAL;
		o->q_off[o->q_labels++] = DNS_HEADER_LEN + i;
		i += 1 + q[i];
	}
	if (i + 1 + 4 != qlen || i + 1 > DNS_NAME_MAX)
		return -EINVAL;
	dns_msg_out_put(o, q, qlen);
	return 0;
}

ssize_t dns_msg_response_rebuild(const uint8_t *msg, size_t len,
				 const struct dns_response *r, const bool *keep,
				 const struct dns_rebuild *how, uint8_t *out,
				 size_t cap)
{
	size_t max = how->max_len, opt = how->opt ? DNS_MSG_OPT_LEN : 0, i;
	struct dns_msg_out o;
	uint16_t flags, an = 0;
	int rc, rcode = r->rcode;
	bool tc;

	if (max > DNS_MSG_MAX)
		max = DNS_MSG_MAX;
	if (max < DNS_HEADER_LEN + opt)
		return -EMSGSIZE;
	if (r->n_answers > DNS_MAX_RR)
		return -EINVAL;
	if (how->svcb)
		memset(how->svcb, 0, sizeof(*how->svcb));
	memset(&o, 0, sizeof(o));
	o.p = out;
	o.lim = max - opt < cap ? max - opt : cap;
	o.pos = DNS_HEADER_LEN;
	if (o.lim < DNS_HEADER_LEN)
		return max - opt <= cap ? -EMSGSIZE : -ENOSPC;
	rc = dns_msg_out_question(&o, how->question, how->question_len);
	if (rc)
		return rc;
	if (o.full)
		return o.lim == max - opt ? -EMSGSIZE : -ENOSPC;
	tc = r->truncated || r->an_count > r->n_answers;
	for (i = 0; i < r->n_answers; i++) {
		size_t start = o.pos;

		if (keep && !keep[i])
			continue;
		rc = dns_msg_out_answer(&o, msg, len, &r->answers[i],
					how->svcb);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			o.pos = start;
			continue;
		}
		if (o.full) {
			/* Past the caller's buffer but within the limit is
			 * the caller's mistake, not the job's truncation. */
			if (o.lim < max - opt)
				return -ENOSPC;
			o.pos = start;
			tc = true;
			break;
		}
		an++;
	}
	if (opt && o.pos + opt > cap)
		return -ENOSPC;
	flags = r->flags & (uint16_t) ~(DNS_FLAG_TC | 0xf);
	if (tc)
		flags |= DNS_FLAG_TC;
	if (rcode > 15 && !opt)
		rcode = DNS_RCODE_SERVFAIL;
	flags |= (uint16_t)(rcode & 0xf);
	dns_msg_header_put(out, how->id, flags, an, opt ? 1 : 0);
	if (opt) {
		dns_msg_opt_put(out + o.pos, how->udp_size,
				(uint32_t)(rcode >> 4 & 0xff) << 24);
		o.pos += opt;
	}
	return (ssize_t)o.pos;
}

void dns_msg_set_id(uint8_t *msg, size_t len, uint16_t id)
{
	if (len >= 2)
		dns_msg_put16(msg, id);
}

bool dns_msg_question_equal(const struct dns_question *a,
			    const struct dns_question *b)
{
	return a->qtype == b->qtype && a->qclass == b->qclass &&
	       !strcasecmp(a->name, b->name);
}

ssize_t dns_msg_tcp_frame(const uint8_t *p, size_t avail)
{
	size_t n;

	if (avail < 2)
		return 0;
	n = dns_msg_get16(p);
	if (n < DNS_HEADER_LEN)
		return -EMSGSIZE;
	return avail >= 2 + n ? (ssize_t)(2 + n) : 0;
}

int dns_msg_tcp_prefix(size_t len, uint8_t out[2])
{
	if (len > DNS_MSG_MAX)
		return -EMSGSIZE;
	dns_msg_put16(out, (uint16_t)len);
	return 0;
}

void dns_msg_put_ttl(uint8_t *msg, size_t rdata_off, uint32_t ttl)
{
	/* type, class, TTL, RDLENGTH, then the data: TTL is 6 bytes back. */
	if (rdata_off >= DNS_HEADER_LEN + DNS_MSG_RR_FIXED)
		dns_msg_put32(msg + rdata_off - 6, ttl);
}
