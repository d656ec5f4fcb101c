// SPDX-License-Identifier: MIT
/* Every node pings every other node, in parallel, within a time bound. */
#include "access.h"
#include "cmd.h"
#include "interrupt.h"
#include "json.h"
#include "show.h"

#include "probe.h"
#include "sockprobe.h"

extern const struct cmd cmd_pingall;

struct pair {
	const struct show_node *from, *to;
	struct ipaddr addr;
	bool has_addr;
	int result; /* 0 reachable, 1 not, 2 timed out, 3 no address */
};

/* Any address to send from, lo aside? */
static bool has_address(const struct show_node *n)
{
	vec_foreach(i, &n->ifaces) if (!streq(i->name, "lo") && i->addrs.n) return true;
	return false;
}

static int pingall_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL;
	double timeout = 30;
	bool json = false;
	struct show_lab s;
	uint32_t t;
	int r, opt;

	while ((opt = cmd_getopt(&cmd_pingall, argc, argv)) > 0) {
		if (opt == 'j')
			json = true;
		else if (parse_u32(optarg, 1, 3600, &t) < 0)
			return cmd_usage_error(&cmd_pingall, "--timeout takes 1 to 3600 seconds");
		else
			timeout = t;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1 || streq(argv[optind - 1], "--"))
		return cmd_usage_error(&cmd_pingall, "at most a lab name");
	r = cmd_pick_lab(&cmd_pingall, optind < argc ? argv[optind] : NULL, &lab);
	if (r)
		return r;
	if (show_read(lab, NULL, 0, &s) < 0) {
		err("pingall: lab '%s' is not up", lab);
		return EXIT_FAIL;
	}
	VEC(const struct show_node *) nodes = {0};
	vec_foreach(n, &s.nodes) if (!streq(n->name, "(switch)")) vec_push(&nodes, n);
	size_t n = nodes.n, np = n * (n ? n - 1 : 0), k = 0, ok = 0;
	struct pair *pairs = xcalloc(np ? np : 1, sizeof(*pairs));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			if (i == j)
				continue;
			struct pair *p = &pairs[k++];
			p->from = nodes.v[i];
			p->to = nodes.v[j];
			/* '?' when either end has no address: nothing to send */
			p->has_addr = has_address(p->from) &&
				      access_pick(p->from, p->to, NULL, &p->addr) == 0;
			p->result = 3;
		}
	/* echo requests from sockets in the nodes, all at once: a request
	 * every 0.2 s until the first reply, 3 s at most (sockprobe.h) */
	struct sockprobe *probes = xcalloc(np ? np : 1, sizeof(*probes));
	size_t nprobes = 0;
	for (size_t i = 0; i < np; i++) {
		struct pair *p = &pairs[i];
		if (p->has_addr)
			probes[nprobes++] = (struct sockprobe){.kind = SOCKPROBE_ECHO,
							       .netns = p->from->netns,
							       .dst = p->addr,
							       .wait_ms = 3000};
	}
	double t0 = probe_now();
	interrupt_catch();
	sockprobe_run_all(probes, nprobes, timeout);
	double took = probe_now() - t0;
	for (size_t i = 0, k2 = 0; i < np; i++) {
		if (!pairs[i].has_addr)
			continue;
		int st = probes[k2].status;
		pairs[i].result = st == 0 ? 0 : st == -1 || st == -3 ? 2 : 1;
		sockprobe_free(&probes[k2++]);
	}
	free(probes);
	for (size_t i = 0; i < np; i++)
		ok += pairs[i].result == 0;

	if (json) {
		static const char *const res[] = {"reachable", "unreachable", "timeout", "no address"};
		struct json j = {.f = stdout};
		char buf[IPADDR_STRLEN];
		json_begin_object(&j, NULL);
		json_str(&j, "lab", lab);
		json_uint(&j, "reachable", ok);
		json_uint(&j, "pairs", np);
		json_begin_array(&j, "results");
		for (size_t i = 0; i < np; i++) {
			json_begin_object(&j, NULL);
			json_str(&j, "from", pairs[i].from->name);
			json_str(&j, "to", pairs[i].to->name);
			json_str(&j, "address", pairs[i].has_addr ? ipaddr_str(&pairs[i].addr, buf) : NULL);
			json_str(&j, "result", res[pairs[i].result]);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		putchar('\n');
	} else {
		/* rows: from; columns: to, their names written downwards above
		 * them. '.' reachable, 'X' not, 'T' timed out, '?' no address */
		size_t w = 8, h = 0;
		vec_foreach(x, &nodes) {
			w = strlen((*x)->name) > w ? strlen((*x)->name) : w;
			h = strlen((*x)->name) > h ? strlen((*x)->name) : h;
		}
		for (size_t row = 0; row < h; row++) {
			printf("%-*s ", (int)w, row + 1 == h ? "from\\to" : "");
			for (size_t j = 0; j < n; j++)
				putchar(row < strlen(nodes.v[j]->name) ? nodes.v[j]->name[row] : ' ');
			putchar('\n');
		}
		k = 0;
		for (size_t i = 0; i < n; i++) {
			printf("%-*s ", (int)w, nodes.v[i]->name);
			for (size_t j = 0; j < n; j++)
				putchar(i == j ? '-' : ".XT?"[pairs[k++].result]);
			putchar('\n');
		}
		printf("%zu/%zu pairs reachable in %.2f s ('.' yes, 'X' no, 'T' timeout, '?' an end has no "
		       "address)\n",
		       ok, np, took);
		if (interrupt_signal())
			printf("interrupted by %s: the pairs still running count as 'T'\n",
			       interrupt_name(interrupt_signal()));
	}
	free(pairs);
	vec_free(&nodes);
	show_free(&s);
	if (interrupt_signal())
		return 128 + interrupt_signal();
	return ok == np ? 0 : EXIT_FAIL;
}

const struct cmd cmd_pingall = {
	.name = "pingall",
	.args = "[--json] [--timeout SECONDS] [LAB]",
	.summary = "Ping every node from every node; exit 0 only if all reach each other.",
	.help = "Each node pings each other node (its address as 'nslab ping' picks it): an\n"
		"echo request every 0.2 s until the first reply, 3 s at most, as 'ping -c 1\n"
		"-i 0.2 -w 3' would, but from sockets nslab opens in the nodes, all pairs at once\n"
		"and no process per pair; all within --timeout seconds (default 30): what is\n"
		"still waiting then counts as a timeout. Prints a matrix, rows pinging columns, the column\n"
		"nodes' names written downwards above their columns: '.' reachable, 'X' not,\n"
		"'T' timed out, '?' one end has no address to ping from or to.\n\n"
		"  --timeout SECONDS   bound on the whole run (default 30)\n"
		"  -j, --json          one result per pair\n",
	.run = pingall_run,
	.shortopts = "j",
	.longopts = (const struct option[]){{"json", no_argument, NULL, 'j'},
					    {"timeout", required_argument, NULL, 't'},
					    {0}},
	.needs_root = true,
};
