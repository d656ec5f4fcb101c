// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "hosts.h"
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

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* -v: each step as the commands `nslab plan` prints for it, before it
 * runs, so that a step that hangs is the last one shown. Else, for a lab
 * of more than UP_PROGRESS_STEPS steps, one line on a terminal that says
 * where up is, redrawn at most 10 times a second and wiped at the end. */
#define UP_PROGRESS_STEPS 200
static void up_progress(const struct lab_progress *pr, void *ctx)
{
	struct up_display *d = ctx;

	if (d->verbose) {
		if (pr->step)
			fputs(pr->step, stderr);
		return;
	}
	if (pr->total <= UP_PROGRESS_STEPS)
		return;
	if (!pr->step) {
		if (d->shown)
			fputs("\r\033[K", stderr);
		d->shown = false;
		return;
	}
	double now = since(&d->t0);
	if (d->shown && now - d->last < 0.1)
		return;
	d->last = now;
	d->shown = true;
	fprintf(stderr, "\rnslab: up '%s': %zu/%zu steps, %zu/%zu namespaces, %.1f s\033[K", d->lab,
		pr->done, pr->total, pr->netns, pr->netns_total, now);
}

void cmd_up_display(struct up_display *d, const struct topo_lab *lab, struct lab_up_opts *o)
{
	d->lab = lab->name;
	clock_gettime(CLOCK_MONOTONIC, &d->t0);
	d->last = 0;
	d->shown = false;
	if (d->verbose || isatty(STDERR_FILENO)) {
		o->progress = up_progress;
		o->progress_ctx = d;
	}
}

static int up_run(int argc, char **argv)
{
	extern const struct cmd cmd_up;
	struct lab_up_opts o = {0};
	struct up_display display = {0};
	struct topo_lab *lab = NULL;
	const char *file = NULL, *why, *name = NULL, *host = NULL;
	struct sbuf why_up = {0}, notes = {0};
	struct timespec t0, t1;
	int r, opt;

	while ((opt = cmd_getopt(&cmd_up, argc, argv)) > 0) {
		o.replace |= opt == 'r';
		o.host_limits |= opt == 'H';
		display.verbose |= opt == 'v';
		if (opt == 'n')
			name = optarg;
		if (opt == 'o')
			host = optarg;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_up, "one topology file at a time");
	file = optind < argc ? argv[optind] : NULL;
	r = file ? cmd_load(file, &lab) : load_default(&lab);
	if (r == 0) /* --name, and the prefix of a shared machine */
		r = cmd_rename_lab(&cmd_up, lab, name);
	if (r == 0) /* the part of one host, of a lab split across hosts */
		r = cmd_place(&cmd_up, lab, host);
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
	cmd_up_display(&display, lab, &o);
	interrupt_catch(); /* Ctrl-C: roll back like any failed up */
	r = lab_up(lab, &o, &why_up, &notes);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cmd_print_notes(&notes);
	int sig = r == -EINTR ? interrupt_signal() : 0;
	if (sig) {
		err("up '%s' %s", lab->name, why_up.s);
	} else if (r < 0) {
		err("up '%s' failed: %s", lab->name, why_up.s ? why_up.s : strerror(-r));
		if (r != -EALREADY && r != -EBUSY && r != -EOPNOTSUPP && r != -EADDRNOTAVAIL)
			fprintf(stderr, "nslab: everything it had made was removed\n");
	} else {
		size_t nodes = hosts_nodes_here(lab);
		if (lab->here)
			printf("lab '%s' is up on host '%s': %zu of its %zu nodes in %.3f s\n", lab->name,
			       lab->here->name, nodes, lab->nodes.n - (lab->switch_node != NULL),
			       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		else
			printf("lab '%s' is up: %zu node%s in %.3f s\n", lab->name, nodes,
			       nodes == 1 ? "" : "s",
			       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	sbuf_free(&why_up);
	sbuf_free(&notes);
	topo_lab_free(lab);
	return sig ? 128 + sig : r < 0 ? EXIT_FAIL : 0;
}

const struct cmd cmd_up = {
	.name = "up",
	.args = "[--replace] [--name LAB] [--host NAME] [--host-limits] [-v] [FILE]",
	.summary = "Build a lab in the kernel (no FILE: the built-in router lab).",
	.help = "Validates the topology as 'nslab validate' does, checks its privileges and,\n"
		"for devices a kernel may lack (VXLAN, GRE, VRF, WireGuard...), that the\n"
		"kernel can create them, in a throw-away namespace, before it makes anything.\n"
		"Then it takes the lab's lock and creates one network namespace per node\n"
		"(LAB-NODE) and the lab's switch namespace (LAB-.sw), the devices, and per\n"
		"node addresses, sysctls, routes, neighbours and FDB entries, over netlink, in\n"
		"the order 'nslab plan' prints them. Each step is written to\n"
		"/run/nslab/LAB/journal before it runs. On success it prints\n"
		"\"lab 'LAB' is up: N nodes in T s\".\n\n"
		"Without FILE it builds the built-in lab 'router', a copy of\n"
		"topologies/router.ini taken when nslab was built: hosts h1 and h2 on two\n"
		"subnets joined by the router r1, IPv4 and IPv6.\n\n"
		"Nodes that run things get their root, ruleset, startup lines and services\n"
		"after the wiring and DNS; a startup line that fails or hangs, or a service\n"
		"that exits or is not ready in time, fails up with its last output lines.\n\n"
		"It fails if a lab of the same name is up, or was built by running the output\n"
		"of 'nslab plan' (unless --replace), and if a namespace the lab needs exists\n"
		"for another reason (another lab, or made by hand). What an interrupted up\n"
		"left behind is taken down first, with a note.\n\n"
		"If a step fails, up prints which one, where it comes from in the topology\n"
		"and the kernel's reason, as in\n"
		"    nslab: up 'router' failed: node 'h1': add route 'default via 10.0.1.1'\n"
		"    (topologies/router.ini:15): REASON\n"
		"then deletes every namespace it created, says \"everything it had made was\n"
		"removed\" and exits 1: a failed up leaves nothing behind. SIGINT (Ctrl-C),\n"
		"SIGTERM or SIGHUP stop it the same way: it removes what it made and exits\n"
		"128+signal.\n\n"
		"Needs root: CAP_SYS_ADMIN to create network namespaces, CAP_NET_ADMIN to\n"
		"configure them. If /run/netns is empty and not a mount point, up mounts a\n"
		"tmpfs of its own there (source nslab-netns) and, like ip-netns(8), makes\n"
		"/run/netns a shared mount.\n\n"
		"Run through sudo, the lab is USER-NAME (alice-router): see 'nslab help' on\n"
		"the lab-name prefix.\n\n"
		"  --replace    take a running lab of the same name down first\n"
		"  --name LAB   build it under another name than its [lab] name (namespaces\n"
		"               LAB-NODE): two copies of one topology side by side\n"
		"  --host NAME  build the part of host NAME of a lab split across hosts\n"
		"               ([hosts]): its nodes, and a VXLAN device, made in this\n"
		"               host's namespace and moved into the node, for each link or\n"
		"               switch bridge that reaches another host. NAME's address must\n"
		"               be one of this machine's. Needed, and only taken, for a\n"
		"               topology with [hosts] (docs/multihost.md)\n"
		"  --host-limits  raise the host-wide limits the lab needs, as [lab]\n"
		"               host-limits = yes does: the neighbour tables' gc_thresh1-3\n"
		"               (IPv4, IPv6) and net.core.netdev_max_backlog for its largest\n"
		"               broadcast domain; only values below the need, never lowering\n"
		"               one. The old values are recorded in\n"
		"               /run/nslab/.host-limits/record before the first write, and the\n"
		"               down of the last lab that holds them (also a down after a\n"
		"               crash) restores them; a value changed by someone else since is\n"
		"               left, with a note. Without it, up only warns when the host's\n"
		"               limits are below what the lab needs\n"
		"  -v, --verbose  print each step on stderr, before it runs, as the ip(8),\n"
		"               bridge(8) or sysctl(8) commands 'nslab plan' prints for it\n\n"
		"A lab of more than 200 steps shows on stderr, when that is a terminal, how\n"
		"far up is: steps done, namespaces made, seconds; the line is wiped when up\n"
		"ends. Nothing of it reaches a pipe or a file.\n",
	.run = up_run,
	.shortopts = "v",
	.longopts = (const struct option[]){{"replace", no_argument, NULL, 'r'},
					    {"name", required_argument, NULL, 'n'},
					    {"host", required_argument, NULL, 'o'},
					    {"host-limits", no_argument, NULL, 'H'},
					    {"verbose", no_argument, NULL, 'v'}, {0}},
};
