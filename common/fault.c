/* SPDX-License-Identifier: MIT */
/*
 * fault.c - the fault injection switch (fault.h): parse it once, count the
 * occurrences of the armed step, say when one must fail.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fault.h"

static const struct fault_step_row {
	const char *name;
	int err;
} fault_steps[FAULT_STEP_COUNT] = {
	[FAULT_STEP_NONE] = {"none", 0},
	[FAULT_STEP_MEM] = {"mem", EIO},
	[FAULT_STEP_TAKE_FD] = {"take_fd", EIO},
	[FAULT_STEP_VALID] = {"valid", ENOENT},
	[FAULT_STEP_PUT_FD] = {"put_fd", EIO},
	[FAULT_STEP_ANSWER] = {"answer", EIO},
	[FAULT_STEP_PERFORM] = {"perform", EIO},
	[FAULT_STEP_AUDIT] = {"audit", EIO},
	[FAULT_STEP_RELAY_ACCEPT] = {"relay_accept", EMFILE},
};

/* Written by fault_parse() before threads start; read-only afterwards. */
static enum fault_step fault_armed_step = FAULT_STEP_NONE;
static uint64_t fault_nth; /* 0: every occurrence */
static uint64_t fault_seen;
static uint64_t fault_failed;

const char *fault_step_name(enum fault_step st)
{
	if ((unsigned)st >= FAULT_STEP_COUNT)
		return "?";
	return fault_steps[st].name;
}

int fault_parse(const char *spec, const char *iknow, char *why, size_t why_len)
{
	const char *colon;
	size_t len, i;
	char *end;

	fault_armed_step = FAULT_STEP_NONE;
	fault_nth = 0;
	__atomic_store_n(&fault_seen, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_failed, 0, __ATOMIC_RELAXED);
	if (!spec || !*spec)
		return 0;
	if (!iknow || strcmp(iknow, "1") != 0) {
		snprintf(why, why_len,
			 "CORDON_FAULT is set but CORDON_FAULT_I_KNOW=1 is "
			 "not: fault injection weakens the supervisor, for "
			 "tests only");
		return -EPERM;
	}
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	for (i = FAULT_STEP_NONE + 1; i < FAULT_STEP_COUNT; i++)
		if (strlen(fault_steps[i].name) == len &&
		    !strncmp(spec, fault_steps[i].name, len))
			break;
	if (i == FAULT_STEP_COUNT) {
		snprintf(why, why_len, "CORDON_FAULT=%s: unknown step", spec);
		return -EINVAL;
	}
	if (colon) {
		errno = 0;
		fault_nth = strtoull(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || fault_nth == 0) {
			snprintf(why, why_len,
				 "CORDON_FAULT=%s: N must be a number >= 1",
				 spec);
			fault_nth = 0;
			return -EINVAL;
		}
	}
	fault_armed_step = (enum fault_step)i;
	return 0;
}

int fault_init(char *why, size_t why_len)
{
	static int done, result;

	if (!done) {
		result = fault_parse(getenv("CORDON_FAULT"),
				     getenv("CORDON_FAULT_I_KNOW"), why,
				     why_len);
		done = 1;
	} else if (result < 0) {
		snprintf(why, why_len, "CORDON_FAULT: refused earlier");
	}
	return result;
}

void fault_counts(unsigned long long *seen, unsigned long long *failed)
{
	*seen = __atomic_load_n(&fault_seen, __ATOMIC_RELAXED);
	*failed = __atomic_load_n(&fault_failed, __ATOMIC_RELAXED);
}

bool fault_armed(void)
{
	return fault_armed_step != FAULT_STEP_NONE;
}

int fault_hit(enum fault_step st)
{
	uint64_t n;

	if (st != fault_armed_step || st == FAULT_STEP_NONE)
		return 0;
	n = __atomic_add_fetch(&fault_seen, 1, __ATOMIC_RELAXED);
	if (fault_nth && n != fault_nth)
		return 0;
	__atomic_add_fetch(&fault_failed, 1, __ATOMIC_RELAXED);
	return -fault_steps[st].err;
}

int fault_perform(void)
{
	int rc;

	if (__builtin_expect(fault_armed_step != FAULT_STEP_PERFORM, 1))
		return 0;
	rc = fault_hit(FAULT_STEP_PERFORM);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}
