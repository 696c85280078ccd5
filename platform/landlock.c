/* SPDX-License-Identifier: MIT */
/*
 * landlock.c - the job's Landlock domain. Every Landlock domain, from ABI 1
 * (5.13) on, stops its processes from ptracing, or passing
 * ptrace_may_access() for, any process outside it: /proc/PID/{mem,environ,
 * maps,fd,cwd,root,exe}, process_vm_readv, pidfd_getfd, kcmp, ... of
 * outsiders are refused in the kernel. ABI 6 (6.12) adds signal and
 * abstract-unix-socket scoping. Filesystem rules come with a later issue:
 * the domain grants everything it handles, below "/".
 *
 * Theory of operation
 * -------------------
 * A ruleset must handle something, or landlock_create_ruleset() refuses it
 * (ENOMSG), and what it handles is denied unless a rule grants it:
 *  - ABI >= 6: the scopes alone (no filesystem right is handled, so no
 *    filesystem check is made at all).
 *  - ABI 2-5: LANDLOCK_ACCESS_FS_REFER, granted on "/". REFER is the one
 *    right every domain that handles any filesystem right denies by default
 *    (the kernel adds it to each layer's mask), so it must be handled and
 *    granted explicitly or a rename or link across directories fails with
 *    EXDEV. Granted on the root, it allows every reparenting below it; one
 *    through a path not below the job's root (another mount namespace's
 *    /proc/N/root, a detached mount) is refused with EXDEV.
 *  - ABI 1: REFER does not exist and the kernel (5.13-5.18) refuses any
 *    reparenting inside a domain with EXDEV, whatever is handled; the domain
 *    handles LANDLOCK_ACCESS_FS_MAKE_BLOCK (creating a block device needs
 *    CAP_MKNOD, which the job never has), granted on "/" as well so that
 *    nothing else changes. docs/isolation.md says what EXDEV breaks.
 * The rule is tied to the root directory the job has when it is created
 * (before the exec), which is the supervisor's.
 */
#include <errno.h>
#include <fcntl.h>
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

/* Grant @access on everything below "/" in ruleset @rfd. Return: 0/-errno. */
static int landlock_grant_root(int rfd, uint64_t access)
{
	struct kcompat_landlock_path_beneath_attr pb = {.allowed_access =
								access};
	int root, rc = 0;

	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	pb.parent_fd = root;
	if (syscall(__NR_landlock_add_rule, rfd,
		    KCOMPAT_LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		rc = -errno;
	close(root);
	return rc;
}

int landlock_restrict_job(int abi, uint64_t scope)
{
	struct kcompat_landlock_ruleset_attr attr = {0};
	size_t size = sizeof(attr);
	uint64_t fs = 0;
	int fd, rc = 0;

	if (abi < 1)
		return -EOPNOTSUPP;
	if (abi >= 6) {
		attr.scoped = scope;
	} else {
		fs = abi >= 2 ? KCOMPAT_LANDLOCK_ACCESS_FS_REFER
			      : KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_BLOCK;
		attr.handled_access_fs = fs;
		/* The one field every ABI has. */
		size = sizeof(attr.handled_access_fs);
	}
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return -errno;
	if (fs)
		rc = landlock_grant_root(fd, fs);
	if (!rc && syscall(__NR_landlock_restrict_self, fd, 0) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int platform_landlock_abi(void)
{
	return landlock_abi_version();
}
