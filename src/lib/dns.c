// SPDX-License-Identifier: MIT
#include "dns.h"
#include "netns.h"
#include "nl.h"
#include "plan.h"
#include "rundir.h"

#include <config.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

const char *dns_domain(const struct topo_lab *lab)
{
	return lab->dns.domain ? lab->dns.domain : lab->name;
}

static const char *iface_name(const struct topo_addr *a)
{
	return a->ifname;
}

char *dns_hosts_text(const struct topo_lab *lab)
{
	const char *dom = dns_domain(lab);
	struct sbuf b = {0};
	char buf[IPADDR_STRLEN];

	sbuf_addf(&b, "# hosts of lab %s, served by dnsmasq in node %s\n", lab->name,
		  lab->dns.server);
	vec_foreach(np, &lab->nodes)
	{
		const struct topo_node *n = *np;
		if (n->is_switch)
			continue;
		/* NODE: every address; IF.NODE: that interface's */
		vec_foreach(a, &n->addrs)
		{
			ipaddr_str(&a->local, buf);
			sbuf_addf(&b, "%s %s.%s %s %s.%s.%s %s.%s\n", buf, n->name, dom, n->name,
				  iface_name(a), n->name, dom, iface_name(a), n->name);
		}
	}
	vec_foreach(r, &lab->dns.records)
	{
		ipaddr_str(&r->addr, buf);
		sbuf_addf(&b, "%s %s.%s %s\n", buf, r->name, dom, r->name);
	}
	return sbuf_steal(&b);
}

/* The server's address that n should use: on a subnet n shares, else the
 * server's first; the server itself asks itself on loopback. */
static bool server_for(const struct topo_lab *lab, const struct topo_node *n, struct ipaddr *ret)
{
	const struct topo_node *s = lab->dns.server_node;

	if (s == n) {
		ipaddr_parse_host("127.0.0.1", ret);
		return true;
	}
	vec_foreach(sa, &s->addrs) vec_foreach(na, &n->addrs)
	{
		if (na->local.len < ipaddr_maxlen(&na->local) && ipaddr_contains(&na->local, &sa->local)) {
			*ret = sa->local;
			return true;
		}
	}
	vec_foreach(sa, &s->addrs) if (sa->local.family == AF_INET)
	{
		*ret = sa->local;
		return true;
	}
	if (!s->addrs.n)
		return false;
	*ret = s->addrs.v[0].local;
	return true;
}

char *dns_resolv_text(const struct topo_lab *lab, const struct topo_node *n)
{
	struct ipaddr server;
	char buf[IPADDR_STRLEN];

	if (!server_for(lab, n, &server))
		return xstrdup("");
	return xasprintf("nameserver %s\nsearch %s\n", ipaddr_str(&server, buf), dns_domain(lab));
}

char *dns_node_hosts_text(const struct topo_lab *lab, const struct topo_node *n)
{
	struct sbuf b = {0};
	char buf[IPADDR_STRLEN];

	/* Only the node itself: other names go to DNS, and show in its log. */
	sbuf_adds(&b, "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
	if (n->addrs.n)
		sbuf_addf(&b, "%s %s.%s %s\n", ipaddr_str(&n->addrs.v[0].local, buf), n->name,
			  dns_domain(lab), n->name);
	return sbuf_steal(&b);
}

void dns_argv(const struct topo_lab *lab, struct strvec *ret)
{
	const char *prog = getenv("NSLAB_DNSMASQ");
	const char *dom = dns_domain(lab);
	_cleanup_free_ char *hosts = rundir_path(lab->name, RUNDIR_DNS_HOSTS);
	_cleanup_free_ char *log = rundir_path(lab->name, RUNDIR_DNS_LOG);
	_cleanup_free_ char *pid = rundir_path(lab->name, RUNDIR_DNS_PID);

	vec_push(ret, xstrdup(prog && *prog ? prog : "dnsmasq"));
	vec_push(ret, xstrdup("--conf-file=/dev/null")); /* nothing of the host's config */
	vec_push(ret, xstrdup("--no-resolv"));           /* no upstream: the lab is closed */
	vec_push(ret, xstrdup("--no-hosts"));
	/* root, as every process of a lab: its hosts file is in the run
	 * directory, which is 0700 (rundir.h); nobody, dnsmasq's default
	 * user, could not read it (again) after startup */
	vec_push(ret, xstrdup("--user=root"));
	vec_push(ret, xasprintf("--addn-hosts=%s", hosts));
	vec_push(ret, xasprintf("--domain=%s", dom));
	vec_push(ret, xasprintf("--local=/%s/", dom));
	vec_push(ret, xstrdup("--domain-needed"));
	vec_push(ret, xstrdup("--log-queries"));
	vec_push(ret, xasprintf("--log-facility=%s", log));
	vec_push(ret, xasprintf("--pid-file=%s", pid));
}

static void print_file(struct sbuf *out, const char *path, const char *text)
{
	sbuf_adds(out, "printf '%s\\n'");
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		sbuf_addf(out, " '%.*s'", (int)n, l); /* our text has no quotes */
		l += n + (l[n] == '\n');
	}
	sbuf_addf(out, " > %s\n", path);
}

const char *const dns_etc_files[] = {DNS_ETC_RESOLV, DNS_ETC_HOSTS, NULL};

static void print_etc(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_lab *lab = p->lab;
	_cleanup_free_ char *resolv = dns_resolv_text(lab, s->node);
	_cleanup_free_ char *hosts = dns_node_hosts_text(lab, s->node);
	_cleanup_free_ char *dir = xasprintf("%s/%s", NSLAB_ETC_NETNS_DIR, s->node->netns);
	_cleanup_free_ char *rpath = xasprintf("%s/" DNS_ETC_RESOLV, dir);
	_cleanup_free_ char *hpath = xasprintf("%s/" DNS_ETC_HOSTS, dir);

	sbuf_addf(out, "mkdir -p %s\n", dir);
	print_file(out, rpath, resolv);
	print_file(out, hpath, hosts);
}

static void print_server(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_lab *lab = p->lab;
	_cleanup_free_ char *hosts = dns_hosts_text(lab);
	_cleanup_free_ char *path = rundir_path(lab->name, RUNDIR_DNS_HOSTS);
	struct strvec argv = {0};

	_cleanup_free_ char *dir = rundir_path(lab->name, NULL);
	sbuf_addf(out, "mkdir -p %s\n", dir);
	print_file(out, path, hosts);
	dns_argv(lab, &argv);
	sbuf_addf(out, "ip netns exec %s", s->node->netns);
	vec_foreach(a, &argv)
	{
		sbuf_addf(out, " %s", *a);
		free(*a);
	}
	vec_free(&argv);
	sbuf_adds(out, "\n");
}

static int apply_etc(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_lab *lab = nl->plan->lab;
	_cleanup_free_ char *dir = xasprintf("%s/%s", NSLAB_ETC_NETNS_DIR, s->node->netns);
	_cleanup_free_ char *resolv = dns_resolv_text(lab, s->node);
	_cleanup_free_ char *hosts = dns_node_hosts_text(lab, s->node);
	/* a link planted at /etc/netns/NS is refused, not followed */
	_cleanup_close_ int dfd = netns_etc_open(s->node->netns, true, err);
	const char *files[] = {DNS_ETC_RESOLV, DNS_ETC_HOSTS}, *texts[] = {resolv, hosts};
	int r = dfd < 0 ? dfd : 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(files); i++) {
		_cleanup_close_ int fd = openat(dfd, files[i],
						O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		size_t n = strlen(texts[i]);
		r = fd < 0 ? -errno : write(fd, texts[i], n) != (ssize_t)n ? -EIO : 0;
		if (r < 0)
			sbuf_addf(err, "write %s/%s: %s", dir, files[i], strerror(-r));
	}
	return r;
}

static int apply_server(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_lab *lab = nl->plan->lab;
	_cleanup_free_ char *path = rundir_path(lab->name, RUNDIR_DNS_HOSTS);
	_cleanup_free_ char *hosts = dns_hosts_text(lab);
	struct strvec argv = {0};
	int fds[2], st, r;

	r = write_file_new(path, hosts);
	if (r < 0) {
		sbuf_addf(err, "write %s: %s", path, strerror(-r));
		return r;
	}
	dns_argv(lab, &argv);
	vec_push(&argv, NULL);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		sbuf_addf(err, "pipe: %s", strerror(errno));
		vec_foreach(a, &argv) free(*a);
		vec_free(&argv);
		return r;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		if (netns_enter(nl_nsfd(nl, s->node)) < 0)
			_exit(125);
		nofile_restore(); /* what dnsmasq would have had */
		execvp(argv.v[0], argv.v);
		dprintf(STDERR_FILENO, "%s: %s", argv.v[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	/* dnsmasq's first process exits once the daemon runs, or with the
	 * reason it cannot; the daemon does not keep our pipe open. */
	_cleanup_fclose_ FILE *out = pid > 0 ? fdopen(fds[0], "r") : NULL;
	_cleanup_free_ char *text = out ? read_stream(out) : xstrdup("");
	if (!out)
		close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		r = -errno;
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		r = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -ENOENT : -EIO;
	if (r < 0) {
		char *t = text + strspn(text, " \t\n");
		size_t n = strlen(t);
		while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
			t[--n] = '\0';
		sbuf_addf(err, "dnsmasq did not start: %s", *t ? t : strerror(-r));
		if (r == -ENOENT)
			sbuf_adds(err, " (install dnsmasq-base)");
	}
	vec_foreach(a, &argv) free(*a);
	vec_free(&argv);
	return r;
}

static void describe_etc(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_addf(out, "write /etc/netns/%s", s->node->netns);
}

static void describe_server(const struct plan *p, const struct step *s, struct sbuf *out)
{
	sbuf_adds(out, "start dnsmasq");
}

static const struct step_type step_etc = {
	.name = "etc",
	.group = STEP_GROUP_DNS,
	.print = print_etc,
	.describe = describe_etc,
	.apply = apply_etc,
};

static const struct step_type step_dns = {
	.name = "dns",
	.group = STEP_GROUP_DNS,
	.print = print_server,
	.describe = describe_server,
	.apply = apply_server,
};

void dns_plan(struct plan *p)
{
	const struct topo_lab *lab = p->lab;

	if (!lab->dns.server_node)
		return;
	vec_foreach(np, &lab->nodes) if (!(*np)->is_switch) plan_add(p, &step_etc, *np, NULL);
	plan_add(p, &step_dns, lab->dns.server_node, NULL);
}
