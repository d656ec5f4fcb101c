// SPDX-License-Identifier: MIT
/* [bridge NAME] in the lab's switch namespace, [bridge NODE:NAME] in a node. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <linux/if_link.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

struct bridge {
	bool stp;
	uint32_t mtu;
	struct topo_iface *iface;
};

static const char *const bridge_keys[] = {"stp", "mtu", NULL};

static int bridge_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	struct bridge *b = dev->priv ? dev->priv : (dev->priv = xcalloc(1, sizeof(*b)));

	if (streq(key, "stp"))
		(void)kind_bool(key, value, loc, d, &b->stp);
	else if (streq(key, "mtu"))
		(void)kind_u32(key, value, 68, 65535, loc, d, &b->mtu);
	else
		return KIND_KEY_UNKNOWN;
	return KIND_KEY_OK;
}

static void bridge_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	if (!dev->priv)
		dev->priv = xcalloc(1, sizeof(struct bridge));
	struct bridge *b = dev->priv;

	if (pass != 0)
		return;
	if (dev->node_name && !dev->node)
		return; /* unknown node, reported already */
	struct topo_node *n = dev->node ? dev->node : topo_switch_node(lab);
	dev->node = n;
	b->iface = topo_iface_add(n, dev->name, dev, &dev->loc, d);
	if (b->iface) {
		b->iface->is_bridge = true;
		b->iface->mtu = b->mtu;
	}
}

static void bridge_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int bridge_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type bridge_step = {
	.name = "link",
	.group = STEP_GROUP_LINKS,
	.print = bridge_print,
	.describe = plan_describe_link,
	.apply = bridge_apply,
};

static void bridge_plan(struct plan *p, struct topo_dev *dev)
{
	struct bridge *b = dev->priv;

	if (!b->iface)
		return;
	plan_ifindex(p, b->iface);
	struct step *s = plan_add(p, &bridge_step, dev->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
}

static void bridge_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	struct bridge *b = s->dev->priv;
	char mac[18];

	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, b->iface->name);
	if (b->iface->has_mac)
		sbuf_addf(out, " address %s", mac_str(b->iface->mac, mac));
	if (b->iface->mtu)
		sbuf_addf(out, " mtu %u", b->iface->mtu);
	sbuf_addf(out, " up type bridge%s\n", b->stp ? " stp_state 1" : "");
}

static int bridge_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	struct bridge *b = s->dev->priv;
	const struct topo_iface *i = b->iface;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = (int)nl_ifindex(nl, i),
				.ifi_flags = IFF_UP,
				.ifi_change = IFF_UP};
	_cleanup_nlmsg_ struct nl_msg *msg =
		nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data;

	/* libnl 3.7 has no setter for IFLA_BR_*, so this one message is
	 * built by hand; it is what `ip link add type bridge` sends. */
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		return -ENOMEM;
	if (nla_put_string(msg, IFLA_IFNAME, i->name) < 0 ||
	    (i->mtu && nla_put_u32(msg, IFLA_MTU, i->mtu) < 0) ||
	    (i->has_mac && nla_put(msg, IFLA_ADDRESS, 6, i->mac) < 0))
		return -ENOMEM;
	if (!(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
		return -ENOMEM;
	if (b->stp) {
		if (!(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
		    nla_put_u32(msg, IFLA_BR_STP_STATE, 1) < 0)
			return -ENOMEM;
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	return nl_request(nl, nl_sk(nl, s->node), msg, err);
}

static void bridge_free(struct topo_dev *dev)
{
	free(dev->priv);
}

const struct link_kind kind_bridge = {
	.name = "bridge",
	.default_mtu = 1500,
	.is_bridge = true,
	.section = "bridge",
	.noun = "bridge",
	.keys = bridge_keys,
	.parse = bridge_parse,
	.declare = bridge_declare,
	.plan = bridge_plan,
	.free = bridge_free,
};
