/* SPDX-License-Identifier: MIT */
/*
 * netstack.h - cordon's socket layer: what a job's socket call means and
 * whether its zone allows it. The sentry copies job memory out and hands the
 * bytes in; netstack parses them (sockaddrs are hostile input), normalises
 * addresses, keeps the job's own listeners and the host's addresses, and asks
 * the zone's decision tables (policy/). It never touches job memory or the
 * notify fd (that is platform/), and it never decides without naming the
 * zone and the rule.
 */
#ifndef CORDON_NETSTACK_H
#define CORDON_NETSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* The errno of every network denial: what Landlock and a local firewall
 * return for a refused connect(). */
#define NETSTACK_DENY_ERRNO EACCES

/* ---------------------------------------------------------------------------
 * Socket addresses (sockaddr.c): a pure parser of hostile bytes.
 */

enum net_endpoint_kind {
	NET_ENDPOINT_UNSPEC,   /* AF_UNSPEC: dissolve an association */
	NET_ENDPOINT_INET,     /* AF_INET / AF_INET6 */
	NET_ENDPOINT_UNIX,     /* a filesystem path */
	NET_ENDPOINT_ABSTRACT, /* an abstract name (may hold NULs) */
	NET_ENDPOINT_UNNAMED,  /* AF_UNIX with no name (autobind) */
	NET_ENDPOINT_OTHER,    /* any other family */
};

#define NET_UNIX_PATH_MAX 108

/**
 * struct net_endpoint - one parsed sockaddr.
 * @family:   sa_family as given.
 * @addr:     for INET: the address as given (family 4 or 6, as policy/
 *            spells it; not normalised).
 * @port:     for INET: host byte order.
 * @scope_id: for AF_INET6.
 * @path:     for UNIX/ABSTRACT: the name, @path_len bytes (ABSTRACT without
 *            the leading NUL); UNIX paths are NUL-terminated here.
 */
struct net_endpoint {
	enum net_endpoint_kind kind;
	int family;
	struct policy_addr addr;
	uint16_t port;
	uint32_t scope_id;
	char path[NET_UNIX_PATH_MAX + 1];
	size_t path_len;
};

/**
 * sockaddr_parse() - parse @len bytes of a sockaddr copied from the job.
 * Lengths are checked as the kernel checks them (a short AF_INET is EINVAL).
 * Return: 0 and *@out, or -EINVAL (malformed) / -EAFNOSUPPORT.
 */
int sockaddr_parse(const uint8_t *p, size_t len, struct net_endpoint *out);

/**
 * sockaddr_fmt() - "192.0.2.1:443", "[2001:db8::1]:443", "unix:/path",
 * "unix:@abstract". Never fails; truncates to @outlen.
 */
void sockaddr_fmt(const struct net_endpoint *e, char *out, size_t outlen);

/* ---------------------------------------------------------------------------
 * The job's network state and decisions (netstack.c).
 */

#define NETSTACK_LISTENERS_MAX 4096
#define NETSTACK_HOST_ADDRS_MAX 256

/**
 * struct netstack_socket - a socket the job bound, as the kernel knows it.
 * @ino:   the socket's inode (unique while it lives).
 * @proto: POLICY_PROTO_TCP or POLICY_PROTO_UDP.
 * @port:  the bound port.
 * @listening: listen() succeeded on it (TCP).
 */
struct netstack_socket {
	ino_t ino;
	unsigned proto;
	uint16_t port;
	bool listening;
	bool used;
};

struct netstack {
	const struct zone_tables *tables;
	struct policy_runtime rt;
	struct policy_addr host_addrs[NETSTACK_HOST_ADDRS_MAX];
	struct netstack_socket bound[NETSTACK_LISTENERS_MAX];
	char cwd[4096];
	char tmpdir[4096];
	char xdg_runtime_dir[4096];
	char home[4096];
};

/**
 * netstack_init() - state for a job deciding by @tables (borrowed).
 * Reads the host's own addresses (getifaddrs) and the placeholder values
 * from @envp (TMPDIR, XDG_RUNTIME_DIR, HOME) and @cwd.
 * Return: 0 or -errno.
 */
int netstack_init(struct netstack *ns, const struct zone_tables *tables,
		  char *const *envp, const char *cwd);

/**
 * netstack_note_bound() - the job's socket @ino is bound to @port.
 * @listening: it is also listening now.
 */
void netstack_note_bound(struct netstack *ns, ino_t ino, unsigned proto,
			 uint16_t port, bool listening);

/**
 * netstack_decide_connect() - may the job connect (or send) to @e over
 * @proto? The job's own listeners count only when the kernel confirms that
 * the socket listening on that port now is one the job bound (sock_diag),
 * so a host service that took a port the job released is not "its own".
 * May block briefly on a netlink query. Return: 0 (verdict in @out).
 */
int netstack_decide_connect(struct netstack *ns, const struct net_endpoint *e,
			    unsigned proto, struct policy_decision *out);

/** netstack_decide_bind() - may the job bind/listen on @e? */
int netstack_decide_bind(struct netstack *ns, const struct net_endpoint *e,
			 unsigned proto, struct policy_decision *out);

/**
 * netstack_decide_unix() - may the job connect to unix socket @path
 * (absolute, resolved) or abstract name?
 */
int netstack_decide_unix(struct netstack *ns, const struct net_endpoint *e,
			 const char *resolved, struct policy_decision *out);

/* ---------------------------------------------------------------------------
 * Kernel socket tables (sock_diag.c).
 */

/**
 * sock_diag_listeners() - the inodes of every socket of @family listening
 * (TCP, state LISTEN) or bound (UDP) on local port @port, on any address.
 * Several can share a port (SO_REUSEPORT, one per address).
 * Return: the number found (0..@max), -E2BIG when there are more, or
 * -errno (the query failed: callers fail closed).
 */
int sock_diag_listeners(int family, unsigned proto, uint16_t port, ino_t *inos,
			size_t max);

#endif /* CORDON_NETSTACK_H */
