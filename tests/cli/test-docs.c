// SPDX-License-Identifier: MIT
/* One source for help, man pages and the format reference: the command
 * table against nslab(1) as built, and the keys the parser takes against
 * docs/topology.md and nslab-topology(5) as built. A command, option,
 * section or key added without its documentation fails here. Needs no
 * root. Linked with the CLI's objects (main renamed) for the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ctype.h>

#include "cmd.h"
#include "kind.h"
#include "node-key.h"
#include "parse.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f)
		fail_msg("cannot read '%s': %m", path);
	char *s = read_stream(f);
	fclose(f);
	assert_non_null(s);
	return s;
}

static char *env_path(const char *var)
{
	const char *v = getenv(var);

	if (!v)
		fail_msg("%s is not set (meson test sets it)", var);
	return slurp(v);
}

/* Roff to the text a reader sees, as far as these checks need: font and
 * no-op escapes go, \- and \e are '-' and '\'. Control lines stay. */
static char *deroff(const char *s)
{
	struct sbuf b = {0};

	for (; *s; s++) {
		if (*s != '\\') {
			sbuf_addf(&b, "%c", *s);
			continue;
		}
		s++;
		if (*s == 'f' && s[1])
			s++; /* \fB \fI \fR \fP */
		else if (*s == '-')
			sbuf_adds(&b, "-");
		else if (*s == 'e')
			sbuf_adds(&b, "\\");
		else if (*s == '(' && s[1] && s[2]) {
			sbuf_adds(&b, strncmp(s + 1, "dq", 2) ? "?" : "\"");
			s += 2;
		} else if (*s != '&' && *s != '%')
			sbuf_addf(&b, "\\%c", *s);
		if (!*s)
			break;
	}
	return sbuf_steal(&b);
}

/* The lines from the one that equals `from` to the next line that starts
 * with one of the prefixes in `to` (newline-separated), or the end. */
static char *part(const char *text, const char *from, const char *to1, const char *to2)
{
	size_t flen = strlen(from);
	const char *p = text;

	while (p && strncmp(p, from, flen) != 0)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p)
		return NULL;
	const char *e = strchr(p, '\n');
	while (e && e[1] && strncmp(e + 1, to1, strlen(to1)) != 0 &&
	       (!to2 || strncmp(e + 1, to2, strlen(to2)) != 0))
		e = strchr(e + 1, '\n');
	return xstrndup(p, e ? (size_t)(e - p) + 1 : strlen(p));
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* text without roff control lines and without any blank: what help says
 * must be in the page in the same words, however roff breaks it. */
static char *squeeze(const char *text, bool roff)
{
	struct sbuf b = {0};
	bool start = true;

	for (const char *p = text; *p; p++) {
		if (roff && start && *p == '.') {
			p = strchrnul(p, '\n');
			if (!*p)
				break;
			continue;
		}
		start = *p == '\n';
		if (!isspace((unsigned char)*p))
			sbuf_addf(&b, "%c", *p);
	}
	return b.s ? sbuf_steal(&b) : xstrdup("");
}

static void test_man1_commands(void **state)
{
	_cleanup_free_ char *raw = env_path("NSLAB_MAN1");
	_cleanup_free_ char *page = deroff(raw);
	_cleanup_free_ char *synopsis = part(page, ".SH SYNOPSIS", ".SH", NULL);

	assert_non_null(synopsis);
	for (size_t i = 0; i < cmds_n; i++) {
		const struct cmd *c = cmds[i];
		_cleanup_free_ char *usage =
		    xasprintf("nslab %s%s%s", c->name, *c->args ? " " : "", c->args);
		_cleanup_free_ char *head = xasprintf(".SS %s", c->name);
		_cleanup_free_ char *sub = part(page, head, ".SS", ".SH");

		if (!has_line(synopsis, usage))
			fail_msg("nslab(1) SYNOPSIS lacks '%s'", usage);
		if (!sub)
			fail_msg("nslab(1) has no subsection '%s'", head);
		if (!has_line(sub, usage))
			fail_msg("nslab(1) '%s' lacks the line '%s'", head, usage);
		/* the summary and the help, word for word */
		_cleanup_free_ char *flat = squeeze(sub, true);
		_cleanup_free_ char *sum = squeeze(c->summary, false);
		_cleanup_free_ char *help = squeeze(c->help ? c->help : "", false);
		if (!strstr(flat, sum))
			fail_msg("nslab(1) '%s' lacks the summary '%s'", head, c->summary);
		if (!strstr(flat, help))
			fail_msg("nslab(1) '%s' does not say what 'nslab help %s' says", head,
				 c->name);
		/* every option is documented: in the usage line or the help */
		for (const struct option *o = c->longopts; o && o->name; o++) {
			_cleanup_free_ char *opt = xasprintf("--%s", o->name);
			if (!strstr(sub, opt))
				fail_msg("nslab(1) '%s' does not name its option '%s'", head, opt);
		}
		for (const char *s = c->shortopts; s && *s; s++) {
			char opt[3] = {'-', *s, 0};
			if (*s != ':' && !strstr(sub, opt))
				fail_msg("nslab(1) '%s' does not name its option '%s'", head, opt);
		}
	}
	if (!strstr(page, "nslab-topology (5)") && !strstr(page, "nslab-topology(5)"))
		fail_msg("nslab(1) does not point at nslab-topology(5)");
}

/* docs/topology.md's key tables: a table whose header's first cell is
 * "Key" lists keys (the first `code` of each row's first cell) of the
 * sections that the last heading naming sections ("## [vxlan NAME]",
 * "## IP tunnels: [ipip], [sit]...") named. */
struct doc_key {
	char sections[8][16];
	size_t n;
	char key[32];
	unsigned line;
};

static bool known_section(const char *word)
{
	for (size_t i = 0; i < topo_core_sections_n; i++)
		if (streq(word, topo_core_sections[i]))
			return true;
	return kind_by_section(word) != NULL;
}

static size_t doc_keys(const char *md, struct doc_key *keys, size_t max, struct doc_key *ctx)
{
	size_t n = 0;
	unsigned line = 0;
	bool fence = false, table = false;

	memset(ctx, 0, sizeof(*ctx));
	for (const char *p = md; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		line++;
		if (strncmp(p, "```", 3) == 0)
			fence = !fence;
		if (fence)
			continue;
		if (*p == '#') {
			struct doc_key h = {0};
			const char *end = strchrnul(p, '\n');
			for (const char *b = p; (b = memchr(b, '[', (size_t)(end - b))); b++) {
				size_t w = strcspn(b + 1, " ]:\n");
				char word[16];
				snprintf(word, sizeof(word), "%.*s", (int)w, b + 1);
				if (known_section(word) && h.n < ARRAY_SIZE(h.sections))
					strcpy(h.sections[h.n++], word);
			}
			if (h.n)
				*ctx = h;
			table = false;
			continue;
		}
		if (strncmp(p, "| Key |", 7) == 0) {
			table = true;
			continue;
		}
		if (*p != '|') {
			table = false;
			continue;
		}
		const char *tick = strchr(p, '`'), *bar = strchr(p + 1, '|');
		if (!table || !tick || !bar || tick > bar)
			continue;
		size_t w = strcspn(tick + 1, "`");
		assert_true(n < max);
		keys[n] = *ctx;
		snprintf(keys[n].key, sizeof(keys[n].key), "%.*s", (int)w, tick + 1);
		keys[n].line = line;
		if (!ctx->n)
			fail_msg("docs/topology.md:%u: key table under no [section] heading", line);
		n++;
	}
	return n;
}

static bool kind_takes(const struct link_kind *k, const char *key)
{
	if (k->line_key && streq(key, k->line_key))
		return true;
	for (const char *const *s = k->keys; *s; s++)
		if (streq(*s, key))
			return true;
	return false;
}

/* Does the parser take `key` in section `section`? */
static bool parser_takes(const char *section, const char *key)
{
	size_t n;
	const char *const *list = topo_section_keys(section, &n);

	if (streq(section, "node") || streq(section, "defaults")) {
		const struct node_key *k = node_key_find(key);
		return k && (streq(section, "node") || k->defaults);
	}
	for (size_t i = 0; list && i < n; i++)
		if (streq(list[i], key))
			return true;
	if (list)
		return false;
	const struct link_kind *k = kind_by_section(section);
	return k && kind_takes(k, key);
}

static bool documented(const struct doc_key *keys, size_t n, const char *section, const char *key)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < keys[i].n; j++)
			if (streq(keys[i].sections[j], section) && streq(keys[i].key, key))
				return true;
	return false;
}

static void check_section(const struct doc_key *keys, size_t n, const char *section,
			  const char *const *list, size_t list_n)
{
	for (size_t i = 0; i < list_n; i++)
		if (!documented(keys, n, section, list[i]))
			fail_msg("docs/topology.md: key '%s' of [%s] is not in a Key table under a "
				 "[%s] heading",
				 list[i], section, section);
}

static void test_topology_keys(void **state)
{
	_cleanup_free_ char *md = env_path("NSLAB_TOPOLOGY_MD");
	static struct doc_key keys[1024];
	struct doc_key ctx;
	size_t n = doc_keys(md, keys, ARRAY_SIZE(keys), &ctx);

	assert_true(n > 100);
	/* every key the docs list is one the parser takes (in one of the
	 * sections of its heading: "mode" is ip6tnl's only) */
	for (size_t i = 0; i < n; i++) {
		bool ok = false;
		for (size_t j = 0; j < keys[i].n; j++)
			ok |= parser_takes(keys[i].sections[j], keys[i].key);
		if (!ok)
			fail_msg("docs/topology.md:%u: key '%s' is taken by none of [%s]%s",
				 keys[i].line, keys[i].key, keys[i].sections[0],
				 keys[i].n > 1 ? " and the others" : "");
	}
	/* every key the parser takes is in the docs */
	static const char *const core[] = {"lab", "dns", "expect"};
	for (size_t i = 0; i < ARRAY_SIZE(core); i++) {
		size_t kn;
		const char *const *list = topo_section_keys(core[i], &kn);
		assert_non_null(list);
		check_section(keys, n, core[i], list, kn);
	}
	for (size_t i = 0; i < node_keys_n; i++)
		check_section(keys, n, "node", &node_keys[i]->key, 1);
	for (size_t i = 0; i < link_kinds_n; i++) {
		const struct link_kind *k = link_kinds[i];
		size_t kn = 0;
		while (k->keys[kn])
			kn++;
		check_section(keys, n, k->section, k->keys, kn);
		if (k->line_key)
			check_section(keys, n, k->section, &k->line_key, 1);
	}
}

/* Is `key = value` in the section that `header` opens refused as an
 * unknown key? Other errors (a bad value, a missing key) do not count. */
static bool unknown_key(const char *header, const char *key)
{
	_cleanup_free_ char *text = xasprintf("%s\n%s = x\n", header, key);
	_cleanup_free_ char *want = xasprintf("unknown key '%s'", key);
	struct diag d = {0};
	bool unknown = false;

	topo_lab_free(topo_parse_string(text, "t.ini", &d));
	vec_foreach (m, &d.msgs)
		unknown |= strstr(m->msg, want) != NULL;
	diag_free(&d);
	return unknown;
}

/* The lists are what the parser takes, and it takes all of them: a key
 * listed (and so documented) that the section's parse refuses fails. */
static void test_keys_parse(void **state)
{
	static const char *const core[] = {"lab", "dns", "expect"};

	for (size_t i = 0; i < ARRAY_SIZE(core); i++) {
		size_t n;
		const char *const *list = topo_section_keys(core[i], &n);
		_cleanup_free_ char *h = xasprintf("[%s]", core[i]);
		for (size_t j = 0; j < n; j++)
			if (unknown_key(h, list[j]))
				fail_msg("[%s] refuses its key '%s'", core[i], list[j]);
		assert_true(unknown_key(h, "no-such-key"));
	}
	for (size_t i = 0; i < node_keys_n; i++) {
		if (unknown_key("[node a]", node_keys[i]->key))
			fail_msg("[node] refuses its key '%s'", node_keys[i]->key);
		if (node_keys[i]->defaults && unknown_key("[defaults]", node_keys[i]->key))
			fail_msg("[defaults] refuses its key '%s'", node_keys[i]->key);
	}
	assert_true(unknown_key("[node a]", "no-such-key"));
	for (size_t i = 0; i < link_kinds_n; i++) {
		const struct link_kind *k = link_kinds[i];
		/* a section of one device per line, or [KIND NAME] / [KIND NODE:NAME] */
		_cleanup_free_ char *h1 = xasprintf("[%s]", k->section);
		_cleanup_free_ char *h2 = xasprintf("[%s x]", k->section);
		_cleanup_free_ char *h3 = xasprintf("[%s a:x]", k->section);
		for (const char *const *key = k->keys; *key; key++) {
			bool ok = k->line_key ? !unknown_key(h1, *key)
					      : !unknown_key(h2, *key) || !unknown_key(h3, *key);
			if (!ok)
				fail_msg("[%s] refuses its key '%s'", k->section, *key);
		}
		if (!k->line_key &&
		    !(unknown_key(h2, "no-such-key") && unknown_key(h3, "no-such-key")))
			fail_msg("[%s] takes 'no-such-key'", k->section);
	}
}

/* [defaults] has no table: its "Keys:" sentence names exactly the node
 * keys that may be given there. */
static void test_defaults_keys(void **state)
{
	_cleanup_free_ char *md = env_path("NSLAB_TOPOLOGY_MD");
	_cleanup_free_ char *sect = part(md, "## [defaults]", "## ", NULL);

	assert_non_null(sect);
	const char *keys = strstr(sect, "Keys:");
	assert_non_null(keys);
	_cleanup_free_ char *sentence = xstrndup(keys, strcspn(keys, "."));
	size_t named = 0;
	for (const char *t = sentence; (t = strchr(t, '`')); t++) {
		const char *e = strchr(t + 1, '`');
		assert_non_null(e);
		_cleanup_free_ char *k = xstrndup(t + 1, (size_t)(e - t - 1));
		if (!parser_takes("defaults", k))
			fail_msg("docs/topology.md [defaults] names '%s', which [defaults] refuses",
				 k);
		named++;
		t = e;
	}
	for (size_t i = 0; i < node_keys_n; i++) {
		_cleanup_free_ char *q = xasprintf("`%s`", node_keys[i]->key);
		if (node_keys[i]->defaults && !strstr(sentence, q))
			fail_msg("docs/topology.md [defaults] does not name '%s'",
				 node_keys[i]->key);
	}
	assert_true(named > 0);
}

/* Every section the parser takes has a heading in docs/topology.md, and
 * nslab-topology(5) has each heading and each documented key as a tag. */
static void test_man5(void **state)
{
	_cleanup_free_ char *md = env_path("NSLAB_TOPOLOGY_MD");
	_cleanup_free_ char *raw = env_path("NSLAB_MAN5");
	_cleanup_free_ char *page = deroff(raw);
	static struct doc_key keys[1024];
	struct doc_key ctx;
	size_t n = doc_keys(md, keys, ARRAY_SIZE(keys), &ctx);

	for (size_t i = 0; i < topo_core_sections_n + link_kinds_n; i++) {
		const char *s = i < topo_core_sections_n
				    ? topo_core_sections[i]
				    : link_kinds[i - topo_core_sections_n]->section;
		_cleanup_free_ char *h1 = xasprintf("\n## [%s]", s);
		_cleanup_free_ char *h2 = xasprintf("\n## [%s ", s);
		_cleanup_free_ char *h3 = xasprintf(" [%s]", s);
		if (!strstr(md, h1) && !strstr(md, h2) && !strstr(md, h3))
			fail_msg("docs/topology.md has no heading for section [%s]", s);
		_cleanup_free_ char *m = xasprintf("[%s", s);
		if (!strstr(page, m))
			fail_msg("nslab-topology(5) never names [%s]", s);
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *tag = xasprintf(".TP\n%s", keys[i].key);
		if (!strstr(page, tag))
			fail_msg(
			    "nslab-topology(5) has no entry for key '%s' (docs/topology.md:%u)",
			    keys[i].key, keys[i].line);
	}
	assert_non_null(strstr(page, ".TH NSLAB-TOPOLOGY 5"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_man1_commands), cmocka_unit_test(test_topology_keys),
	    cmocka_unit_test(test_keys_parse),	  cmocka_unit_test(test_defaults_keys),
	    cmocka_unit_test(test_man5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
