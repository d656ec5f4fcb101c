// SPDX-License-Identifier: MIT
/* Host limits a lab can run into: the kernel's tables, queues and counts
 * shared by every namespace, and their raise by consent (`up
 * --host-limits`, `[lab] host-limits = yes`), undone by the last lab that
 * needed it.
 *
 * What a 10,000-node lab meets, and why each row is here:
 * - The ARP and ND tables are one per host, shared by all namespaces and
 *   bounded by gc_thresh3 (default 1024); past it new neighbours fail with
 *   ENOBUFS ("neighbor table overflow") and pings send nothing. A 10x10
 *   flannel lab needs about 1190 IPv4 entries: 63 of its checks fail on a
 *   stock host. gc_thresh2 (forced collection after 5 s above it) and
 *   gc_thresh1 (no periodic collection below it) keep the kernel's
 *   proportions (1/2 and 1/8 of gc_thresh3).
 * - net.core.netdev_max_backlog (1000 per CPU): a broadcast on a segment
 *   of N bridge ports is queued N times in one softirq run; on a
 *   2000-port star one ARP request was dropped 1498 times. A segment of
 *   more ports than the backlog is short; the raise gives 8 N (a power of
 *   two), as `nslab check` has up to 256 requests, so as many ARP
 *   broadcasts, in flight at once: on the 2016-port star, 4032 still
 *   lost 44 to 53 of h1's 1999 checks, 16384 none.
 * Looked at and not raised:
 * - user.max_net_namespaces (and the mount and UTS ones, for nodes with a
 *   root): threads-max / 2 by default, which is the machine's memory / 256
 *   KB; a node of a 10,000-star costs about 210 KB of kernel memory, so a
 *   lab reaches that limit only when it would take 82% of the memory. It
 *   guards the host; raising it would only trade ENOSPC for the OOM killer.
 * - fs.file-max, fs.nr_open: far above a lab's needs; what a 10,000-node
 *   star met first is nslab's own RLIMIT_NOFILE (per process, not the
 *   host's: EMFILE at node 9954 with 20000).
 * - fs.mount-max (100000 mounts per mount namespace; a lab has one per
 *   node), kernel.pid_max (no process per node unless it runs services). */
#include "host-limits.h"
#include "rundir.h"

#include <fcntl.h>
#include <sys/socket.h>

enum {
	GROUP_NEIGH4,
	GROUP_NEIGH6,
	GROUP_BACKLOG,
};

#define NEIGH4 "net.ipv4.neigh.default."
#define NEIGH6 "net.ipv6.neigh.default."
#define BACKLOG "net.core.netdev_max_backlog"

const char *const limit_keys[] = {
    NEIGH4 "gc_thresh3",
    NEIGH4 "gc_thresh2",
    NEIGH4 "gc_thresh1",
    NEIGH6 "gc_thresh3",
    NEIGH6 "gc_thresh2",
    NEIGH6 "gc_thresh1",
    BACKLOG,
};
const size_t limit_keys_n = ARRAY_SIZE(limit_keys);

static const char *known_key(const char *key)
{
	for (size_t i = 0; i < limit_keys_n; i++)
		if (streq(key, limit_keys[i]))
			return limit_keys[i];
	return NULL;
}

static void add_row(struct limit_rows *rows, unsigned group, size_t key, unsigned long need,
		    unsigned long want)
{
	*(struct limit_row *)vec_add(rows) =
	    (struct limit_row){.key = limit_keys[key], .need = need, .want = want, .group = group};
}

static unsigned long pow2_at_least(unsigned long n)
{
	unsigned long p = 1;
	while (p < n)
		p *= 2;
	return p;
}

void limits_need(const struct topo_lab *lab, struct limit_rows *ret)
{
	for (unsigned f = 0; f < 2; f++) {
		size_t need = topo_neighbour_estimate(lab, f ? AF_INET6 : AF_INET);
		if (!need)
			continue;
		unsigned long want = pow2_at_least(need * 2);
		add_row(ret, GROUP_NEIGH4 + f, 3 * f, need, want);
		add_row(ret, GROUP_NEIGH4 + f, 3 * f + 1, 0, want / 2);
		add_row(ret, GROUP_NEIGH4 + f, 3 * f + 2, 0, want / 8);
	}
	size_t ports = topo_largest_broadcast_domain(lab);
	if (ports)
		add_row(ret, GROUP_BACKLOG, 6, ports, pow2_at_least(ports * 8));
}

int limits_read(const char *key, unsigned long *ret)
{
	_cleanup_free_ char *path = xasprintf("/proc/sys/%s", key);
	_cleanup_free_ char *text = NULL;
	char *end;

	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	int r = read_text_file(path, 64, &text);
	if (r < 0)
		return r;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || end == text)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int write_key(const char *key, unsigned long value)
{
	_cleanup_free_ char *path = xasprintf("/proc/sys/%s", key);
	_cleanup_free_ char *text = xasprintf("%lu\n", value);

	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return write_file(path, text);
}

void limits_need_host(const struct topo_lab *lab, struct limit_rows *ret)
{
	limits_need(lab, ret);
	vec_foreach (row, ret)
		row->known = limits_read(row->key, &row->cur) == 0;
}

bool limits_short(const struct limit_rows *rows, size_t i)
{
	vec_foreach (r, rows)
		if (r->group == rows->v[i].group && r->known && r->cur < r->need)
			return true;
	return false;
}

/* The writes of row i's group, as "KEY=VALUE ..." */
static void group_writes(const struct limit_rows *rows, size_t i, struct sbuf *out)
{
	const char *sep = "";
	vec_foreach (r, rows)
		if (r->group == rows->v[i].group && r->known && r->cur < r->want) {
			sbuf_addf(out, "%s%s=%lu", sep, r->key, r->want);
			sep = " ";
		}
}

#define BY_CONSENT ", or run 'nslab up --host-limits' (raised while the lab is up)\n"

void limits_warn(const struct topo_lab *lab, struct sbuf *notes)
{
	struct limit_rows rows = {0};
	struct sbuf w = {0};

	limits_need_host(lab, &rows);
	for (size_t i = 0; i < rows.n; i++) {
		const struct limit_row *r = &rows.v[i];
		if (!r->need || !limits_short(&rows, i))
			continue;
		sbuf_reset(&w);
		group_writes(&rows, i, &w);
		if (r->group == GROUP_BACKLOG)
			sbuf_addf(
			    notes,
			    "a broadcast in lab '%s' reaches %lu bridge ports at once, and this "
			    "host "
			    "queues at most %lu packets per CPU (net.core.netdev_max_backlog): ARP "
			    "requests will not reach every host. To allow it, as root: sysctl -w "
			    "%s",
			    lab->name, r->need, r->cur, w.s);
		else
			sbuf_addf(notes,
				  "lab '%s' may need up to %lu %s neighbour entries, and this host "
				  "allows %lu "
				  "for all namespaces together (%.23sgc_thresh3); beyond that, new "
				  "neighbours "
				  "fail ('neighbor table overflow'). To allow more, as root: "
				  "sysctl -w %s",
				  lab->name, r->need, r->group == GROUP_NEIGH4 ? "IPv4" : "IPv6",
				  r->cur, r->key, w.s);
		sbuf_adds(notes, BY_CONSENT);
	}
	sbuf_free(&w);
	vec_free(&rows);
}

void limits_plan(const struct topo_lab *lab, struct sbuf *out)
{
	struct limit_rows rows = {0};
	bool any = false;

	limits_need_host(lab, &rows);
	for (size_t i = 0; i < rows.n; i++) {
		const struct limit_row *r = &rows.v[i];
		if (!limits_short(&rows, i) || r->cur >= r->want)
			continue;
		if (!any)
			sbuf_adds(out,
				  "\n# host limits ([lab] host-limits): shared by every namespace; "
				  "'nslab up' records the old values\n# and 'nslab down' restores "
				  "them, this script does not\n");
		any = true;
		sbuf_addf(out, "sysctl -w %s=%lu # was %lu\n", r->key, r->want, r->cur);
	}
	if (!any)
		sbuf_adds(
		    out, "\n# host limits ([lab] host-limits): this host has what the lab needs\n");
	vec_free(&rows);
}

/* The record */

#define REC_RAISED "raised "
#define REC_LAB "lab "

void limits_record_parse(const char *text, struct limit_record *ret)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[128], name[TOPO_LAB_NAME_MAX + 2];
		unsigned long old, set;
		int end = 0;
		if (sscanf(line, REC_RAISED "%127s %lu %lu%n", key, &old, &set, &end) == 3 &&
		    !line[end] && known_key(key)) {
			bool dup = false;
			vec_foreach (x, &ret->raised)
				dup |= streq(x->key, key);
			if (!dup)
				*(struct limit_raised *)vec_add(&ret->raised) =
				    (struct limit_raised){
					.key = known_key(key), .old = old, .set = set};
		} else if (sscanf(line, REC_LAB "%33s%n", name, &end) == 1 && !line[end] &&
			   !topo_name_error(name, TOPO_LAB_NAME_MAX)) {
			vec_push(&ret->labs, xstrdup(name));
		}
	}
}

void limits_record_format(const struct limit_record *r, struct sbuf *out)
{
	sbuf_adds(out, "# nslab: host sysctls raised for labs (KEY, value before, value set), and\n"
		       "# the labs that hold the raise; the last one's down restores them\n");
	vec_foreach (x, &r->raised)
		sbuf_addf(out, REC_RAISED "%s %lu %lu\n", x->key, x->old, x->set);
	vec_foreach (l, &r->labs)
		sbuf_addf(out, REC_LAB "%s\n", *l);
}

void limits_record_free(struct limit_record *r)
{
	vec_free(&r->raised);
	strvec_free(&r->labs);
}

static struct limit_raised *find_raised(struct limit_record *rec, const char *key)
{
	vec_foreach (x, &rec->raised)
		if (streq(x->key, key))
			return x;
	return NULL;
}

static bool holds(const struct limit_record *rec, const char *lab)
{
	vec_foreach (l, &rec->labs)
		if (streq(*l, lab))
			return true;
	return false;
}

void limits_decide_raise(struct limit_record *rec, const char *lab, const struct limit_rows *rows,
			 struct limit_writes *ret)
{
	bool relies = false;

	for (size_t i = 0; i < rows->n; i++) {
		const struct limit_row *r = &rows->v[i];
		struct limit_raised *x = find_raised(rec, r->key);
		/* without the earlier raise, this lab would be short too */
		if (r->need && x && x->old < r->need)
			relies = true;
		if (!r->known || !limits_short(rows, i) || r->cur >= r->want)
			continue; /* never lower anything */
		if (!x) {
			x = vec_add(&rec->raised);
			*x = (struct limit_raised){.key = r->key, .old = r->cur};
		}
		x->set = r->want;
		*(struct limit_write *)vec_add(ret) =
		    (struct limit_write){.key = r->key, .from = r->cur, .to = r->want};
		relies = true;
	}
	if (relies && !holds(rec, lab))
		vec_push(&rec->labs, xstrdup(lab));
}

void limits_decide_release(struct limit_record *rec, const char *lab,
			   bool (*alive)(const char *lab),
			   int (*read)(const char *key, unsigned long *ret),
			   struct limit_writes *ret, bool *ret_empty, struct sbuf *notes)
{
	size_t kept = 0;

	for (size_t i = 0; i < rec->labs.n; i++) {
		char *l = rec->labs.v[i];
		if (streq(l, lab) || !alive(l))
			free(l);
		else
			rec->labs.v[kept++] = l;
	}
	rec->labs.n = kept;
	*ret_empty = kept == 0;
	if (kept)
		return;
	/* backwards: gc_thresh1 before 3, as they were raised the other way */
	for (size_t i = rec->raised.n; i-- > 0;) {
		const struct limit_raised *x = &rec->raised.v[i];
		unsigned long cur;
		if (read(x->key, &cur) < 0 || cur == x->old)
			continue; /* an up killed before its write: nothing to undo */
		if (cur != x->set)
			sbuf_addf(
			    notes,
			    "host limit %s left at %lu: it was changed since nslab set it to %lu "
			    "(it was %lu before)\n",
			    x->key, cur, x->set, x->old);
		else
			*(struct limit_write *)vec_add(ret) =
			    (struct limit_write){.key = x->key, .from = cur, .to = x->old};
	}
}

static void say_writes(const char *what, const struct limit_writes *w, struct sbuf *notes)
{
	if (!w->n)
		return;
	sbuf_adds(notes, what);
	vec_foreach (x, w)
		sbuf_addf(notes, "%s %s %lu -> %lu", x == w->v ? ":" : ",", x->key, x->from, x->to);
	sbuf_adds(notes, "\n");
}

/* Under the lock: the record, or an empty one. */
static int load_record(struct limit_record *rec)
{
	_cleanup_free_ char *text = NULL;
	int r = rundir_host_read(&text);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	limits_record_parse(text, rec);
	return 0;
}

static int save_record(const struct limit_record *rec, bool empty)
{
	struct sbuf text = {0};
	int r;

	if (empty)
		return rundir_host_write(NULL);
	limits_record_format(rec, &text);
	r = rundir_host_write(text.s);
	sbuf_free(&text);
	return r;
}

int limits_raise(const struct topo_lab *lab, struct sbuf *err, struct sbuf *notes)
{
	struct limit_rows rows = {0};
	struct limit_record rec = {0};
	struct limit_writes w = {0};
	int lock = rundir_host_lock(err), r;

	if (lock < 0)
		return lock;
	r = load_record(&rec);
	if (r < 0) {
		sbuf_addf(err, "read the record of host limits: %s", strerror(-r));
		goto out;
	}
	limits_need_host(lab, &rows); /* the values now, under the lock */
	limits_decide_raise(&rec, lab->name, &rows, &w);
	if (!holds(&rec, lab->name))
		goto out; /* nothing short, nothing raised by another lab that we need */
	/* the old values on disk before the first write */
	r = save_record(&rec, false);
	if (r < 0) {
		sbuf_addf(err, "write the record of host limits: %s", strerror(-r));
		goto out;
	}
	vec_foreach (x, &w)
		if ((r = write_key(x->key, x->to)) < 0) {
			sbuf_addf(err, "raise host limit %s from %lu to %lu: %s", x->key, x->from,
				  x->to, strerror(-r));
			goto out; /* the caller's undo releases what was raised */
		}
	say_writes("raised host limits for the lab (its down restores them when no lab needs them)",
		   &w, notes);
out:
	limits_record_free(&rec);
	vec_free(&rows);
	vec_free(&w);
	close(lock);
	return r;
}

int limits_release(const char *name, bool (*alive)(const char *lab), struct sbuf *notes)
{
	struct limit_record rec = {0};
	struct limit_writes w = {0};
	struct sbuf err = {0};
	bool empty;
	int lock, r;

	if (!limits_held(name))
		return 0;
	lock = rundir_host_lock(&err);
	if (lock < 0) {
		sbuf_addf(notes, "%s; host limits not restored\n", err.s);
		sbuf_free(&err);
		return lock;
	}
	r = load_record(&rec);
	if (r == 0 && holds(&rec, name)) {
		struct limit_writes done = {0};
		limits_decide_release(&rec, name, alive, limits_read, &w, &empty, notes);
		vec_foreach (x, &w) {
			int e = write_key(x->key, x->to);
			if (e < 0)
				sbuf_addf(notes, "cannot restore host limit %s to %lu: %s\n",
					  x->key, x->to, strerror(-e));
			else
				vec_push(&done, *x);
		}
		say_writes("restored host limits (no lab holds them any more)", &done, notes);
		vec_free(&done);
		r = save_record(&rec, empty);
		if (r < 0)
			sbuf_addf(notes, "write the record of host limits: %s\n", strerror(-r));
	}
	limits_record_free(&rec);
	vec_free(&w);
	close(lock);
	return r;
}

void limits_holders(struct strvec *ret)
{
	struct limit_record rec = {0};
	_cleanup_free_ char *text = NULL;

	if (rundir_host_read(&text) < 0)
		return;
	limits_record_parse(text, &rec);
	vec_foreach (l, &rec.labs)
		vec_push(ret, steal_pointer(l));
	limits_record_free(&rec);
}

bool limits_held(const char *name)
{
	struct strvec labs = {0};
	bool r = false;

	limits_holders(&labs);
	vec_foreach (l, &labs)
		r |= streq(*l, name);
	strvec_free(&labs);
	return r;
}
