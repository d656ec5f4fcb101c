/* SPDX-License-Identifier: MIT */
/* The one owner of nslab's state on disk (after crun's status.c):
 *   RUNDIR/LAB/journal       structured records, written before each step
 *   RUNDIR/LAB/info          written when up completes
 *   RUNDIR/LAB/topology.ini  the file as it was at up, for `check`
 *   RUNDIR/LAB/dns*          dnsmasq's files (dns.c)
 *   RUNDIR/LAB/ns/           nodes' mount and UTS namespaces (runtime.c)
 *   RUNDIR/LAB/root/NODE/    the upper layers of a node's private dirs
 *   RUNDIR/LAB/logs/NODE.log what ran in the node printed
 *   RUNDIR/LAB/services      the services started, one a line
 *   RUNDIR/LAB/keys/NAME     secrets made for the lab (WireGuard private
 *                            keys), mode 0600 in a 0700 folder
 *   LOCKDIR/LAB.lock         the lab's lock; never deleted, so a lock is
 *                            always taken on the file that others open
 *   RUNDIR/.host-limits/record  host-wide: the host's sysctls that labs
 *                            raised (host-limits.c), their old values and
 *                            the labs that hold the raise; 0600 in a 0700
 *                            folder, both gone with the last holder
 *   LOCKDIR/.host-limits.lock   its lock (lab names never start with '.')
 * RUNDIR goes when its last lab does: no trace of nslab stays but the
 * empty lock files in LOCKDIR (/run/lock, cleared at boot). */
#pragma once

#include "util.h"

#define RUNDIR_JOURNAL "journal"
#define RUNDIR_INFO "info"
#define RUNDIR_TOPOLOGY "topology.ini"
/* the host of [hosts] whose part this is, when the lab is split (hosts.h) */
#define RUNDIR_HOST "host"
#define RUNDIR_DNS_LOG "dns.log"
#define RUNDIR_DNS_HOSTS "dns-hosts"
#define RUNDIR_DNS_PID "dnsmasq.pid"
#define RUNDIR_NS "ns"
#define RUNDIR_ROOT "root"
#define RUNDIR_LOGS "logs"
#define RUNDIR_SERVICES "services"
#define RUNDIR_KEYS "keys"

/* RUNDIR/LAB/FILE, or RUNDIR/LAB when file is NULL. */
char *rundir_path(const char *lab, const char *file);
/* Does RUNDIR/LAB exist? */
bool rundir_exists(const char *lab);
/* RUNDIR/LAB, made if missing, mode 0700 (rundir_check'ed). */
int rundir_make(const char *lab, struct sbuf *err);
/* RUNDIR and RUNDIR/LAB, where they exist, are directories of root's (or
 * ours), not symbolic links: else -ELOOP (-ENOTDIR, -EPERM) and err names
 * the path and says to remove it. Every file of the run directory is then
 * opened by rundir_open_file, which follows no link. */
int rundir_check(const char *lab, struct sbuf *err);
/* RUNDIR/LAB/FILE (FILE NULL: the folder) as open(2), following no
 * symbolic link on the way (-ELOOP). Returns the fd or -errno. */
int rundir_open_file(const char *lab, const char *file, int flags, mode_t mode);
/* The same with fopen's modes "r", "w", "a"; NULL and errno on failure. */
FILE *rundir_fopen(const char *lab, const char *file, const char *mode);
/* Is there a RUNDIR/LAB/FILE, reached without following a link? */
bool rundir_has(const char *lab, const char *file);
/* RUNDIR/LAB and everything in it (never across a mount point: unmount
 * first); RUNDIR too when it is left empty. True when RUNDIR is gone: no
 * lab is left. */
bool rundir_remove(const char *lab);
/* Lab names with a run directory, unsorted. */
int rundir_list(struct strvec *ret);

/* Take the lab's lock, waiting half a second at most (2 s while the
 * process that took it is gone and a child of it holds it). Returns the fd
 * (close it to let go), or -EBUSY with "being changed by another nslab" in
 * err. */
int rundir_lock(const char *lab, struct sbuf *err);

/* The journal: one record a line, "netns NAME" before a namespace is
 * made, "done TIME" when up completes and "live TIME WHAT" for each later
 * change; '#' lines (the steps as ip(8)
 * commands, for people) are not read back. */
struct journal {
	FILE *f;
};
int journal_create(const char *lab, const char *file, struct journal *j, struct sbuf *err);
/* On disk before the namespace exists. */
int journal_netns(struct journal *j, const char *ns);
/* A step's ip(8) text (lines ending in '\n'), as comments. */
void journal_comment(struct journal *j, const char *text);
/* "limits TIME": up raised host limits for the lab (host-limits.c keeps
 * the record; down restores them once no lab holds them). */
int journal_limits(struct journal *j);
int journal_done(struct journal *j);
void journal_close(struct journal *j);
/* A change made while the lab runs (`nslab link`, `nslab impair`):
 * "live TIME WHAT", then its commands as comments. It lives in the lab's
 * namespaces, so down has nothing more to undo. */
int journal_live(const char *lab, const char *what, const char *commands);
/* The namespaces on record (only LAB-* names), in order; *ret_complete
 * when up finished. -errno when there is no journal. */
int journal_read(const char *lab, struct strvec *ret, bool *ret_complete);

struct rundir_info {
	char *file; /* absolute path of the topology */
	unsigned nodes, links;
	long long since; /* unix time */
};
int rundir_write_info(const char *lab, const struct rundir_info *i);
/* -errno when there is none (an up is running or was interrupted). */
int rundir_read_info(const char *lab, struct rundir_info *ret);
/* Write RUNDIR/LAB/FILE, replacing it atomically. */
int rundir_write_file(const char *lab, const char *file, const char *text);

/* Write RUNDIR/LAB/keys/NAME, readable by its owner only (0600, in a 0700
 * folder), replacing it: a secret the lab made, gone with the lab. */
int rundir_write_secret(const char *lab, const char *name, const char *text);
/* Its path, RUNDIR/LAB/keys/NAME, for messages and tests. */
char *rundir_secret_path(const char *lab, const char *name);

/* The host-wide record of raised limits (its format is host-limits.c's).
 * Take the lock (waiting for it: holders keep it for a few writes) before
 * reading and until the record is written; returns the fd, or -errno with
 * the reason in err. */
int rundir_host_lock(struct sbuf *err);
/* The record's text; -ENOENT when there is none. */
int rundir_host_read(char **ret);
/* Replace the record with text, atomically (a temporary file renamed over
 * it); NULL removes it and its folder. Never through a symlink. */
int rundir_host_write(const char *text);

/* A service on record: written when it starts, read by `ps` and `down`. */
struct rundir_service {
	char *node, *name;
	pid_t pid;
	unsigned long long start; /* its start time (/proc/PID/stat), against PID reuse */
	long long since;          /* unix time */
	char *cmd;
};
struct rundir_services {
	struct rundir_service *v;
	size_t n, cap;
};
int rundir_add_service(const char *lab, const struct rundir_service *s);
/* In the order they started; -errno when there is no record. */
int rundir_read_services(const char *lab, struct rundir_services *ret);
void rundir_services_free(struct rundir_services *v);
