// pdp_creds.h - credentials for libpdp: sealed session tokens, the
// keyrings that seal them, and deciding requests whose caller is named by
// an access key instead of an ARN (library pdpcreds, pdp/creds/).
//
// A session token is self-contained and authenticated: the claims of a
// session (who it is, whose policies apply, its expiry, MFA state, session
// tags and session policies) are packed with msgpack and sealed with
// AES-256-GCM under a key of a keyring. Any PDP holding the keyring opens
// it without a lookup. Keys rotate: the newest key (the highest id) seals,
// every key of the keyring opens.
//
// A request named by an access key is decided as AWS decides it
// (iam-semantics 6.10): an ASIA key with its token is the token's session
// (principal, identity policies, session policies as an intersection,
// session tags over the principal's tags, aws:TokenIssueTime,
// aws:MultiFactorAuthPresent / Age, aws:SourceIdentity); an AKIA key is
// looked up in the bundle's access-key table. Context keys that the
// credentials decide are never taken from the caller.
//
// Secrets (session tokens, secret access keys, keyring keys) are never
// logged by this library, and no error text repeats them.

#ifndef PDP_CREDS_H
#define PDP_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp.h"

#ifdef __cplusplus
extern "C" {
#endif

// --- Keyrings ---------------------------------------------------------------
//
// A keyring is a set of AES-256 keys, each with a non-zero 32-bit id. The
// key with the highest id seals new tokens; all of them open tokens. To
// rotate: add a new key (it seals from then on), keep the old ones until
// the longest session sealed under them has expired, then remove them
// (their tokens are then refused with PDP_EUNKNOWNKEY).
//
// A keyring is not locked: build it on one thread, then share it
// read-only (every function taking a const keyring is thread-safe).

#define PDP_CREDS_KEY_BYTES 32 // AES-256
#define PDP_CREDS_KEYS_MAX 64  // keys one keyring holds

typedef struct pdp_creds_keyring pdp_creds_keyring;

// pdp_creds_keyring_alloc makes an empty keyring. PDP_OK or PDP_ENOMEM.
PDP_API int pdp_creds_keyring_alloc(pdp_creds_keyring **out);

// pdp_creds_keyring_free wipes the keys and frees the keyring. free(NULL)
// is a no-op.
PDP_API void pdp_creds_keyring_free(pdp_creds_keyring *kr);

// pdp_creds_keyring_add adds key `id` with PDP_CREDS_KEY_BYTES bytes
// `key` (copied). PDP_EINVAL when id is 0 or already present;
// PDP_ETOOBIG when the keyring is full.
PDP_API int pdp_creds_keyring_add(pdp_creds_keyring *kr, uint32_t id,
    const uint8_t key[PDP_CREDS_KEY_BYTES]);

// pdp_creds_keyring_generate adds a random key (OpenSSL's RAND_bytes)
// whose id is one more than the highest, so that it seals from now on,
// and writes its id to *id (may be NULL). PDP_EIO when the random source
// fails; PDP_ETOOBIG when the keyring is full or the ids are exhausted.
PDP_API int pdp_creds_keyring_generate(pdp_creds_keyring *kr, uint32_t *id);

// pdp_creds_keyring_remove removes key `id` (wiped). PDP_ENOENT when the
// keyring has no such key.
PDP_API int pdp_creds_keyring_remove(pdp_creds_keyring *kr, uint32_t id);

// pdp_creds_keyring_count returns the number of keys; _signer the id of
// the key that seals (the highest), 0 when the keyring is empty.
PDP_API uint32_t pdp_creds_keyring_count(const pdp_creds_keyring *kr);
PDP_API uint32_t pdp_creds_keyring_signer(const pdp_creds_keyring *kr);

// pdp_creds_keyring_id returns the id of key number i (0 <= i < count),
// in increasing id order; 0 when i is out of range.
PDP_API uint32_t pdp_creds_keyring_id(const pdp_creds_keyring *kr,
    uint32_t i);

// pdp_creds_keyring_load reads a keyring file (proto/keyring.md). The
// file must be a regular file that only its owner may read or write
// (mode 0600 or 0400), else PDP_EINVAL: a key readable by others is a
// leaked key. PDP_EIO when it cannot be read, PDP_ECORRUPT when it is not
// a keyring (err says which line), PDP_EVERSION for an unknown format
// version. err (errlen bytes, may be NULL) never contains key material.
PDP_API int pdp_creds_keyring_load(const char *path, pdp_creds_keyring **out,
    char *err, size_t errlen);

// pdp_creds_keyring_save writes `kr` to `path` with mode 0600: to a
// temporary file in the same folder, fsynced, then renamed over `path`,
// so a reader never sees half a keyring. PDP_EIO (err says why).
PDP_API int pdp_creds_keyring_save(const pdp_creds_keyring *kr,
    const char *path, char *err, size_t errlen);

// --- Claims: what a session token carries -----------------------------------

// Kinds of temporary credentials (iam-semantics 6.2-6.5).
typedef enum pdp_creds_type {
	PDP_CREDS_ASSUMED_ROLE = 1,   // AssumeRole
	PDP_CREDS_FEDERATED_USER = 2, // GetFederationToken
	PDP_CREDS_SESSION_TOKEN = 3,  // GetSessionToken, of a user or root
} pdp_creds_type;

typedef struct pdp_creds_tag {
	const char *key;
	const char *value;
} pdp_creds_tag;

// Limits of one session (iam-semantics 6.3, 6.7, 6.8). Sealing refuses
// claims over them with PDP_ETOOBIG.
#define PDP_CREDS_CLAIMS_VERSION 1  // the sealed claims' format
#define PDP_CREDS_TAGS_MAX 50       // session tags
#define PDP_CREDS_POLICY_ARNS_MAX 10 // managed session policies
#define PDP_CREDS_POLICY_MAX 2048   // bytes of the inline session policy
#define PDP_CREDS_STRING_MAX 2048   // bytes of any other string claim
#define PDP_CREDS_TOKEN_MAX 16384   // characters of a token's text

// The token text: this prefix, then standard base64 of
// {format version (1 byte), key id (4 bytes, big-endian), key check
// value (4 bytes), nonce (12 bytes), ciphertext, GCM tag (16 bytes)}.
// The prefix and the first nine bytes are the GCM additional data.
#define PDP_CREDS_TOKEN_PREFIX "pdpst1."

// The claims of one session. Every string is NUL-terminated UTF-8.
// Strings given to pdp_creds_seal are borrowed for the call; those of an
// opened token belong to the token (pdp_creds_token_claims).
typedef struct pdp_creds_claims {
	uint32_t version;           // PDP_CREDS_CLAIMS_VERSION (seal sets it)
	pdp_creds_type type;
	const char *account;        // 12 digits: the session's account
	// The session's ARN: arn:aws:sts::A:assumed-role/ROLE/SESSION,
	// arn:aws:sts::A:federated-user/NAME, or for GetSessionToken the
	// user's ARN (path included) or arn:aws:iam::A:root.
	const char *arn;
	// The ARN whose identity policies (and boundary and tags) apply: the
	// role's ARN (path included), or the user (or root) who called
	// GetFederationToken / GetSessionToken.
	const char *policy_arn;
	// aws:userid: AROA...:SESSION (role), ACCOUNT:NAME (federated user),
	// AIDA... (user) or the account id (root). Its unique-id part must
	// still be the principal's: a token of a deleted and re-created role
	// or user is refused.
	const char *user_id;
	const char *access_key_id;  // ASIA..., 16-128 of [A-Za-z0-9_]
	const char *secret_access_key; // for request signing; never logged
	int64_t issued;             // Unix seconds: aws:TokenIssueTime
	int64_t expires;            // Unix seconds: refused from this second
	bool mfa;                   // authenticated with MFA
	int64_t mfa_time;           // Unix seconds of that authentication
	const char *source_identity; // NULL: none
	uint32_t ntags;             // session tags, keys unique ignoring case
	const pdp_creds_tag *tags;
	uint32_t ntransitive;       // transitive tag keys (role chaining)
	const char *const *transitive;
	const char *policy;         // NULL, or the inline session policy JSON
	uint32_t npolicy_arns;      // managed session policies, by ARN
	const char *const *policy_arns;
	bool chained;               // issued by role chaining
} pdp_creds_claims;

// pdp_creds_seal checks `c` (required strings present, ids and times
// sane, limits above), packs it and seals it under the keyring's signing
// key with a fresh random nonce. The token text (NUL-terminated) is
// written to out (cap bytes) and its length to *len (may be NULL).
// Errors: PDP_EINVAL (a claim is missing or malformed; err names it),
// PDP_ENOENT (empty keyring), PDP_ETOOBIG (a limit, or cap too small:
// PDP_CREDS_TOKEN_MAX + 1 always suffices), PDP_ENOMEM, PDP_EIO (the
// random source or the cipher failed). Thread-safe.
PDP_API int pdp_creds_seal(const pdp_creds_keyring *kr,
    const pdp_creds_claims *c, char *out, size_t cap, size_t *len,
    char *err, size_t errlen);

// An opened token: its claims and the memory they live in.
typedef struct pdp_creds_token pdp_creds_token;

// pdp_creds_open authenticates and decrypts token text `tok` (len bytes)
// and checks that it has not expired at `now` (Unix seconds). On success
// *out owns the claims. Each refusal has its own error:
//   PDP_ECORRUPT     not a token, or tampered: any changed byte
//   PDP_EVERSION     a token format or claims version this library lacks
//   PDP_EUNKNOWNKEY  sealed under a key id the keyring does not hold
//                    (removed by rotation, or another deployment's;
//                    kr may be NULL: no keyring at all)
//   PDP_EWRONGKEY    the keyring holds that id with other key bytes
//   PDP_EEXPIRED     authentic, but now >= expires
//   PDP_ENOMEM
// err (may be NULL) says what, never quoting the token. Thread-safe.
PDP_API int pdp_creds_open(const pdp_creds_keyring *kr, const char *tok,
    size_t len, int64_t now, pdp_creds_token **out, char *err,
    size_t errlen);

// pdp_creds_token_claims returns the token's claims; they live as long
// as the token.
PDP_API const pdp_creds_claims *pdp_creds_token_claims(
    const pdp_creds_token *t);

// pdp_creds_token_free wipes the secret and frees the token. NULL: no-op.
PDP_API void pdp_creds_token_free(pdp_creds_token *t);

// --- Deciding requests named by credentials ---------------------------------
//
// A cache belongs to one thread (no lock): a pdpd worker, a gateway
// thread. It keeps opened sessions keyed by the token's xxh3 (the whole
// token is compared on a hit): the claims, the session policy compiled
// once into a small bundle, and the context entries the session implies.
// A hit allocates nothing; expiry is checked on every request.

typedef struct pdp_creds_cache pdp_creds_cache;

#define PDP_CREDS_CACHE_DEFAULT 1024 // sessions, when capacity is 0

// pdp_creds_cache_alloc makes a cache of `capacity` sessions (0: the
// default) that opens tokens with `kr`, which the caller keeps alive and
// unchanged while the cache exists (NULL: every token is refused with
// PDP_EUNKNOWNKEY; long-term keys still decide). PDP_OK or PDP_ENOMEM.
PDP_API int pdp_creds_cache_alloc(const pdp_creds_keyring *kr,
    uint32_t capacity, pdp_creds_cache **out);

// pdp_creds_cache_free frees the cache and everything in it. NULL: no-op.
PDP_API void pdp_creds_cache_free(pdp_creds_cache *c);

// pdp_creds_cache_set_clock replaces the clock that says "now" (Unix
// seconds) for expiry and aws:MultiFactorAuthAge; NULL restores the
// system's real-time clock. For tests and simulations.
PDP_API void pdp_creds_cache_set_clock(pdp_creds_cache *c,
    int64_t (*now)(void *arg), void *arg);

// Counters of one cache.
typedef struct pdp_creds_cache_stats {
	uint64_t hits, misses; // requests with a token found / opened
	uint64_t evictions;    // sessions dropped to make room
	uint64_t refused;      // tokens that did not open
} pdp_creds_cache_stats;

PDP_API void pdp_creds_cache_stats_get(const pdp_creds_cache *c,
    pdp_creds_cache_stats *out);

// The caller of a request, by credentials.
typedef struct pdp_creds_caller {
	const char *access_key_id; // ASIA... with a token, AKIA... without
	const char *session_token; // NULL for long-term (AKIA) keys
	// An MFA code that the service deciding this very request has just
	// verified (STS's AssumeRole with SerialNumber and TokenCode): the
	// request then has aws:MultiFactorAuthPresent true and
	// aws:MultiFactorAuthAge 0, whatever the credentials say. Only the
	// verifier may set it; never from what a client sends.
	bool mfa_verified;
} pdp_creds_caller;

// pdp_creds_authorize decides request `q` against bundle `b` with the
// caller named by `who` instead of q->principal (which must be NULL, as
// must q->session_policy: the credentials say who calls and under which
// session policies). Context keys that the credentials decide
// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
// aws:username, aws:PrincipalTag/*, aws:TokenIssueTime,
// aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge, aws:SourceIdentity,
// aws:PrincipalIsAWSService, aws:PrincipalServiceName) are dropped from
// q's context and set from the credentials as iam-semantics 6.10 says.
//
// Credentials that are refused decide deny with out->err set: the token
// errors of pdp_creds_open; PDP_EINVAL when the token was issued for
// another access key id or the key id is malformed; PDP_ENOENT for an
// unknown AKIA key (or a deleted principal); PDP_EINACTIVE for an
// inactive one. Otherwise as pdp_bundle_authorize: returns out->err,
// never fails open. A cache hit allocates nothing and takes no lock; a
// miss opens the token and compiles its session policy (allocating).
// Explanation strings that name the inline session policy point into the
// cache: they live until the next call with the same cache. Only the
// thread that owns `c` may call this with it.
PDP_API int pdp_creds_authorize(pdp_creds_cache *c, const pdp_bundle *b,
    const pdp_creds_caller *who, const pdp_request *q, pdp_decision *out,
    pdp_explanation *ex);

#ifdef __cplusplus
}
#endif

#endif // PDP_CREDS_H
