// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "hosts.h"
#include "kathara.h"
#include "man.h"
#include "parse.h"
#include "validate.h"

#include "access.h"
#include "lab.h"
#include "labname.h"

#include <config.h>
#include <sys/wait.h>

extern const struct cmd cmd_explain, cmd_diff, cmd_save, cmd_link, cmd_impair, cmd_help, cmd_version, cmd_validate, cmd_plan, cmd_up, cmd_down, cmd_ls,
	cmd_show, cmd_exec, cmd_shell, cmd_ping, cmd_tracepath, cmd_capture, cmd_pingall, cmd_check,
	cmd_test, cmd_grade, cmd_logs, cmd_ps, cmd_gen, cmd_graph, cmd_import;

/* Order is the order of `nslab help`. Names match exactly: no prefixes. */
const struct cmd *const cmds[] = {
	&cmd_up,     &cmd_down,  &cmd_ls,   &cmd_show,     &cmd_exec,     &cmd_shell,   &cmd_ping,
	&cmd_tracepath, &cmd_capture, &cmd_explain, &cmd_diff, &cmd_save, &cmd_link, &cmd_impair, &cmd_pingall, &cmd_check, &cmd_test, &cmd_grade, &cmd_logs, &cmd_ps, &cmd_gen, &cmd_graph, &cmd_import, &cmd_validate, &cmd_plan, &cmd_help, &cmd_version,
};
const size_t cmds_n = ARRAY_SIZE(cmds);

const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < cmds_n; i++)
		if (streq(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

void err(const char *fmt, ...)
{
	va_list ap;

	fputs("nslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cmd_print_notes(const struct sbuf *notes)
{
	for (const char *line = notes->s, *end; line && *line; line = end) {
		end = strchrnul(line, '\n');
		fprintf(stderr, "nslab: %.*s\n", (int)(end - line), line);
		if (*end)
			end++;
	}
}

void cmd_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "Usage: nslab %s%s%s\n\n%s\n", c->name, *c->args ? " " : "", c->args, c->summary);
	if (c->help && *c->help)
		fprintf(f, "\n%s", c->help);
}

int cmd_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nslab %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: nslab %s %s\nTry 'nslab help %s' for more.\n", c->name, c->args,
		c->name);
	return EXIT_USAGE;
}

bool cmd_wants_help(const struct cmd *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--") || (c->argv_tail && argv[i][0] != '-'))
			break;
		if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
			cmd_usage(c, stdout);
			return true;
		}
	}
	return false;
}

/* A Kathará lab's folder, imported on the fly: its lab.conf names the
 * lines, the folder holds the nodes' files. */
static struct topo_lab *load_kathara(const char *dir, struct diag *d)
{
	struct sbuf notes = {0};
	struct topo_lab *lab = kathara_load(dir, d, &notes);

	cmd_print_notes(&notes);
	sbuf_free(&notes);
	return lab;
}

int cmd_load(const char *path, struct topo_lab **ret)
{
	struct diag d = {0};
	int e = 0;
	struct topo_lab *lab = kathara_is_lab(path) ? load_kathara(path, &d) : topo_load(path, &d, &e);

	if (!lab && e) {
		err("cannot read topology '%s': %s", path, strerror(-e));
		return EXIT_USAGE;
	}
	if (!lab) {
		diag_print(&d, stderr);
		size_t n = diag_count(&d);
		err("%s: %zu error%s", path, n, n == 1 ? "" : "s");
		diag_free(&d);
		return EXIT_USAGE;
	}
	diag_free(&d);
	*ret = lab;
	return 0;
}

const char *cmd_prefix(const char **ret_from)
{
	const char *env = getenv("NSLAB_PREFIX"), *p = labname_prefix(env, getenv("SUDO_USER"));

	if (ret_from)
		*ret_from = env ? "--prefix/NSLAB_PREFIX" : "SUDO_USER";
	return p;
}

char *cmd_lab_name(const char *name)
{
	return labname_qualify(cmd_prefix(NULL), name);
}

int cmd_rename_lab(const struct cmd *c, struct topo_lab *lab, const char *name)
{
	const char *from, *prefix = cmd_prefix(&from);
	_cleanup_free_ char *full = cmd_lab_name(name ? name : lab->name);
	const char *why = topo_name_error(full, TOPO_LAB_NAME_MAX);

	if (why && !streq(full, name ? name : lab->name))
		return cmd_usage_error(
		    c,
		    "lab name '%s' (prefix '%s' from %s) %s: up to 32 letters, digits, "
		    "'_', '-', '.'; give a shorter --name, or no prefix with "
		    "'nslab --prefix \"\" %s ...'",
		    full, prefix, from, why, c->name);
	if (why)
		return cmd_usage_error(c, "--name: lab name '%s' %s (up to 32 letters, digits, '_', '-', '.')",
				       name, why);
	if (streq(full, lab->name))
		return 0;
	free(lab->name);
	lab->name = steal_pointer(&full);
	topo_name_namespaces(lab);
	return 0;
}

int cmd_place(const struct cmd *c, struct topo_lab *lab, const char *host)
{
	struct sbuf why = {0};

	if (!host && !lab->hosts.n)
		return 0;
	if (!host) {
		_cleanup_free_ char *all = hosts_list(lab);
		err("%s: %s splits the lab across hosts (%s): build one host's part on that host "
		    "with 'nslab %s --host NAME %s', or every part with 'nslab cluster %s %s' "
		    "(docs/multihost.md)",
		    c->name, lab->file, all, c->name, lab->file, c->name, lab->file);
		return EXIT_USAGE;
	}
	if (hosts_select(lab, host, &why) < 0) {
		err("%s: --host %s: %s", c->name, host, why.s);
		sbuf_free(&why);
		return EXIT_USAGE;
	}
	return 0;
}

/* Is lab `name`, as it is, up? */
static bool lab_is_up(const char *name)
{
	struct lab_info i;

	if (topo_name_error(name, TOPO_LAB_NAME_MAX) || lab_get(name, &i) < 0)
		return false;
	lab_info_free(&i);
	return true;
}

bool cmd_is_lab(const char *word)
{
	_cleanup_free_ char *name = cmd_lab_name(word);

	return lab_is_up(name);
}

int cmd_pick_lab(const struct cmd *c, const char *given, char **ret)
{
	const char *from, *prefix = cmd_prefix(&from);
	struct lab_infos labs = {0};
	_cleanup_free_ char *first = NULL;
	size_t n = 0, all;

	if (given) {
		_cleanup_free_ char *name = cmd_lab_name(given);
		if (!lab_is_up(name)) {
			if (!streq(name, given) && lab_is_up(given))
				err("%s: lab '%s' is not up; '%s' is another user's lab: "
				    "'nslab --prefix \"\" %s %s ...' names it",
				    c->name, name, given, c->name, given);
			else
				err("%s: lab '%s' is not up ('nslab ls' lists the labs)", c->name,
				    name);
			return EXIT_FAIL;
		}
		*ret = steal_pointer(&name);
		return 0;
	}
	/* the default: the only lab of this user's (every lab's, without a prefix) */
	(void)lab_list(&labs);
	all = labs.n;
	vec_foreach (l, &labs) {
		if (labname_is_mine(prefix, l->name) && n++ == 0)
			first = steal_pointer(&l->name);
		lab_info_free(l);
	}
	vec_free(&labs);
	if (n == 1) {
		*ret = steal_pointer(&first);
		return 0;
	}
	if (n)
		return cmd_usage_error(c, "several labs are up; name one");
	if (all && *prefix)
		return cmd_usage_error(
		    c,
		    "no lab of yours is up (prefix '%s' from %s; 'nslab ls' lists "
		    "the labs)",
		    prefix, from);
	return cmd_usage_error(c, "no lab is up");
}

int cmd_check_node(const struct cmd *c, const char *lab, const char *node)
{
	struct strvec nodes = {0};
	struct sbuf list = {0};
	bool found = false;

	(void)access_nodes(lab, &nodes);
	vec_foreach(n, &nodes)
	{
		found |= streq(*n, node);
		sbuf_addf(&list, "%s%s", list.len ? ", " : "", *n);
	}
	if (!found) {
		const char *best = closest_word(node, (const char *const *)nodes.v, nodes.n);
		if (best)
			err("%s: lab '%s' has no node '%s'; did you mean '%s'? (its nodes: %s)", c->name,
			    lab, node, best, list.s ? list.s : "none");
		else
			err("%s: lab '%s' has no node '%s' (its nodes: %s)", c->name, lab, node,
			    list.s ? list.s : "none");
	}
	vec_foreach(n, &nodes) free(*n);
	vec_free(&nodes);
	sbuf_free(&list);
	return found ? 0 : EXIT_FAIL;
}

int cmd_getopt(const struct cmd *c, int argc, char **argv)
{
	char shortopts[64];
	int prev = optind;

	/* '+' stops at the first operand, so that 'exec NODE ping -c 1' gives
	 * ping its -c; the others take options anywhere, as ip(8) does. '--'
	 * ends the options in both. ':' first: a missing value is ':'. */
	snprintf(shortopts, sizeof(shortopts), "%s:%s", c->argv_tail ? "+" : "",
		 c->shortopts ? c->shortopts : "");
	opterr = 0;
	int opt = getopt_long(argc, argv, shortopts, c->longopts, NULL);
	if (opt == -1)
		return 0;
	const char *word = argv[optind > prev ? optind - 1 : prev];
	if (opt == '?') {
		if (optopt && !strchr(word, '=') && word[1] != '-')
			cmd_usage_error(c, "unknown option '-%c'", optopt);
		else if (strncmp(word, "--prefix", 8) == 0)
			cmd_usage_error(c,
					"unknown option '%s' (it goes before the command: "
					"'nslab --prefix P %s ...')",
					word, c->name);
		else
			cmd_usage_error(c, "unknown option '%s'", word);
		return -1;
	}
	if (opt == ':') {
		cmd_usage_error(c, "%s needs a value", word);
		return -1;
	}
	return opt;
}

int cmd_dashdash(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (streq(argv[i], "--"))
			return i;
	return argc;
}

int cmd_wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : EXIT_FAIL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: nslab [--prefix P] COMMAND [ARGS...]\n\n"
		   "Network labs in Linux network namespaces, from an INI topology.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < cmds_n; i++)
		fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fputs("\nLab names get a prefix: --prefix P (or NSLAB_PREFIX=P) makes lab NAME\n"
	      "P-NAME; under sudo it is the user's name (SUDO_USER), so that users of\n"
	      "one machine never share a lab name; --prefix '' for none.\n",
	      f);
	/* point only at pages that are there: installed under this build's
	 * prefix, else the build tree's page and the sources' topology.md */
	fputs("\nRun 'nslab help COMMAND' for one command.\n", f);
	if (access(NSLAB_MAN1_PATH, R_OK) == 0)
		fputs("All of them: 'man nslab'\n", f);
	else if (access(NSLAB_BUILD_MAN1, R_OK) == 0)
		fputs("All of them: 'man -l " NSLAB_BUILD_MAN1 "'\n", f);
	if (access(NSLAB_MAN5_PATH, R_OK) == 0)
		fputs("The topology format: 'man 5 nslab-topology'\n", f);
	else if (access(NSLAB_SOURCE_TOPOLOGY_MD, R_OK) == 0)
		fputs("The topology format: " NSLAB_SOURCE_TOPOLOGY_MD "\n", f);
	else
		fputs("The topology format: docs/topology.md of the nslab sources\n", f);
	if (access(NSLAB_TOPOLOGIES_DIR, R_OK) == 0)
		fputs("Example topologies: " NSLAB_TOPOLOGIES_DIR "\n", f);
	else
		fputs("Example topologies: topologies/ of the nslab sources\n", f);
}

static int help_run(int argc, char **argv)
{
	bool man = false;
	int opt;

	while ((opt = cmd_getopt(&cmd_help, argc, argv)) > 0)
		man = true; /* --man, the only option */
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_help, "one COMMAND at most");
	if (man) {
		if (optind < argc)
			return cmd_usage_error(&cmd_help, "--man takes no COMMAND");
		cmd_man(stdout);
		return 0;
	}
	if (optind == argc) {
		usage(stdout);
		return 0;
	}
	const struct cmd *c = cmd_find(argv[optind]);
	if (!c) {
		err("no command '%s'; 'nslab help' lists them", argv[optind]);
		return EXIT_USAGE;
	}
	cmd_usage(c, stdout);
	return 0;
}

const struct cmd cmd_help = {
	.name = "help",
	.args = "[COMMAND] | --man",
	.summary = "Show the commands, or the help of one.",
	.help = "nslab --help and nslab -h are the same as 'nslab help'; -h or --help anywhere\n"
		"after a command prints that command's help.\n\n"
		"  --man   print the SYNOPSIS and COMMANDS sections of nslab(1) as man(7)\n"
		"          roff, from the same table as this help (the build makes the\n"
		"          man page with it)\n",
	.run = help_run,
	.longopts = (const struct option[]){{"man", no_argument, NULL, 'M'}, {0}},
};

static int version_run(int argc, char **argv)
{
	printf("nslab %s\n", NSLAB_VERSION);
	return 0;
}

const struct cmd cmd_version = {
	.name = "version",
	.args = "",
	.summary = "Show the version (also: --version).",
	.help = "nslab --version and nslab -V do the same.\n",
	.run = version_run,
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* nslab --prefix P CMD: the prefix of lab names, for every command
	 * (labname.h); kept in the environment, where NSLAB_PREFIX says it too */
	while (argc >= 2 && strncmp(argv[1], "--prefix", 8) == 0 &&
	       (argv[1][8] == '=' || !argv[1][8])) {
		bool joined = argv[1][8] == '=';
		if (!joined && argc < 3) {
			err("--prefix needs a value (--prefix '' for none)");
			return EXIT_USAGE;
		}
		setenv("NSLAB_PREFIX", joined ? argv[1] + 9 : argv[2], 1);
		argc -= joined ? 1 : 2;
		argv += joined ? 1 : 2;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (streq(argv[1], "__complete"))
		return cmd_complete(argc - 1, argv + 1);
	if (streq(argv[1], "--version") || streq(argv[1], "-V"))
		return version_run(argc - 1, argv + 1);
	if (streq(argv[1], "--help") || streq(argv[1], "-h"))
		return help_run(1, argv + 1);

	const struct cmd *c = cmd_find(argv[1]);
	if (!c) {
		const char *names[64];
		size_t n = 0;
		for (size_t i = 0; i < cmds_n && n < ARRAY_SIZE(names); i++)
			names[n++] = cmds[i]->name;
		const char *best = closest_word(argv[1], names, n);
		if (best)
			err("unknown command '%s'; did you mean '%s'?", argv[1], best);
		else
			err("unknown command '%s'; 'nslab help' lists the commands", argv[1]);
		return EXIT_USAGE;
	}
	if (cmd_wants_help(c, argc - 1, argv + 1))
		return 0;
	const char *why = c->needs_root ? lab_privilege_error() : NULL;
	if (why) {
		err("%s: %s", c->name, why);
		return EXIT_FAIL;
	}
	return c->run(argc - 1, argv + 1);
}
