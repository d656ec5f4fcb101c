/* SPDX-License-Identifier: MIT */
/* Run many short commands inside lab nodes in parallel, within a time
 * bound: the engine of pingall and of expectation checks. */
#pragma once

#include "util.h"

struct probe {
	/* in */
	const char *netns;
	bool enter_mounts; /* the whole node: `ip netns exec`'s switch, or its root */
	const char *lab, *node; /* with enter_mounts: the node to enter (runtime.h) */
	char **argv;       /* NULL-terminated */
	/* In the child instead of exec'ing argv: returns the exit status. */
	int (*fn)(char **argv);
	/* out */
	int status;    /* exit status, 128+signal; -1 timed out; -2 not run; -3 interrupted */
	char *output;  /* stdout and stderr, the first 4 KiB */
	double seconds;
	/* private */
	pid_t pid;
	int fd;
	double start;
	struct sbuf out;
};

/* Run them all, `parallel` at a time; whatever still runs after `timeout`
 * seconds is killed (by PID) and gets status -1. Once interrupt_signal()
 * is set (see interrupt.h), nothing more starts and what runs is killed
 * with status -3. */
void probe_run_all(struct probe *probes, size_t n, unsigned parallel, double timeout);
void probe_free(struct probe *p);
double probe_now(void);
