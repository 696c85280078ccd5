/* SPDX-License-Identifier: MIT */
/*
 * fault_probe.c - the programs of tests/integration/faults.sh, statically
 * linked so that the only notified calls of a job are the ones a case makes
 * (no loader opens before main):
 *
 *   cordon-fault-probe canary PORTFILE LOG   outside cordon: TCP and UDP on
 *       127.0.0.1 (ports into PORTFILE), UDP 127.0.0.9:53 when it can bind
 *       it; every connection or datagram is a line in LOG.
 *   cordon-fault-probe victim LOG            outside cordon: a process the
 *       job must not reach: logs every signal, a change of its
 *       RLIMIT_NOFILE and a tracer; its secret's address is in LOG.
 *   cordon-fault-probe try CASE ARG...       inside cordon: one call, then
 *       "RESULT rc=N errno=NAME effect=yes|no|na" on stdout (effect: what
 *       the probe itself can see of the call having happened).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

static char fault_probe_secret[64] = "fault-probe-secret-7c1e";
static volatile sig_atomic_t fault_probe_sig;

static void fault_probe_result(long rc, int err, const char *effect)
{
	printf("RESULT rc=%ld errno=%s effect=%s\n", rc,
	       rc < 0 ? (strerrorname_np(err) ? strerrorname_np(err) : "?")
		      : "0",
	       effect);
	fflush(stdout);
}

static void fault_probe_log(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0) {
		if (write(fd, line, strlen(line)) < 0)
			perror("log");
		close(fd);
	}
}

static struct sockaddr_in fault_probe_in(const char *host, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};

	inet_pton(AF_INET, host, &a.sin_addr);
	return a;
}

/* ---- outside cordon ---------------------------------------------------- */

static int fault_probe_canary(const char *portfile, const char *log)
{
	struct sockaddr_in a = fault_probe_in("127.0.0.1", 0);
	struct sockaddr_in d = fault_probe_in("127.0.0.9", 53);
	socklen_t l = sizeof(a);
	int t = socket(AF_INET, SOCK_STREAM, 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int dns = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd p[3];
	char buf[512];
	FILE *f;
	int tp, up;

	if (bind(t, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(t, 64) < 0 || bind(u, (struct sockaddr *)&a, sizeof(a)) < 0)
		return 1;
	getsockname(t, (struct sockaddr *)&a, &l);
	tp = ntohs(a.sin_port);
	l = sizeof(a);
	getsockname(u, (struct sockaddr *)&a, &l);
	up = ntohs(a.sin_port);
	if (bind(dns, (struct sockaddr *)&d, sizeof(d)) < 0) {
		close(dns);
		dns = -1;
	}
	f = fopen(portfile, "we");
	if (!f)
		return 1;
	fprintf(f, "%d %d %d\n", tp, up, dns >= 0);
	fclose(f);
	p[0] = (struct pollfd){.fd = t, .events = POLLIN};
	p[1] = (struct pollfd){.fd = u, .events = POLLIN};
	p[2] = (struct pollfd){.fd = dns, .events = POLLIN};
	for (;;) {
		if (poll(p, 3, -1) < 0)
			continue;
		if (p[0].revents) {
			int c = accept(t, NULL, NULL);

			if (c >= 0)
				close(c);
			fault_probe_log(log, "tcp-conn\n");
		}
		if (p[1].revents && recv(u, buf, sizeof(buf), 0) >= 0)
			fault_probe_log(log, "udp-dgram\n");
		if (dns >= 0 && p[2].revents &&
		    recv(dns, buf, sizeof(buf), 0) >= 0)
			fault_probe_log(log, "dns-dgram\n");
	}
}

static void fault_probe_on_sig(int sig)
{
	fault_probe_sig = sig;
}

static int fault_probe_traced(void)
{
	char buf[4096], *t;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	t = strstr(buf, "TracerPid:");
	return t && atoi(t + 10) != 0;
}

static int fault_probe_victim(const char *log)
{
	struct sigaction sa = {.sa_handler = fault_probe_on_sig};
	struct rlimit first, now;
	char line[160];
	int traced = 0;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	getrlimit(RLIMIT_NOFILE, &first);
	snprintf(line, sizeof(line), "pid %d secret %p\n", (int)getpid(),
		 (void *)fault_probe_secret);
	fault_probe_log(log, line);
	for (;;) {
		struct timespec ts = {0, 20 * 1000 * 1000};

		nanosleep(&ts, NULL);
		if (fault_probe_sig) {
			snprintf(line, sizeof(line), "signal %d\n",
				 (int)fault_probe_sig);
			fault_probe_sig = 0;
			fault_probe_log(log, line);
		}
		getrlimit(RLIMIT_NOFILE, &now);
		if (now.rlim_cur != first.rlim_cur ||
		    now.rlim_max != first.rlim_max) {
			fault_probe_log(log, "rlimit changed\n");
			first = now;
		}
		if (!traced && fault_probe_traced()) {
			traced = 1;
			fault_probe_log(log, "traced\n");
		}
	}
	return 0;
}

/* ---- inside cordon ----------------------------------------------------- */

static int fault_probe_send(const char *how, const char *host, int port)
{
	struct sockaddr_in a = fault_probe_in(host, port);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char data[] = "x";
	struct iovec iov = {.iov_base = data, .iov_len = 1};
	struct msghdr m = {.msg_name = &a,
			   .msg_namelen = sizeof(a),
			   .msg_iov = &iov,
			   .msg_iovlen = 1};
	struct mmsghdr mm = {.msg_hdr = m};
	long rc;

	if (!strcmp(how, "sendto"))
		rc = sendto(s, data, 1, 0, (struct sockaddr *)&a, sizeof(a));
	else if (!strcmp(how, "sendmsg"))
		rc = sendmsg(s, &m, 0);
	else
		rc = sendmmsg(s, &mm, 1, 0);
	fault_probe_result(rc, errno, "na");
	return 0;
}

/* A DNS question for a name the zone refuses: the proxy answers it. */
static size_t fault_probe_query(uint8_t *q)
{
	static const uint8_t head[] = {0x12, 0x34, 1, 0, 0, 1,
				       0,    0,	   0, 0, 0, 0};
	static const char name[] = "\x0a"
				   "fault-test"
				   "\x07"
				   "invalid";
	size_t n = sizeof(head);

	memcpy(q, head, n);
	memcpy(q + n, name, sizeof(name)); /* with the root's 0 */
	n += sizeof(name);
	q[n++] = 0;
	q[n++] = 1; /* A */
	q[n++] = 0;
	q[n++] = 1; /* IN */
	return n;
}

static int fault_probe_dns_recv(const char *how)
{
	struct sockaddr_in a = fault_probe_in("127.0.0.9", 53), from;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	uint8_t q[64], buf[512];
	socklen_t l = sizeof(from);
	struct pollfd p = {.fd = s, .events = POLLIN};
	size_t n = fault_probe_query(q);
	long rc;

	if (sendto(s, q, n, 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("SETUP sendto errno=%s\n", strerrorname_np(errno));
		fault_probe_result(-1, errno, "na");
		return 0;
	}
	poll(&p, 1, 3000);
	memset(&from, 0, sizeof(from));
	if (!strcmp(how, "recvfrom")) {
		rc = recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT,
			      (struct sockaddr *)&from, &l);
	} else {
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr m = {.msg_name = &from,
				   .msg_namelen = sizeof(from),
				   .msg_iov = &iov,
				   .msg_iovlen = 1};

		rc = recvmsg(s, &m, MSG_DONTWAIT);
	}
	/* The job must see the server it asked, never cordon's proxy. */
	fault_probe_result(rc, errno,
			   rc < 0 ? "na"
			   : (from.sin_addr.s_addr == a.sin_addr.s_addr &&
			      from.sin_port == a.sin_port)
				   ? "no"
				   : "yes");
	return 0;
}

static int fault_probe_connect(const char *host, int port)
{
	struct sockaddr_in a = fault_probe_in(host, port);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	long rc = connect(s, (struct sockaddr *)&a, sizeof(a));

	fault_probe_result(rc, errno, "na");
	return 0;
}

static int fault_probe_bind(const char *host, int port, int do_listen)
{
	struct sockaddr_in a = fault_probe_in(host, port);
	int s = socket(AF_INET, SOCK_STREAM, 0), on = 0;
	socklen_t l = sizeof(a);
	long rc = 0;

	if (host && strcmp(host, "-")) {
		rc = bind(s, (struct sockaddr *)&a, sizeof(a));
		if (do_listen && rc < 0) {
			printf("SETUP bind errno=%s\n", strerrorname_np(errno));
			fault_probe_result(rc, errno, "no");
			return 0;
		}
	}
	if (do_listen) {
		rc = listen(s, 4);
		l = sizeof(on);
		getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &on, &l);
		fault_probe_result(rc, errno, on ? "yes" : "no");
		return 0;
	}
	getsockname(s, (struct sockaddr *)&a, &l);
	fault_probe_result(rc, errno, a.sin_port ? "yes" : "no");
	return 0;
}

/*
 * A unix stream socket bound to @path, then listen(): the RESULT is the
 * bind's, effect=yes when the socket listens (SO_ACCEPTCONN) afterwards.
 */
static int fault_probe_unix_listen(const char *path)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM, 0), on = 0, e, lrc;
	socklen_t l = sizeof(on);
	long rc;

	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	rc = bind(s, (struct sockaddr *)&un, sizeof(un));
	e = errno;
	lrc = listen(s, 4);
	printf("LISTEN rc=%d errno=%s\n", lrc,
	       lrc < 0 && strerrorname_np(errno) ? strerrorname_np(errno)
						 : "0");
	getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &on, &l);
	fault_probe_result(rc, e, on ? "yes" : "no");
	return 0;
}

static int fault_probe_open(const char *path, int create)
{
	int e, fd = open(path, create ? O_WRONLY | O_CREAT | O_EXCL : O_RDONLY,
			 0644);
	struct stat st;
	char buf[4096];
	ssize_t n;

	e = errno;
	if (create) {
		fault_probe_result(fd, e, stat(path, &st) == 0 ? "yes" : "no");
		return 0;
	}
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n > 0) {
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = ' ';
	}
	fault_probe_result(fd, e,
			   fd < 0				  ? "na"
			   : n > 0 && strstr(buf, "FAULT_SECRET") ? "yes"
								  : "no");
	return 0;
}

static int fault_probe_fifo(const char *path)
{
	int fd = open(path, O_WRONLY);
	int e = errno;

	if (fd >= 0 && write(fd, "fifo-written\n", 13) != 13)
		e = errno;
	fault_probe_result(fd, e, "na");
	return 0;
}

static int fault_probe_signal(const char *how, pid_t pid)
{
	long rc;

	if (!strcmp(how, "kill")) {
		rc = kill(pid, SIGUSR1);
	} else if (!strcmp(how, "tgkill")) {
		rc = syscall(SYS_tgkill, pid, pid, SIGUSR1);
	} else {
		int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

		if (pfd < 0) {
			printf("SETUP pidfd_open errno=%s\n",
			       strerrorname_np(errno));
			fault_probe_result(-1, errno, "na");
			return 0;
		}
		rc = syscall(SYS_pidfd_send_signal, pfd, SIGUSR2, NULL, 0);
	}
	fault_probe_result(rc, errno, "na");
	return 0;
}

static int fault_probe_ptrace(pid_t pid)
{
	long rc = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	int e = errno;

	if (rc == 0) {
		waitpid(pid, NULL, __WALL);
		sleep(1); /* long enough for the victim's log */
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	}
	fault_probe_result(rc, e, "na");
	return 0;
}

static int fault_probe_vmread(pid_t pid, const char *addr)
{
	char buf[sizeof(fault_probe_secret)] = "";
	struct iovec l = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct iovec r = {.iov_base = (void *)strtoul(addr, NULL, 0),
			  .iov_len = sizeof(buf)};
	long rc = syscall(SYS_process_vm_readv, pid, &l, 1, &r, 1, 0);

	fault_probe_result(rc, errno,
			   rc > 0 && strstr(buf, "fault-probe-secret") ? "yes"
								       : "no");
	return 0;
}

static int fault_probe_prlimit(pid_t pid)
{
	struct rlimit rl = {.rlim_cur = 77, .rlim_max = 77};
	long rc = syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, &rl, NULL);

	fault_probe_result(rc, errno, "na");
	return 0;
}

/* Fork @n children that wait; effect: more of them than @limit lived. */
static int fault_probe_fork(int n, int limit)
{
	pid_t kids[256];
	int i, made = 0, e = 0;

	for (i = 0; i < n && i < 256; i++) {
		pid_t k = fork();

		if (k == 0) {
			pause();
			_exit(0);
		}
		if (k < 0) {
			e = errno;
			break;
		}
		kids[made++] = k;
	}
	for (i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	printf("FORKED %d\n", made);
	fault_probe_result(made == n ? 0 : -1, e, made > limit ? "yes" : "no");
	return 0;
}

/* A signal to the job's own child: allowed; effect: the child died. */
static int fault_probe_own_kill(void)
{
	pid_t k = fork();
	int st = 0;
	long rc;

	if (k == 0) {
		pause();
		_exit(0);
	}
	if (k < 0) {
		printf("SETUP fork errno=%s\n", strerrorname_np(errno));
		fault_probe_result(-1, errno, "na");
		return 0;
	}
	rc = kill(k, SIGTERM);
	fault_probe_result(rc, errno, "pending");
	usleep(200 * 1000);
	if (waitpid(k, &st, WNOHANG) == k) {
		printf("EFFECT yes\n");
	} else {
		printf("EFFECT no\n");
		kill(k, SIGKILL);
		waitpid(k, NULL, 0);
	}
	return 0;
}

static int fault_probe_try(int argc, char **argv)
{
	const char *c = argv[0];

	if (!strcmp(c, "connect") && argc == 3)
		return fault_probe_connect(argv[1], atoi(argv[2]));
	if ((!strcmp(c, "sendto") || !strcmp(c, "sendmsg") ||
	     !strcmp(c, "sendmmsg")) &&
	    argc == 3)
		return fault_probe_send(c, argv[1], atoi(argv[2]));
	if ((!strcmp(c, "recvfrom") || !strcmp(c, "recvmsg")) && argc == 1)
		return fault_probe_dns_recv(c);
	if (!strcmp(c, "bind") && argc == 3)
		return fault_probe_bind(argv[1], atoi(argv[2]), 0);
	if (!strcmp(c, "listen") && argc == 2)
		return fault_probe_bind(argv[1], 0, 1);
	if (!strcmp(c, "unixlisten") && argc == 2)
		return fault_probe_unix_listen(argv[1]);
	if (!strcmp(c, "open") && argc == 2)
		return fault_probe_open(argv[1], 0);
	if (!strcmp(c, "create") && argc == 2)
		return fault_probe_open(argv[1], 1);
	if (!strcmp(c, "fifo") && argc == 2)
		return fault_probe_fifo(argv[1]);
	if ((!strcmp(c, "kill") || !strcmp(c, "tgkill") ||
	     !strcmp(c, "pidfd")) &&
	    argc == 2)
		return fault_probe_signal(c, atoi(argv[1]));
	if (!strcmp(c, "ptrace") && argc == 2)
		return fault_probe_ptrace(atoi(argv[1]));
	if (!strcmp(c, "vmread") && argc == 3)
		return fault_probe_vmread(atoi(argv[1]), argv[2]);
	if (!strcmp(c, "prlimit") && argc == 2)
		return fault_probe_prlimit(atoi(argv[1]));
	if (!strcmp(c, "fork") && argc == 3)
		return fault_probe_fork(atoi(argv[1]), atoi(argv[2]));
	if (!strcmp(c, "own-kill") && argc == 1)
		return fault_probe_own_kill();
	if (!strcmp(c, "exec") && argc == 2) {
		char *args[] = {argv[1], "execed", NULL};
		char *env[] = {NULL};

		execve(argv[1], args, env);
		fault_probe_result(-1, errno, "no");
		return 0;
	}
	fprintf(stderr, "fault-probe: unknown case %s\n", c);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "execed")) {
		fault_probe_result(0, 0, "yes");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "canary"))
		return fault_probe_canary(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "victim"))
		return fault_probe_victim(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "try"))
		return fault_probe_try(argc - 2, argv + 2);
	fprintf(stderr, "usage: cordon-fault-probe canary|victim|try ...\n");
	return 2;
}
