// SPDX-License-Identifier: MIT
/* nslab __complete WHAT...: the words completion/nslab.bash offers, one a
 * line, read from the command table and the running labs so that they
 * never go stale. Hidden (not in 'nslab help'); no messages: where there is
 * nothing to offer, completion offers nothing.
 *   commands             the command names
 *   options [CMD]        CMD's long options, then its short ones that take
 *                        a value; '=' ends those that take one (none:
 *                        the global options)
 *   labs                 running labs, as this user names them
 *   nodes [LAB]          the nodes of LAB ("" or none: the default lab)
 *   ifaces LAB NODE      NODE:IF for NODE's interfaces (LAB "": default) */
#include "access.h"
#include "check.h"
#include "cmd.h"
#include "lab.h"
#include "labname.h"
#include "show.h"
#include "validate.h"

#include <pwd.h>

/* LAB as a command would take it; "" or NULL: the only lab of this user's. */
static char *pick(const char *given)
{
	struct lab_infos labs = {0};
	char *one = NULL;
	size_t n = 0;

	if (given && *given)
		return cmd_is_lab(given) ? cmd_lab_name(given) : NULL;
	(void)lab_list(&labs);
	vec_foreach (l, &labs) {
		if (labname_is_mine(cmd_prefix(NULL), l->name) && n++ == 0)
			one = steal_pointer(&l->name);
		lab_info_free(l);
	}
	vec_free(&labs);
	if (n != 1)
		free(steal_pointer(&one));
	return one;
}

static int print_options(const char *name)
{
	const struct cmd *c = name && *name ? cmd_find(name) : NULL;

	if (name && *name && !c)
		return EXIT_USAGE;
	if (!c) {
		printf("--prefix=\n--help\n--version\n");
		return 0;
	}
	/* '=' marks an option that takes a value, as bash-completion's
	 * _parse_help does: completion skips the word after it */
	for (const struct option *o = c->longopts; o && o->name; o++)
		printf("--%s%s\n", o->name, o->has_arg == required_argument ? "=" : "");
	printf("--help\n");
	for (const char *s = c->shortopts; s && *s; s++)
		if (*s != ':' && s[1] == ':')
			printf("-%c=\n", *s);
	return 0;
}

/* From the kernel as root; else from the topology the lab was built from,
 * kept in its run directory (root's alone, 0700: a user completing 'sudo
 * nslab ...' gets nothing). */
static int print_ifaces(const char *lab, const char *node)
{
	struct show_lab s = {0};

	if (!lab_privilege_error() && show_read(lab, node, 0, &s) == 0) {
		vec_foreach (n, &s.nodes)
			vec_foreach (i, &n->ifaces)
				if (!streq(i->name, "lo"))
					printf("%s:%s\n", node, i->name);
		show_free(&s);
		return 0;
	}
	struct diag d = {0};
	_cleanup_free_ char *edited = NULL;
	struct topo_lab *t = check_load_running(lab, &d, &edited);
	const struct topo_node *n = NULL;
	if (t) {
		topo_validate(t, &d);
		n = topo_node_find(t, node);
	}
	if (n)
		vec_foreach (i, &n->ifaces)
			if (!streq((*i)->name, "lo"))
				printf("%s:%s\n", node, (*i)->name);
	diag_free(&d);
	topo_lab_free(t);
	return n ? 0 : EXIT_FAIL;
}

int cmd_complete(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	struct passwd *pw;

	/* A user who is not root runs lab commands through sudo, which will
	 * set SUDO_USER: offer the names that will mean then. */
	if (getuid() != 0 && !getenv("SUDO_USER") && (pw = getpwuid(getuid())))
		setenv("SUDO_USER", pw->pw_name, 1);
	if (streq(what, "commands")) {
		for (size_t i = 0; i < cmds_n; i++)
			printf("%s\n", cmds[i]->name);
		return 0;
	}
	if (streq(what, "options"))
		return print_options(argc > 2 ? argv[2] : NULL);
	if (streq(what, "labs")) {
		struct lab_infos labs = {0};
		const char *prefix = cmd_prefix(NULL);
		(void)lab_list(&labs);
		vec_foreach (l, &labs) {
			if (labname_is_mine(prefix, l->name))
				printf("%s\n", labname_short(prefix, l->name));
			lab_info_free(l);
		}
		vec_free(&labs);
		return 0;
	}
	_cleanup_free_ char *lab = pick(argc > 2 ? argv[2] : NULL);
	if (!lab)
		return EXIT_FAIL;
	if (streq(what, "nodes")) {
		struct strvec nodes = {0};
		(void)access_nodes(lab, &nodes);
		vec_foreach (n, &nodes) {
			printf("%s\n", *n);
			free(*n);
		}
		vec_free(&nodes);
		return 0;
	}
	if (streq(what, "ifaces") && argc > 3)
		return print_ifaces(lab, argv[3]);
	return EXIT_USAGE;
}
