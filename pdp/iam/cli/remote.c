// remote.c - the iam command over pdpd's socket: each operation goes as
// an `iam` message (proto/README.md), signed with the access key of the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and
// AWS_SESSION_TOKEN for session credentials) as the aws CLI takes it.
// The secret stays in this file's memory, is wiped on close and is
// never printed.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "iams_auth.h"
#include "pdpclient.h"
#include "transport.h"

// An IAM call may commit and rebuild a large store's bundle.
#define REMOTE_TIMEOUT_MS 30000

typedef struct remote {
	pdpc_client *c;
	const char *service; // "iam"
	char akid[129];
	char secret[256];
	char *token;         // NULL: a long-term key
	uint64_t next_id;
} remote;

static void
remote_close(void *arg)
{
	remote *r = arg;

	pdpc_close(r->c);
	if (r->token != NULL) {
		OPENSSL_cleanse(r->token, strlen(r->token));
		free(r->token);
	}
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

// wire_fail reports a call that got no AWS answer: the wire status as
// the code, HTTP status 0.
static int
wire_fail(iams_error *err, int status, const char *msg)
{
	snprintf(err->code, sizeof(err->code), "%s",
	    pdpw_status_name(status));
	snprintf(err->message, sizeof(err->message), "%s", msg);
	err->status = 0;
	return PDP_EIO;
}

// aws_answer turns the reply of a call that ran into iams_call's shape.
static int
aws_answer(const pdpw_iam_result *a, json_t **resp, iams_error *err)
{
	if (a->aws_code != NULL) {
		snprintf(err->code, sizeof(err->code), "%s", a->aws_code);
		snprintf(err->message, sizeof(err->message), "%s",
		    a->aws_message ? a->aws_message : "");
		err->status = (int) a->http_status;
		return a->http_status >= 500 ? PDP_EIO : PDP_EINVAL;
	}
	*resp = a->result ? json_loadb(a->result, a->result_len, 0, NULL) :
	    NULL;
	if (*resp == NULL)
		return wire_fail(err, PDPW_EMALFORMED, "the reply carries no "
		    "JSON result");
	return PDP_OK;
}

static int
remote_call(void *arg, const char *caller, const char *op,
    const json_t *params, json_t **resp, iams_error *err)
{
	remote *r = arg;
	char sig[IAMS_SIG_HEX + 1];
	pdpw_reply rep;
	json_t *empty = json_object();
	char *text = json_dumps(params ? params : empty,
	    JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rv;

	(void) caller; // the key's owner is the caller
	json_decref(empty);
	if (text == NULL)
		return wire_fail(err, PDPW_ENOMEM, "out of memory");
	uint64_t id = r->next_id++;
	pdpw_iam q = {r->service, op, text, strlen(text), r->akid, r->token,
	    (uint64_t) time(NULL), sig};
	iams_signed sg = {q.service, q.action, q.params, q.params_len, id,
	    q.timestamp, q.access_key_id, q.session_token, NULL};
	if (iams_sign(r->secret, &sg, sig) != PDP_OK) {
		free(text);
		return wire_fail(err, PDPW_EINVAL, "cannot sign the request "
		    "(is the operation name letters only?)");
	}
	rv = pdpc_iam(r->c, id, &q, &rep);
	free(text);
	if (rv != PDPW_OK || rep.status != PDPW_OK)
		return wire_fail(err, rv != PDPW_OK ? rv : rep.status,
		    rv != PDPW_OK ? pdpc_errmsg(r->c) :
		    rep.error ? rep.error : "");
	return aws_answer(&rep.iam, resp, err);
}

// env_copy copies an environment variable into dst; false when it is
// unset, empty or too long.
static bool
env_copy(const char *name, char *dst, size_t cap)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0' || strlen(v) >= cap)
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

int
iam_remote_open(const char *url, iam_transport *t, char *err,
    size_t errlen)
{
	remote *r = calloc(1, sizeof(*r));
	const char *token = getenv("AWS_SESSION_TOKEN");

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return PDP_ENOMEM;
	}
	r->service = "iam";
	r->next_id = 1;
	if (!env_copy("AWS_ACCESS_KEY_ID", r->akid, sizeof(r->akid)) ||
	    !env_copy("AWS_SECRET_ACCESS_KEY", r->secret, sizeof(r->secret))) {
		snprintf(err, errlen, "--endpoint needs credentials: set "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
		remote_close(r);
		return PDP_EINVAL;
	}
	if (token != NULL && token[0] != '\0' &&
	    (r->token = strdup(token)) == NULL) {
		snprintf(err, errlen, "out of memory");
		remote_close(r);
		return PDP_ENOMEM;
	}
	if (pdpc_open(url, REMOTE_TIMEOUT_MS, &r->c, err, errlen) !=
	    PDPW_OK) {
		remote_close(r);
		return PDP_EIO;
	}
	memset(t, 0, sizeof(*t));
	t->arg = r;
	t->call = remote_call;
	t->close = remote_close;
	return PDP_OK;
}

void
iam_remote_service(iam_transport *t, const char *service)
{
	((remote *) t->arg)->service = service;
}
