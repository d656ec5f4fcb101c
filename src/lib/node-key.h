/* SPDX-License-Identifier: MIT */
/* The keys of [node NAME], one file each (node-KEY.c), in one table
 * generated from the list in src/lib/meson.build (after wireguard-tools'
 * config.c: process_line()). The table's order is the order of a node's
 * steps in the plan. Adding a key with a kernel step: its node-KEY.c (parse,
 * plan, and its step_type's print, describe, apply), its entries in
 * topology.h, and the list. */
#pragma once

#include "plan.h"

struct node_key {
	const char *key;
	bool repeatable; /* may be given more than once in a section */
	bool defaults;   /* may be given in [defaults], for every node */
	/* key = value: adds to n, or reports the line at loc and returns
	 * -EINVAL. value is split in place. */
	int (*parse)(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d);
	/* Checks that need the whole lab, after the core's; NULL: none. */
	void (*validate)(struct topo_lab *lab, struct diag *d);
	/* Append the node's steps; NULL: none (another key's step uses it). */
	void (*plan)(struct plan *p, struct topo_node *n);
	/* Free what parse added to n; NULL: nothing. */
	void (*free)(struct topo_node *n);
};

extern const struct node_key *const node_keys[];
extern const size_t node_keys_n;
const struct node_key *node_key_find(const char *key);

/* An interface name in a value, with the diagnostic every key gives. */
int node_key_ifname(const struct topo_loc *loc, struct diag *d, const char *what,
		    const char *name);
/* Interface ifname of n: NULL for lo (it has no topo_iface), or NULL after
 * "node 'X' has no interface 'Y'" with the node's interfaces as hint. */
struct topo_iface *node_iface(struct topo_node *n, const char *ifname, const struct topo_loc *loc,
				  struct diag *d);
/* Has n an interface ifname (lo included)? */
bool node_has_iface(const struct topo_node *n, const char *ifname);
