#!/bin/bash
# SPDX-License-Identifier: MIT
# banned.sh SRC_DIR - functions cordon does not use (curl's checksrc idea):
# unbounded copies and formats, non-reentrant parsers, shell-outs.
cd "$1" || exit 2
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|strncpy|atoi|atol|system|popen|tmpnam|mktemp|alloca)\s*\('
# Tests may shell out to stage binaries; production code may not.
hits=$(grep -rnE "$banned" --include='*.c' --include='*.h' \
	common platform sentry netstack policy tools | grep -v '^\s*\*')
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
