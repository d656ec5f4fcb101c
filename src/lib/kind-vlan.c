// SPDX-License-Identifier: MIT
/* 802.1Q (and 802.1ad) subinterfaces: [vlan NODE:eth0.100] with `link = IF`
 * (the parent: by default the name before the last '.'), `id = N` (by
 * default the number after it) and `protocol = 802.1Q|802.1ad`. A VLAN on
 * a VLAN (QinQ: eth0.100.10) is made after its parent. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netlink/route/link/vlan.h>

struct vlan {
	uint32_t id, mtu;
	bool has_id, id_given, ad, planned;
	bool looped; /* in a loop of parents reported at another VLAN */
	char *link_name;
	struct topo_iface *iface, *parent;
};

static const char *const vlan_keys[] = {"link", "id", "protocol", "mtu", NULL};

extern const struct link_kind kind_vlan;

static struct vlan *vlan_of(struct topo_dev *dev)
{
	if (!dev->priv)
		dev->priv = xcalloc(1, sizeof(struct vlan));
	return dev->priv;
}

static int vlan_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		      const struct topo_loc *loc, struct diag *d)
{
	struct vlan *v = vlan_of(dev);

	if (streq(key, "id")) {
		/* 0 and 4095 are reserved by 802.1Q */
		v->id_given = true;
		v->has_id = kind_u32(key, value, 1, 4094, loc, d, &v->id) == 0;
	} else if (streq(key, "link")) {
		const char *why = topo_ifname_error(value);
		if (why)
			diag_add(d, loc, "name the parent interface, e.g. 'link = eth0'",
				 "parent '%s' %s", value, why);
		else {
			free(v->link_name);
			v->link_name = xstrdup(value);
		}
	} else if (streq(key, "protocol")) {
		uint16_t proto;
		if (kind_vlan_protocol(key, value, loc, d, &proto) == 0)
			v->ad = proto == ETH_P_8021AD;
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &v->mtu);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

/* eth0.100 -> parent "eth0", id 100 */
static void defaults_from_name(struct topo_dev *dev, struct vlan *v)
{
	const char *dot = strrchr(dev->name, '.');
	uint32_t id;

	if (!dot || dot == dev->name)
		return;
	if (!v->has_id && parse_u32(dot + 1, 1, 4094, &id) == 0) {
		v->id = id;
		v->has_id = true;
	}
	if (!v->link_name)
		v->link_name = xstrndup(dev->name, (size_t)(dot - dev->name));
}

static void vlan_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct vlan *v = vlan_of(dev);

	if (pass != 0)
		return;
	if (!dev->node_name) {
		diag_add(d, &dev->loc,
			 "a VLAN subinterface belongs to a node: [vlan NODE:eth0.100]",
			 "[vlan %s] names no node", dev->name);
		return;
	}
	if (!dev->node)
		return;
	defaults_from_name(dev, v);
	v->iface = topo_iface_add(dev->node, dev->name, dev, &dev->loc, d);
	if (v->iface)
		v->iface->mtu = v->mtu;
}

static void vlan_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct vlan *v = vlan_of(dev);
	char hint[256];

	if (!v->iface || v->looped)
		return;
	if (!v->has_id) {
		if (v->id_given)
			return; /* a bad one, reported */
		diag_add(d, &dev->loc,
			 "add 'id = N' (1 to 4094), or name it IF.N: [vlan h1:eth0.100]",
			 "[vlan %s:%s] has no VLAN id", dev->node_name, dev->name);
		return;
	}
	if (!v->link_name) {
		diag_add(d, &dev->loc,
			 "add 'link = IF', its parent, or name it IF.N: [vlan h1:eth0.100]",
			 "[vlan %s:%s] has no parent", dev->node_name, dev->name);
		return;
	}
	v->parent = topo_iface_find(dev->node, v->link_name);
	if (!v->parent) {
		struct sbuf have = {0};
		vec_foreach (ip, &dev->node->ifaces)
			if (*ip != v->iface && (*ip)->dev && !(*ip)->dev->kind->layer3)
				sbuf_addf(&have, "%s%s", have.len ? ", " : "", (*ip)->name);
		snprintf(hint, sizeof(hint), "a link or a section must make '%s' in node '%s'%s%s",
			 v->link_name, dev->node->name, have.len ? "; it has: " : "",
			 have.len ? have.s : "");
		sbuf_free(&have);
		diag_add(d, &dev->loc, hint,
			 "[vlan %s:%s]: parent '%s' is not an interface of '%s'", dev->node_name,
			 dev->name, v->link_name, dev->node->name);
		return;
	}
	if (v->parent->dev && v->parent->dev->kind->layer3) {
		snprintf(hint, sizeof(hint),
			 "put it on an Ethernet device (a veth, bridge, VXLAN)");
		diag_add(d, &dev->loc, hint, "[vlan %s:%s]: '%s' carries no Ethernet frames to tag",
			 dev->node_name, dev->name, v->parent->name);
		v->parent = NULL;
		return;
	}
	if (v->parent->dev && v->parent->dev->kind != &kind_vlan &&
	    kind_order(v->parent->dev->kind) > kind_order(&kind_vlan)) {
		snprintf(hint, sizeof(hint),
			 "nslab makes VLANs before %ss: put it on a link's end, a bridge, a dummy, "
			 "Geneve or gretap device, or another VLAN",
			 v->parent->dev->kind->noun);
		diag_add(d, &dev->loc, hint, "[vlan %s:%s]: its parent '%s' is made after it",
			 dev->node_name, dev->name, v->parent->name);
		v->parent = NULL;
		return;
	}
	uint32_t pmtu = v->parent->mtu ? v->parent->mtu
			: v->parent->dev ? v->parent->dev->kind->default_mtu
					 : 0;
	if (v->mtu && pmtu && v->mtu > pmtu) {
		snprintf(hint, sizeof(hint), "use an MTU of at most %u, or raise that of '%s'", pmtu,
			 v->parent->name);
		diag_add(d, &dev->loc, hint, "VLAN '%s' has MTU %u, more than its '%s' (%u)",
			 dev->name, v->mtu, v->parent->name, pmtu);
		v->parent = NULL;
		return;
	}
	/* a parent that is a VLAN of ours: no loop back to this one (nor
	 * round a loop of others: at most as many steps as the node has
	 * interfaces) */
	size_t steps = 0;
	for (const struct topo_iface *p = v->parent; p && p->dev && p->dev->kind == &kind_vlan;
	     steps++) {
		if (steps > dev->node->ifaces.n)
			return; /* a loop of other VLANs: reported at one of them */
		struct vlan *pv = p->dev->priv;
		if (p == v->iface) {
			diag_add(d, &dev->loc, "a VLAN's parent chain must end at a real device",
				 "[vlan %s:%s]: its parents loop", dev->node_name, dev->name);
			/* once for the loop: its other VLANs stay quiet */
			for (const struct topo_iface *q = v->parent; q != v->iface;) {
				struct vlan *qv = q->dev->priv;
				qv->looped = true;
				q = qv->parent ? qv->parent
					       : topo_iface_find(q->node, qv->link_name);
			}
			v->parent = NULL;
			return;
		}
		p = pv->parent	    ? pv->parent
		    : pv->link_name ? topo_iface_find(p->node, pv->link_name)
				    : NULL;
	}
	vec_foreach (dp, &lab->devs) {
		const struct vlan *o = (*dp)->priv;
		if (*dp == dev)
			break;
		if ((*dp)->kind == &kind_vlan && o && o->parent == v->parent && o->id == v->id &&
		    o->ad == v->ad) {
			snprintf(hint, sizeof(hint),
				 "one subinterface per VLAN id and parent; '%s' has it",
				 (*dp)->name);
			diag_add(d, &dev->loc, hint, "VLAN %u on '%s' is already made (line %u)",
				 v->id, v->parent->name, (*dp)->loc.line);
			v->parent = NULL;
			return;
		}
	}
}

static void vlan_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int vlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type vlan_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = vlan_print,
    .describe = plan_describe_link,
    .apply = vlan_apply,
};

static void vlan_plan(struct plan *p, struct topo_dev *dev)
{
	struct vlan *v = vlan_of(dev);

	if (v->planned || !v->iface || !v->parent)
		return;
	/* QinQ: the parent VLAN first, whatever the order of the sections */
	if (v->parent->dev && v->parent->dev->kind == &kind_vlan)
		vlan_plan(p, v->parent->dev);
	v->planned = true;
	plan_ifindex(p, v->iface);
	struct step *s = plan_add(p, &vlan_step, dev->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
}

static void vlan_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct vlan *v = s->dev->priv;
	char mac[18];

	sbuf_addf(out, "ip -n %s link add link %s name %s", s->node->netns, v->parent->name,
		  v->iface->name);
	if (v->iface->has_mac)
		sbuf_addf(out, " address %s", mac_str(v->iface->mac, mac));
	if (v->iface->mtu)
		sbuf_addf(out, " mtu %u", v->iface->mtu);
	sbuf_addf(out, " up type vlan%s id %u\n", v->ad ? " protocol 802.1ad" : "", v->id);
}

static int vlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct vlan *v = s->dev->priv;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_vlan_alloc();

	if (!link)
		return -ENOMEM;
	nl_link_setup(nl, link, v->iface);
	rtnl_link_set_link(link, (int)nl_ifindex(nl, v->parent));
	rtnl_link_set_flags(link, IFF_UP);
	rtnl_link_vlan_set_id(link, (uint16_t)v->id);
	/* libnl takes the protocol in network byte order */
	if (v->ad)
		rtnl_link_vlan_set_protocol(link, htons(ETH_P_8021AD));
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

static void vlan_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		       struct strvec *fdbs)
{
	const struct vlan *v = dev->priv;

	if (!v->parent)
		return;
	vec_push(ret, xasprintf("link %s", v->parent->name));
	vec_push(ret, xasprintf("id %u", v->id));
	if (v->ad)
		vec_push(ret, xstrdup("protocol 802.1ad"));
}

static void vlan_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	char name[IFNAMSIZ];

	if (rtnl_link_i2name(links, rtnl_link_get_link(l), name, sizeof(name)))
		vec_push(ret, xasprintf("link %s", name));
	vec_push(ret, xasprintf("id %d", rtnl_link_vlan_get_id(l)));
	if (ntohs((uint16_t)rtnl_link_vlan_get_protocol(l)) == ETH_P_8021AD)
		vec_push(ret, xstrdup("protocol 802.1ad"));
}

static void vlan_free(struct topo_dev *dev)
{
	struct vlan *v = dev->priv;

	if (!v)
		return;
	free(v->link_name);
	free(v);
}

const struct link_kind kind_vlan = {
    .name = "vlan",
    .section = "vlan",
    .title = "VLAN (802.1Q)",
    .noun = "VLAN subinterface",
    .keys = vlan_keys,
    .parse = vlan_parse,
    .declare = vlan_declare,
    .validate = vlan_validate,
    .plan = vlan_plan,
    .probe_kind = "vlan",
    .probe_module = "8021q",
    .attrs = vlan_attrs,
    .read_attrs = vlan_read_attrs,
    .free = vlan_free,
};
