// SPDX-License-Identifier: MIT
/* [node] key 'route': route = DEST [via GW] [dev IF] [onlink] [metric N] [src ADDR]. */
#include "node-key.h"
#include "nl.h"

#include <linux/rtnetlink.h>
#include <netlink/route/route.h>

static int parse_route(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint =
		"write 'route = DEST [via GW] [dev IF] [onlink] [metric N] [src ADDR]', DEST being "
		"'default' or a prefix";
	char *w[16];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_route rt = {.loc = *loc};
	const char *dev = NULL;
	int r;

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, hint, "bad 'route' line");
		return -EINVAL;
	}
	bool def = streq(w[0], "default") || streq(w[0], "default6");
	if (def) {
		rt.dst.family = streq(w[0], "default6") ? AF_INET6 : 0; /* 0: from via */
	} else {
		r = ipaddr_parse(w[0], true, &rt.dst);
		if (r < 0) {
			diag_add(d, loc, hint,
				 r == -ERANGE ? "bad prefix length in '%s'" : "bad route destination '%s'",
				 w[0]);
			return -EINVAL;
		}
		if (!ipaddr_is_network(&rt.dst)) {
			char buf[IPADDR_STRLEN], hb[128];
			struct ipaddr net = ipaddr_network(&rt.dst);
			snprintf(hb, sizeof(hb), "write '%s' (ip route refuses host bits: \"Invalid prefix\")",
				 ipaddr_cidr(&net, buf));
			diag_add(d, loc, hb, "route destination '%s' has host bits set", w[0]);
			return -EINVAL;
		}
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "via") && i + 1 < cnt) {
			if (ipaddr_parse_host(w[++i], &rt.via) < 0) {
				diag_add(d, loc, hint, "bad gateway '%s'", w[i]);
				return -EINVAL;
			}
			rt.has_via = true;
		} else if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "onlink")) {
			rt.onlink = true;
		} else if (streq(w[i], "metric") && i + 1 < cnt) {
			if (parse_u32(w[++i], 0, UINT32_MAX, &rt.metric) < 0) {
				diag_add(d, loc, hint, "bad metric '%s'", w[i]);
				return -EINVAL;
			}
			rt.has_metric = true;
		} else if (streq(w[i], "src") && i + 1 < cnt) {
			if (ipaddr_parse_host(w[++i], &rt.src) < 0) {
				diag_add(d, loc, hint, "bad source address '%s'", w[i]);
				return -EINVAL;
			}
			rt.has_src = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'route'", w[i]);
			return -EINVAL;
		}
	}
	if (def) {
		if (!rt.dst.family)
			rt.dst.family = rt.has_via ? rt.via.family : AF_INET;
		rt.dst.len = 0;
	}
	if (!rt.has_via && !dev) {
		diag_add(d, loc, hint, "route to '%s' needs 'via GW' or 'dev IF'", w[0]);
		return -EINVAL;
	}
	if (rt.has_via && rt.via.family != rt.dst.family) {
		char gw[IPADDR_STRLEN];
		diag_add(d, loc, "use a gateway of the destination's family", "gateway '%s' is not %s",
			 ipaddr_str(&rt.via, gw), rt.dst.family == AF_INET ? "IPv4" : "IPv6");
		return -EINVAL;
	}
	if (rt.onlink && !dev) {
		diag_add(d, loc, "add 'dev IF': the kernel needs the device for an onlink route",
			 "'onlink' route without 'dev'");
		return -EINVAL;
	}
	if (dev) {
		if (node_key_ifname(loc, d, "interface", dev) < 0)
			return -EINVAL;
		rt.ifname = xstrdup(dev);
	}
	vec_push(&n->routes, rt);
	return 0;
}

static void print_route(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_route *r = s->data;
	char buf[IPADDR_STRLEN];

	sbuf_addf(out, "ip -n %s%s route add ", s->node->netns,
		  r->dst.len == 0 && r->dst.family == AF_INET6 ? " -6" : "");
	if (r->dst.len == 0)
		sbuf_adds(out, "default");
	else
		sbuf_adds(out, ipaddr_cidr(&r->dst, buf));
	if (r->has_via)
		sbuf_addf(out, " via %s", ipaddr_str(&r->via, buf));
	if (r->ifname)
		sbuf_addf(out, " dev %s", r->ifname);
	if (r->onlink)
		sbuf_adds(out, " onlink");
	if (r->has_metric)
		sbuf_addf(out, " metric %u", r->metric);
	if (r->has_src)
		sbuf_addf(out, " src %s", ipaddr_str(&r->src, buf));
	sbuf_adds(out, "\n");
}

static void describe_route(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_route *r = s->data;
	char buf[IPADDR_STRLEN], via[IPADDR_STRLEN];

	sbuf_addf(out, "add route '%s", r->dst.len ? ipaddr_cidr(&r->dst, buf) : "default");
	if (r->has_via)
		sbuf_addf(out, " via %s", ipaddr_str(&r->via, via));
	if (r->ifname)
		sbuf_addf(out, " dev %s", r->ifname);
	sbuf_adds(out, "'");
}

static int apply_route(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_route *rt = s->data;
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	_cleanup_nladdr_ struct nl_addr *dst = nl_addr_from(&rt->dst, true);
	_cleanup_nladdr_ struct nl_addr *gw = rt->has_via ? nl_addr_from(&rt->via, false) : NULL;
	_cleanup_nladdr_ struct nl_addr *src = rt->has_src ? nl_addr_from(&rt->src, false) : NULL;
	int r;

	if (!route || !nh || !dst) {
		rtnl_route_put(route);
		rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	rtnl_route_set_family(route, rt->dst.family);
	rtnl_route_set_dst(route, dst);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	/* what `ip route add` sends; libnl would say "static" */
	rtnl_route_set_protocol(route, RTPROT_BOOT);
	rtnl_route_set_scope(route, rt->has_via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if (rt->has_metric)
		rtnl_route_set_priority(route, rt->metric);
	if (src)
		rtnl_route_set_pref_src(route, src);
	if (rt->ifname)
		rtnl_route_nh_set_ifindex(nh, (int)nl_ifindex(nl, rt->iface));
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	if (rt->onlink)
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
	rtnl_route_add_nexthop(route, nh);
	nl->kerr = 0;
	r = nl_result(nl, rtnl_route_add(nl_sk(nl, s->node), route, NLM_F_EXCL), err);
	if (r == -ENETUNREACH && rt->has_via && !rt->onlink)
		sbuf_adds(err, " (gateway not on a connected subnet; add 'onlink')");
	rtnl_route_put(route);
	return r;
}

static const struct step_type step_route = {
	.name = "route",
	.group = STEP_GROUP_NODE,
	.print = print_route,
	.describe = describe_route,
	.apply = apply_route,
};

/* Device routes first: a gateway may be reachable only through one. */
static void plan_routes(struct plan *p, struct topo_node *n)
{
	vec_foreach(r, &n->routes) if (!r->has_via) plan_add(p, &step_route, n, r)->loc = &r->loc;
	vec_foreach(r, &n->routes) if (r->has_via) plan_add(p, &step_route, n, r)->loc = &r->loc;
}

const struct node_key node_key_route = {
	.key = "route",
	.repeatable = true,
	.parse = parse_route,
	.plan = plan_routes,
};
