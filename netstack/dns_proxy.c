/* SPDX-License-Identifier: MIT */
/*
 * dns_proxy.c - cordon's filtering DNS proxy.
 *
 * Theory of operation
 * -------------------
 * Every DNS exchange of the job - UDP or TCP, to port 53 of any address - is
 * redirected by the socket layer (sentry/sys_net.c) to this proxy's sockets
 * on loopback. The proxy parses each query (dns_msg.c, bounded), asks the
 * zone whether the name may be resolved, and:
 *  - denied: answers NXDOMAIN itself; no packet leaves, so query names
 *    cannot carry data out;
 *  - allowed: forwards the question to the zone's upstream resolvers (the
 *    host's /etc/resolv.conf by default) under a fresh random ID from the
 *    proxy's own socket, validates the answer (source, ID, question),
 *    strips every address the zone always denies (an allowed name answering
 *    169.254.169.254 or 127.0.0.1 yields no usable address: DNS rebinding),
 *    pins the remaining addresses to the name for the record's TTL plus
 *    DNS_PROXY_PIN_GRACE_S, and answers the job under its own ID and with
 *    its own question bytes.
 * A truncated UDP answer is passed on with TC set; the job's resolver then
 * retries over TCP, and the proxy asks the upstream over TCP.
 *
 * The proxy owns one epoll fd holding all its sockets and a timerfd for
 * upstream timeouts; the supervisor polls that one fd. Nothing here blocks.
 * Decisions are queued as events for the supervisor's audit log.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/common.h"
#include "netstack/dns_msg.h"
#include "netstack/netstack_priv.h"

#define DNS_PROXY_QUERIES 256
#define DNS_PROXY_CLIENTS 64
#define DNS_PROXY_PINS 4096
#define DNS_PROXY_UPSTREAMS 4
#define DNS_PROXY_TRY_MS 2000 /* per upstream attempt */
#define DNS_PROXY_DEADLINE_MS 6000
#define DNS_PROXY_PIN_GRACE_S 30 /* documented in docs/network.md */
#define DNS_PROXY_PIN_MIN_TTL 5
/* One question and an OPT fit in far less; larger queries are refused. */
#define DNS_PROXY_QUERY_MAX 1024

enum dns_proxy_tag {
	DNS_PROXY_TAG_UDP4 = 1,
	DNS_PROXY_TAG_UDP6,
	DNS_PROXY_TAG_TCP4,
	DNS_PROXY_TAG_TCP6,
	DNS_PROXY_TAG_UP4,
	DNS_PROXY_TAG_UP6,
	DNS_PROXY_TAG_TIMER,
	DNS_PROXY_TAG_CLIENT, /* index in bits 8.. */
	DNS_PROXY_TAG_UPTCP,  /* query index in bits 8.. */
};

/* A job connection to the proxy's TCP port. */
struct dns_proxy_client {
	int fd;
	uint8_t buf[2 + DNS_MSG_MAX];
	size_t have;
	bool used;
};

/* A query forwarded upstream, waiting for its answer. */
struct dns_proxy_query {
	bool used;
	uint16_t up_id;	 /* the ID the upstream sees */
	uint16_t job_id; /* the ID the job used */
	int client;	 /* TCP client index, or -1 for UDP */
	int udp_tag;	 /* DNS_PROXY_TAG_UDP4/6: which socket to answer from */
	struct sockaddr_storage peer; /* UDP: where the job's socket is */
	socklen_t peer_len;
	struct dns_query q;
	uint8_t job_msg[DNS_PROXY_QUERY_MAX]; /* the job's query, as sent */
	size_t job_len;
	uint8_t msg[DNS_PROXY_QUERY_MAX];
	/* the clean query for upstream */ /* the job's query, re-sent
	     with up_id */
	size_t msg_len;
	size_t max_reply;  /* UDP: 512 or the job's EDNS size */
	unsigned upstream; /* which upstream is being tried */
	uint64_t try_deadline, deadline;
	/* upstream over TCP (after a truncated UDP answer, or a TCP client) */
	int tcp_fd;
	uint8_t *tcp_buf; /* 2 + DNS_MSG_MAX bytes while asking over TCP */
	size_t tcp_have;
	bool tcp_sent;
	bool cached; /* being answered from the cache */
};

/*
 * The answer cache: validated upstream answers (NOERROR, with answers, not
 * truncated, at most DNS_EDNS_UDP_SIZE bytes), keyed by the question and the
 * EDNS bits that shape the clean query, kept for their smallest TTL (at
 * most DNS_PROXY_CACHE_MAX_S). A hit goes through the same path as an
 * upstream answer (always-denied addresses stripped, pins, the job's ID and
 * question echoed) with every answer TTL lowered by the entry's age, so a
 * pin never outlives the record. Zone decisions are made before the cache
 * is asked, every time.
 */
#define DNS_PROXY_CACHE 64
#define DNS_PROXY_CACHE_MAX_S 300

struct dns_proxy_cached {
	bool used;
	char name[DNS_NAME_MAX + 1]; /* lower case */
	uint16_t qtype, qclass;
	bool opt, edns_do;
	uint64_t stored_ns, expires_ns;
	size_t len;
	uint8_t msg[DNS_EDNS_UDP_SIZE];
};

struct dns_proxy_pin {
	struct policy_addr addr;
	char name[DNS_NAME_MAX + 1];
	uint64_t expires_ns;
	bool used;
};

struct dns_proxy {
	const struct zone_tables *tables;
	const struct policy_runtime *rt;
	int epfd, timerfd;
	uint64_t armed_ns; /* when the timer fires; 0: disarmed */
	uint8_t rnd[64];   /* getrandom() pool for query IDs */
	size_t rnd_left;
	struct dns_proxy_cached *cache; /* DNS_PROXY_CACHE, at first store */
	uint64_t cache_hits;
	int udp4, udp6, tcp4, tcp6, up4, up6;
	uint16_t port4, port6, tport4, tport6;
	struct sockaddr_storage ups[DNS_PROXY_UPSTREAMS];
	socklen_t ups_len[DNS_PROXY_UPSTREAMS];
	size_t n_ups;
	struct dns_proxy_client clients[DNS_PROXY_CLIENTS];
	struct dns_proxy_query queries[DNS_PROXY_QUERIES];
	struct dns_proxy_pin pins[DNS_PROXY_PINS];
	size_t pin_next;
	size_t n_pins; /* slots ever used (pins expire in place) */
	struct netstack_event events[DNS_PROXY_EVENTS];
	size_t n_events;
	uint64_t events_lost;
};

static void dns_proxy_event(struct dns_proxy *p, const char *name,
			    uint16_t qtype, const struct policy_decision *d,
			    unsigned stripped, const char *what)
{
	struct netstack_event *ev;
	struct dynbuf b;

	if (p->n_events >= DNS_PROXY_EVENTS) {
		p->events_lost++;
		return;
	}
	ev = &p->events[p->n_events++];
	memset(ev, 0, sizeof(*ev));
	ev->service = NETSTACK_SERVICE_DNS;
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->qtype = qtype;
	ev->allowed = d ? d->verdict != POLICY_VERDICT_DENY : true;
	ev->stripped = stripped;
	snprintf(ev->what, sizeof(ev->what), "%s", what);
	if (d) {
		dynbuf_init(&b, sizeof(ev->rule) - 1);
		if (policy_decision_fmt(d, &b) == 0 && b.data)
			snprintf(ev->rule, sizeof(ev->rule), "%s", b.data);
		dynbuf_free(&b);
	}
}

size_t dns_proxy_events(struct dns_proxy *p, const struct netstack_event **out)
{
	size_t n = p->n_events;

	*out = p->events;
	p->n_events = 0;
	return n;
}

static int dns_proxy_epoll_add(struct dns_proxy *p, int fd, uint64_t tag,
			       uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	return epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* A loopback listener of the proxy (port 0); fills its port. */
static int dns_proxy_listen(struct dns_proxy *p, int family, int type,
			    uint64_t tag, uint16_t *port)
{
	struct sockaddr_storage ss;
	int fd = netstack_service_listen(p->epfd, tag, family, type, 64, &ss);

	if (fd >= 0)
		*port = ntohs(
			family == AF_INET
				? ((struct sockaddr_in *)&ss)->sin_port
				: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void dns_proxy_add_upstream(struct dns_proxy *p,
				   const struct policy_addr *a, uint16_t port)
{
	struct sockaddr_storage *ss;

	if (p->n_ups >= DNS_PROXY_UPSTREAMS)
		return;
	ss = &p->ups[p->n_ups];
	memset(ss, 0, sizeof(*ss));
	if (a->family == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->b, 4);
		p->ups_len[p->n_ups++] = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, a->b, 16);
		p->ups_len[p->n_ups++] = sizeof(*in6);
	}
}

/* "nameserver ADDR" lines of the host's resolv.conf (at most 4). */
static void dns_proxy_system_upstreams(struct dns_proxy *p)
{
	struct dynbuf b;
	char *line, *save = NULL;

	if (fd_read_file("/etc/resolv.conf", &b, 65536) < 0 || !b.data)
		return;
	for (line = strtok_r(b.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct policy_addr a;
		char *v, *end;

		if (strncmp(line, "nameserver", 10) ||
		    (line[10] != ' ' && line[10] != '\t'))
			continue;
		v = line + 11;
		while (*v == ' ' || *v == '\t')
			v++;
		end = v + strcspn(v, " \t%#");
		if (policy_addr_parse((const uint8_t *)v, (size_t)(end - v),
				      &a) == 0)
			dns_proxy_add_upstream(p, &a, 53);
	}
	dynbuf_free(&b);
}

int dns_proxy_new(struct dns_proxy **out, const struct zone_tables *tables,
		  const struct policy_runtime *rt)
{
	const struct policy_upstream *ups;
	struct dns_proxy *p;
	size_t n, i;
	int rc;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->tables = tables;
	p->rt = rt;
	p->udp4 = p->udp6 = p->tcp4 = p->tcp6 = p->up4 = p->up6 = -1;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	p->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (p->epfd < 0 || p->timerfd < 0) {
		rc = -errno;
		goto out_free;
	}
	ups = zone_dns_upstreams(zone_tables_zone(tables), &n);
	for (i = 0; i < n; i++)
		dns_proxy_add_upstream(p, &ups[i].addr, ups[i].port);
	if (!n)
		dns_proxy_system_upstreams(p);
	rc = p->udp4 = dns_proxy_listen(p, AF_INET, SOCK_DGRAM,
					DNS_PROXY_TAG_UDP4, &p->port4);
	if (rc < 0)
		goto out_free;
	rc = p->tcp4 = dns_proxy_listen(p, AF_INET, SOCK_STREAM,
					DNS_PROXY_TAG_TCP4, &p->tport4);
	if (rc < 0)
		goto out_free;
	/* IPv6 may be disabled on the host: the proxy then serves IPv4. */
	p->udp6 = dns_proxy_listen(p, AF_INET6, SOCK_DGRAM, DNS_PROXY_TAG_UDP6,
				   &p->port6);
	p->tcp6 = dns_proxy_listen(p, AF_INET6, SOCK_STREAM, DNS_PROXY_TAG_TCP6,
				   &p->tport6);
	p->up4 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	p->up6 = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (dns_proxy_epoll_add(p, p->timerfd, DNS_PROXY_TAG_TIMER, EPOLLIN) ||
	    (p->up4 >= 0 &&
	     dns_proxy_epoll_add(p, p->up4, DNS_PROXY_TAG_UP4, EPOLLIN)) ||
	    (p->up6 >= 0 &&
	     dns_proxy_epoll_add(p, p->up6, DNS_PROXY_TAG_UP6, EPOLLIN))) {
		rc = -errno;
		goto out_free;
	}
	/* Unused query slots are never looked at: no need to touch them. */
	*out = p;
	return 0;
out_free:
	dns_proxy_free(p);
	return rc;
}

void dns_proxy_free(struct dns_proxy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < DNS_PROXY_CLIENTS; i++)
		if (p->clients[i].used)
			close(p->clients[i].fd);
	for (i = 0; i < DNS_PROXY_QUERIES; i++) {
		if (p->queries[i].used && p->queries[i].tcp_fd >= 0)
			close(p->queries[i].tcp_fd);
		free(p->queries[i].tcp_buf);
	}
	if (p->udp4 >= 0)
		close(p->udp4);
	if (p->udp6 >= 0)
		close(p->udp6);
	if (p->tcp4 >= 0)
		close(p->tcp4);
	if (p->tcp6 >= 0)
		close(p->tcp6);
	if (p->up4 >= 0)
		close(p->up4);
	if (p->up6 >= 0)
		close(p->up6);
	if (p->timerfd >= 0)
		close(p->timerfd);
	if (p->epfd >= 0)
		close(p->epfd);
	free(p->cache);
	free(p);
}

int dns_proxy_fd(const struct dns_proxy *p)
{
	return p->epfd;
}

int dns_proxy_target(const struct dns_proxy *p, int sock_family, bool v4_dest,
		     unsigned proto, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	uint16_t port4 = proto == POLICY_PROTO_TCP ? p->tport4 : p->port4;
	uint16_t port6 = proto == POLICY_PROTO_TCP ? p->tport6 : p->port6;

	memset(ss, 0, sizeof(*ss));
	if (sock_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port4);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
		return 0;
	}
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		*len = sizeof(*in6);
		if (v4_dest ||
		    (proto == POLICY_PROTO_TCP ? p->tcp6 : p->udp6) < 0) {
			/* A dual-stack socket reaching the IPv4 proxy. */
			in6->sin6_port = htons(port4);
			in6->sin6_addr.s6_addr[10] = 0xff;
			in6->sin6_addr.s6_addr[11] = 0xff;
			in6->sin6_addr.s6_addr[12] = 127;
			in6->sin6_addr.s6_addr[15] = 1;
		} else {
			in6->sin6_port = htons(port6);
			in6->sin6_addr = in6addr_loopback;
		}
	}
	return 0;
}

/*
 * A port is the proxy's only while its socket exists: without IPv6 (or when
 * a listen failed) the port stays 0, and [::1]:0 must not read as the proxy.
 */
static bool dns_proxy_port_is4(const struct dns_proxy *p, uint16_t port)
{
	return (p->udp4 >= 0 && port == p->port4) ||
	       (p->tcp4 >= 0 && port == p->tport4);
}

bool dns_proxy_is_proxy(const struct dns_proxy *p, const struct sockaddr *sa,
			socklen_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		uint16_t port = ntohs(in->sin_port);

		return in->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
		       dns_proxy_port_is4(p, port);
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;
		uint16_t port = ntohs(in6->sin6_port);
		static const uint8_t mapped_lo[16] = {
			[10] = 0xff, [11] = 0xff, [12] = 127, [15] = 1};

		if (!memcmp(&in6->sin6_addr, &in6addr_loopback, 16))
			return (p->udp6 >= 0 && port == p->port6) ||
			       (p->tcp6 >= 0 && port == p->tport6);
		if (!memcmp(&in6->sin6_addr, mapped_lo, 16))
			return dns_proxy_port_is4(p, port);
	}
	return false;
}

size_t dns_proxy_pinned(const struct dns_proxy *p, const struct policy_addr *a,
			const char **names, size_t max)
{
	uint64_t now = time_mono_ns();
	struct policy_addr n, pn;
	size_t i, found = 0;

	if (!p->n_pins)
		return 0;
	policy_addr_normalize(a, &n);
	for (i = 0; i < DNS_PROXY_PINS && found < max; i++) {
		const struct dns_proxy_pin *pin = &p->pins[i];

		if (!pin->used || pin->expires_ns < now)
			continue;
		policy_addr_normalize(&pin->addr, &pn);
		if (pn.family == n.family &&
		    !memcmp(pn.b, n.b, n.family == 4 ? 4 : 16))
			names[found++] = pin->name;
	}
	return found;
}

static void dns_proxy_pin(struct dns_proxy *p, const char *name,
			  const struct policy_addr *a, uint32_t ttl)
{
	uint64_t now = time_mono_ns();
	struct dns_proxy_pin *slot = NULL;
	size_t i;

	if (ttl < DNS_PROXY_PIN_MIN_TTL)
		ttl = DNS_PROXY_PIN_MIN_TTL;
	for (i = 0; i < DNS_PROXY_PINS; i++) {
		struct dns_proxy_pin *pin = &p->pins[i];

		if (pin->used && !strcmp(pin->name, name) &&
		    pin->addr.family == a->family &&
		    !memcmp(pin->addr.b, a->b, 16)) {
			slot = pin;
			break;
		}
		if (!slot && (!pin->used || pin->expires_ns < now))
			slot = pin;
	}
	if (!slot) {
		/* Full of live pins: replace in turn (the oldest first). */
		slot = &p->pins[p->pin_next++ % DNS_PROXY_PINS];
	}
	if (!slot->used)
		p->n_pins++;
	slot->used = true;
	slot->addr = *a;
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->expires_ns =
		now + ((uint64_t)ttl + DNS_PROXY_PIN_GRACE_S) * 1000000000ULL;
}

/*
 * A query ID for upstream from a pool of getrandom() bytes (one call per
 * 32 queries, not one each).
 */
static uint16_t dns_proxy_random_id(struct dns_proxy *p)
{
	uint16_t id;

	if (p->rnd_left < sizeof(id)) {
		if (getrandom(p->rnd, sizeof(p->rnd), 0) !=
		    (ssize_t)sizeof(p->rnd)) {
			return (uint16_t)(time_mono_ns() ^
					  (time_mono_ns() >> 16));
		}
		p->rnd_left = sizeof(p->rnd);
	}
	p->rnd_left -= sizeof(id);
	memcpy(&id, p->rnd + p->rnd_left, sizeof(id));
	return id;
}

/*
 * Arm the timer for the earliest retry deadline. It is only moved earlier:
 * a later or vanished deadline leaves it armed, and a wake-up that finds
 * nothing due re-arms it (dns_proxy_timeouts), so the common query costs
 * no timerfd_settime() at all once the timer runs.
 */
static void dns_proxy_arm_timer(struct dns_proxy *p)
{
	struct itimerspec its = {0};
	uint64_t next = 0, now = time_mono_ns();
	size_t i;

	for (i = 0; i < DNS_PROXY_QUERIES; i++) {
		const struct dns_proxy_query *q = &p->queries[i];

		if (q->used && (!next || q->try_deadline < next))
			next = q->try_deadline;
	}
	if (p->armed_ns > now && (!next || p->armed_ns <= next))
		return;
	p->armed_ns = next;
	if (next) {
		uint64_t d = next > now ? next - now : 1000;

		its.it_value.tv_sec = (time_t)(d / 1000000000ULL);
		its.it_value.tv_nsec = (long)(d % 1000000000ULL);
	}
	timerfd_settime(p->timerfd, 0, &its, NULL);
}

/* Send a reply to the job: over UDP to @peer from @udp_tag's socket, or
 * framed over TCP client @client. */
static void dns_proxy_reply(struct dns_proxy *p, int client, int udp_tag,
			    const struct sockaddr_storage *peer,
			    socklen_t peer_len, const uint8_t *msg, size_t len)
{
	if (client >= 0) {
		struct dns_proxy_client *c = &p->clients[client];
		uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
		struct iovec iov[2] = {{hdr, 2}, {(void *)msg, len}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};

		if (!c->used ||
		    sendmsg(c->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) !=
			    (ssize_t)(len + 2)) {
			/* A job too slow to read its answer loses it. */
			return;
		}
		return;
	}
	sendto(udp_tag == DNS_PROXY_TAG_UDP6 ? p->udp6 : p->udp4, msg, len,
	       MSG_DONTWAIT, (const struct sockaddr *)peer, peer_len);
}

static void dns_proxy_query_done(struct dns_proxy *p, struct dns_proxy_query *q)
{
	if (q->tcp_fd >= 0) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, q->tcp_fd, NULL);
		close(q->tcp_fd);
	}
	free(q->tcp_buf);
	q->tcp_buf = NULL;
	q->used = false;
	q->tcp_fd = -1;
}

static void dns_proxy_fail(struct dns_proxy *p, struct dns_proxy_query *q,
			   int rcode, const char *what)
{
	uint8_t out[1024];
	ssize_t n = dns_msg_reply_error(q->job_msg, q->job_len, &q->q, rcode,
					out, sizeof(out));

	if (n > 0) {
		dns_msg_set_id(out, (size_t)n, q->job_id);
		dns_proxy_reply(p, q->client, q->udp_tag, &q->peer, q->peer_len,
				out, (size_t)n);
	}
	dns_proxy_event(p, q->q.q.name, q->q.q.qtype, NULL, 0, what);
	dns_proxy_query_done(p, q);
}

static int dns_proxy_send_up(struct dns_proxy *p, struct dns_proxy_query *q)
{
	const struct sockaddr_storage *up = &p->ups[q->upstream];
	int fd = up->ss_family == AF_INET6 ? p->up6 : p->up4;

	if (fd < 0)
		return -EAFNOSUPPORT;
	dns_msg_set_id(q->msg, q->msg_len, q->up_id);
	if (sendto(fd, q->msg, q->msg_len, MSG_DONTWAIT,
		   (const struct sockaddr *)up, p->ups_len[q->upstream]) < 0)
		return -errno;
	return 0;
}

/* Ask the current upstream over TCP (after a truncated UDP answer). */
static int dns_proxy_start_tcp(struct dns_proxy *p, struct dns_proxy_query *q,
			       size_t idx)
{
	const struct sockaddr_storage *up = &p->ups[q->upstream];
	int fd = socket(up->ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!q->tcp_buf)
		q->tcp_buf = malloc(2 + DNS_MSG_MAX);
	if (!q->tcp_buf) {
		close(fd);
		return -ENOMEM;
	}
	if (connect(fd, (const struct sockaddr *)up, p->ups_len[q->upstream]) <
		    0 &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return -e;
	}
	q->tcp_fd = fd;
	q->tcp_have = 0;
	q->tcp_sent = false;
	return dns_proxy_epoll_add(p, fd,
				   DNS_PROXY_TAG_UPTCP | ((uint64_t)idx << 8),
				   EPOLLOUT | EPOLLIN);
}

/* The upstream answered @q: validate, strip, pin, answer the job. */
static bool dns_proxy_cache_key(const struct dns_proxy_cached *e,
				const struct dns_query *dq)
{
	return e->used && e->qtype == dq->q.qtype &&
	       e->qclass == dq->q.qclass && e->opt == dq->has_opt &&
	       e->edns_do == dq->edns_do && !strcasecmp(e->name, dq->q.name);
}

/* Keep a validated upstream answer @msg (parsed in @r) for @q's question. */
static void dns_proxy_cache_store(struct dns_proxy *p,
				  const struct dns_proxy_query *q,
				  const uint8_t *msg, size_t len,
				  const struct dns_response *r)
{
	struct dns_proxy_cached *e = NULL, *oldest = NULL;
	uint64_t now = time_mono_ns();
	uint32_t ttl = DNS_PROXY_CACHE_MAX_S;
	size_t i;

	if (r->rcode != 0 || r->truncated || !r->n_answers ||
	    r->an_count != r->n_answers || len > sizeof(e->msg))
		return;
	for (i = 0; i < r->n_answers; i++)
		ttl = r->answers[i].ttl < ttl ? r->answers[i].ttl : ttl;
	if (!ttl)
		return;
	if (!p->cache) {
		p->cache = calloc(DNS_PROXY_CACHE, sizeof(*p->cache));
		if (!p->cache)
			return;
	}
	for (i = 0; i < DNS_PROXY_CACHE && !e; i++) {
		struct dns_proxy_cached *c = &p->cache[i];

		if (!c->used || c->expires_ns <= now ||
		    dns_proxy_cache_key(c, &q->q))
			e = c;
		else if (!oldest || c->stored_ns < oldest->stored_ns)
			oldest = c;
	}
	if (!e)
		e = oldest;
	e->used = true;
	snprintf(e->name, sizeof(e->name), "%s", q->q.q.name);
	for (i = 0; e->name[i]; i++)
		e->name[i] = (char)tolower((unsigned char)e->name[i]);
	e->qtype = q->q.q.qtype;
	e->qclass = q->q.q.qclass;
	e->opt = q->q.has_opt;
	e->edns_do = q->q.edns_do;
	e->stored_ns = now;
	e->expires_ns = now + (uint64_t)ttl * 1000000000ULL;
	memcpy(e->msg, msg, len);
	e->len = len;
}

/*
 * The cached answer to @q's question, if there is one: copied to @out
 * (DNS_EDNS_UDP_SIZE bytes) with each answer's TTL lowered by the entry's
 * age. Return: its length, or 0.
 */
static size_t dns_proxy_cache_find(struct dns_proxy *p,
				   const struct dns_proxy_query *q,
				   uint8_t *out)
{
	static struct dns_response r;
	uint64_t now = time_mono_ns();
	size_t i;

	for (i = 0; p->cache && i < DNS_PROXY_CACHE; i++) {
		struct dns_proxy_cached *e = &p->cache[i];
		uint32_t age;
		size_t j;

		if (!dns_proxy_cache_key(e, &q->q))
			continue;
		if (e->expires_ns <= now) {
			e->used = false;
			return 0;
		}
		age = (uint32_t)((now - e->stored_ns) / 1000000000ULL);
		memcpy(out, e->msg, e->len);
		if (dns_msg_response_parse(out, e->len, &r) < 0)
			return 0;
		for (j = 0; j < r.n_answers; j++) {
			uint32_t ttl = r.answers[j].ttl;

			dns_msg_put_ttl(out, r.answers[j].rdata_off,
					ttl > age ? ttl - age : 1);
		}
		return e->len;
	}
	return 0;
}

static void dns_proxy_answer(struct dns_proxy *p, struct dns_proxy_query *q,
			     const uint8_t *msg, size_t len, bool via_tcp)
{
	static struct dns_response r;
	static uint8_t out[DNS_MSG_MAX];
	bool keep[DNS_MAX_RR], chain[DNS_MAX_RR];
	struct dns_svcb_report svcb;
	char what[160];
	struct dns_rebuild how = {
		.id = q->job_id,
		.question = q->job_msg + q->q.q.wire_off,
		.question_len = q->q.q.wire_len,
		.opt = q->q.has_opt,
		.udp_size = DNS_EDNS_UDP_SIZE,
		.max_len = dns_msg_reply_max(&q->q, q->client >= 0),
		.svcb = &svcb,
	};
	unsigned stripped = 0;
	ssize_t n;
	size_t i;

	if (dns_msg_response_parse(msg, len, &r) < 0 ||
	    !dns_msg_question_equal(&r.q, &q->q.q)) {
		dns_proxy_fail(p, q, 2, "upstream answer malformed");
		return;
	}
	if (r.truncated && !via_tcp && q->client >= 0) {
		/* The job asked over TCP: get the whole answer over TCP. */
		if (dns_proxy_start_tcp(p, q, (size_t)(q - p->queries)) < 0)
			dns_proxy_fail(p, q, 2, "upstream TCP failed");
		return;
	}
	dns_msg_response_chain(&r, chain);
	for (i = 0; i < r.n_answers; i++) {
		struct dns_rr *rr = &r.answers[i];
		struct policy_connect c = {.have_addr = true,
					   .proto = POLICY_PROTO_TCP,
					   .port = 443};
		struct policy_decision d;

		keep[i] = true;
		if (rr->type != 1 && rr->type != 28)
			continue;
		c.addr.family = rr->type == 1 ? 4 : 6;
		memcpy(c.addr.b, rr->addr, rr->type == 1 ? 4 : 16);
		/* Addresses the zone always denies never reach the job. */
		zone_decide_connect(p->tables, p->rt, &c, &d);
		if (d.reason == POLICY_REASON_ALWAYS_DENIED) {
			keep[i] = false;
			stripped++;
			continue;
		}
		/* Addresses that do not answer the question are dropped. */
		if (!chain[i]) {
			keep[i] = false;
			continue;
		}
		dns_proxy_pin(p, q->q.q.name, &c.addr, rr->ttl);
	}
	n = dns_msg_response_rebuild(msg, len, &r, keep, &how, out,
				     sizeof(out));
	if (n < 0) {
		dns_proxy_fail(p, q, 2, "answer could not be rebuilt");
		return;
	}
	dns_proxy_reply(p, q->client, q->udp_tag, &q->peer, q->peer_len, out,
			(size_t)n);
	/* ECH configs never reach the job (dns_msg_svcb_strip()): the relay
	 * refuses the ClientHellos they would lead to. */
	snprintf(what, sizeof(what), "answered%s%s%s%s",
		 q->cached ? " from cache" : "",
		 stripped ? "; always-denied addresses stripped" : "",
		 svcb.ech_removed ? "; ech removed from HTTPS/SVCB" : "",
		 svcb.dropped ? "; HTTPS/SVCB dropped (malformed, ech "
				"mandatory)"
			      : "");
	dns_proxy_event(p, q->q.q.name, q->q.q.qtype, NULL, stripped, what);
	if (!q->cached)
		dns_proxy_cache_store(p, q, msg, len, &r);
	dns_proxy_query_done(p, q);
}

/* A query from the job, over UDP (@client < 0) or TCP. */
static void dns_proxy_query_in(struct dns_proxy *p, const uint8_t *msg,
			       size_t len, int client, int udp_tag,
			       const struct sockaddr_storage *peer,
			       socklen_t peer_len)
{
	struct policy_decision d;
	struct dns_proxy_query *q = NULL;
	struct dns_query dq;
	uint8_t out[1024];
	size_t i;
	ssize_t n;

	if (dns_msg_query_parse(msg, len, &dq) < 0) {
		/* Not a query we understand: nothing is forwarded. */
		dns_proxy_event(p, "", 0, NULL, 0, "malformed query dropped");
		return;
	}
	zone_decide_resolve(p->tables, dq.q.name, strlen(dq.q.name), &d);
	if (d.verdict == POLICY_VERDICT_DENY || !p->n_ups) {
		n = dns_msg_reply_error(
			msg, len, &dq, d.verdict == POLICY_VERDICT_DENY ? 3 : 2,
			out, sizeof(out));
		if (n > 0)
			dns_proxy_reply(p, client, udp_tag, peer, peer_len, out,
					(size_t)n);
		dns_proxy_event(p, dq.q.name, dq.q.qtype, &d, 0,
				d.verdict == POLICY_VERDICT_DENY
					? "NXDOMAIN (not forwarded)"
					: "SERVFAIL (no upstream resolver)");
		return;
	}
	for (i = 0; i < DNS_PROXY_QUERIES; i++) {
		if (!p->queries[i].used) {
			q = &p->queries[i];
			break;
		}
	}
	if (!q || len > sizeof(q->job_msg)) {
		n = dns_msg_reply_error(msg, len, &dq, 2, out, sizeof(out));
		if (n > 0)
			dns_proxy_reply(p, client, udp_tag, peer, peer_len, out,
					(size_t)n);
		return;
	}
	q->used = true;
	q->tcp_fd = -1;
	q->tcp_buf = NULL;
	q->tcp_have = 0;
	q->tcp_sent = false;
	q->upstream = 0;
	q->q = dq;
	q->job_id = dq.id;
	q->client = client;
	q->udp_tag = udp_tag;
	if (peer)
		q->peer = *peer;
	q->peer_len = peer_len;
	/*
	 * What goes upstream is rebuilt from the question alone: the job's
	 * other sections and EDNS options never leave (they could carry data).
	 * The job's own bytes are kept for echoing its question.
	 */
	memcpy(q->job_msg, msg, len);
	q->job_len = len;
	q->cached = false;
	{
		static uint8_t hit[DNS_EDNS_UDP_SIZE];
		size_t hit_len = dns_proxy_cache_find(p, q, hit);

		if (hit_len) {
			q->cached = true;
			p->cache_hits++;
			dns_proxy_answer(p, q, hit, hit_len, false);
			return;
		}
	}
	dns_proxy_event(p, dq.q.name, dq.q.qtype, &d, 0, "forwarded");
	q->up_id = dns_proxy_random_id(p);
	n = dns_msg_query_clean(msg, len, &dq, q->msg, sizeof(q->msg));
	if (n < 0) {
		dns_proxy_fail(p, q, 2, "query could not be rebuilt");
		return;
	}
	q->msg_len = (size_t)n;
	q->max_reply = dq.has_opt && dq.udp_size > 512 ? dq.udp_size : 512;
	q->deadline = time_mono_ns() + DNS_PROXY_DEADLINE_MS * 1000000ULL;
	q->try_deadline = time_mono_ns() + DNS_PROXY_TRY_MS * 1000000ULL;
	if (client >= 0) {
		/* A TCP client may take a long answer: ask over TCP. */
		if (dns_proxy_start_tcp(p, q, i) < 0)
			dns_proxy_fail(p, q, 2, "upstream TCP failed");
	} else if (dns_proxy_send_up(p, q) < 0) {
		dns_proxy_fail(p, q, 2, "upstream unreachable");
	}
	dns_proxy_arm_timer(p);
}

static void dns_proxy_udp_in(struct dns_proxy *p, int tag)
{
	static uint8_t buf[DNS_MSG_MAX];
	int fd = tag == DNS_PROXY_TAG_UDP6 ? p->udp6 : p->udp4;

	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	ssize_t n;

	/*
	 * One datagram per wake-up: the epoll set is level-triggered, so
	 * more waiting wakes us again, and no read ends in EAGAIN.
	 */
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&peer, &plen);
	if (n >= 0)
		dns_proxy_query_in(p, buf, (size_t)n, -1, tag, &peer, plen);
}

static void dns_proxy_up_in(struct dns_proxy *p, int fd)
{
	static uint8_t buf[DNS_MSG_MAX];

	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;
	size_t i;

	/* One datagram per wake-up (level-triggered, as dns_proxy_udp_in). */
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &flen);
	if (n < 12)
		return;
	for (i = 0; i < DNS_PROXY_QUERIES; i++) {
		struct dns_proxy_query *q = &p->queries[i];
		uint16_t id = (uint16_t)(buf[0] << 8 | buf[1]);

		/* The answer must come from the upstream we asked. */
		if (!q->used || q->up_id != id || q->tcp_fd >= 0 ||
		    flen != p->ups_len[q->upstream] ||
		    memcmp(&from, &p->ups[q->upstream], flen))
			continue;
		dns_proxy_answer(p, q, buf, (size_t)n, false);
		break;
	}
}

static void dns_proxy_up_tcp(struct dns_proxy *p, size_t idx, uint32_t ev)
{
	struct dns_proxy_query *q = &p->queries[idx];

	if (idx >= DNS_PROXY_QUERIES || !q->used || q->tcp_fd < 0)
		return;
	if (!q->tcp_sent && (ev & EPOLLOUT)) {
		uint8_t hdr[2] = {(uint8_t)(q->msg_len >> 8),
				  (uint8_t)q->msg_len};
		struct iovec iov[2] = {{hdr, 2}, {q->msg, q->msg_len}};
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
		struct epoll_event e = {.events = EPOLLIN,
					.data.u64 = DNS_PROXY_TAG_UPTCP |
						    ((uint64_t)idx << 8)};

		dns_msg_set_id(q->msg, q->msg_len, q->up_id);
		if (sendmsg(q->tcp_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    (ssize_t)(q->msg_len + 2)) {
			dns_proxy_fail(p, q, 2, "upstream TCP failed");
			return;
		}
		q->tcp_sent = true;
		epoll_ctl(p->epfd, EPOLL_CTL_MOD, q->tcp_fd, &e);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n = recv(q->tcp_fd, q->tcp_buf + q->tcp_have,
				 2 + DNS_MSG_MAX - q->tcp_have, MSG_DONTWAIT);
		size_t want;

		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				return;
			dns_proxy_fail(p, q, 2, "upstream TCP closed");
			return;
		}
		q->tcp_have += (size_t)n;
		if (q->tcp_have < 2)
			return;
		want = (size_t)q->tcp_buf[0] << 8 | q->tcp_buf[1];
		if (q->tcp_have < 2 + want)
			return;
		if (want < 12 || (uint16_t)(q->tcp_buf[2] << 8 |
					    q->tcp_buf[3]) != q->up_id) {
			dns_proxy_fail(p, q, 2, "upstream TCP answer invalid");
			return;
		}
		dns_proxy_answer(p, q, q->tcp_buf + 2, want, true);
	}
}

static void dns_proxy_accept(struct dns_proxy *p, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		size_t i;

		if (fd < 0)
			return;
		for (i = 0; i < DNS_PROXY_CLIENTS; i++)
			if (!p->clients[i].used)
				break;
		if (i == DNS_PROXY_CLIENTS ||
		    dns_proxy_epoll_add(
			    p, fd, DNS_PROXY_TAG_CLIENT | ((uint64_t)i << 8),
			    EPOLLIN) < 0) {
			close(fd);
			continue;
		}
		p->clients[i].used = true;
		p->clients[i].fd = fd;
		p->clients[i].have = 0;
	}
}

static void dns_proxy_client_close(struct dns_proxy *p, size_t i)
{
	size_t j;

	/* Queries still waiting for this client answer nobody. */
	for (j = 0; j < DNS_PROXY_QUERIES; j++)
		if (p->queries[j].used && p->queries[j].client == (int)i)
			dns_proxy_query_done(p, &p->queries[j]);
	epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->clients[i].fd, NULL);
	close(p->clients[i].fd);
	p->clients[i].used = false;
}

static void dns_proxy_client_in(struct dns_proxy *p, size_t i)
{
	struct dns_proxy_client *c = &p->clients[i];

	if (i >= DNS_PROXY_CLIENTS || !c->used)
		return;
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->have,
				 sizeof(c->buf) - c->have, MSG_DONTWAIT);
		size_t want;

		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			dns_proxy_client_close(p, i);
			return;
		}
		if (n < 0)
			return;
		c->have += (size_t)n;
		/* Several framed queries may sit in the buffer. */
		while (c->have >= 2) {
			want = (size_t)c->buf[0] << 8 | c->buf[1];
			if (c->have < 2 + want)
				break;
			dns_proxy_query_in(p, c->buf + 2, want, (int)i, 0, NULL,
					   0);
			memmove(c->buf, c->buf + 2 + want, c->have - 2 - want);
			c->have -= 2 + want;
		}
	}
}

static void dns_proxy_timeouts(struct dns_proxy *p)
{
	uint64_t now = time_mono_ns(), ticks;
	size_t i;

	if (read(p->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (i = 0; i < DNS_PROXY_QUERIES; i++) {
		struct dns_proxy_query *q = &p->queries[i];

		if (!q->used || q->try_deadline > now)
			continue;
		if (q->deadline <= now || q->upstream + 1 >= p->n_ups) {
			dns_proxy_fail(p, q, 2, "upstream timed out");
			continue;
		}
		/* Try the next upstream resolver. */
		q->upstream++;
		q->try_deadline = now + DNS_PROXY_TRY_MS * 1000000ULL;
		if (q->tcp_fd >= 0) {
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, q->tcp_fd, NULL);
			close(q->tcp_fd);
			q->tcp_fd = -1;
			if (dns_proxy_start_tcp(p, q, i) < 0)
				dns_proxy_fail(p, q, 2, "upstream TCP failed");
		} else if (dns_proxy_send_up(p, q) < 0) {
			dns_proxy_fail(p, q, 2, "upstream unreachable");
		}
	}
	dns_proxy_arm_timer(p);
}

int dns_proxy_run(struct dns_proxy *p)
{
	struct epoll_event evs[32];
	int n, i;

	n = epoll_wait(p->epfd, evs, ARRAY_SIZE(evs), 0);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		uint64_t v = evs[i].data.u64;

		switch ((enum dns_proxy_tag)(v & 0xff)) {
		case DNS_PROXY_TAG_UDP4:
		case DNS_PROXY_TAG_UDP6:
			dns_proxy_udp_in(p, (int)(v & 0xff));
			break;
		case DNS_PROXY_TAG_TCP4:
			dns_proxy_accept(p, p->tcp4);
			break;
		case DNS_PROXY_TAG_TCP6:
			dns_proxy_accept(p, p->tcp6);
			break;
		case DNS_PROXY_TAG_UP4:
			dns_proxy_up_in(p, p->up4);
			break;
		case DNS_PROXY_TAG_UP6:
			dns_proxy_up_in(p, p->up6);
			break;
		case DNS_PROXY_TAG_TIMER:
			dns_proxy_timeouts(p);
			break;
		case DNS_PROXY_TAG_CLIENT:
			dns_proxy_client_in(p, (size_t)(v >> 8));
			break;
		case DNS_PROXY_TAG_UPTCP:
			dns_proxy_up_tcp(p, (size_t)(v >> 8), evs[i].events);
			break;
		}
	}
	return n;
}
