// SPDX-License-Identifier: MIT
/* [node] key 'frr': frr = DAEMON... (ospfd bgpd ripd ...): Debian's FRR in
 * the node, with its own /etc/frr (the node's etc/frr/frr.conf from its
 * folder) and /run/frr. Without the key, an etc/frr/daemons file in the
 * node's folders does the same with the daemons it names. The step writes
 * the node's /etc/frr/daemons (with the key), runs FRR's own
 * frrinit.sh start in the node (watchfrr starts zebra, staticd and the
 * daemons; vtysh -b applies frr.conf), waits until vtysh answers, and puts
 * watchfrr on record as the service 'frr', which down stops first (it would
 * restart the daemons it watches). The host's frr.service is never used. */
#include "lab.h"
#include "node-key.h"
#include "nl.h"
#include "rundir.h"
#include "runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>

#define FRR_INIT "/usr/lib/frr/frrinit.sh"
#define FRR_START_TIMEOUT_MS 60000
#define FRR_ANSWER_TIMEOUT_MS 15000

/* The daemons of FRR 8's daemons file; zebra and staticd always run. */
static const char *const frr_daemons[] = {
	"bgpd",   "ospfd", "ospf6d", "ripd",  "ripngd", "isisd", "pimd",    "pim6d",
	"ldpd",   "nhrpd", "eigrpd", "babeld", "sharpd", "pbrd", "bfdd",   "fabricd",
	"vrrpd", "pathd",
};

static bool known_daemon(const char *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(frr_daemons); i++)
		if (streq(d, frr_daemons[i]))
			return true;
	return false;
}

static int parse_frr(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	char *w[32];
	size_t k = split_words(value, w, 31);
	char hint[512];

	snprintf(hint, sizeof(hint), "write 'frr = DAEMON...', e.g. 'frr = ospfd' or 'frr = bgpd bfdd'; "
				     "daemons are bgpd, ospfd, ospf6d, ripd, ripngd, isisd, pimd, ldpd, "
				     "bfdd, ... (zebra and staticd always run)");
	if (k == 0 || k > 30) {
		diag_add(d, loc, hint, "'frr' needs the daemons to run");
		return -EINVAL;
	}
	vec_foreach(x, &n->frr) free(*x);
	n->frr.n = 0;
	for (size_t i = 0; i < k; i++) {
		if (streq(w[i], "zebra") || streq(w[i], "staticd"))
			continue; /* always */
		if (!known_daemon(w[i])) {
			const char *best = closest_word(w[i], frr_daemons, ARRAY_SIZE(frr_daemons));
			if (best)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", best);
			diag_add(d, loc, hint, "frr: unknown daemon '%s'", w[i]);
			return -EINVAL;
		}
		vec_push(&n->frr, xstrdup(w[i]));
	}
	n->frr_loc = *loc;
	n->has_frr = true;
	return 0;
}

static void validate_frr(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes)
	{
		struct topo_node *n = *np;
		/* FRR's own daemons file in the node's folders starts it too */
		vec_foreach(l, &n->layers)
		{
			_cleanup_free_ char *p = xasprintf("%s/etc/frr/daemons", *l);
			if (!n->has_frr && access(p, F_OK) == 0) {
				n->has_frr = true;
				n->frr_loc = n->loc;
			}
		}
		if (n->has_frr && access(FRR_INIT, X_OK) < 0)
			diag_add(d, &n->frr_loc,
				 "install Debian's frr (apt-get install frr; then 'systemctl disable --now "
				 "frr' keeps the host's own FRR off)",
				 "node '%s' runs FRR, which is not installed (%s: %s)", n->name, FRR_INIT,
				 strerror(errno));
	}
}

/* The node's daemons file, whole: its daemons on (the rest are off when
 * not named), each daemon's vty on localhost only, as Debian's file has
 * it. Made from the topology alone, so that the plan is the same on every
 * machine, whatever FRR version it has installed. */
static char *daemons_file(const struct topo_node *n)
{
	struct sbuf b = {0};

	sbuf_addf(&b, "# written by nslab for node %s: frr =", n->name);
	vec_foreach(x, &n->frr) sbuf_addf(&b, " %s", *x);
	sbuf_adds(&b, "\n");
	vec_foreach(x, &n->frr) sbuf_addf(&b, "%s=yes\n", *x);
	sbuf_adds(&b, "vtysh_enable=yes\n");
	static const char *const always[] = {"zebra", "staticd"};
	for (size_t i = 0; i < ARRAY_SIZE(always); i++)
		sbuf_addf(&b, "%s_options=\"-A 127.0.0.1%s\"\n", always[i],
			  streq(always[i], "zebra") ? " -s 90000000" : "");
	vec_foreach(x, &n->frr)
	{
		bool v6 = streq(*x, "ospf6d") || streq(*x, "ripngd") || streq(*x, "pim6d");
		sbuf_addf(&b, "%s_options=\"-A %s\"\n", *x, v6 ? "::1" : "127.0.0.1");
	}
	return sbuf_steal(&b);
}

static void print_frr(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_node *n = s->node;

	if (n->frr.n) {
		_cleanup_free_ char *text = daemons_file(n);
		sbuf_adds(out, "printf '%s' ");
		sbuf_add_shword(out, text);
		sbuf_adds(out, " | ");
		runtime_print_enter(p->lab, n, out);
		sbuf_adds(out, "sh -c 'cat > /etc/frr/daemons'\n");
	}
	runtime_print_enter(p->lab, n, out);
	sbuf_adds(out, FRR_INIT " start");
	runtime_print_log(p->lab, n, out);
	sbuf_adds(out, "\n");
}

static void describe_frr(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_adds(out, "start FRR");
}

static int apply_frr(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_node *n = s->node;
	const char *lab = nl->plan->lab->name;
	int log = runtime_log_open(lab, n->name), r;

	if (log >= 0) {
		dprintf(log, "# nslab: FRR (%s:%u)\n", n->frr_loc.file, n->frr_loc.line);
		close(log);
	}
	if (n->frr.n) {
		_cleanup_free_ char *text = daemons_file(n);
		_cleanup_close_ int fd = memfd_create("nslab-frr-daemons", MFD_CLOEXEC);
		char *const argv[] = {"sh", "-c", "cat > /etc/frr/daemons", NULL};
		if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
		    lseek(fd, 0, SEEK_SET) < 0) {
			sbuf_addf(err, "write the daemons file: %s", strerror(errno));
			return -errno;
		}
		r = runtime_run_step(lab, n->name, argv, fd, 5000, "writing /etc/frr/daemons", err);
		if (r < 0)
			return r;
	}
	/* a startup line may have started it already (Kathará's labs say
	 * 'systemctl start frr' or '/etc/init.d/frr start') */
	char *const running[] = {"sh", "-c", "kill -0 \"$(cat /run/frr/watchfrr.pid 2>/dev/null)\" 2>/dev/null", NULL};
	struct runtime_cmd probe = {.lab = lab, .node = n->name, .argv = running, .stdin_fd = -1,
				    .out_fd = -1, .timeout_ms = 5000};
	struct sbuf ignore = {0};
	bool started = runtime_run(&probe, &ignore) == 0;
	sbuf_free(&ignore);
	char *const start[] = {FRR_INIT, "start", NULL};
	r = started ? 0 : runtime_run_step(lab, n->name, start, -1, FRR_START_TIMEOUT_MS, FRR_INIT " start", err);
	if (r < 0)
		return r;
	lab_test_kill_at("service-spawned"); /* FRR runs, not yet on record */
	/* on record before the wait: down stops watchfrr first */
	char *const cat[] = {"cat", "/run/frr/watchfrr.pid", NULL};
	_cleanup_free_ char *pidtext = NULL;
	struct sbuf why = {0};
	if (runtime_capture(lab, n->name, cat, 5000, &pidtext, &why) == 0 && atoi(pidtext) > 1) {
		pid_t pid = atoi(pidtext);
		struct rundir_service rec = {.node = n->name, .name = "frr", .pid = pid,
					     .start = runtime_proc_start(pid), .since = time(NULL),
					     .cmd = FRR_INIT " start"};
		(void)rundir_add_service(lab, &rec);
	}
	lab_test_kill_at("service-recorded");
	sbuf_free(&why);
	/* they answer when vtysh reaches every daemon */
	char *const ask[] = {"vtysh", "-c", "show daemons", NULL};
	long long deadline = runtime_now_ms() + FRR_ANSWER_TIMEOUT_MS;
	for (;;) {
		_cleanup_free_ char *out = NULL;
		sbuf_reset(&why);
		r = runtime_capture(lab, n->name, ask, 5000, &out, &why);
		bool all = r == 0;
		vec_foreach(x, &n->frr) all &= out && strstr(out, *x) != NULL;
		if (all) {
			sbuf_free(&why);
			return 0;
		}
		if (r == -EINTR || runtime_now_ms() > deadline) {
			sbuf_addf(err, "FRR's daemons do not all answer vtysh after %d s (vtysh says: %s)",
				  FRR_ANSWER_TIMEOUT_MS / 1000, out && *out ? out : why.s ? why.s : "nothing");
			sbuf_free(&why);
			return r == -EINTR ? r : -ETIME;
		}
		runtime_nap_ms(100);
	}
}

static const struct step_type step_frr = {
	.name = "frr",
	.group = STEP_GROUP_RUN,
	.print = print_frr,
	.describe = describe_frr,
	.apply = apply_frr,
};

static void plan_frr(struct plan *p, struct topo_node *n)
{
	if (n->has_frr)
		plan_add(p, &step_frr, n, NULL)->loc = &n->frr_loc;
}

static void free_frr(struct topo_node *n)
{
	vec_foreach(x, &n->frr) free(*x);
	vec_free(&n->frr);
}

const struct node_key node_key_frr = {
	.key = "frr",
	.parse = parse_frr,
	.validate = validate_frr,
	.plan = plan_frr,
	.free = free_frr,
	.defaults = true,
};
