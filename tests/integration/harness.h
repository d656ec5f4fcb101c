/* SPDX-License-Identifier: MIT */
/* Integration tests: run the real nslab binary as root and look at the
 * kernel from outside with ip -j, bridge -j and ping. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util.h"

/* Run a shell command; returns its exit status (-1 if it did not exit). */
int sh(const char *fmt, ...) _printf_(1, 2);
/* Run a shell command with its stdout and stderr captured; returns its
 * exit status, and quotes the command and what it printed as TAP comments
 * when that status is not `want`. assert_sh(WANT, FMT, ...) asserts it. */
int sh_want(int want, const char *fmt, ...) _printf_(2, 3);
#define assert_sh(want, ...) assert_int_equal(sh_want((want), __VA_ARGS__), (want))
/* Run a shell command and return its standard output (trailing newlines
 * cut); NULL on failure to run. */
char *capture(const char *fmt, ...) _printf_(1, 2);
/* Print text as TAP comments: "# " before every line of it, so that
 * command output quoted in a diagnostic never reads as a TAP line. */
void diag(const char *fmt, ...) _printf_(1, 2);
/* The exit status that captured output ends with: the tests end their
 * commands with "; echo rc=$?". -1 where there is no "rc=N" line. */
int exit_status(const char *out);
/* Path of the nslab binary and of the source tree. */
const char *nslab(void);
const char *srcdir(void);

/* Group setup: skip everything (with the reason) unless root. */
int require_root(void **state);

/* The root namespace as `ip -j` sees it, normalised. */
char *root_snapshot(void);
/* A namespace as `ip -j` sees it, without what changes between builds
 * (indexes, MACs, netns ids). */
char *netns_snapshot(const char *ns);
/* Assert nothing of lab `name` is left anywhere. */
void assert_lab_gone(const char *name);
