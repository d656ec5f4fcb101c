// SPDX-License-Identifier: MIT
/* Whole-topology checks. Each pass reports everything it finds and goes on,
 * so one run lists every error. */
#include "validate.h"
#include "kind.h"
#include "node-key.h"
#include "check.h"

#include <fnmatch.h>













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

static bool own_resolver(const struct topo_lab *lab)
{
	vec_foreach(np, &lab->nodes) vec_foreach(l, &(*np)->layers)
	{
		_cleanup_free_ char *p = xasprintf("%s/etc/resolv.conf", *l);
		if (access(p, F_OK) == 0)
			return true;
	}
	return false;
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
		} else if (e->kind == EXPECT_ROUTE || e->kind == EXPECT_NOROUTE) {
			struct check_route want;
			const char *why;
			char word[128];
			if (check_route_parse(e->rest, &want, &why, word, sizeof(word)) < 0)
				diag_add(d, &e->loc,
					 "write 'route = NODE PREFIX [via GW] [dev IF] [proto P] [table N]', e.g. "
					 "'route = r1 10.0.3.0/24 via 10.0.12.2 proto ospf'",
					 "%s: '%s' %s", topo_expect_kind_to_string(e->kind), word, why);
		} else if (e->kind == EXPECT_TCP) {
			_cleanup_free_ char *copy = xstrdup(e->rest);
			char *w[3], *end;
			size_t n = split_words(copy, w, 2);
			unsigned long port = n == 2 ? strtoul(w[1], &end, 10) : 0;
			if (n != 2 || *end || port == 0 || port > 65535)
				diag_add(d, &e->loc, "write 'tcp = FROM TO PORT', e.g. 'tcp = client web 80'",
					 "tcp: '%s' is not 'TO PORT' (a port from 1 to 65535)", e->rest);
			else
				check_node_list(lab, e, w[0], true, d);
		} else if (e->kind == EXPECT_RESOLVE) {
			/* Without [dns] nothing answers for the lab (unless a node
			 * has a resolv.conf of its own, from its files): getent
			 * sees only the host's files and fails at check time with
			 * a bare exit status 2. */
			if (!lab->dns.loc.line && !own_resolver(lab))
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
	if (!lab->nodes.n) {
		struct topo_loc l1 = {.file = lab->file, .line = 1};
		diag_add(d, &l1, "declare at least one node: '[node h1]'",
			 "the topology declares no nodes");
		return diag_count(d) - before;
	}
	resolve_dev_nodes(lab, d);
	declare_devs(lab, d);
	for (size_t k = 0; k < node_keys_n; k++)
		if (node_keys[k]->validate)
			node_keys[k]->validate(lab, d);
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

	return diag_count(d) - before;
}
