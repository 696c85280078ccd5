/* SPDX-License-Identifier: MIT */
/* zone_syscalls.c - a zone's syscall overrides against the syscall table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tools/zone_syscalls.h"

/*
 * The zone's syscall overrides in the filter compiler's terms. The array
 * lives as long as the process (cordon run execs or exits).
 */
int zone_syscalls_overrides(const struct zone *z, struct syscall_override **out,
			    size_t *n_out)
{
	const struct policy_syscall *ps;
	struct syscall_override *ov;
	size_t n, i;

	ps = zone_syscalls(z, &n);
	*out = NULL;
	*n_out = 0;
	if (!n)
		return 0;
	ov = calloc(n, sizeof(*ov));
	if (!ov)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ov[i].name = ps[i].name;
		switch (ps[i].action) {
		case POLICY_SYSCALL_ACTION_ALLOW:
			ov[i].cls = SYSCALL_CLASS_ALLOW;
			break;
		case POLICY_SYSCALL_ACTION_DENY:
			ov[i].cls = SYSCALL_CLASS_ERRNO;
			ov[i].err = ps[i].errno_value;
			break;
		case POLICY_SYSCALL_ACTION_NOTIFY:
			ov[i].cls = SYSCALL_CLASS_NOTIFY;
			break;
		}
	}
	*out = ov;
	*n_out = n;
	return 0;
}

/* Report a refused override at its place in the policy, compiler style. */
void zone_syscalls_error(const struct zone *z, const char *name, int rc)
{
	const struct policy_syscall *ps;
	size_t n, i;

	ps = zone_syscalls(z, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(ps[i].name, name))
			continue;
		fprintf(stderr, "%s:%u:%u: error: %s '%s'\n",
			ps[i].loc.file ? ps[i].loc.file : "<policy>",
			ps[i].loc.line, ps[i].loc.col,
			rc == -EPERM
				? "cordon must mediate or refuse this syscall; a zone cannot allow it in the kernel:"
				: "unknown syscall, or an action cordon has no handler for:",
			name);
		fprintf(stderr,
			"  hint: a zone may deny any syscall (syscall NAME deny EPERM), and allow only those the table refuses for hygiene\n");
		return;
	}
	diag_error("syscall override '%s' refused", name);
}

int zone_syscalls_check(const struct zone *z)
{
	struct syscall_override *ov = NULL;
	struct filter_prog f;
	const char *why = NULL;
	size_t n = 0;
	int rc;

	if (zone_syscalls_overrides(z, &ov, &n) < 0)
		return CORDON_EXIT_FAILURE;
	if (!n)
		return 0;
	rc = filter_compile(ov, n, 0, PLATFORM_TRAP_UNOTIFY, &f, &why);
	if (rc < 0) {
		zone_syscalls_error(z, why ? why : "?", rc);
		free(ov);
		return CORDON_EXIT_FAILURE;
	}
	filter_prog_free(&f);
	free(ov);
	return 0;
}
