// stats.c - merging the workers' counters and latency histograms into the
// figures the `stats` op reports. Workers write only their own counters;
// this reads them all with relaxed loads, so a snapshot taken under load
// may be a few requests apart between fields, never torn within one.

#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "pdpd.h"

static uint64_t
get(atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void
pdpd_stats_collect(pdpd_wstats *const *w, size_t n, pdpw_stats *out)
{
	static const double q[PDPW_LATENCY_QUANTILES] = {0.50, 0.90, 0.99,
	    0.999};
	// 4.8 KiB: kept off the small stacks of nng's task threads.
	pdpd_hist_snap *s = calloc(1, sizeof(*s));

	for (size_t i = 0; i < n; i++) {
		out->requests += get(&w[i]->requests);
		for (int d = 0; d < 3; d++)
			out->decisions[d] += get(&w[i]->decisions[d]);
		for (int e = 0; e < PDPW_STATUS_MAX; e++)
			out->errors[e] += get(&w[i]->errors[e]);
		if (s != NULL)
			pdpd_hist_add(s, &w[i]->lat);
	}
	if (s == NULL)
		return;
	out->latency_count = s->count;
	out->latency_max_ns = s->max;
	for (int i = 0; i < PDPW_LATENCY_QUANTILES; i++)
		out->latency_ns[i] = pdpd_hist_quantile(s, q[i]);
	free(s);
}
