#!/bin/sh
# Lab 'dns' from topologies/dns.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down dns
set -e

# namespaces, lo up in each
ip netns add dns-.sw
ip -n dns-.sw link set lo up alias nslab:dns
ip netns exec dns-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-ns
ip -n dns-ns link set lo up alias nslab:dns
ip netns exec dns-ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-h1
ip -n dns-h1 link set lo up alias nslab:dns
ip netns exec dns-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-h2
ip -n dns-h2 link set lo up alias nslab:dns
ip netns exec dns-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-h3
ip -n dns-h3 link set lo up alias nslab:dns
ip netns exec dns-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n dns-.sw link add lan up type bridge
ip -n dns-.sw link add ns-eth0 master lan up type veth peer name eth0 netns dns-ns
ip -n dns-ns link set eth0 up
ip -n dns-.sw link add h1-eth0 master lan up type veth peer name eth0 netns dns-h1
ip -n dns-h1 link set eth0 up
ip -n dns-.sw link add h2-eth0 master lan up type veth peer name eth0 netns dns-h2
ip -n dns-h2 link set eth0 up
ip -n dns-.sw link add h3-eth0 master lan up type veth peer name eth0 netns dns-h3
ip -n dns-h3 link set eth0 up

# node ns
ip -n dns-ns addr add 10.0.0.53/24 dev eth0

# node h1
ip -n dns-h1 addr add 10.0.0.1/24 dev eth0

# node h2
ip -n dns-h2 addr add 10.0.0.2/24 dev eth0

# node h3
ip -n dns-h3 addr add 10.0.0.3/24 dev eth0

# DNS: dnsmasq in node 'ns' answers for 'dns.test'; every node asks it
mkdir -p /etc/netns/dns-ns
printf '%s\n' 'nameserver 127.0.0.1' 'search dns.test' > /etc/netns/dns-ns/resolv.conf
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' '10.0.0.53 ns.dns.test ns' > /etc/netns/dns-ns/hosts
mkdir -p /etc/netns/dns-h1
printf '%s\n' 'nameserver 10.0.0.53' 'search dns.test' > /etc/netns/dns-h1/resolv.conf
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' '10.0.0.1 h1.dns.test h1' > /etc/netns/dns-h1/hosts
mkdir -p /etc/netns/dns-h2
printf '%s\n' 'nameserver 10.0.0.53' 'search dns.test' > /etc/netns/dns-h2/resolv.conf
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' '10.0.0.2 h2.dns.test h2' > /etc/netns/dns-h2/hosts
mkdir -p /etc/netns/dns-h3
printf '%s\n' 'nameserver 10.0.0.53' 'search dns.test' > /etc/netns/dns-h3/resolv.conf
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' '10.0.0.3 h3.dns.test h3' > /etc/netns/dns-h3/hosts
mkdir -p /run/nslab/dns
printf '%s\n' '# hosts of lab dns, served by dnsmasq in node ns' '10.0.0.53 ns.dns.test ns eth0.ns.dns.test eth0.ns' '10.0.0.1 h1.dns.test h1 eth0.h1.dns.test eth0.h1' '10.0.0.2 h2.dns.test h2 eth0.h2.dns.test eth0.h2' '10.0.0.3 h3.dns.test h3 eth0.h3.dns.test eth0.h3' '10.0.0.254 gateway.dns.test gateway' > /run/nslab/dns/dns-hosts
ip netns exec dns-ns dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --user=root --addn-hosts=/run/nslab/dns/dns-hosts --domain=dns.test --local=/dns.test/ --domain-needed --log-queries --log-facility=/run/nslab/dns/dns.log --pid-file=/run/nslab/dns/dnsmasq.pid
