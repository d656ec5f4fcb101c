/* SPDX-License-Identifier: MIT */
/* Getting into a running lab's nodes: the namespace switch `ip netns exec`
 * does, and the address of a node that another node can reach. */
#pragma once

#include "inet.h"
#include "util.h"

/* Enter namespace `netns` as `ip netns exec` does: its network namespace,
 * a private mount namespace with /etc/netns/NETNS/<file> bound over
 * /etc/<file> and a /sys that shows the namespace's devices. The caller
 * then execs. Returns 0, -errno with the reason in err, or the number of
 * files in /etc/netns/NETNS that were not used (no /etc counterpart),
 * with the warning in err. */
int access_enter(const char *netns, struct sbuf *err);

/* The lab's node names (not the switch), in order. */
int access_nodes(const char *lab, struct strvec *ret);

struct show_node;
/* The address of `to` (all its interfaces but lo, or only ifname) that
 * `from` should use: one on a subnet both share, else the first, IPv4
 * first. -EADDRNOTAVAIL if it has none, -ENOENT if ifname is not there. */
int access_pick(const struct show_node *from, const struct show_node *to, const char *ifname,
		struct ipaddr *ret);

/* What `to` means, seen from node `from`: an address as written, NODE:IF
 * (that interface's first address) or NODE (its address on a subnet
 * `from` shares, else its first one; IPv4 first). -ESRCH, -ENOENT or
 * -EADDRNOTAVAIL with the reason in err. */
int access_target(const char *lab, const char *from, const char *to, struct ipaddr *ret,
		  struct sbuf *err);
