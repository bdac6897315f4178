// memory.c - pdpbench memory: the latency of a dependent load for working
// sets of 1 to 64 MiB on this machine.
//
// The scale workloads are bound by cache misses, not instructions, so
// their figures depend on how much last-level cache the machine gives
// the process and on what a miss costs. This walks one random cycle
// through each working set (one pointer per 64-byte line, in 2 MiB huge
// pages where the kernel grants them, so that TLB misses stay out of the
// figure) and prints the ns per load: where it jumps is the cache the
// process actually has.

#define _DEFAULT_SOURCE // MAP_ANONYMOUS, MADV_HUGEPAGE

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "micro.h"
#include "pdpbench.h"

#define LINE 64
#define HUGE_PAGE (2u << 20)

// chase times `loads` dependent loads around a random cycle through
// `bytes` of memory and returns ns per load.
static double
chase(size_t bytes, size_t loads, bench_rng *rng)
{
	size_t n = bytes / LINE, len = bytes + HUGE_PAGE;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *order = malloc(n * sizeof(*order));

	if (raw == MAP_FAILED || order == NULL)
		bench_die("out of memory");
	char *buf = (char *) (((uintptr_t) raw + HUGE_PAGE - 1) &
	    ~(uintptr_t) (HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
	(void) madvise(buf, bytes, MADV_HUGEPAGE);
#endif
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t) i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = bench_below(rng, (uint32_t) (i + 1));
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	// Line order[i] points at line order[i + 1]: one cycle through all.
	for (size_t i = 0; i < n; i++) {
		size_t next = (size_t) order[(i + 1) % n] * LINE;
		memcpy(buf + (size_t) order[i] * LINE, &next, sizeof(next));
	}
	free(order);
	size_t p = 0;
	for (size_t i = 0; i < n; i++) // once round, to warm what fits
		memcpy(&p, buf + p, sizeof(p));
	uint64_t t0 = bench_now_ns();
	for (size_t i = 0; i < loads; i++)
		memcpy(&p, buf + p, sizeof(p));
	uint64_t t1 = bench_now_ns();
	if (p % LINE != 0) // keeps the loop; never true
		bench_die("chase: lost the cycle");
	munmap(raw, len);
	return (double) (t1 - t0) / (double) loads;
}

int
pdpbench_memory(int argc, char **argv)
{
	static const size_t mib[] = {1, 2, 4, 6, 8, 12, 16, 24, 32, 64};
	bench_rng rng = {1};

	if (argc > 1) {
		bool help = strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0;
		fprintf(help ? stdout : stderr,
		    "usage: pdpbench memory\n"
		    "prints ns per dependent load for working sets of "
		    "1-64 MiB\n");
		return help ? 0 : 2;
	}
	for (size_t k = 0; k < sizeof(mib) / sizeof(mib[0]); k++)
		printf("memory  %3zu MiB  %6.1f ns/load\n", mib[k],
		    chase(mib[k] << 20, 4000000, &rng));
	return 0;
}
