#!/bin/sh
# Lab 'k8s-host-gw' from topologies/k8s-host-gw.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down k8s-host-gw
set -e

# namespaces, lo up in each
ip netns add k8s-host-gw-.sw
ip -n k8s-host-gw-.sw link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-node1
ip -n k8s-host-gw-node1 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-node1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-pod1-1
ip -n k8s-host-gw-pod1-1 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-pod1-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-pod1-2
ip -n k8s-host-gw-pod1-2 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-pod1-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-node2
ip -n k8s-host-gw-node2 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-node2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-pod2-1
ip -n k8s-host-gw-pod2-1 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-pod2-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-pod2-2
ip -n k8s-host-gw-pod2-2 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-pod2-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-node3
ip -n k8s-host-gw-node3 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-node3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-pod3-1
ip -n k8s-host-gw-pod3-1 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-pod3-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-host-gw-pod3-2
ip -n k8s-host-gw-pod3-2 link set lo up alias nslab:k8s-host-gw
ip netns exec k8s-host-gw-pod3-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n k8s-host-gw-.sw link add underlay up type bridge
ip -n k8s-host-gw-node1 link add cni0 up type bridge
ip -n k8s-host-gw-node2 link add cni0 up type bridge
ip -n k8s-host-gw-node3 link add cni0 up type bridge
ip -n k8s-host-gw-.sw link add node1-eth0 master underlay up type veth peer name eth0 netns k8s-host-gw-node1
ip -n k8s-host-gw-node1 link set eth0 up
ip -n k8s-host-gw-node1 link add pod1-1-eth0 master cni0 up type veth peer name eth0 netns k8s-host-gw-pod1-1
ip -n k8s-host-gw-pod1-1 link set eth0 up
ip -n k8s-host-gw-node1 link add pod1-2-eth0 master cni0 up type veth peer name eth0 netns k8s-host-gw-pod1-2
ip -n k8s-host-gw-pod1-2 link set eth0 up
ip -n k8s-host-gw-.sw link add node2-eth0 master underlay up type veth peer name eth0 netns k8s-host-gw-node2
ip -n k8s-host-gw-node2 link set eth0 up
ip -n k8s-host-gw-node2 link add pod2-1-eth0 master cni0 up type veth peer name eth0 netns k8s-host-gw-pod2-1
ip -n k8s-host-gw-pod2-1 link set eth0 up
ip -n k8s-host-gw-node2 link add pod2-2-eth0 master cni0 up type veth peer name eth0 netns k8s-host-gw-pod2-2
ip -n k8s-host-gw-pod2-2 link set eth0 up
ip -n k8s-host-gw-.sw link add node3-eth0 master underlay up type veth peer name eth0 netns k8s-host-gw-node3
ip -n k8s-host-gw-node3 link set eth0 up
ip -n k8s-host-gw-node3 link add pod3-1-eth0 master cni0 up type veth peer name eth0 netns k8s-host-gw-pod3-1
ip -n k8s-host-gw-pod3-1 link set eth0 up
ip -n k8s-host-gw-node3 link add pod3-2-eth0 master cni0 up type veth peer name eth0 netns k8s-host-gw-pod3-2
ip -n k8s-host-gw-pod3-2 link set eth0 up

# ports: interfaces into their bridges and VRFs, port settings
ip -n k8s-host-gw-node1 link set pod1-1-eth0 type bridge_slave hairpin on
ip -n k8s-host-gw-node1 link set pod1-2-eth0 type bridge_slave hairpin on
ip -n k8s-host-gw-node2 link set pod2-1-eth0 type bridge_slave hairpin on
ip -n k8s-host-gw-node2 link set pod2-2-eth0 type bridge_slave hairpin on
ip -n k8s-host-gw-node3 link set pod3-1-eth0 type bridge_slave hairpin on
ip -n k8s-host-gw-node3 link set pod3-2-eth0 type bridge_slave hairpin on

# node node1
ip -n k8s-host-gw-node1 addr add 192.168.0.11/24 dev eth0
ip -n k8s-host-gw-node1 addr add 10.244.1.1/24 dev cni0
ip netns exec k8s-host-gw-node1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n k8s-host-gw-node1 route add 10.244.2.0/24 via 192.168.0.12 dev eth0
ip -n k8s-host-gw-node1 route add 10.244.3.0/24 via 192.168.0.13 dev eth0

# node pod1-1
ip -n k8s-host-gw-pod1-1 addr add 10.244.1.2/24 dev eth0
ip -n k8s-host-gw-pod1-1 route add default via 10.244.1.1

# node pod1-2
ip -n k8s-host-gw-pod1-2 addr add 10.244.1.3/24 dev eth0
ip -n k8s-host-gw-pod1-2 route add default via 10.244.1.1

# node node2
ip -n k8s-host-gw-node2 addr add 192.168.0.12/24 dev eth0
ip -n k8s-host-gw-node2 addr add 10.244.2.1/24 dev cni0
ip netns exec k8s-host-gw-node2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n k8s-host-gw-node2 route add 10.244.1.0/24 via 192.168.0.11 dev eth0
ip -n k8s-host-gw-node2 route add 10.244.3.0/24 via 192.168.0.13 dev eth0

# node pod2-1
ip -n k8s-host-gw-pod2-1 addr add 10.244.2.2/24 dev eth0
ip -n k8s-host-gw-pod2-1 route add default via 10.244.2.1

# node pod2-2
ip -n k8s-host-gw-pod2-2 addr add 10.244.2.3/24 dev eth0
ip -n k8s-host-gw-pod2-2 route add default via 10.244.2.1

# node node3
ip -n k8s-host-gw-node3 addr add 192.168.0.13/24 dev eth0
ip -n k8s-host-gw-node3 addr add 10.244.3.1/24 dev cni0
ip netns exec k8s-host-gw-node3 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip -n k8s-host-gw-node3 route add 10.244.1.0/24 via 192.168.0.11 dev eth0
ip -n k8s-host-gw-node3 route add 10.244.2.0/24 via 192.168.0.12 dev eth0

# node pod3-1
ip -n k8s-host-gw-pod3-1 addr add 10.244.3.2/24 dev eth0
ip -n k8s-host-gw-pod3-1 route add default via 10.244.3.1

# node pod3-2
ip -n k8s-host-gw-pod3-2 addr add 10.244.3.3/24 dev eth0
ip -n k8s-host-gw-pod3-2 route add default via 10.244.3.1
