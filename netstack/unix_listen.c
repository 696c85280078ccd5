/* SPDX-License-Identifier: MIT */
/*
 * unix_listen.c - the job's unix listeners accept only the job: the name a
 * job's stream or seqpacket socket binds leads outsiders to a sentinel that
 * refuses them, and the job's own connects to the socket itself. Not
 * responsible for fds sent over the connections (unix_rights.c refuses
 * those from outside on every socket) nor for datagram sockets (below).
 *
 * Theory of operation
 * -------------------
 * A process outside the job (the same user, or root) may connect to any
 * unix name the job binds: path sockets need only write permission on the
 * file, abstract names nothing at all, and no kernel facility lets a
 * listener refuse peers by who they are. Refusing them at accept() would
 * put every accept() of the job, TCP ones included, through the supervisor
 * (the filter cannot see a socket's family, and a CONTINUE after looking
 * at the fd would run on whatever the job dup2()ed onto the number
 * meanwhile). Instead cordon makes sure an outsider's connect never reaches
 * the job's socket at all, so accept() stays in the kernel, the job's
 * poll/epoll readiness is exactly the kernel's (an outsider never queues a
 * connection), and no pid or peer credential has to be judged (so pid reuse
 * plays no part).
 *
 *  1. A path. The supervisor performs the job's bind() (sys_net.c, in the
 *     job's cwd and umask); the kernel creates the socket file F at the
 *     path. Right after, still inside the bind, the supervisor opens F
 *     O_PATH (the pin; sock_diag confirms F is the file this very socket is
 *     bound to), binds a sentinel socket S of the same type to a temporary
 *     name in the same directory, and rename()s that over the path: the
 *     path now names S's file, F is linked nowhere, and the pin keeps it
 *     (a unix socket is found by its file's inode, unix_find_bsd()). S
 *     never listens: a connect() to the path gets ECONNREFUSED, as to a
 *     socket nothing listens on. The job's socket keeps the path as its
 *     address (getsockname(), and its peers' getpeername(), show what the
 *     job bound). F has no link left: fstat() of the pin must show
 *     st_nlink 0 afterwards, else a link() made meanwhile would still lead
 *     to it, and the shield is given up (fail closed: listen() refused).
 *     The window between the bind and the rename is harmless: the socket
 *     does not listen yet (the job's listen() is a notified call, handled
 *     after this one).
 *  2. An abstract name. Abstract names have no file to move: the sentinel
 *     binds the job's name first (so EADDRINUSE is the kernel's, and
 *     nothing is done to the job's socket), then the job's socket is bound
 *     to a file in a fresh private directory, pinned, unlinked, the
 *     directory removed. What differs from native: getsockname() of such a
 *     listener (and getpeername() of its clients) shows that file's path,
 *     not the abstract name. A sentinel whose job socket is gone is closed
 *     before the name is bound again, so a restarted server gets its name.
 *  3. The job's own connects (and sends) are performed by the supervisor
 *     (sys_net.c): a path is pinned and judged as the job named it; when
 *     the pinned file is a live sentinel, or the abstract name belongs to
 *     one, the connect goes to "/proc/self/fd/PIN" of the job's socket
 *     instead (netstack_unix_shield_for()). The supervisor is non-dumpable
 *     (guard.c), so no other process can open its pins through /proc.
 *  4. listen() (notified) is refused on a unix stream or seqpacket socket
 *     that is bound but not shielded: a name the kernel chose (autobind,
 *     bind() with only the family), or a shield that could not be set up.
 *  5. Datagram sockets keep their names: a datagram socket has no accept
 *     queue, and what an outsider can do to it is send bytes; fds it sends
 *     are refused by the receive guard (unix_rights.c) on every kernel.
 *
 * A process with CAP_SYS_ADMIN or CAP_SYS_PTRACE outside the job can take
 * the job's fds (pidfd_getfd) or the supervisor's pins anyway; the shield is
 * about the same user and about root processes that merely connect.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/common.h"
#include "netstack/netstack_priv.h"

#define UNIX_LISTEN_TMP_PREFIX ".cordon-sentinel-"
#define UNIX_LISTEN_DIR_TEMPLATE "/tmp/cordon-unix-XXXXXX"

static bool unix_listen_stream(int type)
{
	return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

/* Fill @un with @path; return its length for bind(), or 0 if too long. */
static socklen_t unix_listen_addr(struct sockaddr_un *un, const char *path)
{
	size_t n = strlen(path);

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (n >= sizeof(un->sun_path))
		return 0;
	memcpy(un->sun_path, path, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/* A temporary name: the prefix and 12 random hex digits. */
static int unix_listen_tmpname(char *out, size_t len)
{
	uint8_t r[6];
	size_t i;
	int n;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -EIO;
	n = snprintf(out, len, "%s", UNIX_LISTEN_TMP_PREFIX);
	for (i = 0; i < sizeof(r) && n > 0 && (size_t)n + 3 <= len; i++)
		n += snprintf(out + n, len - (size_t)n, "%02x", r[i]);
	return 0;
}

/* Split @path into its directory (opened O_PATH) and its last component. */
static int unix_listen_dir_open(const char *path, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash) {
		*base = path;
		fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		if (n >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (!**base) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Is the file at @pin the one socket @fd is bound to (sock_diag)? */
static bool unix_listen_is_bound_file(int fd, int pin)
{
	struct sock_diag_unix now;
	struct stat sock_st, file_st;
	uint64_t cookie = 0;
	socklen_t l = sizeof(cookie);

	if (fstat(fd, &sock_st) < 0 || fstat(pin, &file_st) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &l) < 0 ||
	    sock_diag_unix(sock_st.st_ino, cookie, &now) < 0)
		return false;
	return S_ISSOCK(file_st.st_mode) && now.has_vfs &&
	       sock_diag_unix_is_file(now.vfs_dev, now.vfs_ino, pin, &file_st);
}

/* A new socket of @type bound to @un (@len bytes). Return: fd or -errno. */
static int unix_listen_sentinel(int type, const struct sockaddr_un *un,
				socklen_t len)
{
	int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), e;

	if (s < 0)
		return -errno;
	if (bind(s, (const struct sockaddr *)un, len) < 0) {
		e = errno;
		close(s);
		return -e;
	}
	return s;
}

/* Step 1 after the pin: the sentinel renamed over the path. */
static int unix_listen_swap(int dirfd, const char *base, int type,
			    struct netstack_unix_shield *sh)
{
	char tmp[64], via[PATH_MAX];
	struct sockaddr_un un;
	struct stat st;
	socklen_t len;
	int rc;

	rc = unix_listen_tmpname(tmp, sizeof(tmp));
	if (rc < 0)
		return rc;
	/* Through the directory's fd: short whatever the path's length. */
	snprintf(via, sizeof(via), "/proc/self/fd/%d/%s", dirfd, tmp);
	len = unix_listen_addr(&un, via);
	if (!len)
		return -ENAMETOOLONG;
	sh->sentinel = unix_listen_sentinel(type, &un, len);
	if (sh->sentinel < 0) {
		rc = sh->sentinel;
		sh->sentinel = -1;
		return rc;
	}
	if (fstatat(dirfd, tmp, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    renameat(dirfd, tmp, dirfd, base) < 0) {
		rc = -errno;
		unlinkat(dirfd, tmp, 0);
		return rc;
	}
	sh->sent_dev = st.st_dev;
	sh->sent_ino = st.st_ino;
	/* Nothing may lead to the job's socket but the pin (a link()). */
	if (fstat(sh->pin, &st) < 0 || st.st_nlink != 0)
		return -EMLINK;
	return 0;
}

int netstack_unix_shield_path(int fd, const char *path,
			      struct netstack_unix_shield *sh)
{
	const char *base;
	int type = 0, dirfd, rc;
	socklen_t l = sizeof(type);

	*sh = (struct netstack_unix_shield){.pin = -1, .sentinel = -1};
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0)
		return -errno;
	if (!unix_listen_stream(type))
		return 0;
	sh->pin = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (sh->pin < 0) {
		rc = -errno;
		goto out_fail;
	}
	if (!unix_listen_is_bound_file(fd, sh->pin)) {
		rc = -ESTALE; /* the path was replaced meanwhile */
		goto out_fail;
	}
	dirfd = unix_listen_dir_open(path, &base);
	if (dirfd < 0) {
		rc = dirfd;
		goto out_fail;
	}
	rc = unix_listen_swap(dirfd, base, type, sh);
	close(dirfd);
	if (rc == 0)
		return 0;
out_fail:
	unix_own_shield_close(sh);
	return rc;
}

void netstack_unix_shield_adopt(struct netstack *ns,
				const struct netstack_sockinfo *k,
				struct netstack_unix_shield *sh)
{
	size_t i;

	if (sh->pin < 0 || sh->sentinel < 0)
		goto out_close;
	for (i = 0; i < ns->n_unix_own; i++) {
		struct netstack_unix_own *o = &ns->unix_own[i];

		if (o->cookie != k->cookie || o->shielded || o->abstract)
			continue;
		o->sh = *sh;
		o->shielded = true;
		*sh = (struct netstack_unix_shield){.pin = -1, .sentinel = -1};
		return;
	}
out_close:
	unix_own_shield_close(sh);
}

/*
 * Step 2: bind the job's socket @fd to a fresh private file, and pin it
 * with no link left. Return: 0 or -errno (the socket stays unbound unless
 * the bind itself succeeded: then -EMLINK, bound and unshielded).
 */
static int unix_listen_bind_private(int fd, struct netstack_unix_shield *sh)
{
	char dir[] = UNIX_LISTEN_DIR_TEMPLATE, path[sizeof(dir) + 2];
	struct sockaddr_un un;
	struct stat st;
	socklen_t len;
	int rc = 0;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(path, sizeof(path), "%s/s", dir);
	len = unix_listen_addr(&un, path);
	if (bind(fd, (const struct sockaddr *)&un, len) < 0) {
		rc = -errno;
		rmdir(dir);
		return rc;
	}
	sh->pin = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (sh->pin < 0 || !unix_listen_is_bound_file(fd, sh->pin))
		rc = -EMLINK;
	unlink(path);
	rmdir(dir);
	if (!rc && (fstat(sh->pin, &st) < 0 || st.st_nlink != 0))
		rc = -EMLINK;
	return rc;
}

int netstack_unix_bind_abstract(struct netstack *ns,
				const struct netstack_sockinfo *k,
				const char *name, size_t len)
{
	struct netstack_unix_shield sh = {.pin = -1, .sentinel = -1};
	struct netstack_unix_own *o;
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct stat st;
	int rc;

	if (len + 1 > sizeof(un.sun_path))
		return -EINVAL;
	/* A sentinel left by a closed listener gives its name back. */
	unix_own_prune(ns, name, len);
	memcpy(un.sun_path + 1, name, len);
	sh.sentinel = unix_listen_sentinel(
		k->type, &un,
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	if (sh.sentinel < 0)
		return sh.sentinel;
	rc = unix_listen_bind_private(k->fd, &sh);
	if (rc == -EMLINK) {
		/*
		 * Bound, but something else may lead to it: the job's bind
		 * succeeded and stays unshielded (listen() will be refused).
		 */
		unix_own_shield_close(&sh);
		return 0;
	}
	if (rc < 0) {
		unix_own_shield_close(&sh);
		return rc;
	}
	o = unix_own_add(ns);
	if (!o || fstat(k->fd, &st) < 0) {
		unix_own_shield_close(&sh);
		return 0; /* bound, unshielded: listen() will be refused */
	}
	o->ino = st.st_ino;
	o->cookie = k->cookie;
	o->abstract = true;
	memcpy(o->name, name, len);
	o->name_len = len;
	if (fstat(sh.pin, &st) == 0) {
		o->vfs_dev = st.st_dev;
		o->vfs_ino = st.st_ino;
	}
	o->sh = sh;
	o->shielded = true;
	unix_rights_guard_on(ns);
	return 0;
}

int netstack_unix_shield_for(struct netstack *ns, const struct net_endpoint *e,
			     int pin)
{
	struct sock_diag_unix now;
	struct stat st;
	size_t i;

	if (e->kind != NET_ENDPOINT_UNIX && e->kind != NET_ENDPOINT_ABSTRACT)
		return -1;
	if (e->kind == NET_ENDPOINT_UNIX && (pin < 0 || fstat(pin, &st) < 0))
		return -1;
	for (i = 0; i < ns->n_unix_own; i++) {
		const struct netstack_unix_own *o = &ns->unix_own[i];

		if (!o->shielded)
			continue;
		if (e->kind == NET_ENDPOINT_UNIX &&
		    (o->abstract || o->sh.sent_ino != (uint64_t)st.st_ino ||
		     o->sh.sent_dev != (uint64_t)st.st_dev))
			continue;
		if (e->kind == NET_ENDPOINT_ABSTRACT &&
		    (!o->abstract || o->name_len != e->path_len ||
		     memcmp(o->name, e->path, e->path_len)))
			continue;
		if (!unix_own_alive(o, &now))
			continue;
		return fcntl(o->sh.pin, F_DUPFD_CLOEXEC, 0);
	}
	return -1;
}

bool netstack_unix_listen_shielded(struct netstack *ns,
				   const struct netstack_sockinfo *k)
{
	struct sockaddr_un un;
	socklen_t l = sizeof(un);
	size_t i;

	if (k->domain != AF_UNIX || !unix_listen_stream(k->type))
		return true;
	if (getsockname(k->fd, (struct sockaddr *)&un, &l) < 0)
		return false;
	if (l <= offsetof(struct sockaddr_un, sun_path))
		return true; /* unbound: the kernel refuses (EINVAL) */
	for (i = 0; i < ns->n_unix_own; i++)
		if (ns->unix_own[i].cookie == k->cookie &&
		    ns->unix_own[i].shielded)
			return true;
	return false;
}

void netstack_unix_own_fini(struct netstack *ns)
{
	size_t i;

	for (i = 0; i < ns->n_unix_own; i++)
		unix_own_shield_close(&ns->unix_own[i].sh);
}
