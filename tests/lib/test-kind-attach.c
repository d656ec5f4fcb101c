// SPDX-License-Identifier: MIT
/* The kinds that attach to a node's interfaces or stand alone in it:
 * macvlan, ipvlan, dummy, geneve. Each bad topology gives exactly one
 * error, with its line, message and hint; good ones give the plan's ip
 * commands and the facts diff compares, in the words the kernel's side
 * reads back. */
#include "kind-cases.h"


/* Two linked nodes: h1's eth0 is what the devices sit on. */
#define BASE                                                                         \
	"[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = 10.0.0.2/24 dev " \
	"eth0\n[links]\n"                                                            \
	"link = h1:eth0 h2:eth0\n"
#define MAC_HINT "write a unicast MAC such as 02:00:00:00:00:01"

static const struct kind_case cases[] = {
    /* macvlan (line 7 is the section) */
    {BASE "[macvlan mv0]\nlink = eth0\n", 7, "[macvlan mv0] names no node",
     "write '[macvlan NODE:mv0]', the node that has it"},
    {BASE "[macvlan h9:mv0]\nlink = eth0\n", 7, "[macvlan h9:mv0] names unknown node 'h9'",
     "declare it with '[node h9]'"},
    {BASE "[macvlan h1:mv0]\n", 7, "[macvlan h1:mv0] has no 'link'",
     "add 'link = IF', the interface it sits on: eth0"},
    {BASE "[node h3]\n[macvlan h3:mv0]\n", 8, "[macvlan h3:mv0] has no 'link'",
     "add 'link = IF'; 'h3' has no interface it can sit on yet; a [links] line makes one, e.g. "
     "'link = h3:eth0 OTHER:eth0'"},
    {BASE "[macvlan h1:mv0]\nlink = eth9\n", 8,
     "node 'h1' has no interface 'eth9' for macvlan device 'mv0' to sit on",
     "name one of the interfaces of 'h1' it can sit on: eth0"},
    {BASE "[macvlan h1:mv0]\nlink = lo\n", 8, "macvlan device 'mv0' cannot sit on lo",
     "name one of the interfaces of 'h1' it can sit on: eth0"},
    {BASE "[macvlan h1:mv0]\nlink = mv0\n", 8, "macvlan device 'mv0' cannot sit on itself",
     "name one of the interfaces of 'h1' it can sit on: eth0"},
    {BASE "[macvlan h1:mv0]\nlink = eth/0\n", 8,
     "interface 'eth/0' has a character other than letters, digits, '_', '-' and '.'",
     "name the interface it sits on, e.g. 'link = eth0'"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nmode = bridged\n", 9, "unknown macvlan mode 'bridged'",
     "write 'mode = bridge', 'private', 'vepa', 'passthru' or 'source'"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nmac = ff:ff:ff:ff:ff:ff\n", 9,
     "bad MAC address 'ff:ff:ff:ff:ff:ff'", MAC_HINT},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nmode = passthru\nmac = 02:00:00:00:00:01\n", 9,
     "a passthru macvlan takes the MAC of 'eth0'; it cannot have its own",
     "drop 'mac', or choose another mode"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nmacaddr = 02:00:00:00:00:01\n", 9,
     "'macaddr' lists senders for mode source, not bridge",
     "write 'mode = source', or drop 'macaddr'"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nmode = source\nmacaddr = 02:00:00:00:00:01 x\n", 10,
     "bad MAC address 'x'", "write unicast MACs such as 02:00:00:00:00:01, space separated"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nmtu = 9000\n", 7,
     "macvlan 'mv0' has MTU 9000, more than its 'eth0' (1500)",
     "use an MTU of at most 1500, or raise that of 'eth0'"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\n[macvlan h1:mv1]\nlink = eth0\nmode = passthru\n", 9,
     "macvlans 'mv0' and 'mv1' share 'eth0' of node 'h1'",
     "a passthru macvlan is the only one on its device: put one of them on another interface"},
    {BASE "[macvlan h1:mv1]\nlink = eth0\n[macvlan h1:mv0]\nlink = mv1\n", 10,
     "macvlan device 'mv0' cannot sit on 'mv1', another macvlan device",
     "write 'link = IF' with the interface 'mv1' sits on"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\n[ipvlan h1:ipv0]\nlink = eth0\n", 10,
     "'eth0' of node 'h1' carries macvlan device 'mv0' already; it cannot carry ipvlan too",
     "put ipvlans and macvlans on different interfaces"},
    {BASE "[gre g1]\nmembers = h1 h2\ndev = eth0\n[macvlan h1:mv0]\nlink = g1\n", 11,
     "macvlan device 'mv0' cannot sit on GRE tunnel 'g1', which has no MAC address",
     "it needs an Ethernet device below it: a link's end, a bridge, a dummy"},
    {"[node h1]\n[node h2]\n[bridge h1:br0]\n[links]\nlink = h2:eth0 h1:br0\n"
     "[macvlan h1:mv0]\nlink = h2-eth0\n",
     7, "'h2-eth0' of node 'h1' is a port of bridge 'br0', which takes its frames first",
     "put the macvlan device on bridge 'br0' itself, or on another interface"},
    {BASE "[macvlan h1:mv0]\nlink = eth0\nspeed = 10\n", 9,
     "unknown key 'speed' in [macvlan h1:mv0]",
     "keys here are 'link', 'mode', 'mac', 'mtu', 'macaddr'"},
    /* ipvlan */
    {BASE "[ipvlan h1:ipv0]\nlink = eth0\nmac = 02:00:00:00:00:01\n", 9,
     "'mac' is not for an ipvlan device",
     "drop 'mac': an ipvlan device has the MAC of the device it sits on"},
    {"[node h1]\naddr = 10.0.0.1/24 dev eth0\niface = ipv0 mac 02:00:00:00:00:01\n[node h2]\n"
     "[links]\nlink = h1:eth0 h2:eth0\n[ipvlan h1:ipv0]\nlink = eth0\n",
     3, "ipvlan device 'ipv0' cannot have a MAC address of its own",
     "drop 'mac': ipvlan device 'ipv0' has the MAC of the device it sits on; set that one's"},
    {BASE "[ipvlan h1:ipv0]\nlink = eth0\nmode = l4\n", 9, "unknown ipvlan mode 'l4'",
     "write 'mode = l2', 'l3' or 'l3s'"},
    {BASE "[ipvlan h1:ipv0]\nlink = eth0\nflags = public\n", 9, "unknown ipvlan flags 'public'",
     "write 'flags = bridge', 'private' or 'vepa'"},
    {BASE "[ipvlan h1:ipv0]\nlink = eth0\n[ipvlan h1:ipv1]\nlink = eth0\nmode = l2\n", 9,
     "ipvlans 'ipv0' (l3 bridge) and 'ipv1' (l2 bridge) on 'eth0' differ; the kernel has one mode "
     "per device",
     "give both 'mode = l3' and 'flags = bridge', or put one on another interface"},
    {BASE "[ipvlan h1:ipv1]\nlink = eth0\n[ipvlan h1:ipv0]\nlink = ipv1\n", 10,
     "ipvlan device 'ipv0' cannot sit on 'ipv1', another ipvlan device",
     "write 'link = IF' with the interface 'ipv1' sits on"},
    {BASE "[ipvlan h1:ipv0]\nlink = eth0\nmtu = 1501\n", 7,
     "ipvlan 'ipv0' has MTU 1501, more than its 'eth0' (1500)",
     "use an MTU of at most 1500, or raise that of 'eth0'"},
    {BASE "[ipvlan h1:ipv0]\nlink = eth0\n[macvlan h1:mv0]\nlink = eth0\n", 10,
     "'eth0' of node 'h1' carries ipvlan device 'ipv0' already; it cannot carry macvlan too",
     "put macvlans and ipvlans on different interfaces"},
    /* dummy */
    {BASE "[dummy dum0]\n", 7, "[dummy dum0] names no node",
     "write '[dummy NODE:dum0]', the node that has it"},
    {BASE "[dummy h1:dum0]\nmtu = 10\n", 8, "bad mtu '10'",
     "'mtu' is a whole number from 68 to 65535"},
    {BASE "[dummy h1:dum0]\nmac = 02:00:00:00:00\n", 8, "bad MAC address '02:00:00:00:00'",
     MAC_HINT},
    {BASE "[dummy h1:eth0]\n", 7,
     "interface 'eth0' of node 'h1' is declared twice (first at line 6)",
     "give each interface of a node its own name"},
    /* geneve */
    {BASE "[geneve gn0]\nmembers = h1 h2\ndev = eth0\n", 7, "[geneve gn0] has no 'vni'",
     "add 'vni = 42' (0 to 16777215)"},
    {BASE "[geneve gn0]\nmembers = h1 h2\nvni = 1\n", 7, "[geneve gn0] has no 'dev'",
     "add 'dev = eth0', the underlay interface of both members"},
    {BASE "[geneve gn0]\nvni = 1\ndev = eth0\n", 7, "[geneve gn0] has no 'members'",
     "add 'members = A B', the two ends"},
    {BASE "[node h3]\n[geneve gn0]\nmembers = h1 h2 h3\ndev = eth0\nvni = 1\n", 9,
     "a Geneve tunnel joins exactly two nodes; 'members' lists 3",
     "a Geneve device has one remote and no FDB to flood by: write one [geneve NAME] per pair of "
     "members, or use [vxlan NAME] for a segment"},
    {BASE "[geneve gn0]\nmembers = h1\ndev = eth0\nvni = 1\n", 8,
     "a Geneve tunnel joins exactly two nodes; 'members' lists 1", "list the two nodes it joins"},
    {BASE "[geneve gn0]\nmembers = h1 h2\ndev = eth0\nvni = 16777216\n", 10, "bad vni '16777216'",
     "'vni' is a whole number from 0 to 16777215"},
    {BASE "[geneve gn0]\nmembers = h1 h2\ndev = eth0\nvni = 1\nremote = 10.0.0.9\n", 11,
     "'remote' is for [geneve NODE:NAME], not a pair",
     "a pair takes each remote from the other member's address on 'dev' (a MAC with 'iface' in "
     "the node); for one end write [geneve NODE:NAME]"},
    {BASE "[geneve gn0]\nmembers = h1 h2\ndev = eth1\nvni = 1\n", 7,
     "member 'h1' has no interface 'eth1'", "link 'h1:eth1' to the underlay"},
    {BASE "[node h3]\n[links]\nlink = h3:eth0 h1:eth1\n[geneve gn0]\nmembers = h1 h3\ndev = eth0\n"
	  "vni = 1\n",
     10, "member 'h3' has no address on 'eth0' for the tunnel",
     "add 'addr = ... dev eth0' to [node h3]"},
    {"[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = fd00::2/64 dev eth0\n[links]\n"
     "link = h1:eth0 h2:eth0\n[geneve gn0]\nmembers = h1 h2\ndev = eth0\nvni = 1\n",
     7, "members 'h1' and 'h2' have no addresses of one family on 'eth0'",
     "give both members addresses of one family on the underlay"},
    {BASE "[geneve h1:gn0]\nvni = 1\n", 7, "[geneve h1:gn0] has no 'remote'",
     "add 'remote = ADDRESS', the other end's underlay address"},
    {BASE "[geneve h1:gn0]\nvni = 1\nremote = 10.0.0.300\n", 9, "bad remote '10.0.0.300'",
     "write an address such as 192.168.0.12"},
    {BASE "[geneve h1:gn0]\nvni = 1\nremote = 10.0.0.2\ndev = eth0\n", 10,
     "'dev' is for [geneve NAME], not [geneve NODE:NAME]",
     "write [geneve NAME] with 'members = A B' and 'dev = IF' for a pair; a single end takes "
     "'remote'"},
    {BASE "[geneve h1:gn0]\nvni = 1\nremote = 10.0.0.2\nport = 0\n", 10, "bad port '0'",
     "'port' is a whole number from 1 to 65535"},
    {BASE "[geneve h1:gn0]\nvni = 1\nremote = 10.0.0.2\nttl = 256\n", 10, "bad ttl '256'",
     "'ttl' is a whole number from 1 to 255"},
};

/* Sections in the file's order; the plan makes each kind after the ones it
 * can sit on (dummy, geneve before macvlan, ipvlan), in the list's order. */
#define LAB                                                                         \
	"[lab]\nname = att\n"                                                       \
	"[macvlan h:mv0]\nlink = eth0\nmac = 02:00:00:00:00:11\n"                   \
	"[macvlan h:mv1]\nlink = dum0\nmode = source\nmacaddr = 02:00:00:00:00:99 " \
	"02:00:00:00:00:98\n"                                                       \
	"[macvlan h:mv2]\nlink = eth0\nmode = private\nmtu = 1400\n"                \
	"[ipvlan h:ipv0]\nlink = eth1\nflags = private\n"                           \
	"[ipvlan p:ipv0]\nlink = gn0\nmode = l2\n"                                  \
	"[dummy h:dum0]\nmtu = 9000\n"                                              \
	"[geneve gn0]\nmembers = h p\ndev = eth0\nvni = 5\nttl = 64\n"              \
	"[geneve p:gn6]\nvni = 7\nremote = fd00::1\nport = 6082\n"                  \
	"[node h]\naddr = 10.0.0.1/24 dev eth0\naddr = 10.0.9.1/32 dev ipv0\n"      \
	"[node p]\naddr = 10.0.0.2/24 dev eth0\niface = eth0 mtu 9000\n"            \
	"iface = gn0 mac 02:00:00:00:00:05\n[links]\nlink = h:eth0 p:eth0\nlink = h:eth1 p:eth1\n"

static void test_plan(void **state)
{
	struct topo_lab *lab = kind_load(LAB);
	_cleanup_free_ char *text = kind_plan_text(lab);

	kind_assert_has(text, "ip -n att-h link add dum0 mtu 9000 up type dummy\n");
	/* the geneve MTU leaves room for the outer headers below the underlay's */
	kind_assert_has(text, "ip -n att-h link add gn0 mtu 1450 up type geneve id 5 remote 10.0.0.2 "
			 "dstport 6081 ttl 64\n");
	kind_assert_has(text,
		   "ip -n att-p link add gn0 address 02:00:00:00:00:05 mtu 8950 up type geneve "
		   "id 5 remote 10.0.0.1 dstport 6081 ttl 64\n");
	kind_assert_has(text,
		   "ip -n att-p link add gn6 mtu 1430 up type geneve id 7 remote fd00::1 dstport "
		   "6082\n");
	kind_assert_has(text,
		   "ip -n att-h link add mv0 link eth0 address 02:00:00:00:00:11 up type macvlan "
		   "mode bridge\n");
	/* sorted: the kernel keeps them in a hash table */
	kind_assert_has(text,
		   "ip -n att-h link add mv1 link dum0 up type macvlan mode source macaddr set "
		   "02:00:00:00:00:98 02:00:00:00:00:99\n");
	kind_assert_has(text,
		   "ip -n att-h link add mv2 link eth0 mtu 1400 up type macvlan mode private\n");
	kind_assert_has(text, "ip -n att-h link add ipv0 link eth1 up type ipvlan mode l3 private\n");
	kind_assert_has(text, "ip -n att-p link add ipv0 link gn0 up type ipvlan mode l2\n");
	/* creation order: veths, dummy, geneve, then what sits on them */
	const char *order[] = {"link add eth0 ", "link add dum0 ", "link add gn0 ",
			       "link add mv0 ",	 "link add mv2 ",  "link add ipv0 "};
	const char *at = text;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const char *next = strstr(at, order[i]);
		if (!next)
			fprintf(stderr, "# '%s' not after the one before it\n", order[i]);
		assert_non_null(next);
		at = next;
	}
	/* interface indexes follow that order */
	struct topo_node *h = topo_node_find(lab, "h");
	assert_int_equal(topo_iface_find(h, "dum0")->ifindex + 1,
			 topo_iface_find(h, "gn0")->ifindex);
	assert_true(topo_iface_find(h, "gn0")->ifindex < topo_iface_find(h, "mv0")->ifindex);
	topo_lab_free(lab);
}

/* What diff compares: each kind's settings in its section's words (read
 * back from the kernel in the same words), MTU only where it is known. */
static void test_facts(void **state)
{
	struct topo_lab *lab = kind_load(LAB);
	struct facts f = {0};

	state_expected(lab, &f);
	_cleanup_free_ char *t = kind_facts_text(&f);
	const char *want[] = {
	    "h|mv0|macvlan\n",
	    "h|mv0 link|eth0\n",
	    "h|mv0 mode|bridge\n",
	    "h|mv0 mac|02:00:00:00:00:11\n",
	    "h|mv1 macaddr|02:00:00:00:00:98 02:00:00:00:00:99\n",
	    "h|mv1 mode|source\n",
	    "h|mv2 mtu|1400\n",
	    "h|ipv0|ipvlan\n",
	    "h|ipv0 link|eth1\n",
	    "h|ipv0 mode|l3\n",
	    "h|ipv0 flags|private\n",
	    "p|ipv0 mode|l2\n",
	    "p|ipv0 flags|bridge\n",
	    "h|dum0|dummy\n",
	    "h|dum0 mtu|9000\n",
	    "h|gn0|geneve\n",
	    "h|gn0 vni|5\n",
	    "h|gn0 remote|10.0.0.2\n",
	    "h|gn0 port|6081\n",
	    "h|gn0 ttl|64\n",
	    "h|gn0 mtu|1450\n",
	    "p|gn6 remote|fd00::1\n",
	    "p|gn6 port|6082\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		kind_assert_has(t, want[i]);
	/* no MTU of its own: the kernel gives it its lower device's */
	assert_null(strstr(t, "h|mv0 mtu|"));
	assert_null(strstr(t, "h|ipv0 mtu|"));
	assert_null(strstr(t, "h|ipv0 mac|"));
	facts_free(&f);
	topo_lab_free(lab);
}

/* The dummy kind's MTU is the kernel's 1500 when not set: a change shows. */
static void test_dummy_default_mtu(void **state)
{
	struct topo_lab *lab = kind_load("[node r]\naddr = 192.0.2.1/32 dev lo0\n[dummy r:lo0]\n");
	struct facts f = {0};

	state_expected(lab, &f);
	_cleanup_free_ char *t = kind_facts_text(&f);
	kind_assert_has(t, "r|lo0|dummy\nr|lo0 mtu|1500\n");
	_cleanup_free_ char *text = kind_plan_text(lab);
	kind_assert_has(text, "ip -n t-r link add lo0 up type dummy\n");
	kind_assert_has(text, "ip -n t-r addr add 192.0.2.1/32 dev lo0\n");
	facts_free(&f);
	topo_lab_free(lab);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_dummy_default_mtu),
	};
	return kind_run_group("kind-attach", cases, ARRAY_SIZE(cases), fixed, ARRAY_SIZE(fixed));
}
