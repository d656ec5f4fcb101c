// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "kathara.h"
#include "parse.h"
#include "validate.h"

#include "access.h"
#include "lab.h"

#include <config.h>
#include <sys/wait.h>

extern const struct cmd cmd_explain, cmd_diff, cmd_save, cmd_link, cmd_impair, cmd_help, cmd_version, cmd_validate, cmd_plan, cmd_up, cmd_down, cmd_ls,
	cmd_show, cmd_exec, cmd_shell, cmd_ping, cmd_tracepath, cmd_capture, cmd_pingall, cmd_check,
	cmd_test, cmd_logs, cmd_ps, cmd_gen, cmd_graph, cmd_import;

/* Order is the order of `nslab help`. Names match exactly: no prefixes. */
const struct cmd *const cmds[] = {
	&cmd_up,     &cmd_down,  &cmd_ls,   &cmd_show,     &cmd_exec,     &cmd_shell,   &cmd_ping,
	&cmd_tracepath, &cmd_capture, &cmd_explain, &cmd_diff, &cmd_save, &cmd_link, &cmd_impair, &cmd_pingall, &cmd_check, &cmd_test, &cmd_logs, &cmd_ps, &cmd_gen, &cmd_graph, &cmd_import, &cmd_validate, &cmd_plan, &cmd_help, &cmd_version,
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
	_cleanup_free_ char *abs = realpath(dir, NULL);
	_cleanup_free_ char *text = kathara_import(dir, abs ? abs : dir, false, d, &notes);
	/* the lines of what it was turned into ('nslab import kathara' prints it) */
	_cleanup_free_ char *file = xasprintf("%s (imported)", dir);

	cmd_print_notes(&notes);
	sbuf_free(&notes);
	if (!text)
		return NULL;
	struct topo_lab *lab = topo_parse_string(text, file, d);
	topo_set_folder(lab, abs ? abs : dir, d);
	topo_validate(lab, d);
	if (diag_count(d)) {
		topo_lab_free(lab);
		return NULL;
	}
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

int cmd_rename_lab(const struct cmd *c, struct topo_lab *lab, const char *name)
{
	const char *why = topo_name_error(name, TOPO_LAB_NAME_MAX);

	if (why)
		return cmd_usage_error(c, "--name: lab name '%s' %s (up to 32 letters, digits, '_', '-', '.')",
				       name, why);
	free(lab->name);
	lab->name = xstrdup(name);
	topo_name_namespaces(lab);
	return 0;
}

bool cmd_is_lab(const char *word)
{
	struct lab_info i;

	if (topo_name_error(word, TOPO_LAB_NAME_MAX) || lab_get(word, &i) < 0)
		return false;
	lab_info_free(&i);
	return true;
}

int cmd_pick_lab(const struct cmd *c, const char *given, char **ret)
{
	struct lab_infos labs = {0};

	if (given) {
		if (!cmd_is_lab(given)) {
			err("%s: lab '%s' is not up ('nslab ls' lists the labs)", c->name, given);
			return EXIT_FAIL;
		}
		*ret = xstrdup(given);
		return 0;
	}
	(void)lab_list(&labs);
	size_t n = labs.n;
	int r = n == 1 ? 0 : EXIT_USAGE;
	if (n == 1)
		*ret = steal_pointer(&labs.v[0].name);
	vec_foreach(l, &labs) lab_info_free(l);
	vec_free(&labs);
	if (n != 1)
		cmd_usage_error(c, n ? "several labs are up; name one" : "no lab is up");
	return r;
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
	fprintf(f, "Usage: nslab COMMAND [ARGS...]\n\n"
		   "Network labs in Linux network namespaces, from an INI topology.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < cmds_n; i++)
		fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(f, "\nRun 'nslab help COMMAND' for one command, 'man nslab' for all, and\n"
		   "docs/topology.md for the topology format.\n");
}

static int help_run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	const struct cmd *c = cmd_find(argv[1]);
	if (!c) {
		err("no command '%s'; 'nslab help' lists them", argv[1]);
		return EXIT_USAGE;
	}
	cmd_usage(c, stdout);
	return 0;
}

const struct cmd cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.summary = "Show the commands, or the help of one.",
	.run = help_run,
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
	.run = version_run,
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
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
