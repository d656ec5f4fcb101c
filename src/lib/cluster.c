// SPDX-License-Identifier: MIT
/* nslab cluster: the per-host commands on every host at once (cluster.h).
 * Each part is a child in a process group of its own, so that a terminal's
 * Ctrl-C reaches nslab alone: nslab decides what to stop and what must
 * still run (the rollback), and stops a part by signalling its group (ssh
 * and whatever it started). Its stdin is /dev/null: nothing may wait for a
 * terminal (ssh runs with BatchMode). */
#include "cluster.h"
#include "interrupt.h"
#include "probe.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#define CLUSTER_RETRY_S 2.0 /* a retried part's pause */
#define CLUSTER_KILL_S 2.0  /* from SIGTERM to SIGKILL */
#define CLUSTER_LINE_MAX 65536

static const char *const op_names[_CLUSTER_OP_MAX] = {
    [CLUSTER_UP] = "up",
    [CLUSTER_DOWN] = "down",
    [CLUSTER_CHECK] = "check",
};

const char *cluster_op_to_string(enum cluster_op op)
{
	return op >= 0 && op < _CLUSTER_OP_MAX ? op_names[op] : NULL;
}

char *cluster_dest(const struct topo_host *h)
{
	char buf[IPADDR_STRLEN];

	return xstrdup(h->ssh ? h->ssh : ipaddr_str(&h->addr, buf));
}

void cluster_remote_words(const struct cluster_opts *o, const struct topo_host *h,
			  enum cluster_op op, struct strvec *ret)
{
	if (o->sudo) {
		vec_push(ret, xstrdup("sudo"));
		vec_push(ret, xstrdup("-n"));
	}
	vec_push(ret, xstrdup(o->remote ? o->remote : "nslab"));
	/* the name is final: no prefix of the remote user's (sudo's) on it */
	vec_push(ret, xstrdup("--prefix"));
	vec_push(ret, xstrdup(""));
	vec_push(ret, xstrdup(cluster_op_to_string(op)));
	if (op == CLUSTER_UP || op == CLUSTER_DOWN) {
		vec_push(ret, xstrdup("--host"));
		vec_push(ret, xstrdup(h->name));
	}
	if (op == CLUSTER_UP) {
		vec_push(ret, xstrdup("--name"));
		vec_push(ret, xstrdup(o->lab));
		vec_push(ret, xstrdup(o->file));
		return;
	}
	if (op == CLUSTER_CHECK) {
		vec_push(ret, xstrdup("--timeout"));
		vec_push(ret, xasprintf("%u", o->check_timeout ? o->check_timeout : 60));
	}
	vec_push(ret, xstrdup(o->lab));
}

/* w as one word of the remote shell's command line. The first word is a
 * command name: 'A=B' there would be an assignment, so it is quoted. */
static char *remote_word(const char *w, bool first)
{
	struct sbuf b = {0};

	if (first && strchr(w, '=')) {
		sbuf_adds(&b, "'");
		for (const char *c = w; *c; c++)
			sbuf_adds(&b, *c == '\'' ? "'\\''" : (char[]){*c, 0});
		sbuf_adds(&b, "'");
	} else {
		sbuf_add_shword(&b, w);
	}
	return sbuf_steal(&b);
}

void cluster_argv(const struct cluster_opts *o, const struct topo_host *h, enum cluster_op op,
		  struct strvec *ret)
{
	struct strvec words = {0};

	cluster_remote_words(o, h, op, &words);
	if (o->transport) {
		vec_push(ret, xstrdup(o->transport));
		vec_push(ret, xstrdup(h->name));
		vec_push(ret, cluster_dest(h));
		vec_foreach (w, &words)
			vec_push(ret, steal_pointer(w));
	} else {
		vec_push(ret, xstrdup("ssh"));
		vec_push(ret, xstrdup("-o"));
		vec_push(ret, xstrdup("BatchMode=yes"));
		vec_foreach (s, &o->ssh_opts) {
			vec_push(ret, xstrdup("-o"));
			vec_push(ret, xstrdup(*s));
		}
		vec_push(ret, cluster_dest(h));
		vec_push(ret, xstrdup("--"));
		vec_foreach (w, &words)
			vec_push(ret, remote_word(*w, w == words.v));
	}
	strvec_free(&words);
}

void cluster_run_init(struct cluster_run *ret, const struct topo_lab *lab, enum cluster_op op)
{
	memset(ret, 0, sizeof(*ret));
	ret->op = op;
	vec_foreach (h, &lab->hosts) {
		struct cluster_part *p = vec_add(&ret->parts);
		p->host = *h;
		p->status = -1;
		p->fd[0] = p->fd[1] = -1;
	}
}

/* ---- one part ---- */

static void child_exec(char **argv, int out, int errfd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)setpgid(0, 0);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(errfd, STDERR_FILENO) < 0)
		_exit(126);
	/* what nslab ignores is the child's own business again */
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int start(struct cluster_part *p, const struct cluster_opts *o, enum cluster_op op)
{
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	struct strvec argv = {0};

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		free(p->error); /* a retry's */
		p->error = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	cluster_argv(o, p->host, op, &argv);
	vec_push(&argv, NULL);
	fflush(NULL); /* nothing buffered is written twice */
	pid_t pid = fork();
	if (pid < 0) {
		free(p->error); /* a retry's */
		p->error = xasprintf("fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_exec(argv.v, out[1], errp[1]);
	(void)setpgid(pid, pid); /* as the child does: whichever runs first */
	strvec_free(&argv);
	close(out[1]);
	close(errp[1]);
	p->pid = pid;
	p->fd[0] = out[0];
	p->fd[1] = errp[0];
	for (int i = 0; i < 2; i++)
		(void)fcntl(p->fd[i], F_SETFL, fcntl(p->fd[i], F_GETFL) | O_NONBLOCK);
	return 0;
fail:
	strvec_free(&argv);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return -1;
}

static void one_line(struct cluster_part *p, const struct cluster_opts *o, bool is_err,
		     const char *line)
{
	if (!is_err && strncmp(line, "  ok    ", 8) == 0)
		p->ok++;
	else if (!is_err && strncmp(line, "  FAIL  ", 8) == 0)
		p->failed++;
	else if (!is_err && (strstr(line, " expectations hold in lab '") ||
			     strstr(line, "' declares no expectations")))
		p->summary = true;
	if (is_err && o->file && strstr(line, "cannot read topology '") && strstr(line, o->file) &&
	    strstr(line, strerror(ENOENT)))
		p->no_file = true;
	if (o->line)
		o->line(p->host, is_err, line, o->data);
}

/* Hand on the whole lines read so far; at the end, the rest too. */
static void drain(struct cluster_part *p, const struct cluster_opts *o, int i, bool end)
{
	struct sbuf *b = &p->pending[i];
	char *s = b->s, *nl;

	while (s && (nl = memchr(s, '\n', b->len - (size_t)(s - b->s)))) {
		*nl = '\0';
		one_line(p, o, i == 1, s);
		s = nl + 1;
	}
	size_t rest = s ? b->len - (size_t)(s - b->s) : 0;
	if (rest && (end || rest >= CLUSTER_LINE_MAX)) {
		s[rest] = '\0';
		one_line(p, o, i == 1, s);
		rest = 0;
	}
	if (s && s != b->s)
		memmove(b->s, s, rest + 1);
	b->len = rest;
	if (b->s)
		b->s[rest] = '\0';
}

/* Read what fd i has; at its end or with `last`, close it. */
static void read_fd(struct cluster_part *p, const struct cluster_opts *o, int i, bool last)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(p->fd[i], buf, sizeof(buf))) > 0) {
		sbuf_addf(&p->pending[i], "%.*s", (int)n, buf);
		drain(p, o, i, false);
	}
	if (n == 0 || last || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drain(p, o, i, true);
		close(p->fd[i]);
		p->fd[i] = -1;
	}
}

static void stop(struct cluster_part *p, int sig)
{
	if (p->pid > 0)
		(void)kill(-p->pid, sig);
}

/* ---- all parts ---- */

static void reap(struct cluster_run *r, const struct cluster_opts *o, struct cluster_part *p,
		 int status, double now)
{
	/* what it wrote before it exited (a child of its own may hold the
	 * pipe open: ssh's ControlPersist master) */
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0)
			read_fd(p, o, i, true);
	p->pid = 0;
	p->status = WIFEXITED(status)	  ? WEXITSTATUS(status)
		    : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
					  : 1;
	if (p->status && p->retry && !p->timed_out && !p->interrupted && !r->interrupted &&
	    now + CLUSTER_RETRY_S < p->deadline)
		p->again = now + CLUSTER_RETRY_S;
}

static bool busy(const struct cluster_run *r)
{
	vec_foreach (p, &r->parts)
		if (p->pid > 0 || p->again > 0)
			return true;
	return false;
}

static void tick(struct cluster_run *r, const struct cluster_opts *o, double now)
{
	vec_foreach (p, &r->parts) {
		if (p->pid > 0 && now >= p->deadline + CLUSTER_KILL_S) {
			stop(p, SIGKILL);
		} else if (p->pid > 0 && now >= p->deadline && !p->timed_out && !p->interrupted) {
			p->timed_out = true;
			stop(p, SIGTERM);
		}
		if (p->again > 0 && now >= p->again) {
			p->again = 0;
			if (start(p, o, r->op) < 0)
				p->status = -1;
		}
	}
}

static void wait_some(struct cluster_run *r, const struct cluster_opts *o)
{
	size_t max = 2 * r->parts.n + 1;
	_cleanup_free_ struct pollfd *fds = xcalloc(max, sizeof(*fds));
	_cleanup_free_ struct cluster_part **owner = xcalloc(max, sizeof(*owner));
	_cleanup_free_ int *which = xcalloc(max, sizeof(*which));
	nfds_t n = 0;

	vec_foreach (p, &r->parts)
		for (int i = 0; i < 2; i++)
			if (p->fd[i] >= 0) {
				fds[n] = (struct pollfd){.fd = p->fd[i], .events = POLLIN};
				owner[n] = p;
				which[n++] = i;
			}
	/* 50 ms: the deadlines, signals and exits are looked at that often */
	if (poll(fds, n, 50) > 0)
		for (nfds_t k = 0; k < n; k++)
			if (fds[k].revents && owner[k]->fd[which[k]] >= 0)
				read_fd(owner[k], o, which[k], false);
	vec_foreach (p, &r->parts) {
		int status;
		if (p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == p->pid)
			reap(r, o, p, status, probe_now());
	}
}

static size_t running(const struct cluster_run *r)
{
	size_t n = 0;

	vec_foreach (p, &r->parts)
		n += p->pid > 0;
	return n;
}

/* A signal caught: stop every part, or (`finishing`) let them run to
 * their end until a second one. */
static void on_interrupt(struct cluster_run *r, const struct cluster_opts *o, int sig,
			 bool finishing)
{
	if (!r->interrupted) {
		r->interrupted = sig;
		vec_foreach (p, &r->parts)
			p->again = 0;
		if (finishing && o->finishing && running(r))
			o->finishing(sig, running(r), o->data);
	}
	if (!finishing || interrupt_again())
		vec_foreach (p, &r->parts)
			if (p->pid > 0 && !p->interrupted) {
				p->interrupted = true;
				stop(p, SIGTERM);
				p->deadline = probe_now(); /* SIGKILL if it lingers */
			}
}

int cluster_run(struct cluster_run *r, const struct cluster_opts *o,
		enum cluster_on_signal on_signal)
{
	double t0 = probe_now();
	bool heed = on_signal != CLUSTER_SIGNAL_IGNORED;
	int rc = 0;

	/* SIGCHLD ignored (inherited so) would reap the parts before waitpid */
	(void)signal(SIGCHLD, SIG_DFL);

	vec_foreach (p, &r->parts) {
		p->deadline = t0 + (o->timeout ? o->timeout : 300);
		if (heed && interrupt_signal())
			break;
		if (start(p, o, r->op) < 0)
			p->status = -1;
	}
	while (busy(r)) {
		if (heed && interrupt_signal())
			on_interrupt(r, o, interrupt_signal(),
				     on_signal == CLUSTER_SIGNAL_FINISHES);
		tick(r, o, probe_now());
		wait_some(r, o);
	}
	if (heed && interrupt_signal())
		r->interrupted = interrupt_signal();
	vec_foreach (p, &r->parts)
		if (p->status != 0)
			rc = -1;
	return rc;
}

void cluster_run_free(struct cluster_run *r)
{
	vec_foreach (p, &r->parts) {
		free(p->error);
		for (int i = 0; i < 2; i++) {
			sbuf_free(&p->pending[i]);
			if (p->fd[i] >= 0)
				close(p->fd[i]);
		}
	}
	vec_free(&r->parts);
}
