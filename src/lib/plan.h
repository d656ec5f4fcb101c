/* SPDX-License-Identifier: MIT */
/* The plan: the validated model as an ordered list of steps. The same
 * steps are printed as ip(8) commands (`nslab plan`), written to the
 * journal, and carried out through libnl (`nslab up`). */
#pragma once

#include "topology.h"

struct nl_ctx;
struct plan;
struct step;

/* Where `nslab plan` puts a step, under which comment. */
enum step_group {
	STEP_GROUP_NETNS, /* "# namespaces, lo up in each" */
	STEP_GROUP_LINKS, /* "# links" */
	STEP_GROUP_PORTS, /* "# ports": interfaces into their masters, port settings */
	STEP_GROUP_NODE,  /* "# node NAME": what the node's keys make */
	STEP_GROUP_DNS,   /* "# DNS: ..." */
	STEP_GROUP_RUN,   /* "# node NAME runs": its root, rules, startup, services */
};

/* One kind of step (the core's in apply.c, a node key's in node-KEY.c, a
 * link kind's in kind-KIND.c): the same step is printed as ip(8)
 * commands, described in errors and carried out through netlink. */
struct step_type {
	const char *name; /* "addr", in profiles */
	enum step_group group;
	/* Shell commands, each line ending in '\n'. */
	void (*print)(const struct plan *p, const struct step *s, struct sbuf *out);
	/* What it does, for errors: "add route '...'" (after "node 'X': "). */
	void (*describe)(const struct plan *p, const struct step *s, struct sbuf *out);
	/* Returns 0 or -errno, with the reason in err. */
	int (*apply)(struct nl_ctx *nl, const struct step *s, struct sbuf *err);
	/* Does the step make something the kernel drops when i goes down (an
	 * address, route or neighbour on it)? `nslab link ... up` applies
	 * those again; NULL: nothing of the kind. */
	bool (*restores)(const struct step *s, const struct topo_iface *i);
};

struct step {
	const struct step_type *type;
	struct topo_node *node;     /* the namespace it runs in */
	const void *data;           /* the type's own record: a topo_addr, a kind's */
	const struct topo_dev *dev; /* the device it makes or belongs to, or NULL */
	const struct topo_loc *loc; /* the line it comes from, or NULL */
};

/* The core's own steps (apply.c): a namespace with lo up, the far end of
 * a veth up (into its bridge when nslab named it as a port), and an
 * interface into the master a `ports =` line names (a bridge, a VRF). */
extern const struct step_type step_netns, step_set, step_port;

struct plan {
	struct topo_lab *lab;
	VEC(struct step) steps;
	VEC(void *) data; /* plan_alloc's */
	/* Shell lines that plan_print puts before the steps (the host
	 * limits' sysctl writes: `nslab plan` sets it), freed with the plan. */
	char *preamble;
	/* What plan_add returns for a node of another host (hosts.h): the
	 * caller fills it in, and it goes nowhere. */
	struct step elsewhere;
};

/* Build the steps; assigns interface indexes in creation order. */
void plan_build(struct topo_lab *lab, struct plan *ret);
void plan_free(struct plan *p);
struct step *plan_add(struct plan *p, const struct step_type *type, struct topo_node *node,
		      const void *data);
/* The interface a link step makes gets the next index of its namespace:
 * the plan chooses every index in advance, so no step looks one up. Call
 * it in creation order, from a kind's plan. */
void plan_ifindex(struct plan *p, struct topo_iface *i);
/* Zeroed memory for a step's data, freed with the plan. */
void *plan_alloc(struct plan *p, size_t size);
/* The describe of a step that makes s->dev: "create vxlan 'vx0'". */
void plan_describe_link(const struct plan *p, const struct step *s, struct sbuf *out);

/* One step as shell commands (one or more lines, each ending in '\n'). */
void plan_step_print(const struct plan *p, const struct step *s, struct sbuf *out);
/* A short description for error messages: "node 'r1': add route '...'
 * (FILE:LINE)" */
void plan_step_describe(const struct plan *p, const struct step *s, struct sbuf *out);
/* The whole plan as a POSIX shell script. */
void plan_print(const struct plan *p, FILE *f);

/* The ifalias on lo that marks a namespace as the lab's. */
char *plan_lab_marker(const char *lab);
/* /proc/sys path of a dotted sysctl key (sysctl(8) rules: '/' stands for
 * '.' inside a component). NULL if it is not a sane net.* key. */
char *plan_sysctl_path(const char *key);
