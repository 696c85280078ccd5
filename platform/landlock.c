/* SPDX-License-Identifier: MIT */
/*
 * landlock.c - the job's Landlock domain: signal and abstract-unix-socket
 * scoping (ABI >= 6). Every Landlock domain also stops its processes from
 * ptracing, or reading /proc/PID/{mem,environ} of, processes outside it.
 * Filesystem rules come with a later issue; nothing is handled here yet.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/unotify_priv.h"

int landlock_abi_version(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
			   KCOMPAT_LANDLOCK_CREATE_RULESET_VERSION);

	return feature_off_landlock(abi < 0 ? 0 : (int)abi);
}

int landlock_scope_self(uint64_t scope, int abi)
{
	struct kcompat_landlock_ruleset_attr attr = {.scoped = scope};
	int fd;

	/* Scoping needs ABI 6; anything older would reject the field. */
	if (abi < 6)
		return -EOPNOTSUPP;
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	if (syscall(__NR_landlock_restrict_self, fd, 0) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int platform_landlock_abi(void)
{
	return landlock_abi_version();
}
