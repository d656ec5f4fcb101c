// SPDX-License-Identifier: MIT
/* VRF (l3mdev). [vrf NODE:NAME] with `table = N` and `ports = IF...`: a
 * device NAME in NODE whose ports route in table N, apart from the node's
 * main table; the kernel puts their connected and local routes there and
 * adds the l3mdev rule (priority 1000) with the node's first VRF. The
 * ports go in with the core's step_port, once every device exists. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <linux/rtnetlink.h>
#include <netlink/route/link/vrf.h>

struct vrf {
	uint32_t table;
	bool table_given; /* even with a bad value (reported then): not "missing" too */
	char *ports_text;
	struct topo_loc ports_loc; /* the ports' master_loc points here */
	struct topo_iface *iface;
};

static const char *const vrf_keys[] = {"table", "ports", NULL};

static struct vrf *vrf_of(struct topo_dev *dev)
{
	if (!dev->priv)
		dev->priv = xcalloc(1, sizeof(struct vrf));
	return dev->priv;
}

static int vrf_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		     const struct topo_loc *loc, struct diag *d)
{
	struct vrf *v = vrf_of(dev);
	uint32_t t;

	if (streq(key, "table")) {
		v->table_given = true;
		if (kind_u32(key, value, 1, UINT32_MAX, loc, d, &t) < 0)
			return KIND_KEY_OK;
		if (t == RT_TABLE_DEFAULT || t == RT_TABLE_MAIN || t == RT_TABLE_LOCAL) {
			diag_add(
			    d, loc,
			    "tables 253, 254 and 255 are the kernel's default, main and local; "
			    "give the VRF one of its own, e.g. 'table = 10'",
			    "table %u is not a VRF's table", t);
			return KIND_KEY_OK;
		}
		v->table = t;
	} else if (streq(key, "ports")) {
		free(v->ports_text);
		v->ports_text = xstrdup(value);
		v->ports_loc = *loc;
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static bool refuse_port(const struct topo_iface *master, const struct topo_iface *port,
			struct sbuf *why)
{
	if (kind_table_of(port))
		sbuf_addf(why, "port '%s' is a VRF itself\na VRF's ports are its node's links, not "
			       "other VRFs",
			  port->name);
	return why->len > 0;
}

static void vrf_ports(struct topo_dev *dev, struct vrf *v, struct diag *d)
{
	kind_take_ports(dev, v->iface, v->ports_text, &v->ports_loc, d, refuse_port);
}

static void vrf_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct vrf *v = vrf_of(dev);
	char hint[160];

	if (!dev->node_name) {
		if (pass == 0) {
			snprintf(hint, sizeof(hint),
				 "a VRF belongs to one node: write [vrf NODE:%s]", dev->name);
			diag_add(d, &dev->loc, hint, "[vrf %s] names no node", dev->name);
		}
		return;
	}
	if (!dev->node)
		return; /* unknown node, reported already */
	if (pass == 0) {
		v->iface = topo_iface_add(dev->node, dev->name, dev, &dev->loc, d);
		return;
	}
	/* pass 1: every interface of the node has its name now */
	if (v->iface && v->ports_text)
		vrf_ports(dev, v, d);
}

static void vrf_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct vrf *v = vrf_of(dev);
	char hint[160];

	if (!v->iface)
		return;
	if (!v->table_given) {
		diag_add(d, &dev->loc,
			 "add 'table = 10', the routing table of its ports (any but 253, 254, 255)",
			 "[vrf %s:%s] has no 'table'", dev->node_name, dev->name);
		return;
	}
	if (!v->table)
		return;
	/* The kernel takes two VRFs on one table, and then they are one:
	 * each one's routes leak into the other. */
	vec_foreach (op, &lab->devs) {
		struct topo_dev *o = *op;
		if (o == dev)
			break;
		if (o->kind != dev->kind || o->node != dev->node || !o->priv)
			continue;
		const struct vrf *ov = o->priv;
		if (ov->table != v->table)
			continue;
		snprintf(hint, sizeof(hint), "give each VRF its own table ('%s' is at line %u)",
			 o->name, o->loc.line);
		diag_add(d, &dev->loc, hint, "VRFs '%s' and '%s' of node '%s' share table %u",
			 o->name, dev->name, dev->node->name, v->table);
	}
}

static void vrf_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int vrf_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type vrf_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = vrf_print,
    .describe = plan_describe_link,
    .apply = vrf_apply,
};

static void vrf_plan(struct plan *p, struct topo_dev *dev)
{
	struct vrf *v = vrf_of(dev);

	if (!v->iface)
		return;
	plan_ifindex(p, v->iface);
	struct step *s = plan_add(p, &vrf_step, dev->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
}

static void vrf_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct vrf *v = s->dev->priv;

	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, v->iface->name);
	if (v->iface->mtu)
		sbuf_addf(out, " mtu %u", v->iface->mtu);
	sbuf_addf(out, " up type vrf table %u\n", v->table);
}

static int vrf_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct vrf *v = s->dev->priv;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_vrf_alloc();

	if (!link)
		return -ENOMEM;
	nl_link_setup(nl, link, v->iface);
	rtnl_link_set_flags(link, IFF_UP);
	(void)rtnl_link_vrf_set_tableid(link, v->table);
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

static void vrf_free(struct topo_dev *dev)
{
	struct vrf *v = dev->priv;

	if (!v)
		return;
	free(v->ports_text);
	free(v);
}

static uint32_t vrf_table(const struct topo_iface *i)
{
	const struct vrf *v = i->dev->priv;

	return v && v->iface == i ? v->table : 0;
}

static uint32_t vrf_read_table(struct rtnl_link *l)
{
	uint32_t t = 0;

	return rtnl_link_vrf_get_tableid(l, &t) == 0 ? t : 0;
}

static void vrf_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		      struct strvec *fdbs)
{
	const struct vrf *v = dev->priv;

	if (v && v->iface == i)
		vec_push(ret, xasprintf("table %u", v->table));
}

static void vrf_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	vec_push(ret, xasprintf("table %u", vrf_read_table(l)));
}

const struct link_kind kind_vrf = {
    .name = "vrf",
    .section = "vrf",
    .title = "VRF",
    .noun = "VRF device",
    .layer3 = true,
    /* the kernel's VRF takes the largest MTU (IP6_MAX_MTU): it only
     * hands packets on to its ports */
    .default_mtu = 65575,
    .keys = vrf_keys,
    .parse = vrf_parse,
    .declare = vrf_declare,
    .validate = vrf_validate,
    .plan = vrf_plan,
    .probe_kind = "vrf",
    .probe_module = "vrf",
    .attrs = vrf_attrs,
    .read_attrs = vrf_read_attrs,
    .table = vrf_table,
    .read_table = vrf_read_table,
    .free = vrf_free,
};
