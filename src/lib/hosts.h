/* SPDX-License-Identifier: MIT */
/* Labs larger than one machine: [hosts] names the hosts and their underlay
 * addresses, every node is placed on one ('host = NAME', a GLOB = HOST rule,
 * or 'default = NAME'), and `nslab up --host NAME` builds that host's part.
 * A link whose ends are on two hosts becomes a point-to-point VXLAN device,
 * and a switch bridge with ports on several hosts gets a VXLAN port that
 * floods to the others (head-end replication). VNIs and MACs come from the
 * topology alone, so that every host computes the same plan without talking
 * to the others. The VXLAN devices are made in the namespace nslab runs in
 * (the host's, where the underlay is: a VXLAN device keeps its UDP socket in
 * the namespace it was created in) and land in the lab's namespaces in the
 * same request; nothing of the lab stays in the host's namespace.
 * docs/multihost.md is the user's side. */
#pragma once

#include "plan.h"

#define HOSTS_VX_PORT 4789
#define HOSTS_UNDERLAY_MTU 1500

/* One line of [hosts] at loc: NAME = ADDRESS [dev IF] [ssh DEST], GLOB =
 * HOST, default = HOST, vni = N, port = N, mtu = N. */
void hosts_parse_line(struct topo_lab *lab, const char *key, char *value,
		      const struct topo_loc *loc, struct diag *d);
/* Placement and the segments that cross hosts (topo_validate, through the
 * node key 'host'): every node on exactly one host; VNIs and MTUs. */
void hosts_validate(struct topo_lab *lab, struct diag *d);
/* The host named name, or NULL. */
struct topo_host *hosts_find(const struct topo_lab *lab, const char *name);
/* Build, plan or check only the part of host `name` (lab validated):
 * -ENOENT with the hosts in err when there is no such host, -EINVAL when
 * the lab has no [hosts]. */
int hosts_select(struct topo_lab *lab, const char *name, struct sbuf *err);
/* Is node n (or the switch namespace) part of what is being built? */
bool hosts_node_here(const struct topo_lab *lab, const struct topo_node *n);
/* Whether this host's part makes interface i: its node is here, and a
 * port of the switch namespace is made only where its node is. */
bool hosts_iface_here(const struct topo_lab *lab, const struct topo_iface *i);
/* up: -EADDRNOTAVAIL with the reason in err when the host being built has
 * an underlay address that is none of this machine's (the wrong --host). */
int hosts_check_here(const struct topo_lab *lab, struct sbuf *err);
/* up: -EOPNOTSUPP with "kernel lacks VXLAN..." when a segment crosses
 * hosts and the kernel cannot make VXLAN devices; before anything is made. */
int hosts_probe(const struct topo_lab *lab, struct sbuf *err);
/* The nodes of the part being built (all of them in a one-host lab). */
size_t hosts_nodes_here(const struct topo_lab *lab);
/* The hosts' names, ", "-separated, for messages. */
char *hosts_list(const struct topo_lab *lab);

/* Plan a veth (kind-veth.c) of one host's part: true when the veth has
 * been dealt with here, false when it is made as usual. Its ends on two
 * hosts: the end on this host becomes a VXLAN device to the other host.
 * A port of the switch namespace whose node is elsewhere: nothing here. */
bool hosts_plan_link(struct plan *p, struct topo_iface *a, struct topo_iface *b);
/* Plan: the flooding VXLAN port of every switch bridge with ports on this
 * host and others (plan_build, after the kinds). */
void hosts_plan_bridges(struct plan *p);
