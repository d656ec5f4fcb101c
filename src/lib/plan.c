// SPDX-License-Identifier: MIT
/* Steps in the order they are applied: namespaces, then devices (bridges,
 * veths, tunnels, each kind in its own file), then per node: addresses,
 * sysctls, routes, neighbours, FDB entries. */
#include "plan.h"
#include "dns.h"
#include "kind.h"

#include <config.h>

static const char *const step_names[_STEP_MAX] = {
	[STEP_NETNS] = "netns", [STEP_LINK] = "link",     [STEP_SET] = "set",
	[STEP_ADDR] = "addr",   [STEP_SYSCTL] = "sysctl", [STEP_ROUTE] = "route",
	[STEP_NEIGH] = "neigh", [STEP_FDB] = "fdb",       [STEP_ETC] = "etc",
	[STEP_DNS] = "dns",
};

const char *step_type_to_string(enum step_type t)
{
	return t >= 0 && t < _STEP_MAX ? step_names[t] : NULL;
}

char *plan_netns_name(const char *lab, const char *node)
{
	return xasprintf("%s-%s", lab, node ? node : TOPO_SWITCH_NS_SUFFIX);
}

char *plan_lab_marker(const char *lab)
{
	return xasprintf("nslab:%s", lab);
}

char *plan_sysctl_path(const char *key)
{
	struct sbuf b = {0};

	if (strncmp(key, "net.", 4) != 0)
		return NULL;
	sbuf_adds(&b, "/proc/sys/");
	/* sysctl(8): '.' separates, '/' stands for a '.' inside a name */
	for (const char *c = key; *c; c++)
		sbuf_addf(&b, "%c", *c == '.' ? '/' : *c == '/' ? '.' : *c);
	for (char *comp = b.s + strlen("/proc/sys/"); comp;) {
		char *end = strchr(comp, '/');
		size_t n = end ? (size_t)(end - comp) : strlen(comp);
		if (n == 0 || (n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.')) {
			sbuf_free(&b);
			return NULL;
		}
		comp = end ? end + 1 : NULL;
	}
	return sbuf_steal(&b);
}

struct step *plan_add(struct plan *p, enum step_type type, struct topo_node *node)
{
	struct step *s = vec_add(&p->steps);
	s->type = type;
	s->node = node;
	return s;
}

void plan_build(struct topo_lab *lab, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->lab = lab;

	/* The switch first: deleting it first at `down` takes every port
	 * with it in one batch. */
	if (lab->switch_node)
		plan_add(p, STEP_NETNS, lab->switch_node);
	vec_foreach(np, &lab->nodes) if (!(*np)->is_switch) plan_add(p, STEP_NETNS, *np);

	for (size_t k = 0; k < link_kinds_n; k++)
		vec_foreach(dp, &lab->devs) if ((*dp)->kind == link_kinds[k])(*dp)->kind->plan(p, *dp);

	vec_foreach(np, &lab->nodes)
	{
		struct topo_node *n = *np;
		vec_foreach(a, &n->addrs) plan_add(p, STEP_ADDR, n)->addr = a;
		if (n->forward || n->sysctls.n)
			plan_add(p, STEP_SYSCTL, n);
		/* device routes first: a gateway may be reachable only through one */
		vec_foreach(r, &n->routes) if (!r->has_via) plan_add(p, STEP_ROUTE, n)->route = r;
		vec_foreach(r, &n->routes) if (r->has_via) plan_add(p, STEP_ROUTE, n)->route = r;
		vec_foreach(x, &n->neighs) plan_add(p, STEP_NEIGH, n)->neigh = x;
		vec_foreach(f, &n->fdbs) plan_add(p, STEP_FDB, n)->fdb = f;
	}
	if (lab->dns.server_node) {
		vec_foreach(np, &lab->nodes) if (!(*np)->is_switch) plan_add(p, STEP_ETC, *np);
		plan_add(p, STEP_DNS, lab->dns.server_node);
	}
}

void plan_free(struct plan *p)
{
	vec_free(&p->steps);
}

static void print_route(const struct step *s, struct sbuf *out)
{
	const struct topo_route *r = s->route;
	char buf[IPADDR_STRLEN];

	sbuf_addf(out, "ip -n %s%s route add ", s->node->netns,
		  r->dst.len == 0 && r->dst.family == AF_INET6 ? " -6" : "");
	if (r->dst.len == 0)
		sbuf_adds(out, "default");
	else
		sbuf_adds(out, ipaddr_cidr(&r->dst, buf));
	if (r->has_via)
		sbuf_addf(out, " via %s", ipaddr_str(&r->via, buf));
	if (r->ifname)
		sbuf_addf(out, " dev %s", r->ifname);
	if (r->onlink)
		sbuf_adds(out, " onlink");
	if (r->has_metric)
		sbuf_addf(out, " metric %u", r->metric);
	if (r->has_src)
		sbuf_addf(out, " src %s", ipaddr_str(&r->src, buf));
	sbuf_adds(out, "\n");
}

/* sysctl(8) is the readable form of what apply writes under /proc/sys. */
static void print_sysctls(const struct step *s, struct sbuf *out)
{
	const struct topo_node *n = s->node;

	sbuf_addf(out, "ip netns exec %s sysctl -qw", n->netns);
	if (n->forward)
		sbuf_adds(out, " net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	vec_foreach(x, &n->sysctls) sbuf_addf(out, " %s=%s", x->key, x->value);
	sbuf_adds(out, "\n");
}

void plan_step_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const char *ns = s->node->netns;
	char buf[IPADDR_STRLEN], mac[18];

	switch (s->type) {
	case STEP_NETNS: {
		_cleanup_free_ char *marker = plan_lab_marker(p->lab->name);
		sbuf_addf(out, "ip netns add %s\n", ns);
		sbuf_addf(out, "ip -n %s link set lo up alias %s\n", ns, marker);
		if (s->node->is_switch || !p->lab->uses_ipv6)
			/* No IPv6 where none is used: no link-local addresses,
			 * DAD, MLD or router solicitations flooding the segment
			 * (on a 2000-host star, n^2 packets and rtnl held by
			 * addrconf work while up waits). */
			sbuf_addf(out,
				  "ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
				  "net.ipv6.conf.default.disable_ipv6=1\n",
				  ns);
		else if (p->lab->uses_ipv6)
			/* Link-local addresses usable at once: without this a
			 * router's first IPv6 answers wait ~2 s for DAD. */
			sbuf_addf(out,
				  "ip netns exec %s sysctl -qw net.ipv6.conf.all.accept_dad=0 "
				  "net.ipv6.conf.default.accept_dad=0\n",
				  ns);
		break;
	}
	case STEP_LINK:
		s->dev->kind->print(p, s, out);
		break;
	case STEP_SET:
		if (s->iface->master)
			sbuf_addf(out, "ip -n %s link set %s master %s up\n", ns, s->iface->name,
				  s->iface->master->name);
		else
			sbuf_addf(out, "ip -n %s link set %s up\n", ns, s->iface->name);
		break;
	case STEP_ADDR: {
		const struct topo_addr *a = s->addr;
		if (a->has_peer)
			sbuf_addf(out, "ip -n %s addr add %s", ns, ipaddr_str(&a->local, buf));
		else
			sbuf_addf(out, "ip -n %s addr add %s", ns, ipaddr_cidr(&a->local, buf));
		if (a->has_peer)
			sbuf_addf(out, " peer %s", ipaddr_cidr(&a->peer, buf));
		sbuf_addf(out, " dev %s%s\n", a->ifname, a->local.family == AF_INET6 ? " nodad" : "");
		break;
	}
	case STEP_SYSCTL:
		print_sysctls(s, out);
		break;
	case STEP_ROUTE:
		print_route(s, out);
		break;
	case STEP_NEIGH:
		sbuf_addf(out, "ip -n %s neigh add %s lladdr %s dev %s nud permanent\n", ns,
			  ipaddr_str(&s->neigh->addr, buf), mac_str(s->neigh->lladdr, mac),
			  s->neigh->ifname);
		break;
	case STEP_FDB:
		if (s->fdb->has_dst)
			sbuf_addf(out, "bridge -n %s fdb append %s dev %s dst %s self permanent\n", ns,
				  mac_str(s->fdb->mac, mac), s->fdb->ifname,
				  ipaddr_str(&s->fdb->dst, buf));
		else
			sbuf_addf(out, "bridge -n %s fdb add %s dev %s master static\n", ns,
				  mac_str(s->fdb->mac, mac), s->fdb->ifname);
		break;
	case STEP_ETC:
		dns_print_etc(p->lab, s, out);
		break;
	case STEP_DNS:
		dns_print_server(p->lab, s, out);
		break;
	case _STEP_MAX:
	case _STEP_INVALID:
		break;
	}
}

void plan_step_describe(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const char *who = s->node->is_switch ? "switch" : "node";
	const char *name = s->node->is_switch ? s->node->netns : s->node->name;
	char buf[IPADDR_STRLEN], via[IPADDR_STRLEN];

	switch (s->type) {
	case STEP_NETNS:
		sbuf_addf(out, "%s '%s': create network namespace '%s'", who, name, s->node->netns);
		break;
	case STEP_LINK:
		sbuf_addf(out, "%s '%s': create %s '%s'", who, name, s->dev->kind->name,
			  s->dev->name ? s->dev->name : "link");
		break;
	case STEP_SET:
		sbuf_addf(out, "%s '%s': set '%s' up", who, name, s->iface->name);
		break;
	case STEP_ADDR:
		sbuf_addf(out, "%s '%s': add address '%s' to '%s'", who, name,
			  ipaddr_cidr(&s->addr->local, buf), s->addr->ifname);
		break;
	case STEP_SYSCTL:
		sbuf_addf(out, "%s '%s': set sysctls", who, name);
		break;
	case STEP_ROUTE:
		sbuf_addf(out, "%s '%s': add route '%s", who, name,
			  s->route->dst.len ? ipaddr_cidr(&s->route->dst, buf) : "default");
		if (s->route->has_via)
			sbuf_addf(out, " via %s", ipaddr_str(&s->route->via, via));
		if (s->route->ifname)
			sbuf_addf(out, " dev %s", s->route->ifname);
		sbuf_adds(out, "'");
		break;
	case STEP_NEIGH:
		sbuf_addf(out, "%s '%s': add neighbour '%s' on '%s'", who, name,
			  ipaddr_str(&s->neigh->addr, buf), s->neigh->ifname);
		break;
	case STEP_FDB:
		sbuf_addf(out, "%s '%s': add FDB entry on '%s'", who, name, s->fdb->ifname);
		break;
	case STEP_ETC:
		sbuf_addf(out, "node '%s': write /etc/netns/%s", name, s->node->netns);
		break;
	case STEP_DNS:
		sbuf_addf(out, "node '%s': start dnsmasq", name);
		break;
	case _STEP_MAX:
	case _STEP_INVALID:
		break;
	}
	const struct topo_loc *loc = s->type == STEP_LINK    ? &s->dev->loc
				     : s->type == STEP_ADDR  ? &s->addr->loc
				     : s->type == STEP_ROUTE ? &s->route->loc
				     : s->type == STEP_NEIGH ? &s->neigh->loc
				     : s->type == STEP_FDB   ? &s->fdb->loc
							     : NULL;
	if (loc && loc->line)
		sbuf_addf(out, " (%s:%u)", loc->file, loc->line);
}

void plan_print(const struct plan *p, FILE *f)
{
	struct sbuf b = {0};
	const struct topo_node *last = NULL;

	fprintf(f, "#!/bin/sh\n");
	fprintf(f, "# Lab '%s' from %s, in the order nslab %s builds it.\n", p->lab->name,
		p->lab->file, NSLAB_VERSION);
	fprintf(f, "# Run as root; take it down with: nslab down %s\n", p->lab->name);
	fprintf(f, "set -e\n");
	vec_foreach(s, &p->steps)
	{
		sbuf_reset(&b);
		if (s == p->steps.v)
			sbuf_adds(&b, "\n# namespaces, lo up in each\n");
		else if (s->type == STEP_LINK && s[-1].type == STEP_NETNS)
			sbuf_adds(&b, "\n# links\n");
		else if (s->type == STEP_ETC && s[-1].type != STEP_ETC)
			sbuf_addf(&b, "\n# DNS: dnsmasq in node '%s' answers for '%s'; every node asks it\n",
				  p->lab->dns.server, dns_domain(p->lab));
		else if (s->type >= STEP_ADDR && s->type < STEP_ETC && s->node != last)
			sbuf_addf(&b, "\n# node %s\n", s->node->name);
		if (s->type >= STEP_ADDR)
			last = s->node;
		plan_step_print(p, s, &b);
		fputs(b.s, f);
	}
	sbuf_free(&b);
}
