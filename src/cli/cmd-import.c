// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "kathara.h"

#include <libgen.h>

extern const struct cmd cmd_import;

static int import_run(int argc, char **argv)
{
	const char *out = NULL;
	bool skip = false;
	struct diag d = {0};
	struct sbuf notes = {0};
	int opt;

	while ((opt = cmd_getopt(&cmd_import, argc, argv)) > 0) {
		if (opt == 'o')
			out = optarg;
		else if (opt == 's')
			skip = true;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind != 2 || !streq(argv[optind], "kathara"))
		return cmd_usage_error(&cmd_import, "write 'import kathara DIR'");
	const char *dir = argv[optind + 1];
	if (!kathara_is_lab(dir)) {
		err("import: %s is not a Kathará lab (a folder with a lab.conf)", dir);
		return EXIT_USAGE;
	}
	/* the topology lies elsewhere: its folder names the lab's */
	_cleanup_free_ char *abs = realpath(dir, NULL);
	_cleanup_free_ char *out_dir = NULL;
	if (out) {
		_cleanup_free_ char *copy = xstrdup(out);
		out_dir = realpath(dirname(copy), NULL);
	}
	bool beside = out_dir && abs && streq(out_dir, abs);
	_cleanup_free_ char *text = kathara_import(dir, beside ? NULL : abs, skip, &d, &notes);
	cmd_print_notes(&notes);
	sbuf_free(&notes);
	if (!text) {
		diag_sort(&d);
		diag_print(&d, stderr);
		err("import: %s: %zu error%s", dir, diag_count(&d), diag_count(&d) == 1 ? "" : "s");
		diag_free(&d);
		return EXIT_USAGE;
	}
	if (!out) {
		fputs(text, stdout);
		return 0;
	}
	FILE *f = fopen(out, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		err("import: write %s: %s", out, strerror(errno));
		return EXIT_FAIL;
	}
	fprintf(stderr, "nslab: import: wrote %s; 'nslab up %s' builds it\n", out, out);
	return 0;
}

const struct cmd cmd_import = {
	.name = "import",
	.args = "kathara [--skip-unsupported] [-o FILE] DIR",
	.summary = "Turn a Kathará lab (lab.conf, DEVICE.startup, DEVICE/) into a topology.",
	.help = "DIR holds the Kathará lab: its lab.conf, DEVICE.startup and shared.startup,\n"
		"the DEVICE/ and shared/ trees, lab.dep. Collision domains become bridges,\n"
		"ethN names and MACs stay, Kathará's defaults apply (forwarding on, rp_filter\n"
		"off, IPv6 off unless a device asks), every device is a node with a root,\n"
		"startup files run as Kathará runs them ([lab] startup-files = lenient: every\n"
		"line; a failure is logged). DEVICE/ and shared/ lie over the nodes' /. What\n"
		"nslab cannot do (P4, Open vSwitch, bridged, port, lab.ext) is an error at its\n"
		"FILE:LINE. 'nslab up', 'test', 'validate' and 'plan' of a Kathará folder\n"
		"import it on the fly. See docs/kathara.md.\n\n"
		"  -o, --output FILE      write the topology there (else to standard output)\n"
		"  --skip-unsupported     leave out what nslab cannot do, with a note each\n",
	.run = import_run,
	.shortopts = "o:",
	.longopts = (const struct option[]){{"output", required_argument, NULL, 'o'},
					    {"skip-unsupported", no_argument, NULL, 's'},
					    {0}},
};
