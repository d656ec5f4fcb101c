// SPDX-License-Identifier: MIT
/* Carry out plan steps through libnl. Every step runs on the socket that
 * was opened inside its namespace when the namespace was made. */
#include "apply.h"
#include "dns.h"
#include "kind.h"
#include "netns.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>

static int set_link(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex, uint32_t master,
		    const char *alias, struct sbuf *err)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = (int)ifindex,
				.ifi_flags = IFF_UP,
				.ifi_change = IFF_UP};
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (master && nla_put_u32(msg, IFLA_MASTER, master) < 0) ||
	    (alias && nla_put_string(msg, IFLA_IFALIAS, alias) < 0))
		return -ENOMEM;
	return nl_request(nl, sk, msg, err);
}

/* Where the current namespace's sysctls are written: a procfs instance
 * shared by at most this many namespaces (see netns_proc_instance), or
 * /proc where there is none (or NSLAB_TEST_NO_PROCFS is set, for tests).
 * Called once per namespace. */
enum { PROCFS_NAMESPACES = 32 };
static int sysctl_root(struct nl_ctx *nl)
{
	if (nl->no_procfs || getenv("NSLAB_TEST_NO_PROCFS"))
		return AT_FDCWD;
	if (nl->procfs >= 0 && ++nl->procfs_uses < PROCFS_NAMESPACES)
		return nl->procfs;
	if (nl->procfs >= 0)
		close(nl->procfs);
	nl->procfs = netns_proc_instance();
	nl->procfs_uses = 0;
	nl->no_procfs = nl->procfs < 0; /* not again: /proc does */
	return nl->no_procfs ? AT_FDCWD : nl->procfs;
}

static int write_sysctl(int root, const char *key, const char *value, struct sbuf *err)
{
	_cleanup_free_ char *path = plan_sysctl_path(key);
	int r;

	if (!path)
		return -EINVAL;
	/* "/proc/sys/..." is "sys/..." inside a procfs instance */
	r = write_file_at(root, root == AT_FDCWD ? path : path + strlen("/proc/"), value);
	if (r < 0)
		sbuf_addf(err, "%s=%s: %s", key, value, strerror(-r));
	return r;
}

static int apply_netns(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_node *n = s->node;
	_cleanup_free_ char *marker = plan_lab_marker(nl->plan->lab->name);
	int fd, r = 0;

	fd = netns_create_and_enter(n->netns);
	if (fd < 0) {
		/* a failure after unshare() leaves us in the new namespace */
		if (netns_enter(nl->orig_netns) < 0)
			abort(); /* never carry on in the wrong namespace */
		if (fd == -EEXIST)
			sbuf_addf(err, "namespace '%s' already exists (another lab, or made by hand: "
				       "'ip netns del %s')", n->netns, n->netns);
		else
			sbuf_adds(err, strerror(-fd));
		return fd;
	}
	nl->nsfd[n->index] = fd;
	/* Inside the new namespace now: the socket opened here belongs to it
	 * for good, and /proc/sys/net is its own. */
	nl->sk[n->index] = nl_open_here(nl, &r);
	if (nl->sk[n->index])
		r = set_link(nl, nl->sk[n->index], 1, 0, marker, err);
	else
		sbuf_addf(err, "netlink socket: %s", strerror(-r));
	if (r == 0 && nl_learn_offset(nl, n) < 0) {
		r = -EIO;
		sbuf_adds(err, "cannot list the new namespace's interfaces");
	}
	int root = r == 0 ? sysctl_root(nl) : AT_FDCWD;
	if (r == 0 && (n->is_switch || !nl->plan->lab->uses_ipv6)) {
		r = write_sysctl(root, "net.ipv6.conf.all.disable_ipv6", "1", err);
		if (r == 0)
			r = write_sysctl(root, "net.ipv6.conf.default.disable_ipv6", "1", err);
	} else if (r == 0 && nl->plan->lab->uses_ipv6) {
		r = write_sysctl(root, "net.ipv6.conf.all.accept_dad", "0", err);
		if (r == 0)
			r = write_sysctl(root, "net.ipv6.conf.default.accept_dad", "0", err);
	}
	if (netns_enter(nl->orig_netns) < 0)
		abort(); /* never carry on in the wrong namespace */
	return r;
}

static int apply_sysctls(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_node *n = s->node;
	int r = netns_enter(nl_nsfd(nl, n));

	if (r < 0) {
		sbuf_addf(err, "setns: %s", strerror(-r));
		return r;
	}
	int root = sysctl_root(nl);
	if (n->forward) {
		r = write_sysctl(root, "net.ipv4.ip_forward", "1", err);
		if (r == 0)
			r = write_sysctl(root, "net.ipv6.conf.all.forwarding", "1", err);
	}
	for (size_t i = 0; r == 0 && i < n->sysctls.n; i++)
		r = write_sysctl(root, n->sysctls.v[i].key, n->sysctls.v[i].value, err);
	if (netns_enter(nl->orig_netns) < 0)
		abort();
	return r;
}


static int apply_addr(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_addr *a = s->addr;
	struct rtnl_addr *ra = rtnl_addr_alloc();
	_cleanup_nladdr_ struct nl_addr *local = nl_addr_from(&a->local, true);
	_cleanup_nladdr_ struct nl_addr *peer = a->has_peer ? nl_addr_from(&a->peer, true) : NULL;
	int r;

	if (!ra || !local)
		return -ENOMEM;
	rtnl_addr_set_ifindex(ra, (int)nl_ifindex(nl, a->iface));
	rtnl_addr_set_family(ra, a->local.family);
	rtnl_addr_set_local(ra, local);
	if (peer)
		rtnl_addr_set_peer(ra, peer);
	rtnl_addr_set_prefixlen(ra, a->has_peer ? a->peer.len : a->local.len);
	if (a->local.family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD); /* usable at once */
	nl->kerr = 0;
	r = nl_result(nl, rtnl_addr_add(nl_sk(nl, s->node), ra, NLM_F_EXCL), err);
	rtnl_addr_put(ra);
	return r;
}

static int apply_route(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_route *rt = s->route;
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	_cleanup_nladdr_ struct nl_addr *dst = nl_addr_from(&rt->dst, true);
	_cleanup_nladdr_ struct nl_addr *gw = rt->has_via ? nl_addr_from(&rt->via, false) : NULL;
	_cleanup_nladdr_ struct nl_addr *src = rt->has_src ? nl_addr_from(&rt->src, false) : NULL;
	int r;

	if (!route || !nh || !dst) {
		rtnl_route_put(route);
		rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	rtnl_route_set_family(route, rt->dst.family);
	rtnl_route_set_dst(route, dst);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	/* what `ip route add` sends; libnl would say "static" */
	rtnl_route_set_protocol(route, RTPROT_BOOT);
	rtnl_route_set_scope(route, rt->has_via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if (rt->has_metric)
		rtnl_route_set_priority(route, rt->metric);
	if (src)
		rtnl_route_set_pref_src(route, src);
	if (rt->ifname)
		rtnl_route_nh_set_ifindex(nh, (int)nl_ifindex(nl, rt->iface));
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	if (rt->onlink)
		rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
	rtnl_route_add_nexthop(route, nh);
	nl->kerr = 0;
	r = nl_result(nl, rtnl_route_add(nl_sk(nl, s->node), route, NLM_F_EXCL), err);
	if (r == -ENETUNREACH && rt->has_via && !rt->onlink)
		sbuf_adds(err, " (gateway not on a connected subnet; add 'onlink')");
	rtnl_route_put(route);
	return r;
}

static int apply_neigh(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_neigh *x = s->neigh;
	struct rtnl_neigh *ne = rtnl_neigh_alloc();
	_cleanup_nladdr_ struct nl_addr *dst = nl_addr_from(&x->addr, false);
	_cleanup_nladdr_ struct nl_addr *ll = nl_addr_build(AF_LLC, x->lladdr, 6);
	int r;

	if (!ne || !dst || !ll) {
		if (ne)
			rtnl_neigh_put(ne);
		return -ENOMEM;
	}
	rtnl_neigh_set_ifindex(ne, (int)nl_ifindex(nl, x->iface));
	rtnl_neigh_set_family(ne, x->addr.family);
	rtnl_neigh_set_dst(ne, dst);
	rtnl_neigh_set_lladdr(ne, ll);
	rtnl_neigh_set_state(ne, NUD_PERMANENT);
	nl->kerr = 0;
	r = nl_result(nl, rtnl_neigh_add(nl_sk(nl, s->node), ne, NLM_F_CREATE | NLM_F_EXCL), err);
	rtnl_neigh_put(ne);
	return r;
}

int apply_step(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	switch (s->type) {
	case STEP_NETNS:
		return apply_netns(nl, s, err);
	case STEP_LINK:
		return s->dev->kind->apply(nl, s, err);
	case STEP_SET:
		return set_link(nl, nl_sk(nl, s->node), nl_ifindex(nl, s->iface),
				s->iface->master ? nl_ifindex(nl, s->iface->master) : 0, NULL, err);
	case STEP_ADDR:
		return apply_addr(nl, s, err);
	case STEP_SYSCTL:
		return apply_sysctls(nl, s, err);
	case STEP_ROUTE:
		return apply_route(nl, s, err);
	case STEP_NEIGH:
		return apply_neigh(nl, s, err);
	case STEP_ETC:
		return dns_apply_etc(nl->plan->lab, s, err);
	case STEP_DNS:
		return dns_apply_server(nl, s, err);
	case STEP_FDB:
		return nl_fdb_add(nl, nl_sk(nl, s->node), nl_ifindex(nl, s->fdb->iface), s->fdb->mac,
				  s->fdb->has_dst ? &s->fdb->dst : NULL, s->fdb->has_dst, err);
	case _STEP_MAX:
	case _STEP_INVALID:
		break;
	}
	return -EINVAL;
}

/* Create a device of this kind in a throw-away namespace of a child
 * process: the kernel loads the module if it can, and answers. */
int apply_probe_kind(const char *kind)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct nl_sock *sk;
		struct rtnl_link *l;
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		sk = nl_socket_alloc();
		l = rtnl_link_alloc();
		if (!sk || !l || nl_connect(sk, NETLINK_ROUTE) < 0 || rtnl_link_set_type(l, kind) < 0)
			_exit(1);
		rtnl_link_set_name(l, "nslabprobe0");
		_exit(rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL) == -NLE_OPNOTSUPP ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return -EOPNOTSUPP;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
