// SPDX-License-Identifier: MIT
/* The nslab binary on bad input, as a user meets it: exit status 2 and
 * FILE:LINE messages. Needs no root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "util.h"

static char dir[] = "/tmp/nslab-cli-XXXXXX";

/* Run nslab with args (a shell fragment) and return stdout+stderr, and
 * the exit status in *rc. */
static char *run(int *rc, const char *fmt, ...) _printf_(2, 3);
static char *run(int *rc, const char *fmt, ...)
{
	struct sbuf cmd = {0};
	va_list ap;

	sbuf_addf(&cmd, "cd %s && %s ", dir, getenv("NSLAB_BIN"));
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

static void write_file_text(const char *name, const char *text, size_t len)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_bad_topology(void **state)
{
	const char *t = "[node h1]\nadr = 10.0.0.1/24 dev eth0\n[node a/b]\n[links]\nlink = h1:eth0 h9:eth0\n";
	int rc;
	write_file_text("bad.ini", t, strlen(t));
	_cleanup_free_ char *out = run(&rc, "validate bad.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "bad.ini:2: unknown key 'adr' in [node h1]\n    hint: did you mean 'addr'?"));
	assert_non_null(strstr(out, "bad.ini:3: node name 'a/b' has a character"));
	assert_non_null(strstr(out, "bad.ini:5: link end 'h9:eth0': unknown node 'h9'"));
	assert_non_null(strstr(out, "nslab: bad.ini: 3 errors"));
	/* plan refuses the same file the same way */
	free(run(&rc, "plan bad.ini"));
	assert_int_equal(rc, 2);
}

static void test_hostile_files(void **state)
{
	static const char binary[] = "\x7f" "ELF\x02\x01\x01\0\0\0garbage\n";
	char *longline = xmalloc(10100);
	int rc;

	write_file_text("binary.ini", binary, sizeof(binary) - 1);
	_cleanup_free_ char *out = run(&rc, "validate binary.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "binary.ini:1: binary data (a NUL byte); stopped reading"));

	strcpy(longline, "[node h1]\n# ");
	memset(longline + strlen(longline), 'x', 10000);
	strcpy(longline + 12 + 10000, "\n");
	write_file_text("long.ini", longline, strlen(longline));
	free(longline);
	free(out);
	out = run(&rc, "validate long.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "long.ini:2: line is 10002 characters long; the limit is 1024"));

	const char *names = "[lab]\nname = ../../etc\n[node ..]\n[node x/../../y]\n";
	write_file_text("names.ini", names, strlen(names));
	free(out);
	out = run(&rc, "validate names.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "names.ini:2: lab name '../../etc' has a character"));
	assert_non_null(strstr(out, "names.ini:3: node name '..' has a character") ||
			strstr(out, "names.ini:3: node name '..' must start"));
	assert_non_null(strstr(out, "names.ini:4: node name 'x/../../y'"));

	free(out);
	out = run(&rc, "validate /nonexistent.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "cannot read topology '/nonexistent.ini': No such file or directory"));
	free(out);
	out = run(&rc, "plan /");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "Is a directory"));
}

static void test_commands(void **state)
{
	int rc;
	_cleanup_free_ char *a = run(&rc, "pln x.ini");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(a, "unknown command 'pln'; did you mean 'plan'?"));
	_cleanup_free_ char *b = run(&rc, "--version");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(b, "nslab "));
	_cleanup_free_ char *c = run(&rc, "help");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(c, "  validate"));
	_cleanup_free_ char *d = run(&rc, "help down");
	assert_int_equal(rc, 0);
	assert_non_null(strstr(d, "Usage: nslab down"));
	_cleanup_free_ char *e = run(&rc, "plan");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(e, "no topology file given"));
	_cleanup_free_ char *f = run(&rc, "up --frobnicate");
	assert_int_equal(rc, 2);
	assert_non_null(strstr(f, "unknown option '--frobnicate'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_topology),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_commands),
	};
	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
