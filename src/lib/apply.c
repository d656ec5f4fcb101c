// SPDX-License-Identifier: MIT
/* The core's own steps (a namespace with lo up; the far end of a veth set
 * up), the sysctl writer the steps share, and the kernel probe. Every step
 * runs on the socket opened inside its namespace when that was made. */
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
int apply_sysctl_root(struct nl_ctx *nl)
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

int apply_write_sysctl(int root, const char *key, const char *value, struct sbuf *err)
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

static void print_netns(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const char *ns = s->node->netns;
	_cleanup_free_ char *marker = plan_lab_marker(p->lab->name);
	sbuf_addf(out, "ip netns add %s\n", ns);
	sbuf_addf(out, "ip -n %s link set lo up alias %s\n", ns, marker);
	if (s->node->is_switch || !p->lab->uses_ipv6)
		/* No IPv6 where none is used: no link-local addresses,
		 * DAD, MLD or router solicitations flooding the segment
		 * (on a 2000-host star, n^2 packets and rtnl held by
		 * addrconf work while up waits). */
		sbuf_addf(out,
			  "ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
			  "net.ipv6.conf.default.disable_ipv6=1\n",
			  ns);
	else if (p->lab->uses_ipv6)
		/* Link-local addresses usable at once: without this a
		 * router's first IPv6 answers wait ~2 s for DAD. */
		sbuf_addf(out,
			  "ip netns exec %s sysctl -qw net.ipv6.conf.all.accept_dad=0 "
			  "net.ipv6.conf.default.accept_dad=0\n",
			  ns);
}

static void describe_netns(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "create network namespace '%s'", s->node->netns);
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
	fd = nl_nsfd_keep(nl, n, fd);
	if (fd < 0) {
		if (netns_enter(nl->orig_netns) < 0)
			abort();
		sbuf_adds(err, strerror(-fd));
		return fd;
	}
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
	int root = r == 0 ? apply_sysctl_root(nl) : AT_FDCWD;
	if (r == 0 && (n->is_switch || !nl->plan->lab->uses_ipv6)) {
		r = apply_write_sysctl(root, "net.ipv6.conf.all.disable_ipv6", "1", err);
		if (r == 0)
			r = apply_write_sysctl(root, "net.ipv6.conf.default.disable_ipv6", "1", err);
	} else if (r == 0 && nl->plan->lab->uses_ipv6) {
		r = apply_write_sysctl(root, "net.ipv6.conf.all.accept_dad", "0", err);
		if (r == 0)
			r = apply_write_sysctl(root, "net.ipv6.conf.default.accept_dad", "0", err);
	}
	if (netns_enter(nl->orig_netns) < 0)
		abort(); /* never carry on in the wrong namespace */
	return r;
}







int apply_probe(bool (*lacks)(struct nl_sock *sk, const void *arg), const void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct nl_sock *sk;
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		sk = nl_socket_alloc();
		if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0)
			_exit(1);
		_exit(lacks(sk, arg) ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return -EOPNOTSUPP;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static bool lacks_link_kind(struct nl_sock *sk, const void *kind)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (!l || rtnl_link_set_type(l, kind) < 0)
		_exit(1);
	rtnl_link_set_name(l, "nslabprobe0");
	return rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL) == -NLE_OPNOTSUPP;
}

int apply_probe_kind(const char *kind)
{
	return apply_probe(lacks_link_kind, kind);
}

const struct step_type step_netns = {
	.name = "netns",
	.group = STEP_GROUP_NETNS,
	.print = print_netns,
	.describe = describe_netns,
	.apply = apply_netns,
};

/* The other end of a veth, made in its namespace by the link step: up
 * (and into its bridge, when it is a port nslab named; a port that a
 * `ports =` line names goes in with step_port, once every device exists). */
static void print_set(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_iface *i = s->data;

	if (i->master && i->auto_name)
		sbuf_addf(out, "ip -n %s link set %s master %s up\n", s->node->netns, i->name,
			  i->master->name);
	else
		sbuf_addf(out, "ip -n %s link set %s up\n", s->node->netns, i->name);
}

static void describe_set(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "set '%s' up", ((const struct topo_iface *)s->data)->name);
}

static int apply_set(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_iface *i = s->data;

	return set_link(nl, nl_sk(nl, s->node), nl_ifindex(nl, i),
			i->master && i->auto_name ? nl_ifindex(nl, i->master) : 0, NULL, err);
}

const struct step_type step_set = {
	.name = "set",
	.group = STEP_GROUP_LINKS,
	.print = print_set,
	.describe = describe_set,
	.apply = apply_set,
};

static void print_port(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_iface *i = s->data;

	sbuf_addf(out, "ip -n %s link set %s master %s\n", s->node->netns, i->name, i->master->name);
}

static void describe_port(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_iface *i = s->data;

	sbuf_addf(out, "put '%s' into '%s'", i->name, i->master->name);
}

static int apply_port(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_iface *i = s->data;

	/* Up too: a port left down forwards nothing, and every device nslab
	 * makes is up. */
	return set_link(nl, nl_sk(nl, s->node), nl_ifindex(nl, i), nl_ifindex(nl, i->master), NULL,
			err);
}

const struct step_type step_port = {
	.name = "port",
	.group = STEP_GROUP_PORTS,
	.print = print_port,
	.describe = describe_port,
	.apply = apply_port,
};
