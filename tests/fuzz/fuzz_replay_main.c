/* SPDX-License-Identifier: MIT */
/*
 * fuzz_replay_main.c - runs a fuzz target over its checked-in corpus without
 * libFuzzer, so every build (gcc included) replays it: `fuzz_X_replay DIR|FILE
 * ...` feeds each file to LLVMFuzzerTestOneInput() once. A crash or abort
 * fails the ctest.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/common.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_REPLAY_MAX (4u << 20)

static int fuzz_replay_file(const char *path)
{
	struct dynbuf b;
	int rc;

	rc = fd_read_file(path, &b, FUZZ_REPLAY_MAX);
	if (rc) {
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
	dynbuf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0, errors = 0;
	int i;

	for (i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **list;
		int n, k;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			errors++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			errors += fuzz_replay_file(argv[i]) ? 1 : 0;
			files++;
			continue;
		}
		n = scandir(argv[i], &list, NULL, alphasort);
		if (n < 0) {
			perror(argv[i]);
			errors++;
			continue;
		}
		for (k = 0; k < n; k++) {
			char path[4096];

			if (list[k]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i],
					 list[k]->d_name);
				errors += fuzz_replay_file(path) ? 1 : 0;
				files++;
			}
			free(list[k]);
		}
		free(list);
	}
	printf("replayed %u files, %u unreadable\n", files, errors);
	return errors || !files ? 1 : 0;
}
