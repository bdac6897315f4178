// decide.h - the decision algorithm over the policies of one request.
//
// pdpi_decide implements AWS's evaluation logic (explicit deny, RCPs,
// SCPs, root user, resource-based and identity-based policies, permission
// boundaries, session policies; same-account and cross-account) over
// compiled programs. It allocates nothing and takes no lock.

#ifndef PDP_DECIDE_H
#define PDP_DECIDE_H

#include "program.h"
#include "request.h"
#include "table.h"

// A set of policies evaluated together: any Allow in it allows. With a
// table, only the table's candidates for the request's action are judged.
typedef struct pdpi_pset {
	uint32_t n;
	const pdpi_policy *const *v;
	const pdpi_table *table; // NULL: judge every statement
} pdpi_pset;

// Every policy that applies to one request. A zeroed world has none.
typedef struct pdpi_world {
	pdpi_pset identity;          // user+groups or role policies
	pdpi_lookup looked;          // a lookup of a table already made
	                             // (looked.t NULL: none)
	const pdpi_policy *resource; // resource-based or trust policy; NULL none
	bool has_boundary;           // a permissions boundary is attached
	pdpi_pset boundary;
	bool has_session;            // session policies were passed
	pdpi_pset session;
	uint32_t nscp;               // organization levels; 0: no SCPs apply
	const pdpi_pset *scp;
	uint32_t nrcp;               // organization levels; 0: no RCPs apply
	const pdpi_pset *rcp;
	uint32_t nmemo;              // condition ids (pdpi_cond.memo) in use
} pdpi_world;

#define PDPI_EXPLAIN_MATCHES 32
#define PDPI_EXPLAIN_MISSING 32

typedef struct pdpi_match {
	const pdpi_policy *policy;
	const pdpi_stmt *stmt;
} pdpi_match;

// What decided, filled only when the caller asks. Borrowed pointers point
// into the world's programs and the request and live as long as they do.
typedef struct pdpi_explain {
	uint32_t nmatched;        // deciding statements (Allow or Deny)
	bool matched_truncated;
	pdpi_match matched[PDPI_EXPLAIN_MATCHES];
	uint32_t nmissing;        // condition keys absent from the request
	bool missing_truncated;
	pdpi_str missing[PDPI_EXPLAIN_MISSING]; // key text as in the policy
	uint8_t deny_type;        // pdp_policy_type behind a deny
	const char *reason;       // static text: why the decision was made
} pdpi_explain;

struct pdpi_hooks;

// pdpi_decide decides request `r` against world `w` and returns the
// effect; *reason (when not NULL) gets a static text saying why. When
// `ex` is not NULL it is filled with the explanation; when it is NULL no
// explanation work is done. `hooks` (may be NULL) brings the thread's
// provider for custom condition keys; a provider failure is left in
// hooks->err and decides deny. Never fails: an internal limit (a policy
// variable expanding past the scratch buffer) decides PDP_EXPLICIT_DENY
// with a reason.
pdp_effect pdpi_decide(const pdpi_world *w, const pdpi_req *r,
    pdpi_explain *ex, const char **reason, struct pdpi_hooks *hooks);

#endif // PDP_DECIDE_H
