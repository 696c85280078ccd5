/* SPDX-License-Identifier: MIT */
/*
 * jobtree.c - is this process part of the job? A pid-reuse-proof answer for
 * the handlers of calls that name another process (sys_proc.c, sys_open.c).
 * Not responsible for walking the whole tree (proctree.c does that) nor for
 * deciding what a member may do.
 *
 * Theory of operation
 * -------------------
 * The supervisor is a child subreaper and the job is everything below it:
 * a job process that loses its parent is reparented to the supervisor, never
 * to a process outside, and an outside process is never reparented into the
 * job. Membership is therefore a fixed property of a live process. What can
 * change under us is which process a pid *number* names: between reading a
 * number and acting on it, the process may die, be reaped, and the number be
 * handed to another process.
 *
 * So the target is pinned first with pidfd_open(); every later read by number
 * (/proc/N/stat) counts only if the pinned pidfd has not polled readable
 * (exited) afterwards - then the number named the pinned process throughout.
 * The ancestry is walked link by link up to the supervisor: for a link
 * cur -> parent, the parent number read from cur's stat is pinned, and then
 * cur's stat is read again. If cur is still alive and still names the same
 * parent, that parent was alive when its pidfd was opened (a process's parent
 * stays its parent until it dies), so the pidfd names the real parent. A
 * broken link (a parent died mid-walk, its child was reparented) restarts
 * the walk; it never makes an outside process look like a member.
 *
 * A pidfd that the job hands us (pidfd_send_signal, pidfd_getfd, ...) is
 * judged through the pid it names in /proc/self/fdinfo ("Pid:"), checked
 * again after the walk: the same number both times, while the pidfd's
 * process kept it, means the walk was about that process.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/kcompat.h"
#include "sentry/sentry_priv.h"

#define JOBTREE_MAX_DEPTH 4096
#define JOBTREE_RETRIES 4
#define JOBTREE_PROC_SUPER_MAGIC 0x9fa0

bool jobtree_alive(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	/* A pidfd polls readable once its process (or thread) exited. */
	return poll(&p, 1, 0) == 0;
}

/*
 * Fields of /proc/@tid/stat after the command: 0 state, 1 ppid, 2 pgrp.
 * Return: the value or -1.
 */
static long jobtree_stat_field(pid_t tid, int field)
{
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	long v = -1;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = EINTR_RETRY(read(fd, buf, sizeof(buf) - 1));
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: parse after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	for (i = 0; i <= field; i++) {
		char *end;

		while (*p == ' ')
			p++;
		if (i == 0) {
			p++; /* the state letter */
			continue;
		}
		v = strtol(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	return v;
}

pid_t jobtree_ppid(pid_t tid)
{
	return (pid_t)jobtree_stat_field(tid, 1);
}

pid_t jobtree_pgid(pid_t tid)
{
	return (pid_t)jobtree_stat_field(tid, 2);
}

pid_t jobtree_tgid(pid_t tid)
{
	char path[64];
	struct dynbuf b;
	const char *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (fd_read_file(path, &b, 16384) < 0)
		return -1;
	p = b.data ? strstr(b.data, "\nTgid:") : NULL;
	if (p)
		v = strtol(p + 6, NULL, 10);
	dynbuf_free(&b);
	return (pid_t)v;
}

int jobtree_pidfd_open(pid_t tid)
{
	int fd;

	if (tid <= 0)
		return -ESRCH;
	/* PIDFD_THREAD (6.9) pins any thread; before it, only leaders. */
	fd = (int)syscall(__NR_pidfd_open, tid, JOBTREE_PIDFD_THREAD);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL)
		return -errno;
	fd = (int)syscall(__NR_pidfd_open, tid, 0);
	return fd < 0 ? -errno : fd;
}

/*
 * One walk from the pinned @tid (@fd) up to the supervisor.
 * Return: 1 member, 0 outside, -ESRCH target gone, -EAGAIN a link broke.
 */
static int jobtree_walk(pid_t tid, int fd)
{
	pid_t self = getpid(), cur = tid;
	int curfd = fd, rc = -EAGAIN, depth;

	for (depth = 0; depth < JOBTREE_MAX_DEPTH; depth++) {
		pid_t ppid = jobtree_ppid(cur), again;
		int pfd;

		if (!jobtree_alive(curfd)) {
			rc = cur == tid ? -ESRCH : -EAGAIN;
			break;
		}
		if (ppid < 0) {
			rc = -EAGAIN;
			break;
		}
		if (ppid == self) {
			rc = 1; /* cur is our child: the job */
			break;
		}
		if (ppid <= 1) {
			rc = 0; /* reached init or the namespace's root */
			break;
		}
		pfd = (int)syscall(__NR_pidfd_open, ppid, 0);
		if (pfd < 0) {
			rc = -EAGAIN;
			break;
		}
		/* The link counts only if it held while both were pinned. */
		again = jobtree_ppid(cur);
		if (again != ppid || !jobtree_alive(curfd)) {
			close(pfd);
			rc = -EAGAIN;
			break;
		}
		if (curfd != fd)
			close(curfd);
		cur = ppid;
		curfd = pfd;
	}
	if (depth == JOBTREE_MAX_DEPTH)
		rc = 0;
	if (curfd != fd)
		close(curfd);
	return rc;
}

int jobtree_pin(pid_t tid, int *pidfd_out)
{
	int fd, rc = -EAGAIN, i;

	*pidfd_out = -1;
	if (tid <= 0)
		return -ESRCH;
	fd = jobtree_pidfd_open(tid);
	if (fd < 0)
		return fd == -EINVAL ? -ESRCH : fd;
	if (tid == getpid()) {
		*pidfd_out = fd;
		return 0; /* the supervisor is never part of the job */
	}
	for (i = 0; i < JOBTREE_RETRIES && rc == -EAGAIN; i++)
		rc = jobtree_walk(tid, fd);
	if (rc == -EAGAIN)
		rc = 0; /* fail closed: treat as outside */
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*pidfd_out = fd;
	return rc;
}

int jobtree_member(pid_t tid)
{
	int fd, rc = jobtree_pin(tid, &fd);

	if (fd >= 0)
		close(fd);
	return rc;
}

/* "Pid:" of a pidfd in /proc/self/fdinfo: -1 exited, -EBADF no pidfd. */
static int jobtree_fdinfo_pid(int fd, pid_t *out)
{
	char path[64];
	struct dynbuf b;
	const char *p;
	int rc = -EBADF;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (fd_read_file(path, &b, 4096) < 0)
		return -EBADF;
	p = b.data ? strstr(b.data, "\nPid:") : NULL;
	if (p) {
		*out = (pid_t)strtol(p + 5, NULL, 10);
		rc = 0;
	}
	dynbuf_free(&b);
	return rc;
}

/* A /proc/N directory fd also names a process (pidfd_send_signal). */
static int jobtree_procdir_pid(int fd, pid_t *out)
{
	char path[64], target[64], *end;
	struct statfs sfs;
	struct stat st;
	ssize_t n;
	long v;

	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != JOBTREE_PROC_SUPER_MAGIC ||
	    fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -EBADF;
	target[n] = '\0';
	if (strncmp(target, "/proc/", 6))
		return -EBADF;
	v = strtol(target + 6, &end, 10);
	if (end == target + 6 || *end || v <= 0)
		return -EBADF;
	*out = (pid_t)v;
	return 0;
}

int jobtree_fd_member(int fd, pid_t *pid_out)
{
	pid_t pid = -1, again = -1;
	bool procdir = false;
	int rc;

	rc = jobtree_fdinfo_pid(fd, &pid);
	if (rc < 0) {
		rc = jobtree_procdir_pid(fd, &pid);
		if (rc < 0)
			return rc;
		procdir = true;
	}
	if (pid_out)
		*pid_out = pid;
	if (pid <= 0)
		return -ESRCH; /* exited (-1), or in another pid namespace */
	rc = jobtree_member(pid);
	if (rc < 0 || procdir)
		return rc;
	/*
	 * The number named the fd's process during the walk only if that
	 * process still holds it now. (A /proc/N directory fd cannot be
	 * re-checked this way; if its process is dead, every use of the fd
	 * fails with ESRCH, so acting through it cannot reach a stranger.)
	 */
	if (jobtree_fdinfo_pid(fd, &again) < 0 || again != pid)
		return -ESRCH;
	return rc;
}

size_t jobtree_threads(pid_t pid, pid_t *out, size_t max)
{
	char path[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (end != de->d_name && !*end && v > 0)
			out[n++] = (pid_t)v;
	}
	closedir(d);
	return n;
}

uid_t jobtree_ruid(pid_t pid)
{
	char path[64];
	struct dynbuf b;
	const char *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (fd_read_file(path, &b, 16384) < 0)
		return (uid_t)-1;
	p = b.data ? strstr(b.data, "\nUid:") : NULL;
	if (p)
		v = strtol(p + 5, NULL, 10);
	dynbuf_free(&b);
	return (uid_t)v;
}

/* The caller's umask (/proc/TID/status, 4.7+); 022 when unreadable. */
mode_t jobtree_umask(pid_t tid)
{
	char path[64];
	struct dynbuf b;
	const char *p;
	long v = 022;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (fd_read_file(path, &b, 16384) < 0)
		return 022;
	p = b.data ? strstr(b.data, "\nUmask:") : NULL;
	if (p)
		v = strtol(p + 7, NULL, 8);
	dynbuf_free(&b);
	return (mode_t)(v & 0777);
}
