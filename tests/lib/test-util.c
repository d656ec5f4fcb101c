// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "inet.h"
#include "plan.h"
#include "topology.h"
#include "util.h"

static void test_ipaddr(void **state)
{
	struct ipaddr a, b;
	char buf[IPADDR_STRLEN];

	assert_int_equal(ipaddr_parse("10.1.2.3/24", false, &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.len, 24);
	assert_string_equal(ipaddr_cidr(&a, buf), "10.1.2.3/24");
	assert_false(ipaddr_is_network(&a));
	b = ipaddr_network(&a);
	assert_string_equal(ipaddr_cidr(&b, buf), "10.1.2.0/24");
	assert_int_equal(ipaddr_parse_host("10.1.2.200", &b), 0);
	assert_true(ipaddr_contains(&a, &b));
	assert_int_equal(ipaddr_parse_host("10.1.3.1", &b), 0);
	assert_false(ipaddr_contains(&a, &b));
	assert_int_equal(ipaddr_parse("fd00::1/64", false, &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(ipaddr_parse("10.0.0.1/33", false, &a), -ERANGE);
	assert_int_equal(ipaddr_parse("10.0.0.1", false, &a), -EINVAL);
	assert_int_equal(ipaddr_parse("10.0.0.1", true, &a), 0);
	assert_int_equal(a.len, 32);
	assert_int_equal(ipaddr_parse("10.0.0", true, &a), -EINVAL);
	assert_int_equal(ipaddr_parse("10.0.0.1/", true, &a), -ERANGE);
	assert_int_equal(ipaddr_parse("10.0.0.1/-1", true, &a), -ERANGE);
}

static void test_mac(void **state)
{
	uint8_t m[6];
	char buf[18];

	assert_int_equal(mac_parse("02:F1:00:0a:00:01", m), 0);
	assert_string_equal(mac_str(m, buf), "02:f1:00:0a:00:01");
	assert_int_equal(mac_parse("02:f1:00:0a:00", m), -EINVAL);
	assert_int_equal(mac_parse("02:f1:00:0a:00:01:", m), -EINVAL);
	assert_int_equal(mac_parse("0g:f1:00:0a:00:01", m), -EINVAL);
}

static void test_names(void **state)
{
	assert_null(topo_name_error("h1", 63));
	assert_null(topo_name_error("k8s-node_1.a", 63));
	assert_non_null(topo_name_error("", 63));
	assert_non_null(topo_name_error("a/b", 63));
	assert_non_null(topo_name_error("..", 63));
	assert_non_null(topo_name_error("a..b", 63));
	assert_non_null(topo_name_error(".a", 63));
	assert_non_null(topo_name_error("a-", 63));
	assert_non_null(topo_name_error("a b", 63));
	assert_non_null(topo_name_error("abcd", 3));
	assert_null(topo_ifname_error("flannel.1"));
	assert_null(topo_ifname_error("abcdefghijklmno"));
	assert_non_null(topo_ifname_error("abcdefghijklmnop"));
	assert_non_null(topo_ifname_error("eth:0"));
	assert_non_null(topo_ifname_error("."));
}

static void test_sysctl_path(void **state)
{
	char *p = plan_sysctl_path("net.ipv4.conf.flannel/1.rp_filter");
	assert_string_equal(p, "/proc/sys/net/ipv4/conf/flannel.1/rp_filter");
	free(p);
	assert_null(plan_sysctl_path("kernel.panic"));
	assert_null(plan_sysctl_path("net.ipv4..x"));
	assert_null(plan_sysctl_path("net.ipv4.//.x"));
	assert_null(plan_sysctl_path("net.ipv4./.x"));
}

static void test_closest(void **state)
{
	static const char *const words[] = {"validate", "plan", "up", "down"};
	assert_string_equal(closest_word("pln", words, 4), "plan");
	assert_string_equal(closest_word("validte", words, 4), "validate");
	assert_null(closest_word("xyzzy", words, 4));
}

static void test_strmap(void **state)
{
	struct strmap m = {0};
	char keys[1000][8];

	for (int i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_null(strmap_put(&m, keys[i], &keys[i]));
	}
	for (int i = 0; i < 1000; i++)
		assert_ptr_equal(strmap_get(&m, keys[i]), &keys[i]);
	assert_ptr_equal(strmap_put(&m, "k5", NULL), &keys[5]);
	assert_null(strmap_get(&m, "k1000"));
	strmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipaddr),  cmocka_unit_test(test_mac),
		cmocka_unit_test(test_names),   cmocka_unit_test(test_sysctl_path),
		cmocka_unit_test(test_closest), cmocka_unit_test(test_strmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
