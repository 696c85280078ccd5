/* SPDX-License-Identifier: MIT */
/*
 * netstack_priv.h - what the files of netstack/ share and nobody else may
 * use: the table of the job's own unix sockets (unix_own.c), as the
 * shields of unix_listen.c need it, and the services' loopback listeners
 * (service.c).
 */
#ifndef CORDON_NETSTACK_PRIV_H
#define CORDON_NETSTACK_PRIV_H

#include "netstack/netstack.h"

/**
 * unix_own_add() - a new, empty entry of @ns's table of the job's unix
 * sockets (its shield's fds -1): gone sockets make room when it is full.
 * Return: the entry, or NULL when every entry is a live socket.
 */
struct netstack_unix_own *unix_own_add(struct netstack *ns);

/**
 * unix_own_prune() - drop the entries whose socket is gone, closing their
 * shields; with @name (@len bytes), only those that bound that abstract
 * name.
 */
void unix_own_prune(struct netstack *ns, const char *name, size_t len);

/** unix_own_shield_close() - close @sh's fds and mark it empty. */
void unix_own_shield_close(struct netstack_unix_shield *sh);

/**
 * unix_own_alive() - is @o's socket alive? The kernel's view of it in
 * *@now (sock_diag).
 */
bool unix_own_alive(const struct netstack_unix_own *o,
		    struct sock_diag_unix *now);

/**
 * netstack_service_listen() - open one loopback listener of a service (the
 * DNS proxy, the relay; service.c): a @type socket (SOCK_STREAM, listening
 * with @backlog, or SOCK_DGRAM), non-blocking and close-on-exec, bound to
 * @family's loopback address (127.0.0.1, or ::1 with IPV6_V6ONLY) on a port
 * the kernel chooses, and added to the service's epoll set @epfd for
 * EPOLLIN with @tag. @bound (may be NULL) receives the address it is bound
 * to (a struct sockaddr_in or sockaddr_in6, by @family). Called by the
 * service's constructor, before its thread (if any) starts.
 * Return: the fd (owned by the caller), or -errno with nothing left open
 * (EAFNOSUPPORT, EADDRNOTAVAIL: a host without IPv6).
 */
int netstack_service_listen(int epfd, uint64_t tag, int family, int type,
			    int backlog, struct sockaddr_storage *bound);

#endif /* CORDON_NETSTACK_PRIV_H */
