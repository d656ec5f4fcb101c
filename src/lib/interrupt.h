/* SPDX-License-Identifier: MIT */
/* SIGINT, SIGTERM and SIGHUP as a request to stop: long operations (up,
 * checks) poll interrupt_signal() between steps, undo what they made and
 * return; the command then says so and exits 128+signal. */
#pragma once

#include <stdbool.h>

/* Catch the three signals (SA_RESTART: system calls go on; only the flag
 * is set). Idempotent. */
void interrupt_catch(void);
/* The first signal caught, or 0. */
int interrupt_signal(void);
/* A second signal came: whoever lets work finish after the first (cluster
 * up) stops it now. */
bool interrupt_again(void);
/* "SIGINT" etc. */
const char *interrupt_name(int sig);
