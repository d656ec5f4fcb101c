// SPDX-License-Identifier: MIT
/* The IP tunnel kinds on this host's kernel, in labs named nslt-tun-*: a
 * kernel without the module (this host lacks all five) makes up refuse
 * before it creates anything; a kernel with it carries a ping. The VM
 * suite (tests/vm/tunnels.sh) runs them on Debian's kernel. */
#include "harness.h"

struct case_ {
	const char *kind, *title, *module;
	const char *section; /* after two nodes a and b linked by eth0 */
	const char *ping;    /* from a */
};

#define NODES                                                                  \
	"[node a]\naddr = 192.0.2.1/24 dev eth0\naddr = fd00::1/64 dev eth0\n" \
	"addr = %s dev t0\n[node b]\naddr = 192.0.2.2/24 dev eth0\n"           \
	"addr = fd00::2/64 dev eth0\naddr = %s dev t0\n[links]\nlink = a:eth0 b:eth0\n"

static const struct case_ cases[] = {
    {"ipip", "IPIP", "ipip", "[ipip t0]\nmembers = a b\ndev = eth0\n", "10.9.0.2"},
    {"sit", "SIT", "sit", "[sit t0]\nmembers = a b\ndev = eth0\n", "fd09::2"},
    {"ip6tnl", "ip6tnl", "ip6_tunnel", "[ip6tnl t0]\nmembers = a b\ndev = eth0\n", "fd09::2"},
    {"gretap", "GRETAP", "ip_gre", "[gretap t0]\nmembers = a b\ndev = eth0\nkey = 7\n", "10.9.0.2"},
    {"ip6gre", "ip6gre", "ip6_gre", "[ip6gre t0]\nmembers = a b\ndev = eth0\nkey = 7\n", "fd09::2"},
};

static int teardown(void **state)
{
	const struct case_ *c = *state;
	(void)sh("%s down nslt-tun-%s >/dev/null 2>&1; rm -f /tmp/nslt-tun-%s.ini", nslab(),
		 c->kind, c->kind);
	return 0;
}

/* Does this kernel make a device of the kind? Asked of ip(8) in a
 * namespace of our own, not of nslab. */
static bool kernel_has(const char *kind)
{
	int r = sh("ip netns add nslt-tun-probe && ip -n nslt-tun-probe link add t0 type %s "
		   ">/dev/null 2>&1; r=$?; ip netns del nslt-tun-probe; exit $r",
		   kind);
	return r == 0;
}

/* Write the case's lab file; returns its path. */
static char *write_lab(const struct case_ *c)
{
	bool v6 = strchr(c->ping, ':');
	char *file = xasprintf("/tmp/nslt-tun-%s.ini", c->kind);
	FILE *f = fopen(file, "we");

	assert_non_null(f);
	fprintf(f, "[lab]\nname = nslt-tun-%s\n" NODES "%s[expect]\nreach = a %s\n", c->kind,
		v6 ? "fd09::1/64" : "10.9.0.1/24", v6 ? "fd09::2/64" : "10.9.0.2/24", c->section,
		c->ping);
	fclose(f);
	return file;
}

/* A kernel without the kind: up refuses before it creates anything. */
static void test_refused(void **state)
{
	const struct case_ *c = *state;

	if (kernel_has(c->kind)) {
		diag("skipped: this kernel has %s; nothing to refuse", c->kind);
		skip();
	}
	_cleanup_free_ char *file = write_lab(c);
	_cleanup_free_ char *before = capture("ip netns list");
	_cleanup_free_ char *out = capture("%s up %s 2>&1; echo rc=$?", nslab(), file);
	_cleanup_free_ char *want =
	    xasprintf("nslab: up 'nslt-tun-%s' failed: kernel lacks %s support "
		      "(module %s); nothing was created\nrc=1",
		      c->kind, c->title, c->module);
	assert_string_equal(out, want);
	_cleanup_free_ char *after = capture("ip netns list");
	assert_string_equal(before, after);
	_cleanup_free_ char *lab = xasprintf("nslt-tun-%s", c->kind);
	assert_lab_gone(lab);
}

/* A kernel with the kind: the device is made and carries a ping. */
static void test_traffic(void **state)
{
	const struct case_ *c = *state;

	if (!kernel_has(c->kind)) {
		diag("skipped: kernel lacks %s (module %s); the VM suite (tests/vm/tunnels.sh) "
		     "runs it on Debian's kernel",
		     c->kind, c->module);
		skip();
	}
	_cleanup_free_ char *file = write_lab(c);
	assert_sh(0, "%s up %s >/dev/null", nslab(), file);
	_cleanup_free_ char *kind = capture(
	    "ip -d -j -n nslt-tun-%s-a link show t0 | jq -r '.[0].linkinfo.info_kind'", c->kind);
	assert_string_equal(kind, c->kind);
	assert_sh(0, "ip netns exec nslt-tun-%s-a ping -c1 -W2 -q %s >/dev/null", c->kind, c->ping);
	assert_sh(0, "%s diff nslt-tun-%s %s >/dev/null", nslab(), c->kind, file);
	assert_sh(0, "%s down nslt-tun-%s >/dev/null", nslab(), c->kind);
	_cleanup_free_ char *lab = xasprintf("nslt-tun-%s", c->kind);
	assert_lab_gone(lab);
}

static int teardown_scenario(void **state)
{
	(void)sh("%s down nslt-tun-ipipsc >/dev/null 2>&1", nslab());
	return 0;
}

/* The shipped IPIP scenario, under a name of ours: refused whole, or up. */
static void test_ipip_scenario(void **state)
{
	bool has = kernel_has("ipip");
	_cleanup_free_ char *before = capture("ip netns list");
	_cleanup_free_ char *out =
	    capture("%s up --name nslt-tun-ipipsc %s/topologies/ipip.ini 2>&1; "
		    "echo rc=$?",
		    nslab(), srcdir());
	if (!has) {
		assert_string_equal(out,
				    "nslab: up 'nslt-tun-ipipsc' failed: kernel lacks IPIP support "
				    "(module ipip); nothing was created\nrc=1");
		_cleanup_free_ char *after = capture("ip netns list");
		assert_string_equal(before, after);
		assert_lab_gone("nslt-tun-ipipsc");
		return;
	}
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "%s check nslt-tun-ipipsc >/dev/null", nslab());
	assert_sh(0, "%s down nslt-tun-ipipsc >/dev/null", nslab());
	assert_lab_gone("nslt-tun-ipipsc");
}

int main(void)
{
	struct CMUnitTest tests[2 * ARRAY_SIZE(cases) + 1];
	char names[2 * ARRAY_SIZE(cases)][48];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(names[n], sizeof(names[n]), "%s: up refused without it", cases[i].kind);
		tests[n] = (struct CMUnitTest){.name = names[n],
					       .test_func = test_refused,
					       .teardown_func = teardown,
					       .initial_state = (void *)&cases[i]};
		n++;
		snprintf(names[n], sizeof(names[n]), "%s: a ping across it", cases[i].kind);
		tests[n] = (struct CMUnitTest){.name = names[n],
					       .test_func = test_traffic,
					       .teardown_func = teardown,
					       .initial_state = (void *)&cases[i]};
		n++;
	}
	tests[n++] =
	    (struct CMUnitTest)cmocka_unit_test_teardown(test_ipip_scenario, teardown_scenario);
	return _cmocka_run_group_tests("iptun", tests, n, require_root, NULL);
}
