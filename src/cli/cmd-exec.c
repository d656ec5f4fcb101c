// SPDX-License-Identifier: MIT
#include "access.h"
#include "runtime.h"
#include "cmd.h"
#include "plan.h"

#include <fcntl.h>
#include <sys/wait.h>

extern const struct cmd cmd_exec;

/* In the child: enter the node and exec; never returns. */
_Noreturn static void run_in(const char *lab, const char *node, char **argv)
{
	_cleanup_free_ char *ns = topo_netns_name(lab, node);
	struct sbuf why = {0};

	int entered = runtime_enter(lab, node, &why);
	if (entered < 0) {
		err("exec: %s", why.s);
		_exit(EXIT_FAIL);
	}
	if (entered > 0)
		err("exec: warning: %s", why.s);
	execvp(argv[0], argv);
	err("exec: %s: %s", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Run argv on every node, one after the other, each output line prefixed
 * with the node; the first failing status is the result. */
static int exec_all(const char *lab, char **argv)
{
	struct strvec nodes = {0};
	int status = 0;

	if (access_nodes(lab, &nodes) < 0)
		return EXIT_FAIL;
	vec_foreach(n, &nodes)
	{
		int fds[2], st;
		if (pipe2(fds, O_CLOEXEC) < 0) {
			err("exec: pipe: %s", strerror(errno));
			status = status ? status : EXIT_FAIL;
			break;
		}
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			err("exec: fork: %s", strerror(errno));
			close(fds[0]);
			close(fds[1]);
			status = status ? status : EXIT_FAIL;
			break;
		}
		if (pid == 0) {
			dup2(fds[1], STDOUT_FILENO);
			dup2(fds[1], STDERR_FILENO);
			run_in(lab, *n, argv);
		}
		close(fds[1]);
		FILE *out = fdopen(fds[0], "r");
		char *line = NULL;
		size_t cap = 0;
		while (out && getline(&line, &cap, out) > 0)
			printf("%s: %s%s", *n, line, line[strlen(line) - 1] == '\n' ? "" : "\n");
		free(line);
		if (out)
			fclose(out);
		waitpid(pid, &st, 0);
		if (!status)
			status = cmd_wait_status(st);
	}
	vec_foreach(n, &nodes) free(*n);
	vec_free(&nodes);
	return status;
}

/* exec [--all] [LAB] NODE [--] CMD...: options come first; without "--",
 * the first word is LAB when a lab of that name is up and more words
 * follow, and the word after NODE starts the command, options and all. */
static int exec_run(int argc, char **argv)
{
	bool all = false;
	int opt;

	while ((opt = cmd_getopt(&cmd_exec, argc, argv)) > 0)
		all |= opt == 'a';
	if (opt < 0)
		return EXIT_USAGE;
	/* getopt took a "--" right after the options: "exec --all -- CMD" */
	int i = optind, dash = streq(argv[i - 1], "--") ? i - 1 : -1;
	for (int k = i; dash < 0 && k < argc; k++)
		if (streq(argv[k], "--"))
			dash = k;
	const char *lab_word = NULL, *node = NULL;
	char **cmd;
	if (dash >= 0) { /* [LAB] NODE -- CMD, or --all [LAB] -- CMD */
		int nw = dash - i, most = all ? 1 : 2;
		if (nw > most)
			return cmd_usage_error(&cmd_exec, all ? "--all takes at most a lab name before '--'"
							       : "too many words before '--': [LAB] NODE -- CMD");
		if (!all && nw < 1)
			return cmd_usage_error(&cmd_exec, "name the node: exec [LAB] NODE -- CMD");
		if (nw == most)
			lab_word = argv[i++];
		if (!all)
			node = argv[i];
		cmd = argv + dash + 1;
	} else {
		if (i < argc && argc - i >= 2 && cmd_is_lab(argv[i]))
			lab_word = argv[i++];
		if (!all && argc - i == 1 && cmd_is_lab(argv[i]))
			return cmd_usage_error(&cmd_exec, "lab '%s' is named; name the node and the command: exec %s NODE CMD",
					       argv[i], argv[i]);
		if (!all) {
			if (i >= argc)
				return cmd_usage_error(&cmd_exec, lab_word ? "lab '%s' is named; name the node and the command: exec %s NODE CMD"
									   : "name the node and the command: exec [LAB] NODE CMD",
						       lab_word, lab_word);
			node = argv[i++];
		}
		cmd = argv + i;
	}
	if (!*cmd) {
		if (node && lab_word)
			return cmd_usage_error(&cmd_exec, "no command given for node '%s' of lab '%s': exec %s %s CMD",
					       node, lab_word, lab_word, node);
		if (node)
			return cmd_usage_error(&cmd_exec, "no command given for '%s': exec [LAB] NODE CMD", node);
		return cmd_usage_error(&cmd_exec, "no command given");
	}
	_cleanup_free_ char *lab = NULL;
	int r = cmd_pick_lab(&cmd_exec, lab_word, &lab);
	if (r)
		return r;
	if (all)
		return exec_all(lab, cmd);
	if ((r = cmd_check_node(&cmd_exec, lab, node)))
		return r;
	run_in(lab, node, cmd);
}

const struct cmd cmd_exec = {
	.name = "exec",
	.args = "[LAB] NODE [--] CMD [ARGS...] | --all [LAB] [--] CMD [ARGS...]",
	.summary = "Run a command in a node, as 'ip netns exec' does.",
	.help = "Enters the node's network namespace and a private mount namespace with each\n"
		"file of /etc/netns/LAB-NODE/ bound over the same name in /etc (one with no\n"
		"counterpart in /etc is named in a warning and not used) and a /sys of its\n"
		"own, then executes CMD directly (no shell): standard input, output, error and\n"
		"the exit status pass through (127 if CMD is not found). LAB may be left out\n"
		"while one lab is up: the first word is taken as LAB when a lab of that name\n"
		"is up and more words follow. Every word after NODE is the command's, options\n"
		"included ('nslab exec LAB h1 ping -c 1 h2'); '--' before CMD is allowed, and\n"
		"needed when CMD is named like a node of a lab.\n\n"
		"  -a, --all   run CMD on every node in turn; each output line is prefixed with\n"
		"              'NODE: '; the exit status is the first non-zero one\n",
	.run = exec_run,
	.argv_tail = true,
	.shortopts = "a",
	.longopts = (const struct option[]){{"all", no_argument, NULL, 'a'}, {0}},
	.needs_root = true,
};
