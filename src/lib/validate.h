/* SPDX-License-Identifier: MIT */
#pragma once

#include "topology.h"

/* Check the whole topology and link its pieces (interfaces, namespaces).
 * Every problem goes to d; returns the number of errors found. */
size_t topo_validate(struct topo_lab *lab, struct diag *d);
