// SPDX-License-Identifier: MIT
/* [vxlan NAME] with `members`: one segment, a device NAME in every member,
 * point to point for two members, head-end replication (all-zero FDB
 * entries towards every other member) for more. [vxlan NODE:NAME]: one
 * device set up by hand (flannel's flannel.1 is one of these). */
#include "apply.h"
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <netlink/route/link/vxlan.h>

#define VXLAN_PORT 4789 /* IANA; the kernel's default is 8472, so always set it */
/* Outer Ethernet, IP, UDP and VXLAN headers: the kernel's VXLAN_HEADROOM
 * and VXLAN6_HEADROOM. */
#define VXLAN_OVERHEAD 50
#define VXLAN6_OVERHEAD 70
/* A step's data: member's device, or with flood its entry for the
 * flooding of unknown destinations to member `to`. */
struct vx_step {
	size_t member, to;
	bool flood;
};
#define VX_MEMBERS_MAX 256

struct vxlan {
	uint32_t vni, port, ttl, mtu;
	bool has_vni, has_ttl, learning, has_local, has_remote, has_mac;
	/* given, even with a bad value (reported then): not "missing" too */
	bool vni_given, dev_given, local_given;
	struct ipaddr local, remote;
	uint8_t mac[6];
	char *dev_name; /* underlay */
	char *members_text;
	struct topo_loc members_loc;
	size_t n;
	struct topo_node *members[VX_MEMBERS_MAX];
	struct topo_iface *ifaces[VX_MEMBERS_MAX];
	struct topo_iface *lower[VX_MEMBERS_MAX];
	struct ipaddr locals[VX_MEMBERS_MAX];
};

static const char *const vxlan_keys[] = {"vni",      "port", "dev", "local", "remote", "members",
					 "learning", "ttl",  "mtu", "mac",   NULL};

static struct vxlan *vx_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct vxlan *v = xcalloc(1, sizeof(*v));
		v->port = VXLAN_PORT;
		v->learning = true;
		dev->priv = v;
	}
	return dev->priv;
}

static int vxlan_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		       const struct topo_loc *loc, struct diag *d)
{
	struct vxlan *v = vx_of(dev);
	bool segment = !dev->node_name;

	if (streq(key, "vni")) {
		v->vni_given = true;
		v->has_vni = kind_u32(key, value, 0, 16777215, loc, d, &v->vni) == 0;
	} else if (streq(key, "port")) {
		(void)kind_u32(key, value, 1, 65535, loc, d, &v->port);
	} else if (streq(key, "ttl")) {
		v->has_ttl = kind_u32(key, value, 1, 255, loc, d, &v->ttl) == 0;
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &v->mtu);
	} else if (streq(key, "learning")) {
		(void)kind_bool(key, value, loc, d, &v->learning);
	} else if (streq(key, "dev")) {
		const char *why = topo_ifname_error(value);
		v->dev_given = true;
		if (why)
			diag_add(d, loc, "name the underlay interface, e.g. 'dev = eth0'",
				 "underlay device '%s' %s", value, why);
		else
			v->dev_name = xstrdup(value);
	} else if (streq(key, "members") && segment) {
		v->members_text = xstrdup(value);
		v->members_loc = *loc;
	} else if ((streq(key, "local") || streq(key, "remote") || streq(key, "mac")) && segment) {
		diag_add(d, loc,
			 "a segment takes each member's address on 'dev'; for one device write "
			 "[vxlan NODE:NAME]",
			 "'%s' is for [vxlan NODE:NAME], not a segment", key);
	} else if (streq(key, "members")) {
		diag_add(d, loc, "write [vxlan NAME] with 'members = A B C' for a segment",
			 "'members' is for a segment [vxlan NAME], not [vxlan NODE:NAME]");
	} else if (streq(key, "local") || streq(key, "remote")) {
		struct ipaddr *a = streq(key, "local") ? &v->local : &v->remote;
		v->local_given |= streq(key, "local");
		if (ipaddr_parse_host(value, a) < 0)
			diag_add(d, loc, "write an address such as 192.168.0.11", "bad %s '%s'",
				 key, value);
		else if (streq(key, "local"))
			v->has_local = true;
		else
			v->has_remote = true;
	} else if (streq(key, "mac")) {
		if (mac_parse(value, v->mac) < 0 || (v->mac[0] & 1))
			diag_add(d, loc, "write a unicast MAC such as 0a:58:0a:f4:01:00",
				 "bad MAC address '%s'", value);
		else
			v->has_mac = true;
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void vxlan_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct vxlan *v = vx_of(dev);

	if (pass != 0)
		return;
	if (dev->node_name) {
		if (!dev->node)
			return;
		v->members[0] = dev->node;
		v->n = 1;
	} else {
		if (!v->members_text) {
			diag_add(d, &dev->loc, "add 'members = NODE NODE ...'",
				 "[vxlan %s] has no 'members'", dev->name);
			return;
		}
		int n = kind_members(lab, v->members_text, &v->members_loc, d, v->members,
				     VX_MEMBERS_MAX);
		if (n < 0)
			return;
		if (n < 2) {
			diag_add(d, &v->members_loc, "list at least two nodes",
				 "a VXLAN segment needs two or more members");
			return;
		}
		v->n = (size_t)n;
	}
	for (size_t i = 0; i < v->n; i++) {
		v->ifaces[i] = topo_iface_add(v->members[i], dev->name, dev, &dev->loc, d);
		if (v->ifaces[i]) {
			v->ifaces[i]->mtu = v->mtu;
			v->ifaces[i]->has_mac = v->has_mac;
			memcpy(v->ifaces[i]->mac, v->mac, 6);
		}
	}
}

static void vxlan_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct vxlan *v = vx_of(dev);
	char hint[192];

	if (!v->vni_given)
		diag_add(d, &dev->loc, "add 'vni = 42' (0 to 16777215)", "[vxlan %s%s%s] has no 'vni'",
			 dev->node_name ? dev->node_name : "", dev->node_name ? ":" : "", dev->name);
	if (!v->dev_name && !dev->node_name) {
		if (!v->dev_given)
			diag_add(d, &dev->loc, "add 'dev = eth0', the members' underlay interface",
				 "[vxlan %s] has no 'dev'", dev->name);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		struct topo_node *m = v->members[i];
		if (!v->ifaces[i])
			return;
		if (v->dev_name) {
			v->lower[i] = topo_iface_find(m, v->dev_name);
			if (!v->lower[i]) {
				snprintf(hint, sizeof(hint), "link '%s:%s' to the underlay", m->name,
					 v->dev_name);
				diag_add(d, &dev->loc, hint, "member '%s' has no interface '%s'",
					 m->name, v->dev_name);
				continue;
			}
		}
		if (dev->node_name && v->has_local) {
			v->locals[i] = v->local;
			continue;
		}
		const struct topo_addr *a = v->lower[i] ? topo_iface_addr(m, v->lower[i], AF_INET) : NULL;
		if (!a && v->lower[i])
			a = topo_iface_addr(m, v->lower[i], AF_INET6);
		/* a bad 'dev' or 'local' is reported already: not "missing" too */
		if (!a && ((v->dev_given && !v->dev_name) || (v->local_given && !v->has_local)))
			continue;
		if (!a && m->bad_addr)
			continue; /* its addr line has its own error */
		if (!a) {
			snprintf(hint, sizeof(hint), "add 'addr = ... dev %s' to [node %s]%s",
				 v->dev_name ? v->dev_name : "IF", m->name,
				 dev->node_name ? ", or 'local = ADDRESS' here" : "");
			if (v->dev_name)
				diag_add(d, &dev->loc, hint,
					 "member '%s' has no address on '%s' for the VXLAN local address",
					 m->name, v->dev_name);
			else
				diag_add(d, &dev->loc, "add 'local = ADDRESS' or 'dev = IF'",
					 "[vxlan %s:%s] needs 'local' or 'dev'", m->name, dev->name);
			continue;
		}
		v->locals[i] = a->local;
		v->locals[i].len = ipaddr_maxlen(&a->local);
	}
	/* Without an underlay device the kernel does not know the headroom
	 * and keeps 1500: make room for the outer headers of the local
	 * address's family. With dev, the kernel takes dev's MTU minus the
	 * same overhead. */
	for (size_t i = 0; i < v->n; i++)
		if (v->ifaces[i] && !v->lower[i] && !v->ifaces[i]->mtu)
			v->ifaces[i]->mtu = 1500 - (v->locals[i].family == AF_INET6 ? VXLAN6_OVERHEAD
										       : VXLAN_OVERHEAD);
	if (dev->node_name && v->has_remote && v->has_local && v->remote.family != v->local.family)
		diag_add(d, &dev->loc, "use addresses of one family", "local and remote differ in family");
}

static void vxlan_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int vxlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type vxlan_step = {
	.name = "link",
	.group = STEP_GROUP_LINKS,
	.print = vxlan_print,
	.describe = plan_describe_link,
	.apply = vxlan_apply,
};

static void vxlan_plan(struct plan *p, struct topo_dev *dev)
{
	struct vxlan *v = vx_of(dev);

	for (size_t i = 0; i < v->n; i++) {
		if (!v->ifaces[i])
			return;
		plan_ifindex(p, v->ifaces[i]);
		struct vx_step *x = plan_alloc(p, sizeof(*x));
		x->member = i;
		struct step *s = plan_add(p, &vxlan_step, v->members[i], x);
		s->dev = dev;
		s->loc = &dev->loc;
	}
	if (v->n < 3)
		return;
	for (size_t i = 0; i < v->n; i++)
		for (size_t j = 0; j < v->n; j++) {
			if (i == j)
				continue;
			struct vx_step *x = plan_alloc(p, sizeof(*x));
			*x = (struct vx_step){.member = i, .to = j, .flood = true};
			struct step *s = plan_add(p, &vxlan_step, v->members[i], x);
			s->dev = dev;
			s->loc = &dev->loc;
		}
}

/* The remote of member i, for a point-to-point device (or NULL). */
static const struct ipaddr *vx_remote(const struct vxlan *v, size_t i)
{
	if (v->n == 2)
		return &v->locals[1 - i];
	if (v->n == 1 && v->has_remote)
		return &v->remote;
	return NULL;
}

static void vxlan_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	struct vxlan *v = s->dev->priv;
	char buf[IPADDR_STRLEN], mac[18];

	const struct vx_step *x = s->data;
	if (x->flood) {
		sbuf_addf(out, "bridge -n %s fdb append 00:00:00:00:00:00 dev %s dst %s self permanent\n",
			  s->node->netns, s->dev->name, ipaddr_str(&v->locals[x->to], buf));
		return;
	}
	size_t i = x->member;
	const struct topo_iface *dev = v->ifaces[i];
	const struct ipaddr *remote = vx_remote(v, i);
	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, dev->name);
	if (dev->has_mac)
		sbuf_addf(out, " address %s", mac_str(dev->mac, mac));
	if (dev->mtu)
		sbuf_addf(out, " mtu %u", dev->mtu);
	sbuf_addf(out, " up type vxlan id %u", v->vni);
	if (remote)
		sbuf_addf(out, " remote %s", ipaddr_str(remote, buf));
	if (v->locals[i].family)
		sbuf_addf(out, " local %s", ipaddr_str(&v->locals[i], buf));
	if (v->lower[i])
		sbuf_addf(out, " dev %s", v->lower[i]->name);
	sbuf_addf(out, " dstport %u", v->port);
	if (v->has_ttl)
		sbuf_addf(out, " ttl %u", v->ttl);
	if (!v->learning)
		sbuf_adds(out, " nolearning");
	sbuf_adds(out, "\n");
}

static int vxlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	struct vxlan *v = s->dev->priv;

	const struct vx_step *x = s->data;
	if (x->flood) {
		static const uint8_t zero[6];
		return nl_fdb_add(nl, nl_sk(nl, s->node), nl_ifindex(nl, v->ifaces[x->member]), zero,
				  &v->locals[x->to], true, err);
	}
	size_t i = x->member;
	const struct topo_iface *dev = v->ifaces[i];
	const struct ipaddr *remote = vx_remote(v, i);
	_cleanup_link_ struct rtnl_link *link = rtnl_link_vxlan_alloc();
	_cleanup_nladdr_ struct nl_addr *local = NULL, *group = NULL;

	if (!link)
		return -ENOMEM;
	nl_link_setup(nl, link, dev);
	rtnl_link_set_flags(link, IFF_UP);
	rtnl_link_vxlan_set_id(link, v->vni);
	/* libnl converts to network order; the kernel default would be 8472 */
	rtnl_link_vxlan_set_port(link, v->port);
	if (v->lower[i])
		rtnl_link_vxlan_set_link(link, nl_ifindex(nl, v->lower[i]));
	if (v->locals[i].family) {
		local = nl_addr_from(&v->locals[i], false);
		rtnl_link_vxlan_set_local(link, local);
	}
	if (remote) {
		/* IFLA_VXLAN_GROUP holds a unicast remote too, as `ip` sends it */
		group = nl_addr_from(remote, false);
		rtnl_link_vxlan_set_group(link, group);
	}
	if (v->has_ttl)
		rtnl_link_vxlan_set_ttl(link, (uint8_t)v->ttl);
	if (!v->learning)
		rtnl_link_vxlan_disable_learning(link);
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

static void vxlan_free(struct topo_dev *dev)
{
	struct vxlan *v = dev->priv;

	if (!v)
		return;
	free(v->dev_name);
	free(v->members_text);
	free(v);
}

static void vxlan_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
			struct strvec *fdbs)
{
	const struct vxlan *v = vx_of((struct topo_dev *)dev);
	char buf[IPADDR_STRLEN];
	size_t m = 0;

	while (m < v->n && v->ifaces[m] != i)
		m++;
	if (m == v->n)
		return;
	const struct ipaddr *remote = vx_remote(v, m);
	vec_push(ret, xasprintf("vni %u", v->vni));
	vec_push(ret, xasprintf("port %u", v->port));
	if (v->locals[m].family)
		vec_push(ret, xasprintf("local %s", ipaddr_str(&v->locals[m], buf)));
	if (remote)
		vec_push(ret, xasprintf("remote %s", ipaddr_str(remote, buf)));
	if (v->lower[m])
		vec_push(ret, xasprintf("dev %s", v->lower[m]->name));
	if (v->has_ttl)
		vec_push(ret, xasprintf("ttl %u", v->ttl));
	vec_push(ret, xstrdup(v->learning ? "learning yes" : "learning no"));
	for (size_t j = 0; v->n >= 3 && j < v->n; j++)
		if (j != m)
			vec_push(fdbs, xasprintf("00:00:00:00:00:00 dev %s dst %s", i->name,
						 ipaddr_str(&v->locals[j], buf)));
}

static void vxlan_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	uint32_t id = 0, port = 0, lower = 0;
	struct nl_addr *a = NULL;
	char buf[64];

	(void)rtnl_link_vxlan_get_id(l, &id);
	(void)rtnl_link_vxlan_get_port(l, &port);
	vec_push(ret, xasprintf("vni %u", id));
	vec_push(ret, xasprintf("port %u", port));
	if (rtnl_link_vxlan_get_local(l, &a) == 0 && a) {
		if (!nl_addr_iszero(a))
			vec_push(ret, xasprintf("local %s", nl_addr2str(a, buf, sizeof(buf))));
		nl_addr_put(a);
	}
	a = NULL;
	if (rtnl_link_vxlan_get_group(l, &a) == 0 && a) {
		const uint8_t *b = nl_addr_get_binary_addr(a);
		bool mc = nl_addr_get_family(a) == AF_INET ? (b[0] & 0xf0) == 0xe0 : b[0] == 0xff;
		if (!nl_addr_iszero(a))
			vec_push(ret, xasprintf("%s %s", mc ? "group" : "remote", nl_addr2str(a, buf, sizeof(buf))));
		nl_addr_put(a);
	}
	if (rtnl_link_vxlan_get_link(l, &lower) == 0 && lower)
		vec_push(ret, xasprintf("dev %s", rtnl_link_i2name(links, (int)lower, buf, sizeof(buf))));
	uint32_t ttl = 0;
	if (rtnl_link_vxlan_get_ttl(l) > 0 && (ttl = (uint32_t)rtnl_link_vxlan_get_ttl(l)))
		vec_push(ret, xasprintf("ttl %u", ttl));
	vec_push(ret, xstrdup(rtnl_link_vxlan_get_learning(l) > 0 ? "learning yes" : "learning no"));
}

static bool addr_of(struct nl_addr *a, struct ipaddr *ret)
{
	if (!a || nl_addr_iszero(a) || (nl_addr_get_family(a) != AF_INET && nl_addr_get_family(a) != AF_INET6)) {
		if (a)
			nl_addr_put(a);
		return false;
	}
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)nl_addr_get_family(a);
	ret->len = (uint8_t)ipaddr_maxlen(ret);
	memcpy(ret->a, nl_addr_get_binary_addr(a), ipaddr_bytes(ret));
	nl_addr_put(a);
	return true;
}

static bool vxlan_tunnel(struct rtnl_link *l, struct kind_tunnel *t)
{
	struct nl_addr *a = NULL;

	memset(t, 0, sizeof(*t));
	(void)rtnl_link_vxlan_get_id(l, &t->id);
	(void)rtnl_link_vxlan_get_port(l, &t->port);
	if (!t->port)
		t->port = 8472; /* the kernel's own default */
	if (rtnl_link_vxlan_get_group(l, &a) == 0)
		t->has_remote = addr_of(a, &t->remote);
	a = NULL;
	if (rtnl_link_vxlan_get_local(l, &a) == 0)
		t->has_local = addr_of(a, &t->local);
	t->fdb_remotes = true;
	t->outer_proto = IPPROTO_UDP;
	t->outer_port = (uint16_t)t->port;
	snprintf(t->what, sizeof(t->what), "VXLAN (VNI %u, UDP %u)", t->id, t->port);
	return true;
}

static const char *const vxlan_graph_keys[] = {"vni", "port", NULL};

const struct link_kind kind_vxlan = {
	.graph_keys = vxlan_graph_keys,
	.tunnel = vxlan_tunnel,
	.attrs = vxlan_attrs,
	.read_attrs = vxlan_read_attrs,
	.name = "vxlan",
	.section = "vxlan",
	.noun = "VXLAN device",
	.fdb_remote = true,
	.keys = vxlan_keys,
	.parse = vxlan_parse,
	.declare = vxlan_declare,
	.validate = vxlan_validate,
	.plan = vxlan_plan,
	.probe_kind = "vxlan",
	.probe_module = "vxlan",
	.free = vxlan_free,
};

int kind_vxlan_probe(void)
{
	return apply_probe_kind(kind_vxlan.probe_kind);
}
