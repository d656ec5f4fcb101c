// SPDX-License-Identifier: MIT
/* The lab-name prefix of a shared machine (labname.h): where it comes
 * from, and what a name the user types means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "labname.h"

static void test_prefix_sources(void **state)
{
	assert_string_equal(labname_prefix(NULL, NULL), "");
	assert_string_equal(labname_prefix(NULL, ""), "");     /* the tests' SUDO_USER= */
	assert_string_equal(labname_prefix(NULL, "root"), ""); /* root that ran sudo */
	assert_string_equal(labname_prefix(NULL, "alice"), "alice");
	assert_string_equal(labname_prefix("bob", "alice"), "bob"); /* --prefix first */
	assert_string_equal(labname_prefix("", "alice"), "");	    /* --prefix '' */
}

static void test_qualify(void **state)
{
	_cleanup_free_ char *a = labname_qualify("alice", "router");
	_cleanup_free_ char *b = labname_qualify("alice", "alice-router"); /* from 'nslab ls' */
	_cleanup_free_ char *c = labname_qualify("", "router");
	_cleanup_free_ char *d = labname_qualify("alice", "alice"); /* no '-': a lab called alice */
	_cleanup_free_ char *e = labname_qualify("alice", "alice-"); /* nothing after the '-' */
	_cleanup_free_ char *f = labname_qualify("al", "alice-router");

	assert_string_equal(a, "alice-router");
	assert_string_equal(b, "alice-router");
	assert_string_equal(c, "router");
	assert_string_equal(d, "alice-alice");
	assert_string_equal(e, "alice-alice-");
	assert_string_equal(f, "al-alice-router");
}

static void test_mine_and_short(void **state)
{
	assert_true(labname_is_mine("alice", "alice-router"));
	assert_false(labname_is_mine("alice", "bob-router"));
	assert_false(labname_is_mine("alice", "alicea-router"));
	assert_false(labname_is_mine("alice", "alice"));
	assert_true(labname_is_mine("", "bob-router")); /* no prefix: every lab */
	assert_string_equal(labname_short("alice", "alice-router"), "router");
	assert_string_equal(labname_short("alice", "bob-router"), "bob-router");
	assert_string_equal(labname_short("", "alice-router"), "alice-router");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_sources),
	    cmocka_unit_test(test_qualify),
	    cmocka_unit_test(test_mine_and_short),
	};
	return cmocka_run_group_tests_name("labname", tests, NULL, NULL);
}
