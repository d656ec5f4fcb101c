// SPDX-License-Identifier: MIT
/* nslab graph of running labs named nslt-gr-*: a link taken down by
 * 'nslab link' or by ip(8), and a tunnel's end, are drawn down, and only
 * they; the running lab's graph is its file's otherwise. SVG and HTML
 * through Graphviz when it is installed; without dot on PATH, svg fails
 * and writes nothing. */
#include "harness.h"

#include <stdlib.h>
#include <unistd.h>

/* The lines of lab's graph (format fmt) that have "down" in them. */
static char *down_lines(const char *lab, const char *fmt)
{
	char *out = capture(
	    "%s graph -f %s %s | grep -e 'label=\"down' -e '\"down<br/>' -e linkStyle; true",
	    nslab(), fmt, lab);
	assert_non_null(out);
	return out;
}

static int teardown_router(void **state)
{
	(void)sh("%s down nslt-gr-router >/dev/null 2>&1", nslab());
	return 0;
}

static void test_link_down(void **state)
{
	const char *lab = "nslt-gr-router";
	assert_sh(0, "%s up --name %s %s/topologies/router.ini >/dev/null", nslab(), lab, srcdir());

	/* all up: the file's picture, under the running lab's name */
	assert_sh(0,
		  "%s graph %s/topologies/router.ini | sed \"s/'router'/'%s'/; "
		  "s/\\\"router\\\"/\\\"%s\\\"/; "
		  "s/lab router/lab %s/\" >/tmp/%s.want && %s graph %s >/tmp/%s.got && "
		  "cmp /tmp/%s.want /tmp/%s.got",
		  nslab(), srcdir(), lab, lab, lab, lab, nslab(), lab, lab, lab, lab);
	(void)sh("rm -f /tmp/%s.want /tmp/%s.got", lab, lab);
	_cleanup_free_ char *none = down_lines(lab, "dot");
	assert_string_equal(none, "");

	/* nslab link: r1:eth1 and h2:eth0 go down, one link */
	assert_sh(0, "%s link %s r1:eth1 down >/dev/null", nslab(), lab);
	_cleanup_free_ char *one = down_lines(lab, "dot");
	assert_string_equal(
	    one, "\t\"n:r1\" -- \"n:h2\" [taillabel=\"eth1\\n10.0.2.1/24\\nfd00:2::1/64\", "
		 "headlabel=\"eth0\\n10.0.2.10/24\\nfd00:2::10/64\", label=\"down\", "
		 "style=dashed, color=red, fontcolor=red, penwidth=2];");
	_cleanup_free_ char *mmd = down_lines(lab, "mermaid");
	assert_string_equal(mmd,
			    "  v1 -.-|\"down<br/>r1: eth1 10.0.2.1/24 fd00:2::1/64<br/>h2: eth0 "
			    "10.0.2.10/24 fd00:2::10/64\"| v2\n"
			    "  linkStyle 1 stroke:red,stroke-width:2px,color:red");
	/* the lab picked as the only one up, written to a file */
	_cleanup_free_ char *other = capture("%s ls --json | jq '.labs | length'", nslab());
	if (other && streq(other, "1")) {
		assert_sh(
		    0,
		    "%s graph -o /tmp/%s.dot && grep -c 'label=\"down\"' /tmp/%s.dot | grep -qx 1",
		    nslab(), lab, lab);
		(void)sh("rm -f /tmp/%s.dot", lab);
	}

	/* back up: nothing down; then ip(8) takes h1's end of the other down */
	assert_sh(0, "%s link %s r1:eth1 up >/dev/null", nslab(), lab);
	_cleanup_free_ char *again = down_lines(lab, "dot");
	assert_string_equal(again, "");
	assert_sh(0, "ip -n %s-h1 link set eth0 down", lab);
	_cleanup_free_ char *ip = down_lines(lab, "dot");
	assert_non_null(strstr(ip, "\t\"n:h1\" -- \"n:r1\" [taillabel=\"eth0\\n10.0.1.10/24"));
	assert_null(strchr(ip, '\n')); /* that line only */

	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
	assert_lab_gone(lab);
	/* a lab that is not up, and not a file */
	_cleanup_free_ char *gone = capture("%s graph %s 2>&1; echo rc=$?", nslab(), lab);
	assert_non_null(strstr(
	    gone,
	    "nslab: graph: lab 'nslt-gr-router' is not up ('nslab ls' lists the labs)\nrc=1"));
}

static int teardown_k8s(void **state)
{
	(void)sh("%s down nslt-gr-k8s >/dev/null 2>&1", nslab());
	return 0;
}

/* flannel: one node's flannel.1 down is that node's edge to the VXLAN
 * segment, and a pod's veth is its edge to cni0. */
static void test_tunnel_down(void **state)
{
	const char *lab = "nslt-gr-k8s";
	assert_sh(0, "%s up --name %s %s/topologies/k8s-flannel-vxlan.ini >/dev/null", nslab(), lab,
		  srcdir());
	_cleanup_free_ char *none = down_lines(lab, "dot");
	assert_string_equal(none, "");
	assert_sh(0, "ip -n %s-node2 link set flannel.1 down", lab);
	_cleanup_free_ char *t = down_lines(lab, "dot");
	assert_string_equal(t,
			    "\t\"t:1\" -- \"n:node2\" [label=\"down\\nflannel.1\\n10.244.2.0/32\", "
			    "style=dashed, color=red, fontcolor=red, penwidth=2];");
	assert_sh(0, "ip -n %s-node2 link set flannel.1 up && ip -n %s-pod3-2 link set eth0 down",
		  lab, lab);
	_cleanup_free_ char *p = down_lines(lab, "dot");
	assert_string_equal(
	    p, "\t\"b:node3:cni0\" -- \"n:pod3-2\" [label=\"down\\neth0\\n10.244.3.3/24\", "
	       "style=dashed, color=red, fontcolor=red, penwidth=2];");
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
	assert_lab_gone(lab);
}

/* SVG and HTML need Graphviz's dot; without it on PATH svg says which
 * package and writes nothing, html still writes a page with the source. */
static void test_svg(void **state)
{
	const char *out = "/tmp/nslt-gr-pic";
	(void)sh("rm -f %s.svg %s.html", out, out);
	_cleanup_free_ char *nodot =
	    capture("env PATH=/nonexistent %s graph %s/topologies/router.ini -o %s.svg "
		    "2>&1; echo rc=$?",
		    nslab(), srcdir(), out);
	assert_string_equal(
	    nodot,
	    "nslab: graph: --format svg needs Graphviz's 'dot', which is not installed "
	    "(Debian package graphviz: apt-get install graphviz); nothing was written\nrc=1");
	assert_int_equal(access("/tmp/nslt-gr-pic.svg", F_OK), -1);
	assert_sh(
	    0,
	    "env PATH=/nonexistent %s graph -f html %s/topologies/router.ini -o %s.html "
	    "2>/dev/null && "
	    "grep -q 'Debian package <code>graphviz</code>' %s.html && ! grep -q '<svg' %s.html",
	    nslab(), srcdir(), out, out, out);
	(void)sh("rm -f %s.html", out);

	if (sh("command -v dot >/dev/null") != 0) {
		diag("skipped: Graphviz's dot is not installed (Debian package graphviz, in "
		     "NSLAB_TEST_PACKAGES): no SVG to check");
		skip();
		return;
	}
	assert_sh(0, "%s graph %s/topologies/router.ini -o %s.svg", nslab(), srcdir(), out);
	assert_sh(0, "head -c 5 %s.svg | grep -qx -e '<?xml' -e '<svg '", out);
	for (const char *const *n = (const char *const[]){"h1", "r1", "h2", NULL}; *n; n++)
		assert_sh(0, "grep -q '>%s</text>' %s.svg", *n, out);
	assert_sh(
	    0,
	    "%s graph -f svg %s/topologies/k8s-flannel-vxlan.ini | grep -q '>pod3\\&#45;2</text>'",
	    nslab(), srcdir());
	assert_sh(
	    0,
	    "%s graph -f html %s/topologies/router.ini -o %s.html && head -1 %s.html | grep -qx "
	    "'<!DOCTYPE html>' && grep -q '^<svg ' %s.html && grep -q '>r1</text>' %s.html && "
	    "! grep -q '<?xml' %s.html && tail -1 %s.html | grep -qx '</html>'",
	    nslab(), srcdir(), out, out, out, out, out, out);
	(void)sh("rm -f %s.svg %s.html", out, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_link_down, teardown_router),
	    cmocka_unit_test_teardown(test_tunnel_down, teardown_k8s),
	    cmocka_unit_test(test_svg),
	};
	return cmocka_run_group_tests_name("graph", tests, require_root, NULL);
}
