// SPDX-License-Identifier: MIT
/* Geneve (RFC 8926): Ethernet in UDP, port 6081, as OVN and Cilium use it.
 * [geneve NAME] with `members = A B` and `dev = IF`: a device NAME in both,
 * each pointing at the other's address on IF. [geneve NODE:NAME] with
 * `remote`: one end set up by hand. A Geneve device has one remote and no
 * FDB of remotes, so it is point to point: a segment of three or more
 * nodes is VXLAN's job. The kernel has no local address for it either:
 * the outer source is whatever the route to the remote gives. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/route/link/geneve.h>

#define GENEVE_PORT 6081 /* IANA, and the kernel's default */
/* Outer Ethernet, IP, UDP and Geneve headers without options: the kernel's
 * GENEVE_IPV4_HLEN and GENEVE_IPV6_HLEN. */
#define GENEVE_OVERHEAD 50
#define GENEVE6_OVERHEAD 70

struct geneve {
	uint32_t vni, port, ttl, mtu;
	bool has_ttl, has_remote, has_mac;
	/* given, even with a bad value (reported then): not "missing" too */
	bool vni_given, dev_given, remote_given;
	struct ipaddr remote;
	uint8_t mac[6];
	char *dev_name;
	char *members_text;
	struct topo_loc members_loc;
	size_t n;
	struct topo_node *members[2];
	struct topo_iface *ifaces[2];
	struct topo_iface *lower[2];
	struct ipaddr remotes[2]; /* member i's remote */
	bool ready;		  /* validated: remotes[] are known */
};

static const char *const geneve_keys[] = {"vni", "members", "dev", "remote", "port",
					  "ttl", "mtu",	    "mac", NULL};

static struct geneve *gn_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct geneve *g = xcalloc(1, sizeof(*g));
		g->port = GENEVE_PORT;
		dev->priv = g;
	}
	return dev->priv;
}

static int geneve_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	struct geneve *g = gn_of(dev);
	bool pair = !dev->node_name;

	if (streq(key, "vni")) {
		g->vni_given = true;
		(void)kind_u32(key, value, 0, 16777215, loc, d, &g->vni);
	} else if (streq(key, "port")) {
		(void)kind_u32(key, value, 1, 65535, loc, d, &g->port);
	} else if (streq(key, "ttl")) {
		g->has_ttl = kind_u32(key, value, 1, 255, loc, d, &g->ttl) == 0;
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
	} else if (streq(key, "remote") && !pair) {
		g->remote_given = true;
		if (ipaddr_parse_host(value, &g->remote) < 0)
			diag_add(d, loc, "write an address such as 192.168.0.12", "bad remote '%s'",
				 value);
		else
			g->has_remote = true;
	} else if (streq(key, "mac") && !pair) {
		g->has_mac = kind_mac(value, loc, d, g->mac) == 0;
	} else if (streq(key, "members") || streq(key, "dev")) {
		diag_add(d, loc,
			 "write [geneve NAME] with 'members = A B' and 'dev = IF' for a pair; a "
			 "single end takes 'remote'",
			 "'%s' is for [geneve NAME], not [geneve NODE:NAME]", key);
	} else if (streq(key, "remote") || streq(key, "mac")) {
		diag_add(d, loc,
			 "a pair takes each remote from the other member's address on 'dev' (a MAC "
			 "with 'iface' in the node); for one end write [geneve NODE:NAME]",
			 "'%s' is for [geneve NODE:NAME], not a pair", key);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void geneve_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct geneve *g = gn_of(dev);

	if (pass != 0)
		return;
	if (dev->node_name) {
		if (!dev->node)
			return;
		g->members[0] = dev->node;
		g->n = 1;
	} else {
		if (!g->members_text) {
			diag_add(d, &dev->loc, "add 'members = A B', the two ends",
				 "[geneve %s] has no 'members'", dev->name);
			return;
		}
		struct topo_node *listed[256];
		int n = kind_members(lab, g->members_text, &g->members_loc, d, listed,
				     ARRAY_SIZE(listed));
		if (n < 0)
			return;
		if (n != 2) {
			diag_add(d, &g->members_loc,
				 n < 2
				     ? "list the two nodes it joins"
				     : "a Geneve device has one remote and no FDB to flood by: "
				       "write one [geneve NAME] per pair of members, or use [vxlan "
				       "NAME] for a segment",
				 "a Geneve tunnel joins exactly two nodes; 'members' lists %d", n);
			return;
		}
		g->members[0] = listed[0];
		g->members[1] = listed[1];
		g->n = 2;
	}
	for (size_t i = 0; i < g->n; i++) {
		g->ifaces[i] = topo_iface_add(g->members[i], dev->name, dev, &dev->loc, d);
		if (g->ifaces[i]) {
			g->ifaces[i]->mtu = g->mtu;
			g->ifaces[i]->has_mac = g->has_mac;
			memcpy(g->ifaces[i]->mac, g->mac, 6);
		}
	}
}

/* Member i's address on its underlay for the tunnel: IPv4 first. */
static const struct topo_addr *underlay_addr(const struct geneve *g, size_t i, int family)
{
	const struct topo_addr *a =
	    topo_iface_addr(g->members[i], g->lower[i], family ? family : AF_INET);
	if (!a && !family)
		a = topo_iface_addr(g->members[i], g->lower[i], AF_INET6);
	return a;
}

static void validate_pair(struct geneve *g, struct topo_dev *dev, struct diag *d)
{
	const struct topo_addr *a[2];
	char hint[192];

	for (size_t i = 0; i < 2; i++) {
		struct topo_node *m = g->members[i];
		g->lower[i] = topo_iface_find(m, g->dev_name);
		if (!g->lower[i]) {
			snprintf(hint, sizeof(hint), "link '%s:%s' to the underlay", m->name,
				 g->dev_name);
			diag_add(d, &dev->loc, hint, "member '%s' has no interface '%s'", m->name,
				 g->dev_name);
			return;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		struct topo_node *m = g->members[i];
		a[i] = underlay_addr(g, i, 0);
		if (!a[i] && m->bad_addr)
			return; /* its addr line has its own error */
		if (!a[i]) {
			snprintf(hint, sizeof(hint), "add 'addr = ... dev %s' to [node %s]",
				 g->dev_name, m->name);
			diag_add(d, &dev->loc, hint,
				 "member '%s' has no address on '%s' for the tunnel", m->name,
				 g->dev_name);
			return;
		}
	}
	if (a[0]->local.family != a[1]->local.family) {
		/* one with IPv4 only, one with IPv6 only: use what both have */
		for (size_t i = 0; i < 2; i++) {
			const struct topo_addr *o = underlay_addr(g, i, a[1 - i]->local.family);
			if (o) {
				a[i] = o;
				break;
			}
		}
	}
	if (a[0]->local.family != a[1]->local.family) {
		diag_add(d, &dev->loc, "give both members addresses of one family on the underlay",
			 "members '%s' and '%s' have no addresses of one family on '%s'",
			 g->members[0]->name, g->members[1]->name, g->dev_name);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		g->remotes[1 - i] = a[i]->local;
		g->remotes[1 - i].len = (uint8_t)ipaddr_maxlen(&a[i]->local);
	}
	g->ready = true;
}

static void geneve_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct geneve *g = gn_of(dev);

	if (!g->vni_given)
		diag_add(d, &dev->loc, "add 'vni = 42' (0 to 16777215)",
			 "[geneve %s%s%s] has no 'vni'", dev->node_name ? dev->node_name : "",
			 dev->node_name ? ":" : "", dev->name);
	if (dev->node_name) {
		if (!g->remote_given)
			diag_add(d, &dev->loc,
				 "add 'remote = ADDRESS', the other end's underlay address",
				 "[geneve %s:%s] has no 'remote'", dev->node_name, dev->name);
		if (g->has_remote) {
			g->remotes[0] = g->remote;
			g->ready = g->n == 1;
		}
	} else if (g->n == 2) {
		if (g->dev_name)
			validate_pair(g, dev, d);
		else if (!g->dev_given)
			diag_add(d, &dev->loc,
				 "add 'dev = eth0', the underlay interface of both members",
				 "[geneve %s] has no 'dev'", dev->name);
	}
	/* The kernel sizes the MTU by the route to the remote when the device
	 * is made; the plan makes devices before routes, so it would keep
	 * 1500 and the outer packets would not fit the underlay. Leave room
	 * for the outer headers, below the underlay's MTU where it is known. */
	for (size_t i = 0; g->ready && i < g->n; i++) {
		struct topo_iface *t = g->ifaces[i];
		if (!t || t->mtu)
			continue;
		uint32_t under = g->lower[i] && g->lower[i]->mtu ? g->lower[i]->mtu : 1500;
		t->mtu =
		    under - (g->remotes[i].family == AF_INET6 ? GENEVE6_OVERHEAD : GENEVE_OVERHEAD);
	}
}

static void geneve_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int geneve_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type geneve_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = geneve_print,
    .describe = plan_describe_link,
    .apply = geneve_apply,
};

static void geneve_plan(struct plan *p, struct topo_dev *dev)
{
	struct geneve *g = gn_of(dev);

	for (size_t i = 0; g->ready && i < g->n; i++) {
		if (!g->ifaces[i])
			return;
		plan_ifindex(p, g->ifaces[i]);
		size_t *member = plan_alloc(p, sizeof(*member));
		*member = i;
		struct step *s = plan_add(p, &geneve_step, g->members[i], member);
		s->dev = dev;
		s->loc = &dev->loc;
	}
}

static void geneve_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct geneve *g = s->dev->priv;
	size_t m = *(const size_t *)s->data;
	const struct topo_iface *i = g->ifaces[m];
	char buf[IPADDR_STRLEN], mac[18];

	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, i->name);
	if (i->has_mac)
		sbuf_addf(out, " address %s", mac_str(i->mac, mac));
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
	sbuf_addf(out, " up type geneve id %u remote %s dstport %u", g->vni,
		  ipaddr_str(&g->remotes[m], buf), g->port);
	if (g->has_ttl)
		sbuf_addf(out, " ttl %u", g->ttl);
	sbuf_adds(out, "\n");
}

static int geneve_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct geneve *g = s->dev->priv;
	size_t m = *(const size_t *)s->data;
	const struct ipaddr *r = &g->remotes[m];
	struct nl_link_msg msg;
	int e = nl_link_msg_begin(nl, g->ifaces[m], "geneve", 0, &msg);

	/* By hand: libnl 3.7 sends IFLA_GENEVE_PORT as 4 bytes, where the
	 * kernel reads 2 (and logs "attribute type 5 has an invalid length"). */
	if (e < 0)
		return e;
	if (nla_put_u32(msg.msg, IFLA_GENEVE_ID, g->vni) < 0 ||
	    nla_put(msg.msg, r->family == AF_INET6 ? IFLA_GENEVE_REMOTE6 : IFLA_GENEVE_REMOTE,
		    (int)ipaddr_bytes(r), r->a) < 0 ||
	    nla_put_u16(msg.msg, IFLA_GENEVE_PORT, htons((uint16_t)g->port)) < 0 ||
	    (g->has_ttl && nla_put_u8(msg.msg, IFLA_GENEVE_TTL, (uint8_t)g->ttl) < 0)) {
		nlmsg_free(msg.msg);
		return -ENOMEM;
	}
	return nl_link_msg_send(nl, nl_sk(nl, s->node), &msg, err);
}

static void geneve_free(struct topo_dev *dev)
{
	struct geneve *g = dev->priv;

	if (!g)
		return;
	free(g->dev_name);
	free(g->members_text);
	free(g);
}

static void geneve_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
			 struct strvec *fdbs)
{
	const struct geneve *g = dev->priv;
	char buf[IPADDR_STRLEN];

	for (size_t m = 0; g && g->ready && m < g->n; m++) {
		if (g->ifaces[m] != i)
			continue;
		vec_push(ret, xasprintf("vni %u", g->vni));
		vec_push(ret, xasprintf("remote %s", ipaddr_str(&g->remotes[m], buf)));
		vec_push(ret, xasprintf("port %u", g->port));
		if (g->has_ttl)
			vec_push(ret, xasprintf("ttl %u", g->ttl));
	}
}

/* The kernel's remote as an address (false: none). */
static bool remote_of(struct rtnl_link *l, struct ipaddr *ret)
{
	struct nl_addr *a = NULL;
	bool ok = false;

	if (rtnl_link_geneve_get_remote(l, &a) < 0 || !a)
		return false;
	if (!nl_addr_iszero(a) &&
	    (nl_addr_get_family(a) == AF_INET || nl_addr_get_family(a) == AF_INET6)) {
		memset(ret, 0, sizeof(*ret));
		ret->family = (uint8_t)nl_addr_get_family(a);
		ret->len = (uint8_t)ipaddr_maxlen(ret);
		memcpy(ret->a, nl_addr_get_binary_addr(a), ipaddr_bytes(ret));
		ok = true;
	}
	nl_addr_put(a);
	return ok;
}

static void geneve_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	uint32_t id = 0, port = GENEVE_PORT;
	struct ipaddr r;
	char buf[IPADDR_STRLEN];
	int ttl = rtnl_link_geneve_get_ttl(l);

	(void)rtnl_link_geneve_get_id(l, &id);
	(void)rtnl_link_geneve_get_port(l, &port);
	vec_push(ret, xasprintf("vni %u", id));
	if (remote_of(l, &r))
		vec_push(ret, xasprintf("remote %s", ipaddr_str(&r, buf)));
	vec_push(ret, xasprintf("port %u", port));
	if (ttl > 0)
		vec_push(ret, xasprintf("ttl %d", ttl));
}

static bool geneve_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	memset(t, 0, sizeof(*t));
	t->port = GENEVE_PORT;
	(void)rtnl_link_geneve_get_id(l, &t->id);
	(void)rtnl_link_geneve_get_port(l, &t->port);
	t->has_remote = remote_of(l, &t->remote);
	t->outer_proto = IPPROTO_UDP;
	t->outer_port = (uint16_t)t->port;
	snprintf(t->what, sizeof(t->what), "Geneve (VNI %u, UDP %u)", t->id, t->port);
	return true;
}

static const char *const geneve_graph_keys[] = {"vni", "port", NULL};

const struct link_kind kind_geneve = {
    .graph_keys = geneve_graph_keys,
    .name = "geneve",
    .section = "geneve",
    .title = "Geneve",
    .noun = "Geneve device",
    .keys = geneve_keys,
    .parse = geneve_parse,
    .declare = geneve_declare,
    .validate = geneve_validate,
    .plan = geneve_plan,
    .attrs = geneve_attrs,
    .read_attrs = geneve_read_attrs,
    .tunnel = geneve_tunnel,
    .probe_kind = "geneve",
    .probe_module = "geneve",
    .free = geneve_free,
};
