#!/bin/sh
# Lab 'web' from topologies/web.ini, in the order nslab 0.1.0 builds it.
# Run as root; take it down with: nslab down web
set -e

# namespaces, lo up in each
ip netns add web-client
ip -n web-client link set lo up alias nslab:web
ip netns exec web-client sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add web-web
ip -n web-web link set lo up alias nslab:web
ip netns exec web-web sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# links
ip -n web-client link add eth0 up type veth peer name eth0 netns web-web
ip -n web-web link set eth0 up

# node client
ip -n web-client addr add 10.0.0.1/24 dev eth0

# node web
ip -n web-web addr add 10.0.0.80/24 dev eth0

# DNS: dnsmasq in node 'web' answers for 'web'; every node asks it
mkdir -p /etc/netns/web-client
printf '%s\n' 'nameserver 10.0.0.80' 'search web' > /etc/netns/web-client/resolv.conf
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' '10.0.0.1 client.web client' > /etc/netns/web-client/hosts
mkdir -p /etc/netns/web-web
printf '%s\n' 'nameserver 127.0.0.1' 'search web' > /etc/netns/web-web/resolv.conf
printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' '10.0.0.80 web.web web' > /etc/netns/web-web/hosts
mkdir -p /run/nslab/web
printf '%s\n' '# hosts of lab web, served by dnsmasq in node web' '10.0.0.1 client.web client eth0.client.web eth0.client' '10.0.0.80 web.web web eth0.web.web eth0.web' > /run/nslab/web/dns-hosts
ip netns exec web-web dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --user=root --addn-hosts=/run/nslab/web/dns-hosts --domain=web --local=/web/ --domain-needed --log-queries --log-facility=/run/nslab/web/dns.log --pid-file=/run/nslab/web/dnsmasq.pid

# node web runs: its root, rules, startup lines, services
mkdir -p /run/nslab/web/logs /run/nslab/web/ns /run/nslab/web/root/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns /run/nslab/web/ns && mount --make-private /run/nslab/web/ns
mkdir -p /run/nslab/web/root/web/etc/upper /run/nslab/web/root/web/etc/work /run/nslab/web/root/web/var/upper /run/nslab/web/root/web/var/work /run/nslab/web/root/web/run/upper /run/nslab/web/root/web/run/work /run/nslab/web/root/web/tmp/upper /run/nslab/web/root/web/tmp/work
touch /run/nslab/web/ns/web.mnt /run/nslab/web/ns/web.uts
! test -e /etc/netns/web-web/resolv.conf || cp /etc/netns/web-web/resolv.conf /run/nslab/web/root/web/etc/upper/
! test -e /etc/netns/web-web/hosts || cp /etc/netns/web-web/hosts /run/nslab/web/root/web/etc/upper/
nsenter --net=/run/netns/web-web unshare --mount=/run/nslab/web/ns/web.mnt --uts=/run/nslab/web/ns/web.uts sh -c 'mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys && mount -t overlay nslab:web/web -o lowerdir=/etc,upperdir=/run/nslab/web/root/web/etc/upper,workdir=/run/nslab/web/root/web/etc/work /etc && mount -t overlay nslab:web/web -o lowerdir=topologies/web/var:/var,upperdir=/run/nslab/web/root/web/var/upper,workdir=/run/nslab/web/root/web/var/work /var && mount -t overlay nslab:web/web -o lowerdir=/run/nslab/web/root/.empty,upperdir=/run/nslab/web/root/web/tmp/upper,workdir=/run/nslab/web/root/web/tmp/work /tmp && chmod 1777 /tmp && mount -t overlay nslab:web/web -o lowerdir=/run/nslab/web/root/.empty,upperdir=/run/nslab/web/root/web/run/upper,workdir=/run/nslab/web/root/web/run/work /run && mkdir -p -m 1777 /run/lock && hostname web'
setsid nsenter --net=/run/netns/web-web --mount=/run/nslab/web/ns/web.mnt --uts=/run/nslab/web/ns/web.uts sh -c 'exec apache2ctl -D FOREGROUND' >>/run/nslab/web/logs/web.log 2>&1 </dev/null &
# service apache is ready when a TCP socket listens on port 80 (within 10 s)
