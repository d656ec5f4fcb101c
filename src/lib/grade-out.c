// SPDX-License-Identifier: MIT
/* nslab grade's report: a text table, CSV, JSON. No times in the text
 * and CSV: the same labs give the same table, at -j 1 or -j 8. */
#include "grade.h"
#include "interrupt.h"
#include "json.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

static const char *const format_names[_GRADE_FORMAT_MAX] = {
    [GRADE_TEXT] = "text",
    [GRADE_CSV] = "csv",
    [GRADE_JSON] = "json",
};

enum grade_format grade_format_from_string(const char *s)
{
	for (int i = 0; i < _GRADE_FORMAT_MAX; i++)
		if (streq(s, format_names[i]))
			return (enum grade_format)i;
	return _GRADE_FORMAT_INVALID;
}

/* Lines of s, each after `indent` (the first after `first`). */
static void put_indented(FILE *f, const char *first, const char *indent, const char *s)
{
	for (const char *line = s, *end; line && *line; line = end) {
		end = strchrnul(line, '\n');
		fprintf(f, "%s%.*s\n", line == s ? first : indent, (int)(end - line), line);
		if (*end)
			end++;
	}
}

static void write_text(FILE *f, const struct grade_report *r)
{
	int ws = (int)strlen("STUDENT"), wl = (int)strlen("LAB");
	size_t all = 0;

	vec_foreach (row, &r->rows) {
		ws = MAX(ws, (int)strlen(row->student));
		wl = MAX(wl, (int)strlen(row->lab ? row->lab : "-"));
	}
	fprintf(f, "%-*s  %-*s  %6s  %6s  %5s\n", ws, "STUDENT", wl, "LAB", "PASSED", "FAILED",
		"TOTAL");
	vec_foreach (row, &r->rows) {
		fprintf(f, "%-*s  %-*s  %6zu  %6zu  %5zu\n", ws, row->student, wl,
			row->lab ? row->lab : "-", row->passed, row->failed, row->checks.n);
		if (row->error) {
			put_indented(f, "    ERROR ", "          ", row->error);
			if (row->failed)
				fprintf(f, "    every check fails: none ran\n");
			continue;
		}
		all += !row->failed && row->checks.n;
		vec_foreach (c, &row->checks) {
			if (c->ok)
				continue;
			fprintf(f, "    FAIL  %s: %s", c->name, c->detail);
			if (c->line)
				fprintf(f, " (%s:%u)", r->reference, c->line);
			fputc('\n', f);
		}
	}
	if (r->interrupted)
		fprintf(f, "interrupted by %s: %zu of %zu students passed every check that ran\n",
			interrupt_name(r->interrupted), all, r->rows.n);
	else
		fprintf(f, "%zu of %zu student%s passed every check of %s\n", all, r->rows.n,
			r->rows.n == 1 ? "" : "s", r->reference);
}

void grade_csv_field(struct sbuf *b, const char *s)
{
	bool quote = false;
	size_t n = s ? strlen(s) : 0;

	if (!s)
		s = "";
	for (const char *c = s; *c; c++)
		quote |= *c == ',' || *c == '"' || *c == '\n' || *c == '\r';
	quote |= n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
	/* a formula's first character: a spreadsheet would evaluate it */
	bool formula = n && strchr("=+-@", s[0]);
	quote |= formula;
	if (quote)
		sbuf_adds(b, "\"");
	if (formula)
		sbuf_adds(b, "'");
	for (const char *c = s; *c; c++)
		sbuf_addf(b, *c == '"' ? "\"\"" : "%c", *c);
	if (quote)
		sbuf_adds(b, "\"");
}

static void write_csv(FILE *f, const struct grade_report *r)
{
	struct sbuf b = {0};

	sbuf_adds(&b, "student,lab,passed,failed,total,error,failed_checks\n");
	vec_foreach (row, &r->rows) {
		struct sbuf failed = {0};
		vec_foreach (c, &row->checks)
			if (!c->ok)
				sbuf_addf(&failed, "%s%s: %s", failed.len ? "\n" : "", c->name,
					  c->detail);
		grade_csv_field(&b, row->student);
		sbuf_adds(&b, ",");
		grade_csv_field(&b, row->lab);
		sbuf_addf(&b, ",%zu,%zu,%zu,", row->passed, row->failed, row->checks.n);
		grade_csv_field(&b, row->error);
		sbuf_adds(&b, ",");
		grade_csv_field(&b, failed.s);
		sbuf_adds(&b, "\n");
		sbuf_free(&failed);
	}
	fputs(b.s, f);
	sbuf_free(&b);
}

static void write_json(FILE *f, const struct grade_report *r)
{
	struct json j = {.f = f};

	json_begin_object(&j, NULL);
	json_str(&j, "reference", r->reference);
	json_bool(&j, "all_passed", grade_all_passed(r));
	json_str(&j, "interrupted", r->interrupted ? interrupt_name(r->interrupted) : NULL);
	json_begin_array(&j, "students");
	vec_foreach (row, &r->rows) {
		json_begin_object(&j, NULL);
		json_str(&j, "student", row->student);
		json_str(&j, "lab", row->lab);
		json_uint(&j, "passed", row->passed);
		json_uint(&j, "failed", row->failed);
		json_uint(&j, "total", row->checks.n);
		json_str(&j, "error", row->error);
		json_double(&j, "seconds", row->seconds);
		json_begin_array(&j, "checks");
		vec_foreach (c, &row->checks) {
			json_begin_object(&j, NULL);
			json_str(&j, "name", c->name);
			json_bool(&j, "ok", c->ok);
			json_str(&j, "detail", c->detail);
			if (c->line)
				json_uint(&j, "line", c->line);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	fputc('\n', f);
}

void grade_write(FILE *f, enum grade_format fmt, const struct grade_report *r)
{
	if (fmt == GRADE_CSV)
		write_csv(f, r);
	else if (fmt == GRADE_JSON)
		write_json(f, r);
	else
		write_text(f, r);
}
