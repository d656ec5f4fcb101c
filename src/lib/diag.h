/* SPDX-License-Identifier: MIT */
/* Diagnostics: topology errors collected with their file:line and a hint,
 * so that one run reports all of them. The core never prints them itself. */
#pragma once

#include "util.h"

struct topo_loc {
	const char *file;
	unsigned line; /* 0: the file as a whole */
};

struct diag_msg {
	struct topo_loc loc;
	char *msg;
	char *hint; /* what to write instead; may be NULL */
	char *file; /* our own copy; loc.file points here */
};

#define DIAG_MAX 100

struct diag {
	VEC(struct diag_msg) msgs;
	size_t dropped; /* errors past DIAG_MAX */
};

void diag_add(struct diag *d, const struct topo_loc *loc, const char *hint, const char *fmt, ...)
	_printf_(4, 5);
void diag_free(struct diag *d);
static inline size_t diag_count(const struct diag *d)
{
	return d->msgs.n + d->dropped;
}
/* Sort by line (stable), as a compiler would list them. */
void diag_sort(struct diag *d);
/* "FILE:LINE: message\n    hint: ...\n" for every entry. */
void diag_print(const struct diag *d, FILE *f);
