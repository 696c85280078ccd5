/* SPDX-License-Identifier: MIT */
/*
 * probe.c - find out by trying what the running kernel offers for user
 * notification (for `cordon doctor`). A short-lived child installs a tiny
 * hand-written filter that notifies getppid(); the parent takes the listener
 * with pidfd_getfd(), tries SET_FLAGS, then answers the child's getppid()
 * with ADDFD (+SEND): the child checks that it received a working fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "platform/unotify_priv.h"

static void probe_child(int report, int go, int handover)
{
	struct handover h = {.pipe = -1, .sock = -1};
	pthread_t ht;
	int hwr = -1;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(code), .filter = code};
	unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER |
			      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	int msg[2];
	long fd, got;
	char b;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(10);
	if (feature_off(FEATURE_OFF_WAIT_KILLABLE_RECV))
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (handover >= 0 && handover_start(&h, handover, &hwr, &ht) < 0)
		_exit(15);
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (fd < 0 && errno == EINVAL) {
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags,
			     &prog);
	}
	msg[0] = (int)fd;
	msg[1] = fd < 0 ? errno : (int)flags;
	if (handover >= 0 && handover_finish(&h, hwr, ht, (int)fd) < 0)
		_exit(16);
	if (handover >= 0)
		handover_close(&h, hwr); /* the probe notifies no close */
	if (fd_write_all(report, msg, sizeof(msg)) < 0 || fd < 0)
		_exit(11);
	if (read(go, &b, 1) != 1)
		_exit(12);
	/* The parent answers with an fd it installed into us. */
	got = syscall(SYS_getppid);
	if (got < 0)
		_exit(13);
	if (fcntl((int)got, F_GETFD) < 0)
		_exit(14);
	_exit(0);
}

/*
 * Whether unix sockets can refuse SCM_RIGHTS (SO_PASSRIGHTS, 6.16). The test
 * switch CORDON_TEST_NO_PASSRIGHTS=1 says no, so that the path of older
 * kernels (the receive guard alone) can be tested on a new one; it only
 * ever takes a wall away, never lets anything through that the receive
 * guard refuses.
 */
bool unotify_probe_passrights(void)
{
	const char *off_switch = getenv("CORDON_TEST_NO_PASSRIGHTS");
	int pair[2], off = 0;
	bool ok;

	if ((off_switch && !strcmp(off_switch, "1")) ||
	    feature_off(FEATURE_OFF_PASSRIGHTS))
		return false;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return false;
	ok = setsockopt(pair[0], SOL_SOCKET, SO_PASSRIGHTS, &off,
			sizeof(off)) == 0;
	close(pair[0]);
	close(pair[1]);
	return ok;
}

int unotify_probe(struct platform_features *f)
{
	struct seccomp_notif_sizes sizes;
	int report[2], go[2], msg[2], pidfd = -1, listener = -1, rc = 0;
	int pair[2] = {-1, -1};
	pid_t pid;
	int status;

	memset(f, 0, sizeof(*f));
	f->landlock_abi = landlock_abi_version();
	f->passrights = unotify_probe_passrights();
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		snprintf(f->detail, sizeof(f->detail),
			 "seccomp(SECCOMP_GET_NOTIF_SIZES): %s",
			 strerror(errno));
		return 0;
	}
	if (pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0) {
		rc = -errno;
		close(report[0]);
		close(report[1]);
		return rc;
	}
	f->process_vm = proc_mem_vm_works();
	/* As the backend: the listener over a socketpair without it. */
	if (!proc_mem_getfd_works() &&
	    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0) {
		rc = -errno;
		goto out_pipes;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out_pipes;
	}
	if (pid == 0) {
		close(report[0]);
		close(go[1]);
		if (pair[0] >= 0)
			close(pair[0]);
		probe_child(report[1], go[0], pair[1]);
	}
	close(report[1]);
	report[1] = -1;
	close(go[0]);
	go[0] = -1;
	if (pair[1] >= 0)
		close(pair[1]);
	pair[1] = -1;
	if (EINTR_RETRY(read(report[0], msg, sizeof(msg))) !=
	    (ssize_t)sizeof(msg)) {
		snprintf(f->detail, sizeof(f->detail), "probe child failed");
		goto out_kill;
	}
	if (msg[0] < 0) {
		snprintf(f->detail, sizeof(f->detail),
			 "seccomp(NEW_LISTENER): %s", strerror(msg[1]));
		goto out_kill;
	}
	f->unotify = true;
	f->wait_killable_recv =
		!!(msg[1] & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	pidfd = (int)syscall(__NR_pidfd_open, pid, 0);
	if (pair[0] >= 0) {
		/* pidfd_getfd refused: what the backend will do instead. */
		snprintf(f->detail, sizeof(f->detail),
			 "pidfd_getfd refused (%s): the listener comes "
			 "over a socketpair",
			 feature_off(FEATURE_OFF_PIDFD_GETFD)
				 ? "CORDON_IGNORE_FEATURES"
				 : "a container's seccomp profile?");
		listener = handover_recv(pair[0]);
		if (listener < 0) {
			snprintf(f->detail, sizeof(f->detail),
				 "the listener did not come over the "
				 "socketpair: %s",
				 strerror(-listener));
			goto out_kill;
		}
	} else {
		if (pidfd >= 0)
			listener = (int)syscall(__NR_pidfd_getfd, pidfd, msg[0],
						0);
		if (listener < 0) {
			snprintf(f->detail, sizeof(f->detail),
				 "pidfd_getfd on own child: %s (yama "
				 "ptrace_scope?)",
				 strerror(errno));
			goto out_kill;
		}
		f->pidfd_getfd = true;
	}
	f->sync_wake_up =
		!feature_off(FEATURE_OFF_SYNC_WAKE_UP) &&
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		      (uint64_t)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
	if (write(go[1], "g", 1) != 1)
		goto out_kill;
	{
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		struct seccomp_notif_addfd add;
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int r;

		memset(&req, 0, sizeof(req));
		if (devnull < 0 ||
		    ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (devnull >= 0)
				close(devnull);
			goto out_kill;
		}
		memset(&add, 0, sizeof(add));
		add.id = req.id;
		add.srcfd = (uint32_t)devnull;
		add.flags = SECCOMP_ADDFD_FLAG_SEND;
		if (feature_off(FEATURE_OFF_ADDFD_SEND)) {
			r = -1;
			errno = EINVAL; /* as before 5.14 */
		} else {
			r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		}
		if (r >= 0) {
			f->addfd = f->addfd_send = true;
		} else {
			add.flags = 0;
			r = ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
			f->addfd = r >= 0;
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			if (r >= 0)
				resp.val = r;
			else
				resp.error = -ENOSYS;
			ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		}
		close(devnull);
	}
	if (EINTR_RETRY(waitpid(pid, &status, 0)) == pid) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			f->addfd = f->addfd_send = false;
			snprintf(f->detail, sizeof(f->detail),
				 "the fd installed by ADDFD did not arrive");
		}
		pid = -1;
	}
out_kill:
	if (pid > 0) {
		kill(pid, SIGKILL);
		EINTR_RETRY(waitpid(pid, NULL, 0));
	}
	if (listener >= 0)
		close(listener);
	if (pidfd >= 0)
		close(pidfd);
out_pipes:
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	if (go[0] >= 0)
		close(go[0]);
	close(go[1]);
	return rc;
}
