#!/bin/sh
# SPDX-License-Identifier: MIT
# The course of docs/tutorial.md, lab by lab (root; TAP):
#   test-course.sh [NN...] [docs]   (none: all; NSLAB_BIN, NSLAB_SRCDIR)
# For each topologies/course/NN-NAME.ini, the student's start, and
# tests/course/NN-NAME.ini, its reference solution:
#   - both validate, and their [expect] sections are the same text (the
#     reference answers the start's question, it does not change it);
#   - the start comes up (as lab nslt-co-NN) and its [expect] FAILS, on the
#     line that the student's answer must make hold: the check can fail;
#   - the reference solution passes 'nslab test' (every expectation holds);
#   - nothing of nslt-co-NN is left: namespaces, /run/nslab, /etc/netns,
#     a process in a node's mount namespace.
# Lab 08 (GRE) on a kernel without ip_gre: its start must be refused with
# "kernel lacks GRE support" and nothing made, and the rest is skipped
# (tests/vm/gre.sh runs it on Debian's kernel). Then the tutorial and the
# labs must name each other. Each lab's time goes to the TAP log.
set -u
N=${NSLAB_BIN:-nslab}
SRC=${NSLAB_SRCDIR:-.}
COURSE=$SRC/topologies/course
REF=$SRC/tests/course
DOC=$SRC/docs/tutorial.md

# NN NAME PROGRAMS FAILURE: the programs a lab runs in its nodes, and the
# line 'nslab test' of its start must print (the goal it has not reached)
labs='01|two-nodes||FAIL  reach h2 -> h1 (10.0.0.1): exit status 2: connect: Network is unreachable
02|lan||FAIL  exec in sw: sh -c "bridge fdb show br br0 | grep -q '"'"'^02:00:00:00:00:04 dev h4-eth0 master br0'"'"'": exit status 1
03|arp||FAIL  reach h1 -> h2 (10.0.0.2): no reply: From 10.0.0.1 icmp_seq=1 Destination Host Unreachable
04|router|tracepath|FAIL  exec in r1: ping -c 1 -W 1 10.0.2.1: exit status 1
05|static-routing|tracepath|FAIL  reach h2 -> h1 (10.0.1.10): exit status 2: connect: Network is unreachable
06|onlink||FAIL  reach h1 -> h2 (10.0.1.10): exit status 2: connect: Network is unreachable
07|vxlan||FAIL  reach h3 -> 10.100.0.1 (10.100.0.1): no reply: From 192.168.3.1 icmp_seq=1 Destination Net Unreachable
08|gre||FAIL  reach h2 -> h1 (10.1.0.10)
09|dns|dnsmasq getent|FAIL  resolve printer in h1 to 10.0.0.9: exit status 2
10|web|apache2ctl curl|FAIL  tcp client -> web port 80 (10.0.0.80): connect to 10.0.0.80 port 80: Connection refused
11|nat|nft|FAIL  reach inside -> outside (203.0.113.2): no reply within 4 s
12|ospf|vtysh|FAIL  route r1 10.0.3.0/24 via 10.0.12.2 proto ospf: no such route
13|k8s||FAIL  reach pod3-1 -> pod1-1 (10.244.1.2): no reply: From 10.244.3.1 icmp_seq=1 Destination Net Unreachable'

want=" $* "
selected() { [ "$want" = "  " ] || case $want in *" $1 "*) true ;; *) false ;; esac; }
count=0
for nn in $(printf '%s\n' "$labs" | cut -d'|' -f1); do
	selected "$nn" && count=$((count + 1))
done
# the labs need root (real namespaces); 'docs' alone does not
if [ "$count" != 0 ] && [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the course labs need root (real namespaces)"
	exit 0
fi
docs=0
selected docs && docs=5
graded=0
selected 05 && graded=1
echo "1..$((count * 4 + docs + graded))"

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { # DESCRIPTION OUTPUT
	n=$((n + 1))
	echo "not ok $n - $1"
	printf '%s\n' "$2" | sed 's/^/# /'
	fail=1
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.1f", $2 - $1}'; }

# The [expect] sections of a topology: from the first [expect] to the end,
# comments and blank lines left out.
expects() { sed -n '/^\[expect\]/,$p' "$1" | sed 's/[;#].*//; s/[[:space:]]*$//' | grep -v '^$'; }

# What is left of lab $1: its namespaces, run and /etc/netns entries, and
# processes still in a node's mount namespace (its overlays' source).
leftovers() {
	ip netns list | awk '{print $1}' | grep -- "^$1-"
	ls -d "/run/nslab/$1" /etc/netns/"$1"-* 2>/dev/null
	grep -lF -- " - overlay nslab:$1/" /proc/[0-9]*/mountinfo 2>/dev/null
}

missing() { # the first program of $1 not installed
	for p in $1; do
		command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || { echo "$p"; return; }
	done
}

t_all=$(now)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS='|' read -r nn name programs failure <&3; do
	selected "$nn" || continue
	start=$COURSE/$nn-$name.ini
	ref=$REF/$nn-$name.ini
	lab=nslt-co-$nn
	t0=$(now)

	out=$("$N" validate "$start" 2>&1 && "$N" validate "$ref" 2>&1)
	if [ $? -ne 0 ]; then
		notok "lab $nn ($name): start and reference validate" "$out"
	elif ! out=$(expects "$ref" >"$tmp/ref" && expects "$start" | diff - "$tmp/ref"); then
		notok "lab $nn ($name): the reference's [expect] is the start's" "$out"
	else
		ok "lab $nn ($name): start and reference validate, with the same [expect]"
	fi

	why=$(missing "$programs")
	if [ -n "$why" ]; then
		skip "lab $nn ($name): as given, its [expect] fails" "$why is not installed"
		skip "lab $nn ($name): the reference solution passes" "$why is not installed"
		echo "# skipped: $why is not installed (scripts/test.sh installs it)"
	else
		out=$("$N" test --name "$lab" "$start" 2>&1)
		rc=$?
		lacks="nslab: test: up '$lab' failed: kernel lacks GRE support (module ip_gre); nothing was created"
		if [ "$nn" = 08 ] && [ "$out" = "$lacks" ]; then
			if [ "$rc" = 1 ]; then
				ok "lab 08 (gre): refused on this kernel: kernel lacks GRE support, nothing made"
			else
				notok "lab 08 (gre): refused with exit status 1" "exit status $rc: $out"
			fi
			skip "lab 08 (gre): the reference solution passes" "kernel lacks GRE"
			echo "# skipped: kernel lacks GRE (tests/vm/gre.sh runs lab 08 on Debian's kernel)"
		else
			if [ "$rc" = 1 ] && printf '%s\n' "$out" | grep -qF -- "$failure" &&
				printf '%s\n' "$out" | grep -q "^[0-9]* of [0-9]* expectations hold in lab '$lab'"; then
				ok "lab $nn ($name): as given, it comes up and its [expect] fails: ${failure#FAIL  }"
			else
				notok "lab $nn ($name): as given, it comes up and its [expect] fails: ${failure#FAIL  }" \
					"exit status $rc:
$out"
			fi
			out=$("$N" test --name "$lab" "$ref" 2>&1)
			rc=$?
			total=$(expects "$ref" | grep -c .)
			if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q "^\([0-9]*\) of \1 expectations hold in lab '$lab'"; then
				ok "lab $nn ($name): the reference solution passes ($(printf '%s\n' "$out" | tail -n 1))"
			else
				notok "lab $nn ($name): the reference solution passes" "exit status $rc ($total lines):
$out"
			fi
		fi
	fi

	left=$(leftovers "$lab")
	if [ -z "$left" ]; then
		ok "lab $nn ($name): nothing of $lab is left"
	else
		notok "lab $nn ($name): nothing of $lab is left" "$left"
	fi
	echo "# lab $nn ($name): $(secs "$t0" "$(now)") s"
done 3<<EOF
$labs
EOF
[ "$count" = 0 ] || echo "# the labs: $(secs "$t_all" "$(now)") s"

# A class graded against lab 05 (its file the reference): the answer passes
# every check, a copy as given does not, and both labs are gone after.
if [ "$graded" = 1 ]; then
	out=$("$N" grade --json --prefix nslt-co-g- "$COURSE/05-static-routing.ini" \
		"$REF/05-static-routing.ini" "$COURSE/05-static-routing.ini" 2>"$tmp/grade.err")
	rc=$?
	got=$(printf '%s\n' "$out" | jq -r '.students[] | "\(.lab) \(.failed)"' 2>/dev/null | tr '\n' ' ')
	left=$(ip netns list | grep -c '^nslt-co-g-' || true)
	case "$rc $got $left" in
	"1 nslt-co-g-05-static-routing 0 nslt-co-g-05-static-routing-2 "[1-9]*" 0")
		ok "nslab grade with lab 05 as the reference: the answer passes, the start fails" ;;
	*) notok "nslab grade with lab 05 as the reference: the answer passes, the start fails" \
		"exit $rc; labs and failed checks: $got; namespaces left: $left; $out $(cat "$tmp/grade.err")" ;;
	esac
fi

[ "$docs" = 0 ] && exit "$fail"

# The tutorial and the labs name each other.
list=$(ls "$COURSE"/*.ini | sed 's|.*/||')
out=$(for f in $list; do grep -qF "topologies/course/$f" "$DOC" || echo "docs/tutorial.md does not name topologies/course/$f"; done)
[ -z "$out" ] && ok "docs/tutorial.md names every lab of topologies/course/ ($(echo $list | wc -w))" ||
	notok "docs/tutorial.md names every lab of topologies/course/" "$out"
out=$(grep -o 'topologies/course/[A-Za-z0-9._/-]*' "$DOC" | sed 's/[.]$//' | sort -u |
	while read -r p; do [ -e "$SRC/$p" ] || echo "docs/tutorial.md names $p, which does not exist"; done)
named=$(grep -o 'topologies/course/[A-Za-z0-9._/-]*' "$DOC" | sort -u | wc -l)
[ -z "$out" ] && ok "every topologies/course/ path docs/tutorial.md names exists ($named)" ||
	notok "every topologies/course/ path docs/tutorial.md names exists" "$out"
out=$(for f in $list; do [ -e "$REF/$f" ] || echo "no reference solution tests/course/$f"; done
	for f in $(ls "$REF"/*.ini | sed 's|.*/||'); do [ -e "$COURSE/$f" ] || echo "tests/course/$f answers no lab"; done)
[ -z "$out" ] && ok "every lab has its reference solution in tests/course/, and only they" ||
	notok "every lab has its reference solution in tests/course/, and only they" "$out"
out=$(for f in $list; do
	nn=${f%%-*}
	name=${f#??-}
	printf '%s\n' "$labs" | grep -q "^$nn|${name%.ini}|" || echo "$f: not in test-course.sh's table"
	grep -q "^## Lab $nn: " "$DOC" || echo "$f: no '## Lab $nn: ' chapter in docs/tutorial.md"
	done)
[ -z "$out" ] && ok "every lab has its chapter in docs/tutorial.md and its line in this test" ||
	notok "every lab has its chapter in docs/tutorial.md and its line in this test" "$out"
labcount=$(echo $list | wc -w)
[ "$labcount" -ge 10 ] && ok "the course has at least 10 labs ($labcount)" ||
	notok "the course has at least 10 labs" "$labcount"
exit "$fail"
