// creds.c - requests that name their caller by access key: the keyring
// pdpd opens session tokens with (--sts-keys, loaded with every reload
// and shared by reference count) and one credentials cache per worker
// (pdp_creds.h), made again when a reload brings a new keyring.

#define _POSIX_C_SOURCE 200809L

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct pdpd_keys {
	atomic_uint refs;
	pdp_creds_keyring *kr; // NULL: no keyring, tokens are refused
};

// keys_new makes an empty keys holder with one reference; NULL, with
// err set, when memory runs out.
static pdpd_keys *
keys_new(char *err, size_t errlen)
{
	pdpd_keys *k = calloc(1, sizeof(*k));

	if (k == NULL)
		snprintf(err, errlen, "out of memory");
	else
		atomic_init(&k->refs, 1);
	return k;
}

int
pdpd_keys_open(const char *path, pdpd_keys **out, char *err, size_t errlen)
{
	pdpd_keys *k = keys_new(err, errlen);
	int rv;

	if (k == NULL)
		return PDP_ENOMEM;
	if (path != NULL &&
	    (rv = pdp_creds_keyring_load(path, &k->kr, err, errlen)) !=
	    PDP_OK) {
		free(k);
		return rv;
	}
	*out = k;
	return PDP_OK;
}

int
pdpd_keys_store(pdpd_server *s, char *err, size_t errlen)
{
	pdpd_keys *k = keys_new(err, errlen);
	int rv;

	if (k == NULL)
		return PDP_ENOMEM;
	// Without a store key there is no keyring: tokens are refused and
	// long-term keys still decide.
	rv = iams_keyring_copy(s->iams, &k->kr);
	if (rv != PDP_OK && rv != PDP_ENOENT) {
		free(k);
		snprintf(err, errlen, "the store's STS keys: %s",
		    pdp_strerror(rv));
		return rv;
	}
	pdpd_keys_publish(s, k);
	atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
	return PDP_OK;
}

void
pdpd_keys_close(pdpd_keys *k)
{
	if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	pdp_creds_keyring_free(k->kr);
	free(k);
}

void
pdpd_keys_refresh(pdpd_worker *w)
{
	pdpd_server *s = w->srv;
	pdp_creds_cache *c = NULL;

	pthread_mutex_lock(&s->hmtx);
	pdpd_keys *k = s->keys;
	if (k != NULL && k != w->keys)
		atomic_fetch_add(&k->refs, 1);
	pthread_mutex_unlock(&s->hmtx);
	if (k == NULL || k == w->keys)
		return;
	// The cache borrows the keyring: a new keyring, a new cache. If it
	// cannot be made, the worker keeps the keys it has.
	if (pdp_creds_cache_alloc(k->kr, s->cfg->sts_cache, &c) != PDP_OK) {
		pdpd_keys_close(k);
		PDPD_LOG(PDPD_LOG_ERROR, "creds_cache_failed",
		    PDPD_U("worker", w->index));
		return;
	}
	pdp_creds_cache_free(w->creds);
	pdpd_keys_close(w->keys);
	w->creds = c;
	w->keys = k;
}

void
pdpd_keys_publish(pdpd_server *s, pdpd_keys *k)
{
	pthread_mutex_lock(&s->hmtx);
	pdpd_keys *prev = s->keys;
	s->keys = k;
	pthread_mutex_unlock(&s->hmtx);
	// Workers still on the old keyring hold it themselves.
	pdpd_keys_close(prev);
}

void
pdpd_keys_worker_fini(pdpd_worker *w)
{
	pdp_creds_cache_free(w->creds);
	pdpd_keys_close(w->keys);
	w->creds = NULL;
	w->keys = NULL;
}

int
pdpd_creds_decide(pdpd_worker *w, const pdpw_authz *a, const pdp_request *q,
    pdp_decision *d, pdp_explanation *ex)
{
	pdp_creds_caller who = {.access_key_id = a->akid,
	    .session_token = a->token};

	if (w->creds == NULL) {
		memset(d, 0, sizeof(*d));
		d->err = PDP_ENOMEM;
		d->reason = "no credentials cache";
		return d->err;
	}
	return pdp_creds_authorize(w->creds, w->bundle, &who, q, d, ex);
}
