/* SPDX-License-Identifier: MIT */
/*
 * syscall_table.c - THE table: for every x86_64 system call, where it is
 * decided (gVisor's linux64.go shape). The filter compiler (filter.c) reads
 * it; the supervisor dispatches notified calls through it; `cordon doctor`
 * and the tests read it. A number that is not here is unknown and gets ENOSYS
 * from the filter.
 *
 * Classes: SC_ALLOW never leaves the kernel (the hot path); SC_ERRNO is
 * refused by the filter itself; SC_NOTIFY goes to the supervisor; SC_RULE is
 * decided in the filter on register arguments (see enum syscall_rule).
 *
 * Errno choices: ENOSYS where programs must fall back as if the kernel lacked
 * the call (io_uring, clone3, keyrings, obsolete calls); EPERM where a
 * privilege is missing; EACCES for perf_event_open, as perf_event_paranoid
 * answers.
 */
#include <errno.h>
#include <string.h>

#include "sentry/sentry_priv.h"

#define SC_ALLOW(nr_, name_)                                                   \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ALLOW          \
	}
#define SC_ERRNO(nr_, name_, err_)                                             \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ERRNO,         \
		.err = err_                                                    \
	}
/* Refused in the kernel, and no zone may allow it: a bypass of mediation. */
#define SC_LOCKED(nr_, name_, err_)                                            \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ERRNO,         \
		.err = err_, .locked = true                                    \
	}
#define SC_NOTIFY(nr_, name_, handler_)                                        \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_NOTIFY,        \
		.handler = handler_                                            \
	}
/* Starts a program: notified for the exec record only (FILTER_EXECS). */
#define SC_EXEC(nr_, name_, handler_)                                          \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_NOTIFY,        \
		.handler = handler_, .exec = true                              \
	}
#define SC_RULE(nr_, name_, rule_)                                             \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_RULE,          \
		.rule = rule_                                                  \
	}
#define SC_RULE_NOTIFY(nr_, name_, rule_, handler_)                            \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_RULE,          \
		.rule = rule_, .handler = handler_                             \
	}
/*
 * Can name a process outside the job: allowed in the kernel when the job's
 * Landlock domain has layer_ (enum syscall_lateral), else served by handler_
 * (sys_proc.c, sys_open.c; docs/isolation.md).
 */
#define SC_LATERAL(nr_, name_, layer_, handler_)                               \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ALLOW,         \
		.lateral = layer_, .handler = handler_                         \
	}
/*
 * Creates a task: allowed in the kernel, except where job sockets are owned
 * from birth (FILTER_BIRTH): then notified to sys_task_create (sys_sock.c).
 */
#define SC_TASK(nr_, name_)                                                    \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ALLOW,         \
		.task = true, .handler = sys_task_create                       \
	}
#define SC_TASK_RULE(nr_, name_, rule_)                                        \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_RULE,          \
		.rule = rule_, .task = true, .handler = sys_task_create        \
	}
/*
 * Allowed in the kernel, except where job sockets are owned from birth
 * (FILTER_BIRTH, sys_sock.c): then served by handler_.
 */
#define SC_BIRTH(nr_, name_, handler_)                                         \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ALLOW,         \
		.birth = true, .handler = handler_                             \
	}
/*
 * Allowed in the kernel, except where the zone can translate a socket
 * (FILTER_SOCKNAMES: hostname rules, so the relay): then served by
 * handler_, which shows what the job believes (sys_net.c).
 */
#define SC_SOCKNAME(nr_, name_, handler_)                                      \
	{                                                                      \
		.nr = nr_, .name = #name_, .cls = SYSCALL_CLASS_ALLOW,         \
		.sockname = true, .handler = handler_                          \
	}
#define LAT_SCOPE SYSCALL_LATERAL_SCOPE
#define LAT_DOMAIN SYSCALL_LATERAL_DOMAIN

/* Sorted by number: syscall_table_by_nr() bisects. */
static const struct syscall_entry syscall_table[] = {
	SC_ALLOW(0, read),
	SC_ALLOW(1, write),
	SC_LATERAL(2, open, LAT_DOMAIN, sys_open),
	SC_BIRTH(3, close, sys_close),
	SC_ALLOW(4, stat),
	SC_ALLOW(5, fstat),
	SC_ALLOW(6, lstat),
	SC_ALLOW(7, poll),
	SC_ALLOW(8, lseek),
	SC_ALLOW(9, mmap),
	SC_ALLOW(10, mprotect),
	SC_ALLOW(11, munmap),
	SC_ALLOW(12, brk),
	SC_ALLOW(13, rt_sigaction),
	SC_ALLOW(14, rt_sigprocmask),
	SC_ALLOW(15, rt_sigreturn),
	SC_RULE(16, ioctl, SYSCALL_RULE_IOCTL_NO_TIOCSTI),
	SC_ALLOW(17, pread64),
	SC_ALLOW(18, pwrite64),
	SC_ALLOW(19, readv),
	SC_ALLOW(20, writev),
	SC_ALLOW(21, access),
	SC_ALLOW(22, pipe),
	SC_ALLOW(23, select),
	SC_ALLOW(24, sched_yield),
	SC_ALLOW(25, mremap),
	SC_ALLOW(26, msync),
	SC_ALLOW(27, mincore),
	SC_ALLOW(28, madvise),
	SC_ALLOW(29, shmget),
	SC_ALLOW(30, shmat),
	SC_ALLOW(31, shmctl),
	SC_BIRTH(32, dup, sys_dup),
	SC_BIRTH(33, dup2, sys_dup2),
	SC_ALLOW(34, pause),
	SC_ALLOW(35, nanosleep),
	SC_ALLOW(36, getitimer),
	SC_ALLOW(37, alarm),
	SC_ALLOW(38, setitimer),
	SC_ALLOW(39, getpid),
	SC_ALLOW(40, sendfile),
	/* Allowed kinds are the supervisor's to create under FILTER_BIRTH. */
	{.nr = 41,
	 .name = "socket",
	 .cls = SYSCALL_CLASS_RULE,
	 .rule = SYSCALL_RULE_SOCKET_KINDS,
	 .birth = true,
	 .handler = sys_socket},
	SC_NOTIFY(42, connect, sys_connect),
	SC_BIRTH(43, accept, sys_accept),
	SC_RULE_NOTIFY(44, sendto, SYSCALL_RULE_ADDR_ARG4, sys_sendto),
	SC_RULE_NOTIFY(45, recvfrom, SYSCALL_RULE_ADDR_ARG4, sys_recvfrom),
	SC_NOTIFY(46, sendmsg, sys_sendmsg),
	SC_NOTIFY(47, recvmsg, sys_recvmsg),
	SC_ALLOW(48, shutdown),
	SC_NOTIFY(49, bind, sys_bind),
	SC_NOTIFY(50, listen, sys_listen),
	SC_SOCKNAME(51, getsockname, sys_getsockname),
	SC_SOCKNAME(52, getpeername, sys_getpeername),
	SC_NOTIFY(53, socketpair, sys_socketpair),
	SC_RULE(54, setsockopt, SYSCALL_RULE_NO_PASSRIGHTS),
	SC_ALLOW(55, getsockopt),
	SC_TASK_RULE(56, clone, SYSCALL_RULE_CLONE_NO_NAMESPACES),
	SC_TASK(57, fork),
	SC_TASK(58, vfork),
	SC_EXEC(59, execve, sys_execve),
	SC_ALLOW(60, exit),
	SC_ALLOW(61, wait4),
	SC_LATERAL(62, kill, LAT_SCOPE, sys_kill),
	SC_ALLOW(63, uname),
	SC_ALLOW(64, semget),
	SC_ALLOW(65, semop),
	SC_ALLOW(66, semctl),
	SC_ALLOW(67, shmdt),
	SC_ALLOW(68, msgget),
	SC_ALLOW(69, msgsnd),
	SC_ALLOW(70, msgrcv),
	SC_ALLOW(71, msgctl),
	/* F_DUPFD* is seen where sockets are owned from birth. */
	{.nr = 72,
	 .name = "fcntl",
	 .cls = SYSCALL_CLASS_RULE,
	 .rule = SYSCALL_RULE_FCNTL_DUPFD,
	 .handler = sys_fcntl_dupfd},
	SC_ALLOW(73, flock),
	SC_ALLOW(74, fsync),
	SC_ALLOW(75, fdatasync),
	SC_ALLOW(76, truncate),
	SC_ALLOW(77, ftruncate),
	SC_ALLOW(78, getdents),
	SC_ALLOW(79, getcwd),
	SC_ALLOW(80, chdir),
	SC_ALLOW(81, fchdir),
	SC_ALLOW(82, rename),
	SC_ALLOW(83, mkdir),
	SC_ALLOW(84, rmdir),
	SC_LATERAL(85, creat, LAT_DOMAIN, sys_creat),
	SC_ALLOW(86, link),
	SC_ALLOW(87, unlink),
	SC_ALLOW(88, symlink),
	SC_LATERAL(89, readlink, LAT_DOMAIN, sys_readlink),
	SC_ALLOW(90, chmod),
	SC_ALLOW(91, fchmod),
	SC_ALLOW(92, chown),
	SC_ALLOW(93, fchown),
	SC_ALLOW(94, lchown),
	SC_ALLOW(95, umask),
	SC_ALLOW(96, gettimeofday),
	SC_ALLOW(97, getrlimit),
	SC_ALLOW(98, getrusage),
	SC_ALLOW(99, sysinfo),
	SC_ALLOW(100, times),
	SC_LATERAL(101, ptrace, LAT_DOMAIN, sys_ptrace),
	SC_ALLOW(102, getuid),
	SC_ERRNO(103, syslog, EPERM),
	SC_ALLOW(104, getgid),
	SC_ALLOW(105, setuid),
	SC_ALLOW(106, setgid),
	SC_ALLOW(107, geteuid),
	SC_ALLOW(108, getegid),
	SC_RULE_NOTIFY(109, setpgid, SYSCALL_RULE_SETPGID_SELF, sys_setpgid),
	SC_ALLOW(110, getppid),
	SC_ALLOW(111, getpgrp),
	SC_ALLOW(112, setsid),
	SC_ALLOW(113, setreuid),
	SC_ALLOW(114, setregid),
	SC_ALLOW(115, getgroups),
	SC_ALLOW(116, setgroups),
	SC_ALLOW(117, setresuid),
	SC_ALLOW(118, getresuid),
	SC_ALLOW(119, setresgid),
	SC_ALLOW(120, getresgid),
	SC_ALLOW(121, getpgid),
	SC_ALLOW(122, setfsuid),
	SC_ALLOW(123, setfsgid),
	SC_ALLOW(124, getsid),
	SC_ALLOW(125, capget),
	SC_ALLOW(126, capset),
	SC_ALLOW(127, rt_sigpending),
	SC_ALLOW(128, rt_sigtimedwait),
	SC_LATERAL(129, rt_sigqueueinfo, LAT_SCOPE, sys_rt_sigqueueinfo),
	SC_ALLOW(130, rt_sigsuspend),
	SC_ALLOW(131, sigaltstack),
	SC_ALLOW(132, utime),
	SC_ALLOW(133, mknod),
	SC_ERRNO(134, uselib, ENOSYS),
	SC_NOTIFY(135, personality, sys_personality),
	SC_ALLOW(136, ustat),
	SC_ALLOW(137, statfs),
	SC_ALLOW(138, fstatfs),
	SC_ALLOW(139, sysfs),
	SC_RULE_NOTIFY(140, getpriority, SYSCALL_RULE_PRIO_SELF,
		       sys_getpriority),
	SC_RULE_NOTIFY(141, setpriority, SYSCALL_RULE_PRIO_SELF,
		       sys_setpriority),
	SC_RULE_NOTIFY(142, sched_setparam, SYSCALL_RULE_ARG0_SELF,
		       sys_sched_setparam),
	SC_ALLOW(143, sched_getparam),
	SC_RULE_NOTIFY(144, sched_setscheduler, SYSCALL_RULE_ARG0_SELF,
		       sys_sched_setscheduler),
	SC_ALLOW(145, sched_getscheduler),
	SC_ALLOW(146, sched_get_priority_max),
	SC_ALLOW(147, sched_get_priority_min),
	SC_ALLOW(148, sched_rr_get_interval),
	SC_ALLOW(149, mlock),
	SC_ALLOW(150, munlock),
	SC_ALLOW(151, mlockall),
	SC_ALLOW(152, munlockall),
	SC_ERRNO(153, vhangup, EPERM),
	SC_ERRNO(154, modify_ldt, EPERM),
	SC_LOCKED(155, pivot_root, EPERM),
	SC_ERRNO(156, _sysctl, ENOSYS),
	SC_RULE(157, prctl, SYSCALL_RULE_PRCTL_KEEP_DUMPABLE),
	SC_RULE_NOTIFY(158, arch_prctl, SYSCALL_RULE_ARCH_PRCTL_SET_FS,
		       sys_arch_prctl),
	SC_ALLOW(159, adjtimex),
	SC_ALLOW(160, setrlimit),
	SC_ERRNO(161, chroot, EPERM),
	SC_ALLOW(162, sync),
	SC_ERRNO(163, acct, EPERM),
	SC_ERRNO(164, settimeofday, EPERM),
	SC_LOCKED(165, mount, EPERM),
	SC_LOCKED(166, umount2, EPERM),
	SC_ERRNO(167, swapon, EPERM),
	SC_ERRNO(168, swapoff, EPERM),
	SC_ERRNO(169, reboot, EPERM),
	SC_ERRNO(170, sethostname, EPERM),
	SC_ERRNO(171, setdomainname, EPERM),
	SC_ERRNO(172, iopl, EPERM),
	SC_ERRNO(173, ioperm, EPERM),
	SC_ERRNO(174, create_module, ENOSYS),
	SC_LOCKED(175, init_module, EPERM),
	SC_LOCKED(176, delete_module, EPERM),
	SC_ERRNO(177, get_kernel_syms, ENOSYS),
	SC_ERRNO(178, query_module, ENOSYS),
	SC_ERRNO(179, quotactl, EPERM),
	SC_ERRNO(180, nfsservctl, ENOSYS),
	SC_ERRNO(181, getpmsg, ENOSYS),
	SC_ERRNO(182, putpmsg, ENOSYS),
	SC_ERRNO(183, afs_syscall, ENOSYS),
	SC_ERRNO(184, tuxcall, ENOSYS),
	SC_ERRNO(185, security, ENOSYS),
	SC_ALLOW(186, gettid),
	SC_ALLOW(187, readahead),
	SC_ALLOW(188, setxattr),
	SC_ALLOW(189, lsetxattr),
	SC_ALLOW(190, fsetxattr),
	SC_ALLOW(191, getxattr),
	SC_ALLOW(192, lgetxattr),
	SC_ALLOW(193, fgetxattr),
	SC_ALLOW(194, listxattr),
	SC_ALLOW(195, llistxattr),
	SC_ALLOW(196, flistxattr),
	SC_ALLOW(197, removexattr),
	SC_ALLOW(198, lremovexattr),
	SC_ALLOW(199, fremovexattr),
	SC_LATERAL(200, tkill, LAT_SCOPE, sys_tkill),
	SC_ALLOW(201, time),
	SC_ALLOW(202, futex),
	SC_RULE_NOTIFY(203, sched_setaffinity, SYSCALL_RULE_ARG0_SELF,
		       sys_sched_setaffinity),
	SC_ALLOW(204, sched_getaffinity),
	SC_ERRNO(205, set_thread_area, ENOSYS),
	SC_ALLOW(206, io_setup),
	SC_ALLOW(207, io_destroy),
	SC_ALLOW(208, io_getevents),
	SC_ALLOW(209, io_submit),
	SC_ALLOW(210, io_cancel),
	SC_ALLOW(211, get_thread_area),
	SC_ERRNO(212, lookup_dcookie, ENOSYS),
	SC_ALLOW(213, epoll_create),
	SC_ERRNO(214, epoll_ctl_old, ENOSYS),
	SC_ERRNO(215, epoll_wait_old, ENOSYS),
	SC_ALLOW(216, remap_file_pages),
	SC_ALLOW(217, getdents64),
	SC_ALLOW(218, set_tid_address),
	SC_ALLOW(219, restart_syscall),
	SC_ALLOW(220, semtimedop),
	SC_ALLOW(221, fadvise64),
	SC_ALLOW(222, timer_create),
	SC_ALLOW(223, timer_settime),
	SC_ALLOW(224, timer_gettime),
	SC_ALLOW(225, timer_getoverrun),
	SC_ALLOW(226, timer_delete),
	SC_ERRNO(227, clock_settime, EPERM),
	SC_ALLOW(228, clock_gettime),
	SC_ALLOW(229, clock_getres),
	SC_ALLOW(230, clock_nanosleep),
	SC_ALLOW(231, exit_group),
	SC_ALLOW(232, epoll_wait),
	SC_ALLOW(233, epoll_ctl),
	SC_LATERAL(234, tgkill, LAT_SCOPE, sys_tgkill),
	SC_ALLOW(235, utimes),
	SC_ERRNO(236, vserver, ENOSYS),
	SC_ALLOW(237, mbind),
	SC_ALLOW(238, set_mempolicy),
	SC_ALLOW(239, get_mempolicy),
	SC_ALLOW(240, mq_open),
	SC_ALLOW(241, mq_unlink),
	SC_ALLOW(242, mq_timedsend),
	SC_ALLOW(243, mq_timedreceive),
	SC_ALLOW(244, mq_notify),
	SC_ALLOW(245, mq_getsetattr),
	SC_LOCKED(246, kexec_load, EPERM),
	SC_ALLOW(247, waitid),
	SC_LOCKED(248, add_key, ENOSYS),
	SC_LOCKED(249, request_key, ENOSYS),
	SC_LOCKED(250, keyctl, ENOSYS),
	SC_RULE_NOTIFY(251, ioprio_set, SYSCALL_RULE_IOPRIO_SELF,
		       sys_ioprio_set),
	SC_ALLOW(252, ioprio_get),
	SC_ALLOW(253, inotify_init),
	SC_ALLOW(254, inotify_add_watch),
	SC_ALLOW(255, inotify_rm_watch),
	SC_LATERAL(256, migrate_pages, LAT_DOMAIN, sys_migrate_pages),
	SC_LATERAL(257, openat, LAT_DOMAIN, sys_openat),
	SC_ALLOW(258, mkdirat),
	SC_ALLOW(259, mknodat),
	SC_ALLOW(260, fchownat),
	SC_ALLOW(261, futimesat),
	SC_ALLOW(262, newfstatat),
	SC_ALLOW(263, unlinkat),
	SC_ALLOW(264, renameat),
	SC_ALLOW(265, linkat),
	SC_ALLOW(266, symlinkat),
	SC_LATERAL(267, readlinkat, LAT_DOMAIN, sys_readlinkat),
	SC_ALLOW(268, fchmodat),
	SC_ALLOW(269, faccessat),
	SC_ALLOW(270, pselect6),
	SC_ALLOW(271, ppoll),
	SC_LOCKED(272, unshare, EPERM),
	SC_ALLOW(273, set_robust_list),
	SC_LATERAL(274, get_robust_list, LAT_DOMAIN, sys_get_robust_list),
	SC_ALLOW(275, splice),
	SC_ALLOW(276, tee),
	SC_ALLOW(277, sync_file_range),
	SC_ALLOW(278, vmsplice),
	SC_LATERAL(279, move_pages, LAT_DOMAIN, sys_move_pages),
	SC_ALLOW(280, utimensat),
	SC_ALLOW(281, epoll_pwait),
	SC_ALLOW(282, signalfd),
	SC_ALLOW(283, timerfd_create),
	SC_ALLOW(284, eventfd),
	SC_ALLOW(285, fallocate),
	SC_ALLOW(286, timerfd_settime),
	SC_ALLOW(287, timerfd_gettime),
	SC_BIRTH(288, accept4, sys_accept4),
	SC_ALLOW(289, signalfd4),
	SC_ALLOW(290, eventfd2),
	SC_ALLOW(291, epoll_create1),
	SC_BIRTH(292, dup3, sys_dup3),
	SC_ALLOW(293, pipe2),
	SC_ALLOW(294, inotify_init1),
	SC_ALLOW(295, preadv),
	SC_ALLOW(296, pwritev),
	SC_LATERAL(297, rt_tgsigqueueinfo, LAT_SCOPE, sys_rt_tgsigqueueinfo),
	SC_LOCKED(298, perf_event_open, EACCES),
	SC_NOTIFY(299, recvmmsg, sys_recvmmsg),
	SC_ALLOW(300, fanotify_init),
	SC_ALLOW(301, fanotify_mark),
	SC_RULE_NOTIFY(302, prlimit64, SYSCALL_RULE_ARG0_SELF, sys_prlimit64),
	SC_ALLOW(303, name_to_handle_at),
	SC_LOCKED(304, open_by_handle_at, EPERM),
	SC_ALLOW(305, clock_adjtime),
	SC_ALLOW(306, syncfs),
	SC_NOTIFY(307, sendmmsg, sys_sendmmsg),
	SC_LOCKED(308, setns, EPERM),
	SC_ALLOW(309, getcpu),
	SC_LATERAL(310, process_vm_readv, LAT_DOMAIN, sys_process_vm_readv),
	SC_LATERAL(311, process_vm_writev, LAT_DOMAIN, sys_process_vm_writev),
	SC_LATERAL(312, kcmp, LAT_DOMAIN, sys_kcmp),
	SC_LOCKED(313, finit_module, EPERM),
	SC_RULE_NOTIFY(314, sched_setattr, SYSCALL_RULE_ARG0_SELF,
		       sys_sched_setattr),
	SC_ALLOW(315, sched_getattr),
	SC_ALLOW(316, renameat2),
	SC_RULE(317, seccomp, SYSCALL_RULE_SECCOMP_NO_LISTENER),
	SC_ALLOW(318, getrandom),
	SC_ALLOW(319, memfd_create),
	SC_LOCKED(320, kexec_file_load, EPERM),
	SC_LOCKED(321, bpf, EPERM),
	SC_EXEC(322, execveat, sys_execveat),
	SC_LOCKED(323, userfaultfd, EPERM),
	SC_ALLOW(324, membarrier),
	SC_ALLOW(325, mlock2),
	SC_ALLOW(326, copy_file_range),
	SC_ALLOW(327, preadv2),
	SC_ALLOW(328, pwritev2),
	SC_ALLOW(329, pkey_mprotect),
	SC_ALLOW(330, pkey_alloc),
	SC_ALLOW(331, pkey_free),
	SC_ALLOW(332, statx),
	SC_ALLOW(333, io_pgetevents),
	SC_ALLOW(334, rseq),
	SC_ALLOW(335, uretprobe),
	SC_ALLOW(336, uprobe),
	SC_LATERAL(424, pidfd_send_signal, LAT_SCOPE, sys_pidfd_send_signal),
	SC_LOCKED(425, io_uring_setup, ENOSYS),
	SC_LOCKED(426, io_uring_enter, ENOSYS),
	SC_LOCKED(427, io_uring_register, ENOSYS),
	SC_LOCKED(428, open_tree, EPERM),
	SC_LOCKED(429, move_mount, EPERM),
	SC_LOCKED(430, fsopen, EPERM),
	SC_LOCKED(431, fsconfig, EPERM),
	SC_LOCKED(432, fsmount, EPERM),
	SC_LOCKED(433, fspick, EPERM),
	SC_ALLOW(434, pidfd_open),
	SC_LOCKED(435, clone3, ENOSYS),
	SC_BIRTH(436, close_range, sys_close_range),
	SC_LATERAL(437, openat2, LAT_DOMAIN, sys_openat2),
	/* Also seen where sockets are owned from birth: it copies fds. */
	{.nr = 438,
	 .name = "pidfd_getfd",
	 .cls = SYSCALL_CLASS_ALLOW,
	 .lateral = LAT_DOMAIN,
	 .birth = true,
	 .handler = sys_pidfd_getfd},
	SC_ALLOW(439, faccessat2),
	SC_ALLOW(440, process_madvise),
	SC_ALLOW(441, epoll_pwait2),
	SC_LOCKED(442, mount_setattr, EPERM),
	SC_ERRNO(443, quotactl_fd, EPERM),
	SC_ALLOW(444, landlock_create_ruleset),
	SC_ALLOW(445, landlock_add_rule),
	SC_ALLOW(446, landlock_restrict_self),
	SC_ALLOW(447, memfd_secret),
	SC_NOTIFY(448, process_mrelease, sys_process_mrelease),
	SC_ALLOW(449, futex_waitv),
	SC_ALLOW(450, set_mempolicy_home_node),
	SC_ALLOW(451, cachestat),
	SC_ALLOW(452, fchmodat2),
	SC_ALLOW(453, map_shadow_stack),
	SC_ALLOW(454, futex_wake),
	SC_ALLOW(455, futex_wait),
	SC_ALLOW(456, futex_requeue),
	SC_ALLOW(457, statmount),
	SC_ALLOW(458, listmount),
	SC_ALLOW(459, lsm_get_self_attr),
	SC_ALLOW(460, lsm_set_self_attr),
	SC_ALLOW(461, lsm_list_modules),
	SC_ALLOW(462, mseal),
	SC_ALLOW(463, setxattrat),
	SC_ALLOW(464, getxattrat),
	SC_ALLOW(465, listxattrat),
	SC_ALLOW(466, removexattrat),
	SC_LOCKED(467, open_tree_attr, EPERM),
	SC_ALLOW(468, file_getattr),
	SC_ALLOW(469, file_setattr),
};

size_t syscall_table_size(void)
{
	return ARRAY_SIZE(syscall_table);
}

const struct syscall_entry *syscall_table_at(size_t i)
{
	return i < ARRAY_SIZE(syscall_table) ? &syscall_table[i] : NULL;
}

const struct syscall_entry *syscall_table_by_nr(int nr)
{
	size_t lo = 0, hi = ARRAY_SIZE(syscall_table);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syscall_table[mid].nr == nr)
			return &syscall_table[mid];
		if (syscall_table[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct syscall_entry *syscall_table_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(syscall_table); i++)
		if (!strcmp(syscall_table[i].name, name))
			return &syscall_table[i];
	return NULL;
}

const char *syscall_class_name(enum syscall_class cls)
{
	switch (cls) {
	case SYSCALL_CLASS_ALLOW:
		return "allow";
	case SYSCALL_CLASS_ERRNO:
		return "errno";
	case SYSCALL_CLASS_NOTIFY:
		return "notify";
	case SYSCALL_CLASS_RULE:
		return "rule";
	}
	return "?";
}
