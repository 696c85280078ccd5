/* SPDX-License-Identifier: MIT */
/*
 * deferred.h - the one table of calls answered later: a blocking connect
 * still in progress, a send into a full buffer, a receive on a socket
 * redirected to the DNS proxy, a blocking open of a FIFO without its other
 * end. Each is allowed and started when its handler runs; its answer comes
 * when the supervisor's own operation completes, when the socket's own
 * timeout (SO_RCVTIMEO / SO_SNDTIMEO) passes, or when a signal arrives for
 * the caller - and it comes through one completion path, deferred_finish(),
 * which builds the final answer into the call's verdict and hands it to
 * sentry_verdict(): answered exactly once, recorded as the audit level asks.
 *
 * Not here: what the deferred operation is (sys_net.c, sys_open.c finish
 * their own kinds), the decision (made before the call was deferred).
 * Pending execs (sys_exec.c) are not deferred calls: execve is answered
 * CONTINUE at once; that table only remembers the path until the new
 * program's first call.
 *
 * Threads: the table lives in struct sentry and is touched only under
 * sentry->lock, by the receiver (handlers add entries) and by the loop
 * (completions, timeouts, signals). The table's timerfd wakes the loop when
 * the receiver added an entry while the loop slept without a timeout.
 */
#ifndef CORDON_SENTRY_DEFERRED_H
#define CORDON_SENTRY_DEFERRED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "platform/platform.h"

struct sentry;
struct sentry_call;
struct jsonw;

/* Capacity: a job with more calls blocked at once gets DEFERRED_FULL_ERRNO. */
#define DEFERRED_MAX 1024
/* Answer of a call that cannot be deferred because the table is full. */
#define DEFERRED_FULL_ERRNO EAGAIN
/*
 * How often pending signals and dead callers are looked for while any call
 * is deferred: every DEFERRED_POLL_NS, stretched by DEFERRED_POLL_PER_NS per
 * entry so that a thousand blocked calls cost a bounded share of a CPU
 * (one /proc/TID/status read and one ID_VALID each, ~15 us).
 */
#define DEFERRED_POLL_NS (5 * 1000 * 1000ULL)
#define DEFERRED_POLL_PER_NS (100 * 1000ULL)
/*
 * The kernel's "restart this call" errno (include/linux/errno.h, not uapi):
 * on the way back to user mode, signal delivery turns it into EINTR, or
 * restarts the call when the handler has SA_RESTART (arch/x86/kernel/
 * signal.c, handle_signal(); with no handler run, arch_do_signal_or_restart()
 * restarts). seccomp passes the error of SECCOMP_IOCTL_NOTIF_SEND through
 * unchanged (seccomp_notify_send() stores resp.error; the caller's
 * seccomp_do_user_notification() sets it with syscall_set_return_value()),
 * and the skipped call keeps orig_ax, so the restart re-runs the very same
 * syscall - notified and judged again.
 */
#define DEFERRED_ERESTARTSYS 512

/**
 * enum deferred_kind - what the supervisor waits for.
 * @DEFERRED_CONNECT: a blocking TCP connect: answer SO_ERROR when the
 *                    socket is writable; SO_SNDTIMEO bounds it.
 * @DEFERRED_SEND:    a blocking send met a full buffer: retry when
 *                    writable; SO_SNDTIMEO bounds it.
 * @DEFERRED_RECV:    a blocking receive on a DNS-redirected socket: run the
 *                    handler again when readable; SO_RCVTIMEO bounds it.
 * @DEFERRED_FIFO:    a blocking open of a FIFO, finished by a helper thread
 *                    (sys_open.c); no timeout.
 */
enum deferred_kind {
	DEFERRED_CONNECT,
	DEFERRED_SEND,
	DEFERRED_RECV,
	DEFERRED_FIFO,
};

/**
 * struct deferred_req - what a handler hands over to defer a call (and, for
 * sys_net.c, the message it builds while judging a send).
 * @kind:          see enum deferred_kind.
 * @fd:            CONNECT/SEND/RECV: the supervisor's duplicate of the
 *                 job's socket; the table owns it once added. -1 for FIFO.
 * @timeout_err:   the errno when the socket's timeout passes (EINPROGRESS
 *                 for a first connect, EALREADY for a connect repeated on a
 *                 connecting socket, EAGAIN for send and receive).
 * @msg, @iov, @name, @data, @control, @flags: SEND: the message (the table
 *                 owns @data and @control once added; they are free()d).
 *                 CONNECT: @name/@msg.msg_namelen, the address, to finish
 *                 the socket's state once connected.
 * @after_connect: SEND: a Fast Open whose connection completes first.
 * @fifo:          FIFO: the helper's record (sys_open.c owns it).
 */
struct deferred_req {
	enum deferred_kind kind;
	int fd;
	int timeout_err;
	struct msghdr msg;
	struct iovec iov;
	uint8_t name[128];
	void *data;
	void *control;
	int flags;
	bool after_connect;
	void *fifo;
};

/**
 * struct deferred - one deferred call (an entry of the table).
 * @used:        the entry is live.
 * @gen:         bumped at each use: a helper reporting about an entry that
 *               was finished meanwhile finds another generation.
 * @call:        the call as its handler left it (registers, detail,
 *               verdict): the completion fills in the answer.
 * @req:         what is waited for (owned).
 * @deadline_ns: CLOCK_MONOTONIC time at which the socket's timeout passes;
 *               0: none (the call waits for ever, as natively).
 * @restart:     on a signal, answer DEFERRED_ERESTARTSYS (no timeout set:
 *               the kernel's sock_intr_errno() gives -ERESTARTSYS for an
 *               infinite timeout, -EINTR for a finite one).
 */
struct deferred {
	bool used;
	uint32_t gen;
	struct sentry_call *call;
	struct deferred_req req;
	uint64_t deadline_ns;
	bool restart;
};

/**
 * struct deferred_table - every deferred call, a timerfd and counters.
 * @e:         the entries; @calls[i] is the storage of @e[i].call.
 * @n_used:    live entries.
 * @timerfd:   wakes the loop for the next timeout or signal poll.
 * @redo_id, @redo_deadline_ns: a RECV re-run after data arrived keeps the
 *             deadline of the first wait (deferred_add() takes it).
 * @n_added, @n_done, @n_timed_out, @n_interrupted, @n_gone, @n_full, @peak:
 *             counters for the summary (n_gone: the caller died first).
 */
struct deferred_table {
	struct deferred e[DEFERRED_MAX];
	struct sentry_call *calls;
	size_t n_used;
	int timerfd;
	uint64_t redo_id, redo_deadline_ns;
	uint64_t n_added, n_done, n_timed_out, n_interrupted, n_gone, n_full;
	size_t peak;
};

/**
 * deferred_init() - set up a zero-filled table: its timerfd and the storage
 * of the calls. Return: 0 or -errno.
 */
int deferred_init(struct deferred_table *t);

/** deferred_fini() - release every entry (no answer) and the table. */
void deferred_fini(struct deferred_table *t);

/**
 * deferred_timerfd() - the fd to watch (EPOLLIN): a timeout or a signal poll
 * is due; call deferred_tick() then.
 */
int deferred_timerfd(const struct deferred_table *t);

/**
 * deferred_add() - defer @c: copy it (with its verdict, which must be
 * stated already) and @req into a free entry, watch @req->fd (EPOLLIN for
 * RECV, EPOLLOUT otherwise; tag SENTRY_EPOLL_DEFERRED), read the
 * socket's timeout, and mark @c's verdict deferred so that the dispatcher
 * neither answers nor records it. Hold @s->lock.
 * Return: the entry's index (>= 0; the table owns @req's fd and buffers),
 * -EAGAIN when the table is full, or -errno (then nothing was taken and
 * the caller answers).
 */
int deferred_add(struct sentry *s, struct sentry_call *c,
		 const struct deferred_req *req);

/**
 * deferred_get() - the live entry at @idx of generation @gen (@gen 0: any),
 * or NULL.
 */
struct deferred *deferred_get(struct deferred_table *t, size_t idx,
			      uint32_t gen);

/** deferred_index() - the index of @d in @t. */
size_t deferred_index(const struct deferred_table *t, const struct deferred *d);

/**
 * deferred_fd_ready() - the fd of entry @idx is ready: let its kind finish
 * (sys_net_deferred_ready()), which may keep waiting, finish, or re-run the
 * call. Hold @s->lock.
 */
void deferred_fd_ready(struct sentry *s, size_t idx);

/**
 * deferred_tick() - the timerfd fired: end calls whose timeout passed (the
 * native errno), calls whose caller has a signal pending (EINTR or
 * DEFERRED_ERESTARTSYS, as the kernel would), free entries whose caller is
 * gone; re-arm for what is left. Hold @s->lock.
 */
void deferred_tick(struct sentry *s);

/**
 * deferred_finish() - the one completion path: release @d's resources
 * (closing the supervisor's duplicate before the answer: the job's close is
 * then the last one), set the answer to @rc (>= 0 a value, < 0 -errno),
 * append @why (static, may be NULL) to the detail, and pass the call to
 * sentry_verdict(): answered exactly once (ENOENT - the caller died - is
 * normal), recorded as the audit level asks. @answered: the kind answered
 * the platform itself (an fd installed with ADDFD): only record.
 * Hold @s->lock.
 */
void deferred_finish(struct sentry *s, struct deferred *d, int64_t rc,
		     bool answered, const char *why);

/**
 * deferred_drop() - free @d without answering (its caller is gone, or
 * @d is re-run from the start: DEFERRED_RECV). Hold @s->lock.
 */
void deferred_drop(struct sentry *s, struct deferred *d);

/** deferred_json() - the "deferred" object of the summary. */
void deferred_json(const struct deferred_table *t, struct jsonw *w);

#endif /* CORDON_SENTRY_DEFERRED_H */
