// SPDX-License-Identifier: MIT
/* [macvlan NODE:NAME] with `link = IF`: a device NAME with a MAC address of
 * its own on IF, an Ethernet interface of NODE (a link's end, a bridge, a
 * dummy): frames for its MAC arriving on IF are its, what it sends leaves
 * by IF. Docker's and Multus' macvlan networks are these. */
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/route/link/macvlan.h>

#define MACVLAN_SOURCES_MAX 32

struct macvlan {
	char *link_name;
	struct topo_loc link_loc;
	bool link_given; /* even with a bad value (reported then) */
	uint32_t mode;	 /* MACVLAN_MODE_* */
	struct topo_loc mode_loc;
	uint32_t mtu;
	bool has_mac;
	uint8_t mac[6];
	/* mode source: the senders whose frames are its */
	size_t nsrc;
	uint8_t src[MACVLAN_SOURCES_MAX][6];
	struct topo_loc src_loc;
	struct topo_iface *iface, *lower;
};

static const struct {
	const char *name;
	uint32_t mode;
} modes[] = {
    {"bridge", MACVLAN_MODE_BRIDGE}, {"private", MACVLAN_MODE_PRIVATE},
    {"vepa", MACVLAN_MODE_VEPA},     {"passthru", MACVLAN_MODE_PASSTHRU},
    {"source", MACVLAN_MODE_SOURCE},
};

static const char *const macvlan_keys[] = {"link", "mode", "mac", "mtu", "macaddr", NULL};

static const char *mode_name(uint32_t mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return "unknown";
}

static struct macvlan *mv_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct macvlan *m = xcalloc(1, sizeof(*m));
		m->mode = MACVLAN_MODE_BRIDGE; /* the kernel's own default is vepa */
		dev->priv = m;
	}
	return dev->priv;
}

static int mac_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

static void parse_sources(struct macvlan *m, char *value, const struct topo_loc *loc,
			  struct diag *d)
{
	char *w[MACVLAN_SOURCES_MAX + 1];
	size_t n = split_words(value, w, ARRAY_SIZE(w));

	m->src_loc = *loc;
	if (n > MACVLAN_SOURCES_MAX) {
		diag_add(d, loc, "list at most 32 MAC addresses", "more than %d MAC addresses",
			 MACVLAN_SOURCES_MAX);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (mac_parse(w[i], m->src[i]) < 0 || (m->src[i][0] & 1)) {
			diag_add(d, loc,
				 "write unicast MACs such as 02:00:00:00:00:01, space separated",
				 "bad MAC address '%s'", w[i]);
			m->nsrc = 0;
			return;
		}
	}
	m->nsrc = n;
	/* the kernel keeps them in a hash table: compare them sorted */
	qsort(m->src, n, 6, mac_cmp);
}

static int macvlan_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
			 const struct topo_loc *loc, struct diag *d)
{
	struct macvlan *m = mv_of(dev);

	if (streq(key, "link")) {
		const char *why = topo_ifname_error(value);
		m->link_given = true;
		m->link_loc = *loc;
		if (why)
			diag_add(d, loc, "name the interface it sits on, e.g. 'link = eth0'",
				 "interface '%s' %s", value, why);
		else
			m->link_name = xstrdup(value);
	} else if (streq(key, "mode")) {
		size_t i = 0;
		while (i < ARRAY_SIZE(modes) && !streq(modes[i].name, value))
			i++;
		m->mode_loc = *loc;
		if (i < ARRAY_SIZE(modes))
			m->mode = modes[i].mode;
		else
			diag_add(d, loc,
				 "write 'mode = bridge', 'private', 'vepa', 'passthru' or 'source'",
				 "unknown macvlan mode '%s'", value);
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &m->mtu);
	} else if (streq(key, "mac")) {
		m->has_mac = kind_mac(value, loc, d, m->mac) == 0;
	} else if (streq(key, "macaddr")) {
		parse_sources(m, value, loc, d);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

static void macvlan_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct macvlan *m = mv_of(dev);

	if (pass == 0)
		m->iface = kind_node_iface(dev, m->mtu, m->has_mac ? m->mac : NULL, d);
}

static void macvlan_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct macvlan *m = mv_of(dev);
	char hint[192];

	if (!m->iface)
		return;
	if (m->link_given && !m->link_name)
		return; /* a bad name, reported already */
	m->lower = kind_lower(lab, dev, m->iface, m->link_name,
			      m->link_given ? &m->link_loc : &dev->loc, d);
	if (!m->lower)
		return;
	const struct topo_loc *mode_loc = m->mode_loc.line ? &m->mode_loc : &dev->loc;
	if (m->mode == MACVLAN_MODE_PASSTHRU && m->iface->has_mac)
		diag_add(d, mode_loc, "drop 'mac', or choose another mode",
			 "a passthru macvlan takes the MAC of '%s'; it cannot have its own",
			 m->lower->name);
	if (m->nsrc && m->mode != MACVLAN_MODE_SOURCE)
		diag_add(d, &m->src_loc, "write 'mode = source', or drop 'macaddr'",
			 "'macaddr' lists senders for mode source, not %s", mode_name(m->mode));
	uint32_t lower_mtu = m->lower->mtu ? m->lower->mtu : m->lower->dev->kind->default_mtu;
	if (m->iface->mtu && lower_mtu && m->iface->mtu > lower_mtu) {
		snprintf(hint, sizeof(hint), "use an MTU of at most %u, or raise that of '%s'",
			 lower_mtu, m->lower->name);
		diag_add(d, &dev->loc, hint, "macvlan '%s' has MTU %u, more than its '%s' (%u)",
			 dev->name, m->iface->mtu, m->lower->name, lower_mtu);
	}
	/* The kernel keeps a passthru macvlan alone on its device (EINVAL). */
	vec_foreach (op, &lab->devs) {
		if (*op == dev)
			break;
		const struct macvlan *o = (*op)->kind == dev->kind ? (*op)->priv : NULL;
		if (!o || o->lower != m->lower ||
		    (m->mode != MACVLAN_MODE_PASSTHRU && o->mode != MACVLAN_MODE_PASSTHRU))
			continue;
		snprintf(hint, sizeof(hint),
			 "a passthru macvlan is the only one on its device: "
			 "put one of them on another interface");
		diag_add(d, &dev->loc, hint, "macvlans '%s' and '%s' share '%s' of node '%s'",
			 o->iface->name, dev->name, m->lower->name, dev->node->name);
		break;
	}
}

static void macvlan_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int macvlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type macvlan_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = macvlan_print,
    .describe = plan_describe_link,
    .apply = macvlan_apply,
};

static void macvlan_plan(struct plan *p, struct topo_dev *dev)
{
	struct macvlan *m = mv_of(dev);

	if (!m->iface || !m->lower)
		return;
	plan_ifindex(p, m->iface);
	struct step *s = plan_add(p, &macvlan_step, dev->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
}

static void macvlan_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct macvlan *m = s->dev->priv;
	const struct topo_iface *i = m->iface;
	char mac[18];

	sbuf_addf(out, "ip -n %s link add %s link %s", s->node->netns, i->name, m->lower->name);
	if (i->has_mac)
		sbuf_addf(out, " address %s", mac_str(i->mac, mac));
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
	sbuf_addf(out, " up type macvlan mode %s", mode_name(m->mode));
	if (m->nsrc)
		sbuf_adds(out, " macaddr set");
	for (size_t k = 0; k < m->nsrc; k++)
		sbuf_addf(out, " %s", mac_str(m->src[k], mac));
	sbuf_adds(out, "\n");
}

static int macvlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct macvlan *m = s->dev->priv;
	struct nl_link_msg msg;
	struct nlattr *list;
	int r = nl_link_msg_begin(nl, m->iface, "macvlan", nl_ifindex(nl, m->lower), &msg);

	/* By hand, as `ip` sends it: IFLA_MACVLAN_MACADDR_DATA with SET
	 * gives the source list in the request that makes the device. */
	if (r < 0)
		return r;
	if (nla_put_u32(msg.msg, IFLA_MACVLAN_MODE, m->mode) < 0)
		goto nomem;
	if (m->nsrc) {
		if (nla_put_u32(msg.msg, IFLA_MACVLAN_MACADDR_MODE, MACVLAN_MACADDR_SET) < 0 ||
		    !(list = nla_nest_start(msg.msg, IFLA_MACVLAN_MACADDR_DATA)))
			goto nomem;
		for (size_t k = 0; k < m->nsrc; k++)
			if (nla_put(msg.msg, IFLA_MACVLAN_MACADDR, 6, m->src[k]) < 0)
				goto nomem;
		if (nla_nest_end(msg.msg, list) < 0)
			goto nomem;
	}
	return nl_link_msg_send(nl, nl_sk(nl, s->node), &msg, err);
nomem:
	nlmsg_free(msg.msg);
	return -ENOMEM;
}

static void macvlan_free(struct topo_dev *dev)
{
	struct macvlan *m = dev->priv;

	if (!m)
		return;
	free(m->link_name);
	free(m);
}

static void sources_words(const uint8_t (*src)[6], size_t n, struct strvec *ret)
{
	struct sbuf b = {0};
	char mac[18];

	if (!n)
		return;
	sbuf_adds(&b, "macaddr");
	for (size_t k = 0; k < n; k++)
		sbuf_addf(&b, " %s", mac_str(src[k], mac));
	vec_push(ret, sbuf_steal(&b));
}

static void macvlan_attrs(const struct topo_dev *dev, const struct topo_iface *i,
			  struct strvec *ret, struct strvec *fdbs)
{
	const struct macvlan *m = dev->priv;

	if (!m || m->iface != i || !m->lower)
		return;
	vec_push(ret, xasprintf("link %s", m->lower->name));
	vec_push(ret, xasprintf("mode %s", mode_name(m->mode)));
	sources_words(m->src, m->nsrc, ret);
}

static void macvlan_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	char buf[IFNAMSIZ];
	uint32_t count = 0;
	int lower = rtnl_link_get_link(l);
	uint8_t src[MACVLAN_SOURCES_MAX][6];
	size_t n = 0;

	if (lower > 0 && rtnl_link_i2name(links, lower, buf, sizeof(buf)))
		vec_push(ret, xasprintf("link %s", buf));
	vec_push(ret, xasprintf("mode %s", mode_name(rtnl_link_macvlan_get_mode(l))));
	if (rtnl_link_macvlan_count_macaddr(l, &count) < 0)
		return;
	for (uint32_t k = 0; k < count && n < MACVLAN_SOURCES_MAX; k++) {
		const struct nl_addr *a = NULL;
		if (rtnl_link_macvlan_get_macaddr(l, k, &a) == 0 && a && nl_addr_get_len(a) == 6)
			memcpy(src[n++], nl_addr_get_binary_addr(a), 6);
	}
	qsort(src, n, 6, mac_cmp);
	sources_words((const uint8_t(*)[6])src, n, ret);
}

const struct link_kind kind_macvlan = {
    .name = "macvlan",
    .section = "macvlan",
    .noun = "macvlan device",
    .takes_lower = true,
    .keys = macvlan_keys,
    .parse = macvlan_parse,
    .declare = macvlan_declare,
    .validate = macvlan_validate,
    .plan = macvlan_plan,
    .attrs = macvlan_attrs,
    .read_attrs = macvlan_read_attrs,
    .probe_kind = "macvlan",
    .probe_module = "macvlan",
    .free = macvlan_free,
};
