/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the platform interface: dispatches on the backend kind
 * (a typed tag, no void pointers) and holds what every backend shares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/platform.h"
#include "platform/unotify_priv.h"

/*
 * pidfds of recent callers, by tid (direct-mapped). A cached pidfd names
 * one task forever: if that task died and its tid went to another, the
 * pidfd fails with ESRCH and is opened again; if it is alive, it is the
 * only task with that tid, hence the caller (confirmed after use by
 * platform_call_valid()). Saves a pidfd_open() and a close() per fd taken.
 */
#define PLATFORM_PIDFD_CACHE 64

struct platform_pidfd {
	pid_t tid;
	int fd;
};

struct platform {
	enum platform_kind kind;
	union {
		struct unotify *unotify;
	} u;
	struct platform_pidfd pidfds[PLATFORM_PIDFD_CACHE];
};

struct platform *platform_new(enum platform_kind kind)
{
	struct platform *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->kind = kind;
	for (size_t i = 0; i < PLATFORM_PIDFD_CACHE; i++)
		p->pidfds[i].fd = -1;
	switch (kind) {
	case PLATFORM_KIND_UNOTIFY:
		p->u.unotify = unotify_new();
		if (!p->u.unotify) {
			int e = errno;

			free(p);
			errno = e;
			return NULL;
		}
		return p;
	}
	free(p);
	errno = EINVAL;
	return NULL;
}

void platform_free(struct platform *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < PLATFORM_PIDFD_CACHE; i++)
		if (p->pidfds[i].fd >= 0)
			close(p->pidfds[i].fd);
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		unotify_free(p->u.unotify);
		break;
	}
	free(p);
}

const char *platform_name(const struct platform *p)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return "unotify";
	}
	return "?";
}

int platform_probe(struct platform_features *f)
{
	return unotify_probe(f);
}

int platform_spawn(struct platform *p, const struct platform_spawn *s,
		   struct platform_job *job)
{
	memset(job, 0, sizeof(*job));
	job->pidfd = job->status_fd = -1;
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_spawn(p->u.unotify, s, job);
	}
	return -EINVAL;
}

int platform_fd(const struct platform *p)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_fd(p->u.unotify);
	}
	return -1;
}

int platform_recv(struct platform *p, struct platform_call *c)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_recv(p->u.unotify, c);
	}
	return -EINVAL;
}

int platform_call_valid(struct platform *p, const struct platform_call *c)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_call_valid(p->u.unotify, c);
	}
	return -EINVAL;
}

ssize_t platform_read_mem(struct platform *p, const struct platform_call *c,
			  uint64_t addr, void *buf, size_t len)
{
	(void)p;
	return proc_mem_read(c->tid, addr, buf, len);
}

ssize_t platform_write_mem(struct platform *p, const struct platform_call *c,
			   uint64_t addr, const void *buf, size_t len)
{
	(void)p;
	return proc_mem_write(c->tid, addr, buf, len);
}

ssize_t platform_write_memv(struct platform *p, const struct platform_call *c,
			    const struct platform_mem_seg *segs, size_t n)
{
	struct iovec local[PLATFORM_MEM_SEGS_MAX],
		remote[PLATFORM_MEM_SEGS_MAX];
	size_t i;
	ssize_t r;

	(void)p;
	if (n > PLATFORM_MEM_SEGS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		local[i].iov_base = (void *)segs[i].buf;
		local[i].iov_len = segs[i].len;
		remote[i].iov_base = (void *)(uintptr_t)segs[i].addr;
		remote[i].iov_len = segs[i].len;
	}
	r = process_vm_writev(c->tid, local, n, remote, n, 0);
	return r < 0 ? -errno : r;
}

ssize_t platform_read_str(struct platform *p, const struct platform_call *c,
			  uint64_t addr, char *buf, size_t max)
{
	size_t got = 0;

	if (max == 0)
		return -ENAMETOOLONG;
	while (got < max) {
		/* Never read across a page end: the next page may be unmapped.
		 */
		size_t page_left = 4096 - ((addr + got) & 4095);
		size_t want = max - got < page_left ? max - got : page_left;
		ssize_t n =
			platform_read_mem(p, c, addr + got, buf + got, want);
		char *nul;

		if (n <= 0)
			return n < 0 ? n : -EFAULT;
		nul = memchr(buf + got, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		got += (size_t)n;
	}
	buf[max - 1] = '\0';
	return -ENAMETOOLONG;
}

int platform_answer(struct platform *p, const struct platform_call *c,
		    const struct platform_answer *a)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_answer(p->u.unotify, c, a);
	}
	return -EINVAL;
}

int platform_take_fd(struct platform *p, const struct platform_call *c,
		     int remote_fd)
{
	struct platform_pidfd *e =
		&p->pidfds[(unsigned)c->tid % PLATFORM_PIDFD_CACHE];
	int fd, rc, tries;

	/*
	 * Before PIDFD_THREAD a pidfd names the thread group, not the tid:
	 * a cached one could outlive the tid's thread and name another
	 * process. No cache then: open, check, take.
	 */
	if (!proc_mem_pidfd_thread()) {
		int pidfd = proc_mem_pidfd_open(c->tid);

		if (pidfd < 0)
			return pidfd;
		rc = platform_call_valid(p, c);
		if (rc == 0) {
			fd = (int)syscall(__NR_pidfd_getfd, pidfd, remote_fd,
					  0);
			rc = fd < 0 ? -errno : fd;
		}
		close(pidfd);
		return rc;
	}
	for (tries = 0; tries < 2; tries++) {
		if (e->fd < 0 || e->tid != c->tid) {
			if (e->fd >= 0)
				close(e->fd);
			e->fd = proc_mem_pidfd_open(c->tid);
			e->tid = c->tid;
			if (e->fd < 0)
				return e->fd;
		}
		fd = (int)syscall(__NR_pidfd_getfd, e->fd, remote_fd, 0);
		if (fd >= 0 || errno != ESRCH)
			break;
		/* A task that had this tid before: open the caller's. */
		close(e->fd);
		e->fd = -1;
	}
	if (fd < 0)
		return -errno;
	/* The pidfd names a task with the caller's tid: is it the caller? */
	rc = platform_call_valid(p, c);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int platform_put_fd(struct platform *p, const struct platform_call *c,
		    int local_fd, bool cloexec)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_put_fd(p->u.unotify, c, local_fd, cloexec);
	}
	return -EINVAL;
}

const struct platform_features *platform_features(const struct platform *p)
{
	switch (p->kind) {
	case PLATFORM_KIND_UNOTIFY:
		return unotify_features(p->u.unotify);
	}
	return NULL;
}
