/* SPDX-License-Identifier: MIT */
/* WireGuard's keys and its generic netlink family, for kind-wireguard.c:
 * X25519 (RFC 7748) for public keys, keys as base64 text as wg(8) writes
 * them, the WG_CMD_SET_DEVICE and WG_CMD_GET_DEVICE messages of
 * <linux/wireguard.h> over plain libnl-3 (the family's id is resolved by
 * hand through the generic netlink controller), and what reading a lab
 * back needs: peers named by the lab's devices, endpoints and a peer's
 * words in a topology's form. */
#pragma once

#include "inet.h"

#include <netlink/netlink.h>
#include <netlink/route/link.h>

struct nl_ctx;
struct topo_node;

#define WGNL_KEY_LEN 32
#define WGNL_KEY_B64_LEN 44 /* 43 characters and one '=' */

/* X25519(scalar, u) of RFC 7748 section 5: the scalar is clamped, the top
 * bit of u is ignored. */
void wgnl_x25519(uint8_t out[WGNL_KEY_LEN], const uint8_t scalar[WGNL_KEY_LEN],
		 const uint8_t u[WGNL_KEY_LEN]);
/* The public key of a private key: X25519(private, 9). */
void wgnl_key_public(uint8_t pub[WGNL_KEY_LEN], const uint8_t priv[WGNL_KEY_LEN]);
/* A new private key from getrandom(2), clamped as wg genkey's are.
 * Returns 0 or -errno. */
int wgnl_key_generate(uint8_t priv[WGNL_KEY_LEN]);
/* Base64 with its '=': out gets 44 characters and a NUL. */
void wgnl_key_to_base64(const uint8_t key[WGNL_KEY_LEN], char out[WGNL_KEY_B64_LEN + 1]);
/* The 32 bytes of a base64 key; -EINVAL unless s is exactly one
 * (44 characters, the last '=', no stray bits), as wg(8) requires. */
int wgnl_key_from_base64(const char *s, uint8_t ret[WGNL_KEY_LEN]);

struct wgnl_peer {
	uint8_t pub[WGNL_KEY_LEN];
	bool has_endpoint;
	struct ipaddr endpoint; /* full length */
	uint16_t endpoint_port;
	uint16_t keepalive;	    /* seconds, 0: off */
	VEC(struct ipaddr) allowed; /* with prefix lengths */
	long long last_handshake;   /* unix time, 0: none (read only) */
};

struct wgnl_device {
	bool has_private;
	uint8_t priv[WGNL_KEY_LEN], pub[WGNL_KEY_LEN];
	uint16_t port;
	VEC(struct wgnl_peer) peers;
};

void wgnl_device_free(struct wgnl_device *d);

/* The id of the generic netlink family "wireguard" on sk (a NETLINK_GENERIC
 * socket), or -errno: -ENOENT when the kernel has no such family. Call it
 * first: it turns off libnl's automatic ACK requests on sk (an ACK left
 * unread after an answer would break the next request); the requests
 * here ask for one where they need it. */
int wgnl_family(struct nl_sock *sk);
/* The request that sets device ifindex to d: its private key (when
 * has_private), listen port and exactly d's peers (replacing any). It
 * asks for an ACK. NULL when out of memory. */
struct nl_msg *wgnl_set_msg(int family, uint32_t ifindex, const struct wgnl_device *d);
/* Set device ifindex of node n's namespace to d, on a generic netlink
 * socket made there, with nl's error capture (the kernel's errno and
 * extended ack in err). */
int wgnl_set_in(struct nl_ctx *nl, const struct topo_node *n, uint32_t ifindex,
		const struct wgnl_device *d, struct sbuf *err);
/* Read device ifindex of sk's namespace (a dump: a device with many peers
 * comes in several messages). Returns 0 or -errno. */
int wgnl_get(struct nl_sock *sk, int family, uint32_t ifindex, struct wgnl_device *ret);
/* wgnl_get on a socket of its own, in the current namespace. */
int wgnl_read_here(uint32_t ifindex, struct wgnl_device *ret);
/* Cryptokey routing: the peer whose allowed IPs hold dst most
 * specifically, where the kernel sends a packet to dst; NULL: none. */
const struct wgnl_peer *wgnl_route(const struct wgnl_device *d, const struct ipaddr *dst);
/* Name the peers of d that are devices of the lab: names[k] gets
 * "NODE:NAME" for peer k when a device of rtnl kind `kind` in one of the
 * lab's namespaces has its public key. The lab is the one that lo's alias
 * in links (the current namespace's) names; each of its namespaces is
 * entered, and the current one again after. */
void wgnl_name_peers(struct nl_cache *links, const char *kind, const struct wgnl_device *d,
		     char **names);
/* The same for peer k of d alone, from the current namespace: NODE:NAME
 * (free it), or NULL. */
char *wgnl_peer_name_here(const char *kind, const struct wgnl_device *d, size_t k);
/* ADDR:PORT, "192.0.2.1:51820" or "[fd00::1]:51820". */
#define WGNL_ENDPOINT_STRLEN (IPADDR_STRLEN + 8)
int wgnl_endpoint_parse(const char *s, struct ipaddr *ret, uint16_t *ret_port);
const char *wgnl_endpoint_str(const struct ipaddr *a, uint16_t port,
			      char buf[WGNL_ENDPOINT_STRLEN]);
/* "peer WHO [endpoint E] [allowed-ips A,B] [keepalive N]", the allowed IPs
 * sorted: the words of a `peer` line, for diff and save alike from the
 * topology and from the kernel. */
char *wgnl_peer_words(const char *who, const struct wgnl_peer *p);
