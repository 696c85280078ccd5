/* SPDX-License-Identifier: MIT */
/*
 * netattack.c - network attack and semantics probes for the scripts in
 * tests/net/. `netattack WHAT ARG...` tries one thing (or races one thing many
 * times) and prints one line per outcome, "WHAT: ok ..." or "WHAT: errno NAME",
 * exit 0 either way unless the arguments are wrong (exit 2). The verdict of
 * a test comes from what the canaries recorded, not from these lines; the
 * lines prove that the path under attack was exercised.
 *
 * Addresses are "A.B.C.D:PORT" or "[V6]:PORT". This program plays the job:
 * it is built without sanitizers and makes plain system calls.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

struct na_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

static const char *na_errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

static void na_usage(void)
{
	fprintf(stderr,
		"usage: netattack race MODE ALLOWED DENIED N\n"
		"         MODE: connect sendto sendmsg-name sendmsg-ptr "
		"sendmmsg clone-vm vfork fastopen\n"
		"       netattack connect ADDR [nonblock]\n"
		"       netattack udp-send ADDR TEXT\n"
		"       netattack sendto-unspec ADDR TEXT\n"
		"       netattack sendmmsg-mixed TEXT ADDR...\n"
		"       netattack fastopen ADDR TEXT [nonblock]\n"
		"       netattack socketcall ADDR | int80-connect ADDR | "
		"x32-connect ADDR\n"
		"       netattack families\n"
		"       netattack semantics ADDR_TCP_ALLOWED\n"
		"       netattack selfloop ADDR\n"
		"       netattack bind ADDR [listen]\n"
		"       netattack bind-unspec PORT SECONDS\n"
		"       netattack unix PATH | abstract NAME | "
		"abstract-self NAME [CONNECT_NAME]  (names take \\xHH)\n"
		"       netattack unix-race LINK GOODDIR BADDIR SOCKNAME N\n"
		"       netattack rights-recv PATH stream|dgram\n"
		"       netattack rights-self path|abstract NAME\n"
		"       netattack rights-serve stream|dgram path|abstract NAME [DONE]\n"
		"       netattack ifaddrs | netlink-peer | netlink-addaddr A.B.C.D\n");
	exit(2);
}

static int na_parse(const char *s, struct na_addr *a)
{
	char host[128];
	const char *colon;
	size_t hl;
	long port;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -1;
		hl = (size_t)(end - s - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
	}
	port = strtol(colon + 1, NULL, 10);
	if (port < 0 || port > 65535)
		return -1;
	if (strchr(host, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -1;
		a->len = sizeof(*in6);
		a->family = AF_INET6;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -1;
		a->len = sizeof(*in);
		a->family = AF_INET;
	}
	return 0;
}

static void na_must_parse(const char *s, struct na_addr *a)
{
	if (na_parse(s, a) < 0) {
		fprintf(stderr, "netattack: bad address '%s'\n", s);
		exit(2);
	}
}

static double na_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Close without TIME_WAIT: 10^5 connects must not run out of ports. */
static void na_close_rst(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* ---- races -------------------------------------------------------------- */

/*
 * The shared state every racer flips. Stores are single aligned words where
 * the address fits one (IPv4: family+port+address in 8 bytes); IPv6
 * addresses are chosen to differ in their upper 8 bytes only, so a torn
 * store still yields one of the two addresses.
 */
struct na_race {
	struct sockaddr_storage buf __attribute__((aligned(16)));
	struct sockaddr_storage good __attribute__((aligned(16)));
	struct sockaddr_storage bad __attribute__((aligned(16)));
	socklen_t len;
	int family;
	struct msghdr msg;	/* for sendmsg-ptr: msg_name flips */
	struct mmsghdr mmsg[4]; /* for sendmmsg: all point at buf */
	atomic_int stop;
	atomic_long flips;
	/* Outcome counts (shared with a vfork/clone child). */
	long n_ok, n_eacces, n_other, n_tries;
	int other_errno;
};

static void na_flip_once(struct na_race *r, int mode_ptr, int which)
{
	if (mode_ptr) {
		__atomic_store_n(&r->msg.msg_name,
				 which ? (void *)&r->bad : (void *)&r->good,
				 __ATOMIC_RELAXED);
		return;
	}
	if (r->family == AF_INET) {
		uint64_t v;

		memcpy(&v, which ? &r->bad : &r->good, sizeof(v));
		__atomic_store_n((uint64_t *)&r->buf, v, __ATOMIC_RELAXED);
	} else {
		uint64_t v[2];

		memcpy(v, (char *)(which ? &r->bad : &r->good) + 8, sizeof(v));
		__atomic_store_n((uint64_t *)((char *)&r->buf + 8), v[0],
				 __ATOMIC_RELAXED);
	}
}

static int na_mode_ptr;

static void *na_flipper(void *arg)
{
	struct na_race *r = arg;
	long n = 0;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		na_flip_once(r, na_mode_ptr, 1);
		na_flip_once(r, na_mode_ptr, 0);
		n++;
	}
	atomic_store(&r->flips, n);
	return NULL;
}

static void na_count(struct na_race *r, long rc, int e, int ok_errno)
{
	r->n_tries++;
	if (rc >= 0 || (ok_errno && e == ok_errno))
		r->n_ok++;
	else if (e == EACCES)
		r->n_eacces++;
	else {
		r->n_other++;
		r->other_errno = e;
	}
}

/* One try of @mode; every try uses the shared, flipping address. */
static void na_race_try(struct na_race *r, const char *mode, int udp_fd)
{
	static const char payload[] = "race";
	long rc;
	int fd, e;

	if (!strcmp(mode, "connect") || !strcmp(mode, "clone-vm") ||
	    !strcmp(mode, "vfork")) {
		fd = socket(r->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			na_count(r, -1, errno, 0);
			return;
		}
		rc = connect(fd, (struct sockaddr *)&r->buf, r->len);
		e = errno;
		na_close_rst(fd);
		na_count(r, rc, e, EINPROGRESS);
	} else if (!strcmp(mode, "fastopen")) {
		fd = socket(r->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			na_count(r, -1, errno, 0);
			return;
		}
		rc = sendto(fd, payload, sizeof(payload) - 1, MSG_FASTOPEN,
			    (struct sockaddr *)&r->buf, r->len);
		e = errno;
		na_close_rst(fd);
		na_count(r, rc, e, EINPROGRESS);
	} else if (!strcmp(mode, "sendto")) {
		rc = sendto(udp_fd, payload, sizeof(payload) - 1, 0,
			    (struct sockaddr *)&r->buf, r->len);
		na_count(r, rc, errno, 0);
	} else if (!strcmp(mode, "sendmsg-name") ||
		   !strcmp(mode, "sendmsg-ptr")) {
		rc = sendmsg(udp_fd, &r->msg, 0);
		na_count(r, rc, errno, 0);
	} else if (!strcmp(mode, "sendmmsg")) {
		rc = sendmmsg(udp_fd, r->mmsg, 4, 0);
		e = errno;
		/* Each message counts: partial batches are denials. */
		if (rc < 0) {
			na_count(r, -1, e, 0);
		} else {
			for (long i = 0; i < rc; i++)
				na_count(r, 0, 0, 0);
			if (rc < 4)
				na_count(r, -1, EACCES, 0);
		}
	}
}

static char na_child_stack[256 * 1024] __attribute__((aligned(16)));

static int na_clone_child(void *arg)
{
	na_flipper(arg);
	return 0;
}

/* The vfork child connects N times; the parent sleeps meanwhile. */
static __attribute__((noinline)) pid_t na_vfork_tries(struct na_race *r,
						      const char *mode, long n)
{
	pid_t pid = vfork();

	if (pid == 0) {
		for (long i = 0; i < n; i++)
			na_race_try(r, mode, -1);
		_exit(0);
	}
	return pid;
}

static int na_race(int argc, char **argv)
{
	struct na_race *r;
	struct na_addr good, bad;
	struct iovec iov = {.iov_base = "race", .iov_len = 4};
	const char *mode;
	pthread_t t;
	long n, i;
	int udp_fd = -1;
	double t0, dt;

	if (argc < 6)
		na_usage();
	mode = argv[2];
	na_must_parse(argv[3], &good);
	na_must_parse(argv[4], &bad);
	n = strtol(argv[5], NULL, 10);
	if (good.family != bad.family || n <= 0)
		na_usage();
	/* Shared with a clone/vfork child: anonymous shared memory. */
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return 2;
	memset(r, 0, sizeof(*r));
	memcpy(&r->good, &good.ss, sizeof(good.ss));
	memcpy(&r->bad, &bad.ss, sizeof(bad.ss));
	memcpy(&r->buf, &good.ss, sizeof(good.ss));
	r->len = good.len;
	r->family = good.family;
	na_mode_ptr = !strcmp(mode, "sendmsg-ptr");
	r->msg.msg_name = &r->buf;
	if (na_mode_ptr)
		r->msg.msg_name = &r->good;
	r->msg.msg_namelen = r->len;
	r->msg.msg_iov = &iov;
	r->msg.msg_iovlen = 1;
	for (i = 0; i < 4; i++) {
		r->mmsg[i].msg_hdr.msg_name = &r->buf;
		r->mmsg[i].msg_hdr.msg_namelen = r->len;
		r->mmsg[i].msg_hdr.msg_iov = &iov;
		r->mmsg[i].msg_hdr.msg_iovlen = 1;
	}
	if (!strcmp(mode, "sendto") || !strncmp(mode, "sendm", 5)) {
		udp_fd = socket(r->family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (udp_fd < 0) {
			printf("race %s: socket errno %s\n", mode,
			       na_errname(errno));
			return 0;
		}
	}
	t0 = na_now();
	if (!strcmp(mode, "clone-vm")) {
		/* A second process in the same address space flips. */
		pid_t pid = clone(na_clone_child,
				  na_child_stack + sizeof(na_child_stack),
				  CLONE_VM | SIGCHLD, r);

		if (pid < 0) {
			printf("race %s: clone errno %s\n", mode,
			       na_errname(errno));
			return 0;
		}
		for (i = 0; i < n; i++)
			na_race_try(r, mode, udp_fd);
		atomic_store(&r->stop, 1);
		waitpid(pid, NULL, 0);
	} else if (!strcmp(mode, "vfork")) {
		/* A thread flips while a vfork child (same memory) connects. */
		pid_t pid;

		if (pthread_create(&t, NULL, na_flipper, r))
			return 2;
		pid = na_vfork_tries(r, mode, n);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		atomic_store(&r->stop, 1);
		pthread_join(t, NULL);
	} else {
		if (pthread_create(&t, NULL, na_flipper, r))
			return 2;
		for (i = 0; i < n; i++)
			na_race_try(r, mode, udp_fd);
		atomic_store(&r->stop, 1);
		pthread_join(t, NULL);
	}
	dt = na_now() - t0;
	printf("race %s: tries=%ld allowed=%ld eacces=%ld other=%ld "
	       "other_errno=%s flips=%ld seconds=%.2f rate=%.0f/s\n",
	       mode, r->n_tries, r->n_ok, r->n_eacces, r->n_other,
	       r->other_errno ? na_errname(r->other_errno) : "-",
	       (long)atomic_load(&r->flips), dt, (double)r->n_tries / dt);
	return 0;
}

/* ---- single shots ------------------------------------------------------- */

static void na_report(const char *what, long rc, int e)
{
	if (rc < 0)
		printf("%s: errno %s\n", what, na_errname(e));
	else
		printf("%s: ok %ld\n", what, rc);
	fflush(stdout);
}

/* Wait for a non-blocking connect to finish; return SO_ERROR. */
static int na_wait_connected(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int err = 0;
	socklen_t l = sizeof(err);

	if (poll(&p, 1, ms) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		return errno;
	return err;
}

static int na_connect(int argc, char **argv)
{
	struct na_addr a;
	int fd, nonblock = argc > 3 && !strcmp(argv[3], "nonblock");
	long rc;
	double t0;

	if (argc < 3)
		na_usage();
	na_must_parse(argv[2], &a);
	fd = socket(a.family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0) {
		na_report("connect", -1, errno);
		return 0;
	}
	t0 = na_now();
	rc = connect(fd, (struct sockaddr *)&a.ss, a.len);
	if (rc < 0 && nonblock && errno == EINPROGRESS) {
		int err = na_wait_connected(fd, 3000);

		printf("connect: EINPROGRESS then SO_ERROR=%s\n",
		       err ? na_errname(err) : "0");
		rc = err ? -1 : 0;
		errno = err;
	}
	na_report("connect", rc, errno);
	printf("connect: took_ms=%.0f\n", (na_now() - t0) * 1000);
	if (rc == 0) {
		const char hello[] = "hello-connect";

		if (write(fd, hello, sizeof(hello) - 1) < 0)
			perror("write");
	}
	close(fd);
	return 0;
}

static int na_udp_send(int argc, char **argv)
{
	struct na_addr a;
	int fd;
	long rc;

	if (argc < 4)
		na_usage();
	na_must_parse(argv[2], &a);
	fd = socket(a.family, SOCK_DGRAM, 0);
	rc = sendto(fd, argv[3], strlen(argv[3]), 0, (struct sockaddr *)&a.ss,
		    a.len);
	na_report("udp-send", rc, errno);
	close(fd);
	return 0;
}

/*
 * IPv4 udp_sendmsg() accepts sin_family AF_UNSPEC as AF_INET (an old
 * compatibility rule) and sends to sin_addr: a destination cordon must judge
 * like any other.
 */
static int na_sendto_unspec(int argc, char **argv)
{
	struct na_addr a;
	int fd;
	long rc;

	if (argc < 4)
		na_usage();
	na_must_parse(argv[2], &a);
	((struct sockaddr *)&a.ss)->sa_family = AF_UNSPEC;
	fd = socket(a.family, SOCK_DGRAM, 0);
	rc = sendto(fd, argv[3], strlen(argv[3]), 0, (struct sockaddr *)&a.ss,
		    a.len);
	na_report("sendto-unspec", rc, errno);
	close(fd);
	return 0;
}

static int na_sendmmsg_mixed(int argc, char **argv)
{
	struct na_addr a[8];
	struct mmsghdr v[8];
	struct iovec iov[8];
	char text[8][64];
	int n = argc - 3, fd, i;
	long rc;

	if (n < 1 || n > 8)
		na_usage();
	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++) {
		na_must_parse(argv[3 + i], &a[i]);
		snprintf(text[i], sizeof(text[i]), "%s-%d", argv[2], i);
		iov[i].iov_base = text[i];
		iov[i].iov_len = strlen(text[i]);
		v[i].msg_hdr.msg_name = &a[i].ss;
		v[i].msg_hdr.msg_namelen = a[i].len;
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
	}
	fd = socket(a[0].family, SOCK_DGRAM, 0);
	rc = sendmmsg(fd, v, (unsigned)n, 0);
	na_report("sendmmsg", rc, errno);
	for (i = 0; i < n; i++)
		printf("sendmmsg: msg_len[%d]=%u\n", i, v[i].msg_len);
	close(fd);
	return 0;
}

static int na_fastopen(int argc, char **argv)
{
	struct na_addr a;
	int fd, nonblock = argc > 4 && !strcmp(argv[4], "nonblock");
	long rc;

	if (argc < 4)
		na_usage();
	na_must_parse(argv[2], &a);
	fd = socket(a.family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	rc = sendto(fd, argv[3], strlen(argv[3]), MSG_FASTOPEN,
		    (struct sockaddr *)&a.ss, a.len);
	na_report("fastopen", rc, errno);
	if (rc < 0 && nonblock && errno == EINPROGRESS) {
		int err = na_wait_connected(fd, 3000);

		printf("fastopen: SO_ERROR=%s\n", err ? na_errname(err) : "0");
		if (!err) {
			rc = write(fd, argv[3], strlen(argv[3]));
			na_report("fastopen-write", rc, errno);
		}
	}
	usleep(100000);
	close(fd);
	return 0;
}

/* i386 socketcall(SYS_CONNECT) and connect through int 0x80. */
static long na_int80(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
			 : "memory");
	return ret;
}

static int na_compat_connect(int argc, char **argv, const char *how)
{
	struct na_addr a;
	uint32_t *low;
	long rc;
	int fd;

	if (argc < 3)
		na_usage();
	na_must_parse(argv[2], &a);
	fd = socket(a.family, SOCK_STREAM, 0);
	/* The i386 ABI takes 32-bit pointers: use memory below 4 GiB. */
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED) {
		na_report(how, -1, errno);
		return 0;
	}
	memcpy(low + 16, &a.ss, a.len);
	printf("%s: trying\n", how);
	fflush(stdout);
	if (!strcmp(how, "socketcall")) {
		low[0] = (uint32_t)fd;
		low[1] = (uint32_t)(uintptr_t)(low + 16);
		low[2] = a.len;
		rc = na_int80(102 /* socketcall */, 3 /* SYS_CONNECT */,
			      (long)(uintptr_t)low, 0);
	} else if (!strcmp(how, "int80-connect")) {
		rc = na_int80(362 /* i386 connect */, fd,
			      (long)(uintptr_t)(low + 16), a.len);
	} else {
		rc = syscall(0x40000000L | 42 /* x32 connect */, fd, low + 16,
			     a.len);
		if (rc < 0)
			rc = -errno;
	}
	if (rc < 0) {
		errno = (int)-rc;
		rc = -1;
	}
	na_report(how, rc, errno);
	if (rc == 0 && write(fd, "compat", 6) < 0)
		perror("write");
	close(fd);
	return 0;
}

/* ---- families ----------------------------------------------------------- */

static int na_families(void)
{
	static const struct {
		const char *name;
		int domain, type, protocol;
	} t[] = {
		{"unix-stream", AF_UNIX, SOCK_STREAM, 0},
		{"unix-dgram", AF_UNIX, SOCK_DGRAM, 0},
		{"inet-tcp", AF_INET, SOCK_STREAM, 0},
		{"inet-udp", AF_INET, SOCK_DGRAM, 0},
		{"inet6-tcp", AF_INET6, SOCK_STREAM, 0},
		{"inet6-udp", AF_INET6, SOCK_DGRAM, 0},
		{"netlink-route", AF_NETLINK, SOCK_RAW, 0},
		{"netlink-audit", AF_NETLINK, SOCK_RAW, 9},
		{"netlink-netfilter", AF_NETLINK, SOCK_RAW, 12},
		{"netlink-kobject", AF_NETLINK, SOCK_DGRAM, 15},
		{"netlink-generic", AF_NETLINK, SOCK_RAW, 16},
		{"inet-raw", AF_INET, SOCK_RAW, IPPROTO_RAW},
		{"inet-raw-icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP},
		{"inet-icmp-dgram", AF_INET, SOCK_DGRAM, IPPROTO_ICMP},
		{"inet6-icmp-dgram", AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6},
		{"inet6-raw", AF_INET6, SOCK_RAW, IPPROTO_RAW},
		{"inet-sctp", AF_INET, SOCK_STREAM, 132},
		{"inet-seqpacket", AF_INET, SOCK_SEQPACKET, 0},
		{"inet-udplite", AF_INET, SOCK_DGRAM, 136},
		{"inet-mptcp", AF_INET, SOCK_STREAM, 262},
		{"packet", AF_PACKET, SOCK_RAW, 0},
		{"packet-dgram", AF_PACKET, SOCK_DGRAM, 0},
		{"key", AF_KEY, SOCK_RAW, 2},
		{"alg", AF_ALG, SOCK_SEQPACKET, 0},
		{"vsock", AF_VSOCK, SOCK_STREAM, 0},
		{"bluetooth", AF_BLUETOOTH, SOCK_RAW, 0},
		{"xdp", AF_XDP, SOCK_RAW, 0},
		{"tipc", AF_TIPC, SOCK_RDM, 0},
		{"rds", AF_RDS, SOCK_SEQPACKET, 0},
		{"can", AF_CAN, SOCK_RAW, 1},
		{"qipcrtr", AF_QIPCRTR, SOCK_DGRAM, 0},
		{"family-44", 44, SOCK_STREAM, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int fd = socket(t[i].domain, t[i].type, t[i].protocol);

		if (fd >= 0) {
			printf("family %s: ok\n", t[i].name);
			close(fd);
		} else {
			printf("family %s: errno %s\n", t[i].name,
			       na_errname(errno));
		}
	}
	return 0;
}

/* ---- semantics ---------------------------------------------------------- */

static void na_sem(const char *what, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void na_sem(const char *what, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("sem %s: %s", what, ok ? "ok" : "FAIL");
	if (!ok && fmt) {
		printf(" (");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(")");
	}
	printf("\n");
	fflush(stdout);
}

static int na_sockaddr_eq(const struct sockaddr_storage *x,
			  const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return 0;
	if (x->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)x,
					 *b = (const void *)y;

		return a->sin_port == b->sin_port &&
		       a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (x->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)x,
					  *b = (const void *)y;

		return a->sin6_port == b->sin6_port &&
		       !memcmp(&a->sin6_addr, &b->sin6_addr, 16);
	}
	return 0;
}

static uint16_t na_port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/*
 * Client semantics against an allowed TCP destination (a canary: it records
 * each connection). Every check prints "sem NAME: ok" or "sem NAME: FAIL".
 */
static int na_semantics(int argc, char **argv)
{
	struct na_addr a;
	struct sockaddr_storage ss;
	socklen_t l;
	int fd, r, e, err;

	if (argc < 3)
		na_usage();
	na_must_parse(argv[2], &a);

	/* Blocking connect, then getpeername/getsockname. */
	fd = socket(a.family, SOCK_STREAM, 0);
	r = connect(fd, (struct sockaddr *)&a.ss, a.len);
	e = errno;
	na_sem("blocking-connect", r == 0, "errno %s", na_errname(e));
	l = sizeof(ss);
	r = getpeername(fd, (struct sockaddr *)&ss, &l);
	na_sem("getpeername", r == 0 && na_sockaddr_eq(&ss, &a.ss), "r=%d", r);
	l = sizeof(ss);
	r = getsockname(fd, (struct sockaddr *)&ss, &l);
	na_sem("getsockname",
	       r == 0 && ss.ss_family == a.family && na_port_of(&ss) != 0,
	       "r=%d family=%d", r, ss.ss_family);
	r = (int)write(fd, "sem-blocking", 12);
	na_sem("write-after-connect", r == 12, "r=%d", r);
	r = connect(fd, (struct sockaddr *)&a.ss, a.len);
	e = errno;
	na_sem("connect-again-eisconn", r < 0 && e == EISCONN, "r=%d errno %s",
	       r, na_errname(e));
	close(fd);

	/* Non-blocking connect: EINPROGRESS, then SO_ERROR 0. */
	fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(fd, (struct sockaddr *)&a.ss, a.len);
	e = errno;
	na_sem("nonblock-einprogress", r == 0 || e == EINPROGRESS, "errno %s",
	       na_errname(e));
	err = na_wait_connected(fd, 3000);
	na_sem("nonblock-so_error", err == 0, "SO_ERROR %s", na_errname(err));
	r = (int)write(fd, "sem-nonblock", 12);
	na_sem("nonblock-write", r == 12, "r=%d errno %s", r,
	       na_errname(errno));
	close(fd);

	/* Ephemeral bind (wildcard, port 0), then connect. */
	fd = socket(a.family, SOCK_STREAM, 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)a.family;
	r = bind(fd, (struct sockaddr *)&ss, a.len);
	e = errno;
	na_sem("ephemeral-bind-wildcard", r == 0, "errno %s", na_errname(e));
	r = connect(fd, (struct sockaddr *)&a.ss, a.len);
	e = errno;
	na_sem("connect-after-ephemeral-bind", r == 0, "errno %s",
	       na_errname(e));
	close(fd);

	/* UDP: connect, AF_UNSPEC dissolves, send without address fails. */
	fd = socket(a.family, SOCK_DGRAM, 0);
	r = connect(fd, (struct sockaddr *)&a.ss, a.len);
	e = errno;
	na_sem("udp-connect", r == 0, "errno %s", na_errname(e));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	r = connect(fd, (struct sockaddr *)&ss, sizeof(ss));
	e = errno;
	na_sem("udp-connect-af_unspec", r == 0, "errno %s", na_errname(e));
	l = sizeof(ss);
	r = getpeername(fd, (struct sockaddr *)&ss, &l);
	e = errno;
	na_sem("udp-unspec-dissolved", r < 0 && e == ENOTCONN, "errno %s",
	       na_errname(e));
	r = (int)send(fd, "x", 1, 0);
	e = errno;
	na_sem("udp-send-after-unspec", r < 0 && e == EDESTADDRREQ,
	       "r=%d errno %s", r, na_errname(e));
	close(fd);

	/* A dual-stack [::] socket reaching the IPv4 destination v4-mapped. */
	if (a.family == AF_INET) {
		struct sockaddr_in6 m = {.sin6_family = AF_INET6};
		const struct sockaddr_in *in = (const void *)&a.ss;
		int off = 0;

		m.sin6_port = in->sin_port;
		m.sin6_addr.s6_addr[10] = 0xff;
		m.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&m.sin6_addr.s6_addr[12], &in->sin_addr, 4);
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		r = connect(fd, (struct sockaddr *)&m, sizeof(m));
		e = errno;
		na_sem("dualstack-v4mapped-connect", r == 0, "errno %s",
		       na_errname(e));
		if (r == 0 && write(fd, "sem-dual", 8) < 0)
			perror("write");
		close(fd);
	}
	return 0;
}

/*
 * Own listener on loopback ADDR (port 0: ephemeral): listen, connect to it,
 * accept and accept4, getsockname, SO_REUSEADDR/SO_REUSEPORT.
 */
static int na_selfloop(int argc, char **argv)
{
	struct na_addr a;
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	int lfd, lfd2, cfd, afd, one = 1, r, e;

	if (argc < 3)
		na_usage();
	na_must_parse(argv[2], &a);
	lfd = socket(a.family, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	r = bind(lfd, (struct sockaddr *)&a.ss, a.len);
	e = errno;
	na_sem("loopback-bind", r == 0, "errno %s", na_errname(e));
	r = listen(lfd, 16);
	e = errno;
	na_sem("loopback-listen", r == 0, "errno %s", na_errname(e));
	r = getsockname(lfd, (struct sockaddr *)&ss, &l);
	na_sem("listener-getsockname", r == 0 && na_port_of(&ss) != 0, NULL);
	printf("selfloop port %u\n", na_port_of(&ss));

	/* SO_REUSEPORT: a second listener of ours on the same port. */
	lfd2 = socket(a.family, SOCK_STREAM, 0);
	setsockopt(lfd2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	r = bind(lfd2, (struct sockaddr *)&ss, l);
	e = errno;
	na_sem("reuseport-second-bind", r == 0, "errno %s", na_errname(e));
	r = listen(lfd2, 16);
	na_sem("reuseport-second-listen", r == 0, NULL);

	cfd = socket(a.family, SOCK_STREAM, 0);
	r = connect(cfd, (struct sockaddr *)&ss, l);
	e = errno;
	na_sem("connect-own-listener", r == 0, "errno %s", na_errname(e));
	{
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
				      {.fd = lfd2, .events = POLLIN}};

		poll(p, 2, 2000);
		afd = accept4(p[0].revents ? lfd : lfd2, NULL, NULL,
			      SOCK_CLOEXEC);
	}
	na_sem("accept4", afd >= 0, "errno %s", na_errname(errno));
	if (afd >= 0) {
		char b[8] = {0};

		r = (int)write(cfd, "ping", 4);
		r = (int)read(afd, b, sizeof(b));
		na_sem("own-loopback-data", r == 4 && !memcmp(b, "ping", 4),
		       "r=%d", r);
		close(afd);
	}
	close(cfd);
	cfd = socket(a.family, SOCK_STREAM, 0);
	r = connect(cfd, (struct sockaddr *)&ss, l);
	{
		struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
				      {.fd = lfd2, .events = POLLIN}};

		poll(p, 2, 2000);
		afd = accept(p[0].revents ? lfd : lfd2, NULL, NULL);
	}
	na_sem("accept", r == 0 && afd >= 0, "errno %s", na_errname(errno));
	close(afd);
	close(cfd);
	close(lfd2);
	close(lfd);
	return 0;
}

/* bind ADDR (and listen): report; with "listen", then stay for 3 s. */
static int na_bind(int argc, char **argv)
{
	struct na_addr a;
	int fd, one = 1;
	long rc;

	if (argc < 3)
		na_usage();
	na_must_parse(argv[2], &a);
	fd = socket(a.family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (struct sockaddr *)&a.ss, a.len);
	na_report("bind", rc, errno);
	if (argc > 3 && !strcmp(argv[3], "listen")) {
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss);
		char h[INET6_ADDRSTRLEN] = "?";

		rc = listen(fd, 8);
		na_report("listen", rc, errno);
		if (rc == 0 &&
		    getsockname(fd, (struct sockaddr *)&ss, &l) == 0) {
			if (ss.ss_family == AF_INET6)
				inet_ntop(AF_INET6,
					  &((struct sockaddr_in6 *)&ss)
						   ->sin6_addr,
					  h, sizeof(h));
			else
				inet_ntop(
					AF_INET,
					&((struct sockaddr_in *)&ss)->sin_addr,
					h, sizeof(h));
			printf("listening on %s port %u\n", h, na_port_of(&ss));
			fflush(stdout);
			sleep(3);
		}
	}
	close(fd);
	return 0;
}

/*
 * __inet_bind() accepts AF_UNSPEC as AF_INET when the address is
 * INADDR_ANY: bind(AF_UNSPEC, 0.0.0.0:PORT) binds the wildcard address.
 */
static int na_bind_unspec(int argc, char **argv)
{
	struct sockaddr_in in = {.sin_family = AF_UNSPEC};
	int fd, one = 1, secs;
	long rc;

	if (argc < 4)
		na_usage();
	in.sin_port = htons((uint16_t)atoi(argv[2]));
	secs = atoi(argv[3]);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (struct sockaddr *)&in, sizeof(in));
	na_report("bind-unspec", rc, errno);
	if (rc == 0) {
		rc = listen(fd, 8);
		na_report("bind-unspec-listen", rc, errno);
		fflush(stdout);
		if (rc == 0) {
			struct pollfd p = {.fd = fd, .events = POLLIN};

			/* Accept whatever comes within SECONDS. */
			if (poll(&p, 1, secs * 1000) == 1) {
				int c = accept(fd, NULL, NULL);

				printf("bind-unspec-accepted: %s\n",
				       c >= 0 ? "yes" : "no");
				close(c);
			}
		}
	}
	close(fd);
	return 0;
}

/* ---- SCM_RIGHTS --------------------------------------------------------- */

/*
 * @sec seconds times CORDON_TEST_TIME_SCALE (an integer, 1 when unset): the
 * timing windows of the rights cases, for emulated kernels where a process
 * start costs 50 ms (tests/lib/testlib.sh).
 */
static unsigned int na_scaled(unsigned int sec)
{
	const char *e = getenv("CORDON_TEST_TIME_SCALE");
	long k = e ? strtol(e, NULL, 10) : 1;

	return sec * (unsigned int)(k >= 1 && k <= 20 ? k : 1);
}

/* Send @fd (may be -1: none) with one byte of data. */
static long na_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = "F", .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;

	if (fd >= 0) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, 0);
}

/* Receive one message; the fd it carried, -1 for none, -2 on error. */
static int na_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))], data[64];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cbuf,
			   .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &m, 0) < 0)
		return -2;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static socklen_t na_unix_addr(struct sockaddr_un *un, const char *name,
			      int abstract)
{
	size_t n = strlen(name);

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (n + 2 > sizeof(un->sun_path))
		na_usage();
	if (abstract) {
		memcpy(un->sun_path + 1, name, n);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				   n);
	}
	memcpy(un->sun_path, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

/*
 * rights-recv PATH stream|dgram: talk to an fd broker outside the job at
 * PATH (stream: connect; dgram: bind ./rights-dgram.sock, send to PATH),
 * then wait 2 s for a message. Any fd that arrives is written to: if it is
 * a socket to a denied host, that host's canary sees "escaped".
 */
static int na_rights_recv(int argc, char **argv)
{
	struct sockaddr_un un, me;
	struct timeval tv = {.tv_sec = na_scaled(2)};
	socklen_t len, mlen;
	int dgram, fd, got;
	long rc;

	if (argc < 4)
		na_usage();
	dgram = !strcmp(argv[3], "dgram");
	len = na_unix_addr(&un, argv[2], 0);
	fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (dgram) {
		char here[80];

		/* Absolute: the broker answers to the name as bound. */
		if (!getcwd(here, sizeof(here) - 20))
			return 2;
		strcat(here, "/rights-dgram.sock");
		unlink(here);
		mlen = na_unix_addr(&me, here, 0);
		rc = bind(fd, (struct sockaddr *)&me, mlen);
		na_report("rights-bind", rc, errno);
		rc = sendto(fd, "hi", 2, 0, (struct sockaddr *)&un, len);
		na_report("rights-send", rc < 0 ? rc : 0, errno);
	} else {
		rc = connect(fd, (struct sockaddr *)&un, len);
		na_report("rights-connect", rc, errno);
	}
	got = na_recv_fd(fd);
	if (got >= 0) {
		printf("rights: fd received\n");
		if (write(got, "escaped\n", 8) < 0)
			perror("write");
		close(got);
	} else {
		printf("rights: %s\n", got == -1 ? "no fd" : "nothing");
	}
	/* And the job cannot turn receiving fds back on. */
	{
		int on = 1;

		rc = setsockopt(fd, SOL_SOCKET, 83 /* SO_PASSRIGHTS */, &on,
				sizeof(on));
		na_report("rights-reenable", rc, errno);
	}
	close(fd);
	return 0;
}

/*
 * rights-serve stream|dgram path|abstract NAME [DONE]: the job's own socket
 * at NAME (a listener, or a bound datagram socket) for a broker outside the
 * job: accept one client (stream; 8 s at most), then wait 3 s for a message.
 * Any fd that arrives is written to, as in rights-recv. With DONE (the file
 * the broker writes its verdict to, once it connected and sent or gave up),
 * the accept ends as soon as that file exists and nothing is queued, so a
 * refused broker does not cost the whole wait. Windows scaled by
 * CORDON_TEST_TIME_SCALE.
 */
static int na_rights_serve(int argc, char **argv)
{
	struct timeval tv = {.tv_sec = na_scaled(3)};
	const char *done = argc > 5 ? argv[5] : NULL;
	struct sockaddr_un un;
	int dgram, fd, c, got;
	socklen_t len;

	if (argc < 5)
		na_usage();
	dgram = !strcmp(argv[2], "dgram");
	len = na_unix_addr(&un, argv[4], !strcmp(argv[3], "abstract"));
	if (un.sun_path[0])
		unlink(un.sun_path);
	alarm(na_scaled(20)); /* nothing may hang the test */
	fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (bind(fd, (struct sockaddr *)&un, len) < 0 ||
	    (!dgram && listen(fd, 4) < 0)) {
		printf("rights-serve: bind errno %s\n", na_errname(errno));
		return 1;
	}
	printf("rights-serve: ready\n");
	fflush(stdout);
	c = fd;
	if (!dgram) {
		/* Longer than the broker tries to connect (5 s): a refused
		 * broker ends the wait with EAGAIN. */
		double end = na_now() + na_scaled(8);
		struct pollfd p = {.fd = fd, .events = POLLIN};

		for (;;) {
			int last = na_now() >= end ||
				   (done && access(done, F_OK) == 0);

			if (poll(&p, 1, last ? 0 : 100) > 0 || last)
				break;
		}
		/* Queued or not, the accept itself must not block now. */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			printf("rights-serve: accept errno %s\n",
			       na_errname(errno));
			return 1;
		}
		fcntl(c, F_SETFL, 0);
	}
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	got = na_recv_fd(c);
	if (got >= 0) {
		printf("rights: fd received\n");
		if (write(got, "escaped\n", 8) < 0)
			perror("write");
		close(got);
	} else {
		printf("rights: %s\n", got == -1 ? "no fd" : "nothing");
	}
	return 0;
}

/*
 * rights-self path|abstract NAME: fd passing between the job's own
 * processes, both ways, over a listener the job binds, and over a
 * socketpair. Prints "rights-self <how>: ok" per way that worked.
 */
static int na_rights_self(int argc, char **argv)
{
	struct sockaddr_un un;
	socklen_t len;
	int lfd, c, pair[2], got, st;
	pid_t pid;

	if (argc < 4)
		na_usage();
	len = na_unix_addr(&un, argv[3], !strcmp(argv[2], "abstract"));
	if (un.sun_path[0])
		unlink(un.sun_path);
	alarm(na_scaled(10)); /* a refused pass must not hang the test */
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&un, len) < 0 || listen(lfd, 4) < 0) {
		printf("rights-self: listener errno %s\n", na_errname(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		/* The server: an fd to the client, then one back from it. */
		int a = accept(lfd, NULL, NULL), r;

		r = na_send_fd(a, 1) < 0 ? 1 : 0;
		got = na_recv_fd(a);
		if (got < 0)
			r |= 2;
		_exit(r);
	}
	close(lfd);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){.tv_sec = na_scaled(3)},
		   sizeof(struct timeval));
	if (connect(c, (struct sockaddr *)&un, len) < 0) {
		printf("rights-self: connect errno %s\n", na_errname(errno));
		return 1;
	}
	got = na_recv_fd(c);
	if (got >= 0)
		printf("rights-self server-to-client: ok\n");
	if (na_send_fd(c, 2) >= 0)
		printf("rights-self client-to-server: sent\n");
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		printf("rights-self client-to-server: ok\n");
	fflush(stdout);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0 &&
	    na_send_fd(pair[0], 1) >= 0 && na_recv_fd(pair[1]) >= 0)
		printf("rights-self socketpair: ok\n");
	return 0;
}

/* ---- unix --------------------------------------------------------------- */

/*
 * An abstract name as the scripts write it: "\xHH" is any byte (NULs
 * included), everything else stands for itself. Return: its length.
 */
static size_t na_unescape(const char *s, char *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (*s) {
		if (n == max)
			na_usage();
		if (s[0] == '\\' && s[1] == 'x' &&
		    isxdigit((unsigned char)s[2]) &&
		    isxdigit((unsigned char)s[3]) &&
		    sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

/*
 * unix PATH, abstract NAME, abstract-self NAME [CONNECT_NAME]: connect (and
 * for -self, first bind and listen on NAME, then connect to CONNECT_NAME or
 * NAME). Abstract names take "\xHH" escapes.
 */
static int na_unix(int argc, char **argv, int abstract, int self)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX}, to;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	socklen_t len, tolen;
	size_t n;
	int fd, lfd = -1;
	long rc;

	if (argc < 3)
		na_usage();
	if (abstract) {
		n = na_unescape(argv[2], un.sun_path + 1,
				sizeof(un.sun_path) - 1);
		len = (socklen_t)(off + 1 + n);
	} else {
		n = strlen(argv[2]);
		if (n + 2 > sizeof(un.sun_path))
			na_usage();
		memcpy(un.sun_path, argv[2], n);
		len = (socklen_t)(off + n + 1);
	}
	to = un;
	tolen = len;
	if (self && argc > 3) {
		n = na_unescape(argv[3], to.sun_path + 1,
				sizeof(to.sun_path) - 1);
		tolen = (socklen_t)(off + 1 + n);
	}
	if (self) {
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		rc = bind(lfd, (struct sockaddr *)&un, len);
		na_report("abstract-bind", rc, errno);
		rc = listen(lfd, 4);
		na_report("abstract-listen", rc, errno);
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	rc = connect(fd, (struct sockaddr *)&to, tolen);
	na_report(abstract ? "abstract-connect" : "unix-connect", rc, errno);
	if (rc == 0 && write(fd, "unix-hello", 10) < 0)
		perror("write");
	usleep(50000);
	close(fd);
	if (lfd >= 0)
		close(lfd);
	return 0;
}

struct na_unix_race {
	const char *link, *good, *bad;
	char tmp[4096];
	atomic_int stop;
	long flips;
};

static void *na_unix_flipper(void *arg)
{
	struct na_unix_race *r = arg;

	/* Atomically repoint LINK: symlink a temp name, rename over. */
	while (!atomic_load(&r->stop)) {
		unlink(r->tmp);
		if (symlink(r->bad, r->tmp) == 0)
			rename(r->tmp, r->link);
		unlink(r->tmp);
		if (symlink(r->good, r->tmp) == 0)
			rename(r->tmp, r->link);
		r->flips++;
	}
	return NULL;
}

/*
 * LINK is a symlink in the job's own directory that flips between GOODDIR
 * (allowed) and BADDIR (not allowed); connect to LINK/SOCKNAME N times.
 */
static int na_unix_race_run(int argc, char **argv)
{
	struct na_unix_race r = {0};
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	long n, i, ok = 0, eacces = 0, other = 0;
	int other_errno = 0;
	pthread_t t;
	double t0, dt;

	if (argc < 7)
		na_usage();
	r.link = argv[2];
	r.good = argv[3];
	r.bad = argv[4];
	n = strtol(argv[6], NULL, 10);
	snprintf(r.tmp, sizeof(r.tmp), "%s.tmp", r.link);
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/%s", r.link, argv[5]);
	unlink(r.link);
	if (symlink(r.good, r.link) < 0)
		return 2;
	if (pthread_create(&t, NULL, na_unix_flipper, &r))
		return 2;
	t0 = na_now();
	for (i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0)
			ok++;
		else if (errno == EACCES)
			eacces++;
		else {
			other++;
			other_errno = errno;
		}
		close(fd);
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	dt = na_now() - t0;
	printf("unix-race: tries=%ld ok=%ld eacces=%ld other=%ld "
	       "other_errno=%s flips=%ld seconds=%.2f rate=%.0f/s\n",
	       n, ok, eacces, other, other ? na_errname(other_errno) : "-",
	       r.flips, dt, (double)n / dt);
	return 0;
}

/* getifaddrs() as glibc does it: netlink sendto the kernel, then recvmsg. */
static int na_ifaddrs(void)
{
	struct ifaddrs *ifa, *i;
	char a[INET6_ADDRSTRLEN];
	long n = 0;

	if (getifaddrs(&ifa) < 0) {
		na_report("ifaddrs", -1, errno);
		return 0;
	}
	for (i = ifa; i; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : 0;
		const void *src = NULL;

		if (fam == AF_INET)
			src = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (fam == AF_INET6)
			src = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (!src || !inet_ntop(fam, src, a, sizeof(a)))
			snprintf(a, sizeof(a), "-");
		printf("ifaddr: %s family=%d %s\n", i->ifa_name, fam, a);
		n++;
	}
	freeifaddrs(ifa);
	na_report("ifaddrs", n, 0);
	return 0;
}

static int na_nl_socket(uint32_t *portid)
{
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	socklen_t l = sizeof(me);
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&me, &l) < 0) {
		printf("netlink-socket: errno %s\n", na_errname(errno));
		exit(1);
	}
	*portid = me.nl_pid;
	return fd;
}

/*
 * Netlink to something that is not the kernel: a unicast to another
 * NETLINK_ROUTE socket of this process (by sendto, sendmsg and connect),
 * and a send to a multicast group. Natively an unprivileged sender gets
 * EPERM; what the receiving socket got is the verdict.
 */
static int na_netlink_peer(void)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {.h = {.nlmsg_len = sizeof(req),
		       .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		       .nlmsg_seq = 1},
		 .g = {.rtgen_family = AF_UNSPEC}};
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	struct iovec iov = {.iov_base = &req, .iov_len = sizeof(req)};
	struct msghdr m = {.msg_name = &to,
			   .msg_namelen = sizeof(to),
			   .msg_iov = &iov,
			   .msg_iovlen = 1};
	uint32_t rpid, spid;
	int r = na_nl_socket(&rpid), sfd = na_nl_socket(&spid);
	struct pollfd pfd = {.fd = r, .events = POLLIN};
	char buf[8192];
	long rc, got = 0;

	to.nl_pid = rpid;
	rc = sendto(sfd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		    sizeof(to));
	na_report("netlink-sendto-peer", rc, errno);
	rc = sendmsg(sfd, &m, 0);
	na_report("netlink-sendmsg-peer", rc, errno);
	to.nl_pid = 0;
	to.nl_groups = RTMGRP_LINK;
	rc = sendto(sfd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		    sizeof(to));
	na_report("netlink-sendto-group", rc, errno);
	to.nl_pid = rpid;
	to.nl_groups = 0;
	rc = connect(sfd, (struct sockaddr *)&to, sizeof(to));
	na_report("netlink-connect-peer", rc, errno);
	if (rc == 0) {
		rc = send(sfd, &req, sizeof(req), 0);
		na_report("netlink-send-connected", rc, errno);
	}
	/* And the kernel stays reachable from the same socket. */
	to.nl_pid = 0;
	rc = connect(sfd, (struct sockaddr *)&to, sizeof(to));
	na_report("netlink-connect-kernel", rc, errno);
	rc = sendto(sfd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		    sizeof(to));
	na_report("netlink-sendto-kernel", rc, errno);
	while (poll(&pfd, 1, 300) == 1 && recv(r, buf, sizeof(buf), 0) > 0)
		got++;
	printf("netlink-peer-received: %ld\n", got);
	close(r);
	close(sfd);
	return 0;
}

/*
 * RTM_NEWADDR A.B.C.D/32 on lo, sent to the kernel by name with an ack
 * requested: the kernel's answer (0 or -EPERM) is the verdict. Run it only
 * inside a network namespace the test owns.
 */
static int na_netlink_addaddr(int argc, char **argv)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg a;
		struct rtattr ra;
		struct in_addr in;
	} req = {.h = {.nlmsg_len = sizeof(req),
		       .nlmsg_type = RTM_NEWADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
				      NLM_F_EXCL,
		       .nlmsg_seq = 7},
		 .a = {.ifa_family = AF_INET,
		       .ifa_prefixlen = 32,
		       .ifa_index = if_nametoindex("lo")},
		 .ra = {.rta_len = RTA_LENGTH(sizeof(struct in_addr)),
			.rta_type = IFA_LOCAL}};
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	struct pollfd pfd;
	char buf[4096];
	uint32_t me;
	int fd;
	long rc;

	if (argc < 3 || inet_pton(AF_INET, argv[2], &req.in) != 1)
		na_usage();
	fd = na_nl_socket(&me);
	rc = sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		    sizeof(to));
	na_report("netlink-newaddr-send", rc, errno);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (rc > 0 && poll(&pfd, 1, 2000) == 1 &&
	    recv(fd, buf, sizeof(buf), 0) >= (ssize_t)(NLMSG_HDRLEN + 4)) {
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_type == NLMSG_ERROR)
			na_report("netlink-newaddr", e->error ? -1 : 0,
				  -e->error);
		else
			printf("netlink-newaddr: type %u\n", h->nlmsg_type);
	} else if (rc > 0) {
		printf("netlink-newaddr: no answer\n");
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		na_usage();
	if (!strcmp(argv[1], "race"))
		return na_race(argc, argv);
	if (!strcmp(argv[1], "connect"))
		return na_connect(argc, argv);
	if (!strcmp(argv[1], "udp-send"))
		return na_udp_send(argc, argv);
	if (!strcmp(argv[1], "sendto-unspec"))
		return na_sendto_unspec(argc, argv);
	if (!strcmp(argv[1], "sendmmsg-mixed"))
		return na_sendmmsg_mixed(argc, argv);
	if (!strcmp(argv[1], "fastopen"))
		return na_fastopen(argc, argv);
	if (!strcmp(argv[1], "socketcall") ||
	    !strcmp(argv[1], "int80-connect") ||
	    !strcmp(argv[1], "x32-connect"))
		return na_compat_connect(argc, argv, argv[1]);
	if (!strcmp(argv[1], "families"))
		return na_families();
	if (!strcmp(argv[1], "semantics"))
		return na_semantics(argc, argv);
	if (!strcmp(argv[1], "selfloop"))
		return na_selfloop(argc, argv);
	if (!strcmp(argv[1], "bind"))
		return na_bind(argc, argv);
	if (!strcmp(argv[1], "bind-unspec"))
		return na_bind_unspec(argc, argv);
	if (!strcmp(argv[1], "unix"))
		return na_unix(argc, argv, 0, 0);
	if (!strcmp(argv[1], "abstract"))
		return na_unix(argc, argv, 1, 0);
	if (!strcmp(argv[1], "abstract-self"))
		return na_unix(argc, argv, 1, 1);
	if (!strcmp(argv[1], "rights-recv"))
		return na_rights_recv(argc, argv);
	if (!strcmp(argv[1], "rights-self"))
		return na_rights_self(argc, argv);
	if (!strcmp(argv[1], "ifaddrs"))
		return na_ifaddrs();
	if (!strcmp(argv[1], "netlink-peer"))
		return na_netlink_peer();
	if (!strcmp(argv[1], "netlink-addaddr"))
		return na_netlink_addaddr(argc, argv);
	if (!strcmp(argv[1], "rights-serve"))
		return na_rights_serve(argc, argv);
	if (!strcmp(argv[1], "unix-race"))
		return na_unix_race_run(argc, argv);
	na_usage();
	return 2;
}
