#!/bin/sh
# Lab 'gre' from topologies/gre.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down gre
set -e

# namespaces, lo up in each
ip netns add gre-h1
ip -n gre-h1 link set lo up alias nslab:gre
ip netns exec gre-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add gre-r1
ip -n gre-r1 link set lo up alias nslab:gre
ip netns exec gre-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add gre-core
ip -n gre-core link set lo up alias nslab:gre
ip netns exec gre-core sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add gre-r2
ip -n gre-r2 link set lo up alias nslab:gre
ip netns exec gre-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add gre-h2
ip -n gre-h2 link set lo up alias nslab:gre
ip netns exec gre-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n gre-h1 link add eth0 up type veth peer name eth1 netns gre-r1
ip -n gre-r1 link set eth1 up
ip -n gre-r1 link add eth0 up type veth peer name eth0 netns gre-core
ip -n gre-core link set eth0 up
ip -n gre-core link add eth1 up type veth peer name eth0 netns gre-r2
ip -n gre-r2 link set eth0 up
ip -n gre-r2 link add eth1 up type veth peer name eth0 netns gre-h2
ip -n gre-h2 link set eth0 up
ip -n gre-r1 link add gre1 up type gre remote 172.16.2.2 local 172.16.1.2 ttl 255
ip -n gre-r2 link add gre1 up type gre remote 172.16.1.2 local 172.16.2.2 ttl 255

# node h1
ip -n gre-h1 addr add 10.1.0.10/24 dev eth0
ip -n gre-h1 route add default via 10.1.0.1

# node r1
ip -n gre-r1 addr add 10.1.0.1/24 dev eth1
ip -n gre-r1 addr add 172.16.1.2/30 dev eth0
ip -n gre-r1 addr add 10.255.0.1 peer 10.255.0.2/32 dev gre1
ip netns exec gre-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n gre-r1 route add 172.16.0.0/16 via 172.16.1.1
ip -n gre-r1 route add 10.2.0.0/24 via 10.255.0.2 dev gre1

# node core
ip -n gre-core addr add 172.16.1.1/30 dev eth0
ip -n gre-core addr add 172.16.2.1/30 dev eth1
ip netns exec gre-core sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r2
ip -n gre-r2 addr add 10.2.0.1/24 dev eth1
ip -n gre-r2 addr add 172.16.2.2/30 dev eth0
ip -n gre-r2 addr add 10.255.0.2 peer 10.255.0.1/32 dev gre1
ip netns exec gre-r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n gre-r2 route add 172.16.0.0/16 via 172.16.2.1
ip -n gre-r2 route add 10.1.0.0/24 via 10.255.0.1 dev gre1

# node h2
ip -n gre-h2 addr add 10.2.0.10/24 dev eth0
ip -n gre-h2 route add default via 10.2.0.1
