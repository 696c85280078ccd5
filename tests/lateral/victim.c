/* SPDX-License-Identifier: MIT */
/*
 * victim.c - the process outside cordon that a job must not touch. Started
 * by tests/lateral/lateral.sh as the same unprivileged user as the job.
 *
 * `lateral-victim DIR`: holds the secret of $LATERAL_SECRET in its
 * environment, in a memory buffer, and in a file that is open but unlinked
 * (reachable only through /proc/PID/fd/N), and in DIR/hide/vcwd/cwd-secret:
 * its working directory, made unreachable by path (DIR/hide gets mode 000),
 * so only /proc/PID/cwd leads there. It becomes its own process group
 * leader, starts a second thread, writes "pid tid addr fd" to DIR/ready and
 * then logs to DIR/signals every signal it receives (all catchable signals
 * are blocked and read from a signalfd; SIGSTOP is seen as SIGCONT after),
 * and to DIR/memory if its buffer ever changes. It never exits on its own:
 * the test reads the logs, then kills it with SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char victim_secret[256];
static char victim_copy[256];
static volatile pid_t victim_tid;

static void *victim_thread(void *arg)
{
	(void)arg;
	victim_tid = (pid_t)syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

static void victim_log(const char *dir, const char *name, const char *line)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "a");
	if (!f)
		return;
	fputs(line, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *secret = getenv("LATERAL_SECRET");
	char path[4096], line[256];
	pthread_t t;
	sigset_t all;
	int sfd, sec_fd;
	FILE *f;

	if (argc < 2 || !secret || strlen(secret) >= sizeof(victim_secret))
		return 2;
	snprintf(victim_secret, sizeof(victim_secret), "%s", secret);
	memcpy(victim_copy, victim_secret, sizeof(victim_copy));
	setpgid(0, 0);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0)
		return 2;
	/* The secret in a file nobody can reach by name: only fd/N. */
	snprintf(path, sizeof(path), "%s/secret-file", argv[1]);
	sec_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (sec_fd < 0 || write(sec_fd, secret, strlen(secret)) < 0)
		return 2;
	unlink(path);
	snprintf(path, sizeof(path), "%s/hide", argv[1]);
	if (mkdir(path, 0700) < 0)
		return 2;
	snprintf(path, sizeof(path), "%s/hide/vcwd", argv[1]);
	if (mkdir(path, 0700) < 0 || chdir(path) < 0)
		return 2;
	f = fopen("cwd-secret", "w");
	if (!f)
		return 2;
	fputs(secret, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/hide", argv[1]);
	if (chmod(path, 0) < 0)
		return 2;
	if (pthread_create(&t, NULL, victim_thread, NULL))
		return 2;
	while (!victim_tid)
		sched_yield();
	snprintf(path, sizeof(path), "%s/ready.tmp", argv[1]);
	f = fopen(path, "w");
	if (!f)
		return 2;
	fprintf(f, "%d %d %p %d\n", (int)getpid(), (int)victim_tid,
		(void *)victim_secret, sec_fd);
	fclose(f);
	snprintf(line, sizeof(line), "%s/ready", argv[1]);
	rename(path, line);
	for (;;) {
		struct signalfd_siginfo si;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};
		ssize_t n;

		/* Poll the signalfd every 100 ms; check the buffer too. */
		fcntl(sfd, F_SETFL, O_NONBLOCK);
		while ((n = read(sfd, &si, sizeof(si))) ==
		       (ssize_t)sizeof(si)) {
			snprintf(line, sizeof(line),
				 "signal %u from pid %u code %d\n",
				 si.ssi_signo, si.ssi_pid, si.ssi_code);
			victim_log(argv[1], "signals", line);
		}
		if (memcmp(victim_copy, victim_secret, sizeof(victim_copy)))
			victim_log(argv[1], "memory", "memory changed\n");
		nanosleep(&ts, NULL);
	}
}
