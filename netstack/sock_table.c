/* SPDX-License-Identifier: MIT */
/*
 * sock_table.c - the job's internet sockets that cordon has touched: one
 * entry per socket object, what the job believes and what is real.
 *
 * Theory of operation
 * -------------------
 *   1. The key is the socket cookie (SO_COOKIE, Linux 2.6.x for sock_diag,
 *      getsockopt since 4.12): a 64-bit number the kernel gives each socket
 *      object once and never reuses while it runs. An fd number changes with
 *      dup2() and means nothing across processes; an inode number is
 *      recycled once the socket is closed. A cookie names the object itself,
 *      so fork, exec, SCM_RIGHTS and dup all keep pointing at one entry.
 *   2. What is real about the local end is asked of the kernel
 *      (getsockname() on the supervisor's duplicate) after each call the
 *      supervisor performed, never remembered from the job's bind()
 *      arguments: an implicit bind by sendto() or connect(), bind(port 0),
 *      a listen() on an unbound socket all leave a port only the kernel
 *      knows.
 *   3. What the job believes about the peer differs from what is real only
 *      where netstack redirected the socket (the DNS proxy today; a relay, a
 *      private loopback next): the entry then holds the real peer (where
 *      its traffic goes) and the shown one (what the job asked for, shown as
 *      the source of what it receives from the real peer). A translation
 *      lasts as long as its socket (getpeername() of a relayed socket
 *      shows the destination after hours idle, as natively): closed
 *      sockets are never reported to us, so one nobody used for
 *      NETSTACK_XLATE_IDLE_S is looked for among the host's sockets (one
 *      sock_diag dump) and dropped only when its cookie is gone. Receives
 *      look the table up only while a translation is live.
 *   4. "The job's own socket" is a question about the socket the kernel
 *      would deliver to right now (sock_diag.c, by cookie), answered by
 *      whether that cookie is in the table: a host service that took a port
 *      the job released has another cookie. So an entry of a closed socket
 *      is harmless; it only takes room. When the table fills up, one
 *      sock_diag dump of the host's inet sockets tells which cookies still
 *      live and the rest are dropped (when deciding, never per call).
 *   5. Open addressing with linear probing on a hash of the cookie, deletion
 *      by backward shift: a lookup on the send path costs a few cache lines.
 *
 *   6. Sockets owned from birth (issue 14, containers without pidfd_getfd)
 *      are a second index, keyed by sockfs inode (the only name of a job
 *      socket the supervisor can learn without pidfd_getfd or kcmp, which
 *      container profiles refuse too: stat of /proc/TID/fd/N): the copy
 *      the supervisor kept when it created the socket for the job. The copy
 *      pins the socket, so its inode number cannot be reused while held;
 *      the device is compared too. Released when the job's last fd goes
 *      (the sentry's close handlers and sweeps ask the kernel), so that a
 *      close by the job still reaches the peer. Each entry remembers the
 *      count of spreading events (fork, fd passing; own_gen) at its birth:
 *      while none happened since, it is in one fd table only, and the
 *      close handler reads that table alone. Same probing and backward
 *      shift as 5.
 *
 * Not responsible for deciding anything (net_plan.c, zone_decide.c) nor for
 * unix sockets (unix_own.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "netstack/netstack.h"

#define SOCK_TABLE_MASK (NETSTACK_SOCKS_MAX - 1)
/* Prune (one dump) when this many slots are used. */
#define SOCK_TABLE_HIGH (NETSTACK_SOCKS_MAX - NETSTACK_SOCKS_MAX / 8)
/* At most this many live host sockets are read by a prune. */
#define SOCK_TABLE_DUMP_MAX (1u << 18)

static size_t sock_table_home(uint64_t cookie)
{
	/* Cookies are a counter: spread them (Fibonacci hashing). */
	return (size_t)((cookie * 0x9e3779b97f4a7c15ULL) >> 40) &
	       SOCK_TABLE_MASK;
}

struct netstack_sock *netstack_sock_find(struct netstack *ns, uint64_t cookie)
{
	size_t i = sock_table_home(cookie), n;

	if (!cookie)
		return NULL;
	for (n = 0; n < NETSTACK_SOCKS_MAX; n++) {
		struct netstack_sock *e = &ns->socks[i];

		if (!e->cookie)
			return NULL;
		if (e->cookie == cookie)
			return e;
		i = (i + 1) & SOCK_TABLE_MASK;
	}
	return NULL;
}

/* Remove slot @i and shift the entries of its probe run back (no tombs). */
static void sock_table_remove(struct netstack *ns, size_t i)
{
	size_t j = i;

	if (ns->socks[i].peer.active)
		ns->n_xlate--;
	memset(&ns->socks[i], 0, sizeof(ns->socks[i]));
	ns->n_socks--;
	for (;;) {
		size_t home;

		j = (j + 1) & SOCK_TABLE_MASK;
		if (!ns->socks[j].cookie)
			return;
		home = sock_table_home(ns->socks[j].cookie);
		/* Can the entry at @j move to the hole at @i? */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			ns->socks[i] = ns->socks[j];
			memset(&ns->socks[j], 0, sizeof(ns->socks[j]));
			i = j;
		}
	}
}

static int sock_table_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The cookies of every inet socket of the host (one sock_diag dump of each
 * family and protocol), sorted for sock_table_cmp(), in *@n_out; malloc'ed,
 * the caller frees. Return: NULL when unsure what lives (no memory, a dump
 * failed) — then nothing may be dropped.
 */
static uint64_t *sock_table_live_cookies(size_t *n_out)
{
	static const int fams[] = {AF_INET, AF_INET6};
	static const unsigned protos[] = {POLICY_PROTO_TCP, POLICY_PROTO_UDP};
	uint64_t *live = malloc(SOCK_TABLE_DUMP_MAX * sizeof(*live));
	size_t n = 0, f, p;

	if (!live)
		return NULL;
	for (f = 0; f < ARRAY_SIZE(fams); f++)
		for (p = 0; p < ARRAY_SIZE(protos); p++) {
			int rc = sock_diag_inet_cookies(
				fams[f], protos[p], live + n,
				SOCK_TABLE_DUMP_MAX - n);

			if (rc < 0) {
				free(live);
				return NULL;
			}
			n += (size_t)rc;
		}
	qsort(live, n, sizeof(*live), sock_table_cmp);
	*n_out = n;
	return live;
}

/*
 * Drop the entries whose socket is gone (3.4): the host's live cookies,
 * then one pass over the table.
 */
static void sock_table_prune(struct netstack *ns)
{
	uint64_t *live;
	size_t n, i;

	ns->n_prunes++;
	live = sock_table_live_cookies(&n);
	if (!live)
		return; /* unsure what lives: keep everything */
	i = 0;
	while (i < NETSTACK_SOCKS_MAX) {
		uint64_t c = ns->socks[i].cookie;

		if (c && !bsearch(&c, live, n, sizeof(*live), sock_table_cmp)) {
			/* The shift may bring another entry into @i. */
			sock_table_remove(ns, i);
			continue;
		}
		i++;
	}
	free(live);
}

struct netstack_sock *netstack_sock_add(struct netstack *ns,
					const struct netstack_sockinfo *k)
{
	struct netstack_sock *e = netstack_sock_find(ns, k->cookie);
	size_t i;

	if (e || !k->cookie)
		return e;
	if (ns->n_socks >= SOCK_TABLE_HIGH)
		sock_table_prune(ns);
	if (ns->n_socks >= NETSTACK_SOCKS_MAX - 1)
		return NULL; /* full of live sockets: fail closed */
	for (i = sock_table_home(k->cookie); ns->socks[i].cookie;
	     i = (i + 1) & SOCK_TABLE_MASK)
		;
	e = &ns->socks[i];
	e->cookie = k->cookie;
	e->domain = k->domain;
	e->type = k->type;
	e->proto = k->proto;
	ns->n_socks++;
	return e;
}

/* A sockaddr the kernel gave us as an endpoint (INET only). */
static void sock_table_endpoint(const struct sockaddr_storage *ss,
				struct net_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = NET_ENDPOINT_INET;
	e->family = ss->ss_family;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		e->addr.family = 6;
		memcpy(e->addr.b, &in6->sin6_addr, 16);
		e->port = ntohs(in6->sin6_port);
		e->scope_id = in6->sin6_scope_id;
	} else {
		const struct sockaddr_in *in = (const void *)ss;

		e->addr.family = 4;
		memcpy(e->addr.b, &in->sin_addr, 4);
		e->port = ntohs(in->sin_port);
	}
}

struct netstack_sock *netstack_sock_learn(struct netstack *ns,
					  const struct netstack_sockinfo *k,
					  bool listening)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	struct netstack_sock *e;

	if (k->domain != AF_INET && k->domain != AF_INET6)
		return NULL;
	e = netstack_sock_find(ns, k->cookie);
	/* A socket's port, once the kernel gave it one, only goes with
	 * AF_UNSPEC (the table keeps the cookie either way: 3.4). */
	if (e && e->has_local && e->local.port && !listening)
		return e;
	if (getsockname(k->fd, (struct sockaddr *)&ss, &l) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return e;
	if (!e) {
		/* Nothing to remember of a socket the kernel has not bound. */
		struct net_endpoint tmp;

		sock_table_endpoint(&ss, &tmp);
		if (!tmp.port)
			return NULL;
		e = netstack_sock_add(ns, k);
		if (!e)
			return NULL;
	}
	sock_table_endpoint(&ss, &e->local);
	e->has_local = true;
	e->listening |= listening;
	return e;
}

int netstack_sock_redirect(struct netstack *ns,
			   const struct netstack_sockinfo *k,
			   enum netstack_service_kind via,
			   const struct sockaddr_storage *real,
			   socklen_t real_len, const struct net_endpoint *shown)
{
	struct netstack_sock *e = netstack_sock_add(ns, k);

	if (!e || real_len > sizeof(e->peer.real))
		return -ENOSPC;
	if (!e->peer.active)
		ns->n_xlate++;
	e->peer.active = true;
	e->peer.via = via;
	memcpy(&e->peer.real, real, real_len);
	e->peer.real_len = real_len;
	e->peer.shown = *shown;
	e->peer.has_local = false;
	e->peer.last_use_ns = time_mono_ns();
	return 0;
}

/* The idle time after which a translation's socket is looked for (3.3):
 * NETSTACK_XLATE_IDLE_S, or CORDON_TEST_XLATE_IDLE_MS (tests; it only makes
 * the look come sooner, never drops a live socket's translation). */
static uint64_t sock_table_idle_ns(struct netstack *ns)
{
	if (!ns->xlate_idle_ns) {
		const char *t = getenv("CORDON_TEST_XLATE_IDLE_MS");
		unsigned long long ms = t ? strtoull(t, NULL, 10) : 0;

		ns->xlate_idle_ns = ms ? ms * 1000000ULL
				       : NETSTACK_XLATE_IDLE_S * 1000000000ULL;
	}
	return ns->xlate_idle_ns;
}

/*
 * 3.3. A translation lasts as long as its socket: one idle for the idle
 * time is looked for among the host's live sockets (one dump of each
 * family and protocol, as sock_table_prune()); only one whose cookie is
 * gone is dropped, a live one waits another idle time. Unsure (the dump
 * failed): every translation stays. The entries themselves stay (a prune
 * removes them when the table fills).
 */
static void sock_table_expire(struct netstack *ns, uint64_t now)
{
	uint64_t idle = sock_table_idle_ns(ns), *live;
	size_t n, i;
	bool any = false;

	if (now - ns->xlate_swept_ns <
	    (idle < 1000000000ULL ? idle / 2 : 1000000000ULL))
		return;
	ns->xlate_swept_ns = now;
	for (i = 0; i < NETSTACK_SOCKS_MAX && !any; i++)
		any = ns->socks[i].peer.active &&
		      now - ns->socks[i].peer.last_use_ns > idle;
	if (!any)
		return;
	ns->n_xlate_checks++;
	live = sock_table_live_cookies(&n);
	if (!live)
		return;
	for (i = 0; i < NETSTACK_SOCKS_MAX && ns->n_xlate; i++) {
		struct netstack_sock *e = &ns->socks[i];

		if (!e->peer.active || now - e->peer.last_use_ns <= idle)
			continue;
		if (bsearch(&e->cookie, live, n, sizeof(*live),
			    sock_table_cmp)) {
			e->peer.last_use_ns = now; /* alive: look again later */
			continue;
		}
		e->peer.active = false;
		ns->n_xlate--;
	}
	free(live);
}

const struct netstack_sock *netstack_sock_translated(struct netstack *ns,
						     uint64_t cookie)
{
	uint64_t now = time_mono_ns();
	struct netstack_sock *e;

	sock_table_expire(ns, now);
	e = netstack_sock_find(ns, cookie);
	if (!e || !e->peer.active)
		return NULL;
	e->peer.last_use_ns = now;
	return e;
}

bool netstack_translating(const struct netstack *ns)
{
	return ns->n_xlate > 0;
}

socklen_t netstack_sock_shown_source(const struct netstack_sock *e,
				     const struct sockaddr_storage *from,
				     socklen_t len,
				     struct sockaddr_storage *out)
{
	if (!e->peer.active || len != e->peer.real_len ||
	    !sockaddr_same(from, &e->peer.real)) {
		memcpy(out, from, len <= sizeof(*out) ? len : sizeof(*out));
		return len;
	}
	return sockaddr_build(&e->peer.shown, e->domain, out);
}

/* ---------------------------------------------------------------------------
 * Sockets owned from birth (6).
 */
#define SOCK_OWN_MASK (NETSTACK_OWNED_MAX - 1)

static size_t sock_own_home(uint64_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ULL) >> 40) & SOCK_OWN_MASK;
}

static ssize_t sock_own_slot(const struct netstack *ns, uint64_t dev,
			     uint64_t ino)
{
	size_t i = sock_own_home(ino), n;

	if (!ino)
		return -1;
	for (n = 0; n < NETSTACK_OWNED_MAX; n++) {
		const struct netstack_owned *e = &ns->owned[i];

		if (!e->ino)
			return -1;
		if (e->ino == ino && e->dev == dev)
			return (ssize_t)i;
		i = (i + 1) & SOCK_OWN_MASK;
	}
	return -1;
}

static void sock_own_remove(struct netstack *ns, size_t i)
{
	size_t j = i;

	close(ns->owned[i].fd);
	memset(&ns->owned[i], 0, sizeof(ns->owned[i]));
	ns->n_owned--;
	for (;;) {
		size_t home;

		j = (j + 1) & SOCK_OWN_MASK;
		if (!ns->owned[j].ino)
			return;
		home = sock_own_home(ns->owned[j].ino);
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			ns->owned[i] = ns->owned[j];
			memset(&ns->owned[j], 0, sizeof(ns->owned[j]));
			i = j;
		}
	}
}

static int sock_own_add(struct netstack *ns, int fd, bool spread)
{
	struct stat st;
	ssize_t held;
	size_t i;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	held = sock_own_slot(ns, st.st_dev, st.st_ino);
	if (held >= 0) {
		close(fd); /* held already: one copy is enough */
		if (spread)
			ns->owned[held].gen = NETSTACK_OWN_SPREAD;
		return 0;
	}
	if (ns->n_owned >= NETSTACK_OWNED_MAX - 1) {
		close(fd);
		return -ENOSPC;
	}
	for (i = sock_own_home(st.st_ino); ns->owned[i].ino;
	     i = (i + 1) & SOCK_OWN_MASK)
		;
	ns->owned[i].ino = st.st_ino;
	ns->owned[i].dev = st.st_dev;
	ns->owned[i].fd = fd;
	ns->owned[i].mark = false;
	ns->owned[i].gen = spread ? NETSTACK_OWN_SPREAD : ns->own_gen;
	ns->owned[i].duped = false;
	ns->n_owned++;
	return 0;
}

int netstack_own_add(struct netstack *ns, int fd)
{
	return sock_own_add(ns, fd, false);
}

int netstack_own_add_new(struct netstack *ns, int fd, const struct stat *st)
{
	size_t i;

	if (sock_own_slot(ns, st->st_dev, st->st_ino) >= 0)
		return -EEXIST;
	if (ns->n_owned >= NETSTACK_OWNED_MAX - 1)
		return -ENOSPC;
	for (i = sock_own_home(st->st_ino); ns->owned[i].ino;
	     i = (i + 1) & SOCK_OWN_MASK)
		;
	ns->owned[i].ino = st->st_ino;
	ns->owned[i].dev = st->st_dev;
	ns->owned[i].fd = fd;
	ns->owned[i].mark = false;
	ns->owned[i].gen = ns->own_gen;
	ns->owned[i].duped = false;
	ns->n_owned++;
	return 0;
}

int netstack_own_add_spread(struct netstack *ns, int fd)
{
	return sock_own_add(ns, fd, true);
}

void netstack_own_spread(struct netstack *ns, bool forever)
{
	/* Never reaches NETSTACK_OWN_SPREAD: one event per notified call. */
	ns->own_gen++;
	if (forever)
		ns->own_one_off = true;
}

bool netstack_own_one_table(const struct netstack *ns, uint64_t dev,
			    uint64_t ino)
{
	ssize_t i = sock_own_slot(ns, dev, ino);

	return i >= 0 && !ns->own_one_off && ns->owned[i].gen == ns->own_gen;
}

void netstack_own_duped(struct netstack *ns, uint64_t dev, uint64_t ino)
{
	ssize_t i = sock_own_slot(ns, dev, ino);

	if (i >= 0)
		ns->owned[i].duped = true;
}

bool netstack_own_lone(const struct netstack *ns, uint64_t dev, uint64_t ino)
{
	ssize_t i = sock_own_slot(ns, dev, ino);

	return i >= 0 && !ns->owned[i].duped &&
	       netstack_own_one_table(ns, dev, ino);
}

int netstack_own_find(const struct netstack *ns, uint64_t dev, uint64_t ino)
{
	ssize_t i = sock_own_slot(ns, dev, ino);

	return i < 0 ? -1 : ns->owned[i].fd;
}

void netstack_own_release(struct netstack *ns, uint64_t dev, uint64_t ino)
{
	ssize_t i = sock_own_slot(ns, dev, ino);

	if (i >= 0)
		sock_own_remove(ns, (size_t)i);
}

void netstack_own_sweep_begin(struct netstack *ns)
{
	size_t i;

	for (i = 0; i < NETSTACK_OWNED_MAX; i++)
		ns->owned[i].mark = false;
}

void netstack_own_mark(struct netstack *ns, uint64_t ino)
{
	size_t i = sock_own_home(ino), n;

	/* Every socket lives on the one sockfs: the inode alone names it. */
	for (n = 0; ino && n < NETSTACK_OWNED_MAX; n++) {
		struct netstack_owned *e = &ns->owned[i];

		if (!e->ino)
			return;
		if (e->ino == ino)
			e->mark = true;
		i = (i + 1) & SOCK_OWN_MASK;
	}
}

size_t netstack_own_sweep_end(struct netstack *ns)
{
	size_t i = 0, n = 0;

	while (i < NETSTACK_OWNED_MAX) {
		if (ns->owned[i].ino && !ns->owned[i].mark) {
			/* The shift may bring another entry into @i. */
			sock_own_remove(ns, i);
			n++;
			continue;
		}
		i++;
	}
	return n;
}

void netstack_own_fini(struct netstack *ns)
{
	size_t i;

	/*
	 * n_owned counts the filled slots (removal shifts, no tombstones):
	 * with none, the table is all zero and its 24 pages stay untouched.
	 */
	if (!ns->n_owned)
		return;
	for (i = 0; i < NETSTACK_OWNED_MAX; i++)
		if (ns->owned[i].ino)
			close(ns->owned[i].fd);
	memset(ns->owned, 0, sizeof(ns->owned));
	ns->n_owned = 0;
}
