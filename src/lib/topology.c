// SPDX-License-Identifier: MIT
#include "topology.h"
#include "state.h"
#include "node-key.h"

#include <libgen.h>
#include "kind.h"

struct topo_lab *topo_lab_new(const char *file)
{
	struct topo_lab *lab = xcalloc(1, sizeof(*lab));
	lab->file = xstrdup(file);
	lab->ipv6_given = -1;
	lab->startup_timeout_ms = 30000;
	return lab;
}

void topo_node_free(struct topo_node *n)
{
	vec_foreach(i, &n->ifaces) free(*i);
	vec_free(&n->ifaces);
	for (size_t k = 0; k < node_keys_n; k++)
		if (node_keys[k]->free)
			node_keys[k]->free(n);
	free(n->name);
	free(n->netns);
	free(n);
}

void topo_lab_free(struct topo_lab *lab)
{
	if (!lab)
		return;
	free(lab->dir);
	free(lab->folder);
	vec_foreach(n, &lab->nodes) topo_node_free(*n);
	vec_free(&lab->nodes);
	strmap_free(&lab->node_by_name);
	vec_foreach(dp, &lab->devs)
	{
		struct topo_dev *dev = *dp;
		if (dev->kind->free)
			dev->kind->free(dev);
		free(dev->name);
		free(dev->node_name);
		free(dev);
	}
	vec_free(&lab->devs);
	free(lab->dns.server);
	free(lab->dns.domain);
	vec_foreach(r, &lab->dns.records) free(r->name);
	vec_free(&lab->dns.records);
	for (size_t i = 0; i < lab->sections.cap; i++)
		free((char *)lab->sections.keys[i]);
	strmap_free(&lab->sections);
	vec_foreach(l, &lab->section_locs) free(*l);
	vec_free(&lab->section_locs);
	vec_foreach(e, &lab->expects)
	{
		free(e->from);
		free(e->rest);
	}
	vec_free(&lab->expects);
	vec_foreach(hp, &lab->hosts)
	{
		free((*hp)->name);
		free((*hp)->dev);
		free((*hp)->ssh);
		free(*hp);
	}
	vec_free(&lab->hosts);
	vec_foreach(pl, &lab->places)
	{
		free(pl->glob);
		free(pl->host_name);
	}
	vec_free(&lab->places);
	free(lab->default_host);
	free(lab->source);
	free(lab->name);
	free(lab->description);
	free(lab->file);
	free(lab);
}

const char *topo_expect_kind_to_string(enum topo_expect_kind k)
{
	static const char *const names[_EXPECT_MAX] = {
		[EXPECT_REACH] = "reach",
		[EXPECT_NOREACH] = "noreach",
		[EXPECT_RESOLVE] = "resolve",
		[EXPECT_EXEC] = "exec",
		[EXPECT_TCP] = "tcp",
		[EXPECT_ROUTE] = "route",
		[EXPECT_NOROUTE] = "noroute",
	};
	return k >= 0 && k < _EXPECT_MAX ? names[k] : NULL;
}

struct topo_node *topo_node_new(const char *name, const struct topo_loc *loc)
{
	struct topo_node *n = xcalloc(1, sizeof(*n));

	n->name = xstrdup(name);
	n->loc = *loc;
	n->next_ifindex = 2; /* lo is 1 in every namespace */
	n->container = -1;
	return n;
}

struct topo_node *topo_node_add(struct topo_lab *lab, const char *name, const struct topo_loc *loc)
{
	struct topo_node *n = topo_node_new(name, loc);

	if (strmap_put(&lab->node_by_name, n->name, n)) {
		topo_node_free(n);
		return NULL;
	}
	n->index = (uint32_t)lab->nodes.n;
	vec_push(&lab->nodes, n);
	return n;
}

bool topo_node_has_root(const struct topo_node *n)
{
	return !n->is_switch &&
	       (n->container == 1 || n->layers.n || n->startups.n || n->services.n || n->has_frr);
}

char *topo_rel_path(const struct topo_lab *lab, const char *path)
{
	size_t n = lab->dir ? strlen(lab->dir) : 0;

	if (!n || strncmp(path, lab->dir, n) != 0 || path[n] != '/')
		return xstrdup(path);
	_cleanup_free_ char *copy = xstrdup(lab->file);
	const char *dir = dirname(copy);
	return streq(dir, ".") ? xstrdup(path + n + 1) : xasprintf("%s/%s", dir, path + n + 1);
}

char *topo_netns_name(const char *lab, const char *node)
{
	return xasprintf("%s-%s", lab, node ? node : TOPO_SWITCH_NS_SUFFIX);
}

void topo_name_namespaces(struct topo_lab *lab)
{
	vec_foreach(np, &lab->nodes)
	{
		free((*np)->netns);
		(*np)->netns = topo_netns_name(lab->name, (*np)->is_switch ? NULL : (*np)->name);
	}
}

struct topo_node *topo_switch_node(struct topo_lab *lab)
{
	if (lab->switch_node)
		return lab->switch_node;
	struct topo_node *n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(TOPO_SWITCH_NS_SUFFIX);
	n->is_switch = true;
	n->netns = topo_netns_name(lab->name, NULL);
	n->loc = (struct topo_loc){.file = lab->file, .line = 0};
	n->next_ifindex = 2;
	n->index = (uint32_t)lab->nodes.n;
	vec_push(&lab->nodes, n);
	lab->switch_node = n;
	return n;
}

struct topo_iface *topo_iface_find(const struct topo_node *node, const char *name)
{
	/* Nodes have a handful of interfaces; the switch may have thousands,
	 * but it is only searched while declaring its ports. */
	vec_foreach(i, &node->ifaces) if (streq((*i)->name, name)) return *i;
	return NULL;
}

struct topo_iface *topo_iface_add(struct topo_node *node, const char *name, struct topo_dev *dev,
				  const struct topo_loc *loc, struct diag *d)
{
	struct topo_iface *old = topo_iface_find(node, name);

	if (old || streq(name, "lo")) {
		char where[64] = "";
		if (old && old->loc.line)
			snprintf(where, sizeof(where), " (first at line %u)", old->loc.line);
		diag_add(d, loc, "give each interface of a node its own name",
			 "interface '%s' of node '%s' is declared twice%s", name, node->name,
			 where);
		return NULL;
	}
	if (state_is_fallback(name)) {
		/* a tunnel module puts its own device of that name in every new
		 * namespace once it is loaded: the kernel would say EEXIST */
		diag_add(d, loc, "choose another name; the kernel's tunnel modules keep "
				 "gre0, gretap0, erspan0, tunl0, sit0, ip6tnl0, ip6gre0, ip_vti0 "
				 "and ip6_vti0 for themselves",
			 "interface name '%s' of node '%s' is the kernel's own", name, node->name);
		return NULL;
	}
	struct topo_iface *i = xcalloc(1, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->node = node;
	i->dev = dev;
	i->loc = *loc;
	vec_push(&node->ifaces, i);
	return i;
}

char *topo_iface_list(const struct topo_node *node)
{
	struct sbuf b = {0};

	sbuf_adds(&b, "lo");
	vec_foreach(i, &node->ifaces)
	{
		if (b.len > 200) {
			sbuf_adds(&b, ", ...");
			break;
		}
		sbuf_addf(&b, ", %s", (*i)->name);
	}
	return sbuf_steal(&b);
}

int topo_iface_enslave(struct topo_iface *port, struct topo_iface *master,
		       const struct topo_loc *loc, struct diag *d)
{
	if (port == master) {
		diag_add(d, loc, "list the interfaces that go into it, not itself",
			 "'%s' cannot be a port of itself", port->name);
		return -EINVAL;
	}
	if (port->master) {
		char hint[160];
		snprintf(hint, sizeof(hint), "an interface has one master; take it out of '%s'%s",
			 port->master->name,
			 port->auto_name ? " (nslab made it as that bridge's port)" : "");
		diag_add(d, loc, hint, "'%s' is a port of '%s' already", port->name,
			 port->master->name);
		return -EINVAL;
	}
	port->master = master;
	port->master_loc = loc;
	return 0;
}

const struct topo_addr *topo_iface_addr(const struct topo_node *node, const struct topo_iface *iface,
					int family)
{
	vec_foreach(a, &node->addrs) if (a->iface == iface && a->local.family == family) return a;
	return NULL;
}

/* A bridge's port (a VRF's ports route, they do not switch). */
static bool is_port(const struct topo_iface *i)
{
	return i->master && i->master->is_bridge;
}

static bool has_addr(const struct topo_iface *i, int family)
{
	return i && topo_iface_addr(i->node, i, family) != NULL;
}

size_t topo_neighbour_estimate(const struct topo_lab *lab, int family)
{
	size_t total = 0;

	vec_foreach(np, &lab->nodes) vec_foreach(ip, &(*np)->ifaces)
	{
		const struct topo_iface *i = *ip;
		if (i->is_bridge) {
			/* a bridge: its own address plus the far ends of its ports */
			size_t k = has_addr(i, family);
			vec_foreach(pp, &(*np)->ifaces) k += (*pp)->master == i && has_addr((*pp)->peer, family);
			total += k * (k ? k - 1 : 0);
		} else if (i->peer && !is_port(i) && !is_port(i->peer)) {
			/* a plain veth pair, counted from one end */
			if (i < i->peer && has_addr(i, family) && has_addr(i->peer, family))
				total += 2;
		} else if (i->dev && !i->peer && !i->is_bridge && has_addr(i, family)) {
			/* a tunnel end: it may learn every other end of its device */
			size_t k = 0;
			vec_foreach(n2, &lab->nodes) vec_foreach(j, &(*n2)->ifaces) k +=
				(*j)->dev == i->dev && has_addr(*j, family);
			total += k ? k - 1 : 0;
		}
	}
	return total;
}

struct bridge_set {
	const struct topo_iface **br;
	size_t *parent, *ports, n;
};

static size_t find_root(struct bridge_set *s, size_t i)
{
	while (s->parent[i] != i)
		i = s->parent[i] = s->parent[s->parent[i]];
	return i;
}

static size_t bridge_id(struct bridge_set *s, const struct topo_iface *br)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->br[i] == br)
			return i;
	return SIZE_MAX;
}

size_t topo_largest_broadcast_domain(const struct topo_lab *lab)
{
	struct bridge_set s = {0};
	size_t cap = 0, best = 0;

	vec_foreach(np, &lab->nodes) vec_foreach(ip, &(*np)->ifaces) cap += (*ip)->is_bridge;
	if (!cap)
		return 0;
	s.br = xcalloc(cap, sizeof(*s.br));
	s.parent = xcalloc(cap, sizeof(*s.parent));
	s.ports = xcalloc(cap, sizeof(*s.ports));
	vec_foreach(np, &lab->nodes) vec_foreach(ip, &(*np)->ifaces) if ((*ip)->is_bridge)
	{
		s.parent[s.n] = s.n;
		s.br[s.n++] = *ip;
	}
	vec_foreach(np, &lab->nodes) vec_foreach(ip, &(*np)->ifaces)
	{
		const struct topo_iface *i = *ip;
		if (!is_port(i))
			continue;
		size_t a = find_root(&s, bridge_id(&s, i->master));
		s.ports[a]++;
		if (i->peer && is_port(i->peer) && i < i->peer) {
			size_t b = find_root(&s, bridge_id(&s, i->peer->master));
			if (a != b) {
				s.parent[b] = a;
				s.ports[a] += s.ports[b];
			}
		}
	}
	for (size_t i = 0; i < s.n; i++)
		if (s.parent[i] == i && s.ports[i] > best)
			best = s.ports[i];
	free(s.br);
	free(s.parent);
	free(s.ports);
	return best;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The checks names and interface names share. */
static const char *word_error(const char *s, size_t n, size_t max, const char *too_long)
{
	if (n == 0)
		return "is empty";
	if (n > max)
		return too_long;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return "has a character other than letters, digits, '_', '-' and '.'";
	return NULL;
}

const char *topo_name_error(const char *s, size_t max)
{
	size_t n = strlen(s);
	const char *why = word_error(s, n, max, "is too long");

	if (why)
		return why;
	if (!is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return "must start and end with a letter or digit";
	if (strstr(s, ".."))
		return "contains '..'";
	return NULL;
}

const char *topo_ifname_error(const char *s)
{
	const char *why =
		word_error(s, strlen(s), TOPO_IFNAME_MAX, "is longer than 15 characters (IFNAMSIZ)");

	if (why)
		return why;
	if (s[0] == '.' || s[0] == '-')
		return "must start with a letter, digit or '_'";
	return NULL;
}
