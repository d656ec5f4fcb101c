// SPDX-License-Identifier: MIT
#include "runtime.h"
#include "access.h"
#include "dns.h"
#include "interrupt.h"
#include "netns.h"
#include "rundir.h"

#include <config.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

/* Directories a node always has its own of; the first two over the host's,
 * the last two over an empty one. */
static const char *const private_dirs[] = {"etc", "var", "run", "tmp"};
/* Never laid over: the kernel's and the devices' views. */
static const char *const refused_dirs[] = {"proc", "sys", "dev"};

bool runtime_dir_is_private(const char *top)
{
	for (size_t i = 0; i < ARRAY_SIZE(private_dirs); i++)
		if (streq(top, private_dirs[i]))
			return true;
	return false;
}

const char *runtime_dir_refused(const char *top)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused_dirs); i++)
		if (streq(top, refused_dirs[i]))
			return "is the kernel's (a node sees its own /sys and the host's /proc and /dev)";
	return NULL;
}

static bool over_empty(const char *top)
{
	return streq(top, "run") || streq(top, "tmp");
}

static void free_strvec(struct strvec *v)
{
	vec_foreach(s, v) free(*s);
	vec_free(v);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The top-level directories node n overlays, in mount order: etc, var,
 * the others its folders fill (sorted), then run and tmp. */
static void root_dirs(const struct topo_node *n, struct strvec *ret)
{
	struct strvec extra = {0};

	vec_push(ret, xstrdup("etc"));
	vec_push(ret, xstrdup("var"));
	vec_foreach(l, &n->layers)
	{
		DIR *d = opendir(*l);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || runtime_dir_is_private(e->d_name))
				continue;
			bool dup = false;
			vec_foreach(x, &extra) dup |= streq(*x, e->d_name);
			if (!dup)
				vec_push(&extra, xstrdup(e->d_name));
		}
		if (d)
			closedir(d);
	}
	if (extra.n)
		qsort(extra.v, extra.n, sizeof(*extra.v), cmp_strp);
	vec_foreach(x, &extra) vec_push(ret, *x);
	vec_free(&extra);
	vec_push(ret, xstrdup("run"));
	vec_push(ret, xstrdup("tmp"));
}

/* overlayfs takes ':' and ',' in a path only escaped. by_fd (in the child
 * that mounts): the path as /proc/self/fd/N of a descriptor opened now,
 * since a later mount may hide it (/run hides the run directory, /tmp
 * perhaps the topology's folder). */
static void add_layer(struct sbuf *b, const char *path, bool by_fd)
{
	char buf[64];
	if (by_fd) {
		int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
			path = buf;
		}
	}
	for (const char *c = path; *c; c++) {
		if (*c == ':' || *c == ',' || *c == '\\')
			sbuf_adds(b, "\\");
		sbuf_addf(b, "%c", *c);
	}
}

/* The overlay options of /TOP for node n: its folders' TOP, top first,
 * over the host's /TOP or the empty directory. */
static char *overlay_opts(const struct topo_lab *lab, const struct topo_node *n, const char *top,
			  bool by_fd)
{
	_cleanup_free_ char *root = rundir_path(lab->name, RUNDIR_ROOT);
	struct sbuf b = {0};
	struct stat st;

	sbuf_adds(&b, "lowerdir=");
	vec_foreach(l, &n->layers)
	{
		_cleanup_free_ char *p = xasprintf("%s/%s", *l, top);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* printed: as the topology's file was named */
			_cleanup_free_ char *rel = by_fd ? xstrdup(p) : topo_rel_path(lab, p);
			add_layer(&b, rel, by_fd);
			sbuf_adds(&b, ":");
		}
	}
	if (over_empty(top)) {
		_cleanup_free_ char *empty = xasprintf("%s/.empty", root);
		add_layer(&b, empty, by_fd);
	} else {
		_cleanup_free_ char *host = xasprintf("/%s", top);
		add_layer(&b, host, by_fd);
	}
	_cleanup_free_ char *up = xasprintf("%s/%s/%s/upper", root, n->name, top);
	_cleanup_free_ char *work = xasprintf("%s/%s/%s/work", root, n->name, top);
	sbuf_adds(&b, ",upperdir=");
	add_layer(&b, up, by_fd);
	sbuf_adds(&b, ",workdir=");
	add_layer(&b, work, by_fd);
	return sbuf_steal(&b);
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *c = copy + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		*c = '/';
	}
	return mkdir(copy, mode) < 0 && errno != EEXIST ? -errno : 0;
}

/* RUNDIR/LAB/ns: a tmpfs of its own, private, so that a namespace bound in
 * it propagates nowhere (a mount namespace bound into a shared mount could
 * end up inside itself). Idempotent. */
static int prepare_ns_dir(const char *lab, struct sbuf *err)
{
	_cleanup_free_ char *dir = rundir_path(lab, RUNDIR_NS);
	_cleanup_free_ char *parent = rundir_path(lab, NULL);
	struct stat a, b;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		sbuf_addf(err, "mkdir %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev)
		return 0; /* mounted already */
	if (mount("nslab-ns", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64k") < 0 ||
	    mount(NULL, dir, NULL, MS_PRIVATE, NULL) < 0) {
		int r = -errno;
		sbuf_addf(err, "mount a private tmpfs on %s: %s", dir, strerror(errno));
		(void)umount2(dir, MNT_DETACH);
		return r;
	}
	return 0;
}

/* In the child: what a failure says to the parent, then exit. */
_Noreturn static void child_fail(int fd, const char *fmt, ...) _printf_(2, 3);
_Noreturn static void child_fail(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)!write(fd, buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	_exit(1);
}

/* nslab's resolv.conf and hosts of node n, written into the upper layer of
 * its /etc before that is mounted: there they lie over the host's (a
 * symlink such as systemd-resolved's resolv.conf too), and /etc/netns need
 * not show through the overlay (it may be a mount of its own). Not where
 * the node's folders have their own. */
/* systemctl and service in a node, where no systemd runs: start, stop,
 * restart, reload and status of a unit run its init script (FRR's
 * frrinit.sh for frr); enable, disable and daemon-reload do nothing.
 * Kathará's startup files start daemons these three ways. */
static const char shim[] =
	"#!/bin/sh\n"
	"# nslab: systemctl and service in a node, where no systemd runs (docs/nodes.md)\n"
	"me=${0##*/}\n"
	"if [ \"$me\" = service ]; then unit=$1; action=$2; set --; units=$unit; else\n"
	"  action=$1; [ $# -gt 0 ] && shift; units=\n"
	"  for u in \"$@\"; do case $u in -*) ;; *) units=\"$units $u\";; esac; done; fi\n"
	"case $action in\n"
	"  enable|disable|daemon-reload|mask|unmask) exit 0;;\n"
	"  start|stop|restart|reload|force-reload|status) ;;\n"
	"  is-active) action=status;;\n"
	"  *) echo \"$me: '$action' is not available in an nslab node (no systemd runs here)\" >&2; exit 1;;\n"
	"esac\n"
	"rc=0\n"
	"for u in $units; do\n"
	"  u=${u%.service}\n"
	"  if [ \"$u\" = frr ] && [ -x /usr/lib/frr/frrinit.sh ]; then /usr/lib/frr/frrinit.sh \"$action\" || rc=$?\n"
	"  elif [ -x \"/etc/init.d/$u\" ]; then \"/etc/init.d/$u\" \"$action\" || rc=$?\n"
	"  else echo \"$me: no init script for '$u' in this node (/etc/init.d/$u)\" >&2; rc=1; fi\n"
	"done\n"
	"exit $rc\n";

#define NODE_BIN "/run/nslab/bin"

static int shims_into(const char *run_upper, struct sbuf *err)
{
	_cleanup_free_ char *bin = xasprintf("%s/nslab/bin", run_upper);
	int r = mkdir_p(bin, 0755);

	for (int i = 0; r == 0 && i < 2; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", bin, i ? "service" : "systemctl");
		r = write_file_new(p, shim);
		if (r == 0 && chmod(p, 0755) < 0)
			r = -errno;
	}
	if (r < 0)
		sbuf_addf(err, "write %s: %s", bin, strerror(-r));
	return r;
}

static bool has_own_etc_file(const struct topo_node *n, const char *file)
{
	vec_foreach(l, &n->layers)
	{
		_cleanup_free_ char *p = xasprintf("%s/etc/%s", *l, file);
		/* a link of the node's own counts, wherever it points */
		if (faccessat(AT_FDCWD, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return true;
	}
	return false;
}

static int dns_files_into(const char *upper, const struct topo_node *n, struct sbuf *err)
{
	for (size_t i = 0; dns_etc_files[i]; i++) {
		bool own = has_own_etc_file(n, dns_etc_files[i]);
		_cleanup_free_ char *src = xasprintf("%s/%s/%s", NSLAB_ETC_NETNS_DIR, n->netns, dns_etc_files[i]);
		_cleanup_free_ char *dst = xasprintf("%s/%s", upper, dns_etc_files[i]);
		_cleanup_free_ char *text = NULL;
		if (own || read_text_file(src, 1 << 20, &text) < 0)
			continue;
		int r = write_file_new(dst, text);
		if (r < 0) {
			sbuf_addf(err, "write %s: %s", dst, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* In the child, in the node's new mount namespace: whoever enters it later
 * (setns) gets the namespace's root as theirs, not ours. When nslab runs in
 * a chroot (fresh.sh's root, a build root), our root is not that: make it
 * so, as container runtimes do, with pivot_root(".", ".") and the old root
 * detached. Without a chroot this changes nothing. */
static void own_root(int status_fd)
{
	_cleanup_close_ int mine = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	struct stat a, b;

	if (mine < 0 || ns < 0 || fstat(mine, &a) < 0)
		child_fail(status_fd, "open / and /proc/self/ns/mnt: %s", strerror(errno));
	/* entering our own namespace sets our root to its root */
	if (setns(ns, CLONE_NEWNS) < 0 || stat("/", &b) < 0)
		child_fail(status_fd, "setns to the node's mount namespace: %s", strerror(errno));
	if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return;
	if (fchdir(mine) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		child_fail(status_fd,
			   "nslab runs in a chroot, and its root cannot be made the node's (pivot_root: "
			   "%s); make the chroot's root a mount point ('mount --bind DIR DIR')",
			   strerror(errno));
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		child_fail(status_fd, "detach the old root: %s", strerror(errno));
}

/* In the child, inside the node's new namespaces: its file system. */
_Noreturn static void child_root(const struct topo_lab *lab, const struct topo_node *n, int netns_fd, int status_fd,
				 int release_fd)
{
	struct strvec dirs = {0};

	if (setns(netns_fd, CLONE_NEWNET) < 0)
		child_fail(status_fd, "setns: %s", strerror(errno));
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS) < 0)
		child_fail(status_fd, "unshare mount and UTS namespaces: %s", strerror(errno));
	/* The host's later mounts reach the node; none of the node's reach the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		child_fail(status_fd, "make / a slave mount: %s", strerror(errno));
	own_root(status_fd);
	/* /sys shows the devices of the namespace that mounts it */
	(void)umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(status_fd, "mount sysfs on /sys: %s", strerror(errno));
	root_dirs(n, &dirs);
	/* every layer opened before the first mount: see add_layer */
	_cleanup_free_ char **opts = xcalloc(dirs.n + 1, sizeof(*opts));
	for (size_t i = 0; i < dirs.n; i++)
		opts[i] = overlay_opts(lab, n, dirs.v[i], true);
	vec_foreach(d, &dirs)
	{
		char *o = opts[d - dirs.v];
		_cleanup_free_ char *target = xasprintf("/%s", *d);
		/* the source names the node in mountinfo (findmnt in it) */
		_cleanup_free_ char *source = xasprintf("nslab:%s/%s", lab->name, n->name);
		if (mount(source, target, "overlay", 0, o) < 0)
			child_fail(status_fd, "mount an overlay on %s: %s (%s)", target, strerror(errno),
				   overlay_opts(lab, n, *d, false));
		/* what a booted Debian has in them: /run/lock (/var/lock), and
		 * /tmp open to all */
		if (streq(*d, "run") && ((mkdir("/run/lock", 01777) < 0 && errno != EEXIST) ||
					 chmod("/run/lock", 01777) < 0))
			child_fail(status_fd, "make /run/lock: %s", strerror(errno));
		if (streq(*d, "tmp") && chmod("/tmp", 01777) < 0)
			child_fail(status_fd, "chmod /tmp: %s", strerror(errno));
	}
	free_strvec(&dirs);
	if (sethostname(n->name, strlen(n->name)) < 0)
		child_fail(status_fd, "sethostname: %s", strerror(errno));
	/* "." says ready; anything else is why not, and EOF that we died */
	if (write(status_fd, ".", 1) != 1)
		_exit(1);
	close(status_fd);
	char c;
	(void)!read(release_fd, &c, 1); /* the parent has bound our namespaces */
	_exit(0);
}

static int bind_ns(pid_t pid, const char *ns, const char *target, struct sbuf *err)
{
	_cleanup_free_ char *src = xasprintf("/proc/%d/ns/%s", (int)pid, ns);
	int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || close(fd) < 0 || mount(src, target, NULL, MS_BIND, NULL) < 0) {
		int r = -errno;
		sbuf_addf(err, "bind %s on %s: %s", src, target, strerror(errno));
		return r;
	}
	return 0;
}

/* One try: a child makes the node's namespaces (on CPU cpu, or where it
 * runs when cpu < 0) and we bind them. -EXDEV when the kernel takes the
 * mount namespace for older than ours (see runtime_make_root). */
static int try_root(const struct topo_lab *lab, const struct topo_node *n, int netns_fd, int cpu,
		    const char *mnt, const char *uts, struct sbuf *err)
{
	int status[2] = {-1, -1}, release[2] = {-1, -1}, r = 0;

	if (pipe2(status, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0) {
		r = -errno;
		sbuf_addf(err, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		sbuf_addf(err, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		close(status[0]);
		close(release[1]);
		if (cpu >= 0) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			(void)sched_setaffinity(0, sizeof(set), &set);
		}
		child_root(lab, n, netns_fd, status[1], release[0]);
	}
	close(status[1]);
	close(release[0]);
	status[1] = release[0] = -1;
	char why[512];
	ssize_t got;
	while ((got = read(status[0], why, sizeof(why) - 1)) < 0 && errno == EINTR)
		;
	if (got <= 0 || why[0] != '.') {
		int st = 0;
		why[got > 0 ? got : 0] = '\0';
		if (got > 0) {
			sbuf_adds(err, why);
		} else {
			close(release[1]);
			release[1] = -1;
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			pid = -1;
			sbuf_addf(err, "the process making it ended (%s %d) before it was ready",
				  WIFSIGNALED(st) ? "signal" : "exit status",
				  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
		r = -EIO;
	} else {
		r = bind_ns(pid, "mnt", mnt, err);
		if (r == -EINVAL)
			r = -EXDEV;
		if (r == 0)
			r = bind_ns(pid, "uts", uts, err);
	}
	if (release[1] >= 0)
		close(release[1]);
	release[1] = -1;
	while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out:
	for (int k = 0; k < 2; k++) {
		if (status[k] >= 0)
			close(status[k]);
		if (release[k] >= 0)
			close(release[k]);
	}
	return r;
}

int runtime_make_root(const struct topo_lab *lab, const struct topo_node *n, int netns_fd,
		      struct sbuf *err)
{
	_cleanup_free_ char *root = rundir_path(lab->name, RUNDIR_ROOT);
	_cleanup_free_ char *empty = xasprintf("%s/.empty", root);
	_cleanup_free_ char *ns = rundir_path(lab->name, RUNDIR_NS);
	_cleanup_free_ char *mnt = xasprintf("%s/%s.mnt", ns, n->name);
	_cleanup_free_ char *uts = xasprintf("%s/%s.uts", ns, n->name);
	struct strvec dirs = {0};
	int r = prepare_ns_dir(lab->name, err);

	if (r < 0)
		return r;
	r = mkdir_p(empty, 0755);
	root_dirs(n, &dirs);
	vec_foreach(d, &dirs)
	{
		for (int w = 0; r == 0 && w < 2; w++) {
			_cleanup_free_ char *p = xasprintf("%s/%s/%s/%s", root, n->name, *d, w ? "work" : "upper");
			r = mkdir_p(p, 0755);
		}
	}
	free_strvec(&dirs);
	if (r < 0) {
		sbuf_addf(err, "make %s/%s: %s", root, n->name, strerror(-r));
		return r;
	}
	_cleanup_free_ char *etc_upper = xasprintf("%s/%s/etc/upper", root, n->name);
	_cleanup_free_ char *run_upper = xasprintf("%s/%s/run/upper", root, n->name);
	r = dns_files_into(etc_upper, n, err);
	if (r == 0)
		r = shims_into(run_upper, err);
	if (r < 0)
		return r;
	r = try_root(lab, n, netns_fd, -1, mnt, uts, err);
	/* The kernel refuses to bind a mount namespace it takes for older than
	 * the caller's (mnt_ns_loop). Since 6.18 namespace ids come from
	 * per-CPU batches, so when nslab itself runs in a mount namespace of
	 * its own (a container, tests/isolate.sh), a child's namespace made on
	 * another CPU can look older: seen here 5 times in 8. Made on the CPU
	 * where ours was made, it is newer; that CPU is not known, so each is
	 * tried. */
	cpu_set_t allowed;
	if (r == -EXDEV && sched_getaffinity(0, sizeof(allowed), &allowed) == 0)
		for (int cpu = 0; r == -EXDEV && cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &allowed)) {
				sbuf_reset(err);
				r = try_root(lab, n, netns_fd, cpu, mnt, uts, err);
			}
	if (r == -EXDEV) {
		sbuf_adds(err, " (the kernel takes the node's new mount namespace for older than "
			       "nslab's, on every CPU)");
		r = -EINVAL;
	}
	return r;
}

void runtime_print_root(const struct topo_lab *lab, const struct topo_node *n, bool first,
			struct sbuf *out)
{
	_cleanup_free_ char *root = rundir_path(lab->name, RUNDIR_ROOT);
	_cleanup_free_ char *ns = rundir_path(lab->name, RUNDIR_NS);
	struct strvec dirs = {0};
	struct sbuf script = {0};

	_cleanup_free_ char *logs = rundir_path(lab->name, RUNDIR_LOGS);
	if (first)
		sbuf_addf(out, "mkdir -p %s %s %s/.empty && mount -t tmpfs -o mode=0700,size=64k nslab-ns %s "
			       "&& mount --make-private %s\n",
			  logs, ns, root, ns, ns);
	root_dirs(n, &dirs);
	sbuf_addf(out, "mkdir -p");
	vec_foreach(d, &dirs) sbuf_addf(out, " %s/%s/%s/upper %s/%s/%s/work", root, n->name, *d, root,
					n->name, *d);
	sbuf_addf(out, "\ntouch %s/%s.mnt %s/%s.uts\n", ns, n->name, ns, n->name);
	for (const char *const *f = dns_etc_files; *f; f++)
		if (!has_own_etc_file(n, *f))
			sbuf_addf(out, "! test -e %s/%s/%s || cp %s/%s/%s %s/%s/etc/upper/\n",
				  NSLAB_ETC_NETNS_DIR, n->netns, *f, NSLAB_ETC_NETNS_DIR, n->netns, *f,
				  root, n->name);
	sbuf_addf(&script, "mount --make-rslave / && umount -l /sys && mount -t sysfs sysfs /sys");
	/* A shell has no descriptors to name the layers by (add_layer): /tmp
	 * goes before /run here, while the run directory is still visible. */
	char *last = dirs.v[dirs.n - 1];
	dirs.v[dirs.n - 1] = dirs.v[dirs.n - 2];
	dirs.v[dirs.n - 2] = last;
	vec_foreach(d, &dirs)
	{
		_cleanup_free_ char *opts = overlay_opts(lab, n, *d, false);
		sbuf_addf(&script, " && mount -t overlay nslab:%s/%s -o ", lab->name, n->name);
		sbuf_add_shword(&script, opts);
		sbuf_addf(&script, " /%s", *d);
		if (streq(*d, "run"))
			sbuf_adds(&script, " && mkdir -p -m 1777 /run/lock");
		if (streq(*d, "tmp"))
			sbuf_adds(&script, " && chmod 1777 /tmp");
	}
	sbuf_addf(&script, " && hostname %s", n->name);
	sbuf_addf(out, "nsenter --net=%s/%s unshare --mount=%s/%s.mnt --uts=%s/%s.uts sh -c ",
		  NSLAB_NETNS_DIR, n->netns, ns, n->name, ns, n->name);
	sbuf_add_shword(out, script.s);
	sbuf_adds(out, "\n");
	sbuf_free(&script);
	free_strvec(&dirs);
}

bool runtime_find_program(const char *program, const struct topo_node *n)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = xasprintf("%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					      path ? path : "");
	char *save = NULL;

	if (strchr(program, '/')) {
		if (access(program, X_OK) == 0)
			return true;
		vec_foreach(l, &n->layers)
		{
			_cleanup_free_ char *p = xasprintf("%s%s%s", *l, program[0] == '/' ? "" : "/", program);
			if (access(p, X_OK) == 0)
				return true;
		}
		return false;
	}
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue;
		_cleanup_free_ char *p = xasprintf("%s/%s", d, program);
		if (access(p, X_OK) == 0)
			return true;
		vec_foreach(l, &n->layers)
		{
			_cleanup_free_ char *q = xasprintf("%s%s/%s", *l, d, program);
			if (access(q, X_OK) == 0)
				return true;
		}
	}
	return false;
}

void runtime_print_enter(const struct topo_lab *lab, const struct topo_node *n, struct sbuf *out)
{
	_cleanup_free_ char *ns = rundir_path(lab->name, RUNDIR_NS);

	if (!topo_node_has_root(n)) {
		sbuf_addf(out, "ip netns exec %s ", n->netns);
		return;
	}
	sbuf_addf(out, "nsenter --net=%s/%s --mount=%s/%s.mnt --uts=%s/%s.uts ", NSLAB_NETNS_DIR,
		  n->netns, ns, n->name, ns, n->name);
}

void runtime_print_log(const struct topo_lab *lab, const struct topo_node *n, struct sbuf *out)
{
	_cleanup_free_ char *logs = rundir_path(lab->name, RUNDIR_LOGS);
	sbuf_addf(out, " >>%s/%s.log 2>&1", logs, n->name);
}

bool runtime_has_root(const char *lab, const char *node)
{
	_cleanup_free_ char *ns = rundir_path(lab, RUNDIR_NS);
	_cleanup_free_ char *mnt = xasprintf("%s/%s.mnt", ns, node);
	struct stat a, b;

	/* bound: its device is nsfs, not the tmpfs it lies on */
	return stat(mnt, &a) == 0 && stat(ns, &b) == 0 && a.st_dev != b.st_dev;
}

int runtime_enter(const char *lab, const char *node, struct sbuf *err)
{
	_cleanup_free_ char *netns = topo_netns_name(lab, node);

	if (!runtime_has_root(lab, node))
		return access_enter(netns, err);
	_cleanup_free_ char *ns = rundir_path(lab, RUNDIR_NS);
	_cleanup_free_ char *mnt = xasprintf("%s/%s.mnt", ns, node);
	_cleanup_free_ char *uts = xasprintf("%s/%s.uts", ns, node);
	/* every handle first: once in the node's mount namespace, /run is its own */
	_cleanup_close_ int net_fd = netns_open(netns);
	_cleanup_close_ int mnt_fd = open(mnt, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int uts_fd = open(uts, O_RDONLY | O_CLOEXEC);

	if (net_fd < 0 || mnt_fd < 0 || uts_fd < 0) {
		sbuf_addf(err, "open the namespaces of node '%s': %s", node,
			  strerror(net_fd < 0 ? -net_fd : errno));
		return net_fd < 0 ? net_fd : -errno;
	}
	if (setns(net_fd, CLONE_NEWNET) < 0 || setns(uts_fd, CLONE_NEWUTS) < 0 ||
	    setns(mnt_fd, CLONE_NEWNS) < 0 || chdir("/") < 0) {
		int r = -errno;
		sbuf_addf(err, "enter node '%s': %s", node, strerror(errno));
		return r;
	}
	/* its systemctl and service first (shims_into) */
	const char *path = getenv("PATH");
	_cleanup_free_ char *mine = xasprintf(NODE_BIN ":%s", path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	if (!path || strncmp(path, NODE_BIN ":", strlen(NODE_BIN) + 1) != 0)
		setenv("PATH", mine, 1);
	return 0;
}

char *runtime_log_path(const char *lab, const char *node)
{
	_cleanup_free_ char *dir = rundir_path(lab, RUNDIR_LOGS);
	return xasprintf("%s/%s.log", dir, node);
}

int runtime_log_open(const char *lab, const char *node)
{
	_cleanup_free_ char *dir = rundir_path(lab, RUNDIR_LOGS);
	_cleanup_free_ char *path = runtime_log_path(lab, node);

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
	return fd < 0 ? -errno : fd;
}

long runtime_log_size(const char *lab, const char *node)
{
	_cleanup_free_ char *path = runtime_log_path(lab, node);
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

void runtime_log_tail(const char *lab, const char *node, long offset, unsigned lines,
		      struct sbuf *out)
{
	_cleanup_free_ char *path = runtime_log_path(lab, node);
	_cleanup_free_ char *text = NULL;

	if (read_text_file(path, 16 << 20, &text) < 0 || (long)strlen(text) <= offset)
		return;
	const char *start = text + offset, *end = text + strlen(text);
	while (end > start && end[-1] == '\n')
		end--;
	const char *from = end;
	for (unsigned k = 0; from > start && k < lines;) {
		from--;
		if (*from == '\n' && ++k == lines) {
			from++;
			break;
		}
	}
	if (from > start)
		sbuf_addf(out, "\n    ...");
	for (const char *l = from, *e; l < end; l = e + 1) {
		e = memchr(l, '\n', (size_t)(end - l));
		if (!e)
			e = end;
		sbuf_addf(out, "\n    | %.*s", (int)(e - l), l);
	}
}

long long runtime_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void runtime_nap_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

int runtime_run(const struct runtime_cmd *c, struct sbuf *err)
{
	_cleanup_close_ int log = c->out_fd >= 0 ? -1 : runtime_log_open(c->lab, c->node);
	int out = c->out_fd >= 0 ? c->out_fd : log;
	int status;

	if (out < 0) {
		sbuf_addf(err, "open the log of node '%s': %s", c->node, strerror(-out));
		return out;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		sbuf_addf(err, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		struct sbuf why = {0};
		int in = c->stdin_fd >= 0 ? c->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
		/* its own session: Ctrl-C on our terminal is ours to handle, and
		 * a timeout kills its whole process group */
		(void)setsid();
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
		    dup2(out, STDERR_FILENO) < 0)
			_exit(125);
		(void)close_range(3, ~0U, 0);
		if (runtime_enter(c->lab, c->node, &why) < 0) {
			dprintf(STDERR_FILENO, "nslab: %s\n", why.s);
			_exit(125);
		}
		nofile_restore(); /* what the command would have had */
		execvp(c->argv[0], c->argv);
		dprintf(STDERR_FILENO, "nslab: %s: %s\n", c->argv[0], strerror(errno));
		_exit(127);
	}
	if (c->keep)
		return pid;
	long long deadline = c->timeout_ms ? runtime_now_ms() + c->timeout_ms : 0;
	for (unsigned nap = 1;; nap = nap < 50 ? nap * 2 : 50) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			sbuf_addf(err, "waitpid: %s", strerror(errno));
			return -errno;
		}
		bool late = deadline && runtime_now_ms() >= deadline;
		if (late || interrupt_signal()) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			return late ? -ETIME : -EINTR;
		}
		runtime_nap_ms(nap);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

unsigned long long runtime_proc_start(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* after "(comm)", which may hold anything: field 22 is starttime */
	char *p = strrchr(buf, ')');
	/* a zombie is gone for our purposes (its parent, init, reaps it when
	 * it will) */
	if (!p || strncmp(p, ") Z ", 4) == 0)
		return 0;
	unsigned long long start = 0;
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
		if (++field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	return start;
}

int runtime_check_services(const char *lab, struct sbuf *err)
{
	struct rundir_services sv = {0};
	int r = 0;

	if (rundir_read_services(lab, &sv) < 0)
		return 0;
	vec_foreach(s, &sv)
	{
		if (s->start && runtime_proc_start(s->pid) == s->start)
			continue;
		sbuf_addf(err, "node '%s': service '%s' exited during up, after it was ready; the end of "
			       "the node's log:",
			  s->node, s->name);
		runtime_log_tail(lab, s->node, 0, 15, err);
		r = -ECHILD;
		break;
	}
	rundir_services_free(&sv);
	return r;
}

int runtime_stop_services(const char *lab, unsigned grace_ms)
{
	struct rundir_services sv = {0};
	int running = 0;

	if (rundir_read_services(lab, &sv) < 0)
		return 0;
	for (int sig = 0; sig < 2; sig++) {
		long long deadline = runtime_now_ms() + grace_ms;
		bool left = false;
		for (size_t i = sv.n; i-- > 0;) {
			struct rundir_service *s = &sv.v[i];
			if (!s->start || runtime_proc_start(s->pid) != s->start) {
				s->start = 0; /* gone, or its PID is someone else's now */
				continue;
			}
			running += sig == 0;
			(void)kill(-s->pid, sig ? SIGKILL : SIGTERM);
			(void)kill(s->pid, sig ? SIGKILL : SIGTERM);
			left = true;
		}
		/* newest first, and each group the chance to go */
		while (left && runtime_now_ms() < deadline) {
			left = false;
			vec_foreach(s, &sv) if (s->start && runtime_proc_start(s->pid) == s->start) left = true;
			if (left)
				runtime_nap_ms(10);
		}
		if (!left)
			break;
	}
	rundir_services_free(&sv);
	return running;
}

int runtime_unmount(const char *lab, struct sbuf *err)
{
	_cleanup_free_ char *dir = rundir_path(lab, NULL);
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	struct strvec points = {0};
	size_t cap = 0, len = strlen(dir);
	int first = 0;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		char point[4096];
		/* ID PARENT MAJ:MIN ROOT POINT ...; POINT has \040 for blanks,
		 * which our paths never hold */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && strncmp(point, dir, len) == 0 &&
		    point[len] == '/')
			vec_push(&points, xstrdup(point));
	}
	/* later mounts lie over earlier ones: newest first */
	for (size_t i = points.n; i-- > 0;)
		if (umount2(points.v[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT && !first) {
			first = -errno;
			sbuf_addf(err, "unmount %s: %s", points.v[i], strerror(errno));
		}
	free_strvec(&points);
	return first;
}

int runtime_capture(const char *lab, const char *node, char *const *argv, unsigned timeout_ms,
		    char **ret, struct sbuf *err)
{
	_cleanup_close_ int fd = memfd_create("nslab-capture", MFD_CLOEXEC);
	struct runtime_cmd c = {.lab = lab, .node = node, .argv = argv, .stdin_fd = -1, .out_fd = fd,
				.timeout_ms = timeout_ms};

	if (fd < 0) {
		sbuf_addf(err, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	int r = runtime_run(&c, err);
	off_t len = lseek(fd, 0, SEEK_END);
	char *text = xmalloc(len > 0 ? (size_t)len + 1 : 1);
	ssize_t n = len > 0 ? pread(fd, text, (size_t)len, 0) : 0;
	text[n > 0 ? n : 0] = '\0';
	*ret = text;
	return r;
}

int runtime_run_step(const char *lab, const char *node, char *const *argv, int stdin_fd,
		     unsigned timeout_ms, const char *what, struct sbuf *err)
{
	long off = runtime_log_size(lab, node);
	struct runtime_cmd c = {.lab = lab, .node = node, .argv = argv, .stdin_fd = stdin_fd,
				.out_fd = -1, .timeout_ms = timeout_ms};
	int r = runtime_run(&c, err);

	if (r == 0 || r == -EINTR)
		return r;
	if (r == -ETIME)
		sbuf_addf(err, "%s did not finish in %.3g s; its output:", what, timeout_ms / 1000.0);
	else if (r > 0)
		sbuf_addf(err, "%s failed (exit status %d); its output:", what, r);
	else
		return r;
	runtime_log_tail(lab, node, off, 15, err);
	return -ECANCELED;
}
