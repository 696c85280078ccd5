/* SPDX-License-Identifier: MIT */
/*
 * supervisor.c - the event loop: start the job, serve notified calls,
 * reap and kill the process tree, turn the outcome into an exit status.
 *
 * Theory of operation
 * -------------------
 * One epoll loop dispatches on a typed tag (enum sentry_epoll): the
 * platform's notify fd, a signalfd (SIGCHLD, the signals cordon forwards, the
 * anchor's death), the exec-status pipe of the first process, and a timerfd
 * for --grace. Each notified call is received, dispatched through the syscall
 * table to its handler, and answered exactly once; internal errors go through
 * verdict_fail() and never become a CONTINUE (verdict.c).
 *
 * The run ends when the first process has been reaped (or, with --keep-going,
 * when no process of the tree is left), or on a signal to cordon, or when the
 * anchor dies. Then every remaining process is killed: one walk of the tree
 * with SIGKILL, then our direct children (where every survivor lands, since
 * we are the subreaper) are killed and reaped until none is left.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kcompat.h"
#include "sentry/sentry_priv.h"

enum sentry_epoll {
	SENTRY_EPOLL_NOTIFY = 1,
	SENTRY_EPOLL_SIGNAL,
	SENTRY_EPOLL_STATUS,
	SENTRY_EPOLL_TIMER,
	SENTRY_EPOLL_PENDING, /* index of the pending call in bits 16.. */
	SENTRY_EPOLL_DNS,
	SENTRY_EPOLL_OPEN,   /* blocking FIFO opens finished (sys_open.c) */
	SENTRY_EPOLL_LIMITS, /* time for the next resource sample */
	SENTRY_EPOLL_WALKED, /* the walker thread finished a sample */
	SENTRY_EPOLL_WALL,   /* the wall-clock limit */
	SENTRY_EPOLL_OUTPUT, /* job output; the stream (0, 1) in bits 16.. */
	SENTRY_EPOLL_RX,     /* the receiver changed the stop or a kill */
};

#define SENTRY_EPOLL_TAG(v) ((enum sentry_epoll)((v)&0xffff))
#define SENTRY_EPOLL_INDEX(v) ((size_t)((v) >> 16))

static int sentry_epoll_add(struct sentry *s, int fd, enum sentry_epoll tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int sentry_dns_start(struct sentry *s)
{
	int rc;

	if (s->dns)
		return 0;
	netstack_host_addrs_load(&s->net);
	rc = dns_proxy_new(&s->dns, s->o->tables, &s->net.rt);
	if (rc < 0) {
		diag_error("cannot start the DNS proxy: %s", strerror(-rc));
		return rc;
	}
	if (sentry_epoll_add(s, dns_proxy_fd(s->dns), SENTRY_EPOLL_DNS)) {
		rc = -errno;
		dns_proxy_free(s->dns);
		s->dns = NULL;
		return rc;
	}
	s->net.dns = s->dns;
	return 0;
}

static void sentry_epoll_del(struct sentry *s, int fd)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int sentry_pend(struct sentry *s, struct sentry_call *c,
		const struct sentry_pending *p)
{
	struct sentry_pending *slot = NULL;
	struct epoll_event ev = {
		.events = p->kind == SENTRY_PENDING_RECV ? EPOLLIN : EPOLLOUT};
	size_t i;

	for (i = 0; i < SENTRY_PENDING_MAX; i++) {
		if (!s->pending_calls[i].used) {
			slot = &s->pending_calls[i];
			break;
		}
	}
	if (!slot)
		return -EBUSY;
	*slot = *p;
	slot->used = true;
	slot->pc = c->pc;
	/* The message pointed into the caller's copy: point it at ours. */
	if (slot->msg.msg_namelen)
		slot->msg.msg_name = slot->name;
	slot->msg.msg_iov = &slot->iov;
	slot->msg.msg_iovlen = 1;
	slot->msg.msg_control = slot->msg.msg_controllen ? slot->control : NULL;
	ev.data.u64 = SENTRY_EPOLL_PENDING | ((uint64_t)i << 16);
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, slot->fd, &ev) < 0) {
		int e = errno;

		memset(slot, 0, sizeof(*slot));
		return -e;
	}
	verdict_answered(&c->v);
	return 0;
}

void sentry_dispatch(struct sentry *s, struct sentry_call *c)
{
	int rc;

	c->entry = syscall_table_by_nr(c->pc.nr);
	if (!c->entry || !c->entry->handler) {
		/* The filter and the table disagree: refuse, record. */
		verdict_fail(&c->v, -ENOSYS, false);
	} else {
		rc = c->entry->handler(s, c);
		if (rc < 0)
			verdict_fail(&c->v, rc, false);
	}
	sentry_verdict(s, c);
	if (c->exe_fd >= 0)
		sys_exec_finish(s, c);
}

/* Audit records and stderr lines for what the DNS proxy decided. */
static void sentry_dns_events(struct sentry *s)
{
	const struct dns_proxy_event *ev;
	size_t n, i;

	n = dns_proxy_events(s->dns, &ev);
	for (i = 0; i < n; i++) {
		char summary[700];
		struct jsonw w;
		uint64_t key;

		if (ev[i].allowed && !ev[i].stripped &&
		    s->o->audit_level != SENTRY_AUDIT_LEVEL_ALL)
			continue;
		audit_begin(&s->audit, &w, "dns");
		jsonw_key_str(&w, "name", ev[i].name);
		jsonw_key_u64(&w, "qtype", ev[i].qtype);
		jsonw_key_str(&w, "decision", ev[i].allowed ? "allow" : "deny");
		jsonw_key_str(&w, "outcome", ev[i].what);
		jsonw_key_u64(&w, "stripped", ev[i].stripped);
		jsonw_key_str(&w, "zone", s->o->zone_name);
		jsonw_key_str(&w, "rule", ev[i].rule[0] ? ev[i].rule : NULL);
		snprintf(summary, sizeof(summary),
			 "%s resolve %s: %s (zone %s: %s)",
			 ev[i].allowed ? "allowed" : "denied", ev[i].name,
			 ev[i].what, s->o->zone_name,
			 ev[i].rule[0] ? ev[i].rule : "DNS proxy");
		key = digest_xxh3_buf(summary, strlen(summary));
		audit_commit(&s->audit, &w, key ? key : 1, summary,
			     !ev[i].allowed || ev[i].stripped);
		if (!ev[i].allowed)
			s->n_denied++;
	}
}

bool sentry_dns_service(struct sentry *s)
{
	bool moved;

	if (!s->dns)
		return false;
	moved = dns_proxy_run(s->dns) > 0;
	sentry_dns_events(s);
	return moved;
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

/* Reap what has exited; return true when no child is left at all. */
static bool sentry_reap(struct sentry *s)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);

		if (pid > 0) {
			sentry_reaped(s, pid, status);
			continue;
		}
		return pid < 0 && errno == ECHILD;
	}
}

static void sentry_kill_all(struct sentry *s)
{
	s->killing = true;
	proctree_signal_tree(SIGKILL);
	for (;;) {
		int status;
		pid_t pid;

		/* Survivors forked during the walk are reparented to us. */
		proctree_signal_children(SIGKILL);
		pid = EINTR_RETRY(waitpid(-1, &status, __WALL));
		if (pid < 0)
			break; /* ECHILD: nothing of the job is left */
		sentry_reaped(s, pid, status);
	}
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
	{
		struct itimerspec its = {
			.it_value = {.tv_sec = s->o->grace_ms / 1000,
				     .tv_nsec = (long)(s->o->grace_ms % 1000) *
						1000000L},
		};

		timerfd_settime(s->timerfd, 0, &its, NULL);
	}
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

static void sentry_exec_status(struct sentry *s)
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

static void sentry_loop(struct sentry *s)
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
		for (i = 0; i < n; i++) {
			switch (SENTRY_EPOLL_TAG(evs[i].data.u64)) {
			case SENTRY_EPOLL_NOTIFY:
				/* Calls go to the receiver; this is HUP. */
				if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
					/* No task uses the filter any more. */
					sentry_epoll_del(s,
							 platform_fd(s->plat));
					s->notify_open = false;
				}
				break;
			case SENTRY_EPOLL_RX: {
				uint64_t v;
				ssize_t r;

				/* To look at the stop below; EAGAIN is fine. */
				r = read(s->rx_wake, &v, sizeof(v));
				(void)r;
				break;
			}
			case SENTRY_EPOLL_SIGNAL:
				sentry_signals(s);
				s->reap_due = true; /* SIGCHLD among them */
				break;
			case SENTRY_EPOLL_STATUS:
				sentry_exec_status(s);
				break;
			case SENTRY_EPOLL_PENDING: {
				size_t idx =
					SENTRY_EPOLL_INDEX(evs[i].data.u64);

				if (idx < SENTRY_PENDING_MAX &&
				    s->pending_calls[idx].used)
					sys_net_pending_ready(
						s, &s->pending_calls[idx]);
				break;
			}
			case SENTRY_EPOLL_DNS:
				if (sentry_dns_service(s))
					s->spin_until_ns = time_mono_ns() +
							   SENTRY_DNS_SPIN_NS;
				break;
			case SENTRY_EPOLL_OPEN:
				sys_open_fifo_done(s);
				break;
			case SENTRY_EPOLL_LIMITS: {
				uint64_t ticks;

				if (read(s->limits.timerfd, &ticks,
					 sizeof(ticks)) <= 0)
					break;
				/*
				 * The walk of /proc runs in the walker thread,
				 * so calls are answered meanwhile; without a
				 * walker, here.
				 */
				if (limits_walk_request(&s->limits) == 0 &&
				    sentry_walk_fd_watch(s))
					break;
				sentry_limits_verdict(
					s,
					limits_sample(&s->limits,
						      s->out.bytes +
							      s->out.dropped));
				break;
			}
			case SENTRY_EPOLL_WALKED:
				sentry_limits_verdict(
					s,
					limits_walk_finish(
						&s->limits,
						s->out.bytes + s->out.dropped));
				break;
			case SENTRY_EPOLL_WALL: {
				uint64_t ticks;

				if (read(s->wall_timerfd, &ticks,
					 sizeof(ticks)) > 0)
					sentry_limit_fired(s,
							   POLICY_LIMIT_WALL);
				break;
			}
			case SENTRY_EPOLL_OUTPUT: {
				int idx = (int)SENTRY_EPOLL_INDEX(
					evs[i].data.u64);
				int r = output_ready(&s->out, idx);

				if (r == 1)
					sentry_limit_fired(s, POLICY_LIMIT_LOG);
				break;
			}
			case SENTRY_EPOLL_TIMER: {
				uint64_t ticks;

				if (read(s->timerfd, &ticks, sizeof(ticks)) > 0)
					sentry_kill_all(s);
				break;
			}
			}
		}
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
		if (sentry_done(s, no_children)) {
			pthread_mutex_unlock(&s->lock);
			return;
		}
		pthread_mutex_unlock(&s->lock);
	}
}

static void sentry_header(struct sentry *s)
{
	const struct platform_features *f = platform_features(s->plat);
	struct utsname u;
	struct jsonw w;
	char hex[20];
	size_t i;

	uname(&u);
	audit_begin(&s->audit, &w, "header");
	jsonw_key_str(&w, "cordon", CORDON_VERSION);
	jsonw_key_str(&w, "kernel", u.release);
	jsonw_key_str(&w, "machine", u.machine);
	jsonw_key_str(&w, "platform", platform_name(s->plat));
	jsonw_key_obj(&w, "features");
	jsonw_key_bool(&w, "wait_killable_recv", f->wait_killable_recv);
	jsonw_key_bool(&w, "sync_wake_up", f->sync_wake_up);
	jsonw_key_bool(&w, "pidfd_getfd", f->pidfd_getfd);
	jsonw_key_i64(&w, "landlock_abi", s->job.landlock_abi);
	jsonw_key_bool(&w, "landlock_scoped", s->job.landlock_abi >= 6);
	/* Which layer keeps the job off other processes (docs/isolation.md). */
	jsonw_key_str(&w, "lateral_layer",
		      s->job.landlock_abi >= 6 ? "kernel" : "supervisor");
	jsonw_close(&w);
	snprintf(hex, sizeof(hex), "%016llx",
		 (unsigned long long)s->filter.digest);
	jsonw_key_str(&w, "filter_xxh3", hex);
	jsonw_key_u64(&w, "filter_insns", s->filter.prog.len);
	if (s->o->policy_digest) {
		snprintf(hex, sizeof(hex), "%016llx",
			 (unsigned long long)s->o->policy_digest);
		jsonw_key_str(&w, "policy_xxh3", hex);
	} else {
		jsonw_key_str(&w, "policy_xxh3", NULL);
	}
	jsonw_key_str(&w, "zone", s->o->zone_name);
	jsonw_key_i64(&w, "uid", (int64_t)getuid());
	jsonw_key_i64(&w, "job_pid", s->job.pid);
	jsonw_key_arr(&w, "argv");
	for (i = 0; s->o->argv[i]; i++)
		jsonw_str(&w, s->o->argv[i]);
	jsonw_close(&w);
	audit_commit(&s->audit, &w, 0, NULL, false);
}

static const char *sentry_stop_name(enum sentry_stop st)
{
	switch (st) {
	case SENTRY_STOP_NONE:
	case SENTRY_STOP_EXITED:
		return "exited";
	case SENTRY_STOP_SIGNAL:
		return "signal to cordon";
	case SENTRY_STOP_ANCHOR_DIED:
		return "cordon was killed";
	case SENTRY_STOP_INTERNAL:
		return "internal error";
	case SENTRY_STOP_LIMIT:
		return "limit";
	}
	return "?";
}

static int sentry_exit_code(struct sentry *s, const char **why)
{
	if (s->exec_fail_stage >= 0) {
		*why = "exec failed";
		return s->exec_fail_err == ENOENT ? CORDON_EXIT_NOTFOUND
						  : CORDON_EXIT_NOEXEC;
	}
	if (s->stop == SENTRY_STOP_LIMIT) {
		*why = "limit";
		return CORDON_EXIT_LIMIT;
	}
	if (s->stop == SENTRY_STOP_ANCHOR_DIED ||
	    s->stop == SENTRY_STOP_INTERNAL || !s->root_reaped) {
		*why = sentry_stop_name(s->stop);
		return CORDON_EXIT_FAILURE;
	}
	if (WIFSIGNALED(s->root_status)) {
		*why = s->stop == SENTRY_STOP_SIGNAL ? "signal to cordon"
						     : "killed by signal";
		return CORDON_EXIT_SIGNAL_BASE + WTERMSIG(s->root_status);
	}
	*why = s->stop == SENTRY_STOP_SIGNAL ? "signal to cordon" : "exited";
	return WEXITSTATUS(s->root_status);
}

/* A size or duration for people: "512 MiB", "1.5 GiB", "90 s". */
static void sentry_fmt_limit(enum policy_limit_key k, uint64_t v, char *out,
			     size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	size_t u = 0;

	switch (k) {
	case POLICY_LIMIT_CPU:
	case POLICY_LIMIT_WALL:
		snprintf(out, len, "%.1f s", (double)v / 1000);
		return;
	case POLICY_LIMIT_PIDS:
	case POLICY_LIMIT_FDS:
		snprintf(out, len, "%llu", (unsigned long long)v);
		return;
	default:
		while (d >= 1024 && u + 1 < ARRAY_SIZE(units)) {
			d /= 1024;
			u++;
		}
		snprintf(out, len, u ? "%.1f %s" : "%.0f %s", d, units[u]);
	}
}

static bool sentry_limit_enforced(enum policy_limit_key k)
{
	return k != POLICY_LIMIT_EGRESS;
}

/* The "limits" object of the summary, and the human lines on stderr. */
static void sentry_limits_json(struct sentry *s, struct jsonw *w)
{
	bool lines = s->o->report || s->stop == SENTRY_STOP_LIMIT;
	int k;

	s->limits.wall_ms = (time_mono_ns() - s->start_ns) / 1000000;
	s->limits.log_peak = s->out.bytes + s->out.dropped;
	jsonw_key_obj(w, "limits");
	for (k = 0; k < POLICY_LIMIT_COUNT; k++) {
		enum policy_limit_key key = (enum policy_limit_key)k;
		uint64_t peak = limits_peak_of(&s->limits, key);
		char a[32], b[32];

		jsonw_key_obj(w, policy_limit_key_name(key));
		if (limits_set(&s->limits, key))
			jsonw_key_u64(w, "limit",
				      limits_value(&s->limits, key));
		else
			jsonw_key_str(w, "limit", NULL);
		if (sentry_limit_enforced(key) && key != POLICY_LIMIT_FSIZE)
			jsonw_key_u64(w, "peak", peak);
		else
			jsonw_key_str(w, "peak", NULL);
		jsonw_key_bool(w, "enforced", sentry_limit_enforced(key));
		jsonw_key_bool(w, "fired", s->limits.fired == key);
		jsonw_close(w);
		if (!lines || !limits_set(&s->limits, key))
			continue;
		sentry_fmt_limit(key, limits_value(&s->limits, key), a,
				 sizeof(a));
		sentry_fmt_limit(key, peak, b, sizeof(b));
		if (key == POLICY_LIMIT_FSIZE)
			diag_error(
				"limit %-6s %10s  (per file; the kernel enforces it)",
				policy_limit_key_name(key), a);
		else if (!sentry_limit_enforced(key))
			diag_error("limit %-6s %10s  (not enforced yet)",
				   policy_limit_key_name(key), a);
		else
			diag_error("limit %-6s %10s  peak %10s%s",
				   policy_limit_key_name(key), a, b,
				   s->limits.fired == key
					   ? "  <- killed the job"
					   : "");
	}
	jsonw_close(w);
	jsonw_key_u64(w, "tasks_refused", s->pids_refused);
	jsonw_key_u64(w, "log_bytes_dropped", s->out.dropped);
	jsonw_key_u64(w, "limit_samples", s->limits.samples);
}

static void sentry_summary(struct sentry *s, int code, const char *why)
{
	struct rusage ru;
	struct jsonw w;

	getrusage(RUSAGE_CHILDREN, &ru);
	/* The summary is the last record: tallies go before it. */
	audit_flush_repeats(&s->audit);
	audit_begin(&s->audit, &w, "summary");
	jsonw_key_i64(&w, "exit_status", code);
	jsonw_key_str(&w, "why", why);
	if (s->root_reaped && WIFSIGNALED(s->root_status))
		jsonw_key_i64(&w, "signal", WTERMSIG(s->root_status));
	jsonw_key_double(&w, "wall_s",
			 (double)(time_mono_ns() - s->start_ns) / 1e9);
	jsonw_key_obj(&w, "peaks");
	/* Reaped descendants only (what the kernel accounts to waiters). */
	jsonw_key_double(&w, "cpu_user_s",
			 (double)ru.ru_utime.tv_sec +
				 (double)ru.ru_utime.tv_usec / 1e6);
	jsonw_key_double(&w, "cpu_sys_s",
			 (double)ru.ru_stime.tv_sec +
				 (double)ru.ru_stime.tv_usec / 1e6);
	jsonw_key_i64(&w, "max_rss_kib", ru.ru_maxrss);
	jsonw_close(&w);
	sentry_limits_json(s, &w);
	jsonw_key_u64(&w, "notified_calls", s->n_notified);
	jsonw_key_u64(&w, "denied_calls", s->n_denied);
	jsonw_key_u64(&w, "killed_by_sigsys", s->n_sigsys);
	jsonw_key_u64(&w, "audit_records_dropped", s->audit.dropped);
	jsonw_key_u64(&w, "exec_records_lost", s->pending_evicted);
	jsonw_key_str(&w, "zone", s->o->zone_name);
	/* The summary is written even past the cap: it is the verdict. */
	s->audit.max_bytes = UINT64_MAX;
	if (s->o->report_json && jsonw_end(&w) == 0) {
		FILE *f = fopen(s->o->report_json, "we");

		if (!f || fwrite(w.buf.data, 1, w.buf.len, f) != w.buf.len)
			diag_warning("cannot write %s", s->o->report_json);
		if (f)
			fclose(f);
		/* jsonw_end() closed the record: write it as it is. */
		if (s->audit.out)
			fwrite(w.buf.data, 1, w.buf.len, s->audit.out);
		jsonw_free(&w);
		return;
	}
	audit_commit(&s->audit, &w, 0, NULL, false);
}

static const char *sentry_stage_name(int stage)
{
	switch (stage) {
	case PLATFORM_SPAWN_STAGE_LANDLOCK:
		return "entering the Landlock domain";
	case PLATFORM_SPAWN_STAGE_FILTER:
		return "installing the seccomp filter";
	case PLATFORM_SPAWN_STAGE_EXEC:
		return "exec";
	default:
		return "setting up the job";
	}
}

static int sentry_setup(struct sentry *s)
{
	struct platform_spawn sp = {
		.path = s->path,
		.argv = s->o->argv,
		.envp = s->o->envp,
		.filter = &s->filter.prog,
		.pdeathsig = SIGKILL,
	};
	sigset_t set;
	int rc;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, sentry_sig_anchor_died());
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->sigfd < 0 || s->epfd < 0 || s->timerfd < 0)
		return -errno;
	{
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd)))
			cwd[0] = '\0';
		rc = netstack_init(&s->net, s->o->tables, s->o->envp,
				   cwd[0] ? cwd : NULL);
		if (rc < 0)
			return rc;
	}
	rc = limits_init(&s->limits, s->o->limits);
	if (rc < 0)
		return rc;
	sp.nofile = limits_value(&s->limits, POLICY_LIMIT_FDS);
	sp.fsize = limits_value(&s->limits, POLICY_LIMIT_FSIZE);
	if (limits_set(&s->limits, POLICY_LIMIT_LOG)) {
		rc = output_init(&s->out,
				 limits_value(&s->limits, POLICY_LIMIT_LOG),
				 s->o->limits->log_overflow_set &&
					 s->o->limits->log_overflow ==
						 POLICY_LOG_OVERFLOW_KILL);
		if (rc < 0)
			return rc;
		sp.stdout_fd = s->out.job_out;
		sp.stderr_fd = s->out.job_err;
	}
	s->wall_timerfd = -1;
	if (limits_set(&s->limits, POLICY_LIMIT_WALL)) {
		uint64_t ms = limits_value(&s->limits, POLICY_LIMIT_WALL);
		struct itimerspec its = {
			.it_value = {.tv_sec = (time_t)(ms / 1000),
				     .tv_nsec = (long)(ms % 1000) * 1000000L},
		};

		s->wall_timerfd = timerfd_create(CLOCK_MONOTONIC,
						 TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->wall_timerfd < 0 ||
		    timerfd_settime(s->wall_timerfd, 0, &its, NULL) < 0)
			return -errno;
	}
	if (s->o->landlock && platform_landlock_abi() >= 6)
		sp.landlock_scope = KCOMPAT_LANDLOCK_SCOPE_SIGNAL |
				    KCOMPAT_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	s->plat = platform_new(s->o->platform);
	if (!s->plat) {
		diag_error("seccomp user notification is not available: %s",
			   strerror(errno));
		return -errno;
	}
	rc = platform_spawn(s->plat, &sp, &s->job);
	if (rc < 0) {
		diag_error("%s failed: %s",
			   sentry_stage_name(s->job.fail_stage), strerror(-rc));
		return rc;
	}
	s->notify_open = true;
	s->rx_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->rx_wake < 0)
		return -errno;
	{
		/* Calls go to the receiver thread; here only EPOLLHUP. */
		struct epoll_event ev = {.events = 0,
					 .data.u64 = SENTRY_EPOLL_NOTIFY};

		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, platform_fd(s->plat),
			      &ev) < 0)
			return -errno;
	}
	if (sentry_epoll_add(s, s->rx_wake, SENTRY_EPOLL_RX) ||
	    sentry_epoll_add(s, s->sigfd, SENTRY_EPOLL_SIGNAL) ||
	    sentry_epoll_add(s, s->job.status_fd, SENTRY_EPOLL_STATUS) ||
	    sentry_epoll_add(s, s->timerfd, SENTRY_EPOLL_TIMER))
		return -errno;
	rc = sys_open_init();
	if (rc < 0 || sentry_epoll_add(s, rc, SENTRY_EPOLL_OPEN))
		return rc < 0 ? rc : -errno;
	if (sentry_epoll_add(s, s->limits.timerfd, SENTRY_EPOLL_LIMITS) ||
	    (s->wall_timerfd >= 0 &&
	     sentry_epoll_add(s, s->wall_timerfd, SENTRY_EPOLL_WALL)))
		return -errno;
	if (s->out.active) {
		int i;

		output_job_started(&s->out);
		for (i = 0; i < 2; i++) {
			struct epoll_event ev = {
				.events = EPOLLIN,
				.data.u64 = SENTRY_EPOLL_OUTPUT |
					    ((uint64_t)i << 16),
			};

			if (s->out.in[i] >= 0 &&
			    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->out.in[i],
				      &ev) < 0)
				return -errno;
		}
	}
	s->limits.tasks_est = 1;
	limits_arm(&s->limits);
	return 0;
}

static int __attribute__((noreturn)) sentry_supervise(struct sentry *s)
{
	const char *why = "?";
	int rc, code;

	s->start_ns = time_mono_ns();
	s->exec_fail_stage = -1;
	rc = audit_open(&s->audit, s->o->audit_path, s->o->audit_max_bytes,
			s->o->audit_level);
	if (rc < 0) {
		diag_error("cannot open audit log %s: %s", s->o->audit_path,
			   strerror(-rc));
		exit(CORDON_EXIT_FAILURE);
	}
	rc = sentry_setup(s);
	if (rc < 0) {
		if (s->job.pid > 0)
			sentry_kill_all(s);
		audit_close(&s->audit);
		exit(CORDON_EXIT_FAILURE);
	}
	sentry_header(s);
	rc = receiver_start(s);
	if (rc < 0) {
		diag_error("cannot start the receiver thread: %s",
			   strerror(-rc));
		sentry_kill_all(s);
		audit_close(&s->audit);
		exit(CORDON_EXIT_FAILURE);
	}
	s->reap_due = true;
	sentry_loop(s);
	receiver_stop(s);
	/* A last measurement for the report, before the tree is gone. */
	if (s->stop != SENTRY_STOP_LIMIT)
		limits_sample(&s->limits, s->out.bytes + s->out.dropped);
	sentry_kill_all(s);
	output_drain(&s->out);
	/* An exec failure may still sit in the pipe if the child died fast. */
	if (s->job.status_fd >= 0)
		sentry_exec_status(s);
	code = sentry_exit_code(s, &why);
	if (s->exec_fail_stage >= 0)
		diag_error("%s: %s", s->o->argv[0],
			   s->exec_fail_err == ENOENT
				   ? "command not found"
				   : strerror(s->exec_fail_err));
	else if (code == CORDON_EXIT_FAILURE)
		diag_error("job stopped: %s", why);
	sentry_summary(s, code, why);
	audit_close(&s->audit);
	dns_proxy_free(s->dns);
	output_fini(&s->out);
	limits_fini(&s->limits);
	platform_free(s->plat);
	exit(code);
}

/*
 * Find the file to run as execvp() would, in the job's own PATH (glibc's
 * default when it has none). Return: 0, or -ENOENT when no candidate exists
 * (exit 127 before anything runs). A candidate that exists but cannot be
 * executed is returned: its exec fails with EACCES, exit 126.
 */
static int sentry_resolve(const struct sentry_opts *o, char *out, size_t len)
{
	const char *path = "/bin:/usr/bin", *p, *cmd = o->argv[0];
	size_t i;

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	for (i = 0; o->envp[i]; i++)
		if (!strncmp(o->envp[i], "PATH=", 5))
			path = o->envp[i] + 5;
	for (p = path;; p++) {
		size_t dlen = strcspn(p, ":");
		struct stat st;

		/* An empty PATH entry means the current directory. */
		snprintf(out, len, "%.*s%s%s", (int)dlen, dlen ? p : ".", "/",
			 cmd);
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode))
			return 0;
		p += dlen;
		if (!*p)
			break;
	}
	return -ENOENT;
}

int sentry_run(const struct sentry_opts *o)
{
	struct sentry *s;
	const char *why = NULL;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s) {
		diag_error("out of memory");
		return CORDON_EXIT_FAILURE;
	}
	s->o = o;
	s->job.status_fd = -1;
	s->rx_wake = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (sentry_resolve(o, s->path, sizeof(s->path)) < 0) {
		diag_error("%s: command not found", o->argv[0]);
		free(s);
		return CORDON_EXIT_NOTFOUND;
	}
	/* Compile before anything runs: a bad override fails here, exit 125. */
	rc = filter_compile(
		o->overrides, o->n_overrides,
		filter_lateral_layers(o->landlock) |
			(o->limits && o->limits->set[POLICY_LIMIT_PIDS]
				 ? FILTER_TASKS
				 : 0) |
			(o->audit_path ? FILTER_EXECS : 0),
		&s->filter, &why);
	if (rc < 0) {
		diag_error("cannot compile the seccomp filter%s%s: %s",
			   why ? " at " : "", why ? why : "", strerror(-rc));
		free(s);
		return CORDON_EXIT_FAILURE;
	}
	if (o->slot_name) {
		unsigned which;
		int fd;

		rc = slot_acquire(o->slot_name, o->slot_count,
				  o->slot_timeout_ms, &fd, &which);
		if (rc == -EBUSY) {
			diag_error("slot %s: all %u taken%s", o->slot_name,
				   o->slot_count,
				   o->slot_timeout_ms ? " (timed out)" : "");
			free(s);
			return CORDON_EXIT_FAILURE;
		}
		if (rc < 0) {
			diag_error("slot %s: %s", o->slot_name, strerror(-rc));
			free(s);
			return CORDON_EXIT_FAILURE;
		}
		/* Held by the anchor and the supervisor; never by the job. */
	}
	rc = guard_start();
	if (rc < 0) {
		diag_error("cannot start the supervisor: %s", strerror(-rc));
		return CORDON_EXIT_FAILURE;
	}
	sentry_supervise(s);
}
