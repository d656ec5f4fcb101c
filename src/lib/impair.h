/* SPDX-License-Identifier: MIT */
/* Impairments of an interface's egress: netem (delay, jitter, loss,
 * duplicate, corrupt, reorder, limit) and a rate (tbf; netem's child when
 * both are asked). The words are tc-netem(8)'s; the model is plain data,
 * the kernel calls are impair_apply/impair_clear/impair_read. */
#pragma once

#include "util.h"

struct nl_ctx;
struct nl_sock;
struct nl_cache;

enum {
	IMPAIR_DELAY = 1 << 0,
	IMPAIR_JITTER = 1 << 1,
	IMPAIR_LOSS = 1 << 2,
	IMPAIR_DUPLICATE = 1 << 3,
	IMPAIR_CORRUPT = 1 << 4,
	IMPAIR_REORDER = 1 << 5,
	IMPAIR_RATE = 1 << 6,
	IMPAIR_LIMIT = 1 << 7,
};

#define IMPAIR_PPM 1000000u /* 100 % */
#define IMPAIR_MAX_TIME_US 60000000u
#define IMPAIR_DEFAULT_LIMIT 1000u /* netem's queue, packets (tc's default) */

struct impair {
	unsigned set; /* IMPAIR_* given (also with 0: an end clears its link's) */
	uint32_t delay_us, jitter_us;
	uint32_t loss, duplicate, corrupt, reorder; /* parts per million */
	uint64_t rate;  /* bit/s */
	uint32_t limit; /* packets */
};

/* The keywords, for hints: "delay, jitter, loss, ..." */
extern const char impair_words[];

/* Is word one of the keywords? */
bool impair_is_word(const char *word);
/* Take the keyword w[*i] and its value (w[*i + 1]) into imp, advancing *i
 * past both. 0, or -EINVAL with what is wrong in why and what to write in
 * hint (static text). */
int impair_parse_word(char *const *w, size_t n, size_t *i, struct impair *imp, struct sbuf *why,
		      const char **hint);
/* Settings that need each other: jitter and reorder need a delay. NULL,
 * or what is wrong, with what to write in *hint (static texts). */
const char *impair_error(const struct impair *imp, const char **hint);
/* dst takes every field that over sets. */
void impair_merge(struct impair *dst, const struct impair *over);
bool impair_needs_netem(const struct impair *imp);
/* Does it change anything (netem or a rate)? */
bool impair_active(const struct impair *imp);
/* "delay 20ms jitter 5ms loss 1% rate 10mbit": the settings in force, in
 * the topology's words; nothing for none. */
void impair_format(const struct impair *imp, struct sbuf *out);
/* The tc(8) commands that make it on dev of netns (lines ending in '\n'). */
void impair_print_tc(const char *netns, const char *dev, const struct impair *imp, uint32_t mtu,
		     struct sbuf *out);

/* imp as the root qdisc of ifindex, which has none of its own (a new
 * interface, or one after impair_clear); nothing when imp is not active.
 * mtu 0: 1500. */
int impair_apply(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex,
		 const struct impair *imp, uint32_t mtu, struct sbuf *err);
/* Remove the root qdisc of ifindex: the kernel's default again. A change
 * of kind, or of netem's child, is not a replace. */
int impair_clear(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex, struct sbuf *err);
/* What the root qdisc of ifindex does, read from qdiscs (a qdisc cache of
 * its namespace); all zero when it is none of nslab's. */
void impair_read(struct nl_cache *qdiscs, int ifindex, struct impair *ret);
/* Can this kernel make qdiscs of kind ("netem", "tbf")? Asked in a
 * throw-away namespace. -EOPNOTSUPP with "kernel lacks netem support
 * (module sch_netem)" in err. */
int impair_probe_qdisc(const char *kind, struct sbuf *err);
/* impair_probe_qdisc for each kind imp needs. */
int impair_probe(const struct impair *imp, struct sbuf *err);
