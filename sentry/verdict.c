/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - the verdict setters handlers call, and sentry_verdict(): the
 * one path that answers a decided call, writes its audit record and stderr
 * line and counts it. See verdict.h.
 *
 * Not responsible for deciding (handlers, netstack, policy) nor for the
 * audit file's caps and repeat tallies (audit.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

void verdict_continue(struct verdict *v, const char *rule)
{
	v->kind = VERDICT_CONTINUE;
	v->cat = VERDICT_CAT_RULE;
	v->answer = (struct platform_answer){.kind = PLATFORM_ANSWER_CONTINUE};
	v->rule = rule;
}

void verdict_result(struct verdict *v, int64_t rc)
{
	if (rc < 0)
		v->answer = (struct platform_answer){
			.kind = PLATFORM_ANSWER_ERRNO, .err = (int)-rc};
	else
		v->answer = (struct platform_answer){
			.kind = PLATFORM_ANSWER_VALUE, .value = rc};
}

void verdict_allow(struct verdict *v, int64_t rc, const char *rule)
{
	v->kind = VERDICT_ALLOW;
	v->cat = VERDICT_CAT_RULE;
	v->rule = rule;
	verdict_result(v, rc);
}

void verdict_invalid(struct verdict *v, int err, const char *why)
{
	v->kind = VERDICT_INVALID;
	v->cat = VERDICT_CAT_INVALID;
	v->rule = why;
	verdict_result(v, -(int64_t)(err > 0 ? err : EINVAL));
}

void verdict_deny(struct verdict *v, int err, enum verdict_category cat,
		  const char *rule)
{
	v->kind = VERDICT_DENY;
	v->cat = cat;
	v->rule = rule;
	verdict_result(v, -(int64_t)(err > 0 ? err : EPERM));
}

void verdict_unreadable(struct verdict *v, const char *what)
{
	verdict_deny(v, EFAULT, VERDICT_CAT_UNREADABLE, what);
}

bool verdict_decision(struct verdict *v, const struct policy_decision *d,
		      int err)
{
	struct dynbuf b;
	bool allowed = d->verdict != POLICY_VERDICT_DENY;

	dynbuf_init(&b, sizeof(v->rule_buf) - 1);
	if (policy_decision_fmt(d, &b) == 0 && b.data)
		snprintf(v->rule_buf, sizeof(v->rule_buf), "%s", b.data);
	else
		snprintf(v->rule_buf, sizeof(v->rule_buf), "%s",
			 policy_decision_verdict_name(d->verdict));
	dynbuf_free(&b);
	v->decision = *d;
	v->has_decision = true;
	if (allowed)
		verdict_allow(v, 0, v->rule_buf);
	else
		verdict_deny(v, err, VERDICT_CAT_POLICY, v->rule_buf);
	v->cat = VERDICT_CAT_POLICY;
	return allowed;
}

void verdict_kill(struct verdict *v, const char *rule)
{
	verdict_deny(v, EPERM, VERDICT_CAT_INTERNAL, rule);
	v->kind = VERDICT_KILL;
}

void verdict_fail(struct verdict *v, int rc, bool inconsistent)
{
	if (inconsistent) {
		verdict_kill(v, "internal error: state may be inconsistent "
				"(fail closed, the job is killed)");
		return;
	}
	verdict_deny(v, rc == -ENOSYS ? ENOSYS : EPERM, VERDICT_CAT_INTERNAL,
		     "internal error (fail closed)");
}

void verdict_take_fail(struct verdict *v, int rc, int err, const char *what)
{
	enum verdict_category cat = VERDICT_CAT_INTERNAL;

	switch (rc) {
	case -EBADF:
		verdict_invalid(v, EBADF, "not an open fd of the caller");
		return;
	case -EOPNOTSUPP:
		snprintf(v->rule_buf, sizeof(v->rule_buf),
			 "the job's %s cannot be reached: pidfd_getfd is "
			 "refused here (a container's seccomp profile?) and "
			 "cordon holds no copy of its own (not born under "
			 "cordon: inherited, or received from outside; fail "
			 "closed)",
			 what);
		break;
	case -EPERM:
	case -EACCES:
		cat = VERDICT_CAT_UNREADABLE;
		snprintf(v->rule_buf, sizeof(v->rule_buf),
			 "the job's %s cannot be taken (the process is not "
			 "dumpable?)",
			 what);
		break;
	default:
		snprintf(v->rule_buf, sizeof(v->rule_buf),
			 "taking the job's %s failed: %s (fail closed)", what,
			 strerror(-rc));
		break;
	}
	verdict_deny(v, err, cat, v->rule_buf);
}

void verdict_dest(struct verdict *v, const struct net_endpoint *e,
		  const char *proto)
{
	v->dest = *e;
	v->proto = proto;
	v->has_dest = true;
}

void verdict_answered(struct verdict *v)
{
	v->answered = true;
}

bool verdict_is_denial(const struct verdict *v)
{
	return v->kind == VERDICT_DENY || v->kind == VERDICT_KILL;
}

const char *verdict_kind_name(enum verdict_kind k)
{
	static const char *const names[] = {
		[VERDICT_NONE] = "none",   [VERDICT_CONTINUE] = "continue",
		[VERDICT_ALLOW] = "allow", [VERDICT_INVALID] = "invalid",
		[VERDICT_DENY] = "deny",   [VERDICT_KILL] = "kill",
	};

	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

const char *verdict_category_name(enum verdict_category c)
{
	static const char *const names[] = {
		[VERDICT_CAT_RULE] = "rule",
		[VERDICT_CAT_POLICY] = "policy",
		[VERDICT_CAT_LIMIT] = "limit",
		[VERDICT_CAT_UNREADABLE] = "unreadable",
		[VERDICT_CAT_INVALID] = "invalid",
		[VERDICT_CAT_INTERNAL] = "internal",
	};

	return (unsigned)c < ARRAY_SIZE(names) ? names[c] : "?";
}

/* The errno's symbolic name ("EACCES"), as the audit schema spells it. */
static const char *verdict_errno_name(int e)
{
	const char *name = strerrorname_np(e);

	return name ? name : "errno";
}

/* The decoded destination as fields: family, address, port, path. */
static void verdict_write_dest(struct jsonw *w, const struct verdict *v)
{
	const struct net_endpoint *e = &v->dest;
	char text[200];

	jsonw_key_obj(w, "dest");
	jsonw_key_str(w, "proto", v->proto);
	switch (e->kind) {
	case NET_ENDPOINT_INET:
		policy_addr_fmt(&e->addr, text, sizeof(text));
		jsonw_key_str(w, "family",
			      e->addr.family == 6 ? "ipv6" : "ipv4");
		jsonw_key_str(w, "addr", text);
		jsonw_key_u64(w, "port", e->port);
		break;
	case NET_ENDPOINT_UNIX:
	case NET_ENDPOINT_ABSTRACT:
		sockaddr_fmt(e, text, sizeof(text));
		jsonw_key_str(w, "family", "unix");
		jsonw_key_str(w, "path", text);
		break;
	case NET_ENDPOINT_NETLINK:
		jsonw_key_str(w, "family", "netlink");
		jsonw_key_u64(w, "nl_pid", e->nl_pid);
		jsonw_key_u64(w, "nl_groups", e->nl_groups);
		break;
	default:
		jsonw_key_str(w, "family", "other");
		break;
	}
	jsonw_close(w);
}

/* Where the deciding rule or statement was written, as file:line:col. */
static void verdict_write_source(struct jsonw *w, const struct verdict *v)
{
	const struct policy_decision *d = &v->decision;
	const struct policy_loc *loc = NULL;
	char where[300];

	if (d->reason == POLICY_REASON_RULE && d->rule)
		loc = &d->rule->loc;
	else if (d->reason == POLICY_REASON_LISTEN && d->loc.file)
		loc = &d->loc;
	if (!loc || !loc->file) {
		jsonw_key_str(w, "rule_src", NULL);
		return;
	}
	snprintf(where, sizeof(where), "%s:%u:%u", loc->file, loc->line,
		 loc->col);
	jsonw_key_str(w, "rule_src", where);
	if (d->rule)
		jsonw_key_u64(w, "rule_index", d->rule->index);
}

/* The audit record and stderr line of one decision. */
static void verdict_record(struct sentry *s, struct sentry_call *c, int exe_fd)
{
	const struct verdict *v = &c->v;
	bool denial = verdict_is_denial(v);
	char summary[1024];
	struct exe_id id = {.path = "?"};
	struct jsonw w;
	uint64_t key;
	size_t i;

	if (exe_fd >= 0)
		exe_id_from_fd(&s->exe_cache, exe_fd, &id);
	audit_begin(&s->audit, &w, "decision");
	jsonw_key_i64(&w, "pid", procfs_tgid(c->pc.tid));
	jsonw_key_i64(&w, "tid", c->pc.tid);
	exe_id_write_json(&id, &w);
	jsonw_key_str(&w, "syscall", c->entry ? c->entry->name : "?");
	jsonw_key_i64(&w, "nr", c->pc.nr);
	jsonw_key_arr(&w, "args");
	for (i = 0; i < 6; i++)
		jsonw_u64(&w, c->pc.args[i]);
	jsonw_close(&w);
	jsonw_key_str(&w, "detail", c->detail);
	jsonw_key_str(&w, "decision", denial ? "deny" : "allow");
	jsonw_key_str(&w, "verdict", verdict_kind_name(v->kind));
	jsonw_key_str(&w, "category", verdict_category_name(v->cat));
	if (v->answer.kind == PLATFORM_ANSWER_ERRNO) {
		jsonw_key_str(&w, "errno", verdict_errno_name(v->answer.err));
		jsonw_key_i64(&w, "errno_value", v->answer.err);
	}
	jsonw_key_str(&w, "zone", s->o->zone_name);
	jsonw_key_str(&w, "rule", v->rule);
	if (v->has_decision) {
		verdict_write_source(&w, v);
		if (v->decision.reason == POLICY_REASON_ALWAYS_DENIED)
			jsonw_key_str(
				&w, "always_denied",
				policy_category_name(v->decision.category));
	}
	if (v->has_dest)
		verdict_write_dest(&w, v);
	snprintf(summary, sizeof(summary), "%s %s %s (zone %s: %s)",
		 denial ? "denied" : "allowed", c->entry ? c->entry->name : "?",
		 c->detail, s->o->zone_name, v->rule ? v->rule : "?");
	/* Same call, arguments, verdict, rule and program: one record. */
	key = digest_xxh3_buf(summary, strlen(summary)) ^ id.digest;
	if (!key)
		key = 1;
	audit_commit(&s->audit, &w, key, summary, denial);
}

void sentry_verdict(struct sentry *s, struct sentry_call *c)
{
	struct verdict *v = &c->v;
	bool denial = verdict_is_denial(v);
	bool record = denial || s->o->audit_level == SENTRY_AUDIT_LEVEL_ALL;
	int exe_fd = -1;

	/*
	 * A handler that decided nothing, or an answer that would let the
	 * kernel run a call not meant to continue: refuse (fail closed).
	 */
	if (v->kind == VERDICT_NONE ||
	    (v->answer.kind == PLATFORM_ANSWER_CONTINUE &&
	     v->kind != VERDICT_CONTINUE)) {
		verdict_fail(v, -EINVAL, false);
		denial = record = true;
	}
	/* A platform that cannot let the kernel run it: refuse, recorded. */
	if (v->answer.kind == PLATFORM_ANSWER_CONTINUE &&
	    !platform_can(s->plat, PLATFORM_CAN_CONTINUE)) {
		verdict_deny(v, EPERM, VERDICT_CAT_INTERNAL,
			     "the platform cannot let the kernel run this call "
			     "(fail closed)");
		denial = record = true;
	}
	/* Identify the program while the caller is still stopped. */
	if (record)
		exe_fd = procfs_exe_open(c->pc.tid);
	if (!v->answered) {
		/* A failed answer stops the job (sentry_answer()). */
		sentry_answer(s, &c->pc, &v->answer);
		v->answered = true;
	}
	if (denial)
		s->n_denied++;
	if (v->kind == VERDICT_KILL && s->stop == SENTRY_STOP_NONE)
		s->stop = SENTRY_STOP_INTERNAL;
	if (record)
		verdict_record(s, c, exe_fd);
	if (exe_fd >= 0)
		close(exe_fd);
}
