// SPDX-License-Identifier: MIT
#include "netns.h"

#include <config.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* The mount that /run/netns resolves to, if /run/netns is a mount point:
 * its file system type and source, found in mountinfo by its mount id
 * (the last line for a path need not be the mount on top). 0, -ENOENT when
 * /run/netns is no mount point, -ENOSYS on kernels before 5.8 (no mount id
 * in statx), or -errno. */
static int netns_dir_mount(char ret_fstype[static 32], char ret_source[static 64])
{
	struct statx stx;

	if (statx(AT_FDCWD, NSLAB_NETNS_DIR, AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID) || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -ENOSYS;
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return -ENOENT;

	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long id;
		const char *tail = strstr(line, " - ");
		/* ID PARENT DEV ROOT TARGET OPTIONS [OPTIONAL...] - FSTYPE SOURCE ... */
		if (sscanf(line, "%llu", &id) == 1 && id == stx.stx_mnt_id && tail)
			return sscanf(tail, " - %31s %63s", ret_fstype, ret_source) == 2 ? 0 : -EINVAL;
	}
	return -ENOENT;
}

/* prepare and release of /run/netns exclude each other across nslab
 * processes (other labs' ups and downs): a lock on its parent directory,
 * which no lab ever removes. */
static int netns_dir_lock(void)
{
	_cleanup_free_ char *parent = xstrdup(NSLAB_NETNS_DIR);
	int fd = open(dirname(parent), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int netns_prepare_dir(void)
{
	char fstype[32] = "", source[64] = "";
	int r, pin;

	if (mkdir(NSLAB_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	_cleanup_close_ int lock = netns_dir_lock();
	if (lock < 0)
		return lock;
	r = netns_dir_mount(fstype, source);
	if (r < 0 && r != -ENOENT && r != -ENOSYS)
		return r;
	/* An empty /run/netns that is no tmpfs mount gets ours. It is the
	 * mount point that iproute2's netns_add() makes by binding the
	 * directory on itself, so that it can be shared; it is a tmpfs even
	 * where /run is on a disk (some VMs and containers), whose inode
	 * allocation for the namespaces' files was a fifth of `up` for a
	 * 500-node lab, measured; and the last lab's down takes it away again
	 * (netns_release_dir): nslab leaves no mount behind. Where the kernel
	 * cannot tell which mount is there, do as iproute2 does. */
	if (r != -ENOSYS && dir_is_empty(NSLAB_NETNS_DIR) && !(r == 0 && streq(fstype, "tmpfs")) &&
	    mount(NSLAB_NETNS_TMPFS, NSLAB_NETNS_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755") < 0)
		return -errno;
	/* As netns_add() does: shared; no mount point yet (EINVAL): bind it
	 * on itself first. */
	if (mount("", NSLAB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0 &&
	    (errno != EINVAL ||
	     mount(NSLAB_NETNS_DIR, NSLAB_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	     mount("", NSLAB_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0))
		return -errno;
	/* Holding the mount keeps another lab's down from unmounting it
	 * before this lab's namespaces are in it (umount2 says EBUSY). */
	pin = open(NSLAB_NETNS_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return pin < 0 ? -errno : pin;
}

void netns_release_dir(void)
{
	char fstype[32], source[64];
	_cleanup_close_ int lock = netns_dir_lock();

	if (lock < 0 || !dir_is_empty(NSLAB_NETNS_DIR) || netns_dir_mount(fstype, source) < 0 ||
	    !streq(fstype, "tmpfs") || !streq(source, NSLAB_NETNS_TMPFS))
		return;
	/* Never MNT_DETACH: the kernel refuses (EBUSY) while any namespace,
	 * another tool's included, is mounted in it, or a lab's up holds it.
	 * The directory stays: something may have it bind-mounted (a
	 * container given the host's /run/netns), and iproute2 leaves it too. */
	(void)umount2(NSLAB_NETNS_DIR, UMOUNT_NOFOLLOW);
}

static char *ns_path(const char *name)
{
	return xasprintf("%s/%s", NSLAB_NETNS_DIR, name);
}

int netns_open_current(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int netns_open(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool netns_exists(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	return access(path, F_OK) == 0;
}

int netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
}

int netns_create_and_enter(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	int fd, r;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	if (unshare(CLONE_NEWNET) < 0)
		goto fail;
	/* A single-threaded process: /proc/self is this thread. */
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
		goto fail;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	return fd;
fail:
	r = -errno;
	(void)unlink(path);
	return r;
}

int netns_proc_instance(void)
{
#if HAVE_FSOPEN
	int fs = fsopen("proc", FSOPEN_CLOEXEC), mnt;

	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int r = -errno;
		close(fs);
		return r;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	int r = mnt < 0 ? -errno : mnt;
	close(fs);
	return r;
#else
	return -ENOSYS;
#endif
}

int netns_delete(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);

	/* MNT_DETACH: a process that still has the file open must not make
	 * down fail; the namespace dies with its last reference. */
	/* UMOUNT_NOFOLLOW: a link planted at the name must not make us
	 * unmount what it points to */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return -errno;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int netns_etc_open(const char *name, bool create, struct sbuf *err)
{
	static const char etc[] = NSLAB_ETC_NETNS_DIR;
	const char *slash = strrchr(etc, '/');
	_cleanup_free_ char *parent = slash == etc ? xstrdup("/") : xstrndup(etc, (size_t)(slash - etc));
	_cleanup_free_ char *rel = xasprintf("%s/%s", slash + 1, name);
	int fd;

	if (create) {
		_cleanup_close_ int p = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (p < 0 || (mkdirat(p, slash + 1, 0755) < 0 && errno != EEXIST)) {
			int r = -errno;
			sbuf_addf(err, "create %s: %s", etc, strerror(errno));
			return r;
		}
		_cleanup_close_ int top = openat(p, slash + 1, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (top >= 0 && mkdirat(top, name, 0755) < 0 && errno != EEXIST) {
			int r = -errno;
			sbuf_addf(err, "create %s/%s: %s", etc, name, strerror(errno));
			return r;
		}
	}
	fd = open_nofollow(parent, rel, O_RDONLY | O_DIRECTORY, 0);
	if (fd == -ELOOP || fd == -ENOTDIR) {
		struct stat st;
		_cleanup_free_ char *path = xasprintf("%s/%s", etc, name);
		const char *bad = lstat(etc, &st) == 0 && !S_ISDIR(st.st_mode) ? etc : path;
		bool link = lstat(bad, &st) == 0 && S_ISLNK(st.st_mode);
		sbuf_addf(err, "%s is %s, not a directory nslab made: nslab follows no link there; "
			       "remove it ('rm %s') and run again",
			  bad, link ? "a symbolic link" : "not a directory", bad);
	} else if (fd < 0 && fd != -ENOENT) {
		sbuf_addf(err, "open %s/%s: %s", etc, name, strerror(-fd));
	}
	return fd;
}

int netns_remove_etc(const char *name, const char *const *ours, struct sbuf *kept)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", NSLAB_ETC_NETNS_DIR, name);
	struct sbuf why = {0};
	int dfd = netns_etc_open(name, false, &why);

	if (dfd == -ELOOP || dfd == -ENOTDIR) {
		/* not ours, and never followed: what it points to is not touched */
		sbuf_addf(kept, "%s stays: %s\n", path, why.s);
		sbuf_free(&why);
		return 0;
	}
	sbuf_free(&why);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	for (; *ours; ours++)
		(void)unlinkat(dfd, *ours, 0);
	if (rmdir(path) == 0 || errno == ENOENT) {
		close(dfd);
		return 0;
	}
	int r = -errno;
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	sbuf_addf(kept, "%s stays: it holds what nslab did not make (", path);
	for (bool first = true; d && (e = readdir(d));) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		sbuf_addf(kept, "%s%s%s", first ? "" : ", ", e->d_name, e->d_type == DT_DIR ? "/" : "");
		first = false;
	}
	sbuf_adds(kept, ")\n");
	if (d)
		closedir(d);
	else
		close(dfd);
	return r;
}

uint64_t netns_inode(const char *name)
{
	_cleanup_free_ char *path = ns_path(name);
	struct stat st;

	struct stat nsfs;

	/* stat() follows the bind mount to the nsfs inode; a file left by an
	 * interrupted create is on another device and matches no process. */
	if (stat(path, &st) < 0 || stat("/proc/self/ns/net", &nsfs) < 0 || st.st_dev != nsfs.st_dev)
		return 0;
	return (uint64_t)st.st_ino;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* PIDs whose network namespace is in inodes. */
static size_t find_procs(const uint64_t *inodes, size_t n, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t found = 0;
	pid_t self = getpid();

	if (!d)
		return 0;
	while ((e = readdir(d)) && found < max) {
		char path[64], link[64];
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		ssize_t len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		uint64_t ino;
		if (sscanf(link, "net:[%lu]", &ino) != 1)
			continue;
		if (bsearch(&ino, inodes, n, sizeof(*inodes), cmp_u64))
			pids[found++] = (pid_t)pid;
	}
	closedir(d);
	return found;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int netns_kill_procs(const uint64_t *inodes, size_t n, unsigned grace_ms)
{
	_cleanup_free_ uint64_t *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	pid_t pids[4096];
	size_t found;
	int total = 0;

	if (!n)
		return 0;
	memcpy(sorted, inodes, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	found = find_procs(sorted, n, pids, ARRAY_SIZE(pids));
	total = (int)found;
	for (size_t i = 0; i < found; i++)
		(void)kill(pids[i], SIGTERM);
	for (unsigned waited = 0; found; waited += 10) {
		sleep_ms(10);
		found = find_procs(sorted, n, pids, ARRAY_SIZE(pids));
		if (waited >= grace_ms)
			for (size_t i = 0; i < found; i++)
				(void)kill(pids[i], SIGKILL);
		if (waited > grace_ms + 5000)
			break; /* unkillable (D state): the namespace outlives us */
	}
	return total;
}

int netns_list(const char *prefix, struct strvec *ret)
{
	DIR *d = opendir(NSLAB_NETNS_DIR);
	struct dirent *e;
	size_t plen = strlen(prefix);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, "..") &&
		    strncmp(e->d_name, prefix, plen) == 0)
			vec_push(ret, xstrdup(e->d_name));
	closedir(d);
	return 0;
}

int netns_lo_alias(const char *name, char *buf, size_t len)
{
	_cleanup_close_ int orig = netns_open_current();
	_cleanup_close_ int fd = netns_open(name);
	struct nl_sock *sk = NULL;
	struct rtnl_link *lo = NULL;
	int r;

	buf[0] = '\0';
	if (orig < 0 || fd < 0)
		return fd < 0 ? fd : orig;
	if ((r = netns_enter(fd)) < 0)
		return r;
	sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE) == 0 && rtnl_link_get_kernel(sk, 1, NULL, &lo) == 0) {
		const char *a = rtnl_link_get_ifalias(lo);
		snprintf(buf, len, "%s", a ? a : "");
		rtnl_link_put(lo);
	}
	if (sk)
		nl_socket_free(sk);
	if (netns_enter(orig) < 0)
		abort(); /* never carry on in the wrong namespace */
	return 0;
}
