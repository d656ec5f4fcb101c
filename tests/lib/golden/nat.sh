#!/bin/sh
# Lab 'nat' from topologies/nat.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down nat
set -e

# namespaces, lo up in each
ip netns add nat-inside
ip -n nat-inside link set lo up alias nslab:nat
ip netns exec nat-inside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add nat-gw
ip -n nat-gw link set lo up alias nslab:nat
ip netns exec nat-gw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add nat-outside
ip -n nat-outside link set lo up alias nslab:nat
ip netns exec nat-outside sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n nat-inside link add eth0 up type veth peer name eth0 netns nat-gw
ip -n nat-gw link set eth0 up
ip -n nat-gw link add eth1 up type veth peer name eth0 netns nat-outside
ip -n nat-outside link set eth0 up

# node inside
ip -n nat-inside addr add 192.168.1.10/24 dev eth0
ip -n nat-inside route add default via 192.168.1.1

# node gw
ip -n nat-gw addr add 192.168.1.1/24 dev eth0
ip -n nat-gw addr add 203.0.113.1/24 dev eth1
ip netns exec nat-gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node outside
ip -n nat-outside addr add 203.0.113.2/24 dev eth0
ip -n nat-outside route add 192.168.1.0/24 via 203.0.113.1

# node gw runs: its root, rules, startup lines, services
ip netns exec nat-gw nft -f topologies/nat.d/gw.nft
