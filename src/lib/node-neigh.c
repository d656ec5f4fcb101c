// SPDX-License-Identifier: MIT
/* [node] key 'neigh': neigh = ADDRESS lladdr MAC dev IF: a permanent neighbour entry. */
#include "node-key.h"
#include "nl.h"

#include <netlink/route/neighbour.h>

static int parse_neigh(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'neigh = ADDRESS lladdr XX:XX:XX:XX:XX:XX dev IF'";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_neigh ne = {.loc = *loc};
	const char *dev = NULL;
	bool has_ll = false;

	if (cnt == 0 || cnt > ARRAY_SIZE(w) || ipaddr_parse_host(w[0], &ne.addr) < 0) {
		diag_add(d, loc, hint, "bad neighbour address '%s'", cnt ? w[0] : "");
		return -EINVAL;
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "lladdr") && i + 1 < cnt) {
			if (mac_parse(w[++i], ne.lladdr) < 0) {
				diag_add(d, loc, hint, "bad MAC address '%s'", w[i]);
				return -EINVAL;
			}
			has_ll = true;
		} else if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "permanent")) {
			/* the only kind nslab makes; accepted for ip(8) users */
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'neigh'", w[i]);
			return -EINVAL;
		}
	}
	if (!has_ll || !dev) {
		diag_add(d, loc, hint, "'neigh' needs 'lladdr' and 'dev'");
		return -EINVAL;
	}
	if (node_key_ifname(loc, d, "interface", dev) < 0)
		return -EINVAL;
	ne.ifname = xstrdup(dev);
	vec_push(&n->neighs, ne);
	return 0;
}

static void print_neigh(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_neigh *x = s->data;
	char buf[IPADDR_STRLEN], mac[18];

	sbuf_addf(out, "ip -n %s neigh add %s lladdr %s dev %s nud permanent\n", s->node->netns,
		  ipaddr_str(&x->addr, buf), mac_str(x->lladdr, mac), x->ifname);
}

static void describe_neigh(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_neigh *x = s->data;
	char buf[IPADDR_STRLEN];

	sbuf_addf(out, "add neighbour '%s' on '%s'", ipaddr_str(&x->addr, buf), x->ifname);
}

static int apply_neigh(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_neigh *x = s->data;
	struct rtnl_neigh *ne = rtnl_neigh_alloc();
	_cleanup_nladdr_ struct nl_addr *dst = nl_addr_from(&x->addr, false);
	_cleanup_nladdr_ struct nl_addr *ll = nl_addr_build(AF_LLC, x->lladdr, 6);
	int r;

	if (!ne || !dst || !ll) {
		if (ne)
			rtnl_neigh_put(ne);
		return -ENOMEM;
	}
	rtnl_neigh_set_ifindex(ne, (int)nl_ifindex(nl, x->iface));
	rtnl_neigh_set_family(ne, x->addr.family);
	rtnl_neigh_set_dst(ne, dst);
	rtnl_neigh_set_lladdr(ne, ll);
	rtnl_neigh_set_state(ne, NUD_PERMANENT);
	nl->kerr = 0;
	r = nl_result(nl, rtnl_neigh_add(nl_sk(nl, s->node), ne, NLM_F_CREATE | NLM_F_EXCL), err);
	rtnl_neigh_put(ne);
	return r;
}

static bool restores_neigh(const struct step *s, const struct topo_iface *i)
{
	return ((const struct topo_neigh *)s->data)->iface == i;
}

static const struct step_type step_neigh = {
	.name = "neigh",
	.group = STEP_GROUP_NODE,
	.print = print_neigh,
	.describe = describe_neigh,
	.apply = apply_neigh,
	.restores = restores_neigh,
};

static void plan_neighs(struct plan *p, struct topo_node *n)
{
	vec_foreach(x, &n->neighs) plan_add(p, &step_neigh, n, x)->loc = &x->loc;
}

static void free_neighs(struct topo_node *n)
{
	vec_foreach(x, &n->neighs) free(x->ifname);
	vec_free(&n->neighs);
}

/* Every entry on an interface of its node. */
static void validate_neighs(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes)
	{
		struct topo_node *n = *np;
		vec_foreach(x, &n->neighs)
		{
			if (node_has_iface(n, x->ifname))
				x->iface = topo_iface_find(n, x->ifname);
			else
				(void)node_iface(n, x->ifname, &x->loc, d);
		}
	}
}

const struct node_key node_key_neigh = {
	.key = "neigh",
	.repeatable = true,
	.parse = parse_neigh,
	.validate = validate_neighs,
	.free = free_neighs,
	.plan = plan_neighs,
};
