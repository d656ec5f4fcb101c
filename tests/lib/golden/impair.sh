#!/bin/sh
# Lab 'impair' from topologies/impair.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down impair
set -e

# namespaces, lo up in each
ip netns add impair-h1
ip -n impair-h1 link set lo up alias nslab:impair
ip netns exec impair-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add impair-r1
ip -n impair-r1 link set lo up alias nslab:impair
ip netns exec impair-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add impair-r2
ip -n impair-r2 link set lo up alias nslab:impair
ip netns exec impair-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add impair-r3
ip -n impair-r3 link set lo up alias nslab:impair
ip netns exec impair-r3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add impair-h2
ip -n impair-h2 link set lo up alias nslab:impair
ip netns exec impair-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n impair-h1 link add eth0 up type veth peer name eth0 netns impair-r1
ip -n impair-r1 link set eth0 up
ip -n impair-r1 link add eth1 up type veth peer name eth1 netns impair-r2
ip -n impair-r2 link set eth1 up
ip -n impair-r1 link add eth2 up type veth peer name eth0 netns impair-r3
ip -n impair-r3 link set eth0 up
ip -n impair-r2 link add eth2 up type veth peer name eth1 netns impair-r3
ip -n impair-r3 link set eth1 up
ip -n impair-r2 link add eth0 up type veth peer name eth0 netns impair-h2
ip -n impair-h2 link set eth0 up
tc -n impair-r2 qdisc add dev eth0 root handle 1: tbf rate 20mbit burst 25000 limit 150000
tc -n impair-h2 qdisc add dev eth0 root handle 1: tbf rate 20mbit burst 25000 limit 150000

# node h1
ip -n impair-h1 addr add 10.1.1.10/24 dev eth0
ip netns exec impair-h1 sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
ip -n impair-h1 route add default via 10.1.1.1

# node r1
ip -n impair-r1 addr add 10.1.1.1/24 dev eth0
ip -n impair-r1 addr add 10.1.12.1/24 dev eth1
ip -n impair-r1 addr add 10.1.13.1/24 dev eth2
ip netns exec impair-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.ignore_routes_with_linkdown=1
ip -n impair-r1 route add 10.1.2.0/24 via 10.1.12.2 metric 10
ip -n impair-r1 route add 10.1.2.0/24 via 10.1.13.3 metric 20
ip -n impair-r1 route add 10.1.23.0/24 via 10.1.13.3

# node r2
ip -n impair-r2 addr add 10.1.2.1/24 dev eth0
ip -n impair-r2 addr add 10.1.12.2/24 dev eth1
ip -n impair-r2 addr add 10.1.23.2/24 dev eth2
ip netns exec impair-r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.ignore_routes_with_linkdown=1
ip -n impair-r2 route add 10.1.1.0/24 via 10.1.12.1 metric 10
ip -n impair-r2 route add 10.1.1.0/24 via 10.1.23.3 metric 20
ip -n impair-r2 route add 10.1.13.0/24 via 10.1.23.3

# node r3
ip -n impair-r3 addr add 10.1.13.3/24 dev eth0
ip -n impair-r3 addr add 10.1.23.3/24 dev eth1
ip netns exec impair-r3 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.ignore_routes_with_linkdown=1
ip -n impair-r3 route add 10.1.1.0/24 via 10.1.13.1
ip -n impair-r3 route add 10.1.2.0/24 via 10.1.23.2
ip -n impair-r3 route add 10.1.12.0/24 via 10.1.13.1

# node h2
ip -n impair-h2 addr add 10.1.2.10/24 dev eth0
ip netns exec impair-h2 sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
ip -n impair-h2 route add default via 10.1.2.1
