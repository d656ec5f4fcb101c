// SPDX-License-Identifier: MIT
#include "show.h"
#include "kind.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "state.h"
#include "topology.h"

#include <linux/if_addr.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <linux/fib_rules.h>

static void fmt_route(struct rtnl_route *r, struct nl_cache *links, struct sbuf *out)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	char buf[128];

	if (!dst || nl_addr_get_prefixlen(dst) == 0)
		sbuf_adds(out, "default");
	else
		sbuf_adds(out, nl_addr2str(dst, buf, sizeof(buf)));
	if (rtnl_route_get_nnexthops(r) > 0) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, 0);
		struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
		int oif = rtnl_route_nh_get_ifindex(nh);
		if (gw)
			sbuf_addf(out, " via %s", nl_addr2str(gw, buf, sizeof(buf)));
		if (oif > 0)
			sbuf_addf(out, " dev %s", rtnl_link_i2name(links, oif, buf, sizeof(buf)));
		if (rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK)
			sbuf_adds(out, " onlink");
	}
	if (rtnl_route_get_protocol(r) == RTPROT_KERNEL)
		sbuf_adds(out, " proto kernel");
	if (rtnl_route_get_scope(r) == RT_SCOPE_LINK)
		sbuf_adds(out, " scope link");
	if (rtnl_route_get_priority(r))
		sbuf_addf(out, " metric %u", rtnl_route_get_priority(r));
	if (rtnl_route_get_table(r) != RT_TABLE_MAIN)
		sbuf_addf(out, " table %u", rtnl_route_get_table(r));
}

/* A prefix as a topology writes it, with its length always. */
static void fmt_prefix(struct nl_addr *a, struct sbuf *out)
{
	struct ipaddr ip = {.family = (uint8_t)nl_addr_get_family(a),
			    .len = (uint8_t)nl_addr_get_prefixlen(a)};
	char buf[IPADDR_STRLEN];

	if ((ip.family != AF_INET && ip.family != AF_INET6) || nl_addr_get_len(a) != ipaddr_bytes(&ip))
		return;
	memcpy(ip.a, nl_addr_get_binary_addr(a), ipaddr_bytes(&ip));
	sbuf_adds(out, ipaddr_cidr(&ip, buf));
}

/* The kernel's own rules: local, main and default at 0, 32766 and 32767,
 * and the l3mdev rule the first VRF adds (priority 1000). */
static bool own_rule(struct rtnl_rule *r)
{
	uint32_t prio = rtnl_rule_get_prio(r), t = rtnl_rule_get_table(r);

	if (rtnl_rule_get_l3mdev(r) > 0)
		return true;
	if (rtnl_rule_get_src(r) || rtnl_rule_get_dst(r) || rtnl_rule_get_iif(r) ||
	    rtnl_rule_get_oif(r) || rtnl_rule_get_mark(r) || rtnl_rule_get_mask(r))
		return false;
	return (prio == 0 && t == RT_TABLE_LOCAL) || (prio == 32766 && t == RT_TABLE_MAIN) ||
	       (prio == 32767 && t == RT_TABLE_DEFAULT);
}

/* The rules that send packets to a table (ip rule's lookup), in the
 * words of a topology's 'rule' line: "[-6] [from P] [to P] [iif IF]
 * [oif IF] [fwmark 0xM[/0xK]] lookup T priority N". */
static void read_rules(struct show_node *n, struct nl_sock *sk)
{
	struct nl_cache *rules = NULL;

	if (rtnl_rule_alloc_cache(sk, AF_UNSPEC, &rules) < 0)
		return;
	for (struct nl_object *o = nl_cache_get_first(rules); o; o = nl_cache_get_next(o)) {
		struct rtnl_rule *r = (struct rtnl_rule *)o;
		struct sbuf b = {0};
		uint32_t t = rtnl_rule_get_table(r), mark = rtnl_rule_get_mark(r);
		uint32_t mask = rtnl_rule_get_mask(r);
		/* IPv4 and IPv6 only: multicast routing has rules of its own
		 * (RTNL_FAMILY_IPMR, IP6MR) where the kernel has it */
		int family = rtnl_rule_get_family(r);
		if ((family != AF_INET && family != AF_INET6) || rtnl_rule_get_action(r) != FR_ACT_TO_TBL ||
		    own_rule(r))
			continue;
		if (rtnl_rule_get_family(r) == AF_INET6)
			sbuf_adds(&b, " -6");
		if (rtnl_rule_get_src(r)) {
			sbuf_adds(&b, " from ");
			fmt_prefix(rtnl_rule_get_src(r), &b);
		}
		if (rtnl_rule_get_dst(r)) {
			sbuf_adds(&b, " to ");
			fmt_prefix(rtnl_rule_get_dst(r), &b);
		}
		if (rtnl_rule_get_iif(r))
			sbuf_addf(&b, " iif %s", rtnl_rule_get_iif(r));
		if (rtnl_rule_get_oif(r))
			sbuf_addf(&b, " oif %s", rtnl_rule_get_oif(r));
		/* a mark alone has the kernel's mask 0xffffffff, as ip rule shows it */
		if (mark || mask)
			sbuf_addf(&b, " fwmark 0x%x", mark);
		if ((mark || mask) && mask != UINT32_MAX)
			sbuf_addf(&b, "/0x%x", mask);
		if (t == RT_TABLE_MAIN || t == RT_TABLE_LOCAL || t == RT_TABLE_DEFAULT)
			sbuf_addf(&b, " lookup %s", t == RT_TABLE_MAIN    ? "main"
						    : t == RT_TABLE_LOCAL ? "local"
									  : "default");
		else
			sbuf_addf(&b, " lookup %u", t);
		sbuf_addf(&b, " priority %u", rtnl_rule_get_prio(r));
		vec_push(&n->rules, xstrdup(b.s + 1));
		sbuf_free(&b);
	}
	nl_cache_free(rules);
}

static bool is_multicast_mac(const uint8_t *m)
{
	return m[0] & 1;
}

/* What nslab makes and the kernel does not: permanent neighbours, and
 * static FDB entries (on a VXLAN device, self permanent with a dst; on a
 * bridge port, master static), not the local or learned ones. */
static void read_tables(struct show_node *n, struct nl_sock *sk, struct nl_cache *links)
{
	struct nl_cache *neigh = NULL;
	char b1[64], b2[64], b3[IFNAMSIZ];

	if (rtnl_neigh_alloc_cache_flags(sk, &neigh, NL_CACHE_AF_ITER) < 0)
		return;
	for (struct nl_object *o = nl_cache_get_first(neigh); o; o = nl_cache_get_next(o)) {
		struct rtnl_neigh *ne = (struct rtnl_neigh *)o;
		struct nl_addr *ll = rtnl_neigh_get_lladdr(ne), *dst = rtnl_neigh_get_dst(ne);
		int st = rtnl_neigh_get_state(ne), idx = rtnl_neigh_get_ifindex(ne);
		const char *dev = rtnl_link_i2name(links, idx, b3, sizeof(b3));
		if (!dev || !ll || nl_addr_get_len(ll) != 6)
			continue;
		if (rtnl_neigh_get_family(ne) != AF_BRIDGE) {
			if ((st & NUD_PERMANENT) && dst)
				vec_push(&n->neighs, xasprintf("%s lladdr %s dev %s", nl_addr2str(dst, b1, sizeof(b1)),
							       nl_addr2str(ll, b2, sizeof(b2)), dev));
			continue;
		}
		bool vx = dst != NULL; /* only a VXLAN device's entries have a remote */
		if (is_multicast_mac(nl_addr_get_binary_addr(ll)) && !vx)
			continue;
		if (vx ? !(st & NUD_PERMANENT) : !(st & NUD_NOARP) || (st & NUD_PERMANENT))
			continue;
		if (vx)
			vec_push(&n->fdbs, xasprintf("%s dev %s dst %s", nl_addr2str(ll, b1, sizeof(b1)), dev,
						     nl_addr2str(dst, b2, sizeof(b2))));
		else
			vec_push(&n->fdbs, xasprintf("%s dev %s", nl_addr2str(ll, b1, sizeof(b1)), dev));
	}
	nl_cache_free(neigh);
}

/* Kinds' settings of each interface (read_attrs), then what kinds read of
 * the namespace as a whole (a bridge: its settings, its ports'). */
static void read_kind_attrs(struct show_node *n, struct nl_sock *sk, struct nl_cache *links)
{
	vec_foreach(i, &n->ifaces)
	{
		const struct link_kind *k = kind_by_name(i->kind);
		struct rtnl_link *l = k && k->read_attrs ? rtnl_link_get(links, (int)i->ifindex) : NULL;
		if (l) {
			k->read_attrs(l, links, &i->attrs);
			rtnl_link_put(l);
		}
	}
	for (size_t k = 0; k < link_kinds_n; k++)
		if (link_kinds[k]->read_node)
			link_kinds[k]->read_node(sk, n);
}

static void read_node(struct show_node *n, unsigned flags)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *links = NULL, *addrs = NULL, *routes = NULL, *qdiscs = NULL;
	bool impaired = false;
	char buf[128];

	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
		goto out;
	if (rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) < 0 ||
	    rtnl_addr_alloc_cache(sk, &addrs) < 0 || rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes) < 0)
		goto out;
	for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		/* A tunnel module's fallback device (tunl0, sit0, gre0...), in
		 * every namespace made while the module is loaded: not the lab's. */
		if (state_is_fallback(rtnl_link_get_name(l)))
			continue;
		struct show_iface *i = vec_add(&n->ifaces);
		const char *kind = rtnl_link_get_type(l);
		struct nl_addr *mac = rtnl_link_get_addr(l);
		int master = rtnl_link_get_master(l);
		snprintf(i->name, sizeof(i->name), "%s", rtnl_link_get_name(l));
		snprintf(i->kind, sizeof(i->kind), "%s",
			 kind ? kind : (rtnl_link_get_ifindex(l) == 1 ? "loopback" : "device"));
		i->ifindex = (uint32_t)rtnl_link_get_ifindex(l);
		i->up = rtnl_link_get_flags(l) & IFF_UP;
		i->carrier = rtnl_link_get_flags(l) & 0x10000 /* IFF_LOWER_UP; <net/if.h> lacks it */;
		i->mtu = rtnl_link_get_mtu(l);
		if (mac && nl_addr_get_len(mac) == 6)
			nl_addr2str(mac, i->mac, sizeof(i->mac));
		if (master > 0)
			rtnl_link_i2name(links, master, i->master, sizeof(i->master));
		const char *qdisc = rtnl_link_get_qdisc(l);
		impaired |= qdisc && (streq(qdisc, "netem") || streq(qdisc, "tbf"));
		i->link = (uint32_t)rtnl_link_get_link(l);
		i->link_nsid = -1;
		(void)rtnl_link_get_link_netnsid(l, &i->link_nsid);
		for (struct nl_object *a = nl_cache_get_first(addrs); a; a = nl_cache_get_next(a)) {
			struct rtnl_addr *ra = (struct rtnl_addr *)a;
			if (rtnl_addr_get_ifindex(ra) != (int)i->ifindex)
				continue;
			if (rtnl_addr_get_scope(ra) == RT_SCOPE_HOST && i->ifindex == 1)
				continue; /* 127.0.0.1, ::1 */
			if (rtnl_addr_get_scope(ra) == RT_SCOPE_LINK)
				continue; /* fe80:: */
			/* SHOW_TABLES: what nslab made, not SLAAC's (dynamic) */
			if ((flags & SHOW_TABLES) && !(rtnl_addr_get_flags(ra) & IFA_F_PERMANENT))
				continue;
			struct nl_addr *local = rtnl_addr_get_local(ra), *peer = rtnl_addr_get_peer(ra);
			if (!local)
				continue;
			/* SHOW_TABLES: a point-to-point address as a topology says it,
			 * "LOCAL peer PEER/LEN" */
			if ((flags & SHOW_TABLES) && peer && nl_addr_get_len(peer) == nl_addr_get_len(local) &&
			    memcmp(nl_addr_get_binary_addr(peer), nl_addr_get_binary_addr(local),
				   nl_addr_get_len(local)) != 0) {
				char pb[128];
				nl_addr2str(local, buf, sizeof(buf));
				nl_addr2str(peer, pb, sizeof(pb));
				buf[strcspn(buf, "/")] = '\0';
				pb[strcspn(pb, "/")] = '\0';
				vec_push(&i->addrs, xasprintf("%s peer %s/%d", buf, pb, rtnl_addr_get_prefixlen(ra)));
				continue;
			}
			vec_push(&i->addrs, xstrdup(nl_addr2str(local, buf, sizeof(buf))));
		}
	}
	/* A dump of qdiscs only where a link names one of ours: free for the
	 * labs that impair nothing. */
	if (impaired && rtnl_qdisc_alloc_cache(sk, &qdiscs) == 0)
		vec_foreach(i, &n->ifaces) impair_read(qdiscs, (int)i->ifindex, &i->impair);
	if (flags & SHOW_TABLES) {
		read_tables(n, sk, links);
		read_rules(n, sk);
	}
	if (flags & (SHOW_TABLES | SHOW_ATTRS))
		read_kind_attrs(n, sk, links);
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct sbuf b = {0};
		/* main, and the tables of VRFs and policy rules; the local
		 * table is the kernel's own */
		if (rtnl_route_get_table(r) == RT_TABLE_LOCAL || rtnl_route_get_type(r) != RTN_UNICAST)
			continue;
		/* SHOW_TABLES: not the routes daemons install (ospf, bgp, ra...) */
		int proto = rtnl_route_get_protocol(r);
		if ((flags & SHOW_TABLES) && proto != RTPROT_BOOT && proto != RTPROT_STATIC &&
		    proto != RTPROT_KERNEL)
			continue;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		if (dst && nl_addr_get_family(dst) == AF_INET6 && nl_addr_get_prefixlen(dst) == 64 &&
		    ((uint8_t *)nl_addr_get_binary_addr(dst))[0] == 0xfe)
			continue; /* fe80::/64 on every interface */
		fmt_route(r, links, &b);
		vec_push(&n->routes, sbuf_steal(&b));
	}
out:
	nl_cache_free(links);
	nl_cache_free(addrs);
	nl_cache_free(routes);
	nl_cache_free(qdiscs);
	if (sk)
		nl_socket_free(sk);
}

/* Name the other end of every veth: candidates are interfaces whose index
 * is our IFLA_LINK and whose IFLA_LINK is our index, found in a sorted
 * index of all of them. nslab plans the same indexes in every namespace,
 * so there are often many: the peer's MAC (one RTM_GETLINK in its
 * namespace, by our IFLA_LINK_NETNSID) settles it, and the namespace id
 * where MACs are the same. */
struct end {
	uint32_t ifindex, link;
	struct show_node *node;
	struct show_iface *iface;
};

static int end_cmp(const void *x, const void *y)
{
	const struct end *a = x, *b = y;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return a->link < b->link ? -1 : a->link > b->link;
}

static void resolve_peers(struct show_lab *s, int orig)
{
	VEC(struct end) ends = {0};

	vec_foreach(n, &s->nodes) vec_foreach(i, &n->ifaces) if (kind_has_peer(i->kind) && i->link)
		vec_push(&ends, ((struct end){i->ifindex, i->link, n, i}));
	if (ends.n)
		qsort(ends.v, ends.n, sizeof(*ends.v), end_cmp);
	vec_foreach(a, &s->nodes)
	{
		struct nl_sock *sk = NULL;
		bool sk_tried = false;
		vec_foreach(i, &a->ifaces)
		{
			if (!kind_has_peer(i->kind) || !i->link)
				continue;
			struct end key = {.ifindex = i->link, .link = i->ifindex};
			struct end *e = ends.n ? bsearch(&key, ends.v, ends.n, sizeof(*ends.v), end_cmp) : NULL;
			if (!e)
				continue;
			while (e > ends.v && end_cmp(e - 1, &key) == 0)
				e--;
			/* a peer in the same namespace has no IFLA_LINK_NETNSID */
			VEC(struct end *) cand = {0};
			for (; e < ends.v + ends.n && end_cmp(e, &key) == 0; e++)
				if (i->link_nsid >= 0 ? e->node != a : (e->node == a && e->iface != i))
					vec_push(&cand, e);
			if (cand.n > 1 && !sk_tried) {
				sk_tried = true;
				if (netns_enter(a->nsfd) == 0) {
					sk = nl_socket_alloc();
					if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
						nl_socket_free(sk);
						sk = NULL;
					}
					if (netns_enter(orig) < 0)
						abort();
				}
			}
			char mac[18] = "";
			if (cand.n > 1 && sk)
				nl_peer_mac(sk, i->link_nsid, i->link, mac);
			size_t nc = 0;
			vec_foreach(c, &cand) if (!mac[0] || streq((*c)->iface->mac, mac)) cand.v[nc++] = *c;
			cand.n = nc;
			for (size_t c = 0; nc > 1 && sk && c < cand.n; c++)
				if (nl_nsid_of(sk, cand.v[c]->node->nsfd) == i->link_nsid) {
					cand.v[0] = cand.v[c];
					nc = 1;
				}
			if (nc == 1)
				snprintf(i->peer, sizeof(i->peer), "%s:%s", cand.v[0]->node->name, cand.v[0]->iface->name);
			vec_free(&cand);
		}
		if (sk)
			nl_socket_free(sk);
	}
	vec_free(&ends);
}

static void node_free(struct show_node *n)
{
	vec_foreach(i, &n->ifaces)
	{
		strvec_free(&i->addrs);
		strvec_free(&i->attrs);
	}
	vec_free(&n->ifaces);
	strvec_free(&n->routes);
	strvec_free(&n->rules);
	strvec_free(&n->neighs);
	strvec_free(&n->fdbs);
	free(n->name);
	free(n->netns);
	closep(&n->nsfd);
}

int show_read(const char *name, const char *only_node, unsigned flags, struct show_lab *ret)
{
	struct lab_info info;
	_cleanup_close_ int orig = netns_open_current();
	_cleanup_free_ char *prefix = xasprintf("%s-", name);
	bool found_node = !only_node;
	int r = lab_get(name, &info);

	if (r < 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->name = xstrdup(name);
	vec_foreach(ns, &info.netns)
	{
		int fd = netns_open(*ns);
		if (fd < 0)
			continue;
		struct show_node *n = vec_add(&ret->nodes);
		const char *node = *ns + strlen(prefix);
		n->netns = xstrdup(*ns);
		n->name = xstrdup(streq(node, TOPO_SWITCH_NS_SUFFIX) ? "(switch)" : node);
		n->nsfd = fd;
		found_node |= only_node && streq(n->name, only_node);
		if (only_node && !(flags & SHOW_PEERS) && !streq(n->name, only_node))
			continue; /* kept only for its name; read nothing */
		if (netns_enter(fd) < 0)
			continue;
		read_node(n, flags);
		if (netns_enter(orig) < 0)
			abort();
	}
	lab_info_free(&info);
	if (flags & SHOW_PEERS)
		resolve_peers(ret, orig);
	if (only_node) {
		size_t keep = 0;
		vec_foreach(n, &ret->nodes)
		{
			if (streq(n->name, only_node))
				ret->nodes.v[keep++] = *n;
			else
				node_free(n);
		}
		ret->nodes.n = keep;
	}
	if (!found_node) { /* nothing to free for the caller on failure */
		show_free(ret);
		memset(ret, 0, sizeof(*ret));
		return -ESRCH;
	}
	return 0;
}

const struct show_node *show_node_find(const struct show_lab *s, const char *name)
{
	vec_foreach(n, &s->nodes) if (streq(n->name, name)) return n;
	return NULL;
}

void show_free(struct show_lab *s)
{
	vec_foreach(n, &s->nodes) node_free(n);
	vec_free(&s->nodes);
	free(s->name);
}
