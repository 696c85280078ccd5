/* SPDX-License-Identifier: MIT */
/*
 * supervisor.c - a run from start to end: resolve the command, compile the
 * filter, set up the supervisor's fds and the job (platform_spawn()), start
 * the receiver, run the loop (loop.c), then kill what is left, write the
 * report (report.c) and exit with the run's status. Also dispatches each
 * notified call to its handler and through the one verdict path
 * (verdict.c): internal errors become verdict_fail(), never a CONTINUE.
 *
 * Not responsible for events (loop.c), decisions (handlers, netstack,
 * policy) nor the report's content (report.c).
 */
#include <fcntl.h>
#include <limits.h>
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

int sentry_service_watch(struct sentry *s, enum netstack_service_kind k)
{
	struct epoll_event ev = {.events = EPOLLIN,
				 .data.u64 = SENTRY_EPOLL_SERVICE |
					     ((uint64_t)k << 16)};
	int fd = netstack_service_fd(&s->net, k);

	if (fd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = fd < 0 ? EINVAL : errno;

		diag_error("cannot poll a netstack service: %s", strerror(e));
		netstack_service_stop(&s->net, k);
		return -e;
	}
	return 0;
}

int sentry_answer(struct sentry *s, const struct platform_call *pc,
		  const struct platform_answer *a)
{
	int rc = platform_answer(s->plat, pc, a);

	/*
	 * ENOENT: the caller is gone, nothing waits. Any other failure
	 * leaves the caller stopped in its call for ever (the kernel waits
	 * for exactly one answer): the tree must go, or the job hangs.
	 */
	if (rc < 0 && rc != -ENOENT) {
		diag_error("answering a call failed: %s; stopping the job",
			   strerror(-rc));
		if (s->stop == SENTRY_STOP_NONE)
			s->stop = SENTRY_STOP_INTERNAL;
	}
	return rc;
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
		/*
		 * ENOENT from a handler: the caller died while it was served
		 * (ID_VALID said so). Nothing was refused, so nothing is
		 * recorded - if the kernel confirms it: the refusal is sent
		 * first, and only an answer the kernel rejects with ENOENT
		 * (no such call) is dropped silently; a caller still there
		 * gets EPERM and the internal denial is recorded.
		 */
		if (rc == -ENOENT && !c->v.deferred) {
			struct platform_answer a = {
				.kind = PLATFORM_ANSWER_ERRNO, .err = EPERM};

			if (sentry_answer(s, &c->pc, &a) == -ENOENT) {
				if (c->exe_fd >= 0)
					close(c->exe_fd);
				c->exe_fd = -1;
				return;
			}
			verdict_answered(&c->v);
		}
		if (rc < 0)
			verdict_fail(&c->v, rc, false);
	}
	/* A deferred call is answered and recorded by its completion. */
	if (!c->v.deferred)
		sentry_verdict(s, c);
	if (c->exe_fd >= 0)
		sys_exec_finish(s, c);
}

/*
 * A relay event: a stream relayed, refused (SNI/Host, not a job socket) or
 * closed (its byte counts). Denials are printed and counted.
 */
static void sentry_relay_event(struct sentry *s, const struct netstack_event *e)
{
	char summary[900], seen[300];
	struct jsonw w;
	uint64_t key;

	if (e->allowed && s->o->audit_level != SENTRY_AUDIT_LEVEL_ALL)
		return;
	audit_begin(&s->audit, &w, "relay");
	jsonw_key_str(&w, "dest", e->dest);
	jsonw_key_str(&w, "seen", e->seen[0] ? e->seen : NULL);
	jsonw_key_str(&w, "name", e->name[0] ? e->name : NULL);
	jsonw_key_str(&w, "decision", e->allowed ? "allow" : "deny");
	jsonw_key_str(&w, "outcome", e->what);
	jsonw_key_str(&w, "zone", s->o->zone_name);
	jsonw_key_str(&w, "rule", e->rule[0] ? e->rule : NULL);
	jsonw_key_u64(&w, "bytes_out", e->bytes_out);
	jsonw_key_u64(&w, "bytes_in", e->bytes_in);
	seen[0] = '\0';
	if (e->seen[0])
		snprintf(seen, sizeof(seen), " (%s %s)", e->seen, e->name);
	snprintf(summary, sizeof(summary),
		 "%s stream to %s%s: %s (zone %s: %s)",
		 e->allowed ? "relayed" : "denied", e->dest, seen, e->what,
		 s->o->zone_name, e->rule[0] ? e->rule : "relay");
	key = digest_xxh3_buf(summary, strlen(summary));
	audit_commit(&s->audit, &w, e->allowed ? 0 : (key ? key : 1), summary,
		     !e->allowed);
	if (!e->allowed)
		s->n_denied++;
}

/* Audit records and stderr lines for what service @k decided. */
static void sentry_service_events(struct sentry *s,
				  enum netstack_service_kind k)
{
	const struct netstack_event *ev;
	size_t n, i;

	n = netstack_service_events(&s->net, k, &ev);
	if (k == NETSTACK_SERVICE_RELAY) {
		for (i = 0; i < n; i++)
			sentry_relay_event(s, &ev[i]);
		return;
	}
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

bool sentry_service_run(struct sentry *s, enum netstack_service_kind k)
{
	bool moved;

	if (!netstack_service_running(&s->net, k))
		return false;
	moved = netstack_service_run(&s->net, k) > 0;
	sentry_service_events(s, k);
	return moved;
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

/*
 * The supervisor's own fds: every relayed connection holds 2 (4 more while
 * bytes wait in its pipes), every socket owned from birth one, so the soft
 * RLIMIT_NOFILE (often 1024) is raised to the hard one; the audit header
 * states both. The job gets the caller's soft limit back (or its fds
 * limit), as without cordon.
 */
static void sentry_nofile_raise(struct sentry *s, struct platform_spawn *sp)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	s->nofile_caller = rl.rlim_cur;
	s->nofile_hard = rl.rlim_max;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			rl.rlim_cur = s->nofile_caller;
	}
	s->nofile_supervisor = rl.rlim_cur;
	sp->nofile_soft = s->nofile_caller;
}

/*
 * The platform of the run, and the job started on it. --platform auto
 * (the default) takes unotify and falls back to ptrace where a listener
 * is refused - EBUSY: another supervisor's listener on our own filter
 * chain (a sandbox built on user notification); EPERM: a filter around us
 * refuses SECCOMP_FILTER_FLAG_NEW_LISTENER (cordon inside cordon). The
 * filter is compiled again for SECCOMP_RET_TRACE then.
 * Return: 0, or -errno (said).
 */
static int sentry_platform_start(struct sentry *s, struct platform_spawn *sp)
{
	enum platform_kind kind = s->o->platform;
	int rc;

	for (;;) {
		/*
		 * Under a filter of someone else's (a supervisor around us:
		 * auto fell back, or ptrace asked for inside one), its
		 * USER_NOTIF rows would take calls before our TRACE rows:
		 * judge at syscall entry instead (docs/platforms.md).
		 */
		sp->entry_stops = kind == PLATFORM_KIND_PTRACE &&
				  (kind != s->o->platform ||
				   prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
		if (kind == PLATFORM_KIND_PTRACE && !sp->landlock_abi) {
			diag_error(
				"the ptrace platform needs a Landlock domain "
				"(without it opens are performed on the job's "
				"behalf, and ptrace cannot install their fds): "
				"drop --no-landlock, or use --platform unotify");
			return -EOPNOTSUPP;
		}
		s->plat = platform_new(kind);
		if (!s->plat) {
			rc = -errno;
			diag_error("platform %s is not available: %s",
				   platform_kind_name(kind), strerror(-rc));
			return rc;
		}
		rc = platform_spawn(s->plat, sp, &s->job);
		if ((rc == -EBUSY || rc == -EPERM) && s->o->platform_auto &&
		    kind == PLATFORM_KIND_UNOTIFY &&
		    s->job.fail_stage == PLATFORM_SPAWN_STAGE_FILTER) {
			const char *why = NULL;

			if (!diag_quiet())
				diag_note("platform auto: seccomp user "
					  "notification refused (%s: a "
					  "supervisor around us holds the "
					  "listener of this filter chain, or "
					  "its filter refuses one); using "
					  "ptrace",
					  rc == -EBUSY ? "EBUSY" : "EPERM");
			platform_free(s->plat);
			s->plat = NULL;
			filter_prog_free(&s->filter);
			rc = filter_compile(s->o->overrides, s->o->n_overrides,
					    s->filter_layers,
					    PLATFORM_TRAP_PTRACE, &s->filter,
					    &why);
			if (rc < 0) {
				diag_error("cannot compile the seccomp filter "
					   "for ptrace: %s",
					   strerror(-rc));
				return rc;
			}
			sp->filter = &s->filter.prog;
			kind = PLATFORM_KIND_PTRACE;
			continue;
		}
		if (rc < 0) {
			diag_error("%s failed: %s",
				   sentry_stage_name(s->job.fail_stage),
				   strerror(-rc));
			return rc;
		}
		return 0;
	}
}

/*
 * The egress quota (netstack.h, struct netstack_quota): set before the
 * relay's thread or any handler may draw from it.
 */
static void sentry_quota_init(struct sentry *s)
{
	struct netstack_quota *q = &s->net.quota;
	char v[32];

	if (!limits_set(&s->limits, POLICY_LIMIT_EGRESS))
		return;
	q->limit = limits_value(&s->limits, POLICY_LIMIT_EGRESS);
	q->kill = s->o->limits->egress_overflow_set &&
		  s->o->limits->egress_overflow == POLICY_EGRESS_OVERFLOW_KILL;
	sentry_fmt_limit(POLICY_LIMIT_EGRESS, q->limit, v, sizeof(v));
	snprintf(q->rule, sizeof(q->rule), "limit egress %s reached", v);
}

/*
 * The zone's filesystem rules (fs_plan.c): made concrete with this run's
 * workspace, TMPDIR and HOME, and given to the job's Landlock domain; the
 * supervisor's open path decides on the same resolved paths. Without a
 * domain (no Landlock, --no-landlock) the CLI has already refused unless
 * --allow-unconfined-fs. Return: 0 or -errno (said).
 */
static int sentry_fs_setup(struct sentry *s, struct platform_spawn *sp)
{
	const struct zone *z = zone_tables_zone(s->o->tables);
	char why[PATH_MAX + 256];
	int rc;

	s->net.rt.workspace = s->o->fs_workspace;
	if (!zone_fs_confined(z))
		return 0;
	rc = fs_plan_build(z, &s->net.rt, &s->fs, why, sizeof(why));
	if (rc < 0) {
		diag_error("filesystem rules of zone %s: %s", zone_name(z),
			   why);
		return rc;
	}
	s->net.rt.fs_paths = (const char *const *)s->fs.paths;
	s->net.rt.n_fs_paths = s->fs.n_paths;
	if (sp->landlock_abi >= 1) {
		sp->fs_confine = true;
		sp->fs_rules = s->fs.rules;
		sp->n_fs_rules = s->fs.n;
	}
	/*
	 * Else --allow-unconfined-fs (the CLI refused otherwise): the option
	 * said it, the audit header records the layer (supervisor-opens).
	 */
	return 0;
}

static int sentry_setup(struct sentry *s)
{
	struct platform_spawn sp = {
		.path = s->path,
		.argv = s->o->argv,
		.envp = s->o->envp,
		.filter = &s->filter.prog,
		.pdeathsig = SIGKILL,
		.sigpipe_default = guard_sigpipe_default(),
		.close_stdio = diag_closed_stdio(),
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
		if (platform_ignores_sock_diag())
			sock_diag_ignore();
		rc = netstack_init(&s->net, s->o->tables, s->o->envp,
				   cwd[0] ? cwd : NULL);
		if (rc < 0)
			return rc;
	}

	rc = limits_init(&s->limits, s->o->limits);
	if (rc < 0)
		return rc;
	sp.nofile = limits_value(&s->limits, POLICY_LIMIT_FDS);
	sentry_nofile_raise(s, &sp);
	sentry_quota_init(s);
	sp.fsize = limits_value(&s->limits, POLICY_LIMIT_FSIZE);
	sp.nproc = sys_task_backstop(s);
	/*
	 * A job under another uid could not reopen cordon's own stdout and
	 * stderr (/dev/stdout is /proc/self/fd/1: a pipe or pty of root's,
	 * mode 0600): it gets pipes or a pty of its own uid, made here after
	 * the drop, which the supervisor forwards - uncapped without a log
	 * limit (cap 0).
	 */
	if (limits_set(&s->limits, POLICY_LIMIT_LOG) ||
	    (s->o->runas && s->o->runas->drop)) {
		rc = output_init(
			&s->out,
			limits_set(&s->limits, POLICY_LIMIT_LOG)
				? limits_value(&s->limits, POLICY_LIMIT_LOG)
				: 0,
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
	/*
	 * Sockets owned from birth: exits and execs close job fds without a
	 * call, so a sweep releases the copies no job fd names (sys_sock.c,
	 * 4) five times a second; a close by the job reaches a peer at most
	 * that late then. Cheap while no copy is held (a field is read).
	 */
	s->birth_timerfd = -1;
	if (s->birth) {
		struct itimerspec its = {
			.it_value = {.tv_nsec = 200000000L},
			.it_interval = {.tv_nsec = 200000000L}};

		s->birth_timerfd = timerfd_create(CLOCK_MONOTONIC,
						  TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->birth_timerfd < 0 ||
		    timerfd_settime(s->birth_timerfd, 0, &its, NULL) < 0)
			return -errno;
	}
	/* The same ABI filter_lateral_layers() chose the filter's rows by. */
	sp.landlock_abi = s->o->landlock ? platform_landlock_abi() : 0;
	sp.landlock_scope = KCOMPAT_LANDLOCK_SCOPE_SIGNAL |
			    KCOMPAT_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	rc = sentry_fs_setup(s, &sp);
	if (rc < 0)
		return rc;
	rc = sentry_platform_start(s, &sp);
	if (rc < 0)
		return rc;
	/* A tracer reads SIGCHLD itself and hands exits over (loop.c). */
	if (platform_reap_fd(s->plat) >= 0) {
		sigdelset(&set, SIGCHLD);
		if (signalfd(s->sigfd, &set, 0) < 0 ||
		    sentry_epoll_add(s, platform_reap_fd(s->plat),
				     SENTRY_EPOLL_REAP))
			return -errno;
	}
	{
		const int stdio[] = {0, sp.stdout_fd > 2 ? sp.stdout_fd : 1,
				     sp.stderr_fd > 2 ? sp.stderr_fd : 2};

		s->net.passrights = platform_features(s->plat)->passrights;
		sys_rights_inherited(s, stdio, ARRAY_SIZE(stdio));
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
	rc = deferred_init(&s->deferred);
	if (rc < 0 || sentry_epoll_add(s, deferred_timerfd(&s->deferred),
				       SENTRY_EPOLL_DEFERRED_TIMER))
		return rc < 0 ? rc : -errno;
	rc = sys_open_init();
	if (rc < 0 || sentry_epoll_add(s, rc, SENTRY_EPOLL_OPEN))
		return rc < 0 ? rc : -errno;
	if (sentry_epoll_add(s, s->limits.timerfd, SENTRY_EPOLL_LIMITS) ||
	    (s->wall_timerfd >= 0 &&
	     sentry_epoll_add(s, s->wall_timerfd, SENTRY_EPOLL_WALL)) ||
	    (s->birth_timerfd >= 0 &&
	     sentry_epoll_add(s, s->birth_timerfd, SENTRY_EPOLL_BIRTH)))
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
	limits_arm(&s->limits);
	return 0;
}

/*
 * Started as root with a job user: become that user for good (runas.c says
 * why the supervisor and not only the job), before any socket, pipe or
 * process of the run exists. What needed root is already open: the audit
 * log, the --report-json file, the slot. Return: 0, or -errno (said).
 */
static int sentry_drop(struct sentry *s)
{
	const struct runas *r = s->o->runas;
	int rc;

	if (!r || !r->drop)
		return 0;
	rc = runas_drop(r);
	if (rc < 0) {
		diag_error(
			"cannot drop to the job's user %s (uid %u, gid %u): %s",
			r->name, (unsigned)r->uid, (unsigned)r->gid,
			strerror(-rc));
		return rc;
	}
	rc = guard_rearm();
	if (rc < 0) {
		diag_error("cannot re-arm the guard after the drop: %s",
			   strerror(-rc));
		return rc;
	}
	/* The checks the kernel makes for the job from now on are its own. */
	if (s->o->workspace && access(s->o->workspace, R_OK | W_OK | X_OK)) {
		rc = -errno;
		diag_error(
			"--workspace %s: the job's user %s cannot use it: %s "
			"(is every directory above it searchable by uid %u?)",
			s->o->workspace, r->name, strerror(-rc),
			(unsigned)r->uid);
		return rc;
	}
	if (!s->o->workspace && access(".", W_OK | X_OK))
		diag_note("the job's user %s (uid %u) cannot write the current "
			  "directory; --workspace DIR gives it a root-owned "
			  "checkout for the run",
			  r->name, (unsigned)r->uid);
	return 0;
}

static int __attribute__((noreturn)) sentry_supervise(struct sentry *s)
{
	const char *why = "?";
	int rc, code;

	s->start_ns = time_mono_ns();
	s->exec_fail_stage = -1;
	/* The loop runs handlers too (threadfs.c); before any thread starts. */
	threadfs_private();
	rc = audit_open(&s->audit, s->o->audit_path, s->o->audit_max_bytes,
			s->o->audit_level);
	if (rc < 0) {
		diag_error("cannot open audit log %s: %s", s->o->audit_path,
			   strerror(-rc));
		exit(CORDON_EXIT_FAILURE);
	}
	rc = sentry_drop(s);
	if (rc < 0) {
		audit_close(&s->audit);
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
	if (fault_armed()) {
		unsigned long long seen, failed;

		fault_counts(&seen, &failed);
		diag_warning("fault injection: step %s occurred %llu times, "
			     "failed %llu",
			     getenv("CORDON_FAULT"), seen, failed);
	}
	audit_close(&s->audit);
	deferred_fini(&s->deferred);
	netstack_fini(&s->net);
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

/*
 * FILTER_SOCKNAMES when the job's zone can translate a socket (a hostname
 * rule: the relay), so that getsockname()/getpeername() show what the job
 * believes; else both stay in the kernel (one round trip each fewer).
 */
static unsigned int sentry_sockname_layer(const struct sentry_opts *o)
{
	const struct zone *z = o->tables ? zone_tables_zone(o->tables) : NULL;

	return net_plan_zone_translates(z) ? FILTER_SOCKNAMES : 0;
}

int sentry_run(const struct sentry_opts *o)
{
	struct sentry *s;
	struct workspace *ws = NULL;
	const char *why = NULL;
	char fault_why[200];
	int rc;

	/* Tests only (common/fault.h): refused unless asked for knowingly. */
	if (fault_init(fault_why, sizeof(fault_why)) < 0) {
		diag_error("%s", fault_why);
		jobtmp_remove(o->job_tmpdir);
		return CORDON_EXIT_FAILURE;
	}
	if (fault_armed())
		diag_warning("fault injection armed (CORDON_FAULT=%s): this "
			     "supervisor fails on purpose",
			     getenv("CORDON_FAULT"));
	s = calloc(1, sizeof(*s));
	if (!s) {
		diag_error("out of memory");
		jobtmp_remove(o->job_tmpdir);
		return CORDON_EXIT_FAILURE;
	}
	s->o = o;
	s->job.status_fd = -1;
	s->rx_wake = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (sentry_resolve(o, s->path, sizeof(s->path)) < 0) {
		diag_error("%s: command not found", o->argv[0]);
		free(s);
		jobtmp_remove(o->job_tmpdir);
		return CORDON_EXIT_NOTFOUND;
	}
	/* No pidfd_getfd (a container's profile): sockets owned from birth. */
	s->birth = !platform_kind_takes_fds(o->platform);
	/* Compile before anything runs: a bad override fails here, exit 125. */
	s->filter_layers = filter_lateral_layers(o->landlock) |
			   (o->audit_path ? FILTER_EXECS : 0) |
			   (s->birth ? FILTER_BIRTH : 0) |
			   sentry_sockname_layer(o);
	rc = filter_compile(o->overrides, o->n_overrides, s->filter_layers,
			    platform_kind_trap_action(o->platform), &s->filter,
			    &why);
	if (rc < 0) {
		diag_error("cannot compile the seccomp filter%s%s: %s",
			   why ? " at " : "", why ? why : "", strerror(-rc));
		free(s);
		jobtmp_remove(o->job_tmpdir);
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
	/* Opened while cordon may still be root (the supervisor drops). */
	s->report_fd = -1;
	if (o->report_json) {
		s->report_fd = open(o->report_json,
				    O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (s->report_fd < 0)
			diag_warning("cannot open %s: %s", o->report_json,
				     strerror(errno));
	}
	if (o->workspace && o->runas && o->runas->drop) {
		char wwhy[PATH_MAX + 128];

		/* An interrupted grant would leave the tree half given. */
		rc = guard_block_signals();
		if (rc < 0)
			snprintf(wwhy, sizeof(wwhy), "%s", strerror(-rc));
		else
			rc = workspace_grant(o->workspace, o->runas->uid,
					     o->runas->gid, &ws, wwhy,
					     sizeof(wwhy));
		if (rc < 0) {
			diag_error("%s", wwhy);
			free(s);
			jobtmp_remove(o->job_tmpdir);
			return CORDON_EXIT_FAILURE;
		}
	}
	rc = guard_start(ws, o->job_tmpdir);
	if (rc < 0) {
		diag_error("cannot start the supervisor: %s", strerror(-rc));
		workspace_restore(ws);
		jobtmp_remove(o->job_tmpdir);
		return CORDON_EXIT_FAILURE;
	}
	sentry_supervise(s);
}
