// SPDX-License-Identifier: MIT
/* [node] key 'files': files = DIR... (folders laid over the node's /, the
 * last on top), by default the folder named after the node beside the
 * topology (Kathará's convention); shared/ beside the topology lies under
 * every node's. Its step makes the node's root: the mount and UTS
 * namespaces of runtime.c, for every node that needs one. */
#include "node-key.h"
#include "nl.h"
#include "runtime.h"

#include <dirent.h>
#include <sys/stat.h>

static int parse_files(struct topo_node *n, char *value, const struct topo_loc *loc,
		       struct diag *d)
{
	char *w[17];
	size_t k = split_words(value, w, 16);

	if (k == 0 || k > 16) {
		diag_add(d, loc, "write 'files = DIR [DIR...]', folders beside the topology, e.g. "
				 "'files = web common'",
			 "'files' needs 1 to 16 folders");
		return -EINVAL;
	}
	/* a [defaults] line, then the node's own: the node's wins */
	vec_foreach(f, &n->files) free(*f);
	n->files.n = 0;
	for (size_t i = 0; i < k; i++)
		vec_push(&n->files, xstrdup(w[i]));
	n->files_loc = *loc;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_link(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Every entry at the top of a layer is a directory laid over the host's. */
static void check_layer(const struct topo_node *n, const char *path, const struct topo_loc *loc,
			struct diag *d)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char hint[512];

	if (!dir) {
		diag_add(d, loc, "make it readable by root", "node '%s': cannot read folder %s: %s",
			 n->name, path, strerror(errno));
		return;
	}
	while ((e = readdir(dir))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		_cleanup_free_ char *p = xasprintf("%s/%s", path, e->d_name);
		_cleanup_free_ char *host = xasprintf("/%s", e->d_name);
		const char *why = runtime_dir_refused(e->d_name);
		if (why) {
			diag_add(d, loc, "leave it out; write what should change at startup instead",
				 "node '%s': %s cannot be laid over /%s: it %s", n->name, p, e->d_name,
				 why);
		} else if (is_link(p)) {
			/* laid over /NAME, it would bring in whatever it points to */
			snprintf(hint, sizeof(hint),
				 "make %s a directory holding the files (nslab follows no link at the top "
				 "of a node's folder)",
				 p);
			diag_add(d, loc, hint, "node '%s': %s is a symbolic link", n->name, p);
		} else if (!is_dir(p)) {
			snprintf(hint, sizeof(hint),
				 "a node's folder mirrors /: put the file where it goes, e.g. %s/etc/%s",
				 path, e->d_name);
			diag_add(d, loc, hint, "node '%s': %s is not a directory", n->name, p);
		} else if (!runtime_dir_is_private(e->d_name) && !is_dir(host)) {
			snprintf(hint, sizeof(hint),
				 "a node's files lie over the host's directories; put them under one it "
				 "has, e.g. %s/srv or %s/opt",
				 path, path);
			diag_add(d, loc, hint, "node '%s': %s has no counterpart: the host has no %s",
				 n->name, p, host);
		}
	}
	closedir(dir);
}

/* The node's own layers, top first (the last named wins); shared is the
 * shared/ folder (checked once), or NULL. */
static void layers_of(struct topo_lab *lab, struct topo_node *n, const char *shared,
		      struct diag *d)
{
	if (n->files.n && !lab->dir) {
		diag_add(d, &n->files_loc, "give the topology as a file: its folder holds the node's",
			 "'files' needs the topology's folder, and %s has none", lab->file);
		return;
	}
	for (size_t i = n->files.n; i-- > 0;) {
		const char *f = n->files.v[i];
		_cleanup_free_ char *p = f[0] == '/' ? xstrdup(f) : xasprintf("%s/%s", lab->dir, f);
		char hint[512];
		if (!is_dir(p)) {
			snprintf(hint, sizeof(hint),
				 "make the folder %s (it holds the files laid over the node's /, e.g. "
				 "%s/etc/hosts), or fix the name",
				 p, f);
			diag_add(d, &n->files_loc, hint, "node '%s': no folder %s", n->name, p);
			continue;
		}
		char *real = realpath(p, NULL);
		check_layer(n, real, &n->files_loc, d);
		vec_push(&n->layers, real);
	}
	if (!n->files.n && lab->dir) {
		_cleanup_free_ char *own = xasprintf("%s/%s", lab->dir, n->name);
		if (is_dir(own)) {
			check_layer(n, own, &n->loc, d);
			vec_push(&n->layers, realpath(own, NULL));
		}
	}
	if (shared)
		vec_push(&n->layers, xstrdup(shared));
}

static void validate_files(struct topo_lab *lab, struct diag *d)
{
	_cleanup_free_ char *shared = lab->dir ? xasprintf("%s/shared", lab->dir) : NULL;
	_cleanup_free_ char *real = shared && is_dir(shared) ? realpath(shared, NULL) : NULL;

	if (real) {
		/* its errors once, at the first node */
		vec_foreach(np, &lab->nodes) if (!(*np)->is_switch)
		{
			check_layer(*np, real, &(*np)->loc, d);
			break;
		}
	}
	vec_foreach(np, &lab->nodes) if (!(*np)->is_switch) layers_of(lab, *np, real, d);
}

static void print_root(const struct plan *p, const struct step *s, struct sbuf *out)
{
	bool first = true;
	for (const struct step *x = p->steps.v; x < s; x++)
		first &= x->type != s->type;
	runtime_print_root(p->lab, s->node, first, out);
}

static void describe_root(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_adds(out, "make its root (mount and UTS namespaces, its files over the host's)");
}

static int apply_root(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	return runtime_make_root(nl->plan->lab, s->node, nl_nsfd(nl, s->node), err);
}

static const struct step_type step_root = {
	.name = "root",
	.group = STEP_GROUP_RUN,
	.print = print_root,
	.describe = describe_root,
	.apply = apply_root,
};

static void plan_root(struct plan *p, struct topo_node *n)
{
	if (topo_node_has_root(n))
		plan_add(p, &step_root, n, NULL)->loc = n->files.n ? &n->files_loc : &n->loc;
}

static void free_files(struct topo_node *n)
{
	vec_foreach(f, &n->files) free(*f);
	vec_free(&n->files);
	vec_foreach(f, &n->layers) free(*f);
	vec_free(&n->layers);
}

const struct node_key node_key_files = {
	.key = "files",
	.parse = parse_files,
	.validate = validate_files,
	.plan = plan_root,
	.free = free_files,
	.defaults = true,
};
