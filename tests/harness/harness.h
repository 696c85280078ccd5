/* SPDX-License-Identifier: MIT */
/*
 * harness.h - cordon's own test harness: every test runs in a forked child
 * (tests install seccomp filters, expect death by signal, or leave threads
 * behind), with a time limit, and the runner prints one line per test and a
 * closing "N passed, M failed" line.
 *
 * Use:
 *	static void test_something(void) { CHECK(1 + 1 == 2); }
 *	static const struct harness_test tests[] = {
 *		HARNESS_TEST(test_something),
 *		HARNESS_TEST_SIGNAL(test_dies, SIGSYS),
 *	};
 *	int main(int argc, char **argv)
 *	{ return harness_main(argc, argv, tests, ARRAY_SIZE(tests)); }
 *
 * `prog NAME...` runs only the named tests; `prog -l` lists them.
 */
#ifndef CORDON_HARNESS_H
#define CORDON_HARNESS_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness_test {
	const char *name;
	void (*fn)(void);
	int expect_signal;  /* 0: must exit 0; else must die of this signal */
	unsigned timeout_s; /* 0: the default (30 s) */
};

#define HARNESS_TEST(fn_)                                                      \
	{                                                                      \
#fn_, fn_, 0, 0                                                \
	}
#define HARNESS_TEST_SIGNAL(fn_, sig_)                                         \
	{                                                                      \
#fn_, fn_, sig_, 0                                             \
	}
#define HARNESS_TEST_TIMEOUT(fn_, secs_)                                       \
	{                                                                      \
#fn_, fn_, 0, secs_                                            \
	}

/**
 * harness_main() - run @tests (or those named in argv), each in a child.
 * Return: 0 when all passed, 1 otherwise (use as main's return value).
 */
int harness_main(int argc, char **argv, const struct harness_test *tests,
		 size_t n);

/**
 * harness_drop_root() - when running as root, become the unprivileged test
 * user (CORDON_TEST_USER, default "cordontest", else nobody) for the rest of
 * the test: no test may pass only because it ran as root. No-op otherwise.
 */
void harness_drop_root(void);

/**
 * harness_skip() - end the test's child as skipped: what it would prove
 * cannot be tried on this host (@why says why). Counted apart, never as a
 * pass.
 */
void harness_skip(const char *why) __attribute__((noreturn));

/* The exit status of a skipped test's child. */
#define HARNESS_SKIP_STATUS 77

/** harness_fail() - report a failed check and end the test's child. */
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			harness_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);  \
	} while (0)

#define CHECK_MSG(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			harness_fail(__FILE__, __LINE__, __VA_ARGS__);         \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long check_a_ = (long long)(a);                           \
		long long check_b_ = (long long)(b);                           \
		if (check_a_ != check_b_)                                      \
			harness_fail(__FILE__, __LINE__,                       \
				     "%s == %s: %lld != %lld", #a, #b,         \
				     check_a_, check_b_);                      \
	} while (0)

#define CHECK_STREQ(a, b)                                                      \
	do {                                                                   \
		const char *check_a_ = (a);                                    \
		const char *check_b_ = (b);                                    \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_))      \
			harness_fail(__FILE__, __LINE__,                       \
				     "%s == %s: \"%s\" != \"%s\"", #a, #b,     \
				     check_a_ ? check_a_ : "(null)",           \
				     check_b_ ? check_b_ : "(null)");          \
	} while (0)

#endif /* CORDON_HARNESS_H */
