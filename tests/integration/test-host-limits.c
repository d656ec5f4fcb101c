// SPDX-License-Identifier: MIT
/* Host limits by consent: up --host-limits raises what a lab needs, the
 * last holder's down restores the values found, also after a crash; a
 * value changed by hand is left. The sysctls are the host's (isolate.sh
 * makes /run private, not /proc/sys): every value touched is saved first
 * and put back after each test, also when it fails. */
#include "harness.h"

#include <signal.h>

#define TMP "/tmp/nslt-hl"
#define V4 "net.ipv4.neigh.default."
#define V6 "net.ipv6.neigh.default."

static const char *const keys[] = {
    V4 "gc_thresh1",
    V4 "gc_thresh2",
    V4 "gc_thresh3",
    V6 "gc_thresh1",
    V6 "gc_thresh2",
    V6 "gc_thresh3",
    "net.core.netdev_max_backlog",
};
static char saved[ARRAY_SIZE(keys)][32];
static bool have_saved;

/* "KEY=VALUE ..." of every key, as sysctl -n reads them now */
static char *values(void)
{
	struct sbuf b = {0};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *v = capture("sysctl -n %s", keys[i]);
		sbuf_addf(&b, "%s%s=%s", i ? " " : "", keys[i], v ? v : "?");
	}
	return sbuf_steal(&b);
}

static char *value(const char *key)
{
	return capture("sysctl -n %s", key);
}

static void restore(void)
{
	if (!have_saved)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *now = value(keys[i]);
		if (*saved[i] && (!now || !streq(now, saved[i]))) /* only what changed */
			(void)sh("sysctl -qw %s=%s", keys[i], saved[i]);
	}
}

static void on_signal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A stock host: the kernel's defaults for what the labs here need. */
#define STOCK                                                                                   \
	V4 "gc_thresh1=128 " V4 "gc_thresh2=512 " V4 "gc_thresh3=1024 " V6 "gc_thresh1=128 " V6 \
	   "gc_thresh2=512 " V6 "gc_thresh3=1024 net.core.netdev_max_backlog=1000"
static char *stock(void)
{
	assert_sh(0, "sysctl -qw " STOCK);
	return values();
}

static int setup(void **state)
{
	if (require_root(state) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *v = value(keys[i]);
		snprintf(saved[i], sizeof(saved[i]), "%s", v ? v : "");
	}
	have_saved = true;
	atexit(restore);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	(void)sh("mkdir -p " TMP);
	assert_sh(0,
		  "%s gen k8s --nodes 10 --pods 10 --model flannel-vxlan --name nslt-hl-k -o " TMP
		  "/k.ini",
		  nslab());
	/* the same lab asking for its limits itself */
	assert_sh(0, "sed 's/^name = nslt-hl-k$/name = nslt-hl-y\\nhost-limits = yes/' " TMP
		     "/k.ini > " TMP "/y.ini");
	return 0;
}

/* Each test's: its labs down (which restores what they raised), then the
 * values found, whatever the test did. */
static int down_all(void **state)
{
	(void)state;
	(void)sh("for l in nslt-hl-k nslt-hl-a nslt-hl-b nslt-hl-s nslt-hl-y nslt-hl-g-k "
		 "nslt-hl-g-y; do %s down $l >/dev/null 2>&1; done",
		 nslab());
	restore();
	return 0;
}

static int teardown(void **state)
{
	(void)down_all(state);
	(void)sh("rm -rf " TMP);
	return 0;
}

/* (a) The 10x10 flannel lab on a stock host: raised, every check holds,
 * and down brings back exactly the stock values. */
static void flannel_10x10(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	_cleanup_free_ char *out =
	    capture("%s up --host-limits " TMP "/k.ini 2>&1; echo rc=$?", nslab());
	diag("%s", out);
	assert_int_equal(exit_status(out), 0);
	assert_non_null(strstr(out, V4 "gc_thresh3 1024 -> 4096"));
	assert_null(strstr(out, "may need up to")); /* raised, not warned */
	_cleanup_free_ char *t3 = value(V4 "gc_thresh3"), *t2 = value(V4 "gc_thresh2"),
			    *t1 = value(V4 "gc_thresh1"), *v6 = value(V6 "gc_thresh3"),
			    *bl = value("net.core.netdev_max_backlog");
	assert_string_equal(t3, "4096");
	assert_string_equal(t2, "2048");
	assert_string_equal(t1, "512");
	assert_string_equal(v6, "1024"); /* no IPv6 in the lab: not touched */
	assert_string_equal(bl, "1000"); /* its largest segment has 10 ports */
	/* on record: 0600 in a 0700 folder, the old values, the holder */
	_cleanup_free_ char *modes = capture(
	    "stat -c %%a /run/nslab/.host-limits /run/nslab/.host-limits/record | tr '\\n' ' '");
	assert_string_equal(modes, "700 600 ");
	assert_sh(0, "grep -qx 'raised " V4 "gc_thresh3 1024 4096' /run/nslab/.host-limits/record");
	assert_sh(0, "grep -qx 'lab nslt-hl-k' /run/nslab/.host-limits/record");
	assert_sh(0, "grep -q '^limits ' /run/nslab/nslt-hl-k/journal");
	_cleanup_free_ char *chk = capture("%s check nslt-hl-k | tail -1; echo rc=$?", nslab());
	diag("%s", chk);
	assert_non_null(strstr(chk, "10900 of 10900 expectations hold"));
	assert_int_equal(exit_status(chk), 0);
	_cleanup_free_ char *down = capture("%s down nslt-hl-k 2>&1", nslab());
	assert_non_null(strstr(down, "restored host limits"));
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	assert_sh(1, "test -e /run/nslab");
	assert_lab_gone("nslt-hl-k");
}

/* (a) A 2000-host star: the backlog for its 2016-port segment, the
 * neighbour tables for its leaves; h1 reaches every host. */
static void star_2000(void **state)
{
	(void)state;
	assert_sh(0, "%s gen star --nodes 2000 --name nslt-hl-s -o " TMP "/s.ini", nslab());
	_cleanup_free_ char *before = stock();
	assert_sh(0, "%s up --host-limits " TMP "/s.ini >/dev/null 2>&1", nslab());
	_cleanup_free_ char *bl = value("net.core.netdev_max_backlog"),
			    *t3 = value(V4 "gc_thresh3");
	diag("backlog %s, gc_thresh3 %s", bl, t3);
	assert_string_equal(bl, "16384");
	assert_true(atol(t3) >= 4096);
	/* the last line, and the first failures with their reason if any */
	_cleanup_free_ char *chk = capture("%s check nslt-hl-s > " TMP "/s.out; echo rc=$?; "
					   "grep -v '^  ok' " TMP "/s.out | head -3; "
					   "sysctl -n " V4 "gc_thresh3",
					   nslab());
	diag("%s", chk);
	assert_non_null(strstr(chk, "1999 of 1999 expectations hold"));
	assert_int_equal(exit_status(chk), 0);
	assert_sh(0, "%s down nslt-hl-s >/dev/null 2>&1", nslab());
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	assert_lab_gone("nslt-hl-s");
}

/* (b) Two labs: the second needs what the first raised and holds it too;
 * the first's down keeps the raise, the second's restores the stock values. */
static void two_labs(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	assert_sh(0, "%s up --host-limits --name nslt-hl-a " TMP "/k.ini >/dev/null 2>&1", nslab());
	_cleanup_free_ char *raised = values();
	assert_sh(0, "%s up --host-limits --name nslt-hl-b " TMP "/k.ini >/dev/null 2>&1", nslab());
	assert_sh(0, "grep -qx 'lab nslt-hl-b' /run/nslab/.host-limits/record");
	assert_sh(0, "%s down nslt-hl-a >/dev/null 2>&1", nslab());
	_cleanup_free_ char *kept = values();
	assert_string_equal(kept, raised);
	_cleanup_free_ char *t3 = value(V4 "gc_thresh3");
	assert_string_equal(t3, "4096");
	/* and b's checks still hold on the kept raise */
	_cleanup_free_ char *chk = capture("%s check nslt-hl-b | tail -1", nslab());
	assert_non_null(strstr(chk, "10900 of 10900 expectations hold"));
	assert_sh(0, "%s down nslt-hl-b >/dev/null 2>&1", nslab());
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	assert_sh(1, "test -e /run/nslab/.host-limits");
}

/* (c) up killed by SIGKILL after the raise (at its 6th step): down
 * restores. Once with the journal, once with the run directory's journal
 * gone (the record alone names the lab). */
static void crash(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	for (int k = 0; k < 2; k++) {
		assert_sh(
		    137, "NSLAB_TEST_KILL_STEP=5 %s up --host-limits " TMP "/k.ini >/dev/null 2>&1",
		    nslab());
		_cleanup_free_ char *t3 = value(V4 "gc_thresh3");
		assert_string_equal(t3, "4096");
		assert_sh(0, "grep -q '^limits ' /run/nslab/nslt-hl-k/journal");
		if (k)
			assert_sh(0, "rm -f /run/nslab/nslt-hl-k/journal");
		assert_sh(0, "%s down nslt-hl-k >/dev/null 2>&1", nslab());
		_cleanup_free_ char *after = values();
		assert_string_equal(after, before);
		assert_lab_gone("nslt-hl-k");
	}
}

/* (c) An up killed before its first namespace, its run directory removed
 * by hand: only the record names the lab, and down --all restores. */
static void crash_record_only(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	assert_sh(137, "NSLAB_TEST_KILL_STEP=0 %s up --host-limits " TMP "/k.ini >/dev/null 2>&1",
		  nslab());
	assert_sh(0, "rm -rf /run/nslab/nslt-hl-k");
	_cleanup_free_ char *t3 = value(V4 "gc_thresh3");
	assert_string_equal(t3, "4096");
	_cleanup_free_ char *out = capture("%s down --all --yes 2>&1", nslab());
	diag("%s", out);
	assert_non_null(strstr(out, "restored host limits"));
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	assert_sh(1, "test -e /run/nslab");
}

/* (d) A value changed by hand while the lab is up is left, with a note;
 * the others are restored. */
static void changed_by_hand(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	assert_sh(0, "%s up --host-limits " TMP "/k.ini >/dev/null 2>&1", nslab());
	assert_sh(0, "sysctl -qw " V4 "gc_thresh2=3000");
	_cleanup_free_ char *out = capture("%s down nslt-hl-k 2>&1", nslab());
	diag("%s", out);
	assert_non_null(strstr(out,
			       "host limit " V4 "gc_thresh2 left at 3000: it was changed since "
			       "nslab set it to 2048 (it was 512 before)"));
	_cleanup_free_ char *t3 = value(V4 "gc_thresh3"), *t2 = value(V4 "gc_thresh2"),
			    *t1 = value(V4 "gc_thresh1");
	assert_string_equal(t3, "1024");
	assert_string_equal(t2, "3000");
	assert_string_equal(t1, "128");
	assert_sh(1, "test -e /run/nslab/.host-limits");
}

/* (e) Without the option nothing changes, and up warns as before. */
static void without_option(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	_cleanup_free_ char *out = capture("%s up " TMP "/k.ini 2>&1", nslab());
	diag("%s", out);
	assert_non_null(strstr(out,
			       "lab 'nslt-hl-k' may need up to 1190 IPv4 neighbour entries, and "
			       "this host allows 1024"));
	assert_non_null(strstr(out, "sysctl -w " V4 "gc_thresh3=4096 " V4 "gc_thresh2=2048"));
	assert_non_null(strstr(out, "nslab up --host-limits"));
	_cleanup_free_ char *up = values();
	assert_string_equal(up, before);
	assert_sh(1, "test -e /run/nslab/.host-limits");
	assert_sh(0, "%s down nslt-hl-k >/dev/null 2>&1", nslab());
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
}

/* [lab] host-limits = yes: plan shows the writes, test raises and restores. */
static void lab_key(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	_cleanup_free_ char *plan = capture("%s plan " TMP "/y.ini", nslab());
	assert_non_null(strstr(plan, "\nsysctl -w " V4 "gc_thresh3=4096 # was 1024\n"));
	assert_non_null(strstr(plan, "\nsysctl -w " V4 "gc_thresh1=512 # was 128\n"));
	_cleanup_free_ char *plain = capture("%s plan " TMP "/k.ini", nslab());
	assert_null(strstr(plain, "sysctl -w " V4));
	_cleanup_free_ char *out =
	    capture("%s test " TMP "/y.ini 2>&1 | tail -3; echo rc=$?", nslab());
	diag("%s", out);
	assert_non_null(strstr(out, "10900 of 10900 expectations hold"));
	assert_int_equal(exit_status(out), 0);
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	/* and test --host-limits for a lab without the key */
	_cleanup_free_ char *t =
	    capture("%s test --host-limits " TMP "/k.ini 2>&1 | tail -3; echo rc=$?", nslab());
	assert_non_null(strstr(t, "10900 of 10900 expectations hold"));
	_cleanup_free_ char *after2 = values();
	assert_string_equal(after2, before);
}

/* grade --host-limits raises for each student's lab and restores after;
 * a student's own [lab] host-limits is ignored: the teacher consents. */
static void grade(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	_cleanup_free_ char *out = capture("%s grade --prefix nslt-hl-g- --host-limits " TMP
					   "/k.ini " TMP "/k.ini 2>&1 >/dev/null; echo rc=$?",
					   nslab());
	diag("%s", out);
	assert_non_null(strstr(out, "raised host limits"));
	assert_non_null(strstr(out, "10900 of 10900 checks pass in lab 'nslt-hl-g-k'"));
	assert_int_equal(exit_status(out), 0);
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	_cleanup_free_ char *own = capture(
	    "%s grade --prefix nslt-hl-g- " TMP "/k.ini " TMP "/y.ini 2>&1 >/dev/null", nslab());
	diag("%s", own);
	assert_null(strstr(own, "raised host limits"));
	assert_non_null(strstr(own, "may need up to 1190")); /* warned instead */
	_cleanup_free_ char *after2 = values();
	assert_string_equal(after2, before);
}

/* A symlink planted where the record goes is never followed: up fails,
 * the target stays empty, the host's values stay. */
static void planted_symlink(void **state)
{
	(void)state;
	_cleanup_free_ char *before = stock();
	assert_sh(0, "mkdir -p /run/nslab " TMP "/target && ln -s " TMP
		     "/target /run/nslab/.host-limits");
	_cleanup_free_ char *out =
	    capture("%s up --host-limits " TMP "/k.ini 2>&1; echo rc=$?", nslab());
	diag("%s", out);
	assert_int_equal(exit_status(out), 1);
	assert_non_null(strstr(out, "record of host limits"));
	_cleanup_free_ char *target = capture("ls -A " TMP "/target");
	assert_string_equal(target, "");
	_cleanup_free_ char *after = values();
	assert_string_equal(after, before);
	assert_sh(0, "rm /run/nslab/.host-limits");
	assert_lab_gone("nslt-hl-k");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(flannel_10x10, down_all),
	    cmocka_unit_test_teardown(star_2000, down_all),
	    cmocka_unit_test_teardown(two_labs, down_all),
	    cmocka_unit_test_teardown(crash, down_all),
	    cmocka_unit_test_teardown(crash_record_only, down_all),
	    cmocka_unit_test_teardown(changed_by_hand, down_all),
	    cmocka_unit_test_teardown(without_option, down_all),
	    cmocka_unit_test_teardown(lab_key, down_all),
	    cmocka_unit_test_teardown(grade, down_all),
	    cmocka_unit_test_teardown(planted_symlink, down_all),
	};
	return cmocka_run_group_tests_name("host-limits", tests, setup, teardown);
}
