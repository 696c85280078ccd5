/* SPDX-License-Identifier: MIT */
/*
 * audit_priv.h - the JSON Lines audit log (audit.c): capped, with repeats
 * summarised. Owned by the loop thread (sentry_priv.h has the table).
 */
#ifndef CORDON_AUDIT_PRIV_H
#define CORDON_AUDIT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/common.h"
#include "sentry/sentry.h"

/* ---------------------------------------------------------------------------
 * Audit log (audit.c): JSON Lines, capped, with repeats summarised.
 */

#define AUDIT_KEY_SLOTS 1024
#define AUDIT_RECORD_MAX 16384

struct audit_key_slot {
	uint64_t key;
	uint64_t count;
	uint64_t written_at; /* count when last written */
	char summary[1024];  /* the stderr line, for the final repeat count */
	bool used;
};

struct audit {
	FILE *out; /* NULL: no audit file */
	bool out_is_stderr;
	uint64_t written;
	uint64_t max_bytes;
	uint64_t dropped; /* records not written because of the cap */
	enum sentry_audit_level level;
	struct audit_key_slot keys[AUDIT_KEY_SLOTS];
	/* The slots ever used, so that the final flush touches only those. */
	uint16_t live[AUDIT_KEY_SLOTS];
	size_t n_live;
	uint64_t evicted; /* repeat counters lost to table pressure */
};

/** audit_open() - open @path ("-": stderr, NULL: none) into a zero-filled
 * @a. Return: 0/-errno. */
int audit_open(struct audit *a, const char *path, uint64_t max_bytes,
	       enum sentry_audit_level level);
/**
 * audit_write() - write one finished @line (or count it dropped: past the
 * byte cap, or `--audit -` with a stderr that is closed or full).
 */
void audit_write(struct audit *a, const struct dynbuf *line);
/** audit_flush_repeats() - write the repeat tallies still pending. */
void audit_flush_repeats(struct audit *a);
/** audit_close() - write the repeat tallies still pending, close. */
void audit_close(struct audit *a);

/**
 * audit_begin() - start a record of @type with the time in it.
 * Add fields with jsonw_*(), then call audit_commit().
 */
void audit_begin(struct audit *a, struct jsonw *w, const char *type);

/**
 * audit_commit() - write the record unless it is a repeat.
 * @key:     0 for records that are never summarised (events); else a hash
 *           of what makes two records "the same" (not time, pid or tid).
 * @summary: the one-line text for stderr, or NULL.
 * @to_stderr: whether to print @summary on stderr (denials, unless -q).
 * The first record of a key is written; later ones are counted and a
 * "repeat" record is written at counts 10, 100, 1000, ...; audit_close()
 * writes the final tallies. The same applies to the stderr line.
 */
void audit_commit(struct audit *a, struct jsonw *w, uint64_t key,
		  const char *summary, bool to_stderr);

#endif /* CORDON_AUDIT_PRIV_H */
