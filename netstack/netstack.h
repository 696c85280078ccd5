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

/**
 * enum sockaddr_use - what the kernel does with a name: AF_UNSPEC means a
 * different thing to each.
 */
enum sockaddr_use {
	SOCKADDR_CONNECT, /* AF_UNSPEC dissolves the association */
	SOCKADDR_SEND,	  /* AF_UNSPEC: see sockaddr_parse_as() */
	SOCKADDR_BIND,
};

/**
 * sockaddr_parse_as() - parse @len bytes at @p the way the kernel reads them
 * for @use on a socket of family @sock_family. On a send or bind, AF_UNSPEC
 * on an IPv4 socket names the AF_INET address it carries (bind: 0.0.0.0
 * only, else -EAFNOSUPPORT): @p is rewritten to AF_INET and parsed as that;
 * an IPv6 socket sends to its connected peer (*@len becomes 0: no name) and
 * cannot bind it (-EAFNOSUPPORT). @p is the caller's copy of the job's
 * bytes, at least @len long.
 * Return: as sockaddr_parse().
 */
int sockaddr_parse_as(int sock_family, enum sockaddr_use use, uint8_t *p,
		      size_t *len, struct net_endpoint *out);

/**
 * sockaddr_build() - INET endpoint @e as a sockaddr of a @sock_family socket
 * (an IPv4 address v4-mapped for AF_INET6) in *@out.
 * Return: its length.
 */
socklen_t sockaddr_build(const struct net_endpoint *e, int sock_family,
			 struct sockaddr_storage *out);

/**
 * sockaddr_same() - whether two INET sockaddrs name the same address and
 * port (families must match).
 */
bool sockaddr_same(const struct sockaddr_storage *a,
		   const struct sockaddr_storage *b);

/**
 * sockaddr_needs_cwd() - whether @len bytes at @p are a relative unix path,
 * resolved against the caller's working directory.
 */
bool sockaddr_needs_cwd(const uint8_t *p, size_t len);

/* ---------------------------------------------------------------------------
 * The job's network state (netstack.c); the decisions on it are
 * net_plan.c's.
 */

#define NETSTACK_HOST_ADDRS_MAX 256

struct dns_proxy;

/* ---------------------------------------------------------------------------
 * The job's sockets (sock_table.c): one entry per socket object cordon has
 * touched, keyed by its cookie; what the job believes and what is real.
 */

#define NETSTACK_SOCKS_MAX 4096 /* a power of two */
#define NETSTACK_XLATE_IDLE_S 120

/**
 * enum netstack_service_kind - a service netstack runs for the job
 * (service.c), behind one interface: its fd, run, its events.
 * @NETSTACK_SERVICE_DNS: the filtering DNS proxy (dns_proxy.c).
 * @NETSTACK_SERVICE_RELAY: the inspecting TCP relay (relay.c).
 */
enum netstack_service_kind {
	NETSTACK_SERVICE_DNS,
	NETSTACK_SERVICE_RELAY,
	NETSTACK_SERVICE_COUNT,
};

/**
 * struct netstack_sockinfo - what the sentry knows of a job socket it took:
 * plain values, no job memory.
 * @fd:     the supervisor's duplicate (borrowed).
 * @job_fd: the job's number for it (for audit text only).
 * @domain, @type: SO_DOMAIN, SO_TYPE.
 * @proto:  POLICY_PROTO_TCP or POLICY_PROTO_UDP for INET sockets.
 * @cookie: SO_COOKIE (0: unknown; then nothing is recorded). A connect on
 *          a stream socket comes without it (it is needed only for a
 *          redirect, which reads it: netstack_plan_send()).
 */
struct netstack_sockinfo {
	int fd;
	int job_fd;
	int domain;
	int type;
	unsigned proto;
	uint64_t cookie;
};

/**
 * struct netstack_xlate - "redirected to @real, shown as @shown": the
 * socket really talks to @real (a service of netstack's), the job believes
 * it talks to @shown, and what it receives from @real is shown as coming
 * from @shown.
 * @via: the service at @real.
 * @has_local, @local: the local address to show (getsockname) in place of
 *      the real one (the relay: loopback), its port the real one's: the
 *      source address the kernel would pick towards @shown.
 */
struct netstack_xlate {
	bool active;
	enum netstack_service_kind via;
	struct sockaddr_storage real;
	socklen_t real_len;
	struct net_endpoint shown;
	uint64_t last_use_ns;
	bool has_local;
	struct policy_addr local;
};

/**
 * struct netstack_sock - one job socket.
 * @cookie:    SO_COOKIE, the key (0: a free slot).
 * @local:     its local address as the kernel says (getsockname after the
 *             last call the supervisor performed), when @has_local; the job
 *             sees the same.
 * @listening: listen() succeeded on it.
 * @loopback_only: a wildcard bind narrowed to this host: the job sees the
 *             wildcard address it asked for (and gets dual stack), the
 *             kernel delivers it only what arrives on loopback
 *             (netstack_loopback_only()).
 * @peer:      the peer translation, when @peer.active.
 */
struct netstack_sock {
	uint64_t cookie;
	int domain;
	int type;
	unsigned proto;
	bool has_local;
	bool listening;
	bool loopback_only;
	struct net_endpoint local;
	struct netstack_xlate peer;
};

/*
 * Sockets owned from birth (sock_table.c): where pidfd_getfd is refused (a
 * container's default seccomp profile), the supervisor creates the job's
 * sockets itself (socket, socketpair, accept) and keeps a copy of each, found
 * by the sockfs inode the job's fd names (stat of /proc/TID/fd/N, asked by
 * the sentry through the platform). A power of two.
 */
#define NETSTACK_OWNED_MAX 4096

/**
 * struct netstack_owned - one socket owned from birth.
 * @ino: its sockfs inode number (0: a free slot), the key.
 * @dev: the sockfs device (st_dev), checked with @ino.
 * @fd:  the supervisor's copy (owned by the table).
 * @mark: a sweep saw a job fd naming it.
 * @gen: netstack.own_gen when it was added, or NETSTACK_OWN_SPREAD: the
 *       socket may be in more than one fd table of the job (received, or
 *       passed with SCM_RIGHTS).
 * @duped: a job fd naming it was duplicated (dup, dup2, dup3, F_DUPFD*):
 *       its table may hold more than one fd for it.
 */
struct netstack_owned {
	uint64_t ino;
	uint64_t dev;
	int fd;
	bool mark;
	bool duped;
	uint64_t gen;
};

#define NETSTACK_OWN_SPREAD UINT64_MAX

#define NETSTACK_ABSTRACT_MAX 256
#define NETSTACK_UNIX_OWN_MAX 128

/**
 * struct netstack_unix_shield - a sentinel put in place of a job socket's
 * name (unix_listen.c). @pin: O_PATH fd of the file the job's socket is
 * bound to, linked nowhere now; @sentinel: the supervisor's socket bound to
 * the job's name; @sent_dev, @sent_ino: the sentinel's file. Fds are -1
 * when unset.
 */
struct netstack_unix_shield {
	int pin;
	int sentinel;
	uint64_t sent_dev;
	uint64_t sent_ino;
};

/**
 * struct netstack_unix_own - a unix socket the job bound (unix_own.c).
 * @ino, @cookie: the socket object (sockfs inode and SO_COOKIE).
 * @vfs_dev, @vfs_ino: the socket file it was bound to; 0 for an abstract
 *                     name.
 * @name, @name_len:   the abstract name (without the leading NUL).
 * @abstract:          the job bound @name (the socket itself may be bound
 *                     to a private file: @shielded).
 * @shielded, @sh:     a stream or seqpacket socket whose name leads to the
 *                     sentinel @sh, not to it (unix_listen.c); the table
 *                     owns @sh's fds.
 */
struct netstack_unix_own {
	uint64_t ino;
	uint64_t cookie;
	uint64_t vfs_dev;
	uint64_t vfs_ino;
	char name[NET_UNIX_PATH_MAX + 1];
	size_t name_len;
	bool abstract;
	bool shielded;
	struct netstack_unix_shield sh;
};

struct relay;

/*
 * The egress quota (quota.c; limit egress): the bytes the job sends out of
 * the sandbox through the relay (every TCP connect leaving it, in a zone
 * with the limit) and through mediated UDP sends. @limit (0: none), @kill
 * and @rule are set before any thread starts and read-only after; @used,
 * @refused and @reached are atomics, drawn from by the relay's thread and
 * the supervisor's threads without a lock.
 * @kill:    reaching it kills the tree (egress-overflow kill), else further
 *           sends are refused (ECONNRESET on relayed streams, EDQUOT on
 *           connects and UDP sends).
 * @rule:    "limit egress 1.0 MiB" for audit records.
 * @used:    bytes sent (the report's peak).
 * @refused: sends and connects refused at the quota; @reached: one was.
 */
struct netstack_quota {
	uint64_t limit;
	bool kill;
	char rule[64];
	uint64_t used;
	uint64_t refused;
	bool reached;
};

/**
 * netstack_quota_take() - reserve up to @want bytes of @q before sending
 * them. Return: the bytes granted (@want when there is no limit; 0 when
 * the quota is spent). Give back what was not sent. Any thread.
 */
uint64_t netstack_quota_take(struct netstack_quota *q, uint64_t want);

/** netstack_quota_take_all() - reserve exactly @n bytes, or nothing. */
bool netstack_quota_take_all(struct netstack_quota *q, uint64_t n);

/** netstack_quota_give() - @n reserved bytes were not sent after all. */
void netstack_quota_give(struct netstack_quota *q, uint64_t n);

/** netstack_quota_refuse() - a send was refused at the quota: count it. */
void netstack_quota_refuse(struct netstack_quota *q);

/** netstack_quota_spent() - whether a limit is set and nothing is left. */
bool netstack_quota_spent(const struct netstack_quota *q);

/** netstack_quota_used() - the bytes sent so far. */
uint64_t netstack_quota_used(const struct netstack_quota *q);

/** netstack_quota_reached() - whether a send was refused at the quota. */
bool netstack_quota_reached(const struct netstack_quota *q);

struct netstack {
	const struct zone_tables *tables;
	struct dns_proxy *dns; /* NETSTACK_SERVICE_DNS, once started */
	struct relay *relay;   /* NETSTACK_SERVICE_RELAY, once started */
	struct netstack_quota quota;
	char abstract[NETSTACK_ABSTRACT_MAX][NET_UNIX_PATH_MAX + 1];
	struct policy_abstract abstract_names[NETSTACK_ABSTRACT_MAX];
	size_t n_abstract;
	size_t abstract_next;
	struct netstack_unix_own unix_own[NETSTACK_UNIX_OWN_MAX];
	size_t n_unix_own;
	bool passrights; /* the kernel has SO_PASSRIGHTS (set by the sentry) */
	bool unix_guard; /* unix receives are the supervisor's (unix_rights.c)
			  */
	struct policy_runtime rt;
	struct policy_addr host_addrs[NETSTACK_HOST_ADDRS_MAX];
	bool host_addrs_loaded;
	struct netstack_sock socks[NETSTACK_SOCKS_MAX];
	size_t n_socks;
	size_t n_xlate; /* entries with an active translation */
	uint64_t xlate_swept_ns;
	uint64_t xlate_idle_ns;	 /* 0: not read yet (sock_table.c, 3.3) */
	uint64_t n_xlate_checks; /* liveness dumps for idle translations */
	uint64_t n_prunes;
	struct netstack_owned owned[NETSTACK_OWNED_MAX];
	size_t n_owned;
	/*
	 * Counts the events that may put a job socket in one more fd table
	 * (netstack_own_spread()); own_one_off: one happened that the count
	 * cannot follow, so netstack_own_one_table() answers false from now.
	 */
	uint64_t own_gen;
	bool own_one_off;
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
 * netstack_sock_find() - the entry of socket @cookie, or NULL.
 */
struct netstack_sock *netstack_sock_find(struct netstack *ns, uint64_t cookie);

/**
 * netstack_sock_add() - the entry of socket @k, made if there is none.
 * Return: the entry, or NULL when @k has no cookie or the table is full of
 * live sockets (the caller fails closed: an unrecorded socket is not the
 * job's own).
 */
struct netstack_sock *netstack_sock_add(struct netstack *ns,
					const struct netstack_sockinfo *k);

/**
 * netstack_own_add() - socket @fd (the supervisor's copy of one it created
 * for the job; the table takes it, also on failure) is owned from birth.
 * Return: 0, or -ENOSPC when NETSTACK_OWNED_MAX copies are held (the caller
 * refuses the creation: fail closed), -errno when @fd cannot be fstat()ed.
 */
int netstack_own_add(struct netstack *ns, int fd);

/**
 * netstack_own_add_new() - as netstack_own_add(), for socket @fd the
 * supervisor has just created (@st its fstat()), without a second fstat():
 * the table takes @fd only on success (0); on failure the caller still owns
 * it: -ENOSPC (table full) or -EEXIST (already held, which a new socket
 * cannot be). Lets the supervisor keep the very fd it installs into the job
 * (ADDFD copies the file) instead of a duplicate.
 */
struct stat;
int netstack_own_add_new(struct netstack *ns, int fd, const struct stat *st);

/**
 * netstack_own_add_spread() - as netstack_own_add(), for a socket that may
 * be in other fd tables of the job already (one the supervisor received for
 * it): its entry, a new one or the one held, never counts as in one table.
 */
int netstack_own_add_spread(struct netstack *ns, int fd);

/**
 * netstack_own_spread() - an fd table of the job may have been copied (a
 * fork, a clone without CLONE_FILES) or an owned socket passed to another
 * one (SCM_RIGHTS): every socket owned so far may now be in more than the
 * one table it was installed into. @forever: an event after which tables
 * may be copied without the supervisor seeing it (a clone sharing the
 * table with another process: its exec copies the table), so no socket
 * counts as in one table again.
 */
void netstack_own_spread(struct netstack *ns, bool forever);

/**
 * netstack_own_one_table() - whether socket @dev/@ino, owned, can be in no
 * fd table but the one it was installed into: nothing that spreads sockets
 * (netstack_own_spread()) happened since it was added. Then the job's
 * processes that may hold it are exactly the ones using the table of the
 * thread that still names it, and one read of that table tells whether
 * another fd names it (sys_sock.c, 4). False when not owned.
 */
bool netstack_own_one_table(const struct netstack *ns, uint64_t dev,
			    uint64_t ino);

/**
 * netstack_own_duped() - a job fd naming owned socket @dev/@ino is being
 * duplicated (no-op when not owned).
 * netstack_own_lone() - whether owned socket @dev/@ino has exactly one fd
 * in the job: netstack_own_one_table() and never duplicated. It is born
 * with one fd (ADDFD installs one), and every way to a second one is
 * notified where sockets are owned from birth: a close of that fd is then
 * its last, known without reading any fd table.
 */
void netstack_own_duped(struct netstack *ns, uint64_t dev, uint64_t ino);
bool netstack_own_lone(const struct netstack *ns, uint64_t dev, uint64_t ino);

/**
 * netstack_own_find() - the supervisor's copy of the owned socket with
 * sockfs inode @ino on device @dev (borrowed), or -1 when cordon holds none
 * (not born under cordon: inherited, received from outside, or released).
 */
int netstack_own_find(const struct netstack *ns, uint64_t dev, uint64_t ino);

/**
 * netstack_own_release() - close the copy of @dev/@ino (the job holds it no
 * more: its last close reaches the kernel, a TCP peer sees FIN). No-op when
 * it is not held.
 */
void netstack_own_release(struct netstack *ns, uint64_t dev, uint64_t ino);

/**
 * netstack_own_sweep_begin() - start a sweep: clear every mark.
 * netstack_own_mark() - a job fd names socket inode @ino: keep it.
 * netstack_own_sweep_end() - release every copy left unmarked.
 * The sentry walks the job's fd tables between begin and end (only a
 * complete walk may end a sweep; an incomplete one must not call end).
 * Return (end): how many copies were released.
 */
void netstack_own_sweep_begin(struct netstack *ns);
void netstack_own_mark(struct netstack *ns, uint64_t ino);
size_t netstack_own_sweep_end(struct netstack *ns);

/** netstack_own_fini() - close every copy. */
void netstack_own_fini(struct netstack *ns);

/**
 * netstack_sock_learn() - after the supervisor performed a call on INET
 * socket @k: ask the kernel what the socket is bound to now (getsockname
 * on @k->fd) and record it, so that a port bound implicitly (sendto,
 * connect, bind(port 0), listen) is known as the job's. @listening: listen()
 * just succeeded. A socket without a port is not recorded.
 * Return: the entry, or NULL.
 */
struct netstack_sock *netstack_sock_learn(struct netstack *ns,
					  const struct netstack_sockinfo *k,
					  bool listening);

/**
 * netstack_sock_redirect() - socket @k now talks to @real (@real_len
 * bytes), a service of netstack's, while the job believes it talks to
 * @shown. Return: 0, or -ENOSPC (then the redirect must not happen).
 */
int netstack_sock_redirect(struct netstack *ns,
			   const struct netstack_sockinfo *k,
			   enum netstack_service_kind via,
			   const struct sockaddr_storage *real,
			   socklen_t real_len,
			   const struct net_endpoint *shown);

/**
 * netstack_sock_translated() - the entry of socket @cookie if its peer is
 * translated, else NULL. A translation lasts as long as its socket: those
 * idle for NETSTACK_XLATE_IDLE_S (CORDON_TEST_XLATE_IDLE_MS in tests) are
 * looked for among the host's live sockets (one sock_diag dump, at most
 * once a second) and only the ones whose socket is gone are dropped.
 */
const struct netstack_sock *netstack_sock_translated(struct netstack *ns,
						     uint64_t cookie);

/** netstack_translating() - whether any socket is translated right now. */
bool netstack_translating(const struct netstack *ns);

/**
 * netstack_sock_shown_source() - the source address to show the job for a
 * message its translated socket @e received from @from (@len bytes): the
 * shown peer when it came from the real one, else @from unchanged.
 * Return: the length of *@out.
 */
socklen_t netstack_sock_shown_source(const struct netstack_sock *e,
				     const struct sockaddr_storage *from,
				     socklen_t len,
				     struct sockaddr_storage *out);

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

/*
 * Unix listeners that accept only the job (unix_listen.c). The name a
 * job's stream or seqpacket socket binds leads to a sentinel socket of the
 * supervisor that never listens: a process outside the job that connects to
 * it gets ECONNREFUSED. The job's own connects, which the supervisor
 * performs, go to the job's socket through a pinned file linked nowhere.
 * accept() stays in the kernel.
 */

/**
 * netstack_unix_shield_path() - the job's stream or seqpacket socket @fd
 * (the supervisor's duplicate) was just bound to @path: put a sentinel
 * socket in its place (the same directory and name) and keep the socket's
 * own file pinned, linked nowhere, in *@sh (owned by the caller until
 * netstack_unix_shield_adopt()). Call it where @path means what it meant
 * to the job's bind: the job's cwd and umask (threadfs).
 * Return: 0, or -errno (*@sh empty: the socket is not shielded and
 * listen() on it will be refused).
 */
int netstack_unix_shield_path(int fd, const char *path,
			      struct netstack_unix_shield *sh);

/**
 * netstack_unix_shield_adopt() - hand *@sh (from netstack_unix_shield_path())
 * to the entry of the job's own socket @k (netstack_performed() made it);
 * without such an entry the shield's fds are closed. *@sh is empty after.
 */
void netstack_unix_shield_adopt(struct netstack *ns,
				const struct netstack_sockinfo *k,
				struct netstack_unix_shield *sh);

/**
 * netstack_unix_bind_abstract() - bind the job's stream or seqpacket
 * socket @k to the abstract name @name (@len bytes, without the leading
 * NUL) so that only the job reaches it: a sentinel of the supervisor takes
 * the name, the socket is bound to a private file that is then unlinked
 * (getsockname() shows that file's path, not the name). Records the socket
 * as the job's own.
 * Return: 0 or -errno as bind() would fail (EADDRINUSE: the name is taken;
 * EINVAL: the socket is bound already); nothing is bound on failure.
 */
int netstack_unix_bind_abstract(struct netstack *ns,
				const struct netstack_sockinfo *k,
				const char *name, size_t len);

/**
 * netstack_unix_shield_for() - where a connect or send to unix destination
 * @e really goes: for a path (@pin: the pinned file, O_PATH) or an abstract
 * name whose socket is a live shielded job socket, a new O_PATH fd of that
 * socket's own file (owned by the caller); else -1.
 */
int netstack_unix_shield_for(struct netstack *ns, const struct net_endpoint *e,
			     int pin);

/**
 * netstack_unix_listen_shielded() - may the job's unix socket @k listen?
 * True for a socket that is not bound yet (the kernel refuses the listen)
 * and for a shielded one; false for one bound without a shield (an
 * autobound name, a shield that could not be set up): anything could
 * connect to it.
 */
bool netstack_unix_listen_shielded(struct netstack *ns,
				   const struct netstack_sockinfo *k);

/**
 * netstack_unix_own_fini() - close the fds of every shield (the sentinels
 * release their names).
 */
void netstack_unix_own_fini(struct netstack *ns);

/**
 * netstack_unix_own() - is the socket at unix destination @e the job's
 * own? For a path, @pin is the pinned socket file (O_PATH); for an
 * abstract name, -1. True only when a socket the job bound is alive and
 * still bound to that file or name (asked of the kernel, sock_diag).
 */
bool netstack_unix_own(struct netstack *ns, const struct net_endpoint *e,
		       int pin);

/**
 * netstack_unix_guard() - the job's unix socket @fd is about to talk to
 * destination @e (pinned at @pin, or -1). Turns the receive guard on
 * (unix_rights_guard_on()) and, unless @e is the job's own socket and where
 * the kernel has it (@ns->passrights, 6.16), turns fd passing into @fd off
 * (SO_PASSRIGHTS = 0) so that the sender's sendmsg() fails. Without it the
 * receive guard alone refuses what comes from outside.
 * Return: 0, or -errno when SO_PASSRIGHTS could not be turned off.
 */
int netstack_unix_guard(struct netstack *ns, int fd,
			const struct net_endpoint *e, int pin);

/* ---------------------------------------------------------------------------
 * Fds received from outside the job (unix_rights.c).
 */
#define UNIX_RIGHTS_FDS_MAX 253	    /* SCM_MAX_FD */
#define UNIX_RIGHTS_DROP (-1000000) /* an SCM_PIDFD the job does not get */

/**
 * struct unix_rights_rx - what a control buffer the supervisor received
 * holds. @fds: SCM_RIGHTS fds (supervisor fds, owned by whoever parsed);
 * @has_cred, @pid: SCM_CREDENTIALS' pid; @has_pidfd, @pidfd: SCM_PIDFD (a
 * negative errno when the kernel could not make one).
 */
struct unix_rights_rx {
	int fds[UNIX_RIGHTS_FDS_MAX];
	size_t n_fds;
	bool has_cred;
	pid_t pid;
	bool has_pidfd;
	int pidfd;
};

/**
 * struct unix_rights_out - what the job gets in place of it. @fds, @n_fds:
 * the fd numbers installed in the job, in order (0 when refused);
 * @refused: fds were closed (MSG_CTRUNC, as when the kernel drops fds);
 * @keep_cred: the job itself asked for SCM_CREDENTIALS (SO_PASSCRED);
 * @pidfd: the job's number for the SCM_PIDFD, or UNIX_RIGHTS_DROP.
 */
struct unix_rights_out {
	const int *fds;
	size_t n_fds;
	bool refused;
	bool keep_cred;
	int pidfd;
};

/** unix_rights_guard_on() - from now on, unix receives are guarded. */
void unix_rights_guard_on(struct netstack *ns);

/**
 * unix_rights_guarding() - must the supervisor perform the job's
 * recvmsg()/recvmmsg() on unix sockets? False until the job holds a unix
 * socket anything outside could reach (see unix_rights.c).
 */
bool unix_rights_guarding(const struct netstack *ns);

/**
 * unix_rights_parse() - read the control buffer @p (@len bytes, as the
 * kernel's recvmsg() left it) into @rx. Bounded; stops at the first cmsghdr
 * that does not fit. Return: 0, or -E2BIG (more fds than SCM_MAX_FD: the
 * caller must close them all and refuse).
 */
int unix_rights_parse(const uint8_t *p, size_t len, struct unix_rights_rx *rx);

/**
 * unix_rights_build() - write the job's control data for the received @p
 * into @out (@cap bytes: the job's msg_controllen), as the kernel would
 * have: the SCM_RIGHTS of @o only (as many as fit; *@n_fit says how many),
 * SCM_CREDENTIALS only with @o->keep_cred, SCM_PIDFD as @o->pidfd, every
 * other message copied; what does not fit sets MSG_CTRUNC in *@msg_flags.
 * Call it once with the fds still to install to learn *@n_fit, install
 * that many, then again with their job numbers.
 * Return: the bytes used (the job's new msg_controllen).
 */
size_t unix_rights_build(const uint8_t *p, size_t len,
			 const struct unix_rights_out *o, uint8_t *out,
			 size_t cap, size_t *n_fit, int *msg_flags);

/* ---------------------------------------------------------------------------
 * The plan for a destination (net_plan.c): what a connect or send from an
 * AF_INET/AF_INET6 socket does. Enforcement (netstack_plan_send()) and
 * `cordon policy explain` run the same function.
 */

enum net_plan_kind {
	NET_PLAN_PERFORM,      /* perform the call as the job asked */
	NET_PLAN_REDIRECT_DNS, /* perform it towards cordon's DNS proxy */
	NET_PLAN_DENY,	       /* refuse it (NETSTACK_DENY_ERRNO) */
	NET_PLAN_DROP,	       /* UDP to a local port nothing receives on:
				* "sent" and dropped, as the kernel would */
	NET_PLAN_REFUSED,      /* TCP to a local port nothing listens on:
				* ECONNREFUSED, as the kernel would */
};

/**
 * enum net_plan_relay - whether an allowed TCP connect goes through the
 * inspecting relay (relay.c), and why.
 * @NET_PLAN_RELAY_NONE: direct (an address rule, the job's own loopback).
 * @NET_PLAN_RELAY_NAME: a hostname rule allowed it: the relay checks the
 *                       TLS SNI or HTTP Host (RELAY_CHECK_NAME).
 * @NET_PLAN_RELAY_PIN:  a hostname rule naming this one port explicitly
 *                       (not 80, not 443): relayed after the pin check
 *                       alone (RELAY_CHECK_PIN).
 */
enum net_plan_relay {
	NET_PLAN_RELAY_NONE,
	NET_PLAN_RELAY_NAME,
	NET_PLAN_RELAY_PIN,
};

/**
 * struct net_plan - a plan and the decision behind it.
 * @d: names the zone and what decided; for NET_PLAN_REDIRECT_DNS the
 *     verdict is allow and the reason POLICY_REASON_DNS_PROXY.
 * @relay: for NET_PLAN_PERFORM over TCP: performed towards the relay.
 */
struct net_plan {
	enum net_plan_kind kind;
	struct policy_decision d;
	enum net_plan_relay relay;
};

/**
 * net_plan_relay_of() - whether the allowing decision @d of a @proto
 * connect to @port puts it through the relay, and with which check.
 */
enum net_plan_relay net_plan_relay_of(const struct policy_decision *d,
				      unsigned proto, uint16_t port);

/**
 * net_plan_rule_relay() - what the relay does with the TCP connects rule
 * @r allows, for `policy show` (net_plan_relay_of() asks the same of the
 * rule behind a decision): NET_PLAN_RELAY_NAME or _PIN for an allow rule
 * naming a host (exact or "*.suffix") whose protocol covers TCP,
 * NET_PLAN_RELAY_NONE for every other rule.
 */
enum net_plan_relay net_plan_rule_relay(const struct policy_rule *r);

/**
 * net_plan_relay_name() - "direct", "sni-host", "pin-only": the word for
 * @k in `policy explain --json` and `policy show`.
 */
const char *net_plan_relay_name(enum net_plan_relay k);

/**
 * net_plan_egress_counted() - what `limit egress` counts and what it does
 * not, one sentence (`policy show`, docs/limits.md).
 */
const char *net_plan_egress_counted(void);

/**
 * net_plan_relay_what() - one sentence for @k: what the relay checks on
 * such a connect before a byte leaves ("" for NET_PLAN_RELAY_NONE).
 */
const char *net_plan_relay_what(enum net_plan_relay k);

/**
 * net_plan_zone_translates() - whether a job in zone @z can hold a socket
 * whose real peer or local address is not the one the job believes, other
 * than one redirected to the DNS proxy: the zone has an allowing hostname
 * rule that can cover TCP, whose connects net_plan_relay_of() puts through
 * the relay. The filter notifies getsockname() and getpeername() only then
 * (FILTER_SOCKNAMES, sentry.h), so that a zone without such rules pays no
 * round trip for them. A later translating service (a private loopback, a
 * gateway) must make this true for the zones it serves. @z NULL: false.
 */
bool net_plan_zone_translates(const struct zone *z);

/**
 * net_plan_redirects_dns() - whether a destination on @port (host order) is
 * a DNS exchange, which cordon's DNS proxy answers whatever the address.
 */
bool net_plan_redirects_dns(uint16_t port);

/**
 * net_plan_unspec_dest() - where the kernel really sends a connect or send
 * to the unspecified address (0.0.0.0, ::ffff:0.0.0.0, ::): this host.
 * IPv4 (ip_route_connect(), ip_route_output_key_hash_rcu()): the socket's
 * own bound address @bound when it has one, else 127.0.0.1; IPv6
 * (tcp_v6_connect(), udpv6_sendmsg(), "BSD'ism"): ::1. The spelling (v4,
 * v4-mapped) stays. @bound may be NULL (unbound, or unknown).
 * Return: true when *@a was unspecified and has been rewritten.
 */
bool net_plan_unspec_dest(struct policy_addr *a,
			  const struct policy_addr *bound);

/**
 * net_plan_listen_narrows() - whether a listen on @a that the zone decided
 * as @d is performed narrowed to this host instead (issue 13, defect 4):
 * a wildcard address (0.0.0.0, ::, ::ffff:0.0.0.0) in a zone whose listen
 * mode does not allow it beyond loopback. Run (net_plan.c) and explain both
 * ask this; then the verdict is POLICY_VERDICT_LOOPBACK.
 */
bool net_plan_listen_narrows(const struct policy_decision *d,
			     const struct policy_addr *a);

/**
 * net_plan_kind_name() - "perform", "redirect-dns", "deny", "drop",
 * "refused".
 */
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

/* ---------------------------------------------------------------------------
 * The plan for one socket call (net_plan.c): what the sentry performs for a
 * connect, send, bind or listen of the job. The sentry copies the job's
 * bytes once and hands them in with what it knows of the socket; netstack
 * parses them, asks the zone (net_plan_dest() for internet destinations,
 * the unix and listen decisions), pins a unix socket file, redirects to its
 * services, and says what to perform with which address.
 */

/**
 * enum netstack_plan_kind - what the sentry does.
 * @NETSTACK_PLAN_PERFORM:  perform the call with @addr (@addr_len 0: no
 *                          name, the connected peer).
 * @NETSTACK_PLAN_REDIRECT: perform it with @addr, service @via's address:
 *                          the socket table shows the job what it asked.
 * @NETSTACK_PLAN_DENY:     refuse with @err: a denial (zone or rule).
 * @NETSTACK_PLAN_INVALID:  the kernel would refuse it the same way (@err).
 * @NETSTACK_PLAN_FAIL:     cordon cannot do it safely (@err): fail closed.
 * @NETSTACK_PLAN_DROP:     a send nothing would receive: answer the length
 *                          as sent, send nothing (NET_PLAN_DROP).
 * @NETSTACK_PLAN_REFUSED:  a connect nothing would accept: answer @err
 *                          (ECONNREFUSED) without connecting.
 */
enum netstack_plan_kind {
	NETSTACK_PLAN_PERFORM,
	NETSTACK_PLAN_REDIRECT,
	NETSTACK_PLAN_DENY,
	NETSTACK_PLAN_INVALID,
	NETSTACK_PLAN_FAIL,
	NETSTACK_PLAN_DROP,
	NETSTACK_PLAN_REFUSED,
};

/**
 * struct netstack_plan - a plan and what it rests on.
 * @why:      the reason when no zone decided (static text).
 * @d:        the zone's decision when @has_decision.
 * @dest:     the destination the job named, when @has_dest; @proto its
 *            protocol name ("tcp", "udp", "unix", "unix-dgram"; static).
 * @detail:   the call's argument as text, for the audit record.
 * @addr:     what to perform with (@addr_len bytes): the job's bytes, or a
 *            service's address, or a pinned unix file through /proc/self/fd.
 * @pin:      the pinned unix socket file (O_PATH), -1; @addr needs it until
 *            the call is performed: netstack_plan_done() closes it.
 * @via:      REDIRECT: the service; @service_started: this plan started
 *            it (the caller polls it from now on, whatever the kind);
 *            @service_due: traffic for @via follows this call.
 * @unix_path: BIND: a unix path, bound relative to the job's cwd with the
 *            job's umask (the sentry's part).
 * @unix_abstract: BIND: an abstract name for a stream or seqpacket socket:
 *            bound through netstack_unix_bind_abstract().
 * @narrowed: BIND/LISTEN: a wildcard listen in a zone that allows listening
 *            on loopback only, performed as asked on a socket that accepts
 *            loopback peers only (an audit event, not a denial); @d is the
 *            zone's listen decision. @bind_device: the sentry binds the
 *            socket to loopback first (netstack_narrow()); false when it is
 *            already.
 */
struct netstack_plan {
	enum netstack_plan_kind kind;
	int err;
	const char *why;
	bool has_decision;
	struct policy_decision d;
	bool has_dest;
	struct net_endpoint dest;
	const char *proto;
	char detail[600];
	uint8_t addr[128];
	size_t addr_len;
	int pin;
	enum netstack_service_kind via;
	bool service_started;
	bool service_due;
	bool unix_path;
	bool unix_abstract;
	bool narrowed;
	bool bind_device;
};

/**
 * netstack_plan_send() - the plan for a connect (@use SOCKADDR_CONNECT) or
 * a send (SOCKADDR_SEND) on socket @k to the @len bytes at @p (0: no name,
 * the connected peer). @control: the message carries control data (netlink
 * refuses it). @cwd: the job's working directory, needed only when
 * sockaddr_needs_cwd() (else NULL). May set SO_PASSRIGHTS off on @k->fd
 * (unix peers outside the job), start a service, record a redirect in the
 * socket table; may block briefly on netlink queries.
 * Return: 0 (*@out filled; netstack_plan_done() after performing).
 */
int netstack_plan_send(struct netstack *ns, const struct netstack_sockinfo *k,
		       const uint8_t *p, size_t len, enum sockaddr_use use,
		       bool control, const char *cwd,
		       struct netstack_plan *out);

/**
 * netstack_plan_bind() - the plan for bind() of @k to the @len bytes at @p:
 * the zone's listen mode for INET (an ephemeral port is judged at listen),
 * a unix path bound by the sentry in the job's cwd, anything else as asked.
 * Return: 0 (*@out filled).
 */
int netstack_plan_bind(struct netstack *ns, const struct netstack_sockinfo *k,
		       const uint8_t *p, size_t len, struct netstack_plan *out);

/**
 * netstack_plan_listen() - the plan for listen() on @k, judged on what the
 * socket is bound to now (getsockname): an unbound one would be bound by the
 * kernel to the wildcard address. @addr_len > 0: bind @k to @addr first.
 * Return: 0 (*@out filled).
 */
int netstack_plan_listen(struct netstack *ns, const struct netstack_sockinfo *k,
			 struct netstack_plan *out);

/** enum netstack_did - which call the sentry performed. */
enum netstack_did {
	NETSTACK_DID_BIND,
	NETSTACK_DID_LISTEN,
	NETSTACK_DID_SEND, /* a connect or a send */
};

/**
 * netstack_performed() - after the sentry performed call @did on @k (@ok:
 * the kernel took it; @plan: its plan, or NULL for a send): record what the
 * kernel says the socket is now - the port a UDP socket or a TCP listener
 * holds (netstack_sock_learn()), a unix name the job owns.
 */
void netstack_performed(struct netstack *ns, const struct netstack_sockinfo *k,
			const struct netstack_plan *plan, bool ok,
			enum netstack_did did);

/* The loopback device's index in every network namespace (the kernel's
 * LOOPBACK_IFINDEX). */
#define NETSTACK_LOOPBACK_IFINDEX 1

/**
 * netstack_loopback_only() - make INET socket @fd (the supervisor's
 * duplicate of the job's) take only what arrives on the loopback device:
 * SO_BINDTOIFINDEX to it (Linux 5.0; without CAP_NET_RAW since 5.7, and
 * only while the socket is bound to no device, so the job cannot undo it).
 * The kernel's socket lookup then skips the socket for packets from any
 * other device: a remote SYN finds no listener and is reset, a remote
 * datagram finds no receiver. Local traffic, to loopback or to the host's
 * own addresses, always arrives on loopback. Call before the socket is
 * bound or listens.
 * Return: 0, or -errno (-EPERM: bound to another device already, or a
 * kernel before 5.7; the caller must then refuse the call).
 */
int netstack_loopback_only(int fd);

/**
 * netstack_narrow() - netstack_loopback_only() on @k, recorded in the socket
 * table (a later listen() of that socket need not do it again).
 * Return: as netstack_loopback_only().
 */
int netstack_narrow(struct netstack *ns, const struct netstack_sockinfo *k);

/** netstack_plan_done() - release what @plan holds (the pinned file). */
void netstack_plan_done(struct netstack_plan *plan);

/**
 * netstack_unix_pin() - pin the unix socket file at @path as a process in
 * @cwd sees it (relative paths joined to @cwd, every symlink followed), O_PATH,
 * so that what is judged and what is connected to are one inode whatever
 * the job renames afterwards. @actual gets the pinned file's path.
 * Return: an O_PATH fd, or -errno (ENOENT: nothing there; ECONNREFUSED: not
 * a socket, as connect() says).
 */
int netstack_unix_pin(const char *cwd, const char *path, char *actual,
		      size_t len);

/* ---------------------------------------------------------------------------
 * Services netstack runs for the job (service.c): the DNS proxy today, the
 * relay next. Each is one fd for the supervisor's loop to poll (one epoll
 * tag, the kind in its index), one run() when it is readable, and the
 * events it decided, for the audit log. Started at first use; held here
 * only (struct netstack).
 */

/**
 * struct netstack_event - one decision or outcome of a service, for the
 * supervisor's audit log.
 * @service: which one.
 * @name:    what it is about (the name looked up).
 * @qtype:   the DNS query type (DNS only).
 * @allowed: the zone allowed it; @stripped: answers removed from it.
 * @what:    the outcome ("forwarded", "NXDOMAIN", ...).
 * @rule:    the decision, formatted (empty: none).
 * @seen:    RELAY: what the name in @name is ("sni", "host", "" none).
 * @dest:    RELAY: the destination ("192.0.2.1:443"), or the refused
 *           local client's address.
 * @bytes_out, @bytes_in: RELAY: what the connection carried, when it
 *           closed (bytes_out: the job's egress).
 */
struct netstack_event {
	enum netstack_service_kind service;
	char name[256];
	uint16_t qtype;
	bool allowed;
	unsigned stripped;
	char what[128];
	char rule[256];
	char seen[8];
	char dest[64];
	uint64_t bytes_out;
	uint64_t bytes_in;
};

/**
 * netstack_service_start() - start service @k unless it runs already.
 * Return: 1 when it was started now (poll netstack_service_fd() from now
 * on), 0 when it ran already, or -errno (the caller must fail closed).
 */
int netstack_service_start(struct netstack *ns, enum netstack_service_kind k);

/** netstack_service_stop() - stop @k (a start the caller cannot poll). */
void netstack_service_stop(struct netstack *ns, enum netstack_service_kind k);

/** netstack_service_running() - whether @k runs. */
bool netstack_service_running(const struct netstack *ns,
			      enum netstack_service_kind k);

/** netstack_service_fd() - the fd to poll for @k (EPOLLIN), or -1. */
int netstack_service_fd(const struct netstack *ns,
			enum netstack_service_kind k);

/**
 * netstack_service_run() - let @k handle whatever is ready. Never blocks.
 * Return: how many of its sockets and timers had something (0: nothing).
 */
int netstack_service_run(struct netstack *ns, enum netstack_service_kind k);

/**
 * netstack_service_events() - @k's events since the last call (the array
 * is reused by the next run). Return: their number.
 */
size_t netstack_service_events(struct netstack *ns,
			       enum netstack_service_kind k,
			       const struct netstack_event **out);

/** netstack_fini() - stop every service. */
void netstack_fini(struct netstack *ns);

/* ---------------------------------------------------------------------------
 * The filtering DNS proxy (dns_proxy.c).
 */

#define DNS_PROXY_EVENTS 64

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
size_t dns_proxy_events(struct dns_proxy *p, const struct netstack_event **out);

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
 * The inspecting relay (relay.c): a TCP connect the zone allows by a
 * hostname rule is performed towards the relay's loopback listener instead
 * of the destination; the relay reads the first bytes the job sends, checks
 * the TLS SNI or HTTP Host against the zone and the names the job resolved
 * to that address, and only then connects to the destination and moves
 * the bytes both ways with splice(2).
 *
 * Threads: the relay runs its own thread (relay_main), which alone owns its
 * epoll fd, its listeners and every relayed connection. The supervisor's
 * threads (under s->lock) call relay_register() and relay_events(); those
 * touch only the registrations and the event queue, under the relay's own
 * mutex (struct relay's @mu). The relay never takes s->lock: a 1 GiB
 * transfer runs beside the notification handling, never in front of it.
 */

#define RELAY_NAMES_MAX 16     /* pinned names kept per registration */
#define RELAY_REGS_MAX 256     /* connects registered, not yet accepted */
#define RELAY_REG_TTL_S 10     /* a registration nobody connected for */
#define RELAY_HEAD_MAX 18432   /* first bytes read (TLS_HELLO_BUF_MAX) */
#define RELAY_INSPECT_MS 10000 /* the first bytes must be in by then */
#define RELAY_PIPE_SIZE 262144 /* F_SETPIPE_SZ, each direction */
#define RELAY_POOL_MAX 64      /* empty pipes kept to lend */
#define RELAY_CONNS_MAX 16384  /* relayed connections at once */
#define RELAY_EVENTS_MAX 1024  /* queued for the supervisor's audit */

/**
 * enum relay_check - what the relay checks before a byte leaves.
 * @RELAY_CHECK_NAME: TLS SNI or HTTP/1.x Host must name an allowed,
 *                    pinned name (the rule's port is 80 or 443, or a range).
 * @RELAY_CHECK_PIN:  the rule names this one port explicitly (ssh :22,
 *                    git :9418, ...): relayed after the pin check alone,
 *                    without waiting for the job's first bytes.
 */
enum relay_check {
	RELAY_CHECK_NAME,
	RELAY_CHECK_PIN,
};

/**
 * struct relay_reg - a job socket the supervisor is about to connect to the
 * relay, registered before the connect is performed.
 * @family, @addr, @port: the socket's local address as the relay will see
 *            its peer (@addr: 4 or 16 bytes of @family; @port host order).
 * @cookie:   the job socket's SO_COOKIE: an accepted peer is the job's only
 *            if the kernel says the connecting socket has this cookie.
 * @dest, @dest_len: where the relay connects on the job's behalf.
 * @shown:    the destination as the job named it (for the audit text).
 * @check:    what the relay checks.
 * @rule:     the allowing decision, formatted.
 * @names:    the names the job resolved through cordon's DNS proxy to
 *            @dest's address (at connect time), @n_names of them.
 */
struct relay_reg {
	int family;
	uint8_t addr[16];
	uint16_t port;
	uint64_t cookie;
	struct sockaddr_storage dest;
	socklen_t dest_len;
	struct net_endpoint shown;
	enum relay_check check;
	char rule[256];
	char names[RELAY_NAMES_MAX][POLICY_NAME_MAX + 1];
	size_t n_names;
};

/**
 * relay_new() - open the relay's loopback listeners (127.0.0.1 and ::1,
 * ephemeral ports; ::1 only where the host has IPv6) and start its thread.
 * @tables is borrowed (name decisions are read-only: relay thread safe);
 * @quota too (atomics): what the job sends through the relay draws from it,
 * and a stream with more to send once it is spent is reset.
 * Each relayed connection holds 2 fds, 4 more while bytes wait in its pipes
 * (the supervisor raised RLIMIT_NOFILE's soft limit to the hard one at
 * start: sentry_supervise()).
 * Return: 0 and *@out, or -errno.
 */
int relay_new(struct relay **out, const struct zone_tables *tables,
	      struct netstack_quota *quota);

/** relay_free() - stop the thread, reset every connection; NULL is a no-op. */
void relay_free(struct relay *r);

/** relay_fd() - an eventfd, readable when events are queued. */
int relay_fd(const struct relay *r);

/**
 * relay_target() - the listener a job socket of @sock_family connecting to
 * an IPv4 (@v4_dest) or IPv6 destination is connected to instead, in *@ss.
 * Return: 0, or -EAFNOSUPPORT (no IPv6 listener).
 */
int relay_target(const struct relay *r, int sock_family, bool v4_dest,
		 struct sockaddr_storage *ss, socklen_t *len);

/**
 * relay_register() - @reg (copied) is about to connect. A registration for
 * the same local address replaces the older one; one left unaccepted for
 * RELAY_REG_TTL_S is dropped. Called from the supervisor's threads.
 * Return: 0, or -ENOSPC (the caller must not redirect: fail closed).
 */
int relay_register(struct relay *r, const struct relay_reg *reg);

/**
 * relay_unregister() - the connect of @cookie to the relay was not
 * performed after all: drop its registration.
 */
void relay_unregister(struct relay *r, uint64_t cookie);

/**
 * relay_events() - the events the relay queued since the last call, moved
 * into an array of the relay's (reused by the next call; the supervisor's
 * thread only). Return: their number.
 */
size_t relay_events(struct relay *r, const struct netstack_event **out);

/**
 * struct relay_stats - counters since the relay started (read under the
 * relay's mutex). @egress: bytes the job sent out through the relay (the
 * inspected first bytes included); @ingress: bytes to the job; @accepted,
 * @refused_local (not a registered job socket), @denied (SNI/Host),
 * @upstream_failed; @refused_fds: connections reset because the relay was
 * out of fds (accept, the upstream socket, a pipe); @active: connections
 * open now, @active_peak the most at once; @pipes: pipes held now (lent
 * and pooled), @pipes_peak; @events_lost.
 */
struct relay_stats {
	uint64_t egress;
	uint64_t ingress;
	uint64_t accepted;
	uint64_t refused_local;
	uint64_t denied;
	uint64_t upstream_failed;
	uint64_t refused_fds;
	uint64_t active;
	uint64_t active_peak;
	uint64_t pipes;
	uint64_t pipes_peak;
	uint64_t events_lost;
};

/** relay_stats() - a copy of the counters. */
void relay_stats(struct relay *r, struct relay_stats *out);

/* ---------------------------------------------------------------------------
 * Kernel socket tables (sock_diag.c).
 */

/**
 * sock_diag_receiver() - the cookie of the socket that would receive a
 * @proto connection or datagram to @dst:@port right now (the kernel's own
 * lookup: a TCP listener, a UDP receiver; v4 addresses also find dual-stack
 * IPv6 sockets). The peer asking is @dst itself at @src_port (0: port 1),
 * as the kernel would pick the source of local traffic: a UDP socket
 * connected to that peer is found too. O(1); no dump.
 * Return: 0 and *@cookie, -ENOENT when nothing would receive it, or -errno.
 */
int sock_diag_receiver(const struct policy_addr *dst, unsigned proto,
		       uint16_t port, uint16_t src_port, uint64_t *cookie);

/**
 * sock_diag_inet_cookies() - the cookies of every @family (AF_INET,
 * AF_INET6) @proto socket of the host's (this network namespace's), at
 * most @max into @out. One dump: linear in the host's sockets.
 * Return: the number filled, or -errno (-ENOBUFS: more than @max).
 */
int sock_diag_inet_cookies(int family, unsigned proto, uint64_t *out,
			   size_t max);

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

/**
 * sock_diag_unix_is_file() - does unix_diag's @vfs_dev/@vfs_ino (what
 * sock_diag_unix() said a socket is bound to) name the file open at @fd (a
 * pin, usually O_PATH), whose fstat() is @st? unix_diag reports the bound
 * dentry's superblock device; stat() shows that same device on most
 * filesystems, but overlayfs whose layers are on different filesystems
 * shows a pseudo device per layer for a non-directory (ovl_map_dev_ino();
 * Docker's and the 6.1 test guest's root), so the device of the
 * superblock @fd's mount is on (/proc/self/mountinfo, by statx()'s
 * STATX_MNT_ID, Linux 5.8) is accepted too. The inode number must be
 * stat()'s. Any failure to tell answers false (fail closed). Reads
 * /proc/self/mountinfo only when the devices differ. Any thread.
 */
struct stat;
bool sock_diag_unix_is_file(uint64_t vfs_dev, uint64_t vfs_ino, int fd,
			    const struct stat *st);

/**
 * sock_diag_ignore() - from now on answer every question above as a kernel
 * without the sock_diag handlers does (-ENOENT: "no such socket"), the
 * relay's acceptance lookups included (CORDON_IGNORE_FEATURES=sock_diag,
 * for testing what cordon does there). Call before any thread asks.
 */
void sock_diag_ignore(void);

/** sock_diag_ignored() - whether sock_diag_ignore() was called. */
bool sock_diag_ignored(void);

/* sock_diag_probe()'s answers: which handlers found a socket made for it. */
#define SOCK_DIAG_HAS_UNIX 0x1U /* unix_diag */
#define SOCK_DIAG_HAS_TCP 0x2U	/* inet_diag + tcp_diag */
#define SOCK_DIAG_HAS_UDP 0x4U	/* inet_diag + udp_diag */

/**
 * sock_diag_probe() - which of the kernel's socket tables answer here: a
 * unix socket (autobound), a TCP listener and a UDP socket on 127.0.0.1
 * are made and looked up as the supervisor looks sockets up; a table
 * whose own socket is not found is missing (in Debian's kernel they are
 * modules, loaded on demand: a host with modules_disabled or without the
 * module tree has none). For `cordon doctor`.
 * Return: SOCK_DIAG_HAS_* bits.
 */
unsigned int sock_diag_probe(void);

#endif /* CORDON_NETSTACK_H */
