// SPDX-License-Identifier: MIT
/* The shared part of the point-to-point IP tunnels (kind-iptun.h), after
 * kind-gre.c: one device in each member of a pair, or one end by hand. */
#include "kind-iptun.h"
#include "nl.h"
#include "plan.h"

#include <netinet/in.h>

struct iptun {
	const struct iptun_ops *ops;
	uint32_t ttl, key, mtu;
	bool has_key;
	uint8_t proto; /* the mode's */
	char *dev_name;
	char *members_text;
	struct topo_loc members_loc;
	/* given, even with a bad value (reported then): not "missing" too */
	bool dev_given, local_given, remote_given;
	size_t n;
	struct topo_node *members[2];
	struct topo_iface *ifaces[2];
	struct ipaddr local[2], remote[2];
};

static struct iptun *iptun_of(const struct iptun_ops *o, struct topo_dev *dev)
{
	if (!dev->priv) {
		struct iptun *t = xcalloc(1, sizeof(*t));
		t->ops = o;
		t->ttl = 255; /* as GRE's: the outer packets cross any underlay */
		if (o->modes)
			t->proto = o->modes[0].proto;
		dev->priv = t;
	}
	return dev->priv;
}

/* "[ipip NAME]", "[ipip NODE:NAME]" */
static const char *header(const struct topo_dev *dev, char *buf, size_t size)
{
	snprintf(buf, size, "[%s %s%s%s]", dev->kind->section, dev->node_name ? dev->node_name : "",
		 dev->node_name ? ":" : "", dev->name);
	return buf;
}

static int parse_addr(const struct iptun_ops *o, const char *key, const char *value,
		      const struct topo_loc *loc, struct diag *d, struct ipaddr *ret)
{
	char hint[128];

	if (ipaddr_parse_host(value, ret) == 0 && ret->family == o->family)
		return 0;
	snprintf(hint, sizeof(hint), "write an IPv%c address such as %s (%s carries %s)",
		 o->family == AF_INET ? '4' : '6', o->example, o->kind->name, o->carries);
	diag_add(d, loc, hint, "bad %s '%s'", key, value);
	return -EINVAL;
}

static const char *mode_word(const struct iptun_ops *o, uint8_t proto)
{
	for (const struct iptun_mode *m = o->modes; m && m->word; m++)
		if (m->proto == proto)
			return m->word;
	return "?";
}

static void parse_mode(const struct iptun_ops *o, struct iptun *t, const char *value,
		       const struct topo_loc *loc, struct diag *d)
{
	struct sbuf hint = {0};

	for (const struct iptun_mode *m = o->modes; m->word; m++)
		if (streq(m->word, value)) {
			t->proto = m->proto;
			return;
		}
	sbuf_adds(&hint, "write one of:");
	for (const struct iptun_mode *m = o->modes; m->word; m++)
		sbuf_addf(&hint, " 'mode = %s'%s", m->word, m == o->modes ? " (the default)" : "");
	diag_add(d, loc, hint.s, "bad mode '%s'", value);
	sbuf_free(&hint);
}

int iptun_parse(const struct iptun_ops *o, struct topo_dev *dev, const char *key, char *value,
		const struct topo_loc *loc, struct diag *d)
{
	struct iptun *t = iptun_of(o, dev);
	bool pair = !dev->node_name;
	const char *sect = dev->kind->section;
	char hint[160];

	if (streq(key, "ttl")) {
		(void)kind_u32(key, value, 0, 255, loc, d, &t->ttl);
	} else if (streq(key, "key") && o->has_key) {
		t->has_key = kind_u32(key, value, 0, UINT32_MAX, loc, d, &t->key) == 0;
	} else if (streq(key, "mode") && o->mode_key) {
		parse_mode(o, t, value, loc, d);
	} else if (streq(key, "mtu")) {
		(void)kind_u32(key, value, 68, 65535, loc, d, &t->mtu);
	} else if (streq(key, "dev") && pair) {
		const char *why = topo_ifname_error(value);
		t->dev_given = true;
		if (why)
			diag_add(d, loc, "name the underlay interface, e.g. 'dev = eth0'",
				 "underlay device '%s' %s", value, why);
		else
			t->dev_name = xstrdup(value);
	} else if (streq(key, "members") && pair) {
		t->members_text = xstrdup(value);
		t->members_loc = *loc;
	} else if ((streq(key, "local") || streq(key, "remote")) && !pair) {
		if (streq(key, "local")) {
			t->local_given = true;
			(void)parse_addr(o, key, value, loc, d, &t->local[0]);
		} else {
			t->remote_given = true;
			(void)parse_addr(o, key, value, loc, d, &t->remote[0]);
		}
	} else if (streq(key, "members") || streq(key, "dev")) {
		snprintf(hint, sizeof(hint),
			 "write [%s NAME] with 'members = A B' and 'dev = IF' for a pair", sect);
		diag_add(d, loc, hint, "'%s' is for [%s NAME], not [%s NODE:NAME]", key, sect,
			 sect);
	} else if (streq(key, "local") || streq(key, "remote")) {
		snprintf(hint, sizeof(hint),
			 "a pair takes both ends from 'dev'; for one end write [%s NODE:NAME]",
			 sect);
		diag_add(d, loc, hint, "'%s' is for [%s NODE:NAME], not a pair", key, sect);
	} else {
		return KIND_KEY_UNKNOWN;
	}
	return KIND_KEY_OK;
}

void iptun_declare(const struct iptun_ops *o, struct topo_lab *lab, struct topo_dev *dev, int pass,
		   struct diag *d)
{
	struct iptun *t = iptun_of(o, dev);

	if (pass == 0)
		t->n = kind_tunnel_ends(lab, dev, t->members_text, &t->members_loc, t->mtu, d,
					t->members, t->ifaces);
}

/* The kernel keeps one tunnel of a kind per local, remote (and key) in a
 * namespace: a second is EEXIST half-way through up. */
static void check_twin(const struct topo_lab *lab, struct topo_dev *dev, struct diag *d)
{
	const struct iptun *t = dev->priv;
	char h[96], hint[160];

	for (size_t m = 0; m < t->n; m++)
		vec_foreach(op, &lab->devs)
		{
			const struct topo_dev *o = *op;
			const struct iptun *u = o->priv;
			if (o == dev)
				return;
			if (o->kind != dev->kind || !u)
				continue;
			for (size_t k = 0; k < u->n; k++) {
				if (u->members[k] != t->members[m] ||
				    !ipaddr_equal(&u->local[k], &t->local[m]) ||
				    !ipaddr_equal(&u->remote[k], &t->remote[m]) ||
				    u->has_key != t->has_key || (t->has_key && u->key != t->key))
					continue;
				snprintf(hint, sizeof(hint),
					 "one %s between two addresses%s; join them into one, or give "
					 "them other addresses%s",
					 dev->kind->noun, t->ops->has_key ? " and a key" : "",
					 t->ops->has_key ? " or keys" : "");
				diag_add(d, &dev->loc, hint,
					 "%s: node '%s' has one with the same ends already: '%s' (line %u)",
					 header(dev, h, sizeof(h)), t->members[m]->name, o->name,
					 o->loc.line);
				return;
			}
		}
}

void iptun_validate(const struct iptun_ops *o, const struct topo_lab *lab, struct topo_dev *dev,
		    struct diag *d)
{
	struct iptun *t = iptun_of(o, dev);
	char h[96], hint[160];

	if (dev->node_name) {
		if (!t->local_given || !t->remote_given)
			diag_add(d, &dev->loc, "add 'local = ADDRESS' and 'remote = ADDRESS'",
				 "%s needs 'local' and 'remote'", header(dev, h, sizeof(h)));
		else
			check_twin(lab, dev, d);
		return;
	}
	if (t->n != 2)
		return;
	if (!t->dev_name) {
		if (!t->dev_given)
			diag_add(d, &dev->loc,
				 "add 'dev = eth0', the underlay interface of both members",
				 "%s has no 'dev'", header(dev, h, sizeof(h)));
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		struct topo_node *m = t->members[i];
		struct topo_iface *lower = topo_iface_find(m, t->dev_name);
		const struct topo_addr *a = lower ? topo_iface_addr(m, lower, o->family) : NULL;
		if (!lower) {
			snprintf(hint, sizeof(hint), "link '%s:%s' to the underlay", m->name,
				 t->dev_name);
			diag_add(d, &dev->loc, hint, "member '%s' has no interface '%s'", m->name,
				 t->dev_name);
			return;
		}
		if (!a && m->bad_addr)
			return; /* its addr line has its own error */
		if (!a) {
			snprintf(hint, sizeof(hint), "add 'addr = %s/%s dev %s' to [node %s]",
				 o->example, o->family == AF_INET ? "24" : "64", t->dev_name,
				 m->name);
			diag_add(d, &dev->loc, hint,
				 "member '%s' has no IPv%c address on '%s' for the tunnel", m->name,
				 o->family == AF_INET ? '4' : '6', t->dev_name);
			return;
		}
		t->local[i] = a->local;
		t->local[i].len = (uint8_t)ipaddr_maxlen(&a->local);
		t->remote[1 - i] = t->local[i];
	}
	check_twin(lab, dev, d);
}

/* Member m's settings, as the kernel will have them. */
static void conf_of(const struct iptun *t, size_t m, struct iptun_conf *ret)
{
	*ret = (struct iptun_conf){.local = t->local[m],
				   .remote = t->remote[m],
				   .ttl = t->ttl,
				   .has_key = t->has_key,
				   .key = t->key,
				   .proto = t->proto};
}

static void iptun_print(const struct plan *p, const struct step *s, struct sbuf *out);
static int iptun_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err);

static const struct step_type iptun_step = {
    .name = "link",
    .group = STEP_GROUP_LINKS,
    .print = iptun_print,
    .describe = plan_describe_link,
    .apply = iptun_apply,
};

void iptun_plan(const struct iptun_ops *o, struct plan *p, struct topo_dev *dev)
{
	struct iptun *t = iptun_of(o, dev);

	for (size_t i = 0; i < t->n; i++) {
		if (!t->ifaces[i])
			return;
		plan_ifindex(p, t->ifaces[i]);
		size_t *member = plan_alloc(p, sizeof(*member));
		*member = i;
		struct step *s = plan_add(p, &iptun_step, t->members[i], member);
		s->dev = dev;
		s->loc = &dev->loc;
	}
}

static void iptun_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct iptun *t = s->dev->priv;
	size_t m = *(const size_t *)s->data; /* which member */
	const struct topo_iface *i = t->ifaces[m];
	char l[IPADDR_STRLEN], r[IPADDR_STRLEN], mac[18];

	sbuf_addf(out, "ip -n %s link add %s", s->node->netns, i->name);
	if (i->has_mac)
		sbuf_addf(out, " address %s", mac_str(i->mac, mac));
	if (i->mtu)
		sbuf_addf(out, " mtu %u", i->mtu);
	sbuf_addf(out, " up type %s remote %s local %s ttl %u", s->dev->kind->name,
		  ipaddr_str(&t->remote[m], r), ipaddr_str(&t->local[m], l), t->ttl);
	if (t->has_key)
		sbuf_addf(out, " key %u", t->key);
	if (t->ops->modes)
		sbuf_addf(out, " mode %s", mode_word(t->ops, t->proto));
	sbuf_adds(out, "\n");
}

static int iptun_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct iptun *t = s->dev->priv;
	size_t m = *(const size_t *)s->data;
	_cleanup_link_ struct rtnl_link *link = t->ops->alloc();
	struct iptun_conf c;

	if (!link)
		return -ENOMEM;
	nl_link_setup(nl, link, t->ifaces[m]);
	rtnl_link_set_flags(link, IFF_UP);
	conf_of(t, m, &c);
	t->ops->set(link, &c);
	return nl_link_add(nl, nl_sk(nl, s->node), link, err);
}

void iptun_free(struct topo_dev *dev)
{
	struct iptun *t = dev->priv;

	if (!t)
		return;
	free(t->dev_name);
	free(t->members_text);
	free(t);
}

/* The words of diff and save, one way for the file and the kernel: the
 * keys of [K NODE:NAME], so that save writes a section that loads. */
static void words(const struct iptun_ops *o, const struct iptun_conf *c, struct strvec *ret)
{
	char buf[IPADDR_STRLEN];

	vec_push(ret, xasprintf("local %s", ipaddr_str(&c->local, buf)));
	vec_push(ret, xasprintf("remote %s", ipaddr_str(&c->remote, buf)));
	vec_push(ret, xasprintf("ttl %u", c->ttl));
	if (o->has_key && c->has_key)
		vec_push(ret, xasprintf("key %u", c->key));
	if (o->mode_key)
		vec_push(ret, xasprintf("mode %s", mode_word(o, c->proto)));
}

void iptun_attrs(const struct topo_dev *dev, const struct topo_iface *i, struct strvec *ret,
		 struct strvec *fdbs)
{
	const struct iptun *t = dev->priv;
	struct iptun_conf c;

	for (size_t m = 0; t && m < t->n; m++) {
		if (t->ifaces[m] != i)
			continue;
		conf_of(t, m, &c);
		words(t->ops, &c, ret);
	}
}

void iptun_read_attrs(const struct iptun_ops *o, struct rtnl_link *l, struct strvec *ret)
{
	struct iptun_conf c = {0};

	o->get(l, &c);
	words(o, &c, ret);
}

static bool is_zero(const struct ipaddr *a)
{
	for (size_t i = 0; i < ipaddr_bytes(a); i++)
		if (a->a[i])
			return false;
	return true;
}

bool iptun_tunnel(const struct iptun_ops *o, struct rtnl_link *l, struct kind_tunnel *t)
{
	struct iptun_conf c = {0};
	const char *title = kind_title(o->kind);

	o->get(l, &c);
	memset(t, 0, sizeof(*t));
	t->local = c.local;
	t->remote = c.remote;
	t->has_local = !is_zero(&c.local);
	t->has_remote = !is_zero(&c.remote);
	if (c.has_key)
		t->id = c.key;
	/* ip6tnl's mode 'any' (proto 0) takes IPv4 and IPv6 inside: the
	 * outer protocol is the inner packet's; the kind's default stands for it */
	t->outer_proto = o->modes && c.proto ? c.proto : o->outer_proto;
	if (o->mode_key)
		snprintf(t->what, sizeof(t->what), "%s (mode %s)", title, mode_word(o, c.proto));
	else if (t->id)
		snprintf(t->what, sizeof(t->what), "%s (key %u)", title, t->id);
	else
		snprintf(t->what, sizeof(t->what), "%s", title);
	return true;
}

uint32_t iptun_v4(const struct ipaddr *a)
{
	uint32_t x;

	memcpy(&x, a->a, 4);
	return x;
}

struct ipaddr iptun_from_v4(uint32_t a)
{
	struct ipaddr r = {.family = AF_INET, .len = 32};

	memcpy(r.a, &a, 4);
	return r;
}

struct in6_addr iptun_v6(const struct ipaddr *a)
{
	struct in6_addr x;

	memcpy(&x, a->a, 16);
	return x;
}

struct ipaddr iptun_from_v6(const struct in6_addr *a)
{
	struct ipaddr r = {.family = AF_INET6, .len = 128};

	memcpy(r.a, a, 16);
	return r;
}
