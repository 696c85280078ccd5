/* SPDX-License-Identifier: MIT */
/*
 * unix_own.c - which unix sockets are the job's own, and SO_PASSRIGHTS on
 * the job's sockets that talk to anything else.
 *
 * SCM_RIGHTS lets whoever is at the other end of a unix socket install any
 * fd it holds into the receiver: a TCP connection to a denied address, a
 * connection to docker.sock. The kernel (6.16+) lets a receiver refuse that:
 * with SO_PASSRIGHTS off, the sender's sendmsg() fails with EPERM, and a
 * listener's setting is inherited by the sockets it accepts. cordon turns
 * it off on a job socket before the supervisor connects it, or sends from
 * it, to a socket that is not the job's own; the filter keeps the job from
 * turning it back on. That is a second wall, where the kernel has it: the
 * first, on every kernel, is the receive guard (unix_rights.c), which every
 * bind, connect and send here turns on.
 *
 * "The job's own" is a fact about socket objects: at bind, the supervisor
 * asks the kernel (unix_diag) which file the socket is bound to; at
 * connect, the pinned target file must be that file and the socket must
 * still be alive and bound to it. An abstract name counts while the socket
 * that bound it lives (a name cannot move to another socket without the
 * first one closing).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "netstack/netstack_priv.h"

bool unix_own_alive(const struct netstack_unix_own *o,
		    struct sock_diag_unix *now)
{
	return sock_diag_unix(o->ino, o->cookie, now) == 0;
}

void unix_own_shield_close(struct netstack_unix_shield *sh)
{
	if (sh->pin >= 0)
		close(sh->pin);
	if (sh->sentinel >= 0)
		close(sh->sentinel);
	*sh = (struct netstack_unix_shield){.pin = -1, .sentinel = -1};
}

/*
 * Drop the entries whose socket is gone (@name: only those that bound that
 * abstract name, @len bytes; NULL: all). A sentinel closed here releases
 * the job's name: a server started again binds it again, as natively.
 */
void unix_own_prune(struct netstack *ns, const char *name, size_t len)
{
	struct sock_diag_unix now;
	size_t i = 0;

	while (i < ns->n_unix_own) {
		struct netstack_unix_own *o = &ns->unix_own[i];

		if ((name && (!o->abstract || o->name_len != len ||
			      memcmp(o->name, name, len))) ||
		    unix_own_alive(o, &now)) {
			i++;
			continue;
		}
		unix_own_shield_close(&o->sh);
		*o = ns->unix_own[--ns->n_unix_own];
	}
}

struct netstack_unix_own *unix_own_add(struct netstack *ns)
{
	struct netstack_unix_own *o;

	if (ns->n_unix_own == NETSTACK_UNIX_OWN_MAX)
		unix_own_prune(ns, NULL, 0);
	if (ns->n_unix_own == NETSTACK_UNIX_OWN_MAX)
		return NULL;
	o = &ns->unix_own[ns->n_unix_own++];
	memset(o, 0, sizeof(*o));
	o->sh = (struct netstack_unix_shield){.pin = -1, .sentinel = -1};
	return o;
}

void netstack_note_unix(struct netstack *ns, int fd)
{
	struct netstack_unix_own o = {0}, *slot;
	struct sock_diag_unix now;
	socklen_t l = sizeof(o.cookie);
	struct stat st;

	unix_rights_guard_on(ns); /* a name anything outside may reach */
	if (fstat(fd, &st) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_COOKIE, &o.cookie, &l) < 0)
		return;
	o.ino = st.st_ino;
	if (sock_diag_unix(o.ino, o.cookie, &now) < 0 || !now.name_len)
		return;
	if (now.has_vfs) {
		o.vfs_dev = now.vfs_dev;
		o.vfs_ino = now.vfs_ino;
	} else if (now.name[0] == '\0') {
		o.abstract = true;
		o.name_len = now.name_len - 1;
		memcpy(o.name, now.name + 1, o.name_len);
	} else {
		return; /* a path the kernel cannot show as a file */
	}
	slot = unix_own_add(ns);
	if (!slot)
		return;
	o.sh = slot->sh;
	*slot = o;
}

bool netstack_unix_own(struct netstack *ns, const struct net_endpoint *e,
		       int pin)
{
	struct sock_diag_unix now;
	struct stat st;
	size_t i;

	if (e->kind == NET_ENDPOINT_UNIX && (pin < 0 || fstat(pin, &st) < 0))
		return false;
	for (i = 0; i < ns->n_unix_own; i++) {
		const struct netstack_unix_own *o = &ns->unix_own[i];

		if (e->kind == NET_ENDPOINT_UNIX) {
			if (o->abstract || !o->vfs_ino ||
			    !sock_diag_unix_is_file(o->vfs_dev, o->vfs_ino, pin,
						    &st))
				continue;
			if (unix_own_alive(o, &now) && now.has_vfs &&
			    now.vfs_ino == o->vfs_ino &&
			    now.vfs_dev == o->vfs_dev)
				return true;
		} else if (e->kind == NET_ENDPOINT_ABSTRACT) {
			if (!o->abstract || o->name_len != e->path_len ||
			    memcmp(o->name, e->path, e->path_len))
				continue;
			if (unix_own_alive(o, &now))
				return true;
		}
	}
	return false;
}

int netstack_unix_guard(struct netstack *ns, int fd,
			const struct net_endpoint *e, int pin)
{
	int off = 0;

	unix_rights_guard_on(ns);
	if (!ns->passrights || netstack_unix_own(ns, e, pin))
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off)) < 0)
		return -errno;
	return 0;
}
