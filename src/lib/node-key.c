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
