// server.h - the server and worker structures shared by server.c (nng
// and the worker state machine), handle.c (one message: decode, decide,
// encode) and reload.c (bundle loading, swapping and the reload thread).

#ifndef PDPD_SERVER_H
#define PDPD_SERVER_H

#include <pthread.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "iams.h"
#include "pdp_creds.h"
#include "pdpd.h"
#include "pdpl.h"

// How long a reply may take to leave (see pdpd_reply_send).
#define PDPD_SEND_TIMEOUT_MS 1000
#define PDPD_CHUNK 16 // requests of a batch decided together (handle.c)

typedef struct pdpd_iam_job pdpd_iam_job;

// A keyring shared by reference count (creds.c).
typedef struct pdpd_keys pdpd_keys;

// A worker's phase; changed under its mutex so that a drain cancels only
// a pending receive, never a reply on its way out.
enum pdpd_phase {
	PDPD_W_RECV,   // a receive is pending
	PDPD_W_BUSY,   // deciding, in the aio callback
	PDPD_W_PARKED, // waiting for the reload thread to answer
	PDPD_W_SEND,   // a reply is being sent
	PDPD_W_IDLE,   // stopped (draining or closed)
};

struct pdpd_worker {
	pdpd_server *srv;
	uint32_t index;
	nng_aio *aio;
	nng_ctx ctx;
	bool ctx_open;
	nng_mtx *mtx;
	int phase;

	// The bundle this worker decides with, and the server generation it
	// was acquired at; re-acquired when the generation moves on.
	pdp_bundle *bundle;
	uint64_t gen;
	pdpl_worker *plugins; // this worker's Lua state; NULL: none
	// A plugin's reason lives in its Lua state only until the next
	// decision: the reasons of one message are copied here.
	char reasons[16384];
	size_t nreasons;
	// Requests by access key: this worker's cache of opened sessions,
	// made with `keys`.
	pdp_creds_cache *creds;
	pdpd_keys *keys;

	pdpw_decoder dec;
	pdpw_encoder enc;
	pdpw_result *results; // max_batch
	// Requests of a batch decided together (handle.c) and their
	// contexts, max_context entries each (pdpd_entries); a request
	// decided alone, even in the middle of a batch's group, has the
	// last to itself.
	pdp_request bq[PDPD_CHUNK];
	pdp_decision bd[PDPD_CHUNK];
	pdp_context_entry *entries; // (PDPD_CHUNK + 1) x max_context
	pdp_explanation ex;
	pdpw_explain wx;

	// A reload request waiting for the reload thread.
	nng_msg *parked_msg;
	uint64_t parked_id;
	uint64_t parked_t0;
	pdpd_worker *parked_next;

	pdpd_wstats st;
};

struct pdpd_server {
	const pdpd_config *cfg;
	nng_socket sock;
	bool sock_open;
	nng_listener listeners[PDPD_LISTEN_MAX];
	uint32_t nlisteners;
	pdpd_worker **workers;
	uint32_t nworkers;
	uint64_t start_ns;

	pdp_engine *engine;
	atomic_uint_fast64_t gen; // bumped after every swap
	atomic_uint_fast64_t revision;
	atomic_uint_fast64_t reloads;
	atomic_uint_fast64_t reload_failures;
	atomic_bool stopping;
	atomic_int pipes; // connections open (nng pipe events)

	pdpd_dlog *dlog; // NULL: no decision log

	// The plugin host that goes with the current bundle; workers make
	// their Lua state from it when the generation moves on. Guarded by
	// hmtx, taken only by reloads and by workers catching up.
	pdpl_host *host;
	pdpd_keys *keys; // the keyring that goes with the bundle
	pthread_mutex_t hmtx;

	// The reload thread and what it has been asked to do.
	pthread_t reload_thr;
	bool reload_started;
	pthread_mutex_t rmtx;
	pthread_cond_t rcv;
	bool reload_wanted;
	bool reload_stop;
	pdpd_worker *parked;

	// --store: the IAM service, whose engine is `engine`, and the
	// thread that runs IAM calls (iam.c). NULL with --bundle.
	iams_service *iams;
	pthread_t iam_thr;
	bool iam_started;
	pthread_mutex_t imtx;
	pthread_cond_t icv;
	pdpd_iam_job *iam_head, *iam_tail;
	uint32_t iam_pending; // jobs queued or running
	bool iam_stop;
	nng_aio *iam_aio;     // the IAM thread's replies
	pdpd_wstats *iam_st;  // written by the IAM thread only
};

// Outcomes of pdpd_handle.
enum { PDPD_REPLY = 0, PDPD_PARKED = 1, PDPD_DROP = 2, PDPD_HANDED = 3 };

// pdpd_handle answers the request in `msg`, writing the reply into the
// same message (PDPD_REPLY); parks a reload request with the reload
// thread (PDPD_PARKED: it sends the reply); hands an IAM call with the
// worker's context to the IAM thread (PDPD_HANDED: the worker has a new
// context to receive on); or frees `msg` when no reply can be built
// (PDPD_DROP). Runs in the worker's aio callback.
int pdpd_handle(pdpd_worker *w, nng_msg *msg, uint64_t t0);

// pdpd_reply_send sends w's reply message (the reload thread uses it for
// parked requests).
void pdpd_reply_send(pdpd_worker *w, nng_msg *msg);

// pdpd_reload_now opens the configured bundle, verifies it and swaps it
// in. On failure the current bundle keeps serving. Returns a pdp_err
// with `err` set on failure. Serialized by the caller (reload thread or
// startup).
int pdpd_reload_now(pdpd_server *s, char *err, size_t errlen);

// pdpd_reload_start / pdpd_reload_stop run the reload thread; stop
// answers parked requests first.
int pdpd_reload_start(pdpd_server *s);
void pdpd_reload_stop(pdpd_server *s);

// pdpd_reload_park queues worker w (its request in w->parked_msg).
void pdpd_reload_park(pdpd_server *s, pdpd_worker *w);

// pdpd_store_open opens the IAM store of --store (its key from
// PATH.key), makes its engine the server's and starts the IAM thread.
// 0, or -1 with err set.
int pdpd_store_open(pdpd_server *s, char *err, size_t errlen);

// pdpd_iam_stop stops the IAM thread after answering the calls still
// queued (while the socket is open); pdpd_store_close then closes the
// service (once no worker holds a bundle). No-ops without a store.
void pdpd_iam_stop(pdpd_server *s);
void pdpd_store_close(pdpd_server *s);

// Outcomes of pdpd_iam_take.
enum { PDPD_IAM_TAKEN, PDPD_IAM_BUSY, PDPD_IAM_FAILED };

// pdpd_iam_take hands the IAM call `req` (received in `msg` on w's
// context) to the IAM thread: PDPD_IAM_TAKEN when it took the message
// and the context, w now having a fresh one; PDPD_IAM_BUSY when too many
// calls wait (the reply is AWS's Throttling); PDPD_IAM_FAILED with
// *status and *why for an error reply.
int pdpd_iam_take(pdpd_worker *w, nng_msg *msg, const pdpw_request *req,
    uint64_t t0, int *status, const char **why);

// pdpd_iam_pending counts IAM calls queued or running (drains wait).
uint32_t pdpd_iam_pending(pdpd_server *s);

// creds.c: pdpd_keys_open loads the keyring at `path` (NULL: an empty
// one, so that tokens are refused and long-term keys still decide);
// pdpd_keys_publish makes it the server's (dropping the previous);
// pdpd_keys_refresh gives worker w a cache with the server's keyring
// when it has changed; pdpd_keys_worker_fini frees w's; pdpd_keys_close
// drops one reference. pdpd_creds_decide decides a request whose
// caller is named by `akid` (and `token`).
int pdpd_keys_open(const char *path, pdpd_keys **out, char *err,
    size_t errlen);
void pdpd_keys_close(pdpd_keys *k);
// pdpd_keys_store publishes the STS keys of the IAM store (--store), at
// start and after every call that rotates them; workers pick them up
// with their next request.
int pdpd_keys_store(pdpd_server *s, char *err, size_t errlen);
void pdpd_keys_publish(pdpd_server *s, pdpd_keys *k);
void pdpd_keys_refresh(pdpd_worker *w);
void pdpd_keys_worker_fini(pdpd_worker *w);
int pdpd_creds_decide(pdpd_worker *w, const pdpw_authz *a,
    const pdp_request *q, pdp_decision *d, pdp_explanation *ex);

// pdpd_collect fills a stats reply from every worker.
void pdpd_collect(pdpd_server *s, pdpw_stats *out);

#endif // PDPD_SERVER_H
