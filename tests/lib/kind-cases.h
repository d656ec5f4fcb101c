/* SPDX-License-Identifier: MIT */
/* What the kinds' unit tests share (test-kind-*.c): a bad topology that
 * gives exactly one error with its line, message and hint; loading a good
 * one; its plan as `nslab plan` prints it; the facts diff compares. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parse.h"
#include "plan.h"
#include "state.h"
#include "validate.h"

struct kind_case {
	const char *ini;
	unsigned line;
	const char *msg;
	const char *hint; /* NULL: any hint, but one */
};

/* Every diagnostic of d as a TAP comment. */
void kind_print_diags(const struct diag *d);
/* A cmocka test: state is a struct kind_case; ini ("t.ini") gives exactly
 * that one error. */
void kind_case_test(void **state);
/* ini parsed and validated without an error. */
struct topo_lab *kind_load(const char *ini);
char *kind_plan_text(struct topo_lab *lab);
/* "NODE|KEY|VALUE" lines of the facts. */
char *kind_facts_text(const struct facts *f);
void kind_assert_has(const char *text, const char *want);
/* The cases (one test each, named by their message) and then fixed. */
int kind_run_group(const char *name, const struct kind_case *cases, size_t n,
		   const struct CMUnitTest *fixed, size_t nfixed);
