/* SPDX-License-Identifier: MIT */
/*
 * limits_priv.h - the job's resources: accounting and the walker
 * (limits.c), the output under a log limit (output.c), concurrency slots
 * (slot.c).
 */
#ifndef CORDON_LIMITS_PRIV_H
#define CORDON_LIMITS_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/common.h"
#include "policy/policy.h"

/* ---------------------------------------------------------------------------
 * Resource accounting (limits.c).
 */
#define LIMITS_PROCS_MAX 8192

struct limits_proc {
	pid_t pid;
	uint64_t start;
	uint64_t wchar;
	uint64_t seen;
};

/**
 * struct limits - the job's measured resources against its zone's limits.
 * Values: cpu and wall in ms, mem/disk/log in bytes, tasks, fds.
 */
struct limits {
	const struct policy_limits *lim; /* borrowed; NULL: no limits */
	int timerfd;			 /* the sampler's */
	unsigned ncpu;
	uint64_t clk_tck;
	uint64_t generation, samples;
	uint64_t cpu_ms, mem, tasks, fds, disk;
	uint64_t cpu_peak, mem_peak, tasks_peak, fds_peak, disk_peak;
	uint64_t wall_ms, log_peak;
	uint64_t egress_peak; /* the quota's bytes sent, at the summary */
	uint64_t reaped_cpu_ms;
	uint64_t shm_base, tmp_base;
	struct limits_proc procs[LIMITS_PROCS_MAX];
	size_t n_procs;
	uint64_t dead_wchar, untracked_wchar;
	enum policy_limit_key fired; /* POLICY_LIMIT_COUNT: none */
	/*
	 * The walker thread (limits_walk_request()): while @walking, it owns
	 * generation, samples, procs, n_procs, dead_wchar, untracked_wchar
	 * and @walked; the supervisor touches none of them.
	 */
	int walk_req, walk_done; /* eventfds: ask / walked; -1 without one */
	bool walking;
	struct limits_walked {
		uint64_t cpu_ticks, mem, tasks, fds, wchar;
	} walked;
};

/** limits_init() - start accounting against @lim (may be NULL), in a
 * zero-filled @l. */
int limits_init(struct limits *l, const struct policy_limits *lim);
/** limits_fini() - close the sampler. */
void limits_fini(struct limits *l);
/** limits_set(), limits_value() - whether limit @k is set; its value. */
bool limits_set(const struct limits *l, enum policy_limit_key k);
uint64_t limits_value(const struct limits *l, enum policy_limit_key k);
/**
 * limits_sample() - measure the whole tree now (linear in live tasks).
 * @log_bytes: output already counted as log (not as disk).
 * Return: the first limit found exceeded, or POLICY_LIMIT_COUNT.
 */
enum policy_limit_key limits_sample(struct limits *l, uint64_t log_bytes);
/**
 * limits_walk_request() - start a sample in the walker thread, so that the
 * supervisor goes on answering calls during the walk of /proc (linear in
 * the tree). Nothing when one is running already.
 * Return: 0, or -errno when there is no walker (then sample with
 * limits_sample()).
 */
int limits_walk_request(struct limits *l);
/** limits_walk_fd() - readable when the walker finished (EPOLLIN), or -1. */
int limits_walk_fd(const struct limits *l);
/**
 * limits_walk_finish() - take the walker's totals, as limits_sample()
 * would return them. Call when limits_walk_fd() is readable.
 */
enum policy_limit_key limits_walk_finish(struct limits *l, uint64_t log_bytes);
/** limits_walk_wait() - wait until no walk is running (before exit). */
void limits_walk_wait(struct limits *l);
/** limits_arm() - schedule the next sample by the headroom left. */
void limits_arm(struct limits *l);
/** limits_note_reaped() - fold in what the supervisor reaped itself. */
void limits_note_reaped(struct limits *l);
/** limits_peak_of() - the peak of @k, in the limit's unit. */
uint64_t limits_peak_of(const struct limits *l, enum policy_limit_key k);

/* ---------------------------------------------------------------------------
 * The job's output under a log limit (output.c).
 */
enum output_sink {
	OUTPUT_SINK_PLAIN,  /* a file, /dev/null: write() as it is */
	OUTPUT_SINK_OWN,    /* our own O_NONBLOCK description of a pipe/tty */
	OUTPUT_SINK_POLL,   /* a pipe that could not be reopened: poll first */
	OUTPUT_SINK_SOCKET, /* send(MSG_DONTWAIT | MSG_NOSIGNAL) */
};

/*
 * Backpressure: what cordon's stdout or stderr did not take at once waits
 * in @pend[i] (at most one read's worth); while it does, the loop reads no
 * more from @in[i] and waits for EPOLLOUT on @dst[i] instead, so the job's
 * pipe fills and the job blocks in its own write, as against a slow reader
 * natively, and the loop itself never blocks.
 */
struct output {
	bool active;
	bool pty;
	int in[2];   /* read ends we forward: stdout, stderr (-1: none) */
	int job_out; /* write ends given to the job until it starts */
	int job_err;
	int dst[2]; /* where stream i goes (cordon's fd 1, 2 or our own) */
	enum output_sink sink[2];
	char *pend[2];	    /* bytes read, not written yet */
	size_t pend_off[2]; /* first unwritten byte in @pend[i] */
	size_t pend_len[2];
	uint64_t cap; /* 0: no cap */
	bool kill_at_cap;
	bool capped;
	uint64_t bytes;	  /* forwarded (written or waiting in @pend) */
	uint64_t dropped; /* discarded past the cap */
	uint64_t lost;	  /* not written: no reader, or still waiting at end */
};

/** output_init() - pipes, or a pty when cordon's stdout is a terminal. */
int output_init(struct output *o, uint64_t cap, bool kill_at_cap);
/** output_job_started() - close the write ends the job now holds. */
void output_job_started(struct output *o);
/**
 * output_ready() - forward what stream @i (0 stdout, 1 stderr) has.
 * Return: 0, 1 when the cap was reached and the zone says kill, -1 at EOF
 * (the stream is closed).
 */
int output_ready(struct output *o, int i);
/** output_pending() - whether stream @i has bytes waiting for room. */
bool output_pending(const struct output *o, int i);
/** output_dst() - the fd whose EPOLLOUT stream @i waits for (-1: none). */
int output_dst(const struct output *o, int i);
/**
 * output_flush() - write what stream @i has waiting, without blocking.
 * Return: true when nothing is left waiting.
 */
bool output_flush(struct output *o, int i);
/**
 * output_drain() - forward what is left at the end, waiting for a slow
 * reader at most OUTPUT_DRAIN_MS in all; what is still unwritten then is
 * counted in @lost.
 */
void output_drain(struct output *o);
/** output_fini() - close everything. */
void output_fini(struct output *o);

/* ---------------------------------------------------------------------------
 * Concurrency slots (slot.c).
 */

/**
 * slot_acquire() - take one of the @n slots named @name, waiting up to
 * @timeout_ms (-1: for ever, 0: not at all). May block.
 * Return: 0 with the lock's fd (close-on-exec; the slot is held while any
 * copy of it is open) and its index, -EBUSY on timeout, -EPERM when the slot
 * directory is not ours alone, or -errno.
 */
int slot_acquire(const char *name, unsigned n, int timeout_ms, int *fd_out,
		 unsigned *which);

#endif /* CORDON_LIMITS_PRIV_H */
