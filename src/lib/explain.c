// SPDX-License-Identifier: MIT
#include "explain.h"
#include "check.h"
#include "firewall.h"
#include "kind.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "topology.h"

#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>

#define MAX_HOPS 64
#define MAX_DEPTH 3 /* tunnels in tunnels */

const char *explain_what_to_string(enum explain_what w)
{
	static const char *const s[] = {"route", "neigh",    "cross", "fdb",     "encap",
					"decap", "firewall", "note",  "deliver", "drop"};
	return w < ARRAY_SIZE(s) ? s[w] : "?";
}

struct xnode {
	char *name;  /* node name, "(switch)" for the lab's switch namespace */
	char *netns; /* LAB-NODE */
	int fd;
	struct nl_sock *sk;
	struct nl_cache *links, *addrs, *neigh, *fdb;
	bool loaded, failed;
	int32_t *nsid; /* by node index: its id seen from here; -2 not asked yet */
	struct firewall *fw;
	bool fw_read, nat_noted;
	struct topo_node *topo; /* its part of the kept topology: hints only */
};

struct pkt {
	struct ipaddr src, dst;
	bool has_src;
	bool reply; /* the answer: conntrack has seen the flow */
	int proto;
	uint16_t port;
	int ttl;
	/* sent by a node in a VRF (its device's index there): looked up in
	 * the VRF's table, as a socket bound to it is (ip route get ... vrf) */
	uint32_t vrf;
};

struct ctx {
	VEC(struct xnode) nodes;
	int orig;
	struct nl_ctx nl; /* only its error capture */
	struct explain_path *p;
	/* The topology the lab was built from. Never trusted: it names the
	 * node to ask (the other end of a veth, the owner of an address, the
	 * port of a flood that leads there), and the kernel's answer is
	 * checked; without it, or when it is wrong, every namespace is asked. */
	struct topo_lab *topo;
	size_t *by_topo; /* xnode index by topo node index */
	uint32_t delivered_vrf; /* the VRF of the last delivery, where its reply starts */
};

struct rt {
	int type;
	uint32_t table, oif;
	bool has_gw, has_prefsrc, onlink;
	struct ipaddr gw, prefsrc;
	struct ipaddr dst; /* the matched route's prefix (fibmatch) */
};

/* ---- steps ---- */

static void add_step(struct ctx *c, enum explain_what w, unsigned depth, const struct xnode *n, char *text)
{
	struct explain_step *s = vec_add(&c->p->steps);
	s->what = w;
	s->depth = depth;
	s->node = xstrdup(n->name);
	s->text = text;
}

static void step(struct ctx *c, enum explain_what w, unsigned depth, const struct xnode *n,
		 const char *fmt, ...) _printf_(5, 6);
static void step(struct ctx *c, enum explain_what w, unsigned depth, const struct xnode *n,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_step(c, w, depth, n, xvasprintf(fmt, ap));
	va_end(ap);
}

/* The first reason it stops. Returns 1, what every walk returns on a drop. */
static int drop(struct ctx *c, unsigned depth, const struct xnode *n, const char *fix,
		const char *fmt, ...) _printf_(5, 6);
static int drop(struct ctx *c, unsigned depth, const struct xnode *n, const char *fix,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *why = xvasprintf(fmt, ap);
	va_end(ap);
	add_step(c, EXPLAIN_DROP, depth, n, xstrdup(why));
	if (!c->p->reason) {
		c->p->reason = why;
		c->p->fix = fix ? xstrdup(fix) : NULL;
		c->p->drop_node = xstrdup(n->name);
	} else
		free(why);
	return 1;
}

static void truncate_steps(struct ctx *c, size_t n)
{
	while (c->p->steps.n > n) {
		struct explain_step *s = &c->p->steps.v[--c->p->steps.n];
		free(s->node);
		free(s->text);
	}
}

/* ---- reading a node ---- */

static struct xnode *node(struct ctx *c, size_t i)
{
	struct xnode *n = &c->nodes.v[i];
	int e;

	if (n->loaded || n->failed)
		return n->failed ? NULL : n;
	n->failed = true;
	if (n->fd < 0 && (n->fd = netns_open(n->netns)) < 0)
		return NULL;
	if (netns_enter(n->fd) < 0)
		return NULL;
	n->sk = nl_open_here(&c->nl, &e);
	if (netns_enter(c->orig) < 0)
		abort();
	if (!n->sk)
		return NULL;
	if (rtnl_link_alloc_cache(n->sk, AF_UNSPEC, &n->links) < 0 ||
	    rtnl_addr_alloc_cache(n->sk, &n->addrs) < 0 || rtnl_neigh_alloc_cache(n->sk, &n->neigh) < 0)
		return NULL;
	n->failed = false;
	n->loaded = true;
	return n;
}

static struct rtnl_link *link_of(const struct xnode *n, uint32_t ifindex)
{
	struct rtnl_link *l = rtnl_link_get(n->links, (int)ifindex);
	if (l)
		rtnl_link_put(l); /* the cache keeps its reference */
	return l;
}

static const char *ifname(const struct xnode *n, uint32_t ifindex)
{
	struct rtnl_link *l = link_of(n, ifindex);
	return l ? rtnl_link_get_name(l) : "?";
}

static const char *kind_of(struct rtnl_link *l)
{
	const char *k = rtnl_link_get_type(l);
	return k ? k : rtnl_link_get_ifindex(l) == 1 ? "loopback" : "device";
}

static bool is_up(struct rtnl_link *l)
{
	return rtnl_link_get_flags(l) & IFF_UP;
}

/* The bridge l is a port of, or 0: a VRF's port routes, in the VRF's
 * table, and does not switch. */
static uint32_t bridge_of(const struct xnode *n, struct rtnl_link *l)
{
	int master = rtnl_link_get_master(l);
	struct rtnl_link *m = master > 0 ? link_of(n, (uint32_t)master) : NULL;
	const struct link_kind *k = m ? kind_by_name(kind_of(m)) : NULL;

	return m && (!k || k->is_bridge) ? (uint32_t)master : 0;
}

/* The device of n whose routing table is `table` (a VRF), or NULL. */
static struct rtnl_link *table_owner(const struct xnode *n, uint32_t table)
{
	for (struct nl_object *o = nl_cache_get_first(n->links); o && table; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const struct link_kind *k = kind_by_name(kind_of(l));
		if (k && k->read_table && k->read_table(l) == table)
			return l;
	}
	return NULL;
}

/* The VRF a packet arriving on iif is routed in (its master with a table
 * of its own), or NULL. */
static struct rtnl_link *vrf_of_iif(const struct xnode *n, uint32_t iif)
{
	struct rtnl_link *in = iif ? link_of(n, iif) : NULL;
	int master = in ? rtnl_link_get_master(in) : 0;
	struct rtnl_link *m = master > 0 ? link_of(n, (uint32_t)master) : NULL;
	const struct link_kind *k = m ? kind_by_name(kind_of(m)) : NULL;

	return k && k->read_table && k->read_table(m) ? m : NULL;
}

static bool has_carrier(struct rtnl_link *l)
{
	return rtnl_link_get_flags(l) & 0x10000; /* IFF_LOWER_UP */
}

static bool to_ipaddr(struct nl_addr *a, struct ipaddr *ret)
{
	if (!a || (nl_addr_get_family(a) != AF_INET && nl_addr_get_family(a) != AF_INET6))
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)nl_addr_get_family(a);
	ret->len = (uint8_t)nl_addr_get_prefixlen(a);
	memcpy(ret->a, nl_addr_get_binary_addr(a), ipaddr_bytes(ret));
	return true;
}

/* Does n have address a (on ifindex, or anywhere when 0)? */
static bool owns(const struct xnode *n, uint32_t ifindex, const struct ipaddr *a)
{
	for (struct nl_object *o = nl_cache_get_first(n->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct ipaddr x;
		if ((ifindex && rtnl_addr_get_ifindex(ra) != (int)ifindex) ||
		    !to_ipaddr(rtnl_addr_get_local(ra), &x))
			continue;
		if (x.family == a->family && ipaddr_equal(&x, a))
			return true;
	}
	return false;
}

/* The first global address of family (0: IPv4 first) on ifindex (0: any
 * but lo). */
static bool first_addr(const struct xnode *n, uint32_t ifindex, int family, struct ipaddr *ret)
{
	for (int pass = 0; pass < 2; pass++) {
		int fam = family ? family : pass == 0 ? AF_INET : AF_INET6;
		for (struct nl_object *o = nl_cache_get_first(n->addrs); o; o = nl_cache_get_next(o)) {
			struct rtnl_addr *ra = (struct rtnl_addr *)o;
			int idx = rtnl_addr_get_ifindex(ra);
			if ((ifindex ? idx != (int)ifindex : idx == 1) ||
			    rtnl_addr_get_family(ra) != fam || rtnl_addr_get_scope(ra) >= RT_SCOPE_LINK)
				continue;
			if (to_ipaddr(rtnl_addr_get_local(ra), ret))
				return true;
		}
		if (family)
			break;
	}
	return false;
}

static struct nl_cache *fdb_of(struct ctx *c, struct xnode *n)
{
	(void)c;
	if (!n->fdb)
		(void)rtnl_neigh_alloc_cache_flags(n->sk, &n->fdb, NL_CACHE_AF_ITER);
	return n->fdb;
}

/* ---- the kernel's answers ---- */

/* An address attribute of a route, as a host address. */
static bool attr_addr(struct nlattr *a, int family, struct ipaddr *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)family;
	ret->len = (uint8_t)ipaddr_maxlen(ret);
	if (!a || (size_t)nla_len(a) != ipaddr_bytes(ret))
		return false;
	memcpy(ret->a, nla_data(a), ipaddr_bytes(ret));
	return true;
}

static int route_cb(struct nl_msg *msg, void *arg)
{
	struct rt *rt = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct rtmsg *rm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];

	if (nlmsg_parse(h, sizeof(*rm), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	rt->type = rm->rtm_type;
	rt->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rm->rtm_table;
	rt->oif = tb[RTA_OIF] ? nla_get_u32(tb[RTA_OIF]) : 0;
	rt->onlink = rm->rtm_flags & RTNH_F_ONLINK;
	memset(&rt->dst, 0, sizeof(rt->dst));
	rt->dst.family = rm->rtm_family;
	rt->dst.len = rm->rtm_dst_len;
	if (tb[RTA_DST] && (size_t)nla_len(tb[RTA_DST]) == ipaddr_bytes(&rt->dst))
		memcpy(rt->dst.a, nla_data(tb[RTA_DST]), ipaddr_bytes(&rt->dst));
	rt->has_gw = attr_addr(tb[RTA_GATEWAY], rm->rtm_family, &rt->gw);
	rt->has_prefsrc = attr_addr(tb[RTA_PREFSRC], rm->rtm_family, &rt->prefsrc);
	return NL_OK;
}

/* What `ip route get DST [from SRC iif IIF] [ipproto P dport N]` answers
 * in n; fibmatch: the route that matched. 0 or -errno (the kernel's). */
static int route_get(struct ctx *c, struct xnode *n, const struct pkt *k, uint32_t iif, bool fibmatch,
		     struct rt *ret)
{
	struct rtmsg rm = {.rtm_family = k->dst.family,
			   .rtm_dst_len = (uint8_t)ipaddr_maxlen(&k->dst),
			   .rtm_flags = RTM_F_LOOKUP_TABLE | (fibmatch ? RTM_F_FIB_MATCH : 0)};
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	int r;

	if (k->has_src)
		rm.rtm_src_len = (uint8_t)ipaddr_maxlen(&k->src);
	if (!msg || nlmsg_append(msg, &rm, sizeof(rm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, (int)ipaddr_bytes(&k->dst), k->dst.a) < 0 ||
	    (k->has_src && nla_put(msg, RTA_SRC, (int)ipaddr_bytes(&k->src), k->src.a) < 0) ||
	    (iif && nla_put_u32(msg, RTA_IIF, iif) < 0) ||
	    (!iif && k->vrf && nla_put_u32(msg, RTA_OIF, k->vrf) < 0) ||
	    /* the kernel takes only these (EOPNOTSUPP for GRE's) */
	    ((k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) &&
	     nla_put_u8(msg, RTA_IP_PROTO, (uint8_t)k->proto) < 0) ||
	    ((k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) && k->port &&
	     nla_put_u16(msg, RTA_DPORT, htons(k->port)) < 0))
		return -ENOMEM;
	memset(ret, 0, sizeof(*ret));
	ret->type = -1;
	c->nl.kerr = 0;
	nl_socket_modify_cb(n->sk, NL_CB_VALID, NL_CB_CUSTOM, route_cb, ret);
	if (nl_send_auto(n->sk, msg) < 0)
		return -EIO;
	r = nl_recvmsgs_default(n->sk);
	if (!c->nl.kerr && r >= 0)
		(void)nl_wait_for_ack(n->sk); /* nl_send_auto() asked for one */
	if (c->nl.kerr) {
		r = -c->nl.kerr;
		c->nl.kerr = 0;
		return r;
	}
	return r < 0 || ret->type < 0 ? -EIO : 0;
}

struct netconf {
	int forwarding, rp_filter, proxy_neigh;
};

static int netconf_cb(struct nl_msg *msg, void *arg)
{
	struct netconf *nc = arg;
	struct nlattr *tb[NETCONFA_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct netconfmsg), tb, NETCONFA_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[NETCONFA_FORWARDING])
		nc->forwarding = (int)nla_get_u32(tb[NETCONFA_FORWARDING]);
	if (tb[NETCONFA_RP_FILTER])
		nc->rp_filter = (int)nla_get_u32(tb[NETCONFA_RP_FILTER]);
	if (tb[NETCONFA_PROXY_NEIGH])
		nc->proxy_neigh = (int)nla_get_u32(tb[NETCONFA_PROXY_NEIGH]);
	return NL_OK;
}

/* The forwarding and rp_filter settings of one interface (or all). */
static struct netconf netconf_get(struct ctx *c, struct xnode *n, int family, int32_t ifindex)
{
	struct netconf nc = {-1, -1, -1};
	struct netconfmsg m = {.ncm_family = (uint8_t)family};
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNETCONF, NLM_F_REQUEST);

	if (!msg || nlmsg_append(msg, &m, sizeof(m), NLMSG_ALIGNTO) < 0 ||
	    nla_put_s32(msg, NETCONFA_IFINDEX, ifindex) < 0)
		return nc;
	nl_socket_modify_cb(n->sk, NL_CB_VALID, NL_CB_CUSTOM, netconf_cb, &nc);
	if (nl_send_auto(n->sk, msg) >= 0 && nl_recvmsgs_default(n->sk) >= 0 && !c->nl.kerr)
		(void)nl_wait_for_ack(n->sk);
	c->nl.kerr = 0;
	return nc;
}

/* The lab node whose namespace is the link-netnsid `id` of n, or -1. */
static ssize_t node_by_nsid(struct ctx *c, size_t ni, int32_t id)
{
	struct xnode *n = &c->nodes.v[ni];

	if (!n->nsid) {
		n->nsid = xmalloc(c->nodes.n * sizeof(*n->nsid));
		for (size_t i = 0; i < c->nodes.n; i++)
			n->nsid[i] = -2;
	}
	for (size_t i = 0; i < c->nodes.n; i++)
		if (n->nsid[i] == id)
			return (ssize_t)i;
	for (size_t i = 0; i < c->nodes.n; i++) {
		if (n->nsid[i] != -2 || i == ni)
			continue;
		struct xnode *m = &c->nodes.v[i];
		int fd = m->fd >= 0 ? m->fd : netns_open(m->netns);
		if (fd < 0) {
			n->nsid[i] = -1;
			continue;
		}
		n->nsid[i] = nl_nsid_of(n->sk, fd);
		if (fd != m->fd)
			close(fd);
		if (n->nsid[i] == id)
			return (ssize_t)i;
	}
	return -1;
}

/* The other end of veth `l` of node ni: its node and index. */
static bool veth_peer(struct ctx *c, size_t ni, struct rtnl_link *l, size_t *ret_node, uint32_t *ret_if)
{
	int32_t id = -1;
	int peer = rtnl_link_get_link(l);

	if (peer <= 0)
		return false;
	const struct topo_node *tn = c->nodes.v[ni].topo;
	const struct topo_iface *ti = tn ? topo_iface_find(tn, rtnl_link_get_name(l)) : NULL;
	if (ti && ti->peer) {
		size_t m = c->by_topo[ti->peer->node->index];
		struct xnode *x = m < c->nodes.n ? node(c, m) : NULL;
		struct rtnl_link *pl = x ? rtnl_link_name2i(x->links, ti->peer->name) > 0
						   ? link_of(x, (uint32_t)rtnl_link_name2i(x->links, ti->peer->name))
						   : NULL
					 : NULL;
		if (pl && rtnl_link_get_ifindex(pl) == peer &&
		    rtnl_link_get_link(pl) == rtnl_link_get_ifindex(l)) {
			*ret_node = m;
			*ret_if = (uint32_t)peer;
			return true;
		}
	}
	if (rtnl_link_get_link_netnsid(l, &id) < 0 || id < 0) {
		*ret_node = ni;
	} else {
		ssize_t m = node_by_nsid(c, ni, id);
		if (m < 0)
			return false;
		*ret_node = (size_t)m;
	}
	*ret_if = (uint32_t)peer;
	return node(c, *ret_node) && link_of(&c->nodes.v[*ret_node], (uint32_t)peer);
}

/* The MAC of ip on ifindex in n's neighbour table, and its state. */
static int neigh_lookup(const struct xnode *n, uint32_t ifindex, const struct ipaddr *ip, uint8_t mac[6])
{
	for (struct nl_object *o = nl_cache_get_first(n->neigh); o; o = nl_cache_get_next(o)) {
		struct rtnl_neigh *ne = (struct rtnl_neigh *)o;
		struct ipaddr x;
		if (rtnl_neigh_get_ifindex(ne) != (int)ifindex || !to_ipaddr(rtnl_neigh_get_dst(ne), &x) ||
		    x.family != ip->family || !ipaddr_equal(&x, ip))
			continue;
		struct nl_addr *ll = rtnl_neigh_get_lladdr(ne);
		int st = rtnl_neigh_get_state(ne);
		if (ll && nl_addr_get_len(ll) == 6 && !(st & (NUD_FAILED | NUD_INCOMPLETE)))
			memcpy(mac, nl_addr_get_binary_addr(ll), 6);
		else
			st |= NUD_INCOMPLETE;
		return st;
	}
	return -1;
}

static const char *nud_str(int st)
{
	return st & NUD_PERMANENT ? "PERMANENT"
	       : st & NUD_NOARP   ? "NOARP"
	       : st & NUD_REACHABLE ? "REACHABLE"
	       : st & NUD_STALE     ? "STALE"
	       : st & NUD_DELAY     ? "DELAY"
	       : st & NUD_PROBE     ? "PROBE"
				    : "?";
}

static int walk(struct ctx *c, size_t ni, uint32_t iif, struct pkt *k, unsigned depth, size_t *ret_node);
static int egress(struct ctx *c, size_t ni, uint32_t oif, const struct ipaddr *nh, const uint8_t *mac,
		  const struct pkt *k, unsigned depth, size_t *rn, uint32_t *riif);
static int bridge_in(struct ctx *c, size_t ni, uint32_t br, uint32_t inport, const struct ipaddr *nh,
		     const uint8_t *mac, const struct pkt *k, unsigned depth, size_t *rn, uint32_t *riif);

/* ---- tunnels ---- */

/* The kind of a kernel link, as nslab's table has it (NULL: none). */
static const struct link_kind *kind_of_link(struct rtnl_link *l)
{
	return kind_by_name(kind_of(l));
}

/* Its tunnel ends, when its kind is a tunnel (link l of node n; inner:
 * the packet's destination, which some tunnels choose their remote by). */
static bool tunnel_of(struct ctx *c, const struct xnode *n, struct rtnl_link *l,
		      const struct ipaddr *inner, struct kind_tunnel *t)
{
	const struct link_kind *k = kind_of_link(l);
	if (!k || !k->tunnel_here)
		return k && k->tunnel && k->tunnel(l, t);
	if (netns_enter(n->fd) < 0)
		return false;
	bool r = k->tunnel_here(l, inner, t);
	if (netns_enter(c->orig) < 0)
		abort(); /* never carry on in the wrong namespace */
	return r;
}

/* A tunnel FDB's answer for mac on device ifindex: its remotes (one for a
 * known MAC, the flood list for an unknown one). */
static size_t fdb_remotes(struct ctx *c, struct xnode *n, uint32_t ifindex, const uint8_t *mac,
			    struct ipaddr *ret, size_t max, bool *ret_known)
{
	static const uint8_t zero[6];
	struct nl_cache *fdb = fdb_of(c, n);
	size_t got = 0;

	*ret_known = false;
	for (int pass = 0; pass < 2 && !got; pass++) {
		const uint8_t *want = pass == 0 ? mac : zero;
		if (!want)
			continue;
		for (struct nl_object *o = nl_cache_get_first(fdb); o && got < max; o = nl_cache_get_next(o)) {
			struct rtnl_neigh *ne = (struct rtnl_neigh *)o;
			struct nl_addr *ll = rtnl_neigh_get_lladdr(ne);
			if (rtnl_neigh_get_family(ne) != AF_BRIDGE ||
			    rtnl_neigh_get_ifindex(ne) != (int)ifindex || !ll || nl_addr_get_len(ll) != 6 ||
			    memcmp(nl_addr_get_binary_addr(ll), want, 6) != 0)
				continue;
			if (to_ipaddr(rtnl_neigh_get_dst(ne), &ret[got]))
				got++;
		}
		*ret_known = got && pass == 0;
	}
	return got;
}

/* The device of node n that unwraps what t's device sent from outer_src
 * to outer_dst: one of the same kind, id and port whose ends fit, the most
 * specific first, as the kernel demultiplexes (a GRE module's fallback
 * device gre0, with no ends, takes only what no other tunnel does). */
static uint32_t tunnel_end(struct ctx *c, struct xnode *n, const struct link_kind *kind,
			   const struct kind_tunnel *t, const struct ipaddr *outer_src,
			   const struct ipaddr *outer_dst)
{
	uint32_t best = 0;
	int best_score = -1;

	for (struct nl_object *o = nl_cache_get_first(n->links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		struct kind_tunnel u;
		if (kind_of_link(l) != kind || !tunnel_of(c, n, l, NULL, &u) || u.id != t->id ||
		    u.port != t->port)
			continue;
		bool remote_fits = !u.has_remote || u.fdb_remotes || ipaddr_equal(&u.remote, outer_src);
		if ((u.has_local && !ipaddr_equal(&u.local, outer_dst)) || !remote_fits)
			continue;
		int score = (u.has_local ? 2 : 0) + (u.has_remote && !u.fdb_remotes ? 1 : 0);
		if (score > best_score) {
			best_score = score;
			best = (uint32_t)rtnl_link_get_ifindex(l);
		}
	}
	return best;
}

static int tunnel_out(struct ctx *c, size_t ni, struct rtnl_link *l, const struct ipaddr *nh,
		      const uint8_t *mac, const struct pkt *k, unsigned depth, size_t *rn, uint32_t *riif)
{
	struct xnode *n = &c->nodes.v[ni];
	const char *dev = rtnl_link_get_name(l);
	uint32_t oif = (uint32_t)rtnl_link_get_ifindex(l);
	struct ipaddr remotes[32];
	char b1[IPADDR_STRLEN], b2[18];
	size_t nr = 0;
	bool known = false;
	const struct link_kind *kind = kind_of_link(l);
	struct kind_tunnel t;

	(void)tunnel_of(c, n, l, &k->dst, &t);
	if (depth >= MAX_DEPTH)
		return drop(c, depth, n, NULL, "%s: tunnels nested more than %d deep", dev, MAX_DEPTH);
	if (t.fdb_remotes) {
		nr = fdb_remotes(c, n, oif, mac, remotes, ARRAY_SIZE(remotes), &known);
		if (!nr && t.has_remote) {
			remotes[nr++] = t.remote;
			if (t.remote.family == AF_INET ? (t.remote.a[0] & 0xf0) == 0xe0 : t.remote.a[0] == 0xff)
				return drop(c, depth, n, NULL,
					    "%s sends to multicast group %s, which nslab does not follow", dev,
					    ipaddr_str(&t.remote, b1));
		}
		if (!nr)
			return drop(c, depth, n,
				    "give the device a remote, or an FDB entry: fdb = MAC dev DEV dst REMOTE",
				    "%s, %s, has no FDB entry for %s and no flood list: it goes nowhere",
				    dev, t.what, mac ? mac_str(mac, b2) : "the destination");
	} else {
		if (!t.has_remote)
			return drop(c, depth, n, NULL, "%s, %s, has no remote address", dev, t.what);
		remotes[nr++] = t.remote;
	}
	/* Unknown MAC, several remotes: every one gets a copy, the one that
	 * leads to the next hop's owner is the path. */
	size_t mark = c->p->steps.n;
	for (size_t i = 0; i < nr; i++) {
		char b3[IPADDR_STRLEN];
		struct pkt outer = {.dst = remotes[i], .has_src = t.has_local, .src = t.local,
				    .proto = t.outer_proto, .port = t.outer_port, .ttl = 64};
		step(c, EXPLAIN_ENCAP, depth, n, "%s wraps it in %s to %s%s", dev, t.what,
		     ipaddr_str(&remotes[i], b1),
		     known ? " (its FDB entry for the MAC)"
		     : nr > 1 ? " (one copy of the flood list's)"
			      : "");
		size_t dn, at = c->p->steps.n - 1;
		int r = walk(c, ni, 0, &outer, depth + 1, &dn);
		if (outer.has_src) {
			struct explain_step *es = &c->p->steps.v[at];
			char *txt = xasprintf("%s; outer %s -> %s", es->text, ipaddr_str(&outer.src, b3),
					    ipaddr_str(&outer.dst, b1));
			free(es->text);
			es->text = txt;
		}
		if (r != 0) {
			if (nr > 1 && i + 1 < nr) {
				truncate_steps(c, mark);
				free(c->p->reason), c->p->reason = NULL;
				free(c->p->fix), c->p->fix = NULL;
				free(c->p->drop_node), c->p->drop_node = NULL;
				continue;
			}
			return r;
		}
		struct xnode *d = &c->nodes.v[dn];
		uint32_t end = tunnel_end(c, d, kind, &t, &outer.src, &outer.dst);
		if (!end) {
			if (nr > 1 && i + 1 < nr) {
				truncate_steps(c, mark);
				continue;
			}
			return drop(c, depth, d, "give both ends the same settings (VNI or key, port)",
				    "%s has no device that takes what %s sends: %s", d->name, dev, t.what);
		}
		struct rtnl_link *e = link_of(d, end);
		if (nr > 1 && !owns(d, 0, nh) && i + 1 < nr) {
			truncate_steps(c, mark);
			continue;
		}
		step(c, EXPLAIN_DECAP, depth, d, "%s unwraps it", rtnl_link_get_name(e));
		if (!is_up(e))
			return drop(c, depth, d, NULL, "%s of %s is down", rtnl_link_get_name(e), d->name);
		uint32_t master = bridge_of(d, e);
		if (master)
			return bridge_in(c, dn, master, end, nh, mac, k, depth, rn, riif);
		*rn = dn;
		*riif = end;
		return 0;
	}
	return 1;
}

/* ---- bridges ---- */

/* The topology's owner of address a, or NULL. */
static const struct topo_node *owner_hint(const struct ctx *c, const struct ipaddr *a)
{
	if (!c->topo)
		return NULL;
	vec_foreach(n, &c->topo->nodes) vec_foreach(x, &(*n)->addrs) if (x->local.family == a->family &&
									   ipaddr_equal(&x->local, a)) return *n;
	return NULL;
}

/* By the topology: does port lead to node `to`, directly or through the
 * bridges behind it? */
static bool leads_to(const struct topo_iface *port, const struct topo_node *to, unsigned depth)
{
	const struct topo_iface *p = port->peer;

	if (!p || depth > 16)
		return false;
	if (p->node == to)
		return true;
	if (!p->master || !p->master->is_bridge)
		return false;
	vec_foreach(i, &p->node->ifaces) if (*i != p && (*i)->master == p->master &&
					     leads_to(*i, to, depth + 1)) return true;
	return false;
}

/* The bridge br of node ni takes a frame for mac (NULL: unknown) from
 * port inport (0: from the node itself). */
static int bridge_in(struct ctx *c, size_t ni, uint32_t br, uint32_t inport, const struct ipaddr *nh,
		     const uint8_t *mac, const struct pkt *k, unsigned depth, size_t *rn, uint32_t *riif)
{
	struct xnode *n = &c->nodes.v[ni];
	struct rtnl_link *bl = link_of(n, br);
	const char *bname = bl ? rtnl_link_get_name(bl) : "?";
	char b1[18], b2[IPADDR_STRLEN];

	if (!bl || !is_up(bl))
		return drop(c, depth, n, NULL, "bridge %s of %s is down", bname, n->name);
	/* for the bridge's own address: the node takes it */
	struct nl_addr *own = rtnl_link_get_addr(bl);
	if (inport && ((mac && own && nl_addr_get_len(own) == 6 &&
			memcmp(nl_addr_get_binary_addr(own), mac, 6) == 0) ||
		       (!mac && owns(n, br, nh)))) {
		step(c, EXPLAIN_FDB, depth, n, "%s: the frame is for the bridge itself; %s takes it on %s",
		     bname, n->name, bname);
		*rn = ni;
		*riif = br;
		return 0;
	}
	uint32_t port = 0;
	if (mac) {
		struct nl_cache *fdb = fdb_of(c, n);
		for (struct nl_object *o = nl_cache_get_first(fdb); o; o = nl_cache_get_next(o)) {
			struct rtnl_neigh *ne = (struct rtnl_neigh *)o;
			struct nl_addr *ll = rtnl_neigh_get_lladdr(ne);
			if (rtnl_neigh_get_family(ne) == AF_BRIDGE && rtnl_neigh_get_master(ne) == (int)br &&
			    ll && nl_addr_get_len(ll) == 6 && memcmp(nl_addr_get_binary_addr(ll), mac, 6) == 0) {
				port = (uint32_t)rtnl_neigh_get_ifindex(ne);
				if (rtnl_neigh_get_state(ne) & NUD_PERMANENT) {
					struct rtnl_link *pl = link_of(n, port);
					struct nl_addr *pa = pl ? rtnl_link_get_addr(pl) : NULL;
					if (pa && nl_addr_get_len(pa) == 6 &&
					    memcmp(nl_addr_get_binary_addr(pa), mac, 6) == 0)
						port = br; /* a port's own MAC: local */
				}
				break;
			}
		}
	}
	if (port == br) {
		step(c, EXPLAIN_FDB, depth, n, "%s: %s is the bridge's own; %s takes it on %s", bname,
		     mac_str(mac, b1), n->name, bname);
		*rn = ni;
		*riif = br;
		return 0;
	}
	if (port) {
		step(c, EXPLAIN_FDB, depth, n, "%s: FDB has %s on port %s", bname, mac_str(mac, b1),
		     ifname(n, port));
		if (port == inport)
			return drop(c, depth, n, NULL, "%s: the FDB puts %s behind the port it came from (%s)",
				    bname, b1, ifname(n, port));
		struct rtnl_link *pl = link_of(n, port);
		if (!pl || !is_up(pl))
			return drop(c, depth, n, NULL, "port %s of %s is down", ifname(n, port), bname);
		return egress(c, ni, port, nh, mac, k, depth, rn, riif);
	}
	/* Flooding: each port gets a copy; the path goes on through the one
	 * that leads to the next hop's owner. */
	unsigned nports = 0;
	uint32_t best = 0, tunnel = 0;
	const struct topo_node *owner = owner_hint(c, nh);
	for (struct nl_object *o = nl_cache_get_first(n->links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		uint32_t idx = (uint32_t)rtnl_link_get_ifindex(l);
		if (rtnl_link_get_master(l) != (int)br || idx == inport || !is_up(l))
			continue;
		nports++;
		if (best)
			continue;
		const struct topo_iface *ti = owner && n->topo ? topo_iface_find(n->topo, rtnl_link_get_name(l)) : NULL;
		size_t pn;
		uint32_t pif;
		if (ti ? leads_to(ti, owner, 0)
		       : kind_has_peer(kind_of(l)) && veth_peer(c, ni, l, &pn, &pif) &&
				 owns(&c->nodes.v[pn], 0, nh))
			best = idx;
		else if (!tunnel && tunnel_of(c, n, l, NULL, &(struct kind_tunnel){0}))
			tunnel = idx;
	}
	if (!best && inport && owns(n, br, nh)) {
		step(c, EXPLAIN_FDB, depth, n, "%s: %s not in the FDB; %s owns %s and takes it on %s",
		     bname, mac ? mac_str(mac, b1) : "the MAC", n->name, ipaddr_str(nh, b2), bname);
		*rn = ni;
		*riif = br;
		return 0;
	}
	if (!best)
		best = tunnel;
	if (!best)
		return drop(c, depth, n, "check the addresses on this segment",
			    "%s floods to %u port%s and none leads to %s: nobody on this segment has it", bname,
			    nports, nports == 1 ? "" : "s", ipaddr_str(nh, b2));
	step(c, EXPLAIN_FDB, depth, n, "%s: %s not in the FDB: floods to %u port%s; the copy on %s finds %s",
	     bname, mac ? mac_str(mac, b1) : "the MAC", nports, nports == 1 ? "" : "s", ifname(n, best),
	     ipaddr_str(nh, b2));
	return egress(c, ni, best, nh, mac, k, depth, rn, riif);
}

/* Does node p answer for nh on ifindex by proxy ARP (or NDP), as Calico's
 * cali interfaces do for 169.254.1.1? The kernel answers when proxy_arp is
 * on for the interface or for all, and it has a route to nh by another
 * interface. */
static bool proxies(struct ctx *c, struct xnode *p, uint32_t ifindex, const struct ipaddr *nh)
{
	struct netconf one = netconf_get(c, p, nh->family, (int32_t)ifindex),
		       all = netconf_get(c, p, nh->family, NETCONFA_IFINDEX_ALL);
	if (one.proxy_neigh <= 0 && all.proxy_neigh <= 0)
		return false;
	struct pkt k = {.dst = *nh, .ttl = 64};
	struct rt rt;
	return route_get(c, p, &k, 0, false, &rt) == 0 && rt.type == RTN_UNICAST && rt.oif != ifindex;
}

/* A frame leaves node ni by oif towards next hop nh (MAC mac, or NULL when
 * unknown): where does it arrive? 0 with *rn and *riif, or 1 (dropped). */
static int egress(struct ctx *c, size_t ni, uint32_t oif, const struct ipaddr *nh, const uint8_t *mac,
		  const struct pkt *k, unsigned depth, size_t *rn, uint32_t *riif)
{
	struct xnode *n = &c->nodes.v[ni];
	struct rtnl_link *l = link_of(n, oif);
	const char *kind = l ? kind_of(l) : "?";

	if (!l)
		return drop(c, depth, n, NULL, "interface %u of %s is gone", oif, n->name);
	const struct link_kind *lk = kind_by_name(kind);
	if (lk && lk->is_bridge)
		return bridge_in(c, ni, oif, 0, nh, mac, k, depth, rn, riif);
	if (tunnel_of(c, n, l, NULL, &(struct kind_tunnel){0}))
		return tunnel_out(c, ni, l, nh, mac, k, depth, rn, riif);
	if (!kind_has_peer(kind))
		return drop(c, depth, n, NULL, "it leaves by %s (%s), which nslab cannot follow",
			    rtnl_link_get_name(l), kind);
	size_t pn;
	uint32_t pif;
	if (!veth_peer(c, ni, l, &pn, &pif))
		return drop(c, depth, n, NULL, "%s: its other end is not in this lab", rtnl_link_get_name(l));
	struct xnode *p = &c->nodes.v[pn];
	struct rtnl_link *pl = link_of(p, pif);
	if (!has_carrier(l) || !is_up(pl)) {
		_cleanup_free_ char *fix = xasprintf("nslab link %s:%s up", p->name, rtnl_link_get_name(pl));
		return drop(c, depth, n, is_up(pl) ? NULL : fix, "%s has no carrier: its other end %s:%s is %s",
			    rtnl_link_get_name(l), p->name, rtnl_link_get_name(pl), is_up(pl) ? "down" : "down");
	}
	step(c, EXPLAIN_CROSS, depth, n, "%s -> %s:%s", rtnl_link_get_name(l), p->name, rtnl_link_get_name(pl));
	uint32_t master = bridge_of(p, pl);
	if (master)
		return bridge_in(c, pn, master, pif, nh, mac, k, depth, rn, riif);
	if (!mac && !owns(p, pif, nh) && proxies(c, p, pif, nh)) {
		step(c, EXPLAIN_NOTE, depth, p, "%s:%s answers for the next hop by proxy %s",
		     p->name, rtnl_link_get_name(pl), nh->family == AF_INET ? "ARP" : "NDP");
	} else if (!mac && !owns(p, pif, nh)) {
		/* a cable: only its other end can answer for the next hop */
		char b1[IPADDR_STRLEN], b2[IPADDR_STRLEN];
		struct ipaddr has;
		bool any = first_addr(p, pif, nh->family, &has);
		_cleanup_free_ char *fix =
			any ? xasprintf("route by %s:%s's address %s, or give %s:%s the address %s", p->name,
					rtnl_link_get_name(pl), ipaddr_str(&has, b2), p->name,
					rtnl_link_get_name(pl), ipaddr_str(nh, b1))
			    : xasprintf("give %s:%s the address %s", p->name, rtnl_link_get_name(pl),
					ipaddr_str(nh, b1));
		return drop(c, depth, n, fix, "nobody answers %s %s on %s: %s:%s does not have it",
			    nh->family == AF_INET ? "ARP for" : "neighbour solicitations for",
			    ipaddr_str(nh, b1), rtnl_link_get_name(l), p->name, rtnl_link_get_name(pl));
	}
	*rn = pn;
	*riif = pif;
	return 0;
}

/* ---- a node's part ---- */

static const char *route_words(const struct rt *fm, const struct xnode *n, struct sbuf *b)
{
	char buf[IPADDR_STRLEN];

	sbuf_reset(b);
	if (fm->type == RTN_LOCAL)
		sbuf_adds(b, "local ");
	else if (fm->type == RTN_UNREACHABLE)
		sbuf_adds(b, "unreachable ");
	else if (fm->type == RTN_BLACKHOLE)
		sbuf_adds(b, "blackhole ");
	else if (fm->type == RTN_PROHIBIT)
		sbuf_adds(b, "prohibit ");
	sbuf_adds(b, fm->dst.len == 0 ? "default" : ipaddr_cidr(&fm->dst, buf));
	if (fm->has_gw)
		sbuf_addf(b, " via %s", ipaddr_str(&fm->gw, buf));
	if (fm->oif)
		sbuf_addf(b, " dev %s", ifname(n, fm->oif));
	if (fm->onlink)
		sbuf_adds(b, " onlink");
	if (fm->table != RT_TABLE_MAIN)
		sbuf_addf(b, " table %s", fm->table == RT_TABLE_LOCAL ? "local" : "");
	if (fm->table != RT_TABLE_MAIN && fm->table != RT_TABLE_LOCAL)
		sbuf_addf(b, "%u", fm->table);
	struct rtnl_link *vrf = table_owner(n, fm->table);
	if (vrf)
		sbuf_addf(b, " (%s %s)", kind_of(vrf), rtnl_link_get_name(vrf));
	return b->s;
}

/* Why a lookup failed in n: the interfaces that are down and would have
 * carried it. */
static const char *down_iface_for(const struct xnode *n, const struct ipaddr *dst)
{
	for (struct nl_object *o = nl_cache_get_first(n->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct ipaddr x;
		struct rtnl_link *l = link_of(n, (uint32_t)rtnl_addr_get_ifindex(ra));
		if (!l || is_up(l) || !to_ipaddr(rtnl_addr_get_local(ra), &x) || x.family != dst->family)
			continue;
		if (ipaddr_contains(&x, dst))
			return rtnl_link_get_name(l);
	}
	return NULL;
}

static int lookup_failed(struct ctx *c, struct xnode *n, uint32_t iif, const struct pkt *k, int e,
			 unsigned depth)
{
	char b1[IPADDR_STRLEN], b2[IPADDR_STRLEN];
	const char *down = down_iface_for(n, &k->dst);

	if (down) {
		_cleanup_free_ char *fix = xasprintf("nslab link %s:%s up", n->name, down);
		return drop(c, depth, n, fix, "%s is down in %s: the route to %s went with it", down, n->name,
			    ipaddr_str(&k->dst, b1));
	}
	if (e == -ENETUNREACH) {
		struct ipaddr net = k->dst;
		net.len = k->dst.family == AF_INET ? 24 : 64;
		net = ipaddr_network(&net);
		/* what comes in by a VRF's port is looked up in its table only */
		struct rtnl_link *vrf = vrf_of_iif(n, iif);
		const char *kind = vrf ? kind_of(vrf) : "", *name = vrf ? rtnl_link_get_name(vrf) : "";
		_cleanup_free_ char *fix =
			xasprintf("give %s a route: 'route = %s via GATEWAY%s%s%s%s' in [node %s]", n->name,
				  ipaddr_cidr(&net, b2), vrf ? " " : "", kind, vrf ? " " : "", name, n->name);
		_cleanup_free_ char *in = vrf ? xasprintf(" in %s %s (table %u)", kind, name,
							   kind_by_name(kind)->read_table(vrf))
					      : xstrdup("");
		return drop(c, depth, n, fix, "Network is unreachable: %s has no route to %s%s", n->name,
			    ipaddr_str(&k->dst, b1), in);
	}
	if (e == -EHOSTUNREACH && iif) {
		struct netconf nc = netconf_get(c, n, k->dst.family, (int32_t)iif);
		if (nc.forwarding == 0) {
			_cleanup_free_ char *fix = xasprintf("'forward = yes' in [node %s]", n->name);
			return drop(c, depth, n, fix, "forwarding is off in %s (on %s): it does not route", n->name,
				    ifname(n, iif));
		}
	}
	if (e == -EINVAL && iif) {
		/* a martian source: rp_filter (the kernel says EXDEV inside,
		 * EINVAL to us), or a source no node may use */
		struct netconf all = netconf_get(c, n, k->dst.family, NETCONFA_IFINDEX_ALL),
			       one = netconf_get(c, n, k->dst.family, (int32_t)iif);
		if (all.rp_filter > 0 || one.rp_filter > 0)
			e = -EXDEV;
	}
	if (e == -EXDEV) {
		_cleanup_free_ char *fix =
			xasprintf("a route back to %s by %s, or 'sysctl = net.ipv4.conf.all.rp_filter=2' "
				  "(loose) in [node %s]",
				  ipaddr_str(&k->src, b2), ifname(n, iif), n->name);
		return drop(c, depth, n, fix,
			    "rp_filter in %s drops it: a reply to %s would not leave by %s, where it came in",
			    n->name, ipaddr_str(&k->src, b1), ifname(n, iif));
	}
	return drop(c, depth, n, NULL, "the route lookup for %s in %s fails: %s", ipaddr_str(&k->dst, b1),
		    n->name, strerror(-e));
}

static int firewall(struct ctx *c, struct xnode *n, enum firewall_hook hook, uint32_t iif, uint32_t oif,
		    const struct pkt *k, unsigned depth)
{
	if (!n->fw_read) {
		n->fw_read = true;
		n->fw = firewall_read(n->sk ? n->fd : -1);
	}
	if (!n->fw)
		return 0;
	const char *nat = firewall_nat_hook(n->fw);
	if (nat && hook != FIREWALL_INPUT && !n->nat_noted) {
		n->nat_noted = true;
		step(c, EXPLAIN_NOTE, depth, n,
		     "%s has NAT rules (hook %s): they may rewrite the addresses; this traces them as sent "
		     "(and the reply to the original sender, as conntrack does)",
		     n->name, nat);
	}
	struct firewall_pkt fp = {.src = k->src, .dst = k->dst, .proto = k->proto ? k->proto
						 : k->dst.family == AF_INET ? IPPROTO_ICMP
									    : IPPROTO_ICMPV6,
				  .dport = k->port, .reply = k->reply};
	if (iif)
		snprintf(fp.iif, sizeof(fp.iif), "%s", ifname(n, iif));
	if (oif)
		snprintf(fp.oif, sizeof(fp.oif), "%s", ifname(n, oif));
	struct sbuf why = {0};
	int v = firewall_eval(n->fw, hook, &fp, &why);
	if (v == FIREWALL_DROP) {
		_cleanup_free_ char *fix = xasprintf("change the ruleset of %s ('nslab exec %s nft list ruleset')",
						     n->name, n->name);
		drop(c, depth, n, fix, "the firewall of %s drops it: %s", n->name, why.s);
		sbuf_free(&why);
		return 1;
	}
	if (why.len)
		step(c, v == FIREWALL_UNSURE ? EXPLAIN_NOTE : EXPLAIN_FIREWALL, depth, n, "%s", why.s);
	sbuf_free(&why);
	return 0;
}

/* A packet in node ni, from the node itself (iif 0) or arriving on iif. */
static int walk(struct ctx *c, size_t ni, uint32_t iif, struct pkt *k, unsigned depth, size_t *ret_node)
{
	char b1[IPADDR_STRLEN], b2[18];
	struct sbuf words = {0};
	int r = 1;

	for (unsigned hop = 0; hop < MAX_HOPS; hop++) {
		struct xnode *n = node(c, ni);
		struct rt rt, fm;
		if (!n) {
			r = drop(c, depth, &c->nodes.v[ni], NULL, "cannot read namespace %s",
				 c->nodes.v[ni].netns);
			break;
		}
		if (iif) {
			struct rtnl_link *in = link_of(n, iif);
			if (!in || !is_up(in)) {
				_cleanup_free_ char *fix = xasprintf("nslab link %s:%s up", n->name, ifname(n, iif));
				r = drop(c, depth, n, fix, "%s of %s is down", ifname(n, iif), n->name);
				break;
			}
		}
		int e = route_get(c, n, k, iif, false, &rt);
		if (e < 0) {
			r = lookup_failed(c, n, iif, k, e, depth);
			break;
		}
		if (route_get(c, n, k, iif, true, &fm) < 0)
			fm = rt;
		if (!k->has_src && rt.has_prefsrc) {
			k->src = rt.prefsrc;
			k->has_src = true;
		}
		if (rt.type == RTN_LOCAL) {
			struct rtnl_link *lo = link_of(n, 1);
			if (!iif && lo && !is_up(lo)) {
				_cleanup_free_ char *fix = xasprintf("ip -n %s link set lo up", n->netns);
				r = drop(c, depth, n, fix,
					 "lo is down in %s: what a node sends to its own address goes through lo",
					 n->name);
				break;
			}
			if (firewall(c, n, FIREWALL_INPUT, iif, 0, k, depth)) {
				r = 1;
				break;
			}
			step(c, EXPLAIN_DELIVER, depth, n, "%s is %s's own address (%s): delivered",
			     ipaddr_str(&k->dst, b1), n->name, route_words(&fm, n, &words));
			struct rtnl_link *vrf = iif ? vrf_of_iif(n, iif) : NULL;
			c->delivered_vrf = vrf ? (uint32_t)rtnl_link_get_ifindex(vrf) : iif ? 0 : k->vrf;
			*ret_node = ni;
			r = 0;
			break;
		}
		if (rt.type != RTN_UNICAST) {
			r = drop(c, depth, n, NULL, "%s says %s: route %s",
				 n->name, rt.type == RTN_UNREACHABLE ? "host unreachable"
					  : rt.type == RTN_PROHIBIT  ? "administratively prohibited"
					  : rt.type == RTN_BLACKHOLE ? "discard it (blackhole)"
								     : "it cannot route it",
				 route_words(&fm, n, &words));
			break;
		}
		if (iif) {
			struct netconf nc = netconf_get(c, n, k->dst.family, (int32_t)iif);
			if (nc.forwarding == 0) {
				_cleanup_free_ char *fix = xasprintf("'forward = yes' in [node %s]", n->name);
				r = drop(c, depth, n, fix, "forwarding is off in %s (on %s): it does not route",
					 n->name, ifname(n, iif));
				break;
			}
			if (--k->ttl <= 0) {
				r = drop(c, depth, n, "more TTL, or fewer hops: is there a routing loop?",
					 "TTL exceeded in %s", n->name);
				break;
			}
		}
		step(c, EXPLAIN_ROUTE, depth, n, "%s%s%s", route_words(&fm, n, &words),
		     k->has_src && !iif ? " src " : "", k->has_src && !iif ? ipaddr_str(&k->src, b1) : "");
		if (firewall(c, n, iif ? FIREWALL_FORWARD : FIREWALL_OUTPUT, iif, rt.oif, k, depth)) {
			r = 1;
			break;
		}
		const struct ipaddr *nh = rt.has_gw ? &rt.gw : &k->dst;
		uint8_t mac[6];
		bool has_mac = false;
		struct rtnl_link *out = link_of(n, rt.oif);
		bool l3 = out && (rtnl_link_get_arptype(out) == ARPHRD_NONE ||
				  rtnl_link_get_arptype(out) == ARPHRD_IPGRE ||
				  rtnl_link_get_arptype(out) == ARPHRD_TUNNEL ||
				  rtnl_link_get_arptype(out) == ARPHRD_TUNNEL6 ||
				  rtnl_link_get_arptype(out) == ARPHRD_IP6GRE ||
				  rtnl_link_get_arptype(out) == ARPHRD_SIT);
		if (!l3) {
			int st = neigh_lookup(n, rt.oif, nh, mac);
			if (st < 0 || (st & NUD_INCOMPLETE))
				step(c, EXPLAIN_NEIGH, depth, n, "would %s %s on %s; %s",
				     nh->family == AF_INET ? "ARP for" : "send a neighbour solicitation for",
				     ipaddr_str(nh, b1), ifname(n, rt.oif),
				     st < 0 ? "no entry yet" : "the last one got no answer (FAILED)");
			else {
				has_mac = true;
				step(c, EXPLAIN_NEIGH, depth, n, "%s is %s on %s (%s)", ipaddr_str(nh, b1),
				     mac_str(mac, b2), ifname(n, rt.oif), nud_str(st));
			}
		}
		size_t next;
		if (egress(c, ni, rt.oif, nh, has_mac ? mac : NULL, k, depth, &next, &iif) != 0) {
			r = 1;
			break;
		}
		ni = next;
	}
	if (r && !c->p->reason)
		drop(c, depth, &c->nodes.v[ni], "is there a routing loop?", "more than %d hops", MAX_HOPS);
	sbuf_free(&words);
	return r;
}

/* ---- the whole ---- */

static ssize_t find_node(struct ctx *c, const char *name)
{
	vec_foreach(n, &c->nodes) if (streq(n->name, name)) return n - c->nodes.v;
	return -1;
}

/* NODE or NODE:IF at s: the node and the interface's index (0: none). */
static int parse_end(struct ctx *c, const char *s, const char *lab, size_t *ret_node, uint32_t *ret_if,
		     struct sbuf *err)
{
	const char *colon = strchr(s, ':');
	_cleanup_free_ char *name = colon ? xstrndup(s, (size_t)(colon - s)) : xstrdup(s);
	ssize_t i = find_node(c, name);

	*ret_if = 0;
	if (i < 0) {
		sbuf_addf(err, "lab '%s' has no node '%s'", lab, name);
		return -ESRCH;
	}
	struct xnode *n = node(c, (size_t)i);
	if (!n) {
		sbuf_addf(err, "cannot read namespace %s", c->nodes.v[i].netns);
		return -EIO;
	}
	if (colon) {
		int idx = rtnl_link_name2i(n->links, colon + 1);
		if (idx <= 0) {
			sbuf_addf(err, "node '%s' has no interface '%s'", name, colon + 1);
			return -ENODEV;
		}
		*ret_if = (uint32_t)idx;
	}
	*ret_node = (size_t)i;
	return 0;
}

static void path_init(struct explain_path *p, const char *from, const char *to)
{
	memset(p, 0, sizeof(*p));
	p->from = xstrdup(from);
	p->to = to ? xstrdup(to) : NULL;
}

static void trace(struct ctx *c, struct explain_path *p, size_t from, struct pkt *k)
{
	size_t got;

	c->p = p;
	if (walk(c, from, 0, k, 0, &got) == 0) {
		p->reached = true;
		p->reached_node = xstrdup(c->nodes.v[got].name);
		if (p->to && !streq(p->to, p->reached_node)) {
			/* another node owns the address */
			char b[IPADDR_STRLEN];
			p->reached = false;
			p->reason = xasprintf("%s reached %s, not %s: they have the same address?",
					      ipaddr_str(&k->dst, b), p->reached_node, p->to);
			p->drop_node = xstrdup(p->reached_node);
		}
	}
	p->src = k->src;
	p->dst = k->dst;
}

int explain_run(const char *lab, const char *from, const char *to, const struct explain_opts *o,
		struct explain_result *ret, struct sbuf *err)
{
	struct ctx c = {.orig = netns_open_current()};
	struct lab_info info;
	_cleanup_free_ char *prefix = xasprintf("%s-", lab);
	int r = lab_get(lab, &info);

	memset(ret, 0, sizeof(*ret));
	if (r < 0) {
		sbuf_addf(err, "no lab '%s' is up", lab);
		closep(&c.orig);
		return r;
	}
	c.nl.kerr = 0;
	vec_foreach(ns, &info.netns)
	{
		struct xnode *n = vec_add(&c.nodes);
		const char *nm = *ns + strlen(prefix);
		n->netns = xstrdup(*ns);
		n->name = xstrdup(streq(nm, TOPO_SWITCH_NS_SUFFIX) ? "(switch)" : nm);
		n->fd = -1;
	}
	lab_info_free(&info);
	struct diag d = {0};
	_cleanup_free_ char *edited = NULL;
	c.topo = check_load_running(lab, &d, &edited);
	diag_free(&d);
	if (c.topo) {
		c.by_topo = xmalloc(c.topo->nodes.n * sizeof(*c.by_topo));
		for (size_t i = 0; i < c.topo->nodes.n; i++)
			c.by_topo[i] = SIZE_MAX;
		vec_foreach(n, &c.nodes)
		{
			struct topo_node *t = streq(n->name, "(switch)") ? c.topo->switch_node
								       : topo_node_find(c.topo, n->name);
			if (t && t->index < c.topo->nodes.n) {
				n->topo = t;
				c.by_topo[t->index] = (size_t)(n - c.nodes.v);
			}
		}
	}

	size_t a, b = 0;
	uint32_t aif, bif = 0;
	struct pkt k = {.proto = o->proto, .port = o->port, .ttl = 64};
	const char *to_node = NULL;
	_cleanup_free_ char *to_name = NULL;
	if ((r = parse_end(&c, from, lab, &a, &aif, err)) < 0)
		goto out;
	if (ipaddr_parse_host(to, &k.dst) == 0) {
		k.dst.len = (uint8_t)ipaddr_maxlen(&k.dst);
	} else {
		if ((r = parse_end(&c, to, lab, &b, &bif, err)) < 0)
			goto out;
		to_node = c.nodes.v[b].name;
		if (!first_addr(&c.nodes.v[b], bif, o->family, &k.dst)) {
			sbuf_addf(err, "%s has no %saddress to send to", to,
				  o->family == AF_INET ? "IPv4 " : o->family == AF_INET6 ? "IPv6 " : "");
			r = -EADDRNOTAVAIL;
			goto out;
		}
		k.dst.len = (uint8_t)ipaddr_maxlen(&k.dst);
	}
	if (o->family && k.dst.family != o->family) {
		sbuf_addf(err, "%s is not an %s address", to, o->family == AF_INET ? "IPv4" : "IPv6");
		r = -EINVAL;
		goto out;
	}
	if (aif) {
		if (!first_addr(&c.nodes.v[a], aif, k.dst.family, &k.src)) {
			sbuf_addf(err, "%s has no %s address to send from", from,
				  k.dst.family == AF_INET ? "IPv4" : "IPv6");
			r = -EADDRNOTAVAIL;
			goto out;
		}
		k.src.len = (uint8_t)ipaddr_maxlen(&k.src);
		k.has_src = true;
		/* from a VRF's port, or the VRF device: in its table */
		struct xnode *an = node(&c, a);
		struct rtnl_link *al = an ? link_of(an, aif) : NULL, *vrf = an ? vrf_of_iif(an, aif) : NULL;
		const struct link_kind *ak = al ? kind_by_name(kind_of(al)) : NULL;
		if (!vrf && ak && ak->read_table && ak->read_table(al))
			vrf = al;
		k.vrf = vrf ? (uint32_t)rtnl_link_get_ifindex(vrf) : 0;
	}
	to_name = to_node ? xstrdup(to_node) : NULL;
	path_init(&ret->fwd, c.nodes.v[a].name, to_name);
	trace(&c, &ret->fwd, a, &k);
	if (ret->fwd.reached && k.has_src) {
		size_t back_from = (size_t)find_node(&c, ret->fwd.reached_node);
		struct pkt back = {.src = k.dst, .has_src = true, .dst = k.src, .proto = k.proto, .ttl = 64,
				     .reply = true, .vrf = c.delivered_vrf};
		path_init(&ret->back, ret->fwd.reached_node, c.nodes.v[a].name);
		trace(&c, &ret->back, back_from, &back);
		ret->has_back = true;
	}
	r = 0;
out:
	vec_foreach(n, &c.nodes)
	{
		free(n->name);
		free(n->netns);
		closep(&n->fd);
		nl_cache_free(n->links);
		nl_cache_free(n->addrs);
		nl_cache_free(n->neigh);
		nl_cache_free(n->fdb);
		if (n->sk)
			nl_socket_free(n->sk);
		free(n->nsid);
		firewall_free(n->fw);
	}
	vec_free(&c.nodes);
	closep(&c.orig);
	if (c.topo)
		topo_lab_free(c.topo);
	free(c.by_topo);
	return r;
}

static void path_free(struct explain_path *p)
{
	vec_foreach(s, &p->steps)
	{
		free(s->node);
		free(s->text);
	}
	vec_free(&p->steps);
	free(p->from);
	free(p->to);
	free(p->reached_node);
	free(p->reason);
	free(p->fix);
	free(p->drop_node);
}

void explain_result_free(struct explain_result *r)
{
	path_free(&r->fwd);
	path_free(&r->back);
}
