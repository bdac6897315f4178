// alloc_test.c - the decision path allocates nothing (design.md,
// "Memory"): a counting allocator watches thousands of decisions through
// pdp_bundle_authorize and the engine's pdp_authorize, with and without
// explanations, and through their batch forms (pdp_bundle_authorize_many,
// reading ahead and not, and pdp_authorize_many), for allowed, denied and
// refused requests.
// The counting allocator is tests/alloc_count.h.

#define _GNU_SOURCE

#include <check.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "bundle.h"
#include "check_main.h"
#include "fixture.h"

// Keeps the compiler from eliding the probe allocation.
static void *volatile sink;

START_TEST(test_alloc_counter_sees_allocations)
{
	void *(*volatile m)(size_t) = malloc;
	void *(*volatile c)(size_t, size_t) = calloc;

	counter_install();
	count_begin();
	sink = m(32);
	free(sink);
	sink = c(4, 8);
	sink = realloc(sink, 4096);
	free(sink);
	long n = count_end();
	// malloc, calloc and realloc: three, unless realloc was counted
	// as an allocation and a free by the hooks (ASan).
	ck_assert_msg(n >= 3, "the counter saw %ld of 3 allocations: the "
	    "zero-allocation tests below would prove nothing", n);
	// Outside the window nothing is counted.
	sink = m(16);
	free(sink);
	ck_assert_int_eq(atomic_load(&nallocs), n);
}
END_TEST

static pdp_bundle *
open_fixture(int variant, uint64_t rev)
{
	void *data;
	size_t len;
	char err[256] = "";
	pdp_bundle *b = NULL;

	ck_assert_msg(fx_bundle(variant, rev, &data, &len, err, sizeof(err))
	    == PDP_OK, "%s", err);
	ck_assert_int_eq(pdp_bundle_open_mem(data, len, &b, err, sizeof(err)),
	    PDP_OK);
	free(data);
	return b;
}

#define ROUNDS 200

START_TEST(test_alloc_bundle_authorize_allocates_nothing)
{
	pdp_bundle *b = open_fixture(0, 1);
	pdp_explanation ex;
	pdp_decision d;
	size_t allow = 0, xdeny = 0, ideny = 0, refused = 0;

	counter_install();
	// Warm up outside the window: the first call of anything may
	// resolve symbols or set up thread-local state.
	for (size_t i = 0; i < fx_ncases; i++)
		pdp_bundle_authorize(b, &fx_cases[i].req, &d, &ex);
	count_begin();
	for (int r = 0; r < ROUNDS; r++) {
		for (size_t i = 0; i < fx_ncases; i++) {
			pdp_bundle_authorize(b, &fx_cases[i].req, &d,
			    (r & 1) ? &ex : NULL);
			if (d.err != PDP_OK)
				refused++;
			else if (d.effect == PDP_ALLOW)
				allow++;
			else if (d.effect == PDP_EXPLICIT_DENY)
				xdeny++;
			else
				ideny++;
		}
	}
	long n = count_end();
	printf("bundle_authorize: %zu decisions (%zu allow, %zu explicit, "
	    "%zu implicit deny, %zu refused), %ld allocations\n",
	    (size_t) ROUNDS * fx_ncases, allow, xdeny, ideny, refused, n);
	ck_assert_msg(allow > 0 && xdeny > 0 && ideny > 0 && refused > 0,
	    "the request mix must cover every outcome");
	ck_assert_msg(n == 0, "%ld allocations in %zu decisions", n,
	    (size_t) ROUNDS * fx_ncases);
	ck_assert_uint_eq(fx_check_all(b, 0), 0);
	pdp_bundle_close(b);
}
END_TEST

START_TEST(test_alloc_engine_authorize_allocates_nothing)
{
	pdp_engine *e = NULL;
	pdp_bundle *b = open_fixture(0, 7);
	pdp_explanation ex;
	pdp_decision d;

	counter_install();
	ck_assert_int_eq(pdp_engine_open(&e), PDP_OK);
	// No bundle yet: every request is refused, without allocating.
	count_begin();
	for (int r = 0; r < ROUNDS; r++)
		pdp_authorize(e, &fx_cases[r % fx_ncases].req, &d,
		    (r & 1) ? &ex : NULL);
	long n = count_end();
	ck_assert_int_eq(d.err, PDP_ENOENT);
	ck_assert_msg(n == 0, "%ld allocations without a bundle", n);

	pdp_engine_swap(e, b);
	for (size_t i = 0; i < fx_ncases; i++)
		pdp_authorize(e, &fx_cases[i].req, &d, &ex);
	// No assertion inside the window: Check's bookkeeping allocates.
	size_t wrong = 0;
	count_begin();
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < fx_ncases; i++) {
			pdp_authorize(e, &fx_cases[i].req, &d,
			    (r & 1) ? &ex : NULL);
			wrong += d.revision != 7;
		}
	n = count_end();
	ck_assert_uint_eq(wrong, 0);
	printf("engine authorize: %zu decisions, %ld allocations\n",
	    (size_t) ROUNDS * fx_ncases, n);
	ck_assert_msg(n == 0, "%ld allocations in %zu engine decisions", n,
	    (size_t) ROUNDS * fx_ncases);
	// Acquire and release are part of every engine decision too.
	count_begin();
	for (int r = 0; r < 1000; r++)
		pdp_bundle_close(pdp_engine_acquire(e));
	n = count_end();
	ck_assert_int_eq(n, 0);
	pdp_bundle_close(b);
	pdp_engine_close(e);
}
END_TEST

START_TEST(test_alloc_authorize_many_allocates_nothing)
{
	pdp_bundle *b = open_fixture(0, 3);
	pdp_engine *e = NULL;
	pdp_request q[64];
	pdp_decision d[64];
	size_t n = fx_ncases < 64 ? fx_ncases : 64, outcomes[4] = {0};

	for (size_t i = 0; i < n; i++)
		q[i] = fx_cases[i].req;
	ck_assert_int_eq(pdp_engine_open(&e), PDP_OK);
	pdp_engine_swap(e, b);
	counter_install();
	pdp_bundle_authorize_many(b, q, n, d); // warm-up
	count_begin();
	for (int r = 0; r < ROUNDS; r++) {
		// Reading ahead (as in a large bundle) and one by one, and
		// through the engine, either way.
		b->ahead = r % 3 == 0 || r % 6 == 5;
		if (r % 3 == 2)
			pdp_authorize_many(e, q, n, d);
		else
			pdp_bundle_authorize_many(b, q, n, d);
		for (size_t i = 0; i < n; i++)
			outcomes[d[i].err != PDP_OK ? 3 : d[i].effect]++;
	}
	long na = count_end();
	b->ahead = false;
	printf("authorize_many: %zu decisions (%zu allow, %zu explicit, "
	    "%zu implicit deny, %zu refused), %ld allocations\n",
	    (size_t) ROUNDS * n, outcomes[PDP_ALLOW],
	    outcomes[PDP_EXPLICIT_DENY], outcomes[PDP_IMPLICIT_DENY],
	    outcomes[3], na);
	ck_assert_msg(outcomes[PDP_ALLOW] > 0 &&
	    outcomes[PDP_EXPLICIT_DENY] > 0 &&
	    outcomes[PDP_IMPLICIT_DENY] > 0 && outcomes[3] > 0,
	    "the request mix must cover every outcome");
	ck_assert_msg(na == 0, "%ld allocations in %zu batched decisions", na,
	    (size_t) ROUNDS * n);
	pdp_bundle_close(b);
	pdp_engine_close(e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("decision path");

#ifdef ALLOC_ASAN
	printf("alloc_test: AddressSanitizer build: counting through the "
	    "sanitizer's allocation hooks\n");
#endif
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_alloc_counter_sees_allocations);
	tcase_add_test(tc, test_alloc_bundle_authorize_allocates_nothing);
	tcase_add_test(tc, test_alloc_engine_authorize_allocates_nothing);
	tcase_add_test(tc, test_alloc_authorize_many_allocates_nothing);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
