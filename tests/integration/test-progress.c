// SPDX-License-Identifier: MIT
/* What `up` shows while it works: `-v` prints each step as the commands
 * `nslab plan` prints for it; a lab of more than 200 steps gets a progress
 * line on a terminal (a pty from script(1)) and nothing on a pipe. Labs
 * nslt-pr-*. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define TMP "/tmp/nslt-pr"

static int setup(void **state)
{
	int r = require_root(state);

	if (r)
		return r;
	sh("mkdir -p " TMP);
	/* the router lab under our own name, and a star of 300 hosts */
	sh("sed 's/^name = .*/name = nslt-pr-v/' %s/topologies/router.ini > " TMP "/v.ini",
	   srcdir());
	sh("%s gen star --nodes 300 --name nslt-pr-big -o " TMP "/big.ini", nslab());
	return 0;
}

static int teardown(void **state)
{
	sh("%s down nslt-pr-v nslt-pr-big >/dev/null 2>&1", nslab());
	sh("rm -rf " TMP);
	return 0;
}

/* up -v: stderr is the plan's commands, in order, and nothing else; stdout
 * says the lab is up. */
static void verbose_prints_the_plan(void **state)
{
	assert_sh(
	    0, "%s plan " TMP "/v.ini | grep -v -e '^#' -e '^$' -e '^set -e$' > " TMP "/plan.txt",
	    nslab());
	assert_sh(0, "%s up -v " TMP "/v.ini > " TMP "/out.txt 2> " TMP "/err.txt", nslab());
	assert_sh(0, "diff -u " TMP "/plan.txt " TMP "/err.txt");
	assert_sh(0, "grep -q \"^lab 'nslt-pr-v' is up: 3 nodes in \" " TMP "/out.txt");
	assert_sh(0, "test $(wc -l < " TMP "/out.txt) = 1");
	/* what it printed is what it built: the plan run by sh is the same lab */
	assert_sh(0, "%s diff nslt-pr-v", nslab());
	assert_sh(0, "%s down nslt-pr-v", nslab());
	assert_lab_gone("nslt-pr-v");
}

/* On a terminal, a big lab's progress: steps, namespaces, seconds, the
 * line wiped at the end (\r ESC[K) before the closing message. */
static void progress_on_a_terminal(void **state)
{
	assert_sh(0, "script -qec '%s up " TMP "/big.ini' /dev/null > " TMP "/tty.txt", nslab());
	assert_sh(0, "tr '\\r' '\\n' < " TMP "/tty.txt | grep -Eq "
		     "\"^nslab: up 'nslt-pr-big': [0-9]+/[0-9]+ steps, [0-9]+/303 namespaces, "
		     "[0-9]+\\.[0-9] s\"");
	/* the total is the plan's step count, at least one a namespace */
	char *total =
	    capture("tr '\\r' '\\n' < " TMP "/tty.txt | sed -n "
		    "\"s/^nslab: up 'nslt-pr-big': [0-9]*\\/\\([0-9]*\\) steps.*/\\1/p\" | "
		    "sort -u");
	assert_non_null(total);
	assert_true(atoi(total) > 303);
	assert_null(strchr(total, '\n')); /* one total throughout */
	free(total);
	assert_sh(0, "grep -q \"$(printf '\\r\\033\\\\[K')\" " TMP "/tty.txt");
	assert_sh(0, "tr '\\r' '\\n' < " TMP "/tty.txt | grep -q \"^lab 'nslt-pr-big' is up: "
		     "302 nodes\"");
	assert_sh(0, "%s down nslt-pr-big", nslab());
	/* not a terminal: no progress, whatever the size */
	assert_sh(0, "%s up " TMP "/big.ini 2> " TMP "/pipe.txt >/dev/null", nslab());
	assert_sh(1, "grep -q 'steps,' " TMP "/pipe.txt");
	assert_sh(0, "%s down nslt-pr-big", nslab());
	assert_lab_gone("nslt-pr-big");
}

/* A small lab on a terminal stays quiet: no progress line for 40 steps. */
static void small_lab_is_quiet(void **state)
{
	assert_sh(0, "script -qec '%s up " TMP "/v.ini' /dev/null > " TMP "/tty.txt", nslab());
	assert_sh(1, "grep -q 'steps,' " TMP "/tty.txt");
	assert_sh(0, "grep -q \"lab 'nslt-pr-v' is up\" " TMP "/tty.txt");
	assert_sh(0, "%s down nslt-pr-v", nslab());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(verbose_prints_the_plan),
	    cmocka_unit_test(progress_on_a_terminal),
	    cmocka_unit_test(small_lab_is_quiet),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
