// iam.c - pdpd serving an IAM store (--store): the service opened on the
// store, its engine deciding every authorization, and IAM API calls (op
// iam) run on a thread of their own.
//
// A call commits to the store and rebuilds the bundle, which can take a
// while; it must never hold a decision context. So a worker that
// receives an iam message hands the nng context it came on, with a copy
// of the request, to the IAM thread, opens a fresh context for itself
// and goes back to receiving. The IAM thread authenticates the call
// (iams_authenticate), runs it (iams_call), replies on the handed
// context and closes it. The service serializes calls anyway (one store
// connection), so one thread is all it needs.

#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "iams_auth.h"
#include "server.h"

struct pdpd_iam_job {
	pdpd_iam_job *next;
	nng_ctx ctx;      // the context the call came on; the reply's
	nng_msg *msg;     // the request, reused for the reply
	uint64_t id;
	uint64_t t0;
	pdpw_iam req;     // its strings live in buf
	char buf[];
};

// AWS STS's actions; every other action is IAM's.
static const char *const sts_actions[] = {
	"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity",
	"AssumeRoot", "DecodeAuthorizationMessage", "GetAccessKeyInfo",
	"GetCallerIdentity", "GetFederationToken", "GetSessionToken",
	"RotateSessionKeys", // ours: the service's STS keyring
};

static bool
is_sts_action(const char *a)
{
	for (size_t i = 0; i < sizeof(sts_actions) / sizeof(sts_actions[0]);
	    i++)
		if (strcmp(sts_actions[i], a) == 0)
			return true;
	return false;
}

// --- opening the store -------------------------------------------------------

static void *iam_main(void *arg);

int
pdpd_store_open(pdpd_server *s, char *err, size_t errlen)
{
	const char *path = s->cfg->store;
	uint8_t key[IAMS_KEY_LEN];
	iams_options opt = {.store_key = key};
	char why[512];
	int rv;

	// pdpd never creates a store: a mistyped path must not serve an
	// empty one.
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "%s: no store (iam init --store %s "
		    "--account ID creates one)", path, path);
		return -1;
	}
	if (iams_keyfile_load(path, false, key, why, sizeof(why)) != PDP_OK) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	rv = iams_service_open(path, &opt, &s->iams, why, sizeof(why));
	OPENSSL_cleanse(key, sizeof(key));
	if (rv != PDP_OK) {
		s->iams = NULL;
		snprintf(err, errlen, "%s: %s", path, why);
		return -1;
	}
	s->engine = iams_service_engine(s->iams);
	pdp_bundle *b = pdp_engine_acquire(s->engine);
	if (b == NULL) {
		snprintf(err, errlen, "%s: the store holds no account (iam "
		    "init --store %s --account ID makes one)", path, path);
		return -1;
	}
	atomic_store(&s->revision, pdp_bundle_revision(b));
	if (pdpd_keys_store(s, err, errlen) != PDP_OK) {
		pdp_bundle_close(b);
		return -1;
	}
	PDPD_LOG(PDPD_LOG_INFO, "store_opened", PDPD_S("path", path),
	    PDPD_U("revision", pdp_bundle_revision(b)),
	    PDPD_U("principals", pdp_bundle_principals(b)));
	pdp_bundle_close(b);

	s->iam_st = aligned_alloc(64, (sizeof(*s->iam_st) + 63) &
	    ~(size_t) 63);
	if (s->iam_st == NULL || nng_aio_alloc(&s->iam_aio, NULL, NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(s->iam_st, 0, sizeof(*s->iam_st));
	pthread_mutex_init(&s->imtx, NULL);
	pthread_cond_init(&s->icv, NULL);
	if (pthread_create(&s->iam_thr, NULL, iam_main, s) != 0) {
		snprintf(err, errlen, "cannot start the IAM thread");
		return -1;
	}
	s->iam_started = true;
	return 0;
}

void
pdpd_iam_stop(pdpd_server *s)
{
	if (!s->iam_started)
		return;
	pthread_mutex_lock(&s->imtx);
	s->iam_stop = true;
	pthread_cond_signal(&s->icv);
	pthread_mutex_unlock(&s->imtx);
	pthread_join(s->iam_thr, NULL);
	s->iam_started = false;
	pthread_mutex_destroy(&s->imtx);
	pthread_cond_destroy(&s->icv);
}

void
pdpd_store_close(pdpd_server *s)
{
	pdpd_iam_stop(s);
	if (s->iam_aio != NULL)
		nng_aio_free(s->iam_aio);
	free(s->iam_st);
	// The engine is the service's: it goes with it.
	iams_service_close(s->iams);
	s->iams = NULL;
	s->iam_aio = NULL;
	s->iam_st = NULL;
	s->engine = NULL;
}

// --- taking a call off a worker ---------------------------------------------

static char *
put(char **p, const char *s, size_t n)
{
	char *d = *p;

	if (s == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	*p += n + 1;
	return d;
}

static size_t
len0(const char *s)
{
	return s ? strlen(s) : 0;
}

// job_new copies the request out of the worker's zone, which the next
// message reuses.
static pdpd_iam_job *
job_new(const pdpw_request *req)
{
	const pdpw_iam *q = req->iam;
	size_t n = len0(q->service) + len0(q->action) + q->params_len +
	    len0(q->access_key_id) + len0(q->session_token) +
	    len0(q->signature) + 6;
	pdpd_iam_job *j = malloc(sizeof(*j) + n);

	if (j == NULL)
		return NULL;
	memset(j, 0, sizeof(*j));
	char *p = j->buf;
	j->id = req->id;
	j->req.service = put(&p, q->service, len0(q->service));
	j->req.action = put(&p, q->action, len0(q->action));
	j->req.params = put(&p, q->params, q->params_len);
	j->req.params_len = q->params_len;
	j->req.access_key_id = put(&p, q->access_key_id,
	    len0(q->access_key_id));
	j->req.session_token = put(&p, q->session_token,
	    len0(q->session_token));
	j->req.signature = put(&p, q->signature, len0(q->signature));
	j->req.timestamp = q->timestamp;
	return j;
}

int
pdpd_iam_take(pdpd_worker *w, nng_msg *msg, const pdpw_request *req,
    uint64_t t0, int *status, const char **why)
{
	pdpd_server *s = w->srv;
	nng_ctx fresh;
	bool full;

	if (s->iams == NULL) {
		*status = PDPW_EDENIED;
		*why = "this pdpd serves a bundle file: IAM calls need a "
		    "store (pdpd --store PATH)";
		return PDPD_IAM_FAILED;
	}
	pthread_mutex_lock(&s->imtx);
	full = s->iam_pending >= s->cfg->iam_queue || s->iam_stop;
	if (!full)
		s->iam_pending++;
	pthread_mutex_unlock(&s->imtx);
	if (full)
		return PDPD_IAM_BUSY;
	pdpd_iam_job *j = job_new(req);
	int rv = j == NULL ? NNG_ENOMEM : nng_ctx_open(&fresh, s->sock);
	if (rv != 0) {
		free(j);
		pthread_mutex_lock(&s->imtx);
		s->iam_pending--;
		pthread_mutex_unlock(&s->imtx);
		*status = rv == NNG_ENOMEM ? PDPW_ENOMEM : PDPW_EINTERNAL;
		*why = rv == NNG_ENOMEM ? "out of memory" : "cannot open an "
		    "nng context for the IAM call";
		return PDPD_IAM_FAILED;
	}
	j->ctx = w->ctx;
	j->msg = msg;
	j->t0 = t0;
	w->ctx = fresh;
	pthread_mutex_lock(&s->imtx);
	if (s->iam_tail != NULL)
		s->iam_tail->next = j;
	else
		s->iam_head = j;
	s->iam_tail = j;
	pthread_cond_signal(&s->icv);
	pthread_mutex_unlock(&s->imtx);
	return PDPD_IAM_TAKEN;
}

uint32_t
pdpd_iam_pending(pdpd_server *s)
{
	uint32_t n;

	if (!s->iam_started)
		return 0;
	pthread_mutex_lock(&s->imtx);
	n = s->iam_pending;
	pthread_mutex_unlock(&s->imtx);
	return n;
}

// --- running a call -----------------------------------------------------------

// publish makes workers re-acquire the bundle when a call changed it:
// the swap happened inside iams_call, so the generation moves after it
// and before the reply leaves. A request sent after the reply is
// decided by the new bundle.
static uint64_t
publish(pdpd_server *s)
{
	pdp_bundle *b = pdp_engine_acquire(s->engine);
	uint64_t rev = b ? pdp_bundle_revision(b) : 0;

	pdp_bundle_close(b);
	if (rev != atomic_load(&s->revision)) {
		atomic_store(&s->revision, rev);
		atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
	}
	return rev;
}

// parse_params reads the request fields: a JSON object, nothing else.
static int
parse_params(const pdpw_iam *q, json_t **out, iams_error *e)
{
	json_error_t je;
	json_t *p = json_loadb(q->params, q->params_len,
	    JSON_REJECT_DUPLICATES, &je);

	if (p != NULL && json_is_object(p)) {
		*out = p;
		return PDP_OK;
	}
	json_decref(p);
	snprintf(e->code, sizeof(e->code), "ValidationError");
	if (p != NULL)
		snprintf(e->message, sizeof(e->message), "the request fields "
		    "(params) must be a JSON object");
	else
		snprintf(e->message, sizeof(e->message), "the request fields "
		    "(params) are not JSON: line %d, column %d: %s", je.line,
		    je.column, je.text);
	e->status = 400;
	return PDP_EINVAL;
}

// call authenticates and runs one call. On PDP_OK *text is AWS's
// response (malloc'd JSON); otherwise `e` holds AWS's error.
static int
call(pdpd_server *s, const pdpw_iam *q, uint64_t id, char *caller,
    size_t callerlen, char **text, iams_error *e)
{
	iams_signed sg = {q->service, q->action, q->params, q->params_len,
	    id, q->timestamp, q->access_key_id, q->session_token,
	    q->signature};
	json_t *params = NULL, *resp = NULL;
	int rv;

	rv = iams_authenticate(s->iams, &sg, (int64_t) time(NULL), caller,
	    callerlen, e);
	if (rv == PDP_OK)
		rv = parse_params(q, &params, e);
	// Each action is of one service: STS's, CloudTrail's (LookupEvents)
	// or IAM's.
	const char *want = is_sts_action(q->action) ? "sts" :
	    strcmp(q->action, "LookupEvents") == 0 ? "cloudtrail" : "iam";
	if (rv == PDP_OK && strcmp(q->service, want) != 0) {
		snprintf(e->code, sizeof(e->code), "InvalidAction");
		snprintf(e->message, sizeof(e->message), "The action %.128s "
		    "is not valid for this web service (%.16s).", q->action,
		    q->service);
		e->status = 400;
		rv = PDP_EINVAL;
	}
	// Session credentials run as their session: its policies and tags.
	if (rv == PDP_OK && q->session_token != NULL)
		rv = iams_call_session(s->iams, q->access_key_id,
		    q->session_token, q->action, params, &resp, e);
	else if (rv == PDP_OK)
		rv = iams_call_key(s->iams, caller, q->access_key_id,
		    q->action, params, &resp, e);
	json_decref(params);
	if (rv == PDP_OK) {
		*text = json_dumps(resp, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(resp);
		if (*text == NULL) {
			snprintf(e->code, sizeof(e->code), "ServiceFailure");
			snprintf(e->message, sizeof(e->message), "out of memory");
			e->status = 500;
			rv = PDP_ENOMEM;
		}
	}
	return rv;
}

// answer builds the reply of job j into enc: a wire error for a message
// that names no known service, else AWS's answer. Nothing of the
// request fields is logged (CreateLoginProfile carries a password),
// nor the response (CreateAccessKey carries a secret).
static int
answer(pdpd_server *s, pdpd_iam_job *j, pdpw_encoder *enc)
{
	const pdpw_iam *q = &j->req;
	pdpw_iam_result r = {0};
	char caller[2048] = "";
	char *text = NULL;
	iams_error e;
	int rv;

	if (strcmp(q->service, "iam") != 0 && strcmp(q->service, "sts") != 0 &&
	    strcmp(q->service, "cloudtrail") != 0) {
		pdpd_count(&s->iam_st->errors[PDPW_EINVAL], 1);
		return pdpw_encode_error(enc, j->id, PDPW_OP_IAM, PDPW_EINVAL,
		    "service must be \"iam\", \"sts\" or \"cloudtrail\"",
		    atomic_load(&s->revision));
	}
	uint64_t t0 = pdpd_now_ns();
	memset(&e, 0, sizeof(e));
	if (call(s, q, j->id, caller, sizeof(caller), &text, &e) == PDP_OK) {
		r.result = text;
		r.result_len = strlen(text);
		r.http_status = 200;
	} else {
		r.aws_code = e.code;
		r.aws_message = e.message;
		r.http_status = (uint32_t) e.status;
	}
	// A rotation changes the keys session tokens are opened with.
	char kerr[256];
	if (r.aws_code == NULL && strcmp(q->action, "RotateSessionKeys") == 0 &&
	    pdpd_keys_store(s, kerr, sizeof(kerr)) != PDP_OK)
		PDPD_LOG(PDPD_LOG_ERROR, "keyring_refused",
		    PDPD_S("error", kerr));
	uint64_t rev = publish(s);
	PDPD_LOG(r.aws_code ? PDPD_LOG_WARN : PDPD_LOG_INFO, "iam_call",
	    PDPD_U("id", j->id), PDPD_S("service", q->service),
	    PDPD_S("action", q->action),
	    PDPD_S("caller", caller[0] ? caller : NULL),
	    PDPD_S("access_key_id", q->access_key_id),
	    PDPD_S("error", r.aws_code), PDPD_U("revision", rev),
	    PDPD_U("us", (pdpd_now_ns() - t0) / 1000u));
	rv = pdpw_encode_iam(enc, j->id, rev, &r);
	free(text);
	return rv;
}

// send_reply sends enc's bytes on the job's context, waiting at most
// PDPD_SEND_TIMEOUT_MS, then closes the context.
static void
send_reply(pdpd_server *s, pdpd_iam_job *j, const pdpw_encoder *enc,
    int rv)
{
	nng_msg *msg = j->msg;

	j->msg = NULL;
	nng_msg_clear(msg);
	if (rv != PDPW_OK || nng_msg_append(msg, enc->p, enc->n) != 0) {
		nng_msg_free(msg); // the requester times out
	} else {
		nng_aio_set_msg(s->iam_aio, msg);
		nng_aio_set_timeout(s->iam_aio, PDPD_SEND_TIMEOUT_MS);
		nng_ctx_send(j->ctx, s->iam_aio);
		nng_aio_wait(s->iam_aio);
		if (nng_aio_result(s->iam_aio) != 0) {
			nng_msg_free(nng_aio_get_msg(s->iam_aio));
			nng_aio_set_msg(s->iam_aio, NULL);
		}
	}
	nng_ctx_close(j->ctx);
	pdpd_hist_record_1w(&s->iam_st->lat, pdpd_now_ns() - j->t0);
}

static void *
iam_main(void *arg)
{
	pdpd_server *s = arg;
	pdpw_encoder enc;

	pdpw_encoder_init(&enc);
	pthread_mutex_lock(&s->imtx);
	for (;;) {
		while (s->iam_head == NULL && !s->iam_stop)
			pthread_cond_wait(&s->icv, &s->imtx);
		pdpd_iam_job *j = s->iam_head;
		if (j == NULL)
			break; // stopping, and nothing left to answer
		s->iam_head = j->next;
		if (s->iam_head == NULL)
			s->iam_tail = NULL;
		bool stopping = s->iam_stop;
		pthread_mutex_unlock(&s->imtx);

		int rv;
		if (stopping) {
			// Past the drain: answer at once, run nothing.
			pdpd_count(&s->iam_st->errors[PDPW_EINTERNAL], 1);
			rv = pdpw_encode_error(&enc, j->id, PDPW_OP_IAM,
			    PDPW_EINTERNAL, "pdpd is stopping: the call did "
			    "not run", atomic_load(&s->revision));
		} else {
			rv = answer(s, j, &enc);
		}
		send_reply(s, j, &enc, rv);
		free(j);
		pthread_mutex_lock(&s->imtx);
		s->iam_pending--;
	}
	pthread_mutex_unlock(&s->imtx);
	pdpw_encoder_fini(&enc);
	return NULL;
}
