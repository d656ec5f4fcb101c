#!/bin/sh
# Lab 'vlan' from topologies/vlan.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down vlan
set -e

# namespaces, lo up in each
ip netns add vlan-sw1
ip -n vlan-sw1 link set lo up alias nslab:vlan
ip netns exec vlan-sw1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vlan-sw2
ip -n vlan-sw2 link set lo up alias nslab:vlan
ip netns exec vlan-sw2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vlan-r
ip -n vlan-r link set lo up alias nslab:vlan
ip netns exec vlan-r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vlan-h1
ip -n vlan-h1 link set lo up alias nslab:vlan
ip netns exec vlan-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vlan-h2
ip -n vlan-h2 link set lo up alias nslab:vlan
ip netns exec vlan-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vlan-h3
ip -n vlan-h3 link set lo up alias nslab:vlan
ip netns exec vlan-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add vlan-spy
ip -n vlan-spy link set lo up alias nslab:vlan
ip netns exec vlan-spy sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n vlan-sw1 link add br0 up type bridge vlan_filtering 1
ip -n vlan-sw2 link add br0 up type bridge vlan_filtering 1
ip -n vlan-h1 link add eth0 up type veth peer name eth1 netns vlan-sw1
ip -n vlan-sw1 link set eth1 up
ip -n vlan-h2 link add eth0 up type veth peer name eth2 netns vlan-sw1
ip -n vlan-sw1 link set eth2 up
ip -n vlan-sw1 link add trunk up type veth peer name trunk netns vlan-sw2
ip -n vlan-sw2 link set trunk up
ip -n vlan-h3 link add eth0 up type veth peer name eth1 netns vlan-sw2
ip -n vlan-sw2 link set eth1 up
ip -n vlan-spy link add eth0 up type veth peer name eth2 netns vlan-sw2
ip -n vlan-sw2 link set eth2 up
ip -n vlan-r link add eth0 up type veth peer name eth3 netns vlan-sw2
ip -n vlan-sw2 link set eth3 up
ip -n vlan-r link add link eth0 name eth0.10 up type vlan id 10
ip -n vlan-r link add link eth0 name eth0.20 up type vlan id 20

# ports: interfaces into their bridges and VRFs, port settings
ip -n vlan-sw1 link set eth1 master br0
ip -n vlan-sw1 link set eth2 master br0
ip -n vlan-sw1 link set trunk master br0
ip -n vlan-sw2 link set trunk master br0
ip -n vlan-sw2 link set eth1 master br0
ip -n vlan-sw2 link set eth2 master br0
ip -n vlan-sw2 link set eth3 master br0
bridge -n vlan-sw1 vlan add vid 10 dev eth1 pvid untagged
bridge -n vlan-sw1 vlan del vid 1 dev eth1
bridge -n vlan-sw1 vlan add vid 20 dev eth2 pvid untagged
bridge -n vlan-sw1 vlan del vid 1 dev eth2
bridge -n vlan-sw1 vlan add vid 10 dev trunk
bridge -n vlan-sw1 vlan add vid 20 dev trunk
bridge -n vlan-sw1 vlan del vid 1 dev trunk
bridge -n vlan-sw2 vlan add vid 10 dev trunk
bridge -n vlan-sw2 vlan add vid 20 dev trunk
bridge -n vlan-sw2 vlan del vid 1 dev trunk
bridge -n vlan-sw2 vlan add vid 10 dev eth1 pvid untagged
bridge -n vlan-sw2 vlan del vid 1 dev eth1
bridge -n vlan-sw2 vlan add vid 20 dev eth2 pvid untagged
bridge -n vlan-sw2 vlan del vid 1 dev eth2
bridge -n vlan-sw2 vlan add vid 10 dev eth3
bridge -n vlan-sw2 vlan add vid 20 dev eth3
bridge -n vlan-sw2 vlan del vid 1 dev eth3

# node r
ip -n vlan-r addr add 10.0.10.1/24 dev eth0.10
ip -n vlan-r addr add 10.0.20.1/24 dev eth0.20
ip netns exec vlan-r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h1
ip -n vlan-h1 addr add 10.0.10.11/24 dev eth0
ip -n vlan-h1 route add default via 10.0.10.1

# node h2
ip -n vlan-h2 addr add 10.0.20.12/24 dev eth0
ip -n vlan-h2 route add default via 10.0.20.1

# node h3
ip -n vlan-h3 addr add 10.0.10.13/24 dev eth0
ip -n vlan-h3 route add default via 10.0.10.1

# node spy
ip -n vlan-spy addr add 10.0.10.99/24 dev eth0
