// SPDX-License-Identifier: MIT
#include "cmd.h"

static int validate_run(int argc, char **argv)
{
	extern const struct cmd cmd_validate;
	bool quiet = false;
	int files = 0, status = 0, opt;

	while ((opt = cmd_getopt(&cmd_validate, argc, argv)) > 0)
		quiet |= opt == 'q';
	if (opt < 0)
		return EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		struct topo_lab *lab = NULL;
		size_t nodes = 0;
		int r;

		files++;
		r = cmd_load(argv[i], &lab);
		if (r) {
			status = r;
			continue;
		}
		vec_foreach(n, &lab->nodes) nodes += !(*n)->is_switch;
		if (!quiet && lab->hosts.n) {
			printf("%s: lab '%s' is valid: %zu node%s, %zu device%s, on %zu hosts:", argv[i],
			       lab->name, nodes, nodes == 1 ? "" : "s", lab->devs.n,
			       lab->devs.n == 1 ? "" : "s", lab->hosts.n);
			vec_foreach(hp, &lab->hosts)
			{
				size_t on = 0;
				vec_foreach(n, &lab->nodes) on += (*n)->host == *hp;
				printf("%s %s (%zu)", hp == lab->hosts.v ? "" : ",", (*hp)->name, on);
			}
			printf("\n");
		} else if (!quiet)
			printf("%s: lab '%s' is valid: %zu node%s, %zu device%s\n", argv[i],
			       lab->name, nodes, nodes == 1 ? "" : "s", lab->devs.n,
			       lab->devs.n == 1 ? "" : "s");
		topo_lab_free(lab);
	}
	if (!files)
		return cmd_usage_error(&cmd_validate, "no topology file given");
	return status;
}

const struct cmd cmd_validate = {
	.name = "validate",
	.args = "[-q] FILE...",
	.summary = "Check topology files and report every error.",
	.help = "Reads each FILE ('-' for standard input), checks the whole topology and prints\n"
		"every problem as FILE:LINE: message, with a 'hint:' line saying what to write\n"
		"instead. Errors are sorted by line; at most 100 are printed, and the rest\n"
		"counted. For a valid file it prints the lab name and its numbers of nodes and\n"
		"devices (each link line counts as a device). Touches nothing and needs no\n"
		"privileges.\n\n"
		"  -q, --quiet   print nothing for valid files\n\n"
		"Exit status: 0 if all files are valid, 2 if any is not or cannot be read.\n",
	.run = validate_run,
	.shortopts = "q",
	.longopts = (const struct option[]){{"quiet", no_argument, NULL, 'q'}, {0}},
};
