// SPDX-License-Identifier: MIT
/* Host limits a lab can run into: the kernel's tables and queues shared by
 * every namespace. */
#include "host-limits.h"

/* The kernel's ARP and ND tables are shared by all namespaces and bounded
 * by the host's gc_thresh3 (default 1024); past it, new neighbours fail
 * with ENOBUFS ("neighbor table overflow"). Say so before it bites. */
void limits_warn(const struct topo_lab *lab, struct sbuf *notes)
{
	static const struct {
		int family;
		const char *path, *key;
	} t[] = {
		{AF_INET, "/proc/sys/net/ipv4/neigh/default/gc_thresh3", "net.ipv4.neigh.default"},
		{AF_INET6, "/proc/sys/net/ipv6/neigh/default/gc_thresh3", "net.ipv6.neigh.default"},
	};

	size_t ports = topo_largest_broadcast_domain(lab);
	_cleanup_fclose_ FILE *bl = ports > 1000 ? fopen("/proc/sys/net/core/netdev_max_backlog", "re") : NULL;
	unsigned long backlog = 0;
	if (bl && fscanf(bl, "%lu", &backlog) == 1 && ports > backlog)
		sbuf_addf(notes,
			  "a broadcast in lab '%s' reaches %zu bridge ports at once, and this host "
			  "queues at most %lu packets per CPU (net.core.netdev_max_backlog): ARP "
			  "requests will not reach every host. To allow it, as root: sysctl -w "
			  "net.core.netdev_max_backlog=%zu\n",
			  lab->name, ports, backlog, ports * 2);
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		size_t need = topo_neighbour_estimate(lab, t[i].family);
		_cleanup_fclose_ FILE *f = need ? fopen(t[i].path, "re") : NULL;
		unsigned long limit = 0;
		if (!f || fscanf(f, "%lu", &limit) != 1 || need <= limit)
			continue;
		unsigned long want = 1;
		while (want < need * 2)
			want *= 2;
		sbuf_addf(notes,
			  "lab '%s' may need up to %zu %s neighbour entries, and this host allows %lu "
			  "for all namespaces together (%s.gc_thresh3); beyond that, new neighbours fail "
			  "('neighbor table overflow'). To allow more, as root: sysctl -w %s.gc_thresh3=%lu "
			  "%s.gc_thresh2=%lu\n",
			  lab->name, need, t[i].family == AF_INET ? "IPv4" : "IPv6", limit, t[i].key,
			  t[i].key, want, t[i].key, want / 2);
	}
}
