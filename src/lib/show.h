/* SPDX-License-Identifier: MIT */
/* What a running lab looks like, read from the kernel (never the file). */
#pragma once

#include "impair.h"
#include "util.h"

#include <net/if.h>

struct show_iface {
	char name[IFNAMSIZ];
	char kind[16];
	uint32_t ifindex;
	bool up, carrier;
	uint32_t mtu;
	char mac[18];
	char master[IFNAMSIZ];
	char peer[96]; /* "NODE:IF" for veths whose other end is in the lab */
	struct strvec addrs;
	struct impair impair; /* its root qdisc, when nslab's kind (netem, tbf) */
	struct strvec attrs;  /* SHOW_TABLES, SHOW_ATTRS: its kind's settings, "vni 1" (link_kind.read_attrs) */
	/* for peer matching */
	uint32_t link;
	int32_t link_nsid;
};

struct show_node {
	char *name;  /* node name, or "(switch)" */
	char *netns;
	VEC(struct show_iface) ifaces;
	struct strvec routes; /* in ip route's words */
	struct strvec neighs; /* SHOW_TABLES: permanent entries, "ADDR lladdr MAC dev IF" */
	struct strvec fdbs;   /* SHOW_TABLES: static entries, "MAC dev IF [dst ADDR]" */
	/* SHOW_TABLES: policy rules, not the kernel's own: "from P lookup T priority N" */
	struct strvec rules;
	int nsfd;
};

struct show_lab {
	char *name;
	VEC(struct show_node) nodes;
};

enum {
	SHOW_PEERS = 1 << 0,  /* name the other end of veths (reads every namespace) */
	/* Also neighbours, FDB entries and kind settings; and of addresses
	 * and routes only the permanent ones, not those that daemons and
	 * SLAAC add (proto ospf, bgp, ra): what a topology can say. */
	SHOW_TABLES = 1 << 1,
	/* Kinds' settings only (struct show_iface.attrs): `nslab show`. */
	SHOW_ATTRS = 1 << 2,
};
/* Read the namespaces of lab `name` (only_node: keep just that node).
 * -ENOENT: no such lab; -ESRCH: no such node (*ret then holds nothing). */
int show_read(const char *name, const char *only_node, unsigned flags, struct show_lab *ret);
void show_free(struct show_lab *s);
/* The node called name (or "(switch)"), or NULL. */
const struct show_node *show_node_find(const struct show_lab *s, const char *name);
