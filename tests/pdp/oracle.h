// oracle.h - a deliberately naive reference evaluator for differential
// tests (design.md, "One evaluator"): a linear scan over the parsed JSON
// statements, written straight from iam-semantics sections 2 to 5.4. It
// shares no matching code with pdp/src: its own glob, ARN split,
// condition operators, variables and decision algorithm. Slow, simple,
// and only for tests.

#ifndef TESTS_PDP_ORACLE_H
#define TESTS_PDP_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "pdp.h"

typedef enum oracle_kind {
	ORACLE_ROOT,
	ORACLE_USER,
	ORACLE_ROLE_SESSION,
	ORACLE_FEDUSER,
	ORACLE_SERVICE,
	ORACLE_ANONYMOUS,
} oracle_kind;

// Who signed the request, with what the account model knows about it.
typedef struct oracle_caller {
	oracle_kind kind;
	const char *account;   // 12 digits; "" for services and anonymous
	const char *name;      // user, role, federated user or service name
	const char *path;      // users: "/" or "/eng/"
	const char *session;   // role sessions: the session name
	const char *unique_id; // user or role id (AIDA..., AROA...), or NULL
	size_t ntags;          // the user's or role's tags
	const char *const *tag_keys;
	const char *const *tag_values;
	bool has_boundary;     // its user or role has a permissions boundary
	bool service_linked;
} oracle_caller;

// One context key: a single value, or a list when `multi`.
typedef struct oracle_ctx {
	const char *key;
	const char *const *values;
	size_t nvalues;
	bool multi;
} oracle_ctx;

typedef struct oracle_request {
	oracle_caller who;
	const char *action;
	const char *resource;         // an ARN or "*"
	const char *resource_account; // the account owning the resource
	const oracle_ctx *ctx;
	size_t nctx;
} oracle_request;

// A set of policy documents: any Allow in it allows.
typedef struct oracle_set {
	size_t n;
	json_t *const *v;
} oracle_set;

// The policies that apply to one request (iam-semantics 5.4: IBP, PB,
// SP, RBP, SCP and RCP chains). SCP levels are those of the caller's
// account, RCP levels those of the resource's account; none means the
// account is not limited by them.
typedef struct oracle_world {
	oracle_set identity;
	bool has_boundary;
	oracle_set boundary;
	bool has_session;
	oracle_set session;
	const json_t *resource; // resource-based or trust policy, or NULL
	size_t nscp;
	const oracle_set *scp;
	size_t nrcp;
	const oracle_set *rcp;
} oracle_world;

// oracle_decide returns the decision for `q` in world `w`; *why (may be
// NULL) gets a static text naming the step that decided.
pdp_effect oracle_decide(const oracle_world *w, const oracle_request *q,
    const char **why);

#endif // TESTS_PDP_ORACLE_H
