// SPDX-License-Identifier: MIT
/* VXLAN on this host; GRE where the kernel has it (else its refusal, and
 * the VM suite does the rest). */
#include "harness.h"

static int teardown(void **state)
{
	(void)sh("%s down vxlan >/dev/null; %s down k8s-flannel-vxlan >/dev/null; %s down vx2 >/dev/null; "
		 "%s down gre >/dev/null; rm -f /tmp/nslab-vx2.ini",
		 nslab(), nslab(), nslab(), nslab());
	return 0;
}

static char *vx(const char *ns, const char *dev, const char *expr)
{
	return capture("ip -d -j -n %s link show %s | jq -r '.[0] | %s'", ns, dev, expr);
}

/* three members: VNI, port 4789 (not the kernel's 8472), head-end replication */
static void test_vxlan_segment(void **state)
{
	assert_sh(0, "%s up %s/topologies/vxlan.ini >/dev/null", nslab(), srcdir());
	_cleanup_free_ char *info = vx("vxlan-h1", "vx100",
		"\"\\(.linkinfo.info_data.id) \\(.linkinfo.info_data.port) \\(.linkinfo.info_data.local) \\(.linkinfo.info_data.learning) \\(.linkinfo.info_data.link) \\(.mtu)\"");
	assert_string_equal(info, "100 4789 192.168.1.10 true eth0 1450");
	_cleanup_free_ char *flood = capture(
		"bridge -j -n vxlan-h1 fdb show dev vx100 | jq -r '[.[] | select(.mac == \"00:00:00:00:00:00\") | .dst] | sort | join(\" \")'");
	assert_string_equal(flood, "192.168.2.10 192.168.3.10");
	for (int a = 1; a <= 3; a++)
		for (int b = 1; b <= 3; b++)
			if (a != b)
				assert_sh(0, "ip netns exec vxlan-h%d ping -c1 -W2 -q 10.100.0.%d >/dev/null", a, b);
	/* the overlay really is UDP 4789 on the underlay */
	_cleanup_free_ char *cap = capture(
		"{ timeout 5 ip netns exec vxlan-core tcpdump -n -c 1 -i eth1 udp port 4789 2>/dev/null & sleep 0.5;"
		"  ip netns exec vxlan-h1 ping -c 2 -i 0.2 -q 10.100.0.2 >/dev/null; wait; }");
	assert_non_null(strstr(cap, "VXLAN, flags [I] (0x08), vni 100"));
	assert_sh(0, "%s down vxlan >/dev/null", nslab());
	assert_lab_gone("vxlan");
}

/* two members: point to point with 'remote', no flood entries */
static void test_vxlan_p2p(void **state)
{
	FILE *f = fopen("/tmp/nslab-vx2.ini", "we");
	assert_non_null(f);
	fputs("[lab]\nname = vx2\n[node a]\naddr = 192.0.2.1/24 dev eth0\naddr = 10.50.0.1/24 dev vx7\n"
	      "[node b]\naddr = 192.0.2.2/24 dev eth0\naddr = 10.50.0.2/24 dev vx7\n[links]\n"
	      "link = a:eth0 b:eth0 mtu 9000\n[vxlan vx7]\nvni = 7\ndev = eth0\nmembers = a b\nttl = 9\n",
	      f);
	fclose(f);
	assert_sh(0, "%s up /tmp/nslab-vx2.ini >/dev/null", nslab());
	_cleanup_free_ char *info = vx("vx2-a", "vx7",
		"\"\\(.linkinfo.info_data.remote) \\(.linkinfo.info_data.ttl) \\(.linkinfo.info_data.port) \\(.mtu)\"");
	assert_string_equal(info, "192.0.2.2 9 4789 8950");
	/* one all-zero entry: the kernel's own for 'remote', none of ours */
	_cleanup_free_ char *fdb = capture(
		"bridge -j -n vx2-a fdb show dev vx7 | jq -r '[.[] | select(.mac == \"00:00:00:00:00:00\") | .dst] | join(\" \")'");
	assert_string_equal(fdb, "192.0.2.2");
	assert_sh(0, "ip netns exec vx2-a ping -c1 -W2 -q 10.50.0.2 >/dev/null");
	assert_sh(0, "%s down vx2 >/dev/null", nslab());
	assert_lab_gone("vx2");
}

/* flannel's flannel.1: port 8472, nolearning, its MAC, static FDB and neighbours */
static void test_vxlan_flannel(void **state)
{
	assert_sh(0, "%s up %s/topologies/k8s-flannel-vxlan.ini >/dev/null", nslab(), srcdir());
	_cleanup_free_ char *info = vx("k8s-flannel-vxlan-node1", "flannel.1",
		"\"\\(.linkinfo.info_data.id) \\(.linkinfo.info_data.port) \\(.linkinfo.info_data.learning) \\(.address)\"");
	assert_string_equal(info, "1 8472 false 02:f1:00:00:00:01");
	_cleanup_free_ char *fdb = capture(
		"bridge -j -n k8s-flannel-vxlan-node1 fdb show dev flannel.1 | jq -r '[.[] | select(.dst != null) | \"\\(.mac)=\\(.dst)\"] | sort | join(\" \")'");
	assert_string_equal(fdb, "02:f1:00:00:00:02=192.168.0.12 02:f1:00:00:00:03=192.168.0.13");
	_cleanup_free_ char *neigh = capture(
		"ip -j -n k8s-flannel-vxlan-node1 neigh show dev flannel.1 | jq -r '[.[] | \"\\(.dst)=\\(.lladdr)=\\(.state[0])\"] | sort | join(\" \")'");
	assert_string_equal(neigh, "10.244.2.0=02:f1:00:00:00:02=PERMANENT 10.244.3.0=02:f1:00:00:00:03=PERMANENT");
	assert_sh(0, "%s down k8s-flannel-vxlan >/dev/null", nslab());
	assert_lab_gone("k8s-flannel-vxlan");
}

static void test_gre_on_this_kernel(void **state)
{
	_cleanup_free_ char *out = capture("%s up %s/topologies/gre.ini 2>&1; echo rc=$?", nslab(), srcdir());
	if (strstr(out, "kernel lacks")) {
		/* the required refusal: before anything is created */
		assert_string_equal(out, "nslab: up 'gre' failed: kernel lacks GRE support (module ip_gre); "
					 "nothing was created\nrc=1");
		assert_lab_gone("gre");
		return;
	}
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "ip netns exec gre-h1 ping -c1 -W2 -q 10.2.0.10 >/dev/null");
	assert_sh(0, "%s down gre >/dev/null", nslab());
	assert_lab_gone("gre");
}

static void test_gre_traffic(void **state)
{
	_cleanup_free_ char *out = capture("%s up %s/topologies/gre.ini 2>&1; echo rc=$?", nslab(), srcdir());
	if (strstr(out, "kernel lacks")) {
		diag("skipped: kernel lacks ip_gre; the VM suite (tests/vm) runs GRE on Debian's kernel");
		free(steal_pointer(&out)); /* skip() jumps past the cleanup */
		skip();
	}
	_cleanup_free_ char *info = vx("gre-r1", "gre1",
		"\"\\(.linkinfo.info_data.local) \\(.linkinfo.info_data.remote) \\(.linkinfo.info_data.ttl)\"");
	assert_string_equal(info, "172.16.1.2 172.16.2.2 255");
	assert_sh(0, "%s check gre >/dev/null", nslab());
	assert_sh(0, "%s down gre >/dev/null", nslab());
	assert_lab_gone("gre");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_vxlan_segment, teardown),
		cmocka_unit_test_teardown(test_vxlan_p2p, teardown),
		cmocka_unit_test_teardown(test_vxlan_flannel, teardown),
		cmocka_unit_test_teardown(test_gre_on_this_kernel, teardown),
		cmocka_unit_test_teardown(test_gre_traffic, teardown),
	};
	return cmocka_run_group_tests_name("tunnels", tests, require_root, NULL);
}
