// bench.c - `iam bench-live`: the time from a committed IAM change to the
// first decision that reflects it, with N users in the account. A reader
// thread decides in a loop, as a gateway would, while the main thread
// attaches and detaches a policy; each round measures from the commit
// (the service's clock) to the first decision the reader sees change.

#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"

#define ACCOUNT "111122223333"
#define ROOT "arn:aws:iam::111122223333:root"

static atomic_int want;        // the effect the reader waits for
static atomic_ullong seen_ns;  // when it first saw it (0: not yet)
static atomic_bool stop;
static atomic_ullong decisions, failures;
static pdp_engine *engine;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void *
reader(void *arg)
{
	pdp_request req;
	pdp_decision d;

	(void) arg;
	memset(&req, 0, sizeof(req));
	req.principal = "arn:aws:iam::111122223333:user/u0";
	req.action = "s3:GetObject";
	req.resource = "arn:aws:s3:::bucket/key";
	while (!atomic_load(&stop)) {
		pdp_authorize(engine, &req, &d, NULL);
		atomic_fetch_add_explicit(&decisions, 1,
		    memory_order_relaxed);
		if (d.err != PDP_OK)
			atomic_fetch_add(&failures, 1);
		if ((int) d.effect == atomic_load(&want) &&
		    atomic_load(&seen_ns) == 0)
			atomic_store(&seen_ns, mono_ns());
	}
	return NULL;
}

static int
call(iams_service *s, const char *op, json_t *params)
{
	json_t *r = NULL;
	iams_error e;
	int rv = iams_call(s, ROOT, op, params, &r, &e);

	json_decref(params);
	json_decref(r);
	if (rv != PDP_OK)
		fprintf(stderr, "iam bench-live: %s: %s: %s\n", op, e.code,
		    e.message);
	return rv;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

int
iam_bench_live(int argc, char **argv)
{
	long users = 10000, rounds = 20;
	bool full = false, distinct = false;
	char path[] = "/tmp/iam_bench_XXXXXX", err[512];
	uint8_t key[IAMS_KEY_LEN] = {0};
	iams_service *s;
	iams_error e;
	iams_stats st;
	pthread_t th;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--users") == 0 && i + 1 < argc)
			users = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--full") == 0)
			full = true;
		else if (strcmp(argv[i], "--distinct") == 0)
			distinct = true;
		else {
			fprintf(stderr, "usage: iam bench-live [--users N] "
			    "[--rounds R] [--full] [--distinct]\n");
			return 2;
		}
	}
	if (users < 1 || rounds < 1 || rounds > 1000)
		return 2;
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	unlink(path);
	iams_options opt = {.store_key = key, .users_max =
	    (uint32_t) users + 1, .full_rebuilds = full};
	if (iams_service_open(path, &opt, &s, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "iam bench-live: %s\n", err);
		return 1;
	}
	engine = iams_service_engine(s);
	int rv = iams_account_create(s, ACCOUNT, &e);
	// Load the users in one batch: one rebuild, not one per user.
	iams_service_batch(s, true);
	uint64_t t0 = mono_ns();
	for (long i = 0; i < users && rv == PDP_OK; i++) {
		rv = call(s, "CreateUser", json_pack("{s:o}", "UserName",
		    json_sprintf("u%ld", i)));
		// --distinct: every user a policy of its own, so every user
		// has a policy set of its own.
		if (rv == PDP_OK && distinct)
			rv = call(s, "PutUserPolicy", json_pack("{s:o, s:s, "
			    "s:o}", "UserName", json_sprintf("u%ld", i),
			    "PolicyName", "own", "PolicyDocument",
			    json_sprintf("{\"Version\":\"2012-10-17\","
			    "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
			    "[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":"
			    "\"arn:aws:s3:::home/u%ld/*\"}]}", i)));
	}
	if (rv == PDP_OK)
		rv = call(s, "CreatePolicy", json_pack("{s:s, s:s}",
		    "PolicyName", "read", "PolicyDocument",
		    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
		    "\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
		    "\"*\"}]}"));
	double load_ms = (double) (mono_ns() - t0) / 1e6;
	if (rv == PDP_OK)
		rv = iams_service_batch(s, false);
	if (rv != PDP_OK) {
		iams_service_close(s);
		unlink(path);
		return 1;
	}
	iams_service_stats(s, &st);
	printf("users %ld: loaded in %.0f ms; first rebuild (%s) %.1f ms, "
	    "bundle %zu bytes\n", users, load_ms, full ? "account model" :
	    "store read whole", st.rebuild_ms, st.bundle_bytes);

	double *lat = calloc((size_t) rounds, sizeof(double));
	double *callms = calloc((size_t) rounds, sizeof(double));
	double *rebms = calloc((size_t) rounds, sizeof(double));
	uint64_t whole = 0;
	atomic_store(&want, -1);
	pthread_create(&th, NULL, reader, NULL);
	for (long r = 0; r < rounds && rv == PDP_OK; r++) {
		bool attach = r % 2 == 0;
		atomic_store(&seen_ns, 0);
		atomic_store(&want, attach ? PDP_ALLOW : PDP_IMPLICIT_DENY);
		uint64_t c0 = mono_ns();
		rv = call(s, attach ? "AttachUserPolicy" : "DetachUserPolicy",
		    json_pack("{s:s, s:s}", "UserName", "u0", "PolicyArn",
		    "arn:aws:iam::111122223333:policy/read"));
		callms[r] = (double) (mono_ns() - c0) / 1e6;
		iams_service_stats(s, &st);
		rebms[r] = st.rebuild_ms;
		whole += st.last_full;
		while (rv == PDP_OK && atomic_load(&seen_ns) == 0)
			sched_yield();
		// The reader may have seen the new bundle before the
		// commit clock was read back: never negative.
		uint64_t seen = atomic_load(&seen_ns);
		lat[r] = seen > st.commit_ns ? (double) (seen - st.commit_ns) /
		    1e6 : 0;
	}
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	if (rv == PDP_OK) {
		qsort(lat, (size_t) rounds, sizeof(double), cmp);
		qsort(callms, (size_t) rounds, sizeof(double), cmp);
		qsort(rebms, (size_t) rounds, sizeof(double), cmp);
		printf("commit -> first decision: median %.2f ms, max %.2f ms "
		    "(%ld rounds); whole call median %.2f ms\n",
		    lat[rounds / 2], lat[rounds - 1], rounds,
		    callms[rounds / 2]);
		printf("rebuild (%s): median %.2f ms, max %.2f ms; %llu of "
		    "%ld read the whole store\n", full ? "full, account model"
		    : "incremental", rebms[rounds / 2], rebms[rounds - 1],
		    (unsigned long long) whole, rounds);
		printf("reader: %llu decisions, %llu failed\n",
		    (unsigned long long) atomic_load(&decisions),
		    (unsigned long long) atomic_load(&failures));
	}
	free(lat);
	free(callms);
	free(rebms);
	iams_service_close(s);
	char p[64];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return rv == PDP_OK && atomic_load(&failures) == 0 ? 0 : 1;
}
