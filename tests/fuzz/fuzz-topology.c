// SPDX-License-Identifier: MIT
/* Fuzz target: any bytes as a topology file, through everything `nslab
 * plan` does (parse, validate, plan, print). Built with libFuzzer when
 * meson is set up with -Dfuzz=true and clang; otherwise fuzz-main.c runs
 * it over the corpus as an ordinary unit test. */
#include "parse.h"
#include "plan.h"
#include "validate.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct diag d = {0};
	struct topo_lab *lab;
	FILE *f;

	if (!sink)
		sink = fopen("/dev/null", "we");
	/* fmemopen(3) refuses a zero-sized buffer */
	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "re");
	if (!f || !sink)
		abort();
	lab = topo_parse_file(f, "fuzz.ini", &d);
	fclose(f);
	topo_validate(lab, &d);
	diag_sort(&d);
	diag_print(&d, sink);
	if (!diag_count(&d)) {
		struct plan p;
		plan_build(lab, &p);
		plan_print(&p, sink);
		plan_free(&p);
	}
	diag_free(&d);
	topo_lab_free(lab);
	return 0;
}
