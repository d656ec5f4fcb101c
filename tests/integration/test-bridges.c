// SPDX-License-Identifier: MIT
/* Bridges as real labs use them: ports named by the bridge ('ports ='),
 * bridge settings and port flags read back with bridge -j and ip -d -j,
 * the EVPN pattern (a VXLAN port with static flood list and ARP
 * suppression), and VLANs: refused before anything is made where the
 * kernel lacks them (the VM suite runs them). */
#include "harness.h"

#define BR_INI "/tmp/nslab-nslt-br.ini"
#define EVPN_NOFLOOD "/tmp/nslab-nslt-evpn-noflood.ini"
#define EVPN_NOSUP "/tmp/nslab-nslt-evpn-nosup.ini"
#define SAVED "/tmp/nslab-nslt-br2.ini"

static int teardown(void **state)
{
	(void)sh("for l in nslt-br nslt-br2 evpn-static nslt-evpn vlan; do %s down $l >/dev/null "
		 "2>&1; done; "
		 "rm -f " BR_INI " " EVPN_NOFLOOD " " EVPN_NOSUP " " SAVED,
		 nslab());
	return 0;
}

static const char br_ini[] = "[lab]\n"
			     "name = nslt-br\n"
			     "[node sw]\n"
			     "[node h1]\n"
			     "addr = 10.0.0.1/24 dev eth0\n"
			     "[node h2]\n"
			     "addr = 10.0.0.2/24 dev eth0\n"
			     "[node h3]\n"
			     "addr = 10.0.0.3/24 dev eth0\n"
			     "[links]\n"
			     "link = h1:eth0 sw:eth1\n"
			     "link = h2:eth0 sw:eth2\n"
			     "link = h3:eth0 sw:br0\n"
			     "[bridge sw:br0]\n"
			     "ports = eth1 eth2\n"
			     "ageing_time = 120s\n"
			     "forward_delay = 4s\n"
			     "mcast_snooping = no\n"
			     "port = * hairpin on\n"
			     "port = eth1 learning off cost 7 priority 5\n"
			     "port = h3:eth0 isolated on\n"
			     "port = h2:eth0 isolated on\n"
			     "[expect]\n"
			     "reach = h1 h2,h3\n"
			     "noreach = h2 h3\n";

static char *port(const char *dev, const char *what)
{
	return capture("bridge -n nslt-br-sw -j -d link show dev %s | jq -r '.[0] | %s'", dev,
		       what);
}

/* ports = eth1 eth2: the links' ends by their own names; settings and
 * flags as bridge(8) and ip(8) show them; isolated ports do not talk. */
static void test_ports_and_settings(void **state)
{
	FILE *f = fopen(BR_INI, "w");
	assert_non_null(f);
	fputs(br_ini, f);
	fclose(f);
	assert_sh(0, "%s up " BR_INI " >/dev/null", nslab());
	_cleanup_free_ char *m1 =
	    port("eth1", "\"\\(.master) \\(.learning) \\(.hairpin) \\(.cost) \\(.priority)\"");
	assert_string_equal(m1, "br0 false true 7 5");
	_cleanup_free_ char *m2 =
	    port("eth2", "\"\\(.master) \\(.learning) \\(.hairpin) \\(.isolated)\"");
	assert_string_equal(m2, "br0 true true true");
	/* h3's end, named by nslab: the '*' line and NODE:IF reach it too */
	_cleanup_free_ char *m3 = port("h3-eth0", "\"\\(.master) \\(.hairpin) \\(.isolated)\"");
	assert_string_equal(m3, "br0 true true");
	_cleanup_free_ char *br =
	    capture("ip -d -j -n nslt-br-sw link show br0 | jq -r '.[0].linkinfo.info_data | "
		    "\"\\(.ageing_time) \\(.forward_delay) \\(.mcast_snooping)\"'");
	assert_string_equal(br, "12000 400 0");
	/* h1 reaches both; h2 and h3 are isolated from each other */
	assert_sh(0, "%s check nslt-br", nslab());
	assert_sh(0, "%s diff nslt-br", nslab());
	_cleanup_free_ char *shown = capture("%s show nslt-br sw", nslab());
	assert_non_null(strstr(shown, "ageing_time 120s; forward_delay 4s; mcast_snooping no"));
	assert_non_null(
	    strstr(shown, "port-learning off; port-hairpin on; port-cost 7; port-priority 5"));
	/* a change by hand is found */
	assert_sh(0, "bridge -n nslt-br-sw link set dev eth1 learning on");
	assert_sh(0,
		  "%s diff nslt-br | grep -qx \"sw  *eth1 port-learning 'off': in the file, not in "
		  "the kernel\"",
		  nslab());
	/* save writes ports by name and each port's settings; the saved lab
	 * is the same */
	assert_sh(0, "bridge -n nslt-br-sw link set dev eth1 learning off");
	_cleanup_free_ char *saved =
	    capture("%s save nslt-br -n nslt-br2 2>/dev/null | tee " SAVED, nslab());
	assert_non_null(strstr(saved, "\nports = eth1 eth2 h3-eth0\n"));
	assert_non_null(strstr(saved, "\nport = eth1 learning off hairpin on cost 7 priority 5\n"));
	assert_non_null(strstr(saved, "\nport = h3-eth0 hairpin on isolated on\n"));
	assert_non_null(strstr(saved, "\nageing_time = 120s\n"));
	assert_sh(0,
		  "%s up " SAVED " >/dev/null && %s diff nslt-br2 " SAVED " && %s check nslt-br2",
		  nslab(), nslab(), nslab());
	assert_sh(0, "%s down nslt-br2 >/dev/null", nslab());
	assert_sh(0, "%s down nslt-br >/dev/null", nslab());
	assert_lab_gone("nslt-br");
	assert_lab_gone("nslt-br2");
	/* the plan builds the same */
	assert_sh(0, "%s plan " BR_INI " | sh && %s diff nslt-br " BR_INI, nslab(), nslab());
	assert_sh(0, "%s down nslt-br >/dev/null", nslab());
	assert_lab_gone("nslt-br");
}

/* link = h1:eth0 lan:p1 names a switch bridge's port; a port line finds
 * it by that name, and save keeps it. */
static void test_named_switch_port(void **state)
{
	FILE *f = fopen(BR_INI, "w");
	assert_non_null(f);
	fputs("[lab]\nname = nslt-br\n[bridge lan]\nport = p1 hairpin on\n"
	      "[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = 10.0.0.2/24 dev eth0\n"
	      "[links]\nlink = h1:eth0 lan:p1\nlink = h2:eth0 lan\n[expect]\nreach = h1 h2\n",
	      f);
	fclose(f);
	assert_sh(0, "%s up " BR_INI " >/dev/null", nslab());
	_cleanup_free_ char *p1 = capture("bridge -n nslt-br-.sw -j -d link show dev p1 | jq -r "
					  "'.[0] | \"\\(.master) \\(.hairpin)\"'");
	assert_string_equal(p1, "lan true");
	assert_sh(
	    0, "ip -n nslt-br-.sw link show h2-eth0 >/dev/null"); /* the other keeps nslab's name */
	assert_sh(0, "%s check nslt-br >/dev/null", nslab());
	_cleanup_free_ char *saved =
	    capture("%s save nslt-br -n nslt-br2 2>/dev/null | tee " SAVED, nslab());
	assert_non_null(strstr(saved, "\nlink = h1:eth0 lan:p1\n"));
	assert_non_null(strstr(saved, "\nlink = h2:eth0 lan\n"));
	assert_non_null(strstr(saved, "\nport = p1 hairpin on\n"));
	assert_sh(0,
		  "%s down nslt-br >/dev/null && %s up " SAVED
		  " >/dev/null && %s diff nslt-br2 " SAVED,
		  nslab(), nslab(), nslab());
	assert_sh(0, "%s down nslt-br2 >/dev/null", nslab());
	assert_lab_gone("nslt-br");
	assert_lab_gone("nslt-br2");
}

/* VXLAN in a bridge: the static flood list carries broadcasts; without it
 * h1 still reaches h2 because the bridge answers ARP (neigh_suppress)
 * from its neighbour entries and the static FDB entries carry the rest;
 * without suppression too, nothing answers h1's ARP. */
static void test_evpn_static(void **state)
{
	const char *t = "topologies/evpn-static.ini";
	assert_sh(0, "cd %s && %s test %s >/dev/null", srcdir(), nslab(), t);
	assert_sh(0, "cd %s && %s up %s >/dev/null", srcdir(), nslab(), t);
	_cleanup_free_ char *vx =
	    capture("bridge -n evpn-static-vtep1 -j -d link show dev vxlan100 | jq -r "
		    "'.[0] | \"\\(.master) \\(.learning) \\(.neigh_suppress)\"'");
	assert_string_equal(vx, "br0 false true");
	_cleanup_free_ char *fdb =
	    capture("bridge -n evpn-static-vtep1 -j fdb show dev vxlan100 | jq -r "
		    "'[.[] | select(.dst == \"192.168.0.2\") | .mac] | sort | join(\" \")'");
	assert_string_equal(fdb, "00:00:00:00:00:00 02:00:00:00:01:12");
	assert_sh(0, "%s diff evpn-static", nslab());
	assert_sh(0, "%s down evpn-static >/dev/null", nslab());
	assert_sh(0,
		  "cd %s && sed '/00:00:00:00:00:00/d' %s > " EVPN_NOFLOOD
		  " && sed 's/neigh_suppress on/neigh_suppress off/' " EVPN_NOFLOOD
		  " > " EVPN_NOSUP,
		  srcdir(), t);
	assert_sh(0, "%s test " EVPN_NOFLOOD " >/dev/null", nslab());
	assert_sh(1, "%s test " EVPN_NOSUP " >/dev/null", nslab());
	assert_lab_gone("evpn-static");
}

/* topologies/vlan.ini: VLAN filtering and 802.1Q, where the kernel has them */
static void test_vlan_on_this_kernel(void **state)
{
	_cleanup_free_ char *out =
	    capture("%s up %s/topologies/vlan.ini 2>&1; echo rc=$?", nslab(), srcdir());
	if (strstr(out, "kernel lacks")) {
		/* refused before anything is made, naming the line */
		assert_non_null(strstr(
		    out, "kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): "
			 "bridge 'br0' asks for 'vlan_filtering = yes' ("));
		assert_non_null(strstr(out, "vlan.ini:53); nothing was created\nrc=1"));
		assert_lab_gone("vlan");
		diag("skipped: kernel lacks bridge VLAN filtering and 8021q; tests/vm/vlan.sh runs "
		     "them on Debian's kernel");
		free(steal_pointer(&out));
		skip();
	}
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "%s check vlan", nslab());
	assert_sh(0, "%s down vlan >/dev/null", nslab());
	assert_lab_gone("vlan");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_ports_and_settings, teardown),
	    cmocka_unit_test_teardown(test_named_switch_port, teardown),
	    cmocka_unit_test_teardown(test_evpn_static, teardown),
	    cmocka_unit_test_teardown(test_vlan_on_this_kernel, teardown),
	};
	return cmocka_run_group_tests_name("bridges", tests, require_root, NULL);
}
