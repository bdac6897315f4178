// iams_auth.h - who is calling the IAM service from outside the process:
// requests signed with an access key (iams_sign on the client,
// iams_authenticate on the server), and the store key file that seals
// access-key secrets at rest (iams_keyfile_load).
//
// The signature is AWS's Signature Version 4 in spirit, made simpler for
// one service on a local socket (proto/README.md, "Signing"): an
// HMAC-SHA256, keyed by the secret access key, over the canonical string
//
//   IAMPDP1-HMAC-SHA256 \n SERVICE \n ACTION \n TIMESTAMP \n ID \n PARAMS
//
// where TIMESTAMP is Unix seconds and ID the wire request id, both in
// decimal, and PARAMS the request fields' JSON text, byte for byte as
// sent. The signature travels as 64 lowercase hex digits.
//
//   char sig[IAMS_SIG_HEX + 1];
//   iams_signed r = {"iam", "CreateUser", text, len, id, time(NULL),
//       akid, NULL, sig};
//   iams_sign(secret, &r, sig);                        // client
//   iams_authenticate(s, &r, time(NULL), arn, sizeof(arn), &e); // server

#ifndef IAMS_AUTH_H
#define IAMS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iams.h"

#define IAMS_SIG_VERSION "IAMPDP1-HMAC-SHA256" // the canonical string's tag
#define IAMS_SIG_HEX 64     // hex digits of a signature
#define IAMS_SIG_SKEW 300   // seconds a request's time may be off (AWS: 5 min)

// A signed request: what the signature covers and who signed it.
// Borrowed strings, valid for the call.
typedef struct iams_signed {
	const char *service;       // "iam" or "sts"
	const char *action;        // AWS's operation name, "CreateUser"
	const char *params;        // the request fields, JSON text as sent
	size_t params_len;
	uint64_t id;               // the wire request id
	uint64_t timestamp;        // Unix seconds when the client signed
	const char *access_key_id; // AKIA... (long-term), ASIA... (session)
	const char *session_token; // NULL with a long-term key
	const char *signature;     // 64 lowercase hex digits
} iams_signed;

// iams_sign computes the signature of `req` (its `signature` is not
// read) with `secret`, the secret access key, into `out` (64 hex digits
// and a NUL). PDP_OK; PDP_EINVAL when service or action are not plain
// letters (they would make the canonical string ambiguous); PDP_ENOMEM.
int iams_sign(const char *secret, const iams_signed *req,
    char out[IAMS_SIG_HEX + 1]);

// iams_authenticate verifies a signed request for the service at time
// `now` (Unix seconds) and on success writes the caller's ARN (the user
// or root that owns the key) into `caller` (callerlen bytes; 2048 always
// suffice). The key must exist and be Active, its owner a user or root,
// the signature must match (compared in constant time) and the request
// time must be within IAMS_SIG_SKEW of `now`. The key's last use
// (GetAccessKeyLastUsed) is recorded, at most once a minute per key.
// The secret is unsealed only here, never leaves this call and is wiped.
// Errors are AWS's, in `err`, with PDP_EINVAL: MissingAuthenticationToken,
// IncompleteSignature, InvalidClientTokenId (unknown or inactive key; a
// session token that does not open or is another key's), ExpiredToken,
// SignatureDoesNotMatch,
// RequestExpired; ServiceFailure (PDP_EIO) when the store fails. Any
// thread; serialized with iams_call.
int iams_authenticate(iams_service *s, const iams_signed *req, int64_t now,
    char *caller, size_t callerlen, iams_error *err);

// iams_keyfile_load reads the store key of the store at `store_path`
// from STORE_PATH.key (IAMS_KEY_LEN bytes, mode 0600), or with `create`
// makes one from random bytes when the file is absent. PDP_OK, PDP_EIO
// (cannot read or write it) or PDP_ECORRUPT (not a key), with `err` set.
int iams_keyfile_load(const char *store_path, bool create,
    uint8_t key[IAMS_KEY_LEN], char *err, size_t errlen);

// iams_aws_managed_default returns the AWS managed policies file a new
// store loads (iams_options.aws_managed): the installed one
// (share/iampdp/), else the repository's in a build tree, else NULL.
const char *iams_aws_managed_default(void);

#endif // IAMS_AUTH_H
