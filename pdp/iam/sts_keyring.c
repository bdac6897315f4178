// sts_keyring.c - the keyring that seals session tokens, kept in the
// store: each key sealed under the store key, the first made when a
// store has none, a rotation that adds a signing key and retires keys
// no live session can need, and the keyring file (proto/keyring.md) a
// pdpd without the store opens tokens with.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "mfa.h"

#define SEALED_LEN (PDP_CREDS_KEY_BYTES + IAMSI_SEAL_OVERHEAD)

// A key stops sealing when a newer one takes over; the sessions it
// sealed last at most this long (GetSessionToken's and
// GetFederationToken's 36 hours), so it can go after that.
#define SESSION_LONGEST 129600

// aad binds a sealed key to its id: a sealed key moved to another id
// does not open.
static void
aad(uint32_t id, char out[32])
{
	snprintf(out, 32, "iampdp sts key %u", id);
}

// add_key makes a random key with id `id` and stores it sealed.
static int
add_key(iams_service *s, uint32_t id, int64_t now)
{
	uint8_t key[PDP_CREDS_KEY_BYTES], sealed[SEALED_LEN];
	iams_stskey k = {.id = id, .created = now, .sealed = sealed,
	    .sealed_len = sizeof(sealed)};
	char ad[32];
	int rv = PDP_EIO;

	aad(id, ad);
	if (RAND_bytes(key, sizeof(key)) == 1 &&
	    iamsi_seal(s->key, ad, key, sizeof(key), sealed))
		rv = iams_store_stskey_add(s->st, &k);
	memset(key, 0, sizeof(key));
	return rv;
}

// What the store's keyring holds, read newest first.
typedef struct ring {
	iams_service *s;
	pdp_creds_keyring *kr; // NULL: only count
	uint32_t n, newest;
	json_t *list;          // NULL, or [{KeyId, CreateDate, ...}]
	bool bad;              // a key did not open under the store key
} ring;

static int
ring_one(void *arg, const iams_stskey *k)
{
	ring *r = arg;
	uint8_t key[PDP_CREDS_KEY_BYTES];

	if (r->n++ == 0)
		r->newest = k->id;
	if (r->list != NULL) {
		json_t *o = json_pack("{s:I, s:o}", "KeyId",
		    (json_int_t) k->id, "CreateDate", iamsi_date(k->created));
		if (o != NULL && k->superseded != 0)
			json_object_set_new(o, "SupersededDate",
			    iamsi_date(k->superseded));
		if (o == NULL || json_array_append_new(r->list, o) != 0)
			return PDP_ENOMEM;
	}
	if (r->kr == NULL)
		return PDP_OK;
	char ad[32];
	aad(k->id, ad);
	if (k->sealed_len != SEALED_LEN ||
	    !iamsi_unseal(r->s->key, ad, k->sealed, k->sealed_len, key)) {
		r->bad = true;
		return PDP_ECORRUPT;
	}
	int rv = pdp_creds_keyring_add(r->kr, k->id, key);
	memset(key, 0, sizeof(key));
	return rv;
}

// load replaces the service's keyring and token cache with the store's.
static int
load(iams_service *s, char *err, size_t errlen)
{
	ring r = {.s = s};
	pdp_creds_cache *cache = NULL;
	int rv;

	if ((rv = pdp_creds_keyring_alloc(&r.kr)) != PDP_OK)
		return rv;
	rv = iams_store_stskey_list(s->st, ring_one, &r);
	if (rv == PDP_OK)
		rv = pdp_creds_cache_alloc(r.kr, 0, &cache);
	if (rv != PDP_OK) {
		snprintf(err, errlen, "the STS keyring cannot be loaded: %s",
		    r.bad ? "a key does not open under the store key" :
		    rv == PDP_EIO ? iams_store_errmsg(s->st) :
		    pdp_strerror(rv));
		pdp_creds_keyring_free(r.kr);
		return rv;
	}
	// Sessions expire by the service's clock.
	if (s->clock != NULL)
		pdp_creds_cache_set_clock(cache, s->clock, s->clock_arg);
	pdp_creds_cache_free(s->creds);
	pdp_creds_keyring_free(s->keyring);
	s->keyring = r.kr;
	s->creds = cache;
	return PDP_OK;
}

int
iamsi_keyring_open(iams_service *s, int64_t now, char *err, size_t errlen)
{
	ring r = {.s = s};
	int rv;

	// Without a store key nothing can be sealed: STS answers
	// ServiceFailure, as CreateAccessKey does.
	if (!s->has_key)
		return PDP_OK;
	if ((rv = iams_store_begin(s->st, true)) != PDP_OK)
		goto fail;
	rv = iams_store_stskey_list(s->st, ring_one, &r);
	if (rv == PDP_OK && r.n == 0)
		rv = add_key(s, 1, now);
	if (rv != PDP_OK) {
		iams_store_rollback(s->st);
		goto fail;
	}
	if ((rv = iams_store_commit(s->st)) != PDP_OK)
		goto fail;
	return load(s, err, errlen);
fail:
	snprintf(err, errlen, "the STS keyring cannot be made: %s",
	    iams_store_errmsg(s->st));
	return rv;
}

void
iamsi_keyring_close(iams_service *s)
{
	pdp_creds_cache_free(s->creds);
	pdp_creds_keyring_free(s->keyring);
	s->creds = NULL;
	s->keyring = NULL;
}

// ready reloads the keyring when the store's signing key is not the
// one in memory (a rotation, here or by another process on the store).
static int
ready(iams_service *s, char *err, size_t errlen)
{
	uint32_t newest = 0;
	int rv;

	if (s->keyring == NULL) {
		snprintf(err, errlen, "the service has no store key to seal "
		    "session tokens with");
		return PDP_ENOENT;
	}
	rv = iams_store_stskey_newest(s->st, &newest);
	if (rv != PDP_OK) {
		snprintf(err, errlen, "%s", iams_store_errmsg(s->st));
		return rv;
	}
	if (newest == pdp_creds_keyring_signer(s->keyring))
		return PDP_OK;
	return load(s, err, errlen);
}

bool
iamsi_keyring_ready(iamsi_ctx *c)
{
	char why[256];

	if (ready(c->s, why, sizeof(why)) != PDP_OK) {
		iamsi_fail(c, "ServiceFailure", "%s", why);
		return false;
	}
	return true;
}

// RotateSessionKeys: ours, not AWS's (AWS rotates its own keys). Any
// account's root may rotate: the keyring is the service's, and a
// rotation never ends a live session.
int
iamsi_sts_rotate(iamsi_ctx *c)
{
	char arn[64];
	ring r = {.s = c->s};
	uint32_t retired;
	int rv;

	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:root", c->account);
	if (!iamsi_root_only(c, "sts:RotateSessionKeys") ||
	    !iamsi_authorize(c, "sts:RotateSessionKeys", arn, NULL))
		return PDP_EINVAL;
	if (!c->s->has_key)
		return iamsi_fail(c, "ServiceFailure", "the service has no "
		    "store key to seal session tokens with");
	if ((rv = iams_store_stskey_retire(c->st, c->now - SESSION_LONGEST,
	    &retired)) != PDP_OK ||
	    (rv = iams_store_stskey_list(c->st, ring_one, &r)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	if (r.n >= PDP_CREDS_KEYS_MAX)
		return iamsi_fail(c, "LimitExceeded", "Cannot exceed quota "
		    "for session keys: %d (older keys retire %d seconds after "
		    "they stop sealing)", PDP_CREDS_KEYS_MAX, SESSION_LONGEST);
	if ((rv = add_key(c->s, r.newest + 1, c->now)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	// The new key is live once the call commits: the next call that
	// needs the keyring sees the store's new signing key and reloads.
	r = (ring) {.s = c->s, .list = json_array()};
	if ((rv = iams_store_stskey_list(c->st, ring_one, &r)) != PDP_OK) {
		json_decref(r.list);
		return iamsi_store_fail(c, rv, NULL);
	}
	json_object_set_new(c->resp, "SigningKeyId", json_integer(r.newest));
	json_object_set_new(c->resp, "RetiredKeys", json_integer(retired));
	json_object_set_new(c->resp, "Keys", r.list);
	return PDP_OK;
}

int
iams_keyring_export(iams_service *s, const char *path, char *err,
    size_t errlen)
{
	int rv;

	pthread_mutex_lock(&s->mu);
	rv = ready(s, err, errlen);
	if (rv == PDP_OK)
		rv = pdp_creds_keyring_save(s->keyring, path, err, errlen);
	pthread_mutex_unlock(&s->mu);
	return rv;
}

int
iams_keyring_copy(iams_service *s, pdp_creds_keyring **out)
{
	ring r = {.s = s};
	int rv;

	if (!s->has_key)
		return PDP_ENOENT;
	if ((rv = pdp_creds_keyring_alloc(&r.kr)) != PDP_OK)
		return rv;
	pthread_mutex_lock(&s->mu);
	rv = iams_store_stskey_list(s->st, ring_one, &r);
	pthread_mutex_unlock(&s->mu);
	if (rv != PDP_OK) {
		pdp_creds_keyring_free(r.kr);
		return rv;
	}
	*out = r.kr;
	return PDP_OK;
}
