// SPDX-License-Identifier: MIT
#include "probe.h"
#include "access.h"
#include "interrupt.h"
#include "netns.h"
#include "runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define OUTPUT_MAX 4096

double probe_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void start(struct probe *p)
{
	int fds[2];

	p->status = -2;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (p->pid == 0) {
		struct sbuf why = {0};
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		if (p->enter_mounts) {
			if ((p->lab ? runtime_enter(p->lab, p->node, &why) : access_enter(p->netns, &why)) < 0) {
				dprintf(STDERR_FILENO, "%s\n", why.s);
				_exit(125);
			}
		} else {
			int fd = netns_open(p->netns);
			if (fd < 0 || netns_enter(fd) < 0) {
				dprintf(STDERR_FILENO, "cannot enter namespace %s\n", p->netns);
				_exit(125);
			}
		}
		nofile_restore(); /* what the command would have had */
		if (p->fn)
			_exit(p->fn(p->argv));
		execvp(p->argv[0], p->argv);
		dprintf(STDERR_FILENO, "%s: %s\n", p->argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	p->fd = fds[0];
	p->start = probe_now();
	p->status = -1;
}

/* Read what is there; returns true at end of file. */
static bool drain(struct probe *p)
{
	char buf[1024];
	ssize_t n = read(p->fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		return n == 0 || errno != EINTR;
	buf[n] = '\0';
	if (p->out.len < OUTPUT_MAX)
		sbuf_adds(&p->out, buf);
	return false;
}

static void finish(struct probe *p, bool killed)
{
	int st;

	if (killed)
		(void)kill(p->pid, SIGKILL);
	(void)waitpid(p->pid, &st, 0);
	close(p->fd);
	p->fd = -1;
	p->seconds = probe_now() - p->start;
	if (killed)
		p->status = -1;
	else
		p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	p->output = p->out.s ? sbuf_steal(&p->out) : xstrdup("");
	p->pid = 0;
}

void probe_run_all(struct probe *probes, size_t n, unsigned parallel, double timeout)
{
	double deadline = probe_now() + timeout;
	size_t next = 0;
	_cleanup_free_ struct pollfd *pfd = xcalloc(parallel, sizeof(*pfd));
	_cleanup_free_ struct probe **running = xcalloc(parallel, sizeof(*running));
	unsigned nrun = 0;

	for (size_t i = 0; i < n; i++) {
		probes[i].status = -2;
		probes[i].fd = -1;
	}
	while ((next < n || nrun) && !interrupt_signal()) {
		while (nrun < parallel && next < n && probe_now() < deadline) {
			struct probe *p = &probes[next++];
			start(p);
			if (p->pid > 0)
				running[nrun++] = p;
		}
		if (!nrun)
			break;
		double left = deadline - probe_now();
		if (left <= 0)
			break;
		for (unsigned i = 0; i < nrun; i++)
			pfd[i] = (struct pollfd){.fd = running[i]->fd, .events = POLLIN};
		if (poll(pfd, nrun, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < nrun;) {
			if (pfd[i].revents && drain(running[i])) {
				finish(running[i], false);
				running[i] = running[--nrun];
				pfd[i] = pfd[nrun];
				continue;
			}
			i++;
		}
	}
	/* Out of time, or interrupted: stop what still runs, by PID. */
	for (unsigned i = 0; i < nrun; i++) {
		finish(running[i], true);
		if (interrupt_signal())
			running[i]->status = -3;
	}
	for (size_t i = 0; i < n; i++)
		if (!probes[i].output)
			probes[i].output = xstrdup(probes[i].status != -2 ? ""
						   : interrupt_signal() ? "not run: interrupted"
									: "not run: out of time");
}

void probe_free(struct probe *p)
{
	free(p->output);
	sbuf_free(&p->out);
	p->output = NULL;
}
