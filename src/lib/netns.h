/* SPDX-License-Identifier: MIT */
/* Named network namespaces, compatible with `ip netns`: a bind mount of the
 * namespace on /run/netns/NAME. */
#pragma once

#include "util.h"

/* Make /run/netns a shared mount point, as iproute2 does, so namespaces
 * created later propagate into other mount namespaces: a tmpfs of nslab's
 * own where it is empty. Returns an fd that keeps the mount from being
 * unmounted by another lab's down: close it once this lab's namespaces are
 * in it. Idempotent. */
int netns_prepare_dir(void);
/* Unmount that tmpfs if nothing is in it or holds it any more. */
void netns_release_dir(void);

/* Create namespace `name` and move the calling thread into it. The caller
 * does its work inside, then returns with netns_enter(orig). Returns an fd
 * of the new namespace, or -errno (-EEXIST if the name is taken). */
/* Create namespace `name` (bound at /run/netns/NAME) and enter it; returns
 * its fd. On failure the caller may be in a new, unnamed namespace: it
 * must switch back to where it was. */
int netns_create_and_enter(const char *name);
int netns_enter(int fd);
int netns_open(const char *name); /* O_RDONLY fd of /run/netns/NAME, or -errno */
int netns_open_current(void);
bool netns_exists(const char *name);

/* A private, unattached procfs instance (a mount fd), or -errno where the
 * kernel or libc lacks fsopen(2). Sysctl writes use it instead of /proc:
 * each namespace that looks up /proc/sys/net adds a dentry to one hash
 * chain that every later lookup walks under a lock, so writing a sysctl
 * cost 40 us in the first namespace of a lab and 600 us in the 2000th.
 * A fresh instance starts with empty chains. */
int netns_proc_instance(void);

/* Unmount and remove /run/netns/NAME; 0 if it was not there. */
int netns_delete(const char *name);
/* Remove /etc/netns/NAME: the files `ours` (NULL-terminated), then the
 * directory if that empties it; else it stays, and `kept` says so with
 * what is in it. A symbolic link at /etc/netns/NAME is not followed: it
 * stays, and `kept` says so. */
int netns_remove_etc(const char *name, const char *const *ours, struct sbuf *kept);
/* /etc/netns/NAME opened (O_RDONLY | O_DIRECTORY), following no link: a
 * symbolic link there (or at /etc/netns) is -ELOOP or -ENOTDIR, and err
 * says what to do. With create, /etc/netns and /etc/netns/NAME are made
 * where missing. -ENOENT (nothing in err) when missing and not create. */
int netns_etc_open(const char *name, bool create, struct sbuf *err);

/* The namespace's inode (what /proc/PID/ns/net points at), or 0. */
uint64_t netns_inode(const char *name);

/* Kill every process whose network namespace is one of inodes (sorted),
 * SIGTERM first, SIGKILL after grace_ms, and wait until they are gone.
 * Returns the number of processes found. */
int netns_kill_procs(const uint64_t *inodes, size_t n, unsigned grace_ms);

/* Names in /run/netns that start with prefix. */
int netns_list(const char *prefix, struct strvec *ret);
/* Read the ifalias of lo inside namespace name into buf ("" if none). */
int netns_lo_alias(const char *name, char *buf, size_t len);
