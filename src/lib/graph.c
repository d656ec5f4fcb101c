// SPDX-License-Identifier: MIT
/* nslab graph: the topology as vertices and edges first (one model), then
 * written as dot or mermaid. Everything is in the file's order, so the
 * output is a function of the file. Tunnels are found through the kind
 * table (link_kind.graph_keys), never by name. */
#include "graph.h"
#include "kind.h"

#include <stdlib.h>

enum vertex_type { V_NODE, V_SWITCH, V_BRIDGE, V_SEGMENT };
enum edge_type { E_LINK, E_TUNNEL, E_INNODE };

struct vertex {
	char *id;    /* dot's: "n:h1", "s:lan", "b:node1:cni0", "t:1" */
	char *label; /* lines, '\n' between */
	enum vertex_type type;
	int cluster; /* index in graph.clusters, or -1 */
	bool down;
};

struct edge {
	size_t a, b;
	char *alabel, *blabel, *label; /* near a, near b, in the middle (may be NULL) */
	enum edge_type type;
	bool down;
};

struct cluster {
	char *id, *label;
};

/* A tunnel's segment: the interfaces that reach each other through it. */
struct segment {
	char *key; /* kind name and the values of its graph_keys; NULL: a device's own */
	char *label;
	VEC(const struct topo_iface *) ends;
};

struct segments {
	struct segment *v;
	size_t n, cap;
};

struct graph {
	VEC(struct vertex) vertices;
	VEC(struct edge) edges;
	VEC(struct cluster) clusters;
	struct strmap by_id; /* vertex id -> index + 1 */
	const struct strvec *down;
};

static size_t add_vertex(struct graph *g, char *id, char *label, enum vertex_type t, int cluster)
{
	struct vertex *v = vec_add(&g->vertices);
	v->id = id;
	v->label = label;
	v->type = t;
	v->cluster = cluster;
	strmap_put(&g->by_id, v->id, (void *)(uintptr_t)g->vertices.n);
	return g->vertices.n - 1;
}

static size_t vertex_of(const struct graph *g, const char *id)
{
	return (size_t)(uintptr_t)strmap_get(&g->by_id, id) - 1;
}

static bool is_down(const struct graph *g, const struct topo_iface *i)
{
	if (!g->down)
		return false;
	vec_foreach (w, g->down) {
		size_t n = strlen(i->node->name);
		if (!strncmp(*w, i->node->name, n) && (*w)[n] == ':' && streq(*w + n + 1, i->name))
			return true;
	}
	return false;
}

static bool is_tunnel(const struct topo_iface *i)
{
	return i->dev && i->dev->kind->graph_keys;
}

static bool is_link(const struct topo_iface *i)
{
	return i->dev && i->dev->kind->is_link && i->peer;
}

/* The interface's addresses after its name, sep between them (after
 * what b holds already). */
static void iface_text(const struct topo_iface *i, bool with_name, const char *sep, struct sbuf *b)
{
	char buf[IPADDR_STRLEN];

	if (with_name) {
		sbuf_adds(b, i->name);
		if (i->master && !i->master->is_bridge) /* a VRF's port */
			sbuf_addf(b, " (%s)", i->master->name);
	}
	vec_foreach (a, &i->node->addrs) {
		if (a->iface != i)
			continue;
		if (b->len)
			sbuf_adds(b, sep);
		sbuf_adds(b, ipaddr_cidr(&a->local, buf));
	}
}

/* What an edge says near interface i: its name (not a port nslab named),
 * addresses, and the impairments of what leaves it ("delay 20ms"). */
static char *end_label(const struct topo_iface *i)
{
	struct sbuf b = {0};
	iface_text(i, !i->auto_name, "\n", &b);
	if (impair_active(&i->impair)) {
		if (b.len)
			sbuf_adds(&b, "\n");
		impair_format(&i->impair, &b);
	}
	return b.s ? sbuf_steal(&b) : NULL;
}

/* Where an edge to interface i ends: its bridge, or its node. An
 * interface of the switch namespace that is no bridge's port (none that
 * validate lets through today) gets a vertex of its own rather than none. */
static size_t endpoint(struct graph *g, const struct topo_iface *i)
{
	const struct topo_iface *at = i->master && i->master->is_bridge ? i->master : i;
	_cleanup_free_ char *id = NULL;

	if (at->is_bridge || at->node->is_switch)
		id = at->node->is_switch ? xasprintf("s:%s", at->name)
					 : xasprintf("b:%s:%s", at->node->name, at->name);
	else
		id = xasprintf("n:%s", at->node->name);
	if (!strmap_get(&g->by_id, id))
		return add_vertex(g, steal_pointer(&id), xstrdup(at->name), V_SWITCH, -1);
	return vertex_of(g, id);
}

/* The node that leaf node l hangs from: every interface of it (but lo) is
 * a veth to that one node (the node or a bridge in it). NULL: none. */
static const struct topo_node *leaf_of(const struct topo_node *l)
{
	const struct topo_node *up = NULL;

	if (l->is_switch)
		return NULL;
	vec_foreach (ip, &l->ifaces) {
		const struct topo_iface *i = *ip;
		if (!i->dev)
			continue;
		if (!is_link(i) || i->peer->node->is_switch || (up && i->peer->node != up))
			return NULL;
		up = i->peer->node;
	}
	return up;
}

/* Groups: a node with two or more leaf nodes (or one, on a bridge of the
 * node's own) and a way out besides them (a link to another node or a
 * switch, a tunnel) is drawn in a box with its leaves: a Kubernetes node
 * and its pods, behind cni0 or on their own veths. Returns the cluster of
 * each node (by index), -1 for none. */
static int *find_clusters(const struct topo_lab *lab, struct graph *g)
{
	size_t n = lab->nodes.n;
	const struct topo_node **up = xcalloc(n ? n : 1, sizeof(*up));
	size_t *leaves = xcalloc(n ? n : 1, sizeof(*leaves));
	int *cluster = xmalloc((n ? n : 1) * sizeof(*cluster));

	bool *bridged = xcalloc(n ? n : 1, sizeof(*bridged));

	for (size_t k = 0; k < n; k++) {
		up[k] = leaf_of(lab->nodes.v[k]);
		cluster[k] = -1;
		if (!up[k])
			continue;
		leaves[up[k]->index]++;
		vec_foreach (ip, &lab->nodes.v[k]->ifaces) {
			const struct topo_iface *m = (*ip)->peer ? (*ip)->peer->master : NULL;
			bridged[up[k]->index] |= m && m->is_bridge;
		}
	}
	for (size_t k = 0; k < n; k++) {
		const struct topo_node *x = lab->nodes.v[k];
		bool out = false;
		if (!leaves[k] || (leaves[k] < 2 && !bridged[k]) || up[k])
			continue;
		vec_foreach (ip, &x->ifaces) {
			const struct topo_iface *i = *ip;
			out |= is_tunnel(i) || (is_link(i) && up[i->peer->node->index] != x);
		}
		if (!out)
			continue;
		struct cluster *c = vec_add(&g->clusters);
		c->id = xasprintf("cluster_%s", x->name);
		c->label = xasprintf("%s and %zu node%s behind it", x->name, leaves[k],
				     leaves[k] == 1 ? "" : "s");
		cluster[k] = (int)(g->clusters.n - 1);
	}
	for (size_t k = 0; k < n; k++)
		if (up[k] && cluster[up[k]->index] >= 0)
			cluster[k] = cluster[up[k]->index];
	free(up);
	free(leaves);
	free(bridged);
	return cluster;
}

/* A node's own label: its name, then the devices that are neither links,
 * bridges nor tunnels (dummy, VLAN, VRF, macvlan...; lo with addresses). */
static char *node_label(const struct topo_node *n)
{
	struct sbuf b = {0};

	sbuf_adds(&b, n->name);
	vec_foreach (ip, &n->ifaces) {
		const struct topo_iface *i = *ip;
		struct sbuf t = {0};
		if (is_link(i) || is_tunnel(i) || i->is_bridge)
			continue;
		iface_text(i, false, " ", &t);
		if (i->dev || t.len) /* lo only with addresses */
			sbuf_addf(&b, "\n%s%s%s%s%s", i->name, i->dev ? " " : "",
				  i->dev ? i->dev->kind->name : "", t.len ? " " : "",
				  t.len ? t.s : "");
		sbuf_free(&t);
	}
	return sbuf_steal(&b);
}

static void add_vertices(const struct topo_lab *lab, struct graph *g, const int *cluster)
{
	vec_foreach (np, &lab->nodes) {
		const struct topo_node *n = *np;
		int c = cluster[n->index];
		size_t nv = 0;
		if (!n->is_switch)
			nv = add_vertex(g, xasprintf("n:%s", n->name), node_label(n), V_NODE, c);
		vec_foreach (ip, &n->ifaces) {
			const struct topo_iface *i = *ip;
			if (!i->is_bridge)
				continue;
			struct sbuf b = {0};
			sbuf_addf(&b, "%s\n%s", i->name, i->dev ? i->dev->kind->name : "");
			iface_text(i, false, "\n", &b);
			size_t v =
			    add_vertex(g,
				       n->is_switch ? xasprintf("s:%s", i->name)
						    : xasprintf("b:%s:%s", n->name, i->name),
				       sbuf_steal(&b), n->is_switch ? V_SWITCH : V_BRIDGE, c);
			g->vertices.v[v].down = is_down(g, i);
			if (!n->is_switch) { /* a bridge in a node hangs from it */
				struct edge *e = vec_add(&g->edges);
				e->a = nv;
				e->b = v;
				e->type = E_INNODE;
			}
		}
	}
}

/* Each veth once, in the order of its first end. */
static void add_links(const struct topo_lab *lab, struct graph *g)
{
	vec_foreach (np, &lab->nodes) {
		vec_foreach (ip, &(*np)->ifaces) {
			const struct topo_iface *i = *ip, *p = i->peer;
			if (!is_link(i))
				continue;
			/* the other end comes later in the file's order */
			if (p->node->index < i->node->index ||
			    (p->node == i->node && p->ifindex < i->ifindex))
				continue;
			/* a switch first: dot ranks tails above heads, and a
			 * switch above its nodes reads best */
			if (g->vertices.v[endpoint(g, i)].type != V_SWITCH &&
			    g->vertices.v[endpoint(g, p)].type == V_SWITCH) {
				const struct topo_iface *x = i;
				i = p;
				p = x;
			}
			struct edge *e = vec_add(&g->edges);
			e->a = endpoint(g, i);
			e->b = endpoint(g, p);
			e->alabel = end_label(i);
			e->blabel = end_label(p);
			e->type = E_LINK;
			e->down = is_down(g, i) || is_down(g, p);
		}
	}
}

/* The words of i's settings (link_kind.attrs) whose key is one of its
 * kind's graph_keys: "vni 1", "port 8472". */
static void segment_words(const struct topo_iface *i, struct strvec *ret)
{
	const struct link_kind *k = i->dev->kind;
	struct strvec attrs = {0}, fdbs = {0};

	if (k->attrs)
		k->attrs(i->dev, i, &attrs, &fdbs);
	vec_foreach (w, &attrs) {
		size_t n = strcspn(*w, " ");
		for (const char *const *key = k->graph_keys; *key; key++)
			if (strlen(*key) == n && !strncmp(*w, *key, n))
				vec_push(ret, xstrdup(*w));
	}
	strvec_free(&attrs);
	strvec_free(&fdbs);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The segment interface i joins: its device's own when the device has
 * several ends (members), else the one of its kind with the same values
 * (sorted, so that a pair's "local A remote B" and "local B remote A"
 * meet). */
static struct segment *segment_of(struct segments *segs, const struct topo_iface *i,
				  size_t dev_ends)
{
	struct strvec words = {0}, values = {0};
	struct sbuf key = {0}, label = {0};

	segment_words(i, &words);
	vec_foreach (w, &words) {
		const char *sp = strchr(*w, ' ');
		vec_push(&values, xstrdup(sp ? sp + 1 : ""));
	}
	if (values.n)
		qsort(values.v, values.n, sizeof(*values.v), cmp_str);
	sbuf_adds(&key, i->dev->kind->name);
	vec_foreach (v, &values)
		sbuf_addf(&key, " %s", *v);
	sbuf_adds(&label, kind_title(i->dev->kind));
	if (i->dev->name && dev_ends > 1)
		sbuf_addf(&label, " %s", i->dev->name);
	vec_foreach (w, &words)
		sbuf_addf(&label, "\n%s", *w);
	strvec_free(&words);
	strvec_free(&values);

	struct segment *s = NULL;
	if (dev_ends == 1)
		vec_foreach (x, segs)
			if (x->key && streq(x->key, key.s))
				s = x;
	if (!s) {
		s = vec_add(segs);
		s->key = dev_ends == 1 ? sbuf_steal(&key) : NULL;
		s->label = sbuf_steal(&label);
	}
	sbuf_free(&key);
	sbuf_free(&label);
	return s;
}

/* Tunnels: two ends are one edge; one end or more than two meet at a
 * vertex of the segment. */
static void add_tunnels(const struct topo_lab *lab, struct graph *g)
{
	struct segments segs = {0};
	VEC(const struct topo_iface *) ends = {0};

	vec_foreach (dp, &lab->devs) {
		const struct topo_dev *d = *dp;
		if (!d->kind->graph_keys)
			continue;
		ends.n = 0;
		vec_foreach (np, &lab->nodes)
			vec_foreach (ip, &(*np)->ifaces)
				if ((*ip)->dev == d)
					vec_push(&ends, *ip);
		struct segment *s = NULL;
		vec_foreach (i, &ends) {
			if (!s || ends.n == 1)
				s = segment_of(&segs, *i, ends.n);
			vec_push(&s->ends, *i);
		}
	}
	size_t t = 0;
	vec_foreach (s, &segs) {
		if (s->ends.n == 2) {
			struct edge *e = vec_add(&g->edges);
			e->a = endpoint(g, s->ends.v[0]);
			e->b = endpoint(g, s->ends.v[1]);
			e->alabel = end_label(s->ends.v[0]);
			e->blabel = end_label(s->ends.v[1]);
			e->label = xstrdup(s->label);
			e->type = E_TUNNEL;
			e->down = is_down(g, s->ends.v[0]) || is_down(g, s->ends.v[1]);
		} else {
			size_t v = add_vertex(g, xasprintf("t:%zu", ++t), xstrdup(s->label),
					      V_SEGMENT, -1);
			vec_foreach (i, &s->ends) {
				struct edge *e = vec_add(&g->edges);
				e->a = v; /* above its ends, as a switch */
				e->b = endpoint(g, *i);
				e->blabel = end_label(*i);
				e->type = E_TUNNEL;
				e->down = is_down(g, *i);
			}
		}
		free(s->key);
		free(s->label);
		vec_free(&s->ends);
	}
	vec_free(&segs);
	vec_free(&ends);
}

static void graph_free(struct graph *g)
{
	vec_foreach (v, &g->vertices) {
		free(v->id);
		free(v->label);
	}
	vec_foreach (e, &g->edges) {
		free(e->alabel);
		free(e->blabel);
		free(e->label);
	}
	vec_foreach (c, &g->clusters) {
		free(c->id);
		free(c->label);
	}
	vec_free(&g->vertices);
	vec_free(&g->edges);
	vec_free(&g->clusters);
	strmap_free(&g->by_id);
}

/* ---- dot ---- */

/* s as a dot string: quotes and backslashes escaped, lines joined by \n. */
static void dot_str(struct sbuf *out, const char *s)
{
	sbuf_adds(out, "\"");
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addf(out, "\\%c", *s);
		else if (*s == '\n')
			sbuf_adds(out, "\\n");
		else
			sbuf_addf(out, "%c", *s);
	}
	sbuf_adds(out, "\"");
}

static const char *const dot_vertex_style[] = {
    [V_NODE] = "shape=box, style=\"rounded,filled\", fillcolor=\"#fdf6e3\"",
    [V_SWITCH] = "shape=box, style=filled, fillcolor=\"#dbe7f5\"",
    [V_BRIDGE] = "shape=ellipse, style=filled, fillcolor=\"#e4f2e4\"",
    [V_SEGMENT] = "shape=hexagon, style=filled, fillcolor=\"#efe4f7\", color=\"#6a3d9a\"",
};

static void dot_vertex(struct sbuf *out, const struct vertex *v, const char *indent)
{
	sbuf_adds(out, indent);
	dot_str(out, v->id);
	sbuf_adds(out, " [label=");
	dot_str(out, v->label);
	sbuf_addf(out, ", %s%s];\n", dot_vertex_style[v->type],
		  v->down ? ", color=red, fontcolor=red, penwidth=2" : "");
}

static void dot_edge(struct sbuf *out, const struct graph *g, const struct edge *e)
{
	sbuf_adds(out, "\t");
	dot_str(out, g->vertices.v[e->a].id);
	sbuf_adds(out, " -- ");
	dot_str(out, g->vertices.v[e->b].id);
	sbuf_adds(out, " [");
	const char *sep = "", *mid = e->label, *near_a = e->alabel, *near_b = e->blabel;
	/* One end's words only (the other a switch, a segment or a port nslab
	 * named): in the middle, where dot makes room for them. */
	if (!mid && !near_a != !near_b) {
		mid = near_a ? near_a : near_b;
		near_a = near_b = NULL;
	}
	if (near_a) {
		sbuf_adds(out, "taillabel=");
		dot_str(out, near_a);
		sep = ", ";
	}
	if (near_b) {
		sbuf_addf(out, "%sheadlabel=", sep);
		dot_str(out, near_b);
		sep = ", ";
	}
	if (mid || e->down) {
		_cleanup_free_ char *l = xasprintf("%s%s%s", e->down ? "down" : "",
						   e->down && mid ? "\n" : "", mid ? mid : "");
		sbuf_addf(out, "%slabel=", sep);
		dot_str(out, l);
		sep = ", ";
	}
	if (e->type == E_INNODE)
		sbuf_addf(out, "%sstyle=dotted", sep);
	else if (e->down)
		sbuf_addf(out, "%sstyle=dashed, color=red, fontcolor=red, penwidth=2", sep);
	else if (e->type == E_TUNNEL)
		sbuf_addf(out, "%sstyle=bold, color=\"#6a3d9a\"", sep);
	else
		sbuf_addf(out, "%scolor=\"#333333\"", sep);
	sbuf_adds(out, "];\n");
}

static void write_dot(const struct topo_lab *lab, const struct graph *g, struct sbuf *out)
{
	_cleanup_free_ char *title = xasprintf("lab %s", lab->name);

	sbuf_addf(out, "// nslab graph of lab '%s'\ngraph ", lab->name);
	dot_str(out, lab->name);
	sbuf_adds(out, " {\n\tgraph [label=");
	dot_str(out, title);
	sbuf_adds(
	    out,
	    ", labelloc=t, fontname=\"Helvetica\", nodesep=0.4, ranksep=0.7];\n"
	    "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	    "\tedge [fontname=\"Helvetica\", fontsize=8, labelfontsize=8, labeldistance=2];\n");
	for (size_t c = 0; c < g->clusters.n; c++) {
		sbuf_adds(out, "\tsubgraph ");
		dot_str(out, g->clusters.v[c].id);
		sbuf_adds(out, " {\n\t\tlabel=");
		dot_str(out, g->clusters.v[c].label);
		sbuf_adds(
		    out,
		    ";\n\t\tstyle=\"rounded,dashed\";\n\t\tlabelloc=b;\n\t\tcolor=\"#888888\";\n");
		vec_foreach (v, &g->vertices)
			if (v->cluster == (int)c)
				dot_vertex(out, v, "\t\t");
		sbuf_adds(out, "\t}\n");
	}
	vec_foreach (v, &g->vertices)
		if (v->cluster < 0)
			dot_vertex(out, v, "\t");
	vec_foreach (e, &g->edges)
		dot_edge(out, g, e);
	sbuf_adds(out, "}\n");
}

/* ---- mermaid ---- */

/* s in a mermaid "..." label: entity codes for what its parser reads
 * (quotes, #, <, >), <br/> between lines; sep replaces newlines. */
static void mermaid_text(struct sbuf *out, const char *s, const char *sep)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '"':
			sbuf_adds(out, "#quot;");
			break;
		case '#':
			sbuf_adds(out, "#35;");
			break;
		case '<':
			sbuf_adds(out, "#lt;");
			break;
		case '>':
			sbuf_adds(out, "#gt;");
			break;
		case '\n':
			sbuf_adds(out, sep);
			break;
		default:
			sbuf_addf(out, "%c", *s);
		}
	}
}

static void mermaid_vertex(struct sbuf *out, const struct vertex *v, size_t k, const char *indent)
{
	static const char *const open[] = {
	    [V_NODE] = "(\"", [V_SWITCH] = "[\"", [V_BRIDGE] = "([\"", [V_SEGMENT] = "{{\""};
	static const char *const close[] = {
	    [V_NODE] = "\")", [V_SWITCH] = "\"]", [V_BRIDGE] = "\"])", [V_SEGMENT] = "\"}}"};

	sbuf_addf(out, "%sv%zu%s", indent, k, open[v->type]);
	mermaid_text(out, v->label, "<br/>");
	sbuf_addf(out, "%s\n", close[v->type]);
}

static void write_mermaid(const struct topo_lab *lab, const struct graph *g, struct sbuf *out)
{
	struct sbuf styles = {0};

	sbuf_adds(out, "%% nslab graph of lab '");
	mermaid_text(out, lab->name, " ");
	sbuf_adds(out, "'\nflowchart TB\n");
	for (size_t c = 0; c < g->clusters.n; c++) {
		sbuf_addf(out, "  subgraph c%zu[\"", c);
		mermaid_text(out, g->clusters.v[c].label, " ");
		sbuf_adds(out, "\"]\n");
		for (size_t k = 0; k < g->vertices.n; k++)
			if (g->vertices.v[k].cluster == (int)c)
				mermaid_vertex(out, &g->vertices.v[k], k, "    ");
		sbuf_adds(out, "  end\n");
	}
	for (size_t k = 0; k < g->vertices.n; k++)
		if (g->vertices.v[k].cluster < 0)
			mermaid_vertex(out, &g->vertices.v[k], k, "  ");
	for (size_t k = 0; k < g->edges.n; k++) {
		const struct edge *e = &g->edges.v[k];
		struct sbuf l = {0};
		const char *parts[] = {e->down ? "down" : NULL, e->alabel, e->label, e->blabel};
		for (size_t p = 0; p < ARRAY_SIZE(parts); p++) {
			if (!parts[p])
				continue;
			if (l.len)
				sbuf_adds(&l, "<br/>");
			if (p == 1 || p == 3) { /* an end: "NODE: IF ADDR..." on one line */
				const char *who = g->vertices.v[p == 1 ? e->a : e->b].label;
				_cleanup_free_ char *first = xstrndup(who, strcspn(who, "\n"));
				mermaid_text(&l, first, " ");
				sbuf_adds(&l, ": ");
				mermaid_text(&l, parts[p], " ");
			} else
				mermaid_text(&l, parts[p], "<br/>");
		}
		const char *arrow = e->type == E_INNODE || e->down ? "-.-"
				    : e->type == E_TUNNEL	   ? "==="
								   : "---";
		sbuf_addf(out, "  v%zu %s", e->a, arrow);
		if (l.len)
			sbuf_addf(out, "|\"%s\"|", l.s);
		sbuf_addf(out, " v%zu\n", e->b);
		if (e->down)
			sbuf_addf(&styles,
				  "  linkStyle %zu stroke:red,stroke-width:2px,color:red\n", k);
		sbuf_free(&l);
	}
	for (size_t k = 0; k < g->vertices.n; k++)
		if (g->vertices.v[k].down)
			sbuf_addf(&styles, "  style v%zu stroke:red,stroke-width:2px\n", k);
	if (styles.len)
		sbuf_adds(out, styles.s);
	sbuf_free(&styles);
}

/* ---- the interface ---- */

static const char *const format_names[_GRAPH_FORMAT_MAX] = {
    [GRAPH_DOT] = "dot",
    [GRAPH_MERMAID] = "mermaid",
};

const char *graph_format_to_string(enum graph_format f)
{
	return f >= 0 && f < _GRAPH_FORMAT_MAX ? format_names[f] : NULL;
}

enum graph_format graph_format_from_string(const char *s)
{
	for (int f = 0; f < _GRAPH_FORMAT_MAX; f++)
		if (streq(s, format_names[f]))
			return (enum graph_format)f;
	return _GRAPH_FORMAT_INVALID;
}

void graph_write(const struct topo_lab *lab, const struct strvec *down, enum graph_format f,
		 struct sbuf *out)
{
	struct graph g = {.down = down};
	int *cluster = find_clusters(lab, &g);

	add_vertices(lab, &g, cluster);
	add_links(lab, &g);
	add_tunnels(lab, &g);
	if (f == GRAPH_MERMAID)
		write_mermaid(lab, &g, out);
	else
		write_dot(lab, &g, out);
	free(cluster);
	graph_free(&g);
}

void graph_down(const struct topo_lab *lab, const struct show_lab *s, struct strvec *ret)
{
	vec_foreach (np, &lab->nodes) {
		const struct topo_node *n = *np;
		const struct show_node *sn = show_node_find(s, n->is_switch ? "(switch)" : n->name);
		vec_foreach (ip, &n->ifaces) {
			const struct topo_iface *i = *ip;
			bool up = false;
			if (!i->dev) /* lo */
				continue;
			if (sn)
				vec_foreach (si, &sn->ifaces)
					if (streq(si->name, i->name))
						up = si->up;
			if (!up)
				vec_push(ret, xasprintf("%s:%s", n->name, i->name));
		}
	}
}

/* s with &, < and > as HTML entities. */
static void html_text(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			sbuf_adds(out, "&amp;");
		else if (*s == '<')
			sbuf_adds(out, "&lt;");
		else if (*s == '>')
			sbuf_adds(out, "&gt;");
		else
			sbuf_addf(out, "%c", *s);
	}
}

void graph_html(const char *name, const char *svg, const char *dot, struct sbuf *out)
{
	sbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<title>nslab graph: lab ");
	html_text(out, name);
	sbuf_adds(out, "</title>\n<style>\n"
		       "body { font-family: sans-serif; margin: 1em 2em; }\n"
		       "svg { max-width: 100%; height: auto; }\n"
		       "pre { background: #f4f4f4; padding: 0.5em; overflow: auto; }\n"
		       ".missing { border: 1px solid #c00; padding: 0.5em; }\n"
		       "</style>\n</head>\n<body>\n<h1>lab ");
	html_text(out, name);
	sbuf_adds(out, "</h1>\n");
	/* Graphviz's SVG starts with an XML declaration and a DOCTYPE, which
	 * an HTML page must not repeat: from <svg on. */
	const char *at = svg ? strstr(svg, "<svg") : NULL;
	if (at) {
		sbuf_adds(out, at);
		if (out->len && out->s[out->len - 1] != '\n')
			sbuf_adds(out, "\n");
	} else
		sbuf_adds(
		    out,
		    "<p class=\"missing\">No picture: Graphviz's <code>dot</code> was not "
		    "installed when this page was made (Debian package <code>graphviz</code>). "
		    "The graph's source is below; <code>dot -Tsvg</code> draws it.</p>\n");
	sbuf_addf(out, "<details%s>\n<summary>Graphviz source</summary>\n<pre>", at ? "" : " open");
	html_text(out, dot);
	sbuf_adds(out, "</pre>\n</details>\n</body>\n</html>\n");
}
