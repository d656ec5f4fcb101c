#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs INSIDE the VM (Debian's stock kernel, which has vrf): topologies/vrf.ini
# for real, as lab nslt-vrf. Prints TAP.   vrf.sh NSLAB SRCDIR
set -u
N=$1
SRC=$2
. "$SRC/tests/vm/check.sh"
L=nslt-vrf
R="ip -n $L-r"
T=/tmp/$L.ini
sed "s/^name = vrf\$/name = $L/" "$SRC/topologies/vrf.ini" > "$T"
# packets received by NODE's eth0, and echo requests NODE answered (its
# namespace's ICMP counters: ARP probes, which come when they will, are not
# in them)
rx() { ip -s -j -n "$L-$1" link show eth0 | jq '.[0].stats64.rx.packets'; }
echos() {
	ip netns exec "$L-$1" awk '/^Icmp:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i }
		else print $c }' /proc/net/snmp
}
# FROM pings ADDR 5 times: TO gets the 5 echo requests, OTHER none (and
# at most an ARP probe on its link)
reaches_only() { # FROM ADDR TO OTHER
	t0=$(echos "$3") o0=$(echos "$4") tr0=$(rx "$3") or0=$(rx "$4")
	ip netns exec "$L-$1" ping -q -c 5 -i 0.2 -W 2 "$2" >/dev/null || { echo "no answer"; return 1; }
	t=$(($(echos "$3") - t0)) o=$(($(echos "$4") - o0)) tr=$(($(rx "$3") - tr0)) or=$(($(rx "$4") - or0))
	echo "echo requests: $3 $t, $4 $o; packets on eth0: $3 $tr, $4 $or"
	[ "$t" -eq 5 ] && [ "$o" -eq 0 ] && [ "$tr" -ge 5 ] && [ "$or" -lt 5 ]
}
explain() { # FROM TO JQ: explain --json satisfies JQ
	"$N" explain --json "$L" "$1" "$2" | jq -e "$3" >/dev/null || { "$N" explain "$L" "$1" "$2"; return 1; }
}

echo "1..25"
echo "# guest kernel $(uname -r)"
check "nslab up topologies/vrf.ini (as $L)" "$N" up "$T"
check "ip -d link: red is a VRF on table 10, blue on table 20" sh -c \
	"$R -d -j link show red | jq -e '.[0].linkinfo.info_kind == \"vrf\" and .[0].linkinfo.info_data.table == 10' &&
	 $R -d -j link show blue | jq -e '.[0].linkinfo.info_data.table == 20'"
check "eth0 and eth1 are red's ports, eth2 and eth3 blue's" sh -c \
	"test \"\$($R -j link show master red | jq -r '[.[].ifname] | sort | join(\" \")')\" = 'eth0 eth1' &&
	 test \"\$($R -j link show master blue | jq -r '[.[].ifname] | sort | join(\" \")')\" = 'eth2 eth3'"
check "ip route show vrf red: its connected routes and its static one" sh -c \
	"$R -j route show vrf red | jq -e '[.[] | \"\\(.dst) \\(.gateway // \"-\") \\(.dev)\"] | sort ==
	 [\"10.0.1.0/24 - eth0\", \"10.0.2.0/24 - eth1\", \"10.0.3.0/24 10.0.2.10 eth1\"]'"
check "ip route show table 20: blue's, through eth2 and eth3" sh -c \
	"$R -j route show table 20 | jq -e '[.[] | select(has(\"type\") | not) | \"\\(.dst) \\(.dev)\"] | sort ==
	 [\"10.0.1.0/24 eth2\", \"10.0.2.0/24 eth3\", \"10.0.3.0/24 eth3\"]'"
check "r's main table has none of them" sh -c "test \"\$($R -j route show | jq length)\" = 0"
check "ip rule: the kernel's l3mdev rule, and no other of r's" sh -c \
	"$R -j rule show | jq -e '[.[].priority] == [0, 1000, 32766, 32767] and (.[1] | has(\"l3mdev\"))'"
check "a1 -> 10.0.2.10 reaches a2 (5 of 5), not b2 (0)" reaches_only a1 10.0.2.10 a2 b2
check "b1 -> 10.0.2.10 reaches b2 (5 of 5), not a2 (0)" reaches_only b1 10.0.2.10 b2 a2
check "a1 -> 10.0.3.10 by red's static route: a2 only" reaches_only a1 10.0.3.10 a2 b2
check "blue's own 10.0.100.1 answers b1, not a1" sh -c \
	"ip netns exec $L-b1 ping -q -c 1 -W 2 10.0.100.1 >/dev/null && ! ip netns exec $L-a1 ping -q -c 1 -W 1 10.0.100.1 >/dev/null"
vrf_ping() { # VRF NODE: r pings 10.0.2.10 bound to VRF, and NODE answers it
	before=$(echos "$2")
	ip netns exec "$L-r" ping -q -c 1 -W 2 -I "$1" 10.0.2.10 >/dev/null 2>&1 &&
		[ "$(echos "$2")" -eq $((before + 1)) ]
}
check "r pings 10.0.2.10 bound to red (ping -I red): a2 answers" vrf_ping red a2
check "r pings 10.0.2.10 bound to blue (ping -I blue): b2 answers" vrf_ping blue b2
check "every expectation of vrf.ini holds (reach, noreach, route table 10, route vrf blue)" "$N" check "$L"
check "explain a1 a2: through r in table 10 (vrf red) to a2, and back" explain a1 a2 \
	'.reaches and .path.reached_node == "a2" and ([.path.steps[] | select(.node == "r" and .what == "route") | .text] == ["10.0.2.0/24 dev eth1 table 10 (vrf red)"]) and .reply.reached_node == "a1"'
check "explain a1 10.0.100.1: r has no route in red (table 10)" explain a1 10.0.100.1 \
	'(.reaches | not) and .path.drop_node == "r" and (.path.reason | test("in vrf red \\(table 10\\)"))'
check "explain b1 10.0.100.1: delivered in blue, the reply leaves in blue too" explain b1 10.0.100.1 \
	'.reaches and .path.reached_node == "r" and .reply.reached_node == "b1"'
check "nslab diff: the kernel matches the file" "$N" diff "$L"
check "diff sees a route added to blue by hand" sh -c \
	"$R route add 10.0.5.0/24 via 10.0.2.10 vrf blue && { '$N' diff $L > /tmp/d.txt; rc=\$?; };
	 cat /tmp/d.txt; $R route del 10.0.5.0/24 vrf blue; [ \$rc = 1 ] &&
	 grep -q 'route 10.0.5.0/24 table 20 .via 10.0.2.10 dev eth3.: in the kernel, not in the file' /tmp/d.txt"
check "save, up, diff of the saved lab: [vrf r:red] with its ports, routes by VRF name" sh -c \
	"'$N' save $L -n ${L}2 -o /tmp/${L}2.ini 2>/dev/null && grep -qx 'ports = eth0 eth1' /tmp/${L}2.ini &&
	 grep -qx 'route = 10.0.3.0/24 via 10.0.2.10 dev eth3 vrf blue' /tmp/${L}2.ini &&
	 '$N' up /tmp/${L}2.ini >/dev/null && '$N' diff ${L}2 '$T' >/dev/null && '$N' check ${L}2 >/dev/null"
check "the saved lab goes down whole" sh -c "'$N' down ${L}2 >/dev/null && [ ! -e /run/nslab/${L}2 ]"
check "down leaves nothing" sh -c "'$N' down $L >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/$L ]"
check "nslab plan | sh builds it too: diff finds nothing" sh -c \
	"'$N' plan '$T' | sh >/dev/null && '$N' diff $L '$T'"
check "the planned lab reaches across r, then goes down whole" sh -c \
	"'$N' ping $L a1 a2 -- -c 1 -W 2 -q >/dev/null; rc=\$?; '$N' down $L >/dev/null && [ \$rc = 0 ] &&
	 [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/$L ]"
check "nslab test of vrf.ini on Debian's kernel" "$N" test "$T"
exit $fail
