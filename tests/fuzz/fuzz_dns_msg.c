/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dns_msg.c - libFuzzer target for the DNS wire format. Each input is
 * parsed as a query and as a response (and once more behind a TCP length
 * prefix). A query that parses must yield error replies that parse back as
 * responses to the same question; a response that parses is rebuilt
 * keeping every other answer (and again under a tight size limit), and the
 * result must parse back to exactly the kept answers. SVCB/HTTPS rdata
 * (and the input itself, as such rdata) goes through dns_msg_svcb_strip():
 * what comes out is well-formed by a walker of this file's own, never
 * holds the ech SvcParam (key 5), and strips to itself; a rebuilt response
 * carries exactly the stripped rdata of the records the stripper accepts
 * and none of the others. Any mismatch aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/dns_msg.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_DNS_OUT (DNS_MSG_MAX + 16)

static uint8_t fuzz_dns_out[FUZZ_DNS_OUT];
static struct dns_response fuzz_dns_r, fuzz_dns_r2;

static void fuzz_dns_fail(const char *what)
{
	fprintf(stderr, "dns_msg: %s\n", what);
	abort();
}

static void fuzz_dns_query(const uint8_t *data, size_t size)
{
	struct dns_query q;
	ssize_t n;

	if (dns_msg_query_parse(data, size, &q))
		return;
	if (q.q.wire_off != DNS_HEADER_LEN ||
	    q.q.wire_off + q.q.wire_len > size)
		fuzz_dns_fail("question offsets");
	if (dns_msg_reply_max(&q, false) < DNS_UDP_MIN)
		fuzz_dns_fail("reply max");
	n = dns_msg_reply_error(data, size, &q, DNS_RCODE_NXDOMAIN,
				fuzz_dns_out, sizeof(fuzz_dns_out));
	if (n < 0)
		fuzz_dns_fail("reply_error failed");
	if (dns_msg_response_parse(fuzz_dns_out, (size_t)n, &fuzz_dns_r))
		fuzz_dns_fail("reply_error does not parse");
	if (fuzz_dns_r.id != q.id || fuzz_dns_r.rcode != DNS_RCODE_NXDOMAIN ||
	    fuzz_dns_r.an_count || fuzz_dns_r.has_opt != q.has_opt ||
	    !dns_msg_question_equal(&fuzz_dns_r.q, &q.q) ||
	    memcmp(fuzz_dns_out + DNS_HEADER_LEN, data + q.q.wire_off,
		   q.q.wire_len))
		fuzz_dns_fail("reply_error mismatch");
	if (dns_msg_reply_error(data, size, &q, DNS_RCODE_REFUSED, fuzz_dns_out,
				(size_t)n - 1) != -ENOSPC)
		fuzz_dns_fail("reply_error cap");
}

/* Types whose rdata holds names, re-encoded by the rebuilder. */
static bool fuzz_dns_has_names(uint16_t type)
{
	static const uint16_t t[] = {2,	 3,  4,	 5,  6,	 7,  8,	 9,  12, 14,
				     15, 17, 18, 21, 26, 33, 35, 36, 39};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] == type)
			return true;
	return false;
}

static bool fuzz_dns_is_svcb(uint16_t type)
{
	return type == DNS_TYPE_SVCB || type == DNS_TYPE_HTTPS;
}

/*
 * An independent reading of RFC 9460 2.2 for the stripper's output: it must
 * be well-formed and hold no ech SvcParam.
 */
static void fuzz_dns_svcb_clean(const uint8_t *rd, size_t len)
{
	size_t o = 2;
	long prev = -1;

	if (len < 3)
		fuzz_dns_fail("svcb output too short");
	while (o < len && rd[o]) {
		if (rd[o] & 0xc0)
			fuzz_dns_fail("svcb output target compressed");
		o += 1 + (size_t)rd[o];
	}
	if (o >= len)
		fuzz_dns_fail("svcb output target runs out");
	for (o++; o < len;) {
		unsigned key, vlen, i;

		if (len - o < 4)
			fuzz_dns_fail("svcb output param cut");
		key = (unsigned)rd[o] << 8 | rd[o + 1];
		vlen = (unsigned)rd[o + 2] << 8 | rd[o + 3];
		if (key == DNS_SVCB_KEY_ECH)
			fuzz_dns_fail("svcb output holds ech");
		if ((long)key <= prev || vlen > len - o - 4)
			fuzz_dns_fail("svcb output params malformed");
		/* A mandatory ech would name a key that is not there. */
		for (i = 0; key == DNS_SVCB_KEY_MANDATORY && i + 1 < vlen;
		     i += 2)
			if (((unsigned)rd[o + 4 + i] << 8 | rd[o + 5 + i]) ==
			    DNS_SVCB_KEY_ECH)
				fuzz_dns_fail("svcb output: ech mandatory");
		prev = (long)key;
		o += 4 + vlen;
	}
}

static uint8_t fuzz_dns_svcb_a[DNS_MSG_MAX], fuzz_dns_svcb_b[DNS_MSG_MAX];

/*
 * dns_msg_svcb_strip() on @rd: bounds, the properties above, idempotence,
 * the capacity contract. Return: its result (the stripped bytes in
 * fuzz_dns_svcb_a).
 */
static ssize_t fuzz_dns_svcb(const uint8_t *rd, size_t len)
{
	bool removed, again;
	ssize_t n, m;

	if (len > DNS_MSG_MAX)
		return -EINVAL;
	n = dns_msg_svcb_strip(rd, len, fuzz_dns_svcb_a, len, &removed);
	if (n == -EINVAL || n == -EPERM)
		return n;
	if (n < 0 || (size_t)n > len)
		fuzz_dns_fail("svcb strip result");
	if (removed != ((size_t)n < len))
		fuzz_dns_fail("svcb removed flag");
	fuzz_dns_svcb_clean(fuzz_dns_svcb_a, (size_t)n);
	m = dns_msg_svcb_strip(fuzz_dns_svcb_a, (size_t)n, fuzz_dns_svcb_b,
			       (size_t)n, &again);
	if (m != n || again ||
	    memcmp(fuzz_dns_svcb_a, fuzz_dns_svcb_b, (size_t)n))
		fuzz_dns_fail("svcb strip not idempotent");
	if (n > 0 && dns_msg_svcb_strip(rd, len, fuzz_dns_svcb_b, (size_t)n - 1,
					NULL) != -ENOSPC)
		fuzz_dns_fail("svcb strip cap");
	return n;
}

static void fuzz_dns_same_rr(const uint8_t *m1, const struct dns_rr *a,
			     const uint8_t *m2, const struct dns_rr *b)
{
	if (strcmp(a->name, b->name) || a->type != b->type ||
	    a->rclass != b->rclass || a->ttl != b->ttl ||
	    memcmp(a->addr, b->addr, sizeof(a->addr)) ||
	    strcmp(a->target, b->target))
		fuzz_dns_fail("rebuilt answer differs");
	/* SVCB/HTTPS: exactly the stripped rdata. */
	if (fuzz_dns_is_svcb(a->type)) {
		ssize_t n = fuzz_dns_svcb(m1 + a->rdata_off, a->rdlen);

		if (n < 0 || b->rdlen != (size_t)n ||
		    memcmp(fuzz_dns_svcb_a, m2 + b->rdata_off, b->rdlen))
			fuzz_dns_fail("rebuilt svcb rdata differs");
		fuzz_dns_svcb_clean(m2 + b->rdata_off, b->rdlen);
		return;
	}
	/* Other rdata is copied byte for byte. */
	if (!fuzz_dns_has_names(a->type) &&
	    (a->rdlen != b->rdlen ||
	     memcmp(m1 + a->rdata_off, m2 + b->rdata_off, a->rdlen)))
		fuzz_dns_fail("rebuilt rdata differs");
}

/* Rebuild @r of @data keeping every other answer, within @max_len. */
static void fuzz_dns_rebuild(const uint8_t *data, size_t size, size_t max_len,
			     bool opt)
{
	const struct dns_response *r = &fuzz_dns_r;
	struct dns_response *r2 = &fuzz_dns_r2;
	bool keep[DNS_MAX_RR];
	size_t i, k = 0, kept = 0, dropped = 0;
	struct dns_svcb_report rep;
	struct dns_rebuild how = {
		.id = (uint16_t)(r->id ^ 0x5a5a),
		.question = data + r->q.wire_off,
		.question_len = r->q.wire_len,
		.opt = opt,
		.udp_size = 1232,
		.max_len = max_len,
	};
	ssize_t n;
	int rc;

	/* Kept, less the SVCB/HTTPS records the stripper refuses. */
	for (i = 0; i < r->n_answers; i++) {
		keep[i] = !(i & 1);
		kept += keep[i];
		if (keep[i] && fuzz_dns_is_svcb(r->answers[i].type) &&
		    fuzz_dns_svcb(data + r->answers[i].rdata_off,
				  r->answers[i].rdlen) < 0) {
			kept--;
			dropped++;
		}
	}
	how.svcb = &rep;
	n = dns_msg_response_rebuild(data, size, r, keep, &how, fuzz_dns_out,
				     sizeof(fuzz_dns_out));
	if (n == -EMSGSIZE && max_len < DNS_HEADER_LEN + r->q.wire_len + 11)
		return;
	if (n < 0) {
		fprintf(stderr, "rebuild: %zd\n", n);
		fuzz_dns_fail("rebuild failed");
	}
	if ((size_t)n > max_len)
		fuzz_dns_fail("rebuild exceeds max_len");
	rc = dns_msg_response_parse(fuzz_dns_out, (size_t)n, r2);
	if (rc) {
		fprintf(stderr, "reparse: %d\n", rc);
		fuzz_dns_fail("rebuilt response does not parse");
	}
	if (r2->id != how.id || r2->has_opt != opt || r2->n_authority ||
	    r2->n_additional || r2->an_count > kept ||
	    !dns_msg_question_equal(&r2->q, &r->q) ||
	    (r2->an_count < kept && !r2->truncated) ||
	    (r->truncated && !r2->truncated) ||
	    ((opt || r->rcode < 16) && r2->rcode != r->rcode) ||
	    (r2->flags & ~(DNS_FLAG_TC | 0xf)) !=
		    (r->flags & ~(DNS_FLAG_TC | 0xf)))
		fuzz_dns_fail("rebuilt header differs");
	if (rep.dropped > dropped || (!r2->truncated && rep.dropped != dropped))
		fuzz_dns_fail("rebuild svcb report");
	for (i = 0; i < r->n_answers && k < r2->n_answers; i++) {
		if (!keep[i] || (fuzz_dns_is_svcb(r->answers[i].type) &&
				 fuzz_dns_svcb(data + r->answers[i].rdata_off,
					       r->answers[i].rdlen) < 0))
			continue;
		fuzz_dns_same_rr(data, &r->answers[i], fuzz_dns_out,
				 &r2->answers[k]);
		k++;
	}
}

static void fuzz_dns_response(const uint8_t *data, size_t size)
{
	bool chain[DNS_MAX_RR];
	size_t n;

	if (dns_msg_response_parse(data, size, &fuzz_dns_r))
		return;
	if (fuzz_dns_r.n_answers > DNS_MAX_RR ||
	    fuzz_dns_r.n_answers > fuzz_dns_r.an_count)
		fuzz_dns_fail("answer counts");
	n = dns_msg_response_chain(&fuzz_dns_r, chain);
	if (n > fuzz_dns_r.n_answers)
		fuzz_dns_fail("chain count");
	fuzz_dns_rebuild(data, size, DNS_MSG_MAX, fuzz_dns_r.has_opt);
	fuzz_dns_rebuild(data, size, DNS_UDP_MIN, false);
	/* A limit from the data, to cut at every possible answer. */
	fuzz_dns_rebuild(data, size,
			 DNS_HEADER_LEN + (size > 2 ? data[2] : 0) +
				 fuzz_dns_r.q.wire_len,
			 true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ssize_t f;

	fuzz_dns_query(data, size);
	fuzz_dns_response(data, size);
	/* The whole input as SVCB/HTTPS rdata. */
	fuzz_dns_svcb(data, size);
	f = dns_msg_tcp_frame(data, size);
	if (f > 0) {
		if ((size_t)f > size || f < 2 + DNS_HEADER_LEN)
			fuzz_dns_fail("tcp frame");
		fuzz_dns_query(data + 2, (size_t)f - 2);
	}
	return 0;
}
