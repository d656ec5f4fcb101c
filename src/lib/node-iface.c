// SPDX-License-Identifier: MIT
/* [node] key 'iface': iface = IF [mtu N] [mac MAC] [IMPAIRMENT...]:
 * attributes of an interface a link, bridge or tunnel makes. validate puts
 * them on it; the impairments (its link's and its own) are a step of their
 * own, a qdisc, once the interface exists. */
#include "hosts.h"
#include "node-key.h"
#include "kind.h"
#include "nl.h"

static int parse_iface(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'iface = IF [mtu N] [mac XX:XX:XX:XX:XX:XX] [delay 20ms] [loss 1%] "
			   "[rate 10mbit] ...'";
	char *w[24];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, hint, "bad 'iface' line");
		return -EINVAL;
	}
	if (node_key_ifname(loc, d, "interface", w[0]) < 0)
		return -EINVAL;
	struct topo_ifattr a = {.loc = *loc};
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "mtu") && i + 1 < cnt) {
			if (parse_u32(w[++i], 68, 65535, &a.mtu) < 0) {
				diag_add(d, loc, "an MTU is a number from 68 to 65535",
					 "bad MTU '%s'", w[i]);
				return -EINVAL;
			}
		} else if ((streq(w[i], "mac") || streq(w[i], "address")) && i + 1 < cnt) {
			if (mac_parse(w[++i], a.mac) < 0 || (a.mac[0] & 1)) {
				diag_add(d, loc,
					 "write a unicast MAC such as 02:00:00:00:00:01",
					 "bad MAC address '%s'", w[i]);
				return -EINVAL;
			}
			a.has_mac = true;
		} else if (impair_is_word(w[i])) {
			struct sbuf why = {0};
			const char *whint;
			if (impair_parse_word(w, cnt, &i, &a.impair, &why, &whint) < 0) {
				diag_add(d, loc, whint, "iface: %s", why.s);
				sbuf_free(&why);
				return -EINVAL;
			}
			i--; /* the loop steps past the value */
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'iface'", w[i]);
			return -EINVAL;
		}
	}
	a.ifname = xstrdup(w[0]);
	vec_push(&n->ifattrs, a);
	return 0;
}

static void free_ifattrs(struct topo_node *n)
{
	vec_foreach(a, &n->ifattrs) free(a->ifname);
	vec_free(&n->ifattrs);
}

static void check_ifattrs(struct topo_node *n, struct diag *d)
{
	vec_foreach(a, &n->ifattrs)
	{
		struct topo_iface *i = node_iface(n, a->ifname, &a->loc, d);
		if (!i) {
			if (streq(a->ifname, "lo"))
				diag_add(d, &a->loc, "leave lo as the kernel makes it",
					 "'iface' cannot change lo");
			continue;
		}
		if (a->mtu)
			i->mtu = a->mtu;
		if (a->has_mac && i->dev && i->dev->kind->layer3) {
			char hint[128];
			snprintf(hint, sizeof(hint), "drop 'mac': '%s' is a layer-3 device (%s)",
				 i->name, i->dev->kind->noun);
			diag_add(d, &a->loc, hint, "%s '%s' has no MAC address", i->dev->kind->noun,
				 i->name);
		} else if (a->has_mac && i->dev && i->dev->kind->lower_mac) {
			char hint[160];
			snprintf(hint, sizeof(hint),
				 "drop 'mac': %s '%s' has the MAC of the device it sits on; set that one's",
				 i->dev->kind->noun, i->name);
			diag_add(d, &a->loc, hint, "%s '%s' cannot have a MAC address of its own",
				 i->dev->kind->noun, i->name);
		} else if (a->has_mac) {
			i->has_mac = true;
			memcpy(i->mac, a->mac, 6);
		}
		if (a->impair.set) {
			impair_merge(&i->impair, &a->impair);
			i->impair_loc = &a->loc;
		}
	}
	vec_foreach(ip, &n->ifaces)
	{
		const char *hint, *why = (*ip)->impair_loc ? impair_error(&(*ip)->impair, &hint) : NULL;
		if (why)
			diag_add(d, (*ip)->impair_loc, hint, "'%s' of node '%s': %s", (*ip)->name,
				 n->name, why);
	}
}

static void validate_ifattrs(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes) check_ifattrs(*np, d);
}

static void print_impair(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_iface *i = s->data;

	impair_print_tc(s->node->netns, i->name, &i->impair, i->mtu, out);
}

static void describe_impair(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_iface *i = s->data;

	sbuf_addf(out, "impair '%s' (", i->name);
	impair_format(&i->impair, out);
	sbuf_adds(out, ")");
}

static int apply_impair(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_iface *i = s->data;

	return impair_apply(nl, nl_sk(nl, s->node), nl_ifindex(nl, i), &i->impair, i->mtu, err);
}

/* Once every interface exists: the last steps of the links' group. */
static const struct step_type step_impair = {
	.name = "impair",
	.group = STEP_GROUP_LINKS,
	.print = print_impair,
	.describe = describe_impair,
	.apply = apply_impair,
};

static void plan_impairs(struct plan *p, struct topo_node *n)
{
	vec_foreach (ip, &n->ifaces)
		if (impair_active(&(*ip)->impair) && hosts_iface_here(p->lab, *ip))
			plan_add(p, &step_impair, n, *ip)->loc = (*ip)->impair_loc;
}

const struct node_key node_key_iface = {
	.key = "iface",
	.repeatable = true,
	.parse = parse_iface,
	.validate = validate_ifattrs,
	.plan = plan_impairs,
	.free = free_ifattrs,
};
