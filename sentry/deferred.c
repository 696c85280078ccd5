/* SPDX-License-Identifier: MIT */
/*
 * deferred.c - the table of calls answered later and their one completion
 * path (see deferred.h). Not responsible for the operations waited for:
 * sys_net.c and sys_open.c finish their kinds and call deferred_finish().
 *
 * Theory of operation
 * -------------------
 * A deferred call was judged and allowed; what remains is to wait as the
 * kernel would have waited, and to stop waiting when the kernel would have:
 *
 *  1. Completion. The supervisor's duplicate of the socket is in the loop's
 *     epoll set; when it is ready, the kind's code finishes the call (or
 *     keeps waiting: a send that still does not fit).
 *  2. The socket's own timeout. Natively a blocking call on a socket with
 *     SO_RCVTIMEO / SO_SNDTIMEO set gives up after it (sock_rcvtimeo() and
 *     sock_sndtimeo() in the kernel): recv and send fail with EAGAIN;
 *     connect returns what __inet_stream_connect() had set before it waited
 *     - EINPROGRESS for the connect that started the handshake, EALREADY for
 *     one repeated on a connecting socket - since inet_wait_for_connect()
 *     returning 0 jumps out with that error. The timeout is read with
 *     getsockopt() on the supervisor's duplicate (the same open file
 *     description and socket), when the call is deferred, so the deadline
 *     starts a few microseconds after the native one would.
 *  3. Signals. With SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19) the
 *     caller waits killably once the supervisor has received the call: a
 *     non-fatal signal is queued but wakes nothing. So while any call is
 *     deferred the table polls, every DEFERRED_POLL_NS (stretched with the
 *     number of entries), /proc/TID/status of each caller
 *     (proc_signal_pending(): SigPnd, ShdPnd against SigBlk and SigIgn). A
 *     pending signal ends the call as the kernel would: sock_intr_errno()
 *     gives -ERESTARTSYS when the timeout is infinite, -EINTR when one is
 *     set; a FIFO open (fifo_open(), wait_for_partner()) gives
 *     -ERESTARTSYS. The table answers DEFERRED_ERESTARTSYS or EINTR, and
 *     the kernel's signal delivery on the way back to user mode turns the
 *     former into EINTR or a restart according to the handler's
 *     SA_RESTART. A restarted call is notified again and judged from the
 *     start: a restarted connect finds its socket connecting (EALREADY
 *     from the supervisor's non-blocking attempt) and is deferred again,
 *     which is what a native restarted connect does (it waits on).
 *     Calls that are not deferred pay nothing for this: the poll only runs
 *     while the table is not empty.
 *  4. Dead callers. A caller killed meanwhile (SIGKILL, a fatal signal, its
 *     process exiting) makes SECCOMP_IOCTL_NOTIF_ID_VALID fail; the poll
 *     frees its entry without an answer. Without that, a connect to a host
 *     that never answers would hold its entry for the kernel's whole SYN
 *     retry time (~2 min) after its caller died.
 *
 * The table has DEFERRED_MAX entries; when it is full, a call that would be
 * deferred is refused with DEFERRED_FULL_ERRNO and recorded as a denial
 * (fail closed: the supervisor never blocks, and never lets the kernel run
 * the call).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

int deferred_init(struct deferred_table *t)
{
	/*
	 * Nothing in @e is written here: each entry gets its call storage
	 * when deferred_add() takes it. Writing 1024 pointers touched the
	 * table's 70 pages at every start (70 page faults, ~1 ms on a
	 * PVM guest) for runs that never defer a call.
	 */
	t->calls = calloc(DEFERRED_MAX, sizeof(*t->calls));
	if (!t->calls)
		return -ENOMEM;
	t->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->timerfd < 0) {
		int e = errno;

		free(t->calls);
		t->calls = NULL;
		return -e;
	}
	return 0;
}

static void deferred_release(struct deferred_table *t, struct deferred *d)
{
	(void)t;
	/* Sent or not, the supervisor's copies of passed fds go now. */
	if (d->req.kind == DEFERRED_SEND)
		sys_net_close_rights(d->req.control, d->req.msg.msg_controllen);
	if (d->req.fd >= 0)
		close(d->req.fd);
	free(d->req.data);
	free(d->req.control);
	d->req.fd = -1;
	d->req.data = d->req.control = NULL;
}

void deferred_fini(struct deferred_table *t)
{
	size_t i;

	if (!t->calls)
		return;
	/* n_used counts the used entries: none, no page of @e to read. */
	for (i = 0; i < DEFERRED_MAX && t->n_used; i++)
		if (t->e[i].used)
			deferred_release(t, &t->e[i]);
	close(t->timerfd);
	free(t->calls);
	t->calls = NULL;
}

int deferred_timerfd(const struct deferred_table *t)
{
	return t->timerfd;
}

size_t deferred_index(const struct deferred_table *t, const struct deferred *d)
{
	return (size_t)(d - t->e);
}

struct deferred *deferred_get(struct deferred_table *t, size_t idx,
			      uint32_t gen)
{
	if (idx >= DEFERRED_MAX || !t->e[idx].used)
		return NULL;
	if (gen && t->e[idx].gen != gen)
		return NULL;
	return &t->e[idx];
}

/* Arm the timerfd for the next deadline or signal poll (or disarm). */
static void deferred_arm(struct deferred_table *t, uint64_t now)
{
	struct itimerspec its = {0};
	uint64_t next, d = 0;
	size_t i;

	if (t->n_used) {
		next = now + DEFERRED_POLL_NS +
		       t->n_used * DEFERRED_POLL_PER_NS;
		for (i = 0; i < DEFERRED_MAX; i++)
			if (t->e[i].used && t->e[i].deadline_ns &&
			    t->e[i].deadline_ns < next)
				next = t->e[i].deadline_ns;
		d = next > now ? next - now : 1;
		its.it_value.tv_sec = (time_t)(d / 1000000000ULL);
		its.it_value.tv_nsec = (long)(d % 1000000000ULL);
	}
	timerfd_settime(t->timerfd, 0, &its, NULL);
}

/* The socket's own timeout for @req's kind, in ns; 0 when none is set. */
static uint64_t deferred_sock_timeout(const struct deferred_req *req)
{
	struct timeval tv = {0};
	socklen_t l = sizeof(tv);
	int opt;

	if (req->kind == DEFERRED_FIFO || req->fd < 0)
		return 0;
	opt = req->kind == DEFERRED_RECV ? SO_RCVTIMEO : SO_SNDTIMEO;
	if (getsockopt(req->fd, SOL_SOCKET, opt, &tv, &l) < 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000000000ULL +
	       (uint64_t)tv.tv_usec * 1000ULL;
}

/* The copy keeps its own rule text: @rule may point into @rule_buf. */
static void deferred_copy_call(struct sentry_call *dst,
			       const struct sentry_call *src)
{
	*dst = *src;
	if (src->v.rule == src->v.rule_buf)
		dst->v.rule = dst->v.rule_buf;
	dst->exe_fd = -1;
}

int deferred_add(struct sentry *s, struct sentry_call *c,
		 const struct deferred_req *req)
{
	struct deferred_table *t = &s->deferred;
	struct deferred *d = NULL;
	uint64_t now = time_mono_ns(), timeo;
	size_t i;

	for (i = 0; i < DEFERRED_MAX; i++) {
		if (!t->e[i].used) {
			d = &t->e[i];
			d->call = &t->calls[i];
			break;
		}
	}
	if (!d) {
		t->n_full++;
		return -EAGAIN;
	}
	if (req->fd >= 0) {
		struct epoll_event ev = {
			.events =
				req->kind == DEFERRED_RECV ? EPOLLIN : EPOLLOUT,
			.data.u64 = SENTRY_EPOLL_DEFERRED | ((uint64_t)i << 16),
		};

		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, req->fd, &ev) < 0)
			return -errno;
	}
	d->req = *req;
	/* The message pointed into the handler's copy: point it at ours. */
	if (d->req.msg.msg_namelen)
		d->req.msg.msg_name = d->req.name;
	d->req.msg.msg_iov = &d->req.iov;
	d->req.msg.msg_iovlen = 1;
	d->req.msg.msg_control =
		d->req.msg.msg_controllen ? d->req.control : NULL;
	timeo = deferred_sock_timeout(req);
	d->deadline_ns = timeo ? now + timeo : 0;
	if (req->kind == DEFERRED_RECV && t->redo_id == c->pc.id &&
	    t->redo_deadline_ns)
		d->deadline_ns = t->redo_deadline_ns;
	t->redo_id = 0;
	/*
	 * sock_intr_errno(): -ERESTARTSYS only for an infinite timeout; a
	 * FIFO open always restarts (wait_for_partner()).
	 */
	d->restart = !timeo;
	c->v.deferred = true;
	deferred_copy_call(d->call, c);
	d->used = true;
	d->gen++;
	if (!d->gen)
		d->gen = 1;
	t->n_used++;
	t->n_added++;
	if (t->n_used > t->peak)
		t->peak = t->n_used;
	deferred_arm(t, now);
	return (int)i;
}

void deferred_drop(struct sentry *s, struct deferred *d)
{
	struct deferred_table *t = &s->deferred;

	if (!d->used)
		return;
	if (d->req.fd >= 0)
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, d->req.fd, NULL);
	deferred_release(t, d);
	memset(&d->req, 0, sizeof(d->req));
	d->req.fd = -1;
	d->used = false;
	t->n_used--;
}

void deferred_finish(struct sentry *s, struct deferred *d, int64_t rc,
		     bool answered, const char *why)
{
	struct sentry_call *c = d->call;
	size_t l;

	if (!d->used)
		return;
	/*
	 * Close our duplicate before answering: if the job closes the socket
	 * right away, the last close (and the TCP teardown) is the job's.
	 */
	deferred_drop(s, d);
	s->deferred.n_done++;
	verdict_result(&c->v, rc);
	c->v.deferred = false;
	if (answered)
		verdict_answered(&c->v);
	l = strlen(c->detail);
	if (why && l < sizeof(c->detail))
		snprintf(c->detail + l, sizeof(c->detail) - l, " (%s)", why);
	sentry_verdict(s, c);
}

void deferred_fd_ready(struct sentry *s, size_t idx)
{
	struct deferred *d = deferred_get(&s->deferred, idx, 0);

	if (!d || d->req.kind == DEFERRED_FIFO)
		return;
	sys_net_deferred_ready(s, d);
}

/* Stop waiting: the kind's own clean-up (a FIFO helper to wake). */
static void deferred_cancel(struct sentry *s, struct deferred *d)
{
	if (d->req.kind == DEFERRED_FIFO)
		sys_open_fifo_cancel(s, d);
}

void deferred_tick(struct sentry *s)
{
	struct deferred_table *t = &s->deferred;
	uint64_t ticks, now;
	size_t i;
	ssize_t r;

	r = read(t->timerfd, &ticks, sizeof(ticks));
	(void)r; /* EAGAIN: a re-arm raced the read; look anyway */
	now = time_mono_ns();
	for (i = 0; i < DEFERRED_MAX && t->n_used; i++) {
		struct deferred *d = &t->e[i];
		int sig;

		if (!d->used)
			continue;
		if (platform_call_valid(s->plat, &d->call->pc) < 0) {
			/* The caller died: nobody to answer. */
			deferred_cancel(s, d);
			deferred_drop(s, d);
			t->n_gone++;
			continue;
		}
		if (d->deadline_ns && now >= d->deadline_ns) {
			deferred_cancel(s, d);
			t->n_timed_out++;
			deferred_finish(s, d, -(int64_t)d->req.timeout_err,
					false, "the socket's timeout passed");
			continue;
		}
		/*
		 * 2: the caller is being killed; its death (ID_VALID failing)
		 * frees the entry at a later tick, with nothing to answer.
		 */
		sig = proc_signal_pending(d->call->pc.tid);
		if (sig == 1) {
			deferred_cancel(s, d);
			t->n_interrupted++;
			deferred_finish(s, d,
					d->restart
						? -(int64_t)DEFERRED_ERESTARTSYS
						: -(int64_t)EINTR,
					false, "interrupted by a signal");
		}
	}
	deferred_arm(t, time_mono_ns());
}

void deferred_json(const struct deferred_table *t, struct jsonw *w)
{
	jsonw_key_obj(w, "deferred");
	jsonw_key_u64(w, "calls", t->n_added);
	jsonw_key_u64(w, "peak", t->peak);
	jsonw_key_u64(w, "answered", t->n_done);
	jsonw_key_u64(w, "timed_out", t->n_timed_out);
	jsonw_key_u64(w, "interrupted", t->n_interrupted);
	jsonw_key_u64(w, "callers_gone", t->n_gone);
	jsonw_key_u64(w, "refused_full", t->n_full);
	jsonw_key_u64(w, "live", t->n_used);
	jsonw_close(w);
}
