// iamsi.h - internals shared by the IAM service's files: the call
// context, the operation table, AWS errors, name and limit checks, ids,
// ARNs, and authorization.

#ifndef IAMSI_H
#define IAMSI_H

#include <pthread.h>

#include "iams.h"
#include "pdp_creds.h"
#include "store.h"

// IAM is a global service whose endpoint (and signing region) is AWS's
// us-east-1: the region reported for IAM calls (GetAccessKeyLastUsed)
// and for AssumeRole (RoleLastUsed).
#define IAMSI_REGION "us-east-1"

// Seconds between two records of a key's or a role's use
// (GetAccessKeyLastUsed, RoleLastUsed): a busy key or role does not cost
// a commit per call.
#define IAMSI_LAST_USED_EVERY 60

// AWS's IAM quotas (iam-semantics 13).
#define IAMSI_USER_NAME_MAX 64
#define IAMSI_GROUP_NAME_MAX 128
#define IAMSI_ROLE_NAME_MAX 64
#define IAMSI_POLICY_NAME_MAX 128
#define IAMSI_PATH_MAX 512
#define IAMSI_GROUPS_PER_ACCOUNT 300
#define IAMSI_ROLES_PER_ACCOUNT 1000
#define IAMSI_POLICIES_PER_ACCOUNT 1500
#define IAMSI_USERS_PER_ACCOUNT 5000
#define IAMSI_ATTACH_USER 20
#define IAMSI_ATTACH_GROUP 10
#define IAMSI_ATTACH_ROLE 25
#define IAMSI_GROUPS_PER_USER 10
#define IAMSI_KEYS_PER_USER 2
#define IAMSI_VERSIONS_MAX 5
#define IAMSI_TAGS_MAX 50
#define IAMSI_TAG_KEY_MAX 128
#define IAMSI_TAG_VALUE_MAX 256
#define IAMSI_MANAGED_SIZE 6144
#define IAMSI_INLINE_USER 2048
#define IAMSI_INLINE_GROUP 5120
#define IAMSI_INLINE_ROLE 10240
#define IAMSI_TRUST_SIZE 2048
#define IAMSI_DOC_MAX 131072
#define IAMSI_DESC_MAX 1000

struct iams_service {
	pthread_mutex_t mu;  // serializes calls (one store connection)
	iams_store *st;
	pdp_engine *engine;
	uint8_t key[IAMS_KEY_LEN];
	bool has_key;
	uint32_t users_max;
	uint32_t argon2_kib;
	int64_t (*clock)(void *arg); // iams_options.clock; NULL: time()
	void *clock_arg;
	bool batch;          // rebuilds deferred (iams_service_batch)
	// The STS keyring as the store holds it, and the cache that opens
	// session tokens with it (calls are serialized: one thread at a time).
	pdp_creds_keyring *keyring;
	pdp_creds_cache *creds;
	iams_stats stats;
	struct iamsi_live *live; // the compiled store (rebuild.c)
	bool stale;          // the last rebuild failed: no bundle is live
	bool full_only;      // every rebuild is a full one (tests compare)
	int64_t trail_pruned; // when the audit trail was last pruned
};

// One call in flight.
typedef struct iamsi_ctx {
	iams_service *s;
	iams_store *st;
	const char *caller;    // the caller's ARN
	// The caller's session when it signed with temporary credentials
	// (iams_call_session): its claims and its token; NULL for
	// long-term credentials.
	const pdp_creds_claims *session;
	const char *token;
	// The access key id the caller signed with (AKIA... or ASIA...),
	// for the audit trail; NULL when not known.
	const char *access_key_id;
	char account[13];      // the caller's account
	bool root;             // the caller is the account's root user
	bool is_user;          // the caller is an IAM user ...
	char user[IAMSI_USER_NAME_MAX + 1]; // ... of this name
	const json_t *params;
	json_t *resp;          // the response object being built
	bool changed;          // the call wrote: bump, commit, rebuild
	bool authorized;       // iamsi_authorize allowed the call
	int64_t now;
	iams_error *err;
} iamsi_ctx;

typedef int (*iamsi_handler)(iamsi_ctx *c);

// iamsi_ctx_init prepares a call's context (no caller yet); iamsi_run
// runs operation `op` for c->caller as iams_call says.
void iamsi_ctx_init(iamsi_ctx *c, iams_service *s, const json_t *params,
    iams_error *err);
int iamsi_run(iamsi_ctx *c, const char *op, json_t **response);

typedef struct iamsi_op {
	const char *name;      // "CreateUser"
	iamsi_handler fn;
	bool write;            // takes the write lock
} iamsi_op;

// The operation tables of the ops_*.c files, each ending with {NULL}.
extern const iamsi_op iamsi_ops_users[];
extern const iamsi_op iamsi_ops_groups[];
extern const iamsi_op iamsi_ops_roles[];
extern const iamsi_op iamsi_ops_policies[];
extern const iamsi_op iamsi_ops_inline[];
extern const iamsi_op iamsi_ops_tags[];
extern const iamsi_op iamsi_ops_keys[];
extern const iamsi_op iamsi_ops_login[];
extern const iamsi_op iamsi_ops_account[];
extern const iamsi_op iamsi_ops_mfa[];
extern const iamsi_op iamsi_ops_sts[];
extern const iamsi_op iamsi_ops_report[];
extern const iamsi_op iamsi_ops_trail[];

// --- the audit trail (trail.c) ---------------------------------------------------

// iamsi_trail_record appends the event of call `op` (its outcome: `ok`,
// else c->err) from `source` ("iam.amazonaws.com") to the store, inside
// the caller's write transaction; nothing when the caller has no
// account. Events past AWS's 90 days are pruned now and then.
int iamsi_trail_record(iamsi_ctx *c, const char *op, const char *source,
    bool ok);
// iamsi_trail_read_only says whether CloudTrail calls `op` read-only
// (Get*, List*, Lookup*, ...).
bool iamsi_trail_read_only(const char *op);
// iamsi_trail_alone records the event of a call that committed nothing
// (a read, or a failure with `rv` and c->err) in a transaction of its
// own, the service locked. It returns rv, or for a successful call whose
// event could not be kept a ServiceFailure: no call goes unrecorded.
int iamsi_trail_alone(iamsi_ctx *c, const char *op, int rv);

// --- errors (util.c) ---------------------------------------------------------

// iamsi_fail fills c->err with an AWS error and returns PDP_EINVAL; the
// HTTP status follows from the code.
int iamsi_fail(iamsi_ctx *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
// iamsi_store_fail turns a store failure into ServiceFailure (or
// NoSuchEntity for PDP_ENOENT when `what` is given).
int iamsi_store_fail(iamsi_ctx *c, int rv, const char *what);
void iamsi_error_set(iams_error *e, const char *code, const char *msg);

// --- parameters (util.c) -------------------------------------------------------

// iamsi_str returns string param `name`, or NULL when absent. A present
// param of another type is a ValidationError (*bad set).
const char *iamsi_str(iamsi_ctx *c, const char *name, bool *bad);
// iamsi_need returns a required string param or fails the call
// (ValidationError) and returns NULL.
const char *iamsi_need(iamsi_ctx *c, const char *name);
// iamsi_bool / iamsi_int read optional params (defaults when absent);
// false when present but of the wrong type (the call has failed).
bool iamsi_bool(iamsi_ctx *c, const char *name, bool dflt, bool *out);
bool iamsi_int(iamsi_ctx *c, const char *name, int64_t dflt, int64_t *out);

// --- checks (util.c); each fails the call and returns false ------------------

bool iamsi_check_name(iamsi_ctx *c, const char *field, const char *v,
    size_t max);
bool iamsi_check_path(iamsi_ctx *c, const char *field, const char *v);
bool iamsi_check_policy_path(iamsi_ctx *c, const char *field,
    const char *v);
bool iamsi_check_description(iamsi_ctx *c, const char *v);
// iamsi_check_document validates a policy document of `type` with the
// policy compiler: MalformedPolicyDocument with every diagnostic;
// `managed` adds CreatePolicy's rules (Version 2012-10-17, 6,144
// characters). *size gets the size without whitespace.
bool iamsi_check_document(iamsi_ctx *c, const char *doc,
    pdp_policy_type type, bool managed, size_t *size);
// iamsi_chars counts the characters of UTF-8 text (jansson's strings
// are valid UTF-8): AWS's length limits count characters, not bytes.
size_t iamsi_chars(const char *s);

// iamsi_doc_size counts the characters of a document, whitespace not
// counted, as IAM's size quotas do.
size_t iamsi_doc_size(const char *doc);

// Paging: Marker and MaxItems (1-1000, default 100).
bool iamsi_paging(iamsi_ctx *c, const char **marker, uint32_t *max);

// --- ids, ARNs, time (util.c) --------------------------------------------------

// iamsi_random_id writes `prefix` then 16 (or `n`) random characters of
// [A-Z0-9] (access key ids and unique ids alike) into out.
void iamsi_random_id(const char *prefix, size_t n, char *out);
// iamsi_arn writes "arn:aws:iam::ACCOUNT:TYPE" PATH NAME.
void iamsi_arn(char *out, size_t len, const char *account,
    const char *type, const char *path, const char *name);
// iamsi_date writes Unix seconds as ISO 8601 ("2024-05-01T10:00:00Z").
json_t *iamsi_date(int64_t t);

// --- authorization (iams.c) -----------------------------------------------------

// iamsi_authorize decides `action` on `resource` for the caller with the
// live bundle; AccessDenied (false) unless allowed. `tags`: the request's
// tags (a JSON array of {Key, Value}) for aws:RequestTag / aws:TagKeys,
// or NULL.
bool iamsi_authorize(iamsi_ctx *c, const char *action,
    const char *resource, const json_t *tags);
// iamsi_account_insert adds account `id` and its root user to the store
// (inside the caller's write transaction): PDP_EINVAL when the account
// exists, else as the store.
int iamsi_account_insert(iams_store *st, const char *id, int64_t now);
// iamsi_root_only fails the call with AccessDenied unless the caller is
// root: root-only tasks (iam-semantics 14) stay root's even for a caller
// allowed *:*.
bool iamsi_root_only(iamsi_ctx *c, const char *action);

// --- shared entity helpers (ops_users.c) ----------------------------------------

// iamsi_entity_find looks up `name` of `kind` in the caller's account,
// authorizes `action` on its ARN (the ARN without a path when it does
// not exist, as AWS does) and fails with NoSuchEntity when absent.
bool iamsi_entity_find(iamsi_ctx *c, iams_kind kind, const char *name,
    const char *action, iams_entity *out);
// iamsi_entity_arn writes the ARN of an entity.
void iamsi_entity_arn(const iams_entity *e, char *out, size_t len);
// iamsi_tags_json returns the tags of an owner as [{Key, Value}].
json_t *iamsi_tags_json(iamsi_ctx *c, bool policy, int64_t owner);
// iamsi_tags_apply validates `tags` (a Tags param) and sets them on the
// owner: all or nothing, 50 at most in the end. With `fresh` the owner
// has no tags yet.
bool iamsi_tags_check(iamsi_ctx *c, const json_t *tags);
bool iamsi_tags_apply(iamsi_ctx *c, bool policy, int64_t owner,
    const json_t *tags);

// iamsi_self_or_named resolves an optional UserName param: absent means
// the caller itself (root included), as AWS's GetUser, access key and
// login profile calls do; authorizes `action` on the user.
bool iamsi_self_or_named(iamsi_ctx *c, const char *action, iams_entity *e);
// iamsi_user_json is AWS's User shape of a user or root (`tags`: with
// its Tags).
json_t *iamsi_user_json(iamsi_ctx *c, const iams_entity *e, bool tags);
// iamsi_list_entities is ListUsers, ListGroups and ListRoles: PathPrefix,
// Marker (the last name returned) and MaxItems; `fn` makes one item.
int iamsi_list_entities(iamsi_ctx *c, iams_kind kind, const char *action,
    const char *field, json_t *(*fn)(iamsi_ctx *, const iams_entity *,
    bool));
// iamsi_boundary_json adds PermissionsBoundary to an entity's shape.
void iamsi_boundary_json(iamsi_ctx *c, json_t *o, const iams_entity *e);
// iamsi_boundary_param resolves a PermissionsBoundary ARN (NULL: none,
// *pid 0) to its policy key; fails the call when unknown.
bool iamsi_boundary_param(iamsi_ctx *c, const char *arn, int64_t *pid);

// What hangs off an entity, for DeleteConflict.
typedef struct iamsi_counts {
	uint32_t groups, members, attached, inl, keys;
	bool login;
} iamsi_counts;

int iamsi_count_entity(iamsi_ctx *c, const iams_entity *e, iamsi_counts *n);

// --- policies (ops_policies.c) ----------------------------------------------

// iamsi_policy_find looks up a managed policy by ARN: a customer managed
// one of the caller's account or an AWS managed one (its usage counted
// in the caller's account), with NoSuchEntity / InvalidInput, and
// authorizes `action` on it when `action` is not NULL.
bool iamsi_policy_find(iamsi_ctx *c, const char *arn, const char *action,
    iams_policy *out);
// iamsi_policy_writable fails the call (AccessDenied) when `p` is an AWS
// managed policy: those are read-only to every account.
bool iamsi_policy_writable(iamsi_ctx *c, const iams_policy *p,
    const char *action);

// --- access keys (ops_keys.c) --------------------------------------------------

#define IAMSI_SECRET_LEN 40 // characters of a secret access key

// iamsi_key_open decrypts a sealed secret into out (IAMSI_SECRET_LEN + 1
// bytes); false when the store key or the data is wrong. The caller
// wipes `out` (OPENSSL_cleanse) as soon as it is done with it.
bool iamsi_key_open(const uint8_t key[IAMS_KEY_LEN], const char *key_id,
    const uint8_t *sealed, size_t len, char *out);

// --- passwords (ops_login.c) --------------------------------------------------

// --- the bundle (model.c) -------------------------------------------------------

// iamsi_model builds the account model of the whole store (inside a read
// transaction the caller holds).
int iamsi_model(iams_store *st, bool all_versions, json_t **out);
// iamsi_rebuild compiles the store into a bundle and swaps it in:
// incrementally when it can, else (or when that fails) in full from the
// account model. When both fail no bundle stays live (every decision
// denies) and s->stale asks the next call to try again.
int iamsi_rebuild(iams_service *s, char *err, size_t errlen);
// iamsi_rebuild_full writes the bundle of the store's account model as
// `iamc compile` would (*data malloc'd; the caller frees it). `*empty`
// says the store has no account (then *data is NULL).
int iamsi_rebuild_full(iams_service *s, void **data, size_t *len,
    uint64_t *rev, bool *empty, char *err, size_t errlen);

// --- AWS managed policies (aws_managed.c) --------------------------------------

// iamsi_aws_load loads the AWS managed policies of file `path` (and of
// its companion PATH-meta.json, when present) into a store that has
// none yet; a store that has them is left as it is.
int iamsi_aws_load(iams_service *s, const char *path, char *err,
    size_t errlen);

// --- the incremental rebuild (rebuild.c) ----------------------------------------

typedef struct iamsi_live iamsi_live;

int iamsi_live_open(iamsi_live **out);
void iamsi_live_close(iamsi_live *lv);
// iamsi_live_invalidate makes the next build read the whole store.
void iamsi_live_invalidate(iamsi_live *lv);
// iamsi_live_fail_next makes the next build fail (tests of the
// fallback).
void iamsi_live_fail_next(iamsi_live *lv);
// iamsi_live_build brings the compiled store up to date with what the
// store recorded (store.h, change tracking), or reads it whole (*full)
// when it cannot, and writes the bundle as iamsi_rebuild_full does.
int iamsi_live_build(iamsi_live *lv, iams_store *st, void **data,
    size_t *len, uint64_t *rev, bool *full, bool *empty, char *err,
    size_t errlen);


// --- STS sessions (sts_session.c, sts_keyring.c) ---------------------------------

// iamsi_session_issue makes the credentials of session `g`: it fills
// g->access_key_id (a new ASIA id), g->secret_access_key and g->account,
// seals `g` into a session token under the store's signing key, and sets
// *credentials to AWS's Credentials shape. False when the call failed.
bool iamsi_session_issue(iamsi_ctx *c, pdp_creds_claims *g,
    json_t **credentials);

// iamsi_sts_rotate is RotateSessionKeys (ours, root only): a new key
// seals from now on; keys that stopped sealing longer ago than the
// longest session are retired.
int iamsi_sts_rotate(iamsi_ctx *c);

// iamsi_keyring_open loads the store's keyring into the service when it
// has a store key, first making a key when the store has none (a new
// store, or one from before the keyring); iamsi_keyring_close frees it.
int iamsi_keyring_open(iams_service *s, int64_t now, char *err,
    size_t errlen);
void iamsi_keyring_close(iams_service *s);

// iamsi_keyring_ready brings the service's keyring (and the cache that
// opens tokens with it) up to date with the store, making the first key
// when the store has none. False when the call failed.
bool iamsi_keyring_ready(iamsi_ctx *c);

// iamsi_session_open opens session token `token` presented with access
// key id `akid`, with the store's keyring (the service locked): on
// success *out holds its claims (pdp_creds_token_free). Otherwise fails
// the call as AWS does: InvalidClientTokenId for a token that is not
// ours, tampered, of another access key or sealed under a retired key;
// ExpiredToken past its expiry.
int iamsi_session_open(iamsi_ctx *c, const char *akid, const char *token,
    pdp_creds_token **out);

// iamsi_decide decides `req` for the call's caller: through its session
// (session policies, session tags and keys) when it has one, else with
// the live bundle alone. Fills d and ex as pdp_bundle_authorize does.
// `mfa`: the call verified an MFA code, which a session's own MFA keys
// must not hide (pdp_creds_caller.mfa_verified).
void iamsi_decide(iamsi_ctx *c, const pdp_request *req, pdp_decision *d,
    pdp_explanation *ex, bool mfa);

// iamsi_authorize_ctx is iamsi_authorize with `n` (at most
// IAMSI_EXTRA_MAX) more context keys; `mfa`: the call verified an MFA
// code (AssumeRole's TokenCode), which counts whatever the caller's own
// MFA state (iamsi_decide).
#define IAMSI_EXTRA_MAX 16
bool iamsi_authorize_ctx(iamsi_ctx *c, const char *action,
    const char *resource, const json_t *tags,
    const pdp_context_entry *extra, uint32_t n, bool mfa);


#endif // IAMSI_H
