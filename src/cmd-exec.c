// SPDX-License-Identifier: MIT
#include "access.h"
#include "cmd.h"
#include "plan.h"

#include <fcntl.h>
#include <sys/wait.h>

extern const struct cmd cmd_exec;

/* In the child: enter the node and exec; never returns. */
_Noreturn static void run_in(const char *lab, const char *node, char **argv)
{
	_cleanup_free_ char *ns = plan_netns_name(lab, node);
	struct sbuf why = {0};

	if (access_enter(ns, &why) < 0) {
		err("exec: %s", why.s);
		_exit(EXIT_FAIL);
	}
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
		if (pipe2(fds, O_CLOEXEC) < 0)
			return EXIT_FAIL;
		fflush(NULL);
		pid_t pid = fork();
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
		free(*n);
	}
	vec_free(&nodes);
	return status;
}

static int exec_run(int argc, char **argv)
{
	static const char *const opts[] = {"--all", "-a", NULL};
	unsigned flags = 0;
	struct cmd_args a;
	_cleanup_free_ char *lab = NULL;
	int r = cmd_split(&cmd_exec, argc, argv, opts, &flags, &a);

	if (r)
		return r;
	bool all = flags & 3;
	/* Without "--": NODE CMD... (the lab inferred). */
	if (!a.rest && !all && a.npos >= 2) {
		a.rest = (char **)&argv[argc - (a.npos - 1)];
		a.nrest = a.npos - 1;
		a.npos = 1;
	}
	if (!a.rest || !a.nrest)
		return cmd_usage_error(&cmd_exec, "no command given");
	if (a.npos > (all ? 1 : 2) || (!all && a.npos < 1))
		return cmd_usage_error(&cmd_exec, all ? "--all takes at most a lab name"
						      : "name the node: exec [LAB] NODE -- CMD");
	r = cmd_pick_lab(&cmd_exec, a.npos == (all ? 1 : 2) ? a.pos[0] : NULL, &lab);
	if (r)
		return r;
	if (all)
		return exec_all(lab, a.rest);
	run_in(lab, a.pos[a.npos - 1], a.rest);
}

const struct cmd cmd_exec = {
	.name = "exec",
	.args = "[LAB] NODE -- CMD [ARGS...] | --all [LAB] -- CMD [ARGS...]",
	.summary = "Run a command in a node, as 'ip netns exec' does.",
	.help = "Enters the node's network namespace and a private mount namespace with\n"
		"/etc/netns/LAB-NODE/* bound over /etc and a /sys of its own, then executes\n"
		"CMD directly (no shell): standard input, output, error and the exit status pass\n"
		"through. LAB may be left out while one lab is up.\n\n"
		"  -a, --all   run CMD on every node in turn; each output line is prefixed with\n"
		"              'NODE: '; the exit status is the first non-zero one\n",
	.run = exec_run,
};
