// SPDX-License-Identifier: MIT
#include "rundir.h"
#include "cmd.h"
#include "json.h"
#include "lab.h"
#include "labname.h"

#include <time.h>

static int ls_run(int argc, char **argv)
{
	extern const struct cmd cmd_ls;
	struct lab_infos labs = {0};
	const char *from, *prefix = cmd_prefix(&from);
	bool json = false;
	int opt;

	while ((opt = cmd_getopt(&cmd_ls, argc, argv)) > 0)
		json |= opt == 'j';
	if (opt < 0)
		return EXIT_USAGE;
	if (optind < argc)
		return cmd_usage_error(&cmd_ls, "unexpected '%s'", argv[optind]);
	int r = lab_list(&labs);
	if (r < 0) {
		err("ls: %s", strerror(-r));
		return EXIT_FAIL;
	}
	/* A lab's run directory is root's alone (0700): not silence for a user */
	struct strvec names = {0};
	if (geteuid() != 0 && rundir_list(&names) == 0 && names.n > labs.n)
		fprintf(stderr, "nslab: ls: %zu lab%s whose run directory only root can read (mode 0700); "
				"'sudo nslab ls' lists them\n",
			names.n - labs.n, names.n - labs.n == 1 ? "" : "s");
	strvec_free(&names);
	if (json) {
		struct json j = {.f = stdout};
		json_begin_array(&j, NULL);
		vec_foreach(l, &labs)
		{
			json_begin_object(&j, NULL);
			json_str(&j, "name", l->name);
			json_str(&j, "file", l->file);
			json_uint(&j, "nodes", l->nodes);
			json_uint(&j, "links", l->links);
			json_int(&j, "since", l->since);
			json_str(&j, "state", l->complete ? "up" : "broken");
			json_bool(&j, "mine", labname_is_mine(prefix, l->name));
			json_end_object(&j);
		}
		json_end_array(&j);
		fputc('\n', stdout);
	} else if (labs.n) {
		/* under a prefix, a first column marks the user's labs */
		const char *mark = *prefix ? "  " : "";
		printf("%s%-20s %6s %6s  %-19s  %s\n", mark, "LAB", "NODES", "LINKS", "SINCE",
		       "FILE");
		vec_foreach(l, &labs)
		{
			char since[32] = "-";
			time_t t = (time_t)l->since;
			struct tm tm;
			if (l->since && localtime_r(&t, &tm))
				strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
			if (*prefix)
				fputs(labname_is_mine(prefix, l->name) ? "* " : "  ", stdout);
			if (l->complete)
				printf("%-20s %6u %6u  %-19s  %s\n", l->name, l->nodes, l->links, since,
				       l->file ? l->file : l->unrecorded ? "(nslab plan | sh)" : "-");
			else
				printf("%-20s %6s %6s  %-19s  (interrupted up: 'nslab down %s')\n",
				       l->name, "-", "-", "-", l->name);
		}
		if (*prefix)
			printf("(* yours: the labs of prefix '%s', from %s)\n", prefix, from);
	}
	vec_foreach(l, &labs) lab_info_free(l);
	vec_free(&labs);
	return 0;
}

const struct cmd cmd_ls = {
	.name = "ls",
	.args = "[--json]",
	.summary = "List running labs: name, nodes, links, since when, from which file.",
	.help = "The labs in /run/nslab, sorted by name: the name, its numbers of nodes and\n"
		"links, since when it is up, and the topology file it was built from (an\n"
		"absolute path). A lab whose up was interrupted is listed as such, with the\n"
		"down command that removes it. With no lab up it prints nothing. Labs built\n"
		"by running the output of 'nslab plan' are not listed. Under a lab-name prefix\n"
		"(sudo, --prefix: 'nslab help') a first column marks with '*' the labs of that\n"
		"prefix. Needs no privileges.\n\n"
		"  -j, --json   an array of objects with the members name, file, nodes, links,\n"
		"               since (Unix time), state: 'up', or 'broken' after an\n"
		"               interrupted up ('nslab down LAB' clears it), and mine: true for\n"
		"               the labs of the prefix in force (every lab without one)\n",
	.run = ls_run,
	.shortopts = "j",
	.longopts = (const struct option[]){{"json", no_argument, NULL, 'j'}, {0}},
};
