/* SPDX-License-Identifier: MIT */
/*
 * report.c - what a run says about itself: the audit header, the exit
 * status and why, the summary record, and the --report lines.
 * Not responsible for measuring (limits.c) nor for the audit file (audit.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

void sentry_header(struct sentry *s)
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
		      s->job.landlock_abi >= 6	 ? "kernel"
		      : s->job.landlock_abi >= 1 ? "domain"
						 : "supervisor");
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
	/* After a drop (runas.c) the supervisor's ids are the job's. */
	jsonw_key_i64(&w, "uid", (int64_t)getuid());
	jsonw_key_i64(&w, "gid", (int64_t)getgid());
	jsonw_key_bool(&w, "started_as_root",
		       (s->o->runas && s->o->runas->drop) || getuid() == 0);
	jsonw_key_i64(&w, "job_pid", s->job.pid);
	/* The supervisor raised its soft fd limit to the hard one; the job
	 * has the caller's (or its fds limit). */
	jsonw_key_obj(&w, "nofile");
	jsonw_key_u64(&w, "caller_soft", s->nofile_caller);
	jsonw_key_u64(&w, "hard", s->nofile_hard);
	jsonw_key_u64(&w, "supervisor", s->nofile_supervisor);
	jsonw_close(&w);
	/* docs/filesystem.md: which layer confines the files, if any. */
	jsonw_key_obj(&w, "filesystem");
	jsonw_key_str(&w, "layer",
		      !s->fs.paths		 ? "none"
		      : s->job.landlock_abi >= 1 ? "landlock"
						 : "supervisor-opens");
	jsonw_key_str(&w, "workspace", s->fs.paths ? s->o->fs_workspace : NULL);
	jsonw_key_str(&w, "tmpdir", s->o->job_tmpdir);
	jsonw_key_u64(&w, "grants", s->fs.n);
	jsonw_close(&w);
	/* Names only: the values never reach the log. */
	jsonw_key_arr(&w, "env_dropped");
	for (i = 0; i < s->o->n_env_dropped; i++)
		jsonw_str(&w, s->o->env_dropped[i]);
	jsonw_close(&w);
	sentry_argv_json(&w, s->o->argv);
	audit_commit(&s->audit, &w, 0, NULL, false);
}

void sentry_argv_json(struct jsonw *w, char *const *argv)
{
	struct dynbuf b;
	size_t i;

	/* An argument is at most 128 KiB (MAX_ARG_STRLEN): room for it all. */
	dynbuf_init(&b, 1U << 20);
	jsonw_key_arr(w, "argv");
	for (i = 0; argv[i]; i++) {
		const char *prev = i ? argv[i - 1] : NULL;

		dynbuf_reset(&b);
		/* Secret values never reach the log (docs/audit.md). */
		if (policy_argv_redact(
			    (const uint8_t *)prev, prev ? strlen(prev) : 0,
			    (const uint8_t *)argv[i], strlen(argv[i]), &b) < 0)
			jsonw_str(w, POLICY_ARGV_REDACTED);
		else
			jsonw_str(w, b.len ? b.data : "");
	}
	jsonw_close(w);
	dynbuf_free(&b);
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

int sentry_exit_code(struct sentry *s, const char **why)
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
void sentry_fmt_limit(enum policy_limit_key k, uint64_t v, char *out,
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

/* The "limits" object of the summary, and the human lines on stderr. */
static void sentry_limits_json(struct sentry *s, struct jsonw *w)
{
	bool lines = s->o->report || s->stop == SENTRY_STOP_LIMIT;
	int k;

	s->limits.wall_ms = (time_mono_ns() - s->start_ns) / 1000000;
	s->limits.log_peak = s->out.bytes + s->out.dropped;
	s->limits.egress_peak = netstack_quota_used(&s->net.quota);
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
		if (key != POLICY_LIMIT_FSIZE)
			jsonw_key_u64(w, "peak", peak);
		else
			jsonw_key_str(w, "peak", NULL);
		jsonw_key_bool(w, "enforced", true);
		jsonw_key_bool(w, "fired", s->limits.fired == key);
		if (key == POLICY_LIMIT_EGRESS)
			jsonw_key_u64(w, "refused",
				      __atomic_load_n(&s->net.quota.refused,
						      __ATOMIC_RELAXED));
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
		else
			diag_error("limit %-6s %10s  peak %10s%s",
				   policy_limit_key_name(key), a, b,
				   s->limits.fired == key
					   ? "  <- killed the job"
				   : key == POLICY_LIMIT_EGRESS &&
						   netstack_quota_reached(
							   &s->net.quota)
					   ? "  <- reached: sends refused"
					   : "");
	}
	jsonw_close(w);
	jsonw_key_u64(w, "log_bytes_dropped", s->out.dropped);
	/* Job output cordon's stdout/stderr never took (no reader, or one
	 * still stopped when the run's end had waited OUTPUT_DRAIN_MS). */
	jsonw_key_u64(w, "output_bytes_lost", s->out.lost);
	jsonw_key_u64(w, "limit_samples", s->limits.samples);
}

/*
 * How the receiver waited for calls, and what the supervisor's own threads
 * cost in CPU (the job's CPU is in "peaks" and "limits"; this is not).
 */
static void sentry_receiver_json(struct sentry *s, struct jsonw *w)
{
	struct rusage self;

	getrusage(RUSAGE_SELF, &self);
	jsonw_key_obj(w, "receiver");
	jsonw_key_str(w, "wake", receiver_wake_name(s->rx_wake_mode));
	jsonw_key_u64(w, "polls", s->rx_spin.stats.polls);
	jsonw_key_u64(w, "poll_hits", s->rx_spin.stats.hits);
	jsonw_key_u64(w, "poll_contended", s->rx_spin.stats.contended);
	jsonw_key_double(w, "poll_s", (double)s->rx_spin.stats.poll_ns / 1e9);
	jsonw_key_double(w, "supervisor_cpu_s",
			 (double)self.ru_utime.tv_sec +
				 (double)self.ru_utime.tv_usec / 1e6 +
				 (double)self.ru_stime.tv_sec +
				 (double)self.ru_stime.tv_usec / 1e6);
	jsonw_close(w);
}

void sentry_summary(struct sentry *s, int code, const char *why)
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
	sentry_receiver_json(s, &w);
	jsonw_key_u64(&w, "killed_by_sigsys", s->n_sigsys);
	jsonw_key_u64(&w, "audit_records_dropped", s->audit.dropped);
	jsonw_key_u64(&w, "exec_records_lost", s->pending_evicted);
	/* cordon's own stderr lines lost to a closed or full stderr. */
	jsonw_key_u64(&w, "diag_lines_dropped", diag_dropped());
	deferred_json(&s->deferred, &w);
	jsonw_key_str(&w, "zone", s->o->zone_name);
	/* The summary is written even past the cap: it is the verdict. */
	s->audit.max_bytes = UINT64_MAX;
	if (s->o->report_json && jsonw_end(&w) == 0) {
		/* Opened before the supervisor dropped root (sentry_run()). */
		if (s->report_fd < 0 || ftruncate(s->report_fd, 0) < 0 ||
		    fd_write_all(s->report_fd, w.buf.data, w.buf.len) < 0)
			diag_warning("cannot write %s", s->o->report_json);
		/* jsonw_end() closed the record: write it as it is. */
		audit_write(&s->audit, &w.buf);
		jsonw_free(&w);
		return;
	}
	audit_commit(&s->audit, &w, 0, NULL, false);
}
