// pdpd_hist.h - a log-linear latency histogram with relaxed atomic
// counters, shared by pdpd's stats and pdpbench load.
//
// Values (nanoseconds) below 16 have a bucket each; above, every power of
// two is split into 16 buckets, so a bucket is at most 1/16 (6.25%) wide
// relative to its value. Values of 2^40 ns (18 minutes) and more share
// the last bucket. Recording is a relaxed add; one writer per histogram
// may use pdpd_hist_record_1w (a load and a store, no locked
// instruction), any number of writers pdpd_hist_record.

#ifndef PDPD_HIST_H
#define PDPD_HIST_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define PDPD_HIST_SUB 16
#define PDPD_HIST_MAXEXP 40
#define PDPD_HIST_BUCKETS ((PDPD_HIST_MAXEXP - 3) * PDPD_HIST_SUB)

typedef struct pdpd_hist {
	atomic_uint_fast64_t b[PDPD_HIST_BUCKETS];
	atomic_uint_fast64_t max;
} pdpd_hist;

static inline unsigned
pdpd_hist_bucket(uint64_t v)
{
	if (v < PDPD_HIST_SUB)
		return (unsigned) v;
	unsigned e = 63u - (unsigned) __builtin_clzll(v);
	if (e >= PDPD_HIST_MAXEXP)
		return PDPD_HIST_BUCKETS - 1;
	return (e - 3) * PDPD_HIST_SUB + (unsigned) ((v >> (e - 4)) & 15);
}

// pdpd_hist_value returns the middle of bucket i.
static inline uint64_t
pdpd_hist_value(unsigned i)
{
	if (i < PDPD_HIST_SUB)
		return i;
	unsigned e = i / PDPD_HIST_SUB + 3, m = i % PDPD_HIST_SUB;
	uint64_t lo = (uint64_t) (PDPD_HIST_SUB + m) << (e - 4);
	return lo + ((uint64_t) 1 << (e - 4)) / 2;
}

static inline void
pdpd_hist_record_1w(pdpd_hist *h, uint64_t v)
{
	atomic_uint_fast64_t *c = &h->b[pdpd_hist_bucket(v)];
	atomic_store_explicit(c,
	    atomic_load_explicit(c, memory_order_relaxed) + 1,
	    memory_order_relaxed);
	if (v > atomic_load_explicit(&h->max, memory_order_relaxed))
		atomic_store_explicit(&h->max, v, memory_order_relaxed);
}

static inline void
pdpd_hist_record(pdpd_hist *h, uint64_t v)
{
	atomic_fetch_add_explicit(&h->b[pdpd_hist_bucket(v)], 1,
	    memory_order_relaxed);
	uint64_t m = atomic_load_explicit(&h->max, memory_order_relaxed);
	while (v > m && !atomic_compare_exchange_weak_explicit(&h->max, &m,
	    v, memory_order_relaxed, memory_order_relaxed))
		;
}

// A plain snapshot, for merging and quantiles.
typedef struct pdpd_hist_snap {
	uint64_t b[PDPD_HIST_BUCKETS];
	uint64_t count, max;
} pdpd_hist_snap;

// pdpd_hist_add adds the counts of h into snapshot s.
static inline void
pdpd_hist_add(pdpd_hist_snap *s, const pdpd_hist *h)
{
	for (unsigned i = 0; i < PDPD_HIST_BUCKETS; i++) {
		uint64_t n = atomic_load_explicit(&h->b[i],
		    memory_order_relaxed);
		s->b[i] += n;
		s->count += n;
	}
	uint64_t m = atomic_load_explicit(&h->max, memory_order_relaxed);
	if (m > s->max)
		s->max = m;
}

// pdpd_hist_quantile returns the value at quantile q (0..1) of s, 0 when
// s is empty.
static inline uint64_t
pdpd_hist_quantile(const pdpd_hist_snap *s, double q)
{
	if (s->count == 0)
		return 0;
	uint64_t rank = (uint64_t) (q * (double) s->count + 0.5);
	uint64_t seen = 0;
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < PDPD_HIST_BUCKETS; i++) {
		seen += s->b[i];
		if (seen >= rank) {
			uint64_t v = pdpd_hist_value(i);
			return v > s->max ? s->max : v;
		}
	}
	return s->max;
}

#endif // PDPD_HIST_H
