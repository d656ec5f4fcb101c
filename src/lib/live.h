/* SPDX-License-Identifier: MIT */
/* Changes to a running lab: a link's ends down and up again, an
 * interface's impairments. Each takes the lab's lock and goes into its
 * journal; what they change lives in the lab's namespaces, so `down` (also
 * after a crash) leaves nothing of it. */
#pragma once

#include "impair.h"
#include "util.h"

struct live_link_result {
	char ends[2][96]; /* "NODE:IF" set down or up; ends[1] "" for one */
	unsigned restored, kept; /* steps applied again; found still there */
	struct strvec failed;    /* "node 'h2': add route '...': reason" */
};

/* NODE:IF down or up, and the other end of its link too unless one_end
 * (a bridge port in the switch namespace is such an end). On up, the
 * addresses, routes, neighbour and FDB entries of the topology through
 * each end are applied again: the kernel drops them with the interface.
 * -ENOENT: no such node or interface (err says which, and what there is). */
int live_link(const char *lab, const char *node, const char *ifname, bool up, bool one_end,
	      struct live_link_result *ret, struct sbuf *err);
void live_link_result_free(struct live_link_result *r);

/* The impairments of NODE:IF now (was), then, if imp is not NULL, imp in
 * their place (all of them: settings not in imp are gone; an inactive imp
 * clears). The kernel is asked first for what imp needs. */
int live_impair(const char *lab, const char *node, const char *ifname, const struct impair *imp,
		struct impair *was, struct sbuf *err);
