// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "gen.h"

extern const struct cmd cmd_gen;

static int gen_run(int argc, char **argv)
{
	const char *shape = NULL, *name = NULL, *out = NULL, *model = "flannel-vxlan";
	uint32_t nodes = 0, pods = 2, mtu = 0;
	bool have_nodes = false;
	int opt;

	while ((opt = cmd_getopt(&cmd_gen, argc, argv)) > 0) {
		const char *v = optarg;
		if (opt == 'n') {
			if (parse_u32(v, 1, GEN_NODES_MAX, &nodes) < 0)
				return cmd_usage_error(&cmd_gen, "--nodes takes 1 to %d", GEN_NODES_MAX);
			have_nodes = true;
		} else if (opt == 'p') {
			if (parse_u32(v, 1, GEN_K8S_PODS_MAX, &pods) < 0)
				return cmd_usage_error(&cmd_gen, "--pods takes 1 to %d", GEN_K8S_PODS_MAX);
		} else if (opt == 'm') {
			model = v;
		} else if (opt == 'M') {
			if (parse_u32(v, 68, 65535, &mtu) < 0)
				return cmd_usage_error(&cmd_gen, "--mtu takes 68 to 65535");
		} else if (opt == 'N') {
			if (topo_name_error(v, TOPO_LAB_NAME_MAX))
				return cmd_usage_error(&cmd_gen, "lab name '%s' %s", v,
						       topo_name_error(v, TOPO_LAB_NAME_MAX));
			name = v;
		} else if (opt == 'o') {
			out = v;
		}
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_gen, "unexpected '%s'", argv[optind + 1]);
	shape = optind < argc ? argv[optind] : NULL;
	if (!shape)
		return cmd_usage_error(&cmd_gen, "which topology: k8s, star or linear");
	if (!have_nodes)
		return cmd_usage_error(&cmd_gen, "give --nodes N");
	_cleanup_free_ char *text = NULL;
	if (streq(shape, "k8s")) {
		enum gen_model m = gen_model_from_string(model);
		if (m < 0)
			return cmd_usage_error(&cmd_gen, "--model is flannel-vxlan, host-gw or calico-routed");
		if (nodes > GEN_K8S_NODES_MAX)
			return cmd_usage_error(&cmd_gen, "k8s takes up to %d nodes", GEN_K8S_NODES_MAX);
		text = gen_k8s(m, nodes, pods, name, mtu);
	} else if (streq(shape, "star")) {
		text = gen_star(nodes, name);
	} else if (streq(shape, "linear")) {
		text = gen_linear(nodes, name);
	} else {
		return cmd_usage_error(&cmd_gen, "no topology '%s': k8s, star or linear", shape);
	}
	FILE *f = out ? fopen(out, "we") : stdout;
	if (!f) {
		err("gen: %s: %s", out, strerror(errno));
		return EXIT_FAIL;
	}
	fputs(text, f);
	if ((out ? fclose(f) : fflush(f)) != 0) {
		err("gen: write: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

const struct cmd cmd_gen = {
	.name = "gen",
	.args = "k8s|star|linear --nodes N [--pods M] [--model MODEL] [--mtu N] [--name LAB] [-o FILE]",
	.summary = "Write a generated topology: Kubernetes models, or benchmark shapes.",
	.help = "  k8s      N Kubernetes nodes (up to 200), M pods each (up to 50, default 2);\n"
		"           --model flannel-vxlan (default), host-gw or calico-routed;\n"
		"           --mtu N: the pods' MTU (flannel-vxlan: 1450, as FLANNEL_MTU); the\n"
		"           Kubernetes rules are its expectations; see docs/kubernetes.md\n"
		"  star     N hosts on one switch (up to 10000; past 250, leaf switches of 250\n"
		"           under a core bridge, as a Linux bridge takes at most 1023 ports)\n"
		"  linear   N nodes in a chain, a /30 on each link (up to 10000)\n"
		"star and linear are for benchmarks. Writes to standard output, or FILE with\n"
		"-o. The lab name defaults to the shape (k8s-MODEL, star, linear); --name sets\n"
		"it.\n",
	.run = gen_run,
	.shortopts = "o:",
	.longopts = (const struct option[]){{"nodes", required_argument, NULL, 'n'},
					    {"pods", required_argument, NULL, 'p'},
					    {"model", required_argument, NULL, 'm'},
					    {"mtu", required_argument, NULL, 'M'},
					    {"name", required_argument, NULL, 'N'},
					    {0}},
};
