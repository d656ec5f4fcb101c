#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs INSIDE the VM (Debian's stock kernel, which has ipip, sit,
# ip6_tunnel, ip_gre and ip6_gre): the IP tunnel kinds for real. Prints
# TAP.   tunnels.sh NSLAB SRCDIR
set -u
N=$1
SRC=$2
. "$SRC/tests/vm/check.sh"
L=nslt-tun
F=/tmp/$L.ini
# one device's kernel settings, as ip -d -j shows them
info() { ip -d -j -n "$L-$1" link show "$2" | jq -r ".[0] | $3"; }
# the lab's tunnel devices in a node: their kind and settings, not what
# changes between builds (MACs, indexes)
settings() {
	ip -d -j -n "$L-$1" link show | jq -c '[.[] | select(.ifname | test("^(ip1|sit1|t6|t4|tap1|g6)$"))
		| {ifname, mtu, flags, kind: .linkinfo.info_kind, data: .linkinfo.info_data}] | sort_by(.ifname)'
}
same_settings() {
	[ "$(jq length /tmp/up-a.json) $(jq length /tmp/up-b.json)" = "6 6" ] || { echo "up gave no 6 devices"; return 1; }
	settings a | diff /tmp/up-a.json - && settings b | diff /tmp/up-b.json -
}
# explain FROM TO: whether it reaches; each way, the encapsulation step's
# text and the device that unwraps
path_of() {
	"$N" explain --json "$L" "$1" "$2" |
		jq -r '[.reaches, ((.path, .reply).steps[] | select(.what == "encap" or .what == "decap") | .text)] | join("|")'
}

echo "1..29"
echo "# guest kernel $(uname -r)"

# -- the five kinds in one lab, both forms, side by side on one underlay:
# the kernel tells them apart by protocol (4, 41, GRE and its key) and ends
cat > "$F" <<INI
[lab]
name = $L
[node a]
addr = 192.0.2.1/24 dev eth0
addr = fd00::1/64 dev eth0
addr = fd00::11/64 dev eth0
addr = 10.1.0.1 peer 10.1.0.2/32 dev ip1
addr = fd01::1/64 dev sit1
addr = fd02::1/64 dev t6
addr = 10.3.0.1/24 dev t4
addr = 10.4.0.1/24 dev tap1
iface = tap1 mac 02:00:00:00:04:01
addr = fd05::1/64 dev g6
[node b]
addr = 192.0.2.2/24 dev eth0
addr = fd00::2/64 dev eth0
addr = fd00::12/64 dev eth0
addr = 10.1.0.2 peer 10.1.0.1/32 dev ip1
addr = fd01::2/64 dev sit1
addr = fd02::2/64 dev t6
addr = 10.3.0.2/24 dev t4
addr = 10.4.0.2/24 dev tap1
addr = fd05::2/64 dev g6
[links]
link = a:eth0 b:eth0
[ipip a:ip1]
local = 192.0.2.1
remote = 192.0.2.2
ttl = 0
mtu = 1400
[ipip b:ip1]
local = 192.0.2.2
remote = 192.0.2.1
ttl = 0
mtu = 1400
[sit sit1]
members = a b
dev = eth0
ttl = 64
[ip6tnl t6]
members = a b
dev = eth0
[ip6tnl a:t4]
local = fd00::11
remote = fd00::12
mode = ipip6
[ip6tnl b:t4]
local = fd00::12
remote = fd00::11
mode = ipip6
[gretap tap1]
members = a b
dev = eth0
key = 7
[ip6gre a:g6]
local = fd00::1
remote = fd00::2
key = 9
ttl = 32
[ip6gre b:g6]
local = fd00::2
remote = fd00::1
key = 9
ttl = 32
[expect]
reach = a 10.1.0.2,fd01::2,fd02::2,10.3.0.2,10.4.0.2,fd05::2
INI

check "nslab up: ipip, sit, ip6tnl (two modes), gretap and ip6gre side by side" "$N" up "$F"
check "ping across each: ipip, sit, ip6tnl ip6ip6 and ipip6, gretap, ip6gre" sh -c \
	"for d in 10.1.0.2 fd01::2 fd02::2 10.3.0.2 10.4.0.2 fd05::2; do ip netns exec $L-a ping -c 2 -i 0.2 -W 2 -q \$d >/dev/null || { echo \"no answer from \$d\"; exit 1; }; done"
check "ipip ip1 (single form): kind, local, remote, ttl 0 (inherit), mode ipip, mtu 1400" \
	test "$(info a ip1 '"\(.linkinfo.info_kind) \(.linkinfo.info_data | "\(.local) \(.remote) \(.ttl) \(.proto)") \(.mtu)"')" \
	= "ipip 192.0.2.1 192.0.2.2 0 ipip 1400"
check "sit sit1 (pair): local, remote from eth0, ttl 64, mode ip6ip" \
	test "$(info b sit1 '"\(.linkinfo.info_kind) \(.linkinfo.info_data | "\(.local) \(.remote) \(.ttl) \(.proto)")"')" \
	= "sit 192.0.2.2 192.0.2.1 64 ip6ip"
check "ip6tnl t6 (pair): IPv6 ends from eth0, ttl 255, mode ip6ip6 (the default), encap limit 4" \
	test "$(info a t6 '"\(.linkinfo.info_kind) \(.linkinfo.info_data | "\(.local) \(.remote) \(.ttl) \(.proto) \(.encap_limit)")"')" \
	= "ip6tnl fd00::1 fd00::2 255 ip6ip6 4"
check "ip6tnl t4 (single form): mode ipip6" \
	test "$(info b t4 '"\(.linkinfo.info_data | "\(.local) \(.remote) \(.proto)")"')" = "fd00::12 fd00::11 ipip6"
check "gretap tap1 (pair): key 7 both ways, the MAC of its iface line, layer 2" \
	test "$(info a tap1 '"\(.linkinfo.info_kind) \(.linkinfo.info_data | "\(.local) \(.remote) \(.ttl) \(.ikey) \(.okey)") \(.address) \(.link_type)"')" \
	= "gretap 192.0.2.1 192.0.2.2 255 0.0.0.7 0.0.0.7 02:00:00:00:04:01 ether"
check "ip6gre g6 (single form): key 9, ttl 32, encap limit 4" \
	test "$(info b g6 '"\(.linkinfo.info_kind) \(.linkinfo.info_data | "\(.local) \(.remote) \(.ttl) \(.ikey) \(.okey) \(.encap_limit)")"')" \
	= "ip6gre fd00::2 fd00::1 32 0.0.0.9 0.0.0.9 4"
check "the modules' fallback devices are there (tunl0 sit0 ip6tnl0 gretap0 ip6gre0), and show leaves them out" sh -c \
	"for d in tunl0 sit0 ip6tnl0 gretap0 ip6gre0; do ip -n $L-a link show \$d >/dev/null || exit 1; done; ! '$N' show $L | grep -E 'tunl0|sit0|ip6tnl0|gretap0|ip6gre0|gre0'"
check "diff: the kernel matches the file (local, remote, ttl, key, mode read back)" "$N" diff "$L" "$F"
want_paths="true|ip1 wraps it in IPIP to 192.0.2.2; outer 192.0.2.1 -> 192.0.2.2|ip1 unwraps it|ip1 wraps it in IPIP to 192.0.2.1; outer 192.0.2.2 -> 192.0.2.1|ip1 unwraps it
true|sit1 wraps it in SIT to 192.0.2.2; outer 192.0.2.1 -> 192.0.2.2|sit1 unwraps it|sit1 wraps it in SIT to 192.0.2.1; outer 192.0.2.2 -> 192.0.2.1|sit1 unwraps it
true|t6 wraps it in ip6tnl (mode ip6ip6) to fd00::2; outer fd00::1 -> fd00::2|t6 unwraps it|t6 wraps it in ip6tnl (mode ip6ip6) to fd00::1; outer fd00::2 -> fd00::1|t6 unwraps it
true|t4 wraps it in ip6tnl (mode ipip6) to fd00::12; outer fd00::11 -> fd00::12|t4 unwraps it|t4 wraps it in ip6tnl (mode ipip6) to fd00::11; outer fd00::12 -> fd00::11|t4 unwraps it
true|tap1 wraps it in GRETAP (key 7) to 192.0.2.2; outer 192.0.2.1 -> 192.0.2.2|tap1 unwraps it|tap1 wraps it in GRETAP (key 7) to 192.0.2.1; outer 192.0.2.2 -> 192.0.2.1|tap1 unwraps it
true|g6 wraps it in ip6gre (key 9) to fd00::2; outer fd00::1 -> fd00::2|g6 unwraps it|g6 wraps it in ip6gre (key 9) to fd00::1; outer fd00::2 -> fd00::1|g6 unwraps it"
explain_all() {
	got=$(for d in 10.1.0.2 fd01::2 fd02::2 10.3.0.2 10.4.0.2 fd05::2; do path_of a "$d"; done)
	[ "$got" = "$want_paths" ] || { printf 'got:\n%s\nwant:\n%s\n' "$got" "$want_paths"; return 1; }
}
check "explain names each encapsulation, and the kind's own device (not the fallback) unwraps it" explain_all
settings a > /tmp/up-a.json
settings b > /tmp/up-b.json
check "save, up, diff, ping of the saved lab (single forms, key and mode read back)" sh -c \
	"'$N' save $L -n $L-s -o /tmp/$L-s.ini >/dev/null 2>&1 && grep -q '^mode = ipip6' /tmp/$L-s.ini && grep -q '^key = 9' /tmp/$L-s.ini &&
	 ! grep -qE 'tunl0|sit0|ip6tnl0|gretap0|ip6gre0' /tmp/$L-s.ini &&
	 '$N' down $L >/dev/null && '$N' up /tmp/$L-s.ini >/dev/null && '$N' diff $L-s /tmp/$L-s.ini >/dev/null &&
	 ip netns exec $L-s-a ping -c 1 -W 2 -q 10.3.0.2 >/dev/null && '$N' down $L-s >/dev/null"
check "nslab plan | sh builds the lab again" sh -c "'$N' plan '$F' > /tmp/$L.sh && sh -e /tmp/$L.sh"
check "diff of the lab built by the plan: 0 differences" "$N" diff "$L" "$F"
check "the plan's devices have the settings up gave them (ip -d -j: ttl, mode, encap limit, pmtudisc, keys)" \
	same_settings
check "and they carry traffic" sh -c \
	"for d in 10.1.0.2 fd01::2 fd02::2 10.3.0.2 10.4.0.2 fd05::2; do ip netns exec $L-a ping -c 1 -W 2 -q \$d >/dev/null || exit 1; done"
check "down leaves nothing" sh -c "'$N' down $L >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/$L ] && [ ! -e /run/nslab/$L-s ]"

# -- topologies/ipip.ini: two sites across a routed underlay
I=$SRC/topologies/ipip.ini
check "nslab plan topologies/ipip.ini | sh" sh -c "'$N' plan '$I' > /tmp/ipip.sh && sh -e /tmp/ipip.sh"
check "diff ipip topologies/ipip.ini: 0 differences" "$N" diff ipip "$I"
check "h1 reaches h2 through r1's tun1" sh -c \
	"ip netns exec ipip-h1 ping -c 2 -i 0.2 -W 2 -q 10.2.0.10 >/dev/null && [ \"\$(ip -s -j -n ipip-r1 link show tun1 | jq '.[0].stats64.tx.packets')\" -gt 0 ]"
check "r1's tun1: ipip 172.16.1.2 -> 172.16.2.2, ttl 64" \
	test "$(ip -d -j -n ipip-r1 link show tun1 | jq -r '.[0].linkinfo | "\(.info_kind) \(.info_data.local) \(.info_data.remote) \(.info_data.ttl)"')" = "ipip 172.16.1.2 172.16.2.2 64"
ipip_path='.reaches and ([.path.steps[] | select(.what == "encap") | .text] == ["tun1 wraps it in IPIP to 172.16.2.2; outer 172.16.1.2 -> 172.16.2.2"]) and ([.path.steps[] | select(.depth == 1 and .what == "route") | .node] == ["r1", "core"]) and ([.path.steps[] | select(.what == "decap") | .text] == ["tun1 unwraps it"]) and ([.path.steps[] | select(.what == "decap") | .node] == ["r2"])'
explain_ipip() { "$N" explain --json ipip h1 h2 | jq -e "$ipip_path" >/dev/null || { "$N" explain ipip h1 h2; return 1; }; }
check "explain h1 h2: into tun1 (IPIP to 172.16.2.2), across core, unwrapped by r2's tun1 (not tunl0)" explain_ipip
check "down ipip leaves nothing" sh -c "'$N' down ipip >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/ipip ]"
check "nslab test topologies/ipip.ini passes" "$N" test "$I"
check "and leaves nothing" sh -c "[ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/ipip ]"

# a key that differs: gretap ends that do not agree carry nothing
cat > /tmp/$L-k.ini <<INI
[lab]
name = $L-k
[node a]
addr = 192.0.2.1/24 dev eth0
addr = 10.4.0.1/24 dev t0
[node b]
addr = 192.0.2.2/24 dev eth0
addr = 10.4.0.2/24 dev t0
[links]
link = a:eth0 b:eth0
[gretap a:t0]
local = 192.0.2.1
remote = 192.0.2.2
key = 1
[gretap b:t0]
local = 192.0.2.2
remote = 192.0.2.1
key = 2
[expect]
noreach = a 10.4.0.2
INI
check "gretap ends with keys 1 and 2: no traffic, and explain says no device takes it" sh -c \
	"'$N' up /tmp/$L-k.ini >/dev/null && ! ip netns exec $L-k-a ping -c 1 -W 1 -q 10.4.0.2 >/dev/null &&
	 '$N' explain $L-k a 10.4.0.2 | grep -q 'has no device that takes what t0 sends: GRETAP (key 1)'"
check "its down leaves nothing" sh -c "'$N' down $L-k >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/$L-k ]"
# gretap as a bridge port: two sites' hosts on one layer-2 segment over GRE
cat > /tmp/gretap-br.ini <<'INI'
[lab]
name = gtbr
[node s1]
addr = 192.0.2.1/24 dev eth0
[node s2]
addr = 192.0.2.2/24 dev eth0
[node a]
addr = 10.7.0.1/24 dev eth0
[node b]
addr = 10.7.0.2/24 dev eth0
[links]
link = s1:eth0 s2:eth0
link = a:eth0 s1:eth1
link = b:eth0 s2:eth1
[gretap tap1]
members = s1 s2
dev = eth0
[bridge s1:br0]
ports = eth1 tap1
[bridge s2:br0]
ports = eth1 tap1
[expect]
reach = a b
INI
check "gretap as a bridge port: a and b on one segment across GRE" sh -c \
	"'$N' up /tmp/gretap-br.ini >/dev/null && [ \"\$(ip -j -n gtbr-s1 link show tap1 | jq -r '.[0].master')\" = br0 ] && '$N' check gtbr >/dev/null && '$N' diff gtbr"
check "its down leaves nothing" sh -c "'$N' down gtbr >/dev/null && [ -z \"\$(ip netns list)\" ]"
exit $fail
