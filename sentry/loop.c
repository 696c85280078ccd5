/* SPDX-License-Identifier: MIT */
/*
 * loop.c - the supervisor's event loop: one epoll set dispatching on a typed
 * tag (enum sentry_epoll, sentry_priv.h), each case one call; signals to
 * cordon, reaping, the grace timer, the limits' samples and kills, the
 * job's output, netstack's services and the deferred calls (deferred.h).
 *
 * Theory of operation
 * -------------------
 * Notified calls are taken by the receiver thread (receiver.c); the loop
 * keeps everything else and holds s->lock while it touches the
 * supervisor's state, so handlers never run concurrently. The run ends when
 * the first process has been reaped (or, with --keep-going, when no process
 * of the tree is left), on a signal to cordon, when the anchor dies, or on
 * an internal error. Then every remaining process is killed: one walk of
 * the tree with SIGKILL, then our direct children (where every survivor
 * lands, since we are the subreaper) are killed and reaped until none is
 * left, with the whole tree walked again every SENTRY_KILL_REWALK reaps
 * (a fork bomb's survivors can fork faster than they are reparented).
 *
 * Not responsible for setting the job up (supervisor.c) nor for the report
 * (report.c).
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

/* Reaps between two walks of the whole tree while killing it. */
#define SENTRY_KILL_REWALK 32

int sentry_epoll_add(struct sentry *s, int fd, enum sentry_epoll tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void sentry_epoll_del(struct sentry *s, int fd)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void sentry_note_death(struct sentry *s, pid_t pid, int status)
{
	struct jsonw w;

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		return;
	s->n_sigsys++;
	audit_begin(&s->audit, &w, "event");
	jsonw_key_str(&w, "event", "killed-by-sigsys");
	jsonw_key_i64(&w, "pid", pid);
	jsonw_key_str(
		&w, "why",
		"a system call from a non-native ABI (int 0x80 or x32), or SIGSYS sent to it");
	jsonw_key_str(&w, "zone", s->o->zone_name);
	audit_commit(&s->audit, &w, 0, NULL, false);
	if (!diag_quiet())
		diag_note(
			"process %d killed by SIGSYS: cordon kills system calls from non-native ABIs (int 0x80, x32)",
			(int)pid);
}

static void sentry_reaped(struct sentry *s, pid_t pid, int status)
{
	sentry_note_death(s, pid, status);
	if (pid == s->job.pid) {
		s->root_reaped = true;
		s->root_status = status;
	}
}

/*
 * Reap what has exited, through the platform (a tracer owns the waiting and
 * hands exits over; platform_reap()); return true when no child is left.
 */
static bool sentry_reap(struct sentry *s)
{
	for (;;) {
		int status, rc;
		pid_t pid;

		rc = platform_reap(s->plat, &pid, &status);
		if (rc > 0) {
			sentry_reaped(s, pid, status);
			continue;
		}
		return rc == -ECHILD;
	}
}

/*
 * Everything dies, so a stop this waitpid() takes from a tracer no longer
 * matters (SIGKILL ends every ptrace stop); what the tracer reaped first is
 * in its queue, read before and after.
 */
void sentry_kill_all(struct sentry *s)
{
	unsigned int reaped = 0;

	s->killing = true;
	proctree_signal_tree(SIGKILL);
	if (s->plat)
		(void)sentry_reap(s);
	for (;;) {
		int status;
		pid_t pid;

		/*
		 * Survivors forked during the walk are reparented to us once
		 * their killed parent is gone. A fork bomb's survivor can fork
		 * again before that, one generation per reparenting: every
		 * SENTRY_KILL_REWALK reaps the whole tree is walked again, so
		 * such a chain is cut where it stands, not only at our
		 * children (the loop ends when nothing is left: ECHILD).
		 */
		proctree_signal_children(SIGKILL);
		if (++reaped % SENTRY_KILL_REWALK == 0)
			proctree_signal_tree(SIGKILL);
		pid = EINTR_RETRY(waitpid(-1, &status, __WALL));
		if (pid < 0)
			break; /* ECHILD: nothing of the job is left */
		sentry_reaped(s, pid, status);
	}
	if (s->plat)
		(void)sentry_reap(s);
}

static void sentry_grace_timer(struct sentry *s)
{
	struct itimerspec its = {
		.it_value = {.tv_sec = s->o->grace_ms / 1000,
			     .tv_nsec =
				     (long)(s->o->grace_ms % 1000) * 1000000L},
	};

	timerfd_settime(s->timerfd, 0, &its, NULL);
}

/*
 * A limit fired: the whole tree goes. SIGTERM first only when --grace was
 * given (then SIGKILL after it), else SIGKILL at once. Exit 124.
 */
static void sentry_limit_fired(struct sentry *s, enum policy_limit_key k)
{
	if (s->stop == SENTRY_STOP_LIMIT)
		return;
	s->limits.fired = k;
	s->stop = SENTRY_STOP_LIMIT;
	diag_error("limit %s exceeded: killing the job",
		   policy_limit_key_name(k));
	if (s->o->grace_explicit && s->o->grace_ms) {
		proctree_signal_tree(SIGTERM);
		sentry_grace_timer(s);
		return;
	}
	sentry_kill_all(s);
}

static void sentry_on_signal(struct sentry *s, int sig)
{
	if (sig == sentry_sig_anchor_died()) {
		s->stop = SENTRY_STOP_ANCHOR_DIED;
		return;
	}
	if (s->stop == SENTRY_STOP_SIGNAL || s->o->grace_ms == 0) {
		/* A second signal, or no grace: kill now. */
		s->stop = SENTRY_STOP_SIGNAL;
		s->stop_signal = sig;
		sentry_kill_all(s);
		return;
	}
	if (s->stop != SENTRY_STOP_NONE)
		return;
	s->stop = SENTRY_STOP_SIGNAL;
	s->stop_signal = sig;
	proctree_signal_tree(sig);
	sentry_grace_timer(s);
}

static void sentry_signals(struct sentry *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if ((int)si.ssi_signo == SIGCHLD)
			continue; /* reaped below */
		sentry_on_signal(s, (int)si.ssi_signo);
	}
}

void sentry_exec_status(struct sentry *s)
{
	struct platform_exec_status st;
	int rc = platform_read_exec_status(s->job.status_fd, &st);

	if (rc == 1) {
		s->exec_fail_stage = st.stage;
		s->exec_fail_err = st.err;
		return;
	}
	sentry_epoll_del(s, s->job.status_fd);
	close(s->job.status_fd);
	s->job.status_fd = -1;
}

static bool sentry_done(struct sentry *s, bool no_children)
{
	if (s->killing)
		return true;
	if (s->stop == SENTRY_STOP_ANCHOR_DIED ||
	    s->stop == SENTRY_STOP_INTERNAL)
		return true;
	if (!s->root_reaped)
		return false;
	return !s->o->keep_going || no_children;
}

/* A sample's verdict: kill the tree on a limit, else schedule the next. */
static void sentry_limits_verdict(struct sentry *s, enum policy_limit_key k)
{
	if (k != POLICY_LIMIT_COUNT)
		sentry_limit_fired(s, k);
	else
		limits_arm(&s->limits);
}

/*
 * Watch the walker's fd, once it exists (the first walk creates it).
 * Return: false when it cannot be watched (the caller samples itself: a
 * walk nobody collects would stop the sampling, and the limits with it).
 */
static bool sentry_walk_fd_watch(struct sentry *s)
{
	if (!s->walk_watched && sentry_epoll_add(s, limits_walk_fd(&s->limits),
						 SENTRY_EPOLL_WALKED) == 0)
		s->walk_watched = true;
	return s->walk_watched;
}

/* No task uses the filter any more (calls go to the receiver). */
static void sentry_on_notify(struct sentry *s, uint32_t events)
{
	if (events & (EPOLLHUP | EPOLLERR)) {
		sentry_epoll_del(s, platform_fd(s->plat));
		s->notify_open = false;
	}
}

/* The receiver changed the stop or a kill: the loop looks below. */
static void sentry_on_rx_wake(struct sentry *s)
{
	uint64_t v;
	ssize_t r;

	r = read(s->rx_wake, &v, sizeof(v)); /* EAGAIN is fine */
	(void)r;
}

/* A netstack service (the DNS proxy) has something to do. */
static void sentry_on_service(struct sentry *s, size_t kind)
{
	if (kind < NETSTACK_SERVICE_COUNT &&
	    sentry_service_run(s, (enum netstack_service_kind)kind))
		s->spin_until_ns = time_mono_ns() + SENTRY_DNS_SPIN_NS;
}

/*
 * Time for a resource sample. The walk of /proc runs in the walker thread,
 * so calls are answered meanwhile; without a walker, here.
 */
static void sentry_on_limits_timer(struct sentry *s)
{
	uint64_t ticks;

	if (read(s->limits.timerfd, &ticks, sizeof(ticks)) <= 0)
		return;
	if (limits_walk_request(&s->limits) == 0 && sentry_walk_fd_watch(s))
		return;
	sentry_limits_verdict(
		s, limits_sample(&s->limits, s->out.bytes + s->out.dropped));
}

static void sentry_on_walked(struct sentry *s)
{
	sentry_limits_verdict(
		s,
		limits_walk_finish(&s->limits, s->out.bytes + s->out.dropped));
}

static void sentry_on_wall(struct sentry *s)
{
	uint64_t ticks;

	if (read(s->wall_timerfd, &ticks, sizeof(ticks)) > 0)
		sentry_limit_fired(s, POLICY_LIMIT_WALL);
}

/* Release the owned sockets no job fd names any more (sys_sock.c). */
static void sentry_on_birth_timer(struct sentry *s)
{
	uint64_t ticks;

	if (read(s->birth_timerfd, &ticks, sizeof(ticks)) > 0)
		sys_sock_sweep(s);
}

/*
 * Stream @i of the job's output has bytes cordon's stdout or stderr did not
 * take: stop reading the job's pipe (it fills, and the job blocks in its own
 * write as natively) and wait for room instead. The index 2 + i tags the
 * EPOLLOUT. The pipe leaves the set (EPOLLHUP cannot be masked, and a job
 * gone while bytes wait would spin the loop). Should epoll refuse the fd,
 * waiting here is all that is left.
 */
static void sentry_output_wait_room(struct sentry *s, int i)
{
	struct epoll_event room = {.events = EPOLLOUT,
				   .data.u64 = SENTRY_EPOLL_OUTPUT |
					       ((uint64_t)(2 + i) << 16)};
	struct pollfd pfd = {.fd = output_dst(&s->out, i), .events = POLLOUT};

	if (pfd.fd >= 0 &&
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, pfd.fd, &room) == 0) {
		(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->out.in[i], NULL);
		return;
	}
	while (!output_flush(&s->out, i))
		poll(&pfd, 1, 100);
}

/* Room on cordon's fd for stream @i: write, and read the job's pipe again. */
static void sentry_output_room(struct sentry *s, int i)
{
	struct epoll_event in = {.events = EPOLLIN,
				 .data.u64 = SENTRY_EPOLL_OUTPUT |
					     ((uint64_t)i << 16)};

	if (!output_flush(&s->out, i))
		return;
	(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, output_dst(&s->out, i), NULL);
	if (s->out.in[i] >= 0)
		(void)epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->out.in[i], &in);
}

/* Index 0, 1: the job's stream has bytes; 2, 3: cordon's fd has room. */
static void sentry_on_output(struct sentry *s, int idx)
{
	if (idx >= 2) {
		sentry_output_room(s, idx - 2);
		return;
	}
	if (output_ready(&s->out, idx) == 1)
		sentry_limit_fired(s, POLICY_LIMIT_LOG);
	if (output_pending(&s->out, idx))
		sentry_output_wait_room(s, idx);
}

/* The grace after a signal or a limit is over. */
static void sentry_on_grace_timer(struct sentry *s)
{
	uint64_t ticks;

	if (read(s->timerfd, &ticks, sizeof(ticks)) > 0)
		sentry_kill_all(s);
}

/* One event, one call (passt's shape): the tag says whose it is. */
static void sentry_loop_event(struct sentry *s, const struct epoll_event *ev)
{
	switch (SENTRY_EPOLL_TAG(ev->data.u64)) {
	case SENTRY_EPOLL_NOTIFY:
		sentry_on_notify(s, ev->events);
		break;
	case SENTRY_EPOLL_RX:
		sentry_on_rx_wake(s);
		break;
	case SENTRY_EPOLL_REAP: {
		uint64_t v;

		/* An eventfd: read to rearm (EAGAIN is fine). */
		if (read(platform_reap_fd(s->plat), &v, sizeof(v)) < 0)
			v = 0;
		s->reap_due = true;
		break;
	}
	case SENTRY_EPOLL_SIGNAL:
		sentry_signals(s);
		s->reap_due = true; /* SIGCHLD among them */
		break;
	case SENTRY_EPOLL_STATUS:
		sentry_exec_status(s);
		break;
	case SENTRY_EPOLL_DEFERRED:
		deferred_fd_ready(s, SENTRY_EPOLL_INDEX(ev->data.u64));
		break;
	case SENTRY_EPOLL_DEFERRED_TIMER:
		deferred_tick(s);
		break;
	case SENTRY_EPOLL_SERVICE:
		sentry_on_service(s, SENTRY_EPOLL_INDEX(ev->data.u64));
		break;
	case SENTRY_EPOLL_OPEN:
		sys_open_fifo_done(s);
		break;
	case SENTRY_EPOLL_LIMITS:
		sentry_on_limits_timer(s);
		break;
	case SENTRY_EPOLL_WALKED:
		sentry_on_walked(s);
		break;
	case SENTRY_EPOLL_BIRTH:
		sentry_on_birth_timer(s);
		break;
	case SENTRY_EPOLL_WALL:
		sentry_on_wall(s);
		break;
	case SENTRY_EPOLL_OUTPUT:
		sentry_on_output(s, (int)SENTRY_EPOLL_INDEX(ev->data.u64));
		break;
	case SENTRY_EPOLL_TIMER:
		sentry_on_grace_timer(s);
		break;
	}
}

void sentry_loop(struct sentry *s)
{
	struct epoll_event evs[16];

	for (;;) {
		bool no_children = false;
		int n, i, timeout = -1;

		/*
		 * Right after the DNS proxy moved a message, the next event
		 * (the upstream's answer, the job's receive) is microseconds
		 * away: poll for it briefly instead of sleeping, which saves
		 * a cross-CPU wake-up on each side of a lookup.
		 */
		if (s->spin_until_ns) {
			if (time_mono_ns() < s->spin_until_ns) {
				timeout = 0;
				sched_yield(); /* the woken may wait for us */
			} else
				s->spin_until_ns = 0;
		}
		n = epoll_wait(s->epfd, evs, ARRAY_SIZE(evs), timeout);
		pthread_mutex_lock(&s->lock);
		if (n < 0 && errno != EINTR) {
			diag_error("epoll_wait: %s", strerror(errno));
			s->stop = SENTRY_STOP_INTERNAL;
		}
		for (i = 0; i < n; i++)
			sentry_loop_event(s, &evs[i]);
		/* A pending call answered here was on the DNS path. */
		if (s->dns_due) {
			s->dns_due = false;
			s->spin_until_ns = time_mono_ns() + SENTRY_DNS_SPIN_NS;
		}
		/*
		 * Only after a signal: every exit of a child (reparented
		 * orphans included) raises SIGCHLD, read from the signalfd;
		 * a waitpid() after every notified call cost a syscall each.
		 */
		if (s->reap_due) {
			s->reap_due = false;
			no_children = sentry_reap(s);
		}
		/* egress-overflow kill: a send met the spent quota (the relay
		 * reset it; its event or the call woke us). */
		if (s->net.quota.kill && netstack_quota_reached(&s->net.quota))
			sentry_limit_fired(s, POLICY_LIMIT_EGRESS);
		if (sentry_done(s, no_children)) {
			pthread_mutex_unlock(&s->lock);
			return;
		}
		pthread_mutex_unlock(&s->lock);
	}
}
