/* SPDX-License-Identifier: MIT */
/* Reachability without a process per check: ICMP echo requests and TCP
 * connects from sockets opened inside the nodes' namespaces (a socket
 * stays in the namespace it was made in), all in flight at once in one
 * epoll loop. What `ping -q -c 1 -i 0.2 -w N` and a connect(2) in the node
 * would find, at a fraction of the cost. */
#pragma once

#include "inet.h"

enum sockprobe_kind {
	SOCKPROBE_ECHO, /* an echo request every 200 ms until the first reply */
	SOCKPROBE_TCP,	/* a TCP handshake */
};

struct sockprobe {
	/* in */
	enum sockprobe_kind kind;
	const char *netns;
	struct ipaddr dst;
	uint16_t port;	  /* TCP */
	unsigned wait_ms; /* echo: for the first reply; TCP: for the handshake */
	/* out: the exit status ping (or tcp's probe) would have had:
	 * 0 answered; 1 no answer, or an ICMP error or refusal (output says
	 * which); 2 nothing could be sent (no route: output says why); -1 the
	 * run's time bound passed first; -2 not run (the node's namespace
	 * could not be entered: output says why); -3 interrupted */
	int status;
	char *output; /* one line, or NULL */
	double seconds;
	/* private */
	int fd;	       /* TCP: its socket */
	unsigned sock; /* echo: the index of its namespace's socket */
	uint16_t id, seq;
	double start, next_send;
	int send_errno; /* the last send that failed */
	unsigned sent;
};

/* Run them all; whatever has not ended `timeout` seconds after the start
 * gets status -1. Once interrupt_signal() is set, what runs ends with
 * status -3. Needs root (raw ICMP sockets, entering namespaces). */
void sockprobe_run_all(struct sockprobe *v, size_t n, double timeout);
void sockprobe_free(struct sockprobe *p);
