/* SPDX-License-Identifier: MIT */
/*
 * fake.c - the fake backend (fake.h): job memory as a buffer, the job's fds
 * as a table, answers recorded. Nothing here touches a real process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/fake.h"
#include "platform/platform_priv.h"

struct fake_platform {
	struct platform base; /* first: platform.c sees only this */
	struct platform_fake st;
	struct platform_features feat;
};

static struct fake_platform *fake_of(const struct platform *p)
{
	return PLATFORM_CONTAINER_OF(p, struct fake_platform, base);
}

int platform_fake_poke(struct platform_fake *f, uint64_t addr, const void *buf,
		       size_t len)
{
	if (addr < f->mem_base || addr - f->mem_base > f->mem_size ||
	    len > f->mem_size - (addr - f->mem_base))
		return -EFAULT;
	memcpy(f->mem + (addr - f->mem_base), buf, len);
	return 0;
}

static void fake_free(struct platform *p)
{
	struct fake_platform *f = fake_of(p);
	size_t i;

	for (i = 0; i < f->st.n_put; i++)
		close(f->st.put[i]);
	free(f);
}

static int fake_spawn(struct platform *p, const struct platform_spawn *s,
		      struct platform_job *job)
{
	(void)p;
	(void)s;
	(void)job;
	return -ENOSYS;
}

static int fake_fd(const struct platform *p)
{
	(void)p;
	return -1;
}

static int fake_recv(struct platform *p, struct platform_call *c)
{
	(void)p;
	(void)c;
	return -EPIPE;
}

static int fake_call_valid(struct platform *p, const struct platform_call *c)
{
	struct platform_fake *f = &fake_of(p)->st;

	(void)c;
	f->valid_checks++;
	return f->gone ? -ENOENT : 0;
}

/* The job's racing writes that are due after this many reads. */
static void fake_apply_patches(struct platform_fake *f)
{
	size_t i;

	for (i = 0; i < f->n_patches; i++) {
		struct platform_fake_patch *pt = &f->patches[i];

		if (!pt->applied && f->reads >= pt->after_reads) {
			platform_fake_poke(f, pt->addr, pt->bytes, pt->len);
			pt->applied = true;
		}
	}
}

static ssize_t fake_read_mem(struct platform *p, const struct platform_call *c,
			     uint64_t addr, void *buf, size_t len)
{
	struct platform_fake *f = &fake_of(p)->st;
	size_t n;

	(void)c;
	if (f->unreadable || addr < f->mem_base ||
	    addr - f->mem_base >= f->mem_size)
		return -EFAULT;
	n = f->mem_size - (addr - f->mem_base);
	n = n < len ? n : len;
	memcpy(buf, f->mem + (addr - f->mem_base), n);
	f->reads++;
	fake_apply_patches(f);
	return (ssize_t)n;
}

static ssize_t fake_write_mem(struct platform *p, const struct platform_call *c,
			      uint64_t addr, const void *buf, size_t len)
{
	(void)c;
	return platform_fake_poke(&fake_of(p)->st, addr, buf, len) < 0
		       ? -EFAULT
		       : (ssize_t)len;
}

static ssize_t fake_write_memv(struct platform *p,
			       const struct platform_call *c,
			       const struct platform_mem_seg *segs, size_t n)
{
	ssize_t done = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (fake_write_mem(p, c, segs[i].addr, segs[i].buf,
				   segs[i].len) < 0)
			return done ? done : -EFAULT;
		done += (ssize_t)segs[i].len;
	}
	return done;
}

static int fake_answer(struct platform *p, const struct platform_call *c,
		       const struct platform_answer *a)
{
	struct platform_fake *f = &fake_of(p)->st;

	(void)c;
	if (f->gone)
		return -ENOENT;
	if (f->n_answers < PLATFORM_FAKE_ANSWERS)
		f->answers[f->n_answers++] = *a;
	return 0;
}

static int fake_take_fd(struct platform *p, const struct platform_call *c,
			int remote_fd)
{
	struct platform_fake *f = &fake_of(p)->st;
	int fd;

	(void)c;
	if (f->gone)
		return -ENOENT;
	if (remote_fd < 0 || remote_fd >= PLATFORM_FAKE_FDS ||
	    f->fds[remote_fd] < 0)
		return -EBADF;
	fd = fcntl(f->fds[remote_fd], F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	f->taken++;
	return fd;
}

static int fake_put_fd(struct platform *p, const struct platform_call *c,
		       int local_fd, bool cloexec)
{
	struct platform_fake *f = &fake_of(p)->st;
	struct platform_answer a = {.kind = PLATFORM_ANSWER_VALUE};
	int fd;

	(void)cloexec;
	if (f->n_put >= PLATFORM_FAKE_FDS)
		return -EMFILE;
	fd = fcntl(local_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	f->put[f->n_put++] = fd;
	a.value = 100 + (int64_t)f->n_put; /* the fd number "in the job" */
	fake_answer(p, c, &a);
	return (int)a.value;
}

/* As fake_put_fd(), without answering (an fd a receive's answer names). */
static int fake_add_fd(struct platform *p, const struct platform_call *c,
		       int local_fd, bool cloexec)
{
	struct platform_fake *f = &fake_of(p)->st;
	int fd;

	(void)c;
	(void)cloexec;
	if (f->n_put >= PLATFORM_FAKE_FDS)
		return -EMFILE;
	fd = fcntl(local_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	f->put[f->n_put++] = fd;
	return 100 + (int)f->n_put;
}

static const struct platform_features *fake_features(const struct platform *p)
{
	return &fake_of(p)->feat;
}

static const struct platform_ops fake_ops = {
	.free = fake_free,
	.spawn = fake_spawn,
	.fd = fake_fd,
	.recv = fake_recv,
	.call_valid = fake_call_valid,
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.write_memv = fake_write_memv,
	.read_str = platform_generic_read_str,
	.answer = fake_answer,
	.take_fd = fake_take_fd,
	.put_fd = fake_put_fd,
	.add_fd = fake_add_fd,
	.features = fake_features,
};

struct platform *platform_fake_new(struct platform_fake **state)
{
	struct fake_platform *f = calloc(1, sizeof(*f));
	size_t i;

	if (!f)
		return NULL;
	f->base.ops = &fake_ops;
	f->base.name = "fake";
	f->base.can = PLATFORM_CAN_TAKE_FD | PLATFORM_CAN_PUT_FD |
		      PLATFORM_CAN_CONTINUE | PLATFORM_CAN_WRITE_MEM |
		      PLATFORM_CAN_ANSWER_ANY_THREAD;
	f->base.trap = PLATFORM_TRAP_UNOTIFY;
	for (i = 0; i < PLATFORM_FAKE_FDS; i++)
		f->st.fds[i] = -1;
	f->st.mem_base = 0x10000;
	f->st.mem_size = PLATFORM_FAKE_MEM;
	*state = &f->st;
	return &f->base;
}
