/* SPDX-License-Identifier: MIT */
/*
 * sentry.h - the supervisor: start the job through a platform, serve its
 * notified system calls from one event loop, own the whole process tree
 * (subreaper, kill on exit, fail closed), write the audit log, and turn the
 * outcome into one exit status.
 *
 * Also exports the one syscall class table and the filter compiler that reads
 * it, so that tools (doctor, policy explain) and tests use the same ones.
 */
#ifndef CORDON_SENTRY_H
#define CORDON_SENTRY_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/platform.h"

struct zone_tables;
struct policy_limits;

/* ---------------------------------------------------------------------------
 * The syscall class table (sentry/syscall_table.c).
 */

/**
 * enum syscall_class - where a system call is decided.
 * @SYSCALL_CLASS_ALLOW:  allowed by the filter, never leaves the kernel.
 * @SYSCALL_CLASS_ERRNO:  refused by the filter itself with an errno.
 * @SYSCALL_CLASS_NOTIFY: sent to the supervisor, which answers it.
 * @SYSCALL_CLASS_RULE:   decided in the filter on register arguments by the
 *                        entry's enum syscall_rule (may notify for some).
 */
enum syscall_class {
	SYSCALL_CLASS_ALLOW,
	SYSCALL_CLASS_ERRNO,
	SYSCALL_CLASS_NOTIFY,
	SYSCALL_CLASS_RULE,
};

/**
 * enum syscall_rule - argument rules the filter compiler knows how to emit.
 * @SYSCALL_RULE_NONE:                 no rule.
 * @SYSCALL_RULE_CLONE_NO_NAMESPACES:  clone() with any CLONE_NEW* flag gets
 *                                     EPERM; otherwise allowed.
 * @SYSCALL_RULE_SECCOMP_NO_LISTENER:  seccomp(SET_MODE_FILTER) with
 *                                     SECCOMP_FILTER_FLAG_NEW_LISTENER gets
 *                                     EPERM; stacking plain filters is allowed.
 * @SYSCALL_RULE_ARCH_PRCTL_SET_FS:    arch_prctl(ARCH_SET_FS) is notified (it
 *                                     marks a finished exec); others allowed.
 * @SYSCALL_RULE_ADDR_ARG4:            notified when argument 4 (the address
 *                                     pointer of sendto() and recvfrom()) is
 *                                     not NULL; send()/recv() stay in the
 *                                     kernel.
 * @SYSCALL_RULE_ARG0_SELF:            allowed when argument 0 (a pid) is 0,
 *                                     the caller itself; notified otherwise.
 * @SYSCALL_RULE_PRIO_SELF:            allowed for (PRIO_PROCESS, 0), the
 *                                     calling thread; notified otherwise.
 * @SYSCALL_RULE_IOPRIO_SELF:          allowed for (IOPRIO_WHO_PROCESS, 0);
 *                                     notified otherwise.
 * @SYSCALL_RULE_SETPGID_SELF:         setpgid(0, 0) allowed; else notified.
 * @SYSCALL_RULE_SOCKET_KINDS:         socket() allowed for the kinds of
 *                                     filter.c's socket table (unix, TCP
 *                                     and UDP over IP, NETLINK_ROUTE);
 *                                     EACCES for other IP kinds (raw,
 *                                     ICMP, SCTP, ...), EAFNOSUPPORT for
 *                                     every other family and netlink
 *                                     protocol. Never notified.
 * @SYSCALL_RULE_NO_PASSRIGHTS:        setsockopt() of option SO_PASSRIGHTS
 *                                     (83, at any level) answers
 *                                     ENOPROTOOPT (as before 6.16): the
 *                                     supervisor owns that flag
 *                                     (docs/network.md); else allowed.
 * @SYSCALL_RULE_PRCTL_KEEP_DUMPABLE:  prctl(PR_SET_DUMPABLE, 0) answers
 *                                     EPERM: a non-dumpable job process
 *                                     could no longer be read or have its
 *                                     fds taken by the supervisor, so every
 *                                     call it makes that is mediated would
 *                                     fail (docs/isolation.md); every other
 *                                     prctl is allowed. Never notified.
 * @SYSCALL_RULE_IOCTL_NO_TIOCSTI:     ioctl(fd, TIOCSTI, ...) answers EPERM
 *                                     (what a 6.2+ kernel with
 *                                     dev.tty.legacy_tiocsti=0 answers a
 *                                     caller without CAP_SYS_ADMIN): the
 *                                     job shares cordon's controlling
 *                                     terminal, and characters pushed into
 *                                     it are read by the caller's shell
 *                                     after cordon exits, outside every
 *                                     rule (docs/root.md). Every other
 *                                     ioctl is allowed. Never notified.
 * @SYSCALL_RULE_FCNTL_DUPFD:          fcntl(fd, F_DUPFD or F_DUPFD_CLOEXEC,
 *                                     ...) notified under FILTER_BIRTH (a
 *                                     new fd for a socket owned from birth,
 *                                     sys_sock.c); every other command, and
 *                                     every command without FILTER_BIRTH,
 *                                     allowed.
 */
enum syscall_rule {
	SYSCALL_RULE_NONE,
	SYSCALL_RULE_CLONE_NO_NAMESPACES,
	SYSCALL_RULE_SECCOMP_NO_LISTENER,
	SYSCALL_RULE_ARCH_PRCTL_SET_FS,
	SYSCALL_RULE_ADDR_ARG4,
	SYSCALL_RULE_ARG0_SELF,
	SYSCALL_RULE_PRIO_SELF,
	SYSCALL_RULE_IOPRIO_SELF,
	SYSCALL_RULE_SETPGID_SELF,
	SYSCALL_RULE_SOCKET_KINDS,
	SYSCALL_RULE_NO_PASSRIGHTS,
	SYSCALL_RULE_PRCTL_KEEP_DUMPABLE,
	SYSCALL_RULE_IOCTL_NO_TIOCSTI,
	SYSCALL_RULE_FCNTL_DUPFD,
};

/**
 * enum syscall_lateral - the kernel layer that keeps a "lateral" row (a call
 * that can name a process outside the job) from reaching outside the job.
 * Bits, so that filter_compile() can be told which layers the job has; a
 * lateral row whose layer is missing is notified to its handler instead
 * (the supervisor layer, docs/isolation.md).
 * @SYSCALL_LATERAL_NONE:   not a lateral row.
 * @SYSCALL_LATERAL_SCOPE:  Landlock signal scoping (ABI >= 6) covers it.
 * @SYSCALL_LATERAL_DOMAIN: the ptrace restriction every Landlock domain
 *                          brings (ptrace_may_access() of the target)
 *                          covers it.
 */
enum syscall_lateral {
	SYSCALL_LATERAL_NONE = 0,
	SYSCALL_LATERAL_SCOPE = 1U << 0,
	SYSCALL_LATERAL_DOMAIN = 1U << 1,
};

struct sentry;
struct sentry_call;

/**
 * typedef sys_handler_fn - a notified call's handler. States its verdict in
 * c->v with one of the verdict_*() calls (sentry/verdict.h); the dispatcher
 * then answers and records it through sentry_verdict(). May read job memory
 * through the sentry's platform, but then must not give VERDICT_CONTINUE if
 * what it read decided the outcome. A handler that states nothing is
 * refused (fail closed).
 * Return: 0, or -errno for an internal error (the caller fails closed).
 */
typedef int sys_handler_fn(struct sentry *s, struct sentry_call *c);

/**
 * struct syscall_entry - one row of the table.
 * @nr:      x86_64 system call number (the native ABI; nothing else passes).
 * @name:    its name.
 * @cls:     where it is decided.
 * @err:     the errno for SYSCALL_CLASS_ERRNO.
 * @rule:    the argument rule for SYSCALL_CLASS_RULE.
 * @handler: the handler for notified calls (NOTIFY, and RULE outcomes that
 *           notify); NULL otherwise.
 * @locked:  a bypass of mediation (io_uring, bpf, namespaces, mounts, ...,
 *           shared/DESIGN.md invariant 4): no zone may allow it.
 * @lateral: for a SYSCALL_CLASS_ALLOW row that can name another process:
 *           the kernel layer that confines it. Without that layer the row
 *           is notified to @handler.
 * @task:    creates a task (fork, vfork, clone): notified to @handler only
 *           under FILTER_BIRTH (an fd table with owned sockets may be
 *           copied). The pids limit never notifies it (sys_task.c: a
 *           notified fork can fail with EINTR).
 * @exec:    starts a program (execve, execveat): notified only for the exec
 *           record (FILTER_EXECS); allowed in the kernel otherwise.
 * @birth:   notified to @handler only where job sockets are owned from
 *           birth (FILTER_BIRTH); allowed in the kernel otherwise.
 * @sockname: getsockname, getpeername: notified to @handler only where
 *           the zone can translate a socket (FILTER_SOCKNAMES); allowed in
 *           the kernel otherwise.
 */
struct syscall_entry {
	int nr;
	const char *name;
	enum syscall_class cls;
	int err;
	enum syscall_rule rule;
	sys_handler_fn *handler;
	bool locked;
	enum syscall_lateral lateral;
	bool task;
	bool exec;
	bool birth;
	bool sockname;
};

/*
 * Not a lateral layer either: exec records are wanted (the job has an audit
 * sink), so execve(), execveat() and arch_prctl(ARCH_SET_FS) are notified
 * (sys_exec.c). Without it they never leave the kernel: two round trips
 * fewer per exec.
 */
#define FILTER_EXECS (1U << 9)

/*
 * Not a lateral layer either: job sockets are owned from birth (pidfd_getfd
 * refused, e.g. by a container's seccomp profile): socket(), socketpair(),
 * accept() and accept4() are performed by the supervisor, and close(),
 * dup2(), dup3() and close_range() are notified so that its copies go when
 * the job's last fd goes (sys_sock.c). Rows with .birth. Task creation
 * (the @task rows) and pidfd_getfd are notified too: they may put a job
 * socket in another fd table, and the close handlers read only the
 * caller's table while nothing did (netstack_own_one_table()); so are
 * dup() and fcntl(F_DUPFD*) (SYSCALL_RULE_FCNTL_DUPFD): while a socket was
 * never duplicated either, the fd being closed is its only one and nothing
 * is read (netstack_own_lone()).
 */
#define FILTER_BIRTH (1U << 10)

/*
 * Not a lateral layer either: the job's zone can give a socket a peer or a
 * local address other than the one the job believes (netstack_translates():
 * a hostname rule, whose connects go through the relay), so getsockname()
 * and getpeername() are notified (the @sockname rows) and show what the job
 * asked for (sys_net.c). Without it they never leave the kernel: Go, for
 * one, calls both after every dial, a round trip each. A socket redirected
 * to the DNS proxy then shows the proxy as its peer (docs/network.md).
 */
#define FILTER_SOCKNAMES (1U << 11)

/** syscall_table_size() - number of rows. */
size_t syscall_table_size(void);
/** syscall_table_at() - row @i (< syscall_table_size()). */
const struct syscall_entry *syscall_table_at(size_t i);
/** syscall_table_by_nr() - the row for @nr, or NULL (unknown: ENOSYS). */
const struct syscall_entry *syscall_table_by_nr(int nr);
/** syscall_table_by_name() - the row for @name, or NULL. */
const struct syscall_entry *syscall_table_by_name(const char *name);
/** syscall_class_name() - "allow", "errno", "notify", "rule". */
const char *syscall_class_name(enum syscall_class cls);

/* ---------------------------------------------------------------------------
 * The filter compiler (sentry/filter.c): the table, plus overrides, through
 * libseccomp into a classic BPF program.
 */

/**
 * struct syscall_override - a zone's change to one row.
 * @name: syscall name (validated against the table).
 * @cls:  SYSCALL_CLASS_ALLOW or SYSCALL_CLASS_ERRNO.
 * @err:  errno for SYSCALL_CLASS_ERRNO.
 */
struct syscall_override {
	const char *name;
	enum syscall_class cls;
	int err;
};

/**
 * struct filter_prog - a compiled filter.
 * @prog:   the program, ready for seccomp(SECCOMP_SET_MODE_FILTER).
 * @digest: xxh3 of the instructions, for the audit header.
 */
struct filter_prog {
	struct sock_fprog prog;
	uint64_t digest;
};

/**
 * filter_compile() - compile the class table with @ov applied (without
 * overrides: the program compiled at build time, when there is one).
 * Non-native ABIs (i386, x32) kill the process before any other rule;
 * numbers the table does not know answer ENOSYS.
 * @ov, @n_ov: overrides, may be NULL/0.
 * @layers:    the enum syscall_lateral bits the job's kernel domain has
 *             (filter_lateral_layers()); lateral rows whose layer is
 *             missing are notified.
 * @trap:      the action of every notified row: the platform's
 *             (platform_trap_action(), platform_kind_trap_action()). Only
 *             FILTER_PREBUILT_TRAP has build-time programs; another action
 *             (SECCOMP_RET_TRACE | n) compiles through libseccomp.
 * @out:       filled; release with filter_prog_free().
 * @why:       on -EINVAL, the name that failed (points into @ov).
 * Return: 0, -EINVAL for an unknown or forbidden override or a @trap that
 * is neither SECCOMP_RET_USER_NOTIF nor SECCOMP_RET_TRACE, -ENOMEM, or the
 * libseccomp error.
 */
int filter_compile(const struct syscall_override *ov, size_t n_ov,
		   unsigned int layers, uint32_t trap, struct filter_prog *out,
		   const char **why);

/**
 * filter_compile_libseccomp() - filter_compile() without the build-time
 * programs: always through libseccomp (filter_gen.c, and the test that the
 * build-time programs are current).
 */
int filter_compile_libseccomp(const struct syscall_override *ov, size_t n_ov,
			      unsigned int layers, uint32_t trap,
			      struct filter_prog *out, const char **why);

/*
 * FILTER_PREBUILT_TRAP - the trap action the build-time programs are
 * compiled with: the unotify platform's.
 */
#define FILTER_PREBUILT_TRAP PLATFORM_TRAP_UNOTIFY

/**
 * FILTER_PREBUILT_LAYERS - the @layers values filter_gen.c compiles at
 * build time: with both Landlock layers, with the domain alone (ABI 1-5),
 * without Landlock, each with and without exec records, and each of those
 * with and without the socket-name rows (FILTER_SOCKNAMES).
 */
#define FILTER_PREBUILT_LAYERS_LATERAL                                         \
	(SYSCALL_LATERAL_SCOPE | SYSCALL_LATERAL_DOMAIN)
#define FILTER_PREBUILT_LAYERS_1(x)                                            \
	(x), (x) | FILTER_EXECS, (x) | FILTER_PREBUILT_LAYERS_LATERAL,         \
		(x) | FILTER_PREBUILT_LAYERS_LATERAL | FILTER_EXECS,           \
		(x) | SYSCALL_LATERAL_DOMAIN,                                  \
		(x) | SYSCALL_LATERAL_DOMAIN | FILTER_EXECS
#define FILTER_PREBUILT_LAYERS                                                 \
	{                                                                      \
		FILTER_PREBUILT_LAYERS_1(0),                                   \
			FILTER_PREBUILT_LAYERS_1(FILTER_SOCKNAMES)             \
	}

/**
 * filter_lateral_layers() - the enum syscall_lateral bits a job gets on this
 * kernel when @landlock is asked for: SCOPE | DOMAIN with Landlock ABI >= 6
 * (a scoped domain), DOMAIN with ABI 1-5 (a domain without scoping: the
 * signal rows stay with the supervisor), none without Landlock.
 */
unsigned int filter_lateral_layers(bool landlock);

/**
 * filter_mediated_rows() - how many rows are notified to the supervisor for
 * lateral isolation in a job with @layers: lateral rows whose layer is
 * missing plus the rows notified in every mode (prlimit64, setpriority, ...).
 * For `cordon doctor`.
 */
size_t filter_mediated_rows(unsigned int layers);

/*
 * Without SYNC_WAKE_UP: the receiver's poll of the listener after a call,
 * adaptive between these bounds (receiver.c). The upper one is about what a
 * call costs when both of its wake-ups cross CPUs on a small VM (~50 us):
 * polling longer than a slow call takes cannot pay for itself.
 */
#define RECEIVER_SPIN_MIN_NS (8 * 1000ULL)
#define RECEIVER_SPIN_MAX_NS (64 * 1000ULL)
/*
 * A poll round longer than this means another task ran on the receiver's
 * CPU: the window ends, and none opens for RECEIVER_SPIN_BACKOFF_NS.
 */
#define RECEIVER_SPIN_GAP_NS (20 * 1000ULL)
#define RECEIVER_SPIN_BACKOFF_NS (10 * 1000 * 1000ULL)

/**
 * enum receiver_wake - how the receiver waits for the job's notified calls
 * (receiver.c); `cordon doctor` prints it.
 * @RECEIVER_WAKE_SYNC:	asleep in the listener's receive, with
 *			SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): a call
 *			hands the CPU to the receiver and back.
 * @RECEIVER_WAKE_POLL:	without it, on more than one CPU: after each call
 *			the receiver polls the listener for a while (adaptive,
 *			RECEIVER_SPIN_MAX_NS at most) before it sleeps.
 * @RECEIVER_WAKE_SLEEP: without it on one CPU: asleep in the receive (the
 *			wake-ups are local; polling would only burn the CPU).
 */
enum receiver_wake {
	RECEIVER_WAKE_SYNC,
	RECEIVER_WAKE_POLL,
	RECEIVER_WAKE_SLEEP,
};

/**
 * receiver_wake_mode() - the wake-up mode a job gets with @f (the masked
 * view of platform_features()) when the supervisor may run on @ncpus CPUs.
 */
enum receiver_wake receiver_wake_mode(const struct platform_features *f,
				      int ncpus);

/** receiver_wake_name() - "sync", "poll" or "sleep" (static). */
const char *receiver_wake_name(enum receiver_wake w);

/** receiver_ncpus() - how many CPUs the calling thread may run on (>= 1). */
int receiver_ncpus(void);

/** filter_prog_free() - release a compiled program. */
void filter_prog_free(struct filter_prog *f);

/* ---------------------------------------------------------------------------
 * Running a job.
 */

enum sentry_audit_level {
	SENTRY_AUDIT_LEVEL_DENIALS, /* denials and events (default) */
	SENTRY_AUDIT_LEVEL_ALL,	    /* also every allowed notified call */
};

/**
 * struct sentry_opts - what `cordon run` asks for.
 * @argv, @envp:      the command and its environment; borrowed.
 * @platform:         the backend.
 * @platform_auto:    --platform auto: @platform is unotify, and ptrace is
 *                    taken where the kernel refuses a listener (EBUSY).
 * @audit_path:       JSON Lines audit file, "-" for stderr, NULL for none.
 * @audit_level:      what is recorded.
 * @audit_max_bytes:  cap on the audit file; past it records are counted only.
 * @keep_going:       when the first process exits, wait for the rest of the
 *                    tree instead of killing it.
 * @grace_ms:         after SIGINT/SIGTERM to cordon, how long the job has
 *                    before SIGKILL.
 * @landlock:         enter a Landlock domain when the kernel has Landlock
 *                    (scoped for signals and abstract sockets from ABI 6).
 * @overrides, @n_overrides: syscall class overrides of the zone.
 * @zone_name:        for audit records and messages.
 * @policy_digest:    fingerprint of the effective policy (0: none).
 * @tables:           the zone's compiled decision tables (borrowed).
 * @limits:           the zone's resource limits (borrowed; NULL: none).
 * @grace_explicit:   --grace was given: a limit kill sends SIGTERM first.
 * @report:           print one line per limit at exit (also when one fired).
 * @report_json:      write the summary record alone to this file.
 * @slot_name, @slot_count, @slot_timeout_ms: hold one of @slot_count slots
 *                    named @slot_name while the job runs (NULL: none);
 *                    wait up to the timeout (-1: for ever, 0: fail at once).
 * @runas:            who the job runs as (runas_resolve()); NULL or one
 *                    without @drop: as the caller.
 * @workspace:        a directory the job gets to own for the run when it
 *                    runs as another user (workspace.c); NULL: none.
 * @env_dropped, @n_env_dropped: the names of the secret carriers left out
 *                    of @envp (policy_env_secret()), for the audit header;
 *                    borrowed. Never their values.
 * @fs_workspace:     the job's workspace, resolved ($WORKSPACE of the
 *                    zone's fs rules): --workspace DIR or the cwd.
 * @job_tmpdir:       the private TMPDIR made by jobtmp_create() (@envp
 *                    points TMPDIR at it), removed by the anchor after
 *                    the run; NULL: none.
 * @allow_unconfined_fs: the zone's fs rules may go without a Landlock
 *                    domain (no Landlock, --no-landlock): the supervisor
 *                    then applies them to the opens it performs only.
 */
struct sentry_opts {
	char *const *argv;
	char *const *envp;
	enum platform_kind platform;
	bool platform_auto;
	const char *audit_path;
	enum sentry_audit_level audit_level;
	uint64_t audit_max_bytes;
	bool keep_going;
	unsigned grace_ms;
	bool landlock;
	const struct syscall_override *overrides;
	size_t n_overrides;
	const char *zone_name;
	uint64_t policy_digest;
	const struct zone_tables *tables;
	const struct policy_limits *limits;
	bool grace_explicit;
	bool report;
	const char *report_json;
	const char *slot_name;
	unsigned slot_count;
	int slot_timeout_ms;
	const struct runas *runas;
	const char *workspace;
	const char *const *env_dropped;
	size_t n_env_dropped;
	const char *fs_workspace;
	const char *job_tmpdir;
	bool allow_unconfined_fs;
};

/**
 * jobtmp_create() - make the job's private TMPDIR (jobtmp.c): a new 0700
 * directory under the caller's TMPDIR (when absolute) or /tmp, given to
 * @uid:@gid when @chown_it. @out gets its path.
 * Return: 0, or -errno with the message in @why.
 */
int jobtmp_create(uid_t uid, gid_t gid, bool chown_it, char *out, size_t len,
		  char *why, size_t wlen);

/**
 * jobtmp_remove() - remove @path and everything below it, through
 * directory fds, never following a symlink or crossing a mount (jobtmp.c);
 * warns when something stayed. NULL is a no-op. Return: 0 or -errno.
 */
int jobtmp_remove(const char *path);

/**
 * struct runas - who the job runs as (sentry/runas.c).
 * @uid, @gid: the job's ids (real, effective, saved, filesystem).
 * @name:      the user name from passwd, or the uid in decimal: the job's
 *             USER and LOGNAME.
 * @home:      the home from passwd, or "/nonexistent": the job's HOME.
 * @drop:      the ids are not the caller's: cordon was started as root and
 *             the supervisor (and so the job) drops to them.
 */
struct runas {
	uid_t uid;
	gid_t gid;
	char name[256];
	char home[1024];
	bool drop;
};

/**
 * runas_resolve() - the job's ids for `--user @spec` (NULL: not given).
 * @spec:       NAME, UID, NAME:GROUP or UID:GID; a UID without a passwd
 *              entry gets GID = UID.
 * @allow_root: --allow-root-job: uid or gid 0 may be asked for, and without
 *              @spec a root caller's job stays root.
 * @r:          filled.
 * @why, @len:  the message for the user on failure.
 * Without @spec a root caller's job runs as "nobody" (65534:65534 when
 * passwd has none); any other caller's as itself. Not root, @spec must name
 * the caller's own uid and gid.
 * Return: 0; -ENOENT (no such user or group), -EINVAL (bad spec), -EPERM
 * (root without @allow_root, another user's ids when not root, real and
 * effective ids that differ).
 */
int runas_resolve(const char *spec, bool allow_root, struct runas *r, char *why,
		  size_t len);

/**
 * runas_drop() - become @r for good, when @r->drop: supplementary groups set
 * to @r->gid alone, all ids @r's, every capability set and the bounding set
 * empty, securebits locked (SECBIT_NOROOT, no ambient raise, no keep-caps,
 * setuid fixup kept), no_new_privs, not dumpable - then runas_verify().
 * The parent-death signal is reset by the kernel: the caller re-arms it.
 * Return: 0, or -errno / -EPERM (a check failed; the process is then in an
 * unknown state and must not run a job).
 */
int runas_drop(const struct runas *r);

/**
 * runas_verify() - read back everything runas_drop() set.
 * Return: 0, or -EPERM at the first difference.
 */
int runas_verify(const struct runas *r);

/** slot_name_valid() - 1..63 of [A-Za-z0-9._-], not starting with '.'. */
bool slot_name_valid(const char *name);

/**
 * sentry_run() - run the job to its end under supervision.
 * Forks the guard arrangement (see guard.c): the calling process becomes the
 * anchor, which only relays signals and the exit status; a child becomes the
 * supervisor. Never returns in the supervisor.
 * Return: the exit status for cordon (the job's own, 128+N, or a
 * CORDON_EXIT_* code).
 */
int sentry_run(const struct sentry_opts *o);

#endif /* CORDON_SENTRY_H */
