// creds.h - internals of pdpcreds shared across its files: the keyring's
// keys, the claims codec and the token cipher.

#ifndef PDP_CREDSI_H
#define PDP_CREDSI_H

#include <stdarg.h>

#include "pdp_creds.h"

#define PDPCI_KCV_LEN 4    // key check value bytes in a token's header
#define PDPCI_NONCE_LEN 12 // AES-GCM nonce
#define PDPCI_TAG_LEN 16   // AES-GCM tag
#define PDPCI_HEAD_LEN 9   // format version, key id, key check value
#define PDPCI_FORMAT 1     // the token's binary format version

typedef struct pdpci_key {
	uint32_t id;
	uint8_t kcv[PDPCI_KCV_LEN];
	uint8_t key[PDP_CREDS_KEY_BYTES];
} pdpci_key;

struct pdp_creds_keyring {
	uint32_t n;
	pdpci_key keys[PDP_CREDS_KEYS_MAX]; // sorted by id
};

// pdpci_keyring_find returns key `id`, or NULL.
const pdpci_key *pdpci_keyring_find(const pdp_creds_keyring *kr,
    uint32_t id);

// pdpci_errf formats an error into err (errlen bytes, may be NULL) and
// returns rv.
int pdpci_errf(int rv, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// pdpci_claims_check checks the claims' structure and limits
// (pdp_creds_seal's contract). PDP_OK or PDP_EINVAL / PDP_ETOOBIG, with
// err naming the claim.
int pdpci_claims_check(const pdp_creds_claims *c, char *err, size_t errlen);

// pdpci_claims_pack packs `c` with msgpack into a malloc'd buffer
// (*out, *len). PDP_OK or PDP_ENOMEM.
int pdpci_claims_pack(const pdp_creds_claims *c, char **out, size_t *len);

// pdpci_claims_unpack reads packed claims (len bytes) into a new token
// that owns copies of every string. PDP_ECORRUPT when they are not
// claims, PDP_EVERSION for another claims version, PDP_ENOMEM.
int pdpci_claims_unpack(const char *p, size_t len, pdp_creds_token **out,
    char *err, size_t errlen);

#endif // PDP_CREDSI_H
