// SPDX-License-Identifier: MIT
/* [node] key 'fdb': fdb = MAC dev IF [dst ADDRESS]: a static bridge or VXLAN FDB entry.
 * With dst it is the VXLAN device's own entry (self); without, the bridge's
 * entry for its port IF (master), also when that port is a VXLAN device. */
#include "node-key.h"
#include "kind.h"
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

static bool restores_fdb(const struct step *s, const struct topo_iface *i)
{
	return ((const struct topo_fdb *)s->data)->iface == i;
}

static const struct step_type step_fdb = {
	.name = "fdb",
	.group = STEP_GROUP_NODE,
	.print = print_fdb,
	.describe = describe_fdb,
	.apply = apply_fdb,
	.restores = restores_fdb,
};

static void plan_fdbs(struct plan *p, struct topo_node *n)
{
	vec_foreach(f, &n->fdbs) plan_add(p, &step_fdb, n, f)->loc = &f->loc;
}

static void free_fdbs(struct topo_node *n)
{
	vec_foreach(f, &n->fdbs) free(f->ifname);
	vec_free(&n->fdbs);
}

/* What takes FDB entries with 'dst', for messages: "VXLAN device". */
static const char *fdb_remote_noun(void)
{
	for (size_t k = 0; k < link_kinds_n; k++)
		if (link_kinds[k]->fdb_remote)
			return link_kinds[k]->noun;
	return "tunnel";
}

/* A bridge port's entries without 'dst', a VXLAN device's with. */
static void validate_fdbs(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes)
	{
		struct topo_node *n = *np;
		vec_foreach(f, &n->fdbs)
		{
			struct topo_iface *i = node_iface(n, f->ifname, &f->loc, d);
			const char *remote = fdb_remote_noun();
			char hint[160];
			if (!i) {
				snprintf(hint, sizeof(hint), "use a bridge port or a %s", remote);
				if (streq(f->ifname, "lo"))
					diag_add(d, &f->loc, hint, "FDB entries cannot go on lo");
				continue;
			}
			f->iface = i;
			bool tunnel = i->dev && i->dev->kind->fdb_remote;
			if (f->has_dst && !tunnel) {
				snprintf(hint, sizeof(hint), "'dst' is for %ss; drop it for a bridge port", remote);
				diag_add(d, &f->loc, hint, "FDB entry with 'dst' on '%s', which is not a %s",
					 i->name, remote);
			} else if (!tunnel && !(i->master && i->master->is_bridge)) {
				snprintf(hint, sizeof(hint), "put FDB entries on a bridge port or a %s", remote);
				diag_add(d, &f->loc, hint, "interface '%s' is neither a bridge port nor a %s",
					 i->name, remote);
			} else if (tunnel && !f->has_dst && !(i->master && i->master->is_bridge)) {
				/* without dst it is the bridge's entry: only on a port */
				diag_add(d, &f->loc, "add 'dst ADDRESS' (the remote VTEP)",
					 "FDB entry on %s '%s' without 'dst'", i->dev->kind->noun, i->name);
			}
		}
	}
}

const struct node_key node_key_fdb = {
	.key = "fdb",
	.repeatable = true,
	.parse = parse_fdb,
	.validate = validate_fdbs,
	.free = free_fdbs,
	.plan = plan_fdbs,
};
