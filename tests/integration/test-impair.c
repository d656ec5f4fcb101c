// SPDX-License-Identifier: MIT
/* Links that misbehave on purpose, in labs named nslt-imp*: rates bound a
 * real transfer (iperf3 between nodes), netem is refused before anything
 * is made on a kernel without it (and measured where it exists), links go
 * down and come back with their addresses and routes, and the triangle of
 * topologies/impair.ini takes the other way while its direct link is down.
 * Asserted from outside: tc -j, ip -j, ping, tracepath, nslab check. */
#include "harness.h"

#include <stdlib.h>

#define REQUIRE_IPERF3()                                                                           \
	do {                                                                                       \
		if (sh("command -v iperf3 >/dev/null") != 0) {                                     \
			diag("skipped: iperf3 is not installed (scripts/test.sh installs it)");     \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static const char two_nodes[] = "[lab]\nname = %s\n"
				"[node h1]\naddr = 10.77.0.1/24 dev eth0\n%s"
				"[node h2]\naddr = 10.77.0.2/24 dev eth0\n"
				"[links]\nlink = h1:eth0 h2:eth0 %s\n";

/* Write the two-node lab with these link settings (and lines for h1) and
 * bring it up; returns up's output ending in "rc=N". */
static char *up_two_h1(const char *lab, const char *h1_lines, const char *settings)
{
	_cleanup_free_ char *path = xasprintf("/tmp/%s.ini", lab);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, two_nodes, lab, h1_lines, settings);
	fclose(f);
	char *out = capture("%s up %s 2>&1; echo rc=$?", nslab(), path);
	unlink(path);
	return out;
}

static char *up_two(const char *lab, const char *settings)
{
	return up_two_h1(lab, "", settings);
}

/* Bits per second h1 sent to h2 in 2 s, as iperf3 measured at h2. */
static double transfer(const char *lab)
{
	assert_sh(0, "%s exec %s h2 iperf3 -s -1 -p 5201 >/dev/null 2>&1 & "
		     "for i in $(seq 100); do ip netns exec %s-h2 ss -ltn | grep -q ':5201 ' && exit 0; "
		     "sleep 0.05; done; exit 1",
		  nslab(), lab, lab);
	_cleanup_free_ char *bps = capture("%s exec %s h1 iperf3 -c 10.77.0.2 -p 5201 -t 2 -J | "
					   "jq '.end.sum_received.bits_per_second'",
					   nslab(), lab);
	assert_non_null(bps);
	diag("%s: %.2f Mbit/s", lab, atof(bps) / 1e6);
	return atof(bps);
}

static bool kernel_has_netem(void)
{
	return sh("unshare -n sh -c 'tc qdisc add dev lo root netem delay 1ms' 2>/dev/null") == 0;
}

/* A rate alone is tbf (the host kernel has it): a transfer is bounded by
 * it, show reports it, and `impair --clear` lifts it. */
static void test_rate_bounds_a_transfer(void **state)
{
	REQUIRE_IPERF3();
	_cleanup_free_ char *out = up_two("nslt-imp-rate", "rate 8mbit");
	assert_int_equal(exit_status(out), 0);
	_cleanup_free_ char *tc = capture("tc -j -n nslt-imp-rate-h1 qdisc show dev eth0 | "
					  "jq -r '.[0] | \"\\(.kind) \\(.root) \\(.options.rate)\"'");
	assert_string_equal(tc, "tbf true 1000000"); /* bytes per second */
	_cleanup_free_ char *shown = capture("%s show --json nslt-imp-rate | jq -c '[.nodes[].interfaces[] "
					     "| select(.name == \"eth0\") | .impair]'", nslab());
	assert_string_equal(shown, "[{\"rate_bit\":8000000},{\"rate_bit\":8000000}]");
	double bounded = transfer("nslt-imp-rate");
	assert_true(bounded > 0.6 * 8e6 && bounded < 1.05 * 8e6);

	_cleanup_free_ char *cleared = capture("%s impair nslt-imp-rate h1:eth0 --clear", nslab());
	assert_string_equal(cleared, "h1:eth0: no impairments (was: rate 8mbit)");
	_cleanup_free_ char *kind = capture("tc -j -n nslt-imp-rate-h1 qdisc show dev eth0 | jq -r '.[0].kind'");
	assert_string_equal(kind, "noqueue");
	double free_run = transfer("nslt-imp-rate");
	assert_true(free_run > 4 * 8e6);

	_cleanup_free_ char *set = capture("%s impair nslt-imp-rate h1:eth0 rate 4mbit", nslab());
	assert_string_equal(set, "h1:eth0: rate 4mbit (was: none)");
	double again = transfer("nslt-imp-rate");
	assert_true(again > 0.6 * 4e6 && again < 1.05 * 4e6);
	_cleanup_free_ char *journal = capture("grep -c '^live [0-9]* impair h1:eth0 ' /run/nslab/nslt-imp-rate/journal");
	assert_string_equal(journal, "2");
	assert_sh(0, "%s down nslt-imp-rate >/dev/null", nslab());
	assert_lab_gone("nslt-imp-rate");
}

/* Without netem: up refuses before it makes anything, and impair leaves
 * the interface as it was. With netem (another kernel): the RTT rises by
 * the delay. The VM suite measures delay and loss on Debian's kernel. */
/* This kernel lacks netem: up of a lab that needs it makes nothing, and
 * impair leaves an interface of a running lab as it was. */
static void refused_without_netem(const char *up_out)
{
	assert_string_equal(up_out, "nslab: up 'nslt-imp-netem' failed: kernel lacks netem support "
				    "(module sch_netem): h1:eth0 asks for 'delay 20ms' "
				    "(/tmp/nslt-imp-netem.ini:8); nothing was created\nrc=1");
	assert_lab_gone("nslt-imp-netem");
	_cleanup_free_ char *up = up_two("nslt-imp-netem", "rate 100mbit");
	assert_int_equal(exit_status(up), 0);
	_cleanup_free_ char *live = capture("%s impair nslt-imp-netem h1:eth0 delay 50ms 2>&1; echo rc=$?", nslab());
	assert_string_equal(live, "nslab: impair: kernel lacks netem support (module sch_netem); "
				  "h1:eth0 is unchanged\nrc=1");
	_cleanup_free_ char *kind = capture("tc -j -n nslt-imp-netem-h1 qdisc show dev eth0 | jq -r '.[0].kind'");
	assert_string_equal(kind, "tbf");
	assert_sh(0, "%s down nslt-imp-netem >/dev/null", nslab());
	assert_lab_gone("nslt-imp-netem");
}

/* Without netem: refused (above), and the measurement is skipped. With
 * netem (another kernel): the RTT rises by the delay. The VM suite
 * measures delay and loss on Debian's kernel. */
static void test_netem_refused_or_measured(void **state)
{
	_cleanup_free_ char *out = up_two("nslt-imp-netem", "delay 20ms");
	if (!kernel_has_netem()) {
		refused_without_netem(out);
		free(steal_pointer(&out)); /* skip() jumps past the cleanup */
		diag("skipped: kernel lacks netem (module sch_netem); delay, jitter and loss are "
		     "measured in the VM suite (tests/vm/impair.sh)");
		skip();
	}
	assert_int_equal(exit_status(out), 0);
	/* 20 ms on each end's egress: the RTT of a ping is about 40 ms */
	_cleanup_free_ char *rtt = capture("ip netns exec nslt-imp-netem-h1 ping -c 10 -i 0.05 -q 10.77.0.2 | "
					   "sed -n 's|.* = [0-9.]*/\\([0-9.]*\\)/.*|\\1|p'");
	diag("RTT with 20 ms each way: %s ms", rtt);
	assert_true(atof(rtt) > 36 && atof(rtt) < 44);
	assert_sh(0, "%s down nslt-imp-netem >/dev/null", nslab());
	assert_lab_gone("nslt-imp-netem");
}

static char *flags(const char *ns, const char *dev)
{
	return capture("ip -j -n %s link show %s | jq -r '.[0].flags | map(select(. == \"UP\" or . == "
		       "\"NO-CARRIER\")) | join(\",\")'", ns, dev);
}

/* The router lab: r1:eth1 down makes h1 -> h2 fail (h2's default route is
 * gone with its eth0); up puts addresses and routes back and check holds. */
static void test_link_down_and_up(void **state)
{
	assert_sh(0, "%s up --name nslt-imp-link %s/topologies/router.ini >/dev/null", nslab(), srcdir());
	_cleanup_free_ char *down = capture("%s link nslt-imp-link r1:eth1 down", nslab());
	assert_string_equal(down, "r1:eth1 and h2:eth0 down");
	_cleanup_free_ char *f1 = flags("nslt-imp-link-r1", "eth1"), *f2 = flags("nslt-imp-link-h2", "eth0");
	assert_string_equal(f1, "");
	assert_string_equal(f2, "");
	_cleanup_free_ char *routes = capture("ip -j -n nslt-imp-link-h2 route | jq length");
	assert_string_equal(routes, "0");
	assert_sh(1, "ip netns exec nslt-imp-link-h1 ping -c 1 -W 1 -q 10.0.2.10 >/dev/null");
	assert_sh(1, "%s check nslt-imp-link --timeout 2 >/dev/null", nslab());

	_cleanup_free_ char *up = capture("%s link nslt-imp-link r1:eth1 up", nslab());
	/* back: fd00:2::1 (r1), fd00:2::10 and both default routes (h2) */
	assert_string_equal(up, "r1:eth1 and h2:eth0 up; restored 4 of the topology's addresses, "
				"routes and neighbours through them (2 were still there)");
	_cleanup_free_ char *addr6 = capture("ip -j -n nslt-imp-link-h2 -6 addr show dev eth0 scope global | "
					     "jq -r '.[0].addr_info[0].local'");
	assert_string_equal(addr6, "fd00:2::10");
	assert_sh(0, "%s check nslt-imp-link >/dev/null", nslab());

	/* one end: its peer keeps UP and its routes, without carrier */
	assert_sh(0, "%s link nslt-imp-link r1:eth1 down --one-end >/dev/null", nslab());
	_cleanup_free_ char *g1 = flags("nslt-imp-link-r1", "eth1"), *g2 = flags("nslt-imp-link-h2", "eth0");
	assert_string_equal(g1, "");
	assert_string_equal(g2, "NO-CARRIER,UP");
	assert_sh(0, "%s link nslt-imp-link r1:eth1 up --one-end >/dev/null", nslab());
	assert_sh(0, "%s check nslt-imp-link >/dev/null", nslab());
	_cleanup_free_ char *journal = capture("grep '^live ' /run/nslab/nslt-imp-link/journal | cut -d' ' -f3-");
	assert_string_equal(journal, "link r1:eth1 down\nlink r1:eth1 up\nlink r1:eth1 down --one-end\n"
				     "link r1:eth1 up --one-end");
	assert_sh(0, "%s down nslt-imp-link >/dev/null", nslab());
	assert_lab_gone("nslt-imp-link");
}

/* Permanent neighbour entries go with their interface too and come back;
 * a lab whose nslab died (its run directory gone) goes down whole, live
 * changes and all. */
static void test_neighbours_back_and_crash(void **state)
{
	_cleanup_free_ char *out = up_two_h1("nslt-imp-nb",
					     "neigh = 10.77.0.9 lladdr 02:00:00:00:00:09 dev eth0\n",
					     "rate 50mbit");
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "%s link nslt-imp-nb h1:eth0 down >/dev/null", nslab());
	_cleanup_free_ char *gone = capture("ip -j -n nslt-imp-nb-h1 neigh show 10.77.0.9 | jq length");
	assert_string_equal(gone, "0");
	assert_sh(0, "%s link nslt-imp-nb h1:eth0 up >/dev/null", nslab());
	_cleanup_free_ char *back = capture("ip -j -n nslt-imp-nb-h1 neigh show 10.77.0.9 | "
					    "jq -r '.[0] | \"\\(.lladdr) \\(.state[0])\"'");
	assert_string_equal(back, "02:00:00:00:00:09 PERMANENT");
	_cleanup_free_ char *rate = capture("tc -j -n nslt-imp-nb-h2 qdisc show dev eth0 | jq -r '.[0].kind'");
	assert_string_equal(rate, "tbf"); /* a qdisc outlives its link going down */
	assert_sh(0, "%s impair nslt-imp-nb h2:eth0 rate 1mbit >/dev/null", nslab());
	assert_sh(0, "%s link nslt-imp-nb h1:eth0 down --one-end >/dev/null", nslab());
	/* as after a crash: no journal, no run directory */
	assert_sh(0, "rm -rf /run/nslab/nslt-imp-nb");
	assert_sh(0, "%s down nslt-imp-nb >/dev/null", nslab());
	assert_lab_gone("nslt-imp-nb");
}

/* topologies/impair.ini: with r1-r2 down, h1 reaches h2 through r3; back
 * up, the direct way again, and every expectation holds. */
static void test_triangle_takes_the_other_way(void **state)
{
	assert_sh(0, "%s up --name nslt-imp-tri %s/topologies/impair.ini >/dev/null", nslab(), srcdir());
	_cleanup_free_ char *via = capture("ip -j -n nslt-imp-tri-r1 route get 10.1.2.10 | jq -r '.[0].gateway'");
	assert_string_equal(via, "10.1.12.2");
	assert_sh(0, "%s link nslt-imp-tri r1:eth1 down >/dev/null", nslab());
	_cleanup_free_ char *other = capture("ip -j -n nslt-imp-tri-r1 route get 10.1.2.10 | jq -r '.[0].gateway'");
	assert_string_equal(other, "10.1.13.3");
	assert_sh(0, "ip netns exec nslt-imp-tri-h1 ping -c 1 -W 2 -q 10.1.2.10 >/dev/null");
	assert_sh(0, "ip netns exec nslt-imp-tri-h1 tracepath -n 10.1.2.10 | grep -q '^ 2:  10.1.13.3 '");
	assert_sh(0, "%s link nslt-imp-tri r1:eth1 up >/dev/null", nslab());
	_cleanup_free_ char *back = capture("ip -j -n nslt-imp-tri-r1 route get 10.1.2.10 | jq -r '.[0].gateway'");
	assert_string_equal(back, "10.1.12.2");
	assert_sh(0, "%s check nslt-imp-tri >/dev/null", nslab());
	/* one end: r2 keeps its route through the end without carrier, and
	 * ignores it (ignore_routes_with_linkdown): its replies go round too */
	assert_sh(0, "%s link nslt-imp-tri r1:eth1 down --one-end >/dev/null", nslab());
	assert_sh(0, "ip netns exec nslt-imp-tri-h1 ping -c 1 -W 2 -q 10.1.2.10 >/dev/null");
	assert_sh(0, "ip -j -n nslt-imp-tri-r2 route show 10.1.1.0/24 | jq -e 'map(select(.gateway == \"10.1.12.1\")) | .[0].flags | index(\"linkdown\")' >/dev/null");
	assert_sh(0, "%s link nslt-imp-tri r1:eth1 up --one-end >/dev/null", nslab());
	assert_sh(0, "%s check nslt-imp-tri >/dev/null", nslab());
	assert_sh(0, "%s down nslt-imp-tri >/dev/null", nslab());
	assert_lab_gone("nslt-imp-tri");
}

/* Wrong words: what is wrong and what to write; nothing changes. */
static void test_live_mistakes(void **state)
{
	static const struct {
		const char *args;
		const char *want;
	} cases[] = {
		{"link nslt-imp-err r1:eth7 down",
		 "nslab: link: node 'r1' has no interface 'eth7' in the topology (it has: eth0, eth1)\nrc=1"},
		{"link nslt-imp-err r9:eth1 down",
		 "nslab: link: lab 'nslt-imp-err' has no node 'r9'; did you mean 'r1'? (its nodes: h1, r1, h2)\nrc=1"},
		{"link nslt-imp-err r1:eth1 sideways",
		 "nslab link: 'sideways': write 'up' or 'down' after r1:eth1\n"
		 "Usage: nslab link [LAB] NODE:IF up|down [--one-end]\nTry 'nslab help link' for more.\nrc=2"},
		{"link nslt-imp-err r1 down",
		 "nslab link: name the interface as NODE:IF (r1): link [LAB] NODE:IF up|down [--one-end]\n"
		 "Usage: nslab link [LAB] NODE:IF up|down [--one-end]\nTry 'nslab help link' for more.\nrc=2"},
		{"impair nslt-imp-err h1:eth0 rate 10mbps",
		 "nslab impair: bad rate '10mbps'; a rate is bits per second with bit, kbit, mbit or gbit: "
		 "'10mbit', '512kbit' (8kbit to 17gbit; tc's 'mbps' would be megabytes)\n"
		 "Usage: nslab impair [LAB] NODE:IF [SETTING VALUE]... | --clear\n"
		 "Try 'nslab help impair' for more.\nrc=2"},
		{"impair nslt-imp-err h1:eth0 jitter 2ms",
		 "nslab impair: 'jitter' without 'delay'; jitter varies a delay: write 'delay 20ms jitter 5ms'\n"
		 "Usage: nslab impair [LAB] NODE:IF [SETTING VALUE]... | --clear\n"
		 "Try 'nslab help impair' for more.\nrc=2"},
		{"impair nslt-imp-err h1:eth0 rate 1mbit --clear",
		 "nslab impair: --clear takes no settings\n"
		 "Usage: nslab impair [LAB] NODE:IF [SETTING VALUE]... | --clear\n"
		 "Try 'nslab help impair' for more.\nrc=2"},
		{"impair nslt-imp-err h1:eth9 rate 1mbit",
		 "nslab: impair: node 'h1' has no interface 'eth9' in its kernel now (its interfaces in "
		 "the topology: eth0)\nrc=1"},
		{"impair nslt-imp-err h1:eth0", "h1:eth0: no impairments\nrc=0"},
	};

	assert_sh(0, "%s up --name nslt-imp-err %s/topologies/router.ini >/dev/null", nslab(), srcdir());
	_cleanup_free_ char *before = netns_snapshot("nslt-imp-err-r1");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *out = capture("%s %s 2>&1; echo rc=$?", nslab(), cases[i].args);
		if (strcmp(out, cases[i].want) != 0)
			diag("nslab %s:\n%s", cases[i].args, out);
		assert_string_equal(out, cases[i].want);
	}
	_cleanup_free_ char *after = netns_snapshot("nslt-imp-err-r1");
	assert_string_equal(before, after);
	assert_sh(0, "! grep -q '^live ' /run/nslab/nslt-imp-err/journal");
	assert_sh(0, "%s down nslt-imp-err >/dev/null", nslab());
	assert_lab_gone("nslt-imp-err");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_bounds_a_transfer),
		cmocka_unit_test(test_netem_refused_or_measured),
		cmocka_unit_test(test_link_down_and_up),
		cmocka_unit_test(test_triangle_takes_the_other_way),
		cmocka_unit_test(test_neighbours_back_and_crash),
		cmocka_unit_test(test_live_mistakes),
	};
	return cmocka_run_group_tests_name("impair", tests, require_root, NULL);
}
