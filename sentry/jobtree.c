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
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/platform.h"
#include "sentry/proctree_priv.h"

#define JOBTREE_MAX_DEPTH 4096
#define JOBTREE_RETRIES 4
#define JOBTREE_PROC_SUPER_MAGIC 0x9fa0

bool jobtree_alive(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	/* A pidfd polls readable once its process (or thread) exited. */
	return poll(&p, 1, 0) == 0;
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
		pid_t ppid = procfs_ppid(cur), again;
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
		again = procfs_ppid(cur);
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
