/* SPDX-License-Identifier: MIT */
/*
 * platform_priv.h - the backend interface behind platform.h, for the files
 * of platform/ only (OpenSSH's sandbox shape: one small table of operations,
 * one backend per mechanism, plus decorators that wrap another backend).
 *
 * Each backend embeds a struct platform as its first member and finds its
 * own state with container_of() in its operations; platform.c only follows
 * the table. Not responsible for anything a backend does.
 */
#ifndef CORDON_PLATFORM_PRIV_H
#define CORDON_PLATFORM_PRIV_H

#include <stddef.h>

#include "platform/platform.h"

#define PLATFORM_CONTAINER_OF(ptr, type, member)                               \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/**
 * struct platform_ops - one backend. Every operation has the contract of the
 * platform.h function of the same name; all are required.
 * @free:       release the backend (the struct platform with it).
 * @read_str:   may be platform_generic_read_str() (page by page through
 *              @read_mem).
 * @reap, @reap_fd: optional (NULL: waitpid() and SIGCHLD, for backends
 *              that do not own waiting).
 */
struct platform_ops {
	void (*free)(struct platform *p);
	int (*spawn)(struct platform *p, const struct platform_spawn *s,
		     struct platform_job *job);
	int (*fd)(const struct platform *p);
	int (*recv)(struct platform *p, struct platform_call *c);
	int (*call_valid)(struct platform *p, const struct platform_call *c);
	ssize_t (*read_mem)(struct platform *p, const struct platform_call *c,
			    uint64_t addr, void *buf, size_t len);
	ssize_t (*write_mem)(struct platform *p, const struct platform_call *c,
			     uint64_t addr, const void *buf, size_t len);
	ssize_t (*write_memv)(struct platform *p, const struct platform_call *c,
			      const struct platform_mem_seg *segs, size_t n);
	ssize_t (*read_str)(struct platform *p, const struct platform_call *c,
			    uint64_t addr, char *buf, size_t max);
	int (*answer)(struct platform *p, const struct platform_call *c,
		      const struct platform_answer *a);
	int (*take_fd)(struct platform *p, const struct platform_call *c,
		       int remote_fd);
	int (*put_fd)(struct platform *p, const struct platform_call *c,
		      int local_fd, bool cloexec);
	int (*add_fd)(struct platform *p, const struct platform_call *c,
		      int local_fd, bool cloexec);
	const struct platform_features *(*features)(const struct platform *p);
	int (*reap)(struct platform *p, pid_t *pid, int *status);
	int (*reap_fd)(const struct platform *p);
};

/**
 * struct platform - what every backend starts with.
 * @ops:  its operations.
 * @name: "unotify", ... (a decorator names what it wraps too).
 * @can:  enum platform_can bits it offers now (a backend may clear bits
 *        once it has found out, e.g. at spawn).
 * @trap: the SECCOMP_RET_* action its filter gives notified rows.
 */
struct platform {
	const struct platform_ops *ops;
	const char *name;
	unsigned int can;
	uint32_t trap;
};

/**
 * platform_generic_read_str() - platform_read_str() through @p's read_mem,
 * one page at a time (the next page may be unmapped).
 */
ssize_t platform_generic_read_str(struct platform *p,
				  const struct platform_call *c, uint64_t addr,
				  char *buf, size_t max);

/**
 * platform_unotify_new() - the seccomp user notification backend
 * (unotify.c). Return: the backend, or NULL with errno set.
 */
struct platform *platform_unotify_new(void);

/**
 * platform_ptrace_new() - the ptrace backend (ptrace.c). Return: the
 * backend, or NULL with errno set (EOPNOTSUPP on an architecture it has no
 * registers for).
 */
struct platform *platform_ptrace_new(void);

/**
 * platform_child_run() - the job's first process, after fork(): drops what
 * the job must not inherit, sets its limits, no_new_privs, the Landlock
 * domain and the filter, reports on @report, waits for one byte on @go and
 * execs (unotify.c). With @traced, the filter is installed without a
 * listener (a tracer receives its SECCOMP_RET_TRACE rows) and @handover is
 * -1. Never returns.
 */
void platform_child_run(const struct platform_spawn *s, int report, int go,
			int handover, pid_t parent, bool traced)
	__attribute__((noreturn));

/**
 * platform_fault_new() - a decorator of @inner (fault_platform.c) that makes
 * the steps common/fault.h names fail: reading job memory, taking an fd,
 * ID_VALID, ADDFD and answering. Takes ownership of @inner (also on
 * failure). Return: the decorator, or NULL with errno set.
 */
struct platform *platform_fault_new(struct platform *inner);

#endif /* CORDON_PLATFORM_PRIV_H */
