// pdpd.h - the internals of pdpd, the authorization server: its
// configuration, structured log, statistics, decision log, reloads and
// the nng server with its workers. One concept per .c file.

#ifndef PDPD_H
#define PDPD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pdp.h"
#include "pdpd_hist.h"
#include "wire.h"

// --- Configuration (config.c) -----------------------------------------------

#define PDPD_LISTEN_MAX 16

typedef struct pdpd_config {
	char *bundle;                    // path of the .pdpb file
	char *store;                     // or: an IAM store (pdp/iam)
	char *listen[PDPD_LISTEN_MAX];   // URLs
	uint32_t nlisten;
	uint32_t workers;                // nng contexts; 0: cores
	pdpw_limits lim;
	size_t zone_chunk;               // decoder zone chunk, bytes
	int log_level;                   // PDPD_LOG_*
	char *dlog_path;                 // NULL: no decision log
	double dlog_sample;              // 0..1
	uint32_t dlog_queue;             // records per worker
	uint32_t drain_ms;               // SIGTERM drain timeout
	bool remote_reload;              // honour the reload op
	char *plugins;                   // NULL: no Lua plugins
} pdpd_config;

// pdpd_config_init fills the defaults; pdpd_config_fini frees strings.
void pdpd_config_init(pdpd_config *c);
void pdpd_config_fini(pdpd_config *c);

// pdpd_config_load reads the config file given by --config (if any),
// then applies the other flags over it. Returns 0, 1 when --help or
// --version printed its text (exit 0), or -1 with `err` set.
int pdpd_config_load(pdpd_config *c, int argc, char **argv, char *err,
    size_t errlen);

// pdpd_usage prints --help: every flag and config key.
void pdpd_usage(FILE *f);

// --- Structured log (log.c) -------------------------------------------------

enum { PDPD_LOG_DEBUG = 0, PDPD_LOG_INFO, PDPD_LOG_WARN, PDPD_LOG_ERROR };

typedef enum pdpd_kv_type { PDPD_KV_S, PDPD_KV_U, PDPD_KV_I } pdpd_kv_type;

typedef struct pdpd_kv {
	const char *k;
	pdpd_kv_type t;
	const char *s;
	uint64_t u;
	int64_t i;
} pdpd_kv;

#define PDPD_S(k, v) ((pdpd_kv){(k), PDPD_KV_S, (v), 0, 0})
#define PDPD_U(k, v) ((pdpd_kv){(k), PDPD_KV_U, NULL, (uint64_t) (v), 0})
#define PDPD_I(k, v) ((pdpd_kv){(k), PDPD_KV_I, NULL, 0, (int64_t) (v)})

// pdpd_log_level sets the lowest level written (default info).
void pdpd_log_level(int level);

// pdpd_log writes one JSON line to stderr: time, level, event, then the
// fields. Thread-safe (one write(2) per line). Never log secrets.
void pdpd_log(int level, const char *event, size_t n, const pdpd_kv *kv);

#define PDPD_LOG(level, event, ...)                                       \
	do {                                                              \
		const pdpd_kv kv_[] = {__VA_ARGS__};                      \
		pdpd_log((level), (event), sizeof(kv_) / sizeof(kv_[0]),  \
		    kv_);                                                 \
	} while (0)

// pdpd_json_str appends `s` as a JSON string (quotes included) to buf at
// *off, stopping at cap. Shared by the log and the decision log.
void pdpd_json_str(char *buf, size_t cap, size_t *off, const char *s,
    size_t n);

// pdpd_json_raw appends n bytes as they are, stopping at cap.
void pdpd_json_raw(char *buf, size_t cap, size_t *off, const char *s,
    size_t n);

// pdpd_now_ns returns CLOCK_MONOTONIC in ns; pdpd_wall_ns the real time.
uint64_t pdpd_now_ns(void);
uint64_t pdpd_wall_ns(void);

// --- Statistics (stats.c) ---------------------------------------------------

// One worker's counters. Each is written by its own worker only (so a
// relaxed load and store increment it) and read by anyone.
typedef struct pdpd_wstats {
	_Alignas(64) atomic_uint_fast64_t requests;
	atomic_uint_fast64_t decisions[3];
	atomic_uint_fast64_t errors[PDPW_STATUS_MAX];
	pdpd_hist lat;
} pdpd_wstats;

// pdpd_count adds n to a single-writer counter.
static inline void
pdpd_count(atomic_uint_fast64_t *c, uint64_t n)
{
	atomic_store_explicit(c,
	    atomic_load_explicit(c, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

// pdpd_stats_collect sums `n` workers' counters into *out (requests,
// decisions, errors, latency quantiles).
void pdpd_stats_collect(pdpd_wstats *const *w, size_t n, pdpw_stats *out);

// --- Decision log (dlog.c) --------------------------------------------------

typedef struct pdpd_dlog pdpd_dlog;

#define PDPD_DLOG_STR 256 // bytes kept of principal, action, resource
#define PDPD_DLOG_STMTS 4 // deciding statements kept

typedef struct pdpd_dlog_stmt {
	char policy[128];
	char sid[64];
	uint32_t index;
	int effect;
} pdpd_dlog_stmt;

// One decision, copied into the queue.
typedef struct pdpd_dlog_rec {
	uint64_t wall_ns;
	uint64_t latency_ns;
	uint64_t revision;
	uint64_t id;
	int status;
	int decision;
	const char *reason; // static text
	char principal[PDPD_DLOG_STR];
	char action[PDPD_DLOG_STR];
	char resource[PDPD_DLOG_STR];
	uint32_t nstmts;
	bool stmts_truncated;
	pdpd_dlog_stmt stmts[PDPD_DLOG_STMTS];
} pdpd_dlog_rec;

// pdpd_dlog_open starts the writer thread appending JSON lines to `path`
// ("-" is stderr), keeping `sample` (0..1) of decisions, with one queue
// of `qcap` records for each of `nprod` producers. 0 or -1 with err.
int pdpd_dlog_open(const char *path, double sample, uint32_t qcap,
    uint32_t nprod, pdpd_dlog **out, char *err, size_t errlen);

// pdpd_dlog_close writes what is queued, stops the thread and frees.
void pdpd_dlog_close(pdpd_dlog *d);

// pdpd_dlog_sample says whether producer `p`'s next decision is logged
// (counting the ones left out). Only producer p may call it.
bool pdpd_dlog_sample(pdpd_dlog *d, uint32_t p);

// pdpd_dlog_slot returns producer p's next free record to fill, or NULL
// when its queue is full (counted as dropped). Never blocks.
pdpd_dlog_rec *pdpd_dlog_slot(pdpd_dlog *d, uint32_t p);

// pdpd_dlog_commit publishes the record pdpd_dlog_slot returned.
void pdpd_dlog_commit(pdpd_dlog *d, uint32_t p);

// pdpd_dlog_counters reads written, dropped and sampled-out counts.
void pdpd_dlog_counters(pdpd_dlog *d, uint64_t *written, uint64_t *dropped,
    uint64_t *sampled_out);

// --- The server (server.c, handle.c, reload.c) ------------------------------

typedef struct pdpd_server pdpd_server;
typedef struct pdpd_worker pdpd_worker;

// pdpd_server_open loads the bundle, opens the socket, listens on every
// URL and starts the workers. 0, or -1 with err set.
int pdpd_server_open(const pdpd_config *cfg, pdpd_server **out, char *err,
    size_t errlen);

// pdpd_server_reload asks for a reload (SIGHUP); it runs on the reload
// thread, never on the caller's.
void pdpd_server_reload(pdpd_server *s);

// pdpd_server_drain stops taking requests, waits up to the configured
// drain time for the ones in flight to be answered. True if all were.
bool pdpd_server_drain(pdpd_server *s);

// pdpd_server_close shuts down in the order nng 1.5 needs (stop every
// aio, close contexts and socket, free aios) and frees everything.
void pdpd_server_close(pdpd_server *s);

#endif // PDPD_H
