#!/bin/sh
# SPDX-License-Identifier: MIT
# man-merge.sh TEMPLATE GENERATED OUT VERSION: nslab(1) from its template
# (docs/nslab.1.in, the hand-written prose) and the roff that
# 'nslab help --man' prints from the command table: each line @NAME@ of
# the template is the block after the line '.\" @NAME@' of GENERATED;
# @VERSION@ is the version. A placeholder without its block is an error.
set -eu
[ $# -eq 4 ] || {
	echo "usage: man-merge.sh TEMPLATE GENERATED OUT VERSION" >&2
	exit 2
}
tmp="$3.tmp"
trap 'rm -f "$tmp"' EXIT
awk -v version="$4" -v gen="$2" '
FNR == NR {
	if ($0 ~ /^\.\\" @[A-Z]+@$/) {
		key = $2
		next
	}
	if (key != "")
		block[key] = block[key] $0 "\n"
	next
}
/^@[A-Z]+@$/ {
	if (!($0 in block)) {
		print FILENAME ":" FNR ": " gen " has no block " $0 > "/dev/stderr"
		bad = 1
		next
	}
	printf "%s", block[$0]
	next
}
{
	gsub(/@VERSION@/, version)
	print
}
END { exit bad }
' "$2" "$1" >"$tmp"
mv "$tmp" "$3"
trap - EXIT
