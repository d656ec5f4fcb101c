/* SPDX-License-Identifier: MIT */
/* nslab cluster: one lab split across hosts ([hosts], hosts.h), driven from
 * one machine. Each host runs its own part with the per-host commands
 * (`nslab up --host NAME`, `down`, `check`), reached over ssh(1) or, for
 * tests, a transport program; all hosts at once, their output handed on
 * line by line. The core prints nothing: a callback gets each line.
 * docs/multihost.md is the user's side. */
#pragma once

#include "topology.h"

#include <sys/types.h>

enum cluster_op {
	CLUSTER_UP,
	CLUSTER_DOWN,
	CLUSTER_CHECK,
	_CLUSTER_OP_MAX,
	_CLUSTER_OP_INVALID = -EINVAL,
};

/* How every part is run. */
struct cluster_opts {
	const char *lab;    /* the lab's final name (prefix and --name applied) */
	const char *file;   /* the topology's absolute path, the same on every host */
	const char *remote; /* the remote nslab program (NULL: "nslab") */
	bool sudo;	    /* run it as 'sudo -n nslab ...' */
	/* NSLAB_CLUSTER_TRANSPORT: run 'PROG HOST DEST WORDS...' (argv, no
	 * shell) instead of ssh; NULL: ssh */
	const char *transport;
	struct strvec ssh_opts; /* each 'ssh -o OPT' */
	unsigned timeout;	/* seconds each host's command may take */
	unsigned check_timeout; /* check: each host's 'check --timeout SECS' */
	/* Each line of a part's output (without its newline), stdout's or
	 * stderr's, as it comes. */
	void (*line)(const struct topo_host *h, bool is_stderr, const char *line, void *data);
	/* CLUSTER_SIGNAL_FINISHES: a first signal came; `running` parts still
	 * run. Optional. */
	void (*finishing)(int sig, size_t running, void *data);
	void *data;
};

/* What a signal caught (interrupt.h) does to a run. */
enum cluster_on_signal {
	CLUSTER_SIGNAL_STOPS,  /* every part is stopped at once */
	/* The parts that run go on to their end, and a second signal stops
	 * them (up: an up stopped on its way may still finish on its host
	 * after the rollback's down found nothing there; ssh gives a remote
	 * command without a terminal no signal). */
	CLUSTER_SIGNAL_FINISHES,
	CLUSTER_SIGNAL_IGNORED, /* the parts run on (the rollback's down) */
};

/* One host's run of one command. */
struct cluster_part {
	const struct topo_host *host;
	int status;	   /* as a shell reports it (128+signal); -1: never ran */
	bool timed_out;	   /* killed at its deadline */
	bool interrupted;  /* stopped because nslab was interrupted */
	bool retry;	   /* run it again while it fails, until its deadline */
	size_t ok, failed; /* check: the '  ok' and '  FAIL' lines it printed */
	bool summary;	   /* check: it printed its closing line */
	bool no_file;	   /* it said the topology file is not there */
	char *error;	   /* why it could not start (pipe, fork), or NULL */
	/* while it runs */
	pid_t pid;
	int fd[2];		/* its stdout, stderr; -1 once closed */
	struct sbuf pending[2]; /* the start of a line not yet ended */
	double deadline, again;
};

/* One command on every host, in [hosts] order. */
struct cluster_run {
	enum cluster_op op;
	VEC(struct cluster_part) parts;
	int interrupted; /* the signal that stopped it, or 0 */
};

const char *cluster_op_to_string(enum cluster_op op);

/* ssh's destination for h: its 'ssh DEST', else its address. Allocated. */
char *cluster_dest(const struct topo_host *h);
/* The words of the command host h runs for op:
 *   [sudo -n] nslab --prefix '' up --host H --name LAB FILE
 *   [sudo -n] nslab --prefix '' down --host H LAB
 *   [sudo -n] nslab --prefix '' check --timeout SECS LAB */
void cluster_remote_words(const struct cluster_opts *o, const struct topo_host *h,
			  enum cluster_op op, struct strvec *ret);
/* The local argv that runs them: 'TRANSPORT HOST DEST WORDS...', or
 * 'ssh -o BatchMode=yes [-o OPT]... DEST -- WORDS' with each word quoted
 * for the remote shell (sh(1) rules; the first always a command name). */
void cluster_argv(const struct cluster_opts *o, const struct topo_host *h, enum cluster_op op,
		  struct strvec *ret);

/* Set up ret for op on every host of lab; then set a part's `retry` where
 * wanted (a down after an up whose ssh was killed: that up may still hold
 * the lab's lock on its host, and down waits for it by trying again). */
void cluster_run_init(struct cluster_run *ret, const struct topo_lab *lab, enum cluster_op op);
/* Run every part at once and wait for all, each at most o->timeout
 * seconds; a signal caught does what `on_signal` says, and no part starts
 * after it. Returns 0 when every part exited 0, else -1. */
int cluster_run(struct cluster_run *r, const struct cluster_opts *o,
		enum cluster_on_signal on_signal);
void cluster_run_free(struct cluster_run *r);
