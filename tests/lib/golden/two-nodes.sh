#!/bin/sh
# Lab 'two-nodes' from topologies/two-nodes.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down two-nodes
set -e

# namespaces, lo up in each
ip netns add two-nodes-h1
ip -n two-nodes-h1 link set lo up alias nslab:two-nodes
ip netns exec two-nodes-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add two-nodes-h2
ip -n two-nodes-h2 link set lo up alias nslab:two-nodes
ip netns exec two-nodes-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n two-nodes-h1 link add eth0 up type veth peer name eth0 netns two-nodes-h2
ip -n two-nodes-h2 link set eth0 up

# node h1
ip -n two-nodes-h1 addr add 10.0.0.1/24 dev eth0

# node h2
ip -n two-nodes-h2 addr add 10.0.0.2/24 dev eth0
