/* SPDX-License-Identifier: MIT */
/*
 * policy.h - cordon's policy language: text -> validated zones -> compiled
 * decision tables -> pure decision functions. Enforcement (netstack, sentry)
 * and `cordon policy explain` call the same zone_decide_*() functions.
 *
 * Not responsible for syscall tables (sentry validates syscall names later and
 * reports with the location kept here), sockets or DNS packets. Never exits,
 * never prints: errors come back as -errno plus diagnostics.
 *
 * Ownership: a struct policy owns every zone, rule, diagnostic and source
 * name reachable from it; pointers obtained from it stay valid until
 * policy_free(). A struct zone_tables borrows its zone (free the tables first).
 */
#ifndef CORDON_POLICY_H
#define CORDON_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* ---------------------------------------------------------------------------
 * Bounds. Everything the parser builds has one of these caps.
 */
#define POLICY_FILE_MAX (1u << 20) /* bytes per policy file */
#define POLICY_LINE_MAX 4096	   /* bytes per line */
#define POLICY_INCLUDE_DEPTH 8	   /* nested includes */
#define POLICY_FILES_MAX 64	   /* files per policy, builtins excluded */
#define POLICY_ZONES_MAX 256
#define POLICY_ZONE_RULES_MAX 4096 /* rules per zone, inherited included */
#define POLICY_UPSTREAMS_MAX 8
#define POLICY_SYSCALLS_MAX 512
#define POLICY_DIAG_MAX 50
#define POLICY_NAME_MAX 253 /* hostname, without trailing dot */
#define POLICY_ZONE_NAME_MAX 63
#define POLICY_PATH_MAX 200	/* unix socket path prefix in a rule */
#define POLICY_ABSTRACT_MAX 107 /* abstract name: sun_path minus its NUL */
#define POLICY_SYSCALL_NAME_MAX 63
#define POLICY_SLOT_NAME_MAX 63

/* ---------------------------------------------------------------------------
 * Plain values.
 */

/** struct policy_loc - where a rule or setting was written (1-based). */
struct policy_loc {
	const char *file; /* owned by the policy; "<builtin>", "<--allow #1>" */
	unsigned line;
	unsigned col;
};

/* Protocols are a bit mask so that "any" is TCP|UDP. */
enum policy_proto {
	POLICY_PROTO_TCP = 1,
	POLICY_PROTO_UDP = 2,
	POLICY_PROTO_ANY = 3,
};

/**
 * struct policy_addr - an IPv4 or IPv6 address.
 * @family: 4 or 6 (not AF_*: this header is free of socket headers).
 * @b:      network byte order; IPv4 uses b[0..3], the rest is zero.
 */
struct policy_addr {
	uint8_t family;
	uint8_t b[16];
};

/*
 * IPv6 spellings that carry an IPv4 address: a translator, relay or tunnel
 * in the path would deliver to that IPv4 address, so decisions judge them
 * as it (docs/policy.md "Addresses").
 */
enum policy_addr_embed {
	POLICY_ADDR_EMBED_NONE,
	POLICY_ADDR_EMBED_V4MAPPED,    /* ::ffff:a.b.c.d */
	POLICY_ADDR_EMBED_NAT64,       /* 64:ff9b::a.b.c.d (RFC 6052 WKP) */
	POLICY_ADDR_EMBED_6TO4,	       /* 2002:AABB:CCDD::/48 (RFC 3056) */
	POLICY_ADDR_EMBED_NAT64_LOCAL, /* 64:ff9b:1::/48 (RFC 8215) */
	POLICY_ADDR_EMBED_V4COMPAT,    /* ::a.b.c.d, not :: or ::1 (RFC 4291) */
	POLICY_ADDR_EMBED_TEREDO,      /* 2001:0::/32 (RFC 4380) */
	POLICY_ADDR_EMBED_ISATAP,      /* IID 0:5efe:a.b.c.d (RFC 5214) */
};

#define POLICY_ADDR_ALSO_MAX 4

/**
 * struct policy_addr_readings - every address an IPv6 spelling can reach.
 * @embed:  the spelling (NONE: the address stands for itself).
 * @judged: the address decisions judge: the IPv4 address carried (Teredo:
 *          the client's; the NAT64 local-use prefix: the RFC 6052 /96
 *          position), else the address itself.
 * @also:   further IPv4 addresses the spelling can reach, each denying the
 *          whole address when it would be denied:
 *          @strict[i]: judged in full, like @judged, so it must be allowed
 *          too (Teredo's server; an ISATAP interface id under a 6to4 or
 *          Teredo prefix); else only the always-denied set and deny rules
 *          apply (the /48, /56 and /64 positions of the NAT64 local-use
 *          prefix, which a translator configured with that prefix length
 *          would use; readings inside 0.0.0.0/8 are left out, as no
 *          translator can send there: a martian destination).
 */
struct policy_addr_readings {
	enum policy_addr_embed embed;
	struct policy_addr judged;
	struct policy_addr also[POLICY_ADDR_ALSO_MAX];
	bool strict[POLICY_ADDR_ALSO_MAX];
	size_t n_also;
};

/**
 * policy_addr_readings() - all readings of @in (hostile: any 16 bytes).
 * Pure, never fails; an IPv4 @in has no further readings.
 */
void policy_addr_readings(const struct policy_addr *in,
			  struct policy_addr_readings *out);

/** policy_addr_embed_name() - "v4-mapped", "teredo", ...; NULL for NONE. */
const char *policy_addr_embed_name(enum policy_addr_embed e);

/**
 * policy_addr_parse() - parse an IPv4 dotted quad or an IPv6 address (no
 * brackets, no port, no zone index).
 * @p, @len: the text; not NUL-terminated; hostile.
 * IPv4 octets with leading zeros are rejected (ambiguous: octal or decimal).
 * Return: 0 and *@out, or -EINVAL.
 */
int policy_addr_parse(const uint8_t *p, size_t len, struct policy_addr *out);

/**
 * policy_addr_normalize() - the address a decision judges (the @judged of
 * policy_addr_readings(): every spelling above is judged as the IPv4
 * address it carries). @in may equal @out.
 * Return: which embedding was unwrapped (POLICY_ADDR_EMBED_NONE: copied).
 */
enum policy_addr_embed policy_addr_normalize(const struct policy_addr *in,
					     struct policy_addr *out);

/**
 * policy_addr_fmt() - canonical text (inet_ntop) of @a into @out.
 * Return: 0, or -ENOSPC when @outlen < 46.
 */
int policy_addr_fmt(const struct policy_addr *a, char *out, size_t outlen);

/**
 * policy_addr_match() - whether @a lies in @net/@prefix (same family only).
 */
bool policy_addr_match(const struct policy_addr *net, unsigned prefix,
		       const struct policy_addr *a);

/**
 * policy_name_normalize() - a hostname as cordon compares it: ASCII
 * lowercase, one trailing dot removed, labels of [a-z0-9_-] (1..63 bytes, no
 * leading or trailing '-'), at most 253 bytes, last label not all digits.
 * Punycode (xn--) is left as is; non-ASCII is rejected.
 * @out must hold POLICY_NAME_MAX + 1 bytes.
 * Return: 0, or -EINVAL (with *@why, a static string, when @why != NULL).
 */
int policy_name_normalize(const uint8_t *p, size_t len, char *out,
			  const char **why);

/**
 * policy_name_match() - whether normalised @name matches @pattern: an exact
 * normalised name, or "*.suffix", which matches names with at least one more
 * label than the suffix ("*.example.com" matches "a.example.com" and
 * "a.b.example.com", never "example.com" or "badexample.com").
 */
bool policy_name_match(const char *pattern, const char *name);

/* ---------------------------------------------------------------------------
 * The model: rules, limits, syscall overrides, DNS upstreams.
 */

enum policy_action {
	POLICY_ACTION_ALLOW,
	POLICY_ACTION_DENY,
};

enum policy_rule_kind {
	POLICY_RULE_KIND_EGRESS, /* allow|deny PROTO HOST:PORTS */
	POLICY_RULE_KIND_DNS,	 /* dns allow|deny NAME */
	POLICY_RULE_KIND_UNIX,	 /* unix allow|deny PATH */
	POLICY_RULE_KIND_FS,	 /* fs ACCESS PATH, fs deny PATH */
};

/*
 * Filesystem access a "fs" rule grants (a mask). A deny rule takes every
 * access away (@fs_access POLICY_FS_ALL). docs/filesystem.md maps each to
 * the Landlock rights it stands for.
 */
enum policy_fs_access {
	POLICY_FS_READ = 1,  /* read files, list directories */
	POLICY_FS_WRITE = 2, /* write, truncate, create, remove, rename, link */
	POLICY_FS_EXEC = 4,  /* execve() a file */
	POLICY_FS_ALL = 7,
};

/**
 * policy_fs_access_fmt() - "read", "read,write,exec", ... of @mask (the
 * order is fixed: read, write, exec) into @out (at least 16 bytes).
 */
void policy_fs_access_fmt(unsigned mask, char *out, size_t outlen);

/**
 * policy_fs_access_parse() - "read", "write", "exec" or a comma-separated
 * list of them, each at most once (@s, @len: hostile, not NUL-terminated).
 * Return: 0 and the mask in *@out, or -EINVAL.
 */
int policy_fs_access_parse(const char *s, size_t len, unsigned *out);

enum policy_host_kind {
	POLICY_HOST_KIND_NAME,	 /* exact hostname in @name */
	POLICY_HOST_KIND_SUFFIX, /* "*.suffix": @name holds the suffix */
	POLICY_HOST_KIND_CIDR,	 /* @addr/@prefix, host bits zero */
};

/**
 * struct policy_rule - one rule, as validated.
 * @index: position in its zone's rule list; lower wins among equals.
 * @proto, @port_lo, @port_hi: egress only (ports inclusive, 1..65535).
 * @name:  normalised hostname or suffix (EGRESS name rules, DNS).
 * @path:  UNIX and FS: normalised prefix, may start with $CWD, $TMPDIR,
 *         $XDG_RUNTIME_DIR, $HOME or $WORKSPACE; with @abstract, the exact
 *         abstract name (@path_len bytes, NULs allowed; written "@NAME"
 *         with policy_unix_abstract_parse()'s escapes).
 * @fs_access: FS: enum policy_fs_access mask (POLICY_FS_ALL for deny).
 */
struct policy_rule {
	unsigned index;
	enum policy_action action;
	enum policy_rule_kind kind;
	enum policy_host_kind host_kind;
	unsigned proto;
	uint16_t port_lo;
	uint16_t port_hi;
	struct policy_addr addr;
	unsigned prefix;
	char name[POLICY_NAME_MAX + 1];
	char path[POLICY_PATH_MAX + 1];
	size_t path_len;
	bool abstract;
	unsigned fs_access;
	struct policy_loc loc;
};

/**
 * policy_rule_fmt() - the canonical text of @r ("allow tcp *.x.org:443",
 * "dns deny evil.test", "unix allow \"$CWD\"", "unix allow @a\x00b")
 * appended to @out.
 * Return: 0 or the dynbuf error.
 */
int policy_rule_fmt(const struct policy_rule *r, struct dynbuf *out);

/* Always-denied categories, each liftable by name ("lift metadata"). */
enum policy_category {
	POLICY_CATEGORY_NONE,
	POLICY_CATEGORY_METADATA,	/* "metadata" */
	POLICY_CATEGORY_LINK_LOCAL,	/* "link-local" */
	POLICY_CATEGORY_LOOPBACK,	/* "loopback" */
	POLICY_CATEGORY_HOST,		/* "host" */
	POLICY_CATEGORY_PRIVATE,	/* "private" (untrusted zones) */
	POLICY_CATEGORY_MULTICAST,	/* "multicast" */
	POLICY_CATEGORY_SYSTEM_SOCKETS, /* "system-sockets" (unix) */
	POLICY_CATEGORY_COUNT,
};

/** policy_category_name() - the lift name; "" for NONE. */
const char *policy_category_name(enum policy_category c);

enum policy_limit_key {
	POLICY_LIMIT_CPU,    /* ms of CPU time */
	POLICY_LIMIT_WALL,   /* ms of wall-clock time */
	POLICY_LIMIT_MEM,    /* bytes */
	POLICY_LIMIT_FSIZE,  /* bytes, largest file */
	POLICY_LIMIT_DISK,   /* bytes written in total */
	POLICY_LIMIT_LOG,    /* bytes of job output kept */
	POLICY_LIMIT_EGRESS, /* bytes sent to the network */
	POLICY_LIMIT_PIDS,   /* processes + threads */
	POLICY_LIMIT_FDS,    /* open files per process */
	POLICY_LIMIT_COUNT,
};

enum policy_log_overflow {
	POLICY_LOG_OVERFLOW_TRUNCATE,
	POLICY_LOG_OVERFLOW_KILL,
};

/* What reaching the egress quota does (limit egress-overflow). */
enum policy_egress_overflow {
	POLICY_EGRESS_OVERFLOW_REFUSE, /* further sends refused (default) */
	POLICY_EGRESS_OVERFLOW_KILL,   /* the tree is killed, exit 124 */
};

/**
 * struct policy_limits - resource limits of a zone; a limit applies only
 * when its @set flag is true. Durations are milliseconds, sizes bytes.
 */
struct policy_limits {
	uint64_t value[POLICY_LIMIT_COUNT];
	bool set[POLICY_LIMIT_COUNT];
	struct policy_loc loc[POLICY_LIMIT_COUNT];
	enum policy_log_overflow log_overflow;
	bool log_overflow_set;
	struct policy_loc log_overflow_loc;
	enum policy_egress_overflow egress_overflow;
	bool egress_overflow_set;
	struct policy_loc egress_overflow_loc;
	char slot_name[POLICY_SLOT_NAME_MAX + 1];
	uint32_t slot_count;
	bool slot_set;
	struct policy_loc slot_loc;
};

/** policy_limit_key_name() - "cpu", "wall", "mem", ... */
const char *policy_limit_key_name(enum policy_limit_key k);

enum policy_syscall_action {
	POLICY_SYSCALL_ACTION_ALLOW,
	POLICY_SYSCALL_ACTION_DENY,   /* fail with @errno_value */
	POLICY_SYSCALL_ACTION_NOTIFY, /* send to the supervisor */
};

/**
 * struct policy_syscall - a per-zone syscall override. The name is only
 * syntax-checked ([a-z0-9_]+); the supervisor checks it against its table
 * and reports unknown names at @loc.
 */
struct policy_syscall {
	char name[POLICY_SYSCALL_NAME_MAX + 1];
	enum policy_syscall_action action;
	int errno_value;
	struct policy_loc loc;
};

/**
 * policy_env_secret() - whether the environment variable named by the @len
 * bytes at @name (no '=') carries a secret a job starts without unless it
 * is passed on purpose: the exact names, prefixes and suffixes listed in
 * policy_env.c and docs/policy.md, compared without regard to case.
 */
bool policy_env_secret(const char *name, size_t len);

/* What the audit log writes in place of a secret value (policy_argv.c). */
#define POLICY_ARGV_REDACTED "<redacted>"

/**
 * policy_argv_redact() - append the command-line argument @arg (@len bytes,
 * any byte: an exec record's are the job's) to @out as a log may record
 * it: the values that look like secrets (options such as --password=,
 * --token VALUE, curl's -u USER:PASSWORD; Authorization, Cookie and other
 * secret headers; NAME=VALUE of an environment secret; a URL's user:pass@
 * and secret query parameters; policy_argv.c and docs/audit.md list the
 * rules) replaced by POLICY_ARGV_REDACTED, everything else as it is.
 * @prev, @prev_len: the argument before it (NULL, 0 for the first): the
 * value of `--password VALUE` is the argument after the option.
 * Return: how many values were replaced (0: @arg as it is), or -E2BIG or
 * -ENOMEM from @out (what was appended before stays: the caller must not
 * write @out then).
 */
int policy_argv_redact(const uint8_t *prev, size_t prev_len, const uint8_t *arg,
		       size_t len, struct dynbuf *out);

/** policy_errno_name() - "EPERM" for EPERM, NULL for errnos not in the table.
 */
const char *policy_errno_name(int e);

/** struct policy_upstream - a DNS resolver the proxy forwards to. */
struct policy_upstream {
	struct policy_addr addr;
	uint16_t port;
	struct policy_loc loc;
};

enum policy_listen {
	POLICY_LISTEN_DENY,	/* listen on non-loopback fails (default) */
	POLICY_LISTEN_LOOPBACK, /* bound to loopback instead */
	POLICY_LISTEN_ALLOW,
};

/* ---------------------------------------------------------------------------
 * Policies and zones.
 */
struct policy;
struct zone;
struct zone_tables;

/**
 * struct policy_diag - one error, compiler style.
 * @file:    owned by the policy.
 * @line, @col: 1-based; column counts bytes.
 * @hint:    "" when there is none.
 */
struct policy_diag {
	const char *file;
	unsigned line;
	unsigned col;
	char message[256];
	char hint[256];
};

/**
 * struct policy_loader - how includes and policy_parse_file() read files.
 * @read: read @path into @text (at most @max bytes; @text is initialised by
 *        the callee) and write a stable identity for cycle detection (e.g.
 *        its realpath) to @id. Return 0 or -errno.
 * The default loader uses realpath() and fd_read_file(); fuzzers install one
 * that touches no files.
 */
struct policy_loader {
	int (*read)(void *ctx, const char *path, struct dynbuf *text,
		    size_t max, char *id, size_t idlen);
	void *ctx;
};

enum policy_flag {
	POLICY_FLAG_NO_BUILTINS = 1, /* start without fork-pr & co. */
};

/**
 * policy_new() - an empty policy holding the built-in zones (fork-pr,
 * internal-ci, release) unless @flags has POLICY_FLAG_NO_BUILTINS.
 * Return: the policy (caller frees with policy_free()), or NULL on ENOMEM.
 */
struct policy *policy_new(unsigned flags);

/** policy_free() - release @p and everything it owns; NULL is a no-op. */
void policy_free(struct policy *p);

/** policy_set_loader() - replace the file loader (copied). */
void policy_set_loader(struct policy *p, const struct policy_loader *l);

/**
 * policy_parse() - parse policy text named @name (used in diagnostics and to
 * resolve relative includes) and add its zones to @p. Never stops at the
 * first error: every error found is recorded (up to POLICY_DIAG_MAX).
 * @text, @len: hostile bytes, need not be NUL-terminated.
 * Return: 0, -EINVAL when diagnostics were recorded, -ENOMEM.
 */
int policy_parse(struct policy *p, const char *name, const uint8_t *text,
		 size_t len);

/**
 * policy_parse_file() - read @path through the loader and policy_parse() it.
 * A file that cannot be read is an error (a diagnostic), never empty.
 * May block on file I/O. Return: as policy_parse().
 */
int policy_parse_file(struct policy *p, const char *path);

/**
 * policy_finish() - resolve "extends", then validate every zone (rules the
 * always-denied set makes dead, ...). Idempotent; called by
 * policy_zone_effective(). Return: 0, -EINVAL with diagnostics, -ENOMEM.
 */
int policy_finish(struct policy *p);

/** policy_diag_count() - number of recorded diagnostics. */
size_t policy_diag_count(const struct policy *p);

/** policy_diag_get() - diagnostic @i (< policy_diag_count()), else NULL. */
const struct policy_diag *policy_diag_get(const struct policy *p, size_t i);

/** policy_diag_dropped() - how many diagnostics did not fit the cap. */
size_t policy_diag_dropped(const struct policy *p);

/**
 * policy_diag_fmt() - append "file:line:col: error: message\n" and, when
 * there is a hint, "  hint: ...\n" to @out. Return: 0 or the dynbuf error.
 */
int policy_diag_fmt(const struct policy_diag *d, struct dynbuf *out);

/** policy_zone_count(), policy_zone_get() - walk the zones (after finish). */
size_t policy_zone_count(const struct policy *p);
const struct zone *policy_zone_get(const struct policy *p, size_t i);

/** policy_zone_find() - zone @name, or NULL. */
const struct zone *policy_zone_find(const struct policy *p, const char *name);

/**
 * struct policy_overrides - per-run changes from the command line, in the
 * rule syntax: @allow / @deny hold "PROTO HOST:PORTS", "dns NAME" or
 * "unix PATH"; @limit holds "KEY=VALUE[,KEY=VALUE...]". Diagnostics name
 * them "<--allow #N>" etc. Arrays are borrowed.
 */
struct policy_overrides {
	const char *const *allow;
	size_t n_allow;
	const char *const *deny;
	size_t n_deny;
	const char *const *limit;
	size_t n_limit;
};

/**
 * policy_zone_effective() - the zone a run uses: zone @name (NULL: fork-pr)
 * after includes, extends and @o (may be NULL). Owned by @p.
 * Return: 0 and *@out, -ENOENT (diagnostic recorded) for an unknown zone,
 * -EINVAL with diagnostics, -ENOMEM.
 */
int policy_zone_effective(struct policy *p, const char *name,
			  const struct policy_overrides *o,
			  const struct zone **out);

/** zone_name() - the zone's name. */
const char *zone_name(const struct zone *z);

/** zone_trusted() - whether the zone says "trust trusted". */
bool zone_trusted(const struct zone *z);

/** zone_listen() - the inbound mode. */
enum policy_listen zone_listen(const struct zone *z);

/** zone_lifted() - whether the zone lifts always-denied category @c. */
bool zone_lifted(const struct zone *z, enum policy_category c);

/**
 * zone_unix_defaults() - whether $CWD, $TMPDIR and $WORKSPACE are allowed
 * by default.
 */
bool zone_unix_defaults(const struct zone *z);

/** zone_rule_count(), zone_rule_get() - the rules, in precedence order. */
size_t zone_rule_count(const struct zone *z);
const struct policy_rule *zone_rule_get(const struct zone *z, size_t i);

/**
 * zone_fs_confined() - whether the zone has filesystem rules ("fs ..."):
 * then the job's filesystem view is confined to what they grant, and a run
 * that cannot enforce them fails closed (docs/filesystem.md).
 */
bool zone_fs_confined(const struct zone *z);

/** zone_limits() - the limits (never NULL). */
const struct policy_limits *zone_limits(const struct zone *z);

/** zone_syscalls() - syscall overrides; *@n gets the count. */
const struct policy_syscall *zone_syscalls(const struct zone *z, size_t *n);

/**
 * zone_dns_upstreams() - the DNS upstreams; *@n == 0 means "system" (the
 * host's /etc/resolv.conf).
 */
const struct policy_upstream *zone_dns_upstreams(const struct zone *z,
						 size_t *n);

enum zone_fmt_flag {
	ZONE_FMT_ORIGINS = 1, /* "# file:line:col" after each rule/setting */
};

/**
 * zone_fmt() - append the canonical text of @z to @out: one "zone NAME {"
 * block with every setting explicit, which policy_parse() (with
 * POLICY_FLAG_NO_BUILTINS when the name is a built-in's) reads back to a
 * zone with the same canonical text. Return: 0 or the dynbuf error.
 */
int zone_fmt(const struct zone *z, unsigned flags, struct dynbuf *out);

/**
 * zone_fingerprint() - xxh3-64 of zone_fmt(z, 0).
 * Return: 0 and *@out, or -ENOMEM / -E2BIG.
 */
int zone_fingerprint(const struct zone *z, uint64_t *out);

/* ---------------------------------------------------------------------------
 * Limits on the command line and in files share one value parser.
 */

/** enum policy_value_type - what a value in a limit or an option measures. */
enum policy_value_type {
	POLICY_VALUE_DURATION, /* milliseconds: ms, s, m, h, d (unit needed) */
	POLICY_VALUE_SIZE,     /* bytes: K, M, G, T (binary, optional "iB") */
	POLICY_VALUE_COUNT,    /* a plain whole number */
};

/**
 * policy_value_parse() - parse a duration, size or count, with no range but
 * the type's own (zero is a value here): the one grammar of limits in files,
 * --limit and cordon's other options (--grace, --audit-max, ...).
 * Return: 0 and *@out (milliseconds, bytes or the count), -ERANGE when it
 * does not fit 64 bits, or -EINVAL; with a static message in *@why and a
 * static hint (maybe "") in *@hint on error.
 */
int policy_value_parse(enum policy_value_type type, const uint8_t *p,
		       size_t len, uint64_t *out, const char **why,
		       const char **hint);

/**
 * policy_limit_value_parse() - parse VALUE for limit @key: sizes take K/M/G/T
 * (binary, optional "iB") or plain bytes; durations need ms/s/m/h/d; counts
 * are plain. Zero, fractions, overflow and impossible values are errors.
 * Return: 0 and *@out, or -EINVAL with a static message in *@why and a
 * static hint (maybe "") in *@hint.
 */
int policy_limit_value_parse(enum policy_limit_key key, const uint8_t *p,
			     size_t len, uint64_t *out, const char **why,
			     const char **hint);

/* ---------------------------------------------------------------------------
 * Decisions. Pure functions of (compiled tables, runtime inputs, request).
 */

/**
 * struct policy_listener - a socket the job itself listens on.
 */
struct policy_listener {
	unsigned proto; /* POLICY_PROTO_TCP or POLICY_PROTO_UDP */
	uint16_t port;
};

/**
 * struct policy_abstract - an abstract unix socket name: @len bytes at
 * @name, without the leading NUL. Any byte may occur, NUL included: names
 * are compared as (bytes, length), never as C strings.
 */
struct policy_abstract {
	const char *name;
	size_t len;
};

/**
 * policy_unix_abstract_parse() - an abstract name as rules, `policy explain`
 * and audit records write it (after the '@'): printable ASCII bytes stand
 * for themselves, "\xHH" (two hex digits) is any byte, "\\" a backslash.
 * @p, @len: the text, hostile. @out: at least POLICY_ABSTRACT_MAX bytes.
 * Return: 0 with *@out_len; -EINVAL with *@bad (offset of the offending
 * byte in @p) and *@why (static) for an unknown or short escape, a byte
 * that is not printable ASCII, an empty or too long name.
 */
int policy_unix_abstract_parse(const uint8_t *p, size_t len, char *out,
			       size_t *out_len, size_t *bad, const char **why);

/**
 * policy_unix_abstract_fmt() - the inverse: @len bytes of @name escaped
 * (bytes outside 0x21..0x7e and '\', '"', '{', '}' as "\xHH", '\' as
 * "\\") into @out, always NUL-terminated; never stops at a NUL byte. A
 * name cut short by @outlen ends in "...".
 * Return: the length written.
 */
size_t policy_unix_abstract_fmt(const char *name, size_t len, char *out,
				size_t outlen);

/**
 * struct policy_runtime - what only the running supervisor knows. All
 * pointers borrowed; NULL/0 means empty. Strings are NUL-terminated.
 * @listeners:      the job's own listening sockets (any address).
 * @host_addrs:     the host's own addresses.
 * @abstract_bound: abstract socket names the job bound (without the NUL;
 *                  byte strings of explicit length, NULs included).
 * @cwd, @tmpdir, @xdg_runtime_dir, @home, @workspace: placeholder
 *                  values; NULL makes rules using that placeholder
 *                  inactive.
 * @fs_paths:       when not NULL, @n_fs_paths entries indexed by rule index:
 *                  the resolved path (symlinks followed, realpath()) of each
 *                  fs rule, NULL for a rule whose path does not exist (it
 *                  is inactive, as it is in the Landlock domain); without
 *                  it fs rules are matched by their lexical expansion.
 */
struct policy_runtime {
	const struct policy_listener *listeners;
	size_t n_listeners;
	const struct policy_addr *host_addrs;
	size_t n_host_addrs;
	const struct policy_abstract *abstract_bound;
	size_t n_abstract_bound;
	const char *cwd;
	const char *tmpdir;
	const char *xdg_runtime_dir;
	const char *home;
	const char *workspace;
	const char *const *fs_paths;
	size_t n_fs_paths;
};

/**
 * struct policy_connect - a connect()/sendto() to judge.
 * @have_addr: false only for `explain connect HOST:PORT`, which judges the
 *             hostname rules as if HOST had been resolved to some public
 *             address through cordon's DNS proxy.
 * @pinned:    hostnames cordon's DNS proxy resolved to @addr for this job
 *             (normalised or not; they are normalised here).
 */
struct policy_connect {
	struct policy_addr addr;
	bool have_addr;
	unsigned proto;
	uint16_t port;
	const char *const *pinned;
	size_t n_pinned;
};

enum policy_verdict {
	POLICY_VERDICT_DENY,
	POLICY_VERDICT_ALLOW,
	POLICY_VERDICT_LOOPBACK, /* listen: bind to loopback instead */
};

enum policy_reason {
	POLICY_REASON_DEFAULT,	     /* nothing allowed it: default deny */
	POLICY_REASON_RULE,	     /* @rule decided */
	POLICY_REASON_ALWAYS_DENIED, /* @category decided */
	POLICY_REASON_OWN_LISTENER,  /* the job's own listener */
	POLICY_REASON_LOOPBACK,	     /* listen on loopback is always allowed */
	POLICY_REASON_LISTEN,	     /* the zone's listen mode (@loc) */
	POLICY_REASON_UNIX_DEFAULT,  /* $CWD / $TMPDIR default (@detail) */
	POLICY_REASON_ABSTRACT,	     /* abstract socket bound by the job */
	POLICY_REASON_NETLINK,	     /* netlink: the kernel or not (@detail) */
	POLICY_REASON_INVALID,	     /* malformed request (@detail) */
	POLICY_REASON_DNS_PROXY,     /* DNS: cordon's proxy answers it */
	POLICY_REASON_FS_NONE,	     /* open: the zone has no fs rules */
};

/**
 * struct policy_decision - a verdict and what made it.
 * @zone:     name of the deciding zone (owned by the policy).
 * @rule:     the rule for POLICY_REASON_RULE, else NULL.
 * @loc:      the listen statement for POLICY_REASON_LISTEN (file NULL when
 *            the mode is the default).
 * @detail:   static text for INVALID, UNIX_DEFAULT and NETLINK, else NULL.
 * @embed, @judged: connect/listen: how the address was normalised.
 * @hint:     for POLICY_REASON_ALWAYS_DENIED: what would really allow the
 *            request, as policy statements in single quotes joined by
 *            " and " ("'lift host loopback' and 'allow tcp
 *            127.0.0.1:5432'"): every unlifted category holding it is
 *            lifted, and an allow rule is named unless one of the zone's
 *            already matches. "" when no addition can allow it (a deny rule
 *            of the zone matches it too). Always "" for other reasons.
 * @has_via, @via: connect: a further reading of the address (Teredo's
 *            server, a NAT64 local-use position, ...) made the decision,
 *            not @judged.
 */
#define POLICY_HINT_MAX 384
struct policy_decision {
	enum policy_verdict verdict;
	enum policy_reason reason;
	enum policy_category category;
	const char *zone;
	const struct policy_rule *rule;
	struct policy_loc loc;
	const char *detail;
	enum policy_addr_embed embed;
	struct policy_addr judged;
	char hint[POLICY_HINT_MAX];
	bool has_via;
	struct policy_addr via;
};

/** policy_decision_verdict_name() - "allow", "deny", "loopback". */
const char *policy_decision_verdict_name(enum policy_verdict v);

/**
 * policy_decision_fmt() - the "why" of @d, e.g. "rule: allow tcp
 * *.x.org:443 (a.cordon:4:2)", "always-denied metadata (builtin)", "default
 * deny (no rule allows it)". Return: 0 or the dynbuf error.
 */
int policy_decision_fmt(const struct policy_decision *d, struct dynbuf *out);

/**
 * zone_tables_new() - compile @z into decision tables: per-family prefix
 * tables, sorted exact and suffix name tables, unix prefix lists.
 * @z must outlive the tables.
 * Return: 0 and *@out (free with zone_tables_free()), or -ENOMEM.
 */
int zone_tables_new(const struct zone *z, struct zone_tables **out);

/** zone_tables_free() - NULL is a no-op. */
void zone_tables_free(struct zone_tables *t);

/** zone_tables_zone() - the zone @t was compiled from. */
const struct zone *zone_tables_zone(const struct zone_tables *t);

/*
 * The decisions. Each fills *@out completely and fails closed: malformed
 * input gives POLICY_VERDICT_DENY with POLICY_REASON_INVALID. @rt may be
 * NULL (no listeners, no host addresses, no placeholders). Never block,
 * never allocate. Return: 0 (always; the verdict is in *@out).
 *
 * Decisions only read @t and @rt: several threads may decide on one table.
 *
 * Precedence (docs/policy.md): 1. the always-denied set, unless lifted;
 * the job's own listeners pass it on loopback and host addresses;
 * 2. deny rules; 3. the job's own listener, then allow rules, first by
 * index; 4. default deny.
 */

/** zone_decide_connect() - may the job connect/send to @c? */
int zone_decide_connect(const struct zone_tables *t,
			const struct policy_runtime *rt,
			const struct policy_connect *c,
			struct policy_decision *out);

/**
 * zone_decide_resolve() - may the job resolve @name (@len bytes, hostile)?
 * A deny means the DNS proxy answers NXDOMAIN.
 */
int zone_decide_resolve(const struct zone_tables *t, const char *name,
			size_t len, struct policy_decision *out);

/**
 * zone_decide_listen() - may the job listen on @a:@port? Loopback is always
 * allowed; other addresses follow the zone's listen mode.
 */
int zone_decide_listen(const struct zone_tables *t, const struct policy_addr *a,
		       unsigned proto, uint16_t port,
		       struct policy_decision *out);

/**
 * zone_decide_unix() - may the job connect to unix socket @path?
 * @abstract: @path is an abstract name (without the leading NUL).
 * Filesystem paths must be absolute and free of "." and ".." components
 * (the supervisor resolves symlinks before asking).
 */
int zone_decide_unix(const struct zone_tables *t,
		     const struct policy_runtime *rt, const char *path,
		     size_t len, bool abstract, struct policy_decision *out);

/**
 * zone_decide_open() - may the job open @path for @access (enum
 * policy_fs_access mask)? @path must be absolute and free of "." and ".."
 * (the supervisor gives the resolved path of what it opened or would
 * create). Precedence: a deny rule covering @path (at it or above it)
 * denies; then @access must lie within the union of the allow rules
 * covering it (the first of them that grants part of it is named); else
 * default deny. A zone without fs rules allows everything
 * (POLICY_REASON_FS_NONE). The same rules make the Landlock domain
 * (sentry/fs_plan.c), so explain and the kernel agree.
 */
int zone_decide_open(const struct zone_tables *t,
		     const struct policy_runtime *rt, const char *path,
		     size_t len, unsigned access, struct policy_decision *out);

/**
 * struct policy_netlink - a netlink message (or connect) to judge.
 * @route:   the socket is NETLINK_ROUTE, the only netlink family socket()
 *           lets the job create (one received from outside may be another).
 * @portid:  the destination's nl_pid; 0 is the kernel.
 * @groups:  the destination's nl_groups: multicast groups to send to.
 * @control: the message carries control data (SCM_CREDENTIALS, ...).
 */
struct policy_netlink {
	bool route;
	uint32_t portid;
	uint32_t groups;
	bool control;
};

/**
 * zone_decide_netlink() - may the job send @n? Only requests to the kernel
 * (nl_pid 0, no multicast group) on a NETLINK_ROUTE socket, without control
 * data: what getifaddrs(), if_nameindex() and `ip` send. Any zone, builtin:
 * the reason is POLICY_REASON_NETLINK and @detail says which condition
 * decided. Unprivileged senders get EPERM from the kernel for any other
 * destination; the supervisor, which performs the send, may be privileged.
 */
int zone_decide_netlink(const struct zone_tables *t,
			const struct policy_netlink *n,
			struct policy_decision *out);

/**
 * policy_unix_expand() - expand a rule path's placeholder from @rt into @out.
 * Return: 0, -ENOENT when the placeholder is unset, -ENAMETOOLONG.
 */
int policy_unix_expand(const char *pattern, const struct policy_runtime *rt,
		       char *out, size_t outlen);

#endif /* CORDON_POLICY_H */
