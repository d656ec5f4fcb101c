// SPDX-License-Identifier: MIT
/* Labs split across hosts without a kernel: [hosts] and placement errors
 * (FILE:LINE, message, hint), which node goes where, and each host's plan:
 * point-to-point VXLAN for a link between hosts, one flooding port per
 * layer-2 domain of the switch namespace, VNIs and MACs that every host
 * computes alike, MTUs less the encapsulation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "hosts.h"
#include "parse.h"
#include "validate.h"

#define TWO                                       \
	"[lab]\nname = mh\n"                      \
	"[node a]\naddr = 10.0.0.1/24 dev eth0\n" \
	"[node b]\naddr = 10.0.0.2/24 dev eth0\n" \
	"[links]\nlink = a:eth0 b:eth0\n"

static struct topo_lab *load(const char *text, size_t want_errors)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(text, "t.ini", &d);

	topo_validate(lab, &d);
	if (diag_count(&d) != want_errors)
		diag_print(&d, stderr);
	assert_int_equal(diag_count(&d), want_errors);
	diag_free(&d);
	return lab;
}

static char *plan_of(struct topo_lab *lab, const char *host)
{
	struct sbuf why = {0};
	struct plan p;
	char *text = NULL;
	size_t len = 0;

	if (host)
		assert_int_equal(hosts_select(lab, host, &why), 0);
	plan_build(lab, &p);
	FILE *f = open_memstream(&text, &len);
	plan_print(&p, f);
	fclose(f);
	plan_free(&p);
	return text;
}

static void has(const char *text, const char *want)
{
	if (!strstr(text, want))
		print_error("missing: %s\nin:\n%s\n", want, text);
	assert_non_null(strstr(text, want));
}

static void lacks(const char *text, const char *word)
{
	if (strstr(text, word))
		print_error("unexpected: %s\nin:\n%s\n", word, text);
	assert_null(strstr(text, word));
}

static size_t count(const char *text, const char *word)
{
	size_t n = 0;
	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
		n++;
	return n;
}

/* Lines 1 to 8: two nodes joined by a link, with an address on wg0 (a
 * mesh) or on t0 (a device each); a on h1, b on h2. */
#define WG_TWO(dev)                                                                \
	"[node a]\naddr = 192.0.2.1/24 dev eth0\naddr = 10.8.0.1/24 dev " dev "\n" \
	"[node b]\naddr = 192.0.2.2/24 dev eth0\naddr = 10.8.0.2/24 dev " dev "\n" \
	"[links]\nlink = a:eth0 b:eth0\n"
#define WG_HOSTS "[hosts]\nh1 = 10.0.0.1\nh2 = 10.0.0.2\na = h1\nb = h2\n"

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *msg, *hint;
	} cases[] = {
	    {"[node a]\nhost = h1\n", 2,
	     "node 'a': 'host = h1' but the topology has no [hosts] section",
	     "add a [hosts] section: 'h1 = ADDRESS' (the host's underlay address)"},
	    {"[node a]\nhost = hx\n[hosts]\nh1 = 10.0.0.1\n", 2, "host: unknown host 'hx'",
	     "did you mean 'h1'? The hosts of [hosts]: h1"},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\n", 1, "node 'a' is on no host",
	     "add 'host = HOST' to [node a], or to [hosts] a rule 'a = HOST' or 'default = HOST' "
	     "(hosts: h1)"},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\nh2 = 10.0.0.1\ndefault = h1\n", 4,
	     "hosts 'h1' and 'h2' have one address, 10.0.0.1 (line 3)", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\nh2 = fd00::2\ndefault = h1\n", 4,
	     "host 'h2' is IPv6, host 'h1' IPv4: one underlay has one family", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\nz* = h1\ndefault = h1\n", 4,
	     "placement 'z*' matches no node placed by it", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.300\ndefault = h1\n", 3,
	     "host 'h1': '10.0.0.300' is not an address", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1 mtu 9000\ndefault = h1\n", 3,
	     "host 'h1': unexpected 'mtu'", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\na = h9\n", 4, "a: unknown host 'h9'", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\ndefault = h1\nvni = 0\n", 5, "vni", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\ndefault = h1\nh1 = 10.0.0.2\n", 5,
	     "key 'h1' given twice in [hosts] (first at line 3)", NULL},
	    {"[node a]\n[hosts]\ndefault = h1\n", 2, "[hosts] names no host", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1 ssh -oProxyCommand=x\ndefault = h1\n", 3,
	     "host 'h1': ssh destination '-oProxyCommand=x' is an option, not a destination", NULL},
	    /* WireGuard keys made at up: one host never learns another's */
	    {WG_TWO("wg0") "[wireguard wg0]\nmembers = a b\ndev = eth0\n" WG_HOSTS, 9,
	     "WireGuard mesh 'wg0' has members on hosts 'h1' and 'h2': its keys are made at up",
	     NULL},
	    {WG_TWO("t0") "[wireguard b:t0]\npeer = a:t0 endpoint 192.0.2.1:51820\n"
			  "[wireguard a:t0]\n" WG_HOSTS,
	     10, "peer 'a:t0' is on host 'h1', 'b:t0' on host 'h2': a key made at up", NULL},
	    {"[node a]\n[hosts]\nh1 = 10.0.0.1\nx = y z\ndefault = h1\n", 4,
	     "[hosts]: 'x = y z' is neither a host nor a placement", NULL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct diag d = {0};
		struct topo_lab *lab = topo_parse_string(cases[i].text, "t.ini", &d);
		topo_validate(lab, &d);
		if (diag_count(&d) != 1 || d.msgs.v[0].loc.line != cases[i].line ||
		    !strstr(d.msgs.v[0].msg, cases[i].msg) ||
		    (cases[i].hint && !streq(d.msgs.v[0].hint, cases[i].hint))) {
			print_error("case %zu:\n", i);
			diag_print(&d, stderr);
		}
		assert_int_equal(diag_count(&d), 1);
		assert_int_equal(d.msgs.v[0].loc.line, cases[i].line);
		assert_non_null(strstr(d.msgs.v[0].msg, cases[i].msg));
		if (cases[i].hint)
			assert_string_equal(d.msgs.v[0].hint, cases[i].hint);
		diag_free(&d);
		topo_lab_free(lab);
	}
}

/* WireGuard devices on two hosts with their keys given: every host knows
 * both public keys, nothing to refuse. */
static void test_wireguard_keys_given(void **state)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(
	    WG_TWO("t0") "[wireguard b:t0]\npeer = a:t0 endpoint 192.0.2.1:51820\n"
			 "private-key = AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n"
			 "[wireguard a:t0]\nprivate-key = "
			 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
			 "peer = b:t0 endpoint 192.0.2.2:51820\n" WG_HOSTS,
	    "t.ini", &d);
	topo_validate(lab, &d);
	if (diag_count(&d))
		diag_print(&d, stderr);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	topo_lab_free(lab);
}

static void test_placement(void **state)
{
	struct topo_lab *lab =
	    load("[node pod1-1]\n[node pod1-2]\nhost = h3\n[node pod2-1]\n[node r1]\n"
		 "[hosts]\nh1 = 192.0.2.1\nh2 = 192.0.2.2 dev eth1 ssh root@lab2\n"
		 "h3 = 192.0.2.3\npod1-* = h1\npod* = h2\ndefault = h3\n",
		 0);
	assert_string_equal(topo_node_find(lab, "pod1-1")->host->name, "h1"); /* first rule */
	assert_string_equal(topo_node_find(lab, "pod1-2")->host->name, "h3"); /* host = wins */
	assert_string_equal(topo_node_find(lab, "pod2-1")->host->name, "h2");
	assert_string_equal(topo_node_find(lab, "r1")->host->name, "h3"); /* default */
	assert_string_equal(lab->hosts.v[1]->dev, "eth1");
	assert_string_equal(lab->hosts.v[1]->ssh, "root@lab2");
	struct sbuf why = {0};
	assert_int_equal(hosts_select(lab, "h9", &why), -ENOENT);
	assert_string_equal(why.s, "no host 'h9' in [hosts] (hosts: h1, h2, h3)");
	sbuf_free(&why);
	topo_lab_free(lab);

	/* a one-host lab has no parts */
	lab = load(TWO, 0);
	assert_int_equal(hosts_select(lab, "h1", &why), -EINVAL);
	sbuf_free(&why);
	char *text = plan_of(lab, NULL);
	lacks(text, "vxlan");
	free(text);
	topo_lab_free(lab);
}

static char *plan_here(const char *topo, const char *host)
{
	struct topo_lab *lab = load(topo, 0);
	char *text = plan_of(lab, host);
	topo_lab_free(lab);
	return text;
}

static void test_link_between_hosts(void **state)
{
	const char *topo =
	    TWO "[hosts]\nh1 = 198.18.0.1\nh2 = 198.18.0.2 dev eth1\na = h1\nb = h2\n";
	char *p1 = plan_here(topo, "h1"), *p2 = plan_here(topo, "h2");

	/* each host makes its own node and its end, from its own namespace */
	has(p1, "ip netns add mh-a\n");
	lacks(p1, "mh-b");
	has(p2, "ip netns add mh-b\n");
	lacks(p2, "mh-a");
	lacks(p1, "type veth");
	/* the same VNI at both ends, derived from the lab's name; the MAC from
	 * the lab, the node and the interface; 1500 less 50 */
	const char *id1 = strstr(p1, " id "), *id2 = strstr(p2, " id ");
	assert_non_null(id1);
	assert_non_null(id2);
	assert_int_equal(strtoul(id1 + 4, NULL, 10), strtoul(id2 + 4, NULL, 10));
	has(p1, "ip link add eth0 netns mh-a address 02:");
	has(p1, " mtu 1450 type vxlan id ");
	has(p1, " local 198.18.0.1 remote 198.18.0.2 dstport 4789\n");
	has(p2, " local 198.18.0.2 remote 198.18.0.1 dstport 4789 dev eth1\n");
	has(p1, "ip -n mh-a link set eth0 up\n");
	has(p1, "ip -n mh-a addr add 10.0.0.1/24 dev eth0\n");
	char *again = plan_here(topo, "h1");
	assert_string_equal(p1, again); /* the same every time */
	free(again);
	free(p1);
	free(p2);

	/* another lab's name, another VNI; [hosts] vni, port and mtu */
	char *other = xasprintf("%s", topo);
	memcpy(strstr(other, "name = mh"), "name = mi", 9);
	char *p3 = plan_here(other, "h1");
	p1 = plan_here(topo, "h1");
	assert_int_not_equal(strtoul(strstr(p1, " id ") + 4, NULL, 10),
			     strtoul(strstr(p3, " id ") + 4, NULL, 10));
	free(p1);
	free(p3);
	free(other);
	char *set = xasprintf("%svni = 5000\nport = 4790\nmtu = 9000\n", topo);
	p1 = plan_here(set, "h1");
	has(p1, " mtu 8950 type vxlan id 5000 local 198.18.0.1 remote 198.18.0.2 dstport 4790\n");
	free(p1);
	free(set);
	/* IPv6 underlay: 70 bytes; an MTU the topology sets stays */
	char *v6 = xasprintf("[lab]\nname = mh\n[node a]\n[node b]\niface = eth0 mtu 1300\n"
			     "[links]\nlink = a:eth0 b:eth0\n"
			     "[hosts]\nh1 = fd00::1\nh2 = fd00::2\na = h1\nb = h2\n");
	p1 = plan_here(v6, "h1");
	p2 = plan_here(v6, "h2");
	has(p1, " mtu 1430 type vxlan");
	has(p2, " mtu 1300 type vxlan");
	has(p1, " local fd00::1 remote fd00::2 ");
	free(p1);
	free(p2);
	free(v6);
}

static void test_switch_across_hosts(void **state)
{
	/* two bridges joined inside the switch namespace: one domain, one
	 * flooding port (on the first bridge) per host, to the others */
	const char *topo = "[lab]\nname = sw\n[bridge lan]\n[bridge lan2]\n"
			   "[node a]\n[node b]\n[node c]\n[node d]\n"
			   "[links]\nlink = lan lan2\nlink = a:eth0 lan\nlink = b:eth0 lan2\n"
			   "link = c:eth0 lan\nlink = d:eth0 lan\n"
			   "[hosts]\nh1 = 10.9.0.1\nh2 = 10.9.0.2\nh3 = 10.9.0.3\nb = h2\nd = h3\n"
			   "default = h1\n";
	char *p1 = plan_here(topo, "h1"), *p2 = plan_here(topo, "h2"), *p3 = plan_here(topo, "h3");

	for (char **p = (char *[]){p1, p2, p3, NULL}; *p; p++) {
		has(*p, "ip netns add sw-.sw\n");
		has(*p, "ip -n sw-.sw link add lan up type bridge\n");
		has(*p, "ip -n sw-.sw link add lan2 up type bridge\n");
		has(*p, " master lan up type veth peer name veth"); /* lan - lan2 in each */
		has(*p, " master lan2 up\n");
		/* one flooding port, on the first bridge: no loop through the hosts */
		assert_int_equal(count(*p, "type vxlan"), 1);
		has(*p, "link set vxh");
		has(*p, " master lan up\n");
	}
	has(p1, "bridge -n sw-.sw fdb append 00:00:00:00:00:00 dev vxh");
	has(p1, " dst 10.9.0.2\n");
	has(p1, " dst 10.9.0.3\n");
	lacks(p1, " dst 10.9.0.1\n");
	has(p2, " dst 10.9.0.1\n");
	has(p2, " dst 10.9.0.3\n");
	/* a port goes with its node: a's and c's on h1 only, b's on h2 */
	has(p1,
	    "link add a-eth0 mtu 1450 master lan up type veth peer name eth0 mtu 1450 netns sw-a");
	lacks(p2, "a-eth0");
	lacks(p3, "a-eth0");
	has(p2, "link add b-eth0 mtu 1450 master lan2 up type veth");
	lacks(p1, "sw-b");
	free(p1);
	free(p2);
	free(p3);

	/* a switch port's impairment and port settings go with the port: on
	 * its node's host only (another host never made that port) */
	const char *set = "[lab]\nname = sw\n[bridge lan]\nport = * hairpin on\n"
			  "[node a]\n[node b]\n[links]\nlink = a:eth0 lan delay 10ms\n"
			  "link = b:eth0 lan\n"
			  "[hosts]\nh1 = 10.9.0.1\nh2 = 10.9.0.2\nb = h2\ndefault = h1\n";
	p1 = plan_here(set, "h1");
	p2 = plan_here(set, "h2");
	has(p1, "tc -n sw-.sw qdisc add dev a-eth0 root");
	has(p1, "tc -n sw-a qdisc add dev eth0 root");
	has(p1, "link set a-eth0 type bridge_slave hairpin on");
	lacks(p1, "b-eth0");
	lacks(p2, "a-eth0");
	has(p2, "link set b-eth0 type bridge_slave hairpin on");
	free(p1);
	free(p2);

	/* a bridge whose ports are all on one host floods nowhere */
	char *one =
	    plan_here("[lab]\nname = one\n[bridge lan]\n[node a]\n[node b]\n[node c]\n"
		      "[links]\nlink = a:eth0 lan\nlink = b:eth0 lan\nlink = a:eth1 c:eth0\n"
		      "[hosts]\nh1 = 10.9.0.1\nh2 = 10.9.0.2\nc = h2\ndefault = h1\n",
		      "h1");
	lacks(one, "vxh");
	has(one, "link add b-eth0 master lan up type veth"); /* no MTU change */
	has(one, "ip link add eth1 netns one-a");
	free(one);
	one = plan_here("[lab]\nname = one\n[bridge lan]\n[node a]\n[node b]\n[node c]\n"
			"[links]\nlink = a:eth0 lan\nlink = b:eth0 lan\nlink = a:eth1 c:eth0\n"
			"[hosts]\nh1 = 10.9.0.1\nh2 = 10.9.0.2\nc = h2\ndefault = h1\n",
			"h2");
	lacks(one, ".sw"); /* no port of its own there: no switch namespace */
	has(one, "ip netns add one-c\n");
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_wireguard_keys_given),
	    cmocka_unit_test(test_placement),
	    cmocka_unit_test(test_link_between_hosts),
	    cmocka_unit_test(test_switch_across_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
