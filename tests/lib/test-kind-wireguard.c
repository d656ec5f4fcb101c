// SPDX-License-Identifier: MIT
/* WireGuard without a kernel: X25519 against RFC 7748's vectors, keys as
 * base64, the errors of [wireguard] sections, the plan's text and the
 * words diff and save compare. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parse.h"
#include "plan.h"
#include "state.h"
#include "validate.h"
#include "wgnl.h"

static void hex(const char *s, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void assert_key(const uint8_t got[32], const char *want_hex)
{
	uint8_t want[32];
	hex(want_hex, want);
	if (memcmp(got, want, 32) != 0) {
		fprintf(stderr, "# got  ");
		for (int i = 0; i < 32; i++)
			fprintf(stderr, "%02x", got[i]);
		fprintf(stderr, "\n# want %s\n", want_hex);
	}
	assert_memory_equal(got, want, 32);
}

/* RFC 7748 section 5.2: two scalar and u-coordinate pairs (the second u
 * has its top bit set, which X25519 must ignore) */
static void test_x25519_vectors(void **state)
{
	uint8_t k[32], u[32], out[32];

	hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", k);
	hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", u);
	wgnl_x25519(out, k, u);
	assert_key(out, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", k);
	hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493", u);
	wgnl_x25519(out, k, u);
	assert_key(out, "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

/* RFC 7748 section 5.2, iterated: k = u = 9; then k, u = X25519(k, u), k */
static void test_x25519_iterated(void **state)
{
	uint8_t k[32] = {9}, u[32] = {9}, r[32];

	for (int i = 1; i <= 1000; i++) {
		wgnl_x25519(r, k, u);
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1)
			assert_key(
			    k, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	}
	assert_key(k, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

/* RFC 7748 section 6.1: Alice's and Bob's public keys, and their shared
 * secret computed from both sides */
static void test_x25519_diffie_hellman(void **state)
{
	uint8_t a[32], b[32], pa[32], pb[32], s1[32], s2[32];

	hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
	hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b);
	wgnl_key_public(pa, a);
	wgnl_key_public(pb, b);
	assert_key(pa, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	assert_key(pb, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	wgnl_x25519(s1, a, pb);
	wgnl_x25519(s2, b, pa);
	assert_key(s1, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	assert_key(s2, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

/* Keys as wg(8) writes them: 44 characters, one '=' */
static void test_base64(void **state)
{
	uint8_t a[32], back[32];
	char text[WGNL_KEY_B64_LEN + 1];

	hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
	wgnl_key_to_base64(a, text);
	assert_string_equal(text, "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
	assert_int_equal(wgnl_key_from_base64(text, back), 0);
	assert_memory_equal(a, back, 32);
	/* wg pubkey's answer for this key */
	wgnl_key_public(back, a);
	wgnl_key_to_base64(back, text);
	assert_string_equal(text, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
	static const char *const bad[] = {
	    "",
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo",   /* no '=' */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC=",   /* 43 characters */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoo=", /* 45 */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=",  /* stray low bits */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L-o=",  /* URL-safe alphabet */
	    "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC==",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(back, 0x55, 32);
		assert_int_equal(wgnl_key_from_base64(bad[i], back), -EINVAL);
		assert_int_equal(back[0], 0x55); /* untouched on failure */
	}
}

/* New keys are clamped as wg genkey's, and not the same twice */
static void test_generate(void **state)
{
	uint8_t k1[32], k2[32];

	assert_int_equal(wgnl_key_generate(k1), 0);
	assert_int_equal(wgnl_key_generate(k2), 0);
	assert_memory_not_equal(k1, k2, 32);
	assert_int_equal(k1[0] & 7, 0);
	assert_int_equal(k1[31] & 0xc0, 0x40);
}

static void test_endpoint(void **state)
{
	struct ipaddr a;
	uint16_t port;
	char buf[WGNL_ENDPOINT_STRLEN];

	assert_int_equal(wgnl_endpoint_parse("192.0.2.1:51820", &a, &port), 0);
	assert_string_equal(wgnl_endpoint_str(&a, port, buf), "192.0.2.1:51820");
	assert_int_equal(wgnl_endpoint_parse("[fd00::1]:9", &a, &port), 0);
	assert_string_equal(wgnl_endpoint_str(&a, port, buf), "[fd00::1]:9");
	assert_int_equal(wgnl_endpoint_parse("fd00::1:9", &a, &port), -EINVAL);
	assert_int_equal(wgnl_endpoint_parse("192.0.2.1", &a, &port), -EINVAL);
	assert_int_equal(wgnl_endpoint_parse("192.0.2.1:0", &a, &port), -EINVAL);
	assert_int_equal(wgnl_endpoint_parse("host.example:51820", &a, &port), -EINVAL);
}

/* Lines 1 to 14: three nodes on one bridge, each with an address on wg0. */
#define MESH                                                                   \
	"[node a]\naddr = 192.0.2.1/24 dev eth0\naddr = 10.9.0.1/24 dev wg0\n" \
	"[node b]\naddr = 192.0.2.2/24 dev eth0\naddr = 10.9.0.2/24 dev wg0\n" \
	"[node c]\naddr = 192.0.2.3/24 dev eth0\naddr = 10.9.0.3/24 dev wg0\n" \
	"[bridge lan]\n[links]\nlink = a:eth0 lan\nlink = b:eth0 lan\nlink = c:eth0 lan\n"
/* Lines 1 to 10: two nodes, an address on t0 each, b's t0 by hand. */
#define PAIR                                                                  \
	"[node a]\naddr = 192.0.2.1/24 dev eth0\naddr = 10.8.0.1/24 dev t0\n" \
	"[node b]\naddr = 192.0.2.2/24 dev eth0\naddr = 10.8.0.2/24 dev t0\n" \
	"[links]\nlink = a:eth0 b:eth0\n"                                     \
	"[wireguard b:t0]\npeer = a:t0 endpoint 192.0.2.1:51820\n"
#define KEY_A "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define PUB_A "pOCSkrZRwni5dyxWn1+puxPZBrRqtoyd+dwrRAn4ogk="
#define PUB_B "zo060cy2M+x7cMF4FKXHbs0CloUFDTRHRboFhw5YfVk="

struct bad {
	const char *ini;
	unsigned line;
	const char *msg, *hint;
};

static const struct bad bad_cases[] = {
    {MESH "[wireguard wg0]\ndev = eth0\n", 15, "[wireguard wg0] has no 'members'",
     "add 'members = NODE NODE ...'"},
    {MESH "[wireguard wg0]\nmembers = a\ndev = eth0\n", 16,
     "a WireGuard mesh needs two or more members", "list at least two nodes"},
    {MESH "[wireguard wg0]\nmembers = a b c\n", 15, "[wireguard wg0] has no 'dev'",
     "add 'dev = eth0', the members' underlay interface"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nport = 0\n", 18, "bad port '0'",
     "'port' is a whole number from 1 to 65535"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nkeepalive = 70000\n", 18,
     "bad keepalive '70000'", "'keepalive' is a whole number from 0 to 65535"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nprivate-key = " KEY_A "\n", 18,
     "'private-key' is for [wireguard NODE:NAME], not a mesh",
     "a mesh makes every member's key and peers; for one device write [wireguard NODE:NAME]"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nallowed-ips = z 10.5.0.0/24\n", 18,
     "'z' is not a member of [wireguard wg0]", "name a member: a b c"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nallowed-ips = a\n", 18,
     "'allowed-ips' needs a member and prefixes",
     "write 'allowed-ips = NODE CIDR,...', the subnets behind a member"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nallowed-ips = a 10.5.0.1/24\n", 18,
     "allowed IP '10.5.0.1/24' has host bits set", "write '10.5.0.0/24'"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nallowed-ips = a 10.5.0.0/24\n"
	  "allowed-ips = b 10.6.0.0/24,10.5.0.0/24\n",
     15, "allowed IP 10.5.0.0/24 is both 'a''s and 'b''s", "give each prefix to one member"},
    {MESH "[node d]\n[wireguard wg0]\nmembers = a b c d\ndev = eth0\n", 16,
     "member 'd' has no address on 'eth0' for its endpoint",
     "add 'addr = ... dev eth0' to [node d] and link its interface"},
    {MESH "[node d]\naddr = 192.0.2.4/24 dev eth0\n[links]\nlink = d:eth0 lan\n"
	  "[wireguard wg0]\nmembers = a b c d\ndev = eth0\n",
     19, "member 'd' has no address on 'wg0': its peers would send it nothing",
     "add 'addr = ... dev wg0' to [node d], or 'allowed-ips = d CIDR' here"},
    {MESH "[wireguard wg0]\nmembers = a b\ndev = eth0\n[wireguard a:wg1]\n", 18,
     "WireGuard devices 'wg0' and 'wg1' of node 'a' both listen on UDP 51820",
     "give one of them another 'port'"},
    /* the single form */
    {PAIR "[wireguard a:t0]\nkeepalive = 25\n", 12,
     "'keepalive' is for a mesh [wireguard NAME], not [wireguard NODE:NAME]",
     "give it on a peer line: 'peer = ... allowed-ips CIDR,... keepalive N'"},
    {PAIR "[wireguard a:t0]\nmembers = a b\n", 12,
     "'members' is for a mesh [wireguard NAME], not [wireguard NODE:NAME]",
     "write [wireguard NAME] with 'members = A B ...' and 'dev = IF' for a mesh"},
    {PAIR "[wireguard a:t0]\nprivate-key = abc\n", 12, "bad private key",
     "a private key is 44 characters of base64 ending in '=' (wg genkey); leave the line out "
     "and nslab makes one"},
    {PAIR "[wireguard a:t0]\npeer = abc\n", 12, "bad public key 'abc'",
     "a public key is 44 characters of base64 ending in '=' (wg pubkey), or name a WireGuard "
     "device of the lab: NODE:NAME"},
    {PAIR "[wireguard a:t0]\npeer = b:t9\n", 12, "peer 'b:t9' is not a WireGuard device of the lab",
     "name a WireGuard device of the lab as NODE:NAME, or give its public key"},
    {PAIR "[wireguard a:t0]\npeer = b:eth0\n", 12,
     "peer 'b:eth0' is not a WireGuard device of the lab",
     "name a WireGuard device of the lab as NODE:NAME, or give its public key"},
    {PAIR "[wireguard a:t0]\npeer = a:t0\n", 12, "[wireguard a:t0] is its own peer",
     "name another device"},
    {PAIR "[wireguard a:t0]\npeer = b:t0\npeer = " PUB_B "\npeer = b:t0 keepalive 5\n", 14,
     "the same peer as line 12", "give each peer one line"},
    {PAIR "[wireguard a:t0]\npeer = " PUB_B " endpoint 192.0.2.2\n", 12, "bad endpoint '192.0.2.2'",
     "write ADDR:PORT, e.g. 192.0.2.1:51820 or [fd00::1]:51820"},
    {PAIR "[wireguard a:t0]\npeer = " PUB_B " endpoint fd00::2:51820\n", 12,
     "bad endpoint 'fd00::2:51820'", "write ADDR:PORT, e.g. 192.0.2.1:51820 or [fd00::1]:51820"},
    {PAIR "[wireguard a:t0]\npeer = " PUB_B " allowed-ips 10.8.0.0/33\n", 12,
     "bad allowed IP '10.8.0.0/33'", "write prefixes such as 10.1.0.0/24,fd00::/64"},
    {PAIR "[wireguard a:t0]\npeer = " PUB_B " endpoint\n", 12, "'endpoint' of 'peer' needs a value",
     "write 'peer = PUBLIC-KEY|NODE:NAME [endpoint ADDR:PORT] [allowed-ips CIDR,...] "
     "[keepalive N]'"},
    {PAIR "[wireguard a:t0]\npeer = " PUB_B " ttl 5\n", 12, "unknown word 'ttl' in 'peer'",
     "write 'peer = PUBLIC-KEY|NODE:NAME [endpoint ADDR:PORT] [allowed-ips CIDR,...] "
     "[keepalive N]'"},
    {PAIR "[wireguard a:t0]\npeer = b:t0 keepalive x\n", 12, "bad keepalive 'x'",
     "'keepalive' is a whole number from 0 to 65535"},
    {PAIR "[wireguard a:t0]\nport = 1\nport = 2\n", 13,
     "key 'port' given twice in [wireguard a:t0] (first at line 12)",
     "give it once; remove one of the two lines"},
    {PAIR "[wireguard a:t0]\n[node c]\n[wireguard c:t0]\n[wireguard a:t1]\nport = 9\npeer = c:t0\n",
     16, "peer 'c:t0' has no address on 't0'",
     "add 'allowed-ips CIDR,...' to the line, or an address on 't0' to [node c]"},
    {MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nttl = 5\n", 18,
     "unknown key 'ttl' in [wireguard wg0]",
     "keys here are 'members', 'dev', 'port', 'keepalive', 'allowed-ips', 'mtu', "
     "'private-key', 'peer'"},
};

static void print_all(const struct diag *d)
{
	vec_foreach (m, &d->msgs)
		fprintf(stderr, "#   got %s:%u: %s (%s)\n", m->loc.file, m->loc.line, m->msg,
			m->hint ? m->hint : "no hint");
}

static void test_bad(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad *c = &bad_cases[i];
		struct diag d = {0};
		struct topo_lab *lab = topo_parse_string(c->ini, "t.ini", &d);
		bool found = false;
		topo_validate(lab, &d);
		vec_foreach (m, &d.msgs)
			found |= m->loc.line == c->line && streq(m->msg, c->msg) && m->hint &&
				 streq(m->hint, c->hint);
		if (!found) {
			fprintf(stderr, "# case %zu: expected t.ini:%u: %s (%s)\n", i, c->line,
				c->msg, c->hint);
			print_all(&d);
		}
		assert_true(found);
		topo_lab_free(lab);
		diag_free(&d);
	}
}

static struct topo_lab *load(const char *ini)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(ini, "t.ini", &d);

	topo_validate(lab, &d);
	print_all(&d);
	assert_int_equal(diag_count(&d), 0);
	diag_free(&d);
	return lab;
}

static char *plan_text(struct topo_lab *lab)
{
	struct plan p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	plan_build(lab, &p);
	plan_print(&p, f);
	fclose(f);
	plan_free(&p);
	return text;
}

static void assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fprintf(stderr, "# no\n%s# in\n%s", want, text);
	assert_non_null(strstr(text, want));
}

/* A mesh: keys made in the shell, every member a peer of the others */
static void test_plan_mesh(void **state)
{
	struct topo_lab *lab =
	    load(MESH "[wireguard wg0]\nmembers = a b c\ndev = eth0\nport = 51000\n"
		      "keepalive = 25\nallowed-ips = c 10.3.0.0/24 fd00:3::/64\n"
		      "mtu = 1380\n");
	_cleanup_free_ char *t = plan_text(lab);

	assert_has(t,
		   "\n# WireGuard keys of wg0, kept in this shell only (wg genkey unless given)\n"
		   "wg_a__wg0=$(wg genkey)\n"
		   "wg_a__wg0_pub=$(printf '%s\\n' \"$wg_a__wg0\" | wg pubkey)\n"
		   "wg_b__wg0=$(wg genkey)\n");
	/* the keys come before any link */
	assert_true(strstr(t, "wg_c__wg0_pub=") < strstr(t, "link add"));
	assert_has(t, "ip -n t-a link add wg0 mtu 1380 up type wireguard\n"
		      "printf '%s\\n' \"$wg_a__wg0\" | ip netns exec t-a wg set wg0 private-key "
		      "/proc/self/fd/0 listen-port 51000 \\\n"
		      "\tpeer \"$wg_b__wg0_pub\" endpoint 192.0.2.2:51000 allowed-ips 10.9.0.2/32 "
		      "persistent-keepalive 25 \\\n"
		      "\tpeer \"$wg_c__wg0_pub\" endpoint 192.0.2.3:51000 allowed-ips "
		      "10.9.0.3/32,10.3.0.0/24,fd00:3::/64 persistent-keepalive 25\n");
	assert_has(t, "\tpeer \"$wg_a__wg0_pub\" endpoint 192.0.2.1:51000 allowed-ips 10.9.0.1/32 "
		      "persistent-keepalive 25 \\\n");
	topo_lab_free(lab);
}

/* One device by hand: a given key (printed: it is in the file), peers by
 * NODE:NAME (their variable) and by key, an IPv6 endpoint */
static void test_plan_single(void **state)
{
	struct topo_lab *lab = load(PAIR "[wireguard a:t0]\nprivate-key = " KEY_A "\nport = 51821\n"
					 "peer = b:t0 endpoint 192.0.2.2:51820 keepalive 10\n"
					 "peer = " PUB_B " endpoint [fd00::9]:4500 allowed-ips "
					 "10.7.0.0/16,10.6.0.0/16\n");
	_cleanup_free_ char *t = plan_text(lab);

	assert_has(t, "wg_a__t0='" KEY_A
		      "'\nwg_a__t0_pub=$(printf '%s\\n' \"$wg_a__t0\" | wg pubkey)\n");
	assert_has(t, "wg_b__t0=$(wg genkey)\n");
	assert_has(t, "ip -n t-a link add t0 up type wireguard\n"
		      "printf '%s\\n' \"$wg_a__t0\" | ip netns exec t-a wg set t0 private-key "
		      "/proc/self/fd/0 listen-port 51821 \\\n"
		      "\tpeer \"$wg_b__t0_pub\" endpoint 192.0.2.2:51820 allowed-ips 10.8.0.2/32 "
		      "persistent-keepalive 10 \\\n"
		      "\tpeer " PUB_B
		      " endpoint [fd00::9]:4500 allowed-ips 10.7.0.0/16,10.6.0.0/16\n");
	/* b's key is made; its peer a is named by a's variable */
	assert_has(t,
		   "ip netns exec t-b wg set t0 private-key /proc/self/fd/0 listen-port 51820 \\\n"
		   "\tpeer \"$wg_a__t0_pub\" endpoint 192.0.2.1:51820 allowed-ips 10.8.0.1/32\n");
	topo_lab_free(lab);
}

/* Shell variables stay apart whatever the names: '_', '-', '.' escaped */
static void test_plan_names(void **state)
{
	struct topo_lab *lab = load("[node r-1.x]\n[node r_1]\n[wireguard r-1.x:wg_0]\n"
				    "[wireguard r_1:wg-0]\n");
	_cleanup_free_ char *t = plan_text(lab);

	assert_has(t, "wg_r_d1_px__wg_u0=$(wg genkey)\n");
	assert_has(t, "wg_r_u1__wg_d0=$(wg genkey)\n");
	topo_lab_free(lab);
}

/* What diff compares: the port and each peer, NODE:NAME for the lab's own
 * devices (a key given as text included), sorted allowed IPs; no key */
static void test_attrs(void **state)
{
	struct topo_lab *lab = load(
	    PAIR "[wireguard a:t0]\nprivate-key = " KEY_A "\npeer = b:t0 keepalive 10\n"
		 "[node c]\naddr = 10.8.0.3/24 dev t0\n[wireguard c:t0]\n"
		 "peer = " PUB_A " endpoint 192.0.2.1:51820 allowed-ips 10.8.0.1/32,10.0.0.0/8\n"
		 "peer = " PUB_B "\n");
	struct facts f = {0};
	struct sbuf b = {0};

	state_expected(lab, &f);
	vec_foreach (x, &f.v)
		sbuf_addf(&b, "%s|%s|%s\n", x->node, x->key, x->value);
	assert_has(b.s, "a|t0 peer|b:t0 allowed-ips 10.8.0.2/32 keepalive 10\n");
	assert_has(b.s, "a|t0 port|51820\n");
	assert_has(b.s, "a|t0 mtu|1420\n");
	assert_has(b.s, "b|t0 peer|a:t0 endpoint 192.0.2.1:51820 allowed-ips 10.8.0.1/32\n");
	assert_has(b.s,
		   "c|t0 peer|a:t0 endpoint 192.0.2.1:51820 allowed-ips 10.0.0.0/8,10.8.0.1/32\n");
	assert_has(b.s, "c|t0 peer|" PUB_B "\n");
	assert_null(strstr(b.s, KEY_A));
	assert_null(strstr(b.s, "private"));
	sbuf_free(&b);
	facts_free(&f);
	topo_lab_free(lab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_x25519_vectors),
	    cmocka_unit_test(test_x25519_iterated),
	    cmocka_unit_test(test_x25519_diffie_hellman),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_generate),
	    cmocka_unit_test(test_endpoint),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_plan_mesh),
	    cmocka_unit_test(test_plan_single),
	    cmocka_unit_test(test_plan_names),
	    cmocka_unit_test(test_attrs),
	};
	return cmocka_run_group_tests_name("kind-wireguard", tests, NULL, NULL);
}
