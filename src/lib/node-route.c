// SPDX-License-Identifier: MIT
/* [node] key 'route': route = DEST [via GW] [dev IF] [onlink] [metric N] [src ADDR]
 * [table N | vrf NAME]. */
#include "node-key.h"
#include "kind.h"
#include "nl.h"

#include <linux/rtnetlink.h>
#include <netlink/route/route.h>

static int parse_route(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint =
		"write 'route = DEST [via GW] [dev IF] [onlink] [metric N] [src ADDR] [table N | vrf "
		"NAME]', DEST being 'default' or a prefix";
	char *w[16];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_route rt = {.loc = *loc};
	const char *dev = NULL, *table_dev = NULL;
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
		} else if (streq(w[i], "table") && i + 1 < cnt) {
			if (rt.table || rt.table_kind) {
				diag_add(d, loc, hint, "a route goes in one table");
				return -EINVAL;
			}
			if (streq(w[++i], "main"))
				continue;
			if (parse_u32(w[i], 1, UINT32_MAX, &rt.table) < 0) {
				diag_add(d, loc, "a table is 'main' or a number from 1 to 4294967295",
					 "bad table '%s'", w[i]);
				return -EINVAL;
			}
			if (rt.table == RT_TABLE_MAIN)
				rt.table = 0;
		} else if (kind_by_name(w[i]) && kind_by_name(w[i])->table && i + 1 < cnt) {
			/* `vrf NAME`: the table of a device of that kind */
			if (rt.table || rt.table_kind) {
				diag_add(d, loc, hint, "a route goes in one table");
				return -EINVAL;
			}
			rt.table_kind = kind_by_name(w[i]);
			if (node_key_ifname(loc, d, rt.table_kind->noun, w[++i]) < 0)
				return -EINVAL;
			table_dev = w[i];
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
	rt.table_dev = table_dev ? xstrdup(table_dev) : NULL;
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
	if (r->table_kind)
		sbuf_addf(out, " %s %s", r->table_kind->name, r->table_dev);
	else if (r->table)
		sbuf_addf(out, " table %u", r->table);
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
	if (r->table_kind)
		sbuf_addf(out, " %s %s", r->table_kind->name, r->table_dev);
	else if (r->table)
		sbuf_addf(out, " table %u", r->table);
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
	/* a VRF's table is known here: validate took it from the VRF */
	rtnl_route_set_table(route, rt->table ? rt->table : RT_TABLE_MAIN);
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

/* Routes through i: its dev, or a gateway on one of i's subnets. */
static bool restores_route(const struct step *s, const struct topo_iface *i)
{
	const struct topo_route *rt = s->data;

	if (rt->ifname)
		return rt->iface == i;
	vec_foreach(a, &s->node->addrs) if (a->iface == i && rt->has_via &&
					    a->local.family == rt->via.family &&
					    ipaddr_contains(a->has_peer ? &a->peer : &a->local, &rt->via))
		return true;
	return false;
}

static const struct step_type step_route = {
	.name = "route",
	.group = STEP_GROUP_NODE,
	.print = print_route,
	.describe = describe_route,
	.apply = apply_route,
	.restores = restores_route,
};

/* Device routes first: a gateway may be reachable only through one. */
static void plan_routes(struct plan *p, struct topo_node *n)
{
	vec_foreach(r, &n->routes) if (!r->has_via) plan_add(p, &step_route, n, r)->loc = &r->loc;
	vec_foreach(r, &n->routes) if (r->has_via) plan_add(p, &step_route, n, r)->loc = &r->loc;
}

static void free_routes(struct topo_node *n)
{
	vec_foreach(r, &n->routes)
	{
		free(r->ifname);
		free(r->table_dev);
	}
	vec_free(&n->routes);
}

/* The VRF of n whose table is `table` (0: main), or NULL. */
static const struct topo_iface *vrf_of_table(const struct topo_node *n, uint32_t table)
{
	vec_foreach(ip, &n->ifaces) if (table && kind_table_of(*ip) == table) return *ip;
	return NULL;
}

/* Does address a count for a gateway in route r's table? The kernel
 * checks a gateway in the route's table, then with the node's rules: a
 * VRF's table sees the VRF's own subnets, any other table the main
 * table's (those of interfaces in no VRF). */
static bool in_context(const struct topo_addr *a, const struct topo_iface *vrf)
{
	return kind_l3_master(a->iface) == vrf;
}

/* Is gw on a subnet the node reaches directly (through dev, if given)? A
 * device route counts too: calico's "169.254.1.1 dev eth0" before
 * "default via 169.254.1.1 dev eth0". */
static bool gateway_connected(const struct topo_node *n, const struct topo_route *r)
{
	const struct topo_iface *vrf = vrf_of_table(n, r->table);

	vec_foreach(o, &n->routes)
	{
		if (o->has_via || !o->ifname || (r->ifname && !streq(o->ifname, r->ifname)))
			continue;
		if (o->table != r->table && (vrf || o->table))
			continue;
		if (o->dst.len && ipaddr_contains(&o->dst, &r->via))
			return true;
	}
	vec_foreach(a, &n->addrs)
	{
		if ((r->ifname && !streq(a->ifname, r->ifname)) || (!r->ifname && !in_context(a, vrf)))
			continue;
		if (a->has_peer) {
			if (ipaddr_contains(&a->peer, &r->via))
				return true;
			continue;
		}
		if (a->local.len < ipaddr_maxlen(&a->local) && ipaddr_contains(&a->local, &r->via))
			return true;
	}
	return false;
}

static const struct topo_addr *own_address(const struct topo_node *n, const struct topo_route *r)
{
	const struct topo_iface *vrf = vrf_of_table(n, r->table);

	vec_foreach(a, &n->addrs) if (ipaddr_equal(&a->local, &r->via) && in_context(a, vrf)) return a;
	return NULL;
}

/* `vrf NAME`: a device of that kind in n; its table is the route's. */
static void resolve_table(struct topo_node *n, struct topo_route *r, struct diag *d)
{
	const struct topo_iface *i = topo_iface_find(n, r->table_dev);
	char hint[320];

	if (i && i->dev && i->dev->kind == r->table_kind) {
		r->table = r->table_kind->table(i);
		return;
	}
	struct sbuf list = {0};
	vec_foreach(ip, &n->ifaces) if ((*ip)->dev && (*ip)->dev->kind == r->table_kind)
		sbuf_addf(&list, "%s%s", list.s ? ", " : "", (*ip)->name);
	if (list.s)
		snprintf(hint, sizeof(hint), "%ss of '%s': %s", kind_title(r->table_kind), n->name,
			 list.s);
	else
		snprintf(hint, sizeof(hint), "declare it with [%s %s:%s]", r->table_kind->section,
			 n->name, r->table_dev);
	diag_add(d, &r->loc, hint, "node '%s' has no %s '%s'", n->name, kind_title(r->table_kind),
		 r->table_dev);
	sbuf_free(&list);
}

/* The node's own address as the gateway. The kernel takes it for IPv4 when
 * the route goes out of the device that has it (the local route makes it
 * reachable); as the /32 of a container's eth0 with the host answering ARP
 * it is a real setup, so that case is accepted. Any other own address is
 * refused: for IPv6 the kernel refuses it ("Gateway can not be a local
 * address"), /128 or not, and an own /24 gateway is a typo for the
 * neighbour's address. */
static void check_own_gateway(const struct topo_node *n, const struct topo_route *r,
			      const struct topo_addr *a, struct diag *d)
{
	char via[IPADDR_STRLEN], hint[256];
	bool host = !a->has_peer && a->local.len == ipaddr_maxlen(&a->local);

	if (a->local.family == AF_INET && host && !streq(a->ifname, "lo")) {
		if (!r->ifname || streq(r->ifname, a->ifname))
			return;
		snprintf(hint, sizeof(hint),
			 "the kernel takes the node's own /32 as gateway only out of the device that "
			 "has it: write 'dev %s' (ip route would say \"Nexthop has invalid gateway\")",
			 a->ifname);
	} else if (a->local.family == AF_INET6) {
		snprintf(hint, sizeof(hint),
			 "a gateway is a neighbour's address; the kernel refuses an own IPv6 address "
			 "(\"Gateway can not be a local address\")%s",
			 host ? ", a /128 too" : "");
	} else {
		snprintf(hint, sizeof(hint), "a gateway is a neighbour's address, not the node's own");
	}
	diag_add(d, &r->loc, hint, "gateway %s is an address of node '%s' itself",
		 ipaddr_str(&r->via, via), n->name);
}

static void check_routes(struct topo_node *n, struct diag *d)
{
	char via[IPADDR_STRLEN], dst[IPADDR_STRLEN], hint[256];

	for (size_t i = 0; i < n->routes.n; i++) {
		struct topo_route *r = &n->routes.v[i];
		if (r->ifname) {
			if (!node_has_iface(n, r->ifname)) {
				(void)node_iface(n, r->ifname, &r->loc, d);
				continue;
			}
			r->iface = topo_iface_find(n, r->ifname);
		}
		if (r->table_kind)
			resolve_table(n, r, d);
		for (size_t j = 0; j < i; j++) {
			const struct topo_route *o = &n->routes.v[j];
			if (o->dst.family == r->dst.family && o->dst.len == r->dst.len &&
			    ipaddr_equal(&o->dst, &r->dst) && o->metric == r->metric &&
			    o->table == r->table) {
				snprintf(hint, sizeof(hint),
					 "remove one, or give them different 'metric's (first at line %u)",
					 o->loc.line);
				diag_add(d, &r->loc, hint, "route to %s is given twice in node '%s'",
					 r->dst.len ? ipaddr_cidr(&r->dst, dst) : "default", n->name);
				break;
			}
		}
		if (!r->has_via)
			continue;
		ipaddr_str(&r->via, via);
		const struct topo_addr *own = own_address(n, r);
		if (own) {
			/* an accepted one is on-link through its own local route */
			check_own_gateway(n, r, own, d);
			continue;
		}
		if (r->onlink)
			continue;
		/* IPv6 link-local gateways are reached through the named device. */
		if (r->via.family == AF_INET6 && r->via.a[0] == 0xfe && (r->via.a[1] & 0xc0) == 0x80) {
			if (!r->ifname)
				diag_add(d, &r->loc, "add 'dev IF'",
					 "link-local gateway %s needs 'dev'", via);
			continue;
		}
		if (!gateway_connected(n, r) && !n->bad_addr) {
			if (r->ifname)
				snprintf(hint, sizeof(hint),
					 "add 'onlink' to use it anyway (ip route would say \"Network "
					 "is unreachable\"), or an address on '%s' whose subnet holds it",
					 r->ifname);
			else
				snprintf(hint, sizeof(hint),
					 "add 'dev IF onlink' to use it anyway (ip route would say "
					 "\"Network is unreachable\"), or an address whose subnet holds it");
			const struct topo_iface *vrf = vrf_of_table(n, r->table);
			_cleanup_free_ char *in =
				vrf ? xasprintf(" in %s '%s'", kind_title(vrf->dev->kind), vrf->name)
				    : xstrdup("");
			diag_add(d, &r->loc, hint,
				 "gateway %s of route '%s' is not on a connected subnet of node '%s'%s%s%s",
				 via, r->dst.len ? ipaddr_cidr(&r->dst, dst) : "default", n->name, in,
				 r->ifname ? " via " : "", r->ifname ? r->ifname : "");
		}
	}
}

static void validate_routes(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes) check_routes(*np, d);
}

const struct node_key node_key_route = {
	.key = "route",
	.repeatable = true,
	.parse = parse_route,
	.validate = validate_routes,
	.free = free_routes,
	.plan = plan_routes,
};
