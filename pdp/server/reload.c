// reload.c - hot reload: open and verify the configured bundle, swap it
// into the engine, bump the generation workers watch. A bundle that does
// not verify is refused and the current one keeps serving; requests are
// never failed by a swap (in-flight ones finish on the bundle they hold).
//
// Reloads run on one thread, so they are serialized, and never on an nng
// callback thread: loading a large bundle must not stall the pool that
// every worker shares. SIGHUP and the wire `reload` op both land here.

#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "server.h"

int
pdpd_reload_now(pdpd_server *s, char *err, size_t errlen)
{
	pdp_bundle *b = NULL;
	uint64_t t0 = pdpd_now_ns();
	int rv;

	err[0] = '\0';
	if (s->iams != NULL) {
		// SIGHUP with --store: the store's changes are live already.
		PDPD_LOG(PDPD_LOG_INFO, "reload_ignored",
		    PDPD_S("why", "pdpd serves an IAM store: every committed "
		    "change is live at once"),
		    PDPD_U("revision", atomic_load(&s->revision)));
		return PDP_OK;
	}
	// Plugins load first: one that fails refuses the whole reload, and
	// the bundle and plugins serving now go on together.
	pdpl_host *host = NULL;
	if (s->cfg->plugins != NULL) {
		rv = pdpl_host_open(s->cfg->plugins, NULL, &host, err, errlen);
		if (rv != PDP_OK) {
			atomic_fetch_add(&s->reload_failures, 1);
			PDPD_LOG(PDPD_LOG_WARN, "plugins_refused",
			    PDPD_S("dir", s->cfg->plugins),
			    PDPD_S("error", err),
			    PDPD_U("serving_revision",
			    atomic_load(&s->revision)));
			return rv;
		}
	}
	rv = pdp_bundle_open(s->cfg->bundle, &b, err, errlen);
	if (rv != PDP_OK) {
		pdpl_host_close(host);
		if (err[0] == '\0')
			snprintf(err, errlen, "%s", pdp_strerror(rv));
		atomic_fetch_add(&s->reload_failures, 1);
		PDPD_LOG(PDPD_LOG_WARN, "bundle_refused",
		    PDPD_S("path", s->cfg->bundle),
		    PDPD_S("error", err),
		    PDPD_S("code", pdpw_status_name(rv)),
		    PDPD_U("serving_revision", atomic_load(&s->revision)));
		return rv;
	}
	uint64_t old = atomic_load(&s->revision);
	if (host != NULL) {
		pthread_mutex_lock(&s->hmtx);
		pdpl_host *prev = s->host;
		s->host = host;
		pthread_mutex_unlock(&s->hmtx);
		// Workers still running the old plugins hold it themselves.
		pdpl_host_close(prev);
	}
	pdp_engine_swap(s->engine, b);
	atomic_store(&s->revision, pdp_bundle_revision(b));
	atomic_fetch_add(&s->reloads, 1);
	atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
	PDPD_LOG(PDPD_LOG_INFO, "bundle_loaded",
	    PDPD_S("path", s->cfg->bundle),
	    PDPD_U("revision", pdp_bundle_revision(b)),
	    PDPD_U("previous_revision", old),
	    PDPD_U("principals", pdp_bundle_principals(b)),
	    PDPD_U("load_us", (pdpd_now_ns() - t0) / 1000u));
	pdp_bundle_close(b); // the engine holds its own reference
	return PDP_OK;
}

// answer sends a parked worker the outcome of the reload it asked for.
static void
answer(pdpd_server *s, pdpd_worker *w, int rv, const char *err)
{
	uint64_t rev = atomic_load(&s->revision);
	nng_msg *msg = w->parked_msg;
	int e;

	w->parked_msg = NULL;
	if (rv == PDP_OK)
		e = pdpw_encode_error(&w->enc, w->parked_id, PDPW_OP_RELOAD,
		    PDPW_OK, "reloaded", rev);
	else
		e = pdpw_encode_error(&w->enc, w->parked_id, PDPW_OP_RELOAD,
		    rv, err, rev);
	if (rv != PDP_OK)
		pdpd_count(&w->st.errors[rv < PDPW_STATUS_MAX ? rv :
		    PDPW_EINTERNAL], 1);
	nng_msg_clear(msg);
	if (e != PDPW_OK || nng_msg_append(msg, w->enc.p, w->enc.n) != 0) {
		// No reply can be built: the requester times out, and the
		// worker goes back to receiving.
		nng_msg_free(msg);
		msg = NULL;
	}
	pdpd_hist_record_1w(&w->st.lat, pdpd_now_ns() - w->parked_t0);
	pdpd_reply_send(w, msg);
}

static void *
reload_main(void *arg)
{
	pdpd_server *s = arg;
	char err[512];

	pthread_mutex_lock(&s->rmtx);
	for (;;) {
		while (!s->reload_wanted && s->parked == NULL &&
		    !s->reload_stop)
			pthread_cond_wait(&s->rcv, &s->rmtx);
		if (!s->reload_wanted && s->parked == NULL)
			break; // stopping, nothing left to answer
		// Take the queue: these requests all get this reload's
		// outcome; later ones wait for the next.
		pdpd_worker *q = s->parked;
		s->parked = NULL;
		s->reload_wanted = false;
		pthread_mutex_unlock(&s->rmtx);

		int rv = pdpd_reload_now(s, err, sizeof(err));
		while (q != NULL) {
			pdpd_worker *next = q->parked_next;
			q->parked_next = NULL;
			answer(s, q, rv, err);
			q = next;
		}
		pthread_mutex_lock(&s->rmtx);
	}
	pthread_mutex_unlock(&s->rmtx);
	return NULL;
}

int
pdpd_reload_start(pdpd_server *s)
{
	if (pthread_create(&s->reload_thr, NULL, reload_main, s) != 0)
		return -1;
	s->reload_started = true;
	return 0;
}

void
pdpd_reload_stop(pdpd_server *s)
{
	if (!s->reload_started)
		return;
	pthread_mutex_lock(&s->rmtx);
	s->reload_stop = true;
	pthread_cond_signal(&s->rcv);
	pthread_mutex_unlock(&s->rmtx);
	pthread_join(s->reload_thr, NULL);
	s->reload_started = false;
}

void
pdpd_server_reload(pdpd_server *s)
{
	pthread_mutex_lock(&s->rmtx);
	s->reload_wanted = true;
	pthread_cond_signal(&s->rcv);
	pthread_mutex_unlock(&s->rmtx);
}

void
pdpd_reload_park(pdpd_server *s, pdpd_worker *w)
{
	pthread_mutex_lock(&s->rmtx);
	w->parked_next = s->parked;
	s->parked = w;
	pthread_cond_signal(&s->rcv);
	pthread_mutex_unlock(&s->rmtx);
}
