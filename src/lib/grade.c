// SPDX-License-Identifier: MIT
/* nslab grade: students' labs, each in a child process of its own (up,
 * the reference's checks, always down), a few at a time. A child hands its
 * row back through a memfd, as lines; the parent reads it once the child
 * has exited, so a child never blocks on a full pipe. */
#include "grade.h"
#include "check.h"
#include "interrupt.h"
#include "kathara.h"
#include "lab.h"
#include "parse.h"
#include "probe.h"
#include "runtime.h"
#include "show.h"
#include "state.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- lab names ---- */

static bool plain(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* The student's own name: the file's without ".ini", or its folder's. */
static char *student_stem(const char *student)
{
	char *abs = realpath(student, NULL);
	char *path = abs ? abs : xstrdup(student);
	size_t l = strlen(path);

	while (l > 1 && path[l - 1] == '/')
		path[--l] = '\0';
	char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* "alice/lab.ini": the folder says whose it is */
	if (streq(base, "lab.ini") && base > path + 1) {
		base[-1] = '\0';
		char *up = strrchr(path, '/');
		base = up ? up + 1 : path;
	}
	l = strlen(base);
	if (l > 4 && streq(base + l - 4, ".ini"))
		base[l - 4] = '\0';
	/* letters, digits and '_' kept; every other run of characters one '-' */
	struct sbuf b = {0};
	for (const char *c = base; *c; c++) {
		if (plain(*c) && *c != '-')
			sbuf_addf(&b, "%c", *c);
		else if (b.len && b.s[b.len - 1] != '-')
			sbuf_adds(&b, "-");
	}
	free(path);
	while (b.len && !isalnum((unsigned char)b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	char *s = b.s ? sbuf_steal(&b) : xstrdup("");
	size_t skip = 0;
	while (s[skip] && !isalnum((unsigned char)s[skip]))
		skip++;
	memmove(s, s + skip, strlen(s + skip) + 1);
	if (!*s) {
		free(s);
		s = xstrdup("student");
	}
	return s;
}

char *grade_lab_name(const char *student, const char *prefix,
		     bool (*taken)(const char *name, void *data), void *data)
{
	_cleanup_free_ char *stem = student_stem(student);

	for (unsigned k = 1;; k++) {
		char suffix[16] = "";
		if (k > 1)
			snprintf(suffix, sizeof(suffix), "-%u", k);
		size_t fixed = strlen(prefix) + strlen(suffix);
		size_t room = fixed < TOPO_LAB_NAME_MAX ? TOPO_LAB_NAME_MAX - fixed : 0;
		size_t n = strnlen(stem, room);
		/* a cut stem ends with a letter or digit, as a name must */
		while (n > 1 && !isalnum((unsigned char)stem[n - 1]))
			n--;
		char *name = xasprintf("%s%.*s%s", prefix, (int)n, stem, suffix);
		if (!topo_name_error(name, TOPO_LAB_NAME_MAX) && !(taken && taken(name, data)))
			return name;
		free(name);
		if (k > 10000) /* a prefix no name can start with: the caller checks it */
			return xasprintf("%sstudent", prefix);
	}
}

/* ---- loading ---- */

static int is_ini(const struct dirent *e)
{
	size_t l = strlen(e->d_name);
	return l > 4 && e->d_name[0] != '.' && streq(e->d_name + l - 4, ".ini");
}

/* The topology in folder dir: its lab.ini, or its only *.ini. */
static char *folder_topology(const char *dir, struct sbuf *why)
{
	char *lab = xasprintf("%s/lab.ini", dir);
	struct dirent **list = NULL;

	if (access(lab, F_OK) == 0)
		return lab;
	free(lab);
	int n = scandir(dir, &list, is_ini, alphasort);
	char *ret = NULL;
	if (n < 0)
		sbuf_addf(why, "cannot read folder '%s': %s", dir, strerror(errno));
	else if (n == 0)
		sbuf_addf(why, "folder '%s' holds no lab.ini, no other *.ini and no lab.conf", dir);
	else if (n == 1)
		ret = xasprintf("%s/%s", dir, list[0]->d_name);
	else {
		sbuf_addf(why, "folder '%s' holds %d *.ini files (", dir, n);
		for (int i = 0; i < n; i++)
			sbuf_addf(why, "%s%s", i ? ", " : "", list[i]->d_name);
		sbuf_addf(why, ") and no lab.ini: name one of them");
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return ret;
}

struct topo_lab *grade_load(const char *path, struct diag *d, struct sbuf *why, struct sbuf *notes)
{
	struct stat st;
	int e = 0;

	if (stat(path, &st) < 0) {
		sbuf_addf(why, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode) && kathara_is_lab(path))
		return kathara_load(path, d, notes);
	_cleanup_free_ char *file =
	    S_ISDIR(st.st_mode) ? folder_topology(path, why) : xstrdup(path);
	if (!file)
		return NULL;
	struct topo_lab *lab = topo_load(file, d, &e);
	if (!lab && e)
		sbuf_addf(why, "cannot read '%s': %s", file, strerror(-e));
	return lab;
}

/* ---- one student, in its child ---- */

/* What a child hands back: one line per item, tab-separated, with '\\',
 * tab and newline escaped. */
static void put_field(FILE *f, const char *s)
{
	fputc('\t', f);
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_line(FILE *f, const char *tag, const char *a, const char *b)
{
	fputs(tag, f);
	if (a)
		put_field(f, a);
	if (b)
		put_field(f, b);
	fputc('\n', f);
	fflush(f);
}

/* Each [expect] line failed as a whole, when its lab never ran. */
static void fail_all(FILE *f, const struct topo_lab *ref, const char *why)
{
	vec_foreach (e, &ref->expects) {
		_cleanup_free_ char *name =
		    xasprintf("%s %s %s", topo_expect_kind_to_string(e->kind), e->from, e->rest);
		_cleanup_free_ char *line = xasprintf("fail %u", e->loc.line);
		put_line(f, line, name, why);
	}
	if (ref->grade.diff)
		put_line(f, "fail 0", "diff", why);
}

static void notes_out(FILE *f, struct sbuf *notes)
{
	for (char *line = notes->s, *end; line && *line; line = end) {
		end = strchrnul(line, '\n');
		_cleanup_free_ char *one = xstrndup(line, (size_t)(end - line));
		put_line(f, "note", one, NULL);
		if (*end)
			end++;
	}
	sbuf_reset(notes);
}

static void diff_out(FILE *f, const struct topo_lab *ref, const char *lab)
{
	struct show_lab s;
	struct facts want = {0}, have = {0};
	struct state_diff d;
	int r = show_read(lab, NULL, SHOW_PEERS | SHOW_TABLES, &s);

	if (r < 0) {
		_cleanup_free_ char *why = xasprintf("cannot read the lab: %s", strerror(-r));
		put_line(f, "fail 0", "diff", why);
		return;
	}
	state_expected(ref, &want);
	state_kernel(&s, &want, &have);
	state_compare(&want, &have, &d);
	vec_foreach (ch, &d.changes) {
		const struct fact *x = ch->file ? ch->file : ch->kernel;
		const char *v = x->value;
		_cleanup_free_ char *name = xasprintf("diff %s %s%s%s%s", x->node, x->key,
						      ch->file && ch->kernel ? ""
						      : *v		     ? " '"
									     : "",
						      ch->file && ch->kernel ? "" : v,
						      ch->file && ch->kernel ? ""
						      : *v		     ? "'"
									     : "");
		_cleanup_free_ char *why =
		    ch->file && ch->kernel ? xasprintf("the reference has '%s', the lab '%s'",
						       ch->file->value, ch->kernel->value)
					   : xstrdup(ch->file ? "in the reference, not in the lab"
							      : "in the lab, not in the reference");
		put_line(f, "fail 0", name, why);
	}
	if (!d.changes.n)
		put_line(f, "pass 0", "diff: the lab matches the reference", NULL);
	state_diff_free(&d);
	facts_free(&want);
	facts_free(&have);
	show_free(&s);
}

/* The child's work; f is its memfd. Stage lines: "making" before up (from
 * then on the lab is ours to take down), "down" once it is down. */
static void grade_child(const struct topo_lab *ref, const char *student, const char *name,
			const struct grade_opts *o, FILE *f)
{
	struct diag d = {0};
	struct sbuf why = {0}, notes = {0};
	struct lab_up_opts up = {0};
	struct lab_info info;
	bool found;
	struct topo_lab *lab = grade_load(student, &d, &why, &notes);

	notes_out(f, &notes);
	if (!lab && diag_count(&d)) {
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		if (m) {
			diag_print(&d, m);
			fclose(m);
		}
		while (len && text[len - 1] == '\n')
			text[--len] = '\0';
		sbuf_addf(&why, "does not validate: %s", text ? text : "");
		free(text);
	}
	if (!lab) {
		put_line(f, "error", why.s, NULL);
		fail_all(f, ref, "not run: the lab could not be loaded");
		goto out;
	}
	free(lab->name);
	lab->name = xstrdup(name);
	topo_name_namespaces(lab);
	/* the host's limits are the teacher's to raise, not a student's */
	lab->host_limits = false;
	up.host_limits = o->host_limits || ref->host_limits;
	/* never touch a lab we did not make: one that came up since the
	 * name was picked stays, and this student is not graded */
	if (lab_get(name, &info) == 0) {
		lab_info_free(&info);
		_cleanup_free_ char *e =
		    xasprintf("a lab named '%s' is up already (not ours): left alone", name);
		put_line(f, "error", e, NULL);
		fail_all(f, ref, "not run: no lab");
		goto out;
	}
	put_line(f, "making", NULL, NULL);
	int r = lab_up(lab, &up, &why, &notes);
	notes_out(f, &notes);
	if (r < 0) {
		_cleanup_free_ char *e =
		    r == -EINTR
			? xasprintf("up interrupted by %s", interrupt_name(interrupt_signal()))
			: xasprintf("did not come up: %s", why.len ? why.s : strerror(-r));
		put_line(f, "error", e, NULL);
		fail_all(f, ref, "not run: the lab did not come up");
	} else {
		struct check_results res = {0};
		if (check_run_in(ref, name, o->timeout, &res) < 0) {
			put_line(f, "error", "the lab is not up after up", NULL);
			fail_all(f, ref, "not run");
		} else {
			vec_foreach (c, &res) {
				_cleanup_free_ char *tag =
				    xasprintf("%s %u", c->ok ? "pass" : "fail", c->loc.line);
				put_line(f, tag, c->name,
					 c->ok	     ? NULL
					 : c->detail ? c->detail
						     : "");
			}
			if (ref->grade.diff && !interrupt_signal())
				diff_out(f, ref, name);
			else if (ref->grade.diff)
				put_line(f, "fail 0", "diff", "not run: interrupted");
		}
		check_results_free(&res);
	}
	/* always down (up undoes a half-made lab itself; this also clears
	 * what a failed undo left), except a lab of that name that another
	 * nslab brought up since the check above: -EALREADY, not ours */
	sbuf_reset(&why);
	if (r == -EALREADY) {
		put_line(f, "down", NULL, NULL);
	} else if (lab_down(name, &found, &why, &notes) < 0) {
		_cleanup_free_ char *e = xasprintf("down: %s", why.len ? why.s : "failed");
		put_line(f, "note", e, NULL);
	} else {
		notes_out(f, &notes);
		put_line(f, "down", NULL, NULL);
	}
out:
	diag_free(&d);
	sbuf_free(&why);
	sbuf_free(&notes);
	if (lab)
		topo_lab_free(lab);
}

/* ---- reading a child's lines ---- */

static char *unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			*o++ = s[i] == 't' ? '\t' : s[i] == 'n' ? '\n' : s[i];
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* Field k (from 1) of a line, or NULL. */
static char *field(const char *line, unsigned k)
{
	const char *p = line;

	for (unsigned i = 0; i < k; i++) {
		p = strchr(p, '\t');
		if (!p)
			return NULL;
		p++;
	}
	return unescape(p, strcspn(p, "\t"));
}

struct child {
	pid_t pid;
	int fd;
	size_t row;
	double start;
};

static void read_row(int fd, struct grade_row *row, bool *made, bool *down)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	*made = *down = false;
	if (dup_fd < 0 || lseek(dup_fd, 0, SEEK_SET) < 0 || !(f = fdopen(dup_fd, "r"))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	text = read_stream(f);
	for (char *line = text, *end; *line; line = end) {
		end = strchrnul(line, '\n');
		if (*end)
			*end++ = '\0';
		unsigned ln = 0;
		if (streq(line, "making"))
			*made = true;
		else if (streq(line, "down"))
			*down = true;
		else if (strncmp(line, "error\t", 6) == 0) {
			free(row->error);
			row->error = field(line, 1);
		} else if (strncmp(line, "note\t", 5) == 0)
			vec_push(&row->notes, field(line, 1));
		else if (sscanf(line, "pass %u", &ln) == 1 || sscanf(line, "fail %u", &ln) == 1) {
			struct grade_check *c = vec_add(&row->checks);
			c->ok = line[0] == 'p';
			c->line = ln;
			c->name = field(line, 1);
			c->detail = c->ok ? NULL : field(line, 2);
			if (!c->name)
				c->name = xstrdup("?");
			if (!c->ok && !c->detail)
				c->detail = xstrdup("");
		}
	}
}

static void finish_child(struct child *c, int status, struct grade_report *r)
{
	struct grade_row *row = &r->rows.v[c->row];
	bool made, down;

	read_row(c->fd, row, &made, &down);
	close(c->fd);
	row->seconds = probe_now() - c->start;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *e = WIFSIGNALED(status)
			      ? xasprintf("grading stopped: the child was killed by signal %d",
					  WTERMSIG(status))
			      : xasprintf("grading stopped: the child exited with status %d",
					  WEXITSTATUS(status));
		if (row->error) {
			vec_push(&row->notes, e);
		} else {
			row->error = e;
		}
	}
	/* a child that died between up and down leaves its lab: ours, so down */
	if (made && !down) {
		struct sbuf why = {0}, notes = {0};
		bool found;
		if (lab_down(row->lab, &found, &why, &notes) < 0)
			vec_push(&row->notes,
				 xasprintf("down '%s': %s", row->lab, why.len ? why.s : "failed"));
		else if (found)
			vec_push(&row->notes,
				 xasprintf("took lab '%s' down after its child", row->lab));
		sbuf_free(&why);
		sbuf_free(&notes);
	}
	row->passed = row->failed = 0;
	vec_foreach (x, &row->checks) {
		row->passed += x->ok;
		row->failed += !x->ok;
	}
}

static bool start_child(const struct topo_lab *ref, const char *student, const struct grade_opts *o,
			struct child *c, struct grade_row *row)
{
	int fd = memfd_create("nslab-grade", MFD_CLOEXEC);

	if (fd < 0) {
		row->error = xasprintf("memfd_create: %s", strerror(errno));
		return false;
	}
	fflush(NULL); /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid < 0) {
		row->error = xasprintf("fork: %s", strerror(errno));
		close(fd);
		return false;
	}
	if (pid == 0) {
		FILE *f = fdopen(fd, "w");
		if (!f)
			_exit(3);
		grade_child(ref, student, row->lab, o, f);
		fclose(f);
		_exit(0);
	}
	c->pid = pid;
	c->fd = fd;
	c->start = probe_now();
	return true;
}

/* ---- the run ---- */

static bool name_taken(const char *name, void *data)
{
	struct grade_report *r = data;
	struct lab_info info;

	vec_foreach (row, &r->rows)
		if (row->lab && streq(row->lab, name))
			return true;
	if (lab_get(name, &info) == 0) {
		lab_info_free(&info);
		return true;
	}
	return false;
}

void grade_run(const struct topo_lab *ref, char *const *students, size_t n,
	       const struct grade_opts *o, struct grade_report *ret)
{
	unsigned jobs = o->jobs ? o->jobs : 1;
	_cleanup_free_ struct child *kids = xcalloc(jobs, sizeof(*kids));
	size_t next = 0, running = 0;
	bool passed_on = false;

	ret->reference = ref->file;
	for (size_t i = 0; i < n; i++) {
		/* names first, in argument order: the same names whatever -j */
		char *name = grade_lab_name(students[i], o->prefix, name_taken, ret);
		struct grade_row *row = vec_add(&ret->rows);
		row->student = xstrdup(students[i]);
		row->lab = name;
	}
	while (next < n || running) {
		while (!interrupt_signal() && running < jobs && next < n) {
			struct grade_row *row = &ret->rows.v[next];
			size_t slot = 0;
			while (kids[slot].pid)
				slot++;
			kids[slot].row = next++;
			if (start_child(ref, row->student, o, &kids[slot], row))
				running++;
		}
		if (interrupt_signal() && !passed_on) {
			/* a terminal's Ctrl-C reached them too; a kill of
			 * nslab alone did not */
			for (unsigned k = 0; k < jobs; k++)
				if (kids[k].pid)
					(void)kill(kids[k].pid, interrupt_signal());
			passed_on = true;
		}
		if (!running)
			break;
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0) {
			runtime_nap_ms(20);
			continue;
		}
		for (unsigned k = 0; k < jobs; k++)
			if (kids[k].pid == pid) {
				finish_child(&kids[k], status, ret);
				if (o->done)
					o->done(&ret->rows.v[kids[k].row], o->data);
				kids[k].pid = 0;
				running--;
			}
	}
	ret->interrupted = interrupt_signal();
	for (size_t i = next; i < n; i++) {
		struct grade_row *row = &ret->rows.v[i];
		row->error =
		    xasprintf("not graded: interrupted by %s", interrupt_name(ret->interrupted));
		free(row->lab);
		row->lab = NULL;
	}
}

void grade_report_free(struct grade_report *r)
{
	vec_foreach (row, &r->rows) {
		free(row->student);
		free(row->lab);
		free(row->error);
		vec_foreach (c, &row->checks) {
			free(c->name);
			free(c->detail);
		}
		vec_free(&row->checks);
		strvec_free(&row->notes);
	}
	vec_free(&r->rows);
}

bool grade_all_passed(const struct grade_report *r)
{
	if (r->interrupted)
		return false;
	vec_foreach (row, &r->rows)
		if (row->error || row->failed || !row->checks.n)
			return false;
	return true;
}
