/* SPDX-License-Identifier: MIT */
/*
 * timeit.c - runs a command K times in a row and prints the wall time and
 * the CPU time (user + system of the command and everything it waited for)
 * per run. The clock of bench/run: it replaces `time` so that the figure
 * excludes the harness's own fork of setpriv, bash and friends. Decides
 * nothing; exits 1 if a run of the command fails (the harness then reports
 * the failure instead of a figure).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double timeit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double timeit_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void timeit_usage(void)
{
	fprintf(stderr,
		"usage: cordon-bench-timeit [-n K] [-q] -- CMD [ARG...]\n"
		"  -n K  run CMD K times (default 1); figures are per run\n"
		"  -q    CMD's stdout goes to /dev/null\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rusage ru;
	long k = 1, i;
	int quiet = 0, opt, status = 0;
	double t0, wall;

	while ((opt = getopt(argc, argv, "+n:q")) != -1) {
		if (opt == 'n')
			k = strtol(optarg, NULL, 10);
		else if (opt == 'q')
			quiet = 1;
		else
			timeit_usage();
	}
	if (optind >= argc || k < 1)
		timeit_usage();
	t0 = timeit_now();
	for (i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			if (quiet) {
				int fd = open("/dev/null", O_WRONLY);

				if (fd >= 0)
					dup2(fd, 1);
			}
			execvp(argv[optind], argv + optind);
			perror(argv[optind]);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "cordon-bench-timeit: run %ld: %s %d\n",
				i + 1,
				WIFEXITED(status) ? "exit status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status)
						  : WTERMSIG(status));
			return 1;
		}
	}
	wall = timeit_now() - t0;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("wall_s=%.6f cpu_s=%.6f runs=%ld\n", wall / (double)k,
	       (timeit_tv(&ru.ru_utime) + timeit_tv(&ru.ru_stime)) / (double)k,
	       k);
	return 0;
}
