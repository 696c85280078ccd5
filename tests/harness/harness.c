/* SPDX-License-Identifier: MIT */
/* harness.c - fork-per-test runner; see harness.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness/harness.h"

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

void harness_skip(const char *why)
{
	fprintf(stderr, "  skipped: %s\n", why);
	fflush(NULL);
	_exit(HARNESS_SKIP_STATUS);
}

void harness_drop_root(void)
{
	const char *name = getenv("CORDON_TEST_USER");
	struct passwd *pw;
	uid_t uid = 65534;
	gid_t gid = 65534;

	if (geteuid() != 0)
		return;
	pw = getpwnam(name ? name : "cordontest");
	if (pw) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0 || geteuid() == 0)
		harness_fail(__FILE__, __LINE__, "cannot drop root: %s",
			     strerror(errno));
}

static int harness_selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc <= 1)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

/* Return: 1 passed, 0 failed, -1 skipped. */
static int harness_run_one(const struct harness_test *t)
{
	unsigned limit = t->timeout_s ? t->timeout_s : 30;
	struct timespec start, now;
	int status;
	pid_t pid, r;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 0;
	}
	if (pid == 0) {
		/* Own process group so the timeout kills what the test forked.
		 */
		setpgid(0, 0);
		alarm(0);
		t->fn();
		fflush(NULL);
		_exit(0);
	}
	setpgid(pid, pid);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("waitpid");
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((unsigned)(now.tv_sec - start.tv_sec) >= limit) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "  timed out after %u s\n", limit);
			return 0;
		}
		usleep(2000);
	}
	/* Whatever the test left in its group goes with it. */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == HARNESS_SKIP_STATUS)
		return -1;
	if (t->expect_signal) {
		if (WIFSIGNALED(status) && WTERMSIG(status) == t->expect_signal)
			return 1;
		fprintf(stderr, "  expected death by signal %d, got %s %d\n",
			t->expect_signal,
			WIFSIGNALED(status) ? "signal" : "exit",
			WIFSIGNALED(status) ? WTERMSIG(status)
					    : WEXITSTATUS(status));
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFSIGNALED(status))
		fprintf(stderr, "  died of signal %d\n", WTERMSIG(status));
	return 0;
}

int harness_main(int argc, char **argv, const struct harness_test *tests,
		 size_t n)
{
	size_t i, passed = 0, failed = 0, skipped = 0;
	int r;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!harness_selected(argc, argv, tests[i].name))
			continue;
		r = harness_run_one(&tests[i]);
		if (r < 0) {
			printf("skip %s\n", tests[i].name);
			skipped++;
		} else if (r) {
			printf("ok   %s\n", tests[i].name);
			passed++;
		} else {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	printf("%zu passed, %zu failed, %zu skipped\n", passed, failed,
	       skipped);
	return failed || (passed == 0) ? 1 : 0;
}
