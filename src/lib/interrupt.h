/* SPDX-License-Identifier: MIT */
/* SIGINT, SIGTERM and SIGHUP as a request to stop: long operations (up,
 * checks) poll interrupt_signal() between steps, undo what they made and
 * return; the command then says so and exits 128+signal. */
#pragma once

/* Catch the three signals (SA_RESTART: system calls go on; only the flag
 * is set). Idempotent. */
void interrupt_catch(void);
/* The first signal caught, or 0. */
int interrupt_signal(void);
/* "SIGINT" etc. */
const char *interrupt_name(int sig);
