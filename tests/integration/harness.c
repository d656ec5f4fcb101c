// SPDX-License-Identifier: MIT
#include "harness.h"

#include <sys/wait.h>

static char *vfmt(const char *fmt, va_list ap)
{
	struct sbuf b = {0};
	sbuf_vaddf(&b, fmt, ap);
	return sbuf_steal(&b);
}

int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *cmd = vfmt(fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int sh_want(int want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *cmd = vfmt(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *group = xasprintf("{ %s\n} 2>&1", cmd);
	FILE *p = popen(group, "r");

	if (!p)
		return -1;
	_cleanup_free_ char *out = read_stream(p);
	int st = pclose(p);
	int r = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (r != want)
		diag("exit status %d, not %d: %s\n%s", r, want, cmd, *out ? out : "(it printed nothing)");
	return r;
}

char *capture(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *cmd = vfmt(fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");

	if (!p)
		return NULL;
	char *out = read_stream(p);
	pclose(p);
	size_t len = strlen(out);
	while (len && out[len - 1] == '\n')
		out[--len] = '\0';
	return out;
}

void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *text = vfmt(fmt, ap);
	va_end(ap);
	for (char *line = text, *end; line && *line; line = end) {
		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		printf("# %s\n", line);
	}
	fflush(stdout);
}

int exit_status(const char *out)
{
	const char *last = NULL;

	for (const char *p = out; (p = strstr(p, "rc=")); p++)
		if (p == out || p[-1] == '\n')
			last = p;
	return last ? atoi(last + 3) : -1;
}

const char *nslab(void)
{
	const char *s = getenv("NSLAB_BIN");
	return s ? s : "nslab";
}

const char *srcdir(void)
{
	const char *s = getenv("NSLAB_SRCDIR");
	return s ? s : ".";
}

int require_root(void **state)
{
	if (geteuid() != 0) {
		printf("# skipped: integration tests need root (real namespaces)\n");
		return -1;
	}
	return 0;
}

char *root_snapshot(void)
{
	return capture("{ ip -j link | jq -c '[.[] | {ifname, flags, mtu}] | sort_by(.ifname)';"
		       "  ip -j addr | jq -c '[.[] | {ifname, a: [.addr_info[] | .local]}]';"
		       "  ip -j route show table all | jq -c 'sort_by(.dst)';"
		       "  cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding;"
		       "  ip netns list | sort; } 2>&1");
}

char *netns_snapshot(const char *ns)
{
	return capture(
		"{ ip -j -n %1$s -d link | jq -c '[.[] | {ifname, mtu, flags, master, ifalias,"
		"    kind: .linkinfo.info_kind, vni: .linkinfo.info_data.id,"
		"    port: .linkinfo.info_data.port, local: .linkinfo.info_data.local,"
		"    remote: .linkinfo.info_data.remote, learning: .linkinfo.info_data.learning}]"
		"    | sort_by(.ifname)';"
		"  ip -j -n %1$s addr | jq -c '[.[] | {ifname, a: [.addr_info[] | select(.scope != \"link\")"
		"    | {local, prefixlen, address, flags: (.flags // [])}] | sort_by(.local)}] | sort_by(.ifname)';"
		"  ip -j -n %1$s route show table main | jq -c 'sort_by(.dst, .dev)';"
		"  ip -j -n %1$s -6 route show table main | jq -c 'sort_by(.dst, .dev)';"
		"  ip -j -n %1$s neigh show nud permanent | jq -c 'sort_by(.dst)';"
		"  bridge -j -n %1$s fdb show | jq -c '[.[] | select(.state == \"permanent\" and .dst != null)]"
		"    | sort_by(.mac, .dst)';"
		"  ip netns exec %1$s cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding; } 2>&1",
		ns);
}

void assert_lab_gone(const char *name)
{
	_cleanup_free_ char *nss = capture("ip netns list | awk '{print $1}' | grep -- '^%s-' || true", name);
	_cleanup_free_ char *mnts =
		capture("findmnt -rn -o TARGET | grep -F -- '/run/netns/%s-' || true", name);
	_cleanup_free_ char *etc = capture("ls -d /etc/netns/%s-* 2>/dev/null || true", name);
	_cleanup_free_ char *run = capture("ls -A /run/nslab/%s 2>/dev/null || true", name);

	if (*nss || *mnts || *etc || *run)
		diag("left: netns [%s] mounts [%s] etc [%s] run [%s]", nss, mnts, etc, run);
	assert_string_equal(nss, "");
	assert_string_equal(mnts, "");
	assert_string_equal(etc, "");
	assert_string_equal(run, "");
	assert_int_not_equal(sh("test -d /run/nslab/%s", name), 0);
}
