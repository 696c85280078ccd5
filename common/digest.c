/* SPDX-License-Identifier: MIT */
/*
 * digest.c - xxh3 fingerprints: of policies (their canonical text) and of
 * executed programs (the file itself, read through an fd). The one place
 * cordon uses libxxhash.
 */
#include <unistd.h>
#include <xxhash.h>

#include "common/common.h"

uint64_t digest_xxh3_buf(const void *p, size_t len)
{
	return (uint64_t)XXH3_64bits(p, len);
}

int digest_xxh3_fd(int fd, uint64_t max_bytes, uint64_t *out)
{
	XXH3_state_t *st = XXH3_createState();
	char chunk[65536];
	uint64_t total = 0;
	int rc = 0;

	if (!st)
		return -ENOMEM;
	XXH3_64bits_reset(st);
	for (;;) {
		ssize_t n = EINTR_RETRY(
			pread(fd, chunk, sizeof(chunk), (off_t)total));

		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > max_bytes) {
			rc = -EFBIG;
			break;
		}
		XXH3_64bits_update(st, chunk, (size_t)n);
	}
	if (!rc)
		*out = (uint64_t)XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return rc;
}
