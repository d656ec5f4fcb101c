// SPDX-License-Identifier: MIT
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>

static void oom(void)
{
	/* The only place the core exits: there is no sane way to report
	 * running out of memory through every caller. */
	(void)!write(STDERR_FILENO, "nslab: out of memory\n", 21);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void vec_grow_(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return;
	/* a first allocation of about 64 bytes: a node's one route or
	 * address (a struct of 100 bytes and more) costs one, not eight */
	*cap = *cap ? *cap * 2 : size >= 64 ? 1 : 64 / size;
	*v = xrealloc(*v, *cap * size);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

void sbuf_vaddf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (!b->s || b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(b, fmt, ap);
	va_end(ap);
}

void sbuf_adds(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (!b->s || b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

char *sbuf_steal(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = hash_str(key) & (m->cap - 1);
	while (m->keys[i] && !streq(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = strmap_slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

void *strmap_put(struct strmap *m, const char *key, void *val)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct strmap bigger = {.cap = m->cap ? m->cap * 2 : 16};
		bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = xcalloc(bigger.cap, sizeof(*bigger.vals));
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			size_t k = strmap_slot(&bigger, m->keys[j]);
			bigger.keys[k] = m->keys[j];
			bigger.vals[k] = m->vals[j];
		}
		bigger.n = m->n;
		strmap_free(m);
		*m = bigger;
	}
	size_t i = strmap_slot(m, key);
	if (m->keys[i])
		return m->vals[i];
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return NULL;
}

void strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return UINT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *closest_word(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	unsigned best_d = UINT_MAX;
	size_t wl = strlen(word);

	for (size_t i = 0; i < n; i++) {
		unsigned d = edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* Close enough: at most a third of the word wrong, and never all of it. */
	if (best && best_d <= (wl + 2) / 3 && best_d < wl)
		return best;
	return NULL;
}

size_t split_words(char *s, char **words, size_t max)
{
	size_t n = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == max)
			return max + 1;
		words[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (streq(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (streq(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

char *read_stream(FILE *f)
{
	struct sbuf b = {0};
	char buf[4096];
	size_t n;

	sbuf_adds(&b, "");
	while ((n = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
		buf[n] = '\0';
		sbuf_adds(&b, buf);
	}
	return sbuf_steal(&b);
}

int write_file_at(int dirfd, const char *path, const char *s)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	size_t n = strlen(s);

	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, s, n);
	if (w < 0)
		return -errno;
	if ((size_t)w != n)
		return -EIO;
	return 0;
}

int write_file_new(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t n = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, n) != (ssize_t)n)
		return -EIO;
	return 0;
}

int write_file_replace(const char *path, const char *s)
{
	_cleanup_free_ char *tmp = xasprintf("%s.nslab-tmp", path);
	int r = write_file_new(tmp, s);

	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int write_file(const char *path, const char *s)
{
	return write_file_at(AT_FDCWD, path, s);
}

int parse_duration_ms(const char *s, unsigned max_ms, unsigned *ret)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	if (streq(end, "ms"))
		;
	else if (!*end || streq(end, "s"))
		v *= 1000;
	else if (streq(end, "m") || streq(end, "min"))
		v *= 60000;
	else
		return -EINVAL;
	if (v > max_ms)
		return -ERANGE;
	*ret = (unsigned)(v + 0.5);
	return 0;
}

void sbuf_add_shword(struct sbuf *b, const char *s)
{
	bool plain = *s != '\0';

	for (const char *c = s; *c && plain; c++)
		plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			(*c >= '0' && *c <= '9') || strchr("_-./:=,+@%", *c);
	if (plain) {
		sbuf_adds(b, s);
		return;
	}
	sbuf_adds(b, "'");
	for (const char *c = s; *c; c++)
		if (*c == '\'')
			sbuf_adds(b, "'\\''");
		else
			sbuf_addf(b, "%c", *c);
	sbuf_adds(b, "'");
}

int read_text_file(const char *path, size_t max, char **ret)
{
	return read_text_file_at(AT_FDCWD, path, max, ret);
}

int read_text_file_at(int dirfd, const char *path, size_t max, char **ret)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	struct sbuf b = {0};
	char buf[4096];
	size_t n, total = 0;

	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		total += n;
		if (total > max) {
			sbuf_free(&b);
			return -EFBIG;
		}
		sbuf_addf(&b, "%.*s", (int)n, buf);
	}
	if (ferror(f)) {
		sbuf_free(&b);
		return -EIO;
	}
	*ret = b.s ? sbuf_steal(&b) : xstrdup("");
	return 0;
}

void strvec_free(struct strvec *v)
{
	vec_foreach(s, v) free(*s);
	vec_free(v);
}

static struct rlimit nofile_orig;
static bool nofile_raised;

int nofile_reserve(size_t n)
{
	struct rlimit cur, want;

	if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
		return -errno;
	want.rlim_cur = (rlim_t)n + 256;
	if (cur.rlim_cur >= want.rlim_cur)
		return 0;
	want.rlim_max = cur.rlim_max >= want.rlim_cur ? cur.rlim_max : want.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &want) < 0)
		return -errno; /* EPERM: not root, EINVAL/EPERM: above fs.nr_open */
	if (!nofile_raised)
		nofile_orig = cur;
	nofile_raised = true;
	return 0;
}

void nofile_restore(void)
{
	if (!nofile_raised)
		return;
	/* the hard limit stays: an unprivileged lowering is for good */
	struct rlimit cur;
	if (getrlimit(RLIMIT_NOFILE, &cur) == 0) {
		cur.rlim_cur = nofile_orig.rlim_cur;
		(void)setrlimit(RLIMIT_NOFILE, &cur);
	}
	nofile_raised = false;
}

int open_parent_nofollow(const char *dir, const char *rel, const char **ret_name)
{
	int cur = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *c = rel;

	if (cur < 0)
		return -errno;
	for (const char *slash; (slash = strchr(c, '/'));) {
		_cleanup_free_ char *part = xstrndup(c, (size_t)(slash - c));
		int next = openat(cur, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(cur);
		if (next < 0)
			return -e;
		cur = next;
		c = slash + 1;
	}
	*ret_name = c;
	return cur;
}

int open_nofollow(const char *dir, const char *rel, int flags, mode_t mode)
{
	const char *name;
	_cleanup_close_ int parent = open_parent_nofollow(dir, rel, &name);

	if (parent < 0)
		return parent;
	int fd = openat(parent, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

FILE *fopen_nofollow(const char *dir, const char *rel, const char *mode)
{
	int flags = mode[0] == 'r' ? O_RDONLY
		    : mode[0] == 'a' ? O_WRONLY | O_CREAT | O_APPEND
				     : O_WRONLY | O_CREAT | O_TRUNC;
	int fd = open_nofollow(dir, rel, flags | O_NOCTTY, 0644);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, mode[0] == 'r' ? "r" : mode[0] == 'a' ? "a" : "w");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}
