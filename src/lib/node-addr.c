// SPDX-License-Identifier: MIT
/* [node] key 'addr': addr = ADDRESS[/LEN] [peer ADDRESS/LEN] dev IF; one step per address. */
#include "node-key.h"
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

static void check_addrs(struct topo_lab *lab, struct topo_node *n, struct strmap *seen,
			struct strvec *keys, struct diag *d)
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
		char *key = xasprintf("%d/%s", a->local.family, ipaddr_str(&a->local, buf));
		struct topo_addr *prev = strmap_put(seen, key, a);
		if (prev) {
			char hint[128];
			snprintf(hint, sizeof(hint), "first assigned at line %u; give each interface its own address",
				 prev->loc.line);
			diag_add(d, &a->loc, hint, "address %s is already assigned to %s:%s", buf,
				 prev->node->name, prev->ifname);
			free(key);
			continue;
		}
		vec_push(keys, key);
	}
}

/* Every address on an interface of its node, none given twice in the lab. */
static void validate_addrs(struct topo_lab *lab, struct diag *d)
{
	struct strmap seen = {0};
	struct strvec keys = {0};

	vec_foreach(np, &lab->nodes) check_addrs(lab, *np, &seen, &keys, d);
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
