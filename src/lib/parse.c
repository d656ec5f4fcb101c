// SPDX-License-Identifier: MIT
/* inih does the key = value splitting; our reader in front of it counts
 * lines, catches what inih would only report as "first error at line N"
 * (long lines, NUL bytes, lines that are not key = value, section headers)
 * and keeps track of the current section. */
#include "parse.h"
#include "hosts.h"
#include "kind.h"
#include "node-key.h"
#include "validate.h"
#include "words.h"

#include <ini.h>
#include <libgen.h>
#include <sys/stat.h>

enum sect_type {
	SECT_NONE, /* before the first header */
	SECT_LAB,
	SECT_NODE,
	SECT_LINES, /* a kind's section of one device per line: [links] */
	SECT_DEV,
	SECT_DNS,
	SECT_EXPECT,
	SECT_DEFAULTS, /* node keys for every node */
	SECT_GRADE,    /* how nslab grade uses this file as a reference */
	SECT_HOSTS,    /* the hosts of a lab split across machines (hosts.h) */
	SECT_IGNORE, /* a bad header: its keys are not checked again */
};

struct default_line {
	const struct node_key *key;
	char *value;
	struct topo_loc loc;
};

/* What the keys of an [expect] section say about its checks. */
struct topo_expect_opts {
	unsigned retry_ms;
	bool in_order;
};

struct parser {
	struct topo_lab *lab;
	struct diag *d;
	FILE *f;              /* or NULL: text */
	const char *text;     /* reading from memory */
	unsigned lineno;
	bool stop;
	char *line;
	size_t cap;
	enum sect_type st;
	char *sect_label; /* "[node h1]" for messages */
	struct sbuf source;
	struct topo_node *node;
	struct topo_dev *dev;
	const struct link_kind *kind; /* of SECT_LINES */
	struct strmap seen; /* single-valued keys of the current section */
	VEC(char *) seen_keys;
	/* [defaults]: the good lines, given to every node as it is declared */
	VEC(struct default_line) defaults;
	bool node_seen;
	unsigned expect_group; /* the current [expect] section's number */
	bool expect_seen;
	struct topo_expect_opts expect_opts;
};

/* The sections of the core; each link kind adds its own (kind.h). */
const char *const topo_core_sections[] = {"lab", "defaults", "node", "dns", "expect", "grade", "hosts"};
const size_t topo_core_sections_n = ARRAY_SIZE(topo_core_sections);
static const char *const lab_keys[] = {"name",	  "description",   "ipv6",
				       "startup-timeout", "startup-files", "folder",
				       "host-limits"};
static const char *const dns_keys[] = {"server", "domain", "record"};
static const char *const expect_keys[] = {"reach", "noreach", "resolve", "exec", "tcp",
					  "route", "noroute", "retry", "order"};
static const char *const grade_keys[] = {"diff"};
/* and NAME = ADDRESS, GLOB = HOST lines (hosts.c) */
static const char *const hosts_keys[] = {"default", "vni", "port", "mtu"};
static const char *const multi_keys[] = {"record", "reach", "noreach", "resolve", "exec", "tcp",
					 "route", "noroute"};

/* Keys whose value is a command line or a word list (words.h): quotes group
 * words and protect ';' and '#'. Every other value keeps the plain comment
 * rule of cut_comment(), so an apostrophe in free text is just a character. */
static const struct {
	enum sect_type st;
	const char *key;
} command_keys[] = {
	{SECT_EXPECT, "exec"},
	{SECT_EXPECT, "resolve"},
	{SECT_NODE, "startup"},
	{SECT_NODE, "service"},
	{SECT_DEFAULTS, "startup"},
};

static const char quote_hint[] = "close the quote; in '...' every character is literal, in \"...\" "
				 "write \\\" for \" and \\\\ for \\";

static struct topo_loc here(const struct parser *p)
{
	return (struct topo_loc){.file = p->lab->file, .line = p->lineno};
}

static void reset_seen(struct parser *p)
{
	strmap_free(&p->seen);
	vec_foreach(k, &p->seen_keys) free(*k);
	vec_free(&p->seen_keys);
}

static const char *hint_key(const char *key, const char *const *keys, size_t n, char *buf,
			    size_t len)
{
	const char *best = closest_word(key, keys, n);
	struct sbuf b = {0};

	if (best) {
		snprintf(buf, len, "did you mean '%s'?", best);
		return buf;
	}
	sbuf_adds(&b, "keys here are");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&b, "%s '%s'", i ? "," : "", keys[i]);
	snprintf(buf, len, "%s", b.s);
	sbuf_free(&b);
	return buf;
}

static bool key_in(const char *key, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(key, keys[i]))
			return true;
	return false;
}

const char *const *topo_section_keys(const char *section, size_t *ret_n)
{
	static const struct {
		const char *section;
		const char *const *keys;
		size_t n;
	} lists[] = {
		{"lab", lab_keys, ARRAY_SIZE(lab_keys)},
		{"dns", dns_keys, ARRAY_SIZE(dns_keys)},
		{"expect", expect_keys, ARRAY_SIZE(expect_keys)},
		{"grade", grade_keys, ARRAY_SIZE(grade_keys)},
		{"hosts", hosts_keys, ARRAY_SIZE(hosts_keys)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		if (streq(section, lists[i].section)) {
			*ret_n = lists[i].n;
			return lists[i].keys;
		}
	*ret_n = 0;
	return NULL;
}

/* Keys that may appear once per section: a second one is an error. */
static bool first_time(struct parser *p, const char *key)
{
	struct topo_loc loc = here(p);

	for (size_t i = 0; i < ARRAY_SIZE(multi_keys); i++)
		if (streq(key, multi_keys[i]))
			return true;
	if (p->st == SECT_LINES && streq(key, p->kind->line_key))
		return true;
	if (p->st == SECT_DEV && p->dev && p->dev->kind->repeatable)
		for (const char *const *r = p->dev->kind->repeatable; *r; r++)
			if (streq(key, *r))
				return true;
	if ((p->st == SECT_NODE || p->st == SECT_DEFAULTS) && node_key_find(key) &&
	    node_key_find(key)->repeatable)
		return true;
	/* the value is the line number itself (never 0) */
	void *prev = strmap_get(&p->seen, key);
	if (prev) {
		diag_add(p->d, &loc, "give it once; remove one of the two lines",
			 "key '%s' given twice in %s (first at line %u)", key, p->sect_label,
			 (unsigned)(uintptr_t)prev);
		return false;
	}
	char *k = xstrdup(key);
	vec_push(&p->seen_keys, k);
	strmap_put(&p->seen, k, (void *)(uintptr_t)p->lineno);
	return true;
}

static void lab_key(struct parser *p, const char *key, char *value)
{
	struct topo_loc loc = here(p);
	struct topo_lab *lab = p->lab;
	char hint[256];

	/* the list decides what is a key here (topo_section_keys) */
	if (!key_in(key, lab_keys, ARRAY_SIZE(lab_keys))) {
		diag_add(p->d, &loc,
			 hint_key(key, lab_keys, ARRAY_SIZE(lab_keys), hint, sizeof(hint)),
			 "unknown key '%s' in [lab]", key);
		return;
	}
	if (streq(key, "name")) {
		const char *why = topo_name_error(value, TOPO_LAB_NAME_MAX);
		if (why) {
			diag_add(p->d, &loc,
				 "use up to 32 letters, digits, '_', '-' or '.', e.g. 'name = lab1'",
				 "lab name '%s' %s", value, why);
			return;
		}
		free(lab->name);
		lab->name = xstrdup(value);
		lab->name_loc = loc;
	} else if (streq(key, "ipv6")) {
		bool v;
		if (kind_bool(key, value, &loc, p->d, &v) == 0) {
			lab->ipv6_given = v;
			lab->ipv6_loc = loc;
		}
	} else if (streq(key, "host-limits")) {
		bool v;
		if (kind_bool(key, value, &loc, p->d, &v) == 0)
			lab->host_limits = v;
	} else if (streq(key, "description")) {
		free(lab->description);
		lab->description = xstrdup(value);
	} else if (streq(key, "folder")) {
		free(lab->folder);
		lab->folder = xstrdup(value);
		lab->folder_loc = loc;
	} else if (streq(key, "startup-files")) {
		if (streq(value, "strict") || streq(value, "lenient"))
			lab->startup_lenient = streq(value, "lenient");
		else
			diag_add(p->d, &loc,
				 "write 'startup-files = strict' (sh -e: a failing line fails up) or "
				 "'startup-files = lenient' (every line runs, failures are logged: Kathará's way)",
				 "bad startup-files '%s'", value);
	} else if (streq(key, "startup-timeout")) {
		unsigned ms;
		if (parse_duration_ms(value, 3600 * 1000, &ms) < 0 || !ms)
			diag_add(p->d, &loc, "write a duration up to 1h, e.g. 'startup-timeout = 60s'",
				 "bad startup-timeout '%s'", value);
		else
			lab->startup_timeout_ms = ms;
	}
}

static void dns_key(struct parser *p, const char *key, char *value)
{
	struct topo_loc loc = here(p);
	struct topo_dns *dns = &p->lab->dns;
	char hint[256];

	if (!key_in(key, dns_keys, ARRAY_SIZE(dns_keys))) {
		diag_add(p->d, &loc,
			 hint_key(key, dns_keys, ARRAY_SIZE(dns_keys), hint, sizeof(hint)),
			 "unknown key '%s' in [dns]", key);
		return;
	}
	if (streq(key, "server")) {
		const char *why = topo_name_error(value, TOPO_NODE_NAME_MAX);
		if (why) {
			diag_add(p->d, &loc, "name the node that runs dnsmasq: 'server = r1'",
				 "DNS server '%s' %s", value, why);
			return;
		}
		free(dns->server);
		dns->server = xstrdup(value);
		dns->server_loc = loc;
	} else if (streq(key, "domain")) {
		const char *why = topo_name_error(value, 253);
		if (why) {
			diag_add(p->d, &loc, "write a DNS domain such as 'domain = lab.test'",
				 "DNS domain '%s' %s", value, why);
			return;
		}
		free(dns->domain);
		dns->domain = xstrdup(value);
		dns->domain_loc = loc;
	} else if (streq(key, "record")) {
		char *w[3];
		struct ipaddr a;
		size_t n = split_words(value, w, 2);
		if (n != 2 || topo_name_error(w[0], 253) || ipaddr_parse_host(w[1], &a) < 0) {
			diag_add(p->d, &loc, "write 'record = NAME ADDRESS', e.g. 'record = www 10.0.0.80'",
				 "bad DNS record '%s'", n ? w[0] : "");
			return;
		}
		struct topo_record *r = vec_add(&dns->records);
		r->loc = loc;
		r->name = xstrdup(w[0]);
		r->addr = a;
	}
}

/* [grade]: read by nslab grade only; up and check leave it alone. */
static void grade_key(struct parser *p, const char *key, const char *value)
{
	struct topo_loc loc = here(p);
	char hint[256];

	if (streq(key, "diff")) {
		bool v;
		if (kind_bool(key, value, &loc, p->d, &v) == 0)
			p->lab->grade.diff = v;
	} else {
		diag_add(p->d, &loc,
			 hint_key(key, grade_keys, ARRAY_SIZE(grade_keys), hint, sizeof(hint)),
			 "unknown key '%s' in [grade]", key);
	}
}

/* [expect] retry and order: they hold for the whole section. */
static void expect_option(struct parser *p, const char *key, const char *value)
{
	struct topo_loc loc = here(p);
	struct topo_expect_opts *o = &p->expect_opts;

	if (streq(key, "retry")) {
		unsigned ms;
		if (parse_duration_ms(value, 600 * 1000, &ms) < 0) {
			diag_add(p->d, &loc,
				 "write how long a check may take to hold, up to 10m, e.g. 'retry = 10s'",
				 "bad retry '%s'", value);
			return;
		}
		o->retry_ms = ms;
	} else if (streq(value, "sequential") || streq(value, "parallel")) {
		o->in_order = streq(value, "sequential");
	} else {
		diag_add(p->d, &loc,
			 "write 'order = sequential' (one check after another, in file order) or "
			 "'order = parallel' (the default)",
			 "bad order '%s'", value);
		return;
	}
	vec_foreach(e, &p->lab->expects) if (e->group == p->expect_group)
	{
		e->retry_ms = o->retry_ms;
		e->in_order = o->in_order;
	}
}

static void expect_key(struct parser *p, const char *key, char *value)
{
	struct topo_loc loc = here(p);
	char hint[256];
	int kind = -1;

	if (!key_in(key, expect_keys, ARRAY_SIZE(expect_keys))) {
		diag_add(p->d, &loc,
			 hint_key(key, expect_keys, ARRAY_SIZE(expect_keys), hint, sizeof(hint)),
			 "unknown key '%s' in [expect]", key);
		return;
	}
	if (streq(key, "retry") || streq(key, "order")) {
		expect_option(p, key, value);
		return;
	}
	for (int k = 0; k < _EXPECT_MAX; k++)
		if (streq(key, topo_expect_kind_to_string(k)))
			kind = k;
	if (kind < 0) { /* in expect_keys, but no check of topology.h has its name */
		diag_add(p->d, &loc, "remove the line", "key '%s' of [expect] has no check",
			 key);
		return;
	}
	size_t flen = strcspn(value, " \t");
	const char *rest = value + flen;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	static const char how_resolve[] =
		"write 'resolve = FROM NAME [ADDRESS]', e.g. 'resolve = h1 h2.lab 10.0.0.2'";
	static const char how_exec[] =
		"write 'exec = FROM CMD [ARGS...]', e.g. 'exec = h1 test -e /etc/hosts'";
	if (!flen || !*rest) {
		static const char *const how[] = {
			"write 'reach = FROM TO', e.g. 'reach = h1 h2' or 'reach = all all'",
			"write 'noreach = FROM TO', e.g. 'noreach = h1 h3'",
			how_resolve,
			how_exec,
			"write 'tcp = FROM TO PORT', e.g. 'tcp = client web 80'",
			"write 'route = NODE PREFIX [via GW] [dev IF] [proto P] [table N]', e.g. 'route = r1 "
			"10.0.3.0/24 via 10.0.12.2 proto ospf'",
			"write 'noroute = NODE PREFIX [via GW] [dev IF] [proto P] [table N]', e.g. 'noroute = r1 "
			"10.0.3.0/24 via 10.0.13.3'",
		};
		diag_add(p->d, &loc, how[kind], "'%s' needs a node and what to check", key);
		return;
	}
	char *stored = NULL;
	if (kind == EXPECT_RESOLVE || kind == EXPECT_EXEC) {
		struct strvec w = {0};
		const char *why;
		if (words_split(rest, &w, &why) < 0) {
			diag_add(p->d, &loc, quote_hint, "%s: %s", key, why);
			return;
		}
		if (kind == EXPECT_EXEC && (!w.n || !*w.v[0])) {
			diag_add(p->d, &loc, how_exec, "exec: the command name is empty");
			words_free(&w);
			return;
		}
		if (kind == EXPECT_RESOLVE && w.n > 2) {
			diag_add(p->d, &loc, how_resolve,
				 "resolve: a NAME and at most an ADDRESS, found %zu words", w.n);
			words_free(&w);
			return;
		}
		/* resolve is stored unquoted, one blank between the words, as
		 * validate and check split it */
		struct sbuf b = {0};
		for (size_t i = 0; kind == EXPECT_RESOLVE && i < w.n; i++) {
			if (strpbrk(w.v[i], " \t'\"") || !*w.v[i]) {
				diag_add(p->d, &loc,
					 "a name or address is one word without blanks or quotes, e.g. "
					 "'resolve = h1 www.lab 10.0.0.80'",
					 "resolve: '%s' is not one word", w.v[i]);
				sbuf_free(&b);
				words_free(&w);
				return;
			}
			sbuf_addf(&b, "%s%s", i ? " " : "", w.v[i]);
		}
		if (kind == EXPECT_RESOLVE)
			stored = sbuf_steal(&b);
		words_free(&w);
	}
	struct topo_expect *e = vec_add(&p->lab->expects);
	e->loc = loc;
	e->kind = (enum topo_expect_kind)kind;
	e->from = xstrndup(value, flen);
	e->rest = stored ? stored : xstrdup(rest); /* exec: the command line as written */
	e->group = p->expect_group;
	e->retry_ms = p->expect_opts.retry_ms;
	e->in_order = p->expect_opts.in_order;
}

static void node_key(struct parser *p, const char *key, char *value)
{
	const struct node_key *k = node_key_find(key);
	struct topo_loc loc = here(p);
	struct topo_node *n = p->node;
	const char *names[64];
	char hint[256];

	if (k) {
		(void)k->parse(n, value, &loc, p->d);
		return;
	}
	for (size_t i = 0; i < node_keys_n && i < ARRAY_SIZE(names); i++)
		names[i] = node_keys[i]->key;
	diag_add(p->d, &loc, hint_key(key, names, node_keys_n, hint, sizeof(hint)),
		 "unknown key '%s' in [node %s]", key, n->name);
}

/* A [defaults] line: a node key for every node. Checked once here, on a
 * node of its own, so that its errors are not repeated for every node. */
static void defaults_key(struct parser *p, const char *key, char *value)
{
	const struct node_key *k = node_key_find(key);
	struct topo_loc loc = here(p);
	const char *names[64];
	size_t n = 0;
	char hint[256];

	if (!k || !k->defaults) {
		for (size_t i = 0; i < node_keys_n && n < ARRAY_SIZE(names); i++)
			if (node_keys[i]->defaults)
				names[n++] = node_keys[i]->key;
		diag_add(p->d, &loc, hint_key(key, names, n, hint, sizeof(hint)),
			 k ? "'%s' is a node's own; it cannot be given in [defaults]"
			   : "unknown key '%s' in [defaults]",
			 key);
		return;
	}
	struct topo_loc zero = {.file = p->lab->file};
	struct topo_node *scratch = topo_node_new("defaults", &zero);
	_cleanup_free_ char *copy = xstrdup(value);
	int r = k->parse(scratch, copy, &loc, p->d);
	topo_node_free(scratch);
	if (r < 0)
		return;
	struct default_line *l = vec_add(&p->defaults);
	*l = (struct default_line){.key = k, .value = xstrdup(value), .loc = loc};
}

/* A node as it is declared gets the [defaults] lines first: its own
 * lines come later and win (or add, for repeatable keys). */
static void apply_defaults(struct parser *p, struct topo_node *n)
{
	vec_foreach(l, &p->defaults)
	{
		struct diag quiet = {0};
		_cleanup_free_ char *copy = xstrdup(l->value);
		(void)l->key->parse(n, copy, &l->loc, &quiet);
		diag_free(&quiet);
	}
}

static struct topo_dev *dev_new(struct parser *p, const struct link_kind *kind)
{
	struct topo_dev *dev = xcalloc(1, sizeof(*dev));

	dev->kind = kind;
	dev->loc = here(p);
	vec_push(&p->lab->devs, dev);
	return dev;
}

static void dev_key(struct parser *p, struct topo_dev *dev, const char *key, char *value)
{
	struct topo_loc loc = here(p);
	char hint[256];
	size_t nkeys = 0;

	while (dev->kind->keys[nkeys])
		nkeys++;
	/* The kind's keys list decides what is a key of its section (the
	 * hints and tests/cli/test-docs.c read it): a key outside it is
	 * refused even if parse takes it, unless parse refused it with a
	 * message of its own ("'mac' is not for an ipvlan device"). */
	size_t errors = diag_count(p->d);
	bool listed = key_in(key, dev->kind->keys, nkeys);
	int r = dev->kind->parse(p->lab, dev, key, value, &loc, p->d);
	if (r != KIND_KEY_UNKNOWN && (listed || diag_count(p->d) > errors))
		return;
	diag_add(p->d, &loc, hint_key(key, dev->kind->keys, nkeys, hint, sizeof(hint)),
		 "unknown key '%s' in %s", key, p->sect_label);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	struct topo_loc loc = here(p);
	char *v = xstrdup(value);
	char hint[256];

	(void)section; /* we track sections in the reader */
	if (*name && !first_time(p, name))
		goto out;
	switch (p->st) {
	case SECT_NONE:
		diag_add(p->d, &loc, "start the file with a section, e.g. [lab] or [node h1]",
			 "key '%s' outside a section", name);
		break;
	case SECT_LAB:
		lab_key(p, name, v);
		break;
	case SECT_NODE:
		node_key(p, name, v);
		break;
	case SECT_LINES:
		if (streq(name, p->kind->line_key)) {
			struct topo_dev *dev = dev_new(p, p->kind);
			dev_key(p, dev, name, v);
		} else {
			const char *const k[] = {p->kind->line_key};
			diag_add(p->d, &loc, hint_key(name, k, 1, hint, sizeof(hint)),
				 "unknown key '%s' in [%s]; write '%s'", name, p->kind->section,
				 p->kind->line_usage);
		}
		break;
	case SECT_DEV:
		dev_key(p, p->dev, name, v);
		break;
	case SECT_DNS:
		dns_key(p, name, v);
		break;
	case SECT_EXPECT:
		expect_key(p, name, v);
		break;
	case SECT_DEFAULTS:
		defaults_key(p, name, v);
		break;
	case SECT_GRADE:
		grade_key(p, name, v);
		break;
	case SECT_HOSTS:
		hosts_parse_line(p->lab, name, v, &loc, p->d);
		break;
	case SECT_IGNORE:
		break;
	}
out:
	free(v);
	return 1;
}

static void begin_section(struct parser *p, char *head)
{
	struct topo_loc loc = here(p);
	_cleanup_free_ char *orig = xstrdup(head);
	char *w[3];
	size_t n = split_words(head, w, 2);
	char hint[512]; /* the list of every section is long */
	const char *word = n ? w[0] : "";
	const char *arg = n >= 2 ? w[1] : NULL;

	reset_seen(p);
	free(p->sect_label);
	p->sect_label = arg ? xasprintf("[%s %s]", word, arg) : xasprintf("[%s]", word);
	p->st = SECT_IGNORE;
	p->node = NULL;
	p->dev = NULL;

	if (n > 2) {
		diag_add(p->d, &loc, "write '[node NAME]' with one name", "bad section header '[%s %s ...]'",
			 w[0], w[1]);
		return;
	}
	const struct link_kind *kind = kind_by_section(word);
	const char *words[ARRAY_SIZE(topo_core_sections) + 16];
	size_t nwords = 0;
	bool known = kind != NULL;
	for (size_t i = 0; i < ARRAY_SIZE(topo_core_sections); i++) {
		known |= streq(word, topo_core_sections[i]);
		words[nwords++] = topo_core_sections[i];
	}
	for (size_t k = 0; k < link_kinds_n && nwords < ARRAY_SIZE(words); k++)
		words[nwords++] = link_kinds[k]->section;
	if (!known) {
		const char *best = closest_word(word, words, nwords);
		if (best) {
			snprintf(hint, sizeof(hint), "did you mean '[%s%s%s]'?", best, arg ? " " : "",
				 arg ? arg : "");
		} else {
			struct sbuf b = {0};
			sbuf_adds(&b, "sections are [lab], [node NAME]");
			for (size_t k = 0; k < link_kinds_n; k++)
				sbuf_addf(&b, ", [%s%s]", link_kinds[k]->section,
					  link_kinds[k]->line_key ? "" : " NAME");
			snprintf(hint, sizeof(hint), "%s, [defaults], [dns], [expect], [grade] and [hosts]", b.s);
			sbuf_free(&b);
		}
		diag_add(p->d, &loc, hint, "unknown section '[%s]'", orig);
		return;
	}
	bool lines = kind && kind->line_key;
	bool wants_arg = !streq(word, "lab") && !lines && !streq(word, "dns") &&
			 !streq(word, "expect") && !streq(word, "defaults") && !streq(word, "grade") &&
			 !streq(word, "hosts");
	if (wants_arg && !arg) {
		snprintf(hint, sizeof(hint), "write '[%s NAME]'", word);
		diag_add(p->d, &loc, hint, "section [%s] needs a name", word);
		return;
	}
	if (!wants_arg && arg) {
		snprintf(hint, sizeof(hint), "write '[%s]'", word);
		diag_add(p->d, &loc, hint, "section [%s] takes no name", word);
		return;
	}

	/* One section per object; [links] and [expect] may be split. */
	if (!lines && !streq(word, "node") && !streq(word, "expect")) {
		char *key = arg ? xasprintf("%s %s", word, arg) : xstrdup(word);
		struct topo_loc *l = xmalloc(sizeof(*l));
		*l = loc;
		struct topo_loc *prev = strmap_put(&p->lab->sections, key, l);
		if (prev) {
			diag_add(p->d, &loc, "merge the two sections into one",
				 "section %s appears twice (first at line %u)", p->sect_label,
				 prev->line);
			free(key);
			free(l);
			return;
		}
		vec_push(&p->lab->section_locs, l);
	}

	if (streq(word, "lab")) {
		p->st = SECT_LAB;
	} else if (streq(word, "defaults")) {
		if (p->node_seen) {
			diag_add(p->d, &loc, "move [defaults] above the first [node] section",
				 "[defaults] after a [node] section: it applies to the nodes that follow it");
			return;
		}
		p->st = SECT_DEFAULTS;
	} else if (lines) {
		p->st = SECT_LINES;
		p->kind = kind;
	} else if (streq(word, "expect")) {
		/* each [expect] section is a group: groups are checked in order */
		if (p->expect_seen)
			p->expect_group++;
		p->expect_seen = true;
		p->expect_opts = (struct topo_expect_opts){0};
		p->st = SECT_EXPECT;
	} else if (streq(word, "hosts")) {
		p->st = SECT_HOSTS;
		p->lab->hosts_loc = loc;
	} else if (streq(word, "grade")) {
		p->st = SECT_GRADE;
		p->lab->grade.loc = loc;
	} else if (streq(word, "dns")) {
		p->st = SECT_DNS;
		p->lab->dns.loc = loc;
	} else if (streq(word, "node")) {
		const char *why = topo_name_error(arg, TOPO_NODE_NAME_MAX);
		if (why) {
			diag_add(p->d, &loc,
				 "node names have up to 63 letters, digits, '_', '-' or '.', starting "
				 "and ending with a letter or digit",
				 "node name '%s' %s", arg, why);
			return;
		}
		struct topo_node *prev = topo_node_find(p->lab, arg);
		if (prev) {
			diag_add(p->d, &loc, "give every node its own name, or merge the sections",
				 "node '%s' is declared twice (first at line %u)", arg,
				 prev->loc.line);
			return;
		}
		p->node = topo_node_add(p->lab, arg, &loc);
		p->node_seen = true;
		apply_defaults(p, p->node);
		p->st = SECT_NODE;
	} else {
		char *colon = strchr(arg, ':');
		const char *ifn = colon ? colon + 1 : arg;
		if (colon) {
			*colon = '\0';
			const char *why = topo_name_error(arg, TOPO_NODE_NAME_MAX);
			if (why) {
				diag_add(p->d, &loc, "write '[KIND NODE:NAME]' with a valid node name",
					 "node name '%s' %s", arg, why);
				return;
			}
		}
		const char *why = topo_ifname_error(ifn);
		if (why) {
			snprintf(hint, sizeof(hint),
				 "the %s's name is an interface name: 1 to 15 letters, digits, '_', "
				 "'-' or '.'",
				 word);
			diag_add(p->d, &loc, hint, "%s name '%s' %s", word, ifn, why);
			return;
		}
		p->dev = dev_new(p, kind);
		p->dev->name = xstrdup(ifn);
		p->dev->node_name = colon ? xstrdup(arg) : NULL;
		p->st = SECT_DEV;
	}
}

/* Returns 0 with the line in p->line, or -1 at the end. */
static int next_line(struct parser *p, size_t *ret_len)
{
	if (p->f) {
		ssize_t n = getline(&p->line, &p->cap, p->f);
		if (n < 0)
			return -1;
		*ret_len = (size_t)n;
		return 0;
	}
	if (!*p->text)
		return -1;
	const char *nl = strchr(p->text, '\n');
	size_t n = nl ? (size_t)(nl - p->text) + 1 : strlen(p->text);
	if (n + 1 > p->cap) {
		p->cap = n + 1;
		p->line = xrealloc(p->line, p->cap);
	}
	memcpy(p->line, p->text, n);
	p->line[n] = '\0';
	p->text += n;
	*ret_len = n;
	return 0;
}

static char *strip(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cut an inline comment: ';' or '#' at the start or after a blank. */
static void cut_comment(char *s)
{
	for (char *c = s; *c; c++)
		if ((*c == ';' || *c == '#') && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
}

static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	size_t len;

	for (;;) {
		if (p->stop || next_line(p, &len) < 0)
			return NULL;
		p->lineno++;
		if (len <= TOPO_LINE_MAX + 2 && !memchr(p->line, '\0', len))
			sbuf_adds(&p->source, p->line);
		struct topo_loc loc = here(p);
		if (memchr(p->line, '\0', len)) {
			diag_add(p->d, &loc, "a topology is a text file; check the file name",
				 "binary data (a NUL byte); stopped reading");
			p->stop = true;
			return NULL;
		}
		size_t text_len = len;
		while (text_len && (p->line[text_len - 1] == '\n' || p->line[text_len - 1] == '\r'))
			text_len--;
		if (text_len > TOPO_LINE_MAX) {
			diag_add(p->d, &loc, "shorten it; repeatable keys (addr, route, link, ...) can go on several lines",
				 "line is %zu characters long; the limit is %d", text_len,
				 TOPO_LINE_MAX);
			continue;
		}
		char *s = p->line;
		if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3; /* a UTF-8 byte order mark */
		s = strip(s);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			cut_comment(s);
			s = strip(s);
			size_t n = strlen(s);
			if (s[n - 1] != ']') {
				bool closed = strchr(s, ']');
				diag_add(p->d, &loc,
					 closed ? "put comments after ';' or '#'" : "close the header: '[node NAME]'",
					 closed ? "text after the section header's ']'" : "section header without ']'");
				reset_seen(p);
				p->st = SECT_IGNORE;
				continue;
			}
			s[n - 1] = '\0';
			begin_section(p, s + 1);
			continue;
		}
		/* The comment: inih's own inline comments are off, so that
		 * quotes can protect ';' and '#' in command keys. */
		char *eq = strchr(s, '=');
		int klen = eq ? (int)(eq - s) : 0;
		while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
			klen--;
		bool command = false;
		for (size_t i = 0; eq && i < ARRAY_SIZE(command_keys); i++)
			command |= p->st == command_keys[i].st &&
				   (size_t)klen == strlen(command_keys[i].key) &&
				   strncmp(s, command_keys[i].key, (size_t)klen) == 0;
		if (command) {
			const char *why;
			if (words_cut_comment(eq + 1, &why) < 0) {
				diag_add(p->d, &loc, quote_hint, "%.*s: %s", klen, s, why);
				continue;
			}
		} else {
			cut_comment(s);
		}
		s = strip(s);
		eq = strchr(s, '=');
		char *colon = strchr(s, ':');
		char line_hint[128] = "";
		if (p->st == SECT_LINES)
			snprintf(line_hint, sizeof(line_hint), "write '%s'", p->kind->line_usage);
		if (!eq) {
			diag_add(p->d, &loc,
				 p->st == SECT_LINES ? line_hint : "write 'key = value'",
				 "expected 'key = value'");
			continue;
		}
		if (colon && colon < eq) {
			/* inih would split here, and a key never holds ':' */
			klen = (int)(eq - s);
			while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
				klen--;
			diag_add(p->d, &loc,
				 p->st == SECT_LINES ? line_hint
						     : "keys are single words such as 'addr'",
				 "key '%.*s' contains ':'", klen, s);
			continue;
		}
		if ((size_t)num <= strlen(s) + 1) { /* inih's buffer is ini_initial_alloc */
			diag_add(p->d, &loc, "shorten it",
				 "line is %zu characters long; this build of nslab takes %d",
				 strlen(s), num - 2);
			continue;
		}
		strcpy(str, s);
		return str;
	}
}

static struct topo_lab *parse(struct parser *p, struct diag *d)
{
	/* Debian's libinih takes these at run time (upstream: compile time). */
	ini_allow_multiline = false; /* indented lines are ordinary lines */
	ini_use_stack = false;
	ini_max_line = TOPO_LINE_MAX + 3;
	/* the heap buffer is this size, not ini_max_line, unless it may grow:
	 * left at its default, every line over 197 characters was lost */
	ini_initial_alloc = ini_max_line;
	/* the reader cuts comments, knowing where quotes count */
	ini_allow_inline_comments = false;
	ini_inline_comment_prefixes = (char *)"";
	ini_stop_on_first_error = false;

	(void)ini_parse_stream(reader, p, handler, p);
	p->lab->source = sbuf_steal(&p->source);
	vec_foreach(l, &p->defaults) free(l->value);
	vec_free(&p->defaults);
	reset_seen(p);
	free(p->sect_label);
	free(p->line);
	(void)d;
	return p->lab;
}

static char *default_name(const char *file)
{
	_cleanup_free_ char *copy = xstrdup(file);
	char *base = basename(copy);
	size_t n = strlen(base);

	if (n > 4 && streq(base + n - 4, ".ini"))
		base[n - 4] = '\0';
	return xstrdup(base);
}

static void finish(struct topo_lab *lab, struct diag *d, bool from_file)
{
	if (!lab->name) {
		lab->name = from_file ? default_name(lab->file) : xstrdup("lab");
		lab->name_loc = (struct topo_loc){.file = lab->file, .line = 0};
		const char *why = topo_name_error(lab->name, TOPO_LAB_NAME_MAX);
		if (why) {
			struct topo_loc l1 = {.file = lab->file, .line = 1};
			diag_add(d, &l1, "add '[lab]' with 'name = NAME' (letters, digits, '_', '-', '.')",
				 "lab name '%s' (from the file name) %s", lab->name, why);
		}
	}
	topo_name_namespaces(lab);
}

struct topo_lab *topo_parse_file(FILE *f, const char *file, struct diag *d)
{
	struct parser p = {.lab = topo_lab_new(file), .d = d, .f = f};
	parse(&p, d);
	finish(p.lab, d, f != stdin);
	return p.lab;
}

struct topo_lab *topo_parse_string(const char *text, const char *file, struct diag *d)
{
	struct parser p = {.lab = topo_lab_new(file), .d = d, .text = text};
	parse(&p, d);
	finish(p.lab, d, true);
	return p.lab;
}

void topo_set_folder(struct topo_lab *lab, const char *dir, struct diag *d)
{
	free(lab->dir);
	lab->dir = NULL;
	if (!lab->folder) {
		lab->dir = xstrdup(dir);
		return;
	}
	_cleanup_free_ char *p = lab->folder[0] == '/' ? xstrdup(lab->folder)
						     : xasprintf("%s/%s", dir, lab->folder);
	struct stat st;
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		diag_add(d, &lab->folder_loc,
			 "name the folder that holds the nodes' folders and startup files, relative to "
			 "this file",
			 "folder '%s': %s is not a folder", lab->folder, p);
		return;
	}
	lab->dir = realpath(p, NULL);
}

struct topo_lab *topo_parse_path(const char *path, struct diag *d, int *ret_err)
{
	if (streq(path, "-"))
		return topo_parse_file(stdin, "<stdin>", d);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct stat st;

	if (!f || fstat(fileno(f), &st) < 0) {
		*ret_err = -errno;
		return NULL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		*ret_err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		return NULL;
	}
	struct topo_lab *lab = topo_parse_file(f, path, d);
	if (S_ISREG(st.st_mode)) {
		_cleanup_free_ char *abs = realpath(path, NULL);
		if (abs)
			topo_set_folder(lab, dirname(abs), d);
	}
	return lab;
}

struct topo_lab *topo_load(const char *path, struct diag *d, int *ret_err)
{
	struct topo_lab *lab = topo_parse_path(path, d, ret_err);

	if (!lab)
		return NULL;
	topo_validate(lab, d);
	if (diag_count(d)) {
		diag_sort(d);
		topo_lab_free(lab);
		return NULL;
	}
	return lab;
}
