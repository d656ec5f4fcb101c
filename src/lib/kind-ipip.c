// SPDX-License-Identifier: MIT
/* IPIP: IPv4 in IPv4 (module ipip). [ipip NAME] with `members = A B` and
 * `dev = IF`, or [ipip NODE:NAME] with `local` and `remote`: the shared
 * part is kind-iptun.c; here is what libnl's ipip calls need. */
#include "kind-iptun.h"
#include "nl.h"

#include <netinet/in.h>
#include <netlink/route/link/ipip.h>

extern const struct link_kind kind_ipip;

/* libnl has no setter for IFLA_IPTUN_PROTO of ipip: the kernel's default
 * is IPIP, what the plan's 'mode ipip' asks of ip(8). */
static const struct iptun_mode ipip_modes[] = {{"ipip", IPPROTO_IPIP}, {NULL, 0}};

static void ipip_set(struct rtnl_link *l, const struct iptun_conf *c)
{
	/* addresses in network byte order, as iptun_v4 gives them; path MTU
	 * discovery on, as ip(8) sends it (a TTL other than 0 needs it) */
	(void)rtnl_link_ipip_set_local(l, iptun_v4(&c->local));
	(void)rtnl_link_ipip_set_remote(l, iptun_v4(&c->remote));
	(void)rtnl_link_ipip_set_ttl(l, (uint8_t)c->ttl);
	(void)rtnl_link_ipip_set_pmtudisc(l, 1);
}

static void ipip_get(struct rtnl_link *l, struct iptun_conf *ret)
{
	ret->local = iptun_from_v4(rtnl_link_ipip_get_local(l));
	ret->remote = iptun_from_v4(rtnl_link_ipip_get_remote(l));
	ret->ttl = rtnl_link_ipip_get_ttl(l);
}

static const struct iptun_ops ipip_ops = {
    .kind = &kind_ipip,
    .family = AF_INET,
    .carries = "IPv4 in IPv4",
    .example = "10.0.1.1",
    .modes = ipip_modes,
    .outer_proto = IPPROTO_IPIP,
    .alloc = rtnl_link_ipip_alloc,
    .set = ipip_set,
    .get = ipip_get,
};

static const char *const ipip_keys[] = {"members", "dev", "local", "remote", "ttl", "mtu", NULL};

static int ipip_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		      const struct topo_loc *loc, struct diag *d)
{
	return iptun_parse(&ipip_ops, dev, key, value, loc, d);
}

static void ipip_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	iptun_declare(&ipip_ops, lab, dev, pass, d);
}

static void ipip_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	iptun_validate(&ipip_ops, lab, dev, d);
}

static void ipip_plan(struct plan *p, struct topo_dev *dev)
{
	iptun_plan(&ipip_ops, p, dev);
}

static void ipip_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	iptun_read_attrs(&ipip_ops, l, ret);
}

static bool ipip_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	return iptun_tunnel(&ipip_ops, l, t);
}

static const char *const ipip_graph_keys[] = {"key", "local", "remote", NULL};

const struct link_kind kind_ipip = {
    .graph_keys = ipip_graph_keys,
    .name = "ipip",
    .section = "ipip",
    .title = "IPIP",
    .noun = "IPIP tunnel",
    .layer3 = true,
    .keys = ipip_keys,
    .parse = ipip_parse,
    .declare = ipip_declare,
    .validate = ipip_validate,
    .plan = ipip_plan,
    .probe_kind = "ipip",
    .probe_module = "ipip",
    .attrs = iptun_attrs,
    .read_attrs = ipip_read_attrs,
    .tunnel = ipip_tunnel,
    .free = iptun_free,
};
