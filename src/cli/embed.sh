#!/bin/sh
# SPDX-License-Identifier: MIT
# embed.sh SYMBOL INPUT OUTPUT: a C file with INPUT as the string SYMBOL.
set -eu
{
	printf 'const char %s[] =\n' "$1"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$2"
	printf ';\n'
} > "$3"
