// SPDX-License-Identifier: MIT
/* The values of [node] keys, word by word, as ip(8) takes them: addr,
 * route, neigh, fdb, sysctl, iface. Each adds one entry to the node or
 * reports what is wrong with the line at loc. */
#include "parse.h"
#include "plan.h"

static int ifname_word(const struct topo_loc *loc, struct diag *d, const char *what,
		       const char *name)
{
	const char *why = topo_ifname_error(name);

	if (!why)
		return 0;
	diag_add(d, loc, "interface names have 1 to 15 letters, digits, '_', '-' or '.'",
		 "%s '%s' %s", what, name, why);
	return -EINVAL;
}

int topo_parse_iface(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'iface = IF [mtu N] [mac XX:XX:XX:XX:XX:XX]'";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, hint, "bad 'iface' line");
		return -EINVAL;
	}
	if (ifname_word(loc, d, "interface", w[0]) < 0)
		return -EINVAL;
	struct topo_ifattr a = {.loc = *loc};
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "mtu") && i + 1 < cnt) {
			if (parse_u32(w[++i], 68, 65535, &a.mtu) < 0) {
				diag_add(d, loc, "an MTU is a number from 68 to 65535",
					 "bad MTU '%s'", w[i]);
				return -EINVAL;
			}
		} else if ((streq(w[i], "mac") || streq(w[i], "address")) && i + 1 < cnt) {
			if (mac_parse(w[++i], a.mac) < 0 || (a.mac[0] & 1)) {
				diag_add(d, loc,
					 "write a unicast MAC such as 02:00:00:00:00:01",
					 "bad MAC address '%s'", w[i]);
				return -EINVAL;
			}
			a.has_mac = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'iface'", w[i]);
			return -EINVAL;
		}
	}
	a.ifname = xstrdup(w[0]);
	vec_push(&n->ifattrs, a);
	return 0;
}

int topo_parse_neigh(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'neigh = ADDRESS lladdr XX:XX:XX:XX:XX:XX dev IF'";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_neigh ne = {.loc = *loc};
	const char *dev = NULL;
	bool has_ll = false;

	if (cnt == 0 || cnt > ARRAY_SIZE(w) || ipaddr_parse_host(w[0], &ne.addr) < 0) {
		diag_add(d, loc, hint, "bad neighbour address '%s'", cnt ? w[0] : "");
		return -EINVAL;
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "lladdr") && i + 1 < cnt) {
			if (mac_parse(w[++i], ne.lladdr) < 0) {
				diag_add(d, loc, hint, "bad MAC address '%s'", w[i]);
				return -EINVAL;
			}
			has_ll = true;
		} else if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "permanent")) {
			/* the only kind nslab makes; accepted for ip(8) users */
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'neigh'", w[i]);
			return -EINVAL;
		}
	}
	if (!has_ll || !dev) {
		diag_add(d, loc, hint, "'neigh' needs 'lladdr' and 'dev'");
		return -EINVAL;
	}
	if (ifname_word(loc, d, "interface", dev) < 0)
		return -EINVAL;
	ne.ifname = xstrdup(dev);
	vec_push(&n->neighs, ne);
	return 0;
}

int topo_parse_fdb(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'fdb = XX:XX:XX:XX:XX:XX dev IF [dst ADDRESS]'";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_fdb f = {.loc = *loc};
	const char *dev = NULL;

	if (cnt == 0 || cnt > ARRAY_SIZE(w) || mac_parse(w[0], f.mac) < 0) {
		diag_add(d, loc, hint, "bad FDB MAC address '%s'", cnt ? w[0] : "");
		return -EINVAL;
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "dst") && i + 1 < cnt) {
			if (ipaddr_parse_host(w[++i], &f.dst) < 0) {
				diag_add(d, loc, hint, "bad FDB destination '%s'", w[i]);
				return -EINVAL;
			}
			f.has_dst = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'fdb'", w[i]);
			return -EINVAL;
		}
	}
	if (!dev) {
		diag_add(d, loc, hint, "'fdb' needs 'dev'");
		return -EINVAL;
	}
	if (ifname_word(loc, d, "interface", dev) < 0)
		return -EINVAL;
	f.ifname = xstrdup(dev);
	vec_push(&n->fdbs, f);
	return 0;
}

int topo_parse_sysctl(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
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

int topo_parse_addr(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint = "write 'addr = 10.0.0.1/24 dev eth0' (or 'A peer B/32 dev IF')";
	char *w[8];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_addr a = {.loc = *loc, .node = n};
	const char *dev = NULL;
	int r;

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, hint, "bad 'addr' line");
		return n->bad_addr = true, -EINVAL;
	}
	r = ipaddr_parse(w[0], true, &a.local);
	if (r < 0) {
		diag_add(d, loc, hint, r == -ERANGE ? "bad prefix length in '%s'" : "bad address '%s'",
			 w[0]);
		return n->bad_addr = true, -EINVAL;
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "peer") && i + 1 < cnt) {
			r = ipaddr_parse(w[++i], true, &a.peer);
			if (r < 0 || a.peer.family != a.local.family) {
				diag_add(d, loc, hint, "bad peer address '%s'", w[i]);
				return n->bad_addr = true, -EINVAL;
			}
			a.has_peer = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'addr'", w[i]);
			return n->bad_addr = true, -EINVAL;
		}
	}
	if (!dev) {
		diag_add(d, loc, hint, "'addr' needs 'dev IF'");
		return n->bad_addr = true, -EINVAL;
	}
	if (a.has_peer && !strchr(w[0], '/'))
		a.local.len = a.peer.len;
	if (ifname_word(loc, d, "interface", dev) < 0)
		return n->bad_addr = true, -EINVAL;
	a.ifname = xstrdup(dev);
	vec_push(&n->addrs, a);
	return 0;
}

int topo_parse_route(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	const char *hint =
		"write 'route = DEST [via GW] [dev IF] [onlink] [metric N] [src ADDR]', DEST being "
		"'default' or a prefix";
	char *w[16];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_route rt = {.loc = *loc};
	const char *dev = NULL;
	int r;

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, hint, "bad 'route' line");
		return -EINVAL;
	}
	bool def = streq(w[0], "default") || streq(w[0], "default6");
	if (def) {
		rt.dst.family = streq(w[0], "default6") ? AF_INET6 : 0; /* 0: from via */
	} else {
		r = ipaddr_parse(w[0], true, &rt.dst);
		if (r < 0) {
			diag_add(d, loc, hint,
				 r == -ERANGE ? "bad prefix length in '%s'" : "bad route destination '%s'",
				 w[0]);
			return -EINVAL;
		}
		if (!ipaddr_is_network(&rt.dst)) {
			char buf[IPADDR_STRLEN], hb[128];
			struct ipaddr net = ipaddr_network(&rt.dst);
			snprintf(hb, sizeof(hb), "write '%s' (ip route refuses host bits: \"Invalid prefix\")",
				 ipaddr_cidr(&net, buf));
			diag_add(d, loc, hb, "route destination '%s' has host bits set", w[0]);
			return -EINVAL;
		}
	}
	for (size_t i = 1; i < cnt; i++) {
		if (streq(w[i], "via") && i + 1 < cnt) {
			if (ipaddr_parse_host(w[++i], &rt.via) < 0) {
				diag_add(d, loc, hint, "bad gateway '%s'", w[i]);
				return -EINVAL;
			}
			rt.has_via = true;
		} else if (streq(w[i], "dev") && i + 1 < cnt) {
			dev = w[++i];
		} else if (streq(w[i], "onlink")) {
			rt.onlink = true;
		} else if (streq(w[i], "metric") && i + 1 < cnt) {
			if (parse_u32(w[++i], 0, UINT32_MAX, &rt.metric) < 0) {
				diag_add(d, loc, hint, "bad metric '%s'", w[i]);
				return -EINVAL;
			}
			rt.has_metric = true;
		} else if (streq(w[i], "src") && i + 1 < cnt) {
			if (ipaddr_parse_host(w[++i], &rt.src) < 0) {
				diag_add(d, loc, hint, "bad source address '%s'", w[i]);
				return -EINVAL;
			}
			rt.has_src = true;
		} else {
			diag_add(d, loc, hint, "unexpected '%s' in 'route'", w[i]);
			return -EINVAL;
		}
	}
	if (def) {
		if (!rt.dst.family)
			rt.dst.family = rt.has_via ? rt.via.family : AF_INET;
		rt.dst.len = 0;
	}
	if (!rt.has_via && !dev) {
		diag_add(d, loc, hint, "route to '%s' needs 'via GW' or 'dev IF'", w[0]);
		return -EINVAL;
	}
	if (rt.has_via && rt.via.family != rt.dst.family) {
		char gw[IPADDR_STRLEN];
		diag_add(d, loc, "use a gateway of the destination's family", "gateway '%s' is not %s",
			 ipaddr_str(&rt.via, gw), rt.dst.family == AF_INET ? "IPv4" : "IPv6");
		return -EINVAL;
	}
	if (rt.onlink && !dev) {
		diag_add(d, loc, "add 'dev IF': the kernel needs the device for an onlink route",
			 "'onlink' route without 'dev'");
		return -EINVAL;
	}
	if (dev) {
		if (ifname_word(loc, d, "interface", dev) < 0)
			return -EINVAL;
		rt.ifname = xstrdup(dev);
	}
	vec_push(&n->routes, rt);
	return 0;
}

