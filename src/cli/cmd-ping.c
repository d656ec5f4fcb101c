// SPDX-License-Identifier: MIT
/* nslab ping and nslab tracepath: the real iputils tools, run inside A. */
#include "access.h"
#include "runtime.h"
#include "check.h"
#include "cmd.h"
#include "plan.h"

extern const struct cmd cmd_ping, cmd_tracepath;

static int probe_run(const struct cmd *c, int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL;
	struct sbuf why = {0};
	struct ipaddr to;
	char addr[IPADDR_STRLEN];
	int dash = cmd_dashdash(argc, argv), r;

	if (cmd_getopt(c, dash, argv) < 0)
		return EXIT_USAGE;
	struct {
		char **pos, **rest;
		int npos, nrest;
	} a = {argv + optind, dash < argc ? argv + dash + 1 : NULL, dash - optind,
	       dash < argc ? argc - dash - 1 : 0};
	if (a.npos == 2 && cmd_is_lab(a.pos[0]))
		return cmd_usage_error(
		    c, "lab '%s' is named, and node '%s'; name the target too: %s %s %s B",
		    a.pos[0], a.pos[1], c->name, a.pos[0], a.pos[1]);
	if (a.npos == 1 && cmd_is_lab(a.pos[0]))
		return cmd_usage_error(c, "lab '%s' is named; name the two ends too: %s %s A B",
				       a.pos[0], c->name, a.pos[0]);
	if (a.npos < 2 || a.npos > 3)
		return cmd_usage_error(c, "name the two ends: %s [LAB] A B", c->name);
	r = cmd_pick_lab(c, a.npos == 3 ? a.pos[0] : NULL, &lab);
	if (r)
		return r;
	const char *from = a.pos[a.npos - 2], *target = a.pos[a.npos - 1];
	if ((r = cmd_check_node(c, lab, from)))
		return r;
	/* B: an address, NODE:IF or NODE */
	struct ipaddr probe_ip;
	bool elsewhere = false;
	if (ipaddr_parse_host(target, &probe_ip) < 0) {
		_cleanup_free_ char *tnode = xstrndup(target, strcspn(target, ":"));
		/* a node on another host of a lab split across hosts: its
		 * address from the topology */
		elsewhere = check_elsewhere(lab, target, &to) == 0;
		if (!elsewhere && (r = cmd_check_node(c, lab, tnode)))
			return r;
	}
	r = elsewhere ? 0 : access_target(lab, from, target, &to, &why);
	if (r < 0) {
		err("%s: %s", c->name, why.s);
		sbuf_free(&why);
		return EXIT_FAIL;
	}
	ipaddr_str(&to, addr);
	_cleanup_free_ char *ns = topo_netns_name(lab, from);
	int entered = runtime_enter(lab, from, &why);
	if (entered < 0) {
		err("%s: %s", c->name, why.s);
		return EXIT_FAIL;
	}
	if (entered > 0)
		err("%s: warning: %s", c->name, why.s);
	/* argv: the tool, our defaults unless the user gave options, the target */
	char **args = xcalloc((size_t)a.nrest + 8, sizeof(*args));
	int n = 0;
	args[n++] = (char *)c->name;
	if (c == &cmd_tracepath)
		args[n++] = "-n";
	if (c == &cmd_ping && !a.nrest) {
		/* bounded by default, as CI wants; '-- OPTIONS' replaces these */
		args[n++] = "-c";
		args[n++] = "3";
		args[n++] = "-i";
		args[n++] = "0.2";
		args[n++] = "-W";
		args[n++] = "2";
	}
	for (int i = 0; i < a.nrest; i++)
		args[n++] = a.rest[i];
	args[n++] = addr;
	fprintf(stderr, "nslab: %s from %s to %s (%s)\n", c->name, from, target, addr);
	execvp(args[0], args);
	err("%s: %s (install iputils-%s)", c->name, strerror(errno), c->name);
	return 127;
}

static int ping_run(int argc, char **argv)
{
	return probe_run(&cmd_ping, argc, argv);
}

static int tracepath_run(int argc, char **argv)
{
	return probe_run(&cmd_tracepath, argc, argv);
}

const struct cmd cmd_ping = {
    .name = "ping",
    .args = "[LAB] A B [-- PING-OPTIONS]",
    .summary = "Ping node B (or B:IF, or an address) from node A.",
    .help = "Runs iputils ping inside A. B is a node (its address on a subnet A shares,\n"
	    "else its first address, IPv4 first), NODE:IF, or an address. Without options\n"
	    "it sends 3 pings ('-c 3 -i 0.2 -W 2'); the exit status is ping's.\n",
    .run = ping_run,
    .needs_root = true,
};

const struct cmd cmd_tracepath = {
    .name = "tracepath",
    .args = "[LAB] A B [-- TRACEPATH-OPTIONS]",
    .summary = "Trace the path from node A to node B (or B:IF, or an address).",
    .help = "Runs iputils 'tracepath -n' inside A; B as for 'nslab ping'.\n",
    .run = tracepath_run,
    .needs_root = true,
};
