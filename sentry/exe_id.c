/* SPDX-License-Identifier: MIT */
/*
 * exe_id.c - which file a job process actually runs: its exe
 * (procfs_exe_open()) opened while the process is stopped in a notified
 * call (so it is that process's file, not a path that could have been
 * swapped), fingerprinted with xxh3.
 * Digests are cached by (dev, ino, size, mtime, ctime): a rebuilt file gets
 * a new digest, a re-run one costs nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/exe_id_priv.h"

static bool exe_id_same(const struct exe_id_slot *s, const struct stat *st)
{
	return s->used && s->dev == st->st_dev && s->ino == st->st_ino &&
	       s->size == st->st_size &&
	       s->mtime.tv_sec == st->st_mtim.tv_sec &&
	       s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       s->ctime.tv_sec == st->st_ctim.tv_sec &&
	       s->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

void exe_id_from_fd(struct exe_id_cache *c, int fd, struct exe_id *out)
{
	char link[64];
	struct exe_id_slot *slot;
	struct stat st;
	ssize_t n;
	uint64_t d;

	memset(out, 0, sizeof(*out));
	/* The path of the very file opened (procfs_exe_open()). */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out->path, sizeof(out->path) - 1);
	if (n < 0)
		snprintf(out->path, sizeof(out->path), "?");
	else
		out->path[n] = '\0';
	if (fstat(fd, &st) < 0)
		return;
	slot = &c->slot[(st.st_ino ^ st.st_dev * 31) % EXE_ID_CACHE_SLOTS];
	if (exe_id_same(slot, &st)) {
		out->digest = slot->digest;
		out->have_digest = true;
		return;
	}
	if (digest_xxh3_fd(fd, EXE_ID_MAX_HASH_BYTES, &d) < 0)
		return;
	slot->dev = st.st_dev;
	slot->ino = st.st_ino;
	slot->size = st.st_size;
	slot->mtime = st.st_mtim;
	slot->ctime = st.st_ctim;
	slot->digest = d;
	slot->used = true;
	out->digest = d;
	out->have_digest = true;
}

void exe_id_write_json(const struct exe_id *id, struct jsonw *w)
{
	char hex[20];

	jsonw_key_str(w, "exe", id->path);
	if (!id->have_digest) {
		jsonw_key_str(w, "exe_xxh3", NULL);
		return;
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)id->digest);
	jsonw_key_str(w, "exe_xxh3", hex);
}
