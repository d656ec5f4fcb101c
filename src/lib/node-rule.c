// SPDX-License-Identifier: MIT
/* [node] key 'rule': a policy routing rule, as `ip rule add` takes it:
 * rule = [-6] [from P] [to P] [iif IF] [oif IF] [fwmark N[/MASK]] [priority N] lookup TABLE */
#include "node-key.h"
#include "nl.h"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/route/rule.h>

static const char *const rule_hint =
    "write 'rule = [from PREFIX] [to PREFIX] [iif IF] [oif IF] [fwmark N[/MASK]] [priority N] "
    "lookup TABLE', TABLE being a number, main, local or default";

/* A table by number or by the kernel's names, as ip rule takes it. */
static int table_parse(const char *s, uint32_t *ret)
{
	if (streq(s, "main"))
		*ret = RT_TABLE_MAIN;
	else if (streq(s, "local"))
		*ret = RT_TABLE_LOCAL;
	else if (streq(s, "default"))
		*ret = RT_TABLE_DEFAULT;
	else
		return parse_u32(s, 1, UINT32_MAX, ret);
	return 0;
}

/* fwmark: decimal or 0x hex, as ip rule takes it. */
static int mark_parse(const char *s, uint32_t *ret)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

/* from/to: a prefix without host bits, or a host; "all" is no selector. */
static int prefix_parse(const char *what, const char *s, const struct topo_loc *loc, struct diag *d,
			struct ipaddr *ret, bool *ret_has)
{
	char buf[IPADDR_STRLEN], hint[160];

	if (streq(s, "all"))
		return 0;
	int r = ipaddr_parse(s, true, ret);
	if (r == -ERANGE) {
		diag_add(d, loc, rule_hint, "bad prefix length in '%s'", s);
		return -EINVAL;
	}
	if (r < 0) {
		diag_add(d, loc, rule_hint, "bad '%s' prefix '%s'", what, s);
		return -EINVAL;
	}
	if (!ipaddr_is_network(ret)) {
		struct ipaddr net = ipaddr_network(ret);
		snprintf(hint, sizeof(hint),
			 "write '%s' (the kernel keeps host bits a rule never matches on)",
			 ipaddr_cidr(&net, buf));
		diag_add(d, loc, hint, "'%s' prefix '%s' has host bits set", what, s);
		return -EINVAL;
	}
	*ret_has = true;
	return 0;
}

static int parse_rule(struct topo_node *n, char *value, const struct topo_loc *loc, struct diag *d)
{
	char *w[24];
	size_t cnt = split_words(value, w, ARRAY_SIZE(w));
	struct topo_rule r = {.loc = *loc};
	const char *iif = NULL, *oif = NULL; /* copied once the line is good */
	bool v6 = false, has_table = false;

	if (cnt == 0 || cnt > ARRAY_SIZE(w)) {
		diag_add(d, loc, rule_hint, "bad 'rule' line");
		return -EINVAL;
	}
	for (size_t i = 0; i < cnt; i++) {
		const char *k = w[i];
		bool arg = i + 1 < cnt;
		if (streq(k, "-6")) {
			v6 = true;
		} else if (streq(k, "from") && arg) {
			if (prefix_parse("from", w[++i], loc, d, &r.from, &r.has_from) < 0)
				return -EINVAL;
		} else if (streq(k, "to") && arg) {
			if (prefix_parse("to", w[++i], loc, d, &r.to, &r.has_to) < 0)
				return -EINVAL;
		} else if ((streq(k, "iif") || streq(k, "oif")) && arg) {
			if (node_key_ifname(loc, d, "interface", w[++i]) < 0)
				return -EINVAL;
			*(streq(k, "iif") ? &iif : &oif) = w[i];
		} else if (streq(k, "fwmark") && arg) {
			char *slash = strchr(w[++i], '/');
			if (slash)
				*slash++ = '\0';
			if (mark_parse(w[i], &r.mark) < 0 ||
			    (slash && mark_parse(slash, &r.mask) < 0)) {
				diag_add(d, loc, "write 'fwmark 0x10' or 'fwmark 0x10/0xff'",
					 "bad fwmark '%s%s%s'", w[i], slash ? "/" : "",
					 slash ? slash : "");
				return -EINVAL;
			}
			r.has_mark = true;
			r.has_mask = slash != NULL;
		} else if ((streq(k, "priority") || streq(k, "pref")) && arg) {
			if (parse_u32(w[++i], 0, UINT32_MAX, &r.prio) < 0) {
				diag_add(
				    d, loc,
				    "a priority is a number from 0 to 4294967295 (lower first)",
				    "bad priority '%s'", w[i]);
				return -EINVAL;
			}
			r.has_prio = true;
		} else if ((streq(k, "lookup") || streq(k, "table")) && arg) {
			if (table_parse(w[++i], &r.table) < 0) {
				diag_add(d, loc,
					 "a table is a number from 1 to 4294967295, main, local or "
					 "default",
					 "bad table '%s'", w[i]);
				return -EINVAL;
			}
			has_table = true;
		} else {
			diag_add(d, loc, rule_hint, "unexpected '%s' in 'rule'", k);
			return -EINVAL;
		}
	}
	int fam = r.has_from ? r.from.family : r.has_to ? r.to.family : v6 ? AF_INET6 : AF_INET;
	if ((r.has_from && r.from.family != fam) || (r.has_to && r.to.family != fam) ||
	    (v6 && fam != AF_INET6)) {
		diag_add(d, loc, "a rule is IPv4 or IPv6: use prefixes of one family",
			 "'rule' mixes IPv4 and IPv6");
		return -EINVAL;
	}
	if (!has_table) {
		diag_add(d, loc, rule_hint, "'rule' needs 'lookup TABLE'");
		return -EINVAL;
	}
	r.family = fam;
	r.iif = iif ? xstrdup(iif) : NULL;
	r.oif = oif ? xstrdup(oif) : NULL;
	vec_push(&n->rules, r);
	return 0;
}

static void table_str(uint32_t t, char buf[16])
{
	if (t == RT_TABLE_MAIN || t == RT_TABLE_LOCAL || t == RT_TABLE_DEFAULT)
		snprintf(buf, 16, "%s",
			 t == RT_TABLE_MAIN    ? "main"
			 : t == RT_TABLE_LOCAL ? "local"
					       : "default");
	else
		snprintf(buf, 16, "%u", t);
}

static void print_rule(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_rule *r = s->data;
	char buf[IPADDR_STRLEN], t[16];

	sbuf_addf(out, "ip -n %s%s rule add", s->node->netns, r->family == AF_INET6 ? " -6" : "");
	if (r->has_from)
		sbuf_addf(out, " from %s", ipaddr_cidr(&r->from, buf));
	if (r->has_to)
		sbuf_addf(out, " to %s", ipaddr_cidr(&r->to, buf));
	if (r->iif)
		sbuf_addf(out, " iif %s", r->iif);
	if (r->oif)
		sbuf_addf(out, " oif %s", r->oif);
	if (r->has_mark)
		sbuf_addf(out, " fwmark 0x%x", r->mark);
	if (r->has_mask)
		sbuf_addf(out, "/0x%x", r->mask);
	if (r->has_prio)
		sbuf_addf(out, " priority %u", r->prio);
	table_str(r->table, t);
	sbuf_addf(out, " lookup %s\n", t);
}

static void describe_rule(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct topo_rule *r = s->data;
	char t[16];

	table_str(r->table, t);
	sbuf_addf(out, "add rule (line %u) to table %s", r->loc.line, t);
}

static int apply_rule(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct topo_rule *r = s->data;
	struct rtnl_rule *rule = rtnl_rule_alloc();
	_cleanup_nladdr_ struct nl_addr *from = r->has_from ? nl_addr_from(&r->from, true) : NULL;
	_cleanup_nladdr_ struct nl_addr *to = r->has_to ? nl_addr_from(&r->to, true) : NULL;
	int e;

	if (!rule || (r->has_from && !from) || (r->has_to && !to)) {
		if (rule)
			rtnl_rule_put(rule);
		return -ENOMEM;
	}
	rtnl_rule_set_family(rule, r->family);
	rtnl_rule_set_action(rule, FR_ACT_TO_TBL);
	/* libnl sends the table as FRA_TABLE too, so tables above 255 work */
	rtnl_rule_set_table(rule, r->table);
	if (r->has_prio)
		rtnl_rule_set_prio(rule, r->prio);
	if (from)
		(void)rtnl_rule_set_src(rule, from);
	if (to)
		(void)rtnl_rule_set_dst(rule, to);
	if (r->iif)
		(void)rtnl_rule_set_iif(rule, r->iif);
	if (r->oif)
		(void)rtnl_rule_set_oif(rule, r->oif);
	/* as ip rule: a mark alone is matched whole (the kernel's mask
	 * 0xffffffff); the mask only when given */
	if (r->has_mark)
		rtnl_rule_set_mark(rule, r->mark);
	if (r->has_mask)
		rtnl_rule_set_mask(rule, r->mask);
	nl->kerr = 0;
	/* EXCL: the same rule twice is an error, as `ip rule add` makes it */
	e = nl_result(nl, rtnl_rule_add(nl_sk(nl, s->node), rule, NLM_F_EXCL), err);
	rtnl_rule_put(rule);
	return e;
}

static const struct step_type step_rule = {
    .name = "rule",
    .group = STEP_GROUP_NODE,
    .print = print_rule,
    .describe = describe_rule,
    .apply = apply_rule,
};

static void plan_rules(struct plan *p, struct topo_node *n)
{
	vec_foreach (r, &n->rules)
		plan_add(p, &step_rule, n, r)->loc = &r->loc;
}

static void free_rules(struct topo_node *n)
{
	vec_foreach (r, &n->rules) {
		free(r->iif);
		free(r->oif);
	}
	vec_free(&n->rules);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && streq(a, b));
}

static bool same_prefix(bool ha, const struct ipaddr *a, bool hb, const struct ipaddr *b)
{
	return ha == hb && (!ha || (a->len == b->len && ipaddr_equal(a, b)));
}

/* The same selectors, table and priority: the kernel refuses the second
 * (EEXIST); without priorities each gets its own, and both match alike. */
static bool same_rule(const struct topo_rule *a, const struct topo_rule *b)
{
	return a->family == b->family &&
	       same_prefix(a->has_from, &a->from, b->has_from, &b->from) &&
	       same_prefix(a->has_to, &a->to, b->has_to, &b->to) && same_str(a->iif, b->iif) &&
	       same_str(a->oif, b->oif) && a->has_mark == b->has_mark && a->mark == b->mark &&
	       a->has_mask == b->has_mask && a->mask == b->mask && a->table == b->table &&
	       a->has_prio == b->has_prio && a->prio == b->prio;
}

static void validate_rules(struct topo_lab *lab, struct diag *d)
{
	vec_foreach (np, &lab->nodes) {
		struct topo_node *n = *np;
		for (size_t i = 0; i < n->rules.n; i++) {
			struct topo_rule *r = &n->rules.v[i];
			if (r->iif && !node_has_iface(n, r->iif))
				(void)node_iface(n, r->iif, &r->loc, d);
			if (r->oif && !node_has_iface(n, r->oif))
				(void)node_iface(n, r->oif, &r->loc, d);
			for (size_t j = 0; j < i; j++) {
				if (!same_rule(&n->rules.v[j], r))
					continue;
				char hint[96];
				snprintf(hint, sizeof(hint), "remove one (first at line %u)",
					 n->rules.v[j].loc.line);
				diag_add(d, &r->loc, hint,
					 "the same rule is given twice in node '%s'", n->name);
				break;
			}
		}
	}
}

const struct node_key node_key_rule = {
    .key = "rule",
    .repeatable = true,
    .parse = parse_rule,
    .validate = validate_rules,
    .free = free_rules,
    .plan = plan_rules,
};
