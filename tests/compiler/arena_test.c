// arena_test.c - the compiler's bump allocator (compiler/src/arena.c) and
// the diagnostics list (compiler/src/diag.c).

#include <stdint.h>

#include "compiler/helpers.h"

#include "../../compiler/src/iamci.h"

START_TEST(test_arena_memory_is_zeroed_and_aligned)
{
	iamc_arena *a = iamc_arena_open();

	ck_assert_ptr_nonnull(a);
	for (size_t n = 1; n < 3000; n += 37) {
		unsigned char *p = iamc_arena_alloc(a, n);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t) p % 16, 0);
		for (size_t i = 0; i < n; i++)
			ck_assert_uint_eq(p[i], 0);
		memset(p, 0xAB, n);
	}
	iamc_arena_close(a);
}
END_TEST

START_TEST(test_arena_big_blocks_do_not_overlap)
{
	iamc_arena *a = iamc_arena_open();
	unsigned char *small = iamc_arena_alloc(a, 100);
	unsigned char *big = iamc_arena_alloc(a, 100000);
	unsigned char *after = iamc_arena_alloc(a, 100);

	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_nonnull(big);
	ck_assert_ptr_nonnull(after);
	memset(big, 0xFF, 100000);
	// The small allocation after the big one still comes from the
	// first chunk and is untouched by the memset.
	for (size_t i = 0; i < 100; i++)
		ck_assert_uint_eq(after[i], 0);
	ck_assert_uint_eq((uintptr_t) big % 16, 0);
	ck_assert(after + 100 <= big || after >= big + 100000);
	ck_assert(small + 100 <= big || small >= big + 100000);
	iamc_arena_close(a);
}
END_TEST

START_TEST(test_arena_strdup_copies_and_terminates)
{
	iamc_arena *a = iamc_arena_open();
	char *s = iamc_arena_strdup(a, "hello world", 5);

	ck_assert_str_eq(s, "hello");
	s = iamc_arena_strdup(a, NULL, 0);
	ck_assert_str_eq(s, "");
	iamc_arena_close(a);
	iamc_arena_close(NULL);
}
END_TEST

START_TEST(test_arena_fault_injection_fails_after_n)
{
	iamc_arena *a = iamc_arena_open();

	iamci_arena_fail_after(a, 2);
	ck_assert_ptr_nonnull(iamc_arena_alloc(a, 8));
	ck_assert_ptr_nonnull(iamc_arena_alloc(a, 8));
	ck_assert_ptr_null(iamc_arena_alloc(a, 8));
	ck_assert_ptr_null(iamc_arena_strdup(a, "x", 1));
	iamci_arena_fail_after(a, SIZE_MAX);
	ck_assert_ptr_nonnull(iamc_arena_alloc(a, 8));
	iamc_arena_close(a);
}
END_TEST

START_TEST(test_diags_collect_errors_and_warnings)
{
	iamc_diags d;

	iamc_diags_init(&d);
	for (int i = 0; i < 20; i++)
		iamc_diags_add(&d, i % 2 ? IAMC_WARNING : IAMC_ERROR,
		    "Statement[1]", "problem %d of %s", i, "many");
	ck_assert_uint_eq(d.n, 20);
	ck_assert_uint_eq(d.nerrors, 10);
	ck_assert_str_eq(d.v[3].path, "Statement[1]");
	ck_assert_str_eq(d.v[3].message, "problem 3 of many");
	ck_assert_int_eq(d.v[3].severity, IAMC_WARNING);
	iamc_diags_fini(&d);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_null(d.v);
	iamc_diags_fini(NULL);
}
END_TEST

static Suite *
arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *t = tcase_create("core");

	tcase_add_test(t, test_arena_memory_is_zeroed_and_aligned);
	tcase_add_test(t, test_arena_big_blocks_do_not_overlap);
	tcase_add_test(t, test_arena_strdup_copies_and_terminates);
	tcase_add_test(t, test_arena_fault_injection_fails_after_n);
	tcase_add_test(t, test_diags_collect_errors_and_warnings);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return run_suite(arena_suite());
}
