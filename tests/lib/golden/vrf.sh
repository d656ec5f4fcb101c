#!/bin/sh
# Lab 'vrf' from topologies/vrf.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down vrf
set -e

# namespaces, lo up in each
ip netns add vrf-r
ip -n vrf-r link set lo up alias nslab:vrf
ip netns exec vrf-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vrf-a1
ip -n vrf-a1 link set lo up alias nslab:vrf
ip netns exec vrf-a1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vrf-a2
ip -n vrf-a2 link set lo up alias nslab:vrf
ip netns exec vrf-a2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vrf-b1
ip -n vrf-b1 link set lo up alias nslab:vrf
ip netns exec vrf-b1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vrf-b2
ip -n vrf-b2 link set lo up alias nslab:vrf
ip netns exec vrf-b2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n vrf-a1 link add eth0 up type veth peer name eth0 netns vrf-r
ip -n vrf-r link set eth0 up
ip -n vrf-r link add eth1 up type veth peer name eth0 netns vrf-a2
ip -n vrf-a2 link set eth0 up
ip -n vrf-b1 link add eth0 up type veth peer name eth2 netns vrf-r
ip -n vrf-r link set eth2 up
ip -n vrf-r link add eth3 up type veth peer name eth0 netns vrf-b2
ip -n vrf-b2 link set eth0 up
ip -n vrf-r link add red up type vrf table 10
ip -n vrf-r link add blue up type vrf table 20

# ports: interfaces into their bridges and VRFs, port settings
ip -n vrf-r link set eth0 master red
ip -n vrf-r link set eth1 master red
ip -n vrf-r link set eth2 master blue
ip -n vrf-r link set eth3 master blue

# node r
ip -n vrf-r addr add 10.0.1.1/24 dev eth0
ip -n vrf-r addr add 10.0.2.1/24 dev eth1
ip -n vrf-r addr add 10.0.1.1/24 dev eth2
ip -n vrf-r addr add 10.0.2.1/24 dev eth3
ip -n vrf-r addr add 10.0.100.1/32 dev blue
ip netns exec vrf-r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n vrf-r route add 10.0.3.0/24 via 10.0.2.10 vrf red
ip -n vrf-r route add 10.0.3.0/24 via 10.0.2.10 table 20

# node a1
ip -n vrf-a1 addr add 10.0.1.10/24 dev eth0
ip -n vrf-a1 route add default via 10.0.1.1

# node a2
ip -n vrf-a2 addr add 10.0.2.10/24 dev eth0
ip -n vrf-a2 addr add 10.0.3.10/32 dev lo
ip -n vrf-a2 route add default via 10.0.2.1

# node b1
ip -n vrf-b1 addr add 10.0.1.10/24 dev eth0
ip -n vrf-b1 route add default via 10.0.1.1

# node b2
ip -n vrf-b2 addr add 10.0.2.10/24 dev eth0
ip -n vrf-b2 addr add 10.0.3.10/32 dev lo
ip -n vrf-b2 route add default via 10.0.2.1
