// SPDX-License-Identifier: MIT
/* GRETAP: Ethernet in GRE over IPv4 (module ip_gre), a layer-2 device
 * with a MAC. [gretap NAME] with `members = A B` and `dev = IF`, or
 * [gretap NODE:NAME] with `local` and `remote`; `key` as GRE's. The shared
 * part is kind-iptun.c; here is what libnl's ipgre calls need. */
#include "kind-iptun.h"
#include "nl.h"

#include <arpa/inet.h>
#include <linux/if_tunnel.h>
#include <netlink/route/link/ipgre.h>

extern const struct link_kind kind_gretap;

static void gretap_set(struct rtnl_link *l, const struct iptun_conf *c)
{
	/* The ipgre setters take addresses and keys in network byte order;
	 * path MTU discovery on, as ip(8) sends it (a TTL needs it). */
	(void)rtnl_link_ipgre_set_local(l, iptun_v4(&c->local));
	(void)rtnl_link_ipgre_set_remote(l, iptun_v4(&c->remote));
	(void)rtnl_link_ipgre_set_ttl(l, (uint8_t)c->ttl);
	(void)rtnl_link_ipgre_set_pmtudisc(l, 1);
	if (c->has_key) {
		(void)rtnl_link_ipgre_set_ikey(l, htonl(c->key));
		(void)rtnl_link_ipgre_set_okey(l, htonl(c->key));
		/* GRE_KEY is already big-endian in <linux/if_tunnel.h> */
		(void)rtnl_link_ipgre_set_iflags(l, GRE_KEY);
		(void)rtnl_link_ipgre_set_oflags(l, GRE_KEY);
	}
}

static void gretap_get(struct rtnl_link *l, struct iptun_conf *ret)
{
	ret->local = iptun_from_v4(rtnl_link_ipgre_get_local(l));
	ret->remote = iptun_from_v4(rtnl_link_ipgre_get_remote(l));
	ret->ttl = rtnl_link_ipgre_get_ttl(l);
	ret->has_key = rtnl_link_ipgre_get_iflags(l) & GRE_KEY;
	if (ret->has_key)
		ret->key = ntohl(rtnl_link_ipgre_get_ikey(l));
}

static const struct iptun_ops gretap_ops = {
    .kind = &kind_gretap,
    .family = AF_INET,
    .carries = "Ethernet in GRE over IPv4",
    .example = "10.0.1.1",
    .has_key = true,
    .outer_proto = IPPROTO_GRE,
    .alloc = rtnl_link_ipgretap_alloc,
    .set = gretap_set,
    .get = gretap_get,
};

static const char *const gretap_keys[] = {"members", "dev", "local", "remote",
					  "ttl",     "key", "mtu",   NULL};

static int gretap_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	return iptun_parse(&gretap_ops, dev, key, value, loc, d);
}

static void gretap_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	iptun_declare(&gretap_ops, lab, dev, pass, d);
}

static void gretap_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	iptun_validate(&gretap_ops, lab, dev, d);
}

static void gretap_plan(struct plan *p, struct topo_dev *dev)
{
	iptun_plan(&gretap_ops, p, dev);
}

static void gretap_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	iptun_read_attrs(&gretap_ops, l, ret);
}

static bool gretap_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	return iptun_tunnel(&gretap_ops, l, t);
}

static const char *const gretap_graph_keys[] = {"key", "local", "remote", NULL};

const struct link_kind kind_gretap = {
    .graph_keys = gretap_graph_keys,
    .name = "gretap",
    .section = "gretap",
    .title = "GRETAP",
    .noun = "GRETAP device",
    .layer3 = false, /* Ethernet frames: a MAC, and it can be a bridge port */
    .keys = gretap_keys,
    .parse = gretap_parse,
    .declare = gretap_declare,
    .validate = gretap_validate,
    .plan = gretap_plan,
    .probe_kind = "gretap",
    .probe_module = "ip_gre",
    .attrs = iptun_attrs,
    .read_attrs = gretap_read_attrs,
    .tunnel = gretap_tunnel,
    .free = iptun_free,
};
