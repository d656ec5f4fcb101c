// SPDX-License-Identifier: MIT
/* [ipvlan NODE:NAME] with `link = IF`: a device NAME on IF, an Ethernet
 * interface of NODE, that shares IF's MAC address: what arrives on IF for
 * its addresses is its (l3: by IP address, l2: also broadcasts). Where a
 * switch allows one MAC per port, this is the way to more devices; Cilium
 * and Docker's ipvlan networks use it. Mode and flags belong to IF: every
 * ipvlan on one device has the same. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link/ipvlan.h>

struct ipvlan {
	char *link_name;
	struct topo_loc link_loc;
	bool link_given; /* even with a bad value (reported then) */
	uint16_t mode, flags;
	uint32_t mtu;
	struct topo_iface *iface, *lower;
};

static const char *const mode_names[] = {
    [IPVLAN_MODE_L2] = "l2",
    [IPVLAN_MODE_L3] = "l3",
    [IPVLAN_MODE_L3S] = "l3s",
};
/* IFLA_IPVLAN_FLAGS: bridge is none of the bits */
static const char *const flag_names[] = {
    [0] = "bridge",
    [IPVLAN_F_PRIVATE] = "private",
    [IPVLAN_F_VEPA] = "vepa",
};

static const char *const ipvlan_keys[] = {"link", "mode", "flags", "mtu", NULL};

static int word_index(const char *const *names, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && streq(names[i], value))
			return (int)i;
	return -1;
}

static const char *mode_name(unsigned mode)
{
	return mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "unknown";
}

static const char *flags_name(unsigned flags)
{
	return flags < ARRAY_SIZE(flag_names) && flag_names[flags] ? flag_names[flags] : "unknown";
}

static struct ipvlan *ipv_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct ipvlan *v = xcalloc(1, sizeof(*v));
		v->mode = IPVLAN_MODE_L3; /* the kernel's and ip's default */
		dev->priv = v;
	}
	return dev->priv;
}

static int ipvlan_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			const struct topo_loc *loc, struct diag *d)
{
	struct ipvlan *v = ipv_of(dev);
	int i;

	if (streq(key, "link")) {
		const char *why = topo_ifname_error(value);
		v->link_given = true;
		v->link_loc = *loc;
		if (why)
			diag_add(d, loc, "name the interface it sits on, e.g. 'link = eth0'",
				 "interface '%s' %s", value, why);
		else
			v->link_name = xstrdup(value);
	} else if (streq(key, "mode")) {
		i = word_index(mode_names, ARRAY_SIZE(mode_names), value);
		if (i < 0)
			diag_add(d, loc, "write 'mode = l2', 'l3' or 'l3s'",
				 "unknown ipvlan mode '%s'", value);
		else
			v->mode = (uint16_t)i;
	} else if (streq(key, "flags")) {
		i = word_index(flag_names, ARRAY_SIZE(flag_names), value);
		if (i < 0)
			diag_add(d, loc, "write 'flags = bridge', 'private' or 'vepa'",
				 "unknown ipvlan flags '%s'", value);
		else
			v->flags = (uint16_t)i;
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &v->mtu);
	} else if (streq(key, "mac")) {
		diag_add(d, loc,
			 "drop 'mac': an ipvlan device has the MAC of the device it sits on",
			 "'mac' is not for an ipvlan device");
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void ipvlan_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct ipvlan *v = ipv_of(dev);

	if (pass == 0)
		v->iface = kind_node_iface(dev, v->mtu, NULL, d);
}

static void ipvlan_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct ipvlan *v = ipv_of(dev);
	char hint[192];

	if (!v->iface)
		return;
	if (v->link_given && !v->link_name)
		return; /* a bad name, reported already */
	v->lower = kind_lower(lab, dev, v->iface, v->link_name,
			      v->link_given ? &v->link_loc : &dev->loc, d);
	if (!v->lower)
		return;
	uint32_t lower_mtu = v->lower->mtu ? v->lower->mtu : v->lower->dev->kind->default_mtu;
	if (v->iface->mtu && lower_mtu && v->iface->mtu > lower_mtu) {
		snprintf(hint, sizeof(hint), "use an MTU of at most %u, or raise that of '%s'",
			 lower_mtu, v->lower->name);
		diag_add(d, &dev->loc, hint, "ipvlan '%s' has MTU %u, more than its '%s' (%u)",
			 dev->name, v->iface->mtu, v->lower->name, lower_mtu);
	}
	/* The kernel keeps one mode and one set of flags per lower device
	 * (its ipvl_port): the last ipvlan made would change the others'. */
	vec_foreach (op, &lab->devs) {
		if (*op == dev)
			break;
		const struct ipvlan *o = (*op)->kind == dev->kind ? (*op)->priv : NULL;
		if (!o || o->lower != v->lower || (o->mode == v->mode && o->flags == v->flags))
			continue;
		snprintf(hint, sizeof(hint),
			 "give both 'mode = %s' and 'flags = %s', or put one on another interface",
			 mode_name(o->mode), flags_name(o->flags));
		diag_add(d, &dev->loc, hint,
			 "ipvlans '%s' (%s %s) and '%s' (%s %s) on '%s' differ; the kernel has one "
			 "mode per device",
			 o->iface->name, mode_name(o->mode), flags_name(o->flags), dev->name,
			 mode_name(v->mode), flags_name(v->flags), v->lower->name);
		break;
	}
}

static void ipvlan_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int ipvlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type ipvlan_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = ipvlan_print,
    .describe = plan_describe_link,
    .apply = ipvlan_apply,
};

static void ipvlan_plan(struct plan *p, struct topo_dev *dev)
{
	struct ipvlan *v = ipv_of(dev);

	if (!v->iface || !v->lower)
		return;
	plan_ifindex(p, v->iface);
	struct step *s = plan_add(p, &ipvlan_step, dev->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
}

static void ipvlan_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct ipvlan *v = s->dev->priv;
	const struct topo_iface *i = v->iface;

	sbuf_addf(out, "ip -n %s link add %s link %s", s->node->netns, i->name, v->lower->name);
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
	sbuf_addf(out, " up type ipvlan mode %s", mode_name(v->mode));
	if (v->flags)
		sbuf_addf(out, " %s", flags_name(v->flags));
	sbuf_adds(out, "\n");
}

static int ipvlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct ipvlan *v = s->dev->priv;
	struct nl_link_msg msg;
	int r = nl_link_msg_begin(nl, v->iface, "ipvlan", nl_ifindex(nl, v->lower), &msg);

	/* By hand: libnl 3.7 has no setter for IFLA_IPVLAN_FLAGS. */
	if (r < 0)
		return r;
	if (nla_put_u16(msg.msg, IFLA_IPVLAN_MODE, v->mode) < 0 ||
	    nla_put_u16(msg.msg, IFLA_IPVLAN_FLAGS, v->flags) < 0) {
		nlmsg_free(msg.msg);
		return -ENOMEM;
	}
	return nl_link_msg_send(nl, nl_sk(nl, s->node), &msg, err);
}

static void ipvlan_free(struct topo_dev *dev)
{
	struct ipvlan *v = dev->priv;

	if (!v)
		return;
	free(v->link_name);
	free(v);
}

static void ipvlan_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
			 struct strvec *fdbs)
{
	const struct ipvlan *v = dev->priv;

	if (!v || v->iface != i || !v->lower)
		return;
	vec_push(ret, xasprintf("link %s", v->lower->name));
	vec_push(ret, xasprintf("mode %s", mode_name(v->mode)));
	vec_push(ret, xasprintf("flags %s", flags_name(v->flags)));
}

static int flags_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *data[IFLA_IPVLAN_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) == 0 &&
	    tb[IFLA_LINKINFO] &&
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
	    info[IFLA_INFO_DATA] &&
	    nla_parse_nested(data, IFLA_IPVLAN_MAX, info[IFLA_INFO_DATA], NULL) == 0 &&
	    data[IFLA_IPVLAN_FLAGS])
		*(int *)arg = nla_get_u16(data[IFLA_IPVLAN_FLAGS]);
	return NL_OK;
}

/* libnl 3.7 does not parse IFLA_IPVLAN_FLAGS: ask the kernel for the link
 * again, from the namespace we are in (show reads a node from inside). */
static int read_flags(int ifindex)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_sock *sk = nl_socket_alloc();
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
	int flags = -1;

	if (sk && msg && nl_connect(sk, NETLINK_ROUTE) == 0 &&
	    nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) == 0 &&
	    nl_send_auto(sk, msg) >= 0) {
		nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, flags_cb, &flags);
		if (nl_recvmsgs_default(sk) >= 0)
			(void)nl_wait_for_ack(sk);
	}
	if (sk)
		nl_socket_free(sk);
	return flags;
}

static void ipvlan_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	char buf[IFNAMSIZ];
	uint16_t mode = IPVLAN_MODE_L3;
	int lower = rtnl_link_get_link(l), flags = read_flags(rtnl_link_get_ifindex(l));

	if (lower > 0 && rtnl_link_i2name(links, lower, buf, sizeof(buf)))
		vec_push(ret, xasprintf("link %s", buf));
	(void)rtnl_link_ipvlan_get_mode(l, &mode);
	vec_push(ret, xasprintf("mode %s", mode_name(mode)));
	if (flags >= 0)
		vec_push(ret, xasprintf("flags %s", flags_name((unsigned)flags)));
}

const struct link_kind kind_ipvlan = {
    .name = "ipvlan",
    .section = "ipvlan",
    .noun = "ipvlan device",
    .lower_mac = true,
    .takes_lower = true,
    .keys = ipvlan_keys,
    .parse = ipvlan_parse,
    .declare = ipvlan_declare,
    .validate = ipvlan_validate,
    .plan = ipvlan_plan,
    .attrs = ipvlan_attrs,
    .read_attrs = ipvlan_read_attrs,
    .probe_kind = "ipvlan",
    .probe_module = "ipvlan",
    .free = ipvlan_free,
};
