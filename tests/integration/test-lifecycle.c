// SPDX-License-Identifier: MIT
/* nslab up / down / ls / show on real namespaces. Every test leaves the
 * machine as it found it, and asserts so. */
#include "harness.h"

#include "parse.h"

static char *root_before;

static int group_setup(void **state)
{
	if (require_root(state) < 0)
		return -1;
	root_before = root_snapshot();
	return 0;
}

static int group_teardown(void **state)
{
	_cleanup_free_ char *after = root_snapshot();
	/* the labs these tests make, by name: never another's */
	(void)sh("for l in attrs conca concb lan router sysc two-nodes twosw v6p; do %s down $l; done >/dev/null 2>&1",
		 nslab());
	if (root_before && !streq(root_before, after))
		diag("root namespace changed:\nbefore: %s\nafter: %s", root_before, after);
	int same = root_before && streq(root_before, after);
	free(root_before);
	return same ? 0 : -1;
}

/* Cleanup that runs when a test fails half-way. */
static int lab_teardown(void **state)
{
	const char *name = *state;
	if (name)
		(void)sh("%s down %s >/dev/null 2>&1", nslab(), name);
	return 0;
}

static int conflict_teardown(void **state)
{
	(void)sh("ip netns del router-r1 2>/dev/null");
	return lab_teardown(state);
}

static void write_topology(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *topo(const char *name)
{
	return xasprintf("%s/topologies/%s.ini", srcdir(), name);
}

static void assert_root_unchanged(void)
{
	_cleanup_free_ char *now = root_snapshot();
	assert_string_equal(root_before, now);
}

/* The kernel has what the topology says: addresses, interfaces up and
 * enslaved, routes. */
static void assert_matches_topology(const struct topo_lab *lab)
{
	char buf[IPADDR_STRLEN], gw[IPADDR_STRLEN];

	vec_foreach(np, &lab->nodes)
	{
		const struct topo_node *n = *np;
		vec_foreach(ip, &n->ifaces)
		{
			const struct topo_iface *i = *ip;
			_cleanup_free_ char *up = capture(
				"ip -j -n %s link show dev %s | jq -r '.[0].flags | index(\"UP\") != null'",
				n->netns, i->name);
			assert_string_equal(up, "true");
			if (i->master) {
				_cleanup_free_ char *m = capture(
					"ip -j -n %s link show dev %s | jq -r '.[0].master'", n->netns,
					i->name);
				assert_string_equal(m, i->master->name);
			}
		}
		vec_foreach(a, &n->addrs)
		{
			_cleanup_free_ char *have = capture(
				"ip -j -n %s addr show dev %s | jq -r '.[0].addr_info[] | \"\\(.local)/\\(.prefixlen)\"'",
				n->netns, a->ifname);
			assert_non_null(strstr(have, ipaddr_cidr(&a->local, buf)));
		}
		vec_foreach(r, &n->routes)
		{
			const char *dst = r->dst.len ? ipaddr_cidr(&r->dst, buf) : "default";
			_cleanup_free_ char *have = capture(
				"ip -j -n %s %s route show %s | jq -r '.[] | \"\\(.gateway) \\(.dev) \\(.flags)\"'",
				n->netns, r->dst.family == AF_INET6 ? "-6" : "-4", dst);
			if (r->has_via)
				assert_non_null(strstr(have, ipaddr_str(&r->via, gw)));
			if (r->ifname)
				assert_non_null(strstr(have, r->ifname));
			if (r->onlink)
				assert_non_null(strstr(have, "onlink"));
		}
	}
}

/* Every node reaches every IPv4 and IPv6 address of every other node. */
static void assert_all_ping(const struct topo_lab *lab)
{
	char buf[IPADDR_STRLEN];

	vec_foreach(ap, &lab->nodes) vec_foreach(bp, &lab->nodes)
	{
		if (*ap == *bp || (*ap)->is_switch || (*bp)->is_switch)
			continue;
		vec_foreach(a, &(*bp)->addrs)
		{
			int r = sh("ip netns exec %s ping -c 1 -W 2 -q %s >/dev/null",
				   (*ap)->netns, ipaddr_str(&a->local, buf));
			if (r)
				printf("# %s cannot reach %s (%s)\n", (*ap)->name, buf, (*bp)->name);
			assert_int_equal(r, 0);
		}
	}
}

static char *lab_snapshot(const struct topo_lab *lab)
{
	struct sbuf b = {0};
	vec_foreach(np, &lab->nodes)
	{
		_cleanup_free_ char *s = netns_snapshot((*np)->netns);
		sbuf_addf(&b, "== %s\n%s\n", (*np)->netns, s);
	}
	return sbuf_steal(&b);
}

static void scenario(void **state, const char *name)
{
	_cleanup_free_ char *file = topo(name);
	struct diag d = {0};
	int e = 0;
	struct topo_lab *lab = topo_load(file, &d, &e);

	*state = (void *)name;
	assert_non_null(lab);
	assert_sh(0, "%s up %s >/dev/null", nslab(), file);
	assert_matches_topology(lab);
	assert_all_ping(lab);
	if (lab->switch_node) {
		/* the switch learnt every host's MAC */
		vec_foreach(np, &lab->nodes)
		{
			if ((*np)->is_switch)
				continue;
			_cleanup_free_ char *mac = capture(
				"ip -j -n %s link show dev eth0 | jq -r '.[0].address'", (*np)->netns);
			assert_int_equal(sh("bridge -j -n %s fdb show | jq -e '.[] | select(.mac == \"%s\")' >/dev/null",
					    lab->switch_node->netns, mac), 0);
		}
	}

	/* A process in the lab dies with it. */
	_cleanup_free_ char *pid =
		capture("ip netns exec %s sleep 600 >/dev/null 2>&1 & echo $!", lab->nodes.v[lab->nodes.n - 1]->netns);
	_cleanup_free_ char *built = lab_snapshot(lab);
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab->name);
	assert_lab_gone(lab->name);
	/* gone, or a zombie nobody reaps (PID 1 of some sandboxes) */
	assert_sh(0, "! kill -0 %1$s 2>/dev/null || test \"$(awk '{print $3}' /proc/%1$s/stat)\" = Z", pid);
	assert_root_unchanged();

	/* The printed plan builds the same lab; down finds it by discovery. */
	assert_sh(0, "%s plan %s | sh -e >/dev/null", nslab(), file);
	_cleanup_free_ char *scripted = lab_snapshot(lab);
	if (!streq(built, scripted))
		diag("nslab up:\n%s\nplan | sh:\n%s", built, scripted);
	assert_string_equal(built, scripted);
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab->name);
	assert_lab_gone(lab->name);
	assert_root_unchanged();
	topo_lab_free(lab);
	*state = NULL;
}

static void test_two_nodes(void **state)
{
	scenario(state, "two-nodes");
}
static void test_lan(void **state)
{
	scenario(state, "lan");
}
static void test_router(void **state)
{
	scenario(state, "router");
}
static void test_onlink(void **state)
{
	scenario(state, "onlink");
}

static void test_up_twice_and_replace(void **state)
{
	_cleanup_free_ char *file = topo("two-nodes");
	*state = "two-nodes";
	assert_sh(0, "%s up %s >/dev/null", nslab(), file);
	_cleanup_free_ char *out = capture("%s up %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(out, "lab 'two-nodes' is already up"));
	assert_int_equal(exit_status(out), 1);
	_cleanup_free_ char *ls = capture("%s ls --json | jq -r '.[] | select(.name == \"two-nodes\") | \"\\(.nodes) \\(.links) \\(.state)\"'", nslab());
	assert_string_equal(ls, "2 1 up");
	assert_sh(0, "%s up --replace %s >/dev/null", nslab(), file);
	assert_sh(0, "ip netns exec two-nodes-h1 ping -c1 -W2 -q 10.0.0.2 >/dev/null");
	_cleanup_free_ char *show = capture("%s show --json two-nodes h1 | jq -r '.nodes[0].interfaces[] | select(.name == \"eth0\") | \"\\(.peer) \\(.addresses[0])\"'", nslab());
	assert_string_equal(show, "h2:eth0 10.0.0.1/24");
	assert_sh(0, "%s down two-nodes >/dev/null", nslab());
	_cleanup_free_ char *again = capture("%s down two-nodes; echo rc=$?", nslab());
	assert_string_equal(again, "lab 'two-nodes' is not up; nothing to do\nrc=0");
	assert_lab_gone("two-nodes");
	*state = NULL;
}

/* A failure at every step undoes everything: router has namespace, link,
 * set, address, sysctl and route steps; flannel adds neighbour and FDB. */
static void fail_at_each_step(void **state, const char *name, int min_steps)
{
	_cleanup_free_ char *file = topo(name);
	int i;

	*state = (void *)name;
	for (i = 0; i < 500; i++) {
		_cleanup_free_ char *out =
			capture("NSLAB_TEST_FAIL_STEP=%d %s up %s 2>&1; echo rc=$?", i, nslab(), file);
		if (exit_status(out) == 0)
			break; /* past the last step */
		if (!strstr(out, "injected failure") || exit_status(out) != 1)
			diag("step %d: %s", i, out);
		assert_non_null(strstr(out, "injected failure"));
		assert_int_equal(exit_status(out), 1);
		assert_lab_gone(name);
	}
	printf("# %s: failed each of %d steps\n", name, i);
	assert_true(i >= min_steps);
	assert_sh(0, "%s down %s >/dev/null", nslab(), name);
	assert_lab_gone(name);
	assert_root_unchanged();
	*state = NULL;
}

static void test_fail_at_each_step(void **state)
{
	fail_at_each_step(state, "router", 15);
	fail_at_each_step(state, "k8s-flannel-vxlan", 60);
}

/* MTU, MAC, a bridge inside a node with an address, STP, a permanent
 * neighbour and a static FDB entry on a bridge port. */
static void test_attributes(void **state)
{
	const char *t =
		"[lab]\nname = attrs\n[node r]\naddr = 10.8.0.1/24 dev br0\n"
		"neigh = 10.8.0.99 lladdr 02:00:00:00:00:99 dev br0\n"
		"fdb = 02:00:00:00:00:77 dev h1-eth0\n[bridge r:br0]\nstp = yes\n"
		"[node h1]\naddr = 10.8.0.2/24 dev eth0\niface = eth0 mac 02:00:00:00:00:02 mtu 9000\n"
		"[node h2]\naddr = 10.8.0.3/24 dev eth0\n[links]\nlink = h1:eth0 r:br0 mtu 9000\n"
		"link = h2:eth0 r:br0 mtu 1400\n";
	*state = "attrs";
	write_topology("/tmp/nslab-attrs.ini", t);
	assert_sh(0, "%s up /tmp/nslab-attrs.ini >/dev/null", nslab());
	_cleanup_free_ char *h1 = capture("ip -j -n attrs-h1 link show eth0 | jq -r '.[0] | \"\\(.address) \\(.mtu)\"'");
	assert_string_equal(h1, "02:00:00:00:00:02 9000");
	_cleanup_free_ char *h2 = capture("ip -j -n attrs-h2 link show eth0 | jq -r '.[0].mtu'");
	assert_string_equal(h2, "1400");
	_cleanup_free_ char *port = capture("ip -j -n attrs-r link show h1-eth0 | jq -r '.[0] | \"\\(.master) \\(.mtu)\"'");
	assert_string_equal(port, "br0 9000");
	_cleanup_free_ char *stp = capture("ip -j -d -n attrs-r link show br0 | jq -r '.[0].linkinfo.info_data.stp_state'");
	assert_string_equal(stp, "1");
	_cleanup_free_ char *neigh = capture("ip -j -n attrs-r neigh show 10.8.0.99 | jq -r '.[0] | \"\\(.lladdr) \\(.state[0])\"'");
	assert_string_equal(neigh, "02:00:00:00:00:99 PERMANENT");
	_cleanup_free_ char *fdb = capture("bridge -j -n attrs-r fdb show dev h1-eth0 | jq -r '.[] | select(.mac == \"02:00:00:00:00:77\") | \"\\(.master) \\(.state)\"'");
	assert_string_equal(fdb, "br0 static");
	/* STP takes the ports through listening and learning: give it time */
	assert_sh(0, "for i in $(seq 40); do ip netns exec attrs-h1 ping -c1 -W1 -q 10.8.0.1 >/dev/null && exit 0; sleep 1; done; exit 1");
	assert_sh(0, "%s down attrs >/dev/null", nslab());
	assert_lab_gone("attrs");
	unlink("/tmp/nslab-attrs.ini");
	*state = NULL;
}

/* A namespace already there: up fails, names it, leaves it alone. */
static void test_conflict(void **state)
{
	_cleanup_free_ char *file = topo("router");
	*state = "router";
	assert_sh(0, "ip netns add router-r1");
	_cleanup_free_ char *out = capture("%s up %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(out, "namespace 'router-r1' already exists"));
	assert_int_equal(exit_status(out), 1);
	_cleanup_free_ char *left = capture("ip netns list | awk '{print $1}' | grep '^router-' | sort | tr '\\n' ' '");
	assert_string_equal(left, "router-r1 ");
	assert_sh(0, "ip netns del router-r1");
	assert_lab_gone("router");
	*state = NULL;
}

/* up killed by SIGKILL at 20 moments; down (from the journal, or by
 * discovery when the journal is gone too) leaves nothing. */
static void test_killed_up(void **state)
{
	_cleanup_free_ char *file = topo("k8s-flannel-vxlan");
	const char *name = "k8s-flannel-vxlan";
	/* steps: command lines, less the lo and sysctl lines of a namespace step */
	_cleanup_free_ char *steps = capture(
		"%s plan %s | grep '^ip\\|^bridge' | grep -v 'link set lo up' | grep -vc 'disable_ipv6\\|accept_dad'",
		nslab(), file);
	int n = atoi(steps);

	*state = (void *)name;
	assert_true(n > 40);
	for (int k = 0; k < 20; k++) {
		int at = k * (n - 1) / 19;
		int rc = sh("NSLAB_TEST_KILL_STEP=%d %s up %s >/dev/null 2>&1", at, nslab(), file);
		assert_int_equal(rc, 128 + 9);
		if (k % 2)
			(void)sh("rm -f /run/nslab/%s/journal", name);
		else {
			_cleanup_free_ char *ls = capture("%s ls --json | jq -r '.[0].state'", nslab());
			assert_string_equal(ls, "broken");
		}
		assert_sh(0, "%s down %s >/dev/null", nslab(), name);
		assert_lab_gone(name);
	}
	/* and the lab comes up right after */
	assert_sh(0, "%s up %s >/dev/null", nslab(), file);
	assert_sh(0, "ip netns exec %s-pod1-1 ping -c1 -W2 -q 10.244.3.3 >/dev/null", name);
	assert_sh(0, "%s down %s >/dev/null", nslab(), name);
	assert_lab_gone(name);
	assert_root_unchanged();
	*state = NULL;
}

/* An interrupted up is cleaned away by the next up of the same lab. */
static void test_up_after_interrupted_up(void **state)
{
	_cleanup_free_ char *file = topo("router");
	*state = "router";
	assert_sh(137, "NSLAB_TEST_KILL_STEP=7 %s up %s >/dev/null", nslab(), file);
	_cleanup_free_ char *out = capture("%s up %s 2>&1", nslab(), file);
	assert_non_null(strstr(out, "cleaned up the remains of the earlier lab 'router'"));
	assert_sh(0, "ip netns exec router-h1 ping -c1 -W2 -q 10.0.2.10 >/dev/null");
	assert_sh(0, "%s down router >/dev/null", nslab());
	assert_lab_gone("router");
	*state = NULL;
}

static void test_non_root(void **state)
{
	/* uid 65534 with no capabilities; the binary and the topology copied
	 * where that uid can read them (the build may be under /root), and no
	 * passwd entry needed */
	_cleanup_free_ char *file = topo("two-nodes");
	char dir[] = "/tmp/nslab-nonroot.XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_sh(0, "cp %s %s/nslab && cp %s %s/two-nodes.ini && chmod -R a+rX %s", nslab(), dir, file, dir, dir);
	_cleanup_free_ char *out = capture(
		"cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "
		"%s/nslab up %s/two-nodes.ini 2>&1; echo rc=$?",
		dir, dir);
	(void)sh("rm -rf %s", dir);
	assert_non_null(strstr(out, "this needs root"));
	assert_non_null(strstr(out, "nothing was changed"));
	assert_int_equal(exit_status(out), 1);
	assert_lab_gone("two-nodes");
}

static void test_default_lab(void **state)
{
	*state = "router";
	_cleanup_free_ char *out = capture("%s up", nslab());
	assert_non_null(strstr(out, "lab 'router' is up: 3 nodes"));
	_cleanup_free_ char *hops = capture("ip netns exec router-h1 tracepath -n 10.0.2.10 | tail -1");
	assert_non_null(strstr(hops, "hops 2"));
	assert_sh(0, "ip netns exec router-h1 ping -c1 -W2 -q fd00:2::10 >/dev/null");
	assert_sh(0, "%s down router >/dev/null", nslab());
	assert_lab_gone("router");
	*state = NULL;
}

static void test_down_all_finds_orphans(void **state)
{
	_cleanup_free_ char *file = topo("lan");
	*state = "lan";
	assert_sh(0, "%s plan %s | sh -e", nslab(), file);
	/* not ours to replace unasked */
	_cleanup_free_ char *up = capture("%s up %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(up, "namespaces of lab 'lan' exist already"));
	assert_int_equal(exit_status(up), 1);
	assert_sh(0, "ip netns exec lan-h1 ping -c1 -W2 -q 10.0.0.4 >/dev/null");
	_cleanup_free_ char *out = capture("%s down --all --yes", nslab());
	assert_non_null(strstr(out, "lab 'lan' is down"));
	assert_lab_gone("lan");
	*state = NULL;
}

/* Two switches joined by a link: both ports are enslaved. */
static void test_two_bridges(void **state)
{
	const char *t = "[lab]\nname = twosw\n[bridge a]\n[bridge b]\n[node h1]\naddr = 10.9.0.1/24 dev eth0\n"
			"[node h2]\naddr = 10.9.0.2/24 dev eth0\n[links]\nlink = h1:eth0 a\nlink = a b\n"
			"link = h2:eth0 b\n";
	*state = "twosw";
	write_topology("/tmp/nslab-twosw.ini", t);
	assert_sh(0, "%s up /tmp/nslab-twosw.ini >/dev/null", nslab());
	_cleanup_free_ char *masters =
		capture("ip -j -n twosw-.sw link | jq -r '[.[] | select(.ifname | startswith(\"veth\")) | .master] | sort | join(\" \")'");
	assert_string_equal(masters, "a b");
	assert_sh(0, "ip netns exec twosw-h1 ping -c1 -W2 -q 10.9.0.2 >/dev/null");
	assert_sh(0, "%s down twosw >/dev/null", nslab());
	assert_lab_gone("twosw");
	unlink("/tmp/nslab-twosw.ini");
	*state = NULL;
}

/* IPv4-only labs run without IPv6 (no autoconfiguration flooding the
 * segments); 'ipv6 = yes' keeps it, link-local addresses included. */
static void test_ipv6_policy(void **state)
{
	*state = "v6p";
	write_topology("/tmp/nslab-v6p.ini", "[lab]\nname = v6p\n[node a]\naddr = 10.6.0.1/24 dev eth0\n"
			 "[node b]\naddr = 10.6.0.2/24 dev eth0\n[links]\nlink = a:eth0 b:eth0\n");
	assert_sh(0, "%s up /tmp/nslab-v6p.ini >/dev/null", nslab());
	_cleanup_free_ char *off = capture("ip -j -n v6p-a -6 addr | jq '[.[].addr_info[]] | length'; ip netns exec v6p-a cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6");
	assert_string_equal(off, "0\n1");
	assert_sh(0, "ip netns exec v6p-a ping -c1 -W2 -q 10.6.0.2 >/dev/null");
	assert_sh(0, "%s down v6p >/dev/null", nslab());
	write_topology("/tmp/nslab-v6p.ini", "[lab]\nname = v6p\nipv6 = yes\n[node a]\naddr = 10.6.0.1/24 dev eth0\n"
			 "[node b]\naddr = 10.6.0.2/24 dev eth0\n[links]\nlink = a:eth0 b:eth0\n");
	assert_sh(0, "%s up /tmp/nslab-v6p.ini >/dev/null", nslab());
	_cleanup_free_ char *on = capture("ip -j -n v6p-a -6 addr show dev eth0 | jq -r '.[0].addr_info[0].scope'");
	assert_string_equal(on, "link");
	assert_sh(0, "%s down v6p >/dev/null", nslab());
	assert_lab_gone("v6p");
	unlink("/tmp/nslab-v6p.ini");
	*state = NULL;
}

/* Sysctls go through a private procfs instance, a fresh one every 32
 * namespaces (NSLAB_TEST_NO_PROCFS=1: through /proc, as where fsopen is
 * missing). Either way every namespace of a 70-node chain gets its own:
 * IPv6 off, forwarding on the odd nodes, rp_filter on the last. */
static void test_sysctls_every_namespace(void **state)
{
	const unsigned n = 70;
	_cleanup_free_ char *expect = NULL;
	struct sbuf t = {0}, e = {0};

	*state = "sysc";
	sbuf_adds(&t, "[lab]\nname = sysc\n");
	for (unsigned i = 1; i <= n; i++) {
		sbuf_addf(&t, "[node n%u]\naddr = 10.7.%u.%u/16 dev eth0\n", i, i / 200, i % 200 + 1);
		if (i % 2)
			sbuf_adds(&t, "forward = yes\n");
		if (i == n)
			sbuf_adds(&t, "sysctl = net.ipv4.conf.all.rp_filter=2\n");
		sbuf_addf(&e, "%sn%u %u 1 1 %u", i > 1 ? "\n" : "", i, i % 2, i == n ? 2 : 0);
	}
	sbuf_adds(&t, "[bridge lan]\n[links]\n");
	for (unsigned i = 1; i <= n; i++)
		sbuf_addf(&t, "link = n%u:eth0 lan\n", i);
	write_topology("/tmp/nslab-sysc.ini", t.s);
	for (int fallback = 0; fallback < 2; fallback++) {
		assert_int_equal(sh("%s %s up /tmp/nslab-sysc.ini >/dev/null 2>&1",
				    fallback ? "NSLAB_TEST_NO_PROCFS=1" : "", nslab()), 0);
		_cleanup_free_ char *got = capture(
			"for i in $(seq %u); do s=sysc-n$i; echo n$i $(ip netns exec $s cat "
			"/proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/disable_ipv6 "
			"/proc/sys/net/ipv6/conf/default/disable_ipv6 /proc/sys/net/ipv4/conf/all/rp_filter); done",
			n);
		assert_string_equal(got, e.s);
		assert_sh(0, "%s down sysc >/dev/null", nslab());
	}
	assert_lab_gone("sysc");
	unlink("/tmp/nslab-sysc.ini");
	sbuf_free(&t);
	sbuf_free(&e);
	*state = NULL;
}

/* A lab of 1000 nodes under the usual soft limit of 1024 open files: up
 * raises it for itself (a netlink socket per node while it builds)
 * and its startup lines and services get the limit nslab was given. */
static void test_open_file_limit(void **state)
{
	*state = "nofile";
	assert_sh(0,
		  "%s gen star --nodes 1000 --name nofile -o /tmp/nslab-nofile.ini && sed -i "
		  "'s/^\\[node h1\\]$/&\\nstartup = sh -c \"echo soft=$(ulimit -Sn)\"/' "
		  "/tmp/nslab-nofile.ini && grep -q '^startup' /tmp/nslab-nofile.ini",
		  nslab());
	_cleanup_free_ char *hard = capture("ulimit -Hn");
	if (atol(hard) < 1400) {
		diag("skipped: the hard limit of open files here is %s", hard);
		skip();
	}
	_cleanup_free_ char *out =
	    capture("ulimit -Sn 1024 && %s up /tmp/nslab-nofile.ini 2>&1; echo rc=$?", nslab());
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "grep -qx soft=1024 /run/nslab/nofile/logs/h1.log");
	assert_sh(0, "[ $(ip netns list | grep -c '^nofile-') = 1005 ]");
	assert_sh(0, "%s down nofile >/dev/null", nslab());
	assert_lab_gone("nofile");
	/* a hard limit it cannot pass: refused before anything is made */
	_cleanup_free_ char *refused = capture(
	    "ulimit -n 1024 && %s up /tmp/nslab-nofile.ini 2>&1; echo rc=$?", nslab());
	if (!strstr(refused, "rc=0")) {
		assert_non_null(strstr(refused, "building it holds 1069 open files"));
		assert_non_null(strstr(refused, "ulimit -n 1325"));
	} else { /* root with CAP_SYS_RESOURCE raised the hard limit too */
		assert_sh(0, "%s down nofile >/dev/null", nslab());
	}
	assert_lab_gone("nofile");
	unlink("/tmp/nslab-nofile.ini");
	*state = NULL;
}

/* Run script (taken, freed) with sh as root in a mount namespace of its
 * own, where /run/netns is first made a plain, empty directory whatever
 * the host has there: the same test on every host, and the host's mounts
 * untouched. Skips the test where other labs are up or other tools have
 * namespaces. Returns the output, ending in "rc=N". */
static char *in_private_mounts(char *script)
{
	char *out = capture(
		"unshare -m --propagation private sh -c '"
		"while findmnt -rn --mountpoint /run/netns >/dev/null; do umount -R /run/netns || exit 9; done;"
		"[ -z \"$(ls -A /run/netns 2>/dev/null)$(ls -A /run/nslab 2>/dev/null)\" ] || exit 77;"
		"%s'; echo rc=$?",
		script);

	free(script);
	if (exit_status(out) == 77) {
		diag("skipped: other labs are up, or /run/netns holds namespaces of other tools");
		free(out);
		skip();
	}
	return out;
}

/* up puts a tmpfs on an empty /run/netns that is no tmpfs mount (see
 * netns_prepare_dir); the last down takes it away again, but never from
 * under a namespace that another tool made there meanwhile. */
static void test_netns_tmpfs_released(void **state)
{
	*state = "two-nodes";
	_cleanup_free_ char *out = in_private_mounts(xasprintf(
		"N=%s; F=%s/topologies/two-nodes.ini;"
		"m() { echo \"$1=$(findmnt -rn -o SOURCE,FSTYPE --mountpoint /run/netns)\"; };"
		"m before; $N up $F >/dev/null 2>&1; m during; $N down two-nodes >/dev/null; m after;"
		"$N up $F >/dev/null 2>&1; ip netns add nslab-test-foreign; $N down two-nodes >/dev/null;"
		"m kept; ip netns exec nslab-test-foreign true && echo foreign=usable;"
		"ip netns del nslab-test-foreign; m alone; $N up $F >/dev/null 2>&1;"
		"$N down two-nodes >/dev/null; m last; test -d /run/netns && echo dir=kept",
		nslab(), srcdir()));

	assert_string_equal(out, "before=\n"
				 "during=nslab-netns tmpfs\n"
				 "after=\n"
				 "kept=nslab-netns tmpfs\n"
				 "foreign=usable\n"
				 "alone=nslab-netns tmpfs\n"
				 "last=\n"
				 "dir=kept\n"
				 "rc=0");
	assert_lab_gone("two-nodes");
	*state = NULL;
}

static int conc_teardown(void **state)
{
	(void)sh("%s down concb >/dev/null 2>&1", nslab());
	unlink("/tmp/nslab-conca.ini");
	unlink("/tmp/nslab-concb.ini");
	return lab_teardown(state);
}

/* Labs come and go at the same time, ten rounds of: two ups, two downs, a
 * down beside another lab's up. /run/netns has one mount while any lab is
 * up and none after; every namespace is there (none hidden under a second
 * tmpfs) and gone. Without the lock and the held mount, one run in three
 * stacked two tmpfs mounts. */
static void test_concurrent_labs(void **state)
{
	*state = "conca";
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *t = xasprintf(
			"[lab]\nname = conc%c\n[node a]\naddr = 10.8.%d.1/24 dev eth0\n[node b]\n"
			"addr = 10.8.%d.2/24 dev eth0\n[links]\nlink = a:eth0 b:eth0\n",
			'a' + i, i, i);
		_cleanup_free_ char *path = xasprintf("/tmp/nslab-conc%c.ini", 'a' + i);
		write_topology(path, t);
	}
	_cleanup_free_ char *out = in_private_mounts(xasprintf(
		"N=%s; A=/tmp/nslab-conca.ini; B=/tmp/nslab-concb.ini;"
		"m() { echo \"$1 mounts=$(findmnt -rn --mountpoint /run/netns | wc -l) ns=$(ip netns list | wc -l)\"; };"
		"for i in $(seq 10); do"
		"  $N up $A >/dev/null 2>&1 & a=$!; $N up $B >/dev/null 2>&1 & b=$!;"
		"  wait $a && wait $b || echo up-failed; m up;"
		"  $N down conca >/dev/null & a=$!; $N down concb >/dev/null & b=$!;"
		"  wait $a && wait $b || echo down-failed; m down;"
		"  $N up $A >/dev/null 2>&1 || echo up-failed;"
		"  $N down conca >/dev/null & a=$!; $N up $B >/dev/null 2>&1 & b=$!;"
		"  wait $a && wait $b || echo failed; m beside;"
		"  $N down concb >/dev/null; m last;"
		"done | sort | uniq -c | sed \"s/^ *//\"",
		nslab()));

	assert_string_equal(out, "10 beside mounts=1 ns=2\n"
				 "10 down mounts=0 ns=0\n"
				 "10 last mounts=0 ns=0\n"
				 "10 up mounts=1 ns=4\n"
				 "rc=0");
	assert_lab_gone("conca");
	assert_lab_gone("concb");
	*state = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_two_nodes, lab_teardown),
		cmocka_unit_test_teardown(test_lan, lab_teardown),
		cmocka_unit_test_teardown(test_router, lab_teardown),
		cmocka_unit_test_teardown(test_onlink, lab_teardown),
		cmocka_unit_test_teardown(test_up_twice_and_replace, lab_teardown),
		cmocka_unit_test_teardown(test_fail_at_each_step, lab_teardown),
		cmocka_unit_test_teardown(test_conflict, conflict_teardown),
		cmocka_unit_test_teardown(test_killed_up, lab_teardown),
		cmocka_unit_test_teardown(test_up_after_interrupted_up, lab_teardown),
		cmocka_unit_test(test_non_root),
		cmocka_unit_test_teardown(test_default_lab, lab_teardown),
		cmocka_unit_test_teardown(test_down_all_finds_orphans, lab_teardown),
		cmocka_unit_test_teardown(test_two_bridges, lab_teardown),
		cmocka_unit_test_teardown(test_attributes, lab_teardown),
		cmocka_unit_test_teardown(test_ipv6_policy, lab_teardown),
		cmocka_unit_test_teardown(test_sysctls_every_namespace, lab_teardown),
		cmocka_unit_test_teardown(test_open_file_limit, lab_teardown),
		cmocka_unit_test_teardown(test_netns_tmpfs_released, lab_teardown),
		cmocka_unit_test_teardown(test_concurrent_labs, conc_teardown),
	};
	return cmocka_run_group_tests_name("lifecycle", tests, group_setup, group_teardown);
}
