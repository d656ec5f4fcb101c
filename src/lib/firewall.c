// SPDX-License-Identifier: MIT
#include "firewall.h"
#include "netns.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

struct fw_rule {
	uint64_t handle;
	void *exprs; /* a copy of NFTA_RULE_EXPRESSIONS' payload */
	int len;
};

struct fw_chain {
	char *table, *name;
	int family;
	int hook; /* -1: a regular chain */
	int32_t prio;
	int policy; /* NF_ACCEPT, NF_DROP */
	bool filter, type_nat;
	VEC(struct fw_rule) rules;
};

struct firewall {
	VEC(struct fw_chain) chains;
};

static void fw_chain_free(struct fw_chain *c)
{
	free(c->table);
	free(c->name);
	vec_foreach(r, &c->rules) free(r->exprs);
	vec_free(&c->rules);
}

void firewall_free(struct firewall *fw)
{
	if (!fw)
		return;
	vec_foreach(c, &fw->chains) fw_chain_free(c);
	vec_free(&fw->chains);
	free(fw);
}

static struct fw_chain *chain_find(const struct firewall *fw, int family, const char *table, const char *name)
{
	vec_foreach(c, &fw->chains) if (c->family == family && streq(c->table, table) &&
					 streq(c->name, name)) return c;
	return NULL;
}

static int chain_cb(struct nl_msg *msg, void *arg)
{
	struct firewall *fw = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nfgenmsg *g = nlmsg_data(h);
	struct nlattr *tb[NFTA_CHAIN_MAX + 1], *hk[NFTA_HOOK_MAX + 1];

	if (nlmsg_parse(h, sizeof(*g), tb, NFTA_CHAIN_MAX, NULL) < 0 || !tb[NFTA_CHAIN_TABLE] ||
	    !tb[NFTA_CHAIN_NAME])
		return NL_SKIP;
	struct fw_chain *c = vec_add(&fw->chains);
	c->table = xstrdup(nla_get_string(tb[NFTA_CHAIN_TABLE]));
	c->name = xstrdup(nla_get_string(tb[NFTA_CHAIN_NAME]));
	c->family = g->nfgen_family;
	c->hook = -1;
	c->policy = NF_ACCEPT;
	c->filter = !tb[NFTA_CHAIN_TYPE] || streq(nla_get_string(tb[NFTA_CHAIN_TYPE]), "filter");
	c->type_nat = tb[NFTA_CHAIN_TYPE] && streq(nla_get_string(tb[NFTA_CHAIN_TYPE]), "nat");
	if (tb[NFTA_CHAIN_HOOK] && nla_parse_nested(hk, NFTA_HOOK_MAX, tb[NFTA_CHAIN_HOOK], NULL) == 0 &&
	    hk[NFTA_HOOK_HOOKNUM]) {
		c->hook = (int)ntohl(nla_get_u32(hk[NFTA_HOOK_HOOKNUM]));
		c->prio = hk[NFTA_HOOK_PRIORITY] ? (int32_t)ntohl(nla_get_u32(hk[NFTA_HOOK_PRIORITY])) : 0;
	}
	if (tb[NFTA_CHAIN_POLICY])
		c->policy = (int)ntohl(nla_get_u32(tb[NFTA_CHAIN_POLICY]));
	return NL_OK;
}

static int rule_cb(struct nl_msg *msg, void *arg)
{
	struct firewall *fw = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nfgenmsg *g = nlmsg_data(h);
	struct nlattr *tb[NFTA_RULE_MAX + 1];

	if (nlmsg_parse(h, sizeof(*g), tb, NFTA_RULE_MAX, NULL) < 0 || !tb[NFTA_RULE_TABLE] ||
	    !tb[NFTA_RULE_CHAIN])
		return NL_SKIP;
	struct fw_chain *c = chain_find(fw, g->nfgen_family, nla_get_string(tb[NFTA_RULE_TABLE]),
					nla_get_string(tb[NFTA_RULE_CHAIN]));
	if (!c)
		return NL_SKIP;
	struct fw_rule *r = vec_add(&c->rules);
	r->handle = tb[NFTA_RULE_HANDLE] ? be64toh(nla_get_u64(tb[NFTA_RULE_HANDLE])) : 0;
	if (tb[NFTA_RULE_EXPRESSIONS]) {
		r->len = nla_len(tb[NFTA_RULE_EXPRESSIONS]);
		r->exprs = xmalloc((size_t)r->len + 1);
		memcpy(r->exprs, nla_data(tb[NFTA_RULE_EXPRESSIONS]), (size_t)r->len);
	}
	return NL_OK;
}

static int dump(struct nl_sock *sk, int type, nl_recvmsg_msg_cb_t cb, struct firewall *fw)
{
	struct nfgenmsg g = {.nfgen_family = NFPROTO_UNSPEC, .version = NFNETLINK_V0};

	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, fw);
	if (nl_send_simple(sk, (NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_DUMP, &g, sizeof(g)) < 0)
		return -EIO;
	return nl_recvmsgs_default(sk) < 0 ? -EIO : 0;
}

static int by_prio(const void *a, const void *b)
{
	const struct fw_chain *x = a, *y = b;
	return x->prio < y->prio ? -1 : x->prio > y->prio;
}

struct firewall *firewall_read(int nsfd)
{
	_cleanup_close_ int orig = netns_open_current();
	struct nl_sock *sk = NULL;
	struct firewall *fw = xcalloc(1, sizeof(*fw));

	if (nsfd < 0 || orig < 0 || netns_enter(nsfd) < 0)
		goto fail;
	sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_NETFILTER) < 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	if (netns_enter(orig) < 0)
		abort();
	/* No nf_tables in the kernel, or nothing in the node: no firewall. */
	if (!sk || dump(sk, NFT_MSG_GETCHAIN, chain_cb, fw) < 0 || !fw->chains.n ||
	    dump(sk, NFT_MSG_GETRULE, rule_cb, fw) < 0)
		goto fail;
	nl_socket_free(sk);
	qsort(fw->chains.v, fw->chains.n, sizeof(*fw->chains.v), by_prio);
	return fw;
fail:
	if (sk)
		nl_socket_free(sk);
	firewall_free(fw);
	return NULL;
}

/* ---- evaluation ---- */

struct state {
	const struct firewall_pkt *p;
	uint8_t regs[80]; /* NFT_REG_1..4 (16 bytes), NFT_REG32_00..15 (4) overlap */
	uint8_t net[40], th[8];
	int verdict; /* NFT_CONTINUE until an immediate sets one */
	const char *jump;
	const char *unsure; /* the expression it could not evaluate */
};

static uint8_t *reg(struct state *s, uint32_t r, uint32_t len)
{
	size_t off = r >= NFT_REG32_00 ? (r - NFT_REG32_00) * 4 : r >= NFT_REG_1 ? (r - NFT_REG_1) * 16 : 99;
	return off + len <= sizeof(s->regs) ? s->regs + off : NULL;
}

static uint32_t u32_at(struct nlattr *a)
{
	return a ? ntohl(nla_get_u32(a)) : 0;
}

/* NFTA_DATA_VALUE of a nested data attribute. */
static const uint8_t *data_of(struct nlattr *a, int *len)
{
	struct nlattr *d[NFTA_DATA_MAX + 1];
	if (!a || nla_parse_nested(d, NFTA_DATA_MAX, a, NULL) < 0 || !d[NFTA_DATA_VALUE])
		return NULL;
	*len = nla_len(d[NFTA_DATA_VALUE]);
	return nla_data(d[NFTA_DATA_VALUE]);
}

static void headers(struct state *s)
{
	const struct firewall_pkt *p = s->p;
	int icmp = p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6;

	memset(s->net, 0, sizeof(s->net));
	memset(s->th, 0, sizeof(s->th));
	if (p->dst.family == AF_INET) {
		s->net[0] = 0x45;
		s->net[8] = 64;
		s->net[9] = (uint8_t)p->proto;
		memcpy(s->net + 12, p->src.a, 4);
		memcpy(s->net + 16, p->dst.a, 4);
	} else {
		s->net[0] = 0x60;
		s->net[6] = (uint8_t)p->proto;
		s->net[7] = 64;
		memcpy(s->net + 8, p->src.a, 16);
		memcpy(s->net + 24, p->dst.a, 16);
	}
	if (icmp) {
		bool v4 = p->proto == IPPROTO_ICMP;
		s->th[0] = p->reply ? (v4 ? 0 : 129) : (v4 ? 8 : 128);
	} else {
		uint16_t sport = htons(p->reply ? p->dport : 40000), dport = htons(p->reply ? 40000 : p->dport);
		memcpy(s->th, &sport, 2);
		memcpy(s->th + 2, &dport, 2);
	}
}

static bool cmp_ok(int op, int c)
{
	switch (op) {
	case NFT_CMP_EQ: return c == 0;
	case NFT_CMP_NEQ: return c != 0;
	case NFT_CMP_LT: return c < 0;
	case NFT_CMP_LTE: return c <= 0;
	case NFT_CMP_GT: return c > 0;
	case NFT_CMP_GTE: return c >= 0;
	}
	return false;
}

/* One expression: true to go on with the rule, false when it does not
 * match (or s->unsure says why it could not tell). */
static bool expr(struct state *s, const char *name, struct nlattr *data)
{
	struct nlattr *tb[16 + 1] = {0};

	if (data && nla_parse_nested(tb, 16, data, NULL) < 0)
		return s->unsure = name, false;
	if (streq(name, "payload")) {
		uint32_t base = u32_at(tb[NFTA_PAYLOAD_BASE]), off = u32_at(tb[NFTA_PAYLOAD_OFFSET]),
			 len = u32_at(tb[NFTA_PAYLOAD_LEN]);
		const uint8_t *src = base == NFT_PAYLOAD_NETWORK_HEADER     ? s->net
				     : base == NFT_PAYLOAD_TRANSPORT_HEADER ? s->th
									    : NULL;
		size_t max = base == NFT_PAYLOAD_NETWORK_HEADER ? sizeof(s->net) : sizeof(s->th);
		uint8_t *d = reg(s, u32_at(tb[NFTA_PAYLOAD_DREG]), len);
		if (!tb[NFTA_PAYLOAD_DREG] || !src || off + len > max || !d)
			return s->unsure = "payload", false;
		memcpy(d, src + off, len);
		return true;
	}
	if (streq(name, "meta")) {
		uint32_t key = u32_at(tb[NFTA_META_KEY]);
		uint8_t *d = reg(s, u32_at(tb[NFTA_META_DREG]), 16);
		if (!tb[NFTA_META_DREG] || !d)
			return true; /* meta set: changes nothing we follow */
		memset(d, 0, 16);
		switch (key) {
		case NFT_META_L4PROTO: d[0] = (uint8_t)s->p->proto; return true;
		case NFT_META_NFPROTO: d[0] = s->p->dst.family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6; return true;
		case NFT_META_PROTOCOL: {
			uint16_t eth = htons(s->p->dst.family == AF_INET ? 0x0800 : 0x86dd);
			memcpy(d, &eth, 2);
			return true;
		}
		case NFT_META_IIFNAME: memcpy(d, s->p->iif, strnlen(s->p->iif, 15)); return true;
		case NFT_META_OIFNAME: memcpy(d, s->p->oif, strnlen(s->p->oif, 15)); return true;
		case NFT_META_MARK: return true;
		}
		return s->unsure = "meta", false;
	}
	if (streq(name, "ct")) {
		uint8_t *d = reg(s, u32_at(tb[NFTA_CT_DREG]), 4);
		if (u32_at(tb[NFTA_CT_KEY]) != NFT_CT_STATE || !d)
			return s->unsure = "ct", false;
		/* the first packet of a flow is new; its reply established */
		uint32_t st = s->p->reply ? NF_CT_STATE_BIT(IP_CT_ESTABLISHED) : NF_CT_STATE_BIT(IP_CT_NEW);
		memcpy(d, &st, 4);
		return true;
	}
	if (streq(name, "cmp")) {
		int len = 0;
		const uint8_t *v = data_of(tb[NFTA_CMP_DATA], &len);
		uint8_t *r = v ? reg(s, u32_at(tb[NFTA_CMP_SREG]), (uint32_t)len) : NULL;
		if (!r)
			return s->unsure = "cmp", false;
		return cmp_ok((int)u32_at(tb[NFTA_CMP_OP]), memcmp(r, v, (size_t)len));
	}
	if (streq(name, "bitwise")) {
		int ml = 0, xl = 0;
		uint32_t len = u32_at(tb[NFTA_BITWISE_LEN]);
		const uint8_t *mask = data_of(tb[NFTA_BITWISE_MASK], &ml), *x = data_of(tb[NFTA_BITWISE_XOR], &xl);
		uint8_t *src = reg(s, u32_at(tb[NFTA_BITWISE_SREG]), len), *dst = reg(s, u32_at(tb[NFTA_BITWISE_DREG]), len);
		if (!mask || !x || !src || !dst || (uint32_t)ml < len || (uint32_t)xl < len ||
		    (tb[NFTA_BITWISE_OP] && u32_at(tb[NFTA_BITWISE_OP]) != NFT_BITWISE_BOOL))
			return s->unsure = "bitwise", false;
		for (uint32_t i = 0; i < len; i++)
			dst[i] = (uint8_t)((src[i] & mask[i]) ^ x[i]);
		return true;
	}
	if (streq(name, "range")) {
		int fl = 0, tl = 0;
		const uint8_t *from = data_of(tb[NFTA_RANGE_FROM_DATA], &fl), *to = data_of(tb[NFTA_RANGE_TO_DATA], &tl);
		uint8_t *r = from ? reg(s, u32_at(tb[NFTA_RANGE_SREG]), (uint32_t)fl) : NULL;
		if (!r || !to || fl != tl)
			return s->unsure = "range", false;
		bool in = memcmp(r, from, (size_t)fl) >= 0 && memcmp(r, to, (size_t)fl) <= 0;
		return u32_at(tb[NFTA_RANGE_OP]) == NFT_RANGE_EQ ? in : !in;
	}
	if (streq(name, "immediate")) {
		struct nlattr *d[NFTA_DATA_MAX + 1], *v[NFTA_VERDICT_MAX + 1];
		if (u32_at(tb[NFTA_IMMEDIATE_DREG]) != NFT_REG_VERDICT)
			return s->unsure = "immediate", false;
		if (!tb[NFTA_IMMEDIATE_DATA] || nla_parse_nested(d, NFTA_DATA_MAX, tb[NFTA_IMMEDIATE_DATA], NULL) < 0 ||
		    !d[NFTA_DATA_VERDICT] || nla_parse_nested(v, NFTA_VERDICT_MAX, d[NFTA_DATA_VERDICT], NULL) < 0)
			return s->unsure = "immediate", false;
		s->verdict = (int)u32_at(v[NFTA_VERDICT_CODE]);
		s->jump = v[NFTA_VERDICT_CHAIN] ? nla_get_string(v[NFTA_VERDICT_CHAIN]) : NULL;
		return true;
	}
	if (streq(name, "reject")) {
		s->verdict = NF_DROP;
		return true;
	}
	if (streq(name, "counter") || streq(name, "log") || streq(name, "limit") || streq(name, "notrack"))
		return true;
	return s->unsure = name, false;
}

/* Run one rule: NFT_CONTINUE when it does not match or sets no verdict. */
static int rule(struct state *s, const struct fw_rule *r)
{
	struct nlattr *a, *e[NFTA_EXPR_MAX + 1];
	int rem;

	s->verdict = NFT_CONTINUE;
	s->jump = NULL;
	s->unsure = NULL;
	headers(s);
	nla_for_each_attr(a, (struct nlattr *)r->exprs, r->len, rem)
	{
		if (nla_parse_nested(e, NFTA_EXPR_MAX, a, NULL) < 0 || !e[NFTA_EXPR_NAME]) {
			s->unsure = "?";
			return NFT_CONTINUE;
		}
		if (!expr(s, nla_get_string(e[NFTA_EXPR_NAME]), e[NFTA_EXPR_DATA]))
			return NFT_CONTINUE;
	}
	return s->verdict;
}

/* A rule of c that would drop if we could tell: "rule 7 of chain forward
 * may drop it (nslab cannot evaluate 'lookup')". */
static int chain(struct state *s, const struct firewall *fw, const struct fw_chain *c, unsigned depth,
		 struct sbuf *why, bool *unsure)
{
	if (depth > 16)
		return NFT_CONTINUE;
	vec_foreach(r, &c->rules)
	{
		int v = rule(s, r);
		if (s->unsure && !*unsure) {
			*unsure = true;
			sbuf_addf(why, "rule handle %llu of chain %s (table %s) may decide it; nslab cannot "
				       "evaluate its '%s'. ",
				  (unsigned long long)r->handle, c->name, c->table, s->unsure);
		}
		if (v == NFT_CONTINUE || v == NFT_BREAK)
			continue;
		if (v == NF_ACCEPT || v == NF_DROP) {
			sbuf_addf(why, "rule handle %llu of chain %s (table %s; 'nft -a list ruleset' shows handles) %s it",
				  (unsigned long long)r->handle, c->name, c->table,
				  v == NF_ACCEPT ? "accepts" : "drops");
			return v;
		}
		if (v == NFT_RETURN)
			return NFT_RETURN;
		if ((v == NFT_JUMP || v == NFT_GOTO) && s->jump) {
			const struct fw_chain *t = chain_find(fw, c->family, c->table, s->jump);
			if (!t)
				continue;
			int w = chain(s, fw, t, depth + 1, why, unsure);
			if (w == NF_ACCEPT || w == NF_DROP || v == NFT_GOTO)
				return w == NFT_RETURN ? NFT_CONTINUE : w;
		}
	}
	return NFT_CONTINUE;
}

const char *firewall_nat_hook(const struct firewall *fw)
{
	static const char *const hooks[] = {"prerouting", "input", "forward", "output", "postrouting"};
	vec_foreach(c, &fw->chains) if (c->hook >= 0 && !c->filter && c->type_nat &&
					(size_t)c->hook < ARRAY_SIZE(hooks)) return hooks[c->hook];
	return NULL;
}

enum firewall_verdict firewall_eval(const struct firewall *fw, enum firewall_hook hook,
				    const struct firewall_pkt *p, struct sbuf *why)
{
	struct state s = {.p = p};
	bool unsure = false;
	int fam = p->dst.family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;

	vec_foreach(c, &fw->chains)
	{
		if (c->hook != (int)hook || !c->filter || (c->family != fam && c->family != NFPROTO_INET))
			continue;
		if (why->len)
			sbuf_adds(why, "; ");
		int v = chain(&s, fw, c, 0, why, &unsure);
		if (v != NF_ACCEPT && v != NF_DROP) {
			v = c->policy;
			sbuf_addf(why, "chain %s (table %s) ends: its policy %s it", c->name, c->table,
				  v == NF_DROP ? "drops" : "accepts");
		}
		if (v == NF_DROP)
			return unsure ? FIREWALL_UNSURE : FIREWALL_DROP;
		/* accepted here: the next base chain on the hook has its say */
	}
	return unsure ? FIREWALL_UNSURE : FIREWALL_ACCEPT;
}
