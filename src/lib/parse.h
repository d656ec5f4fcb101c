/* SPDX-License-Identifier: MIT */
#pragma once

#include "topology.h"

/* The longest line a topology may have. */
#define TOPO_LINE_MAX 1024

/* Parse a topology from f, naming it file in diagnostics. Syntax errors and
 * bad values go to d; the returned lab is complete as far as it could be
 * read (never NULL). */
struct topo_lab *topo_parse_file(FILE *f, const char *file, struct diag *d);
/* Open path ("-" for standard input) and parse it. Returns NULL with -errno
 * in *ret_err when it cannot be read. */
struct topo_lab *topo_parse_path(const char *path, struct diag *d, int *ret_err);
/* Parse from memory (the built-in default lab, tests). */
struct topo_lab *topo_parse_string(const char *text, const char *file, struct diag *d);

/* The sections of the core ("lab", "defaults", "node", "dns", "expect";
 * the link kinds add theirs, kind.h) and the keys the parser takes in one
 * of them (NULL for "node" and "defaults": node-key.h has those, and for
 * any other word). A key outside its list is refused as unknown, so the
 * lists are what the parser accepts; tests/docs compares them with
 * docs/topology.md. */
extern const char *const topo_core_sections[];
extern const size_t topo_core_sections_n;
const char *const *topo_section_keys(const char *section, size_t *ret_n);

/* Parse + validate. NULL with errors in d, or -errno in *ret_err if unreadable. */
struct topo_lab *topo_load(const char *path, struct diag *d, int *ret_err);

/* The folder of the nodes' folders and startup files: dir, or [lab]
 * folder relative to it (an error at its line when that is no folder). */
void topo_set_folder(struct topo_lab *lab, const char *dir, struct diag *d);
