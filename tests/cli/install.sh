#!/bin/sh
# SPDX-License-Identifier: MIT
# What `meson install` puts where, and the man pages as a reader gets them
# (TAP). Needs no root.
#   install.sh SRCDIR BUILDDIR           meson install --destdir into a
#       temporary folder: the binary, both man pages, and bash completion
#       and example topologies when the sources have them; the installed
#       binary runs; the pages render without a warning; `nslab help`
#       points at the build tree's pages (none is installed under the
#       prefix: DESTDIR is not the prefix).
#   install.sh SRCDIR BUILDDIR --prefix  a build of its own with
#       --prefix=TMP, installed there: now `nslab help` says 'man nslab'
#       and 'man 5 nslab-topology', and man finds both pages (slow: it
#       compiles nslab once more; suite 'install').
set -u
src=$1 build=$2 mode=${3:-}
n=0 failed=0
tmp=$(mktemp -d /tmp/nslab-install-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

ok() { # DESCRIPTION COMMAND...: ok when the command succeeds
	n=$((n + 1))
	what=$1
	shift
	if out=$("$@" 2>&1); then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# the value of a meson option of a build dir
option() {
	meson introspect --buildoptions "$1" |
		tr '{' '\n' | grep "\"name\": \"$2\"" | sed 's/.*"value": "\([^"]*\)".*/\1/'
}

# groff's warnings (-ww), with the encoding man uses: none allowed
renders() {
	[ -s "$1" ] || { echo "$1: missing or empty"; return 1; }
	command -v groff >/dev/null || { echo "groff is missing (Debian: groff-base)"; return 1; }
	w=$(groff -k -t -ww -z -man "$1" 2>&1) && [ -z "$w" ] || { echo "$w"; return 1; }
}

has() { # FILE STRING: FILE holds STRING
	grep -qF -- "$2" "$1" || { echo "'$2' is not in:"; cat "$1"; return 1; }
}
lacks() {
	! grep -qF -- "$2" "$1" || { echo "'$2' should not be in:"; cat "$1"; return 1; }
}

if [ "$mode" = --prefix ]; then
	p=$tmp/prefix
	ok "meson setup --prefix" meson setup "$tmp/build" "$src" --prefix="$p" -Dtests=disabled
	ok "ninja" ninja -C "$tmp/build"
	ok "meson install" meson install -C "$tmp/build" --no-rebuild
	"$p/bin/nslab" help >"$tmp/help" 2>&1
	ok "help says 'man nslab'" has "$tmp/help" "'man nslab'"
	ok "help says 'man 5 nslab-topology'" has "$tmp/help" "'man 5 nslab-topology'"
	ok "help names no build tree" lacks "$tmp/help" "man -l"
	ok "man finds nslab(1)" sh -c "MANPATH='$p/share/man' man -w nslab | grep -qx '$p/share/man/man1/nslab.1'"
	ok "man finds nslab-topology(5)" sh -c "MANPATH='$p/share/man' man -w 5 nslab-topology | grep -q nslab-topology.5"
	echo "1..$n"
	exit $((failed > 0))
fi

prefix=$(option "$build" prefix)
mandir=$(option "$build" mandir)
bindir=$(option "$build" bindir)
datadir=$(option "$build" datadir)
case $mandir in /*) ;; *) mandir=$prefix/$mandir ;; esac
case $bindir in /*) ;; *) bindir=$prefix/$bindir ;; esac
case $datadir in /*) ;; *) datadir=$prefix/$datadir ;; esac
d=$tmp/dest
ok "meson install --destdir" meson install -C "$build" --no-rebuild --destdir "$d"
ok "bin/nslab" test -x "$d$bindir/nslab"
ok "man1/nslab.1" test -s "$d$mandir/man1/nslab.1"
ok "man5/nslab-topology.5" test -s "$d$mandir/man5/nslab-topology.5"
# every file of the install plan is there (the inst helper's completion
# and topologies included once they are in it)
meson introspect --installed "$build" | tr ',' '\n' | sed -n 's/.*": "\(.*\)".*/\1/p' >"$tmp/plan"
ok "install plan read" test -s "$tmp/plan"
while read -r f; do
	ok "installed $f" test -e "$d$f"
done <"$tmp/plan"
if grep -q bash-completion "$tmp/plan"; then
	ok "bash completion" test -s "$d$datadir/bash-completion/completions/nslab"
fi
if grep -q "$datadir/nslab/topologies/" "$tmp/plan"; then
	for t in "$src"/topologies/*.ini; do
		ok "topology $(basename "$t")" test -s "$d$datadir/nslab/topologies/$(basename "$t")"
	done
fi
ok "the installed binary runs" sh -c "'$d$bindir/nslab' version | grep -qx 'nslab [0-9].*'"
ok "installed nslab(1) is the build's" cmp "$d$mandir/man1/nslab.1" "$build/docs/nslab.1"
ok "nslab(1) renders without a warning" renders "$d$mandir/man1/nslab.1"
ok "nslab-topology(5) renders without a warning" renders "$d$mandir/man5/nslab-topology.5"

# help points at what exists: the pages under the prefix if a real install
# put them there, else the build tree's page and the sources' topology.md
"$d$bindir/nslab" help >"$tmp/help" 2>&1
if [ -r "$mandir/man1/nslab.1" ]; then
	ok "help says 'man nslab' (installed under $prefix)" has "$tmp/help" "'man nslab'"
else
	ok "help points at the build tree's page" has "$tmp/help" "'man -l $build/docs/nslab.1'"
	ok "help does not say 'man nslab'" lacks "$tmp/help" "'man nslab'"
fi
if [ -r "$mandir/man5/nslab-topology.5" ]; then
	ok "help says 'man 5 nslab-topology'" has "$tmp/help" "'man 5 nslab-topology'"
else
	ok "help points at the sources' topology.md" has "$tmp/help" "$src/docs/topology.md"
	ok "help does not say 'man 5 nslab-topology'" lacks "$tmp/help" "'man 5 nslab-topology'"
fi
# help --man: the roff docs/meson.build merges; a usage error with a COMMAND
"$d$bindir/nslab" help --man >"$tmp/roff" 2>&1
ok "help --man prints the SYNOPSIS block first" sh -c "head -1 '$tmp/roff' | grep -qxF '.\\\" @SYNOPSIS@'"
ok "help --man prints the COMMANDS block" has "$tmp/roff" '.\" @COMMANDS@'
st=0
"$d$bindir/nslab" help --man up >"$tmp/err" 2>&1 || st=$?
ok "help --man up: exit status 2" test "$st" = 2
ok "help --man up: the message" has "$tmp/err" "nslab help: --man takes no COMMAND"
echo "1..$n"
exit $((failed > 0))
