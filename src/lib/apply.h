/* SPDX-License-Identifier: MIT */
#pragma once

#include "nl.h"

/* Carry out one step. Returns 0 or -errno with the reason in err. */
int apply_step(struct nl_ctx *nl, const struct step *s, struct sbuf *err);
/* 0 if the kernel can create links of this rtnl kind, -EOPNOTSUPP if not. */
int apply_probe_kind(const char *kind);
