// SPDX-License-Identifier: MIT
/* nslab grade's core without labs: lab names from students' paths, CSV
 * quoting, the report's CSV and JSON, [grade] in the parser, and which
 * file of a folder is the student's topology. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "grade.h"
#include "parse.h"

#include <unistd.h>

static bool taken_list(const char *name, void *data)
{
	for (const char *const *t = data; *t; t++)
		if (streq(*t, name))
			return true;
	return false;
}

static void name_is(const char *student, const char *prefix, const char *const *taken,
		    const char *want)
{
	char *got = grade_lab_name(student, prefix, taken ? taken_list : NULL, (void *)taken);
	if (!streq(got, want))
		print_error("'%s': got '%s', want '%s'\n", student, got, want);
	assert_string_equal(got, want);
	assert_null(topo_name_error(got, TOPO_LAB_NAME_MAX));
	free(got);
}

static void test_lab_names(void **state)
{
	static const char *const none[] = {NULL};
	static const char *const two[] = {"grade-alice", "grade-alice-2", NULL};

	name_is("students/alice.ini", "grade-", none, "grade-alice");
	name_is("alice", "grade-", none, "grade-alice");
	name_is("class/alice/", "grade-", none, "grade-alice");
	/* lab.ini says nothing: its folder does */
	name_is("class/bob/lab.ini", "grade-", none, "grade-bob");
	/* other characters: one '-' per run, none at the ends */
	name_is("Jean Dupont (v2).ini", "grade-", none, "grade-Jean-Dupont-v2");
	name_is("_x_.ini", "g", none, "gx");
	name_is("a.b..c.ini", "grade-", none, "grade-a-b-c");
	name_is("élève.ini", "grade-", none, "grade-l-ve");
	name_is("(((.ini", "grade-", none, "grade-student");
	/* equal names in one run, or labs up: the next free suffix */
	name_is("x/alice.ini", "grade-", two, "grade-alice-3");
	/* 32 characters at most, ending with a letter or digit */
	name_is("a-very-long-student-name-that-goes-on.ini", "grade-", none,
		"grade-a-very-long-student-name-t");
	name_is("abcdefghijklmnopqrstuvwxy-z.ini", "grade-", none,
		"grade-abcdefghijklmnopqrstuvwxy");
	/* the longest prefix (16) */
	static const char *const long_taken[] = {"prefix-of-sixte-abcdefghijklmnop", NULL};
	name_is("abcdefghijklmnopqrstuvwxyz.ini", "prefix-of-sixte-", NULL,
		"prefix-of-sixte-abcdefghijklmnop");
	name_is("-abcdefghijklmnopqrstuvwxyz.ini", "prefix-of-sixte-", long_taken,
		"prefix-of-sixte-abcdefghijklmn-2");
}

static void csv_is(const char *in, const char *want)
{
	struct sbuf b = {0};
	grade_csv_field(&b, in);
	assert_string_equal(b.s ? b.s : "", want);
	sbuf_free(&b);
}

static void test_csv_field(void **state)
{
	csv_is("plain text", "plain text");
	csv_is(NULL, "");
	csv_is("", "");
	csv_is("a,b", "\"a,b\"");
	csv_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	csv_is("two\nlines", "\"two\nlines\"");
	csv_is("cr\r", "\"cr\r\"");
	csv_is(" lead", "\" lead\"");
	csv_is("trail ", "\"trail \"");
	/* never a formula in a spreadsheet */
	csv_is("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
	csv_is("+1", "\"'+1\"");
	csv_is("-1", "\"'-1\"");
	csv_is("@SUM(A1)", "\"'@SUM(A1)\"");
	csv_is("a=b", "a=b");
}

/* A report as grade_run makes it. */
static void fill(struct grade_report *r)
{
	r->reference = "ref.ini";
	struct grade_row *a = vec_add(&r->rows);
	a->student = xstrdup("a,b.ini");
	a->lab = xstrdup("grade-a-b");
	struct grade_check *c = vec_add(&a->checks);
	c->name = xstrdup("reach h1 -> h2 (10.0.2.10)");
	c->ok = true;
	c->line = 12;
	c = vec_add(&a->checks);
	c->name = xstrdup("route h2 default via 10.0.2.1");
	c->detail = xstrdup("no such route; \"none\"");
	c->line = 13;
	a->passed = a->failed = 1;
	a->seconds = 1.5;
	struct grade_row *b = vec_add(&r->rows);
	b->student = xstrdup("bad.ini");
	b->lab = xstrdup("grade-bad");
	b->error = xstrdup("does not validate: bad.ini:2: bad address\n    hint: x");
	c = vec_add(&b->checks);
	c->name = xstrdup("diff");
	c->detail = xstrdup("not run");
	b->failed = 1;
}

static char *written(enum grade_format fmt, const struct grade_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	grade_write(f, fmt, r);
	fclose(f);
	return text;
}

static void test_report(void **state)
{
	struct grade_report r = {0};
	fill(&r);
	_cleanup_free_ char *csv = written(GRADE_CSV, &r);
	assert_string_equal(csv,
			    "student,lab,passed,failed,total,error,failed_checks\n"
			    "\"a,b.ini\",grade-a-b,1,1,2,,\"route h2 default via 10.0.2.1: no such "
			    "route; \"\"none\"\"\"\n"
			    "bad.ini,grade-bad,0,1,1,\"does not validate: bad.ini:2: bad address\n"
			    "    hint: x\",diff: not run\n");
	_cleanup_free_ char *json = written(GRADE_JSON, &r);
	assert_string_equal(
	    json,
	    "{\"reference\":\"ref.ini\",\"all_passed\":false,\"interrupted\":null,\"students\":["
	    "{\"student\":\"a,b.ini\",\"lab\":\"grade-a-b\",\"passed\":1,\"failed\":1,\"total\":2,"
	    "\"error\":null,\"seconds\":1.5,\"checks\":["
	    "{\"name\":\"reach h1 -> h2 (10.0.2.10)\",\"ok\":true,\"detail\":null,\"line\":12},"
	    "{\"name\":\"route h2 default via 10.0.2.1\",\"ok\":false,\"detail\":\"no such route; "
	    "\\\"none\\\"\",\"line\":13}]},"
	    "{\"student\":\"bad.ini\",\"lab\":\"grade-bad\",\"passed\":0,\"failed\":1,\"total\":1,"
	    "\"error\":\"does not validate: bad.ini:2: bad address\\n    hint: x\",\"seconds\":0,"
	    "\"checks\":[{\"name\":\"diff\",\"ok\":false,\"detail\":\"not run\"}]}]}\n");
	_cleanup_free_ char *text = written(GRADE_TEXT, &r);
	assert_string_equal(
	    text, "STUDENT  LAB        PASSED  FAILED  TOTAL\n"
		  "a,b.ini  grade-a-b       1       1      2\n"
		  "    FAIL  route h2 default via 10.0.2.1: no such route; \"none\" (ref.ini:13)\n"
		  "bad.ini  grade-bad       0       1      1\n"
		  "    ERROR does not validate: bad.ini:2: bad address\n"
		  "              hint: x\n"
		  "    every check fails: none ran\n"
		  "0 of 2 students passed every check of ref.ini\n");
	assert_false(grade_all_passed(&r));
	grade_report_free(&r);
	assert_int_equal(grade_format_from_string("csv"), GRADE_CSV);
	assert_int_equal(grade_format_from_string("xml"), _GRADE_FORMAT_INVALID);
}

#define LAB "[node h1]\n"

static void test_grade_section(void **state)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(LAB "[grade]\ndiff = yes\n", "ref.ini", &d);
	assert_int_equal(diag_count(&d), 0);
	assert_true(lab->grade.diff);
	assert_int_equal(lab->grade.loc.line, 2);
	topo_lab_free(lab);

	static const struct {
		const char *ini;
		unsigned line;
		const char *msg, *hint;
	} bad[] = {
	    {LAB "[grade]\ndif = yes\n", 3, "unknown key 'dif' in [grade]", "did you mean 'diff'?"},
	    {LAB "[grade]\npoints = 3\n", 3, "unknown key 'points' in [grade]",
	     "keys here are 'diff'"},
	    {LAB "[grade]\ndiff = maybe\n", 3, "'diff' must be yes or no, not 'maybe'", NULL},
	    {LAB "[grade x]\n", 2, "section [grade] takes no name", "write '[grade]'"},
	    {LAB "[grad]\n", 2, "unknown section '[grad]'", "did you mean '[grade]'?"},
	    {LAB "[grade]\n[grade]\n", 3, "section [grade] appears twice (first at line 2)", NULL},
	    {LAB "[grade]\ndiff = yes\ndiff = no\n", 4,
	     "key 'diff' given twice in [grade] (first at line 3)", NULL},
	};
	/* the list of sections, whole (it was cut at 256 bytes) */
	struct diag u = {0};
	lab = topo_parse_string("[zzzzzzzzzzzz]\n" LAB, "ref.ini", &u);
	assert_int_equal(u.msgs.n, 1);
	const char *hint = u.msgs.v[0].hint;
	const char *tail = "[defaults], [dns], [expect], [grade] and [hosts]";
	assert_true(strlen(hint) > strlen(tail));
	assert_string_equal(hint + strlen(hint) - strlen(tail), tail);
	diag_free(&u);
	topo_lab_free(lab);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct diag e = {0};
		lab = topo_parse_string(bad[i].ini, "ref.ini", &e);
		assert_int_equal(e.msgs.n, 1);
		assert_string_equal(e.msgs.v[0].loc.file, "ref.ini");
		assert_int_equal(e.msgs.v[0].loc.line, bad[i].line);
		assert_string_equal(e.msgs.v[0].msg, bad[i].msg);
		if (bad[i].hint)
			assert_string_equal(e.msgs.v[0].hint, bad[i].hint);
		diag_free(&e);
		topo_lab_free(lab);
	}
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A folder: its lab.ini, else its only *.ini; else why not. */
static void test_load_folder(void **state)
{
	char dir[] = "/tmp/nslab-test-grade-XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *one = xasprintf("%s/alice.ini", dir);
	_cleanup_free_ char *two = xasprintf("%s/notes.ini", dir);
	_cleanup_free_ char *lab = xasprintf("%s/lab.ini", dir);
	struct diag d = {0};
	struct sbuf why = {0}, notes = {0};

	assert_null(grade_load(dir, &d, &why, &notes));
	_cleanup_free_ char *none =
	    xasprintf("folder '%s' holds no lab.ini, no other *.ini and no lab.conf", dir);
	assert_string_equal(why.s, none);
	sbuf_reset(&why);

	put(one, "[lab]\nname = one\n[node h1]\n");
	struct topo_lab *t = grade_load(dir, &d, &why, &notes);
	assert_non_null(t);
	assert_string_equal(t->name, "one");
	topo_lab_free(t);

	put(two, "[node h1]\n");
	assert_null(grade_load(dir, &d, &why, &notes));
	_cleanup_free_ char *several = xasprintf("folder '%s' holds 2 *.ini files (alice.ini, "
						 "notes.ini) and no lab.ini: name one of them",
						 dir);
	assert_string_equal(why.s, several);
	sbuf_reset(&why);

	put(lab, "[lab]\nname = lab\n[node h1]\n");
	t = grade_load(dir, &d, &why, &notes);
	assert_non_null(t);
	assert_string_equal(t->name, "lab");
	topo_lab_free(t);

	/* a file that does not validate: its errors, no why */
	put(two, "[node h1]\naddr = 10.0.0.300/24 dev eth0\n");
	assert_null(grade_load(two, &d, &why, &notes));
	assert_int_equal(why.len, 0);
	assert_int_equal(diag_count(&d), 1);
	diag_free(&d);
	_cleanup_free_ char *missing = xasprintf("%s/nobody.ini", dir);
	assert_null(grade_load(missing, &d, &why, &notes));
	_cleanup_free_ char *gone =
	    xasprintf("cannot read '%s': No such file or directory", missing);
	assert_string_equal(why.s, gone);
	sbuf_free(&why);
	sbuf_free(&notes);
	unlink(one);
	unlink(two);
	unlink(lab);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lab_names),	cmocka_unit_test(test_csv_field),
	    cmocka_unit_test(test_report),	cmocka_unit_test(test_grade_section),
	    cmocka_unit_test(test_load_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
