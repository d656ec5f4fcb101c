// SPDX-License-Identifier: MIT
/* `link = END END [mtu N] [IMPAIRMENT...]` lines of [links]: veth pairs. An END is
 * NODE:IF (an interface of a node), BRIDGE (a bridge of the switch
 * namespace) or NODE:BRIDGE (a bridge inside a node); an end on a bridge
 * becomes a port that nslab names. */
#include "hosts.h"
#include "kind.h"
#include "nl.h"
#include "plan.h"

#include <netlink/route/link/veth.h>

struct veth_end {
	bool bad;        /* reported while parsing; not declared */
	bool unknown;    /* names no node: reported in pass 1, when every name is known */
	char *text;      /* as written */
	char *node_name; /* NULL: a bridge of the switch namespace */
	char *name;
	struct topo_node *node;
	struct topo_iface *iface;  /* the veth end */
	struct topo_iface *bridge; /* the bridge it plugs into, or NULL */
	bool named_port; /* BRIDGE:PORT: a switch bridge's port, named by the line */
};

struct veth {
	struct veth_end end[2];
	uint32_t mtu;
	struct impair impair; /* both ends' egress */
	bool bad; /* the line was reported and has no ends to declare */
	int primary; /* the end created first (and up) */
};

static const char *const veth_keys[] = {"link", NULL};
static const char *const link_hint =
	"write 'link = NODE:IF NODE:IF [mtu N] [delay 20ms] [loss 1%] [rate 10mbit] ...'; an end "
	"may also be a bridge: 'link = h1:eth0 lan'";

static int parse_end(struct veth_end *e, const char *text, const struct topo_loc *loc,
		     struct diag *d)
{
	const char *colon = strchr(text, ':');
	const char *why;

	e->text = xstrdup(text);
	if (colon) {
		e->node_name = xstrndup(text, (size_t)(colon - text));
		e->name = xstrdup(colon + 1);
		why = topo_name_error(e->node_name, TOPO_NODE_NAME_MAX);
		if (why) {
			diag_add(d, loc, link_hint, "link end '%s': node name '%s' %s", text,
				 e->node_name, why);
			return -EINVAL;
		}
	} else {
		e->name = xstrdup(text);
	}
	why = topo_ifname_error(e->name);
	if (why) {
		diag_add(d, loc, "interface names have 1 to 15 letters, digits, '_', '-' or '.'",
			 "link end '%s': interface name '%s' %s", text, e->name, why);
		return -EINVAL;
	}
	return 0;
}

static int veth_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		      const struct topo_loc *loc, struct diag *d)
{
	struct veth *v = xcalloc(1, sizeof(*v));
	char *w[24];
	size_t n = split_words(value, w, ARRAY_SIZE(w));

	dev->priv = v;
	if (n < 2) {
		diag_add(d, loc, link_hint, "a link needs two ends, found %zu word%s", n,
			 n == 1 ? "" : "s");
		v->bad = true;
		return KIND_KEY_OK;
	}
	/* One error per mistake: an end that parses is declared even when the
	 * other end or the options are wrong, so that the lines using its
	 * interface do not report it missing. */
	for (int i = 0; i < 2; i++)
		v->end[i].bad = parse_end(&v->end[i], w[i], loc, d) < 0;
	if (n > ARRAY_SIZE(w)) {
		diag_add(d, loc, link_hint, "too many words in 'link'");
		return KIND_KEY_OK;
	}
	for (size_t i = 2; i < n;) {
		struct sbuf why = {0};
		const char *hint;
		if (streq(w[i], "mtu") && i + 1 < n) {
			if (kind_u32("mtu", w[i + 1], 68, 65535, loc, d, &v->mtu) < 0)
				return KIND_KEY_OK;
			i += 2;
		} else if (!impair_is_word(w[i])) {
			diag_add(d, loc, link_hint, "unexpected '%s' in 'link'", w[i]);
			return KIND_KEY_OK;
		} else if (impair_parse_word(w, n, &i, &v->impair, &why, &hint) < 0) {
			diag_add(d, loc, hint, "link: %s", why.s);
			sbuf_free(&why);
			return KIND_KEY_OK;
		}
	}
	const char *hint, *why = impair_error(&v->impair, &hint);
	if (why)
		diag_add(d, loc, hint, "link: %s", why);
	return KIND_KEY_OK;
}

static bool ifname_taken(const struct topo_node *n, const char *name)
{
	return streq(name, "lo") || topo_iface_find(n, name);
}

/* A free interface name of n like name: eth0 -> eth1, eth2, ... */
static void free_ifname(const struct topo_node *n, const char *name, char buf[static IFNAMSIZ])
{
	size_t base = strlen(name);

	while (base && name[base - 1] >= '0' && name[base - 1] <= '9')
		base--;
	for (unsigned i = 0;; i++) {
		char num[16];
		size_t nlen = (size_t)snprintf(num, sizeof(num), "%u", i);
		size_t keep = base + nlen > TOPO_IFNAME_MAX ? TOPO_IFNAME_MAX - nlen : base;
		memcpy(buf, name, keep);
		memcpy(buf + keep, num, nlen + 1);
		if (!ifname_taken(n, buf) && !topo_ifname_error(buf))
			return;
	}
}

/* The node an unknown name was probably meant to be: close in spelling,
 * preferring one that is not the other end of the link and that does not
 * have the interface yet. */
static struct topo_node *closest_node(struct topo_lab *lab, const char *name, const char *ifname,
				      const struct topo_node *other)
{
	struct topo_node *best = NULL;
	unsigned best_score = UINT32_MAX;

	vec_foreach(np, &lab->nodes)
	{
		if ((*np)->is_switch)
			continue;
		unsigned dist = edit_distance(name, (*np)->name);
		if (dist >= 3)
			continue;
		unsigned score = dist * 4 + (*np == other ? 2 : 0) + ifname_taken(*np, ifname);
		if (score < best_score) {
			best_score = score;
			best = *np;
		}
	}
	return best;
}

/* Pass 1, when every named interface of the lab is declared, so that the
 * hint names an end that is free. */
static void report_unknown_node(struct topo_lab *lab, struct topo_dev *dev, struct veth_end *e,
				const struct veth_end *other, struct diag *d)
{
	struct topo_node *best = closest_node(lab, e->node_name, e->name, other->node);
	struct sbuf hint = {0};

	if (best && !ifname_taken(best, e->name)) {
		sbuf_addf(&hint, "did you mean '%s:%s'?", best->name, e->name);
	} else if (best) {
		char name[IFNAMSIZ];
		free_ifname(best, e->name, name);
		sbuf_addf(&hint, "did you mean '%s:%s'? ('%s:%s' is already used)", best->name, name,
			  best->name, e->name);
	} else {
		sbuf_addf(&hint, "declare it with '[node %s]'; the lab's nodes:", e->node_name);
		size_t n = 0;
		vec_foreach(np, &lab->nodes)
		{
			if ((*np)->is_switch)
				continue;
			if (hint.len > 200) {
				sbuf_adds(&hint, ", ...");
				break;
			}
			sbuf_addf(&hint, "%s %s", n++ ? "," : "", (*np)->name);
		}
	}
	diag_add(d, &dev->loc, hint.s, "link end '%s': unknown node '%s'", e->text, e->node_name);
	sbuf_free(&hint);
}

static void declare_end(struct topo_lab *lab, struct topo_dev *dev, struct veth_end *e,
			struct diag *d)
{
	char hint[192];

	if (!e->node_name) {
		struct topo_iface *br =
			lab->switch_node ? topo_iface_find(lab->switch_node, e->name) : NULL;
		if (br && br->is_bridge) {
			e->node = lab->switch_node;
			e->bridge = br;
			return;
		}
		if (topo_node_find(lab, e->name))
			snprintf(hint, sizeof(hint),
				 "write '%s:eth0' for an interface of node '%s'", e->name, e->name);
		else
			snprintf(hint, sizeof(hint),
				 "declare '[bridge %s]', or write NODE:IF for a node's interface",
				 e->name);
		diag_add(d, &dev->loc, hint, "link end '%s' is neither NODE:IF nor a bridge",
			 e->text);
		return;
	}
	e->node = topo_node_find(lab, e->node_name);
	if (!e->node) {
		/* BRIDGE:PORT, a port of a switch bridge named by the line (a
		 * node of that name would win: NODE:IF) */
		struct topo_iface *br =
			lab->switch_node ? topo_iface_find(lab->switch_node, e->node_name) : NULL;
		if (br && br->is_bridge) {
			e->node = lab->switch_node;
			e->bridge = br;
			e->named_port = true;
			return;
		}
		e->unknown = true; /* reported in pass 1 */
		return;
	}
	struct topo_iface *old = topo_iface_find(e->node, e->name);
	if (old && old->is_bridge) {
		e->bridge = old;
		return;
	}
	if (old) {
		snprintf(hint, sizeof(hint),
			 "an interface joins one link; name another one, e.g. '%s:%s1'",
			 e->node_name, e->name);
		diag_add(d, &dev->loc, hint, "interface '%s' is already used (line %u)", e->text,
			 old->loc.line);
		e->node = NULL;
		return;
	}
	if (streq(e->name, "lo")) {
		diag_add(d, &dev->loc, "name the interface, e.g. 'eth0'",
			 "link end '%s': lo cannot be a link end", e->text);
		e->node = NULL;
		return;
	}
	e->iface = topo_iface_add(e->node, e->name, dev, &dev->loc, d);
}

/* A bridge port's name: "PEERNODE-PEERIF" when it fits, else a hash. */
static void name_port(struct topo_lab *lab, struct topo_dev *dev, struct veth_end *e,
		      const struct veth_end *other, struct diag *d)
{
	char name[64];
	uint32_t h = 2166136261u;

	if (e->named_port) {
		struct topo_iface *old = topo_iface_find(e->node, e->name);
		if (old) {
			char hint[160];
			snprintf(hint, sizeof(hint), "give each port of '%s' its own name",
				 e->bridge->name);
			diag_add(d, &dev->loc, hint, "link end '%s': '%s' is already %s (line %u)", e->text,
				 e->name, old->is_bridge ? "a bridge" : "a port", old->loc.line);
			return;
		}
		snprintf(name, sizeof(name), "%s", e->name);
		goto found;
	}
	if (other->node_name && !other->bridge &&
	    snprintf(name, sizeof(name), "%s-%s", other->node_name, other->name) <= TOPO_IFNAME_MAX &&
	    !topo_iface_find(e->node, name))
		goto found;
	for (const char *c = other->text; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	h ^= dev->loc.line;
	do
		snprintf(name, sizeof(name), "veth%08x", h++);
	while (topo_iface_find(e->node, name));
found:
	e->iface = topo_iface_add(e->node, name, dev, &dev->loc, d);
	if (e->iface) {
		e->iface->master = e->bridge;
		e->iface->auto_name = true;
	}
}

static void veth_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct veth *v = dev->priv;

	if (v->bad)
		return;
	if (pass == 0) {
		for (int i = 0; i < 2; i++)
			if (!v->end[i].bad)
				declare_end(lab, dev, &v->end[i], d);
		if (v->end[0].bridge && v->end[0].bridge == v->end[1].bridge) {
			diag_add(d, &dev->loc, "a link joins two different things",
				 "link connects bridge '%s' to itself", v->end[0].bridge->name);
			v->end[0].node = NULL;
		}
		return;
	}
	for (int i = 0; i < 2; i++)
		if (v->end[i].unknown)
			report_unknown_node(lab, dev, &v->end[i], &v->end[1 - i], d);
	if (!v->end[0].node || !v->end[1].node)
		return;
	for (int i = 0; i < 2; i++)
		if (v->end[i].bridge)
			name_port(lab, dev, &v->end[i], &v->end[1 - i], d);
	if (!v->end[0].iface || !v->end[1].iface)
		return;
	v->end[0].iface->peer = v->end[1].iface;
	v->end[1].iface->peer = v->end[0].iface;
	for (int i = 0; i < 2; i++) {
		if (v->mtu && !v->end[i].iface->mtu)
			v->end[i].iface->mtu = v->mtu;
		if (v->impair.set) {
			v->end[i].iface->impair = v->impair;
			v->end[i].iface->impair_loc = &dev->loc;
		}
	}
	/* The bridge side goes first: it can be created enslaved and up in one
	 * request; a veth peer cannot be created up (ENOTCONN). */
	v->primary = v->end[1].bridge && !v->end[0].bridge ? 1 : 0;
}

static bool veth_ready(const struct veth *v)
{
	return v->end[0].iface && v->end[1].iface && v->end[0].iface->peer;
}

static void veth_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int veth_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type veth_step = {
	.name = "link",
	.group = STEP_GROUP_LINKS,
	.print = veth_print,
	.describe = plan_describe_link,
	.apply = veth_apply,
};

static void veth_plan(struct plan *p, struct topo_dev *dev)
{
	struct veth *v = dev->priv;

	if (v->bad || !veth_ready(v))
		return;
	struct topo_iface *a = v->end[v->primary].iface, *b = v->end[1 - v->primary].iface;
	if (hosts_plan_link(p, a, b)) /* its ends are on two hosts */
		return;
	plan_ifindex(p, a);
	plan_ifindex(p, b);
	/* linkwatch handles a device at once only if its index differs from
	 * its iflink (for a veth: the peer's index); equal numbers in two
	 * namespaces look unstacked, and the carrier change of such a bridge
	 * port waits in the rate-limited queue: seconds of a port that does
	 * not forward after up. Skip a number instead. */
	if (a->ifindex == b->ifindex)
		plan_ifindex(p, b);
	struct step *s = plan_add(p, &veth_step, a->node, NULL);
	s->dev = dev;
	s->loc = &dev->loc;
	plan_add(p, &step_set, b->node, b)->dev = dev;
}

static void end_opts(const struct topo_iface *i, struct sbuf *out)
{
	char mac[18];

	if (i->has_mac)
		sbuf_addf(out, " address %s", mac_str(i->mac, mac));
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
}

static void veth_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	struct veth *v = s->dev->priv;
	const struct topo_iface *a = v->end[v->primary].iface, *b = v->end[1 - v->primary].iface;

	sbuf_addf(out, "ip -n %s link add %s", a->node->netns, a->name);
	end_opts(a, out);
	if (a->master && a->auto_name)
		sbuf_addf(out, " master %s", a->master->name);
	sbuf_addf(out, " up type veth peer name %s", b->name);
	end_opts(b, out);
	sbuf_addf(out, " netns %s\n", b->node->netns);
}

static int veth_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	struct veth *v = s->dev->priv;
	const struct topo_iface *a = v->end[v->primary].iface, *b = v->end[1 - v->primary].iface;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_veth_alloc();
	_cleanup_link_ struct rtnl_link *peer = NULL;

	if (!link)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(link); /* takes a reference */
	nl_link_setup(nl, link, a);
	if (a->master && a->auto_name)
		rtnl_link_set_master(link, (int)nl_ifindex(nl, a->master));
	rtnl_link_set_flags(link, IFF_UP);
	nl_link_setup(nl, peer, b);
	/* Both ends land in their namespaces under their final names: no
	 * rename, no move, nothing ever in the root namespace. */
	rtnl_link_set_ns_fd(peer, nl_nsfd(nl, b->node));
	return nl_link_add(nl, nl_sk(nl, a->node), link, err);
}

static void veth_free(struct topo_dev *dev)
{
	struct veth *v = dev->priv;

	if (!v)
		return;
	for (int i = 0; i < 2; i++) {
		free(v->end[i].text);
		free(v->end[i].node_name);
		free(v->end[i].name);
	}
	free(v);
}

const struct link_kind kind_veth = {
	.name = "veth",
	.default_mtu = 1500,
	.section = "links",
	.noun = "veth",
	.line_key = "link",
	.line_usage = "link = NODE:IF NODE:IF",
	.is_link = true,
	.keys = veth_keys,
	.parse = veth_parse,
	.declare = veth_declare,
	.plan = veth_plan,
	.free = veth_free,
};
