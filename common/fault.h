/* SPDX-License-Identifier: MIT */
/*
 * fault.h - fault injection, for tests only but compiled into every build,
 * so that the binary CI tests is the binary users run. Makes one supervisor
 * step fail, so a test can check that each failure ends in a denial or a
 * kill of the tree, never in the call going through or a wedged supervisor.
 *
 * Switched on by two environment variables, read once (fault_init(), from
 * `cordon run` before the job starts):
 *
 *   CORDON_FAULT=STEP[:N]   the Nth occurrence of STEP fails (1 is the
 *                           first); without N, every occurrence fails.
 *   CORDON_FAULT_I_KNOW=1   required as well: without it, or with a STEP
 *                           that is not in the table below, cordon refuses
 *                           to run (so nobody runs a weakened supervisor by
 *                           accident, and a typo is not a silent no-op).
 *
 * STEP       where it fails                                  how
 * mem        platform_read_mem(), platform_read_str()        -EIO
 * take_fd    platform_take_fd() (pidfd_getfd)                -EIO
 * valid      platform_call_valid() (ID_VALID)                -ENOENT
 * put_fd     platform_put_fd() (ADDFD), nothing installed    -EIO
 * answer     platform_answer() (SEND), nothing sent          -EIO
 * perform    the supervisor's own call on the job's behalf   -1, errno EIO
 *            (connect, sendmsg, bind, listen, open, kill, prlimit, the
 *            shield of a unix listener after its bind, ...: FAULT_PERFORM()
 *            at each site in sentry/sys_*.c)
 * audit      the audit record's write (sentry/audit.c)       as EIO
 * relay_accept  the relay's accept() of a job's connection    -1, errno EMFILE
 *            (netstack/relay.c: as if out of fds; the relay must
 *            reset that connection, never leave it hanging)
 *
 * The platform steps live in a decorator backend (platform/fault_platform.c)
 * that platform_new() puts around the real one while armed: handlers see
 * the platform's contract, failures included, and nothing else changes.
 * Unarmed, the only cost is one load and branch per FAULT_PERFORM() site.
 */
#ifndef CORDON_FAULT_H
#define CORDON_FAULT_H

#include <stdbool.h>
#include <stddef.h>

/**
 * enum fault_step - the steps that can be made to fail (see the table).
 */
enum fault_step {
	FAULT_STEP_NONE,
	FAULT_STEP_MEM,
	FAULT_STEP_TAKE_FD,
	FAULT_STEP_VALID,
	FAULT_STEP_PUT_FD,
	FAULT_STEP_ANSWER,
	FAULT_STEP_PERFORM,
	FAULT_STEP_AUDIT,
	FAULT_STEP_RELAY_ACCEPT,
	FAULT_STEP_COUNT,
};

/**
 * fault_parse() - arm from @spec ("STEP[:N]") and @iknow (must be "1").
 * @spec:  CORDON_FAULT's value; NULL or "" disarms.
 * @iknow: CORDON_FAULT_I_KNOW's value, may be NULL.
 * @why, @why_len: on failure, a message naming what is wrong.
 * Not thread-safe: call before any thread that may hit a step starts.
 * Return: 0 (armed, or disarmed for an empty @spec), -EPERM without
 * @iknow, -EINVAL for a bad @spec.
 */
int fault_parse(const char *spec, const char *iknow, char *why, size_t why_len);

/**
 * fault_init() - fault_parse() of the environment, once; later calls return
 * the first result. Return: as fault_parse().
 */
int fault_init(char *why, size_t why_len);

/** fault_armed() - whether any step is set to fail. */
bool fault_armed(void);

/** fault_step_name() - "mem", "take_fd", ...; "?" for a bad @st. */
const char *fault_step_name(enum fault_step st);

/**
 * fault_hit() - count one occurrence of @st. Thread-safe.
 * Return: 0 to go on, or the negative errno the step must fail with.
 */
int fault_hit(enum fault_step st);

/**
 * fault_counts() - how often the armed step occurred and how often it was
 * made to fail so far (a test learns whether its call met the step).
 */
void fault_counts(unsigned long long *seen, unsigned long long *failed);

/**
 * fault_perform() - fault_hit(FAULT_STEP_PERFORM) for the supervisor's own
 * calls. Return: 0, or -1 with errno set (what a failed call gives).
 */
int fault_perform(void);

/*
 * FAULT_PERFORM() - @call unless the perform step fails now; then -1 with
 * errno set, as if @call had failed, and @call is not made. One per site.
 */
#define FAULT_PERFORM(call) (fault_perform() < 0 ? -1 : (call))

/*
 * FAULT_PERFORM_RC() - the same for a helper that returns -errno: the
 * negative errno when the step fails now.
 */
#define FAULT_PERFORM_RC(call) (fault_perform() < 0 ? -errno : (call))

#endif /* CORDON_FAULT_H */
