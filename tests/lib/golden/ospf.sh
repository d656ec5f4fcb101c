#!/bin/sh
# Lab 'ospf' from topologies/ospf.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down ospf
set -e

# namespaces, lo up in each
ip netns add ospf-h1
ip -n ospf-h1 link set lo up alias nslab:ospf
ip netns exec ospf-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ospf-r1
ip -n ospf-r1 link set lo up alias nslab:ospf
ip netns exec ospf-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ospf-r2
ip -n ospf-r2 link set lo up alias nslab:ospf
ip netns exec ospf-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ospf-r3
ip -n ospf-r3 link set lo up alias nslab:ospf
ip netns exec ospf-r3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add ospf-h2
ip -n ospf-h2 link set lo up alias nslab:ospf
ip netns exec ospf-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n ospf-h1 link add eth0 up type veth peer name eth0 netns ospf-r1
ip -n ospf-r1 link set eth0 up
ip -n ospf-r1 link add eth1 up type veth peer name eth1 netns ospf-r2
ip -n ospf-r2 link set eth1 up
ip -n ospf-r2 link add eth2 up type veth peer name eth1 netns ospf-r3
ip -n ospf-r3 link set eth1 up
ip -n ospf-r1 link add eth2 up type veth peer name eth2 netns ospf-r3
ip -n ospf-r3 link set eth2 up
ip -n ospf-h2 link add eth0 up type veth peer name eth0 netns ospf-r3
ip -n ospf-r3 link set eth0 up

# node h1
ip -n ospf-h1 addr add 10.0.1.10/24 dev eth0
ip -n ospf-h1 route add default via 10.0.1.1

# node r1
ip -n ospf-r1 addr add 10.0.1.1/24 dev eth0
ip -n ospf-r1 addr add 10.0.12.1/24 dev eth1
ip -n ospf-r1 addr add 10.0.13.1/24 dev eth2
ip netns exec ospf-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r2
ip -n ospf-r2 addr add 10.0.12.2/24 dev eth1
ip -n ospf-r2 addr add 10.0.23.2/24 dev eth2
ip netns exec ospf-r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r3
ip -n ospf-r3 addr add 10.0.3.1/24 dev eth0
ip -n ospf-r3 addr add 10.0.13.3/24 dev eth2
ip -n ospf-r3 addr add 10.0.23.3/24 dev eth1
ip netns exec ospf-r3 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h2
ip -n ospf-h2 addr add 10.0.3.10/24 dev eth0
ip -n ospf-h2 route add default via 10.0.3.1

# node r1 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/ospf/logs /run/nslab/ospf/ns /run/nslab/ospf/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/ospf/ns && mount --make-private /run/nslab/ospf/ns
mkdir -p /run/nslab/ospf/root/r1/etc/upper /run/nslab/ospf/root/r1/etc/work /run/nslab/ospf/root/r1/var/upper /run/nslab/ospf/root/r1/var/work /run/nslab/ospf/root/r1/run/upper /run/nslab/ospf/root/r1/run/work /run/nslab/ospf/root/r1/tmp/upper /run/nslab/ospf/root/r1/tmp/work
touch /run/nslab/ospf/ns/r1.mnt /run/nslab/ospf/ns/r1.uts
! test -e /etc/netns/ospf-r1/resolv.conf || cp /etc/netns/ospf-r1/resolv.conf /run/nslab/ospf/root/r1/etc/upper/
! test -e /etc/netns/ospf-r1/hosts || cp /etc/netns/ospf-r1/hosts /run/nslab/ospf/root/r1/etc/upper/
nsenter --net=/run/netns/ospf-r1 unshare --mount=/run/nslab/ospf/ns/r1.mnt --uts=/run/nslab/ospf/ns/r1.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:ospf/r1 -o lowerdir=topologies/ospf.d/r1/etc:/etc,upperdir=/run/nslab/ospf/root/r1/etc/upper,workdir=/run/nslab/ospf/root/r1/etc/work /etc && mount -t overlay nslab:ospf/r1 -o lowerdir=/var,upperdir=/run/nslab/ospf/root/r1/var/upper,workdir=/run/nslab/ospf/root/r1/var/work /var && mount -t overlay nslab:ospf/r1 -o lowerdir=/run/nslab/ospf/root/.empty,upperdir=/run/nslab/ospf/root/r1/tmp/upper,workdir=/run/nslab/ospf/root/r1/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:ospf/r1 -o lowerdir=/run/nslab/ospf/root/.empty,upperdir=/run/nslab/ospf/root/r1/run/upper,workdir=/run/nslab/ospf/root/r1/run/work /run && mkdir -p -m 1777 /run/lock && hostname r1'
printf '%s' '# written by nslab for node r1: frr = ospfd
ospfd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
ospfd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/ospf-r1 --mount=/run/nslab/ospf/ns/r1.mnt --uts=/run/nslab/ospf/ns/r1.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/ospf-r1 --mount=/run/nslab/ospf/ns/r1.mnt --uts=/run/nslab/ospf/ns/r1.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/ospf/logs/r1.log 2>&1

# node r2 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/ospf/root/r2/etc/upper /run/nslab/ospf/root/r2/etc/work /run/nslab/ospf/root/r2/var/upper /run/nslab/ospf/root/r2/var/work /run/nslab/ospf/root/r2/run/upper /run/nslab/ospf/root/r2/run/work /run/nslab/ospf/root/r2/tmp/upper /run/nslab/ospf/root/r2/tmp/work
touch /run/nslab/ospf/ns/r2.mnt /run/nslab/ospf/ns/r2.uts
! test -e /etc/netns/ospf-r2/resolv.conf || cp /etc/netns/ospf-r2/resolv.conf /run/nslab/ospf/root/r2/etc/upper/
! test -e /etc/netns/ospf-r2/hosts || cp /etc/netns/ospf-r2/hosts /run/nslab/ospf/root/r2/etc/upper/
nsenter --net=/run/netns/ospf-r2 unshare --mount=/run/nslab/ospf/ns/r2.mnt --uts=/run/nslab/ospf/ns/r2.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:ospf/r2 -o lowerdir=topologies/ospf.d/r2/etc:/etc,upperdir=/run/nslab/ospf/root/r2/etc/upper,workdir=/run/nslab/ospf/root/r2/etc/work /etc && mount -t overlay nslab:ospf/r2 -o lowerdir=/var,upperdir=/run/nslab/ospf/root/r2/var/upper,workdir=/run/nslab/ospf/root/r2/var/work /var && mount -t overlay nslab:ospf/r2 -o lowerdir=/run/nslab/ospf/root/.empty,upperdir=/run/nslab/ospf/root/r2/tmp/upper,workdir=/run/nslab/ospf/root/r2/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:ospf/r2 -o lowerdir=/run/nslab/ospf/root/.empty,upperdir=/run/nslab/ospf/root/r2/run/upper,workdir=/run/nslab/ospf/root/r2/run/work /run && mkdir -p -m 1777 /run/lock && hostname r2'
printf '%s' '# written by nslab for node r2: frr = ospfd
ospfd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
ospfd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/ospf-r2 --mount=/run/nslab/ospf/ns/r2.mnt --uts=/run/nslab/ospf/ns/r2.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/ospf-r2 --mount=/run/nslab/ospf/ns/r2.mnt --uts=/run/nslab/ospf/ns/r2.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/ospf/logs/r2.log 2>&1

# node r3 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/ospf/root/r3/etc/upper /run/nslab/ospf/root/r3/etc/work /run/nslab/ospf/root/r3/var/upper /run/nslab/ospf/root/r3/var/work /run/nslab/ospf/root/r3/run/upper /run/nslab/ospf/root/r3/run/work /run/nslab/ospf/root/r3/tmp/upper /run/nslab/ospf/root/r3/tmp/work
touch /run/nslab/ospf/ns/r3.mnt /run/nslab/ospf/ns/r3.uts
! test -e /etc/netns/ospf-r3/resolv.conf || cp /etc/netns/ospf-r3/resolv.conf /run/nslab/ospf/root/r3/etc/upper/
! test -e /etc/netns/ospf-r3/hosts || cp /etc/netns/ospf-r3/hosts /run/nslab/ospf/root/r3/etc/upper/
nsenter --net=/run/netns/ospf-r3 unshare --mount=/run/nslab/ospf/ns/r3.mnt --uts=/run/nslab/ospf/ns/r3.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:ospf/r3 -o lowerdir=topologies/ospf.d/r3/etc:/etc,upperdir=/run/nslab/ospf/root/r3/etc/upper,workdir=/run/nslab/ospf/root/r3/etc/work /etc && mount -t overlay nslab:ospf/r3 -o lowerdir=/var,upperdir=/run/nslab/ospf/root/r3/var/upper,workdir=/run/nslab/ospf/root/r3/var/work /var && mount -t overlay nslab:ospf/r3 -o lowerdir=/run/nslab/ospf/root/.empty,upperdir=/run/nslab/ospf/root/r3/tmp/upper,workdir=/run/nslab/ospf/root/r3/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:ospf/r3 -o lowerdir=/run/nslab/ospf/root/.empty,upperdir=/run/nslab/ospf/root/r3/run/upper,workdir=/run/nslab/ospf/root/r3/run/work /run && mkdir -p -m 1777 /run/lock && hostname r3'
printf '%s' '# written by nslab for node r3: frr = ospfd
ospfd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
ospfd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/ospf-r3 --mount=/run/nslab/ospf/ns/r3.mnt --uts=/run/nslab/ospf/ns/r3.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/ospf-r3 --mount=/run/nslab/ospf/ns/r3.mnt --uts=/run/nslab/ospf/ns/r3.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/ospf/logs/r3.log 2>&1
