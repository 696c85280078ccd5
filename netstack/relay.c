/* SPDX-License-Identifier: MIT */
/*
 * relay.c - cordon's inspecting TCP relay: the job's connects allowed by a
 * hostname rule end here; the relay checks what the job really talks to
 * (TLS SNI, HTTP Host) before a byte leaves, then splices the stream to the
 * destination. Not responsible for deciding which connects come here
 * (net_plan.c) nor for the parsers of the first bytes (stream_sniff.c).
 *
 * Theory of operation
 * -------------------
 *   1. Registration. Before the supervisor performs a job's connect towards
 *      the relay, it binds the job's socket to loopback (or keeps the
 *      address the job bound) and registers that local address, the
 *      socket's cookie, the real destination, the allowing rule and the
 *      names the job resolved through cordon's DNS proxy to that address
 *      (relay_register(), under @mu). The relay listens on 127.0.0.1 and
 *      ::1, ephemeral ports: any local process can connect there, so
 *   2. acceptance is by registration: an accepted peer must match a
 *      registration by address and port AND the kernel must say
 *      (inet_diag, an exact lookup of the connecting socket) that the
 *      connecting socket has the registered cookie. A local address can be
 *      shared under SO_REUSEADDR; a cookie cannot. Anything else is reset
 *      (SO_LINGER 0) and audited ("not a job socket"). Out of fds
 *      (accept() says EMFILE or ENFILE), a peer would wait in the backlog
 *      with its connect() done and hang: the relay closes a reserve fd
 *      (/dev/null, held for this), accepts it, resets it, audits it ("relay
 *      out of fds") and takes the reserve again.
 *   3. Inspection (RELAY_CHECK_NAME): the relay reads the job's first bytes
 *      into a buffer of RELAY_HEAD_MAX bytes, for at most RELAY_INSPECT_MS
 *      from the accept (slowloris: a job trickling bytes holds one
 *      connection that long, then it is reset), and asks the parsers
 *      (stream_sniff.h): a TLS ClientHello's SNI, an HTTP/1.x request's
 *      Host (or absolute-form authority, or CONNECT target). The name must
 *      be one the job resolved to this very destination address through
 *      cordon's DNS proxy (the registration's pinned names) AND a hostname
 *      rule of the zone must allow it on this port (zone_decide_connect()
 *      on the name alone). No SNI, ECH, an unparseable head, another
 *      protocol, a full buffer or the deadline: reset. RELAY_CHECK_PIN (a
 *      rule naming one port explicitly, not 80 or 443): no inspection, the
 *      pin check at connect was the check; the upstream connect starts at
 *      accept, so server-speaks-first protocols work.
 *   4. A denial is a TCP reset to the job (SO_LINGER 0 then close: its
 *      next read or write gets ECONNRESET), one event (the supervisor
 *      prints one stderr line and writes an audit record: zone, rule, the
 *      SNI/Host seen, the destination). Nothing was sent upstream: the
 *      upstream socket does not exist yet.
 *   5. Allowed: a non-blocking connect to the destination; once it is up
 *      the inspected bytes are written, then both directions are moved by
 *      splice(2) through a pipe each (F_SETPIPE_SZ RELAY_PIPE_SIZE;
 *      socket -> pipe -> socket, SPLICE_F_NONBLOCK on non-blocking pipes
 *      and sockets): the stream never passes through a userspace buffer.
 *      One epoll set (edge-triggered) for every socket; each wake-up moves
 *      a direction until a side says EAGAIN or RELAY_BURST bytes moved,
 *      then the connection goes on a ready list that runs before the next
 *      sleep, so one bulk transfer never starves the other connections.
 *      A direction holds a pipe only while bytes sit in it: an empty one
 *      goes back to a pool of RELAY_POOL_MAX (beyond that it is closed)
 *      and the next direction with something to move borrows it. A pipe
 *      still holding bytes is never lent: it is closed with its
 *      connection.
 *      A read end of file is passed on as shutdown(SHUT_WR) once the pipe
 *      is drained (half-close); an error on either side resets the other.
 *      The connection ends when both directions are shut, or on an error.
 *   6. Memory per connection: struct relay_conn (~450 bytes, in one
 *      table touched as used) and up to two pipes of at most
 *      RELAY_PIPE_SIZE each (kernel pages, only while data sits in them);
 *      while inspecting, RELAY_HEAD_MAX more and the registration (names:
 *      ~4 KiB), freed once allowed. Fds: 2 per connection (the job's
 *      accepted socket, the upstream one), 2 more per direction while
 *      bytes sit in its pipe, plus the pool's (the seed of this design
 *      held 6 per connection and ran out at ~165 under a 1024 limit).
 *   7. Bytes the job sends (the inspected ones included) are counted per
 *      connection and in total (relay_stats()): the egress quota's counter.
 *
 * Threads: see netstack.h. The relay thread owns everything below except
 * @regs, @ev and @stats, which are under @mu.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "common/fault.h"
#include "netstack/netstack_priv.h"
#include "netstack/stream_sniff.h"

_Static_assert(RELAY_HEAD_MAX >= TLS_HELLO_BUF_MAX &&
		       RELAY_HEAD_MAX >= HTTP_HEAD_MAX,
	       "the inspection buffer holds any head the parsers accept");

#define RELAY_EPOLL_BATCH 64
#define RELAY_BURST (4u << 20) /* bytes one direction moves per turn */
#define RELAY_TICK_MS 500      /* deadline sweeps */
#define RELAY_CONNECT_S 130    /* upstream connect (the kernel's SYN retries) */

enum relay_tag {
	RELAY_TAG_STOP = 1,
	RELAY_TAG_LISTEN4,
	RELAY_TAG_LISTEN6,
	RELAY_TAG_CONN, /* index << 8 | side << 4 | RELAY_TAG_CONN */
};

enum relay_state {
	RELAY_INSPECTING, /* reading the first bytes */
	RELAY_CONNECTING, /* upstream connect in progress */
	RELAY_HEAD,	  /* writing the inspected bytes upstream */
	RELAY_SPLICING,	  /* both directions through pipes */
};

/* One direction: from @src through the pipe to @dst. */
struct relay_dir {
	int pipe[2];
	size_t in_pipe;
	bool src_eof; /* read returned 0 */
	bool shut;    /* end of file passed on (shutdown SHUT_WR) */
	uint64_t bytes;
};

/* What only an inspecting connection needs. */
struct relay_inspect {
	uint8_t head[RELAY_HEAD_MAX];
	size_t len;
	struct relay_reg reg;
};

struct relay_conn {
	bool used;
	bool queued; /* on the ready list */
	enum relay_state state;
	int job;
	int up;
	uint64_t deadline_ns;
	size_t head_off; /* RELAY_HEAD: bytes of @in->head written */
	bool head_paid;	 /* the quota granted @in->len */
	struct relay_inspect *in;
	struct relay_dir to_up;	 /* job -> upstream: egress */
	struct relay_dir to_job; /* upstream -> job */
	char dest[64];
	char name[256]; /* the SNI/Host allowed, for the closing event */
	char seen[8];
	uint32_t next_ready;
};

struct relay {
	const struct zone_tables *tables;
	struct netstack_quota *quota; /* atomics: see netstack.h */
	pthread_t thr;
	bool started;
	int epfd;
	int stopfd;
	int evfd;
	int nl; /* NETLINK_SOCK_DIAG, the relay thread's own */
	uint32_t nl_seq;
	int l4, l6;
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	/* Under @mu. */
	pthread_mutex_t mu;
	struct relay_reg *regs; /* RELAY_REGS_MAX */
	uint64_t *reg_until;	/* 0: a free slot */
	struct netstack_event *ev;
	size_t n_ev;
	struct relay_stats stats;
	/* The supervisor's thread only. */
	struct netstack_event *ev_out;
	/* The relay thread only. */
	int pool[RELAY_POOL_MAX][2]; /* empty pipes, ready to lend (5.) */
	size_t n_pool;
	int reserve; /* /dev/null, given up to refuse a peer (2.): -1 none */
	bool listen_paused;
	struct relay_conn *conns; /* RELAY_CONNS_MAX */
	uint32_t conn_hint;
	uint32_t ready_head; /* UINT32_MAX: empty */
	uint32_t ready_tail;
	uint64_t next_sweep_ns;
};

#define RELAY_NONE UINT32_MAX

/* ---------------------------------------------------------------------------
 * Events (queued under @mu, drained by the supervisor).
 */

static void relay_event(struct relay *r, const struct relay_conn *c,
			bool allowed, const char *name, const char *seen,
			const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void relay_event(struct relay *r, const struct relay_conn *c,
			bool allowed, const char *name, const char *seen,
			const char *rule, const char *fmt, ...)
{
	struct netstack_event *e;
	uint64_t one = 1;
	va_list ap;

	pthread_mutex_lock(&r->mu);
	if (r->n_ev >= RELAY_EVENTS_MAX) {
		r->stats.events_lost++;
		pthread_mutex_unlock(&r->mu);
		return;
	}
	e = &r->ev[r->n_ev++];
	memset(e, 0, sizeof(*e));
	e->service = NETSTACK_SERVICE_RELAY;
	e->allowed = allowed;
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	snprintf(e->seen, sizeof(e->seen), "%s", seen ? seen : "");
	snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");
	if (c) {
		snprintf(e->dest, sizeof(e->dest), "%s", c->dest);
		e->bytes_out = c->to_up.bytes;
		e->bytes_in = c->to_job.bytes;
	}
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&r->mu);
	if (write(r->evfd, &one, sizeof(one)) < 0) {
		/* Full (2^64 - 1 wake-ups pending): the loop is awake. */
	}
}

size_t relay_events(struct relay *r, const struct netstack_event **out)
{
	uint64_t v;
	size_t n;

	if (read(r->evfd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing new; drain anyway. */
	}
	pthread_mutex_lock(&r->mu);
	n = r->n_ev;
	memcpy(r->ev_out, r->ev, n * sizeof(*r->ev));
	r->n_ev = 0;
	pthread_mutex_unlock(&r->mu);
	*out = r->ev_out;
	return n;
}

void relay_stats(struct relay *r, struct relay_stats *out)
{
	pthread_mutex_lock(&r->mu);
	*out = r->stats;
	pthread_mutex_unlock(&r->mu);
}

/* ---------------------------------------------------------------------------
 * 1. Registrations.
 */

static bool relay_reg_same(const struct relay_reg *a, int family,
			   const uint8_t *addr, uint16_t port)
{
	return a->family == family && a->port == port &&
	       !memcmp(a->addr, addr, family == AF_INET ? 4 : 16);
}

int relay_register(struct relay *r, const struct relay_reg *reg)
{
	uint64_t now = time_mono_ns();
	size_t i, slot = RELAY_REGS_MAX;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < RELAY_REGS_MAX; i++) {
		if (r->reg_until[i] && r->reg_until[i] < now)
			r->reg_until[i] = 0; /* never connected */
		if (r->reg_until[i] && relay_reg_same(&r->regs[i], reg->family,
						      reg->addr, reg->port)) {
			slot = i;
			break;
		}
		if (!r->reg_until[i] && slot == RELAY_REGS_MAX)
			slot = i;
	}
	if (slot == RELAY_REGS_MAX) {
		pthread_mutex_unlock(&r->mu);
		return -ENOSPC;
	}
	r->regs[slot] = *reg;
	r->reg_until[slot] = now + RELAY_REG_TTL_S * 1000000000ULL;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

void relay_unregister(struct relay *r, uint64_t cookie)
{
	size_t i;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < RELAY_REGS_MAX; i++)
		if (r->reg_until[i] && r->regs[i].cookie == cookie)
			r->reg_until[i] = 0;
	pthread_mutex_unlock(&r->mu);
}

/* Take the registration of peer @family/@addr/@port whose socket has
 * @cookie into *@out (a registration whose cookie differs stays: a local
 * process sharing the address under SO_REUSEADDR cannot consume it). */
static bool relay_reg_take(struct relay *r, int family, const uint8_t *addr,
			   uint16_t port, uint64_t cookie,
			   struct relay_reg *out)
{
	uint64_t now = time_mono_ns();
	bool found = false;
	size_t i;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < RELAY_REGS_MAX; i++) {
		if (!r->reg_until[i] || r->reg_until[i] < now ||
		    r->regs[i].cookie != cookie ||
		    !relay_reg_same(&r->regs[i], family, addr, port))
			continue;
		*out = r->regs[i];
		r->reg_until[i] = 0;
		found = true;
		break;
	}
	pthread_mutex_unlock(&r->mu);
	return found;
}

/*
 * 2. The cookie of the socket whose local end is @addr:@port and whose peer
 * is the relay's listener of @family (the kernel's own lookup, exact).
 * Return: 0 and *@cookie, or -errno.
 */
static int relay_peer_cookie(struct relay *r, int family, const uint8_t *addr,
			     uint16_t port, uint64_t *cookie)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	char buf[1024];
	struct nlmsghdr *h;
	ssize_t n;
	int tries;

	/* As a kernel without tcp_diag answers: no such socket. */
	if (sock_diag_ignored())
		return -ENOENT;
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.nlh.nlmsg_seq = ++r->nl_seq;
	msg.req.sdiag_family = (uint8_t)family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0U;
	msg.req.id.idiag_cookie[0] = msg.req.id.idiag_cookie[1] =
		INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_if = NETSTACK_LOOPBACK_IFINDEX;
	/* The connecting socket: its local end is the peer we accepted. */
	msg.req.id.idiag_sport = htons(port);
	memcpy(msg.req.id.idiag_src, addr, family == AF_INET ? 4 : 16);
	if (family == AF_INET) {
		msg.req.id.idiag_dport = r->a4.sin_port;
		memcpy(msg.req.id.idiag_dst, &r->a4.sin_addr, 4);
	} else {
		msg.req.id.idiag_dport = r->a6.sin6_port;
		memcpy(msg.req.id.idiag_dst, &r->a6.sin6_addr, 16);
	}
	if (sendto(r->nl, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0)
		return -errno;
	for (tries = 0; tries < 16; tries++) {
		n = EINTR_RETRY(recv(r->nl, buf, sizeof(buf), 0));
		if (n < 0)
			return -errno;
		h = (struct nlmsghdr *)buf;
		if ((size_t)n < sizeof(*h) || h->nlmsg_seq != r->nl_seq)
			continue;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *d = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_ERROR)
				return -ENOENT;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
				continue;
			*cookie = (uint64_t)d->id.idiag_cookie[0] |
				  (uint64_t)d->id.idiag_cookie[1] << 32;
			return 0;
		}
		return -ENOENT;
	}
	return -EIO;
}

/* ---------------------------------------------------------------------------
 * Connections (the relay thread only).
 */

static uint32_t relay_conn_index(const struct relay *r,
				 const struct relay_conn *c)
{
	return (uint32_t)(c - r->conns);
}

static void relay_dir_init(struct relay_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->pipe[0] = d->pipe[1] = -1;
}

/*
 * 5. Give @d's pipe back: an empty one to the pool (or closed when the
 * pool is full), one still holding bytes closed (they belong to a stream
 * that ends: never lent to another connection).
 */
static void relay_pipe_put(struct relay *r, struct relay_dir *d)
{
	if (d->pipe[0] < 0)
		return;
	if (!d->in_pipe && r->n_pool < RELAY_POOL_MAX) {
		r->pool[r->n_pool][0] = d->pipe[0];
		r->pool[r->n_pool][1] = d->pipe[1];
		r->n_pool++;
	} else {
		close(d->pipe[0]);
		close(d->pipe[1]);
		pthread_mutex_lock(&r->mu);
		r->stats.pipes--;
		pthread_mutex_unlock(&r->mu);
	}
	d->pipe[0] = d->pipe[1] = -1;
	d->in_pipe = 0;
}

/* A TCP reset to @fd's peer: SO_LINGER 0 then close. */
static void relay_reset_fd(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static void relay_conn_free(struct relay *r, struct relay_conn *c, bool reset)
{
	if (reset) {
		relay_reset_fd(c->job);
		relay_reset_fd(c->up);
	} else {
		if (c->job >= 0)
			close(c->job);
		if (c->up >= 0)
			close(c->up);
	}
	relay_pipe_put(r, &c->to_up);
	relay_pipe_put(r, &c->to_job);
	free(c->in);
	c->in = NULL;
	c->used = false;
	pthread_mutex_lock(&r->mu);
	r->stats.active--;
	pthread_mutex_unlock(&r->mu);
}

/* The end of an allowed connection: its byte counts in the audit. */
static void relay_conn_end(struct relay *r, struct relay_conn *c, bool reset,
			   const char *why)
{
	relay_event(r, c, true, c->name, c->seen, NULL, "closed%s%s",
		    why ? ": " : "", why ? why : "");
	relay_conn_free(r, c, reset);
}

static struct relay_conn *relay_conn_alloc(struct relay *r)
{
	uint32_t i, k;

	for (k = 0; k < RELAY_CONNS_MAX; k++) {
		i = (r->conn_hint + k) % RELAY_CONNS_MAX;
		/* A slot still on the ready list keeps its link. */
		if (!r->conns[i].used && !r->conns[i].queued) {
			r->conn_hint = i + 1;
			memset(&r->conns[i], 0, sizeof(r->conns[i]));
			r->conns[i].used = true;
			r->conns[i].job = r->conns[i].up = -1;
			r->conns[i].next_ready = RELAY_NONE;
			relay_dir_init(&r->conns[i].to_up);
			relay_dir_init(&r->conns[i].to_job);
			return &r->conns[i];
		}
	}
	return NULL;
}

static int relay_watch(struct relay *r, struct relay_conn *c, int fd,
		       unsigned side, uint32_t events, int op)
{
	struct epoll_event ev = {
		.events = events,
		.data.u64 = (uint64_t)relay_conn_index(r, c) << 8 | side << 4 |
			    RELAY_TAG_CONN,
	};

	return epoll_ctl(r->epfd, op, fd, &ev);
}

static void relay_ready(struct relay *r, struct relay_conn *c)
{
	uint32_t i = relay_conn_index(r, c);

	if (c->queued)
		return;
	c->queued = true;
	c->next_ready = RELAY_NONE;
	if (r->ready_head == RELAY_NONE)
		r->ready_head = i;
	else
		r->conns[r->ready_tail].next_ready = i;
	r->ready_tail = i;
}

/* 5. Lend @d an empty pipe: from the pool, else a new one. */
static int relay_pipe_get(struct relay *r, struct relay_dir *d)
{
	if (d->pipe[0] >= 0)
		return 0;
	if (r->n_pool) {
		r->n_pool--;
		d->pipe[0] = r->pool[r->n_pool][0];
		d->pipe[1] = r->pool[r->n_pool][1];
		return 0;
	}
	if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		d->pipe[0] = d->pipe[1] = -1;
		return -errno;
	}
	/* Refused past the user's pipe-user-pages-soft: the default size
	 * then, slower but correct. */
	fcntl(d->pipe[0], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	pthread_mutex_lock(&r->mu);
	if (++r->stats.pipes > r->stats.pipes_peak)
		r->stats.pipes_peak = r->stats.pipes;
	pthread_mutex_unlock(&r->mu);
	return 0;
}

/*
 * 7. The quota granted nothing: does the job have more to send (then
 * -EDQUOT: the stream is reset) or not (0: it waits, or ended: @d->src_eof)?
 */
static int relay_quota_spent(int src, struct relay_dir *d)
{
	char b;
	ssize_t n = recv(src, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0)
		return -EDQUOT;
	if (n == 0)
		d->src_eof = true;
	else if (errno != EAGAIN && errno != EINTR)
		return -errno;
	return 0;
}

/*
 * 7. The job has more to send than the quota left: reset, one audited
 * denial naming the limit (the supervisor kills the tree under
 * egress-overflow kill).
 */
static void relay_quota_deny(struct relay *r, struct relay_conn *c)
{
	netstack_quota_refuse(r->quota);
	pthread_mutex_lock(&r->mu);
	r->stats.denied++;
	pthread_mutex_unlock(&r->mu);
	relay_event(r, c, false, c->name, c->seen, r->quota->rule,
		    "egress quota reached: reset");
	relay_conn_free(r, c, true);
}

/*
 * 5. Move one direction: @src -> pipe -> @dst until a side would block, the
 * source ended, or RELAY_BURST moved (then *@more). Return: 0, or -errno
 * (the connection is to be reset).
 */
static int relay_pump(struct relay *r, struct relay_dir *d, int src, int dst,
		      bool egress, bool *more, uint64_t *moved)
{
	size_t done = 0;
	int rc = 0;

	for (;;) {
		bool progress = false;
		uint64_t want = RELAY_PIPE_SIZE;
		ssize_t n;

		if (!d->src_eof && !d->in_pipe && egress) {
			/* 7. Only what the quota grants may leave. */
			want = netstack_quota_take(r->quota, RELAY_PIPE_SIZE);
			if (!want) {
				rc = relay_quota_spent(src, d);
				if (rc < 0)
					break;
			}
		}
		if (!d->src_eof && !d->in_pipe && want) {
			rc = relay_pipe_get(r, d);
			if (rc < 0) {
				if (egress)
					netstack_quota_give(r->quota, want);
				break;
			}
			n = splice(src, NULL, d->pipe[1], NULL, want,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (egress)
				netstack_quota_give(r->quota,
						    n > 0 ? want - (uint64_t)n
							  : want);
			if (n > 0) {
				d->in_pipe += (size_t)n;
				d->bytes += (uint64_t)n;
				*moved += (uint64_t)n;
				progress = true;
			} else if (n == 0) {
				d->src_eof = true;
			} else if (errno != EAGAIN && errno != EINTR) {
				rc = -errno;
				break;
			}
		}
		if (d->in_pipe) {
			n = splice(d->pipe[0], NULL, dst, NULL, d->in_pipe,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->in_pipe -= (size_t)n;
				done += (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				rc = -errno;
				break;
			}
		}
		if (d->src_eof && !d->in_pipe && !d->shut) {
			/* Half-close: the end of file goes on. */
			shutdown(dst, SHUT_WR);
			d->shut = true;
		}
		if (!progress)
			break;
		if (done >= RELAY_BURST) {
			*more = true;
			break;
		}
	}
	/* An idle direction holds no pipe: 2 fds per idle connection. */
	if (!d->in_pipe)
		relay_pipe_put(r, d);
	return rc;
}

static void relay_splice(struct relay *r, struct relay_conn *c)
{
	uint64_t up = 0, down = 0;
	bool more = false;
	int rc;

	rc = relay_pump(r, &c->to_up, c->job, c->up, true, &more, &up);
	if (rc == 0)
		rc = relay_pump(r, &c->to_job, c->up, c->job, false, &more,
				&down);
	if (up || down) {
		pthread_mutex_lock(&r->mu);
		r->stats.egress += up;
		r->stats.ingress += down;
		pthread_mutex_unlock(&r->mu);
	}
	if (rc == -EDQUOT) {
		relay_quota_deny(r, c);
		return;
	}
	if (rc == -EMFILE || rc == -ENFILE) {
		pthread_mutex_lock(&r->mu);
		r->stats.refused_fds++;
		pthread_mutex_unlock(&r->mu);
		relay_conn_end(r, c, true,
			       "relay out of fds for a pipe (fail closed)");
		return;
	}
	if (rc < 0) {
		relay_conn_end(r, c, true, strerror(-rc));
		return;
	}
	if (c->to_up.shut && c->to_job.shut) {
		relay_conn_end(r, c, false, NULL);
		return;
	}
	if (more)
		relay_ready(r, c);
}

/* Upstream is connected: write the inspected bytes, then splice. */
static void relay_head(struct relay *r, struct relay_conn *c)
{
	if (c->in && !c->head_paid) {
		if (!netstack_quota_take_all(r->quota, c->in->len)) {
			relay_quota_deny(r, c);
			return;
		}
		c->head_paid = true;
	}
	while (c->in && c->head_off < c->in->len) {
		ssize_t n = send(c->up, c->in->head + c->head_off,
				 c->in->len - c->head_off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return; /* EPOLLOUT brings us back */
		if (n <= 0) {
			netstack_quota_give(r->quota, c->in->len - c->head_off);
			relay_conn_end(r, c, true, "upstream write failed");
			return;
		}
		c->head_off += (size_t)n;
	}
	if (c->in) {
		c->to_up.bytes += c->in->len;
		pthread_mutex_lock(&r->mu);
		r->stats.egress += c->in->len;
		pthread_mutex_unlock(&r->mu);
	}
	free(c->in);
	c->in = NULL;
	c->state = RELAY_SPLICING;
	relay_splice(r, c);
}

static void relay_upstream_done(struct relay *r, struct relay_conn *c)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(c->up, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (!err) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		/* No error yet and no peer: still connecting. */
		if (getpeername(c->up, (struct sockaddr *)&ss, &sl) < 0 &&
		    errno == ENOTCONN)
			return;
	}
	if (err) {
		pthread_mutex_lock(&r->mu);
		r->stats.upstream_failed++;
		pthread_mutex_unlock(&r->mu);
		relay_event(r, c, true, c->name, c->seen, NULL, "upstream: %s",
			    strerror(err));
		relay_conn_free(r, c, true);
		return;
	}
	c->state = RELAY_HEAD;
	relay_head(r, c);
}

/* 5. Allowed: the pipes, the upstream socket, its connect. */
static void relay_allow(struct relay *r, struct relay_conn *c)
{
	const struct relay_reg *g = &c->in->reg;
	int one = 1, rc;

	c->up = socket(g->dest.ss_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->up < 0) {
		int e = errno;

		pthread_mutex_lock(&r->mu);
		r->stats.refused_fds++;
		pthread_mutex_unlock(&r->mu);
		relay_event(r, c, false, c->name, c->seen, g->rule,
			    "relay out of sockets (%s): reset (fail closed)",
			    strerror(e));
		relay_conn_free(r, c, true);
		return;
	}
	setsockopt(c->up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (relay_watch(r, c, c->up, 1,
			EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
			EPOLL_CTL_ADD) < 0) {
		relay_conn_free(r, c, true);
		return;
	}
	relay_event(r, c, true, c->name, c->seen, g->rule, "relayed");
	c->state = RELAY_CONNECTING;
	c->deadline_ns = time_mono_ns() + RELAY_CONNECT_S * 1000000000ULL;
	rc = connect(c->up, (const struct sockaddr *)&g->dest, g->dest_len);
	if (rc < 0 && errno != EINPROGRESS) {
		int e = errno;

		pthread_mutex_lock(&r->mu);
		r->stats.upstream_failed++;
		pthread_mutex_unlock(&r->mu);
		relay_event(r, c, true, c->name, c->seen, NULL, "upstream: %s",
			    strerror(e));
		relay_conn_free(r, c, true);
		return;
	}
	if (rc == 0)
		relay_upstream_done(r, c);
}

/* 4. Denied: reset, and say why. */
static void relay_deny(struct relay *r, struct relay_conn *c, const char *name,
		       const char *seen, const char *why)
{
	pthread_mutex_lock(&r->mu);
	r->stats.denied++;
	pthread_mutex_unlock(&r->mu);
	relay_event(r, c, false, name, seen, c->in ? c->in->reg.rule : NULL,
		    "%s", why);
	relay_conn_free(r, c, true);
}

/*
 * 3. May @name (normalised by the parser, from hostile bytes) be talked to
 * on this connection to @port? Pinned to the destination address (unless
 * @proxied: the target of a CONNECT, which the proxy resolves), and allowed
 * by a hostname rule of the zone on that port.
 */
static const char *relay_name_check(struct relay *r, const struct relay_conn *c,
				    const char *name, uint16_t port,
				    bool proxied)
{
	const struct relay_reg *g = &c->in->reg;
	struct policy_connect q;
	struct policy_decision d;
	const char *one[1];
	bool pinned = proxied;
	size_t i;

	for (i = 0; i < g->n_names && !pinned; i++) {
		char p[POLICY_NAME_MAX + 1];

		pinned = policy_name_normalize((const uint8_t *)g->names[i],
					       strlen(g->names[i]), p,
					       NULL) == 0 &&
			 !strcmp(p, name);
	}
	if (!pinned)
		return "name not resolved to this address through cordon's "
		       "DNS proxy";
	memset(&q, 0, sizeof(q));
	q.proto = POLICY_PROTO_TCP;
	q.port = port;
	one[0] = name;
	q.pinned = one;
	q.n_pinned = 1;
	zone_decide_connect(r->tables, NULL, &q, &d);
	if (d.verdict != POLICY_VERDICT_ALLOW)
		return "no hostname rule of the zone allows this name";
	return NULL;
}

/* 3. A TLS ClientHello so far: decide, or wait (return false). */
static bool relay_judge_tls(struct relay *r, struct relay_conn *c)
{
	struct tls_hello h;
	const char *why;

	switch (tls_hello_parse(c->in->head, c->in->len, &h)) {
	case TLS_HELLO_NEED_MORE:
		return false;
	case TLS_HELLO_NO_SNI:
		relay_deny(r, c, NULL, "sni", "ClientHello without SNI");
		return true;
	case TLS_HELLO_ECH:
		relay_deny(r, c, h.sni, "sni",
			   "ClientHello with encrypted_client_hello");
		return true;
	case TLS_HELLO_OK:
		break;
	default:
		relay_deny(r, c, NULL, "sni", h.why ? h.why : "not TLS");
		return true;
	}
	snprintf(c->name, sizeof(c->name), "%s", h.sni);
	snprintf(c->seen, sizeof(c->seen), "sni");
	why = relay_name_check(r, c, h.sni, c->in->reg.shown.port, false);
	if (why)
		relay_deny(r, c, h.sni, "sni", why);
	else
		relay_allow(r, c);
	return true;
}

/* 3. An HTTP/1.x request head so far: decide, or wait (return false). */
static bool relay_judge_http(struct relay *r, struct relay_conn *c)
{
	uint16_t port = c->in->reg.shown.port;
	struct http_head h;
	bool proxied;
	const char *why;

	switch (http_head_parse(c->in->head, c->in->len, &h)) {
	case HTTP_HEAD_NEED_MORE:
		return false;
	case HTTP_HEAD_OK:
		break;
	case HTTP_HEAD_NOT_HTTP:
		relay_deny(r, c, NULL, NULL,
			   "neither TLS nor HTTP/1.x (other protocols need a "
			   "rule naming their one port)");
		return true;
	default:
		relay_deny(r, c, NULL, "host", h.why ? h.why : "bad head");
		return true;
	}
	snprintf(c->name, sizeof(c->name), "%s", h.host);
	snprintf(c->seen, sizeof(c->seen), "host");
	if (h.host_kind != HTTP_HEAD_HOST_NAME) {
		relay_deny(r, c, h.host, "host",
			   "Host is an address literal, not a name");
		return true;
	}
	/* CONNECT to an allowed proxy: the target must be allowed itself. */
	proxied = h.form == HTTP_HEAD_FORM_AUTHORITY;
	if (!proxied && h.port && h.port != port) {
		relay_deny(r, c, h.host, "host",
			   "Host names another port than the connection's");
		return true;
	}
	why = relay_name_check(r, c, h.host, proxied ? h.port : port, proxied);
	if (why)
		relay_deny(r, c, h.host, "host", why);
	else
		relay_allow(r, c);
	return true;
}

/*
 * 3. The first bytes so far (@full: the buffer is full; @eof: the job shut
 * its side): decide, or wait for more.
 */
static void relay_judge(struct relay *r, struct relay_conn *c, bool full,
			bool eof)
{
	bool done;

	switch (stream_sniff_guess(c->in->head, c->in->len)) {
	case STREAM_SNIFF_NEED_MORE:
		done = false;
		break;
	case STREAM_SNIFF_TLS:
		done = relay_judge_tls(r, c);
		break;
	case STREAM_SNIFF_HTTP:
		done = relay_judge_http(r, c);
		break;
	default:
		relay_deny(r, c, NULL, NULL,
			   "neither TLS nor HTTP/1.x (other protocols need a "
			   "rule naming their one port)");
		return;
	}
	if (done)
		return;
	if (full)
		relay_deny(r, c, NULL, NULL,
			   "first bytes exceed the inspection buffer");
	else if (eof)
		relay_deny(r, c, NULL, NULL,
			   "closed before a complete ClientHello or request "
			   "head");
}

static void relay_read_head(struct relay *r, struct relay_conn *c)
{
	bool eof = false;

	while (c->in->len < sizeof(c->in->head)) {
		ssize_t n = recv(c->job, c->in->head + c->in->len,
				 sizeof(c->in->head) - c->in->len, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0) {
			relay_conn_free(r, c, true);
			return;
		}
		if (n == 0) {
			eof = true;
			break;
		}
		c->in->len += (size_t)n;
	}
	relay_judge(r, c, c->in->len == sizeof(c->in->head), eof);
}

/* The peer address of an accepted socket, as bytes, a port and text. */
static const uint8_t *relay_peer_addr(const struct sockaddr_storage *ss,
				      int family, uint16_t *port, char *who,
				      size_t who_len)
{
	char txt[INET6_ADDRSTRLEN];
	const uint8_t *addr;

	if (family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		addr = (const uint8_t *)&in->sin_addr;
		*port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		addr = (const uint8_t *)&in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
	}
	inet_ntop(family, addr, txt, sizeof(txt));
	snprintf(who, who_len, family == AF_INET ? "%s:%u" : "[%s]:%u", txt,
		 *port);
	return addr;
}

static void relay_listen_pause(struct relay *r, bool pause)
{
	struct epoll_event ev = {.events = pause ? 0 : EPOLLIN};

	if (r->listen_paused == pause)
		return;
	r->listen_paused = pause;
	ev.data.u64 = RELAY_TAG_LISTEN4;
	epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->l4, &ev);
	if (r->l6 >= 0) {
		ev.data.u64 = RELAY_TAG_LISTEN6;
		epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->l6, &ev);
	}
}

/*
 * 2. accept() said EMFILE/ENFILE (or the kernel is out of memory for the
 * socket): the peer waits in the backlog, its connect() succeeded, and it
 * would hang there. Give up the reserve fd, accept the peer, reset it
 * (the job's next read or write gets ECONNRESET), audit it, take the
 * reserve again. Without a reserve (another thread took the slot), the
 * listeners sleep for a tick instead of spinning.
 * Return: true when a peer was reset (try the next one).
 */
static bool relay_accept_refuse(struct relay *r, int l, int family, int err)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char who[INET6_ADDRSTRLEN + 8];
	struct relay_conn fake;
	struct relay_reg *reg;
	const uint8_t *addr;
	uint64_t cookie = 0;
	uint16_t port;
	int fd;

	if (r->reserve < 0) {
		r->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (r->reserve < 0) {
			relay_listen_pause(r, true);
			return false;
		}
	}
	close(r->reserve);
	r->reserve = -1;
	fd = accept4(l, (struct sockaddr *)&ss, &sl,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	r->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	addr = relay_peer_addr(&ss, family, &port, who, sizeof(who));
	memset(&fake, 0, sizeof(fake));
	snprintf(fake.dest, sizeof(fake.dest), "%s", who);
	/* The registration goes (its destination and rule for the audit);
	 * the cookie lookup needs no fd (the relay's own netlink socket). */
	reg = malloc(sizeof(*reg));
	if (reg && relay_peer_cookie(r, family, addr, port, &cookie) == 0 &&
	    relay_reg_take(r, family, addr, port, cookie, reg))
		sockaddr_fmt(&reg->shown, fake.dest, sizeof(fake.dest));
	else if (reg)
		reg->rule[0] = '\0';
	pthread_mutex_lock(&r->mu);
	r->stats.refused_fds++;
	pthread_mutex_unlock(&r->mu);
	relay_event(r, &fake, false, NULL, NULL, reg ? reg->rule : NULL,
		    "relay out of fds (%s): reset (fail closed)",
		    strerror(err));
	free(reg);
	relay_reset_fd(fd);
	return true;
}

/* accept4(), or the fault armed for tests (relay_accept: EMFILE). */
static int relay_accept4(int l, struct sockaddr_storage *ss, socklen_t *sl)
{
	int rc = fault_hit(FAULT_STEP_RELAY_ACCEPT);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return accept4(l, (struct sockaddr *)ss, sl,
		       SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* 2. New peers on listener @l (@family). */
static void relay_accept(struct relay *r, int l, int family)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char who[INET6_ADDRSTRLEN + 8];
		const uint8_t *addr;
		struct relay_conn *c;
		struct relay_reg reg;
		uint64_t cookie = 0;
		uint16_t port;
		int fd;

		fd = relay_accept4(l, &ss, &sl);
		if (fd < 0) {
			int e = errno;

			if ((e == EMFILE || e == ENFILE || e == ENOBUFS ||
			     e == ENOMEM) &&
			    relay_accept_refuse(r, l, family, e))
				continue;
			return; /* EAGAIN */
		}
		addr = relay_peer_addr(&ss, family, &port, who, sizeof(who));
		if (relay_peer_cookie(r, family, addr, port, &cookie) < 0 ||
		    !relay_reg_take(r, family, addr, port, cookie, &reg)) {
			struct relay_conn fake;

			pthread_mutex_lock(&r->mu);
			r->stats.refused_local++;
			pthread_mutex_unlock(&r->mu);
			memset(&fake, 0, sizeof(fake));
			snprintf(fake.dest, sizeof(fake.dest), "%s", who);
			relay_event(r, &fake, false, NULL, NULL, NULL,
				    "not a job socket: reset");
			relay_reset_fd(fd);
			continue;
		}
		c = relay_conn_alloc(r);
		if (c)
			c->in = malloc(sizeof(*c->in));
		if (!c || !c->in) {
			struct relay_conn fake;

			if (c)
				c->used = false;
			memset(&fake, 0, sizeof(fake));
			sockaddr_fmt(&reg.shown, fake.dest, sizeof(fake.dest));
			relay_event(r, &fake, false, NULL, NULL, reg.rule,
				    "relay full (%u connections) or out of "
				    "memory: reset (fail closed)",
				    (unsigned)RELAY_CONNS_MAX);
			relay_reset_fd(fd);
			continue;
		}
		pthread_mutex_lock(&r->mu);
		r->stats.accepted++;
		if (++r->stats.active > r->stats.active_peak)
			r->stats.active_peak = r->stats.active;
		pthread_mutex_unlock(&r->mu);
		c->job = fd;
		c->in->len = 0;
		c->in->reg = reg;
		sockaddr_fmt(&reg.shown, c->dest, sizeof(c->dest));
		c->deadline_ns = time_mono_ns() + RELAY_INSPECT_MS * 1000000ULL;
		c->state = RELAY_INSPECTING;
		if (relay_watch(r, c, fd, 0,
				EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				EPOLL_CTL_ADD) < 0) {
			relay_conn_free(r, c, true);
			continue;
		}
		if (reg.check == RELAY_CHECK_PIN)
			relay_allow(r, c);
		else
			relay_read_head(r, c);
	}
}

static void relay_conn_event(struct relay *r, struct relay_conn *c,
			     unsigned side, uint32_t events)
{
	switch (c->state) {
	case RELAY_INSPECTING:
		if (side == 0 &&
		    (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			relay_read_head(r, c);
		return;
	case RELAY_CONNECTING:
		if (side == 1)
			relay_upstream_done(r, c);
		else if (events & (EPOLLERR | EPOLLHUP))
			relay_conn_free(r, c, true); /* the job reset */
		return;
	case RELAY_HEAD:
		if (side == 1 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			relay_head(r, c);
		else if (events & (EPOLLERR | EPOLLHUP))
			relay_conn_end(r, c, true, "reset");
		return;
	case RELAY_SPLICING:
		relay_splice(r, c);
		return;
	}
}

/* Slowloris: an inspection past its deadline is reset. */
static void relay_sweep(struct relay *r, uint64_t now)
{
	uint32_t i;

	if (now < r->next_sweep_ns)
		return;
	r->next_sweep_ns = now + RELAY_TICK_MS * 1000000ULL;
	relay_listen_pause(r, false);
	for (i = 0; i < RELAY_CONNS_MAX; i++) {
		struct relay_conn *c = &r->conns[i];

		if (!c->used || now <= c->deadline_ns)
			continue;
		if (c->state == RELAY_INSPECTING)
			relay_deny(r, c, NULL, NULL,
				   "first bytes not in within the inspection "
				   "deadline");
		else if (c->state == RELAY_CONNECTING)
			relay_conn_end(r, c, true,
				       "upstream connect timed out");
	}
}

static void relay_run_ready(struct relay *r)
{
	uint32_t i = r->ready_head;

	r->ready_head = r->ready_tail = RELAY_NONE;
	while (i != RELAY_NONE) {
		struct relay_conn *c = &r->conns[i];
		uint32_t next = c->next_ready;

		c->queued = false;
		if (c->used && c->state == RELAY_SPLICING)
			relay_splice(r, c);
		i = next;
	}
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	struct epoll_event evs[RELAY_EPOLL_BATCH];

	for (;;) {
		int n, i,
			timeout =
				r->ready_head != RELAY_NONE ? 0 : RELAY_TICK_MS;

		n = epoll_wait(r->epfd, evs, RELAY_EPOLL_BATCH, timeout);
		for (i = 0; i < n; i++) {
			uint64_t u = evs[i].data.u64;

			switch (u & 0xf) {
			case RELAY_TAG_STOP:
				return NULL;
			case RELAY_TAG_LISTEN4:
				relay_accept(r, r->l4, AF_INET);
				break;
			case RELAY_TAG_LISTEN6:
				relay_accept(r, r->l6, AF_INET6);
				break;
			case RELAY_TAG_CONN: {
				uint32_t idx = (uint32_t)(u >> 8);

				if (idx < RELAY_CONNS_MAX && r->conns[idx].used)
					relay_conn_event(r, &r->conns[idx],
							 (unsigned)(u >> 4) &
								 0xf,
							 evs[i].events);
				break;
			}
			default:
				break;
			}
		}
		relay_run_ready(r);
		relay_sweep(r, time_mono_ns());
	}
}

/* ---------------------------------------------------------------------------
 * Set-up.
 */

static int relay_add(struct relay *r, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int relay_new(struct relay **out, const struct zone_tables *tables,
	      struct netstack_quota *quota)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct sockaddr_storage ss;
	sigset_t all, old;
	int rc = -ENOMEM;

	if (!r)
		return -ENOMEM;
	r->tables = tables;
	r->quota = quota;
	r->epfd = r->stopfd = r->evfd = r->nl = r->l4 = r->l6 = -1;
	r->reserve = -1;
	r->ready_head = r->ready_tail = RELAY_NONE;
	pthread_mutex_init(&r->mu, NULL);
	r->regs = calloc(RELAY_REGS_MAX, sizeof(*r->regs));
	r->reg_until = calloc(RELAY_REGS_MAX, sizeof(*r->reg_until));
	r->ev = calloc(RELAY_EVENTS_MAX, sizeof(*r->ev));
	r->ev_out = calloc(RELAY_EVENTS_MAX, sizeof(*r->ev_out));
	r->conns = calloc(RELAY_CONNS_MAX, sizeof(*r->conns));
	if (!r->regs || !r->reg_until || !r->ev || !r->ev_out || !r->conns)
		goto out_free;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
	r->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		       NETLINK_SOCK_DIAG);
	if (r->epfd < 0 || r->stopfd < 0 || r->evfd < 0 || r->nl < 0 ||
	    r->reserve < 0) {
		rc = -errno;
		goto out_free;
	}
	r->l4 = netstack_service_listen(r->epfd, RELAY_TAG_LISTEN4, AF_INET,
					SOCK_STREAM, 4096, &ss);
	if (r->l4 < 0) {
		rc = r->l4;
		goto out_free;
	}
	memcpy(&r->a4, &ss, sizeof(r->a4));
	r->l6 = netstack_service_listen(r->epfd, RELAY_TAG_LISTEN6, AF_INET6,
					SOCK_STREAM, 4096, &ss);
	if (r->l6 >= 0) /* else -errno: no IPv6 */
		memcpy(&r->a6, &ss, sizeof(r->a6));
	rc = relay_add(r, r->stopfd, RELAY_TAG_STOP);
	if (rc)
		goto out_free;
	/* The relay thread takes no signal: the supervisor's are not its. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&r->thr, NULL, relay_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		goto out_free;
	r->started = true;
	*out = r;
	return 0;
out_free:
	relay_free(r);
	return rc;
}

void relay_free(struct relay *r)
{
	uint32_t i;

	if (!r)
		return;
	if (r->started) {
		uint64_t one = 1;

		if (write(r->stopfd, &one, sizeof(one)) == sizeof(one))
			pthread_join(r->thr, NULL);
	}
	if (r->conns)
		for (i = 0; i < RELAY_CONNS_MAX; i++)
			if (r->conns[i].used)
				relay_conn_free(r, &r->conns[i], true);
	while (r->n_pool) {
		r->n_pool--;
		close(r->pool[r->n_pool][0]);
		close(r->pool[r->n_pool][1]);
	}
	if (r->reserve >= 0)
		close(r->reserve);
	if (r->l4 >= 0)
		close(r->l4);
	if (r->l6 >= 0)
		close(r->l6);
	if (r->nl >= 0)
		close(r->nl);
	if (r->evfd >= 0)
		close(r->evfd);
	if (r->stopfd >= 0)
		close(r->stopfd);
	if (r->epfd >= 0)
		close(r->epfd);
	free(r->conns);
	free(r->ev_out);
	free(r->ev);
	free(r->reg_until);
	free(r->regs);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int relay_fd(const struct relay *r)
{
	return r->evfd;
}

int relay_target(const struct relay *r, int sock_family, bool v4_dest,
		 struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (sock_family == AF_INET) {
		memcpy(ss, &r->a4, sizeof(r->a4));
		*len = sizeof(r->a4);
		return 0;
	}
	if (v4_dest) {
		/* An AF_INET6 socket reaches the IPv4 listener v4-mapped. */
		struct sockaddr_in6 *m = (struct sockaddr_in6 *)ss;

		m->sin6_family = AF_INET6;
		m->sin6_port = r->a4.sin_port;
		m->sin6_addr.s6_addr[10] = m->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&m->sin6_addr.s6_addr[12], &r->a4.sin_addr, 4);
		*len = sizeof(*m);
		return 0;
	}
	if (r->l6 < 0)
		return -EAFNOSUPPORT;
	memcpy(ss, &r->a6, sizeof(r->a6));
	*len = sizeof(r->a6);
	return 0;
}
