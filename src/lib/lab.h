/* SPDX-License-Identifier: MIT */
/* The lifecycle of running labs: up, down, listing. Their state on disk
 * (lock, journal, info) is rundir.c's. */
#pragma once

#include "plan.h"

/* Where up is, for a progress display or `up -v`. */
struct lab_progress {
	size_t done, total;	   /* steps carried out, steps in the plan */
	size_t netns, netns_total; /* namespaces made, namespaces in the plan */
	/* The next step as shell commands (lines ending in '\n', as `nslab
	 * plan` prints it); NULL in the last call, after the last step. */
	const char *step;
};

struct lab_up_opts {
	bool replace; /* take an existing lab of the same name down first */
	/* raise the host-wide limits the lab needs (host-limits.h), as
	 * [lab] host-limits = yes does; down restores them */
	bool host_limits;
	/* Called before each step and once after the last one (or the one
	 * that failed); NULL: none. The core prints nothing: the CLI
	 * decides what the user sees. */
	void (*progress)(const struct lab_progress *pr, void *ctx);
	void *progress_ctx;
};

/* Build the lab. On failure everything made so far is undone; err says
 * which step failed and why. notes gets things worth telling the user. */
int lab_up(struct topo_lab *lab, const struct lab_up_opts *o, struct sbuf *err,
	   struct sbuf *notes);

/* Tear down lab `name` completely; notes names what stays because nslab
 * did not make it (a user's files in /etc/netns/NS). *ret_found is false when nothing of it
 * existed (and 0 is returned). */
int lab_down(const char *name, bool *ret_found, struct sbuf *err, struct sbuf *notes);

struct lab_info {
	char *name;
	char *file;
	unsigned nodes, links;
	long long since; /* unix time; 0 if unknown */
	bool complete;   /* false: an interrupted up left it */
	bool unrecorded; /* no run directory: built by 'nslab plan | sh' */
	struct strvec netns; /* its namespaces, switch first */
};
struct lab_infos {
	struct lab_info *v;
	size_t n, cap;
};
/* Running labs (from RUNDIR), sorted by name. */
int lab_list(struct lab_infos *ret);
/* One lab; -ENOENT if it is not known. A lab built by 'nslab plan | sh'
 * is known by its namespaces (unrecorded, no file). */
int lab_get(const char *name, struct lab_info *ret);
void lab_info_free(struct lab_info *i);
/* Labs whose namespaces exist but whose run directory is gone. */
int lab_discover_orphans(struct strvec *ret);

/* Root, or at least CAP_SYS_ADMIN and CAP_NET_ADMIN? NULL if so, else a
 * sentence naming what is missing. */
const char *lab_privilege_error(void);
/* Test-only: dies by SIGKILL here when NSLAB_TEST_KILL_AT names this
 * point of up ("locked", "cleaned", "rundir", "journal", "steps-done",
 * "journal-done", "undo", "service-spawned", "service-recorded", and
 * "teardown" of down, or of up's undo; scripts/stress.sh kills at
 * each). A getenv when unset. */
void lab_test_kill_at(const char *point);
