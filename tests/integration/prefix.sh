#!/bin/bash
# SPDX-License-Identifier: MIT
# A machine shared by a class (TAP, root, under isolate.sh): lab names get
# the user's name under sudo (SUDO_USER), --prefix and NSLAB_PREFIX set or
# clear it, every command that takes LAB finds the user's lab by its short
# name, and down --all asks first and takes down only the user's labs.
# Each case runs the binary and checks the exit status, the message and
# the namespaces the kernel has. Users: nslt-in-alice, nslt-in-bob.
#   prefix.sh SRCDIR
set -u
NSLAB=${NSLAB_BIN:?NSLAB_BIN is not set}
n=0 failed=0
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
# down --all takes down every lab it sees: only in isolate.sh's private /run
if [ "${NSLAB_ISOLATED:-}" != 1 ]; then
	echo "Bail out! run under tests/isolate.sh (down --all must see only this test's labs)"
	exit 1
fi
WORK=$(mktemp -d /tmp/nslab-prefix.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '[lab]\nname = r\n[node h1]\naddr = 10.9.80.1/24 dev eth0\n[node h2]\naddr = 10.9.80.2/24 dev eth0\n[links]\nlink = h1:eth0 h2:eth0\n' >"$WORK/r.ini"

# as USER: nslab run through sudo by USER (NSLAB_PREFIX unset)
as() {
	local user=$1
	shift
	env -u NSLAB_PREFIX SUDO_USER="$user" "$NSLAB" "$@"
}

# t DESCRIPTION STATUS WANT CMD...: CMD exits STATUS and prints WANT
# (stdout and stderr, a fixed string) somewhere
t() {
	local what=$1 status=$2 want=$3 out rc
	shift 3
	out=$("$@" 2>&1 </dev/null)
	rc=$?
	n=$((n + 1))
	if [ "$rc" = "$status" ] && [[ $out == *"$want"* ]]; then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what"
		echo "#   $*"
		echo "#   want (exit $status): $want"
		printf '%s\n' "got (exit $rc): $out" | sed 's/^/#   /'
	fi
}

# namespaces NAME...: the namespaces are exactly these (sorted)
namespaces() {
	local what="the namespaces are: $*" got want
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
	got=$(ip netns list | awk '{print $1}' | sort | tr '\n' ' ')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what"
		echo "#   got: $got"
	fi
}

A=nslt-in-alice-r
B=nslt-in-bob-r
t "sudo by alice: up names the lab alice-NAME" 0 "lab '$A' is up" as nslt-in-alice up "$WORK/r.ini"
namespaces $A-h1 $A-h2
t "the same file by bob: a lab of his own beside it" 0 "lab '$B' is up" as nslt-in-bob up "$WORK/r.ini"
t "alice's bare name is her lab (exec)" 0 "$A-h1" as nslt-in-alice exec r h1 ip netns identify
t "a name copied from 'nslab ls' is taken as it is" 0 "$A-h2" as nslt-in-alice exec $A h2 ip netns identify
t "the only lab of alice's is her default, with bob's up too" 0 "$A-h1" as nslt-in-alice exec h1 ip netns identify
t "and bob's is bob's" 0 "$B-h2" as nslt-in-bob exec h2 ip netns identify
t "show takes the short name" 0 "10.9.80.1/24" as nslt-in-alice show r h1
t "ping takes the short name" 0 "ping from h1 to h2 (10.9.80.2)" as nslt-in-alice ping r h1 h2
t "a lab of no one's: the full name it looked for" 1 "show: lab 'nslt-in-carol-r' is not up" as nslt-in-carol show r
t "another user's full name: says whose and how to name it" 1 \
	"lab 'nslt-in-carol-$A' is not up; '$A' is another user's lab: 'nslab --prefix \"\" show $A ...' names it" \
	as nslt-in-carol show $A
t "carol has no lab: no default, and says so" 2 "no lab of yours is up (prefix 'nslt-in-carol' from SUDO_USER" \
	as nslt-in-carol exec h1 true
t "ls marks alice's labs" 0 "* $A" as nslt-in-alice ls
t "ls lists bob's, unmarked, for alice" 0 "  $B " as nslt-in-alice ls
t "ls says what the mark means" 0 "(* yours: the labs of prefix 'nslt-in-alice', from SUDO_USER)" as nslt-in-alice ls
t "ls --json: 'mine'" 0 "$A true $B false" sh -c "env -u NSLAB_PREFIX SUDO_USER=nslt-in-alice $NSLAB ls --json | jq -r '[.[] | \"\\(.name) \\(.mine)\"] | join(\" \")'"
t "SUDO_USER=root: no prefix" 0 "lab 'nslt-in-root' is up" as root up --name nslt-in-root "$WORK/r.ini"
t "--prefix '' under sudo: no prefix" 0 "lab 'nslt-in-plain' is up" as nslt-in-alice --prefix '' up --name nslt-in-plain "$WORK/r.ini"
t "--prefix=P under sudo: P's" 0 "lab 'nslt-in-dave-r' is up" as nslt-in-alice --prefix=nslt-in-dave up "$WORK/r.ini"
t "NSLAB_PREFIX like --prefix, before SUDO_USER" 0 "lab 'nslt-in-dave-r' is down" env NSLAB_PREFIX=nslt-in-dave SUDO_USER=nslt-in-alice "$NSLAB" down r
t "--prefix after the command: where it goes" 2 "nslab up: unknown option '--prefix' (it goes before the command: 'nslab --prefix P up ...')" \
	"$NSLAB" up --prefix x "$WORK/r.ini"
t "too long with the prefix: the name, the prefix, the way out" 2 \
	"lab name 'nslt-in-alice-abcdefghijklmnopqrstu' (prefix 'nslt-in-alice' from SUDO_USER) is too long" \
	as nslt-in-alice up --name abcdefghijklmnopqrstu "$WORK/r.ini"
sed 's/^name = r$/name = t/' "$WORK/r.ini" >"$WORK/t.ini" && printf '[expect]\nreach = h1 h2\n' >>"$WORK/t.ini"
t "test through sudo: up, check and down of alice-NAME" 0 "1 of 1 expectations hold in lab 'nslt-in-alice-t'" \
	as nslt-in-alice test "$WORK/t.ini"
t "bob's up of t.ini" 0 "lab 'nslt-in-bob-t' is up" as nslt-in-bob up "$WORK/t.ini"
t "check with no lab named while bob has two labs up" 2 "several labs are up; name one" as nslt-in-bob check
t "check of bob's short name" 0 "1 of 1 expectations hold in lab 'nslt-in-bob-t'" as nslt-in-bob check t
t "down FILE: the file's lab, with the prefix" 0 "lab 'nslt-in-bob-t' is down" as nslt-in-bob down "$WORK/t.ini"
namespaces $A-h1 $A-h2 $B-h1 $B-h2 nslt-in-root-h1 nslt-in-root-h2 nslt-in-plain-h1 nslt-in-plain-h2

# down --all: no terminal and no --yes changes nothing
t "down --all without a terminal nor --yes refuses" 1 "no terminal to ask on; add --yes to take them down. Nothing was changed" \
	as nslt-in-alice down --all
t "and lists what it would take down: alice's lab only" 1 "down --all takes down 1 lab: $A"$'\n' as nslt-in-alice down --all
namespaces $A-h1 $A-h2 $B-h1 $B-h2 nslt-in-root-h1 nslt-in-root-h2 nslt-in-plain-h1 nslt-in-plain-h2
# on a terminal (script(1) gives it one): asks, and 'n' changes nothing
t "on a terminal it asks; 'n' keeps them" 1 "Take them down? [y/N] n" \
	sh -c "printf 'n\\n' | script -qec 'env -u NSLAB_PREFIX SUDO_USER=nslt-in-alice $NSLAB down --all' /dev/null"
namespaces $A-h1 $A-h2 $B-h1 $B-h2 nslt-in-root-h1 nslt-in-root-h2 nslt-in-plain-h1 nslt-in-plain-h2
t "on a terminal, 'y' takes alice's lab down" 0 "lab '$A' is down" \
	sh -c "printf 'y\\n' | script -qec 'env -u NSLAB_PREFIX SUDO_USER=nslt-in-alice $NSLAB down --all' /dev/null"
namespaces $B-h1 $B-h2 nslt-in-root-h1 nslt-in-root-h2 nslt-in-plain-h1 nslt-in-plain-h2
t "down --all --yes by bob: his lab, and says what is left" 0 "lab '$B' is down"$'\n'"2 labs of other users left up" \
	as nslt-in-bob down --all --yes
t "bob again: nothing of his is up" 0 "no labs of yours are up" as nslt-in-bob down -a -y
namespaces nslt-in-root-h1 nslt-in-root-h2 nslt-in-plain-h1 nslt-in-plain-h2
t "--prefix '' down --all --yes: every lab" 0 "lab 'nslt-in-root' is down" as nslt-in-bob --prefix '' down --all --yes
namespaces
t "no lab: down --all asks nothing" 0 "no labs are up" "$NSLAB" down --all
echo "1..$n"
[ "$failed" -eq 0 ]
