/* SPDX-License-Identifier: MIT */
/*
 * policy_rule.c - one rule from its tokens: egress destinations (hostname,
 * "*.suffix", IPv4/IPv6 address or CIDR, port/range/any, protocol), DNS
 * names, unix socket paths, DNS upstreams; and the canonical text of a rule.
 * Shared by policy files and --allow/--deny, so both report the same errors.
 * Not responsible for where a rule may appear (policy_parse.c).
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy_priv.h"

#define TOKQ(s, n) (int)((n) > 80 ? 80 : (n)), (s)

static int policy_rule_port(const char *s, size_t len, uint16_t *out)
{
	unsigned v = 0;
	size_t i;

	if (!len || len > 5)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int policy_rule_ports(const struct policy_src *src, const char *s,
			     size_t len, unsigned col, struct policy_rule *r)
{
	static const char hint[] =
		"ports are 1-65535: write PORT, LO-HI or any";
	const char *dash;

	if (len == 3 && !memcmp(s, "any", 3)) {
		r->port_lo = 1;
		r->port_hi = 65535;
		return 0;
	}
	dash = memchr(s, '-', len);
	if (!dash) {
		if (policy_rule_port(s, len, &r->port_lo))
			return policy_src_err(src, col, hint,
					      "invalid port '%.*s'",
					      TOKQ(s, len));
		r->port_hi = r->port_lo;
		return 0;
	}
	if (policy_rule_port(s, (size_t)(dash - s), &r->port_lo) ||
	    policy_rule_port(dash + 1, len - (size_t)(dash - s) - 1,
			     &r->port_hi))
		return policy_src_err(src, col, hint,
				      "invalid port range '%.*s'",
				      TOKQ(s, len));
	if (r->port_lo > r->port_hi)
		return policy_src_err(
			src, col, "the first port must not exceed the second",
			"empty port range '%.*s'", TOKQ(s, len));
	return 0;
}

/* Parse "/N" after an address: @s points after the '/'. */
static int policy_rule_prefix(const struct policy_src *src, const char *s,
			      size_t len, unsigned col, struct policy_rule *r)
{
	unsigned max = r->addr.family == 4 ? 32 : 128, v = 0;
	size_t i;

	for (i = 0; i < len && i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			break;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (!len || i != len || v > max || (len > 1 && s[0] == '0'))
		return policy_src_err(src, col,
				      max == 32 ? "IPv4 prefixes are 0-32"
						: "IPv6 prefixes are 0-128",
				      "invalid prefix length '/%.*s'",
				      TOKQ(s, len));
	r->prefix = v;
	return 0;
}

/* Host bits must be zero: "10.0.0.1/8" is a typo more often than not. */
static int policy_rule_host_bits(const struct policy_src *src, unsigned col,
				 const char *text, size_t len,
				 struct policy_rule *r)
{
	struct policy_addr net = r->addr;
	unsigned bits = net.family == 4 ? 32 : 128, i;
	char hint[128], a[64];

	for (i = r->prefix; i < bits; i++)
		net.b[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	if (!memcmp(net.b, r->addr.b, sizeof(net.b)))
		return 0;
	policy_addr_fmt(&net, a, sizeof(a));
	snprintf(hint, sizeof(hint), "did you mean %s%s%s/%u?",
		 net.family == 6 ? "[" : "", a, net.family == 6 ? "]" : "",
		 r->prefix);
	return policy_src_err(src, col, hint, "host bits set in '%.*s'",
			      TOKQ(text, len));
}

/* IPv6 ranges inside the embeddings are judged as IPv4: refuse them. */
static int policy_rule_embedded(const struct policy_src *src, unsigned col,
				const char *text, size_t len,
				const struct policy_rule *r)
{
	static const char hint[] =
		"such addresses are judged as the IPv4 address they carry: write the IPv4 form";
	struct policy_addr judged;
	const char *range;

	if (r->addr.family != 6)
		return 0;
	switch (policy_addr_normalize(&r->addr, &judged)) {
	case POLICY_ADDR_EMBED_V4MAPPED:
		range = r->prefix >= 96 ? "::ffff:0:0/96" : NULL;
		break;
	case POLICY_ADDR_EMBED_NAT64:
		range = r->prefix >= 96 ? "64:ff9b::/96" : NULL;
		break;
	case POLICY_ADDR_EMBED_6TO4:
		range = r->prefix >= 16 ? "2002::/16" : NULL;
		break;
	case POLICY_ADDR_EMBED_NAT64_LOCAL:
		range = r->prefix >= 48 ? "64:ff9b:1::/48" : NULL;
		break;
	case POLICY_ADDR_EMBED_V4COMPAT:
		range = r->prefix >= 96 ? "::/96 (IPv4-compatible)" : NULL;
		break;
	case POLICY_ADDR_EMBED_TEREDO:
		range = r->prefix >= 32 ? "2001::/32 (Teredo)" : NULL;
		break;
	case POLICY_ADDR_EMBED_ISATAP:
		range = r->prefix >= 96 ? "ISATAP interface ids (::5efe:0:0/96)"
					: NULL;
		break;
	default:
		range = NULL;
	}
	if (!range)
		return 0;
	return policy_src_err(src, col, hint,
			      "'%.*s' is inside %s and can never match",
			      TOKQ(text, len), range);
}

/*
 * A hostname or "*.suffix" (@allow_wild), validated and normalised into @r.
 */
static int policy_rule_name(const struct policy_src *src, const char *s,
			    size_t len, unsigned col, struct policy_rule *r)
{
	const char *why = NULL;
	const char *star = memchr(s, '*', len);

	if (star && star != s)
		return policy_src_err(
			src, col,
			"'*' is allowed only as the whole first label, as in '*.example.com'",
			"malformed wildcard '%.*s'", TOKQ(s, len));
	if (star) {
		if (len == 1)
			return policy_src_err(
				src, col,
				"to allow every address write 0.0.0.0/0 and [::]/0",
				"bare '*' is not a hostname");
		if (s[1] != '.' || memchr(s + 1, '*', len - 1))
			return policy_src_err(
				src, col,
				"'*' must be followed by '.', as in '*.example.com'",
				"malformed wildcard '%.*s'", TOKQ(s, len));
		if (policy_name_normalize((const uint8_t *)s + 2, len - 2,
					  r->name, &why))
			return policy_src_err(src, col, "",
					      "invalid hostname '%.*s': %s",
					      TOKQ(s, len), why);
		r->host_kind = POLICY_HOST_KIND_SUFFIX;
		return 0;
	}
	if (policy_name_normalize((const uint8_t *)s, len, r->name, &why))
		return policy_src_err(src, col, "",
				      "invalid hostname '%.*s': %s",
				      TOKQ(s, len), why);
	r->host_kind = POLICY_HOST_KIND_NAME;
	return 0;
}

static bool policy_rule_looks_v4(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
			return false;
	return true;
}

static int policy_rule_dest(const struct policy_src *src, const char *s,
			    size_t len, unsigned col, struct policy_rule *r)
{
	static const char port_hint[] =
		"write HOST:PORT, HOST:LO-HI or HOST:any";
	const char *colon, *slash, *close;
	size_t hlen;

	if (len && s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close)
			return policy_src_err(
				src, col,
				"write [ADDR]:PORT or [ADDR]/LEN:PORT",
				"missing ']' in '%.*s'", TOKQ(s, len));
		hlen = (size_t)(close - s - 1);
		if (!memchr(s + 1, ':', hlen) ||
		    policy_addr_parse((const uint8_t *)s + 1, hlen, &r->addr))
			return policy_src_err(src, col + 1, "",
					      "invalid IPv6 address '%.*s'",
					      TOKQ(s + 1, hlen));
		r->host_kind = POLICY_HOST_KIND_CIDR;
		r->prefix = 128;
		s = close + 1;
		len -= hlen + 2;
		col += (unsigned)hlen + 2;
		if (len && s[0] == '/') {
			colon = memchr(s, ':', len);
			hlen = colon ? (size_t)(colon - s) : len;
			if (policy_rule_prefix(src, s + 1, hlen - 1, col, r))
				return -EINVAL;
			s += hlen;
			len -= hlen;
			col += (unsigned)hlen;
		}
		if (!len || s[0] != ':')
			return policy_src_err(src, col, port_hint,
					      "missing port after the address");
		return policy_rule_ports(src, s + 1, len - 1, col + 1, r);
	}

	colon = NULL;
	for (hlen = len; hlen > 0; hlen--)
		if (s[hlen - 1] == ':') {
			colon = s + hlen - 1;
			break;
		}
	if (!colon)
		return policy_src_err(src, col, port_hint,
				      "missing port in '%.*s'", TOKQ(s, len));
	hlen = (size_t)(colon - s);
	if (memchr(s, ':', hlen))
		return policy_src_err(
			src, col,
			"write e.g. [2001:db8::1]:443 or [2001:db8::]/32:any",
			"IPv6 addresses need brackets");
	if (!hlen)
		return policy_src_err(src, col, port_hint,
				      "missing host before ':'");
	slash = memchr(s, '/', hlen);
	if (slash || policy_rule_looks_v4(s, hlen)) {
		size_t alen = slash ? (size_t)(slash - s) : hlen;

		if (policy_addr_parse((const uint8_t *)s, alen, &r->addr) ||
		    r->addr.family != 4)
			return policy_src_err(
				src, col,
				"IPv4 octets are 0-255, decimal, without leading zeros",
				"invalid IPv4 address '%.*s'", TOKQ(s, alen));
		r->host_kind = POLICY_HOST_KIND_CIDR;
		r->prefix = 32;
		if (slash && policy_rule_prefix(src, slash + 1, hlen - alen - 1,
						col + (unsigned)alen, r))
			return -EINVAL;
	} else if (policy_rule_name(src, s, hlen, col, r)) {
		return -EINVAL;
	}
	return policy_rule_ports(src, colon + 1, len - hlen - 1,
				 col + (unsigned)hlen + 1, r);
}

int policy_rule_egress_parse(const struct policy_src *src,
			     enum policy_action action,
			     const struct policy_tok *proto,
			     const struct policy_tok *dest,
			     struct policy_rule *out)
{
	struct policy_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.kind = POLICY_RULE_KIND_EGRESS;
	r.loc.file = src->file;
	r.loc.line = src->line;
	r.loc.col = proto->col;
	if (proto->len == 3 && !memcmp(proto->s, "tcp", 3))
		r.proto = POLICY_PROTO_TCP;
	else if (proto->len == 3 && !memcmp(proto->s, "udp", 3))
		r.proto = POLICY_PROTO_UDP;
	else if (proto->len == 3 && !memcmp(proto->s, "any", 3))
		r.proto = POLICY_PROTO_ANY;
	else
		return policy_src_err(
			src, proto->col,
			"write tcp, udp or any before the destination",
			"unknown protocol '%.*s'", TOKQ(proto->s, proto->len));
	if (dest->quoted)
		return policy_src_err(src, dest->col, "",
				      "a destination is not quoted");
	if (policy_rule_dest(src, dest->s, dest->len, dest->col, &r))
		return -EINVAL;
	if (r.host_kind == POLICY_HOST_KIND_CIDR &&
	    (policy_rule_host_bits(src, dest->col, dest->s, dest->len, &r) ||
	     policy_rule_embedded(src, dest->col, dest->s, dest->len, &r)))
		return -EINVAL;
	*out = r;
	return 0;
}

int policy_rule_dns_parse(const struct policy_src *src,
			  enum policy_action action,
			  const struct policy_tok *name,
			  struct policy_rule *out)
{
	struct policy_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.kind = POLICY_RULE_KIND_DNS;
	r.loc.file = src->file;
	r.loc.line = src->line;
	r.loc.col = name->col;
	if (name->quoted)
		return policy_src_err(src, name->col, "",
				      "a hostname is not quoted");
	if (policy_rule_looks_v4(name->s, name->len) ||
	    memchr(name->s, ':', name->len))
		return policy_src_err(
			src, name->col,
			"dns rules name hosts; addresses need no resolving",
			"'%.*s' is not a hostname", TOKQ(name->s, name->len));
	if (policy_rule_name(src, name->s, name->len, name->col, &r))
		return -EINVAL;
	*out = r;
	return 0;
}

static const char *const policy_rule_placeholders[] = {
	"$CWD", "$TMPDIR", "$XDG_RUNTIME_DIR", "$HOME", "$WORKSPACE",
};

/*
 * "@NAME": an abstract socket, matched by exact name. Written unquoted (a
 * quoted string has escapes of its own), every byte as itself or \xHH.
 */
static int policy_rule_abstract(const struct policy_src *src,
				const struct policy_tok *t,
				struct policy_rule *r, struct policy_rule *out)
{
	static const char hint[] =
		"write '@NAME' unquoted; any byte as \\xHH (\\x00 for NUL, \\x20 for a space), a backslash as \\\\";
	const char *why = NULL;
	size_t bad = 0;

	if (t->quoted)
		return policy_src_err(
			src, t->col, hint,
			"abstract names are written without quotes");
	if (policy_unix_abstract_parse((const uint8_t *)t->s + 1, t->len - 1,
				       r->path, &r->path_len, &bad, &why))
		return policy_src_err(src, t->col + 1 + (unsigned)bad, hint,
				      "%s in '%.*s'", why, TOKQ(t->s, t->len));
	r->abstract = true;
	*out = *r;
	return 0;
}

/* A path prefix with an optional placeholder, for unix and fs rules. */
static int policy_rule_path(const struct policy_src *src,
			    const struct policy_tok *path, const char *what,
			    struct policy_rule *out);

int policy_rule_unix_parse(const struct policy_src *src,
			   enum policy_action action,
			   const struct policy_tok *path,
			   struct policy_rule *out)
{
	struct policy_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.kind = POLICY_RULE_KIND_UNIX;
	r.loc.file = src->file;
	r.loc.line = src->line;
	r.loc.col = path->col;
	if (path->len && path->s[0] == '@')
		return policy_rule_abstract(src, path, &r, out);
	if (policy_rule_path(src, path, "unix", &r))
		return -EINVAL;
	*out = r;
	return 0;
}

void policy_fs_access_fmt(unsigned mask, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s%s%s", mask & POLICY_FS_READ ? "read" : "",
		 (mask & POLICY_FS_READ) &&
				 (mask & (POLICY_FS_WRITE | POLICY_FS_EXEC))
			 ? ","
			 : "",
		 mask & POLICY_FS_WRITE ? "write" : "",
		 (mask & POLICY_FS_WRITE) && (mask & POLICY_FS_EXEC) ? "," : "",
		 mask & POLICY_FS_EXEC ? "exec" : "");
}

int policy_fs_access_parse(const char *s, size_t len, unsigned *out)
{
	static const char *const words[] = {"read", "write", "exec"};
	size_t i = 0, w;
	unsigned mask = 0;

	while (i <= len) {
		size_t start = i, n;

		while (i < len && s[i] != ',')
			i++;
		n = i - start;
		for (w = 0; w < ARRAY_SIZE(words); w++)
			if (n == strlen(words[w]) &&
			    !memcmp(s + start, words[w], n))
				break;
		if (w == ARRAY_SIZE(words) || (mask & (1u << w)))
			return -EINVAL;
		mask |= 1u << w;
		i++;
	}
	*out = mask;
	return 0;
}

int policy_rule_fs_parse(const struct policy_src *src,
			 const struct policy_tok *access,
			 const struct policy_tok *path, struct policy_rule *out)
{
	struct policy_rule r;

	memset(&r, 0, sizeof(r));
	r.kind = POLICY_RULE_KIND_FS;
	r.loc.file = src->file;
	r.loc.line = src->line;
	r.loc.col = access->col;
	if (!access->quoted && access->len == 4 &&
	    !memcmp(access->s, "deny", 4)) {
		r.action = POLICY_ACTION_DENY;
		r.fs_access = POLICY_FS_ALL;
	} else if (access->quoted ||
		   policy_fs_access_parse(access->s, access->len,
					  &r.fs_access)) {
		return policy_src_err(
			src, access->col,
			"write 'fs read|write|exec[,...] PATH' (each at most once, as in 'fs read,exec /usr') or 'fs deny PATH'",
			"unknown filesystem access '%.*s'",
			TOKQ(access->s, access->len));
	} else {
		r.action = POLICY_ACTION_ALLOW;
	}
	if (path->len && path->s[0] == '@')
		return policy_src_err(
			src, path->col, "",
			"fs rules name paths, not abstract sockets");
	if (policy_rule_path(src, path, "fs", &r))
		return -EINVAL;
	*out = r;
	return 0;
}

static int policy_rule_path(const struct policy_src *src,
			    const struct policy_tok *path, const char *what,
			    struct policy_rule *out)
{
	static const char hint[] =
		"write an absolute path, or one starting with $CWD, $TMPDIR, $XDG_RUNTIME_DIR, $HOME or $WORKSPACE";
	struct policy_rule r = *out;
	size_t i, plen = 0;

	if (path->len && path->s[0] == '$') {
		for (i = 0; i < ARRAY_SIZE(policy_rule_placeholders); i++) {
			size_t n = strlen(policy_rule_placeholders[i]);

			if (path->len >= n &&
			    !memcmp(path->s, policy_rule_placeholders[i], n) &&
			    (path->len == n || path->s[n] == '/')) {
				plen = n;
				break;
			}
		}
		if (!plen)
			return policy_src_err(src, path->col, hint,
					      "unknown placeholder in '%.*s'",
					      TOKQ(path->s, path->len));
	} else if (!path->len || path->s[0] != '/') {
		return policy_src_err(src, path->col, hint,
				      "%s path '%.*s' is not absolute", what,
				      TOKQ(path->s, path->len));
	}
	if (plen) {
		memcpy(r.path, path->s, plen);
		if (plen < path->len &&
		    policy_unix_path_normalize(path->s + plen, path->len - plen,
					       r.path + plen,
					       sizeof(r.path) - plen))
			goto bad_path;
		/* "$CWD/" normalises to "$CWD/" minus the slash. */
		if (!strcmp(r.path + plen, "/"))
			r.path[plen] = '\0';
	} else if (policy_unix_path_normalize(path->s, path->len, r.path,
					      sizeof(r.path))) {
		goto bad_path;
	}
	*out = r;
	return 0;

bad_path:
	if (path->len > POLICY_PATH_MAX)
		return policy_src_err(src, path->col, "",
				      "%s path longer than %d bytes", what,
				      POLICY_PATH_MAX);
	return policy_src_err(src, path->col,
			      "cordon compares paths without resolving them",
			      "'.' and '..' are not allowed in %s paths", what);
}

int policy_rule_upstream_parse(const struct policy_src *src,
			       const struct policy_tok *t,
			       struct policy_upstream *out)
{
	static const char hint[] =
		"write ADDR, ADDR:PORT, [V6ADDR] or [V6ADDR]:PORT";
	const char *s = t->s, *close, *colon;
	size_t len = t->len, alen;

	memset(out, 0, sizeof(*out));
	out->port = 53;
	out->loc.file = src->file;
	out->loc.line = src->line;
	out->loc.col = t->col;
	if (len && s[0] == '[') {
		close = memchr(s, ']', len);
		if (!close)
			return policy_src_err(src, t->col, hint,
					      "missing ']' in '%.*s'",
					      TOKQ(s, len));
		alen = (size_t)(close - s - 1);
		if (!memchr(s + 1, ':', alen) ||
		    policy_addr_parse((const uint8_t *)s + 1, alen, &out->addr))
			return policy_src_err(src, t->col + 1, hint,
					      "invalid IPv6 address '%.*s'",
					      TOKQ(s + 1, alen));
		colon = close + 1 < s + len ? close + 1 : NULL;
		if (colon && *colon != ':')
			return policy_src_err(src, t->col, hint,
					      "unexpected text after ']'");
	} else {
		colon = memchr(s, ':', len);
		if (colon &&
		    memchr(colon + 1, ':', len - (size_t)(colon - s) - 1))
			return policy_src_err(src, t->col, hint,
					      "IPv6 addresses need brackets");
		alen = colon ? (size_t)(colon - s) : len;
		if (policy_addr_parse((const uint8_t *)s, alen, &out->addr))
			return policy_src_err(src, t->col, hint,
					      "invalid upstream address '%.*s'",
					      TOKQ(s, alen));
	}
	if (colon && policy_rule_port(colon + 1, len - (size_t)(colon - s) - 1,
				      &out->port))
		return policy_src_err(
			src, t->col + (unsigned)(colon - s) + 1,
			"ports are 1-65535", "invalid port '%.*s'",
			TOKQ(colon + 1, len - (size_t)(colon - s) - 1));
	return 0;
}

static int policy_rule_host_fmt(const struct policy_rule *r, struct dynbuf *out)
{
	char a[64];

	switch (r->host_kind) {
	case POLICY_HOST_KIND_NAME:
		return dynbuf_addf(out, "%s", r->name);
	case POLICY_HOST_KIND_SUFFIX:
		return dynbuf_addf(out, "*.%s", r->name);
	case POLICY_HOST_KIND_CIDR:
		break;
	}
	policy_addr_fmt(&r->addr, a, sizeof(a));
	if (r->addr.family == 4)
		return r->prefix == 32
			       ? dynbuf_addf(out, "%s", a)
			       : dynbuf_addf(out, "%s/%u", a, r->prefix);
	return r->prefix == 128 ? dynbuf_addf(out, "[%s]", a)
				: dynbuf_addf(out, "[%s]/%u", a, r->prefix);
}

int policy_rule_fmt(const struct policy_rule *r, struct dynbuf *out)
{
	static const char *const protos[] = {"?", "tcp", "udp", "any"};
	const char *act = r->action == POLICY_ACTION_ALLOW ? "allow" : "deny";
	const char *c;
	int rc;

	switch (r->kind) {
	case POLICY_RULE_KIND_EGRESS:
		rc = dynbuf_addf(out, "%s %s ", act, protos[r->proto & 3]);
		if (!rc)
			rc = policy_rule_host_fmt(r, out);
		if (rc)
			return rc;
		if (r->port_lo == 1 && r->port_hi == 65535)
			return dynbuf_addf(out, ":any");
		if (r->port_lo == r->port_hi)
			return dynbuf_addf(out, ":%u", r->port_lo);
		return dynbuf_addf(out, ":%u-%u", r->port_lo, r->port_hi);
	case POLICY_RULE_KIND_DNS:
		rc = dynbuf_addf(out, "dns %s ", act);
		return rc ? rc : policy_rule_host_fmt(r, out);
	case POLICY_RULE_KIND_FS: {
		char acc[32];

		if (r->action == POLICY_ACTION_DENY)
			snprintf(acc, sizeof(acc), "deny");
		else
			policy_fs_access_fmt(r->fs_access, acc, sizeof(acc));
		rc = dynbuf_addf(out, "fs %s \"", acc);
		for (c = r->path; !rc && *c; c++)
			rc = (*c == '"' || *c == '\\')
				     ? dynbuf_addf(out, "\\%c", *c)
				     : dynbuf_add(out, c, 1);
		return rc ? rc : dynbuf_add(out, "\"", 1);
	}
	case POLICY_RULE_KIND_UNIX:
		if (r->abstract) {
			char esc[POLICY_ABSTRACT_MAX * 4 + 1];

			policy_unix_abstract_fmt(r->path, r->path_len, esc,
						 sizeof(esc));
			return dynbuf_addf(out, "unix %s @%s", act, esc);
		}
		rc = dynbuf_addf(out, "unix %s \"", act);
		for (c = r->path; !rc && *c; c++)
			rc = (*c == '"' || *c == '\\')
				     ? dynbuf_addf(out, "\\%c", *c)
				     : dynbuf_add(out, c, 1);
		return rc ? rc : dynbuf_add(out, "\"", 1);
	}
	return -EINVAL;
}

int policy_rule_cmp(const struct policy_rule *a, const struct policy_rule *b)
{
	int d;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->action != b->action)
		return (int)a->action - (int)b->action;
	if (a->kind == POLICY_RULE_KIND_UNIX && a->abstract != b->abstract)
		return (int)a->abstract - (int)b->abstract;
	if (a->kind == POLICY_RULE_KIND_UNIX && a->abstract) {
		d = memcmp(a->path, b->path,
			   a->path_len < b->path_len ? a->path_len
						     : b->path_len);
		if (d)
			return d;
		return a->path_len < b->path_len   ? -1
		       : a->path_len > b->path_len ? 1
						   : 0;
	}
	if (a->kind == POLICY_RULE_KIND_UNIX)
		return strcmp(a->path, b->path);
	if (a->kind == POLICY_RULE_KIND_FS) {
		d = strcmp(a->path, b->path);
		if (d)
			return d;
		return (int)a->fs_access - (int)b->fs_access;
	}
	if (a->host_kind != b->host_kind)
		return (int)a->host_kind - (int)b->host_kind;
	if (a->host_kind == POLICY_HOST_KIND_CIDR) {
		if (a->addr.family != b->addr.family)
			return (int)a->addr.family - (int)b->addr.family;
		d = memcmp(a->addr.b, b->addr.b, sizeof(a->addr.b));
		if (d)
			return d;
		if (a->prefix != b->prefix)
			return a->prefix < b->prefix ? -1 : 1;
	} else {
		d = strcmp(a->name, b->name);
		if (d)
			return d;
	}
	if (a->kind == POLICY_RULE_KIND_DNS)
		return 0;
	if (a->proto != b->proto)
		return (int)a->proto - (int)b->proto;
	if (a->port_lo != b->port_lo)
		return (int)a->port_lo - (int)b->port_lo;
	return (int)a->port_hi - (int)b->port_hi;
}

bool policy_rule_same(const struct policy_rule *a, const struct policy_rule *b)
{
	return policy_rule_cmp(a, b) == 0;
}
