// view.h - the request as a provider (plugin) sees it: the evaluator's
// request and the room left in its context array.

#ifndef PDP_VIEW_H
#define PDP_VIEW_H

#include "pdp.h"
#include "request.h"

struct pdp_view {
	pdpi_req *r;      // r->ctx points at ctx
	pdpi_ckey *ctx;   // writable context entries
	uint32_t cap;     // entries ctx can hold
};

// A provider's error, carried out of the evaluator.
typedef struct pdpi_hooks {
	const pdp_provider *prov; // NULL: no provider
	const pdp_view *view;
	int err;                  // PDP_OK, or the provider's failure
	const char *why;          // the provider's reason
} pdpi_hooks;

#endif // PDP_VIEW_H
