/* SPDX-License-Identifier: MIT */
/*
 * cordon_probe.c - escape and behaviour probes (bubblewrap's try-syscall
 * shape): `cordon-probe WHAT [ARG...]` tries one thing and prints the
 * outcome on stdout as "WHAT: ok" or "WHAT: errno NAME" (exit 0 either
 * way), so a test can run it natively and under cordon and compare.
 * Some probes end the process on purpose (int80, x32: SIGSYS under cordon).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROBE_X32_BIT 0x40000000L
#define PROBE_ARCH_SET_FS 0x1002
#define PROBE_ARCH_GET_FS 0x1003

static int probe_report(const char *what, long rc)
{
	if (rc < 0)
		printf("%s: errno %s\n", what,
		       strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else
		printf("%s: ok %ld\n", what, rc);
	fflush(stdout);
	return 0;
}

static long probe_int80_getpid(void)
{
	long ret;

	/* i386 getpid is 20; int 0x80 enters the compat (i386) ABI. */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return ret;
}

static void *probe_thread(void *arg)
{
	unsigned long fs = 0;
	long *result = arg;

	/* Re-set our own TLS base: a notified call that must come back. */
	if (syscall(SYS_arch_prctl, PROBE_ARCH_GET_FS, &fs) < 0 ||
	    syscall(SYS_arch_prctl, PROBE_ARCH_SET_FS, fs) < 0)
		*result = -errno;
	else
		*result = 0;
	return NULL;
}

static int probe_threads(int n)
{
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	long *res = calloc((size_t)n, sizeof(*res));
	int i, bad = 0;

	if (!t || !res)
		return 2;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, probe_thread, &res[i]))
			return 2;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		bad += res[i] != 0;
	}
	printf("threads: %d answered, %d failed\n", n - bad, bad);
	return bad ? 1 : 0;
}

static int probe_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return 2;
	printf("fds:");
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			printf(" %s", de->d_name);
	printf("\n");
	closedir(d);
	return 0;
}

/*
 * setsid + double fork; the grandchild writes its pid and sleeps. The first
 * process waits until the pid is written, so the daemon surely exists when
 * it exits.
 */
static int probe_daemon(const char *pidfile, int secs)
{
	int sync[2];
	char b;
	pid_t p;

	if (pipe(sync) < 0)
		return 2;
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		setsid();
		if (fork() != 0)
			_exit(0);
		for (int fd = 0; fd < 3; fd++)
			close(fd);
		FILE *f = fopen(pidfile, "w");

		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if (write(sync[1], "d", 1) != 1)
			_exit(1);
		close(sync[1]);
		sleep((unsigned)secs);
		_exit(0);
	}
	close(sync[1]);
	waitpid(p, NULL, 0);
	if (read(sync[0], &b, 1) != 1)
		return 1;
	return 0;
}

/* Children in several shapes (stopped, daemon, plain), pids to a file. */
static int probe_tree(const char *pidfile, int secs)
{
	FILE *f = fopen(pidfile, "w");
	pid_t kids[3];
	int i;

	if (!f)
		return 2;
	for (i = 0; i < 3; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			if (i == 1)
				setsid();
			if (i == 2)
				raise(SIGSTOP);
			sleep((unsigned)secs);
			_exit(0);
		}
		fprintf(f, "%d\n", (int)kids[i]);
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	sleep((unsigned)secs);
	return 0;
}

/* ns per personality(query) call: a notified call answered by cordon. */
static int probe_time_personality(int n)
{
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		personality(0xffffffff);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("time-personality: %.0f ns/call over %d calls\n",
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 +
		(double)(b.tv_nsec - a.tv_nsec)) /
		       n,
	       n);
	return 0;
}

/*
 * N notified calls @gap_us apart (a job that calls now and then, sleeping in
 * between: the receiver's poll must not run after each of them).
 */
static int probe_sparse_personality(int n, int gap_us)
{
	struct timespec gap = {.tv_sec = gap_us / 1000000,
			       .tv_nsec = (long)(gap_us % 1000000) * 1000};
	int i;

	for (i = 0; i < n; i++) {
		personality(0xffffffff);
		nanosleep(&gap, NULL);
	}
	printf("sparse-personality: %d calls %d us apart\n", n, gap_us);
	return 0;
}

static int probe_repeat_personality(int n)
{
	int i, denied = 0;

	for (i = 0; i < n; i++)
		if (personality(0x0040000 /* ADDR_NO_RANDOMIZE */) < 0)
			denied++;
	printf("personality: %d of %d denied\n", denied, n);
	return 0;
}
/* N denied personality() calls, each with its own persona: N lines. */
static int probe_many_personality(int n)
{
	int i, denied = 0;

	for (i = 0; i < n; i++)
		if (personality(0x1000000UL + (unsigned long)i) == -1)
			denied++;
	printf("personality: %d of %d denied\n", denied, n);
	return 0;
}

/*
 * fork-eintr N: N forks, one after another, while a SIGCHLD handler
 * without SA_RESTART runs for every child that exits (what dash installs):
 * a native fork never fails with EINTR (the kernel restarts it). Prints
 * how many forked and how many failed with EINTR or otherwise.
 */
static volatile sig_atomic_t probe_chld;

static void probe_on_chld(int sig)
{
	(void)sig;
	probe_chld++;
}

static int probe_fork_eintr(int n)
{
	struct sigaction sa = {.sa_handler = probe_on_chld};
	int i, ok = 0, eintr = 0, other = 0;

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART */
	if (sigaction(SIGCHLD, &sa, NULL) < 0)
		return 2;
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0)
			ok++;
		else if (errno == EINTR)
			eintr++;
		else
			other++;
		/* Reap what exited so far; children end while we fork. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	printf("fork-eintr: %d forked, %d eintr, %d other\n", ok, eintr, other);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	long arg = argc > 2 ? strtol(argv[2], NULL, 0) : 0;

	if (!strcmp(what, "getpid"))
		return probe_report(what, syscall(SYS_getpid));
	if (!strcmp(what, "getppid"))
		return probe_report(what, syscall(SYS_getppid));
	if (!strcmp(what, "getppid2")) {
		/* A child's call first (the test kills it), then ours. */
		pid_t p = fork();

		if (p == 0) {
			probe_report("child-getppid", syscall(SYS_getppid));
			_exit(0);
		}
		waitpid(p, NULL, 0);
		return probe_report(what, syscall(SYS_getppid));
	}
	if (!strcmp(what, "getppid-fd")) {
		long fd = syscall(SYS_getppid);

		if (fd < 0 || fcntl((int)fd, F_GETFD) < 0)
			return probe_report(what, -1);
		return probe_report(what, fcntl((int)fd, F_GETFD) & FD_CLOEXEC);
	}
	if (!strcmp(what, "connect-unreadable")) {
		/* An address the supervisor cannot read: page 0. */
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		return probe_report(what, syscall(SYS_connect, fd, 16L, 16L));
	}
	if (!strcmp(what, "int80"))
		return probe_report(what, probe_int80_getpid());
	if (!strcmp(what, "x32"))
		return probe_report(what, syscall(PROBE_X32_BIT | SYS_getpid));
	if (!strcmp(what, "io_uring"))
		return probe_report(
			what, syscall(SYS_io_uring_setup, 4, calloc(1, 512)));
	if (!strcmp(what, "unshare-user"))
		return probe_report(what, syscall(SYS_unshare, 0x10000000L));
	if (!strcmp(what, "unshare-net"))
		return probe_report(what, syscall(SYS_unshare, 0x40000000L));
	if (!strcmp(what, "clone-newuser")) {
		long r = syscall(SYS_clone, 0x10000000L | SIGCHLD, 0, 0, 0, 0);

		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return probe_report(what, r);
	}
	if (!strcmp(what, "clone3"))
		return probe_report(what,
				    syscall(SYS_clone3, calloc(1, 88), 88));
	if (!strcmp(what, "fork")) {
		pid_t p = fork();

		if (p == 0)
			_exit(7);
		int st = 0;

		if (p > 0)
			waitpid(p, &st, 0);
		return probe_report(what, p < 0 ? -1 : WEXITSTATUS(st));
	}
	if (!strcmp(what, "personality"))
		return probe_report(what, personality((unsigned long)arg));
	if (!strcmp(what, "repeat-personality"))
		return probe_repeat_personality(arg ? (int)arg : 1000);
	if (!strcmp(what, "many-personality"))
		return probe_many_personality(arg ? (int)arg : 1000);
	if (!strcmp(what, "time-personality"))
		return probe_time_personality(arg ? (int)arg : 100000);
	if (!strcmp(what, "sparse-personality") && argc > 3)
		return probe_sparse_personality((int)arg, atoi(argv[3]));
	if (!strcmp(what, "threads"))
		return probe_threads(arg ? (int)arg : 200);
	if (!strcmp(what, "fds"))
		return probe_fds();
	if (!strcmp(what, "fork-eintr") && argc > 2)
		return probe_fork_eintr((int)arg);
	if (!strcmp(what, "daemon") && argc > 2)
		return probe_daemon(argv[2], argc > 3 ? atoi(argv[3]) : 60);
	if (!strcmp(what, "tree") && argc > 2)
		return probe_tree(argv[2], argc > 3 ? atoi(argv[3]) : 60);
	if (!strcmp(what, "sleep"))
		return sleep((unsigned)arg), 0;
	if (!strcmp(what, "exit"))
		return (int)arg;
	fprintf(stderr, "cordon-probe: unknown probe '%s'\n", what);
	return 2;
}
