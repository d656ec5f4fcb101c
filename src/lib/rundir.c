// SPDX-License-Identifier: MIT
#include "rundir.h"
#include "topology.h"

#include <config.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#define RECORD_NETNS "netns "
#define RECORD_DONE "done "
#define RECORD_LIVE "live "
#define RECORD_LIMITS "limits "

#define HOST_DIR ".host-limits"
#define HOST_RECORD "record"
#define HOST_MAX (64 * 1024)

char *rundir_path(const char *lab, const char *file)
{
	return file ? xasprintf("%s/%s/%s", NSLAB_RUNDIR, lab, file)
		    : xasprintf("%s/%s", NSLAB_RUNDIR, lab);
}

bool rundir_exists(const char *lab)
{
	_cleanup_free_ char *dir = rundir_path(lab, NULL);
	struct stat st;

	/* lstat: a link planted there is something, which rundir_check refuses */
	return lstat(dir, &st) == 0;
}

/* RUNDIR/LAB[/FILE] as open(2) does, following no link below RUNDIR's
 * parent (/run): not RUNDIR, not LAB, not FILE. */
/* RUNDIR's parent (trusted: /run) and RUNDIR/LAB[/FILE] relative to it */
static char *rundir_parent(void)
{
	static const char rundir[] = NSLAB_RUNDIR;
	const char *slash = strrchr(rundir, '/');

	return slash == rundir ? xstrdup("/") : xstrndup(rundir, (size_t)(slash - rundir));
}

static char *rundir_rel(const char *lab, const char *file)
{
	const char *name = strrchr(NSLAB_RUNDIR, '/') + 1;

	return file ? xasprintf("%s/%s/%s", name, lab, file) : xasprintf("%s/%s", name, lab);
}

int rundir_open_file(const char *lab, const char *file, int flags, mode_t mode)
{
	_cleanup_free_ char *parent = rundir_parent();
	_cleanup_free_ char *rel = rundir_rel(lab, file);

	return open_nofollow(parent, rel, flags, mode);
}

FILE *rundir_fopen(const char *lab, const char *file, const char *mode)
{
	_cleanup_free_ char *parent = rundir_parent();
	_cleanup_free_ char *rel = rundir_rel(lab, file);

	return fopen_nofollow(parent, rel, mode);
}

bool rundir_has(const char *lab, const char *file)
{
	_cleanup_close_ int fd = rundir_open_file(lab, file, O_PATH, 0);
	return fd >= 0;
}

int rundir_check(const char *lab, struct sbuf *err)
{
	_cleanup_free_ char *dir = rundir_path(lab, NULL);
	const char *paths[] = {NSLAB_RUNDIR, dir};

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		struct stat st;
		const char *bad = NULL;
		int r = 0;
		if (lstat(paths[i], &st) < 0)
			return errno == ENOENT ? 0 : -errno;
		if (S_ISLNK(st.st_mode))
			bad = "a symbolic link", r = -ELOOP;
		else if (!S_ISDIR(st.st_mode))
			bad = "not a directory", r = -ENOTDIR;
		else if (st.st_uid != 0 && st.st_uid != geteuid())
			bad = "a directory of another user", r = -EPERM;
		if (bad) {
			sbuf_addf(err, "%s is %s, not a directory nslab made: nslab follows no link and "
				       "writes nothing there; remove it ('rm %s') and run again",
				  paths[i], bad, paths[i]);
			return r;
		}
	}
	return 0;
}

/* mkdir, and its parent if that is missing (one level: RUNDIR or LOCKDIR). */
static int make_dir(const char *dir, mode_t parent_mode, mode_t mode, struct sbuf *err)
{
	_cleanup_free_ char *copy = xstrdup(dir);
	const char *parent = dirname(copy);

	/* twice: a concurrent down of another lab may remove an empty parent
	 * between our two mkdirs */
	for (int i = 0; i < 2; i++) {
		if (mkdir(parent, parent_mode) == 0)
			(void)chmod(parent, parent_mode); /* past the umask: 1777 for /run/lock */
		else if (errno != EEXIST) {
			sbuf_addf(err, "create %s: %s", parent, strerror(errno));
			return -errno;
		}
		if (mkdir(dir, mode) == 0 || errno != ENOENT)
			break;
	}
	if (access(dir, F_OK) < 0) {
		sbuf_addf(err, "create %s: %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

int rundir_make(const char *lab, struct sbuf *err)
{
	_cleanup_free_ char *dir = rundir_path(lab, NULL);
	int r = make_dir(dir, 0755, 0700, err);

	if (r == 0)
		r = rundir_check(lab, err);
	if (r < 0)
		return r;
	/* 0700 whatever made it: its files (logs, keys, what nodes wrote) are
	 * root's alone */
	_cleanup_close_ int fd = rundir_open_file(lab, NULL, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0 || fchmod(fd, 0700) < 0) {
		r = fd < 0 ? fd : -errno;
		sbuf_addf(err, "make %s mode 0700: %s", dir, strerror(-r));
		return r;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	(void)(flag == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

bool rundir_remove(const char *lab)
{
	_cleanup_free_ char *dir = rundir_path(lab, NULL);

	/* FTW_MOUNT: a mount point left by mistake is not walked into */
	(void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return rmdir(NSLAB_RUNDIR) == 0 || errno == ENOENT; /* only when empty */
}

int rundir_list(struct strvec *ret)
{
	DIR *d = opendir(NSLAB_RUNDIR);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !topo_name_error(e->d_name, TOPO_LAB_NAME_MAX))
			vec_push(ret, xstrdup(e->d_name));
	closedir(d);
	return 0;
}

/* Is the lock on fd held by a process that is gone? /proc/locks names the
 * process that took a flock, and the lock lives on in every process that
 * shares its open file. A child of an nslab killed by SIGKILL, forked but
 * not yet at its close_range or exec, holds the lab's lock longer than its
 * parent lived (scripts/stress.sh's kill part met it: down right after
 * said another nslab was at work). */
static bool lock_holder_gone(int fd)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/locks", "re");
	struct stat st;
	char line[256];

	if (!f || fstat(fd, &st) < 0)
		return false;
	/* Not listed at all: in a PID namespace, /proc/locks leaves out the
	 * locks whose owner is not in it, a dead one among them. Gone too:
	 * all it changes is that up waits 2 s rather than 0.5 s. */
	bool listed = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long ino;
		int pid;
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid, &maj, &min, &ino) == 4 &&
		    ino == st.st_ino && makedev(maj, min) == st.st_dev) {
			listed = true;
			/* 0: the kernel finds no such process (locks_translate_pid) */
			if (pid == 0 || (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH))
				return true;
		}
	}
	return !listed;
}

/* A lock file in LOCKDIR (made first), never through a symlink. */
static int open_lock_file(const char *path, mode_t mode, struct sbuf *err)
{
	int r = make_dir(NSLAB_LOCKDIR, 01777, 0755, err);

	if (r < 0)
		return r;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		sbuf_addf(err, "open %s: %s", path, strerror(errno));
		return -errno;
	}
	return fd;
}

int rundir_lock(const char *lab, struct sbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s.lock", NSLAB_LOCKDIR, lab);
	int r, fd = open_lock_file(path, 0644, err);

	if (fd < 0)
		return fd;
	/* Held: a moment (the child of a killed nslab between its fork and its
	 * close_range, on a busy machine, is seen holding it for tens of ms),
	 * and up to 2 s while the process that took it is gone. */
	for (int waited = 0;; waited += 10) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		r = -errno;
		if (r != -EWOULDBLOCK || waited >= 2000 || (waited >= 500 && !lock_holder_gone(fd)))
			break;
		(void)nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	close(fd);
	if (r == -EWOULDBLOCK) {
		sbuf_addf(err, "lab '%s' is being changed by another nslab right now (an up or a down "
			       "of it is running); nothing was changed: wait for it to end, then see "
			       "'nslab ls'",
			  lab);
		return -EBUSY;
	}
	sbuf_addf(err, "lock %s: %s", path, strerror(-r));
	return r;
}

int journal_create(const char *lab, const char *file, struct journal *j, struct sbuf *err)
{
	_cleanup_free_ char *path = rundir_path(lab, RUNDIR_JOURNAL);

	j->f = rundir_fopen(lab, RUNDIR_JOURNAL, "w");
	if (!j->f) {
		sbuf_addf(err, "create %s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(j->f, "# nslab journal: lab '%s' from %s, pid %d, started %lld\n", lab, file,
		(int)getpid(), (long long)time(NULL));
	return 0;
}

int journal_netns(struct journal *j, const char *ns)
{
	fprintf(j->f, RECORD_NETNS "%s\n", ns);
	/* What happens inside a namespace goes with it: only these records
	 * need to be on disk before the step. */
	return fflush(j->f) == 0 ? 0 : -errno;
}

void journal_comment(struct journal *j, const char *text)
{
	for (const char *line = text, *end; line && *line; line = end) {
		end = strchrnul(line, '\n');
		fprintf(j->f, "# %.*s\n", (int)(end - line), line);
		if (*end)
			end++;
	}
}

int journal_limits(struct journal *j)
{
	fprintf(j->f, RECORD_LIMITS "%lld\n", (long long)time(NULL));
	return fflush(j->f) == 0 ? 0 : -errno;
}

int journal_done(struct journal *j)
{
	fprintf(j->f, RECORD_DONE "%lld\n", (long long)time(NULL));
	return fflush(j->f) == 0 ? 0 : -errno;
}

void journal_close(struct journal *j)
{
	if (j->f)
		fclose(j->f);
	j->f = NULL;
}

int journal_live(const char *lab, const char *what, const char *commands)
{
	struct journal j = {.f = rundir_fopen(lab, RUNDIR_JOURNAL, "a")};
	int r;

	if (!j.f)
		return -errno;
	fprintf(j.f, RECORD_LIVE "%lld %s\n", (long long)time(NULL), what);
	journal_comment(&j, commands);
	r = fflush(j.f) == 0 ? 0 : -errno;
	journal_close(&j);
	return r;
}

int journal_read(const char *lab, struct strvec *ret, bool *ret_complete)
{
	_cleanup_fclose_ FILE *f = rundir_fopen(lab, RUNDIR_JOURNAL, "r");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, len = strlen(lab);
	ssize_t n;

	*ret_complete = false;
	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, RECORD_NETNS, strlen(RECORD_NETNS)) == 0) {
			const char *ns = line + strlen(RECORD_NETNS);
			/* Only our own names: a damaged journal must not make
			 * us delete someone else's namespace. */
			if (strncmp(ns, lab, len) == 0 && ns[len] == '-' && !strchr(ns, '/'))
				vec_push(ret, xstrdup(ns));
		} else if (strncmp(line, RECORD_DONE, strlen(RECORD_DONE)) == 0) {
			*ret_complete = true;
		}
	}
	return 0;
}

int rundir_write_file(const char *lab, const char *file, const char *text)
{
	_cleanup_close_ int dir = rundir_open_file(lab, NULL, O_PATH | O_DIRECTORY, 0);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", file);
	size_t n = strlen(text);
	int r;

	if (dir < 0)
		return dir;
	/* renameat replaces a link planted at FILE, never what it points to */
	_cleanup_close_ int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	r = write(fd, text, n) != (ssize_t)n ? -EIO : 0;
	if (r == 0 && renameat(dir, tmp, dir, file) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dir, tmp, 0);
	return r;
}

char *rundir_secret_path(const char *lab, const char *name)
{
	return xasprintf("%s/%s/%s/%s", NSLAB_RUNDIR, lab, RUNDIR_KEYS, name);
}

int rundir_write_secret(const char *lab, const char *name, const char *text)
{
	_cleanup_close_ int top = rundir_open_file(lab, NULL, O_PATH | O_DIRECTORY, 0);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", name);
	size_t n = strlen(text);

	if (top < 0)
		return top;
	if (mkdirat(top, RUNDIR_KEYS, 0700) < 0 && errno != EEXIST)
		return -errno;
	_cleanup_close_ int dir = openat(top, RUNDIR_KEYS, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	/* 0600 from the start: never a moment readable by others */
	_cleanup_close_ int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	int r = fchmod(fd, 0600) < 0 ? -errno : write(fd, text, n) != (ssize_t)n ? -EIO : 0;
	if (r == 0 && renameat(dir, tmp, dir, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dir, tmp, 0);
	return r;
}

int rundir_write_info(const char *lab, const struct rundir_info *i)
{
	_cleanup_free_ char *text = xasprintf("file=%s\nnodes=%u\nlinks=%u\nsince=%lld\n", i->file,
					      i->nodes, i->links, i->since);

	return rundir_write_file(lab, RUNDIR_INFO, text);
}

int rundir_read_info(const char *lab, struct rundir_info *i)
{
	_cleanup_fclose_ FILE *f = rundir_fopen(lab, RUNDIR_INFO, "r");
	char line[4200];

	memset(i, 0, sizeof(*i));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (streq(line, "file")) {
			free(i->file);
			i->file = xstrdup(eq);
		} else if (streq(line, "nodes")) {
			i->nodes = (unsigned)strtoul(eq, NULL, 10);
		} else if (streq(line, "links")) {
			i->links = (unsigned)strtoul(eq, NULL, 10);
		} else if (streq(line, "since")) {
			i->since = strtoll(eq, NULL, 10);
		}
	}
	return 0;
}

int rundir_add_service(const char *lab, const struct rundir_service *s)
{
	_cleanup_fclose_ FILE *f = rundir_fopen(lab, RUNDIR_SERVICES, "a");

	if (!f)
		return -errno;
	/* the command last: it may hold blanks */
	fprintf(f, "%s %s %d %llu %lld %s\n", s->node, s->name, (int)s->pid, s->start, s->since,
		s->cmd);
	return fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -errno;
}

int rundir_read_services(const char *lab, struct rundir_services *ret)
{
	_cleanup_fclose_ FILE *f = rundir_fopen(lab, RUNDIR_SERVICES, "r");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		char node[64], name[64];
		int pid, off = 0;
		unsigned long long start;
		long long since;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (sscanf(line, "%63s %63s %d %llu %lld %n", node, name, &pid, &start, &since, &off) < 5 ||
		    pid <= 1 || !off)
			continue; /* a torn last line */
		struct rundir_service *s = vec_add(ret);
		*s = (struct rundir_service){.node = xstrdup(node), .name = xstrdup(name), .pid = pid,
					     .start = start, .since = since, .cmd = xstrdup(line + off)};
	}
	return 0;
}

void rundir_services_free(struct rundir_services *v)
{
	vec_foreach(s, v)
	{
		free(s->node);
		free(s->name);
		free(s->cmd);
	}
	vec_free(v);
}

int rundir_host_lock(struct sbuf *err)
{
	static const char path[] = NSLAB_LOCKDIR "/" HOST_DIR ".lock";
	int r, fd = open_lock_file(path, 0600, err);

	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) { /* a signal: up rolls back after its step */
			r = -errno;
			sbuf_addf(err, "lock %s: %s", path, strerror(-r));
			close(fd);
			return r;
		}
	return fd;
}

/* RUNDIR/.host-limits, opened (made first when `make`): a folder of ours,
 * 0700, never a symlink. */
static int host_dir(bool make, int *ret_run)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int run = open(NSLAB_RUNDIR, flags);
	struct stat st;
	int r;

	if (run < 0 && errno == ENOENT && make) {
		if (mkdir(NSLAB_RUNDIR, 0755) < 0 && errno != EEXIST)
			return -errno;
		run = open(NSLAB_RUNDIR, flags);
	}
	if (run < 0)
		return -errno;
	if (make && mkdirat(run, HOST_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	_cleanup_close_ int fd = openat(run, HOST_DIR, flags);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != geteuid())
		return -EPERM; /* not ours: never written through */
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)
		return -errno;
	r = fd;
	fd = -1;
	if (ret_run) {
		*ret_run = run;
		run = -1;
	}
	return r;
}

int rundir_host_read(char **ret)
{
	_cleanup_close_ int dir = host_dir(false, NULL);

	if (dir < 0)
		return dir;
	_cleanup_close_ int fd = openat(dir, HOST_RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	_cleanup_fclose_ FILE *f = fdopen(fd, "re");
	if (!f)
		return -errno;
	fd = -1; /* f has it */
	char *text = read_stream(f);
	if (strlen(text) > HOST_MAX) {
		free(text);
		return -EFBIG;
	}
	*ret = text;
	return 0;
}

int rundir_host_write(const char *text)
{
	_cleanup_close_ int run = -1;
	_cleanup_close_ int dir = host_dir(text != NULL, &run);
	int r = 0;

	if (dir < 0)
		return text || dir != -ENOENT ? dir : 0;
	if (!text) {
		if (unlinkat(dir, HOST_RECORD, 0) < 0 && errno != ENOENT)
			return -errno;
		(void)unlinkat(dir, HOST_RECORD ".tmp", 0);
		return unlinkat(run, HOST_DIR, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
	}
	/* 0600 from the start, and O_EXCL after clearing a stale one: never
	 * a file that someone else made or linked */
	(void)unlinkat(dir, HOST_RECORD ".tmp", 0);
	_cleanup_close_ int fd = openat(dir, HOST_RECORD ".tmp",
					O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (r == 0 && renameat(dir, HOST_RECORD ".tmp", dir, HOST_RECORD) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dir, HOST_RECORD ".tmp", 0);
	return r;
}
