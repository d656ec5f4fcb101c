// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "host-limits.h"
#include "lab.h"
#include "labname.h"
#include "parse.h"
#include "rundir.h"

/* LAB or FILE: a file that exists names its lab; both with the prefix in
 * force (cmd_lab_name). */
static char *lab_name_of(const char *arg, int *ret)
{
	if (strchr(arg, '/') || (strlen(arg) > 4 && streq(arg + strlen(arg) - 4, ".ini"))) {
		struct topo_lab *lab = NULL;
		*ret = cmd_load(arg, &lab);
		if (*ret)
			return NULL;
		char *name = cmd_lab_name(lab->name);
		topo_lab_free(lab);
		return name;
	}
	char *name = cmd_lab_name(arg);
	const char *why = topo_name_error(name, TOPO_LAB_NAME_MAX);
	if (why) {
		err("down: lab name '%s' %s", name, why);
		free(name);
		*ret = EXIT_USAGE;
		return NULL;
	}
	*ret = 0;
	return name;
}

/* down --host NAME: the lab here must be host NAME's part (or not up). */
static int check_host(const char *name, const char *host)
{
	_cleanup_fclose_ FILE *f = rundir_fopen(name, RUNDIR_HOST, "r");
	_cleanup_free_ char *here = f ? read_stream(f) : NULL;

	if (here)
		here[strcspn(here, "\n")] = '\0';
	if (here && !streq(here, host)) {
		err("down: lab '%s' on this machine is host '%s''s part, not host '%s''s; nothing was "
		    "changed ('nslab down --host %s %s', or 'nslab down %s')",
		    name, here, host, here, name, name);
		return EXIT_FAIL;
	}
	if (!here && rundir_has(name, RUNDIR_INFO)) {
		err("down: lab '%s' on this machine is a whole lab, not host '%s''s part of one; nothing "
		    "was changed ('nslab down %s')",
		    name, host, name);
		return EXIT_FAIL;
	}
	return 0;
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

/* What --all takes down: the labs, then those whose run directory is gone,
 * then labs that only the record of raised host limits still names (their
 * down restores the limits); under a prefix only the user's. *ret_others
 * counts the labs left alone. */
static void all_labs(const char *prefix, struct strvec *ret, size_t *ret_others)
{
	struct lab_infos labs = {0};
	struct strvec orphans = {0};

	*ret_others = 0;
	(void)lab_list(&labs);
	(void)lab_discover_orphans(&orphans);
	{
		struct strvec holders = {0};
		limits_holders(&holders);
		vec_foreach (h, &holders) {
			bool known = false;
			vec_foreach (l, &labs)
				known |= streq(l->name, *h);
			vec_foreach (o, &orphans)
				known |= streq(*o, *h);
			if (known)
				free(*h);
			else
				vec_push(&orphans, *h);
		}
		vec_free(&holders);
	}
	vec_foreach (l, &labs) {
		if (labname_is_mine(prefix, l->name))
			vec_push(ret, steal_pointer(&l->name));
		else
			(*ret_others)++;
		lab_info_free(l);
	}
	vec_foreach (o, &orphans) {
		if (labname_is_mine(prefix, *o))
			vec_push(ret, steal_pointer(o));
		else
			(*ret_others)++;
		free(*o);
	}
	vec_free(&labs);
	vec_free(&orphans);
}

/* Ask on the terminal (standard input) whether to take `labs` down. A
 * script has --yes; without a terminal to ask, nothing is taken down: a
 * 'down --all' in a pipe must neither hang nor take a class's labs down. */
static bool confirm(const struct strvec *labs)
{
	char answer[16] = "";

	fprintf(stderr, "nslab: down --all takes down %zu lab%s:", labs->n,
		labs->n == 1 ? "" : "s");
	vec_foreach (l, labs)
		fprintf(stderr, " %s", *l);
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr,
			"\nnslab: down: no terminal to ask on; add --yes to take them down. "
			"Nothing was changed\n");
		return false;
	}
	fprintf(stderr, "\nTake them down? [y/N] ");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin) ||
	    !(streq(answer, "y\n") || streq(answer, "Y\n") || strcasecmp(answer, "yes\n") == 0)) {
		fprintf(stderr, "nslab: down: nothing was changed\n");
		return false;
	}
	return true;
}

static int down_all(bool yes)
{
	const char *from, *prefix = cmd_prefix(&from);
	struct strvec labs = {0};
	size_t others;
	int status = 0;

	all_labs(prefix, &labs, &others);
	if (labs.n && !yes && !confirm(&labs))
		status = EXIT_FAIL;
	else
		vec_foreach (l, &labs)
			status |= down_one(*l);
	if (!labs.n)
		printf(*prefix ? "no labs of yours are up\n" : "no labs are up\n");
	if (others)
		printf("%zu lab%s of other users left up (prefix '%s' from %s; "
		       "'nslab --prefix \"\" down --all' takes down every lab)\n",
		       others, others == 1 ? "" : "s", prefix, from);
	vec_foreach (l, &labs)
		free(*l);
	vec_free(&labs);
	return status;
}

static int down_run(int argc, char **argv)
{
	extern const struct cmd cmd_down;
	bool all = false, yes = false;
	int status = 0, names, opt;
	const char *why, *host = NULL;

	while ((opt = cmd_getopt(&cmd_down, argc, argv)) > 0) {
		all |= opt == 'a';
		yes |= opt == 'y';
		if (opt == 'o')
			host = optarg;
	}
	if (opt < 0)
		return EXIT_USAGE;
	names = argc - optind;
	if (!all && !names)
		return cmd_usage_error(&cmd_down, "name a lab (or a topology file), or give --all");
	if (all && names)
		return cmd_usage_error(&cmd_down, "--all takes no lab names");
	if (all && host)
		return cmd_usage_error(&cmd_down, "--host takes lab names, not --all");
	if ((why = lab_privilege_error())) {
		err("down: %s; nothing was changed", why);
		return EXIT_FAIL;
	}
	if (all)
		return down_all(yes);
	for (int i = optind; i < argc; i++) {
		int r;
		_cleanup_free_ char *name = lab_name_of(argv[i], &r);
		if (!name) {
			status = status ? status : r;
			continue;
		}
		r = host ? check_host(name, host) : 0;
		if (r == 0)
			r = down_one(name);
		status = status ? status : r;
	}
	return status;
}

const struct cmd cmd_down = {
	.name = "down",
	.args = "[--host NAME] LAB|FILE... | --all [--yes]",
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
		"to do\" and exits 0, so a second down is harmless. When the lab is the last\n"
		"that holds host limits raised by 'up --host-limits', down writes back the\n"
		"values they had before (also after a crashed up), and leaves a value changed\n"
		"by someone else since, with a note. Under a lab-name prefix\n"
		"(sudo, --prefix; 'nslab help') LAB means PREFIX-LAB. Needs root.\n\n"
		"  -a, --all   every lab in /run/nslab, and every lab whose namespaces exist\n"
		"              (found by their alias) but whose run directory is gone, and every\n"
		"              lab that still holds raised host limits ('up --host-limits'); under a\n"
		"              prefix only the prefix's labs ('nslab --prefix \"\" down --all'\n"
		"              for every lab of the machine). It lists them and asks on the\n"
		"              terminal; with no terminal (a pipe, CI) it changes nothing and\n"
		"              exits 1 unless --yes is given\n"
		"  -y, --yes   do not ask: for scripts\n"
		"  --host NAME  of a lab split across hosts ([hosts]): take down the part of\n"
		"              host NAME that 'nslab up --host NAME' built here, and refuse\n"
		"              (changing nothing) when the lab here is another host's part\n"
		"              or a whole lab. Its VXLAN devices are in the lab's namespaces\n"
		"              and go with them: nothing stays in the host's namespace\n",
	.run = down_run,
	.shortopts = "ay",
	.longopts = (const struct option[]){{"all", no_argument, NULL, 'a'},
					    {"yes", no_argument, NULL, 'y'},
					    {"host", required_argument, NULL, 'o'}, {0}},
};
