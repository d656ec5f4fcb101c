#!/bin/sh
# Lab 'wireguard' from topologies/wireguard.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down wireguard
set -e

# namespaces, lo up in each
ip netns add wireguard-core
ip -n wireguard-core link set lo up alias nslab:wireguard
ip netns exec wireguard-core sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add wireguard-r1
ip -n wireguard-r1 link set lo up alias nslab:wireguard
ip netns exec wireguard-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add wireguard-r2
ip -n wireguard-r2 link set lo up alias nslab:wireguard
ip netns exec wireguard-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add wireguard-r3
ip -n wireguard-r3 link set lo up alias nslab:wireguard
ip netns exec wireguard-r3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add wireguard-h1
ip -n wireguard-h1 link set lo up alias nslab:wireguard
ip netns exec wireguard-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add wireguard-h3
ip -n wireguard-h3 link set lo up alias nslab:wireguard
ip netns exec wireguard-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# WireGuard keys of wg0, kept in this shell only (wg genkey unless given)
wg_r1__wg0=$(wg genkey)
wg_r1__wg0_pub=$(printf '%s\n' "$wg_r1__wg0" | wg pubkey)
wg_r2__wg0=$(wg genkey)
wg_r2__wg0_pub=$(printf '%s\n' "$wg_r2__wg0" | wg pubkey)
wg_r3__wg0=$(wg genkey)
wg_r3__wg0_pub=$(printf '%s\n' "$wg_r3__wg0" | wg pubkey)

# links
ip -n wireguard-r1 link add eth0 up type veth peer name eth1 netns wireguard-core
ip -n wireguard-core link set eth1 up
ip -n wireguard-r2 link add eth0 up type veth peer name eth2 netns wireguard-core
ip -n wireguard-core link set eth2 up
ip -n wireguard-r3 link add eth0 up type veth peer name eth3 netns wireguard-core
ip -n wireguard-core link set eth3 up
ip -n wireguard-h1 link add eth0 up type veth peer name eth1 netns wireguard-r1
ip -n wireguard-r1 link set eth1 up
ip -n wireguard-h3 link add eth0 up type veth peer name eth1 netns wireguard-r3
ip -n wireguard-r3 link set eth1 up
ip -n wireguard-r1 link add wg0 up type wireguard
printf '%s\n' "$wg_r1__wg0" | ip netns exec wireguard-r1 wg set wg0 private-key /proc/self/fd/0 listen-port 51820 \
	peer "$wg_r2__wg0_pub" endpoint 192.168.2.2:51820 allowed-ips 10.9.0.2/32 \
	peer "$wg_r3__wg0_pub" endpoint 192.168.3.2:51820 allowed-ips 10.9.0.3/32,10.3.0.0/24
ip -n wireguard-r2 link add wg0 up type wireguard
printf '%s\n' "$wg_r2__wg0" | ip netns exec wireguard-r2 wg set wg0 private-key /proc/self/fd/0 listen-port 51820 \
	peer "$wg_r1__wg0_pub" endpoint 192.168.1.2:51820 allowed-ips 10.9.0.1/32,10.1.0.0/24 \
	peer "$wg_r3__wg0_pub" endpoint 192.168.3.2:51820 allowed-ips 10.9.0.3/32,10.3.0.0/24
ip -n wireguard-r3 link add wg0 up type wireguard
printf '%s\n' "$wg_r3__wg0" | ip netns exec wireguard-r3 wg set wg0 private-key /proc/self/fd/0 listen-port 51820 \
	peer "$wg_r1__wg0_pub" endpoint 192.168.1.2:51820 allowed-ips 10.9.0.1/32,10.1.0.0/24 \
	peer "$wg_r2__wg0_pub" endpoint 192.168.2.2:51820 allowed-ips 10.9.0.2/32

# node core
ip -n wireguard-core addr add 192.168.1.1/30 dev eth1
ip -n wireguard-core addr add 192.168.2.1/30 dev eth2
ip -n wireguard-core addr add 192.168.3.1/30 dev eth3
ip netns exec wireguard-core sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r1
ip -n wireguard-r1 addr add 192.168.1.2/30 dev eth0
ip -n wireguard-r1 addr add 10.1.0.1/24 dev eth1
ip -n wireguard-r1 addr add 10.9.0.1/24 dev wg0
ip netns exec wireguard-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n wireguard-r1 route add 10.3.0.0/24 dev wg0
ip -n wireguard-r1 route add 192.168.0.0/16 via 192.168.1.1

# node r2
ip -n wireguard-r2 addr add 192.168.2.2/30 dev eth0
ip -n wireguard-r2 addr add 10.9.0.2/24 dev wg0
ip -n wireguard-r2 route add 192.168.0.0/16 via 192.168.2.1

# node r3
ip -n wireguard-r3 addr add 192.168.3.2/30 dev eth0
ip -n wireguard-r3 addr add 10.3.0.1/24 dev eth1
ip -n wireguard-r3 addr add 10.9.0.3/24 dev wg0
ip netns exec wireguard-r3 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n wireguard-r3 route add 10.1.0.0/24 dev wg0
ip -n wireguard-r3 route add 192.168.0.0/16 via 192.168.3.1

# node h1
ip -n wireguard-h1 addr add 10.1.0.10/24 dev eth0
ip -n wireguard-h1 route add default via 10.1.0.1

# node h3
ip -n wireguard-h3 addr add 10.3.0.10/24 dev eth0
ip -n wireguard-h3 route add default via 10.3.0.1
