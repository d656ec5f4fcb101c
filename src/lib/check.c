// SPDX-License-Identifier: MIT
#include "check.h"
#include "hosts.h"
#include "kathara.h"
#include "rundir.h"
#include "access.h"
#include "lab.h"
#include "parse.h"
#include "probe.h"
#include "sockprobe.h"
#include "runtime.h"
#include "show.h"
#include "validate.h"
#include "words.h"
#include "interrupt.h"
#include "kind.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <config.h>
#include <fnmatch.h>
#include <libgen.h>

#define PARALLEL 16
/* ping -w: seconds a reach check waits for its first reply, and a noreach
 * check for none */
#define REACH_DEADLINE 4
#define NOREACH_DEADLINE 1

struct item {
	const struct topo_expect *e;
	char *from; /* the node the probe runs in */
	char *name;
	char *detail; /* set before running: fails without a probe */
	char *want;   /* resolve: an address that must be in the output */
	char **argv;
	struct strvec words;
	char addr[IPADDR_STRLEN];
	int (*fn)(char **argv); /* tcp: run in the node instead of exec */
	/* the last run */
	bool ran, ok;
	int status;
	char *output;
	double seconds;
};

struct items {
	struct item *v;
	size_t n, cap;
};

/* Is node `name` (NODE or NODE:IF) on another host of a lab split across
 * hosts? Its checks run there, and it is not in this host's kernel. */
static bool elsewhere(const struct topo_lab *lab, const char *name)
{
	if (!lab->here)
		return false;
	size_t n = strcspn(name, ":");
	_cleanup_free_ char *node = xstrndup(name, n);
	const struct topo_node *t = topo_node_find(lab, node);
	return t && !hosts_node_here(lab, t);
}

/* "a,b" or "all" -> the nodes: those running here, and for targets (to)
 * of a lab split across hosts, the nodes of the other hosts too. FROM
 * lists keep the nodes of this host only: each host checks from its own. */
static void expand(const struct topo_lab *lab, const struct show_lab *s, const char *list, bool to,
		   struct strvec *ret)
{
	_cleanup_free_ char *copy = xstrdup(list);
	bool all_hosts = to && lab->here;

	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool every = streq(t, "all");
		if (!every && !strpbrk(t, "*?[")) {
			if (to || !elsewhere(lab, t))
				vec_push(ret, xstrdup(t));
			continue;
		}
		if (all_hosts) {
			vec_foreach(n, &lab->nodes) if (!(*n)->is_switch &&
							(every || fnmatch(t, (*n)->name, 0) == 0))
				vec_push(ret, xstrdup((*n)->name));
			continue;
		}
		vec_foreach(n, &s->nodes) if (!streq(n->name, "(switch)") &&
					      (every || fnmatch(t, n->name, 0) == 0))
			vec_push(ret, xstrdup(n->name));
	}
}

/* The address a check aims at in node `node` of another host: from the
 * topology (that host's kernel is out of reach); on interface ifname when
 * given, IPv4 first. */
static int remote_addr(const struct topo_lab *lab, const char *node, const char *ifname,
		       struct ipaddr *ret)
{
	const struct topo_node *n = topo_node_find(lab, node);

	for (int fam = AF_INET; n; fam = AF_INET6) {
		vec_foreach(a, &n->addrs) if (a->local.family == fam &&
					      (!ifname || (a->ifname && streq(a->ifname, ifname))))
		{
			*ret = a->local;
			return 0;
		}
		if (fam == AF_INET6)
			break;
	}
	return -ENOENT;
}

/* Split a command line as the parser checked it (words.h): blanks separate,
 * '...' and "..." group, nothing is expanded (no shell runs it). Never no
 * words: what does not split (the parser refuses it) is one word. */
static void split_command(const char *s, struct strvec *ret)
{
	size_t before = ret->n;
	const char *why;

	if (words_split(s, ret, &why) < 0 || ret->n == before)
		vec_push(ret, xstrdup(s));
}

/* Route protocols by name, as iproute2's rt_protos has them (libnl knows
 * only the kernel's own few). */
static const struct {
	const char *name;
	int proto;
} protos[] = {
	{"redirect", 1}, {"kernel", 2}, {"boot", 3},   {"static", 4}, {"ra", 9},
	{"zebra", 11},   {"bird", 12},  {"dhcp", 16},  {"babel", 42}, {"bgp", 186},
	{"isis", 187},   {"ospf", 188}, {"rip", 189},  {"eigrp", 192},
};

static int proto_of(const char *name)
{
	char *end;
	unsigned long n = strtoul(name, &end, 10);

	if (*name && !*end && n <= 255)
		return (int)n;
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (streq(name, protos[i].name))
			return protos[i].proto;
	return -1;
}

static void proto_name(int proto, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == proto) {
			snprintf(buf, len, "%s", protos[i].name);
			return;
		}
	snprintf(buf, len, "%d", proto);
}

int check_route_parse(const char *s, struct check_route *ret, const char **why, char *word,
		      size_t wordlen)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *w[11];
	size_t n = split_words(copy, w, 10);

	memset(ret, 0, sizeof(*ret));
	ret->proto = -1;
	ret->table = RT_TABLE_MAIN;
	*word = '\0';
	if (n == 0 || n > 9 || n % 2 == 0) {
		*why = "is not 'PREFIX [via GW] [dev IF] [proto P] [table N]'";
		snprintf(word, wordlen, "%s", s);
		return -1;
	}
	snprintf(word, wordlen, "%s", w[0]);
	if (streq(w[0], "default") || streq(w[0], "default6"))
		ret->dst.family = streq(w[0], "default") ? AF_INET : AF_INET6;
	else if (ipaddr_parse(w[0], true, &ret->dst) < 0) {
		*why = "is not a prefix (10.0.3.0/24, fd00:3::/64, default, default6)";
		return -1;
	}
	for (size_t i = 1; i + 1 < n; i += 2) {
		snprintf(word, wordlen, "%s", w[i + 1]);
		if (streq(w[i], "via")) {
			if (ipaddr_parse_host(w[i + 1], &ret->via) < 0 || ret->via.family != ret->dst.family) {
				*why = "is not a gateway address of the prefix's family";
				return -1;
			}
			ret->has_via = true;
		} else if (streq(w[i], "dev")) {
			if (topo_ifname_error(w[i + 1])) {
				*why = "is not an interface name";
				return -1;
			}
			snprintf(ret->dev, sizeof(ret->dev), "%s", w[i + 1]);
		} else if (streq(w[i], "proto")) {
			ret->proto = proto_of(w[i + 1]);
			if (ret->proto < 0) {
				*why = "is not a route protocol (kernel, static, boot, ospf, bgp, rip, isis, zebra, ...)";
				return -1;
			}
		} else if ((streq(w[i], "table") ||
			    (kind_by_name(w[i]) && kind_by_name(w[i])->table)) &&
			   (ret->table != RT_TABLE_MAIN || *ret->table_dev)) {
			snprintf(word, wordlen, "%s", w[i]);
			*why = "names a second table: a route is in one ('table N' or 'vrf NAME')";
			return -1;
		} else if (streq(w[i], "table")) {
			if (!streq(w[i + 1], "main") &&
			    parse_u32(w[i + 1], 1, UINT32_MAX, &ret->table) < 0) {
				*why = "is not a table (main, or a number from 1 to 4294967295)";
				return -1;
			}
		} else if (kind_by_name(w[i]) && kind_by_name(w[i])->table) {
			/* `vrf NAME`: its table, read in the node when checked */
			if (topo_ifname_error(w[i + 1])) {
				*why = "is not an interface name";
				return -1;
			}
			snprintf(ret->table_dev, sizeof(ret->table_dev), "%s", w[i + 1]);
			ret->table_kind = kind_by_name(w[i]);
		} else {
			snprintf(word, wordlen, "%s", w[i]);
			*why = "is not 'via', 'dev', 'proto' or 'table'";
			return -1;
		}
	}
	return 0;
}

/* In the probe's child, inside the node's network namespace: is there a
 * route as asked (argv[0] the rest of the line)? Exit 0 if so; the node's
 * routes to the prefix on stderr either way. */
static int route_probe(char **argv)
{
	struct check_route want;
	const char *why;
	char word[64], buf[IPADDR_STRLEN], gw[IPADDR_STRLEN], name[IFNAMSIZ], proto[32];
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *routes = NULL, *links = NULL;
	int found = 0, seen = 0;

	if (check_route_parse(argv[0], &want, &why, word, sizeof(word)) < 0 || !sk ||
	    nl_connect(sk, NETLINK_ROUTE) < 0 ||
	    rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) < 0 ||
	    rtnl_route_alloc_cache(sk, want.dst.family, 0, &routes) < 0) {
		dprintf(STDERR_FILENO, "cannot read the node's routes\n");
		return 2;
	}
	if (*want.table_dev) {
		struct rtnl_link *l = rtnl_link_get_by_name(links, want.table_dev);
		const char *type = l ? rtnl_link_get_type(l) : NULL;
		const struct link_kind *k = type ? kind_by_name(type) : NULL;
		want.table = k && k->read_table ? k->read_table(l) : 0;
		if (l)
			rtnl_link_put(l);
		if (!want.table) {
			dprintf(STDERR_FILENO, "no %s '%s' in the node\n", kind_title(want.table_kind),
				want.table_dev);
			return 1;
		}
	}
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		if (rtnl_route_get_table(r) != want.table || rtnl_route_get_type(r) != RTN_UNICAST ||
		    nl_addr_get_prefixlen(dst) != want.dst.len ||
		    (want.dst.len && memcmp(nl_addr_get_binary_addr(dst), want.dst.a,
					    nl_addr_get_len(dst)) != 0))
			continue;
		seen++;
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, 0);
		struct nl_addr *via = nh ? rtnl_route_nh_get_gateway(nh) : NULL;
		int ifindex = nh ? rtnl_route_nh_get_ifindex(nh) : 0;
		rtnl_link_i2name(links, ifindex, name, sizeof(name));
		proto_name(rtnl_route_get_protocol(r), proto, sizeof(proto));
		nl_addr2str(dst, buf, sizeof(buf));
		if (via)
			nl_addr2str(via, gw, sizeof(gw));
		dprintf(STDERR_FILENO, "%s%s%s dev %s proto %s", want.dst.len ? buf : "default",
			via ? " via " : "", via ? gw : "", name, proto);
		if (want.table != RT_TABLE_MAIN)
			dprintf(STDERR_FILENO, " table %u", want.table);
		dprintf(STDERR_FILENO, "\n");
		bool ok = (!want.has_via || (via && nl_addr_get_len(via) &&
					      memcmp(nl_addr_get_binary_addr(via), want.via.a,
						     nl_addr_get_len(via)) == 0)) &&
			  (!*want.dev || streq(want.dev, name)) &&
			  (want.proto < 0 || want.proto == rtnl_route_get_protocol(r));
		found += ok;
	}
	if (!seen)
		dprintf(STDERR_FILENO, "no route to %.*s\n", (int)strcspn(argv[0], " \t"), argv[0]);
	return found ? 0 : 1;
}

#define TCP_DEADLINE_MS 3000

/* In the probe's child, inside the node: connect to ADDR PORT. */
static int tcp_connect(char **argv)
{
	struct ipaddr ip;
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int port = atoi(argv[1]);

	if (ipaddr_parse_host(argv[0], &ip) < 0)
		return 2;
	if (ip.family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		memcpy(&a->sin_addr, &ip.a, 4);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		memcpy(&a->sin6_addr, &ip.a, 16);
		len = sizeof(*a);
	}
	int fd = socket(ip.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {TCP_DEADLINE_MS / 1000, 0};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		dprintf(STDERR_FILENO, "socket: %s\n", strerror(errno));
		return 2;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		dprintf(STDERR_FILENO, "connect to %s port %d: %s\n", argv[0], port,
			errno == EINPROGRESS ? "no answer within 3 s" : strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

static void add_pair(struct items *items, const struct topo_lab *lab, const struct topo_expect *e,
		     const struct show_lab *s, const char *from, const char *to, const char *port)
{
	struct item *it = vec_add(items);
	const struct show_node *a = show_node_find(s, from);
	_cleanup_free_ char *tonode = xstrdup(to);
	char *colon = strchr(tonode, ':');
	struct ipaddr ip;

	it->e = e;
	it->from = xstrdup(from);
	if (colon)
		*colon++ = '\0';
	const char *arrow = e->kind == EXPECT_NOREACH ? "-/->" : "->";
	if (!a) {
		it->name = xasprintf("%s %s %s %s", topo_expect_kind_to_string(e->kind), from, arrow, to);
		it->detail = xasprintf("node '%s' is not running", from);
		return;
	}
	if (ipaddr_parse_host(to, &ip) < 0) {
		const struct show_node *b = show_node_find(s, tonode);
		if (elsewhere(lab, tonode) ? remote_addr(lab, tonode, colon, &ip) < 0
					   : !b || access_pick(a, b, colon, &ip) < 0) {
			it->name = xasprintf("%s %s %s %s", topo_expect_kind_to_string(e->kind), from,
					     arrow, to);
			it->detail = xasprintf("'%s' has no address", to);
			return;
		}
	}
	ipaddr_str(&ip, it->addr);
	if (e->kind == EXPECT_TCP) {
		it->name = xasprintf("tcp %s -> %s port %s (%s)", from, to, port, it->addr);
		vec_push(&it->words, xstrdup(it->addr));
		vec_push(&it->words, xstrdup(port));
		it->fn = tcp_connect;
		return;
	}
	it->name = xasprintf("%s %s %s %s (%s)", topo_expect_kind_to_string(e->kind), from, arrow, to,
			     it->addr);
	/* Until the first reply, a packet every 0.2 s, within a deadline: one
	 * lost first packet (seen on busy 100-pod labs) is no failure. */
	static const char *const ping[] = {"ping", "-q", "-c", "1", "-i", "0.2", "-w"};
	for (size_t k = 0; k < ARRAY_SIZE(ping); k++)
		vec_push(&it->words, xstrdup(ping[k]));
	vec_push(&it->words, xasprintf("%d", e->kind == EXPECT_REACH ? REACH_DEADLINE : NOREACH_DEADLINE));
	vec_push(&it->words, xstrdup(it->addr));
}

static void add_items(struct items *items, const struct topo_lab *lab, const struct topo_expect *e,
		      const struct show_lab *s)
{
	struct strvec froms = {0}, tos = {0};

	bool pairs = e->kind == EXPECT_REACH || e->kind == EXPECT_NOREACH || e->kind == EXPECT_TCP;
	bool route = e->kind == EXPECT_ROUTE || e->kind == EXPECT_NOROUTE;
	_cleanup_free_ char *to = xstrdup(e->rest);
	char *port = NULL;

	if (e->kind == EXPECT_TCP) {
		port = to + strcspn(to, " \t");
		if (*port)
			*port++ = '\0';
		port += strspn(port, " \t");
	}
	expand(lab, s, e->from, false, &froms);
	if (pairs)
		expand(lab, s, to, true, &tos);
	vec_foreach(f, &froms)
	{
		if (pairs) {
			vec_foreach(t, &tos)
			{
				size_t fl = strlen(*f);
				/* a node and itself: nothing to learn */
				if (strncmp(*t, *f, fl) == 0 && ((*t)[fl] == '\0' || (*t)[fl] == ':') &&
				    (streq(to, "all") || strpbrk(to, ",*?[")))
					continue;
				add_pair(items, lab, e, s, *f, *t, port);
			}
			continue;
		}
		struct item *it = vec_add(items);
		it->e = e;
		it->from = xstrdup(*f);
			if (route) {
			it->name = xasprintf("%s %s %s", topo_expect_kind_to_string(e->kind), *f, e->rest);
			vec_push(&it->words, xstrdup(e->rest));
			it->fn = route_probe;
		} else if (e->kind == EXPECT_RESOLVE) {
			struct strvec w = {0};
			split_command(e->rest, &w);
			it->name = xasprintf("resolve %s in %s%s%s", w.v[0], *f, w.n > 1 ? " to " : "",
					     w.n > 1 ? w.v[1] : "");
			vec_push(&it->words, xstrdup("getent"));
			vec_push(&it->words, xstrdup("hosts"));
			vec_push(&it->words, xstrdup(w.v[0]));
			if (w.n > 1)
				it->want = xstrdup(w.v[1]);
			vec_foreach(x, &w) free(*x);
			vec_free(&w);
		} else {
			it->name = xasprintf("exec in %s: %s", *f, e->rest);
			split_command(e->rest, &it->words);
		}
		if (!show_node_find(s, *f))
			it->detail = xasprintf("node '%s' is not running", *f);
	}
	vec_foreach(x, &froms) free(*x);
	vec_foreach(x, &tos) free(*x);
	vec_free(&froms);
	vec_free(&tos);
}

/* Does the getent output name the wanted address as a word? */
static bool has_word(const char *out, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(out, word); p; p = strstr(p + 1, word))
		if ((p == out || strchr(" \t\n", p[-1])) && strchr(" \t\n", p[n]))
			return true;
	return false;
}

/* The line of a command's output that says most, for a one-line report:
 * the last that is not ping's statistics. Points into a static buffer. */
static const char *one_line(const char *out)
{
	static char line[512];
	const char *best = NULL;
	size_t best_len = 0;

	for (const char *l = out; l && *l;) {
		const char *end = strchrnul(l, '\n');
		size_t n = (size_t)(end - l);
		const char *sent = strstr(l, "packets transmitted");
		bool stats = sent && sent < end;
		stats |= n > 4 && (strncmp(l, "rtt ", 4) == 0 || strncmp(l, "--- ", 4) == 0);
		stats |= strncmp(l, "PING ", 5) == 0 || strncmp(l, "pipe ", 5) == 0;
		if (n && !stats) {
			best = l;
			best_len = n;
		}
		l = *end ? end + 1 : end;
	}
	snprintf(line, sizeof(line), "%.*s", (int)best_len, best ? best : "");
	return line;
}

/* reach, noreach and tcp need no process: sockets in the nodes' namespaces
 * (sockprobe.h). NSLAB_CHECK_PROCESSES=1 runs ping and a connecting child
 * instead, as before: the test suite compares the two. */
static bool by_socket(const struct item *it)
{
	static int env = -1;

	if (env < 0) {
		const char *v = getenv("NSLAB_CHECK_PROCESSES");
		env = v && *v && !streq(v, "0");
	}
	return !env && (it->e->kind == EXPECT_REACH || it->e->kind == EXPECT_NOREACH ||
			it->e->kind == EXPECT_TCP);
}

static void item_done(struct item *it, int status, char **output, double seconds)
{
	free(it->output);
	it->output = steal_pointer(output);
	it->status = status;
	it->seconds += seconds;
	it->ran = true;
	bool success = status == 0 && (!it->want || has_word(it->output, it->want));
	it->ok = it->e->kind == EXPECT_NOREACH ? status > 0
		 : it->e->kind == EXPECT_NOROUTE ? status == 1
						 : success;
}

static void run_sockets(struct item **its, size_t n, const struct show_lab *s, double timeout)
{
	struct sockprobe *v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		struct item *it = its[i];
		bool tcp = it->e->kind == EXPECT_TCP;
		v[i] = (struct sockprobe){
			.kind = tcp ? SOCKPROBE_TCP : SOCKPROBE_ECHO,
			.netns = show_node_find(s, it->from)->netns,
			.port = tcp ? (uint16_t)atoi(it->words.v[1]) : 0,
			.wait_ms = tcp ? TCP_DEADLINE_MS
				       : 1000 * (it->e->kind == EXPECT_REACH ? REACH_DEADLINE
									     : NOREACH_DEADLINE),
		};
		(void)ipaddr_parse_host(it->addr, &v[i].dst);
	}
	sockprobe_run_all(v, n, timeout);
	for (size_t i = 0; i < n; i++) {
		item_done(its[i], v[i].status, &v[i].output, v[i].seconds);
		sockprobe_free(&v[i]);
	}
	free(v);
}

/* Run the probes of these items (which have not failed before running),
 * the processes `parallel` at a time, and keep each one's outcome in it. */
static void run_items(struct item **its, size_t n, const struct show_lab *s, const char *lab,
		      unsigned parallel, double timeout)
{
	struct probe *probes = xcalloc(n + 1, sizeof(*probes));
	_cleanup_free_ struct item **socks = xmalloc((n + 1) * sizeof(*socks));
	_cleanup_free_ struct item **procs = xmalloc((n + 1) * sizeof(*procs));
	size_t ns = 0, np = 0;
	double t0 = probe_now();

	for (size_t i = 0; i < n; i++) {
		if (by_socket(its[i]))
			socks[ns++] = its[i];
		else
			procs[np++] = its[i];
	}
	run_sockets(socks, ns, s, timeout);
	for (size_t i = 0; i < np; i++) {
		struct item *it = procs[i];
		const struct show_node *node = show_node_find(s, it->from);
		bool whole = it->e->kind == EXPECT_RESOLVE || it->e->kind == EXPECT_EXEC;
		probes[i] = (struct probe){
			.netns = node->netns,
			.enter_mounts = whole,
			.lab = whole ? lab : NULL,
			.node = it->from,
			.argv = it->words.v,
			.fn = it->fn,
		};
	}
	/* the round's bound holds for both kinds together */
	double left = timeout - (probe_now() - t0);
	probe_run_all(probes, np, parallel, left > 0 ? left : 0);
	for (size_t i = 0; i < np; i++) {
		item_done(procs[i], probes[i].status, &probes[i].output, probes[i].seconds);
		probe_free(&probes[i]);
	}
	free(probes);
}

/* One [expect] section's checks: all at once, or one after another
 * (order = sequential); each failing one again every RETRY_PAUSE_MS until
 * the section's retry window has passed. */
#define RETRY_PAUSE_MS 250
#define ROUTE_WAIT_MS 30000
static void run_group(struct item **its, size_t n, const struct show_lab *s, const char *lab,
		      double timeout)
{
	if (!n)
		return;
	const struct topo_expect *e = its[0]->e;
	size_t units = e->in_order ? n : 1;
	/* routes come with convergence: a route check waits for it */
	unsigned retry_ms = e->retry_ms;
	for (size_t i = 0; !retry_ms && i < n; i++)
		if (its[i]->e->kind == EXPECT_ROUTE)
			retry_ms = ROUTE_WAIT_MS;

	for (size_t u = 0; u < units && !interrupt_signal(); u++) {
		struct item **batch = e->in_order ? &its[u] : its;
		size_t left = e->in_order ? 1 : n;
		_cleanup_free_ struct item **todo = xmalloc(left * sizeof(*todo));
		memcpy(todo, batch, left * sizeof(*todo));
		double until = probe_now() + retry_ms / 1000.0;
		for (;;) {
			run_items(todo, left, s, lab, e->in_order ? 1 : PARALLEL, timeout);
			size_t k = 0;
			for (size_t i = 0; i < left; i++)
				if (!todo[i]->ok && todo[i]->status != -3)
					todo[k++] = todo[i];
			left = k;
			if (!left || interrupt_signal() || probe_now() + RETRY_PAUSE_MS / 1000.0 > until)
				break;
			runtime_nap_ms(RETRY_PAUSE_MS);
		}
	}
}

static char *detail_of(const struct item *it)
{
	bool ping = it->e->kind == EXPECT_REACH || it->e->kind == EXPECT_NOREACH;
	const char *out = it->output ? it->output : "";
	char *d = NULL;

	if (it->ok)
		return NULL;
	if (!it->ran)
		d = xstrdup(interrupt_signal() ? "not run: interrupted" : "not run");
	else if (it->status == -3)
		d = xstrdup("interrupted");
	else if (it->status == -2)
		d = xstrdup(out);
	else if (it->status == -1)
		d = xstrdup("timed out");
	else if (it->e->kind == EXPECT_NOREACH)
		d = xstrdup("it is reachable");
	else if (it->e->kind == EXPECT_NOROUTE && it->status == 0)
		d = xasprintf("there is such a route: %s", one_line(out));
	else if (it->e->kind == EXPECT_ROUTE && it->status == 1)
		d = xasprintf("no such route; the node has: %s", one_line(out));
	else if (it->want && it->status == 0)
		d = xasprintf("resolved to %s, not %s", one_line(out), it->want);
	else if (strstr(out, " 0 packets transmitted"))
		d = xstrdup("not a packet could be sent: the kernel's neighbour table is probably "
			    "full (host net.ipv4.neigh.default.gc_thresh3; see 'nslab up' warnings)");
	else if (ping && it->status == 1 && *one_line(out))
		d = xasprintf("no reply: %s", one_line(out)); /* an ICMP error, ping's own way */
	else if (ping && it->status == 1)
		d = xasprintf("no reply within %d s", REACH_DEADLINE);
	else if (it->e->kind == EXPECT_TCP && *one_line(out))
		d = xstrdup(one_line(out));
	else {
		const char *why = one_line(out);
		d = xasprintf("exit status %d%s%s", it->status, *why ? ": " : "", why);
	}
	if (it->ran && it->e->retry_ms) {
		char *once = d;
		d = xasprintf("%s (still, after %.3g s of retrying)", once, it->e->retry_ms / 1000.0);
		free(once);
	}
	size_t l = strlen(d);
	while (l && d[l - 1] == '\n')
		d[--l] = '\0';
	return d;
}

int check_run(const struct topo_lab *lab, double timeout, struct check_results *ret)
{
	return check_run_in(lab, lab->name, timeout, ret);
}

int check_run_in(const struct topo_lab *lab, const char *running, double timeout,
		 struct check_results *ret)
{
	struct items items = {0};
	struct show_lab s;
	int r = show_read(running, NULL, 0, &s);

	if (r < 0)
		return r;
	vec_foreach(e, &lab->expects) add_items(&items, lab, e, &s);
	vec_foreach(it, &items) if (it->words.n) vec_push(&it->words, NULL);

	/* [expect] sections in file order, each after the one before */
	_cleanup_free_ struct item **group = xmalloc((items.n + 1) * sizeof(*group));
	for (unsigned g = 0; !interrupt_signal(); g++) {
		size_t n = 0;
		bool any = false;
		vec_foreach(it, &items)
		{
			any |= it->e->group >= g;
			if (it->e->group == g && !it->detail && it->words.n)
				group[n++] = it;
		}
		if (!any)
			break;
		run_group(group, n, &s, running, timeout);
	}

	vec_foreach(it, &items)
	{
		struct check_result *c = vec_add(ret);
		c->name = steal_pointer(&it->name);
		c->kind = xstrdup(topo_expect_kind_to_string(it->e->kind));
		c->loc = it->e->loc; /* its file name lives as long as lab */
		c->ok = !it->detail && it->ok;
		c->seconds = it->seconds;
		c->detail = it->detail ? steal_pointer(&it->detail) : detail_of(it);
		vec_foreach(w, &it->words) free(*w);
		vec_free(&it->words);
		free(it->want);
		free(it->output);
		free(it->from);
	}
	vec_free(&items);
	show_free(&s);
	return 0;
}

void check_results_free(struct check_results *r)
{
	vec_foreach(c, r)
	{
		free(c->name);
		free(c->kind);
		free(c->detail);
	}
	vec_free(r);
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

int check_write_junit(const char *path, const char *lab, const struct check_results *r,
		      double seconds, const char *interrupted)
{
	FILE *f = fopen(path, "we");
	size_t failures = 0;

	if (!f)
		return -errno;
	vec_foreach(c, r) failures += !c->ok;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	size_t tests = r->n + !!interrupted, errors = !!interrupted;
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", tests,
		failures, errors, seconds);
	fprintf(f, "  <testsuite name=\"nslab.");
	xml_escaped(f, lab);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", tests, failures,
		errors, seconds);
	if (interrupted) {
		fprintf(f, "    <testcase classname=\"nslab.");
		xml_escaped(f, lab);
		fprintf(f, "\" name=\"interrupted\" time=\"0\">\n      <error message=\"interrupted by ");
		xml_escaped(f, interrupted);
		fprintf(f, "; the run stopped and the lab was taken down\"/>\n    </testcase>\n");
	}
	vec_foreach(c, r)
	{
		fprintf(f, "    <testcase classname=\"nslab.");
		xml_escaped(f, lab);
		fprintf(f, ".%s\" name=\"", c->kind);
		xml_escaped(f, c->name);
		fprintf(f, "\" time=\"%.3f\"", c->seconds);
		if (c->ok) {
			fprintf(f, "/>\n");
			continue;
		}
		fprintf(f, ">\n      <failure message=\"");
		xml_escaped(f, c->detail);
		fprintf(f, "\">");
		if (c->loc.file)
			xml_escaped(f, c->loc.file);
		fprintf(f, ":%u</failure>\n    </testcase>\n", c->loc.line);
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	return fclose(f) == 0 ? 0 : -errno;
}

int check_elsewhere(const char *lab, const char *target, struct ipaddr *ret)
{
	if (!rundir_has(lab, RUNDIR_HOST))
		return -ENOENT;
	struct diag d = {0};
	_cleanup_free_ char *edited = NULL;
	struct topo_lab *t = check_load_running(lab, &d, &edited);
	_cleanup_free_ char *node = xstrndup(target, strcspn(target, ":"));
	const char *colon = strchr(target, ':');
	int r = t && elsewhere(t, node) ? remote_addr(t, node, colon ? colon + 1 : NULL, ret)
					: -ENOENT;
	diag_free(&d);
	topo_lab_free(t);
	return r;
}

struct topo_lab *check_load_running(const char *lab, struct diag *d, char **ret_edited)
{
	_cleanup_free_ char *path = rundir_path(lab, RUNDIR_TOPOLOGY);
	struct lab_info info = {0};
	FILE *f = rundir_fopen(lab, RUNDIR_TOPOLOGY, "r");

	*ret_edited = NULL;
	if (!f)
		return NULL;
	_cleanup_free_ char *kept = read_stream(f);
	fclose(f);
	/* Name the file the user wrote: line numbers refer to it, while it
	 * says what the lab was built from. Edited since: the kept copy. */
	(void)lab_get(lab, &info);
	const char *name = info.file ? info.file : path;
	/* a Kathará lab imported on the fly: its lines are the kept copy's */
	if (strncmp(kept, KATHARA_MARK, strlen(KATHARA_MARK)) == 0)
		name = path;
	else if (info.file) {
		_cleanup_fclose_ FILE *now = fopen(info.file, "re");
		_cleanup_free_ char *text = now ? read_stream(now) : NULL;
		if (!text || !streq(text, kept)) {
			*ret_edited = xstrdup(info.file);
			name = path;
		}
	}
	struct topo_lab *t = topo_parse_string(kept, name, d);
	if (info.file) { /* its folders are beside the file up was given */
		_cleanup_free_ char *copy = xstrdup(info.file);
		topo_set_folder(t, dirname(copy), d);
	}
	lab_info_free(&info);
	if (!streq(t->name, lab)) { /* named after its file: the file up was given */
		free(t->name);
		t->name = xstrdup(lab);
		topo_name_namespaces(t);
	}
	topo_validate(t, d);
	if (diag_count(d)) {
		topo_lab_free(t);
		return NULL;
	}
	/* one host's part of a lab split across hosts: its checks */
	_cleanup_fclose_ FILE *hf = rundir_fopen(lab, RUNDIR_HOST, "r");
	_cleanup_free_ char *host = hf ? read_stream(hf) : NULL;
	if (host) {
		struct sbuf why = {0};
		host[strcspn(host, "\n")] = '\0';
		if (hosts_select(t, host, &why) < 0) {
			struct topo_loc l = {.file = t->file};
			diag_add(d, &l, NULL, "the lab's part is host '%s': %s", host, why.s);
			sbuf_free(&why);
			topo_lab_free(t);
			return NULL;
		}
	}
	return t;
}
