/* SPDX-License-Identifier: MIT */
/*
 * seccomp_floor.c - bench/run's "seccomp-floor" runner: run CMD under a
 * seccomp filter of one instruction that allows everything. What that costs
 * is the kernel's price of having any filter at all (every system call
 * takes the slower seccomp entry path, even when the filter's verdict is
 * cached), which no filter program can go below: the floor under cordon's
 * figures for system-call-bound work.
 *
 *   cordon-bench-seccomp-floor CMD [ARG...]
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = 1, .filter = allow};

	if (argc < 2) {
		fprintf(stderr,
			"usage: cordon-bench-seccomp-floor CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("seccomp");
		return 125;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
