// SPDX-License-Identifier: MIT
/* [node] key 'service': service = NAME [ready COND] [timeout DURATION] CMD...
 * A long-running daemon, started in the node after its startup lines as
 * `sh -c 'exec CMD'` in a session of its own, its output in the node's log.
 * Up waits until COND holds: tcp:PORT (a socket listens), udp:PORT (one is
 * bound), file:PATH (it exists in the node) or any other word, a shell
 * command that must succeed in the node; with none, until it has run for a
 * moment. A service that exits or is not ready in time fails up. `down`
 * stops it (runtime_stop_services). */
#include "node-key.h"
#include "nl.h"
#include "rundir.h"
#include "runtime.h"
#include "interrupt.h"
#include "lab.h"
#include "words.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define SERVICE_TIMEOUT_MS 10000
#define SERVICE_SETTLE_MS 200 /* READY_RUNNING: alive this long */

static const char usage[] =
	"write 'service = NAME [ready tcp:PORT|udp:PORT|file:PATH|'CMD'] [timeout 10s] CMD...', "
	"e.g. 'service = web ready tcp:80 apache2ctl -D FOREGROUND'";

static int parse_ready(struct topo_service *sv, const char *cond)
{
	char *end;

	if (strncmp(cond, "tcp:", 4) == 0 || strncmp(cond, "udp:", 4) == 0) {
		unsigned long port = strtoul(cond + 4, &end, 10);
		if (!cond[4] || *end || port == 0 || port > 65535)
			return -EINVAL;
		sv->ready = cond[0] == 't' ? READY_TCP : READY_UDP;
		sv->port = (uint16_t)port;
	} else if (strncmp(cond, "file:", 5) == 0) {
		if (cond[5] != '/')
			return -EINVAL;
		sv->ready = READY_FILE;
		sv->ready_arg = xstrdup(cond + 5);
	} else {
		sv->ready = READY_CMD;
		sv->ready_arg = xstrdup(cond);
	}
	return 0;
}

static void service_clear(struct topo_service *sv)
{
	free(sv->name);
	free(sv->cmd);
	free(sv->ready_arg);
}

static int parse_service(struct topo_node *n, char *value, const struct topo_loc *loc,
			 struct diag *d)
{
	struct topo_service sv = {.loc = *loc, .timeout_ms = SERVICE_TIMEOUT_MS};
	const char *s = value, *why = NULL, *rest;
	char *w = NULL;
	int r = words_next(&s, &w, &why);

	if (r <= 0 || topo_name_error(w, TOPO_NODE_NAME_MAX)) {
		diag_add(d, loc, usage, r < 0 ? "service: %s" : "'service' needs a NAME (letters, digits, '_', '-', '.') and a command",
			 why);
		free(w);
		return -EINVAL;
	}
	sv.name = w;
	for (;;) {
		rest = s;
		char *opt = NULL, *arg = NULL;
		if ((r = words_next(&s, &opt, &why)) <= 0)
			break;
		if (!streq(opt, "ready") && !streq(opt, "timeout")) {
			free(opt);
			break;
		}
		r = words_next(&s, &arg, &why);
		if (r <= 0) {
			diag_add(d, loc, usage, r < 0 ? "service '%s': %s" : "service '%s': '%s' needs a value",
				 sv.name, r < 0 ? why : opt);
			free(opt);
			service_clear(&sv);
			return -EINVAL;
		}
		int bad = streq(opt, "ready") ? parse_ready(&sv, arg)
					      : parse_duration_ms(arg, 3600 * 1000, &sv.timeout_ms);
		if (bad || (streq(opt, "timeout") && !sv.timeout_ms)) {
			diag_add(d, loc, usage, "service '%s': bad %s '%s'", sv.name, opt, arg);
			free(opt);
			free(arg);
			service_clear(&sv);
			return -EINVAL;
		}
		free(opt);
		free(arg);
	}
	if (r < 0) {
		diag_add(d, loc, usage, "service '%s': %s", sv.name, why);
		service_clear(&sv);
		return -EINVAL;
	}
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (!*rest) {
		diag_add(d, loc, usage, "service '%s' has no command", sv.name);
		service_clear(&sv);
		return -EINVAL;
	}
	vec_foreach(o, &n->services) if (streq(o->name, sv.name))
	{
		diag_add(d, loc, "give each service of a node its own name",
			 "node '%s' has two services named '%s' (the first at line %u)", n->name,
			 sv.name, o->loc.line);
		service_clear(&sv);
		return -EINVAL;
	}
	sv.cmd = xstrdup(rest);
	vec_push(&n->services, sv);
	return 0;
}

/* The program a command line starts, when it is a plain word (no shell
 * syntax, no VAR=value first): NULL when it cannot tell. */
static char *program_of(const char *cmd)
{
	const char *s = cmd, *why;
	char *w = NULL;

	if (strpbrk(cmd, "$`|&;<>(){}") || words_next(&s, &w, &why) <= 0)
		return NULL;
	if (strchr(w, '=') || streq(w, "exec") || streq(w, "env") || !*w) {
		free(w);
		return NULL;
	}
	return w;
}

static void validate_services(struct topo_lab *lab, struct diag *d)
{
	vec_foreach(np, &lab->nodes) vec_foreach(sv, &(*np)->services)
	{
		_cleanup_free_ char *prog = program_of(sv->cmd);
		char hint[256];
		if (!prog || runtime_find_program(prog, *np))
			continue;
		snprintf(hint, sizeof(hint),
			 "install the Debian package that has it (apt-file search -x '/%s$' tells "
			 "which), or give its path in the node's folder",
			 prog);
		diag_add(d, &sv->loc, hint, "service '%s' of node '%s': '%s' is not installed",
			 sv->name, (*np)->name, prog);
	}
}

static const struct topo_service *service_of(const struct step *s)
{
	return s->data;
}

static void print_service(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_service *sv = service_of(s);
	_cleanup_free_ char *cmd = xasprintf("exec %s", sv->cmd);
	static const char *const how[] = {
		[READY_RUNNING] = "it keeps running",
		[READY_TCP] = "a TCP socket listens on port",
		[READY_UDP] = "a UDP socket is bound to port",
		[READY_FILE] = "this file exists in the node:",
		[READY_CMD] = "this command succeeds in the node:",
	};

	sbuf_adds(out, "setsid ");
	runtime_print_enter(p->lab, s->node, out);
	sbuf_adds(out, "sh -c ");
	sbuf_add_shword(out, cmd);
	runtime_print_log(p->lab, s->node, out);
	sbuf_addf(out, " </dev/null &\n# service %s is ready when %s", sv->name, how[sv->ready]);
	if (sv->ready == READY_TCP || sv->ready == READY_UDP)
		sbuf_addf(out, " %u", sv->port);
	else if (sv->ready_arg)
		sbuf_addf(out, " %s", sv->ready_arg);
	sbuf_addf(out, " (within %.3g s)\n", sv->timeout_ms / 1000.0);
}

static void describe_service(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "start service '%s'", service_of(s)->name);
}

/* The inodes of the sockets in a table of the service's namespace
 * (/proc/PID/net/tcp, ...) on port, in state (0A: listening; 07: a bound
 * UDP socket). */
static size_t sockets_on(pid_t pid, const char *table, uint16_t port, const char *state,
			 unsigned long *inodes, size_t max)
{
	char path[64], line[512];
	size_t n = 0;
	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, table);
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	while (f && n < max && fgets(line, sizeof(line), f)) {
		char local[64], st[8];
		unsigned p;
		unsigned long ino;
		/* sl local remote st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*s %63s %*s %7s %*s %*s %*s %*s %*s %lu", local, st, &ino) != 3)
			continue;
		char *colon = strrchr(local, ':');
		if (colon && sscanf(colon + 1, "%x", &p) == 1 && p == port && streq(st, state) && ino)
			inodes[n++] = ino;
	}
	return n;
}

/* Does a process of the service's session (it and what it started: the
 * daemon behind apache2ctl) hold one of these sockets? Another program's
 * socket on the port is not this service being ready. */
static bool session_holds(pid_t sid, const unsigned long *inodes, size_t n)
{
	DIR *proc = n ? opendir("/proc") : NULL;
	struct dirent *e;
	bool found = false;

	while (proc && !found && (e = readdir(proc))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		char path[64], buf[512];
		if (pid <= 0)
			continue;
		if (pid != sid) {
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
			ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
			if (len <= 0)
				continue;
			buf[len] = '\0';
			const char *p = strrchr(buf, ')');
			int session = 0;
			/* ") S PPID PGRP SESSION" */
			if (!p || sscanf(p + 1, " %*c %*d %*d %d", &session) != 1 || session != sid)
				continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		DIR *fds = opendir(path);
		struct dirent *f;
		while (fds && !found && (f = readdir(fds))) {
			char link[320], target[64];
			snprintf(link, sizeof(link), "/proc/%d/fd/%s", (int)pid, f->d_name);
			ssize_t l = readlink(link, target, sizeof(target) - 1);
			unsigned long ino;
			if (l <= 0)
				continue;
			target[l] = '\0';
			if (sscanf(target, "socket:[%lu]", &ino) != 1)
				continue;
			for (size_t i = 0; i < n && !found; i++)
				found = inodes[i] == ino;
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return found;
}

static bool listens(pid_t pid, bool tcp, uint16_t port)
{
	unsigned long inodes[64];
	const char *state = tcp ? "0A" : "07";
	size_t n = sockets_on(pid, tcp ? "tcp" : "udp", port, state, inodes, ARRAY_SIZE(inodes));

	n += sockets_on(pid, tcp ? "tcp6" : "udp6", port, state, inodes + n, ARRAY_SIZE(inodes) - n);
	return session_holds(pid, inodes, n);
}

static bool is_ready(const struct nl_ctx *nl, const struct step *s, pid_t pid, long long started)
{
	const struct topo_service *sv = service_of(s);

	switch (sv->ready) {
	case READY_RUNNING:
		return runtime_now_ms() - started >= SERVICE_SETTLE_MS;
	case READY_TCP:
	case READY_UDP:
		return listens(pid, sv->ready == READY_TCP, sv->port);
	case READY_FILE: {
		/* its root is the node's: the path as the node sees it */
		_cleanup_free_ char *p = xasprintf("/proc/%d/root%s", (int)pid, sv->ready_arg);
		return access(p, F_OK) == 0;
	}
	case READY_CMD: {
		char *argv[] = {"sh", "-c", sv->ready_arg, NULL};
		struct sbuf why = {0};
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		struct runtime_cmd c = {.lab = nl->plan->lab->name, .node = s->node->name, .argv = argv,
					.stdin_fd = -1, .out_fd = null, .timeout_ms = 5000};
		int r = null < 0 ? -errno : runtime_run(&c, &why);
		if (null >= 0)
			close(null);
		sbuf_free(&why);
		return r == 0;
	}
	}
	return false;
}

static int apply_service(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_service *sv = service_of(s);
	const char *lab = nl->plan->lab->name, *node = s->node->name;
	_cleanup_free_ char *cmd = xasprintf("exec %s", sv->cmd);
	char *argv[] = {"sh", "-c", cmd, NULL};
	int log = runtime_log_open(lab, node), status;

	if (log >= 0) {
		dprintf(log, "# nslab: service %s (%s:%u): %s\n", sv->name, sv->loc.file, sv->loc.line,
			sv->cmd);
		close(log);
	}
	long off = runtime_log_size(lab, node);
	struct runtime_cmd c = {.lab = lab, .node = node, .argv = argv, .stdin_fd = -1, .out_fd = -1,
				.keep = true};
	int pid = runtime_run(&c, err);
	if (pid < 0)
		return pid;
	lab_test_kill_at("service-spawned"); /* running, not yet on record */
	/* on record before anything else: down stops what the record names */
	struct rundir_service rec = {.node = (char *)node, .name = sv->name, .pid = pid,
				     .start = runtime_proc_start(pid), .since = time(NULL),
				     .cmd = sv->cmd};
	int r = rundir_add_service(lab, &rec);
	if (r < 0) {
		sbuf_addf(err, "write the record of services: %s", strerror(-r));
		(void)kill(-pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return r;
	}
	lab_test_kill_at("service-recorded"); /* on record, not yet ready */
	long long started = runtime_now_ms(), deadline = started + sv->timeout_ms;
	for (unsigned nap = 2;; nap = nap < 100 ? nap * 2 : 100) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			if (WIFEXITED(status))
				sbuf_addf(err, "it exited with status %d during up; its output:",
					  WEXITSTATUS(status));
			else
				sbuf_addf(err, "it was killed by signal %d during up; its output:",
					  WTERMSIG(status));
			runtime_log_tail(lab, node, off, 15, err);
			return -ECHILD;
		}
		if (is_ready(nl, s, pid, started))
			return 0;
		if (interrupt_signal())
			return -EINTR; /* down stops it */
		if (runtime_now_ms() >= deadline) {
			sbuf_addf(err, "not ready after %.3g s (ready when ", sv->timeout_ms / 1000.0);
			if (sv->ready == READY_TCP || sv->ready == READY_UDP)
				sbuf_addf(err, "%s port %u listens", sv->ready == READY_TCP ? "TCP" : "UDP",
					  sv->port);
			else if (sv->ready == READY_FILE)
				sbuf_addf(err, "%s exists", sv->ready_arg);
			else
				sbuf_addf(err, "'%s' succeeds", sv->ready_arg);
			sbuf_adds(err, "; 'timeout 30s' waits longer); its output:");
			runtime_log_tail(lab, node, off, 15, err);
			return -ETIME;
		}
		runtime_nap_ms(nap);
	}
}

static const struct step_type step_service = {
	.name = "service",
	.group = STEP_GROUP_RUN,
	.print = print_service,
	.describe = describe_service,
	.apply = apply_service,
};

static void plan_services(struct plan *p, struct topo_node *n)
{
	vec_foreach(sv, &n->services) plan_add(p, &step_service, n, sv)->loc = &sv->loc;
}

static void free_services(struct topo_node *n)
{
	vec_foreach(sv, &n->services) service_clear(sv);
	vec_free(&n->services);
}

const struct node_key node_key_service = {
	.key = "service",
	.repeatable = true,
	.parse = parse_service,
	.validate = validate_services,
	.plan = plan_services,
	.free = free_services,
};
