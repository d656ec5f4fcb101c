/* SPDX-License-Identifier: MIT */
/* Lab names on a machine shared by a class: each user's labs carry a prefix
 * ("alice-router"), so that twenty students can bring up router.ini at
 * once. The CLI says where the prefix comes from; this is the rule. */
#pragma once

#include "util.h"

/* The prefix in force, without its '-': env_prefix (NSLAB_PREFIX or
 * --prefix) when set, even empty (no prefix); else the name of the user who
 * ran sudo (SUDO_USER), unless that is root or empty; else "". Returns one
 * of its arguments or "". */
const char *labname_prefix(const char *env_prefix, const char *sudo_user);

/* The lab a user means by `name`: "PREFIX-name", or name itself when the
 * prefix is "" or name already starts with "PREFIX-" (a name copied from
 * 'nslab ls'). Allocated. */
char *labname_qualify(const char *prefix, const char *name);

/* Is lab `name` one of the prefix's (every lab when prefix is "")? */
bool labname_is_mine(const char *prefix, const char *name);

/* name as its owner types it: without "PREFIX-" when it has it. */
const char *labname_short(const char *prefix, const char *name);
