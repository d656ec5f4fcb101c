/* SPDX-License-Identifier: MIT */
/* One link kind per file behind this table (after iproute2's struct
 * link_util): veth (the [links] lines), bridge, vxlan, gre. Adding a kind
 * touches its own file and the list in kind.c, nothing else. */
#pragma once

#include "topology.h"

struct plan;
struct step;
struct nl_ctx;
struct nl_cache;
struct kind_tunnel;
struct rtnl_link;
struct nl_sock;
struct show_node;

enum kind_result {
	KIND_KEY_OK = 0,
	KIND_KEY_UNKNOWN = 1, /* not a key of this kind */
};

/* What the core asks of a kind, so that no file outside kind-*.c names
 * one: validate, parse and lab read these fields and flags. */
struct link_kind {
	const char *name;    /* "bridge" */
	const char *title;   /* in messages: "GRE"; NULL: name */
	const char *noun;    /* one device, in messages: "GRE tunnel", "VXLAN device" */
	const char *section; /* section keyword, "bridge"; "links" for veth */
	/* The section takes no name and may appear more than once; each
	 * `line_key = ...` line of it is one device ("link"). */
	const char *line_key;
	const char *line_usage; /* "link = NODE:IF NODE:IF" */
	const char *const *keys; /* NULL-terminated, for hints */
	const char *const *repeatable; /* keys that may come on several lines, or NULL */
	bool layer3;     /* no link-layer address: 'iface ... mac' is refused */
	/* It has a MAC, but always its lower device's (ipvlan): 'iface ...
	 * mac' is refused and `save` writes none. */
	bool lower_mac;
	/* It sits on another interface of its node and takes that one's
	 * frames (the kernel's rx_handler: macvlan, ipvlan), which one kind
	 * only can do; its attrs name the interface as "link IF". */
	bool takes_lower;
	bool fdb_remote; /* FDB entries on it need 'dst' (the remote end), as VXLAN's */
	bool is_link;    /* counted in `nslab ls` LINKS: a point-to-point cable */
	/* One key = value of the section. Reports bad values to d itself. */
	int (*parse)(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		     const struct topo_loc *loc, struct diag *d);
	/* Create the interfaces it makes (topo_iface_add). pass 0: named
	 * ones; pass 1: ones nslab names (bridge ports), once every name is known. */
	void (*declare)(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d);
	/* Checks that need the whole lab (addresses, members). */
	void (*validate)(struct topo_lab *lab, struct topo_dev *dev, struct diag *d);
	/* Append its creation steps, of step types of its own (plan.h):
	 * s->dev = dev, typed per-step data in s->data (plan_alloc). */
	void (*plan)(struct plan *p, struct topo_dev *dev);
	/* Kernel support is probed (in a throw-away namespace) for kinds that
	 * set these: the rtnl link kind and the module that provides it. */
	const char *probe_kind;
	const char *probe_module;
	/* For diff and save (state.c): the MTU the kernel gives a new device
	 * of this kind (0: it depends, so it is compared only when set). */
	uint32_t default_mtu;
	/* The settings of its interface i, "KEY VALUE" in the section's own
	 * words ("vni 1", "port 8472"), and the FDB entries it makes
	 * ("MAC dev IF dst ADDR", VXLAN flood lists); read_attrs gives the
	 * same words from the kernel's link (links: its node's, for names). */
	void (*attrs)(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		      struct strvec *fdbs);
	void (*read_attrs)(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret);
	/* For explain: a bridge takes frames into its FDB; a tunnel's
	 * kernel link tells its ends (NULL: not a tunnel). is_link kinds
	 * (veth) hand frames to their other end. */
	bool is_bridge;
	bool (*tunnel)(struct rtnl_link *l, struct kind_tunnel *ret);
	/* Kernel support beyond probe_kind (a feature of some devices, such
	 * as a bridge's VLAN filtering): 0, or -EOPNOTSUPP with "kernel lacks
	 * ...; nothing was created" in err. Called before anything is made. */
	int (*probe)(const struct topo_lab *lab, struct sbuf *err);
	/* A master's settings of one of its ports ("port-hairpin on"), for
	 * diff and save; read_node adds the same words from the kernel to
	 * the interfaces of a namespace it reads (its own devices' too). */
	void (*port_attrs)(const struct topo_dev *master, const struct topo_iface *port,
			   struct strvec *ret);
	void (*read_node)(struct nl_sock *sk, struct show_node *n);
	/* A device that owns a routing table (a VRF): the table of its
	 * interface i, from the file, and of a kernel link l (0: none).
	 * `route = ... KIND NAME` (the kind's name as the word) routes in it. */
	uint32_t (*table)(const struct topo_iface *i);
	uint32_t (*read_table)(struct rtnl_link *l);
	/* In tunnel's place, for a tunnel whose remotes the rtnl link does not
	 * hold (WireGuard's peers are in its generic netlink family): called
	 * inside the link's namespace, with the packet's inner destination
	 * (NULL when there is none) to choose the remote by. */
	bool (*tunnel_here)(struct rtnl_link *l, const struct ipaddr *inner, struct kind_tunnel *ret);
	/* For graph: a tunnel's keys among its attrs words ("vni", "port")
	 * whose values name the segment it joins. Devices of one kind with
	 * the same values are one segment (flannel's flannel.1 in each
	 * node); a device with several ends (members) is one of its own.
	 * NULL: not a tunnel (drawn in its node). */
	const char *const *graph_keys;
	void (*free)(struct topo_dev *dev);
};

/* A tunnel device as the kernel has it, for explain. */
struct kind_tunnel {
	char what[64];       /* "VXLAN (VNI 1, UDP 8472)", "GRE (key 5)" */
	uint32_t id, port;   /* VNI or key; UDP port: what the other end must match */
	struct ipaddr local, remote;
	bool has_local, has_remote;
	bool fdb_remotes;    /* remotes come from its FDB (VXLAN), else remote */
	int outer_proto;     /* IPPROTO_UDP, IPPROTO_GRE */
	uint16_t outer_port; /* of the outer packets, for firewalls */
};

/* The table, in declaration and creation order: generated from the list in
 * src/lib/meson.build (bridges first, so links can name them; veths, the
 * underlay, before the tunnels over them). */
extern const struct link_kind *const link_kinds[];
extern const size_t link_kinds_n;
const struct link_kind *kind_by_section(const char *section);
/* Is a device the kernel reports as rtnl kind `name` one end of a pair
 * (veth)? For reading a running lab back. */
bool kind_has_peer(const char *name);
/* The kind whose rtnl kind is name ("vxlan"), or NULL. */
const struct link_kind *kind_by_name(const char *name);
/* The routing table of interface i when a kind gives it one (a VRF), or 0. */
uint32_t kind_table_of(const struct topo_iface *i);
/* The VRF (a device with a table of its own) whose table interface i's
 * routes go in: i itself, its master, or its bridge's master; NULL: the
 * main table. */
const struct topo_iface *kind_l3_master(const struct topo_iface *i);
/* The kind's name for messages: title, or name. */
static inline const char *kind_title(const struct link_kind *k)
{
	return k->title ? k->title : k->name;
}

/* Probe the kernel for every kind the lab uses that sets probe_kind (in a
 * throw-away namespace): -EOPNOTSUPP with "kernel lacks X support (module
 * M); nothing was created" in err, before anything is made. */
int kind_probe(const struct topo_lab *lab, struct sbuf *err);

/* Shared by kinds: "yes"/"no" values and numbers with a diagnostic. */
int kind_bool(const char *key, const char *value, const struct topo_loc *loc, struct diag *d,
	      bool *ret);
int kind_u32(const char *key, const char *value, uint32_t min, uint32_t max,
	     const struct topo_loc *loc, struct diag *d, uint32_t *ret);
/* A master's `ports = IF...` line (a bridge's, a VRF's), at loc: each
 * interface of master's node goes into it (topo_iface_enslave), unless
 * refuse (may be NULL) says why not, as "message\nhint" in why. */
void kind_take_ports(struct topo_dev *dev, struct topo_iface *master, const char *text,
		     const struct topo_loc *loc, struct diag *d,
		     bool (*refuse)(const struct topo_iface *master, const struct topo_iface *port,
				    struct sbuf *why));
/* The interface of a device that belongs to one node ([KIND NODE:NAME]:
 * dummy, macvlan, ipvlan), with its mtu and MAC; NULL after a diagnostic
 * for [KIND NAME], or when the node is unknown (reported already). */
struct topo_iface *kind_node_iface(struct topo_dev *dev, uint32_t mtu, const uint8_t *mac,
				   struct diag *d);
/* The ends of a tunnel: [KIND NODE:NAME]'s node, or the two nodes of a
 * pair's `members` (members_text, at members_loc); each gets interface
 * NAME (ifaces) with mtu. Returns how many (1 or 2), or 0 after a
 * diagnostic. */
size_t kind_tunnel_ends(struct topo_lab *lab, struct topo_dev *dev, const char *members_text,
			const struct topo_loc *members_loc, uint32_t mtu, struct diag *d,
			struct topo_node *members[2], struct topo_iface *ifaces[2]);
/* A unicast MAC address value: -EINVAL after a diagnostic. */
int kind_mac(const char *value, const struct topo_loc *loc, struct diag *d, uint8_t ret[6]);
/* Can the kernel make VXLAN devices (kind-vxlan.c's probe)? The links
 * between the hosts of a split lab (hosts.c) are VXLAN too. 0, or
 * -EOPNOTSUPP, or another -errno when the probe itself failed. */
int kind_vxlan_probe(void);
/* The position of dev's kind in the kind table: the order devices are made. */
size_t kind_order(const struct link_kind *k);
/* "802.1Q" or "802.1ad" (any case) -> ETH_P_8021Q or ETH_P_8021AD. */
int kind_vlan_protocol(const char *key, const char *value, const struct topo_loc *loc,
		       struct diag *d, uint16_t *ret);
/* Resolve a member list "n1 n2 n3" against the lab's nodes: at most max,
 * each known and named once. Returns the count, or -EINVAL after a diagnostic. */
int kind_members(struct topo_lab *lab, const char *value, const struct topo_loc *loc,
		 struct diag *d, struct topo_node **ret, size_t max);
/* The interface `name` of dev's node that dev's interface self sits on
 * (macvlan, ipvlan: `link = IF`): NULL after a diagnostic at loc when
 * name is NULL (no `link`) or the node has no such interface (the hints
 * list those it has), or when it is lo, self, a device without an Ethernet
 * header (layer3), a bridge's port (the bridge takes its frames first), a
 * takes_lower device of dev's own kind or one that a device of another
 * takes_lower kind sits on, or one made after dev. */
struct topo_iface *kind_lower(const struct topo_lab *lab, const struct topo_dev *dev,
			      const struct topo_iface *self, const char *name,
			      const struct topo_loc *loc, struct diag *d);
