// SPDX-License-Identifier: MIT
/* [node] key 'forward': forward = yes|no: IPv4 and IPv6 forwarding, set in the sysctl
 * step (node-sysctl.c). */
#include "node-key.h"
#include "kind.h"


static int parse_forward(struct topo_node *n, char *value, const struct topo_loc *loc,
			 struct diag *d)
{
	if (kind_bool("forward", value, loc, d, &n->forward) < 0)
		return -EINVAL;
	n->forward_loc = *loc;
	return 0;
}

const struct node_key node_key_forward = {
	.key = "forward",
	.repeatable = false,
	.parse = parse_forward,
	.defaults = true,
};
