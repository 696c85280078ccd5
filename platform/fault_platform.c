/* SPDX-License-Identifier: MIT */
/*
 * fault_platform.c - the fault injection decorator: a backend that forwards
 * every operation to the real one, except that the steps common/fault.h
 * arms fail first. A failed step does nothing to the job: a failed read
 * copies nothing, a failed take duplicates nothing, a failed ADDFD installs
 * nothing and answers nothing, a failed answer sends nothing (the caller
 * stays stopped, as it would if SECCOMP_IOCTL_NOTIF_SEND failed).
 *
 * Only platform_new() builds one, and only while fault_armed().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/fault.h"
#include "platform/platform_priv.h"

struct fault_platform {
	struct platform base; /* first: platform.c sees only this */
	struct platform *inner;
	char name[48];
};

static struct platform *fault_platform_inner(const struct platform *p)
{
	return PLATFORM_CONTAINER_OF(p, const struct fault_platform, base)
		->inner;
}

static void fault_platform_free(struct platform *p)
{
	struct fault_platform *f =
		PLATFORM_CONTAINER_OF(p, struct fault_platform, base);

	platform_free(f->inner);
	free(f);
}

static int fault_platform_spawn(struct platform *p,
				const struct platform_spawn *s,
				struct platform_job *job)
{
	struct platform *in = fault_platform_inner(p);
	int rc = in->ops->spawn(in, s, job);

	p->can = in->can; /* the backend may have learnt what is missing */
	return rc;
}

static int fault_platform_fd(const struct platform *p)
{
	return platform_fd(fault_platform_inner(p));
}

static int fault_platform_recv(struct platform *p, struct platform_call *c)
{
	return platform_recv(fault_platform_inner(p), c);
}

static int fault_platform_call_valid(struct platform *p,
				     const struct platform_call *c)
{
	int rc = fault_hit(FAULT_STEP_VALID);

	return rc < 0 ? rc : platform_call_valid(fault_platform_inner(p), c);
}

static ssize_t fault_platform_read_mem(struct platform *p,
				       const struct platform_call *c,
				       uint64_t addr, void *buf, size_t len)
{
	int rc = fault_hit(FAULT_STEP_MEM);

	if (rc < 0)
		return rc;
	return platform_read_mem(fault_platform_inner(p), c, addr, buf, len);
}

static ssize_t fault_platform_read_str(struct platform *p,
				       const struct platform_call *c,
				       uint64_t addr, char *buf, size_t max)
{
	int rc = fault_hit(FAULT_STEP_MEM);

	if (rc < 0)
		return rc;
	return platform_read_str(fault_platform_inner(p), c, addr, buf, max);
}

static ssize_t fault_platform_write_mem(struct platform *p,
					const struct platform_call *c,
					uint64_t addr, const void *buf,
					size_t len)
{
	return platform_write_mem(fault_platform_inner(p), c, addr, buf, len);
}

static ssize_t fault_platform_write_memv(struct platform *p,
					 const struct platform_call *c,
					 const struct platform_mem_seg *segs,
					 size_t n)
{
	return platform_write_memv(fault_platform_inner(p), c, segs, n);
}

static int fault_platform_answer(struct platform *p,
				 const struct platform_call *c,
				 const struct platform_answer *a)
{
	int rc = fault_hit(FAULT_STEP_ANSWER);

	return rc < 0 ? rc : platform_answer(fault_platform_inner(p), c, a);
}

static int fault_platform_take_fd(struct platform *p,
				  const struct platform_call *c, int remote_fd)
{
	int rc = fault_hit(FAULT_STEP_TAKE_FD);

	if (rc < 0)
		return rc;
	return platform_take_fd(fault_platform_inner(p), c, remote_fd);
}

static int fault_platform_put_fd(struct platform *p,
				 const struct platform_call *c, int local_fd,
				 bool cloexec)
{
	int rc = fault_hit(FAULT_STEP_PUT_FD);

	if (rc < 0)
		return rc;
	return platform_put_fd(fault_platform_inner(p), c, local_fd, cloexec);
}

static int fault_platform_add_fd(struct platform *p,
				 const struct platform_call *c, int local_fd,
				 bool cloexec)
{
	int rc = fault_hit(FAULT_STEP_PUT_FD);

	if (rc < 0)
		return rc;
	return platform_add_fd(fault_platform_inner(p), c, local_fd, cloexec);
}

static const struct platform_features *
fault_platform_features(const struct platform *p)
{
	return platform_features(fault_platform_inner(p));
}

/* Reaping is never faulted: a tracer's exits must reach the loop. */
static int fault_platform_reap(struct platform *p, pid_t *pid, int *status)
{
	return platform_reap(fault_platform_inner(p), pid, status);
}

static int fault_platform_reap_fd(const struct platform *p)
{
	return platform_reap_fd(fault_platform_inner(p));
}

static const struct platform_ops fault_platform_ops = {
	.free = fault_platform_free,
	.spawn = fault_platform_spawn,
	.fd = fault_platform_fd,
	.recv = fault_platform_recv,
	.call_valid = fault_platform_call_valid,
	.read_mem = fault_platform_read_mem,
	.write_mem = fault_platform_write_mem,
	.write_memv = fault_platform_write_memv,
	.read_str = fault_platform_read_str,
	.answer = fault_platform_answer,
	.take_fd = fault_platform_take_fd,
	.put_fd = fault_platform_put_fd,
	.add_fd = fault_platform_add_fd,
	.features = fault_platform_features,
	.reap = fault_platform_reap,
	.reap_fd = fault_platform_reap_fd,
};

struct platform *platform_fault_new(struct platform *inner)
{
	struct fault_platform *f = calloc(1, sizeof(*f));

	if (!f) {
		platform_free(inner);
		errno = ENOMEM;
		return NULL;
	}
	f->base.ops = &fault_platform_ops;
	snprintf(f->name, sizeof(f->name), "%s+fault", inner->name);
	f->base.name = f->name;
	f->base.can = inner->can;
	f->base.trap = inner->trap;
	f->inner = inner;
	return &f->base;
}
