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
	/* for peer matching */
	uint32_t link;
	int32_t link_nsid;
};

struct show_node {
	char *name;  /* node name, or "(switch)" */
	char *netns;
	VEC(struct show_iface) ifaces;
	struct strvec routes; /* in ip route's words */
	int nsfd;
};

struct show_lab {
	char *name;
	VEC(struct show_node) nodes;
};

enum {
	SHOW_PEERS = 1 << 0, /* name the other end of veths (reads every namespace) */
};
/* Read the namespaces of lab `name` (only_node: keep just that node).
 * -ENOENT: no such lab; -ESRCH: no such node. */
int show_read(const char *name, const char *only_node, unsigned flags, struct show_lab *ret);
void show_free(struct show_lab *s);
/* The node called name (or "(switch)"), or NULL. */
const struct show_node *show_node_find(const struct show_lab *s, const char *name);
