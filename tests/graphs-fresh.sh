#!/bin/sh
# SPDX-License-Identifier: MIT
# The pictures in docs/img are what nslab draws now (TAP): each NAME.dot is
# byte for byte 'nslab graph topologies/NAME.ini', and NAME.svg records that
# dot's sha256 (scripts/graphs.sh writes both). The SVG's own bytes depend on
# the Graphviz version, so only its record is compared.
#   usage: graphs-fresh.sh SRCDIR NSLAB
set -u
src=$1 nslab=$2
n=0 failed=0
tmp=$(mktemp /tmp/nslab-graphs.XXXXXX)
trap 'rm -f "$tmp"' EXIT

result() { # OK? DESCRIPTION [DETAILS]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -z "${3-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

set -- "$src"/docs/img/*.dot
[ -e "$1" ] || { echo "Bail out! no docs/img/*.dot in $src"; exit 1; }
for dotfile; do
	name=$(basename "$dotfile" .dot)
	topo=$src/topologies/$name.ini
	if ! "$nslab" graph -f dot "$topo" -o "$tmp" 2>"$tmp.err"; then
		result 1 "nslab graph topologies/$name.ini" "$(cat "$tmp.err")"
		rm -f "$tmp.err"
		continue
	fi
	rm -f "$tmp.err"
	cmp -s "$tmp" "$dotfile"
	result $? "docs/img/$name.dot is what nslab draws of topologies/$name.ini" \
		"$(diff -u "$dotfile" "$tmp" | head -20; echo "stale: run scripts/graphs.sh and commit docs/img")"
	sum=$(sha256sum "$dotfile" | cut -d' ' -f1)
	line=$(sed -n 2p "$src/docs/img/$name.svg" 2>/dev/null)
	want="<!-- nslab graph: drawn from docs/img/$name.dot sha256 $sum (scripts/graphs.sh) -->"
	[ "$line" = "$want" ]
	result $? "docs/img/$name.svg was drawn from docs/img/$name.dot" \
		"its line 2: '$line'
want: '$want'
stale: run scripts/graphs.sh and commit docs/img"
done
echo "1..$n"
[ "$failed" -eq 0 ]
