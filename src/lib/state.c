// SPDX-License-Identifier: MIT
#include "state.h"
#include "kind.h"
#include "netns.h"
#include "plan.h"

#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

void facts_add(struct facts *f, const char *node, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *value = xvasprintf(fmt, ap);
	va_end(ap);
	struct fact *x = vec_add(&f->v);
	x->node = xstrdup(node);
	x->key = xstrdup(key);
	x->value = value;
}

static int fact_cmp(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;
	int c = strcmp(x->node, y->node);
	if (!c)
		c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

void facts_sort(struct facts *f)
{
	if (f->v.n)
		qsort(f->v.v, f->v.n, sizeof(*f->v.v), fact_cmp);
}

void facts_free(struct facts *f)
{
	vec_foreach(x, &f->v)
	{
		free(x->node);
		free(x->key);
		free(x->value);
	}
	vec_free(&f->v);
}

static const char *node_name(const struct topo_node *n)
{
	return n->is_switch ? "(switch)" : n->name;
}

/* ---- the file ---- */

/* The MTU the kernel gives i: the file's, else its kind's default; a
 * bridge without one takes the smallest of its ports' (since Linux 4.17).
 * 0: it depends on what the file does not say. */
static uint32_t expected_mtu(const struct topo_iface *i)
{
	if (i->mtu)
		return i->mtu;
	if (!i->is_bridge)
		return i->dev->kind->default_mtu;
	uint32_t min = 0;
	vec_foreach(pp, &i->node->ifaces) if ((*pp)->master == i)
	{
		uint32_t m = expected_mtu(*pp);
		if (!m)
			return 0;
		if (!min || m < min)
			min = m;
	}
	return min ? min : i->dev->kind->default_mtu;
}

static void expected_iface(const struct topo_iface *i, const char *node, struct facts *f)
{
	const struct link_kind *k = i->dev->kind;
	char mac[18];
	_cleanup_free_ char *key = NULL;

	facts_add(f, node, i->name, "%s", k->name);
#define KEY(what) (free(key), key = xasprintf("%s %s", i->name, what))
	uint32_t mtu = expected_mtu(i);
	if (mtu)
		facts_add(f, node, KEY("mtu"), "%u", mtu);
	facts_add(f, node, KEY("state"), "up");
	if (i->master)
		facts_add(f, node, KEY("master"), "%s", i->master->name);
	if (i->master && i->master->dev && i->master->dev->kind->port_attrs) {
		struct strvec pa = {0};
		i->master->dev->kind->port_attrs(i->master->dev, i, &pa);
		vec_foreach(a, &pa)
		{
			const char *sp = strchr(*a, ' ');
			_cleanup_free_ char *name = xstrndup(*a, sp ? (size_t)(sp - *a) : strlen(*a));
			facts_add(f, node, KEY(name), "%s", sp ? sp + 1 : "");
		}
		strvec_free(&pa);
	}
	if (i->peer)
		facts_add(f, node, KEY("peer"), "%s:%s", node_name(i->peer->node), i->peer->name);
	if (i->has_mac)
		facts_add(f, node, KEY("mac"), "%s", mac_str(i->mac, mac));
	if (impair_active(&i->impair)) {
		struct sbuf b = {0};
		impair_format(&i->impair, &b);
		facts_add(f, node, KEY("impair"), "%s", b.s);
		sbuf_free(&b);
	}
	if (k->attrs) {
		struct strvec attrs = {0}, fdbs = {0};
		k->attrs(i->dev, i, &attrs, &fdbs);
		vec_foreach(a, &attrs)
		{
			const char *sp = strchr(*a, ' ');
			_cleanup_free_ char *name = xstrndup(*a, sp ? (size_t)(sp - *a) : strlen(*a));
			facts_add(f, node, KEY(name), "%s", sp ? sp + 1 : "");
		}
		vec_foreach(x, &fdbs)
		{
			free(key);
			key = xasprintf("fdb %s", *x);
			facts_add(f, node, key, "%s", "");
		}
		strvec_free(&attrs);
		strvec_free(&fdbs);
	}
#undef KEY
}

/* "rule [-6] [from P] [to P] [iif IF] [oif IF] [fwmark 0xM[/0xK]] lookup T",
 * as show reads the kernel's; the priority is the value, given or not. */
static void expected_rule(const struct topo_rule *r, const char *node, struct facts *f)
{
	struct sbuf k = {0};
	char buf[IPADDR_STRLEN];

	sbuf_adds(&k, "rule");
	if (r->family == AF_INET6)
		sbuf_adds(&k, " -6");
	if (r->has_from)
		sbuf_addf(&k, " from %s", ipaddr_cidr(&r->from, buf));
	if (r->has_to)
		sbuf_addf(&k, " to %s", ipaddr_cidr(&r->to, buf));
	if (r->iif)
		sbuf_addf(&k, " iif %s", r->iif);
	if (r->oif)
		sbuf_addf(&k, " oif %s", r->oif);
	/* the kernel matches a mark alone whole (mask 0xffffffff), and
	 * keeps a mark of 0 only with a mask */
	if (r->has_mark && (r->mark || (r->has_mask && r->mask)))
		sbuf_addf(&k, " fwmark 0x%x", r->mark);
	if (r->has_mark && r->has_mask && r->mask != UINT32_MAX && (r->mark || r->mask))
		sbuf_addf(&k, "/0x%x", r->mask);
	if (r->table == RT_TABLE_MAIN || r->table == RT_TABLE_LOCAL || r->table == RT_TABLE_DEFAULT)
		sbuf_addf(&k, " lookup %s", r->table == RT_TABLE_MAIN    ? "main"
					    : r->table == RT_TABLE_LOCAL ? "local"
									 : "default");
	else
		sbuf_addf(&k, " lookup %u", r->table);
	if (r->has_prio)
		facts_add(f, node, k.s, "priority %u", r->prio);
	else
		facts_add(f, node, k.s, "%s", "");
	sbuf_free(&k);
}

/* A sysctl of the node whose facts start at f->v.v[from]: the last line
 * that sets it wins. */
static void set_sysctl(struct facts *f, size_t from, const char *node, const char *key, const char *value)
{
	_cleanup_free_ char *k = xasprintf("sysctl %s", key);
	for (struct fact *x = f->v.v + from; x < f->v.v + f->v.n; x++)
		if (streq(x->key, k))
	{
		free(x->value);
		x->value = xstrdup(value);
		return;
	}
	facts_add(f, node, k, "%s", value);
}

void state_expected(const struct topo_lab *lab, struct facts *ret)
{
	char b1[IPADDR_STRLEN], b2[IPADDR_STRLEN], mac[18];

	vec_foreach(np, &lab->nodes)
	{
		const struct topo_node *n = *np;
		const char *node = node_name(n);
		size_t from = ret->v.n;
		facts_add(ret, node, "lo state", "up");
		vec_foreach(i, &n->ifaces) expected_iface(*i, node, ret);
		vec_foreach(a, &n->addrs)
		{
			_cleanup_free_ char *key =
				a->has_peer ? xasprintf("addr %s %s peer %s", a->ifname, ipaddr_str(&a->local, b1),
							ipaddr_cidr(&a->peer, b2))
					    : xasprintf("addr %s %s", a->ifname, ipaddr_cidr(&a->local, b1));
			facts_add(ret, node, key, "%s", "");
		}
		vec_foreach(r, &n->routes)
		{
			struct sbuf v = {0};
			_cleanup_free_ char *table = r->table ? xasprintf(" table %u", r->table) : xstrdup("");
			_cleanup_free_ char *key = xasprintf(
				"route %s%s", r->dst.len ? ipaddr_cidr(&r->dst, b1)
					      : r->dst.family == AF_INET6 ? "default6"
									  : "default",
				table);
			if (r->has_via)
				sbuf_addf(&v, " via %s", ipaddr_str(&r->via, b2));
			if (r->ifname)
				sbuf_addf(&v, " dev %s", r->ifname);
			if (r->onlink)
				sbuf_adds(&v, " onlink");
			if (r->has_metric)
				sbuf_addf(&v, " metric %u", r->metric);
			facts_add(ret, node, key, "%s", v.s ? v.s + 1 : "");
			sbuf_free(&v);
		}
		vec_foreach(x, &n->rules) expected_rule(x, node, ret);
		vec_foreach(x, &n->neighs)
		{
			_cleanup_free_ char *key = xasprintf("neigh %s dev %s", ipaddr_str(&x->addr, b1), x->ifname);
			facts_add(ret, node, key, "%s", mac_str(x->lladdr, mac));
		}
		vec_foreach(x, &n->fdbs)
		{
			_cleanup_free_ char *key = xasprintf("fdb %s dev %s%s%s", mac_str(x->mac, mac), x->ifname,
							     x->has_dst ? " dst " : "",
							     x->has_dst ? ipaddr_str(&x->dst, b1) : "");
			facts_add(ret, node, key, "%s", "");
		}
		if (n->is_switch)
			continue;
		set_sysctl(ret, from, node, "net.ipv4.ip_forward", n->forward ? "1" : "0");
		set_sysctl(ret, from, node, "net.ipv6.conf.all.forwarding", n->forward ? "1" : "0");
		vec_foreach(x, &n->sysctls) set_sysctl(ret, from, node, x->key, x->value);
	}
	facts_sort(ret);
}

/* ---- the kernel ---- */

bool state_is_fallback(const char *name)
{
	static const char *const fb[] = {"gre0",	"gretap0", "erspan0", "tunl0",	  "sit0",
					 "ip6tnl0",	"ip6gre0", "ip_vti0", "ip6_vti0", NULL};
	for (const char *const *x = fb; *x; x++)
		if (streq(*x, name))
			return true;
	return false;
}

/* A sysctl of the current namespace, through procfs instance root (or
 * /proc: AT_FDCWD), its words joined by one space as a topology writes
 * them. */
static char *read_sysctl(int root, const char *key)
{
	_cleanup_free_ char *path = plan_sysctl_path(key);
	char *text = NULL;

	/* "/proc/sys/..." is "sys/..." inside a procfs instance */
	if (!path || read_text_file_at(root, root == AT_FDCWD ? path : path + strlen("/proc/"), 4096, &text) < 0)
		return NULL;
	struct sbuf v = {0};
	char *save = NULL;
	for (char *w = strtok_r(text, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		sbuf_addf(&v, "%s%s", v.s ? " " : "", w);
	free(text);
	return v.s ? sbuf_steal(&v) : xstrdup("");
}

/* libnl writes a host address without its length: the topology's words
 * have it. */
static const char *host_len(const char *addr)
{
	return strchr(addr, '/') ? "" : strchr(addr, ':') ? "/128" : "/32";
}

/* Where the facts of node start in sorted f (lower bound). */
static size_t first_of(const struct facts *f, const char *node)
{
	size_t lo = 0, hi = f->v.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(f->v.v[mid].node, node) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* As apply does (apply_sysctl_root): a fresh procfs instance every 32
 * namespaces, since /proc's lookups slow down with every namespace. */
enum { PROCFS_NAMESPACES = 32 };

void state_kernel(const struct show_lab *s, const struct facts *want, struct facts *ret)
{
	_cleanup_close_ int orig = netns_open_current();
	int root = -1;
	unsigned uses = 0;

	vec_foreach(n, &s->nodes)
	{
		const char *node = n->name;
		vec_foreach(i, &n->ifaces)
		{
			_cleanup_free_ char *key = NULL;
#define KEY(what) (free(key), key = xasprintf("%s %s", i->name, what))
			if (i->ifindex == 1) {
				facts_add(ret, node, "lo state", "%s", i->up ? "up" : "down");
				/* a node's own addresses (show leaves out 127.0.0.1, ::1) */
				vec_foreach(a, &i->addrs)
				{
					free(key);
					key = xasprintf("addr lo %s%s", *a, host_len(*a));
					facts_add(ret, node, key, "%s", "");
				}
				continue;
			}
			if (state_is_fallback(i->name))
				continue;
			facts_add(ret, node, i->name, "%s", i->kind);
			facts_add(ret, node, KEY("mtu"), "%u", i->mtu);
			facts_add(ret, node, KEY("state"), "%s", i->up ? "up" : "down");
			if (i->master[0])
				facts_add(ret, node, KEY("master"), "%s", i->master);
			if (i->peer[0])
				facts_add(ret, node, KEY("peer"), "%s", i->peer);
			if (i->mac[0])
				facts_add(ret, node, KEY("mac"), "%s", i->mac);
			if (impair_active(&i->impair)) {
				struct sbuf b = {0};
				impair_format(&i->impair, &b);
				facts_add(ret, node, KEY("impair"), "%s", b.s);
				sbuf_free(&b);
			}
			vec_foreach(a, &i->attrs)
			{
				const char *sp = strchr(*a, ' ');
				_cleanup_free_ char *name = xstrndup(*a, sp ? (size_t)(sp - *a) : strlen(*a));
				facts_add(ret, node, KEY(name), "%s", sp ? sp + 1 : "");
			}
			vec_foreach(a, &i->addrs)
			{
				free(key);
				key = xasprintf("addr %s %s%s", i->name, *a, host_len(*a));
				facts_add(ret, node, key, "%s", "");
			}
#undef KEY
		}
		vec_foreach(r, &n->routes)
		{
			if (strstr(*r, " proto kernel"))
				continue; /* the kernel's own: connected subnets */
			const char *sp = strchr(*r, ' ');
			_cleanup_free_ char *dst = xstrndup(*r, sp ? (size_t)(sp - *r) : strlen(*r));
			struct sbuf v = {0};
			/* the words a topology writes: no "scope link" */
			_cleanup_free_ char *rest = xstrdup(sp ? sp + 1 : "");
			for (char *w = strtok(rest, " "); w; w = strtok(NULL, " ")) {
				if (streq(w, "scope")) {
					(void)strtok(NULL, " ");
					continue;
				}
				sbuf_addf(&v, "%s%s", v.s ? " " : "", w);
			}
			bool v6 = strchr(dst, ':') || (v.s && strchr(v.s, ':'));
			/* a table other than main is part of the key: "route
			 * 10.0.3.0/24 table 10" is another route than main's */
			char *table = v.s ? strstr(v.s, "table ") : NULL;
			_cleanup_free_ char *in = table ? xasprintf(" %s", table) : xstrdup("");
			if (table)
				*(table == v.s ? table : table - 1) = '\0';
			bool def = streq(dst, "default");
			_cleanup_free_ char *key = xasprintf("route %s%s%s", def && v6 ? "default6" : dst,
							     def ? "" : host_len(dst), in);
			facts_add(ret, node, key, "%s", v.s ? v.s : "");
			sbuf_free(&v);
		}
		vec_foreach(x, &n->rules)
		{
			/* "WORDS priority N": the priority is the value */
			char *p = strstr(*x, " priority ");
			int len = p ? (int)(p - *x) : (int)strlen(*x);
			_cleanup_free_ char *key = xasprintf("rule %.*s", len, *x);
			facts_add(ret, node, key, "%s", p ? p + 1 : "");
		}
		vec_foreach(x, &n->neighs)
		{
			/* "ADDR lladdr MAC dev IF" */
			char addr[64], mac[32], dev[IFNAMSIZ + 1];
			if (sscanf(*x, "%63s lladdr %31s dev %16s", addr, mac, dev) != 3)
				continue;
			_cleanup_free_ char *key = xasprintf("neigh %s dev %s", addr, dev);
			facts_add(ret, node, key, "%s", mac);
		}
		vec_foreach(x, &n->fdbs)
		{
			_cleanup_free_ char *key = xasprintf("fdb %s", *x);
			facts_add(ret, node, key, "%s", "");
		}
		size_t first = first_of(want, node);
		while (first < want->v.n && streq(want->v.v[first].node, node) &&
		       strncmp(want->v.v[first].key, "sysctl ", 7) != 0)
			first++;
		if (first == want->v.n || !streq(want->v.v[first].node, node) || netns_enter(n->nsfd) < 0)
			continue;
		if (root < 0 || ++uses >= PROCFS_NAMESPACES) {
			if (root > 0)
				close(root);
			root = netns_proc_instance();
			if (root < 0)
				root = AT_FDCWD;
			uses = 0;
		}
		for (size_t i = first; i < want->v.n && streq(want->v.v[i].node, node); i++) {
			const struct fact *x = &want->v.v[i];
			if (strncmp(x->key, "sysctl ", 7) != 0)
				continue;
			char *v = read_sysctl(root, x->key + 7);
			facts_add(ret, node, x->key, "%s", v ? v : "(none)");
			free(v);
		}
		if (netns_enter(orig) < 0)
			abort();
	}
	if (root > 0)
		close(root);
	facts_sort(ret);
}

/* ---- comparing ---- */

/* Do the kernel's words say all the file's do? For routes: the file
 * names what it cares about ("via 10.0.1.1"); the kernel adds the rest
 * ("dev eth0 metric 1024"). Words after via/dev/metric are their values. */
static bool route_agrees(const char *file, const char *kernel)
{
	_cleanup_free_ char *f = xstrdup(file);
	char *save = NULL;

	for (char *w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		bool keyed = streq(w, "via") || streq(w, "dev") || streq(w, "metric") ||
			     streq(w, "priority");
		char *val = keyed ? strtok_r(NULL, " ", &save) : NULL;
		_cleanup_free_ char *want = keyed ? xasprintf(" %s %s ", w, val ? val : "") : xasprintf(" %s ", w);
		_cleanup_free_ char *k = xasprintf(" %s ", kernel);
		if (!strstr(k, want))
			return false;
	}
	return true;
}

static bool agrees(const struct fact *f, const struct fact *k)
{
	bool words = strncmp(f->key, "route ", 6) == 0 || strncmp(f->key, "rule ", 5) == 0;
	return words ? route_agrees(f->value, k->value) : streq(f->value, k->value);
}

/* Kernel facts the file need not state: the kernel always has a MAC
 * and an MTU; they differ only where the file sets them. */
static bool optional(const struct fact *k)
{
	size_t n = strlen(k->key);
	return n > 4 && (streq(k->key + n - 4, " mac") || streq(k->key + n - 4, " mtu"));
}

static int key_cmp(const struct fact *a, const struct fact *b)
{
	int c = strcmp(a->node, b->node);
	return c ? c : strcmp(a->key, b->key);
}

/* An interface only one side has is one change, not one for each of its
 * facts: the others go. */
static bool of_lone_iface(const struct state_diff *d, const struct fact *x)
{
	vec_foreach(c, &d->changes)
	{
		const struct fact *lone = c->file && !c->kernel	  ? c->file
					  : c->kernel && !c->file ? c->kernel
								  : NULL;
		size_t n = lone ? strlen(lone->key) : 0;
		if (lone && !strchr(lone->key, ' ') && streq(lone->node, x->node) &&
		    strncmp(x->key, lone->key, n) == 0 && x->key[n] == ' ')
			return true;
	}
	return false;
}

void state_compare(const struct facts *file, const struct facts *kernel, struct state_diff *ret)
{
	size_t i = 0, j = 0;
	struct state_diff all = {0};

	memset(ret, 0, sizeof(*ret));
	while (i < file->v.n || j < kernel->v.n) {
		const struct fact *f = i < file->v.n ? &file->v.v[i] : NULL;
		const struct fact *k = j < kernel->v.n ? &kernel->v.v[j] : NULL;
		int c = !f ? 1 : !k ? -1 : key_cmp(f, k);
		if (c < 0) {
			vec_push(&all.changes, ((struct state_change){f, NULL}));
			i++;
			continue;
		}
		if (c > 0) {
			if (!optional(k))
				vec_push(&all.changes, ((struct state_change){NULL, k}));
			j++;
			continue;
		}
		/* a run of one key on both sides: pair those that agree first */
		size_t ie = i, je = j;
		while (ie < file->v.n && key_cmp(&file->v.v[ie], f) == 0)
			ie++;
		while (je < kernel->v.n && key_cmp(&kernel->v.v[je], k) == 0)
			je++;
		bool *used = xcalloc(je - j, sizeof(bool));
		VEC(const struct fact *) unmatched = {0};
		for (size_t a = i; a < ie; a++) {
			size_t b = j;
			while (b < je && (used[b - j] || !agrees(&file->v.v[a], &kernel->v.v[b])))
				b++;
			if (b < je)
				used[b - j] = true;
			else
				vec_push(&unmatched, &file->v.v[a]);
		}
		size_t u = 0;
		for (size_t b = j; b < je; b++) {
			if (used[b - j])
				continue;
			const struct fact *pair = u < unmatched.n ? unmatched.v[u++] : NULL;
			vec_push(&all.changes, ((struct state_change){pair, &kernel->v.v[b]}));
		}
		for (; u < unmatched.n; u++)
			vec_push(&all.changes, ((struct state_change){unmatched.v[u], NULL}));
		vec_free(&unmatched);
		free(used);
		i = ie;
		j = je;
	}
	vec_foreach(c, &all.changes)
	{
		const struct fact *x = c->file ? c->file : c->kernel;
		if (!of_lone_iface(&all, x))
			vec_push(&ret->changes, *c);
	}
	vec_free(&all.changes);
}

void state_diff_free(struct state_diff *d)
{
	vec_free(&d->changes);
}
