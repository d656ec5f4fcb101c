// SPDX-License-Identifier: MIT
/* Policy routing and VRFs. Rules and routing tables work on this host's
 * kernel: a node with two uplinks sends what comes from one subnet the
 * other way, proved by `ip route get ... from`, by the packet counters of
 * the two paths and by `ip -j rule show`; diff, save and `plan | sh` agree.
 * The host lacks the vrf module: `up` of topologies/vrf.ini is refused
 * before anything is made (tests/vm/vrf.sh runs it on Debian's kernel). */
#include "harness.h"

#define LAB "nslt-vrf-policy"
#define TOPO "/tmp/" LAB ".ini"
#define H "ip -n " LAB "-h "

/* h's uplinks: eth0 to a, eth1 to b; both routers reach srv on one LAN.
 * What comes from 10.0.1.0/24 (h's eth0 address) looks up table 100,
 * whose default goes through b; everything else through a. srv answers
 * 10.0.1.0/24 through b too, so each path is symmetric. */
static const char policy_ini[] = "[lab]\n"
				 "name = " LAB "\n"
				 "[node h]\n"
				 "addr = 10.0.1.10/24 dev eth0\n"
				 "addr = 10.0.2.10/24 dev eth1\n"
				 "route = default via 10.0.1.1\n"
				 "route = default via 10.0.2.1 table 100\n"
				 "rule = from 10.0.1.0/24 lookup 100 priority 100\n"
				 "rule = fwmark 0x10/0xff lookup 100\n"
				 "rule = -6 iif eth1 lookup main priority 200\n"
				 "[node a]\n"
				 "forward = yes\n"
				 "addr = 10.0.1.1/24 dev eth0\n"
				 "addr = 10.0.9.1/24 dev eth1\n"
				 "route = 10.0.2.0/24 via 10.0.1.10\n"
				 "[node b]\n"
				 "forward = yes\n"
				 "addr = 10.0.2.1/24 dev eth0\n"
				 "addr = 10.0.9.2/24 dev eth1\n"
				 "route = 10.0.1.0/24 via 10.0.2.10\n"
				 "[node srv]\n"
				 "addr = 10.0.9.10/24 dev eth0\n"
				 "route = default via 10.0.9.1\n"
				 "route = 10.0.1.0/24 via 10.0.9.2\n"
				 "[bridge lan]\n"
				 "[links]\n"
				 "link = h:eth0 a:eth0\n"
				 "link = h:eth1 b:eth0\n"
				 "link = a:eth1 lan\n"
				 "link = b:eth1 lan\n"
				 "link = srv:eth0 lan\n"
				 "[expect]\n"
				 "reach = h srv\n";

static int teardown(void **state)
{
	(void)sh("%s down " LAB " >/dev/null 2>&1; %s down " LAB "2 >/dev/null 2>&1; "
		 "%s down nslt-vrf >/dev/null 2>&1; rm -f " TOPO " /tmp/" LAB "2.ini",
		 nslab(), nslab(), nslab());
	return 0;
}

static void write_topology(void)
{
	FILE *f = fopen(TOPO, "we");
	assert_non_null(f);
	fputs(policy_ini, f);
	assert_int_equal(fclose(f), 0);
}

/* Packets received by node's eth0, from the kernel's counters. */
static long rx_packets(const char *node)
{
	_cleanup_free_ char *n =
	    capture("ip -s -j -n " LAB "-%s link show eth0 | jq '.[0].stats64.rx.packets'", node);
	return n ? atol(n) : -1;
}

/* Pings from h with source src; returns how many more packets a's and
 * b's link from h received. */
static void ping_from(const char *src, long *ret_a, long *ret_b)
{
	long a = rx_packets("a"), b = rx_packets("b");
	assert_sh(0, "ip netns exec " LAB "-h ping -q -c 5 -i 0.1 -W 2 -I %s 10.0.9.10 >/dev/null",
		  src);
	*ret_a = rx_packets("a") - a;
	*ret_b = rx_packets("b") - b;
}

static void test_policy_routing(void **state)
{
	long a, b;

	write_topology();
	assert_sh(0, "%s up " TOPO " >/dev/null", nslab());
	/* the kernel's rules: ours with the priorities given or chosen */
	assert_sh(0, H "-j rule show | jq -e 'any(.[]; .priority == 100 and .src == \"10.0.1.0\" "
		       "and .srclen == 24 and .table == \"100\")' >/dev/null");
	assert_sh(0, H "-j rule show | jq -e 'any(.[]; .fwmark == \"0x10\" and .fwmask == \"0xff\" "
		       "and .table == \"100\" and .priority < 100)' >/dev/null");
	assert_sh(0, H "-6 -j rule show | jq -e 'any(.[]; .priority == 200 and .iif == \"eth1\" "
		       "and .table == \"main\")' >/dev/null");
	assert_sh(0, H "-j route show table 100 | jq -e '.[0].dst == \"default\" and "
		       ".[0].gateway == \"10.0.2.1\"' >/dev/null");
	/* the lookup: from 10.0.1.10 through b, else through a; a mark too */
	assert_sh(0, H "-j route get 10.0.9.10 from 10.0.1.10 | jq -e '.[0].dev == \"eth1\" and "
		       ".[0].gateway == \"10.0.2.1\" and .[0].table == \"100\"' >/dev/null");
	assert_sh(0, H "-j route get 10.0.9.10 | jq -e '.[0].dev == \"eth0\" and "
		       ".[0].gateway == \"10.0.1.1\"' >/dev/null");
	assert_sh(0,
		  H "-j route get 10.0.9.10 mark 0x110 | jq -e '.[0].dev == \"eth1\"' >/dev/null");
	/* and the packets: each source's five echo requests go its own way */
	ping_from("10.0.1.10", &a, &b);
	diag("from 10.0.1.10: a received %ld, b %ld packets", a, b);
	assert_true(b >= 5);
	assert_true(a < 5);
	ping_from("10.0.2.10", &a, &b);
	diag("from 10.0.2.10: a received %ld, b %ld packets", a, b);
	assert_true(a >= 5);
	assert_true(b < 5);
	assert_sh(0, "%s check " LAB " >/dev/null", nslab());
}

static void test_policy_diff_save(void **state)
{
	write_topology();
	assert_sh(0, "%s up " TOPO " >/dev/null", nslab());
	assert_sh(0, "%s diff " LAB " >/dev/null", nslab());
	/* save names every rule with its priority and the route's table */
	assert_sh(0, "%s save " LAB " -n " LAB "2 -o /tmp/" LAB "2.ini 2>/dev/null", nslab());
	assert_sh(0,
		  "grep -qx 'rule = from 10.0.1.0/24 lookup 100 priority 100' /tmp/" LAB "2.ini");
	assert_sh(0, "grep -qx 'rule = -6 iif eth1 lookup main priority 200' /tmp/" LAB "2.ini");
	assert_sh(0, "grep -q '^rule = fwmark 0x10/0xff lookup 100 priority ' /tmp/" LAB "2.ini");
	assert_sh(0,
		  "grep -qx 'route = default via 10.0.2.1 dev eth1 table 100' /tmp/" LAB "2.ini");
	assert_sh(0, "%s up /tmp/" LAB "2.ini >/dev/null && %s diff " LAB "2 " TOPO " >/dev/null",
		  nslab(), nslab());
	assert_sh(0, "%s down " LAB "2 >/dev/null", nslab());
	/* changes by hand: a rule gone, one and a route in table 100 more */
	assert_sh(0, H "rule del priority 100 && " H
		       "rule add to 10.8.0.0/16 lookup 200 pref 300 && " H
		       "route add 10.7.0.0/16 via 10.0.2.1 table 100");
	_cleanup_free_ char *out = capture("%s diff " LAB " 2>&1; echo rc=$?", nslab());
	if (exit_status(out) != 1 || !strstr(out, "3 differences"))
		diag("%s", out);
	assert_int_equal(exit_status(out), 1);
	assert_non_null(strstr(
	    out,
	    "rule from 10.0.1.0/24 lookup 100 'priority 100': in the file, not in the kernel"));
	assert_non_null(strstr(
	    out, "rule to 10.8.0.0/16 lookup 200 'priority 300': in the kernel, not in the file"));
	assert_non_null(strstr(
	    out,
	    "route 10.7.0.0/16 table 100 'via 10.0.2.1 dev eth1': in the kernel, not in the file"));
	assert_non_null(strstr(out, "3 differences"));
	assert_sh(0, "%s down " LAB " >/dev/null", nslab());
	assert_lab_gone(LAB);
	/* the printed plan builds the same */
	assert_sh(0, "%s plan " TOPO " | sh >/dev/null 2>&1", nslab());
	assert_sh(0, "%s diff " LAB " " TOPO " >/dev/null", nslab());
	assert_sh(0, "%s down " LAB " >/dev/null", nslab());
	assert_lab_gone(LAB);
}

static void test_vrf_on_this_kernel(void **state)
{
	_cleanup_free_ char *before = capture("ip netns list");
	_cleanup_free_ char *out = capture(
	    "%s up --name nslt-vrf %s/topologies/vrf.ini 2>&1; echo rc=$?", nslab(), srcdir());
	if (strstr(out, "kernel lacks")) {
		/* the required refusal: before anything is created */
		assert_string_equal(out,
				    "nslab: up 'nslt-vrf' failed: kernel lacks VRF support (module "
				    "vrf); nothing was created\nrc=1");
		_cleanup_free_ char *after = capture("ip netns list");
		assert_string_equal(before, after);
		assert_lab_gone("nslt-vrf");
		diag("skipped: kernel lacks vrf; tests/vm/vrf.sh runs the lab on Debian's kernel");
		return;
	}
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "ip -d -j -n nslt-vrf-r link show red | jq -e '.[0].linkinfo.info_data.table "
		     "== 10' >/dev/null");
	assert_sh(0, "%s check nslt-vrf >/dev/null", nslab());
	assert_sh(0, "%s diff nslt-vrf >/dev/null", nslab());
	assert_sh(0, "%s down nslt-vrf >/dev/null", nslab());
	assert_lab_gone("nslt-vrf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_policy_routing, teardown),
	    cmocka_unit_test_teardown(test_policy_diff_save, teardown),
	    cmocka_unit_test_teardown(test_vrf_on_this_kernel, teardown),
	};
	return cmocka_run_group_tests_name("vrf", tests, require_root, NULL);
}
