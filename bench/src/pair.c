// pair.c - the interleaved A/B harness of the `micro` workloads that
// compare two ways of making one decision (plugins.c, creds.c): batches
// of each side alternate, so that drift and load hit both alike.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "micro.h"
#include "pdpbench.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return x < y ? -1 : x > y;
}

void
bench_pair(int (*decide)(const void *side), const void *a, const void *b,
    int nbatch, double *ma, double *mb)
{
	uint64_t *t = calloc(2 * (size_t) nbatch, sizeof(*t));
	volatile int sink = 0;

	if (t == NULL)
		bench_die("out of memory");
	for (int i = 0; i < BENCH_PAIR_BATCH * 10; i++)
		sink += decide(a) + decide(b);
	for (int r = 0; r < nbatch; r++) {
		uint64_t t0 = bench_now_ns();
		for (int i = 0; i < BENCH_PAIR_BATCH; i++)
			sink += decide(a);
		uint64_t t1 = bench_now_ns();
		for (int i = 0; i < BENCH_PAIR_BATCH; i++)
			sink += decide(b);
		t[r] = t1 - t0;
		t[nbatch + r] = bench_now_ns() - t1;
	}
	(void) sink;
	qsort(t, (size_t) nbatch, sizeof(*t), cmp_u64);
	qsort(t + nbatch, (size_t) nbatch, sizeof(*t), cmp_u64);
	*ma = (double) t[nbatch / 2] / BENCH_PAIR_BATCH;
	*mb = (double) t[nbatch + nbatch / 2] / BENCH_PAIR_BATCH;
	free(t);
}

void
bench_pairs_run(const bench_pairs *p)
{
	if (!p->json)
		printf("%s: median ns per decision, %d batches of %d, "
		    "interleaved\n%-44s %9s %9s %9s\n", p->title, p->nbatch,
		    BENCH_PAIR_BATCH, "case", p->col_a, p->col_b, "delta");
	for (int i = 0; i < p->n; i++) {
		double a, b;
		if (p->only >= 0 && i != p->only)
			continue;
		bench_pair(p->decide, p->a[i], p->b[i], p->nbatch, &a, &b);
		if (p->json)
			printf("{\"case\":\"%s\",\"%s\":%.1f,\"%s\":%.1f,"
			    "\"delta_ns\":%.1f}\n", p->names[i], p->key_a, a,
			    p->key_b, b, b - a);
		else
			printf("%-44s %9.1f %9.1f %+9.1f\n", p->names[i], a, b,
			    b - a);
	}
}

bool
bench_pair_args(int argc, char **argv, int *nbatch, bool *json, int *only)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--batches") == 0 && i + 1 < argc)
			*nbatch = atoi(argv[++i]);
		else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc &&
		    only != NULL)
			*only = atoi(argv[++i]);
		else if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc)
			i++; // routed here by pdpbench micro
		else
			return false;
	}
	if (*nbatch < 10)
		*nbatch = 10;
	return true;
}
