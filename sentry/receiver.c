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

		memset(&c, 0, sizeof(c));
		c.exe_fd = -1;
		rc = platform_recv(s->plat, &c.pc);
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
			s->rx_stop = true;
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
	s->rx_stop = true;
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
