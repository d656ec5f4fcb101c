#!/bin/bash
# SPDX-License-Identifier: MIT
# completion/nslab.bash as bash runs it (TAP): source it, set COMP_WORDS
# and COMP_CWORD as bash does for a line, call _nslab, compare COMPREPLY.
#   completion.sh SRCDIR unit   commands, options, topology files (no root)
#   completion.sh SRCDIR lab    with a lab up (root, under isolate.sh): lab
#                               names, node names, NODE:IF, the prefix
# NSLAB_BIN is the binary under test.
set -u
SRC=$1
MODE=$2
NSLAB=${NSLAB_BIN:?NSLAB_BIN is not set}
n=0 failed=0
WORK=$(mktemp -d /tmp/nslab-comp.XXXXXX)
LAB=nslt-in-comp

cleanup() {
	[ "$MODE" = lab ] && "$NSLAB" --prefix '' down "$LAB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# comp WORD...: COMPREPLY, sorted, on one line, for the line 'nslab WORD...'
# whose last word is the one being completed. COMP_WORDS as bash splits the
# line: ':' is a word of its own (COMP_WORDBREAKS); COMP_WORDBREAKS=... in
# the environment changes that for one case.
comp() {
	(cd "$WORK" && bash -c 'source "$1"; shift
		[ -n "${WB:-}" ] && COMP_WORDBREAKS=$WB
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_nslab; printf "%s\n" "${COMPREPLY[@]}"' _ "$SRC/completion/nslab.bash" "$NSLAB" "$@") |
		sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# is DESCRIPTION WANT WORD...: COMPREPLY of 'nslab WORD...' is exactly WANT
is() {
	local what=$1 want=$2
	shift 2
	local got
	got=$(comp "$@")
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what"
		echo "#   nslab $* <TAB>"
		echo "#   want: '$want'"
		echo "#   got:  '$got'"
	fi
}

if [ "$MODE" = unit ]; then
	# every command of the table, and nothing hidden (__complete)
	want=$("$NSLAB" help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
	is "the command names are those of 'nslab help'" "$want" ""
	is "a command name from its start" "ping pingall plan ps" p
	is "'nslab up --' gives up's options" "--help --host-limits --host= --name= --replace --verbose" up --
	is "'nslab down --' gives down's options" "--all --help --host= --yes" down --
	is "'nslab -' gives the global options" "--help --prefix= --version" -
	is "the command after --prefix P" "shell show" --prefix alice sh
	is "nothing for the value of --prefix" "" --prefix ""
	is "'nslab help' completes command names" "capture check" help c
	mkdir "$WORK/two.d" && touch "$WORK/two.ini" "$WORK/two.txt" "$WORK/three.ini"
	is "up offers *.ini files and folders, not other files" "two.d two.ini" up tw
	is "validate offers *.ini files and folders" "three.ini two.d two.ini" validate ""
	is "up's file after an option" "three.ini" up --replace th
	is "nothing after up's --name (a value)" "" up --name ""
	is "link's second operand is up or down (no lab up: NODE:IF unknown)" "down" link h1:eth0 d
elif [ "$MODE" = lab ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root"
		exit 0
	fi
	cat >"$WORK/comp.ini" <<-INI
		[lab]
		name = $LAB
		[node h1]
		addr = 10.9.70.1/24 dev eth0
		[node r]
		addr = 10.9.70.254/24 dev eth0
		addr = 10.9.71.254/24 dev eth1
		[node h2]
		addr = 10.9.71.1/24 dev eth0
		[links]
		link = h1:eth0 r:eth0
		link = r:eth1 h2:eth0
	INI
	if ! out=$("$NSLAB" up "$WORK/comp.ini" 2>&1); then
		echo "Bail out! up failed: $out"
		exit 1
	fi
	is "lab names (one lab up), and its nodes as the default lab" "h1 h2 $LAB r" exec ""
	is "lab names from their start" "$LAB" show nslt-in-c
	is "the nodes of a named lab" "h1 h2 r" exec "$LAB" ""
	is "show LAB NODE" "h1 h2" show "$LAB" h
	is "ping's second node" "h1 h2 r" ping "$LAB" h1 ""
	is "capture: the lab, and NODE: of the default lab" "h1: h2: $LAB r:" capture ""
	is "capture NODE: (bash's words 'r' ':') gives its interfaces" "eth0 eth1" capture r : ""
	is "capture NODE:e of a named lab" "eth0 eth1" capture "$LAB" r : e
	is "impair NODE:IF of a one-interface node" "eth0" impair h2 : ""
	WB=$' \t\n"'"'"'><=;|&(' is "NODE:IF as one word when ':' breaks no word" "r:eth0 r:eth1" capture r:
	is "link NODE:IF up|down" "down up" link r : eth0 ""
	is "no interfaces of a node that does not exist" "" capture nosuch : ""
	is "down offers the lab" "$LAB" down nslt
	# a prefix: the lab's name as its owner types it
	is "under --prefix, the lab without its prefix" "comp" --prefix nslt-in show ""
	is "under --prefix, the nodes of the short name" "h1 h2 r" --prefix nslt-in exec comp ""
	is "under a prefix of no lab, no lab" "" --prefix nobody-else show ""
	# a user completing 'sudo nslab ...': no root, and the lab's run
	# directory (the topology it was built from) is root's alone, mode
	# 0700 (issue #21): no interfaces, and no noise on the terminal
	# The source tree and the build may be where nobody cannot read (a
	# checkout under /root): nobody runs copies in a folder of its own.
	n=$((n + 1))
	mkdir -m 755 "$WORK/nobody"
	chmod 755 "$WORK"
	cp "$NSLAB" "$WORK/nobody/nslab"
	cp "$SRC/completion/nslab.bash" "$WORK/nobody/nslab.bash"
	chmod -R a+rX "$WORK/nobody"
	got=$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups env NSLAB_PREFIX=nslt-in bash -c \
		'source "$1"; COMP_WORDS=("$2" capture comp r : ""); COMP_CWORD=5; _nslab; echo "${COMPREPLY[*]}"' \
		_ "$WORK/nobody/nslab.bash" "$WORK/nobody/nslab" 2>&1)
	if [ "$got" = "" ]; then
		echo "ok $n - a user who is not root gets no NODE:IF (the run directory is root's), quietly"
	else
		failed=$((failed + 1))
		echo "not ok $n - a user who is not root gets no NODE:IF (the run directory is root's), quietly"
		printf '%s\n' "$got" | sed "s/^/#   got: /"
	fi
else
	echo "Bail out! usage: completion.sh SRCDIR unit|lab"
	exit 1
fi
echo "1..$n"
[ "$failed" -eq 0 ]
