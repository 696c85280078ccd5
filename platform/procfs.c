/* SPDX-License-Identifier: MIT */
/*
 * procfs.c - the kernel's text about other processes, read once here: the
 * job's tree (children, threads), ids and state (stat, status, syscall),
 * what it wrote (io), what it holds (fd), where it is (cwd) and what it runs
 * (exe, cmdline). Pure bounded parsers of the text (fuzzed) and thin readers
 * around them. Not responsible for pinning: callers pin with pidfds and
 * judge what they read (sentry/jobtree.c, sentry/proctree.c).
 *
 * Reads are single read() calls into stack buffers: procfs produces these
 * files whole at the first read (seq_file), and a file longer than the
 * buffer is parsed as far as it was read (a status with a huge Groups line
 * loses its Rss lines: memory then errs low for that process, as it did).
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/platform.h"

#define PROCFS_STAT_BUF 2048	/* 52 numbers and a 16-byte comm fit */
#define PROCFS_STATUS_BUF 16384 /* Groups: may be long */
#define PROCFS_CHILDREN_BUF 4096

/* Read /proc/@pid/@name into @buf (at most @len bytes). Return: n/-errno. */
static ssize_t procfs_read(pid_t pid, const char *name, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = EINTR_RETRY(read(fd, buf, len));
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/*
 * A decimal number at *@p (before @end), optionally negative; *@p advances
 * past it. Return: 0, or -EINVAL when there is no number or it overflows.
 */
static int procfs_num(const uint8_t **p, const uint8_t *end, bool neg_ok,
		      int64_t *out)
{
	const uint8_t *q = *p;
	bool neg = false;
	uint64_t v = 0;

	if (q < end && *q == '-' && neg_ok) {
		neg = true;
		q++;
	}
	if (q == end || *q < '0' || *q > '9')
		return -EINVAL;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -EINVAL;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*p = q;
	return 0;
}

static const uint8_t *procfs_skip_blank(const uint8_t *p, const uint8_t *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

int procfs_stat_parse(const uint8_t *p, size_t len, struct procfs_stat *out)
{
	const uint8_t *end = p + len, *q = NULL, *i;
	int64_t v[20];
	int field;

	memset(out, 0, sizeof(*out));
	/* The command may contain ')': the last one closes it. */
	for (i = p; i < end; i++)
		if (*i == ')')
			q = i;
	if (!q)
		return -EINVAL;
	q = procfs_skip_blank(q + 1, end);
	if (q == end || *q < 'A' || *q > 'z')
		return -EINVAL;
	out->state = (char)*q++;
	/* Fields 4 (ppid) .. 22 (starttime) of proc(5), into v[0..18]. */
	for (field = 0; field < 19; field++) {
		i = procfs_skip_blank(q, end);
		if (i == q)
			return -EINVAL;
		q = i;
		if (procfs_num(&q, end, true, &v[field]) < 0)
			return -EINVAL;
	}
	out->ppid = (pid_t)v[0];
	out->pgrp = (pid_t)v[1];
	out->utime = (uint64_t)v[10];
	out->stime = (uint64_t)v[11];
	out->cutime = (uint64_t)v[12];
	out->cstime = (uint64_t)v[13];
	out->threads = (long)v[16];
	out->start = (uint64_t)v[18];
	return 0;
}

int procfs_stat(pid_t tid, struct procfs_stat *out)
{
	uint8_t buf[PROCFS_STAT_BUF];
	ssize_t n = procfs_read(tid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return procfs_stat_parse(buf, (size_t)n, out);
}

pid_t procfs_ppid(pid_t tid)
{
	struct procfs_stat st;

	return procfs_stat(tid, &st) < 0 ? -1 : st.ppid;
}

pid_t procfs_pgid(pid_t tid)
{
	struct procfs_stat st;

	return procfs_stat(tid, &st) < 0 ? -1 : st.pgrp;
}

/* Whether the line at @p (to @end) is "@key:"; *@val gets what follows. */
static bool procfs_key(const uint8_t *p, const uint8_t *end, const char *key,
		       const uint8_t **val)
{
	size_t k = strlen(key);

	if ((size_t)(end - p) <= k || memcmp(p, key, k) || p[k] != ':')
		return false;
	*val = procfs_skip_blank(p + k + 1, end);
	return true;
}

/* An octal number (the Umask line). Return: 0 or -EINVAL. */
static int procfs_octal(const uint8_t *p, const uint8_t *end, int *out)
{
	int v = 0;

	if (p == end || *p < '0' || *p > '7')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '7'; p++) {
		v = v * 8 + (*p - '0');
		if (v > 07777)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* "NNN kB" as bytes; 0 when malformed. */
static uint64_t procfs_kib(const uint8_t *p, const uint8_t *end)
{
	int64_t v;

	if (procfs_num(&p, end, false, &v) < 0 ||
	    (uint64_t)v > UINT64_MAX >> 10)
		return 0;
	return (uint64_t)v << 10;
}

/*
 * A signal mask: 1 to 16 hex digits, then the end of the line or a blank.
 * Return: 0 or -EINVAL.
 */
static int procfs_hex(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; p < end; p++, n++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (n == 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (!n || (p < end && *p != ' ' && *p != '\t'))
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * Whether the line [@p, @eol) is one of the signal lines; its mask is kept
 * (and its PROCFS_STATUS_HAVE_* bit set) only when the line is whole.
 */
static bool procfs_status_signal(struct procfs_status *out, const uint8_t *p,
				 const uint8_t *eol, bool cut)
{
	static const struct {
		const char *key;
		unsigned int bit;
		size_t off;
	} sig[] = {
		{"SigPnd", PROCFS_STATUS_HAVE_PND,
		 offsetof(struct procfs_status, sig_pnd)},
		{"ShdPnd", PROCFS_STATUS_HAVE_SHDPND,
		 offsetof(struct procfs_status, sig_shdpnd)},
		{"SigBlk", PROCFS_STATUS_HAVE_BLK,
		 offsetof(struct procfs_status, sig_blk)},
		{"SigIgn", PROCFS_STATUS_HAVE_IGN,
		 offsetof(struct procfs_status, sig_ign)},
	};
	const uint8_t *val;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sig); i++) {
		uint64_t *field;

		if (!procfs_key(p, eol, sig[i].key, &val))
			continue;
		field = (uint64_t *)(void *)((char *)out + sig[i].off);
		/* A cut line (the read's end) would give a wrong mask. */
		if (!cut && procfs_hex(val, eol, field) == 0)
			out->sig_have |= sig[i].bit;
		return true;
	}
	return false;
}

int procfs_status_parse(const uint8_t *p, size_t len, struct procfs_status *out)
{
	const uint8_t *end = p + len;

	memset(out, 0, sizeof(*out));
	out->tgid = -1;
	out->ruid = (uid_t)-1;
	out->umask = -1;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *eol = nl ? nl : end, *val;
		int64_t v;

		if (procfs_status_signal(out, p, eol, !nl)) {
			/* SigPnd, ShdPnd, SigBlk or SigIgn */
		} else if (procfs_key(p, eol, "Threads", &val)) {
			if (procfs_num(&val, eol, false, &v) == 0 &&
			    v <= INT32_MAX)
				out->threads = (long)v;
		} else if (procfs_key(p, eol, "Tgid", &val)) {
			if (procfs_num(&val, eol, false, &v) == 0 &&
			    v <= INT32_MAX)
				out->tgid = (pid_t)v;
		} else if (procfs_key(p, eol, "Uid", &val)) {
			if (procfs_num(&val, eol, false, &v) == 0 &&
			    v < UINT32_MAX)
				out->ruid = (uid_t)v;
		} else if (procfs_key(p, eol, "Umask", &val)) {
			int m;

			if (procfs_octal(val, eol, &m) == 0)
				out->umask = m;
		} else if (procfs_key(p, eol, "RssAnon", &val)) {
			out->rss_anon = procfs_kib(val, eol);
		} else if (procfs_key(p, eol, "RssShmem", &val)) {
			out->rss_shmem = procfs_kib(val, eol);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int procfs_status(pid_t tid, struct procfs_status *out)
{
	uint8_t buf[PROCFS_STATUS_BUF];
	ssize_t n = procfs_read(tid, "status", buf, sizeof(buf));

	if (n < 0) {
		procfs_status_parse(buf, 0, out);
		return (int)n;
	}
	return procfs_status_parse(buf, (size_t)n, out);
}

pid_t procfs_tgid(pid_t tid)
{
	struct procfs_status st;

	procfs_status(tid, &st);
	return st.tgid;
}

uid_t procfs_ruid(pid_t pid)
{
	struct procfs_status st;

	procfs_status(pid, &st);
	return st.ruid;
}

/*
 * PIDFD_GET_INFO (Linux 6.13, <linux/pidfd.h> of that age): a process's
 * credentials from its pidfd, without the kernel writing out its whole
 * status text (memory, cpusets, capabilities, ...). Measured on the
 * benchmark host, a scan of 480 processes: 4.2 ms of CPU this way, 7.6 ms
 * through /proc/PID/status. The layout is the kernel's PIDFD_INFO_SIZE_VER0.
 */
struct procfs_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid;
	uint32_t fsuid, fsgid;
	int32_t exit_code;
};
_Static_assert(sizeof(struct procfs_pidfd_info) == 64, "PIDFD_INFO_SIZE_VER0");
#define PROCFS_PIDFD_GET_INFO _IOWR(0xFF, 11, struct procfs_pidfd_info)
#define PROCFS_PIDFD_INFO_CREDS (1ULL << 1)

/*
 * The real uid of process @pid through PIDFD_GET_INFO. Return: 0 and
 * *@ruid; -ENOTTY or -EINVAL when the kernel has no such request (ask
 * /proc/PID/status instead); another -errno when @pid cannot be asked (it
 * is gone: nothing to count).
 */
static int procfs_pidfd_ruid(pid_t pid, uid_t *ruid)
{
	struct procfs_pidfd_info info = {.mask = PROCFS_PIDFD_INFO_CREDS};
	int fd = (int)syscall(__NR_pidfd_open, pid, 0), rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, PROCFS_PIDFD_GET_INFO, &info) < 0)
		rc = -errno;
	else if (!(info.mask & PROCFS_PIDFD_INFO_CREDS))
		rc = -EINVAL;
	close(fd);
	if (rc == 0)
		*ruid = (uid_t)info.ruid;
	return rc;
}

/* Threads of process @name under /proc (@dir): its task dir has 2 + that
 * many links. At least one. */
static uint64_t procfs_threads_of(int dir, const char *name)
{
	char path[sizeof(((struct dirent *)0)->d_name) + 8];
	struct stat st;

	snprintf(path, sizeof(path), "%s/task", name);
	if (fstatat(dir, path, &st, 0) < 0 || st.st_nlink < 3)
		return 1;
	return (uint64_t)st.st_nlink - 2;
}

uint64_t procfs_uid_tasks(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint64_t n = 0;
	bool info =
		true; /* PIDFD_GET_INFO, until the kernel says it has none */

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct procfs_status st;
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		uid_t ruid = (uid_t)-1;
		int rc;

		if (pid <= 0 || *end)
			continue;
		if (info) {
			rc = procfs_pidfd_ruid((pid_t)pid, &ruid);
			if (rc == 0) {
				if (ruid == uid)
					n += procfs_threads_of(dirfd(d),
							       e->d_name);
				continue;
			}
			if (rc != -ENOTTY && rc != -EINVAL)
				continue; /* gone */
			info = false;
		}
		if (procfs_status((pid_t)pid, &st) == 0 && st.ruid == uid)
			n += st.threads > 0 ? (uint64_t)st.threads : 1;
	}
	closedir(d);
	return n;
}

mode_t procfs_umask(pid_t tid)
{
	struct procfs_status st;

	procfs_status(tid, &st);
	return st.umask < 0 ? 022 : (mode_t)(st.umask & 0777);
}

size_t procfs_pids_parse(const uint8_t *p, size_t len, pid_t *out, size_t max)
{
	const uint8_t *end = p + len;
	size_t n = 0;

	while (n < max) {
		int64_t v;

		while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
			p++;
		if (procfs_num(&p, end, false, &v) < 0 || v <= 0 ||
		    v > INT32_MAX)
			break;
		out[n++] = (pid_t)v;
	}
	return n;
}

/*
 * Append the children listed in @fd (one task's children file) to @out.
 * A list longer than the buffer is read in pieces (seq_file hands out whole
 * records, but should a number ever be cut at the end of a piece, it is
 * carried over to the next rather than lost or read as two).
 */
static size_t procfs_children_fd(int fd, pid_t *out, size_t max)
{
	uint8_t buf[PROCFS_CHILDREN_BUF];
	size_t have = 0, n = 0;

	while (n < max) {
		ssize_t r =
			EINTR_RETRY(read(fd, buf + have, sizeof(buf) - have));
		size_t len, cut;

		if (r <= 0) {
			if (have)
				n += procfs_pids_parse(buf, have, out + n,
						       max - n);
			break;
		}
		len = have + (size_t)r;
		/* Parse up to the last separator; keep the partial tail. */
		cut = len;
		while (cut > 0 && buf[cut - 1] >= '0' && buf[cut - 1] <= '9')
			cut--;
		if (cut == 0 && len == sizeof(buf))
			break; /* a number as long as the buffer: not pids */
		n += procfs_pids_parse(buf, cut, out + n, max - n);
		memmove(buf, buf + cut, len - cut);
		have = len - cut;
	}
	return n;
}

size_t procfs_children(pid_t pid, pid_t *out, size_t max)
{
	char path[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		char name[300];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s/children", de->d_name);
		fd = openat(dirfd(d), name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n += procfs_children_fd(fd, out + n, max - n);
		close(fd);
	}
	closedir(d);
	return n;
}

size_t procfs_threads(pid_t pid, pid_t *out, size_t max)
{
	char path[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		pid_t t;

		if (procfs_pids_parse((const uint8_t *)de->d_name,
				      strlen(de->d_name), &t, 1) == 1 &&
		    strspn(de->d_name, "0123456789") == strlen(de->d_name))
			out[n++] = t;
	}
	closedir(d);
	return n;
}

int procfs_io_wchar(pid_t pid, uint64_t *wchar)
{
	uint8_t buf[1024];
	ssize_t n = procfs_read(pid, "io", buf, sizeof(buf));
	const uint8_t *p = buf, *end;

	*wchar = 0;
	if (n < 0)
		return (int)n;
	end = buf + n;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *eol = nl ? nl : end, *val;
		int64_t v;

		if (procfs_key(p, eol, "wchar", &val) &&
		    procfs_num(&val, eol, false, &v) == 0) {
			*wchar = (uint64_t)v;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

size_t procfs_fds(pid_t pid, struct procfs_memfd *memfd, size_t max,
		  size_t *n_memfd)
{
	char path[64], target[64];
	struct dirent *de;
	size_t fds = 0;
	DIR *d;

	if (n_memfd)
		*n_memfd = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;
		ssize_t n;
		size_t i;

		if (de->d_name[0] == '.')
			continue;
		fds++;
		if (!memfd || !n_memfd || *n_memfd >= max)
			continue;
		n = readlinkat(dirfd(d), de->d_name, target,
			       sizeof(target) - 1);
		if (n < 7 || memcmp(target, "/memfd:", 7))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		for (i = 0; i < *n_memfd; i++)
			if (memfd[i].ino == (uint64_t)st.st_ino)
				break;
		if (i < *n_memfd)
			continue; /* another fd of the same memfd */
		memfd[*n_memfd].ino = (uint64_t)st.st_ino;
		memfd[*n_memfd].bytes = (uint64_t)st.st_blocks * 512;
		(*n_memfd)++;
	}
	closedir(d);
	return fds;
}

/* The inode of "socket:[INO]", or 0. */
static uint64_t procfs_socket_ino(const char *t, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (n < 10 || memcmp(t, "socket:[", 8) || t[n - 1] != ']')
		return 0;
	for (i = 8; i < n - 1; i++) {
		if (t[i] < '0' || t[i] > '9' || v > UINT64_MAX / 10)
			return 0;
		v = v * 10 + (uint64_t)(t[i] - '0');
	}
	return v;
}

ssize_t procfs_fd_sockets(pid_t pid, struct procfs_fdsock *out, size_t max)
{
	char path[64], target[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;
	while ((de = readdir(d))) {
		ssize_t l;
		uint64_t ino;
		char *end;
		long fd;

		if (de->d_name[0] == '.')
			continue;
		l = readlinkat(dirfd(d), de->d_name, target,
			       sizeof(target) - 1);
		if (l <= 0)
			continue; /* closed meanwhile */
		ino = procfs_socket_ino(target, (size_t)l);
		if (!ino)
			continue;
		if (n >= max) {
			closedir(d);
			return -ENOBUFS;
		}
		fd = strtol(de->d_name, &end, 10);
		out[n].fd = *end ? -1 : (int)fd;
		out[n].ino = ino;
		n++;
	}
	closedir(d);
	return (ssize_t)n;
}

long procfs_syscall_parse(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	int64_t nr;

	if (len >= 7 && !memcmp(p, "running", 7))
		return PROCFS_SYSCALL_RUNNING;
	if (procfs_num(&p, end, true, &nr) < 0 || nr < -1 || nr > INT32_MAX)
		return PROCFS_SYSCALL_UNKNOWN;
	if (p == end || (*p != ' ' && *p != '\n'))
		return PROCFS_SYSCALL_UNKNOWN;
	return (long)nr;
}

long procfs_syscall(pid_t tid)
{
	uint8_t buf[256];
	ssize_t n = procfs_read(tid, "syscall", buf, sizeof(buf));

	if (n == -ENOENT || n == -ESRCH)
		return PROCFS_SYSCALL_GONE;
	if (n <= 0)
		return PROCFS_SYSCALL_UNKNOWN;
	return procfs_syscall_parse(buf, (size_t)n);
}

ssize_t procfs_cmdline(pid_t tid, char *buf, size_t len)
{
	return procfs_read(tid, "cmdline", buf, len);
}

/* Open /proc/@tid/@name with @flags. Return: the fd or -errno. */
static int procfs_open(pid_t tid, const char *name, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, name);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int procfs_cwd_open(pid_t tid)
{
	return procfs_open(tid, "cwd", O_PATH | O_DIRECTORY);
}

int procfs_fd_path_open(pid_t tid, int fd)
{
	char name[32];

	if (fd < 0)
		return -EBADF;
	snprintf(name, sizeof(name), "fd/%d", fd);
	return procfs_open(tid, name, O_PATH);
}

int procfs_fd_stat(pid_t tid, int fd, struct stat *st)
{
	char path[64];

	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tid, fd);
	/* Follows the magic link: the object itself, a socket included. */
	if (stat(path, st) < 0)
		return errno == ENOENT ? -EBADF : -errno;
	return 0;
}

#define PROCFS_PIPEFS_MAGIC 0x50495045 /* linux/magic.h */

/* The "flags:" of /proc/@tid/fdinfo/@fd (octal). Return: 0 or -errno. */
static int procfs_fd_flags(pid_t tid, int fd, unsigned int *flags)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? -EBADF : -errno;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strstr(buf, "flags:");
	if (!p)
		return -EIO;
	*flags = (unsigned int)strtoul(p + 6, NULL, 8);
	return 0;
}

int procfs_fd_pipe_open(pid_t tid, int fd)
{
	unsigned int flags = 0;
	struct statfs sf;
	struct stat st;
	char self[32];
	int path, out, rc;

	path = procfs_fd_path_open(tid, fd);
	if (path < 0)
		return path == -ENOENT ? -EBADF : path;
	/* O_PATH opened nothing yet: no device or FIFO open side effect. */
	if (fstat(path, &st) < 0 || fstatfs(path, &sf) < 0) {
		rc = -errno;
		close(path);
		return rc;
	}
	if (!S_ISFIFO(st.st_mode) || sf.f_type != PROCFS_PIPEFS_MAGIC) {
		close(path);
		return -EOPNOTSUPP;
	}
	rc = procfs_fd_flags(tid, fd, &flags);
	if (rc < 0) {
		close(path);
		return rc;
	}
	/* The same inode as @path pins, in the job's own access mode;
	 * O_NONBLOCK: an open of a pipe end never waits here. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", path);
	out = open(self, (int)(flags & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC |
				 O_NOCTTY);
	rc = out < 0 ? -errno : 0;
	close(path);
	if (out < 0)
		return rc;
	/* The job's status flags: blocking or not, packet mode (O_DIRECT). */
	if (fcntl(out, F_SETFL, (int)(flags & (O_NONBLOCK | O_DIRECT))) < 0) {
		rc = -errno;
		close(out);
		return rc;
	}
	return out;
}

int procfs_exe_open(pid_t tid)
{
	return procfs_open(tid, "exe", O_RDONLY);
}

/* Whether @path starts with the component @prefix. */
static bool procfs_has_prefix(const char *path, const char *prefix)
{
	size_t k = strlen(prefix);

	return !strncmp(path, prefix, k) && (path[k] == '/' || !path[k]);
}

int procfs_self_rewrite(char *path, size_t len, pid_t tgid, pid_t tid)
{
	static const char self[] = "/proc/self", tself[] = "/proc/thread-self";
	char out[4096];
	int n;

	if (procfs_has_prefix(path, self))
		n = snprintf(out, sizeof(out), "/proc/%d%s", (int)tgid,
			     path + sizeof(self) - 1);
	else if (procfs_has_prefix(path, tself))
		n = snprintf(out, sizeof(out), "/proc/%d/task/%d%s", (int)tgid,
			     (int)tid, path + sizeof(tself) - 1);
	else
		return 0;
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(out))
		return -ENAMETOOLONG;
	memcpy(path, out, (size_t)n + 1);
	return 1;
}
