/* SPDX-License-Identifier: MIT */
/* Small helpers shared by every module: cleanup attributes, growable
 * arrays, a string builder and a string-keyed hash index. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}
static inline void fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership on: returns the pointer and clears the variable so the
 * cleanup attribute does not free it. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _p = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_p;                                                                                \
	})
#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int _fd = *(fdp);                                                                  \
		*(fdp) = -1;                                                                       \
		_fd;                                                                               \
	})

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
char *xvasprintf(const char *fmt, va_list ap) _printf_(1, 0);

/* A growable array of T: struct { T *v; size_t n, cap; }. */
#define VEC(T)                                                                                     \
	struct {                                                                                   \
		T *v;                                                                              \
		size_t n, cap;                                                                     \
	}
void vec_grow_(void **v, size_t *cap, size_t n, size_t size);
#define vec_grow(vec) vec_grow_((void **)&(vec)->v, &(vec)->cap, (vec)->n, sizeof(*(vec)->v))
#define vec_push(vec, x)                                                                           \
	do {                                                                                       \
		vec_grow(vec);                                                                     \
		(vec)->v[(vec)->n++] = (x);                                                        \
	} while (0)
/* Append a zeroed element and return a pointer to it. */
#define vec_add(vec) (vec_grow(vec), memset(&(vec)->v[(vec)->n], 0, sizeof(*(vec)->v)), &(vec)->v[(vec)->n++])
#define vec_free(vec)                                                                              \
	do {                                                                                       \
		free((vec)->v);                                                                    \
		(vec)->v = NULL;                                                                   \
		(vec)->n = (vec)->cap = 0;                                                         \
	} while (0)
/* p is tested first: NULL + 0, an empty vector's end, is undefined in C */
#define vec_foreach(p, vec) for (__typeof__((vec)->v[0]) *p = (vec)->v; p && p < (vec)->v + (vec)->n; p++)

struct strvec {
	char **v;
	size_t n, cap;
};
void strvec_free(struct strvec *v); /* the strings and the vector */

/* String builder. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_addf(struct sbuf *b, const char *fmt, ...) _printf_(2, 3);
void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap) _printf_(2, 0);
void sbuf_adds(struct sbuf *b, const char *s);
void sbuf_reset(struct sbuf *b);
char *sbuf_steal(struct sbuf *b);
void sbuf_free(struct sbuf *b);
/* s as one sh(1) word: as is when it is plain, else in '...'. */
void sbuf_add_shword(struct sbuf *b, const char *s);
/* The whole of a text file of at most max bytes (NUL-terminated), or -errno
 * (-EFBIG when longer). */
int read_text_file(const char *path, size_t max, char **ret);
int read_text_file_at(int dirfd, const char *path, size_t max, char **ret);

/* open(2) of DIR/REL that follows no symbolic link from DIR down: each
 * folder of REL is opened O_NOFOLLOW, and so is the last name (-ELOOP at a
 * link). DIR itself (a system folder: /run, /etc) is trusted. For what
 * nslab makes under /run/nslab and /etc/netns, where a link someone
 * planted must never lead nslab's writes or deletions elsewhere. Returns
 * the fd or -errno. */
int open_nofollow(const char *dir, const char *rel, int flags, mode_t mode);
/* The same, for the folder that holds REL's last name: an O_PATH fd of
 * DIR/dirname(REL), and *ret_name pointing into rel at its last name. */
int open_parent_nofollow(const char *dir, const char *rel, const char **ret_name);
/* FILE opened as open_nofollow does, with fopen's modes "r", "w", "a"
 * ("e" is implied); NULL and errno set on failure. */
FILE *fopen_nofollow(const char *dir, const char *rel, const char *mode);

/* A string -> pointer index (open addressing). Keys are not copied. */
struct strmap {
	const char **keys;
	void **vals;
	size_t n, cap;
};
void *strmap_get(const struct strmap *m, const char *key);
/* Returns the existing value when key is present (and does not replace it). */
void *strmap_put(struct strmap *m, const char *key, void *val);
void strmap_free(struct strmap *m);

/* Levenshtein distance, for "did you mean" hints. */
unsigned edit_distance(const char *a, const char *b);
/* The candidate closest to word, or NULL when none is close enough. */
const char *closest_word(const char *word, const char *const *candidates, size_t n);

/* A duration: "500ms", "10s" or "10" (seconds), "2m"; decimals allowed
 * ("1.5s"). -EINVAL when it is none, -ERANGE above max_ms. */
int parse_duration_ms(const char *s, unsigned max_ms, unsigned *ret);

/* Split s (modified in place) at runs of blanks; returns the count, at most max. */
size_t split_words(char *s, char **words, size_t max);

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *ret);
/* yes/no, true/false, on/off, 1/0. Returns 0 or -EINVAL. */
int parse_bool(const char *s, bool *ret);

/* Everything left in f, as a string (never NULL). */
char *read_stream(FILE *f);

/* Write a whole string to a file (no O_CREAT). Returns 0 or -errno. */
int write_file(const char *path, const char *s);
int write_file_at(int dirfd, const char *path, const char *s);
/* Create or truncate path (0644, not through a symlink) and write s. */
int write_file_new(const char *path, const char *s);
/* path's new content s, whole or not at all: written to PATH.nslab-tmp,
 * then renamed over path, so that an old file stays until the new one is
 * complete. 0 or -errno (the temporary file is gone either way). */
int write_file_replace(const char *path, const char *s);

/* Open-file limit. nslab holds a namespace and a netlink socket per node
 * while it builds a lab: room for n descriptors more than the usual few
 * (the soft limit raised, and the hard one as root where it is lower).
 * 0, or -errno with the limit as it was. The limit nslab started with is
 * kept: nofile_restore() puts it back (in children before exec, so that
 * daemons get what they would have got, and when the work is done). */
int nofile_reserve(size_t n);
void nofile_restore(void);
