// engine_test.c - engines (pdp/src/engine.c): atomic bundle swaps while
// other threads decide, references released so old bundles are freed,
// and the fail-closed answer of an engine with no bundle.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "bundle.h"
#include "fixture.h"

// Two bundles that answer fx_cases[0] differently: rev A allows alice's
// read of her home, rev B (variant 1) denies it explicitly. Variant 0
// bundles get even revisions, variant 1 bundles odd ones.
#define REV_A 100
#define REV_B 201

static void *bytes[2];
static size_t nbytes[2];

static void
build_fixtures(void)
{
	char err[256] = "";

	if (fx_bundle(0, REV_A, &bytes[0], &nbytes[0], err, sizeof(err)) ||
	    fx_bundle(1, REV_B, &bytes[1], &nbytes[1], err, sizeof(err))) {
		fprintf(stderr, "fixture: %s\n", err);
		abort();
	}
}

static void
free_fixtures(void)
{
	free(bytes[0]);
	free(bytes[1]);
}

static pdp_bundle *
open_variant(int v, uint64_t rev)
{
	pdp_bundle *b = NULL;
	char err[256];
	void *data;
	size_t len;

	if (rev == (v ? REV_B : REV_A)) {
		ck_assert_int_eq(pdp_bundle_open_mem(bytes[v], nbytes[v], &b,
		    err, sizeof(err)), PDP_OK);
		return b;
	}
	ck_assert_int_eq(fx_bundle(v, rev, &data, &len, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(pdp_bundle_open_mem(data, len, &b, err, sizeof(err)),
	    PDP_OK);
	free(data);
	return b;
}

static unsigned
refs(pdp_bundle *b)
{
	return atomic_load(&b->refs);
}

START_TEST(test_engine_without_bundle_denies_with_enoent)
{
	pdp_engine *e = NULL;
	pdp_decision d;
	pdp_explanation ex;

	ck_assert_int_eq(pdp_engine_open(&e), PDP_OK);
	ck_assert_ptr_null(pdp_engine_acquire(e));
	for (size_t i = 0; i < fx_ncases; i++) {
		memset(&d, 0xa5, sizeof(d));
		ck_assert_int_eq(pdp_authorize(e, &fx_cases[i].req, &d,
		    (i & 1) ? &ex : NULL), PDP_ENOENT);
		ck_assert_int_eq(d.err, PDP_ENOENT);
		ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
		ck_assert_ptr_nonnull(d.reason);
	}
	// Swapping NULL back in returns to the same answer.
	pdp_bundle *b = open_variant(0, REV_A);
	pdp_engine_swap(e, b);
	ck_assert_int_eq(refs(b), 2);
	ck_assert_int_eq(pdp_authorize(e, &fx_cases[0].req, &d, NULL), PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	ck_assert_uint_eq(d.revision, REV_A);
	pdp_engine_swap(e, NULL);
	ck_assert_int_eq(refs(b), 1);
	ck_assert_int_eq(pdp_authorize(e, &fx_cases[0].req, &d, NULL),
	    PDP_ENOENT);
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	pdp_bundle_close(b);
	pdp_engine_close(e);
	pdp_engine_close(NULL);
}
END_TEST

START_TEST(test_engine_acquired_bundle_outlives_a_swap)
{
	pdp_engine *e = NULL;
	pdp_bundle *a = open_variant(0, REV_A), *b = open_variant(1, REV_B);
	pdp_decision d;
	pdp_explanation ex;

	ck_assert_int_eq(pdp_engine_open(&e), PDP_OK);
	pdp_engine_swap(e, a);
	pdp_bundle *held = pdp_engine_acquire(e);
	ck_assert_ptr_eq(held, a);
	ck_assert_int_eq(refs(a), 3);
	pdp_engine_swap(e, b);
	ck_assert_int_eq(refs(a), 2); // the engine let go, we did not
	ck_assert_int_eq(pdp_bundle_authorize(held, &fx_cases[0].req, &d, &ex),
	    PDP_OK);
	ck_assert_uint_eq(d.revision, REV_A);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	ck_assert_uint_gt(ex.nmatched, 0);
	ck_assert_int_eq(pdp_authorize(e, &fx_cases[0].req, &d, NULL), PDP_OK);
	ck_assert_uint_eq(d.revision, REV_B);
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	pdp_bundle_close(held);
	ck_assert_int_eq(refs(a), 1);
	pdp_engine_close(e);
	ck_assert_int_eq(refs(b), 1);
	pdp_bundle_close(a);
	pdp_bundle_close(b);
}
END_TEST

#define READERS 4
#define SWAPS 600

typedef struct shared {
	pdp_engine *e;
	atomic_bool stop;
	atomic_ulong decisions;
	atomic_ulong seen[2];  // decisions by REV_A, REV_B (or fresh ones)
	atomic_ulong wrong;
	char first_wrong[256];
	pthread_mutex_t lock;
} shared;

static bool
valid(const pdp_decision *d)
{
	if (d->err != PDP_OK)
		return false;
	if (d->revision % 2 == 0)
		return d->effect == PDP_ALLOW;
	return d->effect == PDP_EXPLICIT_DENY;
}

static void
note_wrong(shared *s, const pdp_decision *d, const char *how)
{
	if (atomic_fetch_add(&s->wrong, 1) == 0) {
		pthread_mutex_lock(&s->lock);
		snprintf(s->first_wrong, sizeof(s->first_wrong),
		    "%s: err %d effect %s revision %llu", how, d->err,
		    pdp_effect_name(d->effect),
		    (unsigned long long) d->revision);
		pthread_mutex_unlock(&s->lock);
	}
}

static void *
reader(void *arg)
{
	shared *s = arg;
	pdp_decision d;
	pdp_explanation ex;
	size_t touched = 0;

	memset(&d, 0, sizeof(d));
	for (unsigned long i = 0; !atomic_load(&s->stop); i++) {
		if (i % 3 == 2) {
			// Hold the bundle and read the explanation's strings,
			// which live in it: ASan catches a bundle freed early.
			pdp_bundle *b = pdp_engine_acquire(s->e);
			if (b == NULL) {
				note_wrong(s, &d, "acquire gave no bundle");
				continue;
			}
			pdp_bundle_authorize(b, &fx_cases[0].req, &d, &ex);
			for (uint32_t k = 0; k < ex.nmatched; k++)
				for (uint32_t j = 0;
				    j < ex.matched[k].policy_len; j++)
					touched += (unsigned char)
					    ex.matched[k].policy[j];
			pdp_bundle_close(b);
		} else {
			pdp_authorize(s->e, &fx_cases[0].req, &d,
			    (i & 1) ? &ex : NULL);
		}
		if (!valid(&d))
			note_wrong(s, &d, "decision");
		atomic_fetch_add(&s->seen[d.revision % 2], 1);
		atomic_fetch_add(&s->decisions, 1);
	}
	return (void *) touched;
}

START_TEST(test_engine_swaps_under_concurrent_decisions)
{
	shared s;
	pthread_t t[READERS];
	pdp_bundle *held[2];
	size_t fresh = 0;

	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.lock, NULL);
	ck_assert_int_eq(pdp_engine_open(&s.e), PDP_OK);
	held[0] = open_variant(0, REV_A);
	held[1] = open_variant(1, REV_B);
	pdp_engine_swap(s.e, held[0]);
	for (int i = 0; i < READERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &s), 0);
	for (int i = 0; i < SWAPS; i++) {
		int v = (i + 1) & 1;
		if (i % 10 == 9) {
			// A fresh bundle that only the engine will own: it
			// must be freed when swapped out (ASan's leak check
			// fails the test otherwise).
			pdp_bundle *b = open_variant(v, 1000 + 2 *
			    (uint64_t) i + (uint64_t) v);
			pdp_engine_swap(s.e, b);
			pdp_bundle_close(b);
			fresh++;
		} else {
			pdp_engine_swap(s.e, held[v]);
		}
		// Let the readers decide on this bundle before the next.
		unsigned long before = atomic_load(&s.decisions);
		while (atomic_load(&s.decisions) < before + READERS &&
		    atomic_load(&s.wrong) == 0)
			sched_yield();
	}
	atomic_store(&s.stop, true);
	for (int i = 0; i < READERS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	printf("engine: %d swaps (%zu fresh bundles), %lu decisions (%lu "
	    "by variant 0, %lu by variant 1), %lu wrong\n", SWAPS, fresh,
	    atomic_load(&s.decisions), atomic_load(&s.seen[0]),
	    atomic_load(&s.seen[1]), atomic_load(&s.wrong));
	ck_assert_msg(atomic_load(&s.wrong) == 0, "first wrong answer: %s",
	    s.first_wrong);
	ck_assert_uint_gt(atomic_load(&s.seen[0]), 0);
	ck_assert_uint_gt(atomic_load(&s.seen[1]), 0);
	ck_assert_uint_ge(atomic_load(&s.decisions), (unsigned long) SWAPS);

	// Every reference taken by the readers was given back: the two
	// bundles held here have the engine's (one of them) and ours.
	unsigned cur = refs(held[0]) + refs(held[1]);
	ck_assert_msg(cur == 2 || cur == 3, "references: %u + %u",
	    refs(held[0]), refs(held[1]));
	pdp_engine_close(s.e);
	ck_assert_int_eq(refs(held[0]), 1);
	ck_assert_int_eq(refs(held[1]), 1);
	pdp_bundle_close(held[0]);
	pdp_bundle_close(held[1]);
	pthread_mutex_destroy(&s.lock);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("swap");

	tcase_add_unchecked_fixture(tc, build_fixtures, free_fixtures);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_engine_without_bundle_denies_with_enoent);
	tcase_add_test(tc, test_engine_acquired_bundle_outlives_a_swap);
	tcase_add_test(tc, test_engine_swaps_under_concurrent_decisions);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
