#!/bin/sh
# Lab 'vxlan' from topologies/vxlan.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down vxlan
set -e

# namespaces, lo up in each
ip netns add vxlan-core
ip -n vxlan-core link set lo up alias nslab:vxlan
ip netns exec vxlan-core sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vxlan-h1
ip -n vxlan-h1 link set lo up alias nslab:vxlan
ip netns exec vxlan-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vxlan-h2
ip -n vxlan-h2 link set lo up alias nslab:vxlan
ip netns exec vxlan-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vxlan-h3
ip -n vxlan-h3 link set lo up alias nslab:vxlan
ip netns exec vxlan-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n vxlan-h1 link add eth0 up type veth peer name eth1 netns vxlan-core
ip -n vxlan-core link set eth1 up
ip -n vxlan-h2 link add eth0 up type veth peer name eth2 netns vxlan-core
ip -n vxlan-core link set eth2 up
ip -n vxlan-h3 link add eth0 up type veth peer name eth3 netns vxlan-core
ip -n vxlan-core link set eth3 up
ip -n vxlan-h1 link add vx100 up type vxlan id 100 local 192.168.1.10 dev eth0 dstport 4789
ip -n vxlan-h2 link add vx100 up type vxlan id 100 local 192.168.2.10 dev eth0 dstport 4789
ip -n vxlan-h3 link add vx100 up type vxlan id 100 local 192.168.3.10 dev eth0 dstport 4789
bridge -n vxlan-h1 fdb append 00:00:00:00:00:00 dev vx100 dst 192.168.2.10 self permanent
bridge -n vxlan-h1 fdb append 00:00:00:00:00:00 dev vx100 dst 192.168.3.10 self permanent
bridge -n vxlan-h2 fdb append 00:00:00:00:00:00 dev vx100 dst 192.168.1.10 self permanent
bridge -n vxlan-h2 fdb append 00:00:00:00:00:00 dev vx100 dst 192.168.3.10 self permanent
bridge -n vxlan-h3 fdb append 00:00:00:00:00:00 dev vx100 dst 192.168.1.10 self permanent
bridge -n vxlan-h3 fdb append 00:00:00:00:00:00 dev vx100 dst 192.168.2.10 self permanent

# node core
ip -n vxlan-core addr add 192.168.1.1/24 dev eth1
ip -n vxlan-core addr add 192.168.2.1/24 dev eth2
ip -n vxlan-core addr add 192.168.3.1/24 dev eth3
ip netns exec vxlan-core sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h1
ip -n vxlan-h1 addr add 192.168.1.10/24 dev eth0
ip -n vxlan-h1 addr add 10.100.0.1/24 dev vx100
ip -n vxlan-h1 route add default via 192.168.1.1

# node h2
ip -n vxlan-h2 addr add 192.168.2.10/24 dev eth0
ip -n vxlan-h2 addr add 10.100.0.2/24 dev vx100
ip -n vxlan-h2 route add default via 192.168.2.1

# node h3
ip -n vxlan-h3 addr add 192.168.3.10/24 dev eth0
ip -n vxlan-h3 addr add 10.100.0.3/24 dev vx100
ip -n vxlan-h3 route add default via 192.168.3.1
