// auth.c - who is calling: requests signed with an access key
// (iams_auth.h), verified against the keys in the store. A caller named
// by a socket message is never trusted; the caller is the owner of the
// key whose secret made the signature.
//
// The secret is unsealed here only, for one comparison, and wiped before
// the call returns; it is never logged and never leaves this file.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "iams_auth.h"
#include "iamsi.h"

#define MAC_LEN 32          // bytes of HMAC-SHA256
#define WORD_MAX 128        // longest service or action name

// plain_word: service and action names are letters only, so that no
// field of the canonical string can hold its separator.
static bool
plain_word(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > WORD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z')))
			return false;
	return true;
}

// mac computes HMAC-SHA256(secret, canonical string of r).
static bool
mac(const char *secret, const iams_signed *r, uint8_t out[MAC_LEN])
{
	char ts[24], id[24];
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *x = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *) "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;

	snprintf(ts, sizeof(ts), "%llu", (unsigned long long) r->timestamp);
	snprintf(id, sizeof(id), "%llu", (unsigned long long) r->id);
	const char *parts[] = {IAMS_SIG_VERSION, "\n", r->service, "\n",
	    r->action, "\n", ts, "\n", id, "\n"};
	bool ok = x != NULL && EVP_MAC_init(x, (const uint8_t *) secret,
	    strlen(secret), p) == 1;
	for (size_t i = 0; ok && i < sizeof(parts) / sizeof(parts[0]); i++)
		ok = EVP_MAC_update(x, (const uint8_t *) parts[i],
		    strlen(parts[i])) == 1;
	ok = ok && (r->params_len == 0 || EVP_MAC_update(x,
	    (const uint8_t *) r->params, r->params_len) == 1) &&
	    EVP_MAC_final(x, out, &n, MAC_LEN) == 1 && n == MAC_LEN;
	EVP_MAC_CTX_free(x);
	EVP_MAC_free(m);
	return ok;
}

int
iams_sign(const char *secret, const iams_signed *req,
    char out[IAMS_SIG_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[MAC_LEN];

	out[0] = '\0';
	if (secret == NULL || !plain_word(req->service) ||
	    !plain_word(req->action) ||
	    (req->params == NULL && req->params_len > 0))
		return PDP_EINVAL;
	if (!mac(secret, req, d))
		return PDP_ENOMEM;
	for (size_t i = 0; i < MAC_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[IAMS_SIG_HEX] = '\0';
	return PDP_OK;
}

static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// parse_signature reads 64 hex digits; false when it is not that.
static bool
parse_signature(const char *s, uint8_t out[MAC_LEN])
{
	if (s == NULL || strlen(s) != IAMS_SIG_HEX)
		return false;
	for (size_t i = 0; i < MAC_LEN; i++) {
		int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t) (hi << 4 | lo);
	}
	return true;
}

// refuse fails an authentication with AWS's code, message and 403.
static int
refuse(iamsi_ctx *c, const char *code, const char *msg)
{
	iamsi_error_set(c->err, code, msg);
	c->err->status = 403;
	return PDP_EINVAL;
}

static int
invalid_token(iamsi_ctx *c)
{
	return refuse(c, "InvalidClientTokenId", "The security token "
	    "included in the request is invalid.");
}

// check_signature compares the request's signature with the one
// `secret` makes, in constant time. Shared by both kinds of credential.
static int
check_signature(iamsi_ctx *c, const char *secret, const iams_signed *r,
    const uint8_t given[MAC_LEN])
{
	uint8_t want[MAC_LEN];
	int rv = PDP_OK;

	if (!mac(secret, r, want))
		return iamsi_fail(c, "ServiceFailure", "computing the "
		    "signature failed");
	if (CRYPTO_memcmp(want, given, MAC_LEN) != 0)
		rv = refuse(c, "SignatureDoesNotMatch", "The request signature "
		    "we calculated does not match the signature you provided. "
		    "Check your AWS Secret Access Key and signing method.");
	OPENSSL_cleanse(want, sizeof(want));
	return rv;
}

// check_time: a signature is good for IAMS_SIG_SKEW seconds either way.
// Checked after the signature, so that only the key's holder learns the
// server's clock.
static int
check_time(iamsi_ctx *c, const iams_signed *r, int64_t now)
{
	int64_t t = r->timestamp > INT64_MAX ? INT64_MAX :
	    (int64_t) r->timestamp;

	if (t >= now - IAMS_SIG_SKEW && t <= now + IAMS_SIG_SKEW)
		return PDP_OK;
	iamsi_fail(c, "RequestExpired", "Request has expired: it was signed "
	    "at %lld and the server's time is %lld; a signature is good for "
	    "%d seconds either way.", (long long) t, (long long) now,
	    IAMS_SIG_SKEW);
	c->err->status = 400;
	return PDP_EINVAL;
}

// refused_event records a request refused after its caller was found
// (its key or session is known; the signature, the time or the key's
// state was wrong) in the audit trail, as a failed call of that caller.
// The request's fields are not recorded: nothing vouches for them.
static void
refused_event(iamsi_ctx *c, const iams_signed *r, const char *caller)
{
	c->caller = caller;
	c->access_key_id = r->access_key_id;
	c->params = NULL;
	(void) iamsi_trail_alone(c, r->action, PDP_EINVAL);
}

// authenticate_session verifies session credentials: ASIA... key ids
// that come with a session token, made by STS (AssumeRole,
// GetSessionToken, GetFederationToken). The token authenticates itself
// (sealed under the store's keyring) and carries the session's secret:
// the signature is checked with it, then the time, and the session's ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, federated-user/NAME,
// or the user's for GetSessionToken) goes into `caller`. The call then
// runs with iams_call_session, so that the session's policies and tags
// decide it.
static int
authenticate_session(iamsi_ctx *c, const iams_signed *r, int64_t now,
    const uint8_t sig[MAC_LEN], char *caller, size_t callerlen)
{
	pdp_creds_token *t;
	int rv;

	if (r->session_token == NULL)
		return invalid_token(c);
	if ((rv = iamsi_session_open(c, r->access_key_id, r->session_token,
	    &t)) != PDP_OK) {
		// AWS answers a refused session token with 403.
		c->err->status = 403;
		return rv;
	}
	const pdp_creds_claims *cl = pdp_creds_token_claims(t);
	rv = check_signature(c, cl->secret_access_key, r, sig);
	if (rv == PDP_OK)
		rv = check_time(c, r, now);
	if (rv == PDP_OK) {
		snprintf(caller, callerlen, "%s", cl->arn);
	} else {
		c->session = cl;
		refused_event(c, r, cl->arn);
		c->session = NULL;
	}
	pdp_creds_token_free(t);
	return rv;
}

// record_use updates GetAccessKeyLastUsed, at most once a minute per key
// and service so that a busy key does not cost a commit per call. A
// failure here never fails the call.
static void
record_use(iamsi_ctx *c, const iams_key *k, const char *service)
{
	if (c->now - k->last_used < IAMSI_LAST_USED_EVERY && k->last_service &&
	    strcmp(k->last_service, service) == 0)
		return;
	if (iams_store_begin(c->st, true) != PDP_OK)
		return;
	if (iams_store_key_used(c->st, k->key_id, c->now, service,
	    IAMSI_REGION) != PDP_OK || iams_store_commit(c->st) != PDP_OK)
		iams_store_rollback(c->st);
}

// authenticate_key verifies a long-term key (AKIA...) with the service
// locked: the key, its owner, the secret, the signature, the time.
static int
authenticate_key(iamsi_ctx *c, const iams_signed *r,
    const uint8_t sig[MAC_LEN], char *caller, size_t callerlen)
{
	char secret[IAMSI_SECRET_LEN + 1];
	iams_entity e;
	iams_key k;
	int rv;

	if ((rv = iams_store_begin(c->st, false)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	rv = iams_store_key_get(c->st, r->access_key_id, &k);
	if (rv != PDP_OK) {
		iams_store_rollback(c->st);
		return rv == PDP_ENOENT ? invalid_token(c) :
		    iamsi_store_fail(c, rv, NULL);
	}
	rv = iams_store_entity_by_eid(c->st, k.eid, &e);
	iams_store_rollback(c->st);
	if (rv != PDP_OK) {
		iams_key_fini(&k);
		return iamsi_store_fail(c, rv, NULL);
	}
	// An inactive key is refused as an unknown one is, as AWS does.
	if (!k.active || (e.kind != IAMS_USER && e.kind != IAMS_ROOT)) {
		rv = invalid_token(c);
	} else if (!iamsi_key_open(c->s->key, k.key_id, k.secret,
	    k.secret_len, secret)) {
		rv = iamsi_fail(c, "ServiceFailure", "the access key's secret "
		    "cannot be unsealed with this store key");
	} else {
		rv = check_signature(c, secret, r, sig);
		if (rv == PDP_OK)
			rv = check_time(c, r, c->now);
		if (rv == PDP_OK) {
			iamsi_entity_arn(&e, caller, callerlen);
			record_use(c, &k, r->service);
		}
	}
	if (rv != PDP_OK && (e.kind == IAMS_USER || e.kind == IAMS_ROOT)) {
		char owner[1100];
		iamsi_entity_arn(&e, owner, sizeof(owner));
		refused_event(c, r, owner);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	iams_entity_fini(&e);
	iams_key_fini(&k);
	return rv;
}

int
iams_authenticate(iams_service *s, const iams_signed *req, int64_t now,
    char *caller, size_t callerlen, iams_error *err)
{
	uint8_t sig[MAC_LEN];
	iams_error scratch;
	iamsi_ctx c;
	int rv;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.st = s->st;
	c.err = err ? err : &scratch;
	c.now = now;
	if (callerlen > 0)
		caller[0] = '\0';
	if (req->access_key_id == NULL || req->access_key_id[0] == '\0')
		return refuse(&c, "MissingAuthenticationToken", "Request is "
		    "missing Authentication Token");
	if (!plain_word(req->service) || !plain_word(req->action))
		return iamsi_fail(&c, "InvalidAction", "the service and the "
		    "action are names of letters");
	if (!parse_signature(req->signature, sig)) {
		iamsi_fail(&c, "IncompleteSignature", "The request signature "
		    "does not conform to AWS standards: give %d hex digits.",
		    IAMS_SIG_HEX);
		return PDP_EINVAL;
	}
	if (!s->has_key)
		return iamsi_fail(&c, "ServiceFailure", "the service has no "
		    "store key to unseal secrets with");
	pthread_mutex_lock(&s->mu);
	if (strncmp(req->access_key_id, "ASIA", 4) == 0)
		rv = authenticate_session(&c, req, now, sig, caller,
		    callerlen);
	else if (req->session_token != NULL)
		rv = invalid_token(&c); // a token goes with an ASIA key only
	else
		rv = authenticate_key(&c, req, sig, caller, callerlen);
	pthread_mutex_unlock(&s->mu);
	return rv;
}
