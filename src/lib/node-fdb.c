// SPDX-License-Identifier: MIT
/* [node] key 'fdb': fdb = MAC dev IF [dst ADDRESS]: a static bridge or VXLAN FDB entry. */
#include "node-key.h"
#include "nl.h"

static int parse_fdb(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'fdb = XX:XX:XX:XX:XX:XX dev IF [dst ADDRESS]'";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_fdb f = {.loc = *loc};
	const char *dev = NULL;

	if (cnt == 0 || cnt > ARRAY_SIZE(w) || mac_parse(w[0], f.mac) < 0) {
		diag_add(d, loc, hint, "bad FDB MAC address '%s'", cnt ? w[0] : "");
		return -EINVAL;
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "dst") && i + 1 < cnt) {
			if (ipaddr_parse_host(w[++i], &f.dst) < 0) {
				diag_add(d, loc, hint, "bad FDB destination '%s'", w[i]);
				return -EINVAL;
			}
			f.has_dst = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'fdb'", w[i]);
			return -EINVAL;
		}
	}
	if (!dev) {
		diag_add(d, loc, hint, "'fdb' needs 'dev'");
		return -EINVAL;
	}
	if (node_key_ifname(loc, d, "interface", dev) < 0)
		return -EINVAL;
	f.ifname = xstrdup(dev);
	vec_push(&n->fdbs, f);
	return 0;
}

static void print_fdb(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_fdb *f = s->data;
	char buf[IPADDR_STRLEN], mac[18];

	if (f->has_dst)
		sbuf_addf(out, "bridge -n %s fdb append %s dev %s dst %s self permanent\n",
			  s->node->netns, mac_str(f->mac, mac), f->ifname, ipaddr_str(&f->dst, buf));
	else
		sbuf_addf(out, "bridge -n %s fdb add %s dev %s master static\n", s->node->netns,
			  mac_str(f->mac, mac), f->ifname);
}

static void describe_fdb(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "add FDB entry on '%s'", ((const struct topo_fdb *)s->data)->ifname);
}

static int apply_fdb(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_fdb *f = s->data;

	return nl_fdb_add(nl, nl_sk(nl, s->node), nl_ifindex(nl, f->iface), f->mac,
			  f->has_dst ? &f->dst : NULL, f->has_dst, err);
}

static const struct step_type step_fdb = {
	.name = "fdb",
	.group = STEP_GROUP_NODE,
	.print = print_fdb,
	.describe = describe_fdb,
	.apply = apply_fdb,
};

static void plan_fdbs(struct plan *p, struct topo_node *n)
{
	vec_foreach(f, &n->fdbs) plan_add(p, &step_fdb, n, f)->loc = &f->loc;
}

const struct node_key node_key_fdb = {
	.key = "fdb",
	.repeatable = true,
	.parse = parse_fdb,
	.plan = plan_fdbs,
};
