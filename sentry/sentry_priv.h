/* SPDX-License-Identifier: MIT */
/*
 * sentry_priv.h - the supervisor's internals, shared by the files of sentry/
 * only: the running state, one notified call in flight, the audit log, the
 * process tree, executable identities and the guard.
 */
#ifndef CORDON_SENTRY_PRIV_H
#define CORDON_SENTRY_PRIV_H

#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "common/common.h"
#include "common/fault.h"
#include "netstack/netstack.h"
#include "platform/platform.h"
#include "sentry/deferred.h"
#include "sentry/sentry.h"
#include "sentry/verdict.h"

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

/* ---------------------------------------------------------------------------
 * Audit log (audit.c): JSON Lines, capped, with repeats summarised.
 */
/* How long the loop polls after DNS proxy traffic (sentry_loop()). */
#define SENTRY_DNS_SPIN_NS (40 * 1000ULL)

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

/* ---------------------------------------------------------------------------
 * Process tree (proctree.c).
 */

/**
 * proctree_signal_tree() - send @sig to every descendant of this process,
 * found through /proc/PID/task/TID/children and held by pidfds so that a
 * reused pid is never signalled: a grandchild is only signalled after its
 * parent link was confirmed while both were alive.
 * Return: the number of processes signalled.
 */
size_t proctree_signal_tree(int sig);

/**
 * proctree_signal_children() - send @sig to this process's own children
 * (their pids cannot be reused: only we reap them).
 * Return: the number signalled.
 */
size_t proctree_signal_children(int sig);

/**
 * proctree_count_tree() - number of live descendant processes (for reports).
 */
size_t proctree_count_tree(void);

/**
 * struct proctree_node - a process of the job, pinned.
 * @pid:   its pid (a thread-group leader).
 * @pidfd: a pidfd of it, opened before its parent link was confirmed.
 */
struct proctree_node {
	pid_t pid;
	int pidfd;
};

/**
 * proctree_list() - every process of the job, each confirmed as in
 * proctree_signal_tree(), into @out (at most @max). The caller owns and
 * closes the pidfds. May allocate 1 MiB while walking.
 * Return: the number filled.
 */
size_t proctree_list(struct proctree_node *out, size_t max);

/* ---------------------------------------------------------------------------
 * Job membership (jobtree.c): pid-reuse-proof "is this process in the job".
 */
/* uapi linux/pidfd.h (6.9): PIDFD_THREAD (O_EXCL), PIDFD_SIGNAL_*. */
#define JOBTREE_PIDFD_THREAD 0x80
#define JOBTREE_SIGNAL_THREAD (1U << 0)
#define JOBTREE_SIGNAL_THREAD_GROUP (1U << 1)
#define JOBTREE_SIGNAL_PROCESS_GROUP (1U << 2)

/** jobtree_alive() - @pidfd's process (or thread) has not exited. */
bool jobtree_alive(int pidfd);

/**
 * jobtree_pidfd_open() - a pidfd for any thread @tid (PIDFD_THREAD where the
 * kernel has it, else only for thread-group leaders).
 * Return: the fd (owned by the caller) or -errno.
 */
int jobtree_pidfd_open(pid_t tid);

/**
 * jobtree_pin() - pin thread or process @tid with a pidfd and decide whether
 * it belongs to the job (a descendant of the supervisor), walking its
 * ancestry with every link confirmed while both ends were pinned.
 * @pidfd_out: on 0 or 1, the pin (owned by the caller): while it has not
 *             exited, @tid names the process that was judged.
 * Return: 1 member, 0 outside (the supervisor, the anchor, anything else),
 * -ESRCH no such process, or -errno.
 */
int jobtree_pin(pid_t tid, int *pidfd_out);

/** jobtree_member() - jobtree_pin() without keeping the pin. */
int jobtree_member(pid_t tid);

/**
 * jobtree_fd_member() - whether the process a pidfd (or a /proc/N directory
 * fd) @fd names belongs to the job; @pid_out, if not NULL, gets its pid.
 * Return: 1, 0, -ESRCH (exited), -EBADF (not a pidfd).
 */
int jobtree_fd_member(int fd, pid_t *pid_out);

/* ---------------------------------------------------------------------------
 * A cwd and umask of each thread's own (threadfs.c).
 */

/**
 * threadfs_private() - give the calling thread its own cwd and umask
 * (unshare(CLONE_FS)). Every supervisor thread calls it first thing.
 * Return: 0, or -errno (the thread then never enters the job's, see
 * threadfs_enter()).
 */
int threadfs_private(void);

/** threadfs_is_private() - whether threadfs_private() succeeded here. */
bool threadfs_is_private(void);

/**
 * struct threadfs_saved - what threadfs_enter() changed, for
 * threadfs_leave(). @cwd: our own cwd (owned), or -1.
 */
struct threadfs_saved {
	int cwd;
	bool dir_changed;
	mode_t mask;
};

/**
 * threadfs_enter() - move the calling thread alone into directory @dirfd
 * (-1: stay) with umask @mask, until threadfs_leave().
 * Return: 0, -EPERM when the thread shares its cwd and umask with others
 * (nothing changed: the caller must refuse what needed them), or -errno.
 */
int threadfs_enter(int dirfd, mode_t mask, struct threadfs_saved *saved);

/** threadfs_leave() - back to the thread's own cwd and umask. */
void threadfs_leave(struct threadfs_saved *saved);

/* ---------------------------------------------------------------------------
 * Pending execs (sys_exec.c): which threads asked to exec, until the new
 * program's first arch_prctl(ARCH_SET_FS) says the exec finished.
 */
#define EXEC_PENDING_SLOTS 512

struct exec_pending_slot {
	pid_t tid;
	char path[512];
	bool used;
};

/* ---------------------------------------------------------------------------
 * One notified call in flight.
 */

/**
 * struct sentry_call - a call being decided.
 * @pc:      the stopped call, as the platform gave it.
 * @entry:   its table row (never NULL once dispatched).
 * @v:       the handler's verdict (verdict.h): answered and recorded by
 *           sentry_verdict().
 * @detail:  decoded arguments as text, for the audit log and stderr.
 * @exe_fd:  /proc/TID/exe of a process that just finished an exec, to
 *           fingerprint after the call was answered (-1: none).
 * @exec_path: the path that exec was asked for.
 */
struct sentry_call {
	struct platform_call pc;
	const struct syscall_entry *entry;
	struct verdict v;
	char detail[600];
	int exe_fd;
	char exec_path[512];
};

/**
 * sentry_verdict() - the one path out of a decided call (verdict.c): answer
 * the platform with @c->v (unless the handler answered or deferred it),
 * count a denial, stop the job on VERDICT_KILL, and write the audit record
 * and stderr line (denials always, everything at --audit-level all).
 * Call with @s->lock held, while the caller is still stopped.
 */
void sentry_verdict(struct sentry *s, struct sentry_call *c);

/* ---------------------------------------------------------------------------
 * Calls answered later (deferred.h): a blocking connect, a send into a full
 * buffer, a receive on a DNS-redirected socket, a blocking FIFO open.
 */
#define SENTRY_SEND_MAX (256 * 1024) /* bytes copied per send call */

/**
 * sentry_dispatch() - run @c's handler and pass its verdict to
 * sentry_verdict() (unless the handler deferred the call: then the table
 * answers it later), failing closed on internal errors. Used for new calls
 * and for DEFERRED_RECV re-runs.
 */
void sentry_dispatch(struct sentry *s, struct sentry_call *c);

/**
 * sentry_service_watch() - poll netstack service @k, which a plan just
 * started (netstack starts its services at first use: a job that never
 * sends DNS never pays for the proxy). One epoll tag for every service.
 * Return: 0, or -errno (the service is stopped again; the caller must
 * refuse the call: fail closed).
 */
int sentry_service_watch(struct sentry *s, enum netstack_service_kind k);

/**
 * sentry_service_run() - let service @k (if it runs) handle whatever is
 * ready, and record what it decided. Never blocks; hold @s->lock.
 * Return: whether it had anything to do.
 */
bool sentry_service_run(struct sentry *s, enum netstack_service_kind k);

/* ---------------------------------------------------------------------------
 * Resource accounting (limits.c).
 */
#define LIMITS_PROCS_MAX 8192

/* A task creation let through and maybe not yet in /proc (sys_task.c). */
#define LIMITS_FLIGHT_MAX 256
struct limits_flight {
	pid_t tid;  /* the creating thread */
	int nr;	    /* the creating call */
	bool vfork; /* its caller waits in the call while the child runs */
	bool used;
	uint64_t t_ns;
};

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
	uint64_t reaped_cpu_ms;
	uint64_t shm_base, tmp_base;
	struct limits_proc procs[LIMITS_PROCS_MAX];
	size_t n_procs;
	uint64_t dead_wchar, untracked_wchar;
	enum policy_limit_key fired; /* POLICY_LIMIT_COUNT: none */
	uint64_t tasks_est;	     /* live tasks, as last counted + created */
	struct limits_flight flight[LIMITS_FLIGHT_MAX];
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
/** limits_count_tasks() - live tasks (processes + threads) of the tree. */
uint64_t limits_count_tasks(struct limits *l);
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

/* ---------------------------------------------------------------------------
 * The supervisor's state.
 */
enum sentry_stop {
	SENTRY_STOP_NONE,
	SENTRY_STOP_EXITED,	 /* the first process ended */
	SENTRY_STOP_SIGNAL,	 /* cordon got SIGINT/SIGTERM/... */
	SENTRY_STOP_ANCHOR_DIED, /* cordon's own process was killed */
	SENTRY_STOP_INTERNAL,	 /* an internal error: fail closed */
	SENTRY_STOP_LIMIT,	 /* a limit fired: the tree is killed */
};

/*
 * Who writes what in struct sentry (passt's flow.h is the model).
 *
 * Threads:
 *   main      sentry_run() -> sentry_supervise(): set-up, then the loop
 *             (loop.c), then teardown and the report. The loop thread.
 *   receiver  receiver.c: takes notified calls and runs their handlers.
 *   walker    limits.c: walks /proc for a sample, between limits_walk_
 *             request() and limits_walk_finish().
 *   fifo      sys_open.c: one per blocking FIFO open; owns only its own
 *             struct sys_open_fifo and reports through a pipe.
 *
 * Rules:
 *   - Written during set-up only, read-only once the receiver runs: o,
 *     path, plat (the pointer; platform calls are the platform's to make
 *     thread-safe), job (but job.status_fd: the loop), filter, epfd,
 *     sigfd, timerfd, wall_timerfd, rx_wake (the fd), start_ns.
 *   - Main thread only, outside the lock: rx, rx_running (receiver_start()
 *     and receiver_stop()).
 *   - Loop only (under the lock, which it holds while it handles events):
 *     notify_open, reap_due, walk_watched, root_reaped, root_status,
 *     exec_fail_stage, exec_fail_err, n_sigsys, peak_procs, spin_until_ns,
 *     out.
 *   - Any thread that runs handlers (receiver and loop), only under
 *     @lock: stop, stop_signal, killing, rx_stop, n_notified, n_denied,
 *     pids_refused, audit, net, dns, dns_due, deferred (the receiver
 *     adds calls, the loop ends them: deferred.h), exe_cache,
 *     pending, pending_evicted, limits (except the walker's fields while
 *     limits.walking, see struct limits), scratch.
 *   - A thread never sleeps (epoll, a blocking receive) holding @lock.
 *   - Each of these threads starts with threadfs_private(): its cwd and
 *     umask are its own (unshare(CLONE_FS)), and a handler changes them
 *     only between threadfs_enter() and threadfs_leave() (threadfs.c).
 *   - The receiver writes @rx_wake after it changed @stop or @killing, so
 *     the loop looks at once.
 * A field added here must be added to this list.
 */

/**
 * struct sentry_scratch - a buffer a handler may use for the length of one
 * call (a process_vm copy's bounce buffer): owned by the thread that holds
 * sentry->lock, never kept across calls. Not a function-static: handlers
 * run on the receiver and on the loop thread.
 */
struct sentry_scratch {
	uint8_t io[65536];
};

struct sentry {
	const struct sentry_opts *o;
	char path[4096]; /* the resolved file to execute */
	struct platform *plat;
	struct platform_job job;
	struct filter_prog filter;
	int epfd;
	int sigfd;
	int timerfd;
	bool notify_open;
	/*
	 * The receiver thread (receiver.c) and the loop hold @lock while
	 * they touch anything here; @rx_wake (an eventfd) tells the loop
	 * the receiver changed @stop or @killing.
	 */
	pthread_mutex_t lock;
	pthread_t rx;
	bool rx_running;
	bool rx_stop;
	int rx_wake;
	bool reap_due;	   /* a signal came in: reap before going on */
	bool walk_watched; /* the limits walker's fd is in the epoll set */
	bool root_reaped;
	int root_status;     /* wait status of the first process */
	int exec_fail_stage; /* -1: exec did not fail */
	int exec_fail_err;
	enum sentry_stop stop;
	int stop_signal;
	bool killing;
	uint64_t start_ns;
	uint64_t n_notified;
	uint64_t n_denied;
	uint64_t n_sigsys; /* processes killed by SIGSYS (bad ABI) */
	size_t peak_procs;
	struct audit audit;
	struct netstack net;	/* the socket layer, its services (DNS) */
	uint64_t spin_until_ns; /* poll without sleeping until then */
	bool dns_due;		/* the call was on the DNS path (receiver.c) */
	struct deferred_table deferred;
	struct exe_id_cache exe_cache;
	struct exec_pending_slot pending[EXEC_PENDING_SLOTS];
	uint64_t pending_evicted;
	struct limits limits;
	struct output out;
	int wall_timerfd;
	uint64_t pids_refused;
	struct sentry_scratch scratch;
};

/* ---------------------------------------------------------------------------
 * The event loop (loop.c) and the report (report.c).
 */

enum sentry_epoll {
	SENTRY_EPOLL_NOTIFY = 1,
	SENTRY_EPOLL_SIGNAL,
	SENTRY_EPOLL_STATUS,
	SENTRY_EPOLL_TIMER,
	SENTRY_EPOLL_DEFERRED, /* a deferred call's socket; its index */
	SENTRY_EPOLL_SERVICE,  /* a netstack service; its kind in bits 16.. */
	SENTRY_EPOLL_OPEN,     /* blocking FIFO opens finished (sys_open.c) */
	SENTRY_EPOLL_LIMITS,   /* time for the next resource sample */
	SENTRY_EPOLL_WALKED,   /* the walker thread finished a sample */
	SENTRY_EPOLL_WALL,     /* the wall-clock limit */
	SENTRY_EPOLL_OUTPUT,   /* job output; the stream (0, 1) in bits 16.. */
	SENTRY_EPOLL_RX,       /* the receiver changed the stop or a kill */
	SENTRY_EPOLL_DEFERRED_TIMER, /* a deferred call's timeout or poll */
};

#define SENTRY_EPOLL_TAG(v) ((enum sentry_epoll)((v)&0xffff))
#define SENTRY_EPOLL_INDEX(v) ((size_t)((v) >> 16))

/** sentry_epoll_add() - watch @fd for EPOLLIN with @tag. Return: 0/-errno. */
int sentry_epoll_add(struct sentry *s, int fd, enum sentry_epoll tag);
/** sentry_epoll_del() - stop watching @fd. */
void sentry_epoll_del(struct sentry *s, int fd);
/**
 * sentry_loop() - serve events until the run ends (sentry_done()); takes
 * @s->lock for each round of events.
 */
void sentry_loop(struct sentry *s);
/**
 * sentry_kill_all() - SIGKILL the whole tree and reap it, until no child is
 * left. May block while reaping.
 */
void sentry_kill_all(struct sentry *s);
/** sentry_exec_status() - read the first process's exec outcome. */
void sentry_exec_status(struct sentry *s);
/** sentry_header() - the audit log's header record. */
void sentry_header(struct sentry *s);
/**
 * sentry_exit_code() - cordon's exit status for the run; *@why says why in
 * a few words (static).
 */
int sentry_exit_code(struct sentry *s, const char **why);
/** sentry_summary() - the summary record, --report lines, --report-json. */
void sentry_summary(struct sentry *s, int code, const char *why);

/**
 * receiver_start() - start the thread that takes the job's notified calls
 * (receiver.c): it sleeps in the listener's receive, so the kernel's
 * synchronous wake-up runs it on the caller's CPU, and serves each call
 * with sentry_dispatch() under @s->lock.
 * @s: the supervisor, with its job spawned and @s->rx_wake open.
 * Return: 0, or -errno (no thread runs).
 */
int receiver_start(struct sentry *s);

/**
 * receiver_stop() - stop the receiver and wait for it; no call is taken
 * after it returns. The caller must not hold @s->lock. Does nothing when
 * no receiver runs.
 * @s: the supervisor.
 */
void receiver_stop(struct sentry *s);

/** sentry_sig_anchor_died() - the signal the anchor's death sends us. */
int sentry_sig_anchor_died(void);

/* Handlers (sys_exec.c). */
sys_handler_fn sys_execve;
sys_handler_fn sys_execveat;
sys_handler_fn sys_arch_prctl;
sys_handler_fn sys_personality;

/* Handlers for calls that name another process (sys_proc.c). */
sys_handler_fn sys_kill;
sys_handler_fn sys_tkill;
sys_handler_fn sys_tgkill;
sys_handler_fn sys_rt_sigqueueinfo;
sys_handler_fn sys_rt_tgsigqueueinfo;
sys_handler_fn sys_pidfd_send_signal;
sys_handler_fn sys_pidfd_getfd;
sys_handler_fn sys_process_mrelease;
sys_handler_fn sys_ptrace;
sys_handler_fn sys_process_vm_readv;
sys_handler_fn sys_process_vm_writev;
sys_handler_fn sys_kcmp;
sys_handler_fn sys_get_robust_list;
sys_handler_fn sys_migrate_pages;
sys_handler_fn sys_move_pages;
sys_handler_fn sys_prlimit64;
sys_handler_fn sys_getpriority;
sys_handler_fn sys_setpriority;
sys_handler_fn sys_ioprio_set;
sys_handler_fn sys_sched_setaffinity;
sys_handler_fn sys_sched_setscheduler;
sys_handler_fn sys_sched_setparam;
sys_handler_fn sys_sched_setattr;
sys_handler_fn sys_setpgid;

/* The supervisor layer's opens of the job's files (sys_open.c). */

/**
 * sys_open_init() - create the pipe on which helper threads report finished
 * blocking FIFO opens. Return: its read end, to poll (owned by sys_open.c),
 * or -errno.
 */
int sys_open_init(void);

/** sys_open_fifo_done() - answer every FIFO open that finished. */
void sys_open_fifo_done(struct sentry *s);

/**
 * sys_open_fifo_cancel() - the FIFO open deferred as @d ends without its
 * helper (a signal, the caller died): wake the helper thread by opening the
 * FIFO's other end, and let its late report be discarded.
 */
void sys_open_fifo_cancel(struct sentry *s, struct deferred *d);

sys_handler_fn sys_open;
sys_handler_fn sys_openat;
sys_handler_fn sys_openat2;
sys_handler_fn sys_creat;
sys_handler_fn sys_readlink;
sys_handler_fn sys_readlinkat;

/* Handlers (sys_net.c). */
sys_handler_fn sys_connect;
sys_handler_fn sys_sendto;
sys_handler_fn sys_sendmsg;
sys_handler_fn sys_sendmmsg;
sys_handler_fn sys_bind;
sys_handler_fn sys_listen;
sys_handler_fn sys_recvfrom;

/* Handlers (sys_task.c). */
sys_handler_fn sys_task_create;

sys_handler_fn sys_recvmsg;
sys_handler_fn sys_recvmmsg;
sys_handler_fn sys_socketpair;

/**
 * sys_rights_recvmsg() - perform the receive of one message into the job's
 * msghdr at @msg_addr on the job's unix socket *@fd (the supervisor's
 * duplicate; set to -1 when the call was left pending, which then owns it),
 * with the job's @flags; fds from a sender outside the job are closed
 * (sys_rights.c). @mmsg: @msg_addr is a struct mmsghdr (recvmmsg): its
 * msg_len is set and the answer is 1. The verdict is in @c.
 */
void sys_rights_recvmsg(struct sentry *s, struct sentry_call *c, int *fd,
			uint64_t msg_addr, int flags, bool mmsg);

/**
 * sys_rights_inherited() - the job starts with @fds (@n of the supervisor's
 * fds that become its stdin, stdout, stderr): a unix socket among them
 * turns the receive guard on from the start.
 */
void sys_rights_inherited(struct sentry *s, const int *fds, size_t n);

/**
 * sys_rights_sign() - a message the supervisor is about to send for the job
 * on a unix socket: when its control data *@control (*@len bytes, malloc'd,
 * owned by the caller) passes fds, append the supervisor's own
 * SCM_CREDENTIALS, so that the receive guard knows the fds come from the
 * job (sys_rights.c). *@control may be reallocated.
 * Return: 0, or -ENOMEM (nothing changed).
 */
int sys_rights_sign(void **control, size_t *len);

/**
 * sys_net_deferred_ready() - the socket of deferred call @d (CONNECT, SEND,
 * RECV) is ready: finish it through deferred_finish(), keep waiting (a send
 * that still does not fit), or run a RECV again from the start.
 */
void sys_net_deferred_ready(struct sentry *s, struct deferred *d);

/**
 * sys_net_close_rights() - close the fds an SCM_RIGHTS control buffer copied
 * from the job holds (the supervisor's duplicates). NULL: nothing.
 */
void sys_net_close_rights(void *control, size_t len);

/** sys_exec_finish() - after answering: record the finished exec. */
void sys_exec_finish(struct sentry *s, struct sentry_call *c);

/**
 * sentry_answer() - answer @pc with @a through the platform. A failure other
 * than -ENOENT (the caller is gone) would leave the caller stopped for ever:
 * it stops the job (SENTRY_STOP_INTERNAL, the tree is killed). Hold
 * @s->lock. Return: what platform_answer() returned.
 */
int sentry_answer(struct sentry *s, const struct platform_call *pc,
		  const struct platform_answer *a);

/**
 * guard_start() - split into anchor and supervisor (guard.c).
 * In the anchor this never returns: it exits with the supervisor's status.
 * In the supervisor it returns 0. Return: -errno if the fork failed.
 */
int guard_start(void);

/**
 * guard_sigpipe_default() - whether SIGPIPE was at its default when
 * guard_start() made the supervisor ignore it (the job gets it back).
 */
bool guard_sigpipe_default(void);

#endif /* CORDON_SENTRY_PRIV_H */
