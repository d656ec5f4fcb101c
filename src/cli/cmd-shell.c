// SPDX-License-Identifier: MIT
#include "access.h"
#include "runtime.h"
#include "cmd.h"
#include "plan.h"

extern const struct cmd cmd_shell;

static int shell_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL;
	struct sbuf why = {0};
	int r;

	if (cmd_getopt(&cmd_shell, argc, argv) < 0)
		return EXIT_USAGE;
	int npos = argc - optind;
	char **pos = argv + optind;
	if (npos == 1 && cmd_is_lab(pos[0]))
		return cmd_usage_error(&cmd_shell, "lab '%s' is named; name the node too: shell %s NODE",
				       pos[0], pos[0]);
	if (npos < 1 || npos > 2 || streq(argv[optind - 1], "--"))
		return cmd_usage_error(&cmd_shell, "name the node: shell [LAB] NODE");
	r = cmd_pick_lab(&cmd_shell, npos == 2 ? pos[0] : NULL, &lab);
	if (r)
		return r;
	const char *node = pos[npos - 1];
	if ((r = cmd_check_node(&cmd_shell, lab, node)))
		return r;
	_cleanup_free_ char *ns = topo_netns_name(lab, node);
	int entered = runtime_enter(lab, node, &why);
	if (entered < 0) {
		err("shell: %s", why.s);
		return EXIT_FAIL;
	}
	if (entered > 0)
		err("shell: warning: %s", why.s);
	_cleanup_free_ char *ps1 = xasprintf("[%s:%s] \\w\\$ ", lab, node);
	setenv("PS1", ps1, 1);
	setenv("NSLAB_LAB", lab, 1);
	setenv("NSLAB_NODE", node, 1);
	/* bash reads PS1 from the environment only without its rc files */
	execlp("bash", "bash", "--norc", "--noprofile", "-i", (char *)NULL);
	execlp("sh", "sh", "-i", (char *)NULL);
	err("shell: no bash or sh: %s", strerror(errno));
	return EXIT_FAIL;
}

const struct cmd cmd_shell = {
	.name = "shell",
	.args = "[LAB] NODE",
	.summary = "An interactive shell in a node, its name in the prompt.",
	.help = "Enters the node as 'nslab exec' does and starts bash (or sh) with the prompt\n"
		"'[LAB:NODE] DIR# ' and NSLAB_LAB, NSLAB_NODE set. Leave it with 'exit'.\n",
	.run = shell_run,
	.needs_root = true,
};
