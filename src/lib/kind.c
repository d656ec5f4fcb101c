// SPDX-License-Identifier: MIT
#include "kind.h"
#include "apply.h"

#include <linux/if_ether.h>
#include <strings.h>


const struct link_kind *kind_by_section(const char *section)
{
	for (size_t i = 0; i < link_kinds_n; i++)
		if (streq(link_kinds[i]->section, section))
			return link_kinds[i];
	return NULL;
}

const struct link_kind *kind_by_name(const char *name)
{
	for (size_t i = 0; i < link_kinds_n; i++)
		if (streq(link_kinds[i]->name, name))
			return link_kinds[i];
	return NULL;
}

bool kind_has_peer(const char *name)
{
	for (size_t i = 0; i < link_kinds_n; i++)
		if (link_kinds[i]->is_link && streq(link_kinds[i]->name, name))
			return true;
	return false;
}

int kind_bool(const char *key, const char *value, const struct topo_loc *loc, struct diag *d,
	      bool *ret)
{
	char hint[128];

	if (parse_bool(value, ret) == 0)
		return 0;
	snprintf(hint, sizeof(hint), "write '%s = yes' or '%s = no'", key, key);
	diag_add(d, loc, hint, "'%s' must be yes or no, not '%s'", key, value);
	return -EINVAL;
}

int kind_u32(const char *key, const char *value, uint32_t min, uint32_t max,
	     const struct topo_loc *loc, struct diag *d, uint32_t *ret)
{
	char hint[128];

	if (parse_u32(value, min, max, ret) == 0)
		return 0;
	snprintf(hint, sizeof(hint), "'%s' is a whole number from %u to %u", key, min, max);
	diag_add(d, loc, hint, "bad %s '%s'", key, value);
	return -EINVAL;
}

int kind_vlan_protocol(const char *key, const char *value, const struct topo_loc *loc,
		       struct diag *d, uint16_t *ret)
{
	char hint[128];

	if (strcasecmp(value, "802.1Q") == 0 || strcasecmp(value, "802.1ad") == 0) {
		*ret = strcasecmp(value, "802.1Q") == 0 ? ETH_P_8021Q : ETH_P_8021AD;
		return 0;
	}
	snprintf(hint, sizeof(hint), "write '%s = 802.1Q' or '%s = 802.1ad' (QinQ's outer tag)", key,
		 key);
	diag_add(d, loc, hint, "bad %s '%s'", key, value);
	return -EINVAL;
}

int kind_members(struct topo_lab *lab, const char *value, const struct topo_loc *loc,
		 struct diag *d, struct topo_node **ret, size_t max)
{
	_cleanup_free_ char *copy = xstrdup(value);
	char *w[257];
	size_t n = split_words(copy, w, ARRAY_SIZE(w) - 1);
	int bad = 0;

	if (n > max) {
		diag_add(d, loc, "list fewer members", "more than %zu members", max);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		ret[i] = topo_node_find(lab, w[i]);
		if (!ret[i]) {
			char hint[128];
			snprintf(hint, sizeof(hint), "declare it with '[node %s]'", w[i]);
			diag_add(d, loc, hint, "member '%s' is not a node", w[i]);
			bad = -EINVAL;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (ret[j] == ret[i]) {
				diag_add(d, loc, "name each member once", "member '%s' is listed twice",
					 w[i]);
				bad = -EINVAL;
			}
	}
	return bad ? bad : (int)n;
}

/* Where dev's devices are made among all the lab's: kinds in table order,
 * each kind's in file order (plan_build). */
void kind_take_ports(struct topo_dev *dev, struct topo_iface *master, const char *text,
		     const struct topo_loc *loc, struct diag *d,
		     bool (*refuse)(const struct topo_iface *master, const struct topo_iface *port,
				    struct sbuf *why))
{
	_cleanup_free_ char *copy = xstrdup(text);
	struct topo_node *n = master->node;
	char *w[257], hint[320];
	size_t cnt = split_words(copy, w, ARRAY_SIZE(w) - 1);

	if (cnt == 0 || cnt > ARRAY_SIZE(w) - 1) {
		diag_add(d, loc, "write 'ports = eth0 eth1', at most 256 interfaces",
			 cnt ? "too many ports in one 'ports' line" : "'ports' lists no interface");
		return;
	}
	for (size_t k = 0; k < cnt; k++) {
		struct topo_iface *p = topo_iface_find(n, w[k]);
		struct sbuf why = {0};
		if (!p) {
			_cleanup_free_ char *have = topo_iface_list(n);
			snprintf(hint, sizeof(hint),
				 streq(w[k], "lo") ? "lo is no port; name an interface that a link or a "
						     "section makes in '%s'%s%s"
						   : "name an interface that a link or a section makes "
						     "in '%s'%s%s",
				 n->name, *have ? ": " : " (it has none yet)", have);
			diag_add(d, loc, hint, "[%s %s:%s]: node '%s' has no interface '%s'",
				 dev->kind->section, n->name, dev->name, n->name, w[k]);
			continue;
		}
		if (p != master && refuse && refuse(master, p, &why)) {
			char *nl = strchr(why.s, '\n');
			if (nl)
				*nl = '\0';
			diag_add(d, loc, nl ? nl + 1 : NULL, "%s", why.s);
			sbuf_free(&why);
			continue;
		}
		(void)topo_iface_enslave(p, master, loc, d);
	}
}

struct topo_iface *kind_node_iface(struct topo_dev *dev, uint32_t mtu, const uint8_t *mac,
				   struct diag *d)
{
	char hint[128];

	if (!dev->node_name) {
		snprintf(hint, sizeof(hint), "write '[%s NODE:%s]', the node that has it",
			 dev->kind->section, dev->name);
		diag_add(d, &dev->loc, hint, "[%s %s] names no node", dev->kind->section, dev->name);
		return NULL;
	}
	if (!dev->node)
		return NULL; /* unknown node, reported already */
	struct topo_iface *i = topo_iface_add(dev->node, dev->name, dev, &dev->loc, d);
	if (i) {
		i->mtu = mtu;
		i->has_mac = mac != NULL;
		if (mac)
			memcpy(i->mac, mac, 6);
	}
	return i;
}

size_t kind_tunnel_ends(struct topo_lab *lab, struct topo_dev *dev, const char *members_text,
			const struct topo_loc *members_loc, uint32_t mtu, struct diag *d,
			struct topo_node *members[2], struct topo_iface *ifaces[2])
{
	char hint[128];
	size_t n = 1;

	if (dev->node_name) {
		if (!dev->node)
			return 0;
		members[0] = dev->node;
	} else {
		if (!members_text) {
			diag_add(d, &dev->loc, "add 'members = A B', the two tunnel ends",
				 "[%s %s] has no 'members'", dev->kind->section, dev->name);
			return 0;
		}
		int k = kind_members(lab, members_text, members_loc, d, members, 2);
		if (k < 0)
			return 0;
		if (k != 2) {
			snprintf(hint, sizeof(hint), "list the two ends of the %s", dev->kind->noun);
			diag_add(d, members_loc, hint, "'members' lists %d node%s", k,
				 k == 1 ? "" : "s");
			return 0;
		}
		n = 2;
	}
	for (size_t i = 0; i < n; i++) {
		ifaces[i] = topo_iface_add(members[i], dev->name, dev, &dev->loc, d);
		if (ifaces[i])
			ifaces[i]->mtu = mtu;
	}
	return n;
}

int kind_mac(const char *value, const struct topo_loc *loc, struct diag *d, uint8_t ret[6])
{
	uint8_t mac[6];

	if (mac_parse(value, mac) < 0 || (mac[0] & 1)) {
		diag_add(d, loc, "write a unicast MAC such as 02:00:00:00:00:01",
			 "bad MAC address '%s'", value);
		return -EINVAL;
	}
	memcpy(ret, mac, 6);
	return 0;
}

size_t kind_order(const struct link_kind *kind)
{
	size_t k = 0;

	while (k < link_kinds_n && link_kinds[k] != kind)
		k++;
	return k;
}

static size_t made_at(const struct topo_lab *lab, const struct topo_dev *dev, size_t *ret_file)
{
	size_t k = kind_order(dev->kind);

	*ret_file = 0;
	while (*ret_file < lab->devs.n && lab->devs.v[*ret_file] != dev)
		(*ret_file)++;
	return k;
}

/* A device of another takes_lower kind on interface lower, or NULL. */
static const struct topo_dev *taken_by(const struct topo_lab *lab, const struct topo_dev *dev,
				       const struct topo_iface *lower)
{
	_cleanup_free_ char *word = xasprintf("link %s", lower->name);

	vec_foreach(op, &lab->devs)
	{
		const struct topo_dev *o = *op;
		if (o->kind == dev->kind || !o->kind->takes_lower || o->node != lower->node ||
		    !o->kind->attrs)
			continue;
		const struct topo_iface *i = o->name ? topo_iface_find(o->node, o->name) : NULL;
		struct strvec attrs = {0}, fdbs = {0};
		bool on = false;
		if (i && i->dev == o) {
			o->kind->attrs(o, i, &attrs, &fdbs);
			vec_foreach(a, &attrs) on |= streq(*a, word);
		}
		strvec_free(&attrs);
		strvec_free(&fdbs);
		if (on)
			return o;
	}
	return NULL;
}

struct topo_iface *kind_lower(const struct topo_lab *lab, const struct topo_dev *dev,
			      const struct topo_iface *self, const char *name,
			      const struct topo_loc *loc, struct diag *d)
{
	const struct topo_node *n = self->node;
	struct topo_iface *lower = name ? topo_iface_find(n, name) : NULL;
	const char *noun = dev->kind->noun;
	char hint[320];

	if (!lower || lower == self) {
		struct sbuf has = {0};
		vec_foreach(ip, &n->ifaces) if (*ip != self && (*ip)->dev && !(*ip)->dev->kind->layer3)
			sbuf_addf(&has, "%s%s", has.s ? ", " : "", (*ip)->name);
		if (!name)
			snprintf(hint, sizeof(hint), "add 'link = IF', the interface it sits on%s%s",
				 has.s ? ": " : "", has.s ? has.s : "");
		else if (has.s)
			snprintf(hint, sizeof(hint), "name one of the interfaces of '%s' it can sit on: %s",
				 n->name, has.s);
		if (!has.s)
			snprintf(hint, sizeof(hint),
				 "%s'%s' has no interface it can sit on yet; a [links] line makes one, "
				 "e.g. 'link = %s:eth0 OTHER:eth0'",
				 name ? "" : "add 'link = IF'; ", n->name, n->name);
		sbuf_free(&has);
		if (!name)
			diag_add(d, loc, hint, "[%s %s:%s] has no 'link'", dev->kind->section, n->name,
				 self->name);
		else if (streq(name, "lo"))
			diag_add(d, loc, hint, "%s '%s' cannot sit on lo", noun, self->name);
		else if (lower)
			diag_add(d, loc, hint, "%s '%s' cannot sit on itself", noun, self->name);
		else
			diag_add(d, loc, hint, "node '%s' has no interface '%s' for %s '%s' to sit on",
				 n->name, name, noun, self->name);
		return NULL;
	}
	if (dev->kind->takes_lower && lower->dev && lower->dev->kind == dev->kind) {
		/* the kernel would put it on that one's device instead */
		snprintf(hint, sizeof(hint), "write 'link = IF' with the interface '%s' sits on",
			 lower->name);
		diag_add(d, loc, hint, "%s '%s' cannot sit on '%s', another %s", noun, self->name,
			 name, noun);
		return NULL;
	}
	if (lower->dev && lower->dev->kind->layer3) {
		diag_add(d, loc, "it needs an Ethernet device below it: a link's end, a bridge, a dummy",
			 "%s '%s' cannot sit on %s '%s', which has no MAC address", noun,
			 self->name, lower->dev->kind->noun, name);
		return NULL;
	}
	if (lower->master && lower->master->is_bridge) {
		snprintf(hint, sizeof(hint), "put the %s on bridge '%s' itself, or on another interface",
			 noun, lower->master->name);
		diag_add(d, loc, hint,
			 "'%s' of node '%s' is a port of bridge '%s', which takes its frames first",
			 name, n->name, lower->master->name);
		return NULL;
	}
	const struct topo_dev *other = dev->kind->takes_lower ? taken_by(lab, dev, lower) : NULL;
	if (other) {
		snprintf(hint, sizeof(hint), "put %ss and %ss on different interfaces",
			 kind_title(dev->kind), kind_title(other->kind));
		diag_add(d, loc, hint, "'%s' of node '%s' carries %s '%s' already; it cannot carry %s too",
			 name, n->name, other->kind->noun, other->name, kind_title(dev->kind));
		return NULL;
	}
	size_t f_self, f_lower;
	size_t k_self = made_at(lab, dev, &f_self);
	size_t k_lower = lower->dev ? made_at(lab, lower->dev, &f_lower) : 0;
	if (lower->dev && (k_lower > k_self || (k_lower == k_self && f_lower > f_self))) {
		if (k_lower == k_self)
			snprintf(hint, sizeof(hint), "move [%s %s:%s] above this section",
				 lower->dev->kind->section, n->name, lower->name);
		else
			snprintf(hint, sizeof(hint),
				 "nslab makes every %s before any %s: sit it on another interface",
				 kind_title(dev->kind), kind_title(lower->dev->kind));
		diag_add(d, loc, hint, "'%s' of node '%s' is made after %s '%s' that sits on it",
			 name, n->name, noun, self->name);
		return NULL;
	}
	return lower;
}

int kind_probe(const struct topo_lab *lab, struct sbuf *err)
{
	for (size_t k = 0; k < link_kinds_n; k++) {
		const struct link_kind *kind = link_kinds[k];
		bool used = false;
		vec_foreach(d, &lab->devs) used |= (*d)->kind == kind;
		if (!used)
			continue;
		int r = kind->probe ? kind->probe(lab, err) : 0;
		if (r < 0)
			return r;
		if (!kind->probe_kind)
			continue;
		r = apply_probe_kind(kind->probe_kind);
		if (r == -EOPNOTSUPP) {
			sbuf_addf(err, "kernel lacks %s support (module %s); nothing was created",
				  kind_title(kind), kind->probe_module);
			return r;
		}
	}
	return 0;
}

uint32_t kind_table_of(const struct topo_iface *i)
{
	return i && i->dev && i->dev->kind->table ? i->dev->kind->table(i) : 0;
}

const struct topo_iface *kind_l3_master(const struct topo_iface *i)
{
	/* a bridge in a VRF takes its ports' traffic into it: two levels */
	for (int depth = 0; i && depth < 3; depth++, i = i->master)
		if (kind_table_of(i))
			return i;
	return NULL;
}
