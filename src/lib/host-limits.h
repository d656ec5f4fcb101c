/* SPDX-License-Identifier: MIT */
/* Host limits a lab can run into: the kernel's tables, queues and counts
 * shared by every namespace. One computation of what a lab needs
 * (limits_need) serves the warning, `nslab plan` and the raise. */
#pragma once

#include "topology.h"

/* One host-wide sysctl and what the lab needs of it. Rows of one group
 * go together (a family's gc_thresh3, 2 and 1): the group is short when a
 * row's value is below its need, and then each of its rows below `want`
 * is raised to it. */
struct limit_row {
	const char *key;    /* "net.ipv4.neigh.default.gc_thresh3": one of limit_keys[] */
	unsigned long need; /* below it the lab fails; 0: raised with its group only */
	unsigned long want; /* what a raise writes */
	unsigned group;
	unsigned long cur; /* the host's value */
	bool known;	   /* cur was read */
};
struct limit_rows {
	struct limit_row *v;
	size_t n, cap;
};

/* The sysctls nslab may ever raise (a record naming another is ignored). */
extern const char *const limit_keys[];
extern const size_t limit_keys_n;

/* What lab needs: rows only for what it needs at all; cur is not read. */
void limits_need(const struct topo_lab *lab, struct limit_rows *ret);
/* The same, with the host's values read. */
void limits_need_host(const struct topo_lab *lab, struct limit_rows *ret);
/* Is row i's group short (some row of it below its need)? */
bool limits_short(const struct limit_rows *rows, size_t i);

/* Notes (one a line) for each short group: the neighbour tables'
 * gc_thresh3, netdev_max_backlog against the largest broadcast domain;
 * each names the sysctl writes that allow it.
 * Nothing is changed. */
void limits_warn(const struct topo_lab *lab, struct sbuf *notes);
/* For `nslab plan`: the writes a raise would make on this host now, as
 * "sysctl -w KEY=VALUE" lines; nothing when none is short. */
void limits_plan(const struct topo_lab *lab, struct sbuf *out);

/* The record (RUNDIR/.host-limits/record, rundir.c): for each sysctl that
 * nslab raised, its value before and what nslab wrote, and the labs that
 * hold the raise. Text:
 *   raised KEY OLD SET
 *   lab NAME
 * ('#' lines are comments). */
struct limit_raised {
	const char *key; /* from limit_keys[] */
	unsigned long old, set;
};
struct limit_record {
	struct {
		struct limit_raised *v;
		size_t n, cap;
	} raised;
	struct strvec labs;
};
/* Lines it does not know (another key, bad numbers) are left out. */
void limits_record_parse(const char *text, struct limit_record *ret);
void limits_record_format(const struct limit_record *r, struct sbuf *out);
void limits_record_free(struct limit_record *r);

/* A sysctl write to make. */
struct limit_write {
	const char *key;
	unsigned long from, to;
};
struct limit_writes {
	struct limit_write *v;
	size_t n, cap;
};

/* The raise as a decision: rows (with cur) below their want in a short
 * group are written; rec gets each new key's old value (a key already on
 * record keeps the first old value) and the lab as a holder when it
 * raises something or needs a value that only an earlier raise gives. */
void limits_decide_raise(struct limit_record *rec, const char *lab, const struct limit_rows *rows,
			 struct limit_writes *ret);
/* The release as a decision: lab stops holding; holders for whom alive()
 * says no are dropped too. With none left, each recorded key whose value
 * (read()) is still what nslab set goes back to its old value (ret); one
 * changed by someone else since is left, with a note. *ret_empty: the
 * record is done with (remove it). */
void limits_decide_release(struct limit_record *rec, const char *lab,
			   bool (*alive)(const char *lab),
			   int (*read)(const char *key, unsigned long *ret),
			   struct limit_writes *ret, bool *ret_empty, struct sbuf *notes);

/* The host's value of key; 0 or -errno. */
int limits_read(const char *key, unsigned long *ret);

/* Raise what lab needs, as root, before anything of it is made: under
 * the record's lock, the record (old values, the lab as holder) is on
 * disk before any write. notes says what was raised. */
int limits_raise(const struct topo_lab *lab, struct sbuf *err, struct sbuf *notes);
/* Lab `name` goes: when no live lab holds the raise any more, restore
 * the old values (notes say so, and name any value left because it was
 * changed since). A lab that holds nothing: nothing happens. */
int limits_release(const char *name, bool (*alive)(const char *lab), struct sbuf *notes);
/* Does the record name lab `name` as a holder? */
bool limits_held(const char *name);
/* The labs the record names as holders (for down --all: one whose run
 * directory and namespaces are gone still holds the raise). */
void limits_holders(struct strvec *ret);
