/* SPDX-License-Identifier: MIT */
/*
 * landlock.c - the job's Landlock domain. Every Landlock domain, from ABI 1
 * (5.13) on, stops its processes from ptracing, or passing
 * ptrace_may_access() for, any process outside it: /proc/PID/{mem,environ,
 * maps,fd,cwd,root,exe}, process_vm_readv, pidfd_getfd, kcmp, ... of
 * outsiders are refused in the kernel. ABI 6 (6.12) adds signal and
 * abstract-unix-socket scoping. A zone with filesystem rules also makes
 * the domain confine the filesystem (docs/filesystem.md).
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
 *
 * Filesystem confinement (platform_spawn.fs_confine): the ruleset handles
 * every filesystem right the ABI has (ABI 1: EXECUTE .. MAKE_SYM; 2: +
 * REFER; 3: + TRUNCATE; 5: + IOCTL_DEV), the scopes too from ABI 6, and
 * each platform_fs_rule grants, on the inode its path names when the
 * child opens it (O_PATH, symlinks followed: a rule stands for the
 * resolved tree), what its access maps to:
 *  - READ:  READ_FILE | READ_DIR;  LIST: READ_DIR;  EXEC: EXECUTE;
 *  - WRITE: WRITE_FILE, REMOVE_DIR/FILE, MAKE_DIR/REG/SOCK/FIFO/SYM, and
 *    REFER, TRUNCATE and IOCTL_DEV where the ABI has them. MAKE_CHAR and
 *    MAKE_BLOCK are handled and never granted.
 * A right is checked on the path that is reached (after symlinks, "..",
 * /proc/self/root and the like), so those cannot lead outside. REFER on
 * both sides lets a rename or link move a file between writable trees; a
 * file moved in from elsewhere (rename, link) needs REFER and its own
 * rights to be no more than the destination's, so a hard link to a file
 * of an ungranted tree fails with EXDEV. ABI 1 has no REFER: every
 * reparenting is EXDEV (docs/isolation.md). Rights only directories have
 * are dropped for a file rule (the kernel refuses them, EINVAL). Paths
 * that are gone or unreachable by the job's user when the child opens them
 * are skipped: the rule grants nothing, as its tree does not exist.
 * Landlock checks at open: descriptors the job already holds (its stdio)
 * keep working.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
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

/* Every filesystem right ABI @abi has. */
static uint64_t landlock_fs_handled(int abi)
{
	uint64_t h = (KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		h |= KCOMPAT_LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= KCOMPAT_LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= KCOMPAT_LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

/* The Landlock rights enum platform_fs_access @a stands for at ABI @abi. */
static uint64_t landlock_fs_rights(unsigned a, int abi)
{
	uint64_t r = 0;

	if (a & PLATFORM_FS_READ)
		r |= KCOMPAT_LANDLOCK_ACCESS_FS_READ_FILE |
		     KCOMPAT_LANDLOCK_ACCESS_FS_READ_DIR;
	if (a & PLATFORM_FS_LIST)
		r |= KCOMPAT_LANDLOCK_ACCESS_FS_READ_DIR;
	if (a & PLATFORM_FS_EXEC)
		r |= KCOMPAT_LANDLOCK_ACCESS_FS_EXECUTE;
	if (a & PLATFORM_FS_WRITE)
		r |= KCOMPAT_LANDLOCK_ACCESS_FS_WRITE_FILE |
		     KCOMPAT_LANDLOCK_ACCESS_FS_REMOVE_DIR |
		     KCOMPAT_LANDLOCK_ACCESS_FS_REMOVE_FILE |
		     KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_DIR |
		     KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_REG |
		     KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_SOCK |
		     KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_FIFO |
		     KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_SYM |
		     KCOMPAT_LANDLOCK_ACCESS_FS_REFER |
		     KCOMPAT_LANDLOCK_ACCESS_FS_TRUNCATE |
		     KCOMPAT_LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r & landlock_fs_handled(abi);
}

/* Grant each of @s's rules in ruleset @rfd. Return: 0/-errno. */
static int landlock_fs_grant(int rfd, int abi, const struct platform_spawn *s)
{
	static const uint64_t file_only =
		KCOMPAT_LANDLOCK_ACCESS_FS_EXECUTE |
		KCOMPAT_LANDLOCK_ACCESS_FS_WRITE_FILE |
		KCOMPAT_LANDLOCK_ACCESS_FS_READ_FILE |
		KCOMPAT_LANDLOCK_ACCESS_FS_TRUNCATE |
		KCOMPAT_LANDLOCK_ACCESS_FS_IOCTL_DEV;
	size_t i;

	for (i = 0; i < s->n_fs_rules; i++) {
		struct kcompat_landlock_path_beneath_attr pb = {0};
		struct stat st;
		int fd, e;

		pb.allowed_access =
			landlock_fs_rights(s->fs_rules[i].access, abi);
		if (!pb.allowed_access)
			continue;
		fd = open(s->fs_rules[i].path, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
			if (e == ENOENT || e == EACCES || e == ENOTDIR ||
			    e == ELOOP)
				continue;
			return -e;
		}
		if (fstat(fd, &st) < 0) {
			e = errno;
			close(fd);
			return -e;
		}
		if (!S_ISDIR(st.st_mode))
			pb.allowed_access &= file_only;
		pb.parent_fd = fd;
		e = 0;
		if (pb.allowed_access &&
		    syscall(__NR_landlock_add_rule, rfd,
			    KCOMPAT_LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
			e = errno;
		close(fd);
		if (e)
			return -e;
	}
	return 0;
}

int landlock_restrict_job(int abi, uint64_t scope,
			  const struct platform_spawn *s)
{
	struct kcompat_landlock_ruleset_attr attr = {0};
	size_t size = sizeof(attr);
	bool confine = s && s->fs_confine;
	uint64_t fs = 0;
	int fd, rc = 0;

	if (abi < 1)
		return -EOPNOTSUPP;
	if (confine) {
		attr.handled_access_fs = landlock_fs_handled(abi);
		if (abi >= 6)
			attr.scoped = scope;
		else
			size = sizeof(attr.handled_access_fs);
	} else if (abi >= 6) {
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
	if (confine)
		rc = landlock_fs_grant(fd, abi, s);
	else if (fs)
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
