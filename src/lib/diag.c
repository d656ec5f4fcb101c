// SPDX-License-Identifier: MIT
#include "diag.h"

void diag_add(struct diag *d, const struct topo_loc *loc, const char *hint, const char *fmt, ...)
{
	va_list ap;
	struct sbuf b = {0};

	if (d->msgs.n >= DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	struct diag_msg *m = vec_add(&d->msgs);
	m->loc = *loc;
	/* The model that loc points into may be freed before we are printed. */
	m->file = xstrdup(loc->file);
	m->loc.file = m->file;
	m->msg = sbuf_steal(&b);
	m->hint = hint ? xstrdup(hint) : NULL;
}

void diag_free(struct diag *d)
{
	vec_foreach(m, &d->msgs)
	{
		free(m->msg);
		free(m->hint);
		free(m->file);
	}
	vec_free(&d->msgs);
	d->dropped = 0;
}

void diag_sort(struct diag *d)
{
	/* Insertion sort: stable, and the list is short and nearly sorted. */
	for (size_t i = 1; i < d->msgs.n; i++) {
		struct diag_msg m = d->msgs.v[i];
		size_t j = i;
		while (j > 0 && d->msgs.v[j - 1].loc.line > m.loc.line) {
			d->msgs.v[j] = d->msgs.v[j - 1];
			j--;
		}
		d->msgs.v[j] = m;
	}
}

void diag_print(const struct diag *d, FILE *f)
{
	vec_foreach(m, &d->msgs)
	{
		if (m->loc.line)
			fprintf(f, "%s:%u: %s\n", m->loc.file, m->loc.line, m->msg);
		else
			fprintf(f, "%s: %s\n", m->loc.file, m->msg);
		if (m->hint)
			fprintf(f, "    hint: %s\n", m->hint);
	}
	if (d->dropped)
		fprintf(f, "... and %zu more errors\n", d->dropped);
}
