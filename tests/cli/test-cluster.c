// SPDX-License-Identifier: MIT
/* nslab cluster without hosts, ssh or root: a fake transport
 * (NSLAB_CLUSTER_TRANSPORT) and a fake ssh stand in for them and record
 * what they were asked to run. Each host's up waits until every host's up
 * has started: only a parallel fan-out gets past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "util.h"

static char dir[] = "/tmp/nslab-cluster-XXXXXX";

/* The fake transport: HOST DEST WORDS..., as the host's nslab would be.
 * FAKE_FAIL="h2:up ..." fails those; FAKE_HANG="h3" hangs h3's up;
 * FAKE_SLOW="h3": h3's up writes slow.h3, takes 2 s, then says 'finished';
 * FAKE_BUSY="h3" fails h3's first down (its lock still held);
 * FAKE_CHECKFAIL="h2" fails one of h2's checks; FAKE_NOFILE="h2": h2 has
 * no such file. */
static const char fake[] =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "host=$1 dest=$2\n"
    "shift 2\n"
    "line=\"$host $dest\"\n"
    "op=\n"
    "for w in \"$@\"; do\n"
    "	line=\"$line [$w]\"\n"
    "	case $op.$w in .up | .down | .check) op=$w ;; esac\n"
    "done\n"
    "printf '%s\\n' \"$line\" >>\"$d/calls\"\n"
    "printf '%s\\n' \"$op\" >>\"$d/ops.$host\"\n"
    "[ \"$op\" = up ] && : >\"$d/started.$host\"\n"
    "case \" ${FAKE_NOFILE:-} \" in *\" $host \"*)\n"
    "	if [ \"$op\" = up ]; then\n"
    "		echo \"nslab: cannot read topology '$w': No such file or directory\" >&2\n"
    "		exit 2\n"
    "	fi ;;\n"
    "esac\n"
    "case \" ${FAKE_FAIL:-} \" in *\" $host:$op \"*)\n"
    "	echo \"progress on $host\"\n"
    "	echo \"nslab: $op failed on $host: boom\" >&2\n"
    "	exit 1 ;;\n"
    "esac\n"
    "case $op in\n"
    "up)\n"
    "	i=0\n"
    "	while [ \"$(ls \"$d\" | grep -c '^started\\.')\" -lt \"$FAKE_HOSTS\" ]; do\n"
    "		i=$((i + 1))\n"
    "		[ $i -gt 200 ] && { echo \"not parallel: $host alone\" >&2; exit 3; }\n"
    "		sleep 0.05\n"
    "	done\n"
    "	case \" ${FAKE_HANG:-} \" in *\" $host \"*)\n"
    "		sleep 30 &\n"
    "		echo $! >\"$d/sleep.$host\"\n"
    "		wait\n"
    "		exit 1 ;;\n"
    "	esac\n"
    "	case \" ${FAKE_SLOW:-} \" in *\" $host \"*)\n"
    "		echo slow >\"$d/slow.$host\"\n"
    "		sleep 2\n"
    "		echo \"$host finished\" ;;\n"
    "	esac\n"
    "	echo \"lab 'cl' is up: 1 node in 0.1 s\" ;;\n"
    "down)\n"
    "	case \" ${FAKE_BUSY:-} \" in *\" $host \"*)\n"
    "		if [ ! -e \"$d/busy.$host\" ]; then\n"
    "			: >\"$d/busy.$host\"\n"
    "			echo \"nslab: down 'cl': lab 'cl' is being changed by another nslab\" >&2\n"
    "			exit 1\n"
    "		fi ;;\n"
    "	esac\n"
    "	echo \"lab 'cl' is down\" ;;\n"
    "check)\n"
    "	echo \"  ok    reach $host-a -> b\"\n"
    "	case \" ${FAKE_CHECKFAIL:-} \" in *\" $host \"*)\n"
    "		echo \"  FAIL  reach $host-a -> z: no reply (t.ini:20)\"\n"
    "		echo \"1 of 2 expectations hold in lab 'cl' (0.01 s)\"\n"
    "		exit 1 ;;\n"
    "	esac\n"
    "	echo \"1 of 1 expectations hold in lab 'cl' (0.01 s)\" ;;\n"
    "esac\n"
    "exit 0\n";

/* A fake ssh: what sshd does with the words after '--' (joins them with
 * blanks and gives them to the user's shell), here with sh -c. */
static const char fake_ssh[] = "#!/bin/sh\n"
			       "d=$(dirname \"$0\")/..\n"
			       "printf '%s\\n' \"$*\" >>\"$d/ssh-calls\"\n"
			       "while [ \"$1\" != -- ]; do shift; done\n"
			       "shift\n"
			       "exec sh -c \"$*\"\n";
/* ... and the nslab it runs there: one word a line */
static const char fake_nslab[] =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")/..\n"
    "for w in \"$@\"; do printf '<%s>\\n' \"$w\"; done >>\"$d/remote-argv\"\n"
    "echo \"lab 'cl' is up\"\n";

static const char topology[] = "[lab]\n"
			       "name = cl\n"
			       "[hosts]\n"
			       "h1 = 192.0.2.1\n"
			       "h2 = 192.0.2.2 ssh admin@lab2\n"
			       "h3 = 192.0.2.3\n"
			       "b* = h2\n"
			       "default = h1\n"
			       "[node a]\n"
			       "addr = 10.0.0.1/24 dev eth0\n"
			       "[node b1]\n"
			       "addr = 10.0.0.2/24 dev eth0\n"
			       "[node c]\n"
			       "host = h3\n"
			       "addr = 10.0.0.3/24 dev eth0\n"
			       "[bridge s]\n"
			       "[links]\n"
			       "link = a:eth0 s\n"
			       "link = b1:eth0 s\n"
			       "link = c:eth0 s\n";

static char *path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void write_text(const char *name, const char *text, mode_t mode)
{
	_cleanup_free_ char *p = path(name);
	FILE *f = fopen(p, "we");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static char *slurp(const char *name)
{
	_cleanup_free_ char *p = path(name);
	FILE *f = fopen(p, "re");

	if (!f)
		return xstrdup("");
	char *s = read_stream(f);
	fclose(f);
	return s;
}

/* Run 'env ENV nslab ARGS' (shell fragments) in dir; its stdout and
 * stderr (2>&1) and exit status. */
static char *run(int *rc, const char *env, const char *fmt, ...) _printf_(3, 4);
static char *run(int *rc, const char *env, const char *fmt, ...)
{
	struct sbuf cmd = {0};
	va_list ap;

	sbuf_addf(&cmd, "cd %s && env NSLAB_CLUSTER_TRANSPORT=%s/fake FAKE_HOSTS=3 %s %s ", dir,
		  dir, env, getenv("NSLAB_BIN"));
	va_start(ap, fmt);
	sbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	sbuf_adds(&cmd, " 2>&1");
	FILE *p = popen(cmd.s, "r");
	assert_non_null(p);
	char *out = read_stream(p);
	int st = pclose(p);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	sbuf_free(&cmd);
	return out;
}

static bool has(const char *text, const char *want)
{
	if (strstr(text, want))
		return true;
	print_message("# wanted: %s\n# in:\n%s\n", want, text);
	return false;
}

/* How many lines of text are `line`. */
static size_t count_lines(const char *text, const char *line)
{
	size_t n = 0, l = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, line, l) == 0 && (p[l] == '\n' || !p[l]);
	return n;
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	write_text("fake", fake, 0755);
	write_text("t.ini", topology, 0644);
	write_text("plain.ini", "[node a]\n", 0644);
	return 0;
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Before each test: no record of the last one. */
static int fresh(void **state)
{
	_cleanup_free_ char *cmd = xasprintf("cd %s && rm -rf calls ops.* started.* busy.* sleep.* "
					     "ssh-calls remote-argv out err bin",
					     dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_usage(void **state)
{
	int rc;
	_cleanup_free_ char *a = run(&rc, "", "cluster");
	assert_int_equal(rc, 2);
	assert_true(has(a, "nslab cluster: name what to do: up, down, check or test"));
	assert_true(has(a, "Usage: nslab cluster up|down|check|test"));
	_cleanup_free_ char *b = run(&rc, "", "cluster upp t.ini");
	assert_int_equal(rc, 2);
	assert_true(has(b, "no subcommand 'upp'; did you mean 'up'?"));
	_cleanup_free_ char *c = run(&rc, "", "cluster frobnicate t.ini");
	assert_int_equal(rc, 2);
	assert_true(has(c, "no subcommand 'frobnicate': up, down, check or test"));
	_cleanup_free_ char *d = run(&rc, "", "cluster up");
	assert_int_equal(rc, 2);
	assert_true(has(d, "nslab cluster: up: no topology file given"));
	_cleanup_free_ char *e = run(&rc, "", "cluster up t.ini extra");
	assert_int_equal(rc, 2);
	assert_true(has(e, "nslab cluster: unexpected 'extra'"));
	_cleanup_free_ char *f = run(&rc, "", "cluster up --timeout 0 t.ini");
	assert_int_equal(rc, 2);
	assert_true(has(f, "--timeout takes seconds (1 to 86400), not '0'"));
	_cleanup_free_ char *g = run(&rc, "", "cluster up --timeout 5x t.ini");
	assert_int_equal(rc, 2);
	assert_true(has(g, "not '5x'"));
	_cleanup_free_ char *h = run(&rc, "", "cluster up --bogus t.ini");
	assert_int_equal(rc, 2);
	assert_true(has(h, "unknown option '--bogus'"));
	_cleanup_free_ char *i = run(&rc, "", "cluster up nonexistent.ini");
	assert_int_equal(rc, 2);
	assert_true(has(i, "cannot read topology 'nonexistent.ini'"));
	/* a topology of one machine */
	_cleanup_free_ char *j = run(&rc, "", "cluster up plain.ini");
	assert_int_equal(rc, 2);
	assert_true(has(j, "nslab: cluster: plain.ini has no [hosts] section"));
	assert_true(has(j, "'nslab up plain.ini'"));
	assert_true(has(j, "hint: split it across machines with [hosts]"));
	/* nothing was run for any of these */
	_cleanup_free_ char *calls = slurp("calls");
	assert_string_equal(calls, "");
	_cleanup_free_ char *help = run(&rc, "", "help cluster");
	assert_int_equal(rc, 0);
	assert_true(has(help, "NSLAB_CLUSTER_TRANSPORT=PROG"));
}

static void test_up_argv(void **state)
{
	int rc;
	_cleanup_free_ char *out = run(&rc, "", "cluster up t.ini");
	_cleanup_free_ char *calls = slurp("calls");
	_cleanup_free_ char *want1 = xasprintf(
	    "h1 192.0.2.1 [nslab] [--prefix] [] [up] [--host] [h1] [--name] [cl] [%s/t.ini]", dir);
	_cleanup_free_ char *want2 = xasprintf(
	    "h2 admin@lab2 [nslab] [--prefix] [] [up] [--host] [h2] [--name] [cl] [%s/t.ini]", dir);
	_cleanup_free_ char *want3 = xasprintf(
	    "h3 192.0.2.3 [nslab] [--prefix] [] [up] [--host] [h3] [--name] [cl] [%s/t.ini]", dir);

	assert_int_equal(rc, 0);
	/* every host, its own part, once; all at once (else 'not parallel') */
	assert_int_equal(count_lines(calls, want1), 1);
	assert_int_equal(count_lines(calls, want2), 1);
	assert_int_equal(count_lines(calls, want3), 1);
	assert_int_equal(count_lines(calls, ""), 0);
	assert_true(has(out, "[h1] lab 'cl' is up: 1 node in 0.1 s\n"));
	assert_true(has(out, "[h3] lab 'cl' is up: 1 node in 0.1 s\n"));
	assert_true(has(out, "lab 'cl' is up on 3 hosts (h1, h2, h3) in "));
	assert_null(strstr(out, "not parallel"));
}

static void test_name_prefix_options(void **state)
{
	int rc;
	_cleanup_free_ char *out =
	    run(&rc, "NSLAB_PREFIX=alice",
		"cluster down --name big --sudo --remote-nslab /opt/nslab t.ini");
	_cleanup_free_ char *calls = slurp("calls");

	assert_int_equal(rc, 0);
	/* the name as up gives it here; no prefix of the host's */
	assert_int_equal(count_lines(calls, "h2 admin@lab2 [sudo] [-n] [/opt/nslab] [--prefix] [] "
					    "[down] [--host] [h2] [alice-big]"),
			 1);
	assert_true(has(out, "lab 'alice-big' is down on 3 hosts\n"));
	free(out);
	out = run(&rc, "", "cluster check --timeout 7 t.ini");
	free(calls);
	calls = slurp("calls");
	assert_int_equal(count_lines(calls,
				     "h1 192.0.2.1 [nslab] [--prefix] [] [check] [--timeout] "
				     "[7] [cl]"),
			 1);
}

static void test_up_fails_rollback(void **state)
{
	int rc;
	_cleanup_free_ char *out = run(&rc, "FAKE_FAIL=h2:up", "cluster up t.ini");
	_cleanup_free_ char *o1 = slurp("ops.h1"), *o2 = slurp("ops.h2"), *o3 = slurp("ops.h3");

	assert_int_equal(rc, 1);
	/* every host's up ran, and then every host's down */
	assert_string_equal(o1, "up\ndown\n");
	assert_string_equal(o2, "up\ndown\n");
	assert_string_equal(o3, "up\ndown\n");
	/* the failed host's lines, each with its name, on the stream it used */
	assert_true(has(out, "[h2] progress on h2\n"));
	assert_true(has(out, "[h2] nslab: up failed on h2: boom\n"));
	assert_true(has(out, "nslab: cluster up failed on host 'h2' (exit status 1); its lines "
			     "above start with '[h2] '"));
	assert_true(has(out, "nslab: cluster: lab 'cl' was taken down on every host"));
	assert_null(strstr(out, "failed on host 'h1'"));
	/* stdout and stderr stay apart */
	_cleanup_free_ char *quiet = run(&rc, "FAKE_FAIL=h2:up", "cluster up t.ini 2>err; true");
	_cleanup_free_ char *err = slurp("err");
	assert_true(has(quiet, "[h2] progress on h2\n"));
	assert_null(strstr(quiet, "boom"));
	assert_true(has(err, "[h2] nslab: up failed on h2: boom\n"));
	assert_null(strstr(err, "progress"));
}

static void test_check_totals(void **state)
{
	int rc;
	_cleanup_free_ char *out = run(&rc, "", "cluster check t.ini");

	assert_int_equal(rc, 0);
	assert_true(has(out, "[h1]   ok    reach h1-a -> b\n"));
	assert_true(has(out, "[h3]   ok    reach h3-a -> b\n"));
	assert_true(has(out, "3 of 3 expectations hold in lab 'cl' on 3 hosts ("));
	free(out);
	out = run(&rc, "FAKE_CHECKFAIL=h2", "cluster check t.ini");
	assert_int_equal(rc, 1);
	assert_true(has(out, "[h2]   FAIL  reach h2-a -> z: no reply (t.ini:20)\n"));
	assert_true(has(out, "3 of 4 expectations hold in lab 'cl' on 3 hosts ("));
	/* a host whose check cannot run gives no results: not all held */
	free(out);
	out = run(&rc, "FAKE_FAIL=h3:check", "cluster check t.ini");
	assert_int_equal(rc, 1);
	assert_true(has(out, "2 of 2 expectations hold in lab 'cl' on 3 hosts ("));
	assert_true(has(out, "; no results from h3\n"));
	assert_true(has(out, "cluster check failed on host 'h3' (exit status 1)"));
}

static void test_test_always_down(void **state)
{
	int rc;
	_cleanup_free_ char *out = run(&rc, "FAKE_CHECKFAIL=h1", "cluster test t.ini");
	_cleanup_free_ char *o1 = slurp("ops.h1"), *o3 = slurp("ops.h3");

	assert_int_equal(rc, 1);
	assert_string_equal(o1, "up\ncheck\ndown\n");
	assert_string_equal(o3, "up\ncheck\ndown\n");
	assert_true(has(out, "lab 'cl' is down on 3 hosts\n"));
	assert_true(fresh(state) == 0);
	free(out);
	out = run(&rc, "", "cluster test t.ini");
	assert_int_equal(rc, 0);
	assert_true(has(out, "3 of 3 expectations hold"));
	/* an up that fails: no check, every host down, exit 1 */
	assert_true(fresh(state) == 0);
	free(out);
	out = run(&rc, "FAKE_FAIL=h1:up", "cluster test t.ini");
	_cleanup_free_ char *o2 = slurp("ops.h2");
	assert_int_equal(rc, 1);
	assert_string_equal(o2, "up\ndown\n");
}

/* The hanging part's own child (its process group) is gone too. */
static void assert_no_sleep(const char *record)
{
	_cleanup_free_ char *text = slurp(record);
	int pid = atoi(text), i;

	assert_true(pid > 1);
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	if (i == 100)
		fail_msg("the hanging part's sleep (pid %d) is still there", pid);
}

/* h3's up hangs: --timeout stops it, every host goes down, and h3's down
 * is tried again while its lock is held (FAKE_BUSY) */
static void test_timeout_retry(void **state)
{
	int rc;
	_cleanup_free_ char *out =
	    run(&rc, "FAKE_HANG=h3 FAKE_BUSY=h3", "cluster up --timeout 4 t.ini");
	_cleanup_free_ char *o1 = slurp("ops.h1"), *o3 = slurp("ops.h3");

	assert_int_equal(rc, 1);
	assert_true(has(out, "nslab: cluster up: host 'h3' did not finish in 4 s; stopped"));
	assert_string_equal(o1, "up\ndown\n");
	assert_string_equal(o3, "up\ndown\ndown\n");
	assert_true(has(out, "[h3] nslab: down 'cl': lab 'cl' is being changed"));
	assert_true(has(out, "was taken down on every host"));
	assert_no_sleep("sleep.h3");
}

/* a host without the file at that path: said so, with why */
static void test_no_file(void **state)
{
	int rc;
	_cleanup_free_ char *out = run(&rc, "FAKE_NOFILE=h2", "cluster up t.ini");
	_cleanup_free_ char *want = xasprintf(
	    "nslab: cluster up: host 'h2' has no file '%s/t.ini': every host reads the topology "
	    "at the same path as this machine (a shared checkout or home); copy it there",
	    dir);

	assert_int_equal(rc, 1);
	assert_true(has(out, want));
	assert_true(has(out, "was taken down on every host"));
}

/* nslab cluster test with FAKE_x=h3 (env), signalled once h1 and h2 are
 * up and h3's up is where `busy` (a file h3 writes: sleep.h3, slow.h3)
 * says; then each further signal once `then` is in its output. Its output
 * and exit status. */
static char *interrupted(int *rc, const char *env, const char *busy, int signals,
			 const char *then)
{
	_cleanup_free_ char *cmd = xasprintf(
	    "cd %s && exec env NSLAB_CLUSTER_TRANSPORT=%s/fake FAKE_HOSTS=3 %s %s "
	    "cluster test t.ini >out 2>&1",
	    dir, dir, env, getenv("NSLAB_BIN"));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int n = 0; n < signals; n++) {
		for (int i = 0; i < 400; i++) {
			_cleanup_free_ char *out = slurp("out");
			_cleanup_free_ char *h3 = slurp(busy);
			if (n ? strstr(out, then) != NULL
			      : strstr(out, "[h1] lab 'cl' is up") &&
				    strstr(out, "[h2] lab 'cl' is up") && strchr(h3, '\n'))
				break;
			nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
		}
		assert_int_equal(kill(pid, SIGTERM), 0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	*rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return slurp("out");
}

/* SIGTERM while h3's up is still going: it may finish (else it could take
 * the lab's lock on h3 after the rollback's down found nothing there);
 * then every host's part goes down, 128+15 */
static void test_interrupt(void **state)
{
	int rc;
	_cleanup_free_ char *out = interrupted(&rc, "FAKE_SLOW=h3", "slow.h3", 1, NULL);
	_cleanup_free_ char *o1 = slurp("ops.h1"), *o2 = slurp("ops.h2"), *o3 = slurp("ops.h3");

	assert_int_equal(rc, 128 + SIGTERM);
	assert_string_equal(o1, "up\ndown\n");
	assert_string_equal(o2, "up\ndown\n");
	assert_string_equal(o3, "up\ndown\n");
	/* 1 host, or 2 or 3 if h1's or h2's exit is not reaped yet */
	assert_true(has(out, "nslab: cluster up 'cl': SIGTERM: letting the "));
	assert_true(has(out, " still building finish, so that every part is taken down whole; "
			     "a second signal (Ctrl-C) stops them now\n"));
	/* h3's up ran to its end before the rollback */
	const char *done = strstr(out, "[h3] lab 'cl' is up");
	const char *rollback = strstr(out, "interrupted by SIGTERM; taking it down");
	assert_true(has(out, "[h3] h3 finished\n"));
	assert_non_null(done);
	assert_non_null(rollback);
	assert_true(done < rollback);
	assert_true(has(out, "was taken down on every host"));
}

/* A second SIGTERM while h3's up hangs stops it at once; every host's
 * part still goes down */
static void test_interrupt_twice(void **state)
{
	int rc;
	_cleanup_free_ char *out = interrupted(&rc, "FAKE_HANG=h3", "sleep.h3", 2, "still building finish");
	_cleanup_free_ char *o1 = slurp("ops.h1"), *o2 = slurp("ops.h2"), *o3 = slurp("ops.h3");

	assert_int_equal(rc, 128 + SIGTERM);
	assert_string_equal(o1, "up\ndown\n");
	assert_string_equal(o2, "up\ndown\n");
	assert_string_equal(o3, "up\ndown\n");
	assert_true(
	    has(out, "cluster up 'cl' interrupted by SIGTERM; taking it down on every host"));
	assert_true(has(out, "was taken down on every host"));
	assert_no_sleep("sleep.h3");
}

/* ssh: the words quoted for the remote shell arrive there as they were,
 * a file name with a blank and a quote included */
static void test_ssh_quoting(void **state)
{
	_cleanup_free_ char *bin = path("bin");
	assert_int_equal(mkdir(bin, 0755), 0);
	write_text("bin/ssh", fake_ssh, 0755);
	write_text("bin/fake-nslab", fake_nslab, 0755);
	write_text("it's a lab.ini", topology, 0644);
	_cleanup_free_ char *cmd = xasprintf(
	    "cd %s && env -u NSLAB_CLUSTER_TRANSPORT PATH=%s:$PATH %s cluster up -v "
	    "--ssh-option ConnectTimeout=5 --remote-nslab '%s/fake-nslab' \"it's a lab.ini\" 2>&1",
	    dir, bin, getenv("NSLAB_BIN"), bin);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	_cleanup_free_ char *out = read_stream(p);
	int st = pclose(p);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	_cleanup_free_ char *calls = slurp("ssh-calls");
	_cleanup_free_ char *want = xasprintf(
	    "-o BatchMode=yes -o ConnectTimeout=5 admin@lab2 -- %s/fake-nslab --prefix '' up "
	    "--host h2 --name cl '%s/it'\\''s a lab.ini'",
	    bin, dir);
	assert_int_equal(count_lines(calls, want), 1);
	_cleanup_free_ char *argv = slurp("remote-argv");
	_cleanup_free_ char *file = xasprintf("<%s/it's a lab.ini>\n", dir);
	assert_true(has(argv, "<--prefix>\n<>\n<up>\n<--host>\n<h2>\n<--name>\n<cl>\n"));
	assert_true(has(argv, file));
	/* -v: each host's command line */
	assert_true(has(out, "[h1] $ ssh -o BatchMode=yes -o ConnectTimeout=5 192.0.2.1 -- "));
	assert_true(has(out, "[h2] lab 'cl' is up\n"));
}

/* a remote program whose name the shell would otherwise read: an
 * assignment ('='), an expansion ('$', backquotes), a blank */
static void test_ssh_hostile_program(void **state)
{
	_cleanup_free_ char *bin = path("bin");
	assert_int_equal(mkdir(bin, 0755), 0);
	write_text("bin/ssh", fake_ssh, 0755);
	write_text("bin/A=1 $(false) `false` x", fake_nslab, 0755);
	_cleanup_free_ char *cmd = xasprintf(
	    "cd %s && env -u NSLAB_CLUSTER_TRANSPORT PATH=%s:$PATH %s cluster down "
	    "--remote-nslab '%s/A=1 $(false) `false` x' t.ini 2>&1",
	    dir, bin, getenv("NSLAB_BIN"), bin);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	_cleanup_free_ char *out = read_stream(p);
	int st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("cluster down failed:\n%s", out);
	_cleanup_free_ char *argv = slurp("remote-argv");
	assert_int_equal(count_lines(argv, "<down>"), 3);
	assert_int_equal(count_lines(argv, "<cl>"), 3);
	/* a plain word with '=' first on the line is an assignment unquoted */
	write_text("bin/B=2", fake_nslab, 0755);
	free(cmd);
	cmd = xasprintf("cd %s && env -u NSLAB_CLUSTER_TRANSPORT PATH=%s:$PATH %s cluster down "
			"--remote-nslab B=2 t.ini 2>&1",
			dir, bin, getenv("NSLAB_BIN"));
	p = popen(cmd, "r");
	assert_non_null(p);
	free(out);
	out = read_stream(p);
	st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("cluster down --remote-nslab B=2 failed:\n%s", out);
	free(argv);
	argv = slurp("remote-argv");
	assert_int_equal(count_lines(argv, "<down>"), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_usage, fresh),
	    cmocka_unit_test_setup(test_up_argv, fresh),
	    cmocka_unit_test_setup(test_name_prefix_options, fresh),
	    cmocka_unit_test_setup(test_up_fails_rollback, fresh),
	    cmocka_unit_test_setup(test_check_totals, fresh),
	    cmocka_unit_test_setup(test_test_always_down, fresh),
	    cmocka_unit_test_setup(test_timeout_retry, fresh),
	    cmocka_unit_test_setup(test_no_file, fresh),
	    cmocka_unit_test_setup(test_interrupt, fresh),
	    cmocka_unit_test_setup(test_interrupt_twice, fresh),
	    cmocka_unit_test_setup(test_ssh_quoting, fresh),
	    cmocka_unit_test_setup(test_ssh_hostile_program, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
