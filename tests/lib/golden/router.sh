#!/bin/sh
# Lab 'router' from topologies/router.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down router
set -e

# namespaces, lo up in each
ip netns add router-h1
ip -n router-h1 link set lo up alias nslab:router
ip netns exec router-h1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip netns add router-r1
ip -n router-r1 link set lo up alias nslab:router
ip netns exec router-r1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip netns add router-h2
ip -n router-h2 link set lo up alias nslab:router
ip netns exec router-h2 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

# links
ip -n router-h1 link add eth0 up type veth peer name eth0 netns router-r1
ip -n router-r1 link set eth0 up
ip -n router-r1 link add eth1 up type veth peer name eth0 netns router-h2
ip -n router-h2 link set eth0 up

# node h1
ip -n router-h1 addr add 10.0.1.10/24 dev eth0
ip -n router-h1 addr add fd00:1::10/64 dev eth0 nodad
ip -n router-h1 route add default via 10.0.1.1
ip -n router-h1 -6 route add default via fd00:1::1

# node r1
ip -n router-r1 addr add 10.0.1.1/24 dev eth0
ip -n router-r1 addr add fd00:1::1/64 dev eth0 nodad
ip -n router-r1 addr add 10.0.2.1/24 dev eth1
ip -n router-r1 addr add fd00:2::1/64 dev eth1 nodad
ip netns exec router-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h2
ip -n router-h2 addr add 10.0.2.10/24 dev eth0
ip -n router-h2 addr add fd00:2::10/64 dev eth0 nodad
ip -n router-h2 route add default via 10.0.2.1
ip -n router-h2 -6 route add default via fd00:2::1
