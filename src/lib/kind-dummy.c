// SPDX-License-Identifier: MIT
/* [dummy NODE:NAME]: a device that only holds addresses (a router ID, a
 * service address announced by routing). It is always up and drops what
 * is sent out of it; what is sent to its addresses is the node's. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

struct dummy {
	uint32_t mtu;
	bool has_mac;
	uint8_t mac[6];
	struct topo_iface *iface;
};

static const char *const dummy_keys[] = {"mtu", "mac", NULL};

static struct dummy *dummy_of(struct topo_dev *dev)
{
	if (!dev->priv)
		dev->priv = xcalloc(1, sizeof(struct dummy));
	return dev->priv;
}

static int dummy_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		       const struct topo_loc *loc, struct diag *d)
{
	struct dummy *m = dummy_of(dev);

	if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &m->mtu);
	} else if (streq(key, "mac")) {
		m->has_mac = kind_mac(value, loc, d, m->mac) == 0;
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void dummy_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct dummy *m = dummy_of(dev);

	if (pass == 0)
		m->iface = kind_node_iface(dev, m->mtu, m->has_mac ? m->mac : NULL, d);
}

static void dummy_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int dummy_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type dummy_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = dummy_print,
    .describe = plan_describe_link,
    .apply = dummy_apply,
};

static void dummy_plan(struct plan *p, struct topo_dev *dev)
{
	struct dummy *m = dummy_of(dev);

	if (!m->iface)
		return;
	plan_ifindex(p, m->iface);
	struct step *s = plan_add(p, &dummy_step, dev->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
}

static void dummy_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_iface *i = ((struct dummy *)s->dev->priv)->iface;
	char mac[18];

	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, i->name);
	if (i->has_mac)
		sbuf_addf(out, " address %s", mac_str(i->mac, mac));
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
	sbuf_adds(out, " up type dummy\n");
}

static int dummy_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_iface *i = ((struct dummy *)s->dev->priv)->iface;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_alloc();

	/* libnl has no dummy module: the kind alone is the whole request */
	if (!link || rtnl_link_set_type(link, "dummy") < 0)
		return -ENOMEM;
	nl_link_setup(nl, link, i);
	rtnl_link_set_flags(link, IFF_UP);
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

static void dummy_free(struct topo_dev *dev)
{
	free(dev->priv);
}

const struct link_kind kind_dummy = {
    .name = "dummy",
    .section = "dummy",
    .noun = "dummy device",
    .default_mtu = 1500,
    .keys = dummy_keys,
    .parse = dummy_parse,
    .declare = dummy_declare,
    .plan = dummy_plan,
    .probe_kind = "dummy",
    .probe_module = "dummy",
    .free = dummy_free,
};
