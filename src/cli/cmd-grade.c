// SPDX-License-Identifier: MIT
/* nslab grade: a reference's checks against students' labs (grade.h). */
#include "cmd.h"
#include "grade.h"
#include "interrupt.h"
#include "lab.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

extern const struct cmd cmd_grade;

enum { OPT_FORMAT = 256, OPT_CSV, OPT_JSON, OPT_PREFIX, OPT_TIMEOUT, OPT_HOST_LIMITS };

static const struct option grade_longopts[] = {
    {"jobs", required_argument, NULL, 'j'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"csv", no_argument, NULL, OPT_CSV},
    {"json", no_argument, NULL, OPT_JSON},
    {"prefix", required_argument, NULL, OPT_PREFIX},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"host-limits", no_argument, NULL, OPT_HOST_LIMITS},
    {0},
};

/* A prefix that every lab name may start with: a letter or digit first,
 * then letters, digits, '_', '-', '.'. NULL if fine, else why not. */
static const char *prefix_error(const char *p)
{
	if (!*p)
		return "is empty";
	if (strlen(p) > GRADE_PREFIX_MAX)
		return "is longer than 16 characters";
	if (!isalnum((unsigned char)p[0]))
		return "must start with a letter or digit";
	for (const char *c = p; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_-.", *c))
			return "has a character other than letters, digits, '_', '-' and '.'";
	if (strstr(p, ".."))
		return "contains '..'";
	return NULL;
}

static void row_done(const struct grade_row *row, void *data)
{
	(void)data;
	vec_foreach (n, &row->notes)
		err("grade: %s: %s", row->student, *n);
	if (row->error && strchr(row->error, '\n'))
		err("grade: %s: %.*s", row->student, (int)strcspn(row->error, "\n"), row->error);
	else if (row->error)
		err("grade: %s: %s", row->student, row->error);
	else
		err("grade: %s: %zu of %zu checks pass in lab '%s' (%.2f s)", row->student,
		    row->passed, row->checks.n, row->lab, row->seconds);
}

/* The reference, or an exit status after saying why not. */
static int load_reference(const char *path, struct topo_lab **ret)
{
	struct diag d = {0};
	struct sbuf why = {0}, notes = {0};
	struct topo_lab *ref = grade_load(path, &d, &why, &notes);

	cmd_print_notes(&notes);
	sbuf_free(&notes);
	if (!ref) {
		diag_print(&d, stderr);
		if (why.len)
			err("grade: reference: %s", why.s);
		else
			err("grade: reference %s: %zu error%s", path, diag_count(&d),
			    diag_count(&d) == 1 ? "" : "s");
		diag_free(&d);
		sbuf_free(&why);
		return EXIT_USAGE;
	}
	diag_free(&d);
	sbuf_free(&why);
	if (!ref->expects.n && !ref->grade.diff) {
		topo_lab_free(ref);
		return cmd_usage_error(
		    &cmd_grade,
		    "reference '%s' has no [expect] section and no '[grade] diff = "
		    "yes': nothing to grade",
		    path);
	}
	*ret = ref;
	return 0;
}

/* The report to path ("-": standard output), whole or not at all. */
static int write_report(const char *path, enum grade_format fmt, const struct grade_report *r)
{
	if (!path || streq(path, "-")) {
		grade_write(stdout, fmt, r);
		return fflush(stdout) == 0 ? 0 : -errno;
	}
	_cleanup_free_ char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -errno;
	grade_write(f, fmt, r);
	if (fclose(f) != 0)
		return -errno;
	return write_file_replace(path, text);
}

static int grade_cmd_run(int argc, char **argv)
{
	struct grade_opts o = {.prefix = "grade-", .jobs = 1, .timeout = 60, .done = row_done};
	/* on a shared machine the labs are the user's too: alice-grade-bob,
	 * or alice-bob where that is too long */
	const char *user = cmd_prefix(NULL);
	_cleanup_free_ char *mine = *user ? xasprintf("%s-grade-", user) : NULL;
	if (mine && strlen(mine) > 16)
		mine[strlen(user) + 1] = '\0';
	if (mine && strlen(mine) <= 16)
		o.prefix = mine;
	enum grade_format fmt = GRADE_TEXT;
	const char *output = NULL;
	uint32_t u;
	int opt;

	while ((opt = cmd_getopt(&cmd_grade, argc, argv)) > 0) {
		if (opt == 'j') {
			if (parse_u32(optarg, 1, 64, &u) < 0)
				return cmd_usage_error(
				    &cmd_grade,
				    "-j takes a number of labs at a time (1 to 64), not '%s'",
				    optarg);
			o.jobs = u;
		} else if (opt == 'o') {
			output = optarg;
		} else if (opt == OPT_FORMAT) {
			fmt = grade_format_from_string(optarg);
			if (fmt == _GRADE_FORMAT_INVALID)
				return cmd_usage_error(&cmd_grade,
						       "--format takes text, csv or json, not '%s'",
						       optarg);
		} else if (opt == OPT_CSV) {
			fmt = GRADE_CSV;
		} else if (opt == OPT_JSON) {
			fmt = GRADE_JSON;
		} else if (opt == OPT_PREFIX) {
			const char *why = prefix_error(optarg);
			if (why)
				return cmd_usage_error(&cmd_grade, "--prefix '%s' %s", optarg, why);
			o.prefix = optarg;
		} else if (opt == OPT_TIMEOUT) {
			if (parse_u32(optarg, 1, 86400, &u) < 0)
				return cmd_usage_error(
				    &cmd_grade, "--timeout takes seconds (1 to 86400), not '%s'",
				    optarg);
			o.timeout = u;
		} else if (opt == OPT_HOST_LIMITS) {
			o.host_limits = true;
		}
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind < 2)
		return cmd_usage_error(&cmd_grade,
				       argc - optind ? "no student given" : "no reference given");

	struct topo_lab *ref = NULL;
	int r = load_reference(argv[optind], &ref);
	if (r)
		return r;
	/* SIGINT, SIGTERM, SIGHUP: no new lab; the running ones are taken
	 * down by their children; the rows so far are written; 128+signal */
	interrupt_catch();
	struct grade_report rep = {0};
	grade_run(ref, argv + optind + 1, (size_t)(argc - optind - 1), &o, &rep);
	int e = write_report(output, fmt, &rep);
	if (e < 0) {
		err("grade: write %s: %s", output ? output : "standard output", strerror(-e));
		r = EXIT_FAIL;
	} else if (output && !streq(output, "-")) {
		err("grade: wrote %s (%zu student%s)", output, rep.rows.n,
		    rep.rows.n == 1 ? "" : "s");
	}
	if (rep.interrupted) {
		err("grade: interrupted by %s; the labs it made were taken down",
		    interrupt_name(rep.interrupted));
		r = 128 + rep.interrupted;
	} else if (!r) {
		r = grade_all_passed(&rep) ? 0 : EXIT_FAIL;
	}
	grade_report_free(&rep);
	topo_lab_free(ref);
	return r;
}

const struct cmd cmd_grade = {
    .name = "grade",
    .args = "[-j N] [--format F] [-o FILE] [--prefix PREFIX] [--timeout SECS] [--host-limits] REFERENCE STUDENT...",
    .summary = "Grade students' labs against a reference topology's [expect] checks.",
    .help = "Each STUDENT (a topology file; a folder with lab.ini or one *.ini; a Kathara\n"
	    "lab folder with lab.conf) comes up under a lab name of its own: PREFIX and its\n"
	    "file's or folder's name ('grade-alice', then 'grade-alice-2', ...; never the\n"
	    "name of a lab that is up). It gets the [expect] checks of REFERENCE (its own\n"
	    "[expect] is ignored) and, with '[grade] diff = yes' in REFERENCE, one failed\n"
	    "check per difference from REFERENCE (as 'nslab diff' finds them); then it always\n"
	    "goes down. A check that names a node the lab lacks fails; a lab that does not\n"
	    "validate or come up fails every check, with the reason. One table comes out, a\n"
	    "row per student in argument order: checks passed, failed, total, the failed\n"
	    "ones and why.\n"
	    "  -j, --jobs N        grade N labs at a time (1 to 64, default 1)\n"
	    "  --format F          text (default), csv (a row per student) or json\n"
	    "  --csv, --json       the same as --format csv, --format json\n"
	    "  -o, --output FILE   write the table to FILE (whole or not at all)\n"
	    "  --prefix PREFIX     of the lab names, up to 16 characters (default 'grade-';\n"
	    "                      under a lab-name prefix P, such as sudo's user, 'P-grade-'\n"
	    "                      or, longer than 16, 'P-')\n"
	    "  --timeout SECS      bound on each lab's checks (default 60)\n"
	    "  --host-limits       raise the host-wide limits each lab needs while it is up\n"
	    "                      ('nslab up --host-limits'), as REFERENCE's [lab]\n"
	    "                      host-limits = yes does; a student's own key is ignored\n"
	    "Progress (one line per student) goes to stderr. Ctrl-C or SIGTERM takes the\n"
	    "labs being graded down and exits 128+signal. Exit status: 0 when every student\n"
	    "passed every check, 1 when a check failed or a lab did not come up, 2 on bad\n"
	    "arguments or a bad REFERENCE. See docs/grading.md.\n",
    .run = grade_cmd_run,
    .needs_root = true,
    .shortopts = "j:o:",
    .longopts = grade_longopts,
};
