/* SPDX-License-Identifier: MIT */
/*
 * attacker.c - run inside cordon, try every call of issue #6 against a
 * process outside the job (bubblewrap's try-syscall shape). Each attempt
 * prints one line, "attack NAME TARGET: blocked ERRNO" or "attack NAME
 * TARGET: SUCCEEDED ..." (with whatever it read), so that tests/lateral/
 * lateral.sh can fail on any SUCCEEDED line and on the secret appearing.
 *
 * `lateral-attack victim PID TID ADDR FD`: everything against the victim
 *     (PID, its second thread TID, the secret's address ADDR in it, the fd
 *     FD of its unlinked secret file).
 * `lateral-attack cordon`: the same calls against cordon's two processes,
 *     found as the nearest ancestors named "cordon" (the supervisor, then
 *     the anchor); signals are SIGSTOP, then SIGKILL last.
 * `lateral-attack killall`: kill(-1, SIGKILL), then print "survived".
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define ATTACK_PIDFD_SIGNAL_PROCESS_GROUP (1U << 2)
#define ATTACK_KCMP_FILE 0
#define ATTACK_IOPRIO_CLASS_IDLE 3

static const char *attack_target = "?";
static int attack_succeeded;

static void attack_report(const char *what, long rc, int err, const char *data)
{
	if (rc < 0)
		printf("attack %s %s: blocked %s\n", what, attack_target,
		       strerrorname_np(err) ? strerrorname_np(err) : "?");
	else {
		attack_succeeded++;
		printf("attack %s %s: SUCCEEDED %ld%s%s\n", what, attack_target,
		       rc, data ? " read: " : "", data ? data : "");
	}
	fflush(stdout);
}

#define ATTACK(what, expr)                                                     \
	do {                                                                   \
		long attack_rc_;                                               \
		errno = 0;                                                     \
		attack_rc_ = (long)(expr);                                     \
		attack_report(what, attack_rc_, errno, NULL);                  \
	} while (0)

/* A call that may succeed on the job's own processes: judge the effect. */
static void attack_effect(const char *what, long rc, int err, bool changed)
{
	if (rc >= 0 && !changed) {
		printf("attack %s %s: contained (the target is unchanged)\n",
		       what, attack_target);
		return;
	}
	attack_report(what, changed ? 0 : rc, err, NULL);
}

/* Field 19 of /proc/PID/stat (nice), or -100. */
static long attack_nice(pid_t pid)
{
	char path[64], buf[1024], *rp;
	long nice = -100;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return nice;
	if (fgets(buf, sizeof(buf), f) && (rp = strrchr(buf, ')')))
		sscanf(rp + 2,
		       "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		       "%*u %*u %*d %*d %*d %ld",
		       &nice);
	fclose(f);
	return nice;
}

static long attack_ioprio(pid_t pid)
{
	return syscall(SYS_ioprio_get, 1, pid);
}

/* Keep printable bytes so a leaked secret shows up as itself. */
static void attack_printable(char *buf, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = '.';
	buf[n > 0 ? n : 0] = '\0';
}

/* Open @path and read from @off; a success prints what was read. */
static void attack_open_read(const char *what, const char *path, off_t off)
{
	char buf[4097];
	ssize_t n = 0;
	int fd, err;

	errno = 0;
	fd = open(path, O_RDONLY);
	err = errno;
	if (fd < 0) {
		attack_report(what, -1, err, NULL);
		return;
	}
	n = pread(fd, buf, sizeof(buf) - 1, off);
	if (n < 0)
		n = 0;
	attack_printable(buf, n);
	close(fd);
	attack_report(what, fd, 0, buf);
}

static void attack_readlink(const char *what, const char *path)
{
	char buf[4097];
	ssize_t n;

	errno = 0;
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n >= 0)
		attack_printable(buf, n);
	attack_report(what, n, errno, n >= 0 ? buf : NULL);
}

static long attack_pidfd(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static void attack_signals(pid_t pid, pid_t tid, int sig)
{
	siginfo_t si;
	long fd;

	ATTACK("kill", kill(pid, sig));
	ATTACK("tkill", syscall(SYS_tkill, pid, sig));
	ATTACK("tgkill", syscall(SYS_tgkill, pid, pid, sig));
	ATTACK("tgkill-thread", syscall(SYS_tgkill, pid, tid, sig));
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	ATTACK("rt_sigqueueinfo", syscall(SYS_rt_sigqueueinfo, pid, sig, &si));
	ATTACK("rt_tgsigqueueinfo",
	       syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si));
	fd = attack_pidfd(pid);
	ATTACK("pidfd_send_signal",
	       fd < 0 ? fd : syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0));
	ATTACK("pidfd_send_signal-pgrp",
	       fd < 0 ? fd
		      : syscall(SYS_pidfd_send_signal, fd, sig, NULL,
				ATTACK_PIDFD_SIGNAL_PROCESS_GROUP));
	if (fd >= 0)
		close((int)fd);
	{
		char path[64];
		int dfd;

		snprintf(path, sizeof(path), "/proc/%d", (int)pid);
		dfd = open(path, O_RDONLY | O_DIRECTORY);
		ATTACK("pidfd_send_signal-procdir",
		       dfd < 0 ? dfd
			       : syscall(SYS_pidfd_send_signal, dfd, sig, NULL,
					 0));
		if (dfd >= 0)
			close(dfd);
	}
}

static void attack_trace(pid_t pid, pid_t tid, unsigned long addr, int fd)
{
	char buf[257], path[128];
	struct iovec l = {.iov_base = buf, .iov_len = 256};
	struct iovec r = {.iov_base = (void *)addr, .iov_len = 256};
	uint32_t robust_len = 0;
	void *robust_head = NULL;
	long rc, pfd;

	errno = 0;
	rc = ptrace(PTRACE_ATTACH, pid, 0, 0);
	attack_report("ptrace-attach", rc, errno, NULL);
	if (rc == 0)
		ptrace(PTRACE_DETACH, pid, 0, 0);
	errno = 0;
	rc = ptrace(PTRACE_SEIZE, pid, 0, 0);
	attack_report("ptrace-seize", rc, errno, NULL);
	if (rc == 0)
		ptrace(PTRACE_DETACH, pid, 0, 0);
	errno = 0;
	rc = process_vm_readv(pid, &l, 1, &r, 1, 0);
	if (rc > 0)
		attack_printable(buf, rc);
	attack_report("process_vm_readv", rc, errno, rc > 0 ? buf : NULL);
	memcpy(buf, "PWNED", 6);
	l.iov_len = 6;
	ATTACK("process_vm_writev", process_vm_writev(pid, &l, 1, &r, 1, 0));
	pfd = attack_pidfd(pid);
	errno = 0;
	rc = pfd < 0 ? pfd : syscall(SYS_pidfd_getfd, pfd, fd, 0);
	if (rc >= 0) {
		ssize_t n = pread((int)rc, buf, 256, 0);

		attack_printable(buf, n);
		attack_report("pidfd_getfd", rc, 0, buf);
		close((int)rc);
	} else {
		attack_report("pidfd_getfd", rc, errno, NULL);
	}
	ATTACK("process_madvise", pfd < 0 ? pfd
					  : syscall(SYS_process_madvise, pfd,
						    &r, 1, MADV_COLD, 0));
	ATTACK("process_mrelease",
	       pfd < 0 ? pfd : syscall(SYS_process_mrelease, pfd, 0));
	if (pfd >= 0)
		close((int)pfd);
	ATTACK("kcmp",
	       syscall(SYS_kcmp, getpid(), pid, ATTACK_KCMP_FILE, 0, 0));
	ATTACK("get_robust_list",
	       syscall(SYS_get_robust_list, tid, &robust_head, &robust_len));
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	attack_open_read("open-environ", path, 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/environ", (int)pid,
		 (int)tid);
	attack_open_read("open-task-environ", path, 0);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	attack_open_read("open-mem", path, (off_t)addr);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	attack_open_read("open-maps", path, 0);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	attack_open_read("open-fd", path, 0);
	attack_readlink("readlink-fd", path);
	snprintf(path, sizeof(path), "/proc/%d/cwd/cwd-secret", (int)pid);
	attack_open_read("open-cwd-file", path, 0);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	attack_open_read("open-cwd", path, 0);
	attack_readlink("readlink-cwd", path);
	{
		int here = open(".", O_PATH | O_DIRECTORY);

		/*
		 * chdir itself is only refused by the kernel layer; what
		 * must never work is reading through the place it leads.
		 */
		if (chdir(path) == 0) {
			attack_open_read("chdir-cwd-then-open", "cwd-secret",
					 0);
			attack_open_read("chdir-cwd-then-open-dot", ".", 0);
		} else {
			attack_report("chdir-cwd-then-open", -1, errno, NULL);
		}
		if (here >= 0) {
			if (fchdir(here) < 0)
				perror("fchdir");
			close(here);
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	attack_open_read("open-root", path, 0);
	attack_readlink("readlink-root", path);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	attack_open_read("open-exe", path, 0);
	attack_readlink("readlink-exe", path);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/fd/%d", (int)pid,
		 (int)tid, fd);
	attack_open_read("open-task-fd", path, 0);
}

static void attack_change(pid_t pid, pid_t tid, unsigned long addr)
{
	struct rlimit64 {
		uint64_t cur, max;
	} lim = {1, 1}, old;
	struct sched_param sp = {.sched_priority = 0};
	uint32_t attr[14] = {48, SCHED_IDLE};
	unsigned long nodes = 1;
	void *page = (void *)(addr & ~4095UL);
	int status = 0;
	cpu_set_t set;

	ATTACK("prlimit64-set",
	       syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, &lim, NULL));
	ATTACK("prlimit64-get",
	       syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &old));
	ATTACK("setpriority", setpriority(PRIO_PROCESS, (id_t)pid, 19));
	ATTACK("setpriority-thread", setpriority(PRIO_PROCESS, (id_t)tid, 19));
	ATTACK("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, pid));
	{
		/*
		 * The group may be the job's own (cordon's group holds the
		 * job's first process): success is fine if it stayed there.
		 */
		long nice = attack_nice(pid), io = attack_ioprio(pid);

		errno = 0;
		attack_effect("setpriority-pgrp",
			      setpriority(PRIO_PGRP, (id_t)getpgid(pid), 19),
			      errno, attack_nice(pid) != nice);
		errno = 0;
		attack_effect("ioprio_set-pgrp",
			      syscall(SYS_ioprio_set, 2, getpgid(pid),
				      ATTACK_IOPRIO_CLASS_IDLE << 13),
			      errno, attack_ioprio(pid) != io);
	}
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ATTACK("sched_setaffinity", sched_setaffinity(pid, sizeof(set), &set));
	ATTACK("sched_setscheduler", sched_setscheduler(pid, SCHED_IDLE, &sp));
	ATTACK("sched_setparam", sched_setparam(pid, &sp));
	ATTACK("sched_setattr", syscall(SYS_sched_setattr, pid, attr, 0));
	ATTACK("ioprio_set",
	       syscall(SYS_ioprio_set, 1, pid, ATTACK_IOPRIO_CLASS_IDLE << 13));
	ATTACK("migrate_pages",
	       syscall(SYS_migrate_pages, pid, 2, &nodes, &nodes));
	ATTACK("move_pages",
	       syscall(SYS_move_pages, pid, 1, &page, NULL, &status, 0));
}

/*
 * The user-wide forms may succeed - on the job's own processes only; the
 * test checks the victim's nice value and I/O class afterwards.
 */
static void attack_user_wide(void)
{
	printf("info setpriority-user-all: %d\n",
	       setpriority(PRIO_USER, 0, 19));
	printf("info ioprio_set-user-all: %ld\n",
	       syscall(SYS_ioprio_set, 3, 0, ATTACK_IOPRIO_CLASS_IDLE << 13));
}

/* The nearest ancestor named "cordon" above @from. Return: pid or -1. */
static pid_t attack_find_cordon(pid_t from)
{
	pid_t p = from;

	for (int depth = 0; depth < 64 && p > 1; depth++) {
		char path[64], buf[512], *rp;
		FILE *f;
		int ppid = -1;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
		f = fopen(path, "r");
		if (!f)
			return -1;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			return -1;
		}
		fclose(f);
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 2, "%*c %d", &ppid) != 1)
			return -1;
		if (strstr(buf, "(cordon)") && p != from)
			return p;
		p = ppid;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "victim") && argc > 5) {
		pid_t pid = (pid_t)strtol(argv[2], NULL, 10);
		pid_t tid = (pid_t)strtol(argv[3], NULL, 10);
		unsigned long addr = strtoul(argv[4], NULL, 0);
		int fd = (int)strtol(argv[5], NULL, 10);

		attack_target = "victim";
		attack_trace(pid, tid, addr, fd);
		attack_change(pid, tid, addr);
		ATTACK("setpgid-join", setpgid(0, getpgid(pid)));
		attack_signals(pid, tid, SIGUSR1);
		attack_signals(pid, tid, SIGSTOP);
		ATTACK("kill-pgrp", kill(-getpgid(pid), SIGUSR1));
		attack_user_wide();
		attack_target = "victim";
		ATTACK("kill-sigkill", kill(pid, SIGKILL));
		printf("attacks done: %d succeeded\n", attack_succeeded);
		return 0;
	}
	if (!strcmp(mode, "cordon")) {
		pid_t sup = attack_find_cordon(getpid());
		pid_t anchor = sup > 0 ? attack_find_cordon(sup) : -1;

		if (sup <= 0 || anchor <= 0) {
			printf("cordon processes not found\n");
			return 2;
		}
		printf("supervisor %d anchor %d\n", (int)sup, (int)anchor);
		for (int i = 0; i < 2; i++) {
			pid_t t = i ? anchor : sup;

			attack_target = i ? "anchor" : "supervisor";
			attack_trace(t, t, 0x400000, 0);
			attack_change(t, t, 0x400000);
			attack_signals(t, t, SIGSTOP);
		}
		for (int i = 0; i < 2; i++) {
			attack_target = i ? "anchor" : "supervisor";
			ATTACK("kill-sigkill", kill(i ? anchor : sup, SIGKILL));
		}
		printf("attacks done: %d succeeded\n", attack_succeeded);
		return 0;
	}
	if (!strcmp(mode, "killall")) {
		long rc = kill(-1, SIGKILL);

		printf("killall: %ld, survived\n", rc);
		return 0;
	}
	fprintf(stderr, "usage: lateral-attack victim|cordon|killall ...\n");
	return 2;
}
