// SPDX-License-Identifier: MIT
/* Bad topologies: each case asserts the exact line and message, so a
 * changed or lost diagnostic fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parse.h"
#include "plan.h"
#include "validate.h"

struct bad {
	const char *ini;
	unsigned line;
	const char *msg;
};

/* Two linked nodes, for cases that need a working base. */
#define BASE "[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = 10.0.0.2/24 dev eth0\n" \
	     "[links]\nlink = h1:eth0 h2:eth0\n"

static const struct bad cases[] = {
	/* sections */
	{"[nod h1]\n", 1, "unknown section '[nod h1]'"},
	{"[node]\n", 1, "section [node] needs a name"},
	{"[lab x]\n[node h1]\n", 1, "section [lab] takes no name"},
	{"[lab]\n[lab]\n[node h1]\n", 2, "section [lab] appears twice (first at line 1)"},
	{"[node h1\n", 1, "section header without ']'"},
	{"[node h1]\n[node h1]\n", 2, "node 'h1' is declared twice (first at line 1)"},
	{"[node a b c]\n", 1, "bad section header '[node a ...]'"},
	/* lines */
	{"x = 1\n[node h1]\n", 1, "key 'x' outside a section"},
	{"[node h1]\nforward yes\n", 2, "expected 'key = value'"},
	{"[links]\nh1:eth0 = h2:eth0\n", 2, "key 'h1:eth0' contains ':'"},
	{"", 1, "the topology declares no nodes"},
	{"; only a comment\n\n[lab]\nname = x\n", 1, "the topology declares no nodes"},
	/* names */
	{"[node a/b]\n", 1,
	 "node name 'a/b' has a character other than letters, digits, '_', '-' and '.'"},
	{"[node a..b]\n", 1, "node name 'a..b' contains '..'"},
	{"[node .x]\n", 1, "node name '.x' must start and end with a letter or digit"},
	{"[node n123456789012345678901234567890123456789012345678901234567890123]\n", 1,
	 "node name 'n123456789012345678901234567890123456789012345678901234567890123' is too "
	 "long"},
	{"[lab]\nname = ../etc\n[node h1]\n", 2,
	 "lab name '../etc' has a character other than letters, digits, '_', '-' and '.'"},
	{"[lab]\nname = a23456789012345678901234567890123\n[node h1]\n", 2,
	 "lab name 'a23456789012345678901234567890123' is too long"},
	/* keys */
	{"[node h1]\nadr = 10.0.0.1/24 dev eth0\n", 2, "unknown key 'adr' in [node h1]"},
	{"[lab]\nnmae = x\n[node h1]\n", 2, "unknown key 'nmae' in [lab]"},
	{"[node h1]\nforward = yes\nforward = no\n", 3,
	 "key 'forward' given twice in [node h1] (first at line 2)"},
	{"[node h1]\nforward = maybe\n", 2, "'forward' must be yes or no, not 'maybe'"},
	{"[bridge lan]\nstpp = yes\n[node h1]\n", 2, "unknown key 'stpp' in [bridge lan]"},
	/* addresses */
	{"[node h1]\naddr = 10.0.0.300/24 dev eth0\n", 2, "bad address '10.0.0.300/24'"},
	{"[node h1]\naddr = 10.0.0.1/33 dev eth0\n", 2, "bad prefix length in '10.0.0.1/33'"},
	{"[node h1]\naddr = 10.0.0.1/24\n", 2, "'addr' needs 'dev IF'"},
	{"[node h1]\naddr = 10.0.0.1/24 dev eth9\n", 2, "node 'h1' has no interface 'eth9'"},
	{BASE "[node h3]\naddr = 10.0.0.1/24 dev lo\n", 8,
	 "address 10.0.0.1 is already assigned to h1:eth0"},
	/* links */
	{BASE "link = h1:eth1 h9:eth0\n", 7, "link end 'h9:eth0': unknown node 'h9'"},
	{BASE "link = h1:eth1 h2\n", 7, "link end 'h2' is neither NODE:IF nor a bridge"},
	{BASE "link = h1:eth1 sw\n", 7, "link end 'sw' is neither NODE:IF nor a bridge"},
	{BASE "link = h1:eth0 h2:eth1\n", 7, "interface 'h1:eth0' is already used (line 6)"},
	{BASE "link = h1:eth1\n", 7, "a link needs two ends, found 1 word"},
	{BASE "link = h1:eth0123456789abc h2:eth1\n", 7,
	 "link end 'h1:eth0123456789abc': interface name 'eth0123456789abc' is longer than 15 "
	 "characters (IFNAMSIZ)"},
	{BASE "link = h1:eth1 h2:eth1 mtu 10\n", 7, "bad mtu '10'"},
	{BASE "link = h1:lo h2:eth1\n", 7, "link end 'h1:lo': lo cannot be a link end"},
	{"[bridge lan]\n[node h1]\n[links]\nlink = lan lan\n", 4,
	 "link connects bridge 'lan' to itself"},
	{"[bridge k9:cni0]\n[node h1]\n", 1, "[bridge k9:cni0] names unknown node 'k9'"},
	{"[bridge abcdefghijklmnop]\n[node h1]\n", 1,
	 "bridge name 'abcdefghijklmnop' is longer than 15 characters (IFNAMSIZ)"},
	/* routes */
	{BASE "[node h3]\n", 0, NULL}, /* sanity: BASE is valid */
	{BASE "route = default via 10.9.9.9\n", 7,
	 "unknown key 'route' in [links]; write 'link = NODE:IF NODE:IF'"},
	{"[node h1]\naddr = 10.0.0.1/24 dev eth0\nroute = default via 10.9.9.9\n[node h2]\n"
	 "[links]\nlink = h1:eth0 h2:eth0\n",
	 3, "gateway 10.9.9.9 of route 'default' is not on a connected subnet of node 'h1'"},
	{"[node h1]\naddr = 10.0.0.1/24 dev eth0\nroute = 10.1.0.0/24 via 10.9.9.9 dev eth0\n"
	 "[node h2]\n[links]\nlink = h1:eth0 h2:eth0\n",
	 3,
	 "gateway 10.9.9.9 of route '10.1.0.0/24' is not on a connected subnet of node 'h1' via "
	 "eth0"},
	{"[node h1]\nroute = 10.1.0.1/24 via 10.0.0.2\n", 2,
	 "route destination '10.1.0.1/24' has host bits set"},
	{"[node h1]\nroute = 10.1.0.0/24\n", 2, "route to '10.1.0.0/24' needs 'via GW' or 'dev IF'"},
	{"[node h1]\nroute = default via 10.9.9.9 onlink\n", 2, "'onlink' route without 'dev'"},
	{"[node h1]\nroute = default via 10.0.0.2 metric x\n", 2, "bad metric 'x'"},
	{"[node h1]\nroute = default via 10.0.0.2 proto static\n", 2, "unexpected 'proto' in 'route'"},
	{"[node h1]\naddr = 10.0.0.1/24 dev lo\nroute = default via 10.0.0.1\n", 3,
	 "gateway 10.0.0.1 is an address of node 'h1' itself"},
	{"[node h1]\naddr = 10.0.0.1/24 dev lo\nroute = default via 10.0.0.2\n"
	 "route = default via 10.0.0.3\n",
	 4, "route to default is given twice in node 'h1'"},
	{"[node h1]\nroute = 10.2.0.0/24 dev eth7\n", 2, "node 'h1' has no interface 'eth7'"},
	/* neighbours, fdb, sysctl, iface */
	{"[node h1]\nneigh = 10.0.0.2 lladdr zz dev eth0\n", 2, "bad MAC address 'zz'"},
	{"[node h1]\nneigh = 10.0.0.2 dev lo\n", 2, "'neigh' needs 'lladdr' and 'dev'"},
	{BASE "[node h3]\nfdb = 02:00:00:00:00:01 dev lo\n", 8, "FDB entries cannot go on lo"},
	{"[node h1]\nfdb = 02:00:00:00:00:01 dev eth0\n[node h2]\n[links]\nlink = h1:eth0 h2:eth0\n",
	 2, "interface 'eth0' is neither a bridge port nor a VXLAN device"},
	{"[node h1]\nsysctl = kernel.panic 1\n", 2, "sysctl 'kernel.panic' is not a net.* key"},
	{"[node h1]\nsysctl = net.ipv4.ip_forward\n", 2, "bad 'sysctl' line"},
	{"[node h1]\niface = eth5 mtu 9000\n", 2, "node 'h1' has no interface 'eth5'"},
	{"[node h1]\niface = lo mtu 9000\n", 2, "'iface' cannot change lo"},
	{"[node h1]\niface = eth0 mac 01:00:00:00:00:01\n", 2, "bad MAC address '01:00:00:00:00:01'"},
	/* dns */
	{"[dns]\nserver = ns\n[node h1]\n", 2, "DNS server node 'ns' does not exist"},
	{"[dns]\ndomain = x\n[node h1]\n", 1, "[dns] has no 'server'"},
	{"[dns]\nrecord = www\n[node h1]\n", 2, "bad DNS record 'www'"},
	{"[dns]\nserver = h1\n[node h1]\n", 2, "DNS server node 'h1' has no address"},
	/* tunnels */
	{BASE "[vxlan vx0]\nmembers = h1 h2\ndev = eth0\n", 7, "[vxlan vx0] has no 'vni'"},
	{BASE "[vxlan vx0]\nvni = 16777216\n", 8, "bad vni '16777216'"},
	{BASE "[vxlan vx0]\nvni = 1\nmembers = h1 h9\ndev = eth0\n", 9, "member 'h9' is not a node"},
	{BASE "[vxlan vx0]\nvni = 1\nmembers = h1\ndev = eth0\n", 9,
	 "a VXLAN segment needs two or more members"},
	{BASE "[vxlan vx0]\nvni = 1\nmembers = h1 h2\n", 7, "[vxlan vx0] has no 'dev'"},
	{BASE "[vxlan vx0]\nvni = 1\nmembers = h1 h2\ndev = eth0\nremote = 10.0.0.9\n", 11,
	 "'remote' is for [vxlan NODE:NAME], not a segment"},
	{"[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\n[links]\nlink = h1:eth0 h2:eth0\n"
	 "[vxlan vx0]\nvni = 1\nmembers = h1 h2\ndev = eth0\n",
	 6, "member 'h2' has no address on 'eth0' for the VXLAN local address"},
	{BASE "[gre gre1]\ndev = eth0\n", 7, "[gre gre1] has no 'members'"},
	{BASE "[node h3]\n[gre gre1]\nmembers = h1 h2 h3\ndev = eth0\n", 9, "more than 2 members"},
	{BASE "[gre gre1]\nmembers = h1 h1\ndev = eth0\n", 8, "member 'h1' is listed twice"},
	{BASE "[gre h1:gre1]\nlocal = 10.0.0.1\n", 7, "[gre h1:gre1] needs 'local' and 'remote'"},
	{BASE "[gre h1:gre1]\nlocal = fd00::1\nremote = 10.0.0.2\n", 8, "bad local 'fd00::1'"},
	{BASE "[gre h1:gre1]\nttl = 256\nlocal = 10.0.0.1\nremote = 10.0.0.2\n", 8, "bad ttl '256'"},
	{BASE "[node h1]\n", 7, "node 'h1' is declared twice (first at line 1)"},
	{"[node h1]\nroute = 10.0.0.0/8 via fd00::1\n", 2, "gateway 'fd00::1' is not IPv4"},
	{BASE "link = h1:eth1 h2:eth1 mtu 1500 x\n", 7, "unexpected 'x' in 'link'"},
	/* impairments: values, and settings that need each other */
	{BASE "link = h1:eth1 h2:eth1 delay 20\n", 7, "link: bad delay '20'"},
	{BASE "link = h1:eth1 h2:eth1 delay 61s\n", 7, "link: bad delay '61s'"},
	{BASE "link = h1:eth1 h2:eth1 loss 1\n", 7, "link: bad loss '1'"},
	{BASE "link = h1:eth1 h2:eth1 loss 101%\n", 7, "link: bad loss '101%'"},
	{BASE "link = h1:eth1 h2:eth1 rate 10mbps\n", 7, "link: bad rate '10mbps'"},
	{BASE "link = h1:eth1 h2:eth1 rate 1bit\n", 7, "link: bad rate '1bit'"},
	{BASE "link = h1:eth1 h2:eth1 delay\n", 7, "link: 'delay' needs a value"},
	{BASE "link = h1:eth1 h2:eth1 jitter 5ms\n", 7, "link: 'jitter' without 'delay'"},
	{BASE "link = h1:eth1 h2:eth1 reorder 5%\n", 7, "link: 'reorder' without 'delay'"},
	{BASE "link = h1:eth1 h2:eth1 limit 10\n", 7, "link: 'limit' without a delay or a rate"},
	{BASE "[node h3]\niface = eth0 loss 5\n", 8, "iface: bad loss '5'"},
	{BASE "link = h3:eth0 h1:eth1 delay 9ms\n[node h3]\niface = eth0 delay 0 reorder 5%\n", 9,
	 "'eth0' of node 'h3': 'reorder' without 'delay'"},
	{"[node h1] extra\n", 1, "text after the section header's ']'"},
	{BASE "[gre gre1]\nmembers = h1 h2\ndev = eth0\n[node h1]\n", 10,
	 "node 'h1' is declared twice (first at line 1)"},
	{"[node h1]\naddr = 10.0.0.1/24 dev eth0\niface = gre1 mac 02:00:00:00:00:01\n[node h2]\n"
	 "addr = 10.0.0.2/24 dev eth0\n[links]\nlink = h1:eth0 h2:eth0\n[gre gre1]\nmembers = h1 h2\n"
	 "dev = eth0\n",
	 3, "GRE tunnel 'gre1' has no MAC address"},
	{BASE "[vxlan h1:vx0]\ndev = eth0\n", 7, "[vxlan h1:vx0] has no 'vni'"},
	{BASE "[vxlan h1:vx0]\nvni = 5\n", 7, "[vxlan h1:vx0] needs 'local' or 'dev'"},
	{"[node h1]\nsysctl = net.ipv4.conf.flannel/1.rp_filter 0\n"
	 "sysctl = net.ipv4.ip_local_port_range=20000 30000\n"
	 "[vxlan h1:flannel.1]\nvni = 1\nlocal = 10.0.0.1\n",
	 0, NULL},
	{"\xef\xbb\xbf[node h1]\n", 0, NULL},
	{"[lab]\nipv6 = no\n[node h1]\naddr = fd00::1/64 dev lo\n", 2,
	 "'ipv6 = no' but the lab has IPv6 addresses"},
	{"[lab]\nipv6 = perhaps\n[node h1]\n", 2, "'ipv6' must be yes or no, not 'perhaps'"},
	/* expectations */
	{BASE "[expect]\nreach = h9 h1\n", 8, "reach: 'h9' is not a node"},
	{BASE "[expect]\nreach = h1\n", 8, "'reach' needs a node and what to check"},
	{BASE "[expect]\nreach = h1 h2 h3\n", 8, "reach: one FROM and one TO list, found more words"},
	{BASE "[expect]\nnoreach = h1 h2:eth9\n", 8, "noreach: node 'h2' has no interface 'eth9'"},
	{BASE "[expect]\nresolve = h1 www notanaddr\n", 8, "resolve: 'notanaddr' is not an address"},
	{BASE "[expect]\nping = h1 h2\n", 8, "unknown key 'ping' in [expect]"},
	{BASE "[expect]\nreach = all h1,h2:eth0,10.0.0.9\nexec = h1 sh -c 'true'\n[expect]\n"
	      "resolve = h1,h2 localhost 127.0.0.1\n[dns]\nserver = h1\n",
	 0, NULL},
	/* the node's own /32 as gateway out of its device: the kernel takes it */
	{"[node h1]\naddr = 172.16.0.1/32 dev veth2\nroute = default via 172.16.0.1 dev veth2\n"
	 "route = 10.1.0.0/16 via 172.16.0.1\n[node h2]\n[links]\nlink = h1:veth2 h2:eth0\n",
	 0, NULL},
	/* per-interface sysctls of interfaces the node has, all, default, lo */
	{"[node h1]\nsysctl = net.ipv4.conf.eth0.rp_filter 0\nsysctl = net.ipv6.conf.eth0.accept_ra 0\n"
	 "sysctl = net.ipv4.neigh.eth0.gc_stale_time 10\nsysctl = net.ipv6.neigh.eth0.retrans_time_ms 500\n"
	 "sysctl = net.ipv4.conf.all.rp_filter 0\nsysctl = net.ipv4.conf.default.rp_filter 0\n"
	 "sysctl = net.ipv6.conf.lo.disable_ipv6 0\nsysctl = net.ipv4.neigh.default.gc_thresh3 4096\n"
	 "sysctl = net.ipv4.conf.br/0.forwarding 1\n[bridge h1:br.0]\n[node h2]\n[links]\n"
	 "link = h1:eth0 h2:eth0\n",
	 0, NULL},
};

/* One mistake, one error: exactly this one, with its line, message and
 * hint, and nothing that follows from it (a link line with a bad option
 * still makes its interfaces, a bad value is not also a missing key). */
struct one {
	const char *ini;
	unsigned line;
	const char *msg;
	const char *hint;
};

#define MTU_HINT "'mtu' is a whole number from 68 to 65535"
#define LINK_HINT                                                                                  \
	"write 'link = NODE:IF NODE:IF [mtu N] [delay 20ms] [loss 1%] [rate 10mbit] ...'; an end may " \
	"also be a bridge: 'link = h1:eth0 lan'"
/* BASE without its link line: the case gives its own */
#define TWO "[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = 10.0.0.2/24 dev eth0\n[links]\n"

static const struct one one_error_cases[] = {
	/* (7) a link line with a bad option or end still declares its good ends */
	{TWO "link = h1:eth0 h2:eth0 mtu 100000\n", 6, "bad mtu '100000'", MTU_HINT},
	{TWO "link = h1:eth0 h2:eth0 mtu 1500 x\n", 6, "unexpected 'x' in 'link'", LINK_HINT},
	{TWO "link = h1:eth0 h2:eth0 speed 10\n", 6, "unexpected 'speed' in 'link'", LINK_HINT},
	{TWO "link = h1:eth0 h2:eth0\n[node h3]\naddr = 10.0.1.3/24 dev eth1\n[links]\n"
	     "link = h3:eth1 a/b:eth0\n",
	 10,
	 "link end 'a/b:eth0': node name 'a/b' has a character other than letters, digits, '_', "
	 "'-' and '.'",
	 LINK_HINT},
	/* a refused addr line is the only error about that node's addresses */
	{"[node h1]\naddr = 10.0.0.1/33 dev eth0\nroute = default via 10.0.0.254\n[node h2]\n"
	 "addr = 10.0.0.2/24 dev eth0\n[links]\nlink = h1:eth0 h2:eth0\n[dns]\nserver = h1\n",
	 2, "bad prefix length in '10.0.0.1/33'", "write 'addr = 10.0.0.1/24 dev eth0' (or 'A peer B/32 dev IF')"},
	/* a bad value is not also a missing key */
	{BASE "[vxlan vx0]\nvni = 99999999\nmembers = h1 h2\ndev = eth0\n", 8, "bad vni '99999999'",
	 "'vni' is a whole number from 0 to 16777215"},
	{BASE "[vxlan vx0]\nvni = 1\nmembers = h1 h2\ndev = eth0/\n", 10,
	 "underlay device 'eth0/' has a character other than letters, digits, '_', '-' and '.'",
	 "name the underlay interface, e.g. 'dev = eth0'"},
	{BASE "[vxlan h1:vx0]\nvni = 1\nlocal = 10.0.0.300\n", 9, "bad local '10.0.0.300'",
	 "write an address such as 192.168.0.11"},
	{"[node h1]\n[node h2]\n[links]\nlink = h1:eth0 h2:eth0\n[vxlan h1:vx0]\nvni = 1\ndev = eth0\n"
	 "local = 10.0.0.1/24\n",
	 8, "bad local '10.0.0.1/24'", "write an address such as 192.168.0.11"},
	{BASE "[gre h1:gre1]\nlocal = fd00::1\nremote = 10.0.0.2\n", 8, "bad local 'fd00::1'",
	 "write an IPv4 address such as 10.0.1.1 (ipgre carries IPv4)"},
	{BASE "[gre gre1]\nmembers = h1 h2\ndev = -eth0\n", 9,
	 "underlay device '-eth0' must start with a letter, digit or '_'",
	 "name the underlay interface, e.g. 'dev = eth0'"},
	/* an unknown node: the hint names an end that is free */
	{BASE "link = h3:eth0 h2:eth1\n", 7, "link end 'h3:eth0': unknown node 'h3'",
	 "did you mean 'h1:eth1'? ('h1:eth0' is already used)"},
	{BASE "link = h1:eth1 h3:eth0\n", 7, "link end 'h3:eth0': unknown node 'h3'",
	 "did you mean 'h2:eth1'? ('h2:eth0' is already used)"},
	{"[node h1]\n[node h2]\n[links]\nlink = h1:eth0 h3:eth0\n", 4,
	 "link end 'h3:eth0': unknown node 'h3'", "did you mean 'h2:eth0'?"},
	{BASE "link = h1:eth1 router:eth0\n", 7, "link end 'router:eth0': unknown node 'router'",
	 "declare it with '[node router]'; the lab's nodes: h1, h2"},
	/* (11) resolve needs a [dns] section */
	{BASE "[expect]\nreach = h1 h2\nresolve = h1 h2\n", 9,
	 "resolve: the lab has no [dns] section to answer names",
	 "add a [dns] section with 'server = NODE', the node that runs dnsmasq (see "
	 "topologies/dns.ini)"},
	/* (12) own addresses as gateways that the kernel refuses */
	{"[node h1]\naddr = 172.16.0.1/32 dev veth2\nroute = default via 172.16.0.1 dev eth1\n[node h2]\n"
	 "[links]\nlink = h1:veth2 h2:eth0\nlink = h1:eth1 h2:eth1\n",
	 3, "gateway 172.16.0.1 is an address of node 'h1' itself",
	 "the kernel takes the node's own /32 as gateway only out of the device that has it: write "
	 "'dev veth2' (ip route would say \"Nexthop has invalid gateway\")"},
	{"[node h1]\naddr = fd00::1/128 dev veth2\nroute = default via fd00::1 dev veth2\n[node h2]\n"
	 "[links]\nlink = h1:veth2 h2:eth0\n",
	 3, "gateway fd00::1 is an address of node 'h1' itself",
	 "a gateway is a neighbour's address; the kernel refuses an own IPv6 address (\"Gateway can "
	 "not be a local address\"), a /128 too"},
	{"[node h1]\naddr = 172.16.0.1/24 dev veth2\nroute = default via 172.16.0.1 dev veth2\n[node h2]\n"
	 "[links]\nlink = h1:veth2 h2:eth0\n",
	 3, "gateway 172.16.0.1 is an address of node 'h1' itself",
	 "a gateway is a neighbour's address, not the node's own"},
	/* (13) per-interface sysctls name an interface of the node */
	{"[node h1]\nsysctl = net.ipv4.conf.eth0.rp_filter 0\n", 2, "node 'h1' has no interface 'eth0'",
	 "interfaces of 'h1': lo (and 'all', 'default'); links, bridges and tunnels make them"},
	{BASE "[node h3]\nsysctl = net.ipv6.conf.eth1.accept_ra 0\n", 8,
	 "node 'h3' has no interface 'eth1'",
	 "interfaces of 'h3': lo (and 'all', 'default'); links, bridges and tunnels make them"},
	{TWO "link = h1:eth0 h2:eth0\n[node h3]\nsysctl = net.ipv4.neigh.eth9.gc_stale_time 10\n"
	     "[links]\nlink = h3:eth0 h1:eth1\n",
	 8, "node 'h3' has no interface 'eth9'",
	 "interfaces of 'h3': lo, eth0 (and 'all', 'default'); links, bridges and tunnels make them"},
	{"[node h1]\nsysctl = net.ipv6.neigh.vx0.retrans_time_ms 500\n", 2,
	 "node 'h1' has no interface 'vx0'",
	 "interfaces of 'h1': lo (and 'all', 'default'); links, bridges and tunnels make them"},
	{"[node h1]\nsysctl = net.ipv4.conf.flannel.1.rp_filter 0\n[vxlan h1:flannel.1]\nvni = 1\n"
	 "local = 10.0.0.1\n",
	 2, "node 'h1' has no interface 'flannel'",
	 "write 'net.ipv4.conf.flannel/1.rp_filter': '/' stands for the '.' in 'flannel.1' (sysctl(8))"},
};

static void print_all(const struct diag *d)
{
	vec_foreach(m, &d->msgs) fprintf(stderr, "#   got %s:%u: %s\n", m->loc.file, m->loc.line, m->msg);
}

static void test_bad_case(void **state)
{
	const struct bad *c = *state;
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(c->ini, "t.ini", &d);
	bool found = false;

	topo_validate(lab, &d);
	if (!c->msg) {
		print_all(&d);
		assert_int_equal(diag_count(&d), 0);
	} else {
		vec_foreach(m, &d.msgs) found |= m->loc.line == c->line && streq(m->msg, c->msg) &&
						 streq(m->loc.file, "t.ini") && m->hint;
		if (!found) {
			fprintf(stderr, "# expected t.ini:%u: %s (with a hint)\n", c->line, c->msg);
			print_all(&d);
		}
		assert_true(found);
	}
	topo_lab_free(lab);
	diag_free(&d);
}

static void test_one_error(void **state)
{
	const struct one *c = *state;
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(c->ini, "t.ini", &d);

	topo_validate(lab, &d);
	if (diag_count(&d) != 1) {
		fprintf(stderr, "# expected only t.ini:%u: %s\n", c->line, c->msg);
		print_all(&d);
	}
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.msgs.v[0].loc.file, "t.ini");
	assert_int_equal(d.msgs.v[0].loc.line, c->line);
	assert_string_equal(d.msgs.v[0].msg, c->msg);
	assert_non_null(d.msgs.v[0].hint);
	assert_string_equal(d.msgs.v[0].hint, c->hint);
	topo_lab_free(lab);
	diag_free(&d);
}

/* The lab's plan as `nslab plan` prints it. */
static char *plan_text(struct topo_lab *lab)
{
	struct plan p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	plan_build(lab, &p);
	plan_print(&p, f);
	fclose(f);
	plan_free(&p);
	return text;
}

/* A VXLAN device without dev gets room for the outer headers of its
 * family: 1450 over IPv4, 1430 over IPv6 (70 bytes). With dev the kernel
 * takes dev's MTU minus the same, and nslab sets none. */
static void test_vxlan_default_mtu(void **state)
{
	const char *ini = "[node a]\naddr = 10.0.0.1/24 dev eth0\niface = vx9 mtu 1300\n[node b]\n"
			  "[links]\nlink = a:eth0 b:eth0\n"
			  "[vxlan a:vx6]\nvni = 6\nlocal = fd00::1\nremote = fd00::2\n"
			  "[vxlan a:vx4]\nvni = 4\nlocal = 10.0.0.1\nremote = 10.0.0.2\n"
			  "[vxlan a:vx9]\nvni = 9\nlocal = fd00::1\n"
			  "[vxlan a:vxd]\nvni = 7\ndev = eth0\n";
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	print_all(&d);
	assert_int_equal(diag_count(&d), 0);
	struct topo_node *a = topo_node_find(lab, "a");
	assert_int_equal(topo_iface_find(a, "vx6")->mtu, 1430);
	assert_int_equal(topo_iface_find(a, "vx4")->mtu, 1450);
	assert_int_equal(topo_iface_find(a, "vx9")->mtu, 1300); /* iface wins */
	assert_int_equal(topo_iface_find(a, "vxd")->mtu, 0);    /* the kernel's, from eth0 */
	char *text = plan_text(lab);
	assert_non_null(strstr(text, "ip -n t-a link add vx6 mtu 1430 up type vxlan id 6 remote fd00::2 "
				     "local fd00::1 dstport 4789\n"));
	assert_non_null(strstr(text, "ip -n t-a link add vx4 mtu 1450 up type vxlan id 4 remote 10.0.0.2 "
				     "local 10.0.0.1 dstport 4789\n"));
	assert_non_null(strstr(text, "ip -n t-a link add vx9 mtu 1300 up type vxlan id 9 local fd00::1 "
				     "dstport 4789\n"));
	assert_non_null(strstr(text, "ip -n t-a link add vxd up type vxlan id 7 local 10.0.0.1 dev eth0 "
				     "dstport 4789\n"));
	free(text);
	topo_lab_free(lab);
}

/* A link's settings go to both ends; an end's iface line changes them
 * setting by setting; the plan has the tc commands of each end. */
static void test_impairments(void **state)
{
	const char *ini = "[node a]\niface = eth0 loss 0.5% rate 0\n[node b]\n[node c]\n"
			  "iface = eth0 delay 1.5ms\n[links]\n"
			  "link = a:eth0 b:eth0 delay 20ms jitter 5ms rate 10mbit\n"
			  "link = c:eth0 b:eth1 rate 512kbit limit 50\n";
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);
	struct sbuf b = {0};

	topo_validate(lab, &d);
	print_all(&d);
	assert_int_equal(diag_count(&d), 0);
	const struct topo_iface *a0 = topo_iface_find(topo_node_find(lab, "a"), "eth0");
	const struct topo_iface *b0 = topo_iface_find(topo_node_find(lab, "b"), "eth0");
	const struct topo_iface *c0 = topo_iface_find(topo_node_find(lab, "c"), "eth0");
	impair_format(&a0->impair, &b);
	assert_string_equal(b.s, "delay 20ms jitter 5ms loss 0.5%");
	assert_int_equal(a0->impair_loc->line, 2);
	sbuf_reset(&b);
	impair_format(&b0->impair, &b);
	assert_string_equal(b.s, "delay 20ms jitter 5ms rate 10mbit");
	assert_int_equal(b0->impair_loc->line, 7);
	sbuf_reset(&b);
	impair_format(&c0->impair, &b);
	assert_string_equal(b.s, "delay 1.5ms rate 512kbit limit 50");
	sbuf_free(&b);
	char *text = plan_text(lab);
	assert_non_null(strstr(text, "tc -n t-a qdisc add dev eth0 root handle 1: netem limit 1000 "
				     "delay 20ms 5ms loss 0.5%\n"));
	assert_null(strstr(text, "tc -n t-a qdisc add dev eth0 parent"));
	assert_non_null(strstr(text, "tc -n t-b qdisc add dev eth0 root handle 1: netem limit 1000 "
				     "delay 20ms 5ms\ntc -n t-b qdisc add dev eth0 parent 1:1 handle 2: tbf "
				     "rate 10mbit burst 12500 limit 75000\n"));
	/* rate alone: tbf at the root, its queue the 50 packets asked */
	assert_non_null(strstr(text, "tc -n t-b qdisc add dev eth1 root handle 1: tbf rate 512kbit "
				     "burst 3028 limit 75700\n"));
	assert_non_null(strstr(text, "tc -n t-c qdisc add dev eth0 root handle 1: netem limit 50 "
				     "delay 1.5ms\n"));
	free(text);
	topo_lab_free(lab);
}

/* Every error of a file is reported in one run, in line order. */
static void test_all_errors_reported(void **state)
{
	const char *ini = "[node h1]\nadr = x\n[nod h2]\n[node h3]\nforward = perhaps\n"
			  "[links]\nlink = h1:eth0 h9:eth0\n";
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	diag_sort(&d);
	assert_int_equal(diag_count(&d), 4);
	assert_int_equal(d.msgs.v[0].loc.line, 2);
	assert_int_equal(d.msgs.v[1].loc.line, 3);
	assert_int_equal(d.msgs.v[2].loc.line, 5);
	assert_int_equal(d.msgs.v[3].loc.line, 7);
	topo_lab_free(lab);
	diag_free(&d);
}

static void test_long_line(void **state)
{
	char *ini = xmalloc(20000);
	struct diag d = {0};

	strcpy(ini, "[node h1]\ndescription = ");
	memset(ini + strlen(ini), 'x', 10000);
	strcpy(ini + 10024, "\n[node h2]\n");
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);
	assert_int_equal(diag_count(&d), 1);
	assert_int_equal(d.msgs.v[0].loc.line, 2);
	assert_string_equal(d.msgs.v[0].msg, "line is 10014 characters long; the limit is 1024");
	/* the next line is still read */
	assert_non_null(topo_node_find(lab, "h2"));
	topo_lab_free(lab);
	diag_free(&d);
	free(ini);
}

/* A line up to the limit is read whole: inih's buffer once held 197
 * characters, and a longer [expect] line vanished without a word. */
static void test_line_at_limit(void **state)
{
	struct sbuf ini = {0};
	struct diag d = {0};

	sbuf_adds(&ini, "[node h1]\n[node h2]\n[expect]\n");
	size_t start = ini.len;
	sbuf_adds(&ini, "reach = h1 h2");
	while (ini.len - start + 3 <= TOPO_LINE_MAX)
		sbuf_adds(&ini, ",h2");
	assert_true(ini.len - start > TOPO_LINE_MAX - 3);
	sbuf_adds(&ini, "\n");
	struct topo_lab *lab = topo_parse_string(ini.s, "t.ini", &d);
	assert_int_equal(diag_count(&d), 0);
	assert_int_equal(lab->expects.n, 1);
	assert_int_equal(strlen(lab->expects.v[0].rest), ini.len - 1 - start - strlen("reach = h1 "));
	topo_lab_free(lab);
	diag_free(&d);
	sbuf_free(&ini);
}

static void test_binary(void **state)
{
	static const char data[] = "[node h1]\n\x7f" "ELF\0\x01\x02garbage\n[node h2]\n";
	FILE *f = fmemopen((void *)data, sizeof(data) - 1, "r");
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_file(f, "t.ini", &d);

	assert_int_equal(diag_count(&d), 1);
	assert_int_equal(d.msgs.v[0].loc.line, 2);
	assert_string_equal(d.msgs.v[0].msg, "binary data (a NUL byte); stopped reading");
	assert_null(topo_node_find(lab, "h2"));
	topo_lab_free(lab);
	diag_free(&d);
	fclose(f);
}

static void test_missing_file(void **state)
{
	struct diag d = {0};
	int e = 0;

	assert_null(topo_load("/nonexistent/x.ini", &d, &e));
	assert_int_equal(e, -ENOENT);
	assert_null(topo_load("/", &d, &e));
	assert_int_equal(e, -EISDIR);
}

static void test_lab_name_default(void **state)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string("[node h1]\n", "dir/my-lab.ini", &d);

	assert_string_equal(lab->name, "my-lab");
	topo_lab_free(lab);
	lab = topo_parse_string("[node h1]\n", "dir/my lab.ini", &d);
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.msgs.v[0].msg,
			    "lab name 'my lab' (from the file name) has a character other than letters, "
			    "digits, '_', '-' and '.'");
	topo_lab_free(lab);
	diag_free(&d);
}

/* Comments, indentation and CRLF line ends are all fine. */
/* A bridge with 1024 ports: refused before up, not half-way through it. */
static void test_bridge_port_limit(void **state)
{
	struct sbuf t = {0};
	struct diag d = {0};

	sbuf_adds(&t, "[bridge sw]\n");
	for (int i = 1; i <= 1024; i++)
		sbuf_addf(&t, "[node h%d]\n", i);
	sbuf_adds(&t, "[links]\n");
	for (int i = 1; i <= 1024; i++)
		sbuf_addf(&t, "link = h%d:eth0 sw\n", i);
	struct topo_lab *lab = topo_parse_string(t.s, "t.ini", &d);
	topo_validate(lab, &d);
	assert_int_equal(diag_count(&d), 1);
	assert_int_equal(d.msgs.v[0].loc.line, 1);
	assert_string_equal(d.msgs.v[0].msg, "bridge 'sw' has 1024 ports; a Linux bridge takes at most 1023");
	topo_lab_free(lab);
	diag_free(&d);
	sbuf_free(&t);
}

static void test_lenient_syntax(void **state)
{
	const char *ini = "# comment\r\n[lab]  ; inline\r\n  name = x   # trailing\r\n"
			  "[node h1]\r\n\taddr = 10.0.0.1/24 dev lo ; lo address\r\n";
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	print_all(&d);
	assert_int_equal(diag_count(&d), 0);
	assert_string_equal(lab->name, "x");
	struct topo_node *n = topo_node_find(lab, "h1");
	assert_int_equal(n->addrs.n, 1);
	assert_string_equal(n->addrs.v[0].ifname, "lo");
	topo_lab_free(lab);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_all_errors_reported), cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_line_at_limit),
		cmocka_unit_test(test_binary),              cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_lab_name_default),    cmocka_unit_test(test_lenient_syntax),
		cmocka_unit_test(test_bridge_port_limit),   cmocka_unit_test(test_vxlan_default_mtu),
		cmocka_unit_test(test_impairments),
	};
	size_t nbad = ARRAY_SIZE(cases), none = ARRAY_SIZE(one_error_cases), n = 0;
	struct CMUnitTest *tests = xcalloc(nbad + none + ARRAY_SIZE(fixed), sizeof(*tests));
	char (*names)[80] = xcalloc(nbad + none, sizeof(*names));

	for (size_t i = 0; i < nbad; i++) {
		const char *msg = cases[i].msg ? cases[i].msg : "(valid)";
		snprintf(names[i], sizeof(names[i]), "bad input %zu: %.60s", i, msg);
		tests[n++] = (struct CMUnitTest){.name = names[i],
						 .test_func = test_bad_case,
						 .initial_state = (void *)&cases[i]};
	}
	for (size_t i = 0; i < none; i++) {
		snprintf(names[nbad + i], sizeof(names[nbad + i]), "one error %zu: %.60s", i,
			 one_error_cases[i].msg);
		tests[n++] = (struct CMUnitTest){.name = names[nbad + i],
						 .test_func = test_one_error,
						 .initial_state = (void *)&one_error_cases[i]};
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	int r = _cmocka_run_group_tests("parse", tests, n, NULL, NULL);
	free(tests);
	free(names);
	return r;
}
