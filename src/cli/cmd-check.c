// SPDX-License-Identifier: MIT
/* nslab check (a running lab) and nslab test (up, check, always down). */
#include "check.h"

#include <config.h>
#include "cmd.h"
#include "rundir.h"
#include "interrupt.h"
#include "json.h"
#include "lab.h"
#include "probe.h"

#include <signal.h>

extern const struct cmd cmd_check, cmd_test;

struct opts {
	const char *junit;
	double timeout;
	bool json, replace, host_limits;
	const char *name; /* test --name */
	const char *host; /* test --host */
	const char *pos[2];
	int npos;
};

static int parse_opts(const struct cmd *c, int argc, char **argv, struct opts *o)
{
	uint32_t t;
	int opt;

	o->timeout = 60;
	while ((opt = cmd_getopt(c, argc, argv)) > 0) {
		if (opt == 'J') {
			o->junit = optarg;
		} else if (opt == 't') {
			if (parse_u32(optarg, 1, 86400, &t) < 0)
				return cmd_usage_error(c, "--timeout takes seconds (1 to 86400)");
			o->timeout = t;
		} else if (opt == 'j') {
			o->json = true;
		} else if (opt == 'r') {
			o->replace = true;
		} else if (opt == 'H') {
			o->host_limits = true;
		} else if (opt == 'n') {
			o->name = optarg;
		} else if (opt == 'o') {
			o->host = optarg;
		}
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(c, "unexpected '%s'", argv[optind + 1]);
	o->npos = argc - optind;
	o->pos[0] = o->npos ? argv[optind] : NULL;
	return 0;
}

/* check's options; test adds --replace */
#define CHECK_LONGOPTS                                                                             \
	{"json", no_argument, NULL, 'j'}, {"junit", required_argument, NULL, 'J'},                 \
		{"timeout", required_argument, NULL, 't'}

/* Run and report; returns the exit status. */
static int check_and_report(const struct cmd *c, const struct topo_lab *lab, const struct opts *o)
{
	struct check_results res = {0};
	double t0 = probe_now();
	int r = check_run(lab, o->timeout, &res);
	size_t failed = 0;

	if (r < 0) {
		err("%s: lab '%s' is not up", c->name, lab->name);
		return EXIT_FAIL;
	}
	double took = probe_now() - t0;
	int sig = interrupt_signal();
	vec_foreach(x, &res) failed += !x->ok;
	if (o->json) {
		struct json j = {.f = stdout};
		json_begin_object(&j, NULL);
		json_str(&j, "lab", lab->name);
		json_uint(&j, "expectations", res.n);
		json_uint(&j, "failed", failed);
		if (sig)
			json_str(&j, "interrupted", interrupt_name(sig));
		json_begin_array(&j, "results");
		vec_foreach(x, &res)
		{
			json_begin_object(&j, NULL);
			json_str(&j, "name", x->name);
			json_bool(&j, "ok", x->ok);
			json_str(&j, "detail", x->detail);
			json_uint(&j, "line", x->loc.line);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		putchar('\n');
	} else {
		vec_foreach(x, &res)
		{
			if (x->ok)
				printf("  ok    %s\n", x->name);
			else
				printf("  FAIL  %s: %s (%s:%u)\n", x->name, x->detail ? x->detail : "",
				       x->loc.file, x->loc.line);
		}
		if (sig)
			printf("interrupted by %s: %zu of %zu expectations hold in lab '%s'; the rest did "
			       "not run to the end\n",
			       interrupt_name(sig), res.n - failed, res.n, lab->name);
		else if (!res.n)
			printf("lab '%s' declares no expectations ([expect] in its topology)\n", lab->name);
		else
			printf("%zu of %zu expectations hold in lab '%s' (%.2f s)\n", res.n - failed, res.n,
			       lab->name, took);
	}
	if (o->junit) {
		r = check_write_junit(o->junit, lab->name, &res, took, sig ? interrupt_name(sig) : NULL);
		if (r < 0) {
			err("%s: write %s: %s", c->name, o->junit, strerror(-r));
			failed++;
		}
	}
	check_results_free(&res);
	return sig ? 128 + sig : failed ? EXIT_FAIL : 0;
}

static int check_cmd_run(int argc, char **argv)
{
	struct opts o = {0};
	_cleanup_free_ char *name = NULL;
	struct diag d = {0};
	int r = parse_opts(&cmd_check, argc, argv, &o);

	if (r)
		return r;
	r = cmd_pick_lab(&cmd_check, o.npos ? o.pos[0] : NULL, &name);
	if (r)
		return r;
	if (lab_privilege_error()) {
		err("check: %s", lab_privilege_error());
		return EXIT_FAIL;
	}
	interrupt_catch();
	_cleanup_free_ char *edited = NULL;
	struct topo_lab *lab = check_load_running(name, &d, &edited);
	if (!lab) {
		diag_print(&d, stderr);
		diag_free(&d);
		err("check: cannot read the topology of lab '%s'", name);
		return EXIT_FAIL;
	}
	_cleanup_free_ char *kept = rundir_path(name, RUNDIR_TOPOLOGY);
	if (edited)
		fprintf(stderr,
			"nslab: check: the running lab's topology differs from %s (changed since up): "
			"checking what the lab was built from, lines as in %s; "
			"'nslab up --replace %s' builds the new one\n",
			edited, kept, edited);
	r = check_and_report(&cmd_check, lab, &o);
	topo_lab_free(lab);
	return r;
}

static int test_cmd_run(int argc, char **argv)
{
	struct opts o = {0};
	struct topo_lab *lab = NULL;
	struct sbuf why = {0}, notes = {0};
	struct lab_up_opts up = {0};
	bool found;
	int r = parse_opts(&cmd_test, argc, argv, &o);

	if (r)
		return r;
	if (!o.npos)
		return cmd_usage_error(&cmd_test, "no topology file given");
	r = cmd_load(o.pos[0], &lab);
	if (r == 0) /* --name, and the prefix of a shared machine */
		r = cmd_rename_lab(&cmd_test, lab, o.name);
	if (r == 0) /* one host's part of a lab split across hosts */
		r = cmd_place(&cmd_test, lab, o.host);
	if (r) {
		topo_lab_free(lab);
		return r;
	}
	if (lab_privilege_error()) {
		err("test: %s", lab_privilege_error());
		topo_lab_free(lab);
		return EXIT_FAIL;
	}
	/* SIGINT, SIGTERM, SIGHUP: stop the checks, take the lab down, say
	 * so, exit 128+signal: a cancelled CI job is never green */
	interrupt_catch();
	up.replace = o.replace;
	up.host_limits = o.host_limits;
	struct up_display display = {0};
	cmd_up_display(&display, lab, &up); /* a big lab's progress on a terminal */
	r = lab_up(lab, &up, &why, &notes);
	cmd_print_notes(&notes);
	if (r == -EINTR) {
		err("test: up '%s' %s", lab->name, why.s);
		r = 128 + interrupt_signal();
	} else if (r < 0) {
		err("test: up '%s' failed: %s", lab->name, why.s ? why.s : strerror(-r));
		r = EXIT_FAIL;
	} else {
		r = check_and_report(&cmd_test, lab, &o);
		sbuf_reset(&why);
		/* always down, whatever the checks said */
		sbuf_reset(&notes);
		if (lab_down(lab->name, &found, &why, &notes) < 0) {
			err("test: down '%s': %s", lab->name, why.s);
			r = r ? r : EXIT_FAIL;
		} else {
			cmd_print_notes(&notes);
		}
		if (interrupt_signal()) {
			err("test: interrupted by %s; lab '%s' was taken down", interrupt_name(interrupt_signal()),
			    lab->name);
			r = 128 + interrupt_signal();
		}
	}
	sbuf_free(&why);
	sbuf_free(&notes);
	topo_lab_free(lab);
	return r;
}

#define CHECK_OPTS                                                                                 \
	"  --junit FILE     also write the results as JUnit XML (for CI systems)\n"                   \
	"  --timeout SECS   bound on the whole run (default 60); what still runs fails\n"           \
	"  -j, --json       machine-readable results\n"

const struct cmd cmd_check = {
	.name = "check",
	.args = "[--junit FILE] [--timeout SECS] [--json] [LAB]",
	.summary = "Check a running lab against the [expect] section of its topology.",
	.help = "Expands every check ('reach', 'noreach', 'resolve', 'exec', 'tcp', 'route',\n"
		"'noroute') of the topology the lab was built from (kept as\n"
		"/run/nslab/LAB/topology.ini at up) and runs them, each section with its retry\n"
		"and order: reach, noreach and tcp from sockets nslab opens in the nodes, all\n"
		"at once; exec, resolve, route and noroute as processes in the nodes, 16 at a\n"
		"time. Each result is reported with the FILE:LINE it comes from. Exit 0 only\n"
		"if all hold.\n\n"
		"On one host's part of a lab split across hosts ('nslab up --host'), only the\n"
		"checks from that host's nodes run, towards nodes of every host (addresses of\n"
		"nodes elsewhere from the topology); 'nslab cluster check' runs every host's.\n\n" CHECK_OPTS,
	.run = check_cmd_run,
	.shortopts = "j",
	.longopts = (const struct option[]){CHECK_LONGOPTS, {0}},
	.needs_root = true,
};

const struct cmd cmd_test = {
	.name = "test",
	.args = "[--junit FILE] [--timeout SECS] [--json] [--replace] [--name LAB] [--host NAME] [--host-limits] FILE",
	.summary = "Bring a lab up, check its expectations, always take it down.",
	.help = "For CI: 'nslab up FILE', 'nslab check', then 'nslab down' even when checks fail\n"
		"or the run is interrupted (SIGINT, SIGTERM, SIGHUP: the JUnit file then has an\n"
		"<error> testcase named interrupted). Exit 0 only if the lab came up and every\n"
		"expectation held.\n\n" CHECK_OPTS "  --replace        take a running lab of the same name down first\n"
		"  --name LAB       run it under another name (its namespaces are LAB-NODE);\n"
		"                   through sudo the name gets the user's prefix ('nslab help')\n"
		"  --host NAME      of a lab split across hosts: host NAME's part ('nslab up\n"
		"                   --host'), and the expectations whose FROM nodes are on it\n"
		"  --host-limits    raise the host-wide limits the lab needs while it is up,\n"
		"                   and restore them after, as 'nslab up --host-limits'\n",
	.run = test_cmd_run,
	.shortopts = "j",
	.longopts = (const struct option[]){CHECK_LONGOPTS, {"replace", no_argument, NULL, 'r'},
					    {"name", required_argument, NULL, 'n'},
					    {"host", required_argument, NULL, 'o'},
					    {"host-limits", no_argument, NULL, 'H'}, {0}},
};
