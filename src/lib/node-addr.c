// SPDX-License-Identifier: MIT
/* [node] key 'addr': addr = ADDRESS[/LEN] [peer ADDRESS/LEN] dev IF; one step per address. */
#include "node-key.h"
#include "kind.h"
#include "nl.h"

#include <netlink/route/addr.h>

static int parse_addr(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'addr = 10.0.0.1/24 dev eth0' (or 'A peer B/32 dev IF')";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_addr a = {.loc = *loc, .node = n};
	const char *dev = NULL;
	int r;

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, hint, "bad 'addr' line");
		return n->bad_addr = true, -EINVAL;
	}
	r = ipaddr_parse(w[0], true, &a.local);
	if (r < 0) {
		diag_add(d, loc, hint, r == -ERANGE ? "bad prefix length in '%s'" : "bad address '%s'",
			 w[0]);
		return n->bad_addr = true, -EINVAL;
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "peer") && i + 1 < cnt) {
			r = ipaddr_parse(w[++i], true, &a.peer);
			if (r < 0 || a.peer.family != a.local.family) {
				diag_add(d, loc, hint, "bad peer address '%s'", w[i]);
				return n->bad_addr = true, -EINVAL;
			}
			a.has_peer = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'addr'", w[i]);
			return n->bad_addr = true, -EINVAL;
		}
	}
	if (!dev) {
		diag_add(d, loc, hint, "'addr' needs 'dev IF'");
		return n->bad_addr = true, -EINVAL;
	}
	if (a.has_peer && !strchr(w[0], '/'))
		a.local.len = a.peer.len;
	if (node_key_ifname(loc, d, "interface", dev) < 0)
		return n->bad_addr = true, -EINVAL;
	a.ifname = xstrdup(dev);
	vec_push(&n->addrs, a);
	return 0;
}

static void print_addr(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_addr *a = s->data;
	const char *ns = s->node->netns;
	char buf[IPADDR_STRLEN];

	if (a->has_peer)
		sbuf_addf(out, "ip -n %s addr add %s", ns, ipaddr_str(&a->local, buf));
	else
		sbuf_addf(out, "ip -n %s addr add %s", ns, ipaddr_cidr(&a->local, buf));
	if (a->has_peer)
		sbuf_addf(out, " peer %s", ipaddr_cidr(&a->peer, buf));
	sbuf_addf(out, " dev %s%s\n", a->ifname, a->local.family == AF_INET6 ? " nodad" : "");
}

static void describe_addr(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_addr *a = s->data;
	char buf[IPADDR_STRLEN];

	sbuf_addf(out, "add address '%s' to '%s'", ipaddr_cidr(&a->local, buf), a->ifname);
}

static int apply_addr(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_addr *a = s->data;
	struct rtnl_addr *ra = rtnl_addr_alloc();
	_cleanup_nladdr_ struct nl_addr *local = nl_addr_from(&a->local, true);
	_cleanup_nladdr_ struct nl_addr *peer = a->has_peer ? nl_addr_from(&a->peer, true) : NULL;
	int r;

	if (!ra || !local)
		return -ENOMEM;
	rtnl_addr_set_ifindex(ra, (int)nl_ifindex(nl, a->iface));
	rtnl_addr_set_family(ra, a->local.family);
	rtnl_addr_set_local(ra, local);
	if (peer)
		rtnl_addr_set_peer(ra, peer);
	rtnl_addr_set_prefixlen(ra, a->has_peer ? a->peer.len : a->local.len);
	if (a->local.family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD); /* usable at once */
	nl->kerr = 0;
	r = nl_result(nl, rtnl_addr_add(nl_sk(nl, s->node), ra, NLM_F_EXCL), err);
	rtnl_addr_put(ra);
	return r;
}

static bool restores_addr(const struct step *s, const struct topo_iface *i)
{
	return ((const struct topo_addr *)s->data)->iface == i;
}

static const struct step_type step_addr = {
	.name = "addr",
	.group = STEP_GROUP_NODE,
	.print = print_addr,
	.describe = describe_addr,
	.apply = apply_addr,
	.restores = restores_addr,
};

static void plan_addrs(struct plan *p, struct topo_node *n)
{
	vec_foreach(a, &n->addrs) plan_add(p, &step_addr, n, a)->loc = &a->loc;
}

static void free_addrs(struct topo_node *n)
{
	vec_foreach(a, &n->addrs) free(a->ifname);
	vec_free(&n->addrs);
}

/* Address spaces. Addresses are unique in the lab, except across VRFs:
 * a VRF's ports, and what lies behind them, are a network of their own
 * (two customers' 10.0.1.0/24 on one provider router). Interfaces are
 * joined when one cable, tunnel or bridge joins them, and when they route
 * in one table of one node; a group that holds a VRF is a space of its
 * own, every other group is the lab's one space. */
struct spaces {
	struct topo_iface **ifs; /* sorted by address, for the index of an interface */
	size_t n_ifs, n;         /* elements: interfaces, then each node's main table */
	size_t *parent;
	bool *vrf;
};

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
	return x < y ? -1 : x > y;
}

static int dev_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(struct topo_iface *const *)a)->dev;
	uintptr_t y = (uintptr_t)(*(struct topo_iface *const *)b)->dev;
	return x < y ? -1 : x > y;
}

static size_t sp_index(const struct spaces *s, const struct topo_iface *i)
{
	struct topo_iface **p = bsearch(&i, s->ifs, s->n_ifs, sizeof(*s->ifs), ptr_cmp);
	return (size_t)(p - s->ifs);
}

static size_t sp_find(struct spaces *s, size_t x)
{
	while (s->parent[x] != x)
		x = s->parent[x] = s->parent[s->parent[x]];
	return x;
}

static void sp_join(struct spaces *s, size_t a, size_t b)
{
	a = sp_find(s, a);
	b = sp_find(s, b);
	if (a != b) {
		s->parent[b] = a;
		s->vrf[a] |= s->vrf[b];
	}
}

/* The element where routes of interface i (NULL: lo) of n are looked up. */
static size_t sp_table(struct spaces *s, const struct topo_node *n, const struct topo_iface *i)
{
	const struct topo_iface *vrf = i ? kind_l3_master(i) : NULL;
	return vrf ? sp_index(s, vrf) : s->n_ifs + n->index;
}

static void spaces_build(const struct topo_lab *lab, struct spaces *s)
{
	size_t k = 0;

	memset(s, 0, sizeof(*s));
	vec_foreach(np, &lab->nodes) s->n_ifs += (*np)->ifaces.n;
	s->n = s->n_ifs + lab->nodes.n;
	s->ifs = xcalloc(s->n_ifs + 1, sizeof(*s->ifs));
	s->parent = xcalloc(s->n, sizeof(*s->parent));
	s->vrf = xcalloc(s->n, sizeof(*s->vrf));
	vec_foreach(np, &lab->nodes) vec_foreach(ip, &(*np)->ifaces) s->ifs[k++] = *ip;
	qsort(s->ifs, s->n_ifs, sizeof(*s->ifs), ptr_cmp);
	for (size_t x = 0; x < s->n; x++)
		s->parent[x] = x;
	for (size_t x = 0; x < s->n_ifs; x++)
		s->vrf[x] = kind_table_of(s->ifs[x]) != 0;
	/* the members of one device (a tunnel's): sorted by device, then joined */
	struct topo_iface **by_dev = xcalloc(s->n_ifs + 1, sizeof(*by_dev));
	size_t nd = 0;
	for (size_t x = 0; x < s->n_ifs; x++) {
		const struct topo_iface *i = s->ifs[x];
		if (i->peer)
			sp_join(s, x, sp_index(s, i->peer)); /* a veth's ends */
		if (i->master && i->master->is_bridge)
			sp_join(s, x, sp_index(s, i->master)); /* a bridge's port switches */
		else if (!i->node->is_switch)
			sp_join(s, x, sp_table(s, i->node, i));
		if (i->dev && !i->dev->kind->is_link)
			by_dev[nd++] = s->ifs[x];
	}
	qsort(by_dev, nd, sizeof(*by_dev), dev_cmp);
	for (size_t x = 1; x < nd; x++)
		if (by_dev[x]->dev == by_dev[x - 1]->dev)
			sp_join(s, sp_index(s, by_dev[x - 1]), sp_index(s, by_dev[x]));
	free(by_dev);
}

static void spaces_free(struct spaces *s)
{
	free(s->ifs);
	free(s->parent);
	free(s->vrf);
}

static void check_addrs(struct topo_lab *lab, struct topo_node *n, struct spaces *sp,
			struct strmap *seen, struct strvec *keys, struct diag *d)
{
	char buf[IPADDR_STRLEN];

	vec_foreach(a, &n->addrs)
	{
		if (!node_has_iface(n, a->ifname)) {
			(void)node_iface(n, a->ifname, &a->loc, d);
			continue;
		}
		a->iface = topo_iface_find(n, a->ifname);
		lab->uses_ipv6 |= a->local.family == AF_INET6;
		size_t space = sp_find(sp, sp_table(sp, n, a->iface));
		char *key = sp->vrf[space] ? xasprintf("%zu %d/%s", space, a->local.family,
						       ipaddr_str(&a->local, buf))
					   : xasprintf("%d/%s", a->local.family, ipaddr_str(&a->local, buf));
		struct topo_addr *prev = strmap_put(seen, key, a);
		if (prev) {
			char hint[160];
			snprintf(hint, sizeof(hint),
				 "first assigned at line %u; give each interface its own address%s",
				 prev->loc.line,
				 sp->vrf[space] ? " (in one VRF's network)" : " (or keep them apart in VRFs)");
			diag_add(d, &a->loc, hint, "address %s is already assigned to %s:%s", buf,
				 prev->node->name, prev->ifname);
			free(key);
			continue;
		}
		vec_push(keys, key);
	}
}

/* Every address on an interface of its node, none given twice in one
 * address space (the lab's, or a VRF's network). */
static void validate_addrs(struct topo_lab *lab, struct diag *d)
{
	struct strmap seen = {0};
	struct strvec keys = {0};
	struct spaces sp;

	spaces_build(lab, &sp);
	vec_foreach(np, &lab->nodes) check_addrs(lab, *np, &sp, &seen, &keys, d);
	spaces_free(&sp);
	vec_foreach(k, &keys) free(*k);
	vec_free(&keys);
	strmap_free(&seen);
}

const struct node_key node_key_addr = {
	.key = "addr",
	.repeatable = true,
	.parse = parse_addr,
	.validate = validate_addrs,
	.free = free_addrs,
	.plan = plan_addrs,
};
