/* SPDX-License-Identifier: MIT */
/*
 * proc_signal.c - which signals are pending for a thread of the job, from
 * /proc/TID/status (see platform.h). A bounded line parser of the kernel's
 * text and a thin reader. Not responsible for acting on it: the deferred
 * calls (sentry/deferred.c) decide what a pending signal ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "platform/platform.h"

/*
 * Room for every line up to SigCgt, as procfs.c's PROCFS_STATUS_BUF: only a
 * Groups line of thousands of groups pushes the signal lines past it, and
 * then the lines are missing (-EINVAL): no signal is seen and the call
 * waits for its completion or timeout, as before the poll existed.
 */
#define PROC_SIGNAL_BUF 16384

enum {
	PROC_SIGNAL_HAVE_PND = 1,
	PROC_SIGNAL_HAVE_SHD = 2,
	PROC_SIGNAL_HAVE_BLK = 4,
	PROC_SIGNAL_HAVE_IGN = 8,
	PROC_SIGNAL_HAVE_ALL = 15,
};

/* Hex digits in [p, end) into *out; at least one, at most 16. */
static int proc_signal_hex(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end; p++, n++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (n == 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (!n || (p < end && *p != ' ' && *p != '\t'))
		return -EINVAL;
	*out = v;
	return 0;
}

/* A decimal number in [p, end) into *out (>= 0). */
static int proc_signal_dec(const uint8_t *p, const uint8_t *end, long *out)
{
	long v = 0;
	size_t n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++, n++) {
		if (v > (0x7fffffffL - 9) / 10)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (!n)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Whether the line [p, end) starts with @key (which ends with ':'). */
static const uint8_t *proc_signal_key(const uint8_t *p, const uint8_t *end,
				      const char *key)
{
	size_t k = strlen(key);

	if ((size_t)(end - p) < k || memcmp(p, key, k))
		return NULL;
	return p + k;
}

/* The mask at offset @off of @st. */
static uint64_t *proc_signal_field(struct proc_signal_state *st, size_t off)
{
	return (uint64_t *)((char *)st + off);
}

int proc_signal_parse(const uint8_t *p, size_t len,
		      struct proc_signal_state *out)
{
	static const struct {
		const char *key;
		unsigned bit;
		size_t off;
	} sig[] = {
		{"SigPnd:", PROC_SIGNAL_HAVE_PND,
		 offsetof(struct proc_signal_state, pnd)},
		{"ShdPnd:", PROC_SIGNAL_HAVE_SHD,
		 offsetof(struct proc_signal_state, shdpnd)},
		{"SigBlk:", PROC_SIGNAL_HAVE_BLK,
		 offsetof(struct proc_signal_state, blk)},
		{"SigIgn:", PROC_SIGNAL_HAVE_IGN,
		 offsetof(struct proc_signal_state, ign)},
	};
	const uint8_t *end = p + len;
	unsigned have = 0;

	memset(out, 0, sizeof(*out));
	out->tgid = -1;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *eol = nl ? nl : end;
		const uint8_t *v;
		size_t i;
		long n;

		for (i = 0; i < ARRAY_SIZE(sig); i++) {
			v = proc_signal_key(p, eol, sig[i].key);
			if (!v)
				continue;
			/* A cut line (the read's end) gives a wrong mask. */
			if (!nl ||
			    proc_signal_hex(
				    v, eol,
				    proc_signal_field(out, sig[i].off)) < 0)
				return -EINVAL;
			have |= sig[i].bit;
		}
		v = proc_signal_key(p, eol, "Tgid:");
		if (v && proc_signal_dec(v, eol, &n) == 0)
			out->tgid = (pid_t)n;
		v = proc_signal_key(p, eol, "Threads:");
		if (v && proc_signal_dec(v, eol, &n) == 0)
			out->threads = n;
		p = nl ? nl + 1 : end;
	}
	return have == PROC_SIGNAL_HAVE_ALL ? 0 : -EINVAL;
}

uint64_t proc_signal_deliverable(const struct proc_signal_state *st, pid_t tid)
{
	uint64_t set = st->pnd;

	if (st->tgid == tid || st->threads == 1)
		set |= st->shdpnd;
	return set & ~st->blk & ~st->ign;
}

int proc_signal_classify(const struct proc_signal_state *st, pid_t tid)
{
	/* SIGKILL queued: the thread is dying (a fatal signal becomes one). */
	if ((st->pnd | st->shdpnd) & (1ULL << (SIGKILL - 1)))
		return 2;
	return proc_signal_deliverable(st, tid) ? 1 : 0;
}

int proc_signal_pending(pid_t tid)
{
	struct proc_signal_state st;
	uint8_t buf[PROC_SIGNAL_BUF];
	char path[48];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* procfs builds the whole file at the first read (seq_file). */
	n = EINTR_RETRY(read(fd, buf, sizeof(buf)));
	close(fd);
	if (n < 0)
		return -errno;
	if (proc_signal_parse(buf, (size_t)n, &st) < 0)
		return -EINVAL;
	return proc_signal_classify(&st, tid);
}
