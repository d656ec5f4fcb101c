#!/bin/sh
# Lab 'onlink' from topologies/onlink.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down onlink
set -e

# namespaces, lo up in each
ip netns add onlink-h1
ip -n onlink-h1 link set lo up alias nslab:onlink
ip netns exec onlink-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add onlink-h2
ip -n onlink-h2 link set lo up alias nslab:onlink
ip netns exec onlink-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n onlink-h1 link add eth0 up type veth peer name eth0 netns onlink-h2
ip -n onlink-h2 link set eth0 up

# node h1
ip -n onlink-h1 addr add 10.0.0.1/32 dev eth0
ip -n onlink-h1 route add 10.0.1.10/31 via 10.0.1.10 dev eth0 onlink

# node h2
ip -n onlink-h2 addr add 10.0.1.10/32 dev eth0
ip -n onlink-h2 route add 10.0.0.0/31 via 10.0.0.1 dev eth0 onlink
ip -n onlink-h2 route add default via 10.0.0.1 dev eth0 onlink metric 100
