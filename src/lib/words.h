/* SPDX-License-Identifier: MIT */
/* Values that are command lines or word lists ([expect] exec and resolve,
 * and any later command key): sh-like quoting, nothing expanded.
 *
 *  - blanks (space, tab) separate words; ';' and '#' start a comment at the
 *    start or after a blank, outside quotes (words_cut_comment);
 *  - '...' is literal up to the next ', as in sh;
 *  - "..." is literal except \" and \\, which stand for " and \ (any other
 *    backslash stays);
 *  - quotes may appear inside a word and join: --fmt='a b' is one word,
 *    '' is an empty word; a backslash outside quotes is an ordinary
 *    character. */
#pragma once

#include "util.h"

/* Cut the comment off line, in place: at the first ';' or '#' outside
 * quotes that starts line or follows a blank. Returns 0, or -1 with *why
 * ("unclosed ' quote", "unclosed \" quote") and line unchanged. */
int words_cut_comment(char *line, const char **why);

/* Append the words of s to ret (unquoted, newly allocated). ';' and '#' are
 * ordinary here: cut the comment first. Returns 0, or -1 with *why as above
 * and ret as it was. */
int words_split(const char *s, struct strvec *ret, const char **why);

/* The next word of *s (unquoted, newly allocated in *ret), *s moved past
 * it: 1, or 0 at the end, or -1 with *why. */
int words_next(const char **s, char **ret, const char **why);

/* Free the strings of v and v itself. */
void words_free(struct strvec *v);
