// dlog.c - the decision log: one JSON line per (sampled) decision,
// written by a background thread so the decision path never blocks.
//
// Each worker owns a single-producer ring of fixed-size records; the
// writer thread is the only consumer of every ring. A full ring drops the
// record and counts it: the count is reported by `stats`, never silent.

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdpd.h"

typedef struct ring {
	_Alignas(64) atomic_uint_fast64_t head; // next to read (consumer)
	_Alignas(64) atomic_uint_fast64_t tail; // next to write (producer)
	atomic_uint_fast64_t dropped;           // producer-written
	atomic_uint_fast64_t sampled_out;       // producer-written
	uint64_t rng;                           // producer-only
	pdpd_dlog_rec *v;
} ring;

struct pdpd_dlog {
	FILE *f;
	bool own_file;
	double sample;
	uint64_t threshold; // keep when rng < threshold
	uint32_t cap;       // power of two
	uint32_t nprod;
	ring *rings;
	atomic_uint_fast64_t written;
	atomic_bool stop;
	pthread_t thr;
};

// xorshift64*: a producer-local random stream for sampling.
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

bool
pdpd_dlog_sample(pdpd_dlog *d, uint32_t p)
{
	ring *r = &d->rings[p];

	if (d->sample >= 1.0)
		return true;
	if (d->sample > 0.0 && next_rand(&r->rng) < d->threshold)
		return true;
	pdpd_count(&r->sampled_out, 1);
	return false;
}

pdpd_dlog_rec *
pdpd_dlog_slot(pdpd_dlog *d, uint32_t p)
{
	ring *r = &d->rings[p];
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (t - h >= d->cap) {
		pdpd_count(&r->dropped, 1);
		return NULL;
	}
	return &r->v[t & (d->cap - 1)];
}

void
pdpd_dlog_commit(pdpd_dlog *d, uint32_t p)
{
	ring *r = &d->rings[p];
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
}

void
pdpd_dlog_counters(pdpd_dlog *d, uint64_t *written, uint64_t *dropped,
    uint64_t *sampled_out)
{
	*written = atomic_load_explicit(&d->written, memory_order_relaxed);
	*dropped = *sampled_out = 0;
	for (uint32_t i = 0; i < d->nprod; i++) {
		*dropped += atomic_load_explicit(&d->rings[i].dropped,
		    memory_order_relaxed);
		*sampled_out += atomic_load_explicit(&d->rings[i].sampled_out,
		    memory_order_relaxed);
	}
}

// format writes one record as a JSON line into buf; returns its length.
static size_t
format(const pdpd_dlog_rec *r, char *buf, size_t cap)
{
	char num[160];
	size_t off = 0;
	time_t sec = (time_t) (r->wall_ns / 1000000000u);
	struct tm tm;
	char ts[48];

	gmtime_r(&sec, &tm);
	size_t tn = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + tn, sizeof(ts) - tn, ".%06uZ",
	    (unsigned) (r->wall_ns % 1000000000u / 1000u));

#define LIT(s) pdpd_json_raw(buf, cap, &off, (s), sizeof(s) - 1)
#define STR(s) pdpd_json_str(buf, cap, &off, (s), strlen(s))
#define STR_RAW(s) pdpd_json_raw(buf, cap, &off, (s), strlen(s))
	LIT("{\"ts\":");
	STR(ts);
	LIT(",\"id\":");
	snprintf(num, sizeof(num), "%" PRIu64 ",\"revision\":%" PRIu64
	    ",\"latency_ns\":%" PRIu64 ",\"status\":", r->id, r->revision,
	    r->latency_ns);
	STR_RAW(num);
	STR(pdpw_status_name(r->status));
	LIT(",\"principal\":");
	STR(r->principal);
	LIT(",\"action\":");
	STR(r->action);
	LIT(",\"resource\":");
	STR(r->resource);
	LIT(",\"decision\":");
	STR(pdpw_decision_name(r->decision));
	if (r->reason != NULL) {
		LIT(",\"reason\":");
		STR(r->reason);
	}
	LIT(",\"statements\":[");
	for (uint32_t i = 0; i < r->nstmts; i++) {
		const pdpd_dlog_stmt *s = &r->stmts[i];
		LIT(i ? ",{\"policy\":" : "{\"policy\":");
		STR(s->policy);
		LIT(",\"sid\":");
		STR(s->sid);
		snprintf(num, sizeof(num), ",\"statement\":%u,\"effect\":",
		    s->index);
		STR_RAW(num);
		STR(s->effect == PDPW_ALLOW ? "Allow" : "Deny");
		LIT("}");
	}
	LIT("]");
	if (r->stmts_truncated)
		LIT(",\"statements_truncated\":true");
	LIT("}\n");
#undef LIT
#undef STR
#undef STR_RAW
	return off;
}

static void *
writer(void *arg)
{
	pdpd_dlog *d = arg;
	// Room for every field escaped at its worst (6 bytes a byte).
	static char buf[32768];

	for (;;) {
		bool stopping = atomic_load(&d->stop);
		uint64_t n = 0;
		for (uint32_t p = 0; p < d->nprod; p++) {
			ring *r = &d->rings[p];
			uint64_t h = atomic_load_explicit(&r->head,
			    memory_order_relaxed);
			uint64_t t = atomic_load_explicit(&r->tail,
			    memory_order_acquire);
			for (; h != t; h++) {
				size_t len = format(&r->v[h & (d->cap - 1)],
				    buf, sizeof(buf));
				fwrite(buf, 1, len, d->f);
				n++;
			}
			atomic_store_explicit(&r->head, h,
			    memory_order_release);
		}
		if (n > 0) {
			fflush(d->f);
			atomic_fetch_add_explicit(&d->written, n,
			    memory_order_relaxed);
			continue;
		}
		if (stopping)
			break;
		// Idle: poll every 2 ms rather than make producers signal.
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int
pdpd_dlog_open(const char *path, double sample, uint32_t qcap,
    uint32_t nprod, pdpd_dlog **out, char *err, size_t errlen)
{
	pdpd_dlog *d = calloc(1, sizeof(*d));
	uint32_t cap = 2;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (cap < qcap)
		cap *= 2;
	d->cap = cap;
	d->nprod = nprod;
	d->sample = sample;
	d->threshold = (uint64_t) (sample * 18446744073709551615.0);
	if (strcmp(path, "-") == 0) {
		d->f = stderr;
	} else {
		d->f = fopen(path, "a");
		d->own_file = true;
	}
	if (d->f == NULL) {
		snprintf(err, errlen, "decision log %s: %s", path,
		    strerror(errno));
		free(d);
		return -1;
	}
	d->rings = calloc(nprod, sizeof(*d->rings));
	for (uint32_t i = 0; d->rings != NULL && i < nprod; i++) {
		d->rings[i].rng = 0x9E3779B97F4A7C15ull * (i + 1);
		d->rings[i].v = calloc(cap, sizeof(pdpd_dlog_rec));
		if (d->rings[i].v == NULL)
			break;
	}
	for (uint32_t i = 0; d->rings != NULL && i < nprod; i++)
		if (d->rings[i].v == NULL) {
			snprintf(err, errlen, "out of memory");
			d->thr = pthread_self();
			pdpd_dlog_close(d);
			return -1;
		}
	if (d->rings == NULL ||
	    pthread_create(&d->thr, NULL, writer, d) != 0) {
		snprintf(err, errlen, "cannot start the decision log");
		d->thr = pthread_self();
		pdpd_dlog_close(d);
		return -1;
	}
	*out = d;
	return 0;
}

void
pdpd_dlog_close(pdpd_dlog *d)
{
	if (d == NULL)
		return;
	atomic_store(&d->stop, true);
	if (!pthread_equal(d->thr, pthread_self()))
		pthread_join(d->thr, NULL);
	for (uint32_t i = 0; d->rings != NULL && i < d->nprod; i++)
		free(d->rings[i].v);
	free(d->rings);
	if (d->own_file)
		fclose(d->f);
	else
		fflush(d->f);
	free(d);
}
