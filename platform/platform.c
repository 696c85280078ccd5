/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the platform interface: dispatches on the backend kind
 * (a typed tag, no void pointers) and holds what every backend shares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "kcompat.h"
#include "platform.h"
#include "unotify_priv.h"

struct platform {
	enum platform_kind kind;
	union {
		struct unotify *unotify;
	} u;
};

struct platform *platform_new(enum platform_kind kind)
{
	struct platform *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->kind = kind;
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
	int pidfd, fd, rc;

	pidfd = proc_mem_pidfd_open(c->tid);
	if (pidfd < 0)
		return pidfd;
	/* The tid could have been reused before pidfd_open: re-check. */
	rc = platform_call_valid(p, c);
	if (rc < 0) {
		close(pidfd);
		return rc;
	}
	fd = (int)syscall(__NR_pidfd_getfd, pidfd, remote_fd, 0);
	rc = fd < 0 ? -errno : fd;
	close(pidfd);
	return rc;
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
