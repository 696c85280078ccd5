/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tls_hello.c - libFuzzer target for the ClientHello parser
 * (netstack/stream_sniff.h). Beyond memory safety it checks the contract
 * the relay relies on: a complete answer does not depend on bytes after
 * @end, nor on how the handshake message is cut into records; a prefix of
 * a complete ClientHello is NEED_MORE, never BAD; BAD stays BAD whatever
 * follows; NEED_MORE asks for more than it has and never beyond the cap;
 * an SNI is a normalised name. Any violation aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/stream_sniff.h"
#include "tests/fuzz/fuzz.h"

static uint8_t fuzz_tls_buf[2 * TLS_HELLO_BUF_MAX + 64];

static void fuzz_tls_fail(const char *what)
{
	fprintf(stderr, "tls_hello: %s\n", what);
	abort();
}

static void fuzz_tls_same(const struct tls_hello *a, int ra,
			  const struct tls_hello *b, int rb, const char *what)
{
	if (ra != rb || strcmp(a->sni, b->sni) || strcmp(a->alpn, b->alpn) ||
	    a->tls13 != b->tls13)
		fuzz_tls_fail(what);
}

/*
 * The one-record ClientHello of @data re-cut into two records at @cut
 * (relative to the message): the same answer.
 */
static void fuzz_tls_recut(const uint8_t *data, const struct tls_hello *h,
			   int rc, size_t cut)
{
	size_t mlen = h->end - 5, n = 0;
	struct tls_hello h2;
	int rc2;

	if (!cut || cut >= mlen)
		return;
	memcpy(fuzz_tls_buf, data, 3);
	fuzz_tls_buf[3] = (uint8_t)(cut >> 8);
	fuzz_tls_buf[4] = (uint8_t)cut;
	memcpy(fuzz_tls_buf + 5, data + 5, cut);
	n = 5 + cut;
	memcpy(fuzz_tls_buf + n, data, 3);
	fuzz_tls_buf[n + 3] = (uint8_t)((mlen - cut) >> 8);
	fuzz_tls_buf[n + 4] = (uint8_t)(mlen - cut);
	memcpy(fuzz_tls_buf + n + 5, data + 5 + cut, mlen - cut);
	n += 5 + mlen - cut;
	rc2 = tls_hello_parse(fuzz_tls_buf, n, &h2);
	fuzz_tls_same(h, rc, &h2, rc2, "re-cut into two records differs");
	if (h2.end != n || h2.records != 2)
		fuzz_tls_fail("re-cut end or records");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_hello h, h2;
	char norm[STREAM_SNIFF_NAME_MAX + 1];
	int rc, rc2;

	rc = tls_hello_parse(data, size, &h);
	switch (rc) {
	case TLS_HELLO_NEED_MORE:
		if (h.need <= size || h.need > TLS_HELLO_BUF_MAX || h.end ||
		    h.sni[0] || h.why)
			fuzz_tls_fail("NEED_MORE fields");
		if (size &&
		    tls_hello_parse(data, size - 1, &h2) != TLS_HELLO_NEED_MORE)
			fuzz_tls_fail("prefix of NEED_MORE is not NEED_MORE");
		return 0;
	case TLS_HELLO_BAD:
		if (!h.why || h.end || h.sni[0])
			fuzz_tls_fail("BAD fields");
		if (size < sizeof(fuzz_tls_buf)) {
			memcpy(fuzz_tls_buf, data, size);
			fuzz_tls_buf[size] = 0x16;
			if (tls_hello_parse(fuzz_tls_buf, size + 1, &h2) !=
			    TLS_HELLO_BAD)
				fuzz_tls_fail("BAD undone by a later byte");
		}
		return 0;
	case TLS_HELLO_OK:
	case TLS_HELLO_NO_SNI:
	case TLS_HELLO_ECH:
		break;
	default:
		fuzz_tls_fail("unknown status");
	}
	if (h.why || !h.end || h.end > size || h.end > TLS_HELLO_BUF_MAX ||
	    !h.records)
		fuzz_tls_fail("complete fields");
	if ((rc == TLS_HELLO_OK) != (h.sni[0] && rc != TLS_HELLO_ECH))
		fuzz_tls_fail("OK without SNI");
	if (h.sni[0] && (policy_name_normalize((const uint8_t *)h.sni,
					       strlen(h.sni), norm, NULL) ||
			 strcmp(norm, h.sni)))
		fuzz_tls_fail("SNI not normalised");
	if (strlen(h.alpn) > TLS_HELLO_ALPN_MAX)
		fuzz_tls_fail("ALPN over its cap");
	/* Bytes after the end are not looked at. */
	rc2 = tls_hello_parse(data, h.end, &h2);
	fuzz_tls_same(&h, rc, &h2, rc2, "answer depends on bytes after end");
	if (h2.end != h.end)
		fuzz_tls_fail("end moved");
	/* A prefix of a complete ClientHello is NEED_MORE. */
	if (tls_hello_parse(data, h.end - 1, &h2) != TLS_HELLO_NEED_MORE ||
	    h2.need > h.end)
		fuzz_tls_fail("prefix of a complete ClientHello");
	if (tls_hello_parse(data, h.end / 2, &h2) != TLS_HELLO_NEED_MORE)
		fuzz_tls_fail("half of a complete ClientHello");
	if (h.records == 1) {
		fuzz_tls_recut(data, &h, rc, 1);
		fuzz_tls_recut(data, &h, rc, (h.end - 5) / 2);
		fuzz_tls_recut(data, &h, rc, h.end - 6);
		fuzz_tls_recut(data, &h, rc, data[h.end - 1] + 1u);
	}
	return 0;
}
