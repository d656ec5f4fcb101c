// SPDX-License-Identifier: MIT
#include "node-key.h"

const struct node_key *node_key_find(const char *key)
{
	for (size_t i = 0; i < node_keys_n; i++)
		if (streq(node_keys[i]->key, key))
			return node_keys[i];
	return NULL;
}

int node_key_ifname(const struct topo_loc *loc, struct diag *d, const char *what,
		    const char *name)
{
	const char *why = topo_ifname_error(name);

	if (!why)
		return 0;
	diag_add(d, loc, "interface names have 1 to 15 letters, digits, '_', '-' or '.'",
		 "%s '%s' %s", what, name, why);
	return -EINVAL;
}

struct topo_iface *node_iface(struct topo_node *n, const char *ifname, const struct topo_loc *loc,
				  struct diag *d)
{
	struct topo_iface *i = topo_iface_find(n, ifname);
	char hint[320];

	if (i || streq(ifname, "lo"))
		return i; /* NULL for lo: it has no topo_iface */
	_cleanup_free_ char *list = topo_iface_list(n);
	snprintf(hint, sizeof(hint), "interfaces of '%s': %s; links, bridges and tunnels make them",
		 n->name, list);
	diag_add(d, loc, hint, "node '%s' has no interface '%s'", n->name, ifname);
	return NULL;
}

bool node_has_iface(const struct topo_node *n, const char *ifname)
{
	return streq(ifname, "lo") || topo_iface_find(n, ifname);
}
