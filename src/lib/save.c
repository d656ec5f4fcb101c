// SPDX-License-Identifier: MIT
#include "save.h"
#include "kind.h"

#include <time.h>

static bool is_switch(const struct show_node *n)
{
	return streq(n->name, "(switch)");
}

static const struct fact *fact_of(const struct facts *f, const char *node, const char *key)
{
	vec_foreach(x, &f->v) if (streq(x->node, node) && streq(x->key, key)) return x;
	return NULL;
}

/* How a topology names interface i of node n as a link end: NODE:IF, or
 * for a port of a switch bridge that bridge (nslab names its ports); a
 * port of a node's bridge keeps its name through the bridge's 'ports'. */
static char *end_name(const struct show_node *n, const struct show_iface *i)
{
	if (i->master[0] && is_switch(n)) {
		/* the name nslab gives it, PEERNODE-PEERIF; else BRIDGE:PORT */
		_cleanup_free_ char *dflt = xstrdup(i->peer);
		char *colon = strchr(dflt, ':');
		if (colon)
			*colon = '-';
		if (streq(dflt, i->name))
			return xstrdup(i->master);
		return xasprintf("%s:%s", i->master, i->name);
	}
	return xasprintf("%s:%s", n->name, i->name);
}

/* A port's settings in the words of a 'port' line: "port-hairpin on" ->
 * "hairpin on", "port-vlans 10 pvid untagged, 20-30" -> "pvid 10 untagged
 * tagged 20-30"; the bridge's own "vlans ..." the same. */
static void port_words(const char *attr, struct sbuf *out)
{
	const char *v = strncmp(attr, "port-vlans ", 11) == 0 ? attr + 11
			: strncmp(attr, "vlans ", 6) == 0   ? attr + 6
							    : NULL;
	if (!v) {
		sbuf_addf(out, " %s", attr + 5);
		return;
	}
	_cleanup_free_ char *copy = xstrdup(v);
	for (char *save = NULL, *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		char vid[16] = "";
		bool pvid = strstr(e, "pvid"), untagged = strstr(e, "untagged");
		if (sscanf(e, " %15s", vid) != 1 || streq(vid, "none"))
			continue;
		if (pvid)
			sbuf_addf(out, " pvid %s%s", vid, untagged ? " untagged" : "");
		else
			sbuf_addf(out, " %s %s", untagged ? "untagged" : "tagged", vid);
	}
}

/* A master's section: 'ports' (in a node) and a 'port' line for each port
 * with settings, and for the bridge's own VLANs. */
static void save_ports(const struct show_node *n, const struct show_iface *m, struct sbuf *out)
{
	struct sbuf ports = {0}, lines = {0}, self = {0};

	vec_foreach(a, &m->attrs) if (strncmp(*a, "vlans ", 6) == 0) port_words(*a, &self);
	if (self.s)
		sbuf_addf(&lines, "port = %s%s\n", m->name, self.s);
	vec_foreach(q, &n->ifaces)
	{
		if (!streq(q->master, m->name))
			continue;
		if (!is_switch(n))
			sbuf_addf(&ports, " %s", q->name);
		struct sbuf w = {0};
		vec_foreach(a, &q->attrs) if (strncmp(*a, "port-", 5) == 0) port_words(*a, &w);
		if (w.s)
			sbuf_addf(&lines, "port = %s%s\n", q->name, w.s);
		sbuf_free(&w);
	}
	if (ports.s)
		sbuf_addf(out, "ports =%s\n", ports.s);
	if (lines.s)
		sbuf_adds(out, lines.s);
	sbuf_free(&ports);
	sbuf_free(&lines);
	sbuf_free(&self);
}

static const struct show_iface *iface_of(const struct show_lab *s, const char *spec, const struct show_node **ret)
{
	const char *colon = strrchr(spec, ':');
	if (!colon)
		return NULL;
	_cleanup_free_ char *node = xstrndup(spec, (size_t)(colon - spec));
	const struct show_node *n = show_node_find(s, node);
	if (!n)
		return NULL;
	*ret = n;
	vec_foreach(i, &n->ifaces) if (streq(i->name, colon + 1)) return i;
	return NULL;
}

static void note(struct strvec *notes, struct sbuf *out, const char *fmt, ...) _printf_(3, 4);
static void note(struct strvec *notes, struct sbuf *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addf(out, "; note: %s\n", text);
	vec_push(notes, text);
}

/* Lines of the kept topology: with keys NULL, every section named
 * `section` whole, each under a header of its own (a second [expect] runs
 * after the first, so their order matters); else the lines of that
 * section whose key is in `keys`. */
static void copy_kept(const char *kept, const char *section, const char *const *keys, struct sbuf *out)
{
	bool in = false, whole = !keys;
	for (const char *l = kept, *e; l && *l; l = *e ? e + 1 : e) {
		e = strchrnul(l, '\n');
		_cleanup_free_ char *line = xstrndup(l, (size_t)(e - l));
		char *t = line + strspn(line, " \t");
		if (*t == '[') {
			char *end = strchr(t, ']');
			if (end)
				*end = '\0';
			char *name = t + 1 + strspn(t + 1, " \t");
			in = streq(name, section);
			if (in && whole)
				sbuf_addf(out, "\n[%s]\n", section);
			continue;
		}
		if (!in || !*t || *t == ';' || *t == '#')
			continue;
		if (whole) {
			sbuf_addf(out, "%s\n", t);
			continue;
		}
		size_t klen = strcspn(t, " \t=");
		for (const char *const *k = keys; *k; k++)
			if (strlen(*k) == klen && strncmp(t, *k, klen) == 0)
				sbuf_addf(out, "%s\n", t);
	}
}

/* Does i have the MAC of the device it sits on, in its namespace (a
 * passthru macvlan does)? Then it is that one's to set, not i's. */
static bool mac_of_lower(const struct show_node *n, const struct show_iface *i)
{
	if (!i->link || i->link_nsid >= 0 || i->link == i->ifindex)
		return false;
	vec_foreach(l, &n->ifaces) if (l->ifindex == i->link) return streq(l->mac, i->mac);
	return false;
}

/* `vrf NAME` for the table of a device of n that has it (a VRF), else
 * `table N`. */
static char *table_words(const struct show_node *n, const char *table)
{
	_cleanup_free_ char *want = xasprintf("table %s", table);
	vec_foreach(i, &n->ifaces)
	{
		const struct link_kind *k = kind_by_name(i->kind);
		if (!k || !k->table)
			continue;
		vec_foreach(a, &i->attrs) if (streq(*a, want)) return xasprintf("%s %s", k->name, i->name);
	}
	return xasprintf("table %s", table);
}

static void save_node(const struct show_lab *s, const struct show_node *n, const struct facts *kernel,
		      const struct save_opts *o, struct sbuf *out, struct strvec *notes)
{
	static const char *const runtime_keys[] = {"files", "startup", "service", "nft", "frr", "container", NULL};

	sbuf_addf(out, "\n[node %s]\n", n->name);
	const struct fact *fwd = fact_of(kernel, n->name, "sysctl net.ipv4.ip_forward");
	if (fwd && streq(fwd->value, "1"))
		sbuf_adds(out, "forward = yes\n");
	vec_foreach(i, &n->ifaces) vec_foreach(a, &i->addrs) sbuf_addf(out, "addr = %s dev %s\n", *a, i->name);
	vec_foreach(f, &kernel->v)
	{
		if (!streq(f->node, n->name))
			continue;
		if (strncmp(f->key, "rule ", 5) == 0) {
			sbuf_addf(out, "rule = %s%s%s\n", f->key + 5, *f->value ? " " : "", f->value);
		} else if (strncmp(f->key, "route ", 6) == 0) {
			/* IPv6's default metric is the kernel's, not the file's */
			struct sbuf v = {0};
			_cleanup_free_ char *words = xstrdup(f->value);
			char *save = NULL;
			bool v6 = strchr(f->key, ':') || strchr(f->value, ':') || streq(f->key, "route default6");
			for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
				if (streq(w, "metric")) {
					char *m = strtok_r(NULL, " ", &save);
					if (m && !(v6 && streq(m, "1024")))
						sbuf_addf(&v, " metric %s", m);
					continue;
				}
				sbuf_addf(&v, " %s", w);
			}
			/* "route DST table N": the table last, by its VRF's name if one has it */
			_cleanup_free_ char *dst = xstrdup(f->key + 6);
			char *table = strstr(dst, " table ");
			_cleanup_free_ char *in = table ? table_words(n, table + 7) : NULL;
			if (table)
				*table = '\0';
			sbuf_addf(out, "route = %s%s%s%s\n", dst, v.s ? v.s : "", in ? " " : "",
				  in ? in : "");
			sbuf_free(&v);
		} else if (strncmp(f->key, "neigh ", 6) == 0) {
			char addr[64], dev[IFNAMSIZ + 1];
			if (sscanf(f->key, "neigh %63s dev %16s", addr, dev) == 2)
				sbuf_addf(out, "neigh = %s lladdr %s dev %s\n", addr, f->value, dev);
		} else if (strncmp(f->key, "fdb ", 4) == 0) {
			sbuf_addf(out, "fdb = %s\n", f->key + 4);
		} else if (strncmp(f->key, "sysctl ", 7) == 0 && !strstr(f->key, ".ip_forward") &&
			   !strstr(f->key, ".all.forwarding") && !streq(f->value, "(none)")) {
			sbuf_addf(out, "sysctl = %s %s\n", f->key + 7, f->value);
		}
	}
	vec_foreach(i, &n->ifaces)
	{
		const struct link_kind *k = kind_by_name(i->kind);
		if (i->ifindex == 1 || !k || state_is_fallback(i->name))
			continue;
		struct sbuf line = {0};
		/* a node's bridge ports keep their names ('ports'), so they
		 * take iface lines like any interface */
		if (!k->default_mtu || i->mtu != k->default_mtu)
			sbuf_addf(&line, " mtu %u", i->mtu);
		if (i->mac[0] && !k->layer3 && !k->lower_mac && !mac_of_lower(n, i))
			sbuf_addf(&line, " mac %s", i->mac);
		if (impair_active(&i->impair)) {
			sbuf_adds(&line, " ");
			impair_format(&i->impair, &line);
		}
		if (line.s)
			sbuf_addf(out, "iface = %s%s\n", i->name, line.s);
		sbuf_free(&line);
		if (!i->up)
			note(notes, out, "%s:%s is down in the kernel; the topology brings every interface up",
			     n->name, i->name);
	}
	if (o->kept) {
		_cleanup_free_ char *section = xasprintf("node %s", n->name);
		copy_kept(o->kept, section, runtime_keys, out);
	}
	(void)s;
}

void save_write(const struct show_lab *s, const struct facts *kernel, const struct save_opts *o,
		struct sbuf *out, struct strvec *notes)
{
	static const char *const lab_keys[] = {"description", "startup-files", "startup-timeout", "ipv6", NULL};
	struct sbuf links = {0};
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	sbuf_addf(out, "; %s: saved by 'nslab save' from the kernel of lab '%s', %s\n", o->name, s->name,
		  when);
	sbuf_addf(out, "\n[lab]\nname = %s\n", o->name);
	if (o->kept_dir)
		sbuf_addf(out, "folder = %s\n", o->kept_dir);
	if (o->kept)
		copy_kept(o->kept, "lab", lab_keys, out);

	/* devices first: a [kind NODE:NAME] section needs no [node] before it */
	vec_foreach(n, &s->nodes) vec_foreach(i, &n->ifaces)
	{
		const struct link_kind *k = kind_by_name(i->kind);
		if (i->ifindex == 1 || streq(i->kind, "loopback") || state_is_fallback(i->name))
			continue;
		if (!k) {
			note(notes, out, "%s:%s (%s) is not saved: nslab does not make that kind", n->name,
				     i->name, i->kind);
			continue;
		}
		if (kind_has_peer(i->kind)) {
			/* one line a cable, from its first end; ports go after the
			 * end that is not one */
			const struct show_node *pn = NULL;
			const struct show_iface *p = i->peer[0] ? iface_of(s, i->peer, &pn) : NULL;
			if (!p) {
				note(notes, out, "%s:%s: its other end is not in the lab; not saved", n->name, i->name);
				continue;
			}
			_cleanup_free_ char *a = end_name(n, i), *b = end_name(pn, p);
			bool sw_i = i->master[0] && is_switch(n), sw_p = p->master[0] && is_switch(pn);
			bool first = sw_i && !sw_p   ? false
				     : !sw_i && sw_p ? true
						     : strcmp(a, b) < 0 || (streq(a, b) && i < p);
			if (!first)
				continue;
			/* a switch port nslab names has no iface line: its MTU goes
			 * on the link */
			const struct show_iface *pe = sw_p ? p : sw_i ? i : NULL;
			if (pe && pe->mtu != k->default_mtu)
				sbuf_addf(&links, "link = %s %s mtu %u\n", a, b, pe->mtu);
			else
				sbuf_addf(&links, "link = %s %s\n", a, b);
			continue;
		}
		if (is_switch(n))
			sbuf_addf(out, "\n[%s %s]\n", k->section, i->name);
		else
			sbuf_addf(out, "\n[%s %s:%s]\n", k->section, n->name, i->name);
		vec_foreach(a, &i->attrs)
		{
			const char *sp = strchr(*a, ' ');
			/* a port's settings and a bridge's VLANs go on 'port' lines */
			if (strncmp(*a, "port-", 5) == 0 || strncmp(*a, "vlans ", 6) == 0)
				continue;
			if (sp)
				sbuf_addf(out, "%.*s = %s\n", (int)(sp - *a), *a, sp + 1);
		}
		save_ports(n, i, out);
	}
	vec_foreach(n, &s->nodes) if (!is_switch(n)) save_node(s, n, kernel, o, out, notes);
	if (links.s)
		sbuf_addf(out, "\n[links]\n%s", links.s);
	sbuf_free(&links);
	if (o->kept) {
		struct sbuf dns = {0}, expect = {0}, grade = {0};
		copy_kept(o->kept, "dns", NULL, &dns);
		copy_kept(o->kept, "expect", NULL, &expect);
		copy_kept(o->kept, "grade", NULL, &grade);
		if (dns.s)
			sbuf_adds(out, dns.s);
		if (expect.s)
			sbuf_adds(out, expect.s);
		if (grade.s)
			sbuf_adds(out, grade.s);
		sbuf_free(&dns);
		sbuf_free(&expect);
		sbuf_free(&grade);
	}
}
