// SPDX-License-Identifier: MIT
#include "kind-cases.h"

void kind_print_diags(const struct diag *d)
{
	vec_foreach (m, &d->msgs)
		fprintf(stderr, "#   got %s:%u: %s (%s)\n", m->loc.file, m->loc.line, m->msg,
			m->hint ? m->hint : "no hint");
}

void kind_case_test(void **state)
{
	const struct kind_case *c = *state;
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(c->ini, "t.ini", &d);

	topo_validate(lab, &d);
	if (diag_count(&d) != 1 || d.msgs.v[0].loc.line != c->line ||
	    !streq(d.msgs.v[0].msg, c->msg) || !d.msgs.v[0].hint ||
	    (c->hint && !streq(d.msgs.v[0].hint, c->hint))) {
		fprintf(stderr, "# expected only t.ini:%u: %s (%s)\n", c->line, c->msg,
			c->hint ? c->hint : "any hint");
		kind_print_diags(&d);
	}
	assert_int_equal(diag_count(&d), 1);
	assert_string_equal(d.msgs.v[0].loc.file, "t.ini");
	assert_int_equal(d.msgs.v[0].loc.line, c->line);
	assert_string_equal(d.msgs.v[0].msg, c->msg);
	assert_non_null(d.msgs.v[0].hint);
	if (c->hint)
		assert_string_equal(d.msgs.v[0].hint, c->hint);
	topo_lab_free(lab);
	diag_free(&d);
}

struct topo_lab *kind_load(const char *ini)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	kind_print_diags(&d);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	return lab;
}

char *kind_plan_text(struct topo_lab *lab)
{
	struct plan p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	plan_build(lab, &p);
	plan_print(&p, f);
	fclose(f);
	plan_free(&p);
	return text;
}

char *kind_facts_text(const struct facts *f)
{
	struct sbuf b = {0};
	vec_foreach (x, &f->v)
		sbuf_addf(&b, "%s|%s|%s\n", x->node, x->key, x->value);
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

void kind_assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fprintf(stderr, "# missing: %s# in:\n%s", want, text);
	assert_non_null(strstr(text, want));
}

int kind_run_group(const char *name, const struct kind_case *cases, size_t n,
		   const struct CMUnitTest *fixed, size_t nfixed)
{
	struct CMUnitTest *tests = xcalloc(n + nfixed, sizeof(*tests));
	char(*names)[128] = xcalloc(n ? n : 1, sizeof(*names));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "error %zu: %.80s", i, cases[i].msg);
		tests[k++] = (struct CMUnitTest){.name = names[i],
						 .test_func = kind_case_test,
						 .initial_state = (void *)&cases[i]};
	}
	for (size_t i = 0; i < nfixed; i++)
		tests[k++] = fixed[i];
	int r = _cmocka_run_group_tests(name, tests, k, NULL, NULL);
	free(tests);
	free(names);
	return r;
}
