// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "json.h"
#include "lab.h"
#include "rundir.h"
#include "runtime.h"

#include <time.h>

extern const struct cmd cmd_ps;

static void print_lab(const char *lab, bool json, struct json *j, bool *header)
{
	struct rundir_services sv = {0};

	if (rundir_read_services(lab, &sv) < 0)
		return;
	vec_foreach(s, &sv)
	{
		bool running = s->start && runtime_proc_start(s->pid) == s->start;
		if (json) {
			json_begin_object(j, NULL);
			json_str(j, "lab", lab);
			json_str(j, "node", s->node);
			json_str(j, "service", s->name);
			json_int(j, "pid", s->pid);
			json_str(j, "state", running ? "running" : "exited");
			json_int(j, "since", s->since);
			json_str(j, "command", s->cmd);
			json_end_object(j);
			continue;
		}
		char since[32] = "-";
		time_t t = (time_t)s->since;
		struct tm tm;
		if (s->since && localtime_r(&t, &tm))
			strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
		if (!*header)
			printf("%-16s %-12s %-12s %7s %-8s %-19s  %s\n", "LAB", "NODE", "SERVICE", "PID",
			       "STATE", "SINCE", "COMMAND");
		*header = true;
		printf("%-16s %-12s %-12s %7d %-8s %-19s  %s\n", lab, s->node, s->name, (int)s->pid,
		       running ? "running" : "exited", since, s->cmd);
	}
	rundir_services_free(&sv);
}

static int ps_run(int argc, char **argv)
{
	bool json = false, header = false;
	struct json j = {.f = stdout};
	int opt;

	while ((opt = cmd_getopt(&cmd_ps, argc, argv)) > 0)
		json |= opt == 'j';
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_ps, "unexpected '%s'", argv[optind + 1]);
	if (json)
		json_begin_array(&j, NULL);
	if (optind < argc) {
		_cleanup_free_ char *lab = NULL;
		if (cmd_pick_lab(&cmd_ps, argv[optind], &lab))
			return EXIT_FAIL;
		print_lab(lab, json, &j, &header);
	} else {
		struct lab_infos labs = {0};
		int r = lab_list(&labs);
		if (r < 0) {
			err("ps: %s", strerror(-r));
			return EXIT_FAIL;
		}
		vec_foreach(l, &labs) print_lab(l->name, json, &j, &header);
		vec_foreach(l, &labs) lab_info_free(l);
		vec_free(&labs);
	}
	if (json) {
		json_end_array(&j);
		fputc('\n', stdout);
	}
	return 0;
}

const struct cmd cmd_ps = {
	.name = "ps",
	.args = "[--json] [LAB]",
	.summary = "List the services running in labs' nodes: node, name, PID, state, command.",
	.help = "The services ('service =' in a [node]) that up started, in the order it\n"
		"started them: lab, node, service name, PID, state, since when, and the\n"
		"command. STATE is 'running', or 'exited' when the process is gone. Without\n"
		"LAB, every running lab's.\n\n"
		"  -j, --json   machine-readable output\n",
	.run = ps_run,
	.shortopts = "j",
	.longopts = (const struct option[]){{"json", no_argument, NULL, 'j'}, {0}},
};
