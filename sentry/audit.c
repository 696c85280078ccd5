/* SPDX-License-Identifier: MIT */
/*
 * audit.c - the JSON Lines audit log: one header, one record per decision or
 * event, one summary. A job looping on a denied call cannot fill the disk:
 * records with the same key are written once, then counted, with a "repeat"
 * record at 10, 100, 1000, ... and the final tallies at close; and the file
 * has a hard byte cap past which records are only counted.
 *
 * Not responsible for what goes into a record (the supervisor builds them).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fault.h"
#include "sentry/audit_priv.h"

int audit_open(struct audit *a, const char *path, uint64_t max_bytes,
	       enum sentry_audit_level level)
{
	/* @a is zero-filled by the caller: its repeat table is large. */
	a->max_bytes = max_bytes;
	a->level = level;
	if (!path)
		return 0;
	if (!strcmp(path, "-")) {
		a->out = stderr;
		a->out_is_stderr = true;
		return 0;
	}
	a->out = fopen(path, "we");
	if (!a->out)
		return -errno;
	return 0;
}

void audit_write(struct audit *a, const struct dynbuf *line)
{
	if (!a->out)
		return;
	if (a->written + line->len > a->max_bytes) {
		a->dropped++;
		return;
	}
	if (fault_hit(FAULT_STEP_AUDIT) < 0) {
		a->dropped++; /* a record that could not be written is lost */
		return;
	}
	if (a->out_is_stderr) {
		/* `--audit -`: never blocks, never kills (common/diag.c). */
		if (diag_write_uncounted(line->data, line->len))
			a->written += line->len;
		else
			a->dropped++;
		return;
	}
	if (fwrite(line->data, 1, line->len, a->out) == line->len)
		a->written += line->len;
	else
		a->dropped++;
	/* Records must survive a SIGKILL of cordon: no stdio buffering. */
	fflush(a->out);
}

void audit_begin(struct audit *a, struct jsonw *w, const char *type)
{
	char ts[40];

	(void)a;
	time_fmt_rfc3339(ts, sizeof(ts));
	jsonw_begin(w, AUDIT_RECORD_MAX);
	jsonw_key_str(w, "type", type);
	jsonw_key_str(w, "time", ts);
}

static bool audit_is_milestone(uint64_t n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

static void audit_repeat_record(struct audit *a, struct audit_key_slot *k)
{
	struct jsonw w;

	audit_begin(a, &w, "repeat");
	jsonw_key_hex64(&w, "key", k->key);
	jsonw_key_u64(&w, "count", k->count);
	jsonw_key_str(&w, "what", k->summary);
	if (jsonw_end(&w) == 0)
		audit_write(a, &w.buf);
	jsonw_free(&w);
	k->written_at = k->count;
}

void audit_commit(struct audit *a, struct jsonw *w, uint64_t key,
		  const char *summary, bool to_stderr)
{
	struct audit_key_slot *k;

	if (jsonw_end(w) != 0) {
		a->dropped++;
		jsonw_free(w);
		return;
	}
	if (!key) {
		audit_write(a, &w->buf);
		if (summary && to_stderr)
			diag_note("%s", summary);
		jsonw_free(w);
		return;
	}
	k = &a->keys[key % AUDIT_KEY_SLOTS];
	if (!k->used || k->key != key) {
		if (k->used && k->count > k->written_at)
			audit_repeat_record(a, k);
		if (k->used)
			a->evicted++;
		else
			a->live[a->n_live++] = (uint16_t)(k - a->keys);
		memset(k, 0, sizeof(*k));
		k->used = true;
		k->key = key;
		snprintf(k->summary, sizeof(k->summary), "%s",
			 summary ? summary : "");
	}
	k->count++;
	if (k->count == 1) {
		audit_write(a, &w->buf);
		k->written_at = 1;
		if (summary && to_stderr)
			diag_note("%s", summary);
	} else if (audit_is_milestone(k->count)) {
		audit_repeat_record(a, k);
		if (summary && to_stderr)
			diag_note("%s (repeated %llu times)", summary,
				  (unsigned long long)k->count);
	}
	jsonw_free(w);
}

void audit_flush_repeats(struct audit *a)
{
	size_t i;

	for (i = 0; i < a->n_live; i++) {
		struct audit_key_slot *k = &a->keys[a->live[i]];

		if (k->used && k->count > k->written_at)
			audit_repeat_record(a, k);
	}
}

void audit_close(struct audit *a)
{
	audit_flush_repeats(a);
	if (a->out && !a->out_is_stderr)
		fclose(a->out);
	a->out = NULL;
}
