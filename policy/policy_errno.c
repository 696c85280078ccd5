/* SPDX-License-Identifier: MIT */
/*
 * policy_errno.c - the errno names a syscall override may use
 * ("syscall ptrace deny EPERM"). Not responsible for syscall names.
 */
#include <errno.h>
#include <string.h>

#include "policy/policy_priv.h"

static const struct {
	const char *name;
	int value;
} policy_errno_table[] = {
	{"EPERM", EPERM},
	{"ENOENT", ENOENT},
	{"ESRCH", ESRCH},
	{"EINTR", EINTR},
	{"EIO", EIO},
	{"E2BIG", E2BIG},
	{"EBADF", EBADF},
	{"EAGAIN", EAGAIN},
	{"ENOMEM", ENOMEM},
	{"EACCES", EACCES},
	{"EFAULT", EFAULT},
	{"EBUSY", EBUSY},
	{"EEXIST", EEXIST},
	{"EXDEV", EXDEV},
	{"ENODEV", ENODEV},
	{"ENOTDIR", ENOTDIR},
	{"EISDIR", EISDIR},
	{"EINVAL", EINVAL},
	{"ENFILE", ENFILE},
	{"EMFILE", EMFILE},
	{"ENOTTY", ENOTTY},
	{"EFBIG", EFBIG},
	{"ENOSPC", ENOSPC},
	{"EROFS", EROFS},
	{"EMLINK", EMLINK},
	{"ENOSYS", ENOSYS},
	{"ENOTSUP", ENOTSUP},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"EPROTONOSUPPORT", EPROTONOSUPPORT},
	{"EAFNOSUPPORT", EAFNOSUPPORT},
	{"EADDRINUSE", EADDRINUSE},
	{"EADDRNOTAVAIL", EADDRNOTAVAIL},
	{"ENETUNREACH", ENETUNREACH},
	{"ECONNREFUSED", ECONNREFUSED},
	{"EHOSTUNREACH", EHOSTUNREACH},
	{"ETIMEDOUT", ETIMEDOUT},
	{"ECONNRESET", ECONNRESET},
};

const char *policy_errno_name(int e)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policy_errno_table); i++)
		if (policy_errno_table[i].value == e)
			return policy_errno_table[i].name;
	return NULL;
}

int policy_errno_parse(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policy_errno_table); i++)
		if (strlen(policy_errno_table[i].name) == len &&
		    !memcmp(policy_errno_table[i].name, s, len))
			return policy_errno_table[i].value;
	return -EINVAL;
}
