// SPDX-License-Identifier: MIT
/* Quoting in command lines and word lists (words.h), and how the parser
 * uses it for the [expect] keys exec and resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parse.h"
#include "validate.h"
#include "words.h"

/* Two linked nodes, DNS (resolve needs it), then [expect] at line 9: the
 * first expectation is line 10. */
#define BASE "[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = 10.0.0.2/24 dev eth0\n" \
	     "[links]\nlink = h1:eth0 h2:eth0\n[dns]\nserver = h1\n[expect]\n"

static void print_all(const struct diag *d)
{
	vec_foreach(m, &d->msgs) fprintf(stderr, "#   got %s:%u: %s\n", m->loc.file, m->loc.line, m->msg);
}

/* Split s and compare with the NULL-terminated words. */
static void assert_words(const char *s, const char *const *want)
{
	struct strvec w = {0};
	const char *why = NULL;
	size_t n = 0;

	if (words_split(s, &w, &why) < 0)
		fprintf(stderr, "# '%s': %s\n", s, why);
	while (want[n])
		n++;
	if (w.n != n) {
		fprintf(stderr, "# '%s': %zu words, expected %zu\n", s, w.n, n);
		vec_foreach(x, &w) fprintf(stderr, "#   <%s>\n", *x);
	}
	assert_int_equal(w.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(w.v[i], want[i]);
	words_free(&w);
}
#define WORDS(s, ...) assert_words(s, (const char *const[]){__VA_ARGS__, NULL})

static void test_split(void **state)
{
	struct strvec none = {0};
	const char *why = NULL;

	WORDS("a b\tc", "a", "b", "c");
	WORDS("  lead  and trail  ", "lead", "and", "trail");
	assert_int_equal(words_split(" \t ", &none, &why), 0);
	assert_int_equal(none.n, 0);
	WORDS("sh -c 'true ; false'", "sh", "-c", "true ; false");
	WORDS("sh -c \"true ; false\"", "sh", "-c", "true ; false");
	WORDS("--fmt='a b' x", "--fmt=a b", "x");
	WORDS("a\"b c\"d'e f'", "ab cde f");
	WORDS("'' \"\" x", "", "", "x");
	/* in "...": \" and \\ only; other backslashes stay */
	WORDS("\"say \\\"hi\\\"\"", "say \"hi\"");
	WORDS("\"a\\\\\" b", "a\\", "b");
	WORDS("\"a\\nb\"", "a\\nb");
	/* in '...' all is literal, backslash too */
	WORDS("'a\\\"b' 'it\"s'", "a\\\"b", "it\"s");
	WORDS("\"it's\"", "it's");
	/* outside quotes a backslash is a character; ; and # are words */
	WORDS("a\\b ; #c", "a\\b", ";", "#c");
}

static void test_split_unclosed(void **state)
{
	struct strvec w = {0};
	const char *why = NULL;

	vec_push(&w, xstrdup("kept"));
	assert_int_equal(words_split("h1 'www", &w, &why), -1);
	assert_string_equal(why, "unclosed ' quote");
	assert_int_equal(w.n, 1); /* as it was */
	assert_string_equal(w.v[0], "kept");
	why = NULL;
	assert_int_equal(words_split("sh -c \"true ; false", &w, &why), -1);
	assert_string_equal(why, "unclosed \" quote");
	why = NULL;
	/* an escaped quote does not close */
	assert_int_equal(words_split("\"a\\\"", &w, &why), -1);
	assert_string_equal(why, "unclosed \" quote");
	assert_int_equal(w.n, 1);
	words_free(&w);
}

static void cut(const char *in, const char *want)
{
	char buf[256];
	const char *why = NULL;

	snprintf(buf, sizeof(buf), "%s", in);
	assert_int_equal(words_cut_comment(buf, &why), 0);
	assert_string_equal(buf, want);
}

static void test_cut_comment(void **state)
{
	char buf[64];
	const char *why = NULL;

	cut("h1 true ; c", "h1 true ");
	cut("h1 true # c", "h1 true ");
	cut("h1 true ; it's a comment", "h1 true "); /* a quote in the comment is no quote */
	cut("; all", "");
	cut("h1 a;b a#b", "h1 a;b a#b");
	cut("h1 sh -c \"true ; false\"", "h1 sh -c \"true ; false\"");
	cut("h1 grep '# x' f # c", "h1 grep '# x' f ");
	cut("h1 echo \"a \\\" ; b\" ; c", "h1 echo \"a \\\" ; b\" ");
	cut("h1 echo \"\\\\\" ; c", "h1 echo \"\\\\\" ");
	cut("h1 echo 'a\\' ; c", "h1 echo 'a\\' ");
	snprintf(buf, sizeof(buf), "h1 'www ; c");
	assert_int_equal(words_cut_comment(buf, &why), -1);
	assert_string_equal(why, "unclosed ' quote");
	assert_string_equal(buf, "h1 'www ; c");
	snprintf(buf, sizeof(buf), "h1 \"a ; c\\\"");
	assert_int_equal(words_cut_comment(buf, &why), -1);
	assert_string_equal(why, "unclosed \" quote");
}

/* Parses and validates ini; expects no error and one [expect] line, whose
 * command words are compared with want. */
static void assert_expect_words(const char *ini, const char *from, const char *const *want)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	print_all(&d);
	assert_int_equal(diag_count(&d), 0);
	assert_int_equal(lab->expects.n, 1);
	assert_string_equal(lab->expects.v[0].from, from);
	assert_words(lab->expects.v[0].rest, want);
	topo_lab_free(lab);
	diag_free(&d);
}
#define EXPECT_WORDS(ini, from, ...) \
	assert_expect_words(ini, from, (const char *const[]){__VA_ARGS__, NULL})

static void test_exec_semicolon_in_quotes(void **state)
{
	EXPECT_WORDS(BASE "exec = h1 sh -c \"true ; false\"\n", "h1", "sh", "-c", "true ; false");
	EXPECT_WORDS(BASE "exec = h1 sh -c 'true ; false'   ; a comment\n", "h1", "sh", "-c",
		     "true ; false");
	EXPECT_WORDS(BASE "exec = h1 true ; false\n", "h1", "true");
	EXPECT_WORDS(BASE "exec = h1 true ; it's only a comment\n", "h1", "true");
}

static void test_exec_hash_in_quotes(void **state)
{
	EXPECT_WORDS(BASE "exec = h1 grep -q \"# x\" /etc/hosts # comment\n", "h1", "grep", "-q",
		     "# x", "/etc/hosts");
	EXPECT_WORDS(BASE "exec = h1 sh -c 'echo a #b'\n", "h1", "sh", "-c", "echo a #b");
}

static void test_exec_escaped_quote(void **state)
{
	EXPECT_WORDS(BASE "exec = h1 echo \"say \\\"hi ; there\\\"\" ; c\n", "h1", "echo",
		     "say \"hi ; there\"");
	EXPECT_WORDS(BASE "exec = h1 printf \"%s\\\\n\" x\n", "h1", "printf", "%s\\n", "x");
	EXPECT_WORDS(BASE "exec = h1 --fmt='a b'\n", "h1", "--fmt=a b");
}

/* Exactly one diagnostic, at line, with a hint; kept: the expectations the
 * parser keeps (a line refused while parsing is not one of them). */
static void assert_one_error_(const char *ini, unsigned line, const char *msg, size_t kept)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	if (diag_count(&d) != 1 || d.msgs.v[0].loc.line != line || !streq(d.msgs.v[0].msg, msg)) {
		fprintf(stderr, "# expected t.ini:%u: %s\n", line, msg);
		print_all(&d);
	}
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.msgs.v[0].loc.file, "t.ini");
	assert_int_equal(d.msgs.v[0].loc.line, line);
	assert_string_equal(d.msgs.v[0].msg, msg);
	assert_non_null(d.msgs.v[0].hint);
	assert_int_equal(lab->expects.n, kept);
	topo_lab_free(lab);
	diag_free(&d);
}
#define assert_one_error(ini, line, msg) assert_one_error_(ini, line, msg, 0)

static void test_exec_unclosed_quote(void **state)
{
	assert_one_error(BASE "exec = h1 sh -c \"true ; false\n", 10, "exec: unclosed \" quote");
	assert_one_error(BASE "exec = h1 echo \"a\\\"\n", 10, "exec: unclosed \" quote");
	assert_one_error_(BASE "reach = h1 h2\n\nexec = h1 echo 'it ; s\n", 12,
			  "exec: unclosed ' quote", 1);
	/* the hint tells how to write a quote */
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(BASE "exec = h1 'x\n", "t.ini", &d);
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.msgs.v[0].hint, "close the quote; in '...' every character is literal, "
					      "in \"...\" write \\\" for \" and \\\\ for \\");
	topo_lab_free(lab);
	diag_free(&d);
}

static void test_exec_needs_command(void **state)
{
	assert_one_error(BASE "exec = h1 \"\" x\n", 10, "exec: the command name is empty");
	assert_one_error(BASE "exec = h1 ; nothing\n", 10, "'exec' needs a node and what to check");
}

/* The crash of `nslab check`: nothing of this line reaches it. */
static void test_resolve_unclosed_quote(void **state)
{
	assert_one_error(BASE "resolve = h1 'www\n", 10, "resolve: unclosed ' quote");
	assert_one_error(BASE "resolve = h1 \"www 10.0.0.2\n", 10, "resolve: unclosed \" quote");
	/* a quote in FROM leaves one in the rest */
	assert_one_error(BASE "resolve = 'h1 www'x\n", 10, "resolve: unclosed ' quote");
}

static void test_resolve_words(void **state)
{
	assert_one_error(BASE "resolve = h1 www 10.0.0.2 extra\n", 10,
			 "resolve: a NAME and at most an ADDRESS, found 3 words");
	assert_one_error(BASE "resolve = h1 \"my host\" 10.0.0.2\n", 10,
			 "resolve: 'my host' is not one word");
	assert_one_error(BASE "resolve = h1 ''\n", 10, "resolve: '' is not one word");
	/* validate's check, once */
	assert_one_error_(BASE "resolve = h1 www notanaddr\n", 10,
			  "resolve: 'notanaddr' is not an address", 1);
	/* quotes are taken off before the address is checked */
	EXPECT_WORDS(BASE "resolve = h1 'www' \"10.0.0.2\" ; c\n", "h1", "www", "10.0.0.2");
	EXPECT_WORDS(BASE "resolve = h1,h2 localhost\n", "h1,h2", "localhost");
}

/* Other keys keep the plain comment rule: apostrophes and quotes are text. */
static void test_free_text(void **state)
{
	struct diag d = {0};
	struct topo_lab *lab =
		topo_parse_string("[lab]\ndescription = it's a lab ; comment\n"
				  "[node h1]\naddr = 10.0.0.1/24 dev lo # \"unclosed\n"
				  "addr = 10.0.0.2/24 dev lo ; it's\n",
				  "t.ini", &d);

	topo_validate(lab, &d);
	print_all(&d);
	assert_int_equal(diag_count(&d), 0);
	assert_string_equal(lab->description, "it's a lab");
	assert_int_equal(topo_node_find(lab, "h1")->addrs.n, 2);
	topo_lab_free(lab);
	diag_free(&d);

	lab = topo_parse_string("[lab]\ndescription = \"quoted; text\" # c\n[node h1]\n", "t.ini", &d);
	assert_int_equal(diag_count(&d), 0);
	assert_string_equal(lab->description, "\"quoted; text\"");
	topo_lab_free(lab);
	lab = topo_parse_string("[lab]\ndescription = say \"a ; b\"\n[node h1]\n", "t.ini", &d);
	assert_int_equal(diag_count(&d), 0);
	assert_string_equal(lab->description, "say \"a");
	topo_lab_free(lab);
	/* a key named exec outside [expect] is no command key */
	lab = topo_parse_string("[lab]\nexec = 'x\n[node h1]\n", "t.ini", &d);
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.msgs.v[0].msg, "unknown key 'exec' in [lab]");
	topo_lab_free(lab);
	diag_free(&d);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_unclosed),
		cmocka_unit_test(test_cut_comment),
		cmocka_unit_test(test_exec_semicolon_in_quotes),
		cmocka_unit_test(test_exec_hash_in_quotes),
		cmocka_unit_test(test_exec_escaped_quote),
		cmocka_unit_test(test_exec_unclosed_quote),
		cmocka_unit_test(test_exec_needs_command),
		cmocka_unit_test(test_resolve_unclosed_quote),
		cmocka_unit_test(test_resolve_words),
		cmocka_unit_test(test_free_text),
	};
	return cmocka_run_group_tests_name("words", tests, NULL, NULL);
}
