/* SPDX-License-Identifier: MIT */
/*
 * sentry_priv.h - the supervisor's internals, shared by the files of sentry/
 * only: the running state and which thread owns what, one notified call in
 * flight, dispatch and the handlers' entry points, the loop and the report.
 * Each other concern has its own header, included here because struct
 * sentry embeds it: audit_priv.h, exe_id_priv.h, limits_priv.h (limits,
 * output, slots), proctree_priv.h (tree, membership), threadfs_priv.h.
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
#include "sentry/audit_priv.h"
#include "sentry/deferred.h"
#include "sentry/exe_id_priv.h"
#include "sentry/limits_priv.h"
#include "sentry/proctree_priv.h"
#include "sentry/threadfs_priv.h"
#include "sentry/sentry.h"
#include "sentry/verdict.h"

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

/**
 * struct receiver_spin - the receiver's adaptive poll (RECEIVER_WAKE_POLL,
 * receiver.c); the receiver's own while it runs, the main thread's after
 * receiver_stop() (the summary reports @stats).
 * @ns:		 the window: how long to poll after a call; 0: sleep at once
 * @since:	 when the current wait began (time_mono_ns())
 * @calm_at:	 no window before then: the last one was preempted
 * @stats.polls: windows polled
 * @stats.hits:	 windows a call ended
 * @stats.contended: windows ended because another task took the CPU
 * @stats.poll_ns: time spent polling, in total
 */
struct receiver_spin {
	uint64_t ns;
	uint64_t since;
	uint64_t calm_at;
	struct {
		uint64_t polls;
		uint64_t hits;
		uint64_t contended;
		uint64_t poll_ns;
	} stats;
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
 *     sigfd, timerfd, wall_timerfd, rx_wake (the fd), start_ns,
 *     report_fd (written to by the main thread at the end).
 *   - Main thread only, outside the lock: rx, rx_running, rx_wake_mode
 *     (receiver_start() and receiver_stop(); the receiver reads
 *     rx_wake_mode).
 *   - Receiver only while it runs, then the main thread: rx_spin.
 *   - Loop only (under the lock, which it holds while it handles events):
 *     notify_open, reap_due, walk_watched, root_reaped, root_status,
 *     exec_fail_stage, exec_fail_err, n_sigsys, peak_procs, spin_until_ns,
 *     out.
 *   - Any thread that runs handlers (receiver and loop), only under
 *     @lock: stop, stop_signal, killing, rx_stop (also read atomically
 *     by the receiver's poll, so written atomically), n_notified, n_denied,
 *     audit, net, dns, dns_due, deferred (the receiver
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

/*
 * The zone's filesystem rules made concrete (fs_plan.c): grants for the
 * Landlock domain and each rule's resolved path, by rule index (NULL:
 * inactive). Built by the supervisor before the spawn; read-only after.
 */
#define FS_PLAN_RULES_MAX 4096
struct fs_plan {
	struct platform_fs_rule *rules; /* paths owned */
	size_t n;
	size_t cap;
	char **paths;
	size_t n_paths;
};

/**
 * fs_plan_build() - expand and resolve @z's fs rules with @rt, apply the
 * deny rules (fs_plan.c's theory). @p is filled (fs_plan_free() it, also
 * on failure). May block on the filesystem.
 * Return: 0; -EINVAL when a deny lies inside a writable grant once
 * expanded, -E2BIG past FS_PLAN_RULES_MAX grants, -ENOMEM, or a directory
 * walk's -errno; with the message in @why.
 */
int fs_plan_build(const struct zone *z, const struct policy_runtime *rt,
		  struct fs_plan *p, char *why, size_t len);

/** fs_plan_free() - release what @p owns; NULL is a no-op. */
void fs_plan_free(struct fs_plan *p);

struct sentry {
	const struct sentry_opts *o;
	struct fs_plan fs; /* the zone's filesystem rules, if it has any */
	char path[4096];   /* the resolved file to execute */
	struct platform *plat;
	struct platform_job job;
	struct filter_prog filter;
	unsigned int filter_layers; /* FILTER_* it was compiled with */
	bool birth; /* job sockets owned from birth (sys_sock.c); set once
		       before the job starts */
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
	bool rx_stop; /* atomic reads without the lock: receiver.c */
	int rx_wake;
	enum receiver_wake rx_wake_mode;
	struct receiver_spin rx_spin;
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
	int birth_timerfd; /* the owned-socket sweep (sys_sock.c), or -1 */
	int report_fd;	   /* --report-json, opened early; -1: none */
	/* RLIMIT_NOFILE: the caller's soft limit (the job's again), the hard
	 * one, the supervisor's own soft limit (raised to the hard one). */
	uint64_t nofile_caller;
	uint64_t nofile_hard;
	uint64_t nofile_supervisor;
	struct sentry_scratch scratch;
};

/* ---------------------------------------------------------------------------
 * The event loop (loop.c) and the report (report.c).
 */
/* How long the loop polls after DNS proxy traffic (sentry_loop()). */
#define SENTRY_DNS_SPIN_NS (40 * 1000ULL)

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
	SENTRY_EPOLL_BIRTH,    /* sweep the sockets owned from birth */
	SENTRY_EPOLL_OUTPUT,   /* job output; the stream (0, 1) in bits 16.. */
	SENTRY_EPOLL_RX,       /* the receiver changed the stop or a kill */
	SENTRY_EPOLL_DEFERRED_TIMER, /* a deferred call's timeout or poll */
	SENTRY_EPOLL_REAP,	     /* the platform queued exits (a tracer) */
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
/**
 * sentry_argv_json() - write the key "argv" with @argv (NULL-terminated) as
 * an array into @w, each argument through policy_argv_redact(): values that
 * look like secrets are written "<redacted>" (report.c; the audit header
 * and the exec records).
 */
void sentry_argv_json(struct jsonw *w, char *const *argv);
/** sentry_exec_status() - read the first process's exec outcome. */
void sentry_exec_status(struct sentry *s);
/** sentry_header() - the audit log's header record. */
void sentry_header(struct sentry *s);
/**
 * sentry_exit_code() - cordon's exit status for the run; *@why says why in
 * a few words (static).
 */
int sentry_exit_code(struct sentry *s, const char **why);
/**
 * sentry_fmt_limit() - @v in @k's unit for people ("1.0 MiB", "30.0 s").
 */
void sentry_fmt_limit(enum policy_limit_key k, uint64_t v, char *out,
		      size_t len);
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
sys_handler_fn sys_getsockname;
sys_handler_fn sys_getpeername;

/* The pids limit (sys_task.c). */
/**
 * sys_task_backstop() - the RLIMIT_NPROC the job starts with under a pids
 * limit (sys_task.c): its uid's tasks now plus twice the limit; 0 for none
 * (no pids limit, or real uid 0, which the kernel exempts).
 */
uint64_t sys_task_backstop(const struct sentry *s);

sys_handler_fn sys_recvmsg;
sys_handler_fn sys_recvmmsg;
sys_handler_fn sys_socketpair;

/* Handlers (sys_sock.c): sockets owned from birth (FILTER_BIRTH). */
sys_handler_fn sys_socket;
sys_handler_fn sys_accept;
sys_handler_fn sys_accept4;
sys_handler_fn sys_close;
sys_handler_fn sys_dup2;
sys_handler_fn sys_dup3;
sys_handler_fn sys_close_range;
sys_handler_fn sys_dup;
sys_handler_fn sys_fcntl_dupfd;
/*
 * sys_task_create: fork, vfork and clone (the @task rows), notified only
 * under FILTER_BIRTH: a new fd table may hold copies of the job's sockets
 * (netstack_own_spread()); always continues in the kernel. The pids limit
 * never notifies them (sys_task.c).
 */
sys_handler_fn sys_task_create;

/**
 * sys_sock_birth() - whether job sockets are owned from birth in @s (the
 * platform cannot take fds): the handlers above are notified.
 */
bool sys_sock_birth(const struct sentry *s);

/**
 * sys_sock_take() - the supervisor's own socket that the job's fd @remote of
 * @c's caller names, duplicated for the caller (owned by it): found by the
 * inode the kernel says the fd names (stat of /proc/TID/fd/N), confirmed by
 * ID_VALID afterwards. A thread that dup2()s another socket onto @remote
 * meanwhile gets that one judged and used, which it held too: decision and
 * action are on one object either way (sys_sock.c explains).
 * Return: the fd, -EBADF (no such fd), -ENOTSOCK (not a socket),
 * -EOPNOTSUPP (a socket cordon holds no copy of), -ENOENT (caller gone),
 * or -errno.
 */
int sys_sock_take(struct sentry *s, struct sentry_call *c, int remote);

/**
 * sys_sock_take_passed() - for an fd @remote the job passes with
 * SCM_RIGHTS: its socket as sys_sock_take(), or an anonymous pipe end
 * opened again (procfs_fd_pipe_open(), sys_sock.c 6), confirmed by ID_VALID
 * afterwards. Return: the fd (owned by the caller), -EOPNOTSUPP (neither an
 * owned socket nor a pipe), -ENOENT (caller gone), or -errno.
 */
int sys_sock_take_passed(struct sentry *s, struct sentry_call *c, int remote);

/**
 * sys_sock_own_received() - the fds @fds (@n, the supervisor's) are about
 * to be installed in the job by a receive the supervisor performed: keep a
 * copy of each socket among them (owned from birth on). No-op unless
 * sys_sock_birth().
 */
void sys_sock_own_received(struct sentry *s, const int *fds, size_t n);

/**
 * sys_sock_socketpair() - socketpair() performed by the supervisor, both
 * ends installed in the caller and owned from birth. Return: as a handler.
 */
int sys_sock_socketpair(struct sentry *s, struct sentry_call *c);

/**
 * sys_sock_sweep() - release every owned socket that no fd of the job's
 * processes names any more (after exits and execs, which close fds without
 * a call). Hold @s->lock. Return: how many were released.
 */
size_t sys_sock_sweep(struct sentry *s);

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

struct workspace;

/**
 * workspace_grant() - chown the tree under @path to @uid:@gid for the run,
 * recording every owner (workspace.c). Run as root, before the job exists.
 * @out: the record, owned by the caller until workspace_restore().
 * @why, @len: the message for the user on failure.
 * Return: 0, or -errno (what was changed is given back first): -ENOTDIR,
 * -EINVAL for "/", -E2BIG past 4M entries, -ELOOP past 256 levels, or the
 * first chown's error.
 */
int workspace_grant(const char *path, uid_t uid, gid_t gid,
		    struct workspace **out, char *why, size_t len);

/**
 * workspace_restore() - give the tree back once no job process is left:
 * recorded entries their owners, what the job made the directory's owner;
 * warns about what failed. Frees @w; NULL is a no-op.
 */
void workspace_restore(struct workspace *w);

/**
 * guard_start() - split into anchor and supervisor (guard.c).
 * In the anchor this never returns: it exits with the supervisor's status,
 * after workspace_restore(@ws) and jobtmp_remove(@tmpdir) (NULL: none;
 * borrowed) once the tree is dead. In the supervisor it
 * returns 0. Return: -errno if the fork failed (@ws untouched).
 */
int guard_start(struct workspace *ws, const char *tmpdir);

/**
 * guard_rearm() - in the supervisor, after a change of credentials (which
 * clears the parent-death signal): set it again, and fail if the anchor is
 * already gone. Return: 0 or -errno (-ESRCH: the anchor died).
 */
int guard_rearm(void);

/** guard_block_signals() - block what guard_start() blocks, earlier. */
int guard_block_signals(void);

/**
 * guard_sigpipe_default() - whether SIGPIPE was at its default when
 * guard_start() made the supervisor ignore it (the job gets it back).
 */
bool guard_sigpipe_default(void);

#endif /* CORDON_SENTRY_PRIV_H */
