/* SPDX-License-Identifier: MIT */
/*
 * proc_mem.c - copy bytes out of a job process, open pidfds for threads,
 * and reach the memory and fds of a pinned process of the job (the
 * supervisor performing process_vm_readv/writev and pidfd_getfd for it).
 * Callers must confirm the stopped call is still valid after reading
 * (platform_call_valid()), so that what was read belonged to that caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/unotify_priv.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

ssize_t proc_mem_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr,
			       .iov_len = len};
	ssize_t n;

	if (feature_off(FEATURE_OFF_PROCESS_VM))
		return -EPERM; /* as a container profile answers */
	n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return n;
}

ssize_t proc_mem_writev(pid_t tid, const struct platform_mem_seg *segs,
			size_t n)
{
	struct iovec local[PLATFORM_MEM_SEGS_MAX],
		remote[PLATFORM_MEM_SEGS_MAX];
	size_t i;
	ssize_t r;

	if (n > PLATFORM_MEM_SEGS_MAX)
		return -EINVAL;
	if (feature_off(FEATURE_OFF_PROCESS_VM))
		return -EPERM;
	for (i = 0; i < n; i++) {
		local[i].iov_base = (void *)segs[i].buf;
		local[i].iov_len = segs[i].len;
		remote[i].iov_base = (void *)(uintptr_t)segs[i].addr;
		remote[i].iov_len = segs[i].len;
	}
	r = process_vm_writev(tid, local, n, remote, n, 0);
	return r < 0 ? -errno : r;
}

ssize_t proc_mem_job_read(bool vm, const struct platform_call *c, uint64_t addr,
			  void *buf, size_t len)
{
	if (!vm)
		return proc_mem_call_read(c->tid, c->id, addr, buf, len);
	return proc_mem_read(c->tid, addr, buf, len);
}

ssize_t proc_mem_job_writev(bool vm, const struct platform_call *c,
			    const struct platform_mem_seg *segs, size_t n)
{
	if (!vm)
		return proc_mem_call_writev(c->tid, c->id, segs, n);
	return proc_mem_writev(c->tid, segs, n);
}

bool proc_mem_pidfd_thread(void)
{
	static int known; /* 0: not asked yet, 1: yes, -1: no */

	if (!known) {
		int fd = (int)syscall(__NR_pidfd_open, getpid(), PIDFD_THREAD);

		known = fd >= 0 ? 1 : -1;
		if (fd >= 0)
			close(fd);
	}
	return known > 0;
}

int proc_mem_pidfd_open(pid_t tid)
{
	int fd;
	pid_t tgid;

	/* PIDFD_THREAD (6.9) names any thread; before it, only leaders. */
	fd = (int)syscall(__NR_pidfd_open, tid, PIDFD_THREAD);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL)
		return -errno;
	tgid = procfs_tgid(tid);
	if (tgid <= 0)
		return -ESRCH;
	fd = (int)syscall(__NR_pidfd_open, tgid, 0);
	return fd < 0 ? -errno : fd;
}

int proc_mem_open(pid_t pid, int pidfd, bool write)
{
	struct pollfd pin = {.fd = pidfd, .events = POLLIN};
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A pidfd polls readable once its process exited: @pid may be reused.
	 */
	if (poll(&pin, 1, 0) != 0) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

ssize_t proc_mem_pread(int memfd, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(memfd, buf, len, (off_t)addr);

	return n < 0 ? -errno : n;
}

ssize_t proc_mem_pwrite(int memfd, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(memfd, buf, len, (off_t)addr);

	return n < 0 ? -errno : n;
}

/*
 * /proc/TID/mem of the call being served, one per supervisor thread: the
 * path for job memory when process_vm_readv/writev are refused (Docker's and
 * containerd's default profiles without CAP_SYS_PTRACE). The open is the
 * cost (a path walk and a ptrace access check, PTRACE_MODE_ATTACH_FSCREDS),
 * so the fd is kept for the reads and writes of one notification (@id) and
 * opened again for the next. Within one notification it names the caller's
 * address space: the caller is blocked in the call, so it cannot exec, and a
 * caller killed meanwhile fails ID_VALID afterwards. Across notifications it
 * could name an address space the tid no longer has (an exec, a vfork child
 * that shared its parent's until it exec'd): hence never reused for another
 * id. Thread-local, so no lock; held until the thread's next call.
 */
static __thread struct {
	uint64_t id;
	pid_t tid;
	int fd;
} proc_mem_call = {0, 0, -1};

static int proc_mem_call_fd(pid_t tid, uint64_t id)
{
	char path[64];
	int fd;

	if (proc_mem_call.fd >= 0 && proc_mem_call.id == id &&
	    proc_mem_call.tid == tid)
		return proc_mem_call.fd;
	if (proc_mem_call.fd >= 0)
		close(proc_mem_call.fd);
	proc_mem_call.fd = -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	proc_mem_call.fd = fd;
	proc_mem_call.id = id;
	proc_mem_call.tid = tid;
	return fd;
}

/* Addresses beyond off_t are no address of the job's: as the kernel says. */
static bool proc_mem_off_ok(uint64_t addr, size_t len)
{
	return addr <= (uint64_t)INT64_MAX && len <= (uint64_t)INT64_MAX - addr;
}

ssize_t proc_mem_call_read(pid_t tid, uint64_t id, uint64_t addr, void *buf,
			   size_t len)
{
	int fd = proc_mem_call_fd(tid, id);
	ssize_t n;

	if (fd < 0)
		return fd;
	if (!proc_mem_off_ok(addr, len))
		return -EFAULT;
	n = pread(fd, buf, len, (off_t)addr);
	if (n < 0)
		return errno == EIO ? -EFAULT : -errno;
	return n;
}

ssize_t proc_mem_call_writev(pid_t tid, uint64_t id,
			     const struct platform_mem_seg *segs, size_t n)
{
	int fd = proc_mem_call_fd(tid, id);
	ssize_t done = 0;
	size_t i;

	if (fd < 0)
		return fd;
	if (n > PLATFORM_MEM_SEGS_MAX)
		return -EINVAL;
	/*
	 * One pwrite per piece: the pieces are at unrelated addresses. As
	 * process_vm_writev, stop at the first byte that cannot be written.
	 * Unlike it, /proc/PID/mem writes with FOLL_FORCE: a read-only page
	 * of the job's own is written too (copy on write), never another
	 * process's; the bytes are the answer the job asked for either way.
	 */
	for (i = 0; i < n; i++) {
		ssize_t w;

		if (!segs[i].len)
			continue;
		if (!proc_mem_off_ok(segs[i].addr, segs[i].len))
			return done ? done : -EFAULT;
		w = pwrite(fd, segs[i].buf, segs[i].len, (off_t)segs[i].addr);
		if (w < 0)
			return done ? done : (errno == EIO ? -EFAULT : -errno);
		done += w;
		if ((size_t)w < segs[i].len)
			break;
	}
	return done;
}

bool proc_mem_vm_works(void)
{
	static int known; /* 0: not asked yet, 1: yes, -1: no */

	if (!known) {
		char src = 'x', dst = 0;

		known = proc_mem_read(getpid(), (uintptr_t)&src, &dst, 1) ==
						1 &&
					dst == 'x'
				? 1
				: -1;
	}
	return known > 0;
}

bool proc_mem_getfd_works(void)
{
	static int known;

	/*
	 * An fd of -1 fails with EBADF in the kernel itself, before any
	 * permission check; a seccomp profile that refuses the call answers
	 * EPERM (Docker, containerd) or ENOSYS first, and so does
	 * CORDON_IGNORE_FEATURES=pidfd_getfd.
	 */
	if (!known)
		known = proc_mem_getfd(-1, 0, 0) == -EBADF ? 1 : -1;
	return known > 0;
}

int proc_mem_getfd(int pidfd, int fd, unsigned int flags)
{
	int r;

	if (feature_off(FEATURE_OFF_PIDFD_GETFD))
		return -EPERM; /* as Docker's default profile answers */
	r = (int)syscall(__NR_pidfd_getfd, pidfd, fd, flags);

	return r < 0 ? -errno : r;
}
