// SPDX-License-Identifier: MIT
/* WireGuard. [wireguard NAME] with `members` and `dev`: a mesh, a device
 * NAME in every member, each member a peer of every other; a peer's
 * endpoint is its address on dev, its allowed IPs its addresses on NAME
 * (and `allowed-ips` lines). [wireguard NODE:NAME]: one device with `peer`
 * lines. A private key is made at up from getrandom() unless given, kept
 * in RUNDIR/LAB/keys (0600) until down; nslab computes public keys itself
 * (wgnl.c). The device is made over rtnetlink and configured over the
 * generic netlink family, as wg(8) does; the plan prints `wg set`. */
#include "kind.h"
#include "nl.h"
#include "plan.h"
#include "rundir.h"
#include "wgnl.h"

#define WG_PORT 51820 /* the port of wg-quick's examples and of most setups */
#define WG_MTU 1420   /* the kernel's MTU for a new device: 1500 - 80 */
#define WG_MEMBERS_MAX 256

/* Allowed IPs: prefixes. */
struct wg_ips {
	struct ipaddr *v;
	size_t n, cap;
};

/* One device of a section: a member's, or that of [wireguard NODE:NAME]. */
struct wg_end {
	struct topo_node *node;
	struct topo_iface *iface;
	bool key_given; /* else made at up */
	uint8_t priv[WGNL_KEY_LEN], pub[WGNL_KEY_LEN];
	bool has_endpoint; /* a mesh member's address on dev */
	struct ipaddr endpoint;
	struct wg_ips allowed; /* what a mesh sends to this member */
};

/* A `peer =` line of [wireguard NODE:NAME]. */
struct wg_peer {
	struct topo_loc loc;
	char *ref;	    /* "NODE:NAME", or NULL when pub is given */
	struct wg_end *end; /* the lab's device it is (validate), or NULL */
	uint8_t pub[WGNL_KEY_LEN];
	bool has_endpoint, allowed_given;
	struct ipaddr endpoint;
	uint16_t endpoint_port;
	uint32_t keepalive;
	struct wg_ips allowed;
};

/* An `allowed-ips = NODE PREFIX...` line of a mesh: subnets behind NODE. */
struct wg_route {
	struct topo_loc loc;
	char *node;
	struct wg_ips prefixes;
};

struct wg {
	uint32_t port, keepalive, mtu;
	char *dev_name; /* a mesh's underlay */
	bool dev_given, key_given;
	uint8_t key[WGNL_KEY_LEN]; /* private-key of the single form */
	char *members_text;
	struct topo_loc members_loc;
	size_t n;
	struct wg_end *ends;
	VEC(struct wg_route) routes;
	VEC(struct wg_peer) peers;
};

static const char *const wg_keys[] = {"members", "dev",		"port", "keepalive", "allowed-ips",
				      "mtu",	 "private-key", "peer", NULL};
static const char *const wg_repeatable[] = {"peer", "allowed-ips", NULL};
static const char wg_peer_usage[] =
    "write 'peer = PUBLIC-KEY|NODE:NAME [endpoint ADDR:PORT] [allowed-ips CIDR,...] [keepalive N]'";

const struct link_kind kind_wireguard;

static struct wg *wg_of(struct topo_dev *dev)
{
	if (!dev->priv) {
		struct wg *w = xcalloc(1, sizeof(*w));
		w->port = WG_PORT;
		dev->priv = w;
	}
	return dev->priv;
}

/* ---- parse ---- */

/* "10.0.0.0/24,fd00::/64 10.1.0.0/24": commas or blanks between them; a
 * bare address is a host. Host bits are refused: the kernel would clear
 * them, and `nslab diff` would see another prefix than the file's. */
static int wg_prefixes(char *text, const struct topo_loc *loc, struct diag *d, struct wg_ips *ret)
{
	char *save = NULL;
	char buf[IPADDR_STRLEN], hint[128];
	int bad = 0;

	for (char *w = strtok_r(text, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		struct ipaddr a;
		if (ipaddr_parse(w, true, &a) < 0) {
			diag_add(d, loc, "write prefixes such as 10.1.0.0/24,fd00::/64",
				 "bad allowed IP '%s'", w);
			bad = -EINVAL;
		} else if (!ipaddr_is_network(&a)) {
			struct ipaddr net = ipaddr_network(&a);
			snprintf(hint, sizeof(hint), "write '%s'", ipaddr_cidr(&net, buf));
			diag_add(d, loc, hint, "allowed IP '%s' has host bits set", w);
			bad = -EINVAL;
		} else {
			vec_push(ret, a);
		}
	}
	return bad;
}

static void wg_parse_peer(struct wg *w, char *value, const struct topo_loc *loc, struct diag *d)
{
	char *words[64];
	size_t n = split_words(value, words, ARRAY_SIZE(words));
	struct wg_peer p = {.loc = *loc};

	if (n == 0) {
		diag_add(d, loc, wg_peer_usage, "'peer' needs a public key or NODE:NAME");
		return;
	}
	if (n > ARRAY_SIZE(words)) {
		diag_add(d, loc, wg_peer_usage, "too many words in 'peer'");
		return;
	}
	if (strchr(words[0], ':')) {
		p.ref = xstrdup(words[0]);
	} else if (wgnl_key_from_base64(words[0], p.pub) < 0) {
		diag_add(
		    d, loc,
		    "a public key is 44 characters of base64 ending in '=' (wg pubkey), or name a "
		    "WireGuard device of the lab: NODE:NAME",
		    "bad public key '%s'", words[0]);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		const char *opt = words[i], *arg = i + 1 < n ? words[++i] : NULL;
		uint32_t v;
		if (!arg) {
			diag_add(d, loc, wg_peer_usage, "'%s' of 'peer' needs a value", opt);
		} else if (streq(opt, "endpoint")) {
			p.has_endpoint =
			    wgnl_endpoint_parse(arg, &p.endpoint, &p.endpoint_port) == 0;
			if (!p.has_endpoint)
				diag_add(d, loc,
					 "write ADDR:PORT, e.g. 192.0.2.1:51820 or [fd00::1]:51820",
					 "bad endpoint '%s'", arg);
		} else if (streq(opt, "allowed-ips")) {
			p.allowed_given = true;
			_cleanup_free_ char *list = xstrdup(arg);
			(void)wg_prefixes(list, loc, d, &p.allowed);
		} else if (streq(opt, "keepalive")) {
			if (kind_u32("keepalive", arg, 0, 65535, loc, d, &v) == 0)
				p.keepalive = v;
		} else {
			diag_add(d, loc, wg_peer_usage, "unknown word '%s' in 'peer'", opt);
		}
	}
	vec_push(&w->peers, p);
}

static void wg_parse_route(struct wg *w, char *value, const struct topo_loc *loc, struct diag *d)
{
	char *sp = value + strcspn(value, " \t");
	struct wg_route r = {.loc = *loc};

	if (!*sp) {
		diag_add(d, loc, "write 'allowed-ips = NODE CIDR,...', the subnets behind a member",
			 "'allowed-ips' needs a member and prefixes");
		return;
	}
	*sp++ = '\0';
	r.node = xstrdup(value);
	(void)wg_prefixes(sp, loc, d, &r.prefixes);
	vec_push(&w->routes, r);
}

static int wg_parse(struct topo_lab *lab, struct topo_dev *dev, const char *key, char *value,
		    const struct topo_loc *loc, struct diag *d)
{
	struct wg *w = wg_of(dev);
	bool mesh = !dev->node_name;

	if (streq(key, "port")) {
		(void)kind_u32(key, value, 1, 65535, loc, d, &w->port);
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &w->mtu);
	} else if (streq(key, "keepalive") && mesh) {
		(void)kind_u32(key, value, 0, 65535, loc, d, &w->keepalive);
	} else if (streq(key, "dev") && mesh) {
		const char *why = topo_ifname_error(value);
		w->dev_given = true;
		if (why)
			diag_add(d, loc, "name the underlay interface, e.g. 'dev = eth0'",
				 "underlay device '%s' %s", value, why);
		else
			w->dev_name = xstrdup(value);
	} else if (streq(key, "members") && mesh) {
		w->members_text = xstrdup(value);
		w->members_loc = *loc;
	} else if (streq(key, "allowed-ips") && mesh) {
		wg_parse_route(w, value, loc, d);
	} else if (streq(key, "private-key") && !mesh) {
		w->key_given = wgnl_key_from_base64(value, w->key) == 0;
		if (!w->key_given)
			diag_add(
			    d, loc,
			    "a private key is 44 characters of base64 ending in '=' (wg genkey); "
			    "leave the line out and nslab makes one",
			    "bad private key");
	} else if (streq(key, "peer") && !mesh) {
		wg_parse_peer(w, value, loc, d);
	} else if (streq(key, "members") || streq(key, "dev") || streq(key, "allowed-ips") ||
		   streq(key, "keepalive")) {
		diag_add(
		    d, loc,
		    streq(key, "keepalive") || streq(key, "allowed-ips")
			? "give it on a peer line: 'peer = ... allowed-ips CIDR,... keepalive N'"
			: "write [wireguard NAME] with 'members = A B ...' and 'dev = IF' for a "
			  "mesh",
		    "'%s' is for a mesh [wireguard NAME], not [wireguard NODE:NAME]", key);
	} else if (streq(key, "private-key") || streq(key, "peer")) {
		diag_add(d, loc,
			 "a mesh makes every member's key and peers; for one device write "
			 "[wireguard NODE:NAME]",
			 "'%s' is for [wireguard NODE:NAME], not a mesh", key);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

/* ---- declare and validate ---- */

static void wg_declare(struct topo_lab *lab, struct topo_dev *dev, int pass, struct diag *d)
{
	struct wg *w = wg_of(dev);
	struct topo_node *members[WG_MEMBERS_MAX];
	size_t n = 1;

	if (pass != 0)
		return;
	if (dev->node_name) {
		if (!dev->node)
			return;
		members[0] = dev->node;
	} else {
		if (!w->members_text) {
			diag_add(d, &dev->loc, "add 'members = NODE NODE ...'",
				 "[wireguard %s] has no 'members'", dev->name);
			return;
		}
		int r =
		    kind_members(lab, w->members_text, &w->members_loc, d, members, WG_MEMBERS_MAX);
		if (r < 0)
			return;
		if (r < 2) {
			diag_add(d, &w->members_loc, "list at least two nodes",
				 "a WireGuard mesh needs two or more members");
			return;
		}
		n = (size_t)r;
	}
	w->ends = xcalloc(n, sizeof(*w->ends));
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		struct wg_end *e = &w->ends[i];
		e->node = members[i];
		e->iface = topo_iface_add(members[i], dev->name, dev, &dev->loc, d);
		if (e->iface)
			e->iface->mtu = w->mtu;
	}
	if (w->key_given) {
		w->ends[0].key_given = true;
		memcpy(w->ends[0].priv, w->key, WGNL_KEY_LEN);
		wgnl_key_public(w->ends[0].pub, w->key);
	}
}

/* The end of the lab's WireGuard device with interface i, or NULL. */
static struct wg_end *wg_end_of(const struct topo_iface *i)
{
	struct wg *w = i && i->dev && i->dev->kind == &kind_wireguard ? i->dev->priv : NULL;

	for (size_t k = 0; w && k < w->n; k++)
		if (w->ends[k].iface == i)
			return &w->ends[k];
	return NULL;
}

/* The addresses of e's node on e's device, as host prefixes: what its
 * peers route to it by default. */
static void wg_host_prefixes(const struct wg_end *e, struct wg_ips *ret)
{
	if (!e->iface)
		return;
	vec_foreach (a, &e->node->addrs)
		if (a->iface == e->iface) {
			struct ipaddr h = a->local;
			h.len = (uint8_t)ipaddr_maxlen(&h);
			vec_push(ret, h);
		}
}

static void wg_validate_mesh(struct topo_dev *dev, struct wg *w, struct diag *d)
{
	char hint[192], b1[IPADDR_STRLEN];

	if (!w->dev_name && !w->dev_given)
		diag_add(d, &dev->loc, "add 'dev = eth0', the members' underlay interface",
			 "[wireguard %s] has no 'dev'", dev->name);
	for (size_t i = 0; i < w->n; i++) {
		struct wg_end *e = &w->ends[i];
		struct topo_iface *lower =
		    w->dev_name ? topo_iface_find(e->node, w->dev_name) : NULL;
		const struct topo_addr *a = lower ? topo_iface_addr(e->node, lower, AF_INET) : NULL;
		if (!a && lower)
			a = topo_iface_addr(e->node, lower, AF_INET6);
		if (a) {
			e->has_endpoint = true;
			e->endpoint = a->local;
			e->endpoint.len = (uint8_t)ipaddr_maxlen(&a->local);
		} else if (w->dev_name && !e->node->bad_addr) {
			snprintf(hint, sizeof(hint), "add 'addr = ... dev %s' to [node %s]%s",
				 w->dev_name, e->node->name,
				 lower ? "" : " and link its interface");
			diag_add(d, &dev->loc, hint,
				 "member '%s' has no address on '%s' for its endpoint",
				 e->node->name, w->dev_name);
		}
		wg_host_prefixes(e, &e->allowed);
	}
	vec_foreach (r, &w->routes) {
		struct wg_end *e = NULL;
		for (size_t i = 0; i < w->n; i++)
			if (streq(w->ends[i].node->name, r->node))
				e = &w->ends[i];
		if (!e) {
			snprintf(hint, sizeof(hint), "name a member: %s", w->members_text);
			diag_add(d, &r->loc, hint, "'%s' is not a member of [wireguard %s]",
				 r->node, dev->name);
			continue;
		}
		vec_foreach (x, &r->prefixes)
			vec_push(&e->allowed, *x);
	}
	/* The kernel keeps a prefix for one peer only: the last one set. */
	for (size_t i = 0; i < w->n; i++)
		for (size_t j = i + 1; j < w->n; j++)
			vec_foreach (a, &w->ends[i].allowed)
				vec_foreach (b, &w->ends[j].allowed) {
					if (a->family == b->family && a->len == b->len &&
					    ipaddr_equal(a, b))
						diag_add(d, &dev->loc,
							 "give each prefix to one member",
							 "allowed IP %s is both '%s''s and '%s''s",
							 ipaddr_cidr(a, b1), w->ends[i].node->name,
							 w->ends[j].node->name);
				}
	for (size_t i = 0; i < w->n; i++)
		if (!w->ends[i].allowed.n && !w->ends[i].node->bad_addr) {
			snprintf(
			    hint, sizeof(hint),
			    "add 'addr = ... dev %s' to [node %s], or 'allowed-ips = %s CIDR' here",
			    dev->name, w->ends[i].node->name, w->ends[i].node->name);
			diag_add(
			    d, &dev->loc, hint,
			    "member '%s' has no address on '%s': its peers would send it nothing",
			    w->ends[i].node->name, dev->name);
		}
}

static void wg_validate_peers(struct topo_lab *lab, struct topo_dev *dev, struct wg *w,
			      struct diag *d)
{
	char hint[192];

	if (!w->n)
		return;
	vec_foreach (p, &w->peers) {
		if (p->ref) {
			_cleanup_free_ char *node = xstrdup(p->ref);
			char *name = strchr(node, ':');
			*name++ = '\0';
			struct topo_node *n = topo_node_find(lab, node);
			p->end = n ? wg_end_of(topo_iface_find(n, name)) : NULL;
			if (!p->end) {
				diag_add(d, &p->loc,
					 "name a WireGuard device of the lab as NODE:NAME, or give "
					 "its public key",
					 "peer '%s' is not a WireGuard device of the lab", p->ref);
				continue;
			}
		} else {
			/* a given key of the lab's own: that device, by name */
			vec_foreach (dp, &lab->devs)
				if ((*dp)->kind == &kind_wireguard) {
					struct wg *o = (*dp)->priv;
					for (size_t k = 0; o && k < o->n; k++)
						if (o->ends[k].key_given &&
						    !memcmp(o->ends[k].pub, p->pub, WGNL_KEY_LEN))
							p->end = &o->ends[k];
				}
		}
		if (p->end == &w->ends[0]) {
			diag_add(d, &p->loc, "name another device",
				 "[wireguard %s:%s] is its own peer", dev->node_name, dev->name);
			continue;
		}
		if (p->end && !p->allowed_given) {
			wg_host_prefixes(p->end, &p->allowed);
			if (!p->allowed.n && !p->end->node->bad_addr) {
				snprintf(hint, sizeof(hint),
					 "add 'allowed-ips CIDR,...' to the line, or an "
					 "address on '%s' to [node %s]",
					 p->end->iface->name, p->end->node->name);
				diag_add(d, &p->loc, hint, "peer '%s' has no address on '%s'",
					 p->ref, p->end->iface->name);
			}
		}
		for (struct wg_peer *q = w->peers.v; q < p; q++)
			if ((p->end && q->end == p->end) ||
			    (!p->end && !q->end && !memcmp(p->pub, q->pub, WGNL_KEY_LEN)))
				diag_add(d, &p->loc, "give each peer one line",
					 "the same peer as line %u", q->loc.line);
	}
}

/* A key made at up is made on the host that builds its node: a host that
 * builds a peer of it never learns it (hosts.c plans no coordination). */
static void wg_validate_hosts(const struct topo_dev *dev, const struct wg *w, struct diag *d)
{
	const struct topo_host *h0 = w->n ? w->ends[0].node->host : NULL;

	if (!h0)
		return;
	if (!dev->node_name) {
		for (size_t i = 1; i < w->n; i++)
			if (w->ends[i].node->host && w->ends[i].node->host != h0) {
				diag_add(
				    d, &dev->loc,
				    "place its members on one host, or write one [wireguard "
				    "NODE:NAME] per member with its own 'private-key' and 'peer' "
				    "lines",
				    "WireGuard mesh '%s' has members on hosts '%s' and '%s': its "
				    "keys are made at up, on each host apart",
				    dev->name, h0->name, w->ends[i].node->host->name);
				return;
			}
		return;
	}
	vec_foreach (p, &w->peers) {
		const struct topo_host *h = p->end ? p->end->node->host : NULL;
		if (!h || h == h0 || (w->ends[0].key_given && p->end->key_given))
			continue;
		diag_add(d, &p->loc,
			 "give both devices their keys ('private-key = BASE64', from 'wg genkey'), "
			 "or place them on one host",
			 "peer '%s' is on host '%s', '%s:%s' on host '%s': a key made at up on "
			 "one host is unknown to the other",
			 p->ref, h->name, dev->node_name, dev->name, h0->name);
	}
}

static void wg_validate(struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	struct wg *w = wg_of(dev);

	if (dev->node_name)
		wg_validate_peers(lab, dev, w, d);
	else if (w->n)
		wg_validate_mesh(dev, w, d);
	if (lab->hosts.n)
		wg_validate_hosts(dev, w, d);
	/* two devices of a node cannot share a UDP port */
	for (size_t i = 0; i < w->n; i++)
		vec_foreach (ip, &w->ends[i].node->ifaces) {
			const struct topo_dev *o = (*ip)->dev;
			if (!o || o == dev || o->kind != dev->kind || o->loc.line > dev->loc.line ||
			    ((struct wg *)o->priv)->port != w->port)
				continue;
			diag_add(
			    d, &dev->loc, "give one of them another 'port'",
			    "WireGuard devices '%s' and '%s' of node '%s' both listen on UDP %u",
			    (*ip)->name, dev->name, w->ends[i].node->name, w->port);
		}
}

/* ---- the peers of an end ---- */

static size_t wg_npeers(const struct wg *w)
{
	return w->n > 1 ? w->n - 1 : w->peers.n;
}

/* Peer k of end i as the kernel gets it (a mesh's other member, or a
 * `peer` line), with its allowed IPs copied; *ret_end: the lab's device
 * it is, or NULL. */
static void wg_peer_of(const struct wg *w, size_t i, size_t k, struct wgnl_peer *ret,
		       const struct wg_end **ret_end)
{
	const struct wg_end *e;
	const struct wg_ips *ips;

	memset(ret, 0, sizeof(*ret));
	if (w->n > 1) {
		e = &w->ends[k < i ? k : k + 1];
		ips = &e->allowed;
		ret->has_endpoint = e->has_endpoint;
		ret->endpoint = e->endpoint;
		ret->endpoint_port = (uint16_t)w->port;
		ret->keepalive = (uint16_t)w->keepalive;
	} else {
		const struct wg_peer *p = &w->peers.v[k];
		e = p->end;
		ips = &p->allowed;
		memcpy(ret->pub, p->pub, WGNL_KEY_LEN);
		ret->has_endpoint = p->has_endpoint;
		ret->endpoint = p->endpoint;
		ret->endpoint_port = p->endpoint_port;
		ret->keepalive = (uint16_t)p->keepalive;
	}
	if (e)
		memcpy(ret->pub, e->pub, WGNL_KEY_LEN);
	vec_foreach (a, ips)
		vec_push(&ret->allowed, *a);
	*ret_end = e;
}

static size_t wg_member(const struct wg *w, const struct topo_iface *i)
{
	size_t m = 0;

	while (m < w->n && w->ends[m].iface != i)
		m++;
	return m;
}

/* ---- plan ---- */

/* Which member a step is for; keys: the step that makes every key. */
struct wg_step {
	size_t member;
	bool configure;
};

static void wg_print_keys(const struct plan *p, const struct step *s, struct sbuf *out);
static void wg_describe_keys(const struct plan *p, const struct step *s, struct sbuf *out);
static int wg_apply_keys(struct nl_ctx *nl, const struct step *s, struct sbuf *err);
static void wg_print(const struct plan *p, const struct step *s, struct sbuf *out);
static void wg_describe(const struct plan *p, const struct step *s, struct sbuf *out);
static int wg_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

/* Keys are made with the namespaces, before any link: a device's step
 * then finds every peer's public key, whatever the order of sections. */
static const struct step_type wg_keys_step = {
    .name = "wgkeys",
    .group = STEP_GROUP_NETNS,
    .print = wg_print_keys,
    .describe = wg_describe_keys,
    .apply = wg_apply_keys,
};

static const struct step_type wg_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = wg_print,
    .describe = wg_describe,
    .apply = wg_apply,
};

static void wg_plan(struct plan *p, struct topo_dev *dev)
{
	struct wg *w = wg_of(dev);

	if (!w->n)
		return;
	struct step *s =
	    plan_add(p, &wg_keys_step, w->ends[0].node, plan_alloc(p, sizeof(struct wg_step)));
	s->dev = dev;
	s->loc = &dev->loc;
	for (size_t i = 0; i < w->n; i++) {
		if (!w->ends[i].iface)
			return;
		plan_ifindex(p, w->ends[i].iface);
		for (int configure = 0; configure < 2; configure++) {
			struct wg_step *x = plan_alloc(p, sizeof(*x));
			*x = (struct wg_step){.member = i, .configure = configure};
			s = plan_add(p, &wg_step, w->ends[i].node, x);
			s->dev = dev;
			s->loc = &dev->loc;
		}
	}
}

/* The plan's shell variable of e's private key, "wg_r1__wg0" ("_pub"
 * after it: the public key). '_', '-' and '.' are written "_u", "_d" and
 * "_p", so "__" parts node from device and no two ends share a name. */
static void wg_var(struct sbuf *out, const struct wg_end *e)
{
	const char *parts[2] = {e->node->name, e->iface->name};

	sbuf_adds(out, "wg_");
	for (int k = 0; k < 2; k++) {
		for (const char *c = parts[k]; *c; c++)
			sbuf_addf(out, "%s%c", *c == '_' || *c == '-' || *c == '.' ? "_" : "",
				  *c == '_'   ? 'u'
				  : *c == '-' ? 'd'
				  : *c == '.' ? 'p'
					      : *c);
		if (k == 0)
			sbuf_adds(out, "__");
	}
}

static void wg_print_keys(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct wg *w = s->dev->priv;
	char b64[WGNL_KEY_B64_LEN + 1];

	sbuf_addf(out,
		  "\n# WireGuard keys of %s, kept in this shell only (wg genkey unless given)\n",
		  s->dev->name);
	for (size_t i = 0; i < w->n; i++) {
		const struct wg_end *e = &w->ends[i];
		wg_var(out, e);
		if (e->key_given) {
			wgnl_key_to_base64(e->priv, b64);
			sbuf_addf(out, "='%s'\n", b64);
		} else {
			sbuf_adds(out, "=$(wg genkey)\n");
		}
		wg_var(out, e);
		sbuf_adds(out, "_pub=$(printf '%s\\n' \"$");
		wg_var(out, e);
		sbuf_adds(out, "\" | wg pubkey)\n");
	}
}

static void wg_describe_keys(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "make the WireGuard keys of '%s'", s->dev->name);
}

static int wg_apply_keys(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	struct wg *w = s->dev->priv;
	const char *lab = nl->plan->lab->name;
	char b64[WGNL_KEY_B64_LEN + 2];

	for (size_t i = 0; i < w->n; i++) {
		struct wg_end *e = &w->ends[i];
		if (e->key_given)
			continue;
		int r = wgnl_key_generate(e->priv);
		if (r < 0) {
			sbuf_addf(err, "getrandom: %s", strerror(-r));
			return r;
		}
		wgnl_key_public(e->pub, e->priv);
		/* wg genkey's form, for 'wg set IF private-key FILE' and 'wg pubkey' */
		wgnl_key_to_base64(e->priv, b64);
		strcat(b64, "\n");
		_cleanup_free_ char *name = xasprintf("%s:%s.key", e->node->name, e->iface->name);
		r = rundir_write_secret(lab, name, b64);
		explicit_bzero(b64, sizeof(b64));
		if (r < 0) {
			_cleanup_free_ char *path = rundir_secret_path(lab, name);
			sbuf_addf(err, "write %s: %s", path, strerror(-r));
			return r;
		}
	}
	return 0;
}

static void wg_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct wg *w = s->dev->priv;
	const struct wg_step *x = s->data;
	const struct wg_end *e = &w->ends[x->member];
	char buf[IPADDR_STRLEN];

	if (!x->configure) {
		sbuf_addf(out, "ip -n %s link add %s", s->node->netns, e->iface->name);
		if (e->iface->mtu)
			sbuf_addf(out, " mtu %u", e->iface->mtu);
		sbuf_adds(out, " up type wireguard\n");
		return;
	}
	/* the key on a pipe, never in a file or on a command line;
	 * /proc/self/fd/0, since a minimal root has no /dev/stdin */
	sbuf_adds(out, "printf '%s\\n' \"$");
	wg_var(out, e);
	sbuf_addf(out, "\" | ip netns exec %s wg set %s private-key /proc/self/fd/0 listen-port %u",
		  s->node->netns, e->iface->name, w->port);
	for (size_t k = 0; k < wg_npeers(w); k++) {
		struct wgnl_peer v;
		const struct wg_end *pe;
		char pub[WGNL_KEY_B64_LEN + 1], ep[WGNL_ENDPOINT_STRLEN];
		wg_peer_of(w, x->member, k, &v, &pe);
		sbuf_adds(out, " \\\n\tpeer ");
		if (pe) {
			sbuf_adds(out, "\"$");
			wg_var(out, pe);
			sbuf_adds(out, "_pub\"");
		} else {
			wgnl_key_to_base64(v.pub, pub);
			sbuf_adds(out, pub);
		}
		if (v.has_endpoint)
			sbuf_addf(out, " endpoint %s",
				  wgnl_endpoint_str(&v.endpoint, v.endpoint_port, ep));
		vec_foreach (a, &v.allowed)
			sbuf_addf(out, "%s%s", a == v.allowed.v ? " allowed-ips " : ",",
				  ipaddr_cidr(a, buf));
		if (v.keepalive)
			sbuf_addf(out, " persistent-keepalive %u", v.keepalive);
		vec_free(&v.allowed);
	}
	sbuf_adds(out, "\n");
}

static void wg_describe(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct wg *w = s->dev->priv;
	const struct wg_step *x = s->data;

	if (!x->configure)
		plan_describe_link(p, s, out);
	else
		sbuf_addf(out, "configure WireGuard '%s' (key, port %u, %zu peer%s)", s->dev->name,
			  w->port, wg_npeers(w), wg_npeers(w) == 1 ? "" : "s");
}

static int wg_create(struct nl_ctx *nl, const struct step *s, const struct wg_end *e,
		     struct sbuf *err)
{
	_cleanup_link_ struct rtnl_link *link = rtnl_link_alloc();

	if (!link || rtnl_link_set_type(link, "wireguard") < 0)
		return -ENOMEM;
	nl_link_setup(nl, link, e->iface);
	rtnl_link_set_flags(link, IFF_UP);
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

static int wg_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct wg *w = s->dev->priv;
	const struct wg_step *x = s->data;
	const struct wg_end *e = &w->ends[x->member];
	struct wgnl_device d = {.has_private = true, .port = (uint16_t)w->port};

	if (!x->configure)
		return wg_create(nl, s, e, err);
	memcpy(d.priv, e->priv, WGNL_KEY_LEN);
	for (size_t k = 0; k < wg_npeers(w); k++) {
		const struct wg_end *pe;
		wg_peer_of(w, x->member, k, vec_add(&d.peers), &pe);
	}
	int r = wgnl_set_in(nl, s->node, nl_ifindex(nl, e->iface), &d, err);
	wgnl_device_free(&d);
	return r;
}

/* ---- diff, save, explain ---- */

static void wg_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		     struct strvec *fdbs)
{
	const struct wg *w = dev->priv;
	size_t m = wg_member(w, i);

	if (m == w->n)
		return;
	vec_push(ret, xasprintf("port %u", w->port));
	for (size_t k = 0; k < wg_npeers(w); k++) {
		struct wgnl_peer v;
		const struct wg_end *pe;
		char who[WGNL_KEY_B64_LEN + TOPO_NODE_NAME_MAX + IFNAMSIZ + 2];
		wg_peer_of(w, m, k, &v, &pe);
		if (pe)
			snprintf(who, sizeof(who), "%s:%s", pe->node->name, pe->iface->name);
		else
			wgnl_key_to_base64(v.pub, who);
		vec_push(ret, wgnl_peer_words(who, &v));
		vec_free(&v.allowed);
	}
}

static void wg_read_attrs(struct rtnl_link *l, struct nl_cache *links, struct strvec *ret)
{
	struct wgnl_device d = {0};

	if (wgnl_read_here((uint32_t)rtnl_link_get_ifindex(l), &d) < 0)
		return;
	vec_push(ret, xasprintf("port %u", d.port));
	/* the lab's own devices by name, as a topology says them: their keys
	 * change with every up */
	char **names = xcalloc(d.peers.n ? d.peers.n : 1, sizeof(*names));
	wgnl_name_peers(links, kind_wireguard.name, &d, names);
	for (size_t k = 0; k < d.peers.n; k++) {
		const struct wgnl_peer *p = &d.peers.v[k];
		char b64[WGNL_KEY_B64_LEN + 1];
		wgnl_key_to_base64(p->pub, b64);
		vec_push(ret, wgnl_peer_words(names[k] ? names[k] : b64, p));
		free(names[k]);
	}
	free(names);
	wgnl_device_free(&d);
}

/* The kernel sends a packet to the peer whose allowed IPs hold its
 * destination most specifically (cryptokey routing), in UDP to that
 * peer's endpoint. Without a destination: the device's own listen port,
 * what a sender's endpoint must match. */
static bool wg_tunnel_here(struct rtnl_link *l, const struct ipaddr *inner, struct kind_tunnel *t)
{
	struct wgnl_device d = {0};
	char b64[WGNL_KEY_B64_LEN + 1], buf[IPADDR_STRLEN];

	memset(t, 0, sizeof(*t));
	t->outer_proto = IPPROTO_UDP;
	if (wgnl_read_here((uint32_t)rtnl_link_get_ifindex(l), &d) < 0) {
		snprintf(t->what, sizeof(t->what), "WireGuard (unreadable)");
		return true;
	}
	/* without a packet: its listen port, what a sender's endpoint must match */
	t->port = d.port;
	const struct wgnl_peer *p = inner ? wgnl_route(&d, inner) : NULL;
	if (!inner) {
		snprintf(t->what, sizeof(t->what), "WireGuard (UDP %u)", d.port);
	} else if (!p) {
		snprintf(t->what, sizeof(t->what), "WireGuard (no peer allows %s)",
			 ipaddr_str(inner, buf));
	} else {
		/* the lab's device, else its key's start, as wg show's "peer: xTIB..." */
		_cleanup_free_ char *name =
		    wgnl_peer_name_here(kind_wireguard.name, &d, (size_t)(p - d.peers.v));
		char who[32];
		wgnl_key_to_base64(p->pub, b64);
		if (name)
			snprintf(who, sizeof(who), "%.24s", name);
		else
			snprintf(who, sizeof(who), "%.8s...", b64);
		t->has_remote = p->has_endpoint; /* none: "has no remote address" */
		t->remote = p->endpoint;
		t->port = t->outer_port = p->endpoint_port;
		snprintf(t->what, sizeof(t->what), "WireGuard (peer %s, UDP %u)", who,
			 p->endpoint_port);
	}
	wgnl_device_free(&d);
	return true;
}

static void wg_free(struct topo_dev *dev)
{
	struct wg *w = dev->priv;

	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		vec_free(&w->ends[i].allowed);
	if (w->ends)
		explicit_bzero(w->ends, w->n * sizeof(*w->ends));
	free(w->ends);
	vec_foreach (r, &w->routes) {
		free(r->node);
		vec_free(&r->prefixes);
	}
	vec_free(&w->routes);
	vec_foreach (p, &w->peers) {
		free(p->ref);
		vec_free(&p->allowed);
	}
	vec_free(&w->peers);
	free(w->dev_name);
	free(w->members_text);
	explicit_bzero(w, sizeof(*w));
	free(w);
}

static const char *const wireguard_graph_keys[] = {"port", NULL};

const struct link_kind kind_wireguard = {
    .graph_keys = wireguard_graph_keys,
    .name = "wireguard",
    .section = "wireguard",
    .title = "WireGuard",
    .noun = "WireGuard device",
    .layer3 = true,
    .keys = wg_keys,
    .repeatable = wg_repeatable,
    .parse = wg_parse,
    .declare = wg_declare,
    .validate = wg_validate,
    .plan = wg_plan,
    .probe_kind = "wireguard",
    .probe_module = "wireguard",
    .default_mtu = WG_MTU,
    .attrs = wg_attrs,
    .read_attrs = wg_read_attrs,
    .tunnel_here = wg_tunnel_here,
    .free = wg_free,
};
