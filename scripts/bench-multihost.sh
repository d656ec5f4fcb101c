#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Time the up of a star split over simulated hosts (tests/multihost/
# simhost.sh: network and mount namespaces of this machine, joined by an
# underlay bridge), every host's 'nslab up --host' at once, against the up of
# the same lab whole on one of those hosts. Needs root; runs inside
# tests/isolate.sh, so nothing of the machine's is seen or touched.
#
#   scripts/bench-multihost.sh                      300 nodes, 3 hosts, 5 rounds
#   scripts/bench-multihost.sh --nodes 900 --hosts 3 --runs 3
#
# The star is 'nslab gen star' on one switch (no leaves: a Linux bridge takes
# at most 1023 ports, so up to 1000 nodes), its nodes placed in equal runs
# (h1.. on host 1, and so on), the switch on every host. Each round is the
# one-host up, then the split up (what else runs weighs on both alike);
# the medians and their ratio are printed (issue #22's target: 1.5x).
# A benchmark, not a test: it fails only if a lab does not come up.
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=300 HOSTS=3 RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	--nodes) NODES=$2; shift 2 ;;
	--hosts) HOSTS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	-h | --help)
		sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	*) echo "usage: $0 [--nodes N] [--hosts H] [--runs R]; $0 --help for more" >&2; exit 2 ;;
	esac
done
case "$NODES $HOSTS $RUNS" in *[!0-9\ ]*) echo "bench-multihost.sh: numbers only" >&2; exit 2 ;; esac
if ! { [ "$NODES" -ge "$HOSTS" ] && [ "$NODES" -le 1000 ] && [ "$HOSTS" -ge 2 ] && [ "$HOSTS" -le 250 ] &&
	[ "$RUNS" -ge 1 ]; }; then
	echo "bench-multihost.sh: 2 <= hosts <= nodes <= 1000, runs >= 1" >&2
	exit 2
fi
[ "$(id -u)" = 0 ] || { echo "bench-multihost.sh: needs root" >&2; exit 2; }
if [ "${NSLAB_ISOLATED:-}" != 1 ]; then
	BUILD=${BUILD:-build}
	if [ ! -x "$BUILD/src/nslab" ]; then
		# shellcheck source=scripts/lib.sh
		. scripts/lib.sh
		# shellcheck disable=SC2119 # no meson options
		build_nslab
	fi
	NSLAB_BIN=${NSLAB_BIN:-$PWD/$BUILD/src/nslab} exec tests/isolate.sh "$0" --nodes "$NODES" --hosts "$HOSTS" --runs "$RUNS"
fi
N=${NSLAB_BIN:?}
LAB=nslt-mh-bench
. tests/multihost/simhost.sh

WORK=$(mktemp -d /tmp/nslt-mh-bench.XXXXXX)
cleanup() {
	local h
	for h in $(simhost_names 2>/dev/null); do
		simhost_run "$h" "$N" down "$LAB" >/dev/null 2>&1 || true
	done
	simhost_destroy_all || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# the split star, and the same without [hosts] and host =
"$N" gen star --nodes "$NODES" --name "$LAB" |
	sed '/^\[node leaf/d; /^\[bridge leaf/d; /^link = leaf.*sw$/d; s/ leaf[0-9]*:br0$/ sw/; /^; [0-9]* hosts on/d' |
	awk -v n="$NODES" -v hosts="$HOSTS" '
	{print}
	$0 == "name = '"$LAB"'" {
		print ""; print "[hosts]"
		for (i = 1; i <= hosts; i++) print "s" i " = 198.18.0." i
	}
	/^\[node h[0-9]+\]$/ {
		i = substr($2, 2) + 0
		print "host = s" int((i - 1) * hosts / n) + 1
	}' >"$WORK/split.ini"
grep -v '^host = ' "$WORK/split.ini" | awk '/^\[/ {skip = ($0 == "[hosts]")} !skip' >"$WORK/one.ini"
"$N" validate "$WORK/split.ini"
"$N" validate "$WORK/one.ini"

simhost_init ""
for i in $(seq "$HOSTS"); do
	simhost_create "s$i" "$i"
done

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
down() {
	local i
	for i in $(seq "$HOSTS"); do simhost_run "s$i" "$N" down "$LAB" >/dev/null; done
}

printf '%-6s %12s %12s %7s\n' round "one host s" "$HOSTS hosts s" ratio
ones='' splits=''
for r in $(seq "$RUNS"); do
	t0=$(now)
	simhost_run s1 "$N" up "$WORK/one.ini" >"$WORK/one.out" 2>&1 || { cat "$WORK/one.out" >&2; exit 1; }
	one=$(secs "$t0" "$(now)")
	down
	t0=$(now)
	for i in $(seq "$HOSTS"); do
		simhost_run "s$i" "$N" up --host "s$i" "$WORK/split.ini" >"$WORK/s$i.out" 2>&1 &
	done
	failed=0
	for job in $(jobs -p); do wait "$job" || failed=1; done
	split=$(secs "$t0" "$(now)")
	[ "$failed" = 0 ] || { cat "$WORK"/s*.out >&2; exit 1; }
	if [ "$r" = 1 ]; then # the split lab works: a node of the last host reaches h1
		simhost_run "s$HOSTS" "$N" ping "$LAB" "h$NODES" 10.0.0.1 >/dev/null 2>&1 ||
			{ echo "bench-multihost.sh: h$NODES on s$HOSTS does not reach h1 on s1" >&2; exit 1; }
	fi
	down
	ones="$ones $one" splits="$splits $split"
	printf '%-6s %12s %12s %7s\n' "$r" "$one" "$split" "$(awk -v a="$one" -v b="$split" 'BEGIN {printf "%.2f", b / a}')"
done
one=$(echo "$ones" | median)
split=$(echo "$splits" | median)
printf '%-6s %12s %12s %7s\n' median "$one" "$split" "$(awk -v a="$one" -v b="$split" 'BEGIN {printf "%.2fx", b / a}')"
echo "star of $NODES nodes: up on one host $one s, on $HOSTS hosts at once $split s (wall clock, median of $RUNS; $(nproc) CPUs)"
