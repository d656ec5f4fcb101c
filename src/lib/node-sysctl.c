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

static void free_sysctls(struct topo_node *n)
{
	vec_foreach(s, &n->sysctls)
	{
		free(s->key);
		free(s->value);
	}
	vec_free(&n->sysctls);
}

/* The interface a per-interface sysctl names: net.ipv4.conf.IF.KEY,
 * net.ipv6.conf.IF.KEY, net.ipv4.neigh.IF.KEY, net.ipv6.neigh.IF.KEY, with
 * '/' for a '.' inside IF (sysctl(8)). NULL for any other key. The result
 * points into path, the key's /proc/sys path. */
static const char *sysctl_ifname(char *path)
{
	static const char *const dirs[] = {"/proc/sys/net/ipv4/conf/", "/proc/sys/net/ipv6/conf/",
					   "/proc/sys/net/ipv4/neigh/", "/proc/sys/net/ipv6/neigh/"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t len = strlen(dirs[i]);
		if (strncmp(path, dirs[i], len) != 0)
			continue;
		char *end = strchr(path + len, '/');
		if (!end)
			return NULL; /* the directory itself: not an interface's key */
		*end = '\0';
		return path + len;
	}
	return NULL;
}

static void check_sysctl(struct topo_node *n, const struct topo_sysctl *s, struct diag *d)
{
	_cleanup_free_ char *path = plan_sysctl_path(s->key);
	const char *ifname;
	char hint[320];

	if (!path) {
		diag_add(d, &s->loc, "write a net.* key such as net.ipv4.conf.all.rp_filter",
			 "sysctl '%s' is not a net.* key", s->key);
		return;
	}
	ifname = sysctl_ifname(path);
	if (!ifname || streq(ifname, "all") || streq(ifname, "default") || node_has_iface(n, ifname))
		return;
	/* net.ipv4.conf.flannel.1.rp_filter: the '.' of the name needs a '/' */
	size_t dir = (size_t)(ifname - path) - strlen("/proc/sys/");
	vec_foreach(ip, &n->ifaces)
	{
		const char *name = (*ip)->name;
		size_t len = strlen(name);
		if (!strchr(name, '.') || strncmp(s->key + dir, name, len) != 0 || s->key[dir + len] != '.')
			continue;
		_cleanup_free_ char *fixed = xstrdup(s->key);
		for (char *c = fixed + dir; c < fixed + dir + len; c++)
			if (*c == '.')
				*c = '/';
		snprintf(hint, sizeof(hint), "write '%s': '/' stands for the '.' in '%s' (sysctl(8))",
			 fixed, name);
		diag_add(d, &s->loc, hint, "node '%s' has no interface '%s'", n->name, ifname);
		return;
	}
	_cleanup_free_ char *list = topo_iface_list(n);
	snprintf(hint, sizeof(hint),
		 "interfaces of '%s': %s (and 'all', 'default'); links, bridges and tunnels make them",
		 n->name, list);
	diag_add(d, &s->loc, hint, "node '%s' has no interface '%s'", n->name, ifname);
}

static void validate_sysctls(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes) vec_foreach(s, &(*np)->sysctls) check_sysctl(*np, s, d);
}

const struct node_key node_key_sysctl = {
	.key = "sysctl",
	.repeatable = true,
	.parse = parse_sysctl,
	.defaults = true,
	.validate = validate_sysctls,
	.free = free_sysctls,
	.plan = plan_sysctls,
};
