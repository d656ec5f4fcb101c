// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "host-limits.h"
#include "hosts.h"
#include "plan.h"

static int plan_run(int argc, char **argv)
{
	extern const struct cmd cmd_plan;
	struct topo_lab *lab = NULL;
	struct plan p;
	int r;

	bool host_limits = false;
	const char *host = NULL;
	int opt;

	while ((opt = cmd_getopt(&cmd_plan, argc, argv)) > 0) {
		host_limits |= opt == 'H';
		if (opt == 'o')
			host = optarg;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind != 1)
		return cmd_usage_error(&cmd_plan, argc - optind < 1 ? "no topology file given"
								   : "one topology file at a time");
	r = cmd_load(argv[optind], &lab);
	if (r == 0 && (host || !lab->hosts.n))
		r = cmd_place(&cmd_plan, lab, host);
	if (r) {
		topo_lab_free(lab);
		return r;
	}
	/* a lab split across hosts without --host: every host's part */
	for (size_t h = 0; h < (host || !lab->hosts.n ? 1 : lab->hosts.n); h++) {
		if (!host && lab->hosts.n) {
			char a[IPADDR_STRLEN];
			struct sbuf why = {0};
			(void)hosts_select(lab, lab->hosts.v[h]->name, &why);
			sbuf_free(&why);
			printf("%s# ==== host %s (%s): its part, run there ('nslab plan --host %s') ====\n",
			       h ? "\n" : "", lab->here->name, ipaddr_str(&lab->here->addr, a),
			       lab->here->name);
		}
		plan_build(lab, &p);
		if (host_limits || lab->host_limits) {
			struct sbuf b = {0};
			limits_plan(lab, &b);
			p.preamble = sbuf_steal(&b);
		}
		plan_print(&p, stdout);
		plan_free(&p);
	}
	topo_lab_free(lab);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		err("writing the plan: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

const struct cmd cmd_plan = {
	.name = "plan",
	.args = "[--host NAME] [--host-limits] FILE",
	.summary = "Print the lab as the ip(8), bridge(8) and sysctl(8) commands that build it.",
	.help = "Prints a POSIX shell script (set -e) with one command per step, in the order\n"
		"'nslab up' applies them: namespaces, then the devices in the kind table's\n"
		"order (bridges, veth pairs, dummy, Geneve, gretap, ip6gre, VLANs, VXLAN,\n"
		"VRFs, WireGuard, GRE and the IP tunnels, macvlan, ipvlan), then the ports\n"
		"into their bridges and VRFs with their settings, then, node by node,\n"
		"addresses, sysctls, routes, neighbours and FDB entries. FILE may be '-' for\n"
		"standard input. Run as root on a machine without the lab, the script builds\n"
		"the same lab: a lab is also a lesson in iproute2. Touches nothing itself and\n"
		"needs no privileges.\n\n"
		"For a lab that asks for its host limits ([lab] host-limits = yes, or\n"
		"--host-limits), the script begins with the 'sysctl -w KEY=VALUE' lines that\n"
		"'nslab up' would write on this host now (each with the value it replaces):\n"
		"only the limits below what the lab needs. The script does not restore them.\n\n"
		"A lab split across hosts ([hosts]) is printed host by host, each part\n"
		"under a '# ==== host NAME' line: its nodes, and for each link or switch\n"
		"bridge that reaches another host the 'ip link add ... netns NS type vxlan'\n"
		"that makes its VXLAN device from the host's namespace.\n\n"
		"  --host NAME    only the part of host NAME ('nslab up --host NAME')\n"
		"  --host-limits  as if the lab had [lab] host-limits = yes\n",
	.run = plan_run,
	.longopts = (const struct option[]){{"host", required_argument, NULL, 'o'},
					    {"host-limits", no_argument, NULL, 'H'}, {0}},
};
