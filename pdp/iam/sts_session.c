// sts_session.c - temporary credentials in the IAM service: sealing a
// new session into its token (pdp_creds.h), and calls made with session
// credentials: the token opened with the store's keyring, what each kind
// of session may call, and every decision for the call taken through
// the token (session policies, session tags, session context keys).

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "iamsi.h"

bool
iamsi_session_issue(iamsi_ctx *c, pdp_creds_claims *g, json_t **credentials)
{
	char akid[24], secret[IAMSI_SECRET_LEN + 1], why[256];
	char token[PDP_CREDS_TOKEN_MAX + 1];
	size_t len;
	int rv;

	if (!iamsi_keyring_ready(c))
		return false;
	// 40 characters of 32 symbols: 200 random bits.
	iamsi_random_id("ASIA", 16, akid);
	iamsi_random_id("", IAMSI_SECRET_LEN, secret);
	g->access_key_id = akid;
	g->secret_access_key = secret;
	rv = pdp_creds_seal(c->s->keyring, g, token, sizeof(token), &len, why,
	    sizeof(why));
	if (rv == PDP_OK) {
		*credentials = json_pack("{s:s, s:s, s:s, s:o}", "AccessKeyId",
		    akid, "SecretAccessKey", secret, "SessionToken", token,
		    "Expiration", iamsi_date(g->expires));
		if (*credentials == NULL)
			rv = PDP_ENOMEM;
	}
	// The only copies in the clear go out in the answer.
	memset(secret, 0, sizeof(secret));
	memset(token, 0, sizeof(token));
	g->secret_access_key = NULL;
	if (rv != PDP_OK) {
		iamsi_fail(c, "ServiceFailure", "sealing the session failed: "
		    "%s", rv == PDP_ENOMEM ? "out of memory" : why);
		return false;
	}
	return true;
}

void
iamsi_decide(iamsi_ctx *c, const pdp_request *req, pdp_decision *d,
    pdp_explanation *ex, bool mfa)
{
	pdp_bundle *b = pdp_engine_acquire(c->s->engine);

	if (c->session == NULL) {
		pdp_bundle_authorize(b, req, d, ex);
	} else {
		// The token says who calls and under which session
		// policies; the principal is not the request's to give.
		pdp_creds_caller who = {.access_key_id =
		    c->session->access_key_id, .session_token = c->token,
		    .mfa_verified = mfa};
		pdp_request q = *req;
		q.principal = NULL;
		q.session_policy = NULL;
		pdp_creds_authorize(c->s->creds, b, &who, &q, d, ex);
	}
	pdp_bundle_close(b);
}

// is_sts says whether `op` is an STS operation (else an IAM one).
static bool
is_sts(const char *op)
{
	for (const iamsi_op *o = iamsi_ops_sts; o->name != NULL; o++)
		if (strcmp(o->name, op) == 0)
			return true;
	return false;
}

// allowed applies what each kind of temporary credentials may call
// (iam-semantics 5.5): GetSessionToken credentials no IAM operation
// without MFA and in STS only AssumeRole and GetCallerIdentity;
// GetFederationToken credentials no IAM operation and in STS only
// GetCallerIdentity. (Role sessions' GetSessionToken and
// GetFederationToken are refused by those operations.)
static bool
allowed(iamsi_ctx *c, const char *op)
{
	const pdp_creds_claims *s = c->session;
	bool sts = is_sts(op);
	const char *why = NULL;

	if (sts && strcmp(op, "GetCallerIdentity") == 0)
		return true;
	if (s->type == PDP_CREDS_FEDERATED_USER)
		why = "federated user credentials can call no IAM operation "
		    "and in STS only GetCallerIdentity";
	else if (s->type == PDP_CREDS_SESSION_TOKEN && sts &&
	    strcmp(op, "AssumeRole") != 0)
		why = "GetSessionToken credentials can call only AssumeRole "
		    "and GetCallerIdentity in STS";
	else if (s->type == PDP_CREDS_SESSION_TOKEN && !sts && !s->mfa)
		why = "GetSessionToken credentials can call IAM operations "
		    "only when MFA authentication information was included";
	if (why == NULL)
		return true;
	iamsi_fail(c, "AccessDenied", "Cannot call %s: %s", op, why);
	return false;
}

int
iamsi_session_open(iamsi_ctx *c, const char *akid, const char *token,
    pdp_creds_token **out)
{
	char why[256];
	int rv;

	if (!iamsi_keyring_ready(c))
		return PDP_EINVAL;
	rv = pdp_creds_open(c->s->keyring, token, strlen(token), c->now, out,
	    why, sizeof(why));
	if (rv == PDP_EEXPIRED)
		return iamsi_fail(c, "ExpiredToken", "The security token "
		    "included in the request is expired");
	if (rv == PDP_ENOMEM)
		return iamsi_fail(c, "ServiceFailure", "out of memory");
	// A token answers for the access key id it was issued with only.
	if (rv == PDP_OK && strcmp(pdp_creds_token_claims(*out)->
	    access_key_id, akid) != 0) {
		pdp_creds_token_free(*out);
		rv = PDP_EINVAL;
	}
	if (rv != PDP_OK)
		return iamsi_fail(c, "InvalidClientTokenId", "The security "
		    "token included in the request is invalid.");
	return PDP_OK;
}

int
iams_call_session(iams_service *s, const char *access_key_id,
    const char *session_token, const char *op, const json_t *params,
    json_t **response, iams_error *err)
{
	iams_error scratch;
	pdp_creds_token *t = NULL;
	iamsi_ctx c;
	int rv;

	iamsi_ctx_init(&c, s, params, err ? err : &scratch);
	if (access_key_id == NULL || session_token == NULL)
		return iamsi_fail(&c, "InvalidClientTokenId", "The security "
		    "token included in the request is invalid.");
	pthread_mutex_lock(&s->mu);
	rv = iamsi_session_open(&c, access_key_id, session_token, &t);
	pthread_mutex_unlock(&s->mu);
	if (rv != PDP_OK)
		return rv;
	c.session = pdp_creds_token_claims(t);
	c.token = session_token;
	c.caller = c.session->arn;
	c.access_key_id = access_key_id;
	if (allowed(&c, op ? op : "")) {
		rv = iamsi_run(&c, op, response);
	} else {
		// Refused for its kind of session: still an event.
		pthread_mutex_lock(&s->mu);
		rv = iamsi_trail_alone(&c, op, PDP_EINVAL);
		pthread_mutex_unlock(&s->mu);
	}
	pdp_creds_token_free(t);
	return rv;
}
