/* SPDX-License-Identifier: MIT */
/* What runs in nodes (docs/nodes.md). A node with a root (topo_node.has_root)
 * is a light container: besides its network namespace, a mount and a UTS
 * namespace, kept for the lab's life by bind mounts in the run directory
 *   RUNDIR/LAB/ns/NODE.mnt, NODE.uts   (on a private tmpfs of their own)
 * in which the node's folders lie over the host's directories and /etc,
 * /var, /run, /tmp (and any other directory its folders fill) are overlays
 * whose upper layers are RUNDIR/LAB/root/NODE/DIR. Everything that runs in
 * a node (startup lines, services, exec, shell) enters the same namespaces.
 * Output goes to RUNDIR/LAB/logs/NODE.log; services are on record in
 * RUNDIR/LAB/services (rundir.c). */
#pragma once

#include "plan.h"

/* The directories a node's root makes private, in mount order: overlays of
 * the host's, then /run and /tmp over an empty directory (last: /tmp hides
 * what lies below it, the topology's folder perhaps). */
bool runtime_dir_is_private(const char *top); /* "etc", "var", "run", "tmp" */
/* May a node's folder hold DIR (a top-level entry)? NULL if so, else why not. */
const char *runtime_dir_refused(const char *top);

/* Is program (a name looked up in PATH, or a path) installed on the host or
 * in the node's folders? */
bool runtime_find_program(const char *program, const struct topo_node *n);
/* The shell words that run a command in node n, as `nslab plan` prints
 * them: "nsenter --net=... --mount=... --uts=... " or "ip netns exec NS ". */
void runtime_print_enter(const struct topo_lab *lab, const struct topo_node *n, struct sbuf *out);
/* " >>RUNDIR/LAB/logs/NODE.log 2>&1" */
void runtime_print_log(const struct topo_lab *lab, const struct topo_node *n, struct sbuf *out);

/* Make node n's mount and UTS namespaces (the step of node-files.c). */
int runtime_make_root(const struct topo_lab *lab, const struct topo_node *n, int netns_fd,
		      struct sbuf *err);
/* The same as sh(1) commands, for `nslab plan`. first: the lab's first. */
void runtime_print_root(const struct topo_lab *lab, const struct topo_node *n, bool first,
			struct sbuf *out);

/* Enter node `node` of lab `lab` in this (single-threaded) process: its
 * namespaces when it has a root, else as `ip netns exec` (access_enter).
 * Returns 0, a warning count > 0 with it in err, or -errno. */
int runtime_enter(const char *lab, const char *node, struct sbuf *err);
/* Does the node have a root (RUNDIR/LAB/ns/NODE.mnt)? */
bool runtime_has_root(const char *lab, const char *node);

/* RUNDIR/LAB/logs/NODE.log */
char *runtime_log_path(const char *lab, const char *node);
/* The node's log, opened for appending (made if missing), or -errno. */
int runtime_log_open(const char *lab, const char *node);

struct runtime_cmd {
	const char *lab, *node;
	char *const *argv;
	int stdin_fd;         /* -1: /dev/null */
	int out_fd;           /* stdout and stderr; -1: the node's log */
	unsigned timeout_ms;  /* 0: none */
	bool keep;            /* a service: do not wait, keep it running */
};
/* Run argv in the node; without keep, wait for it: its exit status (0 to
 * 255, 128+N for a signal), -ETIME when timeout_ms passed (its process
 * group is killed), -EINTR on Ctrl-C, or -errno. With keep, the pid. */
int runtime_run(const struct runtime_cmd *c, struct sbuf *err);
/* A step's command: run argv in the node, output to its log, within
 * timeout_ms: 0, or -errno with "WHAT failed (exit status N); its
 * output:" and the log's new lines in err. */
int runtime_run_step(const char *lab, const char *node, char *const *argv, int stdin_fd,
		     unsigned timeout_ms, const char *what, struct sbuf *err);
/* Run argv in the node and keep what it prints (stdout and stderr) in *ret:
 * its exit status, or -errno as runtime_run. */
int runtime_capture(const char *lab, const char *node, char *const *argv, unsigned timeout_ms,
		    char **ret, struct sbuf *err);
/* The node log's text after offset, at most its last `lines` lines,
 * indented for an error message. */
void runtime_log_tail(const char *lab, const char *node, long offset, unsigned lines,
		      struct sbuf *out);
long runtime_log_size(const char *lab, const char *node);

/* CLOCK_MONOTONIC in ms; a sleep of ms. */
long long runtime_now_ms(void);
void runtime_nap_ms(unsigned ms);

/* The start time of process pid (/proc/PID/stat, clock ticks), 0 if gone. */
unsigned long long runtime_proc_start(pid_t pid);

/* The end of up: is every service still running? -ECHILD with the first
 * that is not, and its node's log, in err. */
int runtime_check_services(const char *lab, struct sbuf *err);
/* down: stop the lab's services (TERM to each one's process group, KILL
 * after grace_ms), newest first. Returns how many were running. */
int runtime_stop_services(const char *lab, unsigned grace_ms);
/* down: unmount everything mounted under RUNDIR/LAB (the namespace
 * handles and their tmpfs), deepest first. Returns 0 or the first -errno. */
int runtime_unmount(const char *lab, struct sbuf *err);
