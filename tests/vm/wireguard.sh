#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs INSIDE the VM (Debian's stock kernel, which has the wireguard module):
# WireGuard labs for real, looked at with wireguard-tools' wg (the host's,
# seen through the guest's root). Prints TAP.   wireguard.sh NSLAB SRCDIR
set -u
N=$1
SRC=$2
. "$SRC/tests/vm/check.sh"
M=nslt-wg-m
wgs() { ip netns exec "$M-$1" wg show wg0 "$2"; } # NODE WHAT: wg show's field, one line a peer
link() { ip -d -j -n "$1" link show "$2" | jq -r ".[0] | $3"; }

command -v wg >/dev/null ||
	{ echo "1..0 # SKIP no wg here: apt-get install wireguard-tools (the guest runs the host's)"; exit 0; }
echo "1..27"
echo "# guest kernel $(uname -r), $(wg --version 2>&1 | head -n 1)"
check "nslab up topologies/wireguard.ini (as $M): a mesh of r1, r2, r3" \
	"$N" up --name "$M" "$SRC/topologies/wireguard.ini"
check "ip -d link of r1's wg0: kind wireguard, up, MTU 1420" \
	test "$(link "$M-r1" wg0 '"\(.linkinfo.info_kind) \(.operstate) \(.mtu)"')" = "wireguard UNKNOWN 1420"
pings() {
	for p in r1:10.9.0.2 r1:10.9.0.3 r2:10.9.0.1 r2:10.9.0.3 r3:10.9.0.1 r3:10.9.0.2; do
		ip netns exec "$M-${p%%:*}" ping -c 1 -W 3 -q "${p#*:}" >/dev/null ||
			{ echo "${p%%:*} does not reach ${p#*:}"; return 1; }
	done
}
check "every pair of members pings across wg0" pings
check "the sites behind r1 and r3 reach each other through the mesh (allowed-ips lines)" \
	"$N" ping "$M" h1 h3 -- -c 2 -i 0.2 -W 3 -q
# wg show in r1: the other two members, by their public keys, with their
# endpoints (their eth0 addresses) and a handshake since the pings
peers() { # NODE: "PUBKEY ENDPOINT" of its peers, sorted
	wgs "$1" endpoints | sort
}
want_peers() { # NODE OTHER:ENDPOINT...
	node=$1
	shift
	for o in "$@"; do
		printf '%s\t%s\n' "$(ip netns exec "$M-${o%%:*}" wg show wg0 public-key)" "${o#*:}"
	done | sort
}
check "wg show in r1 lists r2 and r3 with their endpoints" \
	test "$(peers r1)" = "$(want_peers r1 r2:192.168.2.2:51820 r3:192.168.3.2:51820)"
check "wg show in r3 lists r1 and r2 with their endpoints" \
	test "$(peers r3)" = "$(want_peers r3 r1:192.168.1.2:51820 r2:192.168.2.2:51820)"
handshakes() { # every peer of r1 has a latest handshake (not 0)
	[ "$(wgs r1 latest-handshakes | awk '$2 > 0' | wc -l)" -eq 2 ]
}
check "wg show in r1: a latest handshake with both peers after the pings" handshakes
check "r1 listens on UDP 51820; its peers' allowed IPs are theirs (r3's site too)" \
	test "$(wgs r1 listen-port) $(wgs r1 allowed-ips | cut -f2 | sort | tr '\n' ' ')" = \
	"51820 10.9.0.2/32 10.9.0.3/32 10.3.0.0/24 "
keys() { # the key files: 0600 in a 0700 folder, each the key its device has
	d=/run/nslab/$M/keys
	[ "$(stat -c %a "$d")" = 700 ] || { echo "$d is $(stat -c %a "$d")"; return 1; }
	for n in r1 r2 r3; do
		f=$d/$n:wg0.key
		[ "$(stat -c %a "$f")" = 600 ] || { echo "$f is $(stat -c %a "$f")"; return 1; }
		[ "$(wg pubkey <"$f")" = "$(ip netns exec "$M-$n" wg show wg0 public-key)" ] ||
			{ echo "$f is not $n's key"; return 1; }
	done
}
check "keys in /run/nslab/$M/keys: 0600, 0700 folder, the devices' own (wg pubkey agrees)" keys
check "every expectation of wireguard.ini holds" "$N" check "$M"
check "diff: the kernel matches the file (port, peers by NODE:NAME, endpoints, allowed IPs)" \
	"$N" diff "$M" "$SRC/topologies/wireguard.ini"
wg_path='.reaches and ([.path.steps[] | select(.what == "encap") | .text] == ["wg0 wraps it in WireGuard (peer r3:wg0, UDP 51820) to 192.168.3.2; outer 192.168.1.2 -> 192.168.3.2"]) and ([.path.steps[] | select(.what == "decap") | .node] == ["r3"])'
explain_wg() { "$N" explain --json "$M" h1 h3 | jq -e "$wg_path" >/dev/null || { "$N" explain "$M" h1 h3; return 1; }; }
check "explain h1 h3: r1's wg0 picks r3 by allowed IPs, UDP to its endpoint, r3 unwraps" explain_wg
save_up() {
	"$N" save "$M" -n nslt-wg-s -o /tmp/nslt-wg-s.ini >/dev/null 2>&1 &&
		grep -q '^peer = r2:wg0 endpoint 192.168.2.2:51820 allowed-ips 10.9.0.2/32$' /tmp/nslt-wg-s.ini &&
		! grep -q 'private-key' /tmp/nslt-wg-s.ini &&
		"$N" up /tmp/nslt-wg-s.ini >/dev/null && "$N" diff nslt-wg-s /tmp/nslt-wg-s.ini >/dev/null &&
		"$N" ping nslt-wg-s r2 10.9.0.3 -- -c 1 -W 3 -q >/dev/null &&
		[ "$(ip netns exec nslt-wg-s-r1 wg show wg0 public-key)" != "$(wgs r1 public-key)" ]
}
check "save (peers by NODE:NAME, no private key), up with new keys, diff, ping" save_up
check "the saved lab goes down whole" \
	sh -c "'$N' down nslt-wg-s >/dev/null && [ ! -e /run/nslab/nslt-wg-s ]"
check "down leaves nothing: keys, run directory, namespaces" \
	sh -c "'$N' down $M >/dev/null && [ ! -e /run/nslab/$M ] && [ -z \"\$(ip netns list)\" ]"

# One device each by hand, keys given, over an IPv6 underlay, keepalive
cat >/tmp/nslt-wg-1.ini <<'INI'
[lab]
name = nslt-wg-1
[node a]
addr = fd00::1/64 dev eth0
addr = 10.8.0.1/24 dev t0
[node b]
addr = fd00::2/64 dev eth0
addr = 10.8.0.2/24 dev t0
[links]
link = a:eth0 b:eth0
[wireguard a:t0]
private-key = AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
port = 51001
peer = zo060cy2M+x7cMF4FKXHbs0CloUFDTRHRboFhw5YfVk= endpoint [fd00::2]:51002 allowed-ips 10.8.0.2/32
[wireguard b:t0]
private-key = AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=
port = 51002
peer = a:t0 endpoint [fd00::1]:51001 keepalive 5
[expect]
reach = a 10.8.0.2
reach = b 10.8.0.1
INI
check "single form: up with given keys" "$N" up /tmp/nslt-wg-1.ini
check "a's t0 has the given key (public pOCS...), b's peer is it with keepalive 5" test \
	"$(ip netns exec nslt-wg-1-a wg show t0 public-key) $(ip netns exec nslt-wg-1-b wg show t0 persistent-keepalive)" = \
	"pOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk= pOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk=	5"
check "a and b reach each other over the IPv6 endpoints" "$N" check nslt-wg-1
check "b's endpoint for a is [fd00::1]:51001" \
	test "$(ip netns exec nslt-wg-1-b wg show t0 endpoints | cut -f2)" = "[fd00::1]:51001"
check "given keys are not written to the run directory" test ! -e /run/nslab/nslt-wg-1/keys
check "diff of the single-form lab: 0" "$N" diff nslt-wg-1 /tmp/nslt-wg-1.ini
check "single-form lab goes down whole" \
	sh -c "'$N' down nslt-wg-1 >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/nslt-wg-1 ]"

# The printed plan builds the same lab: keys from wg genkey in shell variables
sed 's/^name = wireguard$/name = nslt-wg-p/' "$SRC/topologies/wireguard.ini" >/tmp/nslt-wg-p.ini
check "nslab plan | sh (wg genkey, wg set ... private-key /proc/self/fd/0)" \
	sh -c "'$N' plan /tmp/nslt-wg-p.ini | sh -e"
check "diff after plan | sh: 0" "$N" diff nslt-wg-p /tmp/nslt-wg-p.ini
check "the scripted mesh carries h1's pings to h3" "$N" ping nslt-wg-p h1 h3 -- -c 1 -W 3 -q
check "down of the scripted lab leaves nothing" \
	sh -c "'$N' down nslt-wg-p >/dev/null && [ -z \"\$(ip netns list)\" ] && [ ! -e /run/nslab/nslt-wg-p ]"
check "nslab test of the mesh, then nothing left" \
	sh -c "'$N' test --name nslt-wg-t '$SRC/topologies/wireguard.ini' >/dev/null && [ -z \"\$(ip netns list)\" ]"
exit $fail
