#!/bin/sh
# SPDX-License-Identifier: MIT
# The rules of docs/hacking.md that a grep can keep true (TAP). Each check
# names the lines that break it.
#   usage: structure.sh SRCDIR
set -u
cd "$1/src" || exit 1
n=0 failed=0

check() { # DESCRIPTION OFFENDING-LINES (none: ok)
	n=$((n + 1))
	bad=$2
	if [ -z "$bad" ]; then
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
		printf '%s\n' "$bad" | sed 's/^/#   /'
	fi
}

kinds=$(sed -n "s/^link_kinds = \[\(.*\)\]/\1/p" lib/meson.build | sed "s/[',]/ /g")
[ -n "$kinds" ] || { echo "Bail out! no link_kinds list in src/lib/meson.build"; exit 1; }
pattern=$(for k in $kinds; do printf '%s' "kind_$k\\b|\"$k\"|\\[$k\\b|"; done)
pattern=${pattern%|}

# grep -nE PATTERN FILES..., in code only: comments are left out
code_grep() {
	pat=$1
	shift
	for f in "$@"; do
		sed -e 's#/\*.*\*/##g' -e 's#//.*##' -e 's#^\s*/\{0,1\}\*.*##' "$f" |
			grep -nE "$pat" | sed "s#^#$f:#"
	done
}

# gen.c writes topology text, which names sections by design.
check "no file outside kind-*.c names a kind ($(echo $kinds))" \
	"$(code_grep "$pattern" $(ls lib/*.c lib/*.h cli/*.c cli/*.h | grep -v '^lib/kind-' | grep -v '^lib/gen\.c$' | grep -v '^lib/kathara\.c$'))"

check "every kind in the table has kind-K.c defining kind_K" "$(for k in $kinds; do
	grep -qs "^const struct link_kind kind_$k = {" "lib/kind-$k.c" ||
		echo "lib/kind-$k.c: no 'const struct link_kind kind_$k = {'"
done)"

check "src/lib prints nothing (src/cli does; children write to their pipe by STDERR_FILENO)" \
	"$(code_grep '\b(printf|puts|putchar|perror)\(|\bstd(out|err)\b' lib/*.c)"

check "only rundir.c builds run directory paths" \
	"$(code_grep 'NSLAB_RUNDIR|NSLAB_LOCKDIR' $(ls lib/*.c cli/*.c | grep -v '^lib/rundir\.c$'))"

check "every command parses its options with cmd_getopt" "$(for f in cli/cmd-*.c; do
	grep -q 'cmd_getopt(' "$f" || echo "$f: does not call cmd_getopt"
done)"

check "no command compares argv words with options by hand" \
	"$(code_grep "argv\[[a-z0-9+ ]*\]\[0\] == '-'|streq\(argv\[[a-z0-9+ ]*\], \"--?[a-zA-Z]" cli/cmd-*.c)"

# src/lib and src/cli are on the include path: a header named like a C or
# POSIX one (limits.h) would hide the system's from every file.
check "no header in src/ has the name of a system header" "$(for h in lib/*.h cli/*.h; do
	b=${h##*/}
	for d in /usr/include /usr/include/*-linux-gnu; do
		[ -e "$d/$b" ] && echo "$h: hides <$b> ($d/$b)" && break
	done
done)"

echo "1..$n"
[ "$failed" -eq 0 ]
