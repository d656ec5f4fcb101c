// SPDX-License-Identifier: MIT
/* DNS: dnsmasq in the server node answers every node for every node, and
 * logs each query with the asker's address; nothing of it outlives down. */
#include "harness.h"

#include "parse.h"

static struct topo_lab *lab;

static int setup(void **state)
{
	struct diag d = {0};
	int e = 0;
	_cleanup_free_ char *file = xasprintf("%s/topologies/dns.ini", srcdir());

	if (require_root(state) < 0)
		return -1;
	lab = topo_load(file, &d, &e);
	if (!lab)
		return -1;
	return sh("%s up --replace %s >/dev/null", nslab(), file) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)sh("%s down dns >/dev/null", nslab());
	topo_lab_free(lab);
	return 0;
}

static void test_every_node_resolves_every_node(void **state)
{
	char addr[IPADDR_STRLEN], asker[IPADDR_STRLEN];

	vec_foreach(ap, &lab->nodes) vec_foreach(bp, &lab->nodes)
	{
		const struct topo_node *a = *ap, *b = *bp;
		if (a->is_switch || b->is_switch)
			continue;
		ipaddr_str(&b->addrs.v[0].local, addr);
		/* getent goes through nsswitch: /etc/hosts (the node's own), then DNS */
		_cleanup_free_ char *g = capture("%s exec %s -- getent hosts %s.dns.test", nslab(), a->name, b->name);
		assert_non_null(strstr(g, addr));
		/* dig asks the server in resolv.conf directly */
		_cleanup_free_ char *dg = capture("%s exec %s -- dig +short +tries=1 +time=2 %s.dns.test", nslab(),
						  a->name, b->name);
		assert_string_equal(dg, addr);
		/* and the log says who asked */
		if (a != lab->dns.server_node) {
			ipaddr_str(&a->addrs.v[0].local, asker);
			assert_int_equal(sh("grep -q 'query\\[A\\] %s.dns.test from %s$' /run/nslab/dns/dns.log",
					    b->name, asker), 0);
		}
	}
	/* interface names and extra records */
	_cleanup_free_ char *ifn = capture("%s exec h1 -- dig +short eth0.h2.dns.test", nslab());
	assert_string_equal(ifn, "10.0.0.2");
	_cleanup_free_ char *rec = capture("%s exec h2 -- getent hosts gateway", nslab());
	assert_non_null(strstr(rec, "10.0.0.254"));
	/* plain ip netns exec resolves too: the files are in /etc/netns */
	_cleanup_free_ char *ipx = capture("ip netns exec dns-h3 getent hosts h1");
	assert_non_null(strstr(ipx, "10.0.0.1"));
	/* the host's own resolver is untouched */
	_cleanup_free_ char *host = capture("getent hosts h1.dns.test; true");
	assert_string_equal(host, "");
}

static void test_logs_command(void **state)
{
	assert_sh(0, "%s exec h2 -- getent hosts h3 >/dev/null", nslab());
	_cleanup_free_ char *log = capture("%s logs dns dns | grep 'query\\[A\\] h3.dns.test from 10.0.0.2' | head -1", nslab());
	assert_non_null(strstr(log, "from 10.0.0.2"));
}

static void test_expectations(void **state)
{
	_cleanup_free_ char *out = capture("%s check dns 2>&1; echo rc=$?", nslab());
	if (!strstr(out, "ok    resolve h2 in h1 to 10.0.0.2"))
		diag("%s", out); /* what check said, to find an intermittent failure */
	assert_non_null(strstr(out, "ok    resolve h2 in h1 to 10.0.0.2"));
	assert_int_equal(exit_status(out), 0);
}

/* dnsmasq alive? (a zombie nobody reaps counts as gone) */
static bool dnsmasq_alive(const char *pid)
{
	return sh("kill -0 %1$s 2>/dev/null && test \"$(awk '{print $3}' /proc/%1$s/stat)\" != Z", pid) == 0;
}

static void test_down_leaves_nothing(void **state)
{
	_cleanup_free_ char *pid = capture("cat /run/nslab/dns/dnsmasq.pid");
	assert_true(atoi(pid) > 1);
	assert_true(dnsmasq_alive(pid));
	assert_sh(0, "%s down dns >/dev/null", nslab());
	assert_false(dnsmasq_alive(pid));
	assert_lab_gone("dns");
	assert_sh(1, "test -e /etc/netns/dns-h1");
	/* up again for the group teardown */
	assert_sh(0, "%s up %s/topologies/dns.ini >/dev/null", nslab(), srcdir());
}

static void test_dnsmasq_failures(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/dns.ini", srcdir());

	assert_sh(0, "%s down dns >/dev/null", nslab());
	/* missing binary */
	_cleanup_free_ char *missing = capture("NSLAB_DNSMASQ=/nonexistent/dnsmasq %s up %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(missing, "node 'ns': start dnsmasq: dnsmasq did not start"));
	assert_non_null(strstr(missing, "install dnsmasq-base"));
	assert_int_equal(exit_status(missing), 1);
	assert_lab_gone("dns");
	/* dnsmasq refuses: its own words reach the user */
	assert_sh(0, "printf '#!/bin/sh\\nexec dnsmasq --no-such-option \"$@\"\\n' > /tmp/nslab-bad-dnsmasq && chmod +x /tmp/nslab-bad-dnsmasq");
	_cleanup_free_ char *bad = capture("NSLAB_DNSMASQ=/tmp/nslab-bad-dnsmasq %s up %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(bad, "dnsmasq did not start: dnsmasq: "));
	assert_int_equal(exit_status(bad), 1);
	assert_lab_gone("dns");
	/* port 53 already taken in the server node (a squatter started just
	 * before): up fails with dnsmasq's words, and down takes the squatter too */
	assert_int_equal(sh("printf '#!/bin/sh\ndnsmasq --conf-file=/dev/null --no-resolv --pid-file=/tmp/nslab-squat.pid\n"
			    "exec dnsmasq \"$@\"\n' > /tmp/nslab-bad-dnsmasq && chmod +x /tmp/nslab-bad-dnsmasq"), 0);
	_cleanup_free_ char *busy = capture("NSLAB_DNSMASQ=/tmp/nslab-bad-dnsmasq %s up %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(busy, "dnsmasq did not start: dnsmasq: failed to create listening socket"));
	assert_non_null(strstr(busy, "Address already in use"));
	assert_int_equal(exit_status(busy), 1);
	assert_lab_gone("dns");
	_cleanup_free_ char *squat = capture("cat /tmp/nslab-squat.pid");
	assert_false(dnsmasq_alive(squat));
	unlink("/tmp/nslab-bad-dnsmasq");
	unlink("/tmp/nslab-squat.pid");
	/* up again for the group teardown */
	assert_sh(0, "%s up %s >/dev/null", nslab(), file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_node_resolves_every_node),
		cmocka_unit_test(test_logs_command),
		cmocka_unit_test(test_expectations),
		cmocka_unit_test(test_down_leaves_nothing),
		cmocka_unit_test(test_dnsmasq_failures),
	};
	return cmocka_run_group_tests_name("dns", tests, setup, teardown);
}
