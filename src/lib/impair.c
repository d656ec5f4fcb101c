// SPDX-License-Identifier: MIT
/* Impairments: netem and tbf root qdiscs through libnl (impair.h). */
#include "impair.h"
#include "apply.h"
#include "nl.h"

#include <inttypes.h>
#include <math.h> /* isfinite, a macro */
#include <strings.h>

#include <linux/pkt_sched.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

const char impair_words[] = "delay, jitter, loss, duplicate, corrupt, reorder, rate, limit";

enum value_type { TIME, PERCENT, RATE, COUNT };

static const struct word {
	const char *name;
	unsigned bit;
	enum value_type type;
} words[] = {
	{"delay", IMPAIR_DELAY, TIME},         {"jitter", IMPAIR_JITTER, TIME},
	{"loss", IMPAIR_LOSS, PERCENT},        {"duplicate", IMPAIR_DUPLICATE, PERCENT},
	{"corrupt", IMPAIR_CORRUPT, PERCENT},  {"reorder", IMPAIR_REORDER, PERCENT},
	{"rate", IMPAIR_RATE, RATE},           {"limit", IMPAIR_LIMIT, COUNT},
};

static const struct word *word_find(const char *name)
{
	for (size_t k = 0; k < ARRAY_SIZE(words); k++)
		if (streq(words[k].name, name))
			return &words[k];
	return NULL;
}

bool impair_is_word(const char *word)
{
	return word_find(word) != NULL;
}

/* Non-negative values only: no libm. */
static double rnd(double v)
{
	return (double)(uint64_t)(v + 0.5);
}

/* A decimal number and what follows it; false if there is no number. */
static bool number(const char *s, double *ret, const char **unit)
{
	char *end;

	if (!(*s >= '0' && *s <= '9') && *s != '.')
		return false;
	errno = 0;
	*ret = strtod(s, &end);
	*unit = end;
	return errno == 0 && end != s && isfinite(*ret) && *ret >= 0;
}

struct unit {
	const char *name;
	double scale;
};

/* A number with one of units (case as tc takes it), scaled and rounded,
 * at most max; "0" alone is fine. */
static int parse_scaled(const char *s, const struct unit *units, size_t n, bool anycase,
			double max, double *ret)
{
	const char *unit;
	double v;

	if (!number(s, &v, &unit))
		return -EINVAL;
	if (!*unit && v == 0) {
		*ret = 0;
		return 0;
	}
	for (size_t k = 0; k < n; k++)
		if (anycase ? strcasecmp(unit, units[k].name) == 0 : streq(unit, units[k].name)) {
			*ret = rnd(v * units[k].scale);
			return *ret > max ? -ERANGE : 0;
		}
	return -EINVAL;
}

static int parse_time(const char *s, uint32_t *ret)
{
	static const struct unit units[] = {{"us", 1},    {"usec", 1}, {"ms", 1e3},
					    {"msec", 1e3}, {"s", 1e6},  {"sec", 1e6}};
	double v;
	int r = parse_scaled(s, units, ARRAY_SIZE(units), false, IMPAIR_MAX_TIME_US, &v);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

static int parse_percent(const char *s, uint32_t *ret)
{
	static const struct unit units[] = {{"%", IMPAIR_PPM / 100}};
	double v;
	int r = parse_scaled(s, units, 1, false, IMPAIR_PPM, &v);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

/* tc's bit units only: its "mbps" means megabytes per second, a trap.
 * tbf takes bytes per second in 32 bits. */
static int parse_rate(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}};
	double v;
	int r = parse_scaled(s, units, ARRAY_SIZE(units), true, 8.0 * INT32_MAX, &v);

	if (r == 0 && v > 0 && v < 8000)
		r = -ERANGE;
	if (r == 0)
		*ret = (uint64_t)v;
	return r;
}

int impair_parse_word(char *const *w, size_t n, size_t *i, struct impair *imp, struct sbuf *why,
		      const char **hint)
{
	const struct word *k = word_find(w[*i]);
	const char *v = *i + 1 < n ? w[*i + 1] : NULL;
	int r = -EINVAL;

	if (!k) {
		sbuf_addf(why, "unknown setting '%s'", w[*i]);
		*hint = "the settings are delay, jitter, loss, duplicate, corrupt, reorder, rate "
			"and limit, each with a value";
		return -EINVAL;
	}
	static const char *const hints[] = {
		[TIME] = "a time is a number with us, ms or s: '20ms', '1.5ms', '1s' (at most 60s)",
		[PERCENT] = "a percentage is 0% to 100%: '1%', '0.5%'",
		[RATE] = "a rate is bits per second with bit, kbit, mbit or gbit: '10mbit', "
			 "'512kbit' (8kbit to 17gbit; tc's 'mbps' would be megabytes)",
		[COUNT] = "a limit is a number of packets, 1 to 1000000: 'limit 100'",
	};
	*hint = hints[k->type];
	if (!v) {
		sbuf_addf(why, "'%s' needs a value", k->name);
		return -EINVAL;
	}
	switch (k->type) {
	case TIME:
		r = parse_time(v, k->bit == IMPAIR_DELAY ? &imp->delay_us : &imp->jitter_us);
		break;
	case PERCENT: {
		uint32_t *f = k->bit == IMPAIR_LOSS		 ? &imp->loss
			      : k->bit == IMPAIR_DUPLICATE ? &imp->duplicate
			      : k->bit == IMPAIR_CORRUPT   ? &imp->corrupt
							   : &imp->reorder;
		r = parse_percent(v, f);
		break;
	}
	case RATE:
		r = parse_rate(v, &imp->rate);
		break;
	case COUNT:
		r = parse_u32(v, 1, 1000000, &imp->limit);
		break;
	}
	if (r < 0) {
		sbuf_addf(why, "bad %s '%s'", k->name, v);
		return -EINVAL;
	}
	imp->set |= k->bit;
	*i += 2;
	return 0;
}

bool impair_needs_netem(const struct impair *imp)
{
	return imp->delay_us || imp->jitter_us || imp->loss || imp->duplicate || imp->corrupt ||
	       imp->reorder;
}

bool impair_active(const struct impair *imp)
{
	return impair_needs_netem(imp) || imp->rate;
}

const char *impair_error(const struct impair *imp, const char **hint)
{
	if (imp->jitter_us && !imp->delay_us) {
		*hint = "jitter varies a delay: write 'delay 20ms jitter 5ms'";
		return "'jitter' without 'delay'";
	}
	if (imp->reorder && !imp->delay_us) {
		*hint = "reorder sends some packets at once while the others wait out the delay: "
			"write 'delay 10ms reorder 25%'";
		return "'reorder' without 'delay'";
	}
	if ((imp->set & IMPAIR_LIMIT) && !impair_active(imp)) {
		*hint = "'limit' is the queue of a delay or a rate: give one of them, or drop 'limit'";
		return "'limit' without a delay or a rate";
	}
	return NULL;
}

void impair_merge(struct impair *dst, const struct impair *over)
{
	if (over->set & IMPAIR_DELAY)
		dst->delay_us = over->delay_us;
	if (over->set & IMPAIR_JITTER)
		dst->jitter_us = over->jitter_us;
	if (over->set & IMPAIR_LOSS)
		dst->loss = over->loss;
	if (over->set & IMPAIR_DUPLICATE)
		dst->duplicate = over->duplicate;
	if (over->set & IMPAIR_CORRUPT)
		dst->corrupt = over->corrupt;
	if (over->set & IMPAIR_REORDER)
		dst->reorder = over->reorder;
	if (over->set & IMPAIR_RATE)
		dst->rate = over->rate;
	if (over->set & IMPAIR_LIMIT)
		dst->limit = over->limit;
	dst->set |= over->set;
}

static void fmt_time(uint32_t us, struct sbuf *out)
{
	if (us % 1000000 == 0)
		sbuf_addf(out, "%us", us / 1000000);
	else if (us % 1000 == 0)
		sbuf_addf(out, "%ums", us / 1000);
	else if (us % 100 == 0)
		sbuf_addf(out, "%.1fms", us / 1000.0);
	else
		sbuf_addf(out, "%uus", us);
}

static void fmt_percent(uint32_t ppm, struct sbuf *out)
{
	sbuf_addf(out, "%g%%", ppm / (double)(IMPAIR_PPM / 100));
}

static void fmt_rate(uint64_t bits, struct sbuf *out)
{
	if (bits % 1000000000 == 0)
		sbuf_addf(out, "%" PRIu64 "gbit", bits / 1000000000);
	else if (bits % 1000000 == 0)
		sbuf_addf(out, "%" PRIu64 "mbit", bits / 1000000);
	else if (bits % 1000 == 0)
		sbuf_addf(out, "%" PRIu64 "kbit", bits / 1000);
	else
		sbuf_addf(out, "%" PRIu64 "bit", bits);
}

/* The netem words shared by both outputs; tc wants jitter right after the
 * delay, and reorder with a gap. */
static void fmt_netem(const struct impair *imp, bool tc, struct sbuf *out)
{
	const char *sep = "";

	if (imp->delay_us) {
		sbuf_addf(out, "%sdelay ", sep);
		fmt_time(imp->delay_us, out);
		sep = " ";
	}
	if (imp->jitter_us) {
		sbuf_addf(out, tc ? " " : "%sjitter ", sep);
		fmt_time(imp->jitter_us, out);
		sep = " ";
	}
	const struct {
		const char *name;
		uint32_t v;
	} p[] = {{"loss", imp->loss},
		 {"duplicate", imp->duplicate},
		 {"corrupt", imp->corrupt},
		 {"reorder", imp->reorder}};
	for (size_t k = 0; k < ARRAY_SIZE(p); k++) {
		if (!p[k].v)
			continue;
		sbuf_addf(out, "%s%s ", sep, p[k].name);
		fmt_percent(p[k].v, out);
		if (tc && streq(p[k].name, "reorder"))
			sbuf_adds(out, " gap 1");
		sep = " ";
	}
}

void impair_format(const struct impair *imp, struct sbuf *out)
{
	size_t start = out->len;

	fmt_netem(imp, false, out);
	if (imp->rate) {
		sbuf_adds(out, out->len > start ? " rate " : "rate ");
		fmt_rate(imp->rate, out);
	}
	if (imp->limit && imp->limit != IMPAIR_DEFAULT_LIMIT && impair_active(imp))
		sbuf_addf(out, " limit %u", imp->limit);
}

static uint32_t netem_limit(const struct impair *imp)
{
	return imp->limit ? imp->limit : IMPAIR_DEFAULT_LIMIT;
}

/* tbf's bucket: 10 ms of the rate, at least two frames. Its queue: the
 * packets 'limit' asks for when it is alone, else 50 ms of the rate. */
static uint32_t tbf_burst(const struct impair *imp, uint32_t mtu)
{
	uint64_t b = imp->rate / 8 / 100, min = 2 * ((uint64_t)(mtu ? mtu : 1500) + 14);
	return (uint32_t)(b > min ? b : min);
}

static uint32_t tbf_limit(const struct impair *imp, uint32_t mtu)
{
	uint64_t l;

	if (imp->limit && !impair_needs_netem(imp))
		l = (uint64_t)imp->limit * ((mtu ? mtu : 1500) + 14);
	else
		l = imp->rate / 8 / 20 + tbf_burst(imp, mtu);
	return (uint32_t)(l > INT32_MAX ? INT32_MAX : l);
}

void impair_print_tc(const char *netns, const char *dev, const struct impair *imp, uint32_t mtu,
		     struct sbuf *out)
{
	bool netem = impair_needs_netem(imp);

	if (netem) {
		sbuf_addf(out, "tc -n %s qdisc add dev %s root handle 1: netem limit %u ", netns,
			  dev, netem_limit(imp));
		fmt_netem(imp, true, out);
		sbuf_adds(out, "\n");
	}
	if (imp->rate) {
		sbuf_addf(out, "tc -n %s qdisc add dev %s %s tbf rate ", netns, dev,
			  netem ? "parent 1:1 handle 2:" : "root handle 1:");
		fmt_rate(imp->rate, out);
		sbuf_addf(out, " burst %u limit %u\n", tbf_burst(imp, mtu), tbf_limit(imp, mtu));
	}
}

/* The kernel's probabilities: 0 to UINT32_MAX for 0 to 100 %. */
static int prob(uint32_t ppm)
{
	uint64_t v = (uint64_t)ppm * UINT32_MAX / IMPAIR_PPM;
	return (int)(uint32_t)v;
}

static uint32_t ppm_of(int p)
{
	return (uint32_t)rnd((double)(uint32_t)p * IMPAIR_PPM / UINT32_MAX);
}

static void qdisc_putp(struct rtnl_qdisc **q)
{
	if (*q)
		rtnl_qdisc_put(*q);
}
#define _cleanup_qdisc_ _cleanup_(qdisc_putp)

static struct rtnl_qdisc *qdisc_new(uint32_t ifindex, uint32_t parent, uint32_t handle,
				    const char *kind)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), (int)ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	if (handle)
		rtnl_tc_set_handle(TC_CAST(q), handle);
	if (kind && rtnl_tc_set_kind(TC_CAST(q), kind) < 0) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return q;
}

static void set_netem(struct rtnl_qdisc *q, const struct impair *imp)
{
	rtnl_netem_set_limit(q, (int)netem_limit(imp));
	if (imp->delay_us)
		rtnl_netem_set_delay(q, (int)imp->delay_us);
	if (imp->jitter_us)
		rtnl_netem_set_jitter(q, (int)imp->jitter_us);
	if (imp->loss)
		rtnl_netem_set_loss(q, prob(imp->loss));
	if (imp->duplicate)
		rtnl_netem_set_duplicate(q, prob(imp->duplicate));
	if (imp->corrupt)
		rtnl_netem_set_corruption_probability(q, prob(imp->corrupt));
	if (imp->reorder) {
		rtnl_netem_set_reorder_probability(q, prob(imp->reorder));
		rtnl_netem_set_gap(q, 1);
	}
}

static void set_tbf(struct rtnl_qdisc *q, const struct impair *imp, uint32_t mtu)
{
	rtnl_qdisc_tbf_set_rate(q, (int)(imp->rate / 8), (int)tbf_burst(imp, mtu), 0);
	rtnl_qdisc_tbf_set_limit(q, (int)tbf_limit(imp, mtu));
}

static int add_qdisc(struct nl_ctx *nl, struct nl_sock *sk, struct rtnl_qdisc *q, struct sbuf *err)
{
	nl->kerr = 0;
	return nl_result(nl, rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL), err);
}

int impair_clear(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex, struct sbuf *err)
{
	_cleanup_qdisc_ struct rtnl_qdisc *root = qdisc_new(ifindex, TC_H_ROOT, 0, NULL);
	struct sbuf ignored = {0};
	int r;

	if (!root)
		return -ENOMEM;
	/* a device without a qdisc of its own answers ENOENT or EINVAL */
	nl->kerr = 0;
	r = nl_result(nl, rtnl_qdisc_delete(sk, root), &ignored);
	sbuf_free(&ignored);
	if (r < 0 && r != -ENOENT && r != -EINVAL) {
		sbuf_addf(err, "remove the qdisc: %s", strerror(-r));
		return r;
	}
	return 0;
}

int impair_apply(struct nl_ctx *nl, struct nl_sock *sk, uint32_t ifindex,
		 const struct impair *imp, uint32_t mtu, struct sbuf *err)
{
	_cleanup_qdisc_ struct rtnl_qdisc *q = NULL, *child = NULL;
	bool netem = impair_needs_netem(imp);
	int r;

	if (!impair_active(imp))
		return 0;
	q = qdisc_new(ifindex, TC_H_ROOT, TC_HANDLE(1, 0), netem ? "netem" : "tbf");
	if (!q)
		return -ENOMEM;
	if (netem)
		set_netem(q, imp);
	else
		set_tbf(q, imp, mtu);
	r = add_qdisc(nl, sk, q, err);
	if (r < 0 || !netem || !imp->rate)
		return r;
	child = qdisc_new(ifindex, TC_HANDLE(1, 1), TC_HANDLE(2, 0), "tbf");
	if (!child)
		return -ENOMEM;
	set_tbf(child, imp, mtu);
	return add_qdisc(nl, sk, child, err);
}

void impair_read(struct nl_cache *qdiscs, int ifindex, struct impair *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (struct nl_object *o = nl_cache_get_first(qdiscs); o; o = nl_cache_get_next(o)) {
		struct rtnl_qdisc *q = (struct rtnl_qdisc *)o;
		const char *kind = rtnl_tc_get_kind(TC_CAST(q));
		uint32_t parent = rtnl_tc_get_parent(TC_CAST(q));
		if (rtnl_tc_get_ifindex(TC_CAST(q)) != ifindex || !kind)
			continue;
		if (parent == TC_H_ROOT && streq(kind, "netem")) {
			ret->delay_us = (uint32_t)rtnl_netem_get_delay(q);
			ret->jitter_us = (uint32_t)rtnl_netem_get_jitter(q);
			ret->loss = ppm_of(rtnl_netem_get_loss(q));
			ret->duplicate = ppm_of(rtnl_netem_get_duplicate(q));
			ret->corrupt = ppm_of(rtnl_netem_get_corruption_probability(q));
			ret->reorder = ppm_of(rtnl_netem_get_reorder_probability(q));
			ret->limit = (uint32_t)rtnl_netem_get_limit(q);
		} else if (streq(kind, "tbf") &&
			   (parent == TC_H_ROOT || parent == TC_HANDLE(1, 1))) {
			ret->rate = (uint64_t)(uint32_t)rtnl_qdisc_tbf_get_rate(q) * 8;
		}
	}
	/* ticks to microseconds rounds: 20ms reads back as 19999us */
	ret->delay_us = (ret->delay_us + 5) / 10 * 10;
	ret->jitter_us = (ret->jitter_us + 5) / 10 * 10;
}

/* Add a qdisc of this kind on lo: does the kernel know it (or load it)? */
static bool lacks_qdisc(struct nl_sock *sk, const void *kind)
{
	struct impair imp = {.delay_us = 1000, .rate = 1000000};
	struct rtnl_qdisc *q = qdisc_new(1, TC_H_ROOT, TC_HANDLE(1, 0), kind);

	if (!q)
		_exit(1);
	if (streq(kind, "netem"))
		set_netem(q, &imp);
	else
		set_tbf(q, &imp, 0);
	int r = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL);
	return r == -NLE_OBJ_NOTFOUND || r == -NLE_OPNOTSUPP;
}

int impair_probe_qdisc(const char *kind, struct sbuf *err)
{
	int r = apply_probe(lacks_qdisc, kind);

	if (r == -EOPNOTSUPP)
		sbuf_addf(err, "kernel lacks %s support (module sch_%s)", kind, kind);
	else if (r < 0)
		sbuf_addf(err, "cannot ask the kernel for %s support", kind);
	return r;
}

int impair_probe(const struct impair *imp, struct sbuf *err)
{
	int r = impair_needs_netem(imp) ? impair_probe_qdisc("netem", err) : 0;

	return r == 0 && imp->rate ? impair_probe_qdisc("tbf", err) : r;
}
