/* SPDX-License-Identifier: MIT */
/* What the point-to-point IP tunnels (ipip, sit, ip6tnl, gretap, ip6gre)
 * share, so that each kind-K.c holds only what libnl does differently for
 * it: the two section forms, [K NAME] with `members = A B` and `dev = IF`
 * (each end's local address is its member's address on IF, its remote the
 * other member's) and [K NODE:NAME] with `local` and `remote`; the keys
 * ttl, mtu, key (GRE family) and mode (ip6tnl); the plan's ip(8) line and
 * its step; the words of diff and save; the ends for explain. Not a kind:
 * it is in no table. */
#pragma once

#include "kind.h"

/* A mode word and the inner protocol the kernel keeps for it
 * (IFLA_IPTUN_PROTO), as ip(8) spells it. */
struct iptun_mode {
	const char *word;
	uint8_t proto;
};

/* One tunnel end's settings, as the topology makes them and as the
 * kernel reports them. */
struct iptun_conf {
	struct ipaddr local, remote; /* of the kind's outer family */
	uint32_t ttl;
	bool has_key;
	uint32_t key;  /* host order */
	uint8_t proto; /* the mode's, for kinds with modes */
};

struct iptun_ops {
	const struct link_kind *kind;
	int family;	     /* of the outer addresses: AF_INET, AF_INET6 */
	const char *carries; /* for hints: "IPv4 in IPv4" */
	const char *example; /* an address of the outer family, for hints */
	bool has_key;	     /* GRE: 'key' */
	/* NULL-terminated, the first the default; the plan always names the
	 * mode, since ip(8) sends IFLA_IPTUN_PROTO 0 ('any') where none is
	 * given and libnl sends none (the kernel's default then). */
	const struct iptun_mode *modes;
	bool mode_key;	     /* 'mode' is a key, and a word of diff (ip6tnl) */
	uint8_t outer_proto; /* the outer header's protocol (IPPROTO_IPIP...) */
	struct rtnl_link *(*alloc)(void);
	/* Onto a link of the kind; libnl's setters, each with its own byte
	 * order (the kind file says which). */
	void (*set)(struct rtnl_link *l, const struct iptun_conf *c);
	/* From the kernel's link of the kind. */
	void (*get)(struct rtnl_link *l, struct iptun_conf *ret);
};

/* The link_kind callbacks, given the kind's ops (each kind-K.c binds them). */
int iptun_parse(const struct iptun_ops *o, struct topo_dev *dev, const char *key, char *value,
		const struct topo_loc *loc, struct diag *d);
void iptun_declare(const struct iptun_ops *o, struct topo_lab *lab, struct topo_dev *dev, int pass,
		   struct diag *d);
void iptun_validate(const struct iptun_ops *o, const struct topo_lab *lab, struct topo_dev *dev,
		    struct diag *d);
void iptun_plan(const struct iptun_ops *o, struct plan *p, struct topo_dev *dev);
void iptun_read_attrs(const struct iptun_ops *o, struct rtnl_link *l, struct strvec *ret);
bool iptun_tunnel(const struct iptun_ops *o, struct rtnl_link *l, struct kind_tunnel *t);
/* These need no ops: the device's own record has them. */
void iptun_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		 struct strvec *fdbs);
void iptun_free(struct topo_dev *dev);

/* IPv4 addresses as libnl's ipip, sit and ipgre setters take them and
 * their getters give them: network byte order in a uint32_t. */
uint32_t iptun_v4(const struct ipaddr *a);
struct ipaddr iptun_from_v4(uint32_t a);
/* IPv6 addresses for ip6tnl and ip6gre. */
struct in6_addr iptun_v6(const struct ipaddr *a);
struct ipaddr iptun_from_v6(const struct in6_addr *a);
