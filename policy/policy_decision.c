/* SPDX-License-Identifier: MIT */
/*
 * policy_decision.c - a decision in words: the verdict's name and the "why"
 * line that audit records and `cordon policy explain` print.
 * Not responsible for making decisions (zone_decide.c).
 */
#include "policy/policy_priv.h"

const char *policy_decision_verdict_name(enum policy_verdict v)
{
	switch (v) {
	case POLICY_VERDICT_ALLOW:
		return "allow";
	case POLICY_VERDICT_LOOPBACK:
		return "loopback";
	case POLICY_VERDICT_DENY:
		break;
	}
	return "deny";
}

static int policy_decision_fmt_reason(const struct policy_decision *d,
				      struct dynbuf *out)
{
	static const char *const listen[] = {"deny", "loopback", "allow"};
	int rc;

	switch (d->reason) {
	case POLICY_REASON_RULE:
		rc = dynbuf_addf(out, "rule: ");
		rc = rc ? rc : policy_rule_fmt(d->rule, out);
		rc = rc ? rc
			: dynbuf_addf(out, " (%s:%u:%u)", d->rule->loc.file,
				      d->rule->loc.line, d->rule->loc.col);
		return rc || !d->detail ? rc
					: dynbuf_addf(out, "; %s", d->detail);
	case POLICY_REASON_ALWAYS_DENIED:
		rc = dynbuf_addf(out, "always-denied %s (builtin; ",
				 policy_category_name(d->category));
		/* Lifting host would not reach a host service on loopback. */
		if (!rc && (d->category == POLICY_CATEGORY_HOST ||
			    d->category == POLICY_CATEGORY_LOOPBACK))
			rc = dynbuf_addf(out, "on loopback and the host's "
					      "addresses only the job's own "
					      "listeners are reachable; ");
		if (rc)
			return rc;
		if (!d->hint[0])
			return dynbuf_addf(out,
					   "a deny rule matches too, so no "
					   "lift allows it)");
		return dynbuf_addf(out, "allowing it takes %s)", d->hint);
	case POLICY_REASON_OWN_LISTENER:
		return dynbuf_addf(out, "the job's own listener (builtin)");
	case POLICY_REASON_LOOPBACK:
		return dynbuf_addf(
			out,
			"listening on loopback is always allowed (builtin)");
	case POLICY_REASON_LISTEN:
		if (!d->loc.file)
			return dynbuf_addf(out, "listen deny (default)");
		return dynbuf_addf(
			out, "listen %s (%s:%u:%u)",
			listen[d->verdict == POLICY_VERDICT_ALLOW      ? 2
			       : d->verdict == POLICY_VERDICT_LOOPBACK ? 1
								       : 0],
			d->loc.file, d->loc.line, d->loc.col);
	case POLICY_REASON_UNIX_DEFAULT:
		return dynbuf_addf(out, "unix default: %s (unix defaults on)",
				   d->detail ? d->detail : "?");
	case POLICY_REASON_ABSTRACT:
		return dynbuf_addf(
			out, d->verdict == POLICY_VERDICT_ALLOW
				     ? "abstract socket bound by the job"
				     : "abstract socket not bound by the job");
	case POLICY_REASON_NETLINK:
		return dynbuf_addf(out, "netlink: %s (builtin%s)",
				   d->detail ? d->detail : "?",
				   d->verdict == POLICY_VERDICT_ALLOW
					   ? ""
					   : "; only NETLINK_ROUTE requests "
					     "to the kernel are sent");
	case POLICY_REASON_INVALID:
		return dynbuf_addf(out, "invalid request: %s",
				   d->detail ? d->detail : "?");
	case POLICY_REASON_DNS_PROXY:
		return dynbuf_addf(out, "redirected to cordon's DNS proxy "
					"(builtin; DNS to any address goes "
					"there)");
	case POLICY_REASON_FS_NONE:
		return dynbuf_addf(out, "the zone has no fs rules: the "
					"filesystem is not confined");
	case POLICY_REASON_DEFAULT:
		break;
	}
	return dynbuf_addf(out, "default deny (no rule allows it)");
}

int policy_decision_fmt(const struct policy_decision *d, struct dynbuf *out)
{
	char via[64];
	int rc = policy_decision_fmt_reason(d, out);

	if (rc || !d->has_via)
		return rc;
	policy_addr_fmt(&d->via, via, sizeof(via));
	return dynbuf_addf(out, ", for %s, which this %s address also reaches",
			   via, policy_addr_embed_name(d->embed));
}
