// SPDX-License-Identifier: MIT
/* The IP tunnel kinds (ipip, sit, ip6tnl, gretap, ip6gre) without a
 * kernel: every error with its line and hint, the plan's ip(8) lines, the
 * words of diff from the file and from a kernel link as libnl holds it,
 * and the ends explain reads. The VM suite (tests/vm/tunnels.sh) builds
 * them for real. */
#include "kind-cases.h"

#include "kind.h"

/* after <net/if.h> (topology.h): <linux/if.h> yields to it in this order */
#include <arpa/inet.h>
#include <linux/if_tunnel.h>
#include <netinet/in.h>
#include <netlink/route/link/ip6gre.h>
#include <netlink/route/link/ip6tnl.h>
#include <netlink/route/link/ipgre.h>
#include <netlink/route/link/ipip.h>
#include <netlink/route/link/sit.h>

/* Two linked nodes with IPv4 addresses on eth0 (6 lines). */
#define BASE                                                                               \
	"[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\naddr = 10.0.0.2/24 dev eth0\n" \
	"[links]\nlink = h1:eth0 h2:eth0\n"

static const struct kind_case cases[] = {
    {BASE "[ipip t0]\ndev = eth0\n", 7, "[ipip t0] has no 'members'",
     "add 'members = A B', the two tunnel ends"},
    {BASE "[sit t0]\nmembers = h1 h2\n", 7, "[sit t0] has no 'dev'",
     "add 'dev = eth0', the underlay interface of both members"},
    {BASE "[gretap t0]\nmembers = h1\ndev = eth0\n", 8, "'members' lists 1 node",
     "list the two ends of the GRETAP device"},
    {BASE "[ipip t0]\nmembers = h1 h9\ndev = eth0\n", 8, "member 'h9' is not a node",
     "declare it with '[node h9]'"},
    {BASE "[ipip h1:t0]\nlocal = 10.0.0.1\n", 7, "[ipip h1:t0] needs 'local' and 'remote'",
     "add 'local = ADDRESS' and 'remote = ADDRESS'"},
    {BASE "[ip6tnl h1:t0]\nlocal = 10.0.0.1\nremote = fd00::2\n", 8, "bad local '10.0.0.1'",
     "write an IPv6 address such as fd00::1 (ip6tnl carries IPv6 or IPv4 in IPv6)"},
    {BASE "[sit h1:t0]\nlocal = 10.0.0.1\nremote = fd00::2\n", 9, "bad remote 'fd00::2'",
     "write an IPv4 address such as 10.0.1.1 (sit carries IPv6 in IPv4)"},
    {BASE "[ip6gre h1:t0]\nlocal = fd00::1\nremote = fd00::2/64\n", 9, "bad remote 'fd00::2/64'",
     "write an IPv6 address such as fd00::1 (ip6gre carries GRE over IPv6)"},
    {BASE "[ip6tnl h1:t0]\nlocal = fd00::1\nremote = fd00::2\nmode = gre\n", 10, "bad mode 'gre'",
     "write one of: 'mode = ip6ip6' (the default) 'mode = ipip6' 'mode = any'"},
    {BASE "[ipip h1:t0]\nlocal = 10.0.0.1\nremote = 10.0.0.2\nkey = 5\n", 10,
     "unknown key 'key' in [ipip h1:t0]", NULL},
    {BASE "[sit h1:t0]\nlocal = 10.0.0.1\nremote = 10.0.0.2\nmode = any\n", 10,
     "unknown key 'mode' in [sit h1:t0]", NULL},
    {BASE "[gretap h1:t0]\nlocal = 10.0.0.1\nremote = 10.0.0.2\nkey = -1\n", 10, "bad key '-1'",
     "'key' is a whole number from 0 to 4294967295"},
    {BASE "[ipip h1:t0]\nlocal = 10.0.0.1\nremote = 10.0.0.2\nttl = 256\n", 10, "bad ttl '256'",
     "'ttl' is a whole number from 0 to 255"},
    {BASE "[sit t0]\nmembers = h1 h2\ndev = eth0\nmtu = 10\n", 10, "bad mtu '10'",
     "'mtu' is a whole number from 68 to 65535"},
    {BASE "[ip6gre t0]\nmembers = h1 h2\ndev = eth0\n", 7,
     "member 'h1' has no IPv6 address on 'eth0' for the tunnel",
     "add 'addr = fd00::1/64 dev eth0' to [node h1]"},
    {BASE "[ipip t0]\nmembers = h1 h2\ndev = eth1\n", 7, "member 'h1' has no interface 'eth1'",
     "link 'h1:eth1' to the underlay"},
    {"[node h1]\naddr = 10.0.0.1/24 dev eth0\n[node h2]\n[links]\nlink = h1:eth0 h2:eth0\n"
     "[sit t0]\nmembers = h1 h2\ndev = eth0\n",
     6, "member 'h2' has no IPv4 address on 'eth0' for the tunnel",
     "add 'addr = 10.0.1.1/24 dev eth0' to [node h2]"},
    {BASE "[gretap t0]\nmembers = h1 h2\ndev = eth0\nlocal = 10.0.0.1\n", 10,
     "'local' is for [gretap NODE:NAME], not a pair",
     "a pair takes both ends from 'dev'; for one end write [gretap NODE:NAME]"},
    {BASE "[ip6gre h1:t0]\nmembers = h1 h2\nlocal = fd00::1\nremote = fd00::2\n", 8,
     "'members' is for [ip6gre NAME], not [ip6gre NODE:NAME]",
     "write [ip6gre NAME] with 'members = A B' and 'dev = IF' for a pair"},
    {BASE "[ipip t0]\nmembers = h1 h2\ndev = -eth0\n", 9,
     "underlay device '-eth0' must start with a letter, digit or '_'",
     "name the underlay interface, e.g. 'dev = eth0'"},
    /* layer 3: no MAC (the core's check, from the kind's flag) */
    {"[node h1]\naddr = 10.0.0.1/24 dev eth0\niface = t0 mac 02:00:00:00:00:01\n[node h2]\n"
     "addr = 10.0.0.2/24 dev eth0\n[links]\nlink = h1:eth0 h2:eth0\n[ipip t0]\nmembers = h1 h2\n"
     "dev = eth0\n",
     3, "IPIP tunnel 't0' has no MAC address", NULL},
    {"[node h1]\naddr = 10.0.0.1/24 dev eth0\niface = t0 mac 02:00:00:00:00:01\n[node h2]\n"
     "addr = 10.0.0.2/24 dev eth0\n[links]\nlink = h1:eth0 h2:eth0\n[ip6gre h1:t0]\n"
     "local = fd00::1\nremote = fd00::2\n",
     3, "ip6gre tunnel 't0' has no MAC address", NULL},
    /* the kernel keeps one tunnel per kind and ends: the second is EEXIST */
    {BASE "[ipip t1]\nmembers = h1 h2\ndev = eth0\n[ipip t2]\nmembers = h2 h1\ndev = eth0\n", 10,
     "[ipip t2]: node 'h2' has one with the same ends already: 't1' (line 7)",
     "one IPIP tunnel between two addresses; join them into one, or give them other addresses"},
    {BASE "[gretap h1:a]\nlocal = 10.0.0.1\nremote = 10.0.0.2\nkey = 1\n[gretap h1:b]\n"
	  "local = 10.0.0.1\nremote = 10.0.0.2\nkey = 1\n",
     11, "[gretap h1:b]: node 'h1' has one with the same ends already: 'a' (line 7)",
     "one GRETAP device between two addresses and a key; join them into one, or give them other "
     "addresses or keys"},
};

/* Every kind, both forms, with the keys each takes. */
static const char all_kinds[] =
    "[lab]\nname = t\n"
    "[node a]\naddr = 192.0.2.1/24 dev eth0\naddr = fd00::1/64 dev eth0\n"
    "iface = tap1 mac 02:00:00:00:00:0a\n"
    "[node b]\naddr = 192.0.2.2/24 dev eth0\naddr = fd00::2/64 dev eth0\n"
    "[links]\nlink = a:eth0 b:eth0\n"
    "[ipip ip1]\nmembers = a b\ndev = eth0\n"
    "[sit a:s1]\nlocal = 192.0.2.1\nremote = 192.0.2.9\nttl = 64\nmtu = 1400\n"
    "[ip6tnl t6]\nmembers = b a\ndev = eth0\nmode = ipip6\nttl = 0\n"
    "[ip6tnl b:t7]\nlocal = fd00::2\nremote = fd00::7\n"
    "[gretap tap1]\nmembers = a b\ndev = eth0\nkey = 7\n"
    "[ip6gre a:g6]\nlocal = fd00::1\nremote = fd00::2\nkey = 4294967295\n";

/* The plan's ip(8) lines: a mode wherever ip(8)'s default ('any') would
 * differ from up's; the key; a MAC and an MTU from 'iface' and 'mtu'. */
static void test_plan_lines(void **state)
{
	struct topo_lab *lab = kind_load(all_kinds);
	struct plan p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	static const char *const want[] = {
	    "ip -n t-a link add tap1 address 02:00:00:00:00:0a up type gretap remote 192.0.2.2 "
	    "local 192.0.2.1 ttl 255 key 7\n",
	    "ip -n t-b link add tap1 up type gretap remote 192.0.2.1 local 192.0.2.2 ttl 255 key "
	    "7\n",
	    "ip -n t-a link add g6 up type ip6gre remote fd00::2 local fd00::1 ttl 255 "
	    "key 4294967295\n",
	    "ip -n t-a link add ip1 up type ipip remote 192.0.2.2 local 192.0.2.1 ttl 255 mode "
	    "ipip\n",
	    "ip -n t-b link add ip1 up type ipip remote 192.0.2.1 local 192.0.2.2 ttl 255 mode "
	    "ipip\n",
	    "ip -n t-a link add s1 mtu 1400 up type sit remote 192.0.2.9 local 192.0.2.1 ttl 64 "
	    "mode ip6ip\n",
	    "ip -n t-b link add t6 up type ip6tnl remote fd00::1 local fd00::2 ttl 0 mode ipip6\n",
	    "ip -n t-a link add t6 up type ip6tnl remote fd00::2 local fd00::1 ttl 0 mode ipip6\n",
	    "ip -n t-b link add t7 up type ip6tnl remote fd00::7 local fd00::2 ttl 255 mode "
	    "ip6ip6\n",
	};

	assert_non_null(f);
	plan_build(lab, &p);
	plan_print(&p, f);
	fclose(f);
	const char *at = text;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *hit = strstr(text, want[i]);
		if (!hit)
			fprintf(stderr, "# missing: %s# in:\n%s", want[i], text);
		assert_non_null(hit);
		/* in creation order: the kinds' order in the table (gretap and ip6gre,
		 * which VLANs may sit on, before the layer-3 tunnels), then the file's */
		assert_true(hit >= at);
		at = hit;
	}
	/* each device is made once, by one step of its kind */
	size_t links = 0;
	vec_foreach (s, &p.steps)
		links += s->dev && s->dev->kind->tunnel;
	assert_int_equal(links, ARRAY_SIZE(want));
	free(text);
	plan_free(&p);
	topo_lab_free(lab);
}

/* The words of diff and save from the file: the keys of the single form. */
static char *attrs_of(const struct topo_lab *lab, const char *node, const char *ifname)
{
	const struct topo_iface *i = topo_iface_find(topo_node_find(lab, node), ifname);
	struct strvec v = {0}, fdbs = {0};
	struct sbuf b = {0};

	assert_non_null(i);
	i->dev->kind->attrs(i->dev, i, &v, &fdbs);
	assert_int_equal(fdbs.n, 0);
	vec_foreach (w, &v)
		sbuf_addf(&b, "%s%s", b.s ? ", " : "", *w);
	strvec_free(&v);
	return b.s;
}

static void test_attrs(void **state)
{
	struct topo_lab *lab = kind_load(all_kinds);
	static const struct {
		const char *node, *ifname, *words;
	} want[] = {
	    {"a", "ip1", "local 192.0.2.1, remote 192.0.2.2, ttl 255"},
	    {"b", "ip1", "local 192.0.2.2, remote 192.0.2.1, ttl 255"},
	    {"a", "s1", "local 192.0.2.1, remote 192.0.2.9, ttl 64"},
	    {"a", "t6", "local fd00::1, remote fd00::2, ttl 0, mode ipip6"},
	    {"b", "t7", "local fd00::2, remote fd00::7, ttl 255, mode ip6ip6"},
	    {"b", "tap1", "local 192.0.2.2, remote 192.0.2.1, ttl 255, key 7"},
	    {"a", "g6", "local fd00::1, remote fd00::2, ttl 255, key 4294967295"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *w = attrs_of(lab, want[i].node, want[i].ifname);
		assert_string_equal(w, want[i].words);
		free(w);
	}
	topo_lab_free(lab);
}

/* What the kernel reports, as libnl holds it after a dump: read_attrs
 * gives the file's words, tunnel() the ends and the outer protocol. */
static void check_link(struct rtnl_link *l, const char *words, const char *what, int proto,
		       uint32_t id)
{
	const struct link_kind *k = kind_by_name(rtnl_link_get_type(l));
	struct strvec v = {0};
	struct sbuf b = {0};
	struct kind_tunnel t;

	assert_non_null(k);
	k->read_attrs(l, NULL, &v);
	vec_foreach (w, &v)
		sbuf_addf(&b, "%s%s", b.s ? ", " : "", *w);
	assert_string_equal(b.s, words);
	assert_true(k->tunnel(l, &t));
	assert_string_equal(t.what, what);
	assert_int_equal(t.outer_proto, proto);
	assert_int_equal(t.id, id);
	assert_true(t.has_local && t.has_remote);
	assert_false(t.fdb_remotes);
	sbuf_free(&b);
	strvec_free(&v);
	rtnl_link_put(l);
}

static void test_kernel_words(void **state)
{
	struct in6_addr l6, r6;
	struct rtnl_link *l;

	inet_pton(AF_INET6, "fd00::1", &l6);
	inet_pton(AF_INET6, "fd00::2", &r6);

	l = rtnl_link_ipip_alloc();
	rtnl_link_ipip_set_local(l, inet_addr("192.0.2.1"));
	rtnl_link_ipip_set_remote(l, inet_addr("192.0.2.2"));
	rtnl_link_ipip_set_ttl(l, 64);
	check_link(l, "local 192.0.2.1, remote 192.0.2.2, ttl 64", "IPIP", IPPROTO_IPIP, 0);

	l = rtnl_link_sit_alloc();
	rtnl_link_sit_set_local(l, inet_addr("192.0.2.1"));
	rtnl_link_sit_set_remote(l, inet_addr("192.0.2.2"));
	rtnl_link_sit_set_ttl(l, 255);
	rtnl_link_sit_set_proto(l, IPPROTO_IPV6);
	check_link(l, "local 192.0.2.1, remote 192.0.2.2, ttl 255", "SIT", IPPROTO_IPV6, 0);

	l = rtnl_link_ip6_tnl_alloc();
	rtnl_link_ip6_tnl_set_local(l, &l6);
	rtnl_link_ip6_tnl_set_remote(l, &r6);
	rtnl_link_ip6_tnl_set_ttl(l, 255);
	rtnl_link_ip6_tnl_set_proto(l, IPPROTO_IPIP);
	check_link(l, "local fd00::1, remote fd00::2, ttl 255, mode ipip6", "ip6tnl (mode ipip6)",
		   IPPROTO_IPIP, 0);

	/* mode any: the outer protocol is the inner packet's; IPv6's stands */
	l = rtnl_link_ip6_tnl_alloc();
	rtnl_link_ip6_tnl_set_local(l, &l6);
	rtnl_link_ip6_tnl_set_remote(l, &r6);
	rtnl_link_ip6_tnl_set_proto(l, 0);
	check_link(l, "local fd00::1, remote fd00::2, ttl 0, mode any", "ip6tnl (mode any)",
		   IPPROTO_IPV6, 0);

	/* keys and their flag in network byte order, as the kernel has them */
	l = rtnl_link_ipgretap_alloc();
	rtnl_link_ipgre_set_local(l, inet_addr("192.0.2.1"));
	rtnl_link_ipgre_set_remote(l, inet_addr("192.0.2.2"));
	rtnl_link_ipgre_set_ttl(l, 255);
	rtnl_link_ipgre_set_ikey(l, htonl(70000));
	rtnl_link_ipgre_set_iflags(l, GRE_KEY);
	check_link(l, "local 192.0.2.1, remote 192.0.2.2, ttl 255, key 70000", "GRETAP (key 70000)",
		   IPPROTO_GRE, 70000);

	l = rtnl_link_ipgretap_alloc();
	rtnl_link_ipgre_set_local(l, inet_addr("192.0.2.1"));
	rtnl_link_ipgre_set_remote(l, inet_addr("192.0.2.2"));
	rtnl_link_ipgre_set_ikey(l, htonl(5)); /* no GRE_KEY flag: no key */
	check_link(l, "local 192.0.2.1, remote 192.0.2.2, ttl 0", "GRETAP", IPPROTO_GRE, 0);

	l = rtnl_link_ip6gre_alloc();
	rtnl_link_ip6gre_set_local(l, &l6);
	rtnl_link_ip6gre_set_remote(l, &r6);
	rtnl_link_ip6gre_set_ttl(l, 9);
	rtnl_link_ip6gre_set_ikey(l, htonl(4294967295u));
	rtnl_link_ip6gre_set_iflags(l, GRE_KEY);
	check_link(l, "local fd00::1, remote fd00::2, ttl 9, key 4294967295",
		   "ip6gre (key 4294967295)", IPPROTO_GRE, 4294967295u);
}

/* A fallback device (tunl0, ip6tnl0: no ends) is a tunnel with neither
 * end, which explain ranks below any device with ends. */
static void test_fallback_has_no_ends(void **state)
{
	struct rtnl_link *l = rtnl_link_ipip_alloc();
	struct kind_tunnel t;

	assert_true(kind_by_name("ipip")->tunnel(l, &t));
	assert_false(t.has_local);
	assert_false(t.has_remote);
	rtnl_link_put(l);
	l = rtnl_link_ip6_tnl_alloc();
	assert_true(kind_by_name("ip6tnl")->tunnel(l, &t));
	assert_false(t.has_local || t.has_remote);
	rtnl_link_put(l);
}

/* What the core reads of each kind: layer 2 only for gretap; the probe's
 * module, named in "kernel lacks ... (module M)". */
static void test_flags(void **state)
{
	static const struct {
		const char *name, *module, *title;
		bool layer3;
	} want[] = {
	    {"ipip", "ipip", "IPIP", true},	      {"sit", "sit", "SIT", true},
	    {"ip6tnl", "ip6_tunnel", "ip6tnl", true}, {"gretap", "ip_gre", "GRETAP", false},
	    {"ip6gre", "ip6_gre", "ip6gre", true},
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct link_kind *k = kind_by_section(want[i].name);
		assert_non_null(k);
		assert_ptr_equal(k, kind_by_name(want[i].name));
		assert_string_equal(k->probe_kind, want[i].name);
		assert_string_equal(k->probe_module, want[i].module);
		assert_string_equal(kind_title(k), want[i].title);
		assert_int_equal(k->layer3, want[i].layer3);
		assert_false(k->is_link || k->is_bridge || k->fdb_remote);
	}
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_plan_lines),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_kernel_words),
		cmocka_unit_test(test_fallback_has_no_ends),
		cmocka_unit_test(test_flags),
	};
	return kind_run_group("kind-tunnels", cases, ARRAY_SIZE(cases), fixed, ARRAY_SIZE(fixed));
}
