// SPDX-License-Identifier: MIT
/* Every shipped topology validates, and its plan matches its golden file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>

#include "parse.h"
#include "plan.h"

static const char *srcdir(void)
{
	const char *s = getenv("NSLAB_SRCDIR");
	return s ? s : ".";
}

static const char *const scenarios[] = {"two-nodes", "lan",   "router",
					"onlink",    "gre",   "vxlan",
					"k8s-flannel-vxlan", "k8s-host-gw", "dns",
					"vlan", "vrf", "evpn-static", "ipip"};

static void test_scenarios_present(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		_cleanup_free_ char *path = xasprintf("%s/topologies/%s.ini", srcdir(), scenarios[i]);
		assert_int_equal(access(path, R_OK), 0);
	}
}

static void test_all_validate(void **state)
{
	_cleanup_free_ char *dir = xasprintf("%s/topologies", srcdir());
	DIR *dp = opendir(dir);
	struct dirent *e;
	int files = 0, bad = 0;

	assert_non_null(dp);
	while ((e = readdir(dp))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || !streq(e->d_name + n - 4, ".ini"))
			continue;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, e->d_name);
		struct diag d = {0};
		int err = 0;
		struct topo_lab *lab = topo_load(path, &d, &err);
		if (!lab) {
			fprintf(stderr, "# %s does not validate:\n", path);
			diag_print(&d, stderr);
			bad++;
		} else {
			/* the plan makes what the file says: a namespace per node
			 * (the switch's included), every address and route, every
			 * device; and each scenario declares what must hold */
			struct plan p;
			static const char *const names[] = {"netns", "addr", "route", "neigh", "fdb"};
			size_t want[ARRAY_SIZE(names)] = {0}, got[ARRAY_SIZE(names)] = {0}, links = 0;
			plan_build(lab, &p);
			vec_foreach(s, &p.steps) {
				for (size_t t = 0; t < ARRAY_SIZE(names); t++)
					got[t] += streq(s->type->name, names[t]);
				links += s->type->group == STEP_GROUP_LINKS && s->type != &step_set;
			}
			vec_foreach(node, &lab->nodes) {
				want[0]++;
				want[1] += (*node)->addrs.n;
				want[2] += (*node)->routes.n;
				want[3] += (*node)->neighs.n;
				want[4] += (*node)->fdbs.n;
			}
			for (size_t t = 0; t < ARRAY_SIZE(names); t++) {
				if (got[t] != want[t])
					fprintf(stderr, "# %s: %zu %s steps, want %zu\n", e->d_name, got[t],
						names[t], want[t]);
				assert_int_equal(got[t], want[t]);
			}
			assert_true(links >= lab->devs.n);
			if (!lab->expects.n)
				fprintf(stderr, "# %s declares no [expect]\n", e->d_name);
			assert_true(lab->expects.n > 0);
			plan_free(&p);
		}
		topo_lab_free(lab);
		diag_free(&d);
		files++;
	}
	closedir(dp);
	assert_true(files >= 9);
	assert_int_equal(bad, 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	char *s = read_stream(f);
	fclose(f);
	return s;
}

/* Every shipped topology's plan, byte for byte: tests/lib/golden/NAME.sh
 * (regenerate with: nslab plan topologies/NAME.ini > tests/lib/golden/NAME.sh). */
static void test_golden_plans(void **state)
{
	_cleanup_free_ char *dir = xasprintf("%s/topologies", srcdir());
	DIR *dp = opendir(dir);
	struct dirent *e;
	size_t n = 0, bad = 0;

	assert_non_null(dp);
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || !streq(e->d_name + len - 4, ".ini"))
			continue;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, e->d_name);
		_cleanup_free_ char *golden_path =
			xasprintf("%s/tests/lib/golden/%.*s.sh", srcdir(), (int)(len - 4), e->d_name);
		_cleanup_free_ char *golden = slurp(golden_path);
		struct diag d = {0};
		int err = 0;
		struct topo_lab *lab = topo_load(path, &d, &err);
		char *out = NULL;
		size_t olen = 0;
		FILE *f = open_memstream(&out, &olen);
		struct plan p;

		assert_non_null(lab);
		if (!golden)
			fprintf(stderr, "# %s has no golden file %s\n", e->d_name, golden_path);
		assert_non_null(golden);
		/* The golden file names the topology as the CLI would. */
		free(lab->file);
		lab->file = xasprintf("topologies/%s", e->d_name);
		plan_build(lab, &p);
		plan_print(&p, f);
		fclose(f);
		if (!streq(out, golden)) {
			fprintf(stderr, "# plan of %s differs from %s:\n%s", e->d_name, golden_path, out);
			bad++;
		}
		n++;
		free(out);
		plan_free(&p);
		topo_lab_free(lab);
	}
	closedir(dp);
	assert_true(n >= 10);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios_present),
		cmocka_unit_test(test_all_validate),
		cmocka_unit_test(test_golden_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
