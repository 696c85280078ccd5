/* SPDX-License-Identifier: MIT */
/* fd_util.c - small file-descriptor helpers shared by every module. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/common.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

int fd_close_from(int lowfd)
{
	DIR *d;
	struct dirent *de;
	int dfd;

	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return 0;
	/* Kernels before 5.9: walk /proc/self/fd (not async-signal-safe). */
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd < lowfd || fd == dfd)
			continue;
		close((int)fd);
	}
	closedir(d);
	return 0;
}

int fd_write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t n = EINTR_RETRY(write(fd, c, len));

		if (n < 0)
			return -errno;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int fd_read_file(const char *path, struct dynbuf *b, size_t max)
{
	char chunk[4096];
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dynbuf_init(b, max);
	for (;;) {
		ssize_t n = EINTR_RETRY(read(fd, chunk, sizeof(chunk)));

		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		rc = dynbuf_add(b, chunk, (size_t)n);
		if (rc)
			break;
	}
	close(fd);
	if (rc)
		dynbuf_free(b);
	return rc;
}
