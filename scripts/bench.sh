#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Time nslab up and down for star, linear and a flannel k8s lab at several
# sizes, and the same star built with iproute2's batch mode; print a table,
# the ratios, the per-node cost and nslab's peak RSS; then explain (one path
# and its reply) and diff on the largest star and k8s lab. Needs root.
#
#   scripts/bench.sh                           N = 10 100 500 1000 2000 10000, 5 runs each
#   scripts/bench.sh --sizes "100 500" --runs 3
#   scripts/bench.sh --sizes 100 --runs 1      CI's smoke test
#
# A benchmark, not a test: it fails only if a lab does not come up.
# docs/performance.md has the figures and how they are kept fair.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SIZES="10 100 500 1000 2000 10000"
RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) SIZES=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	-h | --help)
		sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'
		exit 0 ;;
	*) echo "usage: $0 [--sizes \"N ...\"] [--runs R]; $0 --help for more" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench.sh: needs root" >&2; exit 2; }
install_missing "${NSLAB_BUILD_PACKAGES[@]}" "${NSLAB_RUN_PACKAGES[@]}" bc time
build_nslab
NSLAB=$BUILD/src/nslab
WORK=$(mktemp -d /tmp/nslab-bench.XXXXXX)
BARRIER=bench-barrier # see settle()
# only the benchmark's own labs: a user's labs stay as they are
cleanup() {
	local l
	for l in bench-star bench-linear bench-k8s; do "$NSLAB" down "$l" >/dev/null 2>&1 || true; done
	ip netns del $BARRIER >/dev/null 2>&1 || true
	ip netns del $BARRIER-witness >/dev/null 2>&1 || true
	if [ -f "$WORK/ip/down.batch" ]; then ip -batch "$WORK/ip/down.batch" >/dev/null 2>&1 || true; fi
	rm -rf "$WORK"
	if [ -n "$bench_tmpfs" ] && [ "$(findmnt -rn -o SOURCE --mountpoint /run/netns)" = bench-netns ]; then
		umount /run/netns 2>/dev/null || true
	fi
	run_netns_restore "$netns_before"
	return 0 # the script's status is the benchmark's, not the cleanup's
}
netns_before=$(run_netns_state) bench_tmpfs=
trap cleanup EXIT
# /run is a tmpfs on a standard system, so /run/netns is too; where it is on
# a disk (this VM), nslab and iproute2 alike get one for the benchmark.
mkdir -p /run/netns
if [ "$(stat -f -c %T /run/netns)" != tmpfs ] && [ -z "$(ls -A /run/netns)" ]; then
	mount -t tmpfs -o mode=0755 bench-netns /run/netns && bench_tmpfs=yes
fi
for l in $BARRIER $BARRIER-witness; do ip netns del $l >/dev/null 2>&1 || true; done # a killed run's
ip netns add $BARRIER-witness

now() { date +%s.%N; }
# stats: median min max of the numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f %.3f %.3f", m, v[1], v[NR] }'; }
# Let the kernel finish destroying the last lab's namespaces: cleanup_net
# runs after down returns, holds the rtnl lock, and would be timed with the
# next up. The kernel destroys namespaces in batches, in order, on one work
# queue. A barrier namespace holds one end of a veth whose other end lives
# in a witness namespace for the whole benchmark; that end vanishes when
# the barrier's batch has torn down its devices. Devices go before the
# other exit handlers of a batch, so the first barrier may share the lab's
# batch; a second one, deleted after the first has vanished, is in the next
# batch, which the queue starts only when the lab's batch is done.
# (The net_namespace slab count is no measure: SLUB counts the free objects
# of per-CPU slabs as used, and the kernel frees the structures late.)
settle() {
	local i k
	for k in 1 2; do
		ip netns add $BARRIER
		ip -n $BARRIER link add x type veth peer name gone netns $BARRIER-witness
		ip netns del $BARRIER
		for ((i = 0; i < 600; i++)); do
			ip -n $BARRIER-witness link show gone >/dev/null 2>&1 || break
			sleep 0.05
		done
		if ip -n $BARRIER-witness link del gone >/dev/null 2>&1; then
			echo "bench.sh: the kernel took over 30 s to destroy a lab; timing goes on" >&2
		fi
	done
	sleep "$1"
}

# The same star as iproute2 builds it fastest: one batch per namespace, and
# one for all the namespaces themselves.
ip_star() { # N DIR: the tree "nslab gen star" builds (leaf switches of 250 in their own namespaces)
	local n=$1 d=$2 i k leaf=250 leaves=0
	[ "$n" -gt "$leaf" ] && leaves=$(( (n + leaf - 1) / leaf ))
	{
		echo "netns add bench-ip-sw"
		for ((k = 1; k <= leaves; k++)); do echo "netns add bench-ip-leaf$k"; done
		for ((i = 1; i <= n; i++)); do echo "netns add bench-ip-h$i"; done
	} > "$d/ns.batch"
	{ echo "link set lo up"; echo "link add sw up type bridge"; } > "$d/sw.batch"
	for ((k = 1; k <= leaves; k++)); do
		{
			echo "link set lo up"
			echo "link add br0 up type bridge"
			echo "link add up master br0 up type veth peer name leaf$k netns bench-ip-sw"
			echo "link set leaf$k master sw up" >> "$d/sw2.batch"
		} > "$d/leaf$k.batch"
	done
	for ((i = 1; i <= n; i++)); do
		if [ "$leaves" -gt 0 ]; then
			k=$(( (i - 1) / leaf + 1 ))
			echo "link add h$i-eth0 master br0 up type veth peer name eth0 netns bench-ip-h$i" >> "$d/leaf$k.batch"
		else
			echo "link add h$i-eth0 master sw up type veth peer name eth0 netns bench-ip-h$i" >> "$d/sw.batch"
		fi
		printf 'link set lo up\nlink set eth0 up\naddr add 10.0.%d.%d/16 dev eth0\n' $((i >> 8)) $((i & 255)) > "$d/h$i.batch"
	done
	{
		echo "netns del bench-ip-sw"
		for ((k = 1; k <= leaves; k++)); do echo "netns del bench-ip-leaf$k"; done
		for ((i = 1; i <= n; i++)); do echo "netns del bench-ip-h$i"; done
	} > "$d/down.batch"
	cat > "$d/up.sh" <<EOF
ip -batch $d/ns.batch
ip -n bench-ip-sw -batch $d/sw.batch
for k in \$(seq 1 $leaves); do ip -n bench-ip-leaf\$k -batch $d/leaf\$k.batch; done
[ $leaves -eq 0 ] || ip -n bench-ip-sw -batch $d/sw2.batch
for i in \$(seq 1 $n); do ip -n bench-ip-h\$i -batch $d/h\$i.batch; done
EOF
}

# one shape at one size: prints "up-median up-min up-max down-median down-min down-max rss-kb"
measure() { # FILE LAB
	local file=$1 lab=$2 ups="" downs="" rss=0 r t0 t1
	for ((r = 0; r < RUNS; r++)); do
		settle 0.5
		t0=$(now)
		/usr/bin/time -f "%M" -o "$WORK/rss" "$NSLAB" up "$file" >/dev/null 2>"$WORK/err" ||
			{ cat "$WORK/err" >&2; echo "bench.sh: up $file failed" >&2; exit 1; }
		t1=$(now)
		ups+="$(echo "$t1 - $t0" | bc -l)"$'\n'
		r2=$(cat "$WORK/rss"); [ "$r2" -gt "$rss" ] && rss=$r2
		t0=$(now)
		"$NSLAB" down "$lab" >/dev/null
		t1=$(now)
		downs+="$(echo "$t1 - $t0" | bc -l)"$'\n'
	done
	echo "$(printf '%s' "$ups" | stats) $(printf '%s' "$downs" | stats) $rss"
}

measure_ip() { # N
	local n=$1 ups="" downs="" r t0 t1 d=$WORK/ip
	rm -rf "$d"; mkdir -p "$d"; ip_star "$n" "$d"; 
	for ((r = 0; r < RUNS; r++)); do
		settle 0.5
		t0=$(now); sh -e "$d/up.sh"; t1=$(now)
		ups+="$(echo "$t1 - $t0" | bc -l)"$'\n'
		t0=$(now); ip -batch "$d/down.batch"; t1=$(now)
		downs+="$(echo "$t1 - $t0" | bc -l)"$'\n'
	done
	echo "$(printf '%s' "$ups" | stats) $(printf '%s' "$downs" | stats) -"
}

printf '%-7s %6s  %-23s %-23s %8s %9s\n' shape N "up s (median min max)" "down s (median min max)" "us/node" "rss KB"
declare -A up # up[shape,N]: the median
for n in $SIZES; do
	"$NSLAB" gen star --nodes "$n" --name bench-star -o "$WORK/star$n.ini"
	"$NSLAB" gen linear --nodes "$n" --name bench-linear -o "$WORK/linear$n.ini"
	# k8s: Kubernetes nodes of 49 pods, N namespaces in all (2 x 49 at 100,
	# 200 x 49 at 10,000); fewer pods where N is smaller than 50
	nodes=$(( n >= 50 ? n / 50 : 1 )); pods=$(( n / nodes - 1 )); [ $pods -gt 49 ] && pods=49; [ $pods -lt 1 ] && pods=1
	"$NSLAB" gen k8s --nodes "$nodes" --pods "$pods" --name bench-k8s -o "$WORK/k8s$n.ini"
	for shape in star linear k8s ip-star; do
		# iproute2's star of 10,000 took 855 s (an ip process per
		# namespace): compared up to 2000
		[ "$shape" = ip-star ] && [ "$n" -gt 2000 ] && continue
		case $shape in
		star) read -r um ul uh dm dl dh rss < <(measure "$WORK/star$n.ini" bench-star) ;;
		linear) read -r um ul uh dm dl dh rss < <(measure "$WORK/linear$n.ini" bench-linear) ;;
		k8s) read -r um ul uh dm dl dh rss < <(measure "$WORK/k8s$n.ini" bench-k8s) ;;
		ip-star) read -r um ul uh dm dl dh rss < <(measure_ip "$n") ;;
		esac
		up[$shape,$n]=$um
		printf '%-7s %6d  %-23s %-23s %8.0f %9s\n' "$shape" "$n" "$um $ul $uh" "$dm $dl $dh" \
			"$(echo "$um * 1000000 / $n" | bc -l)" "$rss"
	done
done
echo
for n in $SIZES; do
	[ -n "${up[ip-star,$n]:-}" ] || continue
	printf 'N=%-5d nslab star up is %.1fx faster than ip -batch\n' "$n" \
		"$(echo "${up[ip-star,$n]} / ${up[star,$n]}" | bc -l)"
done
first=${SIZES%% *}; last=${SIZES##* }
# the linearity target compares with N=100 when it was measured
case " $SIZES " in *" 100 "*) [ "$last" != 100 ] && first=100 ;; esac
if [ "$first" != "$last" ]; then
	for shape in star linear k8s; do
		printf '%-6s per-node cost: %.0f us at N=%d, %.0f us at N=%d (ratio %.2f)\n' "$shape" \
			"$(echo "${up[$shape,$first]} * 1000000 / $first" | bc -l)" "$first" \
			"$(echo "${up[$shape,$last]} * 1000000 / $last" | bc -l)" "$last" \
			"$(echo "(${up[$shape,$last]} / $last) / (${up[$shape,$first]} / $first)" | bc -l)"
	done
fi

# Understanding a lab at the largest size: explain of the path from the
# first host to the last (and its reply), and diff of the whole lab.
n=$last
timed() { # CMD...: the median seconds of RUNS runs (exit status 0 or 1 both fine)
	local r t0 t1 all=""
	for ((r = 0; r < RUNS; r++)); do
		t0=$(now); "$@" >/dev/null || [ $? = 1 ]; t1=$(now)
		all+="$(echo "$t1 - $t0" | bc -l)"$'\n'
	done
	printf '%s' "$all" | stats | cut -d' ' -f1
}
echo
for shape in star k8s; do
	"$NSLAB" up "$WORK/$shape$n.ini" >/dev/null 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; echo "bench.sh: up $shape$n failed" >&2; exit 1; }
	if [ $shape = star ]; then a=h1 b=h$n; else a=pod1-1 b=$(grep -o '^\[node pod[0-9-]*' "$WORK/k8s$n.ini" | tail -1 | cut -c7-); fi
	"$NSLAB" explain bench-$shape "$a" "$b" | grep -q '^  reaches' ||
		{ "$NSLAB" explain bench-$shape "$a" "$b" >&2; echo "bench.sh: explain $shape$n did not reach $b" >&2; exit 1; }
	te=$(timed "$NSLAB" explain bench-$shape "$a" "$b")
	td=$(timed "$NSLAB" diff bench-$shape)
	printf '%-6s N=%-5d explain %s %s (and back): %.1f ms   diff: %.2f s\n' "$shape" "$n" "$a" "$b" \
		"$(echo "$te * 1000" | bc -l)" "$td"
	"$NSLAB" down bench-$shape >/dev/null
done
