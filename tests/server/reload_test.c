// reload_test.c - bundles change under pdpd: reloads under load fail no
// request and every reply names the bundle that decided it; a corrupt
// bundle is refused while the old one keeps serving; SIGTERM answers
// every request the server took, then exits 0.

#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"

static th_server srv;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

typedef struct hammer {
	pthread_t thr;
	atomic_bool *stop;
	bool batch;
	bool until_error; // run until the server goes (drain test)
	uint64_t ok, failed, inconsistent;
	uint64_t revs_seen; // bit i: revision i seen (i < 64)
	char first_error[256];
} hammer;

// Variant 0 (odd revisions) leaves s3:ListBucket implicitly denied;
// variant 1 (even revisions) allows it. So each reply's revision says
// which answer it must carry.
static void *
hammer_main(void *arg)
{
	hammer *h = arg;
	pdpc_client *c = th_client(&srv, 1000);
	pdpw_authz v[50];
	pdpw_reply r;

	for (int i = 0; i < 50; i++)
		v[i] = th_authz(TH_ALICE, i % 2 ? "s3:ListBucket" :
		    "s3:GetObject", "arn:aws:s3:::reports/a");
	while (!atomic_load(h->stop)) {
		int rv = h->batch ? pdpc_batch(c, v, 50, &r) :
		    pdpc_authorize(c, &v[1], &r);
		if (rv != PDPW_OK || r.status != PDPW_OK) {
			if (h->failed++ == 0)
				snprintf(h->first_error,
				    sizeof(h->first_error), "%s: %s",
				    pdpw_status_name(r.status),
				    r.error ? r.error : "");
			if (h->until_error)
				break;
			continue;
		}
		h->ok++;
		if (r.revision < 64)
			h->revs_seen |= 1ull << r.revision;
		int want_list = r.revision % 2 ? PDPW_IMPLICIT_DENY :
		    PDPW_ALLOW;
		if (h->batch) {
			if (r.nresults != 50)
				h->inconsistent++;
			for (uint32_t i = 0; i < r.nresults; i++)
				if (r.results[i].decision !=
				    (i % 2 ? want_list : PDPW_ALLOW))
					h->inconsistent++;
		} else if (r.result.decision != want_list) {
			h->inconsistent++;
		}
	}
	pdpc_close(c);
	return NULL;
}

START_TEST(test_reload_under_load_fails_nothing)
{
	atomic_bool stop = false;
	hammer h[3];
	pdpw_reply r;
	uint64_t rev = 1;

	th_setup(&srv, true);
	ck_assert_int_eq(th_start(&srv, NULL), 0);
	pdpc_client *c = th_client(&srv, 3000);
	memset(h, 0, sizeof(h));
	for (int i = 0; i < 3; i++) {
		h[i].stop = &stop;
		h[i].batch = i == 2;
		pthread_create(&h[i].thr, NULL, hammer_main, &h[i]);
	}
	// Alternate SIGHUP and the reload op, every 40 ms, for 1.5 s.
	double end = now() + 1.5;
	while (now() < end) {
		rev++;
		ck_assert_int_eq(th_bundle_write(srv.bundle, (int) (rev % 2 ==
		    0), rev), 0);
		if (rev % 4 < 2) {
			kill(srv.pid, SIGHUP);
		} else {
			ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
			ck_assert_int_eq(r.status, PDPW_OK);
			ck_assert_uint_eq(r.revision, rev);
		}
		usleep(40000);
	}
	atomic_store(&stop, true);
	uint64_t ok = 0, seen = 0;
	for (int i = 0; i < 3; i++) {
		pthread_join(h[i].thr, NULL);
		ck_assert_msg(h[i].failed == 0, "%llu requests failed: %s",
		    (unsigned long long) h[i].failed, h[i].first_error);
		ck_assert_uint_eq(h[i].inconsistent, 0);
		ok += h[i].ok;
		seen |= h[i].revs_seen;
	}
	ck_assert_uint_gt(ok, 100);
	// Decisions came from more than two bundles.
	ck_assert_int_gt(__builtin_popcountll(seen), 2);
	usleep(100000);
	ck_assert_int_eq(pdpc_stats(c, &r), PDPW_OK);
	ck_assert_uint_eq(r.revision, rev);
	ck_assert_uint_ge(r.stats.reloads + 1, (rev - 1) / 2);
	ck_assert_uint_eq(r.stats.reload_failures, 0);
	pdpc_close(c);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
	th_cleanup(&srv);
}
END_TEST

START_TEST(test_corrupt_bundle_refused_old_keeps_serving)
{
	pdpw_reply r;
	pdpw_authz a = th_authz(TH_ALICE, "s3:GetObject",
	    "arn:aws:s3:::reports/q1.csv");
	void *data;
	size_t len;

	th_setup(&srv, true);
	ck_assert_int_eq(th_start(&srv, NULL), 0);
	pdpc_client *c = th_client(&srv, 3000);

	ck_assert_int_eq(th_bundle_bytes(1, 2, &data, &len), 0);
	// One flipped byte: the checksum no longer matches.
	((unsigned char *) data)[len / 2] ^= 0x5a;
	ck_assert_int_eq(th_write_file(srv.bundle, data, len), 0);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_ne(r.status, PDPW_OK);
	ck_assert_ptr_nonnull(r.error);
	ck_assert_uint_eq(r.revision, 1);
	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	ck_assert_int_eq(r.result.decision, PDPW_ALLOW);
	ck_assert_uint_eq(r.revision, 1);

	// Truncated, then not a bundle at all, then by SIGHUP.
	((unsigned char *) data)[len / 2] ^= 0x5a;
	ck_assert_int_eq(th_write_file(srv.bundle, data, len / 3), 0);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_ne(r.status, PDPW_OK);
	ck_assert_int_eq(th_write_file(srv.bundle, "hello", 5), 0);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_ne(r.status, PDPW_OK);
	kill(srv.pid, SIGHUP);
	usleep(200000);
	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_int_eq(r.result.decision, PDPW_ALLOW);
	ck_assert_uint_eq(r.revision, 1);
	ck_assert_int_eq(pdpc_stats(c, &r), PDPW_OK);
	ck_assert_uint_eq(r.stats.reload_failures, 4);

	// A good bundle is taken again.
	ck_assert_int_eq(th_write_file(srv.bundle, data, len), 0);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	ck_assert_uint_eq(r.revision, 2);
	free(data);
	pdpc_close(c);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
	char *log = th_log(&srv);
	ck_assert_ptr_nonnull(strstr(log, "\"event\":\"bundle_refused\""));
	free(log);
	th_cleanup(&srv);
}
END_TEST

START_TEST(test_remote_reload_can_be_disabled)
{
	pdpw_reply r;
	const char *args[] = {"--remote-reload", "false", NULL};

	th_setup(&srv, true);
	ck_assert_int_eq(th_start(&srv, args), 0);
	pdpc_client *c = th_client(&srv, 3000);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_EDENIED);
	pdpc_close(c);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
	th_cleanup(&srv);
}
END_TEST

// SIGTERM under load: every request the server took is answered (its
// count matches the replies clients got), then it exits 0.
START_TEST(test_sigterm_drains_in_flight)
{
	atomic_bool stop = false;
	hammer h[4];

	th_setup(&srv, true);
	ck_assert_int_eq(th_start(&srv, NULL), 0);
	memset(h, 0, sizeof(h));
	for (int i = 0; i < 4; i++) {
		h[i].stop = &stop;
		h[i].batch = i % 2 == 0;
		h[i].until_error = true;
		pthread_create(&h[i].thr, NULL, hammer_main, &h[i]);
	}
	usleep(300000);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
	atomic_store(&stop, true);
	uint64_t ok = 0, late = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(h[i].thr, NULL);
		ck_assert_uint_eq(h[i].inconsistent, 0);
		ok += h[i].ok;
		// A client stops at its first failure: a request that timed
		// out on a loaded machine may still have been answered.
		late += h[i].failed;
	}
	char *log = th_log(&srv);
	const char *d = strstr(log, "\"event\":\"drained\"");
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(d, "\"unfinished\":0"));
	const char *q = strstr(d, "\"requests\":");
	ck_assert_ptr_nonnull(q);
	unsigned long long taken = strtoull(q + 11, NULL, 10);
	ck_assert_uint_gt(ok, 10);
	ck_assert_msg(taken >= ok + 1 &&
	    taken <= ok + late + (unsigned long long) srv.health_calls,
	    "server took %llu requests, clients got %llu replies (+%d "
	    "health, %llu given up on)", taken, (unsigned long long) ok,
	    srv.health_calls, (unsigned long long) late);
	ck_assert_ptr_nonnull(strstr(log, "\"event\":\"stopped\""));
	free(log);
	th_cleanup(&srv);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc = tcase_create("reload");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reload_under_load_fails_nothing);
	tcase_add_test(tc, test_corrupt_bundle_refused_old_keeps_serving);
	tcase_add_test(tc, test_remote_reload_can_be_disabled);
	tcase_add_test(tc, test_sigterm_drains_in_flight);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
