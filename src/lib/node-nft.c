// SPDX-License-Identifier: MIT
/* [node] key 'nft': nft = FILE, an nftables ruleset (nft -f syntax) loaded
 * into the node's network namespace in one transaction, after its root is
 * made and before its startup lines. Debian's nft does the loading. */
#include "node-key.h"
#include "nl.h"
#include "runtime.h"

#include <fcntl.h>

static int parse_nft(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	char *w[2];

	if (split_words(value, w, 2) != 1) {
		diag_add(d, loc, "write 'nft = FILE', a ruleset beside the topology, e.g. 'nft = gw.nft'",
			 "'nft' takes one file");
		return -EINVAL;
	}
	free(n->nft);
	n->nft = xstrdup(w[0]);
	n->nft_loc = *loc;
	return 0;
}

static void validate_nft(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes)
	{
		struct topo_node *n = *np;
		if (!n->nft)
			continue;
		if (n->nft[0] != '/' && !lab->dir) {
			diag_add(d, &n->nft_loc, "give the topology as a file, or an absolute path",
				 "'nft = %s' is relative to the topology's folder, and %s has none", n->nft,
				 lab->file);
			continue;
		}
		char *p = n->nft[0] == '/' ? xstrdup(n->nft) : xasprintf("%s/%s", lab->dir, n->nft);
		if (access(p, R_OK) < 0)
			diag_add(d, &n->nft_loc, "write the ruleset there ('nft list ruleset' prints one)",
				 "node '%s': cannot read ruleset %s: %s", n->name, p, strerror(errno));
		else if (!runtime_find_program("nft", n))
			diag_add(d, &n->nft_loc, "install Debian's nftables: apt-get install nftables",
				 "node '%s': 'nft = %s' needs the program nft, which is not installed",
				 n->name, n->nft);
		free(n->nft);
		n->nft = p;
	}
}

static void print_nft(const struct plan *p, const struct step *s, struct sbuf *out)
{
	_cleanup_free_ char *rel = topo_rel_path(p->lab, s->node->nft);
	sbuf_addf(out, "ip netns exec %s nft -f ", s->node->netns);
	sbuf_add_shword(out, rel);
	sbuf_adds(out, "\n");
}

static void describe_nft(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "load ruleset %s", s->node->nft);
}

static int apply_nft(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_node *n = s->node;
	const char *lab = nl->plan->lab->name;
	/* by descriptor: the node's own /tmp may hide the path */
	_cleanup_close_ int in = open(n->nft, O_RDONLY | O_CLOEXEC);
	char *const argv[] = {"nft", "-f", "/dev/stdin", NULL};

	if (in < 0) {
		sbuf_addf(err, "open %s: %s", n->nft, strerror(errno));
		return -errno;
	}
	_cleanup_free_ char *what = xasprintf("nft -f %s", n->nft);
	return runtime_run_step(lab, n->name, argv, in, 30000, what, err);
}

static const struct step_type step_nft = {
	.name = "nft",
	.group = STEP_GROUP_RUN,
	.print = print_nft,
	.describe = describe_nft,
	.apply = apply_nft,
};

static void plan_nft(struct plan *p, struct topo_node *n)
{
	if (n->nft)
		plan_add(p, &step_nft, n, NULL)->loc = &n->nft_loc;
}

static void free_nft(struct topo_node *n)
{
	free(n->nft);
}

const struct node_key node_key_nft = {
	.key = "nft",
	.parse = parse_nft,
	.validate = validate_nft,
	.plan = plan_nft,
	.free = free_nft,
	.defaults = true,
};
