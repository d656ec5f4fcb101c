/* SPDX-License-Identifier: MIT */
/* The topology model: plain structs, no kernel calls, no I/O. parse.c fills
 * it, validate.c checks it and links the pieces, plan.c turns it into steps. */
#pragma once

#include "diag.h"
#include "impair.h"
#include "inet.h"
#include "util.h"

#include <net/if.h>

#define TOPO_LAB_NAME_MAX 32
#define TOPO_NODE_NAME_MAX 63
#define TOPO_IFNAME_MAX (IFNAMSIZ - 1)
/* Suffix of the lab's switch namespace: "LAB-.sw". Node names cannot start
 * with '.', so it never clashes with a node's namespace. */
#define TOPO_SWITCH_NS_SUFFIX ".sw"

struct link_kind;
struct topo_dev;
struct topo_node;

/* A host of a lab split across machines ([hosts], hosts.h). */
struct topo_host {
	struct topo_loc loc;
	char *name;
	struct ipaddr addr; /* its underlay address */
	char *dev;          /* its underlay interface ('dev IF'), or NULL */
	char *ssh;          /* where ssh reaches it ('ssh DEST'), or NULL: the address */
	uint32_t index;     /* position in lab->hosts */
};

/* A placement rule of [hosts]: GLOB = HOST. */
struct topo_place {
	struct topo_loc loc;
	char *glob;
	char *host_name;
	struct topo_host *host;
};

struct topo_iface {
	char name[IFNAMSIZ];
	struct topo_node *node;
	struct topo_dev *dev;      /* the device that creates it; NULL for lo */
	struct topo_iface *peer;   /* the other end of a veth */
	struct topo_iface *master; /* the bridge or VRF this is a port of */
	struct topo_loc loc;       /* where it comes from */
	const struct topo_loc *master_loc; /* the `ports =` line that put it there */
	uint32_t ifindex;          /* in its namespace, assigned in creation order */
	uint32_t mtu;              /* 0: kernel default */
	bool has_mac;
	bool is_bridge;
	bool auto_name; /* a bridge port named by nslab */
	uint8_t mac[6];
	/* Of a lab split across hosts (hosts.h): a veth end whose link crosses
	 * to another host, or a switch bridge with ports on several hosts,
	 * gets this VNI; 0: none. */
	uint32_t xvni;
	/* What leaves it: its link's settings, with its node's 'iface' line's
	 * over them; impair_loc is the line that set the last of them. */
	struct impair impair;
	const struct topo_loc *impair_loc;
};

struct topo_addr {
	struct topo_loc loc;
	struct topo_node *node;
	char *ifname;
	struct topo_iface *iface;
	struct ipaddr local;
	bool has_peer;
	struct ipaddr peer;
};

struct topo_route {
	struct topo_loc loc;
	struct ipaddr dst; /* len 0: default */
	bool has_via;
	struct ipaddr via;
	char *ifname; /* "dev", or NULL */
	struct topo_iface *iface;
	bool onlink;
	bool has_metric;
	uint32_t metric;
	bool has_src;
	struct ipaddr src;
	/* `table N`, or `KIND NAME` (vrf red: a device of a kind with a table
	 * of its own, whose table validate sets); 0: main */
	uint32_t table;
	char *table_dev;
	const struct link_kind *table_kind;
};

/* rule = [from P] [to P] [iif IF] [oif IF] [fwmark N[/M]] [priority N] lookup T */
struct topo_rule {
	struct topo_loc loc;
	int family;
	bool has_from, has_to, has_mark, has_mask, has_prio;
	struct ipaddr from, to;
	char *iif, *oif;
	uint32_t mark, mask, prio, table;
};

struct topo_neigh {
	struct topo_loc loc;
	struct ipaddr addr;
	uint8_t lladdr[6];
	char *ifname;
	struct topo_iface *iface;
};

struct topo_fdb {
	struct topo_loc loc;
	uint8_t mac[6];
	char *ifname;
	struct topo_iface *iface;
	bool has_dst;
	struct ipaddr dst;
};

struct topo_sysctl {
	struct topo_loc loc;
	char *key; /* dotted, "net.ipv4.conf.all.rp_filter" */
	char *value;
};

struct topo_ifattr {
	struct topo_loc loc;
	char *ifname;
	uint32_t mtu;
	bool has_mac;
	uint8_t mac[6];
	struct impair impair; /* over the link's, setting by setting */
};

/* What runs in a node (node-startup.c, node-service.c): see docs/nodes.md. */
struct topo_startup {
	struct topo_loc loc;
	char *line;    /* a shell command line; NODE.startup: the file's path */
	bool is_file;  /* NODE.startup beside the topology, run by sh -e */
	bool may_fail; /* 'startup = -CMD': its failure is logged, not fatal */
};

enum topo_ready {
	READY_RUNNING, /* no condition: still running after a moment */
	READY_TCP,     /* a TCP socket listens on port */
	READY_UDP,     /* a UDP socket is bound to port */
	READY_FILE,    /* path exists in the node */
	READY_CMD,     /* the shell command arg exits 0 in the node */
};

struct topo_service {
	struct topo_loc loc;
	char *name;
	char *cmd; /* a shell command line, run as 'exec CMD' */
	enum topo_ready ready;
	uint16_t port;
	char *ready_arg; /* READY_FILE: path, READY_CMD: command */
	unsigned timeout_ms;
};

struct topo_node {
	struct topo_loc loc;
	char *name;
	char *netns; /* "LAB-NAME", set when the lab's name is final */
	bool is_switch;
	bool forward;
	bool bad_addr; /* an 'addr' line was refused: no follow-up errors on addresses */
	struct topo_loc forward_loc; /* line 0: not given */
	uint32_t index;              /* position in lab->nodes */
	uint32_t next_ifindex;
	VEC(struct topo_iface *) ifaces;
	VEC(struct topo_addr) addrs;
	VEC(struct topo_route) routes;
	VEC(struct topo_rule) rules;
	VEC(struct topo_neigh) neighs;
	VEC(struct topo_fdb) fdbs;
	VEC(struct topo_sysctl) sysctls;
	VEC(struct topo_ifattr) ifattrs;
	/* What runs in it (topo_node_has_root) */
	int container; /* 'container =': -1 not given, 0 no, 1 yes */
	struct topo_loc container_loc;
	VEC(char *) files;    /* 'files = DIR...' as written */
	struct topo_loc files_loc;
	VEC(char *) layers;   /* absolute folders laid over /, top first (validate) */
	VEC(struct topo_startup) startups;
	VEC(struct topo_service) services;
	char *nft; /* absolute path of the ruleset (validate), as written before */
	struct topo_loc nft_loc;
	/* 'host = NAME' (hosts.h); host: where it runs once validated (NULL in
	 * a one-host lab and for the switch namespace) */
	char *host_name;
	struct topo_loc host_loc;
	struct topo_host *host;
	bool has_frr;     /* 'frr =', or etc/frr/daemons in its folders (validate) */
	VEC(char *) frr;  /* the daemons of 'frr =' (not zebra, staticd) */
	struct topo_loc frr_loc;
};

/* A device-making section ([bridge ...], [vxlan ...], [gre ...]) or one
 * `link =` line of [links]. Everything kind-specific lives behind priv. */
struct topo_dev {
	const struct link_kind *kind;
	struct topo_loc loc;
	char *name;      /* NAME of [kind NAME] / [kind NODE:NAME]; NULL for links */
	char *node_name; /* NODE of [kind NODE:NAME], or NULL */
	struct topo_node *node;
	void *priv;
};

struct topo_record {
	struct topo_loc loc;
	char *name;
	struct ipaddr addr;
};

struct topo_dns {
	struct topo_loc loc; /* line 0: no [dns] section */
	char *server;
	struct topo_loc server_loc;
	struct topo_node *server_node;
	char *domain;
	struct topo_loc domain_loc;
	VEC(struct topo_record) records;
};

enum topo_expect_kind {
	EXPECT_REACH,   /* reach = FROM TO: FROM pings TO */
	EXPECT_NOREACH, /* noreach = FROM TO: it must not */
	EXPECT_RESOLVE, /* resolve = FROM NAME [ADDRESS] */
	EXPECT_EXEC,    /* exec = FROM CMD [ARGS...]: exits 0 */
	EXPECT_TCP,     /* tcp = FROM TO PORT: a TCP connection opens */
	EXPECT_ROUTE,   /* route = NODE PREFIX [via GW] [dev IF] [proto P]: in its table */
	EXPECT_NOROUTE, /* noroute = NODE PREFIX [...]: no such route */
	_EXPECT_MAX,
	_EXPECT_INVALID = -1,
};

const char *topo_expect_kind_to_string(enum topo_expect_kind k);

struct topo_expect {
	struct topo_loc loc;
	enum topo_expect_kind kind;
	char *from; /* NODE, NODE,NODE,... or all */
	char *rest; /* TO list, NAME [ADDRESS], the command line, TO PORT */
	unsigned group;    /* the [expect] section it is in (from 0): groups run in order */
	unsigned retry_ms; /* the section's 'retry': until it holds, at most this long */
	bool in_order;     /* the section's 'order = sequential' */
};

/* [grade]: what nslab grade checks besides [expect] when this topology is
 * the reference. */
struct topo_grade {
	struct topo_loc loc; /* line 0: no [grade] section */
	bool diff;	     /* each difference of a student's lab from this file fails */
};

struct topo_lab {
	char *file; /* as given on the command line */
	char *dir;  /* the absolute folder of file ([lab] folder), or NULL (stdin, built-in) */
	char *folder; /* [lab] folder, as written */
	struct topo_loc folder_loc;
	bool startup_lenient; /* [lab] startup-files = lenient (Kathará's way) */
	bool host_limits;     /* [lab] host-limits = yes: up raises them (host-limits.h) */
	char *name;
	struct topo_loc name_loc;
	char *description;
	VEC(struct topo_node *) nodes; /* in file order; the switch node first once validated */
	struct strmap node_by_name;
	VEC(struct topo_dev *) devs;
	struct topo_node *switch_node; /* NULL when no bridge needs it */
	bool uses_ipv6;  /* IPv6 in nodes: [lab] ipv6, or any IPv6 address (then no DAD) */
	int ipv6_given;  /* [lab] ipv6: -1 not given, 0 no, 1 yes */
	struct topo_loc ipv6_loc;
	struct topo_dns dns;
	VEC(struct topo_expect) expects;
	struct topo_grade grade;
	unsigned startup_timeout_ms; /* [lab] startup-timeout: each startup line's limit */
	char *source; /* the file's text, kept for `nslab check` */
	/* [hosts] (hosts.h): empty in a one-host lab */
	struct topo_loc hosts_loc;
	bool hosts_bad; /* a host's line was refused: no follow-up errors */
	VEC(struct topo_host *) hosts;
	VEC(struct topo_place) places;
	char *default_host;
	struct topo_loc default_host_loc;
	uint32_t vni_base; /* 0: derived from the lab's name */
	uint16_t vx_port;  /* 0: 4789 */
	uint32_t underlay_mtu; /* 0: 1500 */
	/* The part being built, planned or checked (hosts_select), or NULL:
	 * all of it; switch_here: the switch namespace has ports here. */
	struct topo_host *here;
	bool switch_here;
	/* Section headers seen, for duplicate detection: "kind arg" -> loc */
	struct strmap sections;
	VEC(struct topo_loc *) section_locs;
};

struct topo_lab *topo_lab_new(const char *file);
void topo_lab_free(struct topo_lab *lab);
/* A node outside any lab (parse checks [defaults] lines on one). */
struct topo_node *topo_node_new(const char *name, const struct topo_loc *loc);
void topo_node_free(struct topo_node *n);
struct topo_node *topo_node_add(struct topo_lab *lab, const char *name, const struct topo_loc *loc);
static inline struct topo_node *topo_node_find(const struct topo_lab *lab, const char *name)
{
	return strmap_get(&lab->node_by_name, name);
}
/* Does the node get a root of its own (mount and UTS namespaces,
 * runtime.h)? When it has files, startup lines or services, or says
 * 'container = yes'. Valid after validation (its folders are found then). */
bool topo_node_has_root(const struct topo_node *n);
/* A path in the topology's folder (lab->dir/REST) as the topology's file
 * was named: DIR-OF-FILE/REST ("topologies/web/var"); others as they are. */
char *topo_rel_path(const struct topo_lab *lab, const char *path);
/* "LAB-NODE", or "LAB-.sw" for the switch namespace (node NULL). */
char *topo_netns_name(const char *lab, const char *node);
/* Once the lab's name is final (the end of parsing): every node's netns. */
void topo_name_namespaces(struct topo_lab *lab);
/* The lab's switch namespace, made on first use (named then). */
struct topo_node *topo_switch_node(struct topo_lab *lab);
struct topo_iface *topo_iface_find(const struct topo_node *node, const char *name);
/* Adds an interface to node; NULL (after a diagnostic) when the name is taken. */
struct topo_iface *topo_iface_add(struct topo_node *node, const char *name, struct topo_dev *dev,
				  const struct topo_loc *loc, struct diag *d);
/* Make port a port of master (a bridge or a VRF of the same node), for a
 * `ports =` line at loc: -EINVAL after a diagnostic when it is one
 * already, or is master itself. */
int topo_iface_enslave(struct topo_iface *port, struct topo_iface *master,
		       const struct topo_loc *loc, struct diag *d);
/* The node's interface names, comma separated, for hints. */
char *topo_iface_list(const struct topo_node *node);
/* First address of iface of the given family, or NULL. */
const struct topo_addr *topo_iface_addr(const struct topo_node *node, const struct topo_iface *iface,
					int family);

/* How many neighbour (ARP or ND) entries the lab can need at most of one
 * family: every pair of addressed ends on one layer-2 segment. The kernel
 * keeps one table for all namespaces, bounded by the host's gc_thresh3. */
size_t topo_neighbour_estimate(const struct topo_lab *lab, int family);

/* Ports of the largest layer-2 broadcast domain: bridges joined by veths
 * between their ports count as one. A broadcast is copied to each port in
 * one softirq run, and the host queues at most netdev_max_backlog per CPU. */
size_t topo_largest_broadcast_domain(const struct topo_lab *lab);

/* Names of labs, nodes, bridges: [A-Za-z0-9_.-], starting and ending with a
 * letter or digit, no "..". Returns NULL if fine, else why not. */
const char *topo_name_error(const char *s, size_t max);
/* Interface names: what the kernel's dev_valid_name() takes, and nothing a
 * shell or file name would trip on. */
const char *topo_ifname_error(const char *s);
