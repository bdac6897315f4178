// iamc_account.h - compiling an account model (compiler/ACCOUNT.md): a
// whole authorization world (organization, accounts, users, groups, roles,
// managed policies, resource-based policies) into a bundle builder.
//
// The model is validated first, completely: every problem is reported at
// once, each with its file and JSON path. Only a model without errors is
// fed to the builder.

#ifndef IAMC_ACCOUNT_H
#define IAMC_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "iamc.h"
#include "iamc_bundle.h"

// iamc_account_progress is called while principals are fed to the builder
// with the number done so far and the total; `arg` is the options'
// progress_arg. It runs on the compiling thread.
typedef void (*iamc_account_progress)(void *arg, size_t done, size_t total);

typedef struct iamc_account_options {
	// The AWS managed policies file (a JSON object of policy name to
	// document), or NULL. It overrides the model's
	// "awsManagedPolicies"; relative paths are relative to the current
	// directory (the model's own is relative to the model file).
	const char *aws_managed;
	iamc_account_progress progress; // NULL: no progress reports
	void *progress_arg;
	size_t progress_every;          // principals between reports; 0: 1000
	// Plugin condition keys the policies may use (iamc.h); NULL: none.
	const iamc_compile_options *policy;
} iamc_account_options;

// What a compile produced, for summaries.
typedef struct iamc_account_stats {
	bool has_revision;      // the model gave "revision"
	uint64_t revision;      // its value
	uint32_t accounts;
	uint32_t users, groups, roles;
	uint32_t principals;    // users, roles and one root per account
	uint32_t policies;      // distinct compiled policy documents
	uint32_t resource_policies; // resource policies and trust policies
	uint32_t named;         // policies requests may name by ARN
} iamc_account_stats;

// iamc_account_compile reads the account model at `path` (and every file
// it refers to), validates it and, when it has no error, adds its
// accounts, principals, policy sets, resource policies and named
// policies to `b`. `opt` and `stats` may be NULL. Diagnostics go to `d`;
// each one's path is "FILE: JSON-PATH" (FILE as given, or as resolved
// against the model's folder), e.g.
// "acct.json: accounts[0].users[1].groups[0]".
// Returns PDP_OK; PDP_EPOLICY when the model has errors (nothing was
// added to `b`); PDP_EIO when the model file cannot be read (reported in
// `d` too); PDP_ENOMEM. On any error `b` may hold compiled policies that
// nothing references: close it. Not thread-safe for one builder.
int iamc_account_compile(const char *path, const iamc_account_options *opt,
    iamc_builder *b, iamc_diags *d, iamc_account_stats *stats);

// iamc_account_compile_text is iamc_account_compile on `len` bytes of
// JSON text; `path` names the model in diagnostics and its folder is
// where {"file": ...} references are resolved.
int iamc_account_compile_text(const char *text, size_t len,
    const char *path, const iamc_account_options *opt, iamc_builder *b,
    iamc_diags *d, iamc_account_stats *stats);

// iamc_account_compile_json is iamc_account_compile on a model already
// parsed (borrowed: the caller keeps its reference), as the IAM service
// builds it. A model written out as JSON text and read back compiles to
// the same bundle; duplicate keys cannot occur in a parsed value.
int iamc_account_compile_json(json_t *model, const char *path,
    const iamc_account_options *opt, iamc_builder *b, iamc_diags *d,
    iamc_account_stats *stats);

// iamc_account_unique_id writes the unique id generated for an entity
// that has none: `prefix` ("AIDA" users, "AROA" roles) and 16 characters
// of [A-Z0-9] derived from a hash of the account id and the entity name
// folded to lower case. `out` must hold 21 bytes.
void iamc_account_unique_id(const char *prefix, const char *account,
    const char *name, char out[21]);

#endif // IAMC_ACCOUNT_H
