// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "rundir.h"

#include <config.h>

extern const struct cmd cmd_logs;

static int logs_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL;
	bool follow = false;
	int r, opt;

	while ((opt = cmd_getopt(&cmd_logs, argc, argv)) > 0)
		follow |= opt == 'f';
	if (opt < 0)
		return EXIT_USAGE;
	int npos = argc - optind;
	char **pos = argv + optind;
	if (npos < 1 || npos > 2 || !streq(pos[npos - 1], "dns"))
		return cmd_usage_error(&cmd_logs, "which log: logs [LAB] dns");
	r = cmd_pick_lab(&cmd_logs, npos == 2 ? pos[0] : NULL, &lab);
	if (r)
		return r;
	_cleanup_free_ char *path = rundir_path(lab, RUNDIR_DNS_LOG);
	if (access(path, R_OK) < 0) {
		err("logs: lab '%s' has no DNS log (%s: %s); is there a [dns] section?", lab, path,
		    strerror(errno));
		return EXIT_FAIL;
	}
	if (follow) {
		execlp("tail", "tail", "-n", "+1", "-F", path, (char *)NULL);
		err("logs: tail: %s", strerror(errno));
		return EXIT_FAIL;
	}
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f) {
		err("logs: %s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	_cleanup_free_ char *text = read_stream(f);
	fputs(text, stdout);
	return 0;
}

const struct cmd cmd_logs = {
	.name = "logs",
	.args = "[-f] [LAB] dns",
	.summary = "Show the DNS query log of a lab (dnsmasq --log-queries).",
	.help = "Each query with the address of the node that asked.\n\n"
		"  -f, --follow   keep printing new lines, as tail -F\n",
	.run = logs_run,
	.shortopts = "f",
	.longopts = (const struct option[]){{"follow", no_argument, NULL, 'f'}, {0}},
};
