/* SPDX-License-Identifier: MIT */
/* IP prefixes and MAC addresses as plain values (no libnl here). */
#pragma once

#include "util.h"

#include <netinet/in.h>
#include <sys/socket.h>

struct ipaddr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;    /* prefix length */
	uint8_t a[16];
};

#define IPADDR_STRLEN (INET6_ADDRSTRLEN + 4)

/* "10.0.0.1/24", "fd00::1/64"; without "/N" the full length when
 * default_full, else -EINVAL. Returns 0, -EINVAL or -ERANGE (bad length). */
int ipaddr_parse(const char *s, bool allow_no_len, struct ipaddr *ret);
/* Plain address, no "/N". */
int ipaddr_parse_host(const char *s, struct ipaddr *ret);
static inline size_t ipaddr_bytes(const struct ipaddr *a)
{
	return a->family == AF_INET ? 4 : 16;
}
static inline unsigned ipaddr_maxlen(const struct ipaddr *a)
{
	return a->family == AF_INET ? 32 : 128;
}
/* Address bits below the prefix length are all zero. */
bool ipaddr_is_network(const struct ipaddr *a);
/* The address with the host bits cleared. */
struct ipaddr ipaddr_network(const struct ipaddr *a);
/* Is host inside net/len? (families must match) */
bool ipaddr_contains(const struct ipaddr *net, const struct ipaddr *host);
bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b); /* address only */
/* "10.0.0.1" */
const char *ipaddr_str(const struct ipaddr *a, char buf[IPADDR_STRLEN]);
/* "10.0.0.1/24" */
const char *ipaddr_cidr(const struct ipaddr *a, char buf[IPADDR_STRLEN]);

int mac_parse(const char *s, uint8_t ret[6]);
const char *mac_str(const uint8_t mac[6], char buf[18]);
