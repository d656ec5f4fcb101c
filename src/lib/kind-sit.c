// SPDX-License-Identifier: MIT
/* SIT: IPv6 in IPv4 (module sit), the outer addresses IPv4 and the
 * addresses on the device IPv6. [sit NAME] with `members = A B` and
 * `dev = IF`, or [sit NODE:NAME] with `local` and `remote`: the shared
 * part is kind-iptun.c; here is what libnl's sit calls need. */
#include "kind-iptun.h"
#include "nl.h"

#include <netinet/in.h>
#include <netlink/route/link/sit.h>

extern const struct link_kind kind_sit;

/* IPv6 inside ("ip6ip"), set both ways: ip(8) would send 0 ('any'). */
static const struct iptun_mode sit_modes[] = {{"ip6ip", IPPROTO_IPV6}, {NULL, 0}};

static void sit_set(struct rtnl_link *l, const struct iptun_conf *c)
{
	/* addresses in network byte order, as iptun_v4 gives them; path MTU
	 * discovery on, as ip(8) sends it (a TTL other than 0 needs it) */
	(void)rtnl_link_sit_set_local(l, iptun_v4(&c->local));
	(void)rtnl_link_sit_set_remote(l, iptun_v4(&c->remote));
	(void)rtnl_link_sit_set_ttl(l, (uint8_t)c->ttl);
	(void)rtnl_link_sit_set_pmtudisc(l, 1);
	(void)rtnl_link_sit_set_proto(l, c->proto);
}

static void sit_get(struct rtnl_link *l, struct iptun_conf *ret)
{
	ret->local = iptun_from_v4(rtnl_link_sit_get_local(l));
	ret->remote = iptun_from_v4(rtnl_link_sit_get_remote(l));
	ret->ttl = rtnl_link_sit_get_ttl(l);
	ret->proto = rtnl_link_sit_get_proto(l);
}

static const struct iptun_ops sit_ops = {
    .kind = &kind_sit,
    .family = AF_INET,
    .carries = "IPv6 in IPv4",
    .example = "10.0.1.1",
    .modes = sit_modes,
    .outer_proto = IPPROTO_IPV6,
    .alloc = rtnl_link_sit_alloc,
    .set = sit_set,
    .get = sit_get,
};

static const char *const sit_keys[] = {"members", "dev", "local", "remote", "ttl", "mtu", NULL};

static int sit_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		     const struct topo_loc *loc, struct diag *d)
{
	return iptun_parse(&sit_ops, dev, key, value, loc, d);
}

static void sit_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	iptun_declare(&sit_ops, lab, dev, pass, d);
}

static void sit_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	iptun_validate(&sit_ops, lab, dev, d);
}

static void sit_plan(struct plan *p, struct topo_dev *dev)
{
	iptun_plan(&sit_ops, p, dev);
}

static void sit_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	iptun_read_attrs(&sit_ops, l, ret);
}

static bool sit_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	return iptun_tunnel(&sit_ops, l, t);
}

static const char *const sit_graph_keys[] = {"key", "local", "remote", NULL};

const struct link_kind kind_sit = {
    .graph_keys = sit_graph_keys,
    .name = "sit",
    .section = "sit",
    .title = "SIT",
    .noun = "SIT tunnel",
    .layer3 = true,
    .keys = sit_keys,
    .parse = sit_parse,
    .declare = sit_declare,
    .validate = sit_validate,
    .plan = sit_plan,
    .probe_kind = "sit",
    .probe_module = "sit",
    .attrs = iptun_attrs,
    .read_attrs = sit_read_attrs,
    .tunnel = sit_tunnel,
    .free = iptun_free,
};
