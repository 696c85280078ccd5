/* SPDX-License-Identifier: MIT */
/*
 * fuzz_policy_argv.c - libFuzzer target for policy_argv_redact()
 * (policy/policy_argv.c): an exec record's arguments are the job's bytes.
 * The input is "PREV\0ARG" (no NUL: ARG alone). Every scan is bounded by
 * the lengths (ASan sees a read past them); what it writes must hold
 * together: without a replacement the output is the argument itself, with
 * one it contains the marker, and it is never longer than the argument
 * plus one marker per replacement. Any mismatch aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "policy/policy.h"
#include "tests/fuzz/fuzz.h"

static void fuzz_policy_argv_fail(const char *what)
{
	fprintf(stderr, "policy_argv: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	const uint8_t *prev = NULL, *arg = data;
	size_t prev_len = 0, len = size, mark = strlen(POLICY_ARGV_REDACTED);
	struct dynbuf out;
	uint8_t *p = NULL, *a;
	int n;

	if (nul) {
		prev_len = (size_t)(nul - data);
		arg = nul + 1;
		len = size - prev_len - 1;
		/* Copies of their own size: ASan sees any read past either. */
		p = malloc(prev_len ? prev_len : 1);
		if (!p)
			return 0;
		memcpy(p, data, prev_len);
		prev = p;
	}
	a = malloc(len ? len : 1);
	if (!a) {
		free(p);
		return 0;
	}
	memcpy(a, arg, len);
	dynbuf_init(&out, 1U << 20);
	n = policy_argv_redact(prev, prev_len, a, len, &out);
	if (n < 0)
		fuzz_policy_argv_fail("error with room to spare");
	if (n == 0 && (out.len != len || (len && memcmp(out.data, a, len))))
		fuzz_policy_argv_fail("changed without a replacement");
	if (n > 0 && !memmem(out.data, out.len, POLICY_ARGV_REDACTED, mark))
		fuzz_policy_argv_fail("replaced without the marker");
	if (out.len > len + (size_t)n * mark)
		fuzz_policy_argv_fail("longer than argument and markers");
	dynbuf_free(&out);
	free(a);
	free(p);
	return 0;
}
