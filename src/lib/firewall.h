/* SPDX-License-Identifier: MIT */
/* What a node's nftables filter chains do with one packet, for explain:
 * the ruleset is read over nfnetlink (no nft process) and run on a
 * synthetic packet, expression by expression, as the kernel would. What
 * it cannot evaluate (sets, most of conntrack) makes the answer unsure,
 * never a silent accept. iptables-nft rules are nft rules too. */
#pragma once

#include "inet.h"
#include "util.h"

#include <net/if.h>

enum firewall_hook { FIREWALL_INPUT = 1, FIREWALL_FORWARD = 2, FIREWALL_OUTPUT = 3 };
enum firewall_verdict { FIREWALL_ACCEPT, FIREWALL_DROP, FIREWALL_UNSURE };

struct firewall_pkt {
	struct ipaddr src, dst;
	int proto;      /* IPPROTO_ICMP, IPPROTO_TCP, ... */
	uint16_t dport; /* tcp, udp */
	bool reply;     /* ct state established */
	char iif[IFNAMSIZ], oif[IFNAMSIZ];
};

struct firewall;
/* The filter chains of the namespace nsfd, or NULL when it has none. */
struct firewall *firewall_read(int nsfd);
void firewall_free(struct firewall *fw);
/* The hook of its first NAT chain ("postrouting"), or NULL. */
const char *firewall_nat_hook(const struct firewall *fw);
/* The verdict at one hook; why: the chain and rule that decided (empty
 * when no chain of the node sits on the hook). */
enum firewall_verdict firewall_eval(const struct firewall *fw, enum firewall_hook hook,
				    const struct firewall_pkt *p, struct sbuf *why);
