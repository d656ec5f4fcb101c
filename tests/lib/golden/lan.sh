#!/bin/sh
# Lab 'lan' from topologies/lan.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down lan
set -e

# namespaces, lo up in each
ip netns add lan-.sw
ip -n lan-.sw link set lo up alias nslab:lan
ip netns exec lan-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lan-h1
ip -n lan-h1 link set lo up alias nslab:lan
ip netns exec lan-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lan-h2
ip -n lan-h2 link set lo up alias nslab:lan
ip netns exec lan-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lan-h3
ip -n lan-h3 link set lo up alias nslab:lan
ip netns exec lan-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lan-h4
ip -n lan-h4 link set lo up alias nslab:lan
ip netns exec lan-h4 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n lan-.sw link add lan up type bridge
ip -n lan-.sw link add h1-eth0 master lan up type veth peer name eth0 netns lan-h1
ip -n lan-h1 link set eth0 up
ip -n lan-.sw link add h2-eth0 master lan up type veth peer name eth0 netns lan-h2
ip -n lan-h2 link set eth0 up
ip -n lan-.sw link add h3-eth0 master lan up type veth peer name eth0 netns lan-h3
ip -n lan-h3 link set eth0 up
ip -n lan-.sw link add h4-eth0 master lan up type veth peer name eth0 netns lan-h4
ip -n lan-h4 link set eth0 up

# node h1
ip -n lan-h1 addr add 10.0.0.1/24 dev eth0

# node h2
ip -n lan-h2 addr add 10.0.0.2/24 dev eth0

# node h3
ip -n lan-h3 addr add 10.0.0.3/24 dev eth0

# node h4
ip -n lan-h4 addr add 10.0.0.4/24 dev eth0
