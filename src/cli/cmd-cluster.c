// SPDX-License-Identifier: MIT
/* nslab cluster up|down|check|test: one lab split across the hosts of its
 * [hosts] section, each host's part run there (cluster.h). */
#include "cluster.h"
#include "cmd.h"
#include "interrupt.h"
#include "probe.h"

#include <limits.h>

extern const struct cmd cmd_cluster;

#define CLUSTER_TIMEOUT 300	 /* each host's up or down */
#define CLUSTER_CHECK_TIMEOUT 60 /* each host's checks, as 'nslab check' */
#define CLUSTER_SSH_GRACE 30	 /* a check's ssh, past the checks' bound */

enum { OPT_NAME = 256, OPT_TIMEOUT, OPT_SSH_OPTION, OPT_REMOTE, OPT_SUDO };

static const char *const subcommands[] = {"up", "down", "check", "test"};

struct ctx {
	struct cluster_opts o;
	const struct topo_lab *lab;
	const char *given; /* FILE as given */
	bool verbose;
	double t0;
};

static void print_line(const struct topo_host *h, bool is_stderr, const char *line, void *data)
{
	FILE *f = is_stderr ? stderr : stdout;

	(void)data;
	fprintf(f, "[%s] %s\n", h->name, line);
	fflush(f);
}

static void print_finishing(int sig, size_t running, void *data)
{
	const struct ctx *c = data;

	err("cluster up '%s': %s: letting the %zu host%s still building finish, so that "
	    "every part is taken down whole; a second signal (Ctrl-C) stops them now",
	    c->o.lab, interrupt_name(sig), running, running == 1 ? "" : "s");
}

static void show_commands(const struct ctx *c, enum cluster_op op)
{
	if (!c->verbose)
		return;
	vec_foreach (h, &c->lab->hosts) {
		struct strvec argv = {0};
		struct sbuf line = {0};
		bool remote = false; /* ssh's words after '--', quoted already */
		cluster_argv(&c->o, *h, op, &argv);
		vec_foreach (w, &argv) {
			sbuf_adds(&line, w == argv.v ? "" : " ");
			if (remote)
				sbuf_adds(&line, *w);
			else
				sbuf_add_shword(&line, *w);
			remote |= !c->o.transport && streq(*w, "--");
		}
		fprintf(stderr, "[%s] $ %s\n", (*h)->name, line.s);
		sbuf_free(&line);
		strvec_free(&argv);
	}
}

/* Why each part that failed failed, with what to do about it. */
static void report(const struct ctx *c, const struct cluster_run *r)
{
	const char *op = cluster_op_to_string(r->op);

	vec_foreach (p, &r->parts) {
		const char *h = p->host->name;
		_cleanup_free_ char *dest = cluster_dest(p->host);
		if (p->interrupted || (p->status == 0 && !p->error))
			continue;
		if (p->error)
			err("cluster %s: host '%s': could not start: %s", op, h, p->error);
		else if (p->status < 0)
			err("cluster %s: host '%s': not started", op, h);
		else if (p->timed_out)
			err("cluster %s: host '%s' did not finish in %u s; stopped (--timeout)", op, h,
			    c->o.timeout);
		else if (p->no_file)
			err("cluster %s: host '%s' has no file '%s': every host reads the topology "
			    "at the same path as this machine (a shared checkout or home); copy it "
			    "there",
			    op, h, c->o.file);
		else if (p->status == 255 && !c->o.transport)
			err("cluster %s: host '%s': ssh to '%s' failed (exit status 255): it must log "
			    "in without a password prompt (BatchMode; a key, an agent, ~/.ssh/config)",
			    op, h, dest);
		else if (p->status == 127)
			err("cluster %s: host '%s': no '%s' there (exit status 127): install nslab on "
			    "every host, or name it with --remote-nslab PATH",
			    op, h, c->o.remote ? c->o.remote : "nslab");
		else if (r->op != CLUSTER_CHECK || p->status != 1 || !p->summary)
			err("cluster %s failed on host '%s' (exit status %d); its lines above start "
			    "with '[%s] '",
			    op, h, p->status, h);
	}
}

/* op on every host; after `up` (a down's rollback), a host whose up was
 * stopped is tried again while it fails: that up may go on over there,
 * holding the lab's lock, after its ssh was killed */
static int run_op(struct ctx *c, enum cluster_op op, const struct cluster_run *up,
		  enum cluster_on_signal on_signal, struct cluster_run *r)
{
	cluster_run_init(r, c->lab, op);
	for (size_t i = 0; up && i < r->parts.n && i < up->parts.n; i++)
		r->parts.v[i].retry = up->parts.v[i].timed_out || up->parts.v[i].interrupted;
	show_commands(c, op);
	int e = cluster_run(r, &c->o, on_signal);
	report(c, r);
	return e;
}

static double since(const struct ctx *c)
{
	return probe_now() - c->t0;
}

static char *host_names(const struct topo_lab *lab)
{
	struct sbuf b = {0};

	vec_foreach (h, &lab->hosts)
		sbuf_addf(&b, "%s%s", h == lab->hosts.v ? "" : ", ", (*h)->name);
	return sbuf_steal(&b);
}

/* Down on every host. After an up (`up` given: the rollback) and in test
 * (`must`), a signal does not stop it. 0 when every host's part is down. */
static int down_all(struct ctx *c, const struct cluster_run *up, bool must)
{
	struct cluster_run r;
	int e = run_op(c, CLUSTER_DOWN, up,
		       up || must ? CLUSTER_SIGNAL_IGNORED : CLUSTER_SIGNAL_STOPS, &r);

	if (e == 0 && up)
		err("cluster: lab '%s' was taken down on every host", c->o.lab);
	else if (up)
		err("cluster: lab '%s' may be left up on some host: 'nslab cluster down %s' again",
		    c->o.lab, c->given);
	else if (e == 0)
		printf("lab '%s' is down on %zu hosts\n", c->o.lab, r.parts.n);
	else if (!r.interrupted)
		err("cluster: lab '%s' may be left up on some host", c->o.lab);
	int sig = r.interrupted;
	cluster_run_free(&r);
	return sig ? 128 + sig : e ? EXIT_FAIL : 0;
}

/* Up on every host; any failure takes every host's part down. */
static int up_all(struct ctx *c)
{
	struct cluster_run r;
	int e = run_op(c, CLUSTER_UP, NULL, CLUSTER_SIGNAL_FINISHES, &r);
	int sig = r.interrupted;

	if (e == 0 && !sig) {
		_cleanup_free_ char *names = host_names(c->lab);
		printf("lab '%s' is up on %zu hosts (%s) in %.3f s\n", c->o.lab, r.parts.n, names,
		       since(c));
	} else {
		if (sig)
			err("cluster up '%s' interrupted by %s; taking it down on every host",
			    c->o.lab, interrupt_name(sig));
		else
			err("cluster up '%s' failed; taking it down on every host", c->o.lab);
		(void)down_all(c, &r, true);
	}
	cluster_run_free(&r);
	return sig ? 128 + sig : e ? EXIT_FAIL : 0;
}

static int check_all(struct ctx *c)
{
	struct cluster_run r;
	double t0 = probe_now();
	size_t ok = 0, failed = 0;
	struct sbuf broken = {0};
	unsigned timeout = c->o.timeout;

	c->o.timeout = c->o.check_timeout + CLUSTER_SSH_GRACE;
	(void)run_op(c, CLUSTER_CHECK, NULL, CLUSTER_SIGNAL_STOPS, &r);
	c->o.timeout = timeout;
	vec_foreach (p, &r.parts) {
		ok += p->ok;
		failed += p->failed;
		/* 0: all held, 1: some failed; anything else: no results */
		if (!p->summary || (p->status != 0 && p->status != 1))
			sbuf_addf(&broken, "%s%s", broken.len ? ", " : "", p->host->name);
	}
	if (r.interrupted)
		printf("interrupted by %s: %zu of %zu expectations hold in lab '%s' on %zu hosts; "
		       "the rest did not run to the end\n",
		       interrupt_name(r.interrupted), ok, ok + failed, c->o.lab, r.parts.n);
	else
		printf("%zu of %zu expectations hold in lab '%s' on %zu hosts (%.2f s)%s%s\n", ok,
		       ok + failed, c->o.lab, r.parts.n, probe_now() - t0,
		       broken.len ? "; no results from " : "", broken.len ? broken.s : "");
	int rc = r.interrupted ? 128 + r.interrupted : failed || broken.len ? EXIT_FAIL : 0;
	sbuf_free(&broken);
	cluster_run_free(&r);
	return rc;
}

/* up, check, and down always (also after a signal) */
static int test_all(struct ctx *c)
{
	int rc = up_all(c);

	if (rc)
		return rc;
	rc = check_all(c);
	int sig = interrupt_signal();
	if (sig)
		err("cluster test '%s' interrupted by %s; taking it down on every host", c->o.lab,
		    interrupt_name(sig));
	int down = down_all(c, NULL, true);
	if (sig)
		return 128 + sig;
	return rc ? rc : down;
}

/* What is left once the options are read: SUB FILE. */
static int go(struct ctx *c, const char *sub, const char *file, const char *name)
{
	size_t which = 0;
	struct topo_lab *lab = NULL;
	int rc;

	while (which < ARRAY_SIZE(subcommands) && !streq(sub, subcommands[which]))
		which++;
	if (which == ARRAY_SIZE(subcommands)) {
		const char *best = closest_word(sub, subcommands, ARRAY_SIZE(subcommands));
		if (best)
			return cmd_usage_error(&cmd_cluster, "no subcommand '%s'; did you mean '%s'?",
					       sub, best);
		return cmd_usage_error(&cmd_cluster, "no subcommand '%s': up, down, check or test",
				       sub);
	}
	if (!file)
		return cmd_usage_error(&cmd_cluster, "%s: no topology file given", sub);
	rc = cmd_load(file, &lab);
	if (rc == 0 && !lab->hosts.n) {
		err("cluster: %s has no [hosts] section: it is a lab for one machine, which "
		    "'nslab up %s' builds",
		    file, file);
		fprintf(stderr, "    hint: split it across machines with [hosts] 'NAME = ADDRESS' "
				"lines and placement rules (docs/multihost.md)\n");
		rc = EXIT_USAGE;
	}
	if (rc == 0) /* the name 'nslab up' would give it here */
		rc = cmd_rename_lab(&cmd_cluster, lab, name);
	_cleanup_free_ char *abs = rc == 0 ? realpath(file, NULL) : NULL;
	if (rc == 0 && !abs) {
		err("cluster: %s: %s", file, strerror(errno));
		rc = EXIT_USAGE;
	}
	if (rc == 0) {
		const char *t = getenv("NSLAB_CLUSTER_TRANSPORT");
		c->o.transport = t && *t ? t : NULL;
		c->o.lab = lab->name;
		c->o.file = abs;
		c->o.data = c;
		c->lab = lab;
		c->given = file;
		c->t0 = probe_now();
		interrupt_catch(); /* stop the parts, take down what came up */
		rc = which == 0	  ? up_all(c)
		     : which == 1 ? down_all(c, NULL, false)
		     : which == 2 ? check_all(c)
				  : test_all(c);
	}
	topo_lab_free(lab);
	return rc;
}

static int cluster_cmd_run(int argc, char **argv)
{
	struct ctx c = {.o = {.line = print_line,
			      .finishing = print_finishing,
			      .timeout = CLUSTER_TIMEOUT,
			      .check_timeout = CLUSTER_CHECK_TIMEOUT}};
	const char *name = NULL;
	uint32_t u;
	int opt, rc = EXIT_USAGE;

	while ((opt = cmd_getopt(&cmd_cluster, argc, argv)) > 0) {
		if (opt == OPT_NAME) {
			name = optarg;
		} else if (opt == OPT_TIMEOUT) {
			if (parse_u32(optarg, 1, 86400, &u) < 0) {
				cmd_usage_error(&cmd_cluster,
						"--timeout takes seconds (1 to 86400), not '%s'",
						optarg);
				goto out;
			}
			c.o.timeout = c.o.check_timeout = u;
		} else if (opt == OPT_SSH_OPTION) {
			vec_push(&c.o.ssh_opts, xstrdup(optarg));
		} else if (opt == OPT_REMOTE) {
			c.o.remote = optarg;
		} else if (opt == OPT_SUDO) {
			c.o.sudo = true;
		} else if (opt == 'v') {
			c.verbose = true;
		}
	}
	if (opt < 0)
		goto out;
	if (optind == argc)
		cmd_usage_error(&cmd_cluster, "name what to do: up, down, check or test");
	else if (argc - optind > 2)
		cmd_usage_error(&cmd_cluster, "unexpected '%s'", argv[optind + 2]);
	else
		rc = go(&c, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, name);
out:
	strvec_free(&c.o.ssh_opts);
	return rc;
}

const struct cmd cmd_cluster = {
    .name = "cluster",
    .args = "up|down|check|test [--name LAB] [--timeout SECS] [--ssh-option OPT]... "
	    "[--remote-nslab PATH] [--sudo] [-v] FILE",
    .summary = "Run a lab split across hosts ([hosts]) on all of them, over ssh.",
    .help =
	"FILE is validated here, and must have a [hosts] section. Each host then runs its\n"
	"own part, all hosts at once, as\n"
	"    ssh -o BatchMode=yes [-o OPT]... DEST -- nslab --prefix '' COMMAND\n"
	"where DEST is the host's 'ssh DEST' or its address (the user's ssh config\n"
	"applies) and COMMAND is, per subcommand:\n"
	"  up      'up --host NAME --name LAB FILE': build the host's part. If any host\n"
	"          fails, every host's part is taken down again (a host whose up was\n"
	"          stopped is tried again until its lab's lock is free) and the exit\n"
	"          status is 1\n"
	"  down    'down --host NAME LAB': a part that is not up is no error\n"
	"  check   'check --timeout SECS LAB': each host checks the expectations whose\n"
	"          first node is on it; one closing line counts them over all hosts\n"
	"  test    up, check, then down always, as 'nslab test' does\n"
	"LAB is the name 'nslab up' would give FILE's lab here (its [lab] name or --name,\n"
	"with the lab-name prefix in force: 'nslab help'); FILE is passed as its\n"
	"absolute path, which must name the same file on every host (a shared checkout\n"
	"or home). Every line a host prints is shown as it comes, on stdout or stderr\n"
	"as there, starting with '[NAME] '. A host that fails is named, with the likely\n"
	"cause: no file at that path, no nslab there (exit 127), ssh that cannot log in\n"
	"(exit 255). SIGINT (Ctrl-C), SIGTERM or SIGHUP during up let the hosts' ups\n"
	"finish (a second signal stops them) and then take every host's part down;\n"
	"during check and down they stop the hosts' commands; test takes the lab down\n"
	"in any case. The exit status is then 128+signal. Needs no root here; each\n"
	"host's command needs root there.\n\n"
	"  --name LAB          the lab's name, as 'nslab up --name' (give the same to\n"
	"                      every subcommand)\n"
	"  --timeout SECS      how long each host's up and down may take (default 300)\n"
	"                      and each host's checks ('check --timeout', default 60; its\n"
	"                      ssh is stopped 30 s after); a host that takes longer is\n"
	"                      stopped and fails\n"
	"  --ssh-option OPT    pass '-o OPT' to ssh (ConnectTimeout=5, Port=2222,\n"
	"                      User=root...); may be repeated\n"
	"  --remote-nslab PATH the nslab program on the hosts (default 'nslab', found in\n"
	"                      the PATH of ssh's non-interactive shell there)\n"
	"  --sudo              run it as 'sudo -n nslab ...' on the hosts, for a user that\n"
	"                      may run nslab through sudo without a password\n"
	"  -v, --verbose       print each host's command line on stderr before it runs\n\n"
	"With NSLAB_CLUSTER_TRANSPORT=PROG in the environment, PROG runs each host's\n"
	"command instead of ssh, as 'PROG NAME DEST nslab --prefix '' COMMAND' (one\n"
	"argument a word, no shell): for tests, and for hosts reached otherwise, such\n"
	"as pods through 'kubectl exec'. Exit status: 0 when every host's part\n"
	"did what was asked (check, test: every expectation held), 1 when one did not,\n"
	"2 on bad arguments or a bad FILE. See docs/multihost.md.\n",
    .run = cluster_cmd_run,
    .shortopts = "v",
    .longopts = (const struct option[]){{"name", required_argument, NULL, OPT_NAME},
					{"timeout", required_argument, NULL, OPT_TIMEOUT},
					{"ssh-option", required_argument, NULL, OPT_SSH_OPTION},
					{"remote-nslab", required_argument, NULL, OPT_REMOTE},
					{"sudo", no_argument, NULL, OPT_SUDO},
					{"verbose", no_argument, NULL, 'v'},
					{0}},
};
