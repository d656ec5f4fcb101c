// SPDX-License-Identifier: MIT
/* [expect], nslab check and nslab test: every scenario holds its own
 * expectations; a false one fails, is named, and the lab still goes. */
#include "harness.h"

static const char *const scenarios[] = {
	"two-nodes", "lan", "router", "onlink", "gre", "vxlan", "k8s-flannel-vxlan", "k8s-host-gw", "dns",
	"k8s-calico-routed",
};

static void test_scenario(void **state)
{
	const char *name = *state;
	_cleanup_free_ char *out = capture("%s test --junit /tmp/nslab-junit-%s.xml %s/topologies/%s.ini 2>&1; echo rc=$?",
					   nslab(), name, srcdir(), name);
	if (strstr(out, "kernel lacks")) {
		/* the code is real; this kernel cannot run it (see tests/vm) */
		diag("skipped: %s", strstr(out, "kernel lacks"));
		assert_lab_gone(name);
		free(steal_pointer(&out)); /* skip() jumps past the cleanup */
		skip();
	}
	if (exit_status(out) != 0)
		diag("%s", out);
	assert_int_equal(exit_status(out), 0);
	_cleanup_free_ char *junit = capture("grep -c '<testcase' /tmp/nslab-junit-%s.xml; grep -c '<failure' /tmp/nslab-junit-%s.xml", name, name);
	assert_int_not_equal(atoi(junit), 0);
	assert_non_null(strstr(junit, "\n0"));
	(void)sh("rm -f /tmp/nslab-junit-%s.xml", name);
	assert_lab_gone(name);
}

static const char *const broken =
	"[lab]\nname = exp\n[node a]\naddr = 10.7.0.1/24 dev eth0\n[node b]\naddr = 10.7.0.2/24 dev eth0\n"
	"[node c]\naddr = 10.7.1.1/32 dev lo\n[links]\nlink = a:eth0 b:eth0\n[expect]\nreach = a b\n"
	"noreach = a c\nnoreach = a b\nexec = a true\nexec = b false\n";

static void test_failing_expectations(void **state)
{
	FILE *f = fopen("/tmp/nslab-exp.ini", "we");
	assert_non_null(f);
	fputs(broken, f);
	fclose(f);
	_cleanup_free_ char *out =
		capture("%s test --junit /tmp/nslab-exp.xml /tmp/nslab-exp.ini 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(out, "  ok    reach a -> b (10.7.0.2)"));
	assert_non_null(strstr(out, "  ok    noreach a -/-> c (10.7.1.1)"));
	assert_non_null(strstr(out, "  FAIL  noreach a -/-> b (10.7.0.2): it is reachable (/tmp/nslab-exp.ini:14)"));
	assert_non_null(strstr(out, "  ok    exec in a: true"));
	assert_non_null(strstr(out, "  FAIL  exec in b: false: exit status 1 (/tmp/nslab-exp.ini:16)"));
	assert_non_null(strstr(out, "3 of 5 expectations hold in lab 'exp'"));
	assert_int_equal(exit_status(out), 1);
	assert_lab_gone("exp"); /* down even though checks failed */
	_cleanup_free_ char *xml = capture("grep -o 'failures=\"[0-9]*\"' /tmp/nslab-exp.xml | head -1");
	assert_string_equal(xml, "failures=\"2\"");

	/* check against a running lab, with --json */
	assert_sh(0, "%s up /tmp/nslab-exp.ini >/dev/null", nslab());
	_cleanup_free_ char *json = capture("%s check --json exp | jq -r '\"\\(.expectations) \\(.failed)\"'", nslab());
	assert_string_equal(json, "5 2");
	assert_sh(1, "%s check exp >/dev/null", nslab());
	assert_sh(0, "%s down exp >/dev/null", nslab());
	assert_lab_gone("exp");
	(void)sh("rm -f /tmp/nslab-exp.ini /tmp/nslab-exp.xml");
}

static int teardown(void **state)
{
	/* the labs these tests make, by name: never another's */
	(void)sh("%s down exp >/dev/null 2>&1", nslab());
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		(void)sh("%s down %s >/dev/null 2>&1", nslab(), scenarios[i]);
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(scenarios) + 1];
	char names[ARRAY_SIZE(scenarios)][64];

	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		snprintf(names[i], sizeof(names[i]), "nslab test %s", scenarios[i]);
		tests[i] = (struct CMUnitTest){.name = names[i],
					       .test_func = test_scenario,
					       .initial_state = (void *)scenarios[i],
					       .teardown_func = teardown};
	}
	tests[ARRAY_SIZE(scenarios)] = (struct CMUnitTest){.name = "failing expectations",
							   .test_func = test_failing_expectations,
							   .teardown_func = teardown};
	return _cmocka_run_group_tests("expect", tests, ARRAY_SIZE(tests), require_root, NULL);
}
