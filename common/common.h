/* SPDX-License-Identifier: MIT */
/*
 * common.h - the lowest layer of cordon: the exit-code table, diagnostics on
 * stderr, capped growable buffers, a JSON Lines writer, fd helpers and clocks.
 *
 * Nothing here knows about policies, platforms or jobs. Everything that grows
 * has a maximum (see struct dynbuf); nothing here exits except diag_fatal().
 */
#ifndef CORDON_COMMON_H
#define CORDON_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * EINTR_RETRY() - evaluate @expr again while it fails with EINTR.
 * The one place cordon retries interrupted calls.
 */
#define EINTR_RETRY(expr)                                                      \
	({                                                                     \
		__typeof__(expr) eintr_rc_;                                    \
		do                                                             \
			eintr_rc_ = (expr);                                    \
		while (eintr_rc_ == -1 && errno == EINTR);                     \
		eintr_rc_;                                                     \
	})

/* ---------------------------------------------------------------------------
 * Exit codes: the one table. A job that exits normally passes its own status;
 * a job killed by signal N gives 128+N (CORDON_EXIT_SIGNAL_BASE + N).
 */
#define CORDON_EXIT_TABLE(X)                                                   \
	X(CORDON_EXIT_LIMIT, 124,                                              \
	  "a limit was exceeded and cordon killed the job")                    \
	X(CORDON_EXIT_FAILURE, 125,                                            \
	  "cordon itself failed: usage, policy or kernel")                     \
	X(CORDON_EXIT_NOEXEC, 126,                                             \
	  "the command was found but is not executable")                       \
	X(CORDON_EXIT_NOTFOUND, 127, "the command was not found")

enum cordon_exit {
#define CORDON_EXIT_ENUM(name, value, text) name = value,
	CORDON_EXIT_TABLE(CORDON_EXIT_ENUM)
#undef CORDON_EXIT_ENUM
		CORDON_EXIT_SIGNAL_BASE = 128,
};

/**
 * cordon_exit_describe() - the documented meaning of a cordon exit code.
 * @code: an exit status.
 *
 * Return: a static string, or NULL when @code is not one of cordon's own.
 */
const char *cordon_exit_describe(int code);

/* ---------------------------------------------------------------------------
 * Diagnostics: "cordon: message" on stderr.
 */

/**
 * diag_init() - make cordon's own messages safe whatever its stderr is, once,
 * before anything else opens a file:
 *  - fds 0-2 that are closed get /dev/null, so that no file cordon opens
 *    lands on them (a message would then go into it);
 *  - stderr is written without ever blocking: a pipe or a terminal is
 *    reopened (/proc/self/fd/2) as a file description of cordon's own with
 *    O_NONBLOCK (setting it on the shared one would change the job's
 *    stderr); a socket is written with MSG_DONTWAIT; a pipe that cannot be
 *    reopened is written only when poll() says it has room.
 * A closed stderr, or one whose reader is gone, makes every line a lost one.
 * Not thread-safe: call it before any thread exists.
 * Return: the mask of fds among 0-2 that were closed (bit 1 << fd).
 */
unsigned diag_init(void);

/**
 * diag_reopen_nonblock() - a new open file description, O_NONBLOCK and
 * O_CLOEXEC, of the pipe or terminal behind @fd (via /proc/self/fd), so that
 * cordon can write it without blocking and without changing the flags of
 * the description it shares with other processes. Only for a pipe or a tty.
 * Return: the new fd, or -errno (-ENXIO: a pipe whose reader is gone).
 */
int diag_reopen_nonblock(int fd);

/** diag_closed_stdio() - the mask diag_init() returned (0 before it). */
unsigned diag_closed_stdio(void);

/**
 * diag_write() - write @len bytes to stderr as a diagnostic line is
 * written: whole or not at all for up to PIPE_BUF bytes, never blocking
 * (a line begun on a longer write gets a few ms to finish), never raising
 * SIGPIPE for a socket (the supervisor ignores SIGPIPE for pipes). A write
 * that fails or stops short counts as one lost line. Thread-safe.
 * Return: true when everything was written.
 */
bool diag_write(const void *buf, size_t len);

/**
 * diag_write_uncounted() - diag_write() for bytes that have a loss counter
 * of their own (`--audit -` records count in the audit's).
 */
bool diag_write_uncounted(const void *buf, size_t len);

/** diag_dropped() - how many lines could not be written (diag_write()). */
uint64_t diag_dropped(void);

/** diag_set_quiet() - silence diag_note() lines (the -q switch). */
void diag_set_quiet(bool quiet);

/** diag_quiet() - whether -q is in force. */
bool diag_quiet(void);

/** diag_note() - one informational line (suppressed by -q). */
void diag_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** diag_warning() - one warning line; never suppressed. */
void diag_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** diag_error() - one error line; never suppressed. */
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * diag_fatal() - print an error line and exit with @code.
 * Only setup and CLI code may call this (shared/STYLE.md, errors tier 2).
 */
void diag_fatal(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* ---------------------------------------------------------------------------
 * Capped growable buffer (curl's dynbuf): every buffer has a maximum.
 */
struct dynbuf {
	char *data; /* owned; NUL-terminated when len > 0 */
	size_t len;
	size_t alloc;
	size_t max; /* hard cap on len */
};

/** dynbuf_init() - an empty buffer that will never hold more than @max bytes.
 */
void dynbuf_init(struct dynbuf *b, size_t max);

/** dynbuf_free() - release the storage; the buffer may be reused after init. */
void dynbuf_free(struct dynbuf *b);

/** dynbuf_reset() - forget the contents, keep the storage. */
void dynbuf_reset(struct dynbuf *b);

/**
 * dynbuf_add() - append @len bytes.
 * Return: 0, -ENOMEM, or -E2BIG when the cap would be passed (nothing added).
 */
int dynbuf_add(struct dynbuf *b, const void *p, size_t len);

/** dynbuf_addf() - append formatted text; errors as dynbuf_add(). */
int dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------------------
 * JSON writer for one JSON Lines record at a time. Errors are sticky: after
 * one failure every call is a no-op and jsonw_end() reports it.
 */
#define JSONW_MAX_DEPTH 8

struct jsonw {
	struct dynbuf buf;
	int depth;
	bool need_comma[JSONW_MAX_DEPTH + 1];
	char closer[JSONW_MAX_DEPTH + 1];
	int error;
};

/** jsonw_begin() - start a record (an object) capped at @max bytes. */
void jsonw_begin(struct jsonw *w, size_t max);
/** jsonw_key_str() - "key": "value" with full escaping; NULL value -> null. */
void jsonw_key_str(struct jsonw *w, const char *key, const char *val);
/** jsonw_key_strn() - as jsonw_key_str() for @len bytes that may hold NULs. */
void jsonw_key_strn(struct jsonw *w, const char *key, const char *val,
		    size_t len);
void jsonw_key_i64(struct jsonw *w, const char *key, int64_t val);
void jsonw_key_u64(struct jsonw *w, const char *key, uint64_t val);
void jsonw_key_hex64(struct jsonw *w, const char *key, uint64_t val);
void jsonw_key_bool(struct jsonw *w, const char *key, bool val);
void jsonw_key_double(struct jsonw *w, const char *key, double val);
/** jsonw_key_obj() - open a nested object under @key. */
void jsonw_key_obj(struct jsonw *w, const char *key);
/** jsonw_key_arr() - open a nested array under @key. */
void jsonw_key_arr(struct jsonw *w, const char *key);
/** jsonw_str() - an array element string. */
void jsonw_str(struct jsonw *w, const char *val);
/** jsonw_u64() - an array element number. */
void jsonw_u64(struct jsonw *w, uint64_t val);
/** jsonw_close() - close the innermost nested object or array. */
void jsonw_close(struct jsonw *w);
/**
 * jsonw_end() - close the record and append '\n'.
 * Return: 0 and the line in w->buf, or the first negative errno met.
 */
int jsonw_end(struct jsonw *w);
/** jsonw_free() - release the buffer. */
void jsonw_free(struct jsonw *w);

/* ---------------------------------------------------------------------------
 * File descriptors.
 */

/**
 * fd_close_from() - close every fd >= @lowfd (close_range, or /proc/self/fd).
 * Return: 0 or -errno. Async-signal-safe when close_range exists.
 */
int fd_close_from(int lowfd);

/** fd_write_all() - write all of @len bytes, retrying short writes. */
int fd_write_all(int fd, const void *p, size_t len);

/** fd_read_file() - read a whole small file (at most @max bytes) into @b. */
int fd_read_file(const char *path, struct dynbuf *b, size_t max);

/* ---------------------------------------------------------------------------
 * Clocks.
 */

/** time_mono_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t time_mono_ns(void);

/**
 * time_fmt_rfc3339() - UTC wall-clock time with microseconds into @out.
 * @out must hold at least 32 bytes.
 */
void time_fmt_rfc3339(char *out, size_t outlen);

/* ---------------------------------------------------------------------------
 * Fingerprints (xxh3, 64 bits).
 */

/** digest_xxh3_buf() - xxh3-64 of @len bytes. */
uint64_t digest_xxh3_buf(const void *p, size_t len);

/**
 * digest_xxh3_fd() - xxh3-64 of the whole file behind @fd, read with pread
 * from offset 0 (the fd's offset is untouched). May block on I/O.
 * Return: 0 and *@out, -EFBIG past @max_bytes, or -errno.
 */
int digest_xxh3_fd(int fd, uint64_t max_bytes, uint64_t *out);

#endif /* CORDON_COMMON_H */
