#!/bin/sh
# Lab 'bgp' from topologies/bgp.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down bgp
set -e

# namespaces, lo up in each
ip netns add bgp-h1
ip -n bgp-h1 link set lo up alias nslab:bgp
ip netns exec bgp-h1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add bgp-r1
ip -n bgp-r1 link set lo up alias nslab:bgp
ip netns exec bgp-r1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add bgp-r2
ip -n bgp-r2 link set lo up alias nslab:bgp
ip netns exec bgp-r2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add bgp-h2
ip -n bgp-h2 link set lo up alias nslab:bgp
ip netns exec bgp-h2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add bgp-r3
ip -n bgp-r3 link set lo up alias nslab:bgp
ip netns exec bgp-r3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add bgp-h3
ip -n bgp-h3 link set lo up alias nslab:bgp
ip netns exec bgp-h3 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n bgp-h1 link add eth0 up type veth peer name eth0 netns bgp-r1
ip -n bgp-r1 link set eth0 up
ip -n bgp-r1 link add eth1 up type veth peer name eth1 netns bgp-r2
ip -n bgp-r2 link set eth1 up
ip -n bgp-h2 link add eth0 up type veth peer name eth0 netns bgp-r2
ip -n bgp-r2 link set eth0 up
ip -n bgp-r2 link add eth2 up type veth peer name eth1 netns bgp-r3
ip -n bgp-r3 link set eth1 up
ip -n bgp-h3 link add eth0 up type veth peer name eth0 netns bgp-r3
ip -n bgp-r3 link set eth0 up

# node h1
ip -n bgp-h1 addr add 10.1.0.10/24 dev eth0
ip -n bgp-h1 route add default via 10.1.0.1

# node r1
ip -n bgp-r1 addr add 10.1.0.1/24 dev eth0
ip -n bgp-r1 addr add 10.0.12.1/24 dev eth1
ip netns exec bgp-r1 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node r2
ip -n bgp-r2 addr add 10.2.0.1/24 dev eth0
ip -n bgp-r2 addr add 10.0.12.2/24 dev eth1
ip -n bgp-r2 addr add 10.0.23.2/24 dev eth2
ip netns exec bgp-r2 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h2
ip -n bgp-h2 addr add 10.2.0.10/24 dev eth0
ip -n bgp-h2 route add default via 10.2.0.1

# node r3
ip -n bgp-r3 addr add 10.3.0.1/24 dev eth0
ip -n bgp-r3 addr add 10.0.23.3/24 dev eth1
ip netns exec bgp-r3 sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node h3
ip -n bgp-h3 addr add 10.3.0.10/24 dev eth0
ip -n bgp-h3 route add default via 10.3.0.1

# node r1 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/bgp/logs /run/nslab/bgp/ns /run/nslab/bgp/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/bgp/ns && mount --make-private /run/nslab/bgp/ns
mkdir -p /run/nslab/bgp/root/r1/etc/upper /run/nslab/bgp/root/r1/etc/work /run/nslab/bgp/root/r1/var/upper /run/nslab/bgp/root/r1/var/work /run/nslab/bgp/root/r1/run/upper /run/nslab/bgp/root/r1/run/work /run/nslab/bgp/root/r1/tmp/upper /run/nslab/bgp/root/r1/tmp/work
touch /run/nslab/bgp/ns/r1.mnt /run/nslab/bgp/ns/r1.uts
! test -e /etc/netns/bgp-r1/resolv.conf || cp /etc/netns/bgp-r1/resolv.conf /run/nslab/bgp/root/r1/etc/upper/
! test -e /etc/netns/bgp-r1/hosts || cp /etc/netns/bgp-r1/hosts /run/nslab/bgp/root/r1/etc/upper/
nsenter --net=/run/netns/bgp-r1 unshare --mount=/run/nslab/bgp/ns/r1.mnt --uts=/run/nslab/bgp/ns/r1.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:bgp/r1 -o lowerdir=topologies/bgp.d/r1/etc:/etc,upperdir=/run/nslab/bgp/root/r1/etc/upper,workdir=/run/nslab/bgp/root/r1/etc/work /etc && mount -t overlay nslab:bgp/r1 -o lowerdir=/var,upperdir=/run/nslab/bgp/root/r1/var/upper,workdir=/run/nslab/bgp/root/r1/var/work /var && mount -t overlay nslab:bgp/r1 -o lowerdir=/run/nslab/bgp/root/.empty,upperdir=/run/nslab/bgp/root/r1/tmp/upper,workdir=/run/nslab/bgp/root/r1/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:bgp/r1 -o lowerdir=/run/nslab/bgp/root/.empty,upperdir=/run/nslab/bgp/root/r1/run/upper,workdir=/run/nslab/bgp/root/r1/run/work /run && mkdir -p -m 1777 /run/lock && hostname r1'
printf '%s' '# written by nslab for node r1: frr = bgpd
bgpd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
bgpd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/bgp-r1 --mount=/run/nslab/bgp/ns/r1.mnt --uts=/run/nslab/bgp/ns/r1.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/bgp-r1 --mount=/run/nslab/bgp/ns/r1.mnt --uts=/run/nslab/bgp/ns/r1.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/bgp/logs/r1.log 2>&1

# node r2 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/bgp/root/r2/etc/upper /run/nslab/bgp/root/r2/etc/work /run/nslab/bgp/root/r2/var/upper /run/nslab/bgp/root/r2/var/work /run/nslab/bgp/root/r2/run/upper /run/nslab/bgp/root/r2/run/work /run/nslab/bgp/root/r2/tmp/upper /run/nslab/bgp/root/r2/tmp/work
touch /run/nslab/bgp/ns/r2.mnt /run/nslab/bgp/ns/r2.uts
! test -e /etc/netns/bgp-r2/resolv.conf || cp /etc/netns/bgp-r2/resolv.conf /run/nslab/bgp/root/r2/etc/upper/
! test -e /etc/netns/bgp-r2/hosts || cp /etc/netns/bgp-r2/hosts /run/nslab/bgp/root/r2/etc/upper/
nsenter --net=/run/netns/bgp-r2 unshare --mount=/run/nslab/bgp/ns/r2.mnt --uts=/run/nslab/bgp/ns/r2.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:bgp/r2 -o lowerdir=topologies/bgp.d/r2/etc:/etc,upperdir=/run/nslab/bgp/root/r2/etc/upper,workdir=/run/nslab/bgp/root/r2/etc/work /etc && mount -t overlay nslab:bgp/r2 -o lowerdir=/var,upperdir=/run/nslab/bgp/root/r2/var/upper,workdir=/run/nslab/bgp/root/r2/var/work /var && mount -t overlay nslab:bgp/r2 -o lowerdir=/run/nslab/bgp/root/.empty,upperdir=/run/nslab/bgp/root/r2/tmp/upper,workdir=/run/nslab/bgp/root/r2/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:bgp/r2 -o lowerdir=/run/nslab/bgp/root/.empty,upperdir=/run/nslab/bgp/root/r2/run/upper,workdir=/run/nslab/bgp/root/r2/run/work /run && mkdir -p -m 1777 /run/lock && hostname r2'
printf '%s' '# written by nslab for node r2: frr = bgpd
bgpd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
bgpd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/bgp-r2 --mount=/run/nslab/bgp/ns/r2.mnt --uts=/run/nslab/bgp/ns/r2.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/bgp-r2 --mount=/run/nslab/bgp/ns/r2.mnt --uts=/run/nslab/bgp/ns/r2.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/bgp/logs/r2.log 2>&1

# node r3 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/bgp/root/r3/etc/upper /run/nslab/bgp/root/r3/etc/work /run/nslab/bgp/root/r3/var/upper /run/nslab/bgp/root/r3/var/work /run/nslab/bgp/root/r3/run/upper /run/nslab/bgp/root/r3/run/work /run/nslab/bgp/root/r3/tmp/upper /run/nslab/bgp/root/r3/tmp/work
touch /run/nslab/bgp/ns/r3.mnt /run/nslab/bgp/ns/r3.uts
! test -e /etc/netns/bgp-r3/resolv.conf || cp /etc/netns/bgp-r3/resolv.conf /run/nslab/bgp/root/r3/etc/upper/
! test -e /etc/netns/bgp-r3/hosts || cp /etc/netns/bgp-r3/hosts /run/nslab/bgp/root/r3/etc/upper/
nsenter --net=/run/netns/bgp-r3 unshare --mount=/run/nslab/bgp/ns/r3.mnt --uts=/run/nslab/bgp/ns/r3.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:bgp/r3 -o lowerdir=topologies/bgp.d/r3/etc:/etc,upperdir=/run/nslab/bgp/root/r3/etc/upper,workdir=/run/nslab/bgp/root/r3/etc/work /etc && mount -t overlay nslab:bgp/r3 -o lowerdir=/var,upperdir=/run/nslab/bgp/root/r3/var/upper,workdir=/run/nslab/bgp/root/r3/var/work /var && mount -t overlay nslab:bgp/r3 -o lowerdir=/run/nslab/bgp/root/.empty,upperdir=/run/nslab/bgp/root/r3/tmp/upper,workdir=/run/nslab/bgp/root/r3/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:bgp/r3 -o lowerdir=/run/nslab/bgp/root/.empty,upperdir=/run/nslab/bgp/root/r3/run/upper,workdir=/run/nslab/bgp/root/r3/run/work /run && mkdir -p -m 1777 /run/lock && hostname r3'
printf '%s' '# written by nslab for node r3: frr = bgpd
bgpd=yes
vtysh_enable=yes
zebra_options="-A 127.0.0.1 -s 90000000"
staticd_options="-A 127.0.0.1"
bgpd_options="-A 127.0.0.1"
' | nsenter --net=/run/netns/bgp-r3 --mount=/run/nslab/bgp/ns/r3.mnt --uts=/run/nslab/bgp/ns/r3.uts sh -c 'cat > /etc/frr/daemons'
nsenter --net=/run/netns/bgp-r3 --mount=/run/nslab/bgp/ns/r3.mnt --uts=/run/nslab/bgp/ns/r3.uts /usr/lib/frr/frrinit.sh start >>/run/nslab/bgp/logs/r3.log 2>&1
