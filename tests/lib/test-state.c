// SPDX-License-Identifier: MIT
/* A lab as facts (state.h): what a topology says, in its own words, and
 * how diff compares them with the kernel's. No kernel here: the kernel's
 * side is written by hand as state_kernel would write it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parse.h"
#include "state.h"
#include "validate.h"

static struct topo_lab *load(const char *ini)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);
	topo_validate(lab, &d);
	vec_foreach(m, &d.msgs) fprintf(stderr, "#   got %s:%u: %s\n", m->loc.file, m->loc.line, m->msg);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	return lab;
}

/* "NODE|KEY|VALUE" lines of the facts. */
static char *text_of(const struct facts *f)
{
	struct sbuf b = {0};
	vec_foreach(x, &f->v) sbuf_addf(&b, "%s|%s|%s\n", x->node, x->key, x->value);
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

static void test_expected_router(void **state)
{
	struct topo_lab *lab = load("[node h1]\naddr = 10.0.1.10/24 dev eth0\nroute = default via 10.0.1.1\n"
				    "route = 10.8.0.0/16 via 10.0.1.1 dev eth0 onlink metric 5\n"
				    "neigh = 10.0.1.1 lladdr 02:00:00:00:00:01 dev eth0\n"
				    "iface = eth0 mtu 1400 mac 02:00:00:00:00:10 delay 5ms\n"
				    "sysctl = net.ipv4.conf.all.rp_filter 2\n"
				    "[node r1]\nforward = yes\naddr = 10.0.1.1/24 dev eth0\n"
				    "[links]\nlink = h1:eth0 r1:eth0\n");
	struct facts f = {0};
	state_expected(lab, &f);
	_cleanup_free_ char *t = text_of(&f);
	const char *want[] = {
		"h1|eth0|veth\n",
		"h1|eth0 mtu|1400\n",
		"h1|eth0 mac|02:00:00:00:00:10\n",
		"h1|eth0 peer|r1:eth0\n",
		"h1|eth0 state|up\n",
		"h1|eth0 impair|delay 5ms\n",
		"h1|addr eth0 10.0.1.10/24|\n",
		"h1|route default|via 10.0.1.1\n",
		"h1|route 10.8.0.0/16|via 10.0.1.1 dev eth0 onlink metric 5\n",
		"h1|neigh 10.0.1.1 dev eth0|02:00:00:00:00:01\n",
		"h1|sysctl net.ipv4.ip_forward|0\n",
		"h1|sysctl net.ipv4.conf.all.rp_filter|2\n",
		"h1|lo state|up\n",
		"r1|eth0 mtu|1500\n", /* veth's default: a change by hand shows */
		"r1|sysctl net.ipv4.ip_forward|1\n",
		"r1|sysctl net.ipv6.conf.all.forwarding|1\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		if (!strstr(t, want[i]))
			fprintf(stderr, "# facts:\n%s# lack %s", t, want[i]);
		assert_non_null(strstr(t, want[i]));
	}
	assert_null(strstr(t, "r1|eth0 mac|")); /* the file sets none */
	facts_free(&f);
	topo_lab_free(lab);
}

/* A VXLAN segment's devices: their settings, and the flood list each
 * member's FDB gets. */
static void test_expected_vxlan(void **state)
{
	struct topo_lab *lab = load("[node a]\naddr = 10.0.0.1/24 dev eth0\n[node b]\naddr = 10.0.0.2/24 dev eth0\n"
				    "[node c]\naddr = 10.0.0.3/24 dev eth0\n[bridge u]\n"
				    "[vxlan vx]\nvni = 7\nmembers = a b c\ndev = eth0\nlearning = no\n"
				    "[links]\nlink = a:eth0 u\nlink = b:eth0 u\nlink = c:eth0 u\n");
	struct facts f = {0};
	state_expected(lab, &f);
	_cleanup_free_ char *t = text_of(&f);
	assert_non_null(strstr(t, "a|vx|vxlan\n"));
	assert_non_null(strstr(t, "a|vx vni|7\n"));
	assert_non_null(strstr(t, "a|vx port|4789\n"));
	assert_non_null(strstr(t, "a|vx local|10.0.0.1\n"));
	assert_non_null(strstr(t, "a|vx dev|eth0\n"));
	assert_non_null(strstr(t, "a|vx learning|no\n"));
	assert_non_null(strstr(t, "a|fdb 00:00:00:00:00:00 dev vx dst 10.0.0.2|\n"));
	assert_non_null(strstr(t, "a|fdb 00:00:00:00:00:00 dev vx dst 10.0.0.3|\n"));
	assert_null(strstr(t, "a|fdb 00:00:00:00:00:00 dev vx dst 10.0.0.1|"));
	assert_null(strstr(t, "a|vx mtu|")); /* the kernel's choice: not compared */
	assert_non_null(strstr(t, "(switch)|a-eth0 master|u\n"));
	assert_non_null(strstr(t, "a|eth0 peer|(switch):a-eth0\n"));
	facts_free(&f);
	topo_lab_free(lab);
}

static void add(struct facts *f, const char *node, const char *key, const char *value)
{
	facts_add(f, node, key, "%s", value);
}

/* "F:KEY=VALUE" / "K:KEY=VALUE" / "FK:KEY=FILE/KERNEL" per change. */
static char *changes(struct facts *file, struct facts *kernel)
{
	struct state_diff d;
	struct sbuf b = {0};

	facts_sort(file);
	facts_sort(kernel);
	state_compare(file, kernel, &d);
	vec_foreach(c, &d.changes)
	{
		if (c->file && c->kernel)
			sbuf_addf(&b, "FK:%s=%s/%s\n", c->file->key, c->file->value, c->kernel->value);
		else if (c->file)
			sbuf_addf(&b, "F:%s=%s\n", c->file->key, c->file->value);
		else
			sbuf_addf(&b, "K:%s=%s\n", c->kernel->key, c->kernel->value);
	}
	state_diff_free(&d);
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

static void test_compare(void **state)
{
	struct facts f = {0}, k = {0};
	/* routes: the file's words must be there; the kernel's extra ones may */
	add(&f, "h", "route default", "via 10.0.0.1");
	add(&k, "h", "route default", "via 10.0.0.1 dev eth0");
	add(&f, "h", "route default6", "via fd00::1");
	add(&k, "h", "route default6", "via fd00::1 dev eth0 metric 1024");
	add(&f, "h", "route 10.1.0.0/16", "via 10.0.0.1 metric 5");
	add(&k, "h", "route 10.1.0.0/16", "via 10.0.0.1 dev eth0 metric 50");
	/* a MAC and an MTU the file does not set are the kernel's business */
	add(&f, "h", "eth0", "veth");
	add(&k, "h", "eth0", "veth");
	add(&k, "h", "eth0 mac", "02:aa:00:00:00:01");
	add(&f, "h", "eth0 state", "up");
	add(&k, "h", "eth0 state", "down");
	/* an interface only the kernel has: one change, not one per fact */
	add(&k, "h", "dummy9", "veth");
	add(&k, "h", "dummy9 mtu", "1500");
	add(&k, "h", "dummy9 state", "up");
	/* two entries with one key: the one that agrees pairs first */
	add(&f, "h", "route 10.2.0.0/16", "via 10.0.0.2");
	add(&k, "h", "route 10.2.0.0/16", "via 10.0.0.3 dev eth0 metric 9");
	add(&k, "h", "route 10.2.0.0/16", "via 10.0.0.2 dev eth0");
	add(&f, "h", "addr eth0 10.0.0.9/24", "");
	_cleanup_free_ char *c = changes(&f, &k);
	assert_string_equal(c, "F:addr eth0 10.0.0.9/24=\n"
			       "K:dummy9=veth\n"
			       "FK:eth0 state=up/down\n"
			       "FK:route 10.1.0.0/16=via 10.0.0.1 metric 5/via 10.0.0.1 dev eth0 metric 50\n"
			       "K:route 10.2.0.0/16=via 10.0.0.3 dev eth0 metric 9\n");
	facts_free(&f);
	facts_free(&k);
	/* nothing to say: nothing said */
	struct facts e1 = {0}, e2 = {0};
	add(&e1, "h", "lo state", "up");
	add(&e2, "h", "lo state", "up");
	_cleanup_free_ char *none = changes(&e1, &e2);
	assert_string_equal(none, "");
	facts_free(&e1);
	facts_free(&e2);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_router),
		cmocka_unit_test(test_expected_vxlan),
		cmocka_unit_test(test_compare),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
