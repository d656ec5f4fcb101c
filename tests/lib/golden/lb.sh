#!/bin/sh
# Lab 'lb' from topologies/lb.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down lb
set -e

# namespaces, lo up in each
ip netns add lb-.sw
ip -n lb-.sw link set lo up alias nslab:lb
ip netns exec lb-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lb-client
ip -n lb-client link set lo up alias nslab:lb
ip netns exec lb-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lb-lb
ip -n lb-lb link set lo up alias nslab:lb
ip netns exec lb-lb sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lb-web1
ip -n lb-web1 link set lo up alias nslab:lb
ip netns exec lb-web1 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add lb-web2
ip -n lb-web2 link set lo up alias nslab:lb
ip netns exec lb-web2 sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n lb-.sw link add lan up type bridge
ip -n lb-client link add eth0 up type veth peer name eth0 netns lb-lb
ip -n lb-lb link set eth0 up
ip -n lb-.sw link add lb-eth1 master lan up type veth peer name eth1 netns lb-lb
ip -n lb-lb link set eth1 up
ip -n lb-.sw link add web1-eth0 master lan up type veth peer name eth0 netns lb-web1
ip -n lb-web1 link set eth0 up
ip -n lb-.sw link add web2-eth0 master lan up type veth peer name eth0 netns lb-web2
ip -n lb-web2 link set eth0 up

# node client
ip -n lb-client addr add 10.0.0.2/24 dev eth0
ip -n lb-client route add 10.0.1.0/24 via 10.0.0.1

# node lb
ip -n lb-lb addr add 10.0.0.1/24 dev eth0
ip -n lb-lb addr add 10.0.1.1/24 dev eth1
ip netns exec lb-lb sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# node web1
ip -n lb-web1 addr add 10.0.1.11/24 dev eth0
ip -n lb-web1 route add default via 10.0.1.1

# node web2
ip -n lb-web2 addr add 10.0.1.12/24 dev eth0
ip -n lb-web2 route add default via 10.0.1.1

# node lb runs: its root, rules, startup lines, services
ip netns exec lb-lb nft -f topologies/lb.d/lb.nft

# node web1 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/lb/logs /run/nslab/lb/ns /run/nslab/lb/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/lb/ns && mount --make-private /run/nslab/lb/ns
mkdir -p /run/nslab/lb/root/web1/etc/upper /run/nslab/lb/root/web1/etc/work /run/nslab/lb/root/web1/var/upper /run/nslab/lb/root/web1/var/work /run/nslab/lb/root/web1/run/upper /run/nslab/lb/root/web1/run/work /run/nslab/lb/root/web1/tmp/upper /run/nslab/lb/root/web1/tmp/work
touch /run/nslab/lb/ns/web1.mnt /run/nslab/lb/ns/web1.uts
! test -e /etc/netns/lb-web1/resolv.conf || cp /etc/netns/lb-web1/resolv.conf /run/nslab/lb/root/web1/etc/upper/
! test -e /etc/netns/lb-web1/hosts || cp /etc/netns/lb-web1/hosts /run/nslab/lb/root/web1/etc/upper/
nsenter --net=/run/netns/lb-web1 unshare --mount=/run/nslab/lb/ns/web1.mnt --uts=/run/nslab/lb/ns/web1.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:lb/web1 -o lowerdir=/etc,upperdir=/run/nslab/lb/root/web1/etc/upper,workdir=/run/nslab/lb/root/web1/etc/work /etc && mount -t overlay nslab:lb/web1 -o lowerdir=topologies/lb.d/web1/var:/var,upperdir=/run/nslab/lb/root/web1/var/upper,workdir=/run/nslab/lb/root/web1/var/work /var && mount -t overlay nslab:lb/web1 -o lowerdir=/run/nslab/lb/root/.empty,upperdir=/run/nslab/lb/root/web1/tmp/upper,workdir=/run/nslab/lb/root/web1/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:lb/web1 -o lowerdir=/run/nslab/lb/root/.empty,upperdir=/run/nslab/lb/root/web1/run/upper,workdir=/run/nslab/lb/root/web1/run/work /run && mkdir -p -m 1777 /run/lock && hostname web1'
setsid nsenter --net=/run/netns/lb-web1 --mount=/run/nslab/lb/ns/web1.mnt --uts=/run/nslab/lb/ns/web1.uts sh -c 'exec apache2ctl -D FOREGROUND' >>/run/nslab/lb/logs/web1.log 2>&1 </dev/null &
# service apache is ready when a TCP socket listens on port 80 (within 10 s)

# node web2 runs: its root, rules, startup lines, services
mkdir -p /run/nslab/lb/root/web2/etc/upper /run/nslab/lb/root/web2/etc/work /run/nslab/lb/root/web2/var/upper /run/nslab/lb/root/web2/var/work /run/nslab/lb/root/web2/run/upper /run/nslab/lb/root/web2/run/work /run/nslab/lb/root/web2/tmp/upper /run/nslab/lb/root/web2/tmp/work
touch /run/nslab/lb/ns/web2.mnt /run/nslab/lb/ns/web2.uts
! test -e /etc/netns/lb-web2/resolv.conf || cp /etc/netns/lb-web2/resolv.conf /run/nslab/lb/root/web2/etc/upper/
! test -e /etc/netns/lb-web2/hosts || cp /etc/netns/lb-web2/hosts /run/nslab/lb/root/web2/etc/upper/
nsenter --net=/run/netns/lb-web2 unshare --mount=/run/nslab/lb/ns/web2.mnt --uts=/run/nslab/lb/ns/web2.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:lb/web2 -o lowerdir=/etc,upperdir=/run/nslab/lb/root/web2/etc/upper,workdir=/run/nslab/lb/root/web2/etc/work /etc && mount -t overlay nslab:lb/web2 -o lowerdir=topologies/lb.d/web2/var:/var,upperdir=/run/nslab/lb/root/web2/var/upper,workdir=/run/nslab/lb/root/web2/var/work /var && mount -t overlay nslab:lb/web2 -o lowerdir=/run/nslab/lb/root/.empty,upperdir=/run/nslab/lb/root/web2/tmp/upper,workdir=/run/nslab/lb/root/web2/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:lb/web2 -o lowerdir=/run/nslab/lb/root/.empty,upperdir=/run/nslab/lb/root/web2/run/upper,workdir=/run/nslab/lb/root/web2/run/work /run && mkdir -p -m 1777 /run/lock && hostname web2'
setsid nsenter --net=/run/netns/lb-web2 --mount=/run/nslab/lb/ns/web2.mnt --uts=/run/nslab/lb/ns/web2.uts sh -c 'exec apache2ctl -D FOREGROUND' >>/run/nslab/lb/logs/web2.log 2>&1 </dev/null &
# service apache is ready when a TCP socket listens on port 80 (within 10 s)
