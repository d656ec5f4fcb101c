/* SPDX-License-Identifier: MIT */
/* A lab as facts, for `nslab diff` and `nslab save`: what the topology
 * says (state_expected) and what the kernel has (state_kernel), each one
 * fact a line: node, key, value, in the topology's own words:
 *   h1  eth0                     veth          (an interface and its kind)
 *   h1  eth0 mtu                 1500
 *   h1  eth0 state               up
 *   h1  eth0 peer                r1:eth0
 *   h1  eth0 master              br0
 *   h1  eth0 mac                 02:00:00:00:00:01 (only where the file sets one)
 *   h1  eth0 impair              delay 20ms loss 1%
 *   h1  eth0 vni                 1     (a kind's settings, link_kind.attrs)
 *   h1  addr eth0 10.0.1.10/24
 *   h1  route default            via 10.0.1.1 dev eth0 (the file's words must all be there)
 *   h1  neigh 10.0.1.1 dev eth0  02:00:00:00:00:01
 *   h1  fdb 02:..:01 dev vx0 dst 192.168.0.2
 *   h1  sysctl net.ipv4.ip_forward  1
 * The switch namespace is node "(switch)". */
#pragma once

#include "show.h"
#include "topology.h"

struct fact {
	char *node, *key, *value;
};

struct facts {
	VEC(struct fact) v;
};

struct state_change {
	const struct fact *file, *kernel; /* NULL: not there */
};

struct state_diff {
	VEC(struct state_change) changes;
};

void facts_add(struct facts *f, const char *node, const char *key, const char *fmt, ...) _printf_(4, 5);
void facts_sort(struct facts *f);
void facts_free(struct facts *f);

/* What topology lab (validated) builds. */
void state_expected(const struct topo_lab *lab, struct facts *ret);
/* What the kernel has in running lab s (show_read with SHOW_PEERS |
 * SHOW_TABLES); the sysctls read are those `want` names (its "sysctl"
 * keys), with IPv4 and IPv6 forwarding. */
void state_kernel(const struct show_lab *s, const struct facts *want, struct facts *ret);
/* Sorted facts in, the differences out (pointing into both). */
void state_compare(const struct facts *file, const struct facts *kernel, struct state_diff *ret);
void state_diff_free(struct state_diff *d);
/* A device the kernel adds to every namespace once its module is loaded
 * (gre0, tunl0, ...): no lab's. */
bool state_is_fallback(const char *name);
