#!/bin/sh
# Lab 'ipip' from topologies/ipip.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down ipip
set -e

# namespaces, lo up in each
ip netns add ipip-h1
ip -n ipip-h1 link set lo up alias nslab:ipip
ip netns exec ipip-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ipip-r1
ip -n ipip-r1 link set lo up alias nslab:ipip
ip netns exec ipip-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ipip-core
ip -n ipip-core link set lo up alias nslab:ipip
ip netns exec ipip-core sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ipip-r2
ip -n ipip-r2 link set lo up alias nslab:ipip
ip netns exec ipip-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ipip-h2
ip -n ipip-h2 link set lo up alias nslab:ipip
ip netns exec ipip-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n ipip-h1 link add eth0 up type veth peer name eth1 netns ipip-r1
ip -n ipip-r1 link set eth1 up
ip -n ipip-r1 link add eth0 up type veth peer name eth0 netns ipip-core
ip -n ipip-core link set eth0 up
ip -n ipip-core link add eth1 up type veth peer name eth0 netns ipip-r2
ip -n ipip-r2 link set eth0 up
ip -n ipip-r2 link add eth1 up type veth peer name eth0 netns ipip-h2
ip -n ipip-h2 link set eth0 up
ip -n ipip-r1 link add tun1 up type ipip remote 172.16.2.2 local 172.16.1.2 ttl 64 mode ipip
ip -n ipip-r2 link add tun1 up type ipip remote 172.16.1.2 local 172.16.2.2 ttl 64 mode ipip

# node h1
ip -n ipip-h1 addr add 10.1.0.10/24 dev eth0
ip -n ipip-h1 route add default via 10.1.0.1

# node r1
ip -n ipip-r1 addr add 10.1.0.1/24 dev eth1
ip -n ipip-r1 addr add 172.16.1.2/30 dev eth0
ip -n ipip-r1 addr add 10.255.0.1 peer 10.255.0.2/32 dev tun1
ip netns exec ipip-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n ipip-r1 route add 172.16.0.0/16 via 172.16.1.1
ip -n ipip-r1 route add 10.2.0.0/24 via 10.255.0.2 dev tun1

# node core
ip -n ipip-core addr add 172.16.1.1/30 dev eth0
ip -n ipip-core addr add 172.16.2.1/30 dev eth1
ip netns exec ipip-core sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r2
ip -n ipip-r2 addr add 10.2.0.1/24 dev eth1
ip -n ipip-r2 addr add 172.16.2.2/30 dev eth0
ip -n ipip-r2 addr add 10.255.0.2 peer 10.255.0.1/32 dev tun1
ip netns exec ipip-r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n ipip-r2 route add 172.16.0.0/16 via 172.16.2.1
ip -n ipip-r2 route add 10.1.0.0/24 via 10.255.0.1 dev tun1

# node h2
ip -n ipip-h2 addr add 10.2.0.10/24 dev eth0
ip -n ipip-h2 route add default via 10.2.0.1
