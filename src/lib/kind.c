// SPDX-License-Identifier: MIT
#include "kind.h"
#include "apply.h"


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

int kind_probe(const struct topo_lab *lab, struct sbuf *err)
{
	for (size_t k = 0; k < link_kinds_n; k++) {
		const struct link_kind *kind = link_kinds[k];
		bool used = false;
		if (!kind->probe_kind)
			continue;
		vec_foreach(d, &lab->devs) used |= (*d)->kind == kind;
		if (!used)
			continue;
		int r = apply_probe_kind(kind->probe_kind);
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
