/* SPDX-License-Identifier: MIT */
/*
 * scale.c - the scale curve of bench/run: makes the job big (N sleeping
 * processes, or N open sockets), then times calls that the supervisor
 * answers: personality(0xffffffff) (notified, answered CONTINUE after a
 * look at the register) and a connect() to a listener of the job's own
 * (notified, performed by the supervisor, own-listener check).
 *
 *   cordon-bench-scale procs N K      N children blocked in pause()
 *   cordon-bench-scale socks N K      N extra TCP sockets (RLIMIT_NOFILE
 *                                     raised to the hard limit)
 *
 * K personality calls and K/20 connects are timed after a warm-up. Prints
 * "scale: procs=N personality_ns=X connect_us=Y"; decides nothing. The
 * children die with the parent (PR_SET_PDEATHSIG) and are reaped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double scale_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double scale_personality(long k)
{
	double t0;
	long i;

	for (i = 0; i < k / 10; i++)
		personality(0xffffffff);
	t0 = scale_now();
	for (i = 0; i < k; i++)
		personality(0xffffffff);
	return (scale_now() - t0) / (double)k;
}

/* ns per connect+accept+close to the job's own loopback listener. */
static double scale_connect(long k)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	double t0 = 0;
	long i;
	int ls = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(ls, 128) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &l) < 0) {
		perror("listener");
		return -1;
	}
	for (i = -k / 10; i < k; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (i == 0)
			t0 = scale_now();
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("connect");
			return -1;
		}
		s = accept(ls, NULL, NULL);
		close(s);
		close(c);
	}
	close(ls);
	return (scale_now() - t0) / (double)k;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	pid_t *kids = NULL;
	long n, k, i, made = 0;
	double pers, conn;

	if (argc != 4 ||
	    (strcmp(argv[1], "procs") && strcmp(argv[1], "socks"))) {
		fprintf(stderr, "usage: cordon-bench-scale procs|socks N K\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	k = strtol(argv[3], NULL, 10);
	if (!strcmp(argv[1], "procs")) {
		kids = calloc((size_t)n + 1, sizeof(*kids));
		if (!kids)
			return 1;
		for (i = 0; i < n; i++) {
			pid_t p = fork();

			if (p < 0) {
				perror("fork");
				break;
			}
			if (p == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			kids[made++] = p;
		}
	} else {
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur < (rlim_t)n + 64) {
			rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64
					      ? rl.rlim_max
					      : (rlim_t)n + 64;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		for (i = 0; i < n; i++) {
			if (socket(AF_INET, SOCK_STREAM, 0) < 0) {
				perror("socket");
				break;
			}
			made++;
		}
	}
	pers = scale_personality(k);
	conn = scale_connect(k / 20 > 10 ? k / 20 : 10);
	printf("scale: %s=%ld personality_ns=%.0f connect_us=%.1f\n", argv[1],
	       made, pers, conn / 1e3);
	for (i = 0; i < made && kids; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < made && kids; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return made == n && conn >= 0 ? 0 : 1;
}
