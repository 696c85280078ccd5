/* SPDX-License-Identifier: MIT */
/*
 * fuzz_proc_signal.c - libFuzzer target for the /proc/TID/status signal
 * parser (platform/proc_signal.c): any bytes, bounded; a parse that succeeds
 * must give the same masks on a copy followed by more text (the parser must
 * not read past the length it was given) and a classification in 0..2.
 */
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_signal_state a, b;
	uint8_t *copy;
	int rc;

	rc = proc_signal_parse(data, size, &a);
	if (rc != 0 && rc != -22)
		abort();
	if (rc != 0)
		return 0;
	if (proc_signal_classify(&a, a.tgid) < 0 ||
	    proc_signal_classify(&a, a.tgid) > 2)
		abort();
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\n';
	if (proc_signal_parse(copy, size + 1, &b) != 0 || a.pnd != b.pnd ||
	    a.shdpnd != b.shdpnd || a.blk != b.blk || a.ign != b.ign)
		abort();
	free(copy);
	return 0;
}
