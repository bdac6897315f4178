// server.c - pdpd's nng side: one REP socket listening on every URL, N
// contexts each driven by its aio callback (receive, decide, send, as in
// nng's async demo server), the SIGTERM drain and the shutdown order nng
// 1.5 needs.

#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "server.h"

static void worker_cb(void *arg);

static void
set_phase(pdpd_worker *w, int phase)
{
	nng_mtx_lock(w->mtx);
	w->phase = phase;
	nng_mtx_unlock(w->mtx);
}

// recv_next waits for the next request, or stops the worker when the
// server drains. Resubmitting is the last thing a callback does: the
// same callback may run again before this one returns.
static void
recv_next(pdpd_worker *w)
{
	nng_mtx_lock(w->mtx);
	if (atomic_load(&w->srv->stopping)) {
		w->phase = PDPD_W_IDLE;
		nng_mtx_unlock(w->mtx);
		return;
	}
	w->phase = PDPD_W_RECV;
	nng_mtx_unlock(w->mtx);
	nng_aio_set_timeout(w->aio, NNG_DURATION_INFINITE);
	nng_ctx_recv(w->ctx, w->aio);
}

void
pdpd_reply_send(pdpd_worker *w, nng_msg *msg)
{
	if (msg == NULL) {
		recv_next(w);
		return;
	}
	set_phase(w, PDPD_W_SEND);
	nng_aio_set_msg(w->aio, msg);
	// A requester that stops reading must not hold a worker: a reply
	// that cannot leave in this long is dropped, and the worker takes
	// the next request.
	nng_aio_set_timeout(w->aio, PDPD_SEND_TIMEOUT_MS);
	nng_ctx_send(w->ctx, w->aio);
}

static void
worker_cb(void *arg)
{
	pdpd_worker *w = arg;
	int rv = nng_aio_result(w->aio);
	int phase;

	nng_mtx_lock(w->mtx);
	phase = w->phase;
	if (phase == PDPD_W_RECV && rv == 0)
		w->phase = PDPD_W_BUSY;
	nng_mtx_unlock(w->mtx);

	switch (phase) {
	case PDPD_W_RECV:
		if (rv != 0) {
			// Closed, or cancelled by a drain: stop. Anything
			// else (out of memory) is retried.
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED ||
			    atomic_load(&w->srv->stopping)) {
				set_phase(w, PDPD_W_IDLE);
				return;
			}
			recv_next(w);
			return;
		}
		uint64_t t0 = pdpd_now_ns();
		nng_msg *msg = nng_aio_get_msg(w->aio);
		nng_aio_set_msg(w->aio, NULL);
		switch (pdpd_handle(w, msg, t0)) {
		case PDPD_REPLY:
			pdpd_reply_send(w, msg);
			return;
		case PDPD_PARKED:
			return; // the reload thread replies
		case PDPD_HANDED:
			recv_next(w); // on the worker's fresh context
			return;
		default:
			recv_next(w);
			return;
		}
	case PDPD_W_SEND:
		if (rv != 0) {
			// A failed send leaves the message ours. A reply
			// to a requester that has gone is dropped by nng
			// without an error: it costs nothing here.
			nng_msg_free(nng_aio_get_msg(w->aio));
			nng_aio_set_msg(w->aio, NULL);
		}
		recv_next(w);
		return;
	default:
		return;
	}
}

static void
worker_free(pdpd_worker *w)
{
	if (w == NULL)
		return;
	if (w->aio != NULL)
		nng_aio_free(w->aio);
	if (w->mtx != NULL)
		nng_mtx_free(w->mtx);
	pdp_bundle_close(w->bundle);
	pdpl_worker_close(w->plugins);
	pdpd_keys_worker_fini(w);
	pdpw_decoder_fini(&w->dec);
	pdpw_encoder_fini(&w->enc);
	free(w->results);
	free(w->entries);
	free(w);
}

static pdpd_worker *
worker_alloc(pdpd_server *s, uint32_t index)
{
	pdpd_worker *w = aligned_alloc(64, (sizeof(*w) + 63) & ~(size_t) 63);

	if (w == NULL)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->srv = s;
	w->index = index;
	w->phase = PDPD_W_IDLE;
	pdpw_encoder_init(&w->enc);
	w->results = calloc(s->cfg->lim.max_batch, sizeof(*w->results));
	w->entries = calloc((size_t) (PDPD_CHUNK + 1) *
	    (s->cfg->lim.max_context ? s->cfg->lim.max_context : 1),
	    sizeof(*w->entries));
	if (pdpw_decoder_init(&w->dec, &s->cfg->lim, s->cfg->zone_chunk) !=
	    PDPW_OK || w->results == NULL || w->entries == NULL ||
	    nng_mtx_alloc(&w->mtx) != 0 ||
	    nng_aio_alloc(&w->aio, worker_cb, w) != 0) {
		worker_free(w);
		return NULL;
	}
	// The first reply sizes the buffer; reserve a typical one now.
	pdpw_encode_error(&w->enc, 0, PDPW_OP_NONE, PDPW_OK, "", 0);
	w->gen = UINT64_MAX; // acquire on the first request
	return w;
}

static int
fail(char *err, size_t errlen, const char *what, int rv)
{
	snprintf(err, errlen, "%s: %s", what, nng_strerror(rv));
	return -1;
}

// pipe_event counts open connections, so that a drain can tell when the
// last client is gone.
static void
pipe_event(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	pdpd_server *s = arg;

	(void) p;
	atomic_fetch_add(&s->pipes, ev == NNG_PIPE_EV_ADD_POST ? 1 : -1);
}

int
pdpd_server_open(const pdpd_config *cfg, pdpd_server **out, char *err,
    size_t errlen)
{
	pdpd_server *s = calloc(1, sizeof(*s));
	int rv;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cfg = cfg;
	s->start_ns = pdpd_now_ns();
	pthread_mutex_init(&s->rmtx, NULL);
	pthread_mutex_init(&s->hmtx, NULL);
	pthread_cond_init(&s->rcv, NULL);
	*out = s; // so that pdpd_server_close can clean up on failure

	if (cfg->store != NULL) {
		// The socket is opened first: IAM calls reply on contexts
		// of it.
		if ((rv = nng_rep0_open(&s->sock)) != 0)
			return fail(err, errlen, "nng_rep0_open", rv);
		s->sock_open = true;
		if (pdpd_store_open(s, err, errlen) != 0)
			return -1;
	} else if (pdp_engine_open(&s->engine) != PDP_OK) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	// The first bundle must load: a server with nothing to decide with
	// is a misconfiguration, better refused at start than served as
	// a stream of denies.
	char lerr[512];
	if (cfg->store == NULL &&
	    (rv = pdpd_reload_now(s, lerr, sizeof(lerr))) != PDP_OK) {
		snprintf(err, errlen, "%s: %s", cfg->bundle, lerr);
		return -1;
	}
	atomic_store(&s->reloads, 0); // count reloads, not the first load
	if (cfg->dlog_path != NULL && pdpd_dlog_open(cfg->dlog_path,
	    cfg->dlog_sample, cfg->dlog_queue, cfg->workers, &s->dlog, err,
	    errlen) != 0)
		return -1;
	if (pdpd_reload_start(s) != 0) {
		snprintf(err, errlen, "cannot start the reload thread");
		return -1;
	}

	if (!s->sock_open && (rv = nng_rep0_open(&s->sock)) != 0)
		return fail(err, errlen, "nng_rep0_open", rv);
	s->sock_open = true;
	nng_pipe_notify(s->sock, NNG_PIPE_EV_ADD_POST, pipe_event, s);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_REM_POST, pipe_event, s);
	s->workers = calloc(cfg->workers, sizeof(*s->workers));
	if (s->workers == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < cfg->workers; i++) {
		pdpd_worker *w = worker_alloc(s, i);
		if (w == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		s->workers[s->nworkers++] = w;
		if ((rv = nng_ctx_open(&w->ctx, s->sock)) != 0)
			return fail(err, errlen, "nng_ctx_open", rv);
		w->ctx_open = true;
	}
	for (uint32_t i = 0; i < cfg->nlisten; i++) {
		nng_listener l;
		const char *url = cfg->listen[i];
		// R-WIRE-002: messages up to max_msg are decoded, larger
		// ones get ETOOBIG. On tcp, nng also closes a connection
		// whose message exceeds twice max_msg before reading it.
		// Not on ipc: nng 1.5.2 wedges a REP context whenever an
		// ipc pipe is closed for an oversize message (reproduced
		// with a bare echo server), which is worse than reading
		// a local peer's large message whole.
		size_t hard = strncmp(url, "ipc://", 6) == 0 ? 0 :
		    cfg->lim.max_msg * 2;
		if ((rv = nng_listener_create(&l, s->sock, url)) != 0 ||
		    (rv = nng_listener_set_size(l, NNG_OPT_RECVMAXSZ,
		    hard)) != 0 ||
		    (rv = nng_listener_start(l, 0)) != 0) {
			snprintf(err, errlen, "listen %s: %s", url,
			    nng_strerror(rv));
			return -1;
		}
		s->listeners[s->nlisteners++] = l;
		PDPD_LOG(PDPD_LOG_INFO, "listening",
		    PDPD_S("url", cfg->listen[i]));
	}
	for (uint32_t i = 0; i < s->nworkers; i++)
		recv_next(s->workers[i]);
	PDPD_LOG(PDPD_LOG_INFO, "serving", PDPD_U("workers", s->nworkers),
	    PDPD_U("revision", atomic_load(&s->revision)),
	    PDPD_U("max_message", cfg->lim.max_msg),
	    PDPD_U("max_batch", cfg->lim.max_batch),
	    PDPD_S("decision_log", cfg->dlog_path),
	    PDPD_S("store", cfg->store));
	return 0;
}

bool
pdpd_server_drain(pdpd_server *s)
{
	uint64_t deadline = pdpd_now_ns() +
	    (uint64_t) s->cfg->drain_ms * 1000000u;
	uint32_t busy;

	atomic_store(&s->stopping, true);
	// No new connections; those open may still finish their requests.
	for (uint32_t i = 0; i < s->nlisteners; i++)
		nng_listener_close(s->listeners[i]);
	s->nlisteners = 0;
	for (;;) {
		busy = 0;
		for (uint32_t i = 0; i < s->nworkers; i++) {
			pdpd_worker *w = s->workers[i];
			nng_mtx_lock(w->mtx);
			// Only a pending receive is cancelled; a worker
			// deciding or sending finishes its reply first. A
			// receive submitted just after the flag was set is
			// caught on the next pass.
			if (w->phase == PDPD_W_RECV)
				nng_aio_cancel(w->aio);
			if (w->phase != PDPD_W_IDLE)
				busy++;
			nng_mtx_unlock(w->mtx);
		}
		// IAM calls taken are answered too.
		busy += pdpd_iam_pending(s);
		if (busy == 0 || pdpd_now_ns() >= deadline)
			break;
		nng_msleep(5);
	}
	// A send completes when the pipe takes the reply, not when it is
	// written, and nng 1.5 has no linger: closing the socket can drop a
	// reply still queued on a connection. Keep the connections open
	// until the clients are gone or a second has passed (within the
	// drain deadline, and at least 50 ms) so that queued replies leave.
	uint64_t now = pdpd_now_ns(), linger = now + 1000000000u;
	if (linger > deadline)
		linger = deadline > now + 50000000u ? deadline :
		    now + 50000000u;
	while (atomic_load(&s->pipes) > 0 && pdpd_now_ns() < linger)
		nng_msleep(5);
	pdpw_stats st;
	pdpd_collect(s, &st);
	PDPD_LOG(busy ? PDPD_LOG_WARN : PDPD_LOG_INFO, "drained",
	    PDPD_U("unfinished", busy), PDPD_U("requests", st.requests));
	return busy == 0;
}

void
pdpd_server_close(pdpd_server *s)
{
	if (s == NULL)
		return;
	atomic_store(&s->stopping, true);
	// Parked reload requests and queued IAM calls are answered before
	// the aios stop and the socket closes.
	pdpd_reload_stop(s);
	pdpd_iam_stop(s);
	// nng 1.5 can crash when a socket closes under a callback that is
	// inside nng_ctx_recv/send: stop every aio first, then close the
	// contexts and the socket, then free the aios.
	for (uint32_t i = 0; i < s->nworkers; i++)
		nng_aio_stop(s->workers[i]->aio);
	for (uint32_t i = 0; i < s->nworkers; i++)
		if (s->workers[i]->ctx_open)
			nng_ctx_close(s->workers[i]->ctx);
	if (s->sock_open)
		nng_close(s->sock);
	for (uint32_t i = 0; i < s->nworkers; i++)
		worker_free(s->workers[i]);
	free(s->workers);
	pdpd_dlog_close(s->dlog);
	if (s->iams != NULL || s->iam_st != NULL)
		pdpd_store_close(s); // its engine is the service's
	else
		pdp_engine_close(s->engine);
	pdpl_host_close(s->host);
	pdpd_keys_close(s->keys);
	pthread_mutex_destroy(&s->hmtx);
	pthread_mutex_destroy(&s->rmtx);
	pthread_cond_destroy(&s->rcv);
	free(s);
}
