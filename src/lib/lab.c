// SPDX-License-Identifier: MIT
/* Undo is by construction: everything a lab makes lives inside namespaces
 * it owns, so deleting those namespaces (after killing what runs in them)
 * removes every interface, address and route at once. The journal only has
 * to name the namespaces, and it names each one before it is created. */
#include "lab.h"
#include "hosts.h"
#include "apply.h"
#include "dns.h"
#include "interrupt.h"
#include "kind.h"
#include "host-limits.h"
#include "runtime.h"
#include "netns.h"
#include "rundir.h"

#include <config.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

const char *lab_privilege_error(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {0};

	if (syscall(SYS_capget, &h, d) < 0)
		return geteuid() == 0 ? NULL : "this needs root";
	bool admin = d[0].effective & (1u << CAP_SYS_ADMIN);
	bool net = d[0].effective & (1u << CAP_NET_ADMIN);
	if (admin && net)
		return NULL;
	if (!admin && !net)
		return "this needs root (CAP_SYS_ADMIN to create network namespaces, CAP_NET_ADMIN "
		       "to configure them); run it with sudo";
	return admin ? "this needs CAP_NET_ADMIN too; run it as root"
		     : "this needs CAP_SYS_ADMIN too (for network namespaces); run it as root";
}

static bool has_marker(const char *ns, const char *marker)
{
	char alias[256];
	return netns_lo_alias(ns, alias, sizeof(alias)) == 0 && streq(alias, marker);
}

/* Namespaces of lab `name` that exist, from the journal and, failing
 * that, by discovery: LAB- prefixed names whose lo carries our marker. */
static void collect_netns(const char *name, struct strvec *ret, bool *ret_complete)
{
	_cleanup_free_ char *prefix = xasprintf("%s-", name);
	_cleanup_free_ char *marker = plan_lab_marker(name);

	if (journal_read(name, ret, ret_complete) == 0 && ret->n)
		return;
	struct strvec all = {0};
	(void)netns_list(prefix, &all);
	vec_foreach(ns, &all)
	{
		if (has_marker(*ns, marker))
			vec_push(ret, *ns);
		else
			free(*ns);
	}
	vec_free(&all);
}

static bool is_switch_ns(const char *ns)
{
	size_t n = strlen(ns), s = strlen(TOPO_SWITCH_NS_SUFFIX);
	return n > s && streq(ns + n - s, TOPO_SWITCH_NS_SUFFIX) && ns[n - s - 1] == '-';
}

/* Stop the services (TERM, then KILL), kill what else runs in the lab's
 * namespaces, unmount the nodes' roots, then delete namespaces (switch
 * first: its veths go in one batch with it), /etc/netns entries. Goes on
 * past errors; returns the first. */
static int teardown(const char *lab, struct strvec *nss, struct sbuf *err, struct sbuf *notes)
{
	_cleanup_free_ uint64_t *inodes = xmalloc((nss->n + 1) * sizeof(*inodes));
	size_t n = 0;
	int first = 0;

	(void)runtime_stop_services(lab, 3000);
	vec_foreach(ns, nss)
	{
		uint64_t ino = netns_inode(*ns);
		if (ino)
			inodes[n++] = ino;
	}
	(void)netns_kill_procs(inodes, n, 1000);
	lab_test_kill_at("teardown"); /* a down (or an up's undo) half done */
	first = runtime_unmount(lab, err);
	for (int pass = 0; pass < 2; pass++)
		vec_foreach(ns, nss)
		{
			if (is_switch_ns(*ns) != (pass == 0))
				continue;
			int r = netns_delete(*ns);
			/* /etc/netns/NS holds our files; anything else there is the
			 * user's, and no reason to fail: it stays, named in notes. */
			(void)netns_remove_etc(*ns, dns_etc_files, notes);
			if (r < 0 && !first) {
				first = r;
				sbuf_addf(err, "delete namespace '%s': %s", *ns, strerror(-r));
			}
		}
	return first;
}

/* Is lab `name` up, or being made (its run directory exists once up has
 * its lock), or left by a crash (namespaces with its prefix)? */
static bool lab_alive(const char *name)
{
	_cleanup_free_ char *prefix = xasprintf("%s-", name);
	struct strvec nss = {0};

	if (rundir_exists(name))
		return true;
	(void)netns_list(prefix, &nss);
	bool any = nss.n > 0;
	strvec_free(&nss);
	return any;
}

/* The run directory, and what nslab shares with others once the last lab
 * is gone: no trace of nslab stays. The host limits the lab held go back
 * to their old values if no other lab holds them. */
static void remove_run_dir(const char *name, struct sbuf *notes)
{
	(void)limits_release(name, lab_alive, notes);
	if (rundir_remove(name))
		netns_release_dir();
	(void)rmdir(NSLAB_ETC_NETNS_DIR);
}

/* With the lock held. */
static int down_locked(const char *name, bool *ret_found, struct sbuf *err, struct sbuf *notes)
{
	struct strvec nss = {0};
	bool complete;
	int r;

	collect_netns(name, &nss, &complete);
	*ret_found = nss.n > 0 || rundir_exists(name);
	r = teardown(name, &nss, err, notes);
	strvec_free(&nss);
	if (r == 0)
		remove_run_dir(name, notes);
	return r;
}

int lab_down(const char *name, bool *ret_found, struct sbuf *err, struct sbuf *notes)
{
	_cleanup_free_ char *prefix = xasprintf("%s-", name);
	struct strvec any = {0};
	int lock, r;

	*ret_found = false;
	/* Nothing of it at all: a second down is a no-op that creates nothing. */
	(void)netns_list(prefix, &any);
	bool none = any.n == 0 && !rundir_exists(name) && !limits_held(name);
	strvec_free(&any);
	if (none)
		return 0;
	lock = rundir_lock(name, err);
	if (lock < 0)
		return lock;
	r = rundir_check(name, err);
	if (r == 0)
		r = down_locked(name, ret_found, err, notes);
	close(lock);
	return r;
}



/* Test-only fault injection: NSLAB_TEST_FAIL_STEP=N fails step N (from 0)
 * as the kernel would; NSLAB_TEST_KILL_STEP=N dies by SIGKILL before it. */
static long test_step(const char *var)
{
	const char *v = getenv(var);
	return v && *v ? strtol(v, NULL, 10) : -1;
}

void lab_test_kill_at(const char *point)
{
	const char *v = getenv("NSLAB_TEST_KILL_AT");

	if (v && streq(v, point))
		raise(SIGKILL);
}

/* NSLAB_PROFILE set: the time of each kind of step, in notes. */
static int run_steps(struct nl_ctx *nl, const struct plan *p, const struct lab_up_opts *o,
		     struct journal *journal, struct strvec *made, struct sbuf *err,
		     struct sbuf *notes)
{
	struct lab_progress pr = {.total = p->steps.n};
	long fail_at = test_step("NSLAB_TEST_FAIL_STEP"), kill_at = test_step("NSLAB_TEST_KILL_STEP");
	bool profile = getenv("NSLAB_PROFILE") != NULL;
	const struct step_type *types[32];
	double spent[ARRAY_SIZE(types)] = {0};
	unsigned count[ARRAY_SIZE(types)] = {0};
	size_t ntypes = 0;
	struct sbuf line = {0}, why = {0};
	int r = 0;

	if (o->progress)
		for (size_t i = 0; i < p->steps.n; i++)
			pr.netns_total += p->steps.v[i].type == &step_netns;
	for (size_t i = 0; i < p->steps.n; i++) {
		const struct step *s = &p->steps.v[i];
		if (interrupt_signal()) {
			sbuf_addf(err, "interrupted by %s after %zu of %zu steps",
				  interrupt_name(interrupt_signal()), i, p->steps.n);
			r = -EINTR;
			break;
		}
		sbuf_reset(&line);
		plan_step_print(p, s, &line);
		/* Someone else's namespace must never be on our record: down
		 * deletes what the journal names. */
		if (s->type == &step_netns && netns_exists(s->node->netns)) {
			plan_step_describe(p, s, err);
			sbuf_addf(err, ": namespace '%s' already exists (another lab, or made by "
				       "hand: 'ip netns del %s')",
				  s->node->netns, s->node->netns);
			r = -EEXIST;
			break;
		}
		/* A namespace must be on record before it exists. */
		if (s->type == &step_netns && (r = journal_netns(journal, s->node->netns)) < 0) {
			sbuf_addf(err, "write journal: %s", strerror(-r));
			break;
		}
		journal_comment(journal, line.s);
		if (o->progress) {
			pr.done = i;
			pr.step = line.s;
			o->progress(&pr, o->progress_ctx);
		}
		if ((long)i == kill_at)
			raise(SIGKILL);
		sbuf_reset(&why);
		struct timespec t0, t1;
		if (profile)
			clock_gettime(CLOCK_MONOTONIC, &t0);
		r = (long)i == fail_at ? (sbuf_adds(&why, "injected failure"), -EIO)
				       : s->type->apply(nl, s, &why);
		if (profile) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			size_t t = 0;
			while (t < ntypes && types[t] != s->type)
				t++;
			if (t == ntypes && ntypes < ARRAY_SIZE(types))
				types[ntypes++] = s->type;
			if (t < ntypes) {
				spent[t] += (double)(t1.tv_sec - t0.tv_sec) +
					    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
				count[t]++;
			}
		}
		if (s->type == &step_netns && r != -EEXIST) {
			vec_push(made, xstrdup(s->node->netns)); /* ours, even half made */
			pr.netns++;
		}
		if (r < 0) {
			plan_step_describe(p, s, err);
			sbuf_addf(err, ": %s", why.s ? why.s : strerror(-r));
			break;
		}
	}
	if (o->progress) { /* also after a failure: the display ends either way */
		pr.done = r == 0 ? p->steps.n : pr.done;
		pr.step = NULL;
		o->progress(&pr, o->progress_ctx);
	}
	for (size_t t = 0; t < ntypes; t++)
		sbuf_addf(notes, "profile: %-6s %6u steps %8.3f s %7.1f us/step\n", types[t]->name,
			  count[t], spent[t], spent[t] * 1e6 / count[t]);
	sbuf_free(&line);
	sbuf_free(&why);
	return r;
}

static int write_info(const struct topo_lab *lab)
{
	_cleanup_free_ char *abs = realpath(lab->file, NULL);
	struct rundir_info i = {.file = abs ? abs : lab->file, .since = time(NULL)};

	i.nodes = (unsigned)hosts_nodes_here(lab);
	vec_foreach(d, &lab->devs) i.links += (*d)->kind->is_link;
	return rundir_write_info(lab->name, &i);
}

/* The qdiscs the lab's impairments need, asked of the kernel once each:
 * the error names the first interface that needs a missing one. */
static int probe_impairs(const struct topo_lab *lab, struct sbuf *err)
{
	const struct topo_iface *netem = NULL, *rate = NULL;

	vec_foreach(np, &lab->nodes) vec_foreach(ip, &(*np)->ifaces)
	{
		if (!netem && impair_needs_netem(&(*ip)->impair))
			netem = *ip;
		if (!rate && (*ip)->impair.rate)
			rate = *ip;
	}
	const struct topo_iface *use[2] = {netem, rate};
	const char *kinds[2] = {"netem", "tbf"};
	for (int k = 0; k < 2; k++) {
		if (!use[k])
			continue;
		struct sbuf why = {0};
		int r = impair_probe_qdisc(kinds[k], &why);
		if (r < 0) {
			const struct topo_iface *i = use[k];
			sbuf_addf(err, "%s: %s:%s asks for '", why.s, i->node->name, i->name);
			impair_format(&i->impair, err);
			sbuf_addf(err, "' (%s:%u); nothing was created", i->impair_loc->file,
				  i->impair_loc->line);
			sbuf_free(&why);
			return r;
		}
	}
	return 0;
}

/* up holds a netlink socket per node until its last step (nl.h): a lab of
 * 1000 nodes is past the usual soft limit of 1024. */
static int reserve_files(const struct topo_lab *lab, struct sbuf *err)
{
	size_t need = lab->nodes.n + NL_NSFD_OPEN;
	int r = nofile_reserve(need);

	if (r < 0) {
		struct rlimit l = {0};
		(void)getrlimit(RLIMIT_NOFILE, &l);
		sbuf_addf(err,
			  "lab '%s' has %zu namespaces: building it holds %zu open files, and this process "
			  "may open %llu (ulimit -n; hard limit %llu), which it cannot raise: %s. Raise "
			  "the limit first (as root: ulimit -n %zu; past fs.nr_open, sysctl -w "
			  "fs.nr_open=...)",
			  lab->name, lab->nodes.n, need, (unsigned long long)l.rlim_cur,
			  (unsigned long long)l.rlim_max, strerror(-r), need + 256);
	}
	return r;
}

int lab_up(struct topo_lab *lab, const struct lab_up_opts *o, struct sbuf *err,
	   struct sbuf *notes)
{
	_cleanup_free_ char *info_path = rundir_path(lab->name, RUNDIR_INFO);
	struct strvec made = {0};
	struct plan p;
	struct nl_ctx nl;
	struct journal journal = {0};
	int lock, r;

	bool raise = o->host_limits || lab->host_limits;
	if (lab->hosts.n && !lab->here) {
		_cleanup_free_ char *all = hosts_list(lab);
		sbuf_addf(err, "the topology splits the lab across hosts (%s): build one host's part "
			       "('--host NAME'), or all of them with 'nslab cluster up'",
			  all);
		return -EINVAL;
	}
	r = hosts_check_here(lab, err);
	if (r < 0)
		return r;
	plan_build(lab, &p);
	if (!raise)
		limits_warn(lab, notes);
	r = kind_probe(lab, err);
	if (r == 0)
		r = hosts_probe(lab, err);
	if (r == 0)
		r = probe_impairs(lab, err);
	if (r == 0)
		r = reserve_files(lab, err);
	if (r < 0) {
		plan_free(&p);
		return r;
	}
	lock = rundir_lock(lab->name, err);
	if (lock < 0) {
		plan_free(&p);
		return lock;
	}
	lab_test_kill_at("locked");
	r = rundir_check(lab->name, err);
	if (r < 0)
		goto out;
	if (rundir_has(lab->name, RUNDIR_INFO) && !o->replace) {
		struct lab_info info = {0};
		(void)lab_get(lab->name, &info);
		sbuf_addf(err, "lab '%s' is already up (from %s); 'nslab down %s' first, or 'nslab up "
			       "--replace'",
			  lab->name, info.file ? info.file : "?", lab->name);
		lab_info_free(&info);
		r = -EALREADY;
		goto out;
	}
	/* Namespaces of this lab without our journal: built by `nslab plan |
	 * sh`, or their run directory was removed. Not ours to replace unasked. */
	if (!o->replace && !rundir_has(lab->name, RUNDIR_JOURNAL)) {
		_cleanup_free_ char *prefix = xasprintf("%s-", lab->name);
		_cleanup_free_ char *marker = plan_lab_marker(lab->name);
		struct strvec nss = {0};
		bool theirs = false;
		(void)netns_list(prefix, &nss);
		vec_foreach(ns, &nss) theirs |= has_marker(*ns, marker);
		strvec_free(&nss);
		if (theirs) {
			sbuf_addf(err, "namespaces of lab '%s' exist already (made by 'nslab plan | sh'?); "
				       "'nslab down %s' first, or 'nslab up --replace'",
				  lab->name, lab->name);
			r = -EALREADY;
			goto out;
		}
	}
	/* Remains of an interrupted up (its lock died with it), or --replace. */
	{
		bool found = false;
		struct sbuf why = {0};
		bool had_info = rundir_has(lab->name, RUNDIR_INFO);
		r = down_locked(lab->name, &found, &why, notes);
		if (found && !had_info)
			sbuf_addf(notes, "%s the earlier lab '%s'\n",
				  o->replace ? "replaced" : "cleaned up the remains of", lab->name);
		if (r < 0) {
			sbuf_addf(err, "cannot remove the earlier lab '%s': %s", lab->name, why.s);
			sbuf_free(&why);
			goto out;
		}
		sbuf_free(&why);
	}
	lab_test_kill_at("cleaned");
	r = rundir_make(lab->name, err);
	if (r == 0) {
		lab_test_kill_at("rundir");
		r = journal_create(lab->name, lab->file, &journal, err);
	}
	/* Before the first namespace, and on record in the journal first,
	 * so that down knows after a crash (the host-wide record names the
	 * lab too). */
	if (r == 0 && raise && (r = journal_limits(&journal)) < 0)
		sbuf_addf(err, "write journal: %s", strerror(-r));
	if (r == 0 && raise)
		r = limits_raise(lab, err, notes);
	if (r < 0) {
		journal_close(&journal);
		remove_run_dir(lab->name, notes); /* nothing made: no broken lab in 'ls' */
		goto out;
	}
	int pin = netns_prepare_dir();
	if (pin < 0) {
		r = pin;
		sbuf_addf(err, "prepare %s: %s", NSLAB_NETNS_DIR, strerror(-r));
		journal_close(&journal);
		remove_run_dir(lab->name, notes); /* nothing made: no broken lab in 'ls' */
		goto out;
	}
	lab_test_kill_at("journal");
	nl_ctx_init(&nl, &p);
	nl.orig_netns = netns_open_current();
	r = nl.orig_netns < 0 ? nl.orig_netns : run_steps(&nl, &p, o, &journal, &made, err, notes);
	nl_ctx_free(&nl);
	close(pin); /* before the undo below, whose release it would block */
	if (r == 0) {
		lab_test_kill_at("steps-done");
		r = runtime_check_services(lab->name, err);
	}
	if (r == 0 && interrupt_signal()) { /* after the last step: still undone */
		sbuf_addf(err, "interrupted by %s after its last step", interrupt_name(interrupt_signal()));
		r = -EINTR;
	}
	if (r == 0) {
		r = journal_done(&journal);
		lab_test_kill_at("journal-done");
		if (r == 0)
			r = rundir_write_file(lab->name, RUNDIR_TOPOLOGY, lab->source ? lab->source : "");
		if (r == 0 && lab->here)
			r = rundir_write_file(lab->name, RUNDIR_HOST, lab->here->name);
		if (r == 0)
			r = write_info(lab);
		if (r < 0)
			sbuf_addf(err, "write %s: %s", info_path, strerror(-r));
	}
	if (r < 0) {
		struct sbuf why = {0};
		size_t nmade = made.n;
		lab_test_kill_at("undo");
		if (teardown(lab->name, &made, &why, notes) == 0) {
			remove_run_dir(lab->name, notes);
			if (r == -EINTR)
				sbuf_addf(err, "; it removed the %zu namespace%s it had made, and its run directory",
					  nmade, nmade == 1 ? "" : "s");
		} else
			sbuf_addf(notes, "undoing the partial lab failed too: %s\n", why.s);
		sbuf_free(&why);
	}
out:
	nofile_restore();
	journal_close(&journal);
	strvec_free(&made);
	plan_free(&p);
	if (lock >= 0)
		close(lock);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_get(const char *name, struct lab_info *ret)
{
	struct lab_info i = {.name = xstrdup(name)};
	struct rundir_info ri;
	bool complete = false;

	if (!rundir_has(name, RUNDIR_JOURNAL)) {
		/* Built by 'nslab plan FILE | sh': no journal (its run
		 * directory holds at most its nodes' roots and logs), but its
		 * namespaces carry our marker, as down finds them. */
		collect_netns(name, &i.netns, &complete);
		if (!i.netns.n) {
			free(i.name);
			return -ENOENT;
		}
		qsort(i.netns.v, i.netns.n, sizeof(*i.netns.v), cmp_str); /* LAB-.sw first */
		vec_foreach(ns, &i.netns) i.nodes += !is_switch_ns(*ns);
		i.complete = true;
		i.unrecorded = true;
		*ret = i;
		return 0;
	}
	(void)journal_read(name, &i.netns, &complete);
	i.complete = rundir_read_info(name, &ri) == 0 && complete;
	i.file = ri.file;
	i.nodes = ri.nodes;
	i.links = ri.links;
	i.since = ri.since;
	*ret = i;
	return 0;
}

void lab_info_free(struct lab_info *i)
{
	free(i->name);
	free(i->file);
	strvec_free(&i->netns);
	memset(i, 0, sizeof(*i));
}

static int discover_orphans(const struct strmap *known, struct strvec *ret);

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct lab_info *)a)->name, ((const struct lab_info *)b)->name);
}

int lab_list(struct lab_infos *ret)
{
	struct strvec names = {0};
	int r = rundir_list(&names);

	if (r < 0)
		return r;
	vec_foreach(name, &names)
	{
		struct lab_info i;
		if (lab_get(*name, &i) == 0)
			vec_push(ret, i);
	}
	strvec_free(&names);
	/* and the labs that 'nslab plan | sh' built: only namespaces that no
	 * recorded lab names need their lo read */
	struct strmap known = {0};
	struct strvec orphans = {0};
	vec_foreach(l, ret) vec_foreach(ns, &l->netns) strmap_put(&known, *ns, *ns);
	(void)discover_orphans(&known, &orphans);
	strmap_free(&known);
	vec_foreach(o, &orphans)
	{
		struct lab_info i;
		if (lab_get(*o, &i) == 0)
			vec_push(ret, i);
		free(*o);
	}
	vec_free(&orphans);
	if (ret->n)
		qsort(ret->v, ret->n, sizeof(*ret->v), cmp_info);
	return 0;
}

int lab_discover_orphans(struct strvec *ret)
{
	return discover_orphans(NULL, ret);
}

/* Reading a namespace's lo is a setns and a netlink round trip: skip the
 * namespaces in `known` (NULL: none), those of recorded labs. */
static int discover_orphans(const struct strmap *known, struct strvec *ret)
{
	struct strvec all = {0};
	struct strmap seen = {0};

	(void)netns_list("", &all);
	vec_foreach(ns, &all)
	{
		char alias[256];
		if (known && strmap_get(known, *ns))
			continue;
		if (netns_lo_alias(*ns, alias, sizeof(alias)) < 0 || strncmp(alias, "nslab:", 6) != 0)
			continue;
		const char *name = alias + 6;
		if (topo_name_error(name, TOPO_LAB_NAME_MAX) || rundir_exists(name) ||
		    strmap_get(&seen, name))
			continue;
		char *copy = xstrdup(name);
		strmap_put(&seen, copy, copy);
		vec_push(ret, copy);
	}
	strvec_free(&all);
	strmap_free(&seen);
	return 0;
}
