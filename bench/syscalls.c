/* SPDX-License-Identifier: MIT */
/*
 * syscalls.c - the syscall-heavy workload of bench/run: N rounds of
 * open/read/close of a small file, stat() and fstat(), and every 64th round a
 * fork + exec of /bin/true. Deterministic (same calls every run), no
 * network. Prints the time it took; decides nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double syscalls_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const paths[] = {"/etc/passwd", "/etc/hostname",
					    "/usr/bin", "/bin/true"};
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000, i;
	long execs = 0, bytes = 0;
	char buf[64];
	double t0 = syscalls_now();

	for (i = 0; i < n; i++) {
		struct stat st;
		ssize_t r;
		int fd, j;

		fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("open");
			return 1;
		}
		for (j = 0; j < 4; j++) {
			r = read(fd, buf, sizeof(buf));
			if (r > 0)
				bytes += r;
		}
		fstat(fd, &st);
		close(fd);
		stat(paths[i % 4], &st);
		if (i % 64 == 0) {
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &status, 0) < 0 ||
			    !WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "fork/exec /bin/true failed\n");
				return 1;
			}
			execs++;
		}
	}
	printf("syscalls: %ld rounds, %ld execs, %ld bytes, %.6f s\n", n, execs,
	       bytes, syscalls_now() - t0);
	return 0;
}
