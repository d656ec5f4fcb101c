// SPDX-License-Identifier: MIT
/* macvlan, ipvlan, dummy and geneve, in labs named nslt-att-*: on a kernel
 * without one of them `up` refuses before it makes anything (no namespace,
 * no run directory); where the kernel has it, a lab carries traffic across
 * it and `nslab diff` finds the kernel as the file says. The host kernel
 * of our machines has none of the four: tests/vm/attach.sh does the rest
 * on Debian's kernel. */
#include "harness.h"

#include <stdlib.h>

struct kind_case {
	const char *kind, *title, *module;
	const char *lab;	/* its name */
	const char *h, *p;	/* lines of [node h] and [node p] */
	const char *section;	/* its device */
	const char *to;		/* p pings this address of h, across the device */
	const char *dev, *seen; /* `ip -d -j` of h's dev: "KIND MODE-OR-VNI" */
	const char *check;	/* a command that holds after the ping, or NULL */
};

/* h and p on one link; each case adds its device and addresses. */
static const char base[] = "[lab]\nname = %s\n"
			   "[node h]\naddr = 10.78.0.1/24 dev eth0\n%s"
			   "[node p]\naddr = 10.78.0.2/24 dev eth0\n%s"
			   "[links]\nlink = h:eth0 p:eth0\n%s";

static const struct kind_case cases[] = {
    /* mv0 has a subnet of its own, so the replies leave by it too; h
     * answers ARP for its address only from it (arp_ignore): p knows it
     * by mv0's MAC */
    {"macvlan", "macvlan", "macvlan", "nslt-att-mv",
     "addr = 10.78.1.11/24 dev mv0\nsysctl = net.ipv4.conf.all.arp_ignore 1\n",
     "addr = 10.78.1.2/24 dev eth0\n", "[macvlan h:mv0]\nlink = eth0\nmac = 02:00:00:00:78:11\n",
     "10.78.1.11", "mv0", "macvlan bridge",
     "ip -j -n nslt-att-mv-p neigh show 10.78.1.11 | jq -e '.[0].lladdr == \"02:00:00:00:78:11\"'"},
    /* l3: the neighbour routes to its address by h's */
    {"ipvlan", "ipvlan", "ipvlan", "nslt-att-ipv", "addr = 10.78.9.1/32 dev ipv0\n",
     "route = 10.78.9.1/32 via 10.78.0.1\n", "[ipvlan h:ipv0]\nlink = eth0\n", "10.78.9.1", "ipv0",
     "ipvlan l3"},
    {"dummy", "dummy", "dummy", "nslt-att-dum", "addr = 10.78.8.1/32 dev dum0\n",
     "route = 10.78.8.1/32 via 10.78.0.1\n", "[dummy h:dum0]\n", "10.78.8.1", "dum0", "dummy null"},
    {"geneve", "Geneve", "geneve", "nslt-att-gn", "addr = 10.78.7.1/24 dev gn0\n",
     "addr = 10.78.7.2/24 dev gn0\n", "[geneve gn0]\nmembers = h p\ndev = eth0\nvni = 78\n",
     "10.78.7.1", "gn0", "geneve 78"},
};

static char *write_lab(const struct kind_case *c)
{
	char *path = xasprintf("/tmp/%s.ini", c->lab);
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fprintf(f, base, c->lab, c->h, c->p, c->section);
	fclose(f);
	return path;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		(void)sh("%s down %s >/dev/null 2>&1; rm -f /tmp/%s.ini", nslab(), cases[i].lab,
			 cases[i].lab);
	return 0;
}

/* On this kernel: the refusal, exactly, with nothing made; or a lab that
 * comes up and matches its file. */
static void test_up_or_refusal(void **state)
{
	const struct kind_case *c = *state;
	_cleanup_free_ char *path = write_lab(c);
	_cleanup_free_ char *before = capture("ip netns list");
	_cleanup_free_ char *out = capture("%s up %s 2>&1; echo rc=$?", nslab(), path);

	if (strstr(out, "kernel lacks")) {
		_cleanup_free_ char *want = xasprintf(
		    "nslab: up '%s' failed: kernel lacks %s support (module %s); nothing was "
		    "created\nrc=1",
		    c->lab, c->title, c->module);
		assert_string_equal(out, want);
		_cleanup_free_ char *after = capture("ip netns list");
		assert_string_equal(before, after);
		assert_lab_gone(c->lab);
		return;
	}
	assert_int_equal(exit_status(out), 0);
	assert_sh(0, "%s diff %s %s >/dev/null", nslab(), c->lab, path);
	assert_sh(0, "%s down %s >/dev/null", nslab(), c->lab);
	assert_lab_gone(c->lab);
}

/* Where the kernel has the kind: traffic across the device and the
 * kernel's own view of it. */
static void test_traffic(void **state)
{
	const struct kind_case *c = *state;
	_cleanup_free_ char *path = write_lab(c);
	_cleanup_free_ char *out = capture("%s up %s 2>&1; echo rc=$?", nslab(), path);

	if (strstr(out, "kernel lacks")) {
		diag("skipped: kernel lacks %s (module %s); tests/vm/attach.sh runs it on Debian's "
		     "kernel",
		     c->title, c->module);
		free(steal_pointer(&out)); /* skip() jumps past the cleanups */
		free(steal_pointer(&path));
		skip();
	}
	assert_int_equal(exit_status(out), 0);
	_cleanup_free_ char *seen =
	    capture("ip -d -j -n %s-h link show %s | jq -r '.[0].linkinfo | \"\\(.info_kind) "
		    "\\(.info_data.mode // .info_data.id)\"'",
		    c->lab, c->dev);
	assert_string_equal(seen, c->seen);
	assert_sh(0, "%s exec %s p ping -c 1 -W 2 -q %s >/dev/null", nslab(), c->lab, c->to);
	/* it came in by the device, not only to the node */
	_cleanup_free_ char *rx =
	    capture("ip -s -j -n %s-h link show %s | jq '.[0].stats64.rx.packets'", c->lab, c->dev);
	if (strcmp(c->kind, "dummy") != 0) /* a dummy receives nothing: the node does */
		assert_true(atoi(rx) > 0);
	if (c->check)
		assert_sh(0, "%s", c->check);
	assert_sh(0, "%s diff %s %s >/dev/null", nslab(), c->lab, path);
	assert_sh(0, "%s down %s >/dev/null", nslab(), c->lab);
	assert_lab_gone(c->lab);
}

int main(void)
{
	struct CMUnitTest tests[2 * ARRAY_SIZE(cases)];
	char names[2 * ARRAY_SIZE(cases)][64];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(names[n], sizeof(names[n]), "%s: up, or its refusal with nothing made",
			 cases[i].kind);
		tests[n] = (struct CMUnitTest){.name = names[n],
					       .test_func = test_up_or_refusal,
					       .teardown_func = teardown,
					       .initial_state = (void *)&cases[i]};
		n++;
		snprintf(names[n], sizeof(names[n]), "%s: traffic and the kernel's view",
			 cases[i].kind);
		tests[n] = (struct CMUnitTest){.name = names[n],
					       .test_func = test_traffic,
					       .teardown_func = teardown,
					       .initial_state = (void *)&cases[i]};
		n++;
	}
	return _cmocka_run_group_tests("attach", tests, n, require_root, NULL);
}
