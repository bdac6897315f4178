// pdp.h - the public interface of libpdp, iampdp's policy decision point.
//
// libpdp decides AWS IAM authorization requests against compiled policy
// programs. A decision is Allow, ExplicitDeny or ImplicitDeny; it is never
// an error. Anything that goes wrong on the way decides Deny and says why.

#ifndef PDP_H
#define PDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// The shared library exports only what this header declares.
#if defined(__GNUC__)
#define PDP_API __attribute__((visibility("default")))
#else
#define PDP_API
#endif

// Errors. One enum for the whole project; 0 is success.
typedef enum pdp_err {
	PDP_OK = 0,
	PDP_ENOMEM = 1,   // out of memory
	PDP_EINVAL = 2,   // invalid argument or request
	PDP_EPOLICY = 3,  // invalid policy document
	PDP_ETOOBIG = 4,  // a fixed limit was exceeded
	PDP_ECORRUPT = 5, // corrupt or truncated data
	PDP_EVERSION = 6, // unsupported format version
	PDP_EIO = 7,      // system I/O error
	PDP_ENOENT = 8,   // no such object
	PDP_EPLUGIN = 9,  // a plugin failed
	PDP_EEXPIRED = 10,    // credentials have expired
	PDP_EUNKNOWNKEY = 11, // a token sealed under a key the keyring lacks
	PDP_EWRONGKEY = 12,   // a token sealed under another key of that id
	PDP_EINACTIVE = 13,   // an inactive access key
} pdp_err;

// pdp_strerror returns a static, human-readable text for `err`.
PDP_API const char *pdp_strerror(int err);

// Decisions. The zero value is an implicit deny, so a decision that was
// never written denies.
typedef enum pdp_effect {
	PDP_IMPLICIT_DENY = 0,
	PDP_ALLOW = 1,
	PDP_EXPLICIT_DENY = 2,
} pdp_effect;

// pdp_effect_name returns "Allow", "ExplicitDeny" or "ImplicitDeny".
PDP_API const char *pdp_effect_name(pdp_effect e);

// Kinds of policy, which decide validation rules and evaluation role.
typedef enum pdp_policy_type {
	PDP_POLICY_IDENTITY = 0, // user, group or role policy (inline or managed)
	PDP_POLICY_RESOURCE = 1, // resource-based policy (bucket, key, queue ...)
	PDP_POLICY_TRUST = 2,    // role trust policy
	PDP_POLICY_SCP = 3,      // service control policy
	PDP_POLICY_RCP = 4,      // resource control policy
	PDP_POLICY_BOUNDARY = 5, // permissions boundary
	PDP_POLICY_SESSION = 6,  // session policy
	PDP_POLICY_AWS_MANAGED = 7, // an AWS managed identity policy (no size quota)
} pdp_policy_type;

// pdp_policy_type_name returns the AWS wording of a policy type, as used
// in access-denied messages ("identity-based", "service control", ...).
PDP_API const char *pdp_policy_type_name(pdp_policy_type t);


// --- Bundles ----------------------------------------------------------------
//
// A bundle (.pdpb, written by `iamc compile`) holds a whole authorization
// world: principals, their compiled policies and decision tables,
// resource-based policies, and the SCPs and RCPs of each account. An open
// bundle is immutable and reference counted; any number of threads may
// decide against it at once.

typedef struct pdp_bundle pdp_bundle;

// pdp_bundle_open maps the bundle file at `path`, verifies its header,
// checksum and every internal reference, and sets *out (one reference).
// A corrupt, truncated or wrong-version bundle is rejected: the error is
// returned and `err` (errlen bytes, may be NULL) says what is wrong.
PDP_API int pdp_bundle_open(const char *path, pdp_bundle **out, char *err,
    size_t errlen);

// pdp_bundle_open_mem is pdp_bundle_open on `len` bytes in memory; the
// bytes are copied, so the caller may free them on return.
PDP_API int pdp_bundle_open_mem(const void *data, size_t len, pdp_bundle **out,
    char *err, size_t errlen);

// pdp_bundle_open_owned is pdp_bundle_open_mem on bytes from malloc that
// the bundle takes over instead of copying (a bundle writer's output):
// they are freed when the bundle is, or at once when it is refused.
PDP_API int pdp_bundle_open_owned(void *data, size_t len, pdp_bundle **out,
    char *err, size_t errlen);

// pdp_bundle_hold takes one more reference; pdp_bundle_close drops one and
// frees the bundle with the last. close(NULL) is a no-op. Thread-safe.
PDP_API void pdp_bundle_hold(pdp_bundle *b);
PDP_API void pdp_bundle_close(pdp_bundle *b);

// pdp_bundle_revision returns the revision `iamc compile` gave the bundle.
PDP_API uint64_t pdp_bundle_revision(const pdp_bundle *b);

// pdp_bundle_principals returns the number of principals in the bundle.
PDP_API size_t pdp_bundle_principals(const pdp_bundle *b);

// pdp_bundle_access_key finds the long-term access key `akid` (n bytes,
// AKIA...) in the bundle's key table. On PDP_OK, *owner (owner_len bytes,
// not NUL-terminated, borrowed from the bundle: valid while it is held)
// is the ARN of the user (path included) or root user that owns it, and
// *active says whether the key is active. PDP_ENOENT when the bundle has
// no such key. Keys carry no secret. Thread-safe; allocates nothing.
PDP_API int pdp_bundle_access_key(const pdp_bundle *b, const char *akid,
    size_t n, const char **owner, size_t *owner_len, bool *active);

// --- Requests and decisions -------------------------------------------------

// One context key and its values. A key given with `multi` set is a
// multivalued key (a list, such as aws:TagKeys), even with one value.
typedef struct pdp_context_entry {
	const char *key;            // e.g. "aws:SourceIp"; any case
	const char *const *values;  // nvalues strings
	uint32_t nvalues;
	bool multi;
} pdp_context_entry;

// Context entries one request may carry: room for the most a call of
// AWS's own limits brings, such as AssumeRole with 50 session tags
// (aws:RequestTag/*, aws:TagKeys) on a role with 50 tags
// (aws:ResourceTag/*, iam:ResourceTag/*) by a session with 50 of its own.
#define PDP_CONTEXT_MAX 256

typedef struct pdp_provider pdp_provider;

// An authorization request. All strings are borrowed for the duration of
// the call only. Zero it, then fill what applies.
typedef struct pdp_request {
	const char *principal;        // caller ARN ("arn:aws:iam::A:user/u",
	                              // "arn:aws:sts::A:assumed-role/R/S",
	                              // root), a service principal name, or
	                              // "anonymous"
	const char *action;           // "s3:GetObject"
	const char *resource;         // ARN; NULL means "*"
	const char *resource_account; // NULL: the ARN's account, else the
	                              // principal's
	const pdp_context_entry *context;
	uint32_t ncontext;            // at most PDP_CONTEXT_MAX
	const char *session_policy;   // NULL, or the name or ARN of a policy
	                              // in the bundle to use as the session
	                              // policy (AssumeRole PolicyArns)
	const pdp_provider *provider; // NULL, or the plugins of this thread

	// Set by a caller that resolved temporary credentials (pdp_creds.h);
	// zero for a request named by ARN alone.
	const char *const *session_policies; // more session policies by
	uint32_t nsession_policies;   // name or ARN (AssumeRole PolicyArns)
	const pdp_bundle *session_bundle; // NULL, or a bundle whose every
	                              // policy is a session policy (an inline
	                              // Policy, compiled); all session
	                              // policies are judged as one set
	const char *parent;           // a federated user's: the ARN of the
	                              // user (or root) who called
	                              // GetFederationToken; its identity
	                              // policies, boundary and tags apply
	const char *principal_id;     // NULL, or the unique id (AIDA...,
	                              // AROA...) the user or role must still
	                              // have: else the request is refused
	                              // (PDP_ENOENT), for credentials of a
	                              // deleted and re-created principal
} pdp_request;

#define PDP_SESSION_POLICIES_MAX 32 // session policies of one request

// A decision. `err` is PDP_OK when the request was decided; otherwise the
// request could not be decided (unknown principal, bad request, no
// bundle, a plugin failure) and `effect` is a deny. `reason` is a static
// text, or a plugin's text that lives until the next decision made with
// the same provider.
typedef struct pdp_decision {
	pdp_effect effect;
	int err;
	uint64_t revision; // the bundle that decided
	const char *reason;
} pdp_decision;

#define PDP_EXPLAIN_MAX 32

// A deciding statement, as in AWS's policy simulator.
typedef struct pdp_statement_ref {
	const char *policy; // policy name or ARN (not NUL-terminated: use
	uint32_t policy_len;//   policy_len)
	const char *sid;    // "" when the statement has none (sid_len 0)
	uint32_t sid_len;
	uint32_t index;     // position in the policy's Statement list
	pdp_effect effect;  // PDP_ALLOW or PDP_EXPLICIT_DENY
} pdp_statement_ref;

// What decided. Strings point into the bundle and live as long as the
// caller holds the bundle (pdp_engine_explain holds it for you until the
// next call on the same explanation).
typedef struct pdp_explanation {
	uint32_t nmatched;
	bool matched_truncated;
	pdp_statement_ref matched[PDP_EXPLAIN_MAX];
	uint32_t nmissing; // context keys conditions needed but were absent
	bool missing_truncated;
	const char *missing[PDP_EXPLAIN_MAX];
	uint32_t missing_len[PDP_EXPLAIN_MAX];
	pdp_policy_type deny_type; // the policy type behind a deny
} pdp_explanation;

// pdp_bundle_authorize decides `req` against bundle `b` and fills *out.
// When `ex` is not NULL it also fills the explanation (costlier: every
// statement is judged); with NULL no explanation work is done. Returns
// out->err. Never fails open. Thread-safe; allocates nothing; takes no
// lock.
PDP_API int pdp_bundle_authorize(const pdp_bundle *b, const pdp_request *req,
    pdp_decision *out, pdp_explanation *ex);

// pdp_bundle_authorize_many decides the n requests req[0..n) into
// out[0..n), each as pdp_bundle_authorize(b, &req[i], &out[i], NULL)
// would. It reads a few requests ahead, so that the cache misses of a
// large bundle (a caller's record, its table, the statements) overlap
// instead of following one another: in a bundle much larger than the
// cache a decision costs less this way (bench/README.md; a bundle of
// 4 MiB or more with its programs reads ahead, and the environment's
// PDP_READ_AHEAD=always|never, read when a bundle is opened, overrides
// that). Returns PDP_OK
// when every decision succeeded, else the first error (each out[i].err
// says its own); PDP_EINVAL when out is NULL and n is not 0. Thread-safe;
// allocates nothing; takes no lock; uses about 77 KB of stack (one
// pdp_bundle_authorize about 66). A provider's reason lives only until
// its next decision (pdp_decision.reason): with a provider that gives
// reasons, a batch's earlier reasons may be a later request's text.
PDP_API int pdp_bundle_authorize_many(const pdp_bundle *b,
    const pdp_request *req, size_t n, pdp_decision *out);

// --- Providers: custom condition keys and request rules --------------------
//
// A provider (the Lua plugin host, say) extends decisions without the
// library knowing how: it computes custom condition keys that policies
// test (corp:BusinessHours), and it checks or rewrites a request's
// context before policies see it (tag rules). A provider belongs to one
// thread: pass it in pdp_request.provider on that thread only. Any error
// it reports decides Deny, with err PDP_EPLUGIN and its reason.

// A string with its length (not NUL-terminated).
typedef struct pdp_value {
	const char *p;
	uint32_t n;
} pdp_value;

// The request being decided, as a provider sees it. Valid only during
// the callback it is passed to.
typedef struct pdp_view pdp_view;

// pdp_view_principal, _action and _resource return the request's strings
// (the principal's ARN, the action, the resource ARN or "*").
PDP_API pdp_value pdp_view_principal(const pdp_view *v);
PDP_API pdp_value pdp_view_action(const pdp_view *v);
PDP_API pdp_value pdp_view_resource(const pdp_view *v);

// pdp_view_get finds context key `key` (any case): the request's own keys,
// the principal's tags (aws:PrincipalTag/...) and the keys AWS derives.
// Returns false when absent; else *vals (borrowed), *n and *multi.
PDP_API bool pdp_view_get(const pdp_view *v, const char *key, size_t keylen,
    const pdp_value **vals, uint32_t *n, bool *multi);

// pdp_view_count and pdp_view_key enumerate the context keys (i < count).
PDP_API uint32_t pdp_view_count(const pdp_view *v);
PDP_API pdp_value pdp_view_key(const pdp_view *v, uint32_t i);

// pdp_view_set gives context key `key` these values, replacing a key of
// the same name (any case). Only from a provider's `check` callback; the
// strings must stay valid until the decision returns. PDP_ETOOBIG when the
// request has no room left.
PDP_API int pdp_view_set(pdp_view *v, const char *key, size_t keylen,
    const pdp_value *vals, uint32_t n, bool multi);

// The most values a provider may give one custom key.
#define PDP_PROVIDER_VALUES 16

struct pdp_provider {
	const char *name; // for reasons: "plugin business_hours: ..."
	void *arg;        // passed to the callbacks

	// key computes custom condition key `key` (as the policy spells it)
	// for the request. Called at most once per key and request, and only
	// when a condition tests it; a value the request itself carries under
	// that name is ignored.
	// Return PDP_OK with up to PDP_PROVIDER_VALUES values in vals (they
	// must stay valid until the decision returns), *n and *multi;
	// PDP_ENOENT when the key has no value for this request; anything
	// else is a failure: the decision denies and *why says why.
	int (*key)(void *arg, const pdp_view *v, const char *key,
	    size_t keylen, pdp_value *vals, uint32_t *n, bool *multi,
	    const char **why);

	// check runs once per request before any policy: it may add or
	// replace context keys (pdp_view_set), and it may refuse the request.
	// Return PDP_OK to go on; PDP_EPOLICY to deny, with *why naming the
	// rule broken; anything else is a failure (deny, *why says why).
	// NULL: no check.
	int (*check)(void *arg, pdp_view *v, const char **why);
};

// --- Engines: atomic bundle swaps -------------------------------------------
//
// An engine holds the current bundle. pdp_engine_swap publishes a new one
// atomically: requests already deciding finish on the bundle they
// started with, and an old bundle is freed when its last reader leaves.
// Readers never block and never take a lock.

typedef struct pdp_engine pdp_engine;

// pdp_engine_open creates an engine with no bundle (every request then
// decides deny with PDP_ENOENT). Returns PDP_OK or PDP_ENOMEM.
PDP_API int pdp_engine_open(pdp_engine **out);

// pdp_engine_close frees the engine and drops its bundle reference. No
// thread may use the engine any more. close(NULL) is a no-op.
PDP_API void pdp_engine_close(pdp_engine *e);

// pdp_engine_swap makes `b` current; the engine takes its own reference
// (the caller keeps its one). The previous bundle is released once the
// requests using it are done. Swaps are serialized with each other.
PDP_API void pdp_engine_swap(pdp_engine *e, pdp_bundle *b);

// pdp_engine_acquire returns the current bundle with one reference held
// for the caller (release it with pdp_bundle_close), or NULL.
PDP_API pdp_bundle *pdp_engine_acquire(pdp_engine *e);

// pdp_authorize decides `req` against the engine's current bundle, as
// pdp_bundle_authorize does. Never fails open: on error `out->effect` is
// a deny and `out->err` says why. Thread-safe; allocates nothing.
// `ex` strings stay valid only while the bundle that decided is held;
// use pdp_engine_acquire and pdp_bundle_authorize to keep them.
PDP_API int pdp_authorize(pdp_engine *e, const pdp_request *req, pdp_decision *out,
    pdp_explanation *ex);

// pdp_authorize_many decides n requests against the engine's current
// bundle, one bundle for them all, as pdp_bundle_authorize_many does.
PDP_API int pdp_authorize_many(pdp_engine *e, const pdp_request *req,
    size_t n, pdp_decision *out);

#ifdef __cplusplus
}
#endif

#endif // PDP_H
