/* SPDX-License-Identifier: MIT */
/*
 * fuzz_policy.c - libFuzzer target for the policy parser. Each input is
 * parsed as a policy file (includes fail: the loader touches no files);
 * every zone that parses must survive zone_fmt() -> policy_parse() ->
 * zone_fmt() unchanged and answer a few decisions; the first line is also
 * tried as --allow, --deny and --limit overrides, and the raw bytes as an
 * address, a hostname, a unix path and an abstract name (raw and escaped).
 * Any mismatch aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "policy/policy.h"

static int fuzz_policy_read(void *ctx, const char *path, struct dynbuf *text,
			    size_t max, char *id, size_t idlen)
{
	(void)ctx;
	(void)path;
	(void)text;
	(void)max;
	(void)id;
	(void)idlen;
	return -ENOENT;
}

static const struct policy_loader fuzz_policy_loader = {fuzz_policy_read, NULL};

/* Readings of hostile bytes: bounded, and IPv4 whenever they unwrap. */
static void fuzz_policy_readings(const struct policy_addr *a)
{
	struct policy_addr_readings rd;
	size_t i;

	policy_addr_readings(a, &rd);
	if (rd.n_also > POLICY_ADDR_ALSO_MAX ||
	    (rd.embed != POLICY_ADDR_EMBED_NONE) != (rd.judged.family == 4) ||
	    (rd.embed == POLICY_ADDR_EMBED_NONE && rd.n_also) ||
	    (rd.embed != POLICY_ADDR_EMBED_NONE &&
	     !policy_addr_embed_name(rd.embed)))
		abort();
	for (i = 0; i < rd.n_also; i++)
		if (rd.also[i].family != 4)
			abort();
}

static void fuzz_policy_decide(const struct zone *z, const uint8_t *data,
			       size_t size)
{
	static const char *const names[] = {"a.example.com", "example.com",
					    "metadata.google.internal"};
	struct policy_listener l = {POLICY_PROTO_TCP, 8080};
	struct policy_runtime rt = {0};
	struct policy_decision d;
	struct zone_tables *t;
	struct policy_connect c;
	size_t i;

	if (zone_tables_new(z, &t))
		return;
	rt.listeners = &l;
	rt.n_listeners = 1;
	rt.cwd = "/work";
	rt.tmpdir = "/tmp";
	memset(&c, 0, sizeof(c));
	c.proto = POLICY_PROTO_TCP;
	c.port = 443;
	c.have_addr = true;
	c.addr.family = 4;
	for (i = 0; i < 4 && i < size; i++)
		c.addr.b[i] = data[i];
	c.pinned = names;
	c.n_pinned = ARRAY_SIZE(names);
	zone_decide_connect(t, &rt, &c, &d);
	if (!d.zone || (d.reason == POLICY_REASON_RULE) != (d.rule != NULL))
		abort();
	/* The first 16 bytes as an IPv6 destination: every spelling. */
	c.addr.family = 6;
	for (i = 0; i < 16; i++)
		c.addr.b[i] = i < size ? data[i] : 0;
	fuzz_policy_readings(&c.addr);
	zone_decide_connect(t, &rt, &c, &d);
	if (!d.zone || (d.reason == POLICY_REASON_RULE) != (d.rule != NULL) ||
	    (d.has_via && d.verdict != POLICY_VERDICT_DENY))
		abort();
	zone_decide_resolve(t, (const char *)data, size < 300 ? size : 300, &d);
	zone_decide_listen(t, &c.addr, POLICY_PROTO_TCP, 80, &d);
	zone_decide_unix(t, &rt, "/work/s.sock", 12, false, &d);
	zone_decide_unix(t, &rt, (const char *)data,
			 size < POLICY_ABSTRACT_MAX ? size
						    : POLICY_ABSTRACT_MAX,
			 true, &d);
	if (!d.zone || (d.reason == POLICY_REASON_RULE) != (d.rule != NULL))
		abort();
	/* fs rules: the bytes as a path and as an access list. */
	rt.workspace = "/work";
	rt.home = "/home/u";
	zone_decide_open(t, &rt, (const char *)data, size < 4096 ? size : 4096,
			 size ? (data[0] & POLICY_FS_ALL) : 0, &d);
	if (!d.zone || (d.reason == POLICY_REASON_RULE) != (d.rule != NULL) ||
	    (d.reason == POLICY_REASON_INVALID &&
	     d.verdict != POLICY_VERDICT_DENY))
		abort();
	zone_decide_open(t, &rt, "/work/x", 7, POLICY_FS_READ | POLICY_FS_WRITE,
			 &d);
	{
		unsigned acc;

		if (policy_fs_access_parse((const char *)data,
					   size < 64 ? size : 64, &acc) == 0 &&
		    (!acc || (acc & ~(unsigned)POLICY_FS_ALL)))
			abort();
	}
	zone_tables_free(t);
}

/*
 * Abstract names: the raw bytes as a name must survive fmt -> parse
 * unchanged (NULs and all), and the raw bytes as escaped text, when they
 * parse, must survive parse -> fmt -> parse.
 */
static void fuzz_policy_abstract(const uint8_t *data, size_t size)
{
	char name[POLICY_ABSTRACT_MAX], again[POLICY_ABSTRACT_MAX];
	char esc[POLICY_ABSTRACT_MAX * 4 + 1];
	size_t len, len2, bad,
		n = size < POLICY_ABSTRACT_MAX ? size : POLICY_ABSTRACT_MAX;
	const char *why;

	policy_unix_abstract_fmt((const char *)data, n, esc, sizeof(esc));
	if (n && (policy_unix_abstract_parse((const uint8_t *)esc, strlen(esc),
					     again, &len2, &bad, &why) ||
		  len2 != n || memcmp(again, data, n)))
		abort();
	if (policy_unix_abstract_parse(data, size, name, &len, &bad, &why)) {
		if (size && bad >= size)
			abort();
		return;
	}
	policy_unix_abstract_fmt(name, len, esc, sizeof(esc));
	if (policy_unix_abstract_parse((const uint8_t *)esc, strlen(esc), again,
				       &len2, &bad, &why) ||
	    len2 != len || memcmp(again, name, len))
		abort();
}

static void fuzz_policy_roundtrip(const struct zone *z)
{
	struct dynbuf a, b;
	struct policy *p2;
	const struct zone *z2;

	dynbuf_init(&a, 1u << 24);
	dynbuf_init(&b, 1u << 24);
	if (zone_fmt(z, 0, &a))
		abort();
	p2 = policy_new(POLICY_FLAG_NO_BUILTINS);
	if (!p2)
		abort();
	policy_set_loader(p2, &fuzz_policy_loader);
	if (policy_parse(p2, "<canonical>", (const uint8_t *)a.data, a.len) ||
	    policy_finish(p2)) {
		fprintf(stderr, "canonical text does not parse:\n%s", a.data);
		abort();
	}
	z2 = policy_zone_find(p2, zone_name(z));
	if (!z2 || zone_fmt(z2, 0, &b) || a.len != b.len ||
	    memcmp(a.data, b.data, a.len)) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", a.data,
			b.data ? b.data : "");
		abort();
	}
	policy_free(p2);
	dynbuf_free(&a);
	dynbuf_free(&b);
}

static void fuzz_policy_overrides(const uint8_t *data, size_t size)
{
	char line[512];
	const char *arg[1] = {line};
	struct policy_overrides o = {arg, 1, arg, 1, arg, 1};
	const struct zone *z;
	struct policy *p;
	size_t n = 0;

	while (n < size && n < sizeof(line) - 1 && data[n] != '\n')
		n++;
	memcpy(line, data, n);
	line[n] = '\0';
	p = policy_new(0);
	if (!p)
		abort();
	o.n_allow = strchr(line, ':') ? 1 : 0;
	o.n_deny = o.n_allow;
	o.n_limit = strchr(line, '=') ? 1 : 0;
	if (!policy_zone_effective(p, "internal-ci", &o, &z))
		fuzz_policy_roundtrip(z);
	policy_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[POLICY_NAME_MAX + 1];
	struct policy_addr addr;
	struct policy *p;
	size_t i;

	policy_addr_parse(data, size, &addr);
	policy_name_normalize(data, size, name, NULL);
	fuzz_policy_abstract(data, size);

	p = policy_new(0);
	if (!p)
		abort();
	policy_set_loader(p, &fuzz_policy_loader);
	if (!policy_parse(p, "fuzz", data, size) && !policy_finish(p)) {
		for (i = 0; i < policy_zone_count(p); i++) {
			fuzz_policy_roundtrip(policy_zone_get(p, i));
			fuzz_policy_decide(policy_zone_get(p, i), data, size);
		}
	}
	for (i = 0; i < policy_diag_count(p); i++) {
		const struct policy_diag *d = policy_diag_get(p, i);

		if (!d->file || !d->line || !d->col || !d->message[0])
			abort();
	}
	policy_free(p);
	fuzz_policy_overrides(data, size);
	return 0;
}
