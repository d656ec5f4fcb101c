// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "interrupt.h"
#include "lab.h"
#include "parse.h"
#include "validate.h"

#include <time.h>

extern const char nslab_default_lab[]; /* topologies/router.ini, built in */

static int load_default(struct topo_lab **ret)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(nslab_default_lab, "<built-in router>", &d);

	topo_validate(lab, &d);
	if (diag_count(&d)) { /* a build defect; the unit tests guard it */
		diag_print(&d, stderr);
		diag_free(&d);
		topo_lab_free(lab);
		return EXIT_FAIL;
	}
	*ret = lab;
	return 0;
}

static int up_run(int argc, char **argv)
{
	extern const struct cmd cmd_up;
	struct lab_up_opts o = {0};
	struct topo_lab *lab = NULL;
	const char *file = NULL, *why, *name = NULL;
	struct sbuf why_up = {0}, notes = {0};
	struct timespec t0, t1;
	int r, opt;

	while ((opt = cmd_getopt(&cmd_up, argc, argv)) > 0) {
		o.replace |= opt == 'r';
		if (opt == 'n')
			name = optarg;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_up, "one topology file at a time");
	file = optind < argc ? argv[optind] : NULL;
	r = file ? cmd_load(file, &lab) : load_default(&lab);
	if (r == 0) /* --name, and the prefix of a shared machine */
		r = cmd_rename_lab(&cmd_up, lab, name);
	if (r) {
		topo_lab_free(lab);
		return r;
	}
	if ((why = lab_privilege_error())) {
		err("up: %s; nothing was changed", why);
		topo_lab_free(lab);
		return EXIT_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	interrupt_catch(); /* Ctrl-C: roll back like any failed up */
	r = lab_up(lab, &o, &why_up, &notes);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cmd_print_notes(&notes);
	int sig = r == -EINTR ? interrupt_signal() : 0;
	if (sig) {
		err("up '%s' %s", lab->name, why_up.s);
	} else if (r < 0) {
		err("up '%s' failed: %s", lab->name, why_up.s ? why_up.s : strerror(-r));
		if (r != -EALREADY && r != -EBUSY && r != -EOPNOTSUPP)
			fprintf(stderr, "nslab: everything it had made was removed\n");
	} else {
		size_t nodes = 0;
		vec_foreach(n, &lab->nodes) nodes += !(*n)->is_switch;
		printf("lab '%s' is up: %zu node%s in %.3f s\n", lab->name, nodes, nodes == 1 ? "" : "s",
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	sbuf_free(&why_up);
	sbuf_free(&notes);
	topo_lab_free(lab);
	return sig ? 128 + sig : r < 0 ? EXIT_FAIL : 0;
}

const struct cmd cmd_up = {
	.name = "up",
	.args = "[--replace] [--name LAB] [FILE]",
	.summary = "Build a lab in the kernel (no FILE: the built-in router lab).",
	.help = "Creates one network namespace per node (LAB-NODE) and the lab's switch\n"
		"namespace (LAB-.sw), then links, and per node addresses, sysctls, routes,\n"
		"neighbours and FDB entries, through netlink. Each step is written to /run/nslab/LAB/journal\n"
		"before it runs. If a step fails, everything made so far is removed and the\n"
		"step and the kernel's reason are shown. SIGINT (Ctrl-C), SIGTERM or SIGHUP\n"
		"stop it the same way: it removes what it made and exits 128+signal. Needs root.\n"
		"Run through sudo, the lab is USER-NAME (alice-router): see 'nslab help' on\n"
		"the lab-name prefix.\n\n"
		"  --replace    take a running lab of the same name down first\n"
		"  --name LAB   build it under another name than its [lab] name (namespaces\n"
		"               LAB-NODE): two copies of one topology side by side\n",
	.run = up_run,
	.longopts = (const struct option[]){{"replace", no_argument, NULL, 'r'},
					    {"name", required_argument, NULL, 'n'}, {0}},
};
