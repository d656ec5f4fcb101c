// SPDX-License-Identifier: MIT
/* [bridge NAME] in the lab's switch namespace, [bridge NODE:NAME] in a node.
 * Its settings (STP, ageing, VLAN filtering...), `ports =` (interfaces of
 * its node that go into it), and `port = IF|* SETTINGS...` lines: port
 * flags (learning, hairpin, ...) and VLAN membership. The ports' settings
 * live in kind-bridge-port.c. */
#include "kind-bridge.h"
#include "apply.h"
#include "nl.h"
#include "plan.h"

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

static const char *const bridge_keys[] = {"stp",
					  "mtu",
					  "ports",
					  "port",
					  "ageing_time",
					  "forward_delay",
					  "vlan_filtering",
					  "vlan_default_pvid",
					  "vlan_protocol",
					  "mcast_snooping",
					  NULL};

static const char *const bridge_repeatable[] = {"port", NULL};

struct bridge *bridge_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct bridge *b = xcalloc(1, sizeof(*b));
		b->default_pvid = 1; /* the kernel's */
		dev->priv = b;
	}
	return dev->priv;
}

/* "300s", "2m", "1.5s", "500ms" -> centiseconds (the kernel's clock_t for
 * IFLA_BR_AGEING_TIME and FORWARD_DELAY; ip -d link prints them so). */
static int parse_centisec(const char *s, uint32_t *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	double mul;

	if (errno || end == s || v < 0 || !(*s >= '0' && *s <= '9'))
		return -EINVAL;
	if (streq(end, "s"))
		mul = 100;
	else if (streq(end, "ms"))
		mul = 0.1;
	else if (streq(end, "m") || streq(end, "min"))
		mul = 6000;
	else
		return -EINVAL;
	v = v * mul + 0.5;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

static void time_key(const char *key, const char *value, uint32_t min, uint32_t max,
		     const struct topo_loc *loc, struct diag *d, bool *has, uint32_t *ret)
{
	char hint[200];

	if (parse_centisec(value, ret) == 0 && *ret >= min && *ret <= max) {
		*has = true;
		return;
	}
	snprintf(hint, sizeof(hint),
		 "write a time with its unit, from %gs to %gs: '%s = 300s' (ip -d link shows "
		 "centiseconds: 30000 is 300s)",
		 min / 100.0, max / 100.0, key);
	diag_add(d, loc, hint, "bad %s '%s'", key, value);
}

static int bridge_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	struct bridge *b = bridge_of(dev);
	uint32_t v;

	if (streq(key, "stp")) {
		(void)kind_bool(key, value, loc, d, &b->stp);
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &b->mtu);
	} else if (streq(key, "ageing_time")) {
		/* the kernel takes 0 (no ageing) or 10 ms .. 1,000,000 s */
		time_key(key, value, 0, 100000000, loc, d, &b->has_ageing, &b->ageing);
	} else if (streq(key, "forward_delay")) {
		/* with STP the kernel wants 2 .. 30 s (BR_MIN/MAX_FORWARD_DELAY) */
		time_key(key, value, 200, 3000, loc, d, &b->has_fwd_delay, &b->fwd_delay);
	} else if (streq(key, "vlan_filtering")) {
		b->vlan_filtering_loc = *loc;
		(void)kind_bool(key, value, loc, d, &b->vlan_filtering);
	} else if (streq(key, "vlan_default_pvid")) {
		if (kind_u32(key, value, 0, 4094, loc, d, &v) == 0) {
			b->default_pvid = (uint16_t)v;
			b->has_default_pvid = true;
		}
	} else if (streq(key, "vlan_protocol")) {
		(void)kind_vlan_protocol(key, value, loc, d, &b->vlan_protocol);
	} else if (streq(key, "mcast_snooping")) {
		bool on;
		if (kind_bool(key, value, loc, d, &on) == 0)
			b->mcast_snooping = on ? 1 : 0;
		else
			b->mcast_snooping = -1;
		b->has_mcast_snooping = b->mcast_snooping >= 0;
	} else if (streq(key, "ports")) {
		if (!dev->node_name) {
			diag_add(d, loc,
				 "the switch namespace's ports are the links' ends: write "
				 "'link = NODE:IF BRIDGE:PORT' to name one",
				 "'ports' is for a bridge in a node ([bridge NODE:%s])", dev->name);
			return KIND_KEY_OK;
		}
		free(b->ports_text);
		b->ports_text = xstrdup(value);
		b->ports_loc = *loc;
	} else if (streq(key, "port")) {
		bridge_port_parse(b, value, loc, d);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void bridge_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct bridge *b = bridge_of(dev);

	if (dev->node_name && !dev->node)
		return; /* unknown node, reported already */
	if (pass == 1) {
		/* every named interface of the node exists now */
		if (b->iface && b->ports_text)
			bridge_take_ports(dev, b, d);
		return;
	}
	struct topo_node *n = dev->node ? dev->node : topo_switch_node(lab);
	dev->node = n;
	b->iface = topo_iface_add(n, dev->name, dev, &dev->loc, d);
	if (b->iface) {
		b->iface->is_bridge = true;
		b->iface->mtu = b->mtu;
	}
}

static void bridge_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct bridge *b = bridge_of(dev);

	if (b->iface)
		bridge_port_validate(dev, b, d);
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
	bridge_port_plan(p, dev, b);
}

/* The settings that differ from the kernel's defaults, in ip-link words. */
static void print_settings(const struct bridge *b, struct sbuf *out)
{
	if (b->stp)
		sbuf_adds(out, " stp_state 1");
	if (b->has_ageing)
		sbuf_addf(out, " ageing_time %u", b->ageing);
	if (b->has_fwd_delay)
		sbuf_addf(out, " forward_delay %u", b->fwd_delay);
	if (b->has_mcast_snooping)
		sbuf_addf(out, " mcast_snooping %d", b->mcast_snooping);
	if (b->vlan_protocol)
		sbuf_addf(out, " vlan_protocol %s",
			  b->vlan_protocol == ETH_P_8021AD ? "802.1ad" : "802.1Q");
	if (b->has_default_pvid)
		sbuf_addf(out, " vlan_default_pvid %u", b->default_pvid);
	if (b->vlan_filtering)
		sbuf_adds(out, " vlan_filtering 1");
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
	sbuf_adds(out, " up type bridge");
	print_settings(b, out);
	sbuf_adds(out, "\n");
}

static int put_settings(struct nl_msg *msg, const struct bridge *b)
{
	return (b->stp && nla_put_u32(msg, IFLA_BR_STP_STATE, 1) < 0) ||
		       (b->has_ageing && nla_put_u32(msg, IFLA_BR_AGEING_TIME, b->ageing) < 0) ||
		       (b->has_fwd_delay &&
			nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, b->fwd_delay) < 0) ||
		       (b->has_mcast_snooping &&
			nla_put_u8(msg, IFLA_BR_MCAST_SNOOPING, (uint8_t)b->mcast_snooping) < 0) ||
		       (b->vlan_protocol &&
			nla_put_u16(msg, IFLA_BR_VLAN_PROTOCOL, htons(b->vlan_protocol)) < 0) ||
		       (b->has_default_pvid &&
			nla_put_u16(msg, IFLA_BR_VLAN_DEFAULT_PVID, b->default_pvid) < 0) ||
		       (b->vlan_filtering && nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, 1) < 0)
		   ? -ENOMEM
		   : 0;
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
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) || put_settings(msg, b) < 0)
		return -ENOMEM;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return nl_request(nl, nl_sk(nl, s->node), msg, err);
}

/* Does the kernel filter VLANs on bridges (CONFIG_BRIDGE_VLAN_FILTERING)?
 * Without it, IFLA_BR_VLAN_FILTERING is EOPNOTSUPP. */
static bool lacks_vlan_filtering(struct nl_sock *sk, const void *arg)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	_cleanup_nlmsg_ struct nl_msg *msg =
	    nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct nlattr *info, *data;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, "probe0") < 0 ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, 1) < 0)
		return false;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	if (nl_send_auto(sk, msg) < 0)
		return false;
	return nl_wait_for_ack(sk) == -NLE_OPNOTSUPP;
}

static int bridge_probe(const struct topo_lab *lab, struct sbuf *err)
{
	vec_foreach (dp, &lab->devs) {
		const struct topo_dev *dev = *dp;
		const struct bridge *b = dev->priv;
		if (dev->kind != &kind_bridge || !b || !b->vlan_filtering)
			continue;
		if (apply_probe(lacks_vlan_filtering, NULL) != -EOPNOTSUPP)
			return 0;
		sbuf_addf(
		    err,
		    "kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): bridge "
		    "'%s' asks for 'vlan_filtering = yes' (%s:%u); nothing was created",
		    dev->name, b->vlan_filtering_loc.file, b->vlan_filtering_loc.line);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void bridge_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
			 struct strvec *fdbs)
{
	const struct bridge *b = dev->priv;

	if (i != b->iface)
		return;
	if (b->stp)
		vec_push(ret, xstrdup("stp yes"));
	if (b->has_ageing && b->ageing != BRIDGE_AGEING_DEFAULT)
		vec_push(ret, xasprintf("ageing_time %gs", b->ageing / 100.0));
	if (b->has_fwd_delay && b->fwd_delay != BRIDGE_FWD_DELAY_DEFAULT)
		vec_push(ret, xasprintf("forward_delay %gs", b->fwd_delay / 100.0));
	if (b->has_mcast_snooping && !b->mcast_snooping)
		vec_push(ret, xstrdup("mcast_snooping no"));
	if (b->vlan_filtering)
		vec_push(ret, xstrdup("vlan_filtering yes"));
	if (b->vlan_filtering && b->default_pvid != 1)
		vec_push(ret, xasprintf("vlan_default_pvid %u", b->default_pvid));
	if (b->vlan_protocol == ETH_P_8021AD)
		vec_push(ret, xstrdup("vlan_protocol 802.1ad"));
	bridge_port_attrs_self(b, ret);
}

static void bridge_free(struct topo_dev *dev)
{
	struct bridge *b = dev->priv;

	if (!b)
		return;
	bridge_port_free(b);
	free(b->ports_text);
	free(b);
}

const struct link_kind kind_bridge = {
    .name = "bridge",
    .default_mtu = 1500,
    .is_bridge = true,
    .section = "bridge",
    .noun = "bridge",
    .keys = bridge_keys,
    .repeatable = bridge_repeatable,
    .parse = bridge_parse,
    .declare = bridge_declare,
    .validate = bridge_validate,
    .plan = bridge_plan,
    .probe = bridge_probe,
    .attrs = bridge_attrs,
    .port_attrs = bridge_port_attrs,
    .read_node = bridge_read_node,
    .free = bridge_free,
};
