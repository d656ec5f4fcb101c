/* SPDX-License-Identifier: MIT */
/* Kathará labs (a folder with lab.conf, DEVICE.startup, shared.startup,
 * DEVICE/ and shared/ trees, lab.dep) as nslab topologies: docs/kathara.md. */
#pragma once

#include "topology.h"

#define KATHARA_MARK "; imported from a Kathará lab by nslab"

/* Does dir hold a Kathará lab (a lab.conf)? */
bool kathara_is_lab(const char *dir);

/* The topology text of the Kathará lab in dir. What nslab cannot do (P4,
 * OVS, bridged, port, lab.ext...) is an error at its lab.conf line in d,
 * or with skip_unsupported a note ("left out: ..."). folder: the value of
 * [lab] folder to write, or NULL for none (the topology will lie in dir).
 * Returns the text, or NULL when d has errors. */
char *kathara_import(const char *dir, const char *folder, bool skip_unsupported, struct diag *d,
		     struct sbuf *notes);

/* The Kathará lab in dir, imported, parsed and validated: NULL with the
 * errors in d. notes: the import's (what it left out or changed). */
struct topo_lab *kathara_load(const char *dir, struct diag *d, struct sbuf *notes);
