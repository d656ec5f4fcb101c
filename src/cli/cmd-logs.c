// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "access.h"
#include "rundir.h"
#include "runtime.h"

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
	if (npos < 1 || npos > 2)
		return cmd_usage_error(&cmd_logs, "which log: logs [LAB] dns|NODE");
	r = cmd_pick_lab(&cmd_logs, npos == 2 ? pos[0] : NULL, &lab);
	if (r)
		return r;
	const char *what = pos[npos - 1];
	bool dns = streq(what, "dns");
	_cleanup_free_ char *path = dns ? rundir_path(lab, RUNDIR_DNS_LOG) : runtime_log_path(lab, what);
	if (access(path, R_OK) < 0) {
		struct strvec nodes = {0};
		bool known = dns;
		if (!dns && access_nodes(lab, &nodes) == 0)
			vec_foreach(n, &nodes) known |= streq(*n, what);
		vec_foreach(n, &nodes) free(*n);
		vec_free(&nodes);
		if (dns)
			err("logs: lab '%s' has no DNS log (%s: %s); is there a [dns] section?", lab, path,
			    strerror(errno));
		else if (!known)
			err("logs: lab '%s' has no node '%s' ('nslab show %s' lists them; 'dns' is the DNS "
			    "log)", lab, what, lab);
		else
			err("logs: node '%s' has no log yet: nothing has run in it (startup lines, services)",
			    what);
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
	.args = "[-f] [LAB] dns|NODE",
	.summary = "Show a node's log (its startup lines and services), or the DNS query log.",
	.help = "NODE: what its startup lines, ruleset and services printed, each headed by a\n"
		"'# nslab:' line naming it and its FILE:LINE. dns: each query dnsmasq answered,\n"
		"with the address of the node that asked (dnsmasq --log-queries; the lab's\n"
		"[dns] section runs it).\n\n"
		"  -f, --follow   keep printing new lines, as tail -F\n",
	.run = logs_run,
	.shortopts = "f",
	.longopts = (const struct option[]){{"follow", no_argument, NULL, 'f'}, {0}},
};
