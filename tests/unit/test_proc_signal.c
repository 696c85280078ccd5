/* SPDX-License-Identifier: MIT */
/*
 * test_proc_signal.c - the /proc/TID/status signal reader (platform/
 * proc_signal.c): the parser on table rows (hex masks, missing lines, bad
 * digits, text cut short, a hostile Name), which signals count as
 * deliverable for a thread (SIGKILL reads as dying), and the live reader
 * against real threads: the masks the kernel prints are read, a blocked or
 * ignored signal is not pending, one queued for another thread is not the
 * leader's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "platform/platform.h"
#include "tests/harness/harness.h"

static const char test_status_ok[] = "Name:\tSigPnd: ffff\\n\n"
				     "Umask:\t0022\n"
				     "State:\tS (sleeping)\n"
				     "Tgid:\t4242\n"
				     "Pid:\t4243\n"
				     "Threads:\t3\n"
				     "SigQ:\t1/63476\n"
				     "SigPnd:\t0000000000000100\n"
				     "ShdPnd:\t0000000000002000\n"
				     "SigBlk:\t0000000000000002\n"
				     "SigIgn:\t0000000000001000\n"
				     "SigCgt:\t0000000180004002\n";

struct test_row {
	const char *text;
	int rc;
	uint64_t pnd, shdpnd, blk, ign;
};

static void test_parse_table(void)
{
	static const struct test_row rows[] = {
		{test_status_ok, 0, 0x100, 0x2000, 0x2, 0x1000},
		/* No ShdPnd line. */
		{"SigPnd:\t0\nSigBlk:\t0\nSigIgn:\t0\n", -EINVAL, 0, 0, 0, 0},
		/* Not hexadecimal. */
		{"SigPnd:\t00x0\nShdPnd:\t0\nSigBlk:\t0\nSigIgn:\t0\n", -EINVAL,
		 0, 0, 0, 0},
		/* More than 64 bits. */
		{"SigPnd:\t10000000000000000\nShdPnd:\t0\nSigBlk:\t0\n"
		 "SigIgn:\t0\n",
		 -EINVAL, 0, 0, 0, 0},
		/* No digits. */
		{"SigPnd:\t\nShdPnd:\t0\nSigBlk:\t0\nSigIgn:\t0\n", -EINVAL, 0,
		 0, 0, 0},
		/* Upper-case digits. */
		{"SigPnd:\tA\nShdPnd:\t0\nSigBlk:\tFF\nSigIgn:\t1\n", 0, 0xa, 0,
		 0xff, 1},
		/* The last line cut short (no newline). */
		{"SigPnd:\tA\nShdPnd:\t0\nSigBlk:\tFF\nSigIgn:\t1", -EINVAL, 0,
		 0, 0, 0},
		{"", -EINVAL, 0, 0, 0, 0},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct proc_signal_state st;
		int rc = proc_signal_parse((const uint8_t *)rows[i].text,
					   strlen(rows[i].text), &st);

		CHECK_MSG(rc == rows[i].rc, "row %zu: %d", i, rc);
		if (rc)
			continue;
		CHECK_MSG(
			st.pnd == rows[i].pnd && st.shdpnd == rows[i].shdpnd &&
				st.blk == rows[i].blk && st.ign == rows[i].ign,
			"row %zu", i);
	}
}

/* Cut anywhere: never a read past the length, never a wrong mask. */
static void test_parse_truncated(void)
{
	size_t len = strlen(test_status_ok), n;

	for (n = 0; n < len; n++) {
		struct proc_signal_state st;
		int rc = proc_signal_parse((const uint8_t *)test_status_ok, n,
					   &st);

		if (rc == 0)
			CHECK(st.pnd == 0x100 && st.shdpnd == 0x2000 &&
			      st.blk == 0x2 && st.ign == 0x1000);
	}
}

static void test_deliverable(void)
{
	struct proc_signal_state st;

	CHECK_EQ(proc_signal_parse((const uint8_t *)test_status_ok,
				   strlen(test_status_ok), &st),
		 0);
	CHECK_EQ(st.tgid, 4242);
	CHECK_EQ(st.threads, 3);
	/* Thread 4243 is not the leader: only its own SIGKILL-bit (9). */
	CHECK_EQ(proc_signal_deliverable(&st, 4243), 0x100ULL);
	/* The leader also gets the process's SIGINT-bit 0x2000 (14). */
	CHECK_EQ(proc_signal_deliverable(&st, 4242), 0x2100ULL);
	st.blk = 0x2000;
	CHECK_EQ(proc_signal_deliverable(&st, 4242), 0x100ULL);
	st.threads = 1;
	st.tgid = 1;
	st.blk = 0;
	/* A single thread gets the process's too, whoever the leader. */
	CHECK_EQ(proc_signal_deliverable(&st, 4243), 0x2100ULL);
}

static void test_classify(void)
{
	struct proc_signal_state st = {.tgid = 10, .threads = 2};

	CHECK_EQ(proc_signal_classify(&st, 10), 0);
	st.shdpnd = 1ULL << (SIGALRM - 1);
	CHECK_EQ(proc_signal_classify(&st, 10), 1);
	CHECK_EQ(proc_signal_classify(&st, 11), 0);
	st.blk = st.shdpnd;
	CHECK_EQ(proc_signal_classify(&st, 10), 0);
	/* SIGKILL cannot be blocked: dying, whatever the masks say. */
	st.pnd = 1ULL << (SIGKILL - 1);
	st.blk = ~0ULL;
	CHECK_EQ(proc_signal_classify(&st, 11), 2);
}

static void test_on_usr(int sig)
{
	(void)sig;
}

static void test_live(void)
{
	sigset_t set;
	pid_t me = (pid_t)syscall(SYS_gettid);
	struct proc_signal_state st;
	char path[64], buf[8192];
	ssize_t n;
	int fd;

	harness_drop_root();
	signal(SIGUSR1, test_on_usr);
	CHECK_EQ(proc_signal_pending(me), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Queued for the process but blocked: would not interrupt. */
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(proc_signal_pending(me), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)me);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK(n > 0);
	CHECK_EQ(proc_signal_parse((uint8_t *)buf, (size_t)n, &st), 0);
	CHECK(st.shdpnd & (1ULL << (SIGUSR1 - 1)));
	CHECK(st.blk & (1ULL << (SIGUSR1 - 1)));
	/* Unblocked, it would be the leader's to take. */
	st.blk = 0;
	CHECK_EQ(proc_signal_classify(&st, me), 1);
	/* Ignored: the kernel drops it, nothing is pending. */
	signal(SIGUSR2, SIG_IGN);
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* SIGUSR1 is handled */
	CHECK_EQ(proc_signal_pending(me), 0);
	CHECK_EQ(proc_signal_pending(999999999), -ESRCH);
}

static pid_t test_sleeper_tid;

static void *test_sleeper(void *arg)
{
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	__atomic_store_n(&test_sleeper_tid, (pid_t)syscall(SYS_gettid),
			 __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

/* A signal queued for one thread is that thread's, not the leader's. */
static void test_live_thread(void)
{
	pthread_t t;
	pid_t tid;
	int i;

	harness_drop_root();
	signal(SIGUSR1, test_on_usr);
	CHECK_EQ(pthread_create(&t, NULL, test_sleeper, NULL), 0);
	for (i = 0;
	     i < 200 && !__atomic_load_n(&test_sleeper_tid, __ATOMIC_SEQ_CST);
	     i++)
		usleep(1000);
	tid = test_sleeper_tid;
	CHECK(tid > 0);
	CHECK_EQ(syscall(SYS_tgkill, getpid(), tid, SIGUSR1), 0);
	/* Queued for the sleeper, which blocks it. */
	CHECK_EQ(proc_signal_pending(tid), 0);
	CHECK_EQ(proc_signal_pending(getpid()), 0);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_parse_table), HARNESS_TEST(test_parse_truncated),
	HARNESS_TEST(test_deliverable), HARNESS_TEST(test_live),
	HARNESS_TEST(test_classify),	HARNESS_TEST(test_live_thread),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
