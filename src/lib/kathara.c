// SPDX-License-Identifier: MIT
/* lab.conf as Kathará reads it: KEY=VALUE for the lab (LAB_DESCRIPTION,
 * LAB_AUTHOR...), DEVICE[N]=CD or CD/MAC for interface ethN in collision
 * domain CD, DEVICE[OPTION]=VALUE for the rest; values may be quoted; '#'
 * starts a comment. lab.dep: "DEVICE: DEVICE..." (these start first). */
#include "kathara.h"
#include "parse.h"
#include "validate.h"

#include <ctype.h>
#include <libgen.h>
#include <sys/stat.h>

bool kathara_is_lab(const char *dir)
{
	_cleanup_free_ char *p = xasprintf("%s/lab.conf", dir);
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(p, R_OK) == 0;
}

struct kiface {
	unsigned n;
	char *cd;
	char *mac; /* or NULL */
	unsigned line;
};

struct kdev {
	char *name;
	unsigned line;
	VEC(struct kiface) ifaces;
	struct strvec sysctls;
	int ipv6; /* -1 not said */
	char *image;
	struct strvec deps;
	bool placed; /* lab.dep order */
};

struct klab {
	const char *file; /* DIR/lab.conf */
	VEC(struct kdev) devs;
	struct strvec cds;
	char *description;
};

static struct kdev *dev_get(struct klab *k, const char *name, unsigned line)
{
	vec_foreach(d, &k->devs) if (streq(d->name, name)) return d;
	struct kdev *d = vec_add(&k->devs);
	*d = (struct kdev){.name = xstrdup(name), .line = line, .ipv6 = -1};
	return d;
}

static char *unquote(char *v)
{
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		v[--n] = '\0';
	while (*v == ' ' || *v == '\t')
		v++, n--;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	return v;
}

/* What nslab does not do; note with skip, else an error at the line. */
static void unsupported(const struct klab *k, unsigned line, bool skip, struct diag *d,
			struct sbuf *notes, const char *what)
{
	struct topo_loc loc = {.file = k->file, .line = line};
	if (skip) {
		sbuf_addf(notes, "%s:%u: left out: %s\n", k->file, line, what);
		return;
	}
	diag_add(d, &loc, "run 'nslab import kathara --skip-unsupported' to go without it",
		 "nslab cannot do this: %s", what);
}

static void device_line(struct klab *k, unsigned line, const char *dev, const char *arg, char *value,
			bool skip, struct diag *d, struct sbuf *notes)
{
	struct topo_loc loc = {.file = k->file, .line = line};
	const char *why = topo_name_error(dev, TOPO_NODE_NAME_MAX);
	char *end;

	if (why) {
		diag_add(d, &loc, "nslab node names have letters, digits, '_', '-', '.'",
			 "device name '%s' %s", dev, why);
		return;
	}
	struct kdev *kd = dev_get(k, dev, line);
	unsigned long n = strtoul(arg, &end, 10);
	if (*arg && !*end) {
		char *slash = strchr(value, '/');
		if (slash)
			*slash++ = '\0';
		if (!*value || n > 255) {
			diag_add(d, &loc, "write DEVICE[N]=\"DOMAIN\" or DEVICE[N]=\"DOMAIN/MAC\"",
				 "bad interface line for '%s'", dev);
			return;
		}
		struct kiface *i = vec_add(&kd->ifaces);
		*i = (struct kiface){.n = (unsigned)n, .cd = xstrdup(value), .mac = slash ? xstrdup(slash) : NULL,
				     .line = line};
		bool known = false;
		vec_foreach(c, &k->cds) known |= streq(*c, value);
		if (!known)
			vec_push(&k->cds, xstrdup(value));
	} else if (streq(arg, "image")) {
		free(kd->image);
		kd->image = xstrdup(value);
		if (strstr(value, "p4") || strstr(value, "ovs") || strstr(value, "openvswitch")) {
			_cleanup_free_ char *w = xasprintf("%s[image]=\"%s\" (P4 and Open vSwitch devices)", dev, value);
			unsupported(k, line, skip, d, notes, w);
		}
	} else if (streq(arg, "ipv6")) {
		kd->ipv6 = streq(value, "true") || streq(value, "True") || streq(value, "1");
	} else if (streq(arg, "sysctl")) {
		vec_push(&kd->sysctls, xstrdup(value));
	} else if (streq(arg, "mem") || streq(arg, "cpus") || streq(arg, "num_terms") ||
		   streq(arg, "shell") || streq(arg, "hosthome") || streq(arg, "ulimit") ||
		   streq(arg, "privileged")) {
		sbuf_addf(notes, "%s:%u: %s[%s] does not apply: a node is a namespace on this host\n", k->file,
			  line, dev, arg);
	} else {
		_cleanup_free_ char *w = xasprintf("%s[%s]=\"%s\"", dev, arg, value);
		unsupported(k, line, skip, d, notes, w);
	}
}

static void read_lab_conf(struct klab *k, bool skip, struct diag *d, struct sbuf *notes)
{
	FILE *f = fopen(k->file, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned no = 0;

	if (!f) {
		struct topo_loc loc = {.file = k->file};
		diag_add(d, &loc, "a Kathará lab is a folder with a lab.conf", "cannot read %s: %s", k->file,
			 strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		no++;
		/* '#' starts a comment outside quotes */
		char *s = line;
		for (char *c = s, q = 0; *c; c++) {
			if (!q && (*c == '"' || *c == '\''))
				q = *c;
			else if (q && *c == q)
				q = 0;
			else if (!q && *c == '#') {
				*c = '\0';
				break;
			}
		}
		s[strcspn(s, "\n")] = '\0';
		s += strspn(s, " \t");
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		struct topo_loc loc = {.file = k->file, .line = no};
		if (!eq) {
			diag_add(d, &loc, "lab.conf lines are DEVICE[N]=\"DOMAIN\" or KEY=VALUE",
				 "not a lab.conf line: '%s'", s);
			continue;
		}
		*eq = '\0';
		char *value = unquote(eq + 1), *br = strchr(s, '[');
		if (br) {
			char *close = strchr(br, ']');
			if (!close) {
				diag_add(d, &loc, "write DEVICE[ARG]=VALUE", "no ']' in '%s'", s);
				continue;
			}
			*br = *close = '\0';
			device_line(k, no, s, br + 1, value, skip, d, notes);
		} else if (streq(unquote(s), "LAB_DESCRIPTION")) {
			free(k->description);
			k->description = xstrdup(value);
		}
		/* LAB_VERSION, LAB_AUTHOR, LAB_EMAIL, LAB_WEB: for people */
	}
	free(line);
	fclose(f);
}

static void read_lab_dep(struct klab *k, const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/lab.dep", dir);
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *w[64];
		_cleanup_free_ char *name = xstrdup(unquote(line));
		size_t n = split_words(colon + 1, w, 63);
		vec_foreach(d, &k->devs) if (streq(d->name, name)) for (size_t i = 0; i < n; i++)
			vec_push(&d->deps, xstrdup(w[i]));
	}
	free(line);
	if (f)
		fclose(f);
}

/* A collision domain's bridge name: its own when it is a fine interface
 * name, else cdN. */
static char *cd_name(const struct klab *k, size_t i)
{
	const char *c = k->cds.v[i];
	if (!topo_ifname_error(c) && strlen(c) <= 12 && !streq(c, "all"))
		return xstrdup(c);
	return xasprintf("cd%zu", i);
}

static size_t cd_index(const struct klab *k, const char *cd)
{
	for (size_t i = 0; i < k->cds.n; i++)
		if (streq(k->cds.v[i], cd))
			return i;
	return 0;
}

static void emit_node(const struct kdev *d, struct sbuf *b)
{
	sbuf_addf(b, "\n[node %s]\n", d->name);
	if (d->image)
		sbuf_addf(b, "; image %s: the host's programs run instead\n", d->image);
	vec_foreach(i, &d->ifaces)
	{
		if (i->mac)
			sbuf_addf(b, "iface = eth%u mac %s\n", i->n, i->mac);
		sbuf_addf(b, "sysctl = net.ipv4.conf.eth%u.rp_filter 0\n", i->n);
	}
	vec_foreach(s, &d->sysctls)
	{
		_cleanup_free_ char *kv = xstrdup(*s);
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = ' ';
		sbuf_addf(b, "sysctl = %s\n", kv);
	}
	if (d->ipv6 == 0)
		sbuf_adds(b, "sysctl = net.ipv6.conf.all.disable_ipv6 1\n");
}

/* Devices in lab.dep order: a device after those it depends on. */
static void emit_in_order(struct klab *k, struct kdev *d, struct sbuf *b, unsigned depth)
{
	if (d->placed || depth > 64)
		return;
	d->placed = true;
	vec_foreach(dep, &d->deps) vec_foreach(o, &k->devs) if (streq(o->name, *dep))
		emit_in_order(k, o, b, depth + 1);
	emit_node(d, b);
}

static void klab_free(struct klab *k)
{
	vec_foreach(d, &k->devs)
	{
		free(d->name);
		free(d->image);
		vec_foreach(i, &d->ifaces)
		{
			free(i->cd);
			free(i->mac);
		}
		vec_free(&d->ifaces);
		vec_foreach(s, &d->sysctls) free(*s);
		vec_free(&d->sysctls);
		vec_foreach(s, &d->deps) free(*s);
		vec_free(&d->deps);
	}
	vec_free(&k->devs);
	vec_foreach(c, &k->cds) free(*c);
	vec_free(&k->cds);
	free(k->description);
}

char *kathara_import(const char *dir, const char *folder, bool skip_unsupported, struct diag *d,
		     struct sbuf *notes)
{
	_cleanup_free_ char *file = xasprintf("%s/lab.conf", dir);
	_cleanup_free_ char *copy = realpath(dir, NULL);
	struct klab k = {.file = file};
	struct sbuf b = {0};
	size_t before = diag_count(d);

	read_lab_conf(&k, skip_unsupported, d, notes);
	read_lab_dep(&k, dir);
	_cleanup_free_ char *ext = xasprintf("%s/lab.ext", dir);
	if (access(ext, F_OK) == 0) {
		struct klab e = {.file = ext};
		unsupported(&e, 1, skip_unsupported, d, notes,
			    "lab.ext (interfaces of the host's network in the lab)");
	}
	vec_foreach(dv, &k.devs) vec_foreach(i, &dv->ifaces) vec_foreach(j, &dv->ifaces) if (i < j && i->n == j->n)
	{
		struct topo_loc loc = {.file = file, .line = j->line};
		diag_add(d, &loc, "give each interface of a device one line", "%s[%u] given twice (first at line %u)",
			 dv->name, j->n, i->line);
	}
	if (!k.devs.n) {
		struct topo_loc loc = {.file = file};
		diag_add(d, &loc, "declare devices: DEVICE[0]=\"A\"", "lab.conf names no device");
	}
	if (diag_count(d) > before) {
		klab_free(&k);
		return NULL;
	}
	bool v6 = false;
	vec_foreach(dv, &k.devs) v6 |= dv->ipv6 == 1;
	const char *base = copy ? basename(copy) : "kathara";
	char name[TOPO_LAB_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", base);
	for (char *c = name; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_' || *c == '.'))
			*c = '-';
	if (topo_name_error(name, TOPO_LAB_NAME_MAX))
		snprintf(name, sizeof(name), "kathara");

	sbuf_addf(&b, KATHARA_MARK " from %s/lab.conf\n", copy ? copy : dir);
	sbuf_adds(&b, "; every device is a node with a root of its own; DEVICE/, shared/,\n"
		      "; DEVICE.startup and shared.startup are found in the lab's folder; the\n"
		      "; defaults below are Kathará's (forwarding on, rp_filter off)\n\n[lab]\n");
	sbuf_addf(&b, "name = %s\n", name);
	if (k.description)
		sbuf_addf(&b, "description = %s\n", k.description);
	if (folder)
		sbuf_addf(&b, "folder = %s\n", folder);
	sbuf_addf(&b, "ipv6 = %s\nstartup-files = lenient\nstartup-timeout = 120s\n", v6 ? "yes" : "no");
	sbuf_adds(&b, "\n[defaults]\ncontainer = yes\nforward = yes\n"
		      "sysctl = net.ipv4.conf.all.rp_filter 0\n"
		      "sysctl = net.ipv4.conf.default.rp_filter 0\n"
		      "sysctl = net.ipv4.conf.lo.rp_filter 0\n"
		      "sysctl = net.ipv4.icmp_ratelimit 0\n");
	for (size_t i = 0; i < k.cds.n; i++) {
		_cleanup_free_ char *br = cd_name(&k, i);
		sbuf_addf(&b, "\n; collision domain %s\n[bridge %s]\n", k.cds.v[i], br);
	}
	vec_foreach(dv, &k.devs) emit_in_order(&k, dv, &b, 0);
	sbuf_adds(&b, "\n[links]\n");
	vec_foreach(dv, &k.devs) vec_foreach(i, &dv->ifaces)
	{
		_cleanup_free_ char *br = cd_name(&k, cd_index(&k, i->cd));
		sbuf_addf(&b, "link = %s:eth%u %s\n", dv->name, i->n, br);
	}
	klab_free(&k);
	return sbuf_steal(&b);
}

struct topo_lab *kathara_load(const char *dir, struct diag *d, struct sbuf *notes)
{
	_cleanup_free_ char *abs = realpath(dir, NULL);
	_cleanup_free_ char *text = kathara_import(dir, abs ? abs : dir, false, d, notes);
	/* the lines of what it was turned into ('nslab import kathara' prints it) */
	_cleanup_free_ char *file = xasprintf("%s (imported)", dir);

	if (!text)
		return NULL;
	struct topo_lab *lab = topo_parse_string(text, file, d);
	topo_set_folder(lab, abs ? abs : dir, d);
	topo_validate(lab, d);
	if (diag_count(d)) {
		topo_lab_free(lab);
		return NULL;
	}
	return lab;
}
