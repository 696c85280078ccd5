/* SPDX-License-Identifier: MIT */
/*
 * kcompat.h - uapi constants and structures newer than the kernel headers of
 * the oldest supported build host (Debian 12 ships 6.1 headers). The values
 * are ABI and never change; cordon detects at run time whether the running
 * kernel has each one and never assumes.
 */
#ifndef CORDON_KCOMPAT_H
#define CORDON_KCOMPAT_H

#include <linux/seccomp.h>
#include <stdint.h>

/* seccomp: 5.19 */
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
/* seccomp: 5.14 */
#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif
/* seccomp: 6.6, SECCOMP_IOCTL_NOTIF_SET_FLAGS and its one flag. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, uint64_t)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* Landlock (5.13), with the ABI 4 net and ABI 6 scoping fields. */
#define KCOMPAT_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define KCOMPAT_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define KCOMPAT_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

#define KCOMPAT_LANDLOCK_RULE_PATH_BENEATH 1
#define KCOMPAT_LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define KCOMPAT_LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define KCOMPAT_LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define KCOMPAT_LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define KCOMPAT_LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define KCOMPAT_LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define KCOMPAT_LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#define KCOMPAT_LANDLOCK_ACCESS_FS_REFER (1ULL << 13)	  /* ABI 2 */
#define KCOMPAT_LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define KCOMPAT_LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

struct kcompat_landlock_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct kcompat_landlock_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

/*
 * SO_PASSRIGHTS (Linux 6.16): when 0 on a unix socket, a sender that
 * attaches SCM_RIGHTS to it gets EPERM. Inherited by accepted sockets.
 */
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

/*
 * SCM_PIDFD (Linux 6.5): a unix receive on a socket with SO_PASSPIDFD on
 * carries a pidfd of the sender (a negative errno when it is gone).
 */
#define KCOMPAT_SCM_PIDFD 0x04

#endif /* CORDON_KCOMPAT_H */
