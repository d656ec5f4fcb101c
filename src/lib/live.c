// SPDX-License-Identifier: MIT
/* Changes to a running lab (live.h): the topology it was built from (kept
 * in its run directory) says what an interface had; one netlink socket per
 * namespace involved does the rest. */
#include "live.h"
#include "check.h"
#include "netns.h"
#include "nl.h"
#include "rundir.h"

#include <netlink/route/qdisc.h>

struct live {
	struct topo_lab *lab;
	struct plan plan;
	struct nl_ctx nl;
	int lock;
};

static void live_end(struct live *l)
{
	if (l->lab) {
		nl_ctx_free(&l->nl);
		plan_free(&l->plan);
		topo_lab_free(l->lab);
	}
	closep(&l->lock);
}

/* Lock lab, read its topology, find node in it. */
static int live_begin(const char *lab, const char *node, struct live *l,
		      const struct topo_node **ret, struct sbuf *err)
{
	struct diag d = {0};
	_cleanup_free_ char *edited = NULL;

	memset(l, 0, sizeof(*l));
	l->lock = rundir_lock(lab, err);
	if (l->lock < 0)
		return l->lock;
	l->lab = check_load_running(lab, &d, &edited);
	diag_free(&d);
	if (!l->lab) {
		sbuf_addf(err, "cannot read the topology lab '%s' was built from", lab);
		return -EIO;
	}
	plan_build(l->lab, &l->plan);
	nl_ctx_init(&l->nl, &l->plan);
	l->nl.orig_netns = netns_open_current();
	if (l->nl.orig_netns < 0)
		return l->nl.orig_netns;
	*ret = topo_node_find(l->lab, node);
	if (!*ret || (*ret)->is_switch) {
		sbuf_addf(err, "lab '%s' has no node '%s'", lab, node);
		return -ENOENT;
	}
	return 0;
}

/* "NODE:IF", or "switch:PORT" for the switch namespace's end. */
static void end_name(const struct topo_iface *i, char buf[96])
{
	snprintf(buf, 96, "%s:%s", i->node->is_switch ? "switch" : i->node->name, i->name);
}

/* The interfaces of n, for "it has: ..." */
static void list_ifaces(const struct topo_node *n, struct sbuf *out)
{
	size_t k = 0;

	vec_foreach(ip, &n->ifaces) sbuf_addf(out, "%s%s", k++ ? ", " : "", (*ip)->name);
	if (!k)
		sbuf_adds(out, "none but lo");
}

/* A socket in n's namespace, and the kernel's index of ifname there:
 * the lab's indexes are planned, so one interface gives the node's offset. */
static int open_node(struct live *l, const struct topo_node *n, const char *ifname,
		     const struct topo_iface *planned, struct rtnl_link **ret, struct sbuf *err)
{
	struct nl_ctx *nl = &l->nl;
	int r = 0;

	if (!nl->sk[n->index]) {
		int fd = netns_open(n->netns);
		if (fd < 0 || netns_enter(fd) < 0) {
			sbuf_addf(err, "namespace '%s': %s", n->netns, strerror(fd < 0 ? -fd : errno));
			closep(&fd);
			return -ENOENT;
		}
		(void)nl_nsfd_keep(nl, n, fd);
		nl->sk[n->index] = nl_open_here(nl, &r);
		if (netns_enter(nl->orig_netns) < 0)
			abort(); /* never carry on in the wrong namespace */
		if (!nl->sk[n->index]) {
			sbuf_addf(err, "netlink socket in '%s': %s", n->netns, strerror(-r));
			return r;
		}
	}
	r = rtnl_link_get_kernel(nl->sk[n->index], 0, ifname, ret);
	if (r < 0) {
		sbuf_addf(err, "node '%s' has no interface '%s' in its kernel now", n->name, ifname);
		return -ENOENT;
	}
	if (planned)
		nl->ifoff[n->index] = (uint32_t)rtnl_link_get_ifindex(*ret) - planned->ifindex;
	return 0;
}

static int set_up(struct nl_ctx *nl, struct nl_sock *sk, struct rtnl_link *link, bool up,
		  struct sbuf *err)
{
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();

	if (!change)
		return -ENOMEM;
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	nl->kerr = 0;
	return nl_result(nl, rtnl_link_change(sk, link, change, 0), err);
}

/* Apply again the steps through i; EEXIST: it was still there. */
static void restore(struct live *l, const struct topo_iface *i, struct sbuf *cmds,
		    struct live_link_result *ret)
{
	vec_foreach(s, &l->plan.steps)
	{
		if (s->node != i->node || !s->type->restores || !s->type->restores(s, i))
			continue;
		struct sbuf why = {0};
		int r = s->type->apply(&l->nl, s, &why);
		if (r == 0) {
			ret->restored++;
			plan_step_print(&l->plan, s, cmds);
		} else if (r == -EEXIST) {
			ret->kept++;
		} else {
			struct sbuf what = {0};
			plan_step_describe(&l->plan, s, &what);
			vec_push(&ret->failed, xasprintf("%s: %s", what.s, why.s));
			sbuf_free(&what);
		}
		sbuf_free(&why);
	}
}

int live_link(const char *lab, const char *node, const char *ifname, bool up, bool one_end,
	      struct live_link_result *ret, struct sbuf *err)
{
	struct live l;
	struct rtnl_link *links[2] = {NULL, NULL};
	const struct topo_iface *ends[2] = {NULL, NULL};
	struct sbuf cmds = {0}, what = {0};
	const struct topo_node *n = NULL;
	int r = live_begin(lab, node, &l, &n, err);

	memset(ret, 0, sizeof(*ret));
	if (r < 0)
		goto out;
	ends[0] = topo_iface_find(n, ifname);
	if (!ends[0]) {
		sbuf_addf(err, "node '%s' has no interface '%s' in the topology (it has: ", node,
			  ifname);
		list_ifaces(n, err);
		sbuf_adds(err, ")");
		r = -ENOENT;
		goto out;
	}
	ends[1] = one_end ? NULL : ends[0]->peer;
	for (int k = 0; k < 2 && ends[k]; k++) {
		r = open_node(&l, ends[k]->node, ends[k]->name, ends[k], &links[k], err);
		if (r < 0)
			goto out;
		end_name(ends[k], ret->ends[k]);
	}
	/* Down: the named end first, as a cable pulled there; up: both, then
	 * what the kernel dropped with them. */
	for (int k = 0; k < 2 && ends[k]; k++) {
		r = set_up(&l.nl, l.nl.sk[ends[k]->node->index], links[k], up, err);
		if (r < 0) {
			sbuf_addf(err, " (setting %s %s)", ret->ends[k], up ? "up" : "down");
			goto out;
		}
		sbuf_addf(&cmds, "ip -n %s link set %s %s\n", ends[k]->node->netns, ends[k]->name,
			  up ? "up" : "down");
	}
	for (int k = 0; up && k < 2 && ends[k]; k++)
		restore(&l, ends[k], &cmds, ret);
	sbuf_addf(&what, "link %s:%s %s%s", node, ifname, up ? "up" : "down",
		  one_end ? " --one-end" : "");
	r = journal_live(lab, what.s, cmds.s ? cmds.s : "");
	if (r < 0)
		sbuf_addf(err, "write the journal: %s", strerror(-r));
out:
	for (int k = 0; k < 2; k++)
		if (links[k])
			rtnl_link_put(links[k]);
	sbuf_free(&cmds);
	sbuf_free(&what);
	live_end(&l);
	return r;
}

void live_link_result_free(struct live_link_result *r)
{
	vec_foreach(f, &r->failed) free(*f);
	vec_free(&r->failed);
}

int live_impair(const char *lab, const char *node, const char *ifname, const struct impair *imp,
		struct impair *was, struct sbuf *err)
{
	struct live l;
	struct rtnl_link *link = NULL;
	struct nl_cache *qdiscs = NULL;
	struct sbuf cmds = {0}, what = {0};
	const struct topo_node *n = NULL;
	int r = live_begin(lab, node, &l, &n, err);

	memset(was, 0, sizeof(*was));
	if (r < 0)
		goto out;
	/* any interface the node has now, also one its startup made */
	r = open_node(&l, n, ifname, NULL, &link, err);
	if (r < 0) {
		sbuf_adds(err, " (its interfaces in the topology: ");
		list_ifaces(n, err);
		sbuf_adds(err, ")");
		goto out;
	}
	struct nl_sock *sk = l.nl.sk[n->index];
	int ifindex = rtnl_link_get_ifindex(link);
	if (rtnl_qdisc_alloc_cache(sk, &qdiscs) < 0) {
		sbuf_addf(err, "cannot read the qdiscs of node '%s'", node);
		r = -EIO;
		goto out;
	}
	impair_read(qdiscs, ifindex, was);
	if (!imp)
		goto out;
	r = impair_probe(imp, err);
	if (r < 0) {
		sbuf_addf(err, "; %s:%s is unchanged", node, ifname);
		goto out;
	}
	r = impair_clear(&l.nl, sk, (uint32_t)ifindex, err);
	if (r == 0)
		r = impair_apply(&l.nl, sk, (uint32_t)ifindex, imp, rtnl_link_get_mtu(link), err);
	if (r < 0)
		goto out;
	if (impair_active(was))
		sbuf_addf(&cmds, "tc -n %s qdisc del dev %s root\n", n->netns, ifname);
	impair_print_tc(n->netns, ifname, imp, rtnl_link_get_mtu(link), &cmds);
	sbuf_addf(&what, "impair %s:%s ", node, ifname);
	if (impair_active(imp))
		impair_format(imp, &what);
	else
		sbuf_adds(&what, "--clear");
	r = journal_live(lab, what.s, cmds.s ? cmds.s : "");
	if (r < 0)
		sbuf_addf(err, "write the journal: %s", strerror(-r));
out:
	if (link)
		rtnl_link_put(link);
	nl_cache_free(qdiscs);
	sbuf_free(&cmds);
	sbuf_free(&what);
	live_end(&l);
	return r;
}
