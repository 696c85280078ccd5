/* SPDX-License-Identifier: MIT */
/*
 * diag.c - cordon's messages on stderr: one line each, prefixed "cordon: ".
 * Not responsible for audit records (sentry/audit.c) or policy diagnostics
 * with file:line:col (policy/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

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
	(void)fd_write_all(STDERR_FILENO, line, (size_t)n);
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
