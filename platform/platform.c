/* SPDX-License-Identifier: MIT */
/*
 * platform.c - the platform interface: follows the backend's operations
 * table (platform_priv.h) and picks the backend, wrapped in the fault
 * decorator when fault injection is armed (common/fault.h). Holds what
 * backends share; never touches the job itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/common.h"
#include "common/fault.h"
#include "platform/platform.h"
#include "platform/platform_priv.h"
#include "platform/unotify_priv.h"

struct platform *platform_new(enum platform_kind kind)
{
	struct platform *p = NULL;

	switch (kind) {
	case PLATFORM_KIND_UNOTIFY:
		p = platform_unotify_new();
		break;
	case PLATFORM_KIND_PTRACE:
		p = platform_ptrace_new();
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	if (p && fault_armed())
		p = platform_fault_new(p);
	return p;
}

void platform_free(struct platform *p)
{
	if (p)
		p->ops->free(p);
}

const char *platform_name(const struct platform *p)
{
	return p->name;
}

bool platform_can(const struct platform *p, unsigned int what)
{
	return (p->can & what) == what;
}

uint32_t platform_trap_action(const struct platform *p)
{
	return p->trap;
}

uint32_t platform_kind_trap_action(enum platform_kind kind)
{
	switch (kind) {
	case PLATFORM_KIND_UNOTIFY:
		return PLATFORM_TRAP_UNOTIFY;
	case PLATFORM_KIND_PTRACE:
		return PLATFORM_TRAP_PTRACE;
	}
	return 0;
}

const char *platform_kind_name(enum platform_kind kind)
{
	switch (kind) {
	case PLATFORM_KIND_UNOTIFY:
		return "unotify";
	case PLATFORM_KIND_PTRACE:
		return "ptrace";
	}
	return "?";
}

bool platform_kind_takes_fds(enum platform_kind kind)
{
	switch (kind) {
	case PLATFORM_KIND_UNOTIFY:
	case PLATFORM_KIND_PTRACE:
		return proc_mem_getfd_works();
	}
	return false;
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
	return p->ops->spawn(p, s, job);
}

int platform_fd(const struct platform *p)
{
	return p->ops->fd(p);
}

int platform_recv(struct platform *p, struct platform_call *c)
{
	return p->ops->recv(p, c);
}

int platform_call_valid(struct platform *p, const struct platform_call *c)
{
	return p->ops->call_valid(p, c);
}

ssize_t platform_read_mem(struct platform *p, const struct platform_call *c,
			  uint64_t addr, void *buf, size_t len)
{
	return p->ops->read_mem(p, c, addr, buf, len);
}

ssize_t platform_write_mem(struct platform *p, const struct platform_call *c,
			   uint64_t addr, const void *buf, size_t len)
{
	return p->ops->write_mem(p, c, addr, buf, len);
}

ssize_t platform_write_memv(struct platform *p, const struct platform_call *c,
			    const struct platform_mem_seg *segs, size_t n)
{
	if (n > PLATFORM_MEM_SEGS_MAX)
		return -EINVAL;
	return p->ops->write_memv(p, c, segs, n);
}

ssize_t platform_read_str(struct platform *p, const struct platform_call *c,
			  uint64_t addr, char *buf, size_t max)
{
	return p->ops->read_str(p, c, addr, buf, max);
}

ssize_t platform_generic_read_str(struct platform *p,
				  const struct platform_call *c, uint64_t addr,
				  char *buf, size_t max)
{
	size_t got = 0;

	if (max == 0)
		return -ENAMETOOLONG;
	while (got < max) {
		/* Never read across a page end: the next may be unmapped. */
		size_t page_left = 4096 - ((addr + got) & 4095);
		size_t want = max - got < page_left ? max - got : page_left;
		ssize_t n = p->ops->read_mem(p, c, addr + got, buf + got, want);
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
	return p->ops->answer(p, c, a);
}

int platform_take_fd(struct platform *p, const struct platform_call *c,
		     int remote_fd)
{
	if (!(p->can & PLATFORM_CAN_TAKE_FD))
		return -EOPNOTSUPP;
	return p->ops->take_fd(p, c, remote_fd);
}

int platform_put_fd(struct platform *p, const struct platform_call *c,
		    int local_fd, bool cloexec)
{
	if (!(p->can & PLATFORM_CAN_PUT_FD))
		return -EOPNOTSUPP;
	return p->ops->put_fd(p, c, local_fd, cloexec);
}

int platform_add_fd(struct platform *p, const struct platform_call *c,
		    int local_fd, bool cloexec)
{
	if (!(p->can & PLATFORM_CAN_PUT_FD) || !p->ops->add_fd)
		return -EOPNOTSUPP;
	return p->ops->add_fd(p, c, local_fd, cloexec);
}

int platform_reap(struct platform *p, pid_t *pid, int *status)
{
	pid_t r;

	if (p->ops->reap)
		return p->ops->reap(p, pid, status);
	r = waitpid(-1, status, WNOHANG | __WALL);
	if (r > 0) {
		*pid = r;
		return 1;
	}
	return r < 0 && errno == ECHILD ? -ECHILD : 0;
}

int platform_reap_fd(const struct platform *p)
{
	return p->ops->reap_fd ? p->ops->reap_fd(p) : -1;
}

const struct platform_features *platform_features(const struct platform *p)
{
	return p->ops->features(p);
}
