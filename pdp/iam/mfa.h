// mfa.h - what other IAM service files use of MFA devices (ops_mfa.c):
// checking a one-time code for STS (GetSessionToken, AssumeRole), and
// sealing secrets with the store key.
//
//   // in an STS operation registered as a write (iamsi_op.write):
//   if (serial != NULL && !iamsi_mfa_verify(c, serial, token_code, NULL))
//           return PDP_EINVAL;          // c->err says why
//   // ... the session has aws:MultiFactorAuthPresent, auth at c->now

#ifndef IAMS_MFA_H
#define IAMS_MFA_H

#include "iamsi.h"

#define IAMSI_MFA_PER_USER 8  // devices enabled per user or root
#define IAMSI_MFA_SKEW 1      // steps of clock skew accepted either way
#define IAMSI_MFA_RESYNC 40   // steps ResyncMFADevice searches either way
// The name AWS gives root's virtual device; only root may create it.
#define IAMSI_MFA_ROOT_NAME "root-account-mfa-device"

// iamsi_mfa_verify checks one-time `code` from MFA device `serial` for
// the principal `owner_arn` (NULL: the caller, c->caller), within call c:
//  - the device is in the caller's account and enabled for that
//    principal: an IAM user's ARN (matched by name, as callers are) or
//    the account's root; any other principal has no MFA device;
//  - `code` is 6 digits and the TOTP of a step within IAMSI_MFA_SKEW of
//    now (c->now, shifted by the device's drift from ResyncMFADevice);
//  - that step is later than the last one accepted for the device (a
//    code is good once: replay is refused).
// On success it records the step in the store inside c's transaction and
// returns true. Register the calling operation as a write so the update
// never meets a concurrent writer; it need not set c->changed (MFA state
// is not in the bundle). Otherwise returns false with c->err set:
// ValidationError for a malformed serial or code, AccessDenied with
// STS's messages for an unknown, unassigned or foreign device and for a
// wrong or replayed code, ServiceFailure for a store or seal failure.
// It authorizes nothing (the STS action is the caller's to authorize)
// and never logs the code or the seed.
bool iamsi_mfa_verify(iamsi_ctx *c, const char *serial, const char *code,
    const char *owner_arn);

// iamsi_mfa_summary adds GetAccountSummary's MFA figures to `map`:
// MFADevices (all, assigned or not), MFADevicesInUse (enabled) and
// AccountMFAEnabled (1 when root has a device enabled). Returns a store
// result.
int iamsi_mfa_summary(iamsi_ctx *c, json_t *map);

// Sealing: AES-256-GCM under the store key, with `ad` (the row's id: an
// access key id, a device serial) as additional data so that sealed bytes
// cannot be moved to another row. Sealed = nonce, ciphertext, tag.
#define IAMSI_SEAL_NONCE 12
#define IAMSI_SEAL_TAG 16
#define IAMSI_SEAL_OVERHEAD (IAMSI_SEAL_NONCE + IAMSI_SEAL_TAG)

// iamsi_seal encrypts n bytes (1 or more) of `in` into out, which holds
// n + IAMSI_SEAL_OVERHEAD bytes. False when OpenSSL fails.
bool iamsi_seal(const uint8_t key[IAMS_KEY_LEN], const char *ad,
    const uint8_t *in, size_t n, uint8_t *out);
// iamsi_unseal decrypts `len` sealed bytes into out (len -
// IAMSI_SEAL_OVERHEAD bytes). False when the key, `ad` or the bytes are
// not the ones sealed (out is then zeroed).
bool iamsi_unseal(const uint8_t key[IAMS_KEY_LEN], const char *ad,
    const uint8_t *in, size_t len, uint8_t *out);

#endif // IAMS_MFA_H
