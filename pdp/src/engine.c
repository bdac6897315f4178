// engine.c - an engine publishes the current bundle; swaps are atomic and
// readers never block (proto/bundle.md, "Reloading").
//
// A reader announces itself in the counter of the current phase, loads
// the bundle pointer and takes a reference, then leaves the counter. A
// swap exchanges the pointer first, then flips the phase and waits until
// the old phase's counter drains: a reader that could still hold the old
// pointer without a reference is in that counter, and one that arrives
// after the flip loads the new pointer. Only then is the engine's
// reference to the old bundle dropped. Readers do two atomic increments
// and decrements and never wait; the writer waits at most for readers
// already between two instructions.

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <pthread.h>

#include "bundle.h"

struct pdp_engine {
	_Atomic(pdp_bundle *) cur;
	atomic_uint phase;
	atomic_uint readers[2];
	pthread_mutex_t swap; // serializes writers only
};

int
pdp_engine_open(pdp_engine **out)
{
	pdp_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return PDP_ENOMEM;
	atomic_init(&e->cur, NULL);
	atomic_init(&e->phase, 0);
	atomic_init(&e->readers[0], 0);
	atomic_init(&e->readers[1], 0);
	pthread_mutex_init(&e->swap, NULL);
	*out = e;
	return PDP_OK;
}

void
pdp_engine_close(pdp_engine *e)
{
	if (e == NULL)
		return;
	pdp_bundle_close(atomic_load(&e->cur));
	pthread_mutex_destroy(&e->swap);
	free(e);
}

pdp_bundle *
pdp_engine_acquire(pdp_engine *e)
{
	unsigned ph = atomic_load(&e->phase) & 1;
	pdp_bundle *b;

	atomic_fetch_add(&e->readers[ph], 1);
	b = atomic_load(&e->cur);
	if (b != NULL)
		pdp_bundle_hold(b);
	atomic_fetch_sub(&e->readers[ph], 1);
	return b;
}

void
pdp_engine_swap(pdp_engine *e, pdp_bundle *b)
{
	if (b != NULL)
		pdp_bundle_hold(b);
	pthread_mutex_lock(&e->swap);
	pdp_bundle *old = atomic_exchange(&e->cur, b);
	unsigned ph = atomic_fetch_add(&e->phase, 1) & 1;
	while (atomic_load(&e->readers[ph]) != 0)
		sched_yield();
	pthread_mutex_unlock(&e->swap);
	pdp_bundle_close(old);
}

int
pdp_authorize(pdp_engine *e, const pdp_request *req, pdp_decision *out,
    pdp_explanation *ex)
{
	pdp_bundle *b = pdp_engine_acquire(e);
	int rv = pdp_bundle_authorize(b, req, out, ex);

	pdp_bundle_close(b);
	return rv;
}

int
pdp_authorize_many(pdp_engine *e, const pdp_request *req, size_t n,
    pdp_decision *out)
{
	pdp_bundle *b = pdp_engine_acquire(e);
	int rv = pdp_bundle_authorize_many(b, req, n, out);

	pdp_bundle_close(b);
	return rv;
}
