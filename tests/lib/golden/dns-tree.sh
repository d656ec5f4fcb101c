#!/bin/sh
# Lab 'dns-tree' from topologies/dns-tree.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down dns-tree
set -e

# namespaces, lo up in each
ip netns add dns-tree-.sw
ip -n dns-tree-.sw link set lo up alias nslab:dns-tree
ip netns exec dns-tree-.sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-tree-root
ip -n dns-tree-root link set lo up alias nslab:dns-tree
ip netns exec dns-tree-root sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-tree-tld
ip -n dns-tree-tld link set lo up alias nslab:dns-tree
ip netns exec dns-tree-tld sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-tree-leaf
ip -n dns-tree-leaf link set lo up alias nslab:dns-tree
ip netns exec dns-tree-leaf sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-tree-resolver
ip -n dns-tree-resolver link set lo up alias nslab:dns-tree
ip netns exec dns-tree-resolver sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dns-tree-host
ip -n dns-tree-host link set lo up alias nslab:dns-tree
ip netns exec dns-tree-host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n dns-tree-.sw link add lan up type bridge
ip -n dns-tree-.sw link add root-eth0 master lan up type veth peer name eth0 netns dns-tree-root
ip -n dns-tree-root link set eth0 up
ip -n dns-tree-.sw link add tld-eth0 master lan up type veth peer name eth0 netns dns-tree-tld
ip -n dns-tree-tld link set eth0 up
ip -n dns-tree-.sw link add leaf-eth0 master lan up type veth peer name eth0 netns dns-tree-leaf
ip -n dns-tree-leaf link set eth0 up
ip -n dns-tree-.sw link add resolver-eth0 master lan up type veth peer name eth0 netns dns-tree-resolver
ip -n dns-tree-resolver link set eth0 up
ip -n dns-tree-.sw link add host-eth0 master lan up type veth peer name eth0 netns dns-tree-host
ip -n dns-tree-host link set eth0 up

# node root
ip -n dns-tree-root addr add 10.0.0.1/24 dev eth0

# node tld
ip -n dns-tree-tld addr add 10.0.0.2/24 dev eth0

# node leaf
ip -n dns-tree-leaf addr add 10.0.0.3/24 dev eth0

# node resolver
ip -n dns-tree-resolver addr add 10.0.0.53/24 dev eth0

# node host
ip -n dns-tree-host addr add 10.0.0.100/24 dev eth0

# node root runs: its root, rules, startup lines, services
mkdir -p /run/nslab/dns-tree/logs /run/nslab/dns-tree/ns /run/nslab/dns-tree/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/dns-tree/ns && mount --make-private /run/nslab/dns-tree/ns
mkdir -p /run/nslab/dns-tree/root/root/etc/upper /run/nslab/dns-tree/root/root/etc/work /run/nslab/dns-tree/root/root/var/upper /run/nslab/dns-tree/root/root/var/work /run/nslab/dns-tree/root/root/run/upper /run/nslab/dns-tree/root/root/run/work /run/nslab/dns-tree/root/root/tmp/upper /run/nslab/dns-tree/root/root/tmp/work
touch /run/nslab/dns-tree/ns/root.mnt /run/nslab/dns-tree/ns/root.uts
! test -e /etc/netns/dns-tree-root/resolv.conf || cp /etc/netns/dns-tree-root/resolv.conf /run/nslab/dns-tree/root/root/etc/upper/
! test -e /etc/netns/dns-tree-root/hosts || cp /etc/netns/dns-tree-root/hosts /run/nslab/dns-tree/root/root/etc/upper/
nsenter --net=/run/netns/dns-tree-root unshare --mount=/run/nslab/dns-tree/ns/root.mnt --uts=/run/nslab/dns-tree/ns/root.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:dns-tree/root -o lowerdir=topologies/dns-tree.d/root/etc:/etc,upperdir=/run/nslab/dns-tree/root/root/etc/upper,workdir=/run/nslab/dns-tree/root/root/etc/work /etc && mount -t overlay nslab:dns-tree/root -o lowerdir=/var,upperdir=/run/nslab/dns-tree/root/root/var/upper,workdir=/run/nslab/dns-tree/root/root/var/work /var && mount -t overlay nslab:dns-tree/root -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/root/tmp/upper,workdir=/run/nslab/dns-tree/root/root/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:dns-tree/root -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/root/run/upper,workdir=/run/nslab/dns-tree/root/root/run/work /run && mkdir -p -m 1777 /run/lock && hostname root'
nsenter --net=/run/netns/dns-tree-root --mount=/run/nslab/dns-tree/ns/root.mnt --uts=/run/nslab/dns-tree/ns/root.uts sh -c 'mkdir -p /run/named' >>/run/nslab/dns-tree/logs/root.log 2>&1 || true
setsid nsenter --net=/run/netns/dns-tree-root --mount=/run/nslab/dns-tree/ns/root.mnt --uts=/run/nslab/dns-tree/ns/root.uts sh -c 'exec named -g -u bind' >>/run/nslab/dns-tree/logs/root.log 2>&1 </dev/null &
# service named is ready when a UDP socket is bound to port 53 (within 10 s)

# node tld runs: its root, rules, startup lines, services
mkdir -p /run/nslab/dns-tree/root/tld/etc/upper /run/nslab/dns-tree/root/tld/etc/work /run/nslab/dns-tree/root/tld/var/upper /run/nslab/dns-tree/root/tld/var/work /run/nslab/dns-tree/root/tld/run/upper /run/nslab/dns-tree/root/tld/run/work /run/nslab/dns-tree/root/tld/tmp/upper /run/nslab/dns-tree/root/tld/tmp/work
touch /run/nslab/dns-tree/ns/tld.mnt /run/nslab/dns-tree/ns/tld.uts
! test -e /etc/netns/dns-tree-tld/resolv.conf || cp /etc/netns/dns-tree-tld/resolv.conf /run/nslab/dns-tree/root/tld/etc/upper/
! test -e /etc/netns/dns-tree-tld/hosts || cp /etc/netns/dns-tree-tld/hosts /run/nslab/dns-tree/root/tld/etc/upper/
nsenter --net=/run/netns/dns-tree-tld unshare --mount=/run/nslab/dns-tree/ns/tld.mnt --uts=/run/nslab/dns-tree/ns/tld.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:dns-tree/tld -o lowerdir=topologies/dns-tree.d/tld/etc:/etc,upperdir=/run/nslab/dns-tree/root/tld/etc/upper,workdir=/run/nslab/dns-tree/root/tld/etc/work /etc && mount -t overlay nslab:dns-tree/tld -o lowerdir=/var,upperdir=/run/nslab/dns-tree/root/tld/var/upper,workdir=/run/nslab/dns-tree/root/tld/var/work /var && mount -t overlay nslab:dns-tree/tld -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/tld/tmp/upper,workdir=/run/nslab/dns-tree/root/tld/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:dns-tree/tld -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/tld/run/upper,workdir=/run/nslab/dns-tree/root/tld/run/work /run && mkdir -p -m 1777 /run/lock && hostname tld'
nsenter --net=/run/netns/dns-tree-tld --mount=/run/nslab/dns-tree/ns/tld.mnt --uts=/run/nslab/dns-tree/ns/tld.uts sh -c 'mkdir -p /run/named' >>/run/nslab/dns-tree/logs/tld.log 2>&1 || true
setsid nsenter --net=/run/netns/dns-tree-tld --mount=/run/nslab/dns-tree/ns/tld.mnt --uts=/run/nslab/dns-tree/ns/tld.uts sh -c 'exec named -g -u bind' >>/run/nslab/dns-tree/logs/tld.log 2>&1 </dev/null &
# service named is ready when a UDP socket is bound to port 53 (within 10 s)

# node leaf runs: its root, rules, startup lines, services
mkdir -p /run/nslab/dns-tree/root/leaf/etc/upper /run/nslab/dns-tree/root/leaf/etc/work /run/nslab/dns-tree/root/leaf/var/upper /run/nslab/dns-tree/root/leaf/var/work /run/nslab/dns-tree/root/leaf/run/upper /run/nslab/dns-tree/root/leaf/run/work /run/nslab/dns-tree/root/leaf/tmp/upper /run/nslab/dns-tree/root/leaf/tmp/work
touch /run/nslab/dns-tree/ns/leaf.mnt /run/nslab/dns-tree/ns/leaf.uts
! test -e /etc/netns/dns-tree-leaf/resolv.conf || cp /etc/netns/dns-tree-leaf/resolv.conf /run/nslab/dns-tree/root/leaf/etc/upper/
! test -e /etc/netns/dns-tree-leaf/hosts || cp /etc/netns/dns-tree-leaf/hosts /run/nslab/dns-tree/root/leaf/etc/upper/
nsenter --net=/run/netns/dns-tree-leaf unshare --mount=/run/nslab/dns-tree/ns/leaf.mnt --uts=/run/nslab/dns-tree/ns/leaf.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:dns-tree/leaf -o lowerdir=topologies/dns-tree.d/leaf/etc:/etc,upperdir=/run/nslab/dns-tree/root/leaf/etc/upper,workdir=/run/nslab/dns-tree/root/leaf/etc/work /etc && mount -t overlay nslab:dns-tree/leaf -o lowerdir=/var,upperdir=/run/nslab/dns-tree/root/leaf/var/upper,workdir=/run/nslab/dns-tree/root/leaf/var/work /var && mount -t overlay nslab:dns-tree/leaf -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/leaf/tmp/upper,workdir=/run/nslab/dns-tree/root/leaf/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:dns-tree/leaf -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/leaf/run/upper,workdir=/run/nslab/dns-tree/root/leaf/run/work /run && mkdir -p -m 1777 /run/lock && hostname leaf'
nsenter --net=/run/netns/dns-tree-leaf --mount=/run/nslab/dns-tree/ns/leaf.mnt --uts=/run/nslab/dns-tree/ns/leaf.uts sh -c 'mkdir -p /run/named' >>/run/nslab/dns-tree/logs/leaf.log 2>&1 || true
setsid nsenter --net=/run/netns/dns-tree-leaf --mount=/run/nslab/dns-tree/ns/leaf.mnt --uts=/run/nslab/dns-tree/ns/leaf.uts sh -c 'exec named -g -u bind' >>/run/nslab/dns-tree/logs/leaf.log 2>&1 </dev/null &
# service named is ready when a UDP socket is bound to port 53 (within 10 s)

# node resolver runs: its root, rules, startup lines, services
mkdir -p /run/nslab/dns-tree/root/resolver/etc/upper /run/nslab/dns-tree/root/resolver/etc/work /run/nslab/dns-tree/root/resolver/var/upper /run/nslab/dns-tree/root/resolver/var/work /run/nslab/dns-tree/root/resolver/run/upper /run/nslab/dns-tree/root/resolver/run/work /run/nslab/dns-tree/root/resolver/tmp/upper /run/nslab/dns-tree/root/resolver/tmp/work
touch /run/nslab/dns-tree/ns/resolver.mnt /run/nslab/dns-tree/ns/resolver.uts
! test -e /etc/netns/dns-tree-resolver/resolv.conf || cp /etc/netns/dns-tree-resolver/resolv.conf /run/nslab/dns-tree/root/resolver/etc/upper/
! test -e /etc/netns/dns-tree-resolver/hosts || cp /etc/netns/dns-tree-resolver/hosts /run/nslab/dns-tree/root/resolver/etc/upper/
nsenter --net=/run/netns/dns-tree-resolver unshare --mount=/run/nslab/dns-tree/ns/resolver.mnt --uts=/run/nslab/dns-tree/ns/resolver.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:dns-tree/resolver -o lowerdir=topologies/dns-tree.d/resolver/etc:/etc,upperdir=/run/nslab/dns-tree/root/resolver/etc/upper,workdir=/run/nslab/dns-tree/root/resolver/etc/work /etc && mount -t overlay nslab:dns-tree/resolver -o lowerdir=/var,upperdir=/run/nslab/dns-tree/root/resolver/var/upper,workdir=/run/nslab/dns-tree/root/resolver/var/work /var && mount -t overlay nslab:dns-tree/resolver -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/resolver/tmp/upper,workdir=/run/nslab/dns-tree/root/resolver/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:dns-tree/resolver -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/resolver/run/upper,workdir=/run/nslab/dns-tree/root/resolver/run/work /run && mkdir -p -m 1777 /run/lock && hostname resolver'
nsenter --net=/run/netns/dns-tree-resolver --mount=/run/nslab/dns-tree/ns/resolver.mnt --uts=/run/nslab/dns-tree/ns/resolver.uts sh -c 'mkdir -p /run/named' >>/run/nslab/dns-tree/logs/resolver.log 2>&1 || true
setsid nsenter --net=/run/netns/dns-tree-resolver --mount=/run/nslab/dns-tree/ns/resolver.mnt --uts=/run/nslab/dns-tree/ns/resolver.uts sh -c 'exec named -g -u bind' >>/run/nslab/dns-tree/logs/resolver.log 2>&1 </dev/null &
# service named is ready when a UDP socket is bound to port 53 (within 10 s)

# node host runs: its root, rules, startup lines, services
mkdir -p /run/nslab/dns-tree/root/host/etc/upper /run/nslab/dns-tree/root/host/etc/work /run/nslab/dns-tree/root/host/var/upper /run/nslab/dns-tree/root/host/var/work /run/nslab/dns-tree/root/host/run/upper /run/nslab/dns-tree/root/host/run/work /run/nslab/dns-tree/root/host/tmp/upper /run/nslab/dns-tree/root/host/tmp/work
touch /run/nslab/dns-tree/ns/host.mnt /run/nslab/dns-tree/ns/host.uts
! test -e /etc/netns/dns-tree-host/hosts || cp /etc/netns/dns-tree-host/hosts /run/nslab/dns-tree/root/host/etc/upper/
nsenter --net=/run/netns/dns-tree-host unshare --mount=/run/nslab/dns-tree/ns/host.mnt --uts=/run/nslab/dns-tree/ns/host.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:dns-tree/host -o lowerdir=topologies/dns-tree.d/host/etc:/etc,upperdir=/run/nslab/dns-tree/root/host/etc/upper,workdir=/run/nslab/dns-tree/root/host/etc/work /etc && mount -t overlay nslab:dns-tree/host -o lowerdir=/var,upperdir=/run/nslab/dns-tree/root/host/var/upper,workdir=/run/nslab/dns-tree/root/host/var/work /var && mount -t overlay nslab:dns-tree/host -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/host/tmp/upper,workdir=/run/nslab/dns-tree/root/host/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:dns-tree/host -o lowerdir=/run/nslab/dns-tree/root/.empty,upperdir=/run/nslab/dns-tree/root/host/run/upper,workdir=/run/nslab/dns-tree/root/host/run/work /run && mkdir -p -m 1777 /run/lock && hostname host'
nsenter --net=/run/netns/dns-tree-host --mount=/run/nslab/dns-tree/ns/host.mnt --uts=/run/nslab/dns-tree/ns/host.uts sh -c 'mkdir -p /run/named' >>/run/nslab/dns-tree/logs/host.log 2>&1 || true
