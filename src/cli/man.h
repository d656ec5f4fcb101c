/* SPDX-License-Identifier: MIT */
/* nslab(1)'s SYNOPSIS and COMMANDS from the command table (man.c). */
#pragma once

#include <stdio.h>

/* Two blocks of roff, each after a comment line that names it
 * (".\" @SYNOPSIS@", ".\" @COMMANDS@"), for docs/man-merge.sh. */
void cmd_man(FILE *f);
