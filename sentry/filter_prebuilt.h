/* SPDX-License-Identifier: MIT */
/*
 * filter_prebuilt.h - seccomp programs compiled at build time (filter_gen.c
 * writes filter_prebuilt.c in the build tree), so that starting a job does
 * not pay for libseccomp. Only for jobs without syscall overrides.
 */
#ifndef CORDON_FILTER_PREBUILT_H
#define CORDON_FILTER_PREBUILT_H

#include <linux/filter.h>

/**
 * struct filter_prebuilt - one program.
 * @layers: the filter_compile() @layers it was compiled for.
 * @len:    number of instructions.
 * @insns:  the instructions.
 */
struct filter_prebuilt {
	unsigned int layers;
	unsigned short len;
	const struct sock_filter *insns;
};

/**
 * filter_prebuilt_find() - the build-time program for @layers (no
 * overrides), or NULL: then filter_compile() uses libseccomp.
 */
const struct filter_prebuilt *filter_prebuilt_find(unsigned int layers);

#endif /* CORDON_FILTER_PREBUILT_H */
