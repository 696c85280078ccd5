/* SPDX-License-Identifier: MIT */
/*
 * policy_diag.c - compiler-style diagnostics of the policy parser: collected
 * (capped at POLICY_DIAG_MAX, the rest counted) and formatted as
 * "file:line:col: error: message" plus an optional hint line.
 * Not responsible for printing: callers decide where the text goes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy_priv.h"

void policy_diag_add(struct policy *p, const char *file, unsigned line,
		     unsigned col, const char *hint, const char *fmt, ...)
{
	struct policy_diag *d;
	va_list ap;

	if (p->n_diags >= POLICY_DIAG_MAX) {
		p->dropped++;
		return;
	}
	d = &p->diags[p->n_diags++];
	d->file = file ? file : "<unknown>";
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	snprintf(d->hint, sizeof(d->hint), "%s", hint ? hint : "");
}

int policy_src_err(const struct policy_src *src, unsigned col, const char *hint,
		   const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	policy_diag_add(src->p, src->file, src->line, col, hint, "%s", msg);
	return -EINVAL;
}

size_t policy_diag_count(const struct policy *p)
{
	return p->n_diags;
}

const struct policy_diag *policy_diag_get(const struct policy *p, size_t i)
{
	return i < p->n_diags ? &p->diags[i] : NULL;
}

size_t policy_diag_dropped(const struct policy *p)
{
	return p->dropped;
}

int policy_diag_fmt(const struct policy_diag *d, struct dynbuf *out)
{
	int rc;

	rc = dynbuf_addf(out, "%s:%u:%u: error: %s\n", d->file, d->line, d->col,
			 d->message);
	if (!rc && d->hint[0])
		rc = dynbuf_addf(out, "  hint: %s\n", d->hint);
	return rc;
}
