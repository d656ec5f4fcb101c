// SPDX-License-Identifier: MIT
#include "cmd.h"
#include "json.h"
#include "lab.h"
#include "runtime.h"
#include "show.h"

/* One node's nftables ruleset, when nft is installed: NULL when it has
 * none (or nft is missing). */
static char *ruleset_of(const char *lab, const char *node)
{
	char *const argv[] = {"nft", "list", "ruleset", NULL};
	struct sbuf why = {0};
	char *out = NULL;
	int r = runtime_find_program("nft", &(struct topo_node){0})
			? runtime_capture(lab, node, argv, 5000, &out, &why)
			: -ENOENT;

	sbuf_free(&why);
	if (r != 0 || !out || !*out) {
		free(out);
		return NULL;
	}
	return out;
}

static void print_text(const struct show_lab *s, const char *ruleset)
{
	vec_foreach(n, &s->nodes)
	{
		printf("%s %s  (netns %s)\n", streq(n->name, "(switch)") ? "switch" : "node",
		       streq(n->name, "(switch)") ? "" : n->name, n->netns);
		vec_foreach(i, &n->ifaces)
		{
			if (i->ifindex == 1 && !i->addrs.n)
				continue; /* lo: always up, only interesting with addresses */
			printf("  %-15s %-8s %-5s mtu %-5u %s", i->name, i->kind,
			       !i->up ? "DOWN" : i->carrier ? "UP" : "NO-CARRIER", i->mtu, i->mac);
			if (i->master[0])
				printf("  master %s", i->master);
			if (i->peer[0])
				printf("  peer %s", i->peer);
			if (impair_active(&i->impair)) {
				struct sbuf b = {0};
				impair_format(&i->impair, &b);
				printf("  %s", b.s);
				sbuf_free(&b);
			}
			putchar('\n');
			vec_foreach(a, &i->addrs) printf("  %-15s %s\n", "", *a);
			/* its kind's settings ("vni 1", "vlan_filtering yes",
			 * "port-hairpin on"), on one line */
			if (i->attrs.n) {
				printf("  %-15s", "");
				vec_foreach(a, &i->attrs) printf(" %s%s", *a, a + 1 < i->attrs.v + i->attrs.n ? ";" : "");
				putchar('\n');
			}
		}
		if (n->routes.n) {
			printf("  routes:\n");
			vec_foreach(r, &n->routes) printf("    %s\n", *r);
		}
	}
	if (ruleset) {
		printf("  nftables ruleset:\n");
		for (const char *l = ruleset, *e; *l; l = *e ? e + 1 : e) {
			e = strchrnul(l, '\n');
			printf("    %.*s\n", (int)(e - l), l);
		}
	}
}

/* "impair": {"delay_us": 20000, "loss_percent": 1, "rate_bit": 10000000,
 * ...} with the settings in force, or null. */
static void json_impair(struct json *j, const struct impair *imp)
{
	const struct {
		const char *key;
		uint32_t ppm;
	} p[] = {{"loss_percent", imp->loss},
		 {"duplicate_percent", imp->duplicate},
		 {"corrupt_percent", imp->corrupt},
		 {"reorder_percent", imp->reorder}};

	if (!impair_active(imp)) {
		json_str(j, "impair", NULL);
		return;
	}
	json_begin_object(j, "impair");
	if (imp->delay_us)
		json_uint(j, "delay_us", imp->delay_us);
	if (imp->jitter_us)
		json_uint(j, "jitter_us", imp->jitter_us);
	for (size_t k = 0; k < ARRAY_SIZE(p); k++)
		if (p[k].ppm)
			json_double(j, p[k].key, p[k].ppm / (double)(IMPAIR_PPM / 100));
	if (imp->rate)
		json_uint(j, "rate_bit", imp->rate);
	if (impair_needs_netem(imp))
		json_uint(j, "limit", imp->limit);
	json_end_object(j);
}

static void print_json(const struct show_lab *s, const char *ruleset)
{
	struct json j = {.f = stdout};

	json_begin_object(&j, NULL);
	json_str(&j, "lab", s->name);
	json_begin_array(&j, "nodes");
	vec_foreach(n, &s->nodes)
	{
		json_begin_object(&j, NULL);
		json_str(&j, "name", n->name);
		json_str(&j, "netns", n->netns);
		json_begin_array(&j, "interfaces");
		vec_foreach(i, &n->ifaces)
		{
			json_begin_object(&j, NULL);
			json_str(&j, "name", i->name);
			json_str(&j, "kind", i->kind);
			json_uint(&j, "ifindex", i->ifindex);
			json_bool(&j, "up", i->up);
			json_bool(&j, "carrier", i->carrier);
			json_uint(&j, "mtu", i->mtu);
			json_str(&j, "mac", i->mac[0] ? i->mac : NULL);
			json_str(&j, "master", i->master[0] ? i->master : NULL);
			json_str(&j, "peer", i->peer[0] ? i->peer : NULL);
			json_impair(&j, &i->impair);
			json_begin_array(&j, "settings");
			vec_foreach(a, &i->attrs) json_str(&j, NULL, *a);
			json_end_array(&j);
			json_begin_array(&j, "addresses");
			vec_foreach(a, &i->addrs) json_str(&j, NULL, *a);
			json_end_array(&j);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_begin_array(&j, "routes");
		vec_foreach(r, &n->routes) json_str(&j, NULL, *r);
		json_end_array(&j);
		if (s->nodes.n == 1)
			json_str(&j, "ruleset", ruleset);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	putchar('\n');
}

static int show_run(int argc, char **argv)
{
	extern const struct cmd cmd_show;
	bool json = false;
	struct show_lab s;
	int opt;

	while ((opt = cmd_getopt(&cmd_show, argc, argv)) > 0)
		json |= opt == 'j';
	if (opt < 0)
		return EXIT_USAGE;
	int nargs = argc - optind;
	if (nargs > 2)
		return cmd_usage_error(&cmd_show, "unexpected '%s'", argv[optind + 2]);
	const char *args[2] = {nargs ? argv[optind] : NULL, nargs > 1 ? argv[optind + 1] : NULL};
	_cleanup_free_ char *picked = NULL;
	int r = cmd_pick_lab(&cmd_show, args[0], &picked);
	if (r)
		return r;
	args[0] = picked;
	r = show_read(args[0], args[1], SHOW_PEERS | SHOW_ATTRS, &s);
	if (r == -ENOENT) {
		err("show: lab '%s' is not up ('nslab ls' lists the labs)", args[0]);
		return EXIT_FAIL;
	}
	if (r == -ESRCH) {
		/* the message every command gives; or: on record, namespace gone */
		if (!cmd_check_node(&cmd_show, args[0], args[1]))
			err("show: node '%s' of lab '%s' has no namespace", args[1], args[0]);
		return EXIT_FAIL;
	}
	/* one node: its firewall too (nft runs in it, so only when asked) */
	_cleanup_free_ char *ruleset = args[1] ? ruleset_of(args[0], args[1]) : NULL;
	if (json)
		print_json(&s, ruleset);
	else
		print_text(&s, ruleset);
	show_free(&s);
	return 0;
}

const struct cmd cmd_show = {
	.name = "show",
	.args = "[--json] [LAB [NODE]]",
	.summary = "Show a running lab as the kernel has it: interfaces, peers, addresses, routes.",
	.help = "Reads every namespace of the lab (or one NODE) over netlink, never the\n"
		"topology file: for each node, and for the switch namespace, its interfaces\n"
		"with their kind, state (UP, DOWN, NO-CARRIER), MTU, MAC address, bridge\n"
		"(master) and, for a veth, the peer at its other end as NODE:IF; their\n"
		"addresses; and the node's routes. With NODE, also the node's nftables\n"
		"ruleset ('nft list ruleset' in it), when it has one. LAB may be left out\n"
		"while exactly one lab is up. Needs root.\n\n"
		"  -j, --json   the same as one JSON object\n",
	.run = show_run,
	.shortopts = "j",
	.longopts = (const struct option[]){{"json", no_argument, NULL, 'j'}, {0}},
	.needs_root = true,
};
