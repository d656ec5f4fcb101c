/* SPDX-License-Identifier: MIT */
#pragma once

#include "topology.h"

/* Notes (one a line) for each host limit the lab may pass: the neighbour
 * tables' gc_thresh3, netdev_max_backlog against its largest broadcast
 * domain; each says which sysctl allows it. Nothing is changed. */
void limits_warn(const struct topo_lab *lab, struct sbuf *notes);
