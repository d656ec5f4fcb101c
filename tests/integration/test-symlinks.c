// SPDX-License-Identifier: MIT
/* A lab's files on the host (/run/nslab/LAB, /etc/netns/LAB-NODE, a node's
 * folder) are reached without following a symbolic link someone planted
 * there: up and down refuse, or leave the link as it is, and what it points
 * to is never written or deleted. The run directory is 0700. Two nslabs on
 * one lab: the second says who holds it and what to do. */
#include "harness.h"

#include <sys/stat.h>

#define CANARY "/tmp/nslab-st-canary"

static int setup(void **state)
{
	return require_root(state);
}

/* A folder of the test's with files named as nslab's own. */
static void canary_make(void)
{
	assert_sh(0, "rm -rf " CANARY " && mkdir " CANARY " && for f in journal info resolv.conf hosts; do "
		     "echo canary > " CANARY "/$f; done && touch -d 2020-01-01 " CANARY "/*");
}

/* Every file still there, unchanged. */
static void canary_intact(void)
{
	_cleanup_free_ char *out = capture("cd " CANARY " && ls | tr '\\n' ' ' && cat * | sort -u && "
					   "find . -newermt 2020-01-02 -type f | wc -l");
	assert_string_equal(out, "hosts info journal resolv.conf canary\n0");
}

static void test_rundir_link(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/lan.ini", srcdir());
	canary_make();
	assert_sh(0, "mkdir -p /run/nslab && ln -s " CANARY " /run/nslab/nslt-st-a");
	_cleanup_free_ char *up = capture("%s up --name nslt-st-a %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(up, "/run/nslab/nslt-st-a is a symbolic link, not a directory nslab made"));
	assert_non_null(strstr(up, "remove it ('rm /run/nslab/nslt-st-a')"));
	assert_int_equal(exit_status(up), 1);
	assert_sh(1, "ip netns list | grep -q nslt-st-a");
	_cleanup_free_ char *down = capture("%s down nslt-st-a 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(down, "is a symbolic link"));
	assert_int_equal(exit_status(down), 1);
	assert_sh(0, "test -L /run/nslab/nslt-st-a");
	canary_intact();
	assert_sh(0, "rm /run/nslab/nslt-st-a && rmdir /run/nslab && rm -rf " CANARY);
}

/* dns.ini writes resolv.conf and hosts in /etc/netns/LAB-NODE: not
 * through a link (before: it overwrote the files it points to) */
static void test_etc_netns_link_up(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/dns.ini", srcdir());
	canary_make();
	assert_sh(0, "ln -s " CANARY " /etc/netns/nslt-st-b-h1");
	_cleanup_free_ char *up = capture("%s up --name nslt-st-b %s 2>&1; echo rc=$?", nslab(), file);
	assert_non_null(strstr(up, "/etc/netns/nslt-st-b-h1 is a symbolic link, not a directory nslab made"));
	assert_int_equal(exit_status(up), 1);
	canary_intact();
	assert_sh(0, "rm /etc/netns/nslt-st-b-h1 && rm -rf " CANARY);
	assert_lab_gone("nslt-st-b");
}

/* down removes resolv.conf and hosts from /etc/netns/LAB-NODE: not
 * through a link (before: it deleted them in the folder it points to) */
static void test_etc_netns_link_down(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/lan.ini", srcdir());
	canary_make();
	assert_sh(0, "%s up --name nslt-st-c %s >/dev/null", nslab(), file);
	assert_sh(0, "ln -s " CANARY " /etc/netns/nslt-st-c-h1");
	_cleanup_free_ char *down = capture("%s down nslt-st-c 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(down, "/etc/netns/nslt-st-c-h1 stays"));
	assert_int_equal(exit_status(down), 0);
	canary_intact();
	assert_sh(0, "test -L /etc/netns/nslt-st-c-h1 && rm /etc/netns/nslt-st-c-h1 && rm -rf " CANARY);
	assert_lab_gone("nslt-st-c");
}

static void test_node_folder_link(void **state)
{
	assert_sh(0, "rm -rf /tmp/nslab-st-topo && mkdir -p /tmp/nslab-st-topo/h1 && "
		     "cp %s/topologies/lan.ini /tmp/nslab-st-topo/ && ln -s /tmp /tmp/nslab-st-topo/h1/srv",
		  srcdir());
	_cleanup_free_ char *out = capture("%s validate /tmp/nslab-st-topo/lan.ini 2>&1; echo rc=$?", nslab());
	assert_non_null(strstr(out, "node 'h1': /tmp/nslab-st-topo/h1/srv is a symbolic link"));
	assert_non_null(strstr(out, "nslab follows no link at the top of a node's folder"));
	assert_int_not_equal(exit_status(out), 0);
	assert_sh(0, "rm -rf /tmp/nslab-st-topo");
}

static void test_rundir_mode(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/web.ini", srcdir());
	struct stat st;
	assert_sh(0, "%s up --name nslt-st-d %s >/dev/null", nslab(), file);
	assert_int_equal(stat("/run/nslab/nslt-st-d", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* dnsmasq reads its hosts file there as root: names still resolve */
	assert_sh(0, "%s exec nslt-st-d client -- getent hosts web | grep -q 10.0.0.80", nslab());
	assert_sh(0, "%s down nslt-st-d >/dev/null", nslab());
	assert_lab_gone("nslt-st-d");
}

/* The lock held by another (flock(1) here, as an up or down would): up
 * names the lab, says what is going on and what to do, and changes nothing. */
static void test_lock_held(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/lan.ini", srcdir());
	_cleanup_free_ char *out =
		capture("%s up --name nslt-st-e %s >/dev/null && "
			"flock /run/lock/nslab/nslt-st-e.lock sh -c '%s up --name nslt-st-e %s 2>&1; echo rc=$?'",
			nslab(), file, nslab(), file);
	assert_non_null(strstr(out, "lab 'nslt-st-e' is being changed by another nslab right now (an up "
				    "or a down of it is running); nothing was changed: wait for it to end"));
	assert_int_equal(exit_status(out), 1);
	assert_sh(0, "%s diff nslt-st-e %s >/dev/null", nslab(), file);
	assert_sh(0, "%s down nslt-st-e >/dev/null", nslab());
	assert_lab_gone("nslt-st-e");
}

/* The lock held by what a dead locker left (a child that shares its open
 * file: a killed nslab's child before its exec): up waits for it to let
 * go, and does not say another nslab is at work. */
static void test_lock_of_the_dead(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/lan.ini", srcdir());
	assert_sh(0, "mkdir -p /run/lock/nslab && flock /run/lock/nslab/nslt-st-g.lock sh -c "
		     "'sleep 1 >/dev/null 2>&1 & exit 0' && ! flock -n /run/lock/nslab/nslt-st-g.lock true && "
		     "%s up --name nslt-st-g %s >/dev/null",
		  nslab(), file);
	assert_sh(0, "%s down nslt-st-g >/dev/null", nslab());
	assert_lab_gone("nslt-st-g");
}

/* Killed while its service starts (running, not yet on record, and on
 * record, not yet ready): down stops it all the same. */
static void test_killed_in_service_start(void **state)
{
	_cleanup_free_ char *file = xasprintf("%s/topologies/web.ini", srcdir());
	const char *points[] = {"service-spawned", "service-recorded", "journal-done", "locked"};
	for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
		/* what up starts inherits the mark; grep's environment lacks it */
		assert_sh(137, "NSLAB_ST_MARK=killed-%zu NSLAB_TEST_KILL_AT=%s %s up --name nslt-st-f %s", i,
			  points[i], nslab(), file);
		if (i < 2) /* apache runs */
			assert_sh(0, "cat /proc/[0-9]*/environ 2>/dev/null | grep -qz NSLAB_ST_MARK=killed-%zu", i);
		assert_sh(0, "%s down nslt-st-f >/dev/null", nslab());
		assert_lab_gone("nslt-st-f");
		assert_sh(1, "cat /proc/[0-9]*/environ 2>/dev/null | grep -qz NSLAB_ST_MARK=killed-%zu", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rundir_link),
		cmocka_unit_test(test_etc_netns_link_up),
		cmocka_unit_test(test_etc_netns_link_down),
		cmocka_unit_test(test_node_folder_link),
		cmocka_unit_test(test_rundir_mode),
		cmocka_unit_test(test_lock_held),
		cmocka_unit_test(test_lock_of_the_dead),
		cmocka_unit_test(test_killed_in_service_start),
	};
	return cmocka_run_group_tests_name("symlinks", tests, setup, NULL);
}
