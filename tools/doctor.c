/* SPDX-License-Identifier: MIT */
/*
 * doctor.c - `cordon doctor`. Every line comes from trying the feature on
 * this kernel (platform_probe() forks a child that installs a filter and
 * exercises the listener) or from reading the sysctl that governs it; never
 * from the kernel version number.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/common.h"
#include "tools/doctor.h"
#include "netstack/netstack.h"
#include "platform/platform.h"
#include "sentry/sentry.h"

enum doctor_level {
	DOCTOR_LEVEL_OK,
	DOCTOR_LEVEL_FALLBACK, /* works, slower or with less */
	DOCTOR_LEVEL_MISSING,  /* a guarantee does not hold */
};

static int doctor_failures;

/* Measured, docs/isolation.md: a 150-file make -j2 under each layer. */
#define DOCTOR_LATERAL_COST                                                    \
	"measured +60% CPU and wall time on a 150-file C build with make -j2"
/* What the domain mode leaves to the supervisor: the kill() family. */
#define DOCTOR_DOMAIN_COST                                                     \
	"each kill() a round trip; measured within 1-3% of the kernel mode in CPU time on syscall-heavy work, a C build and exec pipelines"

static void doctor_line(enum doctor_level lvl, const char *what,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void doctor_line(enum doctor_level lvl, const char *what,
			const char *fmt, ...)
{
	static const char *const tag[] = {"ok     ", "reduced", "MISSING"};
	va_list ap;

	printf("%s  %-28s ", tag[lvl], what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (lvl == DOCTOR_LEVEL_MISSING)
		doctor_failures++;
}

/*
 * The filesystem layer (docs/filesystem.md): a zone with fs rules (the
 * built-in zones) is confined by the job's Landlock domain; what this ABI
 * lacks is said (1: no refer, rename/link across directories EXDEV; < 3:
 * truncate() is not a right, so a file the job's user may write anywhere
 * can be truncated; < 5: device ioctls unchecked on the devices it may
 * open). Without a domain (no Landlock, --no-landlock) such a zone refuses
 * to start unless --allow-unconfined-fs: reduced, never ok.
 */
static void doctor_filesystem(int abi, bool landlock)
{
	if (!landlock || abi < 1) {
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "filesystem",
			"not confined: %s; a zone with fs rules (fork-pr, internal-ci, release) exits 125 unless --allow-unconfined-fs, which applies them to the opens the supervisor performs only",
			landlock ? "no Landlock here to confine it with"
				 : "--no-landlock");
		return;
	}
	doctor_line(
		abi >= 3 ? DOCTOR_LEVEL_OK : DOCTOR_LEVEL_FALLBACK,
		"filesystem",
		"confined by the Landlock domain (ABI %d) for zones with fs rules: read/write/exec%s%s%s",
		abi,
		abi >= 2 ? ", refer"
			 : ", no refer (rename/link across directories: EXDEV)",
		abi >= 3
			? ", truncate"
			: ", no truncate (truncate() of any file the user may write is not stopped)",
		abi >= 5
			? ", device ioctls"
			: ", no device ioctls (unchecked on the devices the rules grant)");
	doctor_line(
		DOCTOR_LEVEL_OK, "environment",
		"secret carriers (GITHUB_TOKEN, *_TOKEN, *_SECRET, AWS_*, SSH_AUTH_SOCK, ...) dropped unless --env names them");
}

/*
 * The kernel's socket tables (sock_diag) that netstack asks: unix_diag for
 * the unix listener shield and the job's own unix names, inet_diag with
 * tcp_diag and udp_diag for "the job's own server" and the relay's
 * acceptance. Each is tried on a socket made for it (sock_diag_probe()).
 * Without one, cordon fails closed (tests/net/sockdiag.sh): reduced, not
 * missing, as no guarantee is lost, but the job loses what needs the answer.
 */
static void doctor_sock_diag(void)
{
	unsigned int has;

	if (platform_ignores_sock_diag())
		sock_diag_ignore();
	has = sock_diag_probe();
	if (has ==
	    (SOCK_DIAG_HAS_UNIX | SOCK_DIAG_HAS_TCP | SOCK_DIAG_HAS_UDP)) {
		doctor_line(
			DOCTOR_LEVEL_OK, "sock_diag",
			"unix_diag, tcp_diag, udp_diag answer: the job's own listeners and servers, the unix listener shield and the relay's acceptance are asked of the kernel");
		return;
	}
	if (!(has & SOCK_DIAG_HAS_UNIX))
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "sock_diag unix_diag",
			"missing (module unix_diag not loaded, not loadable?): fails closed: every unix listen() of the job is refused with EACCES (the shield cannot confirm its listener), so are connects to the job's own unix sockets");
	if (!(has & SOCK_DIAG_HAS_TCP))
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "sock_diag tcp_diag",
			"missing (modules inet_diag, tcp_diag not loaded, not loadable?): fails closed: connects to the job's own TCP servers on this host's addresses are refused (ECONNREFUSED), connections through the relay (hostname rules) are reset");
	if (!(has & SOCK_DIAG_HAS_UDP))
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "sock_diag udp_diag",
			"missing (modules inet_diag, udp_diag not loaded, not loadable?): fails closed: datagrams to the job's own UDP servers on this host's addresses are dropped");
}

/*
 * Which of the three lateral modes a job is given (docs/isolation.md), and
 * what it costs.
 */
static void doctor_lateral(unsigned int layers, bool landlock, int abi)
{
	size_t n = filter_mediated_rows(layers);

	if (layers & SYSCALL_LATERAL_SCOPE) {
		doctor_line(
			DOCTOR_LEVEL_OK, "lateral isolation",
			"kernel layer (scoped Landlock domain); %zu calls Landlock does not cover (prlimit64, setpriority, sched_set*, ...) mediated when they name another process; no measurable cost",
			n);
		return;
	}
	if (layers & SYSCALL_LATERAL_DOMAIN) {
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "lateral isolation",
			"Landlock domain without scoping (ABI %d): ptrace, /proc and opens stay in the kernel; %zu calls mediated when they name another process, the kill() family among them (%s, docs/isolation.md)",
			abi, n, DOCTOR_DOMAIN_COST);
		if (abi < 2)
			doctor_line(
				DOCTOR_LEVEL_FALLBACK,
				"rename across directories",
				"Landlock ABI 1 has no REFER right: rename() and link() into another directory fail with EXDEV inside the job (mv copies instead; docs/isolation.md)");
		return;
	}
	doctor_line(
		DOCTOR_LEVEL_FALLBACK, "lateral isolation",
		"supervisor layer%s: %zu calls mediated, every open/readlink a round trip (%s, docs/isolation.md)",
		landlock ? "" : " (--no-landlock)", n, DOCTOR_LATERAL_COST);
}

static int doctor_read_int(const char *path, int *out)
{
	struct dynbuf b;
	int rc = fd_read_file(path, &b, 64);

	if (rc < 0)
		return rc;
	*out = b.data ? (int)strtol(b.data, NULL, 10) : 0;
	dynbuf_free(&b);
	return 0;
}

/* Which wake-up mode the receiver uses (sentry/receiver.c). */
static void doctor_wake(const struct platform_features *f)
{
	int ncpus = receiver_ncpus();

	switch (receiver_wake_mode(f, ncpus)) {
	case RECEIVER_WAKE_SYNC:
		doctor_line(DOCTOR_LEVEL_OK, "wake-up mode",
			    "sync: the receiver sleeps in the receive, the "
			    "kernel hands the CPU over and back");
		break;
	case RECEIVER_WAKE_POLL:
		doctor_line(DOCTOR_LEVEL_FALLBACK, "wake-up mode",
			    "poll: no SYNC_WAKE_UP; after each call the "
			    "receiver polls the listener up to %llu us "
			    "(adaptive, none for sparse calls) before it "
			    "sleeps, on %d CPUs",
			    (unsigned long long)(RECEIVER_SPIN_MAX_NS / 1000),
			    ncpus);
		break;
	case RECEIVER_WAKE_SLEEP:
		doctor_line(DOCTOR_LEVEL_FALLBACK, "wake-up mode",
			    "sleep: no SYNC_WAKE_UP, one CPU: wake-ups stay "
			    "local, nothing to poll for");
		break;
	}
}

int doctor_main(int argc, char **argv)
{
	struct platform_features f;
	struct filter_prog prog;
	struct utsname u;
	bool landlock = true;
	unsigned int layers;
	int v, rc;

	/* `cordon doctor --no-landlock`: what `run --no-landlock` gets. */
	if (argc > 1 && !strcmp(argv[1], "--no-landlock"))
		landlock = false;
	uname(&u);
	printf("cordon %s on Linux %s (%s)\n\n", CORDON_VERSION, u.release,
	       u.machine);
	rc = platform_probe(&f);
	if (rc < 0) {
		printf("the probe could not run: %s\n", strerror(-rc));
		return 1;
	}
	{
		char off[512];

		if (platform_features_off_describe(off, sizeof(off)))
			doctor_line(DOCTOR_LEVEL_FALLBACK,
				    "CORDON_IGNORE_FEATURES",
				    "behaving as if missing: %s", off);
	}
	if (f.unotify)
		doctor_line(DOCTOR_LEVEL_OK, "seccomp user notification",
			    "platform unotify");
	else
		doctor_line(DOCTOR_LEVEL_MISSING, "seccomp user notification",
			    "%s", f.detail);
	{
		/* What --platform auto (the default) takes here, and why. */
		int pt = platform_ptrace_probe();

		if (f.unotify)
			doctor_line(DOCTOR_LEVEL_OK, "platform",
				    "auto takes unotify; ptrace %s",
				    pt == 0 ? "also works (--platform ptrace)"
					    : strerror(-pt));
		else if (pt == 0)
			doctor_line(DOCTOR_LEVEL_FALLBACK, "platform",
				    "auto takes ptrace: user notification is "
				    "refused here (inside another supervisor, "
				    "or a kernel without it); see "
				    "docs/platforms.md for what differs");
		else
			doctor_line(DOCTOR_LEVEL_MISSING, "platform",
				    "neither works: user notification refused, "
				    "ptrace: %s",
				    strerror(-pt));
	}
	if (f.pidfd_getfd)
		doctor_line(DOCTOR_LEVEL_OK, "pidfd_getfd",
			    "takes the listener and job sockets");
	else
		doctor_line(f.unotify && f.addfd ? DOCTOR_LEVEL_FALLBACK
						 : DOCTOR_LEVEL_MISSING,
			    "pidfd_getfd",
			    "%s; job sockets owned from birth (the supervisor "
			    "creates them: socket, socketpair and accept are "
			    "notified, close and dup2 too); sockets inherited "
			    "or received from outside, fds passed with "
			    "SCM_RIGHTS that are neither sockets nor pipe ends "
			    "(pipes are opened again) and pidfds given to the "
			    "supervisor are refused",
			    f.detail);
	doctor_line(f.process_vm ? DOCTOR_LEVEL_OK : DOCTOR_LEVEL_FALLBACK,
		    "job memory",
		    f.process_vm ? "process_vm_readv/writev"
				 : "/proc/PID/mem (process_vm_readv refused: "
				   "a container's seccomp profile?); one open "
				   "per notified call that reads memory");
	doctor_line(f.addfd ? DOCTOR_LEVEL_OK : DOCTOR_LEVEL_MISSING,
		    "SECCOMP_IOCTL_NOTIF_ADDFD",
		    f.addfd ? "installs fds into the job" : "not available");
	doctor_line(f.addfd_send ? DOCTOR_LEVEL_OK : DOCTOR_LEVEL_FALLBACK,
		    "SECCOMP_ADDFD_FLAG_SEND",
		    f.addfd_send ? "atomic install-and-answer"
				 : "fallback: ADDFD then a separate answer");
	doctor_line(
		f.sync_wake_up ? DOCTOR_LEVEL_OK : DOCTOR_LEVEL_FALLBACK,
		"SYNC_WAKE_UP",
		f.sync_wake_up
			? "answered calls wake on the answering CPU"
			: "fallback: ordinary wake-ups, slower notified calls (see the wake-up mode)");
	doctor_wake(&f);
	doctor_line(f.wait_killable_recv ? DOCTOR_LEVEL_OK
					 : DOCTOR_LEVEL_FALLBACK,
		    "WAIT_KILLABLE_RECV",
		    f.wait_killable_recv
			    ? "a received call is not restarted by signals"
			    : "fallback: signals may restart a pending call");
	if (f.landlock_abi >= 6)
		doctor_line(
			DOCTOR_LEVEL_OK, "Landlock",
			"ABI %d: signal and abstract-socket scoping; no ptrace of outside processes",
			f.landlock_abi);
	else if (f.landlock_abi >= 1)
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "Landlock",
			"ABI %d (< 6): no ptrace of outside processes, but no scoping: the supervisor judges signals",
			f.landlock_abi);
	else
		doctor_line(
			DOCTOR_LEVEL_FALLBACK, "Landlock",
			"not available: the supervisor layer keeps the job off other processes");
	doctor_filesystem(f.landlock_abi, landlock);
	doctor_line(
		f.passrights ? DOCTOR_LEVEL_OK : DOCTOR_LEVEL_FALLBACK,
		"SO_PASSRIGHTS",
		f.passrights
			? "peers outside the job cannot pass fds into it"
			: "missing (Linux < 6.16): unix sockets outside the job are refused (docs/network.md)");
	doctor_sock_diag();
	layers = filter_lateral_layers(landlock);
	doctor_lateral(layers, landlock, f.landlock_abi);
	rc = filter_compile(NULL, 0, layers, PLATFORM_TRAP_UNOTIFY, &prog,
			    NULL);
	if (rc == 0) {
		doctor_line(
			DOCTOR_LEVEL_OK, "seccomp filter",
			"%u instructions, xxh3 %016llx, %zu syscalls classified",
			prog.prog.len, (unsigned long long)prog.digest,
			syscall_table_size());
		filter_prog_free(&prog);
	} else {
		doctor_line(DOCTOR_LEVEL_MISSING, "seccomp filter",
			    "does not compile: %s", strerror(-rc));
	}
	if (doctor_read_int("/proc/sys/kernel/io_uring_disabled", &v) == 0)
		doctor_line(
			DOCTOR_LEVEL_OK, "io_uring",
			"kernel.io_uring_disabled=%d; refused by cordon's filter either way",
			v);
	else
		doctor_line(DOCTOR_LEVEL_OK, "io_uring",
			    "no sysctl; refused by cordon's filter");
	if (doctor_read_int("/proc/sys/kernel/yama/ptrace_scope", &v) == 0)
		doctor_line(
			v >= 2 && !f.pidfd_getfd ? DOCTOR_LEVEL_MISSING
						 : DOCTOR_LEVEL_OK,
			"yama ptrace_scope", "%d%s", v,
			v >= 2 ? " (cordon needs pidfd_getfd on its own children)"
			       : "");
	else
		doctor_line(DOCTOR_LEVEL_OK, "yama ptrace_scope",
			    "Yama not present");
	if (geteuid() == 0) {
		struct runas r;
		char why[512];

		/* Started as root, the job is not root (docs/root.md). */
		if (runas_resolve(NULL, false, &r, why, sizeof(why)) < 0)
			doctor_line(DOCTOR_LEVEL_MISSING, "unprivileged", "%s",
				    why);
		else
			doctor_line(
				DOCTOR_LEVEL_OK, "unprivileged",
				"root: jobs run as %s (uid %u, gid %u) without capabilities; --user picks another, --allow-root-job keeps root",
				r.name, (unsigned)r.uid, (unsigned)r.gid);
	} else
		doctor_line(DOCTOR_LEVEL_OK, "unprivileged", "uid %d",
			    (int)geteuid());
	putchar('\n');
	if (doctor_failures) {
		printf("cordon cannot enforce all of its guarantees here (%d missing)\n",
		       doctor_failures);
		return 1;
	}
	printf("cordon can enforce its guarantees here\n");
	return 0;
}
