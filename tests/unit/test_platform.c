/* SPDX-License-Identifier: MIT */
/*
 * test_platform.c - the unotify platform against the real kernel, with this
 * test acting as the supervisor: answered values and errnos arrive, fds are
 * installed, a caller killed while its call is pending does not wedge the
 * loop, and 200 threads calling at once are all answered. The job is the
 * probe program under a small hand-written filter (getppid and arch_prctl
 * notified), run as the unprivileged test user.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/harness/harness.h"
#include "platform/platform.h"

static struct sock_filter test_code[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_arch_prctl, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
};

struct test_job {
	struct platform *p;
	struct platform_job job;
	int out; /* the probe's stdout */
};

/* Copy the probe where the unprivileged user can run it, then drop root. */
static const char *test_stage_probe(void)
{
	static char path[128];
	char dir[] = "/tmp/cordon-test-XXXXXX";
	char cmd[400];

	if (!mkdtemp(dir))
		harness_fail(__FILE__, __LINE__, "mkdtemp");
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/cordon-probe", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod 755 '%s'",
		 CORDON_PROBE_PATH, path, path);
	CHECK_EQ(system(cmd), 0);
	harness_drop_root();
	return path;
}

static void test_start(struct test_job *t, const char *what)
{
	static struct sock_fprog prog = {.len = ARRAY_SIZE(test_code),
					 .filter = test_code};
	const char *probe = test_stage_probe();
	char *argv[] = {(char *)probe, (char *)what, NULL};
	char *envp[] = {NULL};
	struct platform_spawn sp = {.argv = argv,
				    .envp = envp,
				    .filter = &prog,
				    .pdeathsig = SIGKILL};
	int pipefd[2], saved;

	CHECK_EQ(pipe(pipefd), 0);
	saved = dup(1);
	dup2(pipefd[1], 1);
	close(pipefd[1]);
	t->p = platform_new(PLATFORM_KIND_UNOTIFY);
	CHECK(t->p);
	CHECK_EQ(platform_spawn(t->p, &sp, &t->job), 0);
	dup2(saved, 1);
	close(saved);
	t->out = pipefd[0];
}

/* The next getppid(); arch_prctl calls (ld.so's TLS set-up) continue. */
static void test_wait_call(struct test_job *t, struct platform_call *c)
{
	struct platform_answer cont = {.kind = PLATFORM_ANSWER_CONTINUE};
	struct pollfd pfd = {.fd = platform_fd(t->p), .events = POLLIN};

	for (;;) {
		CHECK_MSG(poll(&pfd, 1, 10000) == 1, "no notification in 10 s");
		CHECK_EQ(platform_recv(t->p, c), 0);
		if (c->nr != SYS_arch_prctl)
			return;
		CHECK_EQ(platform_answer(t->p, c, &cont), 0);
	}
}

static void test_expect_output(struct test_job *t, const char *want)
{
	char buf[512];
	size_t len = 0;
	ssize_t n;
	int st;

	CHECK_EQ(waitpid(t->job.pid, &st, 0), t->job.pid);
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "probe status 0x%x",
		  st);
	while ((n = read(t->out, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	CHECK_MSG(strstr(buf, want), "probe said \"%s\", want \"%s\"", buf,
		  want);
}

static void test_value_emulated(void)
{
	struct platform_answer a = {.kind = PLATFORM_ANSWER_VALUE,
				    .value = 4242};
	struct test_job t;
	struct platform_call c;

	test_start(&t, "getppid");
	test_wait_call(&t, &c);
	CHECK_EQ(c.nr, SYS_getppid);
	CHECK_EQ(c.arch, AUDIT_ARCH_X86_64);
	CHECK_EQ(platform_call_valid(t.p, &c), 0);
	CHECK_EQ(platform_answer(t.p, &c, &a), 0);
	/* Exactly once: a second answer to the same call is refused. */
	CHECK(platform_answer(t.p, &c, &a) < 0);
	test_expect_output(&t, "getppid: ok 4242");
}

static void test_errno_emulated(void)
{
	struct platform_answer a = {.kind = PLATFORM_ANSWER_ERRNO,
				    .err = EACCES};
	struct test_job t;
	struct platform_call c;

	test_start(&t, "getppid");
	test_wait_call(&t, &c);
	CHECK_EQ(platform_answer(t.p, &c, &a), 0);
	test_expect_output(&t, "getppid: errno EACCES");
}

static void test_fd_installed(void)
{
	struct test_job t;
	struct platform_call c;
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	test_start(&t, "getppid-fd");
	test_wait_call(&t, &c);
	CHECK(platform_put_fd(t.p, &c, devnull, true) >= 3);
	/* FD_CLOEXEC (1) was asked for and must be set in the job. */
	test_expect_output(&t, "getppid-fd: ok 1");
}

static void test_killed_caller_does_not_wedge(void)
{
	struct platform_answer a = {.kind = PLATFORM_ANSWER_VALUE, .value = 99};
	struct test_job t;
	struct platform_call c;

	test_start(&t, "getppid2");
	test_wait_call(&t, &c); /* the child's call */
	CHECK(c.tid != t.job.pid);
	CHECK_EQ(kill(c.tid, SIGKILL), 0);
	/* Wait for the kill to land: the call must turn invalid. */
	for (int i = 0; i < 1000 && platform_call_valid(t.p, &c) == 0; i++)
		usleep(1000);
	CHECK_EQ(platform_call_valid(t.p, &c), -ENOENT);
	CHECK_EQ(platform_answer(t.p, &c, &a), -ENOENT);
	/* The loop goes on: the parent's call is received and answered. */
	test_wait_call(&t, &c);
	CHECK_EQ(c.tid, t.job.pid);
	CHECK_EQ(platform_answer(t.p, &c, &a), 0);
	test_expect_output(&t, "getppid2: ok 99");
}

static void test_200_threads_answered(void)
{
	struct platform_answer a = {.kind = PLATFORM_ANSWER_CONTINUE};
	struct pollfd pfd;
	struct test_job t;
	int answered = 0;

	test_start(&t, "threads");
	pfd.fd = platform_fd(t.p);
	pfd.events = POLLIN;
	/* Serve until no task of the job uses the filter any more. */
	for (;;) {
		struct platform_call c;
		int r = poll(&pfd, 1, 10000);

		CHECK_MSG(r == 1, "stalled after %d answers", answered);
		if (pfd.revents & POLLIN) {
			if (platform_recv(t.p, &c) == 0 &&
			    platform_answer(t.p, &c, &a) == 0)
				answered++;
			continue;
		}
		if (pfd.revents & POLLHUP)
			break;
	}
	CHECK(answered >= 200);
	test_expect_output(&t, "threads: 200 answered, 0 failed");
}

/*
 * The receiver thread's way (sentry/receiver.c): a receive that sleeps
 * until a call comes, no poll; once no task uses the filter, -EPIPE at once
 * (the kernel's receive would return ENOENT for ever, and a receiver
 * retrying it would spin).
 */
static void test_blocking_recv_ends_with_epipe(void)
{
	struct platform_answer a = {.kind = PLATFORM_ANSWER_CONTINUE};
	struct test_job t;
	int answered = 0, rc;

	test_start(&t, "threads");
	alarm(30); /* a receive that never ends fails the test */
	for (;;) {
		struct platform_call c;

		rc = platform_recv(t.p, &c);
		if (rc == -EPIPE)
			break;
		CHECK_MSG(rc == 0 || rc == -ENOENT, "receive: %s",
			  strerror(-rc));
		if (rc == 0 && platform_answer(t.p, &c, &a) == 0)
			answered++;
	}
	CHECK_EQ(platform_recv(t.p, &(struct platform_call){0}), -EPIPE);
	alarm(0);
	CHECK(answered >= 200);
	test_expect_output(&t, "threads: 200 answered, 0 failed");
}

/*
 * The unotify backend says what it can do and which trap action its filter
 * needs: everything a handler may ask, and SECCOMP_RET_USER_NOTIF, the
 * action the build-time programs are compiled for.
 */
static void test_unotify_can(void)
{
	struct platform *p = platform_new(PLATFORM_KIND_UNOTIFY);

	CHECK(p != NULL);
	CHECK(platform_can(p, PLATFORM_CAN_TAKE_FD | PLATFORM_CAN_PUT_FD |
				      PLATFORM_CAN_CONTINUE |
				      PLATFORM_CAN_WRITE_MEM |
				      PLATFORM_CAN_ANSWER_ANY_THREAD));
	CHECK(!platform_can(p, 1U << 30));
	CHECK_EQ(platform_trap_action(p), SECCOMP_RET_USER_NOTIF);
	CHECK_EQ(platform_kind_trap_action(PLATFORM_KIND_UNOTIFY),
		 SECCOMP_RET_USER_NOTIF);
	CHECK_STREQ(platform_name(p), "unotify");
	platform_free(p);
}

/*
 * CORDON_IGNORE_FEATURES parses strictly: every known name, the Landlock caps
 * (the lowest cap wins), separators, and a clear refusal of anything else.
 */
static void test_feature_off_parse(void)
{
	struct feature_off f;
	char why[256] = "";

	CHECK_EQ(feature_off_parse(NULL, &f, why, sizeof(why)), 0);
	CHECK_EQ(f.bits, 0U);
	CHECK_EQ(f.landlock_cap, -1);
	CHECK_EQ(feature_off_parse("sync_wake_up,addfd_send wait_killable_recv,"
				   "pidfd_getfd,process_vm,passrights",
				   &f, why, sizeof(why)),
		 0);
	CHECK_EQ(f.bits, FEATURE_OFF_SYNC_WAKE_UP | FEATURE_OFF_ADDFD_SEND |
				 FEATURE_OFF_WAIT_KILLABLE_RECV |
				 FEATURE_OFF_PIDFD_GETFD |
				 FEATURE_OFF_PROCESS_VM |
				 FEATURE_OFF_PASSRIGHTS);
	CHECK_EQ(f.landlock_cap, -1);
	CHECK_EQ(feature_off_parse("landlock_scope", &f, why, sizeof(why)), 0);
	CHECK_EQ(f.landlock_cap, 5);
	CHECK_EQ(feature_off_parse("landlock_abi=2,landlock_scope", &f, why,
				   sizeof(why)),
		 0);
	CHECK_EQ(f.landlock_cap, 2);
	CHECK_EQ(feature_off_parse("landlock_scope,landlock", &f, why,
				   sizeof(why)),
		 0);
	CHECK_EQ(f.landlock_cap, 0);
	CHECK_EQ(feature_off_parse(",,", &f, why, sizeof(why)), 0);
	CHECK_EQ(f.bits, 0U);
	CHECK_EQ(feature_off_parse("sync_wake", &f, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "unknown feature 'sync_wake'") != NULL);
	CHECK_EQ(f.bits, 0U);
	CHECK_EQ(feature_off_parse("landlock_abi=x", &f, why, sizeof(why)),
		 -EINVAL);
	CHECK_EQ(feature_off_parse("landlock_abi=", &f, why, sizeof(why)),
		 -EINVAL);
	CHECK_EQ(feature_off_parse("landlock_abi=123", &f, why, sizeof(why)),
		 -EINVAL);
	CHECK_EQ(feature_off_parse("pidfd_getfd,SYNC_WAKE_UP", &f, why,
				   sizeof(why)),
		 -EINVAL);
	CHECK_EQ(f.bits, 0U);
}

/*
 * The mask is what the probe reports: each ignored facility reads as
 * missing, the Landlock ABI is capped everywhere it is read, and a facility
 * not named keeps its real value.
 */
static void test_feature_off_probe(void)
{
	struct platform_features f;
	char off[256];

	/* Set before the first probe: the mask is read once per process. */
	if (setenv("CORDON_IGNORE_FEATURES",
		   "sync_wake_up,addfd_send,wait_killable_recv,passrights,"
		   "landlock_abi=1",
		   1) < 0)
		CHECK(0);
	CHECK_EQ(platform_features_off_check(off, sizeof(off)), 0);
	CHECK_EQ(platform_probe(&f), 0);
	if (!f.unotify || !f.pidfd_getfd)
		harness_skip("no user notification or pidfd_getfd here");
	CHECK(f.addfd); /* not named: its real value (5.9+) */
	CHECK(!f.sync_wake_up);
	CHECK(!f.addfd_send);
	CHECK(!f.wait_killable_recv);
	CHECK(!f.passrights);
	CHECK(f.landlock_abi <= 1);
	CHECK(platform_landlock_abi() <= 1);
	CHECK(platform_features_off_describe(off, sizeof(off)) > 0);
	CHECK(strstr(off, "SYNC_WAKE_UP") != NULL);
	CHECK(strstr(off, "Landlock ABI above 1") != NULL);
}

/* pidfd_getfd ignored: the probe reports it refused, as Docker's profile. */
static void test_feature_off_pidfd_getfd(void)
{
	struct platform_features f;

	if (setenv("CORDON_IGNORE_FEATURES", "pidfd_getfd", 1) < 0)
		CHECK(0);
	CHECK_EQ(platform_probe(&f), 0);
	if (!f.unotify)
		harness_skip("no user notification here");
	CHECK(!f.pidfd_getfd);
	CHECK(strstr(f.detail, "pidfd_getfd") != NULL);
	/* The listener came over the socketpair: ADDFD was tried for real. */
	CHECK(f.addfd);
}

/* A bad value is refused (the CLI exits 125 on it), never half-applied. */
static void test_feature_off_bad_value(void)
{
	char why[256];

	if (setenv("CORDON_IGNORE_FEATURES", "sync_wake_up,bogus", 1) < 0)
		CHECK(0);
	CHECK_EQ(platform_features_off_check(why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "CORDON_IGNORE_FEATURES") != NULL);
	CHECK(strstr(why, "'bogus'") != NULL);
	/* Library users that did not check get everything ignored. */
	CHECK_EQ(platform_landlock_abi(), 0);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_feature_off_parse),
	HARNESS_TEST(test_feature_off_probe),
	HARNESS_TEST(test_feature_off_pidfd_getfd),
	HARNESS_TEST(test_feature_off_bad_value),
	HARNESS_TEST(test_unotify_can),
	HARNESS_TEST(test_value_emulated),
	HARNESS_TEST(test_errno_emulated),
	HARNESS_TEST(test_fd_installed),
	HARNESS_TEST(test_killed_caller_does_not_wedge),
	HARNESS_TEST(test_200_threads_answered),
	HARNESS_TEST(test_blocking_recv_ends_with_epipe),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
