/* SPDX-License-Identifier: MIT */
/*
 * test_unix_rights.c - the control-data rewrite of the receive guard
 * (netstack/unix_rights.c): what is found in a received control buffer,
 * and what the job gets in its place, table-driven and at the edges of
 * the job's buffer.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/common.h"
#include "common/kcompat.h"
#include "netstack/netstack.h"
#include "tests/harness/harness.h"

/* Append one cmsg to @buf at *@len (CMSG_SPACE steps, as the kernel). */
static void put(uint8_t *buf, size_t *len, int type, const void *d, size_t dlen)
{
	struct cmsghdr h = {.cmsg_len = CMSG_LEN(dlen),
			    .cmsg_level = SOL_SOCKET,
			    .cmsg_type = type};

	memset(buf + *len, 0, CMSG_SPACE(dlen));
	memcpy(buf + *len, &h, sizeof(h));
	memcpy(buf + *len + CMSG_LEN(0), d, dlen);
	*len += CMSG_SPACE(dlen);
}

/* A received buffer: our creds first (as scm_recv()), then 3 fds. */
static size_t received(uint8_t *buf)
{
	struct ucred u = {.pid = 4242, .uid = 1, .gid = 2};
	int fds[3] = {10, 11, 12};
	size_t len = 0;

	put(buf, &len, SCM_CREDENTIALS, &u, sizeof(u));
	put(buf, &len, SCM_RIGHTS, fds, sizeof(fds));
	return len;
}

static void test_parse(void)
{
	uint8_t buf[256];
	size_t len = received(buf);
	struct unix_rights_rx rx;

	CHECK_EQ(unix_rights_parse(buf, len, &rx), 0);
	CHECK(rx.has_cred);
	CHECK_EQ(rx.pid, 4242);
	CHECK_EQ(rx.n_fds, 3u);
	CHECK_EQ(rx.fds[2], 12);
	CHECK(!rx.has_pidfd);
	/* Cut anywhere: never reads past the end, finds at most what fits. */
	for (size_t cut = 0; cut < len; cut++) {
		CHECK_EQ(unix_rights_parse(buf, cut, &rx), 0);
		CHECK(rx.n_fds == 0 ||
		      cut >= CMSG_SPACE(sizeof(struct ucred)) +
				      CMSG_LEN(3 * sizeof(int)));
	}
}

static void test_parse_too_many(void)
{
	static uint8_t buf[CMSG_SPACE(sizeof(int) * (UNIX_RIGHTS_FDS_MAX + 1))];
	int fds[UNIX_RIGHTS_FDS_MAX + 1] = {0};
	struct unix_rights_rx rx;
	size_t len = 0;

	put(buf, &len, SCM_RIGHTS, fds, sizeof(fds));
	CHECK_EQ(unix_rights_parse(buf, len, &rx), -E2BIG);
}

/* One row: the job's buffer size and what it must get. */
struct build_case {
	size_t cap;
	bool member, keep_cred;
	size_t want_fit;
	bool want_ctrunc, want_cred;
};

static void test_build_table(void)
{
	static const struct build_case cases[] = {
		/* The job's own fds, room for all: rights only, no creds. */
		{64, true, false, 3, false, false},
		/* The job asked for creds itself: they stay, first. */
		{128, true, true, 3, false, true},
		/* Room for one fd only: one installed, MSG_CTRUNC. */
		{CMSG_LEN(sizeof(int)), true, false, 1, true, false},
		/* No control buffer: nothing, MSG_CTRUNC (fds dropped). */
		{0, true, false, 0, true, false},
		/* From outside: no rights at all, MSG_CTRUNC. */
		{128, false, false, 0, true, false},
		{128, false, true, 0, true, true},
	};
	uint8_t buf[256], out[256];
	size_t len = received(buf), i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct build_case *k = &cases[i];
		int job_fds[3] = {5, 6, 7}, flags = 0;
		struct unix_rights_out o = {.fds = job_fds,
					    .n_fds = k->member ? 3 : 0,
					    .refused = !k->member,
					    .keep_cred = k->keep_cred,
					    .pidfd = UNIX_RIGHTS_DROP};
		struct unix_rights_rx got;
		size_t fit = 99, used;

		used = unix_rights_build(buf, len, &o, out, k->cap, &fit,
					 &flags);
		CHECK_MSG(used <= k->cap, "case %zu: used %zu > cap", i, used);
		CHECK_MSG(fit == k->want_fit, "case %zu: fit %zu", i, fit);
		CHECK_MSG(!!(flags & MSG_CTRUNC) == k->want_ctrunc,
			  "case %zu: flags %#x", i, flags);
		CHECK_EQ(unix_rights_parse(out, used, &got), 0);
		CHECK_MSG(got.n_fds == k->want_fit, "case %zu: %zu fds", i,
			  got.n_fds);
		CHECK_MSG(got.has_cred == k->want_cred, "case %zu: cred", i);
		if (got.n_fds)
			CHECK_EQ(got.fds[0], 5);
	}
}

static void test_pidfd_dropped(void)
{
	uint8_t buf[256], out[256];
	int pidfd = 9, flags = 0;
	size_t len = 0, fit, used;
	struct unix_rights_out o = {.pidfd = UNIX_RIGHTS_DROP};
	struct unix_rights_rx got;

	put(buf, &len, KCOMPAT_SCM_PIDFD, &pidfd, sizeof(pidfd));
	CHECK_EQ(unix_rights_parse(buf, len, &got), 0);
	CHECK(got.has_pidfd);
	CHECK_EQ(got.pidfd, 9);
	used = unix_rights_build(buf, len, &o, out, sizeof(out), &fit, &flags);
	CHECK_EQ(used, 0u);
}

static const struct harness_test tests[] = {
	HARNESS_TEST(test_parse),
	HARNESS_TEST(test_parse_too_many),
	HARNESS_TEST(test_build_table),
	HARNESS_TEST(test_pidfd_dropped),
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, ARRAY_SIZE(tests));
}
