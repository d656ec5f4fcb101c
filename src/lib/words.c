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

int words_split(const char *s, struct strvec *ret, const char **why)
{
	size_t before = ret->n;
	struct sbuf w = {0};

	for (;;) {
		while (blank(*s))
			s++;
		if (!*s)
			break;
		while (*s && !blank(*s)) {
			if (*s == '\'' || *s == '"') {
				const char *end = quoted(s, &w);
				if (!end) {
					*why = *s == '\'' ? unclosed_single : unclosed_double;
					sbuf_free(&w);
					while (ret->n > before)
						free(ret->v[--ret->n]);
					return -1;
				}
				s = end;
				continue;
			}
			sbuf_addf(&w, "%c", *s++);
		}
		vec_push(ret, sbuf_steal(&w));
	}
	sbuf_free(&w);
	return 0;
}

void words_free(struct strvec *v)
{
	vec_foreach(x, v) free(*x);
	vec_free(v);
}
