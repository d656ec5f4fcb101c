// SPDX-License-Identifier: MIT
/* [node] key 'sysctl': sysctl = KEY VALUE (net.* only). One step sets all of a node's,
 * with what 'forward = yes' means. */
#include "node-key.h"
#include "apply.h"
#include "netns.h"

static int parse_sysctl(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'sysctl = net.ipv4.conf.all.rp_filter 0' (only net.* is per namespace)";
	size_t klen = strcspn(value, " \t=");
	char *w[2] = {value, value + klen};

	/* KEY VALUE or KEY=VALUE; the value is the rest of the line, since
	 * some take several words (net.ipv4.ip_local_port_range). */
	if (*w[1])
		*w[1]++ = '\0';
	while (*w[1] == ' ' || *w[1] == '\t' || *w[1] == '=')
		w[1]++;
	if (!*w[0] || !*w[1]) {
		diag_add(d, loc, hint, "bad 'sysctl' line");
		return -EINVAL;
	}
	/* Only net.* lives in the network namespace; anything else would
	 * change the host. Path tricks are refused here too. */
	_cleanup_free_ char *path = plan_sysctl_path(w[0]);
	if (!path) {
		diag_add(d, loc, hint, "sysctl '%s' is not a net.* key", w[0]);
		return -EINVAL;
	}
	for (const char *c = w[1]; *c; c++)
		if (*c < 0x20 || *c == 0x7f) {
			diag_add(d, loc, hint, "sysctl value for '%s' has control characters",
				 w[0]);
			return -EINVAL;
		}
	struct topo_sysctl *s = vec_add(&n->sysctls);
	s->loc = *loc;
	s->key = xstrdup(w[0]);
	s->value = xstrdup(w[1]);
	return 0;
}

/* sysctl(8) is the readable form of what apply writes under /proc/sys. */
static void print_sysctls(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_node *n = s->node;

	sbuf_addf(out, "ip netns exec %s sysctl -qw", n->netns);
	if (n->forward)
		sbuf_adds(out, " net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	vec_foreach(x, &n->sysctls) sbuf_addf(out, " %s=%s", x->key, x->value);
	sbuf_adds(out, "\n");
}

static void describe_sysctls(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_adds(out, "set sysctls");
}

static int apply_sysctls(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_node *n = s->node;
	int r = netns_enter(nl_nsfd(nl, n));

	if (r < 0) {
		sbuf_addf(err, "setns: %s", strerror(-r));
		return r;
	}
	int root = apply_sysctl_root(nl);
	if (n->forward) {
		r = apply_write_sysctl(root, "net.ipv4.ip_forward", "1", err);
		if (r == 0)
			r = apply_write_sysctl(root, "net.ipv6.conf.all.forwarding", "1", err);
	}
	for (size_t i = 0; r == 0 && i < n->sysctls.n; i++)
		r = apply_write_sysctl(root, n->sysctls.v[i].key, n->sysctls.v[i].value, err);
	if (netns_enter(nl->orig_netns) < 0)
		abort();
	return r;
}

static const struct step_type step_sysctl = {
	.name = "sysctl",
	.group = STEP_GROUP_NODE,
	.print = print_sysctls,
	.describe = describe_sysctls,
	.apply = apply_sysctls,
};

static void plan_sysctls(struct plan *p, struct topo_node *n)
{
	if (n->forward || n->sysctls.n)
		plan_add(p, &step_sysctl, n, NULL);
}

const struct node_key node_key_sysctl = {
	.key = "sysctl",
	.repeatable = true,
	.parse = parse_sysctl,
	.plan = plan_sysctls,
};
