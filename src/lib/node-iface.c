// SPDX-License-Identifier: MIT
/* [node] key 'iface': iface = IF [mtu N] [mac MAC]: attributes of an interface a link,
 * bridge or tunnel makes; validate puts them on it, so it has no step. */
#include "node-key.h"
#include "kind.h"

static int parse_iface(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'iface = IF [mtu N] [mac XX:XX:XX:XX:XX:XX]'";
	char *w[8];
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
			snprintf(hint, sizeof(hint), "drop 'mac': a %s is a layer-3 device",
				 i->dev->kind->noun);
			diag_add(d, &a->loc, hint, "%s '%s' has no MAC address", i->dev->kind->noun,
				 i->name);
		} else if (a->has_mac) {
			i->has_mac = true;
			memcpy(i->mac, a->mac, 6);
		}
	}
}

static void validate_ifattrs(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes) check_ifattrs(*np, d);
}

const struct node_key node_key_iface = {
	.key = "iface",
	.repeatable = true,
	.parse = parse_iface,
	.validate = validate_ifattrs,
	.free = free_ifattrs,
};
