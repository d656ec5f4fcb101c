#!/bin/sh
# Lab 'k8s-calico-routed' from topologies/k8s-calico-routed.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down k8s-calico-routed
set -e

# namespaces, lo up in each
ip netns add k8s-calico-routed-.sw
ip -n k8s-calico-routed-.sw link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-tor
ip -n k8s-calico-routed-tor link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-tor sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-node1
ip -n k8s-calico-routed-node1 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-node1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-pod1-1
ip -n k8s-calico-routed-pod1-1 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-pod1-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-pod1-2
ip -n k8s-calico-routed-pod1-2 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-pod1-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-node2
ip -n k8s-calico-routed-node2 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-node2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-pod2-1
ip -n k8s-calico-routed-pod2-1 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-pod2-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-pod2-2
ip -n k8s-calico-routed-pod2-2 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-pod2-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-node3
ip -n k8s-calico-routed-node3 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-node3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-pod3-1
ip -n k8s-calico-routed-pod3-1 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-pod3-1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add k8s-calico-routed-pod3-2
ip -n k8s-calico-routed-pod3-2 link set lo up alias nslab:k8s-calico-routed
ip netns exec k8s-calico-routed-pod3-2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n k8s-calico-routed-.sw link add underlay up type bridge
ip -n k8s-calico-routed-.sw link add tor-eth0 master underlay up type veth peer name eth0 netns k8s-calico-routed-tor
ip -n k8s-calico-routed-tor link set eth0 up
ip -n k8s-calico-routed-.sw link add node1-eth0 master underlay up type veth peer name eth0 netns k8s-calico-routed-node1
ip -n k8s-calico-routed-node1 link set eth0 up
ip -n k8s-calico-routed-pod1-1 link add eth0 up type veth peer name cali1-1 netns k8s-calico-routed-node1
ip -n k8s-calico-routed-node1 link set cali1-1 up
ip -n k8s-calico-routed-pod1-2 link add eth0 up type veth peer name cali1-2 netns k8s-calico-routed-node1
ip -n k8s-calico-routed-node1 link set cali1-2 up
ip -n k8s-calico-routed-.sw link add node2-eth0 master underlay up type veth peer name eth0 netns k8s-calico-routed-node2
ip -n k8s-calico-routed-node2 link set eth0 up
ip -n k8s-calico-routed-pod2-1 link add eth0 up type veth peer name cali2-1 netns k8s-calico-routed-node2
ip -n k8s-calico-routed-node2 link set cali2-1 up
ip -n k8s-calico-routed-pod2-2 link add eth0 up type veth peer name cali2-2 netns k8s-calico-routed-node2
ip -n k8s-calico-routed-node2 link set cali2-2 up
ip -n k8s-calico-routed-.sw link add node3-eth0 master underlay up type veth peer name eth0 netns k8s-calico-routed-node3
ip -n k8s-calico-routed-node3 link set eth0 up
ip -n k8s-calico-routed-pod3-1 link add eth0 up type veth peer name cali3-1 netns k8s-calico-routed-node3
ip -n k8s-calico-routed-node3 link set cali3-1 up
ip -n k8s-calico-routed-pod3-2 link add eth0 up type veth peer name cali3-2 netns k8s-calico-routed-node3
ip -n k8s-calico-routed-node3 link set cali3-2 up

# node tor
ip -n k8s-calico-routed-tor addr add 192.168.0.1/24 dev eth0

# node node1
ip -n k8s-calico-routed-node1 addr add 192.168.0.11/24 dev eth0
ip netns exec k8s-calico-routed-node1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.cali1-1.proxy_arp=1 net.ipv4.neigh.cali1-1.proxy_delay=0 net.ipv4.conf.cali1-2.proxy_arp=1 net.ipv4.neigh.cali1-2.proxy_delay=0
ip -n k8s-calico-routed-node1 route add 10.244.1.2/32 dev cali1-1
ip -n k8s-calico-routed-node1 route add 10.244.1.3/32 dev cali1-2
ip -n k8s-calico-routed-node1 route add default via 192.168.0.1
ip -n k8s-calico-routed-node1 route add 10.244.2.0/24 via 192.168.0.12 dev eth0
ip -n k8s-calico-routed-node1 route add 10.244.3.0/24 via 192.168.0.13 dev eth0

# node pod1-1
ip -n k8s-calico-routed-pod1-1 addr add 10.244.1.2/32 dev eth0
ip -n k8s-calico-routed-pod1-1 route add 169.254.1.1/32 dev eth0
ip -n k8s-calico-routed-pod1-1 route add default via 169.254.1.1 dev eth0

# node pod1-2
ip -n k8s-calico-routed-pod1-2 addr add 10.244.1.3/32 dev eth0
ip -n k8s-calico-routed-pod1-2 route add 169.254.1.1/32 dev eth0
ip -n k8s-calico-routed-pod1-2 route add default via 169.254.1.1 dev eth0

# node node2
ip -n k8s-calico-routed-node2 addr add 192.168.0.12/24 dev eth0
ip netns exec k8s-calico-routed-node2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.cali2-1.proxy_arp=1 net.ipv4.neigh.cali2-1.proxy_delay=0 net.ipv4.conf.cali2-2.proxy_arp=1 net.ipv4.neigh.cali2-2.proxy_delay=0
ip -n k8s-calico-routed-node2 route add 10.244.2.2/32 dev cali2-1
ip -n k8s-calico-routed-node2 route add 10.244.2.3/32 dev cali2-2
ip -n k8s-calico-routed-node2 route add default via 192.168.0.1
ip -n k8s-calico-routed-node2 route add 10.244.1.0/24 via 192.168.0.11 dev eth0
ip -n k8s-calico-routed-node2 route add 10.244.3.0/24 via 192.168.0.13 dev eth0

# node pod2-1
ip -n k8s-calico-routed-pod2-1 addr add 10.244.2.2/32 dev eth0
ip -n k8s-calico-routed-pod2-1 route add 169.254.1.1/32 dev eth0
ip -n k8s-calico-routed-pod2-1 route add default via 169.254.1.1 dev eth0

# node pod2-2
ip -n k8s-calico-routed-pod2-2 addr add 10.244.2.3/32 dev eth0
ip -n k8s-calico-routed-pod2-2 route add 169.254.1.1/32 dev eth0
ip -n k8s-calico-routed-pod2-2 route add default via 169.254.1.1 dev eth0

# node node3
ip -n k8s-calico-routed-node3 addr add 192.168.0.13/24 dev eth0
ip netns exec k8s-calico-routed-node3 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.cali3-1.proxy_arp=1 net.ipv4.neigh.cali3-1.proxy_delay=0 net.ipv4.conf.cali3-2.proxy_arp=1 net.ipv4.neigh.cali3-2.proxy_delay=0
ip -n k8s-calico-routed-node3 route add 10.244.3.2/32 dev cali3-1
ip -n k8s-calico-routed-node3 route add 10.244.3.3/32 dev cali3-2
ip -n k8s-calico-routed-node3 route add default via 192.168.0.1
ip -n k8s-calico-routed-node3 route add 10.244.1.0/24 via 192.168.0.11 dev eth0
ip -n k8s-calico-routed-node3 route add 10.244.2.0/24 via 192.168.0.12 dev eth0

# node pod3-1
ip -n k8s-calico-routed-pod3-1 addr add 10.244.3.2/32 dev eth0
ip -n k8s-calico-routed-pod3-1 route add 169.254.1.1/32 dev eth0
ip -n k8s-calico-routed-pod3-1 route add default via 169.254.1.1 dev eth0

# node pod3-2
ip -n k8s-calico-routed-pod3-2 addr add 10.244.3.3/32 dev eth0
ip -n k8s-calico-routed-pod3-2 route add 169.254.1.1/32 dev eth0
ip -n k8s-calico-routed-pod3-2 route add default via 169.254.1.1 dev eth0
