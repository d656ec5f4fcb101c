// SPDX-License-Identifier: MIT
#include "words.h"

static const char unclosed_single[] = "unclosed ' quote";
static const char unclosed_double[] = "unclosed \" quote";

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* s points at an opening quote: returns the character after the closing
 * one, or NULL when there is none. With w, the quoted text goes there. */
static const char *quoted(const char *s, struct sbuf *w)
{
	char q = *s++;

	for (; *s && *s != q; s++) {
		if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		if (w)
			sbuf_addf(w, "%c", *s);
	}
	return *s ? s + 1 : NULL;
}

int words_cut_comment(char *line, const char **why)
{
	for (char *c = line; *c;) {
		if (*c == '\'' || *c == '"') {
			const char *end = quoted(c, NULL);
			if (!end) {
				*why = *c == '\'' ? unclosed_single : unclosed_double;
				return -1;
			}
			c = (char *)end;
			continue;
		}
		if ((*c == ';' || *c == '#') && (c == line || blank(c[-1]))) {
			*c = '\0';
			return 0;
		}
		c++;
	}
	return 0;
}

int words_next(const char **s, char **ret, const char **why)
{
	const char *c = *s;
	struct sbuf w = {0};

	while (blank(*c))
		c++;
	if (!*c) {
		*s = c;
		return 0;
	}
	while (*c && !blank(*c)) {
		if (*c == '\'' || *c == '"') {
			const char *end = quoted(c, &w);
			if (!end) {
				*why = *c == '\'' ? unclosed_single : unclosed_double;
				sbuf_free(&w);
				return -1;
			}
			c = end;
			continue;
		}
		sbuf_addf(&w, "%c", *c++);
	}
	*ret = w.s ? sbuf_steal(&w) : xstrdup(""); /* '' is an empty word */
	*s = c;
	return 1;
}

int words_split(const char *s, struct strvec *ret, const char **why)
{
	size_t before = ret->n;
	char *w;
	int r;

	while ((r = words_next(&s, &w, why)) > 0)
		vec_push(ret, w);
	if (r < 0) {
		while (ret->n > before)
			free(ret->v[--ret->n]);
		if (!ret->n)
			vec_free(ret); /* as it was: nothing, not even storage */
	}
	return r;
}

void words_free(struct strvec *v)
{
	vec_foreach(x, v) free(*x);
	vec_free(v);
}
