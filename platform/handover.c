/* SPDX-License-Identifier: MIT */
/*
 * handover.c - the seccomp listener's way from the job's first process to
 * the supervisor when pidfd_getfd is refused (Docker's and containerd's
 * default seccomp profiles without CAP_SYS_PTRACE; CORDON_IGNORE_FEATURES=
 * pidfd_getfd). A helper thread of the child, started before the filter
 * exists, sends the listener over a socketpair with SCM_RIGHTS: a filter
 * installed without SECCOMP_FILTER_FLAG_TSYNC binds only the thread that
 * installs it, so the helper's sendmsg() is not notified (no deadlock on a
 * supervisor that has no listener yet), while both threads share the fd
 * table the listener lands in. Used by the backend (unotify.c) and by the
 * probe (probe.c). Not responsible for closing the listener in the child
 * (the caller does, before exec).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "platform/unotify_priv.h"

/*
 * The thread: outside the filter, it sends the listener it is handed on
 * @h->pipe over the socketpair end @h->sock, and ends.
 */
static void *handover_thread(void *arg)
{
	struct handover *h = arg;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm;
	int fd = -1;

	if (EINTR_RETRY(read(h->pipe, &fd, sizeof(fd))) != sizeof(fd) ||
	    fd < 0) {
		h->err = ECANCELED;
		return NULL;
	}
	iov.iov_base = &fd;
	iov.iov_len = sizeof(fd);
	memset(ctl.buf, 0, sizeof(ctl.buf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (EINTR_RETRY(sendmsg(h->sock, &msg, MSG_NOSIGNAL)) < 0)
		h->err = errno;
	return NULL;
}

/*
 * Start the hand-over thread before the filter exists (it must stay
 * outside it). Return: 0 and *@t, or -errno; @h->pipe gets the thread's
 * end, *@wr the child's.
 */
int handover_start(struct handover *h, int sock, int *wr, pthread_t *t)
{
	int p[2], rc;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	h->pipe = p[0];
	h->sock = sock;
	h->err = 0;
	*wr = p[1];
	rc = pthread_create(t, NULL, handover_thread, h);
	if (rc) {
		close(p[0]);
		close(p[1]);
		return -rc;
	}
	return 0;
}

/*
 * Hand @fd (or -1: nothing, the filter failed) over and join the thread.
 * Makes no call the job's filter may notify (close() is notified where
 * sockets are owned from birth, and nobody serves the listener before the
 * child reported): handover_close() after the go-ahead.
 * Return: 0 or -errno.
 */
int handover_finish(struct handover *h, int wr, pthread_t t, int fd)
{
	(void)fd_write_all(wr, &fd, sizeof(fd));
	pthread_join(t, NULL);
	return fd >= 0 && h->err ? -h->err : 0;
}

void handover_close(struct handover *h, int wr)
{
	close(wr);
	close(h->pipe);
	close(h->sock);
}

int handover_recv(int sock)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	int num = -1, fd = -1;
	struct iovec iov = {.iov_base = &num, .iov_len = sizeof(num)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm;
	ssize_t n;

	/* Queued before the child reported: never waits. */
	n = EINTR_RETRY(recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (n != sizeof(num) || !cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    (msg.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}
