// SPDX-License-Identifier: MIT
/* ip6gre: GRE over IPv6 (module ip6_gre), layer 3 as GRE. [ip6gre NAME]
 * with `members = A B` and `dev = IF` (their IPv6 addresses), or
 * [ip6gre NODE:NAME] with `local` and `remote`; `key` as GRE's. The shared
 * part is kind-iptun.c; here is what libnl's ip6gre calls need. */
#include "kind-iptun.h"
#include "nl.h"

#include <arpa/inet.h>
#include <linux/if_tunnel.h>
#include <netlink/route/link/ip6gre.h>

/* ip(8)'s default for a new ip6gre (IPV6_DEFAULT_TNL_ENCAP_LIMIT), which
 * the kernel leaves at 0 when libnl sends none: set it, so that up and
 * the plan make one device */
#define ENCAP_LIMIT 4

extern const struct link_kind kind_ip6gre;

static void ip6gre_set(struct rtnl_link *l, const struct iptun_conf *c)
{
	struct in6_addr local = iptun_v6(&c->local), remote = iptun_v6(&c->remote);

	(void)rtnl_link_ip6gre_set_local(l, &local);
	(void)rtnl_link_ip6gre_set_remote(l, &remote);
	(void)rtnl_link_ip6gre_set_ttl(l, (uint8_t)c->ttl);
	(void)rtnl_link_ip6gre_set_encaplimit(l, ENCAP_LIMIT);
	if (c->has_key) {
		/* keys in network byte order; GRE_KEY is big-endian already */
		(void)rtnl_link_ip6gre_set_ikey(l, htonl(c->key));
		(void)rtnl_link_ip6gre_set_okey(l, htonl(c->key));
		(void)rtnl_link_ip6gre_set_iflags(l, GRE_KEY);
		(void)rtnl_link_ip6gre_set_oflags(l, GRE_KEY);
	}
}

static void ip6gre_get(struct rtnl_link *l, struct iptun_conf *ret)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;
	uint16_t iflags = 0;
	uint32_t key = 0;
	uint8_t ttl = 0;

	(void)rtnl_link_ip6gre_get_local(l, &a);
	ret->local = iptun_from_v6(&a);
	a = in6addr_any;
	(void)rtnl_link_ip6gre_get_remote(l, &a);
	ret->remote = iptun_from_v6(&a);
	(void)rtnl_link_ip6gre_get_ttl(l, &ttl);
	ret->ttl = ttl;
	(void)rtnl_link_ip6gre_get_iflags(l, &iflags);
	ret->has_key = iflags & GRE_KEY;
	if (ret->has_key && rtnl_link_ip6gre_get_ikey(l, &key) == 0)
		ret->key = ntohl(key);
}

static const struct iptun_ops ip6gre_ops = {
    .kind = &kind_ip6gre,
    .family = AF_INET6,
    .carries = "GRE over IPv6",
    .example = "fd00::1",
    .has_key = true,
    .outer_proto = IPPROTO_GRE,
    .alloc = rtnl_link_ip6gre_alloc,
    .set = ip6gre_set,
    .get = ip6gre_get,
};

static const char *const ip6gre_keys[] = {"members", "dev", "local", "remote",
					  "ttl",     "key", "mtu",   NULL};

static int ip6gre_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	return iptun_parse(&ip6gre_ops, dev, key, value, loc, d);
}

static void ip6gre_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	iptun_declare(&ip6gre_ops, lab, dev, pass, d);
}

static void ip6gre_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	iptun_validate(&ip6gre_ops, lab, dev, d);
}

static void ip6gre_plan(struct plan *p, struct topo_dev *dev)
{
	iptun_plan(&ip6gre_ops, p, dev);
}

static void ip6gre_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	iptun_read_attrs(&ip6gre_ops, l, ret);
}

static bool ip6gre_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	return iptun_tunnel(&ip6gre_ops, l, t);
}

static const char *const ip6gre_graph_keys[] = {"key", "local", "remote", NULL};

const struct link_kind kind_ip6gre = {
    .graph_keys = ip6gre_graph_keys,
    .name = "ip6gre",
    .section = "ip6gre",
    .noun = "ip6gre tunnel",
    .layer3 = true,
    .keys = ip6gre_keys,
    .parse = ip6gre_parse,
    .declare = ip6gre_declare,
    .validate = ip6gre_validate,
    .plan = ip6gre_plan,
    .probe_kind = "ip6gre",
    .probe_module = "ip6_gre",
    .attrs = iptun_attrs,
    .read_attrs = ip6gre_read_attrs,
    .tunnel = ip6gre_tunnel,
    .free = iptun_free,
};
