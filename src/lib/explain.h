/* SPDX-License-Identifier: MIT */
/* nslab explain: the path a packet takes through a running lab, read from
 * each node's kernel over netlink, hop by hop: the route lookup the kernel
 * itself makes (RTM_GETROUTE, policy rules included), the neighbour entry,
 * the bridge's FDB, tunnels with their underlay, and the first reason it
 * stops. Only the namespaces on the path are read. */
#pragma once

#include "inet.h"
#include "util.h"

enum explain_what {
	EXPLAIN_ROUTE,    /* a route lookup's answer */
	EXPLAIN_NEIGH,    /* the neighbour entry of the next hop */
	EXPLAIN_CROSS,    /* over a veth to its other end */
	EXPLAIN_FDB,      /* an FDB lookup in a bridge */
	EXPLAIN_ENCAP,    /* into a tunnel: outer addresses */
	EXPLAIN_DECAP,    /* out of a tunnel */
	EXPLAIN_FIREWALL, /* an nftables chain it passes */
	EXPLAIN_NOTE,     /* something worth knowing that does not stop it */
	EXPLAIN_DELIVER,  /* the destination's own address: it arrives */
	EXPLAIN_DROP,     /* the first reason it stops */
};
const char *explain_what_to_string(enum explain_what w);

struct explain_step {
	enum explain_what what;
	unsigned depth; /* 1 inside a tunnel's underlay, 2 inside its underlay's... */
	char *node;
	char *text;
};

struct explain_path {
	char *from, *to;        /* node names; to is NULL when nothing owns dst */
	struct ipaddr src, dst; /* src: what the first route lookup chose */
	VEC(struct explain_step) steps;
	bool reached;
	char *reached_node; /* who took it (not `to` when another node owns dst) */
	char *reason;       /* why it stops; NULL when it reached */
	char *fix;          /* what to write instead, or NULL */
	char *drop_node;
};

struct explain_opts {
	int proto;     /* IPPROTO_ICMP (default 0 too), IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port; /* destination port of tcp and udp */
	int family;    /* AF_INET, AF_INET6, or 0: the first the target has */
};

struct explain_result {
	struct explain_path fwd;
	struct explain_path back; /* traced when fwd reached */
	bool has_back;
};

/* Trace from node `from` (NODE or NODE:IF) to `to` (a node, NODE:IF or an
 * address) in running lab `lab`. Returns 0 with ret filled (reached or
 * not), or -errno with why in err (no such lab, node or interface, or a
 * node with no address to aim at). */
int explain_run(const char *lab, const char *from, const char *to, const struct explain_opts *o,
		struct explain_result *ret, struct sbuf *err);
void explain_result_free(struct explain_result *r);
