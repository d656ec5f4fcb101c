#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs INSIDE the VM (Debian's kernel: 8021q and bridge VLAN filtering,
# which this host's kernel lacks): VLAN subinterfaces, VLAN-filtering
# bridges with access and trunk ports, QinQ. Prints TAP.   vlan.sh NSLAB SRCDIR
set -u
N=$1
SRC=$2
. "$SRC/tests/vm/check.sh"
T=$SRC/topologies/vlan.ini
# bridge -j vlan show of one port: "VID[ pvid][ untagged], ..." sorted by VID
vlans() {
	bridge -n "$1" -j vlan show dev "$2" | jq -r '[.[0].vlans[] | "\(.vlan)" +
		(if (.flags // []) | index("PVID") then " pvid" else "" end) +
		(if (.flags // []) | index("Egress Untagged") then " untagged" else "" end)] | join(", ")'
}
info() { ip -d -j -n "$1" link show "$2" | jq -r ".[0].linkinfo.info_data | $3"; }

echo "1..19"
echo "# guest kernel $(uname -r)"
check "nslab up topologies/vlan.ini" "$N" up "$T"
check "sw1's access port eth1 is VLAN 10, untagged, its PVID (bridge -j vlan)" \
	test "$(vlans vlan-sw1 eth1)" = "10 pvid untagged"
check "sw1's trunk carries 10 and 20 tagged, and not the default VLAN 1" \
	test "$(vlans vlan-sw1 trunk)" = "10, 20"
check "sw2's router port carries 10 and 20 tagged" test "$(vlans vlan-sw2 eth3)" = "10, 20"
check "br0 filters VLANs (ip -d link: vlan_filtering 1)" test "$(info vlan-sw1 br0 .vlan_filtering)" = 1
check "r's eth0.20 is an 802.1Q subinterface with id 20 on eth0" \
	test "$(ip -d -j -n vlan-r link show eth0.20 | jq -r '.[0] | "\(.link) \(.linkinfo.info_data.protocol) \(.linkinfo.info_data.id)"')" = "eth0 802.1Q 20"
check "h1 reaches h3 in VLAN 10 across the trunk" "$N" ping vlan h1 h3 -- -c 2 -W 2 -q
check "h1 reaches h2 (VLAN 20) through r's subinterfaces" "$N" ping vlan h1 h2 -- -c 2 -W 2 -q
spy_rx() { ip -s -j -n vlan-spy link show eth0 | jq '.[0].stats64.rx.packets'; }
before=$(spy_rx)
check "h1 does not reach the spy: VLAN 20's port, VLAN 10's subnet" \
	sh -c "! '$N' ping vlan h1 10.0.10.99 -- -c 2 -W 1 -q"
check "not one frame of h1's ARP reached the spy" test "$(spy_rx)" = "$before"
check "every expectation of vlan.ini holds" "$N" check vlan
check "diff: the kernel's VLANs, ports and subinterfaces match the file" "$N" diff vlan
check "save writes ports by name and their VLANs; the saved lab is the same" sh -c \
	"'$N' save vlan -n vlan2 -o /tmp/vlan2.ini 2>/dev/null && grep -qx 'port = eth1 pvid 10 untagged' /tmp/vlan2.ini && grep -qx 'port = trunk tagged 10 tagged 20' /tmp/vlan2.ini && '$N' up /tmp/vlan2.ini >/dev/null && '$N' diff vlan2 /tmp/vlan2.ini && '$N' check vlan2 >/dev/null; r=\$?; '$N' down vlan2 >/dev/null; exit \$r"
check "down leaves nothing" sh -c "'$N' down vlan >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/vlan ]"
check "nslab plan | sh builds the same lab (diff against the file)" sh -c \
	"'$N' plan '$T' | sh && '$N' diff vlan '$T' && '$N' ping vlan h1 h3 -- -c 1 -W 2 -q >/dev/null; r=\$?; '$N' down vlan >/dev/null; exit \$r"

# QinQ: an 802.1ad outer tag with 802.1Q inside, the inner section first
cat > /tmp/qinq.ini <<'INI'
[lab]
name = qinq
[node a]
addr = 10.9.0.1/24 dev eth0.100.10
[node b]
addr = 10.9.0.2/24 dev eth0.100.10
[links]
link = a:eth0 b:eth0
[vlan a:eth0.100.10]
[vlan a:eth0.100]
protocol = 802.1ad
[vlan b:eth0.100]
protocol = 802.1ad
[vlan b:eth0.100.10]
[expect]
reach = a b
INI
check "QinQ: 802.1ad 100 outside, 802.1Q 10 inside, across one cable" "$N" up /tmp/qinq.ini
check "eth0.100 is 802.1ad, eth0.100.10 sits on it" test \
	"$(info qinq-a eth0.100 .protocol) $(ip -d -j -n qinq-a link show eth0.100.10 | jq -r '.[0].link')" = "802.1ad eth0.100"
check "a reaches b through both tags" "$N" ping qinq a b -- -c 2 -W 2 -q
check "diff of QinQ, then down leaves nothing" sh -c \
	"'$N' diff qinq && '$N' down qinq >/dev/null && [ -z \"\$(ip netns list)\" ]"
exit $fail
