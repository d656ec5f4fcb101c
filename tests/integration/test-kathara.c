// SPDX-License-Identifier: MIT
/* Kathará labs run as they are: the tests write small labs in Kathará's
 * format (lab.conf, DEVICE.startup, DEVICE/ trees), import them (nslab
 * import kathara, and nslab up DIR on the fly) and check them from outside:
 * pings, routes learnt by FRR, a page served from the device's tree. */
#include "harness.h"

#include <sys/stat.h>

static char dir[64];

static int setup(void **state)
{
	if (require_root(state) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/nslt-kathara.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)sh("rm -rf %s", dir);
	return 0;
}

static void put(const char *lab, const char *path, const char *text)
{
	_cleanup_free_ char *p = xasprintf("%s/%s/%s", dir, lab, path);
	_cleanup_free_ char *parent = xstrdup(p);
	*strrchr(parent, '/') = '\0';
	assert_sh(0, "mkdir -p %s", parent);
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Import lab into LAB/nslab.ini, add the expectations, nslab test it. */
static void import_and_test(const char *lab, const char *expect)
{
	_cleanup_free_ char *out = capture("%s import kathara -o %s/%s/nslab.ini %s/%s 2>&1; echo rc=$?", nslab(),
					   dir, lab, dir, lab);
	if (exit_status(out))
		diag("%s", out);
	assert_int_equal(exit_status(out), 0);
	put(lab, "expect.txt", expect);
	assert_sh(0, "cat %s/%s/expect.txt >> %s/%s/nslab.ini", dir, lab, dir, lab);
	_cleanup_free_ char *t = capture("%s test --name nslt-k-%s %s/%s/nslab.ini 2>&1; echo rc=$?", nslab(), lab, dir,
					 lab);
	diag("%s", t);
	assert_int_equal(exit_status(t), 0);
	_cleanup_free_ char *name = xasprintf("nslt-k-%s", lab);
	assert_lab_gone(name);
}

/* Static routing in startup files; a failing startup line goes on, as in
 * Kathará; MACs and ethN names kept; Kathará's sysctls. */
static void test_static(void **state)
{
	put("static", "lab.conf",
	    "LAB_DESCRIPTION=\"static routes\"\npc1[0]=\"A\"\nr1[0]=\"A\"\nr1[1]=\"B/02:42:ac:11:00:02\"\n"
	    "pc2[0]=\"B\"  # the second host\n# a comment line\npc1[image]=\"kathara/base\"\n");
	put("static", "pc1.startup", "ip address add 10.1.1.2/24 dev eth0\nip route add default via 10.1.1.1\n");
	put("static", "r1.startup",
	    "ip address add 10.1.1.1/24 dev eth0\nip address add 10.1.2.1/24 dev eth1\nno-such-command-here\n");
	put("static", "pc2.startup", "ip address add 10.1.2.2/24 dev eth0\nip route add default via 10.1.2.1\n");
	import_and_test("static", "[expect]\nreach = pc1 10.1.2.2\nreach = pc2 10.1.1.2\n"
				  "exec = r1 sh -c 'ip link show eth1 | grep -q 02:42:ac:11:00:02'\n"
				  "exec = r1 sh -c 'test \"$(cat /proc/sys/net/ipv4/conf/eth0/rp_filter)\" = 0'\n"
				  "exec = r1 sh -c 'test \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1'\n");
	/* nslab up DIR: on the fly, under the folder's name */
	_cleanup_free_ char *up = capture("%s up %s/static 2>&1; echo rc=$?", nslab(), dir);
	assert_int_equal(exit_status(up), 0);
	assert_sh(0, "%s exec static pc1 -- ping -c 1 -W 2 10.1.2.2 >/dev/null", nslab());
	_cleanup_free_ char *log = capture("%s logs static r1", nslab());
	assert_non_null(strstr(log, "no-such-command-here: not found"));
	assert_non_null(strstr(log, "up goes on (startup-files = lenient)"));
	_cleanup_free_ char *check = capture("%s check static 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(check, "declares no expectations"));
	assert_sh(0, "%s down static >/dev/null", nslab());
	assert_lab_gone("static");
}

/* Two routers with FRR OSPF: their /etc/frr from the device trees, FRR
 * started by 'systemctl start frr' and '/etc/init.d/frr start' lines. */
static void test_frr(void **state)
{
	if (access("/usr/lib/frr/frrinit.sh", X_OK) < 0) {
		diag("skipped: frr is not installed (scripts/test.sh installs it)");
		skip();
	}
	put("frr", "lab.conf", "r1[0]=\"A\"\nr1[1]=\"B\"\nr2[0]=\"B\"\nr2[1]=\"C\"\nr1[image]=\"kathara/frr\"\n");
	for (int r = 1; r <= 2; r++) {
		_cleanup_free_ char *daemons = xasprintf("r%d/etc/frr/daemons", r);
		_cleanup_free_ char *conf = xasprintf("r%d/etc/frr/frr.conf", r);
		put("frr", daemons, "zebra=yes\nospfd=yes\nvtysh_enable=yes\n");
		_cleanup_free_ char *text = xasprintf(
			"log file /var/log/frr/frr.log\ninterface eth0\n ip ospf network point-to-point\n"
			" ip ospf hello-interval 1\n ip ospf dead-interval 4\ninterface eth1\n"
			" ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n"
			"router ospf\n ospf router-id 10.255.0.%d\n timers throttle spf 0 50 500\n"
			" network 10.2.0.0/16 area 0\n",
			r);
		put("frr", conf, text);
	}
	put("frr", "r1.startup", "ip address add 10.2.1.1/24 dev eth0\nip address add 10.2.2.1/24 dev eth1\nsystemctl start frr\n");
	put("frr", "r2.startup", "ip address add 10.2.2.2/24 dev eth0\nip address add 10.2.3.1/24 dev eth1\n/etc/init.d/frr start\n");
	import_and_test("frr", "[expect]\nroute = r1 10.2.3.0/24 via 10.2.2.2 proto ospf\n"
			       "route = r2 10.2.1.0/24 via 10.2.2.1 proto ospf\n"
			       "[expect]\nexec = r1 sh -c \"vtysh -c 'show ip ospf neighbor' | grep -q Full\"\n");
}

/* A web server with its DEVICE/var/www tree, started by 'service apache2 start'. */
static void test_web(void **state)
{
	if (sh("command -v apache2ctl >/dev/null || test -x /usr/sbin/apache2ctl") != 0) {
		diag("skipped: apache2 is not installed (scripts/test.sh installs it)");
		skip();
	}
	put("kweb", "lab.conf", "server[0]=\"A\"\nclient[0]=\"A\"\n");
	put("kweb", "server/var/www/html/index.html", "kathara page of server\n");
	put("kweb", "server.startup", "ip addr add 10.3.0.1/24 dev eth0\nservice apache2 start\n");
	put("kweb", "client.startup", "ip addr add 10.3.0.2/24 dev eth0\n");
	import_and_test("kweb", "[expect]\nretry = 5s\nexec = client sh -c 'curl -s http://10.3.0.1/ | grep -q \"kathara page of server\"'\n");
}

/* What nslab cannot do: an error at its lab.conf line, or a note and the
 * lab without it. */
static void test_unsupported(void **state)
{
	put("odd", "lab.conf", "pc1[0]=\"A\"\npc1[bridged]=\"true\"\npc2[0]=\"A\"\nsw[image]=\"kathara/p4\"\n");
	put("odd", "lab.ext", "eth1 A\n");
	_cleanup_free_ char *out = capture("%s import kathara %s/odd 2>&1; echo rc=$?", nslab(), dir);
	diag("%s", out);
	assert_non_null(strstr(out, "odd/lab.conf:2: nslab cannot do this: pc1[bridged]=\"true\""));
	assert_non_null(strstr(out, "odd/lab.conf:4: nslab cannot do this: sw[image]=\"kathara/p4\""));
	assert_non_null(strstr(out, "odd/lab.ext:1: nslab cannot do this: lab.ext"));
	assert_int_equal(exit_status(out), 2);
	_cleanup_free_ char *up = capture("%s up %s/odd 2>&1; echo rc=$?", nslab(), dir);
	assert_int_equal(exit_status(up), 2);
	assert_lab_gone("odd");
	_cleanup_free_ char *skipped = capture("%s import kathara --skip-unsupported -o %s/odd/nslab.ini %s/odd 2>&1; echo rc=$?",
					       nslab(), dir, dir);
	assert_non_null(strstr(skipped, "odd/lab.conf:2: left out: pc1[bridged]"));
	assert_int_equal(exit_status(skipped), 0);
	assert_sh(0, "%s validate -q %s/odd/nslab.ini", nslab(), dir);
	/* an import written elsewhere names the lab's folder */
	_cleanup_free_ char *away = capture("%s import kathara --skip-unsupported -o %s/away.ini %s/odd 2>/dev/null; "
					    "grep '^folder = ' %s/away.ini",
					    nslab(), dir, dir, dir);
	assert_non_null(strstr(away, "/odd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_frr),
		cmocka_unit_test(test_web),
		cmocka_unit_test(test_unsupported),
	};
	return cmocka_run_group_tests_name("kathara", tests, setup, teardown);
}
