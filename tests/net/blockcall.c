/* SPDX-License-Identifier: MIT */
/*
 * blockcall.c - blocking calls that the supervisor performs for the job, as
 * a program would make them: one mode per run, printing one line
 *   result=<ERRNO name or a value> ms=<elapsed> handled=<signal handlers run>
 * so that tests/net/blocking.sh can compare a run under cordon with a native
 * one in the same namespace. Modes:
 *   recv-timeout ADDR MS         UDP connected to ADDR:53, SO_RCVTIMEO MS,
 *                                recvfrom (nothing was sent: EAGAIN)
 *   recv-alarm ADDR MS restart|norestart
 *                                the same, SIGALRM after 1 s; MS 0: no
 *                                timeout (then SA_RESTART restarts the
 *                                receive and a second alarm without it ends)
 *   sendmmsg-dns ADDR MS NAME    two queries (A, AAAA) for NAME by sendmmsg
 *                                to ADDR:53, unconnected, then receives with
 *                                SO_RCVTIMEO MS until one times out; result
 *                                "answers-N/errno"
 *   connect-timeout ADDR PORT MS SO_SNDTIMEO MS, blocking connect
 *   connect-alarm ADDR PORT restart|norestart
 *                                blocking connect, SIGALRM after 1 s; with
 *                                restart: SA_RESTART twice, then a handler
 *                                without it (EINTR after ~3 s natively)
 *   connect-again ADDR PORT      SIGALRM after 1 s ends a blocking connect
 *                                (EINTR), then a second blocking connect on
 *                                the same connecting socket with SO_SNDTIMEO
 *                                1 s (EALREADY natively)
 *   connect-kill N ADDR PORT     N children block in connect; all SIGKILLed
 *                                after 300 ms; then one connect-alarm
 *   fifo-alarm PATH              blocking open of a FIFO nobody opens,
 *                                SIGALRM after 1 s, no SA_RESTART
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t blockcall_handled;
static int blockcall_restarts; /* SA_RESTART handlers before a plain one */

static long blockcall_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static const char *blockcall_errno(int e)
{
	switch (e) {
	case EAGAIN:
		return "EAGAIN";
	case EINTR:
		return "EINTR";
	case EINPROGRESS:
		return "EINPROGRESS";
	case EALREADY:
		return "EALREADY";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case EACCES:
		return "EACCES";
	default:
		return strerror(e);
	}
}

static void blockcall_print(long rc, int e, const struct timespec *t0)
{
	if (rc < 0)
		printf("result=%s", blockcall_errno(e));
	else
		printf("result=%ld", rc);
	printf(" ms=%ld handled=%d\n", blockcall_ms(t0),
	       (int)blockcall_handled);
}

static void blockcall_on_alarm(int sig);

static void blockcall_sigaction(bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = blockcall_on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
}

static void blockcall_on_alarm(int sig)
{
	(void)sig;
	blockcall_handled++;
	if (blockcall_handled < blockcall_restarts + 1) {
		if (blockcall_handled == blockcall_restarts)
			blockcall_sigaction(false);
		alarm(1);
	}
}

static void blockcall_alarm(bool restart)
{
	blockcall_restarts = restart ? 2 : 0;
	blockcall_sigaction(restart);
	alarm(1);
}

static struct sockaddr_in blockcall_addr(const char *a, int port)
{
	struct sockaddr_in in = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};

	if (inet_pton(AF_INET, a, &in.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", a);
		exit(2);
	}
	return in;
}

static void blockcall_timeo(int fd, int opt, long ms)
{
	struct timeval tv = {.tv_sec = ms / 1000,
			     .tv_usec = (ms % 1000) * 1000};

	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)) < 0) {
		perror("setsockopt");
		exit(2);
	}
}

static int blockcall_udp_dns(const char *addr)
{
	struct sockaddr_in in = blockcall_addr(addr, 53);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&in, sizeof(in)) < 0) {
		perror("udp connect");
		exit(2);
	}
	return fd;
}

/*
 * With a source address, as glibc's resolver asks: the filter notifies
 * recvfrom only then (SYSCALL_RULE_ADDR_ARG4), so this is the receive the
 * supervisor performs on a DNS-redirected socket.
 */
static ssize_t blockcall_recvfrom(int fd, void *buf, size_t len)
{
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);

	return recvfrom(fd, buf, len, 0, (struct sockaddr *)&from, &fl);
}

static int blockcall_recv(int argc, char **argv, bool with_alarm)
{
	struct timespec t0;
	char buf[512];
	long ms;
	int fd;
	ssize_t n;

	if (argc < 4 || (with_alarm && argc < 5))
		return 2;
	ms = atol(argv[3]);
	fd = blockcall_udp_dns(argv[2]);
	if (ms)
		blockcall_timeo(fd, SO_RCVTIMEO, ms);
	if (with_alarm)
		blockcall_alarm(!strcmp(argv[4], "restart"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = blockcall_recvfrom(fd, buf, sizeof(buf));
	blockcall_print((long)n, errno, &t0);
	return 0;
}

/* A DNS query for @name of @qtype into @out; Return: its length. */
static size_t blockcall_query(const char *name, uint16_t id, uint16_t qtype,
			      uint8_t *out)
{
	size_t n = 12;
	const char *p = name;

	memset(out, 0, 12);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] = 0x01; /* RD */
	out[5] = 1;    /* QDCOUNT */
	while (*p) {
		size_t l = strcspn(p, ".");

		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = (uint8_t)qtype;
	out[n++] = 0;
	out[n++] = 1; /* IN */
	return n;
}

static int blockcall_sendmmsg(int argc, char **argv)
{
	struct sockaddr_in in;
	uint8_t q[2][300], buf[1500];
	struct iovec iov[2];
	struct mmsghdr mm[2];
	struct timespec t0;
	int fd, i, answers = 0, sent;
	ssize_t n;

	if (argc < 5)
		return 2;
	in = blockcall_addr(argv[2], 53);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	blockcall_timeo(fd, SO_RCVTIMEO, atol(argv[3]));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 2; i++) {
		iov[i].iov_base = q[i];
		iov[i].iov_len = blockcall_query(
			argv[4], (uint16_t)(0x4d00 + i), i ? 28 : 1, q[i]);
		mm[i].msg_hdr.msg_name = &in;
		mm[i].msg_hdr.msg_namelen = sizeof(in);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sent = sendmmsg(fd, mm, 2, 0);
	if (sent != 2) {
		printf("result=sendmmsg-%d/%s ms=0 handled=0\n", sent,
		       blockcall_errno(errno));
		return 0;
	}
	for (;;) {
		n = blockcall_recvfrom(fd, buf, sizeof(buf));
		if (n < 0)
			break;
		if (n >= 12 && (buf[0] << 8 | buf[1]) >= 0x4d00 &&
		    (buf[0] << 8 | buf[1]) <= 0x4d01 && (buf[3] & 0xf) == 0)
			answers++;
	}
	printf("result=answers-%d/%s ms=%ld handled=0\n", answers,
	       blockcall_errno(errno), blockcall_ms(&t0));
	return 0;
}

static int blockcall_connect_fd(const char *addr, int port, int fd,
				const struct timespec *t0)
{
	struct sockaddr_in in = blockcall_addr(addr, port);
	int r = connect(fd, (struct sockaddr *)&in, sizeof(in));

	blockcall_print(r, errno, t0);
	return r;
}

static int blockcall_connect(int argc, char **argv, int mode)
{
	struct timespec t0;
	int fd;

	if (argc < 5)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (mode == 0)
		blockcall_timeo(fd, SO_SNDTIMEO, atol(argv[4]));
	else if (mode == 1)
		blockcall_alarm(!strcmp(argv[4], "restart"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	blockcall_connect_fd(argv[2], atoi(argv[3]), fd, &t0);
	return 0;
}

static int blockcall_connect_again(int argc, char **argv)
{
	struct timespec t0;
	int fd;

	if (argc < 4)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	blockcall_alarm(false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	blockcall_connect_fd(argv[2], atoi(argv[3]), fd, &t0);
	blockcall_timeo(fd, SO_SNDTIMEO, 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	blockcall_connect_fd(argv[2], atoi(argv[3]), fd, &t0);
	return 0;
}

static int blockcall_kill(int argc, char **argv)
{
	int n, i;
	pid_t pids[256];

	if (argc < 5)
		return 2;
	n = atoi(argv[2]);
	if (n < 1 || n > 256)
		return 2;
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct sockaddr_in in =
				blockcall_addr(argv[3], atoi(argv[4]));
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			connect(fd, (struct sockaddr *)&in, sizeof(in));
			_exit(0);
		}
	}
	usleep(300 * 1000);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	/* Give the supervisor a few polls to notice. */
	usleep(100 * 1000);
	{
		char *av[] = {argv[0], "connect-alarm", argv[3],
			      argv[4], "norestart",	NULL};

		return blockcall_connect(5, av, 1);
	}
}

static int blockcall_fifo(int argc, char **argv)
{
	struct timespec t0;
	int fd;

	if (argc < 3)
		return 2;
	blockcall_alarm(false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = open(argv[2], O_RDONLY);
	blockcall_print(fd, errno, &t0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "recv-timeout"))
		return blockcall_recv(argc, argv, false);
	if (!strcmp(argv[1], "recv-alarm"))
		return blockcall_recv(argc, argv, true);
	if (!strcmp(argv[1], "sendmmsg-dns"))
		return blockcall_sendmmsg(argc, argv);
	if (!strcmp(argv[1], "connect-timeout"))
		return blockcall_connect(argc, argv, 0);
	if (!strcmp(argv[1], "connect-alarm"))
		return blockcall_connect(argc, argv, 1);
	if (!strcmp(argv[1], "connect-again"))
		return blockcall_connect_again(argc, argv);
	if (!strcmp(argv[1], "connect-kill"))
		return blockcall_kill(argc, argv);
	if (!strcmp(argv[1], "fifo-alarm"))
		return blockcall_fifo(argc, argv);
	return 2;
}
