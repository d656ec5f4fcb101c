// SPDX-License-Identifier: MIT
/* [node] key 'host': host = NAME, the host of [hosts] the node runs on in a
 * lab split across hosts (hosts.h). Its validate places every node. */
#include "hosts.h"
#include "node-key.h"

static int parse_host(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *why = topo_name_error(value, TOPO_NODE_NAME_MAX);

	if (why) {
		diag_add(d, loc, "name a host of [hosts]: 'host = h2'", "host '%s' %s", value, why);
		return -EINVAL;
	}
	free(n->host_name);
	n->host_name = xstrdup(value);
	n->host_loc = *loc;
	return 0;
}

static void free_host(struct topo_node *n)
{
	free(n->host_name);
}

const struct node_key node_key_host = {
    .key = "host",
    .parse = parse_host,
    .validate = hosts_validate,
    .free = free_host,
};
