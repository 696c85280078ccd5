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
#include <sys/socket.h>
#include <sys/types.h>

#include "policy/policy.h"

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
	NET_ENDPOINT_NETLINK,  /* AF_NETLINK: a port id and groups */
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
 * @nl_pid, @nl_groups: for NETLINK: the port id (0 is the kernel) and the
 *            multicast group mask.
 */
struct net_endpoint {
	enum net_endpoint_kind kind;
	int family;
	struct policy_addr addr;
	uint16_t port;
	uint32_t scope_id;
	char path[NET_UNIX_PATH_MAX + 1];
	size_t path_len;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

/**
 * sockaddr_parse() - parse @len bytes of a sockaddr copied from the job.
 * Lengths are checked as the kernel checks them (a short AF_INET is EINVAL).
 * Return: 0 and *@out, or -EINVAL (malformed) / -EAFNOSUPPORT.
 */
int sockaddr_parse(const uint8_t *p, size_t len, struct net_endpoint *out);

/**
 * sockaddr_fmt() - "192.0.2.1:443", "[2001:db8::1]:443", "unix:/path",
 * "unix:@abstract", "netlink:kernel", "netlink:pid=N,groups=0xM". Never
 * fails; truncates to @outlen.
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

struct dns_proxy;

#define NETSTACK_EMULATED_MAX 256
#define NETSTACK_EMULATED_IDLE_S 120

/**
 * struct netstack_emulated - a job socket whose DNS traffic goes to the
 * proxy: what it believes it talks to, so that receives can show that
 * address as the source (resolvers check it).
 * @cookie: SO_COOKIE of the socket (never reused while the host runs).
 * @peer:   the DNS server the job addressed.
 */
struct netstack_emulated {
	uint64_t cookie;
	struct net_endpoint peer;
	uint64_t last_use_ns;
	bool used;
};

#define NETSTACK_ABSTRACT_MAX 256
#define NETSTACK_UNIX_OWN_MAX 128

/**
 * struct netstack_unix_own - a unix socket the job bound (unix_own.c).
 * @ino, @cookie: the socket object (sockfs inode and SO_COOKIE).
 * @vfs_dev, @vfs_ino: the socket file it was bound to; 0 for an abstract
 *                     name.
 * @name, @name_len:   the abstract name (without the leading NUL).
 */
struct netstack_unix_own {
	uint64_t ino;
	uint64_t cookie;
	uint64_t vfs_dev;
	uint64_t vfs_ino;
	char name[NET_UNIX_PATH_MAX + 1];
	size_t name_len;
};

struct netstack {
	const struct zone_tables *tables;
	struct dns_proxy *dns;
	char abstract[NETSTACK_ABSTRACT_MAX][NET_UNIX_PATH_MAX + 1];
	struct policy_abstract abstract_names[NETSTACK_ABSTRACT_MAX];
	size_t n_abstract;
	size_t abstract_next;
	struct netstack_emulated emulated[NETSTACK_EMULATED_MAX];
	size_t n_emulated;
	struct netstack_unix_own unix_own[NETSTACK_UNIX_OWN_MAX];
	size_t n_unix_own;
	struct policy_runtime rt;
	struct policy_addr host_addrs[NETSTACK_HOST_ADDRS_MAX];
	bool host_addrs_loaded;
	struct netstack_socket bound[NETSTACK_LISTENERS_MAX];
	char cwd[4096];
	char tmpdir[4096];
	char xdg_runtime_dir[4096];
	char home[4096];
};

/**
 * netstack_init() - state for a job deciding by @tables (borrowed), in a
 * zero-filled @ns.
 * Reads the placeholder values from @envp (TMPDIR, XDG_RUNTIME_DIR, HOME)
 * and @cwd; the host's addresses wait for the first decision.
 * Return: 0 or -errno.
 */
int netstack_init(struct netstack *ns, const struct zone_tables *tables,
		  char *const *envp, const char *cwd);

/**
 * netstack_host_addrs_load() - read the host's own addresses (getifaddrs)
 * into the runtime facts, once: every decision calls it first, so a job
 * that never uses the network never pays for the netlink dump.
 */
void netstack_host_addrs_load(struct netstack *ns);

/**
 * netstack_note_bound() - the job's socket @ino is bound to @port.
 * @listening: it is also listening now.
 */
void netstack_note_bound(struct netstack *ns, ino_t ino, unsigned proto,
			 uint16_t port, bool listening);

/** netstack_decide_bind() - may the job bind/listen on @e? */
int netstack_decide_bind(struct netstack *ns, const struct net_endpoint *e,
			 unsigned proto, struct policy_decision *out);

/**
 * netstack_decide_unix() - may the job connect to unix socket @path
 * (absolute, resolved) or abstract name?
 */
int netstack_decide_unix(struct netstack *ns, const struct net_endpoint *e,
			 const char *resolved, struct policy_decision *out);

/**
 * netstack_decide_netlink() - may the job send on (or connect) its netlink
 * socket @fd (the supervisor's duplicate) to @e? @e NULL: no name, the
 * socket's connected peer (asked of the kernel, getpeername). @control: the
 * message carries control data. Only NETLINK_ROUTE requests to the kernel
 * are allowed (zone_decide_netlink()).
 *
 * An allowed send must be performed WITHOUT the name: a netlink message
 * with an explicit destination is authorised by the capabilities of the
 * sender alone (the kernel's NETLINK_SKB_DST, since 3.15), and the sender
 * is the supervisor, which may be privileged; without a name it goes to the
 * connected peer (the kernel, checked here) and the kernel also checks the
 * credentials of whoever opened the socket: the job.
 * Return: 0 (verdict in @out).
 */
int netstack_decide_netlink(struct netstack *ns, int fd,
			    const struct net_endpoint *e, bool control,
			    struct policy_decision *out);

/**
 * netstack_note_abstract() - the job bound abstract socket @name (@len
 * bytes, without the leading NUL; any byte, NUL included: names are kept
 * and compared as (bytes, length)). When the table is full the oldest name
 * is forgotten (connects to it are then judged as to an outsider's).
 */
void netstack_note_abstract(struct netstack *ns, const char *name, size_t len);

/*
 * Fds passed over unix sockets (unix_own.c). A unix socket that talks to a
 * peer outside the job gets SO_PASSRIGHTS off before it talks, so nothing
 * outside can hand the job a socket cordon did not allow (a connected TCP
 * socket, a docker.sock connection, ...); between the job's own sockets fd
 * passing works as without cordon. The job cannot turn it back on: the
 * filter answers setsockopt(SO_PASSRIGHTS) with ENOPROTOOPT.
 */

/**
 * netstack_note_unix() - the job's unix socket @fd (the supervisor's
 * duplicate) was just bound: remember it as the job's own. Quietly does
 * nothing when the kernel cannot say what it is bound to; when the table is
 * full, sockets that are gone make room (else the socket is not recorded,
 * and fd passing to it from the job's own clients is refused: never the
 * other way round).
 */
void netstack_note_unix(struct netstack *ns, int fd);

/**
 * netstack_unix_own() - is the socket at unix destination @e the job's
 * own? For a path, @pin is the pinned socket file (O_PATH); for an
 * abstract name, -1. True only when a socket the job bound is alive and
 * still bound to that file or name (asked of the kernel, sock_diag).
 */
bool netstack_unix_own(struct netstack *ns, const struct net_endpoint *e,
		       int pin);

/**
 * netstack_unix_guard() - turn fd passing into the job's unix socket @fd
 * off (SO_PASSRIGHTS = 0) unless destination @e (pinned at @pin, or -1) is
 * the job's own socket. Return: 0, or -errno when it could not be turned off
 * (a kernel before 6.16: the caller must refuse the peer).
 */
int netstack_unix_guard(struct netstack *ns, int fd,
			const struct net_endpoint *e, int pin);

/**
 * netstack_emulate() - socket @cookie now talks to the DNS proxy in place of
 * @peer. Return: 0, or -ENOSPC (then the redirect must not happen).
 */
int netstack_emulate(struct netstack *ns, uint64_t cookie,
		     const struct net_endpoint *peer);

/**
 * netstack_emulated() - the peer socket @cookie believes it talks to, or
 * NULL when it is not redirected. Expires entries idle for
 * NETSTACK_EMULATED_IDLE_S.
 */
const struct net_endpoint *netstack_emulated(struct netstack *ns,
					     uint64_t cookie);

/** netstack_emulating() - whether any socket is redirected right now. */
bool netstack_emulating(const struct netstack *ns);

/* ---------------------------------------------------------------------------
 * The plan for a destination (net_plan.c): what a connect or send from an
 * AF_INET/AF_INET6 socket does. Enforcement and `cordon policy explain` run
 * the same function.
 */

enum net_plan_kind {
	NET_PLAN_PERFORM,      /* perform the call as the job asked */
	NET_PLAN_REDIRECT_DNS, /* perform it towards cordon's DNS proxy */
	NET_PLAN_DENY,	       /* refuse it (NETSTACK_DENY_ERRNO) */
};

/**
 * struct net_plan - a plan and the decision behind it.
 * @d: names the zone and what decided; for NET_PLAN_REDIRECT_DNS the
 *     verdict is allow and the reason POLICY_REASON_DNS_PROXY.
 */
struct net_plan {
	enum net_plan_kind kind;
	struct policy_decision d;
};

/**
 * net_plan_redirects_dns() - whether a destination on @port (host order) is
 * a DNS exchange, which cordon's DNS proxy answers whatever the address.
 */
bool net_plan_redirects_dns(uint16_t port);

/** net_plan_kind_name() - "perform", "redirect-dns", "deny". */
const char *net_plan_kind_name(enum net_plan_kind k);

/**
 * net_plan_dest() - the plan for a connect or send to @c over @c->proto.
 * @t:  the zone's tables (borrowed).
 * @rt: the runtime facts (borrowed, may be NULL); @rt->listeners must hold
 *      only listeners confirmed to be the job's own on @c's address.
 * Pure: never blocks, never allocates; fills *@out completely and fails
 * closed (a malformed request is NET_PLAN_DENY with POLICY_REASON_INVALID).
 * Return: 0.
 */
int net_plan_dest(const struct zone_tables *t, const struct policy_runtime *rt,
		  const struct policy_connect *c, struct net_plan *out);

/**
 * netstack_plan_dest() - net_plan_dest() for the job's destination @e
 * (NET_ENDPOINT_INET) over @proto, with the facts only the running
 * supervisor has: the host's addresses, whether the listener on @e is the
 * job's own right now (sock_diag), the names the DNS proxy pinned to @e's
 * address. A DNS exchange asks for none of them.
 * May block briefly on a netlink query. Return: 0 (plan in *@out).
 */
int netstack_plan_dest(struct netstack *ns, const struct net_endpoint *e,
		       unsigned proto, struct net_plan *out);

/* ---------------------------------------------------------------------------
 * The filtering DNS proxy (dns_proxy.c).
 */

#define DNS_PROXY_EVENTS 64

/**
 * struct dns_proxy_event - one decision or outcome of the proxy, for the
 * supervisor's audit log.
 */
struct dns_proxy_event {
	char name[256];
	uint16_t qtype;
	bool allowed;
	unsigned stripped;
	char what[64];
	char rule[256];
};

/**
 * dns_proxy_new() - open the proxy's loopback sockets (UDP and TCP, IPv4 and
 * IPv6 where available) and its upstream sockets. Upstreams come from the
 * zone, else the host's /etc/resolv.conf. @tables and @rt are borrowed
 * (@rt supplies the host's addresses for rebinding checks).
 * Return: 0 and *@out, or -errno.
 */
int dns_proxy_new(struct dns_proxy **out, const struct zone_tables *tables,
		  const struct policy_runtime *rt);

/** dns_proxy_free() - close everything; NULL is a no-op. */
void dns_proxy_free(struct dns_proxy *p);

/** dns_proxy_fd() - one fd to poll (EPOLLIN: call dns_proxy_run()). */
int dns_proxy_fd(const struct dns_proxy *p);

/**
 * dns_proxy_run() - handle whatever is ready. Never blocks.
 * Return: how many of its sockets and timers had something (0: nothing).
 */
int dns_proxy_run(struct dns_proxy *p);

/**
 * dns_proxy_events() - the events since the last call (the array is reused
 * by the next dns_proxy_run()). Return: their number.
 */
size_t dns_proxy_events(struct dns_proxy *p,
			const struct dns_proxy_event **out);

/**
 * dns_proxy_target() - where a job socket of @sock_family talking @proto to
 * a DNS server is sent instead. @v4_dest: the job addressed an IPv4 (or
 * v4-mapped) server from an AF_INET6 socket.
 */
int dns_proxy_target(const struct dns_proxy *p, int sock_family, bool v4_dest,
		     unsigned proto, struct sockaddr_storage *ss,
		     socklen_t *len);

/** dns_proxy_is_proxy() - whether @sa is one of the proxy's addresses. */
bool dns_proxy_is_proxy(const struct dns_proxy *p, const struct sockaddr *sa,
			socklen_t len);

/**
 * dns_proxy_pinned() - the names the job resolved to @a through the proxy
 * whose pins have not expired (TTL + grace). Return: the number in @names.
 */
size_t dns_proxy_pinned(const struct dns_proxy *p, const struct policy_addr *a,
			const char **names, size_t max);

/* ---------------------------------------------------------------------------
 * Kernel socket tables (sock_diag.c).
 */

/**
 * sock_diag_receiver() - the inode of the socket that would receive a
 * @proto connection or datagram to @dst:@port right now (the kernel's own
 * lookup: a TCP listener, a UDP receiver; v4 addresses also find dual-stack
 * IPv6 sockets). O(1); no dump.
 * Return: 0 and *@ino, -ENOENT when nothing would receive it, or -errno.
 */
int sock_diag_receiver(const struct policy_addr *dst, unsigned proto,
		       uint16_t port, ino_t *ino);

/**
 * struct sock_diag_unix - what the kernel says a unix socket is bound to.
 * @has_vfs:  bound to a file: @vfs_dev (as stat() shows it) and @vfs_ino.
 * @name:     its address (a path, or NUL then an abstract name), @name_len
 *            bytes; 0 when unbound.
 */
struct sock_diag_unix {
	bool has_vfs;
	uint64_t vfs_dev;
	uint64_t vfs_ino;
	char name[NET_UNIX_PATH_MAX + 1];
	size_t name_len;
};

/**
 * sock_diag_unix() - look up the unix socket with inode @ino and SO_COOKIE
 * @cookie (the cookie keeps a recycled inode number from naming another
 * socket). No dump.
 * Return: 0 and *@out, -ENOENT when that socket is gone, or -errno.
 */
int sock_diag_unix(uint64_t ino, uint64_t cookie, struct sock_diag_unix *out);

#endif /* CORDON_NETSTACK_H */
