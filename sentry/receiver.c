/* SPDX-License-Identifier: MIT */
/*
 * receiver.c - the thread that takes the job's notified calls.
 *
 * Theory of operation
 * -------------------
 * The kernel's synchronous wake-up (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
 * Linux 6.6) runs the receiver on the calling thread's CPU and the answered
 * thread on the receiver's: the call hands the CPU over and back, as a
 * function call would. It reaches only a thread asleep in the listener's
 * receive itself, not one in epoll_wait() (epoll passes the wake-up on as an
 * ordinary one). Through epoll, the supervisor ran on the other CPU and the
 * answered thread followed it there: a migration per notified call, and
 * each one left the job's memory map loaded on both CPUs, so every fork()
 * had to interrupt the other CPU to flush it (3,000 notified forks: 5,500
 * migrations and 18% of the forking thread's time in TLB shoot-downs).
 *
 * So one thread sleeps in the receive and serves each call where it wakes;
 * the supervisor's loop keeps epoll for everything else (signals, timers,
 * the DNS proxy, pending calls). Both hold s->lock while they touch the
 * supervisor's state, so the handlers run one at a time, as they did in the
 * single loop; neither sleeps while holding it. The listener stays in the
 * epoll set for EPOLLHUP alone (no task uses the filter any more), and the
 * receiver writes s->rx_wake when a call changed what ends the loop (a stop,
 * a kill), so the loop looks at once rather than at its next event.
 *
 * Once no task uses the filter, a receive returns at once (-EPIPE from
 * platform_recv()), and the receiver ends. While tasks live, a receive
 * sleeps until a call comes, so receiver_stop() interrupts it with a signal
 * of its own (handled, not restarted: EINTR) until the thread has exited; a
 * signal that lands just before the receive is followed by another a
 * millisecond later.
 *
 * Without SYNC_WAKE_UP (Linux < 6.6: Debian 12's 6.1, Ubuntu 22.04's 5.15,
 * or CORDON_IGNORE_FEATURES=sync_wake_up) both halves of a call are
 * ordinary wake-ups: the caller wakes the sleeping receiver wherever the
 * scheduler puts it, and the answer wakes the caller on its own, by then
 * idle, CPU. On a 2-vCPU VM each wake-up of an idle vCPU costs ~20 us, a
 * call ~50 us instead of ~4.5 us. So there (RECEIVER_WAKE_POLL) the
 * receiver does not sleep at once after a call: it polls the listener,
 * yielding the CPU between polls, and takes the next call without being
 * woken. The window adapts as haltpoll's does: a sleep that a call ended
 * soon after the window closed doubles it (up to RECEIVER_SPIN_MAX_NS),
 * a long one halves it, down to none; a job whose calls are far apart
 * (an idle or sleeping one) costs no polling after a few calls. On a busy
 * machine a poller is worse than a sleeper: preempted, it sees the call
 * only when it runs again, while a woken sleeper preempts at once. So a
 * poll round that took longer than RECEIVER_SPIN_GAP_NS (another task had
 * the CPU during the yield) ends the window, and none opens for
 * RECEIVER_SPIN_BACKOFF_NS. The poll holds no lock and looks at rx_stop
 * each round, so neither the loop's signals nor a stop wait for it (a
 * stop's signal also ends it). With SYNC_WAKE_UP none of this runs: a
 * receiver that is not asleep in the receive would lose the hand-over.
 *
 * What the poll does not remove: the answer still wakes the caller on
 * its own CPU, idle by then, through an ordinary wake-up (the completion
 * in seccomp_do_user_notification() carries no WF_SYNC before 6.6, and
 * the scheduler puts a woken task back on its idle previous CPU). Making
 * that one local as well would need the receiver on the caller's CPU with
 * that CPU counting as idle, i.e. SCHED_IDLE receivers: they starve under
 * load (measured: 1.3 ms per call with a loaded machine) and would hold
 * the supervisor's lock while starved, and an unprivileged thread cannot
 * leave SCHED_IDLE again (RLIMIT_NICE). Not done.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

#define RECEIVER_KICK_NS 1000000L /* between signals at stop */

enum receiver_wake receiver_wake_mode(const struct platform_features *f,
				      int ncpus)
{
	if (f->sync_wake_up)
		return RECEIVER_WAKE_SYNC;
	/* A tracer's fd is SIGCHLD: nothing to poll for, sleep in wait. */
	if (f->tracer)
		return RECEIVER_WAKE_SLEEP;
	return ncpus > 1 ? RECEIVER_WAKE_POLL : RECEIVER_WAKE_SLEEP;
}

const char *receiver_wake_name(enum receiver_wake w)
{
	switch (w) {
	case RECEIVER_WAKE_SYNC:
		return "sync";
	case RECEIVER_WAKE_POLL:
		return "poll";
	case RECEIVER_WAKE_SLEEP:
		return "sleep";
	}
	return "?";
}

int receiver_ncpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

static bool receiver_stopping(struct sentry *s)
{
	return __atomic_load_n(&s->rx_stop, __ATOMIC_ACQUIRE);
}

/*
 * Poll the listener for up to the window, yielding between polls (the
 * caller we just answered may be waiting for this CPU). Without the lock.
 * Return: true when something is there to receive (or the listener hung
 * up, or a stop came), false when the window passed without a call.
 */
static bool receiver_spin_wait(struct sentry *s, struct receiver_spin *sp)
{
	struct pollfd p = {.fd = platform_fd(s->plat), .events = POLLIN};
	uint64_t now = time_mono_ns(), until = now + sp->ns, last = now;
	bool hit = false;

	sp->since = now;
	if (!sp->ns)
		return false;
	sp->stats.polls++;
	/* A stop ends the window: receiver_main() looks at rx_stop next. */
	while (!receiver_stopping(s)) {
		/* POLLIN, or POLLHUP: the receive returns at once. */
		hit = poll(&p, 1, 0) > 0;
		now = time_mono_ns();
		if (hit || now >= until)
			break;
		if (now - last > RECEIVER_SPIN_GAP_NS) {
			/*
			 * Another task had this CPU: a preempted poller
			 * takes a call only when it runs again, later than
			 * a sleeper would be woken. Sleep for a while.
			 */
			sp->ns = 0;
			sp->calm_at = now + RECEIVER_SPIN_BACKOFF_NS;
			sp->stats.contended++;
			break;
		}
		/* The caller we just answered may be waiting for this CPU. */
		last = now;
		sched_yield();
	}
	sp->stats.hits += hit;
	sp->stats.poll_ns += now - sp->since;
	return hit;
}

/*
 * After a receive that slept (@hit false): a call that came within
 * RECEIVER_SPIN_MAX_NS of the wait's start would have been caught by a
 * larger window; a later one says calls are far apart.
 */
static void receiver_spin_adapt(struct receiver_spin *sp, bool hit,
				uint64_t now)
{
	uint64_t waited = now - sp->since;

	if (hit || now < sp->calm_at)
		return;
	if (waited <= RECEIVER_SPIN_MAX_NS) {
		sp->ns = sp->ns ? sp->ns * 2 : RECEIVER_SPIN_MIN_NS;
		if (sp->ns > RECEIVER_SPIN_MAX_NS)
			sp->ns = RECEIVER_SPIN_MAX_NS;
	} else {
		sp->ns /= 2;
		if (sp->ns < RECEIVER_SPIN_MIN_NS)
			sp->ns = 0;
	}
}

static int receiver_sig(void)
{
	return SIGRTMIN + 3;
}

static void receiver_on_sig(int sig)
{
	(void)sig; /* only to end the receive with EINTR */
}

/* The loop must look now: a stop or a kill it has not seen. */
static void receiver_poke(struct sentry *s)
{
	uint64_t one = 1;

	if (write(s->rx_wake, &one, sizeof(one)) < 0 && errno != EAGAIN)
		diag_warning("waking the supervisor's loop: %s",
			     strerror(errno));
}

/*
 * After a call on the DNS path (a socket redirected to the proxy, a
 * datagram sent into it or received from it), the next DNS message - the
 * job's query, sent natively on its redirected socket, or the upstream's
 * answer - is microseconds away: poll for it instead of sleeping, and let
 * the proxy handle it from here, until a call is waiting or
 * SENTRY_DNS_SPIN_NS passes without DNS traffic. Left to the loop, each
 * message would cost a cross-CPU wake-up. The poll yields the CPU each
 * time: the woken caller may be waiting for this one. Called and returns
 * with @s->lock held.
 */
static void receiver_dns_spin(struct sentry *s)
{
	uint64_t until = time_mono_ns() + SENTRY_DNS_SPIN_NS;
	struct pollfd p[2] = {
		{.fd = platform_fd(s->plat), .events = POLLIN},
		{.fd = netstack_service_fd(&s->net, NETSTACK_SERVICE_DNS),
		 .events = POLLIN},
	};

	while (!s->rx_stop && time_mono_ns() < until) {
		int n;

		pthread_mutex_unlock(&s->lock);
		sched_yield();
		n = poll(p, ARRAY_SIZE(p), 0);
		pthread_mutex_lock(&s->lock);
		if (n > 0 && p[0].revents)
			return; /* a call to receive (or the job is gone) */
		if (n > 0 && p[1].revents &&
		    sentry_service_run(s, NETSTACK_SERVICE_DNS))
			until = time_mono_ns() + SENTRY_DNS_SPIN_NS;
	}
}

static void *receiver_main(void *arg)
{
	struct sentry *s = arg;
	struct receiver_spin *sp = &s->rx_spin;
	bool poll_mode = s->rx_wake_mode == RECEIVER_WAKE_POLL;
	sigset_t kick;

	/* Handlers may enter the job's cwd and umask: ours alone. */
	if (threadfs_private() < 0)
		diag_warning("the receiver shares its cwd and umask: relative "
			     "unix binds and creating opens will be refused");
	sigemptyset(&kick);
	sigaddset(&kick, receiver_sig());
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	for (;;) {
		enum sentry_stop stop;
		struct sentry_call c;
		bool killing;
		int rc;

		bool hit = false;

		memset(&c, 0, sizeof(c));
		c.exe_fd = -1;
		if (poll_mode) {
			hit = receiver_spin_wait(s, sp);
			if (receiver_stopping(s))
				return NULL;
		}
		rc = platform_recv(s->plat, &c.pc);
		if (poll_mode && rc == 0)
			receiver_spin_adapt(sp, hit, time_mono_ns());
		if (rc == -EPIPE)
			return NULL; /* the loop sees the listener's EPOLLHUP */
		pthread_mutex_lock(&s->lock);
		if (s->rx_stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		stop = s->stop;
		killing = s->killing;
		if (rc == 0) {
			s->n_notified++;
			s->dns_due = false;
			sentry_dispatch(s, &c);
			if (s->dns_due &&
			    netstack_service_running(&s->net,
						     NETSTACK_SERVICE_DNS)) {
				sentry_service_run(s, NETSTACK_SERVICE_DNS);
				receiver_dns_spin(s);
			}
		} else if (rc != -ENOENT && rc != -EAGAIN) {
			/* ENOENT: the caller died first; EAGAIN: EINTR. */
			diag_error("receiving a notified call failed: %s; "
				   "stopping",
				   strerror(-rc));
			s->stop = SENTRY_STOP_INTERNAL;
			__atomic_store_n(&s->rx_stop, true, __ATOMIC_RELEASE);
		}
		if (s->stop != stop || s->killing != killing)
			receiver_poke(s);
		if (s->rx_stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		pthread_mutex_unlock(&s->lock);
	}
}

int receiver_start(struct sentry *s)
{
	struct sigaction sa;
	sigset_t kick;
	int rc;

	s->rx_wake_mode = receiver_wake_mode(platform_features(s->plat),
					     receiver_ncpus());
	memset(&s->rx_spin, 0, sizeof(s->rx_spin));
	/* No SA_RESTART: the receive must end. Only the receiver takes it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = receiver_on_sig;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&kick);
	sigaddset(&kick, receiver_sig());
	if (sigaction(receiver_sig(), &sa, NULL) < 0 ||
	    pthread_sigmask(SIG_BLOCK, &kick, NULL) != 0)
		return -errno;
	rc = pthread_create(&s->rx, NULL, receiver_main, s);
	if (rc)
		return -rc;
	s->rx_running = true;
	return 0;
}

void receiver_stop(struct sentry *s)
{
	if (!s->rx_running)
		return;
	pthread_mutex_lock(&s->lock);
	/* Atomic: the receiver's poll reads it without the lock. */
	__atomic_store_n(&s->rx_stop, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->lock);
	for (;;) {
		struct timespec ts;

		pthread_kill(s->rx, receiver_sig());
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += RECEIVER_KICK_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(s->rx, NULL, &ts) == 0)
			break;
	}
	s->rx_running = false;
}
