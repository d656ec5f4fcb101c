/* SPDX-License-Identifier: MIT */
#pragma once

#include "nl.h"

/* The current namespace's sysctls, for steps that write them: the root
 * to pass to apply_write_sysctl (a procfs instance, or AT_FDCWD). */
int apply_sysctl_root(struct nl_ctx *nl);
/* key=value under root; 0 or -errno with "key=value: why" in err. */
int apply_write_sysctl(int root, const char *key, const char *value, struct sbuf *err);
/* 0 if the kernel can create links of this rtnl kind, -EOPNOTSUPP if not. */
int apply_probe_kind(const char *kind);
