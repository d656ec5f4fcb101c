// SPDX-License-Identifier: MIT
/* nslab graph's text (graph.h): the exact dot and mermaid of a two-node
 * lab, Kubernetes nodes boxed with their pods in every model, tunnels by
 * segment, interfaces down, names escaped, the same bytes every time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gen.h"
#include "graph.h"
#include "parse.h"
#include "validate.h"

static struct topo_lab *load(const char *ini)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);
	topo_validate(lab, &d);
	vec_foreach (m, &d.msgs)
		fprintf(stderr, "#   got %s:%u: %s\n", m->loc.file, m->loc.line, m->msg);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	return lab;
}

static char *draw(const char *ini, enum graph_format f, const struct strvec *down)
{
	struct topo_lab *lab = load(ini);
	struct sbuf out = {0};
	graph_write(lab, down, f, &out);
	topo_lab_free(lab);
	return sbuf_steal(&out);
}

static char *draw_file(const char *path, enum graph_format f)
{
	struct diag d = {0};
	int e = 0;
	struct topo_lab *lab = topo_load(path, &d, &e);
	diag_print(&d, stderr);
	assert_non_null(lab);
	diag_free(&d);
	struct sbuf out = {0};
	graph_write(lab, NULL, f, &out);
	topo_lab_free(lab);
	return sbuf_steal(&out);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static const char two_nodes[] = "[lab]\nname = two-nodes\n"
				"[node h1]\naddr = 10.0.0.1/24 dev eth0\n"
				"[node h2]\naddr = 10.0.0.2/24 dev eth0\n"
				"[links]\nlink = h1:eth0 h2:eth0\n";

static void test_two_nodes_dot(void **state)
{
	_cleanup_free_ char *t = draw(two_nodes, GRAPH_DOT, NULL);
	assert_string_equal(
	    t, "// nslab graph of lab 'two-nodes'\n"
	       "graph \"two-nodes\" {\n"
	       "\tgraph [label=\"lab two-nodes\", labelloc=t, fontname=\"Helvetica\", nodesep=0.4, "
	       "ranksep=0.7];\n"
	       "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	       "\tedge [fontname=\"Helvetica\", fontsize=8, labelfontsize=8, labeldistance=2];\n"
	       "\t\"n:h1\" [label=\"h1\", shape=box, style=\"rounded,filled\", "
	       "fillcolor=\"#fdf6e3\"];\n"
	       "\t\"n:h2\" [label=\"h2\", shape=box, style=\"rounded,filled\", "
	       "fillcolor=\"#fdf6e3\"];\n"
	       "\t\"n:h1\" -- \"n:h2\" [taillabel=\"eth0\\n10.0.0.1/24\", "
	       "headlabel=\"eth0\\n10.0.0.2/24\", "
	       "color=\"#333333\"];\n"
	       "}\n");
}

static void test_two_nodes_mermaid(void **state)
{
	_cleanup_free_ char *t = draw(two_nodes, GRAPH_MERMAID, NULL);
	assert_string_equal(t, "%% nslab graph of lab 'two-nodes'\n"
			       "flowchart TB\n"
			       "  v0(\"h1\")\n"
			       "  v1(\"h2\")\n"
			       "  v0 ---|\"h1: eth0 10.0.0.1/24<br/>h2: eth0 10.0.0.2/24\"| v1\n");
}

/* One link down of two: that one dashed, red and labelled, the other not. */
static void test_down(void **state)
{
	static const char ini[] =
	    "[node h1]\naddr = 10.0.1.10/24 dev eth0\n"
	    "[node r1]\nforward = yes\n"
	    "[node h2]\naddr = 10.0.2.10/24 dev eth0\n"
	    "[links]\nlink = h1:eth0 r1:eth0 delay 5ms\nlink = r1:eth1 h2:eth0\n";
	struct strvec down = {0};
	vec_push(&down, xstrdup("r1:eth1"));
	_cleanup_free_ char *dot = draw(ini, GRAPH_DOT, &down);
	_cleanup_free_ char *mmd = draw(ini, GRAPH_MERMAID, &down);
	_cleanup_free_ char *up = draw(ini, GRAPH_DOT, NULL);
	strvec_free(&down);

	assert_int_equal(count(dot, "label=\"down\""), 1);
	assert_int_equal(count(dot, "style=dashed, color=red"), 1);
	assert_non_null(strstr(
	    dot, "\"n:r1\" -- \"n:h2\" [taillabel=\"eth1\", headlabel=\"eth0\\n10.0.2.10/24\", "
		 "label=\"down\", style=dashed, color=red"));
	assert_null(strstr(up, "red"));
	/* a link's impairment at both ends (each end's outgoing traffic) */
	assert_non_null(
	    strstr(up, "\t\"n:h1\" -- \"n:r1\" [taillabel=\"eth0\\n10.0.1.10/24\\ndelay 5ms\", "
		       "headlabel=\"eth0\\ndelay 5ms\", color="));
	/* mermaid: the third edge (v0 -- v1 is the first, counted from 0) */
	assert_non_null(
	    strstr(mmd, "  v1 -.-|\"down<br/>r1: eth1<br/>h2: eth0 10.0.2.10/24\"| v2\n"));
	assert_non_null(strstr(mmd, "  linkStyle 1 stroke:red,stroke-width:2px,color:red\n"));
	assert_int_equal(count(mmd, "linkStyle"), 1);
}

/* Every Kubernetes model, as nslab gen k8s writes it: one box per node
 * with its pods and (flannel, host-gw) cni0 in it; the switch outside. */
static void test_k8s_groups(void **state)
{
	for (int m = 0; m < _GEN_MODEL_MAX; m++) {
		_cleanup_free_ char *ini = gen_k8s(m, 3, 2, NULL, 0);
		_cleanup_free_ char *dot = draw(ini, GRAPH_DOT, NULL);
		_cleanup_free_ char *mmd = draw(ini, GRAPH_MERMAID, NULL);
		print_message("# model %s\n", gen_model_to_string(m));
		assert_int_equal(count(dot, "subgraph \"cluster_node"), 3);
		assert_int_equal(count(mmd, "  subgraph c"), 3);
		const char *box = strstr(dot, "subgraph \"cluster_node2\" {");
		assert_non_null(box);
		_cleanup_free_ char *inside = xstrndup(box, strstr(box, "\t}\n") - box);
		assert_non_null(strstr(inside, "label=\"node2 and 2 nodes behind it\""));
		assert_non_null(strstr(inside, "\"n:node2\" ["));
		assert_non_null(strstr(inside, "\"n:pod2-1\" ["));
		assert_non_null(strstr(inside, "\"n:pod2-2\" ["));
		assert_null(strstr(inside, "pod1-"));
		assert_null(strstr(inside, "underlay"));
		assert_true(!!strstr(inside, "\"b:node2:cni0\" [") == (m != GEN_CALICO_ROUTED));
	}
	/* a lab without a node that others hang from has no box */
	_cleanup_free_ char *dot = draw(two_nodes, GRAPH_DOT, NULL);
	assert_null(strstr(dot, "subgraph"));
}

/* Tunnels through the kind table: flannel's three flannel.1 (one device
 * each, same VNI) meet at one segment; a GRE pair is one edge. */
static void test_tunnels(void **state)
{
	_cleanup_free_ char *ini = gen_k8s(GEN_FLANNEL_VXLAN, 3, 2, NULL, 0);
	_cleanup_free_ char *dot = draw(ini, GRAPH_DOT, NULL);
	assert_int_equal(count(dot, "shape=hexagon"), 1);
	assert_non_null(strstr(dot, "\"t:1\" [label=\"vxlan\\nvni 1\\nport 8472\", shape=hexagon"));
	for (int n = 1; n <= 3; n++) {
		_cleanup_free_ char *e =
		    xasprintf("\"t:1\" -- \"n:node%d\" [label=\"flannel.1\\n10.244.%d.0/32\", "
			      "style=bold",
			      n, n);
		assert_non_null(strstr(dot, e));
	}

	static const char gre[] =
	    "[node r1]\naddr = 192.168.0.1/24 dev eth0\naddr = 10.9.0.1/30 dev gre1\n"
	    "[node r2]\naddr = 192.168.0.2/24 dev eth0\naddr = 10.9.0.2/30 dev gre1\n"
	    "[gre gre1]\nmembers = r1 r2\ndev = eth0\nkey = 7\n"
	    "[links]\nlink = r1:eth0 r2:eth0\n";
	_cleanup_free_ char *g = draw(gre, GRAPH_DOT, NULL);
	assert_null(strstr(g, "hexagon"));
	assert_non_null(
	    strstr(g, "\"n:r1\" -- \"n:r2\" [taillabel=\"gre1\\n10.9.0.1/30\", "
		      "headlabel=\"gre1\\n10.9.0.2/30\", label=\"GRE gre1\\nlocal 192.168.0.1\\n"
		      "remote 192.168.0.2\\nkey 7\", style=bold"));
	/* one end down: the tunnel is down, the veth under it is not */
	struct strvec down = {0};
	vec_push(&down, xstrdup("r2:gre1"));
	_cleanup_free_ char *d = draw(gre, GRAPH_DOT, &down);
	strvec_free(&down);
	assert_int_equal(count(d, "label=\"down\\nGRE gre1"), 1);
	assert_int_equal(count(d, " color=red"), 1);
}

/* Names with dashes and dots are quoted whole in dot and never part of a
 * mermaid id; what mermaid's parser reads in a label becomes an entity. */
static void test_escaping(void **state)
{
	static const char ini[] = "[lab]\nname = my-lab.v2\n"
				  "[node web-1.a]\naddr = 10.0.0.1/24 dev eth-0.x\n"
				  "[node db_2]\naddr = 10.0.0.2/24 dev e.1\n"
				  "[links]\nlink = web-1.a:eth-0.x db_2:e.1\n";
	_cleanup_free_ char *dot = draw(ini, GRAPH_DOT, NULL);
	_cleanup_free_ char *mmd = draw(ini, GRAPH_MERMAID, NULL);
	assert_non_null(strstr(dot, "graph \"my-lab.v2\" {\n"));
	assert_non_null(strstr(dot, "\t\"n:web-1.a\" [label=\"web-1.a\", "));
	assert_non_null(
	    strstr(dot, "\t\"n:web-1.a\" -- \"n:db_2\" [taillabel=\"eth-0.x\\n10.0.0.1/24\""));
	assert_non_null(strstr(mmd, "  v0(\"web-1.a\")\n  v1(\"db_2\")\n"));
	assert_non_null(strstr(
	    mmd, "  v0 ---|\"web-1.a: eth-0.x 10.0.0.1/24<br/>db_2: e.1 10.0.0.2/24\"| v1\n"));

	/* what the parser never lets through, built by hand: quotes, a
	 * backslash, mermaid's '#' and '<' */
	struct topo_lab *lab = topo_lab_new("t.ini");
	lab->name = xstrdup("l\"1");
	struct topo_loc loc = {.file = "t.ini", .line = 1};
	topo_node_add(lab, "a\"b\\c#<d>", &loc);
	struct sbuf out = {0};
	graph_write(lab, NULL, GRAPH_DOT, &out);
	assert_non_null(strstr(out.s, "graph \"l\\\"1\" {\n"));
	assert_non_null(strstr(out.s, "\t\"n:a\\\"b\\\\c#<d>\" [label=\"a\\\"b\\\\c#<d>\", "));
	sbuf_reset(&out);
	graph_write(lab, NULL, GRAPH_MERMAID, &out);
	assert_string_equal(out.s, "%% nslab graph of lab 'l#quot;1'\nflowchart TB\n"
				   "  v0(\"a#quot;b\\c#35;#lt;d#gt;\")\n");
	sbuf_free(&out);
	topo_lab_free(lab);

	/* the HTML page: the dot source escaped, and without an SVG a note */
	struct sbuf page = {0};
	graph_html("a<b", NULL, "graph \"x\" { \"a&b\" -- \"<c>\" }", &page);
	assert_non_null(strstr(page.s, "<title>nslab graph: lab a&lt;b</title>"));
	assert_non_null(strstr(page.s, "graph \"x\" { \"a&amp;b\" -- \"&lt;c&gt;\" }"));
	assert_non_null(strstr(page.s, "Debian package <code>graphviz</code>"));
	assert_null(strstr(page.s, "<svg"));
	sbuf_free(&page);
	graph_html("l", "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg width=\"1pt\"></svg>\n", "g",
		   &page);
	assert_non_null(strstr(page.s, "</h1>\n<svg width=\"1pt\"></svg>\n<details>"));
	assert_null(strstr(page.s, "<?xml"));
	assert_null(strstr(page.s, "DOCTYPE svg"));
	sbuf_free(&page);
}

/* Every shipped topology: the same bytes twice, from two parses. */
static void test_deterministic(void **state)
{
	const char *src = getenv("NSLAB_SRCDIR");
	static const char *const names[] = {"bgp",
					    "evpn-static",
					    "gre",
					    "ipip",
					    "k8s-calico-routed",
					    "k8s-flannel-vxlan",
					    "k8s-host-gw",
					    "lan",
					    "vlan",
					    "vrf",
					    "vxlan",
					    "wireguard"};
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		_cleanup_free_ char *path =
		    xasprintf("%s/topologies/%s.ini", src ? src : ".", names[k]);
		for (int f = 0; f < _GRAPH_FORMAT_MAX; f++) {
			_cleanup_free_ char *a = draw_file(path, f), *b = draw_file(path, f);
			assert_string_equal(a, b);
		}
	}
	assert_int_equal(graph_format_from_string("mermaid"), GRAPH_MERMAID);
	assert_int_equal(graph_format_from_string("svg"), _GRAPH_FORMAT_INVALID);
	assert_string_equal(graph_format_to_string(GRAPH_DOT), "dot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_nodes_dot), cmocka_unit_test(test_two_nodes_mermaid),
	    cmocka_unit_test(test_down),	  cmocka_unit_test(test_k8s_groups),
	    cmocka_unit_test(test_tunnels),	  cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
