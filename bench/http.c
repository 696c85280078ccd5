/* SPDX-License-Identifier: MIT */
/*
 * http.c - the HTTP workloads of bench/run: a minimal HTTP/1.0 server and
 * client. Each request is a new TCP connection (connect, GET, read to EOF,
 * close), as a test suite hitting a local service or a download does; the
 * response body is SIZE bytes from a buffer in memory, so no disk is
 * involved.
 *
 *   cordon-bench-http local N SIZE           server and client in one job:
 *                                            the server is a forked child
 *                                            on the job's own loopback port
 *   cordon-bench-http serve ADDR PORT        server only, until killed
 *   cordon-bench-http get ADDR PORT N SIZE   client only
 *
 * The client prints "http: N req x SIZE B, X us/req, Y MiB/s, T s" and
 * decides nothing. IPv4 only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Write and read sizes of common tools: a server writing 64 KiB at a time,
 * a client reading 16 KiB at a time (curl's CURL_MAX_WRITE_SIZE). */
#define HTTP_CHUNK (64 << 10)
#define HTTP_RBUF (16 << 10)

static char http_body[HTTP_CHUNK];

static double http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int http_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Answer one connection: read the request head, send SIZE bytes. */
static void http_serve_one(int c)
{
	char req[2048], head[256];
	size_t got = 0;
	long long size, left;
	int hl;

	while (got < sizeof(req) - 1) {
		ssize_t r = read(c, req + got, sizeof(req) - 1 - got);

		if (r <= 0)
			return;
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (strncmp(req, "GET /", 5))
		return;
	size = strtoll(req + 5, NULL, 10);
	hl = snprintf(
		head, sizeof(head),
		"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream"
		"\r\nContent-Length: %lld\r\n\r\n",
		size);
	if (http_write_all(c, head, (size_t)hl) < 0)
		return;
	for (left = size; left > 0;) {
		size_t n = left > HTTP_CHUNK ? HTTP_CHUNK : (size_t)left;

		if (http_write_all(c, http_body, n) < 0)
			return;
		left -= (long long)n;
	}
}

static void http_serve(int ls)
{
	for (;;) {
		int c = accept(ls, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("accept");
			exit(1);
		}
		http_serve_one(c);
		close(c);
	}
}

static int http_listen(struct sockaddr_in *a)
{
	socklen_t l = sizeof(*a);
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);

	if (ls < 0)
		return -1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)a, sizeof(*a)) < 0 ||
	    listen(ls, 512) < 0 ||
	    getsockname(ls, (struct sockaddr *)a, &l) < 0) {
		perror("listen");
		close(ls);
		return -1;
	}
	return ls;
}

static int http_get(const struct sockaddr_in *a, long n, long long size)
{
	static char buf[HTTP_RBUF];
	char req[128];
	double t0 = http_now(), t;
	long i;
	int rl;

	rl = snprintf(req, sizeof(req),
		      "GET /%lld HTTP/1.0\r\nHost: bench\r\n\r\n", size);
	for (i = 0; i < n; i++) {
		long long total = 0;
		int c = socket(AF_INET, SOCK_STREAM, 0);
		ssize_t r;

		if (c < 0 ||
		    connect(c, (const struct sockaddr *)a, sizeof(*a)) < 0) {
			perror("connect");
			return 1;
		}
		if (http_write_all(c, req, (size_t)rl) < 0) {
			perror("send");
			return 1;
		}
		while ((r = read(c, buf, sizeof(buf))) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				perror("read");
				return 1;
			}
			total += r;
		}
		close(c);
		if (total < size) {
			fprintf(stderr, "short response: %lld of %lld bytes\n",
				total, size);
			return 1;
		}
	}
	t = http_now() - t0;
	printf("http: %ld req x %lld B, %.1f us/req, %.1f MiB/s, %.6f s\n", n,
	       size, t * 1e6 / (double)n,
	       (double)size * (double)n / t / (1 << 20), t);
	return 0;
}

static void http_usage(void)
{
	fprintf(stderr, "usage: cordon-bench-http local N SIZE\n"
			"       cordon-bench-http serve ADDR PORT\n"
			"       cordon-bench-http get ADDR PORT N SIZE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int ls, rc;
	pid_t srv;

	signal(SIGPIPE, SIG_IGN);
	memset(http_body, 'x', sizeof(http_body));
	if (argc == 4 && !strcmp(argv[1], "local")) {
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ls = http_listen(&a);
		if (ls < 0)
			return 1;
		srv = fork();
		if (srv < 0)
			return 1;
		if (srv == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			http_serve(ls);
		}
		close(ls);
		rc = http_get(&a, strtol(argv[2], NULL, 10),
			      strtoll(argv[3], NULL, 10));
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);
		return rc;
	}
	if (argc < 4 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1)
		http_usage();
	a.sin_port = htons((unsigned short)atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "serve")) {
		ls = http_listen(&a);
		if (ls < 0)
			return 1;
		http_serve(ls);
	}
	if (argc == 6 && !strcmp(argv[1], "get"))
		return http_get(&a, strtol(argv[4], NULL, 10),
				strtoll(argv[5], NULL, 10));
	http_usage();
	return 2;
}
