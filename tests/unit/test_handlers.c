/* SPDX-License-Identifier: MIT */
/*
 * test_handlers.c - the sentry's handlers on the fake platform
 * (platform/fake.h), without a kernel filter: each call is a plain value,
 * job memory a buffer the test fills (and changes between reads, as a
 * racing thread of the job would), the job's fds a table of real sockets,
 * every answer recorded. Checks the verdict and the answer, and what was
 * really done on the socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/common.h"
#include "platform/fake.h"
#include "policy/policy.h"
#include "sentry/sentry_priv.h"
#include "tests/harness/harness.h"

#define TEST_ADDR 0x10100 /* a sockaddr in the fake's job memory */

struct test_env {
	struct sentry *s;
	struct sentry_opts o;
	struct platform_fake *f;
	struct policy *pol;
	struct zone_tables *tables;
};

static void test_env_init(struct test_env *t, const char *zone_text,
			  const char *zone)
{
	const struct zone *z;
	char *envp[] = {NULL};

	memset(t, 0, sizeof(*t));
	t->pol = policy_new(0);
	CHECK(t->pol != NULL);
	if (zone_text)
		CHECK_EQ(policy_parse(t->pol, "test.cordon",
				      (const uint8_t *)zone_text,
				      strlen(zone_text)),
			 0);
	CHECK_EQ(policy_finish(t->pol), 0);
	z = policy_zone_find(t->pol, zone);
	CHECK(z != NULL);
	CHECK_EQ(zone_tables_new(z, &t->tables), 0);
	t->o.zone_name = zone;
	t->o.tables = t->tables;
	t->s = calloc(1, sizeof(*t->s));
	CHECK(t->s != NULL);
	t->s->o = &t->o;
	t->s->epfd = epoll_create1(EPOLL_CLOEXEC);
	pthread_mutex_init(&t->s->lock, NULL);
	CHECK_EQ(netstack_init(&t->s->net, t->tables, envp, "/"), 0);
	t->s->plat = platform_fake_new(&t->f);
	CHECK(t->s->plat != NULL);
}

/* A call of @nr by this process (the "job") with @args. */
static void test_dispatch(struct test_env *t, int nr, const uint64_t *args,
			  struct sentry_call *c)
{
	memset(c, 0, sizeof(*c));
	c->exe_fd = -1;
	c->pc.id = 1;
	c->pc.tid = getpid();
	c->pc.nr = nr;
	memcpy(c->pc.args, args, sizeof(c->pc.args));
	sentry_dispatch(t->s, c);
}

static struct sockaddr_in test_in(const char *host, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};

	inet_pton(AF_INET, host, &a.sin_addr);
	return a;
}

/* A TCP listener on 127.0.0.1; its port in *@port. */
static int test_listener(int *port)
{
	struct sockaddr_in a = test_in("127.0.0.1", 0);
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	CHECK(fd >= 0);
	CHECK_EQ(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(listen(fd, 4), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Whether @listener has a connection waiting (accepts and closes it). */
static bool test_accepted(int listener)
{
	struct pollfd p = {.fd = listener, .events = POLLIN};
	int c;

	if (poll(&p, 1, 200) != 1)
		return false;
	c = accept(listener, NULL, NULL);
	if (c < 0)
		return false;
	close(c);
	return true;
}

static const char test_zone[] = "zone t extends fork-pr {\n"
				"\tlift loopback host\n"
				"\tallow tcp 127.0.0.1:%d\n"
				"\tallow udp 127.0.0.1:%d\n"
				"}\n";

/* connect to a denied address: EACCES, a counted denial, no connect. */
static void test_connect_denied(void)
{
	struct test_env t;
	struct sentry_call c;
	struct sockaddr_in a = test_in("192.0.2.1", 443), peer;
	socklen_t l = sizeof(peer);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t args[6] = {3, TEST_ADDR, sizeof(a)};

	test_env_init(&t, NULL, "fork-pr");
	t.f->fds[3] = fd;
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a, sizeof(a)), 0);
	test_dispatch(&t, SYS_connect, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_DENY);
	CHECK_EQ(c.v.cat, VERDICT_CAT_POLICY);
	CHECK_EQ(t.f->n_answers, 1);
	CHECK_EQ(t.f->answers[0].kind, PLATFORM_ANSWER_ERRNO);
	CHECK_EQ(t.f->answers[0].err, EACCES);
	CHECK_EQ(t.s->n_denied, 1);
	CHECK(getpeername(fd, (struct sockaddr *)&peer, &l) < 0);
	CHECK_EQ(errno, ENOTCONN);
}

/*
 * The job rewrites its sockaddr right after the supervisor read it: the
 * connect goes where the copy said (the allowed listener), never where the
 * job's memory says by then.
 */
static void test_connect_copy_once(void)
{
	char zone[256];
	struct test_env t;
	struct sentry_call c;
	int p1, p2, l1 = test_listener(&p1), l2 = test_listener(&p2);
	struct sockaddr_in a1 = test_in("127.0.0.1", p1);
	struct sockaddr_in a2 = test_in("127.0.0.1", p2);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t args[6] = {3, TEST_ADDR, sizeof(a1)};
	struct platform_fake_patch *pt;

	snprintf(zone, sizeof(zone), test_zone, p1, p1);
	test_env_init(&t, zone, "t");
	t.f->fds[3] = fd;
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a1, sizeof(a1)), 0);
	pt = &t.f->patches[t.f->n_patches++];
	pt->after_reads = 1;
	pt->addr = TEST_ADDR;
	memcpy(pt->bytes, &a2, sizeof(a2));
	pt->len = sizeof(a2);
	test_dispatch(&t, SYS_connect, args, &c);
	CHECK(pt->applied);
	CHECK_EQ(c.v.kind, VERDICT_ALLOW);
	CHECK(test_accepted(l1));
	CHECK(!test_accepted(l2));
	close(l1);
	close(l2);
}

/* An address the supervisor cannot read: a counted denial, no connect. */
static void test_connect_unreadable(void)
{
	char zone[256];
	struct test_env t;
	struct sentry_call c;
	int p1, l1 = test_listener(&p1);
	struct sockaddr_in a1 = test_in("127.0.0.1", p1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t args[6] = {3, TEST_ADDR, sizeof(a1)};

	snprintf(zone, sizeof(zone), test_zone, p1, p1);
	test_env_init(&t, zone, "t");
	t.f->fds[3] = fd;
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a1, sizeof(a1)), 0);
	t.f->unreadable = true;
	test_dispatch(&t, SYS_connect, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_DENY);
	CHECK_EQ(c.v.cat, VERDICT_CAT_UNREADABLE);
	CHECK_EQ(t.f->answers[0].kind, PLATFORM_ANSWER_ERRNO);
	CHECK_EQ(t.f->answers[0].err, EFAULT);
	CHECK_EQ(t.s->n_denied, 1);
	CHECK(!test_accepted(l1));
	close(l1);
}

/* sendto: the allowed datagram arrives with the job's bytes; denied: not. */
static void test_sendto(void)
{
	char zone[256], buf[16];
	struct test_env t;
	struct sentry_call c;
	struct sockaddr_in r = test_in("127.0.0.1", 0), a;
	socklen_t l = sizeof(r);
	int rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t args[6] = {3, TEST_ADDR + 256, 5, 0, TEST_ADDR, sizeof(a)};

	CHECK_EQ(bind(rx, (struct sockaddr *)&r, sizeof(r)), 0);
	CHECK_EQ(getsockname(rx, (struct sockaddr *)&r, &l), 0);
	snprintf(zone, sizeof(zone), test_zone, 1, ntohs(r.sin_port));
	test_env_init(&t, zone, "t");
	t.f->fds[3] = fd;
	a = r;
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a, sizeof(a)), 0);
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR + 256, "hello", 5), 0);
	test_dispatch(&t, SYS_sendto, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_ALLOW);
	CHECK_EQ(t.f->answers[0].kind, PLATFORM_ANSWER_VALUE);
	CHECK_EQ(t.f->answers[0].value, 5);
	usleep(20000);
	CHECK_EQ(recv(rx, buf, sizeof(buf), 0), 5);
	CHECK(!memcmp(buf, "hello", 5));
	/* The same to a port the zone does not allow. */
	a.sin_port = htons((uint16_t)(ntohs(r.sin_port) ^ 1));
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a, sizeof(a)), 0);
	test_dispatch(&t, SYS_sendto, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_DENY);
	CHECK_EQ(t.f->answers[1].err, EACCES);
	close(rx);
}

/* bind: an ephemeral loopback port is allowed; a wildcard listen port in
 * fork-pr (listen deny) is refused and leaves the socket unbound. */
static void test_bind(void)
{
	struct test_env t;
	struct sentry_call c;
	struct sockaddr_in a = test_in("127.0.0.1", 0), got;
	socklen_t l = sizeof(got);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int fd2 = socket(AF_INET, SOCK_STREAM, 0);
	uint64_t args[6] = {3, TEST_ADDR, sizeof(a)};

	test_env_init(&t, NULL, "fork-pr");
	t.f->fds[3] = fd;
	t.f->fds[4] = fd2;
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a, sizeof(a)), 0);
	test_dispatch(&t, SYS_bind, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_ALLOW);
	CHECK_EQ(t.f->answers[0].kind, PLATFORM_ANSWER_VALUE);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)&got, &l), 0);
	CHECK(got.sin_port != 0);
	/* A host address (not the wildcard, which is narrowed to this host
	 * and allowed): fork-pr's listen deny refuses it before any bind. */
	a = test_in("192.0.2.1", ntohs(got.sin_port) + 1);
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, &a, sizeof(a)), 0);
	args[0] = 4;
	test_dispatch(&t, SYS_bind, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_DENY);
	CHECK_EQ(t.f->answers[1].err, EACCES);
	l = sizeof(got);
	CHECK_EQ(getsockname(fd2, (struct sockaddr *)&got, &l), 0);
	CHECK_EQ(got.sin_port, 0);
}

/*
 * openat: a file is opened by the supervisor and installed (ADDFD); a
 * directory fd the job does not hold is refused as the kernel would; a path
 * the supervisor cannot read is a denial; neither installs anything.
 */
static void test_open(void)
{
	static const char path[] = "/etc/hostname";
	static const char rel[] = "hostname";
	struct test_env t;
	struct sentry_call c;
	uint64_t args[6] = {(uint64_t)AT_FDCWD, TEST_ADDR, O_RDONLY};

	test_env_init(&t, NULL, "fork-pr");
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, path, sizeof(path)), 0);
	test_dispatch(&t, SYS_openat, args, &c);
	CHECK_EQ(c.v.kind, VERDICT_ALLOW);
	CHECK_EQ(t.f->n_put, 1);
	CHECK_EQ(t.f->answers[0].kind, PLATFORM_ANSWER_VALUE);
	CHECK_EQ(t.f->answers[0].value, 101);
	/* Relative to fd 7, which the job does not have. */
	CHECK_EQ(platform_fake_poke(t.f, TEST_ADDR, rel, sizeof(rel)), 0);
	args[0] = 7;
	test_dispatch(&t, SYS_openat, args, &c);
	CHECK_EQ(t.f->n_put, 1);
	CHECK_EQ(t.f->answers[1].kind, PLATFORM_ANSWER_ERRNO);
	CHECK_EQ(t.f->answers[1].err, EBADF);
	/* Unreadable path: a denial, nothing opened. */
	args[0] = (uint64_t)AT_FDCWD;
	t.f->unreadable = true;
	test_dispatch(&t, SYS_openat, args, &c);
	CHECK(verdict_is_denial(&c.v));
	CHECK_EQ(c.v.cat, VERDICT_CAT_UNREADABLE);
	CHECK_EQ(t.f->n_put, 1);
	CHECK_EQ(t.f->answers[2].kind, PLATFORM_ANSWER_ERRNO);
}

/* kill: a process outside the job (init) is refused, the caller's own
 * group member (itself, signal 0) is allowed. */
static void test_kill(void)
{
	struct test_env t;
	struct sentry_call c;
	uint64_t outside[6] = {1, 0};
	uint64_t self[6] = {0, 0};

	test_env_init(&t, NULL, "fork-pr");
	test_dispatch(&t, SYS_kill, outside, &c);
	CHECK(verdict_is_denial(&c.v));
	CHECK_EQ(t.f->answers[0].kind, PLATFORM_ANSWER_ERRNO);
	CHECK_EQ(t.f->answers[0].err, EPERM);
	self[0] = (uint64_t)getpid();
	test_dispatch(&t, SYS_kill, self, &c);
	CHECK(!verdict_is_denial(&c.v));
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_connect_denied),
	HARNESS_TEST(test_connect_copy_once),
	HARNESS_TEST(test_connect_unreadable),
	HARNESS_TEST(test_sendto),
	HARNESS_TEST(test_bind),
	HARNESS_TEST(test_open),
	HARNESS_TEST(test_kill),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
