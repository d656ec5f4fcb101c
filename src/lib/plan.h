/* SPDX-License-Identifier: MIT */
/* The plan: the validated model as an ordered list of steps. The same
 * steps are printed as ip(8) commands (`nslab plan`), written to the
 * journal, and carried out through libnl (`nslab up`). */
#pragma once

#include "topology.h"

enum step_type {
	STEP_NETNS,  /* create a namespace, lo up */
	STEP_LINK,   /* kind-specific: create a device */
	STEP_SET,    /* set an existing interface up */
	STEP_ADDR,
	STEP_SYSCTL, /* every sysctl of one node */
	STEP_ROUTE,
	STEP_NEIGH,
	STEP_FDB,
	STEP_ETC, /* /etc/netns/LAB-NODE/{resolv.conf,hosts} */
	STEP_DNS, /* dnsmasq in the [dns] server */
	_STEP_MAX,
	_STEP_INVALID = -1,
};

const char *step_type_to_string(enum step_type t);

struct step {
	enum step_type type;
	uint32_t sub;           /* kind-specific (which member of a segment) */
	struct topo_node *node; /* the namespace it runs in */
	union {
		struct topo_dev *dev;     /* STEP_LINK */
		struct topo_iface *iface; /* STEP_SET */
		const struct topo_addr *addr;
		const struct topo_route *route;
		const struct topo_neigh *neigh;
		const struct topo_fdb *fdb;
	};
};

struct plan {
	struct topo_lab *lab;
	VEC(struct step) steps;
};

/* Build the steps; assigns interface indexes in creation order. */
void plan_build(struct topo_lab *lab, struct plan *ret);
void plan_free(struct plan *p);
struct step *plan_add(struct plan *p, enum step_type type, struct topo_node *node);

/* One step as shell commands (one or more lines, each ending in '\n'). */
void plan_step_print(const struct plan *p, const struct step *s, struct sbuf *out);
/* A short description for error messages: "node 'r1': add route '...'" */
void plan_step_describe(const struct plan *p, const struct step *s, struct sbuf *out);
/* The whole plan as a POSIX shell script. */
void plan_print(const struct plan *p, FILE *f);

/* "LAB-NODE", or "LAB-.sw" for the switch namespace. */
char *plan_netns_name(const char *lab, const char *node);
/* The ifalias on lo that marks a namespace as the lab's. */
char *plan_lab_marker(const char *lab);
/* /proc/sys path of a dotted sysctl key (sysctl(8) rules: '/' stands for
 * '.' inside a component). NULL if it is not a sane net.* key. */
char *plan_sysctl_path(const char *key);
