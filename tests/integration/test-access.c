// SPDX-License-Identifier: MIT
/* exec, shell, ping, tracepath, capture, pingall against running labs. */
#include "harness.h"

static int up_router(void **state)
{
	if (require_root(state) < 0)
		return -1;
	return sh("%s up --replace %s/topologies/router.ini >/dev/null", nslab(), srcdir()) ? -1 : 0;
}

static int down_all(void **state)
{
	(void)sh("rm -rf /etc/netns/router-h1; rmdir /etc/netns 2>/dev/null");
	return sh("%s down router >/dev/null && %s down lan >/dev/null && %s down cut >/dev/null",
		  nslab(), nslab(), nslab())
		       ? -1
		       : 0;
}

static void test_exec_status_and_stdin(void **state)
{
	assert_sh(7, "%s exec router h1 -- sh -c 'exit 7'", nslab());
	assert_sh(0, "%s exec h1 -- true", nslab()); /* lab inferred */
	_cleanup_free_ char *echo = capture("echo through | %s exec router h2 -- cat", nslab());
	assert_string_equal(echo, "through");
	/* argv reaches the program as given: no shell in between */
	_cleanup_free_ char *argv = capture("%s exec h1 -- printf '%%s|' 'a b' '$HOME' ';'", nslab());
	assert_string_equal(argv, "a b|$HOME|;|");
	_cleanup_free_ char *missing = capture("%s exec h1 -- no-such-program 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(missing, "no-such-program: No such file or directory"));
	assert_int_equal(exit_status(missing), 127);
}

static void test_exec_sees_the_node(void **state)
{
	/* the node's interfaces, in ip and in its own /sys */
	_cleanup_free_ char *sys = capture("%s exec h1 -- ls /sys/class/net | tr '\\n' ' '", nslab());
	assert_string_equal(sys, "eth0 lo ");
	/* /etc/netns/NS/hosts is bound over /etc/hosts for this node only */
	assert_sh(0, "mkdir -p /etc/netns/router-h1 && echo '10.0.2.10 far' > /etc/netns/router-h1/hosts");
	_cleanup_free_ char *hosts = capture("%s exec h1 -- cat /etc/hosts", nslab());
	assert_string_equal(hosts, "10.0.2.10 far");
	_cleanup_free_ char *other = capture("%s exec h2 -- cat /etc/hosts", nslab());
	assert_string_not_equal(other, "10.0.2.10 far");
	assert_sh(0, "%s exec h1 -- ping -c1 -W2 -q far >/dev/null", nslab());
	/* and the host's own /etc/hosts is untouched */
	_cleanup_free_ char *host = capture("cat /etc/hosts");
	assert_null(strstr(host, "10.0.2.10 far"));
}

static void test_exec_all(void **state)
{
	_cleanup_free_ char *out = capture("%s exec --all router -- ip -br -4 addr show dev eth0", nslab());
	assert_non_null(strstr(out, "h1: eth0"));
	assert_non_null(strstr(out, "10.0.1.10/24"));
	assert_non_null(strstr(out, "r1: eth0"));
	assert_non_null(strstr(out, "h2: eth0"));
	assert_non_null(strstr(out, "10.0.2.10/24"));
	/* each node runs the command in its own namespace: three different
	 * sets of interfaces, and the exit status of the worst */
	_cleanup_free_ char *lo = capture("%s exec --all router -- sh -c 'echo $(ls /sys/class/net)'", nslab());
	assert_string_equal(lo, "h1: eth0 lo\nr1: eth0 eth1 lo\nh2: eth0 lo");
	assert_sh(1, "%s exec --all -- false >/dev/null", nslab());
}

static void test_shell(void **state)
{
	_cleanup_free_ char *out = capture(
		"printf 'echo node=$NSLAB_NODE; ip -br -4 addr show dev eth0; exit 3\\n' | %s shell router r1 2>/dev/null; echo rc=$?",
		nslab());
	assert_non_null(strstr(out, "node=r1"));
	assert_non_null(strstr(out, "10.0.1.1/24"));
	assert_int_equal(exit_status(out), 3);
}

static void test_ping_and_tracepath(void **state)
{
	assert_sh(0, "%s ping h1 h2 >/dev/null", nslab());
	assert_sh(0, "%s ping router h1 r1:eth1 -- -c 1 -q >/dev/null", nslab());
	assert_sh(0, "%s ping h1 fd00:2::10 -- -c 1 -q >/dev/null", nslab());
	_cleanup_free_ char *who = capture("%s ping h1 h2 2>&1 >/dev/null", nslab());
	assert_string_equal(who, "nslab: ping from h1 to h2 (10.0.2.10)");
	/* an address nobody has: ping's own failure status */
	assert_sh(1, "%s ping h1 10.0.2.99 -- -c 1 -W 1 -q >/dev/null", nslab());
	_cleanup_free_ char *bad = capture("%s ping h1 h9 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(bad, "lab 'router' has no node 'h9'"));
	assert_int_equal(exit_status(bad), 1);

	_cleanup_free_ char *trace = capture("%s tracepath h1 h2 2>/dev/null", nslab());
	assert_non_null(strstr(trace, " 1:  10.0.1.1 "));
	assert_non_null(strstr(trace, " 2:  10.0.2.10 "));
	assert_non_null(strstr(trace, "hops 2"));
}

static void test_capture(void **state)
{
	_cleanup_free_ char *out = capture(
		"{ timeout 10 %s capture router h2:eth0 -- -c 1 icmp 2>/dev/null & sleep 0.5;"
		"  %s exec h1 -- ping -c 3 -i 0.2 -q 10.0.2.10 >/dev/null; wait; }",
		nslab(), nslab());
	assert_non_null(strstr(out, "IP 10.0.1.10 > 10.0.2.10: ICMP echo request"));
}

static void test_pingall(void **state)
{
	assert_sh(0, "%s up %s/topologies/lan.ini >/dev/null", nslab(), srcdir());
	_cleanup_free_ char *out = capture("%s pingall lan; echo rc=$?", nslab());
	assert_non_null(strstr(out, "12/12 pairs reachable"));
	assert_int_equal(exit_status(out), 0);
	_cleanup_free_ char *json = capture("%s pingall --json lan | jq -r '[.results[] | select(.result == \"reachable\")] | length'", nslab());
	assert_string_equal(json, "12");

	/* a node cut off: pingall says so and fails */
	FILE *f = fopen("/tmp/nslab-cut.ini", "we");
	assert_non_null(f);
	fputs("[lab]\nname = cut\n[node a]\naddr = 10.7.0.1/24 dev eth0\n[node b]\naddr = 10.7.0.2/24 dev eth0\n"
	      "[node c]\naddr = 10.7.1.1/24 dev eth0\n[node d]\naddr = 10.7.1.2/24 dev eth0\n[links]\n"
	      "link = a:eth0 b:eth0\nlink = c:eth0 d:eth0\n",
	      f);
	fclose(f);
	assert_sh(0, "%s up /tmp/nslab-cut.ini >/dev/null", nslab());
	_cleanup_free_ char *cut = capture("%s pingall --timeout 10 cut; echo rc=$?", nslab());
	assert_non_null(strstr(cut, "from\\to  abcd\na        -.XX\n"));
	assert_non_null(strstr(cut, "4/12 pairs reachable"));
	assert_int_equal(exit_status(cut), 1);
	unlink("/tmp/nslab-cut.ini");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_status_and_stdin),
		cmocka_unit_test(test_exec_sees_the_node),
		cmocka_unit_test(test_exec_all),
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_ping_and_tracepath),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_pingall),
	};
	return cmocka_run_group_tests_name("access", tests, up_router, down_all);
}
