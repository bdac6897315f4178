// handle.c - one request message through a worker: decode it into the
// worker's reused zone, decide each authorization against the bundle the
// worker holds, encode the reply into the worker's reused buffer and
// write it back into the received message. In steady state nothing here
// allocates (R-WIRE-030).
//
// Fail closed: every path that cannot decide answers a status other than
// OK with an ImplicitDeny, never an Allow (R-WIRE-021).

#define _POSIX_C_SOURCE 200809L

#include <assert.h>
#include <string.h>

#include "server.h"

// The wire's status numbers 1 to 15 are libpdp's error codes.
#define SAME(a, b) ((int) (a) == (int) (b))
static_assert(SAME(PDPW_ENOMEM, PDP_ENOMEM) &&
    SAME(PDPW_EINVAL, PDP_EINVAL) &&
    SAME(PDPW_ETOOBIG, PDP_ETOOBIG) && SAME(PDPW_ECORRUPT, PDP_ECORRUPT) &&
    SAME(PDPW_EVERSION, PDP_EVERSION) && SAME(PDPW_ENOENT, PDP_ENOENT) &&
    SAME(PDPW_EPLUGIN, PDP_EPLUGIN) && SAME(PDPW_EIO, PDP_EIO) &&
    SAME(PDPW_EPOLICY, PDP_EPOLICY), "wire statuses follow pdp_err");
static_assert(SAME(PDPW_ALLOW, PDP_ALLOW) &&
    SAME(PDPW_EXPLICIT_DENY, PDP_EXPLICIT_DENY) &&
    SAME(PDPW_IMPLICIT_DENY, PDP_IMPLICIT_DENY),
    "wire decisions follow pdp_effect");

// refresh_plugins gives the worker a Lua state made from the current
// plugin host. Making one costs tens of microseconds, once per reload; if
// it fails the worker keeps the state it has (still a valid one, of the
// previous plugins) and says so in the log.
static void
refresh_plugins(pdpd_worker *w)
{
	pdpd_server *s = w->srv;
	pdpl_worker *pw = NULL;
	char err[256];

	if (s->cfg->plugins == NULL)
		return;
	pthread_mutex_lock(&s->hmtx);
	pdpl_host *h = s->host;
	if (h != NULL)
		pdpl_host_hold(h);
	pthread_mutex_unlock(&s->hmtx);
	if (h == NULL)
		return;
	if (pdpl_worker_open(h, &pw, err, sizeof(err)) == PDP_OK) {
		pdpl_worker_close(w->plugins);
		w->plugins = pw;
	} else {
		PDPD_LOG(PDPD_LOG_ERROR, "plugin_worker_failed",
		    PDPD_U("worker", w->index), PDPD_S("error", err));
	}
	pdpl_host_close(h);
}

// refresh re-acquires the bundle when a reload has published a new one.
// The generation is read before acquiring: a swap racing with us leaves
// a newer bundle under an older generation, which the next message fixes.
static void
refresh(pdpd_worker *w)
{
	uint64_t g = atomic_load_explicit(&w->srv->gen, memory_order_acquire);

	if (g == w->gen)
		return;
	pdp_bundle_close(w->bundle);
	w->bundle = pdp_engine_acquire(w->srv->engine);
	w->gen = g;
	refresh_plugins(w);
	pdpd_keys_refresh(w);
}

static void
copy_trunc(char *dst, size_t cap, const char *src, size_t n)
{
	if (src == NULL) {
		dst[0] = '\0';
		return;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

// dlog_put copies one decision into the worker's decision-log queue; a
// full queue drops it (counted), never waits.
static void
dlog_put(pdpd_worker *w, uint64_t id, const pdpw_authz *a,
    const pdpw_result *r, const pdp_explanation *ex, uint64_t lat,
    uint64_t rev)
{
	pdpd_dlog_rec *rec = pdpd_dlog_slot(w->srv->dlog, w->index);

	if (rec == NULL)
		return;
	rec->wall_ns = pdpd_wall_ns();
	rec->latency_ns = lat;
	rec->revision = rev;
	rec->id = id;
	rec->status = r->status;
	rec->decision = r->decision;
	rec->reason = r->reason;
	// A caller named by access key is logged by its key id, never
	// by its token.
	const char *who = a->principal ? a->principal : a->akid;
	copy_trunc(rec->principal, sizeof(rec->principal), who,
	    who ? strlen(who) : 0);
	copy_trunc(rec->action, sizeof(rec->action), a->action,
	    a->action ? strlen(a->action) : 0);
	copy_trunc(rec->resource, sizeof(rec->resource),
	    a->resource ? a->resource : "*",
	    a->resource ? strlen(a->resource) : 1);
	rec->nstmts = 0;
	rec->stmts_truncated = false;
	if (ex != NULL && r->status == PDPW_OK) {
		uint32_t n = ex->nmatched < PDP_EXPLAIN_MAX ? ex->nmatched :
		    PDP_EXPLAIN_MAX;
		rec->stmts_truncated = n > PDPD_DLOG_STMTS ||
		    ex->matched_truncated;
		for (uint32_t i = 0; i < n && i < PDPD_DLOG_STMTS; i++) {
			const pdp_statement_ref *m = &ex->matched[i];
			pdpd_dlog_stmt *s = &rec->stmts[rec->nstmts++];
			copy_trunc(s->policy, sizeof(s->policy), m->policy,
			    m->policy_len);
			copy_trunc(s->sid, sizeof(s->sid), m->sid, m->sid_len);
			s->index = m->index;
			s->effect = m->effect == PDP_ALLOW ? PDPW_ALLOW :
			    PDPW_EXPLICIT_DENY;
		}
	}
	pdpd_dlog_commit(w->srv->dlog, w->index);
}

// keep_reason copies a reason that may be a plugin's into the worker's
// per-message store, so that the next decision of a batch cannot
// overwrite it before the reply is encoded.
static const char *
keep_reason(pdpd_worker *w, const char *reason)
{
	size_t n = strlen(reason) + 1;

	if (n > sizeof(w->reasons) - w->nreasons)
		return "denied (the reason did not fit the reply)";
	char *p = w->reasons + w->nreasons;
	memcpy(p, reason, n);
	w->nreasons += n;
	return p;
}

// entries returns the context array of request k of a batch's group
// (PDPD_CHUNK: of a request decided alone).
static pdp_context_entry *
entries(pdpd_worker *w, uint32_t k)
{
	return w->entries + (size_t) k * w->srv->cfg->lim.max_context;
}

// fill_request points *q at a decoded request's fields and copies its
// context into e (max_context entries).
static void
fill_request(pdpd_worker *w, const pdpw_authz *a, pdp_request *q,
    pdp_context_entry *e)
{
	memset(q, 0, sizeof(*q));
	q->principal = a->principal; // NULL when akid names the caller
	q->action = a->action;
	q->resource = a->resource;
	q->resource_account = a->resource_account;
	q->session_policy = a->session_policy;
	q->provider = w->plugins ? pdpl_worker_provider(w->plugins) : NULL;
	// pdpw_ctx mirrors pdp_context_entry field by field; the decoder
	// held ncontext to max_context <= PDP_CONTEXT_MAX.
	for (uint32_t i = 0; i < a->ncontext; i++) {
		e[i].key = a->context[i].key;
		e[i].values = a->context[i].values;
		e[i].nvalues = a->context[i].nvalues;
		e[i].multi = a->context[i].multi;
	}
	q->context = e;
	q->ncontext = a->ncontext;
}

// count counts one answer in the worker's statistics.
static void
count(pdpd_worker *w, const pdpw_result *r)
{
	if (r->status == PDPW_OK)
		pdpd_count(&w->st.decisions[r->decision], 1);
	else
		pdpd_count(&w->st.errors[r->status < PDPW_STATUS_MAX ?
		    r->status : PDPW_EINTERNAL], 1);
}

// decide decides one request into *r; `ex` (may be NULL) gets the
// explanation; `logged` says the decision log sampled it. A request the
// decoder refused is answered with its status.
static void
decide(pdpd_worker *w, uint64_t id, const pdpw_authz *a, pdpw_result *r,
    pdp_explanation *ex, bool logged)
{
	pdp_request q;
	pdp_decision d;
	uint64_t t0 = logged ? pdpd_now_ns() : 0;

	if (logged && ex == NULL)
		ex = &w->ex; // the log names the deciding statements
	if (a->status != PDPW_OK) {
		r->status = a->status;
		r->decision = PDPW_IMPLICIT_DENY;
		r->reason = a->error;
		if (ex != NULL)
			memset(ex, 0, sizeof(*ex));
	} else {
		fill_request(w, a, &q, entries(w, PDPD_CHUNK));
		if (a->akid != NULL)
			pdpd_creds_decide(w, a, &q, &d, ex);
		else
			pdp_bundle_authorize(w->bundle, &q, &d, ex);
		pdpw_result_of(r, d.err, (int) d.effect, d.reason);
		if (q.provider != NULL && r->reason != NULL)
			r->reason = keep_reason(w, r->reason);
	}
	count(w, r);
	if (logged)
		dlog_put(w, id, a, r, ex, pdpd_now_ns() - t0,
		    w->bundle ? pdp_bundle_revision(w->bundle) : 0);
}

// sampled says whether the decision log takes the next decision.
static bool
sampled(pdpd_worker *w)
{
	return w->srv->dlog != NULL && pdpd_dlog_sample(w->srv->dlog,
	    w->index);
}

// decide_batch decides the requests of a batch into w->results, in
// groups of PDPD_CHUNK items: those of a group that the bundle alone
// decides go through pdp_bundle_authorize_many together, which overlaps
// their cache misses in a large bundle. Requests by access key, refused
// ones and those the log samples are decided alone, and so is every
// request when plugins are loaded: a plugin's reason must be copied
// (keep_reason) before its next decision.
static void
decide_batch(pdpd_worker *w, const pdpw_request *req)
{
	uint32_t idx[PDPD_CHUNK];

	for (uint32_t at = 0; at < req->nitems; at += PDPD_CHUNK) {
		uint32_t end = req->nitems - at < PDPD_CHUNK ? req->nitems :
		    at + PDPD_CHUNK, k = 0;
		for (uint32_t i = at; i < end; i++) {
			const pdpw_authz *a = &req->items[i];
			bool logged = sampled(w);
			if (a->status != PDPW_OK || a->akid != NULL ||
			    w->plugins != NULL || logged) {
				decide(w, req->id, a, &w->results[i], NULL,
				    logged);
				continue;
			}
			fill_request(w, a, &w->bq[k], entries(w, k));
			idx[k++] = i;
		}
		pdp_bundle_authorize_many(w->bundle, w->bq, k, w->bd);
		for (uint32_t j = 0; j < k; j++) {
			pdpw_result *r = &w->results[idx[j]];
			pdpw_result_of(r, w->bd[j].err, (int) w->bd[j].effect,
			    w->bd[j].reason);
			count(w, r);
		}
	}
}

static void
explain_out(const pdp_explanation *ex, const pdpw_result *r, pdpw_explain *x)
{
	x->nmatched = ex->nmatched < PDPW_EXPLAIN_MAX ? ex->nmatched :
	    PDPW_EXPLAIN_MAX;
	x->matched_truncated = ex->matched_truncated ||
	    ex->nmatched > PDPW_EXPLAIN_MAX;
	for (uint32_t i = 0; i < x->nmatched; i++) {
		const pdp_statement_ref *m = &ex->matched[i];
		x->matched[i].policy = m->policy;
		x->matched[i].policy_len = m->policy_len;
		x->matched[i].sid = m->sid;
		x->matched[i].sid_len = m->sid_len;
		x->matched[i].statement = m->index;
		x->matched[i].effect = m->effect == PDP_ALLOW ? PDPW_ALLOW :
		    PDPW_EXPLICIT_DENY;
	}
	x->nmissing = ex->nmissing < PDPW_EXPLAIN_MAX ? ex->nmissing :
	    PDPW_EXPLAIN_MAX;
	x->missing_truncated = ex->missing_truncated ||
	    ex->nmissing > PDPW_EXPLAIN_MAX;
	for (uint32_t i = 0; i < x->nmissing; i++) {
		x->missing[i] = ex->missing[i];
		x->missing_len[i] = ex->missing_len[i];
	}
	x->deny_type = r->status == PDPW_OK && r->decision != PDPW_ALLOW ?
	    pdp_policy_type_name(ex->deny_type) : NULL;
}

void
pdpd_collect(pdpd_server *s, pdpw_stats *out)
{
	pdpd_wstats *v[1025];
	uint32_t n = s->nworkers < 1024 ? s->nworkers : 1024;

	memset(out, 0, sizeof(*out));
	for (uint32_t i = 0; i < n; i++)
		v[i] = &s->workers[i]->st;
	if (s->iam_st != NULL)
		v[n++] = s->iam_st; // IAM calls' errors and latencies
	pdpd_stats_collect(v, n, out);
	out->uptime_ms = (pdpd_now_ns() - s->start_ns) / 1000000u;
	out->workers = s->nworkers;
	out->reloads = atomic_load(&s->reloads);
	out->reload_failures = atomic_load(&s->reload_failures);
	pthread_mutex_lock(&s->hmtx);
	if (s->host != NULL) {
		pdpl_stats ps;
		pdpl_host_stats(s->host, &ps);
		out->plugins_enabled = true;
		out->plugin_calls = ps.calls;
		out->plugin_errors = ps.errors;
		out->plugin_timeouts = ps.timeouts;
		out->plugin_memory = ps.memory;
		out->plugin_denials = ps.denials;
	}
	pthread_mutex_unlock(&s->hmtx);
	if (s->dlog != NULL) {
		out->dlog_enabled = true;
		pdpd_dlog_counters(s->dlog, &out->dlog_written,
		    &out->dlog_dropped, &out->dlog_sampled_out);
	}
}

// encode builds the reply for a decoded request, or for a refused one
// (rv != OK).
static int
encode(pdpd_worker *w, int rv, const char *why, const pdpw_request *req,
    uint64_t rev)
{
	pdpd_server *s = w->srv;
	pdpw_encoder *e = &w->enc;
	pdpw_result r;

	w->nreasons = 0;
	if (rv != PDPW_OK) {
		pdpd_count(&w->st.errors[rv], 1);
		return pdpw_encode_error(e, req->id, req->op, rv, why, rev);
	}
	switch (req->op) {
	case PDPW_OP_AUTHORIZE:
		decide(w, req->id, &req->items[0], &r, NULL, sampled(w));
		return pdpw_encode_result(e, req->id, rev, &r);
	case PDPW_OP_EXPLAIN:
		decide(w, req->id, &req->items[0], &r, &w->ex, sampled(w));
		explain_out(&w->ex, &r, &w->wx);
		return pdpw_encode_explain(e, req->id, rev, &r, &w->wx);
	case PDPW_OP_BATCH:
		decide_batch(w, req);
		return pdpw_encode_batch(e, req->id, rev, w->results,
		    req->nitems);
	case PDPW_OP_HEALTH: {
		pdpw_health h = {w->bundle != NULL,
		    (pdpd_now_ns() - s->start_ns) / 1000000u, s->nworkers};
		return pdpw_encode_health(e, req->id, rev, &h);
	}
	case PDPW_OP_STATS: {
		pdpw_stats st;
		pdpd_collect(s, &st);
		return pdpw_encode_stats(e, req->id, rev, &st);
	}
	case PDPW_OP_IAM: {
		// Only a call the IAM thread had no room for gets here
		// (--iam-queue).
		pdpw_iam_result busy = {.aws_code = "Throttling",
		    .aws_message = "Rate exceeded: too many IAM calls are "
		    "waiting; try again", .http_status = 400};
		return pdpw_encode_iam(e, req->id, rev, &busy);
	}
	default:
		pdpd_count(&w->st.errors[PDPW_EOP], 1);
		return pdpw_encode_error(e, req->id, req->op, PDPW_EOP,
		    "unknown op", rev);
	}
}

int
pdpd_handle(pdpd_worker *w, nng_msg *msg, uint64_t t0)
{
	pdpd_server *s = w->srv;
	pdpw_request req;
	const char *why = NULL;
	int rv;

	refresh(w);
	uint64_t rev = w->bundle ? pdp_bundle_revision(w->bundle) : 0;
	pdpd_count(&w->st.requests, 1);
	rv = pdpw_decode_request(&w->dec, nng_msg_body(msg), nng_msg_len(msg),
	    &req, &why);
	if (rv == PDPW_OK && req.op == PDPW_OP_IAM &&
	    pdpd_iam_take(w, msg, &req, t0, &rv, &why) == PDPD_IAM_TAKEN)
		return PDPD_HANDED;
	if (rv == PDPW_OK && req.op == PDPW_OP_RELOAD && s->iams != NULL) {
		rv = PDPW_EDENIED;
		why = "pdpd serves an IAM store: every committed change is "
		    "live at once, and there is no bundle file to reload";
	} else if (rv == PDPW_OK && req.op == PDPW_OP_RELOAD) {
		if (s->cfg->remote_reload) {
			// Loading a bundle may take a while: the reload
			// thread does it and sends the reply.
			w->parked_msg = msg;
			w->parked_id = req.id;
			w->parked_t0 = t0;
			// Parked before queued: the reload thread's reply
			// must find the phase it moves on from.
			nng_mtx_lock(w->mtx);
			w->phase = PDPD_W_PARKED;
			nng_mtx_unlock(w->mtx);
			pdpd_reload_park(s, w);
			return PDPD_PARKED;
		}
		rv = PDPW_EDENIED;
		why = "reload over the wire is disabled on this server";
	}
	if (encode(w, rv, why, &req, rev) != PDPW_OK) {
		// Out of memory for a large reply: say so in a small one.
		pdpd_count(&w->st.errors[PDPW_ENOMEM], 1);
		if (pdpw_encode_error(&w->enc, req.id, req.op, PDPW_ENOMEM,
		    "out of memory", rev) != PDPW_OK) {
			nng_msg_free(msg);
			return PDPD_DROP;
		}
	}
	nng_msg_clear(msg);
	if (nng_msg_append(msg, w->enc.p, w->enc.n) != 0) {
		nng_msg_free(msg);
		return PDPD_DROP;
	}
	pdpd_hist_record_1w(&w->st.lat, pdpd_now_ns() - t0);
	return PDPD_REPLY;
}
