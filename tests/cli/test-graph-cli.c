// SPDX-License-Identifier: MIT
/* nslab graph as a user meets it, without root: its options, the format
 * from -o's extension, bad topologies, and files written whole or not at
 * all (svg without Graphviz's dot writes nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "util.h"

static char dir[] = "/tmp/nslab-graph-cli-XXXXXX";

/* nslab graph ARGS in dir (a shell fragment, its environment first):
 * stdout and stderr, and the exit status in *rc. */
static char *run(int *rc, const char *env, const char *args)
{
	_cleanup_free_ char *cmd =
	    xasprintf("cd %s && %s %s graph %s 2>&1", dir, env, getenv("NSLAB_BIN"), args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char *out = read_stream(p);
	int st = pclose(p);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

static char *file(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	char *text = NULL;
	return read_text_file(path, 1 << 20, &text) == 0 ? text : NULL;
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	_cleanup_free_ char *ini = xasprintf("%s/two.ini", dir),
			    *bad = xasprintf("%s/bad.ini", dir);
	return write_file_new(ini, "[lab]\nname = two\n[node h1]\naddr = 10.0.0.1/24 dev eth0\n"
				   "[node h2]\n[links]\nlink = h1:eth0 h2:eth0\n") ||
	       write_file_new(bad, "[node h1]\n[links]\nlink = h1:eth0 h9:eth0\n");
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf %s", dir);
	return system(cmd);
}

static void test_usage(void **state)
{
	int rc;
	_cleanup_free_ char *fmt = run(&rc, "", "-f png two.ini");
	assert_int_equal(rc, 2);
	assert_string_equal(fmt,
			    "nslab graph: --format 'png': not one of dot, mermaid, svg, html\n"
			    "Usage: nslab graph [FILE|LAB] [-f dot|mermaid|svg|html] [-o FILE]\n"
			    "Try 'nslab help graph' for more.\n");
	_cleanup_free_ char *two = run(&rc, "", "two.ini two.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(two, "nslab graph: too many operands"));
	_cleanup_free_ char *bad = run(&rc, "", "bad.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(bad, "bad.ini:3: "));
	_cleanup_free_ char *nolab = run(&rc, "", "no-such-lab");
	assert_int_equal(rc, 1);
	assert_string_equal(
	    nolab, "nslab: graph: lab 'no-such-lab' is not up ('nslab ls' lists the labs)\n");
}

/* -o FILE: its extension picks the format unless -f says; '-' is stdout. */
static void test_output(void **state)
{
	int rc;
	_cleanup_free_ char *o1 = run(&rc, "", "two.ini -o two.mmd");
	assert_int_equal(rc, 0);
	assert_string_equal(o1, "");
	_cleanup_free_ char *mmd = file("two.mmd");
	assert_non_null(mmd);
	assert_non_null(strstr(mmd, "%% nslab graph of lab 'two'\nflowchart TB\n"));
	_cleanup_free_ char *o2 = run(&rc, "", "two.ini -f dot -o two.mmd");
	assert_int_equal(rc, 0);
	_cleanup_free_ char *dot = file("two.mmd");
	assert_true(!strncmp(dot, "// nslab graph of lab 'two'\ngraph \"two\" {\n", 42));
	_cleanup_free_ char *out = run(&rc, "", "two.ini -o -");
	assert_string_equal(out, dot);
	_cleanup_free_ char *gv = run(&rc, "", "two.ini -o two.gv");
	_cleanup_free_ char *gvtext = file("two.gv");
	assert_string_equal(gvtext, dot);
	_cleanup_free_ char *nodir = run(&rc, "", "two.ini -o nodir/x.dot");
	assert_int_equal(rc, 1);
	assert_string_equal(nodir, "nslab: graph: nodir/x.dot: No such file or directory\n");
}

/* Without dot: svg fails and leaves an old file as it was; html writes a
 * page with the source and says why there is no picture. */
static void test_no_dot(void **state)
{
	int rc;
	_cleanup_free_ char *path = xasprintf("%s/old.svg", dir);
	assert_int_equal(write_file_new(path, "old\n"), 0);
	_cleanup_free_ char *svg = run(&rc, "PATH=/nonexistent", "two.ini -o old.svg");
	assert_int_equal(rc, 1);
	assert_string_equal(
	    svg, "nslab: graph: --format svg needs Graphviz's 'dot', which is not installed "
		 "(Debian package graphviz: apt-get install graphviz); nothing was written\n");
	_cleanup_free_ char *old = file("old.svg");
	assert_string_equal(old, "old\n");
	_cleanup_free_ char *html = run(&rc, "PATH=/nonexistent", "two.ini -o two.html");
	assert_int_equal(rc, 0);
	assert_string_equal(
	    html, "nslab: graph: Graphviz's 'dot' is not installed (Debian package graphviz): "
		  "the page has the graph's source and no picture\n");
	_cleanup_free_ char *page = file("two.html");
	assert_non_null(strstr(page, "<pre>// nslab graph of lab 'two'\ngraph \"two\" {\n"));
	assert_null(strstr(page, "<svg"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_usage),
	    cmocka_unit_test(test_output),
	    cmocka_unit_test(test_no_dot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
