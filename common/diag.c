/* SPDX-License-Identifier: MIT */
/*
 * diag.c - cordon's messages on stderr: one line each, prefixed "cordon: ",
 * written so that cordon's own stderr can never kill or stall it (a closed
 * stderr, a pipe whose reader left or stopped reading): such lines are lost
 * and counted, never waited for.
 * Not responsible for audit records (sentry/audit.c) or policy diagnostics
 * with file:line:col (policy/).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

/* How long a line begun but stopped short on a full pipe may take. */
#define DIAG_FINISH_TRIES 4
#define DIAG_FINISH_MS 5

enum diag_sink {
	DIAG_SINK_PLAIN,  /* write() on fd 2 as it is: a file, /dev/null */
	DIAG_SINK_OWN,	  /* cordon's own O_NONBLOCK description (@diag_fd) */
	DIAG_SINK_POLL,	  /* fd 2, written only when poll() shows room */
	DIAG_SINK_SOCKET, /* fd 2, send(MSG_DONTWAIT | MSG_NOSIGNAL) */
	DIAG_SINK_GONE,	  /* closed, or no reader: nothing is written */
};

/* Set once by diag_init() before any thread exists; read-only after. */
static enum diag_sink diag_sink = DIAG_SINK_PLAIN;
static int diag_fd = STDERR_FILENO;
static unsigned diag_closed;
static uint64_t diag_lost; /* atomic */

unsigned diag_init(void)
{
	struct stat st;
	int fd, n;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		diag_closed |= 1u << fd;
		/* The lowest free number: @fd itself, as the lower ones are
		 * open by now. */
		n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
	if ((diag_closed & (1u << STDERR_FILENO)) ||
	    fstat(STDERR_FILENO, &st) < 0) {
		diag_sink = DIAG_SINK_GONE;
		return diag_closed;
	}
	if (S_ISSOCK(st.st_mode)) {
		diag_sink = DIAG_SINK_SOCKET;
	} else if (S_ISFIFO(st.st_mode) || isatty(STDERR_FILENO)) {
		fd = diag_reopen_nonblock(STDERR_FILENO);
		if (fd >= 0) {
			diag_fd = fd;
			diag_sink = DIAG_SINK_OWN;
		} else {
			diag_sink =
				fd == -ENXIO ? DIAG_SINK_GONE : DIAG_SINK_POLL;
		}
	}
	return diag_closed;
}

int diag_reopen_nonblock(int fd)
{
	char path[32];
	int n;

	/*
	 * Opening /proc/self/fd/N of a pipe or a terminal makes a new open
	 * file description of the same object: O_NONBLOCK on it is cordon's
	 * alone. ENXIO: a pipe nobody reads any more.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	return n >= 0 ? n : -errno;
}

unsigned diag_closed_stdio(void)
{
	return diag_closed;
}

uint64_t diag_dropped(void)
{
	return __atomic_load_n(&diag_lost, __ATOMIC_RELAXED);
}

/* One attempt; -1 with EAGAIN when it would block. */
static ssize_t diag_write_once(const char *p, size_t len)
{
	struct pollfd pfd = {.fd = diag_fd, .events = POLLOUT};

	switch (diag_sink) {
	case DIAG_SINK_SOCKET:
		return send(diag_fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	case DIAG_SINK_POLL:
		/* A shared blocking pipe: room now is all that can be known
		 * (the job may fill it first: a short wait, at worst). */
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) {
			errno = EAGAIN;
			return -1;
		}
		return write(diag_fd, p, len < PIPE_BUF ? len : PIPE_BUF);
	case DIAG_SINK_GONE:
		errno = EPIPE;
		return -1;
	case DIAG_SINK_PLAIN:
	case DIAG_SINK_OWN:
		break;
	}
	return write(diag_fd, p, len);
}

bool diag_write_uncounted(const void *buf, size_t len)
{
	struct pollfd pfd = {.fd = diag_fd, .events = POLLOUT};
	const char *p = buf;
	size_t off = 0;
	int tries = 0;
	ssize_t n;

	while (off < len) {
		n = diag_write_once(p + off, len - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* Up to PIPE_BUF a pipe takes all or nothing; a longer line
		 * begun gets a moment to finish rather than stay torn. */
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && off &&
		    tries++ < DIAG_FINISH_TRIES) {
			poll(&pfd, 1, DIAG_FINISH_MS);
			continue;
		}
		return false;
	}
	return true;
}

bool diag_write(const void *buf, size_t len)
{
	if (diag_write_uncounted(buf, len))
		return true;
	__atomic_add_fetch(&diag_lost, 1, __ATOMIC_RELAXED);
	return false;
}

static bool diag_is_quiet;

void diag_set_quiet(bool quiet)
{
	diag_is_quiet = quiet;
}

bool diag_quiet(void)
{
	return diag_is_quiet;
}

static void diag_vprint(const char *level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void diag_vprint(const char *level, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m;

	/* Format into one buffer and write once so lines never interleave. */
	n = snprintf(line, sizeof(line), "cordon: %s", level);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)diag_write(line, (size_t)n);
}

void diag_note(const char *fmt, ...)
{
	va_list ap;

	if (diag_is_quiet)
		return;
	va_start(ap, fmt);
	diag_vprint("", fmt, ap);
	va_end(ap);
}

void diag_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("warning: ", fmt, ap);
	va_end(ap);
}

void diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("", fmt, ap);
	va_end(ap);
}

void diag_fatal(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint("", fmt, ap);
	va_end(ap);
	exit(code);
}
