// SPDX-License-Identifier: MIT
#include "access.h"
#include "lab.h"
#include "netns.h"
#include "show.h"
#include "topology.h"

#include <config.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>

int access_enter(const char *netns, struct sbuf *err)
{
	_cleanup_free_ char *etc = xasprintf("%s/%s", NSLAB_ETC_NETNS_DIR, netns);
	_cleanup_close_ int fd = netns_open(netns);
	DIR *d;
	struct dirent *e;

	if (fd < 0) {
		sbuf_addf(err, "open namespace '%s': %s", netns, strerror(-fd));
		return fd;
	}
	if (setns(fd, CLONE_NEWNET) < 0 || unshare(CLONE_NEWNS) < 0) {
		int r = -errno;
		sbuf_addf(err, "enter namespace '%s': %s", netns, strerror(errno));
		return r;
	}
	/* Our mounts stay ours: nothing propagates back to the host. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0) {
		int r = -errno;
		sbuf_addf(err, "make / a slave mount: %s", strerror(errno));
		return r;
	}
	/* /sys shows the devices of the namespace that mounted it. */
	if (umount2("/sys", MNT_DETACH) == 0)
		(void)mount(netns, "/sys", "sysfs", 0, NULL);
	/* as ip netns exec, but following no link planted at /etc/netns/NS */
	struct sbuf why = {0};
	int dfd = netns_etc_open(netns, false, &why);
	if (dfd == -ELOOP || dfd == -ENOTDIR) {
		sbuf_addf(err, "%s, ignoring", why.s);
		sbuf_free(&why);
		return 1;
	}
	sbuf_free(&why);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	/* As ip netns exec: each file over its /etc counterpart. One with no
	 * counterpart cannot be bound (nslab never creates files in the
	 * host's /etc): a warning, as iproute2 gives. Any other failure
	 * fails the enter. */
	int warnings = 0, r = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_LNK) { /* a bind mount would follow it */
			sbuf_addf(err, "%s%s/%s is a symbolic link, not bound over /etc, ignoring",
				  warnings ? "; " : "", etc, e->d_name);
			warnings++;
			continue;
		}
		_cleanup_free_ char *src = xasprintf("%s/%s", etc, e->d_name);
		_cleanup_free_ char *dst = xasprintf("/etc/%s", e->d_name);
		if (mount(src, dst, "none", MS_BIND, NULL) == 0)
			continue;
		if (errno == ENOENT) {
			sbuf_addf(err, "%s%s is not used: the host has no %s to bind it over", warnings ? "; " : "",
				  src, dst);
			warnings++;
			continue;
		}
		r = -errno;
		sbuf_reset(err);
		sbuf_addf(err, "bind %s over %s: %s", src, dst, strerror(errno));
		break;
	}
	closedir(d);
	return r < 0 ? r : warnings;
}

int access_nodes(const char *lab, struct strvec *ret)
{
	struct lab_info info;
	size_t plen = strlen(lab) + 1;
	int r = lab_get(lab, &info);

	if (r < 0)
		return r;
	vec_foreach(ns, &info.netns)
	{
		const char *node = *ns + plen;
		if (!streq(node, TOPO_SWITCH_NS_SUFFIX))
			vec_push(ret, xstrdup(node));
	}
	lab_info_free(&info);
	return 0;
}

struct addrs {
	struct ipaddr *v;
	size_t n, cap;
};

static void addrs_of(const struct show_node *n, const char *ifname, struct addrs *ret,
		     bool *ret_found_if)
{
	*ret_found_if = !ifname;
	/* lo's global addresses (a router's loopback) only when nothing else has one */
	for (int with_lo = 0; with_lo < 2 && !ret->n; with_lo++)
		vec_foreach(i, &n->ifaces)
		{
			if (ifname ? !streq(i->name, ifname) : (i->ifindex == 1) != with_lo)
				continue;
			*ret_found_if = true;
			vec_foreach(a, &i->addrs)
			{
				struct ipaddr ip;
				if (ipaddr_parse(*a, true, &ip) == 0)
					vec_push(ret, ip);
			}
		}
}

static const struct ipaddr *first_of(const struct addrs *a, int family)
{
	vec_foreach(x, a) if (x->family == family) return x;
	return NULL;
}

int access_pick(const struct show_node *from, const struct show_node *to, const char *ifname,
		struct ipaddr *ret)
{
	struct addrs mine = {0}, theirs = {0};
	bool found_if, ignored;
	int r = 0;

	addrs_of(to, ifname, &theirs, &found_if);
	addrs_of(from, NULL, &mine, &ignored);
	if (!found_if) {
		r = -ENOENT;
		goto out;
	}
	/* On a subnet both share: the direct neighbour's address. */
	vec_foreach(t, &theirs) vec_foreach(m, &mine)
	{
		if (m->len < ipaddr_maxlen(m) && ipaddr_contains(m, t) && !ipaddr_equal(m, t)) {
			*ret = *t;
			goto out;
		}
	}
	const struct ipaddr *pick = first_of(&theirs, AF_INET);
	if (!pick)
		pick = first_of(&theirs, AF_INET6);
	if (pick)
		*ret = *pick;
	else
		r = -EADDRNOTAVAIL;
out:
	vec_free(&mine);
	vec_free(&theirs);
	return r;
}

int access_target(const char *lab, const char *from, const char *to, struct ipaddr *ret,
		  struct sbuf *err)
{
	_cleanup_free_ char *node = xstrdup(to);
	char *colon = strchr(node, ':');
	struct show_lab s;
	int r;

	if (ipaddr_parse_host(to, ret) == 0)
		return 0;
	if (colon)
		*colon++ = '\0';
	if (topo_name_error(node, TOPO_NODE_NAME_MAX)) {
		sbuf_addf(err, "'%s' is neither an address, NODE nor NODE:IF", to);
		return -EINVAL;
	}
	r = show_read(lab, NULL, 0, &s);
	if (r < 0) {
		sbuf_addf(err, "lab '%s' is not up", lab);
		return r;
	}
	const struct show_node *a = show_node_find(&s, from), *b = show_node_find(&s, node);
	if (!a || !b) {
		sbuf_addf(err, "lab '%s' has no node '%s'", lab, a ? node : from);
		r = -ESRCH;
	} else {
		r = access_pick(a, b, colon, ret);
		if (r == -ENOENT)
			sbuf_addf(err, "node '%s' has no interface '%s'", node, colon);
		else if (r < 0)
			sbuf_addf(err, "%s '%s' has no address", colon ? "interface" : "node", to);
	}
	show_free(&s);
	return r;
}
