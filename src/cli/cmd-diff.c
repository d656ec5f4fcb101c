// SPDX-License-Identifier: MIT
/* nslab diff and nslab save: a running lab against its file, and back into
 * one (state.h, save.h). */
#include "check.h"
#include "cmd.h"
#include "json.h"
#include "lab.h"
#include "rundir.h"
#include "save.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

extern const struct cmd cmd_diff, cmd_save;

enum { OPT_JSON = 256 };

static const struct option diff_longopts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{0},
};

static const struct option save_longopts[] = {
	{"output", required_argument, NULL, 'o'},
	{"name", required_argument, NULL, 'n'},
	{0},
};

/* [LAB] [FILE] operands: a word that names a running lab is the lab. */
static int lab_and_file(const struct cmd *c, int npos, char **pos, char **lab, const char **file)
{
	*file = NULL;
	if (npos > 2)
		return cmd_usage_error(c, "too many operands: %s %s", c->name, c->args);
	const char *given = NULL;
	if (npos == 2) {
		given = pos[0];
		*file = pos[1];
	} else if (npos == 1) {
		if (cmd_is_lab(pos[0]) || access(pos[0], F_OK) != 0)
			given = pos[0];
		else
			*file = pos[0];
	}
	int r = cmd_pick_lab(c, given, lab);
	if (r)
		return r;
	/* one host's part of a lab split across hosts (hosts.h): no whole lab
	 * is here to compare or write */
	_cleanup_fclose_ FILE *hf = rundir_fopen(*lab, RUNDIR_HOST, "r");
	_cleanup_free_ char *host = hf ? read_stream(hf) : NULL;
	if (host) {
		host[strcspn(host, "\n")] = '\0';
		err("%s: lab '%s' here is host '%s''s part of a lab split across hosts, not a whole "
		    "lab: 'nslab check %s' checks this part, 'nslab cluster check FILE' every part, "
		    "'nslab show %s' shows what this host has",
		    c->name, *lab, host, *lab, *lab);
		free(*lab);
		*lab = NULL;
		return EXIT_FAIL;
	}
	return 0;
}

/* The kernel's state of a lab: 0, or an exit status after saying why. */
static int read_kernel(const struct cmd *c, const char *lab, struct show_lab *s)
{
	int r = show_read(lab, NULL, SHOW_PEERS | SHOW_TABLES, s);
	if (r < 0) {
		err("%s: lab '%s': %s", c->name, lab, strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}

static void print_change(const struct state_change *ch)
{
	const struct fact *x = ch->file ? ch->file : ch->kernel;
	printf("%-10s %s", x->node, x->key);
	if (ch->file && ch->kernel)
		printf(": file '%s', kernel '%s'\n", ch->file->value, ch->kernel->value);
	else if (ch->file)
		printf("%s%s%s: in the file, not in the kernel\n", *x->value ? " '" : "", x->value,
		       *x->value ? "'" : "");
	else
		printf("%s%s%s: in the kernel, not in the file\n", *x->value ? " '" : "", x->value,
		       *x->value ? "'" : "");
}

static int diff_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL, *edited = NULL;
	const char *file;
	bool json = false;
	struct topo_lab *t = NULL;
	int opt, r;

	while ((opt = cmd_getopt(&cmd_diff, argc, argv)) > 0)
		json = true;
	if (opt < 0)
		return EXIT_USAGE;
	if ((r = lab_and_file(&cmd_diff, argc - optind, argv + optind, &lab, &file)))
		return r;
	if (file) {
		if ((r = cmd_load(file, &t)))
			return r;
	} else {
		struct diag d = {0};
		t = check_load_running(lab, &d, &edited);
		diag_free(&d);
		if (!t) {
			err("diff: lab '%s' has no topology of its own (built by 'nslab plan | sh'?): name "
			    "the file: nslab diff %s FILE",
			    lab, lab);
			return EXIT_FAIL;
		}
	}
	struct show_lab s;
	if ((r = read_kernel(&cmd_diff, lab, &s))) {
		topo_lab_free(t);
		return r;
	}
	struct facts want = {0}, have = {0};
	struct state_diff d;
	state_expected(t, &want);
	state_kernel(&s, &want, &have);
	state_compare(&want, &have, &d);
	if (json) {
		struct json j = {.f = stdout};
		json_begin_object(&j, NULL);
		json_str(&j, "lab", lab);
		json_str(&j, "file", file ? file : edited ? edited : t->file);
		json_bool(&j, "agree", d.changes.n == 0);
		json_begin_array(&j, "changes");
		vec_foreach(ch, &d.changes)
		{
			const struct fact *x = ch->file ? ch->file : ch->kernel;
			json_begin_object(&j, NULL);
			json_str(&j, "node", x->node);
			json_str(&j, "key", x->key);
			json_str(&j, "file", ch->file ? ch->file->value : NULL);
			json_str(&j, "kernel", ch->kernel ? ch->kernel->value : NULL);
			json_bool(&j, "in_file", ch->file != NULL);
			json_bool(&j, "in_kernel", ch->kernel != NULL);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_end_object(&j);
		putchar('\n');
	} else {
		vec_foreach(ch, &d.changes) print_change(ch);
		if (d.changes.n)
			printf("%zu difference%s between lab '%s' and %s\n", d.changes.n,
			       d.changes.n == 1 ? "" : "s", lab, file ? file : "its topology");
		else
			printf("lab '%s' matches %s\n", lab, file ? file : "its topology");
	}
	r = d.changes.n ? EXIT_FAIL : 0;
	state_diff_free(&d);
	facts_free(&want);
	facts_free(&have);
	show_free(&s);
	topo_lab_free(t);
	return r;
}

static int save_run(int argc, char **argv)
{
	_cleanup_free_ char *lab = NULL, *edited = NULL, *kept = NULL;
	const char *output = NULL, *name = NULL, *file;
	struct save_opts o = {0};
	int opt, r;

	while ((opt = cmd_getopt(&cmd_save, argc, argv)) > 0) {
		if (opt == 'o')
			output = optarg;
		else
			name = optarg;
	}
	if (opt < 0)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_save, "too many operands: save %s", cmd_save.args);
	if (argc - optind == 1 && !cmd_is_lab(argv[optind]) && access(argv[optind], F_OK) == 0)
		return cmd_usage_error(&cmd_save, "'%s' is a file, not a running lab; to write to it: save -o %s",
				       argv[optind], argv[optind]);
	if ((r = lab_and_file(&cmd_save, argc - optind, argv + optind, &lab, &file)))
		return r;
	if (name && topo_name_error(name, TOPO_LAB_NAME_MAX))
		return cmd_usage_error(&cmd_save, "--name '%s': %s", name, topo_name_error(name, TOPO_LAB_NAME_MAX));
	struct diag d = {0};
	struct topo_lab *t = check_load_running(lab, &d, &edited);
	diag_free(&d);
	_cleanup_fclose_ FILE *kept_file = rundir_fopen(lab, RUNDIR_TOPOLOGY, "r");
	kept = kept_file ? read_stream(kept_file) : NULL;
	struct show_lab s;
	if ((r = read_kernel(&cmd_save, lab, &s))) {
		if (t)
			topo_lab_free(t);
		return r;
	}
	struct facts want = {0}, have = {0};
	if (t)
		state_expected(t, &want);
	state_kernel(&s, &want, &have);
	o.name = name ? name : lab;
	o.kept = kept;
	o.kept_dir = t ? t->dir : NULL;
	struct sbuf out = {0};
	struct strvec notes = {0};
	save_write(&s, &have, &o, &out, &notes);
	vec_foreach(x, &notes) err("save: %s", *x);
	r = 0;
	if (output && !streq(output, "-")) {
		/* whole or not at all: an old FILE stays until the new one is written */
		int w = write_file_replace(output, out.s);
		if (w < 0) {
			err("save: %s: %s", output, strerror(-w));
			r = EXIT_FAIL;
		} else
			fprintf(stderr, "nslab: saved lab '%s' to %s (as lab '%s')\n", lab, output, o.name);
	} else
		fputs(out.s, stdout);
	sbuf_free(&out);
	strvec_free(&notes);
	facts_free(&want);
	facts_free(&have);
	show_free(&s);
	if (t)
		topo_lab_free(t);
	return r;
}

const struct cmd cmd_diff = {
	.name = "diff",
	.args = "[LAB] [FILE] [--json]",
	.summary = "Compare a running lab with its topology: what the kernel has that the file does not say.",
	.help = "FILE defaults to the topology the lab was built from (the copy kept at up).\n"
		"Compared, node by node, both ways: interfaces (kind, up or down, MTU, MAC\n"
		"where the file sets one, bridge, the other end of a veth, impairments, a\n"
		"tunnel's settings), addresses, routes (the file's words must all be in the\n"
		"kernel's route: 'via 10.0.1.1' agrees with 'via 10.0.1.1 dev eth0 metric\n"
		"1024'), permanent neighbours, static FDB entries, and the sysctls the file\n"
		"sets (with forwarding). Routes and addresses that daemons or SLAAC add\n"
		"(proto ospf, bgp, ra) belong to what runs in the lab and are not compared.\n"
		"Each difference is one line: NODE KEY: file 'X', kernel 'Y', or in one only.\n\n"
		"  --json  the same as JSON\n\n"
		"Exit status: 0 when they agree, 1 when they do not.\n",
	.run = diff_run,
	.needs_root = true,
	.shortopts = "",
	.longopts = diff_longopts,
};

const struct cmd cmd_save = {
	.name = "save",
	.args = "[LAB] [-o FILE] [-n NAME]",
	.summary = "Write a topology that rebuilds a running lab as the kernel has it now.",
	.help = "Changes made by hand are in it: links, bridges and tunnels, addresses,\n"
		"routes, neighbours, FDB entries, MTUs, MACs, impairments, and the sysctls the\n"
		"lab's file sets. What runs in the nodes (files, startup, services, nft,\n"
		"frr), [dns] and [expect] come from the file the lab was built from, whose\n"
		"folder the saved file names ([lab] folder). What the format cannot say yet\n"
		"(an interface that is down) is a note on stderr and a comment in the file.\n"
		"'nslab up' of the saved file, then 'nslab diff', reports nothing.\n\n"
		"  -o, --output FILE  write it to FILE, whole or not at all (default: standard\n"
		"                     output)\n"
		"  -n, --name NAME    the saved lab's name (default: the running lab's), so that\n"
		"                     both can be up at once\n",
	.run = save_run,
	.needs_root = true,
	.shortopts = "o:n:",
	.longopts = save_longopts,
};
