// iamc_eval.h - decide one `iamc eval` line (docs: eval-format in the
// README): policies and a request in, a decision and its explanation out.
//
// The policies of each line are compiled in memory and decided by the
// same engine as every other entry point (pdp/src/decide.h).

#ifndef IAMC_EVAL_H
#define IAMC_EVAL_H

#include <jansson.h>

// iamc_eval_json decides the eval-format input object `in` and returns a
// new output object (the caller owns it: json_decref). A line that cannot
// be decided gives {"decision": "Error", "error": "..."}; the result is
// NULL only when out of memory.
json_t *iamc_eval_json(const json_t *in);

// iamc_eval_line parses one line of JSON text and decides it. Invalid
// JSON gives an Error object naming the line and column. NULL only when
// out of memory.
json_t *iamc_eval_line(const char *line, size_t len);

#endif // IAMC_EVAL_H
