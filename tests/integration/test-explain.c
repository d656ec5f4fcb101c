// SPDX-License-Identifier: MIT
/* Understanding a lab, in labs named nslt-xp-*: explain names the path the
 * test knows (router, onlink, VXLAN with its encapsulation, flannel pod to
 * pod) and the cause on broken variants made by hand with ip(8), nft(8)
 * and sysctl(8); diff finds each of a dozen hand-made changes and nothing
 * on an untouched lab; save, up, diff is empty for every scenario, and the
 * saved lab passes its expectations. */
#include "harness.h"

#include <stdlib.h>

/* explain's JSON for A B (more words allowed) in lab, and its exit status
 * in *rc. */
static char *explain_json(const char *lab, const char *args, int *rc)
{
	_cleanup_free_ char *out = capture("%s explain --json %s %s; echo rc=$?", nslab(), lab, args);
	assert_non_null(out);
	*rc = exit_status(out);
	char *nl = strrchr(out, '\n');
	if (nl)
		*nl = '\0';
	return steal_pointer(&out);
}

/* A jq filter over explain's JSON for A B. */
static char *jq(const char *json, const char *filter)
{
	_cleanup_free_ char *path = xasprintf("/tmp/nslt-xp-%d.json", getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	char *r = capture("jq -r '%s' %s", filter, path);
	unlink(path);
	return r;
}

/* The path's steps as "NODE WHAT" words, and the reason it stopped. */
static void expect_path(const char *lab, const char *args, int want_rc, const char *want_hops,
			const char *want_reason)
{
	int rc;
	_cleanup_free_ char *j = explain_json(lab, args, &rc);
	_cleanup_free_ char *hops = jq(j, "[.path.steps[] | select(.depth == 0) | \"\\(.node):\\(.what)\"] | join(\" \")");
	_cleanup_free_ char *reason = jq(j, "[.path.reason, .reply.reason] | map(select(. != null)) | join(\"; \")");
	if (rc != want_rc || !strstr(hops, want_hops) || !strstr(reason, want_reason)) {
		_cleanup_free_ char *text = capture("%s explain %s %s 2>&1", nslab(), lab, args);
		diag("explain %s %s:\n%s", lab, args, text);
		diag("hops: %s\nreason: %s", hops, reason);
	}
	assert_int_equal(rc, want_rc);
	assert_non_null(strstr(hops, want_hops));
	assert_non_null(strstr(reason, want_reason));
}

static void test_router(void **state)
{
	const char *lab = "nslt-xp-router";
	assert_sh(0, "%s up --name %s %s/topologies/router.ini >/dev/null", nslab(), lab, srcdir());
	expect_path(lab, "h1 h2", 0,
		    "h1:route h1:neigh h1:cross r1:route r1:neigh r1:cross h2:deliver", "");
	int rc;
	_cleanup_free_ char *j = explain_json(lab, "h1 h2", &rc);
	_cleanup_free_ char *routes = jq(j, "[.path.steps[] | select(.what == \"route\") | .text] | join(\"|\")");
	assert_string_equal(routes, "default via 10.0.1.1 dev eth0 src 10.0.1.10|10.0.2.0/24 dev eth1");
	_cleanup_free_ char *back = jq(j, ".reply.reached_node");
	assert_string_equal(back, "h1");
	expect_path(lab, "-6 h1 h2", 0, "r1:route", "");
	expect_path(lab, "h1 r1:eth1", 0, "r1:deliver", "");
	expect_path(lab, "h1 10.0.2.10", 0, "h2:deliver", "");

	/* the route back removed: the forward path reaches h2, its reply stops there */
	assert_sh(0, "ip -n %s-h2 route del default via 10.0.2.1", lab);
	expect_path(lab, "h1 h2", 1, "h2:deliver", "Network is unreachable: h2 has no route to 10.0.1.10");
	assert_sh(0, "ip -n %s-h2 route add default via 10.0.2.1", lab);
	/* forwarding off */
	assert_sh(0, "ip netns exec %s-r1 sysctl -qw net.ipv4.ip_forward=0", lab);
	expect_path(lab, "h1 h2", 1, "r1:drop", "forwarding is off in r1");
	_cleanup_free_ char *fix = capture("%s explain %s h1 h2 | grep fix:", nslab(), lab);
	assert_string_equal(fix, "  fix: 'forward = yes' in [node r1]");
	assert_sh(0, "ip netns exec %s-r1 sysctl -qw net.ipv4.ip_forward=1", lab);
	/* lo down: a node's packets to itself go nowhere */
	assert_sh(0, "ip -n %s-h1 link set lo down", lab);
	expect_path(lab, "h1 h1", 1, "h1:drop", "lo is down in h1");
	assert_sh(0, "ip -n %s-h1 link set lo up", lab);
	/* an interface down */
	assert_sh(0, "ip -n %s-r1 link set eth1 down", lab);
	expect_path(lab, "h1 h2", 1, "r1:drop", "eth1 is down in r1");
	assert_sh(0, "%s link %s r1:eth1 up >/dev/null", nslab(), lab);
	/* a gateway off the subnet (onlink makes the kernel take it): nobody answers */
	assert_sh(0, "ip -n %s-h1 route replace default via 10.0.3.1 dev eth0 onlink", lab);
	expect_path(lab, "h1 h2", 1, "h1:drop", "nobody answers ARP for 10.0.3.1 on eth0");
	assert_sh(0, "ip -n %s-h1 route replace default via 10.0.1.1 dev eth0", lab);
	/* rp_filter: r1 would answer h1 by another interface */
	assert_sh(0, "ip netns exec %s-r1 sysctl -qw net.ipv4.conf.all.rp_filter=1 && "
		     "ip -n %s-r1 route add 10.0.1.10/32 dev eth1", lab, lab);
	expect_path(lab, "h1 h2", 1, "r1:drop", "rp_filter in r1 drops it");
	assert_sh(0, "ip -n %s-r1 route del 10.0.1.10/32 dev eth1", lab);
	/* --probe agrees with a real ping, both ways */
	expect_path(lab, "h1 h2 --probe", 0, "h2:deliver", "");
	_cleanup_free_ char *probe = capture("%s explain %s h1 h2 --probe | tail -1", nslab(), lab);
	assert_string_equal(probe, "probe: ping got an answer, as explained");
	assert_sh(0, "ip -n %s-h2 route del default via 10.0.2.1", lab);
	_cleanup_free_ char *probe2 = capture("%s explain %s h1 h2 --probe | tail -1", nslab(), lab);
	assert_string_equal(probe2, "probe: ping got no answer, as explained");
	/* mistakes: a clear error, status 2 or 1 */
	assert_sh(2, "%s explain %s h1 2>/dev/null", nslab(), lab);
	assert_sh(2, "%s explain %s h1 h2 --proto sctp 2>/dev/null", nslab(), lab);
	assert_sh(2, "%s explain %s h1 h2 --port 80 2>/dev/null", nslab(), lab);
	_cleanup_free_ char *bad = capture("%s explain %s h1 nosuch 2>&1; echo rc=$?", nslab(), lab);
	assert_string_equal(bad, "nslab: explain: lab 'nslt-xp-router' has no node 'nosuch'\nrc=1");
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
	assert_lab_gone(lab);
}

static void test_tunnels_and_pods(void **state)
{
	assert_sh(0, "%s up --name nslt-xp-onlink %s/topologies/onlink.ini >/dev/null", nslab(), srcdir());
	int rc;
	_cleanup_free_ char *j = explain_json("nslt-xp-onlink", "h1 h2", &rc);
	assert_int_equal(rc, 0);
	_cleanup_free_ char *r = jq(j, ".path.steps[0].text");
	assert_string_equal(r, "10.0.1.10/31 via 10.0.1.10 dev eth0 onlink src 10.0.0.1");
	assert_sh(0, "%s down nslt-xp-onlink >/dev/null", nslab());

	assert_sh(0, "%s up --name nslt-xp-vx %s/topologies/vxlan.ini >/dev/null", nslab(), srcdir());
	expect_path("nslt-xp-vx", "h1 h3:vx100", 0, "h1:route h1:neigh h1:encap h3:decap h3:deliver", "");
	free(j);
	j = explain_json("nslt-xp-vx", "h1 h3:vx100", &rc);
	_cleanup_free_ char *encap = jq(j, ".path.steps[] | select(.what == \"encap\") | .text");
	assert_non_null(strstr(encap, "VNI 100, UDP 4789"));
	assert_non_null(strstr(encap, "outer 192.168.1.10 -> 192.168.3.10"));
	_cleanup_free_ char *under = jq(j, "[.path.steps[] | select(.depth == 1) | .node] | unique | join(\" \")");
	assert_string_equal(under, "core h1 h3");
	assert_sh(0, "%s down nslt-xp-vx >/dev/null", nslab());

	assert_sh(0, "%s up --name nslt-xp-fl %s/topologies/k8s-flannel-vxlan.ini >/dev/null", nslab(), srcdir());
	expect_path("nslt-xp-fl", "pod1-1 pod2-1", 0,
		    "pod1-1:cross node1:fdb node1:route node1:neigh node1:encap node2:decap node2:route", "");
	free(j);
	j = explain_json("nslt-xp-fl", "pod1-1 pod2-1", &rc);
	_cleanup_free_ char *fe = jq(j, ".path.steps[] | select(.what == \"encap\") | .text");
	assert_non_null(strstr(fe, "flannel.1 wraps it in VXLAN (VNI 1, UDP 8472) to 192.168.0.12 (its FDB entry"));
	_cleanup_free_ char *sw = jq(j, "[.path.steps[] | select(.depth == 1 and .what == \"fdb\") | .node] | join(\" \")");
	assert_string_equal(sw, "(switch)");
	_cleanup_free_ char *rep = jq(j, ".reply.reached_node");
	assert_string_equal(rep, "pod1-1");
	/* flanneld's neighbour entry gone: the MAC is unknown, the FDB has no flood list */
	assert_sh(0, "ip -n nslt-xp-fl-node1 neigh del 10.244.2.0 dev flannel.1");
	expect_path("nslt-xp-fl", "pod1-1 pod2-1", 1, "node1:neigh node1:drop",
		    "flannel.1, VXLAN (VNI 1, UDP 8472), has no FDB entry for the destination and no flood list");
	assert_sh(0, "%s down nslt-xp-fl >/dev/null", nslab());
	assert_lab_gone("nslt-xp-fl");

	/* Calico: the pods' gateway 169.254.1.1 is nobody's; the node answers
	 * for it by proxy ARP on its cali interface */
	assert_sh(0, "%s up --name nslt-xp-ca %s/topologies/k8s-calico-routed.ini >/dev/null", nslab(), srcdir());
	expect_path("nslt-xp-ca", "pod1-1 pod2-1", 0, "pod1-1:cross node1:note node1:route", "");
	free(j);
	j = explain_json("nslt-xp-ca", "pod1-1 pod2-1", &rc);
	_cleanup_free_ char *proxy = jq(j, "[.path.steps[] | select(.what == \"note\") | .text] | join(\"|\")");
	assert_string_equal(proxy, "node1:cali1-1 answers for the next hop by proxy ARP");
	/* without proxy_arp nobody answers */
	assert_sh(0, "ip netns exec nslt-xp-ca-node1 sysctl -qw net.ipv4.conf.cali1-1.proxy_arp=0");
	expect_path("nslt-xp-ca", "pod1-1 pod2-1", 1, "pod1-1:drop", "nobody answers ARP for 169.254.1.1 on eth0");
	assert_sh(0, "%s down nslt-xp-ca >/dev/null", nslab());
	assert_sh(0, "%s up --name nslt-xp-hg %s/topologies/k8s-host-gw.ini >/dev/null", nslab(), srcdir());
	expect_path("nslt-xp-hg", "pod1-1 pod2-1", 0,
		    "node1:route node1:neigh node1:cross (switch):fdb (switch):cross node2:route", "");
	assert_sh(0, "%s down nslt-xp-hg >/dev/null", nslab());
	assert_lab_gone("nslt-xp-ca");
	assert_lab_gone("nslt-xp-hg");
}

static void test_firewall(void **state)
{
	if (sh("command -v nft >/dev/null") != 0) {
		diag("skipped: nft is not installed (scripts/test.sh installs nftables)");
		skip();
	}
	const char *lab = "nslt-xp-nat";
	assert_sh(0, "%s up --name %s %s/topologies/nat.ini >/dev/null", nslab(), lab, srcdir());
	/* out and back: the reply passes as conntrack's established */
	expect_path(lab, "inside outside", 0, "gw:route gw:note gw:firewall", "");
	/* in from outside: the forward chain's policy */
	expect_path(lab, "outside inside", 1, "gw:drop", "chain forward (table filter) ends: its policy drops it");
	/* a rule of its own, found by its handle */
	assert_sh(0, "ip netns exec %s-gw nft insert rule ip filter forward tcp dport 80 counter drop", lab);
	_cleanup_free_ char *handle = capture("ip netns exec %s-gw nft -a list chain ip filter forward | "
					      "sed -n 's/.*tcp dport 80 .* # handle \\([0-9]*\\)/\\1/p'", lab);
	_cleanup_free_ char *want = xasprintf("rule handle %s of chain forward", handle);
	expect_path(lab, "inside outside --proto tcp --port 80", 1, "gw:drop", want);
	expect_path(lab, "inside outside --proto tcp --port 22", 0, "outside:deliver", "");
	expect_path(lab, "inside outside", 0, "outside:deliver", "");
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
	assert_lab_gone(lab);
}

/* Each hand-made change is one line of diff, and nothing else is. */
static void test_diff(void **state)
{
	const char *lab = "nslt-xp-diff";
	assert_sh(0, "%s up --name %s %s/topologies/router.ini >/dev/null", nslab(), lab, srcdir());
	_cleanup_free_ char *same = capture("%s diff %s; echo rc=$?", nslab(), lab);
	assert_string_equal(same, "lab 'nslt-xp-diff' matches its topology\nrc=0");
	assert_sh(0, "ip -n %s-h1 addr add 10.0.1.99/24 dev eth0", lab);			 /* 1 */
	assert_sh(0, "ip -n %s-h2 route del default via 10.0.2.1", lab);			 /* 2 */
	assert_sh(0, "ip -n %s-r1 link set eth1 mtu 1400", lab);				 /* 3 */
	assert_sh(0, "ip netns exec %s-r1 sysctl -qw net.ipv4.ip_forward=0", lab);		 /* 4 */
	assert_sh(0, "ip -n %s-h1 neigh add 10.0.1.77 lladdr 02:00:00:00:00:77 dev eth0 nud permanent", lab); /* 5 */
	assert_sh(0, "ip -n %s-h1 link add extra0 type veth peer name extra1", lab);		 /* 6 */
	assert_sh(0, "tc -n %s-h2 qdisc add dev eth0 root tbf rate 1mbit burst 10k latency 50ms", lab); /* 7 */
	assert_sh(0, "ip -n %s-h1 route add 10.9.0.0/16 via 10.0.1.1", lab);			 /* 8 */
	assert_sh(0, "ip -n %s-h1 route replace default via 10.0.1.1 metric 7", lab);		 /* 9 */
	assert_sh(0, "ip -n %s-r1 link set lo down", lab);					 /* 10 */
	_cleanup_free_ char *d = capture("%s diff %s; echo rc=$?", nslab(), lab);
	const char *want[] = {
		"h1         addr eth0 10.0.1.99/24: in the kernel, not in the file",
		"h2         route default 'via 10.0.2.1': in the file, not in the kernel",
		"r1         eth1 mtu: file '1500', kernel '1400'",
		"r1         sysctl net.ipv4.ip_forward: file '1', kernel '0'",
		"h1         neigh 10.0.1.77 dev eth0 '02:00:00:00:00:77': in the kernel, not in the file",
		"h1         extra0 'veth': in the kernel, not in the file",
		"h2         eth0 impair 'rate 1mbit': in the kernel, not in the file",
		"h1         route 10.9.0.0/16 'via 10.0.1.1 dev eth0': in the kernel, not in the file",
		"h1         route default 'via 10.0.1.1 dev eth0 metric 7': in the kernel, not in the file",
		"r1         lo state: file 'up', kernel 'down'",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		if (!strstr(d, want[i]))
			diag("diff:\n%s\nlacks: %s", d, want[i]);
		assert_non_null(strstr(d, want[i]));
	}
	/* ten changes, eleven lines: extra1 is extra0's other end (the metric 7
	 * default is a second one: the file's is still there) */
	_cleanup_free_ char *n = capture("%s diff --json %s | jq '.changes | length'", nslab(), lab);
	assert_string_equal(n, "11");
	assert_int_equal(exit_status(d), 1);
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);

	/* bridge ports: a static FDB entry, and a port taken out of its bridge */
	const char *lan = "nslt-xp-dlan";
	assert_sh(0, "%s up --name %s %s/topologies/lan.ini >/dev/null", nslab(), lan, srcdir());
	assert_sh(0, "bridge -n %s-.sw fdb add 02:00:00:00:00:42 dev h1-eth0 master static", lan);
	assert_sh(0, "ip -n %s-.sw link set h4-eth0 nomaster", lan);
	_cleanup_free_ char *dl = capture("%s diff %s", nslab(), lan);
	assert_non_null(strstr(dl, "(switch)   fdb 02:00:00:00:00:42 dev h1-eth0: in the kernel, not in the file"));
	assert_non_null(strstr(dl, "(switch)   h4-eth0 master 'lan': in the file, not in the kernel"));
	/* against another file: the lab is not what router.ini says */
	assert_sh(1, "%s diff %s %s/topologies/router.ini >/dev/null", nslab(), lan, srcdir());
	assert_sh(0, "%s down %s >/dev/null", nslab(), lan);
	assert_lab_gone(lan);
}

static bool has_packages_for(const char *t)
{
	if (strstr("ospf bgp rip", t))
		return sh("test -x /usr/lib/frr/zebra") == 0;
	if (streq(t, "dns-tree"))
		return sh("command -v named >/dev/null") == 0;
	if (streq(t, "web") || streq(t, "lb"))
		return sh("command -v apache2 >/dev/null || test -x /usr/sbin/apache2") == 0;
	if (streq(t, "slaac"))
		return sh("command -v radvd >/dev/null") == 0;
	return true;
}

/* save, up, diff is empty for every scenario; the saved lab passes the
 * expectations it carries, and a change by hand is in what save writes. */
static void test_save_every_scenario(void **state)
{
	static const char *const scenarios[] = {
		"two-nodes", "lan", "router", "onlink", "vxlan", "impair", "k8s-flannel-vxlan",
		"k8s-host-gw", "k8s-calico-routed", "dns", "web", "nat", "lb", "dns-tree", "slaac",
		"ospf", "bgp", "rip", "evpn-static",
	};
	unsigned done = 0;
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const char *t = scenarios[i];
		if (!has_packages_for(t)) {
			diag("%s: skipped: its daemons are not installed", t);
			continue;
		}
		char file[128]; /* not the heap: a failed assertion jumps past any cleanup */
		snprintf(file, sizeof(file), "/tmp/nslt-xp-saved-%s.ini", t);
		assert_sh(0, "%s up --name nslt-xp-a %s/topologies/%s.ini >/dev/null", nslab(), srcdir(), t);
		assert_sh(0, "%s diff nslt-xp-a", nslab());
		assert_sh(0, "%s save nslt-xp-a -n nslt-xp-b -o %s 2>/dev/null", nslab(), file);
		/* each [expect] section stays one: a later one runs after the first */
		assert_sh(0, "test $(grep -c '^\\[expect\\]' %s) = $(grep -c '^\\[expect\\]' %s/topologies/%s.ini)",
			  file, srcdir(), t);
		assert_sh(0, "%s down nslt-xp-a >/dev/null", nslab());
		assert_sh(0, "%s up %s >/dev/null", nslab(), file);
		assert_sh(0, "%s diff nslt-xp-b %s", nslab(), file);
		assert_sh(0, "%s check nslt-xp-b", nslab()); /* what failed is quoted if it does */
		assert_sh(0, "%s down nslt-xp-b >/dev/null", nslab());
		unlink(file);
		done++;
	}
	diag("%u scenarios saved, rebuilt and compared", done);
	assert_lab_gone("nslt-xp-a");
	assert_lab_gone("nslt-xp-b");

	/* hand changes go into the saved file, and come back with it */
	assert_sh(0, "%s up --name nslt-xp-a %s/topologies/router.ini >/dev/null", nslab(), srcdir());
	assert_sh(0, "ip -n nslt-xp-a-h1 addr add 10.0.1.99/24 dev eth0 && "
		     "ip -n nslt-xp-a-h1 route add 10.9.0.0/16 via 10.0.1.1 && "
		     "ip -n nslt-xp-a-r1 link set eth1 mtu 1400 && ip -n nslt-xp-a-h2 link set eth0 mtu 1400");
	_cleanup_free_ char *saved = capture("%s save nslt-xp-a -n nslt-xp-b 2>/dev/null", nslab());
	assert_non_null(strstr(saved, "\naddr = 10.0.1.99/24 dev eth0\n"));
	assert_non_null(strstr(saved, "\nroute = 10.9.0.0/16 via 10.0.1.1 dev eth0\n"));
	assert_non_null(strstr(saved, "\niface = eth1 mtu 1400 mac "));
	assert_sh(0, "%s save nslt-xp-a -n nslt-xp-b -o /tmp/nslt-xp-b.ini 2>/dev/null", nslab());
	assert_sh(0, "%s up /tmp/nslt-xp-b.ini >/dev/null && %s diff nslt-xp-b /tmp/nslt-xp-b.ini >/dev/null",
		  nslab(), nslab());
	assert_sh(0, "ip -j -n nslt-xp-b-r1 link show eth1 | jq -e '.[0].mtu == 1400' >/dev/null");
	/* save of a lab that is not up; -o into a folder that is not there */
	assert_sh(1, "%s save nslt-xp-nosuch 2>/dev/null", nslab());
	_cleanup_free_ char *file_not_lab = capture("%s save %s/topologies/router.ini 2>&1 | head -1", nslab(), srcdir());
	assert_non_null(strstr(file_not_lab, "is a file, not a running lab; to write to it: save -o "));
	assert_sh(1, "%s save nslt-xp-a -o /nonexistent/x.ini 2>/dev/null", nslab());
	assert_sh(0, "%s down nslt-xp-a >/dev/null && %s down nslt-xp-b >/dev/null", nslab(), nslab());
	unlink("/tmp/nslt-xp-b.ini");
	assert_lab_gone("nslt-xp-a");
	assert_lab_gone("nslt-xp-b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_tunnels_and_pods),
		cmocka_unit_test(test_firewall),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_save_every_scenario),
	};
	return cmocka_run_group_tests_name("explain", tests, require_root, NULL);
}
