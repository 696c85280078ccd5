/* SPDX-License-Identifier: MIT */
/*
 * proc_signal.c - which signals are pending for a thread of the job, from
 * the signal lines of /proc/TID/status as the one status parser reads them
 * (procfs_status_parse(), procfs.c), and what they mean for a blocking
 * call. Not responsible for acting on it: the deferred calls
 * (sentry/deferred.c) decide what a pending signal ends.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "common/common.h"
#include "platform/platform.h"

/* @st's signal lines as a proc_signal_state. Return: 0, -EINVAL if one
 * is missing, cut short or malformed. */
static int proc_signal_from(const struct procfs_status *st,
			    struct proc_signal_state *out)
{
	out->pnd = st->sig_pnd;
	out->shdpnd = st->sig_shdpnd;
	out->blk = st->sig_blk;
	out->ign = st->sig_ign;
	out->tgid = st->tgid;
	out->threads = st->threads;
	return st->sig_have == PROCFS_STATUS_HAVE_SIGNALS ? 0 : -EINVAL;
}

int proc_signal_parse(const uint8_t *p, size_t len,
		      struct proc_signal_state *out)
{
	struct procfs_status st;

	procfs_status_parse(p, len, &st);
	return proc_signal_from(&st, out);
}

uint64_t proc_signal_deliverable(const struct proc_signal_state *st, pid_t tid)
{
	uint64_t set = st->pnd;

	if (st->tgid == tid || st->threads == 1)
		set |= st->shdpnd;
	return set & ~st->blk & ~st->ign;
}

int proc_signal_classify(const struct proc_signal_state *st, pid_t tid)
{
	/* SIGKILL queued: the thread is dying (a fatal signal becomes one). */
	if ((st->pnd | st->shdpnd) & (1ULL << (SIGKILL - 1)))
		return 2;
	return proc_signal_deliverable(st, tid) ? 1 : 0;
}

int proc_signal_pending(pid_t tid)
{
	struct proc_signal_state st;
	struct procfs_status ps;
	int rc;

	/*
	 * procfs builds the whole file at the first read (seq_file), into
	 * procfs.c's 16 KiB: only a Groups line of thousands of groups pushes
	 * the signal lines past it, and then they are missing (-EINVAL): no
	 * signal is seen and the call waits for its completion or timeout, as
	 * before the poll existed.
	 */
	rc = procfs_status(tid, &ps);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	if (proc_signal_from(&ps, &st) < 0)
		return -EINVAL;
	return proc_signal_classify(&st, tid);
}
