// iamc.h - the policy compiler: JSON policy documents to programs.
//
// iamc parses a policy document with jansson, validates it against the
// rules of its policy type (reporting every problem with its JSON path),
// and compiles it into a pdpi_policy (pdp/src/program.h) that the
// evaluator runs. All memory comes from an arena owned by the caller.

#ifndef IAMC_H
#define IAMC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "pdp.h"
#include "program.h"

// --- Arena ----------------------------------------------------------------

typedef struct iamc_arena iamc_arena;

// iamc_arena_open creates an empty arena. Returns NULL when out of memory.
iamc_arena *iamc_arena_open(void);
// iamc_arena_close frees the arena and everything allocated in it.
// close(NULL) is a no-op.
void iamc_arena_close(iamc_arena *a);
// iamc_arena_alloc returns `n` zeroed bytes aligned for any type, or NULL.
void *iamc_arena_alloc(iamc_arena *a, size_t n);
// iamc_arena_strdup copies `n` bytes of `s` and a NUL; NULL when out of
// memory.
char *iamc_arena_strdup(iamc_arena *a, const char *s, size_t n);

// --- Diagnostics ------------------------------------------------------------

typedef enum iamc_severity {
	IAMC_ERROR = 0,
	IAMC_WARNING = 1,
} iamc_severity;

typedef struct iamc_diag {
	iamc_severity severity;
	char *path;    // JSON path: "Statement[2].Condition", "" for the root
	char *message; // 'unknown operator "StringEqulas"'
} iamc_diag;

// A growing list of diagnostics. Strings are owned by the list.
typedef struct iamc_diags {
	size_t n;
	size_t cap;
	size_t nerrors;
	iamc_diag *v;
} iamc_diags;

// iamc_diags_init makes an empty list; iamc_diags_fini frees it.
void iamc_diags_init(iamc_diags *d);
void iamc_diags_fini(iamc_diags *d);
// iamc_diags_add appends a diagnostic (printf-style message). On out of
// memory the diagnostic is lost but nerrors still counts an error.
void iamc_diags_add(iamc_diags *d, iamc_severity sev, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

// --- Compiling a policy -----------------------------------------------------

// iamc_policy_compile validates the JSON policy `doc` as a policy of kind
// `type` and compiles it into *out, allocated in `a`. `name` (copied) is
// the policy's name in explanations. Every problem found is appended to
// `d` (errors and warnings, each with its JSON path). Returns PDP_OK and
// sets *out when there is no error; PDP_EPOLICY when the document has
// errors (*out untouched); PDP_ENOMEM when out of memory.
int iamc_policy_compile(iamc_arena *a, const json_t *doc,
    pdp_policy_type type, const char *name, const pdpi_policy **out,
    iamc_diags *d);

// iamc_policy_compile_text parses `len` bytes of JSON text (duplicate keys
// are an error, as in AWS) and compiles it as iamc_policy_compile does.
// A JSON syntax error is reported with its line and column.
int iamc_policy_compile_text(iamc_arena *a, const char *text, size_t len,
    pdp_policy_type type, const char *name, const pdpi_policy **out,
    iamc_diags *d);

// --- Custom condition keys (plugins) ---------------------------------------

// The IAM condition types a plugin may declare for a key it computes.
typedef enum iamc_key_type {
	IAMC_TYPE_STRING = 0,
	IAMC_TYPE_NUMERIC = 1,
	IAMC_TYPE_DATE = 2,
	IAMC_TYPE_BOOL = 3,
	IAMC_TYPE_IPADDRESS = 4,
	IAMC_TYPE_ARN = 5,
	IAMC_TYPE_BINARY = 6,
} iamc_key_type;

// A condition key a plugin declares in its manifest.
typedef struct iamc_custom_key {
	const char *name;   // "corp:BusinessHours"; matched ignoring case
	iamc_key_type type;
	const char *plugin; // the declaring plugin, for messages
} iamc_custom_key;

// What a compile knows beyond the policy itself. Every pointer is
// borrowed for the duration of the compile.
typedef struct iamc_compile_options {
	// Keys plugins compute. A condition on one of them is marked
	// custom (the engine asks the provider for its value); an
	// operator that does not fit its type is an error; a key in a
	// plugin's namespace (the prefix of a declared key, "corp:") that no
	// plugin declares draws the warning "unknown condition key".
	const iamc_custom_key *keys;
	size_t nkeys;
} iamc_compile_options;

// iamc_policy_compile_ex is iamc_policy_compile with options (`opt` may
// be NULL: none).
int iamc_policy_compile_ex(iamc_arena *a, const json_t *doc,
    pdp_policy_type type, const char *name, const iamc_compile_options *opt,
    const pdpi_policy **out, iamc_diags *d);

// iamc_policy_compile_text_ex is iamc_policy_compile_text with options.
int iamc_policy_compile_text_ex(iamc_arena *a, const char *text,
    size_t len, pdp_policy_type type, const char *name,
    const iamc_compile_options *opt, const pdpi_policy **out,
    iamc_diags *d);

// iamc_key_type_parse maps "String", "Numeric", "Date", "Bool",
// "IpAddress", "Arn" and "Binary" to a type; iamc_key_type_name maps
// back.
bool iamc_key_type_parse(const char *s, iamc_key_type *out);
const char *iamc_key_type_name(iamc_key_type t);

// iamc_policy_type_parse maps "identity", "resource", "trust", "scp",
// "rcp", "boundary", "session" and "aws-managed" to a pdp_policy_type.
bool iamc_policy_type_parse(const char *s, pdp_policy_type *out);

#endif // IAMC_H
