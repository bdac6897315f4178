// iamc_eval.h - decide one `iamc eval` line (docs: eval-format in the
// README): policies and a request in, a decision and its explanation out.
//
// The policies of each line are compiled into a bundle in memory and
// decided by pdp_bundle_authorize, exactly as pdpd decides.

#ifndef IAMC_EVAL_H
#define IAMC_EVAL_H

#include <jansson.h>

#include "pdp.h"

// iamc_eval_json decides the eval-format input object `in` and returns a
// new output object (the caller owns it: json_decref). A line that cannot
// be decided gives {"decision": "Error", "error": "..."}; the result is
// NULL only when out of memory.
json_t *iamc_eval_json(const json_t *in);

// A line prepared for deciding: a bundle compiled in memory from the
// line's policies, and the request.
typedef struct iamc_eval_prep iamc_eval_prep;

// iamc_eval_prepare compiles the eval-format input object `in` into a
// bundle and a request, for callers that decide it themselves (through
// pdpd, say). On failure `err` (errlen bytes) says why, naming the policy
// and JSON path, and no object is returned.
int iamc_eval_prepare(const json_t *in, iamc_eval_prep **out, char *err,
    size_t errlen);

// The bundle and request of a prepared line; they live until
// iamc_eval_prep_free.
const pdp_bundle *iamc_eval_prep_bundle(const iamc_eval_prep *p);
const pdp_request *iamc_eval_prep_request(const iamc_eval_prep *p);

// iamc_eval_request reads an eval-format "request" object (principal,
// action, resource, resourceAccount, context) into *q, every string
// copied into `a`, for callers that send the request elsewhere (pdpbench
// load). Only the JSON shape is checked here, not the ARNs. It returns
// PDP_OK, or PDP_EINVAL with `err` (errlen bytes) naming the field, or
// PDP_ENOMEM.
struct iamc_arena;
int iamc_eval_request(const json_t *req, struct iamc_arena *a,
    pdp_request *q, char *err, size_t errlen);

// iamc_eval_prep_free frees a prepared line. free(NULL) is a no-op.
void iamc_eval_prep_free(iamc_eval_prep *p);

// iamc_eval_result renders a decision as an eval-format output object
// (new reference; NULL when out of memory). `id` is copied; `ex` may be
// NULL.
json_t *iamc_eval_result(const json_t *id, const pdp_decision *d,
    const pdp_explanation *ex);

// Options of a line with plugins (iamc eval --plugins DIR).
struct iamc_compile_options;
typedef struct iamc_eval_options {
	// Custom condition keys the policies may use (iamc.h); NULL: none.
	const struct iamc_compile_options *compile;
	// The plugins that compute them and check requests: set as the
	// request's provider (pdp.h); NULL: none. Borrowed until the
	// prepared line is freed.
	const pdp_provider *provider;
} iamc_eval_options;

// iamc_eval_prepare_ex, iamc_eval_json_ex and iamc_eval_line_ex are the
// calls without _ex, with options (`opt` may be NULL).
int iamc_eval_prepare_ex(const json_t *in, const iamc_eval_options *opt,
    iamc_eval_prep **out, char *err, size_t errlen);
json_t *iamc_eval_json_ex(const json_t *in, const iamc_eval_options *opt);
json_t *iamc_eval_line_ex(const char *line, size_t len,
    const iamc_eval_options *opt);

// iamc_eval_line parses one line of JSON text and decides it. Invalid
// JSON gives an Error object naming the line and column. NULL only when
// out of memory.
json_t *iamc_eval_line(const char *line, size_t len);

#endif // IAMC_EVAL_H
