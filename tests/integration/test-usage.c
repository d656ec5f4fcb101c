// SPDX-License-Identifier: MIT
/* What users hit: interrupts, messages that say what is wrong, exec's
 * words, /etc/netns ownership, labs built by 'nslab plan | sh'. Every case
 * goes through the binary and asserts the message and the exit status. */
#include "harness.h"

/* ux1: a1 - b1 on one link, c1 with no address at all */
static const char *const ux1 =
	"[lab]\nname = ux1\n"
	"[node a1]\naddr = 10.9.0.1/24 dev eth0\n"
	"[node b1]\naddr = 10.9.0.2/24 dev eth0\n"
	"[node c1]\n"
	"[links]\nlink = a1:eth0 b1:eth0\nlink = a1:eth1 c1:eth0\n"
	"[expect]\nreach = a1 b1\n";

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int up_ux1(void **state)
{
	if (require_root(state) < 0)
		return -1;
	put_file("/tmp/nslab-ux1.ini", ux1);
	return sh_want(0, "%s up /tmp/nslab-ux1.ini >/dev/null", nslab()) ? -1 : 0;
}

static int down_ux(void **state)
{
	(void)sh("for l in ux1 ux2 ux3 uxbig uxint uxplan; do %s down $l; done >/dev/null 2>&1", nslab());
	(void)sh("rm -f /tmp/nslab-ux*.ini /tmp/nslab-ux*.xml; rm -rf /etc/netns/ux1-a1");
	return 0;
}

static void expect_out(const char *cmd, const char *want, int status)
{
	_cleanup_free_ char *out = capture("%s 2>&1; echo rc=$?", cmd);
	if (!strstr(out, want) || exit_status(out) != status)
		diag("%s\nwanted (exit %d): %s\ngot: %s", cmd, status, want, out);
	assert_non_null(strstr(out, want));
	assert_int_equal(exit_status(out), status);
}

#define EXPECT(want, status, ...)                                                                  \
	do {                                                                                       \
		_cleanup_free_ char *cmd_ = xasprintf(__VA_ARGS__);                                \
		expect_out(cmd_, want, status);                                                    \
	} while (0)

/* 1: nslab test stops on SIGTERM, takes the lab down, says so, never 0 */
static void test_test_interrupted(void **state)
{
	put_file("/tmp/nslab-uxint.ini", "[lab]\nname = uxint\n[node a]\naddr = 10.9.5.1/24 dev eth0\n"
					   "[node b]\naddr = 10.9.5.2/24 dev eth0\n[links]\nlink = a:eth0 b:eth0\n"
					   "[expect]\nreach = a b\nexec = a sleep 20\n");
	_cleanup_free_ char *out = capture(
		"%s test --junit /tmp/nslab-uxint.xml /tmp/nslab-uxint.ini >/tmp/nslab-uxint.out 2>&1 & p=$!;"
		" for i in $(seq 100); do ip netns list | grep -q '^uxint-a' && break; sleep 0.05; done; sleep 0.5;"
		" kill -TERM $p; wait $p; echo rc=$?; cat /tmp/nslab-uxint.out; rm -f /tmp/nslab-uxint.out",
		nslab());
	if (exit_status(out) != 143)
		diag("%s", out);
	assert_int_equal(exit_status(out), 143);
	assert_non_null(strstr(out, "interrupted by SIGTERM"));
	assert_non_null(strstr(out, "lab 'uxint' was taken down"));
	assert_lab_gone("uxint");
	_cleanup_free_ char *xml = capture("cat /tmp/nslab-uxint.xml");
	assert_non_null(strstr(xml, "errors=\"1\""));
	assert_non_null(strstr(xml, "<error message=\"interrupted by SIGTERM"));
}

/* 2: SIGINT in the middle of a large up rolls it back and exits 130 */
static void test_up_interrupted(void **state)
{
	assert_sh(0, "%s gen star --nodes 1500 -o /tmp/nslab-uxbig.ini && "
		     "sed -i 's/^name = .*/name = uxbig/' /tmp/nslab-uxbig.ini", nslab());
	_cleanup_free_ char *out = capture(
		"%s up /tmp/nslab-uxbig.ini >/tmp/nslab-uxbig.out 2>&1 & p=$!;"
		" for i in $(seq 400); do [ $(ip netns list | grep -c '^uxbig-') -ge 100 ] && break; sleep 0.01; done;"
		" kill -INT $p; wait $p; echo rc=$?; cat /tmp/nslab-uxbig.out; rm -f /tmp/nslab-uxbig.out",
		nslab());
	if (exit_status(out) != 130)
		diag("%s", out);
	assert_int_equal(exit_status(out), 130);
	assert_non_null(strstr(out, "up 'uxbig' interrupted by SIGINT after "));
	assert_non_null(strstr(out, "namespaces it had made, and its run directory"));
	assert_lab_gone("uxbig");
}

/* 3, 4, 6: what is missing, and one message for an unknown node */
static void test_messages(void **state)
{
	put_file("/tmp/nslab-ux2.ini", "[lab]\nname = ux2\n[node z]\n");
	assert_sh(0, "%s up /tmp/nslab-ux2.ini >/dev/null", nslab());
	EXPECT("several labs are up; name one", 2, "%s show", nslab());
	EXPECT("lab 'ux1' is named; name the node too: shell ux1 NODE", 2, "%s shell ux1", nslab());
	EXPECT("no command given for node 'a1' of lab 'ux1'", 2, "%s exec ux1 a1", nslab());
	EXPECT("lab 'ux1' is named; name the node and the command", 2, "%s exec ux1", nslab());
	EXPECT("lab 'ux1' is named, and node 'a1'; name the target too", 2, "%s ping ux1 a1", nslab());
	const char *unknown = "lab 'ux1' has no node 'zz' (its nodes: a1, b1, c1)";
	EXPECT(unknown, 1, "%s exec ux1 zz true", nslab());
	EXPECT(unknown, 1, "%s shell ux1 zz", nslab());
	EXPECT(unknown, 1, "%s ping ux1 a1 zz", nslab());
	EXPECT(unknown, 1, "%s ping ux1 zz a1", nslab());
	EXPECT(unknown, 1, "%s show ux1 zz", nslab());
	EXPECT(unknown, 1, "%s capture ux1 zz:eth0", nslab());
	EXPECT("has no node 'a2'; did you mean 'a1'?", 1, "%s exec ux1 a2 true", nslab());
	assert_sh(0, "%s down ux2 >/dev/null", nslab());
}

/* 5: every command that needs root says so */
static void test_needs_root(void **state)
{
	char dir[] = "/tmp/nslab-uxroot.XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_sh(0, "cp %s %s/nslab && chmod -R a+rX %s", nslab(), dir, dir);
	static const char *const cmds[] = {"ping ux1 a1 b1", "tracepath ux1 a1 b1", "pingall ux1",
					   "exec ux1 a1 true", "shell ux1 a1", "capture ux1 a1:eth0",
					   "show ux1", "check ux1"};
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		EXPECT("this needs root", 1,
		       "cd / && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "
		       "--bounding-set=-all %s/nslab %s",
		       dir, cmds[i]);
	(void)sh("rm -rf %s", dir);
}

/* 8: a failed check is one line with its reason */
static void test_check_one_line(void **state)
{
	put_file("/tmp/nslab-ux3.ini", "[lab]\nname = ux3\n[node a]\naddr = 10.9.6.1/24 dev eth0\n"
					 "[node b]\naddr = 10.9.6.2/24 dev eth0\n[links]\nlink = a:eth0 b:eth0\n"
					 "[expect]\nreach = a 10.9.6.9\nexec = a sh -c \"true ; false\"\n");
	_cleanup_free_ char *out = capture("%s test /tmp/nslab-ux3.ini 2>&1; echo rc=$?", nslab());
	/* no neighbour answers: a's kernel says so, as ping would print it */
	assert_non_null(strstr(out, "  FAIL  reach a -> 10.9.6.9 (10.9.6.9): no reply: From 10.9.6.1 icmp_seq=1 Destination Host Unreachable (/tmp/nslab-ux3.ini:10)\n"));
	/* 10: the quoted ';' is the command's, so false ran */
	assert_non_null(strstr(out, "  FAIL  exec in a: sh -c \"true ; false\": exit status 1 (/tmp/nslab-ux3.ini:11)\n"));
	assert_null(strstr(out, "packets transmitted"));
	assert_int_equal(exit_status(out), 1);
	assert_lab_gone("ux3");
}

/* 15: the words after NODE are the command, options and all */
static void test_exec_words(void **state)
{
	EXPECT("1 received", 0, "%s exec ux1 a1 ping -c 1 -W 2 10.9.0.2", nslab());
	_cleanup_free_ char *ls = capture("%s exec ux1 a1 ls -h -d /etc 2>&1; echo rc=$?", nslab());
	assert_string_equal(ls, "/etc\nrc=0");
	assert_sh(0, "%s exec ux1 a1 -- true", nslab());
	assert_sh(3, "%s exec a1 sh -c 'exit 3'", nslab()); /* lab inferred */
}

/* 16, 17: /etc/netns: nslab removes what it made, names what it did not;
 * a file with no /etc counterpart is named, not skipped in silence */
static void test_etc_netns(void **state)
{
	assert_sh(0, "mkdir -p /etc/netns/ux1-a1/sub && echo mine > /etc/netns/ux1-a1/sub/keep && "
		     "echo x > /etc/netns/ux1-a1/nslab-no-such-file");
	EXPECT("/etc/netns/ux1-a1/nslab-no-such-file is not used: the host has no /etc/nslab-no-such-file", 0,
	       "%s exec ux1 a1 true", nslab());
	_cleanup_free_ char *down = capture("%s down ux1 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(down, "/etc/netns/ux1-a1 stays: it holds what nslab did not make ("));
	assert_non_null(strstr(down, "sub/"));
	assert_int_equal(exit_status(down), 0);
	assert_sh(0, "test \"$(cat /etc/netns/ux1-a1/sub/keep)\" = mine");
	(void)sh("rm -rf /etc/netns/ux1-a1");
	assert_sh(0, "%s up /tmp/nslab-ux1.ini >/dev/null", nslab());
}

/* 18: check after the file changed says so */
static void test_check_edited(void **state)
{
	assert_sh(0, "%s check ux1 >/dev/null", nslab());
	assert_sh(0, "printf 'reach = a1 c1\\n' >> /tmp/nslab-ux1.ini");
	_cleanup_free_ char *out = capture("%s check ux1 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(out, "the running lab's topology differs from /tmp/nslab-ux1.ini"));
	assert_non_null(strstr(out, "1 of 1 expectations hold"));
	assert_int_equal(exit_status(out), 0);
	put_file("/tmp/nslab-ux1.ini", ux1);
}

/* 19: a lab built by 'nslab plan | sh' is found by every command */
static void test_plan_sh_lab(void **state)
{
	put_file("/tmp/nslab-uxplan.ini", "[lab]\nname = uxplan\n[node p]\naddr = 10.9.7.1/24 dev eth0\n"
					    "[node q]\naddr = 10.9.7.2/24 dev eth0\n[links]\nlink = p:eth0 q:eth0\n");
	assert_sh(0, "%s plan /tmp/nslab-uxplan.ini | sh -e", nslab());
	EXPECT("10.9.7.2/24", 0, "%s exec uxplan q ip -br addr show dev eth0", nslab());
	EXPECT("node p  (netns uxplan-p)", 0, "%s show uxplan", nslab());
	EXPECT("2/2 pairs reachable", 0, "%s pingall uxplan", nslab());
	EXPECT("(nslab plan | sh)", 0, "%s ls", nslab());
	assert_sh(0, "%s down uxplan >/dev/null", nslab());
	assert_lab_gone("uxplan");
}

/* 20: an up that cannot prepare /run/netns leaves no run directory, journal or
 * broken lab behind (in a mount namespace of its own, /run/netns a file) */
static void test_up_prepare_fails(void **state)
{
	_cleanup_free_ char *out = capture(
		"unshare --mount --propagation private sh -c 'mount -t tmpfs uxprep /run && touch /run/netns &&"
		" %1$s up /tmp/nslab-ux1.ini; echo rc=$?; %1$s ls; ls -A /run/nslab 2>&1' 2>&1",
		nslab());
	if (!strstr(out, "No such file or directory") || strstr(out, "ux1 "))
		diag("%s", out);
	assert_non_null(strstr(out, "prepare /run/netns"));
	assert_non_null(strstr(out, "rc=1\n"));
	assert_null(strstr(out, "ux1   ")); /* not listed */
	assert_non_null(strstr(out, "cannot access '/run/nslab': No such file or directory"));
}

/* 21: '?' for a source without an address; names above the columns */
static void test_pingall_matrix(void **state)
{
	_cleanup_free_ char *out = capture("%s pingall ux1 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(out, "         abc\nfrom\\to  111\na1       -.?\nb1       .-?\nc1       ?" "?-\n"));
	assert_non_null(strstr(out, "2/6 pairs reachable"));
	assert_int_equal(exit_status(out), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_needs_root),
		cmocka_unit_test(test_exec_words),
		cmocka_unit_test(test_etc_netns),
		cmocka_unit_test(test_check_edited),
		cmocka_unit_test(test_pingall_matrix),
		cmocka_unit_test(test_check_one_line),
		cmocka_unit_test(test_plan_sh_lab),
		cmocka_unit_test(test_up_prepare_fails),
		cmocka_unit_test(test_test_interrupted),
		cmocka_unit_test(test_up_interrupted),
	};
	return cmocka_run_group_tests_name("usage", tests, up_ux1, down_ux);
}
