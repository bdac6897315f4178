// micro.c - `pdpbench micro`: times the in-process decision path
// (pdp_bundle_authorize, or pdp_bundle_authorize_many with --many) on
// generated worlds and requests, and the compile and load steps that
// come before it.
//
// Method (bench/README.md says more): requests are generated and decided
// once before timing; each thread then decides its own stream in batches
// of BENCH_BATCH, timing each batch with CLOCK_MONOTONIC, so the clock's
// cost is spread over the batch. Medians and p99s are over batches. One
// extra pass times single decisions (clock cost subtracted) to show the
// tail of individual decisions. Bytes allocated come from jemalloc's
// per-thread counter around the timed loop.

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jemalloc/jemalloc.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "micro.h"
#include "pdpbench.h"

// The corpus kept with the tests (tests/data/README.md).
#define DEFAULT_CORPUS PDP_SOURCE_DIR "/tests/data/aws-managed-policies.json"

static bool quiet;

uint64_t
bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

uint64_t
bench_rand(bench_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t
bench_below(bench_rng *r, uint32_t n)
{
	return (uint32_t) (((bench_rand(r) >> 32) * (uint64_t) n) >> 32);
}

void
bench_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "pdpbench micro: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

void
bench_progress(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "pdpbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

char *
bench_strdup(iamc_arena *a, const char *s)
{
	char *p = iamc_arena_strdup(a, s, strlen(s));
	if (p == NULL)
		bench_die("out of memory");
	return p;
}

char *
bench_printf(iamc_arena *a, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(buf))
		bench_die("string too long");
	return bench_strdup(a, buf);
}

// --- The harness ------------------------------------------------------------

static uint64_t
thread_allocated(void)
{
	uint64_t v = 0;
	size_t sz = sizeof(v);
	// Counts every byte this thread allocated, through any jemalloc
	// entry point (malloc, calloc, realloc, strdup ...).
	if (mallctl("thread.allocated", &v, &sz, NULL, 0) != 0)
		return 0;
	return v;
}

typedef struct worker {
	const pdp_bundle *b;
	const bench_reqs *r;
	size_t start;
	int many; // decisions a call
	double seconds;
	pthread_barrier_t *bar;
	uint32_t *samples; // ns per batch
	size_t cap, n;
	uint64_t decisions, alloc, elapsed, sink;
} worker;

// time_batch makes BENCH_BATCH decisions from pool position *i on, one
// call for each or `many` a call (a call's requests are consecutive, so
// the call that reaches the pool's end is a shorter one).
static uint64_t
time_batch(const worker *wk, size_t *i)
{
	const pdp_request *v = wk->r->v;
	size_t n = wk->r->n, m = (size_t) wk->many;
	pdp_decision d[BENCH_BATCH];
	uint64_t sink = 0;

	if (m <= 1) {
		for (int k = 0; k < BENCH_BATCH; k++) {
			pdp_bundle_authorize(wk->b, &v[*i], &d[0], NULL);
			sink += d[0].effect;
			if (++*i == n)
				*i = 0;
		}
		return sink;
	}
	for (size_t k = 0, c; k < BENCH_BATCH; k += c) {
		c = m < n - *i ? m : n - *i;
		if (c > BENCH_BATCH - k)
			c = BENCH_BATCH - k;
		pdp_bundle_authorize_many(wk->b, &v[*i], c, &d[k]);
		if ((*i += c) == n)
			*i = 0;
	}
	for (int k = 0; k < BENCH_BATCH; k++)
		sink += d[k].effect;
	return sink;
}

static void *
worker_run(void *arg)
{
	worker *wk = arg;
	size_t i = wk->start % wk->r->n;
	uint64_t sink = 0;

	// Warm the caches and the branch predictors first.
	uint64_t warm = bench_now_ns() + 200000000u;
	while (bench_now_ns() < warm)
		sink += time_batch(wk, &i);
	if (wk->bar != NULL)
		pthread_barrier_wait(wk->bar);
	uint64_t a0 = thread_allocated();
	uint64_t start = bench_now_ns();
	uint64_t end = start + (uint64_t) (wk->seconds * 1e9), t1 = start;
	while (wk->n < wk->cap) {
		uint64_t t0 = bench_now_ns();
		sink += time_batch(wk, &i);
		t1 = bench_now_ns();
		uint64_t dt = t1 - t0;
		wk->samples[wk->n++] =
		    dt > UINT32_MAX ? UINT32_MAX : (uint32_t) dt;
		if (t1 >= end)
			break;
	}
	wk->alloc = thread_allocated() - a0;
	wk->elapsed = t1 - start;
	wk->decisions = (uint64_t) wk->n * BENCH_BATCH;
	wk->sink = sink;
	return NULL;
}

static int
u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *) x, b = *(const uint32_t *) y;
	return (a > b) - (a < b);
}

// pct returns the p-th percentile (0..1) of sorted v, nearest rank.
static uint32_t
pct(const uint32_t *v, size_t n, double p)
{
	size_t k = (size_t) ceil(p * (double) n);
	return v[k == 0 ? 0 : k - 1];
}

// timer_cost is the median cost of one back-to-back pair of clock reads.
static double
timer_cost(void)
{
	enum { N = 100001 };
	uint32_t *v = malloc(N * sizeof(*v));
	if (v == NULL)
		bench_die("out of memory");
	for (int i = 0; i < N; i++) {
		uint64_t t0 = bench_now_ns();
		v[i] = (uint32_t) (bench_now_ns() - t0);
	}
	qsort(v, N, sizeof(*v), u32_cmp);
	double c = v[N / 2];
	free(v);
	return c;
}

// single_pass times decisions one at a time, for the tail.
static void
single_pass(const pdp_bundle *b, const bench_reqs *r, double seconds,
    bench_result *out)
{
	size_t cap = 2000000, n = 0, i = 0;
	uint32_t *v = malloc(cap * sizeof(*v));
	pdp_decision d;
	double cost = timer_cost();

	if (v == NULL)
		bench_die("out of memory");
	uint64_t end = bench_now_ns() + (uint64_t) (seconds * 1e9);
	while (n < cap) {
		uint64_t t0 = bench_now_ns();
		pdp_bundle_authorize(b, &r->v[i], &d, NULL);
		uint64_t t1 = bench_now_ns();
		out->sink += d.effect;
		v[n++] = (uint32_t) (t1 - t0);
		if (++i == r->n)
			i = 0;
		if ((n & 1023) == 0 && t1 >= end)
			break;
	}
	// By intent: sample k decided request k of the pool (mod its size).
	uint32_t *u = r->intent ? malloc(n * sizeof(*u)) : NULL;
	for (int it = 0; u != NULL && it < BENCH_NINTENTS; it++) {
		size_t m = 0;
		for (size_t k = 0; k < n; k++)
			if (r->intent[k % r->n] == it)
				u[m++] = v[k];
		if (m == 0)
			continue;
		qsort(u, m, sizeof(*u), u32_cmp);
		out->kind_p50_ns[it] = fmax(0, pct(u, m, 0.50) - cost);
	}
	free(u);
	qsort(v, n, sizeof(*v), u32_cmp);
	out->single_p50_ns = fmax(0, pct(v, n, 0.50) - cost);
	out->single_p99_ns = fmax(0, pct(v, n, 0.99) - cost);
	free(v);
}

void
bench_measure(const pdp_bundle *b, const bench_reqs *r, int threads,
    int many, double seconds, bool single, bench_result *out)
{
	worker wk[2];
	pthread_t tid[2];
	pthread_barrier_t bar;
	// Room for more batches than a fast engine can run.
	size_t cap = (size_t) (seconds * 1e9 / 1000.0) + 1024;

	memset(out, 0, sizeof(*out));
	memset(wk, 0, sizeof(wk));
	out->threads = threads;
	out->many = many;
	if (threads > 1)
		pthread_barrier_init(&bar, NULL, (unsigned) threads);
	for (int t = 0; t < threads; t++) {
		wk[t].b = b;
		wk[t].r = r;
		// Each thread its own stream: a different place in the pool.
		wk[t].start = (size_t) t * (r->n / 2 + 7);
		wk[t].many = many;
		wk[t].seconds = seconds;
		wk[t].bar = threads > 1 ? &bar : NULL;
		wk[t].cap = cap;
		wk[t].samples = malloc(cap * sizeof(uint32_t));
		if (wk[t].samples == NULL)
			bench_die("out of memory");
	}
	if (threads == 1) {
		worker_run(&wk[0]);
	} else {
		for (int t = 0; t < threads; t++)
			if (pthread_create(&tid[t], NULL, worker_run, &wk[t]))
				bench_die("pthread_create failed");
		for (int t = 0; t < threads; t++)
			pthread_join(tid[t], NULL);
		pthread_barrier_destroy(&bar);
	}
	// Pool every thread's batches for the percentiles.
	size_t total = 0;
	for (int t = 0; t < threads; t++)
		total += wk[t].n;
	uint32_t *all = malloc((total + 1) * sizeof(*all));
	if (all == NULL)
		bench_die("out of memory");
	size_t k = 0;
	uint64_t elapsed = 0;
	for (int t = 0; t < threads; t++) {
		memcpy(all + k, wk[t].samples, wk[t].n * sizeof(*all));
		k += wk[t].n;
		out->decisions += wk[t].decisions;
		out->alloc_bytes += wk[t].alloc;
		out->sink += wk[t].sink;
		if (wk[t].elapsed > elapsed)
			elapsed = wk[t].elapsed;
		free(wk[t].samples);
	}
	qsort(all, total, sizeof(*all), u32_cmp);
	out->median_ns = (double) pct(all, total, 0.50) / BENCH_BATCH;
	out->p99_ns = (double) pct(all, total, 0.99) / BENCH_BATCH;
	out->dps =
	    elapsed ? (double) out->decisions * 1e9 / (double) elapsed : 0;
	out->bytes_per_dec = out->decisions ?
	    (double) out->alloc_bytes / (double) out->decisions :
	    0;
	free(all);
	if (single && threads == 1)
		single_pass(b, r, seconds / 2, out);
}

// baseline_ns times what any decision must at least do, on the same
// requests and in the same way: hash the action with xxh3 and compare
// it with a stored key. Decision time is reported as a multiple of it.
static double
baseline_ns(const bench_reqs *r, double seconds)
{
	size_t cap = (size_t) (seconds * 1e9 / 100.0) + 1024, n = 0, i = 0;
	uint32_t *v = malloc(cap * sizeof(*v));
	const char *key = "s3:getobject";
	uint64_t sink = 0;

	if (v == NULL)
		bench_die("out of memory");
	uint64_t end = bench_now_ns() + (uint64_t) (seconds * 1e9);
	while (n < cap) {
		uint64_t t0 = bench_now_ns();
		for (int k = 0; k < BENCH_BATCH; k++) {
			const char *a = r->v[i].action;
			size_t an = strlen(a);
			sink += XXH3_64bits(a, an);
			sink += an == 12 && memcmp(a, key, 12) == 0;
			if (++i == r->n)
				i = 0;
		}
		uint64_t t1 = bench_now_ns();
		v[n++] = (uint32_t) (t1 - t0);
		if (t1 >= end)
			break;
	}
	// Keep the work observable so the compiler cannot drop it.
	__asm__ volatile("" : : "r"(sink));
	qsort(v, n, sizeof(*v), u32_cmp);
	double m = (double) pct(v, n, 0.5) / BENCH_BATCH;
	free(v);
	return m;
}

// --- Load times -----------------------------------------------------------

static int
dbl_cmp(const void *x, const void *y)
{
	double a = *(const double *) x, b = *(const double *) y;
	return (a > b) - (a < b);
}

// load_times opens the bundle 5 times from memory and 5 times from a
// file (page cache warm) and returns the medians in ms.
static void
load_times(const bench_world *w, double *mem_ms, double *file_ms)
{
	char path[64], err[256];
	double m[5], f[5];
	pdp_bundle *b;

	snprintf(path, sizeof(path), "/tmp/pdpbench-%d.pdpb", (int) getpid());
	FILE *fp = fopen(path, "wb");
	if (fp == NULL || fwrite(w->data, 1, w->len, fp) != w->len ||
	    fclose(fp) != 0)
		bench_die("%s: %s", path, strerror(errno));
	for (int k = 0; k < 5; k++) {
		uint64_t t0 = bench_now_ns();
		if (pdp_bundle_open_mem(w->data, w->len, &b, err, sizeof(err)))
			bench_die("open_mem: %s", err);
		uint64_t t1 = bench_now_ns();
		pdp_bundle_close(b);
		if (pdp_bundle_open(path, &b, err, sizeof(err)))
			bench_die("open: %s", err);
		uint64_t t2 = bench_now_ns();
		pdp_bundle_close(b);
		m[k] = (double) (t1 - t0) / 1e6;
		f[k] = (double) (t2 - t1) / 1e6;
	}
	unlink(path);
	qsort(m, 5, sizeof(double), dbl_cmp);
	qsort(f, 5, sizeof(double), dbl_cmp);
	*mem_ms = m[2];
	*file_ms = f[2];
}

// --- Reporting
// ----------------------------------------------------------------

static void
emit_bundle(
    const bench_opts *o, const bench_world *w, double mem_ms, double file_ms)
{
	if (o->json) {
		printf("{\"kind\":\"bundle\",\"workload\":\"%s\","
		       "\"principals\":%u,\"sets\":%u,\"stmts_per_principal\":"
		       "%.1f,\"compile_ms\":%.3f,\"build_ms\":%.3f,"
		       "\"bundle_bytes\":%zu,\"open_mem_ms\":%.3f,"
		       "\"open_file_ms\":%.3f}\n",
		    w->name, w->nprincipals, w->nsets, w->stmts, w->compile_ms,
		    w->build_ms, w->len, mem_ms, file_ms);
	} else {
		printf(
		    "bundle  %-17s principals %6u  sets %5u  stmts/principal"
		    " %7.1f  compile %8.2f ms  build+write %8.2f ms  "
		    "%9zu bytes  open_mem %7.3f ms  open %7.3f ms\n",
		    w->name, w->nprincipals, w->nsets, w->stmts, w->compile_ms,
		    w->build_ms, w->len, mem_ms, file_ms);
	}
	fflush(stdout);
}

static void
emit_decide(const bench_opts *o, const bench_world *w, const bench_result *r,
    double base_ns, const char *ref_name, double ref_ns)
{
	const bench_reqs *q = &w->reqs;
	double n = (double) q->n;

	if (o->json) {
		printf("{\"kind\":\"decide\",\"workload\":\"%s\","
		       "\"principals\":%u,\"stmts_per_principal\":%.1f,"
		       "\"threads\":%d,\"decisions\":%" PRIu64 ",\"batch\":%d,"
		       "\"many\":%d,\"median_ns\":%.1f,\"p99_ns\":%.1f,",
		    w->name, w->nprincipals, w->stmts, r->threads,
		    r->decisions, BENCH_BATCH, r->many, r->median_ns,
		    r->p99_ns);
		if (r->threads == 1 && r->single_p50_ns + r->single_p99_ns > 0)
			printf(
			    "\"single_p50_ns\":%.1f,\"single_p99_ns\":%.1f,"
			    "\"single_p50_by_kind\":{\"hit\":%.1f,"
			    "\"wildcard\":%.1f,\"miss\":%.1f,\"deny\":%.1f},",
			    r->single_p50_ns, r->single_p99_ns,
			    r->kind_p50_ns[BENCH_HIT], r->kind_p50_ns[BENCH_WILD],
			    r->kind_p50_ns[BENCH_MISS],
			    r->kind_p50_ns[BENCH_DENY]);
		printf("\"decisions_per_sec\":%.0f,\"per_core\":%.0f,"
		       "\"alloc_bytes_per_decision\":%.4f,\"alloc_bytes\":"
		       "%" PRIu64
		       ",\"baseline_ns\":%.2f,\"vs_baseline\":%.1f,",
		    r->dps, r->dps / r->threads, r->bytes_per_dec,
		    r->alloc_bytes, base_ns,
		    base_ns > 0 ? r->median_ns / base_ns : 0);
		if (ref_name != NULL)
			printf("\"vs_%s\":%.2f,", ref_name,
			    ref_ns > 0 ? r->median_ns / ref_ns : 0);
		printf(
		    "\"requests\":%zu,\"allow\":%.3f,\"implicit_deny\":%.3f,"
		    "\"explicit_deny\":%.3f,\"wildcard\":%.3f,\"errors\":%zu}"
		    "\n",
		    q->n, q->allow / n, q->implicit / n, q->explicit_ / n,
		    q->by_intent[BENCH_WILD] / n, q->errors);
	} else {
		printf("decide  %-17s principals %6u  stmts/principal %7.1f  "
		       "threads %d  many %2d  median %7.1f ns  p99 %7.1f ns",
		    w->name, w->nprincipals, w->stmts, r->threads, r->many,
		    r->median_ns, r->p99_ns);
		if (r->threads == 1 && r->single_p50_ns + r->single_p99_ns > 0)
			printf("  single p50 %6.1f p99 %7.1f ns (p50 hit %.0f "
			       "wildcard %.0f miss %.0f deny %.0f)",
			    r->single_p50_ns, r->single_p99_ns,
			    r->kind_p50_ns[BENCH_HIT], r->kind_p50_ns[BENCH_WILD],
			    r->kind_p50_ns[BENCH_MISS],
			    r->kind_p50_ns[BENCH_DENY]);
		printf("  %10.0f dec/s (%10.0f /core)  alloc %.2f B/dec  "
		       "baseline %.1f ns (x%.1f)",
		    r->dps, r->dps / r->threads, r->bytes_per_dec, base_ns,
		    base_ns > 0 ? r->median_ns / base_ns : 0);
		if (ref_name != NULL)
			printf("  vs %s x%.2f", ref_name,
			    ref_ns > 0 ? r->median_ns / ref_ns : 0);
		printf("  mix allow %.0f%% implicit %.0f%% explicit %.0f%% "
		       "wildcard %.0f%%%s\n",
		    100 * q->allow / n, 100 * q->implicit / n,
		    100 * q->explicit_ / n, 100 * q->by_intent[BENCH_WILD] / n,
		    q->errors ? "  (ERRORS)" : "");
	}
	fflush(stdout);
}

// run_world measures one world: bundle figures, then decisions with the
// thread counts and decisions a call asked for. m1[k] gets the 1-thread
// median with o->many[k]; ref[k] (NULL: none) is the reference it is
// compared with, named ref_name.
static void
run_world(const bench_opts *o, bench_world *w, bool both_threads,
    const char *ref_name, const double *ref, double *m1)
{
	double mem_ms, file_ms;
	bench_result r;

	if (o->save != NULL) {
		bench_world_save(w, o->save, o->json);
		return;
	}
	load_times(w, &mem_ms, &file_ms);
	emit_bundle(o, w, mem_ms, file_ms);
	double base = baseline_ns(&w->reqs, o->seconds / 4);
	// The pass of single decisions once a world, on the row of one
	// decision a call when there is one.
	int solo = 0;
	for (int k = 0; k < o->nmany; k++) {
		if (m1 != NULL)
			m1[k] = 0;
		if (o->many[k] == 1 && o->many[solo] != 1)
			solo = k;
	}
	for (int t = 1; t <= 2; t++) {
		if (o->threads ? o->threads != t : (t == 2 && !both_threads))
			continue;
		for (int k = 0; k < o->nmany; k++) {
			bench_progress("%s: timing %d thread%s, %d a call, "
			    "for %.1f s", w->name, t, t > 1 ? "s" : "",
			    o->many[k], o->seconds);
			bench_measure(w->b, &w->reqs, t, o->many[k],
			    o->seconds, t == 1 && k == solo, &r);
			if (t == 1 && m1 != NULL)
				m1[k] = r.median_ns;
			emit_decide(o, w, &r, base, ref ? ref_name : NULL,
			    ref ? ref[k] : 0);
		}
	}
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pdpbench micro [--workload "
	    "handful|corpus|abac|scale|all|plugins|creds|FILE.jsonl]\n"
	    "                      [--principals N]\n"
	    "                      [--statements N] [--seconds S] "
	    "[--threads 1|2] [--many N[,N...]] [--json]\n"
	    "                      [--seed N] [--requests N] [--corpus FILE] "
	    "[--quiet]\n"
	    "                      [--save PREFIX]  (write each world's "
	    "bundle and requests, time nothing)\n");
}

// many_list reads --many N[,N...] into o; false when it is not a list of
// at most BENCH_MANY_MAX numbers.
static bool
many_list(const char *v, bench_opts *o)
{
	char *end;

	o->nmany = 0;
	for (;;) {
		if (o->nmany == BENCH_MANY_MAX)
			return false;
		o->many[o->nmany++] = (int) strtol(v, &end, 10);
		if (end == v || (*end != ',' && *end != '\0'))
			return false;
		if (*end == '\0')
			return true;
		v = end + 1;
	}
}

static bool
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

// compile_all times compiling every corpus policy and prints it.
static void
compile_all(const bench_corpus *c, const bench_opts *o)
{
	double cms, bms;
	size_t bytes, failed;

	bench_progress("compiling all %zu corpus policies", c->n);
	bench_corpus_compile_all(c, &cms, &bms, &bytes, &failed);
	if (o->json)
		printf(
		    "{\"kind\":\"compile\",\"workload\":"
		    "\"corpus-all\",\"policies\":%zu,\"failed\":%zu,"
		    "\"compile_ms\":%.2f,\"bundle_ms\":%.2f,"
		    "\"bundle_bytes\":%zu}\n",
		    c->n, failed, cms, bms, bytes);
	else
		printf(
		    "compile corpus-all        policies %zu (failed "
		    "%zu)  JSON text to programs %.2f ms  to a bundle "
		    "(one role each, with tables) %.2f ms  %zu "
		    "bytes\n",
		    c->n, failed, cms, bms, bytes);
	fflush(stdout);
}

int
pdpbench_micro(int argc, char **argv)
{
	bench_opts o = {.workload = "all", .seconds = 2, .seed = 1,
	    .nreqs = 65536, .many = {1}, .nmany = 1};
	bool nreqs_given = false;
	const char *corpus_path = DEFAULT_CORPUS;
	uint32_t statements = 0;
	bench_corpus c;
	bool have_corpus = false;

	// The plugin workload has its own flags (plugins.c), which it
	// reads from argv[0] on.
	for (int i = 1; i + 1 < argc; i++)
		if (is(argv[i], "--workload") && is(argv[i + 1], "plugins"))
			return pdpbench_plugins(argc - 1, argv + 1);
		else if (is(argv[i], "--workload") && is(argv[i + 1], "creds"))
			return pdpbench_creds(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = !is(a, "--json") && !is(a, "--quiet") &&
		    !is(a, "-h") && !is(a, "--help");
		if (takes && v == NULL) {
			usage();
			return 2;
		}
		if (is(a, "--workload"))
			o.workload = v;
		else if (is(a, "--principals"))
			o.principals = (uint32_t) strtoul(v, NULL, 10);
		else if (is(a, "--statements"))
			statements = (uint32_t) strtoul(v, NULL, 10);
		else if (is(a, "--seconds"))
			o.seconds = strtod(v, NULL);
		else if (is(a, "--threads"))
			o.threads = atoi(v);
		else if (is(a, "--many")) {
			if (!many_list(v, &o))
				o.nmany = 0; // refused below
		}
		else if (is(a, "--seed"))
			o.seed = strtoull(v, NULL, 10);
		else if (is(a, "--requests")) {
			o.nreqs = strtoul(v, NULL, 10);
			nreqs_given = true;
		}
		else if (is(a, "--corpus"))
			corpus_path = v;
		else if (is(a, "--save"))
			o.save = v;
		else if (is(a, "--json"))
			o.json = true;
		else if (is(a, "--quiet"))
			o.quiet = true;
		else {
			usage();
			return is(a, "-h") || is(a, "--help") ? 0 : 2;
		}
		if (takes)
			i++;
	}
	bool many_ok = o.nmany > 0;
	for (int k = 0; k < o.nmany; k++)
		many_ok = many_ok && o.many[k] >= 1 &&
		    o.many[k] <= BENCH_BATCH && BENCH_BATCH % o.many[k] == 0;
	if (o.seconds <= 0 || o.nreqs == 0 || !many_ok ||
	    (o.threads != 0 && o.threads != 1 && o.threads != 2)) {
		usage();
		return 2;
	}
	quiet = o.quiet;
	bool all = is(o.workload, "all");
	bool whandful = all || is(o.workload, "handful");
	bool wcorpus = all || is(o.workload, "corpus");
	bool wabac = all || is(o.workload, "abac");
	bool wscale = all || is(o.workload, "scale");
	if (o.save != NULL && wscale && !o.principals && !statements) {
		// Five worlds of one name each: say which one.
		fprintf(stderr, "pdpbench micro: --save with the scale "
		    "workload needs --principals N or --statements N\n");
		return 2;
	}
	if (!whandful && !wcorpus && !wabac && !wscale) {
		if (o.save != NULL) {
			fprintf(stderr, "pdpbench micro: --save writes a built "
			    "world; %s is a file already\n", o.workload);
			return 2;
		}
		return bench_file_workload(o.workload, &o);
	}

	if (whandful || wcorpus || wscale) {
		bench_progress("loading the corpus %s", corpus_path);
		bench_corpus_load(&c, corpus_path);
		have_corpus = true;
		bench_progress("corpus: %zu policies, %zu distinct actions",
		    c.n, bench_gen_size(c.gen));
	}
	if (whandful) {
		// The target: a principal with 10 attached corpus
		// policies. A handful of users, each attaching its own 10, and
		// a pool of requests small enough to stay in cache, as the
		// request a sidecar has just decoded does.
		bench_world w;
		bench_opts ho = o;
		uint32_t n = o.principals ? o.principals : 10;
		if (!nreqs_given)
			ho.nreqs = 1024;
		bench_progress("handful: building %u principals", n);
		bench_build_corpus(&w, "handful", &c, n, n, &ho);
		run_world(&o, &w, false, NULL, NULL, NULL);
		bench_world_fini(&w);
	}
	if (wcorpus) {
		if (o.save == NULL) // --save times nothing
			compile_all(&c, &o);
		bench_world w;
		uint32_t n = o.principals ? o.principals : 1000;
		bench_progress("corpus: building %u principals", n);
		bench_build_corpus(&w, "corpus", &c, n, n, &o);
		run_world(&o, &w, true, NULL, NULL, NULL);
		bench_world_fini(&w);
	}
	if (wabac) {
		bench_world w;
		uint32_t n = o.principals ? o.principals : 1000;
		bench_progress("abac: building %u principals", n);
		bench_build_abac(&w, n, &o);
		run_world(&o, &w, true, NULL, NULL, NULL);
		bench_world_fini(&w);
	}
	if (wscale) {
		static const uint32_t sizes[] = {10, 100, 1000, 10000, 100000};
		static const uint32_t stmts[] = {10, 100, 1000, 10000};
		double ref[BENCH_MANY_MAX], m[BENCH_MANY_MAX];
		bool have_ref = false;
		char refname[32] = "";
		uint32_t list[5];
		size_t nl = 0;
		// --principals N or --statements N picks one account.
		if (o.principals)
			list[nl++] = o.principals;
		else if (!statements)
			for (size_t k = 0; k < 5; k++)
				list[nl++] = sizes[k];
		for (size_t k = 0; k < nl; k++) {
			uint32_t n = list[k];
			bench_world w;
			bench_opts so = o;
			if (so.nreqs < n)
				so.nreqs = n;
			bench_progress("scale: building %u principals", n);
			// Principals share up to 100 policy sets (roles,
			// groups), as in a real account.
			bench_build_corpus(&w, "scale-principals", &c, n,
			    n < 100 ? n : 100, &so);
			run_world(&o, &w, false, refname, have_ref ? ref :
			    NULL, m);
			if (!have_ref && m[0] > 0) { // 1 thread timed
				memcpy(ref, m, sizeof(ref));
				have_ref = true;
				snprintf(refname, sizeof(refname),
				    "principals_%u", n);
			}
			bench_world_fini(&w);
		}
		nl = 0;
		if (statements)
			list[nl++] = statements;
		else if (!o.principals)
			for (size_t k = 0; k < 4; k++)
				list[nl++] = stmts[k];
		// Statements per principal, then per account (workload.c).
		for (int acct = 0; acct < 2; acct++) {
			have_ref = false;
			for (size_t k = 0; k < nl; k++) {
				uint32_t n = list[k];
				bench_world w;
				bench_progress("scale: building %u statements "
				    "per %s", n, acct ? "account" :
				    "principal");
				bench_build_stmts(&w, &c, n, acct, &o);
				run_world(&o, &w, false, refname, have_ref ?
				    ref : NULL, m);
				if (!have_ref && m[0] > 0) {
					memcpy(ref, m, sizeof(ref));
					have_ref = true;
					snprintf(refname, sizeof(refname),
					    "%s_%u", acct ? "account" :
					    "statements", n);
				}
				bench_world_fini(&w);
			}
		}
	}
	if (have_corpus)
		bench_corpus_fini(&c);
	bench_progress("done");
	return 0;
}
