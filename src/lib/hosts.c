// SPDX-License-Identifier: MIT
/* Labs split across hosts: see hosts.h. */
#include "hosts.h"
#include "kind.h"
#include "nl.h"
#include "words.h"

#include <fnmatch.h>
#include <ifaddrs.h>
#include <netlink/route/link/vxlan.h>

static const char host_hint[] =
    "write 'NAME = ADDRESS [dev IF] [ssh DEST]' for a host (h1 = 192.0.2.1), 'GLOB = HOST' "
    "to place nodes (pod* = h2), or 'default = HOST'";

struct topo_host *hosts_find(const struct topo_lab *lab, const char *name)
{
	vec_foreach (hp, &lab->hosts)
		if (streq((*hp)->name, name))
			return *hp;
	return NULL;
}

char *hosts_list(const struct topo_lab *lab)
{
	struct sbuf b = {0};

	vec_foreach (hp, &lab->hosts)
		sbuf_addf(&b, "%s%s", hp == lab->hosts.v ? "" : ", ", (*hp)->name);
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

static void parse_host(struct topo_lab *lab, const char *key, char **w, size_t n,
		       const struct topo_loc *loc, struct diag *d)
{
	const char *why = topo_name_error(key, TOPO_NODE_NAME_MAX);
	struct topo_host h = {.loc = *loc};

	lab->hosts_bad = true; /* until it is taken */
	if (why) {
		diag_add(d, loc, "host names have up to 63 letters, digits, '_', '-' or '.'",
			 "host name '%s' %s", key, why);
		return;
	}
	if (ipaddr_parse_host(w[0], &h.addr) < 0) {
		diag_add(d, loc, host_hint, "host '%s': '%s' is not an address", key, w[0]);
		return;
	}
	for (size_t i = 1; i < n; i += 2) {
		if (i + 1 >= n || (!streq(w[i], "dev") && !streq(w[i], "ssh"))) {
			diag_add(d, loc, host_hint, "host '%s': unexpected '%s'", key, w[i]);
			goto bad;
		}
		if (streq(w[i], "dev")) {
			why = topo_ifname_error(w[i + 1]);
			if (why) {
				diag_add(d, loc, "name the host's underlay interface: 'dev eth0'",
					 "host '%s': interface name '%s' %s", key, w[i + 1], why);
				goto bad;
			}
			free(h.dev);
			h.dev = xstrdup(w[i + 1]);
		} else if (w[i + 1][0] == '-' || strpbrk(w[i + 1], " \t\n")) {
			/* ssh would take it for an option (-oProxyCommand=...) */
			diag_add(d, loc,
				 "write where ssh logs in: 'ssh root@lab2.example.org' or "
				 "'ssh lab2' (a Host of ~/.ssh/config, which holds any options)",
				 "host '%s': ssh destination '%s' is an option, not a destination",
				 key, w[i + 1]);
			goto bad;
		} else {
			free(h.ssh);
			h.ssh = xstrdup(w[i + 1]);
		}
	}
	struct topo_host *hp = xmalloc(sizeof(*hp));
	*hp = h;
	hp->name = xstrdup(key);
	hp->index = (uint32_t)lab->hosts.n;
	vec_push(&lab->hosts, hp);
	lab->hosts_bad = false;
	return;
bad:
	free(h.dev);
	free(h.ssh);
}

void hosts_parse_line(struct topo_lab *lab, const char *key, char *value,
		      const struct topo_loc *loc, struct diag *d)
{
	_cleanup_free_ char *text = xstrdup(value);
	char *w[8];
	size_t n = split_words(value, w, ARRAY_SIZE(w));
	uint32_t v;

	if (!lab->hosts_loc.line)
		lab->hosts_loc = *loc;
	if (n == 0 || n > ARRAY_SIZE(w)) {
		diag_add(d, loc, host_hint, "[hosts]: '%s' needs %s", key,
			 n ? "fewer words" : "a value");
		return;
	}
	if (streq(key, "vni") || streq(key, "port") || streq(key, "mtu")) {
		uint32_t min = streq(key, "vni") ? 1 : streq(key, "port") ? 1 : 1280;
		uint32_t max = streq(key, "vni") ? 0xffffff : 65535;
		if (n != 1 || kind_u32(key, w[0], min, max, loc, d, &v) < 0) {
			if (n != 1)
				diag_add(d, loc, "one number, e.g. 'vni = 5000'",
					 "[hosts] %s: one value", key);
			return;
		}
		if (streq(key, "vni"))
			lab->vni_base = v;
		else if (streq(key, "port"))
			lab->vx_port = (uint16_t)v;
		else
			lab->underlay_mtu = v;
		return;
	}
	if (streq(key, "default")) {
		const char *why =
		    n == 1 ? topo_name_error(w[0], TOPO_NODE_NAME_MAX) : "is not one name";
		if (why) {
			diag_add(d, loc, "name a host of [hosts]: 'default = h1'",
				 "default host '%s' %s", text, why);
			return;
		}
		free(lab->default_host);
		lab->default_host = xstrdup(w[0]);
		lab->default_host_loc = *loc;
		return;
	}
	struct ipaddr a;
	if (ipaddr_parse_host(w[0], &a) == 0 || strchr(w[0], '.') || strchr(w[0], ':')) {
		parse_host(lab, key, w, n, loc, d);
		return;
	}
	/* GLOB = HOST */
	if (n != 1 || topo_name_error(w[0], TOPO_NODE_NAME_MAX)) {
		diag_add(d, loc, host_hint, "[hosts]: '%s = %s' is neither a host nor a placement",
			 key, text);
		return;
	}
	struct topo_place *pl = vec_add(&lab->places);
	*pl = (struct topo_place){.loc = *loc, .glob = xstrdup(key), .host_name = xstrdup(w[0])};
}

/* "did you mean" among the hosts, or the list of them */
static void host_hint_for(const struct topo_lab *lab, const char *name, char *buf, size_t size)
{
	const char *names[64];
	size_t n = 0;

	vec_foreach (hp, &lab->hosts)
		if (n < ARRAY_SIZE(names))
			names[n++] = (*hp)->name;
	const char *best = closest_word(name, names, n);
	_cleanup_free_ char *all = hosts_list(lab);
	if (best)
		snprintf(buf, size, "did you mean '%s'? The hosts of [hosts]: %s", best, all);
	else
		snprintf(buf, size, "name a host of [hosts] (%s), or add '%s = ADDRESS' there", all,
			 name);
}

static struct topo_host *resolve_host(const struct topo_lab *lab, const char *name,
				      const struct topo_loc *loc, const char *what, struct diag *d)
{
	struct topo_host *h = hosts_find(lab, name);
	char hint[512];

	if (!h) {
		host_hint_for(lab, name, hint, sizeof(hint));
		diag_add(d, loc, hint, "%s: unknown host '%s'", what, name);
	}
	return h;
}

static unsigned overhead(const struct topo_lab *lab)
{
	/* outer IP, UDP, VXLAN and the inner Ethernet header */
	return lab->hosts.n && lab->hosts.v[0]->addr.family == AF_INET6 ? 70 : 50;
}

static uint32_t seg_mtu(const struct topo_lab *lab)
{
	return (lab->underlay_mtu ? lab->underlay_mtu : HOSTS_UNDERLAY_MTU) - overhead(lab);
}

static void set_mtu(const struct topo_lab *lab, struct topo_iface *i)
{
	if (!i->mtu)
		i->mtu = seg_mtu(lab);
}

/* The layer-2 domains of the switch namespace: its bridges, joined into
 * one domain by links inside the namespace (a big star's leaf switches
 * under their core), and the hosts each domain has node ports on. Every
 * host with the switch namespace builds all of it; a domain on several
 * hosts gets one flooding VXLAN port, on its first bridge, so that frames
 * never loop through the hosts. */
struct domains {
	size_t nb, nh;
	struct topo_iface **br; /* the switch's bridges, in its order */
	size_t *root;		/* union-find: a domain's first bridge */
	bool *on;		/* [root * nh + host]: node ports there */
};

static size_t dom_find(const struct domains *d, size_t i)
{
	while (d->root[i] != i)
		i = d->root[i];
	return i;
}

static size_t dom_index(const struct domains *d, const struct topo_iface *br)
{
	for (size_t i = 0; i < d->nb; i++)
		if (d->br[i] == br)
			return i;
	return SIZE_MAX;
}

static void domains_build(const struct topo_lab *lab, struct domains *d)
{
	const struct topo_node *sw = lab->switch_node;

	memset(d, 0, sizeof(*d));
	d->nh = lab->hosts.n;
	if (!sw)
		return;
	vec_foreach (ip, &sw->ifaces)
		d->nb += (*ip)->is_bridge;
	d->br = xcalloc(d->nb + 1, sizeof(*d->br));
	d->root = xcalloc(d->nb + 1, sizeof(*d->root));
	d->on = xcalloc(d->nb * d->nh + 1, sizeof(*d->on));
	d->nb = 0;
	vec_foreach (ip, &sw->ifaces)
		if ((*ip)->is_bridge) {
			d->root[d->nb] = d->nb;
			d->br[d->nb++] = *ip;
		}
	vec_foreach (ip, &sw->ifaces) {
		const struct topo_iface *i = *ip;
		if (!i->master || !i->peer || !i->peer->node->is_switch || !i->peer->master)
			continue;
		size_t a = dom_index(d, i->master), b = dom_index(d, i->peer->master);
		if (a == SIZE_MAX || b == SIZE_MAX)
			continue;
		a = dom_find(d, a);
		b = dom_find(d, b);
		if (a != b) /* the first bridge stays the root */
			d->root[a > b ? a : b] = a < b ? a : b;
	}
	vec_foreach (ip, &sw->ifaces) {
		const struct topo_iface *i = *ip;
		if (!i->master || !i->peer || !i->peer->node->host)
			continue;
		size_t a = dom_index(d, i->master);
		if (a != SIZE_MAX)
			d->on[dom_find(d, a) * d->nh + i->peer->node->host->index] = true;
	}
}

static void domains_free(struct domains *d)
{
	free(d->br);
	free(d->root);
	free(d->on);
}

static size_t count_on(const bool *on, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += on[i];
	return c;
}

static void place_nodes(struct topo_lab *lab, struct diag *d)
{
	struct topo_host *def = NULL;
	bool *used = xcalloc(lab->places.n ? lab->places.n : 1, sizeof(*used));

	if (lab->default_host)
		def = resolve_host(lab, lab->default_host, &lab->default_host_loc, "default", d);
	vec_foreach (pl, &lab->places)
		pl->host = resolve_host(lab, pl->host_name, &pl->loc, pl->glob, d);
	vec_foreach (np, &lab->nodes) {
		struct topo_node *n = *np;
		if (n->is_switch)
			continue;
		if (n->host_name) {
			n->host = resolve_host(lab, n->host_name, &n->host_loc, "host", d);
			continue;
		}
		bool ruled = false; /* by a rule, whose host may be unknown (reported) */
		for (size_t k = 0; k < lab->places.n && !ruled; k++) {
			struct topo_place *pl = &lab->places.v[k];
			if (fnmatch(pl->glob, n->name, 0) == 0) {
				used[k] = ruled = true;
				n->host = pl->host;
			}
		}
		if (!ruled && def)
			n->host = def;
		if (!ruled && !lab->default_host) {
			char hint[512];
			_cleanup_free_ char *all = hosts_list(lab);
			snprintf(
			    hint, sizeof(hint),
			    "add 'host = HOST' to [node %s], or to [hosts] a rule '%s = HOST' or "
			    "'default = HOST' (hosts: %s)",
			    n->name, n->name, all);
			diag_add(d, &n->loc, hint, "node '%s' is on no host", n->name);
		}
	}
	for (size_t k = 0; k < lab->places.n; k++)
		if (!used[k] && lab->places.v[k].host)
			diag_add(d, &lab->places.v[k].loc,
				 "write a glob that matches node names (pod*, r[12]), or remove "
				 "the line",
				 "placement '%s' matches no node placed by it",
				 lab->places.v[k].glob);
	free(used);
}

void hosts_validate(struct topo_lab *lab, struct diag *d)
{
	if (!lab->hosts.n) {
		if (lab->hosts_bad)
			return; /* reported */
		if (lab->hosts_loc.line)
			diag_add(d, &lab->hosts_loc, host_hint, "[hosts] names no host");
		vec_foreach (np, &lab->nodes)
			if ((*np)->host_name) {
				char hint[256];
				snprintf(hint, sizeof(hint),
					 "add a [hosts] section: '%s = ADDRESS' (the host's "
					 "underlay address)",
					 (*np)->host_name);
				diag_add(d, &(*np)->host_loc, hint,
					 "node '%s': 'host = %s' but the topology has no [hosts] "
					 "section",
					 (*np)->name, (*np)->host_name);
			}
		return;
	}
	for (size_t i = 0; i < lab->hosts.n; i++)
		for (size_t j = 0; j < i; j++) {
			struct topo_host *a = lab->hosts.v[j], *b = lab->hosts.v[i];
			char buf[IPADDR_STRLEN];
			if (streq(a->name, b->name))
				diag_add(d, &b->loc, "give every host its own name",
					 "host '%s' is named twice (first at line %u)", b->name,
					 a->loc.line);
			else if (ipaddr_equal(&a->addr, &b->addr))
				diag_add(d, &b->loc, "give every host its own underlay address",
					 "hosts '%s' and '%s' have one address, %s (line %u)",
					 a->name, b->name, ipaddr_str(&b->addr, buf), a->loc.line);
			else if (a->addr.family != b->addr.family)
				diag_add(d, &b->loc, "give all hosts IPv4 addresses, or all IPv6",
					 "host '%s' is IPv%d, host '%s' IPv%d: one underlay has "
					 "one family",
					 b->name, b->addr.family == AF_INET ? 4 : 6, a->name,
					 a->addr.family == AF_INET ? 4 : 6);
		}
	place_nodes(lab, d);
	/* A layer-2 domain of the switch namespace with node ports on several
	 * hosts is one segment: every end on it gets the segment's MTU. */
	struct domains dom;
	domains_build(lab, &dom);
	for (size_t b = 0; b < dom.nb; b++) {
		if (dom_find(&dom, b) != b || count_on(dom.on + b * dom.nh, dom.nh) < 2)
			continue;
		dom.br[b]->xvni = 1; /* numbered by hosts_select, with the lab's final name */
		vec_foreach (ip, &lab->switch_node->ifaces) {
			size_t m = (*ip)->master && (*ip)->peer ? dom_index(&dom, (*ip)->master)
								: SIZE_MAX;
			if (m == SIZE_MAX || dom_find(&dom, m) != b)
				continue;
			set_mtu(lab, *ip);
			set_mtu(lab, (*ip)->peer);
		}
	}
	domains_free(&dom);
	vec_foreach (np, &lab->nodes)
		vec_foreach (ip, &(*np)->ifaces) {
			struct topo_iface *i = *ip, *p = i->peer;
			if (!p || i->node->index > p->node->index)
				continue;
			if (i->node->is_switch || p->node->is_switch || !i->node->host ||
			    !p->node->host || i->node->host == p->node->host)
				continue;
			i->xvni = p->xvni = 1;
			set_mtu(lab, i);
			set_mtu(lab, p);
		}
}

static uint64_t fnv64(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return (h ^ 0) * 1099511628211ull; /* a separator, so "ab","c" != "a","bc" */
}

/* A locally administered unicast MAC from the lab's name and the device's
 * place (and host: a switch's flooding port is on every host), computed
 * alike on every host. */
static void derive_mac(const struct topo_lab *lab, const struct topo_iface *i, const char *host,
		       uint8_t mac[6])
{
	uint64_t h =
	    fnv64(fnv64(fnv64(fnv64(14695981039346656037ull, lab->name), i->node->name), i->name),
		  host);

	mac[0] = 0x02;
	for (int k = 1; k < 6; k++)
		mac[k] = (uint8_t)(h >> (8 * k));
}

int hosts_select(struct topo_lab *lab, const char *name, struct sbuf *err)
{
	if (!lab->hosts.n) {
		sbuf_addf(err,
			  "the topology has no [hosts] section: it is built whole, without --host");
		return -EINVAL;
	}
	struct topo_host *h = hosts_find(lab, name);
	if (!h) {
		_cleanup_free_ char *all = hosts_list(lab);
		sbuf_addf(err, "no host '%s' in [hosts] (hosts: %s)", name, all);
		return -ENOENT;
	}
	lab->here = h;
	lab->switch_here = false;
	if (lab->switch_node)
		vec_foreach (ip, &lab->switch_node->ifaces)
			lab->switch_here |= (*ip)->peer && (*ip)->peer->node->host == h;

	/* VNIs in file order: the crossing links (their first end), then the
	 * bridges that span hosts; from [hosts] vni, or from the lab's final
	 * name, so that two copies of a lab on the same hosts differ. */
	uint32_t count = 0;
	vec_foreach (np, &lab->nodes)
		vec_foreach (ip, &(*np)->ifaces)
			count += (*ip)->xvni &&
				 (!(*ip)->peer || (*np)->index <= (*ip)->peer->node->index);
	uint32_t base = lab->vni_base;
	if (!base) {
		uint64_t hash = fnv64(14695981039346656037ull, lab->name);
		base = 0x10000 + (uint32_t)(hash % (0xffffffu - 0x10000 - count));
	} else if ((uint64_t)base + count - 1 > 0xffffff) {
		sbuf_addf(err, "[hosts] vni = %u: the lab needs %u VNIs from there, past 16777215",
			  base, count);
		return -EINVAL;
	}
	uint32_t next = base;
	vec_foreach (np, &lab->nodes)
		vec_foreach (ip, &(*np)->ifaces) {
			struct topo_iface *i = *ip;
			if (!i->xvni || (i->peer && (*np)->index > i->peer->node->index))
				continue;
			i->xvni = next++;
			if (i->peer && !i->node->is_switch) {
				i->peer->xvni = i->xvni;
				for (struct topo_iface *e = i; e; e = e == i ? i->peer : NULL)
					if (!e->has_mac) {
						derive_mac(lab, e, "", e->mac);
						e->has_mac = true;
					}
			}
		}
	return 0;
}

bool hosts_node_here(const struct topo_lab *lab, const struct topo_node *n)
{
	if (!lab->here)
		return true;
	return n->is_switch ? lab->switch_here : n->host == lab->here;
}

bool hosts_iface_here(const struct topo_lab *lab, const struct topo_iface *i)
{
	if (!hosts_node_here(lab, i->node))
		return false;
	/* a port of the switch namespace goes with its node (hosts_plan_link) */
	return !lab->here || !i->node->is_switch || !i->peer || i->peer->node->is_switch ||
	       hosts_node_here(lab, i->peer->node);
}

/* One VXLAN device of a segment between hosts, made from the host's
 * namespace into its node's (or the switch's). */
struct xvx {
	struct topo_iface *iface;
	const struct topo_host *remote;	 /* a link's other host, or NULL */
	const struct topo_host **floods; /* a bridge's other hosts */
	size_t nfloods;
};

static void xvx_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct xvx *x = s->data;
	const struct topo_lab *lab = p->lab;
	const struct topo_iface *i = x->iface;
	char a[IPADDR_STRLEN], mac[18];

	sbuf_addf(out, "ip link add %s netns %s address %s mtu %u type vxlan id %u local %s",
		  i->name, i->node->netns, mac_str(i->mac, mac), i->mtu, i->xvni,
		  ipaddr_str(&lab->here->addr, a));
	if (x->remote)
		sbuf_addf(out, " remote %s", ipaddr_str(&x->remote->addr, a));
	sbuf_addf(out, " dstport %u", lab->vx_port ? lab->vx_port : HOSTS_VX_PORT);
	if (lab->here->dev)
		sbuf_addf(out, " dev %s", lab->here->dev);
	sbuf_adds(out, "\n");
	for (size_t k = 0; k < x->nfloods; k++)
		sbuf_addf(out, "bridge -n %s fdb append 00:00:00:00:00:00 dev %s dst %s\n",
			  i->node->netns, i->name, ipaddr_str(&x->floods[k]->addr, a));
}

static void xvx_describe(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct xvx *x = s->data;

	if (x->remote)
		sbuf_addf(out, "create VXLAN '%s' (VNI %u) to host '%s'", x->iface->name,
			  x->iface->xvni, x->remote->name);
	else
		sbuf_addf(out, "create VXLAN port '%s' (VNI %u) of bridge '%s' to the other hosts",
			  x->iface->name, x->iface->xvni, x->iface->master->name);
}

static int xvx_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct xvx *x = s->data;
	const struct topo_lab *lab = nl->plan->lab;
	const struct topo_host *here = lab->here;
	_cleanup_link_ struct rtnl_link *link = rtnl_link_vxlan_alloc();
	_cleanup_nladdr_ struct nl_addr *local = NULL, *group = NULL;
	static const uint8_t zero[6];
	int r;

	if (!link)
		return -ENOMEM;
	if (!nl->host_sk) {
		/* between steps nslab is in the namespace it was started in */
		nl->host_sk = nl_open_here(nl, &r);
		if (!nl->host_sk) {
			sbuf_addf(err, "netlink socket in the host's namespace: %s", strerror(-r));
			return r;
		}
	}
	int fd = nl_nsfd(nl, x->iface->node);
	if (fd < 0) {
		sbuf_addf(err, "namespace '%s': %s", x->iface->node->netns, strerror(-fd));
		return fd;
	}
	nl_link_setup(nl, link, x->iface);
	rtnl_link_vxlan_set_id(link, x->iface->xvni);
	rtnl_link_vxlan_set_port(link, lab->vx_port ? lab->vx_port : HOSTS_VX_PORT);
	local = nl_addr_from(&here->addr, false);
	rtnl_link_vxlan_set_local(link, local);
	if (x->remote) {
		group = nl_addr_from(&x->remote->addr, false);
		rtnl_link_vxlan_set_group(link, group);
	}
	if (here->dev) {
		unsigned idx = if_nametoindex(here->dev);
		if (!idx) {
			sbuf_addf(err,
				  "host '%s' has no interface '%s' (its 'dev' in [hosts], line %u)",
				  here->name, here->dev, here->loc.line);
			return -ENODEV;
		}
		rtnl_link_vxlan_set_link(link, idx);
	}
	rtnl_link_set_ns_fd(link, fd);
	r = nl_link_add(nl, nl->host_sk, link, err);
	/* File exists: an older kernel took the index for one of the host's
	 * own (xvx_ifindex; the request is exclusive, the host's link stays
	 * as it was), or the VNI is taken. Looked up only then. */
	struct rtnl_link *taken = NULL;
	if (r == -EEXIST &&
	    rtnl_link_get_kernel(nl->host_sk, (int)nl_ifindex(nl, x->iface), NULL, &taken) == 0) {
		sbuf_addf(err,
			  "; this host's namespace has an interface '%s' of index %u, the index "
			  "planned for '%s' in '%s', and this kernel looks it up there: delete "
			  "that interface or take the lab up on another host",
			  rtnl_link_get_name(taken), nl_ifindex(nl, x->iface), x->iface->name,
			  x->iface->node->netns);
		rtnl_link_put(taken);
	} else if (r == -EEXIST)
		sbuf_addf(err,
			  "; VNI %u on UDP port %u is taken in this host's namespace (another lab "
			  "split across these hosts?): give the lab other VNIs with 'vni = N' in "
			  "[hosts]",
			  x->iface->xvni, lab->vx_port ? lab->vx_port : HOSTS_VX_PORT);
	for (size_t k = 0; r == 0 && k < x->nfloods; k++)
		r = nl_fdb_add(nl, nl_sk(nl, x->iface->node), nl_ifindex(nl, x->iface), zero,
			       &x->floods[k]->addr, true, err);
	return r;
}

static const struct step_type xvx_step = {
    .name = "xvxlan",
    .group = STEP_GROUP_LINKS,
    .print = xvx_print,
    .describe = xvx_describe,
    .apply = xvx_apply,
};

/* A VXLAN device that goes into a node is created from a socket in the
 * host's namespace. Older kernels (Debian 12's 6.1 among them) look the
 * request's ifindex (or, without one, its name) up in the socket's
 * namespace, not in the one the device goes to: a planned index of 2
 * would find the host's eth0 (File exists), so would a name of eth0. So
 * these devices have indexes far above what a host hands out, and their
 * names are never looked up. */
#define XVX_IFINDEX_BASE 0x40000000u
static void xvx_ifindex(struct plan *p, struct topo_iface *i)
{
	plan_ifindex(p, i);
	i->ifindex += XVX_IFINDEX_BASE;
}

bool hosts_plan_link(struct plan *p, struct topo_iface *a, struct topo_iface *b)
{
	if (!p->lab->here)
		return false;
	/* a port of the switch namespace goes with its node: on the node's host */
	if (a->node->is_switch != b->node->is_switch)
		return !hosts_node_here(p->lab, a->node->is_switch ? b->node : a->node);
	if (a->node->is_switch || !a->node->host || !b->node->host ||
	    a->node->host == b->node->host)
		return false;
	for (struct topo_iface *e = a; e; e = e == a ? b : NULL) {
		if (!hosts_node_here(p->lab, e->node))
			continue;
		struct xvx *x = plan_alloc(p, sizeof(*x));
		x->iface = e;
		x->remote = e->peer->node->host;
		xvx_ifindex(p, e);
		plan_add(p, &xvx_step, e->node, x)->loc = &e->dev->loc;
		plan_add(p, &step_set, e->node, e)->dev = e->dev;
	}
	return true;
}

void hosts_plan_bridges(struct plan *p)
{
	struct topo_lab *lab = p->lab;
	struct topo_node *sw = lab->switch_node;
	struct domains dom;

	if (!lab->here || !sw || !lab->switch_here)
		return;
	domains_build(lab, &dom);
	for (size_t b = 0; b < dom.nb; b++) {
		struct topo_iface *br = dom.br[b];
		const bool *on = dom.on + b * dom.nh;
		if (!br->xvni || dom_find(&dom, b) != b || !on[lab->here->index])
			continue;
		struct topo_iface *i = plan_alloc(p, sizeof(*i));
		struct xvx *x = plan_alloc(p, sizeof(*x));
		snprintf(i->name, sizeof(i->name), "vxh%u", br->xvni);
		i->node = sw;
		i->master = br;
		i->auto_name = true;
		i->mtu = seg_mtu(lab);
		i->xvni = br->xvni;
		i->loc = br->loc;
		derive_mac(lab, i, lab->here->name, i->mac); /* one per host */
		i->has_mac = true;
		x->iface = i;
		x->floods = plan_alloc(p, lab->hosts.n * sizeof(*x->floods));
		vec_foreach (hp, &lab->hosts)
			if (on[(*hp)->index] && *hp != lab->here)
				x->floods[x->nfloods++] = *hp;
		xvx_ifindex(p, i);
		plan_add(p, &xvx_step, sw, x)->loc = &br->loc;
		plan_add(p, &step_set, sw, i);
	}
	domains_free(&dom);
}

int hosts_check_here(const struct topo_lab *lab, struct sbuf *err)
{
	struct ifaddrs *ifa, *it;
	char buf[IPADDR_STRLEN];
	bool found = false;

	if (!lab->here)
		return 0;
	if (getifaddrs(&ifa) < 0)
		return 0; /* the kernel will say what is wrong */
	for (it = ifa; it && !found; it = it->ifa_next) {
		const struct sockaddr *sa = it->ifa_addr;
		if (!sa || sa->sa_family != lab->here->addr.family)
			continue;
		const void *bytes =
		    sa->sa_family == AF_INET
			? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
			: (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		found = memcmp(bytes, lab->here->addr.a, ipaddr_bytes(&lab->here->addr)) == 0;
	}
	freeifaddrs(ifa);
	if (found)
		return 0;
	sbuf_addf(err,
		  "host '%s' has the underlay address %s (line %u), which is no address of this "
		  "machine: is this host '%s'? ('ip -br addr' shows its addresses; '--host NAME' "
		  "names the host this is); nothing was created",
		  lab->here->name, ipaddr_str(&lab->here->addr, buf), lab->here->loc.line,
		  lab->here->name);
	return -EADDRNOTAVAIL;
}

int hosts_probe(const struct topo_lab *lab, struct sbuf *err)
{
	bool crosses = false;

	if (!lab->here)
		return 0;
	vec_foreach (np, &lab->nodes)
		if (hosts_node_here(lab, *np))
			vec_foreach (ip, &(*np)->ifaces)
				crosses |= (*ip)->xvni != 0;
	if (!crosses)
		return 0;
	int r = kind_vxlan_probe();
	if (r == -EOPNOTSUPP)
		sbuf_addf(err,
			  "kernel lacks VXLAN support (module vxlan): the links between host '%s' "
			  "and the others need it; nothing was created",
			  lab->here->name);
	else if (r < 0)
		sbuf_addf(err, "cannot probe the kernel for VXLAN: %s", strerror(-r));
	return r;
}

size_t hosts_nodes_here(const struct topo_lab *lab)
{
	size_t n = 0;

	vec_foreach (np, &lab->nodes)
		n += !(*np)->is_switch && hosts_node_here(lab, *np);
	return n;
}
