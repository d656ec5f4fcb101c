// SPDX-License-Identifier: MIT
/* VRFs, routes in tables and policy rules, without a kernel: each bad
 * line's error (line, message, hint), the plan's ip(8) commands, address
 * spaces split by VRFs, and the facts diff compares. */
#include "kind-cases.h"

#include "check.h"

/* Router r with VRFs red (eth0, eth1) and blue (eth2, eth3), hosts behind
 * each port; 21 lines, [node r] last. */
#define VRF_BASE                                                                              \
	"[vrf r:red]\ntable = 10\nports = eth0 eth1\n"                                        \
	"[vrf r:blue]\ntable = 20\nports = eth2 eth3\n"                                       \
	"[node a1]\n[node a2]\n[node b1]\n[node b2]\n"                                        \
	"[links]\nlink = a1:eth0 r:eth0\nlink = r:eth1 a2:eth0\nlink = b1:eth0 r:eth2\n"      \
	"link = r:eth3 b2:eth0\n"                                                             \
	"[node r]\nforward = yes\naddr = 10.0.1.1/24 dev eth0\naddr = 10.0.2.1/24 dev eth1\n" \
	"addr = 10.0.1.1/24 dev eth2\naddr = 10.0.2.1/24 dev eth3\n"

/* h with two uplinks; 8 lines, [node h] last. */
#define RULE_BASE                                                                   \
	"[node a]\n[node b]\n[links]\nlink = h:eth0 a:eth0\nlink = h:eth1 b:eth0\n" \
	"[node h]\naddr = 10.0.1.10/24 dev eth0\naddr = 10.0.2.10/24 dev eth1\n"

struct bad {
	const char *ini;
	unsigned line;
	const char *msg;
	const char *hint; /* NULL: any */
};

static const struct bad cases[] = {
    /* [vrf] */
    {"[vrf red]\ntable = 10\n[node r]\n", 1, "[vrf red] names no node",
     "a VRF belongs to one node: write [vrf NODE:red]"},
    {"[vrf r:red]\nports = \n[node r]\n", 1, "[vrf r:red] has no 'table'",
     "add 'table = 10', the routing table of its ports (any but 253, 254, 255)"},
    {"[vrf r:red]\ntable = 254\n[node r]\n", 2, "table 254 is not a VRF's table",
     "tables 253, 254 and 255 are the kernel's default, main and local; give the VRF one of its "
     "own, e.g. 'table = 10'"},
    {"[vrf r:red]\ntable = 255\n[node r]\n", 2, "table 255 is not a VRF's table", NULL},
    {"[vrf r:red]\ntable = 0\n[node r]\n", 2, "bad table '0'",
     "'table' is a whole number from 1 to 4294967295"},
    {"[vrf r:red]\ntable = ten\n[node r]\n", 2, "bad table 'ten'", NULL},
    {"[vrf r:red]\ntabel = 10\n[node r]\n", 2, "unknown key 'tabel' in [vrf r:red]", NULL},
    {"[vrf x:red]\ntable = 10\n[node r]\n", 1, "[vrf x:red] names unknown node 'x'", NULL},
    {VRF_BASE "[vrf r:green]\ntable = 30\nports = eth9\n", 24,
     "[vrf r:green]: node 'r' has no interface 'eth9'",
     "name an interface that a link or a section makes in 'r': lo, eth0, eth1, eth2, eth3, red, "
     "blue, green"},
    {VRF_BASE "[vrf r:green]\ntable = 30\nports = lo\n", 24,
     "[vrf r:green]: node 'r' has no interface 'lo'",
     "lo is no port; name an interface that a link or a section makes in 'r': lo, eth0, eth1, "
     "eth2, eth3, red, blue, green"},
    {VRF_BASE "[vrf r:green]\ntable = 30\nports = eth0\n", 24, "'eth0' is a port of 'red' already",
     "an interface has one master; take it out of 'red'"},
    {VRF_BASE "[vrf r:green]\ntable = 30\nports = blue\n", 24, "port 'blue' is a VRF itself",
     "a VRF's ports are its node's links, not other VRFs"},
    {VRF_BASE "[vrf r:green]\ntable = 30\nports = green\n", 24,
     "'green' cannot be a port of itself", NULL},
    {VRF_BASE "[vrf r:green]\ntable = 10\n", 22,
     "VRFs 'red' and 'green' of node 'r' share table 10",
     "give each VRF its own table ('red' is at line 1)"},
    /* routes in tables */
    {VRF_BASE "[node h]\nroute = 10.9.0.0/24 dev lo vrf green\n", 23, "node 'h' has no VRF 'green'",
     "declare it with [vrf h:green]"},
    {RULE_BASE "route = 10.9.0.0/24 via 10.0.1.1 table x\n", 9, "bad table 'x'",
     "a table is 'main' or a number from 1 to 4294967295"},
    {RULE_BASE "route = 10.9.0.0/24 via 10.0.1.1 table 5 table 6\n", 9, "a route goes in one table",
     NULL},
    {RULE_BASE
     "route = 10.9.0.0/24 via 10.0.1.1 table 5\nroute = 10.9.0.0/24 via 10.0.2.1 table 5\n",
     10, "route to 10.9.0.0/24 is given twice in node 'h'", NULL},
    /* rules */
    {RULE_BASE "rule = from 10.0.1.0/24\n", 9, "'rule' needs 'lookup TABLE'", NULL},
    {RULE_BASE "rule = from 10.0.1.0/24 to fd00::/64 lookup 5\n", 9, "'rule' mixes IPv4 and IPv6",
     "a rule is IPv4 or IPv6: use prefixes of one family"},
    {RULE_BASE "rule = -6 from 10.0.1.0/24 lookup 5\n", 9, "'rule' mixes IPv4 and IPv6", NULL},
    {RULE_BASE "rule = from 10.0.1.5/24 lookup 5\n", 9,
     "'from' prefix '10.0.1.5/24' has host bits set",
     "write '10.0.1.0/24' (the kernel keeps host bits a rule never matches on)"},
    {RULE_BASE "rule = to 10.0.1.0/33 lookup 5\n", 9, "bad prefix length in '10.0.1.0/33'", NULL},
    {RULE_BASE "rule = to nowhere lookup 5\n", 9, "bad 'to' prefix 'nowhere'", NULL},
    {RULE_BASE "rule = fwmark 0xg lookup 5\n", 9, "bad fwmark '0xg'",
     "write 'fwmark 0x10' or 'fwmark 0x10/0xff'"},
    {RULE_BASE "rule = fwmark 1/0x1ffffffff lookup 5\n", 9, "bad fwmark '1/0x1ffffffff'", NULL},
    {RULE_BASE "rule = priority -1 lookup 5\n", 9, "bad priority '-1'", NULL},
    {RULE_BASE "rule = lookup 0\n", 9, "bad table '0'",
     "a table is a number from 1 to 4294967295, main, local or default"},
    {RULE_BASE "rule = lookup 5 tos 4\n", 9, "unexpected 'tos' in 'rule'", NULL},
    {RULE_BASE "rule = iif eth7 lookup 5\n", 9, "node 'h' has no interface 'eth7'", NULL},
    {RULE_BASE "rule = oif eth0123456789abcd lookup 5\n", 9,
     "interface 'eth0123456789abcd' is longer than 15 characters (IFNAMSIZ)", NULL},
    {RULE_BASE "rule = from 10.0.1.0/24 lookup 5\nrule = from 10.0.1.0/24 lookup 5\n", 10,
     "the same rule is given twice in node 'h'", "remove one (first at line 9)"},
    /* [expect] route with a table */
    {RULE_BASE "[expect]\nroute = h default table x\n", 10,
     "route: 'x' is not a table (main, or a number from 1 to 4294967295)", NULL},
};

static void test_bad_case(void **state)
{
	const struct bad *c = *state;
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(c->ini, "t.ini", &d);
	bool found = false;

	topo_validate(lab, &d);
	vec_foreach (m, &d.msgs)
		found |= m->loc.line == c->line && streq(m->msg, c->msg) &&
			 streq(m->loc.file, "t.ini") && m->hint &&
			 (!c->hint || streq(m->hint, c->hint));
	if (!found) {
		fprintf(stderr, "# expected t.ini:%u: %s (%s)\n", c->line, c->msg,
			c->hint ? c->hint : "");
		kind_print_diags(&d);
	}
	assert_true(found);
	topo_lab_free(lab);
	diag_free(&d);
}

/* The errors of ini, one "LINE: MESSAGE\n" each. */
static char *errors_of(const char *ini)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);
	struct sbuf b = {0};

	topo_validate(lab, &d);
	vec_foreach (m, &d.msgs)
		sbuf_addf(&b, "%u: %s\n", m->loc.line, m->msg);
	topo_lab_free(lab);
	diag_free(&d);
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

/* The same address in two VRFs' networks is fine; twice in one VRF's
 * network, or in the lab outside VRFs, is not. */
static void test_address_spaces(void **state)
{
	_cleanup_free_ char *ok =
	    errors_of(VRF_BASE "[node x]\naddr = 10.0.1.10/24 dev lo\n" /* a lone node */);
	_cleanup_free_ char *vrfs =
	    errors_of("[vrf r:red]\ntable = 10\nports = eth0 eth1\n"
		      "[vrf r:blue]\ntable = 20\nports = eth2\n"
		      "[node r]\naddr = 10.0.1.1/24 dev eth0\naddr = 10.0.1.1/24 dev eth2\n"
		      "addr = 10.0.1.1/24 dev eth1\n"
		      "[node a1]\naddr = 10.0.1.10/24 dev eth0\n"
		      "[node b1]\naddr = 10.0.1.10/24 dev eth0\n"
		      "[node a2]\naddr = 10.0.1.10/24 dev eth0\n"
		      "[links]\nlink = a1:eth0 r:eth0\nlink = b1:eth0 r:eth2\n"
		      "link = r:eth1 a2:eth0\n");
	_cleanup_free_ char *plain =
	    errors_of("[node a]\naddr = 10.0.0.1/24 dev eth0\n"
		      "[node b]\naddr = 10.0.0.1/24 dev eth0\n"
		      "[node c]\n[node d]\n"
		      "[links]\nlink = a:eth0 c:eth0\nlink = b:eth0 d:eth0\n");

	/* x stands alone, outside any VRF: the lab's space has 10.0.1.10 only once */
	assert_string_equal(ok, "");
	/* red's network has 10.0.1.1 twice (eth0, eth1) and 10.0.1.10 twice
	 * (a1, a2); blue's has each once */
	assert_string_equal(vrfs, "10: address 10.0.1.1 is already assigned to r:eth0\n"
				  "16: address 10.0.1.10 is already assigned to a1:eth0\n");
	/* without VRFs an address is the lab's, even on two islands */
	assert_string_equal(plain, "4: address 10.0.0.1 is already assigned to a:eth0\n");
}

static void test_plan(void **state)
{
	struct topo_lab *lab =
	    kind_load(VRF_BASE "addr = 10.0.100.1/32 dev blue\n"
			  "route = 10.0.3.0/24 via 10.0.2.10 vrf red\n"
			  "route = 10.0.3.0/24 via 10.0.2.10 table 20\n"
			  "route = 10.0.4.0/24 dev eth1 table main\n"
			  "rule = from 10.0.1.0/24 lookup 100 priority 100\n"
			  "rule = -6 iif eth1 oif eth2 fwmark 16/0xff lookup main\n"
			  "rule = to fd00::/64 fwmark 0x7 lookup default\n");
	_cleanup_free_ char *text = kind_plan_text(lab);
	const char *want[] = {
	    "ip -n t-r link add red up type vrf table 10\n"
	    "ip -n t-r link add blue up type vrf table 20\n\n"
	    "# ports: interfaces into their bridges and VRFs, port settings\n"
	    "ip -n t-r link set eth0 master red\n"
	    "ip -n t-r link set eth1 master red\n"
	    "ip -n t-r link set eth2 master blue\n"
	    "ip -n t-r link set eth3 master blue\n",
	    "ip -n t-r addr add 10.0.100.1/32 dev blue\n",
	    /* device routes first, as always */
	    "ip -n t-r route add 10.0.4.0/24 dev eth1\n"
	    "ip -n t-r route add 10.0.3.0/24 via 10.0.2.10 vrf red\n"
	    "ip -n t-r route add 10.0.3.0/24 via 10.0.2.10 table 20\n"
	    "ip -n t-r rule add from 10.0.1.0/24 priority 100 lookup 100\n"
	    "ip -n t-r -6 rule add iif eth1 oif eth2 fwmark 0x10/0xff lookup main\n"
	    "ip -n t-r -6 rule add to fd00::/64 fwmark 0x7 lookup default\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		if (!strstr(text, want[i]))
			fprintf(stderr, "# want:\n%s# in:\n%s", want[i], text);
		assert_non_null(strstr(text, want[i]));
	}
	/* the VRF's table is the route's, for apply */
	struct topo_node *r = topo_node_find(lab, "r");
	assert_int_equal(r->routes.v[0].table, 10);
	assert_int_equal(r->routes.v[1].table, 20);
	assert_int_equal(r->routes.v[2].table, 0);
	topo_lab_free(lab);
}

/* A gateway counts in the table's own network: red's 10.0.2.0/24 for a
 * route in red, not for one in the main table. */
static void test_gateway_context(void **state)
{
	_cleanup_free_ char *main_table = errors_of(VRF_BASE "route = 10.0.3.0/24 via 10.0.2.10\n");
	_cleanup_free_ char *in_red =
	    errors_of(VRF_BASE "route = 10.0.3.0/24 via 10.0.2.10 vrf red\n");
	_cleanup_free_ char *in_100 =
	    errors_of(RULE_BASE "route = default via 10.0.2.1 table 100\n");

	assert_string_equal(main_table, "22: gateway 10.0.2.10 of route '10.0.3.0/24' is not on a "
					"connected subnet of node 'r'\n");
	assert_string_equal(in_red, "");
	/* a table of policy rules sees the main table's subnets */
	assert_string_equal(in_100, "");
}

static char *facts_text(const struct topo_lab *lab, const char *node, const char *prefix)
{
	struct facts f = {0};
	struct sbuf b = {0};

	state_expected(lab, &f);
	vec_foreach (x, &f.v)
		if (streq(x->node, node) && strncmp(x->key, prefix, strlen(prefix)) == 0)
			sbuf_addf(&b, "%s|%s\n", x->key, x->value);
	facts_free(&f);
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

static void test_facts(void **state)
{
	struct topo_lab *lab = kind_load(VRF_BASE "route = 10.0.3.0/24 via 10.0.2.10 vrf red\n"
					     "rule = from 10.0.1.0/24 lookup 100 priority 100\n"
					     "rule = fwmark 16 lookup 7\n"
					     "rule = fwmark 0 lookup 8\n"
					     "rule = fwmark 0/0xff lookup 9\n"
					     "rule = -6 iif red lookup local\n");
	_cleanup_free_ char *red = facts_text(lab, "r", "red");
	_cleanup_free_ char *eth0 = facts_text(lab, "r", "eth0 master");
	_cleanup_free_ char *routes = facts_text(lab, "r", "route ");
	_cleanup_free_ char *rules = facts_text(lab, "r", "rule ");

	assert_string_equal(red, "red|vrf\nred mtu|65575\nred state|up\nred table|10\n");
	assert_string_equal(eth0, "eth0 master|red\n");
	assert_string_equal(routes, "route 10.0.3.0/24 table 10|via 10.0.2.10\n");
	/* as show reads the kernel's: a mark alone whole, a mark 0 only with
	 * its mask; the priority the value, when given */
	assert_string_equal(rules, "rule -6 iif red lookup local|\n"
				   "rule from 10.0.1.0/24 lookup 100|priority 100\n"
				   "rule fwmark 0x0/0xff lookup 9|\n"
				   "rule fwmark 0x10 lookup 7|\n"
				   "rule lookup 8|\n");
	topo_lab_free(lab);

	/* diff: the kernel's priority agrees with a file that names none */
	struct facts file = {0}, kernel = {0};
	struct state_diff diff;
	facts_add(&file, "h", "rule from 10.0.1.0/24 lookup 100", "%s", "");
	facts_add(&file, "h", "rule to 10.9.0.0/16 lookup 100", "priority 5");
	facts_add(&kernel, "h", "rule from 10.0.1.0/24 lookup 100", "priority 32765");
	facts_add(&kernel, "h", "rule to 10.9.0.0/16 lookup 100", "priority 6");
	facts_sort(&file);
	facts_sort(&kernel);
	state_compare(&file, &kernel, &diff);
	assert_int_equal(diff.changes.n, 1);
	assert_string_equal(diff.changes.v[0].file->value, "priority 5");
	assert_string_equal(diff.changes.v[0].kernel->value, "priority 6");
	state_diff_free(&diff);
	facts_free(&file);
	facts_free(&kernel);
}

static void test_check_route_words(void **state)
{
	struct check_route want;
	const char *why = NULL;
	char word[64];

	assert_int_equal(check_route_parse("10.0.3.0/24 via 10.0.2.10 table 10", &want, &why, word,
					   sizeof(word)),
			 0);
	assert_int_equal(want.table, 10);
	assert_string_equal(want.table_dev, "");
	assert_int_equal(
	    check_route_parse("default vrf blue dev eth2", &want, &why, word, sizeof(word)), 0);
	assert_string_equal(want.table_dev, "blue");
	assert_string_equal(want.dev, "eth2");
	assert_int_equal(check_route_parse("default", &want, &why, word, sizeof(word)), 0);
	assert_int_equal(want.table, 254);
	assert_int_equal(check_route_parse("default table main", &want, &why, word, sizeof(word)),
			 0);
	assert_int_equal(want.table, 254);
	assert_int_equal(check_route_parse("default table 0", &want, &why, word, sizeof(word)), -1);
	assert_string_equal(word, "0");
	assert_int_equal(
	    check_route_parse("default vrf red table 10", &want, &why, word, sizeof(word)), -1);
	assert_string_equal(word, "table");
	assert_int_equal(check_route_parse("default bridge br0", &want, &why, word, sizeof(word)),
			 -1);
	assert_string_equal(word, "bridge");
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases) + 6];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		tests[n++] = (struct CMUnitTest){.name = cases[i].msg,
						 .test_func = test_bad_case,
						 .initial_state = (void *)&cases[i]};
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_address_spaces);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_plan);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_gateway_context);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_facts);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_check_route_words);
	return _cmocka_run_group_tests("kind-vrf", tests, n, NULL, NULL);
}
