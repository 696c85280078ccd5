/* SPDX-License-Identifier: MIT */
/*
 * netbench.c - the network workloads of cordon's benchmarks, run natively
 * and under cordon by bench/net.sh: sequential TCP connects to a loopback
 * listener of its own, UDP datagrams sent with a destination to a socket of
 * its own, and name lookups through the resolver. Prints one figure per
 * line ("WORKLOAD: N ops, X us/op"); decides nothing.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double netbench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int netbench_connect(long n)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	double t0;
	long i;
	int ls;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(ls, 128) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &l) < 0) {
		perror("listener");
		return 1;
	}
	t0 = netbench_now_us();
	for (i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("connect");
			return 1;
		}
		s = accept(ls, NULL, NULL);
		close(s);
		close(c);
	}
	printf("tcp-connect: %ld ops, %.1f us/op\n", n,
	       (netbench_now_us() - t0) / (double)n);
	return 0;
}

static int netbench_udp(long n)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	char buf[64] = "x";
	double t0;
	long i;
	int rs, ss;

	rs = socket(AF_INET, SOCK_DGRAM, 0);
	ss = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rs < 0 || ss < 0 ||
	    bind(rs, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(rs, (struct sockaddr *)&a, &l) < 0) {
		perror("udp");
		return 1;
	}
	t0 = netbench_now_us();
	for (i = 0; i < n; i++) {
		if (sendto(ss, buf, sizeof(buf), 0, (struct sockaddr *)&a,
			   sizeof(a)) < 0) {
			perror("sendto");
			return 1;
		}
		if (recv(rs, buf, sizeof(buf), 0) < 0)
			return 1;
	}
	printf("udp-sendto: %ld ops, %.1f us/op\n", n,
	       (netbench_now_us() - t0) / (double)n);
	return 0;
}

/*
 * recvmsg N [unix]: a UDP datagram sent on a connected socket (send(): no
 * notification) and received with recvmsg() (always notified). With "unix",
 * a unix socketpair is made first: the job then holds unix sockets and
 * cordon performs its receives (sentry/sys_rights.c).
 */
static int netbench_recvmsg(long n, bool with_unix)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	char buf[64] = "x", cbuf[64];
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	int rs, ss, pair[2];
	double t0;
	long i;

	if (with_unix && socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0) {
		perror("socketpair");
		return 1;
	}
	rs = socket(AF_INET, SOCK_DGRAM, 0);
	ss = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rs < 0 || ss < 0 ||
	    bind(rs, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(rs, (struct sockaddr *)&a, &l) < 0 ||
	    connect(ss, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udp");
		return 1;
	}
	t0 = netbench_now_us();
	for (i = 0; i < n; i++) {
		if (send(ss, buf, sizeof(buf), 0) < 0) {
			perror("send");
			return 1;
		}
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if (recvmsg(rs, &m, 0) < 0) {
			perror("recvmsg");
			return 1;
		}
	}
	printf("udp-recvmsg%s: %ld ops, %.1f us/op\n", with_unix ? "-unix" : "",
	       n, (netbench_now_us() - t0) / (double)n);
	return 0;
}

static int netbench_dns(long n, const char *name)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_family = AF_INET};
	double t0 = netbench_now_us();
	long i;

	for (i = 0; i < n; i++) {
		struct addrinfo *res;
		int rc = getaddrinfo(name, "80", &hints, &res);

		if (rc) {
			fprintf(stderr, "getaddrinfo %s: %s\n", name,
				gai_strerror(rc));
			return 1;
		}
		freeaddrinfo(res);
	}
	printf("dns-lookup: %ld ops, %.1f us/op\n", n,
	       (netbench_now_us() - t0) / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;

	if (argc > 1 && !strcmp(argv[1], "connect"))
		return netbench_connect(n);
	if (argc > 1 && !strcmp(argv[1], "udp"))
		return netbench_udp(n);
	if (argc > 1 && !strcmp(argv[1], "recvmsg"))
		return netbench_recvmsg(n,
					argc > 3 && !strcmp(argv[3], "unix"));
	if (argc > 3 && !strcmp(argv[1], "dns"))
		return netbench_dns(n, argv[3]);
	fprintf(stderr, "usage: netbench connect|udp N | recvmsg N [unix] | "
			"dns N NAME\n");
	return 2;
}
