/* SPDX-License-Identifier: MIT */
/* DNS for a lab: dnsmasq in the [dns] server node, answering for every node
 * from a hosts file nslab writes, logging every query; every node's
 * /etc/netns/LAB-NODE/resolv.conf points at it. */
#pragma once

#include "topology.h"

struct nl_ctx;
struct step;

/* The domain: [dns] domain, or the lab name. */
const char *dns_domain(const struct topo_lab *lab);

/* Files, as text. */
char *dns_hosts_text(const struct topo_lab *lab);                            /* for dnsmasq */
char *dns_resolv_text(const struct topo_lab *lab, const struct topo_node *n); /* resolv.conf */
char *dns_node_hosts_text(const struct topo_lab *lab, const struct topo_node *n);

/* The files nslab writes in /etc/netns/LAB-NODE, NULL-terminated: down
 * removes these and nothing else there. */
#define DNS_ETC_RESOLV "resolv.conf"
#define DNS_ETC_HOSTS "hosts"
extern const char *const dns_etc_files[];


/* The dnsmasq command line (argv[0] is the program: $NSLAB_DNSMASQ or
 * "dnsmasq"). */
void dns_argv(const struct topo_lab *lab, struct strvec *ret);

/* The DNS steps, last: the /etc/netns files of every node, then dnsmasq
 * in the server. Nothing without [dns]. */
struct plan;
void dns_plan(struct plan *p);
