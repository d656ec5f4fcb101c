/* SPDX-License-Identifier: MIT */
/* nslab grade: a reference topology's [expect] checks (and, with [grade]
 * diff = yes, its differences) against each student's lab, brought up
 * under a name of its own and always taken down. docs/grading.md. */
#pragma once

#include "topology.h"

struct grade_check {
	char *name;   /* as nslab check names it: "reach h1 -> h2 (10.0.2.10)" */
	char *detail; /* why it failed; NULL when it passed */
	bool ok;
	unsigned line; /* of the reference; 0: a diff */
};

struct grade_row {
	char *student; /* as given */
	char *lab;     /* the lab name it ran under; NULL if it got none */
	char *error;   /* why the lab could not be checked; NULL when it was */
	VEC(struct grade_check) checks;
	size_t passed, failed;
	double seconds;
	struct strvec notes; /* what up and down said worth telling */
};

struct grade_report {
	const char *reference;
	VEC(struct grade_row) rows;
	int interrupted; /* the signal that stopped the run, or 0 */
};

enum grade_format {
	GRADE_TEXT,
	GRADE_CSV,
	GRADE_JSON,
	_GRADE_FORMAT_MAX,
	_GRADE_FORMAT_INVALID = -1,
};
enum grade_format grade_format_from_string(const char *s);

struct grade_opts {
	const char *prefix; /* of every lab name: "grade-" */
	unsigned jobs;	    /* labs at a time, at least 1 */
	double timeout;	    /* of each lab's checks, as nslab check --timeout */
	bool host_limits;   /* up --host-limits for each lab (also REFERENCE's [lab] key) */
	/* called as each student's row is complete (in the order they end) */
	void (*done)(const struct grade_row *row, void *data);
	void *data;
};

#define GRADE_PREFIX_MAX 16

/* The lab name for student (a file or a folder): prefix, then its name
 * without ".ini" (its folder's name for "DIR/lab.ini" or a folder), other
 * characters than letters, digits, '_', '-' and '.' as '-', cut to
 * TOPO_LAB_NAME_MAX; "-2", "-3"... when `taken` says the name is (taken
 * is called with each candidate and data). Never NULL. */
char *grade_lab_name(const char *student, const char *prefix,
		     bool (*taken)(const char *name, void *data), void *data);

/* A student's topology: a file, a folder with lab.ini or one *.ini, or a
 * Kathará lab folder (lab.conf); parsed and validated. NULL with the
 * errors in d, or why it could not be read in why; notes: the import's. */
struct topo_lab *grade_load(const char *path, struct diag *d, struct sbuf *why, struct sbuf *notes);

/* Grade every student, opts->jobs at a time, each in a child process:
 * load, up under its name (refused when a lab of that name is up: nslab
 * never touches a lab it did not make), the reference's checks, the diff
 * if asked, always down. Rows in the order of students. Stops starting
 * labs on SIGINT/SIGTERM/SIGHUP (interrupt_catch first), passes the signal
 * to the children, which take their labs down. */
void grade_run(const struct topo_lab *ref, char *const *students, size_t n,
	       const struct grade_opts *opts, struct grade_report *ret);
void grade_report_free(struct grade_report *r);

/* Do all rows pass everything? */
bool grade_all_passed(const struct grade_report *r);
/* The report as text (a table), CSV (RFC 4180, one row per student) or JSON. */
void grade_write(FILE *f, enum grade_format fmt, const struct grade_report *r);
/* One CSV field: quoted when it holds ',', '"', a line break or blanks at
 * an end ('"' doubled); a leading '=', '+', '-' or '@' gets a "'" before
 * it, so that a spreadsheet never runs a student's text as a formula. */
void grade_csv_field(struct sbuf *b, const char *s);
