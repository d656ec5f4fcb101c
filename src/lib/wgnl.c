// SPDX-License-Identifier: MIT
#include "wgnl.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "plan.h"

#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/random.h>

/* ---- X25519, RFC 7748 ----
 * Field elements mod p = 2^255 - 19 as five limbs of 51 bits (radix
 * 2^51), products in 128 bits. Limbs may exceed 51 bits between
 * operations: additions leave them under 2^53, and fe_mul takes inputs
 * under 2^54, so no intermediate overflows. No branch and no memory
 * access depends on a secret (the ladder swaps with a mask). */

typedef uint64_t fe[5];
typedef unsigned __int128 u128;
#define MASK51 ((UINT64_C(1) << 51) - 1)

static uint64_t load64_le(const uint8_t *b)
{
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = (x << 8) | b[i];
	return x;
}

static void store64_le(uint8_t *b, uint64_t x)
{
	for (int i = 0; i < 8; i++, x >>= 8)
		b[i] = (uint8_t)x;
}

/* Decode u (RFC 7748 section 5: the top bit is masked; values from p to
 * 2^255 - 1 are taken as they are, reduced by the arithmetic). */
static void fe_frombytes(fe h, const uint8_t s[32])
{
	h[0] = load64_le(s) & MASK51;
	h[1] = (load64_le(s + 6) >> 3) & MASK51;
	h[2] = (load64_le(s + 12) >> 6) & MASK51;
	h[3] = (load64_le(s + 19) >> 1) & MASK51;
	h[4] = (load64_le(s + 24) >> 12) & MASK51;
}

static void fe_carry(fe h)
{
	uint64_t c;

	c = h[0] >> 51, h[0] &= MASK51, h[1] += c;
	c = h[1] >> 51, h[1] &= MASK51, h[2] += c;
	c = h[2] >> 51, h[2] &= MASK51, h[3] += c;
	c = h[3] >> 51, h[3] &= MASK51, h[4] += c;
	c = h[4] >> 51, h[4] &= MASK51, h[0] += 19 * c; /* 2^255 = 19 mod p */
}

static void fe_add(fe h, const fe f, const fe g)
{
	for (int i = 0; i < 5; i++)
		h[i] = f[i] + g[i];
}

/* f - g as f + 4p - g: every limb of 4p (2^53 - 76, 2^53 - 4) is above
 * any g here (under 2^52), so no limb goes below zero. */
static void fe_sub(fe h, const fe f, const fe g)
{
	static const uint64_t p4[5] = {(MASK51 - 18) * 4, MASK51 * 4, MASK51 * 4, MASK51 * 4,
				       MASK51 * 4};

	for (int i = 0; i < 5; i++)
		h[i] = f[i] + p4[i] - g[i];
	fe_carry(h);
}

/* Reduce the five 128-bit column sums into h. */
static void fe_reduce(fe h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	r1 += (uint64_t)(r0 >> 51);
	r2 += (uint64_t)(r1 >> 51);
	r3 += (uint64_t)(r2 >> 51);
	r4 += (uint64_t)(r3 >> 51);
	uint64_t c = (uint64_t)(r4 >> 51);
	h[0] = ((uint64_t)r0 & MASK51) + 19 * c;
	h[1] = ((uint64_t)r1 & MASK51) + (h[0] >> 51);
	h[0] &= MASK51;
	h[2] = (uint64_t)r2 & MASK51;
	h[3] = (uint64_t)r3 & MASK51;
	h[4] = (uint64_t)r4 & MASK51;
}

static void fe_mul(fe h, const fe f, const fe g)
{
	uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
	/* limbs i + j >= 5 wrap around times 19 */
	uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;

	u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 +
		  (u128)f4 * g1_19;
	u128 r1 =
	    (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
	u128 r2 =
	    (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
	u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
	u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
	fe_reduce(h, r0, r1, r2, r3, r4);
}

static void fe_sq(fe h, const fe f)
{
	fe_mul(h, f, f);
}

/* f * a24, a24 = (486662 - 2) / 4 = 121665 (RFC 7748 section 5) */
static void fe_mul_a24(fe h, const fe f)
{
	fe_reduce(h, (u128)f[0] * 121665, (u128)f[1] * 121665, (u128)f[2] * 121665,
		  (u128)f[3] * 121665, (u128)f[4] * 121665);
}

/* z^(p - 2) = 1/z (Fermat). The exponent, 2^255 - 21, is public: bits 254
 * to 8 are ones, the low byte is 0xeb. */
static void fe_invert(fe out, const fe z)
{
	fe r = {1, 0, 0, 0, 0};

	for (int i = 254; i >= 0; i--) {
		fe_sq(r, r);
		if (i >= 8 || ((0xeb >> i) & 1))
			fe_mul(r, r, z);
	}
	memcpy(out, r, sizeof(fe));
}

/* The unique representative below p, little-endian. */
static void fe_tobytes(uint8_t s[32], const fe h)
{
	fe t;
	uint64_t q;

	memcpy(t, h, sizeof(fe));
	fe_carry(t);
	fe_carry(t); /* now t < 2^255 + 2^51: subtract p at most once */
	/* q = 1 when t >= p, that is when t + 19 carries out of 2^255 */
	q = (t[0] + 19) >> 51;
	q = (t[1] + q) >> 51;
	q = (t[2] + q) >> 51;
	q = (t[3] + q) >> 51;
	q = (t[4] + q) >> 51;
	t[0] += 19 * q;
	t[1] += t[0] >> 51, t[0] &= MASK51;
	t[2] += t[1] >> 51, t[1] &= MASK51;
	t[3] += t[2] >> 51, t[2] &= MASK51;
	t[4] += t[3] >> 51, t[3] &= MASK51;
	t[4] &= MASK51; /* the carry out is the 2^255 of q * p */
	store64_le(s, t[0] | t[1] << 51);
	store64_le(s + 8, t[1] >> 13 | t[2] << 38);
	store64_le(s + 16, t[2] >> 26 | t[3] << 25);
	store64_le(s + 24, t[3] >> 39 | t[4] << 12);
}

static void fe_cswap(fe a, fe b, uint64_t swap)
{
	uint64_t mask = 0 - swap;

	for (int i = 0; i < 5; i++) {
		uint64_t x = mask & (a[i] ^ b[i]);
		a[i] ^= x;
		b[i] ^= x;
	}
}

void wgnl_x25519(uint8_t out[WGNL_KEY_LEN], const uint8_t scalar[WGNL_KEY_LEN],
		 const uint8_t u[WGNL_KEY_LEN])
{
	uint8_t k[32];
	fe x1, x2 = {1}, z2 = {0}, x3, z3 = {1}, a, aa, b, bb, e, c, d, da, cb, t;
	uint64_t swap = 0;

	memcpy(k, scalar, 32);
	k[0] &= 248; /* decodeScalar25519 */
	k[31] &= 127;
	k[31] |= 64;
	fe_frombytes(x1, u);
	memcpy(x3, x1, sizeof(fe));
	/* The Montgomery ladder of RFC 7748 section 5, bit 254 down to 0 */
	for (int pos = 254; pos >= 0; pos--) {
		uint64_t bit = (k[pos >> 3] >> (pos & 7)) & 1;
		swap ^= bit;
		fe_cswap(x2, x3, swap);
		fe_cswap(z2, z3, swap);
		swap = bit;
		fe_add(a, x2, z2);
		fe_sq(aa, a);
		fe_sub(b, x2, z2);
		fe_sq(bb, b);
		fe_sub(e, aa, bb);
		fe_add(c, x3, z3);
		fe_sub(d, x3, z3);
		fe_mul(da, d, a);
		fe_mul(cb, c, b);
		fe_add(t, da, cb);
		fe_sq(x3, t);
		fe_sub(t, da, cb);
		fe_sq(t, t);
		fe_mul(z3, x1, t);
		fe_mul(x2, aa, bb);
		fe_mul_a24(t, e);
		fe_add(t, aa, t);
		fe_mul(z2, e, t);
	}
	fe_cswap(x2, x3, swap);
	fe_cswap(z2, z3, swap);
	fe_invert(t, z2);
	fe_mul(x2, x2, t);
	fe_tobytes(out, x2);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(x2, sizeof(x2));
	explicit_bzero(z2, sizeof(z2));
	explicit_bzero(x3, sizeof(x3));
	explicit_bzero(z3, sizeof(z3));
}

void wgnl_key_public(uint8_t pub[WGNL_KEY_LEN], const uint8_t priv[WGNL_KEY_LEN])
{
	static const uint8_t base[32] = {9};

	wgnl_x25519(pub, priv, base);
}

int wgnl_key_generate(uint8_t priv[WGNL_KEY_LEN])
{
	size_t got = 0;

	/* getrandom() without flags blocks until the pool is ready, never
	 * returns weak bytes; it may return fewer than asked when a signal
	 * comes */
	while (got < WGNL_KEY_LEN) {
		ssize_t n = getrandom(priv + got, WGNL_KEY_LEN - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	priv[0] &= 248; /* as wg genkey: the key is the scalar X25519 uses */
	priv[31] &= 127;
	priv[31] |= 64;
	return 0;
}

/* ---- base64 (RFC 4648), one 32-byte key at a time ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void wgnl_key_to_base64(const uint8_t key[WGNL_KEY_LEN], char out[WGNL_KEY_B64_LEN + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < WGNL_KEY_LEN; i += 3) {
		uint32_t v = (uint32_t)key[i] << 16;
		size_t n = WGNL_KEY_LEN - i < 3 ? WGNL_KEY_LEN - i : 3;
		if (n > 1)
			v |= (uint32_t)key[i + 1] << 8;
		if (n > 2)
			v |= key[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = n > 1 ? b64[(v >> 6) & 63] : '=';
		out[o++] = n > 2 ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

int wgnl_key_from_base64(const char *s, uint8_t ret[WGNL_KEY_LEN])
{
	uint8_t k[WGNL_KEY_LEN];
	uint32_t acc = 0;
	size_t o = 0;

	if (strlen(s) != WGNL_KEY_B64_LEN || s[43] != '=')
		return -EINVAL;
	for (size_t i = 0; i < 43; i++) {
		int v = b64_value(s[i]);
		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			k[o++] = (uint8_t)(acc >> 16);
			k[o++] = (uint8_t)(acc >> 8);
			k[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	/* 40 characters made 30 bytes; the last three carry 18 bits: 16 of
	 * key and 2 that must be zero (or the text is not this key's) */
	if (acc & 3)
		return -EINVAL;
	k[o++] = (uint8_t)(acc >> 10);
	k[o++] = (uint8_t)(acc >> 2);
	memcpy(ret, k, WGNL_KEY_LEN);
	explicit_bzero(k, sizeof(k));
	return 0;
}

/* ---- generic netlink ---- */

void wgnl_device_free(struct wgnl_device *d)
{
	vec_foreach (p, &d->peers)
		vec_free(&p->allowed);
	vec_free(&d->peers);
	explicit_bzero(d->priv, sizeof(d->priv));
}

/* A generic netlink request: netlink header, genl header, no attributes. */
static struct nl_msg *genl_msg(int family, int flags, uint8_t cmd, uint8_t version, size_t size)
{
	struct nl_msg *m = nlmsg_alloc_size(size);
	struct nlmsghdr *h;

	if (!m)
		return NULL;
	h = nlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, GENL_HDRLEN, flags);
	if (!h) {
		nlmsg_free(m);
		return NULL;
	}
	struct genlmsghdr *g = nlmsg_data(h);
	g->cmd = cmd;
	g->version = version;
	return m;
}

/* Send m (consumed) and run each answer through fn until the end of the
 * answer (one message, or a dump's DONE). Errors: the socket's own error
 * callback (an nl_ctx's keeps the kernel's errno), else libnl's code. */
static int genl_exchange(struct nl_sock *sk, struct nl_msg *m, nl_recvmsg_msg_cb_t fn, void *arg)
{
	struct nl_cb *own = nl_socket_get_cb(sk); /* a reference */
	struct nl_cb *cb = own ? nl_cb_clone(own) : NULL;
	int r;

	if (own)
		nl_cb_put(own);
	if (!cb) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	r = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (r >= 0)
		r = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (r >= 0)
		return 0;
	return r == -NLE_OBJ_NOTFOUND ? -ENOENT
	       : r == -NLE_NODEV      ? -ENODEV
	       : r == -NLE_PERM	      ? -EPERM
	       : r == -NLE_NOMEM      ? -ENOMEM
				      : -EIO;
}

static int family_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int *id = arg;

	if (nlmsg_parse(nlmsg_hdr(msg), GENL_HDRLEN, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] || nla_len(tb[CTRL_ATTR_FAMILY_ID]) < 2)
		return NL_SKIP;
	*id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return NL_OK;
}

int wgnl_family(struct nl_sock *sk)
{
	/* no ACK: the answer is the family, or an error */
	struct nl_msg *m = genl_msg(GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1, 256);
	int id = -ENOENT;

	/* libnl would ask every request for an ACK, and an ACK left unread
	 * after an answer breaks the next request: ask where it is needed */
	nl_socket_disable_auto_ack(sk);
	if (!m || nla_put_string(m, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME) < 0) {
		if (m)
			nlmsg_free(m);
		return -ENOMEM;
	}
	int r = genl_exchange(sk, m, family_cb, &id);
	return r < 0 ? r : id;
}

static int put_endpoint(struct nl_msg *m, const struct wgnl_peer *p)
{
	if (p->endpoint.family == AF_INET) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_port = htons(p->endpoint_port)};
		memcpy(&sa.sin_addr, p->endpoint.a, 4);
		return nla_put(m, WGPEER_A_ENDPOINT, sizeof(sa), &sa);
	}
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(p->endpoint_port)};
	memcpy(&sa.sin6_addr, p->endpoint.a, 16);
	return nla_put(m, WGPEER_A_ENDPOINT, sizeof(sa), &sa);
}

static int put_peer(struct nl_msg *m, const struct wgnl_peer *p)
{
	/* entries of a nested array: the kernel reads them in order and
	 * ignores their type (wg(8) writes 0) */
	struct nlattr *peer = nla_nest_start(m, 0), *ips;

	if (!peer || nla_put(m, WGPEER_A_PUBLIC_KEY, WGNL_KEY_LEN, p->pub) < 0 ||
	    nla_put_u32(m, WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS) < 0 ||
	    nla_put_u16(m, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive) < 0)
		return -ENOMEM;
	if (p->has_endpoint && put_endpoint(m, p) < 0)
		return -ENOMEM;
	ips = nla_nest_start(m, WGPEER_A_ALLOWEDIPS);
	if (!ips)
		return -ENOMEM;
	vec_foreach (a, &p->allowed) {
		struct nlattr *ip = nla_nest_start(m, 0);
		if (!ip || nla_put_u16(m, WGALLOWEDIP_A_FAMILY, a->family) < 0 ||
		    nla_put(m, WGALLOWEDIP_A_IPADDR, (int)ipaddr_bytes(a), a->a) < 0 ||
		    nla_put_u8(m, WGALLOWEDIP_A_CIDR_MASK, a->len) < 0)
			return -ENOMEM;
		nla_nest_end(m, ip);
	}
	nla_nest_end(m, ips);
	nla_nest_end(m, peer);
	return 0;
}

struct nl_msg *wgnl_set_msg(int family, uint32_t ifindex, const struct wgnl_device *d)
{
	/* room for everything: the kernel takes one message, however big */
	size_t size = 512;
	vec_foreach (p, &d->peers)
		size += 160 + 48 * p->allowed.n;
	struct nl_msg *m =
	    genl_msg(family, NLM_F_REQUEST | NLM_F_ACK, WG_CMD_SET_DEVICE, WG_GENL_VERSION, size);
	struct nlattr *peers;

	if (!m)
		return NULL;
	if (nla_put_u32(m, WGDEVICE_A_IFINDEX, ifindex) < 0 ||
	    nla_put_u16(m, WGDEVICE_A_LISTEN_PORT, d->port) < 0 ||
	    nla_put_u32(m, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS) < 0 ||
	    (d->has_private && nla_put(m, WGDEVICE_A_PRIVATE_KEY, WGNL_KEY_LEN, d->priv) < 0) ||
	    !(peers = nla_nest_start(m, WGDEVICE_A_PEERS)))
		goto fail;
	vec_foreach (p, &d->peers)
		if (put_peer(m, p) < 0)
			goto fail;
	nla_nest_end(m, peers);
	return m;
fail:
	nlmsg_free(m);
	return NULL;
}

int wgnl_set_in(struct nl_ctx *nl, const struct topo_node *n, uint32_t ifindex,
		const struct wgnl_device *d, struct sbuf *err)
{
	struct nl_sock *sk = NULL;
	int r = 0;

	/* a socket belongs for good to the namespace it is made in */
	if (netns_enter(nl_nsfd(nl, n)) < 0)
		r = -errno;
	else
		sk = nl_open_proto_here(nl, NETLINK_GENERIC, &r);
	if (netns_enter(nl->orig_netns) < 0)
		abort(); /* never carry on in the wrong namespace */
	int family = sk ? wgnl_family(sk) : r;
	if (family < 0) {
		sbuf_addf(err, "generic netlink family '%s': %s", WG_GENL_NAME, strerror(-family));
		r = family;
	} else {
		struct nl_msg *m = wgnl_set_msg(family, ifindex, d);
		/* wgnl_family turned libnl's ACKs off, and with them
		 * nl_send_sync's wait: wait for this request's ACK (it asks for
		 * one) here, or the kernel's refusal (a port in use, a bad
		 * peer) is never read */
		r = -ENOMEM;
		if (m) {
			nl->kerr = 0;
			r = nl_send_auto(sk, m);
			if (r >= 0)
				r = nl_wait_for_ack(sk);
			r = nl_result(nl, r, err);
		}
		if (m) {
			/* it holds the private key */
			explicit_bzero(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
			nlmsg_free(m);
		}
	}
	if (sk)
		nl_socket_free(sk);
	return r;
}

static bool read_endpoint(const struct nlattr *a, struct wgnl_peer *p)
{
	const struct sockaddr *sa = nla_data(a);
	int len = nla_len(a);

	if (len >= (int)sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = nla_data(a);
		p->endpoint = (struct ipaddr){.family = AF_INET, .len = 32};
		memcpy(p->endpoint.a, &in->sin_addr, 4);
		p->endpoint_port = ntohs(in->sin_port);
		return true;
	}
	if (len >= (int)sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = nla_data(a);
		p->endpoint = (struct ipaddr){.family = AF_INET6, .len = 128};
		memcpy(p->endpoint.a, &in6->sin6_addr, 16);
		p->endpoint_port = ntohs(in6->sin6_port);
		return true;
	}
	return false;
}

static void read_allowed(struct nlattr *list, struct wgnl_peer *p)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, list, rem)
	{
		struct nlattr *tb[WGALLOWEDIP_A_MAX + 1];
		if (nla_parse_nested(tb, WGALLOWEDIP_A_MAX, a, NULL) < 0 ||
		    !tb[WGALLOWEDIP_A_FAMILY] || !tb[WGALLOWEDIP_A_IPADDR] ||
		    !tb[WGALLOWEDIP_A_CIDR_MASK])
			continue;
		struct ipaddr ip = {.family = (uint8_t)nla_get_u16(tb[WGALLOWEDIP_A_FAMILY])};
		if ((ip.family != AF_INET && ip.family != AF_INET6) ||
		    nla_len(tb[WGALLOWEDIP_A_IPADDR]) != (int)ipaddr_bytes(&ip))
			continue;
		memcpy(ip.a, nla_data(tb[WGALLOWEDIP_A_IPADDR]), ipaddr_bytes(&ip));
		ip.len = nla_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
		vec_push(&p->allowed, ip);
	}
}

static void read_peer(struct nlattr *a, struct wgnl_device *d)
{
	struct nlattr *tb[WGPEER_A_MAX + 1];

	if (nla_parse_nested(tb, WGPEER_A_MAX, a, NULL) < 0 || !tb[WGPEER_A_PUBLIC_KEY] ||
	    nla_len(tb[WGPEER_A_PUBLIC_KEY]) != WGNL_KEY_LEN)
		return;
	/* A peer with many allowed IPs goes on in the next message, under
	 * the same key: one peer. */
	struct wgnl_peer *p = d->peers.n ? &d->peers.v[d->peers.n - 1] : NULL;
	if (!p || memcmp(p->pub, nla_data(tb[WGPEER_A_PUBLIC_KEY]), WGNL_KEY_LEN) != 0) {
		p = vec_add(&d->peers);
		memcpy(p->pub, nla_data(tb[WGPEER_A_PUBLIC_KEY]), WGNL_KEY_LEN);
	}
	if (tb[WGPEER_A_ENDPOINT])
		p->has_endpoint = read_endpoint(tb[WGPEER_A_ENDPOINT], p);
	if (tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL])
		p->keepalive = nla_get_u16(tb[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	if (tb[WGPEER_A_LAST_HANDSHAKE_TIME] &&
	    nla_len(tb[WGPEER_A_LAST_HANDSHAKE_TIME]) >= (int)sizeof(struct __kernel_timespec)) {
		const struct __kernel_timespec *ts = nla_data(tb[WGPEER_A_LAST_HANDSHAKE_TIME]);
		p->last_handshake = ts->tv_sec;
	}
	if (tb[WGPEER_A_ALLOWEDIPS])
		read_allowed(tb[WGPEER_A_ALLOWEDIPS], p);
}

static int device_cb(struct nl_msg *msg, void *arg)
{
	struct wgnl_device *d = arg;
	struct nlattr *tb[WGDEVICE_A_MAX + 1], *a;
	int rem;

	if (nlmsg_parse(nlmsg_hdr(msg), GENL_HDRLEN, tb, WGDEVICE_A_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[WGDEVICE_A_PRIVATE_KEY] && nla_len(tb[WGDEVICE_A_PRIVATE_KEY]) == WGNL_KEY_LEN) {
		memcpy(d->priv, nla_data(tb[WGDEVICE_A_PRIVATE_KEY]), WGNL_KEY_LEN);
		d->has_private = true;
	}
	if (tb[WGDEVICE_A_PUBLIC_KEY] && nla_len(tb[WGDEVICE_A_PUBLIC_KEY]) == WGNL_KEY_LEN)
		memcpy(d->pub, nla_data(tb[WGDEVICE_A_PUBLIC_KEY]), WGNL_KEY_LEN);
	if (tb[WGDEVICE_A_LISTEN_PORT])
		d->port = nla_get_u16(tb[WGDEVICE_A_LISTEN_PORT]);
	if (tb[WGDEVICE_A_PEERS])
		nla_for_each_nested(a, tb[WGDEVICE_A_PEERS], rem) read_peer(a, d);
	return NL_OK;
}

int wgnl_get(struct nl_sock *sk, int family, uint32_t ifindex, struct wgnl_device *ret)
{
	struct nl_msg *m =
	    genl_msg(family, NLM_F_REQUEST | NLM_F_DUMP, WG_CMD_GET_DEVICE, WG_GENL_VERSION, 256);
	struct wgnl_device d = {0};

	if (!m || nla_put_u32(m, WGDEVICE_A_IFINDEX, ifindex) < 0) {
		if (m)
			nlmsg_free(m);
		return -ENOMEM;
	}
	int r = genl_exchange(sk, m, device_cb, &d);
	if (r < 0) {
		wgnl_device_free(&d);
		return r;
	}
	*ret = d;
	return 0;
}

int wgnl_read_here(uint32_t ifindex, struct wgnl_device *ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r = !sk ? -ENOMEM : nl_connect(sk, NETLINK_GENERIC) < 0 ? -EIO : wgnl_family(sk);

	if (r >= 0)
		r = wgnl_get(sk, r, ifindex, ret);
	if (sk)
		nl_socket_free(sk);
	return r;
}

const struct wgnl_peer *wgnl_route(const struct wgnl_device *d, const struct ipaddr *dst)
{
	const struct wgnl_peer *best = NULL;
	int best_len = -1;

	vec_foreach (p, &d->peers)
		vec_foreach (a, &p->allowed) {
			if (a->family == dst->family && (int)a->len > best_len &&
			    ipaddr_contains(a, dst)) {
				best = p;
				best_len = a->len;
			}
		}
	return best;
}

/* names_peers in the current namespace, that of node. */
static void name_peers_here(const char *node, const char *kind, const struct wgnl_device *d,
			    char **names)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *links = NULL;

	if (sk && nl_connect(sk, NETLINK_ROUTE) == 0 &&
	    rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) == 0)
		for (struct nl_object *o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
			struct rtnl_link *l = (struct rtnl_link *)o;
			struct wgnl_device x = {0};
			const char *type = rtnl_link_get_type(l);
			if (!type || !streq(type, kind) ||
			    wgnl_read_here((uint32_t)rtnl_link_get_ifindex(l), &x) < 0)
				continue;
			for (size_t k = 0; k < d->peers.n; k++)
				if (!names[k] && !memcmp(d->peers.v[k].pub, x.pub, WGNL_KEY_LEN))
					names[k] = xasprintf("%s:%s", node, rtnl_link_get_name(l));
			wgnl_device_free(&x);
		}
	nl_cache_free(links);
	if (sk)
		nl_socket_free(sk);
}

void wgnl_name_peers(struct nl_cache *links, const char *kind, const struct wgnl_device *d,
		     char **names)
{
	_cleanup_free_ char *mark = plan_lab_marker("");
	struct rtnl_link *lo = rtnl_link_get(links, 1);
	const char *alias = lo ? rtnl_link_get_ifalias(lo) : NULL;
	_cleanup_free_ char *lab =
	    alias && !strncmp(alias, mark, strlen(mark)) ? xstrdup(alias + strlen(mark)) : NULL;
	struct lab_info info;

	if (lo)
		rtnl_link_put(lo);
	if (!lab || !d->peers.n || lab_get(lab, &info) < 0)
		return;
	_cleanup_close_ int here = netns_open_current();
	size_t skip = strlen(lab) + 1; /* "LAB-" */
	vec_foreach (ns, &info.netns) {
		_cleanup_close_ int fd = here >= 0 ? netns_open(*ns) : -1;
		if (fd < 0 || strlen(*ns) <= skip || netns_enter(fd) < 0)
			continue;
		name_peers_here(*ns + skip, kind, d, names);
		if (netns_enter(here) < 0)
			abort(); /* never carry on in the wrong namespace */
	}
	lab_info_free(&info);
}

char *wgnl_peer_name_here(const char *kind, const struct wgnl_device *d, size_t k)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *links = NULL;
	char **names = xcalloc(d->peers.n, sizeof(*names)), *ret = NULL;

	if (sk && nl_connect(sk, NETLINK_ROUTE) == 0 &&
	    rtnl_link_alloc_cache(sk, AF_UNSPEC, &links) == 0)
		wgnl_name_peers(links, kind, d, names);
	for (size_t i = 0; i < d->peers.n; i++)
		if (i == k)
			ret = names[i];
		else
			free(names[i]);
	free(names);
	nl_cache_free(links);
	if (sk)
		nl_socket_free(sk);
	return ret;
}

int wgnl_endpoint_parse(const char *s, struct ipaddr *ret, uint16_t *ret_port)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *host = copy, *port;
	uint32_t p;

	if (*host == '[') {
		port = strstr(++host, "]:");
		if (!port)
			return -EINVAL;
		*port = '\0';
		port += 2;
	} else {
		/* one ':' only: an IPv6 address needs its brackets */
		port = strrchr(host, ':');
		if (!port || strchr(host, ':') != port)
			return -EINVAL;
		*port++ = '\0';
	}
	if (ipaddr_parse_host(host, ret) < 0 || parse_u32(port, 1, 65535, &p) < 0)
		return -EINVAL;
	ret->len = (uint8_t)ipaddr_maxlen(ret);
	*ret_port = (uint16_t)p;
	return 0;
}

const char *wgnl_endpoint_str(const struct ipaddr *a, uint16_t port, char buf[WGNL_ENDPOINT_STRLEN])
{
	char b[IPADDR_STRLEN];

	snprintf(buf, WGNL_ENDPOINT_STRLEN, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		 ipaddr_str(a, b), port);
	return buf;
}

static int ipaddr_cmp(const void *x, const void *y)
{
	const struct ipaddr *a = x, *b = y;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->a, b->a, ipaddr_bytes(a));
	return c ? c : (int)a->len - (int)b->len;
}

char *wgnl_peer_words(const char *who, const struct wgnl_peer *p)
{
	struct sbuf b = {0};
	char buf[WGNL_ENDPOINT_STRLEN];
	size_t n = p->allowed.n;
	struct ipaddr *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));

	sbuf_addf(&b, "peer %s", who);
	if (p->has_endpoint)
		sbuf_addf(&b, " endpoint %s",
			  wgnl_endpoint_str(&p->endpoint, p->endpoint_port, buf));
	if (n)
		memcpy(sorted, p->allowed.v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), ipaddr_cmp);
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&b, "%s%s", i ? "," : " allowed-ips ", ipaddr_cidr(&sorted[i], buf));
	if (p->keepalive)
		sbuf_addf(&b, " keepalive %u", p->keepalive);
	free(sorted);
	return sbuf_steal(&b);
}
