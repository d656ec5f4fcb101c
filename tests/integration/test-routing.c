// SPDX-License-Identifier: MIT
/* Routing daemons in nodes: Debian's FRR in the ospf, bgp and rip
 * scenarios of topologies/, under nslt-* names. Asserted from outside:
 * neighbours Full and sessions Established (vtysh), routes in the nodes'
 * kernel tables (ip -j route), pings across, the failover of ospf, no FRR
 * process or mount left after down, and the host's FRR untouched. The
 * convergence times go to the TAP log. */
#include "harness.h"

#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define REQUIRE_FRR()                                                                              \
	do {                                                                                       \
		if (access("/usr/lib/frr/frrinit.sh", X_OK) < 0) {                                \
			diag("skipped: frr is not installed (scripts/test.sh installs it)");      \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* The processes in the lab's nodes' mount namespaces (their overlays
 * have the source nslab:LAB/NODE): FRR's among them. Other labs on the
 * machine do not count. */
static char *in_lab(const char *lab)
{
	return capture("grep -lF -- ' - overlay nslab:%s/' /proc/[0-9]*/mountinfo 2>/dev/null | wc -l", lab);
}

/* Seconds until `cmd` succeeds, polling every 50 ms; -1 after `limit`. */
static double until(double limit, const char *cmd)
{
	double t0 = now();
	while (now() - t0 < limit) {
		if (sh("%s >/dev/null 2>&1", cmd) == 0)
			return now() - t0;
		struct timespec nap = {0, 50 * 1000000};
		nanosleep(&nap, NULL);
	}
	return -1;
}

/* A shell test that node's kernel has prefix by proto via gw. */
static char *route_is(const char *lab, const char *node, const char *prefix, const char *proto,
		      const char *gw)
{
	return xasprintf("ip -n %s-%s -j route show %s proto %s | jq -e '.[0].gateway == \"%s\"'", lab, node,
			 prefix, proto, gw);
}

struct run {
	char lab[32];
	double up; /* seconds the up command took */
	double t0; /* when up started */
	char *host_conf;
};

static void start(struct run *r, const char *scenario)
{
	snprintf(r->lab, sizeof(r->lab), "nslt-%s", scenario);
	r->host_conf = capture("md5sum /etc/frr/frr.conf /etc/frr/daemons 2>&1");
	r->t0 = now();
	_cleanup_free_ char *out = capture("%s up --replace --name %s %s/topologies/%s.ini 2>&1; echo rc=$?",
					   nslab(), r->lab, srcdir(), scenario);
	r->up = now() - r->t0;
	if (exit_status(out) != 0)
		diag("%s", out);
	assert_int_equal(exit_status(out), 0);
}

/* Every expectation of the file holds, down leaves nothing: no FRR
 * process, no mount, the host's FRR files as they were. */
static void finish(struct run *r)
{
	_cleanup_free_ char *check = capture("%s check %s 2>&1; echo rc=$?", nslab(), r->lab);
	if (exit_status(check) != 0)
		diag("%s", check);
	assert_int_equal(exit_status(check), 0);
	double t = now();
	assert_sh(0, "%s down %s >/dev/null", nslab(), r->lab);
	diag("%s: down %.3f s", r->lab, now() - t);
	assert_lab_gone(r->lab);
	_cleanup_free_ char *mnts = capture("grep -F -- ' /run/nslab/%s/' /proc/self/mountinfo || true", r->lab);
	assert_string_equal(mnts, "");
	_cleanup_free_ char *left = in_lab(r->lab);
	assert_string_equal(left, "0");
	_cleanup_free_ char *conf = capture("md5sum /etc/frr/frr.conf /etc/frr/daemons 2>&1");
	assert_string_equal(conf, r->host_conf);
	free(r->host_conf);
}

static void test_ospf(void **state)
{
	struct run r;
	REQUIRE_FRR();
	start(&r, "ospf");
	const char *lab = r.lab;
	/* converged: r1 has h2's LAN by OSPF over the direct link, h1 pings h2 */
	_cleanup_free_ char *route = route_is(lab, "r1", "10.0.3.0/24", "ospf", "10.0.13.3");
	double conv = until(60, route);
	assert_true(conv >= 0);
	_cleanup_free_ char *ping = xasprintf("ip netns exec %s-h1 ping -c 1 -W 1 10.0.3.10", lab);
	double reach = until(30, ping);
	assert_true(reach >= 0);
	diag("ospf: up %.3f s; route in r1's kernel %.2f s after up returned; h1 reaches h2 %.2f s after that",
	     r.up, conv, reach);
	_cleanup_free_ char *inside = in_lab(lab); /* what finish() wants gone is there now */
	assert_true(atoi(inside) >= 3 * 4);        /* watchfrr, zebra, staticd, ospfd in each */
	_cleanup_free_ char *full = capture("%s exec %s r1 -- vtysh -c 'show ip ospf neighbor' | grep -c 'Full/'",
					    nslab(), lab);
	assert_string_equal(full, "2");
	_cleanup_free_ char *hn = capture("%s exec %s r2 -- vtysh -c 'show running-config' | grep '^hostname'",
					  nslab(), lab);
	assert_string_equal(hn, "hostname r2"); /* FRR takes the node's hostname */
	/* r1-r3 fails inside r1: OSPF sends h1's traffic round by r2 */
	assert_sh(0, "%s exec %s r1 -- ip link set eth2 down", nslab(), lab);
	_cleanup_free_ char *detour = route_is(lab, "r1", "10.0.3.0/24", "ospf", "10.0.12.2");
	double reroute = until(30, detour);
	assert_true(reroute >= 0);
	double again = until(30, ping);
	assert_true(again >= 0);
	_cleanup_free_ char *path = capture("ip netns exec %s-h1 tracepath -n 10.0.3.10 | grep -c ' 10.0.12.2 '", lab);
	assert_int_not_equal(atoi(path), 0);
	diag("ospf: r1-r3 down: r1 routes by r2 %.2f s later, h1 reaches h2 again %.2f s after that", reroute,
	     again);
	/* back up, and the direct way again (the file's expectations say so) */
	assert_sh(0, "%s exec %s r1 -- ip link set eth2 up", nslab(), lab);
	double back = until(60, route);
	assert_true(back >= 0);
	diag("ospf: r1-r3 up again: the direct route is back %.2f s later", back);
	finish(&r);
}

static void test_bgp(void **state)
{
	struct run r;
	REQUIRE_FRR();
	start(&r, "bgp");
	const char *lab = r.lab;
	_cleanup_free_ char *route = route_is(lab, "r1", "10.3.0.0/24", "bgp", "10.0.12.2");
	double conv = until(60, route);
	assert_true(conv >= 0);
	_cleanup_free_ char *ping = xasprintf("ip netns exec %s-h1 ping -c 1 -W 1 10.3.0.10", lab);
	double reach = until(30, ping);
	assert_true(reach >= 0);
	diag("bgp: up %.3f s; AS 65003's prefix in r1's kernel %.2f s after up returned; h1 reaches h3 %.2f s "
	     "after that",
	     r.up, conv, reach);
	_cleanup_free_ char *est = capture(
		"%s exec %s r2 -- vtysh -c 'show bgp neighbors' | grep -c 'BGP state = Established'", nslab(), lab);
	assert_string_equal(est, "2");
	_cleanup_free_ char *aspath = capture("%s exec %s r1 -- vtysh -c 'show ip bgp 10.3.0.0/24'", nslab(), lab);
	assert_non_null(strstr(aspath, "65002 65003"));
	finish(&r);
}

static void test_rip(void **state)
{
	struct run r;
	REQUIRE_FRR();
	start(&r, "rip");
	const char *lab = r.lab;
	_cleanup_free_ char *route = route_is(lab, "r1", "10.0.2.0/24", "rip", "10.0.12.2");
	double conv = until(60, route);
	assert_true(conv >= 0);
	_cleanup_free_ char *ping = xasprintf("ip netns exec %s-h1 ping -c 1 -W 1 10.0.2.10", lab);
	assert_true(until(30, ping) >= 0);
	diag("rip: up %.3f s; r2's LAN in r1's kernel %.2f s after up returned", r.up, conv);
	finish(&r);
}

/* Route expectations that do not hold say what the node has instead. */
static void test_route_expectations(void **state)
{
	char dir[] = "/tmp/nslt-route.XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *file = xasprintf("%s/r.ini", dir);
	FILE *f = fopen(file, "we");
	assert_non_null(f);
	fputs("[lab]\nname = nslt-route\n[node a]\naddr = 10.7.0.1/24 dev eth0\nroute = 10.8.0.0/16 via 10.7.0.2\n"
	      "[node b]\naddr = 10.7.0.2/24 dev eth0\n[links]\nlink = a:eth0 b:eth0\n"
	      "[expect]\nretry = 1s\nroute = a 10.8.0.0/16 via 10.7.0.2 proto boot\n"
	      "route = a 10.8.0.0/16 via 10.7.0.9\nnoroute = a 10.8.0.0/16\nnoroute = b 10.8.0.0/16\n"
	      "route = a 10.7.0.0/24 dev eth0 proto kernel\n",
	      f);
	fclose(f);
	assert_sh(0, "%s up %s >/dev/null", nslab(), file);
	_cleanup_free_ char *out = capture("%s check nslt-route 2>&1; echo rc=$?", nslab());
	diag("%s", out);
	assert_non_null(strstr(out, "ok    route a 10.8.0.0/16 via 10.7.0.2 proto boot"));
	assert_non_null(strstr(out, "FAIL  route a 10.8.0.0/16 via 10.7.0.9: no such route; the node has: "
				    "10.8.0.0/16 via 10.7.0.2 dev eth0 proto boot"));
	assert_non_null(strstr(out, "FAIL  noroute a 10.8.0.0/16: there is such a route"));
	assert_non_null(strstr(out, "ok    noroute b 10.8.0.0/16"));
	assert_non_null(strstr(out, "ok    route a 10.7.0.0/24 dev eth0 proto kernel"));
	assert_int_equal(exit_status(out), 1);
	assert_sh(0, "%s down nslt-route >/dev/null", nslab());
	assert_lab_gone("nslt-route");
	/* bad lines: FILE:LINE */
	f = fopen(file, "we");
	fputs("[lab]\nname = nslt-route\n[node a]\nfrr = ospfx\n[expect]\nroute = a 10.8.0.0/33\n"
	      "route = a 10.8.0.0/16 proto nosuch\n",
	      f);
	fclose(f);
	_cleanup_free_ char *bad = capture("%s validate %s 2>&1; echo rc=$?", nslab(), file);
	diag("%s", bad);
	assert_non_null(strstr(bad, "r.ini:4: frr: unknown daemon 'ospfx'"));
	assert_non_null(strstr(bad, "did you mean 'ospfd'?"));
	assert_non_null(strstr(bad, "r.ini:6: route: '10.8.0.0/33' is not a prefix"));
	assert_non_null(strstr(bad, "r.ini:7: route: 'nosuch' is not a route protocol"));
	assert_int_equal(exit_status(bad), 2);
	(void)sh("rm -rf %s", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ospf),
		cmocka_unit_test(test_bgp),
		cmocka_unit_test(test_rip),
		cmocka_unit_test(test_route_expectations),
	};
	return cmocka_run_group_tests_name("routing", tests, require_root, NULL);
}
