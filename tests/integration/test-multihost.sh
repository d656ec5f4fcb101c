#!/bin/bash
# SPDX-License-Identifier: MIT
# A topology split across hosts joined by VXLAN (issue #22), on one machine
# (root; TAP; under tests/isolate.sh): three simulated hosts a, b, c
# (tests/multihost/simhost.sh: each a network namespace with its own mount
# namespace, /run and /etc/netns; an underlay bridge, 198.18.0.1-3 on eth0).
#   test-multihost.sh     (NSLAB_BIN, NSLAB_SRCDIR)
# 0. the harness: a one-host lab (topologies/router.ini) up in host a and,
#    under the same name, in host b; nslab ping across it; the test's own
#    namespace sees none of it; down leaves nothing.
# a. topologies/multihost/router-2.ini, 'nslab up --host' on a and b: every
#    expectation holds from each host; the cross-host interfaces are VXLAN
#    (remote, VNI, port, MTU 1450), their UDP socket in the host's namespace,
#    not the node's; with the underlay cable pulled, the check fails.
# b. flannel-3.ini (nslab gen k8s --nodes 3 --pods 2) on three hosts.
# c. star-300.ini: 300 nodes on one switch across three hosts; up of the
#    three parts in parallel timed against the same lab on one host.
# d. 'nslab cluster up|check|down|test' through tests/multihost/transport.sh.
# e. rollback-3.ini: the part on c fails; cluster up fails and takes all down.
# f. after each: nothing of the lab on any host (namespaces, /run/nslab,
#    /etc/netns, VXLAN devices in the host's namespace, processes).
# Until the core has [hosts] (nslab up --host), a..e are skipped with the
# reason; d until 'nslab cluster' exists.
set -u
N=${NSLAB_BIN:?NSLAB_BIN is not set}
SRC=${NSLAB_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MH=$SRC/topologies/multihost
TRANSPORT=$SRC/tests/multihost/transport.sh
# the cluster's up within this factor of the same lab's on one host
# (issue #22's target; not checked in a sanitized build)
RATIO_MAX=${NSLAB_MH_RATIO:-1.5}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (namespaces)"
	exit 0
fi
if [ "${NSLAB_ISOLATED:-}" != 1 ]; then
	echo "Bail out! run under tests/isolate.sh (the hosts' /etc/netns goes over its private one)"
	exit 1
fi
for p in jq ss setpriv nsenter unshare; do
	if ! command -v "$p" >/dev/null 2>&1; then
		echo "1..0 # SKIP $p is not installed (scripts/test.sh installs it)"
		exit 0
	fi
done
# shellcheck source=tests/multihost/simhost.sh
. "$SRC/tests/multihost/simhost.sh"

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
# bad STATUS OUTPUT: OUTPUT, when STATUS is not 0
bad() { [ "$1" = 0 ] || printf 'exit %s: %s\n' "$1" "$2"; }
# check DESCRIPTION OUTPUT: ok when OUTPUT is empty, else not ok with it
check() { if [ -z "$2" ]; then ok "$1"; else notok "$1" "$2"; fi; }
now() { date +%s.%N; }
# median "N N N": the middle one
# shellcheck disable=SC2086 # the numbers are words
median() { printf '%s\n' $1 | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

HOSTS="a b c"
LABS="nslt-mh-one nslt-mh-rt nslt-mh-rt2 nslt-mh-k8s nslt-mh-star nslt-mh-rb"
WORK=$(mktemp -d /tmp/nslt-mh-test.XXXXXX)

cleanup() {
	local status=$? h lab out
	trap - EXIT INT TERM
	# what a failed scenario left up: its parts, sshd (g), then the hosts
	for h in $(simhost_names 2>/dev/null); do
		pid=$(cat "/proc/$(simhost_pid "$h")/root/run/nslt-mh-sshd.pid" 2>/dev/null) &&
			kill "$pid" 2>/dev/null
		for lab in $LABS; do
			[ -e "/proc/$(simhost_pid "$h")/root/run/nslab/$lab" ] &&
				simhost_run "$h" "$N" down "$lab" >/dev/null 2>&1
		done
	done
	if ! out=$(simhost_destroy_all 2>&1); then
		notok "the simulated hosts and the underlay are gone, nothing left in them" "$out"
	else
		ok "the simulated hosts and the underlay are gone, nothing left in them"
	fi
	rm -rf "$WORK"
	echo "1..$n"
	[ "$fail" = 0 ] && [ "$status" = 0 ]
	exit $?
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nsl HOST ARGS...: nslab ARGS in HOST
nsl() {
	local h=$1
	shift
	simhost_run "$h" "$N" "$@"
}
# nodes HOST LAB: the lab's node namespaces on HOST, sorted, one line
nodes() {
	simhost_run "$1" ip netns list | awk '{print $1}' | grep -- "^$2-" | sed "s/^$2-//" | grep -v '^\.' | sort | tr '\n' ' '
}
# clean LAB [HOST...]: what is left of LAB on the hosts and in the test's
# own namespace (nothing when all is well)
clean() {
	local lab=$1 h
	shift
	# shellcheck disable=SC2086 # the host names are words
	[ $# != 0 ] || set -- $HOSTS
	for h in "$@"; do
		simhost_leftovers "$h" "$lab"
	done
	ip netns list | awk '{print $1}' | grep -- "^$lab-" | sed 's/^/the test'\''s namespace: namespace /'
	[ -e "/run/nslab/$lab" ] && echo "the test's namespace: /run/nslab/$lab"
	grep -lF -- " - overlay nslab:$lab/" /proc/[0-9]*/mountinfo 2>/dev/null | sed 's/^/a process in a node: /'
}
# down_all LAB: nslab down LAB on every host where it is up
down_all() {
	local lab=$1 h out=''
	for h in $HOSTS; do
		[ -e "/proc/$(simhost_pid "$h")/root/run/nslab/$lab" ] || continue
		out="$out$(nsl "$h" down "$lab" 2>&1 >/dev/null)" || out="$out
$h: down $lab failed"
	done
	printf '%s' "$out"
}
# on_all LAB FILE ARGS...: 'nslab ARGS FILE' on a, b and c at once (each
# with --host H); the status of each in $WORK/LAB.H.rc, output in .out
par_up() {
	local lab=$1 file=$2 h
	for h in $HOSTS; do
		{
			nsl "$h" up --host "$h" "$file" >"$WORK/$lab.$h.out" 2>&1
			echo $? >"$WORK/$lab.$h.rc"
		} &
	done
	wait
}
par_status() { # LAB: hosts whose up failed, with their output
	local h
	for h in $HOSTS; do
		[ "$(cat "$WORK/$1.$h.rc")" = 0 ] || echo "$h: exit $(cat "$WORK/$1.$h.rc"): $(cat "$WORK/$1.$h.out")"
	done
}
# checks LAB HOST...: nslab check LAB on each host; prints the failures
checks() {
	local lab=$1 h out
	shift
	for h in "$@"; do
		out=$(nsl "$h" check "$lab" 2>&1) ||
			printf '%s\n' "$h: nslab check $lab failed:" "$out"
		printf '%s\n' "$out" >"$WORK/check.$lab.$h"
	done
}

# --- the simulated hosts ------------------------------------------------
simhost_init "" || { echo "Bail out! cannot make the underlay"; exit 1; }
i=0
for h in $HOSTS; do
	i=$((i + 1))
	simhost_create "$h" "$i" || { echo "Bail out! cannot make simulated host $h"; exit 1; }
done
out=$(for i in 2 3; do simhost_run a ping -c 1 -W 2 "198.18.0.$i" >/dev/null 2>&1 || echo "a cannot ping 198.18.0.$i"; done
	simhost_run c ping -c 1 -W 2 198.18.0.1 >/dev/null 2>&1 || echo "c cannot ping 198.18.0.1")
check "hosts a, b, c reach each other over the underlay (198.18.0.1-3 on eth0)" "$out"
out=$(for h in $HOSTS; do
	m=$(simhost_run "$h" findmnt -rn -o SOURCE -M /run | tail -n 1)
	m="$m $(simhost_run "$h" findmnt -rn -o SOURCE -M /etc/netns | tail -n 1)"
	[ "$m" = "nslt-mh-run nslt-mh-etc" ] || echo "$h: the sources of /run and /etc/netns: $m"
	[ "$(simhost_run "$h" ip netns list)" = "" ] || echo "$h: has namespaces already"
	done)
check "each host has its own /run and /etc/netns, no namespace yet" "$out"

# --- 0. the harness with a one-host lab ---------------------------------
L=nslt-mh-one
t0=$(now)
out=$(nsl a up --name $L "$SRC/topologies/router.ini" 2>&1) && out2=$(nsl b up --name $L "$SRC/topologies/router.ini" 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
	ok "harness: router.ini up as $L in host a, and under the same name in host b"
else
	notok "harness: router.ini up as $L in host a, and under the same name in host b" "$out ${out2:-}"
fi
check "harness: host a has h1 r1 h2 of $L" "$(got=$(nodes a $L); [ "$got" = "h1 h2 r1 " ] || echo "got: $got")"
out=$(nsl a ping $L h1 h2 2>&1)
case $out in *" 0% packet loss"*) ok "harness: nslab ping $L h1 h2 inside host a" ;;
*) notok "harness: nslab ping $L h1 h2 inside host a" "$out" ;; esac
out=$(simhost_leftovers a $L)
case $out in *"namespace $L-h1"*"/run/nslab/$L"*) ok "harness: simhost_leftovers sees the lab while it is up" ;;
*) notok "harness: simhost_leftovers sees the lab while it is up" "$out" ;; esac
out=$(ip netns list | grep -- "^$L"; ls -d "/run/nslab/$L" /etc/netns/"$L"-* 2>/dev/null)
check "harness: the test's own namespace sees none of $L (ip netns, /run/nslab)" "$out"
out=$(down_all $L)
check "harness: $L down in a and b" "$out"
check "harness: nothing of $L is left on any host" "$(clean $L)"
echo "# harness: $(secs "$t0" "$(now)") s"

# --- is the core there? ---------------------------------------------------
CORE=1 CLUSTER=1
"$N" help up 2>/dev/null | grep -q -- '--host' && "$N" validate "$MH/router-2.ini" >/dev/null 2>&1 || CORE=0
"$N" help cluster >/dev/null 2>&1 || CLUSTER=0
[ "$CORE" = 1 ] || echo "# skipped: core not there yet ([hosts], nslab up --host)"
[ "$CLUSTER" = 1 ] || echo "# skipped: nslab cluster not built yet"

# jqv HOST NODE-NS IF FILTER: a value of 'ip -j -d link show IF' in a node
jqv() {
	simhost_run "$1" ip netns exec "$2" ip -j -d link show "$3" 2>/dev/null | jq -r ".[0] | $4" 2>/dev/null
}
# vxlan_is HOST NODE-NS IF REMOTE VNI: what differs from a VXLAN to REMOTE,
# VNI, port 4789, MTU 1450, whose socket is in another namespace, with an
# index of 2^30 or more (one the host's own namespace has not: older
# kernels look a new link's index up there, hosts.c)
vxlan_is() {
	local got
	got=$(jqv "$1" "$2" "$3" '"\(.linkinfo.info_kind) \(.linkinfo.info_data.remote) \(.linkinfo.info_data.id) \(.linkinfo.info_data.port) \(.mtu) \(.link_netnsid != null) \(.ifindex >= 1073741824)"')
	[ "$got" = "vxlan $4 $5 4789 1450 true true" ] ||
		echo "$1: $2 $3 (kind remote vni port mtu socket-elsewhere high-index): got '$got', want 'vxlan $4 $5 4789 1450 true true'"
}

# --- a. router over two hosts ------------------------------------------
A="a. router-2"
L=nslt-mh-rt
F=$MH/router-2.ini
if [ "$CORE" = 0 ]; then
	for d in "validates, plans each part with its VXLAN" "up without --host refuses, nothing made" \
		"up --host a and --host b" "each host has its nodes" "check on each host: every expectation holds" \
		"the cross-host interfaces are VXLAN (remote, VNI 5000, port 4789, MTU 1450, an index above the host's)" \
		"the VXLAN sockets are in the hosts' namespaces, not the nodes'" \
		"b's part refused on host a, a's part untouched" \
		"a second lab with VNI 5000 on the same hosts is refused, nothing made" \
		"b's underlay cable out, h1 does not reach h2; back in, it does" "down on both hosts" "nothing is left on any host"; do
		skip "$A: $d" "core not there yet"
	done
else
	t0=$(now)
	out=$("$N" validate "$F" 2>&1)
	rc=$?
	pa=$("$N" plan --host a "$F" 2>&1) || rc=$?
	pb=$("$N" plan --host b "$F" 2>&1) || rc=$?
	case "$rc|$pa|$pb" in
	0\|*vxlan*198.18.0.2*\|*vxlan*198.18.0.1*) ok "$A: validates, plans each part with its VXLAN" ;;
	*) notok "$A: validates, plans each part with its VXLAN" "exit $rc: $out
plan --host a:
$pa
plan --host b:
$pb" ;;
	esac
	out=$(nsl a up "$F" 2>&1)
	rc=$?
	left=$(clean $L)
	if [ "$rc" != 0 ] && [ -z "$left" ]; then
		ok "$A: up without --host refuses, nothing made ($(printf '%s' "$out" | head -n 1))"
	else
		notok "$A: up without --host refuses, nothing made" "exit $rc: $out
$left"
	fi
	out=$(nsl a up --host a "$F" 2>&1) && out=$(nsl b up --host b "$F" 2>&1)
	rc=$?
	check "$A: up --host a and --host b" "$(bad $rc "$out")"
	check "$A: each host has its nodes" "$(got=$(nodes a $L)$(nodes b $L); [ "$got" = "h1 r1 h2 " ] || echo "a then b: $got")"
	out=$(checks $L a b)
	grep -q 'ok *reach h1 -> h2' "$WORK/check.$L.a" && grep -q 'ok *reach h2 -> h1' "$WORK/check.$L.b" &&
		! grep -q 'reach h2 ' "$WORK/check.$L.a" && ! grep -q 'reach h1 \|reach r1 ' "$WORK/check.$L.b" ||
		out="$out
each host's check must run exactly its own nodes' expectations:
a: $(cat "$WORK/check.$L.a")
b: $(cat "$WORK/check.$L.b")"
	check "$A: check on each host: every expectation holds ($(tail -n 1 "$WORK/check.$L.a" | cut -d' ' -f1-3) on a, $(tail -n 1 "$WORK/check.$L.b" | cut -d' ' -f1-3) on b)" "$out"
	out=$(vxlan_is b $L-h2 eth0 198.18.0.1 5000; vxlan_is a $L-r1 eth1 198.18.0.2 5000)
	check "$A: the cross-host interfaces are VXLAN (remote, VNI 5000, port 4789, MTU 1450, an index above the host's)" "$out"
	out=$(for h in a b; do
		simhost_run "$h" ss -Huln | grep -q ':4789 ' || echo "$h: no UDP socket on 4789 in the host's namespace: $(simhost_run "$h" ss -Huln)"
		done
		for ns in b:$L-h2 a:$L-r1 a:$L-h1; do
			simhost_run "${ns%%:*}" ip netns exec "${ns#*:}" ss -Huln | grep ':4789 ' | sed "s/^/$ns has a socket on 4789: /"
		done)
	check "$A: the VXLAN sockets are in the hosts' namespaces, not the nodes'" "$out"
	# the wrong host: b's part on a (198.18.0.2 is not a's address)
	out=$(nsl a up --host b "$F" 2>&1)
	rc=$?
	left=$(simhost_leftovers a $L | grep -v -e "namespace $L-h1\$" -e "namespace $L-r1\$" -e "/run/nslab/$L\$")
	if [ "$rc" = 1 ] && [ -z "$left" ] && [ "$(nodes a $L)" = "h1 r1 " ]; then
		ok "$A: b's part refused on host a, a's part untouched ($(printf '%s' "$out" | head -n 1))"
	else
		notok "$A: b's part refused on host a, a's part untouched" "exit $rc: $out
$left
nodes on a: $(nodes a $L)"
	fi
	# a second lab on the same hosts with the same VNI: refused, nothing made
	sed 's/^name = nslt-mh-rt$/name = nslt-mh-rt2/' "$F" >"$WORK/rt2.ini"
	out=$(nsl a up --host a "$WORK/rt2.ini" 2>&1)
	rc=$?
	left=$(clean nslt-mh-rt2)
	case "$rc|$left|$out" in
	1\|\|*"VNI 5000"*"taken"*) ok "$A: a second lab with VNI 5000 on the same hosts is refused, nothing made" ;;
	*) notok "$A: a second lab with VNI 5000 on the same hosts is refused, nothing made" "exit $rc: $out
$left" ;;
	esac
	# the traffic goes over the underlay: with b's cable out, h1 cannot
	# reach h2; plugged back, it can
	simhost_run b ip link set eth0 down
	out=$(nsl a ping $L h1 10.0.2.10 2>&1)
	rc=$?
	simhost_run b ip link set eth0 up
	out2=$(nsl a ping $L h1 10.0.2.10 2>&1)
	rc2=$?
	case "$rc|$out|$rc2|$out2" in
	[1-9]*\|*" 100% packet loss"*\|0\|*" 0% packet loss"*)
		ok "$A: b's underlay cable out, h1 does not reach h2; back in, it does" ;;
	*) notok "$A: b's underlay cable out, h1 does not reach h2; back in, it does" "cable out: exit $rc: $out
cable in: exit $rc2: $out2" ;;
	esac
	# a node of the other host by name: its address from the topology
	out=$(nsl a ping $L h1 h2 2>&1)
	case $out in
	*"PING 10.0.2.10 "*" 0% packet loss"*) ok "$A: nslab ping h1 h2 on host a names a node of host b" ;;
	*) notok "$A: nslab ping h1 h2 on host a names a node of host b" "$out" ;;
	esac
	check "$A: down on both hosts" "$(down_all $L)"
	check "$A: nothing is left on any host" "$(clean $L)"
	echo "# $A: $(secs "$t0" "$(now)") s"
fi

# --- b. flannel on three hosts ------------------------------------------
A="b. flannel-3"
L=nslt-mh-k8s
F=$MH/flannel-3.ini
if [ "$CORE" = 0 ]; then
	for d in "up --host on a, b, c" "each host has its Kubernetes node and pods" \
		"check on each host: every pod reaches every pod, every node every pod" \
		"1400-byte packets cross both VXLAN layers from a to c; 1450 gets 'Frag needed' (mtu 1400)" \
		"down --host H FILE on every host" \
		"nothing is left on any host"; do
		skip "$A: $d" "core not there yet"
	done
else
	t0=$(now)
	par_up $L "$F"
	check "$A: up --host on a, b, c" "$(par_status $L)"
	check "$A: each host has its Kubernetes node and pods" "$(for i in 1 2 3; do
		h=$(echo "a b c" | cut -d' ' -f$i)
		got=$(nodes "$h" $L)
		[ "$got" = "node$i pod$i-1 pod$i-2 " ] || echo "$h: $got"
		done)"
	out=$(checks $L a b c)
	total=$(cat "$WORK"/check.$L.? | grep -c '^  ok ')
	[ "$total" -ge 27 ] || out="$out
only $total expectations passed in all (want 6x6-6 pod pairs + 3x6 node-pod pairs at least 27)"
	check "$A: check on each host: every pod reaches every pod, every node every pod ($total in all)" "$out"
	# two VXLAN layers (flannel.1 in the node's, the switch's between
	# hosts) within the underlay's 1500: the nodes' eth0 is 1450, flannel.1
	# 1400, and a packet of 1400 with DF crosses from a to c (one of 1450
	# gets "Frag needed", never a silent drop)
	out=$(simhost_run a ip netns exec $L-pod1-1 ping -c 1 -W 2 -M "do" -s 1372 10.244.3.2 2>&1) ||
		out="a 1400-byte packet with DF, pod1-1 (a) -> pod3-1 (c): $out"
	case $out in *" 0% packet loss"*) out='' ;; esac
	o=$(simhost_run a ip netns exec $L-pod1-1 ping -c 1 -W 2 -M "do" -s 1422 10.244.3.2 2>&1)
	case $o in *"Frag needed"*"mtu = 1400"*) ;; *) out="$out
a 1450-byte packet with DF, pod1-1 -> pod3-1, want 'Frag needed ... mtu = 1400': $o" ;; esac
	check "$A: 1400-byte packets cross both VXLAN layers from a to c; 1450 gets 'Frag needed' (mtu 1400)" "$out"
	# down as each host's part: 'down --host H FILE'
	out=$(for h in $HOSTS; do
		o=$(nsl "$h" down --host "$h" "$F" 2>&1) || echo "$h: down --host $h: $o"
		done)
	check "$A: down --host H FILE on every host" "$out"
	check "$A: nothing is left on any host" "$(clean $L)"
	echo "# $A: $(secs "$t0" "$(now)") s"
fi

# --- c. a star of 300 over three hosts, and the measurement --------------
A="c. star-300"
L=nslt-mh-star
F=$MH/star-300.ini
# the same lab without [hosts] (nor a node's host =)
awk '/^\[/ {skip = ($0 == "[hosts]")} skip {next} /^host[ \t]*=/ {next} {print}' "$F" >"$WORK/star-1.ini"
if [ "$CORE" = 0 ]; then
	for d in "the same lab on one host (host a), for the measurement" "up --host on a, b, c at once" \
		"100 nodes on each host" "check on each host: the sampled cross-host pairs reach each other" \
		"up of the three parts within ${RATIO_MAX}x of the one-host up" "down on every host" "nothing is left on any host"; do
		skip "$A: $d" "core not there yet"
	done
else
	# five rounds, each the one-host up then the three parts at once (what
	# else runs on the machine weighs on both alike); the medians compared;
	# the one-host lab is checked once, the three-host lab stays up after
	# the last round for the checks below
	ones='' multis='' out1='' out=''
	for round in 1 2 3 4 5; do
		t0=$(now)
		o=$(nsl a up "$WORK/star-1.ini" 2>&1)
		rc=$?
		t=$(secs "$t0" "$(now)")
		ones="$ones $t"
		echo "# star-300 round $round, one host: up $t s ($(printf '%s' "$o" | tail -n 1))"
		[ "$rc" = 0 ] || out1="$out1
round $round: up on one host: exit $rc: $o"
		if [ "$round" = 1 ] && [ "$rc" = 0 ]; then
			o=$(nsl a check $L 2>&1) || out1="$out1
check on one host: $o"
		fi
		out1="$out1$(down_all $L)$(clean $L)"
		t0=$(now)
		par_up $L "$F"
		t=$(secs "$t0" "$(now)")
		multis="$multis $t"
		echo "# star-300 round $round, three hosts at once: up $t s (a: $(tail -n 1 "$WORK/$L.a.out"); b: $(tail -n 1 "$WORK/$L.b.out"); c: $(tail -n 1 "$WORK/$L.c.out"))"
		out="$out$(par_status $L)"
		[ "$round" = 5 ] || out="$out$(down_all $L)$(clean $L)"
	done
	one=$(median "$ones")
	multi=$(median "$multis")
	check "$A: the same lab on one host (host a), for the measurement: up $one s (median of$ones), its check passes, nothing left" "$out1"
	check "$A: up --host on a, b, c at once: $multi s (median of$multis)" "$out"
	check "$A: 100 nodes on each host" "$(for h in $HOSTS; do
		c=$(nodes "$h" $L | wc -w)
		[ "$c" = 100 ] || echo "$h: $c nodes"
		done)"
	out=$(checks $L a b c)
	total=$(cat "$WORK"/check.$L.? | grep -c '^  ok ')
	[ "$total" = 10 ] || out="$out
$total expectations passed in all, want 10"
	check "$A: check on each host: the sampled cross-host pairs reach each other ($total)" "$out"
	ratio=$(awk -v a="$one" -v b="$multi" 'BEGIN {printf "%.2f", b / a}')
	echo "# measurement: star of 300 nodes, up on one host $one s, on three hosts in parallel $multi s (wall clock): ${ratio}x (target ${RATIO_MAX}x)"
	if [ -n "${NSLAB_SANITIZED:-}" ]; then
		skip "$A: up of the three parts within ${RATIO_MAX}x of the one-host up (${ratio}x)" "a sanitized build: time bounds are for the plain build"
	elif awk -v r="$ratio" -v m="$RATIO_MAX" 'BEGIN {exit !(r <= m)}'; then
		ok "$A: up of the three parts within ${RATIO_MAX}x of the one-host up (${ratio}x)"
	else
		notok "$A: up of the three parts within ${RATIO_MAX}x of the one-host up" \
			"one host $one s, three hosts $multi s: ${ratio}x"
	fi
	check "$A: down on every host" "$(down_all $L)"
	check "$A: nothing is left on any host" "$(clean $L)"
	echo "# $A: $(secs "$t0" "$(now)") s"
fi

# --- e. rollback, one host at a time (the core) ---------------------------
A="e. rollback-3"
L=nslt-mh-rb
F=$MH/rollback-3.ini
if [ "$CORE" = 0 ]; then
	for d in "the parts of a and b come up" "the part of c fails (startup = false), leaving nothing on c" \
		"down on a and b leaves nothing"; do
		skip "$A: $d" "core not there yet"
	done
else
	out=$(nsl a up --host a "$F" 2>&1) && out=$(nsl b up --host b "$F" 2>&1)
	rc=$?
	check "$A: the parts of a and b come up" "$(bad $rc "$out")"
	out=$(nsl c up --host c "$F" 2>&1)
	rc=$?
	left=$(clean $L c)
	if [ "$rc" = 1 ] && [ -z "$left" ]; then
		ok "$A: the part of c fails (startup = false), leaving nothing on c"
	else
		notok "$A: the part of c fails (startup = false), leaving nothing on c" "exit $rc: $out
$left"
	fi
	check "$A: down on a and b leaves nothing" "$(down_all $L)$(clean $L)"
fi

# --- d. and e. through nslab cluster ------------------------------------
export NSLAB_CLUSTER_TRANSPORT=$TRANSPORT NSLAB_SIMHOST_DIR NSLAB_BIN=$N
A="d. cluster"
if [ "$CORE" = 0 ] || [ "$CLUSTER" = 0 ]; then
	why="nslab cluster not built yet"
	[ "$CORE" = 1 ] || why="core not there yet"
	for d in "cluster up router-2.ini" "cluster check: every expectation holds" "cluster down" \
		"nothing is left on any host" "cluster test flannel-3.ini" "nothing is left on any host after cluster test" \
		"cluster up star-300.ini (timed)" "cluster down star-300.ini, nothing left" \
		"e. cluster up rollback-3.ini fails on c, and takes down the parts of a and b" "e. after the failed cluster up, nothing of the lab on any host"; do
		skip "$A: $d" "$why"
	done
else
	L=nslt-mh-rt
	F=$MH/router-2.ini
	out=$("$N" cluster up "$F" 2>&1)
	rc=$?
	got=$(nodes a $L)$(nodes b $L)
	if [ "$rc" = 0 ] && [ "$got" = "h1 r1 h2 " ]; then
		ok "$A: cluster up router-2.ini"
	else
		notok "$A: cluster up router-2.ini" "exit $rc; nodes on a then b: $got; $out"
	fi
	out=$("$N" cluster check "$F" 2>&1)
	rc=$?
	# every expectation from both hosts: 7 from a's nodes, 4 from b's
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q "^11 of 11 expectations hold in lab '$L' on 2 hosts"; then
		ok "$A: cluster check: every expectation holds ($(printf '%s\n' "$out" | tail -n 1))"
	else
		notok "$A: cluster check: every expectation holds (11 of 11 on 2 hosts)" "exit $rc: $out"
	fi
	out=$("$N" cluster down "$F" 2>&1)
	rc=$?
	check "$A: cluster down" "$(bad $rc "$out")"
	check "$A: nothing is left on any host" "$(clean $L)"

	L=nslt-mh-k8s
	out=$("$N" cluster test "$MH/flannel-3.ini" 2>&1)
	rc=$?
	check "$A: cluster test flannel-3.ini" "$(bad $rc "$out")"
	check "$A: nothing is left on any host after cluster test" "$(clean $L)"

	L=nslt-mh-star
	t0=$(now)
	out=$("$N" cluster up "$MH/star-300.ini" 2>&1)
	rc=$?
	cl=$(secs "$t0" "$(now)")
	check "$A: cluster up star-300.ini: $cl s" "$([ $rc = 0 ] || echo "$out")"
	echo "# measurement: star of 300 nodes, nslab cluster up (three hosts through transport.sh): $cl s"
	out=$("$N" cluster down "$MH/star-300.ini" 2>&1)
	rc=$?
	check "$A: cluster down star-300.ini, nothing left" "$(bad $rc "$out")$(clean $L)"

	L=nslt-mh-rb
	out=$("$N" cluster up "$MH/rollback-3.ini" 2>&1)
	rc=$?
	# it fails, naming c, and takes down the parts of a and b it had made
	if [ "$rc" = 1 ] && printf '%s\n' "$out" | grep -q "failed on host 'c'" &&
		printf '%s\n' "$out" | grep -qF "[a] lab '$L' is down" &&
		printf '%s\n' "$out" | grep -qF "[b] lab '$L' is down"; then
		ok "$A: e. cluster up rollback-3.ini fails on c, and takes down the parts of a and b"
	else
		notok "$A: e. cluster up rollback-3.ini fails on c, and takes down the parts of a and b" "exit $rc: $out"
	fi
	printf '%s\n' "$out" | sed 's/^/#   /'
	check "$A: e. after the failed cluster up, nothing of the lab on any host" "$(clean $L)"
fi

# --- g. nslab cluster over real OpenSSH -----------------------------------
# sshd in hosts a and b (on their underlay addresses, a key of the test's
# own), nslab cluster run in host a: the same commands as through the
# transport, through ssh and a remote shell's quoting
A="g. ssh"
if [ "$CORE" = 0 ] || [ "$CLUSTER" = 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null ||
	! command -v ssh-keygen >/dev/null; then
	for d in "sshd in hosts a and b" "cluster up router-2.ini over ssh" "cluster check over ssh" \
		"cluster down over ssh, nothing left"; do
		skip "$A: $d" "OpenSSH is not installed (Debian's openssh-server, openssh-client)"
	done
else
	L=nslt-mh-rt
	F=$MH/router-2.ini
	K=$WORK/ssh
	mkdir -m 700 "$K"
	ssh-keygen -q -t ed25519 -N '' -C nslt-mh -f "$K/id" &&
		ssh-keygen -q -t ed25519 -N '' -C nslt-mh-host -f "$K/hostkey" &&
		cp "$K/id.pub" "$K/authorized_keys"
	out=''
	for i in 1 2; do
		h=$(echo "a b" | cut -d' ' -f$i)
		cat >"$K/sshd-$h.conf" <<EOC
ListenAddress 198.18.0.$i
Port 22
HostKey $K/hostkey
PidFile /run/nslt-mh-sshd.pid
AuthorizedKeysFile $K/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
EOC
		simhost_run "$h" mkdir -p /run/sshd
		simhost_run "$h" /usr/sbin/sshd -f "$K/sshd-$h.conf" -E "$K/sshd-$h.log" ||
			out="$out$h: sshd did not start: $(cat "$K/sshd-$h.log")
"
	done
	for _ in $(seq 50); do
		simhost_run a ss -Hltn | grep -q '198.18.0.1:22 ' && simhost_run b ss -Hltn | grep -q '198.18.0.2:22 ' && break
		sleep 0.1
	done
	check "$A: sshd in hosts a and b" "$out"
	SSH="--ssh-option IdentityFile=$K/id --ssh-option IdentitiesOnly=yes --ssh-option UserKnownHostsFile=/dev/null --ssh-option StrictHostKeyChecking=no --ssh-option LogLevel=ERROR --ssh-option ConnectTimeout=5 --remote-nslab $N"
	# shellcheck disable=SC2086 # SSH is words
	out=$(simhost_run a env -u NSLAB_CLUSTER_TRANSPORT HOME="$K" "$N" cluster up $SSH "$F" 2>&1)
	rc=$?
	got=$(nodes a $L)$(nodes b $L)
	if [ "$rc" = 0 ] && [ "$got" = "h1 r1 h2 " ]; then
		ok "$A: cluster up router-2.ini over ssh"
	else
		notok "$A: cluster up router-2.ini over ssh" "exit $rc; nodes on a then b: $got; $out
sshd: $(cat "$K"/sshd-*.log)"
	fi
	# shellcheck disable=SC2086
	out=$(simhost_run a env -u NSLAB_CLUSTER_TRANSPORT HOME="$K" "$N" cluster check $SSH "$F" 2>&1)
	rc=$?
	if [ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q "^11 of 11 expectations hold in lab '$L' on 2 hosts"; then
		ok "$A: cluster check over ssh ($(printf '%s\n' "$out" | tail -n 1))"
	else
		notok "$A: cluster check over ssh (11 of 11 on 2 hosts)" "exit $rc: $out"
	fi
	# shellcheck disable=SC2086
	out=$(simhost_run a env -u NSLAB_CLUSTER_TRANSPORT HOME="$K" "$N" cluster down $SSH "$F" 2>&1)
	rc=$?
	for h in a b; do
		pid=$(cat "/proc/$(simhost_pid "$h")/root/run/nslt-mh-sshd.pid" 2>/dev/null) &&
			kill "$pid" 2>/dev/null
	done
	for _ in $(seq 50); do
		simhost_run a ss -Hltn | grep -q ':22 ' || simhost_run b ss -Hltn | grep -q ':22 ' || break
		sleep 0.1
	done
	check "$A: cluster down over ssh, nothing left" "$(bad $rc "$out")$(clean $L)"
fi
