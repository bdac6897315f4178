// iams.h - the IAM service: identities, policies and credentials kept in
// a store (store.h), changed through AWS's IAM API operations, every call
// authorized by the policy decision point against the caller's own
// policies, and every committed change compiled into the live bundle of
// the service's engine.
//
//   iams_service *s;
//   iams_service_open("iam.db", &opt, &s, err, sizeof(err));
//   iams_account_create(s, "111122223333", &e);   // the account and root
//   iams_call(s, "arn:aws:iam::111122223333:root", "CreateUser",
//       params, &resp, &e);                   // {"User": {...}}
//   pdp_authorize(iams_service_engine(s), &req, &d, NULL);

#ifndef IAMS_H
#define IAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "iamc.h"
#include "pdp.h"

typedef struct iams_service iams_service;

#define IAMS_KEY_LEN 32 // bytes of the store key (AES-256)

// An AWS error: code ("NoSuchEntity"), message and HTTP status.
typedef struct iams_error {
	char code[48];
	char message[2048];
	int status;
} iams_error;

typedef struct iams_options {
	// The store key that seals access-key secrets (AES-256-GCM). NULL:
	// CreateAccessKey answers ServiceFailure. Copied.
	const uint8_t *store_key;
	// Users per account; 0: AWS's 5,000. Benchmarks model more.
	uint32_t users_max;
	// Argon2id memory cost in KiB; 0: 19,456 (OWASP's minimum for
	// argon2id with t=2). Tests lower it.
	uint32_t argon2_kib;
	// The service's clock in Unix seconds (calls read it once, as
	// "now"); NULL: time(). Tests move it to check TOTP time steps
	// without sleeping.
	int64_t (*clock)(void *arg);
	void *clock_arg;
	// Rebuild every commit in full from the account model instead of
	// incrementally (benchmarks compare the two).
	bool full_rebuilds;
	// The AWS managed policies file (a JSON object of policy name to
	// document, such as the installed share/iampdp/
	// aws-managed-policies.json), loaded into a store that has none
	// yet; its companion NAME-meta.json beside it gives paths, version
	// ids and dates. NULL: none are loaded (a store keeps those it has).
	const char *aws_managed;
} iams_options;

// iams_service_open opens the store at `path` (created when absent),
// builds the bundle of its current state and makes it live. `opt` may be
// NULL. On failure `err` (errlen bytes, may be NULL) says why.
int iams_service_open(const char *path, const iams_options *opt,
    iams_service **out, char *err, size_t errlen);

// iams_service_close closes the store and the engine; close(NULL) is a
// no-op. No call or decision may be in flight.
void iams_service_close(iams_service *s);

// iams_service_engine returns the engine that holds the live bundle; it
// lives as long as the service. Decide with pdp_authorize from any
// thread while calls go on: a swap never blocks a decision.
pdp_engine *iams_service_engine(iams_service *s);

// iams_account_create creates account `id` (12 digits) with its root
// user, outside of any caller (the bootstrap `iam init` runs). Errors as
// iams_call.
int iams_account_create(iams_service *s, const char *id, iams_error *err);

// iams_call runs IAM operation `op` ("CreateUser") for the caller whose
// ARN is `caller_arn`, with AWS's request fields in `params` (an object;
// NULL: none). The call is authorized first (the caller's policies, the
// operation's action and the target's ARN; root-only tasks for root
// only), then runs as one store transaction; a change is durable and
// live (the engine decides with it) when iams_call returns. On success
// returns PDP_OK and sets *response (a new reference) to AWS's response
// shape; otherwise fills `err` and returns PDP_EINVAL (an AWS error) or
// PDP_EIO / PDP_ENOMEM (a ServiceFailure). Calls on one service are
// serialized; any thread may call.
int iams_call(iams_service *s, const char *caller_arn, const char *op,
    const json_t *params, json_t **response, iams_error *err);

// iams_call_key is iams_call for a caller that signed with its access
// key `access_key_id` (AKIA...), which the call's event in the audit
// trail names; iams_call knows of none.
int iams_call_key(iams_service *s, const char *caller_arn,
    const char *access_key_id, const char *op, const json_t *params,
    json_t **response, iams_error *err);

// iams_call_session is iams_call for a caller that signed with temporary
// credentials: access key id `access_key_id` (ASIA...) and its session
// token, as STS issued them. The token is opened with the store's
// keyring (a bad or foreign token, or one of another access key:
// InvalidClientTokenId; past its expiry: ExpiredToken); the caller is
// the token's session, and every decision of the call is made for that
// session (its session policies, session tags and context keys). What
// each kind of session may call follows AWS (iam-semantics 5.5). The
// request's signature is the transport's to check.
int iams_call_session(iams_service *s, const char *access_key_id,
    const char *session_token, const char *op, const json_t *params,
    json_t **response, iams_error *err);

// iams_keyring_export writes the service's STS keyring (the keys that
// open the session tokens it issues) to the keyring file `path`
// (proto/keyring.md, mode 0600), for a pdpd that decides for sessions
// without the store. Export again after RotateSessionKeys. PDP_OK, or an
// error with `err` (errlen bytes) saying why; PDP_ENOENT when the
// service has no store key (and so no keyring).
int iams_keyring_export(iams_service *s, const char *path, char *err,
    size_t errlen);

// iams_keyring_copy sets *out to a new keyring (pdp_creds_keyring_free
// it) holding the service's STS keys as the store has them now, for a
// PDP in the same process that decides for session callers (pdpd
// --store): rotations by any process on the store show in the next
// copy. PDP_OK; PDP_ENOENT without a store key; PDP_ECORRUPT when a
// key does not open with the store key; PDP_EIO, PDP_ENOMEM.
typedef struct pdp_creds_keyring pdp_creds_keyring;
int iams_keyring_copy(iams_service *s, pdp_creds_keyring **out);

// iams_export sets *model to the account model (compiler/ACCOUNT.md) of
// the store's current state: what `iamc compile` turns into the same
// bundle. `all_versions`: every version of managed policies, not only
// the default one. PDP_OK or an error.
int iams_export(iams_service *s, bool all_versions, json_t **model);

// iams_import loads an account model (compiler/ACCOUNT.md) into the
// store: every account of it with its root, customer managed policies
// (all versions), groups, roles and users, in one transaction, then
// rebuilds the bundle. The model must have passed the account model's
// validation (iamc_account_compile) and hold every document inline (no
// {"file": ...}). What the store cannot hold (an organization,
// resource-based or session policies, AWS managed policy ARNs) is
// reported to `d`, each with its path "FILE: JSON-PATH" (`file` names
// the model), and nothing is written (PDP_EPOLICY). The model's
// accounts must be new to the store: an account already there fails the
// import with EntityAlreadyExists in `err` (PDP_EINVAL) and nothing is
// written. The store's revision becomes the model's "revision" when
// that is higher (else it grows by one). PDP_OK when all of it is
// committed and live.
int iams_import(iams_service *s, const json_t *model, const char *file,
    iamc_diags *d, iams_error *err);

// Figures of the last bundle rebuild, for benchmarks and status.
typedef struct iams_stats {
	uint64_t revision;     // the store revision the live bundle has
	double rebuild_ms;     // the last rebuild: store to live bundle
	size_t bundle_bytes;
	uint64_t rebuilds;     // since open
	uint64_t rebuild_failures;
	uint64_t commit_ns;    // CLOCK_MONOTONIC when the last write committed
	uint64_t live_ns;      // ... and when its bundle went live
	bool last_full;        // the last rebuild read the whole store
	uint64_t fallbacks;    // incremental rebuilds that failed and were
	                       // redone in full
} iams_stats;

void iams_service_stats(iams_service *s, iams_stats *out);

// iams_service_batch defers rebuilds while `on` (bulk loads: every
// commit stays durable, but decisions see none of them) and rebuilds
// once when turned off. Returns the rebuild's result when turning off.
int iams_service_batch(iams_service *s, bool on);

// iams_op_names lists the operations iams_call knows (NULL-terminated).
const char *const *iams_op_names(void);

#endif // IAMS_H
