// SPDX-License-Identifier: MIT
/* Steps in the order they are applied: namespaces, then devices (bridges,
 * veths, tunnels: each kind in its own file, in the kind table's order),
 * then per node what its keys make (in the node key table's order:
 * addresses, sysctls, routes, neighbours, FDB entries), then DNS, then
 * what runs in each node (its root, ruleset, startup lines, services). */
#include "plan.h"
#include "dns.h"
#include "hosts.h"
#include "kind.h"
#include "node-key.h"

#include <config.h>


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

struct step *plan_add(struct plan *p, const struct step_type *type, struct topo_node *node,
		      const void *data)
{
	struct step *s = p->lab->here && node && !hosts_node_here(p->lab, node) ? &p->elsewhere
										 : vec_add(&p->steps);
	*s = (struct step){.type = type, .node = node, .data = data};
	return s;
}

void plan_ifindex(struct plan *p, struct topo_iface *i)
{
	i->ifindex = i->node->next_ifindex++;
}

void *plan_alloc(struct plan *p, size_t size)
{
	void *m = xcalloc(1, size);
	vec_push(&p->data, m);
	return m;
}

void plan_build(struct topo_lab *lab, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->lab = lab;
	/* indexes from the start: a lab split across hosts is planned once
	 * per host by 'nslab plan' */
	vec_foreach(np, &lab->nodes) (*np)->next_ifindex = 2;

	/* The switch first: deleting it first at `down` takes every port
	 * with it in one batch. */
	if (lab->switch_node)
		plan_add(p, &step_netns, lab->switch_node, NULL);
	vec_foreach(np, &lab->nodes) if (!(*np)->is_switch) plan_add(p, &step_netns, *np, NULL);

	/* Interfaces that a bridge's or VRF's `ports =` names go in once every
	 * device exists; before the kinds' own port settings (same group). */
	vec_foreach (np, &lab->nodes)
		vec_foreach (ip, &(*np)->ifaces)
			if ((*ip)->master && !(*ip)->auto_name && hosts_iface_here(lab, *ip))
				plan_add(p, &step_port, *np, *ip)->loc = (*ip)->master_loc;
	for (size_t k = 0; k < link_kinds_n; k++)
		vec_foreach(dp, &lab->devs) if ((*dp)->kind == link_kinds[k])(*dp)->kind->plan(p, *dp);
	hosts_plan_bridges(p);

	vec_foreach(np, &lab->nodes) for (size_t k = 0; k < node_keys_n; k++) if (node_keys[k]->plan)
		node_keys[k]->plan(p, *np);
	dns_plan(p);

	/* What runs in nodes comes last, after DNS (a node's root copies its
	 * resolv.conf): stable by group, each group in its order. In place,
	 * for the memory of a 10,000-node lab: each step's new place, then
	 * the cycles of that permutation. */
	size_t n = p->steps.n, start[STEP_GROUP_RUN + 1] = {0};
	vec_foreach(s, &p->steps) if (s->type->group < STEP_GROUP_RUN) start[s->type->group + 1]++;
	for (int g = STEP_GROUP_NETNS + 1; g <= STEP_GROUP_RUN; g++)
		start[g] += start[g - 1];
	uint32_t *dest = xmalloc((n ? n : 1) * sizeof(*dest));
	for (size_t i = 0; i < n; i++)
		dest[i] = (uint32_t)start[p->steps.v[i].type->group]++;
	for (size_t i = 0; i < n; i++)
		while (dest[i] != i) {
			size_t j = dest[i];
			struct step t = p->steps.v[j];
			p->steps.v[j] = p->steps.v[i];
			p->steps.v[i] = t;
			dest[i] = dest[j];
			dest[j] = (uint32_t)j;
		}
	free(dest);
	/* and no room to spare: the plan stays while the lab is built */
	if (n && n < p->steps.cap) {
		p->steps.v = xrealloc(p->steps.v, n * sizeof(*p->steps.v));
		p->steps.cap = n;
	}
}

void plan_free(struct plan *p)
{
	vec_foreach(m, &p->data) free(*m);
	vec_free(&p->data);
	vec_free(&p->steps);
	free(p->preamble);
	p->preamble = NULL;
}

void plan_step_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	s->type->print(p, s, out);
}

void plan_describe_link(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "create %s '%s'", s->dev->kind->name, s->dev->name ? s->dev->name : "link");
}

void plan_step_describe(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "%s '%s': ", s->node->is_switch ? "switch" : "node",
		  s->node->is_switch ? s->node->netns : s->node->name);
	s->type->describe(p, s, out);
	if (s->loc && s->loc->line)
		sbuf_addf(out, " (%s:%u)", s->loc->file, s->loc->line);
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
	if (p->preamble)
		fputs(p->preamble, f);
	vec_foreach(s, &p->steps)
	{
		sbuf_reset(&b);
		enum step_group g = s->type->group, prev = s > p->steps.v ? s[-1].type->group : g;
		if (s == p->steps.v)
			sbuf_adds(&b, "\n# namespaces, lo up in each\n");
		else if (g == STEP_GROUP_LINKS && prev == STEP_GROUP_NETNS)
			sbuf_adds(&b, "\n# links\n");
		else if (g == STEP_GROUP_PORTS && prev != STEP_GROUP_PORTS)
			sbuf_adds(&b, "\n# ports: interfaces into their bridges and VRFs, port settings\n");
		else if (g == STEP_GROUP_DNS && prev != STEP_GROUP_DNS)
			sbuf_addf(&b, "\n# DNS: dnsmasq in node '%s' answers for '%s'; every node asks it\n",
				  p->lab->dns.server, dns_domain(p->lab));
		else if (g == STEP_GROUP_NODE && s->node != last)
			sbuf_addf(&b, "\n# node %s\n", s->node->name);
		else if (g == STEP_GROUP_RUN && (s->node != last || prev != STEP_GROUP_RUN))
			sbuf_addf(&b, "\n# node %s runs: its root, rules, startup lines, services\n",
				  s->node->name);
		if (g >= STEP_GROUP_NODE)
			last = s->node;
		plan_step_print(p, s, &b);
		fputs(b.s, f);
	}
	sbuf_free(&b);
}
