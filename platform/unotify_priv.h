/* SPDX-License-Identifier: MIT */
/*
 * unotify_priv.h - what the backends of platform/ share: the kernel probe,
 * job memory and pidfds (proc_mem.c), Landlock (landlock.c).
 */
#ifndef CORDON_UNOTIFY_PRIV_H
#define CORDON_UNOTIFY_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include "platform/platform.h"

/*
 * What the job's first process (platform_child_run()) tells the supervisor
 * on the report pipe, and, when its exec failed, on the status pipe
 * (platform_read_exec_status()). Shared by every backend that spawns.
 */
enum unotify_msg_type {
	UNOTIFY_MSG_LISTENER = 1,
	UNOTIFY_MSG_FAILED = 2,
};

struct unotify_msg {
	int type;
	int stage; /* enum platform_spawn_stage, for FAILED */
	int err;   /* errno, for FAILED */
	int fd;	   /* listener fd number in the child, for LISTENER */
	unsigned long flags;
	int landlock_abi;
};

/* What the running kernel offers, by trying (probe.c). */
int unotify_probe(struct platform_features *f);
bool unotify_probe_passrights(void);

/* Shared by backends: job memory and fds through pidfds (proc_mem.c). */
ssize_t proc_mem_read(pid_t tid, uint64_t addr, void *buf, size_t len);
/* Up to PLATFORM_MEM_SEGS_MAX pieces in one process_vm_writev(). */
ssize_t proc_mem_writev(pid_t tid, const struct platform_mem_seg *segs,
			size_t n);
int proc_mem_pidfd_open(pid_t tid);
/*
 * Job memory through /proc/@tid/mem, for the calls of notification @id
 * (one open per notification and supervisor thread): the path when
 * process_vm_readv/writev are refused. Same returns as proc_mem_read() and
 * proc_mem_writev().
 */
ssize_t proc_mem_call_read(pid_t tid, uint64_t id, uint64_t addr, void *buf,
			   size_t len);
ssize_t proc_mem_call_writev(pid_t tid, uint64_t id,
			     const struct platform_mem_seg *segs, size_t n);
/*
 * The job memory of call @c, the way a backend reads and writes it:
 * process_vm_readv/writev when @vm (proc_mem_vm_works()), else
 * /proc/TID/mem for the call. Both backends' read_mem, write_mem and
 * write_memv are these; same returns as proc_mem_read()/proc_mem_writev().
 */
ssize_t proc_mem_job_read(bool vm, const struct platform_call *c, uint64_t addr,
			  void *buf, size_t len);
ssize_t proc_mem_job_writev(bool vm, const struct platform_call *c,
			    const struct platform_mem_seg *segs, size_t n);
/*
 * Whether process_vm_readv (and so _writev) works on this process, and
 * whether pidfd_getfd may be called at all (a container's seccomp profile,
 * CORDON_IGNORE_FEATURES): asked once each.
 */
bool proc_mem_vm_works(void);
bool proc_mem_getfd_works(void);
/* Whether pidfds can name a thread (PIDFD_THREAD, 6.9); asked once. */
bool proc_mem_pidfd_thread(void);

/*
 * The CORDON_IGNORE_FEATURES mask (feature_off.c): whether a facility is to
 * be treated as missing, and a Landlock ABI lowered to the cap.
 */
const struct feature_off *feature_off_get(void);
bool feature_off(unsigned int bit);
int feature_off_landlock(int abi);

/*
 * The listener over a socketpair (handover.c), where pidfd_getfd is
 * refused. In the child: handover_start() before the filter, with the
 * child's end @sock (then owned by it); handover_finish() after it, with the
 * listener (or -1 when the filter failed): the thread sent it and ended;
 * handover_close() once the supervisor serves the listener (closes may be
 * notified). Return: 0 or -errno. In the supervisor: handover_recv()
 * on the other end once the child reported: the listener (owned) or -errno.
 */
struct handover {
	int pipe; /* read end: the listener's number, or -1 */
	int sock; /* the child's end of the socketpair */
	int err;  /* 0, or the errno of the send */
};

int handover_start(struct handover *h, int sock, int *wr, pthread_t *t);
int handover_finish(struct handover *h, int wr, pthread_t t, int fd);
void handover_close(struct handover *h, int wr);
int handover_recv(int sock);

/* The job's Landlock domain (landlock.c). */
int landlock_abi_version(void);
/*
 * landlock_restrict_job() - put the calling process into a Landlock domain
 * made for ABI @abi (>= 1): with @scope (KCOMPAT_LANDLOCK_SCOPE_*) from
 * ABI 6. Without @fs (NULL, or @fs->fs_confine false), filesystem rights
 * all granted below "/" before ABI 6 and none handled from it; with it,
 * every filesystem right this ABI knows is handled and only @fs->fs_rules
 * grant (landlock.c's theory). Runs in the forked child: no allocation.
 * Return: 0, -EOPNOTSUPP for @abi < 1, or the kernel's -errno (a rule
 * whose path is gone or unreachable is skipped, not an error).
 */
int landlock_restrict_job(int abi, uint64_t scope,
			  const struct platform_spawn *fs);

#endif /* CORDON_UNOTIFY_PRIV_H */
