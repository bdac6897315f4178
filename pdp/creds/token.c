// token.c - sealing and opening session tokens: claims (claims.c) under
// AES-256-GCM with a keyring key (keyring.c), as base64 text after
// PDP_CREDS_TOKEN_PREFIX. The binary form and its additional data are in
// pdp_creds.h and proto/keyring.md.

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "creds.h"

#define PREFIX PDP_CREDS_TOKEN_PREFIX
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define OVERHEAD (PDPCI_HEAD_LEN + PDPCI_NONCE_LEN + PDPCI_TAG_LEN)

// The additional data: the prefix and the header, so that neither can be
// changed without the tag failing.
static bool
add_aad(EVP_CIPHER_CTX *x, const uint8_t *head, bool enc)
{
	uint8_t aad[PREFIX_LEN + PDPCI_HEAD_LEN];
	int n;

	memcpy(aad, PREFIX, PREFIX_LEN);
	memcpy(aad + PREFIX_LEN, head, PDPCI_HEAD_LEN);
	return enc ? EVP_EncryptUpdate(x, NULL, &n, aad, sizeof(aad)) == 1 :
	    EVP_DecryptUpdate(x, NULL, &n, aad, sizeof(aad)) == 1;
}

// encrypt seals plain (n bytes) into bin, whose header is already
// written: nonce, ciphertext and tag follow it.
static bool
encrypt(const pdpci_key *k, uint8_t *bin, const char *plain, size_t n)
{
	uint8_t *nonce = bin + PDPCI_HEAD_LEN, *ct = nonce + PDPCI_NONCE_LEN;
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int m = 0, f = 0;
	bool ok = x != NULL && n <= INT32_MAX &&
	    RAND_bytes(nonce, PDPCI_NONCE_LEN) == 1 &&
	    EVP_EncryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, PDPCI_NONCE_LEN,
	    NULL) == 1 &&
	    EVP_EncryptInit_ex(x, NULL, NULL, k->key, nonce) == 1 &&
	    add_aad(x, bin, true) &&
	    EVP_EncryptUpdate(x, ct, &m, (const uint8_t *) plain,
	    (int) n) == 1 &&
	    EVP_EncryptFinal_ex(x, ct + m, &f) == 1 &&
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, PDPCI_TAG_LEN,
	    ct + n) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

int
pdp_creds_seal(const pdp_creds_keyring *kr, const pdp_creds_claims *c,
    char *out, size_t cap, size_t *len, char *err, size_t errlen)
{
	pdp_creds_claims v = *c;
	char *plain = NULL;
	size_t n = 0;
	int rv;

	v.version = PDP_CREDS_CLAIMS_VERSION;
	if ((rv = pdpci_claims_check(&v, err, errlen)) != PDP_OK)
		return rv;
	if (kr == NULL || kr->n == 0)
		return pdpci_errf(PDP_ENOENT, err, errlen,
		    "the keyring has no key to seal with");
	if (pdpci_claims_pack(&v, &plain, &n) != PDP_OK)
		return pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	size_t binlen = OVERHEAD + n;
	size_t textlen = PREFIX_LEN + 4 * ((binlen + 2) / 3);
	if (textlen > PDP_CREDS_TOKEN_MAX || textlen >= cap) {
		OPENSSL_cleanse(plain, n);
		free(plain);
		return pdpci_errf(PDP_ETOOBIG, err, errlen, "the token would "
		    "be %zu characters (at most %d, and the buffer holds %zu)",
		    textlen, PDP_CREDS_TOKEN_MAX, cap ? cap - 1 : 0);
	}
	uint8_t *bin = malloc(binlen);
	const pdpci_key *k = &kr->keys[kr->n - 1];
	bool ok = false;
	if (bin != NULL) {
		bin[0] = PDPCI_FORMAT;
		bin[1] = (uint8_t) (k->id >> 24);
		bin[2] = (uint8_t) (k->id >> 16);
		bin[3] = (uint8_t) (k->id >> 8);
		bin[4] = (uint8_t) k->id;
		memcpy(bin + 5, k->kcv, PDPCI_KCV_LEN);
		ok = encrypt(k, bin, plain, n);
	}
	OPENSSL_cleanse(plain, n);
	free(plain);
	if (!ok) {
		free(bin);
		return bin == NULL ? pdpci_errf(PDP_ENOMEM, err, errlen,
		    "out of memory") : pdpci_errf(PDP_EIO, err, errlen,
		    "the cipher or the random source failed");
	}
	memcpy(out, PREFIX, PREFIX_LEN);
	EVP_EncodeBlock((unsigned char *) out + PREFIX_LEN, bin, (int) binlen);
	free(bin);
	if (len != NULL)
		*len = textlen;
	return PDP_OK;
}

// decode reads the canonical base64 of the token's body into a new
// buffer: re-encoding must give back exactly the text, so that no
// character (padding bits, whitespace) can change without notice.
static int
decode(const char *b64, size_t n, uint8_t **out, size_t *outlen)
{
	if (n == 0 || n % 4 != 0)
		return PDP_ECORRUPT;
	uint8_t *bin = malloc(n / 4 * 3 + 1);
	char *again = malloc(n + 1);
	int rv = PDP_ECORRUPT;

	if (bin == NULL || again == NULL) {
		rv = PDP_ENOMEM;
		goto done;
	}
	int m = EVP_DecodeBlock(bin, (const unsigned char *) b64, (int) n);
	if (m < 0 || (size_t) m != n / 4 * 3)
		goto done;
	size_t pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
	size_t blen = (size_t) m - pad;
	if (EVP_EncodeBlock((unsigned char *) again, bin, (int) blen) !=
	    (int) n || memcmp(again, b64, n) != 0)
		goto done;
	*out = bin;
	*outlen = blen;
	bin = NULL;
	rv = PDP_OK;
done:
	free(bin);
	free(again);
	return rv;
}

static bool
decrypt(const pdpci_key *k, const uint8_t *bin, size_t binlen, char *plain)
{
	const uint8_t *nonce = bin + PDPCI_HEAD_LEN;
	const uint8_t *ct = nonce + PDPCI_NONCE_LEN;
	size_t n = binlen - OVERHEAD;
	uint8_t tag[PDPCI_TAG_LEN];
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int m = 0, f = 0;

	memcpy(tag, ct + n, PDPCI_TAG_LEN);
	bool ok = x != NULL && n <= INT32_MAX &&
	    EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, PDPCI_NONCE_LEN,
	    NULL) == 1 &&
	    EVP_DecryptInit_ex(x, NULL, NULL, k->key, nonce) == 1 &&
	    add_aad(x, bin, false) &&
	    EVP_DecryptUpdate(x, (uint8_t *) plain, &m, ct, (int) n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, PDPCI_TAG_LEN,
	    tag) == 1 &&
	    EVP_DecryptFinal_ex(x, (uint8_t *) plain + m, &f) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok;
}

// open_bin checks the header and key of a decoded token and decrypts it
// into claims.
static int
open_bin(const pdp_creds_keyring *kr, const uint8_t *bin, size_t binlen,
    pdp_creds_token **out, char *err, size_t errlen)
{
	if (binlen < OVERHEAD + 1)
		return pdpci_errf(PDP_ECORRUPT, err, errlen,
		    "token: too short");
	if (bin[0] != PDPCI_FORMAT)
		return pdpci_errf(PDP_EVERSION, err, errlen,
		    "token: format %u is not %d", bin[0], PDPCI_FORMAT);
	uint32_t id = (uint32_t) bin[1] << 24 | (uint32_t) bin[2] << 16 |
	    (uint32_t) bin[3] << 8 | bin[4];
	const pdpci_key *k = pdpci_keyring_find(kr, id);
	if (k == NULL)
		return pdpci_errf(PDP_EUNKNOWNKEY, err, errlen, "token: "
		    "sealed under key %u, which the keyring does not hold",
		    (unsigned) id);
	if (CRYPTO_memcmp(k->kcv, bin + 5, PDPCI_KCV_LEN) != 0)
		return pdpci_errf(PDP_EWRONGKEY, err, errlen, "token: sealed "
		    "under another key with id %u (keyrings differ)",
		    (unsigned) id);
	size_t n = binlen - OVERHEAD;
	char *plain = malloc(n);
	if (plain == NULL)
		return pdpci_errf(PDP_ENOMEM, err, errlen, "out of memory");
	int rv;
	if (!decrypt(k, bin, binlen, plain))
		rv = pdpci_errf(PDP_ECORRUPT, err, errlen,
		    "token: authentication failed (altered)");
	else
		rv = pdpci_claims_unpack(plain, n, out, err, errlen);
	OPENSSL_cleanse(plain, n);
	free(plain);
	return rv;
}

int
pdp_creds_open(const pdp_creds_keyring *kr, const char *tok, size_t len,
    int64_t now, pdp_creds_token **out, char *err, size_t errlen)
{
	pdp_creds_token *t = NULL;
	uint8_t *bin = NULL;
	size_t binlen = 0;
	int rv;

	if (tok == NULL || len <= PREFIX_LEN || len > PDP_CREDS_TOKEN_MAX ||
	    memcmp(tok, PREFIX, PREFIX_LEN) != 0)
		return pdpci_errf(PDP_ECORRUPT, err, errlen,
		    "not a session token");
	rv = decode(tok + PREFIX_LEN, len - PREFIX_LEN, &bin, &binlen);
	if (rv != PDP_OK)
		return pdpci_errf(rv, err, errlen, rv == PDP_ENOMEM ?
		    "out of memory" : "token: not canonical base64");
	rv = open_bin(kr, bin, binlen, &t, err, errlen);
	free(bin);
	if (rv != PDP_OK)
		return rv;
	if (now >= pdp_creds_token_claims(t)->expires) {
		pdp_creds_token_free(t);
		return pdpci_errf(PDP_EEXPIRED, err, errlen,
		    "the session token has expired");
	}
	*out = t;
	return PDP_OK;
}
