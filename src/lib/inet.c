// SPDX-License-Identifier: MIT
#include "inet.h"

#include <arpa/inet.h>

int ipaddr_parse_host(const char *s, struct ipaddr *ret)
{
	struct ipaddr a = {0};

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a.a) != 1)
			return -EINVAL;
		a.family = AF_INET6;
		a.len = 128;
	} else {
		/* inet_pton accepts only dotted quads, unlike inet_aton. */
		if (inet_pton(AF_INET, s, a.a) != 1)
			return -EINVAL;
		a.family = AF_INET;
		a.len = 32;
	}
	*ret = a;
	return 0;
}

int ipaddr_parse(const char *s, bool allow_no_len, struct ipaddr *ret)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	struct ipaddr a;
	uint32_t len;

	if (!slash) {
		if (!allow_no_len)
			return -EINVAL;
		return ipaddr_parse_host(s, ret);
	}
	if ((size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (ipaddr_parse_host(buf, &a) < 0)
		return -EINVAL;
	if (parse_u32(slash + 1, 0, ipaddr_maxlen(&a), &len) < 0)
		return -ERANGE;
	a.len = (uint8_t)len;
	*ret = a;
	return 0;
}

struct ipaddr ipaddr_network(const struct ipaddr *a)
{
	struct ipaddr n = *a;
	size_t bytes = ipaddr_bytes(a);

	for (size_t i = 0; i < bytes; i++) {
		unsigned bit = (unsigned)i * 8;
		if (bit >= a->len)
			n.a[i] = 0;
		else if (bit + 8 > a->len)
			n.a[i] &= (uint8_t)(0xff << (8 - (a->len - bit)));
	}
	return n;
}

bool ipaddr_is_network(const struct ipaddr *a)
{
	struct ipaddr n = ipaddr_network(a);
	return memcmp(n.a, a->a, ipaddr_bytes(a)) == 0;
}

bool ipaddr_contains(const struct ipaddr *net, const struct ipaddr *host)
{
	if (net->family != host->family)
		return false;
	struct ipaddr h = *host;
	h.len = net->len;
	struct ipaddr hn = ipaddr_network(&h), nn = ipaddr_network(net);
	return memcmp(hn.a, nn.a, ipaddr_bytes(net)) == 0;
}

bool ipaddr_equal(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && memcmp(a->a, b->a, ipaddr_bytes(a)) == 0;
}

const char *ipaddr_str(const struct ipaddr *a, char buf[IPADDR_STRLEN])
{
	if (!inet_ntop(a->family, a->a, buf, IPADDR_STRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *ipaddr_cidr(const struct ipaddr *a, char buf[IPADDR_STRLEN])
{
	ipaddr_str(a, buf);
	size_t n = strlen(buf);
	snprintf(buf + n, IPADDR_STRLEN - n, "/%u", a->len);
	return buf;
}

int mac_parse(const char *s, uint8_t ret[6])
{
	uint8_t m[6];

	for (int i = 0; i < 6; i++) {
		int v = 0;
		for (int j = 0; j < 2; j++) {
			char c = *s++;
			int d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				return -EINVAL;
			v = v * 16 + d;
		}
		m[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	memcpy(ret, m, 6);
	return 0;
}

const char *mac_str(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
