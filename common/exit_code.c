/* SPDX-License-Identifier: MIT */
/* exit_code.c - the meaning of cordon's own exit codes, from the one table. */
#include "common/common.h"

const char *cordon_exit_describe(int code)
{
	switch (code) {
#define CORDON_EXIT_CASE(name, value, text)                                    \
	case value:                                                            \
		return text;
		CORDON_EXIT_TABLE(CORDON_EXIT_CASE)
#undef CORDON_EXIT_CASE
	default:
		return NULL;
	}
}
