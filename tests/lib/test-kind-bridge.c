// SPDX-License-Identifier: MIT
/* Bridges' settings, ports and port lines, and VLAN subinterfaces: each bad
 * topology gives exactly one error with its line, message and hint; good
 * ones give the plan's ip and bridge commands and the facts diff compares. */
#include "kind-cases.h"

/* sw has eth1 and eth2, linked to h1 and h2 (lines 1-5) */
#define BASE                                                                                \
	"[node sw]\n[node h1]\n[node h2]\n[links]\nlink = h1:eth0 sw:eth1\nlink = h2:eth0 " \
	"sw:eth2\n"
#define PORT_HINT                                                                                 \
	"write 'port = IF|NODE:IF|* [learning on|off] [flood on|off] [neigh_suppress on|off] "    \
	"[hairpin on|off] [isolated on|off] [cost N] [priority N] [pvid N [untagged]] [untagged " \
	"VIDS] [tagged VIDS]', VIDS such as '10 20 30-40'"

static const struct kind_case cases[] = {
    {BASE "[bridge sw:br0]\nports = eth1 eth9\n", 8,
     "[bridge sw:br0]: node 'sw' has no interface 'eth9'",
     "name an interface that a link or a section makes in 'sw': lo, br0, eth1, eth2"},
    {BASE "[bridge lan]\nports = eth1\n", 8,
     "'ports' is for a bridge in a node ([bridge NODE:lan])",
     "the switch namespace's ports are the links' ends: write 'link = NODE:IF BRIDGE:PORT' to name "
     "one"},
    {BASE "[bridge sw:br0]\nports = eth1\n[bridge sw:br1]\nports = eth1\n", 10,
     "'eth1' is a port of 'br0' already", "an interface has one master; take it out of 'br0'"},
    {BASE "[bridge sw:br0]\nports = br0\n", 8, "'br0' cannot be a port of itself",
     "list the interfaces that go into it, not itself"},
    {BASE "[bridge sw:br0]\n[bridge sw:br1]\nports = br0\n", 9,
     "'br0' is a bridge; a bridge is not a port of another",
     "join two bridges with a link: 'link = NODE:BR1 NODE:BR2'"},
    {BASE "[bridge sw:br0]\nageing_time = 300\n", 8, "bad ageing_time '300'",
     "write a time with its unit, from 0s to 1e+06s: 'ageing_time = 300s' (ip -d link shows "
     "centiseconds: 30000 is 300s)"},
    {BASE "[bridge sw:br0]\nforward_delay = 1s\n", 8, "bad forward_delay '1s'",
     "write a time with its unit, from 2s to 30s: 'forward_delay = 300s' (ip -d link shows "
     "centiseconds: 30000 is 300s)"},
    {BASE "[bridge sw:br0]\nvlan_default_pvid = 4095\n", 8, "bad vlan_default_pvid '4095'",
     "'vlan_default_pvid' is a whole number from 0 to 4094"},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1 hairpin maybe\n", 9,
     "'hairpin' takes on or off", PORT_HINT},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1 priority 64\n", 9, "bad priority '64'",
     "a priority is a whole number from 0 to 63"},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1 tagged\n", 9,
     "'tagged' needs VLAN ids (1 to 4094)", PORT_HINT},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1 pvid 4095\n", 9, "bad pvid '4095'",
     "a VLAN id is a whole number from 1 to 4094"},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1 speed 10\n", 9,
     "unexpected 'speed' in 'port'", PORT_HINT},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1\n", 9, "'port' needs a port and its settings",
     PORT_HINT},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth1 pvid 10 untagged\n", 9,
     "port 'eth1': VLAN membership on a bridge that does not filter VLANs",
     "add 'vlan_filtering = yes' to [bridge br0]: without it the bridge ignores VLANs"},
    {BASE "[bridge sw:br0]\nports = eth1\nport = eth2 hairpin on\n", 9,
     "'eth2' is not a port of bridge 'br0'", "add it to 'ports = ...' of [bridge sw:br0]"},
    {BASE "[bridge sw:br0]\nports = eth1\nport = h9:eth0 hairpin on\n", 9,
     "no port of bridge 'br0' is linked to 'h9:eth0'",
     "name the other end of a link to this bridge, or a port"},
    {BASE "[bridge sw:br0]\nports = eth1\nport = br0 hairpin on\n", 9,
     "port 'br0' is the bridge itself",
     "the bridge itself takes only VLAN words (pvid, untagged, tagged)"},
    {BASE "[bridge sw:br0]\nvlan_protocol = 802.1x\n", 8, "bad vlan_protocol '802.1x'",
     "write 'vlan_protocol = 802.1Q' or 'vlan_protocol = 802.1ad' (QinQ's outer tag)"},
    {BASE "[vrf sw:red]\ntable = 10\n[bridge sw:br0]\nports = eth1 red\n", 10,
     "'red' is a VRF device, which has no Ethernet header to bridge",
     "a bridge forwards Ethernet frames: give it Ethernet devices (a link's end, VXLAN, gretap, a "
     "VLAN, a dummy)"},
    {BASE "[bridge sw:tunl0]\n", 7, "interface name 'tunl0' of node 'sw' is the kernel's own",
     "choose another name; the kernel's tunnel modules keep gre0, gretap0, erspan0, tunl0, sit0, "
     "ip6tnl0, ip6gre0, ip_vti0 and ip6_vti0 for themselves"},
    /* VLAN subinterfaces */
    {BASE "[vlan eth1.10]\n", 7, "[vlan eth1.10] names no node",
     "a VLAN subinterface belongs to a node: [vlan NODE:eth0.100]"},
    {BASE "[vlan sw:v10]\n", 7, "[vlan sw:v10] has no VLAN id",
     "add 'id = N' (1 to 4094), or name it IF.N: [vlan h1:eth0.100]"},
    {BASE "[vlan sw:v10]\nid = 10\n", 7, "[vlan sw:v10] has no parent",
     "add 'link = IF', its parent, or name it IF.N: [vlan h1:eth0.100]"},
    {BASE "[vlan sw:eth9.10]\n", 7, "[vlan sw:eth9.10]: parent 'eth9' is not an interface of 'sw'",
     "a link or a section must make 'eth9' in node 'sw'; it has: eth1, eth2"},
    {BASE "[vlan sw:eth1.4095]\nid = 0\n", 8, "bad id '0'",
     "'id' is a whole number from 1 to 4094"},
    {BASE "[vlan sw:eth1.10]\nprotocol = qinq\n", 8, "bad protocol 'qinq'",
     "write 'protocol = 802.1Q' or 'protocol = 802.1ad' (QinQ's outer tag)"},
    {BASE "[vlan sw:eth1.10]\n[vlan sw:v10]\nlink = eth1\nid = 10\n", 8,
     "VLAN 10 on 'eth1' is already made (line 7)",
     "one subinterface per VLAN id and parent; 'eth1.10' has it"},
    {BASE "[vlan sw:a.5]\nlink = b.6\n[vlan sw:b.6]\nlink = a.5\n", 7,
     "[vlan sw:a.5]: its parents loop", "a VLAN's parent chain must end at a real device"},
    /* a loop of two, and a third VLAN on it: one error, no endless walk */
    {BASE "[vlan sw:a.5]\nlink = b.6\n[vlan sw:b.6]\nlink = a.5\n[vlan sw:c.7]\nlink = a.5\n", 7,
     "[vlan sw:a.5]: its parents loop", "a VLAN's parent chain must end at a real device"},
    {BASE "[vxlan sw:vx0]\nvni = 1\nremote = 10.9.9.9\nlocal = 10.9.9.1\n[vlan sw:vx0.20]\n", 11,
     "[vlan sw:vx0.20]: its parent 'vx0' is made after it",
     "nslab makes VLANs before VXLAN devices: put it on a link's end, a bridge, a dummy, Geneve or "
     "gretap device, or another VLAN"},
    {BASE "[vlan sw:eth1.10]\nmtu = 9000\n", 7, "VLAN 'eth1.10' has MTU 9000, more than its 'eth1' (1500)",
     "use an MTU of at most 1500, or raise that of 'eth1'"},
};

/* the VLAN sections come first in the file, the QinQ child before its parent */
#define LAB                                                                         \
	"[lab]\nname = brt\n"                                                       \
	"[vlan r:eth0.100.7]\n[vlan r:eth0.100]\nprotocol = 802.1ad\n"              \
	"[bridge sw:br0]\nports = eth1 eth2 trunk\nvlan_filtering = yes\n"          \
	"vlan_default_pvid = 1\nageing_time = 2m\nmcast_snooping = no\n"            \
	"port = * hairpin on\nport = eth1 pvid 10 untagged learning off\n"          \
	"port = h2:eth0 pvid 20 untagged cost 9\nport = trunk tagged 10 20 30-40\n" \
	"port = br0 pvid 10 untagged\n"                                             \
	"[bridge lan]\n" BASE "link = sw:trunk r:eth0\nlink = r:eth1 lan\n[node r]\n"

static void test_plan(void **state)
{
	struct topo_lab *lab = kind_load(LAB);
	_cleanup_free_ char *text = kind_plan_text(lab);

	kind_assert_has(
	    text, "ip -n brt-sw link add br0 up type bridge ageing_time 12000 mcast_snooping 0 "
		  "vlan_default_pvid 1 vlan_filtering 1\n");
	/* the parent first, whatever the order of the sections */
	kind_assert_has(
	    text,
	    "ip -n brt-r link add link eth0 name eth0.100 up type vlan protocol 802.1ad id 100\n"
	    "ip -n brt-r link add link eth0.100 name eth0.100.7 up type vlan id 7\n");
	/* every device exists before a port goes in; then the ports' settings */
	kind_assert_has(text,
			"\n# ports: interfaces into their bridges and VRFs, port settings\n"
			"ip -n brt-sw link set eth1 master br0\n"
			"ip -n brt-sw link set eth2 master br0\n"
			"ip -n brt-sw link set trunk master br0\n"
			"bridge -n brt-sw vlan add vid 10 dev br0 pvid untagged self\n"
			"bridge -n brt-sw vlan del vid 1 dev br0 self\n"
			"ip -n brt-sw link set eth1 type bridge_slave learning off hairpin on\n"
			"bridge -n brt-sw vlan add vid 10 dev eth1 pvid untagged\n"
			"bridge -n brt-sw vlan del vid 1 dev eth1\n"
			"ip -n brt-sw link set eth2 type bridge_slave hairpin on cost 9\n");
	kind_assert_has(text, "bridge -n brt-sw vlan add vid 10 dev trunk\n"
			      "bridge -n brt-sw vlan add vid 20 dev trunk\n"
			      "bridge -n brt-sw vlan add vid 30-40 dev trunk\n"
			      "bridge -n brt-sw vlan del vid 1 dev trunk\n");
	/* two lines of one port add up: its VLANs 10, 20 (the PVID) and 30 */
	struct topo_lab *two = kind_load("[lab]\nname = two\n[bridge sw:br0]\nvlan_filtering = yes\n"
					 "ports = eth1\nport = eth1 tagged 10\nport = eth1 pvid 20 "
					 "untagged hairpin on\nport = eth1 tagged 30\n" BASE);
	_cleanup_free_ char *t2 = kind_plan_text(two);
	kind_assert_has(t2, "bridge -n two-sw vlan add vid 10 dev eth1\n"
			    "bridge -n two-sw vlan add vid 20 dev eth1 pvid untagged\n"
			    "bridge -n two-sw vlan add vid 30 dev eth1\n");
	kind_assert_has(t2, "ip -n two-sw link set eth1 type bridge_slave hairpin on\n");
	topo_lab_free(two);
	/* a port nslab names still goes in at creation */
	kind_assert_has(text, "ip -n brt-.sw link add r-eth1 master lan up type veth");
	topo_lab_free(lab);
}

static void test_facts(void **state)
{
	struct topo_lab *lab = kind_load(LAB);
	struct facts f = {0};

	state_expected(lab, &f);
	_cleanup_free_ char *t = kind_facts_text(&f);
	const char *want[] = {
	    "sw|br0 ageing_time|120s\n",   "sw|br0 mcast_snooping|no\n",
	    "sw|br0 vlan_filtering|yes\n", "sw|br0 vlans|10 pvid untagged\n",
	    "sw|eth1 master|br0\n",	   "sw|eth1 port-learning|off\n",
	    "sw|eth1 port-hairpin|on\n",   "sw|eth1 port-vlans|10 pvid untagged\n",
	    "sw|eth2 port-cost|9\n",	   "sw|trunk port-vlans|10, 20, 30-40\n",
	    "r|eth0.100 link|eth0\n",	   "r|eth0.100 protocol|802.1ad\n",
	    "r|eth0.100.7 id|7\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		kind_assert_has(t, want[i]);
	/* the kernel's defaults are not facts: no port-learning for eth2 */
	assert_null(strstr(t, "sw|eth2 port-learning"));
	facts_free(&f);
	topo_lab_free(lab);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_plan),
	    cmocka_unit_test(test_facts),
	};
	return kind_run_group("kind-bridge", cases, ARRAY_SIZE(cases), fixed, ARRAY_SIZE(fixed));
}
