/* SPDX-License-Identifier: MIT */
/*
 * zone_syscalls.h - a zone's syscall overrides, which the policy module can
 * only check for syntax, against the one syscall table (sentry/): for
 * `cordon run` and `cordon policy check` alike.
 */
#ifndef CORDON_ZONE_SYSCALLS_H
#define CORDON_ZONE_SYSCALLS_H

#include <stddef.h>

#include "policy/policy.h"
#include "sentry/sentry.h"

/**
 * zone_syscalls_overrides() - @z's syscall overrides in the filter
 * compiler's terms. *@out is allocated (caller frees; it borrows names from
 * @z). Return: 0 or -ENOMEM.
 */
int zone_syscalls_overrides(const struct zone *z, struct syscall_override **out,
			    size_t *n_out);

/**
 * zone_syscalls_error() - report the override of @name that the filter
 * compiler refused with @rc, at its place in the policy (file:line:col).
 */
void zone_syscalls_error(const struct zone *z, const char *name, int rc);

/**
 * zone_syscalls_check() - compile @z's overrides against the table.
 * Return: 0, or CORDON_EXIT_FAILURE with the error printed.
 */
int zone_syscalls_check(const struct zone *z);

#endif /* CORDON_ZONE_SYSCALLS_H */
