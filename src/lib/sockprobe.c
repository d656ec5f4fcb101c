// SPDX-License-Identifier: MIT
#include "sockprobe.h"
#include "interrupt.h"
#include "netns.h"
#include "probe.h"

#include <arpa/inet.h>
#include <limits.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>

#define INTERVAL 0.2	 /* ping -i 0.2 */
#define PAYLOAD 56	 /* ping's default: an 84-byte IPv4 packet */
#define BURST 256	 /* sends between two looks at the replies */
#define RCVBUF (1 << 20) /* room for the replies of one node's burst */
#define TICK_MS 5
#define TAG_TCP 1ULL /* epoll data: probe index << 1 | 1, socket index << 1 */

/* A raw ICMP socket of one namespace and family; its probes are
 * order[first, first + count) and use identifiers id0, id0 + 1, ... */
struct nsock {
	int fd;
	int family;
	uint16_t id0;
	size_t first, count;
};

struct run {
	struct sockprobe *v;
	size_t *order; /* probe indexes, grouped by namespace */
	struct nsock *socks;
	size_t nsocks;
	uint64_t cookie; /* in every request's payload: replies to other pingers are not ours */
	int ep, orig;
	size_t pending;
	double deadline;
};

static void finish(struct run *r, struct sockprobe *p, int status, char *output)
{
	if (p->status != INT_MIN) {
		free(output);
		return;
	}
	p->status = status;
	free(p->output);
	p->output = output;
	p->seconds = p->start ? probe_now() - p->start : 0;
	if (p->kind == SOCKPROBE_TCP && p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	r->pending--;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static socklen_t sockaddr_of(const struct ipaddr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, a->a, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	memcpy(&s->sin6_addr, a->a, 16);
	return sizeof(*s);
}

static int cmp_netns(const void *a, const void *b, void *arg)
{
	const struct sockprobe *v = arg;
	const struct sockprobe *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
	int c = strcmp(x->netns, y->netns);

	if (c)
		return c;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return (int)x->dst.family - (int)y->dst.family;
}

/* The raw socket of a namespace: only echo replies are read from it;
 * errors about its own requests come on its error queue (IP_RECVERR),
 * as ping has them. */
static int open_icmp(int family)
{
	int one = 1, size = RCVBUF;
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);

	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		struct icmp_filter f = {.data = ~(1U << ICMP_ECHOREPLY)};
		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) < 0 ||
		    setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one)) < 0)
			goto fail;
	} else {
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
		    setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one)) < 0)
			goto fail;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

static void start_tcp(struct run *r, size_t i)
{
	struct sockprobe *p = &r->v[i];
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(&p->dst, p->port, &ss);
	char a[IPADDR_STRLEN];

	p->fd = socket(p->dst.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		finish(r, p, -2, xasprintf("socket: %s", strerror(errno)));
		return;
	}
	if (connect(p->fd, (struct sockaddr *)&ss, len) == 0) {
		finish(r, p, 0, NULL);
		return;
	}
	if (errno != EINPROGRESS) {
		finish(r, p, 1,
		       xasprintf("connect to %s port %u: %s", ipaddr_str(&p->dst, a), p->port,
				 strerror(errno)));
		return;
	}
	struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)i << 1 | TAG_TCP};
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, p->fd, &ev) < 0)
		finish(r, p, -2, xasprintf("epoll: %s", strerror(errno)));
}

/* Enter each namespace of probes [from, to) of order once: open its raw
 * sockets, start its TCP handshakes. */
static void open_wave(struct run *r, size_t from, size_t to)
{
	for (size_t g = from; g < to;) {
		const char *ns = r->v[r->order[g]].netns;
		size_t end = g;
		while (end < to && streq(r->v[r->order[end]].netns, ns))
			end++;
		int nsfd = netns_open(ns);
		int e = nsfd < 0 ? nsfd : netns_enter(nsfd);
		for (size_t k = g; k < end; k++) {
			size_t i = r->order[k];
			struct sockprobe *p = &r->v[i];
			if (e < 0) {
				finish(
				    r, p, -2,
				    xasprintf("cannot enter namespace %s: %s", ns, strerror(-e)));
				continue;
			}
			if (p->kind == SOCKPROBE_TCP) {
				start_tcp(r, i);
				continue;
			}
			struct nsock *s = r->nsocks ? &r->socks[r->nsocks - 1] : NULL;
			/* a new socket for a new namespace or family, and
			 * after 65535 identifiers */
			if (!s || k == g || s->family != p->dst.family || s->count == UINT16_MAX) {
				s = &r->socks[r->nsocks++];
				uint16_t id0;
				if (getrandom(&id0, sizeof(id0), 0) != sizeof(id0))
					id0 = (uint16_t)getpid();
				*s =
				    (struct nsock){.family = p->dst.family, .id0 = id0, .first = k};
				s->fd = open_icmp(p->dst.family);
				struct epoll_event ev = {
				    .events = EPOLLIN, .data.u64 = (uint64_t)(r->nsocks - 1) << 1};
				if (s->fd >= 0 && epoll_ctl(r->ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
					close(s->fd);
					s->fd = -errno;
				}
			}
			p->sock = (unsigned)(s - r->socks);
			p->id = (uint16_t)(s->id0 + s->count++);
			if (s->fd < 0)
				finish(r, p, -2, xasprintf("socket: %s", strerror(-s->fd)));
		}
		if (nsfd >= 0)
			close(nsfd);
		if (e == 0 && netns_enter(r->orig) < 0)
			abort(); /* in a lab's namespace for good: nothing after is safe */
		g = end;
	}
}

static void send_echo(struct run *r, size_t i, double now)
{
	struct sockprobe *p = &r->v[i];
	const struct nsock *s = &r->socks[p->sock];
	struct {
		struct icmphdr h;
		uint64_t cookie;
		uint8_t fill[PAYLOAD - sizeof(uint64_t)];
	} pkt = {0};
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(&p->dst, 0, &ss);

	pkt.h.type = s->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt.h.un.echo.id = htons(p->id);
	pkt.h.un.echo.sequence = htons(++p->seq);
	pkt.cookie = r->cookie ^ i;
	if (s->family == AF_INET) /* ICMPv6's is the kernel's to make */
		pkt.h.checksum = csum(&pkt, sizeof(pkt));
	if (sendto(s->fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) == sizeof(pkt)) {
		p->sent++;
		p->next_send = now + INTERVAL;
		return;
	}
	int e = errno;
	switch (e) {
	case EAGAIN: /* its socket's buffer is full: in a moment */
	case EINTR:
		p->next_send = now + TICK_MS / 1000.0;
		return;
	case ENOBUFS: /* a full neighbour table; ping tries again too */
	case ENOMEM:
	case EPERM: /* a firewall's drop in the node's output */
		p->send_errno = e;
		p->next_send = now + INTERVAL;
		return;
	default: /* ping's connect(2) fails the same way before it sends */
		finish(r, p, 2, xasprintf("connect: %s", strerror(e)));
	}
}

static struct sockprobe *echo_of(struct run *r, const struct nsock *s, uint16_t id,
				 const uint8_t *payload, size_t len)
{
	size_t j = (uint16_t)(id - s->id0);

	if (j >= s->count)
		return NULL;
	size_t i = r->order[s->first + j];
	uint64_t cookie;
	/* an error quotes 8 bytes of the request: its header, no payload */
	if (payload && len >= sizeof(cookie)) {
		memcpy(&cookie, payload, sizeof(cookie));
		if (cookie != (r->cookie ^ i))
			return NULL;
	}
	struct sockprobe *p = &r->v[i];
	return p->status == INT_MIN ? p : NULL;
}

static void read_replies(struct run *r, const struct nsock *s)
{
	uint8_t buf[1500];

	for (;;) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return;
		size_t off = 0;
		if (s->family == AF_INET) { /* a raw IPv4 socket reads the IP header too */
			if (n < 20)
				continue;
			off = (size_t)(buf[0] & 0x0f) * 4;
		}
		if ((size_t)n < off + sizeof(struct icmphdr))
			continue;
		struct icmphdr h;
		memcpy(&h, buf + off, sizeof(h));
		off += sizeof(h);
		struct sockprobe *p =
		    echo_of(r, s, ntohs(h.un.echo.id), buf + off, (size_t)n - off);
		if (p)
			finish(r, p, 0, NULL);
	}
}

static const char *icmp_text(int family, uint8_t type, uint8_t code)
{
	static const char *const unreach4[] = {
	    "Destination Net Unreachable",
	    "Destination Host Unreachable",
	    "Destination Protocol Unreachable",
	    "Destination Port Unreachable",
	    "Frag needed",
	    "Source Route Failed",
	    "Destination Net Unknown",
	    "Destination Host Unknown",
	    "Source Host Isolated",
	    "Destination Net Prohibited",
	    "Destination Host Prohibited",
	    "Destination Net Unreachable for Type of Service",
	    "Destination Host Unreachable for Type of Service",
	    "Packet filtered",
	};
	static const char *const unreach6[] = {
	    "Destination unreachable: No route",
	    "Destination unreachable: Administratively prohibited",
	    "Destination unreachable: Beyond scope of source address",
	    "Destination unreachable: Address unreachable",
	    "Destination unreachable: Port unreachable",
	    "Destination unreachable: Source address failed ingress/egress policy",
	    "Destination unreachable: Reject route to destination",
	};
	if (family == AF_INET && type == ICMP_DEST_UNREACH && code < ARRAY_SIZE(unreach4))
		return unreach4[code];
	if (family == AF_INET6 && type == ICMP6_DST_UNREACH && code < ARRAY_SIZE(unreach6))
		return unreach6[code];
	if ((family == AF_INET && type == ICMP_TIME_EXCEEDED) ||
	    (family == AF_INET6 && type == ICMP6_TIME_EXCEEDED))
		return "Time to live exceeded";
	if (family == AF_INET6 && type == ICMP6_PACKET_TOO_BIG)
		return "Packet too big";
	return "ICMP error";
}

/* An error about one of our requests: ping -w ends at the first one. */
static void read_errors(struct run *r, const struct nsock *s)
{
	for (;;) {
		struct icmphdr h;
		char control[512];
		struct iovec iov = {&h, sizeof(h)};
		struct msghdr m = {.msg_iov = &iov,
				   .msg_iovlen = 1,
				   .msg_control = control,
				   .msg_controllen = sizeof(control)};
		if (recvmsg(s->fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < (ssize_t)sizeof(h))
			return;
		const struct sock_extended_err *ee = NULL;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
				ee = (const struct sock_extended_err *)CMSG_DATA(c);
		struct sockprobe *p = ee ? echo_of(r, s, ntohs(h.un.echo.id), NULL, 0) : NULL;
		if (!p)
			continue;
		char from[IPADDR_STRLEN] = "?";
		const struct sockaddr *off = SO_EE_OFFENDER(ee);
		if (off->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)off)->sin_addr, from,
				  sizeof(from));
		else if (off->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)off)->sin6_addr, from,
				  sizeof(from));
		if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6)
			finish(r, p, 1,
			       xasprintf("From %s icmp_seq=%u %s", from, ntohs(h.un.echo.sequence),
					 icmp_text(s->family, ee->ee_type, ee->ee_code)));
		else
			finish(r, p, 1, xasprintf("local error: %s", strerror((int)ee->ee_errno)));
	}
}

static void tcp_event(struct run *r, size_t i)
{
	struct sockprobe *p = &r->v[i];
	int e = 0;
	socklen_t len = sizeof(e);
	char a[IPADDR_STRLEN];

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e == 0)
		finish(r, p, 0, NULL);
	else
		finish(r, p, 1,
		       xasprintf("connect to %s port %u: %s", ipaddr_str(&p->dst, a), p->port,
				 strerror(e)));
}

/* Send what is due, end what has waited long enough. */
static void tick(struct run *r, size_t from, size_t to, double now)
{
	unsigned burst = 0;
	char a[IPADDR_STRLEN];

	for (size_t k = from; k < to; k++) {
		struct sockprobe *p = &r->v[r->order[k]];
		if (p->status != INT_MIN)
			continue;
		if (p->start && now >= p->start + p->wait_ms / 1000.0) {
			if (p->kind == SOCKPROBE_TCP)
				finish(r, p, 1,
				       xasprintf("connect to %s port %u: no answer within %g s",
						 ipaddr_str(&p->dst, a), p->port,
						 p->wait_ms / 1000.0));
			else if (!p->sent && p->send_errno)
				finish(r, p, 1,
				       xasprintf("sendmsg: %s; 0 packets transmitted",
						 strerror(p->send_errno)));
			else
				finish(r, p, 1,
				       p->send_errno
					   ? xasprintf("sendmsg: %s", strerror(p->send_errno))
					   : NULL);
			continue;
		}
		if (p->kind == SOCKPROBE_ECHO && now >= p->next_send && burst < BURST) {
			if (!p->start) /* its time runs from its first request */
				p->start = now;
			send_echo(r, r->order[k], now);
			burst++;
		}
	}
}

static void run_wave(struct run *r, size_t from, size_t to)
{
	struct epoll_event evs[256];
	size_t socks0 = r->nsocks;
	double now = probe_now();

	for (size_t k = from; k < to; k++) {
		struct sockprobe *p = &r->v[r->order[k]];
		p->start = p->kind == SOCKPROBE_TCP ? now : 0;
		p->next_send = now;
	}
	open_wave(r, from, to);
	while (r->pending) {
		now = probe_now();
		int sig = interrupt_signal();
		if (sig || now >= r->deadline) {
			for (size_t k = from; k < to; k++)
				finish(r, &r->v[r->order[k]], sig ? -3 : -1, NULL);
			break;
		}
		tick(r, from, to, now);
		int n = epoll_wait(r->ep, evs, ARRAY_SIZE(evs), TICK_MS);
		for (int e = 0; e < n; e++) {
			uint64_t d = evs[e].data.u64;
			if (d & TAG_TCP) {
				tcp_event(r, (size_t)(d >> 1));
				continue;
			}
			const struct nsock *s = &r->socks[d >> 1];
			if (evs[e].events & EPOLLERR)
				read_errors(r, s);
			if (evs[e].events & EPOLLIN)
				read_replies(r, s);
		}
	}
	for (size_t k = socks0; k < r->nsocks; k++)
		if (r->socks[k].fd >= 0)
			close(r->socks[k].fd);
}

/* As many descriptors as the hard limit allows, for the run; the old
 * soft limit is back afterwards (children must not inherit a new one). */
static size_t fd_budget(struct rlimit *old)
{
	struct rlimit more;

	if (getrlimit(RLIMIT_NOFILE, old) < 0)
		return 256;
	more = (struct rlimit){old->rlim_max, old->rlim_max};
	if (more.rlim_cur > (1 << 20))
		more.rlim_cur = 1 << 20;
	if (setrlimit(RLIMIT_NOFILE, &more) < 0)
		more = *old;
	return more.rlim_cur > 512 ? (size_t)more.rlim_cur - 256 : 256;
}

void sockprobe_run_all(struct sockprobe *v, size_t n, double timeout)
{
	struct run r = {.v = v, .deadline = probe_now() + timeout, .pending = 0};
	struct rlimit old;

	for (size_t i = 0; i < n; i++) {
		v[i].status = INT_MIN; /* still running */
		v[i].fd = -1;
		v[i].output = NULL;
	}
	if (!n)
		return;
	r.order = xmalloc(n * sizeof(*r.order));
	r.socks = xcalloc(n, sizeof(*r.socks));
	for (size_t i = 0; i < n; i++)
		r.order[i] = i;
	qsort_r(r.order, n, sizeof(*r.order), cmp_netns, v);
	if (getrandom(&r.cookie, sizeof(r.cookie), 0) != sizeof(r.cookie))
		r.cookie = (uint64_t)getpid() << 32 ^ (uint64_t)probe_now();
	r.ep = epoll_create1(EPOLL_CLOEXEC);
	r.orig = netns_open_current();
	size_t budget = fd_budget(&old);
	for (size_t from = 0; from < n;) {
		/* a wave: whole namespaces, as many descriptors as allowed */
		size_t to = from, fds = 0;
		while (to < n) {
			size_t end = to;
			const char *ns = v[r.order[to]].netns;
			size_t need = 0;
			int family = 0;
			while (end < n && streq(v[r.order[end]].netns, ns)) {
				const struct sockprobe *p = &v[r.order[end]];
				need += p->kind == SOCKPROBE_TCP || p->dst.family != family;
				family = p->kind == SOCKPROBE_TCP ? 0 : p->dst.family;
				end++;
			}
			if (to > from && fds + need > budget)
				break;
			fds += need;
			to = end;
		}
		r.pending = to - from;
		if (r.ep < 0 || r.orig < 0) {
			for (size_t k = from; k < to; k++)
				finish(&r, &v[r.order[k]], -2,
				       xasprintf("epoll: %s", strerror(errno)));
		} else {
			run_wave(&r, from, to);
		}
		from = to;
	}
	(void)setrlimit(RLIMIT_NOFILE, &old);
	if (r.ep >= 0)
		close(r.ep);
	if (r.orig >= 0)
		close(r.orig);
	free(r.order);
	free(r.socks);
}

void sockprobe_free(struct sockprobe *p)
{
	free(p->output);
	p->output = NULL;
}
