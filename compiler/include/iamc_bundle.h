// iamc_bundle.h - building bundle files (proto/bundle.md).
//
// A builder collects compiled policies, policy sets, accounts,
// principals and resource-based policies, then writes them as one
// checksummed bundle that libpdp maps and decides against. Policy sets
// are deduplicated: principals with the same effective policies share one
// set and one decision table.

#ifndef IAMC_BUNDLE_H
#define IAMC_BUNDLE_H

#include "iamc.h"
#include "pdpb.h"

typedef struct iamc_builder iamc_builder;

// iamc_builder_open creates an empty builder. PDP_OK or PDP_ENOMEM.
int iamc_builder_open(iamc_builder **out);

// iamc_builder_close frees the builder. close(NULL) is a no-op.
void iamc_builder_close(iamc_builder *b);

// iamc_builder_arena returns the builder's arena: compile the policies
// you add into it, so that they live as long as the builder.
iamc_arena *iamc_builder_arena(iamc_builder *b);

// iamc_builder_set adds the set of `n` policies `v` (order kept) and
// returns its index in *out. `table`: give it a decision table (identity
// and boundary sets). An identical set added before is reused.
int iamc_builder_set(iamc_builder *b, const pdpi_policy *const *v,
    uint32_t n, bool table, uint32_t *out);

// An identity set being put together, in the account model's order
// (compiler/ACCOUNT.md, "What the bundle holds"): a managed policy that
// comes again (attached to a user and to one of its groups) is kept
// once, at its first place.
typedef struct iamc_setlist {
	const pdpi_policy **v;
	uint32_t n, cap;
} iamc_setlist;

// iamc_setlist_add appends `p`; `managed`: not when it is there already.
// PDP_OK or PDP_ENOMEM. iamc_setlist_fini frees the list.
int iamc_setlist_add(iamc_setlist *s, const pdpi_policy *p, bool managed);
void iamc_setlist_fini(iamc_setlist *s);

// Decision tables kept from one builder to the next, for a caller that
// writes bundle after bundle from the same compiled policies (the IAM
// service): a set whose policies had a table before gets it again
// without building it. Policies are known by address: every policy a
// table was built for must stay allocated and unchanged while the cache
// lives (close it before freeing them).
typedef struct iamc_tables iamc_tables;

int iamc_tables_open(iamc_tables **out);
void iamc_tables_close(iamc_tables *t);
// iamc_tables_sweep forgets the tables no builder took since the last
// sweep (the sets that are gone).
void iamc_tables_sweep(iamc_tables *t);
// iamc_builder_tables makes `b` take tables from `t` and keep there the
// ones it builds. `t` must outlive the builder's use of it.
void iamc_builder_tables(iamc_builder *b, iamc_tables *t);

// iamc_builder_account adds an account and its SCP and RCP chains, each a
// list of set indices, one per organization level (root first). An
// account with no SCP levels is not limited by SCPs (a management
// account, or no organization). Returns PDP_EINVAL for a duplicate id.
int iamc_builder_account(iamc_builder *b, const char *id,
    const uint32_t *scp, uint32_t nscp, const uint32_t *rcp, uint32_t nrcp);

typedef struct iamc_principal_spec {
	uint32_t kind;          // enum pdpb_principal_kind
	const char *account;    // 12 digits; the account must be added
	const char *name;       // user, role or federated user name
	const char *path;       // "/" when NULL
	const char *unique_id;  // NULL or "" when unknown
	uint32_t identity;      // set index, or PDPB_NONE
	uint32_t boundary;      // set index, or PDPB_NONE
	bool service_linked;
	uint32_t ntags;
	const char *const *tag_keys;
	const char *const *tag_values;
	uint32_t max_session;   // seconds; roles
} iamc_principal_spec;

// iamc_builder_principal adds a principal. PDP_EINVAL when its account is
// unknown or the principal was added already.
int iamc_builder_principal(iamc_builder *b, const iamc_principal_spec *p);

// iamc_builder_resource_policy attaches policy `p` to resource `arn`.
// PDP_EINVAL when the resource has a policy already.
int iamc_builder_resource_policy(iamc_builder *b, const char *arn,
    const pdpi_policy *p);

// iamc_builder_named lets requests name set `set` as their session
// policy, by `name` (a managed policy's ARN, say).
int iamc_builder_named(iamc_builder *b, const char *name, uint32_t set);

// iamc_builder_access_key records long-term access key `id` (AKIA...)
// of the user or root user whose ARN is `owner`, active or inactive. No
// secret: decisions name callers by key id. PDP_EINVAL for an empty id
// or owner, or an id added before; PDP_ENOMEM.
int iamc_builder_access_key(iamc_builder *b, const char *id,
    const char *owner, bool active);

// iamc_builder_write serializes everything into a new malloc'd buffer
// (*data, *len; the caller frees it). PDP_OK, PDP_ENOMEM or PDP_ETOOBIG
// (over 4 GiB).
int iamc_builder_write(iamc_builder *b, uint64_t revision, void **data,
    size_t *len);

#endif // IAMC_BUNDLE_H
