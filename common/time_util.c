/* SPDX-License-Identifier: MIT */
/* time_util.c - monotonic nanoseconds and RFC 3339 timestamps. */
#include <stdio.h>
#include <time.h>

#include "common/common.h"

uint64_t time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void time_fmt_rfc3339(char *out, size_t outlen)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, outlen - n, ".%06ldZ", ts.tv_nsec / 1000);
}
