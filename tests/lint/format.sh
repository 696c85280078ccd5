#!/bin/bash
# SPDX-License-Identifier: MIT
# format.sh SRC_DIR - every C file follows .clang-format (kernel style).
cd "$1" || exit 2
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')
if ! clang-format --dry-run -Werror $files 2>/tmp/cordon-format.$$; then
	head -40 /tmp/cordon-format.$$
	rm -f /tmp/cordon-format.$$
	echo "0 passed, 1 failed"
	exit 1
fi
rm -f /tmp/cordon-format.$$
echo "1 passed, 0 failed"
