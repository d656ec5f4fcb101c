#!/bin/sh
# Lab 'rip' from topologies/rip.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down rip
set -e

# namespaces, lo up in each
ip netns add rip-h1
ip -n rip-h1 link set lo up alias nslab:rip
ip netns exec rip-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add rip-r1
ip -n rip-r1 link set lo up alias nslab:rip
ip netns exec rip-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add rip-r2
ip -n rip-r2 link set lo up alias nslab:rip
ip netns exec rip-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add rip-h2
ip -n rip-h2 link set lo up alias nslab:rip
ip netns exec rip-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n rip-h1 link add eth0 up type veth peer name eth0 netns rip-r1
ip -n rip-r1 link set eth0 up
ip -n rip-r1 link add eth1 up type veth peer name eth1 netns rip-r2
ip -n rip-r2 link set eth1 up
ip -n rip-h2 link add eth0 up type veth peer name eth0 netns rip-r2
ip -n rip-r2 link set eth0 up

# node h1
ip -n rip-h1 addr add 10.0.1.10/24 dev eth0
ip -n rip-h1 route add default via 10.0.1.1

# node r1
ip -n rip-r1 addr add 10.0.1.1/24 dev eth0
ip -n rip-r1 addr add 10.0.12.1/24 dev eth1
ip netns exec rip-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r2
ip -n rip-r2 addr add 10.0.2.1/24 dev eth0
ip -n rip-r2 addr add 10.0.12.2/24 dev eth1
ip netns exec rip-r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h2
ip -n rip-h2 addr add 10.0.2.10/24 dev eth0
ip -n rip-h2 route add default via 10.0.2.1

# node r1 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/rip/logs /run/nslab/rip/ns /run/nslab/rip/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/rip/ns && mount --make-private /run/nslab/rip/ns
mkdir -p /run/nslab/rip/root/r1/etc/upper /run/nslab/rip/root/r1/etc/work /run/nslab/rip/root/r1/var/upper /run/nslab/rip/root/r1/var/work /run/nslab/rip/root/r1/run/upper /run/nslab/rip/root/r1/run/work /run/nslab/rip/root/r1/tmp/upper /run/nslab/rip/root/r1/tmp/work
touch /run/nslab/rip/ns/r1.mnt /run/nslab/rip/ns/r1.uts
! test -e /etc/netns/rip-r1/resolv.conf || cp /etc/netns/rip-r1/resolv.conf /run/nslab/rip/root/r1/etc/upper/
! test -e /etc/netns/rip-r1/hosts || cp /etc/netns/rip-r1/hosts /run/nslab/rip/root/r1/etc/upper/
nsenter --net=/run/netns/rip-r1 unshare --mount=/run/nslab/rip/ns/r1.mnt --uts=/run/nslab/rip/ns/r1.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:rip/r1 -o lowerdir=topologies/rip.d/r1/etc:/etc,upperdir=/run/nslab/rip/root/r1/etc/upper,workdir=/run/nslab/rip/root/r1/etc/work /etc && mount -t overlay nslab:rip/r1 -o lowerdir=/var,upperdir=/run/nslab/rip/root/r1/var/upper,workdir=/run/nslab/rip/root/r1/var/work /var && mount -t overlay nslab:rip/r1 -o lowerdir=/run/nslab/rip/root/.empty,upperdir=/run/nslab/rip/root/r1/tmp/upper,workdir=/run/nslab/rip/root/r1/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:rip/r1 -o lowerdir=/run/nslab/rip/root/.empty,upperdir=/run/nslab/rip/root/r1/run/upper,workdir=/run/nslab/rip/root/r1/run/work /run && mkdir -p -m 1777 /run/lock && hostname r1'
printf '%s' '# written by nslab for node r1: frr = ripd
ripd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
ripd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/rip-r1 --mount=/run/nslab/rip/ns/r1.mnt --uts=/run/nslab/rip/ns/r1.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/rip-r1 --mount=/run/nslab/rip/ns/r1.mnt --uts=/run/nslab/rip/ns/r1.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/rip/logs/r1.log 2>&1

# node r2 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/rip/root/r2/etc/upper /run/nslab/rip/root/r2/etc/work /run/nslab/rip/root/r2/var/upper /run/nslab/rip/root/r2/var/work /run/nslab/rip/root/r2/run/upper /run/nslab/rip/root/r2/run/work /run/nslab/rip/root/r2/tmp/upper /run/nslab/rip/root/r2/tmp/work
touch /run/nslab/rip/ns/r2.mnt /run/nslab/rip/ns/r2.uts
! test -e /etc/netns/rip-r2/resolv.conf || cp /etc/netns/rip-r2/resolv.conf /run/nslab/rip/root/r2/etc/upper/
! test -e /etc/netns/rip-r2/hosts || cp /etc/netns/rip-r2/hosts /run/nslab/rip/root/r2/etc/upper/
nsenter --net=/run/netns/rip-r2 unshare --mount=/run/nslab/rip/ns/r2.mnt --uts=/run/nslab/rip/ns/r2.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:rip/r2 -o lowerdir=topologies/rip.d/r2/etc:/etc,upperdir=/run/nslab/rip/root/r2/etc/upper,workdir=/run/nslab/rip/root/r2/etc/work /etc && mount -t overlay nslab:rip/r2 -o lowerdir=/var,upperdir=/run/nslab/rip/root/r2/var/upper,workdir=/run/nslab/rip/root/r2/var/work /var && mount -t overlay nslab:rip/r2 -o lowerdir=/run/nslab/rip/root/.empty,upperdir=/run/nslab/rip/root/r2/tmp/upper,workdir=/run/nslab/rip/root/r2/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:rip/r2 -o lowerdir=/run/nslab/rip/root/.empty,upperdir=/run/nslab/rip/root/r2/run/upper,workdir=/run/nslab/rip/root/r2/run/work /run && mkdir -p -m 1777 /run/lock && hostname r2'
printf '%s' '# written by nslab for node r2: frr = ripd
ripd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
ripd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/rip-r2 --mount=/run/nslab/rip/ns/r2.mnt --uts=/run/nslab/rip/ns/r2.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/rip-r2 --mount=/run/nslab/rip/ns/r2.mnt --uts=/run/nslab/rip/ns/r2.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/rip/logs/r2.log 2>&1
