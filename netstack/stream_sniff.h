/* SPDX-License-Identifier: MIT */
/*
 * stream_sniff.h - pure parsers of the first bytes a job sends on a relayed
 * TCP stream: the TLS ClientHello (tls_hello.c) and the HTTP/1.x request
 * head (http_head.c), so the relay can match the name the job asks for
 * against the zone's hostname rules before any byte leaves. They only read
 * (const uint8_t *, size_t): no I/O, no allocation, no state between calls,
 * no locale. They do not decide (the relay and policy/ do) and they never
 * see the server's bytes.
 *
 * Theory of operation:
 * 1. Incremental by re-parsing. The caller keeps the job's bytes in its own
 *    buffer, appends what arrives and calls the parser again on the whole
 *    prefix. A parser is a function of the bytes alone, so a result never
 *    depends on how they were split into reads. NEED_MORE means "every byte
 *    so far is consistent with a valid message that is not complete yet";
 *    a byte that makes the message invalid gives BAD at once, without
 *    waiting for the rest. Each call is linear in @len, and @len is capped
 *    (TLS_HELLO_BUF_MAX, HTTP_HEAD_MAX), so re-parsing costs at most
 *    cap^2/2 byte steps over a connection's whole trickle; the relay's
 *    deadline bounds the time.
 * 2. Caps are part of the verdict: a message that would exceed its cap is
 *    BAD (never "truncated, decided on the prefix"), so what is decided is
 *    always the whole of what the server will parse.
 * 3. Strict where the standards let a recipient choose: every ambiguity a
 *    server and the relay could read differently (two names, a name in two
 *    places that disagree, bytes that some servers skip and others reject)
 *    is BAD. No legitimate client sends any of them (the corpus under
 *    tests/fuzz/corpus/ holds what real clients send).
 * 4. Names come out as policy_name_normalize() makes them (ASCII lowercase,
 *    no trailing dot, [a-z0-9_-] labels, at most 253 bytes, last label not
 *    all digits), the same function the hostname rules went through, so
 *    the relay compares with policy_name_match() and nothing else.
 *
 * Threads: none of these functions has state; any thread may call them.
 * The output structs are the caller's and hold no pointers into @buf (only
 * offsets).
 */
#ifndef CORDON_STREAM_SNIFF_H
#define CORDON_STREAM_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* A normalised hostname: POLICY_NAME_MAX (253) bytes and a NUL. */
#define STREAM_SNIFF_NAME_MAX POLICY_NAME_MAX

/* ---------------------------------------------------------------------------
 * Which parser: a guess from the first byte(s), for the relay's dispatch.
 */

enum stream_sniff_kind {
	STREAM_SNIFF_NEED_MORE, /* @len == 0 */
	STREAM_SNIFF_TLS,	/* 0x16 (handshake record), or an SSLv2-style
				 * record header (high bit set): tls_hello_parse()
				 * says BAD for the latter */
	STREAM_SNIFF_HTTP,	/* an ASCII letter: the start of a method */
	STREAM_SNIFF_OTHER,	/* anything else (ssh's "SSH-" is HTTP-like
				 * here; http_head_parse() says NOT_HTTP) */
};

/**
 * stream_sniff_guess() - which parser to try on the first bytes of a
 * stream. Only @buf[0] is looked at.
 * @buf: the job's first bytes (borrowed).
 * @len: how many there are.
 * Return: an enum stream_sniff_kind. A guess, not a verdict: the parser's
 * result is what counts.
 */
enum stream_sniff_kind stream_sniff_guess(const uint8_t *buf, size_t len);

/* ---------------------------------------------------------------------------
 * TLS ClientHello (tls_hello.c). RFC 8446 4.1.2 and 5.1, RFC 5246 6.2.1 and
 * 7.4.1.2, RFC 6066 3 (server_name), RFC 7301 (ALPN), draft-ietf-tls-esni
 * (encrypted_client_hello).
 *
 * Accepted shape: one or more TLS records, each of content type handshake
 * (22), the same legacy_record_version 0x0301..0x0303 in all of them, a
 * length of 1..16384; their payloads concatenated are exactly one handshake
 * message, client_hello (1), whose last byte is the last byte of a record
 * (a ClientHello fragmented across records is reassembled; anything else in
 * those records is BAD). Its body: client_version 0x0301..0x0303, random,
 * session_id <0..32>, cipher_suites <2..2^16-2> (even), compression_methods
 * <1..255>, and either nothing more or an extensions block that fills the
 * rest of the body exactly, each extension inside it, no extension type
 * twice (RFC 8446 4.2), at most TLS_HELLO_EXT_MAX of them. GREASE values
 * (RFC 8701) are ordinary unknown extensions. Bytes after the last record
 * of the ClientHello (ChangeCipherSpec, early data) are not looked at.
 */

/* Largest handshake message accepted (4-byte header included). Real
 * ClientHellos are 200..2000 bytes (with a post-quantum key share). */
#define TLS_HELLO_MSG_MAX 16384
/* The most bytes of stream the parser will need: the ClientHello plus the
 * headers of the records carrying it. A ClientHello whose last record ends
 * beyond this is BAD, so a caller's buffer of this size always suffices. */
#define TLS_HELLO_BUF_MAX (TLS_HELLO_MSG_MAX + 2048)
/* Most extensions in one ClientHello (Chrome sends about 18). */
#define TLS_HELLO_EXT_MAX 128
/* ALPN protocols as text for reports (see struct tls_hello.alpn). */
#define TLS_HELLO_ALPN_MAX 127

enum tls_hello_status {
	TLS_HELLO_NEED_MORE, /* consistent so far, incomplete: see @need */
	TLS_HELLO_OK,	     /* complete; exactly one host_name, in @sni */
	TLS_HELLO_NO_SNI,    /* complete; no server_name extension */
	TLS_HELLO_ECH,	     /* complete; encrypted_client_hello (or an
			      * older draft's / ESNI's) extension present;
			      * the outer SNI, if any, is in @sni */
	TLS_HELLO_BAD,	     /* not TLS, malformed, over a cap: see @why */
};

/* encrypted_client_hello (draft-ietf-tls-esni-13 and later). */
#define TLS_EXT_ECH 0xfe0d
/* ech_outer_extensions: only ever inside an inner ClientHello. */
#define TLS_EXT_ECH_OUTER 0xfd00
/* Pre-standard codepoints treated as ECH too: drafts 07..12 used
 * 0xfe07..0xfe0c, encrypted_server_name (ESNI) 0xffce. */
#define TLS_EXT_ESNI 0xffce

/**
 * struct tls_hello - what tls_hello_parse() found.
 * @need:           NEED_MORE: @len must grow to at least this many bytes
 *                  before the answer can change (always > @len): the end
 *                  of the field the parser is reading (a record header, a
 *                  length, a vector it skips whole), cut at the end of the
 *                  current record. 0 otherwise.
 * @end:            OK / NO_SNI / ECH: offset just past the last record
 *                  that carries the ClientHello. 0 otherwise.
 * @record_version: legacy_record_version of the first record (0 if not
 *                  read yet).
 * @client_version: ClientHello.legacy_version (0 if not read yet).
 * @tls13:          a supported_versions extension offers 0x0304.
 * @records:        how many records carried the ClientHello (1 unless
 *                  fragmented).
 * @sni:            OK, and ECH when an outer server_name is present: the
 *                  host_name, normalised (policy_name_normalize()); "" else.
 * @alpn:           the ALPN protocol names, comma-separated, for display
 *                  only (never for a decision): bytes outside 0x21..0x7e
 *                  and ',' are written as '?', and the list is cut (with
 *                  @alpn_cut) at TLS_HELLO_ALPN_MAX bytes. "" when absent.
 * @alpn_cut:       @alpn was shortened.
 * @why:            BAD: a static string naming the first defect found
 *                  ("record version", "two host_name entries", ...); for
 *                  the audit line. NULL otherwise.
 */
struct tls_hello {
	size_t need;
	size_t end;
	uint16_t record_version;
	uint16_t client_version;
	bool tls13;
	unsigned records;
	char sni[STREAM_SNIFF_NAME_MAX + 1];
	char alpn[TLS_HELLO_ALPN_MAX + 1];
	bool alpn_cut;
	const char *why;
};

/**
 * tls_hello_parse() - parse the ClientHello at the start of a TCP stream.
 * @buf: the bytes the job sent so far, from the stream's first byte
 *       (borrowed, hostile).
 * @len: how many; may be 0.
 * @out: filled on every return (caller's).
 *
 * Walks the records with one forward cursor, reading the handshake message
 * across record boundaries without copying it; fails at the first defect.
 * BAD covers: a first byte other than 22 (an SSLv2-compatible hello, whose
 * first byte has its high bit set, included; SSLv2 is refused by every
 * current server and cannot carry SNI), another content type among the
 * ClientHello's records, a record version outside 0x0301..0x0303 or
 * differing between records, a record of length 0 or over 16384, a
 * handshake type other than client_hello, a message over TLS_HELLO_MSG_MAX
 * or records beyond TLS_HELLO_BUF_MAX, a client_version outside
 * 0x0301..0x0303, any length that runs past its container or does not fill
 * it, an odd cipher_suites length, a repeated extension type, more than
 * TLS_HELLO_EXT_MAX extensions, trailing bytes after the message inside its
 * last record, and in server_name: an empty list, a name type other than
 * host_name (0: the only one defined; an unknown type has no defined
 * length, so the rest of the list cannot be read the way a server would),
 * two host_name entries (RFC 6066: at most one per type), a name that
 * policy_name_normalize() rejects (IP literals included: RFC 6066 forbids
 * them), and a malformed ALPN list (empty list or empty name).
 * ECH wins over OK and NO_SNI; BAD wins over everything.
 *
 * Return: an enum tls_hello_status.
 */
int tls_hello_parse(const uint8_t *buf, size_t len, struct tls_hello *out);

/* ---------------------------------------------------------------------------
 * HTTP/1.x request head (http_head.c). RFC 9112 (message syntax), RFC 9110
 * (semantics: 7.2 Host, 4.2 http(s) URIs, 9.3.6 CONNECT), RFC 3986 (URI).
 *
 * Accepted shape, from @buf[0]: at most one empty line (CRLF, RFC 9112 2.2),
 * then a request line "METHOD SP target SP HTTP/1.0|HTTP/1.1 CRLF", header
 * fields "name: value CRLF", and an empty line; every line ends in CRLF
 * (a bare CR or a bare LF is BAD). The head, from @buf[0] to the final
 * CRLF inclusive, is at most HTTP_HEAD_MAX bytes.
 *
 * The authority (what the request is for) comes from, by target form:
 * - origin-form ("/path"):     the Host header;
 * - absolute-form ("http://authority/path", scheme http or https, any case):
 *                              the target's authority, and a Host header, if
 *                              present, must name the same host and port
 *                              (RFC 9112 3.2.2 lets a server ignore Host
 *                              there; a mismatch would let the two disagree,
 *                              so it is BAD);
 * - authority-form ("host:port", CONNECT only, and CONNECT only with it):
 *                              the target, port required; a Host header, if
 *                              present, must name the same host (and the
 *                              same port when it gives one);
 * - asterisk-form ("*", OPTIONS only): the Host header.
 * HTTP/1.1 requires exactly one Host header in every form (RFC 9112 3.2);
 * HTTP/1.0 may omit it when the target carries an authority. No authority
 * at all is BAD, so OK always comes with @host.
 *
 * Pipelining and keep-alive: one call parses one head. @end is where it
 * ends; the body (if any, see @body) follows, then possibly the next
 * request's head. The relay's decision on the first head says nothing about
 * later requests on the same connection: they are NOT checked unless the
 * relay parses each head in turn (http_head_parse() at the next head's
 * offset, after skipping the body by @content_length or with
 * http_chunk_parse()). After CONNECT or an Upgrade the stream is no
 * longer HTTP/1 (@tunnel): later bytes are not request heads.
 */

/* Largest head accepted, request line and empty line included. */
#define HTTP_HEAD_MAX 16384
/* Most header fields in one head. */
#define HTTP_HEAD_FIELDS_MAX 128
/* Longest method token kept (RFC 9110 names none longer than 17). */
#define HTTP_METHOD_MAX 24

enum http_head_status {
	HTTP_HEAD_NEED_MORE, /* consistent so far, head incomplete: @need */
	HTTP_HEAD_OK,	     /* one complete head; @end, @host, ... */
	HTTP_HEAD_BAD,	     /* HTTP-like but malformed, ambiguous, over a
			      * cap, or without an authority: see @why */
	HTTP_HEAD_NOT_HTTP,  /* the first bytes cannot start an HTTP/1.x
			      * request line (see http_head_parse()) */
};

enum http_head_form {
	HTTP_HEAD_FORM_ORIGIN,	  /* "/path?query" */
	HTTP_HEAD_FORM_ABSOLUTE,  /* "http://host:port/path" */
	HTTP_HEAD_FORM_AUTHORITY, /* "host:port" (CONNECT) */
	HTTP_HEAD_FORM_ASTERISK,  /* "*" (OPTIONS) */
};

enum http_head_host_kind {
	HTTP_HEAD_HOST_NAME, /* @host is a normalised hostname */
	HTTP_HEAD_HOST_IPV4, /* @host is dotted-quad text, @addr the address */
	HTTP_HEAD_HOST_IPV6, /* @host is canonical IPv6 text without the
			      * brackets it was written in, @addr the
			      * address */
};

enum http_head_body {
	HTTP_HEAD_BODY_NONE,	/* no Content-Length, no Transfer-Encoding */
	HTTP_HEAD_BODY_LENGTH,	/* @content_length bytes follow @end */
	HTTP_HEAD_BODY_CHUNKED, /* Transfer-Encoding ending in chunked */
};

/**
 * struct http_head - what http_head_parse() found. Offsets are relative
 * to the @buf passed in.
 * @need:           NEED_MORE: @len must grow to at least this (> @len).
 * @end:            OK: offset just past the head's final CRLF.
 * @method:         OK: the method token as sent (case-sensitive).
 * @target_off:     OK: offset of the request target in @buf.
 * @target_len:     OK: its length (visible ASCII only, checked).
 * @form:           OK: the target's form.
 * @https:          OK, absolute-form: the scheme is https.
 * @version_minor:  OK: 0 or 1 (HTTP/1.0, HTTP/1.1).
 * @host:           OK: the authority's host, normalised: a name as
 *                  policy_name_normalize() makes it, or an IP literal as
 *                  canonical text (see @host_kind). Zone ids and IPvFuture
 *                  are BAD.
 * @host_kind:      OK: what @host is.
 * @addr:           OK, IP literal: the address (policy_addr_parse()).
 * @port:           OK: the authority's port when it gives one (1..65535;
 *                  authority-form always does), else 0: the default port
 *                  of the scheme (absolute-form) or of the connection
 *                  (origin-form, asterisk-form) applies.
 * @has_host_field: OK: a Host header was present (its value agreed with
 *                  the target where the target has an authority).
 * @body:           OK: how the body is framed (requests have none unless
 *                  Content-Length or Transfer-Encoding says so, RFC 9112
 *                  6.3).
 * @content_length: OK, HTTP_HEAD_BODY_LENGTH: the length.
 * @tunnel:         OK: CONNECT, or an Upgrade header: once the server
 *                  agrees, the bytes after the head are not HTTP/1.
 * @fields:         header fields read (OK: all of them).
 * @why:            BAD / NOT_HTTP: a static string naming the defect, for
 *                  the audit line. NULL otherwise.
 */
struct http_head {
	size_t need;
	size_t end;
	char method[HTTP_METHOD_MAX + 1];
	size_t target_off;
	size_t target_len;
	enum http_head_form form;
	bool https;
	int version_minor;
	char host[STREAM_SNIFF_NAME_MAX + 1];
	enum http_head_host_kind host_kind;
	struct policy_addr addr;
	uint16_t port;
	bool has_host_field;
	enum http_head_body body;
	uint64_t content_length;
	bool tunnel;
	unsigned fields;
	const char *why;
};

/**
 * http_head_parse() - parse one HTTP/1.x request head.
 * @buf: the bytes from where a head must start: the stream's first byte,
 *       or the first byte after the previous request (its @end plus its
 *       body) on a kept-alive connection (borrowed, hostile).
 * @len: how many bytes are there; may be 0.
 * @out: filled on every return (caller's).
 *
 * NOT_HTTP: a byte that is not a token character (RFC 9110 5.6.2) before
 * the first SP, an empty method, no SP within the first HTTP_METHOD_MAX + 1
 * bytes, or (after the one allowed empty line) a line that does not start
 * with a token.
 * BAD: any of - a request line not of the shape above or an HTTP version
 * other than 1.0 / 1.1 (the HTTP/2 preface "PRI * HTTP/2.0" included);
 * bytes outside 0x21..0x7e in the target; a target form the method does not
 * allow; an absolute-form scheme other than http/https, or with userinfo
 * ("user@host": a classic way to make two readers see two hosts), or an
 * empty host; an authority whose host is neither a valid name nor an IP
 * literal, or whose port is empty, not decimal, 0 or over 65535; a field
 * name that is empty or not a token; whitespace between a field name and
 * its colon (RFC 9112 5.1); a line starting with SP or HTAB (obs-fold, RFC
 * 9112 5.2); NUL, a bare CR, a bare LF, DEL or any control byte other than
 * HTAB in a field value (bytes 0x80..0xff are allowed in values other than
 * Host's, as obs-text); more than one Host header; a Host header that is
 * missing (HTTP/1.1), empty, or disagrees with the target's authority;
 * Content-Length that is not decimal, over 2^63-1, or repeated with another
 * value; Transfer-Encoding whose last coding is not chunked, in HTTP/1.0,
 * or together with Content-Length (RFC 9112 6.1, 6.3: the shapes request
 * smuggling is made of); more than HTTP_HEAD_FIELDS_MAX fields; a head over
 * HTTP_HEAD_MAX.
 *
 * Return: an enum http_head_status.
 */
int http_head_parse(const uint8_t *buf, size_t len, struct http_head *out);

enum http_chunk_status {
	HTTP_CHUNK_NEED_MORE, /* the chunk line is not complete yet: @need */
	HTTP_CHUNK_OK,	      /* one chunk line (or the last chunk and its
			       * trailers) parsed */
	HTTP_CHUNK_BAD,	      /* malformed: see @why */
};

/* Longest chunk line (size, extensions, CRLF), and longest trailer
 * section after the last chunk. */
#define HTTP_CHUNK_LINE_MAX 4096

/**
 * struct http_chunk - one chunk of a chunked body (RFC 9112 7.1).
 * @need:     NEED_MORE: @len must grow to at least this (> @len).
 * @line_len: OK: bytes of framing at @buf (the CRLF ending the previous
 *            chunk's data when !@first, the chunk-size line; for the last
 *            chunk also the trailer fields and the final CRLF). The chunk's
 *            data starts at @buf + @line_len.
 * @size:     OK: bytes of chunk data that follow (0 for the last chunk).
 * @last:     OK: this was the last chunk: the body ends at @buf +
 *            @line_len, and the next request head (if any) starts there.
 * @why:      BAD: a static string naming the defect. NULL otherwise.
 */
struct http_chunk {
	size_t need;
	size_t line_len;
	uint64_t size;
	bool last;
	const char *why;
};

/**
 * http_chunk_parse() - parse the framing of one chunk of a chunked request
 * body, so the relay can skip the body without buffering it and reach the
 * next pipelined head: call it at the head's @end with @first, skip
 * @line_len + @size bytes, call it again there without @first, until
 * @last.
 * @buf:   the bytes from the chunk's framing (borrowed, hostile).
 * @len:   how many there are.
 * @first: the first chunk (no CRLF of a previous chunk's data precedes).
 * @out:   filled on every return (caller's).
 *
 * BAD: a missing CRLF after the previous chunk's data; a chunk size that is
 * empty, not hexadecimal or over 15 digits; chunk extensions or trailer
 * fields with a NUL, bare CR, bare LF or other control byte than HTAB, a
 * trailer line starting with whitespace, a trailer field name that is not
 * a token; a line over HTTP_CHUNK_LINE_MAX or trailers over
 * HTTP_CHUNK_LINE_MAX in total.
 *
 * Return: an enum http_chunk_status.
 */
int http_chunk_parse(const uint8_t *buf, size_t len, bool first,
		     struct http_chunk *out);

#endif /* CORDON_STREAM_SNIFF_H */
