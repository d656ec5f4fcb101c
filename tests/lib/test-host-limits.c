// SPDX-License-Identifier: MIT
/* Host limits without a host: what a lab needs, the record's text, and
 * the raise and release as decisions (values given, nothing written). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gen.h"
#include "host-limits.h"
#include "parse.h"
#include "validate.h"

#define T3 "net.ipv4.neigh.default.gc_thresh3"
#define T2 "net.ipv4.neigh.default.gc_thresh2"
#define T1 "net.ipv4.neigh.default.gc_thresh1"
#define BL "net.core.netdev_max_backlog"

static struct topo_lab *load(char *text)
{
	struct diag d = {0};
	struct topo_lab *lab = topo_parse_string(text, "gen", &d);
	topo_validate(lab, &d);
	assert_int_equal(diag_count(&d), 0);
	free(text);
	return lab;
}

static struct limit_row *row(struct limit_rows *rows, const char *key)
{
	vec_foreach (r, rows)
		if (streq(r->key, key))
			return r;
	return NULL;
}

/* A stock host's values. */
static void stock(struct limit_rows *rows)
{
	vec_foreach (r, rows) {
		r->known = true;
		r->cur = strstr(r->key, "thresh3")   ? 1024
			 : strstr(r->key, "thresh2") ? 512
			 : strstr(r->key, "thresh1") ? 128
						     : 1000;
	}
}

static void need_flannel_10x10(void **state)
{
	struct topo_lab *lab = load(gen_k8s(GEN_FLANNEL_VXLAN, 10, 10, NULL, 0));
	struct limit_rows rows = {0};

	limits_need(lab, &rows);
	assert_int_equal(row(&rows, T3)->need, 1190);
	assert_int_equal(row(&rows, T3)->want, 4096);
	assert_int_equal(row(&rows, T2)->want, 2048);
	assert_int_equal(row(&rows, T1)->want, 512);
	assert_null(row(&rows, "net.ipv6.neigh.default.gc_thresh3")); /* no IPv6 */
	assert_int_equal(rows.n, 4);				      /* and the backlog */
	assert_int_equal(row(&rows, BL)->need, 10);		      /* a node's cni0: 10 pods */
	stock(&rows);
	assert_true(limits_short(&rows, row(&rows, T1) - rows.v)); /* with its group */
	assert_false(limits_short(&rows, row(&rows, BL) - rows.v));
	vec_free(&rows);
	topo_lab_free(lab);
}

static void need_star_2000(void **state)
{
	struct topo_lab *lab = load(gen_star(2000, NULL));
	struct limit_rows rows = {0};

	limits_need(lab, &rows);
	assert_int_equal(row(&rows, BL)->need, 2016); /* 2000 hosts, 8 leaf uplinks, 8 core ports */
	assert_int_equal(row(&rows, BL)->want, 16384);
	stock(&rows);
	assert_true(limits_short(&rows, row(&rows, BL) - rows.v));
	vec_free(&rows);
	topo_lab_free(lab);
}

static void record_text(void **state)
{
	struct limit_record r = {0}, again = {0};
	struct sbuf a = {0}, b = {0};

	limits_record_parse("# comment\n"
			    "raised " T3 " 1024 4096\n"
			    "raised kernel.core_pattern 1 2\n" /* never ours: left out */
			    "raised " BL " x 5\n"	       /* bad number */
			    "raised " T3 " 1 2\n"	       /* the first one counts */
			    "lab a\nlab ../etc\nlab b extra\nlab b\n",
			    &r);
	assert_int_equal(r.raised.n, 1);
	assert_int_equal(r.raised.v[0].old, 1024);
	assert_int_equal(r.raised.v[0].set, 4096);
	assert_int_equal(r.labs.n, 2);
	assert_string_equal(r.labs.v[0], "a");
	assert_string_equal(r.labs.v[1], "b");
	limits_record_format(&r, &a);
	limits_record_parse(a.s, &again);
	limits_record_format(&again, &b);
	assert_string_equal(a.s, b.s);
	assert_non_null(strstr(a.s, "\nraised " T3 " 1024 4096\nlab a\nlab b\n"));
	sbuf_free(&a);
	sbuf_free(&b);
	limits_record_free(&r);
	limits_record_free(&again);
}

static void raise_rows(struct limit_rows *rows, unsigned long t3, unsigned long t2,
		       unsigned long t1)
{
	*rows = (struct limit_rows){0};
	struct limit_row v[] = {
	    {.key = T3, .need = 1190, .want = 4096, .cur = t3, .known = true},
	    {.key = T2, .want = 2048, .cur = t2, .known = true},
	    {.key = T1, .want = 512, .cur = t1, .known = true},
	    {.key = BL, .need = 10, .want = 128, .group = 1, .cur = 1000, .known = true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		vec_push(rows, v[i]);
}

static void decide_raise(void **state)
{
	struct limit_record rec = {0};
	struct limit_writes w = {0};
	struct limit_rows rows;

	/* stock: all three raised, the backlog (not short) left */
	raise_rows(&rows, 1024, 512, 128);
	limits_decide_raise(&rec, "a", &rows, &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.v[0].from, 1024);
	assert_int_equal(w.v[0].to, 4096);
	assert_int_equal(rec.raised.n, 3);
	assert_int_equal(rec.labs.n, 1);
	vec_free(&rows);
	vec_free(&w);
	/* a second lab finds them raised: writes nothing, holds the raise
	 * (it needs 1190 and the value before was 1024) */
	raise_rows(&rows, 4096, 2048, 512);
	limits_decide_raise(&rec, "b", &rows, &w);
	assert_int_equal(w.n, 0);
	assert_int_equal(rec.labs.n, 2);
	assert_int_equal(rec.raised.v[0].old, 1024); /* the first old value stays */
	vec_free(&rows);
	limits_record_free(&rec);
	/* a host with more than enough: nothing written, nothing held */
	rec = (struct limit_record){0};
	raise_rows(&rows, 8192, 4096, 1024);
	limits_decide_raise(&rec, "c", &rows, &w);
	assert_int_equal(w.n, 0);
	assert_int_equal(rec.labs.n, 0);
	vec_free(&rows);
	/* short, but gc_thresh2 higher than the raise would set: never lowered */
	raise_rows(&rows, 1024, 3000, 128);
	limits_decide_raise(&rec, "d", &rows, &w);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[0].key, T3);
	assert_string_equal(w.v[1].key, T1);
	vec_free(&rows);
	vec_free(&w);
	limits_record_free(&rec);
}

static unsigned long host_t3, host_t1;
static int fake_read(const char *key, unsigned long *ret)
{
	*ret = streq(key, T3) ? host_t3 : streq(key, T1) ? host_t1 : 0;
	return 0;
}
static bool none_alive(const char *lab)
{
	(void)lab;
	return false;
}
static bool b_alive(const char *lab)
{
	return streq(lab, "b");
}

static void decide_release(void **state)
{
	struct limit_record rec = {0};
	struct limit_writes w = {0};
	struct sbuf notes = {0};
	bool empty;

	limits_record_parse("raised " T3 " 1024 4096\nraised " T1 " 128 512\nlab a\nlab b\n", &rec);
	host_t3 = 4096;
	host_t1 = 512;
	/* b is still up: nothing restored */
	limits_decide_release(&rec, "a", b_alive, fake_read, &w, &empty, &notes);
	assert_false(empty);
	assert_int_equal(w.n, 0);
	assert_int_equal(rec.labs.n, 1);
	/* b goes, and gc_thresh3 was changed by hand meanwhile: left, noted;
	 * gc_thresh1 restored (the last raised first) */
	host_t3 = 8192;
	limits_decide_release(&rec, "b", none_alive, fake_read, &w, &empty, &notes);
	assert_true(empty);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.v[0].key, T1);
	assert_int_equal(w.v[0].to, 128);
	assert_non_null(strstr(notes.s,
			       "host limit " T3 " left at 8192: it was changed since nslab set "
			       "it to 4096 (it was 1024 before)"));
	limits_record_free(&rec);
	vec_free(&w);
	sbuf_free(&notes);
	/* an up killed between the record and its writes: nothing to undo */
	limits_record_parse("raised " T3 " 1024 4096\nlab a\n", &rec);
	host_t3 = 1024;
	limits_decide_release(&rec, "a", none_alive, fake_read, &w, &empty, &notes);
	assert_true(empty);
	assert_int_equal(w.n, 0);
	assert_null(notes.s);
	limits_record_free(&rec);
	/* holders that are gone (no run directory, no namespaces) hold nothing */
	limits_record_parse("raised " T3 " 1024 4096\nlab a\nlab gone\n", &rec);
	host_t3 = 4096;
	limits_decide_release(&rec, "a", none_alive, fake_read, &w, &empty, &notes);
	assert_true(empty);
	assert_int_equal(w.n, 1);
	limits_record_free(&rec);
	vec_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(need_flannel_10x10), cmocka_unit_test(need_star_2000),
	    cmocka_unit_test(record_text),	  cmocka_unit_test(decide_raise),
	    cmocka_unit_test(decide_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
