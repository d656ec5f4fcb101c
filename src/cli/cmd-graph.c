// SPDX-License-Identifier: MIT
/* nslab graph: a topology, or a running lab with what is down, as a picture
 * (graph.h makes the dot and mermaid text; Graphviz's dot draws SVG). */
#include "check.h"
#include "cmd.h"
#include "graph.h"
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct cmd cmd_graph;

enum out_format { OUT_DOT, OUT_MERMAID, OUT_SVG, OUT_HTML, _OUT_MAX, _OUT_INVALID = -1 };

static const char *const out_names[_OUT_MAX] = {"dot", "mermaid", "svg", "html"};

static enum out_format out_from_string(const char *s)
{
	for (int f = 0; f < _OUT_MAX; f++)
		if (streq(s, out_names[f]))
			return (enum out_format)f;
	return _OUT_INVALID;
}

/* -o FILE without --format: FILE's extension, if it is one of ours. */
static enum out_format out_from_file(const char *file)
{
	const char *dot = strrchr(file, '.');
	if (!dot || strchr(dot, '/'))
		return OUT_DOT;
	if (streq(dot, ".mmd") || streq(dot, ".mermaid"))
		return OUT_MERMAID;
	if (streq(dot, ".gv"))
		return OUT_DOT;
	if (streq(dot, ".htm"))
		return OUT_HTML;
	enum out_format f = out_from_string(dot + 1);
	return f == _OUT_INVALID ? OUT_DOT : f;
}

static const struct option graph_longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {0},
};

/* Graphviz's dot on PATH, or NULL. */
static char *find_dot(void)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");

	for (char *dir = strtok(copy, ":"); dir; dir = strtok(NULL, ":")) {
		char *p = xasprintf("%s/dot", *dir ? dir : ".");
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* dot -Tsvg of text: the SVG, or NULL after saying why. */
static char *run_dot(const char *dot, const char *text)
{
	char tmpl[] = "/tmp/nslab-graph-XXXXXX";
	int in = mkostemp(tmpl, O_CLOEXEC), pipefd[2];

	if (in < 0) {
		err("graph: temporary file: %s", strerror(errno));
		return NULL;
	}
	(void)unlink(tmpl);
	if (write(in, text, strlen(text)) != (ssize_t)strlen(text) || lseek(in, 0, SEEK_SET) < 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0) {
		err("graph: temporary file: %s", strerror(errno));
		close(in);
		return NULL;
	}
	pid_t pid = fork();
	if (pid == 0) {
		(void)dup2(in, 0);
		(void)dup2(pipefd[1], 1);
		execl(dot, "dot", "-Tsvg", (char *)NULL);
		_exit(127);
	}
	close(in);
	close(pipefd[1]);
	FILE *f = pid > 0 ? fdopen(pipefd[0], "r") : NULL;
	char *svg = f ? read_stream(f) : NULL;
	if (f)
		fclose(f);
	else
		close(pipefd[0]);
	int status = 0;
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !svg) {
		err("graph: '%s -Tsvg' failed (exit status %d)", dot,
		    pid < 0 ? -1 : cmd_wait_status(status));
		free(svg);
		return NULL;
	}
	return svg;
}

/* The topology and, for a running lab, what is down: 0 or an exit status. */
static int load(const char *word, struct topo_lab **ret_lab, struct strvec *down)
{
	_cleanup_free_ char *lab = NULL, *edited = NULL;
	int r;

	if (word && access(word, F_OK) == 0)
		return cmd_load(word, ret_lab);
	if ((r = cmd_pick_lab(&cmd_graph, word, &lab)))
		return r;
	const char *why = lab_privilege_error();
	if (why) {
		err("graph: lab '%s': %s", lab, why);
		return EXIT_FAIL;
	}
	struct diag d = {0};
	struct topo_lab *t = check_load_running(lab, &d, &edited);
	diag_free(&d);
	if (!t) {
		err("graph: lab '%s' has no topology of its own (built by 'nslab plan | sh'?): "
		    "graph its "
		    "file instead",
		    lab);
		return EXIT_FAIL;
	}
	/* its running name (up --name) */
	free(t->name);
	t->name = xstrdup(lab);
	struct show_lab s;
	if ((r = show_read(lab, NULL, 0, &s)) < 0) {
		err("graph: lab '%s': %s", lab, strerror(-r));
		topo_lab_free(t);
		return EXIT_FAIL;
	}
	graph_down(t, &s, down);
	show_free(&s);
	*ret_lab = t;
	return 0;
}

static int output(const char *file, const char *text)
{
	if (!file || streq(file, "-")) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
	}
	int w = write_file_replace(file, text); /* whole or not at all */
	if (w < 0) {
		err("graph: %s: %s", file, strerror(-w));
		return EXIT_FAIL;
	}
	return 0;
}

static int graph_run(int argc, char **argv)
{
	const char *out = NULL, *fmt = NULL;
	int opt, r;

	while ((opt = cmd_getopt(&cmd_graph, argc, argv)) > 0) {
		if (opt == 'f')
			fmt = optarg;
		else
			out = optarg;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_graph, "too many operands: graph %s", cmd_graph.args);
	enum out_format f = fmt ? out_from_string(fmt) : out ? out_from_file(out) : OUT_DOT;
	if (f == _OUT_INVALID)
		return cmd_usage_error(&cmd_graph,
				       "--format '%s': not one of dot, mermaid, svg, html", fmt);
	/* before reading anything: no dot, nothing written */
	_cleanup_free_ char *dot = f == OUT_SVG || f == OUT_HTML ? find_dot() : NULL;
	if (f == OUT_SVG && !dot) {
		err("graph: --format svg needs Graphviz's 'dot', which is not installed (Debian "
		    "package "
		    "graphviz: apt-get install graphviz); nothing was written");
		return EXIT_FAIL;
	}

	struct topo_lab *lab = NULL;
	struct strvec down = {0};
	if ((r = load(argc > optind ? argv[optind] : NULL, &lab, &down)))
		return r;
	struct sbuf text = {0}, page = {0};
	graph_write(lab, &down, f == OUT_MERMAID ? GRAPH_MERMAID : GRAPH_DOT, &text);
	_cleanup_free_ char *svg = dot ? run_dot(dot, text.s) : NULL;
	if (dot && !svg)
		r = EXIT_FAIL;
	else if (f == OUT_HTML) {
		if (!dot)
			err("graph: Graphviz's 'dot' is not installed (Debian package graphviz): "
			    "the page "
			    "has the graph's source and no picture");
		graph_html(lab->name, svg, text.s, &page);
		r = output(out, page.s);
	} else
		r = output(out, f == OUT_SVG ? svg : text.s);
	sbuf_free(&text);
	sbuf_free(&page);
	strvec_free(&down);
	topo_lab_free(lab);
	return r;
}

const struct cmd cmd_graph = {
    .name = "graph",
    .args = "[FILE|LAB] [-f dot|mermaid|svg|html] [-o FILE]",
    .summary = "Draw a topology or a running lab: nodes, switches, links, tunnels.",
    .help = "Nodes are rounded boxes; bridges of the switch namespace are square boxes;\n"
	    "bridges in a node (a section named NODE:NAME) are ellipses that hang from it\n"
	    "by a dotted line. A link is a line labelled with the interface, addresses\n"
	    "and impairments of each end. A tunnel (VXLAN, Geneve, GRE, IPIP, WireGuard...)\n"
	    "with two ends is a bold line labelled with its VNI, key or ends; one with\n"
	    "more ends, or with one end in each node (flannel.1), is a hexagon its ends\n"
	    "join. A node that other nodes are linked to alone (two or more, or one\n"
	    "through a bridge of the node) and that has a way out besides them is drawn\n"
	    "in a dashed box with them: a Kubernetes node and its pods, behind cni0 or on\n"
	    "their own veths.\n"
	    "A word that is an existing file is the topology; else the running lab of\n"
	    "that name (default: the only lab that is up; needs root), drawn from the\n"
	    "topology it was built from, with each link or tunnel whose interface is down\n"
	    "(nslab link ... down, ip link set ... down) dashed, red, labelled 'down'.\n"
	    "The same file gives the same dot and mermaid bytes.\n"
	    "  -f, --format F     dot (default), mermaid (a flowchart for Markdown),\n"
	    "                     svg (runs Graphviz's dot: Debian package graphviz),\n"
	    "                     html (one page that needs no network: the SVG inline\n"
	    "                     and the dot source; without dot, the source and a note)\n"
	    "  -o, --output FILE  write FILE (whole or not at all); without -f, FILE's\n"
	    "                     extension (.dot .gv .mmd .svg .html) picks the format\n"
	    "Example: nslab graph topologies/k8s-flannel-vxlan.ini -o flannel.svg\n",
    .run = graph_run,
    .shortopts = "f:o:",
    .longopts = graph_longopts,
};
