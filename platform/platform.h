/* SPDX-License-Identifier: MIT */
/*
 * platform.h - where syscall stops come from. One small interface with one
 * backend per mechanism (OpenSSH's sandbox shape): seccomp user notification
 * today, ptrace later. A backend starts the job under a compiled filter, hands
 * out stopped calls as plain values, reads job memory, answers each call
 * exactly once, and moves fds between the supervisor and the job. It says
 * what it can do (platform_can()) and which action the filter compiler must
 * give the rows it is to receive (platform_trap_action()).
 *
 * Not responsible for deciding anything: it never sees a policy.
 * All code that touches job memory or the notify fd lives in platform/.
 */
#ifndef CORDON_PLATFORM_H
#define CORDON_PLATFORM_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum platform_kind {
	PLATFORM_KIND_UNOTIFY,
	PLATFORM_KIND_PTRACE,
};

/**
 * enum platform_can - what a backend offers, for handlers to ask before they
 * choose how to perform a call (platform_can()).
 * @PLATFORM_CAN_TAKE_FD:   platform_take_fd() duplicates a job fd into the
 *                          supervisor (pidfd_getfd; a container's default
 *                          seccomp profile may refuse it).
 * @PLATFORM_CAN_PUT_FD:    platform_put_fd() installs an fd into the job
 *                          (SECCOMP_IOCTL_NOTIF_ADDFD; ptrace has none).
 * @PLATFORM_CAN_CONTINUE:  PLATFORM_ANSWER_CONTINUE lets the kernel run the
 *                          call.
 * @PLATFORM_CAN_WRITE_MEM: platform_write_mem() and _memv() write job memory.
 * @PLATFORM_CAN_ANSWER_ANY_THREAD: any supervisor thread may answer a call
 *                          (unotify); without it only the thread that
 *                          received it may (a ptrace tracer).
 */
enum platform_can {
	PLATFORM_CAN_TAKE_FD = 1U << 0,
	PLATFORM_CAN_PUT_FD = 1U << 1,
	PLATFORM_CAN_CONTINUE = 1U << 2,
	PLATFORM_CAN_WRITE_MEM = 1U << 3,
	PLATFORM_CAN_ANSWER_ANY_THREAD = 1U << 4,
};

/*
 * PLATFORM_TRAP_UNOTIFY - the filter action of the unotify backend's
 * notified rows: SECCOMP_RET_USER_NOTIF (uapi linux/seccomp.h, 5.0), which
 * is also libseccomp's SCMP_ACT_NOTIFY. The build-time programs
 * (sentry/filter_prebuilt.h) are compiled for it.
 */
#define PLATFORM_TRAP_UNOTIFY 0x7fc00000U

/*
 * PLATFORM_TRAP_PTRACE - the ptrace backend's action: SECCOMP_RET_TRACE
 * (0x7ff00000) with data 0xc0d in the low 16 bits (libseccomp's
 * SCMP_ACT_TRACE(0xc0d)). The tracer handles every seccomp-stop whatever its
 * data (platform/ptrace.c says why); the data only names cordon's rows in
 * a trace. Compiled at run time (the prebuilt programs are unotify's).
 */
#define PLATFORM_TRAP_PTRACE 0x7ff00c0dU

/**
 * struct platform_features - what the running kernel offers, as probed.
 * @unotify:            SECCOMP_RET_USER_NOTIF (5.0).
 * @pidfd_getfd:        pidfd_open + pidfd_getfd on a child (5.6); without it
 *                      (a container's seccomp profile) the listener comes
 *                      over a socketpair and PLATFORM_CAN_TAKE_FD is off.
 * @process_vm:         process_vm_readv/writev work; without them job
 *                      memory goes through /proc/TID/mem.
 * @addfd:              SECCOMP_IOCTL_NOTIF_ADDFD (5.9).
 * @addfd_send:         SECCOMP_ADDFD_FLAG_SEND (5.14).
 * @wait_killable_recv: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19).
 * @sync_wake_up:       SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6).
 * @landlock_abi:       Landlock ABI version, 0 when absent or disabled.
 * @tracer:             the platform is a ptrace tracer (platform/ptrace.c):
 *                      its platform_fd() is its SIGCHLD signalfd, not a
 *                      queue of calls worth polling for.
 * @detail:             why the first missing feature is missing.
 */
struct platform_features {
	bool unotify;
	bool pidfd_getfd;
	bool process_vm;
	bool addfd;
	bool addfd_send;
	bool wait_killable_recv;
	bool sync_wake_up;
	bool passrights;
	int landlock_abi;
	bool tracer;
	char detail[160];
};

/**
 * platform_probe() - find out, by trying, what the running kernel offers.
 * Forks one short-lived child that installs a filter with a listener and
 * exercises ADDFD, SEND and SET_FLAGS for real.
 * Return: 0 (fields filled, false for what is missing) or -errno when the
 * probe itself could not run.
 */
int platform_probe(struct platform_features *f);

/**
 * platform_ptrace_probe() - whether this process may trace a child of its
 * own (PTRACE_SEIZE of a forked child that waits; a sandbox around us may
 * refuse ptrace). For doctor. Return: 0 or -errno.
 */
int platform_ptrace_probe(void);

/* Kernel facilities CORDON_IGNORE_FEATURES can hide (feature_off.c). */
#define FEATURE_OFF_SYNC_WAKE_UP 0x01U
#define FEATURE_OFF_ADDFD_SEND 0x02U
#define FEATURE_OFF_WAIT_KILLABLE_RECV 0x04U
#define FEATURE_OFF_PIDFD_GETFD 0x08U
#define FEATURE_OFF_PROCESS_VM 0x10U
#define FEATURE_OFF_PASSRIGHTS 0x20U
#define FEATURE_OFF_SOCK_DIAG 0x40U

/**
 * struct feature_off - kernel facilities to behave as if missing.
 * @bits:         FEATURE_OFF_* flags.
 * @landlock_cap: highest Landlock ABI to use; -1 for no cap, 0 for none.
 */
struct feature_off {
	unsigned int bits;
	int landlock_cap;
};

/**
 * feature_off_parse() - parse a CORDON_IGNORE_FEATURES value.
 * @s:   comma- or space-separated names (sync_wake_up, addfd_send,
 *       wait_killable_recv, pidfd_getfd, process_vm, passrights,
 *       sock_diag, landlock, landlock_scope = cap at ABI 5,
 *       landlock_abi=N); NULL is empty.
 * @out: filled (zeroed on error).
 * Return: 0, or -EINVAL with the reason in @why.
 */
int feature_off_parse(const char *s, struct feature_off *out, char *why,
		      size_t n);

/**
 * platform_features_off_check() - whether CORDON_IGNORE_FEATURES is valid.
 * The CLI calls it first and exits 125 on error. Every probe and backend
 * sees the kernel through this mask (a facility named there is reported
 * missing and never used), so forced-off paths are the real fallbacks.
 * Return: 0 or -EINVAL with the reason in @why.
 */
int platform_features_off_check(char *why, size_t n);

/**
 * platform_ignores_sock_diag() - whether CORDON_IGNORE_FEATURES names
 * sock_diag: the supervisor then tells netstack to answer its kernel socket
 * table questions as a kernel without the sock_diag handlers does
 * (sock_diag_ignore()). Any thread.
 */
bool platform_ignores_sock_diag(void);

/**
 * platform_features_off_describe() - what is being ignored, for doctor.
 * Return: the length of the text (0 when nothing is ignored).
 */
size_t platform_features_off_describe(char *buf, size_t n);

/**
 * platform_landlock_abi() - the Landlock ABI version (0 when unavailable).
 * Cheap; no fork.
 */
int platform_landlock_abi(void);

/*
 * Filesystem access a rule of the job's domain grants (platform-neutral;
 * landlock.c maps each to the Landlock rights of the running ABI).
 */
enum platform_fs_access {
	PLATFORM_FS_READ = 1,  /* read files, list directories */
	PLATFORM_FS_WRITE = 2, /* write, truncate, create, remove, refer */
	PLATFORM_FS_EXEC = 4,  /* execute */
	PLATFORM_FS_LIST = 8,  /* list a directory (its entries stay closed) */
};

/**
 * struct platform_fs_rule - @access granted on the tree below @path (an
 * absolute, resolved path; borrowed). Rights that only directories have
 * are dropped for a file.
 */
struct platform_fs_rule {
	const char *path;
	unsigned access;
};

/**
 * struct platform_spawn - how to start the job.
 * @path:            the file to execute (already resolved against PATH).
 * @argv, @envp:     passed to execve() in the child; borrowed.
 * @filter:          the compiled seccomp program; borrowed.
 * @landlock_abi:    the Landlock ABI to make the job's domain for, before
 *                   the filter (platform_landlock_abi(), which the filter's
 *                   lateral layers were chosen by); 0 for no domain. The
 *                   spawn fails (PLATFORM_SPAWN_STAGE_LANDLOCK) rather than
 *                   run the job without it.
 * @landlock_scope:  Landlock scope bits (KCOMPAT_LANDLOCK_SCOPE_*), used
 *                   when @landlock_abi >= 6.
 * @fs_confine:      the domain confines the filesystem: only @fs_rules
 *                   (@n_fs_rules, borrowed) grant access; needs
 *                   @landlock_abi >= 1.
 * @pdeathsig:       signal the first job process gets if the supervisor
 *                   dies.
 * @stdout_fd, @stderr_fd: made the job's fd 1 and 2 when > 2 (cordon's
 *                   output forwarding); otherwise the job inherits them.
 * @nofile, @fsize:  RLIMIT_NOFILE and RLIMIT_FSIZE for the job when non-zero
 *                   (the kernel then enforces them per process).
 * @nofile_soft:     without @nofile: the soft RLIMIT_NOFILE the job gets
 *                   (the caller's; the supervisor raised its own), when
 *                   non-zero.
 * @nproc:           RLIMIT_NPROC (soft and hard) for the job when non-zero:
 *                   the kernel refuses task creation with EAGAIN once the
 *                   job's real uid has that many tasks (the pids limit's
 *                   backstop, sentry/sys_task.c).
 * @sigpipe_default: reset SIGPIPE to SIG_DFL before the exec (the
 *                   supervisor ignores it for itself; cordon's caller had
 *                   it at the default). False: the job inherits SIG_IGN.
 * @close_stdio:     fds among 0-2 (bit 1 << fd) that were closed when
 *                   cordon started: cordon holds /dev/null there, the job
 *                   gets them closed, as without cordon (even where
 *                   @stdout_fd or @stderr_fd would have replaced them).
 * @entry_stops:     ptrace only: also stop at every syscall entry
 *                   (PTRACE_SYSCALL) and judge there what @filter traps.
 *                   For a job under a filter of someone else's whose
 *                   USER_NOTIF rows take precedence over our TRACE rows
 *                   (cordon inside cordon): the entry stop comes before
 *                   any filter runs. Two stops per system call.
 */
struct platform_spawn {
	const char *path;
	char *const *argv;
	char *const *envp;
	const struct sock_fprog *filter;
	int landlock_abi;
	uint64_t landlock_scope;
	bool fs_confine;
	const struct platform_fs_rule *fs_rules;
	size_t n_fs_rules;
	int pdeathsig;
	int stdout_fd;
	int stderr_fd;
	uint64_t nofile;
	uint64_t nofile_soft;
	uint64_t fsize;
	uint64_t nproc;
	bool sigpipe_default;
	unsigned close_stdio;
	bool entry_stops;
};

/**
 * struct platform_call - one stopped system call, as values.
 * @id:    the kernel's cookie for this stop; valid until answered.
 * @tid:   the calling thread, in the supervisor's pid namespace.
 * @arch:  AUDIT_ARCH_* of the call (always native: the filter kills others).
 * @nr:    system call number.
 * @ip:    instruction pointer after the syscall instruction.
 * @args:  the six register arguments. Pointers in here point into the job:
 *         read them only with platform_read_mem().
 */
struct platform_call {
	uint64_t id;
	pid_t tid;
	uint32_t arch;
	int nr;
	uint64_t ip;
	uint64_t args[6];
};

/*
 * The zero answer is a failure: ERRNO with @err 0 answers EPERM, so an
 * answer a handler never filled in fails closed (found by fault injection:
 * a handler that returned on "caller gone" without answering left a
 * zero-filled answer, which used to mean CONTINUE).
 */
enum platform_answer_kind {
	PLATFORM_ANSWER_ERRNO,	  /* fail with @err (EPERM when 0) */
	PLATFORM_ANSWER_VALUE,	  /* return @value */
	PLATFORM_ANSWER_CONTINUE, /* let the kernel run it: never after reading
				     memory to decide */
};

struct platform_answer {
	enum platform_answer_kind kind;
	int64_t value;
	int err;
};

/**
 * struct platform_job - the started job.
 * @pid:          first process of the job.
 * @pidfd:        pidfd of @pid (owned), or -1.
 * @status_fd:    read end of the exec-status pipe (owned): EOF when the exec
 *                succeeded, a struct platform_exec_status when it failed.
 * @filter_flags: the SECCOMP_FILTER_FLAG_* the filter was installed with.
 * @landlock_abi: the Landlock ABI the job's domain was created with (0: none).
 * @fail_stage:   when platform_spawn() fails, the enum platform_spawn_stage
 *                that failed.
 */
struct platform_job {
	pid_t pid;
	int pidfd;
	int status_fd;
	unsigned long filter_flags;
	int landlock_abi;
	int fail_stage;
};

/** struct platform_exec_status - sent by the child when exec fails. */
struct platform_exec_status {
	int stage; /* enum platform_spawn_stage */
	int err;   /* errno */
};

enum platform_spawn_stage {
	PLATFORM_SPAWN_STAGE_SETUP,
	PLATFORM_SPAWN_STAGE_LANDLOCK,
	PLATFORM_SPAWN_STAGE_FILTER,
	PLATFORM_SPAWN_STAGE_EXEC,
};

/**
 * platform_read_exec_status() - read the job's exec outcome from
 * job->status_fd once it polls readable.
 * Return: 1 and @st filled when the exec failed, 0 on EOF (the exec
 * succeeded, or the first process died before reporting), -errno.
 */
int platform_read_exec_status(int fd, struct platform_exec_status *st);

struct platform;

/**
 * platform_new() - a backend of @kind. Return: the platform (owned by the
 * caller, release with platform_free()) or NULL with errno set.
 */
struct platform *platform_new(enum platform_kind kind);

/** platform_free() - close everything; NULL is a no-op. */
void platform_free(struct platform *p);

/** platform_name() - "unotify" or "ptrace". */
const char *platform_name(const struct platform *p);

/**
 * platform_can() - whether @p offers every enum platform_can bit in @what.
 * Cheap (a field); may change once, at platform_spawn(), when the backend
 * found what the kernel lacks.
 */
bool platform_can(const struct platform *p, unsigned int what);

/**
 * platform_trap_action() - the SECCOMP_RET_* action (with its data bits) the
 * filter must give the rows @p is to receive: SECCOMP_RET_USER_NOTIF for
 * unotify, SECCOMP_RET_TRACE | n for a tracer.
 */
uint32_t platform_trap_action(const struct platform *p);

/**
 * platform_kind_trap_action() - platform_trap_action() of a backend of
 * @kind, for compiling the filter before the platform exists (a bad
 * override must fail before anything runs). 0 for an unknown kind.
 */
uint32_t platform_kind_trap_action(enum platform_kind kind);

/**
 * platform_spawn() - fork the job, apply Landlock and the filter in the
 * child, take the listener into the supervisor, then let the child exec.
 * The caller must serve events (platform_fd()) before it can learn whether the
 * exec succeeded, since exec itself may be a notified call.
 * Return: 0 and @job filled, or -errno (nothing left running).
 */
int platform_spawn(struct platform *p, const struct platform_spawn *s,
		   struct platform_job *job);

/**
 * platform_fd() - the fd to poll for events (EPOLLIN: a call is waiting;
 * EPOLLHUP: no task can stop any more).
 */
int platform_fd(const struct platform *p);

/**
 * platform_recv() - take the next stopped call, sleeping until one comes.
 * A signal ends the wait (no SA_RESTART: -EAGAIN).
 * Return: 0, -EAGAIN (interrupted), -ENOENT (the caller died before we
 * took it), -EPIPE (no task uses the filter any more: nothing will come,
 * and the kernel no longer waits), or another -errno.
 */
int platform_recv(struct platform *p, struct platform_call *c);

/**
 * platform_call_valid() - whether @c is still waiting for its answer.
 * Call after reading job memory and before acting on what was read: a
 * valid call means the tid was not reused and the memory belonged to it.
 * Return: 0 valid, -ENOENT gone.
 */
int platform_call_valid(struct platform *p, const struct platform_call *c);

/**
 * platform_read_mem() - copy @len bytes at job address @addr of @c's process.
 * Return: bytes copied (may be short at an unmapped page) or -errno.
 */
ssize_t platform_read_mem(struct platform *p, const struct platform_call *c,
			  uint64_t addr, void *buf, size_t len);

/**
 * platform_write_mem() - copy @len bytes to job address @addr of @c's
 * process (answers that carry data back: msg_len of sendmmsg, ...).
 * Return: bytes copied or -errno.
 */
ssize_t platform_write_mem(struct platform *p, const struct platform_call *c,
			   uint64_t addr, const void *buf, size_t len);

/**
 * struct platform_mem_seg - one piece of a vectored write into the job.
 * @addr: job address.  @buf, @len: the bytes.
 */
struct platform_mem_seg {
	uint64_t addr;
	const void *buf;
	size_t len;
};

#define PLATFORM_MEM_SEGS_MAX 128

/**
 * platform_write_memv() - platform_write_mem() for up to
 * PLATFORM_MEM_SEGS_MAX pieces in one system call (a receive's data, source
 * address and its length). Stops at the first unwritable byte.
 * Return: bytes copied in order or -errno.
 */
ssize_t platform_write_memv(struct platform *p, const struct platform_call *c,
			    const struct platform_mem_seg *segs, size_t n);

/**
 * platform_read_str() - copy a NUL-terminated string of at most @max - 1
 * bytes. Return: its length, -ENAMETOOLONG when no NUL within @max, -EFAULT.
 */
ssize_t platform_read_str(struct platform *p, const struct platform_call *c,
			  uint64_t addr, char *buf, size_t max);

/**
 * platform_answer() - answer @c exactly once.
 * Return: 0, -ENOENT when the caller is already gone (normal), or -errno.
 */
int platform_answer(struct platform *p, const struct platform_call *c,
		    const struct platform_answer *a);

/**
 * platform_take_fd() - duplicate the job's fd @remote_fd of @c's process into
 * the supervisor (pidfd_getfd). Confirms @c is still pending after the
 * take, so the fd belonged to the caller.
 * Return: a new local fd (owned), -EOPNOTSUPP without PLATFORM_CAN_TAKE_FD,
 * or -errno.
 */
int platform_take_fd(struct platform *p, const struct platform_call *c,
		     int remote_fd);

/**
 * platform_put_fd() - install @local_fd into @c's process and answer @c with
 * the new fd number (ADDFD, atomically with SEND where the kernel has it).
 * @cloexec: O_CLOEXEC on the new fd.
 * Return: the fd number in the job, or -errno (then @c is not answered;
 * -EOPNOTSUPP without PLATFORM_CAN_PUT_FD).
 */
int platform_put_fd(struct platform *p, const struct platform_call *c,
		    int local_fd, bool cloexec);

/**
 * platform_add_fd() - install @local_fd into @c's process without answering
 * @c (ADDFD without SECCOMP_ADDFD_FLAG_SEND): for fds the answer only
 * mentions, such as those of a received SCM_RIGHTS message.
 * @cloexec: O_CLOEXEC on the new fd.
 * Return: the fd number in the job, or -errno (ENOENT: the caller is gone;
 * EMFILE: its table is full).
 */
int platform_add_fd(struct platform *p, const struct platform_call *c,
		    int local_fd, bool cloexec);

/**
 * platform_reap() - take one exit of a job process, for the loop's reaping.
 * Backends that do not own waiting (unotify) answer from
 * waitpid(-1, WNOHANG | __WALL); a tracer owns every waitpid() of the tree
 * (a waitpid() from any other supervisor thread would take its stops), so
 * it hands over the exits it reaped, queued, and writes platform_reap_fd()
 * when it queues one. Any thread; non-blocking.
 * Return: 1 and *@pid, *@status filled; 0 nothing now; -ECHILD no job
 * process is left (nothing more will come).
 */
int platform_reap(struct platform *p, pid_t *pid, int *status);

/**
 * platform_reap_fd() - an fd that polls readable when platform_reap() has
 * something (read it to rearm: an eventfd), or -1 when the backend does not
 * own waiting: then SIGCHLD says so, and only then may the supervisor's own
 * signalfd take SIGCHLD (a tracer reads SIGCHLD itself).
 */
int platform_reap_fd(const struct platform *p);

/** platform_features() - what this platform instance found and uses. */
const struct platform_features *platform_features(const struct platform *p);

/* ---------------------------------------------------------------------------
 * Signals pending for a thread of the job (proc_signal.c), from
 * /proc/TID/status: the kernel's SigPnd (the thread's own queue), ShdPnd
 * (the process's), SigBlk and SigIgn. Used only while a call is deferred
 * (sentry/deferred.c): a caller waiting killably in the seccomp
 * notification (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 5.19) is no longer
 * woken by a non-fatal signal, so the supervisor looks for one itself.
 */

/**
 * struct proc_signal_state - the signal lines of a status file (bit n-1 is
 * signal n, as the kernel prints them).
 * @pnd, @shdpnd, @blk, @ign: SigPnd, ShdPnd, SigBlk, SigIgn.
 * @tgid:    Tgid, -1 when absent.
 * @threads: Threads, 0 when absent.
 */
struct proc_signal_state {
	uint64_t pnd, shdpnd, blk, ign;
	pid_t tgid;
	long threads;
};

/**
 * proc_signal_parse() - parse the text of a status file (@p, @len: bounded,
 * need not be NUL-terminated; the job names itself on the Name line, which
 * the kernel escapes but which is skipped anyway).
 * Return: 0, or -EINVAL when one of SigPnd, ShdPnd, SigBlk, SigIgn is
 * missing, not hexadecimal, or not ended by a newline (a line cut short).
 */
int proc_signal_parse(const uint8_t *p, size_t len,
		      struct proc_signal_state *out);

/**
 * proc_signal_deliverable() - the signals of @st that the kernel would
 * deliver to thread @tid and so interrupt its blocking call: its own
 * pending ones, and the process's when @tid is the thread-group leader or
 * the only thread (complete_signal() in kernel/signal.c tries the leader
 * first, so a process-directed signal such as alarm()'s SIGALRM is the
 * leader's unless the leader blocks it; for another thread of a
 * multi-threaded process the kernel may pick any thread, and the call is
 * left to wait). Blocked and ignored signals never interrupt.
 */
uint64_t proc_signal_deliverable(const struct proc_signal_state *st, pid_t tid);

/**
 * proc_signal_classify() - what @st means for thread @tid's blocking call:
 * 2 SIGKILL is queued (the thread is dying: complete_signal() turns a fatal
 * signal into SIGKILL for every thread), 1 a deliverable signal would
 * interrupt it (proc_signal_deliverable()), 0 nothing.
 */
int proc_signal_classify(const struct proc_signal_state *st, pid_t tid);

/**
 * proc_signal_pending() - read and parse /proc/@tid/status and classify it
 * (proc_signal_classify()). Does not block (procfs).
 * Return: 2, 1 or 0 as proc_signal_classify(); -ESRCH when the thread is
 * gone, -EINVAL when the file lacks the signal lines, or -errno.
 */
int proc_signal_pending(pid_t tid);

/* ---------------------------------------------------------------------------
 * Other processes through procfs and pidfds (procfs.c, proc_mem.c): the one
 * place the supervisor reads /proc/PID/... of the job (its tree, ids, state,
 * cwd, executable, memory). None of these pins a process: a pid may name
 * another process by the time the caller acts, so callers that act on what
 * they read pin the process with a pidfd first and check the pin afterwards
 * (sentry/jobtree.c says how). The text is partly the job's own (comm in
 * stat, cmdline): every parser is bounded, takes (p, len) and has a fuzz
 * target (tests/fuzz/fuzz_procfs.c). Reentrant: any thread may call them.
 */

/**
 * struct procfs_stat - the fields of /proc/TID/stat cordon uses.
 * @state:   the state letter (R, S, D, Z, ...).
 * @ppid:    parent process id.  @pgrp: process group id.
 * @utime, @stime, @cutime, @cstime: CPU time in clock ticks (of the process,
 *           and of the children it reaped).
 * @threads: number of threads.
 * @start:   start time in clock ticks after boot (with the pid, a process's
 *           identity across samples).
 */
struct procfs_stat {
	char state;
	pid_t ppid;
	pid_t pgrp;
	uint64_t utime, stime, cutime, cstime;
	long threads;
	uint64_t start;
};

/**
 * procfs_stat_parse() - parse the text of a stat file. The command may hold
 * spaces and parentheses (the job names itself): fields are read after the
 * last ')'.
 * Return: 0, or -EINVAL when a field up to @start is missing or malformed.
 */
int procfs_stat_parse(const uint8_t *p, size_t len, struct procfs_stat *out);

/** procfs_stat() - read and parse /proc/@tid/stat. Return: 0 or -errno. */
int procfs_stat(pid_t tid, struct procfs_stat *out);

/** procfs_ppid(), procfs_pgid() - from procfs_stat(); -1 on failure. */
pid_t procfs_ppid(pid_t tid);
pid_t procfs_pgid(pid_t tid);

/**
 * struct procfs_status - the fields of /proc/TID/status cordon uses.
 * @tgid:      thread group id, -1 when absent.
 * @ruid:      real uid, (uid_t)-1 when absent.
 * @umask:     the file creation mask, -1 when absent (before Linux 4.7).
 * @rss_anon, @rss_shmem: resident anonymous and shared memory, in bytes
 *             (0 when absent: kernel threads, before 4.5).
 * @threads:   Threads, 0 when absent.
 * @sig_pnd, @sig_shdpnd, @sig_blk, @sig_ign: SigPnd, ShdPnd, SigBlk and
 *             SigIgn (bit n-1 is signal n), each valid only when its
 *             PROCFS_STATUS_HAVE_* bit is in @sig_have: a line cut short
 *             (the read's end) or not hexadecimal is absent, never a
 *             wrong mask.
 */
struct procfs_status {
	pid_t tgid;
	uid_t ruid;
	int umask;
	uint64_t rss_anon;
	uint64_t rss_shmem;
	long threads;
	uint64_t sig_pnd, sig_shdpnd, sig_blk, sig_ign;
	unsigned int sig_have;
};

enum {
	PROCFS_STATUS_HAVE_PND = 1,
	PROCFS_STATUS_HAVE_SHDPND = 2,
	PROCFS_STATUS_HAVE_BLK = 4,
	PROCFS_STATUS_HAVE_IGN = 8,
	PROCFS_STATUS_HAVE_SIGNALS = 15,
};

/**
 * procfs_status_parse() - parse the text of a status file, line by line
 * ("Key:\tvalue"); unknown lines are skipped, absent keys keep the values
 * documented above. Return: 0 (there is no malformed status: what cannot be
 * read is absent).
 */
int procfs_status_parse(const uint8_t *p, size_t len,
			struct procfs_status *out);

/** procfs_status() - read and parse /proc/@tid/status. Return: 0/-errno. */
int procfs_status(pid_t tid, struct procfs_status *out);

/** procfs_tgid() - the thread group of @tid; -1 on failure. */
pid_t procfs_tgid(pid_t tid);
/** procfs_ruid() - the real uid of @pid; (uid_t)-1 on failure. */
uid_t procfs_ruid(pid_t pid);
/**
 * procfs_uid_tasks() - tasks (threads of every process) whose real uid is
 * @uid, as RLIMIT_NPROC counts them: a scan of /proc. Processes that start
 * or end during the scan may be missed or counted. Return: the count.
 */
uint64_t procfs_uid_tasks(uid_t uid);
/** procfs_umask() - the umask of thread @tid; 022 when it cannot be read. */
mode_t procfs_umask(pid_t tid);

/**
 * procfs_pids_parse() - parse a list of decimal pids separated by white
 * space (the children file) into @out, at most @max; numbers <= 0 and
 * anything that is not a number end the list.
 * Return: how many were stored.
 */
size_t procfs_pids_parse(const uint8_t *p, size_t len, pid_t *out, size_t max);

/**
 * procfs_children() - the children of every thread of process @pid
 * (/proc/PID/task/TID/children, Linux 3.5 with CONFIG_PROC_CHILDREN),
 * appended to @out, at most @max. The one walker of that file: a child
 * forked or reaped during the read may be missed or listed although gone.
 * Return: how many were stored.
 */
size_t procfs_children(pid_t pid, pid_t *out, size_t max);

/**
 * procfs_threads() - the thread ids of process @pid (/proc/PID/task) into
 * @out, at most @max. Return: how many.
 */
size_t procfs_threads(pid_t pid, pid_t *out, size_t max);

/**
 * procfs_io_wchar() - bytes @pid wrote with write()-family calls
 * (/proc/PID/io "wchar:"). Return: 0 or -errno.
 */
int procfs_io_wchar(pid_t pid, uint64_t *wchar);

/**
 * struct procfs_memfd - a memfd a process holds open.
 * @ino:   its inode number (to count each object once).
 * @bytes: its allocated size (st_blocks * 512).
 */
struct procfs_memfd {
	uint64_t ino;
	uint64_t bytes;
};

/**
 * procfs_fds() - count the open fds of @pid (/proc/PID/fd); with @memfd,
 * also describe up to @max of the memfd objects it holds, each once however
 * many fds name it; *@n_memfd says how many (one readlink per fd and a stat
 * per memfd fd: only when asked).
 * Return: the number of open fds (0 when unreadable).
 */
size_t procfs_fds(pid_t pid, struct procfs_memfd *memfd, size_t max,
		  size_t *n_memfd);

/*
 * Where a thread is, from /proc/TID/syscall (procfs_syscall()): the call's
 * number, or one of these.
 */
enum {
	PROCFS_SYSCALL_NONE = -1,    /* in no call (user space, or blocked
					outside one) */
	PROCFS_SYSCALL_RUNNING = -2, /* on a CPU or runnable: the kernel
					does not look */
	PROCFS_SYSCALL_GONE = -3,    /* no such thread */
	PROCFS_SYSCALL_UNKNOWN = -4, /* unreadable or malformed */
};

/**
 * procfs_syscall_parse() - parse the text of a syscall file.
 * Return: the call's number, PROCFS_SYSCALL_NONE, _RUNNING or _UNKNOWN.
 */
long procfs_syscall_parse(const uint8_t *p, size_t len);

/**
 * procfs_syscall() - where thread @tid is (/proc/TID/syscall).
 * Return: as procfs_syscall_parse(), or PROCFS_SYSCALL_GONE.
 */
long procfs_syscall(pid_t tid);

/**
 * procfs_cmdline() - the first @len bytes of /proc/@tid/cmdline (the
 * arguments, each NUL-terminated; the job's own bytes, unterminated when cut).
 * Return: bytes stored, or -errno.
 */
ssize_t procfs_cmdline(pid_t tid, char *buf, size_t len);

/**
 * procfs_cwd_open() - the working directory of thread @tid, opened
 * O_PATH | O_DIRECTORY (/proc/TID/cwd). The one cwd resolver: a path the job
 * gives relative to its cwd is resolved against this fd (openat(), or its
 * "/proc/self/fd/N" path for calls that take no dirfd). The caller confirms
 * the call is still pending afterwards if the tid may have been reused.
 * Return: the fd (owned by the caller) or -errno.
 */
int procfs_cwd_open(pid_t tid);

/**
 * procfs_fd_path_open() - the file behind fd @fd of thread @tid, opened
 * again O_PATH through /proc/TID/fd/N (a new open file description of the
 * same inode and mount; sockets and anonymous inodes cannot be opened so:
 * -ENXIO). For a dirfd the supervisor resolves a path against when it cannot
 * take the job's fd (pidfd_getfd refused). The caller confirms the call is
 * still pending afterwards.
 * Return: the fd (owned by the caller) or -errno (-ENOENT: no such fd or
 * thread).
 */
int procfs_fd_path_open(pid_t tid, int fd);

/**
 * procfs_fd_stat() - stat() of the object behind fd @fd of thread @tid
 * (/proc/TID/fd/N followed: a socket's sockfs inode too), for finding which
 * of the supervisor's own sockets the job's fd number names. The caller
 * confirms the call is still pending afterwards.
 * Return: 0 and *@st, -EBADF when the thread has no such fd, or -errno.
 */
struct stat;
int procfs_fd_stat(pid_t tid, int fd, struct stat *st);

/**
 * procfs_fd_pipe_open() - a new open of the pipe behind fd @fd of thread
 * @tid (/proc/TID/fd/N, first as O_PATH, then reopened through that fd, so
 * the inode checked is the one opened), in the access mode and with the
 * O_NONBLOCK and O_DIRECT (packet mode) flags /proc/TID/fdinfo/N shows: for
 * passing a job's pipe end with SCM_RIGHTS where its fd cannot be taken
 * (pidfd_getfd refused). A new open file description of the same pipe,
 * not the job's own: its status flags are copied, not shared. Anonymous
 * pipes only (pipefs): a named FIFO, a file or a device is -EOPNOTSUPP, so
 * nothing is opened by path outside the job's Landlock domain that the
 * domain could refuse. The supervisor runs with the job's credentials, so
 * the reopen can do what the job could do through /proc/self/fd/N itself,
 * no more. The caller confirms the call is still pending afterwards.
 * Return: the fd (owned by the caller), -EBADF (no such fd), -EOPNOTSUPP,
 * -ENXIO (a write end whose pipe has no reader), or -errno.
 */
int procfs_fd_pipe_open(pid_t tid, int fd);

/** struct procfs_fdsock - an fd of a process that is a socket. */
struct procfs_fdsock {
	int fd;
	uint64_t ino; /* sockfs inode */
};

/**
 * procfs_fd_sockets() - the fds of process @pid that are sockets, with
 * their inodes (readlink of /proc/PID/fd/N: "socket:[INO]"), at most @max.
 * A process that is gone holds none (0). A snapshot: fds may come and go
 * during the walk.
 * Return: how many, -ENOBUFS when more than @max, or -errno when the table
 * cannot be read (the caller must then assume it holds anything).
 */
ssize_t procfs_fd_sockets(pid_t pid, struct procfs_fdsock *out, size_t max);

/**
 * platform_kind_name() - "unotify", "ptrace" (for messages before the
 * platform exists).
 */
const char *platform_kind_name(enum platform_kind kind);

/**
 * platform_kind_takes_fds() - whether a backend of @kind will be able to
 * take job fds (PLATFORM_CAN_TAKE_FD): for compiling the filter before the
 * platform exists. False under a container profile that refuses
 * pidfd_getfd, or CORDON_IGNORE_FEATURES=pidfd_getfd: then the job's
 * sockets are created by the supervisor (owned from birth).
 */
bool platform_kind_takes_fds(enum platform_kind kind);

/**
 * procfs_exe_open() - the file thread @tid runs, opened O_RDONLY
 * (/proc/TID/exe: the file the kernel mapped, whatever the exec path said).
 * Its path is that of the fd ("/proc/self/fd/N").
 * Return: the fd (owned by the caller) or -errno.
 */
int procfs_exe_open(pid_t tid);

/**
 * procfs_self_rewrite() - a path the job gives names the job, not us:
 * rewrite a leading "/proc/self" to "/proc/@tgid" and "/proc/thread-self" to
 * "/proc/@tgid/task/@tid" in @path (of @len bytes) in place.
 * Return: 1 rewritten, 0 nothing to rewrite, -ENAMETOOLONG.
 */
int procfs_self_rewrite(char *path, size_t len, pid_t tgid, pid_t tid);

/**
 * proc_mem_open() - the memory of process @pid (/proc/PID/mem), pinned by
 * @pidfd: the open counts only if the pin is still alive afterwards, so the
 * fd is that process's memory (it pins the mm, never another's).
 * @write: open for writing instead of reading.
 * Return: the fd (owned by the caller), -ESRCH when the pin exited, -errno.
 */
int proc_mem_open(pid_t pid, int pidfd, bool write);

/**
 * proc_mem_pread(), proc_mem_pwrite() - move @len bytes at address @addr of
 * the process behind an fd from proc_mem_open().
 * Return: bytes moved (short at an unmapped page) or -errno.
 */
ssize_t proc_mem_pread(int memfd, uint64_t addr, void *buf, size_t len);
ssize_t proc_mem_pwrite(int memfd, uint64_t addr, const void *buf, size_t len);

/**
 * proc_mem_getfd() - duplicate fd @fd of the process behind @pidfd into the
 * supervisor (pidfd_getfd(2), Linux 5.6; the new fd is O_CLOEXEC).
 * @flags: pidfd_getfd's flags (0 today; the kernel refuses others).
 * Return: the new fd (owned by the caller) or -errno.
 */
int proc_mem_getfd(int pidfd, int fd, unsigned int flags);

#endif /* CORDON_PLATFORM_H */
