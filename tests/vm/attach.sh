#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs INSIDE the VM (Debian's stock kernel, which has macvlan, ipvlan,
# dummy and geneve as modules): a lab of each kind for real. Prints TAP.
#   attach.sh NSLAB SRCDIR
set -u
N=$1
SRC=$2
. "$SRC/tests/vm/check.sh"
T=$(mktemp -d)
# jq over `ip -d -j link show` of one device: jqlink NS DEV FILTER
jqlink() { ip -d -j -n "$1" link show "$2" | jq -r ".[0] | $3"; }
# the lab as the file says, then the same from `nslab plan F | sh`
same() { # LAB FILE
	"$N" diff "$1" "$2" || return 1
	"$N" down "$1" >/dev/null && "$N" plan "$2" > "$T/plan.sh" && sh -e "$T/plan.sh" >/dev/null &&
		"$N" diff "$1" "$2"
}
gone() { # LAB: nothing of it left
	"$N" down "$1" >/dev/null && [ -z "$(ip netns list)" ] && [ ! -e "/run/nslab/$1" ]
}

echo "# guest kernel $(uname -r)"

# ---- macvlan: mv0 on h's eth0 with a MAC and a subnet of its own (its
# replies leave by it too); h answers ARP for it only from it. mv1, in
# source mode, takes what one sender sends.
cat > "$T/mv.ini" <<'INI'
[lab]
name = nslt-att-mv
[node h]
addr = 10.0.0.1/24 dev eth0
addr = 10.0.1.11/24 dev mv0
sysctl = net.ipv4.conf.all.arp_ignore 1
[node p]
addr = 10.0.0.2/24 dev eth0
addr = 10.0.1.2/24 dev eth0
[links]
link = h:eth0 p:eth0
[macvlan h:mv0]
link = eth0
mac = 02:00:00:00:00:11
[macvlan h:mv1]
link = eth0
mode = source
macaddr = 02:00:00:00:00:99 02:00:00:00:00:98
INI
check "macvlan: nslab up" "$N" up "$T/mv.ini"
check "macvlan: p reaches h's eth0 and mv0 on it" sh -c \
	"'$N' ping nslt-att-mv p 10.0.0.1 -- -c 1 -W 2 -q && '$N' ping nslt-att-mv p 10.0.1.11 -- -c 2 -i 0.2 -W 2 -q"
check "macvlan: ip -d link of mv0: macvlan, mode bridge, on eth0, its MAC" test \
	"$(jqlink nslt-att-mv-h mv0 '"\(.linkinfo.info_kind) \(.linkinfo.info_data.mode) \(.link) \(.address)"')" = \
	"macvlan bridge eth0 02:00:00:00:00:11"
check "macvlan: p knows 10.0.1.11 by mv0's MAC, and mv0 received the pings" sh -c \
	"ip -j -n nslt-att-mv-p neigh show 10.0.1.11 | jq -e '.[0].lladdr == \"02:00:00:00:00:11\"' >/dev/null &&
	 test \"\$(ip -s -j -n nslt-att-mv-h link show mv0 | jq '.[0].stats64.rx.packets')\" -ge 2"
check "macvlan: mv1 in source mode with its two senders" test \
	"$(jqlink nslt-att-mv-h mv1 '"\(.linkinfo.info_data.mode) \(.linkinfo.info_data.macaddr_data | sort | join(","))"')" = \
	"source 02:00:00:00:00:98,02:00:00:00:00:99"
check "macvlan: diff = 0; plan | sh, diff = 0" same nslt-att-mv "$T/mv.ini"
check "macvlan: down leaves nothing" gone nslt-att-mv

# ---- ipvlan (l3, private): ipv0 on h's eth0 has a /32 that p routes to by
# h's eth0 address; it has eth0's MAC.
cat > "$T/ipv.ini" <<'INI'
[lab]
name = nslt-att-ipv
[node h]
addr = 10.0.0.1/24 dev eth0
addr = 10.0.9.1/32 dev ipv0
[node p]
addr = 10.0.0.2/24 dev eth0
route = 10.0.9.1/32 via 10.0.0.1
[links]
link = h:eth0 p:eth0
[ipvlan h:ipv0]
link = eth0
mode = l3
flags = private
INI
check "ipvlan: nslab up" "$N" up "$T/ipv.ini"
check "ipvlan: p reaches ipv0's address, by h's eth0" "$N" ping nslt-att-ipv p 10.0.9.1 -- -c 2 -i 0.2 -W 2 -q
check "ipvlan: ip -d link of ipv0: ipvlan, mode l3, private, on eth0" test \
	"$(jqlink nslt-att-ipv-h ipv0 '"\(.linkinfo.info_kind) \(.linkinfo.info_data.mode) \(.linkinfo.info_data.private) \(.link)"')" = \
	"ipvlan l3 true eth0"
check "ipvlan: ipv0 has eth0's MAC and received the pings" sh -c \
	"test \"\$(ip -j -n nslt-att-ipv-h link show ipv0 | jq -r '.[0].address')\" = \"\$(ip -j -n nslt-att-ipv-h link show eth0 | jq -r '.[0].address')\" &&
	 test \"\$(ip -s -j -n nslt-att-ipv-h link show ipv0 | jq '.[0].stats64.rx.packets')\" -ge 2"
check "ipvlan: save, up, diff (flags read back)" sh -c \
	"'$N' save nslt-att-ipv -n nslt-att-ipv2 -o '$T/ipv2.ini' 2>/dev/null && grep -qx 'flags = private' '$T/ipv2.ini' &&
	 ! grep -q '^iface = ipv0 .*mac' '$T/ipv2.ini' && '$N' up '$T/ipv2.ini' >/dev/null &&
	 '$N' diff nslt-att-ipv2 '$T/ipv2.ini' >/dev/null && '$N' down nslt-att-ipv2 >/dev/null"
check "ipvlan: diff = 0; plan | sh, diff = 0" same nslt-att-ipv "$T/ipv.ini"
check "ipvlan: down leaves nothing" gone nslt-att-ipv

# ---- dummy: r's router ID on lo0, reached through a route from n
cat > "$T/dum.ini" <<'INI'
[lab]
name = nslt-att-dum
[node r]
addr = 10.0.0.1/24 dev eth0
addr = 192.0.2.1/32 dev lo0
[node n]
addr = 10.0.0.2/24 dev eth0
route = 192.0.2.1/32 via 10.0.0.1
[links]
link = r:eth0 n:eth0
[dummy r:lo0]
mac = 02:00:00:00:00:d0
mtu = 9000
INI
check "dummy: nslab up" "$N" up "$T/dum.ini"
check "dummy: n reaches r's 192.0.2.1 on lo0" "$N" ping nslt-att-dum n 192.0.2.1 -- -c 1 -W 2 -q
check "dummy: ip -d link of lo0: dummy, up, its MAC and MTU" test \
	"$(jqlink nslt-att-dum-r lo0 '"\(.linkinfo.info_kind) \(.flags | index("UP") != null) \(.address) \(.mtu)"')" = \
	"dummy true 02:00:00:00:00:d0 9000"
check "dummy: diff = 0; plan | sh, diff = 0" same nslt-att-dum "$T/dum.ini"
check "dummy: down leaves nothing" gone nslt-att-dum

# ---- geneve: a pair over a's and b's underlay (VNI 42), and two single
# ends set by hand (VNI 7, port 6082)
cat > "$T/gn.ini" <<'INI'
[lab]
name = nslt-att-gn
[node a]
addr = 192.168.0.1/24 dev eth0
addr = 10.10.0.1/24 dev gn0
addr = 10.11.0.1/24 dev gs
[node b]
addr = 192.168.0.2/24 dev eth0
addr = 10.10.0.2/24 dev gn0
addr = 10.11.0.2/24 dev gs
[links]
link = a:eth0 b:eth0
[geneve gn0]
members = a b
dev = eth0
vni = 42
ttl = 64
[geneve a:gs]
vni = 7
remote = 192.168.0.2
port = 6082
[geneve b:gs]
vni = 7
remote = 192.168.0.1
port = 6082
INI
check "geneve: nslab up" "$N" up "$T/gn.ini"
check "geneve: a reaches b on both overlays" sh -c \
	"'$N' ping nslt-att-gn a 10.10.0.2 -- -c 1 -W 2 -q && '$N' ping nslt-att-gn a 10.11.0.2 -- -c 1 -W 2 -q"
check "geneve: ip -d link of a's gn0: id 42, remote, dstport 6081, ttl 64, mtu 1450" test \
	"$(jqlink nslt-att-gn-a gn0 '"\(.linkinfo.info_data.id) \(.linkinfo.info_data.remote) \(.linkinfo.info_data.port) \(.linkinfo.info_data.ttl) \(.mtu)"')" = \
	"42 192.168.0.2 6081 64 1450"
check "geneve: b's gs: id 7, remote 192.168.0.1, dstport 6082" test \
	"$(jqlink nslt-att-gn-b gs '"\(.linkinfo.info_data.id) \(.linkinfo.info_data.remote) \(.linkinfo.info_data.port)"')" = \
	"7 192.168.0.1 6082"
check "geneve: the underlay carries Geneve, VNI 42, on UDP 6081" sh -c \
	"timeout 5 ip netns exec nslt-att-gn-b tcpdump -n -c 1 -i eth0 udp port 6081 > '$T/cap' 2>/dev/null & sleep 0.5;
	 ip netns exec nslt-att-gn-a ping -c 2 -i 0.2 -q 10.10.0.2 >/dev/null; wait; grep -q 'Geneve.*vni 0x2a' '$T/cap' || { cat '$T/cap'; exit 1; }"
gn_path='.reaches and ([.path.steps[] | select(.what == "encap") | .text | startswith("gn0 wraps it in Geneve (VNI 42, UDP 6081) to 192.168.0.2")] == [true]) and ([.path.steps[] | select(.what == "decap") | .node] == ["b"])'
check "geneve: explain a 10.10.0.2: into a's gn0 (Geneve to 192.168.0.2), out of b's" sh -c \
	"'$N' explain --json nslt-att-gn a 10.10.0.2 | jq -e '$gn_path' >/dev/null || { '$N' explain nslt-att-gn a 10.10.0.2; exit 1; }"
check "geneve: save, up, diff (single ends from the pair)" sh -c \
	"'$N' save nslt-att-gn -n nslt-att-gn2 -o '$T/gn2.ini' 2>/dev/null && grep -q '^\[geneve a:gn0\]' '$T/gn2.ini' &&
	 '$N' up '$T/gn2.ini' >/dev/null && '$N' diff nslt-att-gn2 '$T/gn2.ini' >/dev/null &&
	 '$N' ping nslt-att-gn2 a 10.10.0.2 -- -c 1 -W 2 -q >/dev/null && '$N' down nslt-att-gn2 >/dev/null"
check "geneve: diff = 0; plan | sh, diff = 0" same nslt-att-gn "$T/gn.ini"
check "geneve: down leaves nothing" gone nslt-att-gn

echo "1..$n"
rm -rf "$T"
exit $fail
