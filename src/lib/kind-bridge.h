/* SPDX-License-Identifier: MIT */
/* The bridge kind's own model, shared by kind-bridge.c (the device and its
 * settings) and kind-bridge-port.c (ports: `ports =`, `port =` lines,
 * port flags, VLAN membership, and reading them back). */
#pragma once

#include "kind.h"

struct show_node;
struct nl_sock;

/* The kernel's defaults, in centiseconds (clock_t) */
#define BRIDGE_AGEING_DEFAULT 30000
#define BRIDGE_FWD_DELAY_DEFAULT 1500

/* Port flags of `port =` lines: IFLA_BRPORT_* u8 attributes. */
enum bridge_flag {
	BRF_LEARNING,
	BRF_FLOOD,
	BRF_NEIGH_SUPPRESS,
	BRF_HAIRPIN,
	BRF_ISOLATED,
	_BRF_MAX,
};

/* A VLAN id's membership bits in a port's map (vids[4096]) */
enum { BRV_MEMBER = 1, BRV_UNTAGGED = 2, BRV_PVID = 4 };

struct bridge_port_opts {
	int8_t flag[_BRF_MAX]; /* -1 not given, 0 off, 1 on */
	bool has_cost, has_priority;
	uint32_t cost, priority;
	uint8_t *vids; /* 4096 entries of BRV_* bits, or NULL: not given */
};

struct bridge_port_line {
	struct topo_loc loc;
	char *name; /* IF, NODE:IF (the port linked to it), '*' (every port), the bridge: self */
	struct bridge_port_opts o;
	struct topo_iface *iface; /* resolved by validate; NULL for '*' */
	bool self;
	bool folded; /* merged into an earlier line of the same port */
};

struct bridge {
	bool stp;
	uint32_t mtu;
	bool has_ageing, has_fwd_delay, has_default_pvid, has_mcast_snooping;
	uint32_t ageing, fwd_delay; /* centiseconds */
	bool vlan_filtering;
	struct topo_loc vlan_filtering_loc;
	uint16_t default_pvid; /* 1 unless given */
	int mcast_snooping;
	uint16_t vlan_protocol; /* ETH_P_8021Q/AD, 0: not given */
	char *ports_text;
	struct topo_loc ports_loc;
	VEC(struct bridge_port_line) lines;
	struct topo_iface *iface;
};

extern const struct link_kind kind_bridge;

struct bridge *bridge_of(struct topo_dev *dev);
void bridge_port_parse(struct bridge *b, char *value, const struct topo_loc *loc, struct diag *d);
void bridge_take_ports(struct topo_dev *dev, struct bridge *b, struct diag *d);
void bridge_port_validate(struct topo_dev *dev, struct bridge *b, struct diag *d);
void bridge_port_plan(struct plan *p, struct topo_dev *dev, struct bridge *b);
void bridge_port_attrs(const struct topo_dev *master, const struct topo_iface *port,
		       struct strvec *ret);
void bridge_port_attrs_self(const struct bridge *b, struct strvec *ret);
void bridge_read_node(struct nl_sock *sk, struct show_node *n);
void bridge_port_free(struct bridge *b);
