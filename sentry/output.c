/* SPDX-License-Identifier: MIT */
/*
 * output.c - cordon owns the job's stdout and stderr when a log limit is
 * set: the job writes into pipes (or into a pseudo-terminal when cordon's
 * own stdout is a terminal, so that interactive programs still see a tty),
 * and the supervisor forwards what arrives, counting bytes. At the cap it
 * writes one marker line and then, by zone, discards the rest (draining, so
 * the job never blocks on a full pipe) or reports the limit as fired.
 * Forwarding never blocks the loop: cordon's stdout and stderr are written
 * through descriptions of their own with O_NONBLOCK (or MSG_DONTWAIT), and
 * what a slow reader does not take waits in a bounded buffer while the job's
 * pipe is left unread (struct output), so the job blocks as it would natively
 * and the supervisor still answers calls and fires limits.
 * Not responsible for cordon's own messages (they are not counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "sentry/limits_priv.h"

#define OUTPUT_CHUNK 65536
/* How long the end of a run waits for a slow reader of cordon's output. */
#define OUTPUT_DRAIN_MS 2000
/* At the end, how many chunks left in the job's pipes are read to count. */
#define OUTPUT_DRAIN_COUNT_MAX 64

/* Stream @i goes to cordon's fd @fd: pick how to write it without blocking. */
static void output_sink_open(struct output *o, int i, int fd)
{
	struct stat st;
	int n;

	o->dst[i] = fd;
	o->sink[i] = OUTPUT_SINK_PLAIN;
	if (fstat(fd, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		o->sink[i] = OUTPUT_SINK_SOCKET;
	} else if (S_ISFIFO(st.st_mode) || isatty(fd)) {
		/* Never O_NONBLOCK on fd itself: the shell shares it. */
		n = diag_reopen_nonblock(fd);
		if (n >= 0) {
			o->dst[i] = n;
			o->sink[i] = OUTPUT_SINK_OWN;
		} else {
			o->sink[i] = OUTPUT_SINK_POLL;
		}
	}
}

static int output_pty(struct output *o)
{
	struct winsize ws;
	char *name;
	int m, sl;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || !(name = ptsname(m))) {
		int e = errno;

		close(m);
		return -e;
	}
	sl = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (sl < 0) {
		int e = errno;

		close(m);
		return -e;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(sl, TIOCSWINSZ, &ws);
	o->in[0] = m;
	o->in[1] = -1; /* both streams share the terminal, as on a console */
	o->job_out = sl;
	o->job_err = sl;
	o->pty = true;
	return 0;
}

int output_init(struct output *o, uint64_t cap, bool kill_at_cap)
{
	int p1[2], p2[2];

	memset(o, 0, sizeof(*o));
	o->in[0] = o->in[1] = o->job_out = o->job_err = -1;
	o->dst[0] = o->dst[1] = -1;
	o->cap = cap;
	o->kill_at_cap = kill_at_cap;
	o->active = true;
	o->pend[0] = malloc(OUTPUT_CHUNK);
	o->pend[1] = malloc(OUTPUT_CHUNK);
	if (!o->pend[0] || !o->pend[1])
		return -ENOMEM;
	output_sink_open(o, 0, STDOUT_FILENO);
	output_sink_open(o, 1, STDERR_FILENO);
	if (isatty(STDOUT_FILENO) && output_pty(o) == 0)
		return 0;
	if (pipe2(p1, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(p2, O_CLOEXEC) < 0) {
		int e = errno;

		close(p1[0]);
		close(p1[1]);
		return -e;
	}
	o->in[0] = p1[0];
	o->in[1] = p2[0];
	o->job_out = p1[1];
	o->job_err = p2[1];
	return 0;
}

void output_job_started(struct output *o)
{
	/* The job holds the write ends now; ours would keep EOF away. */
	if (o->job_out >= 0)
		close(o->job_out);
	if (o->job_err >= 0 && o->job_err != o->job_out)
		close(o->job_err);
	o->job_out = o->job_err = -1;
}

/* One attempt on stream @i; -1 with EAGAIN when it would block. */
static ssize_t output_write_once(struct output *o, int i, const char *p,
				 size_t len)
{
	struct pollfd pfd = {.fd = o->dst[i], .events = POLLOUT};

	switch (o->sink[i]) {
	case OUTPUT_SINK_SOCKET:
		return send(o->dst[i], p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	case OUTPUT_SINK_POLL:
		/* A shared blocking pipe: room shown now takes PIPE_BUF. */
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) {
			errno = EAGAIN;
			return -1;
		}
		return write(o->dst[i], p, len < PIPE_BUF ? len : PIPE_BUF);
	case OUTPUT_SINK_PLAIN:
		/* A file or a device: blocking is the file's own pace. */
		return fd_write_all(o->dst[i], p, len) < 0 ? -1 : (ssize_t)len;
	case OUTPUT_SINK_OWN:
		break;
	}
	return write(o->dst[i], p, len);
}

bool output_flush(struct output *o, int i)
{
	ssize_t n;

	while (o->pend_off[i] < o->pend_len[i]) {
		n = output_write_once(o, i, o->pend[i] + o->pend_off[i],
				      o->pend_len[i] - o->pend_off[i]);
		if (n > 0) {
			o->pend_off[i] += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		/* EPIPE and the like: nobody will read these. */
		o->lost += o->pend_len[i] - o->pend_off[i];
		break;
	}
	o->pend_off[i] = o->pend_len[i] = 0;
	return true;
}

bool output_pending(const struct output *o, int i)
{
	return i >= 0 && i < 2 && o->pend_off[i] < o->pend_len[i];
}

int output_dst(const struct output *o, int i)
{
	if (i < 0 || i > 1 || o->sink[i] == OUTPUT_SINK_PLAIN)
		return -1;
	return o->dst[i];
}

/* Write @n bytes of stream @i, keeping what does not go at once. */
static void output_push(struct output *o, int i, const char *buf, size_t n)
{
	/* The loop reads a stream only while nothing waits: room is ours. */
	memcpy(o->pend[i], buf, n);
	o->pend_off[i] = 0;
	o->pend_len[i] = n;
	(void)output_flush(o, i);
}

/* Forward @n bytes from stream @i; true when the cap was reached now. */
static bool output_forward(struct output *o, int i, const char *buf, size_t n)
{
	static const char marker[] =
		"\ncordon: log limit reached; further output %s\n";
	size_t room;
	bool hit = false;

	if (o->capped) {
		o->dropped += n;
		return false;
	}
	room = o->cap && o->bytes + n > o->cap ? (size_t)(o->cap - o->bytes)
					       : n;
	if (room)
		output_push(o, i, buf, room);
	o->bytes += room;
	if (room < n) {
		char line[128];
		int len = snprintf(line, sizeof(line), marker,
				   o->kill_at_cap ? "stopped the job"
						  : "is discarded");

		(void)diag_write(line, (size_t)len);
		o->dropped += n - room;
		o->capped = true;
		hit = true;
	}
	return hit;
}

int output_ready(struct output *o, int i)
{
	static char buf[OUTPUT_CHUNK];
	ssize_t n;
	int fired = 0;

	if (i < 0 || i > 1 || o->in[i] < 0 || output_pending(o, i))
		return 0;
	n = EINTR_RETRY(read(o->in[i], buf, sizeof(buf)));
	if (n <= 0) {
		/* EOF, or EIO from a pty whose last writer went away. */
		close(o->in[i]);
		o->in[i] = -1;
		return -1;
	}
	if (output_forward(o, i, buf, (size_t)n) && o->kill_at_cap)
		fired = 1;
	return fired;
}

/* Wait for room on stream @i until @deadline; false when time is up. */
static bool output_drain_flush(struct output *o, int i, uint64_t deadline)
{
	struct pollfd pfd = {.fd = o->dst[i], .events = POLLOUT};
	uint64_t now;

	while (!output_flush(o, i)) {
		now = time_mono_ns();
		if (now >= deadline)
			return false;
		poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1));
	}
	return true;
}

/* Time is up for stream @i: count what waits and what the pipe still has. */
static void output_drain_count(struct output *o, int i)
{
	static char buf[OUTPUT_CHUNK];
	ssize_t n;
	int k;

	o->lost += o->pend_len[i] - o->pend_off[i];
	o->pend_off[i] = o->pend_len[i] = 0;
	for (k = 0; k < OUTPUT_DRAIN_COUNT_MAX && o->in[i] >= 0; k++) {
		n = EINTR_RETRY(read(o->in[i], buf, sizeof(buf)));
		if (n <= 0)
			break;
		o->lost += (uint64_t)n;
	}
}

void output_drain(struct output *o)
{
	uint64_t deadline = time_mono_ns() + OUTPUT_DRAIN_MS * 1000000ull;
	int i;

	for (i = 0; i < 2; i++) {
		if (o->in[i] >= 0)
			fcntl(o->in[i], F_SETFL, O_NONBLOCK);
		for (;;) {
			if (!output_drain_flush(o, i, deadline)) {
				output_drain_count(o, i);
				break;
			}
			/* -1: EOF, or EAGAIN (the stream is closed then). */
			if (o->in[i] < 0 || output_ready(o, i) < 0)
				break;
		}
	}
}

void output_fini(struct output *o)
{
	int i;

	if (!o->active)
		return;
	for (i = 0; i < 2; i++) {
		if (o->in[i] >= 0)
			close(o->in[i]);
		if (o->sink[i] == OUTPUT_SINK_OWN)
			close(o->dst[i]);
		free(o->pend[i]);
		o->pend[i] = NULL;
	}
	output_job_started(o);
}
