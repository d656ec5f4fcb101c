/* SPDX-License-Identifier: MIT */
/* Expectations ([expect]) checked against a running lab. */
#pragma once

#include "topology.h"

struct check_result {
	char *name;   /* "reach h1 -> h2 (10.0.2.10)" */
	char *kind;   /* "reach" */
	char *detail; /* why it failed; NULL when it held */
	bool ok;
	double seconds;
	struct topo_loc loc;
};

struct check_results {
	struct check_result *v;
	size_t n, cap;
};

/* What a route or noroute expectation asks: PREFIX [via GW] [dev IF]
 * [proto P] [table N | vrf NAME] ("default" and "default6" for the
 * default routes; the main table unless one is named). */
struct check_route {
	struct ipaddr dst;
	bool has_via;
	struct ipaddr via;
	char dev[16];
	int proto;      /* -1: any */
	uint32_t table; /* RT_TABLE_MAIN unless `table N` */
	char table_dev[16]; /* `vrf NAME`: the table of that device (in the probe) */
	const struct link_kind *table_kind; /* its kind */
};
/* 0, or -1 with *why (and the word) for a message. */
int check_route_parse(const char *s, struct check_route *ret, const char **why, char *word,
		      size_t wordlen);

/* Expand every expectation of `lab` (pairs, lists, all) and run them in
 * the running lab of the same name, 16 at a time within timeout seconds. */
int check_run(const struct topo_lab *lab, double timeout, struct check_results *ret);
/* The same with lab's expectations against another running lab, `running`
 * (nslab grade: a reference's checks in a student's lab). A node a check
 * names that `running` lacks fails that check ("node 'r2' is not running"). */
int check_run_in(const struct topo_lab *lab, const char *running, double timeout,
		 struct check_results *ret);
void check_results_free(struct check_results *r);
/* JUnit XML, one testcase per expanded expectation; `interrupted` (the
 * signal's name, or NULL) adds a testcase with an <error> saying so. */
int check_write_junit(const char *path, const char *lab, const struct check_results *r,
		      double seconds, const char *interrupted);
/* On one host's part of a lab split across hosts (hosts.h): the address
 * of target, NODE or NODE:IF, a node on another host, from the topology
 * (0), or -ENOENT (not a part, or a node of this host, or none). */
int check_elsewhere(const char *lab, const char *target, struct ipaddr *ret);
/* The topology a running lab was built from (kept in its run directory),
 * parsed and validated; NULL with errors in d. Its lines are labelled with
 * the file given to up, or, when that file has changed or gone since,
 * with the kept copy, and *ret_edited is set to the file's name. */
struct topo_lab *check_load_running(const char *lab, struct diag *d, char **ret_edited);
