// SPDX-License-Identifier: MIT
#include "access.h"
#include "runtime.h"
#include "cmd.h"
#include "plan.h"

extern const struct cmd cmd_capture;

static int capture_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL, *node = NULL;
	const char *file = NULL;
	int dash = cmd_dashdash(argc, argv), opt, r;
	char **extra = argv + dash + (dash < argc);
	int nextra = argc - dash - (dash < argc);
	struct sbuf why = {0};

	/* the words after "--" are tcpdump's */
	while ((opt = cmd_getopt(&cmd_capture, dash, argv)) > 0)
		file = optarg;
	if (opt < 0)
		return EXIT_USAGE;
	char **pos = argv + optind;
	int npos = dash - optind;
	if (npos > 2)
		return cmd_usage_error(&cmd_capture, "too many arguments");
	const char *spec = npos ? pos[npos - 1] : NULL;
	const char *colon = spec ? strchr(spec, ':') : NULL;
	if (!colon || !colon[1])
		return cmd_usage_error(&cmd_capture, "name the interface: capture [LAB] NODE:IF");
	r = cmd_pick_lab(&cmd_capture, npos == 2 ? pos[0] : NULL, &lab);
	if (r)
		return r;
	node = xstrndup(spec, (size_t)(colon - spec));
	if ((r = cmd_check_node(&cmd_capture, lab, node)))
		return r;
	_cleanup_free_ char *ns = topo_netns_name(lab, node);
	int entered = runtime_enter(lab, node, &why);
	if (entered < 0) {
		err("capture: %s", why.s);
		return EXIT_FAIL;
	}
	if (entered > 0)
		err("capture: warning: %s", why.s);
	char **args = xcalloc((size_t)nextra + 8, sizeof(*args));
	int n = 0;
	args[n++] = "tcpdump";
	args[n++] = "-n";
	args[n++] = "-U"; /* each packet written as it comes */
	args[n++] = "-i";
	args[n++] = (char *)colon + 1;
	if (file) {
		args[n++] = "-w";
		args[n++] = (char *)file;
	}
	for (int i = 0; i < nextra; i++)
		args[n++] = extra[i];
	execvp(args[0], args);
	err("capture: tcpdump: %s (install tcpdump)", strerror(errno));
	return 127;
}

const struct cmd cmd_capture = {
	.name = "capture",
	.args = "[LAB] NODE:IF [-w FILE] [-- TCPDUMP-OPTIONS-AND-FILTER]",
	.summary = "Capture packets on a node's interface with tcpdump.",
	.help = "Runs 'tcpdump -n -U -i IF' inside NODE; -w FILE writes a pcap file instead of\n"
		"printing. Anything after '--' goes to tcpdump (options, then a filter).\n",
	.run = capture_run,
	.needs_root = true,
	.shortopts = "w:",
};
