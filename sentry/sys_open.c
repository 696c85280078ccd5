/* SPDX-License-Identifier: MIT */
/*
 * sys_open.c - the supervisor layer's opens: without a Landlock domain (of
 * any ABI: each refuses ptrace_may_access() of outsiders) the job could
 * open /proc/PID/{environ,mem,maps,fd/N,cwd,root,exe} of any process of its
 * user, so open, openat, openat2 and creat (and readlink and readlinkat of
 * /proc/PID/... links) are performed here on the job's behalf and the
 * result installed with SECCOMP_IOCTL_NOTIF_ADDFD. Only served when the job
 * has no Landlock domain (SYSCALL_LATERAL_DOMAIN rows).
 *
 * Theory of operation
 * -------------------
 * Checking a path and answering CONTINUE is a TOCTOU: another thread of the
 * job rewrites the string after the check. So the path is copied once and
 * the supervisor opens it, relative to the job's own directory fd
 * (pidfd_getfd) or working directory (/proc/TID/cwd), with the job's umask
 * and flags; what the open *reached* is then judged, not what the string
 * said:
 *
 *  - Fast path: openat2() with RESOLVE_NO_MAGICLINKS. If it succeeds, no
 *    /proc magic link was followed; if the file is on procfs, its own path
 *    (/proc/self/fd/N of our fd) names the process it belongs to, and a
 *    process outside the job only gets the harmless entries (stat, status,
 *    cmdline, ...; what Landlock also lets through), read-only. A file
 *    opened for a process that died meanwhile is useless: environ, mem and
 *    maps pin the mm, which is released at exit, before the pid is freed.
 *  - "/proc/self" and "/proc/thread-self" at the start of the copy are
 *    rewritten to the caller's pids first: for the supervisor they would
 *    name the supervisor.
 *  - Slow path, when the fast path met a magic link (ELOOP): walk the path
 *    one component at a time (sys_open_walk()), following ordinary links by
 *    readlinkat() and a magic link only inside /proc/N of a job process
 *    (jobtree.c), where the supervisor's access equals the job's own.
 *  - The working directory is the one thing the job can change behind our
 *    back with an allowed call (chdir is not mediated, it cannot be made
 *    race-free): a relative open first checks that the job's cwd is
 *    reachable by its own path without magic links, i.e. was not entered
 *    through another process's /proc/N/{cwd,root}.
 *  - The open is made with O_NONBLOCK (cleared again unless asked for), so
 *    a FIFO can never block the supervisor. A blocking open of a FIFO is
 *    a deferred call (deferred.h), finished by a helper thread that reopens
 *    the already-resolved FIFO through our O_PATH fd and hands the result
 *    back over a pipe (sys_open_fifo_done()); the caller stays blocked, as
 *    it would. A signal for the caller ends it as fifo_open() would
 *    (-ERESTARTSYS: EINTR, or a restart with SA_RESTART); the helper, asleep
 *    in open(), is then woken by opening the FIFO's other end ourselves
 *    (O_RDWR never waits, and counts as both ends), and its late result is
 *    closed. In that instant a third process opening the FIFO could meet
 *    our end before it closes, where natively it would have waited on.
 *  - O_PATH: ADDFD takes its file with fget(), which skips FMODE_PATH
 *    files (EBADF), and no other call puts an fd into another process
 *    (SCM_RIGHTS needs the receiver's recvmsg). CONTINUE is no way out:
 *    the job's own resolution of a string it may rewrite would follow
 *    /proc/OUTSIDE/{cwd,fd/N} and hand it a dirfd we never judged. So a
 *    regular file or directory is resolved here as any open, then reopened
 *    read-only through our fd (sys_open_opath_installable()); the job gets
 *    an fd to the same inode whose F_GETFL says O_RDONLY. Symlinks and
 *    special files cannot be reopened without an effect: EOPNOTSUPP (what
 *    glibc's fchmodat(AT_SYMLINK_NOFOLLOW) answers for a symlink anyway).
 *  - The zone's filesystem rules (docs/filesystem.md), when it has them
 *    and the job runs without a Landlock domain (--allow-unconfined-fs):
 *    the supervisor, unconfined, must not open for the job what the rules
 *    keep from it. What the open reached is judged (zone_decide_open() on
 *    the path of our fd: symlinks, "..", /proc/self/root already
 *    resolved) for the access the flags ask (O_RDONLY read, O_WRONLY
 *    write, O_RDWR both; O_PATH read, as its fd is reopened readable), and
 *    a denied fd is closed, never installed. An open that changes the file
 *    as it opens (O_CREAT, O_TRUNC, O_TMPFILE) is judged before too: the
 *    existing file it names, or, when there is none, the directory it
 *    would be made in, for write. Between that check and the open the job
 *    can swap a name, but without a domain the job's own rename, unlink,
 *    truncate, mkdir, ... are not mediated at all: the supervisor layer
 *    confines opens only, which is why it takes --allow-unconfined-fs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define SYS_OPEN_PROC_SUPER_MAGIC 0x9fa0
#define SYS_OPEN_MAX_LINKS 40
#define SYS_OPEN_CWD_CACHE 64
#define SYS_OPEN_FIFO_THREADS 64
/* open(2) and openat(2) drop unknown flags; openat2(2) refuses them. */
#define SYS_OPEN_VALID_FLAGS                                                   \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |        \
	 O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE |             \
	 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |           \
	 O_TMPFILE | O_SYNC)
#define SYS_OPEN_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)
/* Resolve flags under which the job itself asked not to follow links. */
#define SYS_OPEN_NO_WALK                                                       \
	(RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |       \
	 RESOLVE_IN_ROOT | RESOLVE_NO_XDEV)

/* One open, as copied from the job. */
struct sys_open_req {
	int dirfd;	      /* the job's dirfd argument */
	char path[PATH_MAX];  /* rewritten for /proc/self */
	struct open_how how;  /* the job's flags, mode and resolve */
	bool readlink;	      /* readlink(at): open the link itself */
	uint64_t buf, bufsiz; /* readlink's buffer */
};

/*
 * A blocking FIFO open handed to a helper thread: the thread owns it until it
 * writes the pointer to the pipe, the loop afterwards.
 */
struct sys_open_fifo {
	size_t idx;   /* the deferred call's entry */
	uint32_t gen; /* and its generation (another: it ended meanwhile) */
	int opath;    /* the resolved FIFO, O_PATH (owned) */
	int flags;
	int fd;	     /* the result, or -errno */
	int wake_fd; /* our own end, opened to wake the thread (or -1) */
};

static int sys_open_fifo_pipe[2] = {-1, -1};
static unsigned int sys_open_fifo_busy;

/* Directories the job's cwd may be in: (dev, ino) seen reachable. */
static struct {
	dev_t dev;
	ino_t ino;
} sys_open_cwd_ok[SYS_OPEN_CWD_CACHE];
static size_t sys_open_cwd_next;

static void sys_open_result(struct sentry_call *c, int err, const char *rule)
{
	verdict_allow(&c->v, -(int64_t)err, rule);
}

static void sys_open_deny(struct sentry_call *c, const char *rule)
{
	verdict_deny(&c->v, EACCES, VERDICT_CAT_RULE, rule);
}

static const char sys_open_rule_done[] = "open: performed by the supervisor";
static const char sys_open_rule_fifo[] =
	"open: a FIFO, opened when its other end is";
static const char sys_open_rule_opath[] =
	"open: O_PATH of a symlink or special file cannot be installed";
static const char sys_open_rule_outside[] =
	"lateral: /proc entry of a process outside the job";

/* The entries of /proc/PID an outside process shows: Landlock's view. */
static bool sys_open_harmless(const char *rest)
{
	static const char *const ok[] = {
		"",	    "stat",   "status",	       "statm",	 "cmdline",
		"comm",	    "cgroup", "oom_score",     "limits", "schedstat",
		"wchan",    "task",   "oom_score_adj", "cpuset", "sessionid",
		"loginuid",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(rest, ok[i]))
			return true;
	return false;
}

/*
 * Which process a procfs path belongs to: 0 for none (/proc itself,
 * /proc/meminfo, ...), the pid for /proc/N/..., -1 for a path we cannot
 * place (another procfs mount): refused. @rest gets what follows
 * "/proc/N/" (and "task/T/").
 */
static pid_t sys_open_proc_owner(const char *dpath, const char **rest)
{
	const char *p;
	char *end;
	long v;

	*rest = "";
	if (!strcmp(dpath, "/proc"))
		return 0;
	if (strncmp(dpath, "/proc/", 6))
		return -1;
	p = dpath + 6;
	if (*p < '0' || *p > '9') {
		*rest = p;
		return 0;
	}
	v = strtol(p, &end, 10);
	if (v <= 0 || (*end && *end != '/'))
		return -1;
	p = *end ? end + 1 : end;
	if (!strncmp(p, "task/", 5)) {
		const char *q = p + 5;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q != p + 5)
			p = *q == '/' ? q + 1 : q;
	}
	*rest = p;
	return (pid_t)v;
}

/* The path our @fd has, as the kernel prints it. Return: 0 or -errno. */
static int sys_open_fd_path(int fd, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, len - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

/*
 * Judge what an open reached. Return: 0 it may be handed to the job,
 * -EACCES an outside process's private entry, -EXDEV the supervisor's own
 * entry reached by the fast path (a link to /proc/self was followed for us;
 * @walked says the slow path already substituted self), -errno.
 */
static int sys_open_check(int fd, int flags, bool walked)
{
	char dpath[PATH_MAX];
	const char *rest;
	struct statfs sfs;
	pid_t owner;
	int rc;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != SYS_OPEN_PROC_SUPER_MAGIC)
		return 0;
	rc = sys_open_fd_path(fd, dpath, sizeof(dpath));
	if (rc < 0)
		return rc;
	owner = sys_open_proc_owner(dpath, &rest);
	if (owner == 0)
		return 0;
	/*
	 * The supervisor's own entry: a link to "self" was followed for us
	 * (resolve again, as the caller), unless the walk, which puts the
	 * caller in place of self, already did: then it was named outright.
	 */
	if (owner == getpid() && !walked)
		return -EXDEV;
	if (owner > 0 && jobtree_member(owner) == 1)
		return 0;
	/* Outside (the supervisor and the anchor included). */
	if (owner > 0 && sys_open_harmless(rest) &&
	    ((flags & O_PATH) || ((flags & O_ACCMODE) == O_RDONLY &&
				  !(flags & (O_CREAT | O_TRUNC)))))
		return 0;
	return -EACCES;
}

static bool sys_open_cwd_known(const struct stat *st)
{
	size_t i;

	for (i = 0; i < SYS_OPEN_CWD_CACHE; i++)
		if (sys_open_cwd_ok[i].ino == st->st_ino &&
		    sys_open_cwd_ok[i].dev == st->st_dev)
			return true;
	return false;
}

/*
 * Whether directory @fd can be reached by its own path from the root
 * without magic links - i.e. it was not entered only through another
 * process's /proc/N/{cwd,root,fd/M} (its private mount namespace, a
 * directory it holds open). Non-directories pass. Return: 0 or -EACCES.
 */
static int sys_open_reachable(int fd)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_NO_MAGICLINKS};
	char dpath[PATH_MAX];
	struct stat st, again;
	int check;

	if (fstat(fd, &st) < 0)
		return -EACCES;
	if (!S_ISDIR(st.st_mode) || sys_open_cwd_known(&st))
		return 0;
	if (sys_open_fd_path(fd, dpath, sizeof(dpath)) < 0 || dpath[0] != '/')
		return -EACCES;
	check = (int)syscall(SYS_openat2, AT_FDCWD, dpath, &how, sizeof(how));
	if (check < 0)
		return -EACCES;
	if (fstat(check, &again) < 0 || again.st_dev != st.st_dev ||
	    again.st_ino != st.st_ino) {
		close(check);
		return -EACCES;
	}
	close(check);
	sys_open_cwd_ok[sys_open_cwd_next].dev = st.st_dev;
	sys_open_cwd_ok[sys_open_cwd_next].ino = st.st_ino;
	sys_open_cwd_next = (sys_open_cwd_next + 1) % SYS_OPEN_CWD_CACHE;
	return 0;
}

/*
 * The caller's working directory, O_PATH. Return: the fd (owned), -EACCES
 * when it was entered through another process's /proc/N/cwd or root,
 * -ENOENT when the caller is gone.
 */
static int sys_open_cwd(struct sentry *s, struct sentry_call *c)
{
	int fd = procfs_cwd_open(c->pc.tid);

	if (fd < 0)
		return fd;
	/* The tid named the caller while we opened: its cwd is ours. */
	if (platform_call_valid(s->plat, &c->pc) < 0) {
		close(fd);
		return -ENOENT;
	}
	if (sys_open_reachable(fd) < 0) {
		close(fd);
		return -EACCES;
	}
	return fd;
}

/* "/proc/self..." and "/proc/thread-self..." name the caller, not us. */
static int sys_open_rewrite_self(struct sentry_call *c, char *path, size_t len)
{
	pid_t tgid;
	int rc;

	if (strncmp(path, "/proc/", 6))
		return 0;
	tgid = procfs_tgid(c->pc.tid);
	if (tgid <= 0)
		return -ESRCH;
	rc = procfs_self_rewrite(path, len, tgid, c->pc.tid);
	return rc < 0 ? rc : 0;
}

static int sys_open_at2(int dirfd, const char *path, const struct open_how *h)
{
	int fd = (int)FAULT_PERFORM(
		syscall(SYS_openat2, dirfd, path, h, sizeof(*h)));

	return fd < 0 ? -errno : fd;
}

/*
 * Resolve @path from @base one component at a time (the slow path). Plain
 * symlinks are read and spliced in; on procfs, "self" and "thread-self" at
 * the root are the caller's, and any other link inside /proc/N is followed
 * by the kernel only when N is a process of the job. Return: an fd opened
 * with @h's flags, or -errno as the kernel would have answered.
 */
static int sys_open_walk(struct sentry_call *c, int base, const char *path,
			 const struct open_how *h)
{
	struct open_how step = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_SYMLINKS};
	struct open_how last = *h;
	char rest[2 * PATH_MAX], comp[NAME_MAX + 1], dpath[PATH_MAX];
	const char *relpart;
	size_t links = 0;
	int cur, rc;
	pid_t tgid = procfs_tgid(c->pc.tid);

	last.resolve |= RESOLVE_NO_SYMLINKS;
	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return -ENAMETOOLONG;
	cur = dup(base == AT_FDCWD ? -1 : base);
	if (rest[0] == '/' || cur < 0) {
		if (cur >= 0)
			close(cur);
		cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cur < 0)
			return -errno;
	}
	for (;;) {
		char *p = rest, *slash;
		bool is_last, follow;
		struct stat st;
		size_t clen;
		int next;

		while (*p == '/')
			p++;
		if (!*p) {
			/* "/" or a trailing slash after a directory. */
			next = sys_open_at2(cur, ".", &last);
			close(cur);
			return next;
		}
		slash = strchr(p, '/');
		clen = slash ? (size_t)(slash - p) : strlen(p);
		if (clen > NAME_MAX) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		p += clen;
		is_last = !p[strspn(p, "/")];
		/* A trailing slash follows the link, as the kernel does. */
		follow = !is_last || !(h->flags & O_NOFOLLOW) || *p == '/';
		memmove(rest, p, strlen(p) + 1);
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode) && follow) {
			struct statfs sfs;
			char target[PATH_MAX], spliced[2 * PATH_MAX];
			ssize_t n;

			if (++links > SYS_OPEN_MAX_LINKS) {
				close(cur);
				return -ELOOP;
			}
			if (fstatfs(cur, &sfs) == 0 &&
			    sfs.f_type == SYS_OPEN_PROC_SUPER_MAGIC) {
				pid_t owner;

				rc = sys_open_fd_path(cur, dpath,
						      sizeof(dpath));
				owner = rc < 0 ? -1
					       : sys_open_proc_owner(dpath,
								     &relpart);
				if (owner == 0 && !strcmp(dpath, "/proc") &&
				    !strcmp(comp, "self")) {
					n = snprintf(target, sizeof(target),
						     "%d", (int)tgid);
				} else if (owner == 0 &&
					   !strcmp(dpath, "/proc") &&
					   !strcmp(comp, "thread-self")) {
					n = snprintf(target, sizeof(target),
						     "%d/task/%d", (int)tgid,
						     (int)c->pc.tid);
				} else if (owner == 0) {
					/* /proc/mounts -> self/mounts etc. */
					n = readlinkat(cur, comp, target,
						       sizeof(target) - 1);
					if (n < 0) {
						rc = -errno;
						close(cur);
						return rc;
					}
					target[n] = '\0';
				} else {
					/*
					 * A magic link (fd/N, cwd, root, exe,
					 * map_files/...): only a job process's.
					 * If N died and was reused, cur (bound
					 * to the dead one) fails the lookup.
					 */
					if (owner < 0 ||
					    jobtree_member(owner) != 1) {
						close(cur);
						return -EACCES;
					}
					next = openat(
						cur, comp,
						is_last ? (int)h->flags
							: O_PATH | O_CLOEXEC,
						(mode_t)h->mode);
					rc = next < 0 ? -errno : next;
					close(cur);
					if (next < 0)
						return rc;
					/*
					 * A member's cwd or root may itself
					 * have been entered through an
					 * outsider's /proc: judge the place.
					 */
					if (sys_open_reachable(next) < 0) {
						close(next);
						return -EACCES;
					}
					if (is_last)
						return next;
					cur = next;
					continue;
				}
			} else {
				n = readlinkat(cur, comp, target,
					       sizeof(target) - 1);
				if (n < 0) {
					rc = -errno;
					close(cur);
					return rc;
				}
				target[n] = '\0';
			}
			if ((size_t)snprintf(spliced, sizeof(spliced), "%s%s",
					     target, rest) >= sizeof(spliced)) {
				close(cur);
				return -ENAMETOOLONG;
			}
			memcpy(rest, spliced, strlen(spliced) + 1);
			if (target[0] == '/') {
				close(cur);
				cur = open("/",
					   O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					return -errno;
			}
			continue;
		}
		if (is_last) {
			/* Keep a trailing slash: it demands a directory. */
			if (*rest == '/' && strlen(comp) + 2 <= sizeof(comp)) {
				comp[clen] = '/';
				comp[clen + 1] = '\0';
			}
			next = sys_open_at2(cur, comp, &last);
			close(cur);
			return next;
		}
		next = sys_open_at2(cur, comp, &step);
		close(cur);
		if (next < 0)
			return next;
		cur = next;
	}
}

/* Finish a blocking FIFO open in a helper thread (see the header). */
static void *sys_open_fifo_thread(void *arg)
{
	struct sys_open_fifo *f = arg;
	char path[64];

	/* Not needed for this absolute path: every supervisor thread's own. */
	threadfs_private();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", f->opath);
	f->fd = FAULT_PERFORM(open(path, f->flags | O_CLOEXEC | O_NOCTTY));
	if (f->fd < 0)
		f->fd = -errno;
	/* A pointer is far below PIPE_BUF: the write is atomic. */
	if (write(sys_open_fifo_pipe[1], &f, sizeof(f)) != sizeof(f)) {
		if (f->fd >= 0)
			close(f->fd);
		close(f->opath);
		free(f);
	}
	return NULL;
}

int sys_open_init(void)
{
	if (sys_open_fifo_pipe[0] < 0 &&
	    pipe2(sys_open_fifo_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	return sys_open_fifo_pipe[0];
}

void sys_open_fifo_done(struct sentry *s)
{
	struct sys_open_fifo *f;

	while (read(sys_open_fifo_pipe[0], &f, sizeof(f)) == sizeof(f)) {
		struct deferred *d = deferred_get(&s->deferred, f->idx, f->gen);

		sys_open_fifo_busy--;
		if (d && d->req.kind != DEFERRED_FIFO)
			d = NULL;
		if (d && f->fd >= 0) {
			int remote =
				platform_put_fd(s->plat, &d->call->pc, f->fd,
						f->flags & O_CLOEXEC);

			/* ADDFD with SEND answered the call itself. */
			if (remote >= 0 || remote == -ENOENT)
				deferred_finish(s, d, remote, true, NULL);
			else
				deferred_finish(s, d, -EMFILE, false, NULL);
		} else if (d) {
			deferred_finish(s, d, f->fd, false, NULL);
		}
		if (f->fd >= 0)
			close(f->fd);
		if (f->wake_fd >= 0)
			close(f->wake_fd);
		close(f->opath);
		free(f);
	}
}

void sys_open_fifo_cancel(struct sentry *s, struct deferred *d)
{
	struct sys_open_fifo *f = d->req.fifo;
	char path[64];

	(void)s;
	if (!f || f->wake_fd >= 0)
		return;
	/* The helper's report finds another generation and is discarded. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", f->opath);
	f->wake_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	d->req.fifo = NULL;
}

/*
 * A blocking open of a FIFO: leave @c pending and let a helper thread
 * reopen @opath (taken over) with @flags. Return: 0 pending, -errno.
 */
static int sys_open_fifo_defer(struct sentry *s, struct sentry_call *c,
			       int opath, int flags)
{
	struct deferred_req req = {.kind = DEFERRED_FIFO, .fd = -1};
	struct sys_open_fifo *f;
	struct deferred *d;
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (sys_open_fifo_pipe[1] < 0 ||
	    sys_open_fifo_busy >= SYS_OPEN_FIFO_THREADS)
		return -EAGAIN;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->opath = opath;
	f->wake_fd = -1;
	f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NONBLOCK);
	req.fifo = f;
	/* The verdict is stated: the deferred call keeps a copy of it. */
	verdict_allow(&c->v, 0, sys_open_rule_fifo);
	rc = deferred_add(s, c, &req);
	if (rc < 0) {
		c->v.kind = VERDICT_NONE;
		free(f);
		return rc;
	}
	d = deferred_get(&s->deferred, (size_t)rc, 0);
	f->idx = (size_t)rc;
	f->gen = d->gen;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	rc = pthread_create(&t, &attr, sys_open_fifo_thread, f);
	pthread_attr_destroy(&attr);
	if (rc) {
		/* Not deferred after all: the caller answers. */
		d->req.fifo = NULL;
		deferred_drop(s, d);
		c->v.deferred = false;
		c->v.kind = VERDICT_NONE;
		free(f);
		return -rc;
	}
	sys_open_fifo_busy++;
	return 0;
}

/*
 * An O_PATH result as a file ADDFD can install (see the header: the
 * kernel's fget() refuses FMODE_PATH files, SECCOMP_IOCTL_NOTIF_ADDFD
 * answered EBADF). A regular file or a directory is reopened read-only
 * through our own fd's magic link: the same inode, no second resolution
 * of the job's string, and the kernel checks read permission for the
 * supervisor, which has the job's credentials. Reading a regular file or a
 * directory has no effect on it, so the job gets nothing it could not have
 * opened itself. Symlinks (O_PATH | O_NOFOLLOW), FIFOs, sockets and devices
 * have no such open (the link cannot be opened, the others react to it):
 * EOPNOTSUPP. Return: an fd to install (owned), or -errno.
 */
static int sys_open_opath_installable(int fd)
{
	char link[64];
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -EOPNOTSUPP;
	/* thread-self: a supervisor thread may have its own fd table. */
	snprintf(link, sizeof(link), "/proc/thread-self/fd/%d", fd);
	r = open(link, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC |
			       (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (r < 0)
		return -errno;
	/* No status flag of ours stays: O_PATH has none. */
	fcntl(r, F_SETFL, 0);
	return r;
}

/* The job's dirfd as ours, or the caller's cwd; AT_FDCWD when unused. */
static int sys_open_base(struct sentry *s, struct sentry_call *c,
			 const struct sys_open_req *r)
{
	int fd;

	if (r->path[0] == '/' &&
	    !(r->how.resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)))
		return AT_FDCWD;
	if (r->dirfd == AT_FDCWD)
		return sys_open_cwd(s, c);
	fd = platform_take_fd(s->plat, &c->pc, r->dirfd);
	if (fd == -EOPNOTSUPP && !platform_can(s->plat, PLATFORM_CAN_TAKE_FD)) {
		/*
		 * No pidfd_getfd (a container's seccomp profile): the same
		 * directory opened again, O_PATH, is enough to resolve
		 * against (a job that swaps the fd number meanwhile gets the
		 * directory it swapped in, as natively). Confirmed after.
		 */
		fd = procfs_fd_path_open(c->pc.tid, r->dirfd);
		if (platform_call_valid(s->plat, &c->pc) < 0) {
			if (fd >= 0)
				close(fd);
			return -ENOENT;
		}
		if (fd == -ENOENT)
			fd = -EBADF; /* the caller is there: the fd is not */
	}
	return fd == -ENOENT ? -ENOENT : (fd < 0 ? -EBADF : fd);
}

/* Open @r as the job would; Return: our fd or -errno. */
static int sys_open_resolve(struct sentry_call *c, int base,
			    const struct sys_open_req *r, struct open_how *h)
{
	struct threadfs_saved saved;
	bool creat;
	int fd;

	*h = r->how;
	h->flags |= O_CLOEXEC | O_NOCTTY;
	if (!(h->flags & O_PATH))
		h->flags |= O_NONBLOCK;
	else
		h->flags &= ~(uint64_t)O_NOCTTY;
	h->resolve |= RESOLVE_NO_MAGICLINKS;
	creat = h->flags & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY));
	/* Files take the creator's umask: this thread takes the job's. */
	if (creat && threadfs_enter(-1, procfs_umask(c->pc.tid), &saved) < 0)
		return -EACCES;
	fd = sys_open_at2(base, r->path, h);
	if (fd == -ELOOP && !(r->how.resolve & SYS_OPEN_NO_WALK)) {
		struct open_how w = *h;

		w.resolve = r->how.resolve;
		fd = sys_open_walk(c, base, r->path, &w);
	}
	if (creat)
		threadfs_leave(&saved);
	return fd;
}

/* The access an open with @flags asks for (enum policy_fs_access). */
static unsigned sys_open_fs_access(uint64_t flags)
{
	unsigned a = 0;

	if (flags & O_PATH)
		return POLICY_FS_READ;
	if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR)
		a |= POLICY_FS_READ;
	if ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR ||
	    (flags & (O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY))))
		a |= POLICY_FS_WRITE;
	return a ? a : POLICY_FS_READ;
}

/*
 * Judge the file at @path (ours: resolved) for @access by the zone's fs
 * rules; a path that is not one (a pipe, a socket, an anonymous inode) is
 * no file the rules are about. Return: true allowed; false with the denial
 * in @c->v.
 */
static bool sys_open_fs_path(struct sentry *s, struct sentry_call *c,
			     const char *path, unsigned access)
{
	struct policy_decision d;
	char clean[PATH_MAX];
	size_t n = strlen(path);
	static const char deleted[] = " (deleted)";

	if (path[0] != '/')
		return true;
	/* An O_TMPFILE or unlinked file: its directory's rules. */
	if (n > sizeof(deleted) - 1 &&
	    !strcmp(path + n - (sizeof(deleted) - 1), deleted))
		n -= sizeof(deleted) - 1;
	snprintf(clean, sizeof(clean), "%.*s", (int)n, path);
	zone_decide_open(s->o->tables, &s->net.rt, clean, strlen(clean), access,
			 &d);
	if (d.verdict == POLICY_VERDICT_ALLOW)
		return true;
	verdict_decision(&c->v, &d, EACCES);
	return false;
}

/* sys_open_fs_path() on what our @fd is. */
static bool sys_open_fs_fd(struct sentry *s, struct sentry_call *c, int fd,
			   unsigned access)
{
	char path[PATH_MAX];

	if (sys_open_fd_path(fd, path, sizeof(path)) < 0) {
		verdict_deny(&c->v, EACCES, VERDICT_CAT_RULE,
			     "fs: the opened file has no path to judge");
		return false;
	}
	return sys_open_fs_path(s, c, path, access);
}

/*
 * Before an open that changes what it opens (O_CREAT, O_TRUNC, O_TMPFILE):
 * the file it names, or the directory it would be made in, for write.
 * Return: true to go on; false answered in @c->v.
 */
static bool sys_open_fs_before(struct sentry *s, struct sentry_call *c,
			       const struct sys_open_req *r)
{
	struct sys_open_req pr = *r;
	struct open_how h;
	char path[PATH_MAX], *slash;
	int base, fd;
	bool ok;

	pr.how.flags = O_PATH | (r->how.flags & (O_NOFOLLOW | O_DIRECTORY));
	pr.how.mode = 0;
	if (r->how.flags & (O_TMPFILE & ~O_DIRECTORY))
		pr.how.flags = O_PATH | O_DIRECTORY;
	base = sys_open_base(s, c, r);
	fd = base == AT_FDCWD || base >= 0 ? sys_open_resolve(c, base, &pr, &h)
					   : base;
	if (fd >= 0) {
		if (base >= 0)
			close(base);
		/* There: only a truncation changes it before the check after.
		 */
		ok = !(r->how.flags & O_TRUNC) ||
		     sys_open_fs_fd(s, c, fd, POLICY_FS_WRITE);
		close(fd);
		return ok;
	}
	if (fd != -ENOENT) {
		if (base >= 0)
			close(base);
		return true; /* the open itself fails the same way */
	}
	/* Not there: the directory it would be made in. */
	snprintf(pr.path, sizeof(pr.path), "%s", r->path);
	slash = strrchr(pr.path, '/');
	if (!slash)
		snprintf(pr.path, sizeof(pr.path), ".");
	else if (slash == pr.path)
		pr.path[1] = '\0';
	else
		*slash = '\0';
	pr.how.flags = O_PATH | O_DIRECTORY;
	fd = base == AT_FDCWD || base >= 0 ? sys_open_resolve(c, base, &pr, &h)
					   : base;
	if (base >= 0)
		close(base);
	if (fd < 0)
		return true; /* the open itself fails the same way */
	if (sys_open_fd_path(fd, path, sizeof(path)) < 0) {
		close(fd);
		verdict_deny(&c->v, EACCES, VERDICT_CAT_RULE,
			     "fs: the directory has no path to judge");
		return false;
	}
	close(fd);
	return sys_open_fs_path(s, c, path, POLICY_FS_WRITE);
}

static int sys_open_serve(struct sentry *s, struct sentry_call *c,
			  struct sys_open_req *r)
{
	struct open_how h;
	struct stat st;
	int base, fd, rc, remote;

	snprintf(c->detail, sizeof(c->detail), "path=%.500s flags=0x%llx",
		 r->path, (unsigned long long)r->how.flags);
	rc = sys_open_rewrite_self(c, r->path, sizeof(r->path));
	if (rc < 0) {
		sys_open_result(c, -rc, sys_open_rule_done);
		return 0;
	}
	base = sys_open_base(s, c, r);
	if (base == -EACCES) {
		sys_open_deny(c, "lateral: the working directory was entered "
				 "through another process's /proc entry");
		return 0;
	}
	if (base == -ENOENT && r->dirfd == AT_FDCWD)
		return 0; /* the caller is gone: nobody to answer */
	if (base < 0 && base != AT_FDCWD) {
		sys_open_result(c, -base, sys_open_rule_done);
		return 0;
	}
	if (s->fs.paths && !r->readlink &&
	    (r->how.flags & (O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY))) &&
	    !sys_open_fs_before(s, c, r)) {
		if (base >= 0)
			close(base);
		return 0;
	}
	fd = sys_open_resolve(c, base, r, &h);
	if (base >= 0)
		close(base);
	/* A FIFO without a reader yet: resolve it once, wait elsewhere. */
	if (fd == -ENXIO && !(r->how.flags & O_NONBLOCK)) {
		struct sys_open_req pr = *r;

		pr.how.flags = O_PATH | (r->how.flags & O_NOFOLLOW);
		pr.how.mode = 0;
		base = sys_open_base(s, c, r);
		fd = base == AT_FDCWD || base >= 0
			     ? sys_open_resolve(c, base, &pr, &h)
			     : base;
		if (base >= 0)
			close(base);
		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))) {
			close(fd);
			fd = -ENXIO;
		}
		if (fd >= 0 && s->fs.paths &&
		    !sys_open_fs_fd(s, c, fd,
				    sys_open_fs_access(r->how.flags))) {
			close(fd);
			return 0;
		}
		if (fd >= 0) {
			if (sys_open_fifo_defer(s, c, fd, (int)r->how.flags) ==
			    0) {
				verdict_allow(&c->v, 0, sys_open_rule_fifo);
				return 0;
			}
			close(fd);
			fd = -ENXIO;
		}
	}
	if (fd < 0) {
		sys_open_result(c, -fd, sys_open_rule_done);
		return 0;
	}
	/*
	 * readlink of what is not a link fails the same for every file; the
	 * common case (realpath() walks every prefix) ends here, cheaply.
	 */
	if (r->readlink && (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode))) {
		close(fd);
		sys_open_result(c, EINVAL, sys_open_rule_done);
		return 0;
	}
	rc = sys_open_check(fd, (int)r->how.flags, false);
	if (rc == -EXDEV) {
		/* Walk it again: the walk puts the caller in place of self. */
		close(fd);
		base = sys_open_base(s, c, r);
		fd = base == AT_FDCWD || base >= 0
			     ? sys_open_walk(c, base, r->path, &h)
			     : base;
		if (base >= 0)
			close(base);
		rc = fd < 0 ? fd : sys_open_check(fd, (int)r->how.flags, true);
		if (fd < 0) {
			sys_open_result(c, -fd, sys_open_rule_done);
			return 0;
		}
	}
	if (rc < 0) {
		close(fd);
		if (rc == -EACCES)
			sys_open_deny(c, sys_open_rule_outside);
		else
			sys_open_result(c, -rc, sys_open_rule_done);
		return 0;
	}
	/* The zone's fs rules, on what was reached (see the header). */
	if (s->fs.paths && !r->readlink &&
	    !sys_open_fs_fd(s, c, fd, sys_open_fs_access(r->how.flags))) {
		close(fd);
		return 0;
	}
	if (r->readlink) {
		char target[PATH_MAX];
		ssize_t n;
		size_t len;

		if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
			close(fd);
			sys_open_result(c, EINVAL, sys_open_rule_done);
			return 0;
		}
		n = FAULT_PERFORM(readlinkat(fd, "", target, sizeof(target)));
		rc = errno;
		close(fd);
		if (n < 0) {
			sys_open_result(c, rc, sys_open_rule_done);
			return 0;
		}
		len = (size_t)n < r->bufsiz ? (size_t)n : (size_t)r->bufsiz;
		if (len && platform_write_mem(s->plat, &c->pc, r->buf, target,
					      len) != (ssize_t)len) {
			sys_open_result(c, EFAULT, sys_open_rule_done);
			return 0;
		}
		verdict_allow(&c->v, (int64_t)len, sys_open_rule_done);
		return 0;
	}
	if (!(r->how.flags & (O_NONBLOCK | O_PATH))) {
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    (r->how.flags & O_ACCMODE) == O_RDONLY) {
			struct pollfd p = {.fd = fd, .events = POLLIN};

			/* No writer has come yet: wait for one elsewhere. */
			if (poll(&p, 1, 0) == 0) {
				char link[64];
				int opath;

				snprintf(link, sizeof(link), "/proc/self/fd/%d",
					 fd);
				opath = open(link, O_PATH | O_CLOEXEC);
				if (opath >= 0 &&
				    sys_open_fifo_defer(s, c, opath,
							(int)r->how.flags) ==
					    0) {
					close(fd);
					verdict_allow(&c->v, 0,
						      sys_open_rule_fifo);
					return 0;
				}
				if (opath >= 0)
					close(opath);
			}
		}
		/* F_SETFL sets exactly these; the job's own, without ours. */
		fcntl(fd, F_SETFL,
		      (int)r->how.flags &
			      (O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME));
	}
	if (r->how.flags & O_PATH) {
		int plain = sys_open_opath_installable(fd);

		close(fd);
		if (plain < 0) {
			sys_open_result(c, -plain,
					plain == -EOPNOTSUPP
						? sys_open_rule_opath
						: sys_open_rule_done);
			return 0;
		}
		fd = plain;
	}
	remote = platform_put_fd(s->plat, &c->pc, fd,
				 !!(r->how.flags & O_CLOEXEC));
	close(fd);
	if (remote < 0) {
		if (remote == -ENOENT) {
			/* Nobody to answer: the caller is gone. */
			verdict_allow(&c->v, -ENOENT, sys_open_rule_done);
			verdict_answered(&c->v);
			return 0;
		}
		sys_open_result(c, remote == -EMFILE ? EMFILE : -remote,
				sys_open_rule_done);
		return 0;
	}
	verdict_allow(&c->v, remote, sys_open_rule_done);
	verdict_answered(&c->v);
	return 0;
}

/* Copy the path at @addr into @r. Return: 0, or answered (1). */
static int sys_open_path(struct sentry *s, struct sentry_call *c, uint64_t addr,
			 struct sys_open_req *r)
{
	ssize_t n = platform_read_str(s->plat, &c->pc, addr, r->path,
				      sizeof(r->path));

	if (n == -ENAMETOOLONG) {
		sys_open_result(c, ENAMETOOLONG, sys_open_rule_done);
		return 1;
	}
	if (n < 0) {
		/* Unreadable is a denial (counted), as for sockets. */
		verdict_unreadable(&c->v, "path not readable");
		return 1;
	}
	if (n == 0) {
		sys_open_result(c, ENOENT, sys_open_rule_done);
		return 1;
	}
	return 0;
}

/* open(2)/openat(2) flags as the kernel's build_open_how() makes them. */
static void sys_open_legacy_how(struct sys_open_req *r, uint64_t flags,
				uint64_t mode)
{
	flags = (flags & SYS_OPEN_VALID_FLAGS) | O_LARGEFILE;
	if (flags & O_PATH)
		flags &= SYS_OPEN_PATH_FLAGS;
	r->how.flags = flags;
	r->how.mode = (flags & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY)))
			      ? (mode & 07777)
			      : 0;
	r->how.resolve = 0;
}

static int sys_open_legacy(struct sentry *s, struct sentry_call *c, int dirfd,
			   uint64_t path, uint64_t flags, uint64_t mode)
{
	struct sys_open_req *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->dirfd = dirfd;
	sys_open_legacy_how(r, flags, mode);
	rc = sys_open_path(s, c, path, r) ? 0 : sys_open_serve(s, c, r);
	free(r);
	return rc;
}

int sys_open(struct sentry *s, struct sentry_call *c)
{
	return sys_open_legacy(s, c, AT_FDCWD, c->pc.args[0], c->pc.args[1],
			       c->pc.args[2]);
}

int sys_creat(struct sentry *s, struct sentry_call *c)
{
	return sys_open_legacy(s, c, AT_FDCWD, c->pc.args[0],
			       O_CREAT | O_WRONLY | O_TRUNC, c->pc.args[1]);
}

int sys_openat(struct sentry *s, struct sentry_call *c)
{
	return sys_open_legacy(s, c, (int)c->pc.args[0], c->pc.args[1],
			       c->pc.args[2], c->pc.args[3]);
}

int sys_openat2(struct sentry *s, struct sentry_call *c)
{
	uint8_t raw[4096] = {0};
	uint64_t size = c->pc.args[3];
	struct sys_open_req *r;
	size_t i;
	int rc;

	if (size < sizeof(struct open_how) || size > sizeof(raw)) {
		sys_open_result(c,
				size < sizeof(struct open_how) ? EINVAL : E2BIG,
				sys_open_rule_done);
		return 0;
	}
	if (platform_read_mem(s->plat, &c->pc, c->pc.args[2], raw, size) !=
	    (ssize_t)size) {
		sys_open_result(c, EFAULT, sys_open_rule_done);
		return 0;
	}
	/* A larger struct is fine only if what we do not know is zero. */
	for (i = sizeof(struct open_how); i < size; i++) {
		if (raw[i]) {
			sys_open_result(c, E2BIG, sys_open_rule_done);
			return 0;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->dirfd = (int)c->pc.args[0];
	memcpy(&r->how, raw, sizeof(r->how));
	rc = sys_open_path(s, c, c->pc.args[1], r) ? 0
						   : sys_open_serve(s, c, r);
	free(r);
	return rc;
}

static int sys_open_readlink(struct sentry *s, struct sentry_call *c, int dirfd,
			     uint64_t path, uint64_t buf, uint64_t bufsiz)
{
	struct sys_open_req *r;
	int rc;

	if ((int64_t)bufsiz <= 0 || bufsiz > INT32_MAX) {
		sys_open_result(c, EINVAL, sys_open_rule_done);
		return 0;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->dirfd = dirfd;
	r->readlink = true;
	r->buf = buf;
	r->bufsiz = bufsiz;
	r->how.flags = O_PATH | O_NOFOLLOW;
	rc = sys_open_path(s, c, path, r) ? 0 : sys_open_serve(s, c, r);
	free(r);
	return rc;
}

int sys_readlink(struct sentry *s, struct sentry_call *c)
{
	return sys_open_readlink(s, c, AT_FDCWD, c->pc.args[0], c->pc.args[1],
				 c->pc.args[2]);
}

int sys_readlinkat(struct sentry *s, struct sentry_call *c)
{
	return sys_open_readlink(s, c, (int)c->pc.args[0], c->pc.args[1],
				 c->pc.args[2], c->pc.args[3]);
}
