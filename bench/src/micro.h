// micro.h - the parts of `pdpbench micro` shared between its files: the
// timing harness (micro.c), the workload generators (workload.c, gen.c)
// and the eval-format file workload (jsonl.c).

#ifndef PDPBENCH_MICRO_H
#define PDPBENCH_MICRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iamc_bundle.h"
#include "pdp.h"

#define BENCH_ACCOUNT "111122223333"
#define BENCH_BATCH   64 // decisions timed together

// --- Small helpers ------------------------------------------------------

// bench_now_ns reads CLOCK_MONOTONIC in nanoseconds.
uint64_t bench_now_ns(void);

// A deterministic RNG (splitmix64): the same seed builds the same
// bundles and requests on every machine.
typedef struct bench_rng {
	uint64_t s;
} bench_rng;

uint64_t bench_rand(bench_rng *r);
// bench_below returns a uniform integer in [0, n); n > 0.
uint32_t bench_below(bench_rng *r, uint32_t n);

// bench_die prints a message and exits 2: a benchmark that cannot build
// its workload has nothing honest to report.
void bench_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

// bench_progress prints a progress line to stderr (unless --quiet).
void bench_progress(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

// bench_strdup copies into arena `a` or dies.
char *bench_strdup(iamc_arena *a, const char *s);
char *bench_printf(iamc_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// --- Requests -----------------------------------------------------------

// What a generated request was meant to exercise. The generator proposes
// a request for an intent; the request is decided once before timing
// and kept only when the decision is the one the intent expects, so a
// "hit" is a real Allow.
enum bench_intent {
	BENCH_HIT = 0,  // allowed by an exact action
	BENCH_WILD = 1, // allowed through a wildcard action or NotAction
	BENCH_MISS = 2, // implicit deny
	BENCH_DENY = 3, // explicit deny
	BENCH_NINTENTS = 4,
};

typedef struct bench_reqs {
	pdp_request *v;
	uint8_t *intent; // per request, the bench_intent it was made for
	                 // (NULL for a FILE workload)
	size_t n;
	size_t by_intent[BENCH_NINTENTS];  // kept requests per intent
	size_t allow, implicit, explicit_; // decisions of the kept set
	size_t errors;                     // not decided (err != PDP_OK)
	size_t attempts;                   // proposals made
	char *text; // the requests' principals, actions and resources,
	            // each request's together and in pool order
} bench_reqs;

typedef struct bench_gen bench_gen;

// --- Workloads ----------------------------------------------------------

typedef struct bench_world {
	char name[64]; // "corpus", "abac", "scale-principals", ...
	uint32_t nprincipals;
	uint32_t nsets;    // distinct identity policy sets
	double stmts;      // statements per principal (mean)
	double compile_ms; // policy JSON text to programs
	double build_ms;   // builder: sets, tables, principals, write
	void *data;        // the bundle bytes (malloc'd)
	size_t len;
	pdp_bundle *b;
	bench_reqs reqs;
	iamc_arena *strs; // request strings
} bench_world;

#define BENCH_MANY_MAX 4 // values of --many

typedef struct bench_opts {
	const char *workload; // corpus | abac | scale | all | FILE
	uint32_t principals;  // 0: the workload's default
	double seconds;
	int threads; // 0: both 1 and 2
	bool json;
	bool quiet;
	uint64_t seed;
	size_t nreqs; // request pool size
	// Decisions a call, each value measured in turn: 1
	// pdp_bundle_authorize, more pdp_bundle_authorize_many (a divisor
	// of BENCH_BATCH).
	int many[BENCH_MANY_MAX];
	int nmany;
	const char *save; // NULL, or where --save writes each world
} bench_opts;

// bench_world_fini frees everything a world holds.
void bench_world_fini(bench_world *w);

// bench_world_save writes w's bundle and request pool to PREFIX-NAME.pdpb
// and PREFIX-NAME.jsonl (save.c), saying so (as JSON objects with
// `json`), or dies saying why.
void bench_world_save(const bench_world *w, const char *prefix, bool json);

// The corpus: every AWS managed policy as compact JSON text.
typedef struct bench_corpus {
	size_t n;
	char **names;
	char **texts;
	size_t *lens;
	bool *has_deny; // holds a Deny statement (but does not deny "*")
	bool *deny_all; // denies every action: leaves nothing to measure
	// Compiled once for request generation (not timed).
	iamc_arena *arena;
	const pdpi_policy **progs; // NULL where a policy did not compile
	struct bench_gen *gen;     // the universe of the corpus's actions
} bench_corpus;

void bench_corpus_load(bench_corpus *c, const char *path);
void bench_corpus_fini(bench_corpus *c);

// bench_corpus_compile_all compiles every corpus policy into one bundle
// (one role per policy) and reports the times (micro.c prints them).
void bench_corpus_compile_all(const bench_corpus *c, double *compile_ms,
    double *bundle_ms, size_t *bytes, size_t *failed);

// Workload builders (workload.c). Each fills *w: bundle bytes, the
// opened bundle, and `nreqs` requests.
void bench_build_corpus(bench_world *w, const char *name,
    const bench_corpus *c, uint32_t nprincipals, uint32_t nsets,
    const bench_opts *o);
void bench_build_abac(
    bench_world *w, uint32_t nprincipals, const bench_opts *o);
void bench_build_stmts(bench_world *w, const bench_corpus *c, uint32_t nstmts,
    bool per_account, const bench_opts *o);

// --- Request generation (gen.c) -------------------------------------------

// The universe of real action names: every exact action named by the
// compiled policies given, deduplicated.

bench_gen *bench_gen_open(const pdpi_policy *const *v, size_t n);
void bench_gen_close(bench_gen *g);
size_t bench_gen_size(const bench_gen *g);

// Where each principal of a program-built world gets its policies.
typedef struct bench_psets {
	const bench_gen *g;
	uint32_t nprincipals;
	const char *const *arns;  // principal ARN, per principal
	const char *const *names; // user name, per principal
	const uint32_t *set_of;   // set index, per principal
	const pdpi_policy *const *const *sets;
	const uint32_t *setn;         // policies per set
	const pdp_context_entry *ctx; // the context every request carries
	uint32_t nctx;
} bench_psets;

// A proposer writes one request for `intent` into *q (strings in `a`);
// false when it could not (the fill loop then tries another intent).
typedef bool (*bench_propose_fn)(
    void *ctx, bench_rng *rng, int intent, pdp_request *q, iamc_arena *a);

// bench_propose_psets proposes requests from the principals' programs
// (ctx is a bench_psets).
bool bench_propose_psets(
    void *ctx, bench_rng *rng, int intent, pdp_request *q, iamc_arena *a);

// bench_reqs_fill proposes requests until `n` are kept, each intent up to
// its share quota[intent] of n; proposals are decided once against w->b
// and kept only when the decision is the one the intent expects. When the
// quotas cannot be met within a budget of proposals the rest is filled
// with whatever the proposer makes (and the mix says so). The pool is
// shuffled.
void bench_reqs_fill(bench_world *w, size_t n, bench_rng *rng,
    bench_propose_fn fn, void *ctx, const double quota[BENCH_NINTENTS]);

// --- The harness (micro.c) ------------------------------------------------

typedef struct bench_result {
	int threads;
	int many;             // decisions a call
	uint64_t decisions;   // timed decisions, all threads
	double median_ns;     // per decision, median over batches
	double p99_ns;        // per decision, p99 over batches
	double single_p50_ns; // one decision timed alone, timer cost
	double single_p99_ns; //   subtracted (1 thread only)
	double kind_p50_ns[BENCH_NINTENTS]; // single p50 by intent (0: none)
	double dps;           // decisions/s, all threads together
	double bytes_per_dec; // jemalloc thread.allocated per decision
	uint64_t alloc_bytes; // total, all threads
	uint64_t sink;
} bench_result;

// bench_measure times pdp_bundle_authorize over the request pool, or
// pdp_bundle_authorize_many over `many` requests a call when many > 1
// (a divisor of BENCH_BATCH).
void bench_measure(const pdp_bundle *b, const bench_reqs *r, int threads,
    int many, double seconds, bool single, bench_result *out);

// --- Interleaved pairs (pair.c) ----------------------------------------

#define BENCH_PAIR_BATCH 1000 // decisions a batch of bench_pair

// bench_pair times two ways of making one decision, interleaved batch by
// batch, `nbatch` batches each after a warm-up: `decide` makes one
// decision with side a or b (its result is only summed, so that no call
// is optimized away). *ma and *mb get the medians in ns per decision.
void bench_pair(int (*decide)(const void *side), const void *a,
    const void *b, int nbatch, double *ma, double *mb);

// A table of pairs: cases i = 0..n-1 (all, or only `only` when it is
// >= 0), each case's two sides a[i] and b[i], printed as a table with
// columns `col_a`, `col_b` and their delta, or as JSON lines with keys
// `key_a`, `key_b` and "delta_ns".
typedef struct bench_pairs {
	const char *title;             // "pdpbench creds"
	const char *col_a, *col_b;
	const char *key_a, *key_b;
	int (*decide)(const void *side);
	int nbatch;
	bool json;
	int only;
	int n;
	const char *const *names;
	const void *const *a, *const *b;
} bench_pairs;

// bench_pairs_run times and prints every case of `p`.
void bench_pairs_run(const bench_pairs *p);

// bench_pair_args reads the flags of a pair workload: --batches N (at
// least 10), --json, --case N (when `only` is not NULL) and the
// --workload that routed it. False on anything else.
bool bench_pair_args(int argc, char **argv, int *nbatch, bool *json,
    int *only);

// bench_file_workload runs `micro --workload FILE` (jsonl.c).
int bench_file_workload(const char *path, const bench_opts *o);

#endif // PDPBENCH_MICRO_H
