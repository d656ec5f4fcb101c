// SPDX-License-Identifier: MIT
/* WireGuard on this host: where the kernel lacks it (module wireguard),
 * up refuses before it creates anything; where it has it, the mesh
 * carries traffic. The plan's key lines run with wireguard-tools alone.
 * The VM suite (tests/vm/wireguard.sh) runs the rest on Debian's kernel. */
#include "harness.h"

#define LAB "nslt-wg-host"

static int teardown(void **state)
{
	(void)sh("%s down " LAB " >/dev/null 2>&1", nslab());
	return 0;
}

static void test_up_here(void **state)
{
	_cleanup_free_ char *before = capture("ip netns list");
	_cleanup_free_ char *out = capture(
	    "%s up --name " LAB " %s/topologies/wireguard.ini 2>&1; echo rc=$?", nslab(), srcdir());

	if (strstr(out, "kernel lacks")) {
		/* the required refusal: before anything is created */
		assert_string_equal(out,
				    "nslab: up '" LAB "' failed: kernel lacks WireGuard support "
				    "(module wireguard); nothing was created\nrc=1");
		_cleanup_free_ char *after = capture("ip netns list");
		assert_string_equal(before, after);
		assert_lab_gone(LAB);
		return;
	}
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "ip netns exec " LAB "-r1 ping -c1 -W2 -q 10.9.0.3 >/dev/null");
	assert_sh(0, "%s check " LAB " >/dev/null", nslab());
	assert_sh(0, "test \"$(stat -c %%a /run/nslab/" LAB "/keys/r1:wg0.key)\" = 600");
	assert_sh(0, "%s down " LAB " >/dev/null", nslab());
	assert_lab_gone(LAB);
}

/* The plan makes keys with wg genkey and wg pubkey, kept in shell
 * variables: run those lines, and the public key is the private one's. */
static void test_plan_keys(void **state)
{
	if (sh("command -v wg >/dev/null") != 0) {
		diag("skipped: no wg (apt-get install wireguard-tools)");
		skip();
	}
	_cleanup_free_ char *pubs =
	    capture("eval \"$(%s plan %s/topologies/wireguard.ini | grep '^wg_')\" && "
		    "printf '%%s\\n' \"$wg_r1__wg0\" | wg pubkey && echo \"$wg_r1__wg0_pub\" && "
		    "echo \"$wg_r2__wg0_pub\"",
		    nslab(), srcdir());
	char a[64], b[64], c[64];
	assert_non_null(pubs);
	assert_int_equal(sscanf(pubs, "%63s %63s %63s", a, b, c), 3);
	assert_int_equal(strlen(a), 44);
	assert_string_equal(a, b);
	assert_string_not_equal(b, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_up_here, teardown),
	    cmocka_unit_test(test_plan_keys),
	};
	return cmocka_run_group_tests_name("wireguard", tests, require_root, NULL);
}
