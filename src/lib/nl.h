/* SPDX-License-Identifier: MIT */
/* libnl plumbing for apply: one rtnetlink socket per lab namespace,
 * opened while the namespace is created, so no step ever needs a setns
 * round trip; namespace fds for the steps that need one (a veth's far end,
 * entering a node), the last NL_NSFD_OPEN of them kept open, so that a lab
 * of 10,000 nodes holds 10,000 descriptors, not 20,000. Errors keep the
 * kernel's errno and its extended-ack text. */
#pragma once

#include "plan.h"

#include <netlink/netlink.h>
#include <netlink/route/link.h>

struct nl_ctx {
	const struct plan *plan;
	struct nl_sock **sk; /* by node index */
	int *nsfd;           /* by node index, -1 when not open (nl_nsfd) */
	dev_t *nsdev;        /* by node index: the namespace's identity, */
	ino_t *nsino;        /* recorded when it was made or first opened */
	size_t *nsfd_ring;   /* node indexes with an open nsfd, oldest first */
	size_t nsfd_first, nsfd_open;
	uint32_t *ifoff;     /* by node index: planned ifindex + ifoff = the kernel's */
	size_t n;
	int orig_netns; /* where we came from */
	struct nl_sock *host_sk; /* on orig_netns, made on first use (hosts.c) */
	int procfs;     /* netns_proc_instance() for sysctl writes, or -1 */
	unsigned procfs_uses;
	bool no_procfs; /* the kernel gave none: use /proc */
	int kerr;       /* the kernel's errno of the last failed request */
	char extack[256];
};

int nl_ctx_init(struct nl_ctx *nl, const struct plan *p);
void nl_ctx_free(struct nl_ctx *nl);

/* A socket on the current network namespace, wired for error capture. */
struct nl_sock *nl_open_here(struct nl_ctx *nl, int *ret_err);
/* The same for another netlink protocol (NETLINK_GENERIC). */
struct nl_sock *nl_open_proto_here(struct nl_ctx *nl, int protocol, int *ret_err);

static inline struct nl_sock *nl_sk(const struct nl_ctx *nl, const struct topo_node *n)
{
	return nl->sk[n->index];
}
#define NL_NSFD_OPEN 64
/* A descriptor of n's namespace, valid until NL_NSFD_OPEN more namespaces
 * have been opened: kept, or reopened from its name in /run/netns (-ESTALE
 * when that is no longer the namespace it was). -errno on failure. */
int nl_nsfd(struct nl_ctx *nl, const struct topo_node *n);
/* fd is n's namespace, just made or entered: nl keeps (and closes) it. */
int nl_nsfd_keep(struct nl_ctx *nl, const struct topo_node *n, int fd);
/* The kernel's index of a planned interface; NULL is lo. */
static inline uint32_t nl_ifindex(const struct nl_ctx *nl, const struct topo_iface *i)
{
	return i ? i->ifindex + nl->ifoff[i->node->index] : 1;
}
/* Learn what a fresh namespace already holds, from inside it: lo, and the
 * fallback devices of tunnel modules (gre0, sit0, ...) when the host has
 * them loaded. Planned indexes start after those. */
int nl_learn_offset(struct nl_ctx *nl, const struct topo_node *n);

/* Turn a libnl result into 0 or -errno (the kernel's own when it answered),
 * with its text in err: "File exists (extack text)". */
int nl_result(struct nl_ctx *nl, int nlerr, struct sbuf *err);
/* Send a prepared message and wait for the kernel's answer. */
int nl_request(struct nl_ctx *nl, struct nl_sock *sk, struct nl_msg *msg, struct sbuf *err);
/* Create a link object and wait; consumes nothing. */
int nl_link_add(struct nl_ctx *nl, struct nl_sock *sk, struct rtnl_link *link, struct sbuf *err);

/* A permanent FDB entry: mac -> dst on a VXLAN device (self), or on a
 * bridge port (master, static) when dst is NULL. */
int nl_fdb_add(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex, const uint8_t mac[6],
	       const struct ipaddr *dst, bool append, struct sbuf *err);

/* The id namespace `fd` has from inside sk's namespace, or -1. */
int32_t nl_nsid_of(struct nl_sock *sk, int fd);
/* The MAC of interface ifindex in the namespace that has id nsid from sk's
 * (-1: sk's own), as "aa:bb:..", or "" when there is none. */
void nl_peer_mac(struct nl_sock *sk, int32_t nsid, uint32_t ifindex, char mac[18]);

struct nl_addr *nl_addr_from(const struct ipaddr *a, bool with_len);

/* Common attributes of a new interface: name, index, mtu, mac. */
void nl_link_setup(const struct nl_ctx *nl, struct rtnl_link *link, const struct topo_iface *i);
/* For kinds whose attributes libnl lacks or sends wrong, a request built
 * by hand: nl_link_msg_begin() makes an RTM_NEWLINK (create, exclusive)
 * for interface i of rtnl kind `kind`, up, with what nl_link_setup sets
 * and IFLA_LINK lower (when not 0), and opens IFLA_INFO_DATA; the kind
 * puts its attributes into m->msg; nl_link_msg_send() closes the nests,
 * sends it and frees it (also on error). */
struct nl_link_msg {
	struct nl_msg *msg;
	struct nlattr *info, *data;
};
int nl_link_msg_begin(const struct nl_ctx *nl, const struct topo_iface *i, const char *kind,
		      uint32_t lower, struct nl_link_msg *ret);
int nl_link_msg_send(struct nl_ctx *nl, struct nl_sock *sk, struct nl_link_msg *m,
		     struct sbuf *err);

static inline void rtnl_link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
static inline void nl_addr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}
static inline void nlmsg_freep(struct nl_msg **m)
{
	if (*m)
		nlmsg_free(*m);
}
#define _cleanup_link_ _cleanup_(rtnl_link_putp)
#define _cleanup_nladdr_ _cleanup_(nl_addr_putp)
#define _cleanup_nlmsg_ _cleanup_(nlmsg_freep)
