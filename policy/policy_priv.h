/* SPDX-License-Identifier: MIT */
/*
 * policy_priv.h - internals shared by the files of policy/: the zone and
 * policy structures, the diagnostic sink, the rule/limit parsers used by both
 * files and command-line overrides, and the always-denied tables.
 * Nothing outside policy/ includes this.
 */
#ifndef CORDON_POLICY_PRIV_H
#define CORDON_POLICY_PRIV_H

#include "policy/policy.h"

#define POLICY_INTERN_MAX 4096 /* names of files and pseudo-files */

/* Zone resolution state for "extends" (cycle detection). */
enum zone_state {
	ZONE_STATE_PARSED,
	ZONE_STATE_RESOLVING,
	ZONE_STATE_DONE,
	ZONE_STATE_BROKEN,
};

struct zone {
	char name[POLICY_ZONE_NAME_MAX + 1];
	struct policy_loc loc;
	bool builtin;
	enum zone_state state;

	bool has_parent;
	char parent[POLICY_ZONE_NAME_MAX + 1];
	struct policy_loc parent_loc;

	bool trusted;
	bool trust_set;
	struct policy_loc trust_loc;

	enum policy_listen listen;
	bool listen_set;
	struct policy_loc listen_loc;

	unsigned lifts; /* bit (1 << enum policy_category) */
	struct policy_loc lift_loc[POLICY_CATEGORY_COUNT];

	bool unix_defaults;
	bool unix_defaults_set;
	struct policy_loc unix_defaults_loc;

	bool upstream_set; /* any "dns upstream" line, "system" included */
	struct policy_loc upstream_loc;
	struct policy_upstream upstreams[POLICY_UPSTREAMS_MAX];
	size_t n_upstreams;

	struct policy_rule *rules;
	size_t n_rules;
	size_t cap_rules;

	struct policy_limits limits;

	struct policy_syscall *syscalls;
	size_t n_syscalls;
	size_t cap_syscalls;
};

struct policy {
	unsigned flags;
	struct policy_loader loader;

	char **interned;
	size_t n_interned;
	size_t n_files;	 /* files read (cap POLICY_FILES_MAX) */
	char **seen_ids; /* identities of files read: include once */
	size_t n_seen_ids;

	struct zone **zones;
	size_t n_zones;
	struct zone **effective;
	size_t n_effective;
	unsigned n_overrides; /* pseudo-file counter */

	struct policy_diag diags[POLICY_DIAG_MAX];
	size_t n_diags;
	size_t dropped;

	bool finished;
	int finish_rc;
};

/* policy_diag.c */
void policy_diag_add(struct policy *p, const char *file, unsigned line,
		     unsigned col, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
#define policy_diag_at(p, loc, hint, ...)                                      \
	policy_diag_add((p), (loc)->file, (loc)->line, (loc)->col, (hint),     \
			__VA_ARGS__)

/* policy.c */
const char *policy_intern(struct policy *p, const char *s);
bool policy_file_seen(const struct policy *p, const char *id);
const char *policy_file_add(struct policy *p, const char *id);
int policy_zone_add(struct policy *p, struct zone *z);
struct zone *policy_zone_lookup(struct policy *p, const char *name);
struct zone *policy_zone_alloc(void);
void policy_zone_destroy(struct zone *z);
int policy_zone_copy(struct zone *dst, const struct zone *src);
int policy_zone_push_rule(struct zone *z, const struct policy_rule *r);
int policy_zone_push_syscall(struct zone *z, const struct policy_syscall *s);

/*
 * A token of one line: a word or a quoted string (unescaped into the line's
 * scratch buffer), with its 1-based column.
 */
struct policy_tok {
	const char *s;
	size_t len;
	unsigned col;
	bool quoted;
};

#define POLICY_TOKS_MAX 16

/*
 * Where a rule parser reports: the file name, line, and the column of the
 * token's first byte, so that errors inside a token point into it.
 */
struct policy_src {
	struct policy *p;
	const char *file;
	unsigned line;
};

/*
 * policy_src_err() - report an error at column @col of @src's line (the
 * message cut at 255 bytes), with an optional @hint. Return: -EINVAL.
 */
int policy_src_err(const struct policy_src *src, unsigned col, const char *hint,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* policy_rule.c */
int policy_rule_egress_parse(const struct policy_src *src,
			     enum policy_action action,
			     const struct policy_tok *proto,
			     const struct policy_tok *dest,
			     struct policy_rule *out);
int policy_rule_dns_parse(const struct policy_src *src,
			  enum policy_action action,
			  const struct policy_tok *name,
			  struct policy_rule *out);
int policy_rule_unix_parse(const struct policy_src *src,
			   enum policy_action action,
			   const struct policy_tok *path,
			   struct policy_rule *out);
int policy_rule_fs_parse(const struct policy_src *src,
			 const struct policy_tok *access,
			 const struct policy_tok *path,
			 struct policy_rule *out);
int policy_rule_upstream_parse(const struct policy_src *src,
			       const struct policy_tok *t,
			       struct policy_upstream *out);
bool policy_rule_same(const struct policy_rule *a, const struct policy_rule *b);
int policy_rule_cmp(const struct policy_rule *a, const struct policy_rule *b);
int policy_unix_path_normalize(const char *in, size_t len, char *out,
			       size_t outlen);

/* policy_limit.c */
int policy_limit_key_parse(const char *s, size_t len);
#define POLICY_LIMIT_KEY_SLOT (POLICY_LIMIT_COUNT)
#define POLICY_LIMIT_KEY_LOG_OVERFLOW (POLICY_LIMIT_COUNT + 1)
#define POLICY_LIMIT_KEY_EGRESS_OVERFLOW (POLICY_LIMIT_COUNT + 2)
int policy_limit_set(const struct policy_src *src, struct policy_limits *l,
		     const struct policy_tok *key, const struct policy_tok *val,
		     bool *seen, size_t n_seen);
int policy_limit_value_fmt(enum policy_limit_key key, uint64_t v,
			   struct dynbuf *out);

/* policy_parse.c */
int policy_parse_builtins(struct policy *p);
int policy_tokenize(const struct policy_src *src, const uint8_t *line,
		    size_t len, char *scratch, struct policy_tok *toks,
		    size_t *n_toks);
const char *policy_parse_suggest(const char *word, size_t len,
				 const char *const *cands, size_t n);

/* policy_builtin.c */
extern const char policy_builtin_text[];

/* policy_always.c: the always-denied set */
struct policy_always_range {
	enum policy_category category;
	struct policy_addr net;
	unsigned prefix;
};
extern const struct policy_always_range policy_always_ranges[];
extern const size_t policy_always_n_ranges;
extern const char *const policy_always_names[]; /* metadata names */
extern const size_t policy_always_n_names;
extern const char *const policy_always_sockets[]; /* unix paths */
extern const size_t policy_always_n_sockets;
unsigned policy_always_addr_mask(const struct policy_addr *judged);
bool policy_always_name_match(const char *name);
bool policy_always_applies(enum policy_category c, bool trusted);

/* policy_category.c, policy_errno.c */
int policy_category_parse(const char *s, size_t len);
int policy_errno_parse(const char *s, size_t len);

/* policy_zone.c */
int policy_zone_resolve(struct policy *p);
int policy_zone_check(struct policy *p, struct zone *z, size_t first_own);

#endif /* CORDON_POLICY_PRIV_H */
