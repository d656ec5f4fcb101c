// SPDX-License-Identifier: MIT
/* [node] key 'container': container = yes gives a node its root (its own
 * files, /etc, /var, /run, /tmp and hostname: runtime.h) when nothing else
 * asks for it; a node with files, startup lines or services has one anyway,
 * and 'container = no' there is an error. */
#include "node-key.h"
#include "kind.h"

static int parse_container(struct topo_node *n, char *value, const struct topo_loc *loc,
			   struct diag *d)
{
	bool v;

	if (kind_bool("container", value, loc, d, &v) < 0)
		return -EINVAL;
	n->container = v;
	n->container_loc = *loc;
	return 0;
}

static void validate_container(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes)
	{
		const struct topo_node *n = *np;
		const char *what = n->services.n ? "services" : n->startups.n ? "startup lines"
							       : n->layers.n  ? "files of its own"
									      : NULL;
		if (n->container == 0 && what)
			diag_add(d, &n->container_loc,
				 "remove 'container = no': what runs in a node needs its own root",
				 "node '%s' has %s, which need its own root", n->name, what);
	}
}

const struct node_key node_key_container = {
	.key = "container",
	.parse = parse_container,
	.validate = validate_container,
	.defaults = true,
};
