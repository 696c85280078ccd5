/* SPDX-License-Identifier: MIT */
/* unotify_priv.h - the seccomp user notification backend, for platform.c. */
#ifndef CORDON_UNOTIFY_PRIV_H
#define CORDON_UNOTIFY_PRIV_H

#include <stdbool.h>
#include "platform/platform.h"

struct unotify;

struct unotify *unotify_new(void);
void unotify_free(struct unotify *u);
int unotify_spawn(struct unotify *u, const struct platform_spawn *s,
		  struct platform_job *job);
int unotify_fd(const struct unotify *u);
int unotify_recv(struct unotify *u, struct platform_call *c);
int unotify_call_valid(struct unotify *u, const struct platform_call *c);
int unotify_answer(struct unotify *u, const struct platform_call *c,
		   const struct platform_answer *a);
int unotify_put_fd(struct unotify *u, const struct platform_call *c,
		   int local_fd, bool cloexec);
const struct platform_features *unotify_features(const struct unotify *u);
int unotify_probe(struct platform_features *f);

/* Shared by backends: job memory and fds through pidfds (proc_mem.c). */
ssize_t proc_mem_read(pid_t tid, uint64_t addr, void *buf, size_t len);
ssize_t proc_mem_write(pid_t tid, uint64_t addr, const void *buf, size_t len);
int proc_mem_pidfd_open(pid_t tid);
/* Whether pidfds can name a thread (PIDFD_THREAD, 6.9); asked once. */
bool proc_mem_pidfd_thread(void);

/* Landlock scoping for the child (landlock.c). */
int landlock_abi_version(void);
int landlock_scope_self(uint64_t scope, int abi);

#endif /* CORDON_UNOTIFY_PRIV_H */
