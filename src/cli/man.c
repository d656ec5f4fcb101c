// SPDX-License-Identifier: MIT
/* The command table as man(7) roff: the SYNOPSIS and COMMANDS of nslab(1),
 * which docs/meson.build merges with docs/nslab.1.in. One source: what
 * `nslab help CMD` prints is what the man page says. */
#include "cmd.h"
#include "man.h"

#include <ctype.h>

/* Text for roff: '\' is \e, and a line never starts with a control
 * character. A word that starts with '-' (an option: -c, --one-end) has
 * minus signs (\-), so that it copies and pastes as typed; other hyphens
 * (built-in, LAB-NODE) stay hyphens. */
static void roff_text(FILE *f, const char *s, size_t n, bool line_start)
{
	bool option = false;

	for (size_t i = 0; i < n; i++) {
		if (line_start && i == 0 && (s[i] == '.' || s[i] == '\''))
			fputs("\\&", f);
		if (s[i] == '-' && (i == 0 || !isalnum((unsigned char)s[i - 1])))
			option = true;
		else if (isspace((unsigned char)s[i]))
			option = false;
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-' && option)
			fputs("\\-", f);
		else
			fputc(s[i], f);
	}
}

static bool is_meta(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (islower((unsigned char)w[i]))
			return false;
	return true;
}

/* One word of a usage line or option tag: options and literal words bold,
 * metavariables (FILE, NODE:IF, P%) italic, "..." plain. */
static void roff_word(FILE *f, const char *w, size_t n)
{
	size_t dots = 0;

	while (dots < n && dots < 3 && w[n - 1 - dots] == '.')
		dots++;
	if (dots == 3)
		n -= 3;
	else
		dots = 0;
	if (n) {
		fputs(w[0] != '-' && is_meta(w, n) ? "\\fI" : "\\fB", f);
		roff_text(f, w, n, false);
		fputs("\\fR", f);
	}
	if (dots)
		fputs("\\&...", f);
}

/* A usage line or an option tag: words between "[]|," and blanks. */
static void roff_usage(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t w = strcspn(s + i, "[]|, ");
		if (w > n - i)
			w = n - i;
		if (w) {
			roff_word(f, s + i, w);
			i += w;
		} else {
			fputc(s[i++], f);
		}
	}
}

static size_t indent_of(const char *line)
{
	size_t n = 0;

	while (line[n] == ' ')
		n++;
	return n;
}

/* A help text: paragraphs as they are (blank lines between them); lines
 * indented by two ("  TAG  text") as a tagged list, the lines indented
 * deeper continuing the entry above; lines indented by four or more
 * outside a list as an example, verbatim. */
static void roff_help(FILE *f, const char *help)
{
	bool list = false, para = false, example = false;

	for (const char *line = help, *end; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line), ind = indent_of(line);
		if (example && (ind < 4 || ind == len)) {
			fputs(".fi\n.RE\n", f);
			example = false;
			para = false;
		}
		if (ind == len) {
			list = para = false;
			continue;
		}
		if (ind == 2) {
			const char *tag = line + ind;
			const char *gap = strstr(tag, "  ");
			if (!gap || gap > end)
				gap = end;
			const char *text = gap;
			while (text < end && *text == ' ')
				text++;
			fputs(".TP\n", f);
			roff_usage(f, tag, (size_t)(gap - tag));
			fputc('\n', f);
			if (text < end) {
				roff_text(f, text, (size_t)(end - text), true);
				fputc('\n', f);
			}
			list = true;
			continue;
		}
		if (ind > 2 && list) {
			roff_text(f, line + ind, len - ind, true);
			fputc('\n', f);
			continue;
		}
		if (ind >= 4) {
			if (!example)
				fputs(".PP\n.RS 4\n.nf\n", f);
			example = true;
			roff_text(f, line + ind, len - ind, true);
			fputc('\n', f);
			continue;
		}
		if (list || !para)
			fputs(".PP\n", f);
		list = false;
		para = true;
		roff_text(f, line + ind, len - ind, true);
		fputc('\n', f);
	}
	if (example)
		fputs(".fi\n.RE\n", f);
}

static void roff_synopsis(FILE *f, const struct cmd *c)
{
	fprintf(f, "\\fBnslab %s\\fR", c->name);
	if (*c->args) {
		fputc(' ', f);
		roff_usage(f, c->args, strlen(c->args));
	}
	fputc('\n', f);
}

void cmd_man(FILE *f)
{
	fputs(".\\\" @SYNOPSIS@\n.nf\n", f);
	for (size_t i = 0; i < cmds_n; i++)
		roff_synopsis(f, cmds[i]);
	fputs("\\fBnslab \\-\\-version\\fR\n", f);
	/* main()'s own option, before any command (labname.h) */
	fputs("\\fBnslab \\-\\-prefix\\fR \\fIP\\fR \\fICOMMAND\\fR [\\fIARGS\\fR\\&...]\n.fi\n", f);

	fputs(".\\\" @COMMANDS@\n", f);
	for (size_t i = 0; i < cmds_n; i++) {
		const struct cmd *c = cmds[i];
		fprintf(f, ".SS %s\n", c->name);
		roff_synopsis(f, c);
		fputs(".PP\n", f);
		roff_text(f, c->summary, strlen(c->summary), true);
		fputc('\n', f);
		if (c->help)
			roff_help(f, c->help);
	}
}
