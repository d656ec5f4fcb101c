/* SPDX-License-Identifier: MIT */
#pragma once

#include "nl.h"

/* The current namespace's sysctls, for steps that write them: the root
 * to pass to apply_write_sysctl (a procfs instance, or AT_FDCWD). */
int apply_sysctl_root(struct nl_ctx *nl);
/* key=value under root; 0 or -errno with "key=value: why" in err. */
int apply_write_sysctl(int root, const char *key, const char *value, struct sbuf *err);
/* Ask the kernel in a throw-away namespace of a child process (it loads a
 * module if it can): lacks(sk, arg), with a socket there, says whether it
 * lacks something. -EOPNOTSUPP if so, 0 if not, -EIO if the child failed. */
int apply_probe(bool (*lacks)(struct nl_sock *sk, const void *arg), const void *arg);
/* 0 if the kernel can create links of this rtnl kind, -EOPNOTSUPP if not. */
int apply_probe_kind(const char *kind);
