#!/bin/sh
# Lab 'evpn-static' from topologies/evpn-static.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down evpn-static
set -e

# namespaces, lo up in each
ip netns add evpn-static-vtep1
ip -n evpn-static-vtep1 link set lo up alias nslab:evpn-static
ip netns exec evpn-static-vtep1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add evpn-static-vtep2
ip -n evpn-static-vtep2 link set lo up alias nslab:evpn-static
ip netns exec evpn-static-vtep2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add evpn-static-h1
ip -n evpn-static-h1 link set lo up alias nslab:evpn-static
ip netns exec evpn-static-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add evpn-static-h2
ip -n evpn-static-h2 link set lo up alias nslab:evpn-static
ip netns exec evpn-static-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n evpn-static-vtep1 link add br0 up type bridge
ip -n evpn-static-vtep2 link add br0 up type bridge
ip -n evpn-static-vtep1 link add eth0 up type veth peer name eth0 netns evpn-static-vtep2
ip -n evpn-static-vtep2 link set eth0 up
ip -n evpn-static-h1 link add eth0 address 02:00:00:00:01:11 up type veth peer name eth1 netns evpn-static-vtep1
ip -n evpn-static-vtep1 link set eth1 up
ip -n evpn-static-h2 link add eth0 address 02:00:00:00:01:12 up type veth peer name eth1 netns evpn-static-vtep2
ip -n evpn-static-vtep2 link set eth1 up
ip -n evpn-static-vtep1 link add vxlan100 up type vxlan id 100 local 192.168.0.1 dev eth0 dstport 4789 nolearning
ip -n evpn-static-vtep2 link add vxlan100 up type vxlan id 100 local 192.168.0.2 dev eth0 dstport 4789 nolearning

# ports: interfaces into their bridges and VRFs, port settings
ip -n evpn-static-vtep1 link set eth1 master br0
ip -n evpn-static-vtep1 link set vxlan100 master br0
ip -n evpn-static-vtep2 link set eth1 master br0
ip -n evpn-static-vtep2 link set vxlan100 master br0
ip -n evpn-static-vtep1 link set vxlan100 type bridge_slave learning off neigh_suppress on
ip -n evpn-static-vtep2 link set vxlan100 type bridge_slave learning off neigh_suppress on

# node vtep1
ip -n evpn-static-vtep1 addr add 192.168.0.1/24 dev eth0
ip -n evpn-static-vtep1 neigh add 10.1.0.12 lladdr 02:00:00:00:01:12 dev br0 nud permanent
bridge -n evpn-static-vtep1 fdb append 00:00:00:00:00:00 dev vxlan100 dst 192.168.0.2 self permanent
bridge -n evpn-static-vtep1 fdb add 02:00:00:00:01:12 dev vxlan100 master static
bridge -n evpn-static-vtep1 fdb append 02:00:00:00:01:12 dev vxlan100 dst 192.168.0.2 self permanent

# node vtep2
ip -n evpn-static-vtep2 addr add 192.168.0.2/24 dev eth0
ip -n evpn-static-vtep2 neigh add 10.1.0.11 lladdr 02:00:00:00:01:11 dev br0 nud permanent
bridge -n evpn-static-vtep2 fdb append 00:00:00:00:00:00 dev vxlan100 dst 192.168.0.1 self permanent
bridge -n evpn-static-vtep2 fdb add 02:00:00:00:01:11 dev vxlan100 master static
bridge -n evpn-static-vtep2 fdb append 02:00:00:00:01:11 dev vxlan100 dst 192.168.0.1 self permanent

# node h1
ip -n evpn-static-h1 addr add 10.1.0.11/24 dev eth0

# node h2
ip -n evpn-static-h2 addr add 10.1.0.12/24 dev eth0
