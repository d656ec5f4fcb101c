/* SPDX-License-Identifier: MIT */
/* nslab save: a topology that rebuilds a running lab as the kernel has it
 * now, changes made by hand included. The network comes from the kernel
 * (show_read with SHOW_PEERS | SHOW_TABLES, and its facts); what runs in
 * the nodes (files, startup, services, nft, frr), [dns], [expect] and [grade] come
 * from the topology the lab was built from, whose folder the saved file
 * names, so its relative paths still resolve. */
#pragma once

#include "show.h"
#include "state.h"

struct save_opts {
	const char *name;     /* the saved lab's name */
	const char *kept;     /* the text of the topology it was built from, or NULL */
	const char *kept_dir; /* that topology's folder, or NULL */
};

/* The topology in out; what the format cannot say yet (an interface that
 * is down, a device of a kind nslab does not make) in notes, one a line,
 * also written into the file as comments. */
void save_write(const struct show_lab *s, const struct facts *kernel, const struct save_opts *o,
		struct sbuf *out, struct strvec *notes);
