/* SPDX-License-Identifier: MIT */
/*
 * test_dns_msg.c - the DNS wire format parser and builders: hand-built
 * queries and responses for every error path, packets captured from dnsmasq
 * on loopback, and rebuilt responses that must parse back to what was kept.
 */
#include <errno.h>

#include "common/common.h"
#include "netstack/dns_msg.h"
#include "tests/harness/harness.h"

/* A packet under construction. */
struct pkt {
	uint8_t b[70000];
	size_t n;
};

static void pkt_bytes(struct pkt *p, const void *b, size_t n)
{
	CHECK(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, b, n);
	p->n += n;
}

static void pkt_u8(struct pkt *p, uint8_t v)
{
	pkt_bytes(p, &v, 1);
}

static void pkt_u16(struct pkt *p, uint16_t v)
{
	pkt_u8(p, (uint8_t)(v >> 8));
	pkt_u8(p, (uint8_t)v);
}

static void pkt_u32(struct pkt *p, uint32_t v)
{
	pkt_u16(p, (uint16_t)(v >> 16));
	pkt_u16(p, (uint16_t)v);
}

static void pkt_hdr(struct pkt *p, uint16_t id, uint16_t flags, uint16_t qd,
		    uint16_t an, uint16_t ns, uint16_t ar)
{
	p->n = 0;
	pkt_u16(p, id);
	pkt_u16(p, flags);
	pkt_u16(p, qd);
	pkt_u16(p, an);
	pkt_u16(p, ns);
	pkt_u16(p, ar);
}

/* Labels of a dotted name, no terminator ("" writes nothing). */
static void pkt_labels(struct pkt *p, const char *name)
{
	while (*name) {
		size_t l = strcspn(name, ".");

		pkt_u8(p, (uint8_t)l);
		pkt_bytes(p, name, l);
		name += l;
		if (*name == '.')
			name++;
	}
}

static void pkt_name(struct pkt *p, const char *name)
{
	pkt_labels(p, name);
	pkt_u8(p, 0);
}

static void pkt_ptr(struct pkt *p, size_t off)
{
	pkt_u16(p, (uint16_t)(0xc000 | off));
}

static void pkt_question(struct pkt *p, const char *name, uint16_t type)
{
	pkt_name(p, name);
	pkt_u16(p, type);
	pkt_u16(p, DNS_CLASS_IN);
}

/* Type, class IN, ttl and rdlength; the owner is written by the caller. */
static void pkt_rr_fixed(struct pkt *p, uint16_t type, uint32_t ttl,
			 uint16_t rdlen)
{
	pkt_u16(p, type);
	pkt_u16(p, DNS_CLASS_IN);
	pkt_u32(p, ttl);
	pkt_u16(p, rdlen);
}

static void pkt_opt(struct pkt *p, uint16_t udp, uint32_t ttl)
{
	pkt_u8(p, 0);
	pkt_u16(p, DNS_TYPE_OPT);
	pkt_u16(p, udp);
	pkt_u32(p, ttl);
	pkt_u16(p, 0);
}

static void pkt_set16(struct pkt *p, size_t off, uint16_t v)
{
	p->b[off] = (uint8_t)(v >> 8);
	p->b[off + 1] = (uint8_t)v;
}

/* ------------------------------------------------------------------------
 * Queries as raw bytes: header (ID 0x1234, RD) + question + records.
 */
#define HDR(flags, qd, an, ns, ar)                                             \
	"\x12\x34" flags "\x00" qd "\x00" an "\x00" ns "\x00" ar
#define QHDR HDR("\x01\x00", "\x01", "\x00", "\x00", "\x00")
#define Q_T_TEST "\x01t\x04test\x00\x00\x01\x00\x01"
#define OPT_4096_DO "\x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00"

static const struct {
	const char *what;
	const char *bytes;
	size_t len;
	int rc;
	const char *name;
	uint16_t qtype;
} query_cases[] = {
#define QC(what, b, rc, name, qtype)                                           \
	{                                                                      \
		what, b, sizeof(b) - 1, rc, name, qtype                        \
	}
	QC("A", QHDR Q_T_TEST, 0, "t.test", DNS_TYPE_A),
	QC("AAAA mixed case",
	   QHDR "\x03WwW\x07"
		"ExAmPlE\x03"
		"CoM\x00\x00\x1c\x00\x01",
	   0, "www.example.com", DNS_TYPE_AAAA),
	QC("EDNS0",
	   HDR("\x01\x00", "\x01", "\x00", "\x00", "\x01") Q_T_TEST OPT_4096_DO,
	   0, "t.test", DNS_TYPE_A),
	QC("root", QHDR "\x00\x00\x02\x00\x01", 0, "", DNS_TYPE_NS),
	QC("underscore and digits", QHDR "\x04_srv\x03x-1\x00\x00\x21\x00\x01",
	   0, "_srv.x-1", DNS_TYPE_SRV),
	QC("answer record with a backward pointer",
	   HDR("\x01\x00", "\x01", "\x01", "\x00", "\x00") Q_T_TEST
	   "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x01\x02\x03\x04",
	   0, "t.test", DNS_TYPE_A),
	QC("empty", "", -EMSGSIZE, NULL, 0),
	QC("truncated header", "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00",
	   -EMSGSIZE, NULL, 0),
	QC("QDCOUNT 0", HDR("\x01\x00", "\x00", "\x00", "\x00", "\x00"),
	   -ENOTSUP, NULL, 0),
	QC("QDCOUNT 2",
	   HDR("\x01\x00", "\x02", "\x00", "\x00", "\x00") Q_T_TEST Q_T_TEST,
	   -ENOTSUP, NULL, 0),
	QC("QR=1", HDR("\x81\x00", "\x01", "\x00", "\x00", "\x00") Q_T_TEST,
	   -EPROTO, NULL, 0),
	QC("opcode STATUS",
	   HDR("\x11\x00", "\x01", "\x00", "\x00", "\x00") Q_T_TEST, -ENOTSUP,
	   NULL, 0),
	QC("opcode UPDATE",
	   HDR("\x28\x00", "\x01", "\x00", "\x00", "\x00") Q_T_TEST, -ENOTSUP,
	   NULL, 0),
	QC("label with dot",
	   QHDR "\x03"
		"a.b\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label with NUL",
	   QHDR "\x03"
		"a\x00"
		"b\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label with space",
	   QHDR "\x03"
		"a b\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label with backslash",
	   QHDR "\x03"
		"a\\b\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label with 8-bit byte",
	   QHDR "\x02"
		"a\xe9\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label with DEL",
	   QHDR "\x02"
		"a\x7f\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label type 0x40 (64-byte length)",
	   QHDR
	   "\x40"
	   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	   "\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("label type 0x80",
	   QHDR "\x81"
		"a\x00\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("pointer in question (into header)", QHDR "\xc0\x02\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("pointer to the header's last byte (a root label)",
	   QHDR "\xc0\x0b\x00\x01\x00\x01", -EINVAL, NULL, 0),
	/* Record 1's opaque rdata holds a pointer to itself; record 2's owner
	 * points there: a loop that adds no label, so only the rule that each
	 * jump lands before the previous one ends it. */
	QC("pointer loop without labels",
	   HDR("\x01\x00", "\x01", "\x02", "\x00", "\x00") Q_T_TEST
	   "\xc0\x0c\x10\x92\x00\x01\x00\x00\x00\x00\x00\x02\xc0\x24"
	   "\xc0\x24\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00",
	   -EINVAL, NULL, 0),
	QC("pointer in question to itself", QHDR "\xc0\x0c\x00\x01\x00\x01",
	   -EINVAL, NULL, 0),
	QC("forward pointer", QHDR "\x01t\xc0\x12\x00\x01\x00\x01\x00\x00",
	   -EINVAL, NULL, 0),
	QC("pointer past end", QHDR "\x01t\xc0\xff\x00\x01\x00\x01", -EINVAL,
	   NULL, 0),
	QC("pointer cut after one byte", QHDR "\x01t\xc0", -EINVAL, NULL, 0),
	QC("self pointer in a record",
	   HDR("\x01\x00", "\x01", "\x01", "\x00", "\x00") Q_T_TEST
	   "\xc0\x18\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00",
	   -EINVAL, NULL, 0),
	/* Record 1's owner points forward to record 2's, which points back:
	 * the forward jump is refused, so the loop is never entered. */
	QC("compression loop",
	   HDR("\x01\x00", "\x01", "\x02", "\x00", "\x00") Q_T_TEST
	   "\xc0\x24\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00"
	   "\xc0\x18\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00",
	   -EINVAL, NULL, 0),
	/* A backward pointer to a label that runs into a pointer to the same
	 * label: refused, the target is not before the segment. */
	QC("loop through a backward pointer",
	   HDR("\x01\x00", "\x01", "\x01", "\x00", "\x00") Q_T_TEST
	   "\x01x\xc0\x18\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00"
	   "\x00",
	   -EINVAL, NULL, 0),
	QC("name not terminated", QHDR "\x01t\x04tes", -EINVAL, NULL, 0),
	QC("label past end", QHDR "\x05t", -EINVAL, NULL, 0),
	QC("no QTYPE", QHDR "\x01t\x04test\x00\x00", -EINVAL, NULL, 0),
	QC("trailing byte", QHDR Q_T_TEST "\x00", -EINVAL, NULL, 0),
	QC("ANCOUNT without records",
	   HDR("\x01\x00", "\x01", "\x01", "\x00", "\x00") Q_T_TEST, -EINVAL,
	   NULL, 0),
	QC("rdlength past end",
	   HDR("\x01\x00", "\x01", "\x01", "\x00", "\x00") Q_T_TEST
	   "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x05\x01\x02\x03\x04",
	   -EINVAL, NULL, 0),
	QC("two OPT records",
	   HDR("\x01\x00", "\x01", "\x00", "\x00", "\x02")
		   Q_T_TEST OPT_4096_DO OPT_4096_DO,
	   -EINVAL, NULL, 0),
	QC("OPT in the answer section",
	   HDR("\x01\x00", "\x01", "\x01", "\x00", "\x00") Q_T_TEST OPT_4096_DO,
	   -EINVAL, NULL, 0),
	QC("OPT with an owner",
	   HDR("\x01\x00", "\x01", "\x00", "\x00", "\x01") Q_T_TEST
	   "\xc0\x0c\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00",
	   -EINVAL, NULL, 0),
	QC("OPT option past its rdata",
	   HDR("\x01\x00", "\x01", "\x00", "\x00", "\x01") Q_T_TEST
	   "\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x06"
	   "\x00\x0a\x00\x08\x01\x02",
	   -EINVAL, NULL, 0),
	QC("OPT option header cut",
	   HDR("\x01\x00", "\x01", "\x00", "\x00", "\x01") Q_T_TEST
	   "\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x02\x00\x0a",
	   -EINVAL, NULL, 0),
#undef QC
};

static void test_query_table(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(query_cases); i++) {
		struct dns_query q;
		int rc = dns_msg_query_parse(
			(const uint8_t *)query_cases[i].bytes,
			query_cases[i].len, &q);

		CHECK_MSG(rc == query_cases[i].rc, "%s: rc %d, want %d",
			  query_cases[i].what, rc, query_cases[i].rc);
		if (rc)
			continue;
		CHECK_MSG(!strcmp(q.q.name, query_cases[i].name),
			  "%s: name \"%s\"", query_cases[i].what, q.q.name);
		CHECK_EQ(q.q.qtype, query_cases[i].qtype);
		CHECK_EQ(q.q.qclass, DNS_CLASS_IN);
		CHECK_EQ(q.id, 0x1234);
		CHECK_EQ(q.q.wire_off, DNS_HEADER_LEN);
	}
}

static void test_query_fields(void)
{
	static const char edns[] = HDR("\x01\x10", "\x01", "\x00", "\x00",
				       "\x01") Q_T_TEST OPT_4096_DO;
	static const char other[] =
		HDR("\x01\x00", "\x01", "\x00", "\x01", "\x00") Q_T_TEST
		"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x01\x02\x03\x04";
	static const char mixed[] = QHDR "\x01T\x04tEsT\x00\x00\x01\x00\x01";
	struct dns_query q;

	CHECK_EQ(dns_msg_query_parse((const uint8_t *)edns, sizeof(edns) - 1,
				     &q),
		 0);
	CHECK(q.has_opt);
	CHECK_EQ(q.udp_size, 4096);
	CHECK(q.edns_do);
	CHECK(!q.has_other_sections);
	CHECK_EQ(q.flags, 0x0110);
	CHECK_EQ(q.q.wire_len, 12);
	CHECK_EQ(dns_msg_reply_max(&q, false), 4096);
	CHECK_EQ(dns_msg_reply_max(&q, true), 65535);
	q.udp_size = 100;
	CHECK_EQ(dns_msg_reply_max(&q, false), 512);

	CHECK_EQ(dns_msg_query_parse((const uint8_t *)other, sizeof(other) - 1,
				     &q),
		 0);
	CHECK(q.has_other_sections);
	CHECK(!q.has_opt);
	CHECK_EQ(dns_msg_reply_max(&q, false), 512);

	/* The name is lower-cased; the wire keeps the job's case. */
	CHECK_EQ(dns_msg_query_parse((const uint8_t *)mixed, sizeof(mixed) - 1,
				     &q),
		 0);
	CHECK_STREQ(q.q.name, "t.test");
	CHECK(!memcmp(mixed + q.q.wire_off, "\x01T\x04tEsT", 7));
}

/* Names at the limits, built label by label. */
static void test_query_name_limits(void)
{
	char l63[64], l61[62], l62[63], want[DNS_NAME_MAX + 1];
	struct dns_query q;
	struct pkt *p = calloc(1, sizeof(*p));

	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l61, 'b', 61);
	l61[61] = '\0';
	memset(l62, 'c', 62);
	l62[62] = '\0';

	/* 3 * 64 + 62 + 1 = 255 bytes of wire name: the longest. */
	pkt_hdr(p, 1, 0, 1, 0, 0, 0);
	pkt_labels(p, l63);
	pkt_labels(p, l63);
	pkt_labels(p, l63);
	pkt_labels(p, l61);
	pkt_u8(p, 0);
	pkt_u16(p, DNS_TYPE_A);
	pkt_u16(p, DNS_CLASS_IN);
	CHECK_EQ(dns_msg_query_parse(p->b, p->n, &q), 0);
	snprintf(want, sizeof(want), "%s.%s.%s.%s", l63, l63, l63, l61);
	CHECK_STREQ(q.q.name, want);
	CHECK_EQ(strlen(q.q.name), DNS_NAME_TEXT_MAX);
	CHECK_EQ(q.q.wire_len, 255 + 4);

	/* One byte more: 256. */
	pkt_hdr(p, 1, 0, 1, 0, 0, 0);
	pkt_labels(p, l63);
	pkt_labels(p, l63);
	pkt_labels(p, l63);
	pkt_labels(p, l62);
	pkt_u8(p, 0);
	pkt_u16(p, DNS_TYPE_A);
	pkt_u16(p, DNS_CLASS_IN);
	CHECK_EQ(dns_msg_query_parse(p->b, p->n, &q), -EINVAL);

	/* Too long only once decompressed: 4 x 63 behind a pointer. */
	pkt_hdr(p, 1, 0, 1, 1, 0, 0);
	pkt_labels(p, l63);
	pkt_labels(p, l63);
	pkt_labels(p, l63);
	pkt_u8(p, 0);
	pkt_u16(p, DNS_TYPE_A);
	pkt_u16(p, DNS_CLASS_IN);
	pkt_labels(p, l63);
	pkt_ptr(p, 12);
	pkt_rr_fixed(p, DNS_TYPE_A, 0, 0);
	CHECK_EQ(dns_msg_query_parse(p->b, p->n, &q), -EINVAL);

	/* More than DNS_MSG_MAX bytes. */
	pkt_hdr(p, 1, 0, 1, 0, 0, 0);
	pkt_question(p, "t.test", DNS_TYPE_A);
	CHECK_EQ(dns_msg_query_parse(p->b, DNS_MSG_MAX + 1, &q), -EMSGSIZE);
	free(p);
}

/* ------------------------------------------------------------------------
 * Captured from dnsmasq on 127.0.0.1:5353 (tests/fuzz/corpus/dns_msg/ has
 * the same packets): the real shape of compression and EDNS0.
 */
#define HEXS(s) s, sizeof(s) - 1
/* T.TeSt A with EDNS0 -> 192.0.2.7, dnsmasq copies the case. */
static const char real_a_edns[] =
	"\x40\x01\x85\x80\x00\x01\x00\x01\x00\x00\x00\x01\x01\x54\x04\x54"
	"\x65\x53\x74\x00\x00\x01\x00\x01\xc0\x0c\x00\x01\x00\x01\x00\x00"
	"\x00\x00\x00\x04\xc0\x00\x02\x07\x00\x00\x29\x04\xd0\x00\x00\x00"
	"\x00\x00\x00";
/* www.alias.test CNAME host.test, host.test A 192.0.2.8 */
static const char real_cname_a[] =
	"\x40\x03\x85\x80\x00\x01\x00\x02\x00\x00\x00\x00\x03\x77\x77\x77"
	"\x05\x61\x6c\x69\x61\x73\x04\x74\x65\x73\x74\x00\x00\x01\x00\x01"
	"\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x00\x00\x0b\x04\x68\x6f\x73"
	"\x74\x04\x74\x65\x73\x74\x00\xc0\x2c\x00\x01\x00\x01\x00\x00\x00"
	"\x00\x00\x04\xc0\x00\x02\x08";
/* mx.test MX 10 mail.mx.test */
static const char real_mx[] =
	"\x40\x05\x85\x80\x00\x01\x00\x01\x00\x00\x00\x00\x02\x6d\x78\x04"
	"\x74\x65\x73\x74\x00\x00\x0f\x00\x01\xc0\x0c\x00\x0f\x00\x01\x00"
	"\x00\x00\x00\x00\x10\x00\x0a\x04\x6d\x61\x69\x6c\x02\x6d\x78\x04"
	"\x74\x65\x73\x74\x00";
/* _http._tcp.srv.test SRV 1 2 80 host.test, with A and AAAA of host.test
 * in the additional section pointing into the SRV rdata. */
static const char real_srv[] =
	"\x40\x07\x85\x80\x00\x01\x00\x01\x00\x00\x00\x02\x05\x5f\x68\x74"
	"\x74\x70\x04\x5f\x74\x63\x70\x03\x73\x72\x76\x04\x74\x65\x73\x74"
	"\x00\x00\x21\x00\x01\xc0\x0c\x00\x21\x00\x01\x00\x00\x00\x00\x00"
	"\x11\x00\x01\x00\x02\x00\x50\x04\x68\x6f\x73\x74\x04\x74\x65\x73"
	"\x74\x00\xc0\x37\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\xc0\x00"
	"\x02\x08\xc0\x37\x00\x1c\x00\x01\x00\x00\x00\x00\x00\x10\x20\x01"
	"\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08";
/* txt.test TXT "v=spf1 -all" "second" */
static const char real_txt[] =
	"\x40\x06\x85\x80\x00\x01\x00\x01\x00\x00\x00\x00\x03\x74\x78\x74"
	"\x04\x74\x65\x73\x74\x00\x00\x10\x00\x01\xc0\x0c\x00\x10\x00\x01"
	"\x00\x00\x00\x00\x00\x13\x0b\x76\x3d\x73\x70\x66\x31\x20\x2d\x61"
	"\x6c\x6c\x06\x73\x65\x63\x6f\x6e\x64";
/* nx.nowhere.test: REFUSED with an Extended DNS Error option (15). */
static const char real_refused[] =
	"\x40\x09\x81\x85\x00\x01\x00\x00\x00\x00\x00\x01\x02\x6e\x78\x07"
	"\x6e\x6f\x77\x68\x65\x72\x65\x04\x74\x65\x73\x74\x00\x00\x01\x00"
	"\x01\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x06\x00\x0f\x00\x02"
	"\x00\x0e";

static void test_response_real(void)
{
	static const uint8_t a7[4] = {192, 0, 2, 7}, a8[4] = {192, 0, 2, 8};
	struct dns_response *r = calloc(1, sizeof(*r));
	bool chain[DNS_MAX_RR];

	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_a_edns), r),
		 0);
	CHECK_EQ(r->id, 0x4001);
	CHECK_STREQ(r->q.name, "t.test");
	CHECK_EQ(r->n_answers, 1);
	CHECK_STREQ(r->answers[0].name, "t.test");
	CHECK(!memcmp(r->answers[0].addr, a7, 4));
	CHECK(r->has_opt);
	CHECK_EQ(r->udp_size, 1232);
	CHECK_EQ(r->rcode, 0);
	CHECK(!r->truncated);

	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_cname_a), r),
		 0);
	CHECK_EQ(r->n_answers, 2);
	CHECK_EQ(r->answers[0].type, DNS_TYPE_CNAME);
	CHECK_STREQ(r->answers[0].name, "www.alias.test");
	CHECK_STREQ(r->answers[0].target, "host.test");
	CHECK_STREQ(r->answers[1].name, "host.test");
	CHECK(!memcmp(r->answers[1].addr, a8, 4));
	CHECK_EQ(dns_msg_response_chain(r, chain), 2);
	CHECK(chain[0] && chain[1]);

	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_mx), r), 0);
	CHECK_EQ(r->answers[0].type, DNS_TYPE_MX);
	CHECK_EQ(r->answers[0].rdlen, 16);

	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_srv), r), 0);
	CHECK_EQ(r->n_answers, 1);
	CHECK_EQ(r->n_additional, 2);
	CHECK_STREQ(r->q.name, "_http._tcp.srv.test");

	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_txt), r), 0);
	CHECK_EQ(r->answers[0].type, DNS_TYPE_TXT);
	CHECK_EQ(r->answers[0].rdlen, 19);

	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_refused), r),
		 0);
	CHECK_EQ(r->rcode, DNS_RCODE_REFUSED);
	CHECK_EQ(r->an_count, 0);
	CHECK(r->has_opt);
	free(r);
}

/* ------------------------------------------------------------------------
 * Responses built by hand.
 */

/* www.example.com A: CNAME to cdn.example.net, then A x2 and AAAA. */
static void build_chain(struct pkt *p)
{
	size_t target;

	pkt_hdr(p, 0xbeef, 0x8180, 1, 4, 0, 1);
	pkt_question(p, "www.example.com", DNS_TYPE_A);
	pkt_ptr(p, 12);
	pkt_rr_fixed(p, DNS_TYPE_CNAME, 300, 10);
	target = p->n;
	pkt_labels(p, "cdn.example");
	pkt_ptr(p, 12 + 4 + 8); /* "com" of the question */
	pkt_set16(p, target - 2, (uint16_t)(p->n - target));
	pkt_ptr(p, target);
	pkt_rr_fixed(p, DNS_TYPE_A, 60, 4);
	pkt_bytes(p, "\xc0\x00\x02\x01", 4);
	pkt_ptr(p, target);
	pkt_rr_fixed(p, DNS_TYPE_A, 60, 4);
	pkt_bytes(p, "\xa9\xfe\xa9\xfe", 4);
	pkt_ptr(p, target);
	pkt_rr_fixed(p, DNS_TYPE_AAAA, 60, 16);
	pkt_bytes(p, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	pkt_opt(p, 1232, 0);
}

static void test_response_chain(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct pkt *p = calloc(1, sizeof(*p));
	bool chain[DNS_MAX_RR];

	build_chain(p);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->id, 0xbeef);
	CHECK_EQ(r->n_answers, 4);
	CHECK_EQ(r->an_count, 4);
	CHECK_STREQ(r->answers[0].name, "www.example.com");
	CHECK_STREQ(r->answers[0].target, "cdn.example.com");
	CHECK_EQ(r->answers[0].ttl, 300);
	CHECK_STREQ(r->answers[1].name, "cdn.example.com");
	CHECK(!memcmp(r->answers[1].addr, "\xc0\x00\x02\x01", 4));
	CHECK(!memcmp(r->answers[2].addr, "\xa9\xfe\xa9\xfe", 4));
	CHECK_EQ(r->answers[3].type, DNS_TYPE_AAAA);
	CHECK(!memcmp(r->answers[3].addr,
		      "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
	CHECK(r->has_opt);
	CHECK_EQ(dns_msg_response_chain(r, chain), 4);

	/* An A record for another owner is not on the chain. */
	memcpy(r->answers[2].name, "evil.test", 10);
	CHECK_EQ(dns_msg_response_chain(r, chain), 3);
	CHECK(!chain[2]);
	free(r);
	free(p);
}

/* Response cases that differ from a base by one edit. */
enum resp_base {
	RESP_A,	 /* t.test A 192.0.2.7 */
	RESP_MX, /* t.test MX 10 mail.t.test (compressed) */
};

static void build_base(struct pkt *p, enum resp_base base)
{
	pkt_hdr(p, 7, 0x8180, 1, 1, 0, 0);
	if (base == RESP_A) {
		pkt_question(p, "t.test", DNS_TYPE_A);
		pkt_ptr(p, 12);
		pkt_rr_fixed(p, DNS_TYPE_A, 5, 4);
		pkt_bytes(p, "\xc0\x00\x02\x07", 4);
	} else {
		pkt_question(p, "t.test", DNS_TYPE_MX);
		pkt_ptr(p, 12);
		pkt_rr_fixed(p, DNS_TYPE_MX, 5, 9);
		pkt_u16(p, 10);
		pkt_labels(p, "mail");
		pkt_ptr(p, 12);
	}
}

/* Offsets into the base: 12 header, 12 question, answer at 24. */
#define RESP_RDLEN_AT (24 + 2 + 8)

static const struct {
	const char *what;
	enum resp_base base;
	size_t set_at; /* write set_val here (0: no edit) */
	uint16_t set_val;
	const char *append;
	size_t append_len;
	int rc;
} resp_cases[] = {
	{"A ok", RESP_A, 0, 0, NULL, 0, 0},
	{"MX ok", RESP_MX, 0, 0, NULL, 0, 0},
	{"QR=0", RESP_A, 2, 0x0180, NULL, 0, -EPROTO},
	{"opcode NOTIFY", RESP_A, 2, 0xa180, NULL, 0, -ENOTSUP},
	{"QDCOUNT 0", RESP_A, 4, 0, NULL, 0, -ENOTSUP},
	{"QDCOUNT 2", RESP_A, 4, 2, NULL, 0, -ENOTSUP},
	{"A rdlength 5", RESP_A, RESP_RDLEN_AT, 5, "\x00", 1, -EINVAL},
	{"A rdlength 3", RESP_A, RESP_RDLEN_AT, 3, NULL, 0, -EINVAL},
	{"rdlength past end", RESP_A, RESP_RDLEN_AT, 6, NULL, 0, -EINVAL},
	{"answers past end", RESP_A, 6, 2, NULL, 0, -EINVAL},
	{"authority past end", RESP_A, 8, 1, NULL, 0, -EINVAL},
	{"additional past end", RESP_A, 10, 1, NULL, 0, -EINVAL},
	{"trailing bytes", RESP_A, 0, 0, "\x00\x00", 2, -EINVAL},
	{"MX rdata longer than its name", RESP_MX, RESP_RDLEN_AT, 10, "\x00", 1,
	 -EINVAL},
	{"MX rdata shorter than its name", RESP_MX, RESP_RDLEN_AT, 8, NULL, 0,
	 -EINVAL},
	{"MX rdata only the preference", RESP_MX, RESP_RDLEN_AT, 2, NULL, 0,
	 -EINVAL},
	{"answer owner pointing into header", RESP_A, 24, 0xc004, NULL, 0,
	 -EINVAL},
	{"answer owner forward pointer", RESP_A, 24, 0xc020, NULL, 0, -EINVAL},
	{"answer type OPT", RESP_A, 26, DNS_TYPE_OPT, NULL, 0, -EINVAL},
	{"AAAA with 4 bytes", RESP_A, 26, DNS_TYPE_AAAA, NULL, 0, -EINVAL},
	{"CNAME of 4 bytes", RESP_A, 26, DNS_TYPE_CNAME, NULL, 0, -EINVAL},
	{"unknown type kept opaque", RESP_A, 26, 4242, NULL, 0, 0},
	{"TXT kept opaque", RESP_A, 26, DNS_TYPE_TXT, NULL, 0, 0},
	{"authority SOA", RESP_A, 8, 1,
	 "\xc0\x0e\x00\x06\x00\x01\x00\x00\x00\x00\x00\x02\xc0\x0e", 14, 0},
	{"additional OPT with extended rcode", RESP_A, 10, 1,
	 "\x00\x00\x29\x04\xd0\x01\x00\x00\x00\x00\x00", 11, 0},
	{"OPT in authority", RESP_A, 8, 1,
	 "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11, -EINVAL},
};

static void test_response_table(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct pkt *p = calloc(1, sizeof(*p));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resp_cases); i++) {
		int rc;

		build_base(p, resp_cases[i].base);
		if (resp_cases[i].set_at)
			pkt_set16(p, resp_cases[i].set_at,
				  resp_cases[i].set_val);
		if (resp_cases[i].append)
			pkt_bytes(p, resp_cases[i].append,
				  resp_cases[i].append_len);
		rc = dns_msg_response_parse(p->b, p->n, r);
		CHECK_MSG(rc == resp_cases[i].rc, "%s: rc %d, want %d",
			  resp_cases[i].what, rc, resp_cases[i].rc);
	}

	/* The fields of the accepted edits. */
	build_base(p, RESP_A);
	pkt_set16(p, 10, 1);
	pkt_bytes(p, "\x00\x00\x29\x04\xd0\x01\x00\x00\x00\x00\x00", 11);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->rcode, 16); /* BADVERS */
	CHECK(r->has_opt);
	CHECK_EQ(r->n_additional, 0);
	build_base(p, RESP_A);
	pkt_set16(p, 2, 0x8380); /* TC */
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK(r->truncated);
	build_base(p, RESP_MX);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->answers[0].type, DNS_TYPE_MX);
	CHECK_STREQ(r->answers[0].target, "");
	free(r);
	free(p);
}

/* Names the proxy matches as text must be plain, in answers too. */
static void test_response_names(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct pkt *p = calloc(1, sizeof(*p));

	pkt_hdr(p, 7, 0x8180, 1, 1, 0, 0);
	pkt_question(p, "t.test", DNS_TYPE_A);
	pkt_bytes(p,
		  "\x03"
		  "a.b\x00",
		  5);
	pkt_rr_fixed(p, DNS_TYPE_A, 5, 4);
	pkt_bytes(p, "\x01\x02\x03\x04", 4);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), -EINVAL);

	pkt_hdr(p, 7, 0x8180, 1, 1, 0, 0);
	pkt_question(p, "t.test", DNS_TYPE_A);
	pkt_ptr(p, 12);
	pkt_rr_fixed(p, DNS_TYPE_CNAME, 5, 5);
	pkt_bytes(p,
		  "\x03"
		  "a\x00"
		  "b\x00",
		  5);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), -EINVAL);

	/* ...but not in the authority section, which is dropped. */
	pkt_hdr(p, 7, 0x8180, 1, 0, 1, 0);
	pkt_question(p, "t.test", DNS_TYPE_A);
	pkt_bytes(p,
		  "\x03"
		  "a.b\x00",
		  5);
	pkt_rr_fixed(p, DNS_TYPE_A, 5, 4);
	pkt_bytes(p, "\x01\x02\x03\x04", 4);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->n_authority, 1);
	free(r);
	free(p);
}

/* n A records for t.test: 10.0.0.0, 10.0.0.1, ... */
static void build_many(struct pkt *p, size_t n, uint16_t flags)
{
	size_t i;

	pkt_hdr(p, 9, flags, 1, (uint16_t)n, 0, 0);
	pkt_question(p, "t.test", DNS_TYPE_A);
	for (i = 0; i < n; i++) {
		pkt_ptr(p, 12);
		pkt_rr_fixed(p, DNS_TYPE_A, 5, 4);
		pkt_u8(p, 10);
		pkt_u8(p, 0);
		pkt_u8(p, (uint8_t)(i >> 8));
		pkt_u8(p, (uint8_t)i);
	}
}

static const uint8_t q_t_test[] = "\x01t\x04test\x00\x00\x01\x00\x01";

static void test_response_many(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dns_response *r2 = calloc(1, sizeof(*r2));
	struct pkt *p = calloc(1, sizeof(*p));
	uint8_t *out = malloc(DNS_MSG_MAX);
	struct dns_rebuild how = {
		1, q_t_test, sizeof(q_t_test) - 1, false, 0, DNS_MSG_MAX, NULL};
	ssize_t n;

	build_many(p, DNS_MAX_RR + 6, 0x8180);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->n_answers, DNS_MAX_RR);
	CHECK_EQ(r->an_count, DNS_MAX_RR + 6);
	CHECK_EQ(r->answers[DNS_MAX_RR - 1].addr[3], DNS_MAX_RR - 1);

	/* The ones past the cut are validated all the same. */
	pkt_set16(p, p->n - 6, 5);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r2), -EINVAL);

	/* Rebuilt: the kept 64, with TC (there was more). */
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     DNS_MSG_MAX);
	CHECK(n > 0);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->an_count, DNS_MAX_RR);
	CHECK(r2->truncated);

	/* Exactly DNS_MAX_RR: no TC. */
	build_many(p, DNS_MAX_RR, 0x8180);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     DNS_MSG_MAX);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->an_count, DNS_MAX_RR);
	CHECK(!r2->truncated);
	free(out);
	free(r);
	free(r2);
	free(p);
}

/* ------------------------------------------------------------------------
 * Builders.
 */

static void test_reply_error(void)
{
	static const char edns[] =
		HDR("\x01\x10", "\x01", "\x00", "\x00",
		    "\x01") "\x01T\x04tEsT\x00\x00\x01\x00\x01" OPT_4096_DO;
	static const char plain[] =
		HDR("\x00\x00", "\x01", "\x00", "\x00", "\x00") Q_T_TEST;
	static const uint8_t want_nx[] =
		"\x12\x34\x81\x93\x00\x01\x00\x00\x00\x00\x00\x01"
		"\x01T\x04tEsT\x00\x00\x01\x00\x01"
		"\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00";
	static const uint8_t want_refused[] =
		"\x12\x34\x80\x85\x00\x01\x00\x00\x00\x00\x00\x00" Q_T_TEST;
	struct dns_response *r = calloc(1, sizeof(*r));
	uint8_t out[512];
	struct dns_query q;
	ssize_t n;

	CHECK_EQ(dns_msg_query_parse((const uint8_t *)edns, sizeof(edns) - 1,
				     &q),
		 0);
	n = dns_msg_reply_error((const uint8_t *)edns, sizeof(edns) - 1, &q,
				DNS_RCODE_NXDOMAIN, out, sizeof(out));
	CHECK_EQ(n, sizeof(want_nx) - 1);
	CHECK(!memcmp(out, want_nx, (size_t)n));
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r), 0);
	CHECK_EQ(r->rcode, DNS_RCODE_NXDOMAIN);
	CHECK(dns_msg_question_equal(&r->q, &q.q));
	/* Exactly enough room, then one byte less. */
	CHECK_EQ(dns_msg_reply_error((const uint8_t *)edns, sizeof(edns) - 1,
				     &q, DNS_RCODE_NXDOMAIN, out, (size_t)n),
		 n);
	CHECK_EQ(dns_msg_reply_error((const uint8_t *)edns, sizeof(edns) - 1,
				     &q, DNS_RCODE_NXDOMAIN, out,
				     (size_t)n - 1),
		 -ENOSPC);
	CHECK_EQ(dns_msg_reply_error((const uint8_t *)edns, sizeof(edns) - 1,
				     &q, 16, out, sizeof(out)),
		 -EINVAL);
	CHECK_EQ(dns_msg_reply_error((const uint8_t *)edns, sizeof(edns) - 1,
				     &q, -1, out, sizeof(out)),
		 -EINVAL);
	/* A question outside the bytes given. */
	CHECK_EQ(dns_msg_reply_error((const uint8_t *)edns, 20, &q,
				     DNS_RCODE_NXDOMAIN, out, sizeof(out)),
		 -EINVAL);

	CHECK_EQ(dns_msg_query_parse((const uint8_t *)plain, sizeof(plain) - 1,
				     &q),
		 0);
	n = dns_msg_reply_error((const uint8_t *)plain, sizeof(plain) - 1, &q,
				DNS_RCODE_REFUSED, out, sizeof(out));
	CHECK_EQ(n, sizeof(want_refused) - 1);
	CHECK(!memcmp(out, want_refused, (size_t)n));
	n = dns_msg_reply_error((const uint8_t *)plain, sizeof(plain) - 1, &q,
				DNS_RCODE_SERVFAIL, out, sizeof(out));
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r), 0);
	CHECK_EQ(r->rcode, DNS_RCODE_SERVFAIL);
	CHECK(!r->has_opt);
	free(r);
}

static bool addr_is_metadata(const uint8_t *a)
{
	return !memcmp(a, "\xa9\xfe\xa9\xfe", 4);
}

/* Strip 169.254.169.254, keep the rest, answer with the job's question. */
static void test_rebuild_strip(void)
{
	/* The job asked in mixed case, with EDNS0 and ID 0x1234. */
	static const uint8_t job_q[] = "\x03WwW\x07"
				       "ExAmPlE\x03"
				       "CoM\x00\x00\x01\x00\x01";
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dns_response *r2 = calloc(1, sizeof(*r2));
	struct pkt *p = calloc(1, sizeof(*p));
	uint8_t out[1024];
	bool keep[DNS_MAX_RR];
	struct dns_rebuild how = {0x1234, job_q, sizeof(job_q) - 1, true, 1232,
				  512,	  NULL};
	size_t i;
	ssize_t n;

	build_chain(p);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	for (i = 0; i < r->n_answers; i++)
		keep[i] = !(r->answers[i].type == DNS_TYPE_A &&
			    addr_is_metadata(r->answers[i].addr));
	CHECK(!keep[2]);
	n = dns_msg_response_rebuild(p->b, p->n, r, keep, &how, out,
				     sizeof(out));
	CHECK(n > 0);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->id, 0x1234);
	CHECK_EQ(r2->flags, 0x8180);
	CHECK(!r2->truncated);
	CHECK_EQ(r2->an_count, 3);
	CHECK_STREQ(r2->answers[0].name, "www.example.com");
	CHECK_STREQ(r2->answers[0].target, "cdn.example.com");
	CHECK_EQ(r2->answers[0].ttl, 300);
	CHECK_STREQ(r2->answers[1].name, "cdn.example.com");
	CHECK(!memcmp(r2->answers[1].addr, "\xc0\x00\x02\x01", 4));
	CHECK_EQ(r2->answers[2].type, DNS_TYPE_AAAA);
	CHECK(!memcmp(r2->answers[2].addr, r->answers[3].addr, 16));
	for (i = 0; i < r2->n_answers; i++)
		CHECK(!addr_is_metadata(r2->answers[i].addr));
	/* The job's question, byte for byte, case included. */
	CHECK(!memcmp(out + 12, job_q, sizeof(job_q) - 1));
	/* OPT: one, with the size we advertise. */
	CHECK(r2->has_opt);
	CHECK_EQ(r2->udp_size, 1232);
	CHECK_EQ(r2->n_additional, 0);
	/* The answer owner is compressed against the question. */
	CHECK(out[12 + sizeof(job_q) - 1] == 0xc0 &&
	      out[12 + sizeof(job_q)] == 0x0c);

	/* keep NULL keeps all four; no OPT asked for, none written. */
	how.opt = false;
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     sizeof(out));
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->an_count, 4);
	CHECK(!r2->has_opt);
	free(r);
	free(r2);
	free(p);
}

/* ------------------------------------------------------------------------
 * SVCB/HTTPS (RFC 9460): the ech SvcParam (key 5) never reaches the job.
 */
#define SV_ALPN "\x00\x01\x00\x06\x02h2\x02h3"		  /* alpn=h2,h3 */
#define SV_PORT "\x00\x03\x00\x02\x01\xbb"		  /* port=443 */
#define SV_V4 "\x00\x04\x00\x04\xc0\x00\x02\x01"	  /* ipv4hint */
#define SV_ECH "\x00\x05\x00\x06\x00\x04\xfe\x0d\xab\xcd" /* ech */
#define SV_V6                                                                  \
	"\x00\x06\x00\x10\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"

static const struct {
	const char *what;
	const char *in;
	size_t in_len;
	ssize_t rc; /* the output length, or -errno */
	const char *out;
	bool removed;
} svcb_cases[] = {
#define SC(what, in, rc, out, removed)                                         \
	{                                                                      \
		what, in, sizeof(in) - 1, rc, out, removed                     \
	}
	SC("service, ech among others",
	   "\x00\x01\x00" SV_ALPN SV_V4 SV_ECH SV_V6, 3 + 10 + 8 + 20,
	   "\x00\x01\x00" SV_ALPN SV_V4 SV_V6, true),
	SC("service, no ech: unchanged", "\x00\x01\x00" SV_ALPN SV_PORT,
	   3 + 10 + 6, "\x00\x01\x00" SV_ALPN SV_PORT, false),
	SC("ech alone", "\x00\x01\x00" SV_ECH, 3, "\x00\x01\x00", true),
	SC("ech last", "\x00\x01\x00" SV_V4 SV_ECH, 3 + 8, "\x00\x01\x00" SV_V4,
	   true),
	SC("empty ech value",
	   "\x00\x01\x00"
	   "\x00\x05\x00\x00",
	   3, "\x00\x01\x00", true),
	SC("a target name",
	   "\x00\x02\x03svc\x07"
	   "example\x00" SV_ECH SV_V6,
	   2 + 13 + 20,
	   "\x00\x02\x03svc\x07"
	   "example\x00" SV_V6,
	   true),
	SC("alias mode", "\x00\x00\x04pool\x03svc\x00", 12,
	   "\x00\x00\x04pool\x03svc\x00", false),
	SC("mandatory alpn, ech removed",
	   "\x00\x01\x00"
	   "\x00\x00\x00\x02\x00\x01" SV_ALPN SV_ECH,
	   3 + 6 + 10,
	   "\x00\x01\x00"
	   "\x00\x00\x00\x02\x00\x01" SV_ALPN,
	   true),
	SC("mandatory ech: refused",
	   "\x00\x01\x00"
	   "\x00\x00\x00\x04\x00\x01\x00\x05" SV_ALPN SV_ECH,
	   -EPERM, NULL, false),
	SC("mandatory odd length",
	   "\x00\x01\x00"
	   "\x00\x00\x00\x01\x01" SV_ALPN,
	   -EINVAL, NULL, false),
	SC("mandatory names mandatory",
	   "\x00\x01\x00"
	   "\x00\x00\x00\x02\x00\x00",
	   -EINVAL, NULL, false),
	SC("mandatory not increasing",
	   "\x00\x01\x00"
	   "\x00\x00\x00\x04\x00\x03\x00\x01" SV_ALPN SV_PORT,
	   -EINVAL, NULL, false),
	SC("empty mandatory",
	   "\x00\x01\x00"
	   "\x00\x00\x00\x00",
	   -EINVAL, NULL, false),
	/* A second ech hidden behind disorder must not survive: refused. */
	SC("keys not increasing", "\x00\x01\x00" SV_V4 SV_ALPN, -EINVAL, NULL,
	   false),
	SC("key twice", "\x00\x01\x00" SV_ECH SV_ECH, -EINVAL, NULL, false),
	SC("ech then lower key", "\x00\x01\x00" SV_ECH SV_V4, -EINVAL, NULL,
	   false),
	SC("value past the end",
	   "\x00\x01\x00"
	   "\x00\x05\x00\x07\x00\x04\xfe\x0d\xab\xcd",
	   -EINVAL, NULL, false),
	SC("param header cut",
	   "\x00\x01\x00"
	   "\x00\x05\x00",
	   -EINVAL, NULL, false),
	SC("compressed target", "\x00\x01\xc0\x0c" SV_ECH, -EINVAL, NULL,
	   false),
	SC("label past the end",
	   "\x00\x01\x05"
	   "ab",
	   -EINVAL, NULL, false),
	SC("no root label",
	   "\x00\x01\x02"
	   "ab",
	   -EINVAL, NULL, false),
	SC("label of 64", "\x00\x01\x40", -EINVAL, NULL, false),
	SC("priority only", "\x00\x01", -EINVAL, NULL, false),
	SC("empty", "", -EINVAL, NULL, false),
#undef SC
};

static void test_svcb_strip_table(void)
{
	uint8_t out[512], again[512];
	size_t i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(svcb_cases); i++) {
		const uint8_t *in = (const uint8_t *)svcb_cases[i].in;
		size_t len = svcb_cases[i].in_len;
		bool removed = !svcb_cases[i].removed;
		ssize_t n;

		n = dns_msg_svcb_strip(in, len, out, sizeof(out), &removed);
		if (n != svcb_cases[i].rc ||
		    (n >= 0 && (memcmp(out, svcb_cases[i].out, (size_t)n) ||
				removed != svcb_cases[i].removed))) {
			fprintf(stderr, "svcb %s: got %zd removed %d\n",
				svcb_cases[i].what, n, removed);
			failed++;
			continue;
		}
		if (n < 0)
			continue;
		/* Stripping again changes nothing; @len always suffices,
		 * one byte less than the output does not. */
		CHECK_EQ(dns_msg_svcb_strip(out, (size_t)n, again, (size_t)n,
					    &removed),
			 n);
		CHECK(!removed);
		CHECK(!memcmp(out, again, (size_t)n));
		CHECK_EQ(dns_msg_svcb_strip(in, len, again, len, NULL), n);
		CHECK_EQ(
			dns_msg_svcb_strip(in, len, again, (size_t)n - 1, NULL),
			-ENOSPC);
	}
	CHECK_EQ(failed, 0);
}

/* An HTTPS answer with ech, an A, an HTTPS with ech mandatory. */
static void build_https(struct pkt *p)
{
	static const uint8_t with_ech[] = "\x00\x01\x00" SV_ALPN SV_ECH SV_V6;
	static const uint8_t mand_ech[] = "\x00\x02\x00"
					  "\x00\x00\x00\x02\x00\x05" SV_ECH;

	pkt_hdr(p, 0x4242, 0x8180, 1, 3, 0, 0);
	pkt_question(p, "web.test", DNS_TYPE_HTTPS);
	pkt_ptr(p, 12);
	pkt_rr_fixed(p, DNS_TYPE_HTTPS, 300, sizeof(with_ech) - 1);
	pkt_bytes(p, with_ech, sizeof(with_ech) - 1);
	pkt_ptr(p, 12);
	pkt_rr_fixed(p, DNS_TYPE_A, 300, 4);
	pkt_bytes(p, "\xc0\x00\x02\x01", 4);
	pkt_ptr(p, 12);
	pkt_rr_fixed(p, DNS_TYPE_SVCB, 300, sizeof(mand_ech) - 1);
	pkt_bytes(p, mand_ech, sizeof(mand_ech) - 1);
}

static void test_rebuild_svcb(void)
{
	static const uint8_t q[] = "\x03web\x04test\x00\x00\x41\x00\x01";
	static const uint8_t want[] = "\x00\x01\x00" SV_ALPN SV_V6;
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dns_response *r2 = calloc(1, sizeof(*r2));
	struct pkt *p = calloc(1, sizeof(*p));
	struct dns_svcb_report rep = {7, 7};
	struct dns_rebuild how = {0x1234, q,   sizeof(q) - 1, true,
				  1232,	  512, &rep};
	uint8_t out[1024];
	ssize_t n;

	build_https(p);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->n_answers, 3);
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     sizeof(out));
	CHECK(n > 0);
	CHECK_EQ(rep.ech_removed, 1);
	CHECK_EQ(rep.dropped, 1);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	/* The mandatory-ech record left out, without TC. */
	CHECK_EQ(r2->an_count, 2);
	CHECK(!r2->truncated);
	CHECK_EQ(r2->answers[0].type, DNS_TYPE_HTTPS);
	CHECK_EQ(r2->answers[0].rdlen, sizeof(want) - 1);
	CHECK(!memcmp(out + r2->answers[0].rdata_off, want, sizeof(want) - 1));
	CHECK_EQ(r2->answers[1].type, DNS_TYPE_A);
	/* Exactly 10 bytes (the ech SvcParam) and one record shorter. */
	CHECK_EQ((size_t)n, p->n - 10 - (2 + 10 + 3 + 6 + 10) + 11);
	/* No report asked for: the same bytes. */
	how.svcb = NULL;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  sizeof(out)),
		 n);
	free(r);
	free(r2);
	free(p);
}

/* Names in MX, SOA, SRV and CNAME rdata come out decompressed. */
static void test_rebuild_rdata_names(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dns_response *r2 = calloc(1, sizeof(*r2));
	uint8_t out[1024];
	struct dns_rebuild how = {5,
				  (const uint8_t *)real_srv + 12,
				  sizeof(real_srv) - 1 - 12,
				  false,
				  0,
				  512,
				  NULL};
	static const uint8_t want_srv_rdata[] =
		"\x00\x01\x00\x02\x00\x50\x04host\x04test\x00";
	static const uint8_t want_mx[] =
		"\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x00\x00\x09"
		"\x00\x0a\x04mail\xc0\x0c";
	size_t qlen;
	ssize_t n;

	/* SRV: never compressed (RFC 2782), so the name is spelled out. */
	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_srv), r), 0);
	how.question_len = r->q.wire_len;
	n = dns_msg_response_rebuild((const uint8_t *)HEXS(real_srv), r, NULL,
				     &how, out, sizeof(out));
	CHECK(n > 0);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->an_count, 1);
	CHECK_EQ(r2->n_additional, 0);
	CHECK_EQ(r2->answers[0].rdlen, sizeof(want_srv_rdata) - 1);
	CHECK(!memcmp(out + r2->answers[0].rdata_off, want_srv_rdata,
		      sizeof(want_srv_rdata) - 1));

	/* MX: "mail" + a pointer to the question written (mx.test). */
	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_mx), r), 0);
	how.question = (const uint8_t *)real_mx + 12;
	how.question_len = r->q.wire_len;
	n = dns_msg_response_rebuild((const uint8_t *)HEXS(real_mx), r, NULL,
				     &how, out, sizeof(out));
	qlen = r->q.wire_len;
	CHECK_EQ(n, 12 + qlen + sizeof(want_mx) - 1);
	CHECK(!memcmp(out + 12 + qlen, want_mx, sizeof(want_mx) - 1));
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);

	/* CNAME whose target is compressed into another record's rdata:
	 * copied as is, the pointer would dangle; rebuilt, it reads back. */
	CHECK_EQ(dns_msg_response_parse((const uint8_t *)HEXS(real_cname_a), r),
		 0);
	how.question = (const uint8_t *)real_cname_a + 12;
	how.question_len = r->q.wire_len;
	{
		bool keep[2] = {false, true};

		n = dns_msg_response_rebuild(
			(const uint8_t *)HEXS(real_cname_a), r, keep, &how, out,
			sizeof(out));
	}
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->an_count, 1);
	CHECK_STREQ(r2->answers[0].name, "host.test");
	CHECK(!memcmp(r2->answers[0].addr, "\xc0\x00\x02\x08", 4));
	free(r);
	free(r2);
}

static void test_rebuild_limits(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dns_response *r2 = calloc(1, sizeof(*r2));
	struct pkt *p = calloc(1, sizeof(*p));
	uint8_t *out = malloc(DNS_MSG_MAX);
	struct dns_rebuild how = {1,   q_t_test, sizeof(q_t_test) - 1, false, 0,
				  512, NULL};
	size_t fixed = 12 + sizeof(q_t_test) - 1; /* 24 */
	bool keep[DNS_MAX_RR];
	ssize_t n;

	/* 40 answers of 16 bytes: 664 bytes, more than 512. */
	build_many(p, 40, 0x8180);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     DNS_MSG_MAX);
	CHECK_EQ(n, fixed + 30 * 16); /* (512 - 24) / 16 = 30 */
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK(r2->truncated);
	CHECK_EQ(r2->an_count, 30);
	CHECK_EQ(r2->answers[29].addr[3], 29);

	/* With OPT the limit holds it too: 512 - 24 - 11 = 477: 29. */
	how.opt = true;
	how.udp_size = 1232;
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     DNS_MSG_MAX);
	CHECK_EQ(n, fixed + 29 * 16 + 11);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK(r2->truncated && r2->has_opt);
	CHECK_EQ(r2->an_count, 29);

	/* Room for no answer at all: an empty TC reply. */
	how.max_len = fixed + 11 + 15;
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     DNS_MSG_MAX);
	CHECK_EQ(n, fixed + 11);
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK(r2->truncated);
	CHECK_EQ(r2->an_count, 0);

	/* Not even the question. */
	how.max_len = fixed + 10;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  DNS_MSG_MAX),
		 -EMSGSIZE);
	how.max_len = 5;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  DNS_MSG_MAX),
		 -EMSGSIZE);

	/* The buffer, not the limit, is short: an error, not a TC. */
	how.max_len = 512;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out, 100),
		 -ENOSPC);
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out, 20),
		 -ENOSPC);
	/* Two answers fit the buffer, the OPT after them does not. */
	memset(keep, 0, sizeof(keep));
	keep[0] = keep[1] = true;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, keep, &how, out,
					  fixed + 2 * 16 + 10),
		 -ENOSPC);
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, keep, &how, out,
					  fixed + 2 * 16 + 11),
		 fixed + 2 * 16 + 11);

	/* A question with a pointer, or cut short, is refused. */
	how.question = (const uint8_t *)"\x01t\xc0\x0c\x00\x01\x00\x01";
	how.question_len = 8;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  DNS_MSG_MAX),
		 -EINVAL);
	how.question = q_t_test;
	how.question_len = sizeof(q_t_test) - 2;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  DNS_MSG_MAX),
		 -EINVAL);

	/* @r that does not describe @msg. */
	how.question_len = sizeof(q_t_test) - 1;
	r->answers[3].name_off = p->n + 10;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  DNS_MSG_MAX),
		 -EINVAL);
	r->answers[3].name_off = r->answers[4].name_off;
	CHECK_EQ(dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
					  DNS_MSG_MAX),
		 -EINVAL);
	free(out);
	free(r);
	free(r2);
	free(p);
}

/* An extended RCODE survives with OPT and becomes SERVFAIL without. */
static void test_rebuild_rcode(void)
{
	struct dns_response *r = calloc(1, sizeof(*r));
	struct dns_response *r2 = calloc(1, sizeof(*r2));
	struct pkt *p = calloc(1, sizeof(*p));
	uint8_t out[512];
	struct dns_rebuild how = {
		1, q_t_test, sizeof(q_t_test) - 1, true, 1232, 512, NULL};
	ssize_t n;

	pkt_hdr(p, 7, 0x8183, 1, 0, 0, 1);
	pkt_question(p, "t.test", DNS_TYPE_A);
	pkt_opt(p, 4096, 0x01000000);
	CHECK_EQ(dns_msg_response_parse(p->b, p->n, r), 0);
	CHECK_EQ(r->rcode, 16 + 3);
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     sizeof(out));
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->rcode, 19);
	how.opt = false;
	n = dns_msg_response_rebuild(p->b, p->n, r, NULL, &how, out,
				     sizeof(out));
	CHECK_EQ(dns_msg_response_parse(out, (size_t)n, r2), 0);
	CHECK_EQ(r2->rcode, DNS_RCODE_SERVFAIL);
	free(r);
	free(r2);
	free(p);
}

static void test_small_helpers(void)
{
	uint8_t m[16] = {0}, pre[2];
	struct dns_question a = {"t.test", 1, 1, 12, 12};
	struct dns_question b = {"T.TEST", 1, 1, 12, 12};

	dns_msg_set_id(m, sizeof(m), 0xabcd);
	CHECK(m[0] == 0xab && m[1] == 0xcd);
	dns_msg_set_id(m, 1, 0x1111); /* too short: untouched */
	CHECK(m[0] == 0xab);

	CHECK(dns_msg_question_equal(&a, &b));
	b.qtype = 28;
	CHECK(!dns_msg_question_equal(&a, &b));
	b.qtype = 1;
	b.qclass = 3;
	CHECK(!dns_msg_question_equal(&a, &b));
	b.qclass = 1;
	memcpy(b.name, "t.tes", 6);
	CHECK(!dns_msg_question_equal(&a, &b));

	CHECK_EQ(dns_msg_tcp_frame((const uint8_t *)"", 0), 0);
	CHECK_EQ(dns_msg_tcp_frame((const uint8_t *)"\x00", 1), 0);
	CHECK_EQ(dns_msg_tcp_frame((const uint8_t *)"\x00\x0b", 2), -EMSGSIZE);
	CHECK_EQ(dns_msg_tcp_frame((const uint8_t *)"\x00\x0c", 2), 0);
	CHECK_EQ(dns_msg_tcp_frame((const uint8_t *)"\x00\x0c" QHDR, 14), 14);
	CHECK_EQ(dns_msg_tcp_frame((const uint8_t *)"\x00\x0c" QHDR "xx", 16),
		 14);
	CHECK_EQ(dns_msg_tcp_prefix(300, pre), 0);
	CHECK(pre[0] == 1 && pre[1] == 44);
	CHECK_EQ(dns_msg_tcp_prefix(65536, pre), -EMSGSIZE);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_query_table),
	HARNESS_TEST(test_query_fields),
	HARNESS_TEST(test_query_name_limits),
	HARNESS_TEST(test_response_real),
	HARNESS_TEST(test_response_chain),
	HARNESS_TEST(test_response_table),
	HARNESS_TEST(test_response_names),
	HARNESS_TEST(test_response_many),
	HARNESS_TEST(test_reply_error),
	HARNESS_TEST(test_rebuild_strip),
	HARNESS_TEST(test_svcb_strip_table),
	HARNESS_TEST(test_rebuild_svcb),
	HARNESS_TEST(test_rebuild_rdata_names),
	HARNESS_TEST(test_rebuild_limits),
	HARNESS_TEST(test_rebuild_rcode),
	HARNESS_TEST(test_small_helpers),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
