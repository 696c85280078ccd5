/* SPDX-License-Identifier: MIT */
/*
 * output.c - cordon owns the job's stdout and stderr when a log limit is
 * set: the job writes into pipes (or into a pseudo-terminal when cordon's
 * own stdout is a terminal, so that interactive programs still see a tty),
 * and the supervisor forwards what arrives, counting bytes. At the cap it
 * writes one marker line and then, by zone, discards the rest (draining, so
 * the job never blocks on a full pipe) or reports the limit as fired.
 * Not responsible for cordon's own messages (they are not counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define OUTPUT_CHUNK 65536

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
	o->cap = cap;
	o->kill_at_cap = kill_at_cap;
	o->active = true;
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

/* Forward @n bytes from stream @i; true when the cap was reached now. */
static bool output_forward(struct output *o, int i, const char *buf, size_t n)
{
	static const char marker[] =
		"\ncordon: log limit reached; further output %s\n";
	int dst = i == 0 ? STDOUT_FILENO : STDERR_FILENO;
	size_t room;
	bool hit = false;

	if (o->capped) {
		o->dropped += n;
		return false;
	}
	room = o->cap && o->bytes + n > o->cap ? (size_t)(o->cap - o->bytes)
					       : n;
	if (room)
		(void)fd_write_all(dst, buf, room);
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

	if (i < 0 || i > 1 || o->in[i] < 0)
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

void output_drain(struct output *o)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (o->in[i] < 0)
			continue;
		fcntl(o->in[i], F_SETFL, O_NONBLOCK);
		while (o->in[i] >= 0 && output_ready(o, i) >= 0)
			;
	}
}

void output_fini(struct output *o)
{
	int i;

	for (i = 0; i < 2; i++)
		if (o->in[i] >= 0)
			close(o->in[i]);
	output_job_started(o);
}
