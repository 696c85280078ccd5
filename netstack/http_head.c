/* SPDX-License-Identifier: MIT */
/*
 * http_head.c - the HTTP/1.x request head parser and chunk-framing parser
 * of netstack/stream_sniff.h: the authority a job's plain-HTTP request is
 * for (Host, absolute-form target, CONNECT's host:port), read before the
 * relay lets any byte leave. It does not decide and keeps nothing between
 * calls.
 *
 * Theory of operation: the method is read first, straight from the buffer,
 * so a stream that is not HTTP (binary bytes, ssh's banner) is NOT_HTTP on
 * its first line without being judged as broken HTTP. Then the head is cut
 * into lines by one scanner that refuses, wherever they are, the bytes no
 * head may hold (NUL and other controls but HTAB, DEL, a CR not followed by
 * LF, a LF not preceded by CR) and every byte past HTTP_HEAD_MAX. Each
 * line is checked as far as it has arrived (an incomplete line can already
 * be BAD: whitespace before a colon, obs-fold, a non-token name); what
 * needs the whole line (the Host value, the version, the target's form)
 * waits for its CRLF. The head's meaning (which authority, which body
 * framing) is judged once the empty line has arrived, from the fields
 * collected in struct http_head_acc.
 */
#include <string.h>

#include "netstack/stream_sniff.h"
#include "policy/policy.h"

/* A parsed authority (host and optional port). */
struct http_head_auth {
	char host[STREAM_SNIFF_NAME_MAX + 1];
	enum http_head_host_kind kind;
	struct policy_addr addr;
	uint16_t port; /* 0: none given */
};

/* What the header fields said, judged when the head is complete. */
struct http_head_acc {
	struct http_head_auth host; /* the Host field's */
	bool has_host;
	bool has_cl;
	uint64_t cl;
	bool has_te;
	bool te_last_chunked;
	unsigned te_chunked;
};

/* Outcome of one step; the final status is in @st. */
struct http_head_step {
	int st;
	const char *why;
};

static bool http_head_tchar(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static uint8_t http_head_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* Whether @p[0..@n) is @lit (lowercase), ASCII case-insensitively. */
static bool http_head_ieq(const uint8_t *p, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++)
		if (http_head_lower(p[i]) != (uint8_t)lit[i])
			return false;
	return true;
}

static int http_head_fail(struct http_head *out, int st, const char *why)
{
	out->why = why;
	return st;
}

/*
 * The line starting at @s: *@eol is the offset of its CR, or where the
 * bytes ran out (*@complete false). Refuses bytes no head may hold and
 * bytes beyond @cap. Return: 0, or the BAD reason.
 */
static const char *http_head_line(const uint8_t *buf, size_t len, size_t s,
				  size_t cap, size_t *eol, bool *complete)
{
	size_t i;

	*complete = false;
	for (i = s; i < len; i++) {
		uint8_t c = buf[i];

		if (i >= cap)
			return "head longer than its cap";
		if (c == '\r') {
			if (i + 1 == len)
				break;
			if (buf[i + 1] != '\n')
				return "bare CR";
			if (i + 1 >= cap)
				return "head longer than its cap";
			*complete = true;
			break;
		}
		if (c == '\n')
			return "bare LF";
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return "control byte";
	}
	*eol = i;
	return NULL;
}

static bool http_head_digits(const uint8_t *p, size_t n, uint64_t max,
			     uint64_t *v)
{
	size_t i;

	*v = 0;
	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		if (*v > (max - (uint64_t)(p[i] - '0')) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return true;
}

/*
 * host [":" port] (RFC 3986 3.2.2, 3.2.3) with a reg-name restricted to a
 * DNS name and IP-literal to IPv6 (no zone id, no IPvFuture).
 * Return: NULL, or the BAD reason.
 */
static const char *http_head_authority(const uint8_t *p, size_t n,
				       bool port_required,
				       struct http_head_auth *a)
{
	const uint8_t *h = p, *port = NULL, *colon;
	size_t hn, pn = 0;
	uint64_t v;

	memset(a, 0, sizeof(*a));
	if (!n)
		return "empty authority";
	if (p[0] == '[') {
		const uint8_t *close = memchr(p, ']', n);

		if (!close)
			return "IPv6 literal without ']'";
		h = p + 1;
		hn = (size_t)(close - h);
		if (close + 1 < p + n) {
			if (close[1] != ':')
				return "bytes after an IPv6 literal";
			port = close + 2;
			pn = (size_t)(p + n - port);
		}
		if (policy_addr_parse(h, hn, &a->addr) || a->addr.family != 6)
			return "invalid IPv6 literal";
		a->kind = HTTP_HEAD_HOST_IPV6;
	} else {
		colon = memchr(p, ':', n);
		hn = colon ? (size_t)(colon - p) : n;
		if (colon) {
			port = colon + 1;
			pn = n - hn - 1;
			if (memchr(port, ':', pn))
				return "IPv6 address without brackets";
		}
		if (!hn)
			return "empty host";
		if (!policy_addr_parse(h, hn, &a->addr) &&
		    a->addr.family == 4) {
			a->kind = HTTP_HEAD_HOST_IPV4;
		} else {
			memset(&a->addr, 0, sizeof(a->addr));
			if (policy_name_normalize(h, hn, a->host, NULL))
				return "host is not a valid DNS name or IP "
				       "address";
			a->kind = HTTP_HEAD_HOST_NAME;
		}
	}
	if (a->kind != HTTP_HEAD_HOST_NAME &&
	    policy_addr_fmt(&a->addr, a->host, sizeof(a->host)))
		return "internal: address text";
	if (port) {
		if (pn > 5 || !http_head_digits(port, pn, 65535, &v) || !v)
			return "invalid port";
		a->port = (uint16_t)v;
	} else if (port_required) {
		return "CONNECT target without a port";
	}
	return NULL;
}

/* The request line from @s (method already known to end at @sp). */
static const char *http_head_request_line(const uint8_t *buf, size_t s,
					  size_t sp, size_t eol, bool complete,
					  struct http_head *out)
{
	static const char ver[] = "HTTP/1.";
	size_t t = sp + 1, i, vn;

	memcpy(out->method, buf + s, sp - s);
	out->method[sp - s] = '\0';
	for (i = t; i < eol && buf[i] != ' '; i++)
		if (buf[i] < 0x21 || buf[i] > 0x7e)
			return "byte outside visible ASCII in the target";
	if (i == eol)
		return complete ? "request line without a version" : NULL;
	if (i == t)
		return "empty request target";
	out->target_off = t;
	out->target_len = i - t;
	i++;
	vn = eol - i;
	if (vn > 8 || memcmp(buf + i, ver, vn < 7 ? vn : 7) ||
	    (vn == 8 && buf[i + 7] != '0' && buf[i + 7] != '1')) {
		if (out->target_len == 1 && buf[t] == '*' &&
		    !strcmp(out->method, "PRI"))
			return "HTTP/2 connection preface";
		return "HTTP version is not 1.0 or 1.1";
	}
	if (!complete)
		return NULL;
	if (vn != 8)
		return "HTTP version is not 1.0 or 1.1";
	out->version_minor = buf[i + 7] - '0';
	return NULL;
}

/* Transfer-Encoding's codings: a list of tokens; chunked only last. */
static const char *http_head_te(const uint8_t *v, size_t n,
				struct http_head_acc *acc)
{
	size_t i = 0, s;

	acc->has_te = true;
	for (;;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		s = i;
		while (i < n && http_head_tchar(v[i]))
			i++;
		if (i == s)
			return "Transfer-Encoding list";
		if (acc->te_last_chunked)
			return "Transfer-Encoding after chunked";
		acc->te_last_chunked = http_head_ieq(v + s, i - s, "chunked");
		acc->te_chunked += acc->te_last_chunked;
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n)
			return NULL;
		if (v[i] != ',')
			return "Transfer-Encoding list";
		i++;
	}
}

/* One complete header field. */
static const char *http_head_field(const uint8_t *name, size_t nn,
				   const uint8_t *v, size_t vn,
				   struct http_head_acc *acc,
				   struct http_head *out)
{
	uint64_t cl;
	size_t i;

	while (vn && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		vn--;
	}
	while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	if (http_head_ieq(name, nn, "host")) {
		if (acc->has_host)
			return "two Host fields";
		acc->has_host = true;
		for (i = 0; i < vn; i++)
			if (v[i] >= 0x80)
				return "non-ASCII byte in Host";
		return http_head_authority(v, vn, false, &acc->host);
	}
	if (http_head_ieq(name, nn, "content-length")) {
		if (!http_head_digits(v, vn, INT64_MAX, &cl))
			return "Content-Length is not a decimal number";
		if (acc->has_cl && acc->cl != cl)
			return "two different Content-Length values";
		acc->has_cl = true;
		acc->cl = cl;
		return NULL;
	}
	if (http_head_ieq(name, nn, "transfer-encoding"))
		return http_head_te(v, vn, acc);
	if (http_head_ieq(name, nn, "upgrade"))
		out->tunnel = true;
	return NULL;
}

/* One header line, as far as it has arrived (@complete: all of it). */
static const char *http_head_field_line(const uint8_t *buf, size_t s,
					size_t eol, bool complete,
					struct http_head_acc *acc,
					struct http_head *out)
{
	size_t i;

	if (buf[s] == ' ' || buf[s] == '\t')
		return "obs-fold (line starting with whitespace)";
	for (i = s; i < eol && buf[i] != ':'; i++) {
		if (buf[i] == ' ' || buf[i] == '\t')
			return "whitespace before the colon";
		if (!http_head_tchar(buf[i]))
			return "field name is not a token";
	}
	if (i == eol)
		return complete ? "field without a colon" : NULL;
	if (i == s)
		return "empty field name";
	/* A second Host is refused before its value arrives. */
	if (acc->has_host && http_head_ieq(buf + s, i - s, "host"))
		return "two Host fields";
	if (!complete)
		return NULL;
	if (++out->fields > HTTP_HEAD_FIELDS_MAX)
		return "too many header fields";
	return http_head_field(buf + s, i - s, buf + i + 1, eol - i - 1, acc,
			       out);
}

static bool http_head_same_host(const struct http_head_auth *a,
				const struct http_head_auth *b)
{
	return a->kind == b->kind && !strcmp(a->host, b->host);
}

static void http_head_set_auth(struct http_head *out,
			       const struct http_head_auth *a)
{
	memcpy(out->host, a->host, sizeof(out->host));
	out->host_kind = a->kind;
	out->addr = a->addr;
	out->port = a->port;
}

/* The target's form and the authority, once the head is complete. */
static const char *http_head_judge(const uint8_t *buf,
				   struct http_head_acc *acc,
				   struct http_head *out)
{
	const uint8_t *t = buf + out->target_off, *auth;
	size_t tn = out->target_len, sn, an;
	struct http_head_auth ta;
	bool connect = !strcmp(out->method, "CONNECT");
	const char *why;
	uint16_t dflt, p1, p2;

	out->has_host_field = acc->has_host;
	if (acc->has_te && out->version_minor == 0)
		return "Transfer-Encoding in HTTP/1.0";
	if (acc->has_te && acc->has_cl)
		return "both Transfer-Encoding and Content-Length";
	if (acc->has_te && (!acc->te_last_chunked || acc->te_chunked != 1))
		return "Transfer-Encoding does not end in chunked";
	if (acc->has_te)
		out->body = HTTP_HEAD_BODY_CHUNKED;
	else if (acc->has_cl)
		out->body = HTTP_HEAD_BODY_LENGTH;
	out->content_length = acc->has_cl ? acc->cl : 0;
	if (!acc->has_host && out->version_minor == 1)
		return "HTTP/1.1 request without Host";
	if (connect) {
		out->form = HTTP_HEAD_FORM_AUTHORITY;
		out->tunnel = true;
		why = http_head_authority(t, tn, true, &ta);
		if (why)
			return why;
		if (acc->has_host &&
		    (!http_head_same_host(&ta, &acc->host) ||
		     (acc->host.port && acc->host.port != ta.port)))
			return "Host differs from the CONNECT target";
		http_head_set_auth(out, &ta);
		return NULL;
	}
	if (tn == 1 && t[0] == '*') {
		if (strcmp(out->method, "OPTIONS"))
			return "asterisk-form target for a method other than "
			       "OPTIONS";
		out->form = HTTP_HEAD_FORM_ASTERISK;
	} else if (t[0] == '/') {
		out->form = HTTP_HEAD_FORM_ORIGIN;
	} else {
		for (sn = 0; sn < tn && t[sn] != ':'; sn++)
			;
		if (sn + 3 > tn || memcmp(t + sn, "://", 3))
			return "request target is neither a path nor an "
			       "absolute URI";
		if (http_head_ieq(t, sn, "https"))
			out->https = true;
		else if (!http_head_ieq(t, sn, "http"))
			return "absolute URI scheme is not http or https";
		out->form = HTTP_HEAD_FORM_ABSOLUTE;
		auth = t + sn + 3;
		for (an = 0; auth + an < t + tn && auth[an] != '/' &&
			     auth[an] != '?' && auth[an] != '#';
		     an++)
			if (auth[an] == '@')
				return "userinfo in the request target";
		why = http_head_authority(auth, an, false, &ta);
		if (why)
			return why;
		if (acc->has_host) {
			dflt = out->https ? 443 : 80;
			p1 = ta.port ? ta.port : dflt;
			p2 = acc->host.port ? acc->host.port : dflt;
			if (!http_head_same_host(&ta, &acc->host) || p1 != p2)
				return "Host differs from the absolute-form "
				       "target";
		}
		http_head_set_auth(out, &ta);
		return NULL;
	}
	if (!acc->has_host)
		return "no authority (no Host, no absolute-form target)";
	http_head_set_auth(out, &acc->host);
	return NULL;
}

int http_head_parse(const uint8_t *buf, size_t len, struct http_head *out)
{
	struct http_head_acc acc;
	size_t s = 0, m, eol;
	const char *why;
	bool complete, first = true;

	memset(out, 0, sizeof(*out));
	memset(&acc, 0, sizeof(acc));
	out->need = len + 1;
	/* RFC 9112 2.2: one empty line before the request line is skipped. */
	if (len && buf[0] == '\r') {
		if (len < 2)
			return HTTP_HEAD_NEED_MORE;
		if (buf[1] != '\n')
			return http_head_fail(out, HTTP_HEAD_NOT_HTTP,
					      "not an HTTP request line");
		s = 2;
	}
	for (m = s; m < len && http_head_tchar(buf[m]); m++)
		if (m - s >= HTTP_METHOD_MAX)
			return http_head_fail(out, HTTP_HEAD_NOT_HTTP,
					      "method longer than its cap");
	if (m == len)
		return HTTP_HEAD_NEED_MORE;
	if (m == s || buf[m] != ' ')
		return http_head_fail(out, HTTP_HEAD_NOT_HTTP,
				      "not an HTTP request line");
	for (;;) {
		why = http_head_line(buf, len, s, HTTP_HEAD_MAX, &eol,
				     &complete);
		if (!why && first)
			why = http_head_request_line(buf, s, m, eol, complete,
						     out);
		else if (!why && eol > s)
			why = http_head_field_line(buf, s, eol, complete, &acc,
						   out);
		if (why)
			return http_head_fail(out, HTTP_HEAD_BAD, why);
		if (!complete)
			break;
		if (!first && eol == s) {
			out->end = eol + 2;
			why = http_head_judge(buf, &acc, out);
			if (why)
				return http_head_fail(out, HTTP_HEAD_BAD, why);
			out->need = 0;
			return HTTP_HEAD_OK;
		}
		first = false;
		s = eol + 2;
	}
	return HTTP_HEAD_NEED_MORE;
}

/* A trailer or chunk-extension byte: what a field value may hold. */
static bool http_chunk_vbyte(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int http_chunk_fail(struct http_chunk *out, const char *why)
{
	out->why = why;
	return HTTP_CHUNK_BAD;
}

int http_chunk_parse(const uint8_t *buf, size_t len, bool first,
		     struct http_chunk *out)
{
	size_t p = 0, s, eol, i, digits = 0;
	uint64_t size = 0;
	const char *why;
	bool complete;

	memset(out, 0, sizeof(*out));
	out->need = len + 1;
	if (!first) {
		if (len >= 1 && buf[0] != '\r')
			return http_chunk_fail(out, "no CRLF after chunk data");
		if (len >= 2 && buf[1] != '\n')
			return http_chunk_fail(out, "no CRLF after chunk data");
		if (len < 2)
			return HTTP_CHUNK_NEED_MORE;
		p = 2;
	}
	why = http_head_line(buf, len, p, p + HTTP_CHUNK_LINE_MAX, &eol,
			     &complete);
	if (why)
		return http_chunk_fail(out, why);
	for (i = p; i < eol; i++) {
		uint8_t c = http_head_lower(buf[i]);

		if (c == ';')
			break;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return http_chunk_fail(out, "chunk size is not hex");
		if (++digits > 15)
			return http_chunk_fail(out, "chunk size too long");
		size = size << 4 |
		       (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	if (!digits && i < eol)
		return http_chunk_fail(out, "empty chunk size");
	for (; i < eol; i++)
		if (!http_chunk_vbyte(buf[i]))
			return http_chunk_fail(out, "byte in chunk extension");
	if (!complete)
		return HTTP_CHUNK_NEED_MORE;
	if (!digits)
		return http_chunk_fail(out, "empty chunk size");
	p = eol + 2;
	if (size) {
		out->line_len = p;
		out->size = size;
		out->need = 0;
		return HTTP_CHUNK_OK;
	}
	/* The last chunk: trailer fields, then an empty line. */
	s = p;
	for (;;) {
		why = http_head_line(buf, len, p, s + HTTP_CHUNK_LINE_MAX, &eol,
				     &complete);
		if (why)
			return http_chunk_fail(out, why);
		if (eol > p) {
			if (buf[p] == ' ' || buf[p] == '\t')
				return http_chunk_fail(out, "obs-fold in "
							    "trailer");
			for (i = p; i < eol && buf[i] != ':'; i++)
				if (!http_head_tchar(buf[i]))
					return http_chunk_fail(
						out, "trailer name is not a "
						     "token");
			if (i == p || (i == eol && complete))
				return http_chunk_fail(out, "trailer field");
		}
		if (!complete)
			return HTTP_CHUNK_NEED_MORE;
		if (eol == p) {
			p += 2;
			break;
		}
		p = eol + 2;
	}
	out->line_len = p;
	out->last = true;
	out->need = 0;
	return HTTP_CHUNK_OK;
}
