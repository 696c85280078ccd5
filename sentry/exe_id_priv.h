/* SPDX-License-Identifier: MIT */
/*
 * exe_id_priv.h - which file a job process runs, and its xxh3 (exe_id.c),
 * for the audit record of each decision.
 */
#ifndef CORDON_EXE_ID_PRIV_H
#define CORDON_EXE_ID_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/common.h"

/* ---------------------------------------------------------------------------
 * Executable identity (exe_id.c): which file a process runs, and its xxh3.
 */
#define EXE_ID_CACHE_SLOTS 256
#define EXE_ID_MAX_HASH_BYTES (4ULL << 30) /* files past this: no digest */

struct exe_id {
	char path[512];
	uint64_t digest;
	bool have_digest;
};

struct exe_id_slot {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint64_t digest;
	bool used;
};

struct exe_id_cache {
	struct exe_id_slot slot[EXE_ID_CACHE_SLOTS];
};

/**
 * exe_id_from_fd() - fill @out from an fd opened by procfs_exe_open(): the
 * path (of the fd itself, best effort) and the digest, cached by
 * (dev, ino, size, mtime, ctime). May block while hashing a large file.
 */
void exe_id_from_fd(struct exe_id_cache *c, int fd, struct exe_id *out);

/**
 * exe_id_write_json() - the "exe" and "exe_xxh3" fields of an audit record
 * (exe_xxh3 null when the file was not hashed).
 */
void exe_id_write_json(const struct exe_id *id, struct jsonw *w);

#endif /* CORDON_EXE_ID_PRIV_H */
