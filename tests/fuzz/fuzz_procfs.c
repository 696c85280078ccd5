/* SPDX-License-Identifier: MIT */
/*
 * fuzz_procfs.c - libFuzzer target for the procfs text parsers
 * (platform/procfs.c): each input is parsed as a stat, a status, a list of
 * pids and a syscall file. The command in stat and the whole cmdline are
 * the job's own bytes, the rest the kernel's; none may crash a parser or
 * make it read past @size. Results are checked for the bounds the
 * contracts promise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "platform/platform.h"
#include "tests/fuzz/fuzz.h"

static void fuzz_procfs_fail(const char *what)
{
	fprintf(stderr, "procfs: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procfs_status ps;
	struct procfs_stat st;
	pid_t pids[64];
	size_t n, i;
	long nr;

	if (procfs_stat_parse(data, size, &st) == 0 && !st.state)
		fuzz_procfs_fail("stat parsed without a state");
	procfs_status_parse(data, size, &ps);
	if (ps.umask > 07777 || ps.umask < -1 || ps.tgid < -1)
		fuzz_procfs_fail("status out of range");
	n = procfs_pids_parse(data, size, pids, 64);
	if (n > 64)
		fuzz_procfs_fail("pids past max");
	for (i = 0; i < n; i++)
		if (pids[i] <= 0)
			fuzz_procfs_fail("pid <= 0");
	nr = procfs_syscall_parse(data, size);
	if (nr < PROCFS_SYSCALL_UNKNOWN || nr == PROCFS_SYSCALL_GONE)
		fuzz_procfs_fail("syscall result");
	return 0;
}
