/* SPDX-License-Identifier: MIT */
/* The CLI: one file per subcommand, each a `struct cmd`. The core below it
 * never prints or exits; these decide what the user sees. */
#pragma once

#include "topology.h"

#include <getopt.h>
#include <time.h>

/* Exit statuses. */
#define EXIT_FAIL 1  /* the operation failed */
#define EXIT_USAGE 2 /* bad arguments or a bad topology */

struct cmd {
	const char *name;
	const char *args;    /* "FILE" */
	const char *summary; /* one line for `nslab help` */
	const char *help;    /* the rest of `nslab help CMD` */
	int (*run)(int argc, char **argv);
	bool needs_root;  /* main() says so, before run, when it lacks root */
	bool argv_tail;   /* words after its operands are another program's: -h
			   * and --help count only before the first operand, and
			   * options end at the first operand (getopt's '+') */
	/* Its options, for cmd_getopt: getopt_long's short string (without
	 * '+' or ':') and long options; -h/--help is main()'s. */
	const char *shortopts;
	const struct option *longopts;
};

/* The one argument parser: getopt_long over c's options. Returns the next
 * option (its short letter or val, its value in optarg), 0 when the
 * options end (operands from argv[optind]), or -1 after printing a usage
 * error (unknown option, missing value). */
int cmd_getopt(const struct cmd *c, int argc, char **argv);
/* The index of the first "--" in argv, or argc: pass it to cmd_getopt as
 * argc to keep the words after it (another program's) out of reach. */
int cmd_dashdash(int argc, char **argv);

extern const struct cmd *const cmds[];
extern const size_t cmds_n;
const struct cmd *cmd_find(const char *name);

/* Print a command's usage to f. */
void cmd_usage(const struct cmd *c, FILE *f);
/* "nslab CMD: ..." to stderr, then `Try 'nslab help CMD'`; returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd *c, const char *fmt, ...) _printf_(2, 3);
/* True if argv[1] asks for help (-h/--help), after printing it. */
bool cmd_wants_help(const struct cmd *c, int argc, char **argv);

/* Load and validate a topology; prints every error. Returns 0 or an exit
 * status (EXIT_USAGE). */
int cmd_load(const char *path, struct topo_lab **ret);
/* up/test: the lab under its final name: `name` (--name) or its own, with
 * the prefix in force (cmd_lab_name); its namespaces renamed. Says why a
 * name is refused (too long with the prefix) and returns EXIT_USAGE. */
int cmd_rename_lab(const struct cmd *c, struct topo_lab *lab, const char *name);
/* --host NAME of a lab split across hosts (hosts.h), after cmd_rename_lab:
 * the part to build; no --host for such a lab, or an unknown host, is a
 * usage error (EXIT_USAGE, said); a one-host lab without --host is 0. */
int cmd_place(const struct cmd *c, struct topo_lab *lab, const char *host);

/* What `up` (and `test`) show while a lab comes up: -v prints each step as
 * its ip(8) commands; a lab of more than 200 steps gets a progress line
 * on stderr when it is a terminal. Set verbose, then call cmd_up_display
 * before lab_up: it sets o's progress hook. */
struct lab_up_opts;
struct up_display {
	bool verbose;
	const char *lab;
	struct timespec t0;
	double last;
	bool shown;
};
void cmd_up_display(struct up_display *d, const struct topo_lab *lab, struct lab_up_opts *o);
/* The lab-name prefix in force, "" for none (labname_prefix over
 * NSLAB_PREFIX, which `nslab --prefix P` sets, and SUDO_USER); *ret_from
 * names its source for messages. */
const char *cmd_prefix(const char **ret_from);
/* The lab a user means by `name`, with the prefix in force. Allocated. */
char *cmd_lab_name(const char *name);
/* `nslab __complete WHAT...`: the words bash completion offers (complete.c). */
int cmd_complete(int argc, char **argv);

void err(const char *fmt, ...) _printf_(1, 2);
/* Notes of the core (one a line) to stderr, each line with 'nslab: '. */
void cmd_print_notes(const struct sbuf *notes);

/* The lab a command is about: `given` (with the prefix in force), or the
 * only lab of this user's that is up (of all labs, without a prefix).
 * Prints why not and returns an exit status, or 0 with *ret set. */
int cmd_pick_lab(const struct cmd *c, const char *given, char **ret);
/* Does node `node` exist in running lab `lab`? If not, says so the same way
 * for every command (with a did-you-mean and the lab's nodes) and returns
 * EXIT_FAIL; else 0. */
int cmd_check_node(const struct cmd *c, const char *lab, const char *node);
/* Is `word` (with the prefix in force) the name of a lab that is up (or
 * built by 'nslab plan | sh')? */
bool cmd_is_lab(const char *word);
/* Exit status of a child, as a shell reports it (128+signal). */
int cmd_wait_status(int status);
