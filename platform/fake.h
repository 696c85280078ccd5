/* SPDX-License-Identifier: MIT */
/*
 * fake.h - a platform backend without a kernel filter, for unit tests of the
 * handlers (sandbox2's seam: the kernel API behind an interface a fake can
 * replace). Calls are plain values the test builds; job memory is a buffer
 * the test fills, and may change between two reads (a racing thread of the
 * job); the job's fds are a table the test fills; answers, installed fds and
 * ID_VALID checks are recorded for the test to look at.
 *
 * Not for production: platform_new() never returns one.
 */
#ifndef CORDON_PLATFORM_FAKE_H
#define CORDON_PLATFORM_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

#define PLATFORM_FAKE_MEM 4096
#define PLATFORM_FAKE_FDS 16
#define PLATFORM_FAKE_ANSWERS 16
#define PLATFORM_FAKE_PATCHES 4

/**
 * struct platform_fake_patch - bytes the "job" writes after a read: once
 * @after_reads reads of job memory have been served, @len bytes of @bytes
 * land at @addr (a thread of the job racing the supervisor).
 */
struct platform_fake_patch {
	unsigned after_reads;
	uint64_t addr;
	uint8_t bytes[128];
	size_t len;
	bool applied;
};

/**
 * struct platform_fake - the fake's state, open to the test.
 * @mem_base: job address of @mem[0]; reads outside [base, base + size)
 *            fail with -EFAULT.
 * @mem_size: how much of @mem is mapped.
 * @unreadable: every read fails with -EFAULT (a non-dumpable job).
 * @reads:    reads served so far.
 * @fds:      the job's fd number i is local fd @fds[i] (-1: not open);
 *            platform_take_fd() returns a dup of it. Owned by the test.
 * @taken:    fds taken so far.
 * @gone:     the caller is gone: ID_VALID and answers fail with -ENOENT.
 * @valid_checks: ID_VALID checks made.
 * @answers:  every answer given (platform_answer(), and put_fd's value).
 * @n_answers: how many.
 * @put:      the fds installed into the "job" by platform_put_fd() (dups,
 *            owned by the fake), @n_put of them.
 * @can:      enum platform_can bits the fake claims (default: all).
 */
struct platform_fake {
	uint64_t mem_base;
	size_t mem_size;
	uint8_t mem[PLATFORM_FAKE_MEM];
	bool unreadable;
	unsigned reads;
	struct platform_fake_patch patches[PLATFORM_FAKE_PATCHES];
	size_t n_patches;
	int fds[PLATFORM_FAKE_FDS];
	unsigned taken;
	bool gone;
	unsigned valid_checks;
	struct platform_answer answers[PLATFORM_FAKE_ANSWERS];
	size_t n_answers;
	int put[PLATFORM_FAKE_FDS];
	size_t n_put;
};

/**
 * platform_fake_new() - a fake backend; its state in *@state (owned by the
 * platform, valid until platform_free()). Return: the platform or NULL.
 */
struct platform *platform_fake_new(struct platform_fake **state);

/**
 * platform_fake_poke() - put @len bytes at job address @addr. Return: 0, or
 * -EFAULT when outside the buffer.
 */
int platform_fake_poke(struct platform_fake *f, uint64_t addr, const void *buf,
		       size_t len);

#endif /* CORDON_PLATFORM_FAKE_H */
