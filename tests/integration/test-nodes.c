// SPDX-License-Identifier: MIT
/* Nodes that run things: the scenarios of topologies/ with real Debian
 * daemons (apache2, bind9, radvd, nftables), a node's root (its files over
 * the host's, private /etc /var /run /tmp, hostname), startup lines,
 * services, bad input, kills at every step and up/down cycles. Every lab
 * here is named nslt-*, so no user's lab is touched; every one is checked
 * gone, mounts and processes included. */
#include "harness.h"

#include <sys/stat.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Nothing of lab name: what assert_lab_gone checks, no mount under its
 * run directory, and no process anywhere in a node's mount namespace (its
 * overlays have the source nslab:LAB/NODE). Other labs and programs on the
 * machine may make and drop namespaces meanwhile: only ours count. */
static void assert_node_gone(const char *name)
{
	assert_lab_gone(name);
	_cleanup_free_ char *mnts = capture("grep -F -- ' /run/nslab/%s/' /proc/self/mountinfo || true", name);
	if (*mnts)
		diag("mounts left: %s", mnts);
	assert_string_equal(mnts, "");
	_cleanup_free_ char *held = capture("grep -lF -- ' - overlay nslab:%s/' /proc/[0-9]*/mountinfo 2>/dev/null || true",
					    name);
	if (*held)
		diag("processes still in a node's mount namespace: %s", held);
	assert_string_equal(held, "");
}

/* The programs a scenario runs; NULL when all are installed, else the
 * first missing (test.sh installs them). */
static const char *missing(const char *programs)
{
	static char first[64];
	_cleanup_free_ char *copy = xstrdup(programs);

	for (char *save = NULL, *p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (sh("command -v %s >/dev/null 2>&1 || test -x /usr/sbin/%s", p, p) != 0) {
			snprintf(first, sizeof(first), "%s", p);
			return first;
		}
	return NULL;
}

#define SKIP_UNLESS(programs)                                                                     \
	do {                                                                                       \
		const char *m_ = missing(programs);                                                \
		if (m_) {                                                                          \
			diag("skipped: %s is not installed (scripts/test.sh installs it)", m_);   \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static const struct scenario {
	const char *name, *programs;
} scenarios[] = {
	{"web", "apache2ctl curl"},
	{"nat", "nft"},
	{"lb", "apache2ctl nft curl"},
	{"dns-tree", "named dig getent"},
	{"slaac", "radvd"},
};

/* One scenario: up under its test name, every expectation holds, down
 * leaves nothing. Its up time goes to the TAP log. */
static void run_scenario(const struct scenario *sc)
{
	_cleanup_free_ char *name = xasprintf("nslt-%s", sc->name);

	double t0 = now();
	_cleanup_free_ char *up = capture("%s up --replace --name %s %s/topologies/%s.ini 2>&1; echo rc=$?",
					  nslab(), name, srcdir(), sc->name);
	double t1 = now();
	if (exit_status(up) != 0)
		diag("%s", up);
	assert_int_equal(exit_status(up), 0);
	_cleanup_free_ char *check = capture("%s check %s 2>&1; echo rc=$?", nslab(), name);
	if (exit_status(check) != 0)
		diag("%s", check);
	diag("%s: up %.3f s (the whole command); %s", sc->name, t1 - t0, strstr(up, "lab '") ? strstr(up, "lab '") : up);
	assert_int_equal(exit_status(check), 0);
	assert_sh(0, "%s down %s >/dev/null", nslab(), name);
	assert_node_gone(name);
}

static void test_web(void **state)
{
	SKIP_UNLESS(scenarios[0].programs);
	run_scenario(&scenarios[0]);
}

static void test_nat(void **state)
{
	SKIP_UNLESS(scenarios[1].programs);
	run_scenario(&scenarios[1]);
}

static void test_lb(void **state)
{
	SKIP_UNLESS(scenarios[2].programs);
	run_scenario(&scenarios[2]);
}

static void test_dns_tree(void **state)
{
	SKIP_UNLESS(scenarios[3].programs);
	run_scenario(&scenarios[3]);
}

static void test_slaac(void **state)
{
	SKIP_UNLESS(scenarios[4].programs);
	run_scenario(&scenarios[4]);
}

/* A node is a light container: its hostname, its files over the host's,
 * private /etc and /tmp, services on record; the host never changes. */
static void test_node_root(void **state)
{
	SKIP_UNLESS("apache2ctl curl");
	_cleanup_free_ char *host_page = capture("md5sum /var/www/html/index.html 2>/dev/null; hostname");
	const char *lab = "nslt-root";

	assert_sh(0, "%s up --replace --name %s %s/topologies/web.ini >/dev/null", nslab(), lab, srcdir());
	/* hostname: the node's own; ip netns exec gives the network only */
	_cleanup_free_ char *hn = capture("%s exec %s web -- hostname", nslab(), lab);
	assert_string_equal(hn, "web");
	_cleanup_free_ char *hn_client = capture("%s exec %s client -- hostname", nslab(), lab);
	_cleanup_free_ char *hn_host = capture("hostname");
	assert_string_equal(hn_client, hn_host); /* client has no root: nothing asks for one */
	_cleanup_free_ char *hn_ipnetns = capture("ip netns exec %s-web hostname", lab);
	assert_string_equal(hn_ipnetns, hn_host);
	/* the node's file over the host's */
	_cleanup_free_ char *page = capture("%s exec %s web -- cat /var/www/html/index.html", nslab(), lab);
	assert_non_null(strstr(page, "served by node web"));
	_cleanup_free_ char *served = capture("%s exec %s client -- curl -s http://10.0.0.80/", nslab(), lab);
	assert_non_null(strstr(served, "served by node web"));
	/* what a node writes stays its own */
	assert_sh(0, "%s exec %s web -- sh -c 'echo mine > /etc/nslt-root-file && echo t > /tmp/nslt-root-tmp && "
		     "echo v > /var/www/html/index.html'", nslab(), lab);
	assert_sh(1, "test -e /etc/nslt-root-file || test -e /tmp/nslt-root-tmp");
	_cleanup_free_ char *again = capture("%s exec %s web -- cat /etc/nslt-root-file", nslab(), lab);
	assert_string_equal(again, "mine");
	_cleanup_free_ char *folder = capture("cat %s/topologies/web/var/www/html/index.html", srcdir());
	assert_non_null(strstr(folder, "served by node web")); /* the topology's folder is untouched */
	/* nslab's resolv.conf and hosts in the node's /etc */
	assert_sh(0, "%s exec %s web -- grep -q 'web.%s' /etc/hosts", nslab(), lab, lab);
	/* the service is on record, and its log */
	_cleanup_free_ char *ps = capture("%s ps %s", nslab(), lab);
	assert_non_null(strstr(ps, "apache"));
	assert_non_null(strstr(ps, "running"));
	_cleanup_free_ char *pid = capture("%s ps --json %s | jq -r '.[0].pid'", nslab(), lab);
	assert_sh(0, "kill -0 %s", pid);
	_cleanup_free_ char *log = capture("%s logs %s web", nslab(), lab);
	assert_non_null(strstr(log, "# nslab: service apache"));
	/* show: the node's addresses as ever */
	assert_sh(0, "%s show %s web | grep -q 10.0.0.80/24", nslab(), lab);

	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
	/* gone, or a zombie that init has not reaped yet */
	assert_sh(1, "s=$(cut -d' ' -f3 /proc/%s/stat 2>/dev/null); test -n \"$s\" && test \"$s\" != Z", pid);
	assert_node_gone(lab);
	_cleanup_free_ char *host_after = capture("md5sum /var/www/html/index.html 2>/dev/null; hostname");
	assert_string_equal(host_after, host_page);
	assert_sh(1, "test -e /etc/nslt-root-file");
}

static char *scratch_dir(void)
{
	char tmpl[] = "/tmp/nslt-nodes.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void write_topology(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Up of FILE fails, says `want`, and leaves nothing behind. */
static void assert_up_fails(const char *dir, const char *file, const char *lab, const char *want)
{
	_cleanup_free_ char *out = capture("%s up %s/%s 2>&1; echo rc=$?", nslab(), dir, file);
	if (!strstr(out, want))
		diag("wanted '%s' in:\n%s", want, out);
	assert_non_null(strstr(out, want));
	assert_int_not_equal(exit_status(out), 0);
	assert_node_gone(lab);
}

/* Topology errors with FILE:LINE, before anything is made. */
static void test_bad_topologies(void **state)
{
	_cleanup_free_ char *dir = scratch_dir();

	write_topology(dir, "files.ini",
		       "[lab]\nname = nslt-bad\n[node a]\nfiles = nosuch\n[node b]\nservice = x "
		       "no-such-program-nslab --flag\nstartup =\n[node c]\nnft = missing.nft\n"
		       "[defaults]\nforward = yes\n[node d]\ncontainer = no\nstartup = true\n");
	_cleanup_free_ char *out = capture("%s validate %s/files.ini 2>&1; echo rc=$?", nslab(), dir);
	diag("%s", out);
	assert_non_null(strstr(out, "files.ini:4: node 'a': no folder"));
	assert_non_null(strstr(out, "files.ini:6: service 'x' of node 'b': 'no-such-program-nslab' is not installed"));
	assert_non_null(strstr(out, "files.ini:7: 'startup' needs a command"));
	assert_non_null(strstr(out, "files.ini:9: node 'c': cannot read ruleset"));
	assert_non_null(strstr(out, "files.ini:10: [defaults] after a [node] section"));
	assert_non_null(strstr(out, "files.ini:13: node 'd' has startup lines, which need its own root"));
	assert_int_equal(exit_status(out), 2);
	/* a node's folder mirrors /: a file at its top is refused */
	assert_sh(0, "mkdir -p %s/n && touch %s/n/stray && mkdir -p %s/n/proc", dir, dir, dir);
	write_topology(dir, "folder.ini", "[lab]\nname = nslt-bad\n[node n]\n");
	_cleanup_free_ char *f2 = capture("%s validate %s/folder.ini 2>&1; echo rc=$?", nslab(), dir);
	assert_non_null(strstr(f2, "folder.ini:3: node 'n':"));
	assert_non_null(strstr(f2, "/n/stray is not a directory"));
	assert_non_null(strstr(f2, "cannot be laid over /proc"));
	assert_int_equal(exit_status(f2), 2);
	assert_lab_gone("nslt-bad");
	(void)sh("rm -rf %s", dir);
}

/* Failures while up runs things: each fails up with its reason and output,
 * and up removes everything it made (mounts, processes, files). */
static void test_failing_runtime(void **state)
{
	_cleanup_free_ char *dir = scratch_dir();
	const char *lab = "nslt-fail";

	/* a startup line that fails: its output; '-' lines may fail */
	write_topology(dir, "startup.ini",
		       "[lab]\nname = nslt-fail\n[node a]\nstartup = -false\n"
		       "startup = sh -c 'echo boom-from-startup >&2; exit 3'\n");
	assert_up_fails(dir, "startup.ini", lab, "startup.ini:5): exit status 3; its output:");
	assert_up_fails(dir, "startup.ini", lab, "| boom-from-startup");
	/* a startup line that hangs: the timeout, and nothing of it survives */
	write_topology(dir, "hang.ini",
		       "[lab]\nname = nslt-fail\nstartup-timeout = 1s\n[node a]\nstartup = sleep 4242\n");
	double t0 = now();
	assert_up_fails(dir, "hang.ini", lab, "still running after 1 s ([lab] startup-timeout)");
	assert_true(now() - t0 < 4);
	assert_sh(1, "pgrep -f 'sleep 424[2]' >/dev/null");
	/* a service that exits during up */
	write_topology(dir, "exits.ini",
		       "[lab]\nname = nslt-fail\n[node a]\nservice = quitter sh -c 'echo bye-now; exit 7'\n");
	assert_up_fails(dir, "exits.ini", lab, "start service 'quitter' (");
	assert_up_fails(dir, "exits.ini", lab, "it exited with status 7 during up; its output:\n    | bye-now");
	/* a service that exits after it was ready, while up still runs */
	write_topology(dir, "brief.ini",
		       "[lab]\nname = nslt-fail\n[node a]\nservice = brief sh -c 'sleep 0.3; echo leaving-now; exit 4'\n"
		       "service = slow ready 'sleep 1' sleep 4545\n");
	assert_up_fails(dir, "brief.ini", lab, "service 'brief' exited during up, after it was ready");
	assert_sh(1, "pgrep -f 'sleep 454[5]' >/dev/null");
	/* a port already taken: the second dnsmasq cannot bind it */
	write_topology(dir, "port.ini",
		       "[lab]\nname = nslt-fail\n[node a]\n"
		       "service = one ready udp:5353 dnsmasq -k --conf-file=/dev/null --port 5353 --pid-file=\n"
		       "service = two ready udp:5353 dnsmasq -k --conf-file=/dev/null --port 5353 --pid-file=\n");
	assert_up_fails(dir, "port.ini", lab, "Address already in use");
	assert_sh(1, "pgrep -f 'dnsmasq -k --conf-file=/dev/null --port 535[3]' >/dev/null");
	/* a service that never gets ready */
	write_topology(dir, "ready.ini",
		       "[lab]\nname = nslt-fail\n[node a]\nservice = lazy ready tcp:9 timeout 1s sleep 4343\n");
	assert_up_fails(dir, "ready.ini", lab, "not ready after 1 s (ready when TCP port 9 listens");
	assert_sh(1, "pgrep -f 'sleep 434[3]' >/dev/null");
	/* a ruleset nft refuses: nft's words */
	write_topology(dir, "bad.nft", "table ip t {\n\tchain c { type filter hook input priority 0; drop-it-all; }\n}\n");
	write_topology(dir, "nft.ini", "[lab]\nname = nslt-fail\n[node a]\nnft = bad.nft\n");
	if (!missing("nft"))
		assert_up_fails(dir, "nft.ini", lab, "nft -f ");
	else
		diag("skipped: the bad-ruleset case: nft is not installed (scripts/test.sh installs it)");
	/* Ctrl-C while up waits for a service: rolled back, exit 130 */
	write_topology(dir, "int.ini",
		       "[lab]\nname = nslt-fail\n[node a]\nservice = slow ready tcp:9 timeout 30s sleep 4444\n");
	_cleanup_free_ char *intr = capture("%s up %s/int.ini >/dev/null 2>&1 & p=$!; sleep 1; kill -INT $p; wait $p; echo rc=$?",
					    nslab(), dir);
	assert_int_equal(exit_status(intr), 130);
	assert_node_gone(lab);
	assert_sh(1, "pgrep -f 'sleep 444[4]' >/dev/null");
	(void)sh("rm -rf %s", dir);
}

/* [defaults] reach every node; [expect] retry waits, order = sequential
 * runs one check after another, sections one after another. */
static void test_defaults_and_expect(void **state)
{
	_cleanup_free_ char *dir = scratch_dir();
	const char *lab = "nslt-exp";

	write_topology(dir, "exp.ini",
		       "[lab]\nname = nslt-exp\n[defaults]\nforward = yes\n"
		       "sysctl = net.ipv4.conf.all.rp_filter 0\nstartup = touch /tmp/started\n"
		       "[node a]\naddr = 10.9.0.1/24 dev eth0\n"
		       "startup = sh -c '(sleep 1.5; touch /tmp/late) >/dev/null 2>&1 &'\n"
		       "startup = echo line >> /tmp/order\n"
		       "[node b]\naddr = 10.9.0.2/24 dev eth0\nforward = no\n"
		       "[links]\nlink = a:eth0 b:eth0\n"
		       "[expect]\nretry = 6s\nexec = a test -e /tmp/late\ntcp = a b 9\n"
		       "[expect]\norder = sequential\nexec = b sh -c 'echo 1 > /tmp/step'\n"
		       "exec = b sh -c 'test \"$(cat /tmp/step)\" = 1'\n");
	/* a.startup beside the topology runs before a's startup lines */
	write_topology(dir, "a.startup", "echo file > /tmp/order\n");
	assert_sh(0, "%s up %s/exp.ini >/dev/null", nslab(), dir);
	_cleanup_free_ char *order = capture("%s exec %s a -- cat /tmp/order", nslab(), lab);
	assert_string_equal(order, "file\nline");
	assert_sh(0, "test \"$(ip netns exec %s-a sysctl -n net.ipv4.ip_forward)\" = 1", lab);
	assert_sh(0, "test \"$(ip netns exec %s-b sysctl -n net.ipv4.ip_forward)\" = 0", lab);
	assert_sh(0, "test \"$(ip netns exec %s-b sysctl -n net.ipv4.conf.all.rp_filter)\" = 0", lab);
	assert_sh(0, "%s exec %s b -- test -e /tmp/started", nslab(), lab);
	_cleanup_free_ char *out = capture("%s check %s 2>&1; echo rc=$?", nslab(), lab);
	diag("%s", out);
	assert_non_null(strstr(out, "ok    exec in a: test -e /tmp/late"));
	/* nothing listens on port 9: refused, after retrying */
	assert_non_null(strstr(out, "FAIL  tcp a -> b port 9"));
	assert_non_null(strstr(out, "Connection refused (still, after 6 s of retrying)"));
	assert_non_null(strstr(out, "ok    exec in b: sh -c 'test \"$(cat /tmp/step)\" = 1'"));
	assert_int_equal(exit_status(out), 1);
	/* iptables (Debian's, the nft backend) in a node: its rules are the node's */
	if (!missing("iptables")) {
		assert_sh(0, "%s exec %s b -- iptables -A INPUT -p tcp --dport 7 -j REJECT", nslab(), lab);
		assert_sh(0, "ip netns exec %s-b nft list ruleset | grep -q 'dport 7'", lab);
		assert_sh(1, "ip netns exec %s-a nft list ruleset | grep -q 'dport 7'", lab);
	} else {
		diag("iptables is not installed: its part skipped (scripts/test.sh installs it)");
	}
	assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
	assert_node_gone(lab);
	(void)sh("rm -rf %s", dir);
}

/* up killed by SIGKILL before every step of the web lab (a root, a
 * service): down leaves nothing, and the lab comes up after. */
static void test_killed_at_every_step(void **state)
{
	SKIP_UNLESS("apache2ctl");
	_cleanup_free_ char *file = xasprintf("%s/topologies/web.ini", srcdir());
	const char *lab = "nslt-kill";
	int at, steps = 0;

	for (at = 0; at < 100; at++) {
		int rc = sh("NSLAB_TEST_KILL_STEP=%d %s up --name %s %s >/dev/null 2>&1", at, nslab(), lab, file);
		if (rc == 0) {
			steps = at;
			assert_sh(0, "%s exec %s client -- curl -sf http://10.0.0.80/ >/dev/null", nslab(), lab);
		} else {
			assert_int_equal(rc, 128 + 9);
		}
		assert_sh(0, "%s down %s >/dev/null", nslab(), lab);
		assert_node_gone(lab);
		if (rc == 0)
			break;
	}
	diag("killed before each of its %d steps; each time down left nothing", steps);
	assert_true(steps >= 8);
}

/* 100 up/down cycles of dns-tree (5 nodes with roots, 4 bind9): no mount,
 * process in a node's mount namespace (named) or file left; the time per
 * cycle. */
static void test_cycles(void **state)
{
	SKIP_UNLESS("named");
	_cleanup_free_ char *file = xasprintf("%s/topologies/dns-tree.ini", srcdir());
	const char *lab = "nslt-cycle";
	const int cycles = 100;

	double t0 = now();
	for (int i = 0; i < cycles; i++) {
		int up = sh("%s up --name %s %s >/dev/null 2>&1", nslab(), lab, file);
		int down = sh("%s down %s >/dev/null 2>&1", nslab(), lab);
		if (up || down)
			diag("cycle %d: up %d, down %d", i, up, down);
		assert_int_equal(up, 0);
		assert_int_equal(down, 0);
	}
	double t = now() - t0;
	diag("%d up/down cycles of dns-tree in %.1f s (%.0f ms a cycle)", cycles, t, t * 1000 / cycles);
	assert_node_gone(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_lb),
		cmocka_unit_test(test_dns_tree),
		cmocka_unit_test(test_slaac),
		cmocka_unit_test(test_node_root),
		cmocka_unit_test(test_bad_topologies),
		cmocka_unit_test(test_failing_runtime),
		cmocka_unit_test(test_defaults_and_expect),
		cmocka_unit_test(test_killed_at_every_step),
		cmocka_unit_test(test_cycles),
	};
	return cmocka_run_group_tests_name("nodes", tests, require_root, NULL);
}
