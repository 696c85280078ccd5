#!/bin/bash
# SPDX-License-Identifier: MIT
# cppcheck.sh SRC_DIR - cppcheck's warning and portability checks over the
# production code (skipped when cppcheck is not installed).
cd "$1" || exit 2
command -v cppcheck >/dev/null || { echo "SKIP: no cppcheck"; exit 77; }
if ! cppcheck --error-exitcode=1 --enable=warning,portability --inline-suppr \
	-q -D_GNU_SOURCE -I. --suppress=missingIncludeSystem \
	--suppress=duplicateAssignExpression \
	common platform sentry netstack policy tools; then
	echo "0 passed, 1 failed"
	exit 1
fi
echo "1 passed, 0 failed"
