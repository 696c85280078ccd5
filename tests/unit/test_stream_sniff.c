/* SPDX-License-Identifier: MIT */
/*
 * test_stream_sniff.c - the relay's stream parsers (netstack/stream_sniff.h):
 * ClientHellos and HTTP heads captured from real clients on loopback
 * (tests/fuzz/capture_stream_seeds.py; the files are the fuzz corpus), fed
 * whole, a byte at a time and re-fragmented into records at every offset,
 * and hand-built messages for every outcome and every refusal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/common.h"
#include "netstack/stream_sniff.h"
#include "tests/harness/harness.h"

#ifndef STREAM_SNIFF_CORPUS
#error "STREAM_SNIFF_CORPUS must name tests/fuzz/corpus"
#endif

/* A byte string under construction. */
struct buf {
	uint8_t b[70000];
	size_t n;
};

static void buf_bytes(struct buf *p, const void *b, size_t n)
{
	CHECK(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, b, n);
	p->n += n;
}

static void buf_u8(struct buf *p, unsigned v)
{
	uint8_t c = (uint8_t)v;

	buf_bytes(p, &c, 1);
}

static void buf_u16(struct buf *p, unsigned v)
{
	buf_u8(p, v >> 8);
	buf_u8(p, v);
}

static void buf_str(struct buf *p, const char *s)
{
	buf_bytes(p, s, strlen(s));
}

static struct buf *buf_new(void)
{
	struct buf *p = calloc(1, sizeof(*p));

	CHECK(p);
	return p;
}

/* Read a corpus file into @p. */
static void buf_load(struct buf *p, const char *kind, const char *name)
{
	char path[512];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", STREAM_SNIFF_CORPUS, kind,
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		harness_fail(__FILE__, __LINE__, "open %s: %m", path);
	p->n = 0;
	r = read(fd, p->b, sizeof(p->b));
	close(fd);
	CHECK(r > 0);
	p->n = (size_t)r;
}

/* ---------------------------------------------------------------------------
 * TLS: building ClientHellos.
 */

/* One extension: type, then its data. */
static void ext_put(struct buf *e, unsigned type, const void *data, size_t n)
{
	buf_u16(e, type);
	buf_u16(e, (unsigned)n);
	buf_bytes(e, data, n);
}

/* server_name with one host_name entry of @name (@n bytes). */
static void ext_sni(struct buf *e, const void *name, size_t n)
{
	struct buf *d = buf_new();

	buf_u16(d, (unsigned)(n + 3));
	buf_u8(d, 0);
	buf_u16(d, (unsigned)n);
	buf_bytes(d, name, n);
	ext_put(e, 0, d->b, d->n);
	free(d);
}

/*
 * A ClientHello handshake message (header included) with extensions block
 * @ext (NULL: none at all), in @out.
 */
static void hello_msg(struct buf *out, const struct buf *ext)
{
	struct buf *b = buf_new();
	size_t i;

	buf_u16(b, 0x0303);
	for (i = 0; i < 32; i++)
		buf_u8(b, i);
	buf_u8(b, 32);
	for (i = 0; i < 32; i++)
		buf_u8(b, 0xa0 + i);
	buf_u16(b, 6);
	buf_u16(b, 0x1301);
	buf_u16(b, 0x1302);
	buf_u16(b, 0xc02f);
	buf_u8(b, 1);
	buf_u8(b, 0);
	if (ext) {
		buf_u16(b, (unsigned)ext->n);
		buf_bytes(b, ext->b, ext->n);
	}
	out->n = 0;
	buf_u8(out, 1);
	buf_u8(out, (unsigned)(b->n >> 16));
	buf_u16(out, (unsigned)(b->n & 0xffff));
	buf_bytes(out, b->b, b->n);
	free(b);
}

/* Wrap @msg in records of at most @frag payload bytes, version @v. */
static void records(struct buf *out, const uint8_t *msg, size_t n, size_t frag,
		    unsigned v)
{
	size_t off = 0, k;

	out->n = 0;
	while (off < n) {
		k = n - off < frag ? n - off : frag;
		buf_u8(out, 22);
		buf_u16(out, v);
		buf_u16(out, (unsigned)k);
		buf_bytes(out, msg + off, k);
		off += k;
	}
}

/* A one-record ClientHello with extensions @ext. */
static void hello(struct buf *out, const struct buf *ext)
{
	struct buf *m = buf_new();

	hello_msg(m, ext);
	records(out, m->b, m->n, 16384, 0x0301);
	free(m);
}

static int tls_parse(const struct buf *p, struct tls_hello *h)
{
	return tls_hello_parse(p->b, p->n, h);
}

/*
 * Feed @p a byte at a time: NEED_MORE (with a @need beyond what is there
 * and never beyond the whole) until the last byte, then @want.
 */
static void tls_trickle(const struct buf *p, int want)
{
	struct tls_hello h;
	size_t k;
	int rc;

	for (k = 0; k < p->n; k++) {
		rc = tls_hello_parse(p->b, k, &h);
		if (rc != TLS_HELLO_NEED_MORE)
			harness_fail(__FILE__, __LINE__,
				     "prefix %zu of %zu: %d (%s)", k, p->n, rc,
				     h.why ? h.why : "");
		CHECK(h.need > k && h.need <= p->n);
	}
	CHECK(tls_hello_parse(p->b, p->n, &h) == want);
}

struct tls_client {
	const char *file;
	int status;
	const char *sni;
	const char *alpn; /* NULL: not checked */
	bool tls13;
};

static const struct tls_client tls_clients[] = {
	{"client-curl-openssl", TLS_HELLO_OK, "pypi.org", "h2,http/1.1", true},
	{"client-curl-tls12", TLS_HELLO_OK, "files.pythonhosted.org",
	 "http/1.1", false},
	{"client-openssl-s_client", TLS_HELLO_OK, "example.com", "h2,http/1.1",
	 true},
	{"client-openssl-noservername", TLS_HELLO_NO_SNI, "", "", true},
	{"client-openssl-tls12-sessticket", TLS_HELLO_OK, "deb.debian.org", "",
	 false},
	{"client-python-ssl", TLS_HELLO_OK, "github.com", NULL, true},
	{"client-python-requests", TLS_HELLO_OK, "localhost", "http/1.1", true},
	{"client-node-tls", TLS_HELLO_OK, "registry.npmjs.org", "h2,http/1.1",
	 true},
	{"client-wget-gnutls", TLS_HELLO_OK, "localhost", NULL, true},
	{"client-git-https", TLS_HELLO_OK, "localhost", NULL, true},
	{"client-go-crypto-tls", TLS_HELLO_OK, "proxy.golang.org",
	 "h2,http/1.1", true},
};

static void tls_client_check(const struct tls_client *c, const struct buf *p,
			     const struct tls_hello *h, int rc)
{
	if (rc != c->status || strcmp(h->sni, c->sni))
		harness_fail(__FILE__, __LINE__, "%s: %d '%s' (%s)", c->file,
			     rc, h->sni, h->why ? h->why : "");
	if (c->alpn && strcmp(h->alpn, c->alpn))
		harness_fail(__FILE__, __LINE__, "%s: alpn '%s'", c->file,
			     h->alpn);
	CHECK(h->tls13 == c->tls13);
	CHECK(h->end == p->n);
	CHECK(!h->why);
}

/* Every real client's ClientHello, whole and a byte at a time. */
static void test_tls_clients(void)
{
	struct buf *p = buf_new();
	struct tls_hello h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tls_clients); i++) {
		buf_load(p, "tls_hello", tls_clients[i].file);
		tls_client_check(&tls_clients[i], p, &h, tls_parse(p, &h));
		CHECK(h.records == 1);
		tls_trickle(p, tls_clients[i].status);
	}
	free(p);
}

/*
 * A real ClientHello re-fragmented: two records split at every offset of
 * the handshake message, three records at a spread of offset pairs, and one
 * byte per record; each also fed a byte at a time at a few splits.
 */
static void test_tls_fragmented(void)
{
	const struct tls_client *c = &tls_clients[0];
	struct buf *p = buf_new(), *msg = buf_new(), *f = buf_new();
	struct tls_hello h;
	size_t a, b;

	buf_load(p, "tls_hello", c->file);
	CHECK(p->n > 5 && p->b[0] == 22);
	buf_bytes(msg, p->b + 5, p->n - 5);
	for (a = 1; a < msg->n; a++) {
		f->n = 0;
		buf_u8(f, 22);
		buf_u16(f, 0x0301);
		buf_u16(f, (unsigned)a);
		buf_bytes(f, msg->b, a);
		buf_u8(f, 22);
		buf_u16(f, 0x0301);
		buf_u16(f, (unsigned)(msg->n - a));
		buf_bytes(f, msg->b + a, msg->n - a);
		h.records = 0;
		if (tls_parse(f, &h) != TLS_HELLO_OK || strcmp(h.sni, c->sni))
			harness_fail(__FILE__, __LINE__, "split at %zu: %s", a,
				     h.why ? h.why : "");
		CHECK(h.records == 2 && h.end == f->n);
		if (a % 97 == 1)
			tls_trickle(f, TLS_HELLO_OK);
	}
	for (a = 1; a < msg->n; a += 7) {
		for (b = a + 1; b < msg->n; b += 13) {
			f->n = 0;
			buf_u8(f, 22);
			buf_u16(f, 0x0303);
			buf_u16(f, (unsigned)a);
			buf_bytes(f, msg->b, a);
			buf_u8(f, 22);
			buf_u16(f, 0x0303);
			buf_u16(f, (unsigned)(b - a));
			buf_bytes(f, msg->b + a, b - a);
			buf_u8(f, 22);
			buf_u16(f, 0x0303);
			buf_u16(f, (unsigned)(msg->n - b));
			buf_bytes(f, msg->b + b, msg->n - b);
			CHECK(tls_parse(f, &h) == TLS_HELLO_OK);
			CHECK(!strcmp(h.sni, c->sni) && h.records == 3);
		}
	}
	records(f, msg->b, msg->n, 1, 0x0301);
	CHECK(f->n == msg->n * 6);
	CHECK(tls_parse(f, &h) == TLS_HELLO_OK && !strcmp(h.sni, c->sni));
	CHECK(h.records == msg->n && h.end == f->n);
	tls_trickle(f, TLS_HELLO_OK);
	/* Bytes after the ClientHello's last record are not looked at. */
	buf_str(f, "\x14\x03\x03\x00\x01\x01garbage");
	CHECK(tls_parse(f, &h) == TLS_HELLO_OK && h.end == msg->n * 6);
	free(f);
	free(msg);
	free(p);
}

struct tls_case {
	const char *what;
	int status;
	const char *sni;
};

static void tls_expect(const struct buf *p, const struct tls_case *c)
{
	struct tls_hello h;
	int rc = tls_parse(p, &h);

	if (rc != c->status || (c->sni && strcmp(h.sni, c->sni)))
		harness_fail(__FILE__, __LINE__, "%s: %d '%s' (%s)", c->what,
			     rc, h.sni, h.why ? h.why : "");
	CHECK((rc == TLS_HELLO_BAD) == (h.why != NULL));
	if (rc == TLS_HELLO_BAD)
		CHECK(!h.sni[0] && !h.end);
	else
		CHECK(h.end == p->n);
}

/* Hand-built ClientHellos for each outcome of the extensions. */
static void test_tls_extensions(void)
{
	static const uint8_t grease[2] = {0, 0};
	static const uint8_t alpn[] = "\x00\x0c\x02h2\x08http/1.1";
	static const uint8_t alpn_empty[] = "\x00\x04\x02h2\x00";
	static const uint8_t versions[] = "\x06\x0a\x0a\x03\x04\x03\x03";
	struct buf *e = buf_new(), *p = buf_new(), *d = buf_new();
	char name[300];
	struct tls_hello h;

	hello(p, NULL);
	tls_expect(p,
		   &(struct tls_case){"no extensions", TLS_HELLO_NO_SNI, ""});
	hello(p, e);
	tls_expect(p, &(struct tls_case){"empty extensions", TLS_HELLO_NO_SNI,
					 ""});
	ext_put(e, 0x0a0a, grease, 0);
	ext_sni(e, "Example.COM.", 12);
	ext_put(e, 0x1a1a, grease, 1);
	ext_put(e, 16, alpn, sizeof(alpn) - 1);
	ext_put(e, 43, versions, sizeof(versions) - 1);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"GREASE, SNI, ALPN", TLS_HELLO_OK,
					 "example.com"});
	CHECK(tls_parse(p, &h) == TLS_HELLO_OK && h.tls13);
	CHECK(!strcmp(h.alpn, "h2,http/1.1") && !h.alpn_cut);
	CHECK(h.record_version == 0x0301 && h.client_version == 0x0303);

	/* ECH, with and without an outer SNI, and the older codepoints. */
	e->n = 0;
	ext_sni(e, "public.example", 14);
	ext_put(e, TLS_EXT_ECH, "\x00\x01\x02", 3);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"ECH with outer SNI", TLS_HELLO_ECH,
					 "public.example"});
	e->n = 0;
	ext_put(e, TLS_EXT_ECH, "\x00", 1);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"ECH alone", TLS_HELLO_ECH, ""});
	e->n = 0;
	ext_put(e, TLS_EXT_ESNI, "", 0);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"ESNI", TLS_HELLO_ECH, ""});
	e->n = 0;
	ext_put(e, 0xfe0a, "", 0);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"ECH draft 10", TLS_HELLO_ECH, ""});
	e->n = 0;
	ext_put(e, TLS_EXT_ECH_OUTER, "", 0);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"ech_outer_extensions", TLS_HELLO_ECH,
					 ""});
	e->n = 0;
	ext_put(e, 0xfe0e, "", 0);
	ext_sni(e, "a.test", 6);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"unknown 0xfe0e", TLS_HELLO_OK,
					 "a.test"});
	/* BAD wins over ECH. */
	e->n = 0;
	ext_put(e, TLS_EXT_ECH, "", 0);
	ext_sni(e, "bad name", 8);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"ECH, bad SNI", TLS_HELLO_BAD, ""});

	/* Two names: in one list, or two server_name extensions. */
	e->n = 0;
	d->n = 0;
	buf_u16(d, 14);
	buf_u8(d, 0);
	buf_u16(d, 4);
	buf_str(d, "a.io");
	buf_u8(d, 0);
	buf_u16(d, 4);
	buf_str(d, "b.io");
	ext_put(e, 0, d->b, d->n);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"two host_name", TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_sni(e, "a.io", 4);
	ext_sni(e, "b.io", 4);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"two server_name", TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_put(e, 0x0a0a, "", 0);
	ext_put(e, 0x0a0a, "", 0);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"repeated GREASE", TLS_HELLO_BAD, ""});
	/* name_type 1, empty list, list not filling the extension. */
	e->n = 0;
	ext_put(e, 0, "\x00\x07\x01\x00\x04a.io", 9);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"name_type 1", TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_put(e, 0, "\x00\x00", 2);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"empty list", TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_put(e, 0, "\x00\x07\x00\x00\x04a.ioX", 10);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"list short of the extension",
					 TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_put(e, 0, "\x00\x07\x00\x00\x05a.io", 9);
	hello(p, e);
	tls_expect(p,
		   &(struct tls_case){"name past the list", TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_put(e, 0, "", 0);
	hello(p, e);
	tls_expect(p,
		   &(struct tls_case){"server_name empty", TLS_HELLO_BAD, ""});

	/* Names: normalised or refused as policy_name_normalize() does. */
	static const struct {
		const char *n;
		int status;
		const char *sni;
	} names[] = {
		{"WWW.Example.Org", TLS_HELLO_OK, "www.example.org"},
		{"x_y.example.", TLS_HELLO_OK, "x_y.example"},
		{"127.0.0.1", TLS_HELLO_BAD, ""},
		{"::1", TLS_HELLO_BAD, ""},
		{"a..b", TLS_HELLO_BAD, ""},
		{"a.b..", TLS_HELLO_BAD, ""},
		{"-a.b", TLS_HELLO_BAD, ""},
		{"", TLS_HELLO_BAD, ""},
		{".", TLS_HELLO_BAD, ""},
		{"*.a.b", TLS_HELLO_BAD, ""},
		{"a b.c", TLS_HELLO_BAD, ""},
		{"caf\xc3\xa9.fr", TLS_HELLO_BAD, ""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		e->n = 0;
		ext_sni(e, names[i].n, strlen(names[i].n));
		hello(p, e);
		tls_expect(p, &(struct tls_case){names[i].n, names[i].status,
						 names[i].sni});
	}
	e->n = 0;
	ext_sni(e, "a\0b.c", 5);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"NUL in name", TLS_HELLO_BAD, ""});
	/* 253 bytes pass, 253 + "." too, 254 do not. */
	memset(name, 'a', sizeof(name));
	for (size_t i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '.';
	e->n = 0;
	ext_sni(e, name, 253);
	hello(p, e);
	CHECK(tls_parse(p, &h) == TLS_HELLO_OK && strlen(h.sni) == 253);
	e->n = 0;
	ext_sni(e, name, 254);
	hello(p, e);
	CHECK(tls_parse(p, &h) == TLS_HELLO_OK && strlen(h.sni) == 253);
	name[253] = 'a';
	e->n = 0;
	ext_sni(e, name, 254);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"254", TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_sni(e, name, 290);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"290", TLS_HELLO_BAD, ""});

	/* ALPN: an empty name is malformed; a long list is cut for show. */
	e->n = 0;
	ext_put(e, 16, alpn_empty, sizeof(alpn_empty) - 1);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"empty ALPN name", TLS_HELLO_BAD, ""});
	e->n = 0;
	d->n = 0;
	buf_u16(d, 200);
	for (size_t i = 0; i < 20; i++)
		buf_str(d, "\x09"
			   "abcdef\x01,x");
	ext_put(e, 16, d->b, d->n);
	hello(p, e);
	CHECK(tls_parse(p, &h) == TLS_HELLO_NO_SNI && h.alpn_cut);
	CHECK(strlen(h.alpn) == TLS_HELLO_ALPN_MAX);
	CHECK(!strncmp(h.alpn, "abcdef??x,abcdef??x", 19));

	/* Extension lengths: past the block, block past the body, count. */
	e->n = 0;
	ext_sni(e, "a.io", 4);
	e->b[3] += 1;
	hello(p, e);
	tls_expect(p, &(struct tls_case){"extension past the block",
					 TLS_HELLO_BAD, ""});
	e->n = 0;
	ext_sni(e, "a.io", 4);
	buf_u8(e, 0);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"half an extension header",
					 TLS_HELLO_BAD, ""});
	e->n = 0;
	for (unsigned i = 0; i < TLS_HELLO_EXT_MAX; i++)
		ext_put(e, 0x2000 + i, "", 0);
	hello(p, e);
	tls_expect(p,
		   &(struct tls_case){"128 extensions", TLS_HELLO_NO_SNI, ""});
	ext_put(e, 0x3000, "", 0);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"129 extensions", TLS_HELLO_BAD, ""});
	free(d);
	free(p);
	free(e);
}

/* Hand-built record and body defects. */
static void test_tls_records(void)
{
	struct buf *e = buf_new(), *p = buf_new(), *m = buf_new(),
		   *f = buf_new();
	struct tls_hello h;
	size_t i;

	CHECK(tls_hello_parse(NULL, 0, &h) == TLS_HELLO_NEED_MORE);
	CHECK(h.need == 5);
	ext_sni(e, "a.io", 4);
	hello(p, e);
	tls_expect(p, &(struct tls_case){"plain", TLS_HELLO_OK, "a.io"});
	/* Not TLS: refused on the first byte. */
	CHECK(tls_hello_parse((const uint8_t *)"G", 1, &h) == TLS_HELLO_BAD);
	CHECK(tls_hello_parse((const uint8_t *)"\x17", 1, &h) == TLS_HELLO_BAD);
	/* SSLv2-compatible hello (RFC 5246 E.2). */
	CHECK(tls_hello_parse((const uint8_t *)"\x80\x2e\x01\x03\x01", 5, &h) ==
	      TLS_HELLO_BAD);
	CHECK(!strcmp(h.why, "SSLv2-compatible hello"));
	CHECK(tls_hello_parse((const uint8_t *)"\x80", 1, &h) == TLS_HELLO_BAD);
	/* Record versions: 3.0 and 3.4 refused, as soon as they are there. */
	for (i = 0; i < 3; i++) {
		static const uint8_t bad[3][3] = {
			{22, 3, 0}, {22, 3, 4}, {22, 2, 1}};

		CHECK(tls_hello_parse(bad[i], 3 - (i == 2), &h) ==
		      TLS_HELLO_BAD);
	}
	memcpy(f->b, p->b, p->n);
	f->n = p->n;
	f->b[2] = 0;
	tls_expect(f, &(struct tls_case){"record 3.0", TLS_HELLO_BAD, ""});
	/* Versions differing between records. */
	hello_msg(m, e);
	records(f, m->b, m->n, 40, 0x0301);
	f->b[45 + 2] = 3;
	tls_expect(f, &(struct tls_case){"versions differ", TLS_HELLO_BAD, ""});
	/* Another content type among the ClientHello's records. */
	records(f, m->b, m->n, 40, 0x0301);
	f->b[45] = 23;
	tls_expect(f, &(struct tls_case){"app data inside", TLS_HELLO_BAD, ""});
	CHECK(tls_hello_parse(f->b, 46, &h) == TLS_HELLO_BAD);
	/* Empty record, record over 16384. */
	f->n = 0;
	buf_str(f, "\x16\x03\x01\x00\x00");
	buf_bytes(f, p->b, p->n);
	tls_expect(f, &(struct tls_case){"empty record", TLS_HELLO_BAD, ""});
	CHECK(tls_hello_parse((const uint8_t *)"\x16\x03\x01\x40\x01", 5, &h) ==
	      TLS_HELLO_BAD);
	CHECK(tls_hello_parse((const uint8_t *)"\x16\x03\x01\x40\x00", 5, &h) ==
	      TLS_HELLO_NEED_MORE);
	/* It reads the handshake type next. */
	CHECK(h.need == 6);
	/* A handshake type other than client_hello. */
	memcpy(f->b, p->b, p->n);
	f->n = p->n;
	f->b[5] = 2;
	tls_expect(f, &(struct tls_case){"ServerHello", TLS_HELLO_BAD, ""});
	CHECK(tls_hello_parse(f->b, 6, &h) == TLS_HELLO_BAD);
	/* The record runs past the message: refused when the length is read,
	 * without waiting for the rest of the record. */
	f->n = 0;
	buf_u8(f, 22);
	buf_u16(f, 0x0301);
	buf_u16(f, (unsigned)m->n + 1);
	buf_bytes(f, m->b, 4);
	CHECK(tls_hello_parse(f->b, f->n, &h) == TLS_HELLO_BAD);
	buf_bytes(f, m->b + 4, m->n - 4);
	buf_u8(f, 0);
	tls_expect(f, &(struct tls_case){"trailing byte in record",
					 TLS_HELLO_BAD, ""});
	/* A second handshake message in a later record. */
	records(f, m->b, m->n, 16384, 0x0301);
	buf_bytes(f, "\x16\x03\x01\x00\x04\x0b\x00\x00\x00", 9);
	CHECK(tls_parse(f, &h) == TLS_HELLO_OK && h.end == f->n - 9);
	/* client_version, session_id, cipher_suites, compression. */
	memcpy(f->b, p->b, p->n);
	f->n = p->n;
	f->b[9] = 0x02;
	tls_expect(f, &(struct tls_case){"client_version", TLS_HELLO_BAD, ""});
	memcpy(f->b, p->b, p->n);
	f->b[43] = 33;
	tls_expect(f, &(struct tls_case){"session_id 33", TLS_HELLO_BAD, ""});
	memcpy(f->b, p->b, p->n);
	f->b[77] = 5;
	tls_expect(f,
		   &(struct tls_case){"odd cipher_suites", TLS_HELLO_BAD, ""});
	memcpy(f->b, p->b, p->n);
	f->b[77] = 0;
	tls_expect(f, &(struct tls_case){"cipher_suites 0", TLS_HELLO_BAD, ""});
	memcpy(f->b, p->b, p->n);
	f->b[84] = 0;
	tls_expect(f, &(struct tls_case){"no compression", TLS_HELLO_BAD, ""});
	/* The extensions block not filling the body, by one either way. */
	memcpy(f->b, p->b, p->n);
	f->b[87]++;
	tls_expect(f, &(struct tls_case){"extensions past the body",
					 TLS_HELLO_BAD, ""});
	memcpy(f->b, p->b, p->n);
	f->b[87]--;
	tls_expect(f, &(struct tls_case){"extensions short of the body",
					 TLS_HELLO_BAD, ""});
	/* Message length: under the minimum, over the cap. */
	memcpy(f->b, p->b, p->n);
	f->b[6] = 0;
	f->b[7] = 0;
	f->b[8] = 40;
	tls_expect(f, &(struct tls_case){"body 40", TLS_HELLO_BAD, ""});
	CHECK(tls_hello_parse((const uint8_t *)"\x16\x03\x01\x40\x00\x01\x00"
					       "\x3f\xfd",
			      9, &h) == TLS_HELLO_BAD);
	CHECK(tls_hello_parse((const uint8_t *)"\x16\x03\x01\x40\x00\x01\x00"
					       "\x3f\xfc",
			      9, &h) == TLS_HELLO_NEED_MORE);
	free(f);
	free(m);
	free(p);
	free(e);
}

/* The caps: the largest message passes; the buffer cap holds. */
static void test_tls_caps(void)
{
	struct buf *e = buf_new(), *m = buf_new(), *f = buf_new();
	struct tls_hello h;
	size_t pad;

	ext_sni(e, "big.example", 11);
	hello_msg(m, e);
	pad = TLS_HELLO_MSG_MAX - m->n - 4;
	ext_put(e, 21, f->b, pad); /* padding (RFC 7685) of zeroes */
	hello_msg(m, e);
	CHECK(m->n == TLS_HELLO_MSG_MAX);
	records(f, m->b, m->n, 16384, 0x0303);
	CHECK(tls_parse(f, &h) == TLS_HELLO_OK && h.records == 1);
	/* In 256-byte records: 64 headers, within TLS_HELLO_BUF_MAX. */
	records(f, m->b, m->n, 256, 0x0303);
	CHECK(f->n <= TLS_HELLO_BUF_MAX);
	CHECK(tls_parse(f, &h) == TLS_HELLO_OK && h.records == 64);
	/* In 8-byte records: 2048 headers, 10 KiB over the cap. */
	records(f, m->b, m->n, 8, 0x0303);
	CHECK(f->n > TLS_HELLO_BUF_MAX);
	CHECK(tls_parse(f, &h) == TLS_HELLO_BAD);
	CHECK(!strcmp(h.why, "ClientHello records over the cap"));
	/* One more byte of padding is one over TLS_HELLO_MSG_MAX. */
	e->b[e->n - pad - 1]++;
	buf_u8(e, 0);
	hello_msg(m, e);
	CHECK(m->n == TLS_HELLO_MSG_MAX + 1);
	records(f, m->b, m->n, 16384, 0x0303);
	CHECK(tls_parse(f, &h) == TLS_HELLO_BAD);
	free(f);
	free(m);
	free(e);
}

static void test_sniff_guess(void)
{
	CHECK(stream_sniff_guess(NULL, 0) == STREAM_SNIFF_NEED_MORE);
	CHECK(stream_sniff_guess((const uint8_t *)"\x16", 1) ==
	      STREAM_SNIFF_TLS);
	CHECK(stream_sniff_guess((const uint8_t *)"\x80", 1) ==
	      STREAM_SNIFF_TLS);
	CHECK(stream_sniff_guess((const uint8_t *)"GET", 3) ==
	      STREAM_SNIFF_HTTP);
	CHECK(stream_sniff_guess((const uint8_t *)"\r\n", 2) ==
	      STREAM_SNIFF_OTHER);
}

/* ---------------------------------------------------------------------------
 * HTTP heads.
 */

struct http_client {
	const char *file;
	const char *method;
	enum http_head_form form;
	const char *host;
	enum http_head_host_kind kind;
	bool port; /* a port was given */
	enum http_head_body body;
};

static const struct http_client http_clients[] = {
	{"client-curl-get", "GET", HTTP_HEAD_FORM_ORIGIN, "localhost",
	 HTTP_HEAD_HOST_NAME, true, HTTP_HEAD_BODY_NONE},
	{"client-curl-ipv6-literal", "GET", HTTP_HEAD_FORM_ORIGIN, "::1",
	 HTTP_HEAD_HOST_IPV6, true, HTTP_HEAD_BODY_NONE},
	{"client-curl-post-chunked", "POST", HTTP_HEAD_FORM_ORIGIN, "localhost",
	 HTTP_HEAD_HOST_NAME, true, HTTP_HEAD_BODY_CHUNKED},
	{"client-curl-proxy-absolute", "GET", HTTP_HEAD_FORM_ABSOLUTE,
	 "pypi.org", HTTP_HEAD_HOST_NAME, false, HTTP_HEAD_BODY_NONE},
	{"client-curl-proxy-connect", "CONNECT", HTTP_HEAD_FORM_AUTHORITY,
	 "pypi.org", HTTP_HEAD_HOST_NAME, true, HTTP_HEAD_BODY_NONE},
	{"client-git-http", "GET", HTTP_HEAD_FORM_ORIGIN, "localhost",
	 HTTP_HEAD_HOST_NAME, true, HTTP_HEAD_BODY_NONE},
	{"client-go-net-http-proxy", "GET", HTTP_HEAD_FORM_ABSOLUTE,
	 "proxy.golang.org", HTTP_HEAD_HOST_NAME, false, HTTP_HEAD_BODY_NONE},
	{"client-node-http", "GET", HTTP_HEAD_FORM_ORIGIN, "registry.npmjs.org",
	 HTTP_HEAD_HOST_NAME, false, HTTP_HEAD_BODY_NONE},
	{"client-python-requests-post", "POST", HTTP_HEAD_FORM_ORIGIN,
	 "localhost", HTTP_HEAD_HOST_NAME, true, HTTP_HEAD_BODY_LENGTH},
	{"client-wget-get", "GET", HTTP_HEAD_FORM_ORIGIN, "localhost",
	 HTTP_HEAD_HOST_NAME, true, HTTP_HEAD_BODY_NONE},
};

/* Skip a chunked body at @p; return its length. */
static size_t http_skip_chunked(const uint8_t *p, size_t n)
{
	struct http_chunk c;
	size_t off = 0;
	bool first = true;

	for (;;) {
		int rc = http_chunk_parse(p + off, n - off, first, &c);

		if (rc != HTTP_CHUNK_OK)
			harness_fail(__FILE__, __LINE__, "chunk at %zu: %d %s",
				     off, rc, c.why ? c.why : "");
		off += c.line_len;
		if (c.last)
			return off;
		CHECK(c.size <= n - off);
		off += c.size;
		first = false;
	}
}

static void test_http_clients(void)
{
	struct buf *p = buf_new();
	struct http_head h;
	size_t i, k, end;
	int rc;

	for (i = 0; i < ARRAY_SIZE(http_clients); i++) {
		const struct http_client *c = &http_clients[i];

		buf_load(p, "http_head", c->file);
		rc = http_head_parse(p->b, p->n, &h);
		if (rc != HTTP_HEAD_OK || strcmp(h.host, c->host))
			harness_fail(__FILE__, __LINE__, "%s: %d '%s' (%s)",
				     c->file, rc, h.host, h.why ? h.why : "");
		CHECK(!strcmp(h.method, c->method) && h.form == c->form);
		CHECK(h.host_kind == c->kind && (h.port != 0) == c->port);
		CHECK(h.body == c->body && h.has_host_field);
		CHECK(h.version_minor == 1 && !h.why);
		CHECK(h.tunnel == (c->form == HTTP_HEAD_FORM_AUTHORITY));
		end = h.end;
		if (h.body == HTTP_HEAD_BODY_LENGTH)
			end += h.content_length;
		if (h.body == HTTP_HEAD_BODY_CHUNKED)
			end += http_skip_chunked(p->b + h.end, p->n - h.end);
		CHECK(end == p->n);
		for (k = 0; k < h.end; k++) {
			struct http_head g;

			if (http_head_parse(p->b, k, &g) != HTTP_HEAD_NEED_MORE)
				harness_fail(__FILE__, __LINE__,
					     "%s prefix %zu: %s", c->file, k,
					     g.why ? g.why : "");
			CHECK(g.need > k);
		}
	}
	free(p);
}

struct http_case {
	const char *head;
	int status;
	const char *host; /* OK: expected host */
	unsigned port;
};

static const struct http_case http_cases[] = {
	/* Host, normalised. */
	{"GET / HTTP/1.1\r\nHost: Example.COM.\r\n\r\n", HTTP_HEAD_OK,
	 "example.com", 0},
	{"GET / HTTP/1.1\r\nhOST:a.io:8080 \r\n\r\n", HTTP_HEAD_OK, "a.io",
	 8080},
	{"GET / HTTP/1.1\r\nHost: [::FFFF:1.2.3.4]:80\r\n\r\n", HTTP_HEAD_OK,
	 "::ffff:1.2.3.4", 80},
	{"GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n", HTTP_HEAD_OK, "10.0.0.1",
	 0},
	{"GET / HTTP/1.1\r\nHost: a_b.example\r\n\r\n", HTTP_HEAD_OK,
	 "a_b.example", 0},
	{"GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET / HTTP/1.1\r\nHost: [v1.x]\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: [1.2.3.4]\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: 1.2.3\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: 01.2.3.4\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io, b.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a%2eio\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost:\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io:\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io:0\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io:65536\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io:+80\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io:080080\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: us\xe9r.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	/* Host: exactly one (HTTP/1.1), and an authority always. */
	{"GET / HTTP/1.1\r\nHost: a.io\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nHOST: b.io\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET / HTTP/1.1\r\nX: y\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.0\r\nX: y\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.0\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK, "a.io", 0},
	{"GET http://a.io/ HTTP/1.0\r\n\r\n", HTTP_HEAD_OK, "a.io", 0},
	{"GET http://a.io/ HTTP/1.1\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	/* absolute-form: the target's authority; Host must agree. */
	{"GET http://A.io/x?y HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK,
	 "a.io", 0},
	{"GET HTTP://a.io:80 HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK,
	 "a.io", 80},
	{"GET https://a.io/ HTTP/1.1\r\nHost: a.io:443\r\n\r\n", HTTP_HEAD_OK,
	 "a.io", 0},
	{"GET http://a.io?q HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK,
	 "a.io", 0},
	{"GET http://[::1]:8/ HTTP/1.1\r\nHost: [0::1]:8\r\n\r\n", HTTP_HEAD_OK,
	 "::1", 8},
	{"GET http://a.io/ HTTP/1.1\r\nHost: b.io\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET http://a.io/ HTTP/1.1\r\nHost: a.io:8080\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET https://a.io/ HTTP/1.1\r\nHost: a.io:80\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET http://a.io@b.io/ HTTP/1.1\r\nHost: b.io\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET http://u:p@b.io/ HTTP/1.1\r\nHost: b.io\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET ftp://a.io/ HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET http:/a.io/ HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET http:///x HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET a.io/x HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	/* authority-form: CONNECT only, and CONNECT only with it. */
	{"CONNECT a.io:443 HTTP/1.1\r\nHost: a.io:443\r\n\r\n", HTTP_HEAD_OK,
	 "a.io", 443},
	{"CONNECT a.io:443 HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK,
	 "a.io", 443},
	{"CONNECT [::1]:22 HTTP/1.0\r\n\r\n", HTTP_HEAD_OK, "::1", 22},
	{"CONNECT a.io:443 HTTP/1.1\r\nHost: b.io:443\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"CONNECT a.io:443 HTTP/1.1\r\nHost: a.io:80\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"CONNECT a.io HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"CONNECT / HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"CONNECT http://a.io/ HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"CONNECT a.io:443 HTTP/1.1\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET a.io:443 HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	/* asterisk-form: OPTIONS only. */
	{"OPTIONS * HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK, "a.io", 0},
	{"GET * HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	/* Request line shape and version. */
	{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.2\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1 \r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / http/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.10\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET  / HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET /\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET /\xc3\xa9 HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET /\t HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"\r\nGET / HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK, "a.io", 0},
	{"\r\n\r\nGET / HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_NOT_HTTP,
	 NULL, 0},
	{"\nGET / HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_NOT_HTTP, NULL, 0},
	{"get / HTTP/1.1\r\nHost: a.io\r\n\r\n", HTTP_HEAD_OK, "a.io", 0},
	/* Not HTTP at all. */
	{"SSH-2.0-OpenSSH_9.2p1\r\n", HTTP_HEAD_NOT_HTTP, NULL, 0},
	{"\x16\x03\x01\x02\x00\x01", HTTP_HEAD_NOT_HTTP, NULL, 0},
	{" GET / HTTP/1.1\r\n\r\n", HTTP_HEAD_NOT_HTTP, NULL, 0},
	{"GET\t/ HTTP/1.1\r\n\r\n", HTTP_HEAD_NOT_HTTP, NULL, 0},
	{"ABCDEFGHIJKLMNOPQRSTUVWXY / HTTP/1.1\r\n", HTTP_HEAD_NOT_HTTP, NULL,
	 0},
	{"ABCDEFGHIJKLMNOPQRSTUVWX / HTTP/1.1\r\nHost: a.io\r\n\r\n",
	 HTTP_HEAD_OK, "a.io", 0},
	/* Field syntax. */
	{"GET / HTTP/1.1\r\nHost: a.io\r\n folded\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nX: y\r\n\tz\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET / HTTP/1.1\r\n Host: b.io\r\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET / HTTP/1.1\r\nHost : a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost\t: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\n: x\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nX-Y\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nX(y): z\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET / HTTP/1.1\nHost: a.io\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\n\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\rX: y\r\n\r\n", HTTP_HEAD_BAD, NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nX: \x01\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nX: \x7f\r\n\r\n", HTTP_HEAD_BAD, NULL,
	 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nX: \x1b[0m\r\n\r\n", HTTP_HEAD_BAD,
	 NULL, 0},
	{"GET / HTTP/1.1\r\nHost: a.io\r\nUser-Agent: caf\xc3\xa9\t1\r\n\r\n",
	 HTTP_HEAD_OK, "a.io", 0},
	/* Body framing: the shapes request smuggling is made of. */
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 3\r\n"
	 "Transfer-Encoding: chunked\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: gzip\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: chunked, "
	 "gzip\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: chunked\r\n"
	 "Transfer-Encoding: chunked\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: xchunked\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: ,chunked\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.0\r\nHost: a.io\r\nTransfer-Encoding: chunked\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nTransfer-Encoding: gzip, "
	 "Chunked\r\n\r\n",
	 HTTP_HEAD_OK, "a.io", 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 3\r\n"
	 "Content-Length: 4\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 3\r\n"
	 "Content-Length: 3\r\n\r\n",
	 HTTP_HEAD_OK, "a.io", 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 3, 3\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: -1\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: 0x10\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length:\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: "
	 "9223372036854775808\r\n\r\n",
	 HTTP_HEAD_BAD, NULL, 0},
	{"POST / HTTP/1.1\r\nHost: a.io\r\nContent-Length: "
	 "9223372036854775807\r\n\r\n",
	 HTTP_HEAD_OK, "a.io", 0},
};

static void test_http_table(void)
{
	struct http_head h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(http_cases); i++) {
		const struct http_case *c = &http_cases[i];
		size_t n = strlen(c->head);
		int rc = http_head_parse((const uint8_t *)c->head, n, &h);

		if (rc != c->status ||
		    (rc == HTTP_HEAD_OK &&
		     (strcmp(h.host, c->host) || h.port != c->port)))
			harness_fail(__FILE__, __LINE__,
				     "case %zu: %d '%s' %u (%s)", i, rc, h.host,
				     h.port, h.why ? h.why : "");
		CHECK((rc == HTTP_HEAD_OK) == !h.why);
		if (rc == HTTP_HEAD_OK)
			CHECK(h.end <= n);
	}
}

/* BAD as soon as the defect is there, without the rest of the head. */
static void test_http_early(void)
{
	static const char *const early[] = {
		"GET / HTTP/1.1\r\nHo st",
		"GET / HTTP/1.1\r\n x",
		"GET / HTTP/1.1\r\nHost: a\x01",
		"GET / HTTP/1.1\r\nHost: a\rb",
		"GET / HTTP/1.1\n",
		"GET / HTTP/2",
		"GET /\x80",
		"GET / HTTP/1.1\r\nX\r\n",
		"GET / HTTP/1.1\r\nHost: a.io\r\nHost: b",
	};
	static const char *const wait[] = {
		"",
		"G",
		"GET",
		"GET ",
		"GET /",
		"GET / HTTP/1.",
		"GET / HTTP/1.1\r",
		"GET / HTTP/1.1\r\nHost: a.io\r\n\r",
		"\r",
	};
	struct http_head h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(early); i++)
		if (http_head_parse((const uint8_t *)early[i], strlen(early[i]),
				    &h) != HTTP_HEAD_BAD)
			harness_fail(__FILE__, __LINE__, "early %zu", i);
	for (i = 0; i < ARRAY_SIZE(wait); i++) {
		CHECK(http_head_parse((const uint8_t *)wait[i], strlen(wait[i]),
				      &h) == HTTP_HEAD_NEED_MORE);
		CHECK(h.need == strlen(wait[i]) + 1);
	}
}

/* HTTP_HEAD_MAX and HTTP_HEAD_FIELDS_MAX. */
static void test_http_caps(void)
{
	struct buf *p = buf_new();
	struct http_head h;
	size_t i;

	buf_str(p, "GET / HTTP/1.1\r\nHost: a.io\r\nX: ");
	while (p->n < HTTP_HEAD_MAX - 4)
		buf_u8(p, 'x');
	buf_str(p, "\r\n\r\n");
	CHECK(p->n == HTTP_HEAD_MAX);
	CHECK(http_head_parse(p->b, p->n, &h) == HTTP_HEAD_OK);
	CHECK(h.end == HTTP_HEAD_MAX);
	p->n -= 4;
	buf_str(p, "x\r\n\r\n");
	CHECK(http_head_parse(p->b, p->n, &h) == HTTP_HEAD_BAD);
	/* Refused at the cap, without waiting for a CRLF that is not there. */
	p->n = HTTP_HEAD_MAX + 1;
	CHECK(http_head_parse(p->b, p->n, &h) == HTTP_HEAD_BAD);
	CHECK(http_head_parse(p->b, p->n - 1, &h) == HTTP_HEAD_NEED_MORE);

	p->n = 0;
	buf_str(p, "GET / HTTP/1.1\r\nHost: a.io\r\n");
	for (i = 1; i < HTTP_HEAD_FIELDS_MAX; i++)
		buf_str(p, "X: y\r\n");
	buf_str(p, "\r\n");
	CHECK(http_head_parse(p->b, p->n, &h) == HTTP_HEAD_OK);
	CHECK(h.fields == HTTP_HEAD_FIELDS_MAX);
	p->n -= 2;
	buf_str(p, "X: y\r\n\r\n");
	CHECK(http_head_parse(p->b, p->n, &h) == HTTP_HEAD_BAD);
	free(p);
}

/*
 * Pipelining: each head is parsed at its own offset; the second request's
 * authority is its own (a relay that checks only the first head does not
 * see it: stream_sniff.h says so).
 */
static void test_http_pipeline(void)
{
	static const char two[] = "POST /a HTTP/1.1\r\nHost: a.io\r\n"
				  "Content-Length: 5\r\n\r\nhello"
				  "GET /b HTTP/1.1\r\nHost: evil.io\r\n\r\n"
				  "POST /c HTTP/1.1\r\nHost: c.io\r\n"
				  "Transfer-Encoding: chunked\r\n\r\n"
				  "5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
				  "GET /d HTTP/1.1\r\nHost: d.io\r\n\r\n";
	const uint8_t *p = (const uint8_t *)two;
	size_t n = sizeof(two) - 1, off = 0;
	struct http_head h;

	CHECK(http_head_parse(p, n, &h) == HTTP_HEAD_OK);
	CHECK(!strcmp(h.host, "a.io") && h.body == HTTP_HEAD_BODY_LENGTH);
	off = h.end + h.content_length;
	CHECK(http_head_parse(p + off, n - off, &h) == HTTP_HEAD_OK);
	CHECK(!strcmp(h.host, "evil.io") && h.body == HTTP_HEAD_BODY_NONE);
	off += h.end;
	CHECK(http_head_parse(p + off, n - off, &h) == HTTP_HEAD_OK);
	CHECK(!strcmp(h.host, "c.io") && h.body == HTTP_HEAD_BODY_CHUNKED);
	off += h.end;
	off += http_skip_chunked(p + off, n - off);
	CHECK(http_head_parse(p + off, n - off, &h) == HTTP_HEAD_OK);
	CHECK(!strcmp(h.host, "d.io") && off + h.end == n);
	/* Upgrade marks the stream as leaving HTTP/1. */
	CHECK(http_head_parse(
		      (const uint8_t *)"GET / HTTP/1.1\r\nHost: a.io\r\n"
				       "Upgrade: websocket\r\n\r\n",
		      50, &h) == HTTP_HEAD_OK);
	CHECK(h.tunnel);
}

static void test_http_chunks(void)
{
	static const struct {
		const char *s;
		bool first;
		int status;
		size_t line_len;
		uint64_t size;
		bool last;
	} c[] = {
		{"5\r\nhello", true, HTTP_CHUNK_OK, 3, 5, false},
		{"\r\nA;x=\"y\"\r\n", false, HTTP_CHUNK_OK, 11, 10, false},
		{"fFfFfFfFfFfFfFf\r\n", true, HTTP_CHUNK_OK, 17,
		 0xfffffffffffffffull, false},
		{"0\r\n\r\n", true, HTTP_CHUNK_OK, 5, 0, true},
		{"\r\n000\r\nA: b\r\nC: d\r\n\r\nGET", false, HTTP_CHUNK_OK, 21,
		 0, true},
		{"1000000000000000\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{";x\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"5 \r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"-5\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"5\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"5;a\nb\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"5;\x01\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"Xy5\r\n", false, HTTP_CHUNK_BAD, 0, 0, false},
		{"\rx", false, HTTP_CHUNK_BAD, 0, 0, false},
		{"0\r\n x: y\r\n\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"0\r\nx y: z\r\n\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"0\r\nxy\r\n\r\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"0\r\n\n", true, HTTP_CHUNK_BAD, 0, 0, false},
		{"", true, HTTP_CHUNK_NEED_MORE, 0, 0, false},
		{"5", true, HTTP_CHUNK_NEED_MORE, 0, 0, false},
		{"5\r", true, HTTP_CHUNK_NEED_MORE, 0, 0, false},
		{"\r", false, HTTP_CHUNK_NEED_MORE, 0, 0, false},
		{"0\r\nA: b\r\n", true, HTTP_CHUNK_NEED_MORE, 0, 0, false},
	};
	struct http_chunk k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		int rc = http_chunk_parse((const uint8_t *)c[i].s,
					  strlen(c[i].s), c[i].first, &k);

		if (rc != c[i].status)
			harness_fail(__FILE__, __LINE__, "chunk %zu: %d (%s)",
				     i, rc, k.why ? k.why : "");
		if (rc == HTTP_CHUNK_OK)
			CHECK(k.line_len == c[i].line_len &&
			      k.size == c[i].size && k.last == c[i].last);
	}
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_tls_clients),	   HARNESS_TEST(test_tls_fragmented),
	HARNESS_TEST(test_tls_extensions), HARNESS_TEST(test_tls_records),
	HARNESS_TEST(test_tls_caps),	   HARNESS_TEST(test_sniff_guess),
	HARNESS_TEST(test_http_clients),   HARNESS_TEST(test_http_table),
	HARNESS_TEST(test_http_early),	   HARNESS_TEST(test_http_caps),
	HARNESS_TEST(test_http_pipeline),  HARNESS_TEST(test_http_chunks),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
