// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "lab.h"
#include "parse.h"

/* LAB or FILE: a file that exists names its lab. */
static char *lab_name_of(const char *arg, int *ret)
{
	if (strchr(arg, '/') || (strlen(arg) > 4 && streq(arg + strlen(arg) - 4, ".ini"))) {
		struct topo_lab *lab = NULL;
		*ret = cmd_load(arg, &lab);
		if (*ret)
			return NULL;
		char *name = xstrdup(lab->name);
		topo_lab_free(lab);
		return name;
	}
	const char *why = topo_name_error(arg, TOPO_LAB_NAME_MAX);
	if (why) {
		err("down: lab name '%s' %s", arg, why);
		*ret = EXIT_USAGE;
		return NULL;
	}
	*ret = 0;
	return xstrdup(arg);
}

static int down_one(const char *name)
{
	struct sbuf e = {0};
	bool found;
	struct sbuf notes = {0};
	int r = lab_down(name, &found, &e, &notes);
	cmd_print_notes(&notes);
	sbuf_free(&notes);
	if (r < 0)
		err("down '%s': %s", name, e.s ? e.s : strerror(-r));
	else if (found)
		printf("lab '%s' is down\n", name);
	else
		printf("lab '%s' is not up; nothing to do\n", name);
	sbuf_free(&e);
	return r < 0 ? EXIT_FAIL : 0;
}

static int down_run(int argc, char **argv)
{
	extern const struct cmd cmd_down;
	bool all = false;
	int status = 0, names, opt;
	const char *why;

	while ((opt = cmd_getopt(&cmd_down, argc, argv)) > 0)
		all |= opt == 'a';
	if (opt < 0)
		return EXIT_USAGE;
	names = argc - optind;
	if (!all && !names)
		return cmd_usage_error(&cmd_down, "name a lab (or a topology file), or give --all");
	if (all && names)
		return cmd_usage_error(&cmd_down, "--all takes no lab names");
	if ((why = lab_privilege_error())) {
		err("down: %s; nothing was changed", why);
		return EXIT_FAIL;
	}
	if (all) {
		struct lab_infos labs = {0};
		struct strvec orphans = {0};
		(void)lab_list(&labs);
		(void)lab_discover_orphans(&orphans);
		vec_foreach(l, &labs)
		{
			status |= down_one(l->name);
			lab_info_free(l);
		}
		vec_foreach(o, &orphans)
		{
			status |= down_one(*o);
			free(*o);
		}
		if (!labs.n && !orphans.n)
			printf("no labs are up\n");
		vec_free(&labs);
		vec_free(&orphans);
		return status;
	}
	for (int i = optind; i < argc; i++) {
		int r;
		_cleanup_free_ char *name = lab_name_of(argv[i], &r);
		if (!name) {
			status = status ? status : r;
			continue;
		}
		r = down_one(name);
		status = status ? status : r;
	}
	return status;
}

const struct cmd cmd_down = {
	.name = "down",
	.args = "LAB|FILE... | --all",
	.summary = "Tear a lab down completely; a lab that is not up is no error.",
	.help = "A FILE (an argument with a '/' or ending in .ini) is read and validated, and\n"
		"its lab is taken down; any other argument is a lab name.\n\n"
		"For each lab, down takes its lock, sends SIGTERM to every process whose\n"
		"network namespace is one of the lab's and SIGKILL to those still there a\n"
		"second later, then deletes the namespaces (the switch namespace first: its\n"
		"bridge ports, and so the veth pairs plugged into a switch, go with it in one\n"
		"batch), each node's /etc/netns/LAB-NODE and /run/nslab/LAB. With the last\n"
		"lab, /run/nslab and /etc/netns go if they are empty, and so does the tmpfs\n"
		"that up mounted on /run/netns, unless a namespace made by another tool is in\n"
		"it or another lab's up is under way (it is never unmounted lazily); the\n"
		"directory stays, as ip-netns(8) leaves it.\n\n"
		"It finds the namespaces in the lab's journal. Without one (a lab built by\n"
		"running the output of 'nslab plan', or a run directory that was removed), it\n"
		"finds them by name and by the 'nslab:LAB' alias nslab puts on their lo;\n"
		"namespaces that only share the LAB- prefix are left alone.\n\n"
		"A lab that is not up is no error: down prints \"lab 'LAB' is not up; nothing\n"
		"to do\" and exits 0, so a second down is harmless. Needs root.\n\n"
		"  -a, --all   every lab in /run/nslab, and every lab whose namespaces exist\n"
		"              (found by their alias) but whose run directory is gone\n",
	.run = down_run,
	.shortopts = "a",
	.longopts = (const struct option[]){{"all", no_argument, NULL, 'a'}, {0}},
};
