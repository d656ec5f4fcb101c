// SPDX-License-Identifier: MIT
/* A bridge's ports: `ports = IF...` (interfaces of its node that go into
 * it), `port = IF|NODE:IF|*|BRIDGE SETTINGS...` lines (flags such as
 * learning and hairpin, cost, priority, and VLAN membership: pvid,
 * untagged, tagged), their steps, and reading them back from the kernel
 * for show, diff and save. */
#include "hosts.h"
#include "kind-bridge.h"
#include "nl.h"
#include "plan.h"
#include "show.h"

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#define VID_MAX 4094

static const struct {
	const char *word;
	int attr;  /* IFLA_BRPORT_* */
	bool dflt; /* the kernel's value for a new port */
} flags[_BRF_MAX] = {
    [BRF_LEARNING] = {"learning", IFLA_BRPORT_LEARNING, true},
    [BRF_FLOOD] = {"flood", IFLA_BRPORT_UNICAST_FLOOD, true},
    [BRF_NEIGH_SUPPRESS] = {"neigh_suppress", IFLA_BRPORT_NEIGH_SUPPRESS, false},
    [BRF_HAIRPIN] = {"hairpin", IFLA_BRPORT_MODE, false},
    [BRF_ISOLATED] = {"isolated", IFLA_BRPORT_ISOLATED, false},
};
/* The costs the kernel gives a port by itself: 2 for a 10 Gbit/s device
 * (a veth), 100 when it knows no speed (VXLAN, ...). Left out of diff. */
#define COST_AUTO(c) ((c) == 2 || (c) == 100)
#define PRIORITY_DEFAULT 32

static const char *const port_hint =
    "write 'port = IF|NODE:IF|* [learning on|off] [flood on|off] [neigh_suppress on|off] "
    "[hairpin on|off] [isolated on|off] [cost N] [priority N] [pvid N [untagged]] "
    "[untagged VIDS] [tagged VIDS]', VIDS such as '10 20 30-40'";

/* "10" or "30-40" -> from, to; 1..4094 */
static int parse_vids(const char *w, uint32_t *from, uint32_t *to)
{
	const char *dash = strchr(w, '-');
	_cleanup_free_ char *a = dash ? xstrndup(w, (size_t)(dash - w)) : xstrdup(w);

	if (parse_u32(a, 1, VID_MAX, from) < 0)
		return -EINVAL;
	if (!dash) {
		*to = *from;
		return 0;
	}
	return parse_u32(dash + 1, *from, VID_MAX, to);
}

static bool is_vids(const char *w)
{
	uint32_t a, b;
	return parse_vids(w, &a, &b) == 0;
}

static uint8_t *vids_of(struct bridge_port_opts *o)
{
	if (!o->vids)
		o->vids = xcalloc(VID_MAX + 1, 1);
	return o->vids;
}

static int parse_words(char **w, size_t n, struct bridge_port_opts *o, const struct topo_loc *loc,
		       struct diag *d)
{
	for (size_t i = 0; i < n; i++) {
		int f;
		for (f = 0; f < _BRF_MAX; f++)
			if (streq(w[i], flags[f].word))
				break;
		if (f < _BRF_MAX) {
			bool on;
			if (i + 1 >= n || parse_bool(w[i + 1], &on) < 0) {
				diag_add(d, loc, port_hint, "'%s' takes on or off", w[i]);
				return -EINVAL;
			}
			o->flag[f] = on;
			i++;
		} else if ((streq(w[i], "cost") || streq(w[i], "priority")) && i + 1 < n) {
			bool cost = streq(w[i], "cost");
			uint32_t v;
			/* the kernel's limits: a u32 cost >= 1, priority < 64 */
			if (parse_u32(w[i + 1], cost ? 1 : 0, cost ? UINT32_MAX : 63, &v) < 0) {
				diag_add(d, loc,
					 cost ? "a cost is a whole number from 1"
					      : "a priority is a whole number from 0 to 63",
					 "bad %s '%s'", w[i], w[i + 1]);
				return -EINVAL;
			}
			*(cost ? &o->cost : &o->priority) = v;
			*(cost ? &o->has_cost : &o->has_priority) = true;
			i++;
		} else if (streq(w[i], "pvid") && i + 1 < n) {
			uint32_t v;
			if (parse_u32(w[i + 1], 1, VID_MAX, &v) < 0) {
				diag_add(d, loc, "a VLAN id is a whole number from 1 to 4094",
					 "bad pvid '%s'", w[i + 1]);
				return -EINVAL;
			}
			uint8_t *m = vids_of(o);
			for (size_t k = 1; k <= VID_MAX; k++)
				m[k] &= (uint8_t)~BRV_PVID;
			m[v] |= BRV_MEMBER | BRV_PVID;
			i++;
			if (i + 1 < n && streq(w[i + 1], "untagged") &&
			    (i + 2 >= n || !is_vids(w[i + 2]))) {
				m[v] |= BRV_UNTAGGED;
				i++;
			}
		} else if (streq(w[i], "tagged") || streq(w[i], "untagged")) {
			bool untagged = streq(w[i], "untagged");
			size_t k = i + 1;
			for (; k < n && is_vids(w[k]); k++) {
				uint32_t a, b;
				(void)parse_vids(w[k], &a, &b);
				for (uint32_t v = a; v <= b; v++)
					vids_of(o)[v] |= BRV_MEMBER | (untagged ? BRV_UNTAGGED : 0);
			}
			if (k == i + 1) {
				diag_add(d, loc, port_hint, "'%s' needs VLAN ids (1 to 4094)%s",
					 w[i], untagged ? ", or follows 'pvid N'" : "");
				return -EINVAL;
			}
			i = k - 1;
		} else {
			diag_add(d, loc, port_hint, "unexpected '%s' in 'port'", w[i]);
			return -EINVAL;
		}
	}
	return 0;
}

void bridge_port_parse(struct bridge *b, char *value, const struct topo_loc *loc, struct diag *d)
{
	char *w[64];
	size_t n = split_words(value, w, ARRAY_SIZE(w));
	struct bridge_port_line l = {.loc = *loc};

	if (n < 2 || n > ARRAY_SIZE(w)) {
		diag_add(d, loc, port_hint,
			 n < 2 ? "'port' needs a port and its settings"
			       : "too many words in 'port'");
		return;
	}
	memset(l.o.flag, -1, sizeof(l.o.flag));
	if (parse_words(w + 1, n - 1, &l.o, loc, d) < 0) {
		free(l.o.vids);
		return;
	}
	l.name = xstrdup(w[0]);
	vec_push(&b->lines, l);
}

/* Not every interface can be a bridge's port. */
static bool refuse_port(const struct topo_iface *master, const struct topo_iface *p,
			struct sbuf *why)
{
	if (p->dev && p->dev->kind->layer3)
		sbuf_addf(why,
			  "'%s' is a %s, which has no Ethernet header to bridge\na bridge forwards "
			  "Ethernet frames: give it Ethernet devices (a link's end, VXLAN, gretap, a "
			  "VLAN, a dummy)",
			  p->name, p->dev->kind->noun);
	else if (p->is_bridge)
		sbuf_addf(why, "'%s' is a bridge; a bridge is not a port of another\njoin two "
			       "bridges with a link: 'link = NODE:BR1 NODE:BR2'",
			  p->name);
	return why->len > 0;
}

void bridge_take_ports(struct topo_dev *dev, struct bridge *b, struct diag *d)
{
	kind_take_ports(dev, b->iface, b->ports_text, &b->ports_loc, d, refuse_port);
}

/* The port of bridge b whose other end is NODE:IF. */
static struct topo_iface *port_linked_to(const struct bridge *b, const char *spec)
{
	const char *colon = strchr(spec, ':');

	vec_foreach (ip, &b->iface->node->ifaces) {
		const struct topo_iface *p = *ip, *q = p->peer;
		if (p->master == b->iface && q && !q->node->is_switch &&
		    strlen(q->node->name) == (size_t)(colon - spec) &&
		    strncmp(q->node->name, spec, (size_t)(colon - spec)) == 0 &&
		    streq(q->name, colon + 1))
			return *ip;
	}
	return NULL;
}

/* A later line of the same port (or '*', or the bridge itself) goes into
 * the first, setting by setting; its VLANs are added (a PVID moves). */
static void fold(struct bridge *b, struct bridge_port_line *l)
{
	vec_foreach(f, &b->lines)
	{
		if (f == l)
			return;
		if (f->folded || f->self != l->self || f->iface != l->iface ||
		    streq(f->name, "*") != streq(l->name, "*"))
			continue;
		for (int i = 0; i < _BRF_MAX; i++)
			if (l->o.flag[i] >= 0)
				f->o.flag[i] = l->o.flag[i];
		if (l->o.has_cost)
			f->o.has_cost = true, f->o.cost = l->o.cost;
		if (l->o.has_priority)
			f->o.has_priority = true, f->o.priority = l->o.priority;
		if (l->o.vids) {
			bool pvid = false;
			for (size_t v = 1; v <= VID_MAX; v++)
				pvid |= l->o.vids[v] & BRV_PVID;
			uint8_t *m = vids_of(&f->o);
			for (size_t v = 1; v <= VID_MAX; v++)
				m[v] = (uint8_t)((pvid ? m[v] & ~BRV_PVID : m[v]) | l->o.vids[v]);
		}
		l->folded = true;
		return;
	}
}

void bridge_port_validate(struct topo_dev *dev, struct bridge *b, struct diag *d)
{
	vec_foreach (l, &b->lines) {
		if (l->o.vids && !b->vlan_filtering) {
			char hint[160];
			snprintf(hint, sizeof(hint),
				 "add 'vlan_filtering = yes' to [bridge %s]: without it the bridge "
				 "ignores VLANs",
				 dev->name);
			diag_add(d, &l->loc, hint,
				 "port '%s': VLAN membership on a bridge that does not "
				 "filter VLANs",
				 l->name);
		}
		if (streq(l->name, "*"))
			continue;
		if (streq(l->name, b->iface->name)) {
			l->self = true;
			bool other = l->o.has_cost || l->o.has_priority;
			for (int f = 0; f < _BRF_MAX; f++)
				other |= l->o.flag[f] >= 0;
			if (other)
				diag_add(d, &l->loc,
					 "the bridge itself takes only VLAN words (pvid, "
					 "untagged, tagged)",
					 "port '%s' is the bridge itself", l->name);
			continue;
		}
		if (strchr(l->name, ':')) {
			l->iface = port_linked_to(b, l->name);
			if (!l->iface)
				diag_add(d, &l->loc,
					 "name the other end of a link to this bridge, or a port",
					 "no port of bridge '%s' is linked to '%s'", dev->name,
					 l->name);
			continue;
		}
		struct topo_iface *p = topo_iface_find(b->iface->node, l->name);
		if (p && p->master == b->iface) {
			l->iface = p;
			continue;
		}
		char hint[200];
		if (p)
			snprintf(hint, sizeof(hint), "add it to 'ports = ...' of [bridge %s%s%s]",
				 dev->node_name ? dev->node_name : "", dev->node_name ? ":" : "",
				 dev->name);
		else
			snprintf(hint, sizeof(hint),
				 "name a port (IF), the other end of its link (NODE:IF), or '*' "
				 "for all");
		diag_add(d, &l->loc, hint, "'%s' is not a port of bridge '%s'", l->name, dev->name);
	}
	vec_foreach(l, &b->lines) if (l->self || l->iface || streq(l->name, "*")) fold(b, l);
}

/* What a port gets: the '*' lines, then its own, setting by setting. */
static void merged(const struct bridge *b, const struct topo_iface *port, bool self,
		   struct bridge_port_opts *ret)
{
	memset(ret, 0, sizeof(*ret));
	memset(ret->flag, -1, sizeof(ret->flag));
	for (int pass = 0; pass < 2; pass++)
		vec_foreach (l, &b->lines) {
			bool star = streq(l->name, "*");
			if (l->folded || (pass == 0 ? !star || self : self ? !l->self : l->iface != port))
				continue;
			for (int f = 0; f < _BRF_MAX; f++)
				if (l->o.flag[f] >= 0)
					ret->flag[f] = l->o.flag[f];
			if (l->o.has_cost) {
				ret->has_cost = true;
				ret->cost = l->o.cost;
			}
			if (l->o.has_priority) {
				ret->has_priority = true;
				ret->priority = l->o.priority;
			}
			if (l->o.vids)
				ret->vids = l->o.vids; /* borrowed */
		}
}

static bool has_flags(const struct bridge_port_opts *o)
{
	bool any = o->has_cost || o->has_priority;
	for (int f = 0; f < _BRF_MAX; f++)
		any |= o->flag[f] >= 0;
	return any;
}

/* A step's data: one port (or the bridge itself) and what it gets. */
struct port_step {
	const struct topo_iface *port, *bridge;
	struct bridge_port_opts o;
	bool self;
	uint16_t drop_pvid; /* the default PVID the kernel gave it, not wanted */
};

static void flags_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct port_step *ps = s->data;

	sbuf_addf(out, "ip -n %s link set %s type bridge_slave", s->node->netns, ps->port->name);
	for (int f = 0; f < _BRF_MAX; f++)
		if (ps->o.flag[f] >= 0)
			sbuf_addf(out, " %s %s", flags[f].word, ps->o.flag[f] ? "on" : "off");
	if (ps->o.has_cost)
		sbuf_addf(out, " cost %u", ps->o.cost);
	if (ps->o.has_priority)
		sbuf_addf(out, " priority %u", ps->o.priority);
	sbuf_adds(out, "\n");
}

static void port_describe(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct port_step *ps = s->data;

	sbuf_addf(out, "set %s of port '%s' of bridge '%s'", s->type->name, ps->port->name,
		  ps->bridge->name);
}

static int flags_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct port_step *ps = s->data;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
				.ifi_index = (int)nl_ifindex(nl, ps->port)};
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	struct nlattr *info, *data;

	/* What `ip link set IF type bridge_slave ...` sends: the port's
	 * settings as the slave data of its link info. */
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_SLAVE_KIND, "bridge") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_SLAVE_DATA)))
		return -ENOMEM;
	for (int f = 0; f < _BRF_MAX; f++)
		if (ps->o.flag[f] >= 0 &&
		    nla_put_u8(msg, flags[f].attr, (uint8_t)ps->o.flag[f]) < 0)
			return -ENOMEM;
	if ((ps->o.has_cost && nla_put_u32(msg, IFLA_BRPORT_COST, ps->o.cost) < 0) ||
	    (ps->o.has_priority &&
	     nla_put_u16(msg, IFLA_BRPORT_PRIORITY, (uint16_t)ps->o.priority) < 0))
		return -ENOMEM;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return nl_request(nl, nl_sk(nl, s->node), msg, err);
}

static const struct step_type flags_step = {
    .name = "settings",
    .group = STEP_GROUP_PORTS,
    .print = flags_print,
    .describe = port_describe,
    .apply = flags_apply,
};

/* Runs of equal membership: each calls fn(from, to, bits). A PVID stands
 * alone (the kernel takes no range with it). */
static void vid_runs(const uint8_t *m, void (*fn)(uint16_t, uint16_t, uint8_t, void *), void *arg)
{
	for (uint32_t v = 1; v <= VID_MAX;) {
		if (!m[v]) {
			v++;
			continue;
		}
		uint32_t e = v;
		while (!(m[v] & BRV_PVID) && e + 1 <= VID_MAX && m[e + 1] == m[v])
			e++;
		fn((uint16_t)v, (uint16_t)e, m[v], arg);
		v = e + 1;
	}
}

struct vlan_print {
	const struct step *s;
	const struct port_step *ps;
	struct sbuf *out;
};

static void vid_text(uint16_t from, uint16_t to, struct sbuf *out)
{
	if (from == to)
		sbuf_addf(out, "%u", from);
	else
		sbuf_addf(out, "%u-%u", from, to);
}

static void print_run(uint16_t from, uint16_t to, uint8_t bits, void *arg)
{
	struct vlan_print *vp = arg;

	sbuf_addf(vp->out, "bridge -n %s vlan add vid ", vp->s->node->netns);
	vid_text(from, to, vp->out);
	sbuf_addf(vp->out, " dev %s%s%s%s\n", vp->ps->port->name, bits & BRV_PVID ? " pvid" : "",
		  bits & BRV_UNTAGGED ? " untagged" : "", vp->ps->self ? " self" : "");
}

static void vlan_print(const struct plan *p, const struct step *s, struct sbuf *out)
{
	const struct port_step *ps = s->data;
	struct vlan_print vp = {s, ps, out};

	vid_runs(ps->o.vids, print_run, &vp);
	if (ps->drop_pvid)
		sbuf_addf(out, "bridge -n %s vlan del vid %u dev %s%s\n", s->node->netns,
			  ps->drop_pvid, ps->port->name, ps->self ? " self" : "");
}

struct vlan_msg {
	struct nl_msg *msg;
	int r;
};

static void put_run(uint16_t from, uint16_t to, uint8_t bits, void *arg)
{
	struct vlan_msg *vm = arg;
	uint16_t fl = (bits & BRV_PVID ? BRIDGE_VLAN_INFO_PVID : 0) |
		      (bits & BRV_UNTAGGED ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
	struct bridge_vlan_info a = {.flags = fl, .vid = from}, b = {.flags = fl, .vid = to};

	if (from != to) {
		a.flags |= BRIDGE_VLAN_INFO_RANGE_BEGIN;
		b.flags |= BRIDGE_VLAN_INFO_RANGE_END;
	}
	if (nla_put(vm->msg, IFLA_BRIDGE_VLAN_INFO, sizeof(a), &a) < 0 ||
	    (from != to && nla_put(vm->msg, IFLA_BRIDGE_VLAN_INFO, sizeof(b), &b) < 0))
		vm->r = -ENOMEM;
}

/* RTM_SETLINK (add) or RTM_DELLINK (del) of AF_BRIDGE: what `bridge vlan`
 * sends. One vid (del) or the whole map (add). */
static int vlan_request(struct nl_ctx *nl, const struct step *s, int type, uint16_t del,
			struct sbuf *err)
{
	const struct port_step *ps = s->data;
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE,
				.ifi_index = (int)nl_ifindex(nl, ps->port)};
	_cleanup_nlmsg_ struct nl_msg *msg = nlmsg_alloc_simple(type, 0);
	struct vlan_msg vm = {msg, 0};
	struct nlattr *spec;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
	    (ps->self && nla_put_u16(msg, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF) < 0))
		return -ENOMEM;
	if (del) {
		struct bridge_vlan_info v = {.vid = del};
		if (nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(v), &v) < 0)
			return -ENOMEM;
	} else {
		vid_runs(ps->o.vids, put_run, &vm);
		if (vm.r < 0)
			return vm.r;
	}
	nla_nest_end(msg, spec);
	return nl_request(nl, nl_sk(nl, s->node), msg, err);
}

static int vlan_apply(struct nl_ctx *nl, const struct step *s, struct sbuf *err)
{
	const struct port_step *ps = s->data;
	int r = vlan_request(nl, s, RTM_SETLINK, 0, err);

	if (r == 0 && ps->drop_pvid)
		r = vlan_request(nl, s, RTM_DELLINK, ps->drop_pvid, err);
	return r;
}

static const struct step_type vlan_step = {
    .name = "VLANs",
    .group = STEP_GROUP_PORTS,
    .print = vlan_print,
    .describe = port_describe,
    .apply = vlan_apply,
};

static void plan_port(struct plan *p, struct topo_dev *dev, struct bridge *b,
		      const struct topo_iface *port, bool self)
{
	struct bridge_port_opts o;

	if (!hosts_iface_here(p->lab, port))
		return; /* another host's part makes it */
	merged(b, port, self, &o);
	if (has_flags(&o)) {
		struct port_step *ps = plan_alloc(p, sizeof(*ps));
		*ps = (struct port_step){.port = port, .bridge = b->iface, .o = o};
		struct step *s = plan_add(p, &flags_step, dev->node, ps);
		s->dev = dev;
		s->loc = &dev->loc;
	}
	if (o.vids) {
		struct port_step *ps = plan_alloc(p, sizeof(*ps));
		*ps = (struct port_step){.port = port, .bridge = b->iface, .o = o, .self = self};
		/* the kernel puts every new port (and the bridge) into the
		 * default PVID, untagged: out, unless the line lists it */
		if (b->default_pvid && !o.vids[b->default_pvid])
			ps->drop_pvid = b->default_pvid;
		struct step *s = plan_add(p, &vlan_step, dev->node, ps);
		s->dev = dev;
		s->loc = &dev->loc;
	}
}

void bridge_port_plan(struct plan *p, struct topo_dev *dev, struct bridge *b)
{
	if (!b->lines.n)
		return;
	plan_port(p, dev, b, b->iface, true);
	vec_foreach (ip, &b->iface->node->ifaces)
		if ((*ip)->master == b->iface)
			plan_port(p, dev, b, *ip, false);
}

/* "1 pvid untagged, 10-20, 30 untagged" or "none" */
static void fmt_run(uint16_t from, uint16_t to, uint8_t bits, void *arg)
{
	struct sbuf *out = arg;

	if (out->len)
		sbuf_adds(out, ", ");
	vid_text(from, to, out);
	sbuf_addf(out, "%s%s", bits & BRV_PVID ? " pvid" : "",
		  bits & BRV_UNTAGGED ? " untagged" : "");
}

static char *vids_text(const uint8_t *m)
{
	struct sbuf b = {0};

	if (m)
		vid_runs(m, fmt_run, &b);
	if (!b.len)
		sbuf_adds(&b, "none");
	return sbuf_steal(&b);
}

/* The membership a port has when its lines say none: the default PVID. */
static char *vids_default(const struct bridge *b)
{
	return b->default_pvid ? xasprintf("%u pvid untagged", b->default_pvid) : xstrdup("none");
}

void bridge_port_attrs(const struct topo_dev *master, const struct topo_iface *port,
		       struct strvec *ret)
{
	const struct bridge *b = master->priv;
	struct bridge_port_opts o;

	merged(b, port, false, &o);
	for (int f = 0; f < _BRF_MAX; f++)
		if (o.flag[f] >= 0 && o.flag[f] != flags[f].dflt)
			vec_push(ret,
				 xasprintf("port-%s %s", flags[f].word, o.flag[f] ? "on" : "off"));
	if (o.has_cost && !COST_AUTO(o.cost))
		vec_push(ret, xasprintf("port-cost %u", o.cost));
	if (o.has_priority && o.priority != PRIORITY_DEFAULT)
		vec_push(ret, xasprintf("port-priority %u", o.priority));
	if (b->vlan_filtering) {
		_cleanup_free_ char *v = o.vids ? vids_text(o.vids) : vids_default(b);
		vec_push(ret, xasprintf("port-vlans %s", v));
	}
}

void bridge_port_attrs_self(const struct bridge *b, struct strvec *ret)
{
	struct bridge_port_opts o;

	if (!b->vlan_filtering)
		return;
	merged(b, b->iface, true, &o);
	_cleanup_free_ char *v = o.vids ? vids_text(o.vids) : vids_default(b);
	vec_push(ret, xasprintf("vlans %s", v));
}

void bridge_port_free(struct bridge *b)
{
	vec_foreach (l, &b->lines) {
		free(l->name);
		free(l->o.vids);
	}
	vec_free(&b->lines);
}

/* ---- reading a running bridge back (show, diff, save) ---- */

struct read_ctx {
	struct show_node *n;
	bool filtering[64]; /* by ifindex % 64 of the bridges read: VLANs matter */
	uint32_t bridges[64];
	size_t nb;
};

static struct show_iface *iface_by_index(struct show_node *n, uint32_t idx)
{
	vec_foreach (i, &n->ifaces)
		if (i->ifindex == idx)
			return i;
	return NULL;
}

static bool bridge_filters(const struct read_ctx *c, uint32_t idx)
{
	for (size_t k = 0; k < c->nb; k++)
		if (c->bridges[k] == idx)
			return c->filtering[k];
	return false;
}

static int on_bridge_link(struct nl_msg *msg, void *arg)
{
	struct read_ctx *c = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *br[IFLA_BR_MAX + 1];
	struct show_iface *i = iface_by_index(c->n, (uint32_t)ifi->ifi_index);

	if (!i || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !info[IFLA_INFO_DATA] ||
	    nla_parse_nested(br, IFLA_BR_MAX, info[IFLA_INFO_DATA], NULL) < 0)
		return NL_OK;
	if (br[IFLA_BR_STP_STATE] && nla_get_u32(br[IFLA_BR_STP_STATE]))
		vec_push(&i->attrs, xstrdup("stp yes"));
	if (br[IFLA_BR_AGEING_TIME] &&
	    nla_get_u32(br[IFLA_BR_AGEING_TIME]) != BRIDGE_AGEING_DEFAULT)
		vec_push(&i->attrs, xasprintf("ageing_time %gs",
					      nla_get_u32(br[IFLA_BR_AGEING_TIME]) / 100.0));
	if (br[IFLA_BR_FORWARD_DELAY] &&
	    nla_get_u32(br[IFLA_BR_FORWARD_DELAY]) != BRIDGE_FWD_DELAY_DEFAULT)
		vec_push(&i->attrs, xasprintf("forward_delay %gs",
					      nla_get_u32(br[IFLA_BR_FORWARD_DELAY]) / 100.0));
	if (br[IFLA_BR_MCAST_SNOOPING] && !nla_get_u8(br[IFLA_BR_MCAST_SNOOPING]))
		vec_push(&i->attrs, xstrdup("mcast_snooping no"));
	bool filtering = br[IFLA_BR_VLAN_FILTERING] && nla_get_u8(br[IFLA_BR_VLAN_FILTERING]);
	if (filtering) {
		vec_push(&i->attrs, xstrdup("vlan_filtering yes"));
		uint16_t pvid =
		    br[IFLA_BR_VLAN_DEFAULT_PVID] ? nla_get_u16(br[IFLA_BR_VLAN_DEFAULT_PVID]) : 1;
		if (pvid != 1)
			vec_push(&i->attrs, xasprintf("vlan_default_pvid %u", pvid));
	}
	if (br[IFLA_BR_VLAN_PROTOCOL] && ntohs(nla_get_u16(br[IFLA_BR_VLAN_PROTOCOL])) == 0x88a8)
		vec_push(&i->attrs, xstrdup("vlan_protocol 802.1ad"));
	if (c->nb < ARRAY_SIZE(c->bridges)) {
		c->bridges[c->nb] = i->ifindex;
		c->filtering[c->nb++] = filtering;
	}
	return NL_OK;
}

static int on_port(struct nl_msg *msg, void *arg)
{
	struct read_ctx *c = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1], *pi[IFLA_BRPORT_MAX + 1], *a;
	struct show_iface *i = iface_by_index(c->n, (uint32_t)ifi->ifi_index);
	int rem;

	if (!i || ifi->ifi_family != AF_BRIDGE ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_OK;
	/* the bridge itself comes with IFLA_MASTER naming itself */
	bool self = !tb[IFLA_MASTER] || nla_get_u32(tb[IFLA_MASTER]) == i->ifindex;
	uint32_t br = self ? i->ifindex : nla_get_u32(tb[IFLA_MASTER]);
	if (!self && tb[IFLA_PROTINFO] &&
	    nla_parse_nested(pi, IFLA_BRPORT_MAX, tb[IFLA_PROTINFO], NULL) == 0) {
		for (int f = 0; f < _BRF_MAX; f++)
			if (pi[flags[f].attr] &&
			    (bool)nla_get_u8(pi[flags[f].attr]) != flags[f].dflt)
				vec_push(&i->attrs, xasprintf("port-%s %s", flags[f].word,
							      flags[f].dflt ? "off" : "on"));
		if (pi[IFLA_BRPORT_COST] && !COST_AUTO(nla_get_u32(pi[IFLA_BRPORT_COST])))
			vec_push(&i->attrs,
				 xasprintf("port-cost %u", nla_get_u32(pi[IFLA_BRPORT_COST])));
		if (pi[IFLA_BRPORT_PRIORITY] &&
		    nla_get_u16(pi[IFLA_BRPORT_PRIORITY]) != PRIORITY_DEFAULT)
			vec_push(&i->attrs, xasprintf("port-priority %u",
						      nla_get_u16(pi[IFLA_BRPORT_PRIORITY])));
	}
	if (!bridge_filters(c, br))
		return NL_OK;
	_cleanup_free_ uint8_t *m = xcalloc(VID_MAX + 1, 1);
	if (tb[IFLA_AF_SPEC])
		nla_for_each_nested(a, tb[IFLA_AF_SPEC], rem)
		{
			const struct bridge_vlan_info *v = nla_data(a);
			if (nla_type(a) != IFLA_BRIDGE_VLAN_INFO || nla_len(a) < (int)sizeof(*v) ||
			    v->vid < 1 || v->vid > VID_MAX)
				continue;
			m[v->vid] = BRV_MEMBER | (v->flags & BRIDGE_VLAN_INFO_PVID ? BRV_PVID : 0) |
				    (v->flags & BRIDGE_VLAN_INFO_UNTAGGED ? BRV_UNTAGGED : 0);
		}
	_cleanup_free_ char *text = vids_text(m);
	vec_push(&i->attrs, xasprintf("%s %s", self ? "vlans" : "port-vlans", text));
	return NL_OK;
}

static void dump(struct nl_sock *sk, int family, uint32_t ifindex, nl_recvmsg_msg_cb_t cb,
		 struct read_ctx *c)
{
	struct ifinfomsg ifi = {.ifi_family = (uint8_t)family, .ifi_index = (int)ifindex};
	_cleanup_nlmsg_ struct nl_msg *msg =
	    nlmsg_alloc_simple(RTM_GETLINK, ifindex ? 0 : NLM_F_DUMP);

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (family == AF_BRIDGE && nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN) < 0))
		return;
	if (nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, c) < 0 ||
	    nl_send_auto(sk, msg) < 0)
		return;
	/* a single answer ends the receive before libnl's ack: take it too,
	 * or the next request would read it as its own end; an error (the
	 * bridge is gone meanwhile) was the answer, and no ack follows */
	if (nl_recvmsgs_default(sk) >= 0 && ifindex)
		(void)nl_wait_for_ack(sk);
	(void)nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
}

void bridge_read_node(struct nl_sock *sk, struct show_node *n)
{
	struct read_ctx c = {.n = n};
	bool any = false;

	/* libnl 3.7 parses neither IFLA_BR_* nor a port's slave data: one
	 * request per bridge for its settings, one dump of the node's bridge
	 * ports (AF_BRIDGE: flags and VLANs) when it has a bridge. */
	vec_foreach (i, &n->ifaces)
		if (streq(i->kind, "bridge")) {
			any = true;
			dump(sk, AF_UNSPEC, i->ifindex, on_bridge_link, &c);
		}
	if (any)
		dump(sk, AF_BRIDGE, 0, on_port, &c);
}
