/* SPDX-License-Identifier: MIT */
/*
 * test_procfs.c - platform/procfs.c and the pinned-process helpers of
 * proc_mem.c: the parsers on tables of hand-made text (a command with
 * parentheses and spaces, cut files, out-of-range numbers), then every
 * reader against real processes of this test (children of every thread, a
 * children file longer than one read, threads, status, cwd, syscall, fds
 * and memfds, memory and fds of a pinned child). Runs as the unprivileged
 * test user.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "platform/platform.h"
#include "tests/harness/harness.h"

#define P(s) (const uint8_t *)(s), strlen(s)

/*
 * Become the unprivileged user. setresuid() from root leaves the process
 * non-dumpable, which no job process is (it was exec'd): make it dumpable
 * again, so that children forked here are what the job's processes are.
 */
static void test_drop_root(void)
{
	harness_drop_root();
	if (prctl(PR_SET_DUMPABLE, 1) < 0)
		harness_fail(__FILE__, __LINE__, "PR_SET_DUMPABLE");
}

static void test_stat_parse(void)
{
	struct procfs_stat st;
	/* The command closes and reopens parentheses, with spaces. */
	const char *nasty = "4242 (a) b) (c) 1 S 99) R 77 4242 4242 0 -1 "
			    "4194560 100 0 0 0 5 6 7 8 20 0 3 0 12345 1000\n";

	CHECK_EQ(procfs_stat_parse(P(nasty), &st), 0);
	CHECK_EQ(st.state, 'R');
	CHECK_EQ(st.ppid, 77);
	CHECK_EQ(st.pgrp, 4242);
	CHECK_EQ(st.utime, 5);
	CHECK_EQ(st.stime, 6);
	CHECK_EQ(st.cutime, 7);
	CHECK_EQ(st.cstime, 8);
	CHECK_EQ(st.threads, 3);
	CHECK_EQ(st.start, 12345);
	/* Cut before starttime, no ')', no state, a non-number. */
	CHECK_EQ(procfs_stat_parse(
			 P("1 (x) S 1 1 0 -1 4 1 0 0 0 5 6 7 8 20 0 3 0"), &st),
		 -EINVAL);
	CHECK_EQ(procfs_stat_parse(P("1 x S 1"), &st), -EINVAL);
	CHECK_EQ(procfs_stat_parse(P("1 (x) "), &st), -EINVAL);
	CHECK_EQ(procfs_stat_parse(P("1 (x) S 1 z 0 -1 4 1 0 0 0 5 6 7 8 20 0 "
				     "3 0 9"),
				   &st),
		 -EINVAL);
	/* The text is bounded by len, not by a NUL. */
	CHECK_EQ(procfs_stat_parse((const uint8_t *)nasty, 20, &st), -EINVAL);
}

static void test_status_parse(void)
{
	struct procfs_status ps;
	const char *s = "Name:\tx) Tgid: 1\nUmask:\t0027\nTgid:\t77\n"
			"Uid:\t1000\t1001\t1002\t1003\n"
			"RssAnon:\t    1024 kB\n"
			"RssShmem:\t99999999999999999999 kB\n";

	CHECK_EQ(procfs_status_parse(P(s), &ps), 0);
	CHECK_EQ(ps.tgid, 77);
	CHECK_EQ(ps.ruid, 1000);
	CHECK_EQ(ps.umask, 027);
	CHECK_EQ(ps.rss_anon, 1024 * 1024);
	CHECK_EQ(ps.rss_shmem, 0); /* overflow: absent, not wrapped */
	CHECK_EQ(procfs_status_parse(P("Name:\tkthreadd\nTgid:\t2\n"), &ps), 0);
	CHECK_EQ(ps.tgid, 2);
	CHECK_EQ(ps.umask, -1);
	CHECK_EQ(ps.ruid, (uid_t)-1);
	CHECK_EQ(procfs_status_parse(P("Tgid:\t-5\nUmask:\t9\n"), &ps), 0);
	CHECK_EQ(ps.tgid, -1);
	CHECK_EQ(ps.umask, -1);
	/* A key must start its line: "XTgid" is another key. */
	CHECK_EQ(procfs_status_parse(P("XTgid:\t5\n"), &ps), 0);
	CHECK_EQ(ps.tgid, -1);
}

static void test_pids_parse(void)
{
	pid_t p[4];

	CHECK_EQ(procfs_pids_parse(P("12 345 6789 "), p, 4), 3);
	CHECK_EQ(p[0], 12);
	CHECK_EQ(p[2], 6789);
	CHECK_EQ(procfs_pids_parse(P("1 2 3 4 5 6"), p, 4), 4);
	CHECK_EQ(procfs_pids_parse(P("7 0 8"), p, 4), 1);
	CHECK_EQ(procfs_pids_parse(P("7 x8"), p, 4), 1);
	CHECK_EQ(procfs_pids_parse(P("99999999999 1"), p, 4), 0);
	CHECK_EQ(procfs_pids_parse(P(""), p, 4), 0);
}

static void test_syscall_parse(void)
{
	CHECK_EQ(
		procfs_syscall_parse(P("7 0x3 0x7ffd 0x400 0 0 0 0x7f 0x7f\n")),
		7);
	CHECK_EQ(procfs_syscall_parse(P("running\n")), PROCFS_SYSCALL_RUNNING);
	CHECK_EQ(procfs_syscall_parse(P("-1 0x7ffd 0x7f\n")),
		 PROCFS_SYSCALL_NONE);
	CHECK_EQ(procfs_syscall_parse(P("-2 0x0\n")), PROCFS_SYSCALL_UNKNOWN);
	CHECK_EQ(procfs_syscall_parse(P("7")), PROCFS_SYSCALL_UNKNOWN);
	CHECK_EQ(procfs_syscall_parse(P("7x 0\n")), PROCFS_SYSCALL_UNKNOWN);
	CHECK_EQ(procfs_syscall_parse(P("")), PROCFS_SYSCALL_UNKNOWN);
}

static void test_self_rewrite(void)
{
	char p[64], small[12];

	snprintf(p, sizeof(p), "/proc/self/fd/3");
	CHECK_EQ(procfs_self_rewrite(p, sizeof(p), 10, 11), 1);
	CHECK_STREQ(p, "/proc/10/fd/3");
	snprintf(p, sizeof(p), "/proc/self");
	CHECK_EQ(procfs_self_rewrite(p, sizeof(p), 10, 11), 1);
	CHECK_STREQ(p, "/proc/10");
	snprintf(p, sizeof(p), "/proc/thread-self/comm");
	CHECK_EQ(procfs_self_rewrite(p, sizeof(p), 10, 11), 1);
	CHECK_STREQ(p, "/proc/10/task/11/comm");
	snprintf(p, sizeof(p), "/proc/selfish");
	CHECK_EQ(procfs_self_rewrite(p, sizeof(p), 10, 11), 0);
	CHECK_STREQ(p, "/proc/selfish");
	snprintf(small, sizeof(small), "/proc/self");
	CHECK_EQ(procfs_self_rewrite(small, sizeof(small), 1234567, 1),
		 -ENAMETOOLONG);
	CHECK_STREQ(small, "/proc/self");
}

/* A child that waits for EOF on @fd, then exits. */
static pid_t test_child_waiting(int rd, int wr)
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		close(wr);
		while (read(rd, &c, 1) > 0)
			;
		_exit(0);
	}
	return pid;
}

static bool test_has(const pid_t *v, size_t n, pid_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static int test_pipe[2];
static pid_t test_thread_child;

static void *test_thread_fork(void *arg)
{
	(void)arg;
	test_thread_child = test_child_waiting(test_pipe[0], test_pipe[1]);
	return NULL;
}

/* Children of the main thread and of another thread are all found. */
static void test_children(void)
{
	pid_t kids[3], seen[64];
	pthread_t t;
	size_t n, i;

	test_drop_root();
	CHECK_EQ(pipe(test_pipe), 0);
	for (i = 0; i < 3; i++)
		kids[i] = test_child_waiting(test_pipe[0], test_pipe[1]);
	CHECK_EQ(pthread_create(&t, NULL, test_thread_fork, NULL), 0);
	/* The thread stays alive: a child is listed under its thread. */
	sleep(0);
	while (!test_thread_child)
		usleep(1000);
	n = procfs_children(getpid(), seen, ARRAY_SIZE(seen));
	CHECK_EQ(n, 4);
	for (i = 0; i < 3; i++)
		CHECK(test_has(seen, n, kids[i]));
	CHECK(test_has(seen, n, test_thread_child));
	CHECK_EQ(procfs_children(getpid(), seen, 2), 2);
	CHECK_EQ(procfs_ppid(kids[0]), getpid());
	CHECK_EQ(procfs_pgid(kids[0]), getpgrp());
	close(test_pipe[1]);
	pthread_join(t, NULL);
	while (wait(NULL) > 0)
		;
	CHECK_EQ(procfs_children(getpid(), seen, ARRAY_SIZE(seen)), 0);
}

#define TEST_MANY 1200

/* A children file longer than one read (4 KiB): every pid, none cut. */
static void test_children_long(void)
{
	static pid_t kids[TEST_MANY], seen[TEST_MANY + 8];
	size_t n, i, forked = 0, bytes = 0;
	int p[2];

	test_drop_root();
	CHECK_EQ(pipe(p), 0);
	/* Just enough children for 4 KiB and a bit of pids. */
	for (i = 0; i < TEST_MANY && bytes <= 4096 + 256; i++) {
		char num[16];

		kids[i] = test_child_waiting(p[0], p[1]);
		if (kids[i] < 0)
			break;
		forked++;
		bytes += (size_t)snprintf(num, sizeof(num), "%d ", kids[i]);
	}
	if (bytes <= 4096) {
		close(p[1]);
		while (wait(NULL) > 0)
			;
		harness_skip(
			"could not fork children enough for 4 KiB of pids");
	}
	n = procfs_children(getpid(), seen, ARRAY_SIZE(seen));
	close(p[1]);
	CHECK_EQ(n, forked);
	for (i = 0; i < forked; i++)
		CHECK(test_has(seen, n, kids[i]));
	while (wait(NULL) > 0)
		;
}

static pid_t test_tid;

static void *test_thread_park(void *arg)
{
	char c;

	test_tid = (pid_t)syscall(SYS_gettid);
	(void)!read(*(int *)arg, &c, 1);
	return NULL;
}

/* Threads, thread group, umask, and where a thread is. */
static void test_threads_status_syscall(void)
{
	struct procfs_status ps;
	pid_t tids[16];
	pthread_t t;
	size_t n;
	int p[2];
	long where = PROCFS_SYSCALL_UNKNOWN;
	int i;

	test_drop_root();
	umask(027);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pthread_create(&t, NULL, test_thread_park, &p[0]), 0);
	while (!test_tid)
		usleep(1000);
	n = procfs_threads(getpid(), tids, ARRAY_SIZE(tids));
	CHECK_EQ(n, 2);
	CHECK(test_has(tids, n, getpid()));
	CHECK(test_has(tids, n, test_tid));
	CHECK_EQ(procfs_tgid(test_tid), getpid());
	CHECK_EQ(procfs_umask(test_tid), 027);
	CHECK_EQ(procfs_ruid(getpid()), getuid());
	CHECK_EQ(procfs_status(getpid(), &ps), 0);
	CHECK(ps.rss_anon > 0);
	/* The parked thread sleeps in read(2) (the file says so once it is
	 * off the CPU). */
	for (i = 0; i < 2000 && where != SYS_read; i++) {
		where = procfs_syscall(test_tid);
		if (where != SYS_read)
			usleep(1000);
	}
	CHECK_EQ(where, SYS_read);
	CHECK_EQ(write(p[1], "x", 1), 1);
	pthread_join(t, NULL);
	/*
	 * The join returns when the kernel clears the thread's tid
	 * (CLONE_CHILD_CLEARTID, in its exit's mm release), before the task
	 * is released: for a moment its entry still reads as running. Under
	 * emulation (tests/kernel/run-6.1.sh) that moment is long.
	 */
	for (i = 0; i < 2000 && where != PROCFS_SYSCALL_GONE; i++) {
		where = procfs_syscall(test_tid);
		if (where != PROCFS_SYSCALL_GONE)
			usleep(1000);
	}
	CHECK_EQ(where, PROCFS_SYSCALL_GONE);
	CHECK_EQ(procfs_tgid(test_tid), -1);
	CHECK_EQ(procfs_umask(test_tid), 022); /* unreadable: the default */
}

static void test_cwd_exe_cmdline(void)
{
	char dir[] = "/tmp/cordon-procfs-XXXXXX", buf[64];
	struct stat a, b;
	int p[2], fd;
	pid_t pid;
	ssize_t n;

	test_drop_root();
	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		if (chdir(dir) < 0)
			_exit(1);
		/* Tell the parent, then wait. */
		(void)!read(p[0], &c, 1);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	/* Wait until the child has changed directory. */
	for (fd = -1; fd < 0;) {
		fd = procfs_cwd_open(pid);
		CHECK(fd >= 0);
		CHECK_EQ(fstat(fd, &a), 0);
		CHECK_EQ(stat(dir, &b), 0);
		if (a.st_ino != b.st_ino) {
			close(fd);
			fd = -1;
			usleep(1000);
		}
	}
	CHECK(S_ISDIR(a.st_mode));
	close(fd);
	fd = procfs_exe_open(pid);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &a), 0);
	CHECK_EQ(stat("/proc/self/exe", &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	close(fd);
	n = procfs_cmdline(getpid(), buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(memchr(buf, '\0', (size_t)n) != NULL);
	CHECK(strstr(buf, "test_procfs") != NULL);
	close(p[1]);
	waitpid(pid, NULL, 0);
	CHECK_EQ(procfs_cwd_open(pid), -ENOENT);
	rmdir(dir);
}

/* Fds counted; a memfd open twice is one object; wchar grows. */
static void test_fds_io(void)
{
	struct procfs_memfd mf[8];
	uint64_t w0, w1;
	size_t nmf = 99, fds, fds2;
	char page[8192];
	int m, d, null;

	test_drop_root();
	memset(page, 'x', sizeof(page));
	m = (int)syscall(SYS_memfd_create, "procfs-test", 0);
	CHECK(m >= 0);
	CHECK_EQ(write(m, page, sizeof(page)), (ssize_t)sizeof(page));
	fds = procfs_fds(getpid(), NULL, 0, &nmf);
	CHECK_EQ(nmf, 0);
	d = dup(m);
	CHECK(d >= 0);
	fds2 = procfs_fds(getpid(), mf, ARRAY_SIZE(mf), &nmf);
	CHECK_EQ(fds2, fds + 1);
	CHECK_EQ(nmf, 1);
	CHECK(mf[0].bytes >= sizeof(page));
	CHECK_EQ(procfs_io_wchar(getpid(), &w0), 0);
	null = open("/dev/null", O_WRONLY);
	CHECK(null >= 0);
	CHECK_EQ(write(null, page, 1000), 1000);
	CHECK_EQ(procfs_io_wchar(getpid(), &w1), 0);
	CHECK(w1 >= w0 + 1000);
	close(null);
	close(d);
	close(m);
}

/* Memory and fds of a pinned child; nothing once the pin has exited. */
static void test_proc_mem(void)
{
	static volatile uint64_t secret = 0x5ec2e7;
	uint64_t got = 0, put = 0xfeed;
	int p[2], pidfd, memfd, fd;
	char c;
	pid_t pid;

	test_drop_root();
	CHECK_EQ(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(secret == 0xfeed ? 0 : 3);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK(pidfd >= 0);
	memfd = proc_mem_open(pid, pidfd, false);
	CHECK(memfd >= 0);
	CHECK_EQ(proc_mem_pread(memfd, (uint64_t)(uintptr_t)&secret, &got,
				sizeof(got)),
		 (ssize_t)sizeof(got));
	CHECK_EQ(got, 0x5ec2e7);
	CHECK(proc_mem_pread(memfd, 8, &got, sizeof(got)) < 0);
	close(memfd);
	memfd = proc_mem_open(pid, pidfd, true);
	CHECK(memfd >= 0);
	CHECK_EQ(proc_mem_pwrite(memfd, (uint64_t)(uintptr_t)&secret, &put,
				 sizeof(put)),
		 (ssize_t)sizeof(put));
	close(memfd);
	/* The child's fd 0 is ours too: its stdin. */
	fd = proc_mem_getfd(pidfd, p[0], 0);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	CHECK_EQ(proc_mem_getfd(pidfd, 999, 0), -EBADF);
	close(p[1]);
	close(p[0]);
	{
		int st;

		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* Reaped: the pidfd polls readable, the open must not count. */
	CHECK_EQ(proc_mem_open(pid, pidfd, false) < 0, 1);
	close(pidfd);
}

/*
 * procfs_uid_tasks() as RLIMIT_NPROC counts: every task (threads too) of
 * every process whose real uid is @uid, as an independent reading of each
 * /proc/PID/status says. Run under a uid of its own (nothing else of this
 * host can start or end under it meanwhile), so the count is exact: 1, then
 * 4 with three threads, then 5 with a child; and again after a seteuid()
 * away from it (the real uid counts, not the effective one).
 */
#define UID_TASKS_UID 61337

static uint64_t uid_tasks_reference(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint64_t n = 0;

	CHECK(d);
	while ((e = readdir(d))) {
		char path[300], buf[16384], *p;
		unsigned long r = 0, t = 1;
		ssize_t len;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		p = strstr(buf, "\nUid:");
		if (!p || sscanf(p + 5, "%lu", &r) != 1 || r != uid)
			continue;
		p = strstr(buf, "\nThreads:");
		if (p)
			sscanf(p + 9, "%lu", &t);
		n += t;
	}
	closedir(d);
	return n;
}

static void *uid_tasks_sleeper(void *arg)
{
	int *fd = arg;
	char c;

	(void)!read(*fd, &c, 1);
	return NULL;
}

static void test_uid_tasks(void)
{
	const uid_t u = UID_TASKS_UID;
	pthread_t th[3];
	int go[2], i, status;
	pid_t child;

	if (geteuid() != 0)
		harness_skip("needs root to take a uid of its own");
	CHECK_EQ(pipe(go), 0);
	CHECK_EQ(setresgid(u, u, u), 0);
	CHECK_EQ(setresuid(u, u, 0), 0); /* saved root: seteuid() below */
	CHECK_EQ(procfs_uid_tasks(u), 1);
	CHECK_EQ(uid_tasks_reference(u), 1);
	for (i = 0; i < 3; i++)
		CHECK_EQ(
			pthread_create(&th[i], NULL, uid_tasks_sleeper, &go[0]),
			0);
	CHECK_EQ(procfs_uid_tasks(u), 4);
	CHECK_EQ(uid_tasks_reference(u), 4);
	child = fork();
	if (child == 0) {
		char c;

		close(go[1]);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	CHECK(child > 0);
	CHECK_EQ(procfs_uid_tasks(u), 5);
	CHECK_EQ(uid_tasks_reference(u), 5);
	/* The real uid counts: still ours with another effective uid. */
	CHECK_EQ(seteuid(0), 0);
	CHECK_EQ(procfs_uid_tasks(u), 5);
	CHECK_EQ(procfs_uid_tasks(0) > 0, 1);
	close(go[1]); /* everyone reads EOF */
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(waitpid(child, &status, 0), child);
	CHECK_EQ(procfs_uid_tasks(u), 1);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_stat_parse),
	HARNESS_TEST(test_status_parse),
	HARNESS_TEST(test_pids_parse),
	HARNESS_TEST(test_syscall_parse),
	HARNESS_TEST(test_self_rewrite),
	HARNESS_TEST(test_children),
	HARNESS_TEST_TIMEOUT(test_children_long, 60),
	HARNESS_TEST(test_threads_status_syscall),
	HARNESS_TEST(test_cwd_exe_cmdline),
	HARNESS_TEST(test_fds_io),
	HARNESS_TEST(test_proc_mem),
	HARNESS_TEST(test_uid_tasks),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
