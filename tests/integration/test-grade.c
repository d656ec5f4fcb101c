// SPDX-License-Identifier: MIT
/* nslab grade: a reference's checks against students' labs, each under a
 * name of its own, always taken down; the same table at -j 1 and -j 2, and
 * -j 2 faster; [grade] diff = yes; SIGTERM takes the labs down. Every lab
 * name starts with nslt-gd- (--prefix), so no other lab is touched. */
#include "harness.h"

#define DIR "/tmp/nslt-gd"
#define PFX "nslt-gd-"

/* h1 - r1 - h2, as topologies/router.ini, IPv4 only. */
#define LAB_NODES                                                                              \
	"[node h1]\naddr = 10.0.1.10/24 dev eth0\nroute = default via 10.0.1.1\n"              \
	"[node r1]\nforward = yes\naddr = 10.0.1.1/24 dev eth0\naddr = 10.0.2.1/24 dev eth1\n" \
	"[node h2]\naddr = 10.0.2.10/24 dev eth0\n"
#define H2_ROUTE "route = default via 10.0.2.1\n"
#define LAB_LINKS "[links]\nlink = h1:eth0 r1:eth0\nlink = r1:eth1 h2:eth0\n"

/* Checks that fail fast (no 4 s ping deadline): lines 18 to 21. */
static const char ref[] = "[lab]\nname = gdref\n" LAB_NODES H2_ROUTE LAB_LINKS
			  "[expect]\nretry = 1s\nreach = h2 h1\nreach = h1 r1\n"
			  "route = h1 default via 10.0.1.1\nroute = h2 default via 10.0.2.1\n";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	int r = require_root(state);
	if (r)
		return r;
	(void)sh("rm -rf " DIR "; mkdir -p " DIR "/a " DIR "/b " DIR "/folder");
	put(DIR "/ref.ini", ref);
	/* the reference with a check whose failure takes ping's 4 s */
	put(DIR "/slow.ini",
	    "[lab]\nname = gdslow\n" LAB_NODES H2_ROUTE LAB_LINKS
	    "[expect]\nretry = 1s\nreach = h1 h2\nroute = h1 default via 10.0.1.1\n");
	put(DIR "/diffref.ini", "[lab]\nname = gddiff\n" LAB_NODES H2_ROUTE LAB_LINKS
				"[expect]\nreach = h1 h2\n[grade]\ndiff = yes\n");
	put(DIR "/good.ini", "[lab]\nname = gdgood\n" LAB_NODES H2_ROUTE LAB_LINKS);
	put(DIR "/a/good.ini", "[lab]\nname = gdgood\n" LAB_NODES H2_ROUTE LAB_LINKS);
	put(DIR "/b/good.ini", "[lab]\nname = gdgood\n" LAB_NODES H2_ROUTE LAB_LINKS);
	put(DIR "/folder/lab.ini", "[lab]\nname = gdgood\n" LAB_NODES H2_ROUTE LAB_LINKS);
	put(DIR "/noroute.ini", "[lab]\nname = gdnoroute\n" LAB_NODES LAB_LINKS);
	put(DIR "/noroute2.ini", "[lab]\nname = gdnoroute\n" LAB_NODES LAB_LINKS);
	put(DIR "/broken.ini", "[node h1]\naddr = 10.0.1.300/24 dev eth0\n");
	/* no h2: the checks that name it fail, nothing crashes */
	put(DIR "/noh2.ini",
	    "[node h1]\naddr = 10.0.1.10/24 dev eth0\nroute = default via 10.0.1.1\n"
	    "[node r1]\nforward = yes\naddr = 10.0.1.1/24 dev eth0\n"
	    "[links]\nlink = h1:eth0 r1:eth0\n");
	/* h1 at .11, not .10; an extra address on r1 */
	put(DIR "/moved.ini",
	    "[node h1]\naddr = 10.0.1.11/24 dev eth0\nroute = default via 10.0.1.1\n"
	    "[node r1]\nforward = yes\naddr = 10.0.1.1/24 dev eth0\naddr = 10.0.2.1/24 dev eth1\n"
	    "addr = 10.0.9.1/24 dev eth1\n"
	    "[node h2]\naddr = 10.0.2.10/24 dev eth0\n" H2_ROUTE LAB_LINKS);
	return 0;
}

/* Nothing of any nslt-gd- lab is left. */
static void assert_all_gone(void)
{
	static const char *const labs[] = {
	    PFX "good",	  PFX "good-2", PFX "good-3", PFX "noroute", PFX "noroute2",
	    PFX "broken", PFX "noh2",	PFX "moved",  PFX "folder",  PFX "kath"};
	for (size_t i = 0; i < ARRAY_SIZE(labs); i++)
		assert_lab_gone(labs[i]);
	_cleanup_free_ char *left = capture("ip netns list | grep -c '^" PFX "' || true");
	assert_string_equal(left, "0");
}

static const char *const table =
    "STUDENT      LAB              PASSED  FAILED  TOTAL\n"
    "good.ini     " PFX "good          4       0      4\n"
    "noroute.ini  " PFX "noroute       2       2      4\n"
    "    FAIL  reach h2 -> h1 (10.0.1.10): exit status 2: connect: Network is unreachable "
    "(still, after 1 s of retrying) (ref.ini:18)\n"
    "    FAIL  route h2 default via 10.0.2.1: no such route; the node has: no route to default "
    "(still, after 1 s of retrying) (ref.ini:21)\n"
    "broken.ini   " PFX "broken        0       4      4\n"
    "    ERROR does not validate: broken.ini:2: bad address '10.0.1.300/24'\n"
    "              hint: write 'addr = 10.0.0.1/24 dev eth0' (or 'A peer B/32 dev IF')\n"
    "    every check fails: none ran\n"
    "noh2.ini     " PFX "noh2          2       2      4\n"
    "    FAIL  reach h2 -> h1: node 'h2' is not running (ref.ini:18)\n"
    "    FAIL  route h2 default via 10.0.2.1: node 'h2' is not running (ref.ini:21)\n"
    "a/good.ini   " PFX "good-2        4       0      4\n"
    "b/good.ini   " PFX "good-3        4       0      4\n"
    "folder       " PFX "folder        4       0      4\n"
    "4 of 7 students passed every check of ref.ini\n"
    "rc=1";

#define STUDENTS "good.ini noroute.ini broken.ini noh2.ini a/good.ini b/good.ini folder"

static void test_table(void **state)
{
	_cleanup_free_ char *out = capture("cd " DIR " && %s grade --prefix " PFX
					   " ref.ini " STUDENTS " 2>err.txt; echo rc=$?",
					   nslab());
	if (!streq(out, table))
		diag("got:\n%s", out);
	assert_string_equal(out, table);
	/* progress: one line per student on stderr */
	_cleanup_free_ char *err =
	    capture("grep -c '^nslab: grade: ' " DIR
		    "/err.txt; grep -F 'noroute.ini: 2 of 4 checks pass in lab "
		    "'\\''" PFX "noroute'\\''' " DIR "/err.txt | wc -l");
	assert_string_equal(err, "7\n1");
	assert_all_gone();

	/* the same failed checks, named in CSV */
	_cleanup_free_ char *csv =
	    capture("cd " DIR " && %s grade --csv --prefix " PFX
		    " ref.ini noroute.ini broken.ini 2>/dev/null; echo rc=$?",
		    nslab());
	assert_string_equal(
	    csv,
	    "student,lab,passed,failed,total,error,failed_checks\n"
	    "noroute.ini," PFX "noroute,2,2,4,,\"reach h2 -> h1 (10.0.1.10): exit status 2: "
	    "connect: Network is unreachable (still, after 1 s of retrying)\n"
	    "route h2 default via 10.0.2.1: no such route; the node has: no route to default "
	    "(still, after 1 s of retrying)\"\n"
	    "broken.ini," PFX "broken,0,4,4,\"does not validate: broken.ini:2: bad address "
	    "'10.0.1.300/24'\n    hint: write 'addr = 10.0.0.1/24 dev eth0' (or 'A peer B/32 dev "
	    "IF')\",\"reach h2 h1: not run: the lab could not be loaded\n"
	    "reach h1 r1: not run: the lab could not be loaded\n"
	    "route h1 default via 10.0.1.1: not run: the lab could not be loaded\n"
	    "route h2 default via 10.0.2.1: not run: the lab could not be loaded\"\n"
	    "rc=1");
	assert_all_gone();

	/* and in JSON, to a file with -o */
	assert_sh(1,
		  "cd " DIR " && %s grade --json -o out.json --prefix " PFX
		  " ref.ini good.ini noroute.ini broken.ini",
		  nslab());
	_cleanup_free_ char *json =
	    capture("jq -r '.all_passed, (.students[] | \"\\(.student) \\(.lab) \\(.passed) "
		    "\\(.failed) \\(.total) "
		    "\\(.error != null) \\([.checks[] | select(.ok | not) | "
		    "\"\\(.name)@\\(.line)\"] | join(\"|\"))\")' " DIR "/out.json");
	assert_string_equal(
	    json, "false\n"
		  "good.ini " PFX "good 4 0 4 false \n"
		  "noroute.ini " PFX "noroute 2 2 4 false reach h2 -> h1 (10.0.1.10)@18|route h2 "
		  "default via 10.0.2.1@21\n"
		  "broken.ini " PFX "broken 0 4 4 true reach h2 h1@18|reach h1 r1@19|route h1 "
		  "default via 10.0.1.1@20|route h2 default via 10.0.2.1@21");
	assert_all_gone();

	/* every student passes: 0 */
	assert_sh(0, "cd " DIR " && %s grade --prefix " PFX " ref.ini good.ini a/good.ini",
		  nslab());
	assert_all_gone();
}

static double seconds(const char *cmd)
{
	_cleanup_free_ char *out =
	    capture("s=$(date +%%s.%%N); %s >/dev/null 2>&1; e=$(date +%%s.%%N); "
		    "awk \"BEGIN { print $e - $s }\"",
		    cmd);
	return atof(out);
}

static void test_parallel(void **state)
{
	_cleanup_free_ char *cmd1 =
	    xasprintf("cd " DIR " && %s grade -o j1.txt --prefix " PFX
		      " slow.ini noroute.ini good.ini noroute2.ini a/good.ini",
		      nslab());
	_cleanup_free_ char *cmd2 =
	    xasprintf("cd " DIR " && %s grade -j 2 -o j2.txt --prefix " PFX
		      " slow.ini noroute.ini good.ini noroute2.ini a/good.ini",
		      nslab());
	double t1 = seconds(cmd1);
	assert_all_gone();
	double t2 = seconds(cmd2);
	assert_all_gone();
	diag("grading 4 labs (2 with a 4 s failing ping): -j 1 %.2f s, -j 2 %.2f s", t1, t2);
	assert_sh(0, "cmp " DIR "/j1.txt " DIR "/j2.txt");
	/* the rows are in argument order, not in the order the labs ended */
	_cleanup_free_ char *rows =
	    capture("awk 'NR > 1 && /^[a-z]/ {print $1, $3, $4}' " DIR "/j2.txt");
	assert_string_equal(rows,
			    "noroute.ini 1 1\ngood.ini 2 0\nnoroute2.ini 1 1\na/good.ini 2 0");
	/* two 4 s failures one after another, or side by side */
	assert_true(t1 > 8.0);
	assert_true(t2 < t1 * 0.75);
}

static void test_diff(void **state)
{
	_cleanup_free_ char *out =
	    capture("cd " DIR " && %s grade --prefix " PFX
		    " diffref.ini good.ini moved.ini 2>/dev/null; echo rc=$?",
		    nslab());
	static const char want[] =
	    "STUDENT    LAB            PASSED  FAILED  TOTAL\n"
	    "good.ini   " PFX "good        2       0      2\n"
	    "moved.ini  " PFX "moved       1       3      4\n"
	    "    FAIL  diff h1 addr eth0 10.0.1.10/24: in the reference, not in the lab\n"
	    "    FAIL  diff h1 addr eth0 10.0.1.11/24: in the lab, not in the reference\n"
	    "    FAIL  diff r1 addr eth1 10.0.9.1/24: in the lab, not in the reference\n"
	    "1 of 2 students passed every check of diffref.ini\n"
	    "rc=1";
	if (!streq(out, want))
		diag("got:\n%s", out);
	assert_string_equal(out, want);
	_cleanup_free_ char *pass =
	    capture("cd " DIR " && %s grade --json --prefix " PFX
		    " diffref.ini good.ini 2>/dev/null | jq -r '.students[0].checks[].name'",
		    nslab());
	assert_string_equal(pass,
			    "reach h1 -> h2 (10.0.2.10)\ndiff: the lab matches the reference");
	assert_all_gone();
}

/* A lab that is up under the name a student would get is not touched:
 * the student gets the next name. */
static void test_name_taken(void **state)
{
	assert_sh(0, "%s up --name " PFX "good " DIR "/good.ini >/dev/null 2>&1", nslab());
	_cleanup_free_ char *labs =
	    capture("cd " DIR " && %s grade --json --prefix " PFX
		    " ref.ini good.ini 2>/dev/null | jq -r '.students[].lab'; "
		    "%s ls | grep -c '^" PFX "good '",
		    nslab(), nslab());
	assert_string_equal(labs, PFX "good-2\n1");
	assert_sh(0, "%s down " PFX "good >/dev/null 2>&1", nslab());
	assert_all_gone();
}

static void test_interrupt(void **state)
{
	/* SIGTERM to nslab alone, while two labs wait for a 4 s ping */
	_cleanup_free_ char *out =
	    capture("cd " DIR " && { %s grade -j 2 --prefix " PFX
		    " slow.ini noroute.ini noroute2.ini good.ini "
		    ">int.txt 2>&1 & p=$!; sleep 2; ip netns list | grep -c '^" PFX
		    "'; kill -TERM $p; wait $p; "
		    "echo rc=$?; }",
		    nslab());
	/* both labs were up (3 namespaces each) when the signal came */
	assert_string_equal(out, "6\nrc=143");
	/* the table's footer, stderr's last line, the row of the lab never started */
	_cleanup_free_ char *said =
	    capture("grep -c 'interrupted by SIGTERM' " DIR "/int.txt; "
		    "grep -c 'ERROR not graded: interrupted by SIGTERM' " DIR "/int.txt");
	assert_string_equal(said, "3\n1");
	assert_all_gone();
}

/* A Kathará lab folder is a student too: imported on the fly. */
static void test_kathara(void **state)
{
	(void)sh("mkdir -p " DIR "/kath");
	put(DIR "/kath/lab.conf", "h1[0]=\"A\"\nr1[0]=\"A\"\nr1[1]=\"B\"\nh2[0]=\"B\"\n");
	put(DIR "/kath/h1.startup",
	    "ip address add 10.0.1.10/24 dev eth0\nip route add default via 10.0.1.1\n");
	put(DIR "/kath/r1.startup",
	    "ip address add 10.0.1.1/24 dev eth0\nip address add 10.0.2.1/24 dev eth1\n");
	put(DIR "/kath/h2.startup",
	    "ip address add 10.0.2.10/24 dev eth0\nip route add default via 10.0.2.1\n");
	_cleanup_free_ char *out =
	    capture("cd " DIR " && %s grade --prefix " PFX " ref.ini kath 2>/dev/null; echo rc=$?",
		    nslab());
	assert_string_equal(out, "STUDENT  LAB           PASSED  FAILED  TOTAL\n"
				 "kath     " PFX "kath       4       0      4\n"
				 "1 of 1 student passed every check of ref.ini\n"
				 "rc=0");
	assert_lab_gone(PFX "kath");
}

/* A child killed in the middle of its lab: the parent takes the lab down
 * and says so in the row; the next student is graded. */
static void test_child_killed(void **state)
{
	_cleanup_free_ char *out = capture("cd " DIR " && { %s grade --prefix " PFX
					   " slow.ini noroute.ini good.ini >kill.txt 2>&1 & "
					   "p=$!; sleep 2; ip netns list | grep -c '^" PFX
					   "noroute-'; kill -KILL $(pgrep -P $p); "
					   "wait $p; echo rc=$?; }",
					   nslab());
	assert_string_equal(out, "3\nrc=1");
	_cleanup_free_ char *rows =
	    capture("grep -E '^(noroute|good)|ERROR|took lab' " DIR "/kill.txt");
	assert_string_equal(rows, "nslab: grade: noroute.ini: took lab '" PFX
				  "noroute' down after its child\n"
				  "noroute.ini  " PFX "noroute       0       0      0\n"
				  "    ERROR grading stopped: the child was killed by signal 9\n"
				  "good.ini     " PFX "good          2       0      2");
	assert_all_gone();
}

/* On a shared machine a teacher's grading labs carry the lab-name prefix
 * (sudo's user, or --prefix before the command): nslt-gd-u-grade-good. */
static void test_user_prefix(void **state)
{
	_cleanup_free_ char *labs =
	    capture("cd " DIR " && NSLAB_PREFIX=nslt-gd-u %s grade --json ref.ini good.ini "
		    "2>/dev/null | jq -r '.students[] | \"\\(.lab) \\(.failed)\"'",
		    nslab());
	assert_string_equal(labs, "nslt-gd-u-grade-good 0");
	assert_lab_gone("nslt-gd-u-grade-good");
	/* too long for 16 characters with '-grade-': the prefix alone */
	_cleanup_free_ char *plain =
	    capture("cd " DIR " && NSLAB_PREFIX=nslt-gd-long %s grade --json ref.ini good.ini "
		    "2>/dev/null | jq -r '.students[].lab'",
		    nslab());
	assert_string_equal(plain, "nslt-gd-long-good");
	assert_lab_gone("nslt-gd-long-good");
}

static void test_usage(void **state)
{
	assert_sh(2, "%s grade " DIR "/ref.ini 2>/dev/null", nslab());
	assert_sh(2, "%s grade -j 0 " DIR "/ref.ini " DIR "/good.ini 2>/dev/null", nslab());
	assert_sh(2, "%s grade --format xml " DIR "/ref.ini " DIR "/good.ini 2>/dev/null", nslab());
	assert_sh(2, "%s grade --prefix -x " DIR "/ref.ini " DIR "/good.ini 2>/dev/null", nslab());
	_cleanup_free_ char *out =
	    capture("%s grade " DIR "/good.ini " DIR "/good.ini 2>&1; echo rc=$?", nslab());
	assert_string_equal(
	    out, "nslab grade: reference '" DIR "/good.ini' has no [expect] section and no "
		 "'[grade] diff = yes': nothing to grade\n"
		 "Usage: nslab grade [-j N] [--format F] [-o FILE] [--prefix PREFIX] "
		 "[--timeout SECS] [--host-limits] REFERENCE STUDENT...\n"
		 "Try 'nslab help grade' for more.\n"
		 "rc=2");
	_cleanup_free_ char *bad =
	    capture("cd " DIR " && %s grade broken.ini good.ini 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(bad, "broken.ini:2: bad address '10.0.1.300/24'"));
	assert_non_null(strstr(bad, "rc=2"));
	assert_all_gone();
}

static int teardown(void **state)
{
	/* only the labs these tests name */
	static const char *const labs[] = {
	    PFX "good",	  PFX "good-2", PFX "good-3", PFX "noroute", PFX "noroute2",
	    PFX "broken", PFX "noh2",	PFX "moved",  PFX "folder",  PFX "kath"};
	for (size_t i = 0; i < ARRAY_SIZE(labs); i++)
		(void)sh("%s down %s >/dev/null 2>&1", nslab(), labs[i]);
	(void)sh("rm -rf " DIR);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_usage), cmocka_unit_test(test_user_prefix),	 cmocka_unit_test(test_table),
	    cmocka_unit_test(test_diff),	 cmocka_unit_test(test_name_taken),
	    cmocka_unit_test(test_parallel),	 cmocka_unit_test(test_interrupt),
	    cmocka_unit_test(test_child_killed), cmocka_unit_test(test_kathara),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
