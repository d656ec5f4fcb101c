// SPDX-License-Identifier: MIT
/* [node] key 'startup': startup = CMD, a shell command line run in the node
 * after the wiring and its files, in order, each within [lab]
 * startup-timeout, its output in the node's log. NODE.startup beside the
 * topology (Kathará's convention) runs first, as one `sh -e` script. A
 * line written '-CMD' may fail: its failure is logged, and up goes on. */
#include "node-key.h"
#include "nl.h"
#include "runtime.h"

#include <libgen.h>
#include <sys/stat.h>

#define STARTUP_FILE_MAX (1 << 20)

static int parse_startup(struct topo_node *n, char *value, const struct topo_loc *loc,
			 struct diag *d)
{
	bool may_fail = value[0] == '-';
	const char *line = value + may_fail;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line) {
		diag_add(d, loc,
			 "write 'startup = CMD', a shell command line, e.g. 'startup = ip link set eth0 "
			 "mtu 1400'; '-CMD' may fail",
			 "'startup' needs a command");
		return -EINVAL;
	}
	struct topo_startup *s = vec_add(&n->startups);
	*s = (struct topo_startup){.loc = *loc, .line = xstrdup(line), .may_fail = may_fail};
	return 0;
}

/* A startup file beside the topology: NULL when there is none, else its
 * path, or "" after a diagnostic. */
static char *startup_file(struct topo_lab *lab, const char *name, const struct topo_loc *loc,
			  struct diag *d)
{
	_cleanup_free_ char *f = xasprintf("%s/%s.startup", lab->dir, name);
	struct stat st;

	if (stat(f, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode) || st.st_size > STARTUP_FILE_MAX || access(f, R_OK) < 0) {
		diag_add(d, loc, "make it a readable text file of at most 1 MiB, or remove it",
			 "%s is not a readable startup file", f);
		return xstrdup("");
	}
	return steal_pointer(&f);
}

/* Before the startup lines: shared.startup (every node's), then
 * NODE.startup (Kathará's order), then the topology's own lines. */
static void validate_startup(struct topo_lab *lab, struct diag *d)
{
	if (!lab->dir)
		return;
	struct topo_loc top = {.file = lab->file, .line = 0};
	_cleanup_free_ char *shared = startup_file(lab, "shared", &top, d);
	vec_foreach(np, &lab->nodes)
	{
		struct topo_node *n = *np;
		if (n->is_switch)
			continue;
		char *own = startup_file(lab, n->name, &n->loc, d);
		const char *files[] = {shared, own};
		size_t k = 0;
		for (size_t i = 0; i < 2; i++) {
			if (!files[i] || !*files[i])
				continue;
			struct topo_startup s = {.loc = n->loc, .line = xstrdup(files[i]), .is_file = true,
						 .may_fail = lab->startup_lenient};
			vec_push(&n->startups, s);
			memmove(n->startups.v + k + 1, n->startups.v + k,
				(n->startups.n - 1 - k) * sizeof(s));
			n->startups.v[k++] = s;
		}
		free(own);
	}
}

static const struct topo_startup *startup_of(const struct step *s)
{
	return s->data;
}

static void print_startup(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_startup *x = startup_of(s);

	runtime_print_enter(p->lab, s->node, out);
	if (x->is_file) {
		_cleanup_free_ char *rel = topo_rel_path(p->lab, x->line);
		_cleanup_free_ char *copy = xstrdup(x->line);
		sbuf_addf(out, "sh%s -c \"$(cat ", p->lab->startup_lenient ? "" : " -e");
		sbuf_add_shword(out, rel);
		sbuf_addf(out, ")\" %s", basename(copy));
	} else {
		sbuf_adds(out, "sh -c ");
		sbuf_add_shword(out, x->line);
	}
	runtime_print_log(p->lab, s->node, out);
	sbuf_adds(out, x->may_fail ? " || true\n" : "\n");
}

static void describe_startup(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_startup *x = startup_of(s);

	if (x->is_file)
		sbuf_addf(out, "run %s", x->line);
	else
		sbuf_addf(out, "run startup line '%s'", x->line);
}

static int apply_startup(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_startup *x = startup_of(s);
	const struct topo_lab *lab = nl->plan->lab;
	const struct topo_node *n = s->node;
	_cleanup_free_ char *script = NULL;
	_cleanup_free_ char *base = x->is_file ? xstrdup(x->line) : NULL;
	_cleanup_free_ char *name = x->is_file ? xstrdup(basename(base)) : NULL;
	char *argv[6] = {"sh", "-c", x->line, NULL};

	if (x->is_file) {
		/* read here: the node's own /tmp may hide the topology's folder */
		int r = read_text_file(x->line, STARTUP_FILE_MAX, &script);
		if (r < 0) {
			sbuf_addf(err, "read %s: %s", x->line, strerror(-r));
			return r;
		}
		char *fargv[] = {"sh", "-e", "-c", script, name, NULL};
		char *largv[] = {"sh", "-c", script, name, NULL, NULL};
		memcpy(argv, lab->startup_lenient ? largv : fargv, sizeof(fargv));
	}
	int log = runtime_log_open(lab->name, n->name);
	if (log >= 0) {
		dprintf(log, "# nslab: startup (%s:%u): %s\n", x->loc.file, x->loc.line,
			x->line);
		close(log);
	}
	long off = runtime_log_size(lab->name, n->name);
	unsigned limit = lab->startup_timeout_ms;
	struct runtime_cmd c = {.lab = lab->name, .node = n->name, .argv = argv, .stdin_fd = -1,
				.out_fd = -1, .timeout_ms = limit};
	int r = runtime_run(&c, err);
	if (r == 0 || r == -EINTR)
		return r;
	if (r == -ETIME)
		sbuf_addf(err, "still running after %.3g s ([lab] startup-timeout); its output:",
			  limit / 1000.0);
	else if (r > 0)
		sbuf_addf(err, "exit status %d; its output:", r);
	else
		return r;
	if (x->may_fail) {
		log = runtime_log_open(lab->name, n->name);
		if (log >= 0) {
			dprintf(log, "# nslab: that failed (%s); up goes on (%s)\n",
				r > 0 ? "exit status" : "timeout",
				x->is_file ? "startup-files = lenient" : "'-' before the line");
			close(log);
		}
		sbuf_reset(err);
		return 0;
	}
	size_t before = err->s ? strlen(err->s) : 0;
	runtime_log_tail(lab->name, n->name, off, 15, err);
	if (err->s && strlen(err->s) == before)
		sbuf_adds(err, " none");
	return r > 0 ? -ECANCELED : r;
}

static const struct step_type step_startup = {
	.name = "startup",
	.group = STEP_GROUP_RUN,
	.print = print_startup,
	.describe = describe_startup,
	.apply = apply_startup,
};

static void plan_startup(struct plan *p, struct topo_node *n)
{
	vec_foreach(x, &n->startups) plan_add(p, &step_startup, n, x)->loc = &x->loc;
}

static void free_startup(struct topo_node *n)
{
	vec_foreach(x, &n->startups) free(x->line);
	vec_free(&n->startups);
}

const struct node_key node_key_startup = {
	.key = "startup",
	.repeatable = true,
	.parse = parse_startup,
	.validate = validate_startup,
	.plan = plan_startup,
	.free = free_startup,
	.defaults = true,
};
