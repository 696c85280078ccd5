/* SPDX-License-Identifier: MIT */
/*
 * guard.c - fail closed when cordon itself is killed.
 *
 * Theory of operation
 * -------------------
 * `cordon run` splits in two before anything of the job exists:
 *
 *   anchor (the pid the user started; subreaper; relays signals and status)
 *     └─ supervisor (subreaper; PDEATHSIG = SIGRTMIN+2 from the anchor)
 *          └─ the job's processes, and every orphan among them
 *
 * kill -9 of the anchor: the kernel sends the supervisor its death signal,
 * and the supervisor kills the whole tree before it exits. kill -9 of the
 * supervisor: its orphans are reparented to the anchor (the nearest
 * subreaper), which kills them all and exits 125. The job cannot signal
 * either process (Landlock signal scoping; both are non-dumpable). Both would
 * have to die at once - the residual risk, written down in docs.
 *
 * Started as root, the supervisor drops to the job's user (runas.c) and the
 * anchor stays root: it gives a --workspace back (workspace.c) after the
 * supervisor exited and guard_kill_all() left no job process to race the
 * walk. The drop clears the supervisor's parent-death signal; guard_rearm()
 * sets it again.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/sentry_priv.h"

int sentry_sig_anchor_died(void)
{
	return SIGRTMIN + 2;
}

static void guard_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, sentry_sig_anchor_died());
}

/* Kill and reap everything below the anchor; used when the supervisor died. */
static void guard_kill_all(void)
{
	for (;;) {
		proctree_signal_tree(SIGKILL);
		if (EINTR_RETRY(waitpid(-1, NULL, 0)) < 0 && errno == ECHILD)
			return;
	}
}

static pid_t guard_anchor_pid;

static void __attribute__((noreturn))
guard_anchor(pid_t sup, struct workspace *ws, const char *tmpdir)
{
	int sup_status = 0;
	sigset_t set;

	guard_sigset(&set);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		pid_t pid;
		int st;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* The supervisor forwards to the job, with --grace. */
			kill(sup, sig);
			continue;
		}
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid == sup) {
				sup_status = st;
				sup = -1;
			}
		}
		if (sup > 0)
			continue;
		if (WIFSIGNALED(sup_status)) {
			diag_error(
				"supervisor died of signal %d; killing the job",
				WTERMSIG(sup_status));
			guard_kill_all();
			workspace_restore(ws);
			jobtmp_remove(tmpdir);
			exit(CORDON_EXIT_FAILURE);
		}
		/* Nothing should be left; make sure of it. */
		guard_kill_all();
		/* No job process is left to race the walk. */
		workspace_restore(ws);
		jobtmp_remove(tmpdir);
		exit(WIFEXITED(sup_status) ? WEXITSTATUS(sup_status)
					   : CORDON_EXIT_FAILURE);
	}
}

static bool guard_sigpipe_was_default = true;

bool guard_sigpipe_default(void)
{
	return guard_sigpipe_was_default;
}

int guard_block_signals(void)
{
	sigset_t set;

	guard_sigset(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

int guard_rearm(void)
{
	if (prctl(PR_SET_PDEATHSIG, sentry_sig_anchor_died(), 0, 0, 0) < 0)
		return -errno;
	/* Died between the change of credentials and now: no signal came. */
	return getppid() == guard_anchor_pid ? 0 : -ESRCH;
}

int guard_start(struct workspace *ws, const char *tmpdir)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	pid_t anchor = getpid(), sup;
	int rc;

	guard_anchor_pid = anchor;
	rc = guard_block_signals();
	if (rc < 0)
		return rc;
	/*
	 * cordon's own messages must never kill it: a stderr whose reader
	 * left makes a write fail with EPIPE (the line is counted as lost)
	 * instead of raising SIGPIPE. The job gets the disposition cordon was
	 * started with back before its exec (platform_spawn.sigpipe_default).
	 */
	if (sigaction(SIGPIPE, &ign, &old) < 0)
		return -errno;
	guard_sigpipe_was_default = old.sa_handler == SIG_DFL;
	/*
	 * Neither cordon process may be ptraced or read by the job. Inside
	 * another cordon (whose filter keeps its job dumpable: EPERM) the
	 * job's own Landlock domain, nested in ours, still refuses it
	 * ptrace access to us (docs/platforms.md, Nested).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 && errno != EPERM)
		return -errno;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	sup = fork();
	if (sup < 0)
		return -errno;
	if (sup > 0)
		guard_anchor(sup, ws, tmpdir);
	if (prctl(PR_SET_PDEATHSIG, sentry_sig_anchor_died(), 0, 0, 0) < 0)
		_exit(CORDON_EXIT_FAILURE);
	if (getppid() != anchor)
		_exit(CORDON_EXIT_FAILURE); /* the anchor is already gone */
	return 0;
}
