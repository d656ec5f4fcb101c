// SPDX-License-Identifier: MIT
/* reach, noreach and tcp checks from sockets in the nodes (sockprobe.c)
 * give what ping and a connecting process give (NSLAB_CHECK_PROCESSES=1),
 * on every scenario, whole and broken; failures say why; the 10x10
 * flannel lab's 10,900 checks take under 2 s. Labs nslt-ic-*. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define TMP "/tmp/nslt-ic"
#define PROCS "NSLAB_CHECK_PROCESSES=1 "

static int setup(void **state)
{
	int r = require_root(state);

	if (!r)
		sh("mkdir -p " TMP);
	return r;
}

static int teardown(void **state)
{
	sh("for l in $(%s ls --json | jq -r '.[].name' | grep '^nslt-ic-'); do %s down $l; done "
	   ">/dev/null 2>&1",
	   nslab(), nslab());
	sh("rm -rf " TMP);
	return 0;
}

/* Each check's name and outcome, one a line. The bound on the run is
 * wide: one ping process per check is what is slow (10,900 of them take
 * 60 s on a machine whose fork and exec cost 6 ms), and a check cut off
 * by the bound would be a difference that is not one. */
static char *outcomes(const char *env, const char *lab)
{
	return capture("%s%s check --timeout 900 --json %s | jq -r '.results[] | "
		       "\"\\(.ok) \\(.name)\"'",
		       env, nslab(), lab);
}

/* Sockets, then processes; again once if they differ (a routing daemon
 * may still be converging after a break): then they must agree. */
static bool agree(const char *lab, const char *when)
{
	for (int round = 0; round < 2; round++) {
		_cleanup_free_ char *a = outcomes("", lab);
		_cleanup_free_ char *b = outcomes(PROCS, lab);
		if (a && b && *a && streq(a, b))
			return true;
		diag("%s %s, round %d: sockets said\n%s\nping said\n%s", lab, when, round + 1,
		     a ? a : "(nothing)", b ? b : "(nothing)");
	}
	return false;
}

/* Every scenario of topologies/ with reach, noreach or tcp checks: the
 * same outcomes both ways, as built and with a host's eth0 down. A copy of
 * topologies/ keeps only those checks (no retry, route or exec: a broken
 * lab would wait out their windows); the scenarios run side by side
 * (checks-agree.sh), so that the whole takes about its slowest. */
static void same_as_ping_on_every_scenario(void **state)
{
	assert_sh(0,
		  "cp -r %s/topologies " TMP "/ && sed -i -E "
		  "'/^(route|noroute|exec|resolve|retry|order) *=/d' " TMP "/topologies/*.ini",
		  srcdir());
	_cleanup_free_ char *out = capture(
	    "cd " TMP "/topologies && for n in $(grep -l -E '^(reach|noreach|tcp) *=' *.ini); do "
	    "sh %s/tests/integration/checks-agree.sh %s " TMP " ${n%%.ini} & done; wait",
	    srcdir(), nslab());
	unsigned agreed = 0, lacked = 0, differ = 0, broken_fails = 0;

	assert_non_null(out);
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "agree ", 6) == 0) {
			agreed++;
			const char *fail = strstr(l, " down: ");
			broken_fails += fail ? (unsigned)atoi(fail + 7) : 0;
		} else if (strncmp(l, "lacks ", 6) == 0) {
			diag("skipped: %s", l + 6); /* the code is real; tests/vm runs it */
			lacked++;
		} else {
			differ++;
			_cleanup_free_ char *name = xstrndup(l + 7, strcspn(l + 7, ":"));
			_cleanup_free_ char *log = capture("cat " TMP "/%s.log", name);
			diag("%s\n%s", l, log ? log : "");
		}
	}
	diag("%u scenarios agree (%u checks failing alike when broken), %u differ, %u need what "
	     "this kernel lacks",
	     agreed, broken_fails, differ, lacked);
	assert_int_equal(differ, 0);
	assert_true(broken_fails >= agreed); /* the broken labs did fail, both ways */
	assert_true(agreed >= 10);
	_cleanup_free_ char *left = capture("ip netns list | grep -c '^nslt-ic-' || true");
	assert_string_equal(left, "0");
}

/* Failures name their cause: an ICMP error as ping prints it, a refused
 * or unanswered connect, no route; the outcomes are ping's. */
static void failures_say_why(void **state)
{
	FILE *f = fopen(TMP "/f.ini", "we");
	assert_non_null(f);
	fputs("[lab]\nname = nslt-ic-f\n"
	      "[node a]\naddr = 10.9.1.10/24 dev eth0\nroute = default via 10.9.1.1\n"
	      "[node r]\nforward = yes\naddr = 10.9.1.1/24 dev eth0\naddr = 10.9.2.1/24 dev eth1\n"
	      "[node b]\naddr = 10.9.2.10/24 dev eth0\n"
	      "[links]\nlink = a:eth0 r:eth0\nlink = r:eth1 b:eth0\n"
	      "[expect]\nreach = a r\nreach = a b\nreach = a 10.9.1.99\nreach = r 10.9.99.1\n"
	      "noreach = a b\nnoreach = a r\ntcp = a r 22\ntcp = a 10.9.1.99 80\n",
	      f);
	fclose(f);
	assert_sh(0, "%s up " TMP "/f.ini >/dev/null", nslab());
	_cleanup_free_ char *out = capture("%s check nslt-ic-f; echo rc=$?", nslab());
	static const char *const lines[] = {
	    "  ok    reach a -> r (10.9.1.1)\n",
	    /* b has no route back */
	    "  FAIL  reach a -> b (10.9.2.10): no reply within 4 s (" TMP "/f.ini:17)\n",
	    /* no neighbour answers: a's own kernel says so */
	    "  FAIL  reach a -> 10.9.1.99 (10.9.1.99): no reply: From 10.9.1.10 icmp_seq=1 "
	    "Destination Host Unreachable (" TMP "/f.ini:18)\n",
	    "  FAIL  reach r -> 10.9.99.1 (10.9.99.1): exit status 2: connect: Network is "
	    "unreachable (" TMP "/f.ini:19)\n",
	    "  ok    noreach a -/-> b (10.9.2.10)\n",
	    "  FAIL  noreach a -/-> r (10.9.1.1): it is reachable (" TMP "/f.ini:21)\n",
	    "  FAIL  tcp a -> r port 22 (10.9.1.1): connect to 10.9.1.1 port 22: Connection "
	    "refused (" TMP "/f.ini:22)\n",
	    "  FAIL  tcp a -> 10.9.1.99 port 80 (10.9.1.99): connect to 10.9.1.99 port 80: no "
	    "answer within 3 s (" TMP "/f.ini:23)\n",
	    "2 of 8 expectations hold in lab 'nslt-ic-f'",
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		if (!strstr(out, lines[i]))
			diag("missing: %s\nin:\n%s", lines[i], out);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_non_null(strstr(out, lines[i]));
	assert_int_equal(exit_status(out), 1);
	assert_true(agree("nslt-ic-f", "with its failures"));
	/* pingall from sockets too: a -> b no, r reaches both */
	_cleanup_free_ char *all =
	    capture("%s pingall --json nslt-ic-f | jq -r '.results[] | "
		    "\"\\(.from)\\(.to) \\(.result)\"' | sort | tr '\\n' ' '",
		    nslab());
	assert_string_equal(all, "ab unreachable ar reachable ba unreachable br reachable "
				 "ra reachable rb reachable ");
	assert_sh(0, "%s down nslt-ic-f >/dev/null", nslab());
	assert_lab_gone("nslt-ic-f");
}

/* 110 nodes, 10,900 checks: under 2 s from sockets, ping's outcomes. */
static void flannel_10x10_in_2s(void **state)
{
	/* the host's shared neighbour table may be too small: raised by
	 * consent while the lab is up (host-limits.c) */
	assert_sh(0, "%s gen k8s --nodes 10 --pods 10 --name nslt-ic-k -o " TMP "/k.ini", nslab());
	assert_sh(0, "%s up --host-limits " TMP "/k.ini >/dev/null 2>&1", nslab());
	_cleanup_free_ char *res = capture(
	    "%s check --json nslt-ic-k | jq -r '\"\\(.expectations) \\(.failed)\"'", nslab());
	_cleanup_free_ char *took = capture("%s check nslt-ic-k | tail -1", nslab());
	diag("%s", took);
	assert_string_equal(res, "10900 0");
	const char *paren = strrchr(took, '(');
	assert_non_null(paren);
	/* the bound is the plain build's; ASan and UBSan make nslab slower */
	assert_true(atof(paren + 1) < (getenv("NSLAB_SANITIZED") ? 6.0 : 2.0));
	assert_true(agree("nslt-ic-k", "10x10"));
	assert_sh(0, "%s down nslt-ic-k >/dev/null", nslab());
	assert_lab_gone("nslt-ic-k");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(failures_say_why),
	    cmocka_unit_test(flannel_10x10_in_2s),
	    cmocka_unit_test(same_as_ping_on_every_scenario),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
