// SPDX-License-Identifier: MIT
/* ip6tnl: IPv6 or IPv4 in IPv6 (module ip6_tunnel), `mode = ip6ip6` (the
 * default), `ipip6` or `any`. [ip6tnl NAME] with `members = A B` and
 * `dev = IF` (their IPv6 addresses), or [ip6tnl NODE:NAME] with `local`
 * and `remote`: the shared part is kind-iptun.c; here is what libnl's
 * ip6_tnl calls need. */
#include "kind-iptun.h"
#include "nl.h"

#include <netinet/in.h>
#include <netlink/route/link/ip6tnl.h>

/* ip(8)'s default for a new ip6tnl (IPV6_DEFAULT_TNL_ENCAP_LIMIT), which
 * the kernel leaves at 0 when libnl sends none: set it, so that up and
 * the plan make one device */
#define ENCAP_LIMIT 4

extern const struct link_kind kind_ip6tnl;

static const struct iptun_mode ip6tnl_modes[] = {
    {"ip6ip6", IPPROTO_IPV6}, {"ipip6", IPPROTO_IPIP}, {"any", 0}, {NULL, 0}};

static void ip6tnl_set(struct rtnl_link *l, const struct iptun_conf *c)
{
	struct in6_addr local = iptun_v6(&c->local), remote = iptun_v6(&c->remote);

	(void)rtnl_link_ip6_tnl_set_local(l, &local);
	(void)rtnl_link_ip6_tnl_set_remote(l, &remote);
	(void)rtnl_link_ip6_tnl_set_ttl(l, (uint8_t)c->ttl);
	(void)rtnl_link_ip6_tnl_set_encaplimit(l, ENCAP_LIMIT);
	(void)rtnl_link_ip6_tnl_set_proto(l, c->proto);
}

static void ip6tnl_get(struct rtnl_link *l, struct iptun_conf *ret)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;

	(void)rtnl_link_ip6_tnl_get_local(l, &a);
	ret->local = iptun_from_v6(&a);
	a = in6addr_any;
	(void)rtnl_link_ip6_tnl_get_remote(l, &a);
	ret->remote = iptun_from_v6(&a);
	ret->ttl = rtnl_link_ip6_tnl_get_ttl(l);
	ret->proto = rtnl_link_ip6_tnl_get_proto(l);
}

static const struct iptun_ops ip6tnl_ops = {
    .kind = &kind_ip6tnl,
    .family = AF_INET6,
    .carries = "IPv6 or IPv4 in IPv6",
    .example = "fd00::1",
    .modes = ip6tnl_modes,
    .mode_key = true,
    .outer_proto = IPPROTO_IPV6,
    .alloc = rtnl_link_ip6_tnl_alloc,
    .set = ip6tnl_set,
    .get = ip6tnl_get,
};

static const char *const ip6tnl_keys[] = {"members", "dev",  "local", "remote",
					  "ttl",     "mode", "mtu",   NULL};

static int ip6tnl_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	return iptun_parse(&ip6tnl_ops, dev, key, value, loc, d);
}

static void ip6tnl_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	iptun_declare(&ip6tnl_ops, lab, dev, pass, d);
}

static void ip6tnl_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	iptun_validate(&ip6tnl_ops, lab, dev, d);
}

static void ip6tnl_plan(struct plan *p, struct topo_dev *dev)
{
	iptun_plan(&ip6tnl_ops, p, dev);
}

static void ip6tnl_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	iptun_read_attrs(&ip6tnl_ops, l, ret);
}

static bool ip6tnl_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	return iptun_tunnel(&ip6tnl_ops, l, t);
}

static const char *const ip6tnl_graph_keys[] = {"key", "local", "remote", NULL};

const struct link_kind kind_ip6tnl = {
    .graph_keys = ip6tnl_graph_keys,
    .name = "ip6tnl",
    .section = "ip6tnl",
    .noun = "ip6tnl tunnel",
    .layer3 = true,
    .keys = ip6tnl_keys,
    .parse = ip6tnl_parse,
    .declare = ip6tnl_declare,
    .validate = ip6tnl_validate,
    .plan = ip6tnl_plan,
    .probe_kind = "ip6tnl",
    .probe_module = "ip6_tunnel",
    .attrs = iptun_attrs,
    .read_attrs = ip6tnl_read_attrs,
    .tunnel = ip6tnl_tunnel,
    .free = iptun_free,
};
