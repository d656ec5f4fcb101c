// SPDX-License-Identifier: MIT
/* GRE (ipgre). [gre NAME] with `members = A B` and `dev = IF`: a tunnel NAME
 * in both, local and remote taken from their addresses on IF.
 * [gre NODE:NAME] with `local` and `remote`: one end set up by hand. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <arpa/inet.h>
#include <linux/if_tunnel.h>
#include <netlink/route/link/ipgre.h>

struct gre {
	uint32_t ttl, key, mtu;
	bool has_key;
	char *dev_name;
	char *members_text;
	struct topo_loc members_loc;
	bool has_local, has_remote;
	/* given, even with a bad value (reported then): not "missing" too */
	bool dev_given, local_given, remote_given;
	size_t n;
	struct topo_node *members[2];
	struct topo_iface *ifaces[2];
	struct ipaddr local[2], remote[2];
};

static const char *const gre_keys[] = {"members", "dev", "local", "remote",
				       "ttl",     "key", "mtu", NULL};

static struct gre *gre_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct gre *g = xcalloc(1, sizeof(*g));
		g->ttl = 255;
		dev->priv = g;
	}
	return dev->priv;
}

static int gre_addr(const char *key, const char *value, const struct topo_loc *loc,
		    struct diag *d, struct ipaddr *ret)
{
	if (ipaddr_parse_host(value, ret) == 0 && ret->family == AF_INET)
		return 0;
	diag_add(d, loc, "write an IPv4 address such as 10.0.1.1 (ipgre carries IPv4)",
		 "bad %s '%s'", key, value);
	return -EINVAL;
}

static int gre_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		     const struct topo_loc *loc, struct diag *d)
{
	struct gre *g = gre_of(dev);
	bool pair = !dev->node_name;

	if (streq(key, "ttl")) {
		(void)kind_u32(key, value, 0, 255, loc, d, &g->ttl);
	} else if (streq(key, "key")) {
		g->has_key = kind_u32(key, value, 0, UINT32_MAX, loc, d, &g->key) == 0;
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &g->mtu);
	} else if (streq(key, "dev") && pair) {
		const char *why = topo_ifname_error(value);
		g->dev_given = true;
		if (why)
			diag_add(d, loc, "name the underlay interface, e.g. 'dev = eth0'",
				 "underlay device '%s' %s", value, why);
		else
			g->dev_name = xstrdup(value);
	} else if (streq(key, "members") && pair) {
		g->members_text = xstrdup(value);
		g->members_loc = *loc;
	} else if ((streq(key, "local") || streq(key, "remote")) && !pair) {
		g->local_given |= streq(key, "local");
		g->remote_given |= streq(key, "remote");
		if (streq(key, "local"))
			g->has_local = gre_addr(key, value, loc, d, &g->local[0]) == 0;
		else
			g->has_remote = gre_addr(key, value, loc, d, &g->remote[0]) == 0;
	} else if (streq(key, "members") || streq(key, "dev")) {
		diag_add(d, loc, "write [gre NAME] with 'members = A B' and 'dev = IF' for a pair",
			 "'%s' is for [gre NAME], not [gre NODE:NAME]", key);
	} else if (streq(key, "local") || streq(key, "remote")) {
		diag_add(d, loc, "a pair takes both ends from 'dev'; for one end write [gre NODE:NAME]",
			 "'%s' is for [gre NODE:NAME], not a pair", key);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void gre_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct gre *g = gre_of(dev);

	if (pass == 0)
		g->n = kind_tunnel_ends(lab, dev, g->members_text, &g->members_loc, g->mtu, d,
					g->members, g->ifaces);
}

static void gre_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct gre *g = gre_of(dev);
	char hint[160];

	if (dev->node_name) {
		if (!g->local_given || !g->remote_given)
			diag_add(d, &dev->loc, "add 'local = ADDRESS' and 'remote = ADDRESS'",
				 "[gre %s:%s] needs 'local' and 'remote'", dev->node_name, dev->name);
		return;
	}
	if (g->n != 2)
		return;
	if (!g->dev_name) {
		if (!g->dev_given)
			diag_add(d, &dev->loc, "add 'dev = eth0', the underlay interface of both members",
				 "[gre %s] has no 'dev'", dev->name);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		struct topo_node *m = g->members[i];
		struct topo_iface *lower = topo_iface_find(m, g->dev_name);
		const struct topo_addr *a = lower ? topo_iface_addr(m, lower, AF_INET) : NULL;
		if (!a) {
			snprintf(hint, sizeof(hint), "add 'addr = A.B.C.D/N dev %s' to [node %s]",
				 g->dev_name, m->name);
			diag_add(d, &dev->loc, hint,
				 "member '%s' has no IPv4 address on '%s' for the tunnel", m->name,
				 g->dev_name);
			return;
		}
		g->local[i] = a->local;
		g->remote[1 - i] = a->local;
	}
}

static void gre_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int gre_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type gre_step = {
	.name = "link",
	.group = STEP_GROUP_LINKS,
	.print = gre_print,
	.describe = plan_describe_link,
	.apply = gre_apply,
};

static void gre_plan(struct plan *p, struct topo_dev *dev)
{
	struct gre *g = gre_of(dev);

	for (size_t i = 0; i < g->n; i++) {
		if (!g->ifaces[i])
			return;
		plan_ifindex(p, g->ifaces[i]);
		size_t *member = plan_alloc(p, sizeof(*member));
		*member = i;
		struct step *s = plan_add(p, &gre_step, g->members[i], member);
		s->dev = dev;
		s->loc = &dev->loc;
	}
}

static void gre_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	struct gre *g = s->dev->priv;
	size_t m = *(const size_t *)s->data; /* which member */
	const struct topo_iface *i = g->ifaces[m];
	char l[IPADDR_STRLEN], r[IPADDR_STRLEN];

	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, i->name);
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
	sbuf_addf(out, " up type gre remote %s local %s ttl %u", ipaddr_str(&g->remote[m], r),
		  ipaddr_str(&g->local[m], l), g->ttl);
	if (g->has_key)
		sbuf_addf(out, " key %u", g->key);
	sbuf_adds(out, "\n");
}

static int gre_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	struct gre *g = s->dev->priv;
	size_t m = *(const size_t *)s->data;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_ipgre_alloc();
	uint32_t local, remote;

	if (!link)
		return -ENOMEM;
	nl_link_setup(nl, link, g->ifaces[m]);
	rtnl_link_set_flags(link, IFF_UP);
	/* The ipgre setters take addresses and keys in network byte order. */
	memcpy(&local, g->local[m].a, 4);
	memcpy(&remote, g->remote[m].a, 4);
	rtnl_link_ipgre_set_local(link, local);
	rtnl_link_ipgre_set_remote(link, remote);
	rtnl_link_ipgre_set_ttl(link, (uint8_t)g->ttl);
	if (g->has_key) {
		rtnl_link_ipgre_set_ikey(link, htonl(g->key));
		rtnl_link_ipgre_set_okey(link, htonl(g->key));
		/* GRE_KEY is already big-endian in <linux/if_tunnel.h> */
		rtnl_link_ipgre_set_iflags(link, GRE_KEY);
		rtnl_link_ipgre_set_oflags(link, GRE_KEY);
	}
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

static void gre_free(struct topo_dev *dev)
{
	struct gre *g = dev->priv;

	if (!g)
		return;
	free(g->dev_name);
	free(g->members_text);
	free(g);
}

static void gre_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		      struct strvec *fdbs)
{
	const struct gre *g = dev->priv;
	char buf[IPADDR_STRLEN];

	for (size_t m = 0; m < g->n; m++) {
		if (g->ifaces[m] != i)
			continue;
		vec_push(ret, xasprintf("local %s", ipaddr_str(&g->local[m], buf)));
		vec_push(ret, xasprintf("remote %s", ipaddr_str(&g->remote[m], buf)));
		vec_push(ret, xasprintf("ttl %u", g->ttl));
		if (g->has_key)
			vec_push(ret, xasprintf("key %u", g->key));
	}
}

static void gre_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	struct ipaddr a = {.family = AF_INET, .len = 32};
	char buf[IPADDR_STRLEN];
	uint32_t x = rtnl_link_ipgre_get_local(l);

	memcpy(a.a, &x, 4);
	vec_push(ret, xasprintf("local %s", ipaddr_str(&a, buf)));
	x = rtnl_link_ipgre_get_remote(l);
	memcpy(a.a, &x, 4);
	vec_push(ret, xasprintf("remote %s", ipaddr_str(&a, buf)));
	vec_push(ret, xasprintf("ttl %u", rtnl_link_ipgre_get_ttl(l)));
	if (rtnl_link_ipgre_get_iflags(l) & GRE_KEY)
		vec_push(ret, xasprintf("key %u", ntohl(rtnl_link_ipgre_get_ikey(l))));
}

static bool gre_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	uint32_t local = rtnl_link_ipgre_get_local(l), remote = rtnl_link_ipgre_get_remote(l);

	memset(t, 0, sizeof(*t));
	t->local = (struct ipaddr){.family = AF_INET, .len = 32};
	t->remote = t->local;
	memcpy(t->local.a, &local, 4);
	memcpy(t->remote.a, &remote, 4);
	t->has_local = local != 0;
	t->has_remote = remote != 0;
	if (rtnl_link_ipgre_get_iflags(l) & GRE_KEY)
		t->id = ntohl(rtnl_link_ipgre_get_ikey(l));
	t->outer_proto = IPPROTO_GRE;
	if (t->id)
		snprintf(t->what, sizeof(t->what), "GRE (key %u)", t->id);
	else
		snprintf(t->what, sizeof(t->what), "GRE");
	return true;
}

static const char *const gre_graph_keys[] = {"key", "local", "remote", NULL};

const struct link_kind kind_gre = {
	.graph_keys = gre_graph_keys,
	.tunnel = gre_tunnel,
	.attrs = gre_attrs,
	.read_attrs = gre_read_attrs,
	.name = "gre",
	.section = "gre",
	.title = "GRE",
	.noun = "GRE tunnel",
	.layer3 = true,
	.keys = gre_keys,
	.parse = gre_parse,
	.declare = gre_declare,
	.validate = gre_validate,
	.plan = gre_plan,
	.probe_kind = "gre",
	.probe_module = "ip_gre",
	.free = gre_free,
};
