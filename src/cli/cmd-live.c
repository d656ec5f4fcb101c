// SPDX-License-Identifier: MIT
/* nslab link and nslab impair: changes to a running lab (live.h). */
#include "cmd.h"
#include "lab.h"
#include "live.h"

#include <signal.h>

extern const struct cmd cmd_link, cmd_impair;

/* [LAB] NODE:IF at argv[*i]: the lab (given or the only one up), node and
 * interface. Returns 0 or an exit status, after saying why. */
static int pick_end(const struct cmd *c, int argc, char **argv, int *i, char **lab, char **node,
		    const char **ifname)
{
	const char *given = NULL;

	if (*i < argc && !strchr(argv[*i], ':') && *i + 1 < argc)
		given = argv[(*i)++];
	const char *spec = *i < argc ? argv[*i] : NULL, *colon = spec ? strchr(spec, ':') : NULL;
	if (!colon || colon == spec || !colon[1])
		return cmd_usage_error(c, "name the interface as NODE:IF (%s): %s %s", spec ? spec : "none given",
				       c->name, c->args);
	(*i)++;
	int r = cmd_pick_lab(c, given, lab);
	if (r)
		return r;
	*node = xstrndup(spec, (size_t)(colon - spec));
	*ifname = colon + 1;
	if (lab_privilege_error()) {
		err("%s: %s", c->name, lab_privilege_error());
		return EXIT_FAIL;
	}
	return cmd_check_node(c, *lab, *node);
}

/* The change is made whole or not at all: signals wait until it is. */
static void hold_signals(bool hold)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

static int link_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL, *node = NULL;
	const char *ifname;
	bool one_end = false;
	struct live_link_result res;
	struct sbuf why = {0};
	int opt, r;

	while ((opt = cmd_getopt(&cmd_link, argc, argv)) > 0)
		one_end = true;
	if (opt < 0)
		return EXIT_USAGE;
	int i = optind;
	if (argc - i < 2)
		return cmd_usage_error(&cmd_link, "name the interface and 'up' or 'down': link %s",
				       cmd_link.args);
	if (argc - i > 3)
		return cmd_usage_error(&cmd_link, "unexpected '%s'", argv[i + 3]);
	if ((r = pick_end(&cmd_link, argc - 1, argv, &i, &lab, &node, &ifname)))
		return r;
	const char *state = argv[argc - 1];
	if (!streq(state, "up") && !streq(state, "down"))
		return cmd_usage_error(&cmd_link, "'%s': write 'up' or 'down' after %s:%s", state,
				       node, ifname);
	bool up = streq(state, "up");
	hold_signals(true);
	r = live_link(lab, node, ifname, up, one_end, &res, &why);
	hold_signals(false);
	if (r < 0) {
		err("link: %s", why.s);
		sbuf_free(&why);
		return EXIT_FAIL;
	}
	printf("%s%s%s %s", res.ends[0], res.ends[1][0] ? " and " : "", res.ends[1], state);
	if (up)
		printf("; restored %u of the topology's addresses, routes and neighbours through "
		       "%s (%u were still there)",
		       res.restored, res.ends[1][0] ? "them" : "it", res.kept);
	putchar('\n');
	vec_foreach(f, &res.failed) err("link: could not restore: %s", *f);
	r = res.failed.n ? EXIT_FAIL : 0;
	live_link_result_free(&res);
	return r;
}

static const struct option link_longopts[] = {
	{"one-end", no_argument, NULL, '1'},
	{0},
};

const struct cmd cmd_link = {
	.name = "link",
	.args = "[LAB] NODE:IF up|down [--one-end]",
	.summary = "Take a link down, or up again with its addresses and routes.",
	.help = "down sets NODE:IF and the other end of its link (a node's interface, or a\n"
		"bridge port) administratively down, as a pulled cable: the kernel drops the\n"
		"routes through them, and traffic takes another way if the lab has one. up\n"
		"sets both up and applies again what the topology gives them and the kernel\n"
		"dropped with them: their addresses (IPv6 ones go with a link that goes\n"
		"down), the routes through them (a dev of theirs, or a gateway on one of\n"
		"their subnets), neighbour and FDB entries; it says how many it restored and\n"
		"how many were still there. Impairments stay on the interfaces meanwhile.\n\n"
		"  --one-end   change NODE:IF only: its peer loses the carrier but stays up\n"
		"              with its routes (the kernel still uses them unless\n"
		"              net.ipv4.conf.*.ignore_routes_with_linkdown is 1)\n\n"
		"Each change is a 'live' record in the lab's journal; the lab's namespaces\n"
		"carry what it changed, so 'nslab down' leaves nothing of it.\n",
	.run = link_run,
	.needs_root = true,
	.shortopts = "",
	.longopts = link_longopts,
};

static int impair_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL, *node = NULL;
	const char *ifname;
	bool clear = false;
	struct impair imp = {0}, was;
	struct sbuf why = {0}, text = {0};
	int opt, r;

	while ((opt = cmd_getopt(&cmd_impair, argc, argv)) > 0)
		clear = true;
	if (opt < 0)
		return EXIT_USAGE;
	int i = optind;
	if ((r = pick_end(&cmd_impair, argc, argv, &i, &lab, &node, &ifname)))
		return r;
	bool set = i < argc;
	if (clear && set)
		return cmd_usage_error(&cmd_impair, "--clear takes no settings");
	while (i < argc) {
		size_t k = (size_t)i;
		const char *hint;
		if (impair_parse_word(argv, (size_t)argc, &k, &imp, &why, &hint) < 0) {
			r = cmd_usage_error(&cmd_impair, "%s; %s", why.s, hint);
			sbuf_free(&why);
			return r;
		}
		i = (int)k;
	}
	const char *hint, *bad = impair_error(&imp, &hint);
	if (bad)
		return cmd_usage_error(&cmd_impair, "%s; %s", bad, hint);
	hold_signals(true);
	r = live_impair(lab, node, ifname, set || clear ? &imp : NULL, &was, &why);
	hold_signals(false);
	if (r < 0) {
		err("impair: %s", why.s);
		sbuf_free(&why);
		return EXIT_FAIL;
	}
	const struct impair *now = set || clear ? &imp : &was;
	if (impair_active(now))
		impair_format(now, &text);
	printf("%s:%s: %s", node, ifname, text.len ? text.s : "no impairments");
	if (set || clear) {
		sbuf_reset(&text);
		if (impair_active(&was))
			impair_format(&was, &text);
		printf(" (was: %s)", text.len ? text.s : "none");
	}
	putchar('\n');
	sbuf_free(&text);
	return 0;
}

static const struct option impair_longopts[] = {
	{"clear", no_argument, NULL, 'c'},
	{0},
};

const struct cmd cmd_impair = {
	.name = "impair",
	.args = "[LAB] NODE:IF [SETTING VALUE]... | --clear",
	.summary = "Delay, drop or slow what leaves an interface of a running lab.",
	.help = "Sets what leaves NODE:IF (any interface the node has now) to exactly the\n"
		"settings given (those not given are gone), through a netem qdisc, and tbf for\n"
		"a rate. They are the settings of a topology's link and iface lines:\n"
		"  delay TIME      added to every packet: 20ms, 1.5ms, 1s (at most 60s)\n"
		"  jitter TIME     the delay varies by up to this much, either way (needs delay)\n"
		"  loss P%         packets dropped at random\n"
		"  duplicate P%    packets sent twice\n"
		"  corrupt P%      packets with a bit flipped\n"
		"  reorder P%      packets sent at once, before delayed ones (needs delay)\n"
		"  rate RATE       at most this many bits per second: 512kbit, 10mbit, 1gbit\n"
		"  limit N         packets queued, at most (netem's queue; 1000)\n"
		"  --clear         remove them all\n"
		"Only what leaves NODE:IF is changed: impair both ends for both directions.\n"
		"With no settings, it prints those in force. The kernel is asked first:\n"
		"without netem (module sch_netem) only 'rate' can be set, and nothing\n"
		"changes. It prints the new settings and the old ones. Each change is a\n"
		"'live' record in the lab's journal.\n",
	.run = impair_run,
	.needs_root = true,
	.shortopts = "",
	.longopts = impair_longopts,
};
