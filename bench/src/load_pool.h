// load_pool.h - the requests `pdpbench load` sends, encoded once before
// the run (load_pool.c).

#ifndef PDPBENCH_LOAD_POOL_H
#define PDPBENCH_LOAD_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

// Messages sent in turn: each an authorize (or explain) request, or an
// authorize_batch of `batch` consecutive requests (the last of the pool
// may hold fewer), so that a turn through the pool sends every request
// once.
typedef struct load_pool {
	char **msg;
	size_t *len;
	uint32_t *items; // requests in each message
	size_t n;        // messages
	size_t nreq;     // requests behind them
	uint32_t batch;  // 0: one request a message, unbatched
	size_t *line;    // each request's line in its file; NULL for one
} load_pool;

// load_pool_one encodes the one request a (batch 0: alone, with op
// `explain` or authorize; else `batch` copies of it in one message).
// -1 when out of memory.
int load_pool_one(load_pool *p, const pdpw_authz *a, uint32_t batch,
    bool explain);

// load_pool_file reads requests from a JSON-lines file, each line an
// eval-format object whose "request" is sent (docs/eval-format.md) or a
// bare request object, and encodes them: one message a request, or with
// `batch` > 0 consecutive requests `batch` to a message. A line that
// holds policies is refused: pdpd decides against the bundle it loaded.
// On bad input it prints FILE:LINE and what is wrong to stderr and
// returns 2; 1 when out of memory; 0 when read.
int load_pool_file(load_pool *p, const char *path, uint32_t batch,
    bool explain);

// load_pool_request returns the index in the pool of item i of message
// k.
static inline size_t
load_pool_request(const load_pool *p, size_t k, uint32_t i)
{
	return p->batch ? k * p->batch + i : k;
}

void load_pool_fini(load_pool *p);

#endif // PDPBENCH_LOAD_POOL_H
