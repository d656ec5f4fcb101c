// SPDX-License-Identifier: MIT
/* Kubernetes network models: pods reach pods without NAT, nodes look like
 * real nodes, and a generated 10 x 10 model passes its own rules. */
#include "harness.h"

static const char *const models[] = {"flannel-vxlan", "host-gw", "calico-routed"};

/* The pod's address as the destination pod sees it, in a captured echo request. */
static void no_nat(const char *model)
{
	_cleanup_free_ char *out = capture(
		"L=k8s-%1$s; { timeout 8 ip netns exec $L-pod3-2 tcpdump -n -c 1 -i eth0 'icmp[icmptype] == icmp-echo' 2>/dev/null & sleep 0.5;"
		"  %2$s exec $L pod1-1 -- ping -c 2 -i 0.2 -q 10.244.3.3 >/dev/null; wait; }",
		model, nslab());
	if (!strstr(out, "IP 10.244.1.2 > 10.244.3.3: ICMP echo request"))
		diag("%s: %s", model, out);
	assert_non_null(strstr(out, "IP 10.244.1.2 > 10.244.3.3: ICMP echo request"));
}

static void test_models(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		assert_sh(0, "%s up %s/topologies/k8s-%s.ini >/dev/null", nslab(), srcdir(), models[i]);
		_cleanup_free_ char *chk = capture("%s check k8s-%s; echo rc=$?", nslab(), models[i]);
		assert_non_null(strstr(chk, "48 of 48 expectations hold"));
		no_nat(models[i]);
		/* a node reaches a pod of another node */
		assert_sh(0, "%s ping k8s-%s node2 pod1-2 >/dev/null", nslab(), models[i]);
		assert_sh(0, "%s down k8s-%s >/dev/null", nslab(), models[i]);
		_cleanup_free_ char *name = xasprintf("k8s-%s", models[i]);
		assert_lab_gone(name);
	}
}

static void test_calico_objects(void **state)
{
	assert_sh(0, "%s up %s/topologies/k8s-calico-routed.ini >/dev/null", nslab(), srcdir());
	const char *L = "k8s-calico-routed";
	_cleanup_free_ char *pod = capture("ip -j -n %s-pod2-1 route | jq -r '.[] | \"\\(.dst) \\(.gateway) \\(.dev) \\(.scope)\"' | sort", L);
	assert_string_equal(pod, "169.254.1.1 null eth0 link\ndefault 169.254.1.1 eth0 null");
	_cleanup_free_ char *addr = capture("ip -j -n %s-pod2-1 addr show eth0 | jq -r '.[0].addr_info[0] | \"\\(.local)/\\(.prefixlen)\"'", L);
	assert_string_equal(addr, "10.244.2.2/32");
	_cleanup_free_ char *parp = capture("ip netns exec %s-node2 cat /proc/sys/net/ipv4/conf/cali2-1/proxy_arp", L);
	assert_string_equal(parp, "1");
	_cleanup_free_ char *node = capture("ip -j -n %s-node2 route | jq -r '.[] | \"\\(.dst) \\(.gateway) \\(.dev)\"' | sort", L);
	assert_non_null(strstr(node, "10.244.2.2 null cali2-1"));
	assert_non_null(strstr(node, "10.244.2.3 null cali2-2"));
	assert_non_null(strstr(node, "10.244.1.0/24 192.168.0.11 eth0"));
	assert_non_null(strstr(node, "10.244.3.0/24 192.168.0.13 eth0"));
	assert_null(strstr(node, "cni0")); /* no bridge in this model */
	/* the pod's gateway is the node's own MAC, by proxy ARP */
	assert_sh(0, "ip netns exec %s-pod2-1 ping -c1 -W2 -q 10.244.2.3 >/dev/null", L);
	_cleanup_free_ char *gw = capture("ip -j -n %s-pod2-1 neigh show 169.254.1.1 | jq -r '.[0].lladdr'", L);
	_cleanup_free_ char *cali = capture("ip -j -n %s-node2 link show cali2-1 | jq -r '.[0].address'", L);
	assert_string_equal(gw, cali);
	assert_sh(0, "%s down %s >/dev/null", nslab(), L);
	assert_lab_gone(L);
}

/* The host's ARP table is shared by all namespaces: nslab says when a lab
 * may outgrow it; with room (--host-limits gives it where the host has
 * not), a 10 x 10 flannel lab holds all 10900 checks. */
static void test_generated_10x10(void **state)
{
	assert_sh(0, "%s gen k8s --nodes 10 --pods 10 --model flannel-vxlan -o /tmp/nslab-k8s10.ini", nslab());
	_cleanup_free_ char *thresh = capture("sysctl -n net.ipv4.neigh.default.gc_thresh3");
	_cleanup_free_ char *warn = capture("%s up /tmp/nslab-k8s10.ini 2>&1 >/dev/null", nslab());
	if (atoi(thresh) < 1190)
		assert_non_null(strstr(warn, "may need up to 1190 IPv4 neighbour entries"));
	assert_sh(0, "%s down k8s-flannel-vxlan >/dev/null", nslab());
	_cleanup_free_ char *out = capture(
	    "%s test --host-limits --timeout 300 /tmp/nslab-k8s10.ini 2>/dev/null | tail -1; echo rc=$?", nslab());
	bool held = strstr(out, "10900 of 10900 expectations hold") && exit_status(out) == 0;
	diag("%s", out); /* the exit status included */
	assert_true(held);
	assert_lab_gone("k8s-flannel-vxlan");
	unlink("/tmp/nslab-k8s10.ini");
}

static int setup(void **state)
{
	return require_root(state) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(models); i++) /* ours, by name */
		(void)sh("%s down k8s-%s >/dev/null 2>&1", nslab(), models[i]);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_calico_objects),
		cmocka_unit_test(test_generated_10x10),
	};
	return cmocka_run_group_tests_name("k8s", tests, setup, teardown);
}
