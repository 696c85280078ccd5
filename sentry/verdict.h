/* SPDX-License-Identifier: MIT */
/*
 * verdict.h - the one verdict of a notified call and the one path that acts
 * on it. A handler states what it decided with one verdict_*() call (allow,
 * deny, continue, kill, ...) carrying a structured reason: the category, the
 * zone's policy_decision when a zone decided, the decoded destination as
 * fields. sentry_verdict() then answers the platform, writes the audit
 * record and the stderr line, counts denials and repeats. It is the single
 * place where an audit mode ("would deny: allow and record") and violation
 * reports hook in; deferred calls finish through it too.
 *
 * Not responsible for deciding: policy/ and netstack/ decide, handlers
 * perform; this file only records and answers.
 *
 * Threads: a struct verdict lives in its struct sentry_call, owned by the
 * thread that runs the handler (the receiver or the loop, under
 * sentry->lock); sentry_verdict() must be called with that lock held.
 */
#ifndef CORDON_SENTRY_VERDICT_H
#define CORDON_SENTRY_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "netstack/netstack.h"
#include "platform/platform.h"
#include "policy/policy.h"

/**
 * enum verdict_kind - what happens to the call.
 * @VERDICT_NONE:     no verdict yet (a zero-filled call): sentry_verdict()
 *                    treats it as an internal error and refuses the call.
 * @VERDICT_CONTINUE: allowed; the kernel runs it. Only where nothing read
 *                    from job memory decided (shared/DESIGN.md invariant 2).
 * @VERDICT_ALLOW:    allowed; the supervisor performed it and the answer is
 *                    what that returned (a value, or the errno of the real
 *                    operation, e.g. ECONNREFUSED).
 * @VERDICT_INVALID:  no policy involved: the request is malformed and the
 *                    kernel would refuse it the same way (a bad length, not
 *                    a socket). Answered with the errno; not a denial.
 * @VERDICT_DENY:     refused by a rule, a zone or for safety (an argument
 *                    that cannot be read); answered with the errno. A
 *                    denial: recorded, printed and counted.
 * @VERDICT_KILL:     refused, and the supervisor's state may be
 *                    inconsistent: the job's whole tree is killed.
 */
enum verdict_kind {
	VERDICT_NONE,
	VERDICT_CONTINUE,
	VERDICT_ALLOW,
	VERDICT_INVALID,
	VERDICT_DENY,
	VERDICT_KILL,
};

/**
 * enum verdict_category - which kind of reason decided.
 * @VERDICT_CAT_RULE:       a fixed rule of cordon (@rule says which:
 *                          lateral isolation, exec records, personality).
 * @VERDICT_CAT_POLICY:     the zone decided: @decision holds how.
 * @VERDICT_CAT_LIMIT:      a resource limit (pids).
 * @VERDICT_CAT_UNREADABLE: an argument in job memory could not be read
 *                          (unmapped, or the process made itself
 *                          non-dumpable): refused, since natively the call
 *                          might have worked.
 * @VERDICT_CAT_INVALID:    malformed request (VERDICT_INVALID).
 * @VERDICT_CAT_INTERNAL:   an internal error of the supervisor: fail closed.
 */
enum verdict_category {
	VERDICT_CAT_RULE,
	VERDICT_CAT_POLICY,
	VERDICT_CAT_LIMIT,
	VERDICT_CAT_UNREADABLE,
	VERDICT_CAT_INVALID,
	VERDICT_CAT_INTERNAL,
};

/**
 * struct verdict - what a handler decided about one call.
 * @kind, @cat:   see the enums.
 * @answer:       what the platform is answered (unless @answered).
 * @rule:         the reason as text: a static string, or @rule_buf.
 * @decision:     the zone's decision when @has_decision (@cat POLICY).
 * @dest, @proto: the decoded destination when @has_dest (@proto: "tcp",
 *                "udp", "unix", "unix-dgram", "netlink"; static).
 * @answered:     the handler answered the platform itself (an fd installed
 *                with ADDFD answers the call): sentry_verdict() only
 *                records.
 * @deferred:     the call was handed to the deferred-call table
 *                (deferred.h): the dispatcher neither answers nor records
 *                it; deferred_finish() does both, once, when it ends.
 * @rule_buf:     storage for a rule text built at run time.
 */
struct verdict {
	enum verdict_kind kind;
	enum verdict_category cat;
	struct platform_answer answer;
	const char *rule;
	bool has_decision;
	struct policy_decision decision;
	bool has_dest;
	struct net_endpoint dest;
	const char *proto;
	bool answered;
	bool deferred;
	char rule_buf[320];
};

/** verdict_continue() - allowed, the kernel runs it. @rule: static. */
void verdict_continue(struct verdict *v, const char *rule);

/**
 * verdict_allow() - allowed and performed by the supervisor; @rc is what the
 * operation returned: >= 0 a value, < 0 a negative errno. @rule: static.
 */
void verdict_allow(struct verdict *v, int64_t rc, const char *rule);

/** verdict_invalid() - malformed: answer @err as the kernel would. */
void verdict_invalid(struct verdict *v, int err, const char *why);

/**
 * verdict_deny() - refused with @err (> 0) for reason @cat / @rule (static).
 */
void verdict_deny(struct verdict *v, int err, enum verdict_category cat,
		  const char *rule);

/**
 * verdict_unreadable() - an argument (@what, static) could not be read from
 * the job: a denial with EFAULT (the kernel's answer for a bad pointer).
 */
void verdict_unreadable(struct verdict *v, const char *what);

/**
 * verdict_decision() - the zone's decision @d: copied, its text formatted
 * into @v->rule_buf. A deny becomes VERDICT_DENY with @err; an allow becomes
 * VERDICT_ALLOW with a value of 0 to be replaced by verdict_result() once
 * the call has been performed.
 * Return: whether @d allows.
 */
bool verdict_decision(struct verdict *v, const struct policy_decision *d,
		      int err);

/**
 * verdict_result() - keep the kind and reason, set the answer to what the
 * performed operation returned (@rc as for verdict_allow()).
 */
void verdict_result(struct verdict *v, int64_t rc);

/**
 * verdict_kill() - refuse with EPERM and kill the job's tree: the
 * supervisor's state may no longer match the job's.
 */
void verdict_kill(struct verdict *v, const char *rule);

/**
 * verdict_fail() - the one mapping from an internal error @rc (< 0) while
 * handling a call to an outcome: a denial with EPERM (ENOSYS for -ENOSYS),
 * or VERDICT_KILL when @inconsistent.
 */
void verdict_fail(struct verdict *v, int rc, bool inconsistent);

/**
 * verdict_take_fail() - the one mapping of a job fd the supervisor could not
 * take (platform_take_fd() or the sockets owned from birth returned @rc < 0)
 * to an outcome; @err is the errno of a denial (EACCES for a network call),
 * @what names the object ("socket", "dirfd", "pidfd", static).
 *  -EBADF:      the job has no such fd: VERDICT_INVALID with EBADF, as the
 *               kernel answers.
 *  -EOPNOTSUPP: this platform cannot take fds (pidfd_getfd refused, e.g. by
 *               a container's seccomp profile) and the supervisor holds no
 *               copy of its own (a socket not born under cordon, or not a
 *               socket): a denial, VERDICT_CAT_INTERNAL.
 *  -EPERM, -EACCES: the kernel refused the take (the process made itself
 *               non-dumpable): a denial, VERDICT_CAT_UNREADABLE.
 *  anything else: an internal error, a denial (fail closed).
 * -ENOENT (the caller is gone) is not a verdict: the handler returns it and
 * sentry_dispatch() answers nothing and records nothing once the platform
 * confirms the call is gone.
 */
void verdict_take_fail(struct verdict *v, int rc, int err, const char *what);

/**
 * verdict_dest() - record the decoded destination @e (copied) and its
 * protocol name @proto (static) as fields of the audit record.
 */
void verdict_dest(struct verdict *v, const struct net_endpoint *e,
		  const char *proto);

/** verdict_answered() - the handler answered the platform itself. */
void verdict_answered(struct verdict *v);

/** verdict_is_denial() - DENY or KILL: recorded, printed and counted. */
bool verdict_is_denial(const struct verdict *v);

/** verdict_kind_name() - "none", "continue", "allow", "invalid", "deny",
 * "kill". */
const char *verdict_kind_name(enum verdict_kind k);

/** verdict_category_name() - "rule", "policy", "limit", "unreadable", ... */
const char *verdict_category_name(enum verdict_category c);

#endif /* CORDON_SENTRY_VERDICT_H */
