/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - the libFuzzer entry point every fuzz target defines; the replay
 * driver (fuzz_replay_main.c) calls it for each corpus file.
 */
#ifndef CORDON_FUZZ_H
#define CORDON_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CORDON_FUZZ_H */
