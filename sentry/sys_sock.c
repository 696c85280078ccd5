/* SPDX-License-Identifier: MIT */
/*
 * sys_sock.c - job sockets owned from birth: where the platform cannot take
 * the job's fds (pidfd_getfd refused by Docker's and containerd's default
 * seccomp profiles without CAP_SYS_PTRACE; CORDON_IGNORE_FEATURES=
 * pidfd_getfd), the supervisor creates the job's sockets itself and keeps a
 * copy of each, so that the mediated calls (connect, sendto, sendmsg, bind,
 * listen, guarded receives; sys_net.c) have the job's socket object to
 * perform on.
 *
 * Theory of operation
 * -------------------
 *   1. Birth. socket(), socketpair(), accept() and accept4() are notified
 *      (FILTER_BIRTH; the kinds the filter refuses stay refused in the
 *      kernel) and performed here; the result is installed into the caller
 *      with SECCOMP_IOCTL_NOTIF_ADDFD (atomically with the answer where the
 *      kernel has ADDFD_FLAG_SEND) and a copy goes to netstack's table of
 *      owned sockets, keyed by its sockfs inode (sock_table.c, 6). Sockets
 *      the supervisor receives for the job (guarded recvmsg) are kept too.
 *   2. Which socket is fd N? The kernel's answer at one instant: stat() of
 *      /proc/TID/fd/N (platform/procfs.c), then ID_VALID (the tid was the
 *      caller throughout), then the copy with that inode. kcmp(KCMP_FILE)
 *      would do as well but is refused by the same container profiles, and
 *      an inode number cannot be reused while the copy pins the socket.
 *   3. Why a racing dup2() changes nothing. A thread may dup2() socket B
 *      onto N between the stat and the call the supervisor performs. The
 *      supervisor then judges and performs the call on B - the object it
 *      found - never on A: the decision and the action are on one object,
 *      which the job held at fd N while the call was pending, exactly as a
 *      native call racing the same dup2() may use either. What can never
 *      happen is the supervisor acting on a socket the job did not hold, or
 *      on an object other than the one judged (shared/DESIGN.md 2). A
 *      socket cordon holds no copy of - inherited from cordon's caller,
 *      received from outside, or created before cordon - is refused with a
 *      denial (verdict_take_fail()): never let through.
 *   4. Death. The copy must go when the job's last fd for the socket goes,
 *      or a close by the job would never reach the peer (no FIN). close(),
 *      dup2(), dup3() and close_range() are notified: before letting the
 *      call continue, the handler finds the owned sockets it drops and asks
 *      the kernel whether any other fd of the job's processes still names
 *      them; if none, the copy is closed now and the job's own close, which
 *      follows, is the last. Which processes to ask: a socket is installed
 *      into one fd table, and only a fork or vfork, a clone without
 *      CLONE_FILES, or passing it (SCM_RIGHTS: performed by the supervisor,
 *      which also marks what it receives for the job) puts it in another
 *      (unshare and clone3 are refused; pidfd_getfd is notified here and
 *      cannot succeed). Those are notified under FILTER_BIRTH and counted
 *      (netstack_own_spread()); a socket added since the last of them is
 *      in the caller's table alone, so that one table is read
 *      (/proc/TID/fd), no tree walk. And a new fd in the same table comes
 *      only from dup(), dup2(), dup3() or fcntl(F_DUPFD*), notified too
 *      and marked (netstack_own_duped()): a socket in one table and never
 *      duplicated has one fd, the one being closed, and nothing is read
 *      (netstack_own_lone()). A clone sharing the table with another
 *      process turns this off for good (its exec would copy the table
 *      unseen). Any other socket: /proc/PID/fd of every process of the
 *      job. Measured (strace -c of the supervisor, 2,000 sequential TCP
 *      connects to the job's own listener, a job of one process): 132
 *      syscalls per connect with the walk, 48 without it, 41 since the
 *      table keeps the very fd it installs (sys_sock_install(); 15 where
 *      pidfd_getfd works).
 *      Processes that exit, exec (close-on-exec) or are killed close fds
 *      without a call: a sweep over the whole tree releases what no job fd
 *      names (sys_sock_sweep()), run when an exit_group() is seen, when the
 *      table fills, and on the supervisor's periodic timer while copies
 *      are held. Both only release too late, never too early, except in one
 *      race: a thread that dup()s or fork()s the socket between the scan
 *      and its sibling's close keeps a socket cordon no longer holds, and
 *      its later mediated calls are refused (fail closed).
 *      The race, as investigated: handlers run one at a time, but a close,
 *      a dup and a fork are answered CONTINUE and done by the kernel after
 *      the answer. Thread A's close(N) is judged (no other fd names S: the
 *      copy is released) and answered; thread B's dup(N), or a fork, that
 *      was answered before A's scan but runs after it, or is judged after
 *      A's answer but runs before A's close, makes a second fd of S that
 *      outlives N. Natively B would get S or EBADF; here it gets S with no
 *      copy behind it: its connect/send/bind/listen/accept/recvmsg are
 *      refused (verdict_take_fail(), EACCES), its read/write and close work
 *      (they are not mediated), and the peer sees the FIN only when B's
 *      last fd goes. No call is ever performed on a socket cordon did not
 *      create, and nothing from outside gets in: a liveness defect of racy
 *      programs (closing an fd another thread is duplicating is a bug
 *      natively too: which of the two happens is unspecified). A fix would
 *      perform the dups of owned sockets in the supervisor (ADDFD of the
 *      copy, done before the next handler runs) and keep the copy of a
 *      socket closed while a fork of its table may be in flight, for the
 *      sweep to release; left undone (issue 14 notes).
 *   5. Credentials. The supervisor creates the socket, so its opener is the
 *      supervisor: the same user when cordon runs unprivileged. A netlink
 *      socket's sends are authorised by its opener's capabilities, so a
 *      privileged supervisor refuses netlink creation here.
 *   6. Passing fds that are not sockets. A sendmsg() of the job is
 *      performed by the supervisor (sys_net.c), which must hold every fd
 *      the message carries. A socket is its own copy (2); an anonymous
 *      pipe end is opened again through /proc/TID/fd/N in the job's access
 *      mode and status flags (procfs_fd_pipe_open(): the same pipe, a new
 *      open file description), which is what Python's multiprocessing
 *      forkserver passes. The supervisor has the job's credentials
 *      (docs/root.md), so this opens nothing the job could not open through
 *      /proc/self/fd/N itself; named FIFOs, files, devices, pidfds and
 *      other anonymous inodes are refused (a denial, EACCES): reopened by
 *      path outside the job's Landlock domain they could carry rights the
 *      domain refuses, or be another object (a pty master). The receiving
 *      side is unchanged: fds come in only from messages the supervisor
 *      sent (sys_rights.c), so nothing from outside the job gets in.
 *
 * Not responsible for the decisions of mediated calls (sys_net.c, netstack)
 * nor for what the kernel decides on registers (the filter).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define SYS_SOCK_FDS_MAX 4096	/* socket fds read from one process */
#define SYS_SOCK_PROCS_MAX 4096 /* processes walked by one scan */

static const char sys_sock_rule_birth[] =
	"created by the supervisor (socket owned from birth)";

bool sys_sock_birth(const struct sentry *s)
{
	return s->birth;
}

int sys_sock_take(struct sentry *s, struct sentry_call *c, int remote)
{
	struct stat st;
	int rc, fd;

	rc = procfs_fd_stat(c->pc.tid, remote, &st);
	/* The stat belongs to the caller only if the call is still pending. */
	if (platform_call_valid(s->plat, &c->pc) < 0)
		return -ENOENT;
	if (rc < 0)
		return rc;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	fd = netstack_own_find(&s->net, st.st_dev, st.st_ino);
	if (fd < 0)
		return -EOPNOTSUPP;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -errno : fd;
}

int sys_sock_take_passed(struct sentry *s, struct sentry_call *c, int remote)
{
	int fd = sys_sock_take(s, c, remote);

	if (fd != -ENOTSOCK)
		return fd;
	/* 6: a pipe end is opened again, as the job could itself. */
	fd = procfs_fd_pipe_open(c->pc.tid, remote);
	if (fd < 0)
		return fd;
	/* The fd table read belongs to the caller only if still pending. */
	if (platform_call_valid(s->plat, &c->pc) < 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* The fds of table @tid naming socket @ino outside [@lo, @hi], or -errno. */
static long sys_sock_count_in(pid_t tid, struct procfs_fdsock *fds,
			      uint64_t ino, unsigned int lo, unsigned int hi)
{
	ssize_t k = procfs_fd_sockets(tid, fds, SYS_SOCK_FDS_MAX), j;
	long count = 0;

	for (j = 0; j < k; j++)
		if (fds[j].ino == ino && ((unsigned int)fds[j].fd < lo ||
					  (unsigned int)fds[j].fd > hi))
			count++;
	return k < 0 ? (long)k : count;
}

/*
 * The fds of the job naming socket @ino, except the caller's in [@lo, @hi]
 * (those it is closing now). @one_table: the socket can be in no table but
 * the caller's (netstack_own_one_table()), so that table is the only one
 * read; else every process of the job is (4). Return: the count, or -errno
 * when a table could not be read (the caller must then keep the copy).
 */
static long sys_sock_holders(struct sentry_call *c, uint64_t ino,
			     unsigned int lo, unsigned int hi, bool one_table)
{
	struct proctree_node *procs;
	struct procfs_fdsock *fds;
	size_t n, i;
	long count;
	pid_t tgid;
	ssize_t k, j;

	/* Filled before they are read: no need to clear them. */
	fds = malloc(SYS_SOCK_FDS_MAX * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	/* The caller's own table (its thread's: it may have unshared it). */
	count = sys_sock_count_in(c->pc.tid, fds, ino, lo, hi);
	if (one_table || count < 0) {
		free(fds);
		return count;
	}
	procs = malloc(SYS_SOCK_PROCS_MAX * sizeof(*procs));
	if (!procs) {
		free(fds);
		return -ENOMEM;
	}
	tgid = procfs_tgid(c->pc.tid);
	n = proctree_list(procs, SYS_SOCK_PROCS_MAX);
	for (i = 0; i < n; i++) {
		if (count >= 0 && procs[i].pid != tgid) {
			k = procfs_fd_sockets(procs[i].pid, fds,
					      SYS_SOCK_FDS_MAX);
			if (k < 0)
				count = k;
			for (j = 0; j < k; j++)
				count += fds[j].ino == ino;
		}
		close(procs[i].pidfd);
	}
	/* A full tree may hide holders: keep. */
	if (count >= 0 && n == SYS_SOCK_PROCS_MAX)
		count = -E2BIG;
	free(procs);
	free(fds);
	return count;
}

/* Release owned socket @st if no other fd of the job names it. */
static void sys_sock_drop_one(struct sentry *s, struct sentry_call *c,
			      const struct stat *st, unsigned int lo,
			      unsigned int hi)
{
	bool one = netstack_own_one_table(&s->net, st->st_dev, st->st_ino);

	if (netstack_own_lone(&s->net, st->st_dev, st->st_ino) ||
	    sys_sock_holders(c, st->st_ino, lo, hi, one) == 0)
		netstack_own_release(&s->net, st->st_dev, st->st_ino);
}

/* The caller is about to duplicate its fd @fd: mark its socket, if owned. */
static void sys_sock_duping(struct sentry *s, struct sentry_call *c, int fd)
{
	struct stat st;

	if (s->net.n_owned && procfs_fd_stat(c->pc.tid, fd, &st) == 0 &&
	    S_ISSOCK(st.st_mode))
		netstack_own_duped(&s->net, st.st_dev, st.st_ino);
}

/*
 * The caller is about to close its fds in [@lo, @hi] (a close, the target
 * of a dup2, a close_range): release every owned socket among them that no
 * other fd of the job names (4).
 */
static void sys_sock_dropping(struct sentry *s, struct sentry_call *c,
			      unsigned int lo, unsigned int hi)
{
	struct procfs_fdsock *fds;
	ssize_t k, j;

	if (!s->net.n_owned)
		return;
	if (lo == hi) {
		struct stat st;

		if (procfs_fd_stat(c->pc.tid, (int)lo, &st) < 0 ||
		    !S_ISSOCK(st.st_mode) ||
		    netstack_own_find(&s->net, st.st_dev, st.st_ino) < 0)
			return;
		sys_sock_drop_one(s, c, &st, lo, hi);
		return;
	}
	fds = malloc(SYS_SOCK_FDS_MAX * sizeof(*fds));
	if (!fds)
		return;
	k = procfs_fd_sockets(c->pc.tid, fds, SYS_SOCK_FDS_MAX);
	for (j = 0; j < k; j++) {
		struct stat st;

		if ((unsigned int)fds[j].fd < lo ||
		    (unsigned int)fds[j].fd > hi)
			continue;
		if (procfs_fd_stat(c->pc.tid, fds[j].fd, &st) < 0 ||
		    st.st_ino != fds[j].ino)
			continue;
		if (netstack_own_find(&s->net, st.st_dev, st.st_ino) >= 0)
			sys_sock_drop_one(s, c, &st, lo, hi);
	}
	free(fds);
}

size_t sys_sock_sweep(struct sentry *s)
{
	struct proctree_node *procs;
	struct procfs_fdsock *fds;
	size_t n, i;
	bool complete = true;

	if (!s->net.n_owned)
		return 0;
	procs = malloc(SYS_SOCK_PROCS_MAX * sizeof(*procs));
	fds = malloc(SYS_SOCK_FDS_MAX * sizeof(*fds));
	if (!procs || !fds) {
		free(procs);
		free(fds);
		return 0;
	}
	netstack_own_sweep_begin(&s->net);
	n = proctree_list(procs, SYS_SOCK_PROCS_MAX);
	if (n == SYS_SOCK_PROCS_MAX)
		complete = false;
	for (i = 0; i < n; i++) {
		ssize_t k, j;

		if (complete) {
			k = procfs_fd_sockets(procs[i].pid, fds,
					      SYS_SOCK_FDS_MAX);
			if (k < 0)
				complete = false;
			for (j = 0; j < k; j++)
				netstack_own_mark(&s->net, fds[j].ino);
		}
		close(procs[i].pidfd);
	}
	free(procs);
	free(fds);
	/* Only a complete walk may release: an unread table may hold any. */
	return complete ? netstack_own_sweep_end(&s->net) : 0;
}

/*
 * Install the supervisor's socket @fd into the caller and answer with its
 * number, keeping a copy (1): the table keeps @fd itself. Consumes @fd.
 * Return: as a handler.
 */
static int sys_sock_install(struct sentry *s, struct sentry_call *c, int fd,
			    bool cloexec, const char *rule)
{
	int rc, remote;
	struct stat st;

	/* Owning from birth rests on installing fds (ADDFD). */
	if (!platform_can(s->plat, PLATFORM_CAN_PUT_FD)) {
		close(fd);
		verdict_deny(&c->v, EPERM, VERDICT_CAT_INTERNAL,
			     "the platform cannot install fds: no socket can "
			     "be created for the job (fail closed)");
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		verdict_fail(&c->v, rc, false);
		return 0;
	}
	if (s->net.n_owned >= NETSTACK_OWNED_MAX / 2)
		sys_sock_sweep(s);
	/*
	 * The table keeps @fd itself: ADDFD installs a reference of its own
	 * into the job, so no duplicate is needed (a dup, an fstat and a
	 * close fewer per socket, accept and socket alike).
	 */
	rc = netstack_own_add_new(&s->net, fd, &st);
	if (rc < 0) {
		close(fd);
		verdict_deny(&c->v, EMFILE, VERDICT_CAT_INTERNAL,
			     "too many sockets owned from birth (fail closed)");
		return 0;
	}
	remote = platform_put_fd(s->plat, &c->pc, fd, cloexec);
	if (remote < 0) {
		/* Closes @fd, the table's now. */
		netstack_own_release(&s->net, st.st_dev, st.st_ino);
		if (remote == -ENOENT)
			return remote;
		verdict_allow(&c->v, remote, rule); /* EMFILE, as natively */
		return 0;
	}
	verdict_allow(&c->v, remote, rule);
	verdict_answered(&c->v);
	return 0;
}

int sys_socket(struct sentry *s, struct sentry_call *c)
{
	int domain = (int)c->pc.args[0], type = (int)c->pc.args[1];
	int proto = (int)c->pc.args[2], fd;

	snprintf(c->detail, sizeof(c->detail), "domain=%d type=%#x proto=%d",
		 domain, type, proto);
	/* 5: a privileged opener would authorise the job's netlink sends. */
	if (domain == AF_NETLINK && geteuid() == 0) {
		verdict_deny(&c->v, EAFNOSUPPORT, VERDICT_CAT_RULE,
			     "netlink socket owned from birth by a privileged "
			     "supervisor (its sends would carry root's "
			     "capabilities)");
		return 0;
	}
	/* The filter let only the kinds the zone's families allow here. */
	fd = FAULT_PERFORM(socket(domain, type | SOCK_CLOEXEC, proto));
	if (fd < 0) {
		verdict_allow(&c->v, -errno, sys_sock_rule_birth);
		return 0;
	}
	if (domain == AF_UNIX)
		unix_rights_guard_on(&s->net);
	return sys_sock_install(s, c, fd, type & SOCK_CLOEXEC,
				sys_sock_rule_birth);
}

/* The peer address of an accept into the job's @addr/@addrlen. */
static int sys_sock_write_peer(struct sentry *s, struct sentry_call *c,
			       uint64_t addr, uint64_t addrlen,
			       const struct sockaddr_storage *ss, socklen_t sl,
			       socklen_t cap)
{
	struct platform_mem_seg seg[2];
	size_t n = 0;
	ssize_t want;

	if (!addr || !addrlen)
		return 0;
	if (cap)
		seg[n++] = (struct platform_mem_seg){addr, ss,
						     sl < cap ? sl : cap};
	seg[n++] = (struct platform_mem_seg){addrlen, &sl, sizeof(sl)};
	want = (ssize_t)((n == 2 ? seg[0].len : 0) + sizeof(sl));
	return platform_write_memv(s->plat, &c->pc, seg, n) == want ? 0
								    : -EFAULT;
}

static int sys_sock_accept(struct sentry *s, struct sentry_call *c, int flags)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss), cap = 0;
	uint64_t addr = c->pc.args[1], addrlen = c->pc.args[2];
	int lfd, fl, fd, rc;

	snprintf(c->detail, sizeof(c->detail), "fd=%d flags=%#x",
		 (int)c->pc.args[0], flags);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		verdict_invalid(&c->v, EINVAL, "bad flags");
		return 0;
	}
	if (addr && addrlen) {
		if (platform_read_mem(s->plat, &c->pc, addrlen, &cap,
				      sizeof(cap)) != sizeof(cap)) {
			verdict_invalid(&c->v, EFAULT, "bad address length");
			return 0;
		}
		if ((int)cap < 0) {
			verdict_invalid(&c->v, EINVAL, "bad address length");
			return 0;
		}
	}
	lfd = sys_sock_take(s, c, (int)c->pc.args[0]);
	if (lfd < 0) {
		if (lfd == -ENOENT)
			return lfd;
		if (lfd == -ENOTSOCK)
			verdict_invalid(&c->v, ENOTSOCK, "not a socket");
		else
			verdict_take_fail(&c->v, lfd, EACCES, "listener");
		return 0;
	}
	/*
	 * Never block the supervisor: accept on the listener made
	 * non-blocking for this call (every accept of the job comes here, so
	 * no accept of the job's observes it), and a blocking accept with
	 * nothing queued waits in the deferred-call table, re-run when the
	 * listener is readable.
	 */
	fl = fcntl(lfd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(lfd, F_SETFL, fl | O_NONBLOCK);
	fd = FAULT_PERFORM(accept4(lfd, (struct sockaddr *)&ss, &sl,
				   SOCK_CLOEXEC | (flags & SOCK_NONBLOCK)));
	rc = fd < 0 ? errno : 0;
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(lfd, F_SETFL, fl);
	if (fd < 0 && (rc == EAGAIN || rc == EWOULDBLOCK) && fl >= 0 &&
	    !(fl & O_NONBLOCK)) {
		struct deferred_req p = {.kind = DEFERRED_RECV,
					 .fd = lfd,
					 .timeout_err = EAGAIN};

		verdict_allow(&c->v, 0, sys_sock_rule_birth);
		rc = deferred_add(s, c, &p);
		if (rc >= 0)
			return 0; /* the table owns @lfd */
		close(lfd);
		if (rc == -EAGAIN)
			verdict_deny(&c->v, DEFERRED_FULL_ERRNO,
				     VERDICT_CAT_INTERNAL,
				     "deferred-call table full (fail closed)");
		else
			verdict_fail(&c->v, rc, false);
		return 0;
	}
	close(lfd);
	if (fd < 0) {
		verdict_allow(&c->v, -rc, sys_sock_rule_birth);
		return 0;
	}
	if (sys_sock_write_peer(s, c, addr, addrlen, &ss, sl, cap) < 0) {
		/* As the kernel: the connection is dropped, EFAULT. */
		close(fd);
		verdict_invalid(&c->v, EFAULT, "address not writable");
		return 0;
	}
	return sys_sock_install(s, c, fd, flags & SOCK_CLOEXEC,
				sys_sock_rule_birth);
}

int sys_accept(struct sentry *s, struct sentry_call *c)
{
	return sys_sock_accept(s, c, 0);
}

int sys_accept4(struct sentry *s, struct sentry_call *c)
{
	return sys_sock_accept(s, c, (int)c->pc.args[3]);
}

int sys_sock_socketpair(struct sentry *s, struct sentry_call *c)
{
	int domain = (int)c->pc.args[0], type = (int)c->pc.args[1];
	int sv[2], job[2] = {-1, -1}, i, rc = 0;
	bool cloexec = type & SOCK_CLOEXEC;

	snprintf(c->detail, sizeof(c->detail), "domain=%d", domain);
	/* Writable first: natively a bad pointer installs nothing. */
	if (platform_write_mem(s->plat, &c->pc, c->pc.args[3], job,
			       sizeof(job)) != sizeof(job)) {
		verdict_invalid(&c->v, EFAULT, "bad pair pointer");
		return 0;
	}
	if (FAULT_PERFORM(socketpair(domain, type | SOCK_CLOEXEC,
				     (int)c->pc.args[2], sv)) < 0) {
		verdict_allow(&c->v, -errno, sys_sock_rule_birth);
		return 0;
	}
	for (i = 0; i < 2; i++) {
		int copy = fcntl(sv[i], F_DUPFD_CLOEXEC, 3);

		if (copy < 0 || netstack_own_add(&s->net, copy) < 0) {
			rc = -EMFILE;
			break;
		}
		job[i] = platform_add_fd(s->plat, &c->pc, sv[i], cloexec);
		if (job[i] < 0) {
			rc = job[i];
			break;
		}
	}
	close(sv[0]);
	close(sv[1]);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0 || platform_write_mem(s->plat, &c->pc, c->pc.args[3], job,
					 sizeof(job)) != sizeof(job)) {
		/*
		 * An end already installed cannot be taken back from the
		 * job; it stays unnamed there (a bad pointer or a full table
		 * after the check above: a job racing itself).
		 */
		verdict_allow(&c->v, rc < 0 ? rc : -EFAULT,
			      sys_sock_rule_birth);
		return 0;
	}
	verdict_allow(&c->v, 0, sys_sock_rule_birth);
	return 0;
}

void sys_sock_own_received(struct sentry *s, const int *fds, size_t n)
{
	size_t i;

	if (!s->birth)
		return;
	for (i = 0; i < n; i++) {
		struct stat st;
		int copy;

		if (fstat(fds[i], &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		copy = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		/* Its sender may be a process of the job that holds it too. */
		if (copy >= 0)
			netstack_own_add_spread(&s->net, copy);
	}
}

/* @c creates a task: a new fd table may hold copies of the job's sockets. */
static void sys_sock_spawning(struct sentry *s, const struct sentry_call *c)
{
	uint64_t flags = c->pc.nr == SYS_clone ? c->pc.args[0] : 0;

	if (!s->birth)
		return;
	/* fork and vfork copy the table, as a clone without CLONE_FILES. */
	if (!(flags & CLONE_FILES))
		netstack_own_spread(&s->net, false);
	/* A thread sharing it: one table still (an exec by it ends the
	 * others). A process sharing it: its exec copies it unseen. */
	else if (!(flags & CLONE_THREAD))
		netstack_own_spread(&s->net, true);
}

int sys_task_create(struct sentry *s, struct sentry_call *c)
{
	sys_sock_spawning(s, c);
	verdict_continue(&c->v, "task creation: the pids limit is counted "
				"in the tree and backed by RLIMIT_NPROC");
	return 0;
}

static const char sys_sock_rule_close[] =
	"close: continues in the kernel (sockets owned from birth released "
	"when it is the job's last fd)";

int sys_close(struct sentry *s, struct sentry_call *c)
{
	unsigned int fd = (unsigned int)c->pc.args[0];

	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)fd);
	sys_sock_dropping(s, c, fd, fd);
	verdict_continue(&c->v, sys_sock_rule_close);
	return 0;
}

/* dup2/dup3 onto @newfd closes what @newfd held (unless it is @oldfd). */
static int sys_sock_dup_onto(struct sentry *s, struct sentry_call *c)
{
	unsigned int oldfd = (unsigned int)c->pc.args[0];
	unsigned int newfd = (unsigned int)c->pc.args[1];

	snprintf(c->detail, sizeof(c->detail), "fd=%d newfd=%d", (int)oldfd,
		 (int)newfd);
	if (oldfd != newfd) {
		sys_sock_duping(s, c, (int)oldfd);
		sys_sock_dropping(s, c, newfd, newfd);
	}
	verdict_continue(&c->v, sys_sock_rule_close);
	return 0;
}

static const char sys_sock_rule_dup[] =
	"dup: continues in the kernel (a socket owned from birth is marked "
	"as having more than one fd)";

int sys_dup(struct sentry *s, struct sentry_call *c)
{
	snprintf(c->detail, sizeof(c->detail), "fd=%d", (int)c->pc.args[0]);
	sys_sock_duping(s, c, (int)c->pc.args[0]);
	verdict_continue(&c->v, sys_sock_rule_dup);
	return 0;
}

int sys_fcntl_dupfd(struct sentry *s, struct sentry_call *c)
{
	snprintf(c->detail, sizeof(c->detail), "fd=%d cmd=%d",
		 (int)c->pc.args[0], (int)c->pc.args[1]);
	/* Only F_DUPFD* is notified; any command is safe to continue. */
	sys_sock_duping(s, c, (int)c->pc.args[0]);
	verdict_continue(&c->v, sys_sock_rule_dup);
	return 0;
}

int sys_dup2(struct sentry *s, struct sentry_call *c)
{
	return sys_sock_dup_onto(s, c);
}

int sys_dup3(struct sentry *s, struct sentry_call *c)
{
	return sys_sock_dup_onto(s, c);
}

int sys_close_range(struct sentry *s, struct sentry_call *c)
{
	unsigned int lo = (unsigned int)c->pc.args[0];
	unsigned int hi = (unsigned int)c->pc.args[1];
	unsigned int flags = (unsigned int)c->pc.args[2];

	snprintf(c->detail, sizeof(c->detail), "fd=%u..%u flags=%#x", lo, hi,
		 flags);
	/* CLOEXEC closes nothing now: the exec does, and a sweep follows. */
	if (!(flags & CLOSE_RANGE_CLOEXEC) && lo <= hi)
		sys_sock_dropping(s, c, lo, hi);
	verdict_continue(&c->v, sys_sock_rule_close);
	return 0;
}
