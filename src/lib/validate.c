// SPDX-License-Identifier: MIT
/* Whole-topology checks. Each pass reports everything it finds and goes on,
 * so one run lists every error. */
#include "validate.h"
#include "kind.h"
#include "plan.h"

#include <fnmatch.h>

static struct topo_iface *resolve_ifname(struct topo_node *n, const char *ifname,
					 const struct topo_loc *loc, struct diag *d)
{
	struct topo_iface *i = topo_iface_find(n, ifname);
	char hint[320];

	if (i || streq(ifname, "lo"))
		return i; /* NULL for lo: it has no topo_iface */
	_cleanup_free_ char *list = topo_iface_list(n);
	snprintf(hint, sizeof(hint), "interfaces of '%s': %s; links, bridges and tunnels make them",
		 n->name, list);
	diag_add(d, loc, hint, "node '%s' has no interface '%s'", n->name, ifname);
	return NULL;
}

static bool has_iface(struct topo_node *n, const char *ifname)
{
	return streq(ifname, "lo") || topo_iface_find(n, ifname);
}

static void check_ifattrs(struct topo_node *n, struct diag *d)
{
	vec_foreach(a, &n->ifattrs)
	{
		struct topo_iface *i = resolve_ifname(n, a->ifname, &a->loc, d);
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

static void check_addrs(struct topo_lab *lab, struct topo_node *n, struct strmap *seen,
			struct strvec *keys, struct diag *d)
{
	char buf[IPADDR_STRLEN];

	vec_foreach(a, &n->addrs)
	{
		if (!has_iface(n, a->ifname)) {
			(void)resolve_ifname(n, a->ifname, &a->loc, d);
			continue;
		}
		a->iface = topo_iface_find(n, a->ifname);
		lab->uses_ipv6 |= a->local.family == AF_INET6;
		char *key = xasprintf("%d/%s", a->local.family, ipaddr_str(&a->local, buf));
		struct topo_addr *prev = strmap_put(seen, key, a);
		if (prev) {
			char hint[128];
			snprintf(hint, sizeof(hint), "first assigned at line %u; give each interface its own address",
				 prev->loc.line);
			diag_add(d, &a->loc, hint, "address %s is already assigned to %s:%s", buf,
				 prev->node->name, prev->ifname);
			free(key);
			continue;
		}
		vec_push(keys, key);
	}
}

/* Is gw on a subnet the node reaches directly (through dev, if given)? A
 * device route counts too: calico's "169.254.1.1 dev eth0" before
 * "default via 169.254.1.1 dev eth0". */
static bool gateway_connected(const struct topo_node *n, const struct topo_route *r)
{
	vec_foreach(o, &n->routes)
	{
		if (o->has_via || !o->ifname || (r->ifname && !streq(o->ifname, r->ifname)))
			continue;
		if (o->dst.len && ipaddr_contains(&o->dst, &r->via))
			return true;
	}
	vec_foreach(a, &n->addrs)
	{
		if (r->ifname && !streq(a->ifname, r->ifname))
			continue;
		if (a->has_peer) {
			if (ipaddr_contains(&a->peer, &r->via))
				return true;
			continue;
		}
		if (a->local.len < ipaddr_maxlen(&a->local) && ipaddr_contains(&a->local, &r->via))
			return true;
	}
	return false;
}

static const struct topo_addr *own_address(const struct topo_node *n, const struct ipaddr *ip)
{
	vec_foreach(a, &n->addrs) if (ipaddr_equal(&a->local, ip)) return a;
	return NULL;
}

/* The node's own address as the gateway. The kernel takes it for IPv4 when
 * the route goes out of the device that has it (the local route makes it
 * reachable); as the /32 of a container's eth0 with the host answering ARP
 * it is a real setup, so that case is accepted. Any other own address is
 * refused: for IPv6 the kernel refuses it ("Gateway can not be a local
 * address"), /128 or not, and an own /24 gateway is a typo for the
 * neighbour's address. */
static void check_own_gateway(const struct topo_node *n, const struct topo_route *r,
			      const struct topo_addr *a, struct diag *d)
{
	char via[IPADDR_STRLEN], hint[256];
	bool host = !a->has_peer && a->local.len == ipaddr_maxlen(&a->local);

	if (a->local.family == AF_INET && host && !streq(a->ifname, "lo")) {
		if (!r->ifname || streq(r->ifname, a->ifname))
			return;
		snprintf(hint, sizeof(hint),
			 "the kernel takes the node's own /32 as gateway only out of the device that "
			 "has it: write 'dev %s' (ip route would say \"Nexthop has invalid gateway\")",
			 a->ifname);
	} else if (a->local.family == AF_INET6) {
		snprintf(hint, sizeof(hint),
			 "a gateway is a neighbour's address; the kernel refuses an own IPv6 address "
			 "(\"Gateway can not be a local address\")%s",
			 host ? ", a /128 too" : "");
	} else {
		snprintf(hint, sizeof(hint), "a gateway is a neighbour's address, not the node's own");
	}
	diag_add(d, &r->loc, hint, "gateway %s is an address of node '%s' itself",
		 ipaddr_str(&r->via, via), n->name);
}

static void check_routes(struct topo_node *n, struct diag *d)
{
	char via[IPADDR_STRLEN], dst[IPADDR_STRLEN], hint[256];

	for (size_t i = 0; i < n->routes.n; i++) {
		struct topo_route *r = &n->routes.v[i];
		if (r->ifname) {
			if (!has_iface(n, r->ifname)) {
				(void)resolve_ifname(n, r->ifname, &r->loc, d);
				continue;
			}
			r->iface = topo_iface_find(n, r->ifname);
		}
		for (size_t j = 0; j < i; j++) {
			const struct topo_route *o = &n->routes.v[j];
			if (o->dst.family == r->dst.family && o->dst.len == r->dst.len &&
			    ipaddr_equal(&o->dst, &r->dst) && o->metric == r->metric) {
				snprintf(hint, sizeof(hint),
					 "remove one, or give them different 'metric's (first at line %u)",
					 o->loc.line);
				diag_add(d, &r->loc, hint, "route to %s is given twice in node '%s'",
					 r->dst.len ? ipaddr_cidr(&r->dst, dst) : "default", n->name);
				break;
			}
		}
		if (!r->has_via)
			continue;
		ipaddr_str(&r->via, via);
		const struct topo_addr *own = own_address(n, &r->via);
		if (own) {
			/* an accepted one is on-link through its own local route */
			check_own_gateway(n, r, own, d);
			continue;
		}
		if (r->onlink)
			continue;
		/* IPv6 link-local gateways are reached through the named device. */
		if (r->via.family == AF_INET6 && r->via.a[0] == 0xfe && (r->via.a[1] & 0xc0) == 0x80) {
			if (!r->ifname)
				diag_add(d, &r->loc, "add 'dev IF'",
					 "link-local gateway %s needs 'dev'", via);
			continue;
		}
		if (!gateway_connected(n, r) && !n->bad_addr) {
			if (r->ifname)
				snprintf(hint, sizeof(hint),
					 "add 'onlink' to use it anyway (ip route would say \"Network "
					 "is unreachable\"), or an address on '%s' whose subnet holds it",
					 r->ifname);
			else
				snprintf(hint, sizeof(hint),
					 "add 'dev IF onlink' to use it anyway (ip route would say "
					 "\"Network is unreachable\"), or an address whose subnet holds it");
			diag_add(d, &r->loc, hint,
				 "gateway %s of route '%s' is not on a connected subnet of node '%s'%s%s",
				 via, r->dst.len ? ipaddr_cidr(&r->dst, dst) : "default", n->name,
				 r->ifname ? " via " : "", r->ifname ? r->ifname : "");
		}
	}
}

/* The interface a per-interface sysctl names: net.ipv4.conf.IF.KEY,
 * net.ipv6.conf.IF.KEY, net.ipv4.neigh.IF.KEY, net.ipv6.neigh.IF.KEY, with
 * '/' for a '.' inside IF (sysctl(8)). NULL for any other key. The result
 * points into path, the key's /proc/sys path. */
static const char *sysctl_ifname(char *path)
{
	static const char *const dirs[] = {"/proc/sys/net/ipv4/conf/", "/proc/sys/net/ipv6/conf/",
					   "/proc/sys/net/ipv4/neigh/", "/proc/sys/net/ipv6/neigh/"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t len = strlen(dirs[i]);
		if (strncmp(path, dirs[i], len) != 0)
			continue;
		char *end = strchr(path + len, '/');
		if (!end)
			return NULL; /* the directory itself: not an interface's key */
		*end = '\0';
		return path + len;
	}
	return NULL;
}

static void check_sysctl(struct topo_node *n, const struct topo_sysctl *s, struct diag *d)
{
	_cleanup_free_ char *path = plan_sysctl_path(s->key);
	const char *ifname;
	char hint[320];

	if (!path) {
		diag_add(d, &s->loc, "write a net.* key such as net.ipv4.conf.all.rp_filter",
			 "sysctl '%s' is not a net.* key", s->key);
		return;
	}
	ifname = sysctl_ifname(path);
	if (!ifname || streq(ifname, "all") || streq(ifname, "default") || has_iface(n, ifname))
		return;
	/* net.ipv4.conf.flannel.1.rp_filter: the '.' of the name needs a '/' */
	size_t dir = (size_t)(ifname - path) - strlen("/proc/sys/");
	vec_foreach(ip, &n->ifaces)
	{
		const char *name = (*ip)->name;
		size_t len = strlen(name);
		if (!strchr(name, '.') || strncmp(s->key + dir, name, len) != 0 || s->key[dir + len] != '.')
			continue;
		_cleanup_free_ char *fixed = xstrdup(s->key);
		for (char *c = fixed + dir; c < fixed + dir + len; c++)
			if (*c == '.')
				*c = '/';
		snprintf(hint, sizeof(hint), "write '%s': '/' stands for the '.' in '%s' (sysctl(8))",
			 fixed, name);
		diag_add(d, &s->loc, hint, "node '%s' has no interface '%s'", n->name, ifname);
		return;
	}
	_cleanup_free_ char *list = topo_iface_list(n);
	snprintf(hint, sizeof(hint),
		 "interfaces of '%s': %s (and 'all', 'default'); links, bridges and tunnels make them",
		 n->name, list);
	diag_add(d, &s->loc, hint, "node '%s' has no interface '%s'", n->name, ifname);
}

/* What takes FDB entries with 'dst', for messages: "VXLAN device". */
static const char *fdb_remote_noun(void)
{
	for (size_t k = 0; k < link_kinds_n; k++)
		if (link_kinds[k]->fdb_remote)
			return link_kinds[k]->noun;
	return "tunnel";
}

static void check_neighs_fdbs(struct topo_node *n, struct diag *d)
{
	vec_foreach(x, &n->neighs)
	{
		if (has_iface(n, x->ifname))
			x->iface = topo_iface_find(n, x->ifname);
		else
			(void)resolve_ifname(n, x->ifname, &x->loc, d);
	}
	vec_foreach(f, &n->fdbs)
	{
		struct topo_iface *i = resolve_ifname(n, f->ifname, &f->loc, d);
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
		} else if (!tunnel && !i->master) {
			snprintf(hint, sizeof(hint), "put FDB entries on a bridge port or a %s", remote);
			diag_add(d, &f->loc, hint, "interface '%s' is neither a bridge port nor a %s",
				 i->name, remote);
		} else if (tunnel && !f->has_dst) {
			diag_add(d, &f->loc, "add 'dst ADDRESS' (the remote VTEP)",
				 "FDB entry on %s '%s' without 'dst'", i->dev->kind->noun, i->name);
		}
	}
	vec_foreach(s, &n->sysctls) check_sysctl(n, s, d);
}

static void declare_devs(struct topo_lab *lab, struct diag *d)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < link_kinds_n; k++)
			vec_foreach(dp, &lab->devs)
			{
				struct topo_dev *dev = *dp;
				if (dev->kind == link_kinds[k] && dev->kind->declare)
					dev->kind->declare(lab, dev, pass, d);
			}
}

static void resolve_dev_nodes(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(dp, &lab->devs)
	{
		struct topo_dev *dev = *dp;
		if (!dev->node_name)
			continue;
		dev->node = topo_node_find(lab, dev->node_name);
		if (!dev->node) {
			char hint[128];
			snprintf(hint, sizeof(hint), "declare it with '[node %s]'", dev->node_name);
			diag_add(d, &dev->loc, hint, "[%s %s:%s] names unknown node '%s'",
				 dev->kind->section, dev->node_name, dev->name, dev->node_name);
		}
	}
}

/* The kernel's BR_MAX_PORTS is 1024 and port numbers start at 1: the
 * 1024th port fails with EXFULL, half-way through up. */
#define BRIDGE_PORTS_MAX 1023

static void check_bridge_ports(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes) vec_foreach(bp, &(*np)->ifaces)
	{
		if (!(*bp)->is_bridge)
			continue;
		size_t ports = 0;
		vec_foreach(pp, &(*np)->ifaces) ports += (*pp)->master == *bp;
		if (ports > BRIDGE_PORTS_MAX)
			diag_add(d, &(*bp)->loc,
				 "split it into bridges of at most 1023 ports joined by links "
				 "('link = sw1 sw2' keeps one layer-2 segment); 'nslab gen star' does so",
				 "bridge '%s' has %zu ports; a Linux bridge takes at most %d", (*bp)->name,
				 ports, BRIDGE_PORTS_MAX);
	}
}

static void check_dns(struct topo_lab *lab, struct diag *d)
{
	struct topo_dns *dns = &lab->dns;

	if (!dns->loc.line)
		return;
	if (!dns->server) {
		diag_add(d, &dns->loc, "add 'server = NODE', the node that runs dnsmasq",
			 "[dns] has no 'server'");
		return;
	}
	dns->server_node = topo_node_find(lab, dns->server);
	if (!dns->server_node) {
		char hint[128];
		snprintf(hint, sizeof(hint), "name one of the lab's nodes, or declare [node %s]",
			 dns->server);
		diag_add(d, &dns->server_loc, hint, "DNS server node '%s' does not exist",
			 dns->server);
	} else if (!dns->server_node->addrs.n && !dns->server_node->bad_addr) {
		diag_add(d, &dns->server_loc, "give it an address other nodes can reach",
			 "DNS server node '%s' has no address", dns->server);
	}
}

/* A comma-separated list of nodes, or "all"; with allow_targets also
 * NODE:IF and addresses (the far side of reach). */
static void check_node_list(struct topo_lab *lab, const struct topo_expect *e, const char *list,
			    bool allow_targets, struct diag *d)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char hint[160];

	if (streq(list, "all"))
		return;
	for (char *save = NULL, *item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		struct ipaddr ip;
		if (allow_targets && ipaddr_parse_host(item, &ip) == 0)
			continue;
		if (strpbrk(item, "*?[")) {
			bool any = false;
			vec_foreach(np, &lab->nodes) any |= !(*np)->is_switch && fnmatch(item, (*np)->name, 0) == 0;
			if (!any)
				diag_add(d, &e->loc, "a pattern must match at least one node's name",
					 "%s: '%s' matches no node", topo_expect_kind_to_string(e->kind), item);
			continue;
		}
		char *colon = allow_targets ? strchr(item, ':') : NULL;
		if (colon)
			*colon = '\0';
		struct topo_node *n = topo_node_find(lab, item);
		if (!n) {
			snprintf(hint, sizeof(hint), "name a node of the lab%s, or 'all'",
				 allow_targets ? ", NODE:IF or an address" : "");
			diag_add(d, &e->loc, hint, "%s: '%s' is not a node", topo_expect_kind_to_string(e->kind),
				 item);
		} else if (colon && !topo_iface_find(n, colon + 1) && !streq(colon + 1, "lo")) {
			diag_add(d, &e->loc, "name one of the node's interfaces", "%s: node '%s' has no interface '%s'",
				 topo_expect_kind_to_string(e->kind), item, colon + 1);
		}
	}
}

static void check_expects(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(e, &lab->expects)
	{
		check_node_list(lab, e, e->from, false, d);
		if (e->kind == EXPECT_REACH || e->kind == EXPECT_NOREACH) {
			if (strpbrk(e->rest, " \t"))
				diag_add(d, &e->loc, "one target list: 'reach = h1 h2,h3'",
					 "%s: one FROM and one TO list, found more words",
					 topo_expect_kind_to_string(e->kind));
			else
				check_node_list(lab, e, e->rest, true, d);
		} else if (e->kind == EXPECT_RESOLVE) {
			/* Without [dns] nothing answers for the lab: getent sees
			 * only the host's files and fails at check time with a
			 * bare exit status 2. */
			if (!lab->dns.loc.line)
				diag_add(d, &e->loc,
					 "add a [dns] section with 'server = NODE', the node that runs "
					 "dnsmasq (see topologies/dns.ini)",
					 "resolve: the lab has no [dns] section to answer names");
			_cleanup_free_ char *copy = xstrdup(e->rest);
			char *w[3];
			struct ipaddr ip;
			size_t n = split_words(copy, w, 2);
			if (n > 2 || (n == 2 && ipaddr_parse_host(w[1], &ip) < 0))
				diag_add(d, &e->loc, "write 'resolve = FROM NAME [ADDRESS]'",
					 "resolve: '%s' is not an address", n >= 2 ? w[1] : e->rest);
		}
	}
}

size_t topo_validate(struct topo_lab *lab, struct diag *d)
{
	size_t before = diag_count(d);
	struct strmap seen = {0};
	struct strvec keys = {0};

	if (!lab->nodes.n) {
		struct topo_loc l1 = {.file = lab->file, .line = 1};
		diag_add(d, &l1, "declare at least one node: '[node h1]'",
			 "the topology declares no nodes");
		return diag_count(d) - before;
	}
	resolve_dev_nodes(lab, d);
	declare_devs(lab, d);
	vec_foreach(np, &lab->nodes) check_ifattrs(*np, d);
	vec_foreach(np, &lab->nodes) check_addrs(lab, *np, &seen, &keys, d);
	vec_foreach(np, &lab->nodes)
	{
		check_routes(*np, d);
		check_neighs_fdbs(*np, d);
	}
	vec_foreach(dp, &lab->devs) if ((*dp)->kind->validate)(*dp)->kind->validate(lab, *dp, d);
	if (lab->ipv6_given == 0 && lab->uses_ipv6) {
		diag_add(d, &lab->ipv6_loc, "drop 'ipv6 = no', or the IPv6 addresses",
			 "'ipv6 = no' but the lab has IPv6 addresses");
	}
	if (lab->ipv6_given == 1)
		lab->uses_ipv6 = true;
	check_dns(lab, d);
	check_expects(lab, d);
	check_bridge_ports(lab, d);

	vec_foreach(np, &lab->nodes)
	{
		free((*np)->netns);
		(*np)->netns = plan_netns_name(lab->name, (*np)->is_switch ? NULL : (*np)->name);
	}
	vec_foreach(k, &keys) free(*k);
	vec_free(&keys);
	strmap_free(&seen);
	return diag_count(d) - before;
}
