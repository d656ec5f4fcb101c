// SPDX-License-Identifier: MIT
#include "nl.h"
#include "netns.h"

#include <linux/netlink.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/rtnl.h>
#include <sys/stat.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* libnl turns the kernel's errno into its own -NLE_* code and drops the
 * extended ack. This callback sees the raw nlmsgerr first and keeps both. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_ctx *nl = arg;
	struct nlmsghdr *h = (struct nlmsghdr *)e - 1;

	nl->kerr = -e->error;
	nl->extack[0] = '\0';
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* With NETLINK_CAP_ACK only the request's header is echoed. */
		size_t off = sizeof(*e);
		if (!(h->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		struct nlattr *attrs = (struct nlattr *)((char *)e + NLMSG_ALIGN(off));
		int len = (int)h->nlmsg_len - (int)NLMSG_HDRLEN - (int)NLMSG_ALIGN(off);
		struct nlattr *a;
		int rem;
		nla_for_each_attr(a, attrs, len, rem)
		{
			if (nla_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(nl->extack, sizeof(nl->extack), "%s",
					 (const char *)nla_data(a));
		}
	}
	return NL_STOP;
}

struct nl_sock *nl_open_here(struct nl_ctx *nl, int *ret_err)
{
	return nl_open_proto_here(nl, NETLINK_ROUTE, ret_err);
}

struct nl_sock *nl_open_proto_here(struct nl_ctx *nl, int protocol, int *ret_err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, r;

	if (!sk) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	errno = 0;
	r = nl_connect(sk, protocol);
	if (r < 0) {
		/* libnl's code says less than the system call's errno (EMFILE) */
		*ret_err = errno ? -errno : -ENOTCONN;
		nl_socket_free(sk);
		return NULL;
	}
	/* libnl opens with SOCK_CLOEXEC since 3.2.x; errors of old kernels
	 * that lack ext ack are harmless. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, nl);
	return sk;
}

int nl_ctx_init(struct nl_ctx *nl, const struct plan *p)
{
	memset(nl, 0, sizeof(*nl));
	nl->plan = p;
	nl->n = p->lab->nodes.n;
	nl->sk = xcalloc(nl->n, sizeof(*nl->sk));
	nl->nsfd = xmalloc(nl->n * sizeof(*nl->nsfd));
	nl->nsdev = xcalloc(nl->n, sizeof(*nl->nsdev));
	nl->nsino = xcalloc(nl->n, sizeof(*nl->nsino));
	nl->nsfd_ring = xmalloc(NL_NSFD_OPEN * sizeof(*nl->nsfd_ring));
	nl->ifoff = xcalloc(nl->n, sizeof(*nl->ifoff));
	for (size_t i = 0; i < nl->n; i++)
		nl->nsfd[i] = -1;
	nl->orig_netns = -1;
	nl->procfs = -1;
	return 0;
}

void nl_ctx_free(struct nl_ctx *nl)
{
	for (size_t i = 0; i < nl->n; i++) {
		if (nl->sk[i])
			nl_socket_free(nl->sk[i]);
		closep(&nl->nsfd[i]);
	}
	free(nl->sk);
	free(nl->nsfd);
	free(nl->nsdev);
	free(nl->nsino);
	free(nl->nsfd_ring);
	free(nl->ifoff);
	if (nl->host_sk)
		nl_socket_free(nl->host_sk);
	closep(&nl->orig_netns);
	if (nl->procfs >= 0)
		closep(&nl->procfs);
	memset(nl, 0, sizeof(*nl));
}

int nl_nsfd_keep(struct nl_ctx *nl, const struct topo_node *n, int fd)
{
	size_t i = n->index;
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (nl->nsino[i] && (st.st_ino != nl->nsino[i] || st.st_dev != nl->nsdev[i])) {
		close(fd);
		return -ESTALE; /* /run/netns/NAME is another namespace now */
	}
	nl->nsdev[i] = st.st_dev;
	nl->nsino[i] = st.st_ino;
	if (nl->nsfd[i] >= 0) { /* in the ring already */
		close(nl->nsfd[i]);
		nl->nsfd[i] = fd;
		return fd;
	}
	if (nl->nsfd_open == NL_NSFD_OPEN) { /* the oldest goes */
		size_t old = nl->nsfd_ring[nl->nsfd_first];
		close(nl->nsfd[old]);
		nl->nsfd[old] = -1;
		nl->nsfd_first = (nl->nsfd_first + 1) % NL_NSFD_OPEN;
		nl->nsfd_open--;
	}
	nl->nsfd_ring[(nl->nsfd_first + nl->nsfd_open++) % NL_NSFD_OPEN] = i;
	nl->nsfd[i] = fd;
	return fd;
}

int nl_nsfd(struct nl_ctx *nl, const struct topo_node *n)
{
	if (nl->nsfd[n->index] >= 0)
		return nl->nsfd[n->index];
	int fd = netns_open(n->netns);
	return fd < 0 ? fd : nl_nsfd_keep(nl, n, fd);
}

int nl_result(struct nl_ctx *nl, int nlerr, struct sbuf *err)
{
	int e;

	if (nlerr >= 0)
		return 0;
	if (nl->kerr) {
		e = nl->kerr;
		sbuf_adds(err, strerror(e));
		if (nl->extack[0])
			sbuf_addf(err, " (%s)", nl->extack);
	} else {
		/* Not the kernel's answer: libnl itself failed. */
		e = nlerr == -NLE_NOMEM ? ENOMEM : EIO;
		sbuf_adds(err, nl_geterror(nlerr));
	}
	nl->kerr = 0;
	nl->extack[0] = '\0';
	return -e;
}

int nl_request(struct nl_ctx *nl, struct nl_sock *sk, struct nl_msg *msg, struct sbuf *err)
{
	nl->kerr = 0;
	nlmsg_get(msg); /* nl_send_sync() drops one reference; the caller keeps its own */
	return nl_result(nl, nl_send_sync(sk, msg), err);
}

int nl_link_add(struct nl_ctx *nl, struct nl_sock *sk, struct rtnl_link *link, struct sbuf *err)
{
	nl->kerr = 0;
	return nl_result(nl, rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL), err);
}

static int max_index_cb(struct nl_msg *msg, void *arg)
{
	struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));
	uint32_t *max = arg;

	if ((uint32_t)ifi->ifi_index > *max)
		*max = (uint32_t)ifi->ifi_index;
	return NL_OK;
}

int nl_learn_offset(struct nl_ctx *nl, const struct topo_node *n)
{
	struct nl_sock *sk = nl_sk(nl, n);
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	uint32_t max = 1;
	int r;

	/* One dump of a namespace that is seconds old: a message for lo,
	 * plus one per fallback tunnel device if any. */
	r = nl_send_simple(sk, RTM_GETLINK, NLM_F_DUMP, &g, sizeof(g));
	if (r < 0)
		return -EIO;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, max_index_cb, &max);
	r = nl_recvmsgs_default(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	if (r < 0)
		return -EIO;
	nl->ifoff[n->index] = max - 1; /* plans start at 2, right after lo */
	return 0;
}

struct nl_addr *nl_addr_from(const struct ipaddr *a, bool with_len)
{
	struct nl_addr *n = nl_addr_build(a->family, a->a, ipaddr_bytes(a));
	if (n && with_len)
		nl_addr_set_prefixlen(n, a->len);
	return n;
}

void nl_link_setup(const struct nl_ctx *nl, struct rtnl_link *link, const struct topo_iface *i)
{
	rtnl_link_set_name(link, i->name);
	/* Indexes are ours to choose in namespaces we made: knowing them up
	 * front saves a lookup per interface for every later step. */
	rtnl_link_set_ifindex(link, (int)nl_ifindex(nl, i));
	if (i->mtu)
		rtnl_link_set_mtu(link, i->mtu);
	if (i->has_mac) {
		_cleanup_nladdr_ struct nl_addr *mac = nl_addr_build(AF_LLC, i->mac, 6);
		rtnl_link_set_addr(link, mac);
	}
}

int nl_link_msg_begin(const struct nl_ctx *nl, const struct topo_iface *i, const char *kind,
		      uint32_t lower, struct nl_link_msg *ret)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = (int)nl_ifindex(nl, i),
				.ifi_flags = IFF_UP,
				.ifi_change = IFF_UP};
	struct nl_link_msg m = {.msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL)};

	if (!m.msg || nlmsg_append(m.msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(m.msg, IFLA_IFNAME, i->name) < 0 ||
	    (i->mtu && nla_put_u32(m.msg, IFLA_MTU, i->mtu) < 0) ||
	    (i->has_mac && nla_put(m.msg, IFLA_ADDRESS, 6, i->mac) < 0) ||
	    (lower && nla_put_u32(m.msg, IFLA_LINK, lower) < 0) ||
	    !(m.info = nla_nest_start(m.msg, IFLA_LINKINFO)) ||
	    nla_put_string(m.msg, IFLA_INFO_KIND, kind) < 0 ||
	    !(m.data = nla_nest_start(m.msg, IFLA_INFO_DATA))) {
		nlmsg_free(m.msg);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

int nl_link_msg_send(struct nl_ctx *nl, struct nl_sock *sk, struct nl_link_msg *m,
		     struct sbuf *err)
{
	_cleanup_nlmsg_ struct nl_msg *msg = steal_pointer(&m->msg);

	if (nla_nest_end(msg, m->data) < 0 || nla_nest_end(msg, m->info) < 0)
		return -ENOMEM;
	return nl_request(nl, sk, msg, err);
}

int nl_fdb_add(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex, const uint8_t mac[6],
	       const struct ipaddr *dst, bool append, struct sbuf *err)
{
	struct ndmsg nd = {.ndm_family = AF_BRIDGE,
			   .ndm_ifindex = (int)ifindex,
			   .ndm_state = dst ? NUD_PERMANENT : NUD_NOARP,
			   .ndm_flags = dst ? NTF_SELF : NTF_MASTER};
	_cleanup_nlmsg_ struct nl_msg *msg =
		nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_CREATE | (append ? NLM_F_APPEND : NLM_F_EXCL));

	/* `bridge fdb add ... master static` is NUD_NOARP on the port;
	 * `... self permanent` on a VXLAN device is NUD_PERMANENT. */
	if (!msg || nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, NDA_LLADDR, 6, mac) < 0 ||
	    (dst && nla_put(msg, NDA_DST, (int)ipaddr_bytes(dst), dst->a) < 0))
		return -ENOMEM;
	return nl_request(nl, sk, msg, err);
}

static int nsid_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) == 0 &&
	    tb[NETNSA_NSID])
		*(int32_t *)arg = (int32_t)nla_get_u32(tb[NETNSA_NSID]);
	return NL_OK;
}

/* The id namespace `fd` has from inside the current namespace, or -1. */
int32_t nl_nsid_of(struct nl_sock *sk, int fd)
{
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
	int32_t id = -1;

	if (!msg || nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, NETNSA_FD, (uint32_t)fd) < 0 || nl_send_auto(sk, msg) < 0) {
		nlmsg_free(msg);
		return -1;
	}
	nlmsg_free(msg);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, nsid_cb, &id);
	(void)nl_recvmsgs_default(sk);
	/* nl_send_auto() asked for an ACK too: read it, or the next query
	 * would take it for its answer. */
	(void)nl_wait_for_ack(sk);
	return id;
}

static int mac_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1];
	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) == 0 &&
	    tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
		const uint8_t *m = nla_data(tb[IFLA_ADDRESS]);
		snprintf(arg, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	return NL_OK;
}

void nl_peer_mac(struct nl_sock *sk, int32_t nsid, uint32_t ifindex, char mac[18])
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex};
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);

	mac[0] = '\0';
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (nsid >= 0 && nla_put_s32(msg, IFLA_TARGET_NETNSID, nsid) < 0) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 || nl_send_auto(sk, msg) < 0)
		return;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, mac_cb, mac);
	/* an error (no such device) is the answer and the ack in one */
	if (nl_recvmsgs_default(sk) >= 0)
		(void)nl_wait_for_ack(sk);
}
