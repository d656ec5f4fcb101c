// SPDX-License-Identifier: MIT
/* Every generated topology validates, from the smallest to the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gen.h"
#include "parse.h"
#include "validate.h"

static void assert_valid(char *text, const char *what, size_t nodes)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(text, what, &d);
	size_t n = 0;

	topo_validate(lab, &d);
	if (diag_count(&d))
		diag_print(&d, stderr);
	assert_int_equal(diag_count(&d), 0);
	vec_foreach(np, &lab->nodes) n += !(*np)->is_switch;
	assert_int_equal(n, nodes);
	assert_true(lab->expects.n > 0);
	topo_lab_free(lab);
	free(text);
}

static void test_k8s(void **state)
{
	static const unsigned sizes[][2] = {{1, 1}, {2, 3}, {10, 10}, {GEN_K8S_NODES_MAX, GEN_K8S_PODS_MAX}};
	for (int m = 0; m < _GEN_MODEL_MAX; m++)
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
			unsigned n = sizes[s][0], p = sizes[s][1];
			assert_valid(gen_k8s(m, n, p, NULL, 0), gen_model_to_string(m),
				     n * (p + 1) + (m == GEN_CALICO_ROUTED));
		}
}

static void test_shapes(void **state)
{
	assert_valid(gen_star(1, NULL), "star", 1);
	assert_valid(gen_star(GEN_NODES_MAX, NULL), "star", GEN_NODES_MAX + GEN_NODES_MAX / GEN_STAR_LEAF);
	assert_valid(gen_linear(2, NULL), "linear", 2);
	assert_valid(gen_linear(GEN_NODES_MAX, "chain"), "linear", GEN_NODES_MAX);
}

static void test_model_names(void **state)
{
	assert_int_equal(gen_model_from_string("calico-routed"), GEN_CALICO_ROUTED);
	assert_int_equal(gen_model_from_string("calico"), _GEN_MODEL_INVALID);
	assert_string_equal(gen_model_to_string(GEN_HOST_GW), "host-gw");
}

/* The committed k8s topologies are what gen writes. */
static void test_committed_are_generated(void **state)
{
	for (int m = 0; m < _GEN_MODEL_MAX; m++) {
		_cleanup_free_ char *path =
			xasprintf("%s/topologies/k8s-%s.ini", getenv("NSLAB_SRCDIR"), gen_model_to_string(m));
		FILE *f = fopen(path, "re");
		assert_non_null(f);
		_cleanup_free_ char *have = read_stream(f);
		fclose(f);
		_cleanup_free_ char *want = gen_k8s(m, 3, 2, NULL, 0);
		assert_string_equal(have, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8s),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_model_names),
		cmocka_unit_test(test_committed_are_generated),
	};
	return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
