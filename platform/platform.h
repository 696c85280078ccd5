/* SPDX-License-Identifier: MIT */
/*
 * platform.h - where syscall stops come from. One small interface with one
 * backend per mechanism (OpenSSH's sandbox shape): seccomp user notification
 * today, ptrace later. A backend starts the job under a compiled filter, hands
 * out stopped calls as plain values, reads job memory, answers each call
 * exactly once, and moves fds between the supervisor and the job.
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
};

/**
 * struct platform_features - what the running kernel offers, as probed.
 * @unotify:            SECCOMP_RET_USER_NOTIF (5.0).
 * @pidfd_getfd:        pidfd_open + pidfd_getfd on a child (5.6).
 * @addfd:              SECCOMP_IOCTL_NOTIF_ADDFD (5.9).
 * @addfd_send:         SECCOMP_ADDFD_FLAG_SEND (5.14).
 * @wait_killable_recv: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19).
 * @sync_wake_up:       SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6).
 * @landlock_abi:       Landlock ABI version, 0 when absent or disabled.
 * @detail:             why the first missing feature is missing.
 */
struct platform_features {
	bool unotify;
	bool pidfd_getfd;
	bool addfd;
	bool addfd_send;
	bool wait_killable_recv;
	bool sync_wake_up;
	bool passrights;
	int landlock_abi;
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
 * platform_landlock_abi() - the Landlock ABI version (0 when unavailable).
 * Cheap; no fork.
 */
int platform_landlock_abi(void);

/**
 * struct platform_spawn - how to start the job.
 * @path:            the file to execute (already resolved against PATH).
 * @argv, @envp:     passed to execve() in the child; borrowed.
 * @filter:          the compiled seccomp program; borrowed.
 * @landlock_scope:  Landlock scope bits (KCOMPAT_LANDLOCK_SCOPE_*) to apply
 *                   before the filter; 0 for none. * @pdeathsig:       signal
 * the first job process gets if the supervisor dies.
 * @stdout_fd, @stderr_fd: made the job's fd 1 and 2 when > 2 (cordon's
 *                   output forwarding); otherwise the job inherits them.
 * @nofile, @fsize:  RLIMIT_NOFILE and RLIMIT_FSIZE for the job when non-zero
 *                   (the kernel then enforces them per process).
 * @sigpipe_default: reset SIGPIPE to SIG_DFL before the exec (the
 *                   supervisor ignores it for itself; cordon's caller had
 *                   it at the default). False: the job inherits SIG_IGN.
 * @close_stdio:     fds among 0-2 (bit 1 << fd) that were closed when
 *                   cordon started: cordon holds /dev/null there, the job
 *                   gets them closed, as without cordon (even where
 *                   @stdout_fd or @stderr_fd would have replaced them).
 */
struct platform_spawn {
	const char *path;
	char *const *argv;
	char *const *envp;
	const struct sock_fprog *filter;
	uint64_t landlock_scope;
	int pdeathsig;
	int stdout_fd;
	int stderr_fd;
	uint64_t nofile;
	uint64_t fsize;
	bool sigpipe_default;
	unsigned close_stdio;
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

enum platform_answer_kind {
	PLATFORM_ANSWER_CONTINUE, /* let the kernel run it: never after reading
				     memory to decide */
	PLATFORM_ANSWER_VALUE,	  /* return @value */
	PLATFORM_ANSWER_ERRNO,	  /* fail with @err */
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

/** platform_name() - "unotify". */
const char *platform_name(const struct platform *p);

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
 * the supervisor (pidfd_getfd). Return: a new local fd (owned) or -errno.
 */
int platform_take_fd(struct platform *p, const struct platform_call *c,
		     int remote_fd);

/**
 * platform_put_fd() - install @local_fd into @c's process and answer @c with
 * the new fd number (ADDFD, atomically with SEND where the kernel has it).
 * @cloexec: O_CLOEXEC on the new fd.
 * Return: the fd number in the job, or -errno (then @c is not answered).
 */
int platform_put_fd(struct platform *p, const struct platform_call *c,
		    int local_fd, bool cloexec);

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

#endif /* CORDON_PLATFORM_H */
