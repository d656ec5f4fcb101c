// SPDX-License-Identifier: MIT
/* nslab explain: the path of a packet, from each node's kernel (explain.h). */
#include "cmd.h"
#include "explain.h"
#include "json.h"
#include "lab.h"
#include "runtime.h"

#include <netinet/in.h>

extern const struct cmd cmd_explain;

enum { OPT_PROTO = 256, OPT_PORT, OPT_JSON, OPT_PROBE };

static const struct option explain_longopts[] = {
	{"proto", required_argument, NULL, OPT_PROTO},
	{"port", required_argument, NULL, OPT_PORT},
	{"json", no_argument, NULL, OPT_JSON},
	{"probe", no_argument, NULL, OPT_PROBE},
	{0},
};

static void print_path(const char *title, const struct explain_path *p)
{
	char b1[IPADDR_STRLEN], b2[IPADDR_STRLEN];

	printf("%s %s -> %s (%s -> %s)\n", title, p->from, p->to ? p->to : ipaddr_str(&p->dst, b2),
	       p->src.family ? ipaddr_str(&p->src, b1) : "?", ipaddr_str(&p->dst, b2));
	vec_foreach(s, &p->steps)
	{
		printf("  %*s%-10s %-8s %s\n", (int)s->depth * 2, "", s->node, explain_what_to_string(s->what),
		       s->text);
	}
	if (p->reached)
		printf("  reaches %s\n", p->reached_node);
	else {
		printf("  stops in %s: %s\n", p->drop_node ? p->drop_node : "?", p->reason ? p->reason : "?");
		if (p->fix)
			printf("  fix: %s\n", p->fix);
	}
}

static void json_path(struct json *j, const char *key, const struct explain_path *p)
{
	char b[IPADDR_STRLEN];

	json_begin_object(j, key);
	json_str(j, "from", p->from);
	json_str(j, "to", p->to);
	json_str(j, "src", p->src.family ? ipaddr_str(&p->src, b) : NULL);
	json_str(j, "dst", ipaddr_str(&p->dst, b));
	json_begin_array(j, "steps");
	vec_foreach(s, &p->steps)
	{
		json_begin_object(j, NULL);
		json_str(j, "node", s->node);
		json_str(j, "what", explain_what_to_string(s->what));
		json_uint(j, "depth", s->depth);
		json_str(j, "text", s->text);
		json_end_object(j);
	}
	json_end_array(j);
	json_bool(j, "reached", p->reached);
	json_str(j, "reached_node", p->reached_node);
	json_str(j, "drop_node", p->drop_node);
	json_str(j, "reason", p->reason);
	json_str(j, "fix", p->fix);
	json_end_object(j);
}

/* --probe: a real ping from A; 1 when it got an answer, 0 when not, -1
 * when it could not run. */
static int probe(const char *lab, const char *from, const struct ipaddr *dst)
{
	char addr[IPADDR_STRLEN];
	_cleanup_free_ char *node = xstrndup(from, strcspn(from, ":"));
	char *argv[] = {"ping", dst->family == AF_INET6 ? "-6" : "-4", "-c", "1", "-W", "2", "-n",
			(char *)ipaddr_str(dst, addr), NULL};
	struct sbuf why = {0};
	_cleanup_free_ char *out = NULL;
	int r = runtime_capture(lab, node, argv, 5000, &out, &why);

	sbuf_free(&why);
	return r < 0 ? -1 : r == 0;
}

static int explain_cmd(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL;
	struct explain_opts o = {0};
	bool json = false, want_probe = false;
	struct explain_result res;
	struct sbuf why = {0};
	int opt, r;
	uint32_t port;

	while ((opt = cmd_getopt(&cmd_explain, argc, argv)) > 0) {
		switch (opt) {
		case '4':
			o.family = AF_INET;
			break;
		case '6':
			o.family = AF_INET6;
			break;
		case OPT_PROTO:
			if (streq(optarg, "icmp"))
				o.proto = 0;
			else if (streq(optarg, "tcp"))
				o.proto = IPPROTO_TCP;
			else if (streq(optarg, "udp"))
				o.proto = IPPROTO_UDP;
			else
				return cmd_usage_error(&cmd_explain, "--proto '%s': write icmp, tcp or udp", optarg);
			break;
		case OPT_PORT:
			if (parse_u32(optarg, 1, 65535, &port) < 0)
				return cmd_usage_error(&cmd_explain, "--port '%s': write a port, 1 to 65535", optarg);
			o.port = (uint16_t)port;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PROBE:
			want_probe = true;
			break;
		}
	}
	if (opt < 0)
		return EXIT_USAGE;
	int npos = argc - optind;
	char **pos = argv + optind;
	if (npos == 2 && cmd_is_lab(pos[0]))
		return cmd_usage_error(&cmd_explain, "lab '%s' is named, and node '%s'; name B too: explain %s %s B",
				       pos[0], pos[1], pos[0], pos[1]);
	if (npos < 2 || npos > 3)
		return cmd_usage_error(&cmd_explain, "name the two ends: explain [LAB] A B");
	if (o.port && !o.proto)
		return cmd_usage_error(&cmd_explain, "--port %u needs --proto tcp or udp", o.port);
	if (o.proto && !o.port)
		return cmd_usage_error(&cmd_explain, "--proto %s needs --port N", o.proto == IPPROTO_TCP ? "tcp" : "udp");
	r = cmd_pick_lab(&cmd_explain, npos == 3 ? pos[0] : NULL, &lab);
	if (r)
		return r;
	const char *from = pos[npos - 2], *to = pos[npos - 1];
	_cleanup_free_ char *fnode = xstrndup(from, strcspn(from, ":"));
	if ((r = cmd_check_node(&cmd_explain, lab, fnode)))
		return r;
	r = explain_run(lab, from, to, &o, &res, &why);
	if (r < 0) {
		err("explain: %s", why.s ? why.s : strerror(-r));
		sbuf_free(&why);
		return EXIT_FAIL;
	}
	bool ok = res.fwd.reached && (!res.has_back || res.back.reached);
	int probed = want_probe ? probe(lab, from, &res.fwd.dst) : -1;
	if (json) {
		struct json j = {.f = stdout};
		json_begin_object(&j, NULL);
		json_str(&j, "lab", lab);
		json_path(&j, "path", &res.fwd);
		if (res.has_back)
			json_path(&j, "reply", &res.back);
		else
			json_str(&j, "reply", NULL);
		json_bool(&j, "reaches", ok);
		if (want_probe) {
			json_begin_object(&j, "probe");
			json_str(&j, "tool", "ping");
			if (probed >= 0)
				json_bool(&j, "answered", probed == 1);
			else
				json_str(&j, "answered", NULL);
			json_bool(&j, "agrees", probed < 0 || (probed == 1) == ok);
			json_end_object(&j);
		}
		json_end_object(&j);
		putchar('\n');
	} else {
		print_path("path", &res.fwd);
		if (res.has_back)
			print_path("reply", &res.back);
		if (want_probe) {
			if (probed < 0)
				printf("probe: ping could not run in %s\n", fnode);
			else if ((probed == 1) == ok)
				printf("probe: ping %s, as explained\n", probed ? "got an answer" : "got no answer");
			else
				printf("probe: ping %s, but the explanation says it %s: the kernel knows something "
				       "this does not read (a firewall rule it could not evaluate, a qdisc that "
				       "drops, a process)\n",
				       probed ? "got an answer" : "got no answer", ok ? "should" : "should not");
		}
	}
	if (want_probe && probed >= 0 && (probed == 1) != ok)
		r = EXIT_FAIL;
	else
		r = ok ? 0 : EXIT_FAIL;
	explain_result_free(&res);
	return r;
}

const struct cmd cmd_explain = {
	.name = "explain",
	.args = "[LAB] A B [--proto icmp|tcp|udp --port N] [-4|-6] [--json] [--probe]",
	.summary = "Explain the path a packet takes from A to B, hop by hop, and where it stops.",
	.help = "A is a node (or NODE:IF, to send from that interface's address); B a node,\n"
		"NODE:IF or an address. Each node's kernel on the way, and no other, is asked\n"
		"over netlink what it would do: the route lookup (the answer 'ip route get'\n"
		"gives, with the interface the packet came in by, so policy rules, forwarding\n"
		"and rp_filter are the kernel's own decisions), the neighbour entry of the\n"
		"next hop ('would ARP for 10.0.1.1 on eth0; no entry yet'), the FDB of each\n"
		"bridge it crosses (a port, or a flood and the port that leads on), the\n"
		"tunnels it enters (VXLAN with its VNI, port and FDB entry, GRE...) with\n"
		"their outer addresses and the underlay path indented, and the node's\n"
		"nftables filter chains, read over nfnetlink and run on the packet (a\n"
		"stateful rule sees the reply as established).\n\n"
		"It ends with 'reaches B' or the first reason it stops, and the fix: no route\n"
		"(\"Network is unreachable\"), forwarding off, rp_filter, an interface down or\n"
		"without carrier, lo down, a gateway nobody answers for, TTL, a route of type\n"
		"unreachable, prohibit or blackhole, a firewall rule (its handle). The reply\n"
		"is traced back the same way. A rule it cannot evaluate (a set lookup) is\n"
		"named in a note, never taken for an accept. See docs/explain.md.\n\n"
		"  --proto, --port  what the firewall and policy rules see (default: icmp echo)\n"
		"  -4, -6           the address family when B is a node (default: IPv4 first)\n"
		"  --json           the same as JSON\n"
		"  --probe          also send a real ping, and say when it disagrees (then the\n"
		"                   exit status is 1)\n\n"
		"Exit status: 0 when it reaches B and the reply reaches A, 1 when not.\n",
	.run = explain_cmd,
	.needs_root = true,
	.shortopts = "46",
	.longopts = explain_longopts,
};
