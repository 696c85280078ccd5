/* SPDX-License-Identifier: MIT */
/*
 * test_filter.c - the compiled filter, installed for real in a forked child
 * (as the unprivileged test user), refuses what it must in the kernel:
 * non-native ABIs die, bypasses fail with their errno, namespace flags on
 * clone fail, unknown numbers get ENOSYS, socket kinds and SO_PASSRIGHTS are
 * decided on their registers, ordinary calls pass. Installed
 * without a listener, so notified calls answer ENOSYS here; the supervisor's
 * answers are tested in test_platform.c and the integration tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "sentry/sentry.h"

static void filter_install_layers(const struct syscall_override *ov, size_t n,
				  unsigned int layers)
{
	struct filter_prog f;
	const char *why;

	harness_drop_root();
	CHECK_EQ(filter_compile(ov, n, layers, PLATFORM_TRAP_UNOTIFY, &f, &why),
		 0);
	CHECK(f.prog.len > 10);
	CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	CHECK_EQ(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f.prog), 0);
}

/* The supervisor-layer filter: every lateral row notified. */
static void filter_install(const struct syscall_override *ov, size_t n)
{
	filter_install_layers(ov, n, 0);
}

#define CHECK_ERRNO(call, e)                                                   \
	do {                                                                   \
		errno = 0;                                                     \
		long check_rc_ = (long)(call);                                 \
		CHECK_MSG(check_rc_ == -1 && errno == (e),                     \
			  "%s: rc %ld errno %d, want errno %d", #call,         \
			  check_rc_, errno, (e));                              \
	} while (0)

/*
 * Whether int 0x80 reaches the kernel here at all: some hypervisors (PVM)
 * raise a general protection fault for it, so natively it dies of SIGSEGV
 * and no i386 call can reach any filter.
 */
static bool host_has_int80(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r;

		/* The kernel's verdict, not a sanitizer's SIGSEGV handler. */
		signal(SIGSEGV, SIG_DFL);
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		_exit(r == getpid() ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return true;
	return !(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

static void test_int80_killed(void)
{
	long ret;

	if (!host_has_int80())
		harness_skip("int 0x80 faults natively on this host (no i386 "
			     "entry): no i386 call can reach a filter");
	filter_install(NULL, 0);
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	/* Reaching here means the i386 ABI got through. */
	harness_fail(__FILE__, __LINE__, "int 0x80 getpid returned %ld", ret);
}

static void test_x32_killed(void)
{
	long ret;

	filter_install(NULL, 0);
	ret = syscall(0x40000000L | SYS_getpid);
	harness_fail(__FILE__, __LINE__, "x32 getpid returned %ld", ret);
}

static void test_native_allowed(void)
{
	filter_install(NULL, 0);
	CHECK(syscall(SYS_getpid) == getpid());
	CHECK(syscall(SYS_getppid) > 0);
	CHECK_EQ(write(-1, "", 0), -1); /* EBADF from the kernel, not us */
	CHECK_EQ(errno, EBADF);
}

static void test_bypasses_refused(void)
{
	char params[128] = {0};

	filter_install(NULL, 0);
	CHECK_ERRNO(syscall(SYS_io_uring_setup, 4, params), ENOSYS);
	CHECK_ERRNO(syscall(SYS_io_uring_enter, 0, 0, 0, 0, 0, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_io_uring_register, 0, 0, 0, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_bpf, 0, 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_perf_event_open, params, 0, -1, -1, 0), EACCES);
	CHECK_ERRNO(syscall(SYS_userfaultfd, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_keyctl, 0, 0, 0, 0, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_add_key, "user", "x", "y", 1, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_request_key, "user", "x", 0, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_kexec_load, 0, 0, 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_init_module, 0, 0, ""), EPERM);
	CHECK_ERRNO(syscall(SYS_finit_module, -1, "", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_delete_module, "x", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_umount2, "/tmp", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_pivot_root, "/", "/"), EPERM);
	CHECK_ERRNO(syscall(SYS_fsopen, "tmpfs", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_fsmount, -1, 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_move_mount, -1, "", -1, "", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_open_tree, -1, "/", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_unshare, CLONE_NEWUSER), EPERM);
	CHECK_ERRNO(syscall(SYS_unshare, CLONE_NEWNET), EPERM);
	CHECK_ERRNO(syscall(SYS_setns, 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_acct, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_swapon, "/x", 0), EPERM);
	CHECK_ERRNO(syscall(SYS_swapoff, "/x"), EPERM);
	CHECK_ERRNO(syscall(SYS_reboot, 0, 0, 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_syslog, 3, params, 10), EPERM);
	CHECK_ERRNO(syscall(SYS_vhangup), EPERM);
	CHECK_ERRNO(syscall(SYS_quotactl, 0, 0, 0, 0), EPERM);
	CHECK_ERRNO(syscall(SYS_lookup_dcookie, 0, 0, 0), ENOSYS);
}

static void test_clone_namespaces(void)
{
	static const unsigned long ns[] = {
		CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
		CLONE_NEWUSER, CLONE_NEWPID,	CLONE_NEWNET,
	};
	size_t i;
	long pid;
	int st;

	filter_install(NULL, 0);
	for (i = 0; i < ARRAY_SIZE(ns); i++)
		CHECK_ERRNO(syscall(SYS_clone, ns[i] | SIGCHLD, 0, 0, 0, 0),
			    EPERM);
	/* High garbage bits do not hide a namespace flag. */
	CHECK_ERRNO(syscall(SYS_clone,
			    0xffff000000000000UL | CLONE_NEWUSER | SIGCHLD, 0,
			    0, 0, 0),
		    EPERM);
	/* clone3 keeps flags in memory: ENOSYS so libc falls back. */
	CHECK_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
	/* Plain fork through clone still works. */
	pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0);
	CHECK_EQ(waitpid((pid_t)pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

static void test_seccomp_listener_refused(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};

	filter_install(NULL, 0);
	CHECK_ERRNO(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog),
		    EPERM);
	CHECK_ERRNO(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER |
				    SECCOMP_FILTER_FLAG_TSYNC,
			    &prog),
		    EPERM);
	/* Stacking a plain filter is the job's own business. */
	CHECK_EQ(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), 0);
}

static void test_unknown_enosys(void)
{
	filter_install(NULL, 0);
	CHECK_ERRNO(syscall(1000), ENOSYS);
	CHECK_ERRNO(syscall(470), ENOSYS);
	CHECK_ERRNO(syscall(0x3fffffffL), ENOSYS);
}

static void test_override_errno(void)
{
	const struct syscall_override ov[] = {
		{.name = "getppid", .cls = SYSCALL_CLASS_ERRNO, .err = EACCES},
	};

	filter_install(ov, ARRAY_SIZE(ov));
	CHECK_ERRNO(syscall(SYS_getppid), EACCES);
	CHECK(syscall(SYS_getpid) > 0);
}

static void test_override_validation(void)
{
	const struct syscall_override locked[] = {
		{.name = "io_uring_setup", .cls = SYSCALL_CLASS_ALLOW},
	};
	const struct syscall_override mediated[] = {
		{.name = "execve", .cls = SYSCALL_CLASS_ALLOW},
	};
	const struct syscall_override unknown[] = {
		{.name = "frobnicate", .cls = SYSCALL_CLASS_ERRNO, .err = 1},
	};
	const struct syscall_override hygiene[] = {
		{.name = "syslog", .cls = SYSCALL_CLASS_ALLOW},
	};
	struct filter_prog f;
	const char *why;

	CHECK_EQ(filter_compile(locked, 1, 0, FILTER_PREBUILT_TRAP, &f, &why),
		 -EPERM);
	CHECK_STREQ(why, "io_uring_setup");
	CHECK_EQ(filter_compile(mediated, 1, 0, FILTER_PREBUILT_TRAP, &f, &why),
		 -EPERM);
	CHECK_EQ(filter_compile(unknown, 1, 0, FILTER_PREBUILT_TRAP, &f, &why),
		 -EINVAL);
	CHECK_STREQ(why, "frobnicate");
	CHECK_EQ(filter_compile(hygiene, 1, 0, FILTER_PREBUILT_TRAP, &f, &why),
		 0);
	filter_prog_free(&f);
}

/*
 * With the Landlock layers the lateral rows stay in the kernel; the calls
 * Landlock does not cover are notified (ENOSYS here, without a listener)
 * unless they name the caller itself.
 */
static void test_lateral_kernel_layer(void)
{
	uint64_t lim[2];
	/* Raising one's own nice needs no privilege (the suite may run under
	 * nice(1): lowering it would). */
	int nice_up = getpriority(PRIO_PROCESS, 0) + 1;

	filter_install_layers(NULL, 0,
			      SYSCALL_LATERAL_SCOPE | SYSCALL_LATERAL_DOMAIN);
	CHECK_EQ(kill(getpid(), 0), 0);
	CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0);
	CHECK_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, lim), 0);
	CHECK_ERRNO(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, lim),
		    ENOSYS);
	CHECK_EQ(setpriority(PRIO_PROCESS, 0, nice_up), 0);
	CHECK_ERRNO(setpriority(PRIO_PROCESS, getpid(), nice_up), ENOSYS);
	CHECK_ERRNO(setpriority(PRIO_USER, 0, nice_up), ENOSYS);
	CHECK_ERRNO(setpriority(PRIO_PGRP, 0, nice_up), ENOSYS);
	CHECK_EQ(syscall(SYS_ioprio_set, 1, 0, 0), 0);
	CHECK_ERRNO(syscall(SYS_ioprio_set, 3, 0, 0), ENOSYS);
	CHECK_EQ(setpgid(0, 0), 0);
	CHECK_ERRNO(setpgid(0, 1), ENOSYS);
	/* A pid with garbage above the int the kernel reads is notified. */
	CHECK_ERRNO(syscall(SYS_sched_setparam, 0x100000000L, lim), ENOSYS);
	CHECK_ERRNO(syscall(SYS_process_mrelease, -1, 0), ENOSYS);
}

/* Without them, every lateral row goes to the supervisor. */
static void test_lateral_supervisor_layer(void)
{
	filter_install(NULL, 0);
	CHECK_ERRNO(kill(getpid(), 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_tgkill, getpid(), getpid(), 0), ENOSYS);
	CHECK_ERRNO(open("/dev/null", O_RDONLY), ENOSYS);
	CHECK_ERRNO(syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_ptrace, 0, 0, 0, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_process_vm_readv, 1, NULL, 0, NULL, 0, 0),
		    ENOSYS);
	CHECK_ERRNO(syscall(SYS_pidfd_getfd, -1, 0, 0), ENOSYS);
	CHECK(syscall(SYS_getpid) > 0);
}

/*
 * A Landlock domain without scoping (ABI 1-5): opens, ptrace and the
 * process_vm and pidfd_getfd rows stay in the kernel, whose domain refuses
 * outsiders; the signal rows and what Landlock never covers are notified.
 */
static void test_lateral_domain_layer(void)
{
	filter_install_layers(NULL, 0, SYSCALL_LATERAL_DOMAIN);
	CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0);
	CHECK(openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC) >= 0);
	CHECK_ERRNO(syscall(SYS_pidfd_getfd, -1, 0, 0), EBADF);
	/* Nothing to copy: the kernel's 0, not the filter's ENOSYS. */
	CHECK_EQ(syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0),
		 0);
	CHECK_ERRNO(kill(getpid(), 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_tkill, getpid(), 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_tgkill, getpid(), getpid(), 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_rt_sigqueueinfo, getpid(), 0, NULL), ENOSYS);
	CHECK_ERRNO(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), 0, NULL),
		    ENOSYS);
	CHECK_ERRNO(syscall(SYS_pidfd_send_signal, -1, 0, NULL, 0), ENOSYS);
	CHECK_ERRNO(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, NULL),
		    ENOSYS);
	CHECK_ERRNO(setpgid(0, 1), ENOSYS);
}

/*
 * Sockets owned from birth (FILTER_BIRTH): the allowed socket kinds, accept,
 * the closing calls, and what can copy fds into another table (fork, clone,
 * pidfd_getfd) go to the supervisor (ENOSYS here: no listener);
 * refused kinds stay refused in the kernel. Without it they never leave.
 */
/* fork or clone(SIGCHLD); a child made after all (a broken filter) ends. */
static long birth_spawn(long nr)
{
	long r = nr == SYS_clone ? syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)
				 : syscall(nr);

	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static void test_birth_rows(void)
{
	filter_install_layers(NULL, 0,
			      FILTER_BIRTH | SYSCALL_LATERAL_SCOPE |
				      SYSCALL_LATERAL_DOMAIN);
	CHECK_ERRNO(socket(AF_INET, SOCK_STREAM, 0), ENOSYS);
	CHECK_ERRNO(socket(AF_UNIX, SOCK_STREAM, 0), ENOSYS);
	CHECK_ERRNO(socket(AF_PACKET, SOCK_RAW, 0), EAFNOSUPPORT);
	CHECK_ERRNO(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EACCES);
	CHECK_ERRNO(accept(-1, NULL, NULL), ENOSYS);
	CHECK_ERRNO(accept4(-1, NULL, NULL, 0), ENOSYS);
	CHECK_ERRNO(close(-1), ENOSYS);
	CHECK_ERRNO(dup2(-1, 100), ENOSYS);
	CHECK_ERRNO(syscall(SYS_close_range, 100, 101, 0), ENOSYS);
	/* What may copy a job socket into another fd table is seen too. */
	CHECK_ERRNO(birth_spawn(SYS_fork), ENOSYS);
	CHECK_ERRNO(birth_spawn(SYS_clone), ENOSYS);
	CHECK_ERRNO(syscall(SYS_pidfd_getfd, -1, 0, 0), ENOSYS);
	CHECK(syscall(SYS_getpid) > 0);
}

static void test_birth_rows_off(void)
{
	int fd;

	filter_install_layers(NULL, 0,
			      SYSCALL_LATERAL_SCOPE | SYSCALL_LATERAL_DOMAIN);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK_EQ(close(fd), 0);
	CHECK_ERRNO(close(-1), EBADF);
	CHECK_ERRNO(accept(-1, NULL, NULL), EBADF);
	CHECK_ERRNO(syscall(SYS_pidfd_getfd, -1, 0, 0), EBADF);
}

/*
 * A zone that can translate a socket (FILTER_SOCKNAMES): getsockname and
 * getpeername go to the supervisor (ENOSYS here: no listener), which shows
 * what the job believes. Without it they never leave the kernel.
 */
static void test_sockname_rows(void)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	filter_install_layers(NULL, 0,
			      FILTER_SOCKNAMES | SYSCALL_LATERAL_SCOPE |
				      SYSCALL_LATERAL_DOMAIN);
	CHECK_ERRNO(getsockname(-1, (struct sockaddr *)&ss, &l), ENOSYS);
	CHECK_ERRNO(getpeername(-1, (struct sockaddr *)&ss, &l), ENOSYS);
	CHECK(syscall(SYS_getpid) > 0);
}

static void test_sockname_rows_off(void)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	int fd;

	filter_install_layers(NULL, 0,
			      SYSCALL_LATERAL_SCOPE | SYSCALL_LATERAL_DOMAIN);
	CHECK_ERRNO(getsockname(-1, (struct sockaddr *)&ss, &l), EBADF);
	CHECK_ERRNO(getpeername(-1, (struct sockaddr *)&ss, &l), EBADF);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&ss, &l), 0);
	CHECK_ERRNO(getpeername(fd, (struct sockaddr *)&ss, &l), ENOTCONN);
	close(fd);
}

/* Every prebuilt program exists with and without the socket-name rows. */
static void test_sockname_prebuilt(void)
{
	static const unsigned int all[] = FILTER_PREBUILT_LAYERS;
	size_t i, j, with = 0;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		bool twin = false;

		if (!(all[i] & FILTER_SOCKNAMES))
			continue;
		with++;
		for (j = 0; j < ARRAY_SIZE(all); j++)
			twin |= all[j] == (all[i] & ~FILTER_SOCKNAMES);
		CHECK(twin);
	}
	CHECK_EQ(with * 2, ARRAY_SIZE(all));
}

static void test_lateral_rows_counted(void)
{
	size_t all = filter_mediated_rows(0);
	size_t kernel = filter_mediated_rows(SYSCALL_LATERAL_SCOPE |
					     SYSCALL_LATERAL_DOMAIN);
	size_t domain = filter_mediated_rows(SYSCALL_LATERAL_DOMAIN);

	CHECK_EQ(kernel, 10);
	/* kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
	 * pidfd_send_signal. */
	CHECK_EQ(domain, kernel + 6);
	CHECK_EQ(all, kernel + 20);
}

/* ---- socket kinds ---------------------------------------------------- */

/*
 * The reference for SYSCALL_RULE_SOCKET_KINDS, written independently of
 * filter.c's table: 0 when the filter lets the kernel decide, else the errno
 * the filter must answer. A high half that is not zero is never allowed.
 */
static int want_socket(uint64_t d, uint64_t t, uint64_t p)
{
	uint64_t k = t & 0xf;

	if (d == AF_UNIX)
		return 0;
	if (d == AF_INET || d == AF_INET6) {
		if ((k == SOCK_STREAM && (p == 0 || p == IPPROTO_TCP)) ||
		    (k == SOCK_DGRAM && (p == 0 || p == IPPROTO_UDP)))
			return 0;
		/* A protocol cordon does not mediate: "not here". */
		if (k == SOCK_STREAM || k == SOCK_DGRAM)
			return EPROTONOSUPPORT;
		return EACCES;
	}
	if (d == AF_NETLINK)
		return (k == SOCK_RAW || k == SOCK_DGRAM) && p == 0
			       ? 0
			       : EAFNOSUPPORT;
	return EAFNOSUPPORT;
}

static const uint64_t sock_domains_extra[] = {
	0x100000000ULL | AF_INET, 0xffffffff00000000ULL | AF_INET6,
	0x8000000000000001ULL,	  0x80000001ULL,
	0xffffffffffffffffULL,	  0x100000000ULL | AF_NETLINK,
};
static const uint64_t sock_protos[] = {
	0,
	1,
	2,
	6,
	17,
	58,
	132,
	136,
	255,
	262,
	0x100000000ULL | 6,
	0x100000000ULL,
	0xffffffffffffffffULL,
	0x80000000ULL | 17,
};

#define SOCK_N_DOMAINS (48 + ARRAY_SIZE(sock_domains_extra))

static uint64_t sock_domain(size_t i)
{
	return i < 48 ? i : sock_domains_extra[i - 48];
}

static const uint64_t sock_flags[] = {0, SOCK_NONBLOCK | SOCK_CLOEXEC,
				      0xffff000000000000ULL};

#define SOCK_N_CASES                                                           \
	(SOCK_N_DOMAINS * 16 * ARRAY_SIZE(sock_flags) * ARRAY_SIZE(sock_protos))

/* Case @i of the grid: domain, type (nibble | flags), protocol. */
static void sock_case(size_t i, uint64_t *d, uint64_t *t, uint64_t *p)
{
	*p = sock_protos[i % ARRAY_SIZE(sock_protos)];
	i /= ARRAY_SIZE(sock_protos);
	*t = sock_flags[i % ARRAY_SIZE(sock_flags)];
	i /= ARRAY_SIZE(sock_flags);
	*t |= i % 16;
	*d = sock_domain(i / 16);
}

/* socket() as asked, closed at once. Return: 0 or the errno. */
static int sock_try(uint64_t d, uint64_t t, uint64_t p)
{
	long fd;

	errno = 0;
	fd = syscall(SYS_socket, d, t, p);
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

/*
 * Every (domain, type, protocol) in a grid - garbage high halves, flag
 * bits, every type nibble - against the reference. Where the filter lets
 * the kernel decide, the kernel's own answer without the filter (taken
 * first, as the same user) must come back unchanged.
 */
static void test_socket_kinds(void)
{
	static int native[SOCK_N_CASES];
	size_t i, checked = 0;
	uint64_t d, t, p;

	harness_drop_root();
	/* Native answers only for what the filter passes (no module loads). */
	for (i = 0; i < SOCK_N_CASES; i++) {
		sock_case(i, &d, &t, &p);
		if (!want_socket(d, t, p))
			native[i] = sock_try(d, t, p);
	}
	filter_install(NULL, 0);
	for (i = 0; i < SOCK_N_CASES; i++) {
		int want, got;

		sock_case(i, &d, &t, &p);
		want = want_socket(d, t, p);
		if (!want)
			want = native[i];
		got = sock_try(d, t, p);
		CHECK_MSG(got == want,
			  "socket(%#llx, %#llx, %#llx): errno %d, want %d",
			  (unsigned long long)d, (unsigned long long)t,
			  (unsigned long long)p, got, want);
		checked++;
	}
	CHECK(checked > 10000);
}

/* ---- SO_PASSRIGHTS ------------------------------------------------------ */

#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

static const uint64_t sockopt_levels[] = {
	0,
	SOL_SOCKET,
	IPPROTO_TCP,
	IPPROTO_UDP,
	IPPROTO_IPV6,
	263,
	0x100000000ULL | SOL_SOCKET,
	0xffffffff00000000ULL | SOL_SOCKET,
};

/* Option 83 at any level: only SO_PASSRIGHTS has that number. */
static bool sockopt_refused(uint64_t level, uint64_t name)
{
	(void)level;
	return (uint32_t)name == SO_PASSRIGHTS;
}

static int sockopt_try(int domain, int type, uint64_t level, uint64_t name)
{
	int fd = socket(domain, type, 0), v = 0;
	long rc;

	if (fd < 0)
		return -errno;
	errno = 0;
	rc = syscall(SYS_setsockopt, fd, level, name, &v, sizeof(v));
	close(fd);
	return rc < 0 ? errno : 0;
}

/*
 * setsockopt(SO_PASSRIGHTS), however the registers spell it, answers
 * ENOPROTOOPT: the supervisor owns that flag. Every other option at every
 * level answers what the kernel answers without the filter.
 */
static void test_setsockopt_passrights(void)
{
	static const uint64_t extra_names[] = {
		0x100000000ULL | SO_PASSRIGHTS,
		0xffffffff00000000ULL | SO_PASSRIGHTS, 0x80000000ULL | 2,
		0xffffffffffffffffULL};
	static const int kinds[][2] = {{AF_UNIX, SOCK_STREAM},
				       {AF_UNIX, SOCK_DGRAM},
				       {AF_INET, SOCK_STREAM}};
#define N_NAMES (140 + ARRAY_SIZE(extra_names))
	static int native[ARRAY_SIZE(kinds)][ARRAY_SIZE(sockopt_levels)]
			 [N_NAMES];
	size_t ki, li, ni;
	int pair[2], native_get;

	harness_drop_root();
	for (ki = 0; ki < ARRAY_SIZE(kinds); ki++)
		for (li = 0; li < ARRAY_SIZE(sockopt_levels); li++)
			for (ni = 0; ni < N_NAMES; ni++) {
				uint64_t n =
					ni < 140 ? ni : extra_names[ni - 140];

				native[ki][li][ni] =
					sockopt_try(kinds[ki][0], kinds[ki][1],
						    sockopt_levels[li], n);
			}
	/*
	 * Whether the kernel has the flag at all (SO_PASSRIGHTS, Linux 6.16):
	 * without it getsockopt() answers ENOPROTOOPT, filter or not.
	 */
	pair[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(pair[0] >= 0);
	{
		int v = -1;
		socklen_t vl = sizeof(v);

		native_get = getsockopt(pair[0], SOL_SOCKET, SO_PASSRIGHTS, &v,
					&vl) == 0
				     ? v
				     : -errno;
	}
	close(pair[0]);
	filter_install(NULL, 0);
	for (ki = 0; ki < ARRAY_SIZE(kinds); ki++)
		for (li = 0; li < ARRAY_SIZE(sockopt_levels); li++)
			for (ni = 0; ni < N_NAMES; ni++) {
				uint64_t l = sockopt_levels[li],
					 n = ni < 140 ? ni
						      : extra_names[ni - 140];
				int want = sockopt_refused(l, n)
						   ? ENOPROTOOPT
						   : native[ki][li][ni];
				int got = sockopt_try(kinds[ki][0],
						      kinds[ki][1], l, n);

				CHECK_MSG(got == want,
					  "setsockopt(%#llx, %#llx) on %d/%d: "
					  "errno %d, want %d",
					  (unsigned long long)l,
					  (unsigned long long)n, kinds[ki][0],
					  kinds[ki][1], got, want);
			}
	/*
	 * The flag itself is still on, as the kernel made it, or still
	 * unknown to a kernel before 6.16, as natively. (socket(), not
	 * socketpair(): that one goes to the supervisor, absent here.)
	 */
	pair[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(pair[0] >= 0);
	{
		int v = -1;
		socklen_t vl = sizeof(v);

		if (native_get == -ENOPROTOOPT) {
			CHECK_EQ(getsockopt(pair[0], SOL_SOCKET, SO_PASSRIGHTS,
					    &v, &vl),
				 -1);
			CHECK_EQ(errno, ENOPROTOOPT);
		} else {
			CHECK_EQ(native_get, 1);
			CHECK_EQ(getsockopt(pair[0], SOL_SOCKET, SO_PASSRIGHTS,
					    &v, &vl),
				 0);
			CHECK_EQ(v, 1);
		}
	}
	close(pair[0]);
#undef N_NAMES
}

/*
 * The programs compiled at build time are what libseccomp compiles now, for
 * every set of layers; and a zone's overrides still compile at run time.
 */
/* ---- TIOCSTI ------------------------------------------------------------ */

/*
 * ioctl(TIOCSTI) on the caller's own controlling terminal - which natively
 * pushes the byte into its input - answers EPERM, however the request
 * register is spelled (the kernel reads an unsigned int); its neighbours
 * TIOCOUTQ (0x5411) and TIOCGWINSZ (0x5413) work as natively.
 */
/*
 * In a child that is not a group leader, so that setsid() works: set up a
 * pty as its controlling terminal. Return: the slave, or -1.
 */
static int tiocsti_ctty(int *m)
{
	char *name;

	if (setsid() < 0)
		return -1;
	*m = posix_openpt(O_RDWR | O_NOCTTY);
	if (*m < 0 || grantpt(*m) < 0 || unlockpt(*m) < 0 ||
	    !(name = ptsname(*m)))
		return -1;
	return open(name, O_RDWR); /* a session leader: our controlling tty */
}

static void test_ioctl_no_tiocsti(void)
{
	static const uint64_t spellings[] = {
		TIOCSTI,
		0x100000000ULL | TIOCSTI,
		0xffffffff00000000ULL | TIOCSTI,
	};
	struct winsize ws;
	char c = 'x';
	int m = -1, sl, q, status;
	size_t i;
	pid_t pid;

	harness_drop_root();
	pid = fork();
	CHECK(pid >= 0);
	if (pid > 0) {
		CHECK_EQ(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
			harness_skip(
				"TIOCSTI is refused natively here "
				"(dev.tty.legacy_tiocsti=0): nothing to show");
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "child status %#x", status);
		return;
	}
	sl = tiocsti_ctty(&m);
	CHECK(sl >= 0);
	/* Natively it works, unless the kernel refuses it already (6.2+). */
	if (ioctl(sl, TIOCSTI, &c) < 0)
		_exit(77);
	filter_install(NULL, 0);
	for (i = 0; i < ARRAY_SIZE(spellings); i++)
		CHECK_ERRNO(syscall(SYS_ioctl, sl, spellings[i], &c), EPERM);
	CHECK_EQ(ioctl(sl, TIOCGWINSZ, &ws), 0);
	CHECK_EQ(ioctl(sl, TIOCOUTQ, &q), 0);
	CHECK_EQ(isatty(sl), 1);
	_exit(0);
}

/* ---- PR_SET_DUMPABLE ---------------------------------------------------- */

/*
 * prctl(PR_SET_DUMPABLE, 0), however the option register is spelled (the
 * kernel reads an int), answers EPERM and the process stays dumpable, so
 * the supervisor can still read it; every other prctl works as natively.
 */
static void test_prctl_keep_dumpable(void)
{
	static const uint64_t option_spellings[] = {
		PR_SET_DUMPABLE,
		0x100000000ULL | PR_SET_DUMPABLE,
		0xffffffff00000000ULL | PR_SET_DUMPABLE,
	};
	char name[16];
	size_t i;

	filter_install(NULL, 0);
	/* Dropping root reset it (a credential change): set it back. */
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	for (i = 0; i < ARRAY_SIZE(option_spellings); i++) {
		CHECK_ERRNO(syscall(SYS_prctl, option_spellings[i], 0UL, 0UL,
				    0UL, 0UL),
			    EPERM);
		CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	}
	/* Values the kernel refuses itself keep its own answer. */
	CHECK_ERRNO(syscall(SYS_prctl, (long)PR_SET_DUMPABLE, 0x100000000UL,
			    0UL, 0UL, 0UL),
		    EINVAL);
	CHECK_ERRNO(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_EQ(prctl(PR_SET_NAME, "kept", 0, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
	CHECK_STREQ(name, "kept");
}

static void test_prebuilt_current(void)
{
	static const unsigned int all[] = FILTER_PREBUILT_LAYERS;
	static const struct syscall_override ov[] = {
		{"acct", SYSCALL_CLASS_ERRNO, EACCES}};
	struct filter_prog a, b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		CHECK_EQ(filter_compile(NULL, 0, all[i], FILTER_PREBUILT_TRAP,
					&a, NULL),
			 0);
		CHECK_EQ(filter_compile_libseccomp(NULL, 0, all[i],
						   FILTER_PREBUILT_TRAP, &b,
						   NULL),
			 0);
		CHECK_EQ(a.prog.len, b.prog.len);
		CHECK(!memcmp(a.prog.filter, b.prog.filter,
			      a.prog.len * sizeof(*a.prog.filter)));
		CHECK_EQ(a.digest, b.digest);
		filter_prog_free(&a);
		filter_prog_free(&b);
	}
	CHECK_EQ(filter_compile(ov, 1, 0, FILTER_PREBUILT_TRAP, &a, NULL), 0);
	CHECK_EQ(filter_compile(NULL, 0, 0, FILTER_PREBUILT_TRAP, &b, NULL), 0);
	CHECK(a.digest != b.digest);
	filter_prog_free(&a);
	filter_prog_free(&b);
}

/* Instructions of @p that are exactly @code with constant @k. */
static size_t count_insn(const struct filter_prog *p, uint16_t code, uint32_t k)
{
	size_t j, n = 0;

	for (j = 0; j < p->prog.len; j++)
		if (p->prog.filter[j].code == code && p->prog.filter[j].k == k)
			n++;
	return n;
}

/*
 * The trap action is the platform's: a tracer's SECCOMP_RET_TRACE | n
 * compiles at run time into the same table with every notifying return
 * changed, whatever the layers, and one rule more: clone(CLONE_UNTRACED)
 * refused (a task the tracer would never see). An action that is neither
 * is refused.
 */
static void test_trap_action(void)
{
	static const unsigned int all[] = FILTER_PREBUILT_LAYERS;
	const uint32_t trace = SECCOMP_RET_TRACE | 7;
	const uint16_t ret = BPF_RET | BPF_K;
	const uint16_t and = BPF_ALU | BPF_AND | BPF_K;
	const uint32_t untraced = 0x00800000U; /* CLONE_UNTRACED */
	struct filter_prog a, b;
	size_t i, notify;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		CHECK_EQ(filter_compile(NULL, 0, all[i], PLATFORM_TRAP_UNOTIFY,
					&a, NULL),
			 0);
		CHECK_EQ(filter_compile(NULL, 0, all[i], trace, &b, NULL), 0);
		notify = count_insn(&a, ret, SECCOMP_RET_USER_NOTIF);
		CHECK(notify > 0);
		CHECK_EQ(count_insn(&b, ret, SECCOMP_RET_USER_NOTIF), 0);
		CHECK_EQ(count_insn(&a, ret, trace), 0);
		/* Every notifying return became the tracer's, none more. */
		CHECK_EQ(count_insn(&b, ret, trace), notify);
		/* The other returns are the same, one EPERM more at most. */
		CHECK_EQ(count_insn(&b, ret, SECCOMP_RET_KILL_PROCESS),
			 count_insn(&a, ret, SECCOMP_RET_KILL_PROCESS));
		CHECK_EQ(count_insn(&b, ret, SECCOMP_RET_ALLOW),
			 count_insn(&a, ret, SECCOMP_RET_ALLOW));
		/* CLONE_UNTRACED is tested under the tracer only. */
		CHECK_EQ(count_insn(&a, and, untraced), 0);
		CHECK(count_insn(&b, and, untraced) > 0);
		CHECK(b.prog.len > a.prog.len);
		CHECK(a.digest != b.digest);
		filter_prog_free(&a);
		filter_prog_free(&b);
	}
	CHECK_EQ(filter_compile(NULL, 0, 0, SECCOMP_RET_ERRNO | 1, &a, NULL),
		 -EINVAL);
	CHECK_EQ(filter_compile(NULL, 0, 0, SECCOMP_RET_ALLOW, &a, NULL),
		 -EINVAL);
}

static const struct harness_test tests[] = {
	HARNESS_TEST_SIGNAL(test_int80_killed, SIGSYS),
	HARNESS_TEST_SIGNAL(test_x32_killed, SIGSYS),
	HARNESS_TEST(test_native_allowed),
	HARNESS_TEST(test_bypasses_refused),
	HARNESS_TEST(test_clone_namespaces),
	HARNESS_TEST(test_seccomp_listener_refused),
	HARNESS_TEST(test_unknown_enosys),
	HARNESS_TEST(test_birth_rows),
	HARNESS_TEST(test_birth_rows_off),
	HARNESS_TEST(test_sockname_rows),
	HARNESS_TEST(test_sockname_rows_off),
	HARNESS_TEST(test_sockname_prebuilt),
	HARNESS_TEST(test_override_errno),
	HARNESS_TEST(test_override_validation),
	HARNESS_TEST(test_lateral_kernel_layer),
	HARNESS_TEST(test_lateral_supervisor_layer),
	HARNESS_TEST(test_lateral_domain_layer),
	HARNESS_TEST(test_lateral_rows_counted),
	HARNESS_TEST(test_socket_kinds),
	HARNESS_TEST(test_setsockopt_passrights),
	HARNESS_TEST(test_prctl_keep_dumpable),
	HARNESS_TEST(test_ioctl_no_tiocsti),
	HARNESS_TEST(test_prebuilt_current),
	HARNESS_TEST(test_trap_action),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
