/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http_head.c - libFuzzer target for the HTTP/1.x head and chunk
 * parsers (netstack/stream_sniff.h). Beyond memory safety it checks what
 * the relay relies on: a head's answer does not depend on bytes after
 * @end; a prefix of a complete head is NEED_MORE; BAD and NOT_HTTP stay
 * so whatever follows; the host is normalised; the heads after the first
 * (pipelining) and chunked bodies parse at their own offsets. Any
 * violation aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netstack/stream_sniff.h"
#include "tests/fuzz/fuzz.h"

static uint8_t fuzz_http_buf[65536 + 16];

static void fuzz_http_fail(const char *what)
{
	fprintf(stderr, "http_head: %s\n", what);
	abort();
}

static void fuzz_http_chunks(const uint8_t *p, size_t n)
{
	struct http_chunk c;
	size_t off = 0;
	bool first = true;
	int rc, guard = 0;

	while (guard++ < 64) {
		rc = http_chunk_parse(p + off, n - off, first, &c);
		if (rc == HTTP_CHUNK_NEED_MORE) {
			if (c.need <= n - off)
				fuzz_http_fail("chunk need");
			return;
		}
		if (rc == HTTP_CHUNK_BAD) {
			if (!c.why)
				fuzz_http_fail("chunk BAD without why");
			return;
		}
		if (rc != HTTP_CHUNK_OK || c.line_len > n - off || !c.line_len)
			fuzz_http_fail("chunk OK fields");
		off += c.line_len;
		if (c.last || c.size > n - off)
			return;
		off += (size_t)c.size;
		first = false;
	}
}

/* One head at @p (the stream's start or a later request's). */
static size_t fuzz_http_one(const uint8_t *p, size_t n)
{
	struct http_head h, h2;
	char norm[STREAM_SNIFF_NAME_MAX + 1];
	int rc = http_head_parse(p, n, &h);

	if (rc == HTTP_HEAD_NEED_MORE) {
		if (h.need <= n || h.why)
			fuzz_http_fail("NEED_MORE fields");
		if (n && http_head_parse(p, n - 1, &h2) != HTTP_HEAD_NEED_MORE)
			fuzz_http_fail("prefix of NEED_MORE");
		return 0;
	}
	if (rc == HTTP_HEAD_BAD || rc == HTTP_HEAD_NOT_HTTP) {
		if (!h.why)
			fuzz_http_fail("BAD without why");
		if (n < sizeof(fuzz_http_buf)) {
			memcpy(fuzz_http_buf, p, n);
			fuzz_http_buf[n] = '\n';
			if (http_head_parse(fuzz_http_buf, n + 1, &h2) != rc)
				fuzz_http_fail("BAD undone by a later byte");
		}
		return 0;
	}
	if (rc != HTTP_HEAD_OK)
		fuzz_http_fail("unknown status");
	if (h.why || !h.end || h.end > n || h.end > HTTP_HEAD_MAX ||
	    !h.host[0] || h.fields > HTTP_HEAD_FIELDS_MAX ||
	    h.target_off + h.target_len > h.end || !h.method[0])
		fuzz_http_fail("OK fields");
	if (h.host_kind == HTTP_HEAD_HOST_NAME &&
	    (policy_name_normalize((const uint8_t *)h.host, strlen(h.host),
				   norm, NULL) ||
	     strcmp(norm, h.host)))
		fuzz_http_fail("host not normalised");
	if (h.host_kind != HTTP_HEAD_HOST_NAME &&
	    h.addr.family != (h.host_kind == HTTP_HEAD_HOST_IPV4 ? 4 : 6))
		fuzz_http_fail("address kind");
	if (h.form == HTTP_HEAD_FORM_AUTHORITY && (!h.port || !h.tunnel))
		fuzz_http_fail("CONNECT without port");
	if (http_head_parse(p, h.end, &h2) != HTTP_HEAD_OK ||
	    strcmp(h2.host, h.host) || h2.port != h.port || h2.end != h.end ||
	    h2.body != h.body)
		fuzz_http_fail("answer depends on bytes after end");
	if (http_head_parse(p, h.end - 1, &h2) != HTTP_HEAD_NEED_MORE)
		fuzz_http_fail("prefix of a complete head");
	if (h.body == HTTP_HEAD_BODY_CHUNKED)
		fuzz_http_chunks(p + h.end, n - h.end);
	if (h.body == HTTP_HEAD_BODY_LENGTH)
		return h.content_length > n - h.end
			       ? 0
			       : h.end + (size_t)h.content_length;
	return h.end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, next;
	int guard = 0;

	/* Pipelined heads: each parsed at its own offset. */
	while (off < size && guard++ < 16) {
		next = fuzz_http_one(data + off, size - off);
		if (!next)
			break;
		off += next;
	}
	fuzz_http_chunks(data, size);
	if (size > 2)
		fuzz_http_chunks(data + 2, size - 2);
	return 0;
}
