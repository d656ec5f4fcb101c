#!/bin/sh
# Lab 'slaac' from topologies/slaac.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down slaac
set -e

# namespaces, lo up in each
ip netns add slaac-.sw
ip -n slaac-.sw link set lo up alias nslab:slaac
ip netns exec slaac-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add slaac-r
ip -n slaac-r link set lo up alias nslab:slaac
ip netns exec slaac-r sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip netns add slaac-h1
ip -n slaac-h1 link set lo up alias nslab:slaac
ip netns exec slaac-h1 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip netns add slaac-h2
ip -n slaac-h2 link set lo up alias nslab:slaac
ip netns exec slaac-h2 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

# links
ip -n slaac-.sw link add lan up type bridge
ip -n slaac-.sw link add r-eth0 master lan up type veth peer name eth0 netns slaac-r
ip -n slaac-r link set eth0 up
ip -n slaac-.sw link add h1-eth0 master lan up type veth peer name eth0 address 02:00:00:00:00:01 netns slaac-h1
ip -n slaac-h1 link set eth0 up
ip -n slaac-.sw link add h2-eth0 master lan up type veth peer name eth0 address 02:00:00:00:00:02 netns slaac-h2
ip -n slaac-h2 link set eth0 up

# node r
ip -n slaac-r addr add fd00:1::1/64 dev eth0 nodad
ip netns exec slaac-r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r runs: its root, rules, startup lines, services
mkdir -p /run/nslab/slaac/logs /run/nslab/slaac/ns /run/nslab/slaac/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/slaac/ns && mount --make-private /run/nslab/slaac/ns
mkdir -p /run/nslab/slaac/root/r/etc/upper /run/nslab/slaac/root/r/etc/work /run/nslab/slaac/root/r/var/upper /run/nslab/slaac/root/r/var/work /run/nslab/slaac/root/r/run/upper /run/nslab/slaac/root/r/run/work /run/nslab/slaac/root/r/tmp/upper /run/nslab/slaac/root/r/tmp/work
touch /run/nslab/slaac/ns/r.mnt /run/nslab/slaac/ns/r.uts
! test -e /etc/netns/slaac-r/resolv.conf || cp /etc/netns/slaac-r/resolv.conf /run/nslab/slaac/root/r/etc/upper/
! test -e /etc/netns/slaac-r/hosts || cp /etc/netns/slaac-r/hosts /run/nslab/slaac/root/r/etc/upper/
nsenter --net=/run/netns/slaac-r unshare --mount=/run/nslab/slaac/ns/r.mnt --uts=/run/nslab/slaac/ns/r.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:slaac/r -o lowerdir=topologies/slaac.d/r/etc:/etc,upperdir=/run/nslab/slaac/root/r/etc/upper,workdir=/run/nslab/slaac/root/r/etc/work /etc && mount -t overlay nslab:slaac/r -o lowerdir=/var,upperdir=/run/nslab/slaac/root/r/var/upper,workdir=/run/nslab/slaac/root/r/var/work /var && mount -t overlay nslab:slaac/r -o lowerdir=/run/nslab/slaac/root/.empty,upperdir=/run/nslab/slaac/root/r/tmp/upper,workdir=/run/nslab/slaac/root/r/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:slaac/r -o lowerdir=/run/nslab/slaac/root/.empty,upperdir=/run/nslab/slaac/root/r/run/upper,workdir=/run/nslab/slaac/root/r/run/work /run && mkdir -p -m 1777 /run/lock && hostname r'
setsid nsenter --net=/run/netns/slaac-r --mount=/run/nslab/slaac/ns/r.mnt --uts=/run/nslab/slaac/ns/r.uts sh -c 'exec radvd -n -m stderr -p /run/radvd.pid' >>/run/nslab/slaac/logs/r.log 2>&1 </dev/null &
# service radvd is ready when this file exists in the node: /run/radvd.pid (within 10 s)
